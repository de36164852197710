#include "config.h"

#include "mpf-window.h"

struct _MpfWindow
{
  AdwApplicationWindow parent_instance;

  /* NULL when the schema is not installed (an uninstalled run without
   * GSETTINGS_SCHEMA_DIR): the window then simply forgets its size. */
  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (MpfWindow, mpf_window, ADW_TYPE_APPLICATION_WINDOW)

static GSettings *
load_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("Settings schema %s not found; the window size is not remembered", APP_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

static gboolean
mpf_window_close_request (GtkWindow *window)
{
  MpfWindow *self = MPF_WINDOW (window);

  if (self->settings != NULL)
    {
      int width, height;

      /* The default size tracks the unmaximized size, which is what to restore. */
      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized",
                              gtk_window_is_maximized (window));
    }

  return GTK_WINDOW_CLASS (mpf_window_parent_class)->close_request (window);
}

static void
mpf_window_dispose (GObject *object)
{
  MpfWindow *self = MPF_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (mpf_window_parent_class)->dispose (object);
}

static void
mpf_window_class_init (MpfWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = mpf_window_dispose;
  window_class->close_request = mpf_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mprflash/MprFlash/ui/mpf-window.ui");
}

static void
mpf_window_init (MpfWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = load_settings ();
  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }
}

MpfWindow *
mpf_window_new (MpfApplication *app)
{
  return g_object_new (MPF_TYPE_WINDOW, "application", app, NULL);
}
