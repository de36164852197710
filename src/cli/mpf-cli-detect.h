#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `mprflash-cli detect [--interface IF] [--json]`: waits for the cable,
 * configures a temporary address, finds and identifies the router, prints it
 * and gives the network back. @argv[0] is "detect". Returns the exit code:
 * 0 found, 1 nothing found or an error, 2 bad usage, 130 cancelled. */
int mpf_cli_detect (int argc, char **argv);

G_END_DECLS
