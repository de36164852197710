#!/usr/bin/env bash
# Inside the PC namespace and Xvfb (test-connect-real.sh): a private session
# bus, then the dogtail script.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
export GDK_DEBUG=gl-disable GTK_USE_PORTAL=0
unset GTK_A11Y
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"

dbus-daemon --session --nofork --print-address=3 3>"$TMP_DIR/bus" >/dev/null 2>&1 &
bus_pid=$!
trap 'kill $bus_pid 2>/dev/null' EXIT
timeout 10 bash -c 'until [ -s "$1" ]; do sleep 0.1; done' _ "$TMP_DIR/bus"
DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$TMP_DIR/bus")
export DBUS_SESSION_BUS_ADDRESS

MPF_APP_G_DEBUG=${G_DEBUG:-} env -u G_DEBUG /usr/bin/python3 "$here/test-connect-real.py" "$1"
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "# mprflash's stderr:"
  grep -v -e 'dbus-daemon' -e 'Gsk-Message' "$TMP_DIR/app.err" | tail -n ${MPF_ERR_LINES:-30} | sed 's/^/# /'
fi
exit "$rc"
