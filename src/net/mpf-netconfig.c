#include "config.h"

#include "mpf-netconfig.h"
#include "mpf-netconfig-private.h"

#include <ifaddrs.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <glib/gi18n.h>

/* How long the addresses may take to reach the kernel once the backend
 * reported success (polled every ADDR_POLL_MS). */
#define ADDR_WAIT_MS 10000
#define ADDR_POLL_MS 50

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
mpf_netconfig_set_helper (MpfNetconfig *self, gpointer helper)
{
  g_return_if_fail (MPF_IS_NETCONFIG (self));
  g_return_if_fail (helper == NULL || MPF_IS_HELPER_CLIENT (helper));
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
  self->purpose = purpose;

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

static gboolean
addresses_present (const char *ifname, MpfNetconfigPurpose purpose)
{
  const MpfNetAddress *addrs;
  struct ifaddrs *list = NULL;
  gsize n, found = 0;

  if (getifaddrs (&list) < 0)
    return FALSE;
  addrs = mpf_netconfig_addresses (purpose, &n);
  for (gsize i = 0; i < n; i++)
    {
      struct in_addr want;

      inet_pton (AF_INET, addrs[i].address, &want);
      for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next)
        if (ifa->ifa_addr != NULL && ifa->ifa_addr->sa_family == AF_INET
            && g_strcmp0 (ifa->ifa_name, ifname) == 0
            && ((struct sockaddr_in *) ifa->ifa_addr)->sin_addr.s_addr == want.s_addr)
          {
            found++;
            break;
          }
    }
  freeifaddrs (list);
  return found == n;
}

static gboolean
addr_poll_cb (gpointer user_data)
{
  GTask *task = user_data;
  MpfNetconfig *self = g_task_get_source_object (task);
  guint *waited = g_task_get_task_data (task);

  if (addresses_present (self->ifname, self->purpose))
    g_task_return_boolean (task, TRUE);
  else if (g_task_return_error_if_cancelled (task))
    ;
  else if ((*waited += ADDR_POLL_MS) >= ADDR_WAIT_MS)
    g_task_return_new_error (task, MPF_NETCONFIG_ERROR, MPF_NETCONFIG_ERROR_TIMEOUT,
                             _("The temporary address did not appear on “%s”."), self->ifname);
  else
    return G_SOURCE_CONTINUE;
  return G_SOURCE_REMOVE;
}

void
mpf_netconfig_wait_addresses (GTask *task)
{
  MpfNetconfig *self = g_task_get_source_object (task);

  if (addresses_present (self->ifname, self->purpose))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, g_new0 (guint, 1), g_free);
  g_timeout_add_full (G_PRIORITY_DEFAULT, ADDR_POLL_MS, addr_poll_cb, task, g_object_unref);
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
