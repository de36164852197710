/* The web flasher interface, and what both flashers share: one request with
 * its time limits and error mapping, the multipart body upload.cgi parses. */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "mpf-web-flasher-goahead.h"
#include "mpf-web-flasher-luci.h"
#include "mpf-web-flasher-private.h"

G_DEFINE_QUARK (mpf-web-flasher-error-quark, mpf_web_flasher_error)

G_DEFINE_INTERFACE (MpfWebFlasher, mpf_web_flasher, G_TYPE_OBJECT)

enum {
  SIGNAL_UPLOAD_PROGRESS,
  SIGNAL_WAITING_FOR_VERDICT,
  SIGNAL_LOG,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
mpf_web_flasher_default_init (MpfWebFlasherInterface *iface)
{
  signals[SIGNAL_UPLOAD_PROGRESS] =
    g_signal_new ("upload-progress", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT64, G_TYPE_UINT64);
  signals[SIGNAL_WAITING_FOR_VERDICT] =
    g_signal_new ("waiting-for-verdict", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_LOG] =
    g_signal_new ("log", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_object_interface_install_property (iface,
    g_param_spec_string ("address", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_interface_install_property (iface,
    g_param_spec_uint ("timeout-ms", NULL, NULL, 1, G_MAXUINT, 15000,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_interface_install_property (iface,
    g_param_spec_uint ("verdict-timeout-ms", NULL, NULL, 1, G_MAXUINT, 300000,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

void
mpf_web_flasher_login_async (MpfWebFlasher *self, const char *const *passwords,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_return_if_fail (MPF_IS_WEB_FLASHER (self));
  MPF_WEB_FLASHER_GET_IFACE (self)->login_async (self, passwords, cancellable, callback, user_data);
}

char *
mpf_web_flasher_login_finish (MpfWebFlasher *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (MPF_IS_WEB_FLASHER (self), NULL);
  return MPF_WEB_FLASHER_GET_IFACE (self)->login_finish (self, result, error);
}

void
mpf_web_flasher_upload_async (MpfWebFlasher *self, GBytes *image, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (MPF_IS_WEB_FLASHER (self));
  g_return_if_fail (image != NULL);
  MPF_WEB_FLASHER_GET_IFACE (self)->upload_async (self, image, cancellable, callback, user_data);
}

gboolean
mpf_web_flasher_upload_finish (MpfWebFlasher *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (MPF_IS_WEB_FLASHER (self), FALSE);
  return MPF_WEB_FLASHER_GET_IFACE (self)->upload_finish (self, result, error);
}

MpfWebFlasher *
mpf_web_flasher_new_for_family (MpfFamily family, const char *address)
{
  g_return_val_if_fail (address != NULL, NULL);

  switch (family)
    {
    case MPF_FAMILY_STOCK:
    case MPF_FAMILY_HAME_STOCK:
    case MPF_FAMILY_MPRL8_STOCK:
      return MPF_WEB_FLASHER (mpf_web_flasher_goahead_new (address, family));
    case MPF_FAMILY_OPENWRT:
      return MPF_WEB_FLASHER (mpf_web_flasher_luci_new (address));
    case MPF_FAMILY_UNKNOWN:
    case MPF_FAMILY_BOOTLOADER:
    default:
      return NULL;
    }
}

/* ---- body and small helpers ---- */

GBytes *
mpf_web_flasher_build_multipart (const char *boundary, const char *field, const char *filename,
                                 GBytes *data)
{
  g_autoptr(GByteArray) body = NULL;
  g_autofree char *head = NULL;
  g_autofree char *tail = NULL;
  gsize len = 0;
  const guint8 *p = g_bytes_get_data (data, &len);

  /* The SDK's upload.cgi reads: boundary line, Content-Disposition line,
   * exactly one more header line, a blank line, then data up to the next
   * boundary. So: one part, one Content-Type line, nothing after it. */
  head = g_strdup_printf ("--%s\r\n"
                          "Content-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                          "Content-Type: application/octet-stream\r\n"
                          "\r\n",
                          boundary, field, filename);
  tail = g_strdup_printf ("\r\n--%s--\r\n", boundary);
  body = g_byte_array_sized_new ((guint) (strlen (head) + len + strlen (tail)));
  g_byte_array_append (body, (const guint8 *) head, (guint) strlen (head));
  if (len > 0)
    g_byte_array_append (body, p, (guint) len);
  g_byte_array_append (body, (const guint8 *) tail, (guint) strlen (tail));
  return g_byte_array_free_to_bytes (g_steal_pointer (&body));
}

static gboolean
bytes_find (const guint8 *hay, gsize hay_len, const char *needle)
{
  gsize n = strlen (needle);
  const guint8 *p = hay, *end = hay + hay_len;

  if (n == 0)
    return TRUE;
  /* memchr to the candidates: a 4 MB image is scanned once per upload. */
  while (p != NULL && (gsize) (end - p) >= n)
    {
      p = memchr (p, needle[0], (gsize) (end - p) - n + 1);
      if (p == NULL)
        break;
      if (memcmp (p, needle, n) == 0)
        return TRUE;
      p++;
    }
  return FALSE;
}

char *
mpf_web_flasher_pick_boundary (GBytes *data)
{
  gsize len = 0;
  const guint8 *p = g_bytes_get_data (data, &len);

  for (;;)
    {
      char *b = g_strdup_printf ("----mprflash%08x%08x", g_random_int (), g_random_int ());

      if (p == NULL || !bytes_find (p, len, b))
        return b;
      g_free (b);
    }
}

char *
mpf_web_flasher_md5_hex (const char *password)
{
  return g_compute_checksum_for_string (G_CHECKSUM_MD5, password ? password : "", -1);
}

gboolean
mpf_web_body_contains (GBytes *body, const char *needle)
{
  gsize len = 0;
  const guint8 *p = body ? g_bytes_get_data (body, &len) : NULL;

  return p != NULL && bytes_find (p, len, needle);
}

char *
mpf_web_body_capture (GBytes *body, const char *pattern)
{
  g_autoptr(GRegex) re = g_regex_new (pattern, G_REGEX_RAW | G_REGEX_CASELESS | G_REGEX_DOTALL, 0, NULL);
  g_autoptr(GMatchInfo) mi = NULL;
  gsize len = 0;
  const char *p = body ? g_bytes_get_data (body, &len) : NULL;
  char *v;

  g_return_val_if_fail (re != NULL, NULL);
  if (p == NULL || len > G_MAXSSIZE || !g_regex_match_full (re, p, (gssize) len, 0, 0, &mi, NULL))
    return NULL;
  v = g_match_info_fetch (mi, 1);
  /* Router text goes into messages: keep it valid UTF-8. */
  if (v != NULL && !g_utf8_validate (v, -1, NULL))
    {
      char *valid = g_utf8_make_valid (v, -1);
      g_free (v);
      v = valid;
    }
  return v;
}

char *
mpf_web_body_title (GBytes *body)
{
  char *t = mpf_web_body_capture (body, "<title[^>]*>(.*?)</title");

  return t ? g_strstrip (t) : NULL;
}

char *
mpf_web_reply_describe (const MpfWebReply *reply)
{
  g_autofree char *title = mpf_web_body_title (reply->body);
  const char *reason = soup_message_get_reason_phrase (reply->msg);

  return g_strdup_printf ("%u %s%s%s%s", reply->status, reason ? reason : "",
                          title ? " “" : "", title ? title : "", title ? "”" : "");
}

void
mpf_web_reply_free (MpfWebReply *reply)
{
  if (reply == NULL)
    return;
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_object (&reply->msg);
  g_free (reply);
}

void
mpf_web_flasher_log (MpfWebFlasher *self, const char *format, ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  g_debug ("web: %s", line);
  g_signal_emit (self, signals[SIGNAL_LOG], 0, line);
}

/* ---- one request with time limits ---- */

typedef struct {
  MpfWebFlasher *flasher;
  SoupMessage   *msg;
  GCancellable  *inner;
  gulong         outer_handler;
  GSource       *timer;
  guint          timeout_ms;
  guint          verdict_timeout_ms;
  guint64        total;           /* 0: not an upload */
  guint64        sent;
  gboolean       body_done;
  gboolean       timed_out;
  gint64         last_activity_us;
  gint64         limit_ms;
} SendData;

static void
send_data_free (SendData *d)
{
  if (d->timer != NULL)
    g_source_destroy (d->timer);
  g_clear_pointer (&d->timer, g_source_unref);
  g_signal_handlers_disconnect_by_data (d->msg, d);
  g_clear_object (&d->msg);
  g_clear_object (&d->inner);
  g_clear_object (&d->flasher);
  g_free (d);
}

static void send_arm (SendData *d, guint ms);

static gboolean
send_timeout_cb (gpointer user_data)
{
  SendData *d = user_data;
  gint64 idle_ms = (g_get_monotonic_time () - d->last_activity_us) / 1000;

  g_clear_pointer (&d->timer, g_source_unref);
  /* Progress since the timer was set only moves the limit back. */
  if (idle_ms < d->limit_ms)
    {
      send_arm (d, (guint) (d->limit_ms - idle_ms));
      return G_SOURCE_REMOVE;
    }
  d->timed_out = TRUE;
  g_cancellable_cancel (d->inner);
  return G_SOURCE_REMOVE;
}

static void
send_arm (SendData *d, guint ms)
{
  if (d->timer != NULL)
    g_source_destroy (d->timer);
  g_clear_pointer (&d->timer, g_source_unref);
  d->timer = g_timeout_source_new (ms);
  g_source_set_callback (d->timer, send_timeout_cb, d, NULL);
  g_source_attach (d->timer, g_main_context_get_thread_default ());
}

/* Starts a silence limit of @ms from now. */
static void
send_limit (SendData *d, guint ms)
{
  d->last_activity_us = g_get_monotonic_time ();
  d->limit_ms = ms;
  send_arm (d, ms);
}

static void
wrote_body_data_cb (SoupMessage *msg, guint chunk_size, gpointer user_data)
{
  SendData *d = user_data;

  /* Cheap on every chunk: the timer itself checks the time when it fires. */
  d->sent += chunk_size;
  d->last_activity_us = g_get_monotonic_time ();
  if (d->total > 0)
    g_signal_emit (d->flasher, signals[SIGNAL_UPLOAD_PROGRESS], 0, MIN (d->sent, d->total), d->total);
}

static void
wrote_body_cb (SoupMessage *msg, gpointer user_data)
{
  SendData *d = user_data;

  d->body_done = TRUE;
  if (d->total > 0)
    {
      send_limit (d, d->verdict_timeout_ms);
      g_signal_emit (d->flasher, signals[SIGNAL_WAITING_FOR_VERDICT], 0);
    }
}

static void
outer_cancelled_cb (GCancellable *outer, gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static gboolean
is_connect_error (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
         || g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
}

static void
send_done_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *d = g_task_get_task_data (task);
  GCancellable *outer = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), res, &error);
  g_autofree char *sent = g_format_size (d->sent);
  g_autofree char *total = g_format_size (d->total);
  MpfWebReply *reply;

  if (outer != NULL && d->outer_handler != 0)
    g_cancellable_disconnect (outer, d->outer_handler);
  d->outer_handler = 0;
  if (d->timer != NULL)
    g_source_destroy (d->timer);
  g_clear_pointer (&d->timer, g_source_unref);

  if (body != NULL)
    {
      reply = g_new0 (MpfWebReply, 1);
      reply->status = soup_message_get_status (d->msg);
      reply->body = g_steal_pointer (&body);
      reply->msg = g_object_ref (d->msg);
      g_task_return_pointer (task, reply, (GDestroyNotify) mpf_web_reply_free);
      return;
    }

  if (g_cancellable_is_cancelled (outer))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("Cancelled."));
  else if (d->timed_out && d->total > 0 && d->body_done)
    g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_TIMEOUT,
                             _("The router received the whole image but gave no verdict within "
                               "%u seconds. It may still be writing it: wait for it to come back, "
                               "then check which firmware it runs. If it never comes back, use the "
                               "recovery path."),
                             d->verdict_timeout_ms / 1000);
  else if (d->timed_out && d->total > 0)
    g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_TIMEOUT,
                             _("The router stopped taking the image after %s of %s. This "
                               "happens on units with only 16 MiB of memory: nothing was "
                               "written; use the recovery path."),
                             sent, total);
  else if (d->timed_out)
    g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_TIMEOUT,
                             _("The router did not answer within %u seconds."),
                             MAX (d->timeout_ms / 1000, 1));
  else if (is_connect_error (error))
    g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_UNREACHABLE,
                             _("Cannot reach the router's web page (%s). Check the cable and "
                               "that the router is switched on."),
                             error->message);
  else if (d->total > 0 && !d->body_done)
    g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_CONNECTION_DROPPED,
                             _("The router dropped the connection while receiving the image "
                               "(after %s of %s). This is typical of units with only 16 MiB of "
                               "memory: the web path cannot work on them. Wait for the router to "
                               "come back; if it still runs its old firmware, use the recovery path."),
                             sent, total);
  else if (d->total > 0)
    g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_CONNECTION_DROPPED,
                             _("The router received the whole image, then dropped the connection "
                               "without a verdict. It may have run out of memory (a 16 MiB unit) or "
                               "be flashing already: wait for it to come back and check which "
                               "firmware it runs; if nothing changed, use the recovery path."));
  else
    g_task_return_new_error (task, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_UNREACHABLE,
                             _("Lost the connection to the router's web page (%s)."),
                             error->message);
}

void
mpf_web_flasher_send_async (MpfWebFlasher *self, SoupSession *session, SoupMessage *msg,
                            guint64 upload_total, guint timeout_ms, guint verdict_timeout_ms,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  SendData *d = g_new0 (SendData, 1);

  g_task_set_source_tag (task, mpf_web_flasher_send_async);
  d->flasher = g_object_ref (self);
  d->msg = g_object_ref (msg);
  d->inner = g_cancellable_new ();
  d->timeout_ms = timeout_ms;
  d->verdict_timeout_ms = verdict_timeout_ms;
  d->total = upload_total;
  g_task_set_task_data (task, d, (GDestroyNotify) send_data_free);

  if (cancellable != NULL)
    d->outer_handler = g_cancellable_connect (cancellable, G_CALLBACK (outer_cancelled_cb),
                                              g_object_ref (d->inner), g_object_unref);
  g_signal_connect (msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), d);
  g_signal_connect (msg, "wrote-body", G_CALLBACK (wrote_body_cb), d);
  send_limit (d, timeout_ms);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, d->inner, send_done_cb, task);
}

MpfWebReply *
mpf_web_flasher_send_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
