#!/usr/bin/env bash
# Runs test-wizard.py against the real mprflash --demo with a private session
# bus (for the accessibility bus) and a private HOME; prints its TAP.
# usage: test-wizard.sh MPRFLASH SCENARIO   (inside xvfb-run)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
bus_pid=
trap 'kill $bus_pid 2>/dev/null; rm -rf "$tmp"' EXIT
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/config XDG_CACHE_HOME=$tmp/cache XDG_DATA_HOME=$tmp/data TMP_DIR=$tmp
mkdir -p "$HOME"
# Without GL: Mesa's driver state is never freed and would drown LeakSanitizer's report.
export GDK_DEBUG=gl-disable
# No portal here: the file chooser is GTK's own dialog, reachable through AT-SPI.
export GTK_USE_PORTAL=0
# Short waits in the simulator; the job's own limits stay as they are.
export MPF_DEMO_TIME_SCALE=${MPF_DEMO_TIME_SCALE:-0.02}
unset GTK_A11Y
# Under ASan: full stacks on malloc, so tests/lsan.supp can recognise the
# toolkit's own process-lifetime allocations (GLib's constructors).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"

dbus-daemon --session --nofork --print-address=3 3>"$tmp/bus" >/dev/null 2>&1 &
bus_pid=$!
timeout 10 bash -c 'until [ -s "$1" ]; do sleep 0.1; done' _ "$tmp/bus"
DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$tmp/bus")
export DBUS_SESSION_BUS_ADDRESS

# G_DEBUG=fatal-warnings is for mprflash, not for the test's own AT-SPI
# client (libatspi warns about GTK's missing cache object); it is handed on.
MPF_APP_G_DEBUG=${G_DEBUG:-} env -u G_DEBUG /usr/bin/python3 "$here/test-wizard.py" "$1" "$2"
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "# mprflash's stderr:"
  grep -v -e 'dbus-daemon' -e 'Gsk-Message' "$tmp/app.err" | tail -n 30 | sed 's/^/# /'
fi
exit "$rc"
