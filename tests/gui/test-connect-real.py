#!/usr/bin/python3
"""The connect page of the real `mprflash` (not --demo), walked through AT-SPI
inside the PC namespace of the test bed (test-connect-real.sh): the wired
port is a veth whose peer, in the router namespace, plays the cable.

  - one port, peer down: "waiting for the cable", Continue insensitive;
    peer up: "connected", Continue sensitive; peer down again: waiting again;
  - the port removed: the page says the computer has no wired port;
  - two ports: the one that got a cable last is shown (the router's); while
    it has none, the other; Continue then finds the simulated router behind
    the chosen port (the job is given that port: with two live ports it
    could not choose by itself).

usage: test-connect-real.py MPRFLASH    (inside Xvfb and a session bus, in the PC namespace)
Prints TAP."""
import os
import subprocess
import sys
import time

from dogtail.config import config
config.checkForA11y = False
config.searchShowingOnly = False
config.defaultDelay = 0.1
config.searchBackoffDuration = 0.2
config.searchCutoffCount = 50
config.logDebugToFile = False
config.logDebugToStdOut = False
from dogtail import rawinput, tree  # noqa: E402

APP = sys.argv[1]
NETNS, NS_PC, NS_RT, NS_X = os.environ["NETNS"], os.environ["NS_PC"], os.environ["NS_RT"], os.environ["NS_X"]
IF_PC, IF_RT = os.environ["IF_PC"], os.environ["IF_RT"]
TMP = os.environ["TMP_DIR"]
N = 0
FAILED = False


def check(what, ok, detail=""):
    global N, FAILED
    N += 1
    print(("ok" if ok else "not ok") + f" {N} - {what}", flush=True)
    if not ok:
        FAILED = True
        for line in str(detail).splitlines():
            print("# " + line, flush=True)
    return ok


def bail(why):
    print(f"Bail out! {why}", flush=True)
    sys.exit(1)


def wait_for(fn, timeout=30.0):
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


def sh(*argv):
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)


def in_rt(*argv):
    sh("ip", "netns", "exec", NS_RT, *argv)


def in_pc(*argv):
    sh("ip", "netns", "exec", NS_PC, *argv)


def add_port(pc_name, rt_name, ns):
    """Another cable: a veth pair with its far end in @ns, far end down."""
    in_pc("ip", "link", "add", pc_name, "type", "veth", "peer", "name", rt_name, "netns", ns)
    sh("ip", "netns", "exec", ns, "ip", "link", "set", rt_name, "down")
    in_pc("ip", "link", "set", pc_name, "up")


class App:
    def __init__(self):
        env = dict(os.environ)
        if os.environ.get("MPF_APP_G_DEBUG"):
            env["G_DEBUG"] = os.environ["MPF_APP_G_DEBUG"]
        env["MPF_HELPER_PATH"] = os.environ["MPF_BUILD_ROOT"] + "/src/helper/mprflash-helper"
        self.proc = subprocess.Popen([APP], env=env, stderr=open(TMP + "/app.err", "ab"))
        self.app = wait_for(lambda: tree.root.application("mprflash"), 60)
        if self.app is None:
            bail("mprflash did not appear on the accessibility bus")
        welcome = wait_for(lambda: self.app.child(name="Welcome", roleName="panel", retry=False), 30)
        if welcome is None:
            bail("no Welcome page")
        self.stack = welcome.parent
        subprocess.run(["timeout", "30", "xdotool", "search", "--sync", "--onlyvisible", "--name", "^MPR Flash$"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        self.frame = self.app.child(roleName="frame")
        self.title = self.frame.child(name="AdwWindowTitle")

    def current(self):
        self.app.clear_cache()
        return self.title.findChildren(lambda n: n.roleName == "label")[1].name

    def page(self, name):
        shown = self.current()
        if shown != name:
            raise LookupError(f"page {name} is not shown, {shown} is")
        return self.stack.child(name=name, roleName="panel", recursive=False)

    def wait_page(self, name, timeout=30.0):
        return wait_for(lambda: self.current() == name, timeout)

    def texts(self, name):
        try:
            return "\n".join(n.name or "" for n in self.page(name).findChildren(lambda n: n.roleName == "label"))
        except LookupError as e:
            return str(e)

    def has_text(self, name, text):
        return text in self.texts(name)

    def heading(self, name):
        return self.page(name).findChildren(lambda n: n.roleName == "label")[0].name

    def button(self, page_name, label):
        return self.page(page_name).child(name=label, roleName="push button", retry=False)

    def press(self, page_name, label):
        self.button(page_name, label).doActionNamed("click")

    def quit(self):
        rawinput.keyCombo("<Control>q")
        try:
            return self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return -1


def link_state(w, text, ready):
    """The connect page says @text and its Continue is (in)sensitive accordingly."""
    return wait_for(lambda: w.has_text("Connect", text) and w.button("Connect", "Continue").sensitive == ready, 20)


def main():
    w = App()
    w.press("Welcome", "Start")
    check("Start leads to the goal page", w.wait_page("Goal", 10), w.current())
    w.press("Goal", "Continue")
    check("Continue leads to the connect page", w.wait_page("Connect", 10), w.current())
    check("no demo banner in real mode",
          not any((n.name or "").startswith("Demo:") for n in w.frame.findChildren(lambda n: n.roleName == "status bar")))

    # --- one port: the router's end of the cable goes up and down ---
    check(f"peer down: waiting for the cable on {IF_PC}, Continue insensitive",
          link_state(w, f"Waiting for a cable on {IF_PC}…", False), w.texts("Connect"))
    sh(os.environ["MPF_NETNS"], "link", NETNS, "up", "rt")
    check(f"peer up: connected ({IF_PC}), Continue sensitive",
          link_state(w, f"Connected ({IF_PC})", True), w.texts("Connect"))
    sh(os.environ["MPF_NETNS"], "link", NETNS, "down", "rt")
    check("peer down again: waiting again, Continue insensitive",
          link_state(w, f"Waiting for a cable on {IF_PC}…", False), w.texts("Connect"))

    # --- no wired port at all ---
    in_pc("ip", "link", "del", IF_PC)
    check("port removed: the page says there is no wired port",
          link_state(w, "This computer has no wired network port", False), w.texts("Connect"))

    # --- two ports: the one that got a cable last is the one used ---
    add_port("pca0", "rta0", NS_X)
    check("a port appears: waiting for the cable on it",
          link_state(w, "Waiting for a cable on pca0…", False), w.texts("Connect"))
    add_port("pcb0", "rtb0", NS_RT)
    sh("ip", "netns", "exec", NS_X, "ip", "link", "set", "rta0", "up")
    check("it gets a cable (another network, say): connected (pca0)",
          link_state(w, "Connected (pca0)", True), w.texts("Connect"))
    in_rt("ip", "link", "set", "rtb0", "up")
    check("the router's cable goes into the second port: connected (pcb0)",
          link_state(w, "Connected (pcb0)", True), w.texts("Connect"))
    in_rt("ip", "link", "set", "rtb0", "down")
    check("the router's cable is pulled: the other port with a cable is shown",
          link_state(w, "Connected (pca0)", True), w.texts("Connect"))
    in_rt("ip", "link", "set", "rtb0", "up")
    check("plugged back: connected (pcb0) again",
          link_state(w, "Connected (pcb0)", True), w.texts("Connect"))

    # The simulated router behind pcb0 (Hame stock), then the search.
    fr = os.environ["MPF_BUILD_ROOT"] + "/tests/fake-router/mpf-fake-router"
    flash, ctl = TMP + "/flash.bin", TMP + "/ctl"
    sh(fr, "--flash", flash, "--init-flash", "hame-stock")
    router = subprocess.Popen(["ip", "netns", "exec", NS_RT, fr, "--interface", "rtb0", "--flash", flash,
                               "--control", ctl, "--time-scale", "0.01", "--no-dhcp"],
                              stdout=open(TMP + "/router.log", "ab"), stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: os.path.exists(ctl), 10)
        up = subprocess.run([fr, "--control", ctl, "--send", "wait running/hame-stock 30"],
                            stdout=subprocess.DEVNULL).returncode == 0
        check("the simulated router runs behind pcb0", up)
        # Its start flaps the link: the router's port must still be the one shown.
        check("after the router's start: still connected (pcb0)",
              link_state(w, "Connected (pcb0)", True), w.texts("Connect"))
        w.press("Connect", "Continue")
        check("Continue starts the search", w.wait_page("Looking for the router", 10), w.current())
        found = wait_for(lambda: w.heading("Looking for the router") == "Router Found", 120)
        check("the router behind the chosen port is found (no 'several ports' refusal)", found,
              w.texts("Looking for the router"))
        check("the page says what it runs (Hame, 192.168.169.1)",
              w.has_text("Looking for the router", "Hame") and w.has_text("Looking for the router", "192.168.169.1"),
              w.texts("Looking for the router"))
        check("the program quits with status 0", w.quit() == 0)
    finally:
        subprocess.run([fr, "--control", ctl, "--send", "quit"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        try:
            router.wait(10)
        except subprocess.TimeoutExpired:
            router.kill()
    # The temporary address is given back when the program ends.
    addrs = subprocess.run(["ip", "netns", "exec", NS_PC, "ip", "-4", "-o", "addr", "show", "dev", "pcb0"],
                           capture_output=True, text=True).stdout
    check("no temporary address left on pcb0", addrs.strip() == "", addrs)
    print(f"1..{N}", flush=True)
    sys.exit(1 if FAILED else 0)


main()
