/* Preloaded into gtk4-builder-tool so it knows libadwaita's types: the tool
 * only looks template parents up by name, and nothing else registers them.
 * The wizard's pages get stand-ins (plain AdwBin subclasses of the same
 * name) so mpf-window.ui, which holds them, validates too; each page's own
 * template is validated from its file. */
#include <adwaita.h>

static const char *const pages[] = {
  "MpfWelcomePage", "MpfGoalPage", "MpfConnectPage", "MpfDiscoverPage", "MpfImagePage",
  "MpfConfirmPage", "MpfRecoveryPage", "MpfProgressPage", "MpfDonePage", "MpfFailurePage",
};

__attribute__((constructor)) static void
mpf_adw_preload_init (void)
{
  adw_init ();
  /* Only when validating the window: a page's own file declares its type itself. */
  if (g_getenv ("MPF_VALIDATE_STANDINS") == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    g_type_register_static_simple (ADW_TYPE_BIN, g_intern_static_string (pages[i]),
                                   sizeof (AdwBinClass), NULL, sizeof (AdwBin), NULL, 0);
}
