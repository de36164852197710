#!/usr/bin/env bash
# HTTP upload throughput of a 4 MB image to the simulated Hame router: the
# product's GoAhead web flasher (through mpf-web-tool) against curl, same
# router, same run. The router refuses the image at once (too big for the
# partition), so both figures are the upload request alone, without the
# flash write. Also the time to identify the router. Prints figures only.
set -u
. "$MPF_SOURCE_ROOT/tests/fake-router/fr-lib.sh"
TOOL=${MPF_WEB_TOOL:-$MPF_BUILD_ROOT/tests/integration/mpf-web-tool}
RUNS=${RUNS:-5}
[ -x "$TOOL" ] || netns_fail "no $TOOL"
fr_setup

IMG=$(fr_image hame-stock 4000000)
SIZE=$(stat -c %s "$IMG")
fr_flash hame-stock
fr_start
pc_addr 192.168.169.10/24
ctl wait running/hame-stock 30 >/dev/null || netns_fail "router did not come up"

# curl needs the same sign-in (the router trusts the client's address).
pc curl -s -o /dev/null --data "admurl=/main.asp&admpass=$(printf hame | md5sum | cut -c1-32)" \
  http://192.168.169.1/goform/signin

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mbps() { awk -v b="$SIZE" -v ms="$1" 'BEGIN { printf "%.1f", (ms > 0) ? b / 1048576 / (ms / 1000) : 0 }'; }

ours=() theirs=() ident=()
for i in $(seq "$RUNS"); do
  out=$(pc "$TOOL" flash 192.168.169.1 "$IMG" --family hame-stock)
  printf '%s\n' "$out" | grep -q "refused-too-big" || { echo "# unexpected: $out" | tail -n 3; exit 1; }
  ours+=("$(printf '%s\n' "$out" | sed -n 's/^upload-ms //p')")
  t=$(pc curl -s -o "$NETNS_TMP/curl.html" -w '%{time_total}' \
        -F "filename=@$IMG;type=application/octet-stream" http://192.168.169.1/cgi-bin/upload.cgi)
  grep -q "bigger than Kernel_RootFS" "$NETNS_TMP/curl.html" || { echo "# curl: unexpected reply"; exit 1; }
  theirs+=("$(awk -v t="$t" 'BEGIN { printf "%.1f", t * 1000 }')")
  ident+=("$(pc "$TOOL" identify 192.168.169.1 | sed -n 's/^identify-ms //p')")
done

o=$(printf '%s\n' "${ours[@]}" | median)
c=$(printf '%s\n' "${theirs[@]}" | median)
d=$(printf '%s\n' "${ident[@]}" | median)
echo "# HTTP upload of $SIZE bytes to the simulated Hame router, median of $RUNS runs"
echo "# mprflash web flasher: $o ms ($(mbps "$o") MiB/s)   runs: ${ours[*]}"
echo "# curl -F:              $c ms ($(mbps "$c") MiB/s)   runs: ${theirs[*]}"
echo "# identify (all probes): $d ms   runs: ${ident[*]}"
fr_stop
