/* fr-boot.h — what U-Boot and the kernel would make of the firmware partition. */
#pragma once

#include "fr-device.h"

G_BEGIN_DECLS

typedef struct {
  gboolean bootable;   /* U-Boot's own checks passed */
  FrFamily family;     /* what comes up when bootable */
  char    *version;    /* shown by the firmware; catalogue version or [I] guess */
  char    *reason;     /* why it is not bootable / how the family was chosen */
  char    *name;       /* uImage name field */
} FrBootInfo;

void fr_boot_info_clear (FrBootInfo *info);

/* @part: the firmware partition (FR_FIRMWARE_SIZE bytes). @stock_family:
 * "hame" | "mpr-l8" | "auto" (auto: catalogue hash of the image, else Hame). */
void fr_boot_inspect (const guint8 *part, gsize len, const char *stock_family, FrBootInfo *out);

G_END_DECLS
