#include "config.h"

#include "mpf-window.h"

struct _MpfWindow
{
  AdwApplicationWindow parent_instance;

  /* NULL when the schema is not installed (an uninstalled run without
   * GSETTINGS_SCHEMA_DIR): the window then simply forgets its size. */
  GSettings *settings;

  /* In the Flatpak sandbox, where packet capture and port 69 are forbidden. */
  gboolean sandboxed;

  GtkWidget *sandbox_note;
};

G_DEFINE_FINAL_TYPE (MpfWindow, mpf_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SANDBOXED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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
mpf_window_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  MpfWindow *self = MPF_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SANDBOXED:
      g_value_set_boolean (value, self->sandboxed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpf_window_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  MpfWindow *self = MPF_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SANDBOXED:
      if (self->sandboxed != g_value_get_boolean (value))
        {
          self->sandboxed = g_value_get_boolean (value);
          gtk_widget_set_visible (self->sandbox_note, self->sandboxed);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mpf_window_class_init (MpfWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = mpf_window_dispose;
  object_class->get_property = mpf_window_get_property;
  object_class->set_property = mpf_window_set_property;
  window_class->close_request = mpf_window_close_request;

  /* Whether the sandbox limits what can be done; the window says so in words. */
  properties[PROP_SANDBOXED] =
    g_param_spec_boolean ("sandboxed", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mprflash/MprFlash/ui/mpf-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MpfWindow, sandbox_note);
}

static void
mpf_window_init (MpfWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Flatpak puts this file in every sandbox it starts. */
  self->sandboxed = g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
  gtk_widget_set_visible (self->sandbox_note, self->sandboxed);

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
