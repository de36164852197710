/* fr-flash.h — the 4 MiB flash chip, kept in a file. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FrFlash FrFlash;

/* Opens an existing flash file; it must be exactly FR_FLASH_SIZE bytes. */
FrFlash *fr_flash_open (const char *path, GError **error);
void     fr_flash_free (FrFlash *flash);
gboolean fr_flash_read (FrFlash *flash, gsize offset, guint8 *buf, gsize len, GError **error);
/* Writes through to the file and syncs it (the file is the chip). */
gboolean fr_flash_write (FrFlash *flash, gsize offset, const guint8 *data, gsize len,
                         GError **error);
/* Erases [offset, offset+len) to 0xff, as a NOR erase does. */
gboolean fr_flash_erase (FrFlash *flash, gsize offset, gsize len, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FrFlash, fr_flash_free)

G_END_DECLS
