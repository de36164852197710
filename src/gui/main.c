#include "config.h"

#include <locale.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "mpf-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(MpfApplication) app = NULL;
  /* The build tree's catalogues (po/<ll>/LC_MESSAGES), for screenshots and
   * tests of a translated window without `meson install`. */
  const char *localedir = g_getenv ("MPF_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Only mprflash-helper needs privileges. The window still opens as root
   * (CI and the GUI tests run as root), but people are told it is not needed. */
  if (geteuid () == 0)
    g_printerr ("%s\n", _("mprflash is running as root. It does not need to: "
                          "only its helper asks for administrator rights, and "
                          "only while it changes the network."));

  app = mpf_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
