#pragma once

#include "mpf-web-flasher.h"

G_BEGIN_DECLS

/* OpenWrt's LuCI (14.07 "Barrier Breaker", LuCI 0.12, and later field names).
 * Login: POST /cgi-bin/luci with both username/password and
 * luci_username/luci_password; the session needs both the sysauth cookie and
 * the ;stok= token in the path. Upload: step 1 posts the image as the one
 * part "image" (never another part: LuCI would unpack it over the root
 * filesystem as a settings backup), the verify page's MD5 and size must be
 * ours; step 2 posts step=2&keep= (settings not kept) and LuCI flashes. */
#define MPF_TYPE_WEB_FLASHER_LUCI (mpf_web_flasher_luci_get_type ())
G_DECLARE_FINAL_TYPE (MpfWebFlasherLuci, mpf_web_flasher_luci, MPF, WEB_FLASHER_LUCI, GObject)

/* @address: "192.168.1.1" or "host:port". */
MpfWebFlasherLuci *mpf_web_flasher_luci_new (const char *address);

/* Property "username", default "root". */
void        mpf_web_flasher_luci_set_username (MpfWebFlasherLuci *self, const char *username);
/* After a successful login (NULL before). */
const char *mpf_web_flasher_luci_get_token (MpfWebFlasherLuci *self);

/* Tried when the caller gives none: a fresh 14.07 has no root password and
 * accepts any. */
const char *const *mpf_web_flasher_luci_default_passwords (void);

G_END_DECLS
