#pragma once

#include <adwaita.h>
#include "mpf-flash-job.h"
G_BEGIN_DECLS

#define MPF_TYPE_PROGRESS_PAGE (mpf_progress_page_get_type ())
G_DECLARE_FINAL_TYPE (MpfProgressPage, mpf_progress_page, MPF, PROGRESS_PAGE, AdwBin)

/* The flashing phases, a progress bar with time left, and what Cancel means now. */
void mpf_progress_page_reset (MpfProgressPage *self);
void mpf_progress_page_set_stage (MpfProgressPage *self, MpfFlashStage stage);
void mpf_progress_page_set_progress (MpfProgressPage *self, double fraction, int eta_seconds);
void mpf_progress_page_set_message (MpfProgressPage *self, const char *message);

G_END_DECLS
