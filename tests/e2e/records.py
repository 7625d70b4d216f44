#!/usr/bin/env python3
"""records.py: drillhall-records judged by tools that are not Drillhall.

Two kiosks' data directories are filled the way the player fills them
(records_kiosk: progress.c, the quiz engine and the xAPI builders on the
sample course). Their exports are then checked from outside:

  * the real `minisign -V` verifies every manifest signature, and rejects a
    changed manifest, signature or trusted comment;
  * `drillhall-records verify` rejects a change to any file of a bundle, to
    the signature and to the trusted comment, and names unknown keys;
  * Python's csv module reads summary.csv: the exact columns, numbers as
    numbers, no byte order mark, CRLF, every formula neutralised;
  * statements.json is one JSON array; the complete export is copied to
    statements-all.json for the xAPI validator (test e2e.records.validate);
  * incremental exports take only new statements, and nothing new writes
    nothing; merge de-duplicates, and a conflicting duplicate fails naming
    both bundles;
  * summary and stats read the bundles and agree with them.

usage: records.py --records BIN --kiosk BIN --minisign BIN --work DIR
"""
import argparse
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys

COLUMNS = ["trainee_id", "name", "unit", "nation", "course_id", "version", "status", "score",
           "passed", "completed_at", "time_spent_s", "attempts", "kiosk_id"]
STATUSES = {"not attempted", "in progress", "completed", "passed", "failed"}
checks = 0


def step(text):
    print(text + " ... ", end="", flush=True)


def ok():
    global checks
    checks += 1
    print("ok", flush=True)


def die(text, proc=None):
    print("FAILED")
    print("records.py: " + text, file=sys.stderr)
    if proc is not None:
        for name, out in (("stdout", proc.stdout), ("stderr", proc.stderr)):
            for line in (out or "").splitlines():
                print(f"  {name}: {line}", file=sys.stderr)
    sys.exit(1)


def run(args, want=0):
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if want is not None and proc.returncode != want:
        die(f"'{' '.join(map(str, args))}' exited with {proc.returncode}, expected {want}", proc)
    return proc


def bundles(stick):
    return sorted(os.path.join(stick, d) for d in os.listdir(stick) if d.startswith("drillhall-"))


def manifest(bundle):
    with open(os.path.join(bundle, "manifest.json"), encoding="utf-8") as f:
        return json.load(f)


def statement_ids(bundle):
    with open(os.path.join(bundle, "statements.json"), encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, list):
        die(f"{bundle}/statements.json is not a JSON array")
    return [s["id"] for s in data]


def export(a, data, *extra, want_new=True):
    before = set(bundles(a.stick))
    proc = run([a.records, "export", "--data", data, "-o", a.stick, *extra])
    after = set(bundles(a.stick))
    new = sorted(after - before)
    if not want_new:
        if new:
            die(f"an export with nothing new wrote {new}")
        if "nothing new" not in proc.stdout:
            die("an export with nothing new does not say so", proc)
        return None
    if len(new) != 1:
        die(f"export wrote {len(new)} bundles", proc)
    if not proc.stdout.startswith(new[0] + ":"):
        die("export does not name the bundle it wrote", proc)
    return new[0]


def check_csv(bundle, want_rows):
    path = os.path.join(bundle, "summary.csv")
    raw = open(path, "rb").read()
    if raw.startswith(b"\xef\xbb\xbf"):
        die("summary.csv starts with a byte order mark")
    if raw.count(b"\n") != raw.count(b"\r\n") or not raw.endswith(b"\r\n"):
        die("summary.csv has lines that do not end in CRLF")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline=""), strict=True))
    if rows[0] != COLUMNS:
        die(f"summary.csv header is {rows[0]}")
    if len(rows) - 1 != want_rows:
        die(f"summary.csv has {len(rows) - 1} rows, the manifest counts {want_rows}")
    formulas = 0
    for i, r in enumerate(rows[1:], 2):
        if len(r) != len(COLUMNS):
            die(f"summary.csv line {i} has {len(r)} cells")
        row = dict(zip(COLUMNS, r))
        for col in ("trainee_id", "name", "unit", "nation", "course_id", "version", "kiosk_id"):
            cell = row[col]
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                die(f"summary.csv line {i}: {col} '{cell}' would run as a formula")
            if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t", "\r"):
                formulas += 1
        if row["status"] not in STATUSES:
            die(f"summary.csv line {i}: status '{row['status']}'")
        if row["passed"] not in ("true", "false"):
            die(f"summary.csv line {i}: passed '{row['passed']}'")
        if (row["status"] == "passed") != (row["passed"] == "true"):
            die(f"summary.csv line {i}: status and passed disagree")
        if row["score"] != "":
            score = float(row["score"])
            if not -1 <= score <= 1:
                die(f"summary.csv line {i}: score {score}")
        if row["score"] == "" and row["status"] in ("passed", "failed"):
            die(f"summary.csv line {i}: a graded attempt without a score")
        if float(row["time_spent_s"]) < 0 or str(int(row["attempts"])) != row["attempts"]:
            die(f"summary.csv line {i}: time or attempts are not numbers")
        if row["completed_at"] and not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", row["completed_at"]):
            die(f"summary.csv line {i}: completed_at '{row['completed_at']}'")
    return rows[1:], formulas


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def flip(path, offset, new=None):
    data = bytearray(open(path, "rb").read())
    data[offset] = new if new is not None else (data[offset] ^ 0x01)
    open(path, "wb").write(bytes(data))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--records", required=True)
    p.add_argument("--kiosk", required=True)
    p.add_argument("--minisign", required=True)
    p.add_argument("--work", required=True)
    a = p.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    a.stick = os.path.join(a.work, "stick")
    os.makedirs(a.stick)
    k1, k2 = os.path.join(a.work, "kiosk1"), os.path.join(a.work, "kiosk2")
    pub1 = os.path.join(k1, "kiosk.pub")
    pub2 = os.path.join(k2, "kiosk.pub")

    print("== exports from a kiosk ==")
    step("kiosk 1: ten trainees through the sample course")
    run([a.kiosk, k1, 11, 10])
    ok()
    step("export: a signed bundle named after the kiosk and the time")
    b1 = export(a, k1)
    kiosk_id = json.load(open(os.path.join(k1, "kiosk.json")))["kiosk_id"]
    if not re.fullmatch(r"drillhall-" + kiosk_id[:8] + r"-\d{8}T\d{6}Z", os.path.basename(b1)):
        die(f"bundle name {b1}")
    m1 = manifest(b1)
    if m1["kiosk_id"] != kiosk_id or not m1["incremental"] or m1["counts"]["statements"] < 100:
        die(f"manifest: {m1}")
    for name in ("statements.json", "summary.csv", "manifest.json", "manifest.json.minisig", "kiosk.pub"):
        if not os.path.isfile(os.path.join(b1, name)):
            die(f"{name} is missing")
    ok()
    step("the manifest's hashes and sizes are those of the files")
    for f in m1["files"]:
        path = os.path.join(b1, f["name"])
        if sha256(path) != f["sha256"] or os.path.getsize(path) != f["bytes"]:
            die(f"{f['name']} does not match the manifest")
    ok()
    step("four more trainees, then an incremental export takes only their statements")
    run([a.kiosk, k1, 11, 4, 11])
    b2 = export(a, k1)
    ids1, ids2 = statement_ids(b1), statement_ids(b2)
    if set(ids1) & set(ids2) or len(ids2) != manifest(b2)["counts"]["statements"] or not ids2:
        die("the second export repeats statements or miscounts them")
    if manifest(b2)["journal"]["first_seq"] != m1["journal"]["last_seq"] + 1:
        die("the second export does not start where the first ended")
    ok()
    step("nothing new: nothing written, and it says so")
    export(a, k1, want_new=False)
    ok()
    step("--all: everything again")
    b3 = export(a, k1, "--all")
    ids3 = statement_ids(b3)
    if sorted(ids3) != sorted(ids1 + ids2) or len(set(ids3)) != len(ids3):
        die("--all is not the union of the incremental exports")
    if manifest(b3)["incremental"]:
        die("--all is marked incremental")
    shutil.copy(os.path.join(b3, "statements.json"), os.path.join(a.work, "statements-all.json"))
    ok()

    print("== minisign judges the signatures ==")
    for b in (b1, b2, b3):
        step(f"minisign -Vm manifest.json -p kiosk.pub ({os.path.basename(b)})")
        proc = run([a.minisign, "-Vm", os.path.join(b, "manifest.json"), "-p", os.path.join(b, "kiosk.pub")])
        comment = re.search(r"Trusted comment: (.*)", proc.stdout)
        if not comment or f"kiosk:{kiosk_id}" not in comment.group(1) or \
                f"export:{os.path.basename(b)}" not in comment.group(1):
            die("the trusted comment does not name the kiosk and the export", proc)
        run([a.minisign, "-Vm", os.path.join(b, "manifest.json"), "-p", pub1])
        ok()

    print("== drillhall-records verify ==")
    step("verify with the kiosk's key: one ok line per bundle")
    proc = run([a.records, "verify", b1, b2, b3, "-p", pub1])
    lines = proc.stdout.splitlines()
    if len(lines) != 3 or not all(": ok (" in l and "trusted key" in l for l in lines):
        die("verify output", proc)
    ok()
    step("verify with a trusted-keys file mapping the kiosk id to its key")
    trusted = os.path.join(a.work, "trusted-keys.txt")
    with open(trusted, "w") as f:
        f.write(f"# programme kiosks\n{kiosk_id} {open(pub1).read().splitlines()[1]}\n")
    run([a.records, "verify", b3, "--trusted", trusted])
    ok()
    step("verify without keys: ok, but says it checked integrity only")
    proc = run([a.records, "verify", b3])
    if "integrity only" not in proc.stdout:
        die("verify without keys does not say what it could not check", proc)
    ok()
    step("kiosk 2 and its bundle: an unknown key to kiosk 1's trust")
    run([a.kiosk, k2, 22, 5, 100])
    b4 = export(a, k2)
    proc = run([a.records, "verify", b3, b4, "-p", pub1], want=1)
    if f"{b4}: UNKNOWN KEY" not in proc.stdout or f"{b3}: ok" not in proc.stdout:
        die("an unknown key is not reported as such", proc)
    ok()

    print("== tampering ==")
    t = os.path.join(a.work, "tampered")
    cases = [("statements.json", 200, "statements.json does not match its SHA-256", True),
             ("summary.csv", 20, "summary.csv does not match its SHA-256", True),
             ("kiosk.pub", 70, "kiosk.pub does not match its SHA-256", True),
             ("manifest.json", 60, "manifest.json does not match its signature", False)]
    for name, offset, reason, minisign_ok in cases:
        step(f"a changed byte in {name}")
        shutil.rmtree(t, ignore_errors=True)
        shutil.copytree(b3, t)
        flip(os.path.join(t, name), offset)
        proc = run([a.records, "verify", t, "-p", pub1], want=1)
        if f"{t}: FAILED: " not in proc.stdout or reason not in proc.stdout:
            die(f"verify does not catch a changed {name}", proc)
        # minisign signs the manifest; the manifest's hashes cover the rest
        run([a.minisign, "-Vm", os.path.join(t, "manifest.json"), "-p", pub1], want=0 if minisign_ok else 1)
        ok()
    step("a changed signature")
    shutil.rmtree(t, ignore_errors=True)
    shutil.copytree(b3, t)
    sig = os.path.join(t, "manifest.json.minisig")
    lines = open(sig).read().split("\n")
    lines[1] = lines[1][:20] + ("A" if lines[1][20] != "A" else "B") + lines[1][21:]
    open(sig, "w").write("\n".join(lines))
    proc = run([a.records, "verify", t, "-p", pub1], want=1)
    if "FAILED" not in proc.stdout:
        die("verify accepts a changed signature", proc)
    run([a.minisign, "-Vm", os.path.join(t, "manifest.json"), "-p", pub1], want=1)
    ok()
    step("a changed trusted comment")
    shutil.rmtree(t, ignore_errors=True)
    shutil.copytree(b3, t)
    text = open(sig).read()
    open(sig, "w").write(text.replace("export:drillhall-", "export:drillhaIl-"))
    proc = run([a.records, "verify", t, "-p", pub1], want=1)
    if "trusted comment" not in proc.stdout:
        die("verify does not say the trusted comment was changed", proc)
    run([a.minisign, "-Vm", os.path.join(t, "manifest.json"), "-p", pub1], want=1)
    ok()
    step("a bundle cut short in copying")
    shutil.rmtree(t, ignore_errors=True)
    shutil.copytree(b3, t)
    with open(os.path.join(t, "statements.json"), "r+b") as f:
        f.truncate(1000)
    proc = run([a.records, "verify", t, "-p", pub1], want=1)
    if "copied incompletely" not in proc.stdout:
        die("verify does not recognise a cut-short copy", proc)
    ok()

    print("== summary.csv, read by Python's csv module ==")
    step("columns, numbers, CRLF, no byte order mark, formulas neutralised")
    rows, formulas = check_csv(b3, manifest(b3)["counts"]["summary_rows"])
    if len(rows) != 14 or formulas == 0:
        die(f"{len(rows)} rows, {formulas} neutralised formulas")
    names = {r[0]: r[1] for r in rows}
    if not any(n.startswith("'=HYPERLINK(\"http://x\"") for n in names.values()):
        die("the HYPERLINK name did not come through neutralised")
    if not any("\u0e2a\u0e21\u0e2b\u0e0d\u0e34\u0e07" in n for n in names.values()):
        die("the Thai name did not come through")
    for b in (b1, b2, b4):
        check_csv(b, manifest(b)["counts"]["summary_rows"])
    ok()
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        step("LibreOffice converts it to xlsx and back without losing a cell")
        conv = os.path.join(a.work, "lo")
        os.makedirs(conv, exist_ok=True)
        run([soffice, "--headless", "--convert-to", "xlsx", "--outdir", conv, os.path.join(b3, "summary.csv")])
        run([soffice, "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false",
             "--outdir", conv, os.path.join(conv, "summary.xlsx")])
        back = list(csv.reader(open(os.path.join(conv, "summary.csv"), encoding="utf-8", newline="")))
        if len(back) != len(rows) + 1:
            die("LibreOffice lost rows")
        ok()
    else:
        print("(LibreOffice is not installed: the xlsx round trip is skipped)")

    print("== merge ==")
    officer_pub, officer_key = os.path.join(a.work, "officer.pub"), os.path.join(a.work, "officer.key")
    run([a.minisign, "-G", "-W", "-p", officer_pub, "-s", officer_key])
    step("merging every bundle: each statement once, signed with the officer's key")
    merged = os.path.join(a.work, "merged")
    proc = run([a.records, "merge", b1, b2, b3, b4, "-o", merged, "--key", officer_key, "-p", pub1, "-p", pub2])
    ids_m = statement_ids(merged)
    ids4 = statement_ids(b4)
    if sorted(ids_m) != sorted(ids3 + ids4):
        die("the merge is not the union of the bundles, each statement once", proc)
    if f"({len(ids1) + len(ids2)} duplicates left out)" not in proc.stdout:
        die("merge does not count the duplicates it left out", proc)
    mm = manifest(merged)
    if mm["kind"] != "merge" or mm["kiosk_id"] is not None or len(mm["sources"]) != 4:
        die(f"merged manifest: {mm}")
    rows_m, _ = check_csv(merged, mm["counts"]["summary_rows"])
    if len(rows_m) != 14 + 5:
        die(f"merged summary has {len(rows_m)} rows")
    ok()
    step("the merged bundle verifies with the officer's key, in minisign too")
    run([a.minisign, "-Vm", os.path.join(merged, "manifest.json"), "-p", officer_pub])
    run([a.records, "verify", merged, "-p", officer_pub])
    run([a.records, "verify", merged, "-p", pub1], want=1)
    ok()
    step("merging a merge again changes nothing")
    again = os.path.join(a.work, "merged-again")
    run([a.records, "merge", merged, b3, "-o", again, "-p", officer_pub, "-p", pub1])
    if sorted(statement_ids(again)) != sorted(ids_m):
        die("merging again changed the statements")
    ok()
    step("a conflicting duplicate (same id, other content) fails, naming both bundles")
    forged = os.path.join(a.work, "forged")
    shutil.copytree(b1, forged)
    st_path = os.path.join(forged, "statements.json")
    data = json.load(open(st_path, encoding="utf-8"))
    victim = data[len(data) // 2]
    victim["verb"]["display"]["en-US"] = "something else"
    with open(st_path, "w", encoding="utf-8") as f:
        f.write("[\n" + ",\n".join(json.dumps(s, ensure_ascii=False, separators=(",", ":")) for s in data) + "\n]\n")
    shutil.copy(officer_pub, os.path.join(forged, "kiosk.pub"))
    fm = manifest(forged)
    for f in fm["files"]:
        f["sha256"] = sha256(os.path.join(forged, f["name"]))
        f["bytes"] = os.path.getsize(os.path.join(forged, f["name"]))
    fm["key_id"] = open(officer_pub).read().splitlines()[0].split()[-1]  # "... public key <ID>"
    with open(os.path.join(forged, "manifest.json"), "w") as f:
        json.dump(fm, f, indent=2)
    os.unlink(os.path.join(forged, "manifest.json.minisig"))
    run([a.minisign, "-S", "-s", officer_key, "-m", os.path.join(forged, "manifest.json"), "-t", "forged"])
    run([a.records, "verify", forged, "-p", officer_pub])
    out = os.path.join(a.work, "conflict")
    proc = run([a.records, "merge", b1, forged, "-o", out, "-p", pub1, "-p", officer_pub], want=1)
    if victim["id"] not in proc.stderr or b1 not in proc.stderr or forged not in proc.stderr:
        die("the conflict message does not name the statement and both bundles", proc)
    if os.path.exists(out) or any(n.startswith(".conflict") for n in os.listdir(a.work)):
        die("a failed merge left something behind")
    ok()

    print("== summary and stats ==")
    step("summary --by nation -o FILE.csv: every trainee counted once")
    by_nation = os.path.join(a.work, "by-nation.csv")
    run([a.records, "summary", b1, b2, b3, "--by", "nation", "-o", by_nation, "-p", pub1])
    table = list(csv.DictReader(open(by_nation, encoding="utf-8", newline="")))
    if sum(int(r["trainees"]) for r in table) != 14:
        die(f"summary counts {sum(int(r['trainees']) for r in table)} trainees, not 14")
    for r in table:
        if r["completion_rate"] and not 0 <= float(r["completion_rate"]) <= 1:
            die(f"completion rate {r['completion_rate']}")
    ok()
    step("summary table by unit")
    proc = run([a.records, "summary", merged, "--by", "unit", "-p", officer_pub])
    if "completion_rate" not in proc.stdout or "'=SUM" in proc.stdout:
        die("summary table", proc)
    ok()
    step("stats --json: item statistics of the sample quiz")
    proc = run([a.records, "stats", merged, "--json", "-p", officer_pub])
    stats = json.loads(proc.stdout)
    quizzes = stats["quizzes"]
    if len(quizzes) != 1 or not quizzes[0]["quiz"].endswith("/modules/check"):
        die("stats found no quiz", proc)
    q = quizzes[0]
    if q["answers_left_out"] != 0 or q["test"]["attempts"] != q["trainees"] or q["trainees"] < 10:
        die(f"stats: {q['trainees']} trainees, {q['test']['attempts']} attempts, {q['answers_left_out']} left out")
    for item in q["questions"]:
        if item["facility"] is not None and not 0 <= item["facility"] <= 100:
            die(f"facility {item['facility']}")
    proc_all = run([a.records, "stats", merged, "--json", "--attempts", "all", "--quiz", "check", "-p", officer_pub])
    if json.loads(proc_all.stdout)["quizzes"][0]["test"]["attempts"] < q["test"]["attempts"]:
        die("--attempts all uses fewer attempts than first")
    run([a.records, "stats", merged, "--quiz", "no-such-quiz", "-p", officer_pub], want=1)
    ok()
    step("usage errors exit 2")
    run([a.records, "export", "--data", k1], want=2)
    run([a.records, "summary", b1, "--by", "planet"], want=2)
    run([a.records, "frobnicate"], want=2)
    ok()
    print(f"records.py: all {checks} checks passed")


if __name__ == "__main__":
    main()
