#include "config.h"

#include <stdio.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "mpf-cli.h"
#include "mpf-cli-catalog.h"
#include "mpf-board.h"
#include "mpf-catalog-download.h"

typedef struct {
  GMainLoop *loop;
  char      *path;
  GError    *error;
  gboolean   tty;
} Fetch;

static void
fraction_cb (MpfCatalogDownload *download, GParamSpec *pspec, gpointer user_data)
{
  Fetch *f = user_data;
  double fraction = mpf_catalog_download_get_fraction (download);

  if (f->tty && fraction >= 0)
    {
      /* TRANSLATORS: a progress line while a firmware file downloads; %d is a percentage. */
      g_autofree char *line = g_strdup_printf (_("Downloading… %d %%"), (int) (fraction * 100));
      fprintf (stderr, "\r%s", line);
    }
}

static void
fetched_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fetch *f = user_data;

  f->path = mpf_catalog_download_run_finish (MPF_CATALOG_DOWNLOAD (source), result, &f->error);
  g_main_loop_quit (f->loop);
}

static const char *
cached_file (const MpfCatalogEntry *e, char **out)
{
  const char *names[] = { e->id, e->file_name, NULL };

  /* The GUI caches under the entry's id; a copy the user put there by hand
   * may keep its usual file name. */
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "mprflash", "catalog", names[i], NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return *out = g_steal_pointer (&path);
    }
  return *out = NULL;
}

char *
mpf_cli_catalog_get_file (MpfCatalog *catalog, const char *id, GError **error)
{
  const MpfCatalogEntry *e = catalog != NULL ? mpf_catalog_lookup_id (catalog, id) : NULL;
  g_autoptr(MpfCatalogDownload) download = NULL;
  Fetch f = { 0 };
  char *path = NULL;

  if (e == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("No catalogue entry “%s”. “mprflash-cli catalog list” shows them."), id);
      return NULL;
    }
  if (cached_file (e, &path) != NULL)
    return path;
  if (e->url == NULL)
    {
      g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "mprflash", "catalog", NULL);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("“%s” has no download address. Put your copy in %s, or pass it with --image."), id, dir);
      return NULL;
    }

  /* Runs the default main context: the callers' own loops have not started yet. */
  f.loop = g_main_loop_new (NULL, FALSE);
  f.tty = isatty (STDERR_FILENO);
  download = mpf_catalog_download_new (e);
  g_signal_connect (download, "notify::fraction", G_CALLBACK (fraction_cb), &f);
  mpf_catalog_download_run_async (download, NULL, fetched_cb, &f);
  g_main_loop_run (f.loop);
  g_main_loop_unref (f.loop);
  if (f.tty)
    fprintf (stderr, "\n");
  if (f.path == NULL)
    g_propagate_error (error, f.error);
  return f.path;
}

static void
list_json (GPtrArray *entries)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_array (b);
  for (guint i = 0; i < entries->len; i++)
    {
      const MpfCatalogEntry *e = g_ptr_array_index (entries, i);
      g_autofree char *cached = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, e->id);
      json_builder_set_member_name (b, "family");
      json_builder_add_string_value (b, mpf_family_to_string (e->family));
      json_builder_set_member_name (b, "version");
      json_builder_add_string_value (b, e->version);
      json_builder_set_member_name (b, "format");
      json_builder_add_string_value (b, e->format);
      json_builder_set_member_name (b, "boards");
      json_builder_begin_array (b);
      for (guint j = 0; e->boards != NULL && e->boards[j] != NULL; j++)
        json_builder_add_string_value (b, e->boards[j]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "downloadable");
      json_builder_add_boolean_value (b, e->url != NULL);
      json_builder_set_member_name (b, "cached");
      if (cached_file (e, &cached) != NULL)
        json_builder_add_string_value (b, cached);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

static void
list_text (GPtrArray *entries)
{
  for (guint i = 0; i < entries->len; i++)
    {
      const MpfCatalogEntry *e = g_ptr_array_index (entries, i);
      g_autofree char *cached = NULL;
      g_autofree char *boards = e->boards != NULL ? g_strjoinv (", ", e->boards) : g_strdup ("");
      const char *where = cached_file (e, &cached) != NULL ? _("downloaded")
                          : e->url != NULL ? _("can be downloaded")
                          : _("bring your own copy");

      printf ("%s\n", e->id);
      printf ("  %s %s — %s — %s\n", mpf_family_display_name (e->family), e->version, boards, where);
      if (e->description != NULL)
        printf ("  %s\n", g_dgettext (GETTEXT_PACKAGE, e->description));
    }
}

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: mprflash-cli catalog SUBCOMMAND [OPTIONS…]"));
  fprintf (out, "  list   [--board BOARD] [--json] — %s\n", _("the firmware images mprflash knows"));
  fprintf (out, "  fetch  ID — %s\n", _("download an image into the cache (checked) and print its path"));
}

int
mpf_cli_catalog (int argc, char **argv)
{
  g_autofree char *board_id = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "board", 0, 0, G_OPTION_ARG_STRING, &board_id, N_("Only images for this board"), N_("BOARD") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfCatalog) catalog = NULL;
  const char *sub;

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? MPF_CLI_EXIT_USAGE : MPF_CLI_EXIT_OK;
    }
  sub = argv[1];
  if (!g_str_equal (sub, "list") && !g_str_equal (sub, "fetch"))
    {
      fprintf (stderr, _("Unknown subcommand “%s”."), sub);
      fprintf (stderr, "\n\n");
      print_usage (stderr);
      return MPF_CLI_EXIT_USAGE;
    }
  ctx = g_option_context_new (NULL);
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return MPF_CLI_EXIT_USAGE;
    }
  /* argv[0] is "catalog", argv[1] the subcommand. */
  if (board_id != NULL && mpf_board_lookup (board_id) == NULL)
    {
      g_printerr (_("Unknown board “%s”.\n"), board_id);
      return MPF_CLI_EXIT_USAGE;
    }
  catalog = mpf_catalog_new_for_user (&error);
  if (catalog == NULL)
    {
      g_printerr ("%s\n", error->message);
      return MPF_CLI_EXIT_IO;
    }

  if (g_str_equal (sub, "list"))
    {
      g_autoptr(GPtrArray) list = g_ptr_array_new ();

      if (argc != 2)
        {
          print_usage (stderr);
          return MPF_CLI_EXIT_USAGE;
        }
      for (guint i = 0; i < mpf_catalog_get_n_entries (catalog); i++)
        {
          const MpfCatalogEntry *e = mpf_catalog_get_entry (catalog, i);
          if (board_id == NULL || mpf_catalog_entry_has_board (e, board_id))
            g_ptr_array_add (list, (gpointer) e);
        }
      if (json)
        list_json (list);
      else
        list_text (list);
      return MPF_CLI_EXIT_OK;
    }

  if (argc != 3)
    {
      print_usage (stderr);
      return MPF_CLI_EXIT_USAGE;
    }
  {
    g_autofree char *path = mpf_cli_catalog_get_file (catalog, argv[2], &error);

    if (path == NULL)
      {
        g_printerr ("%s\n", error->message);
        /* A download that fails its checks is a refused image; anything else
         * is a file that could not be had. */
        return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) ? MPF_CLI_EXIT_USAGE
               : g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA) ? MPF_CLI_EXIT_REFUSED
               : MPF_CLI_EXIT_IO;
      }
    printf ("%s\n", path);
  }
  return MPF_CLI_EXIT_OK;
}
