#pragma once

#include <gio/gio.h>
#include <NetworkManager.h>

G_BEGIN_DECLS

/* A wired Ethernet interface as the link monitor sees it. */
typedef struct {
  char    *name;
  int      ifindex;
  gboolean carrier;   /* a cable with a live peer is plugged in */
  char    *mac;       /* may be NULL */
} MpfLink;

#define MPF_TYPE_LINK (mpf_link_get_type ())
GType    mpf_link_get_type (void) G_GNUC_CONST;
MpfLink *mpf_link_copy     (const MpfLink *self);
void     mpf_link_free     (MpfLink *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpfLink, mpf_link_free)

#define MPF_LINK_ERROR (mpf_link_error_quark ())
typedef enum {
  MPF_LINK_ERROR_NO_WIRED,        /* this computer has no wired Ethernet port */
  MPF_LINK_ERROR_NO_SUCH_LINK,    /* the named interface is not a wired one here */
  MPF_LINK_ERROR_AMBIGUOUS,       /* several ports have a cable: the user must choose */
  MPF_LINK_ERROR_REMOVED,         /* the interface disappeared while waiting */
  MPF_LINK_ERROR_FAILED,          /* the kernel or NetworkManager could not be asked */
} MpfLinkError;
GQuark mpf_link_error_quark (void);

/* Lists wired Ethernet interfaces (Wi-Fi, loopback, bridges, tunnels
 * excluded; veth pairs count as wired) and signals carrier changes. It asks
 * NetworkManager through libnm when NetworkManager runs, otherwise the
 * kernel over rtnetlink.
 *
 * Signals:
 *   "link-changed" (MpfLink *link): a link appeared or its carrier changed.
 *   "link-removed" (const char *name): a link disappeared. */
#define MPF_TYPE_LINK_MONITOR (mpf_link_monitor_get_type ())
G_DECLARE_FINAL_TYPE (MpfLinkMonitor, mpf_link_monitor, MPF, LINK_MONITOR, GObject)

/* Creates a monitor that is ready (its list filled) when the callback runs. */
void            mpf_link_monitor_new_async  (GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
MpfLinkMonitor *mpf_link_monitor_new_finish (GAsyncResult        *result,
                                             GError             **error);

/* The wired links, sorted by name (MpfLink*; the caller owns the array). */
GPtrArray *mpf_link_monitor_list_links (MpfLinkMonitor *self);
/* A copy of the named wired link, or NULL. */
MpfLink   *mpf_link_monitor_get_link   (MpfLinkMonitor *self,
                                        const char     *name);

/* The NetworkManager client when NetworkManager runs (share it with
 * MpfNetconfig), otherwise NULL. */
NMClient  *mpf_link_monitor_get_client (MpfLinkMonitor *self);

/* Waits until the named interface (or, with @name NULL, the only wired one —
 * or the first to get a cable when there are several and none has one yet)
 * has carrier. Finishes with the interface's name. Fails at once with
 * MPF_LINK_ERROR_NO_WIRED / NO_SUCH_LINK / AMBIGUOUS when there is nothing
 * sensible to wait for. */
void  mpf_link_monitor_wait_carrier_async  (MpfLinkMonitor      *self,
                                            const char          *name,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
char *mpf_link_monitor_wait_carrier_finish (MpfLinkMonitor      *self,
                                            GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
