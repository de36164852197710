#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/*
 * MpfTftpEngine: the server side of one TFTP service, without sockets.
 *
 * The caller feeds it every UDP payload it receives (mpf_tftp_engine_receive)
 * and calls mpf_tftp_engine_tick() when the clock passes
 * mpf_tftp_engine_get_next_deadline(); the engine answers through the send
 * function and reports what happens through signals. Time is always given
 * by the caller (monotonic microseconds), so tests drive it packet by packet
 * and the benchmark runs it without a clock. Behaviour decisions are listed
 * in src/net/TFTP.md.
 *
 * Sockets: the wrapper owns two UDP sockets on the chosen interface's address.
 *  - MPF_TFTP_SOCKET_LISTEN: bound to port 69; receives the requests. The
 *    engine only uses it to answer requests it refuses (standard mode ERRORs).
 *  - MPF_TFTP_SOCKET_TRANSFER: bound to an ephemeral port (the server's TID);
 *    every DATA, OACK and ERROR 5 goes out from it. @transfer_id in the send
 *    function grows by one for each new transfer attempt; a wrapper may open a
 *    new ephemeral socket when it changes (RFC 1350's fresh TID) or keep one
 *    socket for the engine's whole life. It must keep the socket of the latest
 *    transfer open until the engine is finished with it, because the Hame
 *    bootloader sends opcode 9 to the port that served the DATA.
 * Incoming packets from either socket go to mpf_tftp_engine_receive(); the
 * engine identifies a transfer by the peer's address and port, not by the
 * socket it arrived on, so a wrapper serving everything from one socket (as
 * the vendor's tool does) works too.
 */

#define MPF_TFTP_PORT 69

typedef enum {
  /* Serve the recovery container to the Hame bootloader: 512-byte lock-step,
   * never OACK, never ERROR, request must carry the bootloader fingerprint. */
  MPF_TFTP_MODE_HAME_RECOVERY,
  /* RFC 1350 + options (RFC 2347/2348/2349 blksize, tsize, timeout; RFC 7440
   * windowsize), negotiated only when the client asks. */
  MPF_TFTP_MODE_STANDARD,
} MpfTftpMode;

typedef enum {
  MPF_TFTP_SOCKET_LISTEN,
  MPF_TFTP_SOCKET_TRANSFER,
} MpfTftpSocket;

typedef enum {
  MPF_TFTP_STATE_IDLE,             /* waiting for a request */
  MPF_TFTP_STATE_SENDING,          /* a transfer is running (OACK or DATA outstanding) */
  MPF_TFTP_STATE_WAIT_FLASH_DONE,  /* Hame: last ACK received, waiting for opcode 9 */
} MpfTftpState;

typedef enum {
  MPF_TFTP_REFUSAL_WRITE_REQUEST,     /* WRQ: we never accept files */
  MPF_TFTP_REFUSAL_WRONG_FILE,        /* name is not the served file (Hame: not a MAC) */
  MPF_TFTP_REFUSAL_BAD_MODE,          /* transfer mode other than octet/netascii */
  MPF_TFTP_REFUSAL_MAC_ALREADY_SERVED,/* Hame: this router was flashed in this session */
  MPF_TFTP_REFUSAL_BUSY,              /* Hame: another router is mid-transfer */
} MpfTftpRefusal;

/* Error domain for the "error" signal. Messages are translated. */
#define MPF_TFTP_ERROR (mpf_tftp_error_quark ())
typedef enum {
  MPF_TFTP_ERROR_TIMEOUT,        /* the peer stopped answering (max-retries resends) */
  MPF_TFTP_ERROR_PEER_ERROR,     /* the client sent an ERROR packet and ended the transfer */
  MPF_TFTP_ERROR_FLASH_DONE_TIMEOUT, /* Hame: no opcode 9 within flash-done-timeout */
} MpfTftpErrorCode;
GQuark mpf_tftp_error_quark (void);

/* What a request asked for; passed to "request", "restart",
 * "unsupported-bootloader" and "refused". Valid during the emission only. */
typedef struct {
  const char *filename;     /* printable (escaped) copy of the requested name */
  const char *mode;         /* lowercase: "octet", "netascii", ... */
  const char *mac12;        /* Hame: factory MAC, 12 lowercase hex digits; else NULL */
  gboolean    has_crc;      /* Hame: the bootloader fingerprint field was present */
  gint32      crc;          /* Hame: signed CRC32 of the bootloader's first 128 KiB */
  const char *peer_address;
  guint16     peer_port;
  /* Negotiated options (standard mode); 0 / FALSE when not asked or ignored. */
  guint       blksize;
  guint       windowsize;
  guint       timeout_s;
  gboolean    tsize;
} MpfTftpRequest;

/* Counters of the current attempt; passed to "progress" and "transfer-complete". */
typedef struct {
  guint64 bytes_acked;      /* bytes the client confirmed */
  guint64 total_bytes;      /* size served (container, or netascii-converted size) */
  guint64 blocks_acked;
  guint64 total_blocks;     /* including a final zero-length block when needed */
  guint   retransmissions;  /* packets sent again in this attempt */
  guint   restarts;         /* restarts seen in this engine's life */
  gint64  started_us;       /* time of the request that began this attempt */
  gint64  now_us;
} MpfTftpProgress;

/* @data is only valid during the call. */
typedef void (*MpfTftpSendFunc) (MpfTftpSocket  from,
                                 guint          transfer_id,
                                 const char    *address,
                                 guint16        port,
                                 const guint8  *data,
                                 gsize          len,
                                 gpointer       user_data);

#define MPF_TYPE_TFTP_ENGINE (mpf_tftp_engine_get_type ())
G_DECLARE_FINAL_TYPE (MpfTftpEngine, mpf_tftp_engine, MPF, TFTP_ENGINE, GObject)

/* @image: the exact bytes to serve (the recovery container in HAME_RECOVERY
 * mode; the file as-is in STANDARD mode). */
MpfTftpEngine *mpf_tftp_engine_new (MpfTftpMode mode, GBytes *image);

void     mpf_tftp_engine_set_send_func (MpfTftpEngine  *self,
                                        MpfTftpSendFunc func,
                                        gpointer        user_data,
                                        GDestroyNotify  destroy);

/* Feeds one UDP payload (exactly the datagram's length). Never fails: packets
 * that make no sense are ignored. */
void     mpf_tftp_engine_receive (MpfTftpEngine *self,
                                  const guint8  *packet,
                                  gsize          len,
                                  const char    *peer_address,
                                  guint16        peer_port,
                                  gint64         now_us);

/* Runs the timers due at @now_us (resends, give-up, flash-done wait). */
void     mpf_tftp_engine_tick (MpfTftpEngine *self, gint64 now_us);

/* Absolute time (µs, same clock as now_us) at which tick() must run next,
 * or -1 when no timer is armed. */
gint64   mpf_tftp_engine_get_next_deadline (MpfTftpEngine *self);

MpfTftpState mpf_tftp_engine_get_state (MpfTftpEngine *self);
MpfTftpMode  mpf_tftp_engine_get_mode (MpfTftpEngine *self);
void     mpf_tftp_engine_get_progress (MpfTftpEngine *self, MpfTftpProgress *out);

/* Hame: serve @mac12 once more although it was already served in this
 * session (the user confirmed that the router asks again on purpose). The
 * bootloader repeats its request, so the next one is served. */
void     mpf_tftp_engine_allow_mac_again (MpfTftpEngine *self, const char *mac12);

/* Standard mode: only answer requests for @filename (compared after
 * stripping leading '/'). NULL (default): the one image is served under any
 * name. Ignored in Hame mode, where the name is the router's MAC. */
void     mpf_tftp_engine_set_filename (MpfTftpEngine *self, const char *filename);

/*
 * Properties (all µs values use the caller's clock):
 *  "retransmit-timeout-us"  resend the outstanding block(s) after this much
 *                           silence (default 1 s; a client's "timeout"
 *                           option overrides it for its transfer).
 *  "dup-ack-holdoff-us"     Hame: a duplicate ACK (the router's own timeout
 *                           fired) is answered at once unless the current
 *                           block went out less than this ago (default 150 ms).
 *  "max-retries"            consecutive silent resends before giving up with
 *                           MPF_TFTP_ERROR_TIMEOUT (default 10).
 *  "flash-done-timeout-us"  Hame: how long to wait for opcode 9 after the last
 *                           ACK (default 5 min).
 *  "progress-interval-us"   minimum gap between "progress" signals (default
 *                           100 ms, i.e. ≤10/s; the final one always comes).
 *  "max-blksize"            largest blksize granted (default 65464).
 *  "max-windowsize"         largest windowsize granted (default 64).
 *
 * Signals:
 *  "request"   (const MpfTftpRequest *)   a new attempt starts being served
 *  "restart"   (const MpfTftpRequest *, guint restarts)
 *              a request from a new port replaced an unfinished attempt
 *              (emitted before the "request" of the new attempt)
 *  "progress"  (const MpfTftpProgress *)  rate-limited by progress-interval-us
 *  "transfer-complete" (const MpfTftpProgress *)  the last block was ACKed
 *              (Hame: or the router's opcode 9 came although that ACK was lost)
 *  "flash-done" (const char *mac12)       Hame opcode 9: the router says it
 *              finished writing. Not proof of success.
 *  "unsupported-bootloader" (const MpfTftpRequest *)  request without the
 *              fingerprint field: nothing is served
 *  "refused"   (const MpfTftpRequest *, MpfTftpRefusal)  once per peer port
 *              and reason (the bootloader repeats its requests)
 *  "error"     (const GError *)           MPF_TFTP_ERROR; the attempt ended
 */

G_END_DECLS
