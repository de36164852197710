/* MpfHelperClient against the real helper, run inside a test namespace by
 * test-helper-client.sh (argv[1]: the namespace's wired interface): hello,
 * error codes mapped to MPF_HELPER_CLIENT_ERROR, a real address, the image
 * and serve path, events as detailed signals, cancellation, close, the
 * helper dying under a pending request, and a helper that cannot start. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "mpf-helper-client.h"

static const char *iface;

typedef struct {
  GMainLoop    *loop;
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *w = user_data;

  w->result = g_object_ref (result);
  g_main_loop_quit (w->loop);
}

/* Runs the loop until the async call started with (done_cb, w) finishes. */
static GAsyncResult *
wait_result (Wait *w)
{
  g_main_loop_run (w->loop);
  return w->result;
}

static Wait *
wait_new (void)
{
  Wait *w = g_new0 (Wait, 1);

  w->loop = g_main_loop_new (NULL, FALSE);
  return w;
}

static void
wait_free (Wait *w)
{
  g_clear_object (&w->result);
  g_main_loop_unref (w->loop);
  g_free (w);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Wait, wait_free)

static MpfHelperClient *
start_client (void)
{
  g_autoptr(Wait) w = wait_new ();
  g_autoptr(GError) error = NULL;
  MpfHelperClient *client;

  mpf_helper_client_new_async (NULL, done_cb, w);
  client = mpf_helper_client_new_finish (wait_result (w), &error);
  g_assert_no_error (error);
  g_assert_true (MPF_IS_HELPER_CLIENT (client));
  return client;
}

static gboolean
has_address (const char *cidr)
{
  g_autofree char *out = NULL;
  g_autofree char *cmd = g_strdup_printf ("ip -4 -o addr show dev %s", iface);
  g_autofree char *needle = g_strdup_printf (" %s ", cidr);

  g_assert_true (g_spawn_command_line_sync (cmd, &out, NULL, NULL, NULL));
  return strstr (out, needle) != NULL;
}

static void
exited_cb (MpfHelperClient *client, int status, gpointer user_data)
{
  *(int *) user_data = status;
}

static void
test_hello_and_errors (void)
{
  g_autoptr(MpfHelperClient) client = start_client ();
  g_autoptr(Wait) w = wait_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = NULL;
  JsonObject *hello = mpf_helper_client_get_hello (client);

  g_assert_cmpint (json_object_get_int_member (hello, "protocol"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (hello, "max_image"), ==, 8 * 1024 * 1024);

  mpf_helper_client_call_async (client, "format-disk", NULL, NULL, done_cb, w);
  reply = mpf_helper_client_call_finish (client, wait_result (w), &error);
  g_assert_null (reply);
  g_assert_error (error, MPF_HELPER_CLIENT_ERROR, MPF_HELPER_CLIENT_ERROR_UNKNOWN_OP);
  g_clear_error (&error);
  g_clear_object (&w->result);

  mpf_helper_client_watch_async (client, "lo", NULL, done_cb, w);
  g_assert_false (mpf_helper_client_finish (client, wait_result (w), &error));
  g_assert_error (error, MPF_HELPER_CLIENT_ERROR, MPF_HELPER_CLIENT_ERROR_BAD_INTERFACE);
  g_clear_error (&error);
  g_clear_object (&w->result);

  mpf_helper_client_addr_add_async (client, iface, "10.0.0.1/8", NULL, done_cb, w);
  g_assert_false (mpf_helper_client_finish (client, wait_result (w), &error));
  g_assert_error (error, MPF_HELPER_CLIENT_ERROR, MPF_HELPER_CLIENT_ERROR_NOT_ALLOWED);
  g_assert_false (has_address ("10.0.0.1/8"));
}

static void
event_cb (MpfHelperClient *client, const char *name, JsonObject *fields, gpointer user_data)
{
  g_assert_cmpstr (name, ==, json_object_get_string_member (fields, "event"));
  (*(int *) user_data)++;
}

static void
test_address_image_serve_close (void)
{
  g_autoptr(MpfHelperClient) client = start_client ();
  g_autoptr(Wait) w = wait_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) image = NULL;
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(JsonObject) reply = NULL;
  guint8 *data = g_malloc (300 * 1024 + 7);
  int status = -1, seen_events = 0, other_events = 0;

  g_signal_connect (client, "exited", G_CALLBACK (exited_cb), &status);
  /* Detailed: only "seen" events reach this handler. */
  g_signal_connect (client, "event::seen", G_CALLBACK (event_cb), &seen_events);
  g_signal_connect (client, "event::tftp-progress", G_CALLBACK (event_cb), &other_events);

  mpf_helper_client_addr_add_async (client, iface, "192.168.1.55/24", NULL, done_cb, w);
  g_assert_true (mpf_helper_client_finish (client, wait_result (w), &error));
  g_assert_no_error (error);
  g_assert_true (has_address ("192.168.1.55/24"));
  g_clear_object (&w->result);

  for (gsize i = 0; i < 300 * 1024 + 7; i++)
    data[i] = (guint8) (i * 7 + (i >> 9));
  image = g_bytes_new_take (data, 300 * 1024 + 7);
  mpf_helper_client_send_image_async (client, image, NULL, done_cb, w);
  g_assert_true (mpf_helper_client_finish (client, wait_result (w), &error));
  g_assert_no_error (error);
  g_clear_object (&w->result);

  mpf_helper_client_serve_tftp_async (client, iface, NULL, MPF_HELPER_CLIENT_SERVE_STANDARD,
                                      NULL, done_cb, w);
  g_assert_true (mpf_helper_client_finish (client, wait_result (w), &error));
  g_assert_no_error (error);
  g_clear_object (&w->result);

  /* A call whose cancellable is already cancelled finishes cancelled. */
  g_cancellable_cancel (cancelled);
  mpf_helper_client_call_async (client, "hello", NULL, cancelled, done_cb, w);
  reply = mpf_helper_client_call_finish (client, wait_result (w), &error);
  g_assert_null (reply);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&w->result);

  mpf_helper_client_close_async (client, NULL, done_cb, w);
  g_assert_true (mpf_helper_client_finish (client, wait_result (w), &error));
  g_assert_no_error (error);
  g_assert_false (mpf_helper_client_is_running (client));
  g_assert_cmpint (status, ==, 0);
  g_assert_false (has_address ("192.168.1.55/24"));
  g_assert_cmpint (seen_events, ==, 0);
  g_assert_cmpint (other_events, ==, 0);
  g_clear_object (&w->result);

  /* Requests after the end fail at once. */
  mpf_helper_client_call_async (client, "hello", NULL, NULL, done_cb, w);
  g_assert_null (mpf_helper_client_call_finish (client, wait_result (w), &error));
  g_assert_error (error, MPF_HELPER_CLIENT_ERROR, MPF_HELPER_CLIENT_ERROR_EXITED);
}

static void
test_helper_dies (void)
{
  g_autoptr(MpfHelperClient) client = start_client ();
  g_autoptr(Wait) w = wait_new ();
  g_autoptr(GError) error = NULL;
  int status = -1;
  gint64 pid = json_object_get_int_member (mpf_helper_client_get_hello (client), "pid");

  g_signal_connect (client, "exited", G_CALLBACK (exited_cb), &status);
  g_assert_cmpint (pid, >, 1);
  g_assert_cmpint (kill ((pid_t) pid, SIGKILL), ==, 0);
  mpf_helper_client_call_async (client, "hello", NULL, NULL, done_cb, w);
  g_assert_null (mpf_helper_client_call_finish (client, wait_result (w), &error));
  g_assert_error (error, MPF_HELPER_CLIENT_ERROR, MPF_HELPER_CLIENT_ERROR_EXITED);
  /* "exited" has come by the time the pending request failed. */
  g_assert_cmpint (status, !=, -1);
  g_assert_false (mpf_helper_client_is_running (client));
}

static void
test_spawn_failure (void)
{
  g_autoptr(Wait) w = wait_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("MPF_HELPER_PATH"));

  g_setenv ("MPF_HELPER_PATH", "/nonexistent/mprflash-helper", TRUE);
  mpf_helper_client_new_async (NULL, done_cb, w);
  g_assert_null (mpf_helper_client_new_finish (wait_result (w), &error));
  g_assert_error (error, MPF_HELPER_CLIENT_ERROR, MPF_HELPER_CLIENT_ERROR_SPAWN);
  g_setenv ("MPF_HELPER_PATH", saved, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2 || g_getenv ("MPF_HELPER_PATH") == NULL)
    {
      g_printerr ("usage: MPF_HELPER_PATH=… %s INTERFACE (run by test-helper-client.sh)\n", argv[0]);
      return 2;
    }
  iface = argv[1];
  g_test_add_func ("/helper-client/hello-and-errors", test_hello_and_errors);
  g_test_add_func ("/helper-client/address-image-serve-close", test_address_image_serve_close);
  g_test_add_func ("/helper-client/helper-dies", test_helper_dies);
  g_test_add_func ("/helper-client/spawn-failure", test_spawn_failure);
  return g_test_run ();
}
