/* fr-device-faults.c — fault switches by name (command line and the
 * control channel's `set`). */
#include "config.h"

#include <string.h>

#include "fr-device-internal.h"

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
  else if (g_str_equal (name, "no-reboot"))
    ok = parse_bool (value, &f->no_reboot);
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

