/* mpf-netns-guard-check: mpf_netns_guard() refuses the host namespace and accepts a
 * private one (test-harness.sh runs it both ways). Prints "inside" or
 * "refused: reason" and exits 0 / 3. */
#include "config.h"

#include <stdio.h>

#include "mpf-netns-guard.h"

int
main (void)
{
  g_autoptr(GError) error = NULL;

  if (!mpf_netns_guard (&error))
    {
      printf ("refused: %s\n", error->message);
      return 3;
    }
  printf ("inside\n");
  return 0;
}
