#include "config.h"

#include "mpf-netconfig.h"

/* Same values as mprflash-helper's allowed-address table (src/helper): the
 * recovery address the bootloader expects doubles as our address in
 * OpenWrt's subnet; .55 is neither a router's address nor the start of a
 * DHCP pool's usual first lease. */
static const MpfNetAddress discover_addresses[] = {
  { "192.168.169.55", 24, "192.168.169.1" },  /* Hame stock */
  { "192.168.100.55", 24, "192.168.100.1" },  /* MPR-L8 stock */
  { "192.168.1.55",   24, "192.168.1.1" },    /* OpenWrt */
};

static const MpfNetAddress recovery_addresses[] = {
  { "192.168.1.55", 24, "192.168.1.2" },      /* the bootloader's own address */
};

const MpfNetAddress *
mpf_netconfig_addresses (MpfNetconfigPurpose purpose, gsize *n_out)
{
  if (purpose == MPF_NETCONFIG_PURPOSE_RECOVERY)
    {
      *n_out = G_N_ELEMENTS (recovery_addresses);
      return recovery_addresses;
    }
  *n_out = G_N_ELEMENTS (discover_addresses);
  return discover_addresses;
}

NMConnection *
mpf_netconfig_build_profile (const char *ifname, MpfNetconfigPurpose purpose, const char *user)
{
  NMConnection *connection = nm_simple_connection_new ();
  NMSetting *s_con = nm_setting_connection_new ();
  NMSetting *s_wired = nm_setting_wired_new ();
  NMSetting *s_ip4 = nm_setting_ip4_config_new ();
  NMSetting *s_ip6 = nm_setting_ip6_config_new ();
  g_autofree char *uuid = nm_utils_uuid_generate ();
  const MpfNetAddress *addrs;
  gsize n;

  g_return_val_if_fail (ifname != NULL, NULL);

  g_object_set (s_con,
                NM_SETTING_CONNECTION_ID, MPF_NETCONFIG_PROFILE_ID,
                NM_SETTING_CONNECTION_UUID, uuid,
                NM_SETTING_CONNECTION_TYPE, NM_SETTING_WIRED_SETTING_NAME,
                NM_SETTING_CONNECTION_INTERFACE_NAME, ifname,
                NM_SETTING_CONNECTION_AUTOCONNECT, FALSE,
                NULL);
  /* Other users of the machine neither see nor touch it. */
  if (user != NULL)
    nm_setting_connection_add_permission (NM_SETTING_CONNECTION (s_con), "user", user, NULL);

  addrs = mpf_netconfig_addresses (purpose, &n);
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      NMIPAddress *a = nm_ip_address_new (AF_INET, addrs[i].address, addrs[i].prefix, &error);

      g_assert_no_error (error);
      nm_setting_ip_config_add_address (NM_SETTING_IP_CONFIG (s_ip4), a);
      nm_ip_address_unref (a);
    }
  g_object_set (s_ip4,
                NM_SETTING_IP_CONFIG_METHOD, NM_SETTING_IP4_CONFIG_METHOD_MANUAL,
                /* The user's Wi-Fi keeps the internet; the router cable never
                 * gets the default route or DNS. */
                NM_SETTING_IP_CONFIG_NEVER_DEFAULT, TRUE,
                NM_SETTING_IP_CONFIG_IGNORE_AUTO_DNS, TRUE,
                /* No duplicate-address wait: the addresses are outside the
                 * routers' pools, and every second counts in recovery. */
                NM_SETTING_IP_CONFIG_DAD_TIMEOUT, 0,
                /* Wins over a home network that shares a default subnet
                 * (192.168.1.0/24 is common), for as long as the job runs. */
                NM_SETTING_IP_CONFIG_ROUTE_METRIC, (gint64) MPF_NETCONFIG_ROUTE_METRIC,
                NULL);
  g_object_set (s_ip6, NM_SETTING_IP_CONFIG_METHOD, NM_SETTING_IP6_CONFIG_METHOD_DISABLED, NULL);

  nm_connection_add_setting (connection, s_con);
  nm_connection_add_setting (connection, s_wired);
  nm_connection_add_setting (connection, s_ip4);
  nm_connection_add_setting (connection, s_ip6);
  return connection;
}
