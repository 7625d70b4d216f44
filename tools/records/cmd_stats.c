/* cmd_stats: `drillhall-records stats`, item statistics per question.
 *
 * Reads the statements of verified bundles in journal order (bundles by
 * export time, each in file order), keeps each statement once (the same
 * statement in two bundles is one answer, a changed one is an error as in
 * merge), hands the quiz statements to the collector in stats.c and prints
 * Moodle's test and question statistics for each quiz version, as a table
 * or as JSON for other programs (and the report).
 */
#include "records.h"

#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void usage(void)
{
    printf("Usage: drillhall-records stats BUNDLE... [--quiz ID] [--json]\n"
           "                                [--attempts first|last|all] [-p PUB]... [--trusted FILE]\n"
           "\n"
           "Item statistics of every quiz in the bundles, as Moodle's quiz statistics report\n"
           "computes them: per question the facility index, standard deviation,\n"
           "discrimination index and discriminative efficiency; per quiz the mean, median,\n"
           "standard deviation, skewness and kurtosis of the attempt totals, the coefficient\n"
           "of internal consistency (Cronbach's alpha), the error ratio and the standard error.\n"
           "\n"
           "  --quiz ID        only this quiz: its activity id, its module id, or COURSE/MODULE\n"
           "  --attempts WHICH first attempt of each trainee (default), last, or all\n"
           "  --json           print JSON instead of tables\n"
           "  -p, --pubkey PUB / --trusted FILE   trusted keys (see 'verify --help')\n"
           "\n"
           "Values that cannot be computed (one attempt, no variance) are shown as '-'\n"
           "(null in JSON). Percentages are of the question's or test's maximum mark.\n");
}

typedef struct Read {
    dh_Bundle **bundles;
    int current;
    dh_IdMap *ids;
    dh_StatsCollector *c;
    int64_t duplicates;
} Read;

static dh_Status on_statement(const dh_BundleStatement *st, void *ctx, dh_Error *err)
{
    Read *r = ctx;
    dh_IdValue v = {.source = (uint32_t)r->current, .index = st->index}, old;
    bool found;
    dh_Status s = dh_bundle_statement_digest(st, v.digest, err);
    if (!s) s = dh_idmap_put(r->ids, st->id, &v, &found, &old, err);
    if (s) return s;
    if (found) {
        if (memcmp(old.digest, v.digest, sizeof v.digest) == 0) {
            r->duplicates++;
            return DH_OK;
        }
        return dh_fail(err, DH_EINVALID,
                       "statement %s differs between %s (statement %lld) and %s (statement %lld): "
                       "one of them was altered",
                       st->id, dh_bundle_dir(r->bundles[old.source]), (long long)old.index + 1,
                       dh_bundle_dir(r->bundles[r->current]), (long long)st->index + 1);
    }
    return dh_stats_collector_add(r->c, st->json, err);
}

/* v with `decimals` decimals and a '%' when percent, or "-" when undefined. */
static void num(char *out, size_t size, double v, int decimals, bool percent)
{
    if (isnan(v)) snprintf(out, size, "-");
    else snprintf(out, size, "%.*f%s", decimals, v, percent ? "%" : "");
}

static const char *which_name(dh_StatsAttempts w)
{
    return w == DH_STATS_ALL ? "all" : w == DH_STATS_LAST ? "last" : "first";
}

static void print_text(const dh_QuizStats *q, int n)
{
    for (int k = 0; k < n; k++) {
        const dh_QuizStats *z = &q[k];
        const dh_TestStats *t = &z->test;
        char a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32];
        printf("%sQuiz %s%s%s\n", k ? "\n" : "", z->quiz, z->revision[0] ? " version " : "",
               z->revision);
        printf("  attempts used: %d (%s attempt of each of %d trainee%s; %d attempt%s found)\n",
               t->s, which_name(z->which), z->trainees, z->trainees == 1 ? "" : "s",
               z->attempts_seen, z->attempts_seen == 1 ? "" : "s");
        num(a, sizeof a, t->mean, 2, false);
        num(b, sizeof b, t->median, 2, false);
        num(c, sizeof c, t->sd, 2, false);
        num(d, sizeof d, t->skewness, 4, false);
        num(e, sizeof e, t->kurtosis, 4, false);
        num(f, sizeof f, t->cic, 2, true);
        num(g, sizeof g, t->error_ratio, 2, true);
        num(h, sizeof h, t->standard_error, 2, false);
        printf("  total marks: mean %s, median %s, SD %s", a, b, c);
        if (!isnan(t->max_total)) printf(" (out of %.10g)", t->max_total);
        printf("\n");
        printf("  skewness %s, kurtosis %s\n", d, e);
        printf("  coefficient of internal consistency %s, error ratio %s, standard error %s\n", f,
               g, h);
        if (!t->complete)
            printf("  (questions differ between attempts, e.g. drawn at random: internal "
                   "consistency is not computed)\n");
        if (z->unassigned)
            printf("  %lld answer%s left out: not after an 'attempted' statement of the quiz, or "
                   "a question answered twice in one attempt\n",
                   (long long)z->unassigned, z->unassigned == 1 ? "" : "s");
        if (z->inconsistent_max)
            printf("  warning: a question has different maximum marks in different statements; "
                   "the largest is used\n");
        int w = (int)strlen("question");
        for (int i = 0; i < z->nquestions; i++)
            if ((int)strlen(z->questions[i].id) > w) w = (int)strlen(z->questions[i].id);
        printf("  %-*s  %8s  %8s  %8s  %8s  %14s  %10s\n", w, "question", "attempts", "max",
               "facility", "SD", "discrimination", "efficiency");
        for (int i = 0; i < z->nquestions; i++) {
            const dh_ItemStats *x = &z->questions[i].stats;
            num(a, sizeof a, x->facility, 2, true);
            num(b, sizeof b, x->sd_percent, 2, true);
            num(c, sizeof c, x->discrimination, 2, false);
            num(d, sizeof d, x->efficiency, 2, false);
            printf("  %-*s  %8d  %8.10g  %8s  %8s  %14s  %10s\n", w, z->questions[i].id, x->s,
                   x->max_mark, a, b, c, d);
        }
    }
}

static cJSON *jnum(double v)
{
    return isnan(v) || isinf(v) ? cJSON_CreateNull() : cJSON_CreateNumber(v);
}

static int print_json(const dh_QuizStats *q, int n, int64_t unusable)
{
    cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "quizzes");
    for (int k = 0; root && list && k < n; k++) {
        const dh_QuizStats *z = &q[k];
        const dh_TestStats *t = &z->test;
        cJSON *o = cJSON_CreateObject();
        if (!o) break;
        cJSON_AddItemToArray(list, o);
        cJSON_AddStringToObject(o, "quiz", z->quiz);
        cJSON_AddStringToObject(o, "revision", z->revision);
        cJSON_AddStringToObject(o, "attempts_used", which_name(z->which));
        cJSON_AddNumberToObject(o, "trainees", z->trainees);
        cJSON_AddNumberToObject(o, "attempts_found", z->attempts_seen);
        cJSON_AddNumberToObject(o, "answers_left_out", (double)z->unassigned);
        cJSON_AddBoolToObject(o, "inconsistent_max_marks", z->inconsistent_max);
        cJSON *test = cJSON_AddObjectToObject(o, "test");
        if (test) {
            cJSON_AddNumberToObject(test, "attempts", t->s);
            cJSON_AddNumberToObject(test, "questions", t->p);
            cJSON_AddItemToObject(test, "max_total", jnum(t->max_total));
            cJSON_AddItemToObject(test, "mean", jnum(t->mean));
            cJSON_AddItemToObject(test, "median", jnum(t->median));
            cJSON_AddItemToObject(test, "sd", jnum(t->sd));
            cJSON_AddItemToObject(test, "skewness", jnum(t->skewness));
            cJSON_AddItemToObject(test, "kurtosis", jnum(t->kurtosis));
            cJSON_AddItemToObject(test, "cic", jnum(t->cic));
            cJSON_AddItemToObject(test, "error_ratio", jnum(t->error_ratio));
            cJSON_AddItemToObject(test, "standard_error", jnum(t->standard_error));
            cJSON_AddBoolToObject(test, "same_questions_in_every_attempt", t->complete);
        }
        cJSON *qs = cJSON_AddArrayToObject(o, "questions");
        for (int i = 0; qs && i < z->nquestions; i++) {
            const dh_ItemStats *x = &z->questions[i].stats;
            cJSON *e = cJSON_CreateObject();
            if (!e) break;
            cJSON_AddItemToArray(qs, e);
            cJSON_AddStringToObject(e, "id", z->questions[i].id);
            cJSON_AddStringToObject(e, "iri", z->questions[i].iri);
            cJSON_AddNumberToObject(e, "attempts", x->s);
            cJSON_AddNumberToObject(e, "max_mark", x->max_mark);
            cJSON_AddItemToObject(e, "mean", jnum(x->mean));
            cJSON_AddItemToObject(e, "facility", jnum(x->facility));
            cJSON_AddItemToObject(e, "sd", jnum(x->sd));
            cJSON_AddItemToObject(e, "sd_percent", jnum(x->sd_percent));
            cJSON_AddItemToObject(e, "discrimination_index", jnum(x->discrimination));
            cJSON_AddItemToObject(e, "discriminative_efficiency", jnum(x->efficiency));
        }
    }
    if (root) cJSON_AddNumberToObject(root, "unusable_answers", (double)unusable);
    char *text = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text) {
        tool_error("stats: out of memory");
        return 1;
    }
    printf("%s\n", text);
    cJSON_free(text);
    return 0;
}

int cmd_stats(int argc, char **argv)
{
    const char *cmd = argv[0], *quiz = NULL;
    bool json = false;
    dh_StatsAttempts which = DH_STATS_FIRST;
    dh_Trust *trust = NULL;
    dh_Error err;
    char buf[1200];
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
        if (opt_is(a, "--quiz", NULL)) {
            if (!(quiz = opt_value(argc, argv, &i, cmd))) goto out;
        } else if (opt_is(a, "--attempts", NULL)) {
            if (!(v = opt_value(argc, argv, &i, cmd))) goto out;
            if (!strcmp(v, "first")) which = DH_STATS_FIRST;
            else if (!strcmp(v, "last")) which = DH_STATS_LAST;
            else if (!strcmp(v, "all")) which = DH_STATS_ALL;
            else {
                rc = usage_error(cmd, "--attempts takes first, last or all, not '%s'", v);
                goto out;
            }
        } else if (!strcmp(a, "--json")) {
            json = true;
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
    Read r = {0};
    if ((rc = open_bundles(argv + 1, n, trust, false, &r.bundles))) goto out;
    dh_QuizStats *q = NULL;
    int nq = 0;
    dh_Status s = dh_idmap_new(&r.ids, &err);
    if (!s) s = dh_stats_collector_new(&r.c, &err);
    for (int i = 0; i < n && !s; i++) {
        r.current = i;
        s = dh_bundle_statements_each(r.bundles[i], on_statement, &r, &err);
        if (s && s != DH_EINVALID && !strstr(err.msg, dh_bundle_dir(r.bundles[i]))) {
            char why[sizeof err.msg];
            snprintf(why, sizeof why, "%s", describe_error(&err, buf, sizeof buf));
            s = dh_fail(&err, s, "%s: %s", dh_bundle_dir(r.bundles[i]), why);
        }
    }
    if (!s) s = dh_stats_collector_finish(r.c, quiz, which, &q, &nq, &err);
    if (s) {
        tool_error("stats: %s", describe_error(&err, buf, sizeof buf));
        rc = 1;
    } else if (quiz && nq == 0) {
        const char **iris;
        int k = dh_stats_collector_quizzes(r.c, &iris);
        tool_error("stats: no quiz with answers matches '%s'%s", quiz,
                   k ? "; the quizzes in these bundles are:" : " (the bundles hold no quiz answers)");
        for (int i = 0; i < k; i++) fprintf(stderr, "  %s\n", iris[i]);
        rc = 1;
    } else if (json) {
        rc = print_json(q, nq, dh_stats_collector_unusable(r.c));
    } else {
        if (nq == 0) printf("no quiz answers in these bundles\n");
        print_text(q, nq);
        int64_t unusable = dh_stats_collector_unusable(r.c);
        if (unusable)
            printf("\n%lld answered statement%s had no score, registration or quiz and were left out\n",
                   (long long)unusable, unusable == 1 ? "" : "s");
        rc = 0;
    }
    dh_stats_free(q, nq);
    dh_stats_collector_free(r.c);
    dh_idmap_free(r.ids);
    close_bundles(r.bundles, n);
out:
    dh_trust_free(trust);
    return rc;
}
