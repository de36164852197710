#pragma once

#include <gio/gio.h>
#include <NetworkManager.h>
#include "mpf-helper-client.h"

G_BEGIN_DECLS

/* What the temporary address is for. */
typedef enum {
  MPF_NETCONFIG_PURPOSE_DISCOVER,  /* one address in each default subnet */
  MPF_NETCONFIG_PURPOSE_RECOVERY,  /* 192.168.1.55/24, the bootloader's server */
} MpfNetconfigPurpose;

/* How the address was put on the interface. */
typedef enum {
  MPF_NETCONFIG_BACKEND_NONE,             /* nothing applied */
  MPF_NETCONFIG_BACKEND_NETWORK_MANAGER,  /* a volatile in-memory profile */
  MPF_NETCONFIG_BACKEND_HELPER,           /* mprflash-helper's addr-add over rtnetlink */
} MpfNetconfigBackend;

/* One temporary address. The values are the same as mprflash-helper's fixed
 * table of allowed addresses, so either backend configures the same thing. */
typedef struct {
  const char *address;  /* dotted quad */
  guint       prefix;
  const char *router;   /* the default router address of that subnet */
} MpfNetAddress;

/* The addresses a purpose needs. */
const MpfNetAddress *mpf_netconfig_addresses (MpfNetconfigPurpose purpose,
                                              gsize              *n_out);

#define MPF_NETCONFIG_PROFILE_ID "mprflash (temporary)"
#define MPF_NETCONFIG_ROUTE_METRIC 20

/* Builds the temporary profile (pure; no daemon involved): connection.id
 * MPF_NETCONFIG_PROFILE_ID, bound to @ifname, never autoconnected, private to
 * @user (NULL: visible to all), manual IPv4 with the purpose's addresses,
 * never the default route, routes preferred (MPF_NETCONFIG_ROUTE_METRIC),
 * IPv6 disabled. */
NMConnection *mpf_netconfig_build_profile (const char          *ifname,
                                           MpfNetconfigPurpose  purpose,
                                           const char          *user);

#define MPF_NETCONFIG_ERROR (mpf_netconfig_error_quark ())
typedef enum {
  MPF_NETCONFIG_ERROR_NO_DEVICE,          /* interface unknown */
  MPF_NETCONFIG_ERROR_UNMANAGED,          /* NetworkManager does not manage it and no helper */
  MPF_NETCONFIG_ERROR_ACTIVATION_FAILED,  /* NetworkManager refused or gave up */
  MPF_NETCONFIG_ERROR_TIMEOUT,
  MPF_NETCONFIG_ERROR_RESTORE_FAILED,     /* the user's own profile could not be re-activated */
} MpfNetconfigError;
GQuark mpf_netconfig_error_quark (void);

/* The temporary IPv4 configuration of one wired interface.
 *
 * With NetworkManager managing the device, apply adds an in-memory profile
 * with AddAndActivate2 options persist=volatile and bind-activation=dbus-client:
 * NetworkManager deletes it, and autoconnects the user's own profile, as soon
 * as this process's bus connection goes — also when it crashes. Restore does
 * the same explicitly and re-activates the profile that was active before.
 * Without NetworkManager (or when it does not manage the device) the
 * privileged helper adds and removes the addresses over rtnetlink.
 *
 * Always call restore at the end of a job, also after a failed or cancelled
 * apply: it undoes whatever part was done. */
#define MPF_TYPE_NETCONFIG (mpf_netconfig_get_type ())
G_DECLARE_FINAL_TYPE (MpfNetconfig, mpf_netconfig, MPF, NETCONFIG, GObject)

/* @client: the running NetworkManager's client (mpf_link_monitor_get_client),
 * or NULL when there is none. */
MpfNetconfig *mpf_netconfig_new (const char *ifname,
                                 NMClient   *client);

/* The helper used when NetworkManager cannot be: an MpfHelperClient, or
 * NULL. (gpointer so that callers holding it as a GObject need no cast.) */
void          mpf_netconfig_set_helper (MpfNetconfig *self,
                                        gpointer      helper);

const char          *mpf_netconfig_get_interface (MpfNetconfig *self);
MpfNetconfigBackend  mpf_netconfig_get_backend   (MpfNetconfig *self);

/* Configures the addresses of @purpose. Applying another purpose replaces the
 * previous temporary configuration; the user's profile remembered is still
 * the one active before the first apply. */
void     mpf_netconfig_apply_async    (MpfNetconfig        *self,
                                       MpfNetconfigPurpose  purpose,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean mpf_netconfig_apply_finish   (MpfNetconfig        *self,
                                       GAsyncResult        *result,
                                       GError             **error);

/* Removes the temporary configuration and re-activates the user's profile.
 * Safe to call when nothing was applied. */
void     mpf_netconfig_restore_async  (MpfNetconfig        *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean mpf_netconfig_restore_finish (MpfNetconfig        *self,
                                       GAsyncResult        *result,
                                       GError             **error);

G_END_DECLS
