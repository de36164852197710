#!/usr/bin/env bash
# mprflash-helper in a namespace pair: request validation with real
# interfaces, cleanup on EOF / SIGTERM / the client's SIGKILL, capability
# drop, and the watcher seeing probes and ARP from the router side.
set -euo pipefail
. "$MPF_SOURCE_ROOT/tests/netns/lib.sh"
. "$(dirname "$0")/helper-lib.sh"

netns_setup

# --- validation -------------------------------------------------------------
helper_start pc
helper_send 'this is not json'
helper_wait_reply null
check "bad JSON: error reply without id" [ "$(reply_code)" = bad-request ]
helper_call '{"op":"format-disk"}'
check "unknown op: unknown-op" [ "$(reply_code)" = unknown-op ]
helper_call '{"op":"watch","interface":"lo"}'
check "loopback refused: bad-interface" [ "$(reply_code)" = bad-interface ]
helper_call '{"op":"watch","interface":"nosuch0"}'
check "nonexistent interface: bad-interface" [ "$(reply_code)" = bad-interface ]
helper_call "{\"op\":\"addr-add\",\"interface\":\"$IF_PC\",\"address\":\"10.1.2.3/8\"}"
check "disallowed address: not-allowed" [ "$(reply_code)" = not-allowed ]
check "disallowed address not configured" refuted has_addr pc 10.1.2.3/8
helper_call '{"op":"image","size":8388609,"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}'
check "oversize image: too-big" [ "$(reply_code)" = too-big ]
helper_call "{\"op\":\"serve-tftp\",\"interface\":\"$IF_PC\",\"mode\":\"standard\"}"
check "serve before image: state" [ "$(reply_code)" = state ]
helper_call '{"op":"image-data","data":"AAAA"}'
check "data before image: state" [ "$(reply_code)" = state ]
sha=$(printf '\000\001\002' | sha256sum | cut -d' ' -f1)
helper_call "{\"op\":\"image\",\"size\":3,\"sha256\":\"$(printf '%064d' 0)\"}"
helper_call '{"op":"image-data","data":"AAEC"}'
check "SHA-256 mismatch: bad-request" [ "$(reply_code)" = bad-request ]
helper_call "{\"op\":\"image\",\"size\":3,\"sha256\":\"$sha\"}"
helper_call '{"op":"image-data","data":"AAECAw=="}'
check "more data than announced: too-big" [ "$(reply_code)" = too-big ]
helper_call "{\"op\":\"image\",\"size\":3,\"sha256\":\"$sha\"}"
helper_call '{"op":"image-data","data":"AAEC"}'
check "3-byte image complete" [ "$(reply_field complete)" = true ]
helper_call "{\"op\":\"serve-tftp\",\"interface\":\"$IF_PC\",\"mode\":\"standard\"}"
check "serve without the address configured: state" [ "$(reply_code)" = state ]
helper_call "{\"op\":\"serve-tftp\",\"interface\":\"$IF_PC\",\"mode\":\"recovery\"}"
check "recovery mode refuses a non-uImage: bad-image" [ "$(reply_code)" = bad-image ]
helper_call '{"op":"hello"}'
check "still alive after bad requests" reply_ok
helper_close
check "exits 0 at stdin EOF" [ "$HRC" = 0 ]

# --- stdin EOF removes the address ------------------------------------------
helper_start pc
helper_call "{\"op\":\"addr-add\",\"interface\":\"$IF_PC\",\"address\":\"192.168.1.55/24\"}"
check "addr-add accepted" reply_ok
check "address present" has_addr pc 192.168.1.55/24
helper_call "{\"op\":\"addr-add\",\"interface\":\"$IF_PC\",\"address\":\"192.168.169.55/24\"}"
check "second subnet added" has_addr pc 192.168.169.55/24
helper_call '{"op":"addr-add","interface":"lo","address":"192.168.100.55/24"}'
check "a second interface is refused" [ "$(reply_code)" = bad-interface ]
helper_close
check "stdin EOF: addresses gone" refuted has_addr pc 192.168.1.55/24
check "stdin EOF: second address gone" refuted has_addr pc 192.168.169.55/24

# An address the helper did not add is not removed.
pc ip addr add 192.168.100.55/24 dev "$IF_PC"
helper_start pc
helper_call "{\"op\":\"addr-add\",\"interface\":\"$IF_PC\",\"address\":\"192.168.100.55/24\"}"
check "pre-existing address reported" [ "$(reply_field existed)" = true ]
helper_call "{\"op\":\"addr-del\",\"interface\":\"$IF_PC\",\"address\":\"192.168.100.55/24\"}"
check "addr-del of a foreign address refused" [ "$(reply_code)" = not-allowed ]
helper_close
check "pre-existing address kept" has_addr pc 192.168.100.55/24
pc ip addr del 192.168.100.55/24 dev "$IF_PC"

# addr-del of our own.
helper_start pc
helper_call "{\"op\":\"addr-add\",\"interface\":\"$IF_PC\",\"address\":\"192.168.1.55/24\"}"
helper_call "{\"op\":\"addr-del\",\"interface\":\"$IF_PC\",\"address\":\"192.168.1.55/24\"}"
check "addr-del removes it" refuted has_addr pc 192.168.1.55/24
helper_close

# --- SIGTERM ----------------------------------------------------------------
helper_start pc
helper_call "{\"op\":\"addr-add\",\"interface\":\"$IF_PC\",\"address\":\"192.168.1.55/24\"}"
check "address present before SIGTERM" has_addr pc 192.168.1.55/24
kill -TERM "$HPID"
rc=0
wait "$HPID" 2>/dev/null || rc=$?
check "SIGTERM: address gone" refuted has_addr pc 192.168.1.55/24
check "SIGTERM: exit status 143" [ "$rc" = 143 ]
exec {HIN}>&- || true

# --- the client (parent) killed with SIGKILL --------------------------------
# A parent that owns the helper's stdin, then dies without a word.
parent_log=$NETNS_TMP/parent.log
helper_pidfile=$NETNS_TMP/helper.pid
ip netns exec "$NS_PC" bash -c '
  exec 3> >(exec "$0" > "$1")
  echo $! > "$3"
  printf "%s\n" "{\"id\":1,\"op\":\"addr-add\",\"interface\":\"$2\",\"address\":\"192.168.1.55/24\"}" >&3
  exec sleep 600' "$HELPER" "$parent_log" "$IF_PC" "$helper_pidfile" &
parent=$!
wait_for 10 "helper added the address" file_contains "$parent_log" '"ok":true'
check "address present while the parent lives" has_addr pc 192.168.1.55/24
helper_pid=$(cat "$helper_pidfile")
check "the helper runs" kill -0 "$helper_pid"
kill -KILL "$parent"
wait "$parent" 2>/dev/null || true
wait_for 10 "helper removed the address after its parent died" refuted has_addr pc 192.168.1.55/24
ok "parent SIGKILL: helper saw EOF and removed the address"
wait_for 10 "the helper exits" refuted kill -0 "$helper_pid"
ok "parent SIGKILL: the helper exited"

# --- capabilities and the watcher -------------------------------------------
rt ip addr add 192.168.1.2/24 dev "$IF_RT"
helper_start pc
helper_call '{"op":"hello"}'
check "hello: protocol 1" [ "$(reply_field protocol)" = 1 ]
check "starts with the three network capabilities" \
  [ "$(reply_field 'caps | sort | join(",")')" = cap_net_admin,cap_net_bind_service,cap_net_raw ]
helper_call "{\"op\":\"watch\",\"interface\":\"$IF_PC\"}"
check "watch accepted" reply_ok
helper_call '{"op":"hello"}'
check "cap_net_raw dropped once the capture is open" \
  [ "$(reply_field 'caps | sort | join(",")')" = cap_net_admin,cap_net_bind_service ]

# A probe sent by a second, short-lived helper on the router side.
REPLY_LINE=$(helper_oneshot rt "{\"id\":1,\"op\":\"arp-probe\",\"interface\":\"$IF_RT\",\"targets\":[\"192.168.1.1\"]}")
check "arp-probe from rt sent one probe" [ "$(reply_field sent)" = 1 ]
rt_mac=$(rt cat "/sys/class/net/$IF_RT/address")
helper_wait_event ".event == \"seen\" and .kind == \"arp-request\" and .mac == \"$rt_mac\" and .ip == \"0.0.0.0\" and .target == \"192.168.1.1\""
ok "watch reported the RFC 5227 probe (sender 0.0.0.0) with the router's MAC"

# The bootloader's "who-has 192.168.1.55 tell 192.168.1.2": the rt kernel
# asks exactly that when it pings .55.
rt ping -n -q -c 1 -W 1 192.168.1.55 >/dev/null 2>&1 || true
helper_wait_event '.kind == "arp-request" and .ip == "192.168.1.2" and .target == "192.168.1.55"'
ok "watch reported who-has 192.168.1.55 tell 192.168.1.2"

# Probes from the PC: the router's kernel answers, the watcher reports it.
helper_call "{\"op\":\"arp-probe\",\"interface\":\"$IF_PC\"}"
check "arp-probe sent to the four default addresses" [ "$(reply_field sent)" = 4 ]
helper_wait_event ".kind == \"arp-reply\" and .mac == \"$rt_mac\" and .ip == \"192.168.1.2\""
ok "router's ARP reply to our probe reported"
helper_close
check "exits 0 at EOF after watching and probing" [ "$HRC" = 0 ]

echo "1..$tap_n"
