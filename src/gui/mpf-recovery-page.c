#include "config.h"

#include "mpf-recovery-page.h"

/* Each step stays this long before the next one lights up. */
#define STEP_SECONDS 3

struct _MpfRecoveryPage
{
  AdwBin      parent_instance;
  GtkPicture *picture;
  GtkWidget  *step1, *step2, *step3, *step4;
  guint       timer;
  guint       step;
};

G_DEFINE_FINAL_TYPE (MpfRecoveryPage, mpf_recovery_page, ADW_TYPE_BIN)

static void
show_step (MpfRecoveryPage *self)
{
  GtkWidget *rows[] = { self->step1, self->step2, self->step3, self->step4 };
  g_autofree char *path = g_strdup_printf ("/io/github/mprflash/MprFlash/illustrations/recovery-%u.svg",
                                           self->step + 1);

  gtk_picture_set_resource (self->picture, path);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->picture), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  adw_preferences_row_get_title (ADW_PREFERENCES_ROW (rows[self->step])), -1);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      if (i == self->step)
        gtk_widget_add_css_class (rows[i], "accent");
      else
        gtk_widget_remove_css_class (rows[i], "accent");
    }
}

static gboolean
next_step_cb (gpointer user_data)
{
  MpfRecoveryPage *self = user_data;

  self->step = (self->step + 1) % 4;
  show_step (self);
  return G_SOURCE_CONTINUE;
}

static void
mpf_recovery_page_dispose (GObject *object)
{
  mpf_recovery_page_stop (MPF_RECOVERY_PAGE (object));
  G_OBJECT_CLASS (mpf_recovery_page_parent_class)->dispose (object);
}

static void
mpf_recovery_page_class_init (MpfRecoveryPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = mpf_recovery_page_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mprflash/MprFlash/ui/mpf-recovery-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MpfRecoveryPage, picture);
  gtk_widget_class_bind_template_child (widget_class, MpfRecoveryPage, step1);
  gtk_widget_class_bind_template_child (widget_class, MpfRecoveryPage, step2);
  gtk_widget_class_bind_template_child (widget_class, MpfRecoveryPage, step3);
  gtk_widget_class_bind_template_child (widget_class, MpfRecoveryPage, step4);
}

static void
mpf_recovery_page_init (MpfRecoveryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  show_step (self);
}

/* The steps cycle until the bootloader is seen; then the window moves on. */
void
mpf_recovery_page_start (MpfRecoveryPage *self)
{
  mpf_recovery_page_stop (self);
  self->step = 0;
  show_step (self);
  self->timer = g_timeout_add_seconds (STEP_SECONDS, next_step_cb, self);
}

void
mpf_recovery_page_stop (MpfRecoveryPage *self)
{
  g_clear_handle_id (&self->timer, g_source_remove);
}
