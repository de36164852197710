#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "mpf-discovery.h"
#include "mpf-flash-env-demo.h"
#include "mpf-flash-env-real.h"
#include "mpf-flash-job.h"
#include "mpf-flash-plan.h"
#include "mpf-identify.h"
#include "mpf-recovery-container.h"
#include "mpf-web-flasher-goahead.h"
#include "mpf-flash-job-private.h"

G_DEFINE_QUARK (mpf-flash-job-error-quark, mpf_flash_job_error)

enum {
  PROP_0,
  PROP_STAGE,
  PROP_FRACTION,
  PROP_STAGE_FRACTION,
  PROP_ETA,
  PROP_MESSAGE,
  PROP_ROUTER,
  PROP_PLAN,
  PROP_INTERFACE,
  PROP_BOARD,
  PROP_PATH,
  PROP_GOAL,
  PROP_DEMO_CONTROL,
  PROP_DEMO_HTTP_PORT,
  PROP_DEMO_TFTP_PORT,
  N_PROPS
};
static GParamSpec *props[N_PROPS];

enum { SIG_PROMPT, SIG_LOG, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (MpfFlashJob, mpf_flash_job, G_TYPE_OBJECT)

/* ---- stages --------------------------------------------------------------- */

typedef struct {
  const char *id;
  const char *name;      /* N_() */
  double      base;      /* share of the whole job before this stage */
  double      span;
  guint       timeout_s; /* 0: none */
  int         timeout_code;
  const char *timeout_text; /* N_(): what happened and what to do */
} StageInfo;

static const StageInfo stage_info[] = {
  [MPF_FLASH_STAGE_IDLE]      = { "idle", N_("Ready"), 0, 0, 0, 0, NULL },
  [MPF_FLASH_STAGE_FIND_LINK] = { "find-link", N_("Waiting for the cable"), 0, 0.02, 600,
      MPF_FLASH_JOB_ERROR_NO_CARRIER,
      N_("No cable was connected. Plug the router’s cable into this computer’s network port, switch the router on, and try again.") },
  [MPF_FLASH_STAGE_CONFIGURE] = { "configure", N_("Preparing the network"), 0.02, 0.03, 90,
      MPF_FLASH_JOB_ERROR_NETWORK_CONFIG,
      N_("The temporary network address could not be set up in time. Check that no other network tool manages this port, and try again.") },
  [MPF_FLASH_STAGE_DISCOVER]  = { "discover", N_("Looking for the router"), 0.05, 0.05, 240,
      MPF_FLASH_JOB_ERROR_NOT_FOUND,
      N_("The search for the router took too long. Check the cable and that the router is switched on, then try again.") },
  [MPF_FLASH_STAGE_IDENTIFY]  = { "identify", N_("Recognising the router"), 0.10, 0.03, 120,
      MPF_FLASH_JOB_ERROR_UNKNOWN_DEVICE,
      N_("The router’s web page answered too slowly to be recognised. Restart the router and try again.") },
  [MPF_FLASH_STAGE_PLAN]      = { "plan", N_("Choosing how to flash"), 0.13, 0.02, 0, 0, NULL },
  [MPF_FLASH_STAGE_LOGIN]     = { "login", N_("Signing in"), 0.15, 0.03, 90,
      MPF_FLASH_JOB_ERROR_CONNECTION_LOST,
      N_("The router did not finish the sign-in. Restart the router and try again.") },
  [MPF_FLASH_STAGE_UPLOAD]    = { "upload", N_("Sending the image"), 0.18, 0.37, 900,
      MPF_FLASH_JOB_ERROR_CONNECTION_LOST,
      N_("Sending the image took too long. Nothing was changed. Check the cable and try again, or use the recovery path.") },
  [MPF_FLASH_STAGE_CONFIRM]   = { "confirm", N_("Waiting for the router’s answer"), 0.55, 0.10, 420,
      MPF_FLASH_JOB_ERROR_CONNECTION_LOST,
      N_("The router never said whether it took the image. Wait five minutes, then restart the router and check what it runs.") },
  [MPF_FLASH_STAGE_WAIT_BOOTLOADER] = { "wait-bootloader", N_("Waiting for the router’s bootloader"), 0.15, 0.05, 180,
      MPF_FLASH_JOB_ERROR_NO_BOOTLOADER,
      N_("No bootloader was seen within the window. Check the cable, then unplug the router’s power, hold its reset button, plug the power back in and keep holding for five seconds. Some units’ bootloaders have no working Ethernet; for those, use the web path.") },
  [MPF_FLASH_STAGE_TRANSFER]  = { "transfer", N_("Sending the image"), 0.20, 0.35, 900,
      MPF_FLASH_JOB_ERROR_TRANSFER_STALLED,
      N_("The transfer stalled. Nothing was written. Check the cable, power-cycle the router with reset held, and try again.") },
  [MPF_FLASH_STAGE_WRITING]   = { "writing", N_("Writing flash — do not unplug"), 0.55, 0.25, 360, 0, NULL },
  [MPF_FLASH_STAGE_REBOOTING] = { "rebooting", N_("Restarting the router"), 0.80, 0.10, 300,
      MPF_FLASH_JOB_ERROR_NOT_BACK,
      N_("The router did not come back after flashing. Wait a minute, unplug its power and plug it back in. If it still does not answer, use the recovery path.") },
  [MPF_FLASH_STAGE_VERIFY]    = { "verify", N_("Checking the new firmware"), 0.90, 0.07, 120,
      MPF_FLASH_JOB_ERROR_NOT_BACK,
      N_("The router answered but could not be checked. Restart it and look at its web page.") },
  [MPF_FLASH_STAGE_RESTORE]   = { "restore", N_("Giving your network back"), 0.97, 0.03, 0, 0, NULL },
  [MPF_FLASH_STAGE_DONE]      = { "done", N_("Done"), 1, 0, 0, 0, NULL },
  [MPF_FLASH_STAGE_FAILED]    = { "failed", N_("Failed"), 1, 0, 0, 0, NULL },
};

const char *
mpf_flash_stage_to_string (MpfFlashStage stage)
{
  return (guint) stage < G_N_ELEMENTS (stage_info) ? stage_info[stage].id : "unknown";
}

const char *
mpf_flash_stage_display_name (MpfFlashStage stage)
{
  return (guint) stage < G_N_ELEMENTS (stage_info) ? _(stage_info[stage].name) : "";
}

gboolean
mpf_flash_job_is_stock (MpfFamily f)
{
  return f == MPF_FAMILY_STOCK || f == MPF_FAMILY_HAME_STOCK || f == MPF_FAMILY_MPRL8_STOCK;
}

/* ---- log ------------------------------------------------------------------ */

/* Appends one record: {"t_ms", "stage", "kind", ...@fields}. @fields is consumed. */
void
mpf_flash_job_log_record (MpfFlashJob *self, const char *kind, JsonObject *fields)
{
  g_autoptr(JsonObject) o = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *line = NULL;

  json_object_set_int_member (o, "t_ms", (g_get_monotonic_time () - self->t0_us) / 1000);
  json_object_set_string_member (o, "stage", mpf_flash_stage_to_string (self->stage));
  json_object_set_string_member (o, "kind", kind);
  if (fields != NULL)
    {
      GList *members = json_object_get_members (fields);
      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (o, l->data, json_node_copy (json_object_get_member (fields, l->data)));
      g_list_free (members);
      json_object_unref (fields);
    }
  json_node_set_object (node, o);
  line = json_to_string (node, FALSE);
  g_string_append (self->log, line);
  g_string_append_c (self->log, '\n');
  g_signal_emit (self, signals[SIG_LOG], 0, line);
}

void
mpf_flash_job_log_text (MpfFlashJob *self, const char *kind, const char *key, const char *text)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, key, text != NULL ? text : "");
  mpf_flash_job_log_record (self, kind, o);
}

/* ---- properties ------------------------------------------------------------ */

void
mpf_flash_job_set_message (MpfFlashJob *self, const char *message)
{
  if (g_strcmp0 (self->message, message) == 0)
    return;
  g_free (self->message);
  self->message = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MESSAGE]);
  mpf_flash_job_log_text (self, "message", "text", message);
}

static void
update_fraction (MpfFlashJob *self)
{
  const StageInfo *si = &stage_info[self->stage];
  double f = si->base + si->span * MAX (0.0, self->stage_fraction);

  if (self->stage == MPF_FLASH_STAGE_FAILED)
    return;
  if (f != self->fraction)
    {
      self->fraction = CLAMP (f, 0.0, 1.0);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_FRACTION]);
    }
}

void
mpf_flash_job_set_progress (MpfFlashJob *self, double stage_fraction, int eta)
{
  if (stage_fraction != self->stage_fraction)
    {
      self->stage_fraction = stage_fraction;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STAGE_FRACTION]);
    }
  if (eta != self->eta)
    {
      self->eta = eta;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ETA]);
    }
  update_fraction (self);
}


static gboolean
stage_timeout_cb (gpointer user_data)
{
  MpfFlashJob *self = user_data;
  const StageInfo *si = &stage_info[self->stage];

  self->stage_timeout_id = 0;
  mpf_flash_job_log_text (self, "timeout", "stage", si->id);
  mpf_flash_job_fail (self, g_error_new_literal (MPF_FLASH_JOB_ERROR, si->timeout_code, _(si->timeout_text)));
  return G_SOURCE_REMOVE;
}

/* Writing has no failure of its own: opcode 9 may be lost, and the web UIs
 * write before they answer. Its timeout only moves on to the reboot. */

static gboolean
writing_timeout_cb (gpointer user_data)
{
  MpfFlashJob *self = user_data;

  self->stage_timeout_id = 0;
  mpf_flash_job_writing_timed_out (self);
  return G_SOURCE_REMOVE;
}

/* A search that runs out of time found nothing: a bricked unit is silent. */
static gboolean
discover_timeout_cb (gpointer user_data)
{
  MpfFlashJob *self = user_data;

  self->stage_timeout_id = 0;
  mpf_flash_job_log_text (self, "timeout", "stage", "discover");
  self->discover_timed_out = TRUE;
  g_cancellable_cancel (self->discover_cancellable);
  return G_SOURCE_REMOVE;
}

static void
arm_stage_timeout (MpfFlashJob *self)
{
  const StageInfo *si = &stage_info[self->stage];
  guint ms;

  g_clear_handle_id (&self->stage_timeout_id, g_source_remove);
  if (si->timeout_s == 0 || self->ending)
    return;
  ms = (guint) MAX (50.0, si->timeout_s * 1000.0 * self->timeout_scale);
  self->stage_timeout_id = g_timeout_add (ms, self->stage == MPF_FLASH_STAGE_WRITING ? writing_timeout_cb
                                             : self->stage == MPF_FLASH_STAGE_DISCOVER ? discover_timeout_cb
                                             : stage_timeout_cb, self);
}

void
mpf_flash_job_set_stage (MpfFlashJob *self, MpfFlashStage stage, const char *message)
{
  if (self->stage != stage)
    {
      self->stage = stage;
      mpf_flash_job_log_text (self, "stage", "name", mpf_flash_stage_to_string (stage));
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STAGE]);
      arm_stage_timeout (self);
    }
  mpf_flash_job_set_progress (self, stage == MPF_FLASH_STAGE_DONE ? 1.0 : -1.0, -1);
  if (message != NULL)
    mpf_flash_job_set_message (self, message);
}

void
mpf_flash_job_set_router (MpfFlashJob *self, MpfRouterInfo *info)
{
  JsonObject *o = json_object_new ();

  mpf_router_info_free (self->router);
  self->router = info;
  json_object_set_string_member (o, "interface", info->interface);
  json_object_set_string_member (o, "address", info->address);
  json_object_set_string_member (o, "mac", info->mac);
  json_object_set_string_member (o, "family", mpf_family_to_string (info->family));
  json_object_set_string_member (o, "version", info->version);
  json_object_set_string_member (o, "board", info->board);
  json_object_set_string_member (o, "factory_mac", info->factory_mac);
  mpf_flash_job_log_record (self, "router", o);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ROUTER]);
}

MpfRouterInfo *
mpf_flash_job_router_copy_or_new (MpfFlashJob *self)
{
  MpfRouterInfo *info = mpf_router_info_copy (self->router);

  if (info == NULL)
    {
      info = g_new0 (MpfRouterInfo, 1);
      info->interface = g_strdup (self->interface);
      info->board = g_strdup (self->board);
    }
  return info;
}

/* ---- prompts ---------------------------------------------------------------- */

void
mpf_flash_job_ask (MpfFlashJob *self, MpfFlashPromptKind kind, const char *text,
     void (*callback) (MpfFlashJob *self, const char *answer))
{
  static const char *const names[] = { "password", "rename-image", "power-cycle", "serve-again" };
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "prompt", names[kind]);
  json_object_set_string_member (o, "text", text);
  mpf_flash_job_log_record (self, "prompt", o);
  self->prompt_pending = callback != NULL;
  self->prompt_kind = kind;
  self->prompt_cb = callback;
  /* The user's time does not count against the stage. */
  if (callback != NULL)
    g_clear_handle_id (&self->stage_timeout_id, g_source_remove);
  mpf_flash_job_set_message (self, text);
  g_signal_emit (self, signals[SIG_PROMPT], 0, (int) kind, text);
}

void
mpf_flash_job_answer (MpfFlashJob *self, MpfFlashPromptKind kind, const char *answer)
{
  void (*cb) (MpfFlashJob *, const char *);
  JsonObject *o;

  g_return_if_fail (MPF_IS_FLASH_JOB (self));
  if (!self->prompt_pending || self->prompt_kind != kind || self->ending)
    return;
  o = json_object_new ();
  json_object_set_string_member (o, "answer", kind == MPF_FLASH_PROMPT_PASSWORD
                                              ? (answer && *answer ? "(redacted)" : "")
                                              : (answer ? answer : ""));
  mpf_flash_job_log_record (self, "answer", o);
  cb = self->prompt_cb;
  self->prompt_pending = FALSE;
  self->prompt_cb = NULL;
  arm_stage_timeout (self);
  g_object_ref (self);
  cb (self, answer);
  g_object_unref (self);
}

gboolean
mpf_flash_job_answer_is_yes (const char *answer)
{
  return answer != NULL && (g_ascii_strcasecmp (answer, "yes") == 0 || g_ascii_strcasecmp (answer, "y") == 0);
}

/* ---- ending a phase ----------------------------------------------------------- */

void
mpf_flash_job_stop_polling (MpfFlashJob *self)
{
  self->poll_generation++;
}

static void
finish_phase (MpfFlashJob *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  GError *failure = g_steal_pointer (&self->failure);

  g_clear_handle_id (&self->stage_timeout_id, g_source_remove);
  mpf_flash_job_stop_polling (self);
  if (self->caller_cancellable != NULL && self->caller_cancel_id != 0)
    g_cancellable_disconnect (self->caller_cancellable, self->caller_cancel_id);
  self->caller_cancel_id = 0;
  g_clear_object (&self->caller_cancellable);
  self->ending = FALSE;
  self->prompt_pending = FALSE;
  if (failure != NULL)
    {
      JsonObject *o = json_object_new ();

      json_object_set_string_member (o, "domain", g_quark_to_string (failure->domain));
      json_object_set_int_member (o, "code", failure->code);
      json_object_set_string_member (o, "message", failure->message);
      mpf_flash_job_log_record (self, "error", o);
      mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_FAILED, failure->message);
      g_task_return_error (task, failure);
    }
  else
    g_task_return_boolean (task, TRUE);
}

static void
restored_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MpfFlashJob *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!mpf_flash_env_finish_boolean (MPF_FLASH_ENV (source), result, &error))
    {
      mpf_flash_job_log_text (self, "restore-error", "message", error->message);
      if (self->failure == NULL)
        self->failure = g_error_new (MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_NETWORK_CONFIG,
                                     _("The router was flashed, but your network settings could not be given back: %s"),
                                     error->message);
    }
  else
    mpf_flash_job_log_text (self, "restored", "backend", mpf_flash_env_describe (self->env));
  self->restored = TRUE;
  if (self->failure == NULL && self->task != NULL
      && g_task_get_source_tag (self->task) == (gpointer) mpf_flash_job_flash_async)
    mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_DONE, _("Done. The router runs the new firmware, and your network is as it was."));
  else if (self->failure == NULL
           && g_task_get_source_tag (self->task) == (gpointer) mpf_flash_job_restore_async)
    mpf_flash_job_set_message (self, _("Your network settings are as they were."));
  finish_phase (self);
  g_object_unref (self);
}

/* RESTORE always runs last, whatever happened. */
void
mpf_flash_job_restore (MpfFlashJob *self)
{
  self->ending = TRUE;
  g_clear_handle_id (&self->stage_timeout_id, g_source_remove);
  mpf_flash_job_stop_polling (self);
  if (self->flasher != NULL)
    g_signal_handlers_disconnect_by_data (self->flasher, self);
  g_clear_object (&self->flasher);
  self->serving = FALSE;
  mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_RESTORE, _("Giving your network settings back…"));
  mpf_flash_env_restore_async (self->env, NULL, restored_cb, g_object_ref (self));
}

/* The phase fails with @error (consumed); a cancelled operation becomes the
 * reason the phase was cancelled. Only the first failure counts. */
void
mpf_flash_job_fail (MpfFlashJob *self, GError *error)
{
  if (self->ending || self->task == NULL)
    {
      g_error_free (error);
      return;
    }
  self->ending = TRUE;
  self->failure = error;
  self->prompt_pending = FALSE;
  g_cancellable_cancel (self->cancellable);
  if (g_task_get_source_tag (self->task) == (gpointer) mpf_flash_job_detect_async
      || g_task_get_source_tag (self->task) == (gpointer) mpf_flash_job_flash_async)
    mpf_flash_job_restore (self);
  else
    finish_phase (self);
}

/* Async callbacks arriving after the phase ended do nothing. */

void
mpf_flash_job_fail_from (MpfFlashJob *self, GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled. Nothing more was sent to the router."));
    }
  mpf_flash_job_fail (self, error);
}

static gboolean
caller_cancelled_idle (gpointer user_data)
{
  MpfFlashJob *self = user_data;

  if (!self->ending && self->task != NULL)
    mpf_flash_job_fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                     self->stage == MPF_FLASH_STAGE_TRANSFER || self->stage == MPF_FLASH_STAGE_UPLOAD
                                     ? _("Cancelled. The router has not been changed; it keeps its old firmware.")
                                     : self->stage >= MPF_FLASH_STAGE_WRITING
                                     ? _("Cancelled while the router was writing or restarting; it finishes on its own. Leave it powered.")
                                     : _("Cancelled. Nothing was sent to the router.")));
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  MpfFlashJob *self = user_data;

  /* May run in another thread: continue in the job's context. */
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, caller_cancelled_idle,
                              g_object_ref (self), g_object_unref);
}

gboolean
mpf_flash_job_begin_phase (MpfFlashJob *self, gpointer source_tag, GCancellable *cancellable,
             GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  /* The job returns its own cancel error (which says what cancelling meant
   * at that moment), and only after RESTORE. */
  g_task_set_check_cancellable (task, FALSE);
  if (self->task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "the flash job is busy");
      g_object_unref (task);
      return FALSE;
    }
  self->task = task;
  self->ending = FALSE;
  self->restored = FALSE;
  g_clear_error (&self->failure);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      self->caller_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb), self, NULL);
    }
  return TRUE;
}

/* ---- env events ----------------------------------------------------------------- */


/* The router was seen gone after the image went out: evidence of its restart. */
void
mpf_flash_job_note_gone (MpfFlashJob *self, const char *evidence)
{
  self->seen_gone = TRUE;
  if (self->gone_evidence != NULL)
    return;
  self->gone_evidence = evidence;
  self->gone_us = g_get_monotonic_time ();
  mpf_flash_job_log_text (self, "note", "gone", evidence);
}

void
mpf_flash_job_forget_gone (MpfFlashJob *self)
{
  self->seen_gone = FALSE;
  self->gone_evidence = NULL;
  self->gone_us = self->back_us = 0;
  self->failed_polls = 0;
}

static void
env_event_cb (MpfFlashEnv *env, const char *name, JsonObject *fields, MpfFlashJob *self)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "event", name);
  if (fields != NULL)
    json_object_set_object_member (o, "fields", json_object_ref (fields));
  /* Progress is frequent: log it only at the end (tftp-complete). */
  if (g_strcmp0 (name, "tftp-progress") != 0)
    mpf_flash_job_log_record (self, "net", o);
  else
    json_object_unref (o);
  if (self->task == NULL || self->ending)
    return;

  if (g_str_equal (name, "carrier"))
    {
      gboolean carrier = json_object_get_boolean_member_with_default (fields, "carrier", TRUE);

      if (!carrier && (self->stage == MPF_FLASH_STAGE_UPLOAD || self->stage == MPF_FLASH_STAGE_LOGIN
                       || self->stage == MPF_FLASH_STAGE_CONFIRM))
        mpf_flash_job_fail (self, g_error_new_literal (MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_CONNECTION_LOST,
                                         _("The cable was unplugged or the router lost power while it received the image. "
                                           "Plug it back in, wait for the router to start, and try again. If it does not "
                                           "start any more, use the recovery path.")));
      else if (!carrier && self->stage == MPF_FLASH_STAGE_TRANSFER)
        mpf_flash_job_fail (self, g_error_new_literal (MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_CONNECTION_LOST,
                                         _("The router lost power or the cable was unplugged during the transfer. Nothing "
                                           "was written. Power it on with reset held and try again.")));
      else if (carrier && self->stage == MPF_FLASH_STAGE_WRITING && self->plan != NULL
               && self->plan->path == MPF_FLASH_PATH_WEB)
        mpf_flash_job_note_gone (self, "carrier");   /* back up: it was down */
      else if (!carrier && (self->stage == MPF_FLASH_STAGE_WRITING || self->stage == MPF_FLASH_STAGE_REBOOTING))
        mpf_flash_job_note_gone (self, "carrier");
      return;
    }
  if (g_str_equal (name, "helper-exited"))
    {
      mpf_flash_job_fail (self, g_error_new_literal (MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_HELPER,
                                       _("The privileged helper stopped unexpectedly, so its temporary address is gone. "
                                         "Try again; if it happens again, save the diagnostics report.")));
      return;
    }
  if (g_str_has_prefix (name, "tftp-") || g_str_equal (name, "seen"))
    mpf_flash_job_on_tftp_event (self, name, fields);
}

void
mpf_flash_job_ensure_env (MpfFlashJob *self)
{
  if (self->env != NULL)
    return;
  if (self->demo_control != NULL)
    self->env = mpf_flash_env_demo_new (self->demo_control, self->demo_http_port, self->demo_tftp_port);
  else
    self->env = mpf_flash_env_real_new ();
  g_signal_connect (self->env, "event", G_CALLBACK (env_event_cb), self);
  mpf_flash_job_log_text (self, "environment", "env", mpf_flash_env_describe (self->env));
}

/* ---- detect: FIND_LINK → CONFIGURE → DISCOVER → IDENTIFY ---------------------------- */

static void
detect_done (MpfFlashJob *self)
{
  self->detected = TRUE;
  mpf_flash_job_set_progress (self, 1.0, -1);
  finish_phase (self);
}

static void
identified_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MpfFlashJob *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfFingerprintResult) r = mpf_identify_run_finish (MPF_IDENTIFY (source), result, &error);
  JsonObject *o = json_object_new ();
  MpfRouterInfo *info;
  g_autofree char *msg = NULL;

  json_object_set_member (o, "identify", mpf_identify_to_json_node (MPF_IDENTIFY (source)));
  mpf_flash_job_log_record (self, "identify", o);
  RETURN_IF_ENDING (self);
  if (r == NULL)
    {
      mpf_flash_job_fail_from (self, g_steal_pointer (&error));
      g_object_unref (self);
      return;
    }
  info = mpf_flash_job_router_copy_or_new (self);
  info->family = r->family;
  /* The board says which stock it is when the page cannot. */
  if (mpf_flash_job_is_stock (r->family) && g_strcmp0 (self->board, "MPR-L8") == 0)
    info->family = MPF_FAMILY_MPRL8_STOCK;
  else if (r->family == MPF_FAMILY_STOCK)
    info->family = MPF_FAMILY_HAME_STOCK;
  g_free (info->version);
  info->version = g_strdup (r->version);
  self->found_family = info->family;
  self->answered = r->answered;
  mpf_flash_job_set_router (self, info);
  if (info->family == MPF_FAMILY_UNKNOWN)
    msg = g_strdup_printf (_("Something answered at %s, but it is not a router mprflash knows."), info->address);
  else
    msg = g_strdup_printf (_("Found the router at %s: it runs %s%s%s."), info->address,
                           mpf_family_display_name (info->family),
                           info->version ? " " : "", info->version ? info->version : "");
  mpf_flash_job_set_message (self, msg);
  detect_done (self);
  g_object_unref (self);
}

MpfIdentify *
mpf_flash_job_new_identify (MpfFlashJob *self, const char *address)
{
  g_autofree char *http = mpf_flash_env_http_address (self->env, address);
  MpfIdentify *id = mpf_identify_new (self->rules, http);

  mpf_identify_set_timeout_ms (id, 4000);
  mpf_identify_set_banner_window_ms (id, 800);
  /* On loopback the simulator has no telnet or SSH port of its own. */
  if (self->demo_control != NULL)
    {
      mpf_identify_map_port (id, 23, 1);
      mpf_identify_map_port (id, 22, 1);
    }
  return id;
}

static void
discovered_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MpfFlashJob *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = mpf_flash_env_finish_pointer (MPF_FLASH_ENV (source), result, &error);
  const MpfDiscovered *web = NULL, *boot = NULL;
  MpfRouterInfo *info;

  RETURN_IF_ENDING (self);
  if (found == NULL && self->discover_timed_out)
    found = g_ptr_array_new ();
  if (found == NULL)
    {
      mpf_flash_job_fail_from (self, g_steal_pointer (&error));
      g_object_unref (self);
      return;
    }
  for (guint i = 0; i < found->len; i++)
    {
      const MpfDiscovered *d = g_ptr_array_index (found, i);
      JsonObject *o = json_object_new ();

      json_object_set_string_member (o, "address", d->address);
      json_object_set_string_member (o, "mac", d->mac);
      json_object_set_string_member (o, "state", mpf_discovery_state_to_string (d->state));
      json_object_set_int_member (o, "http_status", d->http_status);
      json_object_set_string_member (o, "server", d->server);
      mpf_flash_job_log_record (self, "found", o);
      if (d->state == MPF_DISCOVERY_WEB && web == NULL)
        web = d;
      else if (d->state == MPF_DISCOVERY_BOOTLOADER && boot == NULL)
        boot = d;
    }
  info = mpf_flash_job_router_copy_or_new (self);
  if (web != NULL)
    {
      g_autoptr(MpfIdentify) id = NULL;

      info->address = g_strdup (web->address);
      info->mac = g_strdup (web->mac);
      mpf_flash_job_set_router (self, info);
      mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_IDENTIFY, _("Recognising the router…"));
      id = mpf_flash_job_new_identify (self, web->address);
      mpf_identify_run_async (id, self->cancellable, identified_cb, self);
      return;
    }
  self->answered = FALSE;
  if (boot != NULL)
    {
      info->family = MPF_FAMILY_BOOTLOADER;
      info->address = g_strdup (boot->address);
      info->mac = g_strdup (boot->mac);
      mpf_flash_job_set_router (self, info);
      self->found_family = MPF_FAMILY_BOOTLOADER;
      mpf_flash_job_set_message (self, _("The router is in recovery mode: its bootloader is waiting for a file."));
    }
  else
    {
      info->family = MPF_FAMILY_UNKNOWN;
      mpf_flash_job_set_router (self, info);
      self->found_family = MPF_FAMILY_UNKNOWN;
      mpf_flash_job_set_message (self, _("Nothing answered on the cable. If the router is switched on, its firmware may be broken: "
                           "the recovery path can still restore it."));
    }
  detect_done (self);
  g_object_unref (self);
}

static void
chain_cancel_cb (GCancellable *parent, gpointer child)
{
  g_cancellable_cancel (child);
}

static void
configured_for_discovery_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MpfFlashJob *self = user_data;
  g_autoptr(GError) error = NULL;

  RETURN_IF_ENDING (self);
  if (!mpf_flash_env_finish_boolean (MPF_FLASH_ENV (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        mpf_flash_job_fail (self, g_error_new (MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_NETWORK_CONFIG,
                                 _("The temporary network address could not be set up: %s"), error->message));
      else
        mpf_flash_job_fail_from (self, g_steal_pointer (&error));
      g_object_unref (self);
      return;
    }
  g_clear_object (&self->discover_cancellable);
  self->discover_cancellable = g_cancellable_new ();
  self->discover_timed_out = FALSE;
  g_cancellable_connect (self->cancellable, G_CALLBACK (chain_cancel_cb),
                         g_object_ref (self->discover_cancellable), g_object_unref);
  mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_DISCOVER, _("Looking for the router…"));
  mpf_flash_env_discover_async (self->env, self->discover_cancellable, discovered_cb, self);
}

static void
link_found_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MpfFlashJob *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = mpf_flash_env_finish_pointer (MPF_FLASH_ENV (source), result, &error);
  MpfRouterInfo *info;

  RETURN_IF_ENDING (self);
  if (name == NULL)
    {
      mpf_flash_job_fail_from (self, error->domain == G_IO_ERROR ? g_steal_pointer (&error)
                                                   : g_error_new_literal (MPF_FLASH_JOB_ERROR,
                                                                          MPF_FLASH_JOB_ERROR_NO_INTERFACE,
                                                                          error->message));
      g_object_unref (self);
      return;
    }
  g_free (self->interface);
  self->interface = g_strdup (name);
  info = mpf_flash_job_router_copy_or_new (self);
  g_free (info->interface);
  info->interface = g_strdup (name);
  mpf_flash_job_set_router (self, info);
  mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_CONFIGURE, _("Cable connected. Setting up a temporary address…"));
  mpf_flash_env_configure_async (self->env, MPF_NETCONFIG_PURPOSE_DISCOVER, self->cancellable,
                                 configured_for_discovery_cb, self);
}

void
mpf_flash_job_detect_async (MpfFlashJob *self, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (MPF_IS_FLASH_JOB (self));
  if (!mpf_flash_job_begin_phase (self, mpf_flash_job_detect_async, cancellable, callback, user_data))
    return;
  mpf_flash_job_ensure_env (self);
  mpf_router_info_free (self->router);
  self->router = NULL;
  mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_FIND_LINK,
             self->interface ? NULL : _("Plug the router’s cable into this computer and switch the router on…"));
  if (self->interface != NULL)
    {
      g_autofree char *m = g_strdup_printf (_("Waiting for a cable on “%s”…"), self->interface);
      mpf_flash_job_set_message (self, m);
    }
  mpf_flash_env_find_link_async (self->env, self->interface, self->cancellable, link_found_cb, g_object_ref (self));
}

gboolean
mpf_flash_job_detect_finish (MpfFlashJob *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- PLAN ------------------------------------------------------------------------ */

gboolean
mpf_flash_job_set_image (MpfFlashJob *self, MpfImageVerdict *verdict, GError **error)
{
  g_autoptr(MpfFlashPlan) plan = g_new0 (MpfFlashPlan, 1);
  const MpfCatalogEntry *entry;
  GBytes *uimage;
  g_autoptr(GError) local = NULL;
  JsonObject *o;

  g_return_val_if_fail (MPF_IS_FLASH_JOB (self), FALSE);
  g_return_val_if_fail (MPF_IS_IMAGE_VERDICT (verdict), FALSE);

  if (self->task != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING, "the flash job is busy");
      return FALSE;
    }
  uimage = mpf_image_verdict_get_uimage_bytes (verdict);
  if (!mpf_image_verdict_is_flashable (verdict) || uimage == NULL)
    {
      GPtrArray *problems = mpf_image_verdict_get_problems (verdict);
      g_autoptr(GString) text = g_string_new (_("This file cannot be flashed:"));

      for (guint i = 0; problems != NULL && i < problems->len; i++)
        g_string_append_printf (text, " %s", ((MpfImageProblem *) g_ptr_array_index (problems, i))->message);
      g_set_error_literal (error, MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_IMAGE_REFUSED, text->str);
      return FALSE;
    }

  entry = mpf_image_verdict_get_catalog_entry (verdict);
  plan->image_label = g_strdup (entry != NULL ? entry->id : mpf_image_verdict_get_uimage (verdict)->name);
  if (!mpf_flash_choose_path (self->found_family, self->answered, mpf_image_verdict_get_family (verdict),
                              self->goal, self->path, plan, error))
    return FALSE;

  /* What each path will refuse, found now rather than halfway. */
  if (plan->path == MPF_FLASH_PATH_RECOVERY)
    {
      g_autoptr(GBytes) container = mpf_recovery_container_pack (uimage, &local);
      if (container == NULL)
        {
          g_set_error (error, MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_IMAGE_REFUSED,
                       _("The recovery path cannot take this file: %s"), local->message);
          return FALSE;
        }
    }
  else if (mpf_flash_job_is_stock (self->found_family))
    {
      gboolean renamed = FALSE;
      g_autoptr(GBytes) prepared = mpf_web_flasher_goahead_prepare_image (self->found_family, uimage, FALSE,
                                                                          &renamed, &local);
      if (prepared == NULL && g_error_matches (local, MPF_WEB_FLASHER_ERROR, MPF_WEB_FLASHER_ERROR_NEEDS_RENAME))
        plan->rename = TRUE;
      else if (prepared == NULL)
        {
          g_set_error_literal (error, MPF_FLASH_JOB_ERROR, MPF_FLASH_JOB_ERROR_IMAGE_REFUSED, local->message);
          return FALSE;
        }
    }

  g_clear_pointer (&self->uimage, g_bytes_unref);
  self->uimage = g_bytes_ref (uimage);
  self->image_family = plan->target_family;
  g_clear_pointer (&self->image_version, g_free);
  if (mpf_image_verdict_get_version_kind (verdict) == MPF_IMAGE_VERSION_RELEASE)
    self->image_version = g_strdup (mpf_image_verdict_get_version (verdict));

  mpf_flash_plan_free (self->plan);
  self->plan = g_steal_pointer (&plan);
  o = json_object_new ();
  json_object_set_string_member (o, "path", mpf_flash_path_to_string (self->plan->path));
  json_object_set_string_member (o, "target_family", mpf_family_to_string (self->plan->target_family));
  json_object_set_string_member (o, "image", self->plan->image_label);
  json_object_set_string_member (o, "sha256", mpf_image_verdict_get_sha256 (verdict));
  json_object_set_int_member (o, "size", (gint64) g_bytes_get_size (uimage));
  json_object_set_boolean_member (o, "encode", self->plan->encode);
  json_object_set_boolean_member (o, "rename", self->plan->rename);
  json_object_set_string_member (o, "reason", self->plan->reason);
  mpf_flash_job_log_record (self, "plan", o);
  mpf_flash_job_set_stage (self, MPF_FLASH_STAGE_PLAN, self->plan->reason);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PLAN]);
  return TRUE;
}

void
mpf_flash_job_flash_async (MpfFlashJob *self, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (MPF_IS_FLASH_JOB (self));
  if (self->plan == NULL || self->uimage == NULL)
    {
      g_task_report_new_error (self, callback, user_data, mpf_flash_job_flash_async, MPF_FLASH_JOB_ERROR,
                               MPF_FLASH_JOB_ERROR_IMAGE_REFUSED, "%s", _("Choose an image first."));
      return;
    }
  if (!mpf_flash_job_begin_phase (self, mpf_flash_job_flash_async, cancellable, callback, user_data))
    return;
  mpf_flash_job_ensure_env (self);
  mpf_flash_job_forget_gone (self);
  if (self->plan->path == MPF_FLASH_PATH_WEB)
    mpf_flash_job_start_web (self);
  else
    mpf_flash_job_start_recovery (self);
}

gboolean
mpf_flash_job_flash_finish (MpfFlashJob *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
mpf_flash_job_restore_async (MpfFlashJob *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (MPF_IS_FLASH_JOB (self));
  if (!mpf_flash_job_begin_phase (self, mpf_flash_job_restore_async, NULL, callback, user_data))
    return;
  mpf_flash_job_ensure_env (self);
  mpf_flash_job_restore (self);
}

gboolean
mpf_flash_job_restore_finish (MpfFlashJob *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- getters ------------------------------------------------------------------------ */

MpfFlashStage        mpf_flash_job_get_stage (MpfFlashJob *self)          { return self->stage; }
double               mpf_flash_job_get_fraction (MpfFlashJob *self)       { return self->fraction; }
double               mpf_flash_job_get_stage_fraction (MpfFlashJob *self) { return self->stage_fraction; }
int                  mpf_flash_job_get_eta (MpfFlashJob *self)            { return self->eta; }
const char          *mpf_flash_job_get_message (MpfFlashJob *self)        { return self->message; }
const MpfRouterInfo *mpf_flash_job_get_router (MpfFlashJob *self)         { return self->router; }
const MpfFlashPlan  *mpf_flash_job_get_plan (MpfFlashJob *self)           { return self->plan; }

char *
mpf_flash_job_dup_log (MpfFlashJob *self)
{
  return g_strdup (self->log->str);
}

void
mpf_flash_capture_append_report (GString *report, GBytes *pcap, const char *why_none)
{
  g_autofree char *b64 = NULL;
  const guint8 *data;
  gsize size = 0, len;

  g_string_append (report, "\n== packet capture (pcap, base64) ==\n");
  if (pcap == NULL)
    {
      g_string_append_printf (report, "no packet capture: %s\n", why_none != NULL ? why_none : "none was made");
      return;
    }
  data = g_bytes_get_data (pcap, &size);
  b64 = g_base64_encode (data, size);
  g_string_append_printf (report,
                          "%" G_GSIZE_FORMAT " bytes recorded by mprflash-helper; passwords and session tokens "
                          "are overwritten with x.\n"
                          "To get the .pcap back: sed -n '/^BEGIN PCAP$/,/^END PCAP$/{//!p}' REPORT | base64 -d > session.pcap\n"
                          "BEGIN PCAP\n", size);
  len = strlen (b64);
  for (gsize i = 0; i < len; i += 76)
    {
      g_string_append_len (report, b64 + i, (gssize) MIN (76, len - i));
      g_string_append_c (report, '\n');
    }
  g_string_append (report, "END PCAP\n");
}

GBytes *
mpf_flash_job_dup_capture (MpfFlashJob *self, const char **why_none)
{
  g_return_val_if_fail (MPF_IS_FLASH_JOB (self), NULL);
  if (self->env != NULL && MPF_IS_FLASH_ENV_REAL (self->env))
    return mpf_flash_env_real_dup_capture (MPF_FLASH_ENV_REAL (self->env), why_none);
  /* The demo runs no helper: nothing on the wire is ours to record. */
  if (why_none != NULL)
    *why_none = self->demo_control != NULL ? "the helper did not run (demo)" : "the helper did not run";
  return NULL;
}

/* ---- GObject -------------------------------------------------------------------------- */

static void
mpf_flash_job_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  MpfFlashJob *self = MPF_FLASH_JOB (object);

  switch (id)
    {
    case PROP_STAGE:          g_value_set_int (value, self->stage); break;
    case PROP_FRACTION:       g_value_set_double (value, self->fraction); break;
    case PROP_STAGE_FRACTION: g_value_set_double (value, self->stage_fraction); break;
    case PROP_ETA:            g_value_set_int (value, self->eta); break;
    case PROP_MESSAGE:        g_value_set_string (value, self->message); break;
    case PROP_ROUTER:         g_value_set_boxed (value, self->router); break;
    case PROP_PLAN:           g_value_set_boxed (value, self->plan); break;
    case PROP_INTERFACE:      g_value_set_string (value, self->interface); break;
    case PROP_BOARD:          g_value_set_string (value, self->board); break;
    case PROP_PATH:           g_value_set_int (value, self->path); break;
    case PROP_GOAL:           g_value_set_int (value, self->goal); break;
    case PROP_DEMO_CONTROL:   g_value_set_string (value, self->demo_control); break;
    case PROP_DEMO_HTTP_PORT: g_value_set_uint (value, self->demo_http_port); break;
    case PROP_DEMO_TFTP_PORT: g_value_set_uint (value, self->demo_tftp_port); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
mpf_flash_job_set_property (GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  MpfFlashJob *self = MPF_FLASH_JOB (object);

  switch (id)
    {
    case PROP_INTERFACE:      g_free (self->interface); self->interface = g_value_dup_string (value); break;
    case PROP_BOARD:          g_free (self->board); self->board = g_value_dup_string (value); break;
    case PROP_PATH:           self->path = g_value_get_int (value); break;
    case PROP_GOAL:           self->goal = g_value_get_int (value); break;
    case PROP_DEMO_CONTROL:   g_free (self->demo_control); self->demo_control = g_value_dup_string (value); break;
    case PROP_DEMO_HTTP_PORT: self->demo_http_port = g_value_get_uint (value); break;
    case PROP_DEMO_TFTP_PORT: self->demo_tftp_port = g_value_get_uint (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
mpf_flash_job_dispose (GObject *object)
{
  MpfFlashJob *self = MPF_FLASH_JOB (object);

  g_clear_handle_id (&self->stage_timeout_id, g_source_remove);
  mpf_flash_job_stop_polling (self);
  if (self->env != NULL)
    g_signal_handlers_disconnect_by_data (self->env, self);
  if (self->flasher != NULL)
    g_signal_handlers_disconnect_by_data (self->flasher, self);
  g_clear_object (&self->flasher);
  g_clear_object (&self->env);
  g_clear_object (&self->poll_session);
  G_OBJECT_CLASS (mpf_flash_job_parent_class)->dispose (object);
}

static void
mpf_flash_job_finalize (GObject *object)
{
  MpfFlashJob *self = MPF_FLASH_JOB (object);

  g_free (self->message);
  mpf_router_info_free (self->router);
  mpf_flash_plan_free (self->plan);
  g_free (self->interface);
  g_free (self->board);
  g_free (self->demo_control);
  g_free (self->password);
  g_free (self->image_version);
  g_free (self->back_address);
  g_clear_pointer (&self->uimage, g_bytes_unref);
  g_clear_object (&self->rules);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->discover_cancellable);
  g_clear_error (&self->failure);
  g_string_free (self->log, TRUE);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (mpf_flash_job_parent_class)->finalize (object);
}

static void
mpf_flash_job_constructed (GObject *object)
{
  MpfFlashJob *self = MPF_FLASH_JOB (object);
  g_autoptr(GError) error = NULL;
  JsonObject *o = json_object_new ();

  G_OBJECT_CLASS (mpf_flash_job_parent_class)->constructed (object);
  self->rules = mpf_fingerprint_new_default (&error);
  if (self->rules == NULL)
    g_critical ("built-in fingerprint rules: %s", error->message);
  json_object_set_string_member (o, "version", PACKAGE_VERSION);
  json_object_set_string_member (o, "interface", self->interface);
  json_object_set_string_member (o, "board", self->board);
  json_object_set_string_member (o, "path", mpf_flash_path_to_string (self->path));
  json_object_set_string_member (o, "goal", mpf_flash_goal_to_string (self->goal));
  json_object_set_boolean_member (o, "demo", self->demo_control != NULL);
  mpf_flash_job_log_record (self, "start", o);
}

static void
mpf_flash_job_class_init (MpfFlashJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = mpf_flash_job_get_property;
  object_class->set_property = mpf_flash_job_set_property;
  object_class->constructed = mpf_flash_job_constructed;
  object_class->dispose = mpf_flash_job_dispose;
  object_class->finalize = mpf_flash_job_finalize;

  props[PROP_STAGE] = g_param_spec_int ("stage", NULL, NULL, 0, MPF_FLASH_STAGE_FAILED, 0, ro);
  props[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, ro);
  props[PROP_STAGE_FRACTION] = g_param_spec_double ("stage-fraction", NULL, NULL, -1, 1, -1, ro);
  props[PROP_ETA] = g_param_spec_int ("eta", NULL, NULL, -1, G_MAXINT, -1, ro);
  props[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, ro);
  props[PROP_ROUTER] = g_param_spec_boxed ("router", NULL, NULL, MPF_TYPE_ROUTER_INFO, ro);
  props[PROP_PLAN] = g_param_spec_boxed ("plan", NULL, NULL, MPF_TYPE_FLASH_PLAN, ro);
  props[PROP_INTERFACE] = g_param_spec_string ("interface", NULL, NULL, NULL, co);
  props[PROP_BOARD] = g_param_spec_string ("board", NULL, NULL, NULL, co);
  props[PROP_PATH] = g_param_spec_int ("path", NULL, NULL, 0, MPF_FLASH_PATH_RECOVERY, 0, co);
  props[PROP_GOAL] = g_param_spec_int ("goal", NULL, NULL, 0, MPF_FLASH_GOAL_REINSTALL, 0, co);
  props[PROP_DEMO_CONTROL] = g_param_spec_string ("demo-control", NULL, NULL, NULL, co);
  props[PROP_DEMO_HTTP_PORT] = g_param_spec_uint ("demo-http-port", NULL, NULL, 1, 65535, 8080, co);
  props[PROP_DEMO_TFTP_PORT] = g_param_spec_uint ("demo-tftp-port", NULL, NULL, 1, 65535, 6969, co);
  g_object_class_install_properties (object_class, N_PROPS, props);

  signals[SIG_PROMPT] = g_signal_new ("prompt", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                      G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
  signals[SIG_LOG] = g_signal_new ("log", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
mpf_flash_job_init (MpfFlashJob *self)
{
  const char *scale = g_getenv ("MPF_FLASH_TIMEOUT_SCALE");

  self->context = g_main_context_ref_thread_default ();
  self->log = g_string_new (NULL);
  self->t0_us = g_get_monotonic_time ();
  self->stage_fraction = -1;
  self->eta = -1;
  self->found_family = MPF_FAMILY_UNKNOWN;
  self->timeout_scale = 1.0;
  if (scale != NULL)
    {
      double s = g_ascii_strtod (scale, NULL);
      if (s > 0 && s <= 10)
        self->timeout_scale = s;
    }
}

MpfFlashJob *
mpf_flash_job_new (const char *interface, const char *board, MpfFlashPath path, MpfFlashGoal goal)
{
  return g_object_new (MPF_TYPE_FLASH_JOB, "interface", interface, "board", board,
                       "path", (int) path, "goal", (int) goal, NULL);
}
