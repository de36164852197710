/* fr-control.c — the test's hand on the device: a Unix socket taking one
 * command per line and answering one JSON object per line (README.md). */
#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "fr-control.h"
#include "fr-device-private.h"

struct _FrControl {
  FrDevice       *dev;
  GMainLoop      *loop;
  GSocketService *service;
  char           *path;
};

typedef struct {
  FrControl         *ctl;
  GSocketConnection *conn;
  GDataInputStream  *in;
  /* a pending `wait` */
  char   *want_mode;
  char   *want_family;
  guint64 want_boot;     /* 0: any boot */
  gint64  deadline_us;
  guint   wait_source;
} Client;

static void read_next (Client *c);

static void
client_free (Client *c)
{
  g_clear_handle_id (&c->wait_source, g_source_remove);
  g_free (c->want_mode);
  g_free (c->want_family);
  g_object_unref (c->in);
  g_object_unref (c->conn);
  g_free (c);
}

static void
send_json (Client *c, JsonBuilder *b)
{
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, root);
  g_autofree char *text = json_generator_to_data (gen, NULL);
  g_autofree char *line = g_strconcat (text, "\n", NULL);
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (c->conn));
  g_output_stream_write_all (out, line, strlen (line), NULL, NULL, NULL);
}

static void
send_ok (Client *c, const char *error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, error == NULL);
  if (error != NULL)
    {
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, error);
    }
  json_builder_end_object (b);
  send_json (c, b);
}

static void
add_str (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_bool (JsonBuilder *b, const char *name, gboolean value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

static void
send_state (Client *c)
{
  FrDevice *dev = c->ctl->dev;
  const FrFaults *f = fr_device_get_faults (dev);
  FrMode mode = fr_device_get_mode (dev);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *sha = fr_device_firmware_sha256 (dev);
  g_autofree char *mac = fr_device_factory_mac12 (dev);
  const char *const *addrs = fr_device_get_addresses (dev);

  json_builder_begin_object (b);
  add_bool (b, "ok", TRUE);
  add_str (b, "power", mode == FR_MODE_OFF ? "off" : "on");
  add_str (b, "mode", fr_device_mode_to_string (mode));
  add_str (b, "family", fr_device_family_to_string (fr_device_get_family (dev)));
  add_str (b, "version", fr_device_get_version (dev));
  add_str (b, "boot_reason", fr_device_get_boot_reason (dev));
  add_str (b, "interface", fr_device_get_interface (dev));
  json_builder_set_member_name (b, "addresses");
  json_builder_begin_array (b);
  for (guint i = 0; mode != FR_MODE_OFF && addrs && addrs[i]; i++)
    json_builder_add_string_value (b, addrs[i]);
  json_builder_end_array (b);
  add_str (b, "factory_mac", mac);
  add_int (b, "update_flag", fr_device_get_update_flag (dev));
  add_bool (b, "reset_held", fr_device_reset_button_is_held (dev));
  add_str (b, "firmware_sha256", sha);
  add_str (b, "last_upload", fr_device_get_last_upload (dev));
  add_int (b, "boot_count", fr_device_get_boot_count (dev));
  add_int (b, "uptime_ms", fr_device_get_uptime_ms (dev));
  json_builder_set_member_name (b, "time_scale");
  json_builder_add_double_value (b, fr_device_get_time_scale (dev));
  add_int (b, "events", fr_device_get_n_events (dev));

  json_builder_set_member_name (b, "faults");
  json_builder_begin_object (b);
  add_int (b, "power-cut-at-block", f->power_cut_at_block);
  add_bool (b, "power-cut-during-write", f->power_cut_during_write);
  add_int (b, "drop-every-nth", f->drop_every_nth);
  add_bool (b, "dead-ethernet", f->dead_ethernet);
  add_bool (b, "old-bootloader", f->old_bootloader_no_crc);
  json_builder_set_member_name (b, "slow-flash");
  json_builder_add_double_value (b, f->slow_flash);
  add_bool (b, "reject-upload", f->reject_upload);
  add_bool (b, "wrong-credentials", f->wrong_credentials);
  add_str (b, "lan-address", f->lan_address);
  add_bool (b, "reset-still-held", f->reset_still_held);
  add_bool (b, "no-reboot", f->no_reboot);
  json_builder_end_object (b);
  json_builder_end_object (b);
  send_json (c, b);
}

static void
send_events (Client *c, guint from)
{
  FrDevice *dev = c->ctl->dev;
  guint n = fr_device_get_n_events (dev);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_bool (b, "ok", TRUE);
  add_int (b, "next", n);
  json_builder_set_member_name (b, "events");
  json_builder_begin_array (b);
  for (guint i = from; i < n; i++)
    {
      gint64 t;
      guint boot;
      const char *kind, *text;
      fr_device_get_event (dev, i, &t, &boot, &kind, &text);
      json_builder_begin_object (b);
      add_int (b, "t_ms", t);
      add_int (b, "boot", boot);
      add_str (b, "kind", kind);
      add_str (b, "text", text);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  send_json (c, b);
}

static gboolean
wait_reached (Client *c)
{
  FrDevice *dev = c->ctl->dev;
  if (g_strcmp0 (fr_device_mode_to_string (fr_device_get_mode (dev)), c->want_mode) != 0)
    return FALSE;
  if (c->want_boot > 0 && fr_device_get_boot_count (dev) < c->want_boot)
    return FALSE;
  return c->want_family == NULL
         || g_strcmp0 (fr_device_family_to_string (fr_device_get_family (dev)), c->want_family) == 0;
}

static gboolean
wait_poll_cb (gpointer data)
{
  Client *c = data;

  if (wait_reached (c))
    send_ok (c, NULL);
  else if (g_get_monotonic_time () < c->deadline_us)
    return G_SOURCE_CONTINUE;
  else
    {
      FrDevice *dev = c->ctl->dev;
      g_autofree char *e = g_strdup_printf ("timeout: mode is %s/%s",
                                            fr_device_mode_to_string (fr_device_get_mode (dev)),
                                            fr_device_family_to_string (fr_device_get_family (dev)));
      send_ok (c, e);
    }
  c->wait_source = 0;
  read_next (c);
  return G_SOURCE_REMOVE;
}

/* Returns FALSE when the reply is deferred (wait) or the client is done. */
static gboolean
run_command (Client *c, char **argv)
{
  FrDevice *dev = c->ctl->dev;
  const char *cmd = argv[0] ? argv[0] : "";
  guint argc = g_strv_length (argv);
  g_autoptr(GError) error = NULL;

  fr_device_log_event (dev, "control", "%s%s%s", cmd, argc > 1 ? " " : "",
                       argc > 1 ? argv[1] : "");
  if (g_str_equal (cmd, "state"))
    send_state (c);
  else if (g_str_equal (cmd, "power-cycle") || g_str_equal (cmd, "power-on"))
    {
      gboolean held = argc > 1 && g_str_equal (argv[1], "reset-held");
      if (argc > 1 && !held)
        return send_ok (c, "usage: power-cycle|power-on [reset-held]"), TRUE;
      if (g_str_equal (cmd, "power-cycle"))
        fr_device_power_off (dev);
      fr_device_power_on (dev, held);
      send_ok (c, NULL);
    }
  else if (g_str_equal (cmd, "power-off"))
    {
      fr_device_power_off (dev);
      send_ok (c, NULL);
    }
  else if (g_str_equal (cmd, "set"))
    {
      if (argc < 2 || argc > 3)
        send_ok (c, "usage: set FAULT [VALUE]");
      else if (!fr_device_set_fault (dev, argv[1], argc == 3 ? argv[2] : "", &error))
        send_ok (c, error->message);
      else
        send_ok (c, NULL);
    }
  else if (g_str_equal (cmd, "events"))
    {
      guint64 from = 0;
      if (argc > 1 && !g_ascii_string_to_unsigned (argv[1], 10, 0, G_MAXUINT, &from, NULL))
        send_ok (c, "usage: events [FROM]");
      else
        send_events (c, (guint) from);
    }
  else if (g_str_equal (cmd, "wait"))
    {
      /* wait MODE[/FAMILY][@BOOT] SECONDS: answers when the unit is in that
       * mode (and family, and at least that boot count); the bound is real time. */
      guint64 secs = 60;
      c->want_boot = 0;
      if (argc < 2 || (argc > 2 && !g_ascii_string_to_unsigned (argv[2], 10, 1, 3600, &secs, NULL)))
        return send_ok (c, "usage: wait MODE[/FAMILY][@BOOT] [SECONDS]"), TRUE;
      g_auto(GStrv) mb = g_strsplit (argv[1], "@", 2);
      if (mb[1] != NULL && !g_ascii_string_to_unsigned (mb[1], 10, 1, G_MAXUINT, &c->want_boot, NULL))
        return send_ok (c, "usage: wait MODE[/FAMILY][@BOOT] [SECONDS]"), TRUE;
      g_auto(GStrv) mf = g_strsplit (mb[0], "/", 2);
      g_free (c->want_mode);
      g_free (c->want_family);
      c->want_mode = g_strdup (mf[0]);
      c->want_family = g_strdup (mf[1]);
      c->deadline_us = g_get_monotonic_time () + (gint64) secs * G_USEC_PER_SEC;
      c->wait_source = g_timeout_add (10, wait_poll_cb, c);
      return FALSE;
    }
  else if (g_str_equal (cmd, "quit"))
    {
      send_ok (c, NULL);
      g_main_loop_quit (c->ctl->loop);
    }
  else if (g_str_equal (cmd, "help"))
    send_ok (c, "commands: state | power-cycle [reset-held] | power-on [reset-held] | power-off"
                " | set FAULT VALUE | events [FROM] | wait MODE[/FAMILY][@BOOT] [SECONDS] | quit");
  else
    {
      g_autofree char *e = g_strdup_printf ("unknown command '%s' (try help)", cmd);
      send_ok (c, e);
    }
  return TRUE;
}

static void
line_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Client *c = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish (c->in, result, NULL, NULL);

  if (line == NULL)
    {
      client_free (c);
      return;
    }
  g_auto(GStrv) argv = g_strsplit_set (g_strstrip (line), " \t", -1);
  /* Collapse empty words from repeated spaces. */
  GPtrArray *words = g_ptr_array_new ();
  for (guint i = 0; argv[i]; i++)
    if (*argv[i])
      g_ptr_array_add (words, argv[i]);
  g_ptr_array_add (words, NULL);
  gboolean again = run_command (c, (char **) words->pdata);
  g_ptr_array_free (words, TRUE);
  if (again)
    read_next (c);
}

static void
read_next (Client *c)
{
  g_data_input_stream_read_line_async (c->in, G_PRIORITY_DEFAULT, NULL, line_read_cb, c);
}

static gboolean
incoming_cb (GSocketService *service, GSocketConnection *conn, GObject *source, gpointer data)
{
  Client *c = g_new0 (Client, 1);
  c->ctl = data;
  c->conn = g_object_ref (conn);
  c->in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  read_next (c);
  return TRUE;
}

FrControl *
fr_control_new (FrDevice *dev, const char *path, GMainLoop *loop, GError **error)
{
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new (path);
  g_autoptr(GSocketService) service = g_socket_service_new ();

  g_unlink (path);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), addr, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, error))
    return NULL;
  FrControl *ctl = g_new0 (FrControl, 1);
  ctl->dev = dev;
  ctl->loop = loop;
  ctl->path = g_strdup (path);
  ctl->service = g_steal_pointer (&service);
  g_signal_connect (ctl->service, "incoming", G_CALLBACK (incoming_cb), ctl);
  g_socket_service_start (ctl->service);
  return ctl;
}

void
fr_control_free (FrControl *ctl)
{
  if (ctl == NULL)
    return;
  g_socket_service_stop (ctl->service);
  g_socket_listener_close (G_SOCKET_LISTENER (ctl->service));
  g_object_unref (ctl->service);
  g_unlink (ctl->path);
  g_free (ctl->path);
  g_free (ctl);
}

int
fr_control_send (const char *path, const char *command, GError **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new (path);
  g_autoptr(GSocketConnection) conn =
    g_socket_client_connect (client, G_SOCKET_CONNECTABLE (addr), NULL, error);
  if (conn == NULL)
    return 2;
  g_autofree char *line = g_strconcat (command, "\n", NULL);
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  if (!g_output_stream_write_all (out, line, strlen (line), NULL, NULL, error))
    return 2;
  g_autoptr(GDataInputStream) in =
    g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  g_autofree char *reply = g_data_input_stream_read_line (in, NULL, NULL, error);
  if (reply == NULL)
    {
      if (error && *error == NULL)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "no reply");
      return 2;
    }
  g_print ("%s\n", reply);
  /* Exit status follows "ok" so shell tests can `&&` commands. */
  g_autoptr(JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, reply, -1, error))
    return 2;
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return 2;
  return json_object_get_boolean_member_with_default (json_node_get_object (root), "ok", FALSE)
         ? 0 : 1;
}
