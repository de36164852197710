#include "config.h"

#include <glib/gi18n.h>

#include "mpf-catalog-download.h"
#include "mpf-image-page.h"

struct _MpfImagePage
{
  AdwBin        parent_instance;
  GtkWidget    *catalog_group;
  GtkListBox   *catalog_list;
  GtkWidget    *verdict_group;
  AdwActionRow *file_row;
  AdwActionRow *verdict_row;
  GtkImage     *verdict_icon;
  GtkWidget    *next_button;
  GCancellable *downloads;
};

G_DEFINE_FINAL_TYPE (MpfImagePage, mpf_image_page, ADW_TYPE_BIN)

enum { SIGNAL_FILE_SELECTED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
mpf_image_page_dispose (GObject *object)
{
  MpfImagePage *self = MPF_IMAGE_PAGE (object);

  if (self->downloads != NULL)
    g_cancellable_cancel (self->downloads);
  g_clear_object (&self->downloads);
  G_OBJECT_CLASS (mpf_image_page_parent_class)->dispose (object);
}

static void
mpf_image_page_class_init (MpfImagePageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = mpf_image_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mprflash/MprFlash/ui/mpf-image-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MpfImagePage, catalog_group);
  gtk_widget_class_bind_template_child (widget_class, MpfImagePage, catalog_list);
  gtk_widget_class_bind_template_child (widget_class, MpfImagePage, verdict_group);
  gtk_widget_class_bind_template_child (widget_class, MpfImagePage, file_row);
  gtk_widget_class_bind_template_child (widget_class, MpfImagePage, verdict_row);
  gtk_widget_class_bind_template_child (widget_class, MpfImagePage, verdict_icon);
  gtk_widget_class_bind_template_child (widget_class, MpfImagePage, next_button);

  signals[SIGNAL_FILE_SELECTED] = g_signal_new ("file-selected", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
mpf_image_page_init (MpfImagePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static gboolean
family_fits (MpfFamily family, MpfFlashGoal goal, MpfFamily current)
{
  switch (goal)
    {
    case MPF_FLASH_GOAL_OPENWRT:
      return family == MPF_FAMILY_OPENWRT;
    case MPF_FLASH_GOAL_STOCK:
      return family != MPF_FAMILY_OPENWRT && family != MPF_FAMILY_UNKNOWN;
    case MPF_FLASH_GOAL_REINSTALL:
    default:
      return current == MPF_FAMILY_UNKNOWN || current == MPF_FAMILY_BOOTLOADER || family == current;
    }
}

/* A file the catalogue entry was fetched to earlier (mprflash-cli uses the same place). */
static char *
cached_file (const MpfCatalogEntry *e)
{
  g_autofree char *path = mpf_catalog_download_cache_path (e->id);

  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&path);
  return NULL;
}

static void
use_clicked_cb (GtkButton *button, MpfImagePage *self)
{
  const char *path = g_object_get_data (G_OBJECT (button), "path");

  g_signal_emit (self, signals[SIGNAL_FILE_SELECTED], 0, path);
}

/* A row per file; a usable one gets a "Use" button (reachable by keyboard
 * and by screen readers, which do not activate list rows). */
static GtkWidget *
add_row (MpfImagePage *self, const char *title, const char *subtitle, const char *path)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  if (path != NULL)
    {
      GtkWidget *button = gtk_button_new ();
      GtkWidget *label = gtk_label_new_with_mnemonic (_("_Use"));
      gtk_button_set_child (GTK_BUTTON (button), label);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      /* The row names the button too (activatable widget): "Use" + the row's title. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Use"), -1);
      g_object_set_data_full (G_OBJECT (button), "path", g_strdup (path), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (use_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
    }
  gtk_list_box_append (self->catalog_list, row);
  return row;
}

/* ---- catalogue downloads ---- */

typedef struct {
  MpfImagePage   *self;
  AdwActionRow   *row;
  GtkWidget      *button;
  GtkProgressBar *bar;
} Download;

static void
download_progress_cb (MpfCatalogDownload *dl, GParamSpec *pspec, Download *d)
{
  double f = mpf_catalog_download_get_fraction (dl);
  g_autofree char *text = NULL;

  if (f < 0)
    {
      gtk_progress_bar_pulse (d->bar);
      return;
    }
  gtk_progress_bar_set_fraction (d->bar, f);
  /* TRANSLATORS: a download's progress, e.g. "Downloading… 42 %" */
  text = g_strdup_printf (_("Downloading… %d %%"), (int) (f * 100 + 0.5));
  adw_action_row_set_subtitle (d->row, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (d->bar), GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, text, -1);
}

static void
downloaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Download *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = mpf_catalog_download_run_finish (MPF_CATALOG_DOWNLOAD (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    goto out;
  gtk_widget_set_visible (GTK_WIDGET (d->bar), FALSE);
  gtk_widget_set_sensitive (d->button, TRUE);
  if (path == NULL)
    {
      adw_action_row_set_subtitle (d->row, error->message);
      gtk_button_set_label (GTK_BUTTON (d->button), _("Try Again"));
      goto out;
    }
  adw_action_row_set_subtitle (d->row, _("Downloaded"));
  gtk_widget_set_visible (d->button, FALSE);
  g_signal_emit (d->self, signals[SIGNAL_FILE_SELECTED], 0, path);
out:
  g_object_unref (d->self);
  g_object_unref (d->row);
  g_free (d);
}

static void
download_clicked_cb (GtkButton *button, MpfImagePage *self)
{
  const MpfCatalogEntry *e = g_object_get_data (G_OBJECT (button), "entry");
  g_autoptr(MpfCatalogDownload) dl = mpf_catalog_download_new (e);
  Download *d = g_new0 (Download, 1);

  d->self = g_object_ref (self);
  d->row = g_object_ref (g_object_get_data (G_OBJECT (button), "row"));
  d->button = GTK_WIDGET (button);
  d->bar = g_object_get_data (G_OBJECT (button), "bar");
  gtk_widget_set_sensitive (d->button, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (d->bar), TRUE);
  gtk_progress_bar_set_fraction (d->bar, 0);
  adw_action_row_set_subtitle (d->row, _("Downloading…"));
  g_signal_connect (dl, "notify::fraction", G_CALLBACK (download_progress_cb), d);
  mpf_catalog_download_run_async (dl, self->downloads, downloaded_cb, d);
}

/* A catalogue entry that can be fetched: a Download button and a progress bar. */
static GtkWidget *
add_download_row (MpfImagePage *self, const char *title, const char *prefix, const MpfCatalogEntry *e)
{
  g_autofree char *subtitle = g_strconcat (prefix, *prefix ? " " : "", e->sha256 != NULL ? _("Can be downloaded; checked by checksum")
                                                                      : _("Can be downloaded; no checksum to check it"), NULL);
  GtkWidget *row = add_row (self, title, subtitle, NULL);
  GtkWidget *bar = gtk_progress_bar_new ();
  GtkWidget *button = gtk_button_new_with_label (_("Download"));

  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (bar, 80, -1);
  gtk_widget_set_visible (bar, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Download progress"), -1);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (button), "entry", (gpointer) e);
  g_object_set_data (G_OBJECT (button), "row", row);
  g_object_set_data (G_OBJECT (button), "bar", bar);
  g_signal_connect (button, "clicked", G_CALLBACK (download_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), bar);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

void
mpf_image_page_populate (MpfImagePage *self, MpfCatalog *catalog, const char *board_id,
                         MpfFlashGoal goal, MpfFamily current, const char *const *demo_files)
{
  GtkWidget *child;
  guint shown = 0;

  if (self->downloads != NULL)
    g_cancellable_cancel (self->downloads);
  g_clear_object (&self->downloads);
  self->downloads = g_cancellable_new ();
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->catalog_list))) != NULL)
    gtk_list_box_remove (self->catalog_list, child);
  gtk_widget_set_visible (self->verdict_group, FALSE);
  gtk_widget_set_visible (self->next_button, FALSE);

  /* The demo's own files come first: they are the ones that work here. */
  for (guint i = 0; demo_files != NULL && demo_files[i] != NULL; i++)
    {
      g_autofree char *name = g_path_get_basename (demo_files[i]);
      MpfFamily family = g_str_has_prefix (name, "openwrt") ? MPF_FAMILY_OPENWRT : MPF_FAMILY_HAME_STOCK;
      g_autofree char *title = NULL;

      if (!family_fits (family, goal, current))
        continue;
      /* TRANSLATORS: a firmware file made for the demo; %s is its family, e.g. OpenWrt */
      title = g_strdup_printf (_("Demo file: %s"), mpf_family_display_name (family));
      add_row (self, title, _("Made by the simulated router for this demo"), demo_files[i]);
      shown++;
    }

  for (guint i = 0; catalog != NULL && i < mpf_catalog_get_n_entries (catalog); i++)
    {
      const MpfCatalogEntry *e = mpf_catalog_get_entry (catalog, i);
      g_autofree char *title = NULL, *cached = NULL, *boards = NULL, *prefix = NULL, *sub = NULL;
      GtkWidget *row;

      if (!family_fits (e->family, goal, current))
        continue;
      if (board_id != NULL && !mpf_catalog_entry_has_board (e, board_id))
        continue;
      title = g_strdup_printf ("%s %s", mpf_family_display_name (e->family), e->version != NULL ? e->version : "");
      /* Without a known model, say which models each file is for. */
      boards = board_id == NULL && e->boards != NULL ? g_strjoinv (", ", e->boards) : NULL;
      /* TRANSLATORS: %s lists router models, e.g. "MPR-A1, MPR-L8" */
      prefix = boards != NULL ? g_strdup_printf (_("For %s."), boards) : g_strdup ("");
      cached = cached_file (e);
      if (cached != NULL)
        {
          sub = g_strconcat (prefix, *prefix ? " " : "", _("Downloaded earlier"), NULL);
          row = add_row (self, title, sub, cached);
        }
      else if (e->url != NULL)
        row = add_download_row (self, title, prefix, e);
      else
        {
          sub = g_strconcat (prefix, *prefix ? " " : "", _("No public download: if you have this file, use “Choose a File…”"), NULL);
          row = add_row (self, title, sub, NULL);
        }
      /* The catalogue's longer description (translated where po/data-strings.c
       * knows it): for the curious on hover, and for screen readers. */
      if (e->description != NULL)
        {
          const char *text = g_dgettext (GETTEXT_PACKAGE, e->description);
          gtk_widget_set_tooltip_text (row, text);
          gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
        }
      shown++;
    }
  gtk_widget_set_visible (self->catalog_group, shown > 0);
}

void
mpf_image_page_set_checking (MpfImagePage *self, const char *path)
{
  g_autofree char *name = g_path_get_basename (path);

  adw_action_row_set_subtitle (self->file_row, name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->verdict_row), _("Checking the file…"));
  adw_action_row_set_subtitle (self->verdict_row, "");
  gtk_image_set_from_icon_name (self->verdict_icon, "content-loading-symbolic");
  gtk_widget_set_visible (self->verdict_group, TRUE);
  gtk_widget_set_visible (self->next_button, FALSE);
}

static char *
join_problems (GPtrArray *problems)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      const MpfImageProblem *p = g_ptr_array_index (problems, i);
      if (s->len > 0)
        g_string_append_c (s, ' ');
      g_string_append (s, p->message);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* The verdict in words: verified by checksum, not verified, or refused and why. */
void
mpf_image_page_set_verdict (MpfImagePage *self, const char *path, MpfImageVerdict *verdict,
                            const char *refusal)
{
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *detail = NULL;
  const MpfCatalogEntry *entry = mpf_image_verdict_get_catalog_entry (verdict);
  const char *title, *icon;
  gboolean usable = FALSE;

  if (refusal != NULL || !mpf_image_verdict_is_flashable (verdict))
    {
      title = _("Refused");
      icon = "dialog-error-symbolic";
      detail = refusal != NULL ? g_strdup (refusal) : join_problems (mpf_image_verdict_get_problems (verdict));
    }
  else if (entry != NULL && entry->sha256 != NULL)
    {
      title = _("Verified by checksum");
      icon = "emblem-ok-symbolic";
      /* TRANSLATORS: %s is a firmware, e.g. "OpenWrt 14.07" */
      detail = g_strdup_printf (_("This is exactly the known file %s %s."),
                                mpf_family_display_name (entry->family), entry->version ? entry->version : "");
      usable = TRUE;
    }
  else
    {
      g_autofree char *notes = join_problems (mpf_image_verdict_get_notes (verdict));
      const char *version = mpf_image_verdict_get_version (verdict);

      title = _("Not verified");
      icon = "dialog-warning-symbolic";
      detail = g_strdup_printf (_("It looks like %s%s%s and fits the router, but no checksum confirms it. %s"),
                                mpf_family_display_name (mpf_image_verdict_get_family (verdict)),
                                version != NULL ? " " : "", version != NULL ? version : "", notes);
      usable = TRUE;
    }
  adw_action_row_set_subtitle (self->file_row, name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->verdict_row), title);
  adw_action_row_set_subtitle (self->verdict_row, g_strstrip (detail));
  gtk_image_set_from_icon_name (self->verdict_icon, icon);
  gtk_widget_set_visible (self->verdict_group, TRUE);
  gtk_widget_set_visible (self->next_button, usable);
  if (usable)
    gtk_widget_grab_focus (self->next_button);
}
