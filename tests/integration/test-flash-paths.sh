#!/usr/bin/env bash
# Every row of the path table (ARCHITECTURE.md) end to end: mprflash-cli flash
# in the PC namespace, the simulated router in the router namespace. Each
# ends with the new family verified by the job AND by the router's own state,
# and the network restored (no temporary address, no helper left).
set -u
. "$MPF_SOURCE_ROOT/tests/fake-router/fr-lib.sh"
. "$MPF_SOURCE_ROOT/tests/integration/flash-lib.sh"
fr_setup

HAME=$(fr_image hame-stock)
OW=$(fr_image openwrt)

# ---- Hame stock -> Hame stock (re-flash over the web) ----
fr_flash hame-stock
fr_start
ctl wait running/hame-stock 30 >/dev/null || netns_fail "router did not start"
boots=$(state_field boot_count)
flash "$NETNS_TMP/h2h.json" --image "$HAME"
check "Hame→Hame: exit 0" test "$RC" = 0
check "Hame→Hame: web path" jqs "$NETNS_TMP/h2h.json" 'any(.[]; .kind=="plan" and .path=="web")'
check "Hame→Hame: login, upload, confirm, writing, rebooting, verify, restore, done" \
  has_stages "$NETNS_TMP/h2h.json" "login upload confirm writing rebooting verify restore done"
rebooted_as() { [ "$(state_field boot_count)" -gt "$1" ] && running_as "$2"; }
check "Hame→Hame: the router rebooted and runs Hame stock" rebooted_as "$boots" hame-stock
check "Hame→Hame: the image is in the partition" test "$(state_field firmware_sha256)" = "$(partition_sha256 "$HAME")"
check "Hame→Hame: network restored" network_restored_soon

# ---- Hame stock -> OpenWrt ----
flash "$NETNS_TMP/h2o.json" --image "$OW"
check "Hame→OpenWrt: exit 0" test "$RC" = 0
check "Hame→OpenWrt: the job verified OpenWrt" jqs "$NETNS_TMP/h2o.json" 'any(.[]; .kind=="result" and .ok and .family=="openwrt")' 
check "Hame→OpenWrt: router runs OpenWrt" running_as openwrt
check "Hame→OpenWrt: network restored" network_restored_soon

# ---- OpenWrt -> OpenWrt (LuCI) ----
flash "$NETNS_TMP/o2o.json" --image "$OW" --goal reinstall
check "OpenWrt→OpenWrt: exit 0" test "$RC" = 0
check "OpenWrt→OpenWrt: web path" jqs "$NETNS_TMP/o2o.json" 'any(.[]; .kind=="plan" and .path=="web")' 
check "OpenWrt→OpenWrt: LuCI flashops used" jqs "$NETNS_TMP/o2o.json" 'any(.[]; .kind=="web" and (.line|test("flashops")))'
check "OpenWrt→OpenWrt: router runs OpenWrt" running_as openwrt
check "OpenWrt→OpenWrt: network restored" network_restored_soon

# ---- OpenWrt -> stock: chooses recovery; the test's hands power-cycle with reset held ----
flash_bg "$NETNS_TMP/o2s.json" --image "$HAME"
hands_on_power_cycle "$NETNS_TMP/o2s.json"
flash_wait
check "OpenWrt→stock: exit 0" test "$RC" = 0
check "OpenWrt→stock: recovery chosen" jqs "$NETNS_TMP/o2s.json" 'any(.[]; .kind=="plan" and .path=="recovery")'
check "OpenWrt→stock: wait-bootloader, transfer, writing, rebooting, verify, restore, done" \
  has_stages "$NETNS_TMP/o2s.json" "wait-bootloader transfer writing rebooting verify restore done"
check "OpenWrt→stock: opcode 9 seen" jqs "$NETNS_TMP/o2s.json" 'any(.[]; .kind=="net" and .event=="tftp-flash-done")'
check "OpenWrt→stock: router runs Hame stock" running_as hame-stock
check "OpenWrt→stock: network restored" network_restored_soon

# ---- bricked -> stock (nothing answers: recovery) ----
fr_stop
fr_flash bricked
fr_start
ctl wait bricked 30 >/dev/null || netns_fail "router not bricked"
flash_bg "$NETNS_TMP/b2s.json" --image "$HAME"
hands_on_power_cycle "$NETNS_TMP/b2s.json"
flash_wait
check "bricked→stock: exit 0" test "$RC" = 0
check "bricked→stock: nothing answered, recovery chosen" \
  jqs "$NETNS_TMP/b2s.json" 'any(.[]; .kind=="plan" and .path=="recovery") and (any(.[]; .kind=="found" and .state=="web") | not)'
check "bricked→stock: router runs Hame stock" running_as hame-stock
check "bricked→stock: network restored" network_restored_soon

# ---- MPR-L8 stock -> OpenWrt (encoded on the fly) ----
fr_stop
fr_flash mprl8-stock
fr_start --stock-family mpr-l8
ctl wait running/mprl8-stock 30 >/dev/null || netns_fail "router did not start as MPR-L8"
flash "$NETNS_TMP/l2o.json" --image "$OW" --board MPR-L8
check "MPR-L8→OpenWrt: exit 0" test "$RC" = 0
check "MPR-L8→OpenWrt: web path, encoded" jqs "$NETNS_TMP/l2o.json" 'any(.[]; .kind=="plan" and .path=="web" and .encode)'
check "MPR-L8→OpenWrt: router runs OpenWrt" running_as openwrt
check "MPR-L8→OpenWrt: network restored" network_restored_soon

check "mprflash-cli ran clean (no sanitizer report, no GLib warning)" cli_clean_logs
tap_done
