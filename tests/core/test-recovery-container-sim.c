/* The packer and the simulated bootloader's parser (tests/fake-router,
 * written independently from RECOVERY.md) must agree on every file. */
#include "config.h"

#include <string.h>

#include "fr-container.h"
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
assert_simulator_flashes (GBytes *uimage)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) packed = mpf_recovery_container_pack (uimage, &error);
  g_autoptr(FrContainer) sim = NULL;
  const guint8 *d;
  gsize len, n = g_bytes_get_size (uimage);
  FrContainerEntry *e;

  g_assert_no_error (error);
  d = g_bytes_get_data (packed, &len);
  sim = fr_container_parse (d, len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sim);
  g_assert_true (sim->crc_matches);
  g_assert_cmpuint (sim->n_entries, ==, 1);
  g_assert_cmpuint (sim->entries->len, ==, 1);
  e = &g_array_index (sim->entries, FrContainerEntry, 0);
  g_assert_cmpuint (e->type, ==, FR_CONTAINER_TYPE_FIRMWARE);
  g_assert_false (e->skipped);
  g_assert_cmpuint (e->flash_offset, ==, FR_CONTAINER_FIRMWARE_FLASH);
  g_assert_cmpuint (e->length, ==, mpf_recovery_container_padded_size (n));
  g_assert_cmpuint (e->data_start + e->length, ==, len);
  g_assert_cmpmem (d + e->data_start, n, g_bytes_get_data (uimage, NULL), n);
}

static void
test_vectors (void)
{
  const char *names[] = { "small.uimage", "odd.uimage", "wrap.uimage" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GBytes) uimage = load ("poray", names[i]);
      assert_simulator_flashes (uimage);
    }
}

static void
test_largest (void)
{
  gsize payload_len = MPF_RECOVERY_MAX_IMAGE_SIZE - MPF_UIMAGE_HEADER_SIZE;
  g_autofree guint8 *payload = g_malloc0 (payload_len);
  g_autoptr(GBytes) uimage = NULL;

  for (gsize i = 0; i < payload_len; i++)
    payload[i] = (guint8) (i ^ (i >> 9));
  uimage = mpf_uimage_build ("largest", 0, 0x80000000, 0x80000000, MPF_UIMAGE_OS_LINUX,
                             MPF_UIMAGE_ARCH_MIPS, MPF_UIMAGE_TYPE_KERNEL, MPF_UIMAGE_COMP_LZMA,
                             payload, payload_len, NULL, 0);
  /* The simulator writes it: not over its silent-skip limit. */
  assert_simulator_flashes (uimage);
}

static void
test_raw_uimage_refused_by_both (void)
{
  g_autoptr(GBytes) raw = load ("poray", "small.uimage");
  g_autoptr(GError) error = NULL;
  g_autoptr(FrContainer) sim = NULL;
  MpfRecoveryContainer c;
  const guint8 *d;
  gsize len;

  d = g_bytes_get_data (raw, &len);
  sim = fr_container_parse (d, len, &error);
  g_assert_null (sim);
  g_assert_error (error, FR_CONTAINER_ERROR, FR_CONTAINER_ERROR_RAW_UIMAGE);
  g_clear_error (&error);
  g_assert_true (mpf_recovery_container_parse (d, len, &c, NULL));
  g_assert_false (mpf_recovery_container_check (&c, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/recovery-container-sim/vectors", test_vectors);
  g_test_add_func ("/recovery-container-sim/largest", test_largest);
  g_test_add_func ("/recovery-container-sim/raw-uimage", test_raw_uimage_refused_by_both);
  return g_test_run ();
}
