#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Locale and message catalogue set-up shared by the unprivileged front ends.
 * MPF_LOCALEDIR points at a build tree's catalogues (po/<ll>/LC_MESSAGES) so
 * tests and screenshots can run translated without `meson install`. The
 * privileged helper does not use this: it never takes paths from its caller. */
void mpf_i18n_init (void);

G_END_DECLS
