/* fr-device-flash.c — the device's flash API: reads, instant and timed
 * writes (NOR erase-then-program per 64 KiB sector, scaled real write time,
 * the power-cut-during-write and slow-flash faults), the factory MAC and the
 * update flag. */
#include "config.h"

#include <string.h>

#include "fr-device-internal.h"

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
gboolean
fr_device_update_flag_is_set (FrDevice *self)
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

