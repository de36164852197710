/* The recovery container, pinned against the vendor tool's own output
 * (tests/data/recovery, built from tests/data/poray). */
#include "config.h"

#include <string.h>

#include "mpf-error.h"
#include "mpf-recovery-container.h"
#include "mpf-uimage.h"

static GBytes *
load (const char *dir, const char *file)
{
  g_autofree char *path = g_build_filename (g_getenv ("MPF_TEST_DATA"), dir, file, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static void
test_vector (gconstpointer data)
{
  const char *name = data;
  g_autofree char *uimage_file = g_strconcat (name, ".uimage", NULL);
  g_autofree char *container_file = g_strconcat (name, ".container", NULL);
  g_autoptr(GBytes) uimage = load ("poray", uimage_file);
  g_autoptr(GBytes) want = load ("recovery", container_file);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) got = mpf_recovery_container_pack (uimage, &error);
  MpfRecoveryContainer c;
  gsize n = g_bytes_get_size (uimage);

  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got),
                   g_bytes_get_data (want, NULL), g_bytes_get_size (want));

  /* The parser reads the vendor's file back. */
  g_assert_true (mpf_recovery_container_parse (g_bytes_get_data (want, NULL),
                                               g_bytes_get_size (want), &c, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c.magic, ==, 5);
  g_assert_cmpuint (c.stored_crc, ==, c.computed_crc);
  g_assert_cmpuint (c.n_entries, ==, 1);
  g_assert_cmpuint (c.type, ==, 8);
  g_assert_cmpuint (c.flags, ==, 1);
  g_assert_cmpuint (c.offset, ==, 0);
  g_assert_cmpuint (c.length, ==, ((n >> 16) + 1) << 16);
  g_assert_cmpuint (c.image_len, ==, n);
  g_assert_true (c.padding_zero);
  g_assert_cmpmem (c.payload, n, g_bytes_get_data (uimage, NULL), n);
  g_assert_true (mpf_recovery_container_check (&c, &error));
  g_assert_no_error (error);
}

static void
test_padded_size (void)
{
  /* RECOVERY.md's example, and the boundaries: always at least one byte more. */
  g_assert_cmpuint (mpf_recovery_container_padded_size (3538948), ==, 0x370000);
  g_assert_cmpuint (mpf_recovery_container_padded_size (1064), ==, 0x10000);
  g_assert_cmpuint (mpf_recovery_container_padded_size (0xffff), ==, 0x10000);
  g_assert_cmpuint (mpf_recovery_container_padded_size (0x10000), ==, 0x20000);
  g_assert_cmpuint (mpf_recovery_container_padded_size (3866623), ==, 0x3B0000);
  g_assert_cmpuint (mpf_recovery_container_padded_size (3866624), ==, 0x3C0000);
}

static GBytes *
uimage_of_size (gsize total)
{
  gsize payload_len = total - MPF_UIMAGE_HEADER_SIZE;
  g_autofree guint8 *payload = g_malloc (payload_len);

  for (gsize i = 0; i < payload_len; i++)
    payload[i] = (guint8) (i * 131 + 7);
  return mpf_uimage_build ("MIPS OpenWrt Linux-3.10.49", 1400000000, 0x80000000, 0x80000000,
                           MPF_UIMAGE_OS_LINUX, MPF_UIMAGE_ARCH_MIPS, MPF_UIMAGE_TYPE_KERNEL,
                           MPF_UIMAGE_COMP_LZMA, payload, payload_len, NULL, 0);
}

static void
test_size_limit (void)
{
  g_autoptr(GBytes) ok_image = uimage_of_size (3866623);
  g_autoptr(GBytes) big_image = uimage_of_size (3866624);
  g_autoptr(GBytes) ok = NULL;
  g_autoptr(GBytes) big = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *d;
  MpfRecoveryContainer c;

  g_assert_cmpuint (g_bytes_get_size (ok_image), ==, MPF_RECOVERY_MAX_IMAGE_SIZE);
  ok = mpf_recovery_container_pack (ok_image, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (ok), ==, 28 + 0x3B0000);
  d = g_bytes_get_data (ok, NULL);
  g_assert_cmpmem (d + 24, 4, "\x00\x00\x3b\x00", 4);
  g_assert_true (mpf_recovery_container_parse (d, g_bytes_get_size (ok), &c, NULL));
  g_assert_true (mpf_recovery_container_check (&c, &error));
  g_assert_no_error (error);

  big = mpf_recovery_container_pack (big_image, &error);
  g_assert_null (big);
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_TOO_BIG);
  g_assert_nonnull (strstr (error->message, "3866624"));
}

static void
test_refuses_bad_input (void)
{
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) encoded = load ("poray", "small.MPR-A1.bin");
  g_autoptr(GBytes) good = load ("poray", "small.uimage");
  g_autofree guint8 *bad = g_memdup2 (g_bytes_get_data (good, NULL), g_bytes_get_size (good));
  g_autoptr(GBytes) corrupt = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;

  out = mpf_recovery_container_pack (empty, &error);
  g_assert_null (out);
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_EMPTY);
  g_clear_error (&error);

  /* A Poray-encoded file is not a uImage: the bootloader would flash junk. */
  out = mpf_recovery_container_pack (encoded, &error);
  g_assert_null (out);
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_BAD_MAGIC);
  g_clear_error (&error);

  /* The bootloader validates nothing: a corrupt image must stop here. */
  bad[200] ^= 0x01;
  corrupt = g_bytes_new (bad, g_bytes_get_size (good));
  out = mpf_recovery_container_pack (corrupt, &error);
  g_assert_null (out);
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_BAD_DATA_CRC);
}

static void
test_parse_diagnostics (void)
{
  g_autoptr(GBytes) vec = load ("recovery", "odd.container");
  g_autoptr(GBytes) raw = load ("poray", "odd.uimage");
  g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (vec, NULL), g_bytes_get_size (vec));
  gsize len = g_bytes_get_size (vec);
  g_autoptr(GError) error = NULL;
  MpfRecoveryContainer c;

  /* A raw uImage is not a container (the bootloader crashes on it). */
  g_assert_true (mpf_recovery_container_parse (g_bytes_get_data (raw, NULL),
                                               g_bytes_get_size (raw), &c, NULL));
  g_assert_false (mpf_recovery_container_check (&c, &error));
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_BAD_MAGIC);
  g_clear_error (&error);

  /* Cut short. */
  g_assert_true (mpf_recovery_container_parse (copy, len - 1, &c, NULL));
  g_assert_true (c.payload_truncated);
  g_assert_false (mpf_recovery_container_check (&c, &error));
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_TRUNCATED_DATA);
  g_clear_error (&error);

  /* Too short for any header. */
  g_assert_false (mpf_recovery_container_parse (copy, 11, &c, &error));
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_TRUNCATED_HEADER);
  g_clear_error (&error);

  /* A flipped padding byte: the CRC no longer matches. */
  copy[len - 1] = 1;
  g_assert_true (mpf_recovery_container_parse (copy, len, &c, NULL));
  g_assert_false (c.padding_zero);
  g_assert_false (mpf_recovery_container_check (&c, &error));
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_BAD_CHECKSUM);
  g_clear_error (&error);

  /* Another entry type (e.g. 2, a bootloader) is never ours. */
  copy[len - 1] = 0;
  copy[12] = 2;
  g_assert_true (mpf_recovery_container_parse (copy, len, &c, NULL));
  g_assert_cmpuint (c.type, ==, 2);
  g_assert_false (mpf_recovery_container_check (&c, &error));
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_BAD_MAGIC);
  g_clear_error (&error);

  /* An offset or length beyond the file never reads past it. */
  copy[12] = 8;
  copy[20] = 0xff, copy[21] = 0xff, copy[22] = 0xff, copy[23] = 0xff;
  g_assert_true (mpf_recovery_container_parse (copy, len, &c, NULL));
  g_assert_null (c.payload);
  g_assert_true (c.payload_truncated);
  for (gsize cut = 0; cut < 200; cut++)
    mpf_recovery_container_parse (copy, cut, &c, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/recovery-container/vector/small", "small", test_vector);
  g_test_add_data_func ("/recovery-container/vector/odd", "odd", test_vector);
  g_test_add_data_func ("/recovery-container/vector/wrap", "wrap", test_vector);
  g_test_add_func ("/recovery-container/padded-size", test_padded_size);
  g_test_add_func ("/recovery-container/size-limit", test_size_limit);
  g_test_add_func ("/recovery-container/refuses-bad-input", test_refuses_bad_input);
  g_test_add_func ("/recovery-container/parse-diagnostics", test_parse_diagnostics);
  return g_test_run ();
}
