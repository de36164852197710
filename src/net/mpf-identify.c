/* HTTP (and TCP banner) identification: runs the probes, records what was
 * seen, asks the pure matcher for the verdict. */
#include "config.h"

#include <string.h>

#include "mpf-identify.h"

/* What is kept of a body for matching (the log keeps only its first KiB). */
#define BODY_KEEP (64 * 1024)
#define READ_CHUNK 8192

struct _MpfIdentify {
  GObject         parent_instance;
  MpfFingerprint *rules;
  char           *address;       /* as given */
  char           *host;          /* without the port */
  guint           timeout_ms;
  guint           banner_window_ms;
  GHashTable     *port_map;      /* guint16 -> guint16 */
  SoupSession    *session;
  GPtrArray      *observations;
  MpfFingerprintResult *result;  /* kept for the report */
  gboolean        started;
};

G_DEFINE_FINAL_TYPE (MpfIdentify, mpf_identify, G_TYPE_OBJECT)

/* State of one run, the GTask's task data. */
typedef struct {
  guint               next;          /* next probe index */
  MpfHttpObservation *obs;           /* the probe under way */
  const MpfFingerprintProbe *probe;
  GCancellable       *probe_cancel;  /* cancelled by the timer or the caller */
  gulong              outer_handler;
  GSource            *timer;
  gboolean            timed_out;
  gboolean            window_closed;
  gint64              started_us;
  GByteArray         *body;
  GInputStream       *stream;
  GSocketConnection  *conn;
} RunData;

static void run_next (GTask *task);

static void
run_data_free (RunData *d)
{
  g_clear_pointer (&d->obs, mpf_http_observation_free);
  g_clear_object (&d->probe_cancel);
  if (d->timer != NULL)
    g_source_destroy (d->timer);
  g_clear_pointer (&d->timer, g_source_unref);
  g_clear_pointer (&d->body, g_byte_array_unref);
  g_clear_object (&d->stream);
  g_clear_object (&d->conn);
  g_free (d);
}

SoupSession *
mpf_identify_new_session (guint timeout_s)
{
  /* A system proxy must never see LAN traffic to the router. */
  g_autoptr(GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);

  return g_object_new (SOUP_TYPE_SESSION,
                       "timeout", timeout_s,
                       "idle-timeout", 10,
                       "proxy-resolver", direct,
                       "user-agent", "mprflash/" PACKAGE_VERSION,
                       NULL);
}

MpfIdentify *
mpf_identify_new (MpfFingerprint *rules, const char *address)
{
  MpfIdentify *self;
  const char *colon;

  g_return_val_if_fail (MPF_IS_FINGERPRINT (rules), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  self = g_object_new (MPF_TYPE_IDENTIFY, NULL);
  self->rules = g_object_ref (rules);
  self->address = g_strdup (address);
  colon = strchr (address, ':');
  self->host = colon ? g_strndup (address, (gsize) (colon - address)) : g_strdup (address);
  return self;
}

void
mpf_identify_set_timeout_ms (MpfIdentify *self, guint timeout_ms)
{
  g_return_if_fail (MPF_IS_IDENTIFY (self));
  self->timeout_ms = MAX (timeout_ms, 1);
}

void
mpf_identify_set_banner_window_ms (MpfIdentify *self, guint window_ms)
{
  g_return_if_fail (MPF_IS_IDENTIFY (self));
  self->banner_window_ms = MAX (window_ms, 1);
}

void
mpf_identify_map_port (MpfIdentify *self, guint16 from, guint16 to)
{
  g_return_if_fail (MPF_IS_IDENTIFY (self));
  g_hash_table_insert (self->port_map, GUINT_TO_POINTER (from), GUINT_TO_POINTER (to));
}

const char *
mpf_identify_get_address (MpfIdentify *self)
{
  g_return_val_if_fail (MPF_IS_IDENTIFY (self), NULL);
  return self->address;
}

GPtrArray *
mpf_identify_get_observations (MpfIdentify *self)
{
  g_return_val_if_fail (MPF_IS_IDENTIFY (self), NULL);
  return self->observations;
}

/* ---- one probe: timer, cancellation, recording ---- */

static void
outer_cancelled_cb (GCancellable *outer, gpointer user_data)
{
  /* Runs in whichever thread cancelled: only touch the thread-safe object. */
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static gboolean
probe_timeout_cb (gpointer user_data)
{
  RunData *d = user_data;

  d->timed_out = TRUE;
  g_cancellable_cancel (d->probe_cancel);
  g_clear_pointer (&d->timer, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
probe_begin (GTask *task, const MpfFingerprintProbe *probe, guint timeout_ms)
{
  RunData *d = g_task_get_task_data (task);
  GCancellable *outer = g_task_get_cancellable (task);

  d->probe = probe;
  d->timed_out = FALSE;
  d->window_closed = FALSE;
  d->started_us = g_get_monotonic_time ();
  d->body = g_byte_array_new ();
  d->probe_cancel = g_cancellable_new ();
  if (outer != NULL)
    d->outer_handler = g_cancellable_connect (outer, G_CALLBACK (outer_cancelled_cb),
                                              g_object_ref (d->probe_cancel), g_object_unref);
  d->timer = g_timeout_source_new (timeout_ms);
  g_source_set_callback (d->timer, probe_timeout_cb, d, NULL);
  g_source_attach (d->timer, g_task_get_context (task));
}

/* Stores the probe's observation and runs the next probe (or stops when the
 * caller cancelled). @error is the probe's own failure, if any. */
static void
probe_end (GTask *task, const GError *error)
{
  MpfIdentify *self = g_task_get_source_object (task);
  RunData *d = g_task_get_task_data (task);
  GCancellable *outer = g_task_get_cancellable (task);
  MpfHttpObservation *obs = g_steal_pointer (&d->obs);
  gsize kept = MIN (d->body->len, BODY_KEEP);

  if (d->timer != NULL)
    g_source_destroy (d->timer);
  g_clear_pointer (&d->timer, g_source_unref);
  if (outer != NULL && d->outer_handler != 0)
    g_cancellable_disconnect (outer, d->outer_handler);
  d->outer_handler = 0;

  obs->elapsed_us = g_get_monotonic_time () - d->started_us;
  obs->body = g_bytes_new (d->body->data, kept);
  if (obs->body_length < d->body->len)
    obs->body_length = d->body->len;
  if (error != NULL && !obs->answered)
    {
      if (d->timed_out)
        obs->error = g_strdup_printf ("no answer within %u ms", self->timeout_ms);
      else
        obs->error = g_strdup (error->message);
    }
  else if (error != NULL && d->timed_out)
    obs->error = g_strdup_printf ("body cut after %u ms", self->timeout_ms);
  g_ptr_array_add (self->observations, obs);

  g_clear_pointer (&d->body, g_byte_array_unref);
  g_clear_object (&d->stream);
  if (d->conn != NULL)
    g_io_stream_close (G_IO_STREAM (d->conn), NULL, NULL);
  g_clear_object (&d->conn);
  g_clear_object (&d->probe_cancel);

  if (g_cancellable_is_cancelled (outer))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "%s", "Identification cancelled");
      g_object_unref (task);
      return;
    }
  run_next (task);
}

/* ---- HTTP probes ---- */

static void
http_read_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  RunData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), res, &error);
  gsize n = 0;
  const guint8 *p;

  if (chunk == NULL)
    {
      probe_end (task, error);
      return;
    }
  p = g_bytes_get_data (chunk, &n);
  if (n == 0)
    {
      probe_end (task, NULL);
      return;
    }
  d->obs->body_length += n;
  if (d->body->len < BODY_KEEP)
    g_byte_array_append (d->body, p, (guint) MIN (n, BODY_KEEP - d->body->len));
  if (d->body->len >= BODY_KEEP)
    {
      /* Enough to match on: do not let a chatty server keep us. */
      probe_end (task, NULL);
      return;
    }
  g_input_stream_read_bytes_async (d->stream, READ_CHUNK, G_PRIORITY_DEFAULT, d->probe_cancel,
                                   http_read_cb, task);
}

static void
http_sent_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  RunData *d = g_task_get_task_data (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), res);
  g_autoptr(GError) error = NULL;
  SoupMessageHeadersIter iter;
  const char *name, *value;

  d->stream = soup_session_send_finish (SOUP_SESSION (source), res, &error);
  if (d->stream == NULL)
    {
      probe_end (task, error);
      return;
    }
  d->obs->answered = TRUE;
  d->obs->status = soup_message_get_status (msg);
  soup_message_headers_iter_init (&iter, soup_message_get_response_headers (msg));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    mpf_http_observation_add_header (d->obs, name, value);
  g_input_stream_read_bytes_async (d->stream, READ_CHUNK, G_PRIORITY_DEFAULT, d->probe_cancel,
                                   http_read_cb, task);
}

static void
http_probe_start (GTask *task, const MpfFingerprintProbe *probe)
{
  MpfIdentify *self = g_task_get_source_object (task);
  RunData *d = g_task_get_task_data (task);
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *authority = NULL;

  if (probe->port != 0)
    {
      gpointer mapped = g_hash_table_lookup (self->port_map, GUINT_TO_POINTER (probe->port));
      authority = g_strdup_printf ("%s:%u", self->host,
                                   mapped ? GPOINTER_TO_UINT (mapped) : probe->port);
    }
  url = g_strconcat ("http://", authority ? authority : self->address, probe->path, NULL);
  d->obs = mpf_http_observation_new (probe->id, NULL);
  d->obs->request = g_strdup_printf ("%s %s", probe->method, probe->path);
  probe_begin (task, probe, self->timeout_ms);

  msg = soup_message_new (probe->method, url);
  if (msg == NULL)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                             "invalid URL %s", url);
      probe_end (task, error);
      return;
    }
  /* Redirects are evidence (GET / -> /home.asp), never followed. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_session_send_async (self->session, msg, G_PRIORITY_DEFAULT, d->probe_cancel,
                           http_sent_cb, task);
}

/* ---- banner probes (telnet prompt) ---- */

static void
banner_read_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MpfIdentify *self = g_task_get_source_object (task);
  RunData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), res, &error);
  gsize n = 0;
  const guint8 *p;

  if (chunk == NULL)
    {
      /* The window closing is the normal end of a banner. */
      d->obs->answered = d->body->len > 0;
      if (!d->obs->answered && d->window_closed)
        {
          g_clear_error (&error);
          error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "connected, nothing said within %u ms",
                               self->banner_window_ms);
        }
      probe_end (task, d->obs->answered ? NULL : error);
      return;
    }
  p = g_bytes_get_data (chunk, &n);
  g_byte_array_append (d->body, p, (guint) MIN (n, d->probe->read_max - d->body->len));
  d->obs->body_length += n;
  if (n == 0 || d->body->len >= d->probe->read_max)
    {
      d->obs->answered = d->body->len > 0;
      probe_end (task, NULL);
      return;
    }
  g_input_stream_read_bytes_async (G_INPUT_STREAM (source),
                                   d->probe->read_max - d->body->len, G_PRIORITY_DEFAULT,
                                   d->probe_cancel, banner_read_cb, task);
}

static gboolean
banner_window_cb (gpointer user_data)
{
  RunData *d = user_data;

  /* Not a timeout: the banner is whatever arrived by now. */
  d->window_closed = TRUE;
  g_cancellable_cancel (d->probe_cancel);
  g_clear_pointer (&d->timer, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
banner_connected_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MpfIdentify *self = g_task_get_source_object (task);
  RunData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  d->conn = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), res, &error);
  if (d->conn == NULL)
    {
      probe_end (task, error);
      return;
    }
  /* From now on the limit is the read window, shorter than the timeout. */
  if (d->timer != NULL)
    g_source_destroy (d->timer);
  g_clear_pointer (&d->timer, g_source_unref);
  d->timer = g_timeout_source_new (self->banner_window_ms);
  g_source_set_callback (d->timer, banner_window_cb, d, NULL);
  g_source_attach (d->timer, g_task_get_context (task));
  g_input_stream_read_bytes_async (g_io_stream_get_input_stream (G_IO_STREAM (d->conn)),
                                   d->probe->read_max, G_PRIORITY_DEFAULT, d->probe_cancel,
                                   banner_read_cb, task);
}

static void
banner_probe_start (GTask *task, const MpfFingerprintProbe *probe)
{
  MpfIdentify *self = g_task_get_source_object (task);
  RunData *d = g_task_get_task_data (task);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  gpointer mapped = g_hash_table_lookup (self->port_map, GUINT_TO_POINTER (probe->port));
  guint16 port = mapped ? (guint16) GPOINTER_TO_UINT (mapped) : probe->port;

  d->obs = mpf_http_observation_new (probe->id, NULL);
  d->obs->request = g_strdup_printf ("TCP %u", probe->port);
  probe_begin (task, probe, self->timeout_ms);
  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_connect_to_host_async (client, self->host, port, d->probe_cancel,
                                         banner_connected_cb, task);
}

/* ---- the run ---- */

static void
run_next (GTask *task)
{
  MpfIdentify *self = g_task_get_source_object (task);
  RunData *d = g_task_get_task_data (task);
  const MpfFingerprintProbe *probe;

  if (d->next >= mpf_fingerprint_get_n_probes (self->rules))
    {
      MpfFingerprintResult *result = mpf_fingerprint_match (self->rules, self->host,
                                                            self->observations);
      MpfFingerprintResult *copy = g_new0 (MpfFingerprintResult, 1);

      *copy = *result;
      copy->family_id = g_strdup (result->family_id);
      copy->version = g_strdup (result->version);
      copy->matched_rules = g_strdupv (result->matched_rules);
      self->result = copy;
      g_task_return_pointer (task, result, (GDestroyNotify) mpf_fingerprint_result_free);
      g_object_unref (task);
      return;
    }
  probe = mpf_fingerprint_get_probe (self->rules, d->next++);
  if (probe->kind == MPF_PROBE_KIND_BANNER)
    banner_probe_start (task, probe);
  else
    http_probe_start (task, probe);
}

void
mpf_identify_run_async (MpfIdentify *self, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;

  g_return_if_fail (MPF_IS_IDENTIFY (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mpf_identify_run_async);
  g_task_set_task_data (task, g_new0 (RunData, 1), (GDestroyNotify) run_data_free);
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  run_next (task);
}

MpfFingerprintResult *
mpf_identify_run_finish (MpfIdentify *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

JsonNode *
mpf_identify_to_json_node (MpfIdentify *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (MPF_IS_IDENTIFY (self), NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "address");
  json_builder_add_string_value (b, self->address);
  if (self->result != NULL)
    {
      json_builder_set_member_name (b, "family");
      json_builder_add_string_value (b, self->result->family_id);
      json_builder_set_member_name (b, "confidence");
      json_builder_add_int_value (b, self->result->confidence);
      json_builder_set_member_name (b, "version");
      if (self->result->version != NULL)
        json_builder_add_string_value (b, self->result->version);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "login");
      json_builder_add_string_value (b, mpf_login_scheme_to_string (self->result->login));
      json_builder_set_member_name (b, "matched_rules");
      json_builder_begin_array (b);
      for (guint i = 0; self->result->matched_rules[i] != NULL; i++)
        json_builder_add_string_value (b, self->result->matched_rules[i]);
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "observations");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->observations->len; i++)
    json_builder_add_value (b, mpf_http_observation_to_json_node (g_ptr_array_index (self->observations, i)));
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
mpf_identify_finalize (GObject *object)
{
  MpfIdentify *self = MPF_IDENTIFY (object);

  g_clear_object (&self->rules);
  g_free (self->address);
  g_free (self->host);
  g_hash_table_unref (self->port_map);
  g_clear_object (&self->session);
  g_ptr_array_unref (self->observations);
  g_clear_pointer (&self->result, mpf_fingerprint_result_free);
  G_OBJECT_CLASS (mpf_identify_parent_class)->finalize (object);
}

static void
mpf_identify_class_init (MpfIdentifyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mpf_identify_finalize;
}

static void
mpf_identify_init (MpfIdentify *self)
{
  self->timeout_ms = 4000;
  self->banner_window_ms = 1500;
  self->port_map = g_hash_table_new (NULL, NULL);
  self->observations = g_ptr_array_new_with_free_func ((GDestroyNotify) mpf_http_observation_free);
  self->session = mpf_identify_new_session (0);
}
