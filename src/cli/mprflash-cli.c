#include "config.h"

#include <stdio.h>
#include <glib.h>
#include <glib/gi18n.h>

#include "mpf-cli.h"
#include "mpf-i18n.h"
#include "mpf-cli-catalog.h"
#include "mpf-cli-detect.h"
#include "mpf-cli-flash.h"
#include "mpf-cli-tftp-serve.h"

/* One row per subcommand; keep in alphabetical order. */
static const MpfCliCommand commands[] = {
  { "catalog", N_("List the firmware images mprflash knows and download them"), mpf_cli_catalog },
  { "detect", N_("Find the router on the cable and tell what it runs"), mpf_cli_detect },
  { "flash", N_("Flash the router: find it, choose the way, flash, verify, give the network back"), mpf_cli_flash },
  { "image", N_("Inspect, check, encode and decode firmware files"), mpf_cli_image },
  { "tftp-serve", N_("Serve one file over TFTP to any standard client, such as U-Boot"), mpf_cli_tftp_serve },
};

static void
print_help (FILE *out)
{
  fprintf (out, "%s\n", _("Usage: mprflash-cli COMMAND [OPTIONS…] [ARGUMENTS…]"));
  fprintf (out, "\n%s\n", _("Restore stock firmware or install OpenWrt on RT5350 travel routers."));
  fprintf (out, "\n%s\n", _("Commands:"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-12s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Run “mprflash-cli COMMAND --help” for a command's options."));
  fprintf (out, "\n%s\n", _("Exit status:"));
  fprintf (out, "  0  %s\n", _("success; for “image check”: the image may be flashed on the board"));
  fprintf (out, "  1  %s\n", _("the image was refused or has problems (every reason is printed)"));
  fprintf (out, "  2  %s\n", _("wrong usage (unknown command, option or board)"));
  fprintf (out, "  3  %s\n", _("a file could not be read or written (missing, a folder, unreadable)"));
}

int
main (int argc, char **argv)
{
  mpf_i18n_init ();
  g_set_prgname ("mprflash-cli");

  if (argc < 2)
    {
      print_help (stderr);
      return MPF_CLI_EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      print_help (stdout);
      return MPF_CLI_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("mprflash-cli %s\n", PACKAGE_VERSION);
      return MPF_CLI_EXIT_OK;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);

  fprintf (stderr, _("Unknown command “%s”."), argv[1]);
  fprintf (stderr, "\n\n");
  print_help (stderr);
  return MPF_CLI_EXIT_USAGE;
}
