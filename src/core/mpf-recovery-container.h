#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The file the Hame bootloader downloads in recovery (RECOVERY.md): a 28-byte
 * little-endian header, one firmware entry, the uImage unchanged, zero
 * padding. mprflash only ever emits one type-8 (firmware) entry. */
#define MPF_RECOVERY_HEADER_SIZE     28
#define MPF_RECOVERY_MAGIC           5u
#define MPF_RECOVERY_ENTRY_FIRMWARE  8u
/* Above this the bootloader's padded length exceeds 0x3B0000 and it silently
 * skips the write (but still reports opcode 9). */
#define MPF_RECOVERY_MAX_IMAGE_SIZE  3866623u

/* P: @image_len rounded up to the next 64 KiB boundary, always adding at
 * least one byte. */
gsize mpf_recovery_container_padded_size (gsize image_len);

/* Wraps @uimage after checking it is a valid uImage (header and data CRC,
 * MIPS kernel) no larger than MPF_RECOVERY_MAX_IMAGE_SIZE. MPF_IMAGE_ERROR on
 * failure, with a translated message. */
GBytes *mpf_recovery_container_pack (GBytes *uimage, GError **error);

/* What a container says, for diagnostics. All fields host-endian. */
typedef struct {
  guint32 magic;           /* word 0, 5 in the vendor's files (the bootloader ignores it) */
  guint32 stored_crc;      /* word 1 */
  guint32 computed_crc;    /* zlib CRC32 of bytes 12 .. end */
  guint32 n_entries;
  /* The first entry (zero when the file is too short to hold it). */
  guint32 type;
  guint32 flags;           /* 1 in the vendor's files (ignored) */
  guint32 offset;
  guint32 length;          /* P */
  const guint8 *payload;   /* points into the parsed data: bytes 28+offset .. */
  gsize   payload_len;     /* what of @length the file really holds */
  gboolean has_entry;
  gboolean payload_truncated;
  gboolean padding_zero;   /* everything after the uImage (by its header size) is zero */
  gsize   image_len;       /* N from the embedded uImage header (64 + data size); 0 if none */
  gsize   file_size;
} MpfRecoveryContainer;

/* Reads the header and first entry. Returns FALSE only when there is no
 * header to read (shorter than 12 bytes); everything else is reported
 * through the fields. Never reads past @len. */
gboolean mpf_recovery_container_parse (const guint8 *data, gsize len,
                                       MpfRecoveryContainer *out, GError **error);

/* TRUE when @c is byte for byte what mpf_recovery_container_pack() makes of
 * its embedded image; the first difference as @error otherwise. */
gboolean mpf_recovery_container_check (const MpfRecoveryContainer *c, GError **error);

G_END_DECLS
