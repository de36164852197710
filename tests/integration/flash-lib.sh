# Shared by tests/integration/test-flash-*.sh (helper job): mprflash-cli flash
# (the real binaries: CLI, MpfFlashJob, mprflash-helper) in the PC namespace
# against the simulated router in the router namespace. The test plays the
# user's hands through the router's control socket when the job asks.
#   . "$MPF_SOURCE_ROOT/tests/fake-router/fr-lib.sh"
#   . "$MPF_SOURCE_ROOT/tests/integration/flash-lib.sh"

CLI=$MPF_BUILD_ROOT/src/cli/mprflash-cli
HELPER=$MPF_BUILD_ROOT/src/helper/mprflash-helper
# The job's time limits, scaled like the simulator's clock (tests only).
FLASH_TIMEOUT_SCALE=${FLASH_TIMEOUT_SCALE:-0.05}

# flash_bg OUT ARGS...: mprflash-cli flash --json in the PC namespace, in the
# background (PID in FPID, the CLI itself: `ip netns exec` execs it).
flash_bg() {
  local out=$1; shift
  : >"$out"
  ip netns exec "$NS_PC" env MPF_HELPER_PATH="$HELPER" MPF_FLASH_TIMEOUT_SCALE="$FLASH_TIMEOUT_SCALE" \
    "$CLI" flash --interface "$IF_PC" --yes --json "$@" >"$out" 2>"$out.err" </dev/null &
  FPID=$!
}

# flash_wait: waits for the background run; its exit status in RC.
flash_wait() {
  wait "$FPID"
  RC=$?
  FPID=
}

# flash OUT ARGS...: a whole run in the foreground.
flash() { flash_bg "$@"; flash_wait; }

# jqs FILE EXPR: EXPR over all the JSON lines of FILE at once (jq 1.6's -e
# only looks at the last input).
jqs() { jq -s -e "$2" "$1" >/dev/null 2>&1; }

# wait_event FILE EXPR [SECONDS]: until a record of FILE matches (a jq
# condition on one record), or the bound (which only stops a hang).
wait_event() {
  local i
  for i in $(seq $((${3:-60} * 20))); do
    jqs "$1" "any(.[]; $2)" && return 0
    [ -n "${FPID:-}" ] && ! kill -0 "$FPID" 2>/dev/null && { jqs "$1" "any(.[]; $2)"; return; }
    sleep 0.05
  done
  return 1
}

# Plays the user's hands: once the job asks for the power cycle, the router
# is power-cycled with reset held.
hands_on_power_cycle() {
  wait_event "$1" '.kind=="prompt" and .prompt=="power-cycle"' 60 && ctl power-cycle reset-held >/dev/null
}

stages() { jq -r 'select(.kind=="stage") | .name' "$1" | tr '\n' ' '; }
result_code() { jq -r 'select(.kind=="result") | .code // empty' "$1"; }
has_stages() { [[ " $(stages "$1")" == *" $2 "* ]] || { echo "stages: $(stages "$1")"; return 1; }; }

running_as() { [ "$(state_field mode)" = running ] && [ "$(state_field family)" = "$1" ] || { ctl state; return 1; }; }

# The user's network is as it was: no IPv4 address left on the PC's port
# (the test bed gives it none) and no helper left in the PC namespace.
network_restored() {
  local addrs pid
  addrs=$(ip netns exec "$NS_PC" ip -4 -o addr show dev "$IF_PC")
  [ -z "$addrs" ] || { echo "addresses left: $addrs"; return 1; }
  for pid in $(ip netns pids "$NS_PC"); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = mprflash-helper ] && { echo "helper $pid still runs"; return 1; }
  done
  return 0
}

# Waits a moment for the helper's own cleanup (after EOF or a signal).
network_restored_soon() { wait_for 10 "network restored" network_restored; }

# No sanitizer report or GLib warning in any run of the CLI (and its helper).
cli_clean_logs() {
  ! grep -E "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|CRITICAL|WARNING \*\*" \
    "$NETNS_TMP"/*.json.err 2>/dev/null
}
