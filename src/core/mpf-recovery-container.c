#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <zlib.h>

#include "mpf-error.h"
#include "mpf-recovery-container.h"
#include "mpf-uimage.h"

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

static guint32
crc32_bytes (const guint8 *data, gsize len)
{
  uLong crc = crc32 (0L, Z_NULL, 0);

  /* zlib takes a uInt length: feed it in chunks. */
  while (len > 0)
    {
      uInt chunk = (uInt) MIN (len, (gsize) G_MAXUINT32 / 2);
      crc = crc32 (crc, data, chunk);
      data += chunk;
      len -= chunk;
    }
  return (guint32) crc;
}

gsize
mpf_recovery_container_padded_size (gsize image_len)
{
  return ((image_len >> 16) + 1) << 16;
}

GBytes *
mpf_recovery_container_pack (GBytes *uimage, GError **error)
{
  const guint8 *image;
  gsize n, p;
  guint8 *out;
  MpfUImage hdr;
  g_autofree char *size_text = NULL;

  g_return_val_if_fail (uimage != NULL, NULL);

  image = g_bytes_get_data (uimage, &n);
  if (n == 0)
    {
      g_set_error_literal (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_EMPTY,
                           _("The firmware file is empty."));
      return NULL;
    }
  if (n > MPF_RECOVERY_MAX_IMAGE_SIZE)
    {
      size_text = g_strdup_printf ("%" G_GSIZE_FORMAT, n);
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_TOO_BIG,
                   /* TRANSLATORS: %s is a number of bytes, %u too (3,866,623) */
                   _("This image is %s bytes, but the router's recovery mode can write at "
                     "most %u bytes: it would skip a larger image without saying so. "
                     "Choose a smaller firmware."),
                   size_text, MPF_RECOVERY_MAX_IMAGE_SIZE);
      return NULL;
    }
  /* The bootloader checks nothing: never wrap what is not a sound uImage. */
  if (!mpf_uimage_parse (image, n, &hdr, error) || !mpf_uimage_validate (&hdr, error))
    return NULL;

  p = mpf_recovery_container_padded_size (n);
  out = g_malloc0 (MPF_RECOVERY_HEADER_SIZE + p);
  write_le32 (out + 0, MPF_RECOVERY_MAGIC);
  write_le32 (out + 8, 1);                            /* entry count */
  write_le32 (out + 12, MPF_RECOVERY_ENTRY_FIRMWARE); /* type */
  write_le32 (out + 16, 1);
  write_le32 (out + 20, 0);                           /* offset */
  write_le32 (out + 24, (guint32) p);
  memcpy (out + MPF_RECOVERY_HEADER_SIZE, image, n);
  write_le32 (out + 4, crc32_bytes (out + 12, MPF_RECOVERY_HEADER_SIZE - 12 + p));
  return g_bytes_new_take (out, MPF_RECOVERY_HEADER_SIZE + p);
}

gboolean
mpf_recovery_container_parse (const guint8 *data, gsize len, MpfRecoveryContainer *out,
                              GError **error)
{
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  out->file_size = len;
  if (data == NULL || len < 12)
    {
      g_set_error_literal (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_TRUNCATED_HEADER,
                           _("The file is too short to be a recovery container."));
      return FALSE;
    }
  out->magic = read_le32 (data);
  out->stored_crc = read_le32 (data + 4);
  out->computed_crc = crc32_bytes (data + 12, len - 12);
  out->n_entries = read_le32 (data + 8);
  if (len < MPF_RECOVERY_HEADER_SIZE)
    return TRUE;

  out->has_entry = TRUE;
  out->type = read_le32 (data + 12);
  out->flags = read_le32 (data + 16);
  out->offset = read_le32 (data + 20);
  out->length = read_le32 (data + 24);
  if (out->offset <= len - MPF_RECOVERY_HEADER_SIZE)
    {
      gsize avail = len - MPF_RECOVERY_HEADER_SIZE - out->offset;

      out->payload = data + MPF_RECOVERY_HEADER_SIZE + out->offset;
      out->payload_len = MIN ((gsize) out->length, avail);
    }
  out->payload_truncated = out->payload_len < out->length;

  if (out->payload_len >= MPF_UIMAGE_HEADER_SIZE)
    {
      guint32 magic = (guint32) out->payload[0] << 24 | (guint32) out->payload[1] << 16 |
                      (guint32) out->payload[2] << 8 | out->payload[3];
      guint32 size = (guint32) out->payload[12] << 24 | (guint32) out->payload[13] << 16 |
                     (guint32) out->payload[14] << 8 | out->payload[15];

      if (magic == MPF_UIMAGE_MAGIC)
        out->image_len = MPF_UIMAGE_HEADER_SIZE + (gsize) size;
    }
  if (out->image_len > 0 && out->image_len <= out->payload_len)
    {
      out->padding_zero = TRUE;
      for (gsize i = out->image_len; i < out->payload_len && out->padding_zero; i++)
        out->padding_zero = out->payload[i] == 0;
    }
  return TRUE;
}

static gboolean
fail (GError **error, int code, const char *message)
{
  g_set_error_literal (error, MPF_IMAGE_ERROR, code, message);
  return FALSE;
}

gboolean
mpf_recovery_container_check (const MpfRecoveryContainer *c, GError **error)
{
  g_return_val_if_fail (c != NULL, FALSE);

  if (!c->has_entry)
    return fail (error, MPF_IMAGE_ERROR_TRUNCATED_HEADER,
                 _("The file is too short to be a recovery container."));
  if (c->magic != MPF_RECOVERY_MAGIC || c->n_entries != 1 ||
      c->type != MPF_RECOVERY_ENTRY_FIRMWARE || c->flags != 1 || c->offset != 0)
    return fail (error, MPF_IMAGE_ERROR_BAD_MAGIC,
                 _("This is not a recovery container with one firmware entry."));
  if (c->payload_truncated)
    return fail (error, MPF_IMAGE_ERROR_TRUNCATED_DATA,
                 _("The recovery container is cut short."));
  if (c->stored_crc != c->computed_crc)
    return fail (error, MPF_IMAGE_ERROR_BAD_CHECKSUM,
                 _("The recovery container's checksum does not match its contents."));
  if (c->image_len == 0)
    return fail (error, MPF_IMAGE_ERROR_WRONG_FORMAT,
                 _("The recovery container does not hold a firmware image."));
  if (c->image_len > MPF_RECOVERY_MAX_IMAGE_SIZE)
    return fail (error, MPF_IMAGE_ERROR_TOO_BIG,
                 _("The firmware in this recovery container is too big: the router would "
                   "skip writing it."));
  if (c->length != mpf_recovery_container_padded_size (c->image_len) || !c->padding_zero ||
      c->file_size != MPF_RECOVERY_HEADER_SIZE + (gsize) c->length)
    return fail (error, MPF_IMAGE_ERROR_WRONG_FORMAT,
                 _("The recovery container's padding is not the expected one."));
  return TRUE;
}
