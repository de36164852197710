# Shared by the simulator's own tests (tests/fake-router/test-*.sh): the
# namespace test bed from tests/netns, the router started in the "rt" side,
# its control channel, and TAP output.
#   . "$MPF_SOURCE_ROOT/tests/fake-router/fr-lib.sh"
#   fr_setup                      # namespaces (exit 77 unless root)
#   fr_flash hame-stock           # a fresh flash file
#   fr_start [SWITCHES...]        # the router on rt0, time scale 0.01
#   ctl wait running/hame-stock 30
#   check "description" CMD...    # one TAP line

. "$MPF_SOURCE_ROOT/tests/netns/lib.sh"

FR=${MPF_FAKE_ROUTER:-$MPF_BUILD_ROOT/tests/fake-router/mpf-fake-router}
FR_SCALE=${FR_SCALE:-0.01}
TAP_N=0
TAP_FAILED=0

fr_setup() {
  [ -x "$FR" ] || netns_fail "no simulator at $FR"
  netns_setup "$@"
  FLASH=$NETNS_TMP/flash.bin
  CTL=$NETNS_TMP/ctl
  trap 'fr_on_exit' EXIT
  # Checks often run through `bash -c`: give them the helpers too.
  export MPF_NETNS FR CTL FLASH
  export -f pc rt ctl
}

fr_on_exit() {
  local rc=$?
  if [ $rc -ne 0 ] && [ -S "$CTL" ]; then
    echo "# last router events:" >&2
    "$FR" --control "$CTL" --send events 2>/dev/null | tr '{' '\n' | tail -n 25 | sed 's/^/#   /' >&2
  fi
  (exit $rc)
  netns_teardown
}

# fr_image KIND [SIZE] -> path of a synthetic firmware file
fr_image() {
  local out=$NETNS_TMP/$1${2:+-$2}.bin
  [ -f "$out" ] || "$FR" --make-image "$1" ${2:+--image-size "$2"} -o "$out" || netns_fail "make-image $1"
  echo "$out"
}

fr_flash() { "$FR" --flash "$FLASH" --init-flash "$@" >/dev/null || netns_fail "init-flash $*"; }

fr_start() {
  netns_spawn rt "$NETNS_TMP/router.log" "$FR" --interface "$IF_RT" --flash "$FLASH" \
    --control "$CTL" --time-scale "$FR_SCALE" "$@"
  FR_PID=$NETNS_PID
  wait_for 10 "control socket" test -S "$CTL"
}

# Ends the router through its control channel so that it powers off and exits
# normally (the sanitizers report at exit), then makes sure it is gone.
fr_stop() {
  local i
  ctl quit >/dev/null 2>&1 || true
  for i in $(seq 200); do
    kill -0 "$FR_PID" 2>/dev/null || break
    sleep 0.05
  done
  netns_stop "$FR_PID"
  rm -f "$CTL"
  cat "$NETNS_TMP/router.log" >> "$NETNS_TMP/router-all.log" 2>/dev/null
  : > "$NETNS_TMP/router.log"
  FR_PID=
}

ctl() { "$FR" --control "$CTL" --send "$*"; }

# state_field NAME: one string/number field of `state` (no jq needed).
state_field() {
  ctl state | sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p"
}

# The SHA-256 the firmware partition has once IMAGE is written at its start:
# the image, then erased flash (0xff) to the end of the 0x3b0000 partition.
partition_sha256() {
  local size
  size=$(stat -c %s "$1")
  { cat "$1"; head -c $((0x3b0000 - size)) /dev/zero | tr '\0' '\377'; } | sha256sum | cut -d' ' -f1
}

# telnet_session HOST PORT UNTIL [LINE...]: what a real client (curl's
# telnet) receives after sending LINEs, read until UNTIL appears (the
# simulator's telnetd, like the real one, never hangs up by itself). The
# session ends on that text, not after a fixed time: a slow simulator (ASan,
# a loaded machine) must not cut the reply short. 60 s only guards a hang.
telnet_session() {
  local host=$1 port=$2 until=$3
  shift 3
  "$MPF_NETNS" exec "$NETNS" pc bash -c '
    until=$1 url=$2 out=$3
    shift 3
    rm -f "$out" "$out.done"
    : >"$out"
    # stdin stays open until the reply is complete (EOF could end the session).
    { for l in "$@"; do printf "%s\r\n" "$l"; sleep 0.2; done
      for _ in $(seq 1200); do [ -e "$out.done" ] && break; sleep 0.05; done; } |
      curl -s -N --max-time 60 "$url" >"$out" &
    for _ in $(seq 1200); do
      grep -qF -- "$until" "$out" && break
      jobs -r | grep -q . || break
      sleep 0.05
    done
    touch "$out.done"
    kill %1 2>/dev/null
    wait
    cat "$out"' _ "$until" "telnet://$host:$port" "$NETNS_TMP/telnet.out" "$@" || true
}

pc_addr() { pc ip addr add "$1" dev "$IF_PC"; }

check() {
  local what=$1
  shift
  TAP_N=$((TAP_N + 1))
  if "$@" >"$NETNS_TMP/check.out" 2>&1; then
    echo "ok $TAP_N - $what"
  else
    echo "not ok $TAP_N - $what"
    sed 's/^/#   /' "$NETNS_TMP/check.out" | tail -n 15
    TAP_FAILED=$((TAP_FAILED + 1))
  fi
}

# contains TEXT PATTERN / lacks TEXT PATTERN (fixed strings)
contains() { printf '%s' "$1" | grep -qF -- "$2" || { echo "missing: $2"; printf '%s\n' "$1" | head -n 20; return 1; }; }
lacks() { ! printf '%s' "$1" | grep -qF -- "$2" || { echo "unexpected: $2"; return 1; }; }

# Sanitizer or GLib criticals in any run of the simulator fail the test.
fr_clean_log() {
  ! grep -E "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|CRITICAL|WARNING \*\*" \
    "$NETNS_TMP"/router*.log "$NETNS_TMP"/loopback.log 2>/dev/null
}

tap_done() {
  [ -n "${FR_PID:-}" ] && fr_stop
  check "the simulator ran clean (no sanitizer report, no GLib warning)" fr_clean_log
  echo "1..$TAP_N"
  [ "$TAP_FAILED" -eq 0 ]
}
