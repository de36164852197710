#pragma once

/* Shared by the web flashers only: one request with its time limits, progress
 * and error mapping; small page helpers. */

#include "mpf-web-flasher.h"

G_BEGIN_DECLS

typedef struct {
  guint        status;
  GBytes      *body;
  SoupMessage *msg;
} MpfWebReply;

void mpf_web_reply_free (MpfWebReply *reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpfWebReply, mpf_web_reply_free)

/* Sends @msg and reads the whole reply. @upload_total > 0 marks an image
 * upload: progress signals, the verdict time limit after the last byte, and
 * a dropped connection reported as CONNECTION_DROPPED. */
void         mpf_web_flasher_send_async (MpfWebFlasher *self, SoupSession *session,
                                         SoupMessage *msg, guint64 upload_total,
                                         guint timeout_ms, guint verdict_timeout_ms,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
MpfWebReply *mpf_web_flasher_send_finish (GAsyncResult *result, GError **error);

/* What both families hold alike: the address, the time limits and the
 * session behind the interface's properties (mpf-web-flasher-base.c). A
 * family embeds it, numbers its own properties from
 * MPF_WEB_FLASHER_BASE_N_PROPS and passes the rest on. */
typedef struct {
  char        *address;
  guint        timeout_ms;
  guint        verdict_timeout_ms;
  SoupSession *session;
} MpfWebFlasherBase;

enum {
  MPF_WEB_FLASHER_BASE_PROP_ADDRESS = 1,
  MPF_WEB_FLASHER_BASE_PROP_TIMEOUT_MS,
  MPF_WEB_FLASHER_BASE_PROP_VERDICT_TIMEOUT_MS,
  MPF_WEB_FLASHER_BASE_N_PROPS
};

void         mpf_web_flasher_base_init (MpfWebFlasherBase *base, guint verdict_timeout_ms);
void         mpf_web_flasher_base_clear (MpfWebFlasherBase *base);
void         mpf_web_flasher_base_override_properties (GObjectClass *object_class);
/* FALSE: @prop_id is not one of the base's. */
gboolean     mpf_web_flasher_base_get_property (MpfWebFlasherBase *base, guint prop_id, GValue *value);
gboolean     mpf_web_flasher_base_set_property (MpfWebFlasherBase *base, guint prop_id,
                                                const GValue *value);
/* mpf_web_flasher_send_async with the base's session and time limits:
 * @upload_total > 0 (an image) waits up to verdict-timeout-ms for the verdict. */
void         mpf_web_flasher_base_send_async (MpfWebFlasherBase *base, MpfWebFlasher *self,
                                              SoupMessage *msg, guint64 upload_total,
                                              GCancellable *cancellable,
                                              GAsyncReadyCallback callback, gpointer user_data);
/* The image upload request both web UIs take: a multipart POST of @payload
 * as @field/@filename on a fresh connection, redirects not followed.
 * @body_size: the size of the whole body, for the upload's progress. */
SoupMessage *mpf_web_flasher_new_upload_message (const char *url, const char *field,
                                                 const char *filename, GBytes *payload,
                                                 guint64 *body_size);

void         mpf_web_flasher_log (MpfWebFlasher *self, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Page helpers (bodies are arbitrary bytes). */
gboolean     mpf_web_body_contains (GBytes *body, const char *needle);
char        *mpf_web_body_title (GBytes *body);
/* First capture group of @pattern in @body, or NULL. */
char        *mpf_web_body_capture (GBytes *body, const char *pattern);
/* "302 Found" + title, for UNEXPECTED_REPLY messages and the log. */
char        *mpf_web_reply_describe (const MpfWebReply *reply);

G_END_DECLS
