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

void         mpf_web_flasher_log (MpfWebFlasher *self, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Page helpers (bodies are arbitrary bytes). */
gboolean     mpf_web_body_contains (GBytes *body, const char *needle);
char        *mpf_web_body_title (GBytes *body);
/* First capture group of @pattern in @body, or NULL. */
char        *mpf_web_body_capture (GBytes *body, const char *pattern);
/* "302 Found" + title, for UNEXPECTED_REPLY messages and the log. */
char        *mpf_web_reply_describe (const MpfWebReply *reply);

G_END_DECLS
