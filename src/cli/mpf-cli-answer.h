#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The translated "[y/N]" shown after a yes/no question. */
const char *mpf_cli_yes_no_hint   (void);

/* TRUE when a line typed at a yes/no question means yes: "y" or "yes",
 * the translated "yes" or its first letter, or the locale's yes (rpmatch). */
gboolean    mpf_cli_answer_is_yes (const char *line);

G_END_DECLS
