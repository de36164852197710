#!/usr/bin/env bash
# Runs test-helper-client (MpfHelperClient against the real helper) inside
# the pc side of a fresh namespace pair; exits 77 unless root.
set -euo pipefail
. "$MPF_SOURCE_ROOT/tests/netns/lib.sh"
netns_setup
export MPF_HELPER_PATH=$MPF_BUILD_ROOT/src/helper/mprflash-helper
pc "$1" "$IF_PC"
