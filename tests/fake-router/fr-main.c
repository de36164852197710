/* fr-main.c — mpf-fake-router: command line, safety guard, main loop.
 * Every switch is documented in README.md next to the facts it rests on. */
#include "config.h"

#include <glib-unix.h>
#include <stdlib.h>

#include "mpf-netns-guard.h"
#include "fr-control.h"
#include "fr-device.h"
#include "fr-image.h"

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  g_autofree char *interface = NULL, *flash = NULL, *init_flash = NULL, *mac = NULL;
  g_autofree char *make_image = NULL, *output = NULL, *control = NULL, *send = NULL;
  g_autofree char *stock_family = NULL, *stock_password = NULL, *luci_password = NULL;
  g_autofree char *l8_address = NULL, *l8_wording = NULL, *lan_address = NULL;
  g_autofree char *l8_telnet = NULL;
  g_autofree char *slow_flash = NULL;
  gint64 image_size = 0;
  int http_port = 0, power_cut_at_block = 0, drop_every_nth = 0;
  double time_scale = 1.0;
  gboolean loopback = FALSE, no_dhcp = FALSE, reset_held = FALSE, start_off = FALSE;
  gboolean cut_write = FALSE, dead_eth = FALSE, old_bl = FALSE, reject = FALSE;
  gboolean wrong_creds = FALSE, still_held = FALSE, no_reboot = FALSE;
  g_autoptr(GError) error = NULL;

  GOptionEntry entries[] = {
    { "interface", 'i', 0, G_OPTION_ARG_STRING, &interface, "Interface the router owns (inside a test namespace)", "IF" },
    { "flash", 'f', 0, G_OPTION_ARG_FILENAME, &flash, "Flash memory file (4 MiB)", "FILE" },
    { "init-flash", 0, 0, G_OPTION_ARG_STRING, &init_flash, "Create the flash file: hame-stock|mprl8-stock|openwrt|openwrt-generic|bricked|erased|IMAGEFILE", "WHAT" },
    { "mac", 0, 0, G_OPTION_ARG_STRING, &mac, "Factory MAC for --init-flash (default 9c:41:7c:75:a4:78)", "MAC" },
    { "image-size", 0, 0, G_OPTION_ARG_INT64, &image_size, "Size of synthetic images in bytes (default 1 MiB)", "BYTES" },
    { "make-image", 0, 0, G_OPTION_ARG_STRING, &make_image, "Write a synthetic firmware file and exit: hame-stock|openwrt|openwrt-generic|mprl8-stock|openwrt-encoded|corrupt", "KIND" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Where --make-image writes", "FILE" },
    { "time-scale", 0, 0, G_OPTION_ARG_DOUBLE, &time_scale, "Multiply every device duration (1 = real time)", "X" },
    { "loopback", 0, 0, G_OPTION_ARG_NONE, &loopback, "Serve on 127.0.0.1 only: no addresses, no DHCP (demo mode)", NULL },
    { "http-port", 0, 0, G_OPTION_ARG_INT, &http_port, "Web port (default 80)", "PORT" },
    { "stock-family", 0, 0, G_OPTION_ARG_STRING, &stock_family, "Which stock a 'Linux Kernel Image' boots: hame|mpr-l8|auto (default hame)", "F" },
    { "l8-address", 0, 0, G_OPTION_ARG_STRING, &l8_address, "MPR-L8 stock LAN: 100 (192.168.100.1, default) or 169", "100|169" },
    { "l8-wording", 0, 0, G_OPTION_ARG_STRING, &l8_wording, "MPR-L8 upload reply: completed (default) or done", "W" },
    { "l8-telnet-prompt", 0, 0, G_OPTION_ARG_STRING, &l8_telnet, "MPR-L8 telnet prompt: zlmnet (default) or m1", "P" },
    { "stock-password", 0, 0, G_OPTION_ARG_STRING, &stock_password, "Stock web password (default hame; admin on MPR-L8)", "PW" },
    { "luci-password", 0, 0, G_OPTION_ARG_STRING, &luci_password, "OpenWrt root password (default none: any accepted)", "PW" },
    { "no-dhcp", 0, 0, G_OPTION_ARG_NONE, &no_dhcp, "Do not run dnsmasq", NULL },
    { "control", 'c', 0, G_OPTION_ARG_FILENAME, &control, "Control socket path", "PATH" },
    { "send", 0, 0, G_OPTION_ARG_STRING, &send, "Client: send one command to --control and print the reply", "CMD" },
    { "reset-held", 0, 0, G_OPTION_ARG_NONE, &reset_held, "First power-on with the reset button held", NULL },
    { "start-off", 0, 0, G_OPTION_ARG_NONE, &start_off, "Start powered off (power-on through the control channel)", NULL },
    { "power-cut-at-block", 0, 0, G_OPTION_ARG_INT, &power_cut_at_block, "Fault: power cut when the bootloader receives TFTP block N", "N" },
    { "power-cut-during-write", 0, 0, G_OPTION_ARG_NONE, &cut_write, "Fault: power cut halfway through the next flash write", NULL },
    { "drop-every-nth", 0, 0, G_OPTION_ARG_INT, &drop_every_nth, "Fault: the bootloader drops every Nth packet it receives", "N" },
    { "dead-ethernet", 0, 0, G_OPTION_ARG_NONE, &dead_eth, "Fault: bootloader Ethernet never comes up", NULL },
    { "old-bootloader", 0, 0, G_OPTION_ARG_NONE, &old_bl, "Fault: older bootloader, read request without the CRC field", NULL },
    { "slow-flash", 0, 0, G_OPTION_ARG_STRING, &slow_flash, "Fault: flash writes take X times longer", "X" },
    { "reject-upload", 0, 0, G_OPTION_ARG_NONE, &reject, "Fault: the web UIs refuse every firmware upload", NULL },
    { "wrong-credentials", 0, 0, G_OPTION_ARG_NONE, &wrong_creds, "Fault: the owner changed the web password", NULL },
    { "lan-address", 0, 0, G_OPTION_ARG_STRING, &lan_address, "Fault: the owner changed the LAN address (CIDR)", "CIDR" },
    { "reset-still-held", 0, 0, G_OPTION_ARG_NONE, &still_held, "Fault: reset button still held at the reboot after recovery", NULL },
    { "no-reboot", 0, 0, G_OPTION_ARG_NONE, &no_reboot, "Fault: a reboot the firmware or bootloader asks for never happens", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- the simulated MPR-A1-class router");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("mpf-fake-router: %s\n", error->message);
      return 2;
    }

  if (send != NULL)
    {
      if (control == NULL)
        return g_printerr ("mpf-fake-router: --send needs --control\n"), 2;
      int rc = fr_control_send (control, send, &error);
      if (rc == 2)
        g_printerr ("mpf-fake-router: %s\n", error ? error->message : "no reply");
      return rc;
    }

  if (make_image != NULL)
    {
      g_autoptr(GBytes) img = fr_image_make (make_image, (gsize) image_size, &error);
      if (img == NULL || output == NULL
          || !g_file_set_contents (output, g_bytes_get_data (img, NULL),
                                   (gssize) g_bytes_get_size (img), &error))
        {
          g_printerr ("mpf-fake-router: %s\n", error ? error->message : "--make-image needs --output");
          return 1;
        }
      return 0;
    }

  if (flash == NULL)
    return g_printerr ("mpf-fake-router: --flash is required\n"), 2;
  if (init_flash != NULL
      && !fr_image_init_flash (flash, init_flash, mac, (gsize) image_size, &error))
    {
      g_printerr ("mpf-fake-router: --init-flash: %s\n", error->message);
      return 1;
    }
  if (interface == NULL && !loopback)
    {
      if (init_flash != NULL)
        return 0;
      return g_printerr ("mpf-fake-router: --interface or --loopback is required\n"), 2;
    }

  /* Never configure addresses, serve DHCP or bind 80 on the host itself. */
  if (!loopback && !mpf_netns_guard (&error))
    {
      g_printerr ("mpf-fake-router: %s (or use --loopback)\n", error->message);
      return 3;
    }

  FrDeviceConfig cfg = {
    .interface = interface,
    .flash_path = flash,
    .time_scale = time_scale,
    .loopback = loopback,
    .http_port = http_port > 0 ? (guint) http_port : 80,
    .stock_family = stock_family ? stock_family : (char *) "hame",
    .l8_address_169 = g_strcmp0 (l8_address, "169") == 0,
    .l8_done_wording = g_strcmp0 (l8_wording, "done") == 0,
    .stock_password = stock_password,
    .luci_password = luci_password,
    .no_dhcp = no_dhcp || loopback,
    .l8_m1_prompt = g_strcmp0 (l8_telnet, "m1") == 0,
  };
  if (!g_strv_contains ((const char *const[]) { "hame", "mpr-l8", "auto", NULL }, cfg.stock_family)
      || (l8_address && !g_strv_contains ((const char *const[]) { "100", "169", NULL }, l8_address))
      || (l8_wording && !g_strv_contains ((const char *const[]) { "completed", "done", NULL }, l8_wording))
      || (l8_telnet && !g_strv_contains ((const char *const[]) { "zlmnet", "m1", NULL }, l8_telnet))
      || time_scale <= 0)
    return g_printerr ("mpf-fake-router: bad --stock-family/--l8-address/--l8-wording/--l8-telnet-prompt/--time-scale\n"), 2;
  if (loopback && http_port <= 0)
    return g_printerr ("mpf-fake-router: --loopback needs --http-port\n"), 2;

  g_autoptr(FrDevice) dev = fr_device_new (&cfg, NULL, &error);
  if (dev == NULL)
    {
      g_printerr ("mpf-fake-router: %s\n", error->message);
      return 1;
    }
  struct { const char *name; char *value; } faults[] = {
    { "power-cut-at-block", power_cut_at_block ? g_strdup_printf ("%d", power_cut_at_block) : NULL },
    { "power-cut-during-write", cut_write ? g_strdup ("1") : NULL },
    { "drop-every-nth", drop_every_nth ? g_strdup_printf ("%d", drop_every_nth) : NULL },
    { "dead-ethernet", dead_eth ? g_strdup ("1") : NULL },
    { "old-bootloader", old_bl ? g_strdup ("1") : NULL },
    { "slow-flash", g_strdup (slow_flash) },
    { "reject-upload", reject ? g_strdup ("1") : NULL },
    { "wrong-credentials", wrong_creds ? g_strdup ("1") : NULL },
    { "lan-address", g_strdup (lan_address) },
    { "reset-still-held", still_held ? g_strdup ("1") : NULL },
    { "no-reboot", no_reboot ? g_strdup ("1") : NULL },
  };
  gboolean faults_ok = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      if (faults_ok && faults[i].value != NULL
          && !fr_device_set_fault (dev, faults[i].name, faults[i].value, &error))
        faults_ok = FALSE;
      g_free (faults[i].value);
    }
  if (!faults_ok)
    {
      g_printerr ("mpf-fake-router: %s\n", error->message);
      return 2;
    }

  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  FrControl *ctl = NULL;
  if (control != NULL && (ctl = fr_control_new (dev, control, loop, &error)) == NULL)
    {
      g_printerr ("mpf-fake-router: control socket: %s\n", error->message);
      return 1;
    }
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  if (!start_off)
    fr_device_power_on (dev, reset_held);
  g_main_loop_run (loop);

  fr_control_free (ctl);
  fr_device_power_off (dev);
  return 0;
}
