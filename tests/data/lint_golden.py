#!/usr/bin/env python3
"""Golden test for drillhall-pack lint diagnostics.

Runs `drillhall-pack lint NAME` from the case's parent directory (so paths in
the output are stable) and compares stderr with the expected file, byte for
byte. A bad case must exit 1 and say "error:"; a clean case (--clean) must
exit 0 and print nothing on stderr. With --update, the expected file is
rewritten instead; review the diff before committing it.
"""
import argparse
import difflib
import os
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True, help="path to drillhall-pack")
    ap.add_argument("--case", required=True, help="course directory or package to lint")
    ap.add_argument("--expected", help="file with the exact expected stderr")
    ap.add_argument("--clean", action="store_true", help="expect no diagnostics at all")
    ap.add_argument("--update", action="store_true", help="rewrite the expected file")
    a = ap.parse_args()

    a.tool = os.path.abspath(a.tool)
    parent, name = os.path.split(os.path.abspath(a.case))
    p = subprocess.run([a.tool, "lint", name], cwd=parent, capture_output=True, timeout=120)
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode < 0 or p.returncode > 2:
        print(f"FAIL: lint crashed or misbehaved (exit {p.returncode})\n{err}")
        return 1
    if a.clean:
        if p.returncode != 0 or err:
            print(f"FAIL: expected a clean lint of {name}, got exit {p.returncode}:\n{err}")
            return 1
        print(p.stdout.decode("utf-8", "replace"), end="")
        return 0
    if a.update:
        with open(a.expected, "w", encoding="utf-8") as f:
            f.write(err)
        print(f"updated {a.expected}")
        return 0
    with open(a.expected, encoding="utf-8") as f:
        want = f.read()
    ok = True
    if p.returncode != 1:
        print(f"FAIL: expected exit status 1 (errors found), got {p.returncode}")
        ok = False
    if "error:" not in err:
        print("FAIL: no 'error:' line in the output")
        ok = False
    if err != want:
        print("FAIL: diagnostics differ from " + a.expected)
        sys.stdout.writelines(difflib.unified_diff(
            want.splitlines(True), err.splitlines(True), "expected", "actual"))
        ok = False
    if ok:
        print(err, end="")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
