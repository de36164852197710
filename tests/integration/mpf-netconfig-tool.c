/* Drives the net layer from shell tests:
 *   mpf-netconfig-tool detect ARGS...       the `mprflash-cli detect` command
 *   mpf-netconfig-tool hold IF [recovery]   apply, print READY, wait for stdin
 *                                           to close or SIGTERM, restore, print
 *                                           RESTORED (SIGKILL tests kill it
 *                                           while it holds)
 *   mpf-netconfig-tool links                "NAME CARRIER" per wired link
 *   mpf-netconfig-tool watch IF N           print "carrier IF 0|1" on each
 *                                           change, exit after N changes
 *   mpf-netconfig-tool neighbours IF        the live neighbour entries
 *   mpf-netconfig-tool wait [IF]            wait for carrier, print the name
 *   mpf-netconfig-tool discover IF          discovery alone (addresses set up
 *                                           by the caller): "ADDR MAC STATE" */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>

#include "mpf-cli-detect.h"
#include "mpf-discovery.h"
#include "mpf-link-monitor.h"
#include "mpf-neighbours.h"
#include "mpf-netconfig.h"

static GMainLoop *loop;

static void
async_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
  g_main_loop_quit (loop);
}


static MpfLinkMonitor *
new_monitor (void)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  MpfLinkMonitor *monitor;

  mpf_link_monitor_new_async (NULL, async_cb, &result);
  g_main_loop_run (loop);
  monitor = mpf_link_monitor_new_finish (result, &error);
  g_object_unref (result);
  if (monitor == NULL)
    {
      g_printerr ("link monitor: %s\n", error->message);
      exit (1);
    }
  return monitor;
}

static gboolean
stop_cb (gpointer user_data)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static gboolean
stdin_cb (int fd, GIOCondition cond, gpointer user_data)
{
  char buf[64];

  if (read (fd, buf, sizeof buf) > 0)
    return G_SOURCE_CONTINUE;
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static int
cmd_hold (const char *ifname, gboolean recovery)
{
  g_autoptr(MpfLinkMonitor) monitor = new_monitor ();
  g_autoptr(MpfNetconfig) nc = mpf_netconfig_new (ifname, mpf_link_monitor_get_client (monitor));
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  gboolean ok;

  mpf_netconfig_apply_async (nc, recovery ? MPF_NETCONFIG_PURPOSE_RECOVERY : MPF_NETCONFIG_PURPOSE_DISCOVER,
                             NULL, async_cb, &result);
  g_main_loop_run (loop);
  ok = mpf_netconfig_apply_finish (nc, result, &error);
  g_clear_object (&result);
  if (!ok)
    {
      g_printerr ("apply: %s\n", error->message);
      g_clear_error (&error);
    }
  else
    {
      g_print ("READY pid=%d backend=%d\n", (int) getpid (), mpf_netconfig_get_backend (nc));
      fflush (stdout);
      g_unix_signal_add (SIGTERM, stop_cb, NULL);
      g_unix_fd_add (0, G_IO_IN | G_IO_HUP, stdin_cb, NULL);
      g_main_loop_run (loop);
    }

  mpf_netconfig_restore_async (nc, NULL, async_cb, &result);
  g_main_loop_run (loop);
  if (!mpf_netconfig_restore_finish (nc, result, &error))
    {
      g_printerr ("restore: %s\n", error->message);
      return 1;
    }
  g_object_unref (result);
  g_print ("RESTORED\n");
  return ok ? 0 : 1;
}

static int
cmd_links (void)
{
  g_autoptr(MpfLinkMonitor) monitor = new_monitor ();
  g_autoptr(GPtrArray) links = mpf_link_monitor_list_links (monitor);

  g_print ("backend %s\n", mpf_link_monitor_get_client (monitor) ? "nm" : "rtnetlink");
  for (guint i = 0; i < links->len; i++)
    {
      const MpfLink *l = g_ptr_array_index (links, i);
      g_print ("%s %d\n", l->name, l->carrier);
    }
  return 0;
}

typedef struct {
  const char *name;
  int         left;
} Watch;

static void
changed_cb (MpfLinkMonitor *monitor, MpfLink *link, Watch *w)
{
  if (g_strcmp0 (link->name, w->name) != 0)
    return;
  g_print ("carrier %s %d\n", link->name, link->carrier);
  fflush (stdout);
  if (--w->left == 0)
    g_main_loop_quit (loop);
}

static int
cmd_watch (const char *ifname, int n)
{
  g_autoptr(MpfLinkMonitor) monitor = new_monitor ();
  g_autoptr(MpfLink) link = mpf_link_monitor_get_link (monitor, ifname);
  Watch w = { ifname, n };

  if (link == NULL)
    {
      g_printerr ("no wired link %s\n", ifname);
      return 1;
    }
  g_print ("initial %s %d\n", link->name, link->carrier);
  fflush (stdout);
  g_signal_connect (monitor, "link-changed", G_CALLBACK (changed_cb), &w);
  g_main_loop_run (loop);
  return 0;
}

static int
cmd_neighbours (const char *ifname)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) n = NULL;

  mpf_neighbours_dump_async ((int) if_nametoindex (ifname), NULL, async_cb, &result);
  g_main_loop_run (loop);
  n = mpf_neighbours_dump_finish (result, &error);
  g_object_unref (result);
  if (n == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  for (guint i = 0; i < n->len; i++)
    {
      const MpfNeighbour *e = g_ptr_array_index (n, i);
      if (mpf_neighbour_is_alive (e))
        g_print ("%s %s\n", e->address, e->mac);
    }
  return 0;
}

static int
cmd_wait (const char *ifname)
{
  g_autoptr(MpfLinkMonitor) monitor = new_monitor ();
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  GAsyncResult *result = NULL;

  g_print ("waiting\n");
  fflush (stdout);
  mpf_link_monitor_wait_carrier_async (monitor, ifname, NULL, async_cb, &result);
  g_main_loop_run (loop);
  name = mpf_link_monitor_wait_carrier_finish (monitor, result, &error);
  g_object_unref (result);
  if (name == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_print ("carrier %s\n", name);
  return 0;
}

static int
cmd_discover (const char *ifname)
{
  g_autoptr(MpfDiscovery) discovery = mpf_discovery_new (ifname);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  GAsyncResult *result = NULL;

  mpf_discovery_run_async (discovery, NULL, async_cb, &result);
  g_main_loop_run (loop);
  found = mpf_discovery_run_finish (discovery, result, &error);
  g_object_unref (result);
  if (found == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  for (guint i = 0; i < found->len; i++)
    {
      const MpfDiscovered *d = g_ptr_array_index (found, i);
      g_print ("%s %s %s\n", d->address, d->mac ? d->mac : "-", mpf_discovery_state_to_string (d->state));
    }
  return 0;
}

int
main (int argc, char **argv)
{
  loop = g_main_loop_new (NULL, FALSE);
  if (argc >= 2 && strcmp (argv[1], "detect") == 0)
    return mpf_cli_detect (argc - 1, argv + 1);
  if (argc >= 3 && strcmp (argv[1], "hold") == 0)
    return cmd_hold (argv[2], argc >= 4 && strcmp (argv[3], "recovery") == 0);
  if (argc == 2 && strcmp (argv[1], "links") == 0)
    return cmd_links ();
  if (argc == 4 && strcmp (argv[1], "watch") == 0)
    return cmd_watch (argv[2], atoi (argv[3]));
  if (argc >= 2 && argc <= 3 && strcmp (argv[1], "wait") == 0)
    return cmd_wait (argc == 3 ? argv[2] : NULL);
  if (argc == 3 && strcmp (argv[1], "discover") == 0)
    return cmd_discover (argv[2]);
  if (argc == 3 && strcmp (argv[1], "neighbours") == 0)
    return cmd_neighbours (argv[2]);
  g_printerr ("usage: see the comment at the top of %s\n", __FILE__);
  return 2;
}
