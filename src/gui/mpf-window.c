#include "config.h"

#include <glib/gi18n.h>

#include "mpf-window.h"
#include "mpf-confirm-page.h"
#include "mpf-connect-page.h"
#include "mpf-demo-router.h"
#include "mpf-discover-page.h"
#include "mpf-done-page.h"
#include "mpf-failure-page.h"
#include "mpf-flash-job.h"
#include "mpf-goal-page.h"
#include "mpf-image-page.h"
#include "mpf-link-monitor.h"
#include "mpf-progress-page.h"
#include "mpf-recovery-page.h"
#include "mpf-welcome-page.h"

/* The wizard's controller: the pages only show things; this file moves
 * between them and drives the one MpfFlashJob (no protocol code here). */
struct _MpfWindow
{
  AdwApplicationWindow parent_instance;

  /* NULL when the schema is not installed (an uninstalled run without
   * GSETTINGS_SCHEMA_DIR): the window then simply forgets its size. */
  GSettings *settings;

  /* In the Flatpak sandbox, where packet capture and port 69 are forbidden. */
  gboolean   sandboxed;
  GtkWidget *sandbox_note;

  GtkStack        *pages;
  AdwWindowTitle  *window_title;
  GtkWidget       *back_button;
  GtkWidget       *demo_banner;
  AdwToastOverlay *toasts;
  MpfWelcomePage  *welcome_page;
  MpfGoalPage     *goal_page;
  MpfConnectPage  *connect_page;
  MpfDiscoverPage *discover_page;
  MpfImagePage    *image_page;
  MpfConfirmPage  *confirm_page;
  MpfRecoveryPage *recovery_page;
  MpfProgressPage *progress_page;
  MpfDonePage     *done_page;
  MpfFailurePage  *failure_page;

  gboolean         demo;
  MpfDemoRouter   *demo_router;
  GCancellable    *demo_cancellable;
  GError          *demo_error;

  MpfLinkMonitor  *links;
  GCancellable    *links_cancellable;
  gboolean         link_ready;
  char            *link_name;        /* the port the connect page shows; the job uses it */

  MpfCatalog      *catalog;
  MpfFlashJob     *job;
  GCancellable    *cancellable;      /* the job's current step */
  gboolean         detected;         /* the network must be given back */
  gboolean         flashing;
  guint            inhibit_cookie;
  gboolean         close_when_idle;

  char            *image_path;
  MpfImageVerdict *verdict;
  GCancellable    *verdict_cancellable;
  GError          *last_error;
  char            *last_log;
  GBytes          *last_capture;     /* the helper's session capture, nullable */
  char            *last_capture_why; /* why there is none */
};

G_DEFINE_FINAL_TYPE (MpfWindow, mpf_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SANDBOXED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GSettings *
load_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("Settings schema %s not found; the window size is not remembered", APP_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

/* ---- moving between pages ------------------------------------------------------- */

static const char *
current (MpfWindow *self)
{
  return gtk_stack_get_visible_child_name (self->pages);
}

static void
update_next_enabled (MpfWindow *self)
{
  gboolean enabled = TRUE;
  GAction *next = g_action_map_lookup_action (G_ACTION_MAP (self), "next");

  if (g_strcmp0 (current (self), "connect") == 0)
    enabled = self->demo ? self->demo_router != NULL : self->link_ready;
  g_simple_action_set_enabled (G_SIMPLE_ACTION (next), enabled);
}

/* Pages give the focus to a control before it has its size (a page just
 * shown, a button just made visible), when GtkViewport cannot scroll to it
 * yet: for a few frames, until the layout stops moving it, keep the focused
 * control in view (a welcome page taller than the window hid its focused
 * Start button, the image page its Continue). */
typedef struct {
  guint  frames;
  guint  still;
  double last_y;
} RevealFocus;

static gboolean
reveal_focus_cb (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  RevealFocus *state = user_data;
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (widget));
  GtkWidget *scrolled = focus != NULL ? gtk_widget_get_ancestor (focus, GTK_TYPE_SCROLLED_WINDOW) : NULL;
  GtkWidget *content = scrolled != NULL ? gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled)) : NULL;
  graphene_rect_t bounds;

  /* Bounds in the scrolled content, not in the viewport that moves over it. */
  if (GTK_IS_VIEWPORT (content))
    content = gtk_viewport_get_child (GTK_VIEWPORT (content));

  if (content == NULL || ++state->frames > 60)
    return G_SOURCE_REMOVE;
  if (gtk_widget_get_height (focus) > 0 && gtk_widget_compute_bounds (focus, content, &bounds))
    {
      GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
      double value = gtk_adjustment_get_value (adj);
      double page = gtk_adjustment_get_page_size (adj);
      double top = bounds.origin.y, bottom = top + bounds.size.height;

      if (bottom > value + page)
        gtk_adjustment_set_value (adj, MIN (top, bottom - page));
      else if (top < value)
        gtk_adjustment_set_value (adj, top);
      state->still = top == state->last_y ? state->still + 1 : 0;
      state->last_y = top;
      if (state->still >= 3)
        return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
reveal_focus_later (MpfWindow *self)
{
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (self));

  /* A control that has its size is GtkViewport's to scroll to. */
  if (focus != NULL && gtk_widget_get_height (focus) == 0)
    gtk_widget_add_tick_callback (GTK_WIDGET (self), reveal_focus_cb, g_new0 (RevealFocus, 1), g_free);
}

static void
go (MpfWindow *self, const char *page)
{
  static const char *with_back[] = { "goal", "connect", "discover", "image", "confirm", NULL };
  GtkWidget *child = gtk_stack_get_child_by_name (self->pages, page);

  gtk_stack_set_visible_child_name (self->pages, page);
  /* The sandbox note belongs with the welcome text. */
  gtk_widget_set_visible (self->sandbox_note, self->sandboxed && g_str_equal (page, "welcome"));
  /* The step's name under the app's: where am I, for everyone (and the GUI tests). */
  adw_window_title_set_subtitle (self->window_title,
                                 gtk_stack_page_get_title (gtk_stack_get_page (self->pages, child)));
  gtk_widget_set_visible (self->back_button, g_strv_contains (with_back, page));
  update_next_enabled (self);
  /* Keyboard users land on the page, not on a header bar button. */
  if (!gtk_widget_has_focus (child) && gtk_window_get_focus (GTK_WINDOW (self)) != NULL
      && !gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (self)), child))
    gtk_widget_child_focus (child, GTK_DIR_TAB_FORWARD);
  else if (gtk_window_get_focus (GTK_WINDOW (self)) == NULL)
    gtk_widget_child_focus (child, GTK_DIR_TAB_FORWARD);
}

static void
toast (MpfWindow *self, const char *text)
{
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
}

/* ---- the demo router ------------------------------------------------------------- */

static void
demo_started_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(MpfWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  MpfDemoRouter *router = mpf_demo_router_start_finish (result, &error);

  if (router == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_clear_error (&self->demo_error);
      self->demo_error = g_error_copy (error);
      mpf_connect_page_set_status (self->connect_page, error->message, FALSE);
      return;
    }
  self->demo_router = router;
  mpf_connect_page_set_status (self->connect_page, _("Connected (simulated cable)"), TRUE);
  update_next_enabled (self);
}

static void
start_demo (MpfWindow *self)
{
  if (self->demo_router != NULL || self->demo_cancellable != NULL)
    return;
  self->demo_cancellable = g_cancellable_new ();
  mpf_connect_page_set_status (self->connect_page, _("Starting the simulated router…"), FALSE);
  mpf_demo_router_start_async (self->demo_cancellable, demo_started_cb, g_object_ref (self));
}

void
mpf_window_set_demo (MpfWindow *self, gboolean demo)
{
  self->demo = demo;
  gtk_widget_set_visible (self->demo_banner, demo);
  mpf_welcome_page_set_demo (self->welcome_page, demo);
  mpf_connect_page_set_admin_note (self->connect_page, !demo);
  if (demo)
    start_demo (self);
}

/* ---- the wired link (real mode) ------------------------------------------------ */

static MpfLink *
find_link (GPtrArray *links, const char *name)
{
  for (guint i = 0; name != NULL && i < links->len; i++)
    if (g_str_equal (((MpfLink *) g_ptr_array_index (links, i))->name, name))
      return g_ptr_array_index (links, i);
  return NULL;
}

/* Chooses the port to show and to flash through, so the job never has to
 * guess between ports: the one that got a cable last is the router's (the
 * user plugs it in while looking at this page; the router's own restart
 * brings it back); while it has none, another port with a cable. */
static void
show_links (MpfWindow *self, const MpfLink *changed)
{
  g_autoptr(GPtrArray) links = mpf_link_monitor_list_links (self->links);
  MpfLink *chosen = find_link (links, self->link_name);

  if (changed != NULL && changed->carrier)
    chosen = find_link (links, changed->name);
  if (chosen == NULL || !chosen->carrier)
    for (guint i = 0; i < links->len; i++)
      if (((MpfLink *) g_ptr_array_index (links, i))->carrier)
        {
          chosen = g_ptr_array_index (links, i);
          break;
        }
  if (chosen == NULL && links->len > 0)
    chosen = g_ptr_array_index (links, 0);

  g_free (self->link_name);
  self->link_name = chosen != NULL ? g_strdup (chosen->name) : NULL;
  self->link_ready = chosen != NULL && chosen->carrier;
  mpf_connect_page_set_link (self->connect_page, self->link_name, self->link_ready);
  update_next_enabled (self);
}

static void
link_changed_cb (MpfLinkMonitor *links, MpfLink *link, MpfWindow *self)
{
  show_links (self, link);
}

static void
link_removed_cb (MpfLinkMonitor *links, const char *name, MpfWindow *self)
{
  show_links (self, NULL);
}

static void
links_ready_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(MpfWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  MpfLinkMonitor *links = mpf_link_monitor_new_finish (result, &error);

  if (links == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        mpf_connect_page_set_status (self->connect_page, error->message, FALSE);
      return;
    }
  self->links = links;
  g_signal_connect_object (links, "link-changed", G_CALLBACK (link_changed_cb), self, 0);
  g_signal_connect_object (links, "link-removed", G_CALLBACK (link_removed_cb), self, 0);
  show_links (self, NULL);
}

static void
watch_links (MpfWindow *self)
{
  if (self->links != NULL || self->links_cancellable != NULL)
    return;
  self->links_cancellable = g_cancellable_new ();
  mpf_link_monitor_new_async (self->links_cancellable, links_ready_cb, g_object_ref (self));
}

/* ---- the job ---------------------------------------------------------------------- */

static void
restored_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(MpfWindow) self = user_data;

  mpf_flash_job_restore_finish (MPF_FLASH_JOB (source), result, NULL);
  if (self->close_when_idle)
    gtk_window_destroy (GTK_WINDOW (self));
}

/* Gives the network back when a detected job is left without flashing. */
static void
drop_job (MpfWindow *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->job != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->job, self);
      if (self->detected && !self->flashing)
        mpf_flash_job_restore_async (self->job, NULL, restored_cb, g_object_ref (self));
    }
  self->detected = FALSE;
  g_clear_object (&self->job);
}

static void
stage_cb (MpfFlashJob *job, GParamSpec *pspec, MpfWindow *self)
{
  MpfFlashStage stage = mpf_flash_job_get_stage (job);

  if (!self->flashing)
    return;
  mpf_progress_page_set_stage (self->progress_page, stage);
  if (stage == MPF_FLASH_STAGE_WAIT_BOOTLOADER)
    {
      mpf_recovery_page_start (self->recovery_page);
      go (self, "recovery");
    }
  else if (stage == MPF_FLASH_STAGE_TRANSFER || stage == MPF_FLASH_STAGE_WRITING
           || stage == MPF_FLASH_STAGE_LOGIN || stage == MPF_FLASH_STAGE_UPLOAD)
    {
      mpf_recovery_page_stop (self->recovery_page);
      if (g_strcmp0 (current (self), "progress") != 0)
        go (self, "progress");
    }
}

static void
message_cb (MpfFlashJob *job, GParamSpec *pspec, MpfWindow *self)
{
  const char *m = mpf_flash_job_get_message (job);

  if (self->flashing)
    mpf_progress_page_set_message (self->progress_page, m);
  else
    mpf_discover_page_set_searching (self->discover_page, m);
}

static void
fraction_cb (MpfFlashJob *job, GParamSpec *pspec, MpfWindow *self)
{
  if (self->flashing)
    mpf_progress_page_set_progress (self->progress_page, mpf_flash_job_get_fraction (job),
                                    mpf_flash_job_get_eta (job));
}

typedef struct {
  MpfWindow          *self;
  MpfFlashJob        *job;
  MpfFlashPromptKind  kind;
  GtkWidget          *entry;
} Prompt;

static void
prompt_response_cb (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  Prompt *p = user_data;
  const char *answer = g_strcmp0 (response, "yes") == 0 ? "yes" : "no";

  if (p->kind == MPF_FLASH_PROMPT_PASSWORD)
    answer = g_strcmp0 (response, "yes") == 0 ? gtk_editable_get_text (GTK_EDITABLE (p->entry)) : "";
  if (p->job == p->self->job)
    mpf_flash_job_answer (p->job, p->kind, answer);
  g_object_unref (p->job);
  g_free (p);
}

static void
prompt_cb (MpfFlashJob *job, int kind, const char *text, MpfWindow *self)
{
  GtkWidget *dialog;
  Prompt *p;

  if (kind == MPF_FLASH_PROMPT_POWER_CYCLE)
    {
      /* Informational: the job goes on by itself once the bootloader asks. */
      mpf_recovery_page_start (self->recovery_page);
      go (self, "recovery");
      return;
    }
  p = g_new0 (Prompt, 1);
  p->self = self;
  p->job = g_object_ref (job);
  p->kind = kind;
  switch ((MpfFlashPromptKind) kind)
    {
    case MPF_FLASH_PROMPT_PASSWORD:
      dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Router Password"), text);
      p->entry = gtk_password_entry_new ();
      gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (p->entry), TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (p->entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Router password"), -1);
      g_object_set (p->entry, "activates-default", TRUE, NULL);
      adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), p->entry);
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "no", _("_Cancel"),
                                        "yes", _("_Log In"), NULL);
      break;
    case MPF_FLASH_PROMPT_RENAME_IMAGE:
      dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Rewrite the Name Inside the File?"), text);
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "no", _("_Stop"),
                                        "yes", _("_Rewrite and Go On"), NULL);
      break;
    case MPF_FLASH_PROMPT_SERVE_AGAIN:
    default:
      dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Send the Firmware Again?"), text);
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "no", _("_No, Stop"),
                                        "yes", _("_Send Again"), NULL);
      break;
    }
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "yes", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "yes");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "no");
  g_signal_connect (dialog, "response", G_CALLBACK (prompt_response_cb), p);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
new_job (MpfWindow *self)
{
  MpfFlashGoal goal = mpf_goal_page_get_goal (self->goal_page);
  const char *board = mpf_goal_page_get_board (self->goal_page);

  drop_job (self);
  if (self->demo)
    self->job = g_object_new (MPF_TYPE_FLASH_JOB, "board", board, "goal", (int) goal,
                              "demo-control", mpf_demo_router_get_control (self->demo_router),
                              "demo-http-port", mpf_demo_router_get_http_port (self->demo_router),
                              "demo-tftp-port", mpf_demo_router_get_tftp_port (self->demo_router),
                              NULL);
  else
    self->job = mpf_flash_job_new (self->link_ready ? self->link_name : NULL, board, MPF_FLASH_PATH_AUTO, goal);
  self->cancellable = g_cancellable_new ();
  g_signal_connect (self->job, "notify::stage", G_CALLBACK (stage_cb), self);
  g_signal_connect (self->job, "notify::message", G_CALLBACK (message_cb), self);
  g_signal_connect (self->job, "notify::fraction", G_CALLBACK (fraction_cb), self);
  g_signal_connect (self->job, "notify::eta", G_CALLBACK (fraction_cb), self);
  g_signal_connect (self->job, "prompt", G_CALLBACK (prompt_cb), self);
}

static void
check_image (MpfWindow *self, const char *path);

static void
detected_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(MpfWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  MpfFlashJob *job = MPF_FLASH_JOB (source);
  const MpfRouterInfo *router;
  const char *board;

  if (!mpf_flash_job_detect_finish (job, result, &error))
    {
      if (job == self->job && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        mpf_discover_page_set_failed (self->discover_page, error->message);
      return;
    }
  if (job != self->job)
    return;
  self->detected = TRUE;
  router = mpf_flash_job_get_router (job);
  mpf_discover_page_set_found (self->discover_page, router);

  board = router->board != NULL ? router->board : mpf_goal_page_get_board (self->goal_page);
  mpf_image_page_populate (self->image_page, self->catalog, board, mpf_goal_page_get_goal (self->goal_page),
                           router->family,
                           self->demo_router != NULL ? mpf_demo_router_get_images (self->demo_router) : NULL);
  /* After a retry the file chosen before is judged again for this router. */
  if (self->image_path != NULL)
    {
      g_autofree char *path = g_strdup (self->image_path);
      check_image (self, path);
    }
}

static void
start_detect (MpfWindow *self)
{
  new_job (self);
  mpf_discover_page_set_searching (self->discover_page, NULL);
  go (self, "discover");
  mpf_flash_job_detect_async (self->job, self->cancellable, detected_cb, g_object_ref (self));
}

/* ---- the image ---------------------------------------------------------------------- */

static const MpfBoard *
target_board (MpfWindow *self)
{
  const MpfRouterInfo *router = self->job != NULL ? mpf_flash_job_get_router (self->job) : NULL;
  const char *id = router != NULL && router->board != NULL ? router->board : mpf_goal_page_get_board (self->goal_page);

  /* Without a known model the file is judged for the MPR-A1 (the common
   * unit; as mprflash-cli does). */
  return mpf_board_lookup (id != NULL ? id : "MPR-A1");
}

static void
verdict_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(MpfWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  MpfImageVerdict *verdict = mpf_image_verdict_new_for_path_finish (result, &error);

  if (verdict == NULL)
    return;
  g_clear_object (&self->verdict);
  self->verdict = verdict;
  mpf_image_page_set_verdict (self->image_page, self->image_path, verdict, NULL);
}

static void
check_image (MpfWindow *self, const char *path)
{
  if (self->verdict_cancellable != NULL)
    g_cancellable_cancel (self->verdict_cancellable);
  g_clear_object (&self->verdict_cancellable);
  self->verdict_cancellable = g_cancellable_new ();
  g_clear_object (&self->verdict);
  g_free (self->image_path);
  self->image_path = g_strdup (path);
  mpf_image_page_set_checking (self->image_page, path);
  mpf_image_verdict_new_for_path_async (path, target_board (self), self->catalog,
                                        self->verdict_cancellable, verdict_cb, g_object_ref (self));
}

static void
file_selected_cb (MpfImagePage *page, const char *path, MpfWindow *self)
{
  check_image (self, path);
}

static void
file_chosen_cb (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  MpfWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        check_image (self, path);
    }
  g_object_unref (dialog);
}

static void
choose_file_action (GtkWidget *widget, const char *action, GVariant *param)
{
  MpfWindow *self = MPF_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) firmware = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Choose a Firmware File"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (firmware, _("Firmware files"));
  gtk_file_filter_add_suffix (firmware, "bin");
  gtk_file_filter_add_suffix (firmware, "img");
  gtk_file_filter_add_suffix (firmware, "trx");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), firmware);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (file_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- flashing ------------------------------------------------------------------------ */

static void
set_flashing (MpfWindow *self, gboolean flashing)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  self->flashing = flashing;
  if (flashing && self->inhibit_cookie == 0 && app != NULL)
    self->inhibit_cookie = gtk_application_inhibit (app, GTK_WINDOW (self),
                                                    GTK_APPLICATION_INHIBIT_SUSPEND | GTK_APPLICATION_INHIBIT_LOGOUT,
                                                    _("A router is being flashed"));
  else if (!flashing && self->inhibit_cookie != 0)
    {
      if (app != NULL)
        gtk_application_uninhibit (app, self->inhibit_cookie);
      self->inhibit_cookie = 0;
    }
}

static void
flashed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(MpfWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  MpfFlashJob *job = MPF_FLASH_JOB (source);
  gboolean ok = mpf_flash_job_flash_finish (job, result, &error);

  g_free (self->last_log);
  self->last_log = mpf_flash_job_dup_log (job);
  g_clear_pointer (&self->last_capture, g_bytes_unref);
  g_clear_pointer (&self->last_capture_why, g_free);
  {
    const char *why = NULL;

    self->last_capture = mpf_flash_job_dup_capture (job, &why);
    self->last_capture_why = g_strdup (why);
  }
  if (job != self->job)
    return;
  set_flashing (self, FALSE);
  self->detected = FALSE;  /* RESTORE ran inside flash */
  mpf_recovery_page_stop (self->recovery_page);
  if (self->close_when_idle)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  g_clear_error (&self->last_error);
  if (ok)
    {
      const MpfFlashPlan *plan = mpf_flash_job_get_plan (job);
      const MpfRouterInfo *router = mpf_flash_job_get_router (job);
      /* What VERIFY identified, when it could tell; else what was sent. */
      MpfFamily family = router != NULL && router->family != MPF_FAMILY_UNKNOWN && router->family != MPF_FAMILY_BOOTLOADER
                         ? router->family : plan->target_family;
      mpf_done_page_set_router (self->done_page, router, family);
      go (self, "done");
    }
  else
    {
      self->last_error = g_error_copy (error);
      mpf_failure_page_set_error (self->failure_page, error);
      go (self, "failure");
    }
}

static void
flash_action (GtkWidget *widget, const char *action, GVariant *param)
{
  MpfWindow *self = MPF_WINDOW (widget);

  if (self->job == NULL || self->flashing)
    return;
  set_flashing (self, TRUE);
  mpf_progress_page_reset (self->progress_page);
  go (self, "progress");
  mpf_flash_job_flash_async (self->job, self->cancellable, flashed_cb, g_object_ref (self));
}

static void
cancel_action (GtkWidget *widget, const char *action, GVariant *param)
{
  MpfWindow *self = MPF_WINDOW (widget);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  mpf_progress_page_set_message (self->progress_page, _("Cancelling and giving the network back…"));
}

/* ---- the other actions --------------------------------------------------------------- */

static void
start_action (GtkWidget *widget, const char *action, GVariant *param)
{
  MpfWindow *self = MPF_WINDOW (widget);

  if (!self->demo)
    watch_links (self);
  go (self, "goal");
}

static void
demo_action (GtkWidget *widget, const char *action, GVariant *param)
{
  MpfWindow *self = MPF_WINDOW (widget);

  mpf_window_set_demo (self, TRUE);
  go (self, "goal");
}

static void
next_action (GtkWidget *widget, const char *action, GVariant *param)
{
  MpfWindow *self = MPF_WINDOW (widget);
  const char *page = current (self);

  if (g_strcmp0 (page, "goal") == 0)
    go (self, "connect");
  else if (g_strcmp0 (page, "connect") == 0)
    start_detect (self);
  else if (g_strcmp0 (page, "discover") == 0)
    go (self, "image");
  else if (g_strcmp0 (page, "image") == 0 && self->verdict != NULL && self->job != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!mpf_flash_job_set_image (self->job, self->verdict, &error))
        {
          mpf_image_page_set_verdict (self->image_page, self->image_path, self->verdict, error->message);
          return;
        }
      mpf_confirm_page_set_plan (self->confirm_page, mpf_flash_job_get_router (self->job),
                                 mpf_flash_job_get_plan (self->job), self->demo);
      go (self, "confirm");
    }
}

static void
back_action (GtkWidget *widget, const char *action, GVariant *param)
{
  MpfWindow *self = MPF_WINDOW (widget);
  const char *page = current (self);

  if (g_strcmp0 (page, "goal") == 0)
    go (self, "welcome");
  else if (g_strcmp0 (page, "connect") == 0)
    go (self, "goal");
  else if (g_strcmp0 (page, "discover") == 0)
    {
      drop_job (self);
      go (self, "connect");
    }
  else if (g_strcmp0 (page, "image") == 0)
    go (self, "discover");
  else if (g_strcmp0 (page, "confirm") == 0)
    go (self, "image");
}

static void
detect_again_action (GtkWidget *widget, const char *action, GVariant *param)
{
  start_detect (MPF_WINDOW (widget));
}

/* Retry after a failure: the same goal and file, from the search on. */
static void
retry_action (GtkWidget *widget, const char *action, GVariant *param)
{
  MpfWindow *self = MPF_WINDOW (widget);

  drop_job (self);
  go (self, "connect");
}

static void
restart_action (GtkWidget *widget, const char *action, GVariant *param)
{
  MpfWindow *self = MPF_WINDOW (widget);

  drop_job (self);
  g_clear_object (&self->verdict);
  g_clear_pointer (&self->image_path, g_free);
  go (self, "goal");
}

/* ---- the diagnostics report ----------------------------------------------------------- */

static GBytes *
build_report (MpfWindow *self)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format_iso8601 (now);
  g_autofree char *log = self->last_log != NULL ? g_strdup (self->last_log)
                         : self->job != NULL ? mpf_flash_job_dup_log (self->job) : NULL;

  g_string_append_printf (s, "mprflash %s diagnostics report\ncreated: %s\nmode: %s\n", PACKAGE_VERSION,
                          when, self->demo ? "demo (simulated router)" : "real");
  if (self->last_error != NULL)
    g_string_append_printf (s, "error: %s %d: %s\n", g_quark_to_string (self->last_error->domain),
                            self->last_error->code, self->last_error->message);
  /* The job's log is already redacted (passwords never appear in it). */
  g_string_append (s, "\n== job log (JSON lines) ==\n");
  g_string_append (s, log != NULL ? log : "(none)\n");
  if (self->demo_router != NULL)
    {
      g_autofree char *router_log = mpf_demo_router_dup_log (self->demo_router);
      g_string_append (s, "\n== simulated router log ==\n");
      g_string_append (s, router_log != NULL ? router_log : "(none)\n");
    }
  /* Redacted by the helper before it was ever stored. */
  if (self->last_log != NULL)
    mpf_flash_capture_append_report (s, self->last_capture, self->last_capture_why);
  else if (self->job != NULL)
    {
      const char *why = NULL;
      g_autoptr(GBytes) pcap = mpf_flash_job_dup_capture (self->job, &why);

      mpf_flash_capture_append_report (s, pcap, why);
    }
  else
    mpf_flash_capture_append_report (s, NULL, self->demo ? "the helper did not run (demo)"
                                                         : "the helper did not run");
  return g_string_free_to_bytes (g_steal_pointer (&s));
}

static void
report_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(MpfWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      g_autofree char *text = g_strdup_printf (_("The report could not be saved: %s"), error->message);
      toast (self, text);
    }
  else
    toast (self, _("Diagnostics report saved"));
}

static void
report_chosen_cb (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  MpfWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GBytes) report = build_report (self);

      g_file_replace_contents_bytes_async (file, report, NULL, FALSE, G_FILE_CREATE_PRIVATE,
                                           NULL, report_written_cb, g_object_ref (self));
    }
  g_object_unref (dialog);
}

static void
save_report_action (GtkWidget *widget, const char *action, GVariant *param)
{
  MpfWindow *self = MPF_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = g_date_time_format (now, "mprflash-report-%Y%m%d-%H%M%S.txt");
  g_autoptr(GFile) home = g_file_new_for_path (g_get_home_dir ());

  chooser = gtk_file_chooser_native_new (_("Save Diagnostics Report"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), home, NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (report_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- closing ---------------------------------------------------------------------------- */

static void
close_response_cb (AdwMessageDialog *dialog, const char *response, MpfWindow *self)
{
  if (g_strcmp0 (response, "stop") != 0)
    return;
  self->close_when_idle = TRUE;
  if (self->flashing && self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  else
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_window_state (MpfWindow *self)
{
  GtkWindow *window = GTK_WINDOW (self);
  int width, height;

  if (self->settings == NULL)
    return;
  /* The default size tracks the unmaximized size, which is what to restore. */
  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
}

static gboolean
mpf_window_close_request (GtkWindow *window)
{
  MpfWindow *self = MPF_WINDOW (window);

  if (!self->close_when_idle)
    save_window_state (self);
  if (self->flashing && !self->close_when_idle)
    {
      AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
        window, _("Stop Flashing?"),
        _("Closing now stops the assistant. If the router is already writing, it goes on by itself: "
          "do not unplug it for two minutes.")));

      adw_message_dialog_add_responses (dialog, "keep", _("_Keep Flashing"), "stop", _("_Stop and Close"), NULL);
      adw_message_dialog_set_response_appearance (dialog, "stop", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (dialog, "keep");
      adw_message_dialog_set_close_response (dialog, "keep");
      g_signal_connect (dialog, "response", G_CALLBACK (close_response_cb), self);
      gtk_window_present (GTK_WINDOW (dialog));
      return TRUE;
    }
  if (self->flashing)
    return TRUE;  /* cancelled: closes when the network is given back */
  if (self->detected && !self->close_when_idle)
    {
      /* Give the network back first, then close. */
      self->close_when_idle = TRUE;
      drop_job (self);
      return TRUE;
    }
  return GTK_WINDOW_CLASS (mpf_window_parent_class)->close_request (window);
}

static void
mpf_window_dispose (GObject *object)
{
  MpfWindow *self = MPF_WINDOW (object);

  if (self->demo_cancellable != NULL)
    g_cancellable_cancel (self->demo_cancellable);
  if (self->links_cancellable != NULL)
    g_cancellable_cancel (self->links_cancellable);
  if (self->verdict_cancellable != NULL)
    g_cancellable_cancel (self->verdict_cancellable);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  set_flashing (self, FALSE);
  g_clear_object (&self->job);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->demo_router);
  g_clear_object (&self->demo_cancellable);
  g_clear_object (&self->links);
  g_clear_object (&self->links_cancellable);
  g_clear_object (&self->verdict);
  g_clear_object (&self->verdict_cancellable);
  g_clear_object (&self->catalog);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->image_path, g_free);
  g_clear_pointer (&self->link_name, g_free);
  g_clear_pointer (&self->last_log, g_free);
  g_clear_pointer (&self->last_capture, g_bytes_unref);
  g_clear_pointer (&self->last_capture_why, g_free);
  g_clear_error (&self->last_error);
  g_clear_error (&self->demo_error);

  G_OBJECT_CLASS (mpf_window_parent_class)->dispose (object);
}

static void
mpf_window_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  MpfWindow *self = MPF_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SANDBOXED:
      g_value_set_boolean (value, self->sandboxed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpf_window_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  MpfWindow *self = MPF_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SANDBOXED:
      if (self->sandboxed != g_value_get_boolean (value))
        {
          self->sandboxed = g_value_get_boolean (value);
          gtk_widget_set_visible (self->sandbox_note,
                                  self->sandboxed && g_strcmp0 (current (self), "welcome") == 0);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpf_window_class_init (MpfWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = mpf_window_dispose;
  object_class->get_property = mpf_window_get_property;
  object_class->set_property = mpf_window_set_property;
  window_class->close_request = mpf_window_close_request;

  /* Whether the sandbox limits what can be done; the window says so in words. */
  properties[PROP_SANDBOXED] =
    g_param_spec_boolean ("sandboxed", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (MPF_TYPE_WELCOME_PAGE);
  g_type_ensure (MPF_TYPE_GOAL_PAGE);
  g_type_ensure (MPF_TYPE_CONNECT_PAGE);
  g_type_ensure (MPF_TYPE_DISCOVER_PAGE);
  g_type_ensure (MPF_TYPE_IMAGE_PAGE);
  g_type_ensure (MPF_TYPE_CONFIRM_PAGE);
  g_type_ensure (MPF_TYPE_RECOVERY_PAGE);
  g_type_ensure (MPF_TYPE_PROGRESS_PAGE);
  g_type_ensure (MPF_TYPE_DONE_PAGE);
  g_type_ensure (MPF_TYPE_FAILURE_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mprflash/MprFlash/ui/mpf-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MpfWindow, sandbox_note);
  gtk_widget_class_bind_template_child (widget_class, MpfWindow, pages);
  gtk_widget_class_bind_template_child (widget_class, MpfWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, MpfWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, MpfWindow, demo_banner);
  gtk_widget_class_bind_template_child (widget_class, MpfWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, MpfWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, MpfWindow, goal_page);
  gtk_widget_class_bind_template_child (widget_class, MpfWindow, connect_page);
  gtk_widget_class_bind_template_child (widget_class, MpfWindow, discover_page);
  gtk_widget_class_bind_template_child (widget_class, MpfWindow, image_page);
  gtk_widget_class_bind_template_child (widget_class, MpfWindow, confirm_page);
  gtk_widget_class_bind_template_child (widget_class, MpfWindow, recovery_page);
  gtk_widget_class_bind_template_child (widget_class, MpfWindow, progress_page);
  gtk_widget_class_bind_template_child (widget_class, MpfWindow, done_page);
  gtk_widget_class_bind_template_child (widget_class, MpfWindow, failure_page);

  gtk_widget_class_install_action (widget_class, "win.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "win.demo", NULL, demo_action);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "win.detect-again", NULL, detect_again_action);
  gtk_widget_class_install_action (widget_class, "win.choose-file", NULL, choose_file_action);
  gtk_widget_class_install_action (widget_class, "win.flash", NULL, flash_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "win.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "win.restart", NULL, restart_action);
  gtk_widget_class_install_action (widget_class, "win.save-report", NULL, save_report_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.back", NULL);
}

static void
next_activate_cb (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  next_action (GTK_WIDGET (user_data), "win.next", NULL);
}

static void
mpf_window_init (MpfWindow *self)
{
  g_autoptr(GSimpleAction) next = g_simple_action_new ("next", NULL);
  g_autoptr(GError) error = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* "next" is a map action so its enabled state can follow the page. */
  g_signal_connect (next, "activate", G_CALLBACK (next_activate_cb), self);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (next));
  g_signal_connect (self->image_page, "file-selected", G_CALLBACK (file_selected_cb), self);

  g_signal_connect_swapped (self, "notify::focus-widget", G_CALLBACK (reveal_focus_later), self);
  mpf_welcome_page_focus (self->welcome_page);

  /* Flatpak puts this file in every sandbox it starts. */
  self->sandboxed = g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
  gtk_widget_set_visible (self->sandbox_note, self->sandboxed);
  adw_window_title_set_subtitle (self->window_title, _("Welcome"));

  self->catalog = mpf_catalog_new_for_user (&error);
  if (self->catalog == NULL)
    g_warning ("No firmware catalogue: %s", error->message);

  self->settings = load_settings ();
  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }
}

MpfWindow *
mpf_window_new (MpfApplication *app)
{
  return g_object_new (MPF_TYPE_WINDOW, "application", app, NULL);
}
