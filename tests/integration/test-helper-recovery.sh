#!/usr/bin/env bash
# mprflash-helper in recovery mode against the simulated router's bootloader
# (tests/fake-router): the watcher sees its ARP, the helper serves the
# recovery container, forwards request (with the factory MAC), completion
# and opcode 9, and the router boots the new firmware; EOF cleans up.
set -euo pipefail
. "$MPF_SOURCE_ROOT/tests/fake-router/fr-lib.sh"
. "$(dirname "$0")/helper-lib.sh"

fr_setup
fr_flash bricked
img=$(fr_image hame-stock)
fr_start --reset-held
ctl wait recovery 30 >/dev/null || netns_fail "router never entered recovery"

helper_start pc
helper_call "{\"op\":\"addr-add\",\"interface\":\"$IF_PC\",\"address\":\"192.168.1.55/24\"}"
check "addr-add" reply_ok
helper_call "{\"op\":\"watch\",\"interface\":\"$IF_PC\"}"
check "watch" reply_ok
helper_wait_event '.event == "seen" and .kind == "arp-request" and .ip == "192.168.1.2" and .target == "192.168.1.55"'
ok "watch: the bootloader's who-has 192.168.1.55 tell 192.168.1.2"

size=$(stat -c %s "$img")
sha=$(sha256sum "$img" | cut -d' ' -f1)
helper_call "{\"op\":\"image\",\"size\":$size,\"sha256\":\"$sha\"}"
check "image announced" reply_ok
# Chunks of 48 KiB as base64, each one request.
chunks=$NETNS_TMP/chunks
mkdir -p "$chunks"
split -b 49152 -d -a 4 "$img" "$chunks/c"
for c in "$chunks"/c*; do
  helper_call "{\"op\":\"image-data\",\"data\":\"$(base64 -w0 "$c")\"}"
  reply_ok || netns_fail "image-data refused: $REPLY_LINE"
done
check "last chunk completes the image" [ "$(reply_field complete)" = true ]

helper_call "{\"op\":\"serve-tftp\",\"interface\":\"$IF_PC\",\"mode\":\"recovery\"}"
check "serve-tftp recovery" reply_ok
padded=$(( ((size >> 16) + 1) << 16 ))
check "serves the container (28 + padded image bytes)" [ "$(reply_field size)" = $((28 + padded)) ]
helper_call '{"op":"hello"}'
check "cap_net_bind_service and cap_net_raw dropped once serving and watching" \
  [ "$(reply_field 'caps | join(",")')" = cap_net_admin ]

helper_wait_event '.event == "tftp-request" and .mac == "9c417c75a478" and (.crc | type) == "number"'
ok "tftp-request event with the factory MAC and the bootloader fingerprint"
helper_wait_event ".event == \"tftp-complete\" and .bytes == $((28 + padded))"
ok "tftp-complete after the last ACK"
helper_wait_event '.event == "tftp-flash-done" and .mac == "9c417c75a478"'
ok "tftp-flash-done (opcode 9) forwarded"
helper_wait_event '.event == "seen" and .kind == "tftp-rrq" and .ip == "192.168.1.2" and .file == "9c417c75a478" and .fields == 6'
ok "watch: the bootloader's read request (factory MAC, six fields)"
check "progress events were reported" grep -q '"event":"tftp-progress"' "$NETNS_TMP/events-pc.log"

ctl wait running/hame-stock 60 >/dev/null || netns_fail "router did not boot the new firmware"
ok "the router boots Hame stock afterwards"
# The bootloader writes the container's whole entry: the image, its zero
# padding, and the partition's erased rest stays 0xff.
want_sha=$({ cat "$img"; head -c $((padded - size)) /dev/zero
             head -c $((0x3b0000 - padded)) /dev/zero | tr '\0' '\377'; } | sha256sum | cut -d' ' -f1)
check "the firmware partition holds the image and its zero padding" [ "$(state_field firmware_sha256)" = "$want_sha" ]

helper_close
check "helper exits 0 at EOF" [ "$HRC" = 0 ]
check "address removed" refuted has_addr pc 192.168.1.55/24
fr_stop
echo "1..$tap_n"
