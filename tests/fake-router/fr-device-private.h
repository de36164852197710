/* fr-device-private.h — the device's internals for the simulator's own
 * files (web UIs, control channel). Not part of the bootloader contract. */
#pragma once

#include "fr-device.h"

G_BEGIN_DECLS

const char *fr_device_get_version (FrDevice *self);
guint       fr_device_get_boot_count (FrDevice *self);
gint64      fr_device_get_uptime_ms (FrDevice *self);
const char *fr_device_get_boot_reason (FrDevice *self);
const char *const *fr_device_get_addresses (FrDevice *self);

guint       fr_device_get_n_events (FrDevice *self);
void        fr_device_get_event (FrDevice *self, guint i, gint64 *t_ms, guint *boot,
                                 const char **kind, const char **text);

/* A web upload's outcome, one line, for the control channel's state. */
void        fr_device_set_last_upload (FrDevice *self, const char *summary);
const char *fr_device_get_last_upload (FrDevice *self);
/* The running firmware starts writing its own flash (web upgrade). */
void        fr_device_set_upgrading (FrDevice *self);
/* The firmware's web server goes away (sysupgrade kills it); from an idle,
 * so it is safe inside the server's own handlers and signals. */
void        fr_device_drop_web (FrDevice *self);

G_END_DECLS
