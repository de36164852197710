#pragma once

#include "mpf-flash-env.h"

G_BEGIN_DECLS

/* The `--demo` backend: the simulated router (tests/fake-router, run with
 * --loopback --http-port HTTP --control CONTROL and MPF_FR_TFTP_SERVER_PORT=TFTP
 * in its environment) on 127.0.0.1. No helper, no address change, no root:
 *  - the "link" is loopback and always has carrier;
 *  - discovery asks the simulator's control socket what it is doing
 *    (running → its web UI at 127.0.0.1:HTTP; recovery → a bootloader);
 *  - the recovery container is served in-process by MpfTftpEngine on
 *    127.0.0.1:TFTP (there is no ARP on loopback);
 *  - the user's hands (power-cycle with reset held) are played through the
 *    control socket, so the whole wizard can be walked without hardware.
 * What it cannot show: ARP, carrier loss, address changes, and MPR-L8 units
 * recognised by their address (on loopback every unit is at 127.0.0.1). */
#define MPF_TYPE_FLASH_ENV_DEMO (mpf_flash_env_demo_get_type ())
G_DECLARE_FINAL_TYPE (MpfFlashEnvDemo, mpf_flash_env_demo, MPF, FLASH_ENV_DEMO, GObject)

MpfFlashEnv *mpf_flash_env_demo_new (const char *control_path, guint http_port, guint tftp_port);

/* One control command, synchronously (the simulator answers at once, except
 * "wait"): the reply object, or NULL with @error. For the demo and tests. */
JsonObject  *mpf_flash_env_demo_control (const char *control_path, const char *command, GError **error);

G_END_DECLS
