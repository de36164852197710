#pragma once

#include <adwaita.h>
#include "mpf-flash-job.h"
G_BEGIN_DECLS

#define MPF_TYPE_IMAGE_PAGE (mpf_image_page_get_type ())
G_DECLARE_FINAL_TYPE (MpfImagePage, mpf_image_page, MPF, IMAGE_PAGE, AdwBin)

/* Catalogue entries that fit, "Choose a file…", and the verdict in words.
 * Signals: "file-selected" (const char *path): a row was chosen. */
void mpf_image_page_populate (MpfImagePage *self, MpfCatalog *catalog, const char *board_id,
                              MpfFlashGoal goal, MpfFamily current, const char *const *demo_files);
void mpf_image_page_set_checking (MpfImagePage *self, const char *path);
void mpf_image_page_set_verdict (MpfImagePage *self, const char *path, MpfImageVerdict *verdict,
                                 const char *refusal);

G_END_DECLS
