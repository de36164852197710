#include "config.h"

#include <glib/gi18n.h>

#include "mpf-window.h"

struct _MpfWindow
{
  AdwApplicationWindow parent_instance;
};

G_DEFINE_FINAL_TYPE (MpfWindow, mpf_window, ADW_TYPE_APPLICATION_WINDOW)

static void
mpf_window_class_init (MpfWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mprflash/MprFlash/ui/mpf-window.ui");
}

static void
mpf_window_init (MpfWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

MpfWindow *
mpf_window_new (MpfApplication *app)
{
  return g_object_new (MPF_TYPE_WINDOW, "application", app, NULL);
}
