#!/bin/sh
# exercise_journal.sh DRILLHALL SCRIPT WORKDIR NODE VALIDATE_JS: play the
# sample exercise with a UI script (fresh data directory), take every
# statement the kiosk journaled from WORKDIR/data/progress.db with Python's
# own sqlite3 module (an independent reader), and let the xAPI validator
# judge them all: what an officer would export after a whole exercise
# (launched, initialized, attempted, each decision, completed, passed or failed,
# terminated, and the course statements around them).
set -e
exe=$1 script=$2 work=$3 node=$4 validate=$5
here=$(dirname "$0")
sh "$here/../ui/run.sh" "$exe" "$script" "$work"
python3 - "$work/data/progress.db" "$work/journal.json" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
rows = [json.loads(j) for (j,) in db.execute("SELECT json FROM statement ORDER BY seq")]
verbs = [r["verb"]["id"].rsplit("/", 1)[-1] for r in rows]
for need in ("launched", "initialized", "attempted", "interacted", "completed", "terminated"):
    if need not in verbs:
        sys.exit("exercise journal: no '%s' statement (verbs: %s)" % (need, " ".join(verbs)))
if "passed" not in verbs and "failed" not in verbs:
    sys.exit("exercise journal: neither passed nor failed (verbs: %s)" % " ".join(verbs))
times = [r["context"]["extensions"] for r in rows if r["verb"]["id"].endswith("/interacted")]
if not all(any(k.endswith("/scenario-time") for k in e) for e in times):
    sys.exit("exercise journal: a decision without its scenario time")
# The verdict carries the review's findings (XAPI.md, "Exercise reviews").
verdicts = [r for r in rows if r["object"]["definition"]["type"].endswith("/simulation")
            and r["verb"]["id"].rsplit("/", 1)[-1] in ("passed", "failed")]
if len(verdicts) != 1:
    sys.exit("exercise journal: %d passed/failed statements for the exercise, not 1" % len(verdicts))
ext = verdicts[0]["result"].get("extensions", {})
found = {k.rsplit("/", 1)[-1]: v for k, v in ext.items()}
if not isinstance(found.get("ending"), str) or not found["ending"]:
    sys.exit("exercise journal: the verdict names no ending: %r" % ext)
objs, exps = found.get("objectives"), found.get("expectations")
if not objs or any(not (0 <= o["score"] <= 1) or o["points"] > o["possible"] for o in objs):
    sys.exit("exercise journal: objectives missing or out of range: %r" % objs)
states = {"not-applicable", "pending", "met", "partly-met", "missed", "expired"}
if not exps or any(x["state"] not in states for x in exps):
    sys.exit("exercise journal: expectations missing or with unknown states: %r" % exps)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(rows, f)
print("exercise journal: %d statements (%s)" % (len(rows), " ".join(verbs)))
PY
exec "$node" "$validate" "$work/journal.json"
