#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One row of data/boards.json. Loaded once from the built-in GResource;
 * the table is immutable and lives for the whole process. */
typedef struct {
  const char *id;                 /* "MPR-A1", "MPR-A2", "MPR-L8", "A5-V11" */
  const char *display_name;       /* untranslated product name */
  guint32     flash_size;
  guint32     firmware_offset;
  guint32     firmware_size;
  gboolean    has_poray;          /* FALSE for MPR-A2 */
  guint32     poray_hw_id;
  guint8      poray_key[15];
  const char *const *lan_addresses; /* default LAN addresses, NULL-terminated */
  const char *description;        /* untranslated English, one line */
} MpfBoard;

/* NULL if unknown (case-insensitive). */
const MpfBoard *mpf_board_lookup (const char *id);
/* NULL-terminated array of every board, in file order. */
const MpfBoard *const *mpf_board_all (void);
/* The largest flash of any board: a file bigger than this cannot be flashed
 * anywhere, so it is refused without being read. */
guint32 mpf_board_max_flash_size (void);

/* For tests: load a board table from JSON text instead of the resource.
 * Returns a GPtrArray of MpfBoard* that frees its rows (mpf_board_free). */
GPtrArray *mpf_board_table_parse (const char *json, gssize len, GError **error);
void       mpf_board_free (MpfBoard *board);

G_END_DECLS
