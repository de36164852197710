/* mprflash-cli flash: drives MpfFlashJob from a terminal or a script. The
 * image is judged before anything touches the network; the job then finds
 * the router, chooses the path, flashes, verifies and gives the network
 * back (also on Ctrl-C). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "mpf-cli.h"
#include "mpf-cli-flash.h"
#include "mpf-cli-answer.h"
#include "mpf-cli-catalog.h"
#include "mpf-flash-job.h"
#include "mpf-flash-plan.h"
#include "mpf-recovery-container.h"

typedef struct {
  GMainLoop       *loop;
  GCancellable    *cancellable;
  MpfFlashJob     *job;
  MpfImageVerdict *verdict;
  gboolean         json;
  gboolean         yes;
  gboolean         interactive;   /* stdin is a terminal: ask */
  gboolean         bar_tty;       /* stdout is a terminal: redraw one line */
  char            *password;      /* from --password-file, used once */
  gboolean         password_used;
  int              exit_code;
  guint64          total_bytes;
  gint64           stage_started_us;
  int              last_decile;
  gboolean         bar_shown;
  GError          *error;         /* how the run failed, for the report */
} Flash;

/* ---- output -------------------------------------------------------------------- */

static void
end_bar (Flash *f)
{
  if (f->bar_shown && f->bar_tty)
    fputc ('\n', stderr);
  f->bar_shown = FALSE;
}

static void
say (Flash *f, const char *text)
{
  if (f->json)
    return;
  end_bar (f);
  fprintf (stderr, "%s\n", text);
}

static void
json_result (Flash *f, gboolean ok, const GError *error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  const MpfRouterInfo *r = f->job ? mpf_flash_job_get_router (f->job) : NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "result");
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, ok);
  if (error != NULL)
    {
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, error->domain == MPF_FLASH_JOB_ERROR ? "flash-job" : g_quark_to_string (error->domain));
      json_builder_set_member_name (b, "code");
      json_builder_add_int_value (b, error->code);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, error->message);
    }
  if (r != NULL)
    {
      json_builder_set_member_name (b, "family");
      json_builder_add_string_value (b, mpf_family_to_string (r->family));
      json_builder_set_member_name (b, "version");
      json_builder_add_string_value (b, r->version ? r->version : "");
      json_builder_set_member_name (b, "address");
      json_builder_add_string_value (b, r->address ? r->address : "");
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  printf ("%s\n", text);
  fflush (stdout);
}

static char *
format_size (guint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

static void
draw_bar (Flash *f)
{
  double frac = mpf_flash_job_get_stage_fraction (f->job);
  int eta = mpf_flash_job_get_eta (f->job);
  double elapsed = (g_get_monotonic_time () - f->stage_started_us) / 1e6;
  guint64 done;
  g_autofree char *done_s = NULL, *total_s = NULL, *rate_s = NULL;
  char bar[31];
  int filled;

  if (f->json || frac < 0)
    return;
  done = (guint64) (frac * (double) f->total_bytes);
  done_s = format_size (done);
  total_s = format_size (f->total_bytes);
  rate_s = format_size (elapsed > 0.05 ? (guint64) (done / elapsed) : 0);
  filled = (int) (frac * 30 + 0.5);
  memset (bar, '#', (gsize) filled);
  memset (bar + filled, '-', (gsize) (30 - filled));
  bar[30] = '\0';
  if (f->bar_tty)
    {
      fprintf (stderr, "\r[%s] %3d%%  %s / %s  %s/s  ", bar, (int) (frac * 100), done_s, total_s, rate_s);
      if (eta >= 0)
        fprintf (stderr, _("%d:%02d left"), eta / 60, eta % 60);
      fprintf (stderr, "   ");
      f->bar_shown = TRUE;
    }
  else if ((int) (frac * 10) > f->last_decile)
    {
      f->last_decile = (int) (frac * 10);
      fprintf (stderr, "[%s] %3d%%  %s / %s  %s/s", bar, (int) (frac * 100), done_s, total_s, rate_s);
      if (eta >= 0)
        fprintf (stderr, "  %d:%02d", eta / 60, eta % 60);
      fputc ('\n', stderr);
    }
}

static void
stage_cb (MpfFlashJob *job, GParamSpec *pspec, Flash *f)
{
  MpfFlashStage stage = mpf_flash_job_get_stage (job);

  f->stage_started_us = g_get_monotonic_time ();
  f->last_decile = -1;
  end_bar (f);
  if (!f->json)
    fprintf (stderr, "== %s\n", mpf_flash_stage_display_name (stage));
}

static void
message_cb (MpfFlashJob *job, GParamSpec *pspec, Flash *f)
{
  const char *m = mpf_flash_job_get_message (job);

  if (m != NULL)
    say (f, m);
}

static void
fraction_cb (MpfFlashJob *job, GParamSpec *pspec, Flash *f)
{
  MpfFlashStage stage = mpf_flash_job_get_stage (job);

  if (stage == MPF_FLASH_STAGE_UPLOAD || stage == MPF_FLASH_STAGE_TRANSFER)
    draw_bar (f);
}

static void
log_cb (MpfFlashJob *job, const char *line, Flash *f)
{
  if (!f->json)
    return;
  printf ("%s\n", line);
  fflush (stdout);
}

/* ---- prompts --------------------------------------------------------------------- */

typedef struct {
  Flash              *f;
  MpfFlashPromptKind  kind;
  gboolean            secret;
} Question;

static void
read_line_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Question *q = data;
  struct termios old, quiet;
  gboolean echo_off = FALSE;
  char buf[256];
  char *line;

  if (q->secret && tcgetattr (STDIN_FILENO, &old) == 0)
    {
      quiet = old;
      quiet.c_lflag &= (tcflag_t) ~ECHO;
      echo_off = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
  line = fgets (buf, sizeof buf, stdin);
  if (echo_off)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
      fputc ('\n', stderr);
    }
  if (line == NULL)
    g_task_return_pointer (task, g_strdup (""), g_free);
  else
    g_task_return_pointer (task, g_strdup (g_strchomp (line)), g_free);
}

static void
line_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Question *q = g_task_get_task_data (G_TASK (result));
  g_autofree char *line = g_task_propagate_pointer (G_TASK (result), NULL);
  const char *answer = line;

  if (q->kind != MPF_FLASH_PROMPT_PASSWORD)
    answer = mpf_cli_answer_is_yes (line) ? "yes" : "no";
  mpf_flash_job_answer (q->f->job, q->kind, answer);
}

static void
ask_terminal (Flash *f, MpfFlashPromptKind kind, const char *question)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, line_read_cb, NULL);
  Question *q = g_new0 (Question, 1);

  q->f = f;
  q->kind = kind;
  q->secret = kind == MPF_FLASH_PROMPT_PASSWORD;
  end_bar (f);
  if (q->secret)
    fprintf (stderr, "%s ", question);
  else
    fprintf (stderr, "%s %s ", question, mpf_cli_yes_no_hint ());
  fflush (stderr);
  g_task_set_task_data (task, q, g_free);
  g_task_run_in_thread (task, read_line_thread);
}

static void
prompt_cb (MpfFlashJob *job, int kind, const char *text, Flash *f)
{
  switch ((MpfFlashPromptKind) kind)
    {
    case MPF_FLASH_PROMPT_POWER_CYCLE:
      /* Informational: the job goes on when the bootloader asks. */
      say (f, _(">>> Now: unplug the router’s power, hold reset, plug the power back in, keep holding 5 seconds."));
      return;
    case MPF_FLASH_PROMPT_PASSWORD:
      if (f->password != NULL && !f->password_used)
        {
          f->password_used = TRUE;
          mpf_flash_job_answer (job, MPF_FLASH_PROMPT_PASSWORD, f->password);
        }
      else if (f->interactive)
        ask_terminal (f, MPF_FLASH_PROMPT_PASSWORD, _("Router password:"));
      else
        mpf_flash_job_answer (job, MPF_FLASH_PROMPT_PASSWORD, "");
      return;
    case MPF_FLASH_PROMPT_RENAME_IMAGE:
      if (f->yes)
        mpf_flash_job_answer (job, MPF_FLASH_PROMPT_RENAME_IMAGE, "yes");
      else if (f->interactive)
        ask_terminal (f, MPF_FLASH_PROMPT_RENAME_IMAGE, _("Rewrite the name?"));
      else
        mpf_flash_job_answer (job, MPF_FLASH_PROMPT_RENAME_IMAGE, "no");
      return;
    case MPF_FLASH_PROMPT_SERVE_AGAIN:
      /* Never automatic, not even with --yes: a held reset button would
       * make the router ask again and again. */
      if (f->interactive)
        ask_terminal (f, MPF_FLASH_PROMPT_SERVE_AGAIN, _("Send it again?"));
      else
        mpf_flash_job_answer (job, MPF_FLASH_PROMPT_SERVE_AGAIN, "no");
      return;
    default:
      return;
    }
}

/* ---- the run ---------------------------------------------------------------------- */

static void
report_failure (Flash *f, const GError *error)
{
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  f->exit_code = cancelled ? 130 : MPF_CLI_EXIT_REFUSED;
  if (f->error == NULL)
    f->error = g_error_copy (error);
  end_bar (f);
  if (f->json)
    json_result (f, FALSE, error);
  else
    fprintf (stderr, "%s %s\n", cancelled ? _("Cancelled:") : _("Failed:"), error->message);
}

static void
flashed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Flash *f = user_data;
  g_autoptr(GError) error = NULL;

  if (!mpf_flash_job_flash_finish (MPF_FLASH_JOB (source), result, &error))
    report_failure (f, error);
  else
    {
      f->exit_code = MPF_CLI_EXIT_OK;
      if (f->json)
        json_result (f, TRUE, NULL);
    }
  g_main_loop_quit (f->loop);
}

static void
restored_after_refusal_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Flash *f = user_data;

  mpf_flash_job_restore_finish (MPF_FLASH_JOB (source), result, NULL);
  g_main_loop_quit (f->loop);
}

static void
confirm_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Flash *f = user_data;
  g_autofree char *line = g_task_propagate_pointer (G_TASK (result), NULL);

  if (!mpf_cli_answer_is_yes (line) || g_cancellable_is_cancelled (f->cancellable))
    {
      g_autoptr(GError) e = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 _("Nothing was sent to the router."));
      report_failure (f, e);
      mpf_flash_job_restore_async (f->job, NULL, restored_after_refusal_cb, f);
      return;
    }
  f->stage_started_us = g_get_monotonic_time ();
  mpf_flash_job_flash_async (f->job, f->cancellable, flashed_cb, f);
}

static void
detected_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Flash *f = user_data;
  g_autoptr(GError) error = NULL;
  const MpfFlashPlan *plan;

  if (!mpf_flash_job_detect_finish (f->job, result, &error))
    {
      report_failure (f, error);
      g_main_loop_quit (f->loop);
      return;
    }
  if (!mpf_flash_job_set_image (f->job, f->verdict, &error))
    {
      report_failure (f, error);
      mpf_flash_job_restore_async (f->job, NULL, restored_after_refusal_cb, f);
      return;
    }
  plan = mpf_flash_job_get_plan (f->job);
  f->total_bytes = g_bytes_get_size (mpf_image_verdict_get_uimage_bytes (f->verdict));
  if (plan->path == MPF_FLASH_PATH_RECOVERY)
    f->total_bytes = MPF_RECOVERY_HEADER_SIZE + mpf_recovery_container_padded_size (f->total_bytes);
  if (!f->json)
    {
      end_bar (f);
      fprintf (stderr, _("Plan: %s → %s by the %s path.\n"),
               mpf_family_display_name (mpf_flash_job_get_router (f->job)->family),
               mpf_family_display_name (plan->target_family),
               plan->path == MPF_FLASH_PATH_WEB ? _("web") : _("recovery"));
    }
  if (!f->yes && f->interactive)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, confirm_read_cb, f);
      Question *q = g_new0 (Question, 1);

      q->f = f;
      fprintf (stderr, "%s %s ", _("Flash the router now?"), mpf_cli_yes_no_hint ());
      fflush (stderr);
      g_task_set_task_data (task, q, g_free);
      g_task_run_in_thread (task, read_line_thread);
      return;
    }
  mpf_flash_job_flash_async (f->job, f->cancellable, flashed_cb, f);
}

static gboolean
interrupted_cb (gpointer user_data)
{
  Flash *f = user_data;

  say (f, _("Cancelling and giving the network back…"));
  g_cancellable_cancel (f->cancellable);
  return G_SOURCE_CONTINUE;
}

/* --report FILE: the same diagnostics report as the window's "Save
 * Diagnostics Report…" (the log is redacted by the job, the capture by the
 * helper), written once the job gave the network back. */
static gboolean
write_report (Flash *f, const char *path, gboolean demo, GError **error)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format_iso8601 (now);
  g_autofree char *log = mpf_flash_job_dup_log (f->job);
  g_autoptr(GBytes) pcap = NULL;
  const char *why = NULL;

  g_string_append_printf (s, "mprflash %s diagnostics report (mprflash-cli flash)\ncreated: %s\nmode: %s\n",
                          PACKAGE_VERSION, when, demo ? "demo (simulated router)" : "real");
  if (f->error != NULL)
    g_string_append_printf (s, "error: %s %d: %s\n", g_quark_to_string (f->error->domain),
                            f->error->code, f->error->message);
  g_string_append (s, "\n== job log (JSON lines) ==\n");
  g_string_append (s, log != NULL && *log != '\0' ? log : "(none)\n");
  pcap = mpf_flash_job_dup_capture (f->job, &why);
  mpf_flash_capture_append_report (s, pcap, why);
  return g_file_set_contents_full (path, s->str, (gssize) s->len, G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
}

int
mpf_cli_flash (int argc, char **argv)
{
  g_autofree char *image = NULL, *catalog_id = NULL, *interface = NULL, *path_s = NULL;
  g_autofree char *board_id = NULL, *goal_s = NULL, *password_file = NULL, *demo_control = NULL;
  g_autofree char *report_path = NULL;
  int demo_http = 0, demo_tftp = 0;
  gboolean yes = FALSE, json = FALSE;
  const GOptionEntry entries[] = {
    { "image", 0, 0, G_OPTION_ARG_FILENAME, &image, N_("The firmware file to flash"), N_("FILE") },
    { "catalog", 0, 0, G_OPTION_ARG_STRING, &catalog_id, N_("A catalogue entry instead of a file (downloaded if needed)"), N_("ID") },
    { "interface", 'i', 0, G_OPTION_ARG_STRING, &interface, N_("Wired interface the router is connected to"), N_("IF") },
    { "path", 0, 0, G_OPTION_ARG_STRING, &path_s, N_("auto (default), web or recovery"), N_("PATH") },
    { "board", 0, 0, G_OPTION_ARG_STRING, &board_id, N_("The router's board (MPR-A1, MPR-A2, MPR-L8, A5-V11)"), N_("BOARD") },
    { "goal", 0, 0, G_OPTION_ARG_STRING, &goal_s, N_("stock, openwrt or reinstall (default: what the image is)"), N_("GOAL") },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes, N_("Do not ask before flashing; allow a name rewrite"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the job's events as JSON lines"), NULL },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("Read the router's web password from this file"), N_("FILE") },
    { "report", 0, 0, G_OPTION_ARG_FILENAME, &report_path, N_("Write a diagnostics report (log and packet capture) to this file"), N_("FILE") },
    { "demo-control", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &demo_control, "simulated router's control socket (demo)", NULL },
    { "demo-http-port", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &demo_http, "demo router's HTTP port", NULL },
    { "demo-tftp-port", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &demo_tftp, "demo TFTP port", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MpfCatalog) catalog = NULL;
  const MpfBoard *board = NULL;
  MpfFlashPath path = MPF_FLASH_PATH_AUTO;
  MpfFlashGoal goal = MPF_FLASH_GOAL_STOCK;
  Flash f = { 0 };
  guint sigint, sigterm;
  MpfFamily family;

  g_option_context_set_summary (ctx, _("Flash the router on the cable: finds it, chooses the way, flashes, checks, "
                                       "and gives your network back."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return MPF_CLI_EXIT_USAGE;
    }
  if ((image == NULL) == (catalog_id == NULL) || argc > 1)
    {
      g_printerr ("%s\n", _("Give exactly one of --image FILE or --catalog ID."));
      return MPF_CLI_EXIT_USAGE;
    }
  if (path_s != NULL && !mpf_flash_path_from_string (path_s, &path))
    {
      g_printerr (_("Unknown path “%s” (auto, web, recovery).\n"), path_s);
      return MPF_CLI_EXIT_USAGE;
    }
  if (goal_s != NULL && !mpf_flash_goal_from_string (goal_s, &goal))
    {
      g_printerr (_("Unknown goal “%s” (stock, openwrt, reinstall).\n"), goal_s);
      return MPF_CLI_EXIT_USAGE;
    }
  if (board_id != NULL && (board = mpf_board_lookup (board_id)) == NULL)
    {
      g_printerr (_("Unknown board “%s”.\n"), board_id);
      return MPF_CLI_EXIT_USAGE;
    }
  catalog = mpf_catalog_new_for_user (NULL);
  if (catalog_id != NULL && (image = mpf_cli_catalog_get_file (catalog, catalog_id, &error)) == NULL)
    {
      g_printerr ("%s\n", error->message);
      return MPF_CLI_EXIT_IO;
    }
  if (password_file != NULL)
    {
      g_autofree char *text = NULL;

      if (!g_file_get_contents (password_file, &text, NULL, &error))
        {
          g_printerr ("%s\n", error->message);
          return MPF_CLI_EXIT_IO;
        }
      f.password = g_strdup (g_strchomp (text));
    }

  /* The image first: a refused file never reaches the network. Without
   * --board it is judged for the MPR-A1, the common unit with the same flash. */
  f.verdict = mpf_image_verdict_new_for_path (image, board ? board : mpf_board_lookup ("MPR-A1"), catalog);
  if (mpf_image_verdict_get_data (f.verdict) == NULL)
    {
      GPtrArray *p = mpf_image_verdict_get_problems (f.verdict);
      g_printerr ("%s\n", p && p->len ? ((MpfImageProblem *) g_ptr_array_index (p, 0))->message : image);
      g_object_unref (f.verdict);
      g_free (f.password);
      return MPF_CLI_EXIT_IO;
    }
  if (!mpf_image_verdict_is_flashable (f.verdict))
    {
      GPtrArray *p = mpf_image_verdict_get_problems (f.verdict);

      g_printerr (_("The image is refused; nothing was sent:\n"));
      for (guint i = 0; p != NULL && i < p->len; i++)
        g_printerr ("  - %s\n", ((MpfImageProblem *) g_ptr_array_index (p, i))->message);
      g_object_unref (f.verdict);
      g_free (f.password);
      return MPF_CLI_EXIT_REFUSED;
    }
  family = mpf_image_verdict_get_family (f.verdict);
  if (goal_s == NULL)
    goal = family == MPF_FAMILY_OPENWRT ? MPF_FLASH_GOAL_OPENWRT : MPF_FLASH_GOAL_STOCK;

  f.loop = g_main_loop_new (NULL, FALSE);
  f.cancellable = g_cancellable_new ();
  f.json = json;
  f.yes = yes;
  f.interactive = isatty (STDIN_FILENO);
  f.bar_tty = isatty (STDERR_FILENO);
  f.exit_code = MPF_CLI_EXIT_REFUSED;
  if (!f.interactive && !yes)
    {
      g_printerr ("%s\n", _("Not a terminal: add --yes to flash without being asked."));
      g_object_unref (f.verdict);
      g_free (f.password);
      g_object_unref (f.cancellable);
      g_main_loop_unref (f.loop);
      return MPF_CLI_EXIT_USAGE;
    }
  f.job = g_object_new (MPF_TYPE_FLASH_JOB, "interface", interface, "board", board_id,
                        "path", (int) path, "goal", (int) goal, "demo-control", demo_control,
                        "demo-http-port", (guint) (demo_http > 0 ? demo_http : 8080),
                        "demo-tftp-port", (guint) (demo_tftp > 0 ? demo_tftp : 6969), NULL);
  g_signal_connect (f.job, "notify::stage", G_CALLBACK (stage_cb), &f);
  g_signal_connect (f.job, "notify::message", G_CALLBACK (message_cb), &f);
  g_signal_connect (f.job, "notify::stage-fraction", G_CALLBACK (fraction_cb), &f);
  g_signal_connect (f.job, "prompt", G_CALLBACK (prompt_cb), &f);
  g_signal_connect (f.job, "log", G_CALLBACK (log_cb), &f);
  sigint = g_unix_signal_add (SIGINT, interrupted_cb, &f);
  sigterm = g_unix_signal_add (SIGTERM, interrupted_cb, &f);

  mpf_flash_job_detect_async (f.job, f.cancellable, detected_cb, &f);
  g_main_loop_run (f.loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  end_bar (&f);
  if (report_path != NULL)
    {
      g_autoptr(GError) report_error = NULL;

      if (!write_report (&f, report_path, demo_control != NULL, &report_error))
        {
          g_printerr (_("Could not write the report: %s\n"), report_error->message);
          if (f.exit_code == MPF_CLI_EXIT_OK)
            f.exit_code = MPF_CLI_EXIT_IO;
        }
    }
  g_clear_error (&f.error);
  g_signal_handlers_disconnect_by_data (f.job, &f);
  g_object_unref (f.job);
  g_object_unref (f.verdict);
  g_object_unref (f.cancellable);
  g_main_loop_unref (f.loop);
  if (f.password != NULL)
    memset (f.password, 0, strlen (f.password));
  g_free (f.password);
  return f.exit_code;
}
