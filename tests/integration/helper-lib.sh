# Shared by the helper's namespace tests: drive mprflash-helper through a
# bash coprocess. Source after tests/netns/lib.sh and netns_setup.

HELPER=${MPF_BUILD_ROOT:?}/src/helper/mprflash-helper
CLI=${MPF_BUILD_ROOT}/src/cli/mprflash-cli
tap_n=0
# Longest silence allowed from the helper while a reply or event is awaited:
# only a guard against a hang (the simulator writing flash under ASan on a
# loaded machine is quiet for a long while), never part of what is tested.
HELPER_QUIET_MAX=90
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
check() {
  local what=$1; shift
  if "$@"; then ok "$what"; else echo "not ok $((tap_n + 1)) - $what"; exit 1; fi
}
refuted() { ! "$@"; }

# helper_start SIDE: the helper in that namespace, as a coprocess; its
# events go to $NETNS_TMP/events-SIDE.log as they are read.
helper_start() {
  local ns=$NS_PC
  [ "$1" = rt ] && ns=$NS_RT
  HSIDE=$1
  coproc HCO { exec ip netns exec "$ns" "$HELPER" 2>>"$NETNS_TMP/helper-$HSIDE.log"; }
  HPID=$HCO_PID
  HOUT=${HCO[0]}
  HIN=${HCO[1]}
  HID=0
}

helper_send() { printf '%s\n' "$1" >&"$HIN"; }

# helper_call JSON-WITHOUT-ID: sends {"id":N,...}; the reply line in $REPLY_LINE.
helper_call() {
  HID=$((HID + 1))
  helper_send "{\"id\":$HID,${1#\{}"
  helper_wait_reply "$HID"
}

helper_wait_reply() {
  local line
  while IFS= read -r -t "$HELPER_QUIET_MAX" line <&"$HOUT"; do
    case $line in
      "{\"id\":$1,"*) REPLY_LINE=$line; return 0 ;;
      *'"event":'*) echo "$line" >>"$NETNS_TMP/events-$HSIDE.log" ;;
      *) REPLY_LINE=$line; return 0 ;; # id null: a line we sent was not understood
    esac
  done
  netns_fail "no reply to request $1"
}

# helper_wait_event JQ-CONDITION: reads events until one satisfies it.
helper_wait_event() {
  local line
  # No pipe into grep -q here: with pipefail, jq killed by SIGPIPE would
  # turn a match into a failure.
  if [ -f "$NETNS_TMP/events-$HSIDE.log" ] &&
     [ -n "$(jq -c "select($1)" "$NETNS_TMP/events-$HSIDE.log" 2>/dev/null)" ]; then
    return 0
  fi
  while IFS= read -r -t "$HELPER_QUIET_MAX" line <&"$HOUT"; do
    echo "$line" >>"$NETNS_TMP/events-$HSIDE.log"
    jq -e "select($1)" <<<"$line" >/dev/null 2>&1 && return 0
  done
  netns_fail "no event satisfying $1"
}

# helper_oneshot SIDE JSON...: a short-lived helper that runs the requests
# and exits at EOF; prints its replies.
helper_oneshot() {
  local ns=$NS_PC
  [ "$1" = rt ] && ns=$NS_RT
  shift
  printf '%s\n' "$@" | ip netns exec "$ns" "$HELPER" 2>>"$NETNS_TMP/helper-oneshot.log"
}

reply_ok() { jq -e '.ok == true' <<<"$REPLY_LINE" >/dev/null; }
reply_code() { jq -r '.error.code // empty' <<<"$REPLY_LINE"; }
reply_field() { jq -r ".$1" <<<"$REPLY_LINE"; }

# helper_close: EOF on its stdin, then wait for it to exit.
# Its exit status in HRC (0 expected; LeakSanitizer makes it non-zero).
helper_close() {
  exec {HIN}>&-
  HRC=0
  wait "$HPID" 2>/dev/null || HRC=$?
}

has_addr() { # SIDE CIDR
  local out
  out=$("$MPF_NETNS" exec "$NETNS" "$1" ip -4 -o addr show)
  [[ $out == *" $2 "* ]]
}
