#!/usr/bin/env python3
"""check_journal: what a UI script left in the store, checked from outside.

A UI script proves what the trainee saw; this proves what was recorded.
It opens DATA/progress.db with Python's own sqlite3 module (an independent
reader of the file the player wrote) and checks conditions given on the
command line:

  verb=N / verb>=N         statements whose verb IRI ends in /verb
                           ("accept" for accepted acknowledgements)
  page:verb=N              ... whose object id ends in /pages/<n>
  state:MODULE=STATUS      the module's stored status word
  time:MODULE>=MS          the module's stored time spent, in ms
  resume:MODULE=none       no resume blob; resume:MODULE={...} its exact JSON
  widget:DUMP:LABEL=STATE  in the script's `dump DUMP` (WORKDIR/shots/DUMP.json),
                           the widget labelled LABEL is "enabled" or "disabled"

Exit 0 when every condition holds, else 1 with one line per failure.
"""

import json
import os
import re
import sqlite3
import sys


def find_widget(widgets, label):
    for w in widgets:
        if w.get("label") == label and w.get("type") != "label":
            return w
        found = find_widget(w.get("children", []), label)
        if found is not None:
            return found
    return None


def main(argv):
    if len(argv) < 3:
        print("usage: check_journal.py DATA_DIR CONDITION...", file=sys.stderr)
        return 2
    db = sqlite3.connect("file:%s/progress.db?mode=ro" % argv[1], uri=True)
    rows = db.execute("SELECT verb, json FROM statement ORDER BY seq").fetchall()
    verbs = [v.rsplit("/", 1)[-1] for v, _ in rows]
    objects = [json.loads(j)["object"]["id"] for _, j in rows]
    states = {m: (s, t, r) for m, s, t, r in
              db.execute("SELECT module_id, status, time_ms, resume FROM module_state")}
    failures = []
    for cond in argv[2:]:
        m = re.fullmatch(r"(\w+)(>=|=)(\d+)", cond)
        if m:
            verb, op, n = m.group(1), m.group(2), int(m.group(3))
            got = verbs.count(verb)
        elif re.fullmatch(r"page:(\w+)(>=|=)(\d+)", cond):
            m = re.fullmatch(r"page:(\w+)(>=|=)(\d+)", cond)
            verb, op, n = m.group(1), m.group(2), int(m.group(3))
            got = sum(1 for v, o in zip(verbs, objects) if v == verb and re.search(r"/pages/\d+$", o))
        elif cond.startswith("state:"):
            mod, want = cond[6:].split("=", 1)
            got = states.get(mod, (None,))[0]
            if got != want:
                failures.append("%s: the module's status is %r" % (cond, got))
            continue
        elif cond.startswith("time:"):
            mod, want = cond[5:].split(">=", 1)
            got = states.get(mod, (None, None))[1]
            if got is None or got < int(want):
                failures.append("%s: the module's time is %r ms" % (cond, got))
            continue
        elif cond.startswith("widget:"):
            dump, rest = cond[7:].split(":", 1)
            label, want = rest.rsplit("=", 1)
            path = os.path.join(argv[1], os.pardir, "shots", dump + ".json")
            with open(path, encoding="utf-8") as f:
                found = find_widget(json.load(f)["widgets"], label)
            got = None if found is None else ("enabled" if found["state"]["enabled"] else "disabled")
            if got != want:
                failures.append("%s: the widget is %s" % (cond, got or "not in the dump"))
            continue
        elif cond.startswith("resume:"):
            mod, want = cond[7:].split("=", 1)
            blob = states.get(mod, (None, None, None))[2]
            got = blob.decode() if isinstance(blob, bytes) else blob
            if (want == "none" and got is not None) or (want != "none" and got != want):
                failures.append("%s: the resume blob is %r" % (cond, got))
            continue
        else:
            print("check_journal.py: cannot read the condition %r" % cond, file=sys.stderr)
            return 2
        if (op == "=" and got != n) or (op == ">=" and got < n):
            failures.append("%s: found %d" % (cond, got))
    for f in failures:
        print("journal: " + f, file=sys.stderr)
    if failures:
        print("journal: verbs in order: " + " ".join(verbs), file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
