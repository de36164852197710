#!/usr/bin/env bash
# `meson install` into a temporary DESTDIR must give a complete tree. What is
# required follows from the project: the CLI and the helper once the build
# defines them, the demo's simulated router with the GUI, a policy once data/
# has one, a catalogue per language in po/LINGUAS.
# usage: check-install.sh BUILD-ROOT SOURCE-ROOT BINDIR LIBEXECDIR DATADIR LOCALEDIR GUI(true|false)
set -euo pipefail
build=$1 src=$2 bindir=$3 libexecdir=$4 datadir=$5 localedir=$6 gui=$7
app_id=io.github.mprflash.MprFlash

dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --no-rebuild --quiet

required=(
  "$datadir/applications/$app_id.desktop"
  "$datadir/metainfo/$app_id.metainfo.xml"
  "$datadir/icons/hicolor/scalable/apps/$app_id.svg"
  "$datadir/icons/hicolor/symbolic/apps/$app_id-symbolic.svg"
  "$datadir/glib-2.0/schemas/$app_id.gschema.xml"
)
[ "$gui" = true ] && required+=("$bindir/mprflash")
# `mprflash --demo` runs the simulated router from LIBEXECDIR once installed.
[ "$gui" = true ] && required+=("$libexecdir/mprflash-demo-router")
# The programs once the build defines them: each must be installed, where it belongs.
targets=$(meson introspect --targets "$build")
has_target() {
  /usr/bin/python3 -c 'import json, sys; sys.exit(not any(t["name"] == sys.argv[1] for t in json.load(sys.stdin)))' "$1" <<<"$targets"
}
has_target mprflash-cli && required+=("$bindir/mprflash-cli")
has_target mprflash-helper && required+=("$libexecdir/mprflash-helper")
for lang in $(grep -v '^#' "$src/po/LINGUAS" || true); do
  required+=("$localedir/$lang/LC_MESSAGES/mprflash.mo")
done

status=0
for f in "${required[@]}"; do
  if [ -f "$dest$f" ]; then echo "installed: $f"; else echo "MISSING: $f"; status=1; fi
done
for f in "$bindir/mprflash" "$bindir/mprflash-cli" "$libexecdir/mprflash-helper" "$libexecdir/mprflash-demo-router"; do
  if [ -e "$dest$f" ] && [ ! -x "$dest$f" ]; then echo "NOT EXECUTABLE: $f"; status=1; fi
done
if compgen -G "$src/data/*.policy*" >/dev/null &&
   ! compgen -G "$dest$datadir/polkit-1/actions/*.policy" >/dev/null; then
  echo "MISSING: a polkit policy in $datadir/polkit-1/actions"; status=1
fi

# The installed desktop file must start what was installed.
exec_line=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$dest$datadir/applications/$app_id.desktop")
if [ "$gui" = true ] && [ ! -x "$dest$bindir/$exec_line" ]; then
  echo "the desktop file runs '$exec_line', which is not in $bindir"; status=1
fi
glib-compile-schemas --strict --dry-run "$dest$datadir/glib-2.0/schemas" ||
  { echo "the installed schemas do not compile"; status=1; }

echo "$(find "$dest" -type f | wc -l) files installed"
exit "$status"
