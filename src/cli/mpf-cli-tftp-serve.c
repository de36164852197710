/* mprflash-cli tftp-serve: the recovery path's TFTP engine and privileged
 * helper serving one file as-is to any standard TFTP client (a modern
 * U-Boot, tftp-hpa, curl). The address exists only while it runs. */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mpf-cli.h"
#include "mpf-cli-tftp-serve.h"
#include "mpf-helper-client.h"

typedef struct {
  GMainLoop       *loop;
  MpfHelperClient *client;
  char            *interface;
  char            *cidr;
  char            *ip;
  GBytes          *image;
  gboolean         once;
  gboolean         tty;
  guint            transfers;
  guint            quarter;     /* last 25 % step printed (logs, not a terminal) */
  int              status;
  gboolean         closing;
} Serve;

static void
finish (Serve *s, int status)
{
  if (s->status == -1)
    s->status = status;
  g_main_loop_quit (s->loop);
}

static void
close_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Serve *s = user_data;

  mpf_helper_client_finish (MPF_HELPER_CLIENT (source), result, NULL);
  g_main_loop_quit (s->loop);
}

/* Ending always goes through the helper: EOF makes it remove the address. */
static void
shut_down (Serve *s, int status)
{
  if (s->status == -1)
    s->status = status;
  if (s->client == NULL || !mpf_helper_client_is_running (s->client))
    {
      g_main_loop_quit (s->loop);
      return;
    }
  if (s->closing)
    return;
  s->closing = TRUE;
  mpf_helper_client_close_async (s->client, NULL, close_cb, s);
}

static void
fail (Serve *s, const char *what, const GError *error)
{
  if (s->tty)
    fputc ('\n', stderr);
  g_printerr ("%s: %s\n", what, error->message);
  shut_down (s, MPF_CLI_EXIT_REFUSED);
}

static double
seconds (JsonObject *o)
{
  return (double) json_object_get_int_member_with_default (o, "elapsed_us", 0) / G_USEC_PER_SEC;
}

static void
event_cb (MpfHelperClient *client, const char *name, JsonObject *o, gpointer user_data)
{
  Serve *s = user_data;
  gint64 bytes = json_object_get_int_member_with_default (o, "bytes", 0);
  gint64 total = json_object_get_int_member_with_default (o, "total", 0);

  if (g_str_equal (name, "tftp-request"))
    {
      g_autoptr(GString) opts = g_string_new (NULL);
      gint64 v;

      s->transfers++;
      s->quarter = 0;
      if ((v = json_object_get_int_member_with_default (o, "blksize", 0)) > 0)
        g_string_append_printf (opts, " blksize=%" G_GINT64_FORMAT, v);
      if ((v = json_object_get_int_member_with_default (o, "windowsize", 0)) > 0)
        g_string_append_printf (opts, " windowsize=%" G_GINT64_FORMAT, v);
      if ((v = json_object_get_int_member_with_default (o, "timeout", 0)) > 0)
        g_string_append_printf (opts, " timeout=%" G_GINT64_FORMAT, v);
      if (json_object_get_boolean_member_with_default (o, "tsize", FALSE))
        g_string_append (opts, " tsize");
      /* TRANSLATORS: transfer number, peer address, port, file name, options */
      printf (_("transfer %u: %s:%u asks for “%s”%s\n"), s->transfers,
              json_object_get_string_member_with_default (o, "peer", "?"),
              (guint) json_object_get_int_member_with_default (o, "port", 0),
              json_object_get_string_member_with_default (o, "file", ""), opts->str);
    }
  else if (g_str_equal (name, "tftp-progress"))
    {
      double t = seconds (o);
      double rate = t > 0 ? (double) bytes / t / (1024 * 1024) : 0;

      /* One line a tenth of a second is too much for a log: a terminal
       * gets a line that updates in place, a pipe a line every 25 %. */
      if (!s->tty && total > 0 && (guint) (4 * bytes / total) > s->quarter
          && bytes < total)
        {
          s->quarter = (guint) (4 * bytes / total);
          printf (_("transfer %u: %u%% (%lld of %lld bytes)\n"),
                  s->transfers, 25 * s->quarter, (long long) bytes, (long long) total);
        }
      else if (s->tty)
        {
          /* The carriage return stays out of the message: it is terminal
           * control, not text, and a translation could lose it. */
          fputc ('\r', stderr);
          fprintf (stderr, _("transfer %u: %lld of %lld bytes (%.0f%%), %.1f MiB/s"),
                   s->transfers, (long long) bytes, (long long) total,
                   total > 0 ? 100.0 * (double) bytes / (double) total : 0.0,
                   rate);
          fflush (stderr);
        }
    }
  else if (g_str_equal (name, "tftp-complete"))
    {
      double t = seconds (o);

      if (s->tty)
        fputc ('\n', stderr);
      printf (_("transfer %u: complete, %lld bytes in %.2f s (%.1f MiB/s), %lld blocks, %lld resent\n"),
              s->transfers, (long long) bytes, t, t > 0 ? (double) bytes / t / (1024 * 1024) : 0.0,
              (long long) json_object_get_int_member_with_default (o, "blocks", 0),
              (long long) json_object_get_int_member_with_default (o, "retransmissions", 0));
      fflush (stdout);
      if (s->once)
        shut_down (s, MPF_CLI_EXIT_OK);
    }
  else if (g_str_equal (name, "tftp-restart"))
    printf (_("transfer %u: the client started again from a new port\n"), s->transfers);
  else if (g_str_equal (name, "tftp-refused"))
    printf (_("refused a request from %s for “%s” (%s)\n"),
            json_object_get_string_member_with_default (o, "peer", "?"),
            json_object_get_string_member_with_default (o, "file", ""),
            json_object_get_string_member_with_default (o, "reason", "?"));
  else if (g_str_equal (name, "tftp-error"))
    {
      if (s->tty)
        fputc ('\n', stderr);
      printf (_("transfer %u: failed: %s\n"), s->transfers,
              json_object_get_string_member_with_default (o, "message", "?"));
      fflush (stdout);
      if (s->once)
        shut_down (s, MPF_CLI_EXIT_REFUSED);
    }
  else if (g_str_equal (name, "fatal"))
    {
      g_printerr (_("The helper stopped: %s\n"),
                  json_object_get_string_member_with_default (o, "message", "?"));
      shut_down (s, MPF_CLI_EXIT_REFUSED);
    }
  fflush (stdout);
}

static void
exited_cb (MpfHelperClient *client, int status, gpointer user_data)
{
  Serve *s = user_data;

  if (s->closing)
    return;
  /* Ctrl+C reached the helper first: it has already cleaned up. */
  if (WIFEXITED (status) && WEXITSTATUS (status) == 128 + SIGINT)
    {
      if (s->tty)
        fputc ('\n', stderr);
      g_printerr ("%s\n", _("Stopped; the address was removed."));
      finish (s, 130);
      return;
    }
  g_printerr ("%s\n", _("The privileged helper stopped unexpectedly."));
  finish (s, MPF_CLI_EXIT_REFUSED);
}

static void
serve_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Serve *s = user_data;
  g_autoptr(GError) error = NULL;

  if (!mpf_helper_client_finish (MPF_HELPER_CLIENT (source), result, &error))
    {
      fail (s, _("Could not serve TFTP"), error);
      return;
    }
  printf (_("Serving %zu bytes on %s port 69 (%s); Ctrl+C stops.\n"),
          g_bytes_get_size (s->image), s->ip, s->interface);
  fflush (stdout);
}

static void
image_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Serve *s = user_data;
  g_autoptr(GError) error = NULL;

  if (!mpf_helper_client_finish (MPF_HELPER_CLIENT (source), result, &error))
    {
      fail (s, _("Could not hand the image to the helper"), error);
      return;
    }
  mpf_helper_client_serve_tftp_async (s->client, s->interface, s->ip,
                                      MPF_HELPER_CLIENT_SERVE_STANDARD, NULL, serve_cb, s);
}

static void
addr_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Serve *s = user_data;
  g_autoptr(GError) error = NULL;

  if (!mpf_helper_client_finish (MPF_HELPER_CLIENT (source), result, &error))
    {
      fail (s, _("Could not add the address"), error);
      return;
    }
  mpf_helper_client_send_image_async (s->client, s->image, NULL, image_cb, s);
}

static gboolean
address_allowed (JsonObject *hello, const char *cidr)
{
  JsonNode *n = json_object_get_member (hello, "addresses");
  JsonArray *a;

  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    return FALSE;
  a = json_node_get_array (n);
  for (guint i = 0; i < json_array_get_length (a); i++)
    if (g_strcmp0 (json_array_get_string_element (a, i), cidr) == 0)
      return TRUE;
  return FALSE;
}

static void
client_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Serve *s = user_data;
  g_autoptr(GError) error = NULL;

  s->client = mpf_helper_client_new_finish (result, &error);
  if (s->client == NULL)
    {
      fail (s, _("Could not start the privileged helper"), error);
      return;
    }
  g_signal_connect (s->client, "event", G_CALLBACK (event_cb), s);
  g_signal_connect (s->client, "exited", G_CALLBACK (exited_cb), s);
  if (!address_allowed (mpf_helper_client_get_hello (s->client), s->cidr))
    {
      JsonArray *a = json_object_get_array_member (mpf_helper_client_get_hello (s->client), "addresses");
      g_autoptr(GString) list = g_string_new (NULL);

      for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
        g_string_append_printf (list, " %s", json_array_get_string_element (a, i));
      g_printerr (_("%s is not an address mprflash may configure; use one of:%s\n"), s->cidr, list->str);
      shut_down (s, MPF_CLI_EXIT_USAGE);
      return;
    }
  mpf_helper_client_addr_add_async (s->client, s->interface, s->cidr, NULL, addr_cb, s);
}

static gboolean
signal_cb (gpointer user_data)
{
  Serve *s = user_data;

  if (s->tty)
    fputc ('\n', stderr);
  g_printerr ("%s\n", _("Stopping; removing the address."));
  shut_down (s, 130);
  return G_SOURCE_CONTINUE;
}

int
mpf_cli_tftp_serve (int argc, char **argv)
{
  g_autofree char *interface = NULL, *address = NULL, *image_path = NULL;
  gboolean once = FALSE;
  GOptionEntry entries[] = {
    { "interface", 'i', 0, G_OPTION_ARG_STRING, &interface, N_("Wired interface to serve on"), N_("IF") },
    { "address", 'a', 0, G_OPTION_ARG_STRING, &address, N_("Address to add and serve from, e.g. 192.168.1.55/24"), N_("ADDR/PREFIX") },
    { "image", 'f', 0, G_OPTION_ARG_FILENAME, &image_path, N_("File to serve, as it is"), N_("FILE") },
    { "once", 0, 0, G_OPTION_ARG_NONE, &once, N_("Exit after one complete transfer"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  char *slash;
  guint sigs[2];
  Serve s = { 0 };

  g_option_context_set_summary (ctx, _("Serve one file over TFTP, as it is, to any standard client (such as U-Boot),\n"
                                       "through the same engine and privileged helper as the recovery path.\n"
                                       "The address is added for the command's lifetime only."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return MPF_CLI_EXIT_USAGE;
    }
  if (interface == NULL || address == NULL || image_path == NULL || argc > 1)
    {
      g_printerr ("%s\n", _("Usage: mprflash-cli tftp-serve --interface IF --address ADDR/PREFIX --image FILE [--once]"));
      return MPF_CLI_EXIT_USAGE;
    }
  slash = strchr (address, '/');
  if (slash == NULL)
    {
      g_printerr (_("The address needs a prefix length, e.g. %s\n"), "192.168.1.55/24");
      return MPF_CLI_EXIT_USAGE;
    }

  /* The CLI reads the file; the helper only ever gets its bytes. */
  mapped = g_mapped_file_new (image_path, FALSE, &error);
  if (mapped == NULL)
    {
      g_printerr ("%s\n", error->message);
      return MPF_CLI_EXIT_IO;
    }

  s.loop = g_main_loop_new (NULL, FALSE);
  s.interface = interface;
  s.cidr = address;
  s.ip = g_strndup (address, (gsize) (slash - address));
  s.image = g_mapped_file_get_bytes (mapped);
  s.once = once;
  s.tty = isatty (STDERR_FILENO);
  s.status = -1;

  sigs[0] = g_unix_signal_add (SIGINT, signal_cb, &s);
  sigs[1] = g_unix_signal_add (SIGTERM, signal_cb, &s);
  mpf_helper_client_new_async (NULL, client_cb, &s);
  g_main_loop_run (s.loop);

  g_source_remove (sigs[0]);
  g_source_remove (sigs[1]);
  if (s.client != NULL)
    g_signal_handlers_disconnect_by_data (s.client, &s);
  g_clear_object (&s.client);
  g_bytes_unref (s.image);
  g_free (s.ip);
  g_main_loop_unref (s.loop);
  return s.status == -1 ? MPF_CLI_EXIT_OK : s.status;
}
