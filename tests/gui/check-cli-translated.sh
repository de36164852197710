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
echo "1..4"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# English first, so the checks below know which text must disappear.
en=$(LANG=C.UTF-8 LANGUAGE= "$cli" image check --board MPR-A1 "$tmp/missing.bin" 2>&1)
en_help=$(LANG=C.UTF-8 LANGUAGE= "$cli" --help 2>&1)
grep -q "Exit status:" <<<"$en_help" || { echo "not ok 1 - English help has no 'Exit status:'"; exit 1; }
first_en=$(head -n 1 <<<"$en")
for ll in de ru; do
  [ -f "$podir/$ll/LC_MESSAGES/mprflash.mo" ] || { echo "not ok - $ll catalogue not built in $podir"; exit 1; }
  out=$(LANG=C.UTF-8 LANGUAGE=$ll MPF_LOCALEDIR=$podir "$cli" image check --board MPR-A1 "$tmp/missing.bin" 2>&1)
  check "$ll: the missing-file error is translated" "$out" "$first_en"
  out=$(LANG=C.UTF-8 LANGUAGE=$ll MPF_LOCALEDIR=$podir "$cli" --help 2>&1)
  check "$ll: --help is translated" "$out" "Exit status:"
done
exit "$status"
