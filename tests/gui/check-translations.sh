#!/usr/bin/env bash
# Every language in po/LINGUAS must be complete for the CURRENT sources: each
# .po is merged with a fresh template first, so a string added to the code
# without its translations fails here, as does any fuzzy or untranslated entry
# or a format directive msgfmt --check rejects.
# usage: check-translations.sh SOURCE-ROOT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$here/make-pot.sh" . "$tmp/mprflash.pot"
langs=$(grep -v -e '^#' -e '^[[:space:]]*$' po/LINGUAS || true)
if [ -z "$langs" ]; then
  echo "1..0 # SKIP po/LINGUAS lists no language yet"
  exit 0
fi

n=0; status=0
echo "1..$(wc -w <<<"$langs")"
for ll in $langs; do
  n=$((n + 1))
  if [ ! -f "po/$ll.po" ]; then
    echo "not ok $n - $ll: po/$ll.po is missing"; status=1; continue
  fi
  msgmerge --quiet --no-fuzzy-matching -o "$tmp/$ll.po" "po/$ll.po" "$tmp/mprflash.pot"
  if ! stats=$(msgfmt --check --statistics -o /dev/null "$tmp/$ll.po" 2>&1); then
    echo "not ok $n - $ll: msgfmt --check failed"; sed 's/^/# /' <<<"$stats"; status=1; continue
  fi
  if grep -qE 'untranslated|fuzzy' <<<"$stats"; then
    echo "not ok $n - $ll: $stats"
    msgattrib --untranslated --only-fuzzy "$tmp/$ll.po" 2>/dev/null | grep '^msgid' | head -5 | sed 's/^/# /' || true
    msgattrib --untranslated "$tmp/$ll.po" 2>/dev/null | grep '^msgid' | head -5 | sed 's/^/# /' || true
    status=1; continue
  fi
  echo "ok $n - $ll: $stats"
done
exit "$status"
