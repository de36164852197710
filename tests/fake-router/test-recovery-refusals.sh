#!/usr/bin/env bash
# What the simulated bootloader does with files and packets mprflash must
# never send, and the fault switches of its network side (RECOVERY.md): a raw
# uImage is refused loudly and nothing is written (the real parser crashes);
# an oversize entry is skipped but opcode 9 still comes; ERROR restarts at
# once; opcodes 8, 7 and unknown ones; the old bootloader's request; dead
# Ethernet.
set -u
. "$MPF_SOURCE_ROOT/tests/fake-router/recovery-lib.sh"
rec_setup

op9_count() { udp_payloads 'src host 192.168.1.2 and udp[8:2] = 9' | wc -l; }
sha() { state_field firmware_sha256; }
last_port() { events | sed -n 's/.*read request [0-9]* from port \([0-9]*\).*/\1/p' | tail -n 1; }
to_recovery() {
  ctl power-cycle reset-held >/dev/null
  ctl wait recovery 20 >/dev/null || netns_fail "no recovery after power-cycle"
}
refuted() { ! "$@"; }
unit_answers_ping() { pc ping -n -q -c 1 -W 1 192.168.1.2 >/dev/null 2>&1; }

over=$(rec_container openwrt 3866624)
fit=$(rec_container hame-stock 3866623)

fr_flash erased
fr_start --reset-held
ctl wait recovery 20 >/dev/null || netns_fail "router did not enter recovery"
erased_sha=$(sha)

# 1. A raw uImage: refused, nothing written, the unit hangs.
rec_serve "$REC_DATA/poray/wrap.uimage"
wait_event "simulated crash" 1 60
check "raw uImage: refused loudly" has_event "container REFUSED, nothing written: a raw uImage"
check "raw uImage: nothing written" test "$(sha)" = "$erased_sha"
check "raw uImage: no opcode 9" test "$(op9_count)" = 0
check "raw uImage: still in recovery" test "$(state_field mode)" = recovery
check "raw uImage: the hung unit answers nothing (no address, no ARP)" refuted unit_answers_ping

# 2. Oversize: a 3,866,624-byte image makes P = 0x3c0000 > 0x3b0000.
rec_serve "$over"
to_recovery
ctl wait bricked 120 >/dev/null
check "oversize: skipped" has_event "entry type 8 length 0x3c0000 skipped: larger than 0x3b0000"
op9_seen() { [ "$(op9_count)" -ge 1 ]; }
wait_for 10 "opcode 9 in the capture" op9_seen
n9=$(op9_count)
check "oversize: opcode 9 still sent (seen $n9)" test "$n9" = 1
check "oversize: nothing written" test "$(sha)" = "$erased_sha"
check "oversize: the unit reset and found no firmware" test "$(state_field mode)" = bricked

# ... while one byte less fits exactly and is written.
rec_serve "$fit"
to_recovery
ctl wait running/hame-stock 120 >/dev/null
check "largest image (P = 0x3b0000) written and boots" contains "$(ctl state)" '"family":"hame-stock"'
check "largest image at 0x50000" firmware_is "$fit"
fit_sha=$(sha)

# 3. No file for this MAC: tftpd-hpa answers ERROR, the unit restarts at once.
rm -f "$SRV/$MAC12"
to_recovery
wait_event "restart (error)" 3 60
check "ERROR from the server: restart at once, again and again" has_event "ERROR 1 \"File not found\": restart at once" 3
check "nothing written meanwhile" test "$(sha)" = "$fit_sha"

# 4. Opcodes 8, 7 and unknown ones, sent by hand to the waiting unit.
rec_unserve                 # requests now go unanswered
wait_event "timeout 1: resend request" 1 30
port=$(last_port)
pc bash -c "printf '\x00\x02x' >/dev/udp/192.168.1.2/$port"
wait_event "opcode 2 from port" 1 10
check "opcode 2 ignored" has_event "opcode 2 from port"
pc bash -c "printf '\x00\x08other-name\x00' >/dev/udp/192.168.1.2/$port"
wait_event "for \"other-name\"" 1 10
check "opcode 8: restarts requesting that name" has_event "opcode 8: restart requesting \"other-name\""
check "opcode 8: the new request is from a new port" test "$(last_port)" != "$port"
port=$(last_port)
pc bash -c "printf '\x00\x07' >/dev/udp/192.168.1.2/$port"
wait_event "opcode 7: all timers stopped" 1 10
n=$(ev_count "timeout")
sleep 2   # absence: without opcode 7 a timeout would fire every 0.35 s
check "opcode 7: no timeout fires any more" test "$(ev_count "timeout")" = "$n"

# 5. The older bootloader: no CRC option pair in its request.
ctl set old-bootloader 1 >/dev/null
pc_tftp_before=$(udp_payloads 'udp dst port 69' | wc -l)
to_recovery
wait_event "old bootloader: no CRC field" 1 20
wait_for 10 "a new read request on the wire" sh -c "[ \$(tcpdump -r '$CAP' -nn 'udp dst port 69' 2>/dev/null | wc -l) -gt $pc_tftp_before ]"
rrq=$(udp_payloads 'udp dst port 69' | tail -n 1)
check "old bootloader: <mac12> octet timeout 5, nothing more" test "$rrq" = "$(printf '\0\001%s\0octet\0timeout\0005\0' "$MAC12" | hex)"
ctl set old-bootloader 0 >/dev/null

# 6. Dead Ethernet: nothing leaves the unit, nothing is answered. Frames are
#    counted by their capture time, so late writes of earlier frames by
#    tcpdump do not count.
from_unit_since() {
  tcpdump -r "$CAP" -nn -tt 'src host 192.168.1.2 or (arp and arp[14:4] = 0xc0a80102)' 2>/dev/null |
    awk -v t="$1" '$1 > t' | wc -l
}
ctl set dead-ethernet 1 >/dev/null
to_recovery
wait_event "dead Ethernet" 1 20
since=$(date +%s.%N)
check "dead Ethernet: no ping answer" refuted unit_answers_ping
sleep 2   # absence: a live unit ARPs every second
check "dead Ethernet: not one frame from the unit" test "$(from_unit_since "$since")" = 0
ctl set dead-ethernet 0 >/dev/null

tap_done
