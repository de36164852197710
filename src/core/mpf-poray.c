#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "mpf-error.h"
#include "mpf-poray.h"
#include "mpf-uimage.h"

#define CHECKSUM_LEN 2

static guint32
read_le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static void
write_le32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) v;
  p[1] = (guint8) (v >> 8);
  p[2] = (guint8) (v >> 16);
  p[3] = (guint8) (v >> 24);
}

/* Arithmetic right shift of a 32-bit two's-complement value held in a
 * guint32: the reference uses a signed int, and shifting or overflowing a
 * signed int in C is implementation-defined or undefined. */
static guint32
asr16 (guint32 v)
{
  return (v >> 16) | ((v & 0x80000000u) != 0 ? 0xffff0000u : 0u);
}

guint16
mpf_poray_checksum (const guint8 *data, gsize len)
{
  guint32 c = 0;   /* the reference's signed accumulator; unsigned adds wrap the same way */
  gsize i;

  for (i = 0; i + 1 < len; i += 2)
    c += (guint32) data[i] | ((guint32) data[i + 1] << 8);
  if (len % 2 == 1)
    c += data[len - 1];

  c = c + asr16 (c) + 0xffffu;
  return (guint16) (~(c + asr16 (c)) & 0xffffu);
}

static void
xor_key (guint8 *buf, gsize len, const guint8 *key)
{
  for (gsize i = 0; i < len; i++)
    buf[i] ^= key[i % MPF_PORAY_KEY_LEN];
}

/* The fixed flags and the zero padding after them. */
static gboolean
header_shape_ok (const guint8 *header)
{
  if (read_le32 (header + 8) != MPF_PORAY_FLAGS)
    return FALSE;
  for (gsize i = 12; i < MPF_PORAY_HEADER_SIZE; i++)
    if (header[i] != 0)
      return FALSE;
  return TRUE;
}

gboolean
mpf_poray_looks_encoded (const guint8 *data, gsize len)
{
  if (data == NULL || len < MPF_PORAY_HEADER_SIZE || !header_shape_ok (data))
    return FALSE;
  return (guint64) read_le32 (data + 4) + MPF_PORAY_HEADER_SIZE + CHECKSUM_LEN == len;
}

GBytes *
mpf_poray_encode (const MpfBoard *board, GBytes *uimage, GError **error)
{
  gsize len = 0;
  const guint8 *payload;
  guint8 *out;
  guint16 sum;

  g_return_val_if_fail (board != NULL, NULL);
  g_return_val_if_fail (uimage != NULL, NULL);

  if (!board->has_poray)
    {
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_NO_ENCODED_FORMAT,
                   _("The %s has no encoded firmware format; it takes plain images."),
                   board->display_name);
      return NULL;
    }

  payload = g_bytes_get_data (uimage, &len);
  if (len == 0)
    {
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_EMPTY, _("The file is empty."));
      return NULL;
    }
  if (len >= 2 && mpf_poray_looks_encoded (payload, len))
    {
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_WRONG_FORMAT,
                   _("The file is already encoded."));
      return NULL;
    }
  /* The reference tool allows 64 KiB more than the partition holds. */
  if (len > board->firmware_size)
    {
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_TOO_BIG,
                   ngettext ("The image is %zu bytes, %llu byte more than the %s's firmware partition holds.",
                             "The image is %zu bytes, %llu bytes more than the %s's firmware partition holds.",
                             (gulong) MIN (len - board->firmware_size, (gsize) G_MAXLONG)),
                   len, (unsigned long long) (len - board->firmware_size), board->display_name);
      return NULL;
    }

  out = g_malloc0 (MPF_PORAY_HEADER_SIZE + len + CHECKSUM_LEN);
  write_le32 (out, board->poray_hw_id);
  write_le32 (out + 4, (guint32) len);
  write_le32 (out + 8, MPF_PORAY_FLAGS);
  memcpy (out + MPF_PORAY_HEADER_SIZE, payload, len);
  sum = mpf_poray_checksum (payload, len);
  out[MPF_PORAY_HEADER_SIZE + len] = (guint8) (sum & 0xff);
  out[MPF_PORAY_HEADER_SIZE + len + 1] = (guint8) (sum >> 8);
  /* The key runs on from the payload over the two checksum bytes. */
  xor_key (out + MPF_PORAY_HEADER_SIZE, len + CHECKSUM_LEN, board->poray_key);

  return g_bytes_new_take (out, MPF_PORAY_HEADER_SIZE + len + CHECKSUM_LEN);
}

/* Decodes with one key; NULL unless checksum and inner header CRC verify. */
static guint8 *
try_key (const guint8 *body, gsize payload_len, const guint8 *key)
{
  g_autofree guint8 *buf = g_memdup2 (body, payload_len + CHECKSUM_LEN);
  guint16 stored;
  MpfUImage img;

  xor_key (buf, payload_len + CHECKSUM_LEN, key);
  stored = (guint16) (buf[payload_len] | (buf[payload_len + 1] << 8));
  if (stored != mpf_poray_checksum (buf, payload_len))
    return NULL;
  /* Both keys can satisfy the checksum by chance; the inner header CRC
   * covers the bytes where the keys differ. */
  if (!mpf_uimage_parse (buf, payload_len, &img, NULL) || !img.header_crc_ok)
    return NULL;
  return g_steal_pointer (&buf);
}

GBytes *
mpf_poray_decode (GBytes *encoded, const MpfBoard **out_board, GError **error)
{
  gsize len = 0;
  const guint8 *data;
  const MpfBoard *const *boards;
  guint32 hw_id, payload_len;

  g_return_val_if_fail (encoded != NULL, NULL);

  if (out_board != NULL)
    *out_board = NULL;

  data = g_bytes_get_data (encoded, &len);
  if (len == 0)
    {
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_EMPTY, _("The file is empty."));
      return NULL;
    }
  if (len < MPF_PORAY_HEADER_SIZE)
    {
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_TRUNCATED_HEADER,
                   _("The file is only %zu bytes long, shorter than an encoded firmware header (28 bytes)."),
                   len);
      return NULL;
    }
  payload_len = read_le32 (data + 4);
  if (!header_shape_ok (data))
    {
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_BAD_MAGIC,
                   _("This is not an encoded (Poray/Hame factory) firmware file."));
      return NULL;
    }
  if ((guint64) payload_len + MPF_PORAY_HEADER_SIZE + CHECKSUM_LEN != len)
    {
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_TRUNCATED_DATA,
                   _("The encoded file's length (%zu bytes) does not match its header (%llu bytes)."),
                   len, (unsigned long long) payload_len + MPF_PORAY_HEADER_SIZE + CHECKSUM_LEN);
      return NULL;
    }

  hw_id = read_le32 (data);
  boards = mpf_board_all ();
  for (gsize i = 0; boards[i] != NULL; i++)
    {
      guint8 *plain;

      if (!boards[i]->has_poray || boards[i]->poray_hw_id != hw_id)
        continue;
      plain = try_key (data + MPF_PORAY_HEADER_SIZE, payload_len, boards[i]->poray_key);
      if (plain != NULL)
        {
          if (out_board != NULL)
            *out_board = boards[i];
          return g_bytes_new_take (plain, payload_len);
        }
    }

  g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_BAD_CHECKSUM,
               _("The encoded file is damaged or made for an unknown router: no known key makes its checksum and contents verify."));
  return NULL;
}
