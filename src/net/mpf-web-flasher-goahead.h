#pragma once

#include "mpf-catalog.h"
#include "mpf-web-flasher.h"

G_BEGIN_DECLS

/* The Ralink-SDK stock web UI (GoAhead): Hame stock and Poray MPR-L8 stock.
 * Login: POST /goform/signin with admpass = MD5 hex of the password, the
 * session held by the client's address (no cookie). Upload: the image alone
 * as the one part upload.cgi parses (see mpf_web_flasher_build_multipart).
 *   Hame:   takes a plain uImage named exactly "Linux Kernel Image"; with
 *           "allow-rename" another name is rewritten (header CRC recomputed;
 *           the bootloader ignores the name), else NEEDS_RENAME.
 *   MPR-L8: takes the Poray-encoded image; a plain uImage is encoded on the
 *           fly for board MPR-L8, an already encoded file is sent as it is. */
#define MPF_TYPE_WEB_FLASHER_GOAHEAD (mpf_web_flasher_goahead_get_type ())
G_DECLARE_FINAL_TYPE (MpfWebFlasherGoahead, mpf_web_flasher_goahead, MPF, WEB_FLASHER_GOAHEAD, GObject)

/* @address: "192.168.169.1" or "host:port". @family: MPF_FAMILY_HAME_STOCK
 * or MPF_FAMILY_MPRL8_STOCK (MPF_FAMILY_STOCK is taken as Hame). */
MpfWebFlasherGoahead *mpf_web_flasher_goahead_new (const char *address, MpfFamily family);

MpfFamily mpf_web_flasher_goahead_get_family (MpfWebFlasherGoahead *self);
/* Property "allow-rename" (default FALSE): the caller asked the user. */
void      mpf_web_flasher_goahead_set_allow_rename (MpfWebFlasherGoahead *self, gboolean allow);

/* What would be sent for @image, without sending it: lets the job check an
 * image (and ask about a rename) before logging in. @renamed (nullable) is set
 * when the name was rewritten. Errors: WRONG_FORMAT, NEEDS_RENAME. */
GBytes   *mpf_web_flasher_goahead_prepare_image (MpfFamily family, GBytes *image,
                                                 gboolean allow_rename, gboolean *renamed,
                                                 GError **error);

/* The default passwords of @family's web UI, in the order tried. */
const char *const *mpf_web_flasher_goahead_default_passwords (MpfFamily family);

G_END_DECLS
