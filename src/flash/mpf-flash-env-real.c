#include "config.h"


#include "mpf-discovery.h"
#include "mpf-flash-env-real.h"
#include "mpf-helper-client.h"
#include "mpf-link-monitor.h"

struct _MpfFlashEnvReal {
  GObject          parent_instance;
  char            *interface;
  MpfLinkMonitor  *monitor;
  MpfNetconfig    *netconfig;
  MpfHelperClient *helper;
  gboolean         carrier;
  gboolean         image_sent;
  gboolean         serving;
  gboolean         watching;
  gboolean         capturing;   /* this helper records the session */
  GBytes          *capture;     /* pcap saved from the helpers closed so far */
  char            *capture_why; /* why there is none, for the report */
};

static void env_iface_init (MpfFlashEnvInterface *iface);

G_DEFINE_TYPE_WITH_CODE (MpfFlashEnvReal, mpf_flash_env_real, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (MPF_TYPE_FLASH_ENV, env_iface_init))

static void
emit_simple (MpfFlashEnvReal *self, const char *name, const char *key, gboolean value)
{
  g_autoptr(JsonObject) o = json_object_new ();

  if (key != NULL)
    json_object_set_boolean_member (o, key, value);
  mpf_flash_env_emit (MPF_FLASH_ENV (self), name, o);
}

static void
link_changed_cb (MpfLinkMonitor *monitor, MpfLink *link, MpfFlashEnvReal *self)
{
  if (self->interface == NULL || g_strcmp0 (link->name, self->interface) != 0)
    return;
  if (link->carrier != self->carrier)
    {
      self->carrier = link->carrier;
      emit_simple (self, "carrier", "carrier", link->carrier);
    }
}

static void
link_removed_cb (MpfLinkMonitor *monitor, const char *name, MpfFlashEnvReal *self)
{
  if (self->interface != NULL && g_strcmp0 (name, self->interface) == 0 && self->carrier)
    {
      self->carrier = FALSE;
      emit_simple (self, "carrier", "carrier", FALSE);
    }
}

/* ---- link ---------------------------------------------------------------- */

static void
carrier_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MpfFlashEnvReal *self = g_task_get_source_object (task);
  GError *error = NULL;
  char *name = mpf_link_monitor_wait_carrier_finish (MPF_LINK_MONITOR (source), result, &error);

  if (name == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_free (self->interface);
  self->interface = g_strdup (name);
  self->carrier = TRUE;
  g_task_return_pointer (task, name, g_free);
}

static void
monitor_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MpfFlashEnvReal *self = g_task_get_source_object (task);
  GError *error = NULL;

  self->monitor = mpf_link_monitor_new_finish (result, &error);
  if (self->monitor == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_signal_connect_object (self->monitor, "link-changed", G_CALLBACK (link_changed_cb), self, 0);
  g_signal_connect_object (self->monitor, "link-removed", G_CALLBACK (link_removed_cb), self, 0);
  mpf_link_monitor_wait_carrier_async (self->monitor, g_task_get_task_data (task),
                                       g_task_get_cancellable (task), carrier_cb, g_object_ref (task));
}

static void
real_find_link_async (MpfFlashEnv *env, const char *interface, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  MpfFlashEnvReal *self = MPF_FLASH_ENV_REAL (env);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_task_data (task, g_strdup (interface), g_free);
  if (self->monitor == NULL)
    mpf_link_monitor_new_async (cancellable, monitor_cb, task);
  else
    mpf_link_monitor_wait_carrier_async (self->monitor, interface, cancellable, carrier_cb, task);
}

/* ---- helper -------------------------------------------------------------- */

static void
helper_event_cb (MpfHelperClient *client, const char *name, JsonObject *fields, MpfFlashEnvReal *self)
{
  mpf_flash_env_emit (MPF_FLASH_ENV (self), name, fields);
}

static void
helper_exited_cb (MpfHelperClient *client, int status, MpfFlashEnvReal *self)
{
  emit_simple (self, "helper-exited", NULL, FALSE);
}

static void
capture_started_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(MpfFlashEnvReal) self = user_data;
  g_autoptr(GError) error = NULL;

  /* The capture only serves the report: a failure is noted, not fatal. */
  if (!mpf_helper_client_finish (MPF_HELPER_CLIENT (source), result, &error))
    {
      g_autoptr(JsonObject) o = json_object_new ();

      if (MPF_HELPER_CLIENT (source) == self->helper)
        self->capturing = FALSE;
      g_free (self->capture_why);
      self->capture_why = g_strdup_printf ("the helper could not capture: %s", error->message);
      json_object_set_string_member (o, "message", error->message);
      mpf_flash_env_emit (MPF_FLASH_ENV (self), "capture-error", o);
    }
}

/* Appends the records of @pcap to the capture saved so far: every helper
 * writes the same link type and snap length, so the second file's global
 * header (24 bytes) is all that differs. */
static void
keep_capture (MpfFlashEnvReal *self, GBytes *pcap)
{
  g_autoptr(GByteArray) all = NULL;
  gsize size;
  const guint8 *data = g_bytes_get_data (pcap, &size);

  if (self->capture == NULL)
    {
      self->capture = g_bytes_ref (pcap);
      return;
    }
  if (size <= 24)
    return;
  all = g_byte_array_new ();
  g_byte_array_append (all, g_bytes_get_data (self->capture, NULL),
                       (guint) g_bytes_get_size (self->capture));
  g_byte_array_append (all, data + 24, (guint) (size - 24));
  g_bytes_unref (self->capture);
  self->capture = g_byte_array_free_to_bytes (g_steal_pointer (&all));
}

static void
helper_new_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MpfFlashEnvReal *self = g_task_get_source_object (task);
  GError *error = NULL;
  MpfHelperClient *helper = mpf_helper_client_new_finish (result, &error);

  if (helper == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_object (&self->helper);
  self->helper = helper;
  self->image_sent = self->serving = self->watching = FALSE;
  g_signal_connect_object (helper, "event", G_CALLBACK (helper_event_cb), self, 0);
  g_signal_connect_object (helper, "exited", G_CALLBACK (helper_exited_cb), self, 0);
  /* The diagnostics report's capture starts with the helper; the helper
   * answers in order, so it records everything asked of it from now on. */
  self->capturing = self->interface != NULL;
  if (self->capturing)
    mpf_helper_client_capture_start_async (helper, self->interface, NULL, capture_started_cb,
                                           g_object_ref (self));
  g_task_return_boolean (task, TRUE);
}

/* Starts the helper unless it runs; @callback gets a boolean GTask. */
static void
ensure_helper (MpfFlashEnvReal *self, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (self->helper != NULL && mpf_helper_client_is_running (self->helper))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  mpf_helper_client_new_async (cancellable, helper_new_cb, task);
}

/* ---- configure ----------------------------------------------------------- */

static void configure_applied_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
configure_with_helper_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MpfFlashEnvReal *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* gpointer: the parameter type moved from GObject to MpfHelperClient. */
  mpf_netconfig_set_helper (self->netconfig, (gpointer) self->helper);
  g_object_set_data (G_OBJECT (task), "with-helper", GINT_TO_POINTER (1));
  mpf_netconfig_apply_async (self->netconfig, GPOINTER_TO_INT (g_task_get_task_data (task)),
                             g_task_get_cancellable (task), configure_applied_cb, g_object_ref (task));
}

static void
configure_applied_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MpfFlashEnvReal *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (mpf_netconfig_apply_finish (MPF_NETCONFIG (source), result, &error))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  /* NetworkManager runs but does not manage this device: the helper does it. */
  if (g_error_matches (error, MPF_NETCONFIG_ERROR, MPF_NETCONFIG_ERROR_UNMANAGED)
      && g_object_get_data (G_OBJECT (task), "with-helper") == NULL)
    {
      g_clear_error (&error);
      ensure_helper (self, g_task_get_cancellable (task), configure_with_helper_cb, g_object_ref (task));
      return;
    }
  g_task_return_error (task, error);
}

static void
real_configure_async (MpfFlashEnv *env, MpfNetconfigPurpose purpose, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  MpfFlashEnvReal *self = MPF_FLASH_ENV_REAL (env);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  NMClient *client = mpf_link_monitor_get_client (self->monitor);

  g_task_set_task_data (task, GINT_TO_POINTER (purpose), NULL);
  if (self->netconfig == NULL)
    self->netconfig = mpf_netconfig_new (self->interface, client);
  if (client == NULL || (self->helper != NULL && mpf_helper_client_is_running (self->helper)))
    ensure_helper (self, cancellable, configure_with_helper_cb, task);
  else
    mpf_netconfig_apply_async (self->netconfig, purpose, cancellable, configure_applied_cb, task);
}

/* ---- discover ------------------------------------------------------------ */

static void
discovered_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GPtrArray *found = mpf_discovery_run_finish (MPF_DISCOVERY (source), result, &error);

  if (found == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, found, (GDestroyNotify) g_ptr_array_unref);
}

static void
real_discover_async (MpfFlashEnv *env, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  MpfFlashEnvReal *self = MPF_FLASH_ENV_REAL (env);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(MpfDiscovery) discovery = mpf_discovery_new (self->interface);

  mpf_discovery_set_http_timeout_ms (discovery, 2500);
  /* ARP probes and passive capture find a moved or recovering router. */
  if (self->helper != NULL && mpf_helper_client_is_running (self->helper))
    mpf_discovery_set_helper (discovery, self->helper);
  mpf_discovery_run_async (discovery, cancellable, discovered_cb, task);
}

/* ---- recovery service ---------------------------------------------------- */

typedef struct {
  GBytes  *uimage;
  gboolean again;
} ServeData;

static void
serve_data_free (gpointer p)
{
  ServeData *d = p;

  g_bytes_unref (d->uimage);
  g_free (d);
}

static void serve_step (GTask *task);

static void
serve_step_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MpfFlashEnvReal *self = g_task_get_source_object (task);
  const char *step = g_object_get_data (G_OBJECT (task), "step");
  GError *error = NULL;
  gboolean ok = G_IS_TASK (result) && g_task_get_source_object (G_TASK (result)) == (gpointer) self
                ? g_task_propagate_boolean (G_TASK (result), &error)
                : mpf_helper_client_finish (self->helper, result, &error);

  if (g_strcmp0 (step, "watch") == 0)
    {
      /* Watching only adds what the router says to the log: not fatal. */
      self->watching = TRUE;
      g_clear_error (&error);
      ok = TRUE;
    }
  else if (g_strcmp0 (step, "stop") == 0)
    {
      self->serving = FALSE;
      g_clear_error (&error);
      ok = TRUE;
    }
  else if (g_strcmp0 (step, "image") == 0 && ok)
    self->image_sent = TRUE;
  else if (g_strcmp0 (step, "serve") == 0 && ok)
    {
      self->serving = TRUE;
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (!ok)
    {
      g_task_return_error (task, error);
      return;
    }
  serve_step (g_steal_pointer (&task));
}

static void
serve_step (GTask *task)
{
  MpfFlashEnvReal *self = g_task_get_source_object (task);
  ServeData *d = g_task_get_task_data (task);
  GCancellable *c = g_task_get_cancellable (task);

  if (self->helper == NULL || !mpf_helper_client_is_running (self->helper))
    {
      g_object_set_data (G_OBJECT (task), "step", (gpointer) "helper");
      ensure_helper (self, c, serve_step_cb, task);
    }
  else if (!self->watching)
    {
      g_object_set_data (G_OBJECT (task), "step", (gpointer) "watch");
      mpf_helper_client_watch_async (self->helper, self->interface, c, serve_step_cb, task);
    }
  else if (self->serving && d->again)
    {
      d->again = FALSE;
      g_object_set_data (G_OBJECT (task), "step", (gpointer) "stop");
      mpf_helper_client_serve_stop_async (self->helper, c, serve_step_cb, task);
    }
  else if (!self->image_sent)
    {
      g_object_set_data (G_OBJECT (task), "step", (gpointer) "image");
      mpf_helper_client_send_image_async (self->helper, d->uimage, c, serve_step_cb, task);
    }
  else if (!self->serving)
    {
      g_object_set_data (G_OBJECT (task), "step", (gpointer) "serve");
      mpf_helper_client_serve_tftp_async (self->helper, self->interface, NULL,
                                          MPF_HELPER_CLIENT_SERVE_RECOVERY, c, serve_step_cb, task);
    }
  else
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

static void
real_serve_async (MpfFlashEnv *env, GBytes *uimage, gboolean again, GCancellable *cancellable,
                  GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (env, cancellable, callback, user_data);
  ServeData *d = g_new0 (ServeData, 1);

  d->uimage = g_bytes_ref (uimage);
  d->again = again;
  g_task_set_task_data (task, d, serve_data_free);
  serve_step (task);
}

static void
serve_stopped_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MpfFlashEnvReal *self = g_task_get_source_object (task);

  mpf_helper_client_finish (MPF_HELPER_CLIENT (source), result, NULL);
  self->serving = FALSE;
  g_task_return_boolean (task, TRUE);
}

static void
real_serve_stop_async (MpfFlashEnv *env, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  MpfFlashEnvReal *self = MPF_FLASH_ENV_REAL (env);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (!self->serving || self->helper == NULL || !mpf_helper_client_is_running (self->helper))
    {
      self->serving = FALSE;
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  mpf_helper_client_serve_stop_async (self->helper, cancellable, serve_stopped_cb, task);
}

/* ---- restore ------------------------------------------------------------- */

static void
helper_closed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = g_task_get_task_data (task);

  mpf_helper_client_finish (MPF_HELPER_CLIENT (source), result, NULL);
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
capture_dumped_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  MpfFlashEnvReal *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pcap = mpf_helper_client_capture_dump_finish (MPF_HELPER_CLIENT (source),
                                                                  result, &error);
  g_autoptr(JsonObject) o = json_object_new ();

  if (pcap != NULL)
    {
      keep_capture (self, pcap);
      json_object_set_int_member (o, "bytes", (gint64) g_bytes_get_size (pcap));
      mpf_flash_env_emit (MPF_FLASH_ENV (self), "capture-saved", o);
    }
  else
    {
      g_free (self->capture_why);
      self->capture_why = g_strdup_printf ("the helper's capture could not be read: %s", error->message);
      json_object_set_string_member (o, "message", error->message);
      mpf_flash_env_emit (MPF_FLASH_ENV (self), "capture-error", o);
    }
  mpf_helper_client_close_async (MPF_HELPER_CLIENT (source), NULL, helper_closed_cb, task);
}

static void
close_helper (GTask *task)
{
  MpfFlashEnvReal *self = g_task_get_source_object (task);
  GError *error = g_task_get_task_data (task);

  self->serving = self->watching = self->image_sent = FALSE;
  if (self->helper != NULL && mpf_helper_client_is_running (self->helper))
    {
      /* The capture lives in the helper: fetch it before the helper goes. */
      if (self->capturing)
        {
          self->capturing = FALSE;
          mpf_helper_client_capture_dump_async (self->helper, NULL, capture_dumped_cb, task);
          return;
        }
      mpf_helper_client_close_async (self->helper, NULL, helper_closed_cb, task);
      return;
    }
  if (self->capturing)
    {
      self->capturing = FALSE;
      g_free (self->capture_why);
      self->capture_why = g_strdup ("the helper stopped before its capture was saved");
    }
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
netconfig_restored_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  /* With the helper backend a refused addr-del is not the end: closing the
   * helper's stdin makes it remove every address it added (the helper still
   * counts a stopped TFTP service as using its address). */
  if (!mpf_netconfig_restore_finish (MPF_NETCONFIG (source), result, &error))
    {
      if (g_object_get_data (G_OBJECT (task), "helper-backend") != NULL)
        {
          g_autoptr(JsonObject) o = json_object_new ();
          json_object_set_string_member (o, "message", error->message);
          mpf_flash_env_emit (g_task_get_source_object (task), "restore-deferred-to-helper", o);
          g_clear_error (&error);
        }
      else
        g_task_set_task_data (task, error, (GDestroyNotify) g_error_free);
    }
  close_helper (task);
}

static void
restore_netconfig (GTask *task)
{
  MpfFlashEnvReal *self = g_task_get_source_object (task);

  if (self->netconfig != NULL)
    {
      if (mpf_netconfig_get_backend (self->netconfig) == MPF_NETCONFIG_BACKEND_HELPER)
        g_object_set_data (G_OBJECT (task), "helper-backend", GINT_TO_POINTER (1));
      mpf_netconfig_restore_async (self->netconfig, NULL, netconfig_restored_cb, task);
    }
  else
    close_helper (task);
}

static void
restore_serve_stopped_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  MpfFlashEnvReal *self = g_task_get_source_object (task);

  mpf_helper_client_finish (MPF_HELPER_CLIENT (source), result, NULL);
  self->serving = FALSE;
  restore_netconfig (task);
}

static void
real_restore_async (MpfFlashEnv *env, GCancellable *cancellable,
                    GAsyncReadyCallback callback, gpointer user_data)
{
  MpfFlashEnvReal *self = MPF_FLASH_ENV_REAL (env);
  /* Never cancellable: giving the network back must finish. */
  GTask *task = g_task_new (self, NULL, callback, user_data);

  /* The helper keeps an address its TFTP service uses: stop serving first. */
  if (self->serving && self->helper != NULL && mpf_helper_client_is_running (self->helper))
    mpf_helper_client_serve_stop_async (self->helper, NULL, restore_serve_stopped_cb, task);
  else
    restore_netconfig (task);
}

/* ---- the rest ------------------------------------------------------------ */

static char *
real_http_address (MpfFlashEnv *env, const char *address)
{
  return g_strdup (address);
}

static gboolean
real_has_carrier (MpfFlashEnv *env)
{
  return MPF_FLASH_ENV_REAL (env)->carrier;
}

static const char *
real_describe (MpfFlashEnv *env)
{
  MpfFlashEnvReal *self = MPF_FLASH_ENV_REAL (env);

  if (self->netconfig != NULL && mpf_netconfig_get_backend (self->netconfig) == MPF_NETCONFIG_BACKEND_NETWORK_MANAGER)
    return "real (NetworkManager)";
  if (self->netconfig != NULL && mpf_netconfig_get_backend (self->netconfig) == MPF_NETCONFIG_BACKEND_HELPER)
    return "real (helper)";
  return "real";
}

GBytes *
mpf_flash_env_real_dup_capture (MpfFlashEnvReal *self, const char **why_none)
{
  g_return_val_if_fail (MPF_IS_FLASH_ENV_REAL (self), NULL);
  if (why_none != NULL)
    *why_none = self->capture != NULL ? NULL
                : self->capture_why != NULL ? self->capture_why
                : self->capturing ? "the helper is still running"
                : "the helper did not run";
  return self->capture != NULL ? g_bytes_ref (self->capture) : NULL;
}

static void
env_iface_init (MpfFlashEnvInterface *iface)
{
  iface->find_link_async = real_find_link_async;
  iface->configure_async = real_configure_async;
  iface->discover_async = real_discover_async;
  iface->serve_async = real_serve_async;
  iface->serve_stop_async = real_serve_stop_async;
  iface->restore_async = real_restore_async;
  iface->http_address = real_http_address;
  iface->user_action = NULL;
  iface->has_carrier = real_has_carrier;
  iface->describe = real_describe;
}

static void
mpf_flash_env_real_finalize (GObject *object)
{
  MpfFlashEnvReal *self = MPF_FLASH_ENV_REAL (object);

  g_free (self->interface);
  g_clear_pointer (&self->capture, g_bytes_unref);
  g_free (self->capture_why);
  g_clear_object (&self->netconfig);
  g_clear_object (&self->helper);
  g_clear_object (&self->monitor);
  G_OBJECT_CLASS (mpf_flash_env_real_parent_class)->finalize (object);
}

static void
mpf_flash_env_real_class_init (MpfFlashEnvRealClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mpf_flash_env_real_finalize;
}

static void
mpf_flash_env_real_init (MpfFlashEnvReal *self)
{
}

MpfFlashEnv *
mpf_flash_env_real_new (void)
{
  return g_object_new (MPF_TYPE_FLASH_ENV_REAL, NULL);
}
