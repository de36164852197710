#pragma once

#include <adwaita.h>
#include "mpf-flash-job.h"
G_BEGIN_DECLS

#define MPF_TYPE_CONFIRM_PAGE (mpf_confirm_page_get_type ())
G_DECLARE_FINAL_TYPE (MpfConfirmPage, mpf_confirm_page, MPF, CONFIRM_PAGE, AdwBin)

/* What will happen, how, the risk, and what not to do. */
void mpf_confirm_page_set_plan (MpfConfirmPage *self, const MpfRouterInfo *router,
                                const MpfFlashPlan *plan, gboolean demo);

G_END_DECLS
