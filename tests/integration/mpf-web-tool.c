/* Test driver for the web path: identifies a router and flashes it through
 * its web UI with the product's own MpfIdentify and MpfWebFlasher, printing
 * one line per event so shell tests can check what happened.
 *
 *   mpf-web-tool identify ADDRESS
 *   mpf-web-tool flash ADDRESS FILE [--family auto|hame-stock|mpr-l8-stock|openwrt]
 *                [--password PW]... [--allow-rename] [--timeout-ms N]
 *                [--verdict-timeout-ms N]
 *
 * Output lines: "family F confidence N version V", "login ok", "progress S T"
 * (every 10 %), "waiting-for-verdict", "log ...", and at the end "result ok"
 * or "result error NICK: message", and "upload-ms N" (image sent to verdict,
 * for the benchmark). Exit 0 on success, 1 on a flasher or
 * identification error, 2 on bad usage. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <locale.h>

#include "mpf-identify.h"
#include "mpf-web-flasher-goahead.h"
#include "mpf-web-flasher-luci.h"

static GMainLoop *loop;
static GAsyncResult *last;

static void
done_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  last = g_object_ref (res);
  g_main_loop_quit (loop);
}

static GAsyncResult *
wait_done (void)
{
  g_clear_object (&last);
  g_main_loop_run (loop);
  return last;
}

static const char *
error_nick (const GError *error)
{
  static const char *const nicks[] = {
    "unreachable", "timeout", "wrong-password", "not-logged-in", "wrong-format",
    "needs-rename", "refused-not-valid", "refused-corrupted", "refused-too-big",
    "connection-dropped", "checksum-mismatch", "unexpected-reply",
  };

  if (error->domain == MPF_WEB_FLASHER_ERROR && error->code >= 0
      && (gsize) error->code < G_N_ELEMENTS (nicks))
    return nicks[error->code];
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return "cancelled";
  return "other";
}

static int
fail (const GError *error)
{
  printf ("result error %s: %s\n", error_nick (error), error->message);
  return 1;
}

static MpfFingerprintResult *
identify (const char *address, GError **error)
{
  g_autoptr(MpfFingerprint) rules = mpf_fingerprint_new_default (error);
  g_autoptr(MpfIdentify) id = NULL;
  MpfFingerprintResult *res;
  gint64 start_us;

  if (rules == NULL)
    return NULL;
  id = mpf_identify_new (rules, address);
  start_us = g_get_monotonic_time ();
  mpf_identify_run_async (id, NULL, done_cb, NULL);
  res = mpf_identify_run_finish (id, wait_done (), error);
  printf ("identify-ms %.1f\n", (g_get_monotonic_time () - start_us) / 1000.0);
  if (res != NULL)
    {
      g_autoptr(JsonNode) report = mpf_identify_to_json_node (id);
      g_autofree char *json = json_to_string (report, FALSE);
      g_autofree char *rules_matched = g_strjoinv (",", res->matched_rules);

      printf ("family %s confidence %u version %s login %s rules %s\n", res->family_id,
              res->confidence, res->version ? res->version : "-",
              mpf_login_scheme_to_string (res->login), rules_matched[0] ? rules_matched : "-");
      printf ("report %s\n", json);
    }
  return res;
}

static void
progress_cb (MpfWebFlasher *f, guint64 sent, guint64 total, gpointer user_data)
{
  guint *last_decile = user_data;
  guint decile = total ? (guint) (sent * 10 / total) : 0;

  if (decile != *last_decile)
    {
      *last_decile = decile;
      printf ("progress %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n", sent, total);
      fflush (stdout);
    }
}

static void
waiting_cb (MpfWebFlasher *f, gpointer user_data)
{
  printf ("waiting-for-verdict\n");
  fflush (stdout);
}

static void
log_cb (MpfWebFlasher *f, const char *line, gpointer user_data)
{
  printf ("log %s\n", line);
  fflush (stdout);
}

int
main (int argc, char *argv[])
{
  g_autofree char *family = g_strdup ("auto");
  g_auto(GStrv) passwords = NULL;
  gboolean allow_rename = FALSE;
  int timeout_ms = 0, verdict_timeout_ms = 0;
  GOptionEntry entries[] = {
    { "family", 0, 0, G_OPTION_ARG_STRING, &family, "Web UI family (auto: identify)", "F" },
    { "password", 0, 0, G_OPTION_ARG_STRING_ARRAY, &passwords, "Password to try (repeatable)", "PW" },
    { "allow-rename", 0, 0, G_OPTION_ARG_NONE, &allow_rename, "Hame: rewrite the image name", NULL },
    { "timeout-ms", 0, 0, G_OPTION_ARG_INT, &timeout_ms, "Request time limit", "N" },
    { "verdict-timeout-ms", 0, 0, G_OPTION_ARG_INT, &verdict_timeout_ms, "Verdict time limit", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("identify ADDRESS | flash ADDRESS FILE");
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfFingerprintResult) res = NULL;
  g_autoptr(MpfWebFlasher) flasher = NULL;
  g_autoptr(GBytes) image = NULL;
  g_autofree char *pw = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  guint decile = G_MAXUINT;
  gint64 start_us;
  gboolean ok;
  MpfFamily fam;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc < 3)
    {
      fprintf (stderr, "%s\n", error ? error->message : "usage: mpf-web-tool identify ADDRESS | flash ADDRESS FILE");
      return 2;
    }
  loop = g_main_loop_new (NULL, FALSE);

  if (g_str_equal (argv[1], "identify"))
    {
      res = identify (argv[2], &error);
      return res ? 0 : fail (error);
    }
  if (!g_str_equal (argv[1], "flash") || argc < 4)
    return 2;
  if (!g_file_get_contents (argv[3], &contents, &len, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  image = g_bytes_new_take (g_steal_pointer (&contents), len);

  if (g_str_equal (family, "auto"))
    {
      res = identify (argv[2], &error);
      if (res == NULL)
        return fail (error);
      fam = res->family;
    }
  else
    fam = mpf_family_from_string (family);

  flasher = mpf_web_flasher_new_for_family (fam, argv[2]);
  if (flasher == NULL)
    {
      printf ("result error unknown-device: no web flasher for this device\n");
      return 1;
    }
  if (MPF_IS_WEB_FLASHER_GOAHEAD (flasher))
    mpf_web_flasher_goahead_set_allow_rename (MPF_WEB_FLASHER_GOAHEAD (flasher), allow_rename);
  if (timeout_ms > 0)
    g_object_set (flasher, "timeout-ms", (guint) timeout_ms, NULL);
  if (verdict_timeout_ms > 0)
    g_object_set (flasher, "verdict-timeout-ms", (guint) verdict_timeout_ms, NULL);
  g_signal_connect (flasher, "upload-progress", G_CALLBACK (progress_cb), &decile);
  g_signal_connect (flasher, "waiting-for-verdict", G_CALLBACK (waiting_cb), NULL);
  g_signal_connect (flasher, "log", G_CALLBACK (log_cb), NULL);

  mpf_web_flasher_login_async (flasher, (const char *const *) passwords, NULL, done_cb, NULL);
  pw = mpf_web_flasher_login_finish (flasher, wait_done (), &error);
  if (pw == NULL)
    return fail (error);
  printf ("login ok\n");

  start_us = g_get_monotonic_time ();
  mpf_web_flasher_upload_async (flasher, image, NULL, done_cb, NULL);
  ok = mpf_web_flasher_upload_finish (flasher, wait_done (), &error);
  /* For the benchmark: the whole upload request, image sent to verdict. */
  printf ("upload-ms %.1f\n", (g_get_monotonic_time () - start_us) / 1000.0);
  if (!ok)
    return fail (error);
  printf ("result ok\n");
  g_clear_object (&last);
  g_main_loop_unref (loop);
  return 0;
}
