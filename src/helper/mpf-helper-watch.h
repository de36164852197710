#pragma once

/* The libpcap side of the helper: one capture handle on the session's
 * interface, used to watch for the router and to send ARP probes. */

#include <glib.h>

#include "mpf-helper-capture.h"
#include "mpf-helper-iface.h"
#include "mpf-helper-protocol.h"

G_BEGIN_DECLS

typedef struct _MpfHelperWatch MpfHelperWatch;

/* Opens the capture (needs CAP_NET_RAW); nothing is reported until
 * mpf_helper_watch_start(). */
MpfHelperWatch *mpf_helper_watch_open  (const MpfHelperIface *iface,
                                        const MpfHelperSink  *sink,
                                        GError              **error);
/* Starts reporting "seen" events. */
void            mpf_helper_watch_start (MpfHelperWatch *self);
/* Stores every frame of both directions in @capture (not owned; NULL
 * stops), from now on. */
void            mpf_helper_watch_set_capture (MpfHelperWatch   *self,
                                              MpfHelperCapture *capture);
/* Sends one RFC 5227 probe to each target in @mask (bit i =
 * mpf_helper_probe_targets()[i]); returns how many went out. */
gboolean        mpf_helper_watch_probe (MpfHelperWatch *self,
                                        guint           mask,
                                        guint          *n_sent,
                                        GError        **error);
void            mpf_helper_watch_free  (MpfHelperWatch *self);

G_END_DECLS
