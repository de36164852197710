#include "config.h"

#include "mpf-link-monitor.h"
#include "mpf-link-monitor-private.h"

#include <net/if.h>
#include <glib/gi18n.h>

struct _MpfLinkMonitor {
  GObject       parent_instance;
  NMClient     *client;   /* set when NetworkManager runs */
  MpfRtnlLinks *rtnl;     /* set otherwise */
  GHashTable   *links;    /* name -> MpfLink* */
  GTask        *init_task;
};

G_DEFINE_TYPE (MpfLinkMonitor, mpf_link_monitor, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (MpfLink, mpf_link, mpf_link_copy, mpf_link_free)
G_DEFINE_QUARK (mpf-link-error-quark, mpf_link_error)

enum { SIGNAL_LINK_CHANGED, SIGNAL_LINK_REMOVED, N_SIGNALS };
static guint signals[N_SIGNALS];

MpfLink *
mpf_link_copy (const MpfLink *self)
{
  MpfLink *copy = g_new0 (MpfLink, 1);

  copy->name = g_strdup (self->name);
  copy->ifindex = self->ifindex;
  copy->carrier = self->carrier;
  copy->mac = g_strdup (self->mac);
  return copy;
}

void
mpf_link_free (MpfLink *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->mac);
  g_free (self);
}

/* Records a link's new state and tells listeners when something they care
 * about (presence, carrier) changed. */
static void
update_link (MpfLinkMonitor *self, const MpfLink *link)
{
  MpfLink *old = g_hash_table_lookup (self->links, link->name);

  if (old != NULL && old->carrier == link->carrier && old->ifindex == link->ifindex)
    return;
  g_hash_table_replace (self->links, g_strdup (link->name), mpf_link_copy (link));
  g_signal_emit (self, signals[SIGNAL_LINK_CHANGED], 0, link);
}

static void
remove_link (MpfLinkMonitor *self, const char *name)
{
  g_autofree char *copy = g_strdup (name);

  if (g_hash_table_remove (self->links, copy))
    g_signal_emit (self, signals[SIGNAL_LINK_REMOVED], 0, copy);
}

/* --- NetworkManager --- */

static MpfLink *
link_from_nm_device (NMDevice *device)
{
  const char *iface = nm_device_get_iface (device);
  unsigned int ifindex;
  MpfLink *link;

  /* Ethernet includes veth (NMDeviceVeth derives from it); Wi-Fi and
   * loopback are other classes. */
  if (!NM_IS_DEVICE_ETHERNET (device) || iface == NULL)
    return NULL;
  /* A NetworkManager of another network namespace (a bus shared across
   * namespaces) would list devices that are not ours. */
  ifindex = if_nametoindex (iface);
  if (ifindex == 0)
    return NULL;
  link = g_new0 (MpfLink, 1);
  link->name = g_strdup (iface);
  link->ifindex = (int) ifindex;
  link->carrier = nm_device_ethernet_get_carrier (NM_DEVICE_ETHERNET (device));
  link->mac = g_ascii_strdown (nm_device_get_hw_address (device) ?: "", -1);
  if (*link->mac == '\0')
    g_clear_pointer (&link->mac, g_free);
  return link;
}

static void
nm_carrier_cb (NMDevice *device, GParamSpec *pspec, MpfLinkMonitor *self)
{
  g_autoptr(MpfLink) link = link_from_nm_device (device);

  if (link != NULL)
    update_link (self, link);
}

static void
watch_nm_device (MpfLinkMonitor *self, NMDevice *device)
{
  g_autoptr(MpfLink) link = link_from_nm_device (device);

  if (link == NULL)
    return;
  g_signal_connect_object (device, "notify::carrier", G_CALLBACK (nm_carrier_cb), self, 0);
  update_link (self, link);
}

static void
nm_device_added_cb (NMClient *client, NMDevice *device, MpfLinkMonitor *self)
{
  watch_nm_device (self, device);
}

static void
nm_device_removed_cb (NMClient *client, NMDevice *device, MpfLinkMonitor *self)
{
  g_signal_handlers_disconnect_by_data (device, self);
  if (nm_device_get_iface (device) != NULL)
    remove_link (self, nm_device_get_iface (device));
}

static void
start_nm (MpfLinkMonitor *self)
{
  const GPtrArray *devices = nm_client_get_devices (self->client);

  for (guint i = 0; i < devices->len; i++)
    watch_nm_device (self, g_ptr_array_index (devices, i));
  g_signal_connect_object (self->client, "device-added", G_CALLBACK (nm_device_added_cb), self, 0);
  g_signal_connect_object (self->client, "device-removed", G_CALLBACK (nm_device_removed_cb), self, 0);
}

/* --- rtnetlink --- */

static void
rtnl_event_cb (MpfRtnlLinkEvent event, const MpfLink *link, gpointer data)
{
  MpfLinkMonitor *self = data;

  if (event == MPF_RTNL_LINK_CHANGED)
    update_link (self, link);
  else if (event == MPF_RTNL_LINK_REMOVED)
    remove_link (self, link->name);
}

static void
rtnl_ready_cb (GError *error, gpointer data)
{
  MpfLinkMonitor *self = data;
  g_autoptr(GTask) task = g_steal_pointer (&self->init_task);

  if (task == NULL)
    return;
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_pointer (task, g_object_ref (self), g_object_unref);
}

static void
client_ready_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MpfLinkMonitor *self = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(NMClient) client = nm_client_new_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (client != NULL && nm_client_get_nm_running (client))
    {
      self->client = g_steal_pointer (&client);
      start_nm (self);
      g_task_return_pointer (task, g_object_ref (self), g_object_unref);
      return;
    }
  /* No system bus or no NetworkManager: ask the kernel. */
  g_debug ("link monitor: NetworkManager not available (%s), using rtnetlink",
           error ? error->message : "not running");
  self->init_task = g_steal_pointer (&task);
  g_clear_error (&error);
  self->rtnl = mpf_rtnl_links_new (rtnl_event_cb, rtnl_ready_cb, self, &error);
  if (self->rtnl == NULL)
    {
      task = g_steal_pointer (&self->init_task);
      g_task_return_error (task, g_steal_pointer (&error));
    }
}

void
mpf_link_monitor_new_async (GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  MpfLinkMonitor *self = g_object_new (MPF_TYPE_LINK_MONITOR, NULL);
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, mpf_link_monitor_new_async);
  g_task_set_task_data (task, self, g_object_unref);
  /* MPF_NO_NETWORKMANAGER=1 forces the kernel path (tests, diagnostics). */
  if (g_strcmp0 (g_getenv ("MPF_NO_NETWORKMANAGER"), "1") == 0)
    {
      g_autoptr(GError) error = NULL;

      self->init_task = g_steal_pointer (&task);
      self->rtnl = mpf_rtnl_links_new (rtnl_event_cb, rtnl_ready_cb, self, &error);
      if (self->rtnl == NULL)
        {
          task = g_steal_pointer (&self->init_task);
          g_task_return_error (task, g_steal_pointer (&error));
        }
      return;
    }
  nm_client_new_async (cancellable, client_ready_cb, g_steal_pointer (&task));
}

MpfLinkMonitor *
mpf_link_monitor_new_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static int
compare_links (gconstpointer a, gconstpointer b)
{
  const MpfLink *la = *(MpfLink * const *) a;
  const MpfLink *lb = *(MpfLink * const *) b;

  return g_strcmp0 (la->name, lb->name);
}

GPtrArray *
mpf_link_monitor_list_links (MpfLinkMonitor *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) mpf_link_free);
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (MPF_IS_LINK_MONITOR (self), out);
  g_hash_table_iter_init (&iter, self->links);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (out, mpf_link_copy (value));
  g_ptr_array_sort (out, compare_links);
  return out;
}

MpfLink *
mpf_link_monitor_get_link (MpfLinkMonitor *self, const char *name)
{
  MpfLink *link;

  g_return_val_if_fail (MPF_IS_LINK_MONITOR (self), NULL);
  link = g_hash_table_lookup (self->links, name);
  return link ? mpf_link_copy (link) : NULL;
}

NMClient *
mpf_link_monitor_get_client (MpfLinkMonitor *self)
{
  g_return_val_if_fail (MPF_IS_LINK_MONITOR (self), NULL);
  return self->client;
}

/* --- waiting for the cable --- */

typedef struct {
  MpfLinkMonitor *self;
  char           *name;   /* NULL: any wired link */
  gulong          changed_id;
  gulong          removed_id;
  GSource        *cancel_source;
} WaitData;

static void
wait_data_free (WaitData *wd)
{
  g_clear_signal_handler (&wd->changed_id, wd->self);
  g_clear_signal_handler (&wd->removed_id, wd->self);
  if (wd->cancel_source)
    {
      g_source_destroy (wd->cancel_source);
      g_source_unref (wd->cancel_source);
    }
  g_object_unref (wd->self);
  g_free (wd->name);
  g_free (wd);
}

/* Disconnects everything first so the task cannot complete twice. */
static void
wait_complete (GTask *task, char *name, GError *error)
{
  WaitData *wd = g_task_get_task_data (task);

  g_clear_signal_handler (&wd->changed_id, wd->self);
  g_clear_signal_handler (&wd->removed_id, wd->self);
  if (wd->cancel_source)
    g_source_destroy (wd->cancel_source);
  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, name, g_free);
  g_object_unref (task);
}

static void
wait_link_changed_cb (MpfLinkMonitor *self, MpfLink *link, GTask *task)
{
  WaitData *wd = g_task_get_task_data (task);

  if (link->carrier && (wd->name == NULL || g_strcmp0 (wd->name, link->name) == 0))
    wait_complete (task, g_strdup (link->name), NULL);
}

static void
wait_link_removed_cb (MpfLinkMonitor *self, const char *name, GTask *task)
{
  WaitData *wd = g_task_get_task_data (task);

  if (wd->name != NULL && g_strcmp0 (wd->name, name) == 0)
    wait_complete (task, NULL,
                   g_error_new (MPF_LINK_ERROR, MPF_LINK_ERROR_REMOVED,
                                _("The network interface “%s” disappeared"), name));
}

static gboolean
wait_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  wait_complete (task, NULL, error);
  return G_SOURCE_REMOVE;
}

void
mpf_link_monitor_wait_carrier_async (MpfLinkMonitor *self, const char *name, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GPtrArray) links = mpf_link_monitor_list_links (self);
  WaitData *wd;
  const MpfLink *with_carrier = NULL;
  guint n_carrier = 0;

  g_task_set_source_tag (task, mpf_link_monitor_wait_carrier_async);
  if (name != NULL)
    {
      g_autoptr(MpfLink) link = mpf_link_monitor_get_link (self, name);

      if (link == NULL)
        {
          g_task_return_new_error (task, MPF_LINK_ERROR, MPF_LINK_ERROR_NO_SUCH_LINK,
                                   _("“%s” is not a wired network port of this computer"), name);
          return;
        }
      if (link->carrier)
        {
          g_task_return_pointer (task, g_strdup (name), g_free);
          return;
        }
    }
  else
    {
      if (links->len == 0)
        {
          g_task_return_new_error (task, MPF_LINK_ERROR, MPF_LINK_ERROR_NO_WIRED,
                                   _("This computer has no wired network port. Connect a USB Ethernet adapter and try again."));
          return;
        }
      for (guint i = 0; i < links->len; i++)
        {
          const MpfLink *l = g_ptr_array_index (links, i);
          if (l->carrier)
            {
              with_carrier = l;
              n_carrier++;
            }
        }
      if (n_carrier > 1)
        {
          g_task_return_new_error (task, MPF_LINK_ERROR, MPF_LINK_ERROR_AMBIGUOUS,
                                   _("Several wired network ports have a cable plugged in. Choose the one connected to the router."));
          return;
        }
      if (n_carrier == 1)
        {
          g_task_return_pointer (task, g_strdup (with_carrier->name), g_free);
          return;
        }
      if (links->len == 1)
        name = ((const MpfLink *) g_ptr_array_index (links, 0))->name;
    }

  wd = g_new0 (WaitData, 1);
  wd->self = g_object_ref (self);
  wd->name = g_strdup (name);
  g_task_set_task_data (task, wd, (GDestroyNotify) wait_data_free);
  /* The handlers hold the task's own reference until one completes it. */
  wd->changed_id = g_signal_connect (self, "link-changed", G_CALLBACK (wait_link_changed_cb), task);
  wd->removed_id = g_signal_connect (self, "link-removed", G_CALLBACK (wait_link_removed_cb), task);
  if (cancellable != NULL)
    {
      wd->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (wd->cancel_source, G_SOURCE_FUNC (wait_cancelled_cb), task, NULL);
      g_source_attach (wd->cancel_source, g_main_context_get_thread_default ());
    }
  g_steal_pointer (&task);
}

char *
mpf_link_monitor_wait_carrier_finish (MpfLinkMonitor *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
mpf_link_monitor_dispose (GObject *object)
{
  MpfLinkMonitor *self = MPF_LINK_MONITOR (object);

  g_clear_pointer (&self->rtnl, mpf_rtnl_links_free);
  if (self->client)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (mpf_link_monitor_parent_class)->dispose (object);
}

static void
mpf_link_monitor_finalize (GObject *object)
{
  MpfLinkMonitor *self = MPF_LINK_MONITOR (object);

  g_hash_table_unref (self->links);
  G_OBJECT_CLASS (mpf_link_monitor_parent_class)->finalize (object);
}

static void
mpf_link_monitor_class_init (MpfLinkMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mpf_link_monitor_dispose;
  object_class->finalize = mpf_link_monitor_finalize;

  signals[SIGNAL_LINK_CHANGED] =
    g_signal_new ("link-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, MPF_TYPE_LINK | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_LINK_REMOVED] =
    g_signal_new ("link-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
mpf_link_monitor_init (MpfLinkMonitor *self)
{
  self->links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) mpf_link_free);
}
