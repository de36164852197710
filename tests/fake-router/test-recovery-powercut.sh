#!/usr/bin/env bash
# Power and reset around recovery (RECOVERY.md, issue 3): a power cut while
# the flash is written leaves a bricked unit that only recovery saves; a cut
# during the download writes nothing; a reset button still held at the
# reboot after flashing makes the unit ask for the file again.
set -u
. "$MPF_SOURCE_ROOT/tests/fake-router/recovery-lib.sh"
rec_setup
sha() { state_field firmware_sha256; }
to_recovery() {
  ctl power-cycle reset-held >/dev/null
  ctl wait recovery 20 >/dev/null || netns_fail "no recovery after power-cycle"
}

big=$(rec_container openwrt 3538948)
stock=$(rec_container hame-stock 300000)

fr_flash hame-stock
fr_start
ctl wait running/hame-stock 30 >/dev/null || netns_fail "stock firmware did not come up"
stock_sha=$(sha)

# 1. Power cut halfway through the flash write.
rec_serve "$big"
ctl set power-cut-during-write 1 >/dev/null
ctl power-cycle reset-held >/dev/null   # recovery is brief here: wait for the end
ctl wait off 120 >/dev/null
check "power cut during the write: the unit is off" test "$(state_field power)" = off
check "the cut came while writing" has_event "power cut while writing sector"
check "no opcode 9 after the cut" test "$(ev_count "opcode 9 sent")" = 0
half_sha=$(sha)
check "the firmware partition changed (half written)" test "$half_sha" != "$stock_sha"
ctl power-on >/dev/null
ctl wait bricked 30 >/dev/null
check "powered on without reset: bricked, stays in the bootloader" test "$(state_field mode)" = bricked
check "a bricked unit has no address" test "$(ctl state | grep -c '"addresses":\[\]')" = 1

# ... and recovery saves it.
ctl power-off >/dev/null
ctl power-on reset-held >/dev/null
ctl wait recovery 20 >/dev/null
ctl wait running/openwrt 120 >/dev/null
check "recovery after the cut: OpenWrt boots" contains "$(ctl state)" '"family":"openwrt"'
check "the whole image is at 0x50000 now" firmware_is "$big"
flashed_sha=$(sha)

# 2. Power cut during the download (DATA block 100): nothing was written yet.
ctl set power-cut-at-block 100 >/dev/null
rec_serve "$stock"
ctl power-cycle reset-held >/dev/null
ctl wait off 60 >/dev/null
check "power cut at DATA block 100: the unit is off" has_event "fault: power cut at DATA block 100"
check "power cut at block 100 is one-shot" contains "$(ctl state)" '"power-cut-at-block":0'
check "nothing written by the interrupted download" test "$(sha)" = "$flashed_sha"
ctl power-on >/dev/null
ctl wait running/openwrt 60 >/dev/null
check "it boots what it had" contains "$(ctl state)" '"family":"openwrt"'

# 3. Reset still held at the reboot after flashing: it asks for the file again.
ctl set reset-still-held 1 >/dev/null
n=$(ev_count "opcode 9 sent")
ctl power-cycle reset-held >/dev/null
wait_event "opcode 9 sent" $((n + 2)) 120
check "reset still held: recovery again after flashing, the file is served twice" has_event "opcode 9 sent" $((n + 2))
ctl set reset-still-held 0 >/dev/null
ctl wait running/hame-stock 60 >/dev/null
check "button released: the unit boots the flashed stock image" contains "$(ctl state)" '"family":"hame-stock"'
check "stock image at 0x50000" firmware_is "$stock"

tap_done
