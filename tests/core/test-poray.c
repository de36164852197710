#include "config.h"

#include <string.h>
#include <glib.h>

#include "mpf-board.h"
#include "mpf-error.h"
#include "mpf-poray.h"
#include "mpf-uimage.h"

static const char *vector_names[] = { "small", "odd", "wrap" };
static const char *vector_boards[] = { "MPR-A1", "MPR-L8", "A5-V11" };

static GBytes *
load_vector (const char *file)
{
  g_autofree char *path = g_build_filename (g_getenv ("MPF_TEST_DATA"), "poray", file, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;
  gsize len = 0;

  g_file_get_contents (path, &text, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (text, len);
}

static void
test_encode_vectors (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (vector_names); i++)
    for (gsize j = 0; j < G_N_ELEMENTS (vector_boards); j++)
      {
        g_autofree char *in_name = g_strdup_printf ("%s.uimage", vector_names[i]);
        g_autofree char *out_name = g_strdup_printf ("%s.%s.bin", vector_names[i], vector_boards[j]);
        g_autoptr(GBytes) in = load_vector (in_name);
        g_autoptr(GBytes) expected = load_vector (out_name);
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) out = NULL;
        const MpfBoard *board = mpf_board_lookup (vector_boards[j]);

        g_test_message ("encode %s for %s", in_name, vector_boards[j]);
        g_assert_nonnull (board);
        out = mpf_poray_encode (board, in, &error);
        g_assert_no_error (error);
        g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out),
                         g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
      }
}

static void
test_decode_vectors (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (vector_names); i++)
    for (gsize j = 0; j < G_N_ELEMENTS (vector_boards); j++)
      {
        g_autofree char *plain_name = g_strdup_printf ("%s.uimage", vector_names[i]);
        g_autofree char *enc_name = g_strdup_printf ("%s.%s.bin", vector_names[i], vector_boards[j]);
        g_autoptr(GBytes) plain = load_vector (plain_name);
        g_autoptr(GBytes) enc = load_vector (enc_name);
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) out = NULL;
        const MpfBoard *found = NULL;
        const MpfBoard *board = mpf_board_lookup (vector_boards[j]);

        g_test_message ("decode %s", enc_name);
        g_assert_true (mpf_poray_looks_encoded (g_bytes_get_data (enc, NULL), g_bytes_get_size (enc)));
        g_assert_false (mpf_poray_looks_encoded (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain)));
        out = mpf_poray_decode (enc, &found, &error);
        g_assert_no_error (error);
        g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out),
                         g_bytes_get_data (plain, NULL), g_bytes_get_size (plain));
        /* The key, not the shared hardware id, tells A5-V11 from MPR-A1/L8. */
        g_assert_nonnull (found);
        g_assert_cmpmem (found->poray_key, 15, board->poray_key, 15);
        if (g_str_equal (vector_boards[j], "A5-V11"))
          g_assert_cmpstr (found->id, ==, "A5-V11");
        else
          g_assert_cmpstr (found->id, ==, "MPR-A1");
      }
}

static GBytes *
random_uimage (gsize payload_len, guint32 seed)
{
  g_autofree guint8 *payload = g_malloc (payload_len + 1);
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < payload_len; i++)
    payload[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
  return mpf_uimage_build ("Linux Kernel Image", 0, 0x80000000, 0x80000000, MPF_UIMAGE_OS_LINUX,
                           MPF_UIMAGE_ARCH_MIPS, MPF_UIMAGE_TYPE_KERNEL, MPF_UIMAGE_COMP_LZMA,
                           payload, payload_len, NULL, 0);
}

static void
test_roundtrip (void)
{
  const MpfBoard *const *boards = mpf_board_all ();
  const gsize sizes[] = { 1, 2, 3, 14, 15, 16, 29, 30, 31, 4095, 65537 };

  for (gsize b = 0; boards[b] != NULL; b++)
    {
      if (!boards[b]->has_poray)
        continue;
      for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
        {
          g_autoptr(GBytes) plain = random_uimage (sizes[s], (guint32) (s * 31 + b));
          g_autoptr(GBytes) enc = NULL;
          g_autoptr(GBytes) dec = NULL;
          g_autoptr(GError) error = NULL;
          const MpfBoard *found = NULL;

          enc = mpf_poray_encode (boards[b], plain, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (g_bytes_get_size (enc), ==, g_bytes_get_size (plain) + 30);
          dec = mpf_poray_decode (enc, &found, &error);
          g_assert_no_error (error);
          g_assert_true (g_bytes_equal (dec, plain));
          g_assert_cmpmem (found->poray_key, 15, boards[b]->poray_key, 15);
        }
    }
}

/* Independent of the vectors: the accumulator's signed wrap and the
 * arithmetic shift, worked out by hand. */
static void
test_checksum_by_hand (void)
{
  guint8 zeros[4] = { 0 };
  guint8 one[1] = { 0x01 };
  guint8 ff[2] = { 0xff, 0xff };
  g_autofree guint8 *big = g_malloc (2 * 40000);

  /* c=0: c = 0 + 0 + 0xffff = 0xffff; ~(0xffff + 0) & 0xffff = 0 */
  g_assert_cmphex (mpf_poray_checksum (zeros, sizeof zeros), ==, 0x0000);
  /* c=1: c = 1 + 0 + 0xffff = 0x10000; ~(0x10000 + 1) & 0xffff = 0xfffe */
  g_assert_cmphex (mpf_poray_checksum (one, 1), ==, 0xfffe);
  /* c=0xffff: c = 0x1fffe; + (c>>16 = 1) = 0x1ffff; ~ & 0xffff = 0 */
  g_assert_cmphex (mpf_poray_checksum (ff, 2), ==, 0x0000);
  /* 40000 words of 0xffff sum to 0x9c3f63c0 (negative as int32):
   * c>>16 (arithmetic) = 0xffff9c3f; c = 0x9c3f63c0 + 0xffff9c3f + 0xffff = 0x9c3ffffe (mod 2^32);
   * c>>16 = 0xffff9c3f; c + that = 0x9c3f9c3d; ~ & 0xffff = 0x63c2.
   * A logical shift would give 0x9c3f instead and a different result. */
  memset (big, 0xff, 2 * 40000);
  g_assert_cmphex (mpf_poray_checksum (big, 2 * 40000), ==, 0x63c2);
}

static void
test_decode_errors (void)
{
  g_autoptr(GBytes) enc = load_vector ("small.MPR-A1.bin");
  gsize len = g_bytes_get_size (enc);
  g_autofree guint8 *d = g_memdup2 (g_bytes_get_data (enc, NULL), len);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) trunc = g_bytes_new (d, len - 1);
  g_autoptr(GBytes) head = g_bytes_new (d, 20);
  g_autoptr(GBytes) plain = load_vector ("small.uimage");
  g_autoptr(GBytes) damaged = NULL;
  g_autoptr(GBytes) out = NULL;

  out = mpf_poray_decode (empty, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_EMPTY);
  g_clear_error (&error);
  out = mpf_poray_decode (head, NULL, &error);
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_TRUNCATED_HEADER);
  g_clear_error (&error);
  out = mpf_poray_decode (trunc, NULL, &error);
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_TRUNCATED_DATA);
  g_clear_error (&error);
  out = mpf_poray_decode (plain, NULL, &error);
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_BAD_MAGIC);
  g_clear_error (&error);

  /* Non-zero padding is not the encoded format. */
  d[13] = 0xff;
  damaged = g_bytes_new (d, len);
  out = mpf_poray_decode (damaged, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_BAD_MAGIC);
  g_clear_error (&error);
  g_clear_pointer (&damaged, g_bytes_unref);
  d[13] = 0x00;

  d[28 + 500] ^= 0x40;
  damaged = g_bytes_new (d, len);
  out = mpf_poray_decode (damaged, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_BAD_CHECKSUM);
  g_clear_error (&error);

  /* An unknown hardware id has no key. */
  d[28 + 500] ^= 0x40;
  d[0] ^= 0x01;
  g_clear_pointer (&damaged, g_bytes_unref);
  damaged = g_bytes_new (d, len);
  out = mpf_poray_decode (damaged, NULL, &error);
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_BAD_CHECKSUM);
}

static void
test_encode_limits (void)
{
  const MpfBoard *a1 = mpf_board_lookup ("MPR-A1");
  const MpfBoard *a2 = mpf_board_lookup ("MPR-A2");
  g_autoptr(GBytes) plain = load_vector ("small.uimage");
  g_autoptr(GBytes) enc = load_vector ("small.MPR-A1.bin");
  g_autoptr(GBytes) full = random_uimage (a1->firmware_size - 64, 7);
  g_autoptr(GBytes) over = random_uimage (a1->firmware_size - 64 + 1, 7);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;

  out = mpf_poray_encode (a2, plain, &error);
  g_assert_null (out);
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_NO_ENCODED_FORMAT);
  g_clear_error (&error);
  out = mpf_poray_encode (a1, enc, &error);
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_WRONG_FORMAT);
  g_clear_error (&error);
  /* Capped at the partition, not the reference tool's larger limit. */
  out = mpf_poray_encode (a1, over, &error);
  g_assert_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_TOO_BIG);
  g_clear_error (&error);
  out = mpf_poray_encode (a1, full, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (out), ==, a1->firmware_size + 30);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/poray/encode-vectors", test_encode_vectors);
  g_test_add_func ("/poray/decode-vectors", test_decode_vectors);
  g_test_add_func ("/poray/roundtrip", test_roundtrip);
  g_test_add_func ("/poray/checksum-by-hand", test_checksum_by_hand);
  g_test_add_func ("/poray/decode-errors", test_decode_errors);
  g_test_add_func ("/poray/encode-limits", test_encode_limits);
  return g_test_run ();
}
