/* MpfTftpEngine driven packet by packet: no sockets, no clock. */
#include "config.h"

#include <string.h>

#include "mpf-tftp-engine.h"
#include "mpf-tftp-packet.h"

#define ROUTER "192.168.1.2"
#define SEC    G_USEC_PER_SEC
#define MS     1000

/* The exact 44-byte read request of RECOVERY.md. */
static const guint8 hame_rrq[] =
  "\0\1" "9c417c75a478\0" "octet\0" "timeout\0" "5\0" "-386365873\0" "6";

typedef struct {
  MpfTftpSocket from;
  guint transfer_id;
  char *address;
  guint16 port;
  GBytes *bytes;
} Sent;

typedef struct {
  MpfTftpEngine *engine;
  GBytes *image;
  GPtrArray *sent;     /* Sent* */
  GPtrArray *events;   /* char*: "request", "restart 1", "complete", ... */
  char *last_mac;
  gint32 last_crc;
  gboolean last_has_crc;
  guint last_blksize, last_windowsize, last_timeout;
  MpfTftpProgress last_progress;
  guint n_progress;
} Fixture;

static void
sent_free (gpointer p)
{
  Sent *s = p;
  g_free (s->address);
  g_bytes_unref (s->bytes);
  g_free (s);
}

static void
send_cb (MpfTftpSocket from, guint transfer_id, const char *address, guint16 port,
         const guint8 *data, gsize len, gpointer user_data)
{
  Fixture *fx = user_data;
  Sent *s = g_new0 (Sent, 1);

  s->from = from;
  s->transfer_id = transfer_id;
  s->address = g_strdup (address);
  s->port = port;
  s->bytes = g_bytes_new (data, len);
  g_ptr_array_add (fx->sent, s);
}

static void
note_request (Fixture *fx, const MpfTftpRequest *req)
{
  g_free (fx->last_mac);
  fx->last_mac = g_strdup (req->mac12);
  fx->last_crc = req->crc;
  fx->last_has_crc = req->has_crc;
  fx->last_blksize = req->blksize;
  fx->last_windowsize = req->windowsize;
  fx->last_timeout = req->timeout_s;
}

static void
request_cb (MpfTftpEngine *e, const MpfTftpRequest *req, Fixture *fx)
{
  note_request (fx, req);
  g_ptr_array_add (fx->events, g_strdup_printf ("request %u", req->peer_port));
}

static void
restart_cb (MpfTftpEngine *e, const MpfTftpRequest *req, guint restarts, Fixture *fx)
{
  g_ptr_array_add (fx->events, g_strdup_printf ("restart %u", restarts));
}

static void
progress_cb (MpfTftpEngine *e, const MpfTftpProgress *p, Fixture *fx)
{
  fx->last_progress = *p;
  fx->n_progress++;
}

static void
complete_cb (MpfTftpEngine *e, const MpfTftpProgress *p, Fixture *fx)
{
  fx->last_progress = *p;
  g_ptr_array_add (fx->events, g_strdup ("complete"));
}

static void
flash_done_cb (MpfTftpEngine *e, const char *mac, Fixture *fx)
{
  g_ptr_array_add (fx->events, g_strdup_printf ("flash-done %s", mac));
}

static void
unsupported_cb (MpfTftpEngine *e, const MpfTftpRequest *req, Fixture *fx)
{
  note_request (fx, req);
  g_ptr_array_add (fx->events, g_strdup ("unsupported"));
}

static void
refused_cb (MpfTftpEngine *e, const MpfTftpRequest *req, guint reason, Fixture *fx)
{
  g_ptr_array_add (fx->events, g_strdup_printf ("refused %u", reason));
}

static void
error_cb (MpfTftpEngine *e, const GError *error, Fixture *fx)
{
  g_assert_true (error->domain == MPF_TFTP_ERROR);
  g_assert_nonnull (error->message);
  g_ptr_array_add (fx->events, g_strdup_printf ("error %d", error->code));
}

static GBytes *
pattern_bytes (gsize len)
{
  guint8 *buf = g_malloc (len + 1);

  for (gsize i = 0; i < len; i++)
    buf[i] = (guint8) ((i * 7 + i / 251) & 0xff);
  return g_bytes_new_take (buf, len);
}

static void
fixture_init (Fixture *fx, MpfTftpMode mode, gsize image_len)
{
  memset (fx, 0, sizeof *fx);
  fx->image = pattern_bytes (image_len);
  fx->engine = mpf_tftp_engine_new (mode, fx->image);
  fx->sent = g_ptr_array_new_with_free_func (sent_free);
  fx->events = g_ptr_array_new_with_free_func (g_free);
  mpf_tftp_engine_set_send_func (fx->engine, send_cb, fx, NULL);
  g_signal_connect (fx->engine, "request", G_CALLBACK (request_cb), fx);
  g_signal_connect (fx->engine, "restart", G_CALLBACK (restart_cb), fx);
  g_signal_connect (fx->engine, "progress", G_CALLBACK (progress_cb), fx);
  g_signal_connect (fx->engine, "transfer-complete", G_CALLBACK (complete_cb), fx);
  g_signal_connect (fx->engine, "flash-done", G_CALLBACK (flash_done_cb), fx);
  g_signal_connect (fx->engine, "unsupported-bootloader", G_CALLBACK (unsupported_cb), fx);
  g_signal_connect (fx->engine, "refused", G_CALLBACK (refused_cb), fx);
  g_signal_connect (fx->engine, "error", G_CALLBACK (error_cb), fx);
}

static void
fixture_clear (Fixture *fx)
{
  g_clear_object (&fx->engine);
  g_bytes_unref (fx->image);
  g_ptr_array_unref (fx->sent);
  g_ptr_array_unref (fx->events);
  g_free (fx->last_mac);
}

static void
feed (Fixture *fx, const void *pkt, gsize len, guint16 port, gint64 now)
{
  mpf_tftp_engine_receive (fx->engine, pkt, len, ROUTER, port, now);
}

static void
feed_ack (Fixture *fx, guint16 block, guint16 port, gint64 now)
{
  guint8 buf[4];
  gsize len = mpf_tftp_packet_build_ack (buf, sizeof buf, block);

  feed (fx, buf, len, port, now);
}

static void
feed_rrq (Fixture *fx, guint16 port, gint64 now, const char *first, ...)
{
  const char *strings[16];
  guint n = 0;
  guint8 buf[512];
  va_list ap;

  va_start (ap, first);
  for (const char *s = first; s != NULL && n < 15; s = va_arg (ap, const char *))
    strings[n++] = s;
  va_end (ap);
  strings[n] = NULL;
  feed (fx, buf, mpf_tftp_packet_build_request (buf, sizeof buf, MPF_TFTP_OP_RRQ, strings),
        port, now);
}

static void
feed_hame_rrq (Fixture *fx, const char *mac, guint16 port, gint64 now)
{
  feed_rrq (fx, port, now, mac, "octet", "timeout", "5", "-386365873", "6", NULL);
}

/* A request each mode serves without options. */
static void
feed_any_rrq (Fixture *fx, MpfTftpMode mode, guint16 port, gint64 now)
{
  if (mode == MPF_TFTP_MODE_HAME_RECOVERY)
    feed_hame_rrq (fx, "9c417c75a478", port, now);
  else
    feed_rrq (fx, port, now, "9c417c75a478", "octet", NULL);
}

static Sent *
sent_at (Fixture *fx, guint i)
{
  g_assert_cmpuint (i, <, fx->sent->len);
  return fx->sent->pdata[i];
}

/* Asserts packet @i is DATA @block carrying the image's block @abs_block. */
static void
assert_data (Fixture *fx, guint i, guint64 abs_block, guint blksize, guint16 port)
{
  Sent *s = sent_at (fx, i);
  gsize len, img_len;
  const guint8 *d = g_bytes_get_data (s->bytes, &len);
  const guint8 *img = g_bytes_get_data (fx->image, &img_len);
  gsize off = (gsize) ((abs_block - 1) * blksize);
  gsize want = MIN ((gsize) blksize, img_len - off);

  g_assert_cmpint (s->from, ==, MPF_TFTP_SOCKET_TRANSFER);
  g_assert_cmpstr (s->address, ==, ROUTER);
  g_assert_cmpuint (s->port, ==, port);
  g_assert_cmpuint (len, ==, want + 4);
  g_assert_cmpuint (d[0], ==, 0);
  g_assert_cmpuint (d[1], ==, MPF_TFTP_OP_DATA);
  g_assert_cmpuint ((d[2] << 8) | d[3], ==, abs_block & 0xffff);
  g_assert_cmpmem (d + 4, want, img + off, want);
}

static void
assert_error (Fixture *fx, guint i, MpfTftpSocket from, guint16 port, guint16 code)
{
  Sent *s = sent_at (fx, i);
  gsize len;
  const guint8 *d = g_bytes_get_data (s->bytes, &len);

  g_assert_cmpint (s->from, ==, from);
  g_assert_cmpuint (s->port, ==, port);
  g_assert_cmpuint (len, >=, 5);
  g_assert_cmpuint ((d[0] << 8) | d[1], ==, MPF_TFTP_OP_ERROR);
  g_assert_cmpuint ((d[2] << 8) | d[3], ==, code);
  g_assert_cmpuint (d[len - 1], ==, 0);
}

static gboolean
has_event (Fixture *fx, const char *ev)
{
  for (guint i = 0; i < fx->events->len; i++)
    if (g_strcmp0 (fx->events->pdata[i], ev) == 0)
      return TRUE;
  return FALSE;
}

static guint
count_events (Fixture *fx, const char *ev)
{
  guint n = 0;
  for (guint i = 0; i < fx->events->len; i++)
    n += g_strcmp0 (fx->events->pdata[i], ev) == 0;
  return n;
}

/* The Hame bootloader must never see anything but DATA. */
static void
assert_only_data (Fixture *fx)
{
  for (guint i = 0; i < fx->sent->len; i++)
    {
      const guint8 *d = g_bytes_get_data (sent_at (fx, i)->bytes, NULL);
      g_assert_cmpuint ((d[0] << 8) | d[1], ==, MPF_TFTP_OP_DATA);
    }
}

/* ACKs every block from @from on, in order, until done; returns the time. */
static gint64
run_lockstep_from (Fixture *fx, guint16 port, guint blksize, guint64 from, gint64 now)
{
  gsize img_len = g_bytes_get_size (fx->image);
  guint64 total = img_len / blksize + 1;

  for (guint64 n = from; n <= total; n++)
    {
      assert_data (fx, fx->sent->len - 1, n, blksize, port);
      now += MS;
      feed_ack (fx, (guint16) (n & 0xffff), port, now);
    }
  return now;
}

static gint64
run_lockstep (Fixture *fx, guint16 port, guint blksize, gint64 now)
{
  return run_lockstep_from (fx, port, blksize, 1, now);
}

/* ---- Hame dialect ---- */

static void
test_hame_request_parsing (void)
{
  Fixture fx;

  g_assert_cmpuint (sizeof hame_rrq, ==, 44);
  fixture_init (&fx, MPF_TFTP_MODE_HAME_RECOVERY, 3000);
  feed (&fx, hame_rrq, sizeof hame_rrq, 1500, 0);
  g_assert_true (has_event (&fx, "request 1500"));
  g_assert_cmpstr (fx.last_mac, ==, "9c417c75a478");
  g_assert_true (fx.last_has_crc);
  g_assert_cmpint (fx.last_crc, ==, -386365873);
  g_assert_cmpuint (fx.last_blksize, ==, 0);  /* no options negotiated */
  g_assert_cmpuint (fx.sent->len, ==, 1);
  assert_data (&fx, 0, 1, 512, 1500);
  g_assert_cmpint (mpf_tftp_engine_get_state (fx.engine), ==, MPF_TFTP_STATE_SENDING);
  g_assert_cmpint (mpf_tftp_engine_get_next_deadline (fx.engine), ==, SEC);
  fixture_clear (&fx);
}

static void
test_hame_uppercase_mac (void)
{
  Fixture fx;

  fixture_init (&fx, MPF_TFTP_MODE_HAME_RECOVERY, 100);
  feed_hame_rrq (&fx, "9C417C75A478", 1500, 0);
  g_assert_cmpstr (fx.last_mac, ==, "9c417c75a478");
  fixture_clear (&fx);
}

static void
test_hame_full_transfer (void)
{
  Fixture fx;
  gint64 now;

  fixture_init (&fx, MPF_TFTP_MODE_HAME_RECOVERY, 3000);
  feed (&fx, hame_rrq, sizeof hame_rrq, 1500, 0);
  now = run_lockstep (&fx, 1500, 512, 0);
  g_assert_cmpuint (fx.sent->len, ==, 6);   /* 5 full + 440 bytes */
  g_assert_true (has_event (&fx, "complete"));
  g_assert_cmpuint (fx.last_progress.bytes_acked, ==, 3000);
  g_assert_cmpuint (fx.last_progress.blocks_acked, ==, 6);
  g_assert_cmpuint (fx.last_progress.retransmissions, ==, 0);
  assert_only_data (&fx);
  /* Keeps listening for opcode 9 after the last ACK. */
  g_assert_cmpint (mpf_tftp_engine_get_state (fx.engine), ==, MPF_TFTP_STATE_WAIT_FLASH_DONE);
  g_assert_cmpint (mpf_tftp_engine_get_next_deadline (fx.engine), ==, now + 300 * SEC);
  fixture_clear (&fx);
}

static void
test_exact_multiple (gconstpointer data)
{
  MpfTftpMode mode = GPOINTER_TO_INT (data);
  Fixture fx;
  gsize len;

  fixture_init (&fx, mode, 1024);
  if (mode == MPF_TFTP_MODE_HAME_RECOVERY)
    feed_hame_rrq (&fx, "9c417c75a478", 1500, 0);
  else
    feed_rrq (&fx, 1500, 0, "f", "octet", NULL);
  run_lockstep (&fx, 1500, 512, 0);
  g_assert_cmpuint (fx.sent->len, ==, 3);
  g_bytes_get_data (sent_at (&fx, 2)->bytes, &len);
  g_assert_cmpuint (len, ==, 4);   /* the zero-length final block */
  g_assert_true (has_event (&fx, "complete"));
  g_assert_cmpuint (fx.last_progress.total_blocks, ==, 3);
  fixture_clear (&fx);
}

static void
test_hame_data_loss (void)
{
  Fixture fx;

  fixture_init (&fx, MPF_TFTP_MODE_HAME_RECOVERY, 2000);
  feed_hame_rrq (&fx, "9c417c75a478", 1500, 0);
  feed_ack (&fx, 1, 1500, 10 * MS);       /* DATA 2 goes out and is lost */
  g_assert_cmpuint (fx.sent->len, ==, 2);
  mpf_tftp_engine_tick (fx.engine, 500 * MS);
  g_assert_cmpuint (fx.sent->len, ==, 2); /* not yet: ~1 s of silence */
  g_assert_cmpint (mpf_tftp_engine_get_next_deadline (fx.engine), ==, 10 * MS + SEC);
  mpf_tftp_engine_tick (fx.engine, 10 * MS + SEC);
  g_assert_cmpuint (fx.sent->len, ==, 3);
  assert_data (&fx, 2, 2, 512, 1500);
  mpf_tftp_engine_get_progress (fx.engine, &fx.last_progress);
  g_assert_cmpuint (fx.last_progress.retransmissions, ==, 1);
  run_lockstep_from (&fx, 1500, 512, 2, 2 * SEC);
  g_assert_true (has_event (&fx, "complete"));
  assert_only_data (&fx);
  fixture_clear (&fx);
}

/* The bootloader's own timer (~0.35 s) repeats its ACK before our 1 s timer:
 * answering it at once spends only one of its ten timeouts. */
static void
test_hame_router_timeout_answered_at_once (void)
{
  Fixture fx;

  fixture_init (&fx, MPF_TFTP_MODE_HAME_RECOVERY, 2000);
  feed_hame_rrq (&fx, "9c417c75a478", 1500, 0);
  feed_ack (&fx, 1, 1500, 10 * MS);       /* DATA 2 lost */
  feed_ack (&fx, 1, 1500, 360 * MS);      /* router timed out, repeats ACK 1 */
  g_assert_cmpuint (fx.sent->len, ==, 3);
  assert_data (&fx, 2, 2, 512, 1500);
  feed_ack (&fx, 2, 1500, 361 * MS);
  assert_data (&fx, 3, 3, 512, 1500);
  fixture_clear (&fx);
}

static void
test_hame_ack_loss (void)
{
  Fixture fx;

  fixture_init (&fx, MPF_TFTP_MODE_HAME_RECOVERY, 2000);
  feed_hame_rrq (&fx, "9c417c75a478", 1500, 0);
  feed_ack (&fx, 1, 1500, 10 * MS);
  /* The router got DATA 2, its ACK 2 is lost: our timer resends DATA 2,
   * which the router ignores; its own timer then repeats ACK 2. */
  mpf_tftp_engine_tick (fx.engine, 10 * MS + SEC);
  g_assert_cmpuint (fx.sent->len, ==, 3);
  assert_data (&fx, 2, 2, 512, 1500);
  feed_ack (&fx, 2, 1500, 10 * MS + SEC + 350 * MS);
  g_assert_cmpuint (fx.sent->len, ==, 4);
  assert_data (&fx, 3, 3, 512, 1500);
  run_lockstep_from (&fx, 1500, 512, 3, 2 * SEC);
  g_assert_true (has_event (&fx, "complete"));
  fixture_clear (&fx);
}

static void
test_duplicate_ack_no_storm (gconstpointer data)
{
  MpfTftpMode mode = GPOINTER_TO_INT (data);
  Fixture fx;

  fixture_init (&fx, mode, 5000);
  if (mode == MPF_TFTP_MODE_HAME_RECOVERY)
    feed_hame_rrq (&fx, "9c417c75a478", 1500, 0);
  else
    feed_rrq (&fx, 1500, 0, "f", "octet", NULL);
  feed_ack (&fx, 1, 1500, 10 * MS);
  g_assert_cmpuint (fx.sent->len, ==, 2);
  /* Network-duplicated copies of ACK 1 arriving right after. */
  for (gint64 t = 11 * MS; t < 100 * MS; t += MS)
    feed_ack (&fx, 1, 1500, t);
  g_assert_cmpuint (fx.sent->len, ==, 2);
  /* Old ACKs are never answered. */
  feed_ack (&fx, 0, 1500, 120 * MS);
  g_assert_cmpuint (fx.sent->len, ==, 2);
  if (mode == MPF_TFTP_MODE_STANDARD)
    {
      /* RFC 1123: a lock-step standard client's duplicate ACK never triggers
       * a resend, however late; the timer alone does. */
      feed_ack (&fx, 1, 1500, 900 * MS);
      g_assert_cmpuint (fx.sent->len, ==, 2);
    }
  feed_ack (&fx, 2, 1500, 950 * MS);
  g_assert_cmpuint (fx.sent->len, ==, 3);
  assert_data (&fx, 2, 3, 512, 1500);
  fixture_clear (&fx);
}

static void
test_wrap_lockstep (void)
{
  Fixture fx;
  gsize total = 8 * 70000 + 3;

  fixture_init (&fx, MPF_TFTP_MODE_STANDARD, total);
  feed_rrq (&fx, 2000, 0, "big", "octet", "blksize", "8", NULL);
  g_assert_cmpuint (fx.last_blksize, ==, 8);
  feed_ack (&fx, 0, 2000, MS);
  run_lockstep (&fx, 2000, 8, MS);
  g_assert_true (has_event (&fx, "complete"));
  g_assert_cmpuint (fx.last_progress.blocks_acked, ==, 70001);
  g_assert_cmpuint (fx.last_progress.bytes_acked, ==, total);
  /* OACK + 70001 DATA, no resend anywhere; block 65536 went out as 0. */
  g_assert_cmpuint (fx.sent->len, ==, 70002);
  assert_data (&fx, 65536, 65536, 8, 2000);
  assert_data (&fx, 65537, 65537, 8, 2000);
  fixture_clear (&fx);
}

static void
test_wrap_windowed (void)
{
  Fixture fx;
  gsize total = 8 * 66000;  /* exact multiple: 66001 blocks, last one empty */
  guint64 acked = 0;
  gint64 now = MS;

  fixture_init (&fx, MPF_TFTP_MODE_STANDARD, total);
  feed_rrq (&fx, 2000, 0, "big", "octet", "blksize", "8", "windowsize", "16", NULL);
  g_assert_cmpuint (fx.last_windowsize, ==, 16);
  feed_ack (&fx, 0, 2000, now);
  while (!has_event (&fx, "complete"))
    {
      guint64 upto = MIN (acked + 16, (guint64) 66001);
      /* The window's last packet is DATA upto. */
      assert_data (&fx, fx.sent->len - 1, upto, 8, 2000);
      acked = upto;
      feed_ack (&fx, (guint16) (acked & 0xffff), 2000, now += MS);
    }
  g_assert_cmpuint (fx.last_progress.blocks_acked, ==, 66001);
  g_assert_cmpuint (fx.last_progress.retransmissions, ==, 0);
  g_assert_cmpuint (fx.sent->len, ==, 1 + 66001);
  fixture_clear (&fx);
}

static void
test_windowsize_sliding (void)
{
  Fixture fx;

  fixture_init (&fx, MPF_TFTP_MODE_STANDARD, 512 * 10 + 100);  /* 11 blocks */
  feed_rrq (&fx, 2000, 0, "f", "octet", "windowsize", "4", NULL);
  g_assert_cmpuint (fx.sent->len, ==, 1);   /* OACK */
  feed_ack (&fx, 0, 2000, MS);
  g_assert_cmpuint (fx.sent->len, ==, 5);
  for (guint i = 1; i <= 4; i++)
    assert_data (&fx, i, i, 512, 2000);
  /* An ACK in the middle slides the window: only 5 and 6 are new. */
  feed_ack (&fx, 2, 2000, 2 * MS);
  g_assert_cmpuint (fx.sent->len, ==, 7);
  assert_data (&fx, 5, 5, 512, 2000);
  assert_data (&fx, 6, 6, 512, 2000);
  feed_ack (&fx, 6, 2000, 3 * MS);
  g_assert_cmpuint (fx.sent->len, ==, 11);
  assert_data (&fx, 10, 10, 512, 2000);
  /* The client saw a gap after 7: ACK 7, then repeats it for each
   * out-of-order block. We go back once, not once per duplicate. */
  feed_ack (&fx, 7, 2000, 4 * MS);
  g_assert_cmpuint (fx.sent->len, ==, 12);
  assert_data (&fx, 11, 11, 512, 2000);
  feed_ack (&fx, 7, 2000, 5 * MS);
  g_assert_cmpuint (fx.sent->len, ==, 16);
  for (guint i = 0; i < 4; i++)
    assert_data (&fx, 12 + i, 8 + i, 512, 2000);
  feed_ack (&fx, 7, 2000, 6 * MS);
  feed_ack (&fx, 7, 2000, 7 * MS);
  g_assert_cmpuint (fx.sent->len, ==, 16);
  /* A timeout resends the whole window from the first unacknowledged block. */
  mpf_tftp_engine_tick (fx.engine, 5 * MS + SEC);
  g_assert_cmpuint (fx.sent->len, ==, 20);
  assert_data (&fx, 16, 8, 512, 2000);
  feed_ack (&fx, 11, 2000, 2 * SEC);
  g_assert_true (has_event (&fx, "complete"));
  g_assert_cmpuint (fx.last_progress.retransmissions, ==, 8);
  fixture_clear (&fx);
}

static void
test_options_negotiation (void)
{
  static const guint8 want[] = "\0\6blksize\0" "1024\0" "tsize\0" "5000\0" "timeout\0" "3";
  Fixture fx;
  gsize len;
  const guint8 *d;

  fixture_init (&fx, MPF_TFTP_MODE_STANDARD, 5000);
  feed_rrq (&fx, 2000, 0, "f", "octet", "BLKSIZE", "1024", "tsize", "0", "timeout", "3",
            "unknown", "x", NULL);
  g_assert_cmpuint (fx.sent->len, ==, 1);
  d = g_bytes_get_data (sent_at (&fx, 0)->bytes, &len);
  g_assert_cmpmem (d, len, want, sizeof want);
  g_assert_cmpint (sent_at (&fx, 0)->from, ==, MPF_TFTP_SOCKET_TRANSFER);
  g_assert_cmpuint (fx.last_timeout, ==, 3);
  /* The client's timeout replaces ours: OACK lost, resent after 3 s. */
  g_assert_cmpint (mpf_tftp_engine_get_next_deadline (fx.engine), ==, 3 * SEC);
  mpf_tftp_engine_tick (fx.engine, SEC);
  g_assert_cmpuint (fx.sent->len, ==, 1);
  mpf_tftp_engine_tick (fx.engine, 3 * SEC);
  g_assert_cmpuint (fx.sent->len, ==, 2);
  g_assert_cmpmem (g_bytes_get_data (sent_at (&fx, 1)->bytes, NULL), sizeof want, want, sizeof want);
  /* DATA starts only after ACK 0. */
  feed_ack (&fx, 1, 2000, 3 * SEC + MS);
  g_assert_cmpuint (fx.sent->len, ==, 2);
  feed_ack (&fx, 0, 2000, 3 * SEC + 2 * MS);
  assert_data (&fx, 2, 1, 1024, 2000);
  run_lockstep (&fx, 2000, 1024, 4 * SEC);
  g_assert_true (has_event (&fx, "complete"));
  fixture_clear (&fx);
}

static void
test_options_only_when_asked (void)
{
  Fixture fx;

  fixture_init (&fx, MPF_TFTP_MODE_STANDARD, 5000);
  /* blksize below 8 and a huge windowsize are not valid: ignored. */
  feed_rrq (&fx, 2000, 0, "f", "octet", "blksize", "4", "windowsize", "0", NULL);
  g_assert_cmpuint (fx.sent->len, ==, 1);
  assert_data (&fx, 0, 1, 512, 2000);
  fixture_clear (&fx);

  /* Hame requests carry "timeout 5": never an OACK. */
  fixture_init (&fx, MPF_TFTP_MODE_HAME_RECOVERY, 5000);
  feed_rrq (&fx, 2000, 0, "9c417c75a478", "octet", "timeout", "5", "-1", "6",
            "blksize", "1024", NULL);
  g_assert_cmpuint (fx.sent->len, ==, 1);
  assert_data (&fx, 0, 1, 512, 2000);
  fixture_clear (&fx);
}

static void
test_oack_rejected (void)
{
  static const guint8 err8[] = "\0\5\0\10no thanks";
  Fixture fx;

  fixture_init (&fx, MPF_TFTP_MODE_STANDARD, 5000);
  feed_rrq (&fx, 2000, 0, "f", "octet", "blksize", "1400", NULL);
  feed (&fx, err8, sizeof err8, 2000, MS);
  g_assert_true (has_event (&fx, "error 1"));
  g_assert_cmpint (mpf_tftp_engine_get_state (fx.engine), ==, MPF_TFTP_STATE_IDLE);
  g_assert_cmpint (mpf_tftp_engine_get_next_deadline (fx.engine), ==, -1);
  g_assert_cmpuint (fx.sent->len, ==, 1);   /* no ERROR answered to an ERROR */
  fixture_clear (&fx);
}

static void
test_hame_opcodes_7_8_9 (void)
{
  static const guint8 op7[] = { 0, 7 };
  static const guint8 op8[] = "\0\10" "9c417c75a478";
  static const guint8 op9[] = "\0\11" "9c417c75a478";
  static const guint8 op9_other[] = "\0\11" "001122334455";
  Fixture fx;

  fixture_init (&fx, MPF_TFTP_MODE_HAME_RECOVERY, 1500);
  feed_hame_rrq (&fx, "9c417c75a478", 1500, 0);
  feed (&fx, op7, sizeof op7, 1500, MS);
  feed (&fx, op8, sizeof op8, 1500, MS);
  g_assert_cmpuint (fx.sent->len, ==, 1);
  g_assert_cmpint (mpf_tftp_engine_get_state (fx.engine), ==, MPF_TFTP_STATE_SENDING);
  /* Opcode 9 before the transfer ended means nothing. */
  feed (&fx, op9, 14, 1500, MS);
  g_assert_false (has_event (&fx, "flash-done 9c417c75a478"));

  run_lockstep (&fx, 1500, 512, MS);
  g_assert_cmpint (mpf_tftp_engine_get_state (fx.engine), ==, MPF_TFTP_STATE_WAIT_FLASH_DONE);
  feed (&fx, op9_other, 14, 1500, SEC);
  g_assert_cmpint (mpf_tftp_engine_get_state (fx.engine), ==, MPF_TFTP_STATE_WAIT_FLASH_DONE);
  feed (&fx, op9, 14, 1500, 60 * SEC);  /* exactly 14 bytes, no NUL */
  g_assert_true (has_event (&fx, "flash-done 9c417c75a478"));
  g_assert_cmpint (mpf_tftp_engine_get_state (fx.engine), ==, MPF_TFTP_STATE_IDLE);
  feed (&fx, op9, 14, 1500, 61 * SEC);
  g_assert_cmpuint (count_events (&fx, "flash-done 9c417c75a478"), ==, 1);
  assert_only_data (&fx);
  fixture_clear (&fx);

  /* Standard clients have no opcode 9. */
  fixture_init (&fx, MPF_TFTP_MODE_STANDARD, 100);
  feed_rrq (&fx, 2000, 0, "9c417c75a478", "octet", NULL);
  feed_ack (&fx, 1, 2000, MS);
  feed (&fx, op9, 14, 2000, 2 * MS);
  g_assert_false (has_event (&fx, "flash-done 9c417c75a478"));
  fixture_clear (&fx);
}

/* The router's last ACK was lost: its opcode 9 still ends the transfer,
 * also after the engine gave up resending the last block. */
static void
test_hame_last_ack_lost (gconstpointer data)
{
  static const guint8 op9[] = "\0\11" "9c417c75a478";
  gboolean gave_up = GPOINTER_TO_INT (data);
  Fixture fx;

  fixture_init (&fx, MPF_TFTP_MODE_HAME_RECOVERY, 700);
  g_object_set (fx.engine, "max-retries", 2u, NULL);
  feed_hame_rrq (&fx, "9c417c75a478", 1500, 0);
  feed_ack (&fx, 1, 1500, MS);             /* DATA 2 (188 bytes) goes out, its ACK is lost */
  mpf_tftp_engine_tick (fx.engine, MS + SEC);
  mpf_tftp_engine_tick (fx.engine, MS + 2 * SEC);
  if (gave_up)
    {
      mpf_tftp_engine_tick (fx.engine, MS + 3 * SEC);
      g_assert_true (has_event (&fx, "error 0"));
    }
  g_assert_false (has_event (&fx, "complete"));
  feed (&fx, op9, 14, 1500, 40 * SEC);
  g_assert_true (has_event (&fx, "complete"));
  g_assert_true (has_event (&fx, "flash-done 9c417c75a478"));
  g_assert_cmpuint (fx.last_progress.bytes_acked, ==, 700);
  g_assert_cmpint (mpf_tftp_engine_get_state (fx.engine), ==, MPF_TFTP_STATE_IDLE);
  /* And the MAC now counts as served. */
  feed_hame_rrq (&fx, "9c417c75a478", 1600, 50 * SEC);
  g_assert_true (has_event (&fx, "refused 3"));
  fixture_clear (&fx);
}

static void
test_flash_done_timeout (void)
{
  static const guint8 op9[] = "\0\11" "9c417c75a478";
  Fixture fx;
  gint64 now;

  fixture_init (&fx, MPF_TFTP_MODE_HAME_RECOVERY, 700);
  g_object_set (fx.engine, "flash-done-timeout-us", (gint64) 10 * SEC, NULL);
  feed_hame_rrq (&fx, "9c417c75a478", 1500, 0);
  now = run_lockstep (&fx, 1500, 512, 0);
  mpf_tftp_engine_tick (fx.engine, now + 9 * SEC);
  g_assert_false (has_event (&fx, "error 2"));
  mpf_tftp_engine_tick (fx.engine, now + 10 * SEC);
  g_assert_true (has_event (&fx, "error 2"));
  g_assert_cmpint (mpf_tftp_engine_get_state (fx.engine), ==, MPF_TFTP_STATE_IDLE);
  /* A late opcode 9 is still reported. */
  feed (&fx, op9, 14, 1500, now + 20 * SEC);
  g_assert_true (has_event (&fx, "flash-done 9c417c75a478"));
  fixture_clear (&fx);
}

static void
run_garbage (Fixture *fx, gint64 now)
{
  static const struct { const char *p; gsize len; } junk[] = {
    { "", 0 }, { "\0", 1 }, { "\0\0", 2 }, { "\0\3\0", 3 }, { "\0\4\0", 3 },
    { "\0\12xx", 4 }, { "\xff\xff\0\1", 4 }, { "\0\1", 2 }, { "\0\1\0octet\0", 9 },
    { "\0\1name", 6 }, { "\0\2", 2 }, { "\0\5", 2 }, { "\0\6", 2 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (junk); i++)
    feed (fx, junk[i].p, junk[i].len, 1500, now);
}

static void
test_garbage (gconstpointer data)
{
  MpfTftpMode mode = GPOINTER_TO_INT (data);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  Fixture fx;
  guint8 buf[600];

  fixture_init (&fx, mode, 3000);
  run_garbage (&fx, 0);
  g_assert_cmpuint (fx.sent->len, ==, 0);
  g_assert_cmpuint (fx.events->len, ==, 0);
  g_assert_cmpint (mpf_tftp_engine_get_state (fx.engine), ==, MPF_TFTP_STATE_IDLE);

  feed_hame_rrq (&fx, "9c417c75a478", 1500, 0);
  g_assert_cmpuint (fx.sent->len, ==, 1);
  run_garbage (&fx, MS);
  g_assert_cmpuint (fx.sent->len, ==, 1);
  g_assert_cmpuint (fx.events->len, ==, 1);
  g_assert_cmpint (mpf_tftp_engine_get_state (fx.engine), ==, MPF_TFTP_STATE_SENDING);

  /* Random datagrams from another port: never a crash; in Hame mode never
   * anything but DATA. */
  for (guint i = 0; i < 20000; i++)
    {
      gsize len = g_rand_int_range (rand, 0, sizeof buf);
      for (gsize j = 0; j < len; j++)
        buf[j] = (guint8) g_rand_int_range (rand, 0, 256);
      if (len >= 2 && g_rand_boolean (rand))
        buf[0] = 0, buf[1] = (guint8) g_rand_int_range (rand, 0, 12);
      mpf_tftp_engine_receive (fx.engine, buf, len, "192.168.1.9", 3333, 2 * MS);
    }
  if (mode == MPF_TFTP_MODE_HAME_RECOVERY)
    assert_only_data (&fx);
  fixture_clear (&fx);
}

static void
test_wrong_peer_port (gconstpointer data)
{
  MpfTftpMode mode = GPOINTER_TO_INT (data);
  static const guint8 err[] = "\0\5\0\0stray";
  Fixture fx;

  fixture_init (&fx, mode, 3000);
  feed_any_rrq (&fx, mode, 2000, 0);
  feed_ack (&fx, 1, 3000, MS);
  feed (&fx, err, sizeof err, 3000, MS);
  if (mode == MPF_TFTP_MODE_STANDARD)
    {
      /* RFC 1350: ERROR 5 to the stranger, from the transfer socket. */
      g_assert_cmpuint (fx.sent->len, ==, 2);
      assert_error (&fx, 1, MPF_TFTP_SOCKET_TRANSFER, 3000, MPF_TFTP_ERR_UNKNOWN_TID);
    }
  else
    {
      /* Never an ERROR towards the bootloader's network. */
      g_assert_cmpuint (fx.sent->len, ==, 1);
    }
  /* The transfer goes on undisturbed. */
  g_assert_cmpint (mpf_tftp_engine_get_state (fx.engine), ==, MPF_TFTP_STATE_SENDING);
  g_assert_false (has_event (&fx, "error 1"));
  feed_ack (&fx, 1, 2000, 2 * MS);
  assert_data (&fx, fx.sent->len - 1, 2, 512, 2000);
  fixture_clear (&fx);
}

static void
test_write_request (gconstpointer data)
{
  MpfTftpMode mode = GPOINTER_TO_INT (data);
  static const guint8 wrq[] = "\0\2" "9c417c75a478\0octet\0timeout\0" "5\0" "-1\0" "6";
  Fixture fx;

  fixture_init (&fx, mode, 3000);
  feed (&fx, wrq, sizeof wrq, 2000, 0);
  g_assert_true (has_event (&fx, "refused 0"));
  g_assert_cmpint (mpf_tftp_engine_get_state (fx.engine), ==, MPF_TFTP_STATE_IDLE);
  if (mode == MPF_TFTP_MODE_STANDARD)
    {
      g_assert_cmpuint (fx.sent->len, ==, 1);
      assert_error (&fx, 0, MPF_TFTP_SOCKET_LISTEN, 2000, MPF_TFTP_ERR_ACCESS_VIOLATION);
    }
  else
    {
      g_assert_cmpuint (fx.sent->len, ==, 0);
    }
  fixture_clear (&fx);
}

static void
test_hame_without_crc (void)
{
  Fixture fx;

  fixture_init (&fx, MPF_TFTP_MODE_HAME_RECOVERY, 3000);
  feed_rrq (&fx, 2000, 0, "9c417c75a478", "octet", "timeout", "5", NULL);
  feed_rrq (&fx, 2000, 700 * MS, "9c417c75a478", "octet", "timeout", "5", NULL);
  g_assert_cmpuint (count_events (&fx, "unsupported"), ==, 1);
  g_assert_cmpstr (fx.last_mac, ==, "9c417c75a478");
  g_assert_false (fx.last_has_crc);
  /* A plain Ralink U-Boot asking for its own file. */
  feed_rrq (&fx, 2001, SEC, "uboot.bin", "octet", NULL);
  g_assert_cmpuint (count_events (&fx, "unsupported"), ==, 2);
  g_assert_cmpuint (fx.sent->len, ==, 0);
  g_assert_cmpint (mpf_tftp_engine_get_state (fx.engine), ==, MPF_TFTP_STATE_IDLE);
  /* Fingerprint present but the name is not a MAC. */
  feed_rrq (&fx, 2002, SEC, "firmware.bin", "octet", "timeout", "5", "123", "6", NULL);
  g_assert_true (has_event (&fx, "refused 1"));
  g_assert_cmpuint (fx.sent->len, ==, 0);
  fixture_clear (&fx);
}

static void
test_restart (gconstpointer data)
{
  MpfTftpMode mode = GPOINTER_TO_INT (data);
  Fixture fx;
  guint first_tid;

  fixture_init (&fx, mode, 5000);
  feed_any_rrq (&fx, mode, 1500, 0);
  first_tid = sent_at (&fx, 0)->transfer_id;
  /* Our DATA 1 is late: the bootloader repeats its request from the same
   * port. That is a retransmission, not a restart. */
  feed_any_rrq (&fx, mode, 1500, 700 * MS);
  g_assert_cmpuint (fx.sent->len, ==, 2);
  assert_data (&fx, 1, 1, 512, 1500);
  g_assert_cmpuint (count_events (&fx, "request 1500"), ==, 1);
  g_assert_false (has_event (&fx, "restart 1"));

  for (guint16 b = 1; b <= 3; b++)
    feed_ack (&fx, b, 1500, SEC + b * MS);
  /* A request from the same port after the transfer began is stale. */
  feed_any_rrq (&fx, mode, 1500, SEC + 5 * MS);
  g_assert_cmpuint (fx.sent->len, ==, 5);

  /* New port: the router restarted the transfer. */
  feed_any_rrq (&fx, mode, 1600, 2 * SEC);
  g_assert_true (has_event (&fx, "restart 1"));
  g_assert_true (has_event (&fx, "request 1600"));
  assert_data (&fx, fx.sent->len - 1, 1, 512, 1600);
  g_assert_cmpuint (sent_at (&fx, fx.sent->len - 1)->transfer_id, !=, first_tid);
  mpf_tftp_engine_get_progress (fx.engine, &fx.last_progress);
  g_assert_cmpuint (fx.last_progress.restarts, ==, 1);
  g_assert_cmpuint (fx.last_progress.blocks_acked, ==, 0);

  /* The old port's late ACK does not disturb the new attempt. */
  feed_ack (&fx, 4, 1500, 2 * SEC + MS);
  g_assert_cmpuint (fx.sent->len, ==, mode == MPF_TFTP_MODE_STANDARD ? 7 : 6);
  feed_ack (&fx, 1, 1600, 2 * SEC + 2 * MS);
  assert_data (&fx, fx.sent->len - 1, 2, 512, 1600);
  fixture_clear (&fx);
}

/* Standard clients: each silent resend doubles the wait (1, 2, 4, 8, 8 s),
 * so a client whose own timer restarts on every packet (atftp) gets to
 * time out and speak. The Hame wait stays at 1 s. */
static void
test_standard_backoff (void)
{
  static const gint64 at[] = { 1, 3, 7, 15, 23 };
  Fixture fx;

  fixture_init (&fx, MPF_TFTP_MODE_STANDARD, 5000);
  feed_rrq (&fx, 2000, 0, "f", "octet", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (at); i++)
    {
      g_assert_cmpint (mpf_tftp_engine_get_next_deadline (fx.engine), ==, at[i] * SEC);
      mpf_tftp_engine_tick (fx.engine, at[i] * SEC - 1);
      g_assert_cmpuint (fx.sent->len, ==, i + 1);
      mpf_tftp_engine_tick (fx.engine, at[i] * SEC);
      g_assert_cmpuint (fx.sent->len, ==, i + 2);
      assert_data (&fx, i + 1, 1, 512, 2000);
    }
  /* An answer resets the wait. */
  feed_ack (&fx, 1, 2000, 24 * SEC);
  g_assert_cmpint (mpf_tftp_engine_get_next_deadline (fx.engine), ==, 25 * SEC);
  fixture_clear (&fx);

  fixture_init (&fx, MPF_TFTP_MODE_HAME_RECOVERY, 5000);
  feed_hame_rrq (&fx, "9c417c75a478", 1500, 0);
  for (gint64 t = 1; t <= 5; t++)
    {
      g_assert_cmpint (mpf_tftp_engine_get_next_deadline (fx.engine), ==, t * SEC);
      mpf_tftp_engine_tick (fx.engine, t * SEC);
    }
  fixture_clear (&fx);
}

static void
test_hame_restart_after_give_up (void)
{
  Fixture fx;

  fixture_init (&fx, MPF_TFTP_MODE_HAME_RECOVERY, 5000);
  g_object_set (fx.engine, "max-retries", 3u, NULL);
  feed_hame_rrq (&fx, "9c417c75a478", 1500, 0);
  for (gint64 t = 1; t <= 3; t++)
    mpf_tftp_engine_tick (fx.engine, t * SEC);
  g_assert_cmpuint (fx.sent->len, ==, 4);
  g_assert_false (has_event (&fx, "error 0"));
  mpf_tftp_engine_tick (fx.engine, 4 * SEC);
  g_assert_true (has_event (&fx, "error 0"));
  g_assert_cmpuint (fx.sent->len, ==, 4);
  g_assert_cmpint (mpf_tftp_engine_get_state (fx.engine), ==, MPF_TFTP_STATE_IDLE);
  g_assert_cmpint (mpf_tftp_engine_get_next_deadline (fx.engine), ==, -1);
  feed_hame_rrq (&fx, "9c417c75a478", 1700, 5 * SEC);
  g_assert_true (has_event (&fx, "restart 1"));
  assert_data (&fx, 4, 1, 512, 1700);
  fixture_clear (&fx);
}

static void
test_hame_same_mac_twice (void)
{
  static const guint8 op9[] = "\0\11" "9c417c75a478";
  Fixture fx;
  gint64 now;

  fixture_init (&fx, MPF_TFTP_MODE_HAME_RECOVERY, 1000);
  feed_hame_rrq (&fx, "9c417c75a478", 1500, 0);
  now = run_lockstep (&fx, 1500, 512, 0);
  feed (&fx, op9, 14, 1500, now + 30 * SEC);
  /* The reset button was still held: the router asks again. */
  feed_hame_rrq (&fx, "9c417c75a478", 1700, now + 40 * SEC);
  feed_hame_rrq (&fx, "9c417c75a478", 1700, now + 41 * SEC);
  g_assert_cmpuint (count_events (&fx, "refused 3"), ==, 1);
  g_assert_cmpuint (fx.sent->len, ==, 2);
  g_assert_false (has_event (&fx, "restart 1"));
  /* The user confirms: the next request is served, once. */
  mpf_tftp_engine_allow_mac_again (fx.engine, "9C417C75A478");
  feed_hame_rrq (&fx, "9c417c75a478", 1700, now + 42 * SEC);
  g_assert_true (has_event (&fx, "request 1700"));
  assert_data (&fx, 2, 1, 512, 1700);
  now = run_lockstep (&fx, 1700, 512, now + 42 * SEC);
  feed_hame_rrq (&fx, "9c417c75a478", 1800, now + SEC);
  g_assert_cmpuint (count_events (&fx, "refused 3"), ==, 2);
  g_assert_false (has_event (&fx, "request 1800"));
  fixture_clear (&fx);
}

static void
test_hame_other_router_busy (void)
{
  Fixture fx;

  fixture_init (&fx, MPF_TFTP_MODE_HAME_RECOVERY, 3000);
  feed_hame_rrq (&fx, "9c417c75a478", 1500, 0);
  feed_hame_rrq (&fx, "001122334455", 1600, MS);
  g_assert_true (has_event (&fx, "refused 4"));
  g_assert_cmpuint (fx.sent->len, ==, 1);
  fixture_clear (&fx);
}

static void
test_progress_rate_limited (void)
{
  Fixture fx;

  fixture_init (&fx, MPF_TFTP_MODE_STANDARD, 512 * 1000);
  feed_rrq (&fx, 2000, 0, "f", "octet", NULL);
  run_lockstep (&fx, 2000, 512, 0);   /* one ACK per ms: 1001 ms */
  g_assert_true (has_event (&fx, "complete"));
  g_assert_cmpuint (fx.n_progress, >=, 10);
  g_assert_cmpuint (fx.n_progress, <=, 12);
  g_assert_cmpuint (fx.last_progress.bytes_acked, ==, 512 * 1000);
  g_assert_cmpuint (fx.last_progress.total_bytes, ==, 512 * 1000);
  g_assert_cmpuint (fx.last_progress.total_blocks, ==, 1001);
  fixture_clear (&fx);
}

static void
test_standard_filename_and_mode (void)
{
  static const guint8 text[] = "a\nb\rc";
  static const guint8 want[] = "\0\3\0\1" "a\r\nb\r\0c";
  g_autoptr(GBytes) img = g_bytes_new (text, 5);
  Fixture fx;

  fixture_init (&fx, MPF_TFTP_MODE_STANDARD, 100);
  mpf_tftp_engine_set_filename (fx.engine, "openwrt.bin");
  feed_rrq (&fx, 2000, 0, "other.bin", "octet", NULL);
  assert_error (&fx, 0, MPF_TFTP_SOCKET_LISTEN, 2000, MPF_TFTP_ERR_FILE_NOT_FOUND);
  g_assert_true (has_event (&fx, "refused 1"));
  feed_rrq (&fx, 2001, 0, "/openwrt.bin", "mail", NULL);
  assert_error (&fx, 1, MPF_TFTP_SOCKET_LISTEN, 2001, MPF_TFTP_ERR_ILLEGAL_OPERATION);
  g_assert_true (has_event (&fx, "refused 2"));
  feed_rrq (&fx, 2002, 0, "/openwrt.bin", "OCTET", NULL);
  assert_data (&fx, 2, 1, 512, 2002);
  fixture_clear (&fx);

  /* netascii: converted on the wire, tsize counts converted bytes. */
  fixture_init (&fx, MPF_TFTP_MODE_STANDARD, 1);
  g_clear_object (&fx.engine);
  fx.engine = mpf_tftp_engine_new (MPF_TFTP_MODE_STANDARD, img);
  mpf_tftp_engine_set_send_func (fx.engine, send_cb, &fx, NULL);
  feed_rrq (&fx, 2000, 0, "f", "netascii", NULL);
  g_assert_cmpmem (g_bytes_get_data (sent_at (&fx, 0)->bytes, NULL),
                   g_bytes_get_size (sent_at (&fx, 0)->bytes), want, sizeof want - 1);
  fixture_clear (&fx);
}

static void
test_peer_error (void)
{
  static const guint8 err[] = "\0\5\0\3disk full";
  Fixture fx;

  fixture_init (&fx, MPF_TFTP_MODE_STANDARD, 3000);
  feed_rrq (&fx, 2000, 0, "f", "octet", NULL);
  feed (&fx, err, sizeof err, 2000, MS);
  g_assert_true (has_event (&fx, "error 1"));
  g_assert_cmpint (mpf_tftp_engine_get_state (fx.engine), ==, MPF_TFTP_STATE_IDLE);
  g_assert_cmpuint (fx.sent->len, ==, 1);
  fixture_clear (&fx);
}

int
main (int argc, char **argv)
{
  gconstpointer hame = GINT_TO_POINTER (MPF_TFTP_MODE_HAME_RECOVERY);
  gconstpointer std = GINT_TO_POINTER (MPF_TFTP_MODE_STANDARD);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tftp-engine/hame/request-parsing", test_hame_request_parsing);
  g_test_add_func ("/tftp-engine/hame/uppercase-mac", test_hame_uppercase_mac);
  g_test_add_func ("/tftp-engine/hame/full-transfer", test_hame_full_transfer);
  g_test_add_data_func ("/tftp-engine/hame/exact-multiple", hame, test_exact_multiple);
  g_test_add_data_func ("/tftp-engine/standard/exact-multiple", std, test_exact_multiple);
  g_test_add_func ("/tftp-engine/hame/data-loss", test_hame_data_loss);
  g_test_add_func ("/tftp-engine/hame/router-timeout-answered", test_hame_router_timeout_answered_at_once);
  g_test_add_func ("/tftp-engine/hame/ack-loss", test_hame_ack_loss);
  g_test_add_data_func ("/tftp-engine/hame/duplicate-ack", hame, test_duplicate_ack_no_storm);
  g_test_add_data_func ("/tftp-engine/standard/duplicate-ack", std, test_duplicate_ack_no_storm);
  g_test_add_func ("/tftp-engine/standard/wrap-lockstep", test_wrap_lockstep);
  g_test_add_func ("/tftp-engine/standard/wrap-windowed", test_wrap_windowed);
  g_test_add_func ("/tftp-engine/standard/windowsize-sliding", test_windowsize_sliding);
  g_test_add_func ("/tftp-engine/standard/options", test_options_negotiation);
  g_test_add_func ("/tftp-engine/options-only-when-asked", test_options_only_when_asked);
  g_test_add_func ("/tftp-engine/standard/oack-rejected", test_oack_rejected);
  g_test_add_func ("/tftp-engine/hame/opcodes-7-8-9", test_hame_opcodes_7_8_9);
  g_test_add_func ("/tftp-engine/hame/flash-done-timeout", test_flash_done_timeout);
  g_test_add_data_func ("/tftp-engine/hame/last-ack-lost", GINT_TO_POINTER (FALSE),
                        test_hame_last_ack_lost);
  g_test_add_data_func ("/tftp-engine/hame/last-ack-lost-gave-up", GINT_TO_POINTER (TRUE),
                        test_hame_last_ack_lost);
  g_test_add_data_func ("/tftp-engine/hame/garbage", hame, test_garbage);
  g_test_add_data_func ("/tftp-engine/standard/garbage", std, test_garbage);
  g_test_add_data_func ("/tftp-engine/hame/wrong-peer-port", hame, test_wrong_peer_port);
  g_test_add_data_func ("/tftp-engine/standard/wrong-peer-port", std, test_wrong_peer_port);
  g_test_add_data_func ("/tftp-engine/hame/write-request", hame, test_write_request);
  g_test_add_data_func ("/tftp-engine/standard/write-request", std, test_write_request);
  g_test_add_func ("/tftp-engine/hame/without-crc", test_hame_without_crc);
  g_test_add_data_func ("/tftp-engine/hame/restart", hame, test_restart);
  g_test_add_data_func ("/tftp-engine/standard/restart", std, test_restart);
  g_test_add_func ("/tftp-engine/hame/restart-after-give-up", test_hame_restart_after_give_up);
  g_test_add_func ("/tftp-engine/backoff", test_standard_backoff);
  g_test_add_func ("/tftp-engine/hame/same-mac-twice", test_hame_same_mac_twice);
  g_test_add_func ("/tftp-engine/hame/other-router-busy", test_hame_other_router_busy);
  g_test_add_func ("/tftp-engine/standard/progress-rate-limited", test_progress_rate_limited);
  g_test_add_func ("/tftp-engine/standard/filename-and-mode", test_standard_filename_and_mode);
  g_test_add_func ("/tftp-engine/standard/peer-error", test_peer_error);
  return g_test_run ();
}
