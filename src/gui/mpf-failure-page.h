#pragma once

#include <adwaita.h>
#include "mpf-flash-job.h"
G_BEGIN_DECLS

#define MPF_TYPE_FAILURE_PAGE (mpf_failure_page_get_type ())
G_DECLARE_FINAL_TYPE (MpfFailurePage, mpf_failure_page, MPF, FAILURE_PAGE, AdwBin)

/* Failure or cancel: one sentence, what to do, Retry, diagnostics. */
void mpf_failure_page_set_error (MpfFailurePage *self, const GError *error);

G_END_DECLS
