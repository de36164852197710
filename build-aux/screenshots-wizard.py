#!/usr/bin/python3
"""Walks `mprflash --demo` through AT-SPI and captures the key wizard pages
(called by screenshots.sh inside Xvfb with a session bus).
usage: screenshots-wizard.py MPRFLASH OUT-DIR SUFFIX"""
import os
import subprocess
import sys
import time

from dogtail.config import config
config.checkForA11y = False
config.searchShowingOnly = False
config.logDebugToFile = False
config.logDebugToStdOut = False
from dogtail import rawinput, tree  # noqa: E402

app_path, out, suffix = sys.argv[1:4]
proc = subprocess.Popen([app_path, "--demo"], stderr=subprocess.DEVNULL)


def wait(fn, timeout=120):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            v = fn()
            if v:
                return v
        except Exception:
            pass
        time.sleep(0.2)
    raise SystemExit("screenshots: timed out")


app = wait(lambda: tree.root.application("mprflash"))
win = subprocess.run(["timeout", "30", "xdotool", "search", "--sync", "--onlyvisible", "--name", "^MPR Flash$"],
                     capture_output=True, text=True).stdout.split()[0]
title = app.child(roleName="frame").child(name="AdwWindowTitle")
stack = app.child(name="Welcome", roleName="panel").parent


def current():
    app.clear_cache()
    return title.findChildren(lambda n: n.roleName == "label")[1].name


def press(name):
    page = stack.child(name=current(), roleName="panel", recursive=False)
    page.child(name=name, roleName="push button").doActionNamed("click")


def texts():
    page = stack.child(name=current(), roleName="panel", recursive=False)
    return " ".join(n.name for n in page.findChildren(lambda n: n.roleName in ("label", "list item")))


def shot(name):
    time.sleep(0.8)  # let the page's transition end
    path = os.path.join(out, f"{name}-{suffix}.png")
    subprocess.run(["/usr/bin/import", "-window", win, path], check=True)
    subprocess.run(["/usr/bin/convert", path, "-strip", "-define", "png:exclude-chunks=date,time", path], check=True)
    print("wrote", path)


shot("welcome")
press("Start")
wait(lambda: current() == "Goal")
rawinput.keyCombo("<Alt>w")
shot("goal")
press("Continue")
wait(lambda: "Connected" in texts())
press("Continue")
wait(lambda: "Router Found" in texts())
shot("found")
press("Continue")
wait(lambda: current() == "Firmware")
press("Use Demo file: OpenWrt")
wait(lambda: "Not verified" in texts())
shot("image")
press("Continue")
wait(lambda: current() == "Confirm")
shot("confirm")
press("Flash Now")
wait(lambda: current() == "Flashing" and "Cancelling now" in texts())
wait(lambda: current() != "Flashing" or "Sending" in texts())
shot("progress")
wait(lambda: current() == "Done", 300)
shot("done")
proc.terminate()
proc.wait()
