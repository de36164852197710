# Bash library for tests that need the namespace test bed. Source it:
#   . "$MPF_SOURCE_ROOT/tests/netns/lib.sh"
#   netns_setup [--unpriv-ports]      # not root: TAP skip plan "1..0 # SKIP", exit 0
#   pc ip addr add 192.168.1.55/24 dev "$IF_PC"
#   netns_spawn rt "$log" some-daemon --flag   # sets NETNS_PID; killed at teardown
#   wait_for 10 "daemon listening" netns_udp_listening rt 69
# Teardown runs from an EXIT trap, also after a failure or INT/TERM.

NETNS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MPF_NETNS=${MPF_NETNS:-$NETNS_DIR/mpf-netns}
NETNS=
NETNS_TMP=

netns_log() { echo "# $*" >&2; }

netns_fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Every test using this library runs with meson's protocol 'tap', where any
# non-zero exit (77 included) is an error: the skip is TAP's "1..0 # SKIP" plan
# and exit 0. A test run with the exit-code protocol passes --exit77.
netns_require_root() {
  local why="needs root for network namespaces (CI runs the tests as root)"
  if [ "$(id -u)" -ne 0 ]; then
    if [ "${1:-}" = --exit77 ]; then
      echo "SKIP: $why" >&2
      exit 77
    fi
    echo "1..0 # SKIP $why"
    exit 0
  fi
}

# Creates a unique set (name from this shell's PID) and registers teardown.
netns_setup() {
  netns_require_root
  local want=${NETNS_NAME:-mpf$$}
  # Leftovers of earlier runs that were killed outright (SIGKILL) go first.
  "$MPF_NETNS" gc || true
  trap netns_teardown EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  NETNS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mpf-netns-$want.XXXXXX")
  MPF_NETNS_OWNER=$$ "$MPF_NETNS" setup "$want" "$@" >/dev/null || netns_fail "netns setup failed"
  NETNS=$want
  eval "$("$MPF_NETNS" info "$NETNS")"
  export NETNS NS_PC NS_RT IF_PC IF_RT NETNS_TMP MPF_NETNS_INODES
}

netns_teardown() {
  local rc=$?
  if [ -n "$NETNS" ]; then
    "$MPF_NETNS" teardown "$NETNS" || true
    NETNS=
  fi
  if [ -n "$NETNS_TMP" ] && [ -d "$NETNS_TMP" ]; then
    if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
      # Show what the background processes said before it is gone.
      local f
      for f in "$NETNS_TMP"/*.log; do
        [ -f "$f" ] || continue
        echo "----- $(basename "$f") (last 40 lines) -----" >&2
        tail -n 40 "$f" >&2
      done
    fi
    # MPF_NETNS_KEEP=DIR keeps every log of the run there, for debugging.
    if [ -n "${MPF_NETNS_KEEP:-}" ]; then
      mkdir -p "$MPF_NETNS_KEEP" && cp "$NETNS_TMP"/*.log "$MPF_NETNS_KEEP"/ 2>/dev/null
    fi
    rm -rf "$NETNS_TMP"
  fi
  return $rc
}

pc() { "$MPF_NETNS" exec "$NETNS" pc "$@"; }
rt() { "$MPF_NETNS" exec "$NETNS" rt "$@"; }

# netns_spawn SIDE LOG CMD...: background CMD in SIDE; PID in NETNS_PID.
netns_spawn() {
  local side=$1 log=$2
  shift 2
  NETNS_PID=$("$MPF_NETNS" spawn "$NETNS" "$side" "$log" "$@") || netns_fail "spawn $* failed"
}

# netns_stop PID: end one spawned process now (TERM, then KILL), not at teardown.
netns_stop() {
  local pid=$1 i
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
}

# wait_for SECONDS DESCRIPTION CMD...: poll CMD every 50 ms until it succeeds;
# fail the test with DESCRIPTION if it never does. The bound only guards
# against hanging: tests assert on the condition, never on the time taken.
wait_for() {
  local secs=$1 what=$2
  shift 2
  local deadline=$((SECONDS + secs))
  while ! "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || netns_fail "timed out after ${secs}s waiting for: $what"
    sleep 0.05
  done
}

# Condition helpers for wait_for.
netns_tcp_listening() { "$MPF_NETNS" exec "$NETNS" "$1" ss -Hltn "sport = :$2" | grep -q .; }
netns_udp_listening() { "$MPF_NETNS" exec "$NETNS" "$1" ss -Hlun "sport = :$2" | grep -q .; }
file_contains() { grep -q -- "$2" "$1" 2>/dev/null; }
# count_lines FILE PATTERN: how many lines match (0 when none).
count_lines() { grep -c -- "$2" "$1" 2>/dev/null || true; }
file_has_at_least() { [ "$(count_lines "$1" "$2")" -ge "$3" ]; }
