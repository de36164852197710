#include "config.h"

#include "mpf-helper-iface.h"
#include "mpf-helper-protocol.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <net/if_arp.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* From <linux/wireless.h>, which cannot be included next to <net/if.h>. */
#ifndef SIOCGIWNAME
#define SIOCGIWNAME 0x8B01
#endif

/* Wireless shows up either as the wireless-extensions directory or as the
 * cfg80211 phy link; check both, and the WEXT ioctl as well, since a
 * namespace's /sys may belong to another namespace. */
static gboolean
is_wireless (int sock, const char *name)
{
  struct ifreq iwr; /* large enough for struct iwreq */
  int dir;
  struct stat st;
  gboolean found = FALSE;

  dir = open ("/sys/class/net", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0)
    {
      g_autofree char *w = g_strdup_printf ("%s/wireless", name);
      g_autofree char *p = g_strdup_printf ("%s/phy80211", name);

      found = fstatat (dir, w, &st, 0) == 0 || fstatat (dir, p, &st, 0) == 0;
      close (dir);
    }
  if (found)
    return TRUE;

  memset (&iwr, 0, sizeof iwr);
  g_strlcpy (iwr.ifr_name, name, sizeof iwr.ifr_name);
  return ioctl (sock, SIOCGIWNAME, &iwr) == 0;
}

gboolean
mpf_helper_iface_lookup (const char     *name,
                         MpfHelperIface *out,
                         GError        **error)
{
  struct ifreq ifr;
  int sock;
  unsigned idx;

  memset (out, 0, sizeof *out);
  if (!mpf_helper_ifname_is_valid (name))
    {
      g_set_error_literal (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_INTERFACE,
                           _("Not a valid interface name"));
      return FALSE;
    }
  idx = if_nametoindex (name);
  if (idx == 0)
    {
      g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_INTERFACE,
                   _("There is no network interface “%s”"), name);
      return FALSE;
    }

  sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    {
      g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_FAILED,
                   "socket: %s", g_strerror (errno));
      return FALSE;
    }
  memset (&ifr, 0, sizeof ifr);
  g_strlcpy (ifr.ifr_name, name, sizeof ifr.ifr_name);
  if (ioctl (sock, SIOCGIFHWADDR, &ifr) < 0 || ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
    {
      close (sock);
      g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_INTERFACE,
                   _("“%s” is not an Ethernet interface"), name);
      return FALSE;
    }
  if (is_wireless (sock, name))
    {
      close (sock);
      g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_BAD_INTERFACE,
                   _("“%s” is a wireless interface; the router must be connected by cable"),
                   name);
      return FALSE;
    }
  close (sock);

  g_strlcpy (out->name, name, sizeof out->name);
  out->ifindex = (int) idx;
  memcpy (out->mac, ifr.ifr_hwaddr.sa_data, 6);
  return TRUE;
}
