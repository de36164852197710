/* fr-device.c — power, boot and the shared state of the simulated router.
 * The flash file is the only state that survives a power cycle; everything
 * else (addresses, servers, sessions) is rebuilt at every boot. */
#include "config.h"

#include <string.h>

#include "fr-boot.h"
#include "fr-device-private.h"
#include "fr-dhcp.h"
#include "fr-flash.h"
#include "fr-telnet.h"
#include "fr-web.h"
#include "fr-bootloader.h"

/* Real-time durations [I]: U-Boot's countdown before it checks the image,
 * the kernel + userland boot until the web server answers (~30 s), and the
 * GoAhead CGI's "sleep 3 && reboot". */
#define BOOTLOADER_MS   3000u
#define KERNEL_BOOT_MS 30000u

G_DEFINE_QUARK (fr-device-error-quark, fr_device_error)

typedef struct {
  gint64 t_ms;
  guint  boot;
  char  *kind;
  char  *text;
} FrEvent;

struct _FrDevice {
  GObject parent_instance;

  FrDeviceConfig config;
  FrFaults       faults;
  FrFlash       *flash;

  FrMode    mode;
  FrFamily  family;
  char     *version;
  char     *boot_reason;
  gboolean  reset_held;
  gboolean  power_lost;      /* a cut is pending: behave as off at once */
  guint     boot_count;
  gint64    start_us;
  gint64    power_on_us;

  GCancellable *power_cancellable; /* cancelled whenever the power goes */
  guint     boot_source;
  guint     reboot_source;
  gboolean  reboot_reset_held;
  guint     cut_source;
  guint     drop_web_source;

  FrBootloader *bootloader;    /* bootsim's module, while in recovery */
  SoupServer *web;
  FrDhcp     *dhcp;
  GPtrArray  *doors;           /* telnet / ssh services */
  GStrv       addresses;

  char      *last_upload;
  GPtrArray *events;           /* FrEvent* */
};

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

/* ---- flash ---------------------------------------------------------------- */

gsize
fr_device_flash_size (FrDevice *self)
{
  return FR_FLASH_SIZE;
}

gboolean
fr_device_flash_read (FrDevice *self, gsize offset, guint8 *buf, gsize len, GError **error)
{
  return fr_flash_read (self->flash, offset, buf, len, error);
}

static gboolean
check_powered (FrDevice *self, GError **error)
{
  if (self->mode == FR_MODE_OFF || self->power_lost)
    {
      g_set_error_literal (error, FR_DEVICE_ERROR, FR_DEVICE_ERROR_POWERED_OFF, "the unit is off");
      return FALSE;
    }
  return TRUE;
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

gboolean
fr_device_flash_write (FrDevice *self, gsize offset, const guint8 *data, gsize len,
                       GError **error)
{
  if (!check_powered (self, error))
    return FALSE;
  if (self->faults.power_cut_during_write)
    {
      self->faults.power_cut_during_write = FALSE;
      if (!fr_flash_write (self->flash, offset, data, len / 2, error))
        return FALSE;
      fr_device_log_event (self, "flash", "write 0x%zx+0x%zx cut after 0x%zx bytes",
                           offset, len, len / 2);
      fr_device_power_cut (self, "power-cut-during-write");
      g_set_error_literal (error, FR_DEVICE_ERROR, FR_DEVICE_ERROR_POWER_CUT,
                           "power cut during the flash write");
      return FALSE;
    }
  return fr_flash_write (self->flash, offset, data, len, error);
}

typedef struct {
  FrDevice *self;
  gsize     offset;
  GBytes   *data;
  guint     sector;        /* next sector index */
  guint     n_sectors;
  gint      cut_at;        /* sector at which the power goes, -1 none */
  GCancellable *power;     /* the device's power cancellable at start */
  guint     source;
} WriteJob;

static void
write_job_free (gpointer p)
{
  WriteJob *job = p;
  g_clear_handle_id (&job->source, g_source_remove);
  g_bytes_unref (job->data);
  g_clear_object (&job->power);
  g_free (job);
}

static guint
sector_ms (FrDevice *self)
{
  double slow = self->faults.slow_flash > 0 ? self->faults.slow_flash : 1.0;
  double ms = FR_SECTOR_WRITE_MS * slow * self->config.time_scale;
  return ms < 1.0 ? 1u : (guint) ms;
}

static gboolean
write_step_cb (gpointer data)
{
  GTask *task = data;
  WriteJob *job = g_task_get_task_data (task);
  FrDevice *self = job->self;
  g_autoptr(GError) error = NULL;

  job->source = 0;
  if (g_cancellable_is_cancelled (job->power) || self->power_lost
      || g_task_return_error_if_cancelled (task))
    {
      if (!g_task_had_error (task))
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 "the unit lost power during the write");
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }

  gsize len = g_bytes_get_size (job->data);
  const guint8 *bytes = g_bytes_get_data (job->data, NULL);
  gsize pos = (gsize) job->sector * FR_ERASE_SECTOR;
  gsize chunk = MIN (FR_ERASE_SECTOR, len - pos);

  /* NOR: the whole sector is erased first, then programmed. */
  if (!fr_flash_erase (self->flash, job->offset + pos, FR_ERASE_SECTOR, &error))
    goto fail;
  if ((gint) job->sector == job->cut_at)
    {
      fr_device_log_event (self, "flash", "power cut while writing sector %u/%u at 0x%zx",
                           job->sector + 1, job->n_sectors, job->offset + pos);
      fr_device_power_cut (self, "power-cut-during-write");
      g_task_return_new_error (task, FR_DEVICE_ERROR, FR_DEVICE_ERROR_POWER_CUT,
                               "power cut during the flash write");
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }
  if (!fr_flash_write (self->flash, job->offset + pos, bytes + pos, chunk, &error))
    goto fail;

  job->sector++;
  if (job->sector >= job->n_sectors)
    {
      fr_device_log_event (self, "flash", "wrote 0x%zx bytes at 0x%zx", len, job->offset);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }
  job->source = g_timeout_add (sector_ms (self), write_step_cb, task);
  return G_SOURCE_REMOVE;

fail:
  fr_device_log_event (self, "flash", "write failed: %s", error->message);
  g_task_return_error (task, g_steal_pointer (&error));
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

void
fr_device_flash_write_async (FrDevice *self, gsize offset, GBytes *data,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  gsize len = g_bytes_get_size (data);

  g_task_set_source_tag (task, fr_device_flash_write_async);
  if (!check_powered (self, NULL))
    {
      g_task_return_new_error (task, FR_DEVICE_ERROR, FR_DEVICE_ERROR_POWERED_OFF,
                               "the unit is off");
      g_object_unref (task);
      return;
    }
  if (offset % FR_ERASE_SECTOR != 0 || offset > FR_FLASH_SIZE || len > FR_FLASH_SIZE - offset
      || len == 0)
    {
      g_task_return_new_error (task, FR_DEVICE_ERROR, FR_DEVICE_ERROR_RANGE,
                               "timed write 0x%zx+0x%zx not sector-aligned or outside the chip",
                               offset, len);
      g_object_unref (task);
      return;
    }

  WriteJob *job = g_new0 (WriteJob, 1);
  job->self = self;
  job->offset = offset;
  job->data = g_bytes_ref (data);
  job->n_sectors = (guint) ((len + FR_ERASE_SECTOR - 1) / FR_ERASE_SECTOR);
  job->cut_at = -1;
  job->power = g_object_ref (self->power_cancellable);
  if (self->faults.power_cut_during_write)
    {
      self->faults.power_cut_during_write = FALSE; /* one-shot */
      job->cut_at = (gint) (job->n_sectors / 2);
    }
  g_task_set_task_data (task, job, write_job_free);
  fr_device_log_event (self, "flash", "writing 0x%zx bytes at 0x%zx (%u sectors)%s", len, offset,
                       job->n_sectors, job->cut_at >= 0 ? ", power will be cut halfway" : "");
  job->source = g_timeout_add (sector_ms (self), write_step_cb, task);
}

gboolean
fr_device_flash_write_finish (FrDevice *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
fr_device_factory_mac12 (FrDevice *self)
{
  guint8 mac[6];
  if (!fr_flash_read (self->flash, FR_FACTORY_MAC_OFFSET, mac, sizeof mac, NULL))
    memset (mac, 0xff, sizeof mac);
  return g_strdup_printf ("%02x%02x%02x%02x%02x%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
                          mac[5]);
}

guint32
fr_device_get_update_flag (FrDevice *self)
{
  guint8 b[4] = { 0 };
  fr_flash_read (self->flash, FR_UPDATE_FLAG_OFFSET, b, sizeof b, NULL);
  return (guint32) b[0] | (guint32) b[1] << 8 | (guint32) b[2] << 16 | (guint32) b[3] << 24;
}

void
fr_device_clear_update_flag (FrDevice *self)
{
  static const guint8 zero[4] = { 0 };
  g_autoptr(GError) error = NULL;
  if (!fr_flash_write (self->flash, FR_UPDATE_FLAG_OFFSET, zero, sizeof zero, &error))
    fr_device_log_event (self, "flash", "clearing the update flag failed: %s", error->message);
  else
    fr_device_log_event (self, "flash", "update flag cleared");
}

/* The flag is "set" when it holds anything but an erased or zero word [I]. */
static gboolean
update_flag_is_set (FrDevice *self)
{
  guint32 v = fr_device_get_update_flag (self);
  return v != 0 && v != 0xffffffffu;
}

char *
fr_device_firmware_sha256 (FrDevice *self)
{
  g_autofree guint8 *part = g_malloc (FR_FIRMWARE_SIZE);
  if (!fr_flash_read (self->flash, FR_FIRMWARE_OFFSET, part, FR_FIRMWARE_SIZE, NULL))
    return g_strdup ("");
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, part, FR_FIRMWARE_SIZE);
}

/* ---- addresses and link ------------------------------------------------- */

static gboolean
run_ip (FrDevice *self, const char *const *args, GError **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  int status = 0;

  g_ptr_array_add (argv, (gpointer) "ip");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                     &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *cmd = g_strjoinv (" ", (char **) argv->pdata);
      g_set_error (error, FR_DEVICE_ERROR, FR_DEVICE_ERROR_COMMAND, "%s: %s", cmd,
                   g_strstrip (err));
      return FALSE;
    }
  return TRUE;
}

static void
set_link (FrDevice *self, gboolean up)
{
  g_autoptr(GError) error = NULL;
  const char *args[] = { "link", "set", "dev", self->config.interface, up ? "up" : "down", NULL };
  if (self->config.loopback)
    return;
  if (!run_ip (self, args, &error))
    fr_device_log_event (self, "power", "link %s failed: %s", up ? "up" : "down", error->message);
}

/* The Ethernet address the unit shows: the firmware takes the factory MAC
 * (flash 0x40004); U-Boot's recovery uses its own odd default environment
 * ("00:AA:BB:CC:DD:10", WEB-UIS.md [I]). An erased or multicast factory MAC
 * falls back to the Ralink default prefix [I]. Set with the link down. */
static void
set_mac (FrDevice *self, gboolean recovery)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mac12 = fr_device_factory_mac12 (self);
  char mac[18];

  if (self->config.loopback)
    return;
  if (recovery)
    g_strlcpy (mac, "00:aa:bb:cc:dd:10", sizeof mac);
  else if ((g_ascii_xdigit_value (mac12[1]) & 1) != 0 || g_str_equal (mac12, "000000000000"))
    g_strlcpy (mac, "00:0c:43:30:52:77", sizeof mac);
  else
    g_snprintf (mac, sizeof mac, "%.2s:%.2s:%.2s:%.2s:%.2s:%.2s", mac12, mac12 + 2, mac12 + 4,
                mac12 + 6, mac12 + 8, mac12 + 10);
  set_link (self, FALSE);
  const char *args[] = { "link", "set", "dev", self->config.interface, "address", mac, NULL };
  if (!run_ip (self, args, &error))
    fr_device_log_event (self, "net", "cannot set MAC %s: %s", mac, error->message);
}

gboolean
fr_device_set_addresses (FrDevice *self, const char *const *cidrs, GError **error)
{
  if (self->config.loopback)
    return TRUE;
  if (self->mode == FR_MODE_OFF || self->power_lost)
    return TRUE; /* nothing to hold while unpowered */

  const char *flush[] = { "-4", "addr", "flush", "dev", self->config.interface, NULL };
  if (!run_ip (self, flush, error))
    return FALSE;
  g_clear_pointer (&self->addresses, g_strfreev);
  for (guint i = 0; cidrs != NULL && cidrs[i] != NULL; i++)
    {
      const char *add[] = { "addr", "add", cidrs[i], "dev", self->config.interface, NULL };
      if (!run_ip (self, add, error))
        return FALSE;
    }
  self->addresses = g_strdupv ((char **) cidrs);
  g_autofree char *list = cidrs ? g_strjoinv (",", (char **) cidrs) : g_strdup ("");
  fr_device_log_event (self, "net", "addresses: %s", *list ? list : "(none)");
  return TRUE;
}

const char *const *
fr_device_get_addresses (FrDevice *self)
{
  return (const char *const *) self->addresses;
}

/* ---- faults -------------------------------------------------------------- */

const FrFaults *
fr_device_get_faults (FrDevice *self)
{
  return &self->faults;
}

static gboolean
parse_bool (const char *v, gboolean *out)
{
  if (g_strcmp0 (v, "1") == 0 || g_ascii_strcasecmp (v, "true") == 0
      || g_ascii_strcasecmp (v, "on") == 0 || g_ascii_strcasecmp (v, "yes") == 0)
    *out = TRUE;
  else if (g_strcmp0 (v, "0") == 0 || g_ascii_strcasecmp (v, "false") == 0
           || g_ascii_strcasecmp (v, "off") == 0 || g_ascii_strcasecmp (v, "no") == 0)
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

gboolean
fr_device_set_fault (FrDevice *self, const char *name, const char *value, GError **error)
{
  FrFaults *f = &self->faults;
  gboolean ok = TRUE;
  guint64 u = 0;

  if (value == NULL)
    value = "";
  if (g_str_equal (name, "power-cut-at-block") || g_str_equal (name, "drop-every-nth"))
    {
      ok = g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &u, NULL);
      if (ok)
        *(g_str_equal (name, "drop-every-nth") ? &f->drop_every_nth : &f->power_cut_at_block)
          = (guint) u;
    }
  else if (g_str_equal (name, "power-cut-during-write"))
    ok = parse_bool (value, &f->power_cut_during_write);
  else if (g_str_equal (name, "dead-ethernet"))
    ok = parse_bool (value, &f->dead_ethernet);
  else if (g_str_equal (name, "old-bootloader"))
    ok = parse_bool (value, &f->old_bootloader_no_crc);
  else if (g_str_equal (name, "reject-upload"))
    ok = parse_bool (value, &f->reject_upload);
  else if (g_str_equal (name, "wrong-credentials"))
    ok = parse_bool (value, &f->wrong_credentials);
  else if (g_str_equal (name, "reset-still-held"))
    ok = parse_bool (value, &f->reset_still_held);
  else if (g_str_equal (name, "update-flag"))
    {
      /* Not a fault but flash contents: the u32 LE at 0x20000 that makes the
       * next boot enter recovery (RECOVERY.md). Written even while off. */
      char *end = NULL;
      u = g_ascii_strtoull (value, &end, 0);  /* decimal or 0x... */
      ok = *value != '\0' && end != value && *end == '\0' && u <= G_MAXUINT32;
      if (ok)
        {
          guint8 w[4] = { u & 0xff, (u >> 8) & 0xff, (u >> 16) & 0xff, (u >> 24) & 0xff };
          if (!fr_flash_write (self->flash, FR_UPDATE_FLAG_OFFSET, w, sizeof w, error))
            return FALSE;
        }
    }
  else if (g_str_equal (name, "slow-flash"))
    {
      char *end = NULL;
      double d = g_ascii_strtod (value, &end);
      ok = end != value && *end == '\0' && d >= 0;
      if (ok)
        f->slow_flash = d;
    }
  else if (g_str_equal (name, "lan-address"))
    {
      g_auto(GStrv) parts = g_strsplit (value, "/", 2);
      g_autoptr(GInetAddress) addr = NULL;
      guint64 prefix = 0;
      if (*value == '\0' || g_str_equal (value, "default"))
        g_clear_pointer (&f->lan_address, g_free);
      else if (parts[1] != NULL
               && (addr = g_inet_address_new_from_string (parts[0])) != NULL
               && g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV4
               && g_ascii_string_to_unsigned (parts[1], 10, 8, 30, &prefix, NULL))
        {
          g_free (f->lan_address);
          f->lan_address = g_strdup (value);
        }
      else
        ok = FALSE;
    }
  else
    {
      g_set_error (error, FR_DEVICE_ERROR, FR_DEVICE_ERROR_INVALID, "unknown fault '%s'", name);
      return FALSE;
    }
  if (!ok)
    {
      g_set_error (error, FR_DEVICE_ERROR, FR_DEVICE_ERROR_INVALID,
                   "bad value '%s' for fault '%s'", value, name);
      return FALSE;
    }
  fr_device_log_event (self, "fault", "%s = %s", name, value);
  return TRUE;
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
  gboolean flag = update_flag_is_set (self);
  set_mac (self, reset_held != flag);
  set_link (self, TRUE);
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
  set_link (self, FALSE);
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
  g_clear_handle_id (&self->reboot_source, g_source_remove);
  self->reboot_reset_held = FALSE;
  fr_device_log_event (self, "power", "reboot in %u ms (real time)", real_ms);
  self->reboot_source = g_timeout_add (fr_device_scaled_ms (self, real_ms), reboot_cb, self);
}
