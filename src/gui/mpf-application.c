#include "config.h"

#include <glib/gi18n.h>

#include "mpf-application.h"
#include "mpf-window.h"

struct _MpfApplication
{
  AdwApplication parent_instance;
  gboolean       demo;   /* --demo: a simulated router instead of a real one */
};

G_DEFINE_FINAL_TYPE (MpfApplication, mpf_application, ADW_TYPE_APPLICATION)

static void
mpf_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  /* A second launch presents the window that is already there. */
  if (window == NULL)
    {
      window = GTK_WINDOW (mpf_window_new (MPF_APPLICATION (app)));
      if (MPF_APPLICATION (app)->demo)
        mpf_window_set_demo (MPF_WINDOW (window), TRUE);
    }

  gtk_window_present (window);
}

static void
about_action_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *developers[] = { _("The mprflash contributors"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("MPR Flash"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "comments", _("Restores the original firmware of small Ralink "
                                      "travel routers or installs OpenWrt on them."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { .name = "about", .activate = about_action_cb },
  { .name = "quit", .activate = quit_action_cb },
};

static void
mpf_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (mpf_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

static int
mpf_application_handle_local_options (GApplication *app,
                                      GVariantDict *options)
{
  if (g_variant_dict_contains (options, "demo"))
    MPF_APPLICATION (app)->demo = TRUE;
  return -1;
}

static void
mpf_application_class_init (MpfApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = mpf_application_activate;
  app_class->startup = mpf_application_startup;
  app_class->handle_local_options = mpf_application_handle_local_options;
}

static void
mpf_application_init (MpfApplication *self)
{
  static const GOptionEntry options[] = {
    { "demo", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
      N_("Try the assistant with a simulated router; nothing real is changed"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

MpfApplication *
mpf_application_new (void)
{
  return g_object_new (MPF_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/mprflash/MprFlash",
                       NULL);
}
