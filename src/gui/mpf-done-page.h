#pragma once

#include <adwaita.h>
#include "mpf-flash-job.h"
G_BEGIN_DECLS

#define MPF_TYPE_DONE_PAGE (mpf_done_page_get_type ())
G_DECLARE_FINAL_TYPE (MpfDonePage, mpf_done_page, MPF, DONE_PAGE, AdwBin)

/* Success: what the router runs now and what to do next with it. */
void mpf_done_page_set_router (MpfDonePage *self, const MpfRouterInfo *router, MpfFamily family);

G_END_DECLS
