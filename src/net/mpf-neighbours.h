#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One entry of the kernel's IPv4 neighbour (ARP) table. */
typedef struct {
  int      ifindex;
  char    *address;   /* dotted quad */
  char    *mac;       /* "aa:bb:cc:dd:ee:ff", NULL when unresolved */
  guint16  state;     /* NUD_* bits from <linux/neighbour.h> */
} MpfNeighbour;

#define MPF_TYPE_NEIGHBOUR (mpf_neighbour_get_type ())
GType         mpf_neighbour_get_type (void) G_GNUC_CONST;
MpfNeighbour *mpf_neighbour_copy     (const MpfNeighbour *self);
void          mpf_neighbour_free     (MpfNeighbour *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpfNeighbour, mpf_neighbour_free)

/* TRUE when the entry proves a live peer answered (it has a MAC and is not
 * failed/incomplete). */
gboolean mpf_neighbour_is_alive (const MpfNeighbour *self);

/* Parses a buffer of rtnetlink messages (as read from a NETLINK_ROUTE socket
 * answering RTM_GETNEIGH) and appends IPv4 entries of @ifindex (0: any) to
 * @out (MpfNeighbour*). Malformed messages are skipped, never read past @len.
 * Returns FALSE once NLMSG_DONE or NLMSG_ERROR ends the dump, TRUE when more
 * messages are to come. */
gboolean mpf_neighbours_parse (const guint8 *buf,
                               gsize         len,
                               int           ifindex,
                               GPtrArray    *out);

/* Dumps the IPv4 neighbour table of @ifindex (0: every interface) in a worker
 * thread; result is a GPtrArray of MpfNeighbour*. */
void       mpf_neighbours_dump_async  (int                  ifindex,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
GPtrArray *mpf_neighbours_dump_finish (GAsyncResult        *result,
                                       GError             **error);

/* Formats @len bytes as a lower-case colon-separated MAC ("" for len 0). */
char *mpf_format_mac (const guint8 *addr, gsize len);

G_END_DECLS
