#!/usr/bin/env bash
# The command line is translated too: with a language from po/LINGUAS and the
# build tree's catalogues, mprflash-cli's messages and help come out in it.
# usage: check-cli-translated.sh MPRFLASH-CLI BUILD-PO-DIR
set -uo pipefail
cli=$1 podir=$2
n=0 status=0
check() {
  local what=$1 out=$2 english=$3
  n=$((n + 1))
  if [ -n "$out" ] && ! grep -qF -- "$english" <<<"$out"; then
    echo "ok $n - $what"
  else
    echo "not ok $n - $what"; sed 's/^/# /' <<<"$out"; status=1
  fi
}
echo "1..10"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# 4 MiB: 327680 bytes more than the MPR-A1's firmware partition (0x3b0000).
truncate -s 4M "$tmp/big.bin"
# Messages with numbers in them: their msgids were once cut at a "%"
# G_GINT64_FORMAT and so never translated although the .po files had them.
numbers() {
  local what=$1 out=$2 english=$3
  n=$((n + 1))
  if grep -qF "327680" <<<"$out" && grep -qF "4194304" <<<"$out" && ! grep -qF -- "$english" <<<"$out"; then
    echo "ok $n - $what"
  else
    echo "not ok $n - $what"; sed 's/^/# /' <<<"$out"; status=1
  fi
}
# English first, so the checks below know which text must disappear.
en=$(LANG=C.UTF-8 LANGUAGE= "$cli" image check --board MPR-A1 "$tmp/missing.bin" 2>&1)
en_help=$(LANG=C.UTF-8 LANGUAGE= "$cli" --help 2>&1)
grep -q "Exit status:" <<<"$en_help" || { echo "not ok 1 - English help has no 'Exit status:'"; exit 1; }
first_en=$(head -n 1 <<<"$en")
en_desc="No official download: bring your own copy."
grep -qF "$en_desc" <<<"$(LANG=C.UTF-8 LANGUAGE= "$cli" catalog list 2>&1)" ||
  { echo "not ok 1 - English catalog list lacks the description \"$en_desc\""; exit 1; }
en_big=$(LANG=C.UTF-8 LANGUAGE= "$cli" image inspect --board MPR-A1 "$tmp/big.bin" 2>&1)
grep -qF "too big by 327680 bytes" <<<"$en_big" && grep -qF "firmware partition holds" <<<"$en_big" ||
  { echo "not ok 1 - English inspect of a too-big image does not say so"; sed 's/^/# /' <<<"$en_big"; exit 1; }
for ll in de ru; do
  [ -f "$podir/$ll/LC_MESSAGES/mprflash.mo" ] || { echo "not ok - $ll catalogue not built in $podir"; exit 1; }
  out=$(LANG=C.UTF-8 LANGUAGE=$ll MPF_LOCALEDIR=$podir "$cli" image check --board MPR-A1 "$tmp/missing.bin" 2>&1)
  check "$ll: the missing-file error is translated" "$out" "$first_en"
  out=$(LANG=C.UTF-8 LANGUAGE=$ll MPF_LOCALEDIR=$podir "$cli" --help 2>&1)
  check "$ll: --help is translated" "$out" "Exit status:"
  out=$(LANG=C.UTF-8 LANGUAGE=$ll MPF_LOCALEDIR=$podir "$cli" image check --board MPR-A1 "$tmp/big.bin" 2>&1)
  numbers "$ll: the too-big verdict with its byte counts is translated" "$out" "firmware partition holds"
  out=$(LANG=C.UTF-8 LANGUAGE=$ll MPF_LOCALEDIR=$podir "$cli" image inspect --board MPR-A1 "$tmp/big.bin" 2>&1)
  numbers "$ll: inspect's size and fit rows are translated" "$out" "too big by 327680 bytes"
  # The catalogue's descriptions come from data/catalog.json, not the C sources.
  out=$(LANG=C.UTF-8 LANGUAGE=$ll MPF_LOCALEDIR=$podir "$cli" catalog list 2>&1)
  check "$ll: catalog list shows translated descriptions" "$out" "$en_desc"
done
exit "$status"
