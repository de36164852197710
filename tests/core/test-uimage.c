#include "config.h"

#include <string.h>
#include <glib.h>

#include "mpf-error.h"
#include "mpf-uimage.h"

static GBytes *
build_kernel (const char *name, gsize payload_len, gsize trailer_len)
{
  g_autofree guint8 *payload = g_malloc (payload_len + 1);
  g_autofree guint8 *trailer = g_malloc (trailer_len + 1);

  for (gsize i = 0; i < payload_len; i++)
    payload[i] = (guint8) (i * 7 + 3);
  memset (trailer, 0xa5, trailer_len);
  return mpf_uimage_build (name, 1400000000, 0x80000000, 0x80000000, MPF_UIMAGE_OS_LINUX,
                           MPF_UIMAGE_ARCH_MIPS, MPF_UIMAGE_TYPE_KERNEL, MPF_UIMAGE_COMP_LZMA,
                           payload, payload_len, trailer, trailer_len);
}

/* Parses @bytes, then validates; returns the validation error code or -1. */
static int
validate_code (const guint8 *data, gsize len)
{
  g_autoptr(GError) error = NULL;
  MpfUImage img;

  if (!mpf_uimage_parse (data, len, &img, &error))
    {
      g_assert_error (error, MPF_IMAGE_ERROR, error->code);
      return error->code;
    }
  if (mpf_uimage_validate (&img, &error))
    return -1;
  g_assert_nonnull (error);
  g_assert_cmpstr (error->message, !=, "");
  return error->code;
}

static void
test_vector_parse (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("MPF_TEST_DATA"), "poray", "small.uimage", NULL);
  g_autofree char *text = NULL;
  gsize len = 0;
  MpfUImage img;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &text, &len, &error));
  g_assert_no_error (error);
  g_assert_true (mpf_uimage_parse ((const guint8 *) text, len, &img, &error));
  g_assert_no_error (error);
  g_assert_cmphex (img.magic, ==, MPF_UIMAGE_MAGIC);
  g_assert_cmpuint (img.data_size, ==, 1000);
  g_assert_cmpuint (img.time, ==, 1400000000);
  g_assert_cmphex (img.load, ==, 0x80000000);
  g_assert_cmphex (img.entry, ==, 0x80000000);
  g_assert_cmpuint (img.os, ==, MPF_UIMAGE_OS_LINUX);
  g_assert_cmpuint (img.arch, ==, MPF_UIMAGE_ARCH_MIPS);
  g_assert_cmpuint (img.type, ==, MPF_UIMAGE_TYPE_KERNEL);
  g_assert_cmpuint (img.comp, ==, MPF_UIMAGE_COMP_LZMA);
  g_assert_cmpstr (img.name, ==, "MIPS OpenWrt Linux-3.10.49");
  g_assert_cmpuint (img.sdk_rootfs_offset, ==, 0);
  g_assert_true (img.header_crc_ok);
  g_assert_true (img.data_crc_ok);
  g_assert_true (mpf_uimage_validate (&img, &error));
}

static void
test_build_roundtrip (void)
{
  g_autoptr(GBytes) b = build_kernel ("Linux Kernel Image", 5000, 300);
  gsize len = 0;
  const guint8 *d = g_bytes_get_data (b, &len);
  MpfUImage img;

  g_assert_cmpuint (len, ==, 64 + 5000 + 300);
  g_assert_true (mpf_uimage_parse (d, len, &img, NULL));
  g_assert_cmpuint (img.data_size, ==, 5000);
  g_assert_cmpstr (img.name, ==, "Linux Kernel Image");
  /* Data after the CRC-covered part is tolerated. */
  g_assert_true (img.header_crc_ok);
  g_assert_true (img.data_crc_ok);
  g_assert_cmpint (validate_code (d, len), ==, -1);
}

static void
test_empty (void)
{
  g_assert_cmpint (validate_code ((const guint8 *) "", 0), ==, MPF_IMAGE_ERROR_EMPTY);
}

static void
test_truncated_header (void)
{
  g_autoptr(GBytes) b = build_kernel ("x", 100, 0);

  for (gsize n = 1; n < 64; n += 9)
    g_assert_cmpint (validate_code (g_bytes_get_data (b, NULL), n), ==, MPF_IMAGE_ERROR_TRUNCATED_HEADER);
  g_assert_cmpint (validate_code (g_bytes_get_data (b, NULL), 63), ==, MPF_IMAGE_ERROR_TRUNCATED_HEADER);
}

static void
test_bad_magic (void)
{
  guint8 buf[100] = { 'R', '3', 'G', '2' };

  g_assert_cmpint (validate_code (buf, sizeof buf), ==, MPF_IMAGE_ERROR_BAD_MAGIC);
}

static void
test_truncated_data (void)
{
  g_autoptr(GBytes) b = build_kernel ("x", 1000, 0);
  MpfUImage img;

  g_assert_cmpint (validate_code (g_bytes_get_data (b, NULL), 64 + 999), ==, MPF_IMAGE_ERROR_TRUNCATED_DATA);
  g_assert_cmpint (validate_code (g_bytes_get_data (b, NULL), 64), ==, MPF_IMAGE_ERROR_TRUNCATED_DATA);
  g_assert_true (mpf_uimage_parse (g_bytes_get_data (b, NULL), 64 + 999, &img, NULL));
  g_assert_false (mpf_uimage_data_complete (&img));
  g_assert_false (img.data_crc_ok);
}

static void
test_bad_header_crc (void)
{
  g_autoptr(GBytes) b = build_kernel ("x", 1000, 0);
  g_autofree guint8 *d = g_memdup2 (g_bytes_get_data (b, NULL), g_bytes_get_size (b));

  d[40] ^= 1;   /* in the name: only the header CRC breaks */
  g_assert_cmpint (validate_code (d, g_bytes_get_size (b)), ==, MPF_IMAGE_ERROR_BAD_HEADER_CRC);
}

static void
test_bad_data_crc (void)
{
  g_autoptr(GBytes) b = build_kernel ("x", 1000, 16);
  gsize len = g_bytes_get_size (b);
  g_autofree guint8 *d = g_memdup2 (g_bytes_get_data (b, NULL), len);

  /* A change in the trailer is outside the CRC and is accepted ... */
  d[len - 1] ^= 0xff;
  g_assert_cmpint (validate_code (d, len), ==, -1);
  /* ... the last covered byte is not. */
  d[64 + 999] ^= 0x01;
  g_assert_cmpint (validate_code (d, len), ==, MPF_IMAGE_ERROR_BAD_DATA_CRC);
}

static void
test_wrong_arch_and_type (void)
{
  guint8 payload[32] = { 0 };
  g_autoptr(GBytes) arm = mpf_uimage_build ("arm", 0, 0, 0, MPF_UIMAGE_OS_LINUX, 2,
                                            MPF_UIMAGE_TYPE_KERNEL, 0, payload, sizeof payload, NULL, 0);
  g_autoptr(GBytes) fs = mpf_uimage_build ("fs", 0, 0, 0, MPF_UIMAGE_OS_LINUX, MPF_UIMAGE_ARCH_MIPS,
                                           7, 0, payload, sizeof payload, NULL, 0);
  g_autoptr(GBytes) zstd = mpf_uimage_build ("z", 0, 0, 0, MPF_UIMAGE_OS_LINUX, MPF_UIMAGE_ARCH_MIPS,
                                             MPF_UIMAGE_TYPE_KERNEL, 6, payload, sizeof payload, NULL, 0);
  MpfUImage img;
  g_autoptr(GPtrArray) problems = NULL;

  g_assert_cmpint (validate_code (g_bytes_get_data (arm, NULL), g_bytes_get_size (arm)), ==, MPF_IMAGE_ERROR_WRONG_ARCH);
  g_assert_cmpint (validate_code (g_bytes_get_data (fs, NULL), g_bytes_get_size (fs)), ==, MPF_IMAGE_ERROR_NOT_KERNEL);
  g_assert_cmpint (validate_code (g_bytes_get_data (zstd, NULL), g_bytes_get_size (zstd)), ==, MPF_IMAGE_ERROR_BAD_COMPRESSION);

  /* Every problem is collected, not only the first. */
  g_assert_true (mpf_uimage_parse (g_bytes_get_data (arm, NULL), g_bytes_get_size (arm), &img, NULL));
  img.type = 7;
  img.data_crc_ok = FALSE;
  problems = mpf_uimage_collect_problems (&img);
  g_assert_cmpuint (problems->len, ==, 3);
  g_assert_error ((GError *) problems->pdata[0], MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_BAD_DATA_CRC);
  g_assert_error ((GError *) problems->pdata[1], MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_WRONG_ARCH);
  g_assert_error ((GError *) problems->pdata[2], MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_NOT_KERNEL);
}

static void
test_unterminated_name (void)
{
  const char *name32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  g_autoptr(GBytes) b = build_kernel (name32, 10, 0);
  MpfUImage img;

  g_assert_true (mpf_uimage_parse (g_bytes_get_data (b, NULL), g_bytes_get_size (b), &img, NULL));
  g_assert_cmpstr (img.name, ==, name32);
  g_assert_cmpuint (strlen (img.name), ==, 32);
  g_assert_cmphex (img.sdk_rootfs_offset, ==, 0x32333435);  /* "2345" big-endian */
}

static void
test_rename (void)
{
  g_autoptr(GBytes) b = build_kernel ("MIPS OpenWrt Linux-3.10.49", 100, 50);
  g_autoptr(GBytes) sdk = NULL;
  g_autoptr(GBytes) renamed = NULL;
  g_autoptr(GBytes) too_long = NULL;
  g_autoptr(GError) error = NULL;
  MpfUImage img;

  renamed = mpf_uimage_rename (b, MPF_UIMAGE_STOCK_NAME, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (renamed), ==, g_bytes_get_size (b));
  g_assert_true (mpf_uimage_parse (g_bytes_get_data (renamed, NULL), g_bytes_get_size (renamed), &img, NULL));
  g_assert_cmpstr (img.name, ==, MPF_UIMAGE_STOCK_NAME);
  g_assert_true (img.header_crc_ok);
  g_assert_true (img.data_crc_ok);
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (renamed, NULL) + 64, 150,
                   (const guint8 *) g_bytes_get_data (b, NULL) + 64, 150);

  /* The SDK offset in bytes 60..63 survives a rename; a 29-byte name would clobber it. */
  sdk = mpf_uimage_with_sdk_rootfs_offset (b, 796714, &error);
  g_assert_no_error (error);
  g_clear_pointer (&renamed, g_bytes_unref);
  renamed = mpf_uimage_rename (sdk, "Short", &error);
  g_assert_no_error (error);
  g_assert_true (mpf_uimage_parse (g_bytes_get_data (renamed, NULL), g_bytes_get_size (renamed), &img, NULL));
  g_assert_cmpuint (img.sdk_rootfs_offset, ==, 796714);
  g_assert_true (img.header_crc_ok);
  too_long = mpf_uimage_rename (sdk, "12345678901234567890123456789", &error);
  g_assert_null (too_long);
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_WRONG_FORMAT);
}

static void
test_names (void)
{
  g_assert_cmpstr (mpf_uimage_arch_id (MPF_UIMAGE_ARCH_MIPS), ==, "mips");
  g_assert_cmpstr (mpf_uimage_os_id (MPF_UIMAGE_OS_LINUX), ==, "linux");
  g_assert_cmpstr (mpf_uimage_type_id (MPF_UIMAGE_TYPE_KERNEL), ==, "kernel");
  g_assert_cmpstr (mpf_uimage_comp_id (MPF_UIMAGE_COMP_LZMA), ==, "lzma");
  g_assert_cmpstr (mpf_uimage_comp_name (MPF_UIMAGE_COMP_LZMA), ==, "lzma compressed");
  g_assert_cmpstr (mpf_uimage_arch_id (250), ==, "unknown");
  g_assert_true (mpf_uimage_comp_supported (MPF_UIMAGE_COMP_GZIP));
  g_assert_false (mpf_uimage_comp_supported (6));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/uimage/vector-parse", test_vector_parse);
  g_test_add_func ("/uimage/build-roundtrip", test_build_roundtrip);
  g_test_add_func ("/uimage/empty", test_empty);
  g_test_add_func ("/uimage/truncated-header", test_truncated_header);
  g_test_add_func ("/uimage/bad-magic", test_bad_magic);
  g_test_add_func ("/uimage/truncated-data", test_truncated_data);
  g_test_add_func ("/uimage/bad-header-crc", test_bad_header_crc);
  g_test_add_func ("/uimage/bad-data-crc", test_bad_data_crc);
  g_test_add_func ("/uimage/wrong-arch-and-type", test_wrong_arch_and_type);
  g_test_add_func ("/uimage/unterminated-name", test_unterminated_name);
  g_test_add_func ("/uimage/rename", test_rename);
  g_test_add_func ("/uimage/names", test_names);
  return g_test_run ();
}
