#!/usr/bin/python3
"""Walks the real `mprflash --demo` through AT-SPI, as a screen-reader user
would: every step is found by its accessible name, every button pressed
through its accessible action, and each page checked by its title.

usage: test-wizard.py MPRFLASH SCENARIO    (inside xvfb-run and a session bus)
  paths    Hame stock -> OpenWrt (web), then OpenWrt -> stock (recovery), to Done
  failure  the router refuses the upload: failure page, diagnostics report, Retry
  cancel   the bootloader never comes: Cancel on the recovery page
  download catalogue entries fetched from a file:// mirror: one whose
           checksum matches (verified, flashed to Done), one that does not
  large-text  the web path at 144 dpi in 1024x768: labels inside the window
  keyboard Welcome -> Done by key presses only (Tab, arrows, Space, Enter,
           mnemonics): focus and its order checked through AT-SPI
Prints TAP."""
import os
import re
import subprocess
import sys
import time

from dogtail.config import config
config.checkForA11y = False     # the private bus has no GNOME settings; GTK 4 talks AT-SPI anyway
config.searchShowingOnly = False
config.defaultDelay = 0.1
config.searchBackoffDuration = 0.2
config.searchCutoffCount = 50
config.logDebugToFile = False
config.logDebugToStdOut = False
from dogtail import rawinput, tree  # noqa: E402
import pyatspi  # noqa: E402
from gi.repository import Atspi, GLib  # noqa: E402

# Where the keyboard focus is, from GTK's focus events: far cheaper than
# searching the tree for the focused state (slow under ASan).
_focus = {"node": None}


def _focus_cb(event):
    if event.detail1:
        _focus["node"] = event.source
    elif _focus["node"] == event.source:
        _focus["node"] = None


_focus_listener = Atspi.EventListener.new(_focus_cb)
_focus_listener.register("object:state-changed:focused")

APP, SCENARIO = sys.argv[1], sys.argv[2]
N = 0
FAILED = False


def check(what, ok, detail=""):
    global N, FAILED
    N += 1
    print(("ok" if ok else "not ok") + f" {N} - {what}", flush=True)
    if not ok:
        FAILED = True
        if detail:
            for line in str(detail).splitlines():
                print("# " + line, flush=True)
    return ok


def bail(why):
    print(f"Bail out! {why}", flush=True)
    sys.exit(1)


def wait_for(what, fn, timeout=60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            v = fn()
            if v:
                return v
        except Exception:  # the tree changes under us while pages switch
            pass
        time.sleep(0.2)
    return None


class Wizard:
    def __init__(self, env):
        self.proc = subprocess.Popen([APP, "--demo"], env=env, stderr=open(os.environ["TMP_DIR"] + "/app.err", "ab"))
        self.app = wait_for("app on the bus", lambda: tree.root.application("mprflash"), 60)
        if self.app is None:
            bail("mprflash did not appear on the accessibility bus")
        welcome = wait_for("pages", lambda: self.app.child(name="Welcome", roleName="panel", retry=False), 30)
        if welcome is None:
            bail("no Welcome page")
        self.stack = welcome.parent
        # Until the window is on screen, GTK does not run actions from AT-SPI.
        subprocess.run(["timeout", "30", "xdotool", "search", "--sync", "--onlyvisible", "--name", "^MPR Flash$"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        self.frame = self.app.child(roleName="frame")
        self.title = self.frame.child(name="AdwWindowTitle")

    # GTK does not tell AT-SPI about every change: read afresh each time.
    def current(self):
        """The step shown: the header's subtitle, under the app's name."""
        self.app.clear_cache()
        return self.title.findChildren(lambda n: n.roleName == "label")[1].name

    def page(self, name):
        """The page's panel (named after the step), once it is the one shown."""
        shown = self.current()
        if shown != name:
            raise LookupError(f"page {name} is not shown, {shown} is")
        return self.stack.child(name=name, roleName="panel", recursive=False)

    def wait_page(self, name, timeout=60.0):
        return wait_for(name, lambda: self.current() == name, timeout)

    def heading(self, page_name):
        # The first label of a page is its title.
        try:
            return self.page(page_name).findChildren(lambda n: n.roleName == "label")[0].name
        except LookupError as e:
            return str(e)

    def has_text(self, page_name, text):
        try:
            self.page(page_name)
        except LookupError:
            return False
        return any(text in (n.name or "") for n in self.page(page_name).findChildren(
            lambda n: n.roleName in ("label", "list item", "status bar")))

    def texts(self, page_name):
        try:
            return "\n".join(n.name for n in self.page(page_name).findChildren(lambda n: n.roleName == "label"))
        except LookupError as e:
            return str(e)

    def press(self, page_name, button):
        page = self.page(page_name)
        try:
            b = page.child(name=button, roleName="push button", retry=False)
        except tree.SearchError:
            names = [n.name for n in page.findChildren(lambda n: n.roleName == "push button")]
            raise LookupError(f"no button {button!r} on {page_name}; there are {names}")
        b.doActionNamed("click")

    def focused(self):
        """The control with the keyboard focus (the deepest one), or None."""
        ctx = GLib.MainContext.default()
        while ctx.pending():
            ctx.iteration(False)
        self.app.clear_cache()
        n = _focus["node"]
        try:
            if n is not None and n.focused:
                return n
        except Exception:
            pass
        # No event yet (the first focus comes before the test listens): search.
        found = self.frame.findChildren(lambda n: n.focused)
        return found[-1] if found else None

    def quit(self):
        rawinput.keyCombo("<Control>q")
        try:
            return self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return -1


def start(extra_env):
    env = dict(os.environ)
    if os.environ.get("MPF_APP_G_DEBUG"):
        env["G_DEBUG"] = os.environ["MPF_APP_G_DEBUG"]
    env.update(extra_env)
    return Wizard(env)


def to_image_page(w, goal_mnemonic, expect_found):
    """Welcome -> goal -> connect -> discovery -> image page."""
    w.press("Welcome", "Start")
    check("Start leads to the goal page", w.wait_page("Goal", 10), w.current())
    check("goal page title", w.heading("Goal") == "What Should the Router Run?", w.heading("Goal"))
    # The goal by its mnemonic, as a keyboard user chooses it.
    rawinput.keyCombo(goal_mnemonic)
    time.sleep(0.3)
    w.press("Goal", "Continue")
    check("Continue leads to the connect page", w.wait_page("Connect", 10), w.current())
    check("the simulated cable is connected",
          wait_for("cable", lambda: w.has_text("Connect", "Connected (simulated cable)"), 30))
    w.press("Connect", "Continue")
    check("Continue starts the search", w.wait_page("Looking for the router", 10), w.current())
    found = wait_for("found", lambda: w.heading("Looking for the router") == "Router Found", 60)
    check("the router is found", found, w.heading("Looking for the router"))
    check(f"the page says what it runs ({expect_found})", w.has_text("Looking for the router", expect_found))
    w.press("Looking for the router", "Continue")
    check("Continue leads to the firmware page", w.wait_page("Firmware", 10), w.current())


def choose_demo_file(w, family):
    w.press("Firmware", f"Use Demo file: {family}")
    verdict = wait_for("verdict", lambda: w.has_text("Firmware", "Not verified") or w.has_text("Firmware", "Refused"), 30)
    check(f"the {family} file is judged and not refused", verdict and not w.has_text("Firmware", "Refused"))
    w.press("Firmware", "Continue")
    check("Continue leads to the confirm page", w.wait_page("Confirm", 10), w.current())
    check("the confirm page states the risk", w.has_text("Confirm", "may not start any more"))


def scenario_paths():
    w = start({})
    check("the demo banner is shown", w.frame.child(roleName="status bar").name.startswith("Demo:"))
    to_image_page(w, "<Alt>w", "Hame")
    choose_demo_file(w, "OpenWrt")
    check("the web path is planned", w.has_text("Confirm", "web page"))
    w.press("Confirm", "Flash Now")
    check("Flash Now shows the progress page", w.wait_page("Flashing", 10), w.current())
    check("the progress page says what Cancel means",
          wait_for("note", lambda: w.has_text("Flashing", "Cancelling now"), 10))
    check("web path reaches Done", w.wait_page("Done", 180), w.current())
    check("Done says the router runs OpenWrt", w.has_text("Done", "now runs OpenWrt"))
    check("Done says OpenWrt's Wi-Fi is off", w.has_text("Done", "Wi-Fi turned off"))
    check("Done gives the address to open", w.has_text("Done", "http://192.168.1.1"))

    # Now back to the original firmware: from OpenWrt that is the recovery path.
    w.press("Done", "Flash Another Router")
    check("Flash Another Router goes back to the goal page", w.wait_page("Goal", 10), w.current())
    rawinput.keyCombo("<Alt>o")  # "Original firmware", by its mnemonic
    time.sleep(0.3)
    w.press("Goal", "Continue")
    w.wait_page("Connect", 10)
    w.press("Connect", "Continue")
    found = wait_for("found", lambda: w.heading("Looking for the router") == "Router Found", 60)
    check("the router is found again", found)
    check("it runs OpenWrt now", w.has_text("Looking for the router", "OpenWrt"))
    w.press("Looking for the router", "Continue")
    w.wait_page("Firmware", 10)
    choose_demo_file(w, "Hame stock firmware")
    check("the recovery path is planned", w.has_text("Confirm", "Recovery method"))
    w.press("Confirm", "Flash Now")
    # (The recovery page itself is checked in the cancel scenario, where it stays.)
    check("recovery path reaches Done by itself", w.wait_page("Done", 180), w.current())
    check("Done says the router runs Hame stock", w.has_text("Done", "Hame"), w.texts("Done"))
    check("Done gives Hame's address", w.has_text("Done", "http://192.168.169.1"), w.texts("Done"))
    check("the program quits with status 0", w.quit() == 0)


def scenario_failure():
    w = start({"MPF_DEMO_ROUTER_ARGS": "--reject-upload"})
    to_image_page(w, "<Alt>w", "Hame")
    choose_demo_file(w, "OpenWrt")
    w.press("Confirm", "Flash Now")
    check("a refused upload shows the failure page", w.wait_page("Failed", 180), w.current())
    check("failure page title", w.heading("Failed") == "Flashing Did Not Work", w.heading("Failed"))
    check("failure page says what to do", w.has_text("Failed", "kept its old firmware"))

    # The diagnostics report, saved where the user chooses (here: the suggested name in $HOME).
    w.press("Failed", "Save Diagnostics Report…")
    def find_dialog():
        w.app.clear_cache()
        return [n for n in w.app.children if n.name == "Save Diagnostics Report"][0]
    dialog = wait_for("dialog", find_dialog, 20)
    check("a save dialog opens", dialog is not None)
    if dialog is not None:
        # (GTK 4.8 names mnemonic buttons "_Save Save": match the word.)
        dialog.findChild(lambda n: n.roleName == "push button" and n.name.split()[-1:] == ["Save"]).doActionNamed("click")
    home = os.environ["HOME"]
    report = wait_for("report", lambda: [f for f in os.listdir(home) if f.startswith("mprflash-report-")], 20)
    check("the report is saved in the chosen folder", report)
    if report:
        # The file appears before its last byte is written (GLib creates a new
        # file in place): read it once the packet capture section, its end, is there.
        path = os.path.join(home, report[0])
        text = wait_for("whole report", lambda: (lambda t: t if "\nno packet capture: " in t else None)(open(path).read()), 20) or open(path).read()
        check("the demo's report says why it has no packet capture",
              "== packet capture (pcap, base64) ==\nno packet capture: the helper did not run (demo)\n" in text, text[-500:])
        check("the report holds the job log and the error", '"kind":"error"' in text.replace(" ", "")
              and "upload" in text.lower(), text[-2000:])
        job_log = text.split("== simulated router log ==")[0]
        # The job logs in with the router's default password ("hame"); it must not appear.
        check("the report holds no password", re.search(r'"(hame|admin)"', job_log) is None, job_log[-1500:])
    w.press("Failed", "Retry")
    check("Retry goes back to the connect page", w.wait_page("Connect", 10), w.current())
    check("the program quits with status 0", w.quit() == 0)


def scenario_cancel():
    w = start({"MPF_DEMO_ROUTER_INIT": "openwrt", "MPF_DEMO_ROUTER_ARGS": "--dead-ethernet"})
    to_image_page(w, "<Alt>o", "OpenWrt")
    choose_demo_file(w, "Hame stock firmware")
    w.press("Confirm", "Flash Now")
    check("the recovery steps are shown", w.wait_page("Recovery mode", 60), w.current())
    check("the recovery page lists the reset step", w.has_text("Recovery mode", "hold the reset button"))
    check("the recovery page says it is waiting", w.has_text("Recovery mode", "Waiting for the router"))
    w.press("Recovery mode", "Cancel")
    check("Cancel shows the failure page", w.wait_page("Failed", 60), w.current())
    check("it says flashing was cancelled", w.heading("Failed") == "Flashing Was Cancelled", w.heading("Failed"))
    check("the program quits with status 0", w.quit() == 0)


def scenario_download():
    import hashlib
    import json
    tmp = os.environ["TMP_DIR"]
    mirror = os.path.join(tmp, "mirror")
    os.makedirs(mirror)
    image = os.path.join(mirror, "openwrt-good.bin")
    subprocess.run([os.environ["MPF_BUILD_ROOT"] + "/tests/fake-router/mpf-fake-router",
                    "--make-image", "openwrt", "-o", image], check=True)
    data = open(image, "rb").read()
    open(os.path.join(mirror, "openwrt-bad.bin"), "wb").write(data)
    entry = {"family": "openwrt", "boards": ["MPR-A1", "MPR-A2", "MPR-L8", "A5-V11"], "format": "uimage",
             "file_name": None, "size": len(data), "description": "test entry"}
    catalog = {"version": 1, "images": [
        dict(entry, id="test-good", version="14.07", sha256=hashlib.sha256(data).hexdigest(),
             url="https://downloads.example/firmware/openwrt-good.bin"),
        dict(entry, id="test-bad", version="14.07-bad", sha256="0" * 64,
             url="https://downloads.example/firmware/openwrt-bad.bin")]}
    json.dump(catalog, open(os.path.join(tmp, "catalog.json"), "w"))
    w = start({"MPF_CATALOG_FILE": os.path.join(tmp, "catalog.json"), "MPF_CATALOG_BASE_URL": "file://" + mirror})
    to_image_page(w, "<Alt>w", "Hame")
    rows = {r.name: r for r in w.page("Firmware").findChildren(lambda n: n.roleName == "list item")}
    # (the good entry's version is what the router reports after the flash: the job checks it)
    check("both catalogue entries are listed", "OpenWrt 14.07" in rows and "OpenWrt 14.07-bad" in rows, list(rows))
    check("a catalogue row gives screen readers the entry's description",
          "OpenWrt 14.07" in rows and rows["OpenWrt 14.07"].description == "test entry",
          "OpenWrt 14.07" in rows and rows["OpenWrt 14.07"].description)
    rows["OpenWrt 14.07-bad"].child(name="Download", roleName="push button").doActionNamed("click")
    check("a download that does not match its checksum is refused",
          wait_for("bad", lambda: w.has_text("Firmware", "does not match the catalogue"), 30), w.texts("Firmware"))
    cache = os.path.join(os.environ["XDG_CACHE_HOME"], "mprflash", "catalog")
    check("and not kept in the cache", not os.path.exists(os.path.join(cache, "test-bad"))
          and not os.path.exists(os.path.join(cache, "test-bad.part")))
    rows["OpenWrt 14.07"].child(name="Download", roleName="push button").doActionNamed("click")
    check("the matching download is verified by checksum",
          wait_for("good", lambda: w.has_text("Firmware", "Verified by checksum"), 30), w.texts("Firmware"))
    check("it is kept in the user's cache", open(os.path.join(cache, "test-good"), "rb").read() == data)
    w.press("Firmware", "Continue")
    check("Continue leads to the confirm page", w.wait_page("Confirm", 10), w.current())
    w.press("Confirm", "Flash Now")
    check("the downloaded file is flashed to Done", w.wait_page("Done", 180), w.current() + "\n" + w.texts(w.current()))
    check("the program quits with status 0", w.quit() == 0)


class Stuck(Exception):
    """A step of a walk did not happen in time: the walk stops there, with what it saw."""


def until(w, what, fn, timeout=15.0):
    v = wait_for(what, fn, timeout)
    if not v:
        raise Stuck(f"{what}: not within {timeout:g} s; shown: {w.current()}; focus: {describe(w.focused())}")
    return v


def describe(n):
    try:
        return f"{n.roleName} {n.name!r}" if n is not None else "nothing"
    except Exception as e:
        return f"? ({e})"


def extents(n):
    """(x, y, width, height) in the window: GTK 4.8 has no screen coordinates
    (asking for them warns, and warnings are fatal in the tests)."""
    e = n.queryComponent().getExtents(pyatspi.XY_WINDOW)
    return (e.x, e.y, e.width, e.height)


def on_screen(w, n):
    """GTK 4.8 sets AT-SPI's "showing" on the window only: a control is on
    screen when it is visible and has an area inside the window."""
    x, y, cw, ch = extents(n)
    fx, fy, fw, fh = extents(w.frame)
    return n.visible and cw > 0 and ch > 0 and x >= 0 and y >= 0 and x + cw <= fw and y + ch <= fh


def settled_extents(n, ref):
    """n's extents relative to ref's (the page title: it scrolls with the
    page), once GTK's scroll-to-focus animation has stopped moving them."""
    last = None
    for _ in range(50):
        (x, y, cw, ch), (rx, ry, _, _) = extents(n), extents(ref)
        cur = (x - rx, y - ry, cw, ch)
        if cur == last:
            return cur
        last = cur
        time.sleep(0.1)
    return last


def key_focus_order(w, page_name, target, limit=15):
    """Presses Tab from the page's first focus until `target` (a predicate)
    holds for the focused control; returns the controls met, in order, each
    checked to be in view when it has the focus."""
    page = w.page(page_name)
    title = page.findChildren(lambda n: n.roleName == "label")[0]
    seen = []
    for _ in range(limit):
        f = until(w, f"focus on {page_name}", w.focused, 5)
        # The view scrolls to whatever has the focus.
        try:
            until(w, f"{describe(f)}, focused, in view", lambda: on_screen(w, f), 5)
        except Stuck as e:
            raise Stuck(f"{e}; at {extents(f)} in a window of {extents(w.frame)}")
        seen.append((describe(f), settled_extents(f, title)))
        if target(f):
            return seen
        prev = describe(f)
        rawinput.pressKey("Tab")
        until(w, f"Tab moves the focus on from {prev}", lambda: describe(w.focused()) != prev, 5)
    raise Stuck(f"{page_name}: the target was not reached by {limit} Tab presses: " + ", ".join(d for d, _ in seen))


def in_reading_order(seen):
    """Each control lies below the previous one, or beside it to the right."""
    for (da, (xa, ya, wa, ha)), (db, (xb, yb, wb, hb)) in zip(seen, seen[1:]):
        same_line = yb < ya + ha and ya < yb + hb
        if not (yb >= ya - 2 if not same_line else (xb >= xa - 2 or yb >= ya)):
            return f"{db} at {xb},{yb} comes after {da} at {xa},{ya}"
    return None


def scenario_keyboard():
    """Hame stock -> OpenWrt with the keyboard alone: Tab, arrows, Space, Enter
    and mnemonics; AT-SPI only reads. Before each key press the walk waits until
    its target control is on screen, sensitive (and focused where the key acts
    on the focus); after it, until the expected page or state is there; any
    wait that runs out stops the walk with what it saw."""
    w = start({})
    key, press = rawinput.keyCombo, rawinput.pressKey

    def ready(page_name, name, focused=False, role="push button"):
        def probe():
            for n in w.page(page_name).findChildren(lambda n: n.roleName == role and n.name == name):
                if on_screen(w, n) and n.sensitive and (n.focused or not focused):
                    return n
            return None
        try:
            return until(w, f"{page_name}: {name} on screen, sensitive" + (" and focused" if focused else ""), probe)
        except Stuck as e:
            found = w.page(page_name).findChildren(lambda n: n.roleName == role and n.name == name)
            raise Stuck(f"{e}; {name} at {[extents(n) for n in found]} in a window of {extents(w.frame)}")

    def to_page(name, timeout=15):
        until(w, f"the {name} page", lambda: w.current() == name, timeout)
        return check(f"the {name} page is shown", True)

    # Welcome: the window opens with Start focused; Enter starts.
    to_page("Welcome")
    ready("Welcome", "Start", focused=True)
    check("Start has the focus when the window opens", True)
    press("Return")
    to_page("Goal")
    check("goal page title", w.heading("Goal") == "What Should the Router Run?", w.heading("Goal"))

    # Goal: Tab from the page's first control to Continue, in reading order.
    seen = key_focus_order(w, "Goal", lambda f: f.roleName == "push button" and f.name == "Continue")
    names = [d for d, _ in seen]
    print("# goal page, Tab order: " + ", ".join(names), flush=True)
    check("Tab reaches Continue through the goals and the model", "list item 'OpenWrt'" in names
          and "combo box 'Model'" in names, ", ".join(names))
    check("Tab on the goal page follows the reading order", in_reading_order(seen) is None,
          f"{in_reading_order(seen)}\n" + "\n".join(f"{d} {e}" for d, e in seen))
    # Back to the last goal with Shift+Tab, up to OpenWrt with the arrow, Space chooses it.
    last_goal = "list item 'Reinstall what it runs now'"
    for _ in range(10):
        if describe(w.focused()) == last_goal:
            break
        prev = describe(w.focused())
        key("<Shift>Tab")
        until(w, f"Shift+Tab moves the focus on from {prev}", lambda: describe(w.focused()) != prev, 5)
    until(w, "Shift+Tab reaches the last goal", lambda: describe(w.focused()) == last_goal, 5)
    press("Up")
    until(w, "Up moves to the OpenWrt row", lambda: describe(w.focused()) == "list item 'OpenWrt'", 5)
    press("space")
    openwrt = w.page("Goal").child(name="OpenWrt", roleName="check box", retry=False)
    until(w, "Space on the OpenWrt row checks it", lambda: openwrt.checked, 5)
    check("Space on the OpenWrt row chooses OpenWrt", True)
    # The model, only needed when it cannot be detected: Alt+M opens the list,
    # arrows and Enter choose; the chosen model's drawing is shown and named.
    def picture():
        return [n for n in w.page("Goal").findChildren(lambda n: n.roleName == "image")
                if (n.name or "").startswith("Drawing of the") and on_screen(w, n)]

    def in_model_list():
        """The focus is inside the combo row's pop-up list (not on the row)."""
        n = w.focused()
        n = n.parent if n is not None else None
        for _ in range(20):
            if n is None:
                return False
            if n.roleName == "combo box" and n.name == "Model":
                return True
            n = n.parent
        return False

    def focused_text():
        f = w.focused()
        labels = f.findChildren(lambda n: n.roleName == "label") if f is not None else []
        return labels[0].name if labels else None

    def selected_model():
        combo = w.page("Goal").child(name="Model", roleName="combo box", retry=False)
        return [n.name for n in combo.findChildren(lambda n: n.roleName == "label")][1]

    def choose_model(model, step):
        """Alt+M, arrows to the model's item, Enter. In GTK 4.8 the pop-up
        list's Enter acts on its own cursor, which arrow keys move, except in
        the first opening (the focus moves, the cursor stays): then the row
        still shows the old choice, and the choice is made once more."""
        for attempt in (1, 2):
            key("<Alt>m")   # _Model
            until(w, "Alt+M opens the list of models", in_model_list, 5)
            moves = [step] * 6
            if focused_text() == model:
                # (the list's cursor follows arrow keys only: away and back)
                moves = [{"Down": "Up", "Up": "Down"}[step], step]
            for k in moves:
                if focused_text() == model and k == step and moves[0] == step:
                    break
                prev = focused_text()
                press(k)
                until(w, f"{k} moves on from {prev}", lambda: focused_text() != prev, 5)
            until(w, f"{model} has the focus in the list", lambda: focused_text() == model, 5)
            press("Return")
            until(w, "Enter closes the list", lambda: not in_model_list()
                  and describe(w.focused()) == "combo box 'Model'", 5)
            if selected_model() == model:
                return
            print(f"# {model}: Enter in the freshly opened list chose nothing (attempt {attempt})", flush=True)
        raise Stuck(f"{model} could not be chosen; the row shows {selected_model()}")

    for model in ("Hame MPR-A1", "Hame MPR-A2", "Poray MPR-L8", "A5-V11"):
        choose_model(model, "Down")
        try:
            shown = until(w, f"the drawing of the {model}",
                          lambda: [n for n in picture() if f"Drawing of the {model}:" in n.name], 10)
        except Stuck as e:
            images = w.page("Goal").findChildren(lambda n: n.roleName == "image")
            raise Stuck(f"{e}; images: {[(n.name, n.visible, extents(n)) for n in images]}")
        check(f"choosing the {model} shows its drawing in view, named for screen readers", len(shown) == 1)
    choose_model("Find out automatically", "Up")
    until(w, "Find out automatically: no drawing", lambda: not picture(), 10)
    check("Find out automatically shows no drawing", True)
    # Continue by its mnemonic.
    ready("Goal", "Continue")
    key("<Alt>c")   # _Continue
    to_page("Connect")

    # Connect: Continue turns sensitive once the (simulated) cable is there.
    until(w, "the simulated cable is connected", lambda: w.has_text("Connect", "Connected (simulated cable)"), 30)
    ready("Connect", "Continue")
    seen = key_focus_order(w, "Connect", lambda f: f.roleName == "push button" and f.name == "Continue")
    check("Tab reaches Continue on the connect page", True, ", ".join(d for d, _ in seen))
    press("Return")
    to_page("Looking for the router")

    # Discovery: when the router is found, Continue takes the focus.
    until(w, "the router is found", lambda: w.heading("Looking for the router") == "Router Found", 60)
    ready("Looking for the router", "Continue", focused=True)
    check("the found router's Continue has the focus", True)
    key("<Alt>c")
    to_page("Firmware")

    # Firmware: Tab through the list to "Choose a File…", in reading order,
    # then Shift+Tab back to the demo file's Use button.
    use = "Use Demo file: OpenWrt"
    ready("Firmware", use)
    seen = key_focus_order(w, "Firmware", lambda f: f.roleName == "push button" and f.name == "Choose a File…")
    names = [d for d, _ in seen]
    print("# firmware page, Tab order: " + ", ".join(names), flush=True)
    check("Tab meets the demo file's Use button on the way", f"push button {use!r}" in names, ", ".join(names))
    check("Tab on the firmware page follows the reading order", in_reading_order(seen) is None,
          f"{in_reading_order(seen)}\n" + "\n".join(f"{d} {e}" for d, e in seen))
    for _ in range(15):
        if describe(w.focused()) == f"push button {use!r}":
            break
        prev = describe(w.focused())
        key("<Shift>Tab")
        until(w, f"Shift+Tab moves the focus on from {prev}", lambda: describe(w.focused()) != prev, 5)
    until(w, "Shift+Tab reaches the Use button", lambda: describe(w.focused()) == f"push button {use!r}", 5)
    press("space")
    until(w, "the chosen file is judged", lambda: w.has_text("Firmware", "Not verified")
          or w.has_text("Firmware", "Refused"), 30)
    check("the demo file is chosen and not refused", not w.has_text("Firmware", "Refused"), w.texts("Firmware"))
    ready("Firmware", "Continue", focused=True)
    check("Continue has the focus once the file is judged", True)
    press("Return")
    to_page("Confirm")
    check("the confirm page states the risk", w.has_text("Confirm", "may not start any more"), w.texts("Confirm"))

    # Confirm: Flash Now has the focus; its mnemonic starts.
    ready("Confirm", "Flash Now", focused=True)
    check("Flash Now has the focus", True)
    key("<Alt>f")   # _Flash Now
    until(w, "flashing starts", lambda: w.current() in ("Flashing", "Done", "Failed"), 15)
    until(w, "the walk ends", lambda: w.current() in ("Done", "Failed"), 180)
    check("the walk reaches Done", w.current() == "Done", w.current() + "\n" + w.texts(w.current()))
    check("Done says the router runs OpenWrt", w.has_text("Done", "now runs OpenWrt"), w.texts("Done"))
    ready("Done", "Flash Another Router", focused=True)
    check("Flash Another Router has the focus", True)
    check("Ctrl+Q quits with status 0", w.quit() == 0)


def scenario_large_text():
    """GNOME's Large Text (text scaling 1.5 = 144 dpi; GTK 4.8 on X11 reads
    the X resource Xft.dpi, here from $XENVIRONMENT) in a 1024x768 window: on
    each page of the web path, every label and button with an area lies
    inside the window's width, and the page title and explanation are there
    whole (wrapped, not cut: their area is not empty and no wider than the
    window)."""
    xres = os.path.join(os.environ["TMP_DIR"], "xresources")
    open(xres, "w").write("Xft.dpi: 144\n")
    w = start({"XENVIRONMENT": xres})
    r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^MPR Flash$", "windowsize", "%@",
                        "1024", "768"], capture_output=True, text=True, timeout=30)
    try:
        # (the frame is the window less its client-side shadow)
        until(w, "the window at 1024x768", lambda: extents(w.frame)[2] >= 1000 and extents(w.frame)[3] >= 740, 10)
    except Stuck as e:
        raise Stuck(f"{e}; the window is {extents(w.frame)}; xdotool: {r.returncode} {r.stderr}")
    title = w.page("Welcome").findChildren(lambda n: n.roleName == "label")[0]
    # One line of the 20 pt title is about 31 px at 96 dpi, 47 px at 144.
    check("the text is large (Xft.dpi 144 is in effect)", extents(title)[3] >= 45, extents(title))

    def layout(page_name):
        fw = extents(w.frame)[2]
        bad = []
        nodes = w.page(page_name).findChildren(lambda n: n.roleName in ("label", "push button", "list item"))
        for n in nodes:
            x, y, cw, ch = extents(n)
            if cw > 0 and ch > 0 and (x < 0 or x + cw > fw):
                bad.append(f"{describe(n)} at x {x}..{x + cw}")
        labels = [n for n in nodes if n.roleName == "label"][:2]
        for n in labels:
            x, y, cw, ch = extents(n)
            if cw <= 0 or ch <= 0 or cw > fw:
                bad.append(f"{describe(n)} is cut: {cw}x{ch}")
        check(f"{page_name}: everything inside the window's width, title and text whole", not bad
              and len(labels) == 2, "\n".join(bad))

    layout("Welcome")
    w.press("Welcome", "Start")
    until(w, "the goal page", lambda: w.current() == "Goal")
    layout("Goal")
    rawinput.keyCombo("<Alt>w")
    until(w, "OpenWrt chosen", lambda: w.page("Goal").child(name="OpenWrt", roleName="check box", retry=False).checked, 5)
    w.press("Goal", "Continue")
    until(w, "the connect page", lambda: w.current() == "Connect")
    until(w, "the simulated cable", lambda: w.has_text("Connect", "Connected (simulated cable)"), 30)
    layout("Connect")
    until(w, "Continue sensitive", lambda: w.page("Connect").child(name="Continue", roleName="push button",
                                                                     retry=False).sensitive, 15)
    w.press("Connect", "Continue")
    until(w, "the router found", lambda: w.heading("Looking for the router") == "Router Found", 60)
    layout("Looking for the router")
    w.press("Looking for the router", "Continue")
    until(w, "the firmware page", lambda: w.current() == "Firmware")
    layout("Firmware")
    w.press("Firmware", "Use Demo file: OpenWrt")
    until(w, "the verdict", lambda: w.has_text("Firmware", "Not verified"), 30)
    layout("Firmware")
    w.press("Firmware", "Continue")
    until(w, "the confirm page", lambda: w.current() == "Confirm")
    layout("Confirm")
    w.press("Confirm", "Flash Now")
    until(w, "Done", lambda: w.current() == "Done", 180)
    layout("Done")
    check("the program quits with status 0", w.quit() == 0)


try:
    {"large-text": scenario_large_text, "keyboard": scenario_keyboard, "download": scenario_download, "paths": scenario_paths, "failure": scenario_failure, "cancel": scenario_cancel}[SCENARIO]()
except Exception:
    import traceback
    check("the walk ran to its end", False, traceback.format_exc())
print(f"1..{N}", flush=True)
sys.exit(1 if FAILED else 0)
