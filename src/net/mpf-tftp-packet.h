#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TFTP wire format (RFC 1350, 2347) plus the Hame bootloader's own opcodes
 * (src/net/TFTP.md). Parsing goes by the datagram length only: strings
 * need not be NUL-terminated at the end of the packet, and nothing past
 * @len is ever read. */

typedef enum {
  MPF_TFTP_OP_RRQ = 1,
  MPF_TFTP_OP_WRQ = 2,
  MPF_TFTP_OP_DATA = 3,
  MPF_TFTP_OP_ACK = 4,
  MPF_TFTP_OP_ERROR = 5,
  MPF_TFTP_OP_OACK = 6,
  MPF_TFTP_OP_HAME_STOP = 7,       /* Hame: stop timers and wait (we never send it) */
  MPF_TFTP_OP_HAME_RENAME = 8,     /* Hame: restart asking for another name */
  MPF_TFTP_OP_HAME_FLASH_DONE = 9, /* Hame: "00 09 <mac12>", router finished writing */
} MpfTftpOpcode;

typedef enum {
  MPF_TFTP_ERR_NOT_DEFINED = 0,
  MPF_TFTP_ERR_FILE_NOT_FOUND = 1,
  MPF_TFTP_ERR_ACCESS_VIOLATION = 2,
  MPF_TFTP_ERR_DISK_FULL = 3,
  MPF_TFTP_ERR_ILLEGAL_OPERATION = 4,
  MPF_TFTP_ERR_UNKNOWN_TID = 5,
  MPF_TFTP_ERR_FILE_EXISTS = 6,
  MPF_TFTP_ERR_NO_SUCH_USER = 7,
  MPF_TFTP_ERR_OPTION_REFUSED = 8,
} MpfTftpErrorNumber;

#define MPF_TFTP_MAX_STRINGS 32   /* request strings kept; more are ignored */

typedef struct {
  MpfTftpOpcode opcode;
  /* RRQ / WRQ / OACK / opcode 8: the strings in order (filename, mode, then
   * option name/value pairs; OACK: pairs only). Point into the packet. */
  guint        n_strings;
  const char  *strings[MPF_TFTP_MAX_STRINGS];
  gsize        string_lens[MPF_TFTP_MAX_STRINGS];
  /* DATA / ACK */
  guint16      block;
  /* DATA payload, ERROR message, opcode 9 MAC (raw bytes, not terminated) */
  const guint8 *payload;
  gsize        payload_len;
  /* ERROR */
  guint16      error_code;
} MpfTftpPacket;

/* Parses @data. Returns FALSE for anything that is not a well-formed packet of
 * a known opcode; @out then holds nothing useful. Request strings are stored
 * as pointers into a private copy in @buf (which must hold @len + 1 bytes) so
 * that each is NUL-terminated even when the packet's last one is not. */
gboolean mpf_tftp_packet_parse (const guint8 *data, gsize len, char *buf, MpfTftpPacket *out);

/* Request helpers (RRQ/WRQ only). */
const char *mpf_tftp_packet_get_filename (const MpfTftpPacket *pkt);
const char *mpf_tftp_packet_get_mode (const MpfTftpPacket *pkt);
guint       mpf_tftp_packet_get_n_options (const MpfTftpPacket *pkt);
void        mpf_tftp_packet_get_option (const MpfTftpPacket *pkt, guint i,
                                        const char **name, const char **value);

/* Writes into @out (capacity @cap); returns the length, or 0 if it does not fit. */
gsize mpf_tftp_packet_build_data (guint8 *out, gsize cap, guint16 block,
                                  const guint8 *payload, gsize payload_len);
gsize mpf_tftp_packet_build_ack (guint8 *out, gsize cap, guint16 block);
gsize mpf_tftp_packet_build_error (guint8 *out, gsize cap, guint16 code, const char *message);
/* @pairs: name, value, name, value, ..., NULL */
gsize mpf_tftp_packet_build_oack (guint8 *out, gsize cap, const char * const *pairs);
/* Builds a request (clients, tests, the simulator): name, mode, then pairs. */
gsize mpf_tftp_packet_build_request (guint8 *out, gsize cap, MpfTftpOpcode op,
                                     const char * const *strings);

G_END_DECLS
