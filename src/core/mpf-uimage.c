#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <zlib.h>

#include "mpf-error.h"
#include "mpf-uimage.h"

/* Header field offsets (FORMATS.md). */
enum {
  OFF_MAGIC = 0,
  OFF_HCRC = 4,
  OFF_TIME = 8,
  OFF_SIZE = 12,
  OFF_LOAD = 16,
  OFF_ENTRY = 20,
  OFF_DCRC = 24,
  OFF_OS = 28,
  OFF_ARCH = 29,
  OFF_TYPE = 30,
  OFF_COMP = 31,
  OFF_NAME = 32,
  OFF_SDK_ROOTFS = 60,
};

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static void
write_be32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

/* zlib's crc32 takes a uInt length; feed it in chunks so any gsize works. */
static guint32
crc32_bytes (const guint8 *data, gsize len)
{
  uLong crc = crc32 (0L, Z_NULL, 0);

  while (len > 0)
    {
      uInt chunk = (uInt) MIN (len, (gsize) G_MAXUINT32 / 2);
      crc = crc32 (crc, data, chunk);
      data += chunk;
      len -= chunk;
    }
  return (guint32) crc;
}

static guint32
header_crc (const guint8 *header)
{
  guint8 copy[MPF_UIMAGE_HEADER_SIZE];

  memcpy (copy, header, sizeof copy);
  write_be32 (copy + OFF_HCRC, 0);
  return crc32_bytes (copy, sizeof copy);
}

gboolean
mpf_uimage_parse (const guint8 *data, gsize len, MpfUImage *out, GError **error)
{
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  memset (out, 0, sizeof *out);
  out->file_size = len;

  if (len == 0)
    {
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_EMPTY, _("The file is empty."));
      return FALSE;
    }
  if (len < MPF_UIMAGE_HEADER_SIZE)
    {
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_TRUNCATED_HEADER,
                   _("The file is only %zu bytes long, shorter than a firmware header (64 bytes)."),
                   len);
      return FALSE;
    }

  out->magic = read_be32 (data + OFF_MAGIC);
  if (out->magic != MPF_UIMAGE_MAGIC)
    {
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_BAD_MAGIC,
                   _("This is not a U-Boot firmware image (wrong magic number)."));
      return FALSE;
    }

  out->header_crc = read_be32 (data + OFF_HCRC);
  out->time = read_be32 (data + OFF_TIME);
  out->data_size = read_be32 (data + OFF_SIZE);
  out->load = read_be32 (data + OFF_LOAD);
  out->entry = read_be32 (data + OFF_ENTRY);
  out->data_crc = read_be32 (data + OFF_DCRC);
  out->os = data[OFF_OS];
  out->arch = data[OFF_ARCH];
  out->type = data[OFF_TYPE];
  out->comp = data[OFF_COMP];
  /* The name field is not always NUL-terminated: copy at most 32 bytes. */
  memcpy (out->name, data + OFF_NAME, MPF_UIMAGE_NAME_LEN);
  out->name[MPF_UIMAGE_NAME_LEN] = '\0';
  out->sdk_rootfs_offset = read_be32 (data + OFF_SDK_ROOTFS);

  out->header_crc_ok = header_crc (data) == out->header_crc;
  if ((gsize) out->data_size <= len - MPF_UIMAGE_HEADER_SIZE)
    out->data_crc_ok = crc32_bytes (data + MPF_UIMAGE_HEADER_SIZE, out->data_size) == out->data_crc;
  else
    out->data_crc_ok = FALSE;

  return TRUE;
}

gboolean
mpf_uimage_data_complete (const MpfUImage *img)
{
  g_return_val_if_fail (img != NULL, FALSE);
  return img->file_size >= MPF_UIMAGE_HEADER_SIZE &&
         (gsize) img->data_size <= img->file_size - MPF_UIMAGE_HEADER_SIZE;
}

/* The Ralink SDK U-Boot these units ship unpacks gzip and LZMA (and plain
 * data); bzip2 support is not known, so it is refused rather than risked. */
gboolean
mpf_uimage_comp_supported (guint8 comp)
{
  return comp == MPF_UIMAGE_COMP_NONE || comp == MPF_UIMAGE_COMP_GZIP ||
         comp == MPF_UIMAGE_COMP_LZMA;
}

GPtrArray *
mpf_uimage_collect_problems (const MpfUImage *img)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);

  g_return_val_if_fail (img != NULL, problems);

  if (!img->header_crc_ok)
    g_ptr_array_add (problems,
                     g_error_new (MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_BAD_HEADER_CRC,
                                  _("The firmware header is damaged (its checksum does not match).")));
  if (!mpf_uimage_data_complete (img))
    g_ptr_array_add (problems,
                     g_error_new (MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_TRUNCATED_DATA,
                                  _("The file is incomplete: the header announces %u bytes of data but only %zu follow."),
                                  img->data_size, img->file_size - MPF_UIMAGE_HEADER_SIZE));
  else if (!img->data_crc_ok)
    g_ptr_array_add (problems,
                     g_error_new (MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_BAD_DATA_CRC,
                                  _("The firmware data is damaged (its checksum does not match).")));
  if (img->arch != MPF_UIMAGE_ARCH_MIPS)
    g_ptr_array_add (problems,
                     g_error_new (MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_WRONG_ARCH,
                                  _("The firmware is built for the %s architecture; these routers need MIPS."),
                                  mpf_uimage_arch_name (img->arch)));
  if (img->type != MPF_UIMAGE_TYPE_KERNEL)
    g_ptr_array_add (problems,
                     g_error_new (MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_NOT_KERNEL,
                                  _("The image is of type “%s”, not an operating system kernel."),
                                  mpf_uimage_type_name (img->type)));
  if (!mpf_uimage_comp_supported (img->comp))
    g_ptr_array_add (problems,
                     g_error_new (MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_BAD_COMPRESSION,
                                  _("The image uses a compression (%s) the router's bootloader cannot unpack."),
                                  mpf_uimage_comp_name (img->comp)));
  return problems;
}

gboolean
mpf_uimage_validate (const MpfUImage *img, GError **error)
{
  g_autoptr(GPtrArray) problems = NULL;

  g_return_val_if_fail (img != NULL, FALSE);

  problems = mpf_uimage_collect_problems (img);
  if (problems->len == 0)
    return TRUE;
  g_propagate_error (error, g_error_copy (problems->pdata[0]));
  return FALSE;
}

static void
write_name (guint8 *header, const char *name)
{
  gsize n = name != NULL ? strlen (name) : 0;

  memset (header + OFF_NAME, 0, MPF_UIMAGE_NAME_LEN);
  memcpy (header + OFF_NAME, name, MIN (n, (gsize) MPF_UIMAGE_NAME_LEN));
}

GBytes *
mpf_uimage_build (const char *name, guint32 time, guint32 load, guint32 entry,
                  guint8 os, guint8 arch, guint8 type, guint8 comp,
                  const guint8 *payload, gsize payload_len,
                  const guint8 *trailer, gsize trailer_len)
{
  gsize total;
  guint8 *buf;

  g_return_val_if_fail (payload != NULL || payload_len == 0, NULL);
  g_return_val_if_fail (trailer != NULL || trailer_len == 0, NULL);
  g_return_val_if_fail (payload_len <= G_MAXUINT32, NULL);

  total = MPF_UIMAGE_HEADER_SIZE + payload_len + trailer_len;
  buf = g_malloc0 (total);
  if (payload_len > 0)
    memcpy (buf + MPF_UIMAGE_HEADER_SIZE, payload, payload_len);
  if (trailer_len > 0)
    memcpy (buf + MPF_UIMAGE_HEADER_SIZE + payload_len, trailer, trailer_len);

  write_be32 (buf + OFF_MAGIC, MPF_UIMAGE_MAGIC);
  write_be32 (buf + OFF_TIME, time);
  write_be32 (buf + OFF_SIZE, (guint32) payload_len);
  write_be32 (buf + OFF_LOAD, load);
  write_be32 (buf + OFF_ENTRY, entry);
  write_be32 (buf + OFF_DCRC, crc32_bytes (buf + MPF_UIMAGE_HEADER_SIZE, payload_len));
  buf[OFF_OS] = os;
  buf[OFF_ARCH] = arch;
  buf[OFF_TYPE] = type;
  buf[OFF_COMP] = comp;
  write_name (buf, name);
  write_be32 (buf + OFF_HCRC, header_crc (buf));

  return g_bytes_new_take (buf, total);
}

/* A private copy of a parsable image, for the header edits below. */
static gboolean
copy_uimage (GBytes *data, guint8 **out_buf, gsize *out_len, GError **error)
{
  gsize len = 0;
  const guint8 *src = g_bytes_get_data (data, &len);
  MpfUImage img;

  if (!mpf_uimage_parse (src, len, &img, error))
    return FALSE;
  *out_buf = g_memdup2 (src, len);
  *out_len = len;
  return TRUE;
}

GBytes *
mpf_uimage_rename (GBytes *data, const char *name, GError **error)
{
  guint8 *buf = NULL;
  gsize len = 0;
  guint32 sdk_offset;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (!copy_uimage (data, &buf, &len, error))
    return NULL;

  /* With a Ralink SDK header the last 4 name bytes hold the root filesystem
   * offset; a longer name would destroy it. */
  sdk_offset = read_be32 (buf + OFF_SDK_ROOTFS);
  if (strlen (name) > (sdk_offset != 0 ? 28u : (gsize) MPF_UIMAGE_NAME_LEN))
    {
      g_free (buf);
      g_set_error (error, MPF_IMAGE_ERROR, MPF_IMAGE_ERROR_WRONG_FORMAT,
                   _("The name “%s” is too long for the image header."), name);
      return NULL;
    }
  write_name (buf, name);
  if (sdk_offset != 0)
    write_be32 (buf + OFF_SDK_ROOTFS, sdk_offset);
  write_be32 (buf + OFF_HCRC, header_crc (buf));
  return g_bytes_new_take (buf, len);
}

GBytes *
mpf_uimage_with_sdk_rootfs_offset (GBytes *data, guint32 offset, GError **error)
{
  guint8 *buf = NULL;
  gsize len = 0;

  g_return_val_if_fail (data != NULL, NULL);

  if (!copy_uimage (data, &buf, &len, error))
    return NULL;
  write_be32 (buf + OFF_SDK_ROOTFS, offset);
  write_be32 (buf + OFF_HCRC, header_crc (buf));
  return g_bytes_new_take (buf, len);
}

/* Ids and names as U-Boot's own tables spell them (mkimage -l prints the
 * names; the ids are what mkimage -A/-O/-T/-C take). */
typedef struct {
  guint8      value;
  const char *id;
  const char *name;
} NameRow;

static const NameRow os_rows[] = {
  { 0, "invalid", "Invalid OS" }, { 1, "openbsd", "OpenBSD" }, { 2, "netbsd", "NetBSD" },
  { 3, "freebsd", "FreeBSD" }, { 4, "4_4bsd", "4_4BSD" }, { 5, "linux", "Linux" },
  { 17, "u-boot", "U-Boot" },
};

static const NameRow arch_rows[] = {
  { 0, "invalid", "Invalid ARCH" }, { 1, "alpha", "Alpha" }, { 2, "arm", "ARM" },
  { 3, "x86", "Intel x86" }, { 4, "ia64", "IA64" }, { 5, "mips", "MIPS" },
  { 6, "mips64", "MIPS 64 Bit" }, { 7, "powerpc", "PowerPC" }, { 8, "s390", "IBM S390" },
  { 9, "sh", "SuperH" }, { 10, "sparc", "SPARC" }, { 11, "sparc64", "SPARC 64 Bit" },
  { 12, "m68k", "M68K" }, { 15, "microblaze", "MicroBlaze" }, { 17, "blackfin", "Blackfin" },
  { 20, "nds32", "NDS32" }, { 22, "arm64", "AArch64" }, { 24, "x86_64", "AMD x86_64" },
  { 26, "riscv", "RISC-V" },
};

static const NameRow type_rows[] = {
  { 0, "invalid", "Invalid Image" }, { 1, "standalone", "Standalone Program" },
  { 2, "kernel", "Kernel Image" }, { 3, "ramdisk", "RAMDisk Image" },
  { 4, "multi", "Multi-File Image" }, { 5, "firmware", "Firmware" },
  { 6, "script", "Script File" }, { 7, "filesystem", "Filesystem Image" },
  { 8, "flat_dt", "Flat Device Tree" }, { 14, "kernel_noload", "Kernel Image (no loading done)" },
};

static const NameRow comp_rows[] = {
  { 0, "none", "uncompressed" }, { 1, "gzip", "gzip compressed" },
  { 2, "bzip2", "bzip2 compressed" }, { 3, "lzma", "lzma compressed" },
  { 4, "lzo", "lzo compressed" }, { 5, "lz4", "lz4 compressed" }, { 6, "zstd", "zstd compressed" },
};

static const NameRow *
find_row (const NameRow *rows, gsize n_rows, guint8 value)
{
  for (gsize i = 0; i < n_rows; i++)
    if (rows[i].value == value)
      return &rows[i];
  return NULL;
}

#define ROW_ID(rows, v, fallback) \
  (find_row (rows, G_N_ELEMENTS (rows), v) ? find_row (rows, G_N_ELEMENTS (rows), v)->id : fallback)
#define ROW_NAME(rows, v, fallback) \
  (find_row (rows, G_N_ELEMENTS (rows), v) ? find_row (rows, G_N_ELEMENTS (rows), v)->name : fallback)

const char *mpf_uimage_os_name (guint8 os) { return ROW_NAME (os_rows, os, "Unknown OS"); }
const char *mpf_uimage_arch_name (guint8 arch) { return ROW_NAME (arch_rows, arch, "Unknown Architecture"); }
const char *mpf_uimage_type_name (guint8 type) { return ROW_NAME (type_rows, type, "Unknown Image"); }
const char *mpf_uimage_comp_name (guint8 comp) { return ROW_NAME (comp_rows, comp, "Unknown Compression"); }
const char *mpf_uimage_os_id (guint8 os) { return ROW_ID (os_rows, os, "unknown"); }
const char *mpf_uimage_arch_id (guint8 arch) { return ROW_ID (arch_rows, arch, "unknown"); }
const char *mpf_uimage_type_id (guint8 type) { return ROW_ID (type_rows, type, "unknown"); }
const char *mpf_uimage_comp_id (guint8 comp) { return ROW_ID (comp_rows, comp, "unknown"); }
