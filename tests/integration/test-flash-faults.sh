#!/usr/bin/env bash
# mprflash-cli flash when things go wrong, end to end in namespaces against
# the simulated router: a wrong password then the right one, a changed LAN
# address, a refused upload, the link dropped before the router's answer,
# a router that never comes back, cancel (Ctrl-C) at each waiting stage, a
# few lost TFTP packets (must succeed), sustained loss (the restarts
# failure), a power cut mid-transfer (clear failure, the retry works), the
# helper killed and the CLI SIGKILLed (addresses gone either way).
set -u
. "$MPF_SOURCE_ROOT/tests/fake-router/fr-lib.sh"
. "$MPF_SOURCE_ROOT/tests/integration/flash-lib.sh"
fr_setup

HAME=$(fr_image hame-stock)
OW=$(fr_image openwrt)

# restart_router INIT [SWITCHES...]: a fresh flash and simulator.
restart_router() {
  local init=$1; shift
  [ -n "${FR_PID:-}" ] && fr_stop
  fr_flash "$init"
  fr_start "$@"
}

code_is() { [ "$(result_code "$1")" = "$2" ] || { echo "code $(result_code "$1"), want $2"; jq -c 'select(.kind=="result")' "$1"; return 1; }; }
cancelled_cleanly() {
  [ "$RC" = 130 ] || { echo "exit $RC"; return 1; }
  has_stages "$1" "restore failed"
}
# interrupt_at FILE JQ-CONDITION: Ctrl-C (SIGINT) to the CLI once a record matches.
interrupt_at() {
  wait_event "$1" "$2" 60 || { echo "# never saw $2" >&2; }
  kill -INT "$FPID" 2>/dev/null
  flash_wait
}

# ---- wrong password, then the right one ----
restart_router hame-stock --stock-password s3cret
ctl wait running/hame-stock 30 >/dev/null || netns_fail "router did not start"
printf 'wrong\n' >"$NETNS_TMP/pw-wrong"
printf 's3cret\n' >"$NETNS_TMP/pw-right"
flash "$NETNS_TMP/pw1.json" --image "$OW" --password-file "$NETNS_TMP/pw-wrong"
check "wrong password: exit 1 with the wrong-password error" bash -c "[ $RC = 1 ]"
check "wrong password: error code 5" code_is "$NETNS_TMP/pw1.json" 5
check "wrong password: router untouched" running_as hame-stock
check "wrong password: network restored" network_restored_soon
flash "$NETNS_TMP/pw2.json" --image "$OW" --password-file "$NETNS_TMP/pw-right"
check "right password: exit 0, OpenWrt runs" bash -c "[ $RC = 0 ]"
check "right password: router runs OpenWrt" running_as openwrt
check "passwords never in the log" bash -c "! grep -q -e s3cret -e wrong\\\" '$NETNS_TMP/pw1.json' '$NETNS_TMP/pw2.json'"
check "right password: network restored" network_restored_soon

# ---- the owner changed the LAN address ----
restart_router hame-stock --lan-address 192.168.169.20/24
ctl wait running/hame-stock 30 >/dev/null || netns_fail "router did not start"
flash "$NETNS_TMP/moved.json" --image "$OW"
check "changed LAN address: found at 192.168.169.20" \
  jqs "$NETNS_TMP/moved.json" 'any(.[]; .kind=="found" and .address=="192.168.169.20")'
check "changed LAN address: exit 0" bash -c "[ $RC = 0 ]"
check "changed LAN address: router runs OpenWrt" running_as openwrt
check "changed LAN address: network restored" network_restored_soon

# ---- the router refuses the upload ----
restart_router hame-stock --reject-upload
ctl wait running/hame-stock 30 >/dev/null || netns_fail "router did not start"
flash "$NETNS_TMP/reject.json" --image "$OW"
check "refused upload: error code 6 with the router's reason" code_is "$NETNS_TMP/reject.json" 6
check "refused upload: the reason is the router's" \
  jqs "$NETNS_TMP/reject.json" 'any(.[]; .kind=="result" and (.message|test("valid firmware|not take|refused"; "i")))'
check "refused upload: router untouched" running_as hame-stock
check "refused upload: network restored" network_restored_soon

# ---- the link drops while the router writes, before its answer ----
restart_router hame-stock --slow-flash 200
ctl wait running/hame-stock 30 >/dev/null || netns_fail "router did not start"
flash_bg "$NETNS_TMP/drop.json" --image "$OW"
wait_event "$NETNS_TMP/drop.json" '.kind=="stage" and .name=="confirm"' 60
"$MPF_NETNS" link "$NETNS" down rt
flash_wait
"$MPF_NETNS" link "$NETNS" up rt
check "link dropped: connection-lost (code 7)" code_is "$NETNS_TMP/drop.json" 7
check "link dropped: network restored" network_restored_soon

# ---- the router never comes back ----
restart_router hame-stock
ctl wait running/hame-stock 30 >/dev/null || netns_fail "router did not start"
flash_bg "$NETNS_TMP/gone.json" --image "$OW"
wait_event "$NETNS_TMP/gone.json" '.kind=="stage" and .name=="writing"' 60
ctl power-off >/dev/null
flash_wait
check "never back: not-back (code 13)" code_is "$NETNS_TMP/gone.json" 13
check "never back: it waited through rebooting" has_stages "$NETNS_TMP/gone.json" "rebooting restore failed"
check "never back: network restored" network_restored_soon

# ---- cancel (Ctrl-C) at each waiting stage ----
restart_router openwrt --slow-flash 100
ctl wait running/openwrt 30 >/dev/null || netns_fail "router did not start"
"$MPF_NETNS" link "$NETNS" down rt
flash_bg "$NETNS_TMP/c-link.json" --image "$HAME"
interrupt_at "$NETNS_TMP/c-link.json" '.kind=="stage" and .name=="find-link"'
"$MPF_NETNS" link "$NETNS" up rt
check "cancel at find-link: exit 130, restore ran" cancelled_cleanly "$NETNS_TMP/c-link.json"
check "cancel at find-link: network restored" network_restored_soon

ctl wait running/openwrt 30 >/dev/null
flash_bg "$NETNS_TMP/c-boot.json" --image "$HAME"
interrupt_at "$NETNS_TMP/c-boot.json" '.kind=="prompt" and .prompt=="power-cycle"'
check "cancel at wait-bootloader: exit 130, restore ran" cancelled_cleanly "$NETNS_TMP/c-boot.json"
check "cancel at wait-bootloader: network restored" network_restored_soon

flash_bg "$NETNS_TMP/c-write.json" --image "$HAME"
hands_on_power_cycle "$NETNS_TMP/c-write.json"
interrupt_at "$NETNS_TMP/c-write.json" '.kind=="stage" and .name=="writing"'
check "cancel at writing: exit 130, restore ran" cancelled_cleanly "$NETNS_TMP/c-write.json"
check "cancel at writing: says the router finishes on its own" \
  jqs "$NETNS_TMP/c-write.json" 'any(.[]; .kind=="result" and (.message|test("finishes on its own")))'
check "cancel at writing: network restored" network_restored_soon
ctl wait running/hame-stock 60 >/dev/null
check "cancel at writing: the router still finished (Hame stock)" running_as hame-stock

restart_router hame-stock --slow-flash 200
ctl wait running/hame-stock 30 >/dev/null || netns_fail "router did not start"
flash_bg "$NETNS_TMP/c-confirm.json" --image "$OW"
interrupt_at "$NETNS_TMP/c-confirm.json" '.kind=="stage" and .name=="confirm"'
check "cancel at confirm: exit 130, restore ran" cancelled_cleanly "$NETNS_TMP/c-confirm.json"
check "cancel at confirm: network restored" network_restored_soon

# ---- recovery with a few lost packets: inside the bootloader's budget ----
restart_router openwrt
ctl wait running/openwrt 30 >/dev/null || netns_fail "router did not start"
flash_bg "$NETNS_TMP/few.json" --image "$HAME"
wait_event "$NETNS_TMP/few.json" '.kind=="prompt" and .prompt=="power-cycle"' 60
"$MPF_NETNS" drop "$NETNS" pc 300,900,1500 'udp dport != 69'
ctl power-cycle reset-held >/dev/null
flash_wait
"$MPF_NETNS" drop "$NETNS" pc none
check "few lost packets: exit 0" bash -c "[ $RC = 0 ]"
check "few lost packets: some blocks were sent again" \
  jqs "$NETNS_TMP/few.json" 'any(.[]; .kind=="net" and .event=="tftp-complete" and .fields.retransmissions > 0)'
check "few lost packets: router runs Hame stock" running_as hame-stock
check "few lost packets: network restored" network_restored_soon

# ---- sustained loss: the bootloader restarts again and again ----
restart_router openwrt --drop-every-nth 4
ctl wait running/openwrt 30 >/dev/null || netns_fail "router did not start"
flash_bg "$NETNS_TMP/loss.json" --image "$HAME"
hands_on_power_cycle "$NETNS_TMP/loss.json"
flash_wait
check "sustained loss: transfer-restarts (code 11)" code_is "$NETNS_TMP/loss.json" 11
check "sustained loss: says the cable or port is losing packets" \
  jqs "$NETNS_TMP/loss.json" 'any(.[]; .kind=="result" and (.message|test("losing packets")))'
check "sustained loss: network restored" network_restored_soon

# ---- power cut mid-transfer: clear failure, the retry works ----
restart_router openwrt --power-cut-at-block 700
ctl wait running/openwrt 30 >/dev/null || netns_fail "router did not start"
flash_bg "$NETNS_TMP/cut.json" --image "$HAME"
hands_on_power_cycle "$NETNS_TMP/cut.json"
flash_wait
check "power cut: a clear failure during the transfer (code 7 or 10)" \
  bash -c "c=\$(jq -r 'select(.kind==\"result\") | .code' '$NETNS_TMP/cut.json'); [ \"\$c\" = 7 ] || [ \"\$c\" = 10 ]"
check "power cut: network restored" network_restored_soon
# The user switches the router on again: it still runs what it had.
ctl power-on >/dev/null
ctl wait running/openwrt 30 >/dev/null || netns_fail "router did not come back after the cut"
flash_bg "$NETNS_TMP/retry.json" --image "$HAME"
hands_on_power_cycle "$NETNS_TMP/retry.json"
flash_wait
check "power cut: the retry succeeds" bash -c "[ $RC = 0 ]"
check "power cut: router runs Hame stock" running_as hame-stock
check "power cut: network restored after the retry" network_restored_soon

# ---- reset still held after recovery: the router asks again; never served twice unasked ----
restart_router openwrt --reset-still-held
ctl wait running/openwrt 30 >/dev/null || netns_fail "router did not start"
flash_bg "$NETNS_TMP/again.json" --image "$HAME"
hands_on_power_cycle "$NETNS_TMP/again.json"
wait_event "$NETNS_TMP/again.json" '.kind=="prompt" and .prompt=="serve-again"' 60
check "reset held: serve-again asked when the same router asks again" \
  jqs "$NETNS_TMP/again.json" 'any(.[]; .kind=="prompt" and .prompt=="serve-again")'
check "reset held: a script's answer is no" jqs "$NETNS_TMP/again.json" 'any(.[]; .kind=="answer" and .answer=="no")'
# The user lets go of the button and power-cycles the router.
ctl set reset-still-held 0 >/dev/null
ctl power-cycle >/dev/null
flash_wait
check "reset held: then verified Hame stock" bash -c "[ $RC = 0 ]"
check "reset held: served once only" \
  bash -c "[ \"\$(jq -s '[.[] | select(.kind==\"net\" and .event==\"tftp-complete\")] | length' '$NETNS_TMP/again.json')\" = 1 ]"
check "reset held: router runs Hame stock" running_as hame-stock
check "reset held: network restored" network_restored_soon

# ---- the helper killed mid-job: addresses gone, a clear failure ----
restart_router openwrt
ctl wait running/openwrt 30 >/dev/null || netns_fail "router did not start"
flash_bg "$NETNS_TMP/hkill.json" --image "$HAME"
wait_event "$NETNS_TMP/hkill.json" '.kind=="prompt" and .prompt=="power-cycle"' 60
hpid=$(pgrep -P "$FPID" -x mprflash-helper || true)
check "helper killed: the helper runs as the CLI's child" test -n "$hpid"
[ -n "$hpid" ] && kill -TERM "$hpid"
flash_wait
check "helper killed: helper error (code 15)" code_is "$NETNS_TMP/hkill.json" 15
check "helper killed: addresses gone" network_restored_soon

# ---- the CLI SIGKILLed: the helper notices EOF and cleans up ----
flash_bg "$NETNS_TMP/ckill.json" --image "$HAME"
wait_event "$NETNS_TMP/ckill.json" '.kind=="prompt" and .prompt=="power-cycle"' 60
kill -KILL "$FPID"
flash_wait
check "CLI SIGKILLed: the helper removed its addresses and exited" network_restored_soon

check "mprflash-cli ran clean (no sanitizer report, no GLib warning)" cli_clean_logs
tap_done
