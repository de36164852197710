#!/usr/bin/env bash
# The simulated bootloader's recovery against a real TFTP server (Debian's
# tftpd-hpa) in test namespaces: ARP before anything else, the read request
# byte for byte, the download of the reference containers and of a real-size
# one, opcode 9 on the wire, the flash contents, and the reboot into OpenWrt.
set -u
. "$MPF_SOURCE_ROOT/tests/fake-router/recovery-lib.sh"
rec_setup

# The shell packer used by these tests reproduces the reference containers.
for v in small odd wrap; do
  make_container "$REC_DATA/poray/$v.uimage" "$NETNS_TMP/$v.container"
  check "test packer reproduces the $v vector" cmp "$NETNS_TMP/$v.container" "$REC_DATA/recovery/$v.container"
done

fr_flash erased
crc=$(signed32 "$(head -c $((0x20000)) "$FLASH" | crc32_u)")
fr_start --reset-held
ctl wait recovery 20 >/dev/null || netns_fail "router did not enter recovery"
check "recovery sets 192.168.1.2/24" contains "$(ctl state)" '"192.168.1.2/24"'

# No server yet: it ARPs again and again and sends nothing else.
wait_for 20 "three ARP requests" arp_at_least 3
check "ARP who-has 192.168.1.55 tell 192.168.1.2 repeats while nobody answers" test "$(arp_who_has_count)" -ge 3
check "no read request before the ARP is answered" test "$(ev_count "read request")" = 0

owrt=$(rec_container openwrt 300000)
rec_serve "$owrt"
ctl wait running/openwrt 60 >/dev/null
check "flashed from tftpd-hpa, boots OpenWrt" contains "$(ctl state)" '"family":"openwrt"'

rrq=$(udp_payloads 'udp dst port 69' | head -n 1)
want=$(printf '\0\001%s\0octet\0timeout\0005\0%s\0006\0' "$MAC12" "$crc" | hex)
check "read request: <mac12> octet timeout 5 <signed CRC of 128 KiB> 6, NUL-terminated" test "$rrq" = "$want"
port=$(tcpdump -r "$CAP" -nn 'udp dst port 69' 2>/dev/null | head -n 1 | sed -n 's/.*192\.168\.1\.2\.\([0-9]*\) >.*/\1/p')
check "request from a port in 1024..4095 (got $port)" test "$port" -ge 1024 -a "$port" -le 4095
check "tftpd-hpa OACKed 'timeout 5' and the unit ACKed block 0" has_event "OACK from port"
wait_for 10 "opcode 9 in the capture" capture_has 'src host 192.168.1.2 and udp[8:2] = 9'
op9=$(udp_payloads 'src host 192.168.1.2 and udp[8:2] = 9')
check "opcode 9 on the wire: 00 09 + mac12, no NUL" test "$op9" = "0009$(printf %s "$MAC12" | hex)"
check "opcode 9 sent exactly once" test "$(udp_payloads 'src host 192.168.1.2 and udp[8:2] = 9' | wc -l)" = 1
check "the container's P bytes are at 0x50000" firmware_is "$owrt"
check "update flag cleared" test "$(state_field update_flag)" = 0
check "the reset came after opcode 9" has_event "reset in"

# A real-size image: 3,538,948 bytes -> P = 0x370000, 7,041 blocks (RECOVERY.md example).
big=$(rec_container openwrt 3538948)
check "real-size container is 3,604,508 bytes" test "$(stat -c %s "$big")" = 3604508
rec_serve "$big"
ctl power-cycle reset-held >/dev/null
ctl wait recovery 20 >/dev/null
ctl wait running/openwrt 120 >/dev/null
check "real-size container flashed, boots OpenWrt" contains "$(ctl state)" '"family":"openwrt"'
check "7041 blocks received" has_event "7041 blocks, 3604508 bytes"
check "real-size image at 0x50000" firmware_is "$big"

# Stock firmware comes back the same way.
stock=$(rec_container hame-stock 300000)
rec_serve "$stock"
ctl power-cycle reset-held >/dev/null
ctl wait recovery 20 >/dev/null
ctl wait running/hame-stock 60 >/dev/null
check "stock container flashed, boots Hame stock" contains "$(ctl state)" '"family":"hame-stock"'
check "stock image at 0x50000" firmware_is "$stock"

# The reference container itself (its payload is no firmware: the unit then
# finds nothing it can boot).
rec_serve "$REC_DATA/recovery/small.container"
ctl power-cycle reset-held >/dev/null
ctl wait recovery 20 >/dev/null
ctl wait bricked 60 >/dev/null
check "reference container written byte for byte at 0x50000" firmware_is "$REC_DATA/recovery/small.container"
check "no transfer restarted on a clean link" test "$(ev_count "restart (")" = 0

tap_done
