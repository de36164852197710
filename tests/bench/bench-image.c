#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "mpf-image-verdict.h"
#include "mpf-poray.h"

/* Prints encode, decode and inspect throughput for a 4 MB image. Figures
 * only: this never fails on time. */

#define IMAGE_SIZE (4u * 1000u * 1000u)
#define MIN_SECONDS 0.5

typedef void (*BenchFunc) (gpointer data);

static void
report (const char *what, BenchFunc func, gpointer data)
{
  gint64 start = g_get_monotonic_time (), elapsed;
  guint runs = 0;
  double seconds;

  do
    {
      func (data);
      runs++;
      elapsed = g_get_monotonic_time () - start;
    }
  while (elapsed < MIN_SECONDS * G_USEC_PER_SEC);
  seconds = (double) elapsed / G_USEC_PER_SEC;
  printf ("%-8s %8.1f MB/s  (%u runs of %u bytes in %.2f s)\n", what,
          (double) IMAGE_SIZE * runs / seconds / 1e6, runs, IMAGE_SIZE, seconds);
}

typedef struct {
  MpfBoard board;   /* MPR-L8's key, with room for a 4 MB payload */
  GBytes  *plain;
  GBytes  *encoded;
} Bench;

static void
run_encode (gpointer data)
{
  Bench *b = data;
  g_autoptr(GBytes) out = mpf_poray_encode (&b->board, b->plain, NULL);
  g_assert_nonnull (out);
}

static void
run_decode (gpointer data)
{
  Bench *b = data;
  g_autoptr(GBytes) out = mpf_poray_decode (b->encoded, NULL, NULL);
  g_assert_nonnull (out);
}

static void
run_inspect (gpointer data)
{
  Bench *b = data;
  g_autoptr(MpfImageVerdict) v = mpf_image_verdict_new_for_bytes (b->plain, NULL, NULL);
  g_assert_cmpint (mpf_image_verdict_get_format (v), ==, MPF_IMAGE_FORMAT_UIMAGE);
}

int
main (void)
{
  Bench b = { 0 };
  g_autofree guint8 *payload = g_malloc (IMAGE_SIZE - MPF_UIMAGE_HEADER_SIZE);
  GRand *rand = g_rand_new_with_seed (42);

  for (gsize i = 0; i < IMAGE_SIZE - MPF_UIMAGE_HEADER_SIZE; i++)
    payload[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
  b.plain = mpf_uimage_build (MPF_UIMAGE_STOCK_NAME, 0, 0x80000000, 0x80000000, MPF_UIMAGE_OS_LINUX,
                              MPF_UIMAGE_ARCH_MIPS, MPF_UIMAGE_TYPE_KERNEL, MPF_UIMAGE_COMP_LZMA,
                              payload, IMAGE_SIZE - MPF_UIMAGE_HEADER_SIZE, NULL, 0);
  b.board = *mpf_board_lookup ("MPR-L8");
  b.board.firmware_size = 2 * IMAGE_SIZE;
  b.encoded = mpf_poray_encode (&b.board, b.plain, NULL);
  g_assert_nonnull (b.encoded);

  printf ("mprflash image toolkit, %u-byte uImage\n", IMAGE_SIZE);
  report ("encode", run_encode, &b);
  report ("decode", run_decode, &b);
  report ("inspect", run_inspect, &b);

  g_bytes_unref (b.plain);
  g_bytes_unref (b.encoded);
  return 0;
}
