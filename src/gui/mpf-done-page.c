#include "config.h"

#include <glib/gi18n.h>

#include "mpf-done-page.h"

struct _MpfDonePage
{
  AdwBin        parent_instance;
  GtkLabel     *description;
  AdwActionRow *address_row;
  AdwActionRow *login_row;
  AdwActionRow *wifi_row;
  GtkWidget    *again_button;
};

G_DEFINE_FINAL_TYPE (MpfDonePage, mpf_done_page, ADW_TYPE_BIN)

static void
mpf_done_page_class_init (MpfDonePageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mprflash/MprFlash/ui/mpf-done-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MpfDonePage, description);
  gtk_widget_class_bind_template_child (widget_class, MpfDonePage, address_row);
  gtk_widget_class_bind_template_child (widget_class, MpfDonePage, login_row);
  gtk_widget_class_bind_template_child (widget_class, MpfDonePage, wifi_row);
  gtk_widget_class_bind_template_child (widget_class, MpfDonePage, again_button);
}

static void
mpf_done_page_init (MpfDonePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Next steps per family (reference/WEB-UIS.md): the address to open, the
 * login, and the Wi-Fi the router comes up with. */
void
mpf_done_page_set_router (MpfDonePage *self, const MpfRouterInfo *router, MpfFamily family)
{
  g_autofree char *what = NULL, *url = NULL;
  const char *address, *login, *wifi;

  if (router != NULL && router->version != NULL)
    what = g_strdup_printf (_("The router now runs %s %s."), mpf_family_display_name (family), router->version);
  else
    what = g_strdup_printf (_("The router now runs %s."), mpf_family_display_name (family));
  gtk_label_set_label (self->description, what);

  switch (family)
    {
    case MPF_FAMILY_OPENWRT:
      address = "192.168.1.1";
      login = _("User “root”, no password yet: set one on the first page.");
      wifi = _("Off. OpenWrt starts with Wi-Fi turned off: turn it on under Network → Wireless.");
      break;
    case MPF_FAMILY_MPRL8_STOCK:
      address = "192.168.100.1";
      login = _("Password “admin”.");
      wifi = _("On. The Wi-Fi password is “12345678”; change it.");
      break;
    default:
      address = "192.168.169.1";
      login = _("Password “hame” (on some units “admin”).");
      wifi = _("On, with the name printed on the router’s label. Set a Wi-Fi password.");
      break;
    }
  /* The router's address may differ from the default: prefer what was seen. */
  if (router != NULL && router->address != NULL && !g_str_has_prefix (router->address, "127."))
    address = router->address;
  url = g_strdup_printf ("http://%s", address);
  adw_action_row_set_subtitle (self->address_row, url);
  adw_action_row_set_subtitle (self->login_row, login);
  adw_action_row_set_subtitle (self->wifi_row, wifi);
  gtk_widget_grab_focus (self->again_button);
}
