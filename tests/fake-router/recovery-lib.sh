# Shared by the recovery tests (test-recovery-*.sh): the simulated bootloader
# against Debian's tftpd-hpa (in.tftpd) in the pc namespace. Builds on fr-lib.sh
# (the simulator's test library) and tests/netns/lib.sh.
#   . "$MPF_SOURCE_ROOT/tests/fake-router/recovery-lib.sh"
#   rec_setup                   # namespaces, pc holds nothing yet, capture on pc0
#   fr_flash erased; fr_start --reset-held
#   rec_serve FILE [in.tftpd options]   # pc takes 192.168.1.55, serves FILE as <mac12>

. "$MPF_SOURCE_ROOT/tests/fake-router/fr-lib.sh"

REC_DATA=$MPF_SOURCE_ROOT/tests/data
MAC12=9c417c75a478   # fr-lib's --init-flash default factory MAC

rec_setup() {
  command -v in.tftpd >/dev/null || { echo "SKIP: in.tftpd (tftpd-hpa) is not installed" >&2; exit 77; }
  command -v tcpdump >/dev/null || { echo "SKIP: tcpdump is not installed" >&2; exit 77; }
  fr_setup "$@"
  SRV=$NETNS_TMP/srv
  CAP=$NETNS_TMP/cap.pcap
  mkdir -p "$SRV"
  chmod 755 "$NETNS_TMP" "$SRV"
  # Everything on the wire, from before the router exists.
  netns_spawn pc "$NETNS_TMP/tcpdump.log" tcpdump -U -n -i "$IF_PC" -w "$CAP" 'arp or udp'
  wait_for 10 "tcpdump listening" file_contains "$NETNS_TMP/tcpdump.log" "listening on"
}

# rec_serve FILE [OPTIONS...]: the PC side of recovery, by hand: address and TFTP.
rec_serve() {
  local file=$1
  shift
  cp "$file" "$SRV/$MAC12"
  chmod 644 "$SRV/$MAC12"
  if ! pc ip -4 addr show dev "$IF_PC" | grep -q 192.168.1.55; then
    pc_addr 192.168.1.55/24
  fi
  if [ -z "${TFTPD_PID:-}" ]; then
    netns_spawn pc "$NETNS_TMP/tftpd.log" in.tftpd -L -s "$SRV" -a 192.168.1.55:69 "$@"
    TFTPD_PID=$NETNS_PID
    wait_for 10 "in.tftpd on 192.168.1.55:69" netns_udp_listening pc 69
  fi
}

rec_unserve() {
  [ -n "${TFTPD_PID:-}" ] && netns_stop "$TFTPD_PID"
  TFTPD_PID=
}

# The router's events, one per line, from its stderr log.
events() { sed -n 's/^fake-router *[0-9]* ms \[\([a-z]*\)\] /[\1] /p' "$NETNS_TMP/router.log"; }
ev_count() { events | grep -cF -- "$1" || true; }
has_event() { [ "$(ev_count "$1")" -ge "${2:-1}" ]; }
# wait_event PATTERN [N] [SECONDS]
wait_event() { wait_for "${3:-30}" "event '$1' x${2:-1}" has_event "$1" "${2:-1}"; }

# UDP payloads (hex, one packet a line) in the capture matching a tcpdump filter.
udp_payloads() {
  tcpdump -r "$CAP" -nn -x "$@" 2>/dev/null |
    awk '/^[0-9]/ { if (h != "") print h; h = ""; next } { for (i = 2; i <= NF; i++) h = h $i } END { if (h != "") print h }' |
    cut -c57-
}
arp_who_has_count() {
  tcpdump -r "$CAP" -nn arp 2>/dev/null | grep -c "Request who-has 192.168.1.55 tell 192.168.1.2" || true
}
arp_at_least() { [ "$(arp_who_has_count)" -ge "$1" ]; }
# capture_has FILTER: at least one packet matches (tcpdump writes packet by packet).
capture_has() { [ "$(tcpdump -r "$CAP" -nn "$@" 2>/dev/null | wc -l)" -ge 1 ]; }
hex() { od -An -v -tx1 | tr -d ' \n'; }

# CRC32 (zlib) of stdin, unsigned decimal: gzip's trailer holds it.
crc32_u() { gzip -c | tail -c 8 | head -c 4 | od -An -tu4 | tr -d ' \n'; }
signed32() { local v=$1; [ "$v" -ge 2147483648 ] && v=$((v - 4294967296)); echo "$v"; }

le32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }

# make_container UIMAGE OUT: the layout of RECOVERY.md, built here with shell
# tools (independent of the product's packer; checked against the vectors).
make_container() {
  local n p crc
  n=$(stat -c %s "$1")
  p=$((((n >> 16) + 1) << 16))
  make_container_raw "$1" "$2" "$p" 8
}
# make_container_raw FILE OUT P TYPE: one entry of TYPE and length P
# (FILE padded with zeros to P, or cut to it).
make_container_raw() {
  local body=$2.body crc
  {
    printf "$(le32 1)$(le32 "$4")$(le32 1)$(le32 0)$(le32 "$3")"
    { cat "$1"; head -c "$3" /dev/zero; } | head -c "$3"
  } >"$body"
  crc=$(tail -c +5 "$body" | crc32_u)   # bytes 12..end of the file
  { printf "$(le32 5)$(le32 "$crc")"; cat "$body"; } >"$2"
  rm -f "$body"
}

# rec_container KIND SIZE: a bootable synthetic firmware of the simulator
# (fr_image: hame-stock, openwrt, ...) packed as a container; prints its path.
rec_container() {
  local out=$NETNS_TMP/$1-$2.container
  [ -f "$out" ] || make_container "$(fr_image "$1" "$2")" "$out"
  echo "$out"
}

# make_uimage SIZE OUT [NAME]: a legacy uImage of SIZE bytes in all.
make_uimage() {
  local data=$2.data
  head -c $(($1 - 64)) /dev/urandom >"$data"
  SOURCE_DATE_EPOCH=1400000000 mkimage -A mips -O linux -T kernel -C lzma -a 0x80000000 \
    -e 0x80000000 -n "${3:-MIPS OpenWrt Linux-3.10.49}" -d "$data" "$2" >/dev/null
  rm -f "$data"
}

# flash_at OFFSET LEN: bytes of the flash file.
flash_at() { tail -c +$(($1 + 1)) "$FLASH" | head -c "$2"; }
# firmware_is CONTAINER: the flash at 0x50000 holds the container's P bytes.
firmware_is() {
  local p
  p=$(head -c 28 "$1" | tail -c 4 | od -An -tu4 | tr -d ' ')
  cmp <(flash_at $((0x50000)) "$p") <(tail -c +29 "$1" | head -c "$p")
}
