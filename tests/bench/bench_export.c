/* bench_export: the records path as a training officer uses it, on a kiosk
 * that has been busy for months.
 *
 * A data directory gets a kiosk identity and a journal of N statements built
 * by the xAPI builders from the sample course (launched, quiz attempts with
 * an "answered" per question and passed/failed, 2.2 KB on average), spread
 * over up to 500 trainees with three attempts each and committed one attempt
 * at a time. Then, as an officer would: the first (incremental) export, a
 * second one with nothing new, an --all export, opening the bundle with
 * every check (dh_bundle_open) and one pass over its statements. Each phase
 * prints its time, its rate and its peak RSS (VmHWM, reset before the phase
 * through /proc/self/clear_refs), so "memory stays bounded" is a figure one
 * can compare across N. Figures only, no limits (DESIGN.md, "Performance
 * budgets"). Usage: bench_export [STATEMENTS [DIR]]; DIR defaults to a fresh
 * folder under /tmp and is removed afterwards.
 */
#define _XOPEN_SOURCE 700 /* nftw, mkdtemp, clock_gettime */

#include "alloc.h"
#include "bundle.h"
#include "course.h"
#include "export.h"
#include "kiosk.h"
#include "package.h"
#include "quiz.h"
#include "store.h"
#include "xapi.h"

#include <dirent.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SAMPLE DH_SOURCE_DIR "/courses/awareness-essentials"
#define T0 1793491200000LL      /* 2026-11-01T00:00:00Z: the first statement */
#define MAX_TRAINEES 500
#define ATTEMPTS 3              /* registrations per trainee */
#define PER_TRAINEE_MIN 200     /* fewer statements: fewer trainees, not thinner attempts */
#define BATCH 1000              /* statements per commit at most */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int fail(const char *what, const dh_Error *err)
{
    fprintf(stderr, "bench_export: %s: %s\n", what, err ? err->msg : "failed");
    return 1;
}

/* ---- memory ------------------------------------------------------------------ */

/* A "VmXXX:" line of /proc/self/status in kB, or -1. */
static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0) {
            kb = strtol(line + n, NULL, 10);
            break;
        }
    if (f) fclose(f);
    return kb;
}

/* Writing "5" to clear_refs resets VmHWM to the current RSS (Linux 4.0+),
 * which turns the process's high-water mark into a per-phase one. */
static bool peak_reset(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f) return false;
    bool ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok;
}

/* Peak RSS in kB: VmHWM, else getrusage's ru_maxrss (never reset). */
static long peak_kb(void)
{
    long kb = status_kb("VmHWM:");
    if (kb < 0) {
        struct rusage ru;
        kb = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
    }
    return kb;
}

typedef struct Phase {
    double t0;     /* monotonic ms at the start */
    long rss_kb;   /* RSS at the start */
    double ms;     /* duration, after phase_end */
    long peak_kb;  /* peak RSS during the phase (since process start if not resettable) */
} Phase;

static bool resettable;

static void phase_begin(Phase *p)
{
    p->rss_kb = status_kb("VmRSS:");
    peak_reset();
    p->t0 = now_ms();
}

static void phase_end(Phase *p)
{
    p->ms = now_ms() - p->t0;
    p->peak_kb = peak_kb();
}

static void print_memory(const Phase *p)
{
    printf("  peak RSS %.1f MiB (%.1f MiB at the start, +%.1f MiB)\n", p->peak_kb / 1024.0,
           p->rss_kb / 1024.0, (p->peak_kb - p->rss_kb) / 1024.0);
}

/* ---- the journal ------------------------------------------------------------- */

/* The right answer to q in the builder's terms: every interaction type of
 * the sample quiz writes its real pattern, components and response. items
 * holds DH_QUIZ_MAX_ITEMS ints, clicks 2 * DH_QUIZ_MAX_ITEMS doubles. */
static void key_response(const dh_Question *q, int *items, double *clicks, dh_XapiResponse *x)
{
    memset(x, 0, sizeof *x);
    x->items = items;
    switch (q->type) {
    case DH_QUESTION_SINGLE: {
        int best = 0;
        for (int i = 1; i < q->u.choice.nchoices; i++)
            if (q->u.choice.choices[i].fraction > q->u.choice.choices[best].fraction) best = i;
        items[x->nitems++] = best;
        break;
    }
    case DH_QUESTION_MULTIPLE:
        for (int i = 0; i < q->u.choice.nchoices && x->nitems < DH_QUIZ_MAX_ITEMS; i++)
            if (q->u.choice.choices[i].fraction > 0) items[x->nitems++] = i;
        break;
    case DH_QUESTION_HOTTEXT: /* spans whose choice earns marks */
        for (int i = 0; i < q->u.choice.nspans && x->nitems < DH_QUIZ_MAX_ITEMS; i++)
            for (int c = 0; c < q->u.choice.nchoices; c++)
                if (strcmp(q->u.choice.choices[c].id, q->u.choice.spans[i]) == 0) {
                    if (q->u.choice.choices[c].fraction > 0) items[x->nitems++] = i;
                    break;
                }
        break;
    case DH_QUESTION_TRUEFALSE:
        x->value = q->u.truefalse.correct;
        break;
    case DH_QUESTION_SHORT: {
        const char *p = q->u.shortans.nanswers ? dh_text_get(&q->u.shortans.answers[0].pattern, "en", NULL)
                                               : NULL;
        x->text = p && !strchr(p, '*') ? p : "reported it to the service desk";
        break;
    }
    case DH_QUESTION_NUMERIC:
        x->has_number = true;
        x->number = q->u.numeric.nanswers ? q->u.numeric.answers[0].value : 0;
        break;
    case DH_QUESTION_MATCHING:
        for (int i = 0; i < q->u.matching.nprompts && i < DH_QUIZ_MAX_ITEMS; i++)
            items[x->nitems++] = q->u.matching.prompts[i].answer;
        break;
    case DH_QUESTION_ORDERING:
        for (int i = 0; i < q->u.ordering.nitems && i < DH_QUIZ_MAX_ITEMS; i++) items[x->nitems++] = i;
        break;
    case DH_QUESTION_GAPSELECT:
        for (int i = 0; i < q->u.gapselect.ngaps && i < DH_QUIZ_MAX_ITEMS; i++)
            items[x->nitems++] = q->u.gapselect.gaps[i];
        break;
    case DH_QUESTION_HOTSPOT: /* one click in each region that earns marks */
        x->clicks = clicks;
        for (int i = 0; i < q->u.hotspot.nregions; i++) {
            const dh_Region *g = &q->u.hotspot.regions[i];
            if (g->fraction <= 0 || g->ncoords < 2) continue;
            if (x->nclicks >= DH_QUIZ_MAX_ITEMS ||
                (q->u.hotspot.max_clicks > 0 && x->nclicks >= q->u.hotspot.max_clicks))
                break;
            double cx = g->coords[0], cy = g->coords[1];
            if (g->shape == DH_REGION_RECT && g->ncoords >= 4) cx += g->coords[2] / 2, cy += g->coords[3] / 2;
            items[x->nitems++] = i;
            clicks[2 * x->nclicks] = cx;
            clicks[2 * x->nclicks + 1] = cy;
            x->nclicks++;
        }
        break;
    case DH_QUESTION_DESCRIPTION:
        break;
    }
}

/* What builds the statements of one attempt. */
typedef struct Fill {
    const dh_Course *course;
    int quiz;                  /* module index of the quiz */
    const int *questions;      /* indices of the quiz's answerable questions */
    int nquestions;
    dh_XapiConfig cfg;
    int64_t at;                /* the next statement's timestamp */
    double build_ms, commit_ms;
    long commits;
    size_t bytes;              /* statement text written */
} Fill;

/* Statement j of an attempt: "launched" first, then quiz tries in turn:
 * "attempted", one "answered" per question, "failed" or "passed" (tries
 * alternate, so every attempt ends up with failures and passes). */
static dh_Status build(Fill *f, const dh_XapiContext *course_ctx, long j, dh_XapiStatement *st,
                       dh_Error *err)
{
    f->at += 15000 + j % 7 * 1000;
    if (j == 0) return dh_xapi_course_statement(st, course_ctx, DH_XAPI_LAUNCHED, NULL, f->at, err);
    dh_XapiContext ctx = *course_ctx;
    ctx.module = f->quiz;
    long period = f->nquestions + 2, k = (j - 1) % period, try = (j - 1) / period;
    if (k == 0) return dh_xapi_module_statement(st, &ctx, DH_XAPI_ATTEMPTED, NULL, f->at, err);
    if (k == period - 1) {
        bool passed = try % 2 == 1;
        dh_XapiResult r = {.has_duration = true, .duration_ms = 420000 + j * 10};
        dh_xapi_score(&r, passed ? 17 : 9, 0, 19);
        return dh_xapi_module_statement(st, &ctx, passed ? DH_XAPI_PASSED : DH_XAPI_FAILED, &r, f->at,
                                        err);
    }
    const dh_Question *q = &f->course->modules[f->quiz].u.quiz->questions[f->questions[k - 1]];
    int items[DH_QUIZ_MAX_ITEMS];
    double clicks[2 * DH_QUIZ_MAX_ITEMS];
    dh_XapiResponse x;
    key_response(q, items, clicks, &x);
    dh_XapiResult r = {.success = DH_XAPI_TRUE, .has_duration = true, .duration_ms = 4000 + j % 31 * 1000};
    dh_xapi_score(&r, q->points, 0, q->points);
    return dh_xapi_answered(st, &ctx, q, &x, &r, f->at, err);
}

/* Journal `count` statements of the attempt e in commits of at most BATCH;
 * the last commit also sets the attempt's progress. */
static dh_Status fill_attempt(Fill *f, dh_Store *s, const dh_Trainee *t, const dh_Enrolment *e,
                              long count, dh_Error *err)
{
    dh_XapiContext ctx = {.config = &f->cfg, .trainee_id = t->id, .trainee_name = t->name,
                          .course = f->course, .registration = e->registration, .module = -1,
                          .language = "en"};
    dh_StoreStatement batch[BATCH];
    char *texts[BATCH];
    char (*ids)[DH_UUID_LEN + 1] = dh_malloc(BATCH * sizeof *ids);
    if (!ids) return dh_fail(err, DH_ENOMEM, "out of memory");
    dh_Status status = DH_OK;
    for (long done = 0; done < count && !status;) {
        int n = 0;
        double t0 = now_ms();
        for (; n < BATCH && done + n < count; n++) {
            dh_XapiStatement st;
            if ((status = build(f, &ctx, done + n, &st, err))) break;
            texts[n] = dh_xapi_statement_text(&st);
            memcpy(ids[n], st.id, sizeof ids[n]);
            batch[n] = (dh_StoreStatement){.id = ids[n], .verb = dh_xapi_verb_iri(st.verb),
                                           .timestamp_ms = st.timestamp_ms, .json = texts[n]};
            dh_xapi_statement_free(&st);
            if (!texts[n]) {
                status = dh_fail(err, DH_ENOMEM, "out of memory writing a statement");
                break;
            }
            f->bytes += strlen(texts[n]);
        }
        f->build_ms += now_ms() - t0;
        if (!status) {
            bool last = done + n >= count;
            dh_AttemptProgress a = {.status = DH_PROGRESS_PASSED, .has_score = true, .score = 17.0 / 19,
                                    .time_ms = count * 15000};
            dh_StoreChange c = {.registration = e->registration, .attempt = last ? &a : NULL,
                                .statements = batch, .nstatements = n};
            t0 = now_ms();
            status = dh_store_commit(s, &c, err);
            f->commit_ms += now_ms() - t0;
            f->commits++;
        }
        for (int i = 0; i < n; i++) dh_free(texts[i]);
        done += n;
    }
    dh_free(ids);
    return status;
}

static const char *const names[] = {"Somchai Jaidee", "Dara Sok", "Nguyen Van An", "Pat O'Brien",
                                    "สมหญิง ใจดี", "Siti Rahman", "Maria Santos", "Budi Santoso"};
static const char *const units[] = {"1st Signal Bn", "Cyber Defence Centre", "HQ J6", "กองพันทหารสื่อสาร"};
static const char *const nations[] = {"TH", "MY", "SG", "ID", "PH", "VN", "KH", "AU"};

/* ---- reading bundles ---------------------------------------------------------- */

typedef struct Pass {
    int64_t n;
    size_t bytes;
} Pass;

static dh_Status count_statement(const dh_BundleStatement *st, void *ctx, dh_Error *err)
{
    Pass *p = ctx;
    if (st->index != p->n) return dh_fail(err, DH_EFORMAT, "statement %lld came out of order", (long long)st->index);
    p->n++;
    p->bytes += st->len;
    return DH_OK;
}

/* Bytes of the files in a bundle directory, and of its statements.json. */
static long long bundle_bytes(const char *dir, long long *statements)
{
    DIR *d = opendir(dir);
    long long total = 0;
    *statements = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        char path[DH_STORE_PATH_MAX];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) continue;
        total += sb.st_size;
        if (strcmp(e->d_name, DH_EXPORT_STATEMENTS) == 0) *statements = sb.st_size;
    }
    if (d) closedir(d);
    return total;
}

static dh_Status export_phase(const char *what, dh_Store *s, const dh_Kiosk *k, const char *out, bool all,
                              dh_ExportResult *res, dh_Error *err)
{
    dh_ExportOptions opt = {.out_dir = out, .all = all, .now_ms = (int64_t)time(NULL) * 1000};
    Phase p;
    phase_begin(&p);
    dh_Status status = dh_export_bundle(s, k, &opt, res, err);
    phase_end(&p);
    if (status) return status;
    if (!res->written) {
        printf("%s: nothing new to export, nothing written, in %.1f ms\n", what, p.ms);
    } else {
        long long json = 0, total = bundle_bytes(res->path, &json);
        printf("%s: %lld statements, %lld summary rows, statements.json %.1f MB, bundle %.1f MB, "
               "in %.0f ms:\n  %.0f statements/s, %.1f MB/s\n",
               what, (long long)res->statements, (long long)res->rows, json / 1e6, total / 1e6, p.ms,
               res->statements / (p.ms / 1e3), json / 1e6 / (p.ms / 1e3));
    }
    print_memory(&p);
    return DH_OK;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
    char tmp[] = "/tmp/drillhall-bench-export.XXXXXX";
    const char *dir = argc > 2 ? argv[2] : NULL;
    if (argc > 3 || n < 100 || n > 100000000) {
        fprintf(stderr, "usage: bench_export [STATEMENTS >= 100, default 100000 [DIR]]\n");
        return 2;
    }
    if (!dir && !(dir = mkdtemp(tmp))) {
        perror("bench_export: mkdtemp");
        return 1;
    }
    int rc = 1;
    dh_Error err = {0};
    dh_Kiosk kiosk;
    memset(&kiosk, 0, sizeof kiosk);
    dh_Store *s = NULL;
    dh_Package *pkg = NULL;
    dh_Course *course = NULL;
    dh_Trust *trust = NULL;
    dh_Bundle *b = NULL;
    int *questions = NULL;
    char out[DH_STORE_PATH_MAX];
    snprintf(out, sizeof out, "%s/usb", dir);
    resettable = peak_reset();

    if (dh_package_init(argv[0], &err)) goto failed;
    if (dh_kiosk_open(&kiosk, dir, &err)) goto failed;
    if (dh_store_open(&s, dir, NULL, &err)) goto failed;
    if (dh_store_make_dir(out, &err)) goto failed;
    if (dh_package_open(&pkg, SAMPLE, &err)) goto failed;
    dh_Diags d;
    dh_diags_init(&d);
    dh_Status loaded = dh_course_load(&course, pkg, &d);
    dh_diags_free(&d);
    if (loaded || !course->ok) {
        fprintf(stderr, "bench_export: the sample course %s does not load\n", SAMPLE);
        goto done;
    }

    Fill f = {.course = course, .quiz = -1, .at = T0,
              .cfg = {.home_page = "https://kiosk.example.org",
                      .activity_base = "https://training.example.org/xapi/", .kiosk_id = kiosk.id}};
    for (int m = 0; m < course->nmodules && f.quiz < 0; m++)
        if (course->modules[m].kind == DH_MODULE_QUIZ) f.quiz = m;
    if (f.quiz < 0) {
        fprintf(stderr, "bench_export: the sample course has no quiz\n");
        goto done;
    }
    const dh_Quiz *quiz = course->modules[f.quiz].u.quiz;
    if (!(questions = dh_malloc((size_t)quiz->nquestions * sizeof *questions))) goto oom;
    for (int i = 0; i < quiz->nquestions; i++)
        if (quiz->questions[i].type != DH_QUESTION_DESCRIPTION) questions[f.nquestions++] = i;
    f.questions = questions;

    long trainees = n / PER_TRAINEE_MIN;
    trainees = trainees < 1 ? 1 : trainees > MAX_TRAINEES ? MAX_TRAINEES : trainees;
    long attempts = trainees * ATTEMPTS;
    printf("data directory: %s (SQLite %s, WAL, synchronous=FULL; kiosk %s)\n", dir,
           sqlite3_libversion(), kiosk.id);
    if (!resettable) printf("(peak RSS cannot be reset here: each figure is the process's peak so far)\n");

    /* 1. fill: attempt 1 of every trainee, then attempt 2, ..., as time goes */
    Phase p;
    phase_begin(&p);
    for (long a = 0; a < ATTEMPTS; a++)
        for (long t = 0; t < trainees; t++) {
            dh_Trainee tr;
            memset(&tr, 0, sizeof tr);
            snprintf(tr.id, sizeof tr.id, "SN-%05ld", t + 1);
            snprintf(tr.name, sizeof tr.name, "%s %ld", names[t % 8], t + 1);
            snprintf(tr.unit, sizeof tr.unit, "%s", units[t % 4]);
            snprintf(tr.nation, sizeof tr.nation, "%s", nations[t % 8]);
            dh_Enrolment e;
            if (a == 0 && dh_store_trainee_create(s, &tr, NULL, &err)) goto failed;
            if ((a == 0 ? dh_store_enrol(s, tr.id, course->id, course->version, &e, &err)
                        : dh_store_new_attempt(s, tr.id, course->id, course->version, &e, &err)))
                goto failed;
            long r = a * trainees + t, count = n / attempts + (r < n % attempts);
            if (fill_attempt(&f, s, &tr, &e, count, &err)) goto failed;
        }
    phase_end(&p);
    printf("fill: %ld statements (mean %.0f bytes, %.1f MB) for %ld trainees x %d attempts, "
           "%ld commits:\n  %.0f statements/s overall (building %.1f s, committing %.1f s: "
           "%.0f statements/s)\n",
           n, (double)f.bytes / n, f.bytes / 1e6, trainees, ATTEMPTS, f.commits, n / (p.ms / 1e3),
           f.build_ms / 1e3, f.commit_ms / 1e3, n / (f.commit_ms / 1e3));
    print_memory(&p);
    struct stat db;
    if (stat(dh_store_path(s), &db) == 0) printf("  progress.db %.1f MB\n", db.st_size / 1e6);

    /* 2-4. exports */
    dh_ExportResult first, again, all;
    if (export_phase("first export (incremental)", s, &kiosk, out, false, &first, &err)) goto failed;
    if (export_phase("second export (incremental)", s, &kiosk, out, false, &again, &err)) goto failed;
    if (export_phase("export --all", s, &kiosk, out, true, &all, &err)) goto failed;
    if (!first.written || first.statements != n || again.written || all.statements != n) {
        fprintf(stderr, "bench_export: the exports took %lld, %lld and %lld statements of %ld\n",
                (long long)first.statements, (long long)(again.written ? again.statements : 0),
                (long long)all.statements, n);
        goto done;
    }

    /* 5. verification: signature, hashes, every statement and summary row */
    if (dh_trust_new(&trust, &err)) goto failed;
    phase_begin(&p);
    if (dh_bundle_open(&b, first.path, trust, true, &err)) goto failed;
    phase_end(&p);
    long long json = 0;
    bundle_bytes(first.path, &json);
    printf("verify (dh_bundle_open, every check): %.0f ms, %.0f statements/s, %.1f MB/s\n", p.ms,
           n / (p.ms / 1e3), json / 1e6 / (p.ms / 1e3));
    print_memory(&p);

    /* 6. one pass over the statements, each parsed (what summary, stats, push do) */
    Pass pass = {0};
    phase_begin(&p);
    if (dh_bundle_statements_each(b, count_statement, &pass, &err)) goto failed;
    phase_end(&p);
    if (pass.n != n) {
        fprintf(stderr, "bench_export: the statement pass saw %lld statements of %ld\n", (long long)pass.n, n);
        goto done;
    }
    printf("statement pass (dh_bundle_statements_each): %lld statements in %.0f ms, %.0f statements/s, "
           "%.1f MB/s\n",
           (long long)pass.n, p.ms, pass.n / (p.ms / 1e3), pass.bytes / 1e6 / (p.ms / 1e3));
    print_memory(&p);
    rc = 0;
    goto done;

oom:
    dh_fail(&err, DH_ENOMEM, "out of memory");
failed:
    fail("failed", &err);
done:
    dh_bundle_close(b);
    dh_trust_free(trust);
    dh_free(questions);
    dh_course_free(course);
    dh_package_close(pkg);
    dh_store_close(s);
    dh_kiosk_wipe(&kiosk);
    dh_package_deinit();
    if (argc <= 2 && nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "bench_export: could not remove %s\n", dir);
    return rc;
}
