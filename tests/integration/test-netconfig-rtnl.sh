#!/usr/bin/env bash
# Without NetworkManager: the link monitor over rtnetlink (carrier down/up,
# waiting for the cable), discovery of a router whose LAN address was changed
# (found through the neighbour table), and detect's explanation when neither
# NetworkManager nor the helper can set an address.
# usage: test-netconfig-rtnl.sh TOOL
set -euo pipefail
. "$MPF_SOURCE_ROOT/tests/netns/lib.sh"

TOOL=$(realpath "$1")
netns_setup
# No system bus at all: the code must not reach any NetworkManager.
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$NETNS_TMP/no-bus
export MPF_NO_NETWORKMANAGER=1

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { echo "not ok $((n + 1)) - $*"; exit 1; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
refuted() { ! "$@"; }

# --- link monitor ---
links=$(pc "$TOOL" links)
check "link monitor uses rtnetlink" grep -qx "backend rtnetlink" <<<"$links"
check "the veth is a wired link with carrier" grep -qx "$IF_PC 1" <<<"$links"
check "loopback is not listed" refuted grep -q "^lo " <<<"$links"

pc ip link add mpfbr$$ type bridge
pc ip link add mpfvx$$ type vxlan id 5 dstport 4789
pc ip tuntap add mode tap mpftap$$
links=$(pc "$TOOL" links)
check "bridges, tunnels and taps are not wired ports" refuted grep -qE "^mpf(br|vx|tap)" <<<"$links"

ip netns exec "$NS_PC" "$TOOL" watch "$IF_PC" 2 >"$NETNS_TMP/watch.out" 2>&1 &
pid=$!
wait_for 10 "watch ready" file_contains "$NETNS_TMP/watch.out" "initial $IF_PC 1"
rt ip link set "$IF_RT" down
wait_for 10 "carrier lost" file_contains "$NETNS_TMP/watch.out" "carrier $IF_PC 0"
rt ip link set "$IF_RT" up
wait_for 10 "carrier back" file_contains "$NETNS_TMP/watch.out" "carrier $IF_PC 1"
wait "$pid"
ok "carrier down and up seen over rtnetlink"

# Waiting for the cable: the only wired port has none yet.
rt ip link set "$IF_RT" down
wait_for 10 "carrier gone" sh -c "! ip netns exec $NS_PC cat /sys/class/net/$IF_PC/carrier 2>/dev/null | grep -qx 1"
ip netns exec "$NS_PC" "$TOOL" wait >"$NETNS_TMP/wait.out" 2>&1 &
pid=$!
wait_for 10 "waiting" file_contains "$NETNS_TMP/wait.out" waiting
check "still waiting without a cable" refuted grep -q carrier "$NETNS_TMP/wait.out"
rt ip link set "$IF_RT" up
wait "$pid"
check "the wait ends with the port's name when the cable comes" grep -qx "carrier $IF_PC" "$NETNS_TMP/wait.out"
wait_nosuch() { pc "$TOOL" wait nosuch0 >/dev/null 2>&1; }
check "waiting on a port that does not exist fails" refuted wait_nosuch

# --- detect cannot configure: a specific explanation ---
rc=0
pc "$TOOL" detect --interface "$IF_PC" >"$NETNS_TMP/detect.out" 2>"$NETNS_TMP/detect.err" || rc=$?
check "detect fails without NetworkManager and helper" [ "$rc" -eq 1 ]
check "and says why" grep -q "NetworkManager is not running, and the mprflash helper is not available" "$NETNS_TMP/detect.err"

# --- discovery of a router at a changed address ---
# The addresses the helper (or NetworkManager) would configure:
for a in 192.168.169.55/24 192.168.100.55/24 192.168.1.55/24; do pc ip addr add "$a" dev "$IF_PC"; done
rt_mac=$(rt cat "/sys/class/net/$IF_RT/address")

# A device without a web server, off the default addresses: only the sweep
# of the subnets (and the neighbour table) can find it.
rt ip addr add 192.168.100.33/24 dev "$IF_RT"
pc "$TOOL" discover "$IF_PC" >"$NETNS_TMP/seen.out" || not_ok "discover failed"
sed 's/^/# /' "$NETNS_TMP/seen.out"
check "a device without web server is reported as seen, with its MAC" grep -qx "192.168.100.33 $rt_mac seen" "$NETNS_TMP/seen.out"
check "nothing invented at the default addresses" refuted grep -qE "^192\.168\.(169|100|1)\.1 " "$NETNS_TMP/seen.out"

# The router moved its LAN address off the default.
rt ip addr add 192.168.169.77/24 dev "$IF_RT"
netns_spawn rt "$NETNS_TMP/http.log" python3 -m http.server 80 --bind 192.168.169.77 --directory "$NETNS_TMP"
wait_for 10 "web server up" netns_tcp_listening rt 80
pc "$TOOL" discover "$IF_PC" >"$NETNS_TMP/found.out" || not_ok "discover failed"
sed 's/^/# /' "$NETNS_TMP/found.out"
check "the moved router is found first, its web UI answering" grep -qx "192.168.169.77 $rt_mac web" <(head -n 1 "$NETNS_TMP/found.out")
check "neighbour table holds the router" grep -qx "192.168.169.77 $rt_mac" <(pc "$TOOL" neighbours "$IF_PC")

# Nothing on the cable at all: an empty answer, not an error.
rt ip addr flush dev "$IF_RT"
pc ip neigh flush dev "$IF_PC"
pc "$TOOL" discover "$IF_PC" >"$NETNS_TMP/none.out" || not_ok "discover failed on an empty cable"
check "an empty cable finds nothing" [ ! -s "$NETNS_TMP/none.out" ]

echo "1..$n"
