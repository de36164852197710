#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>
#include "mpf-catalog.h"

G_BEGIN_DECLS

/* Errors of the web path. Messages are translated, for people, and say what
 * to do next. */
#define MPF_WEB_FLASHER_ERROR (mpf_web_flasher_error_quark ())

typedef enum {
  MPF_WEB_FLASHER_ERROR_UNREACHABLE,       /* no connection to the web server */
  MPF_WEB_FLASHER_ERROR_TIMEOUT,           /* the router stopped answering (which step: message) */
  MPF_WEB_FLASHER_ERROR_WRONG_PASSWORD,    /* every password tried was refused: ask the user */
  MPF_WEB_FLASHER_ERROR_NOT_LOGGED_IN,     /* the router forgot the login (upload before login) */
  MPF_WEB_FLASHER_ERROR_WRONG_FORMAT,      /* this web UI cannot take this file at all */
  MPF_WEB_FLASHER_ERROR_NEEDS_RENAME,      /* Hame: valid uImage, other name; allow rename or use recovery */
  MPF_WEB_FLASHER_ERROR_REFUSED_NOT_VALID, /* the router: "Not a valid firmware" / unsupported format */
  MPF_WEB_FLASHER_ERROR_REFUSED_CORRUPTED, /* the router: "has corrupted data!" */
  MPF_WEB_FLASHER_ERROR_REFUSED_TOO_BIG,   /* the router: "bigger than Kernel_RootFS MTD partition" */
  MPF_WEB_FLASHER_ERROR_CONNECTION_DROPPED,/* dropped while uploading or before the verdict: 16 MiB RAM? */
  MPF_WEB_FLASHER_ERROR_CHECKSUM_MISMATCH, /* LuCI's verify page shows another MD5/size: not flashed */
  MPF_WEB_FLASHER_ERROR_UNEXPECTED_REPLY,  /* a page we do not recognise (status and title in the message) */
} MpfWebFlasherError;

GQuark mpf_web_flasher_error_quark (void);

/* A web flasher speaks one family's web UI. Each async call is cancellable
 * and has its own time limits; one call at a time. Typical use:
 *
 *   identify (MpfIdentify) -> family, address
 *   f = mpf_web_flasher_new_for_family (family, address)
 *   GoAhead: mpf_web_flasher_goahead_prepare_image () before anything is sent
 *            (NEEDS_RENAME: ask the user, then set "allow-rename"; or recovery)
 *   login_async (NULL)        WRONG_PASSWORD: ask, then login_async ({pw, NULL})
 *   upload_async (file bytes) TRUE: the router is flashing; wait for the
 *                             reboot and identify again to verify
 *
 * What to tell the user per error (the messages already say it):
 *   REFUSED_*, WRONG_FORMAT, CHECKSUM_MISMATCH: nothing was written
 *   CONNECTION_DROPPED, TIMEOUT during the upload: unknown; wait, identify
 *     again; an unchanged router suggests a 16 MiB unit: recovery path
 *   UNREACHABLE: cable/power; NOT_LOGGED_IN: log in again and retry
 *
 *
 * Signals (emitted in the thread-default main context of the caller):
 *   upload-progress (guint64 sent, guint64 total)  bytes of the request body
 *                        written so far (from libsoup's wrote-body-data)
 *   waiting-for-verdict ()  the whole image is sent; the router is checking
 *                        (and, for GoAhead, writing) it before it answers
 *   log (const char *line)  one line per request and reply for the job's log
 *                        and the diagnostics report (passwords never appear)
 */
#define MPF_TYPE_WEB_FLASHER (mpf_web_flasher_get_type ())
G_DECLARE_INTERFACE (MpfWebFlasher, mpf_web_flasher, MPF, WEB_FLASHER, GObject)

struct _MpfWebFlasherInterface {
  GTypeInterface parent_iface;

  void      (*login_async)   (MpfWebFlasher *self, const char *const *passwords,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data);
  char     *(*login_finish)  (MpfWebFlasher *self, GAsyncResult *result, GError **error);
  void      (*upload_async)  (MpfWebFlasher *self, GBytes *image, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
  gboolean  (*upload_finish) (MpfWebFlasher *self, GAsyncResult *result, GError **error);
};

/* Tries each password in order (NULL: the family's defaults) and returns the
 * one the router accepted. MPF_WEB_FLASHER_ERROR_WRONG_PASSWORD when every
 * one was refused: ask the user and call again with theirs. */
void      mpf_web_flasher_login_async (MpfWebFlasher *self, const char *const *passwords,
                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data);
char     *mpf_web_flasher_login_finish (MpfWebFlasher *self, GAsyncResult *result, GError **error);

/* Sends @image (the file the user chose, as bytes) the way this web UI wants
 * it, and returns TRUE once the router said it is flashing and will reboot.
 * On error nothing was flashed, except CONNECTION_DROPPED (unknown: wait for
 * the router and identify it again). */
void      mpf_web_flasher_upload_async (MpfWebFlasher *self, GBytes *image,
                                        GCancellable *cancellable, GAsyncReadyCallback callback,
                                        gpointer user_data);
gboolean  mpf_web_flasher_upload_finish (MpfWebFlasher *self, GAsyncResult *result, GError **error);

/* Time limits shared by both flashers (properties of the same names):
 *   "timeout-ms"        any single request or silence while sending (default 15000)
 *   "verdict-timeout-ms" after the last byte of the image, for the router's
 *                        verdict (default 300000: a GoAhead router writes its
 *                        flash before answering) */

/* The flasher for @family's web UI at @address (see mpf-web-flasher-goahead.h
 * and mpf-web-flasher-luci.h), or NULL when that family has no web path
 * (unknown, bootloader). MPF_FAMILY_STOCK is taken as Hame. */
MpfWebFlasher *mpf_web_flasher_new_for_family (MpfFamily family, const char *address);

/* The request body upload.cgi (Ralink SDK) parses by hand, and LuCI accepts:
 * the boundary line, Content-Disposition with @field and @filename, exactly
 * one Content-Type line, a blank line, the data, the closing boundary.
 * @boundary must not occur in @data (see mpf_web_flasher_pick_boundary). */
GBytes   *mpf_web_flasher_build_multipart (const char *boundary, const char *field,
                                           const char *filename, GBytes *data);
/* A boundary that does not occur in @data. */
char     *mpf_web_flasher_pick_boundary (GBytes *data);

/* Lower-case hex MD5 of @password, as the Hame login page's script sends it. */
char     *mpf_web_flasher_md5_hex (const char *password);

G_END_DECLS
