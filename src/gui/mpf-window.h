#pragma once

#include <adwaita.h>

#include "mpf-application.h"

G_BEGIN_DECLS

#define MPF_TYPE_WINDOW (mpf_window_get_type ())

G_DECLARE_FINAL_TYPE (MpfWindow, mpf_window, MPF, WINDOW, AdwApplicationWindow)

MpfWindow *mpf_window_new (MpfApplication *app);

/* `--demo`: the wizard drives a simulated router on loopback, with a banner. */
void       mpf_window_set_demo (MpfWindow *self, gboolean demo);

G_END_DECLS
