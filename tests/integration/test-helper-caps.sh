#!/usr/bin/env bash
# -Dhelper_caps: the install script gives a copy of the helper its three
# file capabilities; then an unprivileged user (nobody) runs mprflash-cli
# tftp-serve, whose client starts that helper directly (no pkexec): it adds
# the address, serves a file to a real client and removes the address.
set -euo pipefail
. "$MPF_SOURCE_ROOT/tests/netns/lib.sh"
. "$(dirname "$0")/helper-lib.sh"

netns_setup
chmod 755 "$NETNS_TMP"
mkdir -m 755 "$NETNS_TMP/prefix" "$NETNS_TMP/prefix/libexec"
cp "$HELPER" "$NETNS_TMP/prefix/libexec/mprflash-helper"
if ! MESON_INSTALL_DESTDIR_PREFIX=$NETNS_TMP/prefix \
     "$MPF_SOURCE_ROOT/src/helper/install-caps.sh" libexec/mprflash-helper >/dev/null; then
  netns_fail "install-caps.sh failed (file capabilities unsupported on $(df --output=fstype "$NETNS_TMP" | tail -1)?)"
fi
capped=$NETNS_TMP/prefix/libexec/mprflash-helper
check "install script set the three capabilities" \
  sh -c "getcap '$capped' | grep -q 'cap_net_bind_service,cap_net_admin,cap_net_raw=ep'"

# A DESTDIR install leaves it to the package (no setcap on a staging tree).
cp "$HELPER" "$NETNS_TMP/staged"
DESTDIR=$NETNS_TMP MESON_INSTALL_DESTDIR_PREFIX=$NETNS_TMP \
  "$MPF_SOURCE_ROOT/src/helper/install-caps.sh" staged 2>/dev/null
check "DESTDIR install: no capabilities set" [ -z "$(getcap "$NETNS_TMP/staged")" ]

rt ip addr add 192.168.1.2/24 dev "$IF_RT"
img=$NETNS_TMP/image.bin
head -c 200000 /dev/urandom >"$img"
chmod 644 "$img"

log=$NETNS_TMP/serve.log
netns_spawn pc "$log" env MPF_HELPER_PATH="$capped" HOME=/nonexistent \
  setpriv --reuid=nobody --regid=nogroup --clear-groups \
  "$CLI" tftp-serve --interface "$IF_PC" --address 192.168.1.55/24 --image "$img" --once
serve_pid=$NETNS_PID
wait_for 20 "tftp-serve (as nobody) ready" file_contains "$log" "port 69"
check "address added by the capable helper of an unprivileged user" has_addr pc 192.168.1.55/24
helper_pid=$(pgrep -f "^$capped\$" || true)
check "the helper runs as nobody" [ "$(ps -o user= -p "$helper_pid" | tr -d ' ')" = nobody ]
check "no pkexec involved" refuted pgrep -f "pkexec $capped"
rt tftp -m binary 192.168.1.55 -c get x "$NETNS_TMP/out.bin"
check "file arrives intact" cmp -s "$img" "$NETNS_TMP/out.bin"
wait_for 10 "tftp-serve --once exits" refuted kill -0 "$serve_pid"
check "address removed afterwards" refuted has_addr pc 192.168.1.55/24

# Without the capabilities the same user gets nothing done directly.
REPLY_LINE=$(printf '%s\n' "{\"id\":1,\"op\":\"addr-add\",\"interface\":\"$IF_PC\",\"address\":\"192.168.1.55/24\"}" |
  ip netns exec "$NS_PC" setpriv --reuid=nobody --regid=nogroup --clear-groups "$NETNS_TMP/staged" 2>/dev/null)
check "uncapable helper: addr-add fails" [ "$(reply_code)" = failed ]
check "uncapable helper: no address" refuted has_addr pc 192.168.1.55/24
echo "1..$tap_n"
