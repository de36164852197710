#pragma once

/* Pure frame handling for the watcher: what a captured Ethernet frame tells
 * about the router, and the RFC 5227 probe we send. No sockets here, so the
 * unit tests and the fuzzer drive it directly. */

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  MPF_HELPER_SEEN_NONE,
  MPF_HELPER_SEEN_ARP_REQUEST,   /* who-has target tell ip */
  MPF_HELPER_SEEN_ARP_REPLY,     /* ip is-at mac */
  MPF_HELPER_SEEN_IPV4,          /* any other IPv4 packet */
  MPF_HELPER_SEEN_TFTP_RRQ,      /* a TFTP read request (UDP to port 69) */
} MpfHelperSeenKind;

typedef struct {
  MpfHelperSeenKind kind;
  guint8  mac[6];       /* Ethernet source */
  guint32 ip;           /* sender IPv4, network order (0 for an ARP probe) */
  guint32 target;       /* ARP target, network order */
  guint16 src_port;     /* TFTP */
  char    file[65];     /* TFTP: requested name, printable ASCII, truncated */
  guint   n_fields;     /* TFTP: NUL-terminated strings after the opcode */
} MpfHelperSeen;

#define MPF_HELPER_ARP_PROBE_LEN 42

/* Fills @out from @frame; returns FALSE for frames of no interest, frames
 * we sent ourselves (@own_mac) and malformed ones. */
gboolean mpf_helper_frame_classify (const guint8  *frame,
                                    gsize          len,
                                    const guint8   own_mac[6],
                                    MpfHelperSeen *out);

const char *mpf_helper_seen_kind_name (MpfHelperSeenKind kind);

/* RFC 5227 ARP probe: broadcast, sender IP 0.0.0.0, target @target_ip
 * (network order). */
void mpf_helper_frame_build_arp_probe (const guint8 own_mac[6],
                                       guint32      target_ip,
                                       guint8       out[MPF_HELPER_ARP_PROBE_LEN]);

G_END_DECLS
