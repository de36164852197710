#!/usr/bin/env bash
# TFTP throughput and per-block turnaround (ACK in -> next DATA out, p50/p99)
# of mprflash's engine + helper (mprflash-cli tftp-serve) and of tftpd-hpa,
# side by side in the same run, serving the real U-Boot (qemu maltael) and
# standard clients (curl with blksize 1468, tftp-hpa with 512-byte blocks).
# Figures come from a packet capture on the server's interface. Prints
# figures and ratios; never fails on time.
set -euo pipefail
. "$MPF_SOURCE_ROOT/tests/netns/lib.sh"
HELPER=$MPF_BUILD_ROOT/src/helper/mprflash-helper
CLI=$MPF_BUILD_ROOT/src/cli/mprflash-cli
STATS=$(dirname "$0")/tftp-capture-stats.py
EXP=$MPF_SOURCE_ROOT/tests/integration/uboot-tftp.exp
SIZE=${BENCH_TFTP_SIZE:-$((4 * 1024 * 1024))}

netns_setup
export MPF_HELPER_PATH=$HELPER
chmod 755 "$NETNS_TMP"   # tftpd-hpa reads as an unprivileged user
srv=$NETNS_TMP/srv
mkdir -m 755 "$srv"
head -c "$SIZE" /dev/urandom >"$srv/image.bin"
chmod 644 "$srv/image.bin"

have_uboot=0
if command -v qemu-system-mipsel >/dev/null && command -v expect >/dev/null &&
   [ -f /usr/lib/u-boot/maltael/u-boot.bin ]; then
  have_uboot=1
  bios=$NETNS_TMP/uboot-swapped.bin
  objcopy -I binary -O binary --reverse-bytes=4 /usr/lib/u-boot/maltael/u-boot.bin "$bios"
  tap=tap$$
  tap=${tap:0:15}
  rt ip tuntap add dev "$tap" mode tap
  rt ip link add br0 type bridge
  rt ip link set "$IF_RT" master br0
  rt ip link set "$tap" master br0
  rt ip link set br0 up
  rt ip link set "$tap" up
  # The standard clients run in the router namespace too, next to U-Boot (.2).
  rt ip addr add 192.168.1.3/24 dev br0
else
  rt ip addr add 192.168.1.2/24 dev "$IF_RT"
fi

start_server() {
  case $1 in
    mprflash)
      netns_spawn pc "$NETNS_TMP/serve.log" "$CLI" tftp-serve --interface "$IF_PC" \
        --address 192.168.1.55/24 --image "$srv/image.bin"
      SERVER_PID=$NETNS_PID
      wait_for 20 "tftp-serve ready" file_contains "$NETNS_TMP/serve.log" "port 69" ;;
    tftpd-hpa)
      pc ip addr add 192.168.1.55/24 dev "$IF_PC"
      netns_spawn pc "$NETNS_TMP/tftpd.log" in.tftpd -L -s "$srv" -a 192.168.1.55:69
      SERVER_PID=$NETNS_PID
      wait_for 10 "tftpd-hpa listening" netns_udp_listening pc 69 ;;
  esac
}

stop_server() {
  netns_stop "$SERVER_PID"
  [ "$1" = tftpd-hpa ] && pc ip addr del 192.168.1.55/24 dev "$IF_PC"
  : > "$NETNS_TMP/serve.log"
}

# measure SERVER CLIENT: one transfer under capture; prints the figures.
measure() {
  local cap=$NETNS_TMP/$1-$2.pcap out=$NETNS_TMP/$1-$2.out
  netns_spawn pc "$NETNS_TMP/tcpdump.log" tcpdump -i "$IF_PC" -n -s 96 --immediate-mode -U -w "$cap" udp
  local dump=$NETNS_PID
  wait_for 10 "tcpdump running" file_contains "$NETNS_TMP/tcpdump.log" "listening on"
  case $2 in
    u-boot)
      rt "$EXP" "$bios" "$tap" image.bin 0 >"$NETNS_TMP/uboot.log" 2>&1 ||
        echo "# U-Boot session failed (see below)" >&2 ;;
    curl)   rt curl -sS --max-time 120 --tftp-blksize 1468 -o "$out" tftp://192.168.1.55/image.bin ;;
    tftp-hpa) rt tftp -m binary 192.168.1.55 -c get image.bin "$out" ;;
  esac
  sleep 0.3   # let tcpdump write the last packets out
  netns_stop "$dump"
  : > "$NETNS_TMP/tcpdump.log"
  /usr/bin/python3 "$STATS" "$cap" "$SIZE" || echo "n/a"
}

clients="curl tftp-hpa"
[ $have_uboot = 1 ] && clients="u-boot $clients"
declare -A result
for server in mprflash tftpd-hpa; do
  start_server "$server"
  for client in $clients; do
    result[$server,$client]=$(measure "$server" "$client")
  done
  stop_server "$server"
done

echo "# TFTP, $SIZE bytes, one transfer each (throughput, duration, per-block turnaround)"
printf '%-9s %-10s %s\n' client server figures
for client in $clients; do
  for server in mprflash tftpd-hpa; do
    printf '%-9s %-10s %s\n' "$client" "$server" "${result[$server,$client]}"
  done
  a=${result[mprflash,$client]} b=${result[tftpd-hpa,$client]}
  /usr/bin/python3 - "$a" "$b" "$client" <<'PY'
import sys
def f(s, i):
    try:
        return float(s.split()[i])
    except (IndexError, ValueError):
        return float('nan')
a, b, c = sys.argv[1], sys.argv[2], sys.argv[3]
def r(i):
    return f(a, i) / f(b, i) if f(b, i) else float('nan')
# Fields: MiB/s [0], seconds [2], p50 [6], p99 [8].
print('%-9s ratio mprflash/tftpd-hpa: throughput %.2f (higher is better), '
      'turnaround p50 %.2f, p99 %.2f (lower is better)' % (c, r(0), r(6), r(8)))
PY
done
[ $have_uboot = 1 ] && echo "# U-Boot under QEMU: every frame QEMU's pcnet drops costs U-Boot's 1 s timeout; compare turnaround, not throughput, there"
exit 0
