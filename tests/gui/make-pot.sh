#!/usr/bin/env bash
# Writes the message template for the current sources, with the keywords of
# meson's glib preset, so the i18n tests judge exactly what ships.
# usage: make-pot.sh SOURCE-ROOT OUT.pot
set -euo pipefail
cd "$1"
xgettext --package-name=mprflash --from-code=UTF-8 --add-comments -f po/POTFILES.in -o "$2" \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dcgettext:2 \
  --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3
