#include "config.h"

#include <glib/gi18n.h>

#include "mpf-discover-page.h"

struct _MpfDiscoverPage
{
  AdwBin        parent_instance;
  GtkLabel     *title;
  GtkLabel     *description;
  GtkWidget    *spinner;
  GtkLabel     *status;
  GtkWidget    *found_group;
  AdwActionRow *model_row;
  AdwActionRow *firmware_row;
  AdwActionRow *address_row;
  GtkWidget    *retry_button;
  GtkWidget    *next_button;
};

G_DEFINE_FINAL_TYPE (MpfDiscoverPage, mpf_discover_page, ADW_TYPE_BIN)

static void
mpf_discover_page_class_init (MpfDiscoverPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mprflash/MprFlash/ui/mpf-discover-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MpfDiscoverPage, title);
  gtk_widget_class_bind_template_child (widget_class, MpfDiscoverPage, description);
  gtk_widget_class_bind_template_child (widget_class, MpfDiscoverPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, MpfDiscoverPage, status);
  gtk_widget_class_bind_template_child (widget_class, MpfDiscoverPage, found_group);
  gtk_widget_class_bind_template_child (widget_class, MpfDiscoverPage, model_row);
  gtk_widget_class_bind_template_child (widget_class, MpfDiscoverPage, firmware_row);
  gtk_widget_class_bind_template_child (widget_class, MpfDiscoverPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, MpfDiscoverPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, MpfDiscoverPage, next_button);
}

static void
mpf_discover_page_init (MpfDiscoverPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  mpf_discover_page_set_searching (self, NULL);
}

void
mpf_discover_page_set_searching (MpfDiscoverPage *self, const char *message)
{
  gtk_label_set_label (self->title, _("Looking for the Router"));
  gtk_label_set_label (self->description, _("The assistant is asking the router what it is. This takes up to a minute."));
  gtk_label_set_label (self->status, message != NULL ? message : "");
  gtk_widget_set_visible (self->spinner, TRUE);
  gtk_widget_set_visible (self->found_group, FALSE);
  gtk_widget_set_visible (self->retry_button, FALSE);
  gtk_widget_set_visible (self->next_button, FALSE);
}

void
mpf_discover_page_set_found (MpfDiscoverPage *self, const MpfRouterInfo *router)
{
  const MpfBoard *board = router->board != NULL ? mpf_board_lookup (router->board) : NULL;
  g_autofree char *firmware = NULL;

  gtk_widget_set_visible (self->spinner, FALSE);
  gtk_label_set_label (self->status, "");
  if (router->family == MPF_FAMILY_BOOTLOADER)
    {
      gtk_label_set_label (self->title, _("Router Found in Recovery Mode"));
      gtk_label_set_label (self->description, _("The router is waiting for new firmware. Choose it next."));
    }
  else if (router->address == NULL)
    {
      gtk_label_set_label (self->title, _("The Router Does Not Answer"));
      gtk_label_set_label (self->description,
                           _("Its firmware may be damaged. The assistant can still put new firmware on it "
                             "with the recovery method: you will be shown how."));
    }
  else
    {
      gtk_label_set_label (self->title, _("Router Found"));
      gtk_label_set_label (self->description, _("Check that this is your router, then choose the firmware."));
    }

  adw_action_row_set_subtitle (self->model_row, board != NULL ? board->display_name : _("Not known yet"));
  if (router->version != NULL)
    firmware = g_strdup_printf ("%s %s", mpf_family_display_name (router->family), router->version);
  else
    firmware = g_strdup (mpf_family_display_name (router->family));
  adw_action_row_set_subtitle (self->firmware_row, firmware);
  adw_action_row_set_subtitle (self->address_row, router->address != NULL ? router->address : _("None"));
  gtk_widget_set_visible (self->found_group, TRUE);
  gtk_widget_set_visible (self->retry_button, FALSE);
  gtk_widget_set_visible (self->next_button, TRUE);
  gtk_widget_grab_focus (self->next_button);
}

void
mpf_discover_page_set_failed (MpfDiscoverPage *self, const char *message)
{
  gtk_widget_set_visible (self->spinner, FALSE);
  gtk_label_set_label (self->title, _("The Router Was Not Found"));
  gtk_label_set_label (self->description, message);
  gtk_label_set_label (self->status, _("Check the cable and the router’s power, then try again."));
  gtk_widget_set_visible (self->found_group, FALSE);
  gtk_widget_set_visible (self->next_button, FALSE);
  gtk_widget_set_visible (self->retry_button, TRUE);
  gtk_widget_grab_focus (self->retry_button);
}
