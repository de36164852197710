#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "mpf-cli.h"
#include "mpf-error.h"
#include "mpf-image-verdict.h"
#include "mpf-poray.h"

static void
print_boards (FILE *out)
{
  const MpfBoard *const *boards = mpf_board_all ();

  fprintf (out, "%s", _("Boards:"));
  for (gsize i = 0; boards[i] != NULL; i++)
    fprintf (out, " %s", boards[i]->id);
  fprintf (out, "\n");
}

static void
usage_error (GOptionContext *context, const char *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  fprintf (stderr, "%s\n\n%s", message, help);
}

/* Parses options; on failure prints why and returns FALSE. */
static gboolean
parse_options (GOptionContext *context, int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      usage_error (context, error->message);
      return FALSE;
    }
  return TRUE;
}

static const MpfBoard *
board_or_usage (GOptionContext *context, const char *id, gboolean required)
{
  const MpfBoard *board;

  if (id == NULL)
    {
      if (required)
        {
          usage_error (context, _("The option --board BOARD is required."));
          print_boards (stderr);
        }
      return NULL;
    }
  board = mpf_board_lookup (id);
  if (board == NULL)
    {
      fprintf (stderr, _("Unknown board “%s”."), id);
      fprintf (stderr, "\n");
      print_boards (stderr);
    }
  return board;
}

static MpfCatalog *
load_catalog (void)
{
  g_autoptr(GError) error = NULL;
  MpfCatalog *catalog = mpf_catalog_new_for_user (&error);

  /* The built-in catalogue is tested; if it ever fails, judge without it. */
  if (catalog == NULL)
    fprintf (stderr, "%s\n", error->message);
  return catalog;
}

static int
exit_code_for (MpfImageVerdict *v)
{
  GPtrArray *problems = mpf_image_verdict_get_problems (v);

  for (guint i = 0; i < problems->len; i++)
    if (((MpfImageProblem *) problems->pdata[i])->code == MPF_IMAGE_ERROR_IO)
      return MPF_CLI_EXIT_IO;
  return problems->len > 0 ? MPF_CLI_EXIT_REFUSED : MPF_CLI_EXIT_OK;
}

static void
print_problems (FILE *out, MpfImageVerdict *v)
{
  GPtrArray *problems = mpf_image_verdict_get_problems (v);

  for (guint i = 0; i < problems->len; i++)
    fprintf (out, "  • %s\n", ((MpfImageProblem *) problems->pdata[i])->message);
}

/* Image names come from the file: keep the terminal safe and the text UTF-8. */
static char *
printable_name (const char *name)
{
  g_autofree char *valid = g_utf8_make_valid (name, -1);
  GString *s = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_iscntrl (c))
        g_string_append_printf (s, "\\x%02x", (guint) c);
      else
        g_string_append_unichar (s, c);
    }
  return g_string_free (s, FALSE);
}

static const char *
format_label (MpfImageFormat format)
{
  switch (format)
    {
    case MPF_IMAGE_FORMAT_UIMAGE: return _("U-Boot image (uImage)");
    case MPF_IMAGE_FORMAT_ENCODED: return _("encoded (Poray/Hame factory format)");
    case MPF_IMAGE_FORMAT_UNKNOWN:
    default: return _("not a firmware image");
    }
}

static void
print_row (const char *label, const char *value)
{
  int width = 0;

  /* printf pads by bytes; translated labels need padding by the columns
   * their characters take (CJK characters take two). */
  for (const char *p = label; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      width += g_unichar_iszerowidth (c) ? 0 : g_unichar_iswide (c) ? 2 : 1;
    }
  printf ("%s%*s %s\n", label, MAX (16 - width, 0), "", value);
}

static void
print_human (const char *path, MpfImageVerdict *v)
{
  const MpfUImage *img = mpf_image_verdict_get_uimage (v);
  const MpfCatalogEntry *entry = mpf_image_verdict_get_catalog_entry (v);
  const MpfBoard *board = mpf_image_verdict_get_board (v);
  const MpfBoard *enc = mpf_image_verdict_get_encoded_board (v);
  GBytes *data = mpf_image_verdict_get_data (v);
  GPtrArray *list;
  g_autofree char *fmt = NULL;

  print_row (_("File:"), path);
  if (data != NULL)
    {
      g_autofree char *size = g_strdup_printf (_("%zu bytes"), g_bytes_get_size (data));
      print_row (_("Size:"), size);
    }
  if (enc != NULL)
    fmt = g_strdup_printf (_("%s, key of the %s"), format_label (mpf_image_verdict_get_format (v)),
                           enc->display_name);
  print_row (_("Format:"), fmt != NULL ? fmt : format_label (mpf_image_verdict_get_format (v)));

  if (img != NULL)
    {
      g_autofree char *name = printable_name (img->name);
      g_autofree char *kind = g_strdup_printf ("%s %s %s (%s)", mpf_uimage_arch_name (img->arch),
                                               mpf_uimage_os_name (img->os),
                                               mpf_uimage_type_name (img->type),
                                               mpf_uimage_comp_name (img->comp));
      g_autofree char *dsize = g_strdup_printf (_("%u bytes (header CRC %s, data CRC %s)"), img->data_size,
                                                img->header_crc_ok ? _("ok") : _("BAD"),
                                                img->data_crc_ok ? _("ok") : _("BAD"));
      g_autofree char *load = g_strdup_printf ("0x%08x", img->load);
      g_autofree char *entry_pt = g_strdup_printf ("0x%08x", img->entry);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (img->time);
      g_autofree char *created = when != NULL ? g_date_time_format (when, "%Y-%m-%d %H:%M:%S UTC") : NULL;

      print_row (_("Name:"), name);
      print_row (_("Image type:"), kind);
      print_row (_("Data size:"), dsize);
      print_row (_("Load address:"), load);
      print_row (_("Entry point:"), entry_pt);
      if (created != NULL)
        print_row (_("Created:"), created);
      if (img->sdk_rootfs_offset != 0)
        {
          g_autofree char *off = g_strdup_printf ("%u", img->sdk_rootfs_offset);
          print_row (_("SDK rootfs at:"), off);
        }
    }

  print_row (_("Family:"), mpf_family_display_name (mpf_image_verdict_get_family (v)));
  if (mpf_image_verdict_get_version (v) != NULL)
    {
      g_autofree char *version = NULL;
      if (mpf_image_verdict_get_version_kind (v) == MPF_IMAGE_VERSION_KERNEL)
        version = g_strdup_printf (_("Linux kernel %s (kernel version only, not the firmware release)"),
                                   mpf_image_verdict_get_version (v));
      else
        version = g_strdup (mpf_image_verdict_get_version (v));
      print_row (_("Version:"), version);
    }
  list = mpf_image_verdict_get_signals (v);
  if (entry == NULL && list->len > 0)
    {
      printf ("%s\n", _("Family signals:"));
      for (guint i = 0; i < list->len; i++)
        printf ("  - %s\n", (const char *) list->pdata[i]);
    }
  if (mpf_image_verdict_get_sha256 (v) != NULL)
    print_row (_("SHA-256:"), mpf_image_verdict_get_sha256 (v));
  if (entry != NULL)
    {
      g_autofree char *cat = g_strdup_printf (_("%s (verified by SHA-256): %s"), entry->id, g_dgettext (GETTEXT_PACKAGE, entry->description));
      print_row (_("Catalogue:"), cat);
    }
  else if (data != NULL)
    print_row (_("Catalogue:"), _("not in the catalogue — not verified"));

  if (board != NULL && mpf_image_verdict_has_margin (v))
    {
      gint64 margin = mpf_image_verdict_get_margin (v);
      g_autofree char *fit = margin >= 0
        ? g_strdup_printf (_("%s: fits, %lld bytes to spare"), board->id, (long long) margin)
        : g_strdup_printf (_("%s: too big by %lld bytes"), board->id, (long long) -margin);
      print_row (_("Board:"), fit);
    }

  list = mpf_image_verdict_get_problems (v);
  if (list->len == 0)
    print_row (_("Problems:"), _("none"));
  else
    {
      printf ("%s\n", _("Problems:"));
      print_problems (stdout, v);
    }
  list = mpf_image_verdict_get_notes (v);
  if (list->len > 0)
    {
      printf ("%s\n", _("Notes:"));
      for (guint i = 0; i < list->len; i++)
        printf ("  - %s\n", ((MpfImageProblem *) list->pdata[i])->message);
    }
}

static void
add_problem_array (JsonBuilder *b, const char *key, GPtrArray *list)
{
  json_builder_set_member_name (b, key);
  json_builder_begin_array (b);
  for (guint i = 0; i < list->len; i++)
    {
      const MpfImageProblem *p = list->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, p->code >= 0 ? mpf_image_error_to_string (p->code) : "note");
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, p->message);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
add_member_null (JsonBuilder *b, const char *key)
{
  json_builder_set_member_name (b, key);
  json_builder_add_null_value (b);
}

static void
add_member_string (JsonBuilder *b, const char *key, const char *value)
{
  json_builder_set_member_name (b, key);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_member_int (JsonBuilder *b, const char *key, gint64 value)
{
  json_builder_set_member_name (b, key);
  json_builder_add_int_value (b, value);
}

static void
add_member_bool (JsonBuilder *b, const char *key, gboolean value)
{
  json_builder_set_member_name (b, key);
  json_builder_add_boolean_value (b, value);
}

static void
print_json (const char *path, MpfImageVerdict *v)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  const MpfUImage *img = mpf_image_verdict_get_uimage (v);
  const MpfCatalogEntry *entry = mpf_image_verdict_get_catalog_entry (v);
  const MpfBoard *board = mpf_image_verdict_get_board (v);
  const MpfBoard *enc = mpf_image_verdict_get_encoded_board (v);
  GBytes *data = mpf_image_verdict_get_data (v);
  GPtrArray *signals = mpf_image_verdict_get_signals (v);
  const char *kind = NULL;
  g_autofree char *utf8_path = g_filename_display_name (path);

  json_builder_begin_object (b);
  add_member_string (b, "file", utf8_path);
  if (data != NULL)
    add_member_int (b, "size", (gint64) g_bytes_get_size (data));
  else
    add_member_null (b, "size");
  add_member_string (b, "format", mpf_image_format_to_string (mpf_image_verdict_get_format (v)));
  add_member_string (b, "encoded_for", enc != NULL ? enc->id : NULL);
  if (img != NULL)
    {
      g_autofree char *name = g_utf8_make_valid (img->name, -1);
      add_member_string (b, "name", name);
      add_member_int (b, "data_size", img->data_size);
      add_member_bool (b, "header_crc_ok", img->header_crc_ok);
      add_member_bool (b, "data_crc_ok", img->data_crc_ok);
      add_member_string (b, "arch", mpf_uimage_arch_id (img->arch));
      add_member_string (b, "os", mpf_uimage_os_id (img->os));
      add_member_string (b, "type", mpf_uimage_type_id (img->type));
      add_member_string (b, "compression", mpf_uimage_comp_id (img->comp));
      add_member_int (b, "load", img->load);
      add_member_int (b, "entry", img->entry);
      add_member_int (b, "time", img->time);
      add_member_int (b, "sdk_rootfs_offset", img->sdk_rootfs_offset);
    }
  else
    {
      const char *keys[] = { "name", "data_size", "header_crc_ok", "data_crc_ok", "arch", "os", "type",
                             "compression", "load", "entry", "time", "sdk_rootfs_offset" };
      for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
        add_member_null (b, keys[i]);
    }
  add_member_string (b, "family", mpf_family_to_string (mpf_image_verdict_get_family (v)));
  switch (mpf_image_verdict_get_version_kind (v))
    {
    case MPF_IMAGE_VERSION_RELEASE: kind = "release"; break;
    case MPF_IMAGE_VERSION_KERNEL: kind = "kernel"; break;
    case MPF_IMAGE_VERSION_NONE:
    default: kind = NULL; break;
    }
  add_member_string (b, "version", mpf_image_verdict_get_version (v));
  add_member_string (b, "version_kind", kind);
  add_member_string (b, "sha256", mpf_image_verdict_get_sha256 (v));
  add_member_string (b, "catalog_id", entry != NULL ? entry->id : NULL);
  add_member_bool (b, "verified", entry != NULL);
  add_member_string (b, "board", board != NULL ? board->id : NULL);
  if (board != NULL && mpf_image_verdict_has_margin (v))
    {
      add_member_int (b, "margin", mpf_image_verdict_get_margin (v));
      add_member_bool (b, "fits", mpf_image_verdict_get_margin (v) >= 0);
    }
  else
    {
      add_member_null (b, "margin");
      add_member_null (b, "fits");
    }
  add_member_bool (b, "flashable", mpf_image_verdict_is_flashable (v));
  add_problem_array (b, "problems", mpf_image_verdict_get_problems (v));
  add_problem_array (b, "notes", mpf_image_verdict_get_notes (v));
  json_builder_set_member_name (b, "signals");
  json_builder_begin_array (b);
  for (guint i = 0; i < signals->len; i++)
    json_builder_add_string_value (b, signals->pdata[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  /* Raw bytes, not g_print: JSON is UTF-8 whatever the locale. */
  fwrite (text, 1, strlen (text), stdout);
  fputc ('\n', stdout);
}

static int
cmd_inspect (int argc, char **argv)
{
  gboolean json = FALSE;
  g_autofree char *board_id = NULL;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
    { "board", 'b', 0, G_OPTION_ARG_STRING, &board_id, N_("Also judge the fit on this board"), N_("BOARD") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE — show everything known about a firmware file"));
  g_autoptr(MpfCatalog) catalog = NULL;
  g_autoptr(MpfImageVerdict) v = NULL;
  const MpfBoard *board;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context, _("Exit status: 0 no problems, 1 problems found, 2 usage, 3 cannot read the file."));
  if (!parse_options (context, &argc, &argv))
    return MPF_CLI_EXIT_USAGE;
  if (argc != 2)
    {
      usage_error (context, _("Give exactly one FILE."));
      return MPF_CLI_EXIT_USAGE;
    }
  board = board_or_usage (context, board_id, FALSE);
  if (board_id != NULL && board == NULL)
    return MPF_CLI_EXIT_USAGE;

  catalog = load_catalog ();
  v = mpf_image_verdict_new_for_path (argv[1], board, catalog);
  if (json)
    print_json (argv[1], v);
  else
    print_human (argv[1], v);
  return exit_code_for (v);
}

static int
cmd_check (int argc, char **argv)
{
  g_autofree char *board_id = NULL;
  const GOptionEntry entries[] = {
    { "board", 'b', 0, G_OPTION_ARG_STRING, &board_id, N_("The router model (required)"), N_("BOARD") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE — may this file be flashed on BOARD?"));
  g_autoptr(MpfCatalog) catalog = NULL;
  g_autoptr(MpfImageVerdict) v = NULL;
  const MpfBoard *board;
  GPtrArray *notes;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context, _("Exit status: 0 the image may be flashed, 1 refused (every reason is printed), 2 usage, 3 cannot read the file."));
  if (!parse_options (context, &argc, &argv))
    return MPF_CLI_EXIT_USAGE;
  board = board_or_usage (context, board_id, TRUE);
  if (board == NULL)
    return MPF_CLI_EXIT_USAGE;
  if (argc != 2)
    {
      usage_error (context, _("Give exactly one FILE."));
      return MPF_CLI_EXIT_USAGE;
    }

  catalog = load_catalog ();
  v = mpf_image_verdict_new_for_path (argv[1], board, catalog);
  if (mpf_image_verdict_is_flashable (v))
    {
      printf (_("OK: %s may be flashed on the %s (%lld bytes to spare)."),
              argv[1], board->display_name, (long long) mpf_image_verdict_get_margin (v));
      printf ("\n");
      notes = mpf_image_verdict_get_notes (v);
      for (guint i = 0; i < notes->len; i++)
        printf ("  - %s\n", ((MpfImageProblem *) notes->pdata[i])->message);
      return MPF_CLI_EXIT_OK;
    }
  fprintf (stderr, _("Refused: %s must not be flashed on the %s:"), argv[1], board->display_name);
  fprintf (stderr, "\n");
  print_problems (stderr, v);
  return exit_code_for (v) == MPF_CLI_EXIT_OK ? MPF_CLI_EXIT_REFUSED : exit_code_for (v);
}

static int
write_output (const char *path, GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  if (!g_file_set_contents (path, data, (gssize) len, &error))
    {
      fprintf (stderr, _("Cannot write “%s”: %s"), path, error->message);
      fprintf (stderr, "\n");
      return MPF_CLI_EXIT_IO;
    }
  return MPF_CLI_EXIT_OK;
}

static int
cmd_encode (int argc, char **argv)
{
  g_autofree char *board_id = NULL;
  const GOptionEntry entries[] = {
    { "board", 'b', 0, G_OPTION_ARG_STRING, &board_id, N_("The router model whose key to use (required)"), N_("BOARD") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("IN OUT — encode a uImage in the Poray/Hame factory format"));
  g_autoptr(MpfImageVerdict) v = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  const MpfBoard *board;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context, _("Only a valid uImage that fits BOARD is encoded. Exit status: 0 written, 1 refused, 2 usage, 3 cannot read or write."));
  if (!parse_options (context, &argc, &argv))
    return MPF_CLI_EXIT_USAGE;
  board = board_or_usage (context, board_id, TRUE);
  if (board == NULL)
    return MPF_CLI_EXIT_USAGE;
  if (argc != 3)
    {
      usage_error (context, _("Give an input and an output file."));
      return MPF_CLI_EXIT_USAGE;
    }

  v = mpf_image_verdict_new_for_path (argv[1], board, NULL);
  if (exit_code_for (v) == MPF_CLI_EXIT_IO)
    {
      print_problems (stderr, v);
      return MPF_CLI_EXIT_IO;
    }
  if (mpf_image_verdict_get_format (v) == MPF_IMAGE_FORMAT_ENCODED)
    {
      fprintf (stderr, "%s\n", _("The file is already encoded."));
      return MPF_CLI_EXIT_REFUSED;
    }
  if (!mpf_image_verdict_is_flashable (v))
    {
      fprintf (stderr, _("Refused: %s cannot be encoded for the %s:"), argv[1], board->display_name);
      fprintf (stderr, "\n");
      print_problems (stderr, v);
      return MPF_CLI_EXIT_REFUSED;
    }
  out = mpf_poray_encode (board, mpf_image_verdict_get_data (v), &error);
  if (out == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return MPF_CLI_EXIT_REFUSED;
    }
  return write_output (argv[2], out);
}

static int
cmd_decode (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("IN OUT — decode a Poray/Hame factory image back to its uImage"));
  g_autoptr(MpfImageVerdict) v = NULL;
  GBytes *inner;
  int status;

  g_option_context_set_description (context, _("The key is found by the checksum and the inner header. Exit status: 0 written, 1 not decodable (or the image inside has problems; it is still written), 2 usage, 3 cannot read or write."));
  if (!parse_options (context, &argc, &argv))
    return MPF_CLI_EXIT_USAGE;
  if (argc != 3)
    {
      usage_error (context, _("Give an input and an output file."));
      return MPF_CLI_EXIT_USAGE;
    }

  v = mpf_image_verdict_new_for_path (argv[1], NULL, NULL);
  if (exit_code_for (v) == MPF_CLI_EXIT_IO)
    {
      print_problems (stderr, v);
      return MPF_CLI_EXIT_IO;
    }
  if (mpf_image_verdict_get_format (v) != MPF_IMAGE_FORMAT_ENCODED)
    {
      fprintf (stderr, "%s\n", _("The file is not in the encoded (Poray/Hame factory) format."));
      print_problems (stderr, v);
      return MPF_CLI_EXIT_REFUSED;
    }
  inner = mpf_image_verdict_get_uimage_bytes (v);
  if (inner == NULL)
    {
      print_problems (stderr, v);
      return MPF_CLI_EXIT_REFUSED;
    }
  status = write_output (argv[2], inner);
  if (status != MPF_CLI_EXIT_OK)
    return status;
  if (mpf_image_verdict_get_problems (v)->len > 0)
    {
      fprintf (stderr, "%s\n", _("Decoded, but the image inside has problems:"));
      print_problems (stderr, v);
      return MPF_CLI_EXIT_REFUSED;
    }
  return MPF_CLI_EXIT_OK;
}

/* Not listed in --help: makes uImages for tests and cross-checks. */
static int
cmd_build (int argc, char **argv)
{
  g_autofree char *name = NULL;
  g_autofree char *trailer_path = NULL;
  gint64 load = 0x80000000, entry = 0x80000000, time = 0, sdk = 0;
  int arch = MPF_UIMAGE_ARCH_MIPS, os = MPF_UIMAGE_OS_LINUX, type = MPF_UIMAGE_TYPE_KERNEL,
      comp = MPF_UIMAGE_COMP_LZMA;
  const GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, "Image name", "NAME" },
    { "load", 'a', 0, G_OPTION_ARG_INT64, &load, "Load address", "ADDR" },
    { "entry", 'e', 0, G_OPTION_ARG_INT64, &entry, "Entry point", "ADDR" },
    { "time", 't', 0, G_OPTION_ARG_INT64, &time, "Creation time", "SECONDS" },
    { "arch", 'A', 0, G_OPTION_ARG_INT, &arch, "Architecture number", "N" },
    { "os", 'O', 0, G_OPTION_ARG_INT, &os, "OS number", "N" },
    { "type", 'T', 0, G_OPTION_ARG_INT, &type, "Image type number", "N" },
    { "comp", 'C', 0, G_OPTION_ARG_INT, &comp, "Compression number", "N" },
    { "sdk-rootfs-offset", 0, 0, G_OPTION_ARG_INT64, &sdk, "Header bytes 60..63", "N" },
    { "trailer", 0, 0, G_OPTION_ARG_FILENAME, &trailer_path, "Bytes to append after the data", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("PAYLOAD OUT");
  g_autoptr(GError) error = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *trailer = NULL;
  gsize payload_len = 0, trailer_len = 0;
  g_autoptr(GBytes) built = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!parse_options (context, &argc, &argv))
    return MPF_CLI_EXIT_USAGE;
  if (argc != 3 || load < 0 || load > G_MAXUINT32 || entry < 0 || entry > G_MAXUINT32 ||
      time < 0 || time > G_MAXUINT32 || sdk < 0 || sdk > G_MAXUINT32 ||
      arch < 0 || arch > 255 || os < 0 || os > 255 || type < 0 || type > 255 || comp < 0 || comp > 255)
    {
      usage_error (context, "Bad arguments.");
      return MPF_CLI_EXIT_USAGE;
    }
  if (!g_file_get_contents (argv[1], &payload, &payload_len, &error) ||
      (trailer_path != NULL && !g_file_get_contents (trailer_path, &trailer, &trailer_len, &error)))
    {
      fprintf (stderr, "%s\n", error->message);
      return MPF_CLI_EXIT_IO;
    }
  built = mpf_uimage_build (name != NULL ? name : "", (guint32) time, (guint32) load, (guint32) entry,
                            (guint8) os, (guint8) arch, (guint8) type, (guint8) comp,
                            (const guint8 *) payload, payload_len, (const guint8 *) trailer, trailer_len);
  if (sdk != 0)
    {
      GBytes *with = mpf_uimage_with_sdk_rootfs_offset (built, (guint32) sdk, NULL);
      g_bytes_unref (built);
      built = with;
    }
  return write_output (argv[2], built);
}

static const MpfCliCommand image_commands[] = {
  { "inspect", N_("[--json] [--board BOARD] FILE — everything known about a firmware file"), cmd_inspect },
  { "check", N_("--board BOARD FILE — exit 0 only if FILE may be flashed on BOARD"), cmd_check },
  { "encode", N_("--board BOARD IN OUT — uImage to Poray/Hame factory format"), cmd_encode },
  { "decode", N_("IN OUT — Poray/Hame factory format to uImage"), cmd_decode },
  { "build", NULL, cmd_build },   /* hidden: tests only */
};

static void
print_image_help (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: mprflash-cli image SUBCOMMAND [OPTIONS…]"));
  for (gsize i = 0; i < G_N_ELEMENTS (image_commands); i++)
    if (image_commands[i].summary != NULL)
      fprintf (out, "  %-8s %s\n", image_commands[i].name, _(image_commands[i].summary));
  fprintf (out, "\n");
  print_boards (out);
  fprintf (out, "\n%s\n", _("Exit status: 0 ok, 1 image refused or has problems, 2 usage, 3 file not readable/writable."));
}

int
mpf_cli_image (int argc, char **argv)
{
  g_autofree char *prgname = NULL;

  if (argc < 2)
    {
      print_image_help (stderr);
      return MPF_CLI_EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_image_help (stdout);
      return MPF_CLI_EXIT_OK;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (image_commands); i++)
    if (g_str_equal (argv[1], image_commands[i].name))
      {
        prgname = g_strdup_printf ("mprflash-cli image %s", image_commands[i].name);
        g_set_prgname (prgname);
        return image_commands[i].run (argc - 1, argv + 1);
      }
  fprintf (stderr, _("Unknown image subcommand “%s”."), argv[1]);
  fprintf (stderr, "\n\n");
  print_image_help (stderr);
  return MPF_CLI_EXIT_USAGE;
}
