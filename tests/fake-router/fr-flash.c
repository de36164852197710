/* fr-flash.c — the flash chip as a file: plain pread/pwrite, synced, so a
 * killed simulator leaves exactly what a powered-off chip would hold. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fr-device.h"
#include "fr-flash.h"

struct _FrFlash {
  int fd;
  char *path;
};

static gboolean
check_range (gsize offset, gsize len, GError **error)
{
  if (offset > FR_FLASH_SIZE || len > FR_FLASH_SIZE - offset)
    {
      g_set_error (error, FR_DEVICE_ERROR, FR_DEVICE_ERROR_RANGE,
                   "flash access 0x%zx+0x%zx outside the chip", offset, len);
      return FALSE;
    }
  return TRUE;
}

FrFlash *
fr_flash_open (const char *path, GError **error)
{
  int fd = open (path, O_RDWR | O_CLOEXEC);
  struct stat st;

  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, FR_DEVICE_ERROR, FR_DEVICE_ERROR_IO,
                   "cannot open flash file %s: %s", path, g_strerror (e));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || st.st_size != FR_FLASH_SIZE)
    {
      g_set_error (error, FR_DEVICE_ERROR, FR_DEVICE_ERROR_IO,
                   "flash file %s is not %u bytes (use --init-flash)", path, FR_FLASH_SIZE);
      close (fd);
      return NULL;
    }
  FrFlash *flash = g_new0 (FrFlash, 1);
  flash->fd = fd;
  flash->path = g_strdup (path);
  return flash;
}

void
fr_flash_free (FrFlash *flash)
{
  if (flash == NULL)
    return;
  close (flash->fd);
  g_free (flash->path);
  g_free (flash);
}

gboolean
fr_flash_read (FrFlash *flash, gsize offset, guint8 *buf, gsize len, GError **error)
{
  if (!check_range (offset, len, error))
    return FALSE;
  gsize done = 0;
  while (done < len)
    {
      ssize_t n = pread (flash->fd, buf + done, len - done, (off_t) (offset + done));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, FR_DEVICE_ERROR, FR_DEVICE_ERROR_IO, "flash read failed: %s",
                       n < 0 ? g_strerror (errno) : "short file");
          return FALSE;
        }
      done += (gsize) n;
    }
  return TRUE;
}

gboolean
fr_flash_write (FrFlash *flash, gsize offset, const guint8 *data, gsize len, GError **error)
{
  if (!check_range (offset, len, error))
    return FALSE;
  gsize done = 0;
  while (done < len)
    {
      ssize_t n = pwrite (flash->fd, data + done, len - done, (off_t) (offset + done));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, FR_DEVICE_ERROR, FR_DEVICE_ERROR_IO, "flash write failed: %s",
                       n < 0 ? g_strerror (errno) : "no progress");
          return FALSE;
        }
      done += (gsize) n;
    }
  if (fdatasync (flash->fd) != 0)
    {
      g_set_error (error, FR_DEVICE_ERROR, FR_DEVICE_ERROR_IO, "flash sync failed: %s",
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
fr_flash_erase (FrFlash *flash, gsize offset, gsize len, GError **error)
{
  if (!check_range (offset, len, error))
    return FALSE;
  g_autofree guint8 *ff = g_malloc (len);
  memset (ff, 0xff, len);
  return fr_flash_write (flash, offset, ff, len, error);
}
