/* fr-image.h — synthetic firmware files and fresh flash contents. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Kinds: "hame-stock" (uImage named "Linux Kernel Image", SDK root
 * filesystem offset, "shsq"), "openwrt" (MPR-A1 14.07 shape: named "Linux
 * Kernel Image", kernel then "hsqs" and "deadc0de"), "openwrt-generic"
 * (named "MIPS OpenWrt Linux-3.10.49"), "mprl8-stock" / "openwrt-encoded"
 * (the same, Poray-encoded for MPR-L8), "corrupt" (hame-stock with a
 * flipped data byte). @size: the uImage's size in bytes (0: 1 MiB). */
GBytes  *fr_image_make (const char *kind, gsize size, GError **error);
const char *const *fr_image_kinds (void);

/* Writes a 4 MiB flash file: bootloader, erased config, factory area with
 * @mac (NULL: 9c:41:7c:75:a4:78) at 0x40004, and in the firmware partition
 * @what: an image kind above, "bricked" (half an image), "erased", or the
 * path of a firmware file (encoded files are decoded first). */
gboolean fr_image_init_flash (const char *path, const char *what, const char *mac,
                              gsize image_size, GError **error);

G_END_DECLS
