#include "config.h"

#include <unistd.h>

#include <glib/gi18n.h>

#include "mpf-application.h"
#include "mpf-i18n.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(MpfApplication) app = NULL;
  mpf_i18n_init ();

  /* Only mprflash-helper needs privileges. The window still opens as root
   * (CI and the GUI tests run as root), but people are told it is not needed. */
  if (geteuid () == 0)
    g_printerr ("%s\n", _("mprflash is running as root. It does not need to: "
                          "only its helper asks for administrator rights, and "
                          "only while it changes the network."));

  app = mpf_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
