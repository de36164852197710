/* Parsing of rtnetlink link and neighbour messages, from hand-built bytes. */
#include "config.h"

#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>

#include "mpf-link-monitor-private.h"
#include "mpf-neighbours.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

/* A buffer of netlink messages being built. */
typedef struct {
  guint8 buf[4096] __attribute__ ((aligned (4)));
  gsize  len;
  gsize  msg;   /* offset of the message under construction */
} Nl;

static void *
nl_begin (Nl *nl, guint16 type, gsize hdr_len)
{
  struct nlmsghdr *h = (struct nlmsghdr *) (nl->buf + nl->len);

  memset (h, 0, NLMSG_SPACE (hdr_len));
  h->nlmsg_type = type;
  h->nlmsg_len = NLMSG_LENGTH (hdr_len);
  nl->msg = nl->len;
  return NLMSG_DATA (h);
}

static void
nl_attr (Nl *nl, guint16 type, const void *data, gsize len)
{
  struct nlmsghdr *h = (struct nlmsghdr *) (nl->buf + nl->msg);
  struct rtattr *rta = (struct rtattr *) ((guint8 *) h + NLMSG_ALIGN (h->nlmsg_len));

  rta->rta_type = type;
  rta->rta_len = RTA_LENGTH (len);
  memcpy (RTA_DATA (rta), data, len);
  h->nlmsg_len = NLMSG_ALIGN (h->nlmsg_len) + RTA_ALIGN (rta->rta_len);
}

/* IFLA_LINKINFO { IFLA_INFO_KIND kind } */
static void
nl_kind (Nl *nl, const char *kind)
{
  guint8 nested[64] __attribute__ ((aligned (4))) = { 0 };
  struct rtattr *inner = (struct rtattr *) nested;

  inner->rta_type = IFLA_INFO_KIND;
  inner->rta_len = RTA_LENGTH (strlen (kind) + 1);
  memcpy (RTA_DATA (inner), kind, strlen (kind) + 1);
  nl_attr (nl, IFLA_LINKINFO, nested, RTA_ALIGN (inner->rta_len));
}

static void
nl_end (Nl *nl)
{
  struct nlmsghdr *h = (struct nlmsghdr *) (nl->buf + nl->msg);

  nl->len = nl->msg + NLMSG_ALIGN (h->nlmsg_len);
}

static void
add_link (Nl *nl, guint16 type, int index, unsigned short arphrd, unsigned flags,
          const char *name, const char *kind)
{
  struct ifinfomsg *ifi = nl_begin (nl, type, sizeof *ifi);
  static const guint8 mac[6] = { 0x9c, 0x41, 0x7c, 0x01, 0x02, 0x03 };

  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = index;
  ifi->ifi_type = arphrd;
  ifi->ifi_flags = flags;
  if (name)
    nl_attr (nl, IFLA_IFNAME, name, strlen (name) + 1);
  nl_attr (nl, IFLA_ADDRESS, mac, sizeof mac);
  if (kind)
    nl_kind (nl, kind);
  nl_end (nl);
}

static gboolean
fake_wireless (const char *name)
{
  return g_str_has_prefix (name, "wl");
}

static MpfRtnlLinkEvent
parse_link (Nl *nl, MpfLink **out)
{
  return mpf_link_parse_rtnl ((const struct nlmsghdr *) nl->buf, fake_wireless, out);
}

static void
test_link_veth_carrier (void)
{
  Nl nl = { 0 };
  g_autoptr(MpfLink) link = NULL;

  add_link (&nl, RTM_NEWLINK, 7, ARPHRD_ETHER, IFF_UP | IFF_LOWER_UP, "pc0", "veth");
  g_assert_cmpint (parse_link (&nl, &link), ==, MPF_RTNL_LINK_CHANGED);
  g_assert_cmpstr (link->name, ==, "pc0");
  g_assert_cmpint (link->ifindex, ==, 7);
  g_assert_true (link->carrier);
  g_assert_cmpstr (link->mac, ==, "9c:41:7c:01:02:03");
}

static void
test_link_physical_no_carrier (void)
{
  Nl nl = { 0 };
  g_autoptr(MpfLink) link = NULL;

  /* Up but no cable: IFF_LOWER_UP clear. */
  add_link (&nl, RTM_NEWLINK, 2, ARPHRD_ETHER, IFF_UP, "enp3s0", NULL);
  g_assert_cmpint (parse_link (&nl, &link), ==, MPF_RTNL_LINK_CHANGED);
  g_assert_false (link->carrier);
}

static void
test_link_excluded (void)
{
  struct {
    unsigned short arphrd;
    unsigned flags;
    const char *name;
    const char *kind;
  } cases[] = {
    { ARPHRD_LOOPBACK, IFF_UP | IFF_LOOPBACK | IFF_LOWER_UP, "lo", NULL },
    { ARPHRD_ETHER, IFF_UP | IFF_LOWER_UP, "wlp2s0", NULL },         /* Wi-Fi */
    { ARPHRD_ETHER, IFF_UP | IFF_LOWER_UP, "br0", "bridge" },
    { ARPHRD_ETHER, IFF_UP | IFF_LOWER_UP, "docker0", "bridge" },
    { ARPHRD_ETHER, IFF_UP | IFF_LOWER_UP, "vlan5", "vlan" },
    { ARPHRD_ETHER, IFF_UP | IFF_LOWER_UP, "dummy0", "dummy" },
    { ARPHRD_NONE, IFF_UP | IFF_LOWER_UP, "wg0", "wireguard" },
    { ARPHRD_ETHER, IFF_UP | IFF_LOWER_UP, NULL, "veth" },          /* no name */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Nl nl = { 0 };
      g_autoptr(MpfLink) link = NULL;

      add_link (&nl, RTM_NEWLINK, 3, cases[i].arphrd, cases[i].flags, cases[i].name, cases[i].kind);
      g_assert_cmpint (parse_link (&nl, &link), ==, MPF_RTNL_LINK_NONE);
      g_assert_null (link);
    }
}

static void
test_link_removed (void)
{
  Nl nl = { 0 };
  g_autoptr(MpfLink) link = NULL;

  add_link (&nl, RTM_DELLINK, 9, ARPHRD_ETHER, 0, "enx001122334455", NULL);
  g_assert_cmpint (parse_link (&nl, &link), ==, MPF_RTNL_LINK_REMOVED);
  g_assert_cmpstr (link->name, ==, "enx001122334455");
}

static void
test_link_truncated (void)
{
  Nl nl = { 0 };
  g_autoptr(MpfLink) link = NULL;
  struct nlmsghdr *h;

  add_link (&nl, RTM_NEWLINK, 7, ARPHRD_ETHER, IFF_UP | IFF_LOWER_UP, "pc0", "veth");
  /* Too short to hold even the ifinfomsg. */
  h = (struct nlmsghdr *) nl.buf;
  h->nlmsg_len = NLMSG_LENGTH (4);
  g_assert_cmpint (parse_link (&nl, &link), ==, MPF_RTNL_LINK_NONE);
}

static void
add_neigh (Nl *nl, int family, int index, guint16 state, const char *ip, const guint8 *mac)
{
  struct ndmsg *nd = nl_begin (nl, RTM_NEWNEIGH, sizeof *nd);

  nd->ndm_family = family;
  nd->ndm_ifindex = index;
  nd->ndm_state = state;
  if (family == AF_INET)
    {
      struct in_addr a;
      inet_pton (AF_INET, ip, &a);
      nl_attr (nl, NDA_DST, &a, 4);
    }
  else
    {
      struct in6_addr a;
      inet_pton (AF_INET6, ip, &a);
      nl_attr (nl, NDA_DST, &a, 16);
    }
  if (mac)
    nl_attr (nl, NDA_LLADDR, mac, 6);
  nl_end (nl);
}

static void
add_done (Nl *nl)
{
  int zero = 0;

  nl_begin (nl, NLMSG_DONE, sizeof zero);
  nl_end (nl);
}

static void
test_neighbours (void)
{
  static const guint8 mac1[6] = { 0x00, 0x0c, 0x43, 0x30, 0x52, 0x77 };
  static const guint8 mac2[6] = { 0x2c, 0x67, 0xfb, 0xaa, 0xbb, 0xcc };
  Nl nl = { 0 };
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) mpf_neighbour_free);
  const MpfNeighbour *n;

  add_neigh (&nl, AF_INET, 3, NUD_REACHABLE, "192.168.169.1", mac1);
  add_neigh (&nl, AF_INET, 4, NUD_STALE, "10.0.0.1", mac2);             /* other interface */
  add_neigh (&nl, AF_INET6, 3, NUD_REACHABLE, "fe80::1", mac2);         /* not IPv4 */
  add_neigh (&nl, AF_INET, 3, NUD_FAILED, "192.168.169.9", NULL);
  add_neigh (&nl, AF_INET, 3, NUD_STALE, "192.168.1.77", mac2);

  /* More to come until NLMSG_DONE. */
  g_assert_true (mpf_neighbours_parse (nl.buf, nl.len, 3, out));
  g_assert_cmpuint (out->len, ==, 3);

  n = g_ptr_array_index (out, 0);
  g_assert_cmpstr (n->address, ==, "192.168.169.1");
  g_assert_cmpstr (n->mac, ==, "00:0c:43:30:52:77");
  g_assert_true (mpf_neighbour_is_alive (n));

  n = g_ptr_array_index (out, 1);
  g_assert_cmpstr (n->address, ==, "192.168.169.9");
  g_assert_null (n->mac);
  g_assert_false (mpf_neighbour_is_alive (n));

  n = g_ptr_array_index (out, 2);
  g_assert_cmpstr (n->address, ==, "192.168.1.77");
  g_assert_true (mpf_neighbour_is_alive (n));

  /* Index 0: every interface. */
  g_ptr_array_set_size (out, 0);
  add_done (&nl);
  g_assert_false (mpf_neighbours_parse (nl.buf, nl.len, 0, out));
  g_assert_cmpuint (out->len, ==, 4);
}

static void
test_neighbours_malformed (void)
{
  static const guint8 mac[6] = { 1, 2, 3, 4, 5, 6 };
  Nl nl = { 0 };
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) mpf_neighbour_free);
  struct nlmsghdr *h;

  add_neigh (&nl, AF_INET, 3, NUD_REACHABLE, "192.168.169.1", mac);
  /* A length that runs past the buffer must stop the walk, not be read. */
  h = (struct nlmsghdr *) nl.buf;
  h->nlmsg_len = nl.len + 100;
  g_assert_true (mpf_neighbours_parse (nl.buf, nl.len, 0, out));
  g_assert_cmpuint (out->len, ==, 0);

  /* Every truncation of a valid message parses without reading past it. */
  h->nlmsg_len = NLMSG_ALIGN (nl.len);
  for (gsize cut = 0; cut < nl.len; cut++)
    {
      g_autofree guint8 *copy = g_memdup2 (nl.buf, cut ? cut : 1);
      mpf_neighbours_parse (copy, cut, 0, out);
    }
  g_assert_cmpuint (out->len, ==, 0);
}

static void
test_format_mac (void)
{
  static const guint8 mac[6] = { 0x00, 0xaa, 0xbb, 0xcc, 0xdd, 0x10 };
  g_autofree char *s = mpf_format_mac (mac, 6);
  g_autofree char *empty = mpf_format_mac (mac, 0);

  g_assert_cmpstr (s, ==, "00:aa:bb:cc:dd:10");
  g_assert_cmpstr (empty, ==, "");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rtnl/link/veth-carrier", test_link_veth_carrier);
  g_test_add_func ("/rtnl/link/physical-no-carrier", test_link_physical_no_carrier);
  g_test_add_func ("/rtnl/link/excluded", test_link_excluded);
  g_test_add_func ("/rtnl/link/removed", test_link_removed);
  g_test_add_func ("/rtnl/link/truncated", test_link_truncated);
  g_test_add_func ("/rtnl/neighbours/parse", test_neighbours);
  g_test_add_func ("/rtnl/neighbours/malformed", test_neighbours_malformed);
  g_test_add_func ("/rtnl/format-mac", test_format_mac);
  return g_test_run ();
}
