#!/usr/bin/env bash
# One entry point for people and CI on Debian 12:
#   build-aux/dev.sh run [ARGS...]   install dependencies, build, run mprflash with ARGS
#   build-aux/dev.sh test [ARGS...]  install dependencies, build, run every test, then the
#                                    whole suite again under AddressSanitizer +
#                                    UndefinedBehaviorSanitizer (build-asan/, clang, with the
#                                    libFuzzer targets); ARGS go to both `meson test` calls.
# Run it as root or as a normal user: only apt-get is run through sudo, and only when a
# package is missing. Tests that need root or network namespaces report "skipped" as a
# normal user; CI runs as root, so they run there.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# Packages: what builds the app, then what the tests use as real peers
# (mkimage, tftpd-hpa, curl, dnsmasq, NetworkManager, qemu's U-Boot, Xvfb, AT-SPI ...).
build_pkgs=(
  meson ninja-build pkg-config gcc gettext python3
  libglib2.0-dev libglib2.0-dev-bin libglib2.0-bin libgtk-4-dev libadwaita-1-dev
  libsoup-3.0-dev libpcap-dev libnm-dev libjson-glib-dev zlib1g-dev libcap-dev
  desktop-file-utils appstream libxml2-utils
)
test_pkgs=(
  clang lld libclang-rt-14-dev
  u-boot-tools tftpd-hpa tftp-hpa atftp curl dnsmasq-base nftables iproute2 tcpdump
  network-manager dbus dbus-daemon policykit-1 libcap2-bin
  qemu-system-mips u-boot-qemu expect
  xvfb xauth xdotool imagemagick at-spi2-core python3-dogtail python3-gi libgtk-4-bin
  flatpak-builder adwaita-icon-theme librsvg2-common
  locales
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    echo "dev.sh: installing packages needs root: run this once as root, or install sudo." >&2
    exit 1
  fi
}

install_deps() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing: ${missing[*]}"
  as_root apt-get update -qq
  # tftpd-hpa's postinst starts a daemon on the host's port 69; the tests only
  # ever run in.tftpd by hand inside their own namespaces.
  as_root env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
  as_root sh -c 'if command -v systemctl >/dev/null; then systemctl disable --now tftpd-hpa; fi; service tftpd-hpa stop; true' \
    >/dev/null 2>&1 || true
}

# Set up a build directory, or bring an existing one up to date (also one whose
# previous setup failed half-way).
configure() {
  local dir=$1; shift
  if [ -f "$dir/meson-private/coredata.dat" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null || meson setup --wipe "$dir" "$@"
  else
    meson setup "$dir" "$@"
  fi
}

# meson test writes one JSON object per test to testlog.json; count them so the
# run ends with one plain line covering both passes.
passed=0 failed=0 skipped=0
count_results() {
  local log=$1/meson-logs/testlog.json p f s
  if [ ! -f "$log" ]; then
    echo "$1: no test log (the test run did not start)"
    failed=$((failed + 1))
    return
  fi
  read -r p f s < <(/usr/bin/python3 - "$log" <<'PY'
import json, sys
ok = bad = skip = 0
with open(sys.argv[1]) as f:
    for line in f:
        if not line.strip():
            continue
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            ok += 1
        elif r == "SKIP":
            skip += 1
        else:  # FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, INTERRUPT
            bad += 1
print(ok, bad, skip)
PY
)
  echo "$1: $p passed, $f failed, $s skipped"
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

cmd=${1:-}
shift || true
case "$cmd" in
  run)
    install_deps "${build_pkgs[@]}"
    configure build
    ninja -C build
    # Uninstalled run: the settings schema comes from the build tree.
    export GSETTINGS_SCHEMA_DIR="$top/build/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}"
    exec build/src/gui/mprflash "$@"
    ;;
  test)
    install_deps "${build_pkgs[@]}" "${test_pkgs[@]}"
    status=0
    configure build
    ninja -C build
    rm -f build/meson-logs/testlog.json
    meson test -C build --print-errorlogs --num-processes 2 "$@" || status=1
    count_results build
    # Second pass under the sanitizers; the libFuzzer targets are built with clang here.
    CC=clang configure build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dfuzzing=true
    ninja -C build-asan
    rm -f build-asan/meson-logs/testlog.json
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
      meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 3 "$@" || status=1
    count_results build-asan
    if [ "$(id -u)" -ne 0 ] && [ "$skipped" -gt 0 ]; then
      echo "Not root: the tests that need root or network namespaces were skipped."
    fi
    echo "$passed passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ] || status=1
    exit "$status"
    ;;
  *)
    echo "usage: $0 run [ARGS...] | test [MESON-TEST-ARGS...]" >&2
    exit 2
    ;;
esac
