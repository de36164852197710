#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* `mprflash --demo`: the simulated router (tests/fake-router's program,
 * installed as mprflash-demo-router) run on loopback for the wizard, with two
 * firmware files it made for the demo. Stopped when the object goes.
 *
 * Environment, for tests and the curious:
 *   MPF_DEMO_ROUTER       the simulator program (default: the build tree's,
 *                         then LIBEXECDIR/mprflash-demo-router)
 *   MPF_DEMO_TIME_SCALE   the simulator's --time-scale (default 0.1)
 *   MPF_DEMO_ROUTER_ARGS  extra switches, e.g. "--reject-upload"
 *   MPF_DEMO_ROUTER_INIT  what the router runs at first (default hame-stock) */
#define MPF_TYPE_DEMO_ROUTER (mpf_demo_router_get_type ())
G_DECLARE_FINAL_TYPE (MpfDemoRouter, mpf_demo_router, MPF, DEMO_ROUTER, GObject)

void           mpf_demo_router_start_async  (GCancellable *cancellable, GAsyncReadyCallback callback,
                                             gpointer user_data);
MpfDemoRouter *mpf_demo_router_start_finish (GAsyncResult *result, GError **error);

const char        *mpf_demo_router_get_control   (MpfDemoRouter *self);
guint              mpf_demo_router_get_http_port (MpfDemoRouter *self);
guint              mpf_demo_router_get_tftp_port (MpfDemoRouter *self);
/* The demo's firmware files: OpenWrt and Hame stock. */
const char *const *mpf_demo_router_get_images    (MpfDemoRouter *self);
/* The simulator's own log, for the diagnostics report. */
char              *mpf_demo_router_dup_log       (MpfDemoRouter *self);

G_END_DECLS
