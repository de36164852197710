#include "config.h"

#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "mpf-error.h"
#include "mpf-image-verdict.h"
#include "mpf-poray.h"

#define STOCK_ROOTFS_OFFSET 4000u

static GBytes *
load_vector (const char *file)
{
  g_autofree char *path = g_build_filename (g_getenv ("MPF_TEST_DATA"), "poray", file, NULL);
  char *text = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  return g_bytes_new_take (text, len);
}

static void
fill (guint8 *buf, gsize len, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < len; i++)
    buf[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
}

/* Like the Hame stock image: the CRC covers the whole file, header bytes
 * 60..63 give the offset of the vendor "shsq" root filesystem. */
static GBytes *
stock_like_at (gsize payload_len, guint32 entry, guint32 sdk_offset)
{
  g_autofree guint8 *payload = g_malloc (payload_len);
  g_autoptr(GBytes) plain = NULL;

  g_assert_cmpuint (payload_len, >, STOCK_ROOTFS_OFFSET + 4);
  fill (payload, payload_len, 1);
  memcpy (payload + STOCK_ROOTFS_OFFSET, "shsq", 4);
  plain = mpf_uimage_build (MPF_UIMAGE_STOCK_NAME, 1345516800, 0x80000000, entry,
                            MPF_UIMAGE_OS_LINUX, MPF_UIMAGE_ARCH_MIPS, MPF_UIMAGE_TYPE_KERNEL,
                            MPF_UIMAGE_COMP_LZMA, payload, payload_len, NULL, 0);
  return mpf_uimage_with_sdk_rootfs_offset (plain, sdk_offset, NULL);
}

static GBytes *
stock_like (gsize payload_len)
{
  return stock_like_at (payload_len, 0x80244000, STOCK_ROOTFS_OFFSET);
}

/* Like OpenWrt 14.07 for MPR-A1: same name as stock, a kernel-only CRC, an
 * "hsqs" root filesystem after it and a deadc0de marker at the end. */
static GBytes *
openwrt_like (gsize kernel_len, gsize rootfs_len)
{
  g_autofree guint8 *kernel = g_malloc (kernel_len);
  g_autofree guint8 *rootfs = g_malloc (rootfs_len);

  g_assert_cmpuint (rootfs_len, >, 8);
  fill (kernel, kernel_len, 2);
  fill (rootfs, rootfs_len, 3);
  memcpy (rootfs, "hsqs", 4);
  memcpy (rootfs + rootfs_len - 4, "\xde\xad\xc0\xde", 4);
  return mpf_uimage_build (MPF_UIMAGE_STOCK_NAME, 1400000000, 0x80000000, 0x80000000,
                           MPF_UIMAGE_OS_LINUX, MPF_UIMAGE_ARCH_MIPS, MPF_UIMAGE_TYPE_KERNEL,
                           MPF_UIMAGE_COMP_LZMA, kernel, kernel_len, rootfs, rootfs_len);
}

static gboolean
has_problem (MpfImageVerdict *v, int code)
{
  GPtrArray *problems = mpf_image_verdict_get_problems (v);

  for (guint i = 0; i < problems->len; i++)
    {
      const MpfImageProblem *p = problems->pdata[i];
      g_assert_nonnull (p->message);
      g_assert_cmpstr (p->message, !=, "");
      if (p->code == code)
        return TRUE;
    }
  return FALSE;
}

static MpfImageVerdict *
verdict_for (GBytes *bytes, const char *board)
{
  return mpf_image_verdict_new_for_bytes (bytes, board ? mpf_board_lookup (board) : NULL, NULL);
}

static void
assert_refused (GBytes *bytes, int code)
{
  g_autoptr(MpfImageVerdict) v = verdict_for (bytes, "MPR-A1");

  g_assert_true (has_problem (v, code));
  g_assert_false (mpf_image_verdict_is_flashable (v));
}

static void
test_vector_inspect (void)
{
  g_autoptr(GBytes) b = load_vector ("small.uimage");
  g_autoptr(MpfImageVerdict) v = verdict_for (b, NULL);
  g_autoptr(MpfImageVerdict) on_a1 = verdict_for (b, "MPR-A1");
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, b);

  g_assert_cmpint (mpf_image_verdict_get_format (v), ==, MPF_IMAGE_FORMAT_UIMAGE);
  g_assert_cmpstr (mpf_image_verdict_get_uimage (v)->name, ==, "MIPS OpenWrt Linux-3.10.49");
  g_assert_cmpint (mpf_image_verdict_get_family (v), ==, MPF_FAMILY_OPENWRT);
  g_assert_cmpstr (mpf_image_verdict_get_version (v), ==, "3.10.49");
  g_assert_cmpint (mpf_image_verdict_get_version_kind (v), ==, MPF_IMAGE_VERSION_KERNEL);
  g_assert_cmpstr (mpf_image_verdict_get_sha256 (v), ==, sha);
  g_assert_cmpuint (mpf_image_verdict_get_problems (v)->len, ==, 0);
  /* Without a board there is no size verdict, so nothing is flashable. */
  g_assert_false (mpf_image_verdict_has_margin (v));
  g_assert_false (mpf_image_verdict_is_flashable (v));

  g_assert_true (mpf_image_verdict_is_flashable (on_a1));
  g_assert_cmpint (mpf_image_verdict_get_margin (on_a1), ==, 3866624 - 1064);
  g_assert_cmpuint (mpf_image_verdict_get_notes (on_a1)->len, >=, 1);  /* not verified */
}

static void
test_kernel_version (void)
{
  const struct { const char *name; const char *version; } cases[] = {
    { "MIPS OpenWrt Linux-3.10.49", "3.10.49" },
    { "MIPS OpenWrt Linux-3.7.5", "3.7.5" },
    { "Linux-2.6.36", "2.6.36" },
    { "Linux Kernel Image", NULL },
    { "MIPS OpenWrt Linux-", NULL },
    { "OpenWrt Linux-x.y", NULL },
  };
  guint8 payload[16] = { 0 };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) b = mpf_uimage_build (cases[i].name, 0, 0x80000000, 0x80000000, 5, 5, 2, 3,
                                              payload, sizeof payload, NULL, 0);
      g_autoptr(MpfImageVerdict) v = verdict_for (b, NULL);

      g_assert_cmpstr (mpf_image_verdict_get_version (v), ==, cases[i].version);
      g_assert_cmpint (mpf_image_verdict_get_version_kind (v), ==,
                       cases[i].version != NULL ? MPF_IMAGE_VERSION_KERNEL : MPF_IMAGE_VERSION_NONE);
    }
}

static void
test_bad_inputs (void)
{
  g_autoptr(GBytes) good = openwrt_like (2000, 500);
  gsize len = g_bytes_get_size (good);
  const guint8 *d = g_bytes_get_data (good, NULL);
  g_autofree guint8 *copy = g_memdup2 (d, len);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) short_header = g_bytes_new (d, 40);
  g_autoptr(GBytes) short_data = g_bytes_new (d, 64 + 1999);
  g_autoptr(GBytes) bad_hcrc = NULL;
  g_autoptr(GBytes) bad_dcrc = NULL;
  g_autoptr(GBytes) garbage = g_bytes_new_static ("this is not firmware at all, just some text of a README", 56 + 20);
  guint8 payload[100] = { 0 };
  g_autoptr(GBytes) arm = mpf_uimage_build ("x", 0, 0, 0, 5, 2, 2, 3, payload, sizeof payload, NULL, 0);
  g_autoptr(GBytes) ramdisk = mpf_uimage_build ("x", 0, 0, 0, 5, 5, 3, 3, payload, sizeof payload, NULL, 0);
  g_autoptr(MpfImageVerdict) v = NULL;

  copy[50] ^= 0x20;
  bad_hcrc = g_bytes_new (copy, len);
  copy[50] ^= 0x20;
  copy[64 + 10] ^= 0x20;
  bad_dcrc = g_bytes_new (copy, len);

  assert_refused (empty, MPF_IMAGE_ERROR_EMPTY);
  assert_refused (short_header, MPF_IMAGE_ERROR_TRUNCATED_HEADER);
  assert_refused (short_data, MPF_IMAGE_ERROR_TRUNCATED_DATA);
  assert_refused (bad_hcrc, MPF_IMAGE_ERROR_BAD_HEADER_CRC);
  assert_refused (bad_dcrc, MPF_IMAGE_ERROR_BAD_DATA_CRC);
  assert_refused (garbage, MPF_IMAGE_ERROR_BAD_MAGIC);
  assert_refused (arm, MPF_IMAGE_ERROR_WRONG_ARCH);
  assert_refused (ramdisk, MPF_IMAGE_ERROR_NOT_KERNEL);

  v = verdict_for (garbage, "MPR-A1");
  g_assert_cmpint (mpf_image_verdict_get_format (v), ==, MPF_IMAGE_FORMAT_UNKNOWN);
  g_assert_null (mpf_image_verdict_get_uimage (v));
  g_assert_cmpuint (mpf_image_verdict_get_problems (v)->len, ==, 1);
}

static void
test_size_limits (void)
{
  const MpfBoard *a1 = mpf_board_lookup ("MPR-A1");
  const MpfBoard *a2 = mpf_board_lookup ("MPR-A2");
  g_autoptr(GBytes) full = openwrt_like (1000000, a1->firmware_size - 64 - 1000000);
  g_autoptr(GBytes) over = openwrt_like (1000000, a1->firmware_size - 64 - 1000000 + 1);
  g_autoptr(MpfImageVerdict) vfull = verdict_for (full, "MPR-A1");
  g_autoptr(MpfImageVerdict) vover = verdict_for (over, "MPR-A1");
  g_autoptr(MpfImageVerdict) vover_a2 = verdict_for (over, "MPR-A2");

  g_assert_cmpuint (g_bytes_get_size (full), ==, a1->firmware_size);
  /* Exactly full passes with a zero margin. */
  g_assert_true (mpf_image_verdict_has_margin (vfull));
  g_assert_cmpint (mpf_image_verdict_get_margin (vfull), ==, 0);
  g_assert_cmpuint (mpf_image_verdict_get_problems (vfull)->len, ==, 0);
  g_assert_true (mpf_image_verdict_is_flashable (vfull));
  /* One byte more fails, by exactly one byte. */
  g_assert_cmpint (mpf_image_verdict_get_margin (vover), ==, -1);
  g_assert_true (has_problem (vover, MPF_IMAGE_ERROR_TOO_BIG));
  g_assert_cmpuint (mpf_image_verdict_get_problems (vover)->len, ==, 1);
  g_assert_false (mpf_image_verdict_is_flashable (vover));
  /* The 8 MiB board takes it. */
  g_assert_true (mpf_image_verdict_is_flashable (vover_a2));
  g_assert_cmpint (mpf_image_verdict_get_margin (vover_a2), ==, (gint64) a2->firmware_size - a1->firmware_size - 1);
}

static void
test_family_stock (void)
{
  g_autoptr(GBytes) b = stock_like (60000);
  g_autoptr(MpfImageVerdict) v = verdict_for (b, "MPR-A1");
  g_autoptr(GBytes) moved = NULL;
  g_autoptr(MpfImageVerdict) vmoved = NULL;

  g_assert_cmpint (mpf_image_verdict_get_family (v), ==, MPF_FAMILY_STOCK);
  g_assert_cmpuint (mpf_image_verdict_get_uimage (v)->sdk_rootfs_offset, ==, STOCK_ROOTFS_OFFSET);
  g_assert_null (mpf_image_verdict_get_version (v));
  g_assert_true (mpf_image_verdict_is_flashable (v));
  g_assert_cmpuint (mpf_image_verdict_get_signals (v)->len, >=, 3);

  /* Without the SDK offset and the stock entry point, nothing tells any more. */
  moved = stock_like_at (60000, 0x80000000, 0);
  vmoved = verdict_for (moved, "MPR-A1");
  g_assert_cmpint (mpf_image_verdict_get_family (vmoved), ==, MPF_FAMILY_UNKNOWN);
}

static void
test_family_openwrt (void)
{
  /* Named exactly like stock: the name must not decide. */
  g_autoptr(GBytes) b = openwrt_like (90000, 30000);
  g_autoptr(MpfImageVerdict) v = verdict_for (b, "MPR-A1");
  guint8 payload[64] = { 0 };
  g_autoptr(GBytes) plain = mpf_uimage_build ("test", 0, 0x80001000, 0x80001000, 5, 5, 2, 0,
                                              payload, sizeof payload, NULL, 0);
  g_autoptr(MpfImageVerdict) vplain = verdict_for (plain, NULL);

  g_assert_cmpstr (mpf_image_verdict_get_uimage (v)->name, ==, MPF_UIMAGE_STOCK_NAME);
  g_assert_cmpint (mpf_image_verdict_get_family (v), ==, MPF_FAMILY_OPENWRT);
  g_assert_true (mpf_image_verdict_is_flashable (v));
  /* A bare image with no signal either way stays unknown. */
  g_assert_cmpint (mpf_image_verdict_get_family (vplain), ==, MPF_FAMILY_UNKNOWN);
}

static void
test_catalog_wins (void)
{
  g_autoptr(GBytes) b = openwrt_like (90000, 30000);
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, b);
  g_autofree char *json = g_strdup_printf (
    "{\"version\":1,\"images\":[{\"id\":\"fake-stock\",\"family\":\"hame-stock\","
    "\"boards\":[\"MPR-A1\"],\"version\":\"9.9.9\",\"format\":\"uimage\",\"size\":%" G_GSIZE_FORMAT ","
    "\"sha256\":\"%s\",\"url\":null,\"description\":\"test\"}]}", g_bytes_get_size (b), sha);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfCatalog) cat = mpf_catalog_new_from_data (json, -1, &error);
  g_autoptr(MpfImageVerdict) v = NULL;
  g_autoptr(MpfImageVerdict) on_l8 = NULL;

  g_assert_no_error (error);
  v = mpf_image_verdict_new_for_bytes (b, mpf_board_lookup ("MPR-A1"), cat);
  g_assert_nonnull (mpf_image_verdict_get_catalog_entry (v));
  g_assert_cmpstr (mpf_image_verdict_get_catalog_entry (v)->id, ==, "fake-stock");
  g_assert_cmpint (mpf_image_verdict_get_family (v), ==, MPF_FAMILY_HAME_STOCK);
  g_assert_cmpstr (mpf_image_verdict_get_version (v), ==, "9.9.9");
  g_assert_cmpint (mpf_image_verdict_get_version_kind (v), ==, MPF_IMAGE_VERSION_RELEASE);
  g_assert_true (mpf_image_verdict_is_flashable (v));

  /* A catalogued image made for other boards is refused for this one. */
  on_l8 = mpf_image_verdict_new_for_bytes (b, mpf_board_lookup ("MPR-L8"), cat);
  g_assert_true (has_problem (on_l8, MPF_IMAGE_ERROR_WRONG_BOARD));
  g_assert_false (mpf_image_verdict_is_flashable (on_l8));
}

static void
test_encoded (void)
{
  g_autoptr(GBytes) enc = load_vector ("odd.MPR-L8.bin");
  g_autoptr(GBytes) plain = load_vector ("odd.uimage");
  g_autoptr(MpfImageVerdict) v = verdict_for (enc, "MPR-L8");
  g_autoptr(MpfImageVerdict) va5 = verdict_for (enc, "A5-V11");
  g_autoptr(MpfImageVerdict) va2 = verdict_for (enc, "MPR-A2");
  guint8 payload[100] = { 0 };
  g_autoptr(GBytes) arm = mpf_uimage_build ("x", 0, 0, 0, 5, 2, 2, 3, payload, sizeof payload, NULL, 0);
  g_autoptr(GBytes) arm_enc = mpf_poray_encode (mpf_board_lookup ("MPR-L8"), arm, NULL);
  g_autoptr(MpfImageVerdict) varm = verdict_for (arm_enc, "MPR-L8");
  g_autoptr(GBytes) trunc = g_bytes_new (g_bytes_get_data (enc, NULL), g_bytes_get_size (enc) - 7);
  g_autoptr(MpfImageVerdict) vtrunc = verdict_for (trunc, "MPR-L8");

  g_assert_cmpint (mpf_image_verdict_get_format (v), ==, MPF_IMAGE_FORMAT_ENCODED);
  g_assert_true (g_bytes_equal (mpf_image_verdict_get_uimage_bytes (v), plain));
  g_assert_cmpstr (mpf_image_verdict_get_uimage (v)->name, ==, "MIPS OpenWrt Linux-3.10.49");
  g_assert_cmpint (mpf_image_verdict_get_family (v), ==, MPF_FAMILY_OPENWRT);
  g_assert_cmpuint (mpf_image_verdict_get_flash_size (v), ==, g_bytes_get_size (plain));
  g_assert_true (mpf_image_verdict_is_flashable (v));
  g_assert_cmpstr (mpf_image_verdict_get_encoded_board (v)->id, ==, "MPR-A1");

  g_assert_true (has_problem (va5, MPF_IMAGE_ERROR_WRONG_BOARD));
  g_assert_true (has_problem (va2, MPF_IMAGE_ERROR_NO_ENCODED_FORMAT));
  /* The inner image is judged too. */
  g_assert_true (has_problem (varm, MPF_IMAGE_ERROR_WRONG_ARCH));
  g_assert_true (has_problem (vtrunc, MPF_IMAGE_ERROR_TRUNCATED_DATA));
  g_assert_cmpint (mpf_image_verdict_get_format (vtrunc), ==, MPF_IMAGE_FORMAT_ENCODED);
}

static void
test_paths (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("mpf-verdict-XXXXXX", &error);
  g_autofree char *missing = g_build_filename (dir, "missing.bin", NULL);
  g_autofree char *huge = g_build_filename (dir, "huge.bin", NULL);
  g_autofree char *ok = g_build_filename (dir, "ok.bin", NULL);
  g_autoptr(GBytes) vec = load_vector ("small.uimage");
  g_autoptr(MpfImageVerdict) vmissing = NULL;
  g_autoptr(MpfImageVerdict) vdir = NULL;
  g_autoptr(MpfImageVerdict) vhuge = NULL;
  g_autoptr(MpfImageVerdict) vok = NULL;
  int fd;

  g_assert_no_error (error);
  vmissing = mpf_image_verdict_new_for_path (missing, mpf_board_lookup ("MPR-A1"), NULL);
  g_assert_true (has_problem (vmissing, MPF_IMAGE_ERROR_IO));
  g_assert_null (mpf_image_verdict_get_data (vmissing));
  g_assert_false (mpf_image_verdict_is_flashable (vmissing));

  vdir = mpf_image_verdict_new_for_path (dir, mpf_board_lookup ("MPR-A1"), NULL);
  g_assert_true (has_problem (vdir, MPF_IMAGE_ERROR_IO));

  /* A sparse file one byte over the biggest flash: refused unread. */
  fd = g_open (huge, O_CREAT | O_WRONLY, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) mpf_board_max_flash_size () + 1), ==, 0);
  close (fd);
  vhuge = mpf_image_verdict_new_for_path (huge, NULL, NULL);
  g_assert_true (has_problem (vhuge, MPF_IMAGE_ERROR_TOO_BIG_FOR_ANY));
  g_assert_null (mpf_image_verdict_get_data (vhuge));

  g_assert_true (g_file_set_contents (ok, g_bytes_get_data (vec, NULL), (gssize) g_bytes_get_size (vec), NULL));
  vok = mpf_image_verdict_new_for_path (ok, mpf_board_lookup ("MPR-A1"), NULL);
  g_assert_true (mpf_image_verdict_is_flashable (vok));
  g_assert_true (g_bytes_equal (mpf_image_verdict_get_data (vok), vec));

  g_unlink (huge);
  g_unlink (ok);
  g_rmdir (dir);
}

static void
test_unreadable (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("mpf-verdict-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "secret.bin", NULL);
  g_autoptr(MpfImageVerdict) v = NULL;

  if (geteuid () == 0)
    {
      /* root reads anything; a FIFO stands in as a file that cannot be read as firmware */
      g_assert_cmpint (mkfifo (path, 0600), ==, 0);
    }
  else
    {
      g_assert_true (g_file_set_contents (path, "x", 1, NULL));
      g_assert_cmpint (g_chmod (path, 0), ==, 0);
    }
  v = mpf_image_verdict_new_for_path (path, NULL, NULL);
  g_assert_true (has_problem (v, MPF_IMAGE_ERROR_IO));
  g_assert_null (mpf_image_verdict_get_data (v));
  g_unlink (path);
  g_rmdir (dir);
}

static void
got_verdict_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MpfImageVerdict **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = mpf_image_verdict_new_for_path_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_async (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("MPF_TEST_DATA"), "poray", "wrap.A5-V11.bin", NULL);
  g_autoptr(MpfCatalog) cat = mpf_catalog_new_default (NULL);
  g_autoptr(MpfImageVerdict) v = NULL;
  g_autoptr(MpfImageVerdict) sync = mpf_image_verdict_new_for_path (path, mpf_board_lookup ("A5-V11"), cat);

  mpf_image_verdict_new_for_path_async (path, mpf_board_lookup ("A5-V11"), cat, NULL, got_verdict_cb, &v);
  while (v == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (mpf_image_verdict_get_format (v), ==, MPF_IMAGE_FORMAT_ENCODED);
  g_assert_true (mpf_image_verdict_is_flashable (v));
  g_assert_cmpstr (mpf_image_verdict_get_sha256 (v), ==, mpf_image_verdict_get_sha256 (sync));
  g_assert_cmpint (mpf_image_verdict_get_margin (v), ==, mpf_image_verdict_get_margin (sync));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/verdict/vector-inspect", test_vector_inspect);
  g_test_add_func ("/verdict/kernel-version", test_kernel_version);
  g_test_add_func ("/verdict/bad-inputs", test_bad_inputs);
  g_test_add_func ("/verdict/size-limits", test_size_limits);
  g_test_add_func ("/verdict/family-stock", test_family_stock);
  g_test_add_func ("/verdict/family-openwrt", test_family_openwrt);
  g_test_add_func ("/verdict/catalog-wins", test_catalog_wins);
  g_test_add_func ("/verdict/encoded", test_encoded);
  g_test_add_func ("/verdict/paths", test_paths);
  g_test_add_func ("/verdict/unreadable", test_unreadable);
  g_test_add_func ("/verdict/async", test_async);
  return g_test_run ();
}
