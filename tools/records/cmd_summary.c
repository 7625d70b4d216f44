/* cmd_summary: `drillhall-records summary`, completion and pass rates.
 *
 * Leadership asks how many people finished which course, unit by unit and
 * nation by nation. The rows of every bundle's summary.csv are reduced to
 * one standing per trainee and course: the newest row of each kiosk and
 * version, then the best of those (passed over completed over failed over
 * in progress), because a trainee who passed on one kiosk and is halfway
 * through a newer version on another has passed the course. The result is
 * printed as an aligned table or written as CSV with the same columns.
 */
#define _POSIX_C_SOURCE 200809L

#include "records.h"

#include "alloc.h"
#include "csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
    printf("Usage: drillhall-records summary BUNDLE... [--by unit|nation|course] [-o FILE.csv]\n"
           "                                  [-p PUB]... [--trusted FILE]\n"
           "\n"
           "Completion and pass rates per course, or per unit or nation and course, from the\n"
           "bundles' summaries (each trainee and course counted once, at their best standing).\n"
           "\n"
           "  --by WHAT        course (default), unit or nation\n"
           "  -o, --out FILE   write CSV (RFC 4180) instead of printing a table\n"
           "  -p, --pubkey PUB / --trusted FILE   trusted keys (see 'verify --help')\n"
           "\n"
           "Columns: trainees, not_started, in_progress, completed (completed or passed),\n"
           "passed, failed, completion_rate (completed / trainees), pass_rate (passed /\n"
           "(passed + failed), empty when nobody has a result), mean_score (scaled, of those\n"
           "with a score), mean_time_min.\n");
}

typedef enum By { BY_COURSE, BY_UNIT, BY_NATION } By;

/* One trainee's best standing in one course. */
typedef struct Best {
    const char *group;   /* unit or nation ("" by course) */
    const char *course;
    dh_ProgressStatus status;
    bool has_score;
    double score;
    int64_t time_ms;
} Best;

static int status_rank(dh_ProgressStatus s)
{
    switch (s) {
    case DH_PROGRESS_PASSED: return 4;
    case DH_PROGRESS_COMPLETED: return 3;
    case DH_PROGRESS_FAILED: return 2;
    case DH_PROGRESS_IN_PROGRESS: return 1;
    default: return 0;
    }
}

static int cmp_best(const void *a, const void *b)
{
    const Best *x = a, *y = b;
    int d = strcmp(x->group, y->group);
    return d ? d : strcmp(x->course, y->course);
}

typedef struct Group {
    const char *group, *course;
    int64_t trainees, not_started, in_progress, completed, passed, failed, scored;
    double score_sum, time_sum_ms;
} Group;

static void rate(char *out, size_t size, double num, double den, bool percent)
{
    if (den <= 0) snprintf(out, size, percent ? "-" : "");
    else if (percent) snprintf(out, size, "%.1f%%", 100.0 * num / den);
    else snprintf(out, size, "%.4f", num / den);
}

/* Cell texts of a group, in column order after the group columns. */
static void cells(const Group *g, bool percent, char out[9][32])
{
    snprintf(out[0], 32, "%lld", (long long)g->trainees);
    snprintf(out[1], 32, "%lld", (long long)g->not_started);
    snprintf(out[2], 32, "%lld", (long long)g->in_progress);
    snprintf(out[3], 32, "%lld", (long long)g->completed);
    snprintf(out[4], 32, "%lld", (long long)g->passed);
    snprintf(out[5], 32, "%lld", (long long)g->failed);
    rate(out[6], 32, (double)g->completed, (double)g->trainees, percent);
    rate(out[7], 32, (double)g->passed, (double)(g->passed + g->failed), percent);
    rate(out[8], 32, g->score_sum, (double)g->scored, percent);
}

static const char *const value_columns[] = {"trainees", "not_started", "in_progress", "completed",
                                            "passed", "failed", "completion_rate", "pass_rate",
                                            "mean_score", "mean_time_min"};

/* Display width: code points (every partner nation's script counts one per
 * character here; combining marks make Thai names look shorter, acceptably). */
static int width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

static void pad(FILE *f, const char *s, int w, bool right)
{
    int n = w - width(s);
    if (right)
        for (int i = 0; i < n; i++) fputc(' ', f);
    fputs(s, f);
    if (!right)
        for (int i = 0; i < n; i++) fputc(' ', f);
}

static int print_table(const Group *g, size_t n, By by)
{
    const char *gname = by == BY_UNIT ? "unit" : by == BY_NATION ? "nation" : NULL;
    int wg = gname ? width(gname) : 0, wc = width("course"), wv[10];
    for (int c = 0; c < 10; c++) wv[c] = width(value_columns[c]);
    char v[9][32], t[32];
    for (size_t i = 0; i < n; i++) {
        if (gname && width(g[i].group[0] ? g[i].group : "(none)") > wg)
            wg = width(g[i].group[0] ? g[i].group : "(none)");
        if (width(g[i].course) > wc) wc = width(g[i].course);
        cells(&g[i], true, v);
        for (int c = 0; c < 9; c++)
            if (width(v[c]) > wv[c]) wv[c] = width(v[c]);
    }
    if (gname) {
        pad(stdout, gname, wg, false);
        fputs("  ", stdout);
    }
    pad(stdout, "course", wc, false);
    for (int c = 0; c < 10; c++) {
        fputs("  ", stdout);
        pad(stdout, value_columns[c], wv[c], true);
    }
    fputc('\n', stdout);
    for (size_t i = 0; i < n; i++) {
        if (gname) {
            pad(stdout, g[i].group[0] ? g[i].group : "(none)", wg, false);
            fputs("  ", stdout);
        }
        pad(stdout, g[i].course, wc, false);
        cells(&g[i], true, v);
        for (int c = 0; c < 9; c++) {
            fputs("  ", stdout);
            pad(stdout, v[c], wv[c], true);
        }
        snprintf(t, sizeof t, "%.1f", g[i].trainees ? g[i].time_sum_ms / 60000.0 / (double)g[i].trainees : 0.0);
        fputs("  ", stdout);
        pad(stdout, t, wv[9], true);
        fputc('\n', stdout);
    }
    if (n == 0) printf("(no trainees in these bundles)\n");
    return 0;
}

static int write_csv(const Group *g, size_t n, By by, const char *path)
{
    dh_Buf b = {0};
    dh_CsvRow r;
    const char *gname = by == BY_UNIT ? "unit" : by == BY_NATION ? "nation" : NULL;
    dh_csv_row_begin(&r, &b);
    if (gname) dh_csv_plain(&r, gname);
    dh_csv_plain(&r, "course_id");
    for (int c = 0; c < 10; c++) dh_csv_plain(&r, value_columns[c]);
    dh_csv_row_end(&r);
    for (size_t i = 0; i < n; i++) {
        dh_csv_row_begin(&r, &b);
        if (gname) dh_csv_text(&r, g[i].group);
        dh_csv_text(&r, g[i].course);
        dh_csv_int(&r, g[i].trainees);
        dh_csv_int(&r, g[i].not_started);
        dh_csv_int(&r, g[i].in_progress);
        dh_csv_int(&r, g[i].completed);
        dh_csv_int(&r, g[i].passed);
        dh_csv_int(&r, g[i].failed);
        dh_csv_number(&r, g[i].trainees ? (double)g[i].completed / (double)g[i].trainees : NAN);
        dh_csv_number(&r, g[i].passed + g[i].failed
                              ? (double)g[i].passed / (double)(g[i].passed + g[i].failed)
                              : NAN);
        dh_csv_number(&r, g[i].scored ? g[i].score_sum / (double)g[i].scored : NAN);
        dh_csv_number(&r, g[i].trainees ? g[i].time_sum_ms / 60000.0 / (double)g[i].trainees : NAN);
        dh_csv_row_end(&r);
    }
    if (b.oom) {
        tool_error("summary: out of memory");
        dh_buf_free(&b);
        return 1;
    }
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(b.p, 1, b.n, f) == b.n;
    int e = errno;
    if (f && fclose(f) != 0) {
        ok = false;
        e = errno;
    }
    dh_buf_free(&b);
    if (!ok) {
        tool_error("summary: cannot write %s: %s", path, strerror(e));
        return 1;
    }
    return 0;
}

static int summarise(dh_Bundle **bundles, int nb, By by, const char *out)
{
    SummaryRow *rows;
    size_t nrows;
    dh_Error err;
    char buf[1200];
    if (collect_summary(bundles, nb, &rows, &nrows, &err)) {
        tool_error("summary: %s", describe_error(&err, buf, sizeof buf));
        return 1;
    }
    Best *best = dh_malloc((nrows ? nrows : 1) * sizeof *best);
    Group *groups = dh_calloc(nrows ? nrows : 1, sizeof *groups);
    if (!best || !groups) {
        dh_free(best);
        dh_free(groups);
        free_summary(rows, nrows);
        tool_error("summary: out of memory");
        return 1;
    }
    /* rows are sorted by trainee then course: one Best per run */
    size_t nbest = 0;
    for (size_t i = 0; i < nrows; i++) {
        const dh_ExportRow *r = &rows[i].r;
        Best *b = nbest ? &best[nbest - 1] : NULL;
        bool same = i > 0 && strcmp(rows[i - 1].r.trainee_id, r->trainee_id) == 0 &&
                    strcmp(rows[i - 1].r.course_id, r->course_id) == 0;
        if (same && status_rank(r->status) < status_rank(b->status)) continue;
        if (!same) b = &best[nbest++];
        b->group = by == BY_UNIT ? r->unit : by == BY_NATION ? r->nation : "";
        b->course = r->course_id;
        b->status = r->status;
        b->has_score = r->has_score;
        b->score = r->score;
        b->time_ms = r->time_ms;
    }
    qsort(best, nbest, sizeof *best, cmp_best);
    size_t ng = 0;
    for (size_t i = 0; i < nbest; i++) {
        if (i == 0 || cmp_best(&best[i - 1], &best[i]) != 0) {
            groups[ng].group = best[i].group;
            groups[ng].course = best[i].course;
            ng++;
        }
        Group *g = &groups[ng - 1];
        g->trainees++;
        switch (best[i].status) {
        case DH_PROGRESS_NOT_ATTEMPTED: g->not_started++; break;
        case DH_PROGRESS_IN_PROGRESS: g->in_progress++; break;
        case DH_PROGRESS_COMPLETED: g->completed++; break;
        case DH_PROGRESS_PASSED: g->completed++, g->passed++; break;
        case DH_PROGRESS_FAILED: g->failed++; break;
        }
        if (best[i].has_score) {
            g->scored++;
            g->score_sum += best[i].score;
        }
        g->time_sum_ms += (double)best[i].time_ms;
    }
    int rc = out ? write_csv(groups, ng, by, out) : print_table(groups, ng, by);
    dh_free(best);
    dh_free(groups);
    free_summary(rows, nrows);
    return rc;
}

int cmd_summary(int argc, char **argv)
{
    const char *cmd = argv[0], *out = NULL;
    By by = BY_COURSE;
    dh_Trust *trust = NULL;
    dh_Error err;
    if (dh_trust_new(&trust, &err)) {
        tool_error("%s", err.msg);
        return 1;
    }
    int n = 0, rc = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int t;
        if (opt_is(a, "--help", "-h")) {
            usage();
            rc = 0;
            goto out;
        }
        if ((t = trust_option(argc, argv, &i, cmd, trust)) == 1) continue;
        if (t == 2) goto out;
        if (opt_is(a, "--out", "-o")) {
            if (!(out = opt_value(argc, argv, &i, cmd))) goto out;
        } else if (opt_is(a, "--by", NULL)) {
            if (!(v = opt_value(argc, argv, &i, cmd))) goto out;
            if (!strcmp(v, "course")) by = BY_COURSE;
            else if (!strcmp(v, "unit")) by = BY_UNIT;
            else if (!strcmp(v, "nation")) by = BY_NATION;
            else {
                rc = usage_error(cmd, "--by takes unit, nation or course, not '%s'", v);
                goto out;
            }
        } else if (a[0] == '-') {
            rc = usage_error(cmd, "unknown option '%s'", a);
            goto out;
        } else {
            argv[++n] = argv[i];
        }
    }
    if (n == 0) {
        rc = usage_error(cmd, "%s", "name at least one bundle folder");
        goto out;
    }
    dh_Bundle **bundles;
    if ((rc = open_bundles(argv + 1, n, trust, false, &bundles))) goto out;
    rc = summarise(bundles, n, by, out);
    close_bundles(bundles, n);
out:
    dh_trust_free(trust);
    return rc;
}
