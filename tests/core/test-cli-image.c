#include "config.h"

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "cli-helpers.h"
#include "mpf-board.h"
#include "mpf-uimage.h"

static const char *cli;   /* path to mprflash-cli, argv[1] */
static char *tmpdir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static char *
vector_path (const char *name)
{
  return g_build_filename (g_getenv ("MPF_TEST_DATA"), "poray", name, NULL);
}

#define RUN(...) run_argv ((const char *const[]) { cli, __VA_ARGS__, NULL }, NULL, NULL)

static GBytes *
kernel_image (gsize kernel_len, gsize trailer_len, guint8 arch, guint8 type)
{
  g_autofree guint8 *kernel = g_malloc0 (kernel_len + 1);
  g_autofree guint8 *trailer = g_malloc0 (trailer_len + 1);

  for (gsize i = 0; i < kernel_len; i++)
    kernel[i] = (guint8) (i * 13);
  return mpf_uimage_build ("Linux Kernel Image", 1400000000, 0x80000000, 0x80000000,
                           MPF_UIMAGE_OS_LINUX, arch, type, MPF_UIMAGE_COMP_LZMA,
                           kernel, kernel_len, trailer, trailer_len);
}

/* `check` must refuse @path with exit @status and say @needle on stderr;
 * `inspect --json` must list @code among the problems. */
static void
assert_check_refuses (const char *path, int status, const char *needle, const char *code)
{
  CliResult check = RUN ("image", "check", "--board", "MPR-A1", path);
  CliResult inspect = RUN ("image", "inspect", "--json", "--board", "MPR-A1", path);
  g_autoptr(JsonObject) obj = NULL;

  g_test_message ("check %s: %d\n%s%s", path, check.status, check.out, check.err);
  g_assert_cmpint (check.status, ==, status);
  g_assert_nonnull (strstr (check.err, "Refused"));
  g_assert_nonnull (strstr (check.err, needle));
  obj = parse_json_object (inspect.out);
  g_assert_true (json_has_problem (obj, code));
  g_assert_cmpint (inspect.status, ==, status);
  g_assert_false (json_object_get_boolean_member (obj, "flashable"));
  cli_result_clear (&check);
  cli_result_clear (&inspect);
}

static void
test_usage (void)
{
  CliResult help = RUN ("--help");
  CliResult none = run_argv ((const char *const[]) { cli, NULL }, NULL, NULL);
  CliResult unknown = RUN ("frobnicate");
  CliResult no_board = RUN ("image", "check", "x.bin");
  CliResult bad_board = RUN ("image", "check", "--board", "MPR-Z9", "x.bin");
  CliResult bad_option = RUN ("image", "inspect", "--frob", "x.bin");
  CliResult image_help = RUN ("image", "--help");

  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "Exit status"));
  g_assert_nonnull (strstr (help.out, "image"));
  for (int code = 0; code <= 3; code++)
    {
      g_autofree char *line = g_strdup_printf ("\n  %d  ", code);
      g_assert_nonnull (strstr (help.out, line));
    }
  g_assert_cmpint (none.status, ==, 2);
  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_nonnull (strstr (unknown.err, "frobnicate"));
  g_assert_cmpint (no_board.status, ==, 2);
  g_assert_nonnull (strstr (no_board.err, "--board"));
  g_assert_cmpint (bad_board.status, ==, 2);
  g_assert_nonnull (strstr (bad_board.err, "MPR-Z9"));
  g_assert_nonnull (strstr (bad_board.err, "A5-V11"));
  g_assert_cmpint (bad_option.status, ==, 2);
  g_assert_cmpint (image_help.status, ==, 0);
  g_assert_nonnull (strstr (image_help.out, "decode"));
  g_assert_null (strstr (image_help.out, "build"));   /* hidden */

  cli_result_clear (&help);
  cli_result_clear (&none);
  cli_result_clear (&unknown);
  cli_result_clear (&no_board);
  cli_result_clear (&bad_board);
  cli_result_clear (&bad_option);
  cli_result_clear (&image_help);
}

static void
test_inspect_json_keys (void)
{
  g_autofree char *path = vector_path ("small.uimage");
  CliResult r = RUN ("image", "inspect", "--json", path);
  g_autoptr(JsonObject) obj = parse_json_object (r.out);
  const char *keys[] = { "format", "name", "data_size", "header_crc_ok", "data_crc_ok", "arch", "os",
                         "type", "compression", "load", "entry", "family", "sha256", "catalog_id",
                         "problems" };

  g_assert_cmpint (r.status, ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    g_assert_true (json_object_has_member (obj, keys[i]));
  g_assert_cmpstr (json_object_get_string_member (obj, "format"), ==, "uimage");
  g_assert_cmpstr (json_object_get_string_member (obj, "name"), ==, "MIPS OpenWrt Linux-3.10.49");
  g_assert_cmpint (json_object_get_int_member (obj, "data_size"), ==, 1000);
  g_assert_cmpint (json_object_get_int_member (obj, "load"), ==, 0x80000000);
  g_assert_cmpstr (json_object_get_string_member (obj, "arch"), ==, "mips");
  g_assert_cmpstr (json_object_get_string_member (obj, "family"), ==, "openwrt");
  g_assert_cmpstr (json_object_get_string_member (obj, "version"), ==, "3.10.49");
  g_assert_cmpstr (json_object_get_string_member (obj, "version_kind"), ==, "kernel");
  g_assert_true (json_object_get_null_member (obj, "catalog_id"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "problems")), ==, 0);
  cli_result_clear (&r);
}

static void
test_inspect_human (void)
{
  g_autofree char *path = vector_path ("wrap.A5-V11.bin");
  CliResult r = RUN ("image", "inspect", "--board", "A5-V11", path);

  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "encoded"));
  g_assert_nonnull (strstr (r.out, "A5-V11"));
  g_assert_nonnull (strstr (r.out, "MIPS Linux Kernel Image (lzma compressed)"));
  g_assert_nonnull (strstr (r.out, "not verified"));
  g_assert_nonnull (strstr (r.out, "bytes to spare"));
  cli_result_clear (&r);
}

static void
test_bad_inputs (void)
{
  const MpfBoard *a1 = mpf_board_lookup ("MPR-A1");
  g_autofree char *empty = tmp_path ("empty.bin");
  g_autofree char *short_header = tmp_path ("short-header.bin");
  g_autofree char *short_data = tmp_path ("short-data.bin");
  g_autofree char *bad_hcrc = tmp_path ("bad-hcrc.bin");
  g_autofree char *bad_dcrc = tmp_path ("bad-dcrc.bin");
  g_autofree char *arm = tmp_path ("arm.bin");
  g_autofree char *ramdisk = tmp_path ("ramdisk.bin");
  g_autofree char *over = tmp_path ("over.bin");
  g_autofree char *full = tmp_path ("full.bin");
  g_autofree char *missing = tmp_path ("missing.bin");
  g_autofree char *huge = tmp_path ("huge.bin");
  g_autofree char *fifo = tmp_path ("fifo.bin");
  g_autoptr(GBytes) good = kernel_image (3000, 100, MPF_UIMAGE_ARCH_MIPS, MPF_UIMAGE_TYPE_KERNEL);
  g_autoptr(GBytes) b = NULL;
  gsize len = g_bytes_get_size (good);
  g_autofree guint8 *d = g_memdup2 (g_bytes_get_data (good, NULL), len);
  CliResult r;
  int fd;

  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  assert_check_refuses (empty, 1, "empty", "empty");

  g_assert_true (g_file_set_contents (short_header, (const char *) d, 50, NULL));
  assert_check_refuses (short_header, 1, "shorter than a firmware header", "truncated-header");

  g_assert_true (g_file_set_contents (short_data, (const char *) d, 64 + 2999, NULL));
  assert_check_refuses (short_data, 1, "incomplete", "truncated-data");

  d[33] ^= 1;
  g_assert_true (g_file_set_contents (bad_hcrc, (const char *) d, (gssize) len, NULL));
  assert_check_refuses (bad_hcrc, 1, "header is damaged", "bad-header-crc");
  d[33] ^= 1;
  d[64 + 5] ^= 1;
  g_assert_true (g_file_set_contents (bad_dcrc, (const char *) d, (gssize) len, NULL));
  assert_check_refuses (bad_dcrc, 1, "data is damaged", "bad-data-crc");

  b = kernel_image (100, 0, 2, MPF_UIMAGE_TYPE_KERNEL);
  write_file (arm, b);
  assert_check_refuses (arm, 1, "ARM", "wrong-arch");
  g_clear_pointer (&b, g_bytes_unref);
  b = kernel_image (100, 0, MPF_UIMAGE_ARCH_MIPS, 3);
  write_file (ramdisk, b);
  assert_check_refuses (ramdisk, 1, "not an operating system kernel", "not-kernel");

  /* Too big by a single byte, then exactly full. */
  g_clear_pointer (&b, g_bytes_unref);
  b = kernel_image (1000000, a1->firmware_size - 64 - 1000000 + 1, MPF_UIMAGE_ARCH_MIPS, MPF_UIMAGE_TYPE_KERNEL);
  write_file (over, b);
  assert_check_refuses (over, 1, "too big by 1 byte.", "too-big");
  g_clear_pointer (&b, g_bytes_unref);
  b = kernel_image (1000000, a1->firmware_size - 64 - 1000000, MPF_UIMAGE_ARCH_MIPS, MPF_UIMAGE_TYPE_KERNEL);
  write_file (full, b);
  r = RUN ("image", "check", "--board", "MPR-A1", full);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "0 bytes to spare"));
  cli_result_clear (&r);

  assert_check_refuses (missing, 3, "does not exist", "io");
  /* Unreadable: a FIFO (chmod 000 would not stop root) must not even block. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  assert_check_refuses (fifo, 3, "not a regular file", "io");
  g_unlink (fifo);
  if (geteuid () != 0)
    {
      g_assert_true (g_file_set_contents (fifo, "x", 1, NULL));
      g_assert_cmpint (g_chmod (fifo, 0), ==, 0);
      assert_check_refuses (fifo, 3, "Cannot read", "io");
      g_unlink (fifo);
    }
  assert_check_refuses (tmpdir, 3, "folder", "io");

  fd = g_open (huge, O_CREAT | O_WRONLY, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) mpf_board_max_flash_size () + 1), ==, 0);
  close (fd);
  assert_check_refuses (huge, 1, "larger than the flash of any", "too-big-for-any");

  g_unlink (empty); g_unlink (short_header); g_unlink (short_data); g_unlink (bad_hcrc);
  g_unlink (bad_dcrc); g_unlink (arm); g_unlink (ramdisk); g_unlink (over); g_unlink (full);
  g_unlink (huge);
}

static gboolean
files_equal (const char *a, const char *b)
{
  g_autofree char *ta = NULL, *tb = NULL;
  gsize la = 0, lb = 0;

  g_assert_true (g_file_get_contents (a, &ta, &la, NULL));
  g_assert_true (g_file_get_contents (b, &tb, &lb, NULL));
  return la == lb && memcmp (ta, tb, la) == 0;
}

static void
test_encode_decode (void)
{
  g_autofree char *plain = vector_path ("wrap.uimage");
  g_autofree char *l8 = vector_path ("wrap.MPR-L8.bin");
  g_autofree char *a5 = vector_path ("wrap.A5-V11.bin");
  g_autofree char *out = tmp_path ("out.bin");
  g_autofree char *nowhere = tmp_path ("no/such/dir/out.bin");
  CliResult r;

  r = RUN ("image", "encode", "--board", "MPR-L8", plain, out);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (files_equal (out, l8));
  cli_result_clear (&r);

  r = RUN ("image", "decode", a5, out);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (files_equal (out, plain));
  cli_result_clear (&r);

  r = RUN ("image", "encode", "--board", "MPR-A2", plain, out);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "plain images"));
  cli_result_clear (&r);

  r = RUN ("image", "encode", "--board", "MPR-A1", l8, out);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "already encoded"));
  cli_result_clear (&r);

  r = RUN ("image", "decode", plain, out);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "not in the encoded"));
  cli_result_clear (&r);

  r = RUN ("image", "decode", a5, nowhere);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_nonnull (strstr (r.err, "Cannot write"));
  cli_result_clear (&r);

  r = RUN ("image", "encode", "--board", "MPR-A1", plain);
  g_assert_cmpint (r.status, ==, 2);
  cli_result_clear (&r);
  g_unlink (out);
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
  tmpdir = g_dir_make_tmp ("mpf-cli-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  g_test_add_func ("/cli-image/usage", test_usage);
  g_test_add_func ("/cli-image/inspect-json-keys", test_inspect_json_keys);
  g_test_add_func ("/cli-image/inspect-human", test_inspect_human);
  g_test_add_func ("/cli-image/bad-inputs", test_bad_inputs);
  g_test_add_func ("/cli-image/encode-decode", test_encode_decode);
  status = g_test_run ();
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return status;
}
