/* Both backends must configure the same addresses: every address netconfig
 * asks for is one mprflash-helper allows, and every default router
 * netconfig probes is one the helper ARP-probes. */
#include "config.h"

#include "mpf-netconfig.h"
#include "mpf-helper-protocol.h"

static void
test_addresses_allowed (void)
{
  for (int purpose = MPF_NETCONFIG_PURPOSE_DISCOVER; purpose <= MPF_NETCONFIG_PURPOSE_RECOVERY; purpose++)
    {
      const MpfNetAddress *a;
      gsize n;

      a = mpf_netconfig_addresses (purpose, &n);
      g_assert_cmpuint (n, >, 0);
      for (gsize i = 0; i < n; i++)
        {
          g_autofree char *cidr = g_strdup_printf ("%s/%u", a[i].address, a[i].prefix);
          const MpfHelperAddress *row = mpf_helper_address_lookup (cidr);

          g_test_message ("%s", cidr);
          g_assert_nonnull (row);
          g_assert_cmpuint (row->prefix, ==, a[i].prefix);
        }
    }
}

static void
test_routers_probed (void)
{
  const char *const *targets = mpf_helper_probe_targets ();
  const MpfNetAddress *a;
  gsize n;

  a = mpf_netconfig_addresses (MPF_NETCONFIG_PURPOSE_DISCOVER, &n);
  for (gsize i = 0; i < n; i++)
    g_assert_true (g_strv_contains (targets, a[i].router));
  /* The bootloader's own address too (recovery's "router"). */
  a = mpf_netconfig_addresses (MPF_NETCONFIG_PURPOSE_RECOVERY, &n);
  g_assert_true (g_strv_contains (targets, a[0].router));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/netconfig/helper-table/addresses-allowed", test_addresses_allowed);
  g_test_add_func ("/netconfig/helper-table/routers-probed", test_routers_probed);
  return g_test_run ();
}
