#!/usr/bin/env bash
# mprflash-cli tftp-serve (engine + helper) against real TFTP clients in a
# namespace pair: tftp-hpa, atftp (with blksize and windowsize), curl (with
# blksize). Also: --once exits after one transfer, and the address lives
# only as long as the command (SIGTERM, SIGKILL of the CLI).
set -euo pipefail
. "$MPF_SOURCE_ROOT/tests/netns/lib.sh"
. "$(dirname "$0")/helper-lib.sh"

netns_setup
export MPF_HELPER_PATH=$HELPER
rt ip addr add 192.168.1.2/24 dev "$IF_RT"

img=$NETNS_TMP/image.bin
head -c $((3 * 1024 * 1024 + 1234)) /dev/urandom >"$img"
# An exact multiple of 512 ends with an empty block.
img512=$NETNS_TMP/image512.bin
head -c $((512 * 300)) /dev/urandom >"$img512"

# serve IMAGE [--once]: tftp-serve in the pc namespace; PID in SERVE_PID.
serve() {
  local image=$1; shift
  SERVE_LOG=$NETNS_TMP/serve-$RANDOM.log
  netns_spawn pc "$SERVE_LOG" "$CLI" tftp-serve --interface "$IF_PC" \
    --address 192.168.1.55/24 --image "$image" "$@"
  SERVE_PID=$NETNS_PID
  wait_for 20 "tftp-serve ready" file_contains "$SERVE_LOG" "port 69"
}
same() { cmp -s "$1" "$2"; }

serve "$img"
check "address added for the server's lifetime" has_addr pc 192.168.1.55/24

rt tftp -m binary 192.168.1.55 -c get anything "$NETNS_TMP/hpa.out"
check "tftp-hpa: file arrives intact" same "$img" "$NETNS_TMP/hpa.out"

rt atftp -g -r image.bin -l "$NETNS_TMP/atftp.out" 192.168.1.55 >/dev/null
check "atftp: file arrives intact" same "$img" "$NETNS_TMP/atftp.out"

rt atftp --option "blksize 1428" -g -r image.bin -l "$NETNS_TMP/atftp-blk.out" 192.168.1.55 >/dev/null
check "atftp blksize 1428: file arrives intact" same "$img" "$NETNS_TMP/atftp-blk.out"

rt atftp --option "blksize 1024" --option "windowsize 4" -g -r image.bin \
  -l "$NETNS_TMP/atftp-win.out" 192.168.1.55 >/dev/null
check "atftp blksize 1024 + windowsize 4: file arrives intact" same "$img" "$NETNS_TMP/atftp-win.out"

rt curl -sS --tftp-blksize 1468 -o "$NETNS_TMP/curl.out" tftp://192.168.1.55/image.bin
check "curl --tftp-blksize 1468: file arrives intact" same "$img" "$NETNS_TMP/curl.out"

wait_for 10 "five completed transfers reported" file_has_at_least "$SERVE_LOG" "complete, $(stat -c %s "$img") bytes" 5
ok "tftp-serve printed one completion line per transfer"
check "tftp-serve reported the negotiated options" grep -q "windowsize=4" "$SERVE_LOG"

netns_stop "$SERVE_PID"
check "SIGTERM: address removed" refuted has_addr pc 192.168.1.55/24

# --once with a multiple-of-512 file: exits 0 by itself afterwards.
serve "$img512" --once
rt tftp -m binary 192.168.1.55 -c get x "$NETNS_TMP/once.out"
check "--once: exact multiple of 512 arrives intact" same "$img512" "$NETNS_TMP/once.out"
wait_for 10 "tftp-serve --once exits" refuted kill -0 "$SERVE_PID"
ok "--once: exited after the transfer"
check "--once: address removed" refuted has_addr pc 192.168.1.55/24

# SIGKILL of the CLI: its helper sees EOF and removes the address.
serve "$img"
helper_pid=$(pgrep -f "^$HELPER\$" -P "$SERVE_PID" || true)
check "the helper runs as the CLI's child" [ -n "$helper_pid" ]
kill -KILL "$SERVE_PID"
wait_for 10 "helper exits after its parent's SIGKILL" refuted kill -0 "$helper_pid"
ok "CLI SIGKILL: the helper exited"
check "CLI SIGKILL: address removed" refuted has_addr pc 192.168.1.55/24

# Ctrl+C in a terminal: SIGINT to the whole foreground group, CLI and
# helper alike. Both clean up; the CLI says it was stopped and exits 130.
serve "$img"
set +e
kill -INT -- "-$SERVE_PID"
wait_for 10 "tftp-serve exits after SIGINT" refuted kill -0 "$SERVE_PID"
set -e
check "Ctrl+C: address removed" refuted has_addr pc 192.168.1.55/24
check "Ctrl+C: no 'unexpectedly' message" refuted grep -q unexpectedly "$SERVE_LOG"
check "Ctrl+C: says the address was removed" grep -q "address was removed\|removing the address" "$SERVE_LOG"

# A disallowed address is refused before anything is configured.
set +e
pc "$CLI" tftp-serve --interface "$IF_PC" --address 10.9.8.7/8 --image "$img" >"$NETNS_TMP/bad.log" 2>&1
rc=$?
set -e
check "disallowed --address: usage error" [ "$rc" = 2 ]
check "disallowed --address: not configured" refuted has_addr pc 10.9.8.7/8

echo "1..$tap_n"
