#!/usr/bin/env bash
# nm-sandbox.sh: a real NetworkManager confined to one network namespace, with
# its own private system bus, so tests exercise libnm against the real daemon
# without touching the host's NetworkManager (recipe: TESTBED.md).
#
# Usage (root only):
#   nm-sandbox.sh start NS DIR   start dbus-daemon + NetworkManager inside NS,
#                                state (bus socket, keyfiles, logs) in DIR;
#                                returns once NetworkManager owns its bus name
#                                and prints DBUS_SYSTEM_BUS_ADDRESS=...
#   nm-sandbox.sh stop DIR       stop them (NetworkManager first), wait
#   nm-sandbox.sh nmcli DIR NS ARGS...   nmcli on the private bus inside NS
#
# Clients reach the daemon with DBUS_SYSTEM_BUS_ADDRESS=unix:path=DIR/bus.sock
# (the socket lives in DIR, outside the private mounts). Profiles written to
# DIR/system-connections are keyfiles NetworkManager loads at start.
set -euo pipefail

die() { echo "nm-sandbox: $*" >&2; exit 1; }

bus_addr() { echo "unix:path=$1/bus.sock"; }

# Runs inside "ip netns exec NS unshare -m --propagation private": everything
# mounted here is private to the daemons.
inner() {
  local dir=$1
  # A writable /sys makes NetworkManager wait for udev forever.
  mount -o remount,bind,ro /sys
  mount -t tmpfs tmpfs /run
  mkdir -p /var/lib/NetworkManager /etc/NetworkManager
  mount -t tmpfs tmpfs /var/lib/NetworkManager
  mount -t tmpfs tmpfs /etc/NetworkManager
  mkdir -p /run/dbus /run/NetworkManager

  cat >"$dir/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>$(bus_addr "$dir")</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
  </policy>
</busconfig>
CONF
  cat >"$dir/NM.conf" <<CONF
[main]
dns=none
rc-manager=unmanaged
hostname-mode=none
auth-polkit=false
plugins=keyfile
no-auto-default=*

[keyfile]
path=$dir/system-connections

[logging]
level=DEBUG
CONF
  mkdir -p "$dir/system-connections"
  chmod 700 "$dir/system-connections"

  dbus-daemon --config-file="$dir/bus.conf" --nofork --nopidfile >"$dir/dbus.log" 2>&1 &
  local dbus_pid=$!
  export DBUS_SYSTEM_BUS_ADDRESS
  DBUS_SYSTEM_BUS_ADDRESS=$(bus_addr "$dir")
  local i
  for i in $(seq 100); do [ -S "$dir/bus.sock" ] && break; sleep 0.05; done
  NetworkManager --no-daemon --debug --config="$dir/NM.conf" \
    --pid-file="$dir/nm.pid" --state-file="$dir/NetworkManager.state" >"$dir/nm.log" 2>&1 &
  local nm_pid=$!
  echo "$nm_pid" >"$dir/nm.pid.real"
  echo "$dbus_pid" >"$dir/dbus.pid"
  # Stop the daemons when asked (TERM) or when the caller dies.
  trap 'kill -TERM $nm_pid 2>/dev/null; wait $nm_pid 2>/dev/null; kill -TERM $dbus_pid 2>/dev/null; wait $dbus_pid 2>/dev/null; exit 0' TERM INT HUP
  wait "$nm_pid" || true
  kill -TERM "$dbus_pid" 2>/dev/null || true
  wait "$dbus_pid" 2>/dev/null || true
}

start() {
  local ns=$1 dir=$2
  [ "$(id -u)" -eq 0 ] || { echo "nm-sandbox: skipped: needs root" >&2; exit 77; }
  command -v NetworkManager >/dev/null || { echo "nm-sandbox: skipped: NetworkManager is not installed" >&2; exit 77; }
  command -v dbus-daemon >/dev/null || { echo "nm-sandbox: skipped: dbus-daemon is not installed" >&2; exit 77; }
  ip netns list | grep -qw "^$ns" || die "no namespace '$ns'"
  mkdir -p "$dir"
  setsid ip netns exec "$ns" unshare -m --propagation private "$0" __inner "$dir" \
    >"$dir/sandbox.log" 2>&1 </dev/null &
  echo $! >"$dir/sandbox.pid"
  local i
  for i in $(seq 200); do
    if [ -S "$dir/bus.sock" ] && DBUS_SYSTEM_BUS_ADDRESS=$(bus_addr "$dir") \
        ip netns exec "$ns" nmcli -t -f RUNNING general status 2>/dev/null | grep -q running; then
      echo "DBUS_SYSTEM_BUS_ADDRESS=$(bus_addr "$dir")"
      return 0
    fi
    kill -0 "$(cat "$dir/sandbox.pid")" 2>/dev/null || { cat "$dir/sandbox.log" >&2; die "the sandbox exited"; }
    sleep 0.1
  done
  die "NetworkManager did not come up (see $dir/nm.log)"
}

stop() {
  local dir=$1 pid
  [ -f "$dir/sandbox.pid" ] || return 0
  pid=$(cat "$dir/sandbox.pid")
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  # Last resort: the daemons by their recorded PIDs only.
  for f in nm.pid.real dbus.pid; do
    [ -f "$dir/$f" ] && kill -KILL "$(cat "$dir/$f")" 2>/dev/null || true
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$dir/sandbox.pid"
}

cmd=${1:-}; shift || true
case $cmd in
  start) [ $# -eq 2 ] || die "usage: start NS DIR"; start "$@" ;;
  stop) [ $# -eq 1 ] || die "usage: stop DIR"; stop "$@" ;;
  nmcli) dir=$1 ns=$2; shift 2
         DBUS_SYSTEM_BUS_ADDRESS=$(bus_addr "$dir") exec ip netns exec "$ns" nmcli "$@" ;;
  __inner) inner "$1" ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
