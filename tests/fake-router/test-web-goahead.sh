#!/usr/bin/env bash
# The Hame stock web UI driven by curl (a client nobody here wrote), inside
# test namespaces: login by MD5 with the session held by client IP, the 401
# codes, and upload.cgi accepting exactly the narrow multipart shape and the
# images the real one accepts (WEB-UIS.md), then the reboot into the image.
set -u
. "$MPF_SOURCE_ROOT/tests/fake-router/fr-lib.sh"
fr_setup

fr_flash hame-stock
fr_start
pc_addr 192.168.169.10/24
pc_addr 192.168.169.11/24
ctl wait running/hame-stock 30 >/dev/null || netns_fail "router did not come up as Hame stock"
U=http://192.168.169.1
md5() { printf '%s' "$1" | md5sum | cut -c1-32; }
get() { pc curl -s --max-time 20 "$@"; }
code() { pc curl -s --max-time 20 -o /dev/null -w '%{http_code}' "$@"; }

head=$(get -D - -o /dev/null $U/)
check "the LAN port carries the factory MAC" \
  bash -c '"$@" ip neigh show 192.168.169.1 | grep -qi "9c:41:7c:75:a4:78"' _ pc
check "GET / answers 302 to /home.asp" contains "$head" "302 Found"
check "Location is /home.asp" contains "$head" "/home.asp"
check "Server: GoAhead-Webs" contains "$head" "Server: GoAhead-Webs"
home=$(get $U/home.asp)
check "home.asp: Login title, signin form, admpass" \
  bash -c '[[ "$1" == *"<title>Login</title>"* && "$1" == *"name=\"signin\""* && "$1" == *"name=\"admpass\""* ]]' _ "$home"

page=$(get $U/main.asp)
check "main.asp before login: 401" test "$(code $U/main.asp)" = 401
check "main.asp before login: Signin first!" contains "$page" "code=Signin first!"
check "upload page before login: 401" test "$(code $U/adm/upload_firmware.asp)" = 401

page=$(get -d "admurl=/main.asp&admpass=hame" $U/goform/signin)
check "plain password refused (the page sends the MD5)" contains "$page" "code=Incorrect Password"
check "wrong MD5: 401" test "$(code -d "admurl=/main.asp&admpass=$(md5 admin)" $U/goform/signin)" = 401
check "still not signed in" test "$(code $U/main.asp)" = 401
hdr=$(get -D - -o /dev/null -d "admurl=/main.asp&admpass=$(md5 hame)" --interface 192.168.169.10 $U/goform/signin)
check "right MD5: 302 back to /home.asp, no cookie" \
  bash -c '[[ "$1" == *"302 Found"* && "$1" == *"/home.asp"* && "$1" != *"Set-Cookie"* ]]' _ "$hdr"
I10="--interface 192.168.169.10"
page=$(get $I10 $U/main.asp)
check "signed in: main.asp is the 3G Mobile Hotspot page" contains "$page" "<title>3G Mobile Hotspot</title>"
check "session held by IP: another address is refused" test "$(code --interface 192.168.169.11 $U/main.asp)" = 401
check "setSysLang GET ?zhcn" test "$(code $I10 "$U/goform/setSysLang?zhcn")" = 302
check "GetmainData shows the language" contains "$(get $I10 $U/goform/GetmainData)" "lang=zhcn"
check "setSysLang POST en" test "$(code $I10 -d en $U/goform/setSysLang)" = 302
check "GetmainData shows en" contains "$(get $I10 $U/goform/GetmainData)" "lang=en"
page=$(get $I10 $U/adm/upload_firmware.asp)
check "upload page: UploadFirmware form to upload.cgi with field filename" \
  bash -c '[[ "$1" == *"name=\"UploadFirmware\""* && "$1" == *"/cgi-bin/upload.cgi"* && "$1" == *"name=\"filename\""* ]]' _ "$page"

out=$(telnet_session 192.168.169.1 23 "login: ")
check "telnet on 23 asks for a login" contains "$out" "login: "
check "… and is no MPR-L8 (no ZLMnet prompt)" lacks "$out" "ZLMnet"
out=$(telnet_session 192.168.169.1 23 "Login incorrect" hame wrong)
check "telnet: a wrong password gives Login incorrect" contains "$out" "Login incorrect"
out=$(telnet_session 192.168.169.1 23 "built-in shell" hame hame)
check "telnet: hame/hame gets a shell" contains "$out" "built-in shell"

up() { get $I10 "$@" $U/cgi-bin/upload.cgi; }
OW=$(fr_image openwrt)
page=$(up -F filename=@"$(fr_image openwrt-generic)")
check "uImage named 'MIPS OpenWrt Linux-…': Not a valid firmware" contains "$page" " . Not a valid firmware"
check "… and the page prints the name it read" contains "$page" "MIPS OpenWrt Linux-3.10.49"
check "Poray-encoded image: Not a valid firmware" contains "$(up -F filename=@"$(fr_image mprl8-stock)")" " . Not a valid firmware"
page=$(up -F filename=@"$(fr_image corrupt)")
check "corrupted data: its warning" contains "$page" '*** Warning: "'
check "corrupted data: has corrupted data!" contains "$page" 'has corrupted data!'
page=$(up -F filename=@"$(fr_image hame-stock 3866625)")
check "one byte larger than the partition: the oversize warning" \
  contains "$page" "*** Warning: the image file(0x3b0001) is bigger than Kernel_RootFS MTD partition."
check "oversize: Not a valid firmware" contains "$page" " . Not a valid firmware"
page=$(up -F UploadFirmwareSubmit=Apply -F filename=@"$OW")
check "a field before the file part: refused" contains "$page" " . Not a valid firmware"
page=$(up -F "filename=@$OW;headers=X-Extra: 1")
check "two header lines after Content-Disposition: mis-parsed, refused" contains "$page" " . Not a valid firmware"

# The exact shape by hand, but without the one extra header line.
B=----frtest
{ printf -- '%s\r\nContent-Disposition: form-data; name="filename"; filename="x.bin"\r\n\r\n' $B
  cat "$OW"; printf -- '\r\n%s--\r\n' $B; } > "$NETNS_TMP/noheader.body"
page=$(up -H "Content-Type: multipart/form-data; boundary=${B#--}" --data-binary @"$NETNS_TMP/noheader.body")
check "no header line after Content-Disposition: refused" contains "$page" " . Not a valid firmware"
ctl set reject-upload 1 >/dev/null
check "reject-upload fault: a valid image is refused" contains "$(up -F filename=@"$OW")" " . Not a valid firmware"
ctl set reject-upload 0 >/dev/null
check "the refusals were logged as mis-parses" contains "$(ctl events)" "upload.cgi MIS-PARSE"
check "nothing was written so far" test "$(state_field firmware_sha256)" = "$(partition_sha256 "$(fr_image hame-stock)")"

# The CGI's output flows while it writes: the page's start (with the image
# name) comes at once, the verdict after the flash write. A client that
# leaves early does not stop the write nor the reboot.
HAME=$(fr_image hame-stock)
ctl set slow-flash 50 >/dev/null
page=$(get $I10 -N --max-time 5 -F filename=@"$HAME" $U/cgi-bin/upload.cgi)
check "the page's start arrives before the write ends" contains "$page" "Image Name: Linux Kernel Image"
check "… the verdict does not" lacks "$page" "Upgrade is completed"
check "the client left, the unit still writes and reboots" ctl wait running/hame-stock@2 60
check "… with the image in the partition" test "$(state_field firmware_sha256)" = "$(partition_sha256 "$HAME")"
ctl set slow-flash 0 >/dev/null
check "after the reboot the session is gone" test "$(code $I10 $U/main.asp)" = 401
get $I10 -o /dev/null -d "admurl=/main.asp&admpass=$(md5 hame)" $U/goform/signin

# What a browser sends: file part first, the submit button after it (ignored).
page=$(up -F filename=@"$OW" -F UploadFirmwareSubmit=Apply)
check "valid 'Linux Kernel Image' file first: upgrade completed" \
  contains "$page" "Upgrade is completed and restarting, please re-connect later"
check "success page sends the browser to the LAN address after 60 000 ms" \
  bash -c '[[ "$1" == *"60000"* && "$1" == *"http://192.168.169.1"* ]]' _ "$page"
check "title Upload Firmware" contains "$page" "<title>Upload Firmware</title>"
check "reboots into OpenWrt" ctl wait running/openwrt 30
check "the partition holds exactly the uploaded image" \
  test "$(state_field firmware_sha256)" = "$(partition_sha256 "$OW")"
check "boot count went up" test "$(state_field boot_count)" = 3
pc_addr 192.168.1.10/24
check "OpenWrt answers at 192.168.1.1 without a Server header" \
  bash -c '! "$@" | grep -qi "^Server:"' _ pc curl -s -D - -o /dev/null http://192.168.1.1/
check "the old address is gone" test "$(code --connect-timeout 2 $U/)" = 000

tap_done
