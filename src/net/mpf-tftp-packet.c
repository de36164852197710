#include "config.h"

#include <string.h>

#include "mpf-tftp-packet.h"

static guint16
read_be16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static void
write_be16 (guint8 *p, guint16 v)
{
  p[0] = (guint8) (v >> 8);
  p[1] = (guint8) (v & 0xff);
}

/* Splits the bytes after the opcode into strings. A final string without its
 * NUL is accepted (parse by length); an empty packet body gives no strings. */
static gboolean
split_strings (const guint8 *body, gsize len, char *buf, MpfTftpPacket *out)
{
  gsize start = 0;

  memcpy (buf, body, len);
  buf[len] = '\0';
  out->n_strings = 0;
  while (start < len)
    {
      const char *s = buf + start;
      gsize slen = strnlen (s, len - start);

      if (out->n_strings < MPF_TFTP_MAX_STRINGS)
        {
          out->strings[out->n_strings] = s;
          out->string_lens[out->n_strings] = slen;
          out->n_strings++;
        }
      start += slen + 1;
    }
  return TRUE;
}

gboolean
mpf_tftp_packet_parse (const guint8 *data, gsize len, char *buf, MpfTftpPacket *out)
{
  guint16 op;

  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof *out);
  if (data == NULL || len < 2)
    return FALSE;

  op = read_be16 (data);
  out->opcode = (MpfTftpOpcode) op;
  switch (op)
    {
    case MPF_TFTP_OP_RRQ:
    case MPF_TFTP_OP_WRQ:
      split_strings (data + 2, len - 2, buf, out);
      /* A request needs at least a non-empty name and a mode. */
      return out->n_strings >= 2 && out->string_lens[0] > 0;

    case MPF_TFTP_OP_OACK:
    case MPF_TFTP_OP_HAME_RENAME:
      split_strings (data + 2, len - 2, buf, out);
      return TRUE;

    case MPF_TFTP_OP_DATA:
      if (len < 4)
        return FALSE;
      out->block = read_be16 (data + 2);
      out->payload = data + 4;
      out->payload_len = len - 4;
      return TRUE;

    case MPF_TFTP_OP_ACK:
      if (len < 4)
        return FALSE;
      out->block = read_be16 (data + 2);
      return TRUE;

    case MPF_TFTP_OP_ERROR:
      if (len < 4)
        return FALSE;
      out->error_code = read_be16 (data + 2);
      out->payload = data + 4;
      out->payload_len = strnlen ((const char *) data + 4, len - 4);
      return TRUE;

    case MPF_TFTP_OP_HAME_STOP:
      return TRUE;

    case MPF_TFTP_OP_HAME_FLASH_DONE:
      out->payload = data + 2;
      out->payload_len = len - 2;
      return TRUE;

    default:
      return FALSE;
    }
}

const char *
mpf_tftp_packet_get_filename (const MpfTftpPacket *pkt)
{
  return pkt->n_strings > 0 ? pkt->strings[0] : NULL;
}

const char *
mpf_tftp_packet_get_mode (const MpfTftpPacket *pkt)
{
  return pkt->n_strings > 1 ? pkt->strings[1] : NULL;
}

guint
mpf_tftp_packet_get_n_options (const MpfTftpPacket *pkt)
{
  return pkt->n_strings > 2 ? (pkt->n_strings - 2) / 2 : 0;
}

void
mpf_tftp_packet_get_option (const MpfTftpPacket *pkt, guint i, const char **name, const char **value)
{
  g_return_if_fail (i < mpf_tftp_packet_get_n_options (pkt));
  *name = pkt->strings[2 + 2 * i];
  *value = pkt->strings[3 + 2 * i];
}

gsize
mpf_tftp_packet_build_data (guint8 *out, gsize cap, guint16 block, const guint8 *payload, gsize payload_len)
{
  if (cap < 4 || payload_len > cap - 4)
    return 0;
  write_be16 (out, MPF_TFTP_OP_DATA);
  write_be16 (out + 2, block);
  if (payload_len > 0)
    memcpy (out + 4, payload, payload_len);
  return payload_len + 4;
}

gsize
mpf_tftp_packet_build_ack (guint8 *out, gsize cap, guint16 block)
{
  if (cap < 4)
    return 0;
  write_be16 (out, MPF_TFTP_OP_ACK);
  write_be16 (out + 2, block);
  return 4;
}

/* Appends NUL-terminated @s at @pos; returns the new position or 0. */
static gsize
append_string (guint8 *out, gsize cap, gsize pos, const char *s)
{
  gsize n = strlen (s) + 1;

  if (pos == 0 || n > cap - pos)
    return 0;
  memcpy (out + pos, s, n);
  return pos + n;
}

gsize
mpf_tftp_packet_build_error (guint8 *out, gsize cap, guint16 code, const char *message)
{
  if (cap < 4)
    return 0;
  write_be16 (out, MPF_TFTP_OP_ERROR);
  write_be16 (out + 2, code);
  return append_string (out, cap, 4, message != NULL ? message : "");
}

gsize
mpf_tftp_packet_build_oack (guint8 *out, gsize cap, const char * const *pairs)
{
  gsize pos = 2;

  if (cap < 2)
    return 0;
  write_be16 (out, MPF_TFTP_OP_OACK);
  for (guint i = 0; pairs[i] != NULL && pos != 0; i++)
    pos = append_string (out, cap, pos, pairs[i]);
  return pos;
}

gsize
mpf_tftp_packet_build_request (guint8 *out, gsize cap, MpfTftpOpcode op, const char * const *strings)
{
  gsize pos = 2;

  if (cap < 2)
    return 0;
  write_be16 (out, (guint16) op);
  for (guint i = 0; strings[i] != NULL && pos != 0; i++)
    pos = append_string (out, cap, pos, strings[i]);
  return pos;
}
