#include "config.h"

#include "mpf-netconfig-private.h"

#include <glib/gi18n.h>

#define ACTIVATION_TIMEOUT_S 30

/* --- waiting for our profile to be up --- */

typedef struct {
  NMActiveConnection *ac;
  gulong              state_id;
  guint               timeout_id;
  GSource            *cancel_source;
  gboolean            done;
} ActWait;

static void
act_wait_free (ActWait *w)
{
  g_clear_signal_handler (&w->state_id, w->ac);
  g_clear_handle_id (&w->timeout_id, g_source_remove);
  if (w->cancel_source)
    {
      g_source_destroy (w->cancel_source);
      g_source_unref (w->cancel_source);
    }
  g_clear_object (&w->ac);
  g_free (w);
}

/* Completes the apply task once; disconnects everything first. */
static void
act_wait_complete (GTask *task, GError *error)
{
  ActWait *w = g_task_get_task_data (task);

  if (w->done)
    {
      g_clear_error (&error);
      return;
    }
  w->done = TRUE;
  g_clear_signal_handler (&w->state_id, w->ac);
  g_clear_handle_id (&w->timeout_id, g_source_remove);
  if (w->cancel_source)
    g_source_destroy (w->cancel_source);
  if (error)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
    }
  else
    mpf_netconfig_wait_addresses (task);
}

static GError *
state_error (NMActiveConnectionState state, NMActiveConnectionStateReason reason)
{
  if (state == NM_ACTIVE_CONNECTION_STATE_DEACTIVATED || state == NM_ACTIVE_CONNECTION_STATE_DEACTIVATING)
    return g_error_new (MPF_NETCONFIG_ERROR, MPF_NETCONFIG_ERROR_ACTIVATION_FAILED,
                        _("NetworkManager could not set up the temporary address (reason %u). "
                          "Check that the cable is plugged in."), (guint) reason);
  return NULL;
}

static void
state_changed_cb (NMActiveConnection *ac, guint state, guint reason, GTask *task)
{
  if (state == NM_ACTIVE_CONNECTION_STATE_ACTIVATED)
    act_wait_complete (task, NULL);
  else if (state >= NM_ACTIVE_CONNECTION_STATE_DEACTIVATING)
    act_wait_complete (task, state_error (state, reason));
}

static gboolean
act_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  ActWait *w = g_task_get_task_data (task);

  w->timeout_id = 0;
  act_wait_complete (task, g_error_new (MPF_NETCONFIG_ERROR, MPF_NETCONFIG_ERROR_TIMEOUT,
                                        _("NetworkManager did not set up the temporary address within %d seconds."),
                                        ACTIVATION_TIMEOUT_S));
  return G_SOURCE_REMOVE;
}

static gboolean
act_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  act_wait_complete (user_data, error);
  return G_SOURCE_REMOVE;
}

static void
added_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MpfNetconfig *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) out = NULL;
  g_autoptr(NMActiveConnection) ac = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);
  NMActiveConnectionState state;
  ActWait *w;

  ac = nm_client_add_and_activate_connection2_finish (NM_CLIENT (source), result, &out, &error);
  if (ac == NULL)
    {
      g_task_return_new_error (task, MPF_NETCONFIG_ERROR, MPF_NETCONFIG_ERROR_ACTIVATION_FAILED,
                               _("NetworkManager refused the temporary address: %s"), error->message);
      return;
    }
  /* From here restore knows what to undo, whatever happens next. */
  g_set_object (&self->active, ac);
  g_free (self->our_uuid);
  self->our_uuid = g_strdup (nm_active_connection_get_uuid (ac));
  self->backend = MPF_NETCONFIG_BACKEND_NETWORK_MANAGER;
  g_debug ("netconfig: temporary profile %s activating on %s", self->our_uuid, self->ifname);

  if (g_task_return_error_if_cancelled (task))
    return;
  state = nm_active_connection_get_state (ac);
  if (state == NM_ACTIVE_CONNECTION_STATE_ACTIVATED)
    {
      mpf_netconfig_wait_addresses (g_steal_pointer (&task));
      return;
    }
  if ((error = state_error (state, nm_active_connection_get_state_reason (ac))) != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  w = g_new0 (ActWait, 1);
  w->ac = g_object_ref (ac);
  g_task_set_task_data (task, w, (GDestroyNotify) act_wait_free);
  w->state_id = g_signal_connect (ac, "state-changed", G_CALLBACK (state_changed_cb), task);
  w->timeout_id = g_timeout_add_seconds (ACTIVATION_TIMEOUT_S, act_timeout_cb, task);
  if (cancellable != NULL)
    {
      w->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (w->cancel_source, G_SOURCE_FUNC (act_cancelled_cb), task, NULL);
      g_source_attach (w->cancel_source, g_main_context_get_thread_default ());
    }
  /* The handlers own the reference until act_wait_complete. */
  g_steal_pointer (&task);
}

void
mpf_netconfig_nm_apply (MpfNetconfig *self, NMDevice *device, MpfNetconfigPurpose purpose, GTask *task)
{
  g_autoptr(NMConnection) profile = NULL;
  GVariantBuilder options;

  if (!self->remembered)
    {
      NMActiveConnection *ac = nm_device_get_active_connection (device);
      NMRemoteConnection *conn = ac ? nm_active_connection_get_connection (ac) : NULL;

      /* A volatile profile of a crashed earlier run is not the user's. */
      if (conn != NULL && g_strcmp0 (nm_connection_get_id (NM_CONNECTION (conn)), MPF_NETCONFIG_PROFILE_ID) != 0)
        g_set_object (&self->previous, conn);
      self->remembered = TRUE;
    }

  profile = mpf_netconfig_build_profile (self->ifname, purpose, g_get_user_name ());
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  /* Deleted when deactivated; deactivated when our bus connection goes. */
  g_variant_builder_add (&options, "{sv}", "persist", g_variant_new_string ("volatile"));
  g_variant_builder_add (&options, "{sv}", "bind-activation", g_variant_new_string ("dbus-client"));

  /* Not cancellable on the wire: once NetworkManager has the request we must
   * learn what it created, so that restore can remove it. */
  nm_client_add_and_activate_connection2 (self->client, profile, device, NULL,
                                          g_variant_builder_end (&options), NULL,
                                          added_cb, task);
}

/* --- restore --- */

static void
reactivated_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NMActiveConnection) ac = nm_client_activate_connection_finish (NM_CLIENT (source), result, &error);

  if (ac == NULL)
    g_task_return_new_error (task, MPF_NETCONFIG_ERROR, MPF_NETCONFIG_ERROR_RESTORE_FAILED,
                             _("Your usual network connection could not be switched back on: %s"),
                             error->message);
  else
    g_task_return_boolean (task, TRUE);
}

static void
reactivate_previous (GTask *task)
{
  MpfNetconfig *self = g_task_get_source_object (task);
  g_autoptr(NMRemoteConnection) previous = g_steal_pointer (&self->previous);
  NMDevice *device;

  self->remembered = FALSE;
  self->backend = MPF_NETCONFIG_BACKEND_NONE;
  if (previous == NULL
      || nm_client_get_connection_by_uuid (self->client, nm_connection_get_uuid (NM_CONNECTION (previous))) == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  device = nm_client_get_device_by_iface (self->client, self->ifname);
  nm_client_activate_connection_async (self->client, NM_CONNECTION (previous), device, NULL, NULL,
                                       reactivated_cb, task);
}

static void
deleted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  /* Already gone (NetworkManager deletes volatile profiles itself) is fine. */
  if (!nm_remote_connection_delete_finish (NM_REMOTE_CONNECTION (source), result, &error))
    g_debug ("netconfig: delete: %s", error->message);
  reactivate_previous (user_data);
}

static void
deactivated_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  MpfNetconfig *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  NMRemoteConnection *conn;

  if (!nm_client_deactivate_connection_finish (NM_CLIENT (source), result, &error))
    g_debug ("netconfig: deactivate: %s", error->message);

  conn = self->our_uuid ? nm_client_get_connection_by_uuid (self->client, self->our_uuid) : NULL;
  g_clear_pointer (&self->our_uuid, g_free);
  if (conn != NULL)
    {
      nm_remote_connection_delete_async (conn, NULL, deleted_cb, task);
      return;
    }
  reactivate_previous (task);
}

void
mpf_netconfig_nm_restore (MpfNetconfig *self, GTask *task)
{
  g_autoptr(NMActiveConnection) active = g_steal_pointer (&self->active);

  if (active != NULL)
    {
      nm_client_deactivate_connection_async (self->client, active, NULL, deactivated_cb, task);
      return;
    }
  reactivate_previous (task);
}
