#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>

#include "cli-helpers.h"
#include "mpf-uimage.h"

/* Cross-checks against Debian's u-boot-tools: images mkimage makes are read
 * correctly by `mprflash-cli image inspect --json`, and images our code makes
 * are listed correctly by `mkimage -l` and unpacked by `dumpimage`. */

static const char *cli;
static char *tmpdir;

typedef struct {
  const char *arch, *os, *type, *comp;   /* mkimage spellings == our ids */
  guint8      arch_n, os_n, type_n, comp_n;
  guint32     load, entry;
  const char *name;
  gsize       payload_len;
} Case;

static const Case cases[] = {
  { "mips", "linux", "kernel", "lzma", 5, 5, 2, 3, 0x80000000, 0x80244000, "Linux Kernel Image", 5000 },
  { "mips", "linux", "kernel", "none", 5, 5, 2, 0, 0x80000000, 0x80000000, "MIPS OpenWrt Linux-3.10.49", 4097 },
  { "mips", "linux", "kernel", "gzip", 5, 5, 2, 1, 0x80001000, 0x80001000, "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234", 1 },
  { "arm", "linux", "ramdisk", "gzip", 2, 5, 3, 1, 0x00000000, 0x00000000, "initrd", 300 },
  { "x86_64", "linux", "kernel", "bzip2", 24, 5, 2, 2, 0x01000000, 0x01000200, "x", 65536 },
};

static char *
tmp_path (const char *stem, gsize i)
{
  g_autofree char *name = g_strdup_printf ("%s-%" G_GSIZE_FORMAT ".bin", stem, i);
  return g_build_filename (tmpdir, name, NULL);
}

static GBytes *
payload_for (gsize len, gsize seed)
{
  guint8 *buf = g_malloc (len);
  GRand *rand = g_rand_new_with_seed ((guint32) seed);

  for (gsize i = 0; i < len; i++)
    buf[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
  return g_bytes_new_take (buf, len);
}

static void
test_mkimage_to_inspect (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autofree char *payload_path = tmp_path ("payload", i);
      g_autofree char *image_path = tmp_path ("mkimage", i);
      g_autofree char *load = g_strdup_printf ("0x%08x", c->load);
      g_autofree char *entry = g_strdup_printf ("0x%08x", c->entry);
      g_autoptr(GBytes) payload = payload_for (c->payload_len, i);
      g_autoptr(JsonObject) obj = NULL;
      g_autofree char *expected_sha = NULL;
      g_autofree char *image = NULL;
      gsize image_len = 0;
      CliResult mk, in;
      gboolean valid_for_us = g_str_equal (c->arch, "mips") && g_str_equal (c->type, "kernel") &&
                              !g_str_equal (c->comp, "bzip2");

      write_file (payload_path, payload);
      mk = run_argv ((const char *const[]) { "mkimage", "-A", c->arch, "-O", c->os, "-T", c->type,
                                             "-C", c->comp, "-a", load, "-e", entry, "-n", c->name,
                                             "-d", payload_path, image_path, NULL },
                     "SOURCE_DATE_EPOCH", "1400000000");
      g_test_message ("mkimage case %" G_GSIZE_FORMAT ": %s%s", i, mk.out, mk.err);
      g_assert_cmpint (mk.status, ==, 0);

      in = run_argv ((const char *const[]) { cli, "image", "inspect", "--json", image_path, NULL }, NULL, NULL);
      obj = parse_json_object (in.out);
      g_assert_true (g_file_get_contents (image_path, &image, &image_len, NULL));
      expected_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) image, image_len);

      g_assert_cmpstr (json_object_get_string_member (obj, "format"), ==, "uimage");
      g_assert_cmpstr (json_object_get_string_member (obj, "name"), ==, c->name);
      g_assert_cmpint (json_object_get_int_member (obj, "data_size"), ==, (gint64) c->payload_len);
      g_assert_cmpint (json_object_get_int_member (obj, "size"), ==, (gint64) c->payload_len + 64);
      g_assert_true (json_object_get_boolean_member (obj, "header_crc_ok"));
      g_assert_true (json_object_get_boolean_member (obj, "data_crc_ok"));
      g_assert_cmpstr (json_object_get_string_member (obj, "arch"), ==, c->arch);
      g_assert_cmpstr (json_object_get_string_member (obj, "os"), ==, c->os);
      g_assert_cmpstr (json_object_get_string_member (obj, "type"), ==, c->type);
      g_assert_cmpstr (json_object_get_string_member (obj, "compression"), ==, c->comp);
      g_assert_cmpint (json_object_get_int_member (obj, "load"), ==, c->load);
      g_assert_cmpint (json_object_get_int_member (obj, "entry"), ==, c->entry);
      g_assert_cmpint (json_object_get_int_member (obj, "time"), ==, 1400000000);
      g_assert_cmpstr (json_object_get_string_member (obj, "sha256"), ==, expected_sha);
      /* Valid MIPS kernels pass; the others are refused for the right reason. */
      g_assert_cmpint (in.status, ==, valid_for_us ? 0 : 1);
      if (!g_str_equal (c->arch, "mips"))
        g_assert_true (json_has_problem (obj, "wrong-arch"));
      if (!g_str_equal (c->type, "kernel"))
        g_assert_true (json_has_problem (obj, "not-kernel"));
      if (g_str_equal (c->comp, "bzip2"))
        g_assert_true (json_has_problem (obj, "bad-compression"));

      cli_result_clear (&mk);
      cli_result_clear (&in);
      g_unlink (payload_path);
      g_unlink (image_path);
    }
}

static char *
line_value (const char *listing, const char *label)
{
  const char *p = strstr (listing, label);
  const char *end;

  if (p == NULL)
    return NULL;
  p += strlen (label);
  while (*p == ' ')
    p++;
  end = strchr (p, '\n');
  return g_strndup (p, end != NULL ? (gsize) (end - p) : strlen (p));
}

static void
assert_listed (const char *image_path, const Case *c, GBytes *payload, gsize i)
{
  g_autofree char *extracted = tmp_path ("extracted", i);
  g_autofree char *expected_type = g_strdup_printf ("%s %s %s (%s)", mpf_uimage_arch_name (c->arch_n),
                                                    mpf_uimage_os_name (c->os_n), mpf_uimage_type_name (c->type_n),
                                                    mpf_uimage_comp_name (c->comp_n));
  g_autofree char *expected_size = g_strdup_printf ("%" G_GSIZE_FORMAT " Bytes", c->payload_len);
  g_autofree char *expected_load = g_strdup_printf ("%08x", c->load);
  g_autofree char *expected_entry = g_strdup_printf ("%08x", c->entry);
  g_autofree char *name = NULL, *type = NULL, *size = NULL, *load = NULL, *entry = NULL, *created = NULL;
  g_autofree char *got = NULL;
  gsize got_len = 0;
  CliResult ls, dump;

  ls = run_argv ((const char *const[]) { "mkimage", "-l", image_path, NULL }, "TZ", "UTC");
  g_test_message ("mkimage -l case %" G_GSIZE_FORMAT ":\n%s%s", i, ls.out, ls.err);
  g_assert_cmpint (ls.status, ==, 0);
  name = line_value (ls.out, "Image Name:");
  type = line_value (ls.out, "Image Type:");
  size = line_value (ls.out, "Data Size:");
  load = line_value (ls.out, "Load Address:");
  entry = line_value (ls.out, "Entry Point:");
  created = line_value (ls.out, "Created:");
  g_assert_cmpstr (name, ==, c->name);
  g_assert_cmpstr (type, ==, expected_type);
  g_assert_true (g_str_has_prefix (size, expected_size));
  g_assert_cmpstr (load, ==, expected_load);
  g_assert_cmpstr (entry, ==, expected_entry);
  g_assert_cmpstr (created, ==, "Tue May 13 16:53:20 2014");

  dump = run_argv ((const char *const[]) { "dumpimage", "-T", c->type, "-p", "0", "-o", extracted, image_path, NULL },
                   NULL, NULL);
  g_assert_cmpint (dump.status, ==, 0);
  g_assert_true (g_file_get_contents (extracted, &got, &got_len, NULL));
  g_assert_cmpmem (got, got_len, g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));

  cli_result_clear (&ls);
  cli_result_clear (&dump);
  g_unlink (extracted);
}

static void
test_ours_to_mkimage_list (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autofree char *image_path = tmp_path ("ours", i);
      g_autoptr(GBytes) payload = payload_for (c->payload_len, 100 + i);
      g_autoptr(GBytes) image = mpf_uimage_build (c->name, 1400000000, c->load, c->entry, c->os_n, c->arch_n,
                                                  c->type_n, c->comp_n, g_bytes_get_data (payload, NULL),
                                                  c->payload_len, NULL, 0);

      write_file (image_path, image);
      assert_listed (image_path, c, payload, i);
      g_unlink (image_path);
    }
}

/* The hidden `image build` subcommand makes the same bytes mkimage makes. */
static void
test_cli_build_matches_mkimage (void)
{
  const Case *c = &cases[0];
  g_autofree char *payload_path = tmp_path ("build-payload", 0);
  g_autofree char *ours = tmp_path ("build-ours", 0);
  g_autofree char *theirs = tmp_path ("build-theirs", 0);
  g_autoptr(GBytes) payload = payload_for (c->payload_len, 7);
  g_autofree char *a = NULL, *b = NULL;
  gsize la = 0, lb = 0;
  CliResult r1, r2;

  write_file (payload_path, payload);
  r1 = run_argv ((const char *const[]) { cli, "image", "build", "--name", c->name, "--load", "2147483648",
                                         "--entry", "2149859328", "--time", "1400000000", "--arch", "5",
                                         "--os", "5", "--type", "2", "--comp", "3", payload_path, ours, NULL },
                 NULL, NULL);
  g_assert_cmpint (r1.status, ==, 0);
  r2 = run_argv ((const char *const[]) { "mkimage", "-A", "mips", "-O", "linux", "-T", "kernel", "-C", "lzma",
                                         "-a", "0x80000000", "-e", "0x80244000", "-n", c->name,
                                         "-d", payload_path, theirs, NULL },
                 "SOURCE_DATE_EPOCH", "1400000000");
  g_assert_cmpint (r2.status, ==, 0);
  g_assert_true (g_file_get_contents (ours, &a, &la, NULL));
  g_assert_true (g_file_get_contents (theirs, &b, &lb, NULL));
  g_assert_cmpmem (a, la, b, lb);
  assert_listed (ours, c, payload, 99);

  cli_result_clear (&r1);
  cli_result_clear (&r2);
  g_unlink (payload_path);
  g_unlink (ours);
  g_unlink (theirs);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: %s PATH-TO-MPRFLASH-CLI\n", argv[0]);
      return 2;
    }
  cli = argv[1];
  tmpdir = g_dir_make_tmp ("mpf-mkimage-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  g_test_add_func ("/mkimage/mkimage-to-inspect", test_mkimage_to_inspect);
  g_test_add_func ("/mkimage/ours-to-mkimage-list", test_ours_to_mkimage_list);
  g_test_add_func ("/mkimage/cli-build-matches-mkimage", test_cli_build_matches_mkimage);
  status = g_test_run ();
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return status;
}
