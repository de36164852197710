/* fr-device-net.c — the device's interface: link state, MAC, addresses,
 * all through iproute2's `ip` inside the router's namespace. */
#include "config.h"

#include <string.h>

#include "fr-device-internal.h"

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

void
fr_device_set_link (FrDevice *self, gboolean up)
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
void
fr_device_set_mac (FrDevice *self, gboolean recovery)
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
  fr_device_set_link (self, FALSE);
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

