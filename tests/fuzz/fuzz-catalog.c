#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "mpf-board.h"
#include "mpf-catalog.h"

/* The catalogue and board-table loaders on arbitrary text: either a clean
 * error or a table whose rows hold what the format promises. */
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) cat_error = NULL;
  g_autoptr(GError) board_error = NULL;
  g_autoptr(MpfCatalog) catalog = mpf_catalog_new_from_data ((const char *) data, (gssize) size, &cat_error);
  g_autoptr(GPtrArray) boards = mpf_board_table_parse ((const char *) data, (gssize) size, &board_error);

  if ((catalog == NULL) == (cat_error == NULL) || (boards == NULL) == (board_error == NULL))
    abort ();
  for (guint i = 0; catalog != NULL && i < mpf_catalog_get_n_entries (catalog); i++)
    {
      const MpfCatalogEntry *e = mpf_catalog_get_entry (catalog, i);
      if (e->id == NULL || e->description == NULL || e->boards == NULL || e->boards[0] == NULL ||
          mpf_catalog_lookup_id (catalog, e->id) != e ||
          (e->sha256 != NULL && mpf_catalog_lookup_sha256 (catalog, e->sha256) != e))
        abort ();
    }
  for (guint i = 0; boards != NULL && i < boards->len; i++)
    {
      const MpfBoard *b = boards->pdata[i];
      if (b->id == NULL || b->lan_addresses == NULL ||
          (guint64) b->firmware_offset + b->firmware_size > b->flash_size)
        abort ();
    }
  return 0;
}
