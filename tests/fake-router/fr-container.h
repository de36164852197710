/* fr-container.h — the Hame bootloader's post-download parser, as RECOVERY.md
 * describes it, written independently of the product's packer so that the
 * two check each other.
 *
 * The real parser validates nothing: it walks the entries and writes. The
 * simulated one first checks that the walk stays inside the downloaded file
 * and that every entry type is one mprflash may send, and refuses the whole
 * file otherwise (where the real one would crash or write somewhere
 * dangerous), so that a test sees a loud refusal and nothing written.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FR_CONTAINER_HEADER_SIZE     12u   /* magic-ish 5, CRC, entry count */
#define FR_CONTAINER_ENTRY_SIZE      16u   /* type, 1, offset, length */
#define FR_CONTAINER_TYPE_FIRMWARE   8u
#define FR_CONTAINER_FIRMWARE_FLASH  0x50000u
#define FR_CONTAINER_FIRMWARE_MAX    0x3b0000u /* larger: silently skipped */

#define FR_CONTAINER_ERROR (fr_container_error_quark ())
typedef enum {
  FR_CONTAINER_ERROR_RAW_UIMAGE,   /* a bare uImage: the real parser crashes */
  FR_CONTAINER_ERROR_TRUNCATED,    /* an entry runs past the end: the real one reads garbage */
  FR_CONTAINER_ERROR_BAD_TYPE,     /* type other than 8: would write bootloader/factory/... */
} FrContainerError;
GQuark fr_container_error_quark (void);

typedef struct {
  guint8  type;          /* only byte 12 (+16 per entry) is read */
  guint32 offset;        /* entry's offset field (unused for type 8) */
  guint32 length;        /* P */
  gsize   data_start;    /* where the entry's bytes start in the file */
  gboolean skipped;      /* type 8 with P > 0x3b0000: the bootloader writes nothing */
  guint32 flash_offset;  /* where it is written (type 8: 0x50000) */
} FrContainerEntry;

typedef struct {
  guint32 word0;         /* 5 in onekey's files; ignored */
  guint32 crc;           /* CRC32 of bytes 12..end in onekey's files; ignored */
  gboolean crc_matches;  /* for the log only */
  guint32 n_entries;
  GArray *entries;       /* FrContainerEntry */
} FrContainer;

void         fr_container_free (FrContainer *container);
/* Parses @data (the whole downloaded file). */
FrContainer *fr_container_parse (const guint8 *data, gsize len, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FrContainer, fr_container_free)

G_END_DECLS
