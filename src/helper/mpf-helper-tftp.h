#pragma once

/* The helper's TFTP service: two UDP sockets bound to one allowed address
 * on the session's interface (port 69 for requests, an ephemeral port for
 * the transfer), driven by the socket-agnostic MpfTftpEngine. */

#include <glib.h>

#include "mpf-helper-iface.h"
#include "mpf-helper-protocol.h"
#include "mpf-tftp-engine.h"

G_BEGIN_DECLS

typedef struct _MpfHelperTftp MpfHelperTftp;

/* Binds the sockets (needs CAP_NET_BIND_SERVICE; @ip must be on @iface). */
MpfHelperTftp *mpf_helper_tftp_open     (const MpfHelperIface *iface,
                                         const char           *ip,
                                         const MpfHelperSink  *sink,
                                         GError              **error);
const char    *mpf_helper_tftp_get_ip   (MpfHelperTftp *self);
/* Serves @bytes (already wrapped for recovery mode) until stopped. */
gboolean       mpf_helper_tftp_start    (MpfHelperTftp *self,
                                         MpfTftpMode    mode,
                                         GBytes        *bytes,
                                         GError       **error);
gboolean       mpf_helper_tftp_is_serving (MpfHelperTftp *self);
/* Forgets the engine (any transfer stops); the sockets stay bound. */
void           mpf_helper_tftp_stop     (MpfHelperTftp *self);
void           mpf_helper_tftp_free     (MpfHelperTftp *self);

G_END_DECLS
