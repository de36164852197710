#pragma once

#include <gio/gio.h>
#include "mpf-board.h"
#include "mpf-catalog.h"
#include "mpf-image-verdict.h"

G_BEGIN_DECLS

/* The one state machine both front ends drive (ARCHITECTURE.md, "MpfFlashJob").
 *
 * Two phases, so a wizard can show what was found before the user picks an
 * image:
 *   1. mpf_flash_job_detect_async(): FIND_LINK → CONFIGURE → DISCOVER → IDENTIFY
 *   2. mpf_flash_job_set_image() (PLAN), then mpf_flash_job_flash_async():
 *      WEB: LOGIN → UPLOAD → CONFIRM | RECOVERY: WAIT_BOOTLOADER → TRANSFER,
 *      then WRITING → REBOOTING → VERIFY → DONE | FAILED.
 * RESTORE (the user's network given back) always runs at the end of
 * flash_async, on success, failure and cancel alike; a front end that stops
 * after detect calls mpf_flash_job_restore_async().
 *
 * Questions for the user (password, name rewrite, power-cycle instructions,
 * serving the same router twice) are raised with the "prompt" signal and
 * answered with mpf_flash_job_answer(); the job waits (cancellably). */

typedef enum {
  MPF_FLASH_STAGE_IDLE,
  MPF_FLASH_STAGE_FIND_LINK,
  MPF_FLASH_STAGE_CONFIGURE,
  MPF_FLASH_STAGE_DISCOVER,
  MPF_FLASH_STAGE_IDENTIFY,
  MPF_FLASH_STAGE_PLAN,
  MPF_FLASH_STAGE_LOGIN,
  MPF_FLASH_STAGE_UPLOAD,
  MPF_FLASH_STAGE_CONFIRM,
  MPF_FLASH_STAGE_WAIT_BOOTLOADER,
  MPF_FLASH_STAGE_TRANSFER,
  MPF_FLASH_STAGE_WRITING,
  MPF_FLASH_STAGE_REBOOTING,
  MPF_FLASH_STAGE_VERIFY,
  MPF_FLASH_STAGE_RESTORE,
  MPF_FLASH_STAGE_DONE,
  MPF_FLASH_STAGE_FAILED,
} MpfFlashStage;

const char *mpf_flash_stage_to_string (MpfFlashStage stage);   /* stable id: "find-link", ... */
const char *mpf_flash_stage_display_name (MpfFlashStage stage); /* translated, short */

typedef enum {
  MPF_FLASH_PATH_AUTO,
  MPF_FLASH_PATH_WEB,
  MPF_FLASH_PATH_RECOVERY,
} MpfFlashPath;

typedef enum {
  MPF_FLASH_GOAL_STOCK,      /* restore the original firmware */
  MPF_FLASH_GOAL_OPENWRT,    /* install OpenWrt */
  MPF_FLASH_GOAL_REINSTALL,  /* reinstall what it runs */
} MpfFlashGoal;

/* What was found on the wire. Boxed; copies are cheap. */
typedef struct {
  char      *interface;
  char      *address;      /* dotted quad, NULL if not seen */
  char      *mac;          /* aa:bb:cc:dd:ee:ff, NULL if not seen */
  MpfFamily  family;       /* MPF_FAMILY_BOOTLOADER for recovery mode */
  char      *version;      /* nullable */
  char      *board;        /* board id when known, nullable */
  char      *factory_mac;  /* from the bootloader's TFTP request, nullable */
} MpfRouterInfo;

#define MPF_TYPE_ROUTER_INFO (mpf_router_info_get_type ())
GType          mpf_router_info_get_type (void);
MpfRouterInfo *mpf_router_info_copy (const MpfRouterInfo *info);
void           mpf_router_info_free (MpfRouterInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpfRouterInfo, mpf_router_info_free)

/* What will be done, and why. Boxed. */
typedef struct {
  MpfFlashPath  path;          /* WEB or RECOVERY once planned */
  MpfFamily     target_family; /* family of the image */
  char         *image_label;   /* file name or catalogue id */
  gboolean      encode;        /* Poray-encode for the MPR-L8 web UI */
  gboolean      rename;        /* name rewritten to "Linux Kernel Image" */
  char         *reason;        /* translated: why this path */
} MpfFlashPlan;

#define MPF_TYPE_FLASH_PLAN (mpf_flash_plan_get_type ())
GType         mpf_flash_plan_get_type (void);
MpfFlashPlan *mpf_flash_plan_copy (const MpfFlashPlan *plan);
void          mpf_flash_plan_free (MpfFlashPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MpfFlashPlan, mpf_flash_plan_free)

typedef enum {
  MPF_FLASH_PROMPT_PASSWORD,        /* answer: the password (string) */
  MPF_FLASH_PROMPT_RENAME_IMAGE,    /* answer: "yes" / "no" */
  MPF_FLASH_PROMPT_POWER_CYCLE,     /* informational: hold reset and power on; answered by the job itself when the bootloader is seen */
  MPF_FLASH_PROMPT_SERVE_AGAIN,     /* the same router asked again (reset still held?): "yes" / "no" */
} MpfFlashPromptKind;

#define MPF_FLASH_JOB_ERROR (mpf_flash_job_error_quark ())
typedef enum {
  MPF_FLASH_JOB_ERROR_NO_INTERFACE,
  MPF_FLASH_JOB_ERROR_NO_CARRIER,
  MPF_FLASH_JOB_ERROR_NOT_FOUND,
  MPF_FLASH_JOB_ERROR_UNKNOWN_DEVICE,
  MPF_FLASH_JOB_ERROR_IMAGE_REFUSED,
  MPF_FLASH_JOB_ERROR_WRONG_PASSWORD,
  MPF_FLASH_JOB_ERROR_UPLOAD_REFUSED,
  MPF_FLASH_JOB_ERROR_CONNECTION_LOST,
  MPF_FLASH_JOB_ERROR_NO_BOOTLOADER,
  MPF_FLASH_JOB_ERROR_UNSUPPORTED_BOOTLOADER,
  MPF_FLASH_JOB_ERROR_TRANSFER_STALLED,
  MPF_FLASH_JOB_ERROR_TRANSFER_RESTARTS,
  MPF_FLASH_JOB_ERROR_NO_FLASH_DONE,
  MPF_FLASH_JOB_ERROR_NOT_BACK,
  MPF_FLASH_JOB_ERROR_OLD_FIRMWARE,
  MPF_FLASH_JOB_ERROR_HELPER,
  MPF_FLASH_JOB_ERROR_NETWORK_CONFIG,
  MPF_FLASH_JOB_ERROR_NOT_RESTARTED,   /* a web upgrade's router answered again without having restarted */
} MpfFlashJobError;
GQuark mpf_flash_job_error_quark (void);

#define MPF_TYPE_FLASH_JOB (mpf_flash_job_get_type ())
G_DECLARE_FINAL_TYPE (MpfFlashJob, mpf_flash_job, MPF, FLASH_JOB, GObject)

/* Properties (read-only, notify on change, always emitted on the thread-default
 * main context the job was created in):
 *   "stage"          MpfFlashStage (as int)
 *   "fraction"       double 0..1, whole job
 *   "stage-fraction" double 0..1, or -1 when the stage cannot measure progress
 *   "eta"            int seconds left in the stage, -1 unknown
 *   "message"        string, translated, what is happening / what to do
 *   "router"         MpfRouterInfo (boxed), nullable
 *   "plan"           MpfFlashPlan (boxed), nullable
 * Writable construct properties:
 *   "interface"      string, nullable: the wired interface, NULL = the only one with carrier
 *   "board"          string, nullable: board id override
 *   "path"           MpfFlashPath (as int), default AUTO
 *   "goal"           MpfFlashGoal (as int), default STOCK
 *   "demo-control"   string, nullable: control socket of a simulated router run on
 *                    loopback (`--demo`): no helper, no address changes, loopback ports
 *   "demo-http-port" uint, default 8080: the simulator's --http-port
 *   "demo-tftp-port" uint, default 6969: where the job serves TFTP in the demo; start
 *                    the simulator with MPF_FR_TFTP_SERVER_PORT set to the same port
 *                    (see src/flash/mpf-flash-env-demo.h for what the demo cannot show;
 *                    it plays the user's hands itself when POWER_CYCLE is raised)
 * Signals:
 *   "prompt" (MpfFlashPromptKind kind, const char *text)  — text translated
 *   "log"    (const char *json_line)                      — each appended log record
 */
MpfFlashJob *mpf_flash_job_new (const char *interface, const char *board,
                                MpfFlashPath path, MpfFlashGoal goal);

void         mpf_flash_job_detect_async (MpfFlashJob *self, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
gboolean     mpf_flash_job_detect_finish (MpfFlashJob *self, GAsyncResult *result, GError **error);

/* Detect succeeds when the link is there and the search ran, also when
 * nothing answered: then router->address is NULL and family UNKNOWN (a bricked
 * unit: the plan will be recovery), or family BOOTLOADER (already in recovery).
 * It fails (after giving the network back by itself) only for no interface,
 * no cable within the window, a network set-up failure, or a cancel. */

/* Checks the image against the detected router/board and the goal and makes
 * the plan; FALSE with a translated error when the image may not be used. */
gboolean     mpf_flash_job_set_image (MpfFlashJob *self, MpfImageVerdict *verdict, GError **error);

void         mpf_flash_job_flash_async (MpfFlashJob *self, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data);
gboolean     mpf_flash_job_flash_finish (MpfFlashJob *self, GAsyncResult *result, GError **error);

void         mpf_flash_job_restore_async (MpfFlashJob *self, GCancellable *cancellable,
                                          GAsyncReadyCallback callback, gpointer user_data);
gboolean     mpf_flash_job_restore_finish (MpfFlashJob *self, GAsyncResult *result, GError **error);

void         mpf_flash_job_answer (MpfFlashJob *self, MpfFlashPromptKind kind, const char *answer);

MpfFlashStage        mpf_flash_job_get_stage (MpfFlashJob *self);
double               mpf_flash_job_get_fraction (MpfFlashJob *self);
double               mpf_flash_job_get_stage_fraction (MpfFlashJob *self);
int                  mpf_flash_job_get_eta (MpfFlashJob *self);
const char          *mpf_flash_job_get_message (MpfFlashJob *self);
const MpfRouterInfo *mpf_flash_job_get_router (MpfFlashJob *self);
const MpfFlashPlan  *mpf_flash_job_get_plan (MpfFlashJob *self);
/* The append-only structured log: one JSON object per line, passwords redacted.
 * Includes identification observations so a diagnostics report can correct rules.
 * Every record has "t_ms" (since the job was made), "stage" (stable id) and
 * "kind": start, environment, stage {name}, message {text}, router {...},
 * found {address, mac, state, ...}, identify {identify: observations},
 * plan {...}, prompt {prompt, text}, answer {answer; "(redacted)" for
 * passwords}, web {line}, net {event, fields} (helper/TFTP/carrier events),
 * note, timeout, error {domain, code, message}, restored, restore-error.
 * The helper's session capture shows as net records "capture-saved"
 * {bytes} or "capture-error" {message}.
 *
 * Tests and diagnostics: MPF_FLASH_TIMEOUT_SCALE (0 < x <= 10) multiplies
 * every stage's time limit. */
char                *mpf_flash_job_dup_log (MpfFlashJob *self);
/* The packet capture of the session for the diagnostics report: a classic
 * pcap file (Ethernet) recorded by mprflash-helper from its start until
 * RESTORE closed it, passwords and session tokens overwritten with 'x'
 * (src/helper/PROTOCOL.md, "Session capture"). Complete once flash_async or
 * restore_async has finished. NULL when there is none (the demo, or
 * NetworkManager did everything and the helper never ran); then @why_none
 * (nullable) gets why, in English for the report, e.g. "the helper did not
 * run (demo)". */
GBytes              *mpf_flash_job_dup_capture (MpfFlashJob *self, const char **why_none);
/* The report section both front ends write: "== packet capture (pcap,
 * base64) ==", a line on how to turn it back into a .pcap, then the base64
 * between "BEGIN PCAP" and "END PCAP" lines; or "no packet capture: WHY". */
void                 mpf_flash_capture_append_report (GString *report, GBytes *pcap,
                                                      const char *why_none);

G_END_DECLS
