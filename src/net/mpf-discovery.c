#include "config.h"

#include "mpf-discovery.h"
#include "mpf-helper-client.h"
#include "mpf-neighbours.h"
#include "mpf-netconfig.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <libsoup/soup.h>
#include <glib/gi18n.h>

/* Pacing of the subnet sweep. Each address the kernel tries to resolve holds
 * a neighbour entry for about three seconds (three ARP requests a second
 * apart), and the kernel's neighbour table is shared by every namespace
 * (gc_thresh3, 1024 by default): 80 addresses a second keeps fewer than 250
 * entries of ours in flight, so the host's own neighbours never starve. */
#define SWEEP_BATCH       8
#define SWEEP_INTERVAL_MS 100
/* Read the table every this many batches, to stop once the router shows. */
#define SWEEP_DUMP_EVERY  5
/* How long ARP replies may take after the last datagram (the kernel retries
 * an unanswered request after one second). */
#define SWEEP_SETTLE_MS   1200

/* With the helper: how long to listen after the ARP probes went out (the
 * recovery bootloader repeats its request about every second). */
#define HELPER_WINDOW_MS  2500
#define WINDOW_POLL_MS    50

struct _MpfDiscovery {
  GObject          parent_instance;
  char            *ifname;
  guint            http_timeout_ms;
  MpfHelperClient *helper;
};

G_DEFINE_TYPE (MpfDiscovery, mpf_discovery, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (MpfDiscovered, mpf_discovered, mpf_discovered_copy, mpf_discovered_free)

MpfDiscovered *
mpf_discovered_copy (const MpfDiscovered *self)
{
  MpfDiscovered *copy = g_new0 (MpfDiscovered, 1);

  copy->address = g_strdup (self->address);
  copy->mac = g_strdup (self->mac);
  copy->state = self->state;
  copy->http_status = self->http_status;
  copy->server = g_strdup (self->server);
  return copy;
}

void
mpf_discovered_free (MpfDiscovered *self)
{
  if (self == NULL)
    return;
  g_free (self->address);
  g_free (self->mac);
  g_free (self->server);
  g_free (self);
}

const char *
mpf_discovery_state_to_string (MpfDiscoveryState state)
{
  switch (state)
    {
    case MPF_DISCOVERY_SEEN: return "seen";
    case MPF_DISCOVERY_WEB: return "web";
    case MPF_DISCOVERY_BOOTLOADER: return "bootloader";
    case MPF_DISCOVERY_NOTHING:
    default: return "nothing";
    }
}

MpfDiscovery *
mpf_discovery_new (const char *ifname)
{
  MpfDiscovery *self;

  g_return_val_if_fail (ifname != NULL, NULL);
  self = g_object_new (MPF_TYPE_DISCOVERY, NULL);
  self->ifname = g_strdup (ifname);
  return self;
}

void
mpf_discovery_set_http_timeout_ms (MpfDiscovery *self, guint timeout_ms)
{
  g_return_if_fail (MPF_IS_DISCOVERY (self));
  self->http_timeout_ms = MAX (timeout_ms, 100);
}

void
mpf_discovery_set_helper (MpfDiscovery *self, MpfHelperClient *helper)
{
  g_return_if_fail (MPF_IS_DISCOVERY (self));
  g_set_object (&self->helper, helper);
}

/* --- one run --- */

typedef struct {
  int           ifindex;
  char         *ifname;
  SoupSession  *session;
  GCancellable *parent;        /* the caller's, nullable */
  gulong        parent_id;
  GCancellable *cancellable;   /* ours: cancelled with the caller's, or once
                                * the router answered (one router per cable) */
  GHashTable   *found;         /* address -> MpfDiscovered* */
  GHashTable   *probed;        /* addresses asked over HTTP */
  guint         pending;       /* operations still running */
  guint         defaults_left; /* default-address probes not finished */
  gboolean      web_found;
  int           sweep_fd;
  GArray       *sweep;         /* guint32 targets, network order */
  guint         sweep_pos;
  guint         sweep_ticks;
  guint         sweep_timer;
  MpfHelperClient *helper;     /* nullable */
  gulong        seen_id;
  guint         window_timer;
  guint         window_left_ms;
  gboolean      finished;      /* the result is being or was returned */
} Run;

static void
run_free (Run *run)
{
  g_clear_handle_id (&run->sweep_timer, g_source_remove);
  g_clear_handle_id (&run->window_timer, g_source_remove);
  if (run->helper != NULL)
    g_clear_signal_handler (&run->seen_id, run->helper);
  g_clear_object (&run->helper);
  if (run->sweep_fd >= 0)
    close (run->sweep_fd);
  if (run->parent != NULL)
    {
      g_cancellable_disconnect (run->parent, run->parent_id);
      g_object_unref (run->parent);
    }
  g_clear_object (&run->cancellable);
  g_clear_pointer (&run->sweep, g_array_unref);
  g_clear_object (&run->session);
  g_hash_table_unref (run->found);
  g_hash_table_unref (run->probed);
  g_free (run->ifname);
  g_free (run);
}

static MpfDiscovered *
found_get (Run *run, const char *address)
{
  MpfDiscovered *d = g_hash_table_lookup (run->found, address);

  if (d == NULL)
    {
      d = g_new0 (MpfDiscovered, 1);
      d->address = g_strdup (address);
      g_hash_table_insert (run->found, d->address, d);
    }
  return d;
}

static gboolean
is_default_router (const char *address)
{
  const MpfNetAddress *addrs;
  gsize n;

  addrs = mpf_netconfig_addresses (MPF_NETCONFIG_PURPOSE_DISCOVER, &n);
  for (gsize i = 0; i < n; i++)
    if (g_strcmp0 (addrs[i].router, address) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_default_router_n (guint32 addr)
{
  char text[INET_ADDRSTRLEN];
  struct in_addr a = { .s_addr = addr };

  return inet_ntop (AF_INET, &a, text, sizeof text) != NULL && is_default_router (text);
}

static int
rank (const MpfDiscovered *d)
{
  switch (d->state)
    {
    case MPF_DISCOVERY_WEB: return is_default_router (d->address) ? 0 : 1;
    case MPF_DISCOVERY_BOOTLOADER: return 2;
    case MPF_DISCOVERY_SEEN: return 3;
    case MPF_DISCOVERY_NOTHING:
    default: return 4;
    }
}

static int
compare_found (gconstpointer a, gconstpointer b)
{
  const MpfDiscovered *da = *(MpfDiscovered * const *) a;
  const MpfDiscovered *db = *(MpfDiscovered * const *) b;
  int r = rank (da) - rank (db);
  struct in_addr ia, ib;

  if (r != 0)
    return r;
  inet_pton (AF_INET, da->address, &ia);
  inet_pton (AF_INET, db->address, &ib);
  return ntohl (ia.s_addr) < ntohl (ib.s_addr) ? -1 : ntohl (ia.s_addr) > ntohl (ib.s_addr);
}

static void
return_result (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) mpf_discovered_free);
  GHashTableIter iter;
  gpointer value;

  if (g_task_return_error_if_cancelled (task))
    return;
  g_hash_table_iter_init (&iter, run->found);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      MpfDiscovered *d = value;
      if (d->state != MPF_DISCOVERY_NOTHING)
        g_ptr_array_add (out, mpf_discovered_copy (d));
    }
  g_ptr_array_sort (out, compare_found);
  g_task_return_pointer (task, g_steal_pointer (&out), (GDestroyNotify) g_ptr_array_unref);
}

static void
record_neighbours (Run *run, GPtrArray *neighbours)
{
  for (guint i = 0; i < neighbours->len; i++)
    {
      const MpfNeighbour *n = g_ptr_array_index (neighbours, i);
      MpfDiscovered *d;

      if (!mpf_neighbour_is_alive (n))
        continue;
      d = found_get (run, n->address);
      g_free (d->mac);
      d->mac = g_strdup (n->mac);
      if (d->state == MPF_DISCOVERY_NOTHING)
        d->state = MPF_DISCOVERY_SEEN;
    }
}

static void
final_dump_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) neighbours = mpf_neighbours_dump_finish (result, &error);

  if (neighbours != NULL)
    record_neighbours (run, neighbours);
  else
    g_debug ("discovery: %s", error->message);
  return_result (task);
}

/* Every operation ends here, giving back the task reference it held; the
 * last one reads the neighbour table once more, for the MACs of what
 * answered over HTTP, then returns. */
static void
op_done (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  g_assert (run->pending > 0);
  if (--run->pending > 0)
    {
      g_object_unref (task);
      return;
    }
  run->finished = TRUE;
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  /* Not cancellable: it is quick, and the router may just have been found. */
  mpf_neighbours_dump_async (run->ifindex, NULL, final_dump_cb, task);
}

static void start_sweep (GTask *task);
static void probe_http (GTask *task, const char *address, gboolean is_default);

/* --- HTTP probes --- */

typedef struct {
  GTask       *task;
  SoupMessage *msg;
  char        *address;
  gboolean     is_default;
} Probe;

static void
probe_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Probe *probe = user_data;
  Run *run = g_task_get_task_data (probe->task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);

  if (stream != NULL)
    {
      MpfDiscovered *d = found_get (run, probe->address);
      const char *server = soup_message_headers_get_one (soup_message_get_response_headers (probe->msg), "Server");

      d->state = MPF_DISCOVERY_WEB;
      d->http_status = soup_message_get_status (probe->msg);
      g_free (d->server);
      d->server = g_strdup (server);
      g_debug ("discovery: %s answered HTTP %u", probe->address, d->http_status);
      /* One router per cable: the rest of the search can stop. */
      run->web_found = TRUE;
      g_cancellable_cancel (run->cancellable);
    }
  else
    g_debug ("discovery: %s: %s", probe->address, error->message);

  /* Only when no default address answers is the router's address unknown,
   * and the sweep worth its cost. */
  if (probe->is_default && --run->defaults_left == 0
      && !run->web_found && !g_cancellable_is_cancelled (run->cancellable))
    start_sweep (probe->task);

  op_done (probe->task);
  g_object_unref (probe->msg);
  g_free (probe->address);
  g_free (probe);
}

static void
probe_http (GTask *task, const char *address, gboolean is_default)
{
  Run *run = g_task_get_task_data (task);
  g_autofree char *uri = NULL;
  Probe *probe;

  if (!g_hash_table_add (run->probed, g_strdup (address)))
    return;
  uri = g_strdup_printf ("http://%s/", address);
  probe = g_new0 (Probe, 1);
  probe->task = g_object_ref (task);
  probe->address = g_strdup (address);
  probe->is_default = is_default;
  probe->msg = soup_message_new (SOUP_METHOD_GET, uri);
  /* Only this device's own answer counts, not where it sends us. */
  soup_message_add_flags (probe->msg, SOUP_MESSAGE_NO_REDIRECT);
  if (is_default)
    run->defaults_left++;
  run->pending++;
  soup_session_send_async (run->session, probe->msg, G_PRIORITY_DEFAULT,
                           run->cancellable, probe_done_cb, probe);
}

/* A neighbour dump whose live entries are asked over HTTP. */
static void
neighbours_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) neighbours = mpf_neighbours_dump_finish (result, &error);

  if (neighbours != NULL)
    {
      record_neighbours (run, neighbours);
      for (guint i = 0; i < neighbours->len && !g_cancellable_is_cancelled (run->cancellable); i++)
        {
          const MpfNeighbour *n = g_ptr_array_index (neighbours, i);
          if (mpf_neighbour_is_alive (n))
            probe_http (task, n->address, FALSE);
        }
    }
  else
    g_debug ("discovery: %s", error->message);
  op_done (task);
}

static void
dump_and_probe (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  run->pending++;
  mpf_neighbours_dump_async (run->ifindex, run->cancellable, neighbours_cb, g_object_ref (task));
}

/* --- the sweep --- */

static int
open_sweep_socket (const char *ifname)
{
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

  if (fd < 0)
    {
      g_debug ("discovery: socket: %s", g_strerror (errno));
      return -1;
    }
  /* Never out of another interface that happens to share a subnet. */
  if (setsockopt (fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen (ifname)) < 0)
    g_debug ("discovery: SO_BINDTODEVICE: %s", g_strerror (errno));
  return fd;
}

static gboolean
settle_cb (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  run->sweep_timer = 0;
  if (!g_cancellable_is_cancelled (run->cancellable))
    dump_and_probe (task);
  op_done (task);  /* the sweep's own */
  return G_SOURCE_REMOVE;
}

static gboolean
sweep_cb (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  static const guint8 nothing[1] = { 0 };
  guint end = MIN (run->sweep_pos + SWEEP_BATCH, run->sweep->len);

  if (g_cancellable_is_cancelled (run->cancellable))
    {
      run->sweep_timer = 0;
      op_done (task);
      return G_SOURCE_REMOVE;
    }
  /* Datagrams waiting for ARP stay charged to their socket's send buffer
   * until resolved or dropped: a fresh socket per batch keeps a full sweep
   * from stalling on EAGAIN. */
  if (run->sweep_fd >= 0)
    close (run->sweep_fd);
  run->sweep_fd = open_sweep_socket (run->ifname);
  for (; run->sweep_fd >= 0 && run->sweep_pos < end; run->sweep_pos++)
    {
      struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons (9) };

      to.sin_addr.s_addr = g_array_index (run->sweep, guint32, run->sweep_pos);
      /* The datagram itself is irrelevant: sending it makes the kernel ARP
       * for the address. Errors (no route, unreachable) are expected. */
      (void) sendto (run->sweep_fd, nothing, sizeof nothing, MSG_DONTWAIT,
                     (struct sockaddr *) &to, sizeof to);
    }
  /* Look at what answered so far now and then, so a router found early
   * ends the sweep early. */
  if (++run->sweep_ticks % SWEEP_DUMP_EVERY == 0)
    dump_and_probe (task);
  if (run->sweep_pos < run->sweep->len)
    return G_SOURCE_CONTINUE;
  run->sweep_timer = g_timeout_add (SWEEP_SETTLE_MS, settle_cb, task);
  return G_SOURCE_REMOVE;
}

static void
start_sweep (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  const MpfNetAddress *addrs;
  gsize n;

  g_debug ("discovery: no default address answered, sweeping the default subnets");
  run->sweep = g_array_new (FALSE, FALSE, sizeof (guint32));
  addrs = mpf_netconfig_addresses (MPF_NETCONFIG_PURPOSE_DISCOVER, &n);
  for (gsize i = 0; i < n; i++)
    {
      struct in_addr ours;
      guint32 net, size = 1u << (32 - addrs[i].prefix);

      inet_pton (AF_INET, addrs[i].address, &ours);
      net = ntohl (ours.s_addr) & ~(size - 1);
      for (guint32 host = 1; host < size - 1; host++)
        {
          guint32 a = htonl (net | host);
          if (a != ours.s_addr && !is_default_router_n (a))
            g_array_append_val (run->sweep, a);
        }
    }
  run->pending++;
  run->sweep_timer = g_timeout_add (SWEEP_INTERVAL_MS, sweep_cb, g_object_ref (task));
}

/* --- with the helper: ARP probes and passive capture --- */

static gboolean
in_default_subnet (const char *address)
{
  const MpfNetAddress *addrs;
  struct in_addr a, ours;
  gsize n;

  if (inet_pton (AF_INET, address, &a) != 1)
    return FALSE;
  addrs = mpf_netconfig_addresses (MPF_NETCONFIG_PURPOSE_DISCOVER, &n);
  for (gsize i = 0; i < n; i++)
    {
      guint32 mask = htonl (~((1u << (32 - addrs[i].prefix)) - 1));

      inet_pton (AF_INET, addrs[i].address, &ours);
      if ((a.s_addr & mask) == (ours.s_addr & mask) && a.s_addr != ours.s_addr)
        return TRUE;
    }
  return FALSE;
}

/* A "seen" event of the helper: any frame from the router reveals its MAC
 * and address; the bootloader's request for its server reveals recovery
 * mode (WEB-UIS.md). */
static void
seen_cb (MpfHelperClient *helper, const char *name, JsonObject *fields, GTask *task)
{
  Run *run = g_task_get_task_data (task);
  const char *kind = json_object_get_string_member_with_default (fields, "kind", "");
  const char *ip = json_object_get_string_member_with_default (fields, "ip", NULL);
  const char *mac = json_object_get_string_member_with_default (fields, "mac", NULL);
  const char *target = json_object_get_string_member_with_default (fields, "target", "");
  gboolean bootloader;
  MpfDiscovered *d;

  if (run->finished || ip == NULL || mac == NULL || g_strcmp0 (ip, "0.0.0.0") == 0)
    return;
  bootloader = g_strcmp0 (kind, "tftp-rrq") == 0
               || (g_strcmp0 (kind, "arp-request") == 0 && g_strcmp0 (ip, "192.168.1.2") == 0
                   && g_strcmp0 (target, "192.168.1.55") == 0);
  d = found_get (run, ip);
  g_free (d->mac);
  d->mac = g_strdup (mac);
  if (bootloader)
    {
      g_debug ("discovery: the recovery bootloader asks at %s (%s)", ip, mac);
      d->state = MPF_DISCOVERY_BOOTLOADER;
      g_cancellable_cancel (run->cancellable);
      return;
    }
  if (d->state == MPF_DISCOVERY_NOTHING)
    d->state = MPF_DISCOVERY_SEEN;
  if (in_default_subnet (ip) && !g_cancellable_is_cancelled (run->cancellable))
    probe_http (task, ip, FALSE);
}

/* Polled, so that a router found meanwhile ends the window at once. */
static gboolean
window_cb (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  run->window_left_ms -= MIN (run->window_left_ms, WINDOW_POLL_MS);
  if (run->window_left_ms > 0 && !g_cancellable_is_cancelled (run->cancellable))
    return G_SOURCE_CONTINUE;
  run->window_timer = 0;
  op_done (task);
  return G_SOURCE_REMOVE;
}

static void
probed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!mpf_helper_client_finish (MPF_HELPER_CLIENT (source), result, &error))
    g_debug ("discovery: helper arp-probe: %s", error->message);
  if (g_cancellable_is_cancelled (run->cancellable))
    {
      op_done (task);
      return;
    }
  run->window_left_ms = HELPER_WINDOW_MS;
  run->window_timer = g_timeout_add (WINDOW_POLL_MS, window_cb, task);
}

static void
watching_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!mpf_helper_client_finish (MPF_HELPER_CLIENT (source), result, &error)
      || g_cancellable_is_cancelled (run->cancellable))
    {
      if (error)
        g_debug ("discovery: helper watch: %s", error->message);
      op_done (task);
      return;
    }
  mpf_helper_client_arp_probe_async (run->helper, run->ifname, NULL, probed_cb, task);
}

static void
start_helper (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  run->seen_id = g_signal_connect (run->helper, "event::seen", G_CALLBACK (seen_cb), task);
  run->pending++;
  mpf_helper_client_watch_async (run->helper, run->ifname, NULL, watching_cb, g_object_ref (task));
}

static void
parent_cancelled_cb (GCancellable *parent, gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

void
mpf_discovery_run_async (MpfDiscovery *self, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  const MpfNetAddress *addrs;
  unsigned int ifindex;
  Run *run;
  gsize n;

  g_return_if_fail (MPF_IS_DISCOVERY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mpf_discovery_run_async);
  ifindex = if_nametoindex (self->ifname);
  if (ifindex == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("The network interface “%s” does not exist"), self->ifname);
      return;
    }

  run = g_new0 (Run, 1);
  run->ifindex = (int) ifindex;
  run->ifname = g_strdup (self->ifname);
  run->sweep_fd = -1;
  run->found = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) mpf_discovered_free);
  run->probed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      run->parent = g_object_ref (cancellable);
      run->parent_id = g_cancellable_connect (cancellable, G_CALLBACK (parent_cancelled_cb),
                                              run->cancellable, NULL);
    }
  /* Routers on the cable only: never through a proxy. */
  run->session = soup_session_new_with_options ("timeout", MAX (1u, self->http_timeout_ms / 1000),
                                                "proxy-resolver", NULL,
                                                NULL);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);

  /* Held while the operations are set up, so none can finish the run early. */
  run->pending = 1;
  addrs = mpf_netconfig_addresses (MPF_NETCONFIG_PURPOSE_DISCOVER, &n);
  for (gsize i = 0; i < n; i++)
    probe_http (task, addrs[i].router, TRUE);
  /* A router that already talked to us is in the table. */
  dump_and_probe (task);
  if (self->helper != NULL && mpf_helper_client_is_running (self->helper))
    {
      run->helper = g_object_ref (self->helper);
      start_helper (task);
    }
  op_done (g_steal_pointer (&task));
}

GPtrArray *
mpf_discovery_run_finish (MpfDiscovery *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
mpf_discovery_finalize (GObject *object)
{
  MpfDiscovery *self = MPF_DISCOVERY (object);

  g_free (self->ifname);
  g_clear_object (&self->helper);
  G_OBJECT_CLASS (mpf_discovery_parent_class)->finalize (object);
}

static void
mpf_discovery_class_init (MpfDiscoveryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mpf_discovery_finalize;
}

static void
mpf_discovery_init (MpfDiscovery *self)
{
  self->http_timeout_ms = 3000;
}
