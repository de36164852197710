#!/usr/bin/env bash
# The web path end to end: the product's identification and web flashers
# (through tests/integration/mpf-web-tool) against the simulated router in
# namespaces. Identify each family; Hame -> Hame re-flash; Hame -> OpenWrt;
# OpenWrt -> OpenWrt through LuCI; MPR-L8 -> OpenWrt (encoded on the fly);
# wrong password then the right one; upload refused (each reason); the link
# dropping mid-upload; the router dying mid-upload.
set -u
. "$MPF_SOURCE_ROOT/tests/fake-router/fr-lib.sh"
TOOL=${MPF_WEB_TOOL:-$MPF_BUILD_ROOT/tests/integration/mpf-web-tool}
[ -x "$TOOL" ] || netns_fail "no $TOOL"
fr_setup

# web ARGS...: runs the tool in the PC namespace; output in $WEB.
web() {
  pc "$TOOL" "$@" >"$NETNS_TMP/web.out" 2>&1
  WEB=$(cat "$NETNS_TMP/web.out")
  cat "$NETNS_TMP/web.out" >>"$NETNS_TMP/web-all.log"
}

HAME=$(fr_image hame-stock)
OW=$(fr_image openwrt)
OWG=$(fr_image openwrt-generic)
CORRUPT=$(fr_image corrupt)
BIG=$(fr_image hame-stock 3900000)

# ---- Hame stock ----
fr_flash hame-stock
fr_start --stock-password s3cret
pc_addr 192.168.169.10/24
pc_addr 192.168.1.10/24
ctl wait running/hame-stock 30 >/dev/null || netns_fail "router did not come up as Hame stock"

web identify 192.168.169.1
check "identify: Hame stock" contains "$WEB" "family hame-stock "
check "identify: its login scheme is goahead-md5" contains "$WEB" "login goahead-md5"
check "identify: the report carries what the probes saw" contains "$WEB" '"GoAhead-Webs"'

before=$(state_field firmware_sha256)
web flash 192.168.169.1 "$HAME"
check "default passwords refused: wrong-password, ask the user" contains "$WEB" "result error wrong-password"
check "… and nothing was uploaded" test "$(state_field firmware_sha256)" = "$before"

ctl set reject-upload 1 >/dev/null
web flash 192.168.169.1 "$HAME" --password hame --password s3cret
check "the user's password is accepted after a wrong one" contains "$WEB" "login ok"
check "upload rejected by the router: refused-not-valid" contains "$WEB" "result error refused-not-valid"
ctl set reject-upload 0 >/dev/null

web flash 192.168.169.1 "$CORRUPT" --family hame-stock --password s3cret
check "corrupted image: the router's 'corrupted data' reason" contains "$WEB" "result error refused-corrupted"
web flash 192.168.169.1 "$BIG" --family hame-stock --password s3cret
check "oversized image: the router's 'bigger than Kernel_RootFS' reason" contains "$WEB" "result error refused-too-big"
web flash 192.168.169.1 "$OWG" --password s3cret
check "a valid image with another name is not sent without asking" contains "$WEB" "result error needs-rename"
check "… and nothing was written by any refusal" test "$(state_field firmware_sha256)" = "$before"

web flash 192.168.169.1 "$HAME" --password s3cret
check "Hame -> Hame re-flash: success page recognised" contains "$WEB" "result ok"
check "… upload progress reported" contains "$WEB" "progress "
check "… reboots into Hame stock" ctl wait running/hame-stock@2 30
check "… the partition holds exactly the image" test "$(state_field firmware_sha256)" = "$(partition_sha256 "$HAME")"

web flash 192.168.169.1 "$OW" --password s3cret
check "Hame -> OpenWrt: accepted" contains "$WEB" "result ok"
check "… reboots into OpenWrt" ctl wait running/openwrt 30
check "… the partition holds exactly the image" test "$(state_field firmware_sha256)" = "$(partition_sha256 "$OW")"

# ---- OpenWrt (LuCI) ----
web identify 192.168.1.1
check "identify: OpenWrt" contains "$WEB" "family openwrt "
check "identify: version from the LuCI page" contains "$WEB" "version 14.07"
web flash 192.168.1.1 "$OWG"
check "OpenWrt -> OpenWrt through LuCI: Flashing..." contains "$WEB" "result ok"
check "… verify page MD5 matched ours" contains "$WEB" "matches"
check "… reboots into OpenWrt" ctl wait running/openwrt@4 30
check "… the partition holds exactly the image" test "$(state_field firmware_sha256)" = "$(partition_sha256 "$OWG")"

fr_stop
fr_flash openwrt
fr_start --luci-password s3cret
ctl wait running/openwrt 30 >/dev/null || netns_fail "router did not come up as OpenWrt"
web flash 192.168.1.1 "$OW"
check "LuCI with a root password: wrong-password" contains "$WEB" "result error wrong-password"
web flash 192.168.1.1 "$OW" --password nope --password s3cret
check "… then the right one: flashed" contains "$WEB" "result ok"
ctl set reject-upload 1 >/dev/null
ctl wait running/openwrt@2 30 >/dev/null || netns_fail "router did not come back as OpenWrt"
web flash 192.168.1.1 "$OW" --password s3cret
check "LuCI refuses the image: refused-not-valid" contains "$WEB" "result error refused-not-valid"

# ---- MPR-L8 stock ----
fr_stop
fr_flash mprl8-stock
fr_start --stock-family mpr-l8
pc_addr 192.168.100.10/24
ctl wait running/mprl8-stock 30 >/dev/null || netns_fail "router did not come up as MPR-L8 stock"
web identify 192.168.100.1
check "identify: MPR-L8 stock" contains "$WEB" "family mpr-l8-stock "
web flash 192.168.100.1 "$OW"
check "MPR-L8 -> OpenWrt: the image encoded on the fly" contains "$WEB" "image encoded for MPR-L8"
check "… accepted" contains "$WEB" "result ok"
check "… reboots into OpenWrt" ctl wait running/openwrt 30
check "… the partition holds the decoded image" test "$(state_field firmware_sha256)" = "$(partition_sha256 "$OW")"

# An MPR-L8 at the Hame address: only its telnet prompt [S] tells it apart.
fr_stop
fr_flash mprl8-stock
fr_start --stock-family mpr-l8 --l8-address 169 --l8-telnet-prompt m1
ctl wait running/mprl8-stock 30 >/dev/null || netns_fail "router did not come up as MPR-L8 stock"
web identify 192.168.169.1
check "identify: MPR-L8 at 192.168.169.1 by its 'M1 login:' prompt" contains "$WEB" "family mpr-l8-stock "
check "… the rule that decided is reported" contains "$WEB" "mpr-l8-telnet-prompt"

# ---- the link drops mid-upload (silently: packets lost after 1 MB) ----
fr_stop
fr_flash hame-stock
fr_start
ctl wait running/hame-stock 30 >/dev/null || netns_fail "router did not come up as Hame stock"
before=$(state_field firmware_sha256)
pc nft -f - <<EOF
table inet mpf_web_cut {
  chain out {
    type filter hook output priority 0; policy accept;
    ip daddr 192.168.169.1 tcp dport 80 quota over 1 mbytes drop
  }
}
EOF
web flash 192.168.169.1 "$HAME" --timeout-ms 2000 --verdict-timeout-ms 2000
pc nft delete table inet mpf_web_cut
check "link lost mid-upload: a time limit ends it with a plain message" \
  bash -c 'grep -Eq "result error (timeout|connection-dropped)" "$1"' _ "$NETNS_TMP/web.out"
check "… some of the image had gone out" contains "$WEB" "progress "
check "… the router kept its firmware" test "$(state_field firmware_sha256)" = "$before"

# ---- the router dies mid-upload (as a 16 MiB unit running out of memory) ----
# The upload is held after 1 MB (as above) so that it is surely under way
# when the power goes, and the router cannot have received the whole image.
pc nft -f - <<EOF
table inet mpf_web_cut {
  chain out {
    type filter hook output priority 0; policy accept;
    ip daddr 192.168.169.1 tcp dport 80 quota over 1 mbytes drop
  }
}
EOF
pc "$TOOL" flash 192.168.169.1 "$HAME" --timeout-ms 3000 --verdict-timeout-ms 3000 >"$NETNS_TMP/die.out" 2>&1 &
tool_pid=$!
wait_for 20 "upload under way" file_contains "$NETNS_TMP/die.out" "progress "
ctl power-off >/dev/null
wait "$tool_pid"
pc nft delete table inet mpf_web_cut
cat "$NETNS_TMP/die.out" >>"$NETNS_TMP/web-all.log"
check "router gone mid-upload: ends with a plain message" \
  bash -c 'grep -Eq "result error (connection-dropped|timeout)" "$1"' _ "$NETNS_TMP/die.out"
check "… which suggests the recovery path" \
  bash -c 'grep "result error" "$1" | grep -q "recovery path"' _ "$NETNS_TMP/die.out"
ctl power-on >/dev/null
check "… it comes back with its old firmware" ctl wait running/hame-stock 30
check "… unchanged" test "$(state_field firmware_sha256)" = "$before"

tap_done
