#!/usr/bin/python3
"""Every translatable C string reaches the template whole.

xgettext cannot expand macros such as G_GSIZE_FORMAT: a msgid built as
"… %" G_GSIZE_FORMAT " …" is cut at the "%", so its translations are never
found at run time although the .po files look complete. Only <inttypes.h>'s
PRI* macros are understood (as system-dependent strings).

Checks, as TAP:
  1. the scanner itself flags a known-bad sample and passes a good one;
  2. no _() / N_() / C_() / NC_() / Q_() / ngettext-family argument in the
     C files of po/POTFILES.in glues a string literal to a macro;
  3. no msgid of the generated template ends in a cut-off "%" (nor holds
     a carriage return, which is terminal control, not text).
usage: check-msgids.py SOURCE-ROOT MAKE-POT-SCRIPT"""
import os
import re
import subprocess
import sys
import tempfile

KEYWORDS = r"(?:N?C?_|Q_|ngettext|dngettext|dcngettext|gettext|dgettext|dcgettext|" \
           r"g_dgettext|g_dcgettext|g_dngettext|g_dpgettext2?)"
CALL = re.compile(r"(?<![A-Za-z0-9_])" + KEYWORDS + r"\s*\(")
# What xgettext does expand inside a msgid: <inttypes.h> format macros.
PRI_MACRO = re.compile(r"^(?:PRI|SCN)[diouxX](?:8|16|32|64|MAX|PTR|LEAST\d+|FAST\d+)$")
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
STRING_PREFIXES = {"L", "u", "U", "u8"}
TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"'       # string literal
                   r"|'(?:[^'\\\n]|\\.)*'"       # character literal
                   r"|/\*.*?\*/|//[^\n]*"        # comments
                   r"|[A-Za-z_][A-Za-z0-9_]*"    # identifier
                   r"|[()]|[^\s]", re.S)


def glued_macros(text):
    """Yields (offset, macro) for each identifier glued to a string literal
    inside the arguments of a gettext keyword call: in valid C only a macro
    can stand next to a string literal."""
    for call in CALL.finditer(text):
        depth, prev = 1, None
        for tok in TOKEN.finditer(text, call.end()):
            t = tok.group(0)
            if t.startswith(("/*", "//")):
                continue
            if t == "(":
                depth += 1
            elif t == ")":
                depth -= 1
                if depth == 0:
                    break
            if prev is not None:
                pt = prev.group(0)
                if pt.startswith('"') and IDENT.match(t) and not PRI_MACRO.match(t):
                    yield tok.start(), t
                elif t.startswith('"') and IDENT.match(pt) and not PRI_MACRO.match(pt) \
                        and pt not in STRING_PREFIXES:
                    yield prev.start(), pt
            prev = tok


def scan(text):
    found = dict(glued_macros(text))
    return [(text.count("\n", 0, off) + 1, found[off]) for off in sorted(found)]


def template_msgids(pot):
    msgids, cur, key = [], None, None
    with open(pot, encoding="utf-8") as f:
        for line in f:
            m = re.match(r'^(msgid|msgid_plural|msgstr\S*) "(.*)"$', line)
            if m:
                key = m.group(1)
                if key in ("msgid", "msgid_plural"):
                    cur = [m.group(2)]
                    msgids.append(cur)
                continue
            m = re.match(r'^"(.*)"$', line)
            if m and key in ("msgid", "msgid_plural"):
                cur.append(m.group(1))
    return ["".join(parts) for parts in msgids if any(parts)]


def main():
    root, make_pot = sys.argv[1], sys.argv[2]
    n, status = 0, 0
    print("1..3")

    bad = 'x = _("The file is only %" G_GSIZE_FORMAT " bytes.");\n' \
          'y = ngettext ("%" G_GINT64_FORMAT " byte", "%" G_GINT64_FORMAT " bytes", n);\n'
    good = 'x = _("The file is only %zu bytes."); y = g_strdup_printf ("%" G_GSIZE_FORMAT, n);\n' \
           'z = _("%" PRIu64 " bytes"); w = _("a" "b"); v = N_(/* c */ "%lld");\n'
    n += 1
    found_bad, found_good = scan(bad), scan(good)
    if len(found_bad) == 3 and not found_good:
        print(f"ok {n} - the scanner flags glued macros and only those")
    else:
        print(f"not ok {n} - scanner self-check: bad sample gave {found_bad}, good sample gave {found_good}")
        status = 1

    with open(os.path.join(root, "po", "POTFILES.in"), encoding="utf-8") as f:
        listed = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    problems = []
    for path in listed:
        if not path.endswith((".c", ".h")):
            continue
        with open(os.path.join(root, path), encoding="utf-8") as f:
            for line, macro in scan(f.read()):
                problems.append(f"{path}:{line}: {macro} inside a translatable string")
    n += 1
    if problems:
        print(f"not ok {n} - translatable strings glue format macros (use %zu, %lld …)")
        for p in problems:
            print(f"# {p}")
        status = 1
    else:
        print(f"ok {n} - no translatable string in {len(listed)} files glues a format macro")

    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "mprflash.pot")
        subprocess.run([make_pot, root, pot], check=True)
        msgids = template_msgids(pot)
    # A carriage return is terminal control, not text: translations lose it.
    cut = [m for m in msgids if re.search(r"(?<!%)(?:%%)*%$", m) or "\\r" in m]
    n += 1
    if cut:
        print(f"not ok {n} - {len(cut)} msgids in the template end in a cut-off % or hold a \\r")
        for m in cut:
            print(f"# {m!r}")
        status = 1
    else:
        print(f"ok {n} - none of the template's {len(msgids)} msgids is cut at a %")
    return status


if __name__ == "__main__":
    sys.exit(main())
