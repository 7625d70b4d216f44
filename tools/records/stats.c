/* stats: Moodle's quiz item statistics, from xAPI statements.
 *
 * An "answered" statement names its question, its quiz (the parent
 * activity) and the course attempt (context.registration); one course
 * attempt may hold several quiz attempts. The player's quiz screen puts the
 * quiz attempt's number in the BASE/extensions/attempt context extension of
 * every statement about that attempt (XAPI.md), which settles it: answers
 * are grouped by registration, quiz and that number, and a question
 * answered twice in one attempt (an interactive check, then the submission)
 * counts with its last mark. Statements without the extension (older
 * journals) are grouped by journal order instead: the quiz journals
 * "attempted" when an attempt starts and its answers after it, so an answer
 * belongs to the latest "attempted" of its quiz in its registration; that
 * needs statements in journal order (cmd_stats feeds bundles in export
 * order), and answers before any "attempted", or answering a question twice
 * in one such attempt, cannot be placed with certainty: they are counted,
 * not guessed (RECORDS.md, "Quiz attempts").
 */
#include "stats.h"

#include "alloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADL_ANSWERED "http://adlnet.gov/expapi/verbs/answered"
#define ADL_ATTEMPTED "http://adlnet.gov/expapi/verbs/attempted"
#define TYPE_ASSESSMENT "http://adlnet.gov/expapi/activities/assessment"
#define TYPE_INTERACTION "http://adlnet.gov/expapi/activities/cmi.interaction"

/* ---- the arithmetic ------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Moodle's question calculator, for question i over the attempts holding it. */
static void item_stats(const double *marks, const double *totals, int s, int p, int i,
                       double max_mark, double *xs, double *ys, dh_ItemStats *out,
                       double *variance)
{
    int n = 0;
    double sx = 0, sy = 0;
    for (int a = 0; a < s; a++) {
        double x = marks[(size_t)a * (size_t)p + (size_t)i];
        if (isnan(x)) continue;
        xs[n] = x;
        ys[n] = totals[a] - x; /* the rest of the test: X - x */
        sx += xs[n];
        sy += ys[n];
        n++;
    }
    memset(out, 0, sizeof *out);
    out->s = n;
    out->max_mark = max_mark;
    out->mean = out->facility = out->sd = out->sd_percent = NAN;
    out->discrimination = out->efficiency = NAN;
    *variance = 0; /* Moodle adds nothing for a question without a variance */
    if (n == 0) return;
    double mx = sx / n, my = sy / n;
    out->mean = mx;
    if (max_mark != 0) out->facility = 100.0 * mx / max_mark;
    if (n < 2) return;
    double vx = 0, vy = 0, cov = 0;
    for (int k = 0; k < n; k++) {
        vx += (xs[k] - mx) * (xs[k] - mx);
        vy += (ys[k] - my) * (ys[k] - my);
        cov += (xs[k] - mx) * (ys[k] - my);
    }
    /* covmax: the covariance if both were in the same order */
    qsort(xs, (size_t)n, sizeof *xs, cmp_double);
    qsort(ys, (size_t)n, sizeof *ys, cmp_double);
    double covmax = 0;
    for (int k = 0; k < n; k++) covmax += (xs[k] - mx) * (ys[k] - my);
    vx /= n - 1;
    vy /= n - 1;
    cov /= n - 1;
    covmax /= n - 1;
    *variance = vx;
    out->sd = sqrt(vx);
    if (max_mark != 0) out->sd_percent = 100.0 * out->sd / max_mark;
    if (vx * vy != 0) out->discrimination = 100.0 * cov / sqrt(vx * vy);
    if (covmax != 0) out->efficiency = 100.0 * cov / covmax;
}

dh_Status dh_stats_compute(const double *marks, int s, int p, const double *max_marks,
                           dh_ItemStats *items, dh_TestStats *test, dh_Error *err)
{
    if (s < 1 || p < 1) return dh_fail(err, DH_EINVAL, "statistics need an attempt and a question");
    double *totals = dh_malloc((size_t)s * sizeof *totals);
    double *xs = dh_malloc((size_t)s * sizeof *xs);
    double *ys = dh_malloc((size_t)s * sizeof *ys);
    if (!totals || !xs || !ys) {
        dh_free(totals);
        dh_free(xs);
        dh_free(ys);
        return dh_fail(err, DH_ENOMEM, "out of memory computing statistics");
    }
    memset(test, 0, sizeof *test);
    test->s = s;
    test->p = p;
    test->complete = true;
    for (int i = 0; i < p; i++) test->max_total += max_marks[i];
    for (int a = 0; a < s; a++) {
        totals[a] = 0;
        for (int i = 0; i < p; i++) {
            double x = marks[(size_t)a * (size_t)p + (size_t)i];
            if (isnan(x)) test->complete = false;
            else totals[a] += x;
        }
    }
    if (!test->complete) test->max_total = NAN; /* attempts had different questions */
    double sum_var = 0;
    for (int i = 0; i < p; i++) {
        double v;
        item_stats(marks, totals, s, p, i, max_marks[i], xs, ys, &items[i], &v);
        sum_var += v;
    }

    /* Moodle's quiz calculator, on the totals. */
    double mean = 0;
    for (int a = 0; a < s; a++) mean += totals[a];
    mean /= s;
    memcpy(xs, totals, (size_t)s * sizeof *xs);
    qsort(xs, (size_t)s, sizeof *xs, cmp_double);
    test->mean = mean;
    test->median = s % 2 ? xs[s / 2] : (xs[s / 2 - 1] + xs[s / 2]) / 2;
    test->sd = test->skewness = test->kurtosis = NAN;
    test->cic = test->error_ratio = test->standard_error = NAN;
    if (s > 1) {
        double p2 = 0, p3 = 0, p4 = 0;
        for (int a = 0; a < s; a++) {
            double d = totals[a] - mean;
            p2 += d * d;
            p3 += d * d * d;
            p4 += d * d * d * d;
        }
        test->sd = sqrt(p2 / (s - 1));
        if (s > 2) {
            double m2 = p2 / s, m3 = p3 / s, m4 = p4 / s;
            double k2 = s * m2 / (s - 1);
            double k3 = (double)s * s * m3 / ((double)(s - 1) * (s - 2));
            if (k2 != 0) {
                test->skewness = k3 / pow(k2, 1.5);
                if (s > 3) {
                    double k4 = (double)s * s * ((s + 1) * m4 - 3.0 * (s - 1) * m2 * m2) /
                                ((double)(s - 1) * (s - 2) * (s - 3));
                    test->kurtosis = k4 / (k2 * k2);
                }
                if (p > 1 && test->complete) {
                    test->cic = (100.0 * p / (p - 1)) * (1 - sum_var / k2);
                    double left = 1 - test->cic / 100;
                    if (left < 0 && left > -1e-12) left = 0; /* rounding */
                    if (left >= 0) {
                        test->error_ratio = 100 * sqrt(left);
                        test->standard_error = test->error_ratio * test->sd / 100;
                    }
                }
            }
        }
    }
    dh_free(totals);
    dh_free(xs);
    dh_free(ys);
    return DH_OK;
}

/* ---- interned strings --------------------------------------------------------------- */

typedef struct Pool {
    char **str;        /* by index */
    int n, cap;
    int *slots;        /* open addressing: index + 1, 0 empty */
    size_t nslots;
} Pool;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void pool_free(Pool *p)
{
    for (int i = 0; i < p->n; i++) dh_free(p->str[i]);
    dh_free(p->str);
    dh_free(p->slots);
    memset(p, 0, sizeof *p);
}

static bool pool_rehash(Pool *p)
{
    size_t n = p->nslots ? p->nslots * 2 : 256;
    int *slots = dh_calloc(n, sizeof *slots);
    if (!slots) return false;
    for (int i = 0; i < p->n; i++) {
        size_t j = (size_t)hash_str(p->str[i]) & (n - 1);
        while (slots[j]) j = (j + 1) & (n - 1);
        slots[j] = i + 1;
    }
    dh_free(p->slots);
    p->slots = slots;
    p->nslots = n;
    return true;
}

/* Index of s, added if new; -1 when out of memory. */
static int pool_id(Pool *p, const char *s)
{
    if ((size_t)(p->n + 1) * 2 > p->nslots && !pool_rehash(p)) return -1;
    size_t j = (size_t)hash_str(s) & (p->nslots - 1);
    while (p->slots[j]) {
        int i = p->slots[j] - 1;
        if (strcmp(p->str[i], s) == 0) return i;
        j = (j + 1) & (p->nslots - 1);
    }
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 64;
        char **str = dh_realloc(p->str, (size_t)cap * sizeof *str);
        if (!str) return -1;
        p->str = str;
        p->cap = cap;
    }
    char *copy = dh_strdup(s);
    if (!copy) return -1;
    p->str[p->n] = copy;
    p->slots[j] = ++p->n;
    return p->n - 1;
}

/* ---- the collector -------------------------------------------------------------------- */

typedef struct Answer {
    int question;     /* in c->questions */
    double raw, max;
} Answer;

typedef struct Attempt {
    int quiz, revision, trainee;
    int64_t order;    /* when its first answer came (collector order) */
    Answer *answers;
    int n, cap;
    bool numbered;    /* from the attempt extension: certain */
    bool ambiguous;   /* found by order, and not certainly one attempt */
} Attempt;

/* The quiz attempts of one (registration, quiz): attempt_of[k] is the
 * index of attempt k (k = 0 before any "attempted"), -1 until answered.
 * Numbered attempts (the extension) use k = number; attempts found by
 * order use k = the count of "attempted" seen, offset past any number. */
typedef struct Stream {
    int reg, quiz;
    int current;      /* k of the latest "attempted" (0: none yet) */
    int *attempt_of;
    int nk;
} Stream;

struct dh_StatsCollector {
    Pool quizzes, questions, regs, trainees, revisions;
    Stream *streams;
    int nstreams, cap_streams;
    int *stream_slots;          /* (reg, quiz) -> stream index + 1 */
    size_t nslots;
    Attempt *attempts;
    int nattempts, cap_attempts;
    double *max_of;             /* per question: largest max mark seen */
    bool *max_differs;          /* per question: another max was seen too */
    int cap_questions;
    int64_t order;
    int64_t unusable;           /* answered statements without what stats need */
};

dh_Status dh_stats_collector_new(dh_StatsCollector **out, dh_Error *err)
{
    *out = dh_calloc(1, sizeof **out);
    return *out ? DH_OK : dh_fail(err, DH_ENOMEM, "out of memory");
}

void dh_stats_collector_free(dh_StatsCollector *c)
{
    if (!c) return;
    pool_free(&c->quizzes);
    pool_free(&c->questions);
    pool_free(&c->regs);
    pool_free(&c->trainees);
    pool_free(&c->revisions);
    for (int i = 0; i < c->nstreams; i++) dh_free(c->streams[i].attempt_of);
    dh_free(c->streams);
    dh_free(c->stream_slots);
    for (int i = 0; i < c->nattempts; i++) dh_free(c->attempts[i].answers);
    dh_free(c->attempts);
    dh_free(c->max_of);
    dh_free(c->max_differs);
    dh_free(c);
}

int64_t dh_stats_collector_unusable(const dh_StatsCollector *c)
{
    return c->unusable;
}

int dh_stats_collector_quizzes(const dh_StatsCollector *c, const char ***iris)
{
    *iris = (const char **)c->quizzes.str;
    return c->quizzes.n;
}

static uint64_t pair_hash(int a, int b)
{
    uint64_t h = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

static bool streams_rehash(dh_StatsCollector *c)
{
    size_t n = c->nslots ? c->nslots * 2 : 256;
    int *slots = dh_calloc(n, sizeof *slots);
    if (!slots) return false;
    for (int i = 0; i < c->nstreams; i++) {
        size_t j = (size_t)pair_hash(c->streams[i].reg, c->streams[i].quiz) & (n - 1);
        while (slots[j]) j = (j + 1) & (n - 1);
        slots[j] = i + 1;
    }
    dh_free(c->stream_slots);
    c->stream_slots = slots;
    c->nslots = n;
    return true;
}

/* The stream of (reg, quiz), created if new; NULL when out of memory. */
static Stream *stream_of(dh_StatsCollector *c, int reg, int quiz)
{
    if ((size_t)(c->nstreams + 1) * 2 > c->nslots && !streams_rehash(c)) return NULL;
    size_t j = (size_t)pair_hash(reg, quiz) & (c->nslots - 1);
    while (c->stream_slots[j]) {
        Stream *s = &c->streams[c->stream_slots[j] - 1];
        if (s->reg == reg && s->quiz == quiz) return s;
        j = (j + 1) & (c->nslots - 1);
    }
    if (c->nstreams == c->cap_streams) {
        int cap = c->cap_streams ? c->cap_streams * 2 : 64;
        Stream *st = dh_realloc(c->streams, (size_t)cap * sizeof *st);
        if (!st) return NULL;
        c->streams = st;
        c->cap_streams = cap;
    }
    Stream *s = &c->streams[c->nstreams];
    memset(s, 0, sizeof *s);
    s->reg = reg;
    s->quiz = quiz;
    c->stream_slots[j] = ++c->nstreams;
    return s;
}

static const char *get_str(const cJSON *obj, const char *path)
{
    /* path: members separated by '.'; "parent0" takes element 0 of an array */
    char key[64];
    const cJSON *v = obj;
    while (v && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof key) return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        path += n + (dot ? 1 : 0);
        if (cJSON_IsArray(v)) v = cJSON_GetArrayItem(v, 0);
        v = cJSON_GetObjectItemCaseSensitive(v, key);
    }
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool get_num(const cJSON *obj, const char *a, const char *b, const char *c, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);
    v = cJSON_GetObjectItemCaseSensitive(v, b);
    v = cJSON_GetObjectItemCaseSensitive(v, c);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) return false;
    *out = v->valuedouble;
    return true;
}

static dh_Status oom(dh_Error *err)
{
    return dh_fail(err, DH_ENOMEM, "out of memory collecting quiz answers");
}

static bool ensure_questions(dh_StatsCollector *c)
{
    if (c->questions.n <= c->cap_questions) return true;
    int cap = c->questions.cap;
    double *m = dh_realloc(c->max_of, (size_t)cap * sizeof *m);
    if (!m) return false;
    c->max_of = m;
    bool *d = dh_realloc(c->max_differs, (size_t)cap * sizeof *d);
    if (!d) return false;
    c->max_differs = d;
    for (int i = c->cap_questions; i < cap; i++) {
        c->max_of[i] = NAN;
        c->max_differs[i] = false;
    }
    c->cap_questions = cap;
    return true;
}

static dh_Status add_answer(dh_StatsCollector *c, Stream *s, int number, int trainee,
                            int revision, int question, double raw, double max)
{
    int k = number > 0 ? number : s->current;
    if (k >= s->nk) {
        int nk = k + 4;
        int *p = dh_realloc(s->attempt_of, (size_t)nk * sizeof *p);
        if (!p) return DH_ENOMEM;
        for (int i = s->nk; i < nk; i++) p[i] = -1;
        s->attempt_of = p;
        s->nk = nk;
    }
    if (s->attempt_of[k] < 0) {
        if (c->nattempts == c->cap_attempts) {
            int cap = c->cap_attempts ? c->cap_attempts * 2 : 64;
            Attempt *a = dh_realloc(c->attempts, (size_t)cap * sizeof *a);
            if (!a) return DH_ENOMEM;
            c->attempts = a;
            c->cap_attempts = cap;
        }
        Attempt *a = &c->attempts[c->nattempts];
        memset(a, 0, sizeof *a);
        a->quiz = s->quiz;
        a->revision = revision;
        a->trainee = trainee;
        a->order = c->order;
        a->numbered = number > 0;
        s->attempt_of[k] = c->nattempts++;
    }
    Attempt *a = &c->attempts[s->attempt_of[k]];
    if (number <= 0) a->numbered = false;
    if (k == 0) a->ambiguous = true; /* no "attempted" before it: which attempt is unknown */
    bool replaced = false;
    for (int i = 0; i < a->n && !replaced; i++) {
        if (a->answers[i].question != question) continue;
        if (!a->numbered) {
            a->ambiguous = true; /* answered twice: two attempts run together? */
            break;
        }
        a->answers[i].raw = raw; /* the same attempt: the later mark stands */
        a->answers[i].max = max;
        replaced = true;
    }
    if (!replaced) {
        if (a->n == a->cap) {
            int cap = a->cap ? a->cap * 2 : 8;
            Answer *x = dh_realloc(a->answers, (size_t)cap * sizeof *x);
            if (!x) return DH_ENOMEM;
            a->answers = x;
            a->cap = cap;
        }
        a->answers[a->n++] = (Answer){question, raw, max};
    }
    if (!ensure_questions(c)) return DH_ENOMEM;
    if (isnan(c->max_of[question])) c->max_of[question] = max;
    else if (c->max_of[question] != max) {
        c->max_differs[question] = true;
        if (max > c->max_of[question]) c->max_of[question] = max;
    }
    return DH_OK;
}

/* The quiz attempt number in context.extensions[.../extensions/attempt],
 * or 0 when there is none. */
static int attempt_number(const cJSON *st)
{
    const cJSON *ext = cJSON_GetObjectItemCaseSensitive(st, "context");
    ext = cJSON_GetObjectItemCaseSensitive(ext, "extensions");
    const cJSON *e;
    cJSON_ArrayForEach(e, ext)
    {
        const char *tail = "/extensions/attempt";
        size_t n = e->string ? strlen(e->string) : 0, m = strlen(tail);
        if (n < m || strcmp(e->string + n - m, tail) != 0) continue;
        if (cJSON_IsNumber(e) && e->valuedouble >= 1 && e->valuedouble <= 1e6 &&
            e->valuedouble == (double)(int)e->valuedouble)
            return (int)e->valuedouble;
    }
    return 0;
}

dh_Status dh_stats_collector_add(dh_StatsCollector *c, const cJSON *st, dh_Error *err)
{
    c->order++;
    const char *verb = get_str(st, "verb.id");
    if (!verb) return DH_OK;
    bool answered = strcmp(verb, ADL_ANSWERED) == 0;
    bool attempted = strcmp(verb, ADL_ATTEMPTED) == 0;
    if (!answered && !attempted) return DH_OK;
    const char *type = get_str(st, "object.definition.type");
    const char *object = get_str(st, "object.id");
    const char *reg = get_str(st, "context.registration");
    if (attempted) {
        if (!type || strcmp(type, TYPE_ASSESSMENT) != 0 || !object || !reg) return DH_OK;
        int q = pool_id(&c->quizzes, object), r = pool_id(&c->regs, reg);
        if (q < 0 || r < 0) return oom(err);
        Stream *s = stream_of(c, r, q);
        if (!s) return oom(err);
        int number = attempt_number(st);
        s->current = number > 0 ? number : s->current + 1; /* a new quiz attempt starts */
        return DH_OK;
    }
    if (!type || strcmp(type, TYPE_INTERACTION) != 0) return DH_OK;
    const char *quiz = get_str(st, "context.contextActivities.parent.id");
    const char *home = get_str(st, "actor.account.homePage");
    const char *name = get_str(st, "actor.account.name");
    const char *rev = get_str(st, "context.revision");
    double raw, max;
    if (!object || !quiz || !reg || !home || !name || !get_num(st, "result", "score", "raw", &raw) ||
        !get_num(st, "result", "score", "max", &max)) {
        c->unusable++; /* an answer without quiz, attempt, trainee or marks */
        return DH_OK;
    }
    char who[1024];
    snprintf(who, sizeof who, "%s\n%s", home, name);
    int q = pool_id(&c->quizzes, quiz), r = pool_id(&c->regs, reg);
    int t = pool_id(&c->trainees, who), v = pool_id(&c->revisions, rev ? rev : "");
    int qu = pool_id(&c->questions, object);
    if (q < 0 || r < 0 || t < 0 || v < 0 || qu < 0) return oom(err);
    Stream *s = stream_of(c, r, q);
    if (!s) return oom(err);
    if (add_answer(c, s, attempt_number(st), t, v, qu, raw, max)) return oom(err);
    return DH_OK;
}

/* ---- results ----------------------------------------------------------------------- */

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return m <= n && strcmp(s + n - m, tail) == 0;
}

static bool quiz_matches(const char *iri, const char *filter)
{
    if (!filter) return true;
    if (strcmp(iri, filter) == 0) return true;
    char tail[1024];
    const char *slash = strchr(filter, '/');
    if (!slash) snprintf(tail, sizeof tail, "/modules/%s", filter);
    else snprintf(tail, sizeof tail, "/courses/%.*s/modules/%s", (int)(slash - filter), filter,
                  slash + 1);
    return ends_with(iri, tail);
}

typedef struct Pick {
    int attempt;
    int trainee;
    int64_t order;
} Pick;

static int cmp_pick(const void *a, const void *b)
{
    const Pick *x = a, *y = b;
    if (x->trainee != y->trainee) return x->trainee < y->trainee ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void free_quiz(dh_QuizStats *q)
{
    dh_free(q->questions);
}

void dh_stats_free(dh_QuizStats *q, int n)
{
    if (!q) return;
    for (int i = 0; i < n; i++) free_quiz(&q[i]);
    dh_free(q);
}

/* Statistics of quiz `quiz` at revision `rev` into out (false: no attempt). */
static dh_Status one_quiz(dh_StatsCollector *c, int quiz, int rev, dh_StatsAttempts which,
                          dh_QuizStats *out, bool *any, dh_Error *err)
{
    *any = false;
    memset(out, 0, sizeof *out);
    Pick *picks = dh_malloc((size_t)(c->nattempts ? c->nattempts : 1) * sizeof *picks);
    int *col = dh_malloc((size_t)(c->questions.n ? c->questions.n : 1) * sizeof *col);
    double *marks = NULL, *max = NULL;
    dh_ItemStats *items = NULL;
    dh_Status s = DH_OK;
    if (!picks || !col) {
        s = oom(err);
        goto out;
    }
    int n = 0;
    int64_t unassigned = 0;
    for (int i = 0; i < c->nattempts; i++) {
        Attempt *a = &c->attempts[i];
        if (a->quiz != quiz || a->revision != rev) continue;
        if (a->ambiguous) {
            unassigned += a->n;
            continue;
        }
        picks[n++] = (Pick){i, a->trainee, a->order};
    }
    out->attempts_seen = n;
    out->unassigned = unassigned;
    qsort(picks, (size_t)n, sizeof *picks, cmp_pick);
    int kept = 0, trainees = 0;
    for (int i = 0; i < n; i++) {
        bool first = i == 0 || picks[i].trainee != picks[i - 1].trainee;
        bool last = i == n - 1 || picks[i].trainee != picks[i + 1].trainee;
        trainees += first;
        if (which == DH_STATS_ALL || (which == DH_STATS_FIRST && first) ||
            (which == DH_STATS_LAST && last))
            picks[kept++] = picks[i];
    }
    out->trainees = trainees;
    if (kept == 0) goto out;
    /* questions in order of first appearance */
    for (int i = 0; i < c->questions.n; i++) col[i] = -1;
    int p = 0;
    for (int k = 0; k < kept; k++) {
        Attempt *a = &c->attempts[picks[k].attempt];
        for (int j = 0; j < a->n; j++)
            if (col[a->answers[j].question] < 0) col[a->answers[j].question] = p++;
    }
    out->questions = dh_calloc((size_t)p, sizeof *out->questions);
    marks = dh_malloc((size_t)kept * (size_t)p * sizeof *marks);
    max = dh_malloc((size_t)p * sizeof *max);
    items = dh_malloc((size_t)p * sizeof *items);
    if (!out->questions || !marks || !max || !items) {
        s = oom(err);
        goto out;
    }
    for (size_t i = 0; i < (size_t)kept * (size_t)p; i++) marks[i] = NAN;
    for (int i = 0; i < c->questions.n; i++) {
        if (col[i] < 0) continue;
        const char *iri = c->questions.str[i];
        const char *id = strstr(iri, "/questions/");
        out->questions[col[i]].iri = iri;
        out->questions[col[i]].id = id ? id + strlen("/questions/") : iri;
        max[col[i]] = c->max_of[i];
        if (c->max_differs[i]) out->inconsistent_max = true;
    }
    for (int k = 0; k < kept; k++) {
        Attempt *a = &c->attempts[picks[k].attempt];
        for (int j = 0; j < a->n; j++)
            marks[(size_t)k * (size_t)p + (size_t)col[a->answers[j].question]] = a->answers[j].raw;
    }
    if ((s = dh_stats_compute(marks, kept, p, max, items, &out->test, err))) goto out;
    for (int i = 0; i < p; i++) out->questions[i].stats = items[i];
    out->nquestions = p;
    out->quiz = c->quizzes.str[quiz];
    out->revision = c->revisions.str[rev];
    out->which = which;
    *any = true;
out:
    if (!*any) {
        free_quiz(out);
        out->questions = NULL;
    }
    dh_free(picks);
    dh_free(col);
    dh_free(marks);
    dh_free(max);
    dh_free(items);
    return s;
}

static int cmp_quiz(const void *a, const void *b)
{
    const dh_QuizStats *x = a, *y = b;
    int d = strcmp(x->quiz, y->quiz);
    return d ? d : strcmp(x->revision, y->revision);
}

dh_Status dh_stats_collector_finish(dh_StatsCollector *c, const char *filter,
                                   dh_StatsAttempts which, dh_QuizStats **out, int *n,
                                   dh_Error *err)
{
    *out = NULL;
    *n = 0;
    /* every (quiz, revision) pair that has attempts */
    int nq = c->quizzes.n, nr = c->revisions.n;
    bool *seen = dh_calloc((size_t)(nq ? nq : 1) * (size_t)(nr ? nr : 1), sizeof *seen);
    dh_QuizStats *res = dh_calloc((size_t)(nq ? nq : 1) * (size_t)(nr ? nr : 1), sizeof *res);
    if (!seen || !res) {
        dh_free(seen);
        dh_free(res);
        return oom(err);
    }
    int count = 0;
    dh_Status s = DH_OK;
    for (int i = 0; i < c->nattempts && !s; i++) {
        Attempt *a = &c->attempts[i];
        size_t key = (size_t)a->quiz * (size_t)nr + (size_t)a->revision;
        if (seen[key] || !quiz_matches(c->quizzes.str[a->quiz], filter)) continue;
        seen[key] = true;
        bool any;
        s = one_quiz(c, a->quiz, a->revision, which, &res[count], &any, err);
        if (!s && any) count++;
    }
    dh_free(seen);
    if (s) {
        dh_stats_free(res, count);
        return s;
    }
    qsort(res, (size_t)count, sizeof *res, cmp_quiz);
    *out = res;
    *n = count;
    return DH_OK;
}
