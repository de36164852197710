#!/usr/bin/python3
"""The user-visible strings of data/*.json are translated.

Checks, as TAP:
  1. po/data-strings.c (what xgettext reads for them) is current with the
     JSON: a description changed in data/catalog.json without re-running
     build-aux/extract-data-strings.py would silently lose its translations;
  2. per language of po/LINGUAS, every such string looked up in the BUILT
     catalogue (as g_dgettext does at run time) comes out translated.
usage: check-data-strings.py SOURCE-ROOT BUILD-PO-DIR"""
import gettext
import json
import os
import subprocess
import sys


def main():
    root, podir = sys.argv[1], sys.argv[2]
    extract = os.path.join(root, "build-aux", "extract-data-strings.py")

    with open(os.path.join(root, "po", "LINGUAS"), encoding="utf-8") as f:
        langs = [w for l in f if not l.startswith("#") for w in l.split()]
    status = 0
    print(f"1..{1 + len(langs)}")

    check = subprocess.run([sys.executable, extract, root, "--check"], capture_output=True, text=True)
    if check.returncode == 0:
        print("ok 1 - po/data-strings.c is current with data/*.json")
    else:
        print("not ok 1 - " + check.stdout.strip())
        status = 1

    with open(os.path.join(root, "data", "catalog.json"), encoding="utf-8") as f:
        texts = sorted({image["description"] for image in json.load(f)["images"]})
    if not texts:
        print("Bail out! data/catalog.json has no descriptions to check")
        return 1

    for n, ll in enumerate(langs, start=2):
        try:
            t = gettext.translation("mprflash", localedir=podir, languages=[ll])
        except OSError as e:
            print(f"not ok {n} - {ll}: no built catalogue in {podir}: {e}")
            status = 1
            continue
        left = [s for s in texts if t.gettext(s) == s]
        if left:
            print(f"not ok {n} - {ll}: {len(left)} of {len(texts)} catalogue descriptions stay English")
            for s in left:
                print(f"# {s}")
            status = 1
        else:
            print(f"ok {n} - {ll}: all {len(texts)} catalogue descriptions are translated")
    return status


if __name__ == "__main__":
    sys.exit(main())
