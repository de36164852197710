/* libFuzzer: the TFTP packet parser, and the engine fed arbitrary datagrams
 * in both modes. Invariant checked: the Hame dialect never gets anything but
 * DATA (an OACK or ERROR would restart the bootloader). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mpf-tftp-engine.h"
#include "mpf-tftp-packet.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
send_cb (MpfTftpSocket from, guint transfer_id, const char *address, guint16 port,
         const guint8 *pkt, gsize len, gpointer user_data)
{
  MpfTftpMode mode = GPOINTER_TO_INT (user_data);

  if (len < 4)
    abort ();
  if (mode == MPF_TFTP_MODE_HAME_RECOVERY && (pkt[0] != 0 || pkt[1] != MPF_TFTP_OP_DATA))
    abort ();
}

static void
parse_only (const guint8 *data, gsize size)
{
  g_autofree char *buf = g_malloc (size + 1);
  MpfTftpPacket pkt;

  if (!mpf_tftp_packet_parse (data, size, buf, &pkt))
    return;
  if (pkt.opcode == MPF_TFTP_OP_RRQ || pkt.opcode == MPF_TFTP_OP_WRQ)
    {
      (void) strlen (mpf_tftp_packet_get_filename (&pkt));
      (void) strlen (mpf_tftp_packet_get_mode (&pkt));
      for (guint i = 0; i < mpf_tftp_packet_get_n_options (&pkt); i++)
        {
          const char *name, *value;
          mpf_tftp_packet_get_option (&pkt, i, &name, &value);
          (void) strlen (name);
          (void) strlen (value);
        }
    }
  if (pkt.payload_len > 0 && pkt.payload + pkt.payload_len > data + size)
    abort ();
}

/* Input: records of [port low byte][length byte][bytes...]; the engine
 * first gets a valid request so later records hit a running transfer. */
static void
drive_engine (MpfTftpMode mode, const guint8 *data, gsize size)
{
  static const guint8 rrq[] = "\0\1" "9c417c75a478\0octet\0timeout\0" "5\0" "-1\0" "6\0"
                              "blksize\0" "8\0" "windowsize\0" "4";
  g_autoptr(GBytes) image = g_bytes_new_static (data, MIN (size, (gsize) 3000));
  g_autoptr(MpfTftpEngine) engine = mpf_tftp_engine_new (mode, image);
  gint64 now = 0;
  gsize pos = 0;

  mpf_tftp_engine_set_send_func (engine, send_cb, GINT_TO_POINTER (mode), NULL);
  mpf_tftp_engine_receive (engine, rrq, sizeof rrq - 1, "192.168.1.2", 1500, now);
  while (pos + 2 <= size)
    {
      guint16 port = data[pos] < 128 ? 1500 : (guint16) (1400 + data[pos]);
      gsize len = MIN ((gsize) data[pos + 1], size - pos - 2);

      now += 100 * 1000 * (data[pos] & 0x0f);
      mpf_tftp_engine_receive (engine, data + pos + 2, len, "192.168.1.2", port, now);
      if (data[pos] & 0x10)
        mpf_tftp_engine_tick (engine, mpf_tftp_engine_get_next_deadline (engine));
      pos += 2 + len;
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  parse_only (data, size);
  drive_engine (MPF_TFTP_MODE_HAME_RECOVERY, data, size);
  drive_engine (MPF_TFTP_MODE_STANDARD, data, size);
  return 0;
}
