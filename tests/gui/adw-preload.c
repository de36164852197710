/* Preloaded into gtk4-builder-tool so it knows libadwaita's types: the tool
 * only looks template parents up by name, and nothing else registers them. */
#include <adwaita.h>

__attribute__((constructor)) static void
mpf_adw_preload_init (void)
{
  adw_init ();
}
