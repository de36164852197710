#include "config.h"

#include "mpf-cli-detect.h"
#include "mpf-discovery.h"
#include "mpf-helper-client.h"
#include "mpf-identify.h"
#include "mpf-link-monitor.h"
#include "mpf-netconfig.h"

#include <stdio.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

typedef struct {
  GMainLoop      *loop;
  GCancellable   *cancellable;
  char           *interface;
  gboolean        json;
  gboolean        no_helper;
  MpfLinkMonitor *monitor;
  MpfHelperClient *helper;
  MpfNetconfig   *netconfig;
  GPtrArray      *found;
  MpfFingerprintResult *verdict;   /* of found[0], when it has a web UI */
  MpfIdentify    *identify;
  GError         *error;      /* the first failure, reported at the end */
  int             exit_code;
} Detect;

static void restore (Detect *d);

static void
emit_json (const char *event, JsonBuilder *b)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_set_member_name (b, "event");
  json_builder_add_string_value (b, event);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
  fflush (stdout);
}

static void
say (Detect *d, const char *event, const char *message)
{
  if (d->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, message);
      if (d->interface)
        {
          json_builder_set_member_name (b, "interface");
          json_builder_add_string_value (b, d->interface);
        }
      emit_json (event, b);
    }
  else
    {
      g_print ("%s\n", message);
      fflush (stdout);
    }
}

static void
fail (Detect *d, GError *error)
{
  if (d->error == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    d->error = g_error_copy (error);
  if (d->exit_code == 0)
    d->exit_code = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? 130 : 1;
}

static void
add_verdict_json (JsonBuilder *b, const MpfFingerprintResult *v)
{
  json_builder_set_member_name (b, "family");
  json_builder_add_string_value (b, v->family_id ? v->family_id : mpf_family_to_string (v->family));
  json_builder_set_member_name (b, "version");
  if (v->version)
    json_builder_add_string_value (b, v->version);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "login");
  json_builder_add_string_value (b, mpf_login_scheme_to_string (v->login));
  json_builder_set_member_name (b, "confidence");
  json_builder_add_int_value (b, v->confidence);
}

static void
print_verdict (const MpfFingerprintResult *v)
{
  if (v->family == MPF_FAMILY_UNKNOWN)
    g_print (_("  It runs firmware mprflash does not know (%s).\n"), v->family_id ? v->family_id : "unknown");
  else
    g_print (_("  It runs %s%s%s.\n"), mpf_family_display_name (v->family),
             v->version ? ", " : "", v->version ? v->version : "");
}

static void
print_found (Detect *d)
{
  if (d->found == NULL || d->found->len == 0)
    {
      say (d, "nothing",
           _("No router answered. Check that the router is switched on and that its cable is in one of its "
             "LAN ports. If it is in recovery mode (only the bootloader runs), use the recovery path."));
      d->exit_code = 1;
      return;
    }
  for (guint i = 0; i < d->found->len; i++)
    {
      const MpfDiscovered *f = g_ptr_array_index (d->found, i);

      if (d->json)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "interface");
          json_builder_add_string_value (b, d->interface);
          json_builder_set_member_name (b, "address");
          json_builder_add_string_value (b, f->address);
          json_builder_set_member_name (b, "mac");
          if (f->mac)
            json_builder_add_string_value (b, f->mac);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "state");
          json_builder_add_string_value (b, mpf_discovery_state_to_string (f->state));
          json_builder_set_member_name (b, "http_status");
          json_builder_add_int_value (b, f->http_status);
          json_builder_set_member_name (b, "server");
          if (f->server)
            json_builder_add_string_value (b, f->server);
          else
            json_builder_add_null_value (b);
          if (i == 0 && d->verdict != NULL)
            add_verdict_json (b, d->verdict);
          emit_json ("found", b);
        }
      else
        {
          const char *what = f->state == MPF_DISCOVERY_WEB ? _("web interface answered")
                           : f->state == MPF_DISCOVERY_BOOTLOADER ? _("recovery bootloader")
                           : _("answers, but has no web interface");
          g_print (_("Found %s (%s): %s\n"), f->address, f->mac ? f->mac : _("MAC unknown"), what);
          if (i == 0 && d->verdict != NULL)
            print_verdict (d->verdict);
        }
    }
}

static void
restored_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Detect *d = user_data;
  g_autoptr(GError) error = NULL;

  if (!mpf_netconfig_restore_finish (MPF_NETCONFIG (source), result, &error))
    {
      g_printerr ("%s\n", error->message);
      if (d->exit_code == 0)
        d->exit_code = 1;
    }
  else
    say (d, "restored", _("Your network settings are as they were."));
  g_main_loop_quit (d->loop);
}

static void
restore (Detect *d)
{
  if (d->netconfig == NULL)
    {
      g_main_loop_quit (d->loop);
      return;
    }
  mpf_netconfig_restore_async (d->netconfig, NULL, restored_cb, d);
}

static void
identified_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Detect *d = user_data;
  g_autoptr(GError) error = NULL;

  d->verdict = mpf_identify_run_finish (MPF_IDENTIFY (source), result, &error);
  if (d->verdict == NULL)
    {
      fail (d, error);
      restore (d);
      return;
    }
  print_found (d);
  restore (d);
}

static void
discovered_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Detect *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfFingerprint) rules = NULL;
  const MpfDiscovered *first;

  d->found = mpf_discovery_run_finish (MPF_DISCOVERY (source), result, &error);
  if (d->found == NULL)
    {
      fail (d, error);
      restore (d);
      return;
    }
  first = d->found->len > 0 ? g_ptr_array_index (d->found, 0) : NULL;
  if (first == NULL || first->state != MPF_DISCOVERY_WEB)
    {
      print_found (d);
      restore (d);
      return;
    }
  rules = mpf_fingerprint_new_default (&error);
  if (rules == NULL)
    {
      fail (d, error);
      restore (d);
      return;
    }
  say (d, "identify", _("Asking the router what it runs…"));
  d->identify = mpf_identify_new (rules, first->address);
  mpf_identify_run_async (d->identify, d->cancellable, identified_cb, d);
}

static void
applied_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Detect *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfDiscovery) discovery = NULL;

  if (!mpf_netconfig_apply_finish (MPF_NETCONFIG (source), result, &error))
    {
      fail (d, error);
      restore (d);
      return;
    }
  if (d->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "interface");
      json_builder_add_string_value (b, d->interface);
      json_builder_set_member_name (b, "backend");
      json_builder_add_string_value (b, mpf_netconfig_get_backend (d->netconfig) == MPF_NETCONFIG_BACKEND_HELPER
                                        ? "helper" : "network-manager");
      emit_json ("configured", b);
    }
  say (d, "discover", _("Looking for the router…"));
  discovery = mpf_discovery_new (d->interface);
  mpf_discovery_set_helper (discovery, d->helper);
  mpf_discovery_run_async (discovery, d->cancellable, discovered_cb, d);
}

static void
configure (Detect *d)
{
  say (d, "configure", _("Cable connected. Setting up a temporary address…"));
  d->netconfig = mpf_netconfig_new (d->interface, mpf_link_monitor_get_client (d->monitor));
  mpf_netconfig_set_helper (d->netconfig, d->helper);
  mpf_netconfig_apply_async (d->netconfig, MPF_NETCONFIG_PURPOSE_DISCOVER, d->cancellable, applied_cb, d);
}

static void
helper_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Detect *d = user_data;
  g_autoptr(GError) error = NULL;

  d->helper = mpf_helper_client_new_finish (result, &error);
  if (d->helper == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          fail (d, error);
          g_main_loop_quit (d->loop);
          return;
        }
      /* NetworkManager may still do; if not, netconfig explains. */
      g_debug ("detect: no helper: %s", error->message);
    }
  configure (d);
}

static void
carrier_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Detect *d = user_data;
  g_autoptr(GError) error = NULL;
  char *name = mpf_link_monitor_wait_carrier_finish (MPF_LINK_MONITOR (source), result, &error);

  if (name == NULL)
    {
      fail (d, error);
      g_main_loop_quit (d->loop);
      return;
    }
  g_free (d->interface);
  d->interface = name;
  /* The helper sees what HTTP cannot (a router outside the default subnets,
   * the recovery bootloader) and sets the address where NetworkManager
   * cannot. */
  if (d->no_helper)
    configure (d);
  else
    mpf_helper_client_new_async (d->cancellable, helper_cb, d);
}

static void
monitor_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Detect *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfLink) link = NULL;

  d->monitor = mpf_link_monitor_new_finish (result, &error);
  if (d->monitor == NULL)
    {
      fail (d, error);
      g_main_loop_quit (d->loop);
      return;
    }
  link = d->interface ? mpf_link_monitor_get_link (d->monitor, d->interface) : NULL;
  if (link != NULL && !link->carrier)
    {
      g_autofree char *msg = g_strdup_printf (_("Plug the router’s cable into “%s” and switch the router on…"),
                                              d->interface);
      say (d, "wait-cable", msg);
    }
  else if (d->interface == NULL)
    {
      g_autoptr(GPtrArray) links = mpf_link_monitor_list_links (d->monitor);
      gboolean any = FALSE;

      for (guint i = 0; i < links->len; i++)
        any |= ((MpfLink *) g_ptr_array_index (links, i))->carrier;
      if (links->len > 0 && !any)
        say (d, "wait-cable", _("Plug the router’s cable into this computer’s network port and switch the router on…"));
    }
  mpf_link_monitor_wait_carrier_async (d->monitor, d->interface, d->cancellable, carrier_cb, d);
}

static gboolean
interrupted_cb (gpointer user_data)
{
  Detect *d = user_data;

  g_cancellable_cancel (d->cancellable);
  return G_SOURCE_CONTINUE;
}

int
mpf_cli_detect (int argc, char **argv)
{
  g_autofree char *interface = NULL;
  gboolean json = FALSE, no_helper = FALSE;
  const GOptionEntry entries[] = {
    { "interface", 'i', 0, G_OPTION_ARG_STRING, &interface, N_("Wired interface the router is connected to"), N_("IF") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print events as JSON lines"), NULL },
    { "no-helper", 0, 0, G_OPTION_ARG_NONE, &no_helper, N_("Do not start the privileged helper"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  Detect d = { 0 };
  guint sigint, sigterm;

  g_option_context_set_summary (ctx, _("Find the router on the cable and tell what it runs."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  d.loop = g_main_loop_new (NULL, FALSE);
  d.cancellable = g_cancellable_new ();
  d.interface = g_steal_pointer (&interface);
  d.json = json;
  d.no_helper = no_helper;
  sigint = g_unix_signal_add (SIGINT, interrupted_cb, &d);
  sigterm = g_unix_signal_add (SIGTERM, interrupted_cb, &d);

  mpf_link_monitor_new_async (d.cancellable, monitor_cb, &d);
  g_main_loop_run (d.loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (d.error != NULL)
    {
      if (d.json)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "message");
          json_builder_add_string_value (b, d.error->message);
          emit_json ("error", b);
        }
      g_printerr ("%s\n", d.error->message);
    }
  else if (d.exit_code == 130)
    g_printerr ("%s\n", _("Cancelled."));

  g_clear_pointer (&d.found, g_ptr_array_unref);
  g_clear_pointer (&d.verdict, mpf_fingerprint_result_free);
  g_clear_object (&d.identify);
  g_clear_object (&d.netconfig);
  g_clear_object (&d.helper);
  g_clear_object (&d.monitor);
  g_clear_object (&d.cancellable);
  g_clear_error (&d.error);
  g_free (d.interface);
  g_main_loop_unref (d.loop);
  return d.exit_code;
}
