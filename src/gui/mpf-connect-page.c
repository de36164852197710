#include "config.h"

#include <glib/gi18n.h>

#include "mpf-connect-page.h"

struct _MpfConnectPage
{
  AdwBin       parent_instance;
  GtkPicture  *picture;
  AdwActionRow *link_row;
  GtkImage    *link_icon;
  GtkWidget   *admin_note;
};

G_DEFINE_FINAL_TYPE (MpfConnectPage, mpf_connect_page, ADW_TYPE_BIN)

static void
mpf_connect_page_class_init (MpfConnectPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mprflash/MprFlash/ui/mpf-connect-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MpfConnectPage, picture);
  gtk_widget_class_bind_template_child (widget_class, MpfConnectPage, link_row);
  gtk_widget_class_bind_template_child (widget_class, MpfConnectPage, link_icon);
  gtk_widget_class_bind_template_child (widget_class, MpfConnectPage, admin_note);
}

static void
mpf_connect_page_init (MpfConnectPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_picture_set_resource (self->picture, "/io/github/mprflash/MprFlash/illustrations/connect.svg");
}

void
mpf_connect_page_set_status (MpfConnectPage *self, const char *text, gboolean ready)
{
  adw_action_row_set_subtitle (self->link_row, text);
  gtk_image_set_from_icon_name (self->link_icon, ready ? "network-wired-symbolic"
                                                       : "network-wired-disconnected-symbolic");
}

/* @name NULL: no wired port at all. */
void
mpf_connect_page_set_link (MpfConnectPage *self, const char *name, gboolean carrier)
{
  g_autofree char *text = NULL;

  if (name == NULL)
    text = g_strdup (_("This computer has no wired network port. A USB Ethernet adapter works."));
  else if (carrier)
    /* TRANSLATORS: %s is the name of the network port, e.g. eth0 */
    text = g_strdup_printf (_("Connected (%s)"), name);
  else
    text = g_strdup_printf (_("Waiting for a cable on %s…"), name);
  mpf_connect_page_set_status (self, text, name != NULL && carrier);
}

void
mpf_connect_page_set_admin_note (MpfConnectPage *self, gboolean visible)
{
  gtk_widget_set_visible (self->admin_note, visible);
}
