#pragma once

/* The session capture for the diagnostics report: a bounded in-memory store
 * of the frames the watcher's capture handle sees in both directions, each
 * redacted (mpf-helper-redact.h) and cut to what is worth keeping before it
 * is stored. The first MPF_HELPER_CAPTURE_HEAD bytes are kept for good (the
 * discovery and login); after that the oldest frames give way (the end of
 * the session, where things went wrong). */

#include <glib.h>
#include <pcap/pcap.h>

G_BEGIN_DECLS

/* Stored bytes (pcap record headers included) at most. */
#define MPF_HELPER_CAPTURE_MAX   (4u * 1024u * 1024u)
#define MPF_HELPER_CAPTURE_HEAD  (1u * 1024u * 1024u)
/* Frames longer than this are cut (the interface MTU is 1500). */
#define MPF_HELPER_CAPTURE_SNAPLEN 2048

typedef struct _MpfHelperCapture MpfHelperCapture;

MpfHelperCapture *mpf_helper_capture_new    (const guint8 own_mac[6]);
/* Stores one frame (redacted, cut). */
void              mpf_helper_capture_add    (MpfHelperCapture         *self,
                                             const struct pcap_pkthdr *hdr,
                                             const guint8             *bytes);
/* The store as a classic pcap file (Ethernet, microseconds), written by
 * libpcap's own dumper. */
GBytes           *mpf_helper_capture_dump   (MpfHelperCapture *self,
                                             GError          **error);
guint             mpf_helper_capture_get_packets  (MpfHelperCapture *self);
/* Frames that gave way to newer ones. */
guint64           mpf_helper_capture_get_dropped  (MpfHelperCapture *self);
/* Frames in which something was overwritten. */
guint64           mpf_helper_capture_get_redacted (MpfHelperCapture *self);
void              mpf_helper_capture_free   (MpfHelperCapture *self);

G_END_DECLS
