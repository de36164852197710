#!/bin/bash
# MpfFlashJob end to end over its demo backend: mprflash-cli flash --json
# against the simulated router in --loopback mode (no root, no namespace,
# no helper). Each case checks the router's own state through the control
# socket, the job's stage sequence, and that RESTORE ran.
set -u

FR=${MPF_BUILD_ROOT:?}/tests/fake-router/mpf-fake-router
CLI=$MPF_BUILD_ROOT/src/cli/mprflash-cli
TMP=$(mktemp -d)
CTL=$TMP/ctl
FR_PID=
N=0
FAILED=0

cleanup() {
  stop_router
  rm -rf "$TMP"
}
trap cleanup EXIT

# Two free loopback ports (HTTP, TFTP) for this run.
pick_ports() {
  local p
  for p in $(seq $((20000 + $$ % 20000)) 2 65000); do
    if ! ss -Hltn "sport = :$p" | grep -q . && ! ss -Hlun "sport = :$((p + 1))" | grep -q .; then
      HTTP_PORT=$p; TFTP_PORT=$((p + 1)); return
    fi
  done
  echo "Bail out! no free port"; exit 1
}
pick_ports

ctl() { "$FR" --control "$CTL" --send "$*"; }
state_field() { ctl state | jq -r ".$1"; }

# start_router INIT [SWITCHES...]
start_router() {
  local init=$1; shift
  stop_router
  "$FR" --flash "$TMP/flash.bin" --init-flash "$init" >/dev/null || { echo "Bail out! init-flash $init"; exit 1; }
  rm -f "$CTL"
  MPF_FR_TFTP_SERVER_PORT=$TFTP_PORT "$FR" --flash "$TMP/flash.bin" --loopback --http-port "$HTTP_PORT" \
    --control "$CTL" --time-scale 0.01 "$@" >>"$TMP/router.log" 2>&1 &
  FR_PID=$!
  for _ in $(seq 200); do [ -S "$CTL" ] && break; sleep 0.05; done
  [ -S "$CTL" ] || { echo "Bail out! router did not start"; exit 1; }
}

stop_router() {
  [ -n "$FR_PID" ] || return 0
  ctl quit >/dev/null 2>&1 || true
  for _ in $(seq 100); do kill -0 "$FR_PID" 2>/dev/null || break; sleep 0.05; done
  kill "$FR_PID" 2>/dev/null || true
  wait "$FR_PID" 2>/dev/null || true
  FR_PID=
}

image() {
  local out=$TMP/$1.bin
  [ -f "$out" ] || "$FR" --make-image "$1" -o "$out" || { echo "Bail out! make-image $1"; exit 1; }
  echo "$out"
}

# flash OUT ARGS...: the CLI with --json; its exit status in RC.
flash() {
  local out=$1; shift
  timeout 120 "$CLI" flash --yes --json --demo-control "$CTL" --demo-http-port "$HTTP_PORT" \
    --demo-tftp-port "$TFTP_PORT" "$@" >"$out" 2>"$out.err" </dev/null
  RC=$?
}

check() {
  local what=$1; shift
  N=$((N + 1))
  if "$@"; then echo "ok $N - $what"; else echo "not ok $N - $what"; FAILED=1
    tail -n 5 "$TMP"/*.err 2>/dev/null | sed 's/^/# /'; fi
}

stages() { jq -r 'select(.kind=="stage") | .name' "$1" | tr '\n' ' '; }
result() { jq -r "select(.kind==\"result\") | .$2" "$1"; }
# jq 1.6's -e only looks at the last input: slurp instead.
jqs() { jq -s -e "$2" "$1" >/dev/null; }
has_kind() { jqs "$1" "any(.[]; .kind==\"$2\")"; }
family_is() { [ "$(state_field family)" = "$1" ] && [ "$(state_field mode)" = running ]; }

# 1. Hame stock -> OpenWrt over the web UI.
start_router hame-stock
ctl wait running 30 >/dev/null
flash "$TMP/web.json" --image "$(image openwrt)"
check "Hame→OpenWrt (web): exit 0" test "$RC" = 0
check "Hame→OpenWrt: stages login, upload, confirm, writing, rebooting, verify, restore, done" \
  bash -c "[[ '$(stages "$TMP/web.json")' == *'login upload confirm writing rebooting verify restore done'* ]]"
check "Hame→OpenWrt: router runs OpenWrt" family_is openwrt
check "Hame→OpenWrt: result says openwrt" test "$(result "$TMP/web.json" family)" = openwrt
check "Hame→OpenWrt: identification observations in the log" has_kind "$TMP/web.json" identify

# 2. OpenWrt -> Hame stock chooses recovery; the demo plays the power cycle.
flash "$TMP/rec.json" --image "$(image hame-stock)"
check "OpenWrt→stock: exit 0" test "$RC" = 0
check "OpenWrt→stock: recovery path planned" test "$(jq -r 'select(.kind=="plan") | .path' "$TMP/rec.json")" = recovery
check "OpenWrt→stock: power-cycle prompt raised" \
  test "$(jq -r 'select(.kind=="prompt") | .prompt' "$TMP/rec.json")" = power-cycle
check "OpenWrt→stock: stages wait-bootloader, transfer, writing, rebooting, verify, restore, done" \
  bash -c "[[ '$(stages "$TMP/rec.json")' == *'wait-bootloader transfer writing rebooting verify restore done'* ]]"
check "OpenWrt→stock: router runs Hame stock" family_is hame-stock
check "OpenWrt→stock: factory MAC from the bootloader's request" \
  bash -c "jq -r 'select(.kind==\"router\") | .factory_mac' '$TMP/rec.json' | grep -qx 9c417c75a478"

# 3. Bricked -> stock: nothing answers, recovery.
start_router bricked
flash "$TMP/brick.json" --image "$(image hame-stock)"
check "bricked→stock: exit 0 and runs Hame stock" bash -c "test $RC = 0 && [ \"\$(\"$FR\" --control \"$CTL\" --send state | jq -r .family)\" = hame-stock ]"
check "bricked→stock: detect found nothing, plan recovery" \
  test "$(jq -r 'select(.kind=="plan") | .path' "$TMP/brick.json")" = recovery

# 4. A password the defaults do not match: asked, answered from --password-file, redacted.
start_router hame-stock --stock-password s3cret-pw
ctl wait running 30 >/dev/null
printf 's3cret-pw\n' >"$TMP/pw"
flash "$TMP/pw.json" --image "$(image openwrt)" --password-file "$TMP/pw"
check "other password: exit 0" test "$RC" = 0
check "other password: asked for" jqs "$TMP/pw.json" 'any(.[]; .kind=="prompt" and .prompt=="password")' 
check "other password: never in the log" bash -c "! grep -q s3cret '$TMP/pw.json'"
check "other password: answer recorded as redacted" jqs "$TMP/pw.json" 'any(.[]; .kind=="answer" and .answer=="(redacted)")' 

# 5. Wrong password and none to give: WRONG_PASSWORD, network restored.
start_router hame-stock --stock-password other
ctl wait running 30 >/dev/null
flash "$TMP/nopw.json" --image "$(image openwrt)"
check "no password: exit 1, wrong-password error (code 5)" \
  bash -c "test $RC = 1 && test \"\$(jq -r 'select(.kind==\"result\") | .code' '$TMP/nopw.json')\" = 5"
check "no password: restore ran" has_kind "$TMP/nopw.json" restored
check "no password: router untouched" family_is hame-stock

# 6. A valid image with another name: rename asked (--yes agrees), then flashed.
start_router hame-stock
ctl wait running 30 >/dev/null
flash "$TMP/ren.json" --image "$(image openwrt-generic)"
check "other name: exit 0" test "$RC" = 0
check "other name: rename asked" jqs "$TMP/ren.json" 'any(.[]; .kind=="prompt" and .prompt=="rename-image")' 
check "other name: router runs OpenWrt" family_is openwrt

# 7. Upload refused by the router.
start_router hame-stock --reject-upload
ctl wait running 30 >/dev/null
flash "$TMP/rej.json" --image "$(image openwrt)"
check "refused upload: exit 1, upload-refused (code 6) with the router's reason" \
  bash -c "test $RC = 1 && test \"\$(jq -r 'select(.kind==\"result\") | .code' '$TMP/rej.json')\" = 6"
check "refused upload: router still runs Hame stock" family_is hame-stock

# 8. No bootloader within the window (dead Ethernet): the specific failure with the hint.
start_router openwrt --dead-ethernet
ctl wait running 30 >/dev/null
MPF_FLASH_TIMEOUT_SCALE=0.02 flash "$TMP/dead.json" --image "$(image hame-stock)"
check "dead Ethernet: no-bootloader (code 8) naming Ethernet" \
  bash -c "test $RC = 1 && test \"\$(jq -r 'select(.kind==\"result\") | .code' '$TMP/dead.json')\" = 8 \
           && jq -r 'select(.kind==\"result\") | .message' '$TMP/dead.json' | grep -q Ethernet"
check "dead Ethernet: restore ran" has_kind "$TMP/dead.json" restored

# 9. Sustained loss: the bootloader restarts again and again -> the restarts failure.
start_router openwrt --drop-every-nth 4
ctl wait running 30 >/dev/null
flash "$TMP/loss.json" --image "$(image hame-stock)"
check "sustained loss: transfer-restarts (code 11), not spinning" \
  bash -c "test $RC = 1 && test \"\$(jq -r 'select(.kind==\"result\") | .code' '$TMP/loss.json')\" = 11"

# 10. Cancel while waiting for the bootloader (SIGINT): exit 130, restored.
start_router openwrt --dead-ethernet
ctl wait running 30 >/dev/null
timeout 60 "$CLI" flash --yes --json --demo-control "$CTL" --demo-http-port "$HTTP_PORT" \
  --demo-tftp-port "$TFTP_PORT" --image "$(image hame-stock)" >"$TMP/cancel.json" 2>"$TMP/cancel.err" </dev/null &
CPID=$!
for _ in $(seq 400); do grep -q '"power-cycle"' "$TMP/cancel.json" 2>/dev/null && break; sleep 0.05; done
kill -INT "$CPID"
wait "$CPID"
echo $? >"$TMP/cancel.rc"
check "cancel at wait-bootloader: exit 130" test "$(cat "$TMP/cancel.rc")" = 130
check "cancel: restore ran, then failed (cancelled)" \
  bash -c "[[ '$(stages "$TMP/cancel.json")' == *'wait-bootloader restore failed'* ]]"

echo "1..$N"
exit $FAILED
