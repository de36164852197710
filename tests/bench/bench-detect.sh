#!/usr/bin/env bash
# Time from carrier-up to an identified router: mprflash-cli detect waits for
# the cable, the router's end of the veth comes up, and the clock runs until
# detect prints the router with its family (and until it has restored the
# network). Both backends: the helper (no NetworkManager) and a real
# NetworkManager in the namespace. Prints figures; never fails on time.
set -euo pipefail
. "$MPF_SOURCE_ROOT/tests/fake-router/fr-lib.sh"

CLI=$MPF_BUILD_ROOT/src/cli/mprflash-cli
TOOL=$MPF_BUILD_ROOT/tests/integration/mpf-netconfig-tool
export MPF_HELPER_PATH=$MPF_BUILD_ROOT/src/helper/mprflash-helper
SANDBOX=$MPF_SOURCE_ROOT/tests/netns/nm-sandbox.sh
RUNS=${BENCH_RUNS:-5}
fr_setup
NMDIR=$NETNS_TMP/nm
trap 'rc=$?; "$SANDBOX" stop "$NMDIR"; (exit $rc); fr_on_exit' EXIT

fr_flash hame-stock
fr_start --no-dhcp
ctl wait running/hame-stock 30 >/dev/null || netns_fail "router did not boot"

no_carrier() { local o; o=$(pc "$TOOL" links); grep -qx "$IF_PC 0" <<<"$o"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# one_run LABEL: prints "found_ms total_ms" for one detect run.
one_run() {
  local log=$NETNS_TMP/bench.out t0 t_found t_end pid
  rt ip link set "$IF_RT" down
  # NetworkManager learns of the carrier loss a moment later; detect must
  # start from "no cable", as a user plugging it in would.
  wait_for 20 "carrier gone" no_carrier
  : >"$log"
  ip netns exec "$NS_PC" "$CLI" detect --interface "$IF_PC" --json 2>/dev/null |
    while IFS= read -r line; do echo "$(now_ms) $line"; done >"$log" &
  pid=$!
  wait_for 20 "detect waits for the cable" file_contains "$log" '"event":"wait-cable"'
  t0=$(now_ms)
  rt ip link set "$IF_RT" up
  wait "$pid" || true
  t_found=$(grep '"event":"found"' "$log" | head -n 1 | cut -d' ' -f1)
  t_end=$(tail -n 1 "$log" | cut -d' ' -f1)
  grep -q '"family":"hame-stock"' "$log" || { echo "# $1: not identified:" >&2; sed 's/^/#   /' "$log" >&2; return 1; }
  # Where the time goes, for the last run: ms after carrier-up per event.
  awk -v t0="$t0" '{ match($0, /"event":"[a-z-]*"/); e = substr($0, RSTART + 9, RLENGTH - 10);
                     s = s sprintf(" %s +%d", e, $1 - t0) } END { print s }' "$log" >"$NETNS_TMP/stages-$1.txt"
  echo "$((t_found - t0)) $((t_end - t0))"
}

report() {
  local label=$1 file=$2
  sort -n -k1 "$file" | awk -v label="$label" '
    { f[NR] = $1; t[NR] = $2 }
    END { m = int((NR + 1) / 2);
          printf "# %s: carrier-up to identified router: median %d ms (min %d, max %d); to network restored: median %d ms, %d runs\n",
                 label, f[m], f[1], f[NR], t[m], NR }'
  echo "#   events of the last run (ms after carrier-up):$(cat "$NETNS_TMP/stages-$3.txt")"
}

export MPF_NO_NETWORKMANAGER=1 DBUS_SYSTEM_BUS_ADDRESS=unix:path=$NETNS_TMP/no-bus
: >"$NETNS_TMP/helper.txt"
for i in $(seq "$RUNS"); do one_run helper >>"$NETNS_TMP/helper.txt"; done
report "helper (rtnetlink)" "$NETNS_TMP/helper.txt" helper
unset MPF_NO_NETWORKMANAGER

if command -v NetworkManager >/dev/null; then
  "$SANDBOX" start "$NS_PC" "$NMDIR" >/dev/null
  export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$NMDIR/bus.sock
  : >"$NETNS_TMP/nm.txt"
  for i in $(seq "$RUNS"); do one_run nm >>"$NETNS_TMP/nm.txt"; done
  report "NetworkManager" "$NETNS_TMP/nm.txt" nm
fi
echo "ok 1 - detect benchmark ran"
echo "1..1"
