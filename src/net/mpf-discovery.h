#pragma once

#include <gio/gio.h>
#include "mpf-helper-client.h"

G_BEGIN_DECLS

/* What answered at an address. */
typedef enum {
  MPF_DISCOVERY_NOTHING,     /* nothing at all */
  MPF_DISCOVERY_SEEN,        /* answered ARP (has a MAC), no web server */
  MPF_DISCOVERY_WEB,         /* a web server answered */
  MPF_DISCOVERY_BOOTLOADER,  /* the recovery bootloader asked for its server */
} MpfDiscoveryState;

/* One device found on the cable. Boxed. */
typedef struct {
  char              *address;     /* dotted quad */
  char              *mac;         /* aa:bb:cc:dd:ee:ff, NULL if not resolved */
  MpfDiscoveryState  state;
  guint              http_status; /* status of GET /, 0 without a web answer */
  char              *server;      /* its Server: header, nullable */
} MpfDiscovered;

#define MPF_TYPE_DISCOVERED (mpf_discovered_get_type ())
GType          mpf_discovered_get_type (void) G_GNUC_CONST;
MpfDiscovered *mpf_discovered_copy     (const MpfDiscovered *self);
void           mpf_discovered_free     (MpfDiscovered *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpfDiscovered, mpf_discovered_free)

const char *mpf_discovery_state_to_string (MpfDiscoveryState state); /* "web", "seen", ... */

/* Finds the router on one wired interface (ARCHITECTURE.md, "Discovery
 * without guessing"). Without the helper it expects the interface to carry
 * the DISCOVER addresses (MpfNetconfig) and then
 *   - asks each default router address over HTTP,
 *   - makes the kernel resolve every host of the three default /24 subnets
 *     (one tiny UDP datagram each to the discard port, paced) so a router
 *     whose LAN address was changed appears in the neighbour table,
 *   - reads the neighbour table (rtnetlink) and asks each live neighbour
 *     over HTTP too.
 * With the helper it also has it ARP-probe the default addresses and listen
 * (libpcap): every frame from the router reveals its MAC and address, even
 * outside the default subnets, and the bootloader's "who-has 192.168.1.55
 * tell 192.168.1.2" (or its TFTP request) reveals recovery mode.
 * A web answer or the bootloader ends the search (one router per cable). */
#define MPF_TYPE_DISCOVERY (mpf_discovery_get_type ())
G_DECLARE_FINAL_TYPE (MpfDiscovery, mpf_discovery, MPF, DISCOVERY, GObject)

MpfDiscovery *mpf_discovery_new (const char *ifname);

/* Use the running helper for ARP probes and passive capture (nullable). */
void mpf_discovery_set_helper (MpfDiscovery *self, MpfHelperClient *helper);

/* Per-request HTTP time limit in ms (default 3000). */
void mpf_discovery_set_http_timeout_ms (MpfDiscovery *self, guint timeout_ms);

/* Finishes with the devices found (MpfDiscovered*), the most likely router
 * first: web servers at default addresses, other web servers, bootloaders,
 * then devices only seen. An empty array means nothing answered; an error
 * only for a cancel or an unusable interface. */
void       mpf_discovery_run_async  (MpfDiscovery        *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
GPtrArray *mpf_discovery_run_finish (MpfDiscovery        *self,
                                     GAsyncResult        *result,
                                     GError             **error);

G_END_DECLS
