#!/usr/bin/env bash
# The temporary address through a REAL NetworkManager (TESTBED.md): a daemon
# confined to the test's PC namespace with its own bus. The user's own profile
# ("orig", a keyfile) is active first; after a normal end, a cancel and a
# SIGKILL of the process that made the temporary profile, the temporary
# profile is gone and "orig" is active again.
# usage: test-netconfig-nm.sh TOOL MPRFLASH-CLI MPRFLASH-HELPER
set -euo pipefail
. "$MPF_SOURCE_ROOT/tests/netns/lib.sh"

TOOL=$(realpath "$1")
CLI=$(realpath "$2")
HELPER=$(realpath "$3")
SANDBOX=$MPF_SOURCE_ROOT/tests/netns/nm-sandbox.sh
TEMP="mprflash (temporary)"

netns_require_root
command -v NetworkManager >/dev/null || { echo "SKIP: NetworkManager is not installed (build-aux/dev.sh installs it)" >&2; exit 77; }
netns_setup
NMDIR=$NETNS_TMP/nm
trap 'rc=$?; "$SANDBOX" stop "$NMDIR"; (exit $rc); netns_teardown' EXIT
"$SANDBOX" start "$NS_PC" "$NMDIR" >/dev/null
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$NMDIR/bus.sock

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { echo "not ok $((n + 1)) - $*"; exit 1; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
nmc() { "$SANDBOX" nmcli "$NMDIR" "$NS_PC" "$@"; }
active() { nmc -t -f NAME,DEVICE con show --active; }
# Outputs are captured before matching: with pipefail, "cmd | grep -q" fails
# whenever grep's early exit gives cmd a SIGPIPE.
temp_exists() { local o; o=$(nmc -t -f NAME con show); grep -qxF "$TEMP" <<<"$o"; }
temp_gone() { ! temp_exists; }
orig_active() { local o; o=$(active); grep -qx "orig:$IF_PC" <<<"$o"; }
pc_addrs() { pc ip -4 -o addr show dev "$IF_PC"; }
has_addr() { local o; o=$(pc_addrs); grep -q " $1 " <<<"$o"; }
orig_addr() { has_addr 10.9.9.2/24; }
no_temp_addr() { local o; o=$(pc_addrs); ! grep -qE " 192\.168\.(169|100|1)\.55/" <<<"$o"; }
restored() { temp_gone && orig_active && orig_addr && no_temp_addr; }
refuted() { ! "$@"; }

# The router side: a web server at Hame's default address.
rt ip addr add 192.168.169.1/24 dev "$IF_RT"
netns_spawn rt "$NETNS_TMP/http.log" python3 -m http.server 80 --bind 192.168.169.1 --directory "$NETNS_TMP"
wait_for 10 "web server up" netns_tcp_listening rt 80

# The user's own profile, a keyfile, active on the port.
nmc con add type ethernet ifname "$IF_PC" con-name orig ipv4.method manual \
  ipv4.addresses 10.9.9.2/24 ipv6.method disabled >/dev/null
nmc con up orig >/dev/null
wait_for 10 "orig active" orig_active
ok "the user's profile is active before"

# --- the link monitor asks NetworkManager ---
links=$(pc "$TOOL" links)
check "link monitor uses libnm" grep -qx "backend nm" <<<"$links"
check "the veth is a wired link with carrier" grep -qx "$IF_PC 1" <<<"$links"

# --- held: the profile as NetworkManager sees it ---
start_hold() {
  rm -f "$NETNS_TMP/hold.out" "$NETNS_TMP/in"
  mkfifo "$NETNS_TMP/in"
  # ip netns exec execs the tool, so $! is the tool itself.
  ip netns exec "$NS_PC" "$TOOL" hold "$IF_PC" "$@" <"$NETNS_TMP/in" >"$NETNS_TMP/hold.out" 2>&1 &
  HOLD_PID=$!
  exec 7>"$NETNS_TMP/in"
  wait_for 20 "temporary profile active" file_contains "$NETNS_TMP/hold.out" READY
  grep -q "pid=$HOLD_PID backend=1" "$NETNS_TMP/hold.out" || not_ok "hold: $(cat "$NETNS_TMP/hold.out")"
}

start_hold
check "temporary profile active on the port" grep -qxF "$TEMP:$IF_PC" <<<"$(active)"
check "the user's profile was replaced" refuted orig_active
settings=$(nmc -t -f connection.permissions,connection.autoconnect,connection.interface-name,ipv4.method,ipv4.never-default,ipv4.addresses,ipv4.route-metric,ipv6.method con show "$TEMP")
check "private to the user" grep -qx "connection.permissions:user:$(id -un)" <<<"$settings"
check "not autoconnected" grep -qx "connection.autoconnect:no" <<<"$settings"
check "bound to the port" grep -qx "connection.interface-name:$IF_PC" <<<"$settings"
check "manual IPv4" grep -qx "ipv4.method:manual" <<<"$settings"
check "never the default route" grep -qx "ipv4.never-default:yes" <<<"$settings"
check "one address in each default subnet" grep -qx "ipv4.addresses:192.168.169.55/24, 192.168.100.55/24, 192.168.1.55/24" <<<"$settings"
check "IPv6 disabled" grep -qx "ipv6.method:disabled" <<<"$settings"
check "in memory only (no keyfile written)" refuted grep -rqs "$TEMP" "$NMDIR/system-connections"
check "address 192.168.169.55 on the veth" has_addr 192.168.169.55/24
check "address 192.168.100.55 on the veth" has_addr 192.168.100.55/24
check "address 192.168.1.55 on the veth" has_addr 192.168.1.55/24
ping_router() { pc ping -n -q -c 1 -W 5 192.168.169.1 >/dev/null; }
check "the router answers ping" ping_router
check "the router answers HTTP" pc curl -s -o /dev/null --noproxy '*' -m 5 http://192.168.169.1/

# --- 1. normal end ---
exec 7>&-
wait "$HOLD_PID"
check "hold ends cleanly" grep -q RESTORED "$NETNS_TMP/hold.out"
wait_for 20 "network restored after a normal end" restored
ok "normal end: temporary profile gone, the user's profile active again"

# --- 2. SIGKILL: NetworkManager cleans up for the dead process ---
start_hold
kill -KILL "$HOLD_PID"
wait "$HOLD_PID" 2>/dev/null || true
exec 7>&-
wait_for 20 "network restored after SIGKILL" restored
ok "SIGKILL: temporary profile gone, the user's profile active again"

# --- 3. recovery purpose: only the bootloader's server address ---
start_hold recovery
check "recovery: only 192.168.1.55/24" grep -qx "ipv4.addresses:192.168.1.55/24" <<<"$(nmc -t -f ipv4.addresses con show "$TEMP")"
exec 7>&-
wait "$HOLD_PID"
wait_for 20 "network restored after recovery" restored
ok "recovery purpose restored"

# --- 4. mprflash-cli detect, normal end ---
pc "$CLI" detect --interface "$IF_PC" --json >"$NETNS_TMP/detect.out" 2>"$NETNS_TMP/detect.err" \
  || not_ok "detect failed: $(cat "$NETNS_TMP/detect.err")"
check "detect finds the router's web UI" grep -q '"address":"192.168.169.1".*"state":"web"' "$NETNS_TMP/detect.out"
rt_mac=$(rt cat "/sys/class/net/$IF_RT/address")
check "detect reports the router's MAC" grep -q "\"mac\":\"$rt_mac\"" "$NETNS_TMP/detect.out"
check "detect used NetworkManager" grep -q '"backend":"network-manager","event":"configured"' "$NETNS_TMP/detect.out"
check "detect says the network is restored" grep -q '"event":"restored"' "$NETNS_TMP/detect.out"
wait_for 20 "network restored after detect" restored
ok "detect: temporary profile gone, the user's profile active again"

# Nothing answers from here on, so discovery searches the subnets for a while
# (a router that answers ends it at once).
rt ip addr flush dev "$IF_RT"

# --- 5. detect cancelled (SIGINT) while discovering ---
ip netns exec "$NS_PC" "$CLI" detect --interface "$IF_PC" --json >"$NETNS_TMP/cancel.out" 2>&1 &
pid=$!
wait_for 20 "detect discovering" file_contains "$NETNS_TMP/cancel.out" '"event":"discover"'
temp_exists || not_ok "no temporary profile while discovering"
kill -INT "$pid"
rc=0; wait "$pid" || rc=$?
check "cancelled detect exits 130" [ "$rc" -eq 130 ]
check "cancelled detect still restores" grep -q '"event":"restored"' "$NETNS_TMP/cancel.out"
wait_for 20 "network restored after cancel" restored
ok "cancel: temporary profile gone, the user's profile active again"

# --- 6. mprflash-cli detect SIGKILLed while discovering ---
ip netns exec "$NS_PC" "$CLI" detect --interface "$IF_PC" --json >"$NETNS_TMP/kill.out" 2>&1 &
pid=$!
wait_for 20 "detect discovering" file_contains "$NETNS_TMP/kill.out" '"event":"discover"'
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
wait_for 20 "network restored after SIGKILL of detect" restored
ok "SIGKILL of detect: temporary profile gone, the user's profile active again"

# --- 7. carrier through libnm: the router's end goes down and up ---
ip netns exec "$NS_PC" "$TOOL" watch "$IF_PC" 2 >"$NETNS_TMP/watch.out" 2>&1 &
pid=$!
wait_for 10 "watch ready" file_contains "$NETNS_TMP/watch.out" "initial $IF_PC 1"
rt ip link set "$IF_RT" down
wait_for 10 "carrier lost" file_contains "$NETNS_TMP/watch.out" "carrier $IF_PC 0"
rt ip link set "$IF_RT" up
wait_for 10 "carrier back" file_contains "$NETNS_TMP/watch.out" "carrier $IF_PC 1"
wait "$pid"
ok "libnm carrier down and up seen"

# --- 8. a device NetworkManager does not manage: the helper sets the address ---
nmc device set "$IF_PC" managed no
wait_for 10 "device unmanaged" sh -c "'$SANDBOX' nmcli '$NMDIR' '$NS_PC' -t -f DEVICE,STATE device | grep -qx '$IF_PC:unmanaged'"
rt ip addr add 192.168.169.1/24 dev "$IF_RT"
MPF_HELPER_PATH=$HELPER pc "$CLI" detect --interface "$IF_PC" --json >"$NETNS_TMP/unmanaged.out" 2>"$NETNS_TMP/unmanaged.err" \
  || not_ok "detect on an unmanaged device failed: $(cat "$NETNS_TMP/unmanaged.err")"
check "unmanaged: the helper configured the address" grep -q '"backend":"helper","event":"configured"' "$NETNS_TMP/unmanaged.out"
check "unmanaged: the router is found" grep -q '"address":"192.168.169.1".*"state":"web"' "$NETNS_TMP/unmanaged.out"
check "unmanaged: no temporary profile was made" temp_gone
check "unmanaged: the helper's addresses are gone" no_temp_addr

echo "1..$n"
