/* Identification over real HTTP against the in-process router web UIs. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "mpf-identify.h"
#include "test-web-router.h"

static MpfFingerprint *rules;
static GSocket *closed_socket;   /* bound, never listening: connections refused */
static guint16 closed_port;

static void
done_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (res);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* Runs identification of @address to its end. */
static MpfFingerprintResult *
identify (MpfIdentify *id, GCancellable *cancellable, GError **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  mpf_identify_run_async (id, cancellable, done_cb, &res);
  return mpf_identify_run_finish (id, wait_result (&res), error);
}

static MpfIdentify *
new_identify (TestWebRouter *r, const char *address)
{
  MpfIdentify *id = mpf_identify_new (rules, address ? address : twr_get_address (r));

  mpf_identify_set_timeout_ms (id, 3000);
  mpf_identify_set_banner_window_ms (id, 1000);
  /* Never probe the host's own telnet port from a test. */
  mpf_identify_map_port (id, 23, twr_get_telnet_port (r) ? twr_get_telnet_port (r) : closed_port);
  return id;
}

static const MpfHttpObservation *
observation (MpfIdentify *id, const char *probe)
{
  GPtrArray *obs = mpf_identify_get_observations (id);

  for (guint i = 0; i < obs->len; i++)
    if (g_str_equal (((MpfHttpObservation *) g_ptr_array_index (obs, i))->probe_id, probe))
      return g_ptr_array_index (obs, i);
  g_assert_not_reached ();
}

static void
test_hame (void)
{
  TestWebRouter *r = twr_new (TWR_HAME);
  g_autoptr(MpfIdentify) id = new_identify (r, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfFingerprintResult) res = identify (id, NULL, &error);
  g_autoptr(JsonNode) report = NULL;
  g_autofree char *text = NULL;
  const MpfHttpObservation *root, *telnet;

  g_assert_no_error (error);
  g_assert_cmpint (res->family, ==, MPF_FAMILY_HAME_STOCK);
  g_assert_cmpint (res->login, ==, MPF_LOGIN_SCHEME_GOAHEAD_MD5);
  g_assert_true (g_strv_contains ((const char *const *) res->matched_rules, "stock-root-redirects-home"));

  /* Every probe is in the log, with what it saw; redirects not followed. */
  g_assert_cmpuint (mpf_identify_get_observations (id)->len, ==, mpf_fingerprint_get_n_probes (rules));
  root = observation (id, "root");
  g_assert_true (root->answered);
  g_assert_cmpuint (root->status, ==, 302);
  g_assert_cmpstr (mpf_http_observation_get_header (root, "Server"), ==, "GoAhead-Webs");
  g_assert_true (g_str_has_suffix (mpf_http_observation_get_header (root, "Location"), "/home.asp"));
  telnet = observation (id, "telnet");
  g_assert_true (telnet->answered);

  report = mpf_identify_to_json_node (id);
  text = json_to_string (report, FALSE);
  g_assert_nonnull (strstr (text, "\"family\":\"hame-stock\""));
  g_assert_nonnull (strstr (text, "GoAhead-Webs"));
  g_assert_nonnull (strstr (text, "admpass"));
  twr_free (r);
}

static void
test_mprl8 (void)
{
  TestWebRouter *r = twr_new (TWR_MPRL8);
  g_autoptr(MpfIdentify) id = new_identify (r, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfFingerprintResult) res = identify (id, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (res->family, ==, MPF_FAMILY_MPRL8_STOCK);
  g_assert_true (g_strv_contains ((const char *const *) res->matched_rules, "mpr-l8-telnet-prompt"));
  g_assert_true (g_strv_contains ((const char *const *) res->matched_rules, "mpr-l8-brand"));
  twr_free (r);
}

static void
test_openwrt (void)
{
  TestWebRouter *r = twr_new (TWR_OPENWRT);
  g_autoptr(MpfIdentify) id = new_identify (r, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfFingerprintResult) res = identify (id, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (res->family, ==, MPF_FAMILY_OPENWRT);
  g_assert_cmpint (res->login, ==, MPF_LOGIN_SCHEME_LUCI_SYSAUTH);
  g_assert_cmpstr (res->version, ==, "14.07");
  g_assert_false (observation (id, "telnet")->answered);
  twr_free (r);
}

static void
test_other (void)
{
  TestWebRouter *r = twr_new (TWR_OTHER);
  g_autoptr(MpfIdentify) id = new_identify (r, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfFingerprintResult) res = identify (id, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (res->family_id, ==, "unknown");
  g_assert_true (res->answered);
  /* Reported with what was seen. */
  g_assert_cmpstr (mpf_http_observation_get_header (observation (id, "root"), "Server"), ==, "nginx/1.22.1");
  twr_free (r);
}

static void
test_nothing_answers (void)
{
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", closed_port);
  g_autoptr(MpfIdentify) id = mpf_identify_new (rules, address);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfFingerprintResult) res = NULL;

  mpf_identify_map_port (id, 23, closed_port);
  res = identify (id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (res->family_id, ==, "unknown");
  g_assert_false (res->answered);
  for (guint i = 0; i < mpf_identify_get_observations (id)->len; i++)
    {
      const MpfHttpObservation *o = g_ptr_array_index (mpf_identify_get_observations (id), i);
      g_assert_false (o->answered);
      g_assert_nonnull (o->error);
    }
}

/* A listener that accepts connections (kernel backlog) and never answers. */
static GSocket *
silent_listener (guint16 *port)
{
  GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (s, any, FALSE, NULL));
  g_socket_set_listen_backlog (s, 16);
  g_assert_true (g_socket_listen (s, NULL));
  bound = g_socket_get_local_address (s, NULL);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return s;
}

static void
test_silent_times_out (void)
{
  guint16 port;
  g_autoptr(GSocket) listener = silent_listener (&port);
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", port);
  g_assert_nonnull (listener);
  g_autoptr(MpfIdentify) id = mpf_identify_new (rules, address);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfFingerprintResult) res = NULL;
  const MpfHttpObservation *root;

  mpf_identify_set_timeout_ms (id, 150);
  mpf_identify_set_banner_window_ms (id, 100);
  mpf_identify_map_port (id, 23, port);
  res = identify (id, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (res->answered);
  root = observation (id, "root");
  g_assert_false (root->answered);
  g_assert_nonnull (strstr (root->error, "no answer within 150 ms"));
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  guint16 port;
  g_autoptr(GSocket) listener = silent_listener (&port);
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", port);
  g_assert_nonnull (listener);
  g_autoptr(MpfIdentify) id = mpf_identify_new (rules, address);
  g_autoptr(MpfIdentify) id2 = mpf_identify_new (rules, address);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) already = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  MpfFingerprintResult *res;

  /* The probe would wait an hour: only the cancel can end it. */
  mpf_identify_set_timeout_ms (id, 3600 * 1000);
  g_idle_add (cancel_cb, cancellable);
  res = identify (id, cancellable, &error);
  g_assert_null (res);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* What was seen so far is kept for the report. */
  g_assert_cmpuint (mpf_identify_get_observations (id)->len, ==, 1);

  g_cancellable_cancel (already);
  res = identify (id2, already, &error2);
  g_assert_null (res);
  g_assert_error (error2, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  rules = mpf_fingerprint_new_default (&error);
  g_assert_no_error (error);
  {
    g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    closed_socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    g_assert_true (g_socket_bind (closed_socket, any, FALSE, NULL));
    bound = g_socket_get_local_address (closed_socket, NULL);
    closed_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  }

  g_test_add_func ("/identify/hame", test_hame);
  g_test_add_func ("/identify/mprl8", test_mprl8);
  g_test_add_func ("/identify/openwrt", test_openwrt);
  g_test_add_func ("/identify/other", test_other);
  g_test_add_func ("/identify/nothing-answers", test_nothing_answers);
  g_test_add_func ("/identify/silent-times-out", test_silent_times_out);
  g_test_add_func ("/identify/cancel", test_cancel);
  ret = g_test_run ();
  g_object_unref (rules);
  g_object_unref (closed_socket);
  return ret;
}
