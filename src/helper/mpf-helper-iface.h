#pragma once

/* Checks that a caller-named interface is one the helper may act on. */

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char   name[16];
  int    ifindex;
  guint8 mac[6];
} MpfHelperIface;

/* Succeeds only for an existing, wired Ethernet interface (ARPHRD_ETHER and
 * not wireless; veth counts as wired). Never opens a caller-given path: the
 * name is syntax-checked first and only looked up under /sys/class/net. */
gboolean mpf_helper_iface_lookup (const char     *name,
                                  MpfHelperIface *out,
                                  GError        **error);

G_END_DECLS
