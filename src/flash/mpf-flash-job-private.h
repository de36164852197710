#pragma once

/* Internal to MpfFlashJob, whose stages live in several files:
 * mpf-flash-job.c (state, log, prompts, detect, plan), -web.c (LOGIN →
 * UPLOAD → CONFIRM), -recovery.c (WAIT_BOOTLOADER → TRANSFER → WRITING) and
 * -verify.c (WRITING → REBOOTING → VERIFY). Not installed, not API. */

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "mpf-flash-env.h"
#include "mpf-flash-job.h"
#include "mpf-fingerprint.h"
#include "mpf-identify.h"
#include "mpf-web-flasher.h"

G_BEGIN_DECLS

/* Repeated restarts of the bootloader's transfer mean packets are lost
 * again and again (its budget is 10 for a whole transfer): stop, do not spin. */
#define MAX_RESTARTS 3
/* How often the router's web server is asked while it writes and reboots. */
#define POLL_INTERVAL_MS 100
#define POLL_HTTP_TIMEOUT_S 2

struct _MpfFlashJob {
  GObject        parent_instance;

  /* properties */
  MpfFlashStage  stage;
  double         fraction;
  double         stage_fraction;
  int            eta;
  char          *message;
  MpfRouterInfo *router;
  MpfFlashPlan  *plan;
  char          *interface;
  char          *board;
  MpfFlashPath   path;
  MpfFlashGoal   goal;
  char          *demo_control;
  guint          demo_http_port;
  guint          demo_tftp_port;

  GMainContext  *context;
  MpfFlashEnv   *env;
  MpfFingerprint *rules;
  GString       *log;
  gint64         t0_us;
  double         timeout_scale;

  /* the running phase */
  GTask         *task;
  GCancellable  *cancellable;      /* this phase's; cancelled by the caller or a stage timeout */
  GCancellable  *caller_cancellable;
  gulong         caller_cancel_id;
  guint          stage_timeout_id;
  GError        *failure;          /* set once: the phase is ending */
  gboolean       ending;
  GCancellable  *discover_cancellable; /* child of cancellable: the search's own time limit */
  gboolean       discover_timed_out;
  gboolean       restored;
  gboolean       detected;
  gboolean       answered;         /* something answered on the web during detect */
  MpfFamily      found_family;

  /* prompt */
  gboolean           prompt_pending;
  MpfFlashPromptKind prompt_kind;
  void             (*prompt_cb) (MpfFlashJob *self, const char *answer);

  /* image */
  GBytes        *uimage;
  MpfFamily      image_family;
  char          *image_version;    /* release version from the catalogue, or NULL */

  /* web */
  MpfWebFlasher *flasher;
  char          *password;
  gboolean       allow_rename;
  gint64         upload_started_us;

  /* recovery */
  guint          restarts;
  gboolean       flash_done;
  gboolean       transfer_done;
  gboolean       serving;

  /* waiting through the reboot */
  SoupSession   *poll_session;
  guint          poll_generation;
  gboolean       seen_gone;
  char          *back_address;
  /* What proves the restart after a web upgrade (logged as "restart-check"). */
  const char    *gone_evidence;    /* "http" (the old web server stopped answering), "carrier"; NULL: none seen */
  gint64         gone_us;          /* when it was first seen gone */
  gint64         back_us;          /* when something answered again after that */
  guint          failed_polls;
};

/* In a callback holding a reference: drop it and stop when the phase ended meanwhile. */
#define RETURN_IF_ENDING(self) G_STMT_START { if ((self)->ending || (self)->task == NULL) { g_object_unref (self); return; } } G_STMT_END

void mpf_flash_job_fail (MpfFlashJob *self, GError *error);
void mpf_flash_job_fail_from (MpfFlashJob *self, GError *error);
gboolean mpf_flash_job_is_stock (MpfFamily f);
void mpf_flash_job_log_record (MpfFlashJob *self, const char *kind, JsonObject *fields);
void mpf_flash_job_log_text (MpfFlashJob *self, const char *kind, const char *key, const char *text);
MpfIdentify *mpf_flash_job_new_identify (MpfFlashJob *self, const char *address);
void mpf_flash_job_note_gone (MpfFlashJob *self, const char *evidence);
void mpf_flash_job_restore (MpfFlashJob *self);
MpfRouterInfo *mpf_flash_job_router_copy_or_new (MpfFlashJob *self);
void mpf_flash_job_set_message (MpfFlashJob *self, const char *message);
void mpf_flash_job_set_progress (MpfFlashJob *self, double stage_fraction, int eta);
void mpf_flash_job_set_router (MpfFlashJob *self, MpfRouterInfo *info);
void mpf_flash_job_set_stage (MpfFlashJob *self, MpfFlashStage stage, const char *message);
void mpf_flash_job_stop_polling (MpfFlashJob *self);
gboolean mpf_flash_job_answer_is_yes (const char *answer);
void mpf_flash_job_ask (MpfFlashJob *self, MpfFlashPromptKind kind, const char *text, void (*callback) (MpfFlashJob *self, const char *answer));
gboolean mpf_flash_job_begin_phase (MpfFlashJob *self, gpointer source_tag, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
void mpf_flash_job_ensure_env (MpfFlashJob *self);
void mpf_flash_job_forget_gone (MpfFlashJob *self);
void mpf_flash_job_recovery_rebooting (MpfFlashJob *self);
void mpf_flash_job_writing_timed_out (MpfFlashJob *self);
void mpf_flash_job_poll_start (MpfFlashJob *self);
void mpf_flash_job_start_recovery (MpfFlashJob *self);
void mpf_flash_job_on_tftp_event (MpfFlashJob *self, const char *name, JsonObject *f);
void mpf_flash_job_verify (MpfFlashJob *self, const char *address);
void mpf_flash_job_start_web (MpfFlashJob *self);

G_END_DECLS
