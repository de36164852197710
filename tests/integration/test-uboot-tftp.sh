#!/usr/bin/env bash
# The real U-Boot (Debian's u-boot-qemu, MIPS Malta little-endian, 2023.01)
# as the TFTP client of mprflash-cli tftp-serve: a 4 MiB file arrives with
# the CRC32 U-Boot itself computes, with its default blksize and again with
# tftpwindowsize 2. The router namespace holds a bridge of the veth end and
# QEMU's tap device.
set -euo pipefail
. "$MPF_SOURCE_ROOT/tests/netns/lib.sh"
. "$(dirname "$0")/helper-lib.sh"

uboot_bin=/usr/lib/u-boot/maltael/u-boot.bin
for need in qemu-system-mipsel expect objcopy; do
  command -v "$need" >/dev/null || netns_fail "$need is missing (build-aux/dev.sh installs it)"
done
[ -f "$uboot_bin" ] || netns_fail "$uboot_bin is missing (package u-boot-qemu)"

netns_setup
export MPF_HELPER_PATH=$HELPER
bios=$NETNS_TMP/uboot-swapped.bin
objcopy -I binary -O binary --reverse-bytes=4 "$uboot_bin" "$bios"

tap=tap$$
tap=${tap:0:15}
rt ip tuntap add dev "$tap" mode tap
rt ip link add br0 type bridge
rt ip link set "$IF_RT" master br0
rt ip link set "$tap" master br0
rt ip link set br0 up
rt ip link set "$tap" up

img=$NETNS_TMP/image.bin
head -c $((4 * 1024 * 1024)) /dev/urandom >"$img"
want_crc=$(/usr/bin/python3 -c 'import sys, zlib; print("%08x" % zlib.crc32(open(sys.argv[1], "rb").read()))' "$img")

serve_log=$NETNS_TMP/serve.log
netns_spawn pc "$serve_log" "$CLI" tftp-serve --interface "$IF_PC" \
  --address 192.168.1.55/24 --image "$img"
serve_pid=$NETNS_PID
wait_for 20 "tftp-serve ready" file_contains "$serve_log" "port 69"

# uboot WINDOW: runs one U-Boot session; its console in uboot-WINDOW.log.
uboot() {
  local log=$NETNS_TMP/uboot-$1.log
  if ! rt "$(dirname "$0")/uboot-tftp.exp" "$bios" "$tap" image.bin "$1" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    netns_fail "U-Boot session (windowsize $1) failed"
  fi
  sed -n 's/.*UBOOT-RESULT bytes=\([0-9]*\) crc32=\([0-9a-f]*\).*/\1 \2/p' "$log" | tr -d '\r'
}

read -r bytes crc <<<"$(uboot 0)"
check "U-Boot received 4 MiB" [ "$bytes" = $((4 * 1024 * 1024)) ]
check "U-Boot's crc32 matches ours ($want_crc)" [ "$crc" = "$want_crc" ]
check "U-Boot asked for a large blksize" grep -q "blksize=" "$serve_log"

# Window 2, not 4: QEMU's emulated pcnet under this U-Boot drops most
# bursts of four back-to-back frames, and every drop stalls the window for a
# whole timeout on both sides (a 4 MiB transfer then takes minutes).
read -r bytes crc <<<"$(uboot 2)"
check "U-Boot with tftpwindowsize 2 received 4 MiB" [ "$bytes" = $((4 * 1024 * 1024)) ]
check "U-Boot with tftpwindowsize 2: crc32 matches" [ "$crc" = "$want_crc" ]
check "windowsize 2 was negotiated" grep -q "windowsize=2" "$serve_log"
check "two completed transfers reported" file_has_at_least "$serve_log" "complete, 4194304 bytes" 2

netns_stop "$serve_pid"
check "address removed afterwards" refuted has_addr pc 192.168.1.55/24
echo "1..$tap_n"
