#pragma once

/* Adding and removing one IPv4 address over rtnetlink: what the helper does
 * where NetworkManager does not manage the device. */

#include <glib.h>

G_BEGIN_DECLS

/* Adds @ip/@prefix on @ifindex. *existed is set (and TRUE returned) when
 * the address was already there, so the caller knows not to remove it. */
gboolean mpf_helper_netlink_addr_add (int         ifindex,
                                      const char *ip,
                                      guint       prefix,
                                      gboolean   *existed,
                                      GError    **error);

/* Removes it; an address already gone is not an error. */
gboolean mpf_helper_netlink_addr_del (int         ifindex,
                                      const char *ip,
                                      guint       prefix,
                                      GError    **error);

G_END_DECLS
