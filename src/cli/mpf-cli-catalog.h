#pragma once

#include <glib.h>
#include "mpf-catalog.h"

G_BEGIN_DECLS

/* `mprflash-cli catalog list|fetch`: the firmware catalogue for scripts. */
int   mpf_cli_catalog (int argc, char **argv);

/* The local file of catalogue entry ID: the cached copy when there is one,
 * else downloaded into the cache (checked against the catalogue's size and
 * SHA-256) with a progress line on stderr when it is a terminal. */
char *mpf_cli_catalog_get_file (MpfCatalog *catalog, const char *id, GError **error);

G_END_DECLS
