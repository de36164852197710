/* fr-bootloader.h — the Hame bootloader's recovery mode (RECOVERY.md):
 * 192.168.1.2, ARP for 192.168.1.55, the TFTP read request for the factory
 * MAC, the 512-byte lock-step with its quirks, the container parser, the
 * flash write, opcode 9 and the reset ~2 s later.
 *
 * The device (fr-device.h) starts it when a boot enters recovery and stops it
 * on power-off, power cut or reboot; see the contract in fr-device.h.
 */
#pragma once

#include "fr-device.h"

G_BEGIN_DECLS

typedef struct _FrBootloader FrBootloader;

/* Network timeouts in real milliseconds. They are NOT multiplied by the
 * device's time scale: the TFTP server on the other end retransmits on a
 * real-time timer, so scaling these down would make the simulated unit time
 * out long before any real server could answer. Environment overrides:
 * MPF_FR_TFTP_FIRST_TIMEOUT_MS, MPF_FR_TFTP_TIMEOUT_MS. */
#define FR_BOOTLOADER_FIRST_TIMEOUT_MS 700u
#define FR_BOOTLOADER_TIMEOUT_MS       350u
/* The 11th timeout since the read request restarts the transfer. */
#define FR_BOOTLOADER_TIMEOUT_BUDGET   10u

/* Starts recovery on the default GMainContext: sets 192.168.1.2/24 through
 * fr_device_set_addresses() and begins ARP + read requests. */
FrBootloader *fr_bootloader_start (FrDevice *dev, GError **error);
/* Frees everything; never calls back into the device. NULL is allowed. */
void          fr_bootloader_stop (FrBootloader *bl);

G_END_DECLS
