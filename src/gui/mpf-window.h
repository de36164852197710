#pragma once

#include <adwaita.h>

#include "mpf-application.h"

G_BEGIN_DECLS

#define MPF_TYPE_WINDOW (mpf_window_get_type ())

G_DECLARE_FINAL_TYPE (MpfWindow, mpf_window, MPF, WINDOW, AdwApplicationWindow)

MpfWindow *mpf_window_new (MpfApplication *app);

G_END_DECLS
