#include "config.h"

#include "mpf-helper-netlink.h"
#include "mpf-helper-protocol.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib/gi18n.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* One request, one acknowledgement: small enough to write by hand rather
 * than pull in libnl. */
static int
addr_request (int ifindex, const char *ip, guint prefix, int type, int flags)
{
  struct {
    struct nlmsghdr  nh;
    struct ifaddrmsg ifa;
    char             attrs[64];
  } req;
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
  struct in_addr in;
  struct rtattr *rta;
  char buf[4096];
  int fd, err = 0;
  ssize_t n;

  if (inet_pton (AF_INET, ip, &in) != 1)
    return EINVAL;

  memset (&req, 0, sizeof req);
  req.nh.nlmsg_len = NLMSG_LENGTH (sizeof (struct ifaddrmsg));
  req.nh.nlmsg_type = (unsigned short) type;
  req.nh.nlmsg_flags = (unsigned short) (NLM_F_REQUEST | NLM_F_ACK | flags);
  req.nh.nlmsg_seq = 1;
  req.ifa.ifa_family = AF_INET;
  req.ifa.ifa_prefixlen = (unsigned char) prefix;
  req.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
  req.ifa.ifa_index = (unsigned) ifindex;

  /* IFA_LOCAL and IFA_ADDRESS both: that is what `ip addr add` sends for
   * a non-point-to-point link. */
  for (int attr = IFA_LOCAL; ; attr = IFA_ADDRESS)
    {
      rta = (struct rtattr *) ((char *) &req + NLMSG_ALIGN (req.nh.nlmsg_len));
      rta->rta_type = (unsigned short) attr;
      rta->rta_len = RTA_LENGTH (sizeof in);
      memcpy (RTA_DATA (rta), &in, sizeof in);
      req.nh.nlmsg_len = NLMSG_ALIGN (req.nh.nlmsg_len) + RTA_ALIGN (rta->rta_len);
      if (attr == IFA_ADDRESS)
        break;
    }

  fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0)
    return errno;
  if (sendto (fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *) &sa, sizeof sa) < 0)
    {
      err = errno;
      close (fd);
      return err;
    }

  for (;;)
    {
      struct nlmsghdr *nh;
      int len;

      n = recv (fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          err = n < 0 ? errno : EIO;
          break;
        }
      len = (int) n;
      for (nh = (struct nlmsghdr *) buf; NLMSG_OK (nh, (unsigned) len); nh = NLMSG_NEXT (nh, len))
        if (nh->nlmsg_type == NLMSG_ERROR && nh->nlmsg_seq == 1)
          {
            struct nlmsgerr *e = NLMSG_DATA (nh);

            err = -e->error;
            close (fd);
            return err;
          }
    }
  close (fd);
  return err;
}

gboolean
mpf_helper_netlink_addr_add (int         ifindex,
                             const char *ip,
                             guint       prefix,
                             gboolean   *existed,
                             GError    **error)
{
  int err = addr_request (ifindex, ip, prefix, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);

  *existed = (err == EEXIST);
  if (err == 0 || err == EEXIST)
    return TRUE;
  g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_FAILED,
               _("Could not add address %s/%u: %s"), ip, prefix, g_strerror (err));
  return FALSE;
}

gboolean
mpf_helper_netlink_addr_del (int         ifindex,
                             const char *ip,
                             guint       prefix,
                             GError    **error)
{
  int err = addr_request (ifindex, ip, prefix, RTM_DELADDR, 0);

  if (err == 0 || err == EADDRNOTAVAIL || err == ENODEV)
    return TRUE;
  g_set_error (error, MPF_HELPER_ERROR, MPF_HELPER_ERROR_FAILED,
               _("Could not remove address %s/%u: %s"), ip, prefix, g_strerror (err));
  return FALSE;
}
