#!/usr/bin/env bash
# OpenWrt 14.07's LuCI driven by curl inside test namespaces: the login, the
# rule that both the sysauth cookie and the ;stok= token are needed, the
# two-step flashops flow with its verify page (MD5, size), the refusal of
# non-uImage files, what an extra file part does, and the reboot into the
# flashed image (WEB-UIS.md).
set -u
. "$MPF_SOURCE_ROOT/tests/fake-router/fr-lib.sh"
fr_setup

fr_flash openwrt
fr_start
pc_addr 192.168.1.10/24
ctl wait running/openwrt 30 >/dev/null || netns_fail "router did not come up as OpenWrt"
L=http://192.168.1.1/cgi-bin/luci
get() { pc curl -s --max-time 20 "$@"; }

hdr=$(get -D - http://192.168.1.1/)
check "GET / is the meta refresh to /cgi-bin/luci" contains "$hdr" 'URL=/cgi-bin/luci'
check "GET / text: LuCI - Lua Configuration Interface" contains "$hdr" "LuCI - Lua Configuration Interface"
check "uhttpd sends no Server header" lacks "$hdr" "Server:"
page=$(get $L)
check "login form with a password field" contains "$page" 'name="password"'
check "page titles end in ' - LuCI'" contains "$page" " - LuCI</title>"

out=$(telnet_session 192.168.1.1 23 "root@OpenWrt:/# ")
check "no root password: telnet opens a shell with the 14.07 banner" \
  bash -c '[[ "$1" == *"BARRIER BREAKER (14.07"* && "$1" == *"root@OpenWrt:/# "* ]]' _ "$out"
check "SSH on 22: dropbear" contains "$(telnet_session 192.168.1.1 22 "SSH-2.0-dropbear")" "SSH-2.0-dropbear"

# login: 14.07 field names; a fresh unit has no root password: any works.
hdr=$(get -D - -o /dev/null -d "username=root&password=whatever" $L)
SID=$(printf '%s' "$hdr" | sed -n 's/^Set-Cookie: sysauth=\([0-9a-f]*\);.*/\1/p' | tr -d '\r')
STOK=$(printf '%s' "$hdr" | sed -n 's/^Set-Cookie: .*path=\/cgi-bin\/luci\/;stok=\([0-9a-f]*\).*/\1/p' | tr -d '\r')
check "login sets sysauth=<32 hex>" test ${#SID} = 32
check "cookie path carries ;stok=<32 hex>" test ${#STOK} = 32
check "login redirects to the ;stok= URL" contains "$hdr" ";stok=$STOK"
hdr2=$(get -D - -o /dev/null -d "luci_username=root&luci_password=x" $L)
check "later LuCI field names are accepted too" contains "$hdr2" "Set-Cookie: sysauth="
check "a user other than root is refused" contains "$(get -d 'username=admin&password=x' $L)" 'name="password"'

F="$L/;stok=$STOK/admin/system/flashops"
C="Cookie: sysauth=$SID"
check "cookie without token: login form" contains "$(get -H "$C" $L/admin/system/flashops)" 'name="password"'
check "token without cookie: login form" contains "$(get "$F")" 'name="password"'
check "wrong token with the cookie: login form" \
  contains "$(get -H "$C" "$L/;stok=00000000000000000000000000000000/admin/system/flashops")" 'name="password"'
page=$(get -H "$C" "$F")
check "cookie + token: flashops page with the image field" contains "$page" 'name="image"'
check "pages link with ;stok=" contains "$page" ";stok=$STOK/"

HAME=$(fr_image hame-stock)
OW=$(fr_image openwrt)
page=$(get -H "$C" -F image=@"$(fr_image openwrt-encoded)" "$F")
check "encoded (R3G2) file: not a supported format" \
  contains "$page" "The uploaded image file does not contain a supported format"
page=$(get -H "$C" -F image=@"$HAME" -F keep=on "$F")
check "step 1: the verify page" contains "$page" "Flash Firmware - Verify"
check "verify page shows the image's MD5" contains "$page" "<code>$(md5sum < "$HAME" | cut -c1-32)</code>"
check "verify page shows the size the LuCI way" contains "$page" "1024.00 KB"
check "keep=on is carried to step 2" contains "$page" 'name="keep" value="1"'

# Extra file parts: LuCI's file handler sends every file part after the
# first into the first one's sink; the MD5 on the verify page gives it away.
page=$(get -H "$C" -F image=@"$HAME" -F archive=@"$OW" "$F")
check "extra file part after image: appended, MD5 no longer the file's" \
  lacks "$page" "<code>$(md5sum < "$HAME" | cut -c1-32)</code>"
check "extra file part logged loudly" contains "$(ctl events)" "LUCI EXTRA FILE PART"
page=$(get -H "$C" -F archive=@"$OW" -F image=@"$HAME" "$F")
check "a file part before image is taken as a settings backup" contains "$(ctl events)" "LUCI SETTINGS RESTORE"
check "… and the image is then missing: not a supported format" \
  contains "$page" "does not contain a supported format"
check "nothing written by step 1" test "$(state_field firmware_sha256)" = "$(partition_sha256 "$OW")"

ctl set reject-upload 1 >/dev/null
check "reject-upload fault: a good image is refused" \
  contains "$(get -H "$C" -F image=@"$HAME" "$F")" "does not contain a supported format"
ctl set reject-upload 0 >/dev/null
check "step 2 without an image in /tmp: back to flashops, nothing flashed" \
  bash -c '! "$@" | grep -q "Flashing"' _ pc curl -s -H "$C" -d "step=2&keep=" "$F"
get -H "$C" -F image=@"$HAME" "$F" >/dev/null
page=$(get -H "$C" -d "step=2&keep=" "$F")
check "step 2: Flashing..." contains "$page" "Flashing..."
check "flashes and reboots into the stock image" ctl wait running/hame-stock 30
check "the partition holds exactly the image" test "$(state_field firmware_sha256)" = "$(partition_sha256 "$HAME")"

# A unit whose owner set a root password.
fr_stop
fr_flash openwrt
fr_start --luci-password s3cret
ctl wait running/openwrt 30 >/dev/null || netns_fail "router did not come back as OpenWrt"
check "root password set: no telnet" \
  test "$(pc curl -s --max-time 3 -o /dev/null -w '%{exitcode}' telnet://192.168.1.1:23 </dev/null)" = 7
page=$(get -d "username=root&password=wrong" $L)
check "set password: a wrong one re-renders the login form" contains "$page" 'name="password"'
check "… with LuCI's error" contains "$page" "Invalid username and/or password"
check "set password: the right one logs in" \
  contains "$(get -D - -o /dev/null -d "username=root&password=s3cret" $L)" "Set-Cookie: sysauth="
ctl set wrong-credentials 1 >/dev/null
check "wrong-credentials fault: the known password no longer works" \
  contains "$(get -d "username=root&password=s3cret" $L)" 'name="password"'

tap_done
