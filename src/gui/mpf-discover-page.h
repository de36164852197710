#pragma once

#include <adwaita.h>
#include "mpf-flash-job.h"
G_BEGIN_DECLS

#define MPF_TYPE_DISCOVER_PAGE (mpf_discover_page_get_type ())
G_DECLARE_FINAL_TYPE (MpfDiscoverPage, mpf_discover_page, MPF, DISCOVER_PAGE, AdwBin)

/* Live discovery, then what was found or why nothing was. */
void mpf_discover_page_set_searching (MpfDiscoverPage *self, const char *message);
void mpf_discover_page_set_found (MpfDiscoverPage *self, const MpfRouterInfo *router);
void mpf_discover_page_set_failed (MpfDiscoverPage *self, const char *message);

G_END_DECLS
