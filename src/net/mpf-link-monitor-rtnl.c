#include "config.h"

#include "mpf-link-monitor-private.h"
#include "mpf-neighbours.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <glib-unix.h>
#include <glib/gi18n.h>

/* <linux/if.h> has it but clashes with <net/if.h>. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

struct _MpfRtnlLinks {
  int             fd;
  guint           source_id;
  guint32         dump_seq;
  gboolean        dumping;
  MpfRtnlLinkFunc func;
  void          (*ready) (GError *error, gpointer data);
  gpointer        data;
};

static gboolean
sysfs_is_wireless (const char *name)
{
  g_autofree char *wireless = g_build_filename ("/sys/class/net", name, "wireless", NULL);
  g_autofree char *phy = g_build_filename ("/sys/class/net", name, "phy80211", NULL);

  return g_file_test (wireless, G_FILE_TEST_EXISTS) || g_file_test (phy, G_FILE_TEST_EXISTS);
}

/* The kind of a virtual link (IFLA_LINKINFO/IFLA_INFO_KIND); physical NICs
 * have none. */
static const char *
link_kind (const struct rtattr *linkinfo)
{
  const struct rtattr *rta = RTA_DATA (linkinfo);
  unsigned int len = RTA_PAYLOAD (linkinfo);

  for (; RTA_OK (rta, len); rta = RTA_NEXT (rta, len))
    if (rta->rta_type == IFLA_INFO_KIND && RTA_PAYLOAD (rta) > 0)
      {
        const char *s = RTA_DATA (rta);
        if (memchr (s, '\0', RTA_PAYLOAD (rta)) != NULL)
          return s;
      }
  return NULL;
}

MpfRtnlLinkEvent
mpf_link_parse_rtnl (const struct nlmsghdr *h,
                     gboolean (*is_wireless) (const char *name),
                     MpfLink **out_link)
{
  const struct ifinfomsg *ifi;
  const struct rtattr *rta;
  unsigned int len;
  const char *name = NULL, *kind = NULL;
  const guint8 *mac = NULL;
  gsize mac_len = 0;
  MpfLink *link;

  *out_link = NULL;
  if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
    return MPF_RTNL_LINK_NONE;
  if (h->nlmsg_len < NLMSG_LENGTH (sizeof *ifi))
    return MPF_RTNL_LINK_NONE;
  ifi = NLMSG_DATA (h);
  if (ifi->ifi_type != ARPHRD_ETHER || (ifi->ifi_flags & IFF_LOOPBACK))
    return MPF_RTNL_LINK_NONE;

  len = h->nlmsg_len - NLMSG_LENGTH (sizeof *ifi);
  rta = (const struct rtattr *) ((const guint8 *) ifi + NLMSG_ALIGN (sizeof *ifi));
  for (; RTA_OK (rta, len); rta = RTA_NEXT (rta, len))
    {
      gsize plen = RTA_PAYLOAD (rta);

      if (rta->rta_type == IFLA_IFNAME && plen > 0 && memchr (RTA_DATA (rta), '\0', plen))
        name = RTA_DATA (rta);
      else if (rta->rta_type == IFLA_ADDRESS && plen > 0 && plen <= 32)
        {
          mac = RTA_DATA (rta);
          mac_len = plen;
        }
      else if (rta->rta_type == IFLA_LINKINFO)
        kind = link_kind (rta);
      else if (rta->rta_type == IFLA_WIRELESS)
        return MPF_RTNL_LINK_NONE;
    }
  if (name == NULL || *name == '\0')
    return MPF_RTNL_LINK_NONE;
  /* Bridges, bonds, VLANs, tunnels, dummies are not a cable to a router;
   * veth is, in our test beds. */
  if (kind != NULL && g_strcmp0 (kind, "veth") != 0)
    return MPF_RTNL_LINK_NONE;
  if (h->nlmsg_type == RTM_NEWLINK && (is_wireless ? is_wireless : sysfs_is_wireless) (name))
    return MPF_RTNL_LINK_NONE;

  link = g_new0 (MpfLink, 1);
  link->name = g_strdup (name);
  link->ifindex = ifi->ifi_index;
  link->carrier = (ifi->ifi_flags & IFF_LOWER_UP) != 0;
  link->mac = mac ? mpf_format_mac (mac, mac_len) : NULL;
  *out_link = link;
  return h->nlmsg_type == RTM_NEWLINK ? MPF_RTNL_LINK_CHANGED : MPF_RTNL_LINK_REMOVED;
}

static gboolean
send_dump (MpfRtnlLinks *self, GError **error)
{
  struct {
    struct nlmsghdr h;
    struct ifinfomsg ifi;
  } req = { 0 };
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

  req.h.nlmsg_len = sizeof req;
  req.h.nlmsg_type = RTM_GETLINK;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.h.nlmsg_seq = ++self->dump_seq;
  req.ifi.ifi_family = AF_UNSPEC;
  if (sendto (self->fd, &req, sizeof req, 0, (struct sockaddr *) &kernel, sizeof kernel) < 0)
    {
      int saved = errno;
      g_set_error (error, MPF_LINK_ERROR, MPF_LINK_ERROR_FAILED,
                   _("Could not ask the kernel for the network interfaces: %s"), g_strerror (saved));
      return FALSE;
    }
  self->dumping = TRUE;
  return TRUE;
}

static void
finish_dump (MpfRtnlLinks *self, GError *error)
{
  void (*ready) (GError *, gpointer) = self->ready;

  self->dumping = FALSE;
  self->ready = NULL;
  if (ready)
    ready (error, self->data);
}

static gboolean
readable_cb (int fd, GIOCondition cond, gpointer user_data)
{
  MpfRtnlLinks *self = user_data;
  guint8 buf[16384] __attribute__ ((aligned (4)));

  for (;;)
    {
      ssize_t n = recv (fd, buf, sizeof buf, MSG_DONTWAIT);
      const struct nlmsghdr *h = (const struct nlmsghdr *) buf;
      unsigned int left;

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == ENOBUFS)
        {
          /* Events were lost: read the whole state again. */
          if (!self->dumping)
            send_dump (self, NULL);
          continue;
        }
      if (n <= 0)
        break;

      left = (unsigned int) n;
      for (; NLMSG_OK (h, left); h = NLMSG_NEXT (h, left))
        {
          g_autoptr(MpfLink) link = NULL;
          MpfRtnlLinkEvent ev;

          if (h->nlmsg_type == NLMSG_DONE && self->dumping && h->nlmsg_seq == self->dump_seq)
            {
              finish_dump (self, NULL);
              continue;
            }
          if (h->nlmsg_type == NLMSG_ERROR && self->dumping && h->nlmsg_seq == self->dump_seq)
            {
              g_autoptr(GError) error = g_error_new (MPF_LINK_ERROR, MPF_LINK_ERROR_FAILED,
                                                     _("The kernel refused to list the network interfaces"));
              finish_dump (self, error);
              continue;
            }
          ev = mpf_link_parse_rtnl (h, NULL, &link);
          if (ev != MPF_RTNL_LINK_NONE)
            self->func (ev, link, self->data);
        }
    }
  return G_SOURCE_CONTINUE;
}

MpfRtnlLinks *
mpf_rtnl_links_new (MpfRtnlLinkFunc func,
                    void (*ready) (GError *error, gpointer data),
                    gpointer data,
                    GError **error)
{
  g_autofree MpfRtnlLinks *self = g_new0 (MpfRtnlLinks, 1);
  struct sockaddr_nl local = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };

  self->func = func;
  self->ready = ready;
  self->data = data;
  self->fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
  if (self->fd < 0 || bind (self->fd, (struct sockaddr *) &local, sizeof local) < 0)
    {
      int saved = errno;
      if (self->fd >= 0)
        close (self->fd);
      g_set_error (error, MPF_LINK_ERROR, MPF_LINK_ERROR_FAILED,
                   _("Could not watch the network interfaces: %s"), g_strerror (saved));
      return NULL;
    }
  if (!send_dump (self, error))
    {
      close (self->fd);
      return NULL;
    }
  self->source_id = g_unix_fd_add (self->fd, G_IO_IN, readable_cb, self);
  return g_steal_pointer (&self);
}

void
mpf_rtnl_links_free (MpfRtnlLinks *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id (&self->source_id, g_source_remove);
  close (self->fd);
  g_free (self);
}
