#!/usr/bin/env bash
# po/POTFILES.in must list every file with translatable strings, and only files
# that exist: a missing entry means strings nobody can translate.
# usage: check-potfiles.sh SOURCE-ROOT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$1"

listed=$(grep -v -e '^#' -e '^[[:space:]]*$' po/POTFILES.in | sort -u)
status=0

for f in $listed; do
  [ -f "$f" ] || { echo "po/POTFILES.in lists $f, which does not exist"; status=1; }
done

# What carries translatable strings: C calls to _(), N_(), C_(), NC_(), Q_(),
# ngettext() and friends; .ui properties marked translatable; desktop entries,
# metainfo, settings schemas and polkit policies (translated through ITS rules).
needed=$(
  {
    grep -rlE --include='*.c' --include='*.h' \
      '(^|[^A-Za-z0-9_])(N?C?_|Q_|g_dn?gettext|g_dpgettext2?|n?gettext)[[:space:]]*\(' src || true
    grep -rlE --include='*.ui' 'translatable="yes"' ui src || true
    find data -name '*.desktop.in' -o -name '*.metainfo.xml.in' -o -name '*.gschema.xml' \
              -o -name '*.policy' -o -name '*.policy.in'
  } | sort -u
)

for f in $needed; do
  grep -qxF "$f" <<<"$listed" || { echo "$f has translatable strings but is not in po/POTFILES.in"; status=1; }
done

# xgettext (with the keywords of meson's glib preset) must read every listed
# file and find strings in it; otherwise the entry, or the file's markup, is wrong.
pot=$(mktemp)
trap 'rm -f "$pot"' EXIT
if "$here/make-pot.sh" . "$pot"; then
  for f in $listed; do
    grep -q "^#:.* $f:[0-9]" "$pot" || { echo "xgettext found no strings in $f"; status=1; }
  done
else
  echo "xgettext failed on po/POTFILES.in"; status=1
fi

[ "$status" -eq 0 ] && echo "po/POTFILES.in lists all $(wc -w <<<"$needed") translatable files"
exit "$status"
