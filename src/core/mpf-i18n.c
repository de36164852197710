#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "mpf-i18n.h"

void
mpf_i18n_init (void)
{
  const char *localedir = g_getenv ("MPF_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
