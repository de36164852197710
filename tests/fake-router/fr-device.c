/* fr-device.c — power, boot and the shared state of the simulated router.
 * The flash file is the only state that survives a power cycle; everything
 * else (addresses, servers, sessions) is rebuilt at every boot. */
#include "config.h"

#include <string.h>

#include "fr-boot.h"
#include "fr-device-internal.h"
#include "fr-telnet.h"
#include "fr-web.h"

/* Real-time durations [I]: U-Boot's countdown before it checks the image,
 * the kernel + userland boot until the web server answers (~30 s), and the
 * GoAhead CGI's "sleep 3 && reboot". */
#define BOOTLOADER_MS   3000u
#define KERNEL_BOOT_MS 30000u

G_DEFINE_QUARK (fr-device-error-quark, fr_device_error)

G_DEFINE_FINAL_TYPE (FrDevice, fr_device, G_TYPE_OBJECT)

static void power_down (FrDevice *self, const char *why);

static void
fr_event_free (gpointer p)
{
  FrEvent *ev = p;
  g_free (ev->kind);
  g_free (ev->text);
  g_free (ev);
}

static void
fr_device_finalize (GObject *object)
{
  FrDevice *self = FR_DEVICE (object);

  power_down (self, "exit");
  g_clear_handle_id (&self->cut_source, g_source_remove);
  fr_flash_free (self->flash);
  g_free (self->config.interface);
  g_free (self->config.flash_path);
  g_free (self->config.stock_family);
  g_free (self->config.stock_password);
  g_free (self->config.luci_password);
  g_free (self->faults.lan_address);
  g_free (self->version);
  g_free (self->boot_reason);
  g_free (self->last_upload);
  g_ptr_array_unref (self->events);
  G_OBJECT_CLASS (fr_device_parent_class)->finalize (object);
}

static void
fr_device_class_init (FrDeviceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fr_device_finalize;
}

static void
fr_device_init (FrDevice *self)
{
  self->events = g_ptr_array_new_with_free_func (fr_event_free);
  self->start_us = g_get_monotonic_time ();
}

FrDevice *
fr_device_new (const FrDeviceConfig *config, const FrFaults *faults, GError **error)
{
  g_autoptr(FrFlash) flash = fr_flash_open (config->flash_path, error);
  if (flash == NULL)
    return NULL;

  FrDevice *self = g_object_new (FR_TYPE_DEVICE, NULL);
  self->flash = g_steal_pointer (&flash);
  self->config = *config;
  self->config.interface = g_strdup (config->interface);
  self->config.flash_path = g_strdup (config->flash_path);
  self->config.stock_family = g_strdup (config->stock_family ? config->stock_family : "hame");
  self->config.stock_password = g_strdup (config->stock_password);
  self->config.luci_password = g_strdup (config->luci_password);
  if (self->config.time_scale <= 0)
    self->config.time_scale = 1.0;
  if (faults != NULL)
    {
      self->faults = *faults;
      self->faults.lan_address = g_strdup (faults->lan_address);
    }
  return self;
}

/* ---- accessors ---------------------------------------------------------- */

const char *
fr_device_get_interface (FrDevice *self)
{
  return self->config.loopback ? NULL : self->config.interface;
}

gboolean
fr_device_is_loopback (FrDevice *self)
{
  return self->config.loopback;
}

guint
fr_device_get_http_port (FrDevice *self)
{
  return self->config.http_port ? self->config.http_port : 80;
}

const FrDeviceConfig *
fr_device_get_config (FrDevice *self)
{
  return &self->config;
}

double
fr_device_get_time_scale (FrDevice *self)
{
  return self->config.time_scale;
}

guint
fr_device_scaled_ms (FrDevice *self, guint real_ms)
{
  if (real_ms == 0)
    return 0;
  double ms = real_ms * self->config.time_scale;
  return ms < 1.0 ? 1u : (guint) ms;
}

FrMode
fr_device_get_mode (FrDevice *self)
{
  return self->power_lost ? FR_MODE_OFF : self->mode;
}

FrFamily
fr_device_get_family (FrDevice *self)
{
  return self->family;
}

const char *
fr_device_get_version (FrDevice *self)
{
  return self->version;
}

gboolean
fr_device_reset_button_is_held (FrDevice *self)
{
  return self->reset_held;
}

guint
fr_device_get_boot_count (FrDevice *self)
{
  return self->boot_count;
}

const char *
fr_device_mode_to_string (FrMode mode)
{
  switch (mode)
    {
    case FR_MODE_OFF: return "off";
    case FR_MODE_BOOTLOADER: return "bootloader";
    case FR_MODE_RECOVERY: return "recovery";
    case FR_MODE_BRICKED: return "bricked";
    case FR_MODE_BOOTING: return "booting";
    case FR_MODE_RUNNING: return "running";
    case FR_MODE_UPGRADING: return "upgrading";
    default: return "unknown";
    }
}

const char *
fr_device_family_to_string (FrFamily family)
{
  switch (family)
    {
    case FR_FAMILY_HAME_STOCK: return "hame-stock";
    case FR_FAMILY_MPRL8_STOCK: return "mprl8-stock";
    case FR_FAMILY_OPENWRT: return "openwrt";
    case FR_FAMILY_NONE:
    default: return "none";
    }
}

/* ---- event log ---------------------------------------------------------- */

void
fr_device_log_event (FrDevice *self, const char *kind, const char *fmt, ...)
{
  va_list ap;
  FrEvent *ev = g_new0 (FrEvent, 1);

  va_start (ap, fmt);
  ev->text = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  ev->kind = g_strdup (kind);
  ev->boot = self->boot_count;
  ev->t_ms = (g_get_monotonic_time () - self->start_us) / 1000;
  g_ptr_array_add (self->events, ev);
  /* Also on stderr: the test logs then tell the story. */
  g_printerr ("fake-router %6" G_GINT64_FORMAT " ms [%s] %s\n", ev->t_ms, ev->kind, ev->text);
}

guint
fr_device_get_n_events (FrDevice *self)
{
  return self->events->len;
}

void
fr_device_get_event (FrDevice *self, guint i, gint64 *t_ms, guint *boot, const char **kind,
                     const char **text)
{
  const FrEvent *ev = g_ptr_array_index (self->events, i);
  *t_ms = ev->t_ms;
  *boot = ev->boot;
  *kind = ev->kind;
  *text = ev->text;
}

/* A cut requested from inside a write or the module: the power goes at once
 * as far as the device's API is concerned, the teardown runs from an idle so
 * nobody's stack frame is freed under it. */
static gboolean
power_cut_idle_cb (gpointer data)
{
  FrDevice *self = data;
  self->cut_source = 0;
  power_down (self, "power cut");
  self->power_lost = FALSE;
  return G_SOURCE_REMOVE;
}

void
fr_device_power_cut (FrDevice *self, const char *why)
{
  if (self->mode == FR_MODE_OFF || self->power_lost)
    return;
  fr_device_log_event (self, "power", "power cut: %s", why ? why : "requested");
  self->power_lost = TRUE;
  self->cut_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, power_cut_idle_cb,
                                      self, NULL);
}

/* ---- uploads ----------------------------------------------------------------- */

void
fr_device_set_last_upload (FrDevice *self, const char *summary)
{
  g_free (self->last_upload);
  self->last_upload = g_strdup (summary);
  fr_device_log_event (self, "web", "upload: %s", summary);
}

const char *
fr_device_get_last_upload (FrDevice *self)
{
  return self->last_upload;
}

void
fr_device_set_upgrading (FrDevice *self)
{
  if (self->mode == FR_MODE_RUNNING)
    self->mode = FR_MODE_UPGRADING;
}

static gboolean
drop_web_idle_cb (gpointer data)
{
  FrDevice *self = data;
  self->drop_web_source = 0;
  if (self->web != NULL)
    {
      soup_server_disconnect (self->web);
      g_clear_object (&self->web);
      fr_device_log_event (self, "web", "web server stopped");
    }
  return G_SOURCE_REMOVE;
}

void
fr_device_drop_web (FrDevice *self)
{
  if (self->drop_web_source == 0)
    self->drop_web_source = g_idle_add (drop_web_idle_cb, self);
}

gint64
fr_device_get_uptime_ms (FrDevice *self)
{
  if (self->mode == FR_MODE_OFF)
    return 0;
  return (g_get_monotonic_time () - self->power_on_us) / 1000;
}

const char *
fr_device_get_boot_reason (FrDevice *self)
{
  return self->boot_reason;
}

/* ---- boot ----------------------------------------------------------------- */

/* The LAN the family comes up with (WEB-UIS.md) and its DHCP pool. */
static void
family_lan (FrDevice *self, FrFamily family, char **cidr, char **first, char **last)
{
  const char *def = "192.168.169.1/24";
  guint lo = 2, hi = 254;

  if (family == FR_FAMILY_OPENWRT)
    def = "192.168.1.1/24", lo = 100, hi = 249;
  else if (family == FR_FAMILY_MPRL8_STOCK)
    def = self->config.l8_address_169 ? "192.168.169.1/24" : "192.168.100.1/24";
  *cidr = g_strdup (self->faults.lan_address ? self->faults.lan_address : def);

  /* Pool: the family's host range inside the /24 of whatever address it has. */
  g_auto(GStrv) parts = g_strsplit (*cidr, "/", 2);
  g_auto(GStrv) octets = g_strsplit (parts[0], ".", 4);
  if (g_strv_length (octets) == 4)
    {
      *first = g_strdup_printf ("%s.%s.%s.%u", octets[0], octets[1], octets[2], lo);
      *last = g_strdup_printf ("%s.%s.%s.%u", octets[0], octets[1], octets[2], hi);
    }
  else
    *first = *last = NULL;
}

static void
start_firmware (FrDevice *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cidr = NULL, *first = NULL, *last = NULL;

  family_lan (self, self->family, &cidr, &first, &last);
  const char *cidrs[] = { cidr, NULL };
  if (!fr_device_set_addresses (self, cidrs, &error))
    fr_device_log_event (self, "net", "cannot set the LAN address: %s", error->message);
  g_clear_error (&error);

  if (!self->config.loopback && !self->config.no_dhcp && first != NULL)
    {
      self->dhcp = fr_dhcp_start (self, first, last, &error);
      if (self->dhcp == NULL)
        fr_device_log_event (self, "dhcp", "dnsmasq did not start: %s", error->message);
      g_clear_error (&error);
    }

  g_auto(GStrv) parts = g_strsplit (cidr, "/", 2);
  if (self->family == FR_FAMILY_OPENWRT)
    self->web = fr_web_luci_new (self, parts[0]);
  else
    self->web = fr_web_goahead_new (self, self->family, parts[0]);

  gboolean ok;
  if (self->config.loopback)
    ok = soup_server_listen_local (self->web, fr_device_get_http_port (self),
                                   SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  else
    ok = soup_server_listen_all (self->web, fr_device_get_http_port (self),
                                 SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  if (!ok)
    fr_device_log_event (self, "web", "cannot listen: %s", error->message);
  g_clear_error (&error);

  /* Telnet/SSH only on a real interface: the demo has no privileged ports. */
  if (!self->config.loopback
      && (self->doors = fr_telnet_start (self, self->family, &error)) == NULL)
    fr_device_log_event (self, "telnet", "cannot listen: %s", error->message);

  self->mode = FR_MODE_RUNNING;
  fr_device_log_event (self, "boot", "running %s %s at %s", fr_device_family_to_string (self->family),
                       self->version ? self->version : "", cidr);
}

static gboolean
kernel_booted_cb (gpointer data)
{
  FrDevice *self = data;
  self->boot_source = 0;
  start_firmware (self);
  return G_SOURCE_REMOVE;
}

static void
enter_recovery (FrDevice *self)
{
  self->mode = FR_MODE_RECOVERY;
  g_autoptr(GError) error = NULL;
  self->bootloader = fr_bootloader_start (self, &error);
  if (self->bootloader == NULL)
    fr_device_log_event (self, "bootloader", "recovery did not start: %s",
                         error ? error->message : "unknown");
}

/* U-Boot after its countdown: check the image like its bootm does. */
static gboolean
bootloader_checked_cb (gpointer data)
{
  FrDevice *self = data;
  g_autofree guint8 *part = g_malloc (FR_FIRMWARE_SIZE);
  g_autoptr(GError) error = NULL;
  FrBootInfo info = { 0 };

  self->boot_source = 0;
  if (!fr_flash_read (self->flash, FR_FIRMWARE_OFFSET, part, FR_FIRMWARE_SIZE, &error))
    {
      fr_device_log_event (self, "boot", "flash unreadable: %s", error->message);
      self->mode = FR_MODE_BRICKED;
      return G_SOURCE_REMOVE;
    }
  fr_boot_inspect (part, FR_FIRMWARE_SIZE, self->config.stock_family, &info);
  g_free (self->boot_reason);
  self->boot_reason = g_strdup (info.reason);
  if (!info.bootable)
    {
      self->mode = FR_MODE_BRICKED;
      self->family = FR_FAMILY_NONE;
      fr_device_log_event (self, "boot", "bricked: %s", info.reason);
      fr_boot_info_clear (&info);
      return G_SOURCE_REMOVE;
    }
  self->family = info.family;
  g_free (self->version);
  self->version = g_strdup (info.version);
  self->mode = FR_MODE_BOOTING;
  fr_device_log_event (self, "boot", "booting '%s' as %s (%s)", info.name,
                       fr_device_family_to_string (info.family), info.reason);
  fr_boot_info_clear (&info);
  self->boot_source = g_timeout_add (fr_device_scaled_ms (self, KERNEL_BOOT_MS), kernel_booted_cb,
                                     self);
  return G_SOURCE_REMOVE;
}

void
fr_device_power_on (FrDevice *self, gboolean reset_held)
{
  if (self->mode != FR_MODE_OFF || self->power_lost)
    {
      fr_device_log_event (self, "power", "power-on ignored: already on");
      return;
    }
  self->boot_count++;
  self->power_on_us = g_get_monotonic_time ();
  self->power_cancellable = g_cancellable_new ();
  self->mode = FR_MODE_BOOTLOADER;
  self->family = FR_FAMILY_NONE;
  self->reset_held = reset_held;
  g_clear_pointer (&self->version, g_free);

  /* GPIO0 is sampled once, early: recovery = button XOR flag (RECOVERY.md). */
  gboolean flag = fr_device_update_flag_is_set (self);
  fr_device_set_mac (self, reset_held != flag);
  fr_device_set_link (self, TRUE);
  fr_device_log_event (self, "power", "power on (boot %u), reset %s, update flag %s",
                       self->boot_count, reset_held ? "held" : "released", flag ? "set" : "clear");
  fr_device_set_addresses (self, NULL, NULL);
  if (reset_held != flag)
    {
      enter_recovery (self);
      return;
    }
  self->boot_source = g_timeout_add (fr_device_scaled_ms (self, BOOTLOADER_MS),
                                     bootloader_checked_cb, self);
}

/* Everything but the flash file goes. Never called from inside the module. */
static void
power_down (FrDevice *self, const char *why)
{
  if (self->mode == FR_MODE_OFF)
    return;
  fr_device_log_event (self, "power", "power off (%s)", why);
  if (self->power_cancellable != NULL)
    g_cancellable_cancel (self->power_cancellable);
  g_clear_object (&self->power_cancellable);
  g_clear_handle_id (&self->boot_source, g_source_remove);
  g_clear_handle_id (&self->reboot_source, g_source_remove);
  g_clear_handle_id (&self->drop_web_source, g_source_remove);
  g_clear_pointer (&self->bootloader, fr_bootloader_stop);
  if (self->web != NULL)
    {
      soup_server_disconnect (self->web);
      g_clear_object (&self->web);
    }
  g_clear_pointer (&self->dhcp, fr_dhcp_stop);
  g_clear_pointer (&self->doors, g_ptr_array_unref);
  fr_device_set_addresses (self, NULL, NULL);
  self->mode = FR_MODE_OFF;
  self->family = FR_FAMILY_NONE;
  self->reset_held = FALSE;
  fr_device_set_link (self, FALSE);
}

void
fr_device_power_off (FrDevice *self)
{
  g_clear_handle_id (&self->cut_source, g_source_remove);
  self->power_lost = FALSE;
  power_down (self, "power-off");
}

static gboolean
reboot_cb (gpointer data)
{
  FrDevice *self = data;
  gboolean held = self->reboot_reset_held || self->faults.reset_still_held;

  self->reboot_source = 0;
  if (self->mode == FR_MODE_OFF || self->power_lost)
    return G_SOURCE_REMOVE;
  power_down (self, "reboot");
  fr_device_power_on (self, held);
  return G_SOURCE_REMOVE;
}

void
fr_device_reboot (FrDevice *self, gboolean reset_held)
{
  if (self->mode == FR_MODE_OFF || self->power_lost)
    return;
  g_clear_handle_id (&self->reboot_source, g_source_remove);
  self->reboot_reset_held = reset_held;
  self->reboot_source = g_idle_add (reboot_cb, self);
}

void
fr_device_request_reboot_after_ms (FrDevice *self, guint real_ms)
{
  if (self->mode == FR_MODE_OFF || self->power_lost)
    return;
  if (self->faults.no_reboot)
    {
      /* A unit that says "restarting" and hangs on with the old firmware
       * (its web server and sign-ins kept). */
      fr_device_log_event (self, "fault", "no-reboot: the reboot asked for does not happen");
      return;
    }
  g_clear_handle_id (&self->reboot_source, g_source_remove);
  self->reboot_reset_held = FALSE;
  fr_device_log_event (self, "power", "reboot in %u ms (real time)", real_ms);
  self->reboot_source = g_timeout_add (fr_device_scaled_ms (self, real_ms), reboot_cb, self);
}
