/* fr-device.h — one simulated router (MPR-A1 layout) through power cycles.
 *
 * CONTRACT with the bootloader module (fr-bootloader.c/.h, owned by helper
 * `bootsim`). Stable: fields and functions are only ever added, never changed.
 *
 *  - The device calls `fr_bootloader_start (dev, &error)` when a boot enters
 *    recovery mode (reset button XOR update flag, RECOVERY.md), after it has
 *    brought the link up and removed every address. The module then owns the
 *    interface's addresses (`fr_device_set_addresses`) until
 *    `fr_bootloader_stop (bl)`, which the device calls on power-off, power cut
 *    and reboot. stop() must free everything (sockets, timers, sources) and
 *    must not call back into the device. start() failing is logged and the
 *    unit then sits like a bricked one.
 *  - Everything runs on the default GMainContext, single-threaded.
 *  - Time: multiply real-time durations by `fr_device_get_time_scale()`, or
 *    use `fr_device_scaled_ms (dev, real_ms)` (never returns 0 for real_ms > 0).
 *  - To end recovery, call `fr_device_request_reboot_after_ms (dev, 2000)`
 *    (the ~2 s reset after opcode 9) or `fr_device_reboot`. Both, and
 *    `fr_device_power_cut`, are safe to call from inside the module's own
 *    callbacks: the device never calls `fr_bootloader_stop` from inside a
 *    device function the module called; it stops the module from an idle or
 *    timeout of its own. After asking for a power cut, just return.
 *    The device re-samples the reset button at that boot: if the fault
 *    "reset-still-held" is set it re-enters recovery, as RECOVERY.md says.
 *  - A power cut the module decides (fault power_cut_at_block: it counts DATA
 *    blocks received and, on reaching block N, calls `fr_device_power_cut`)
 *    turns the unit off; it stays off until the control channel powers it on.
 *    Faults are one-shot where the README says so; the module may clear one
 *    with `fr_device_set_fault (dev, "power-cut-at-block", "0", NULL)`.
 *  - Faults the module applies itself: dead_ethernet (no frame ever leaves
 *    nor is answered), old_bootloader_no_crc (read request without the CRC
 *    field), drop_every_nth (drop each Nth UDP packet it receives, counting
 *    from 1 per transfer), power_cut_at_block. The device applies
 *    power_cut_during_write and slow_flash inside the flash write functions.
 *  - Flash: write the container's type-8 payload with
 *    `fr_device_flash_write_async` (erase-sector granularity, scaled real
 *    write time, may end in a power cut: then the callback gets
 *    FR_DEVICE_ERROR_POWER_CUT while the module is still alive; stop() follows
 *    from an idle. A write still running when the unit loses power (control
 *    `power-off`, a cut) ends with G_IO_ERROR_CANCELLED, possibly after stop():
 *    in the callback, check for G_IO_ERROR_CANCELLED first and then touch
 *    nothing; cancel your own GCancellable in stop()).
 *  - Events: `fr_device_log_event (dev, "bootloader", "…")` — tests read the
 *    log through the control channel (`events`). Kinds used by the module:
 *    "bootloader" (free text), keep messages one line.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* MPR-A1 / MPR-L8 flash layout (FORMATS.md). */
#define FR_FLASH_SIZE            0x400000u
#define FR_BOOTLOADER_OFFSET     0x000000u
#define FR_BOOTLOADER_SIZE       0x030000u
#define FR_UPDATE_FLAG_OFFSET    0x020000u   /* u32 LE, RECOVERY.md */
#define FR_CONFIG_OFFSET         0x030000u
#define FR_FACTORY_OFFSET        0x040000u
#define FR_FACTORY_MAC_OFFSET    0x040004u
#define FR_FIRMWARE_OFFSET       0x050000u
#define FR_FIRMWARE_SIZE         0x3b0000u   /* 3,866,624 bytes */
#define FR_ERASE_SECTOR          0x010000u

#define FR_DEVICE_ERROR (fr_device_error_quark ())
typedef enum {
  FR_DEVICE_ERROR_POWER_CUT,   /* power went off during the operation */
  FR_DEVICE_ERROR_POWERED_OFF, /* the unit is off */
  FR_DEVICE_ERROR_RANGE,       /* outside the flash */
  FR_DEVICE_ERROR_IO,          /* the flash file */
  FR_DEVICE_ERROR_INVALID,     /* bad argument / unknown fault */
  FR_DEVICE_ERROR_COMMAND,     /* an external command (ip, dnsmasq) failed */
} FrDeviceError;
GQuark fr_device_error_quark (void);

/* What the unit is doing now. Strings: fr_device_mode_to_string(). */
typedef enum {
  FR_MODE_OFF,
  FR_MODE_BOOTLOADER,   /* U-Boot checking the image (short) */
  FR_MODE_RECOVERY,     /* bootloader recovery (bootsim's module runs) */
  FR_MODE_BRICKED,      /* U-Boot found no bootable image: sits, no network */
  FR_MODE_BOOTING,      /* kernel booting (no network yet) */
  FR_MODE_RUNNING,      /* firmware up: web UI, DHCP */
  FR_MODE_UPGRADING,    /* firmware writing its flash after a web upload */
} FrMode;

/* Firmware families the device can run (also the state's "family"). */
typedef enum {
  FR_FAMILY_NONE,
  FR_FAMILY_HAME_STOCK,
  FR_FAMILY_MPRL8_STOCK,
  FR_FAMILY_OPENWRT,
} FrFamily;

/* Every fault switch. Set with --flag on the command line or `set NAME VALUE`
 * on the control channel (names in brackets). Zero = no fault. */
typedef struct {
  guint    power_cut_at_block;     /* [power-cut-at-block] bootloader: cut power on TFTP DATA block N (module, one-shot) */
  gboolean power_cut_during_write; /* [power-cut-during-write] next flash write stops halfway, power off (device, one-shot) */
  guint    drop_every_nth;         /* [drop-every-nth] bootloader drops each Nth packet it receives (module) */
  gboolean dead_ethernet;          /* [dead-ethernet] bootloader Ethernet never comes up (module) */
  gboolean old_bootloader_no_crc;  /* [old-bootloader] read request without the CRC field (module) */
  double   slow_flash;             /* [slow-flash] flash write time multiplier, 0 or 1 = normal */
  gboolean reject_upload;          /* [reject-upload] web UIs refuse any firmware upload */
  gboolean wrong_credentials;      /* [wrong-credentials] the owner changed the password */
  char    *lan_address;            /* [lan-address] CIDR replacing the family's default, NULL = default */
  gboolean reset_still_held;       /* [reset-still-held] button still held at the reboot after recovery */
  gboolean no_reboot;              /* [no-reboot] a reboot the firmware or bootloader asks for never happens */
} FrFaults;

#define FR_TYPE_DEVICE (fr_device_get_type ())
G_DECLARE_FINAL_TYPE (FrDevice, fr_device, FR, DEVICE, GObject)

/* Configuration fixed at start (fr-main.c fills it from the command line). */
typedef struct {
  char    *interface;      /* NULL with loopback */
  char    *flash_path;
  double   time_scale;     /* 1.0 = real time */
  gboolean loopback;       /* serve on 127.0.0.1:http_port, no addresses, no DHCP */
  guint    http_port;      /* 80 unless loopback */
  char    *stock_family;   /* "hame" | "mpr-l8" | "auto" */
  gboolean l8_address_169; /* MPR-L8 stock at 192.168.169.1 instead of .100.1 */
  gboolean l8_done_wording;/* MPR-L8 replies "Done...rebooting" */
  char    *stock_password; /* NULL: family default (hame / admin) */
  char    *luci_password;  /* NULL: fresh 14.07, no root password */
  gboolean no_dhcp;
  gboolean l8_m1_prompt;   /* MPR-L8 telnet prompt "M1 login:" instead of "ZLMnet login:" */
} FrDeviceConfig;

FrDevice   *fr_device_new (const FrDeviceConfig *config, const FrFaults *faults, GError **error);

const char *fr_device_get_interface (FrDevice *self);  /* NULL with loopback */
gboolean    fr_device_is_loopback (FrDevice *self);
guint       fr_device_get_http_port (FrDevice *self);
const FrDeviceConfig *fr_device_get_config (FrDevice *self);
double      fr_device_get_time_scale (FrDevice *self);
guint       fr_device_scaled_ms (FrDevice *self, guint real_ms);

/* Flash (the file). Reads work at any time; writes need power (they fail
 * with FR_DEVICE_ERROR_POWERED_OFF while the unit is off). */
gsize       fr_device_flash_size (FrDevice *self);
gboolean    fr_device_flash_read (FrDevice *self, gsize offset, guint8 *buf, gsize len, GError **error);
/* Instant write (honours power_cut_during_write: half written, then off). */
gboolean    fr_device_flash_write (FrDevice *self, gsize offset, const guint8 *data, gsize len,
                                   GError **error);
/* Timed write: erase + program sector by sector at the scaled real rate. */
void        fr_device_flash_write_async (FrDevice *self, gsize offset, GBytes *data,
                                         GCancellable *cancellable, GAsyncReadyCallback callback,
                                         gpointer user_data);
gboolean    fr_device_flash_write_finish (FrDevice *self, GAsyncResult *result, GError **error);
/* Real-time milliseconds one 64 KiB erase sector takes (before scaling and
 * slow flash): a full partition (59 sectors) in ~90 s, within RECOVERY.md's
 * 30-90 s for 3.5 MB [I]. */
#define FR_SECTOR_WRITE_MS 1500u
/* Factory MAC (flash 0x40004) as 12 lowercase hex digits; newly allocated. */
char       *fr_device_factory_mac12 (FrDevice *self);
guint32     fr_device_get_update_flag (FrDevice *self);
void        fr_device_clear_update_flag (FrDevice *self);
/* SHA-256 hex of the whole firmware partition; newly allocated. */
char       *fr_device_firmware_sha256 (FrDevice *self);

/* Addresses on the interface: flush, then add each CIDR ("192.168.1.2/24").
 * NULL or empty = flush only. No-op with loopback. */
gboolean    fr_device_set_addresses (FrDevice *self, const char *const *cidrs, GError **error);

/* Faults. */
const FrFaults *fr_device_get_faults (FrDevice *self);
gboolean    fr_device_set_fault (FrDevice *self, const char *name, const char *value, GError **error);

/* Power and boot. */
FrMode      fr_device_get_mode (FrDevice *self);
FrFamily    fr_device_get_family (FrDevice *self);
const char *fr_device_mode_to_string (FrMode mode);
const char *fr_device_family_to_string (FrFamily family);
gboolean    fr_device_reset_button_is_held (FrDevice *self);
void        fr_device_power_on (FrDevice *self, gboolean reset_held);
void        fr_device_power_off (FrDevice *self);
void        fr_device_power_cut (FrDevice *self, const char *why);
void        fr_device_reboot (FrDevice *self, gboolean reset_held);
void        fr_device_request_reboot_after_ms (FrDevice *self, guint real_ms);

/* Append-only event log (kind: "power", "boot", "net", "web", "telnet",
 * "flash", "dhcp", "bootloader", "fault", "control"). */
void        fr_device_log_event (FrDevice *self, const char *kind, const char *fmt, ...)
            G_GNUC_PRINTF (3, 4);

G_END_DECLS
