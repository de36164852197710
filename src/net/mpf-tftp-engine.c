#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "mpf-tftp-engine.h"
#include "mpf-tftp-packet.h"

#define HAME_BLKSIZE        512
#define STD_MAX_BLKSIZE     65464  /* RFC 2348 */
#define REFUSAL_UNSUPPORTED 1000   /* dedupe key for "unsupported-bootloader" */

struct _MpfTftpEngine
{
  GObject parent_instance;

  MpfTftpMode mode;
  GBytes *image;
  GBytes *netascii;        /* converted lazily, for netascii clients */
  char *filename;          /* standard mode name policy; NULL = any */

  MpfTftpSendFunc send_func;
  gpointer send_data;
  GDestroyNotify send_destroy;

  /* tunables */
  gint64 retransmit_timeout_us;
  gint64 dup_ack_holdoff_us;
  gint64 flash_done_timeout_us;
  gint64 progress_interval_us;
  guint max_retries;
  guint max_blksize;
  guint max_windowsize;

  MpfTftpState state;
  guint transfer_id;

  /* current attempt */
  char *peer_address;
  guint16 peer_port;
  char *mac12;
  const guint8 *data;
  gsize size;
  guint blksize;
  guint windowsize;
  gint64 timeout_us;
  gboolean oack_pending;
  guint8 *oack;
  gsize oack_len;
  guint64 total_blocks;
  guint64 base;            /* first block not yet acknowledged (1-based, absolute) */
  guint64 next;            /* next block to send */
  gint64 deadline_us;
  gint64 sent_us;          /* when the current block/window last went out */
  guint retries;
  gboolean fast_retx_done;
  gboolean attempt_open;   /* an attempt started and did not complete */
  gboolean all_sent;       /* the last block went out at least once */
  guint8 *sendbuf;
  gsize sendbuf_cap;
  MpfTftpProgress progress;
  gint64 last_progress_us;

  /* Hame session memory */
  GHashTable *served_macs;
  GHashTable *allowed_again;
  GHashTable *flash_pending;
  gint64 flash_deadline_us;

  /* refusal dedupe: last (address, port, reason) reported */
  char *refused_address;
  guint16 refused_port;
  guint refused_reason;
};

G_DEFINE_TYPE (MpfTftpEngine, mpf_tftp_engine, G_TYPE_OBJECT)
G_DEFINE_QUARK (mpf-tftp-error-quark, mpf_tftp_error)

enum {
  PROP_0,
  PROP_MODE,
  PROP_IMAGE,
  PROP_RETRANSMIT_TIMEOUT_US,
  PROP_DUP_ACK_HOLDOFF_US,
  PROP_MAX_RETRIES,
  PROP_FLASH_DONE_TIMEOUT_US,
  PROP_PROGRESS_INTERVAL_US,
  PROP_MAX_BLKSIZE,
  PROP_MAX_WINDOWSIZE,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum {
  SIG_REQUEST,
  SIG_RESTART,
  SIG_PROGRESS,
  SIG_TRANSFER_COMPLETE,
  SIG_FLASH_DONE,
  SIG_UNSUPPORTED_BOOTLOADER,
  SIG_REFUSED,
  SIG_ERROR,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* ---- sending ---- */

static void
send_packet (MpfTftpEngine *self, MpfTftpSocket from, const char *address, guint16 port,
             const guint8 *data, gsize len)
{
  if (self->send_func != NULL && len > 0)
    self->send_func (from, self->transfer_id, address, port, data, len, self->send_data);
}

static void
send_error (MpfTftpEngine *self, MpfTftpSocket from, const char *address, guint16 port,
            guint16 code, const char *message)
{
  guint8 buf[128];
  gsize len;

  /* The Hame bootloader restarts on any ERROR: never send one in that mode. */
  if (self->mode == MPF_TFTP_MODE_HAME_RECOVERY)
    return;
  len = mpf_tftp_packet_build_error (buf, sizeof buf, code, message);
  send_packet (self, from, address, port, buf, len);
}

static void
send_block (MpfTftpEngine *self, guint64 n)
{
  gsize offset = (gsize) ((n - 1) * self->blksize);
  gsize chunk = MIN ((gsize) self->blksize, self->size - offset);
  gsize len;

  len = mpf_tftp_packet_build_data (self->sendbuf, self->sendbuf_cap,
                                    (guint16) (n & 0xffff), self->data + offset, chunk);
  send_packet (self, MPF_TFTP_SOCKET_TRANSFER, self->peer_address, self->peer_port,
               self->sendbuf, len);
}

/* How long to wait for the client before resending. Standard clients back
 * off: each silent resend doubles the wait, up to 8 times the base. Some
 * (atftp) restart their own timer on every packet they get and answer a
 * repeated block only once, so only a wait longer than their timeout lets
 * them speak again. The Hame bootloader repeats its ACK every ~0.35 s on its
 * own, so its wait stays fixed. */
static gint64
resend_interval (MpfTftpEngine *self)
{
  if (self->mode == MPF_TFTP_MODE_HAME_RECOVERY)
    return self->timeout_us;
  return self->timeout_us << MIN (self->retries, 3u);
}

/* Sends what the window allows from self->next on; returns how many blocks. */
static guint
send_window (MpfTftpEngine *self, gint64 now_us)
{
  guint sent = 0;

  while (self->next < self->base + self->windowsize && self->next <= self->total_blocks)
    {
      send_block (self, self->next);
      self->next++;
      sent++;
    }
  if (self->next > self->total_blocks)
    self->all_sent = TRUE;
  self->sent_us = now_us;
  self->deadline_us = now_us + resend_interval (self);
  return sent;
}

/* Resends from the first unacknowledged block (go-back-N). */
static void
resend_window (MpfTftpEngine *self, gint64 now_us)
{
  if (self->oack_pending)
    {
      send_packet (self, MPF_TFTP_SOCKET_TRANSFER, self->peer_address, self->peer_port,
                   self->oack, self->oack_len);
      self->progress.retransmissions++;
      self->sent_us = now_us;
      self->deadline_us = now_us + resend_interval (self);
      return;
    }
  self->next = self->base;
  self->progress.retransmissions += send_window (self, now_us);
}

/* ---- events ---- */

static void
emit_progress (MpfTftpEngine *self, gint64 now_us, gboolean force)
{
  if (!force && self->last_progress_us >= 0 &&
      now_us - self->last_progress_us < self->progress_interval_us)
    return;
  self->last_progress_us = now_us;
  self->progress.now_us = now_us;
  g_signal_emit (self, signals[SIG_PROGRESS], 0, &self->progress);
}

static void
emit_error (MpfTftpEngine *self, MpfTftpErrorCode code, const char *message)
{
  g_autoptr(GError) error = g_error_new_literal (MPF_TFTP_ERROR, code, message);

  g_signal_emit (self, signals[SIG_ERROR], 0, error);
}

/* Reports a refusal once per (peer, reason): bootloaders repeat requests. */
static gboolean
refusal_is_new (MpfTftpEngine *self, const MpfTftpRequest *req, guint reason)
{
  if (self->refused_reason == reason && self->refused_port == req->peer_port &&
      g_strcmp0 (self->refused_address, req->peer_address) == 0)
    return FALSE;
  g_free (self->refused_address);
  self->refused_address = g_strdup (req->peer_address);
  self->refused_port = req->peer_port;
  self->refused_reason = reason;
  return TRUE;
}

static void
refuse (MpfTftpEngine *self, const MpfTftpRequest *req, MpfTftpRefusal reason)
{
  if (refusal_is_new (self, req, reason))
    g_signal_emit (self, signals[SIG_REFUSED], 0, req, (guint) reason);
}

/* ---- requests ---- */

static gboolean
peer_is_current (MpfTftpEngine *self, const char *address, guint16 port)
{
  return self->peer_port == port && g_strcmp0 (self->peer_address, address) == 0;
}

/* The factory MAC as 12 hex digits (RECOVERY.md); lowercased copy or NULL. */
static char *
parse_mac12 (const char *s, gsize len)
{
  if (len != 12)
    return NULL;
  for (gsize i = 0; i < 12; i++)
    if (!g_ascii_isxdigit (s[i]))
      return NULL;
  return g_ascii_strdown (s, 12);
}

static gboolean
parse_uint_option (const char *value, guint min, guint max, guint *out)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (value, 10, min, max, &v, NULL))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static GBytes *
netascii_bytes (MpfTftpEngine *self)
{
  if (self->netascii == NULL)
    {
      gsize len;
      const guint8 *src = g_bytes_get_data (self->image, &len);
      g_autoptr(GByteArray) out = g_byte_array_sized_new ((guint) len);

      /* RFC 764: LF becomes CR LF, a bare CR becomes CR NUL. */
      for (gsize i = 0; i < len; i++)
        {
          static const guint8 crlf[] = { '\r', '\n' }, crnul[] = { '\r', '\0' };
          if (src[i] == '\n')
            g_byte_array_append (out, crlf, 2);
          else if (src[i] == '\r')
            g_byte_array_append (out, crnul, 2);
          else
            g_byte_array_append (out, src + i, 1);
        }
      self->netascii = g_byte_array_free_to_bytes (g_steal_pointer (&out));
    }
  return self->netascii;
}

/* Standard options: fills the request's negotiated values and the OACK pairs.
 * Values out of range are ignored, as RFC 2347 allows. */
static void
negotiate_options (MpfTftpEngine *self, const MpfTftpPacket *pkt, gsize size,
                   MpfTftpRequest *req, GPtrArray *pairs)
{
  for (guint i = 0; i < mpf_tftp_packet_get_n_options (pkt); i++)
    {
      const char *name, *value;
      guint v;

      mpf_tftp_packet_get_option (pkt, i, &name, &value);
      if (g_ascii_strcasecmp (name, "blksize") == 0 && req->blksize == 0 &&
          parse_uint_option (value, 8, G_MAXUINT32, &v))
        {
          req->blksize = MIN (MIN (v, (guint) STD_MAX_BLKSIZE), self->max_blksize);
          g_ptr_array_add (pairs, g_strdup ("blksize"));
          g_ptr_array_add (pairs, g_strdup_printf ("%u", req->blksize));
        }
      else if (g_ascii_strcasecmp (name, "tsize") == 0 && !req->tsize &&
               parse_uint_option (value, 0, G_MAXUINT32, &v))
        {
          req->tsize = TRUE;
          g_ptr_array_add (pairs, g_strdup ("tsize"));
          g_ptr_array_add (pairs, g_strdup_printf ("%" G_GSIZE_FORMAT, size));
        }
      else if (g_ascii_strcasecmp (name, "timeout") == 0 && req->timeout_s == 0 &&
               parse_uint_option (value, 1, 255, &v))
        {
          req->timeout_s = v;
          g_ptr_array_add (pairs, g_strdup ("timeout"));
          g_ptr_array_add (pairs, g_strdup_printf ("%u", v));
        }
      else if (g_ascii_strcasecmp (name, "windowsize") == 0 && req->windowsize == 0 &&
               parse_uint_option (value, 1, 65535, &v))
        {
          req->windowsize = MIN (v, self->max_windowsize);
          g_ptr_array_add (pairs, g_strdup ("windowsize"));
          g_ptr_array_add (pairs, g_strdup_printf ("%u", req->windowsize));
        }
    }
}

static void
start_attempt (MpfTftpEngine *self, const MpfTftpRequest *req, const char *mac12,
               const guint8 *data, gsize size, GPtrArray *oack_pairs, gboolean is_restart,
               gint64 now_us)
{
  guint restarts = self->progress.restarts + (is_restart ? 1 : 0);

  self->transfer_id++;
  g_free (self->peer_address);
  self->peer_address = g_strdup (req->peer_address);
  self->peer_port = req->peer_port;
  g_free (self->mac12);
  self->mac12 = g_strdup (mac12);
  self->data = data;
  self->size = size;
  self->blksize = req->blksize != 0 ? req->blksize : HAME_BLKSIZE;
  self->windowsize = req->windowsize != 0 ? req->windowsize : 1;
  self->timeout_us = req->timeout_s != 0 ? (gint64) req->timeout_s * G_USEC_PER_SEC
                                         : self->retransmit_timeout_us;
  /* floor(size / blksize) + 1: a size that is a multiple of blksize ends with
   * an empty block, any other ends with its short remainder. */
  self->total_blocks = size / self->blksize + 1;
  self->base = self->next = 1;
  self->retries = 0;
  self->fast_retx_done = FALSE;
  self->attempt_open = TRUE;
  self->all_sent = FALSE;
  self->state = MPF_TFTP_STATE_SENDING;
  if (self->sendbuf_cap < self->blksize + 4u)
    {
      self->sendbuf_cap = self->blksize + 4u;
      self->sendbuf = g_realloc (self->sendbuf, self->sendbuf_cap);
    }

  memset (&self->progress, 0, sizeof self->progress);
  self->progress.total_bytes = size;
  self->progress.total_blocks = self->total_blocks;
  self->progress.restarts = restarts;
  self->progress.started_us = now_us;
  self->progress.now_us = now_us;
  self->last_progress_us = -1;

  g_clear_pointer (&self->oack, g_free);
  self->oack_pending = oack_pairs != NULL && oack_pairs->len > 0;
  if (self->oack_pending)
    {
      gsize cap = 2;

      g_ptr_array_add (oack_pairs, NULL);
      for (guint i = 0; oack_pairs->pdata[i] != NULL; i++)
        cap += strlen (oack_pairs->pdata[i]) + 1;
      self->oack = g_malloc (cap);
      self->oack_len = mpf_tftp_packet_build_oack (self->oack, cap,
                                                   (const char * const *) oack_pairs->pdata);
      send_packet (self, MPF_TFTP_SOCKET_TRANSFER, self->peer_address, self->peer_port,
                   self->oack, self->oack_len);
      self->sent_us = now_us;
      self->deadline_us = now_us + resend_interval (self);
    }
  else
    {
      send_window (self, now_us);
    }

  /* Answer first, report afterwards: the bootloader's first wait is short. */
  if (is_restart)
    g_signal_emit (self, signals[SIG_RESTART], 0, req, restarts);
  g_signal_emit (self, signals[SIG_REQUEST], 0, req);
}

/* The same peer asked again: its request or our first answer got lost. */
static void
answer_repeated_request (MpfTftpEngine *self, gint64 now_us)
{
  if (self->oack_pending || self->base == 1)
    resend_window (self, now_us);
}

static void
handle_hame_request (MpfTftpEngine *self, const MpfTftpPacket *pkt, MpfTftpRequest *req,
                     gint64 now_us)
{
  g_autofree char *mac = NULL;
  gboolean is_restart = FALSE;
  const guint8 *data;
  gsize size;

  /* The fingerprint is an option name that is a signed decimal (RECOVERY.md). */
  for (guint i = 0; i < mpf_tftp_packet_get_n_options (pkt) && !req->has_crc; i++)
    {
      const char *name, *value;
      gint64 crc;

      mpf_tftp_packet_get_option (pkt, i, &name, &value);
      if (g_ascii_string_to_signed (name, 10, G_MININT32, G_MAXINT32, &crc, NULL))
        {
          req->has_crc = TRUE;
          req->crc = (gint32) crc;
        }
    }

  mac = parse_mac12 (pkt->strings[0], pkt->string_lens[0]);
  req->mac12 = mac;
  if (!req->has_crc)
    {
      if (refusal_is_new (self, req, REFUSAL_UNSUPPORTED))
        g_signal_emit (self, signals[SIG_UNSUPPORTED_BOOTLOADER], 0, req);
      return;
    }
  if (mac == NULL)
    {
      refuse (self, req, MPF_TFTP_REFUSAL_WRONG_FILE);
      return;
    }

  if (self->state == MPF_TFTP_STATE_SENDING)
    {
      if (peer_is_current (self, req->peer_address, req->peer_port))
        {
          answer_repeated_request (self, now_us);
          return;
        }
      if (g_strcmp0 (mac, self->mac12) != 0)
        {
          refuse (self, req, MPF_TFTP_REFUSAL_BUSY);
          return;
        }
      is_restart = TRUE;
    }
  else
    {
      if (self->state == MPF_TFTP_STATE_WAIT_FLASH_DONE &&
          peer_is_current (self, req->peer_address, req->peer_port))
        return;
      /* The bootloader's own restart after we gave up: a new port, same MAC. */
      is_restart = self->attempt_open && g_strcmp0 (mac, self->mac12) == 0 &&
                   !peer_is_current (self, req->peer_address, req->peer_port);
    }

  if (g_hash_table_contains (self->served_macs, mac))
    {
      if (!g_hash_table_remove (self->allowed_again, mac))
        {
          refuse (self, req, MPF_TFTP_REFUSAL_MAC_ALREADY_SERVED);
          return;
        }
      g_hash_table_remove (self->served_macs, mac);
    }

  data = g_bytes_get_data (self->image, &size);
  start_attempt (self, req, mac, data, size, NULL, is_restart, now_us);
}

static gboolean
filename_matches (MpfTftpEngine *self, const char *requested)
{
  const char *want = self->filename;

  if (want == NULL)
    return TRUE;
  while (*want == '/')
    want++;
  while (*requested == '/')
    requested++;
  return strcmp (want, requested) == 0;
}

static void
handle_standard_request (MpfTftpEngine *self, const MpfTftpPacket *pkt, MpfTftpRequest *req,
                         gint64 now_us)
{
  g_autoptr(GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);
  gboolean netascii = g_strcmp0 (req->mode, "netascii") == 0;
  gboolean is_restart = FALSE;
  const guint8 *data;
  gsize size;

  if (!netascii && g_strcmp0 (req->mode, "octet") != 0)
    {
      send_error (self, MPF_TFTP_SOCKET_LISTEN, req->peer_address, req->peer_port,
                  MPF_TFTP_ERR_ILLEGAL_OPERATION, "Unsupported transfer mode");
      refuse (self, req, MPF_TFTP_REFUSAL_BAD_MODE);
      return;
    }
  if (!filename_matches (self, pkt->strings[0]))
    {
      send_error (self, MPF_TFTP_SOCKET_LISTEN, req->peer_address, req->peer_port,
                  MPF_TFTP_ERR_FILE_NOT_FOUND, "File not found");
      refuse (self, req, MPF_TFTP_REFUSAL_WRONG_FILE);
      return;
    }
  if (self->state == MPF_TFTP_STATE_SENDING)
    {
      if (peer_is_current (self, req->peer_address, req->peer_port))
        {
          answer_repeated_request (self, now_us);
          return;
        }
      is_restart = TRUE;
    }

  data = g_bytes_get_data (netascii ? netascii_bytes (self) : self->image, &size);
  negotiate_options (self, pkt, size, req, pairs);
  start_attempt (self, req, NULL, data, size, pairs, is_restart, now_us);
}

static void
handle_request (MpfTftpEngine *self, const MpfTftpPacket *pkt, const char *address,
                guint16 port, gint64 now_us)
{
  g_autofree char *filename = g_strescape (pkt->strings[0], NULL);
  g_autofree char *mode = g_ascii_strdown (pkt->strings[1], -1);
  MpfTftpRequest req = {
    .filename = filename,
    .mode = mode,
    .peer_address = address,
    .peer_port = port,
  };

  if (pkt->opcode == MPF_TFTP_OP_WRQ)
    {
      send_error (self, MPF_TFTP_SOCKET_LISTEN, address, port,
                  MPF_TFTP_ERR_ACCESS_VIOLATION, "Write requests are not accepted");
      refuse (self, &req, MPF_TFTP_REFUSAL_WRITE_REQUEST);
      return;
    }
  if (self->mode == MPF_TFTP_MODE_HAME_RECOVERY)
    handle_hame_request (self, pkt, &req, now_us);
  else
    handle_standard_request (self, pkt, &req, now_us);
}

/* ---- transfer ---- */

static void
complete_attempt (MpfTftpEngine *self, gint64 now_us)
{
  self->attempt_open = FALSE;
  emit_progress (self, now_us, TRUE);
  if (self->mode == MPF_TFTP_MODE_HAME_RECOVERY)
    {
      g_hash_table_add (self->served_macs, g_strdup (self->mac12));
      g_hash_table_add (self->flash_pending, g_strdup (self->mac12));
      self->state = MPF_TFTP_STATE_WAIT_FLASH_DONE;
      self->flash_deadline_us = now_us + self->flash_done_timeout_us;
    }
  else
    {
      self->state = MPF_TFTP_STATE_IDLE;
    }
  g_signal_emit (self, signals[SIG_TRANSFER_COMPLETE], 0, &self->progress);
}

static void
handle_ack (MpfTftpEngine *self, guint16 block, gint64 now_us)
{
  guint64 k;

  if (self->oack_pending)
    {
      if (block != 0)
        return;
      self->oack_pending = FALSE;
      self->retries = 0;
      send_window (self, now_us);
      return;
    }

  /* The smallest absolute block >= base - 1 with these low 16 bits; anything
   * beyond what was sent is stale or bogus. */
  k = self->base - 1 + (guint16) (block - (guint16) ((self->base - 1) & 0xffff));
  if (k >= self->next)
    return;

  if (k >= self->base)
    {
      self->base = k + 1;
      self->retries = 0;
      self->fast_retx_done = FALSE;
      self->progress.blocks_acked = k;
      self->progress.bytes_acked = MIN ((guint64) self->size, k * self->blksize);
      if (k == self->total_blocks)
        {
          complete_attempt (self, now_us);
          return;
        }
      if (self->next < self->base)
        self->next = self->base;
      send_window (self, now_us);
      emit_progress (self, now_us, FALSE);
      return;
    }

  /* Duplicate of the last ACK. */
  if (self->mode == MPF_TFTP_MODE_HAME_RECOVERY)
    {
      /* The bootloader re-sends its ACK when its own short timer fires and
       * never ACKs a repeated DATA, so answering at once costs no storm and
       * saves its cumulative timeout budget. The hold-off drops copies
       * duplicated by the network. */
      if (now_us - self->sent_us >= self->dup_ack_holdoff_us)
        resend_window (self, now_us);
    }
  else if (self->windowsize > 1 && !self->fast_retx_done)
    {
      /* A windowed receiver repeats the last in-order block when it sees a
       * gap: go back once per window position, then wait for the timer. */
      self->fast_retx_done = TRUE;
      resend_window (self, now_us);
    }
  /* Lock-step standard clients: RFC 1123 4.2.3.1, never resend on a
   * duplicate ACK (Sorcerer's Apprentice). The timer covers the loss. */
}

static void
handle_flash_done (MpfTftpEngine *self, const MpfTftpPacket *pkt, gint64 now_us)
{
  g_autofree char *mac = parse_mac12 ((const char *) pkt->payload, pkt->payload_len);

  if (mac == NULL)
    return;
  /* The router only reports after the end of the file: when its last ACK
   * was lost (we may even have given up resending), this completes the
   * transfer. */
  if (self->attempt_open && self->all_sent && g_strcmp0 (mac, self->mac12) == 0)
    {
      self->progress.blocks_acked = self->total_blocks;
      self->progress.bytes_acked = self->size;
      complete_attempt (self, now_us);
    }
  if (!g_hash_table_remove (self->flash_pending, mac))
    return;
  if (self->state == MPF_TFTP_STATE_WAIT_FLASH_DONE && g_strcmp0 (mac, self->mac12) == 0)
    self->state = MPF_TFTP_STATE_IDLE;
  g_signal_emit (self, signals[SIG_FLASH_DONE], 0, mac);
}

static void
handle_peer_error (MpfTftpEngine *self, const MpfTftpPacket *pkt)
{
  g_autofree char *raw = g_strndup ((const char *) pkt->payload, pkt->payload_len);
  g_autofree char *text = g_strescape (raw, NULL);
  g_autofree char *message = NULL;

  self->state = MPF_TFTP_STATE_IDLE;
  /* TRANSLATORS: %u is the TFTP error number, %s the client's own text */
  message = g_strdup_printf (_("The TFTP client ended the transfer (error %u: %s)."),
                             pkt->error_code, text);
  emit_error (self, MPF_TFTP_ERROR_PEER_ERROR, message);
}

void
mpf_tftp_engine_receive (MpfTftpEngine *self, const guint8 *packet, gsize len,
                         const char *peer_address, guint16 peer_port, gint64 now_us)
{
  MpfTftpPacket pkt;
  g_autofree char *buf = NULL;
  gboolean from_peer;

  g_return_if_fail (MPF_IS_TFTP_ENGINE (self));
  g_return_if_fail (peer_address != NULL);

  if (packet == NULL || len < 2)
    return;
  buf = g_malloc (len + 1);
  if (!mpf_tftp_packet_parse (packet, len, buf, &pkt))
    return;

  if (pkt.opcode == MPF_TFTP_OP_RRQ || pkt.opcode == MPF_TFTP_OP_WRQ)
    {
      handle_request (self, &pkt, peer_address, peer_port, now_us);
      return;
    }
  if (pkt.opcode == MPF_TFTP_OP_HAME_FLASH_DONE)
    {
      if (self->mode == MPF_TFTP_MODE_HAME_RECOVERY)
        handle_flash_done (self, &pkt, now_us);
      return;
    }
  if (self->state != MPF_TFTP_STATE_SENDING)
    return;

  from_peer = peer_is_current (self, peer_address, peer_port);
  switch (pkt.opcode)
    {
    case MPF_TFTP_OP_ACK:
      if (from_peer)
        handle_ack (self, pkt.block, now_us);
      break;
    case MPF_TFTP_OP_ERROR:
      /* Never answer an ERROR with an ERROR; a stranger's is ignored. */
      if (from_peer)
        handle_peer_error (self, &pkt);
      return;
    default:
      break;
    }
  /* RFC 1350: a transfer packet from an unknown TID gets ERROR 5 and the
   * transfer goes on. Not in Hame mode: send_error() never reaches it. */
  if (!from_peer && (pkt.opcode == MPF_TFTP_OP_ACK || pkt.opcode == MPF_TFTP_OP_DATA ||
                     pkt.opcode == MPF_TFTP_OP_OACK))
    send_error (self, MPF_TFTP_SOCKET_TRANSFER, peer_address, peer_port,
                MPF_TFTP_ERR_UNKNOWN_TID, "Unknown transfer ID");
}

void
mpf_tftp_engine_tick (MpfTftpEngine *self, gint64 now_us)
{
  g_return_if_fail (MPF_IS_TFTP_ENGINE (self));

  if (self->state == MPF_TFTP_STATE_SENDING && now_us >= self->deadline_us)
    {
      if (self->retries >= self->max_retries)
        {
          self->state = MPF_TFTP_STATE_IDLE;
          emit_error (self, MPF_TFTP_ERROR_TIMEOUT,
                      self->mode == MPF_TFTP_MODE_HAME_RECOVERY
                        ? _("The router stopped answering during the transfer.")
                        : _("The TFTP client stopped answering during the transfer."));
          return;
        }
      self->retries++;
      resend_window (self, now_us);
      emit_progress (self, now_us, FALSE);
    }
  else if (self->state == MPF_TFTP_STATE_WAIT_FLASH_DONE && now_us >= self->flash_deadline_us)
    {
      self->state = MPF_TFTP_STATE_IDLE;
      emit_error (self, MPF_TFTP_ERROR_FLASH_DONE_TIMEOUT,
                  _("The router did not report the end of writing. It may still have "
                    "written the firmware: check whether it comes back."));
    }
}

gint64
mpf_tftp_engine_get_next_deadline (MpfTftpEngine *self)
{
  g_return_val_if_fail (MPF_IS_TFTP_ENGINE (self), -1);

  switch (self->state)
    {
    case MPF_TFTP_STATE_SENDING:
      return self->deadline_us;
    case MPF_TFTP_STATE_WAIT_FLASH_DONE:
      return self->flash_deadline_us;
    case MPF_TFTP_STATE_IDLE:
    default:
      return -1;
    }
}

MpfTftpState
mpf_tftp_engine_get_state (MpfTftpEngine *self)
{
  g_return_val_if_fail (MPF_IS_TFTP_ENGINE (self), MPF_TFTP_STATE_IDLE);
  return self->state;
}

MpfTftpMode
mpf_tftp_engine_get_mode (MpfTftpEngine *self)
{
  g_return_val_if_fail (MPF_IS_TFTP_ENGINE (self), MPF_TFTP_MODE_STANDARD);
  return self->mode;
}

void
mpf_tftp_engine_get_progress (MpfTftpEngine *self, MpfTftpProgress *out)
{
  g_return_if_fail (MPF_IS_TFTP_ENGINE (self));
  *out = self->progress;
}

void
mpf_tftp_engine_allow_mac_again (MpfTftpEngine *self, const char *mac12)
{
  g_autofree char *mac = NULL;

  g_return_if_fail (MPF_IS_TFTP_ENGINE (self));
  g_return_if_fail (mac12 != NULL);

  mac = parse_mac12 (mac12, strlen (mac12));
  g_return_if_fail (mac != NULL);
  g_hash_table_add (self->allowed_again, g_steal_pointer (&mac));
  /* Let the next refusal of anything be reported again. */
  self->refused_reason = 0;
  g_clear_pointer (&self->refused_address, g_free);
}

void
mpf_tftp_engine_set_filename (MpfTftpEngine *self, const char *filename)
{
  g_return_if_fail (MPF_IS_TFTP_ENGINE (self));
  g_free (self->filename);
  self->filename = g_strdup (filename);
}

void
mpf_tftp_engine_set_send_func (MpfTftpEngine *self, MpfTftpSendFunc func, gpointer user_data,
                               GDestroyNotify destroy)
{
  g_return_if_fail (MPF_IS_TFTP_ENGINE (self));
  if (self->send_destroy != NULL)
    self->send_destroy (self->send_data);
  self->send_func = func;
  self->send_data = user_data;
  self->send_destroy = destroy;
}

MpfTftpEngine *
mpf_tftp_engine_new (MpfTftpMode mode, GBytes *image)
{
  g_return_val_if_fail (image != NULL, NULL);
  return g_object_new (MPF_TYPE_TFTP_ENGINE, "mode", (guint) mode, "image", image, NULL);
}

/* ---- GObject ---- */

static void
mpf_tftp_engine_finalize (GObject *object)
{
  MpfTftpEngine *self = MPF_TFTP_ENGINE (object);

  if (self->send_destroy != NULL)
    self->send_destroy (self->send_data);
  g_clear_pointer (&self->image, g_bytes_unref);
  g_clear_pointer (&self->netascii, g_bytes_unref);
  g_free (self->filename);
  g_free (self->peer_address);
  g_free (self->mac12);
  g_free (self->oack);
  g_free (self->sendbuf);
  g_free (self->refused_address);
  g_hash_table_unref (self->served_macs);
  g_hash_table_unref (self->allowed_again);
  g_hash_table_unref (self->flash_pending);

  G_OBJECT_CLASS (mpf_tftp_engine_parent_class)->finalize (object);
}

static void
mpf_tftp_engine_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  MpfTftpEngine *self = MPF_TFTP_ENGINE (object);

  switch (prop_id)
    {
    case PROP_MODE: g_value_set_uint (value, self->mode); break;
    case PROP_IMAGE: g_value_set_boxed (value, self->image); break;
    case PROP_RETRANSMIT_TIMEOUT_US: g_value_set_int64 (value, self->retransmit_timeout_us); break;
    case PROP_DUP_ACK_HOLDOFF_US: g_value_set_int64 (value, self->dup_ack_holdoff_us); break;
    case PROP_MAX_RETRIES: g_value_set_uint (value, self->max_retries); break;
    case PROP_FLASH_DONE_TIMEOUT_US: g_value_set_int64 (value, self->flash_done_timeout_us); break;
    case PROP_PROGRESS_INTERVAL_US: g_value_set_int64 (value, self->progress_interval_us); break;
    case PROP_MAX_BLKSIZE: g_value_set_uint (value, self->max_blksize); break;
    case PROP_MAX_WINDOWSIZE: g_value_set_uint (value, self->max_windowsize); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpf_tftp_engine_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  MpfTftpEngine *self = MPF_TFTP_ENGINE (object);

  switch (prop_id)
    {
    case PROP_MODE: self->mode = (MpfTftpMode) g_value_get_uint (value); break;
    case PROP_IMAGE: self->image = g_value_dup_boxed (value); break;
    case PROP_RETRANSMIT_TIMEOUT_US: self->retransmit_timeout_us = g_value_get_int64 (value); break;
    case PROP_DUP_ACK_HOLDOFF_US: self->dup_ack_holdoff_us = g_value_get_int64 (value); break;
    case PROP_MAX_RETRIES: self->max_retries = g_value_get_uint (value); break;
    case PROP_FLASH_DONE_TIMEOUT_US: self->flash_done_timeout_us = g_value_get_int64 (value); break;
    case PROP_PROGRESS_INTERVAL_US: self->progress_interval_us = g_value_get_int64 (value); break;
    case PROP_MAX_BLKSIZE: self->max_blksize = g_value_get_uint (value); break;
    case PROP_MAX_WINDOWSIZE: self->max_windowsize = g_value_get_uint (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpf_tftp_engine_constructed (GObject *object)
{
  MpfTftpEngine *self = MPF_TFTP_ENGINE (object);

  G_OBJECT_CLASS (mpf_tftp_engine_parent_class)->constructed (object);
  if (self->image == NULL)
    self->image = g_bytes_new (NULL, 0);
}

static void
mpf_tftp_engine_class_init (MpfTftpEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  GParamFlags ctor = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = mpf_tftp_engine_finalize;
  object_class->get_property = mpf_tftp_engine_get_property;
  object_class->set_property = mpf_tftp_engine_set_property;
  object_class->constructed = mpf_tftp_engine_constructed;

  properties[PROP_MODE] =
    g_param_spec_uint ("mode", NULL, NULL, MPF_TFTP_MODE_HAME_RECOVERY, MPF_TFTP_MODE_STANDARD,
                       MPF_TFTP_MODE_HAME_RECOVERY, ctor);
  properties[PROP_IMAGE] = g_param_spec_boxed ("image", NULL, NULL, G_TYPE_BYTES, ctor);
  properties[PROP_RETRANSMIT_TIMEOUT_US] =
    g_param_spec_int64 ("retransmit-timeout-us", NULL, NULL, 1, G_MAXINT64 / 4,
                        G_USEC_PER_SEC, rw);
  properties[PROP_DUP_ACK_HOLDOFF_US] =
    g_param_spec_int64 ("dup-ack-holdoff-us", NULL, NULL, 0, G_MAXINT64 / 4,
                        150 * 1000, rw);
  properties[PROP_MAX_RETRIES] =
    g_param_spec_uint ("max-retries", NULL, NULL, 0, G_MAXUINT, 10, rw);
  properties[PROP_FLASH_DONE_TIMEOUT_US] =
    g_param_spec_int64 ("flash-done-timeout-us", NULL, NULL, 0, G_MAXINT64 / 4,
                        5 * 60 * G_USEC_PER_SEC, rw);
  properties[PROP_PROGRESS_INTERVAL_US] =
    g_param_spec_int64 ("progress-interval-us", NULL, NULL, 0, G_MAXINT64 / 4,
                        100 * 1000, rw);
  properties[PROP_MAX_BLKSIZE] =
    g_param_spec_uint ("max-blksize", NULL, NULL, 8, STD_MAX_BLKSIZE, STD_MAX_BLKSIZE, rw);
  properties[PROP_MAX_WINDOWSIZE] =
    g_param_spec_uint ("max-windowsize", NULL, NULL, 1, 32768, 64, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIG_REQUEST] =
    g_signal_new ("request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_RESTART] =
    g_signal_new ("restart", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_UINT);
  signals[SIG_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_TRANSFER_COMPLETE] =
    g_signal_new ("transfer-complete", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_FLASH_DONE] =
    g_signal_new ("flash-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIG_UNSUPPORTED_BOOTLOADER] =
    g_signal_new ("unsupported-bootloader", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIG_REFUSED] =
    g_signal_new ("refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_UINT);
  signals[SIG_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
mpf_tftp_engine_init (MpfTftpEngine *self)
{
  self->retransmit_timeout_us = G_USEC_PER_SEC;
  self->dup_ack_holdoff_us = 150 * 1000;
  self->max_retries = 10;
  self->flash_done_timeout_us = 5 * 60 * G_USEC_PER_SEC;
  self->progress_interval_us = 100 * 1000;
  self->max_blksize = STD_MAX_BLKSIZE;
  self->max_windowsize = 64;
  self->last_progress_us = -1;
  self->served_macs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->allowed_again = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->flash_pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
