/* The temporary NetworkManager profile and the address table, without a
 * daemon: the settings mprflash asks NetworkManager for. */
#include "config.h"

#include <arpa/inet.h>

#include "mpf-netconfig.h"

static guint32
ip4 (const char *s)
{
  struct in_addr a;

  g_assert_cmpint (inet_pton (AF_INET, s, &a), ==, 1);
  return ntohl (a.s_addr);
}

static void
test_table_discover (void)
{
  static const char *const subnets[] = { "192.168.169.0", "192.168.100.0", "192.168.1.0" };
  const MpfNetAddress *a;
  gsize n;

  a = mpf_netconfig_addresses (MPF_NETCONFIG_PURPOSE_DISCOVER, &n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (subnets));
  for (gsize i = 0; i < n; i++)
    {
      guint32 mask = ~((1u << (32 - a[i].prefix)) - 1);

      g_assert_cmpuint (a[i].prefix, ==, 24);
      /* One address in each default subnet, in the router's subnet... */
      g_assert_cmpuint (ip4 (a[i].address) & mask, ==, ip4 (subnets[i]));
      g_assert_cmpuint (ip4 (a[i].router) & mask, ==, ip4 (subnets[i]));
      /* ...never a router's own (.1) nor the bootloader's (.2), nor the
       * network or broadcast address. */
      g_assert_cmpstr (a[i].address, !=, a[i].router);
      g_assert_cmpuint (ip4 (a[i].address) & 0xff, >, 2);
      g_assert_cmpuint (ip4 (a[i].address) & 0xff, <, 255);
    }
  /* The routers are the documented defaults (WEB-UIS.md). */
  g_assert_cmpstr (a[0].router, ==, "192.168.169.1");
  g_assert_cmpstr (a[1].router, ==, "192.168.100.1");
  g_assert_cmpstr (a[2].router, ==, "192.168.1.1");
}

static void
test_table_recovery (void)
{
  const MpfNetAddress *a;
  gsize n;

  a = mpf_netconfig_addresses (MPF_NETCONFIG_PURPOSE_RECOVERY, &n);
  g_assert_cmpuint (n, ==, 1);
  /* The address the bootloader asks for (RECOVERY.md). */
  g_assert_cmpstr (a[0].address, ==, "192.168.1.55");
  g_assert_cmpuint (a[0].prefix, ==, 24);
}

static void
assert_common (NMConnection *c, const char *ifname)
{
  g_autoptr(GError) error = NULL;
  NMSettingConnection *s_con = nm_connection_get_setting_connection (c);
  NMSettingIPConfig *s_ip4 = nm_connection_get_setting_ip4_config (c);
  NMSettingIPConfig *s_ip6 = nm_connection_get_setting_ip6_config (c);

  g_assert_true (nm_connection_verify (c, &error));
  g_assert_no_error (error);
  g_assert_nonnull (s_con);
  g_assert_cmpstr (nm_setting_connection_get_id (s_con), ==, "mprflash (temporary)");
  g_assert_cmpstr (nm_setting_connection_get_connection_type (s_con), ==, NM_SETTING_WIRED_SETTING_NAME);
  g_assert_cmpstr (nm_setting_connection_get_interface_name (s_con), ==, ifname);
  g_assert_false (nm_setting_connection_get_autoconnect (s_con));
  g_assert_true (g_uuid_string_is_valid (nm_setting_connection_get_uuid (s_con)));
  g_assert_nonnull (nm_connection_get_setting_wired (c));

  g_assert_nonnull (s_ip4);
  g_assert_cmpstr (nm_setting_ip_config_get_method (s_ip4), ==, NM_SETTING_IP4_CONFIG_METHOD_MANUAL);
  g_assert_true (nm_setting_ip_config_get_never_default (s_ip4));
  g_assert_null (nm_setting_ip_config_get_gateway (s_ip4));
  g_assert_cmpuint (nm_setting_ip_config_get_num_dns (s_ip4), ==, 0);
  g_assert_cmpint (nm_setting_ip_config_get_route_metric (s_ip4), ==, MPF_NETCONFIG_ROUTE_METRIC);

  g_assert_nonnull (s_ip6);
  g_assert_cmpstr (nm_setting_ip_config_get_method (s_ip6), ==, NM_SETTING_IP6_CONFIG_METHOD_DISABLED);
}

static void
assert_addresses (NMConnection *c, MpfNetconfigPurpose purpose)
{
  NMSettingIPConfig *s_ip4 = nm_connection_get_setting_ip4_config (c);
  const MpfNetAddress *a;
  gsize n;

  a = mpf_netconfig_addresses (purpose, &n);
  g_assert_cmpuint (nm_setting_ip_config_get_num_addresses (s_ip4), ==, n);
  for (gsize i = 0; i < n; i++)
    {
      NMIPAddress *addr = nm_setting_ip_config_get_address (s_ip4, i);

      g_assert_cmpstr (nm_ip_address_get_address (addr), ==, a[i].address);
      g_assert_cmpuint (nm_ip_address_get_prefix (addr), ==, a[i].prefix);
    }
}

static void
test_profile_discover (void)
{
  g_autoptr(NMConnection) c = mpf_netconfig_build_profile ("enp3s0", MPF_NETCONFIG_PURPOSE_DISCOVER, "alice");
  NMSettingConnection *s_con = nm_connection_get_setting_connection (c);
  const char *type = NULL, *item = NULL;

  assert_common (c, "enp3s0");
  assert_addresses (c, MPF_NETCONFIG_PURPOSE_DISCOVER);
  g_assert_cmpuint (nm_setting_connection_get_num_permissions (s_con), ==, 1);
  g_assert_true (nm_setting_connection_get_permission (s_con, 0, &type, &item, NULL));
  g_assert_cmpstr (type, ==, "user");
  g_assert_cmpstr (item, ==, "alice");
  g_assert_true (nm_setting_connection_permissions_user_allowed (s_con, "alice"));
  g_assert_false (nm_setting_connection_permissions_user_allowed (s_con, "bob"));
}

static void
test_profile_recovery (void)
{
  g_autoptr(NMConnection) c = mpf_netconfig_build_profile ("eth0", MPF_NETCONFIG_PURPOSE_RECOVERY, "root");

  assert_common (c, "eth0");
  assert_addresses (c, MPF_NETCONFIG_PURPOSE_RECOVERY);
}

static void
test_profile_unique (void)
{
  g_autoptr(NMConnection) a = mpf_netconfig_build_profile ("eth0", MPF_NETCONFIG_PURPOSE_DISCOVER, NULL);
  g_autoptr(NMConnection) b = mpf_netconfig_build_profile ("eth0", MPF_NETCONFIG_PURPOSE_DISCOVER, NULL);

  /* Without a user nobody is excluded. */
  g_assert_cmpuint (nm_setting_connection_get_num_permissions (nm_connection_get_setting_connection (a)), ==, 0);
  g_assert_cmpstr (nm_connection_get_uuid (a), !=, nm_connection_get_uuid (b));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/netconfig/table/discover", test_table_discover);
  g_test_add_func ("/netconfig/table/recovery", test_table_recovery);
  g_test_add_func ("/netconfig/profile/discover", test_profile_discover);
  g_test_add_func ("/netconfig/profile/recovery", test_profile_recovery);
  g_test_add_func ("/netconfig/profile/unique", test_profile_unique);
  return g_test_run ();
}
