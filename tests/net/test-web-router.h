#pragma once

/* A small in-process router web UI for the net tests: a SoupServer on its
 * own thread and GMainContext (GNOME Calendar's gcal-simple-server idea),
 * playing the Hame/MPR-L8 GoAhead UI or OpenWrt LuCI as WEB-UIS.md describes,
 * with switches for each behaviour a flasher must handle. */

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  TWR_HAME,
  TWR_MPRL8,
  TWR_OPENWRT,
  TWR_OTHER,       /* some unrelated web server */
} TwrFamily;

typedef enum {
  TWR_UPLOAD_AUTO,        /* judge the image as the real CGI/LuCI would */
  TWR_UPLOAD_NOT_VALID,
  TWR_UPLOAD_CORRUPTED,
  TWR_UPLOAD_TOO_BIG,
  TWR_UPLOAD_SDK_WORDING, /* success page of the plain SDK: "Done...rebooting" */
  TWR_UPLOAD_DROP,        /* reset the connection as soon as the upload starts */
  TWR_UPLOAD_HANG,        /* take the image, never answer */
  TWR_UPLOAD_MD5_LIE,     /* LuCI: verify page shows another MD5 */
} TwrUpload;

typedef enum {
  TWR_TOKEN_COOKIE_AND_BODY, /* 14.07: cookie path and page links */
  TWR_TOKEN_LOCATION_ONLY,   /* a 302 whose Location carries ;stok= */
} TwrTokenStyle;

typedef struct _TestWebRouter TestWebRouter;

TestWebRouter *twr_new (TwrFamily family);
void           twr_free (TestWebRouter *self);
/* "127.0.0.1:PORT" */
const char    *twr_get_address (TestWebRouter *self);
/* Port of the telnet banner ("ZLMnet login:" for MPR-L8, a busybox prompt
 * for Hame); 0 for the other families. */
guint16        twr_get_telnet_port (TestWebRouter *self);

/* NULL: LuCI accepts any password (fresh 14.07). Default "hame", "admin" for
 * MPR-L8, NULL for OpenWrt. */
void           twr_set_password (TestWebRouter *self, const char *password);
void           twr_set_upload (TestWebRouter *self, TwrUpload mode);
void           twr_set_token_style (TestWebRouter *self, TwrTokenStyle style);

/* What the router saw. */
GBytes        *twr_dup_file (TestWebRouter *self);       /* the extracted image, NULL if none */
char          *twr_dup_violation (TestWebRouter *self);  /* a request shape the real one mis-handles */
guint          twr_get_failed_logins (TestWebRouter *self);
guint          twr_get_auth_rejections (TestWebRouter *self); /* LuCI: missing cookie or token */
gboolean       twr_get_flashing (TestWebRouter *self);   /* told to flash (step 2 / CGI success) */
char          *twr_dup_admurl (TestWebRouter *self);

/* The SDK upload.cgi's own reading of a request body (WEB-UIS.md): boundary
 * line, Content-Disposition with name="filename" and a filename, exactly one
 * more header line, a blank line, data up to CRLF + boundary. */
gboolean       twr_sdk_parse_upload (const guint8 *body, gsize len, GBytes **file, char **why);

G_END_DECLS
