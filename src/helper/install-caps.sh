#!/bin/sh
# meson install script (-Dhelper_caps=true): give the installed helper the
# three network capabilities so it runs without pkexec. $1 is relative to
# the prefix; DESTDIR installs (packaging) get the caps from the package.
set -e
target="${MESON_INSTALL_DESTDIR_PREFIX}/$1"
if [ -n "${DESTDIR:-}" ]; then
  echo "mprflash-helper: DESTDIR install; set file capabilities in the package (setcap cap_net_raw,cap_net_bind_service,cap_net_admin+ep)" >&2
  exit 0
fi
setcap cap_net_raw,cap_net_bind_service,cap_net_admin+ep "$target"
echo "mprflash-helper: capabilities set on $target"
