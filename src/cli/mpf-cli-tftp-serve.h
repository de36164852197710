#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `mprflash-cli tftp-serve --interface IF --address ADDR/PREFIX --image FILE
 * [--once]`: serves FILE as-is over TFTP through mprflash-helper, with the
 * address added for the command's lifetime. @argv[0] is "tftp-serve".
 * Returns 0 (stopped, or --once and one transfer completed), 1 (failure),
 * 2 (usage), 3 (file unreadable), 130 (interrupted). */
int mpf_cli_tftp_serve (int argc, char **argv);

G_END_DECLS
