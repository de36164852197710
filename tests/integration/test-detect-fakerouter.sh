#!/usr/bin/env bash
# mprflash-cli detect against the simulated router, without NetworkManager:
# the helper sets the addresses (rtnetlink), probes and listens. A Hame unit
# whose owner moved its LAN address, an OpenWrt unit at its default, and the
# recovery bootloader are each found and told apart; the addresses the helper
# added are gone afterwards.
# usage: test-detect-fakerouter.sh MPRFLASH-CLI MPRFLASH-HELPER
set -euo pipefail
. "$MPF_SOURCE_ROOT/tests/fake-router/fr-lib.sh"

CLI=$(realpath "$1")
export MPF_HELPER_PATH
MPF_HELPER_PATH=$(realpath "$2")
fr_setup
export MPF_NO_NETWORKMANAGER=1
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$NETNS_TMP/no-bus

# A JSON "found" line's string field (no jq needed).
field() { sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" <<<"$1" | head -n 1; }
detect() { pc "$CLI" detect --interface "$IF_PC" --json 2>"$NETNS_TMP/detect.err"; }
no_temp_addr() { local o; o=$(pc ip -4 -o addr show dev "$IF_PC"); ! grep -qE " 192\.168\.(169|100|1)\.55/" <<<"$o"; }

# --- Hame stock, LAN address changed by its owner ---
fr_flash hame-stock
fr_start --lan-address 192.168.169.20/24 --no-dhcp
ctl wait running/hame-stock 30 >/dev/null || netns_fail "router did not boot"
rt_mac=$(rt cat "/sys/class/net/$IF_RT/address")
out=$(detect) || { cat "$NETNS_TMP/detect.err" >&2; netns_fail "detect failed"; }
found=$(grep '"event":"found"' <<<"$out" | head -n 1)
echo "# $found"
check "moved Hame router found at its new address" [ "$(field "$found" address)" = 192.168.169.20 ]
check "its web UI answered" [ "$(field "$found" state)" = web ]
check "with the router's MAC" [ "$(field "$found" mac)" = "$rt_mac" ]
check "identified as Hame stock" [ "$(field "$found" family)" = hame-stock ]
check "with its login scheme" [ "$(field "$found" login)" = goahead-md5 ]
check "the helper configured the addresses" grep -q '"backend":"helper","event":"configured"' <<<"$out"
check "and the network was restored" grep -q '"event":"restored"' <<<"$out"
check "the helper's addresses are gone afterwards" no_temp_addr
fr_stop

# --- OpenWrt at its default address ---
fr_flash openwrt
fr_start --no-dhcp
ctl wait running/openwrt 30 >/dev/null || netns_fail "router did not boot"
out=$(detect) || { cat "$NETNS_TMP/detect.err" >&2; netns_fail "detect failed"; }
found=$(grep '"event":"found"' <<<"$out" | head -n 1)
echo "# $found"
check "OpenWrt found at 192.168.1.1" [ "$(field "$found" address)" = 192.168.1.1 ]
check "identified as OpenWrt" [ "$(field "$found" family)" = openwrt ]
check "addresses gone afterwards" no_temp_addr
fr_stop

# --- the recovery bootloader (reset held at power-on) ---
fr_flash hame-stock
fr_start --no-dhcp --reset-held
ctl wait recovery 30 >/dev/null || netns_fail "router did not enter recovery"
out=$(detect) || { cat "$NETNS_TMP/detect.err" >&2; netns_fail "detect failed"; }
found=$(grep '"event":"found"' <<<"$out" | head -n 1)
echo "# $found"
check "the bootloader is recognised" [ "$(field "$found" state)" = bootloader ]
check "at the bootloader's address" [ "$(field "$found" address)" = 192.168.1.2 ]
check "addresses gone afterwards" no_temp_addr

tap_done
