#!/usr/bin/python3
"""The Flatpak manifest parses (flatpak-builder --show-manifest), asks for
exactly the permissions mprflash needs, and builds what the GNOME runtime lacks.
usage: check-flatpak.py MANIFEST"""
import json
import subprocess
import sys

ALLOWED = {
    "--share=network",                                  # HTTP to the router, TFTP
    "--system-talk-name=org.freedesktop.NetworkManager", # temporary address
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",
}
NEEDED_MODULES = {"libpcap", "libnm", "mprflash"}

out = subprocess.run(["flatpak-builder", "--show-manifest", sys.argv[1]],
                     check=True, capture_output=True, text=True).stdout
manifest = json.loads(out)
problems = []

if manifest.get("id") != "io.github.mprflash.MprFlash":
    problems.append(f"unexpected id {manifest.get('id')!r}")
if manifest.get("command") != "mprflash":
    problems.append(f"unexpected command {manifest.get('command')!r}")
args = set(manifest.get("finish-args", []))
for extra in sorted(args - ALLOWED):
    problems.append(f"permission not needed: {extra}")
for missing in sorted(ALLOWED - args):
    problems.append(f"permission missing: {missing}")
modules = [m["name"] for m in manifest.get("modules", []) if isinstance(m, dict)]
for missing in sorted(NEEDED_MODULES - set(modules)):
    problems.append(f"module missing: {missing}")
if modules and modules[-1] != "mprflash":
    problems.append("mprflash must be the last module (it links the others)")

for p in problems:
    print(p)
print(f"{len(modules)} modules, {len(args)} permissions, {len(problems)} problems")
sys.exit(1 if problems else 0)
