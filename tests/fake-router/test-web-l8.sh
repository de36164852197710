#!/usr/bin/env bash
# The MPR-L8 stock web UI (same GoAhead lineage as Hame, WEB-UIS.md): its own
# address and credentials, only the Poray-encoded image accepted, both reply
# wordings, and the reboot into what was flashed. Also --stock-family auto.
set -u
. "$MPF_SOURCE_ROOT/tests/fake-router/fr-lib.sh"
fr_setup

md5() { printf '%s' "$1" | md5sum | cut -c1-32; }
fr_flash mprl8-stock
fr_start --stock-family mpr-l8
pc_addr 192.168.100.10/24
pc_addr 192.168.169.10/24
check "comes up as MPR-L8 stock" ctl wait running/mprl8-stock 30
check "at 192.168.100.1 by default" contains "$(ctl state)" '"192.168.100.1/24"'
U=http://192.168.100.1
check "telnet prompt 'ZLMnet login:'" contains "$(telnet_session 192.168.100.1 23 "ZLMnet login: ")" "ZLMnet login: "
check "Server: GoAhead-Webs" contains "$(pc curl -s -D - -o /dev/null $U/)" "Server: GoAhead-Webs"
check "hame's password is refused" \
  contains "$(pc curl -s -d "admpass=$(md5 hame)" $U/goform/signin)" "code=Incorrect Password"
check "admin/admin (MD5) signs in" \
  test "$(pc curl -s -o /dev/null -w '%{http_code}' -d "admpass=$(md5 admin)" $U/goform/signin)" = 302
page=$(pc curl -s --max-time 20 -F filename=@"$(fr_image openwrt)" $U/cgi-bin/upload.cgi)
check "a plain uImage is refused" contains "$page" " . Not a valid firmware"
page=$(pc curl -s --max-time 20 -F filename=@"$(fr_image openwrt-encoded)" $U/cgi-bin/upload.cgi)
check "the encoded image is accepted" contains "$page" "Upgrade is completed and restarting, please re-connect later"
check "… and the redirect goes to its own address" contains "$page" "http://192.168.100.1"
check "reboots into OpenWrt" ctl wait running/openwrt 30
check "the partition holds the decoded uImage" \
  test "$(state_field firmware_sha256)" = "$(partition_sha256 "$(fr_image openwrt)")"
fr_stop

fr_flash mprl8-stock
fr_start --stock-family mpr-l8 --l8-address 169 --l8-wording done --l8-telnet-prompt m1
check "--l8-address 169: at 192.168.169.1" \
  bash -c 'ctl wait running/mprl8-stock 30 >/dev/null && ctl state | grep -q "\"192.168.169.1/24\""'
U=http://192.168.169.1
check "--l8-telnet-prompt m1: 'M1 login:'" contains "$(telnet_session 192.168.169.1 23 "M1 login: ")" "M1 login: "
pc curl -s -o /dev/null -d "admpass=$(md5 admin)" $U/goform/signin
page=$(pc curl -s --max-time 20 -F filename=@"$(fr_image mprl8-stock)" $U/cgi-bin/upload.cgi)
check "--l8-wording done: Done...rebooting" contains "$page" "Done...rebooting"
check "reboots into MPR-L8 stock again (second boot)" ctl wait running/mprl8-stock@2 30
check "the partition holds the decoded uImage" \
  test "$(state_field firmware_sha256)" = "$(partition_sha256 "$(fr_image hame-stock)")"
fr_stop

fr_flash hame-stock
fr_start --stock-family auto
check "auto: a stock image the catalogue does not know boots as Hame" ctl wait running/hame-stock 30

tap_done
