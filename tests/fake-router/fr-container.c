/* fr-container.c — the bootloader's container parser (RECOVERY.md, "What the
 * downloaded file must be"). Little-endian words; only byte 0 of each type
 * word is read, as the real parser does. */
#include "config.h"

#include <zlib.h>

#include "fr-container.h"

G_DEFINE_QUARK (fr-container-error-quark, fr_container_error)

#define UIMAGE_MAGIC 0x27051956u

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | (guint32) p[3];
}

static const char *
type_name (guint8 type)
{
  switch (type)
    {
    case 1: return "MAC addresses into the factory area";
    case 2: return "a new bootloader";
    case 4: return "a config blob";
    case 16: return "a raw write at 0x20000+offset";
    default: return "unknown";
    }
}

void
fr_container_free (FrContainer *container)
{
  if (container == NULL)
    return;
  g_clear_pointer (&container->entries, g_array_unref);
  g_free (container);
}

FrContainer *
fr_container_parse (const guint8 *data, gsize len, GError **error)
{
  g_autoptr(FrContainer) c = g_new0 (FrContainer, 1);
  gsize pos = FR_CONTAINER_HEADER_SIZE;

  c->entries = g_array_new (FALSE, TRUE, sizeof (FrContainerEntry));
  if (len >= 4 && be32 (data) == UIMAGE_MAGIC)
    {
      /* The real parser takes the image's time field as the entry count. */
      g_set_error (error, FR_CONTAINER_ERROR, FR_CONTAINER_ERROR_RAW_UIMAGE,
                   "a raw uImage, not a container: the real parser would read its time "
                   "field as %u entries and crash before writing anything",
                   len >= 12 ? le32 (data + 8) : 0);
      return NULL;
    }
  if (len < FR_CONTAINER_HEADER_SIZE)
    {
      g_set_error (error, FR_CONTAINER_ERROR, FR_CONTAINER_ERROR_TRUNCATED,
                   "%zu bytes: shorter than the 12-byte container header", len);
      return NULL;
    }
  c->word0 = le32 (data);
  c->crc = le32 (data + 4);
  c->crc_matches = c->crc == (guint32) crc32 (0, data + 12, (uInt) (len - 12));
  c->n_entries = le32 (data + 8);

  for (guint32 i = 0; i < c->n_entries; i++)
    {
      FrContainerEntry e = { 0 };
      gboolean last = i + 1 == c->n_entries;

      if (pos > len || len - pos < FR_CONTAINER_ENTRY_SIZE)
        {
          g_set_error (error, FR_CONTAINER_ERROR, FR_CONTAINER_ERROR_TRUNCATED,
                       "entry %u of %u starts at %zu, past the end of the %zu-byte file: the "
                       "real parser would read stale memory",
                       i + 1, c->n_entries, pos, len);
          return NULL;
        }
      e.type = data[pos];
      e.offset = le32 (data + pos + 8);
      e.length = le32 (data + pos + 12);
      e.data_start = pos + FR_CONTAINER_ENTRY_SIZE;
      if (e.type != FR_CONTAINER_TYPE_FIRMWARE)
        {
          g_set_error (error, FR_CONTAINER_ERROR, FR_CONTAINER_ERROR_BAD_TYPE,
                       "entry %u has type %u (%s): mprflash must only ever send one type-8 "
                       "entry; the real bootloader would act on it",
                       i + 1, e.type, type_name (e.type));
          return NULL;
        }
      e.flash_offset = FR_CONTAINER_FIRMWARE_FLASH;
      e.skipped = e.length > FR_CONTAINER_FIRMWARE_MAX;
      /* A skipped entry's bytes are never read; only a following entry
       * needs them to be there. */
      if ((!e.skipped || !last) && len - e.data_start < e.length)
        {
          g_set_error (error, FR_CONTAINER_ERROR, FR_CONTAINER_ERROR_TRUNCATED,
                       "entry %u claims %u bytes but only %zu follow: the real parser would "
                       "write stale memory",
                       i + 1, e.length, len - e.data_start);
          return NULL;
        }
      g_array_append_val (c->entries, e);
      pos = e.data_start + e.length;
    }
  return g_steal_pointer (&c);
}
