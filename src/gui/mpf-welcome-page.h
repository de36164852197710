#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MPF_TYPE_WELCOME_PAGE (mpf_welcome_page_get_type ())
G_DECLARE_FINAL_TYPE (MpfWelcomePage, mpf_welcome_page, MPF, WELCOME_PAGE, AdwBin)

/* The first page: what the assistant does and what it needs. */
void mpf_welcome_page_set_demo (MpfWelcomePage *self, gboolean demo);
void mpf_welcome_page_focus (MpfWelcomePage *self);

G_END_DECLS
