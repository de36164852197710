#include "config.h"

#include "mpf-welcome-page.h"

struct _MpfWelcomePage
{
  AdwBin     parent_instance;
  GtkWidget *demo_button;
  GtkWidget *start_button;
};

G_DEFINE_FINAL_TYPE (MpfWelcomePage, mpf_welcome_page, ADW_TYPE_BIN)

static void
mpf_welcome_page_class_init (MpfWelcomePageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mprflash/MprFlash/ui/mpf-welcome-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MpfWelcomePage, demo_button);
  gtk_widget_class_bind_template_child (widget_class, MpfWelcomePage, start_button);
}

static void
mpf_welcome_page_init (MpfWelcomePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* In the demo the main button already starts the simulated router. */
void
mpf_welcome_page_set_demo (MpfWelcomePage *self, gboolean demo)
{
  gtk_widget_set_visible (self->demo_button, !demo);
}

/* The window opens with the main button focused: Enter starts. */
void
mpf_welcome_page_focus (MpfWelcomePage *self)
{
  gtk_widget_grab_focus (self->start_button);
}
