/* fr-telnet.c — the firmware's other doors, as far as identification sees
 * them: telnetd on 23 (Hame and MPR-L8 stock with a login prompt; OpenWrt
 * only while root has no password, straight into a shell) and OpenWrt's
 * dropbear on 22 (WEB-UIS.md). Only the prompts and banners matter; the
 * "shell" accepts nothing. */
#include "config.h"

#include <string.h>

#include "fr-device-private.h"
#include "fr-telnet.h"

typedef struct {
  FrDevice *dev;
  FrFamily  family;
  char     *user;      /* stock login, NULL for OpenWrt */
  char     *password;
  char     *prompt;    /* "ZLMnet login: " ... */
  GCancellable *power; /* cancelled when the firmware stops: sessions end */
} Door;

typedef struct {
  Door              *door;   /* owned by the service, outlives no connection */
  GSocketService    *service;
  GSocketConnection *conn;
  GDataInputStream  *in;
  int                state;  /* 0 login, 1 password, 2 shell */
  char              *user;
} Session;

static void read_line (Session *s);

static void
door_free (gpointer p)
{
  Door *d = p;
  g_free (d->user);
  g_free (d->password);
  g_free (d->prompt);
  g_object_unref (d->power);
  g_free (d);
}

static void
session_free (Session *s)
{
  g_io_stream_close (G_IO_STREAM (s->conn), NULL, NULL);
  g_object_unref (s->in);
  g_object_unref (s->conn);
  g_object_unref (s->service);
  g_free (s->user);
  g_free (s);
}

static void
say (Session *s, const char *text)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (s->conn));
  g_output_stream_write_all (out, text, strlen (text), NULL, NULL, NULL);
}

/* BusyBox ash on OpenWrt 14.07 [I: the release's banner]. */
static const char openwrt_banner[] =
  "\r\n\r\nBusyBox v1.22.1 (2014-09-20 22:01:35 CEST) built-in shell (ash)\r\n"
  "Enter 'help' for a list of built-in commands.\r\n\r\n"
  "  _______                     ________        __\r\n"
  " |       |.-----.-----.-----.|  |  |  |.----.|  |_\r\n"
  " |   -   ||  _  |  -__|     ||  |  |  ||   _||   _|\r\n"
  " |_______||   __|_____|__|__||________||__|  |____|\r\n"
  "          |__| W I R E L E S S   F R E E D O M\r\n"
  " -----------------------------------------------------\r\n"
  " BARRIER BREAKER (14.07, r42625)\r\n"
  " -----------------------------------------------------\r\n"
  "root@OpenWrt:/# ";

static void
line_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Session *s = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish (s->in, result, NULL, NULL);

  if (line == NULL)
    {
      session_free (s);
      return;
    }
  g_strstrip (line);
  /* Telnet option negotiation bytes (IAC ...) are left in: a real client's
   * first line may carry them; only the text after the last one counts. */
  const char *text = line;
  for (const char *p = line; *p; p++)
    if ((guchar) *p >= 0xf0)
      text = p + 1;

  if (s->state == 2)
    {
      if (g_str_equal (text, "exit"))
        {
          session_free (s);
          return;
        }
      say (s, s->door->family == FR_FAMILY_OPENWRT ? "root@OpenWrt:/# " : "# ");
    }
  else if (s->state == 0)
    {
      g_free (s->user);
      s->user = g_strdup (text);
      s->state = 1;
      say (s, "Password: ");
    }
  else
    {
      gboolean ok = g_strcmp0 (s->user, s->door->user) == 0
                    && g_strcmp0 (text, s->door->password) == 0
                    && !fr_device_get_faults (s->door->dev)->wrong_credentials;
      fr_device_log_event (s->door->dev, "telnet", "login as %s: %s", s->user,
                           ok ? "ok" : "Login incorrect");
      if (ok)
        {
          s->state = 2;
          say (s, "\r\n\r\nBusyBox v1.12.1 (2012-08-21 10:43:12 CST) built-in shell (ash)\r\n"
                  "Enter 'help' for a list of built-in commands.\r\n\r\n# ");
        }
      else
        {
          s->state = 0;
          say (s, "\r\nLogin incorrect\r\n");
          say (s, s->door->prompt);
        }
    }
  read_line (s);
}

static void
read_line (Session *s)
{
  g_data_input_stream_read_line_async (s->in, G_PRIORITY_DEFAULT, s->door->power, line_cb, s);
}

static gboolean
telnet_incoming_cb (GSocketService *service, GSocketConnection *conn, GObject *source,
                    gpointer data)
{
  Session *s = g_new0 (Session, 1);
  s->door = data;
  s->service = g_object_ref (service);
  s->conn = g_object_ref (conn);
  s->in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  g_data_input_stream_set_newline_type (s->in, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  if (s->door->family == FR_FAMILY_OPENWRT)
    {
      s->state = 2;
      say (s, openwrt_banner);
    }
  else
    say (s, s->door->prompt);
  read_line (s);
  return TRUE;
}

static gboolean
ssh_incoming_cb (GSocketService *service, GSocketConnection *conn, GObject *source,
                 gpointer data)
{
  /* dropbear's identification string; the key exchange is not simulated. */
  static const char banner[] = "SSH-2.0-dropbear_2014.63\r\n";
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  g_output_stream_write_all (out, banner, sizeof banner - 1, NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  return TRUE;
}

static GSocketService *
listen_on (guint16 port, GError **error)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (any, port);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), addr, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, NULL, error))
    return NULL;
  return g_steal_pointer (&service);
}

GPtrArray *
fr_telnet_start (FrDevice *dev, FrFamily family, GError **error)
{
  const FrDeviceConfig *cfg = fr_device_get_config (dev);
  g_autoptr(GPtrArray) services = g_ptr_array_new_with_free_func (fr_telnet_service_free);
  gboolean open_shell = family == FR_FAMILY_OPENWRT && cfg->luci_password == NULL
                        && !fr_device_get_faults (dev)->wrong_credentials;

  /* OpenWrt: telnet only while root has no password [V]. */
  if (family != FR_FAMILY_OPENWRT || open_shell)
    {
      GSocketService *telnet = listen_on (23, error);
      if (telnet == NULL)
        return NULL;
      Door *door = g_new0 (Door, 1);
      door->dev = dev;
      door->family = family;
      door->power = g_cancellable_new ();
      if (family == FR_FAMILY_HAME_STOCK)
        {
          door->user = g_strdup ("hame");
          door->prompt = g_strdup ("\r\n(none) login: ");
        }
      else if (family == FR_FAMILY_MPRL8_STOCK)
        {
          door->user = g_strdup ("admin");
          door->prompt = g_strdup (cfg->l8_m1_prompt ? "\r\nM1 login: " : "\r\nZLMnet login: ");
        }
      door->password = g_strdup (cfg->stock_password ? cfg->stock_password
                                                     : family == FR_FAMILY_HAME_STOCK ? "hame" : "admin");
      g_object_set_data_full (G_OBJECT (telnet), "fr-door", door, door_free);
      g_signal_connect (telnet, "incoming", G_CALLBACK (telnet_incoming_cb), door);
      g_socket_service_start (telnet);
      g_ptr_array_add (services, telnet);
    }
  if (family == FR_FAMILY_OPENWRT)
    {
      GSocketService *ssh = listen_on (22, error);
      if (ssh == NULL)
        return NULL;
      g_signal_connect (ssh, "incoming", G_CALLBACK (ssh_incoming_cb), NULL);
      g_socket_service_start (ssh);
      g_ptr_array_add (services, ssh);
    }
  return g_steal_pointer (&services);
}

void
fr_telnet_service_free (gpointer p)
{
  GSocketService *service = p;
  Door *door = g_object_get_data (G_OBJECT (service), "fr-door");
  if (door != NULL)
    g_cancellable_cancel (door->power);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  g_object_unref (service);
}
