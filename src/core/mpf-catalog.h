#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  MPF_FAMILY_UNKNOWN,
  MPF_FAMILY_STOCK,        /* Ralink-SDK stock, Hame or MPR-L8 not known */
  MPF_FAMILY_HAME_STOCK,
  MPF_FAMILY_MPRL8_STOCK,
  MPF_FAMILY_OPENWRT,
  MPF_FAMILY_BOOTLOADER,   /* a router in recovery mode (identification only) */
} MpfFamily;

const char *mpf_family_to_string (MpfFamily family);   /* stable id: "hame-stock", ... */
MpfFamily   mpf_family_from_string (const char *s);
const char *mpf_family_display_name (MpfFamily family); /* translated */

typedef struct {
  char      *id;           /* "hame-mpr-a1-2.3.105.214" */
  MpfFamily  family;
  char     **boards;       /* board ids */
  char      *version;
  char      *format;       /* "uimage" | "encoded" */
  char      *file_name;    /* the file's usual name; NULL if none */
  gint64     size;         /* -1 unknown */
  char      *sha256;       /* NULL: not verified */
  char      *url;          /* NULL: no download */
  char      *description;  /* untranslated English; translate at display */
} MpfCatalogEntry;

#define MPF_TYPE_CATALOG (mpf_catalog_get_type ())
G_DECLARE_FINAL_TYPE (MpfCatalog, mpf_catalog, MPF, CATALOG, GObject)

MpfCatalog *mpf_catalog_new_default (GError **error);   /* built-in data/catalog.json */
/* The catalogue the front ends show: the file named by MPF_CATALOG_FILE
 * (a mirror's list, tests) when set, else the built-in one. */
MpfCatalog *mpf_catalog_new_for_user (GError **error);
MpfCatalog *mpf_catalog_new_from_data (const char *json, gssize len, GError **error);
MpfCatalog *mpf_catalog_new_from_file (const char *path, GError **error);
guint       mpf_catalog_get_n_entries (MpfCatalog *self);
const MpfCatalogEntry *mpf_catalog_get_entry (MpfCatalog *self, guint i);
const MpfCatalogEntry *mpf_catalog_lookup_id (MpfCatalog *self, const char *id);
const MpfCatalogEntry *mpf_catalog_lookup_sha256 (MpfCatalog *self, const char *sha256_hex);
gboolean    mpf_catalog_entry_has_board (const MpfCatalogEntry *entry, const char *board_id);

G_END_DECLS
