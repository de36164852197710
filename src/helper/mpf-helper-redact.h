#pragma once

/* What the session capture keeps of a frame, and the secrets it overwrites
 * first. Pure (no sockets, no libpcap) so the unit tests and the fuzzer
 * drive it on crafted frames. */

#include <glib.h>

G_BEGIN_DECLS

/* Overwrites secrets in an application payload (HTTP, form data, JSON,
 * HTML) with 'x', same length: the values of Authorization, Proxy-
 * Authorization, Cookie and Set-Cookie headers; the values of password-like
 * fields (admpass, password, luci_password, ...) and session tokens (stok,
 * sysauth) in forms, query strings, JSON, multipart parts and HTML inputs.
 * Returns how many bytes were overwritten. A secret split across two TCP
 * segments is only caught when its name and value are in the same one. */
gsize mpf_helper_redact_payload (guint8 *payload,
                                 gsize   len);

/* The same for one captured Ethernet frame: the TCP/UDP payload of an IPv4
 * packet (the whole IP payload of a later fragment). The TCP checksum is
 * recomputed when the whole segment is there, so the capture stays
 * consistent. Returns how many bytes were overwritten. */
gsize mpf_helper_redact_frame   (guint8 *frame,
                                 gsize   len);

/* How many bytes of @frame the session capture keeps: TFTP DATA blocks
 * (image bytes) and our own large TCP segments (an uploaded image) are cut
 * after a short prefix; everything else is kept whole. */
gsize mpf_helper_capture_keep   (const guint8 *frame,
                                 gsize         len,
                                 const guint8  own_mac[6]);

/* Bytes of a TFTP DATA block kept after its 4-byte header. */
#define MPF_HELPER_CAPTURE_TFTP_KEEP 16
/* Bytes of TCP payload kept of a segment we send. */
#define MPF_HELPER_CAPTURE_TCP_OUT_KEEP 512

G_END_DECLS
