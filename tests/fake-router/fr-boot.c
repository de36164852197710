/* fr-boot.c — U-Boot's bootm checks on the firmware partition, then which
 * firmware family the kernel + root filesystem would bring up. */
#include "config.h"

#include <string.h>

#include "mpf-catalog.h"
#include "mpf-uimage.h"
#include "fr-boot.h"

void
fr_boot_info_clear (FrBootInfo *info)
{
  g_clear_pointer (&info->version, g_free);
  g_clear_pointer (&info->reason, g_free);
  g_clear_pointer (&info->name, g_free);
}

static MpfCatalog *
catalog (void)
{
  static MpfCatalog *cat;
  static gboolean tried;

  if (!tried)
    {
      g_autoptr(GError) error = NULL;
      tried = TRUE;
      cat = mpf_catalog_new_default (&error);
      if (cat == NULL)
        g_printerr ("fake-router: no catalogue (%s); stock family by switch only\n",
                    error->message);
    }
  return cat;
}

/* Offset of @magic at a 4-byte boundary in [from, from+span), or -1. */
static gssize
find_magic (const guint8 *p, gsize len, gsize from, gsize span, const char *magic)
{
  gsize mlen = strlen (magic);
  for (gsize i = from; i + mlen <= len && i < from + span; i += 4)
    if (memcmp (p + i, magic, mlen) == 0)
      return (gssize) i;
  return -1;
}

/* An OpenWrt kernel mounts the squashfs that follows it; the sysupgrade
 * image ends in the jffs2 "deadc0de" marker. A write cut short leaves an
 * erased sector (or old data) before that marker: the kernel then panics
 * without ever bringing the network up [I]. Returns NULL when intact. */
static char *
openwrt_rootfs_problem (const guint8 *part, gsize len, gsize kernel_end)
{
  gssize sq = find_magic (part, len, kernel_end & ~(gsize) 3, 0x20000, "hsqs");
  if (sq < 0)
    return g_strdup ("no squashfs after the kernel");
  gssize marker = find_magic (part, len, (gsize) sq, len, "\xde\xad\xc0\xde");
  if (marker < 0)
    return g_strdup ("no end-of-filesystem marker");
  gsize first = ((gsize) sq + FR_ERASE_SECTOR - 1) / FR_ERASE_SECTOR * FR_ERASE_SECTOR;
  for (gsize s = first; s + FR_ERASE_SECTOR <= (gsize) marker; s += FR_ERASE_SECTOR)
    {
      gsize i = 0;
      while (i < FR_ERASE_SECTOR && part[s + i] == 0xff)
        i++;
      if (i == FR_ERASE_SECTOR)
        return g_strdup_printf ("erased sector at partition offset 0x%zx", s);
    }
  return NULL;
}

/* FORMATS.md, "Telling stock from OpenWrt": the name when it says OpenWrt;
 * else the SDK's root filesystem offset (stock) or an OpenWrt squashfs
 * right after the kernel. */
static FrFamily
guess_family (const MpfUImage *img, const guint8 *part, gsize len, const char **why)
{
  gsize end = MPF_UIMAGE_HEADER_SIZE + (gsize) img->data_size;

  if (g_str_has_prefix (img->name, "MIPS OpenWrt Linux"))
    return *why = "name says OpenWrt", FR_FAMILY_OPENWRT;
  if (img->sdk_rootfs_offset != 0)
    return *why = "Ralink SDK root filesystem offset", FR_FAMILY_HAME_STOCK;
  if (find_magic (part, len, end & ~(gsize) 3, 0x20000, "hsqs") >= 0)
    return *why = "OpenWrt squashfs after the kernel", FR_FAMILY_OPENWRT;
  return *why = "no OpenWrt signal [I]", FR_FAMILY_HAME_STOCK;
}

void
fr_boot_inspect (const guint8 *part, gsize len, const char *stock_family, FrBootInfo *out)
{
  MpfUImage img;
  g_autoptr(GError) error = NULL;
  const char *why = NULL;

  memset (out, 0, sizeof *out);
  if (!mpf_uimage_parse (part, len, &img, &error))
    {
      out->reason = g_strdup_printf ("Bad Magic Number (%s)", error->message);
      return;
    }
  out->name = g_strdup (img.name);
  if (!mpf_uimage_validate (&img, &error))
    {
      out->reason = g_strdup_printf ("U-Boot refuses the image: %s", error->message);
      return;
    }
  out->bootable = TRUE;
  out->family = guess_family (&img, part, len, &why);
  if (out->family == FR_FAMILY_OPENWRT)
    {
      g_autofree char *problem =
        openwrt_rootfs_problem (part, len, MPF_UIMAGE_HEADER_SIZE + (gsize) img.data_size);
      if (problem != NULL)
        {
          out->bootable = FALSE;
          out->reason = g_strdup_printf ("kernel panic: cannot mount the root filesystem (%s)",
                                         problem);
          return;
        }
    }

  const MpfCatalogEntry *entry = NULL;
  gsize covered = MIN (len, MPF_UIMAGE_HEADER_SIZE + (gsize) img.data_size);
  g_autofree char *sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, part, covered);
  if (catalog () != NULL)
    entry = mpf_catalog_lookup_sha256 (catalog (), sha);

  if (out->family == FR_FAMILY_HAME_STOCK)
    {
      if (g_strcmp0 (stock_family, "mpr-l8") == 0)
        why = "stock, MPR-L8 by --stock-family";
      else if (g_strcmp0 (stock_family, "auto") == 0 && entry != NULL
               && entry->family == MPF_FAMILY_MPRL8_STOCK)
        {
          out->family = FR_FAMILY_MPRL8_STOCK;
          why = "stock, MPR-L8 by catalogue hash";
        }
      else if (g_strcmp0 (stock_family, "auto") == 0 && entry != NULL)
        why = "stock, Hame by catalogue hash";
      if (g_strcmp0 (stock_family, "mpr-l8") == 0)
        out->family = FR_FAMILY_MPRL8_STOCK;
    }

  if (entry != NULL && entry->version != NULL)
    out->version = g_strdup (entry->version);
  else if (out->family == FR_FAMILY_OPENWRT)
    out->version = g_strdup ("OpenWrt Barrier Breaker 14.07");
  else
    {
      /* Not in the catalogue: the build date is all the header tells [I]. */
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (img.time);
      g_autofree char *date = dt ? g_date_time_format (dt, "%Y%m%d%H%M%S") : g_strdup ("0");
      out->version = g_strdup_printf ("unknown (built %s)", date);
    }
  out->reason = g_strdup (why);
}
