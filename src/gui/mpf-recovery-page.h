#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MPF_TYPE_RECOVERY_PAGE (mpf_recovery_page_get_type ())
G_DECLARE_FINAL_TYPE (MpfRecoveryPage, mpf_recovery_page, MPF, RECOVERY_PAGE, AdwBin)

/* The power-cycle steps, shown one after the other until the bootloader answers. */
void mpf_recovery_page_start (MpfRecoveryPage *self);
void mpf_recovery_page_stop (MpfRecoveryPage *self);

G_END_DECLS
