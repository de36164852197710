#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "mpf-flash-job-private.h"

/* After the image went out: WRITING → REBOOTING → VERIFY; waiting through the reboot
 * and proving the router restarted into the new firmware. */

/* Addresses where the new firmware may answer: where the router was, then
 * the defaults of what was flashed. */
static GPtrArray *
candidate_addresses (MpfFlashJob *self)
{
  GPtrArray *a = g_ptr_array_new_with_free_func (g_free);
  static const char *const stock[] = { "192.168.169.1", "192.168.100.1", NULL };
  static const char *const openwrt[] = { "192.168.1.1", NULL };
  const char *const *defaults = self->image_family == MPF_FAMILY_OPENWRT ? openwrt : stock;

  if (self->router != NULL && self->router->address != NULL && self->router->family != MPF_FAMILY_BOOTLOADER)
    g_ptr_array_add (a, g_strdup (self->router->address));
  for (guint i = 0; defaults[i] != NULL; i++)
    if (!g_ptr_array_find_with_equal_func (a, defaults[i], g_str_equal, NULL))
      g_ptr_array_add (a, g_strdup (defaults[i]));
  /* The demo router is always at the same place. */
  if (self->demo_control != NULL)
    g_ptr_array_set_size (a, MIN (a->len, 1u));
  return a;
}

/* Each candidate address is asked on its own chain (GET /, then again
 * POLL_INTERVAL_MS after the answer or failure), so a silent address that
 * takes seconds to fail never hides the short moment the old firmware is
 * gone. A generation number stops chains of an earlier wait. */
typedef struct {
  MpfFlashJob *self;
  char        *address;
  guint        generation;
} PollChain;

static void poll_chain_send (PollChain *chain);

static gboolean
poll_chain_again (gpointer user_data)
{
  poll_chain_send (user_data);
  return G_SOURCE_REMOVE;
}

static void
poll_chain_free (PollChain *chain)
{
  g_object_unref (chain->self);
  g_free (chain->address);
  g_free (chain);
}

static gboolean
poll_chain_alive (PollChain *chain)
{
  MpfFlashJob *self = chain->self;

  return !self->ending && self->task != NULL && chain->generation == self->poll_generation
         && (self->stage == MPF_FLASH_STAGE_WRITING || self->stage == MPF_FLASH_STAGE_REBOOTING);
}

static void
poll_answer_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PollChain *chain = user_data;
  MpfFlashJob *self = chain->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  gboolean is_old = self->router != NULL && g_strcmp0 (chain->address, self->router->address) == 0;

  if (!poll_chain_alive (chain))
    {
      poll_chain_free (chain);
      return;
    }
  if (body == NULL && is_old)
    self->failed_polls++;
  else if (body != NULL && self->gone_us != 0 && self->back_us == 0)
    self->back_us = g_get_monotonic_time ();
  if (self->stage == MPF_FLASH_STAGE_REBOOTING && body == NULL && is_old)
    mpf_flash_job_note_gone (self, "http");
  if (self->stage == MPF_FLASH_STAGE_WRITING)
    {
      if (body == NULL && is_old)
        {
          /* The old firmware's web server went away: the router restarts. */
          mpf_flash_job_note_gone (self, "http");
          mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_REBOOTING, _("The router is restarting with the new firmware…"));
        }
      else if (body != NULL && (!is_old || self->seen_gone))
        {
          /* Something answers where the old firmware was not: it restarted. */
          mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_REBOOTING, _("The router is restarting with the new firmware…"));
          mpf_flash_job_verify (self, chain->address);
          poll_chain_free (chain);
          return;
        }
    }
  else if (body != NULL)
    {
      mpf_flash_job_verify (self, chain->address);
      poll_chain_free (chain);
      return;
    }
  g_timeout_add (POLL_INTERVAL_MS, poll_chain_again, chain);
}

static void
poll_chain_send (PollChain *chain)
{
  MpfFlashJob *self = chain->self;
  g_autofree char *http = NULL, *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  if (!poll_chain_alive (chain))
    {
      poll_chain_free (chain);
      return;
    }
  http = mpf_flash_env_http_address (self->env, chain->address);
  url = g_strdup_printf ("http://%s/", http);
  msg = soup_message_new ("GET", url);
  if (msg == NULL)
    {
      poll_chain_free (chain);
      return;
    }
  soup_session_send_and_read_async (self->poll_session, msg, G_PRIORITY_DEFAULT, self->cancellable,
                                    poll_answer_cb, chain);
}

void
mpf_flash_job_poll_start (MpfFlashJob *self)
{
  g_autoptr(GPtrArray) addresses = NULL;

  if (self->ending || self->task == NULL)
    return;
  self->poll_generation++;
  if (self->poll_session == NULL)
    self->poll_session = mpf_identify_new_session (POLL_HTTP_TIMEOUT_S);
  addresses = candidate_addresses (self);
  for (guint i = 0; i < addresses->len; i++)
    {
      PollChain *chain = g_new0 (PollChain, 1);

      chain->self = g_object_ref (self);
      chain->address = g_strdup (g_ptr_array_index (addresses, i));
      chain->generation = self->poll_generation;
      poll_chain_send (chain);
    }
}

void
mpf_flash_job_writing_timed_out (MpfFlashJob *self)
{
  if (self->ending || self->task == NULL)
    return;
  if (self->plan->path == MPF_FLASH_PATH_RECOVERY)
    mpf_flash_job_log_text (self, "note", "text", "no flash-done (opcode 9) within the writing window; not proof of failure");
  else
    mpf_flash_job_log_text (self, "note", "text", "the web server never went away while writing; checking what runs now");
  /* Only to take the next answer for the new firmware's: not evidence of a
   * restart (gone_evidence stays unset; the restart check decides). */
  self->seen_gone = TRUE;
  mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_REBOOTING, _("Waiting for the router to start the new firmware…"));
  mpf_flash_job_poll_start (self);
}

/* After a web upgrade the same family answering again is no proof that the
 * new firmware runs: the old one may simply have kept running. Proof is a
 * different family, the family's restart rule (data/fingerprints.json:
 * the sign-in made before the upload is forgotten), or the router seen gone
 * (HTTP or carrier) after the upload. What was seen goes into the log so a
 * diagnostics report can correct the rule. */
static gboolean
restart_proven (MpfFlashJob *self, MpfIdentify *id, MpfFamily before, MpfFamily now)
{
  const char *rule_family = NULL;
  JsonObject *o = json_object_new ();
  gboolean same = now == before || (mpf_flash_job_is_stock (now) && mpf_flash_job_is_stock (before));
  MpfRestartSign sign = mpf_fingerprint_restart_sign (self->rules, mpf_family_to_string (before),
                                                      mpf_identify_get_address (id),
                                                      mpf_identify_get_observations (id), &rule_family);
  gboolean proven;

  if (!same)
    proven = TRUE;
  else if (sign == MPF_RESTART_SIGN_HELD)
    proven = FALSE;
  else if (sign == MPF_RESTART_SIGN_FRESH)
    proven = TRUE;
  else
    proven = self->gone_evidence != NULL;

  json_object_set_string_member (o, "family_before", mpf_family_to_string (before));
  json_object_set_string_member (o, "family_now", mpf_family_to_string (now));
  json_object_set_string_member (o, "sign", mpf_restart_sign_to_string (sign));
  json_object_set_string_member (o, "rule_family", rule_family);
  json_object_set_string_member (o, "gone", self->gone_evidence);
  if (self->gone_us != 0 && self->back_us != 0)
    json_object_set_int_member (o, "unreachable_ms", (self->back_us - self->gone_us) / 1000);
  json_object_set_int_member (o, "failed_polls", self->failed_polls);
  json_object_set_boolean_member (o, "proven", proven);
  mpf_flash_job_log_record (self, "restart-check", o);
  return proven;
}

static void
verified_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MpfFlashJob *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfFingerprintResult) r = mpf_identify_run_finish (MPF_IDENTIFY (source), result, &error);
  JsonObject *o = json_object_new ();
  MpfFamily before = self->found_family, now;
  MpfRouterInfo *info;
  gboolean family_ok, version_ok = TRUE;

  json_object_set_member (o, "identify", mpf_identify_to_json_node (MPF_IDENTIFY (source)));
  mpf_flash_job_log_record (self, "identify", o);
  RETURN_IF_ENDING (self);
  if (r == NULL)
    {
      mpf_flash_job_fail_from (self, g_steal_pointer (&error));
      g_object_unref (self);
      return;
    }
  now = r->family;
  if (mpf_flash_job_is_stock (now) && g_strcmp0 (self->board, "MPR-L8") == 0)
    now = MPF_FAMILY_MPRL8_STOCK;
  if (!r->answered || now == MPF_FAMILY_UNKNOWN)
    {
      /* Half started (web server up, pages not yet): look again. */
      mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_REBOOTING, NULL);
      mpf_flash_job_poll_start (self);
      g_object_unref (self);
      return;
    }
  info = mpf_flash_job_router_copy_or_new (self);
  g_free (info->address);
  info->address = g_strdup (mpf_identify_get_address (MPF_IDENTIFY (source)));
  if (self->demo_control == NULL)
    {
      g_free (info->address);
      info->address = g_strdup (self->back_address);
    }
  info->family = now;
  g_free (info->version);
  info->version = g_strdup (r->version);
  mpf_flash_job_set_router (self, info);

  family_ok = self->image_family == MPF_FAMILY_OPENWRT ? now == MPF_FAMILY_OPENWRT : mpf_flash_job_is_stock (now);
  if (family_ok && self->image_version != NULL && r->version != NULL)
    version_ok = strstr (r->version, self->image_version) != NULL;
  if (!family_ok || !version_ok)
    {
      g_autofree char *msg = NULL;

      if (family_ok || now == before)
        msg = g_strdup_printf (_("The router came back with its old firmware (%s%s%s): the new image was not written. "
                                 "Try again, or use the recovery path."),
                               mpf_family_display_name (now), r->version ? " " : "", r->version ? r->version : "");
      else
        msg = g_strdup_printf (_("The router came back running %s, not the firmware that was sent. Try again."),
                               mpf_family_display_name (now));
      mpf_flash_job_fail (self, g_error_new_literal (MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_OLD_FIRMWARE, msg));
      g_object_unref (self);
      return;
    }
  if (self->plan->path == MPF_FLASH_PATH_WEB
      && !restart_proven (self, MPF_IDENTIFY (source), before, now))
    {
      mpf_flash_job_fail (self, g_error_new_literal (MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_NOT_RESTARTED,
                                       _("The router did not restart after taking the image, so it is not known "
                                         "whether the new firmware was written. Unplug the router’s power, plug it "
                                         "back in, wait two minutes, then run the assistant again to check what it runs.")));
      g_object_unref (self);
      return;
    }
  {
    g_autofree char *msg = g_strdup_printf (_("Verified: the router now runs %s%s%s."), mpf_family_display_name (now),
                                            r->version ? " " : "", r->version ? r->version : "");
    mpf_flash_job_set_progress (self, 1.0, -1);
    mpf_flash_job_set_message (self, msg);
  }
  mpf_flash_job_restore (self);
  g_object_unref (self);
}

void
mpf_flash_job_verify (MpfFlashJob *self, const char *address)
{
  g_autoptr(MpfIdentify) id = NULL;

  mpf_flash_job_stop_polling (self);
  g_free (self->back_address);
  self->back_address = g_strdup (address);
  mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_VERIFY, _("The router answers again. Checking what it runs now…"));
  id = mpf_flash_job_new_identify (self, address);
  mpf_identify_run_async (id, self->cancellable, verified_cb, g_object_ref (self));
}

static void
reconfigured_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MpfFlashJob *self = user_data;
  g_autoptr(GError) error = NULL;

  RETURN_IF_ENDING (self);
  if (!mpf_flash_env_finish_boolean (MPF_FLASH_ENV (source), result, &error))
    {
      mpf_flash_job_fail_from (self, g_error_new (MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_NETWORK_CONFIG,
                                    _("The temporary network address could not be set up: %s"), error->message));
      g_object_unref (self);
      return;
    }
  mpf_flash_job_poll_start (self);
  g_object_unref (self);
}

/* Recovery finished writing (or its signal never came): the firmware comes
 * up at its own address, so the discovery addresses are needed again. The
 * TFTP service stays up to notice a router asking again (reset still held). */
void
mpf_flash_job_recovery_rebooting (MpfFlashJob *self)
{
  mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_REBOOTING,
             _("The router wrote the image and restarts. Let go of the reset button if you still hold it…"));
  mpf_flash_env_configure_async (self->env, MPF_NETCONFIG_PURPOSE_DISCOVER, self->cancellable,
                                 reconfigured_cb, g_object_ref (self));
}
