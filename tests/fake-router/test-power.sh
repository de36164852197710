#!/usr/bin/env bash
# The device through power: a power cut halfway through a web upgrade leaves
# half an image (U-Boot then refuses it: bricked, silent on the network), and
# only a power-on with reset held brings it to recovery (RECOVERY.md); power
# off drops the link; the firmware families serve DHCP (Debian's dnsmasq)
# with their own pools; --loopback stays on 127.0.0.1; the guard refuses the
# host's namespace.
set -u
. "$MPF_SOURCE_ROOT/tests/fake-router/fr-lib.sh"
fr_setup

fr_flash hame-stock
fr_start
ctl wait running/hame-stock 30 >/dev/null || netns_fail "router did not come up as Hame stock"
HAME=$(fr_image hame-stock)
OW=$(fr_image openwrt)
DISCOVER="$MPF_SOURCE_ROOT/tests/fake-router/dhcp-discover.py"

# DHCP before any address on the PC side (WEB-UIS.md: Hame hands out .2-.254).
offer=$(pc /usr/bin/python3 "$DISCOVER" "$IF_PC" 15)
check "Hame stock: dnsmasq offers an address from 192.168.169.1" contains "$offer" " 192.168.169.1"
check "… inside 192.168.169.2-254" \
  bash -c '[[ "$1" =~ ^OFFER\ 192\.168\.169\.([0-9]+)\  ]] && (( BASH_REMATCH[1] >= 2 && BASH_REMATCH[1] <= 254 ))' _ "$offer"

pc_addr 192.168.169.10/24
U=http://192.168.169.1
pc curl -s -o /dev/null -d "admpass=$(printf hame | md5sum | cut -c1-32)" $U/goform/signin
check "power-cut-during-write set through the control channel" ctl set power-cut-during-write 1
pc curl -s --max-time 20 -F filename=@"$OW" $U/cgi-bin/upload.cgi > "$NETNS_TMP/cut.html" || true
check "the upload got no success page (power went)" \
  bash -c '! grep -q "Upgrade is completed" "$1"' _ "$NETNS_TMP/cut.html"
check "the unit is off" ctl wait off 30
check "the cut happened mid-write" contains "$(ctl events)" "power cut while writing sector"
sha=$(state_field firmware_sha256)
check "flash is neither the old nor the new image (half written)" \
  bash -c '[ "$1" != "$2" ] && [ "$1" != "$3" ]' _ "$sha" "$(partition_sha256 "$HAME")" "$(partition_sha256 "$OW")"
check "the fault is one-shot" contains "$(ctl state)" '"power-cut-during-write":false'
check "power off: the PC side lost carrier" bash -c 'pc ip link show "$IF_PC" | grep -q NO-CARRIER'

check "power on" ctl power-on
check "U-Boot refuses the half image: bricked" ctl wait bricked 30
check "the boot reason says why: the kernel cannot mount its root filesystem" \
  contains "$(state_field boot_reason)" "kernel panic"
check "a bricked unit holds no address" contains "$(ctl state)" '"addresses":[]'
check "nothing answers at the old LAN address" \
  test "$(pc curl -s --connect-timeout 2 -o /dev/null -w '%{http_code}' $U/)" = 000

check "power-cycle with reset held" ctl power-cycle reset-held
check "boots into bootloader recovery" ctl wait recovery 30
check "recovery holds 192.168.1.2" contains "$(ctl state)" '"192.168.1.2/24"'
wait_for 20 "ARP who-has 192.168.1.55" bash -c '"$1" --control "$2" --send events | grep -q "who-has 192.168.1.55"' _ "$FR" "$CTL"
check "it ARPs for 192.168.1.55" contains "$(ctl events)" "who-has 192.168.1.55"
check "recovery shows U-Boot's own MAC, not the factory one" \
  bash -c '"$@" ip link show "$IF_RT" | grep -qi "00:aa:bb:cc:dd:10"' _ rt
check "power-cycle without reset: bricked again" bash -c '"$1" --control "$2" --send power-cycle >/dev/null && "$1" --control "$2" --send "wait bricked 30"' _ "$FR" "$CTL"
# recovery = (reset held) XOR (update flag set) [V]
ctl set update-flag 1 >/dev/null
check "update flag set, button released: recovery" bash -c 'ctl power-cycle >/dev/null && ctl wait recovery 30'
check "update flag set and button held: a normal boot (bricked here)" \
  bash -c 'ctl power-cycle reset-held >/dev/null && ctl wait bricked 30'
ctl set update-flag 0 >/dev/null

# A flash holding OpenWrt: its pool is .100-.249 (WEB-UIS.md).
fr_stop
pc ip addr flush dev "$IF_PC"
fr_flash openwrt
fr_start
ctl wait running/openwrt 30 >/dev/null || netns_fail "router did not come up as OpenWrt"
offer=$(pc /usr/bin/python3 "$DISCOVER" "$IF_PC" 15)
check "OpenWrt: dnsmasq offers from 192.168.1.1 inside .100-.249" \
  bash -c '[[ "$1" =~ ^OFFER\ 192\.168\.1\.([0-9]+)\ 192\.168\.1\.1$ ]] && (( BASH_REMATCH[1] >= 100 && BASH_REMATCH[1] <= 249 ))' _ "$offer"
ctl set lan-address 10.7.0.1/24 >/dev/null
ctl power-cycle >/dev/null
ctl wait running/openwrt 30 >/dev/null
check "changed LAN address: the firmware comes up there" contains "$(ctl state)" '"10.7.0.1/24"'
pc_addr 10.7.0.10/24
check "… and serves there" contains "$(pc curl -s --max-time 10 http://10.7.0.1/)" "LuCI"
fr_stop

# --init-flash variants: what a fresh flash file boots into.
fr_flash bricked
fr_start --no-dhcp
check "--init-flash bricked: U-Boot refuses the half image" ctl wait bricked 30
check "… the data CRC is what fails" contains "$(state_field boot_reason)" "U-Boot refuses"
fr_stop
fr_flash erased
fr_start --no-dhcp
check "--init-flash erased: bricked, bad magic" bash -c 'ctl wait bricked 30 >/dev/null && ctl state | grep -q "Bad Magic"'
fr_stop
fr_flash "$(fr_image openwrt-encoded)"
fr_start --no-dhcp
check "--init-flash with an encoded file: decoded, boots OpenWrt" ctl wait running/openwrt 30
check "… the partition holds the decoded uImage" \
  test "$(state_field firmware_sha256)" = "$(partition_sha256 "$OW")"
fr_stop

# Demo mode: loopback only, no address change, no DHCP.
rt "$FR" --flash "$FLASH" --loopback --http-port 18080 --control "$CTL" --time-scale "$FR_SCALE" \
  > "$NETNS_TMP/loopback.log" 2>&1 &
wait_for 10 "control socket" test -S "$CTL"
ctl wait running/openwrt 30 >/dev/null
check "loopback: listens on 127.0.0.1:18080 only" \
  bash -c 'out=$("$@" ss -Hltn "sport = :18080"); [[ -n "$out" ]] && ! grep -v "127.0.0.1:18080" <<<"$out" | grep -q .' _ rt
check "loopback: serves the UI" contains "$(rt curl -s http://127.0.0.1:18080/)" "LuCI"
check "loopback: no DHCP server" bash -c '! "$@" ss -Hlun "sport = :67" | grep -q .' _ rt
check "loopback: the interface kept no address of the router's" \
  bash -c '! "$@" ip -4 addr show dev "$IF_RT" | grep -q "inet "' _ rt
ctl quit >/dev/null; wait

# The guard: never on the host's own network namespace.
if [ "$(readlink /proc/self/ns/net)" = "$(readlink /proc/1/ns/net 2>/dev/null)" ] || ! readlink /proc/1/ns/net >/dev/null 2>&1; then
  "$FR" --interface mpf-none0 --flash "$FLASH" --time-scale "$FR_SCALE" >/dev/null 2>"$NETNS_TMP/guard.err"
  check "refuses to run in the host's namespace (exit 3)" test $? = 3
else
  TAP_N=$((TAP_N + 1)); echo "ok $TAP_N # SKIP this test itself runs outside PID 1's namespace"
fi

tap_done
