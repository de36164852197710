#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MPF_TYPE_CONNECT_PAGE (mpf_connect_page_get_type ())
G_DECLARE_FINAL_TYPE (MpfConnectPage, mpf_connect_page, MPF, CONNECT_PAGE, AdwBin)

/* The cable illustration and the wired port's live state. */
void mpf_connect_page_set_link (MpfConnectPage *self, const char *name, gboolean carrier);
void mpf_connect_page_set_status (MpfConnectPage *self, const char *text, gboolean ready);
void mpf_connect_page_set_admin_note (MpfConnectPage *self, gboolean visible);

G_END_DECLS
