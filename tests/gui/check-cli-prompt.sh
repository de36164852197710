#!/bin/bash
# mprflash-cli flash's confirmation in German, typed at a real terminal
# (expect's pty) against the simulated router in --loopback mode: the
# prompt shows the translated hint "[j/N]", "n" sends nothing, "j" flashes.
# usage: check-cli-prompt.sh MPRFLASH-CLI FAKE-ROUTER BUILD-PO-DIR
set -u
CLI=$1 FR=$2 PODIR=$3
TMP=$(mktemp -d)
CTL=$TMP/ctl
FR_PID=
N=0
FAILED=0

stop_router() {
  [ -n "$FR_PID" ] || return 0
  "$FR" --control "$CTL" --send quit >/dev/null 2>&1 || true
  for _ in $(seq 100); do kill -0 "$FR_PID" 2>/dev/null || break; sleep 0.05; done
  kill "$FR_PID" 2>/dev/null || true
  wait "$FR_PID" 2>/dev/null || true
  FR_PID=
}
trap 'stop_router; rm -rf "$TMP"' EXIT

command -v expect >/dev/null || { echo "Bail out! expect is missing (build-aux/dev.sh installs it)"; exit 1; }
for p in $(seq $((20000 + $$ % 20000)) 2 65000); do
  if ! ss -Hltn "sport = :$p" | grep -q . && ! ss -Hlun "sport = :$((p + 1))" | grep -q .; then
    HTTP_PORT=$p TFTP_PORT=$((p + 1)); break
  fi
done
[ -n "${HTTP_PORT:-}" ] || { echo "Bail out! no free port"; exit 1; }

start_router() {
  stop_router
  "$FR" --flash "$TMP/flash.bin" --init-flash hame-stock >/dev/null || { echo "Bail out! init-flash"; exit 1; }
  rm -f "$CTL"
  MPF_FR_TFTP_SERVER_PORT=$TFTP_PORT "$FR" --flash "$TMP/flash.bin" --loopback --http-port "$HTTP_PORT" \
    --control "$CTL" --time-scale 0.01 >>"$TMP/router.log" 2>&1 &
  FR_PID=$!
  for _ in $(seq 200); do [ -S "$CTL" ] && break; sleep 0.05; done
  [ -S "$CTL" ] || { echo "Bail out! router did not start"; exit 1; }
  "$FR" --control "$CTL" --send "wait running 30" | grep -q '"ok":true' || { echo "Bail out! router not running"; exit 1; }
}
family() { "$FR" --control "$CTL" --send state | jq -r .family; }

check() {
  local what=$1; shift
  N=$((N + 1))
  if "$@"; then echo "ok $N - $what"; else echo "not ok $N - $what"; FAILED=1
    sed 's/^/# /' "$TMP/session.log" 2>/dev/null | tail -n 15; fi
}

# answer REPLY: runs the flash at a pty in German, answers the confirmation
# with REPLY; the session's text in session.log, the exit status in RC.
answer() {
  LANG=C.UTF-8 LANGUAGE=de MPF_LOCALEDIR=$PODIR REPLY_TEXT=$1 CLI=$CLI IMAGE=$TMP/openwrt.bin \
  CTL=$CTL HTTP_PORT=$HTTP_PORT TFTP_PORT=$TFTP_PORT LOG=$TMP/session.log expect -f - <<'EOF'
set timeout 60
log_user 0
log_file -a -noappend $env(LOG)
spawn -noecho $env(CLI) flash --image $env(IMAGE) --demo-control $env(CTL) \
  --demo-http-port $env(HTTP_PORT) --demo-tftp-port $env(TFTP_PORT)
expect {
  -ex "Den Router jetzt flashen? \[j/N\] " { send "$env(REPLY_TEXT)\r" }
  timeout { exit 124 }
  eof { exit 125 }
}
expect {
  timeout { exit 124 }
  eof
}
lassign [wait] pid spawnid os_error status
exit $status
EOF
  RC=$?
}

"$FR" --make-image openwrt -o "$TMP/openwrt.bin" || { echo "Bail out! make-image"; exit 1; }
echo "1..4"

start_router
answer n
check "de: \"n\" at „Den Router jetzt flashen? [j/N]“ cancels (exit 130)" test "$RC" = 130
check "de: the refusal is reported in German, the router still runs its firmware" \
  bash -c "grep -qF 'Es wurde nichts an den Router gesendet' '$TMP/session.log' && [ \"\$('$FR' --control '$CTL' --send state | jq -r .family)\" = hame-stock ]"

start_router
answer j
check "de: \"j\" (the German yes) flashes (exit 0)" test "$RC" = 0
check "de: the router now runs OpenWrt" test "$(family)" = openwrt
exit "$FAILED"
