#pragma once

/* rtnetlink side of the link monitor, split out so the parser can be unit
 * tested without a socket. */

#include "mpf-link-monitor.h"

#include <linux/netlink.h>

G_BEGIN_DECLS

typedef enum {
  MPF_RTNL_LINK_NONE,     /* not a link message, or not a wired Ethernet one */
  MPF_RTNL_LINK_CHANGED,  /* *out_link is set */
  MPF_RTNL_LINK_REMOVED,  /* *out_link is set (name and ifindex) */
} MpfRtnlLinkEvent;

/* Interprets one RTM_NEWLINK/RTM_DELLINK message. @is_wireless decides
 * whether a named interface is Wi-Fi (NULL: look in sysfs). */
MpfRtnlLinkEvent mpf_link_parse_rtnl (const struct nlmsghdr *h,
                                      gboolean (*is_wireless) (const char *name),
                                      MpfLink **out_link);

typedef struct _MpfRtnlLinks MpfRtnlLinks;
typedef void (*MpfRtnlLinkFunc) (MpfRtnlLinkEvent event, const MpfLink *link, gpointer data);

/* Opens a NETLINK_ROUTE socket subscribed to RTMGRP_LINK, dumps the links and
 * reports every event to @func from the thread-default main context.
 * @ready runs once when the initial dump is complete (or fails). */
MpfRtnlLinks *mpf_rtnl_links_new  (MpfRtnlLinkFunc   func,
                                   void            (*ready) (GError *error, gpointer data),
                                   gpointer          data,
                                   GError          **error);
void          mpf_rtnl_links_free (MpfRtnlLinks     *self);

G_END_DECLS
