#include "config.h"

#include <glib/gi18n.h>

#include "mpf-confirm-page.h"

struct _MpfConfirmPage
{
  AdwBin        parent_instance;
  AdwActionRow *what_row;
  AdwActionRow *path_row;
  GtkWidget    *admin_note;
  GtkWidget    *flash_button;
};

G_DEFINE_FINAL_TYPE (MpfConfirmPage, mpf_confirm_page, ADW_TYPE_BIN)

static void
mpf_confirm_page_class_init (MpfConfirmPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mprflash/MprFlash/ui/mpf-confirm-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MpfConfirmPage, what_row);
  gtk_widget_class_bind_template_child (widget_class, MpfConfirmPage, path_row);
  gtk_widget_class_bind_template_child (widget_class, MpfConfirmPage, admin_note);
  gtk_widget_class_bind_template_child (widget_class, MpfConfirmPage, flash_button);
}

static void
mpf_confirm_page_init (MpfConfirmPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
mpf_confirm_page_set_plan (MpfConfirmPage *self, const MpfRouterInfo *router,
                           const MpfFlashPlan *plan, gboolean demo)
{
  g_autofree char *what = NULL, *how = NULL;
  MpfFamily from = router != NULL ? router->family : MPF_FAMILY_UNKNOWN;

  /* TRANSLATORS: "Hame stock firmware is replaced by OpenWrt (file.bin)" */
  what = g_strdup_printf (_("%s is replaced by %s (%s)."),
                          from == MPF_FAMILY_UNKNOWN || from == MPF_FAMILY_BOOTLOADER
                            ? _("Whatever the router has") : mpf_family_display_name (from),
                          mpf_family_display_name (plan->target_family), plan->image_label);
  adw_action_row_set_subtitle (self->what_row, what);

  if (plan->path == MPF_FLASH_PATH_RECOVERY)
    how = g_strdup_printf ("%s %s", _("Recovery method: you restart the router with its reset button held, and it fetches the file from this computer."),
                           plan->reason != NULL ? plan->reason : "");
  else
    how = g_strdup_printf ("%s %s", _("Through the router’s own web page, as its firmware update does."),
                           plan->reason != NULL ? plan->reason : "");
  if (plan->rename)
    {
      g_autofree char *tmp = how;
      how = g_strdup_printf ("%s %s", tmp, _("The router only takes files with its own name inside; the assistant will ask before it rewrites the name."));
    }
  adw_action_row_set_subtitle (self->path_row, g_strstrip (how));
  gtk_widget_set_visible (self->admin_note, !demo);
  gtk_widget_grab_focus (self->flash_button);
}
