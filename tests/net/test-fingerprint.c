/* The fingerprint matcher against captured-style responses of every family
 * and of devices it must not claim. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "mpf-fingerprint.h"

static MpfFingerprint *rules;

/* Loads tests/data/http/@name as an observation of probe @probe. */
static MpfHttpObservation *
load (const char *probe, const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("MPF_TEST_DATA"), "http", name, NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return mpf_http_observation_new_from_raw (probe, (const guint8 *) data, len);
}

static MpfHttpObservation *
load_banner (const char *probe, const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("MPF_TEST_DATA"), "http", name, NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  MpfHttpObservation *obs = mpf_http_observation_new (probe, "TCP 23");

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  obs->answered = TRUE;
  obs->body = g_bytes_new (data, len);
  obs->body_length = len;
  return obs;
}

static MpfHttpObservation *
unanswered (const char *probe)
{
  MpfHttpObservation *obs = mpf_http_observation_new (probe, "GET /");

  obs->error = g_strdup ("Connection refused");
  return obs;
}

static GPtrArray *
observations (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) mpf_http_observation_free);
}

static gboolean
matched (const MpfFingerprintResult *r, const char *rule)
{
  return g_strv_contains ((const char *const *) r->matched_rules, rule);
}

static GPtrArray *
hame_observations (void)
{
  GPtrArray *obs = observations ();

  g_ptr_array_add (obs, load ("root", "hame/root.http"));
  g_ptr_array_add (obs, load ("home", "hame/home.http"));
  g_ptr_array_add (obs, load ("main", "hame/main.http"));
  g_ptr_array_add (obs, load ("luci", "hame/luci.http"));
  g_ptr_array_add (obs, unanswered ("telnet"));
  return obs;
}

static void
test_raw_parse (void)
{
  static const char raw[] = "HTTP/1.0 302 Redirect\nServer: GoAhead-Webs\nLocation: /home.asp\n\nmoved";
  static const char junk[] = "\x01\x02garbage without a status line";
  g_autoptr(MpfHttpObservation) a = mpf_http_observation_new_from_raw ("root", (const guint8 *) raw, sizeof raw - 1);
  g_autoptr(MpfHttpObservation) b = mpf_http_observation_new_from_raw ("root", (const guint8 *) junk, sizeof junk - 1);

  g_assert_true (a->answered);
  g_assert_cmpuint (a->status, ==, 302);
  g_assert_cmpstr (mpf_http_observation_get_header (a, "server"), ==, "GoAhead-Webs");
  g_assert_cmpstr (mpf_http_observation_get_header (a, "LOCATION"), ==, "/home.asp");
  g_assert_null (mpf_http_observation_get_header (a, "Set-Cookie"));
  g_assert_cmpmem (g_bytes_get_data (a->body, NULL), g_bytes_get_size (a->body), "moved", 5);
  g_assert_false (b->answered);
  g_assert_nonnull (b->error);
}

static void
test_hame (void)
{
  g_autoptr(GPtrArray) obs = hame_observations ();
  g_autoptr(MpfFingerprintResult) r = mpf_fingerprint_match (rules, "192.168.169.1", obs);

  g_assert_cmpstr (r->family_id, ==, "hame-stock");
  g_assert_cmpint (r->family, ==, MPF_FAMILY_HAME_STOCK);
  g_assert_cmpint (r->login, ==, MPF_LOGIN_SCHEME_GOAHEAD_MD5);
  g_assert_cmpuint (r->confidence, >=, 80);
  g_assert_true (r->answered);
  g_assert_true (matched (r, "goahead-server-header"));
  g_assert_true (matched (r, "stock-root-redirects-home"));
  g_assert_true (matched (r, "stock-signin-form"));
  g_assert_true (matched (r, "stock-login-title"));
  g_assert_true (matched (r, "hame-no-l8-marker"));
  g_assert_false (matched (r, "openwrt-luci-page"));
  g_assert_false (matched (r, "mpr-l8-brand"));
  /* The version is not shown before login. */
  g_assert_null (r->version);
}

static void
test_hame_logged_in_version (void)
{
  g_autoptr(GPtrArray) obs = hame_observations ();
  g_autoptr(MpfFingerprintResult) r = NULL;

  g_ptr_array_remove_index (obs, 2);
  g_ptr_array_add (obs, load ("main", "hame/main-logged-in.http"));
  r = mpf_fingerprint_match (rules, "192.168.169.1", obs);
  g_assert_cmpint (r->family, ==, MPF_FAMILY_HAME_STOCK);
  g_assert_true (matched (r, "hame-main-title"));
  g_assert_cmpstr (r->version, ==, "a1_2.3.105.214");
}

static void
test_mprl8_brand (void)
{
  g_autoptr(GPtrArray) obs = observations ();
  g_autoptr(MpfFingerprintResult) r = NULL;

  g_ptr_array_add (obs, load ("root", "mprl8/root.http"));
  g_ptr_array_add (obs, load ("home", "mprl8/home.http"));
  g_ptr_array_add (obs, load ("main", "hame/main.http"));
  /* Seen at the Hame address: the page's brand alone decides. */
  r = mpf_fingerprint_match (rules, "192.168.169.1", obs);
  g_assert_cmpstr (r->family_id, ==, "mpr-l8-stock");
  g_assert_cmpint (r->family, ==, MPF_FAMILY_MPRL8_STOCK);
  g_assert_cmpint (r->login, ==, MPF_LOGIN_SCHEME_GOAHEAD_MD5);
  g_assert_true (matched (r, "mpr-l8-brand"));
  g_assert_false (matched (r, "hame-no-l8-marker"));
}

static void
test_mprl8_address (void)
{
  /* Hame-identical pages, found at the MPR-L8 default address [S]. */
  g_autoptr(GPtrArray) obs = hame_observations ();
  g_autoptr(MpfFingerprintResult) r = mpf_fingerprint_match (rules, "192.168.100.1", obs);

  g_assert_cmpint (r->family, ==, MPF_FAMILY_MPRL8_STOCK);
  g_assert_true (matched (r, "mpr-l8-address"));
  g_assert_false (matched (r, "hame-no-l8-marker"));
}

static void
test_mprl8_telnet (void)
{
  g_autoptr(GPtrArray) obs = hame_observations ();
  g_autoptr(MpfFingerprintResult) r = NULL;

  g_ptr_array_remove_index (obs, 4);
  g_ptr_array_add (obs, load_banner ("telnet", "mprl8/telnet.bin"));
  r = mpf_fingerprint_match (rules, "192.168.169.1", obs);
  g_assert_cmpint (r->family, ==, MPF_FAMILY_MPRL8_STOCK);
  g_assert_true (matched (r, "mpr-l8-telnet-prompt"));
}

static void
test_openwrt (void)
{
  g_autoptr(GPtrArray) obs = observations ();
  g_autoptr(MpfFingerprintResult) r = NULL;

  g_ptr_array_add (obs, load ("root", "openwrt/root.http"));
  g_ptr_array_add (obs, load ("home", "openwrt/home.http"));
  g_ptr_array_add (obs, load ("main", "openwrt/main.http"));
  g_ptr_array_add (obs, load ("luci", "openwrt/luci.http"));
  g_ptr_array_add (obs, unanswered ("telnet"));
  r = mpf_fingerprint_match (rules, "192.168.1.1", obs);
  g_assert_cmpstr (r->family_id, ==, "openwrt");
  g_assert_cmpint (r->family, ==, MPF_FAMILY_OPENWRT);
  g_assert_cmpint (r->login, ==, MPF_LOGIN_SCHEME_LUCI_SYSAUTH);
  g_assert_cmpuint (r->confidence, ==, 90);
  g_assert_cmpstr (r->version, ==, "14.07");
  g_assert_true (matched (r, "openwrt-root-luci"));
  g_assert_true (matched (r, "openwrt-luci-page"));
  g_assert_true (matched (r, "openwrt-no-server-header"));
  g_assert_false (matched (r, "goahead-server-header"));
}

static void
test_openwrt_luci_only (void)
{
  /* A changed root page: the LuCI page alone is enough. */
  g_autoptr(GPtrArray) obs = observations ();
  g_autoptr(MpfFingerprintResult) r = NULL;

  g_ptr_array_add (obs, unanswered ("root"));
  g_ptr_array_add (obs, load ("luci", "openwrt/luci.http"));
  r = mpf_fingerprint_match (rules, "10.0.0.1", obs);
  g_assert_cmpint (r->family, ==, MPF_FAMILY_OPENWRT);
  g_assert_cmpuint (r->confidence, ==, 40);
}

static void
test_unknown_goahead (void)
{
  g_autoptr(GPtrArray) obs = observations ();
  g_autoptr(MpfFingerprintResult) r = NULL;

  g_ptr_array_add (obs, load ("root", "other/goahead-camera-root.http"));
  g_ptr_array_add (obs, load ("home", "other/goahead-camera-home.http"));
  r = mpf_fingerprint_match (rules, "192.168.169.1", obs);
  g_assert_cmpstr (r->family_id, ==, "unknown-goahead");
  g_assert_cmpint (r->family, ==, MPF_FAMILY_UNKNOWN);
  g_assert_cmpint (r->login, ==, MPF_LOGIN_SCHEME_UNKNOWN);
  g_assert_true (matched (r, "goahead-server-header"));
  g_assert_false (matched (r, "stock-signin-form"));
  /* The Hame rule's "no MPR-L8 marker" conditions hold, but without any
   * stock evidence neither stock family may be chosen. */
  g_assert_cmpuint (r->confidence, ==, 40);
}

static void
test_unknown_other (void)
{
  g_autoptr(GPtrArray) obs = observations ();
  g_autoptr(MpfFingerprintResult) r = NULL;

  g_ptr_array_add (obs, load ("root", "other/nginx-root.http"));
  r = mpf_fingerprint_match (rules, "192.168.1.1", obs);
  g_assert_cmpstr (r->family_id, ==, "unknown");
  g_assert_cmpint (r->family, ==, MPF_FAMILY_UNKNOWN);
  g_assert_cmpuint (r->confidence, ==, 0);
  g_assert_true (r->answered);
  g_assert_null (r->version);
}

static void
test_nothing_answers (void)
{
  g_autoptr(GPtrArray) obs = observations ();
  g_autoptr(MpfFingerprintResult) r = NULL;

  g_ptr_array_add (obs, unanswered ("root"));
  g_ptr_array_add (obs, unanswered ("home"));
  r = mpf_fingerprint_match (rules, "192.168.1.1", obs);
  g_assert_cmpstr (r->family_id, ==, "unknown");
  g_assert_false (r->answered);
  g_assert_cmpuint (g_strv_length (r->matched_rules), ==, 0);

  g_clear_pointer (&r, mpf_fingerprint_result_free);
  r = mpf_fingerprint_match (rules, NULL, NULL);
  g_assert_cmpstr (r->family_id, ==, "unknown");
}

static void
test_observation_json (void)
{
  g_autoptr(MpfHttpObservation) obs = load ("home", "hame/home.http");
  g_autoptr(MpfHttpObservation) big = mpf_http_observation_new ("root", "GET /");
  g_autofree char *json = mpf_http_observation_to_json (obs);
  g_autofree char *big_json = NULL;
  g_autoptr(JsonParser) p = json_parser_new ();
  g_autofree char *filler = g_strnfill (5000, 'x');
  JsonObject *o;

  g_assert_true (json_parser_load_from_data (p, json, -1, NULL));
  o = json_node_get_object (json_parser_get_root (p));
  g_assert_cmpint (json_object_get_int_member (o, "status"), ==, 200);
  g_assert_nonnull (strstr (json_object_get_string_member (o, "body"), "admpass"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "headers")), ==, 5);

  /* Only the first KiB of a body goes into the report. */
  big->answered = TRUE;
  big->body = g_bytes_new (filler, 5000);
  big->body_length = 5000;
  big_json = mpf_http_observation_to_json (big);
  g_assert_true (json_parser_load_from_data (p, big_json, -1, NULL));
  o = json_node_get_object (json_parser_get_root (p));
  g_assert_cmpuint (strlen (json_object_get_string_member (o, "body")), ==, MPF_OBSERVATION_LOG_BODY_MAX);
  g_assert_cmpint (json_object_get_int_member (o, "body_length"), ==, 5000);
}

static void
test_default_rules_probes (void)
{
  guint n = mpf_fingerprint_get_n_probes (rules);
  gboolean have_root = FALSE;

  g_assert_cmpuint (n, >=, 3);
  for (guint i = 0; i < n; i++)
    {
      const MpfFingerprintProbe *p = mpf_fingerprint_get_probe (rules, i);
      if (g_str_equal (p->id, "root"))
        {
          have_root = TRUE;
          g_assert_cmpint (p->kind, ==, MPF_PROBE_KIND_HTTP);
          g_assert_cmpstr (p->path, ==, "/");
        }
    }
  g_assert_true (have_root);
}

static void
test_bad_rules (void)
{
  static const char *const bad[] = {
    "[]",
    "{\"format\": 2}",
    "{\"format\": 1, \"families\": []}",                                   /* no "unknown" */
    "{\"format\": 1, \"families\": [{\"id\":\"unknown\"},{\"id\":\"a\",\"parent\":\"b\"},{\"id\":\"b\"}]}",
    "{\"format\": 1, \"families\": [{\"id\":\"unknown\",\"login\":\"telepathy\"}]}",
    "{\"format\": 1, \"probes\":[{\"id\":\"r\",\"path\":\"/\"}], \"families\": [{\"id\":\"unknown\"}],"
    " \"rules\": [{\"id\":\"x\",\"family\":\"nope\",\"all\":[{\"probe\":\"r\",\"field\":\"status\",\"equals\":200}]}]}",
    "{\"format\": 1, \"probes\":[{\"id\":\"r\",\"path\":\"/\"}], \"families\": [{\"id\":\"unknown\"}],"
    " \"rules\": [{\"id\":\"x\",\"family\":\"unknown\",\"all\":[{\"probe\":\"r\",\"field\":\"body\",\"regex\":\"(\"}]}]}",
    "{\"format\": 1, \"probes\":[{\"id\":\"r\",\"path\":\"/\"}], \"families\": [{\"id\":\"unknown\"}],"
    " \"rules\": [{\"id\":\"x\",\"family\":\"unknown\",\"all\":[{\"probe\":\"q\",\"field\":\"body\",\"contains\":\"a\"}]}]}",
    "{\"format\": 1, \"probes\":[{\"id\":\"r\",\"path\":\"/\"}], \"families\": [{\"id\":\"unknown\"}],"
    " \"rules\": [{\"id\":\"x\",\"family\":\"unknown\",\"all\":[{\"probe\":\"r\",\"field\":\"body\",\"contains\":\"a\",\"regex\":\"a\"}]}]}",
    "{\"format\": 1, \"probes\":[{\"id\":\"r\",\"path\":\"/\"}], \"families\": [{\"id\":\"unknown\","
    " \"version\":[{\"probe\":\"r\",\"field\":\"body\",\"regex\":\"v[0-9]+\"}]}]}",          /* no capture group */
    "{\"format\": 1, \"probes\":[{\"id\":\"r\",\"path\":\"no-slash\"}], \"families\": [{\"id\":\"unknown\"}]}",
    "{\"format\": 1, \"probes\":[{\"id\":\"t\",\"kind\":\"banner\"}], \"families\": [{\"id\":\"unknown\"}]}",
    "{\"format\": 1, \"probes\":[{\"id\":\"r\",\"path\":\"/\"}], \"families\": [{\"id\":\"unknown\","
    " \"restart\":{\"fresh\":[],\"held\":[{\"probe\":\"r\",\"field\":\"status\",\"equals\":200}]}}]}",  /* empty list */
    "{\"format\": 1, \"probes\":[{\"id\":\"r\",\"path\":\"/\"}], \"families\": [{\"id\":\"unknown\","
    " \"restart\":{\"fresh\":[{\"probe\":\"r\",\"field\":\"status\",\"equals\":401}]}}]}",  /* no "held" */
    "{\"format\": 1, \"probes\":[{\"id\":\"r\",\"path\":\"/\"}], \"families\": [{\"id\":\"unknown\","
    " \"restart\":{\"fresh\":[{\"probe\":\"q\",\"field\":\"status\",\"equals\":401}],"
    " \"held\":[{\"probe\":\"r\",\"field\":\"status\",\"equals\":200}]}}]}",  /* unknown probe */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MpfFingerprint) fp = mpf_fingerprint_new_from_data (bad[i], -1, &error);

      g_test_message ("bad rule set %" G_GSIZE_FORMAT ": %s", i, error ? error->message : "(accepted!)");
      g_assert_null (fp);
      g_assert_nonnull (error);
    }
}

/* The shipped "restart" rule of the stock family: the sign-in made before a
 * web upgrade is forgotten by a unit that restarted. */
static void
test_restart_sign (void)
{
  g_autoptr(GPtrArray) fresh = hame_observations ();
  g_autoptr(GPtrArray) held = hame_observations ();
  g_autoptr(GPtrArray) silent = hame_observations ();
  const char *rule_family = "x";

  g_ptr_array_remove_index (held, 2);
  g_ptr_array_add (held, load ("main", "hame/main-logged-in.http"));
  g_ptr_array_remove_index (silent, 2);
  g_ptr_array_add (silent, unanswered ("main"));

  g_assert_cmpint (mpf_fingerprint_restart_sign (rules, "hame-stock", "192.168.169.1", fresh, &rule_family),
                   ==, MPF_RESTART_SIGN_FRESH);
  g_assert_cmpstr (rule_family, ==, "stock");
  g_assert_cmpint (mpf_fingerprint_restart_sign (rules, "hame-stock", "192.168.169.1", held, NULL),
                   ==, MPF_RESTART_SIGN_HELD);
  /* Inherited by the MPR-L8 family. */
  g_assert_cmpint (mpf_fingerprint_restart_sign (rules, "mpr-l8-stock", "192.168.100.1", held, NULL),
                   ==, MPF_RESTART_SIGN_HELD);
  /* No answer from /main.asp: neither sign. */
  g_assert_cmpint (mpf_fingerprint_restart_sign (rules, "hame-stock", "192.168.169.1", silent, NULL),
                   ==, MPF_RESTART_SIGN_UNCLEAR);
  /* OpenWrt has no such rule (nor has an unknown family id). */
  g_assert_cmpint (mpf_fingerprint_restart_sign (rules, "openwrt", "192.168.1.1", fresh, &rule_family),
                   ==, MPF_RESTART_SIGN_NO_RULE);
  g_assert_null (rule_family);
  g_assert_cmpint (mpf_fingerprint_restart_sign (rules, "no-such-family", NULL, fresh, NULL),
                   ==, MPF_RESTART_SIGN_NO_RULE);
  g_assert_cmpstr (mpf_restart_sign_to_string (MPF_RESTART_SIGN_HELD), ==, "held");
}

static void
test_custom_rules (void)
{
  /* Semantics the shipped file relies on: "*" probes, negation as absence of
   * evidence, tie goes to the less specific family, min_score. */
  static const char json[] =
    "{\"format\":1,\"min_score\":10,"
    " \"probes\":[{\"id\":\"a\",\"path\":\"/a\"},{\"id\":\"b\",\"path\":\"/b\"}],"
    " \"families\":[{\"id\":\"unknown\"},{\"id\":\"p\",\"parent\":\"unknown\",\"login\":\"none\"},"
    "   {\"id\":\"c\",\"parent\":\"p\",\"login\":\"goahead-md5\"}],"
    " \"rules\":["
    "  {\"id\":\"any-x\",\"family\":\"p\",\"weight\":10,\"all\":[{\"probe\":\"*\",\"field\":\"body\",\"contains\":\"X\"}]},"
    "  {\"id\":\"no-y\",\"family\":\"c\",\"weight\":5,\"all\":[{\"probe\":\"*\",\"field\":\"body\",\"contains\":\"Y\",\"negate\":true}]},"
    "  {\"id\":\"y\",\"family\":\"c\",\"weight\":-5,\"all\":[{\"probe\":\"b\",\"field\":\"body\",\"contains\":\"Y\"}]},"
    "  {\"id\":\"b-silent\",\"family\":\"c\",\"weight\":0,\"all\":[{\"probe\":\"b\",\"field\":\"answered\",\"equals\":false}]}"
    " ]}";
  static const char ax[] = "HTTP/1.1 200 OK\r\n\r\n..X..";
  static const char by[] = "HTTP/1.1 200 OK\r\n\r\n..Y..";
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfFingerprint) fp = mpf_fingerprint_new_from_data (json, -1, &error);
  g_autoptr(GPtrArray) obs = observations ();
  g_autoptr(MpfFingerprintResult) r1 = NULL;
  g_autoptr(MpfFingerprintResult) r2 = NULL;

  g_assert_no_error (error);
  g_ptr_array_add (obs, mpf_http_observation_new_from_raw ("a", (const guint8 *) ax, sizeof ax - 1));
  r1 = mpf_fingerprint_match (fp, NULL, obs);
  /* b never answered: "no Y anywhere" holds, so c (10 + 5) beats p (10). */
  g_assert_cmpstr (r1->family_id, ==, "c");
  g_assert_cmpuint (r1->confidence, ==, 15);
  g_assert_true (matched (r1, "b-silent"));

  g_ptr_array_add (obs, mpf_http_observation_new_from_raw ("b", (const guint8 *) by, sizeof by - 1));
  r2 = mpf_fingerprint_match (fp, NULL, obs);
  /* Y seen: c = 10 - 5 < p = 10. */
  g_assert_cmpstr (r2->family_id, ==, "p");
  g_assert_cmpint (r2->login, ==, MPF_LOGIN_SCHEME_NONE);
  g_assert_false (matched (r2, "no-y"));
  g_assert_false (matched (r2, "b-silent"));
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  rules = mpf_fingerprint_new_default (&error);
  g_assert_no_error (error);

  g_test_add_func ("/fingerprint/raw-parse", test_raw_parse);
  g_test_add_func ("/fingerprint/default-probes", test_default_rules_probes);
  g_test_add_func ("/fingerprint/hame", test_hame);
  g_test_add_func ("/fingerprint/hame-logged-in-version", test_hame_logged_in_version);
  g_test_add_func ("/fingerprint/mprl8-brand", test_mprl8_brand);
  g_test_add_func ("/fingerprint/mprl8-address", test_mprl8_address);
  g_test_add_func ("/fingerprint/mprl8-telnet", test_mprl8_telnet);
  g_test_add_func ("/fingerprint/openwrt", test_openwrt);
  g_test_add_func ("/fingerprint/openwrt-luci-only", test_openwrt_luci_only);
  g_test_add_func ("/fingerprint/unknown-goahead", test_unknown_goahead);
  g_test_add_func ("/fingerprint/unknown-other", test_unknown_other);
  g_test_add_func ("/fingerprint/nothing-answers", test_nothing_answers);
  g_test_add_func ("/fingerprint/restart-sign", test_restart_sign);
  g_test_add_func ("/fingerprint/observation-json", test_observation_json);
  g_test_add_func ("/fingerprint/bad-rules", test_bad_rules);
  g_test_add_func ("/fingerprint/custom-rules", test_custom_rules);
  ret = g_test_run ();
  g_object_unref (rules);
  return ret;
}
