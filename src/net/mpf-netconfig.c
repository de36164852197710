#include "config.h"

#include "mpf-netconfig.h"
#include "mpf-netconfig-private.h"

#include <glib/gi18n.h>

G_DEFINE_TYPE (MpfNetconfig, mpf_netconfig, G_TYPE_OBJECT)
G_DEFINE_QUARK (mpf-netconfig-error-quark, mpf_netconfig_error)

MpfNetconfig *
mpf_netconfig_new (const char *ifname, NMClient *client)
{
  MpfNetconfig *self;

  g_return_val_if_fail (ifname != NULL, NULL);
  g_return_val_if_fail (client == NULL || NM_IS_CLIENT (client), NULL);

  self = g_object_new (MPF_TYPE_NETCONFIG, NULL);
  self->ifname = g_strdup (ifname);
  if (client != NULL && nm_client_get_nm_running (client))
    self->client = g_object_ref (client);
  return self;
}

void
mpf_netconfig_set_helper (MpfNetconfig *self, GObject *helper)
{
  g_return_if_fail (MPF_IS_NETCONFIG (self));
  g_set_object (&self->helper, helper);
}

const char *
mpf_netconfig_get_interface (MpfNetconfig *self)
{
  g_return_val_if_fail (MPF_IS_NETCONFIG (self), NULL);
  return self->ifname;
}

MpfNetconfigBackend
mpf_netconfig_get_backend (MpfNetconfig *self)
{
  g_return_val_if_fail (MPF_IS_NETCONFIG (self), MPF_NETCONFIG_BACKEND_NONE);
  return self->backend;
}

/* The device when NetworkManager runs and manages it, else NULL. */
static NMDevice *
managed_device (MpfNetconfig *self)
{
  NMDevice *device;

  if (self->client == NULL || !nm_client_get_nm_running (self->client))
    return NULL;
  device = nm_client_get_device_by_iface (self->client, self->ifname);
  if (device == NULL || !nm_device_get_managed (device))
    return NULL;
  return device;
}

void
mpf_netconfig_apply_async (MpfNetconfig *self, MpfNetconfigPurpose purpose, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  NMDevice *device;

  g_return_if_fail (MPF_IS_NETCONFIG (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mpf_netconfig_apply_async);
  g_task_set_task_data (task, GINT_TO_POINTER (purpose), NULL);

  if (g_task_return_error_if_cancelled (task))
    return;

  device = managed_device (self);
  if (device != NULL && self->backend != MPF_NETCONFIG_BACKEND_HELPER)
    {
      mpf_netconfig_nm_apply (self, device, purpose, g_steal_pointer (&task));
      return;
    }
  if (self->helper != NULL && self->backend != MPF_NETCONFIG_BACKEND_NETWORK_MANAGER)
    {
      mpf_netconfig_helper_apply (self, purpose, g_steal_pointer (&task));
      return;
    }
  if (self->client != NULL)
    g_task_return_new_error (task, MPF_NETCONFIG_ERROR, MPF_NETCONFIG_ERROR_UNMANAGED,
                             _("NetworkManager does not manage “%s”, and the mprflash helper is not "
                               "available to give it an address."), self->ifname);
  else
    g_task_return_new_error (task, MPF_NETCONFIG_ERROR, MPF_NETCONFIG_ERROR_UNMANAGED,
                             _("NetworkManager is not running, and the mprflash helper is not "
                               "available to give “%s” an address."), self->ifname);
}

gboolean
mpf_netconfig_apply_finish (MpfNetconfig *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
mpf_netconfig_restore_async (MpfNetconfig *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MPF_IS_NETCONFIG (self));

  /* Giving the network back is not cancellable: a cancelled job still
   * restores. */
  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, mpf_netconfig_restore_async);

  switch (self->backend)
    {
    case MPF_NETCONFIG_BACKEND_NETWORK_MANAGER:
      mpf_netconfig_nm_restore (self, g_steal_pointer (&task));
      break;
    case MPF_NETCONFIG_BACKEND_HELPER:
      mpf_netconfig_helper_restore (self, g_steal_pointer (&task));
      break;
    case MPF_NETCONFIG_BACKEND_NONE:
    default:
      g_task_return_boolean (task, TRUE);
      break;
    }
}

gboolean
mpf_netconfig_restore_finish (MpfNetconfig *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
mpf_netconfig_dispose (GObject *object)
{
  MpfNetconfig *self = MPF_NETCONFIG (object);

  /* Whatever is still applied is undone by NetworkManager when our bus
   * connection closes, or by the helper when its stdin closes. */
  g_clear_object (&self->active);
  g_clear_object (&self->previous);
  g_clear_object (&self->client);
  g_clear_object (&self->helper);
  G_OBJECT_CLASS (mpf_netconfig_parent_class)->dispose (object);
}

static void
mpf_netconfig_finalize (GObject *object)
{
  MpfNetconfig *self = MPF_NETCONFIG (object);

  g_free (self->ifname);
  g_free (self->our_uuid);
  g_clear_pointer (&self->helper_added, g_ptr_array_unref);
  G_OBJECT_CLASS (mpf_netconfig_parent_class)->finalize (object);
}

static void
mpf_netconfig_class_init (MpfNetconfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mpf_netconfig_dispose;
  object_class->finalize = mpf_netconfig_finalize;
}

static void
mpf_netconfig_init (MpfNetconfig *self)
{
}
