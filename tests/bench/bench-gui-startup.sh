#!/usr/bin/env bash
# mprflash: time from exec to its window being mapped, and the program's
# peak RSS (VmHWM) once the window shows — median of RUNS starts under Xvfb
# with a private session bus. Prints figures; never fails on time.
# usage: bench-gui-startup.sh MPRFLASH   (inside xvfb-run)
set -uo pipefail
app=$1
runs=${RUNS:-5}
tmp=$(mktemp -d)
bus_pid=
trap 'kill $bus_pid 2>/dev/null; rm -rf "$tmp"' EXIT
export HOME=$tmp XDG_CONFIG_HOME=$tmp/config XDG_CACHE_HOME=$tmp/cache XDG_DATA_HOME=$tmp/data
export GDK_DEBUG=gl-disable
unset GTK_A11Y
dbus-daemon --session --nofork --print-address=3 3>"$tmp/bus" >/dev/null 2>&1 &
bus_pid=$!
timeout 10 bash -c 'until [ -s "$1" ]; do sleep 0.1; done' _ "$tmp/bus"
DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$tmp/bus")
export DBUS_SESSION_BUS_ADDRESS

times=() rss=()
for i in $(seq "$runs"); do
  t0=$(date +%s%N)
  "$app" 2>/dev/null &
  pid=$!
  # --sync returns as soon as the window is mapped.
  timeout 60 xdotool search --sync --onlyvisible --name '^MPR Flash$' >/dev/null 2>&1
  t1=$(date +%s%N)
  sleep 1   # the first frames drawn: the peak is reached
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null)
  kill "$pid"; wait "$pid" 2>/dev/null
  times+=($(( (t1 - t0) / 1000000 ))) rss+=("${hwm:-0}")
  echo "# run $i: first window ${times[-1]} ms, peak RSS ${rss[-1]} KiB"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "mprflash time to first window (median of $runs): $(median "${times[@]}") ms"
echo "mprflash peak RSS with the window shown (median of $runs): $(median "${rss[@]}") KiB"
