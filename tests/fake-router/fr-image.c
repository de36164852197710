/* fr-image.c — firmware that looks real enough for every check the web UIs,
 * U-Boot and the client make (FORMATS.md), built with the core library. */
#include "config.h"

#include <string.h>
#include <zlib.h>

#include "mpf-board.h"
#include "mpf-poray.h"
#include "mpf-uimage.h"
#include "fr-device.h"
#include "fr-image.h"

#define STOCK_TIME   1345516999u /* 2012-08-21, the Hame stock build [V name] */
#define OPENWRT_TIME 1412000000u /* 2014-09-29, 14.07 */

static const char *const kinds[] = {
  "hame-stock", "openwrt", "openwrt-generic", "mprl8-stock", "openwrt-encoded", "corrupt", NULL
};

const char *const *
fr_image_kinds (void)
{
  return kinds;
}

static void
fill_random (guint8 *p, gsize len, guint32 seed)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (seed);
  for (gsize i = 0; i < len; i++)
    p[i] = (guint8) g_rand_int_range (r, 0, 256);
}

static void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = (guint8) v;
}

/* Header bytes 60..63 hold the SDK's root filesystem offset; re-CRC. */
static void
set_sdk_rootfs_offset (guint8 *hdr, guint32 offset)
{
  put_be32 (hdr + 60, offset);
  put_be32 (hdr + 4, 0);
  put_be32 (hdr + 4, (guint32) crc32 (0, hdr, MPF_UIMAGE_HEADER_SIZE));
}

static GBytes *
make_stock (gsize size)
{
  gsize data_len = size - MPF_UIMAGE_HEADER_SIZE;
  g_autofree guint8 *data = g_malloc (data_len);
  guint32 rootfs = (guint32) ((data_len / 5) & ~3u);

  fill_random (data, data_len, 0x5350);
  /* Vendor LZMA squashfs where the SDK offset points (FORMATS.md). */
  memcpy (data + rootfs, "shsq", 4);
  g_autoptr(GBytes) img = mpf_uimage_build (MPF_UIMAGE_STOCK_NAME, STOCK_TIME, 0x80000000u,
                                            0x80244000u, MPF_UIMAGE_OS_LINUX,
                                            MPF_UIMAGE_ARCH_MIPS, MPF_UIMAGE_TYPE_KERNEL,
                                            MPF_UIMAGE_COMP_LZMA, data, data_len, NULL, 0);
  gsize n;
  guint8 *copy = g_memdup2 (g_bytes_get_data (img, &n), g_bytes_get_size (img));
  set_sdk_rootfs_offset (copy, rootfs + MPF_UIMAGE_HEADER_SIZE);
  return g_bytes_new_take (copy, n);
}

static GBytes *
make_openwrt (gsize size, const char *name)
{
  gsize kernel_len = (size / 4) & ~(gsize) 3;
  gsize trailer_len = size - MPF_UIMAGE_HEADER_SIZE - kernel_len;
  g_autofree guint8 *kernel = g_malloc (kernel_len);
  g_autofree guint8 *trailer = g_malloc (trailer_len);

  fill_random (kernel, kernel_len, 0x1407);
  fill_random (trailer, trailer_len, 0x0bb);
  /* squashfs right after the kernel, jffs2 end-of-filesystem marker last. */
  memcpy (trailer, "hsqs", 4);
  memcpy (trailer + trailer_len - 4, "\xde\xad\xc0\xde", 4);
  return mpf_uimage_build (name, OPENWRT_TIME, 0x80000000u, 0x80000000u, MPF_UIMAGE_OS_LINUX,
                           MPF_UIMAGE_ARCH_MIPS, MPF_UIMAGE_TYPE_KERNEL, MPF_UIMAGE_COMP_LZMA,
                           kernel, kernel_len, trailer, trailer_len);
}

GBytes *
fr_image_make (const char *kind, gsize size, GError **error)
{
  if (size == 0)
    size = 1024 * 1024;
  if (size < 4096)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "image size too small");
      return NULL;
    }
  if (g_str_equal (kind, "hame-stock"))
    return make_stock (size);
  if (g_str_equal (kind, "openwrt"))
    return make_openwrt (size, MPF_UIMAGE_STOCK_NAME);
  if (g_str_equal (kind, "openwrt-generic"))
    return make_openwrt (size, "MIPS OpenWrt Linux-3.10.49");
  if (g_str_equal (kind, "corrupt"))
    {
      g_autoptr(GBytes) img = make_stock (size);
      gsize n;
      guint8 *copy = g_memdup2 (g_bytes_get_data (img, &n), g_bytes_get_size (img));
      copy[MPF_UIMAGE_HEADER_SIZE + 100] ^= 0x55;
      return g_bytes_new_take (copy, n);
    }
  if (g_str_equal (kind, "mprl8-stock") || g_str_equal (kind, "openwrt-encoded"))
    {
      g_autoptr(GBytes) img = g_str_equal (kind, "mprl8-stock")
                                ? make_stock (size) : make_openwrt (size, MPF_UIMAGE_STOCK_NAME);
      const MpfBoard *board = mpf_board_lookup ("MPR-L8");
      if (board == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "no MPR-L8 board data");
          return NULL;
        }
      return mpf_poray_encode (board, img, error);
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "unknown image kind '%s'", kind);
  return NULL;
}

static gboolean
parse_mac (const char *s, guint8 mac[6])
{
  g_autofree char *hex = g_strdup (s);
  guint j = 0;
  for (const char *p = s; *p; p++)
    if (g_ascii_isxdigit (*p))
      hex[j++] = *p;
    else if (*p != ':' && *p != '-')
      return FALSE;
  if (j != 12)
    return FALSE;
  for (guint i = 0; i < 6; i++)
    mac[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4 | g_ascii_xdigit_value (hex[2 * i + 1]));
  return TRUE;
}

static GBytes *
firmware_for (const char *what, gsize image_size, GError **error)
{
  if (g_str_equal (what, "erased"))
    return g_bytes_new (NULL, 0);
  if (g_str_equal (what, "bricked"))
    {
      /* What a power cut mid-write leaves: half an image, the rest erased. */
      g_autoptr(GBytes) img = make_stock (image_size ? image_size : 1024 * 1024);
      return g_bytes_new_from_bytes (img, 0, g_bytes_get_size (img) / 2);
    }
  if (g_strv_contains (kinds, what))
    {
      g_autoptr(GBytes) img = fr_image_make (what, image_size, error);
      if (img != NULL && mpf_poray_looks_encoded (g_bytes_get_data (img, NULL),
                                                  g_bytes_get_size (img)))
        return mpf_poray_decode (img, NULL, error);
      return g_steal_pointer (&img);
    }

  g_autofree char *contents = NULL;
  gsize len = 0;
  if (!g_file_get_contents (what, &contents, &len, error))
    return NULL;
  g_autoptr(GBytes) file = g_bytes_new_take (g_steal_pointer (&contents), len);
  if (mpf_poray_looks_encoded (g_bytes_get_data (file, NULL), len))
    return mpf_poray_decode (file, NULL, error);
  return g_steal_pointer (&file);
}

gboolean
fr_image_init_flash (const char *path, const char *what, const char *mac_str, gsize image_size,
                     GError **error)
{
  g_autofree guint8 *flash = g_malloc (FR_FLASH_SIZE);
  guint8 mac[6];

  if (!parse_mac (mac_str ? mac_str : "9c:41:7c:75:a4:78", mac))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "bad MAC '%s'", mac_str);
      return FALSE;
    }
  g_autoptr(GBytes) fw = firmware_for (what, image_size, error);
  if (fw == NULL)
    return FALSE;
  if (g_bytes_get_size (fw) > FR_FIRMWARE_SIZE)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s does not fit the firmware partition", what);
      return FALSE;
    }

  memset (flash, 0xff, FR_FLASH_SIZE);
  /* Bootloader: ~100 KiB of "code" with its version string; the rest of the
   * region, including the update flag word at 0x20000, erased. */
  fill_random (flash, 0x19000, 0xb007);
  static const char banner[] = "U-Boot 1.1.7 (Dec 13 2011 - 13:49:42)";
  memcpy (flash + 0x14000, banner, sizeof banner);
  /* Factory area: RT5350 EEPROM id, version, MAC, calibration bytes. */
  flash[FR_FACTORY_OFFSET + 0] = 0x50;
  flash[FR_FACTORY_OFFSET + 1] = 0x53;
  flash[FR_FACTORY_OFFSET + 2] = 0x01;
  flash[FR_FACTORY_OFFSET + 3] = 0x01;
  memcpy (flash + FR_FACTORY_MAC_OFFSET, mac, 6);
  fill_random (flash + FR_FACTORY_OFFSET + 0x20, 0xe0, 0xca1);
  /* An erased flash has no firmware: empty bytes give a NULL pointer. */
  if (g_bytes_get_size (fw) > 0)
    memcpy (flash + FR_FIRMWARE_OFFSET, g_bytes_get_data (fw, NULL), g_bytes_get_size (fw));

  return g_file_set_contents (path, (const char *) flash, FR_FLASH_SIZE, error);
}
