#!/usr/bin/env bash
# Screenshots of the real mprflash for the README and the metainfo, light and
# dark, taken under Xvfb with a private session bus: the welcome page and the
# wizard walked against the simulated router (build-aux/screenshots-wizard.py),
# and the welcome page translated (ru) and right to left (ar).
# and the welcome and goal pages with large text (GNOME's text scaling 1.5).
# usage: build-aux/screenshots.sh [BUILD-DIR [all|wizard|languages|large]]
#        (default: build, all; run dev.sh once first)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$top/build}")
which=${2:-all}
out=$top/data/screenshots
app=$build/src/gui/mprflash
[ -x "$app" ] || { echo "no $app: build first (build-aux/dev.sh run, or ninja -C build)" >&2; exit 1; }
for tool in xvfb-run dbus-run-session xdotool /usr/bin/import /usr/bin/convert; do
  command -v "$tool" >/dev/null || { echo "missing $tool (build-aux/dev.sh test installs it)" >&2; exit 1; }
done
mkdir -p "$out"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One shot: start the app, wait for its window, capture just that window.
# libadwaita reads the colour scheme from the settings portal, which does not
# exist headless; ADW_DEBUG_COLOR_SCHEME is libadwaita's own override for that.
shoot() {
  local scheme=$1 file=$2
  # Large text: GTK 4.8 on X11 takes the font resolution from the X resource
  # Xft.dpi (no settings daemon here; settings.ini's gtk-xft-dpi is not read),
  # which Xlib also finds in the file $XENVIRONMENT names.
  printf 'Xft.dpi: %s\n' "${SHOT_DPI:-96}" > "$tmp/xresources"
  XENVIRONMENT=$tmp/xresources \
  HOME=$tmp XDG_CONFIG_HOME=$tmp/config XDG_CACHE_HOME=$tmp/cache XDG_DATA_HOME=$tmp/data \
  GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR=$build/data \
  ADW_DEBUG_COLOR_SCHEME=$scheme LANGUAGE=${SHOT_LANGUAGE:-} LANG=${SHOT_LANG:-${LANG:-}} \
  MPF_LOCALEDIR=$build/po GDK_DEBUG=gl-disable \
  xvfb-run -a -s '-screen 0 1280x1024x24' dbus-run-session -- bash -c '
    "$1" 2>/dev/null &
    pid=$!
    win=$(timeout 20 xdotool search --sync --onlyvisible --name "^MPR Flash$" | head -n 1)
    [ -z "${SHOT_SIZE:-}" ] || xdotool windowsize --sync "$win" $SHOT_SIZE
    # SHOT_KEYS: keys pressed first (xdotool key syntax), e.g. Return for the goal page.
    for k in ${SHOT_KEYS:-}; do sleep 0.5; xdotool key --window "$win" "$k"; done
    sleep 1   # let the first frames settle (fonts, icons)
    /usr/bin/import -window "$win" "$2"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  ' _ "$app" "$file" 2>/dev/null
  # Keep the files small and free of timestamps so regenerating them changes nothing.
  /usr/bin/convert "$file" -strip -define png:exclude-chunks=date,time "$file"
  echo "wrote ${file#$top/}"
}

# The wizard's key pages, walked through AT-SPI against the simulated router
# (`--demo`): welcome, goal, found, image, confirm, progress, done.
walk() {
  local scheme=$1 suffix=$2
  HOME=$tmp XDG_CONFIG_HOME=$tmp/config XDG_CACHE_HOME=$tmp/cache XDG_DATA_HOME=$tmp/data \
  GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR=$build/data GDK_DEBUG=gl-disable \
  ADW_DEBUG_COLOR_SCHEME=$scheme LANGUAGE=${SHOT_LANGUAGE:-} MPF_DEMO_TIME_SCALE=0.05 \
  xvfb-run -a -s '-screen 0 1280x1024x24' dbus-run-session -- \
    /usr/bin/python3 "$top/build-aux/screenshots-wizard.py" "$app" "$out" "$suffix" 2>/dev/null \
    | sed "s|$top/||"
}

if [ "$which" = all ] || [ "$which" = wizard ]; then
  walk prefer-light light
  walk prefer-dark dark
fi

# Translated and right to left, from the build tree's catalogues (MPF_LOCALEDIR:
# `ninja` builds po/<ll>/LC_MESSAGES/mprflash.mo, no install needed). gettext
# ignores LANGUAGE under the C locale, and C.UTF-8 (always present) is not C;
# GTK takes the text direction from its own Arabic catalogue.
if [ "$which" = all ] || [ "$which" = languages ]; then
  for lang in ru ar; do
    [ -f "$build/po/$lang/LC_MESSAGES/mprflash.mo" ] || { echo "no $lang catalogue in $build/po" >&2; exit 1; }
  done
  SHOT_LANG=C.UTF-8 SHOT_LANGUAGE=ru shoot prefer-light "$out/welcome-ru.png"
  SHOT_LANG=C.UTF-8 SHOT_LANGUAGE=ar shoot prefer-light "$out/welcome-ar.png"
fi

# Large text: GNOME's "Large Text" is a text scaling of 1.5, i.e. 144 dpi
# (Xft/DPI), in a 1024×768 window.
if [ "$which" = all ] || [ "$which" = large ]; then
  SHOT_DPI=144 SHOT_SIZE="1024 768" shoot prefer-light "$out/welcome-large.png"
  SHOT_DPI=144 SHOT_SIZE="1024 768" SHOT_KEYS=Return shoot prefer-light "$out/goal-large.png"
fi
