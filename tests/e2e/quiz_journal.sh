#!/bin/sh
# quiz_journal.sh DRILLHALL SCRIPT COURSE NODE VALIDATE WORK: play a whole
# quiz (failed, then passed) through the player's UI script, extract every
# statement it journaled from WORK/data/progress.db with Python's own sqlite3
# module, and hand them to the xAPI validator: what a kiosk really records
# for quiz attempts, judged by an independent client. Also checks that each
# statement about a quiz attempt names its attempt in the context extension,
# and that the store kept both finished attempts (score, passed, record) and
# the module's grade.
set -e
exe=$1 script=$2 course=$3 node=$4 validate=$5 work=$6
rm -rf "$work"
mkdir -p "$work"
SDL_VIDEODRIVER=offscreen DRILLHALL_QUIZ_SEED=7 \
  "$exe" --data "$work/data" --shots "$work/shots" --script "$script" --courses "$course"
python3 - "$work/data/progress.db" "$work/journal.json" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
rows = [json.loads(j) for (j,) in db.execute("SELECT json FROM statement ORDER BY seq")]
per_attempt = {"attempted", "answered", "passed", "failed", "suspended", "resumed"}
bad = 0
attempts = set()
for st in rows:
    verb = st["verb"]["id"].rsplit("/", 1)[-1]
    ext = st.get("context", {}).get("extensions", {})
    n = [v for k, v in ext.items() if k.endswith("/extensions/attempt")]
    if verb in per_attempt and "/modules/" in st["object"]["id"]:
        if len(n) != 1:
            print("quiz_journal: %s statement %s has no attempt number" % (verb, st["id"]), file=sys.stderr)
            bad += 1
        else:
            attempts.add(n[0])
if attempts != {1, 2}:
    print("quiz_journal: attempts named %r, expected 1 and 2" % sorted(attempts), file=sys.stderr)
    bad += 1
# the store keeps both finished attempts with their scores and records, and
# the module's grade is the highest of them (the quiz's grade method)
tries = db.execute("SELECT number, score, passed, record FROM module_attempt"
                   " WHERE module_id = 'all-types' ORDER BY number").fetchall()
want = [(1, 0.0, 0), (2, 1.0, 1)]
if [(n, round(sc, 6), p) for n, sc, p, _ in tries] != want:
    print("quiz_journal: stored attempts %r, expected %r" % ([t[:3] for t in tries], want), file=sys.stderr)
    bad += 1
for n, _, _, rec in tries:
    blob = json.loads(rec)
    if blob.get("v") != 1 or "end" not in blob:
        print("quiz_journal: attempt %d's record is not a finished saved attempt" % n, file=sys.stderr)
        bad += 1
state = db.execute("SELECT status, score, attempts, resume FROM module_state WHERE module_id = 'all-types'").fetchone()
if state != ("passed", 1.0, 2, None):
    print("quiz_journal: module state %r" % (state,), file=sys.stderr)
    bad += 1
json.dump(rows, open(sys.argv[2], "w"), ensure_ascii=False)
print("quiz_journal: %d statements" % len(rows))
sys.exit(1 if bad else 0)
PY
exec "$node" "$validate" "$work/journal.json"
