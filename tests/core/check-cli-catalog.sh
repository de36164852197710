#!/usr/bin/env bash
# `mprflash-cli catalog list|fetch` and `flash --catalog` downloading, against
# a private catalogue whose files come from a file:// mirror and from an HTTP
# server on loopback. Prints TAP.
# usage: check-cli-catalog.sh MPRFLASH-CLI
set -uo pipefail
cli=$1
tmp=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME=$tmp/cache LANGUAGE=C LC_ALL=C.UTF-8
# GIO's libproxy module throws C++ exceptions internally, which abort in the
# ASan build (no C++ interceptors in a C program); proxies are not under test.
export GIO_USE_PROXY_RESOLVER=dummy
cache=$XDG_CACHE_HOME/mprflash/catalog
n=0 failed=0
check() { # check NAME COMMAND...
  n=$((n + 1))
  if "${@:2}"; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=1; fi
}

# The built-in catalogue.
out=$("$cli" catalog list)
check "list shows the built-in OpenWrt entries" grep -q '^openwrt-15.05.1-mpr-a1-sysupgrade$' <<<"$out"
out=$("$cli" catalog list --board MPR-A2 --json)
check "--board keeps only that board's images" /usr/bin/python3 -c '
import json, sys
l = json.loads(sys.argv[1])
assert l and all("MPR-A2" in e["boards"] for e in l), l
assert all(e["cached"] is None for e in l), l' "$out"
"$cli" catalog list --board XYZ >/dev/null 2>&1; rc=$?
check "an unknown board is a usage error (2)" test "$rc" -eq 2
"$cli" catalog fetch no-such-entry >/dev/null 2>"$tmp/err"; rc=$?
check "fetching an unknown entry is a usage error that says what to run" \
  bash -c '[ "$0" -eq 2 ] && grep -q "catalog list" "$1"' "$rc" "$tmp/err"

# A private catalogue: a good entry, one with the wrong checksum, one only on HTTP.
mirror=$tmp/mirror
mkdir -p "$mirror"
cp "$MPF_TEST_DATA/poray/small.uimage" "$mirror/good.bin"
cp "$mirror/good.bin" "$mirror/bad.bin"
# (the catalogue wants one checksum per entry: the HTTP one has a byte more)
{ cat "$mirror/good.bin"; printf x; } >"$mirror/web.bin"
entry() { # entry ID FILE [SHA]: size and checksum of the mirror's FILE
  local sha=${3:-$(sha256sum "$mirror/$2" | cut -d' ' -f1)}
  printf '{"id":"%s","family":"openwrt","version":"14.07","boards":["MPR-A1"],"format":"uimage","file_name":null,"size":%s,"sha256":"%s","url":"https://downloads.example/fw/%s","description":"test"}' \
    "$1" "$(stat -c %s "$mirror/good.bin")" "$sha" "$2"
}
printf '{"version":1,"images":[%s,%s,%s,%s]}\n' "$(entry t-good good.bin)" \
  "$(entry t-bad bad.bin "$(printf '0%.0s' {1..64})")" \
  "$(entry t-web web.bin | sed "s/\"size\":[0-9]*/\"size\":$(stat -c %s "$mirror/web.bin")/")" \
  "$(entry t-missing missing.bin "$(printf '1%.0s' {1..64})")" >"$tmp/catalog.json"
export MPF_CATALOG_FILE=$tmp/catalog.json

path=$(MPF_CATALOG_BASE_URL=file://$mirror "$cli" catalog fetch t-good); rc=$?
check "fetch prints the cached file's path" test "$rc" -eq 0 -a "$path" = "$cache/t-good"
check "the cached file is the mirror's file" cmp -s "$path" "$mirror/good.bin"
out=$("$cli" catalog list --json)
check "list reports the cached copy" /usr/bin/python3 -c '
import json, sys
l = {e["id"]: e for e in json.loads(sys.argv[1])}
assert l["t-good"]["cached"] == sys.argv[2] and l["t-bad"]["cached"] is None, l' "$out" "$cache/t-good"

MPF_CATALOG_BASE_URL=file://$mirror "$cli" catalog fetch t-bad >/dev/null 2>"$tmp/err"; rc=$?
check "a download with the wrong checksum is refused (1) and says so" \
  bash -c '[ "$0" -eq 1 ] && grep -q "checksum" "$1"' "$rc" "$tmp/err"
check "and nothing of it stays in the cache" bash -c '! ls "$0" | grep -q t-bad' "$cache"

# libsoup's path: an HTTP server on loopback only.
/usr/bin/python3 -u -m http.server --bind 127.0.0.1 --directory "$mirror" 0 >"$tmp/http.log" 2>&1 &
server=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$tmp/http.log" | head -n 1)
  [ -n "$port" ] && break
  sleep 0.1
done
check "the loopback HTTP server started" test -n "$port"
path=$(MPF_CATALOG_BASE_URL=http://127.0.0.1:$port "$cli" catalog fetch t-web 2>"$tmp/err"); rc=$?
check "fetch over HTTP verifies and caches the file" \
  bash -c '[ "$0" -eq 0 ] && cmp -s "$1" "$2"' "$rc" "$path" "$mirror/web.bin"
MPF_CATALOG_BASE_URL=http://127.0.0.1:$port "$cli" catalog fetch t-missing >/dev/null 2>"$tmp/err"; rc=$?
check "a missing file (404) is an I/O failure (3) naming the server's answer" \
  bash -c '[ "$0" -eq 3 ] && grep -q "404" "$1"' "$rc" "$tmp/err"

# flash --catalog downloads first and refuses a bad download before any network work.
MPF_CATALOG_BASE_URL=file://$mirror "$cli" flash --catalog t-bad --yes >"$tmp/out" 2>"$tmp/err"; rc=$?
check "flash --catalog with a bad download stops before the network" \
  bash -c '[ "$0" -ne 0 ] && grep -q "checksum" "$1" && ! grep -qi "router" "$2"' "$rc" "$tmp/err" "$tmp/out"

echo "1..$n"
exit "$failed"
