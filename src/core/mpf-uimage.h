#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Legacy U-Boot image header (FORMATS.md). All fields host-endian after parsing. */
#define MPF_UIMAGE_MAGIC       0x27051956u
#define MPF_UIMAGE_HEADER_SIZE 64
#define MPF_UIMAGE_NAME_LEN    32

#define MPF_UIMAGE_OS_LINUX    5
#define MPF_UIMAGE_ARCH_MIPS   5
#define MPF_UIMAGE_TYPE_KERNEL 2
#define MPF_UIMAGE_COMP_NONE   0
#define MPF_UIMAGE_COMP_GZIP   1
#define MPF_UIMAGE_COMP_BZIP2  2
#define MPF_UIMAGE_COMP_LZMA   3

#define MPF_UIMAGE_STOCK_NAME  "Linux Kernel Image"

typedef struct {
  guint32 magic;
  guint32 header_crc;
  guint32 time;
  guint32 data_size;
  guint32 load;
  guint32 entry;
  guint32 data_crc;
  guint8  os;
  guint8  arch;
  guint8  type;
  guint8  comp;
  char    name[MPF_UIMAGE_NAME_LEN + 1]; /* always NUL-terminated copy */
  guint32 sdk_rootfs_offset;             /* header bytes 60..63, big-endian (Ralink SDK) */
  gboolean header_crc_ok;
  gboolean data_crc_ok;                  /* FALSE also when the data is truncated */
  gsize   file_size;                     /* bytes given to the parser */
} MpfUImage;

/* Parses the header of @data. Returns FALSE only when there is no header to
 * read (empty, truncated header, bad magic); CRC and field problems are
 * reported through the flags so callers can list every problem. */
gboolean mpf_uimage_parse (const guint8 *data, gsize len, MpfUImage *out, GError **error);

/* Strict check for flashing: header CRC, data present and CRC, MIPS, kernel,
 * supported compression. First problem as @error. */
gboolean mpf_uimage_validate (const MpfUImage *img, GError **error);
/* Every problem mpf_uimage_validate checks, in the same order: a GPtrArray
 * of GError* (MPF_IMAGE_ERROR), empty when the image is valid. */
GPtrArray *mpf_uimage_collect_problems (const MpfUImage *img);

/* Builds an image (tests, and the name rewrite). */
GBytes  *mpf_uimage_build (const char *name, guint32 time, guint32 load, guint32 entry,
                           guint8 os, guint8 arch, guint8 type, guint8 comp,
                           const guint8 *payload, gsize payload_len,
                           const guint8 *trailer, gsize trailer_len);

/* Returns a copy of @data with the 32-byte name replaced and the header CRC
 * recomputed (the Hame web UI only accepts "Linux Kernel Image"). */
GBytes  *mpf_uimage_rename (GBytes *data, const char *name, GError **error);

const char *mpf_uimage_os_name (guint8 os);
const char *mpf_uimage_arch_name (guint8 arch);
const char *mpf_uimage_type_name (guint8 type);
const char *mpf_uimage_comp_name (guint8 comp);

/* Short stable ids as mkimage's -O/-A/-T/-C options spell them ("linux",
 * "mips", "kernel", "lzma"); "unknown" for values outside the table. */
const char *mpf_uimage_os_id (guint8 os);
const char *mpf_uimage_arch_id (guint8 arch);
const char *mpf_uimage_type_id (guint8 type);
const char *mpf_uimage_comp_id (guint8 comp);

/* TRUE when the file holds all the data_size bytes the header announces. */
gboolean    mpf_uimage_data_complete (const MpfUImage *img);
/* TRUE for a compression the boards' U-Boot is known to unpack (none, gzip, lzma). */
gboolean    mpf_uimage_comp_supported (guint8 comp);

/* Returns a copy of @data with header bytes 60..63 (the Ralink SDK root
 * filesystem offset) set to @offset and the header CRC recomputed (tests). */
GBytes     *mpf_uimage_with_sdk_rootfs_offset (GBytes *data, guint32 offset, GError **error);

G_END_DECLS
