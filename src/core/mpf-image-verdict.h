#pragma once

#include <gio/gio.h>
#include "mpf-board.h"
#include "mpf-catalog.h"
#include "mpf-uimage.h"

G_BEGIN_DECLS

typedef enum {
  MPF_IMAGE_FORMAT_UNKNOWN,
  MPF_IMAGE_FORMAT_UIMAGE,
  MPF_IMAGE_FORMAT_ENCODED,
} MpfImageFormat;

typedef enum {
  MPF_IMAGE_VERSION_NONE,
  MPF_IMAGE_VERSION_RELEASE,   /* firmware release, from the catalogue */
  MPF_IMAGE_VERSION_KERNEL,    /* only the Linux kernel version, from the image name */
} MpfImageVersionKind;

typedef struct {
  int   code;       /* MpfImageError */
  char *message;    /* translated */
} MpfImageProblem;

const char *mpf_image_format_to_string (MpfImageFormat format); /* "uimage", "encoded", "unknown" */

/* Everything known about one firmware file for one target board. */
#define MPF_TYPE_IMAGE_VERDICT (mpf_image_verdict_get_type ())
G_DECLARE_FINAL_TYPE (MpfImageVerdict, mpf_image_verdict, MPF, IMAGE_VERDICT, GObject)

/* @board may be NULL (inspect without a target: no size verdict). Never fails:
 * every problem, including I/O, is in the problem list. */
MpfImageVerdict *mpf_image_verdict_new_for_bytes (GBytes *data, const MpfBoard *board,
                                                  MpfCatalog *catalog);
MpfImageVerdict *mpf_image_verdict_new_for_path (const char *path, const MpfBoard *board,
                                                 MpfCatalog *catalog);
/* The same in a worker thread, for the GUI (reading and hashing a few MB
 * must not block the main loop). _finish fails only when cancelled. */
void             mpf_image_verdict_new_for_path_async (const char *path, const MpfBoard *board,
                                                       MpfCatalog *catalog, GCancellable *cancellable,
                                                       GAsyncReadyCallback callback, gpointer user_data);
MpfImageVerdict *mpf_image_verdict_new_for_path_finish (GAsyncResult *result, GError **error);

MpfImageFormat  mpf_image_verdict_get_format (MpfImageVerdict *self);
const MpfUImage *mpf_image_verdict_get_uimage (MpfImageVerdict *self); /* inner one for encoded; NULL if none */
GBytes         *mpf_image_verdict_get_data (MpfImageVerdict *self);    /* file bytes, NULL on I/O error */
GBytes         *mpf_image_verdict_get_uimage_bytes (MpfImageVerdict *self); /* decoded when encoded */
MpfFamily       mpf_image_verdict_get_family (MpfImageVerdict *self);
const char     *mpf_image_verdict_get_version (MpfImageVerdict *self);  /* nullable */
const char     *mpf_image_verdict_get_sha256 (MpfImageVerdict *self);
const MpfCatalogEntry *mpf_image_verdict_get_catalog_entry (MpfImageVerdict *self); /* nullable */
/* Bytes left in the board's firmware partition (negative: too big). Only with a board. */
gint64          mpf_image_verdict_get_margin (MpfImageVerdict *self);
gboolean        mpf_image_verdict_is_flashable (MpfImageVerdict *self);
GPtrArray      *mpf_image_verdict_get_problems (MpfImageVerdict *self); /* of MpfImageProblem* */

MpfImageVersionKind mpf_image_verdict_get_version_kind (MpfImageVerdict *self);
const MpfBoard *mpf_image_verdict_get_board (MpfImageVerdict *self);         /* target; nullable */
/* For encoded files: the first board whose key decodes it; else NULL. */
const MpfBoard *mpf_image_verdict_get_encoded_board (MpfImageVerdict *self);
/* Bytes that would be written to the firmware partition (the inner uImage
 * for encoded files); 0 when unknown. */
gsize           mpf_image_verdict_get_flash_size (MpfImageVerdict *self);
gboolean        mpf_image_verdict_has_margin (MpfImageVerdict *self);
/* Non-blocking remarks (e.g. "not verified"), of MpfImageProblem*. */
GPtrArray      *mpf_image_verdict_get_notes (MpfImageVerdict *self);
/* The family heuristics' evidence, translated sentences (char*). */
GPtrArray      *mpf_image_verdict_get_signals (MpfImageVerdict *self);

G_END_DECLS
