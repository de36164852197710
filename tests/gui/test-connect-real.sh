#!/usr/bin/env bash
# The connect page in real mode (not --demo): the real mprflash runs inside
# the PC namespace of the test bed (tests/netns), where the only wired port is
# a veth whose peer is in the router namespace, and where no NetworkManager
# can be reached (the link monitor then asks the kernel over rtnetlink).
# test-connect-real.py switches the peer and checks what the page says.
# Xvfb, the session bus and the accessibility bus all run inside the PC
# namespace too: D-Bus and AT-SPI use abstract sockets, which are per
# network namespace.
# usage: test-connect-real.sh MPRFLASH            (root; TAP)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$MPF_SOURCE_ROOT/tests/netns/lib.sh"
netns_setup
# A third namespace for the second cable's far end, so that a router behind
# one port cannot answer through the other (one kernel answers ARP for all
# of its addresses on any interface).
NS_X=$NETNS-x
ip netns add "$NS_X" || netns_fail "cannot add $NS_X"
trap 'rc=$?; ip netns del "$NS_X" 2>/dev/null; (exit $rc); netns_teardown' EXIT
# The cable starts unplugged: the router's end is down.
"$MPF_NETNS" link "$NETNS" down rt

mkdir -p "$NETNS_TMP/home"
# No system bus at all: NetworkManager cannot be reached, as on a machine
# without it (a system NetworkManager of the host would also not know the
# namespace's ports).
ip netns exec "$NS_PC" env -u DBUS_SESSION_BUS_ADDRESS \
  DBUS_SYSTEM_BUS_ADDRESS="unix:path=$NETNS_TMP/no-system-bus" \
  HOME="$NETNS_TMP/home" XDG_CONFIG_HOME="$NETNS_TMP/config" XDG_CACHE_HOME="$NETNS_TMP/cache" \
  XDG_DATA_HOME="$NETNS_TMP/data" XDG_RUNTIME_DIR="$NETNS_TMP/run" TMP_DIR="$NETNS_TMP" \
  MPF_NETNS="$MPF_NETNS" NS_X="$NS_X" \
  xvfb-run -a -s '-screen 0 1280x1024x24' "$here/test-connect-real-inner.sh" "$1"
