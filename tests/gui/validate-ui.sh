#!/usr/bin/env bash
# Validate every GtkBuilder file with gtk4-builder-tool, which needs a display
# (Xvfb) and libadwaita's types (the preloaded module given as $1).
# usage: validate-ui.sh PRELOAD.so UI-DIR   (every UI-DIR/*.ui, so new files are covered)
set -euo pipefail
preload=$(realpath "$1")
shopt -s nullglob
files=("$2"/*.ui)
[ ${#files[@]} -gt 0 ] || { echo "no .ui files in $2" >&2; exit 1; }

# GTK writes to ~/.cache; keep it out of the user's home.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp XDG_CACHE_HOME=$tmp/cache XDG_CONFIG_HOME=$tmp/config GTK_A11Y=none

status=0
for ui in "${files[@]}"; do
  # A file that holds custom widgets (<object class="Mpf…">) gets their stand-ins.
  standins=
  grep -q '<object class="Mpf' "$ui" && standins=1
  if xvfb-run -a env LD_PRELOAD="$preload" ${standins:+MPF_VALIDATE_STANDINS=1} gtk4-builder-tool validate "$ui"; then
    echo "ok: $ui"
  else
    echo "INVALID: $ui" >&2
    status=1
  fi
done
exit "$status"
