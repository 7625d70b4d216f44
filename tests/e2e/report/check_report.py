#!/usr/bin/env python3
"""check_report: drillhall-records report judged from outside (e2e.records.report).

A kiosk data directory with hand-chosen marks and hostile names is made by
report_kiosk (through progress.c and the xAPI builders), exported with
drillhall-records export, and reported on. The HTML is then parsed with
Python's html.parser and checked for what an officer and a browser rely on:

  * well-formed: every element closed in order, no end tag for a void
    element, every attribute value quoted;
  * self-contained and inert: only the elements the report is meant to use
    (no script, img, link, iframe, object, ...), no src attribute, every
    href a fragment (#...), no url()/@import in the CSS, a CSP that forbids
    everything but inline style;
  * hostile names appear as text, escaped, never as markup;
  * the figures are the ones computed by hand from report_kiosk.c's marks
    (course completion and pass rates, unit and nation rates, the score
    histogram, Moodle's facility and discrimination, the flags) and from
    its four scripted exercise runs (pass rate, endings, objective scores,
    expectation states from the verdicts' review extensions; the working
    is above EXERCISE below), and statements in two overlapping bundles
    count once;
  * a tampered bundle gives no report at all (and leaves no file).

usage: check_report.py --records BIN --kiosk BIN --course DIR --work DIR
"""
import argparse
import html
import html.parser
import os
import re
import shutil
import subprocess
import sys

VOID = {"meta", "br", "rect", "line"}  # rect/line are written self-closed in SVG
ALLOWED = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "h4", "p", "div", "b", "i",
           "span", "nav", "a", "main", "table", "thead", "tbody", "tr", "th", "td", "br", "bdi", "section",
           "svg", "rect", "text", "line"}
REFERENCE_ATTRS = {"src", "href", "xlink:href", "action", "formaction", "poster", "data", "srcset", "background",
                   "cite", "longdesc", "manifest", "ping", "codebase", "archive", "usemap"}

failures = []

# ---- the exercise runs, worked by hand ----------------------------------------------------
# report_kiosk.c plays courses/awareness-essentials/scenarios/payroll-phish.json
# with the scenario engine (times are scenario seconds; the mail arrives at 30,
# the fake IT call at 300; windows are inclusive, FORMAT.md "Expectations";
# objectives detect = report-fast 4 + never-open 3 + no-forward 2 +
# refuse-code 3 = 12 points, contain = isolate-fast 4 + keep-evidence 1 +
# secure-account 3 + write-it-down 1; run score = (3 * detect + 2 * contain) / 5
# over the objectives that applied; mastery 0.8):
#
# A  SN-001  report-phish 60, tell-soc-clean 160, hang-up-report 320 -> ending
#    contained at 320 (reported, no host infected, call handled, no code).
#    report-fast met (60 in [30, 330]), never-open met, no-forward met,
#    refuse-code met (320 in [300, 600]); the rest n/a (edr-alert,
#    impossible-login, supervisor-account never came). detect 12/12 = 1;
#    score 1, passed.
# B  SN-002  forward-colleague 35, open-attachment 40 (edr-alert at 160),
#    call-service-desk/desk-report-infection 200 (reported, isolated,
#    contained; supervisor-account comes at once), write-account 250,
#    hang-up-report 330 -> partly-contained at 330. report-fast met (200),
#    never-open missed, no-forward missed, refuse-code met, isolate-fast met
#    (200 in [160, 460]), keep-evidence met, secure-account n/a,
#    write-it-down met. detect 7/12, contain 6/6 = 1; score
#    (3 * 7/12 + 2) / 5 = 0.75, failed.
# C  SN-003  forward-colleague 60, open-attachment 100 (edr-alert at 220),
#    reboot-pc 240, read-code 310 (impossible-login at 370, data-exfil at
#    670) -> account-takeover at 670. report-fast, never-open, no-forward,
#    refuse-code, isolate-fast ([220, 520]) and keep-evidence missed;
#    secure-account expired (window [370, 670] still open at the end);
#    write-it-down n/a. detect 0/12, contain 0/8; score 0, failed.
# D  SN-003 again  forward-colleague 50, hang-up-report 320, advise-report
#    400 (reported, after report-fast's window closed) -> contained at 400.
#    report-fast partly met, never-open met, no-forward missed, refuse-code
#    met; the contain ones n/a. detect 6/12 = 0.5; score 0.5, failed.
#
# Every run counts (A, B, C, D): 4 started, 1 passed, 3 failed, pass rate
# 25.0%, mean score (1 + 0.75 + 0 + 0.5) / 4 = 56.25% shown as 56.2% (printf
# rounds the exact binary half to even). Endings: contained 2 (50.0%),
# partly-contained 1, account-takeover 1 (25.0% each). detect applied in 4
# runs, mean (1 + 7/12 + 0 + 0.5) / 4 = 52.1%, met 1 (A), partly 2 (B, D),
# not 1 (C); contain in 2, mean 50.0%, met 1 (B), not 1 (C).
# Expectations (runs applied, met, partly, missed, expired), most missed
# first, ties by missed count then scenario order: no-forward 4 1 0 3 0
# (75%, the only one missed in more than half: "often missed"), never-open
# 4 2 0 2 0 (50%: exactly half is not flagged), isolate-fast 2 1 0 1 0,
# keep-evidence 2 1 0 1 0, report-fast 4 2 1 1 0, refuse-code 4 3 0 1 0,
# secure-account 1 0 0 0 1, write-it-down 1 1 0 0 0.
# Statements: per run launched, initialized, one interacted per decision,
# completed, passed/failed, terminated: 4 * 5 + (3 + 5 + 4 + 3) = 35.
EXERCISE = {
    "runs-started": "4", "runs-passed": "1", "runs-failed": "3", "pass-rate": "25.0%", "mean-score": "56.2%",
    "endings": {"contained": ("2", "50.0%"), "partly-contained": ("1", "25.0%"), "account-takeover": ("1", "25.0%")},
    "objectives": {"detect": ("4", "52.1%", "1", "2", "1"), "contain": ("2", "50.0%", "1", "0", "1")},
    "expectations": [  # in the report's order: runs, met, partly, missed, expired, miss rate, flag
        ("no-forward", "4", "1", "0", "3", "0", "75.0%", "often missed"),
        ("never-open", "4", "2", "0", "2", "0", "50.0%", ""),
        ("isolate-fast", "2", "1", "0", "1", "0", "50.0%", ""),
        ("keep-evidence", "2", "1", "0", "1", "0", "50.0%", ""),
        ("report-fast", "4", "2", "1", "1", "0", "25.0%", ""),
        ("refuse-code", "4", "3", "0", "1", "0", "25.0%", ""),
        ("secure-account", "1", "0", "0", "0", "1", "0.0%", ""),
        ("write-it-down", "1", "1", "0", "0", "0", "0.0%", ""),
    ],
    "decisions": {"forward-colleague": 3, "hang-up-report": 3, "open-attachment": 2, "report-phish": 1,
                  "tell-soc-clean": 1, "call-service-desk": 1, "write-account": 1, "reboot-pc": 1,
                  "read-code": 1, "advise-report": 1},
}


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}")
    else:
        print(f"ok: {what}")


class Page(html.parser.HTMLParser):
    """Collects structure problems, tags, text per element and data-k cells."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.problems = []
        self.tags = set()
        self.refs = []
        self.text = []
        self.cells = []  # (data-k, text, enclosing row's data-* attributes)
        self.rows = []   # attrs of the current <tr>
        self.capture = None
        self.sections = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        raw = self.get_starttag_text()
        for m in re.finditer(r"""\s([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?""", raw[len(tag) + 1:]):
            if m.group(2) is not None and m.group(2)[0] not in "\"'":
                self.problems.append(f"unquoted attribute value in {raw[:80]}")
        a = dict(attrs)
        for name, value in attrs:
            if name in REFERENCE_ATTRS or name.startswith("on"):
                self.refs.append((tag, name, value))
        if tag == "tr":
            self.rows.append(a)
        if tag == "section":
            self.sections.append(a)
        if raw.endswith("/>"):
            if tag not in VOID:
                self.problems.append(f"self-closed <{tag}/>")
            return
        if tag in VOID and tag in {"meta", "br"}:
            return
        self.stack.append(tag)
        if "data-k" in a:
            self.capture = [a["data-k"], "", self.rows[-1] if self.rows else {},
                            self.sections[-1] if self.sections else {}, len(self.stack)]

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in {"meta", "br"}:
            self.problems.append(f"end tag for void element </{tag}>")
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            return
        if self.capture and len(self.stack) == self.capture[4]:
            self.cells.append(tuple(self.capture[:4]))
            self.capture = None
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)
        if self.capture:
            self.capture[1] += data


def run(cmd, env=None, expect=0):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    print(f"$ {' '.join(cmd)}\n{r.stdout}{r.stderr}(exit {r.returncode})")
    if expect is not None and r.returncode != expect:
        sys.exit(f"check_report: expected exit {expect} from {cmd[1] if len(cmd) > 1 else cmd[0]}")
    return r


def cell(page, key, **where):
    """The text of the data-k=key cell whose row (or section) has the given data-* values."""
    found = [t.strip() for k, t, row, sec in page.cells
             if k == key and all(row.get(f"data-{a}", sec.get(f"data-{a}")) == v for a, v in where.items())]
    return found[0] if len(found) == 1 else f"<{len(found)} cells {key} {where}>"


def check_exercise(page, raw, drill):
    """The exercise section against EXERCISE (worked by hand above)."""
    x = EXERCISE
    for key in ("runs-started", "runs-passed", "runs-failed", "pass-rate", "mean-score"):
        got = cell(page, key, scenario=drill)
        check(got == x[key], f"exercise {key} = {x[key]} (got {got})")
    for action, n in x["decisions"].items():
        got = re.search(rf'<tr data-action="{action}">.*?<td class="n">(\d+)</td></tr>', raw)
        check(got is not None and got.group(1) == str(n), f"decision {action} taken {n} times")
    check(cell(page, "reviewed", scenario=drill) == "4", "all 4 verdicts carry the review")
    for ending, (runs, share) in x["endings"].items():
        got = (cell(page, "ending-runs", scenario=drill, ending=ending),
               cell(page, "ending-share", scenario=drill, ending=ending))
        check(got == (runs, share), f"ending {ending}: {runs} runs, {share} (got {got})")
    endings = re.findall(r'<tr data-ending="([^"]*)">', raw)
    check(endings == list(x["endings"]), f"endings by runs, then first seen (got {endings})")
    for obj, want in x["objectives"].items():
        got = tuple(cell(page, f"objective-{k}", scenario=drill, objective=obj)
                    for k in ("runs", "mean", "met", "partly", "not"))
        check(got == want, f"objective {obj}: runs, mean, met, partly, not = {want} (got {got})")
    bars = re.search(r"<svg [^>]*><title>Mean score of each objective.*?</svg>", raw, re.S)
    check(bars is not None and ">detect</text>" in bars.group(0) and ">52.1%</text>" in bars.group(0)
          and ">50.0%</text>" in bars.group(0), "an SVG bar per objective with its mean score")
    rows = re.findall(r'<tr data-expectation="([^"]*)">', raw)
    check(rows == [e[0] for e in x["expectations"]], f"expectations sorted by miss rate (got {rows})")
    for exp, *want in x["expectations"]:
        got = [cell(page, f"exp-{k}", scenario=drill, expectation=exp)
               for k in ("runs", "met", "partly", "missed", "expired", "miss-rate", "flag")]
        check(got == want, f"expectation {exp}: {want} (got {got})")
    check(raw.count('<span class="flag miss">often missed</span>') == 2, "one expectation flagged (plus the legend)")
    check('id="objectives-missing"' not in raw and "not in the statements" not in raw
          and "Not available from bundles" not in raw, "no longer says objectives are missing from the statements")
    check("Every run is counted" in raw, "says every exercise run is counted")
    check("<Enable Content>" not in raw, "a decision's typed text never reaches the page as markup")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", required=True)
    ap.add_argument("--kiosk", required=True)
    ap.add_argument("--course", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    data, out = os.path.join(a.work, "data"), os.path.join(a.work, "out")
    os.makedirs(out)
    run([a.kiosk, data, a.course])
    run([a.records, "export", "--data", data, "-o", out])
    first = [os.path.join(out, d) for d in sorted(os.listdir(out))]
    # a second, overlapping bundle: everything again (--all), a second later
    import time
    time.sleep(1.1)
    run([a.records, "export", "--data", data, "-o", out, "--all"])
    bundles = [os.path.join(out, d) for d in sorted(os.listdir(out))]
    check(len(first) == 1 and len(bundles) == 2, "two bundles exported (incremental, then --all)")
    pub = os.path.join(data, "kiosk.pub")
    env = dict(os.environ, SOURCE_DATE_EPOCH="1795838400")
    report = os.path.join(a.work, "report.html")
    run([a.records, "report", first[0], "-o", report, "-p", pub, "--title", "Q4 <b>report</b>"], env=env)
    raw = open(report, encoding="utf-8").read()
    page = Page()
    page.feed(raw)
    page.close()

    # ---- well-formed ----
    check(raw.startswith("<!DOCTYPE html>\n<html lang=\"en\">"), "HTML5 doctype and language")
    check(not page.problems, f"well-formed: {page.problems[:5]}")
    check(not page.stack, f"every element closed (open at end: {page.stack})")

    # ---- self-contained and inert ----
    check(page.tags <= ALLOWED, f"only the report's own elements (unexpected: {sorted(page.tags - ALLOWED)})")
    bad_refs = [r for r in page.refs if not (r[1] == "href" and r[2].startswith("#"))]
    check(not bad_refs, f"no external references or event handlers (found {bad_refs[:3]})")
    style = re.search(r"<style>(.*?)</style>", raw, re.S).group(1)
    check("url(" not in style and "@import" not in style, "the CSS loads nothing")
    check("default-src 'none'" in raw, "a Content-Security-Policy forbids scripts and fetches")
    check("@page{size:A4" in style and "@media print" in style, "print CSS for A4")
    check("Generated 2026-11-28 04:00 UTC" in raw, "SOURCE_DATE_EPOCH fixes the generation time")

    # ---- hostile text escaped ----
    for needle in ["<script>alert", "<img src=x", "<b>Co</b>", "<Unit>", "<b>report</b>"]:
        check(needle not in raw, f"raw markup {needle!r} does not reach the page")
    for escaped in ["&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;",
                    "O&#39;Brien &quot;Danger&quot; &amp; &lt;b&gt;Co&lt;/b&gt;",
                    "<bdi>\u0645\u062d\u0645\u062f &lt;img src=x onerror=alert(1)&gt;</bdi>",
                    "Cyber &lt;Unit&gt; &amp; Co",
                    "=HYPERLINK(&quot;https://evil.example/x&quot;,&quot;y&quot;)",
                    "<h1><bdi>Q4 &lt;b&gt;report&lt;/b&gt;</bdi></h1>"]:
        check(escaped in raw, f"escaped as text: {escaped}")
    text = html.unescape("".join(page.text))
    check("<script>alert('x')</script>" in text, "the hostile name reads as itself")
    check("\u0e2a\u0e21\u0e0a\u0e32\u0e22 \u0e43\u0e08\u0e14\u0e35" in text and "Nguy\u1ec5n V\u0103n An" in text,
          "Thai and Vietnamese names intact")

    # ---- the figures ----
    course = "org.drillhall.samples.awareness-essentials"
    expect = {
        ("trainees", ()): "7", ("enrolments", ()): "7", ("completed", ()): "2", ("passed", ()): "2",
        ("statements", ()): "160",  # 125 outside the exercise + 35 (EXERCISE above)
        ("completion", (("course", course),)): "28.6%", ("pass-rate", (("course", course),)): "28.6%",
        ("mean-score", (("course", course),)): "56.7%",
        ("completion", (("group", "1st Signal Bn"),)): "100.0%",
        ("completion", (("group", "2nd Cyber Coy"),)): "0.0%",
        ("mean-score", (("group", "2nd Cyber Coy"),)): "40.0%",
        ("median-time", ()): "22 min",
        ("attempts", ()): "6", ("mean", ()): "50.0%", ("median", ()): "40.0%",
        ("facility", (("question", "qr-poster"),)): "100.0%",
        ("facility", (("question", "gift-cards"),)): "16.7%",
        ("facility", (("question", "strong-password"),)): "50.0%",
        ("facility", (("question", "found-usb"),)): "33.3%",
        ("discrimination", (("question", "found-usb"),)): "-77.3",
        ("discrimination", (("question", "qr-poster"),)): "\u2013",
        ("flags", (("question", "qr-poster"),)): "too easy",
        ("flags", (("question", "gift-cards"),)): "too hard",
        ("flags", (("question", "found-usb"),)): "negative discrimination",
    }
    for (key, where), value in expect.items():
        got = cell(page, key, **dict(where))
        check(got == value, f"{key} {dict(where) or ''} = {value} (got {got})")
    # nations: TH has one pass of two
    check(cell(page, "completion", group="TH") == "50.0%", "nation TH completion 50.0%")
    hist = re.search(r'<table class="hist" data-course="[^"]*">.*?<tbody><tr><th>Trainees</th>(.*?)</tr>', raw, re.S)
    counts = re.findall(r'<td class="n">(\d+)</td>', hist.group(1)) if hist else []
    check(counts == ["0", "0", "0", "0", "4", "0", "0", "0", "1", "1"], f"score histogram 4 x 40-50%, 80-90%, 90-100% (got {counts})")
    check_exercise(page, raw, f"https://training.example.org/xapi/courses/{course}/modules/drill")
    check(raw.count("<svg ") >= 6, "inline SVG charts")

    # ---- overlapping bundles count each statement once ----
    both = os.path.join(a.work, "both.html")
    run([a.records, "report", *bundles, "-o", both, "-p", pub], env=env)
    p2 = Page()
    p2.feed(open(both, encoding="utf-8").read())
    check(cell(p2, "statements") == "160" and cell(p2, "trainees") == "7",
          "two overlapping bundles: 160 statements and 7 trainees, not twice as many")
    check(cell(p2, "ending-runs", ending="contained") == "2" and cell(p2, "exp-missed", expectation="no-forward") == "3"
          and cell(p2, "runs-started") == "4", "exercise runs and reviews unchanged by the overlap")
    check(cell(p2, "facility", question="gift-cards") == "16.7%", "item statistics unchanged by the overlap")

    # ---- another kiosk's activity base: extensions are found by their suffix ----
    base = "https://lms.example.mil/lrs/drillhall"
    data2, out2 = os.path.join(a.work, "data-other-base"), os.path.join(a.work, "out-other-base")
    os.makedirs(out2)
    run([a.kiosk, data2, a.course, base])
    run([a.records, "export", "--data", data2, "-o", out2])
    other = os.path.join(a.work, "other-base.html")
    run([a.records, "report", *[os.path.join(out2, d) for d in os.listdir(out2)], "-o", other,
         "-p", os.path.join(data2, "kiosk.pub")], env=env)
    p3 = Page()
    p3.feed(open(other, encoding="utf-8").read())
    drill = f"{base}/courses/{course}/modules/drill"
    got = (cell(p3, "reviewed", scenario=drill), cell(p3, "ending-share", scenario=drill, ending="contained"),
           cell(p3, "objective-mean", scenario=drill, objective="detect"),
           cell(p3, "exp-missed", scenario=drill, expectation="no-forward"))
    check(got == ("4", "50.0%", "52.1%", "3"), f"activity base {base}: the same reviews are read (got {got})")

    # ---- a tampered bundle: no report, no file ----
    bad = os.path.join(a.work, "tampered")
    shutil.copytree(first[0], bad)
    sj = os.path.join(bad, "statements.json")
    body = open(sj, encoding="utf-8").read().replace("SN-002", "SN-666", 1)
    open(sj, "w", encoding="utf-8").write(body)
    none = os.path.join(a.work, "none.html")
    run([a.records, "report", bad, "-o", none], expect=1)
    check(not os.path.exists(none) and not any(f.startswith("none.html") for f in os.listdir(a.work)),
          "a tampered bundle leaves no report behind")
    run([a.records, "report", first[0]], expect=2)

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all report checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
