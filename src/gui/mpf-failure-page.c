#include "config.h"

#include <glib/gi18n.h>

#include "mpf-failure-page.h"

struct _MpfFailurePage
{
  AdwBin        parent_instance;
  GtkLabel     *title;
  GtkLabel     *description;
  AdwActionRow *advice_row;
  GtkWidget    *retry_button;
};

G_DEFINE_FINAL_TYPE (MpfFailurePage, mpf_failure_page, ADW_TYPE_BIN)

static void
mpf_failure_page_class_init (MpfFailurePageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mprflash/MprFlash/ui/mpf-failure-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MpfFailurePage, title);
  gtk_widget_class_bind_template_child (widget_class, MpfFailurePage, description);
  gtk_widget_class_bind_template_child (widget_class, MpfFailurePage, advice_row);
  gtk_widget_class_bind_template_child (widget_class, MpfFailurePage, retry_button);
}

static void
mpf_failure_page_init (MpfFailurePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static const char *
advice_for (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return _("If you stopped while the router was writing, wait two minutes before unplugging it. Then retry when you are ready.");
  if (error->domain != MPF_FLASH_JOB_ERROR)
    return _("Retry. If it fails again, save the diagnostics report and share it with the people who help you.");
  switch ((MpfFlashJobError) error->code)
    {
    case MPF_FLASH_JOB_ERROR_NO_INTERFACE:
      return _("Connect a wired network port to this computer (a USB Ethernet adapter works), then retry.");
    case MPF_FLASH_JOB_ERROR_NO_CARRIER:
    case MPF_FLASH_JOB_ERROR_NOT_FOUND:
    case MPF_FLASH_JOB_ERROR_CONNECTION_LOST:
      return _("Check that the router has power and that the cable sits firmly at both ends, then retry.");
    case MPF_FLASH_JOB_ERROR_WRONG_PASSWORD:
      return _("Retry with the router’s web password. If nobody knows it, the recovery method does not need one.");
    case MPF_FLASH_JOB_ERROR_IMAGE_REFUSED:
    case MPF_FLASH_JOB_ERROR_UPLOAD_REFUSED:
      return _("The router kept its old firmware. Choose another file, then retry.");
    case MPF_FLASH_JOB_ERROR_NO_BOOTLOADER:
      return _("Retry the power steps: hold reset before the power goes in, and keep holding for 5 seconds.");
    case MPF_FLASH_JOB_ERROR_TRANSFER_STALLED:
    case MPF_FLASH_JOB_ERROR_TRANSFER_RESTARTS:
      return _("Use another cable or plug it straight into the computer, then retry.");
    case MPF_FLASH_JOB_ERROR_NOT_BACK:
    case MPF_FLASH_JOB_ERROR_NO_FLASH_DONE:
      return _("Wait two minutes, unplug the router’s power and plug it back in, then retry. The recovery method can repair it.");
    default:
      return _("Retry. If it fails again, save the diagnostics report and share it with the people who help you.");
    }
}

void
mpf_failure_page_set_error (MpfFailurePage *self, const GError *error)
{
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  gtk_label_set_label (self->title, cancelled ? _("Flashing Was Cancelled") : _("Flashing Did Not Work"));
  gtk_label_set_label (self->description, error->message);
  adw_action_row_set_subtitle (self->advice_row, advice_for (error));
  gtk_widget_grab_focus (self->retry_button);
}
