#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MPF_TYPE_APPLICATION (mpf_application_get_type ())

G_DECLARE_FINAL_TYPE (MpfApplication, mpf_application, MPF, APPLICATION, AdwApplication)

MpfApplication *mpf_application_new (void);

G_END_DECLS
