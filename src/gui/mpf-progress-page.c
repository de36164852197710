#include "config.h"

#include <glib/gi18n.h>

#include "mpf-progress-page.h"

struct _MpfProgressPage
{
  AdwBin          parent_instance;
  GtkImage       *phase_send_icon, *phase_write_icon, *phase_restart_icon, *phase_check_icon;
  GtkProgressBar *bar;
  GtkLabel       *status;
  GtkLabel       *cancel_note;
};

G_DEFINE_FINAL_TYPE (MpfProgressPage, mpf_progress_page, ADW_TYPE_BIN)

static void
mpf_progress_page_class_init (MpfProgressPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mprflash/MprFlash/ui/mpf-progress-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MpfProgressPage, phase_send_icon);
  gtk_widget_class_bind_template_child (widget_class, MpfProgressPage, phase_write_icon);
  gtk_widget_class_bind_template_child (widget_class, MpfProgressPage, phase_restart_icon);
  gtk_widget_class_bind_template_child (widget_class, MpfProgressPage, phase_check_icon);
  gtk_widget_class_bind_template_child (widget_class, MpfProgressPage, bar);
  gtk_widget_class_bind_template_child (widget_class, MpfProgressPage, status);
  gtk_widget_class_bind_template_child (widget_class, MpfProgressPage, cancel_note);
}

static void
mpf_progress_page_init (MpfProgressPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  mpf_progress_page_reset (self);
}

/* 0 sending, 1 writing, 2 restarting, 3 checking, 4 finished; -1 before. */
static int
phase_of (MpfFlashStage stage)
{
  switch (stage)
    {
    case MPF_FLASH_STAGE_LOGIN:
    case MPF_FLASH_STAGE_UPLOAD:
    case MPF_FLASH_STAGE_WAIT_BOOTLOADER:
    case MPF_FLASH_STAGE_TRANSFER:
      return 0;
    case MPF_FLASH_STAGE_CONFIRM:
    case MPF_FLASH_STAGE_WRITING:
      return 1;
    case MPF_FLASH_STAGE_REBOOTING:
      return 2;
    case MPF_FLASH_STAGE_VERIFY:
      return 3;
    case MPF_FLASH_STAGE_RESTORE:
    case MPF_FLASH_STAGE_DONE:
      return 4;
    default:
      return -1;
    }
}

static const char *
cancel_meaning (int phase)
{
  switch (phase)
    {
    case 0:
      return _("Cancelling now is safe: the router keeps the firmware it has.");
    case 1:
      return _("Cancelling now only stops this assistant: the router goes on writing. Do not unplug it.");
    case 2:
    case 3:
      return _("The firmware is written. Cancelling now only skips the final check.");
    default:
      return _("Cancelling now is safe: nothing has been sent to the router yet.");
    }
}

void
mpf_progress_page_reset (MpfProgressPage *self)
{
  mpf_progress_page_set_stage (self, MPF_FLASH_STAGE_PLAN);
  mpf_progress_page_set_progress (self, 0, -1);
  gtk_label_set_label (self->status, "");
}

void
mpf_progress_page_set_stage (MpfProgressPage *self, MpfFlashStage stage)
{
  GtkImage *icons[] = { self->phase_send_icon, self->phase_write_icon,
                        self->phase_restart_icon, self->phase_check_icon };
  /* TRANSLATORS: accessible states of a step in the list of flashing steps */
  const char *states[] = { N_("Done"), N_("Now"), N_("Waiting") };
  int phase = phase_of (stage);

  if (stage == MPF_FLASH_STAGE_RESTORE)
    return; /* giving the network back, after a success or a failure alike */
  for (int i = 0; i < (int) G_N_ELEMENTS (icons); i++)
    {
      int s = i < phase ? 0 : i == phase ? 1 : 2;
      const char *icon[] = { "object-select-symbolic", "media-playback-start-symbolic", "content-loading-symbolic" };

      gtk_image_set_from_icon_name (icons[i], icon[s]);
      gtk_accessible_update_property (GTK_ACCESSIBLE (icons[i]), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _(states[s]), -1);
    }
  gtk_label_set_label (self->cancel_note, cancel_meaning (phase));
}

void
mpf_progress_page_set_progress (MpfProgressPage *self, double fraction, int eta_seconds)
{
  g_autofree char *text = NULL;
  int percent = (int) (CLAMP (fraction, 0.0, 1.0) * 100 + 0.5);

  gtk_progress_bar_set_fraction (self->bar, CLAMP (fraction, 0.0, 1.0));
  if (eta_seconds >= 60)
    /* TRANSLATORS: progress bar text: "42 % — about 3 min left" */
    text = g_strdup_printf (_("%d %% — about %d min left"), percent, (eta_seconds + 59) / 60);
  else if (eta_seconds >= 0)
    text = g_strdup_printf (_("%d %% — %d s left"), percent, eta_seconds);
  else
    text = g_strdup_printf (_("%d %%"), percent);
  gtk_progress_bar_set_text (self->bar, text);
  /* Screen readers read the value text rather than a bare number. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->bar),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, text, -1);
}

void
mpf_progress_page_set_message (MpfProgressPage *self, const char *message)
{
  gtk_label_set_label (self->status, message != NULL ? message : "");
}
