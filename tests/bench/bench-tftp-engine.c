#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "mpf-tftp-engine.h"
#include "mpf-tftp-packet.h"

/* In-process throughput of the TFTP engine serving a 4 MiB image to a
 * perfect client (every ACK at once, no loss): what the engine itself costs
 * per block, without sockets. Figures only: this never fails on time. */

#define IMAGE_SIZE (4u * 1024u * 1024u)
#define MIN_SECONDS 0.5

typedef struct {
  guint blksize;
  guint windowsize;
  guint16 expected;      /* next DATA block number wanted */
  guint in_window;
  gboolean ack_due;
  guint16 ack_block;
  gboolean done;
  guint64 bytes;
} Client;

static void
client_send_cb (MpfTftpSocket from, guint transfer_id, const char *address, guint16 port,
                const guint8 *data, gsize len, gpointer user_data)
{
  Client *c = user_data;
  guint16 op = (guint16) ((data[0] << 8) | data[1]);
  guint16 block = (guint16) ((data[2] << 8) | data[3]);

  if (op == MPF_TFTP_OP_OACK)
    {
      c->ack_due = TRUE;
      c->ack_block = 0;
      return;
    }
  if (op != MPF_TFTP_OP_DATA || block != c->expected)
    return;
  c->expected++;
  c->bytes += len - 4;
  if (++c->in_window == c->windowsize || len - 4 < c->blksize)
    {
      c->in_window = 0;
      c->ack_due = TRUE;
      c->ack_block = block;
    }
}

static void
complete_cb (MpfTftpEngine *engine, const MpfTftpProgress *p, Client *c)
{
  c->done = TRUE;
}

/* One whole transfer; returns the number of DATA blocks. */
static guint64
transfer (MpfTftpMode mode, GBytes *image, guint blksize, guint windowsize)
{
  g_autoptr(MpfTftpEngine) engine = mpf_tftp_engine_new (mode, image);
  Client c = { .blksize = blksize, .windowsize = windowsize, .expected = 1 };
  guint8 buf[128];
  gsize len;

  mpf_tftp_engine_set_send_func (engine, client_send_cb, &c, NULL);
  g_signal_connect (engine, "transfer-complete", G_CALLBACK (complete_cb), &c);
  if (mode == MPF_TFTP_MODE_HAME_RECOVERY)
    {
      const char *req[] = { "9c417c75a478", "octet", "timeout", "5", "-386365873", "6", NULL };
      len = mpf_tftp_packet_build_request (buf, sizeof buf, MPF_TFTP_OP_RRQ, req);
    }
  else
    {
      g_autofree char *bs = g_strdup_printf ("%u", blksize);
      g_autofree char *ws = g_strdup_printf ("%u", windowsize);
      const char *req[] = { "image.bin", "octet", "blksize", bs, "windowsize", ws, NULL };
      len = mpf_tftp_packet_build_request (buf, sizeof buf, MPF_TFTP_OP_RRQ, req);
    }
  mpf_tftp_engine_receive (engine, buf, len, "192.168.1.2", 1500, g_get_monotonic_time ());
  while (!c.done)
    {
      g_assert_true (c.ack_due);
      c.ack_due = FALSE;
      len = mpf_tftp_packet_build_ack (buf, sizeof buf, c.ack_block);
      mpf_tftp_engine_receive (engine, buf, len, "192.168.1.2", 1500, g_get_monotonic_time ());
    }
  g_assert_cmpuint (c.bytes, ==, g_bytes_get_size (image));
  return IMAGE_SIZE / blksize + 1;
}

static void
report (const char *what, MpfTftpMode mode, GBytes *image, guint blksize, guint windowsize)
{
  gint64 start = g_get_monotonic_time (), elapsed;
  guint64 blocks = 0;
  guint runs = 0;
  double seconds;

  do
    {
      blocks += transfer (mode, image, blksize, windowsize);
      runs++;
      elapsed = g_get_monotonic_time () - start;
    }
  while (elapsed < MIN_SECONDS * G_USEC_PER_SEC);
  seconds = (double) elapsed / G_USEC_PER_SEC;
  printf ("%-34s %11.0f blocks/s %9.1f MB/s %7.0f ns/block  (%u runs in %.2f s)\n", what,
          blocks / seconds, (double) IMAGE_SIZE * runs / seconds / 1e6,
          seconds * 1e9 / blocks, runs, seconds);
}

int
main (int argc, char **argv)
{
  guint8 *data = g_malloc (IMAGE_SIZE);
  g_autoptr(GBytes) image = NULL;

  for (guint i = 0; i < IMAGE_SIZE; i++)
    data[i] = (guint8) (i * 2654435761u >> 24);
  image = g_bytes_new_take (data, IMAGE_SIZE);

  printf ("TFTP engine, in process, 4 MiB image, perfect client\n");
  report ("hame recovery (512, lock-step)", MPF_TFTP_MODE_HAME_RECOVERY, image, 512, 1);
  report ("standard blksize 512", MPF_TFTP_MODE_STANDARD, image, 512, 1);
  report ("standard blksize 1468", MPF_TFTP_MODE_STANDARD, image, 1468, 1);
  report ("standard blksize 1468 windowsize 16", MPF_TFTP_MODE_STANDARD, image, 1468, 16);
  return 0;
}
