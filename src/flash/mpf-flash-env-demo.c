#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "mpf-discovery.h"
#include "mpf-flash-env-demo.h"
#include "mpf-recovery-container.h"
#include "mpf-tftp-engine.h"
#include "mpf-tftp-events.h"

#define MPF_FLASH_ENV_DEMO_HANDS_DELAY_MS 1500

struct _MpfFlashEnvDemo {
  GObject        parent_instance;
  char          *control;
  guint          http_port;
  guint          tftp_port;
  GSocket       *socket;
  GSource       *read_source;
  guint          tick_id;
  MpfTftpEngine *engine;
};

static void env_iface_init (MpfFlashEnvInterface *iface);

G_DEFINE_TYPE_WITH_CODE (MpfFlashEnvDemo, mpf_flash_env_demo, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (MPF_TYPE_FLASH_ENV, env_iface_init))

JsonObject *
mpf_flash_env_demo_control (const char *control_path, const char *command, GError **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (control_path);
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *line = NULL;
  g_autofree char *request = g_strconcat (command, "\n", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, error);
  if (conn == NULL)
    return NULL;
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                                  request, strlen (request), NULL, NULL, error))
    return NULL;
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  line = g_data_input_stream_read_line (in, NULL, NULL, error);
  if (line == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the simulated router closed the control socket");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, line, -1, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the simulated router's reply is not an object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/* ---- link, configure, restore: nothing to do on loopback ------------------ */

static void
demo_find_link_async (MpfFlashEnv *env, const char *interface, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (env, cancellable, callback, user_data);

  g_task_return_pointer (task, g_strdup ("lo"), g_free);
}

static void
demo_configure_async (MpfFlashEnv *env, MpfNetconfigPurpose purpose, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (env, cancellable, callback, user_data);

  g_task_return_boolean (task, TRUE);
}

/* ---- discovery through the control socket --------------------------------- */

static void
discover_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  MpfFlashEnvDemo *self = source;
  GError *error = NULL;
  g_autoptr(JsonObject) state = mpf_flash_env_demo_control (self->control, "state", &error);
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) mpf_discovered_free);
  const char *mode;

  if (state == NULL)
    {
      g_ptr_array_unref (found);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("The demo router does not answer (%s)."), error->message);
      g_error_free (error);
      return;
    }
  mode = json_object_get_string_member_with_default (state, "mode", "off");
  if (g_str_equal (mode, "running"))
    {
      MpfDiscovered d = { .address = (char *) "127.0.0.1", .state = MPF_DISCOVERY_WEB, .http_status = 200 };
      g_ptr_array_add (found, mpf_discovered_copy (&d));
    }
  else if (g_str_equal (mode, "recovery"))
    {
      MpfDiscovered d = { .address = (char *) "127.0.0.1", .state = MPF_DISCOVERY_BOOTLOADER };
      g_ptr_array_add (found, mpf_discovered_copy (&d));
    }
  g_task_return_pointer (task, found, (GDestroyNotify) g_ptr_array_unref);
}

static void
demo_discover_async (MpfFlashEnv *env, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (env, cancellable, callback, user_data);

  g_task_run_in_thread (task, discover_thread);
}

/* ---- in-process TFTP on loopback ----------------------------------------- */

static void
send_cb (MpfTftpSocket from, guint transfer_id, const char *address, guint16 port,
         const guint8 *data, gsize len, gpointer user_data)
{
  MpfFlashEnvDemo *self = user_data;
  g_autoptr(GInetAddress) ia = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) sa = NULL;

  /* Only loopback: the demo never sends anywhere else. */
  if (ia == NULL || !g_inet_address_get_is_loopback (ia) || self->socket == NULL)
    return;
  sa = g_inet_socket_address_new (ia, port);
  g_socket_send_to (self->socket, sa, (const char *) data, len, NULL, NULL);
}

static void schedule_tick (MpfFlashEnvDemo *self);

static gboolean
tick_cb (gpointer user_data)
{
  MpfFlashEnvDemo *self = user_data;

  self->tick_id = 0;
  if (self->engine != NULL)
    {
      g_autoptr(MpfTftpEngine) engine = g_object_ref (self->engine);
      mpf_tftp_engine_tick (engine, g_get_monotonic_time ());
    }
  schedule_tick (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_tick (MpfFlashEnvDemo *self)
{
  gint64 deadline, now = g_get_monotonic_time ();

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->engine == NULL || (deadline = mpf_tftp_engine_get_next_deadline (self->engine)) < 0)
    return;
  self->tick_id = g_timeout_add ((guint) MAX (0, (deadline - now + 999) / 1000), tick_cb, self);
}

static gboolean
readable_cb (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  MpfFlashEnvDemo *self = user_data;
  guint8 buf[2048];
  GSocketAddress *from = NULL;
  gssize n;

  while ((n = g_socket_receive_from (socket, &from, (char *) buf, sizeof buf, NULL, NULL)) >= 0)
    {
      if (G_IS_INET_SOCKET_ADDRESS (from) && self->engine != NULL)
        {
          GInetSocketAddress *isa = G_INET_SOCKET_ADDRESS (from);
          g_autofree char *ip = g_inet_address_to_string (g_inet_socket_address_get_address (isa));
          g_autoptr(MpfTftpEngine) engine = g_object_ref (self->engine);

          mpf_tftp_engine_receive (engine, buf, (gsize) n, ip, g_inet_socket_address_get_port (isa),
                                   g_get_monotonic_time ());
        }
      g_clear_object (&from);
    }
  schedule_tick (self);
  return G_SOURCE_CONTINUE;
}

static void
emit_cb (const char *event, JsonObject *o, gpointer user_data)
{
  mpf_flash_env_emit (MPF_FLASH_ENV (user_data), event, o);
}

static void
stop_serving (MpfFlashEnvDemo *self)
{
  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->read_source != NULL)
    {
      g_source_destroy (self->read_source);
      g_clear_pointer (&self->read_source, g_source_unref);
    }
  if (self->engine != NULL)
    mpf_tftp_events_disconnect (self->engine);
  g_clear_object (&self->engine);
  if (self->socket != NULL)
    g_socket_close (self->socket, NULL);
  g_clear_object (&self->socket);
}

static void
demo_serve_async (MpfFlashEnv *env, GBytes *uimage, gboolean again, GCancellable *cancellable,
                  GAsyncReadyCallback callback, gpointer user_data)
{
  MpfFlashEnvDemo *self = MPF_FLASH_ENV_DEMO (env);
  g_autoptr(GTask) task = g_task_new (env, cancellable, callback, user_data);
  g_autoptr(GBytes) container = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new (lo, (guint16) self->tftp_port);
  GError *error = NULL;

  stop_serving (self);
  container = mpf_recovery_container_pack (uimage, &error);
  if (container == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  self->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  if (self->socket == NULL || !g_socket_bind (self->socket, sa, TRUE, &error))
    {
      g_clear_object (&self->socket);
      g_task_return_error (task, error);
      return;
    }
  g_socket_set_blocking (self->socket, FALSE);
  self->engine = mpf_tftp_engine_new (MPF_TFTP_MODE_HAME_RECOVERY, container);
  mpf_tftp_engine_set_send_func (self->engine, send_cb, self, NULL);
  mpf_tftp_events_connect (self->engine, emit_cb, self);
  self->read_source = g_socket_create_source (self->socket, G_IO_IN, NULL);
  g_source_set_callback (self->read_source, (GSourceFunc) (GCallback) readable_cb, self, NULL);
  g_source_attach (self->read_source, g_main_context_get_thread_default ());
  g_task_return_boolean (task, TRUE);
}

static void
demo_serve_stop_async (MpfFlashEnv *env, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (env, cancellable, callback, user_data);

  stop_serving (MPF_FLASH_ENV_DEMO (env));
  g_task_return_boolean (task, TRUE);
}

static void
demo_restore_async (MpfFlashEnv *env, GCancellable *cancellable,
                    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (env, NULL, callback, user_data);

  stop_serving (MPF_FLASH_ENV_DEMO (env));
  g_task_return_boolean (task, TRUE);
}

static char *
demo_http_address (MpfFlashEnv *env, const char *address)
{
  return g_strdup_printf ("127.0.0.1:%u", MPF_FLASH_ENV_DEMO (env)->http_port);
}

static void
action_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  MpfFlashEnvDemo *self = source;
  g_autoptr(JsonObject) reply = mpf_flash_env_demo_control (self->control, task_data, NULL);

  g_task_return_boolean (task, reply != NULL);
}

static gboolean
act_later_cb (gpointer user_data)
{
  GTask *task = user_data;

  g_task_run_in_thread (task, action_thread);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* A short pause first, so that whoever watches the demo sees the
 * instructions before the simulated hands follow them. */
static void
demo_user_action (MpfFlashEnv *env, const char *action)
{
  GTask *task = g_task_new (env, NULL, NULL, NULL);

  g_task_set_task_data (task, g_strdup (action), g_free);
  g_timeout_add (MPF_FLASH_ENV_DEMO_HANDS_DELAY_MS, act_later_cb, task);
}

static gboolean
demo_has_carrier (MpfFlashEnv *env)
{
  return TRUE;
}

static const char *
demo_describe (MpfFlashEnv *env)
{
  return "demo (simulated router on loopback)";
}

static void
env_iface_init (MpfFlashEnvInterface *iface)
{
  iface->find_link_async = demo_find_link_async;
  iface->configure_async = demo_configure_async;
  iface->discover_async = demo_discover_async;
  iface->serve_async = demo_serve_async;
  iface->serve_stop_async = demo_serve_stop_async;
  iface->restore_async = demo_restore_async;
  iface->http_address = demo_http_address;
  iface->user_action = demo_user_action;
  iface->has_carrier = demo_has_carrier;
  iface->describe = demo_describe;
}

static void
mpf_flash_env_demo_finalize (GObject *object)
{
  MpfFlashEnvDemo *self = MPF_FLASH_ENV_DEMO (object);

  stop_serving (self);
  g_free (self->control);
  G_OBJECT_CLASS (mpf_flash_env_demo_parent_class)->finalize (object);
}

static void
mpf_flash_env_demo_class_init (MpfFlashEnvDemoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mpf_flash_env_demo_finalize;
}

static void
mpf_flash_env_demo_init (MpfFlashEnvDemo *self)
{
}

MpfFlashEnv *
mpf_flash_env_demo_new (const char *control_path, guint http_port, guint tftp_port)
{
  MpfFlashEnvDemo *self = g_object_new (MPF_TYPE_FLASH_ENV_DEMO, NULL);

  self->control = g_strdup (control_path);
  self->http_port = http_port;
  self->tftp_port = tftp_port;
  return MPF_FLASH_ENV (self);
}
