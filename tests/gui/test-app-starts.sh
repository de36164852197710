#!/usr/bin/env bash
# The real mprflash starts under Xvfb with a session bus, shows its window,
# warns (only) when it runs as root, and quits cleanly on Ctrl+Q; under the
# sanitizers a leak or an error makes that exit non-zero.
# usage: test-app-starts.sh MPRFLASH   (run inside xvfb-run)
set -uo pipefail
app=$1
tmp=$(mktemp -d)
pid= bus_pid=
trap 'kill $pid $bus_pid 2>/dev/null; rm -rf "$tmp"' EXIT
export HOME=$tmp XDG_CONFIG_HOME=$tmp/config XDG_CACHE_HOME=$tmp/cache XDG_DATA_HOME=$tmp/data
# Without GL: Mesa's driver state is never freed and would drown LeakSanitizer's report.
export GDK_DEBUG=gl-disable

# A private session bus (for the accessibility bus, as on a desktop). Its
# services print to its stdout, which must stay out of this test's TAP stream.
dbus-daemon --session --nofork --print-address=3 3>"$tmp/bus" >/dev/null 2>&1 &
bus_pid=$!
timeout 10 bash -c 'until [ -s "$1" ]; do sleep 0.1; done' _ "$tmp/bus"
DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$tmp/bus")
export DBUS_SESSION_BUS_ADDRESS

n=0 failed=0
check() {
  local what=$1; shift
  n=$((n + 1))
  if "$@"; then echo "ok $n - $what"; else echo "not ok $n - $what"; failed=1; fi
}
echo "1..4"

"$app" 2>"$tmp/stderr" &
pid=$!
# --sync waits for the window; the timeout only bounds a hang.
win=$(timeout 60 xdotool search --sync --onlyvisible --name '^MPR Flash$' 2>/dev/null | head -n 1)
check "the window titled 'MPR Flash' appears" test -n "$win"

if [ "$(id -u)" -eq 0 ]; then
  check "running as root prints a warning" grep -q "running as root" "$tmp/stderr"
else
  check "no root warning for a normal user" bash -c '! grep -q "running as root" "$1"' _ "$tmp/stderr"
fi

# (the window is gone before the key release arrives: xdotool complains, harmlessly)
[ -n "$win" ] && xdotool key --window "$win" ctrl+q 2>/dev/null
timeout 60 tail --pid="$pid" -f /dev/null
check "Ctrl+Q ends the program" bash -c '! kill -0 "$1" 2>/dev/null' _ "$pid"
wait "$pid"
rc=$?
check "it exits with status 0 (got $rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || sed 's/^/# /' "$tmp/stderr"
exit "$failed"
