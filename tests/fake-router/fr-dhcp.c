/* fr-dhcp.c — the firmware's DHCP server is Debian's dnsmasq, run as a child
 * in the router's namespace (DHCP only: --port=0 turns its DNS off). */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>

#include "fr-dhcp.h"

struct _FrDhcp {
  GSubprocess *proc;
  char *dir;
};

/* If the simulator dies, dnsmasq must not outlive it. */
static void
child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

FrDhcp *
fr_dhcp_start (FrDevice *dev, const char *first, const char *last, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("fr-dhcp-XXXXXX", error);
  if (dir == NULL)
    return NULL;

  g_autofree char *iface = g_strdup_printf ("--interface=%s", fr_device_get_interface (dev));
  g_autofree char *range = g_strdup_printf ("--dhcp-range=%s,%s,12h", first, last);
  g_autofree char *leases = g_strdup_printf ("--dhcp-leasefile=%s/leases", dir);
  g_autofree char *pid = g_strdup_printf ("--pid-file=%s/pid", dir);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);

  GSubprocess *proc = g_subprocess_launcher_spawn (launcher, error,
                                                   "dnsmasq", "--no-daemon",
                                                   "--conf-file=/dev/null", iface,
                                                   "--bind-interfaces", "--except-interface=lo",
                                                   range, "--port=0", leases, pid,
                                                   "--user=root", "--group=root",
                                                   "--dhcp-authoritative", "--log-dhcp",
                                                   "--log-facility=-", NULL);
  if (proc == NULL)
    {
      g_rmdir (dir);
      return NULL;
    }
  fr_device_log_event (dev, "dhcp", "dnsmasq serving %s-%s", first, last);
  FrDhcp *dhcp = g_new0 (FrDhcp, 1);
  dhcp->proc = proc;
  dhcp->dir = g_steal_pointer (&dir);
  return dhcp;
}

void
fr_dhcp_stop (FrDhcp *dhcp)
{
  if (dhcp == NULL)
    return;
  g_subprocess_send_signal (dhcp->proc, SIGTERM);
  g_subprocess_wait (dhcp->proc, NULL, NULL);
  g_object_unref (dhcp->proc);
  g_autofree char *leases = g_build_filename (dhcp->dir, "leases", NULL);
  g_autofree char *pid = g_build_filename (dhcp->dir, "pid", NULL);
  g_unlink (leases);
  g_unlink (pid);
  g_rmdir (dhcp->dir);
  g_free (dhcp->dir);
  g_free (dhcp);
}
