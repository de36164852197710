#pragma once

#include <gio/gio.h>
#include "mpf-catalog.h"

G_BEGIN_DECLS

/* Fetches one catalogue entry's file into the user's cache
 * ($XDG_CACHE_HOME/mprflash/catalog/ID, where mprflash-cli looks too),
 * checking its size and SHA-256 against the catalogue; a file that does not
 * match is thrown away. http(s) through libsoup, file:// through GIO.
 *
 * MPF_CATALOG_BASE_URL (tests, mirrors): fetch BASE/<file name of the URL>
 * instead of the catalogue's URL.
 *
 * Property "fraction" (double, 0..1, -1 while the size is unknown). */
#define MPF_TYPE_CATALOG_DOWNLOAD (mpf_catalog_download_get_type ())
G_DECLARE_FINAL_TYPE (MpfCatalogDownload, mpf_catalog_download, MPF, CATALOG_DOWNLOAD, GObject)

MpfCatalogDownload *mpf_catalog_download_new (const MpfCatalogEntry *entry);
char               *mpf_catalog_download_cache_path (const char *entry_id);
double              mpf_catalog_download_get_fraction (MpfCatalogDownload *self);

void  mpf_catalog_download_run_async  (MpfCatalogDownload *self, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
/* The cached file's path. */
char *mpf_catalog_download_run_finish (MpfCatalogDownload *self, GAsyncResult *result, GError **error);

G_END_DECLS
