#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `mprflash-cli flash`: the whole job (find, plan, flash, verify, restore). */
int mpf_cli_flash (int argc, char **argv);

G_END_DECLS
