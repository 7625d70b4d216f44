/* cmd_report: `drillhall-records report BUNDLE... -o report.html`.
 *
 * Leadership asks a few questions again and again: who completed which
 * course, how well, in which unit and nation, how long it took, which quiz
 * questions do not work, how the exercises went. This command answers them
 * in one self-contained HTML file (no script, no network, inline SVG,
 * print CSS for A4) from verified bundles only. Figures about people come
 * from summary.csv (one row per trainee and course version, the kiosk's own
 * verdict); item statistics come from the quiz statements through stats.c
 * (Moodle's formulas, first attempts by default); exercise figures from the
 * scenario statements, their endings, objectives and expectations from the
 * after-action review each verdict carries (every run counted). Statements
 * are read as a stream and de-duplicated by id, so overlapping bundles (an
 * --all export next to incremental ones, a merge next to its sources) count
 * each statement once. The file is written next to its name and renamed
 * into place, only after every bundle has been read to the end and its
 * hashes rechecked.
 */
#define _POSIX_C_SOURCE 200809L
#include "report.h"

#include "alloc.h"
#include "records.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HIST_BINS 10
#define TOO_EASY 90.0   /* facility above this (percent) */
#define TOO_HARD 20.0   /* facility below this */
#define WEAK_DISC 20.0  /* discrimination index below this (0..100) is weak */
#define FEW_ATTEMPTS 10 /* below this many attempts, item figures are unstable */

static const char usage_text[] =
    "usage: drillhall-records report BUNDLE... -o REPORT.html [--title TEXT]\n"
    "                                [--attempts first|last|all] [-p PUB]... [--trusted FILE]\n"
    "\n"
    "Write one self-contained HTML report (no network, prints on A4): completion by course,\n"
    "unit and nation, score distributions, pass rates, time spent, quiz item statistics\n"
    "with flagged questions, and exercise results (endings, objectives, expectations missed).\n"
    "  -o FILE           the report to write (replaced only when complete)\n"
    "  --title TEXT      the report's heading (default: Training records report)\n"
    "  --attempts WHICH  quiz attempts used for item statistics (default first, as Moodle)\n"
    "  -p PUB, --trusted FILE  keys the bundles must be signed with (as for verify)\n"
    "Set SOURCE_DATE_EPOCH to fix the generation time shown (reproducible reports).\n";

/* ---- a string-keyed hash map (keys owned), values are indices ----------------------- */

typedef struct Map {
    char **keys;
    int *vals;
    size_t cap, n;
} Map;

static uint64_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 1099511628211ULL;
    return h;
}

static void map_free(Map *m)
{
    for (size_t i = 0; i < m->cap; i++) dh_free(m->keys[i]);
    dh_free(m->keys);
    dh_free(m->vals);
    *m = (Map){0};
}

static bool map_grow(Map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    char **keys = dh_calloc(cap, sizeof *keys);
    int *vals = dh_calloc(cap, sizeof *vals);
    if (!keys || !vals) {
        dh_free(keys);
        dh_free(vals);
        return false;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = hash_bytes(m->keys[i], strlen(m->keys[i])) & (cap - 1);
        while (keys[j]) j = (j + 1) & (cap - 1);
        keys[j] = m->keys[i];
        vals[j] = m->vals[i];
    }
    dh_free(m->keys);
    dh_free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
    return true;
}

/* The value for key, or -1. */
static int map_get(const Map *m, const char *key)
{
    if (!m->cap) return -1;
    size_t j = hash_bytes(key, strlen(key)) & (m->cap - 1);
    while (m->keys[j]) {
        if (!strcmp(m->keys[j], key)) return m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    return -1;
}

/* Insert key -> val (key must be absent). False when out of memory. */
static bool map_put(Map *m, const char *key, int val)
{
    if ((m->n + 1) * 2 > m->cap && !map_grow(m)) return false;
    char *k = dh_strdup(key);
    if (!k) return false;
    size_t j = hash_bytes(key, strlen(key)) & (m->cap - 1);
    while (m->keys[j]) j = (j + 1) & (m->cap - 1);
    m->keys[j] = k;
    m->vals[j] = val;
    m->n++;
    return true;
}

/* ---- statement ids seen (16-byte UUIDs) --------------------------------------------- */

typedef struct IdSet {
    unsigned char (*slots)[17]; /* 16 bytes + used flag */
    size_t cap, n;
} IdSet;

static bool uuid_bytes(const char *s, unsigned char out[16])
{
    int k = 0;
    for (const char *p = s; *p && k < 32; p++) {
        if (*p == '-') continue;
        int v = (*p >= '0' && *p <= '9') ? *p - '0'
                : (*p >= 'a' && *p <= 'f') ? *p - 'a' + 10
                : (*p >= 'A' && *p <= 'F') ? *p - 'A' + 10
                                           : -1;
        if (v < 0) return false;
        if (k % 2 == 0) out[k / 2] = (unsigned char)(v << 4);
        else out[k / 2] |= (unsigned char)v;
        k++;
    }
    return k == 32;
}

/* 1: added, 0: seen before, -1: out of memory. */
static int idset_add(IdSet *s, const unsigned char id[16])
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        unsigned char(*slots)[17] = dh_calloc(cap, sizeof *slots);
        if (!slots) return -1;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slots[i][16]) continue;
            size_t j = hash_bytes(s->slots[i], 16) & (cap - 1);
            while (slots[j][16]) j = (j + 1) & (cap - 1);
            memcpy(slots[j], s->slots[i], 17);
        }
        dh_free(s->slots);
        s->slots = slots;
        s->cap = cap;
    }
    size_t j = hash_bytes(id, 16) & (s->cap - 1);
    while (s->slots[j][16]) {
        if (!memcmp(s->slots[j], id, 16)) return 0;
        j = (j + 1) & (s->cap - 1);
    }
    memcpy(s->slots[j], id, 16);
    s->slots[j][16] = 1;
    s->n++;
    return 1;
}

/* ---- what the report gathers --------------------------------------------------------- */

typedef struct Scenario {
    char *iri;
    int attempts, passed, failed, scored; /* attempts: runs started, summed from Starts when written */
    double score_sum;
    int reviewed;   /* verdicts carrying the after-action review (result extensions) */
    int no_ending;  /* reviewed verdicts without an ending (the run stopped) */
    int unreadable; /* review entries of the wrong shape, left out */
} Scenario;

/* Runs started in one course registration: the player sends launched and
 * initialized when a run starts (resumed when it goes on), older kiosks
 * sent attempted; the larger count is the number of runs, so a kiosk that
 * sends both is not counted twice. */
typedef struct Starts {
    int scenario, attempted, initialized;
} Starts;

/* An ending, objective or expectation of one scenario, as the reviews on
 * the verdicts name it (by id: the texts are in the course, not the
 * statements). */
enum { OUT_ENDING, OUT_OBJECTIVE, OUT_EXPECTATION };
enum { OBJ_MET, OBJ_PARTLY, OBJ_NOT };
/* dh_exp_state_name's words, in dh_ExpState order */
static const char *const EXP_STATES[] = {"not-applicable", "pending", "met", "partly-met", "missed", "expired"};
enum { EXP_NA, EXP_PENDING, EXP_MET, EXP_PARTLY, EXP_MISSED, EXP_EXPIRED, EXP_NSTATES };

typedef struct Outcome {
    int scenario, kind, order; /* order: first seen (kiosks list them in document order) */
    char *id;
    int runs;                  /* ending: runs ended there; else runs it applied in */
    int tally[EXP_NSTATES];    /* objective: runs per OBJ_*; expectation: runs per state */
    double score_sum;          /* objective: sum of its scores, 0..1 */
} Outcome;

typedef struct Decision {
    int scenario; /* index into scenarios */
    char *action; /* activity id */
    int count;
} Decision;

typedef struct Report {
    SummaryRow *rows;        /* collect_summary: one per (trainee, course version, kiosk) */
    int nrows;
    IdSet ids;
    int64_t statements, duplicates, first_ms, last_ms;
    dh_StatsCollector *stats;
    int64_t stats_skipped;
    char stats_problem[512];
    Map names;               /* activity id -> index into name_texts */
    char **name_texts;
    int nnames, capnames;
    Map course_titles;       /* course id -> index into name_texts */
    Map scenario_index;
    Scenario *scenarios;
    int nscenarios, capscenarios;
    Map decision_index;      /* scenario index + "\x1f" + action id */
    Decision *decisions;
    int ndecisions, capdecisions;
    Map start_index;         /* scenario index + "\x1f" + registration */
    Starts *starts;
    int nstarts, capstarts;
    Map outcome_index;       /* scenario index, kind, id joined by "\x1f" */
    Outcome *outcomes;
    int noutcomes, capoutcomes;
} Report;

static bool grow(void **arr, int *cap, int need, size_t elem)
{
    if (need <= *cap) return true;
    int c = *cap ? *cap * 2 : 16;
    while (c < need) c *= 2;
    void *p = dh_realloc(*arr, (size_t)c * elem);
    if (!p) return false;
    memset((char *)p + (size_t)*cap * elem, 0, (size_t)(c - *cap) * elem);
    *arr = p;
    *cap = c;
    return true;
}

static void report_free(Report *r)
{
    free_summary(r->rows, (size_t)r->nrows);
    dh_free(r->ids.slots);
    dh_stats_collector_free(r->stats);
    for (int i = 0; i < r->nnames; i++) dh_free(r->name_texts[i]);
    dh_free(r->name_texts);
    map_free(&r->names);
    map_free(&r->course_titles);
    for (int i = 0; i < r->nscenarios; i++) dh_free(r->scenarios[i].iri);
    dh_free(r->scenarios);
    map_free(&r->scenario_index);
    for (int i = 0; i < r->ndecisions; i++) dh_free(r->decisions[i].action);
    dh_free(r->decisions);
    map_free(&r->decision_index);
    dh_free(r->starts);
    map_free(&r->start_index);
    for (int i = 0; i < r->noutcomes; i++) dh_free(r->outcomes[i].id);
    dh_free(r->outcomes);
    map_free(&r->outcome_index);
}

static const char *jstr(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A language map's text: English if there is one, else the first. */
static const char *lang_text(const cJSON *map)
{
    const char *en = jstr(map, "en");
    if (!en) en = jstr(map, "en-US");
    if (!en) en = jstr(map, "en-GB");
    if (en) return en;
    const cJSON *c = cJSON_IsObject(map) ? map->child : NULL;
    return cJSON_IsString(c) ? c->valuestring : NULL;
}

static bool remember_name(Report *r, Map *m, const char *key, const char *text)
{
    if (map_get(m, key) >= 0) return true;
    if (!grow((void **)&r->name_texts, &r->capnames, r->nnames + 1, sizeof *r->name_texts)) return false;
    char *t = dh_strdup(text);
    if (!t) return false;
    if (!map_put(m, key, r->nnames)) {
        dh_free(t);
        return false;
    }
    r->name_texts[r->nnames++] = t;
    return true;
}

static const char *name_of(const Report *r, const Map *m, const char *key)
{
    int i = map_get(m, key);
    return i >= 0 ? r->name_texts[i] : NULL;
}

static int scenario_slot(Report *r, const char *iri)
{
    int i = map_get(&r->scenario_index, iri);
    if (i >= 0) return i;
    if (!grow((void **)&r->scenarios, &r->capscenarios, r->nscenarios + 1, sizeof *r->scenarios)) return -1;
    Scenario *s = &r->scenarios[r->nscenarios];
    *s = (Scenario){.iri = dh_strdup(iri)};
    if (!s->iri || !map_put(&r->scenario_index, iri, r->nscenarios)) {
        dh_free(s->iri);
        return -1;
    }
    return r->nscenarios++;
}

/* The Starts of registration reg in scenario k, or NULL when out of memory. */
static Starts *starts_of(Report *r, int k, const char *reg)
{
    char prefix[16];
    snprintf(prefix, sizeof prefix, "%d\x1f", k);
    dh_Buf key = {0};
    dh_buf_puts(&key, prefix);
    dh_buf_puts(&key, reg);
    Starts *st = NULL;
    int i = key.oom ? -2 : map_get(&r->start_index, key.p);
    if (i >= 0) st = &r->starts[i];
    else if (i == -1 && grow((void **)&r->starts, &r->capstarts, r->nstarts + 1, sizeof *r->starts) &&
             map_put(&r->start_index, key.p, r->nstarts)) {
        st = &r->starts[r->nstarts++];
        *st = (Starts){.scenario = k};
    }
    dh_buf_free(&key);
    return st;
}

/* The Outcome (kind, id) of scenario k, created on first sight; NULL when
 * out of memory. */
static Outcome *outcome(Report *r, int k, int kind, const char *id)
{
    char prefix[32];
    snprintf(prefix, sizeof prefix, "%d\x1f%d\x1f", k, kind);
    dh_Buf key = {0};
    dh_buf_puts(&key, prefix);
    dh_buf_puts(&key, id);
    Outcome *o = NULL;
    int i = key.oom ? -2 : map_get(&r->outcome_index, key.p);
    if (i >= 0) {
        o = &r->outcomes[i];
    } else if (i == -1 && grow((void **)&r->outcomes, &r->capoutcomes, r->noutcomes + 1, sizeof *r->outcomes)) {
        o = &r->outcomes[r->noutcomes];
        *o = (Outcome){.scenario = k, .kind = kind, .order = r->noutcomes, .id = dh_strdup(id)};
        if (o->id && map_put(&r->outcome_index, key.p, r->noutcomes)) {
            r->noutcomes++;
        } else {
            dh_free(o->id);
            o = NULL;
        }
    }
    dh_buf_free(&key);
    return o;
}

/* The member of a result's extensions named BASE/extensions/<name>, whatever
 * the kiosk's activity base: the part after the last "/extensions/". */
static const cJSON *extension(const cJSON *ext, const char *name)
{
    for (const cJSON *c = cJSON_IsObject(ext) ? ext->child : NULL; c; c = c->next) {
        const char *last = NULL;
        for (const char *p = c->string ? strstr(c->string, "/extensions/") : NULL; p; p = strstr(p + 1, "/extensions/"))
            last = p;
        if (last && !strcmp(last + strlen("/extensions/"), name)) return c;
    }
    return NULL;
}

/* Count the after-action review an exercise verdict carries (XAPI.md,
 * "Exercise reviews in the record"): the ending, each applicable
 * objective's score, each expectation's state. Entries of the wrong shape
 * are counted as unreadable and left out. False when out of memory. */
static bool count_review(Report *r, int k, const cJSON *ext)
{
    const cJSON *ending = extension(ext, "ending"), *objs = extension(ext, "objectives"),
                *exps = extension(ext, "expectations");
    if (!ending && !objs && !exps) return true; /* a kiosk from before reviews were recorded */
    r->scenarios[k].reviewed++;
    int bad = 0;
    if (cJSON_IsString(ending) && ending->valuestring[0]) {
        Outcome *o = outcome(r, k, OUT_ENDING, ending->valuestring);
        if (!o) return false;
        o->runs++;
    } else {
        bad += ending != NULL;
        r->scenarios[k].no_ending++;
    }
    bad += (objs && !cJSON_IsArray(objs)) + (exps && !cJSON_IsArray(exps));
    for (const cJSON *it = cJSON_IsArray(objs) ? objs->child : NULL; it; it = it->next) {
        const char *id = jstr(it, "id");
        const cJSON *sc = cJSON_GetObjectItemCaseSensitive(it, "score");
        if (!id || !cJSON_IsNumber(sc) || !(sc->valuedouble >= 0 && sc->valuedouble <= 1)) {
            bad++;
            continue;
        }
        Outcome *o = outcome(r, k, OUT_OBJECTIVE, id);
        if (!o) return false;
        o->runs++;
        o->score_sum += sc->valuedouble;
        o->tally[sc->valuedouble >= 1 ? OBJ_MET : sc->valuedouble > 0 ? OBJ_PARTLY : OBJ_NOT]++;
    }
    for (const cJSON *it = cJSON_IsArray(exps) ? exps->child : NULL; it; it = it->next) {
        const char *id = jstr(it, "id"), *state = jstr(it, "state");
        int st = EXP_NSTATES;
        for (int i = 0; state && i < EXP_NSTATES; i++)
            if (!strcmp(state, EXP_STATES[i])) st = i;
        if (!id || st == EXP_NSTATES) {
            bad++;
            continue;
        }
        Outcome *o = outcome(r, k, OUT_EXPECTATION, id);
        if (!o) return false;
        o->runs += st != EXP_NA;
        o->tally[st]++;
    }
    r->scenarios[k].unreadable += bad;
    return true;
}

#define TYPE_BASE "http://adlnet.gov/expapi/activities/"
#define VERB_BASE "http://adlnet.gov/expapi/verbs/"

static dh_Status on_statement(const dh_BundleStatement *st, void *ctx, dh_Error *err)
{
    Report *r = ctx;
    unsigned char id[16];
    if (uuid_bytes(st->id, id)) {
        int added = idset_add(&r->ids, id);
        if (added < 0) return dh_fail(err, DH_ENOMEM, "out of memory");
        if (added == 0) {
            r->duplicates++;
            return DH_OK;
        }
    }
    r->statements++;
    const cJSON *s = st->json;
    int64_t t;
    const char *ts = jstr(s, "timestamp");
    if (ts && dh_bundle_parse_time(ts, &t)) {
        if (!r->first_ms || t < r->first_ms) r->first_ms = t;
        if (t > r->last_ms) r->last_ms = t;
    }
    dh_Error e2;
    dh_Status rc = dh_stats_collector_add(r->stats, s, &e2);
    if (rc == DH_ENOMEM) return dh_fail(err, DH_ENOMEM, "out of memory");
    if (rc != DH_OK) {
        if (!r->stats_skipped++) snprintf(r->stats_problem, sizeof r->stats_problem, "%s", e2.msg);
    }

    const cJSON *object = cJSON_GetObjectItemCaseSensitive(s, "object");
    const cJSON *def = cJSON_GetObjectItemCaseSensitive(object, "definition");
    const char *oid = jstr(object, "id");
    const char *type = jstr(def, "type");
    const char *verb = jstr(cJSON_GetObjectItemCaseSensitive(s, "verb"), "id");
    if (!oid || !type || !verb) return DH_OK;
    const char *name = lang_text(cJSON_GetObjectItemCaseSensitive(def, "name"));
    if (!strncmp(type, TYPE_BASE, strlen(TYPE_BASE))) type += strlen(TYPE_BASE);
    else type = "";
    if (!strncmp(verb, VERB_BASE, strlen(VERB_BASE))) verb += strlen(VERB_BASE);
    else verb = "";
    bool ok = true;
    if (name && (!strcmp(type, "course") || !strcmp(type, "assessment") || !strcmp(type, "simulation") ||
                 !strcmp(type, "cmi.interaction") || !strcmp(type, "interaction")))
        ok = remember_name(r, &r->names, oid, name);
    if (ok && name && !strcmp(type, "course")) {
        const char *c = strstr(oid, "/courses/");
        if (c && !strchr(c + 9, '/')) ok = remember_name(r, &r->course_titles, c + 9, name);
    }
    if (ok && !strcmp(type, "simulation")) {
        int k = scenario_slot(r, oid);
        ok = k >= 0;
        if (ok) {
            Scenario *sc = &r->scenarios[k];
            const cJSON *res = cJSON_GetObjectItemCaseSensitive(s, "result");
            const cJSON *scaled = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(res, "score"),
                                                                   "scaled");
            if (!strcmp(verb, "attempted") || !strcmp(verb, "initialized")) {
                const char *reg = jstr(cJSON_GetObjectItemCaseSensitive(s, "context"), "registration");
                Starts *runs = starts_of(r, k, reg ? reg : "");
                ok = runs != NULL;
                if (runs && verb[0] == 'a') runs->attempted++;
                else if (runs) runs->initialized++;
            }
            if (!strcmp(verb, "passed") || !strcmp(verb, "failed")) {
                if (verb[0] == 'p') sc->passed++;
                else sc->failed++;
                if (cJSON_IsNumber(scaled)) sc->scored++, sc->score_sum += scaled->valuedouble;
                ok = count_review(r, k, cJSON_GetObjectItemCaseSensitive(res, "extensions"));
            }
        }
    }
    if (ok && !strcmp(verb, "interacted") && !strcmp(type, "interaction")) {
        const cJSON *parent = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "context"), "contextActivities"),
            "parent");
        const char *pid = jstr(cJSON_IsArray(parent) ? parent->child : parent, "id");
        int k = pid ? scenario_slot(r, pid) : -2;
        ok = k != -1;
        if (k >= 0) {
            char prefix[16];
            snprintf(prefix, sizeof prefix, "%d\x1f", k);
            dh_Buf key = {0};
            dh_buf_puts(&key, prefix);
            dh_buf_puts(&key, oid);
            int d = key.oom ? -1 : map_get(&r->decision_index, key.p);
            if (key.oom) ok = false;
            else if (d >= 0) r->decisions[d].count++;
            else if ((ok = grow((void **)&r->decisions, &r->capdecisions, r->ndecisions + 1,
                                sizeof *r->decisions))) {
                Decision *dd = &r->decisions[r->ndecisions];
                *dd = (Decision){.scenario = k, .action = dh_strdup(oid), .count = 1};
                ok = dd->action && map_put(&r->decision_index, key.p, r->ndecisions);
                if (ok) r->ndecisions++;
                else dh_free(dd->action);
            }
            dh_buf_free(&key);
        }
    }
    return ok ? DH_OK : dh_fail(err, DH_ENOMEM, "out of memory");
}

/* ---- aggregation ------------------------------------------------------------------- */

typedef struct Group {
    const char *name;     /* borrowed from a row ("" = not given) */
    const char *course;   /* the course id (units and nations: one group per unit and course) */
    const char *version;  /* the course version */
    int n, by_status[5];  /* indexed by dh_ProgressStatus */
    int scored, hist[HIST_BINS];
    double score_sum;
    int64_t *times;       /* courses only: time of each row, for the median */
    int ntimes, captimes;
    double time_sum;
} Group;

typedef struct Groups {
    Map index;
    Group *g;
    int n, cap;
} Groups;

static void groups_free(Groups *gs)
{
    for (int i = 0; i < gs->n; i++) dh_free(gs->g[i].times);
    dh_free(gs->g);
    map_free(&gs->index);
}

static int cmp_group(const void *a, const void *b)
{
    const Group *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (!c) c = strcmp(x->course, y->course);
    if (!c) c = strcmp(x->version, y->version);
    return c;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Group rows by field (0 course version, 1 unit and course version, 2
 * nation and course version: rates of different courses are not mixed),
 * sorted by name, course and version. */
static bool group_rows(const Report *r, int field, Groups *gs)
{
    *gs = (Groups){0};
    for (int i = 0; i < r->nrows; i++) {
        const dh_ExportRow *w = &r->rows[i].r;
        const char *name = field == 0 ? w->course_id : field == 1 ? w->unit : w->nation;
        dh_Buf key = {0};
        dh_buf_puts(&key, name);
        dh_buf_puts(&key, "\x1f");
        dh_buf_puts(&key, w->course_id);
        dh_buf_puts(&key, "\x1f");
        dh_buf_puts(&key, w->version);
        if (key.oom) {
            dh_buf_free(&key);
            return false;
        }
        int k = map_get(&gs->index, key.p);
        if (k < 0) {
            if (!grow((void **)&gs->g, &gs->cap, gs->n + 1, sizeof *gs->g) || !map_put(&gs->index, key.p, gs->n)) {
                dh_buf_free(&key);
                return false;
            }
            k = gs->n++;
            gs->g[k] = (Group){.name = name, .course = w->course_id, .version = w->version};
        }
        dh_buf_free(&key);
        Group *g = &gs->g[k];
        g->n++;
        if ((int)w->status >= 0 && (int)w->status < 5) g->by_status[w->status]++;
        if (w->has_score) {
            double pct = w->score * 100.0;
            int bin = (int)floor(pct / (100.0 / HIST_BINS) + 1e-9); /* 0.7 * 100 may be 69.999... */
            if (bin < 0) bin = 0;
            if (bin >= HIST_BINS) bin = HIST_BINS - 1;
            g->hist[bin]++;
            g->scored++;
            g->score_sum += w->score;
        }
        if (field == 0 && w->status != DH_PROGRESS_NOT_ATTEMPTED) {
            if (!grow((void **)&g->times, &g->captimes, g->ntimes + 1, sizeof *g->times)) return false;
            g->times[g->ntimes++] = w->time_ms;
            g->time_sum += (double)w->time_ms;
        }
    }
    /* the map's indices are not needed after sorting */
    qsort(gs->g, (size_t)gs->n, sizeof *gs->g, cmp_group);
    for (int i = 0; i < gs->n; i++)
        if (gs->g[i].times) qsort(gs->g[i].times, (size_t)gs->g[i].ntimes, sizeof(int64_t), cmp_i64);
    return true;
}

static double median_ms(const Group *g)
{
    if (g->ntimes == 0) return NAN;
    if (g->ntimes % 2) return (double)g->times[g->ntimes / 2];
    return ((double)g->times[g->ntimes / 2 - 1] + (double)g->times[g->ntimes / 2]) / 2.0;
}

static int finished(const Group *g)
{
    return g->by_status[DH_PROGRESS_COMPLETED] + g->by_status[DH_PROGRESS_PASSED];
}

static double pct(int part, int whole)
{
    return whole > 0 ? 100.0 * part / whole : NAN;
}

/* ---- writing ------------------------------------------------------------------------- */

static const char CSS[] =
    ":root{--ink:#1b1f24;--mute:#59636e;--line:#d0d7de;--s0:#1f6f43;--s1:#4f9d69;--s2:#e0a526;--s3:#c0392b;"
    "--s4:#aab4be}"
    "*{box-sizing:border-box}"
    "body{font-family:\"Noto Sans\",\"DejaVu Sans\",\"Liberation Sans\",Arial,sans-serif;color:var(--ink);"
    "margin:2rem auto;max-width:60rem;padding:0 1rem;line-height:1.4;font-size:15px}"
    "h1{font-size:1.6rem;margin:0 0 .2rem}h2{font-size:1.25rem;margin:2rem 0 .6rem;border-bottom:2px solid var(--ink);"
    "padding-bottom:.2rem}h3{font-size:1.05rem;margin:1.2rem 0 .4rem}h4{font-size:.95rem;margin:.9rem 0 .3rem}"
    "p.meta,p.note{color:var(--mute);font-size:.9em}p.warn{border-left:4px solid var(--s2);padding:.3rem .6rem;"
    "background:#fff8e6}"
    "table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:.9em}"
    "th,td{border-bottom:1px solid var(--line);padding:.25rem .4rem;text-align:left;vertical-align:top}"
    "th{background:#f3f5f7;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "bdi,svg text{unicode-bidi:isolate}"
    ".kpi{display:flex;flex-wrap:wrap;gap:.6rem;margin:1rem 0}.kpi div{border:1px solid var(--line);"
    "border-radius:6px;padding:.4rem .8rem;min-width:8rem}.kpi b{display:block;font-size:1.4rem}"
    ".flag{display:inline-block;border-radius:3px;padding:0 .3rem;margin:0 .2rem .1rem 0;font-size:.85em;"
    "border:1px solid}.flag.easy{border-color:var(--s1)}.flag.hard{border-color:var(--s3)}"
    ".flag.neg,.flag.miss{border-color:var(--s3);font-weight:600}.flag.weak{border-color:var(--s2)}"
    "svg.chart{width:100%;height:auto;display:block;margin:.3rem 0 1rem}"
    "svg text{font-size:12px;fill:var(--ink)}svg .val{fill:var(--mute)}"
    ".s0{fill:var(--s0)}.s1{fill:var(--s1)}.s2{fill:var(--s2)}.s3{fill:var(--s3)}.s4{fill:var(--s4)}"
    "svg .axis{stroke:var(--ink);stroke-width:1}svg .mark{stroke:var(--s3);stroke-dasharray:4 3}"
    "@page{size:A4;margin:14mm 12mm}"
    "@media print{body{margin:0;max-width:none;font-size:10pt}h2,h3,h4{break-after:avoid}"
    "tr,svg.chart,.kpi{break-inside:avoid}thead{display:table-header-group}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

static const char *status_word(int s)
{
    static const char *const w[] = {"not attempted", "in progress", "completed", "passed", "failed"};
    return s >= 0 && s < 5 ? w[s] : "?";
}

static void iso_day(dh_Buf *b, int64_t ms, bool with_time)
{
    if (ms <= 0) {
        dh_buf_puts(b, "\xe2\x80\x93");
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char s[40];
    strftime(s, sizeof s, with_time ? "%Y-%m-%d %H:%M UTC" : "%Y-%m-%d", &tm);
    dh_buf_puts(b, s);
}

static void td_num(dh_Buf *b, int v)
{
    dh_buf_printf(b, "<td class=\"n\">%d</td>", v);
}

static void td_pct(dh_Buf *b, double v, const char *key)
{
    dh_buf_printf(b, "<td class=\"n\" data-k=\"%s\">", key);
    report_percent(b, v);
    dh_buf_puts(b, "</td>");
}

/* "Title (course.id 1.0.0)" or just the id when no statement named it. */
static void course_label(dh_Buf *b, const Report *r, const Group *g)
{
    const char *title = name_of(r, &r->course_titles, g->name);
    if (title) {
        report_bdi(b, title);
        dh_buf_puts(b, " <span class=\"id\">(");
        report_text(b, g->name);
        dh_buf_puts(b, " ");
        report_text(b, g->version);
        dh_buf_puts(b, ")</span>");
    } else {
        report_bdi(b, g->name);
        dh_buf_puts(b, " ");
        report_text(b, g->version);
    }
}

static void section_sources(dh_Buf *b, dh_Bundle **bundles, int n)
{
    dh_buf_puts(b, "<h2 id=\"sources\">Sources</h2>\n<table><thead><tr><th>Bundle</th><th>Kiosk</th>"
                   "<th>Exported</th><th class=\"n\">Statements</th><th class=\"n\">Summary rows</th>"
                   "<th>Signature</th></tr></thead><tbody>\n");
    for (int i = 0; i < n; i++) {
        const dh_BundleInfo *in = dh_bundle_info(bundles[i]);
        dh_buf_puts(b, "<tr><td>");
        report_bdi(b, in->export_id);
        dh_buf_puts(b, "</td><td>");
        if (in->merged) dh_buf_printf(b, "merged from %d bundles", in->nsources);
        else report_text(b, in->kiosk_id);
        dh_buf_puts(b, "</td><td>");
        iso_day(b, in->exported_ms, true);
        dh_buf_printf(b, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td>", (long long)in->statements,
                      (long long)in->rows);
        if (in->trust == DH_BUNDLE_TRUSTED) dh_buf_puts(b, "trusted key ");
        else if (in->trust == DH_BUNDLE_SELF_SIGNED) dh_buf_puts(b, "integrity only, key ");
        else dh_buf_puts(b, "unsigned");
        report_text(b, in->key_id);
        dh_buf_puts(b, "</td></tr>\n");
    }
    dh_buf_puts(b, "</tbody></table>\n");
}

static void section_courses(dh_Buf *b, const Report *r, const Groups *cs)
{
    dh_buf_puts(b, "<h2 id=\"courses\">Completion by course</h2>\n");
    if (cs->n == 0) {
        dh_buf_puts(b, "<p class=\"note\">The bundles hold no summary rows.</p>\n");
        return;
    }
    dh_buf_puts(b, "<table><thead><tr><th>Course</th><th class=\"n\">Enrolled</th><th class=\"n\">Passed</th>"
                   "<th class=\"n\">Completed</th><th class=\"n\">In progress</th><th class=\"n\">Failed</th>"
                   "<th class=\"n\">Not attempted</th><th class=\"n\">Completion</th><th class=\"n\">Pass rate</th>"
                   "<th class=\"n\">Mean score</th></tr></thead><tbody>\n");
    ReportBar *bars = dh_calloc((size_t)cs->n, sizeof *bars);
    dh_Buf *labels = dh_calloc((size_t)cs->n, sizeof *labels);
    for (int i = 0; i < cs->n; i++) {
        const Group *g = &cs->g[i];
        dh_buf_puts(b, "<tr data-course=\"");
        report_text(b, g->name);
        dh_buf_puts(b, "\"><td>");
        course_label(b, r, g);
        dh_buf_puts(b, "</td>");
        td_num(b, g->n);
        td_num(b, g->by_status[DH_PROGRESS_PASSED]);
        td_num(b, g->by_status[DH_PROGRESS_COMPLETED]);
        td_num(b, g->by_status[DH_PROGRESS_IN_PROGRESS]);
        td_num(b, g->by_status[DH_PROGRESS_FAILED]);
        td_num(b, g->by_status[DH_PROGRESS_NOT_ATTEMPTED]);
        td_pct(b, pct(finished(g), g->n), "completion");
        td_pct(b, pct(g->by_status[DH_PROGRESS_PASSED], g->n), "pass-rate");
        td_pct(b, g->scored ? 100.0 * g->score_sum / g->scored : NAN, "mean-score");
        dh_buf_puts(b, "</tr>\n");
        if (bars && labels) {
            const char *title = name_of(r, &r->course_titles, g->name);
            dh_buf_printf(&labels[i], "%s %s", title ? title : g->name, g->version);
            bars[i].label = labels[i].p;
            int st[5] = {DH_PROGRESS_PASSED, DH_PROGRESS_COMPLETED, DH_PROGRESS_IN_PROGRESS, DH_PROGRESS_FAILED,
                         DH_PROGRESS_NOT_ATTEMPTED};
            for (int s = 0; s < 5; s++) bars[i].seg[s] = pct(g->by_status[st[s]], g->n);
        }
    }
    dh_buf_puts(b, "</tbody></table>\n<p class=\"note\">Completion counts the trainees whose course status is "
                   "completed or passed; the pass rate counts passed; both are shares of everyone enrolled. "
                   "Mean score: the course score (the kiosk's verdict) of those who have one.</p>\n");
    if (bars && labels) {
        static const char *const legend[] = {"passed", "completed", "in progress", "failed", "not attempted"};
        report_svg_hbars(b, "Status of enrolled trainees by course (percent)", bars, cs->n, 5, legend, 100.0, "%",
                         NULL, 0);
    }
    for (int i = 0; labels && i < cs->n; i++) dh_buf_free(&labels[i]);
    dh_free(labels);
    dh_free(bars);
}

static void section_groups(dh_Buf *b, const Report *r, const Groups *gs, bool multi, const char *id,
                           const char *title, const char *what)
{
    dh_buf_printf(b, "<h2 id=\"%s\">%s</h2>\n", id, title);
    if (gs->n == 0) {
        dh_buf_puts(b, "<p class=\"note\">No summary rows.</p>\n");
        return;
    }
    dh_buf_printf(b, "<table><thead><tr><th>%s</th>%s<th class=\"n\">Enrolments</th><th class=\"n\">Passed</th>"
                     "<th class=\"n\">Completed or passed</th><th class=\"n\">Completion</th>"
                     "<th class=\"n\">Pass rate</th><th class=\"n\">Mean score</th></tr></thead><tbody>\n",
                  what, multi ? "<th>Course</th>" : "");
    ReportBar *bars = dh_calloc((size_t)gs->n, sizeof *bars);
    dh_Buf *labels = multi ? dh_calloc((size_t)gs->n, sizeof *labels) : NULL;
    if (multi && !labels) {
        dh_free(bars);
        bars = NULL;
    }
    for (int i = 0; i < gs->n; i++) {
        const Group *g = &gs->g[i];
        dh_buf_puts(b, "<tr data-group=\"");
        report_text(b, g->name);
        dh_buf_puts(b, "\"><td>");
        if (g->name[0]) report_bdi(b, g->name);
        else dh_buf_puts(b, "<i>not given</i>");
        dh_buf_puts(b, "</td>");
        if (multi) {
            dh_buf_puts(b, "<td>");
            const char *t = name_of(r, &r->course_titles, g->course);
            report_bdi(b, t ? t : g->course);
            dh_buf_puts(b, " ");
            report_text(b, g->version);
            dh_buf_puts(b, "</td>");
        }
        td_num(b, g->n);
        td_num(b, g->by_status[DH_PROGRESS_PASSED]);
        td_num(b, finished(g));
        td_pct(b, pct(finished(g), g->n), "completion");
        td_pct(b, pct(g->by_status[DH_PROGRESS_PASSED], g->n), "pass-rate");
        td_pct(b, g->scored ? 100.0 * g->score_sum / g->scored : NAN, "mean-score");
        dh_buf_puts(b, "</tr>\n");
        if (bars) {
            bars[i].label = g->name[0] ? g->name : "(not given)";
            if (labels) {
                dh_buf_printf(&labels[i], "%s, %s", bars[i].label, g->course);
                bars[i].label = labels[i].p;
            }
            bars[i].seg[0] = pct(g->by_status[DH_PROGRESS_PASSED], g->n);
            bars[i].seg[1] = pct(g->by_status[DH_PROGRESS_COMPLETED], g->n);
        }
    }
    dh_buf_puts(b, "</tbody></table>\n");
    if (bars) {
        static const char *const legend[] = {"passed", "completed (not passed)"};
        char t[160];
        snprintf(t, sizeof t, "Completion by %s (percent of enrolments)", what);
        report_svg_hbars(b, t, bars, gs->n, 2, legend, 100.0, "%", NULL, 0);
    }
    for (int i = 0; labels && i < gs->n; i++) dh_buf_free(&labels[i]);
    dh_free(labels);
    dh_free(bars);
}

static void section_scores(dh_Buf *b, const Report *r, const Groups *cs)
{
    dh_buf_puts(b, "<h2 id=\"scores\">Score distribution and time spent</h2>\n");
    for (int i = 0; i < cs->n; i++) {
        const Group *g = &cs->g[i];
        dh_buf_puts(b, "<h3>");
        course_label(b, r, g);
        dh_buf_puts(b, "</h3>\n");
        dh_buf_printf(b, "<p>%d of %d trainees have a course score. Time spent by the %d who started: median ",
                      g->scored, g->n, g->ntimes);
        dh_buf_puts(b, "<span data-k=\"median-time\">");
        report_duration(b, median_ms(g));
        dh_buf_puts(b, "</span>, mean ");
        report_duration(b, g->ntimes ? g->time_sum / g->ntimes : NAN);
        dh_buf_puts(b, ", in all ");
        report_duration(b, g->time_sum);
        dh_buf_puts(b, ".</p>\n");
        if (g->scored) {
            dh_buf_puts(b, "<table class=\"hist\" data-course=\"");
            report_text(b, g->name);
            dh_buf_puts(b, "\"><thead><tr><th>Score</th>");
            for (int k = 0; k < HIST_BINS; k++)
                dh_buf_printf(b, "<th class=\"n\">%d\xe2\x80\x93%d%%</th>", k * 100 / HIST_BINS,
                              (k + 1) * 100 / HIST_BINS);
            dh_buf_puts(b, "</tr></thead><tbody><tr><th>Trainees</th>");
            for (int k = 0; k < HIST_BINS; k++) td_num(b, g->hist[k]);
            dh_buf_puts(b, "</tr></tbody></table>\n");
            report_svg_histogram(b, "Course scores (number of trainees per 10% band)", g->hist, HIST_BINS,
                                 "course score (%)");
        }
    }
}

static void flag(dh_Buf *b, const char *cls, const char *text)
{
    dh_buf_printf(b, "<span class=\"flag %s\">%s</span>", cls, text);
}

static void section_items(dh_Buf *b, const Report *r, const dh_QuizStats *qs, int nq, dh_StatsAttempts which)
{
    static const char *const which_word[] = {"first", "last", "every"};
    dh_buf_puts(b, "<h2 id=\"items\">Quiz item statistics</h2>\n");
    dh_buf_printf(b, "<p class=\"note\">Moodle's definitions, from the %s attempt of each trainee. Facility: "
                     "mean mark as a percentage of the maximum. Discrimination index: correlation (percent) "
                     "between the mark for the question and the rest of the test. Flags: "
                     "<span class=\"flag easy\">too easy</span> facility above %.0f%%, "
                     "<span class=\"flag hard\">too hard</span> below %.0f%%, "
                     "<span class=\"flag neg\">negative discrimination</span> weaker trainees did better "
                     "(check the key), "
                     "<span class=\"flag weak\">weak discrimination</span> below %.0f. "
                     "A dash: cannot be computed (too few attempts or no variation).</p>\n",
                  which_word[which], TOO_EASY, TOO_HARD, WEAK_DISC);
    if (r->stats_skipped) {
        dh_buf_printf(b, "<p class=\"warn\">%lld quiz statement%s could not be used: ",
                      (long long)r->stats_skipped, r->stats_skipped == 1 ? "" : "s");
        report_text(b, r->stats_problem);
        dh_buf_puts(b, "</p>\n");
    }
    if (nq == 0) {
        dh_buf_puts(b, "<p class=\"note\">No quiz attempts with answers in these bundles.</p>\n");
        return;
    }
    for (int i = 0; i < nq; i++) {
        const dh_QuizStats *q = &qs[i];
        const dh_TestStats *t = &q->test;
        const char *qname = name_of(r, &r->names, q->quiz);
        dh_buf_puts(b, "<section class=\"quiz\" data-quiz=\"");
        report_text(b, q->quiz);
        dh_buf_puts(b, "\"><h3>");
        report_bdi(b, qname ? qname : q->quiz);
        if (q->revision[0]) {
            dh_buf_puts(b, " <span class=\"id\">(version ");
            report_text(b, q->revision);
            dh_buf_puts(b, ")</span>");
        }
        dh_buf_puts(b, "</h3>\n<table class=\"test\"><tbody>");
        dh_buf_printf(b, "<tr><th>Attempts used</th><td class=\"n\" data-k=\"attempts\">%d</td><th>Trainees</th>"
                         "<td class=\"n\">%d</td><th>Questions</th><td class=\"n\">%d</td></tr>",
                      t->s, q->trainees, t->p);
        double scale = t->max_total > 0 ? 100.0 / t->max_total : NAN;
        dh_buf_puts(b, "<tr><th>Mean</th>");
        td_pct(b, t->mean * scale, "mean");
        dh_buf_puts(b, "<th>Median</th>");
        td_pct(b, t->median * scale, "median");
        dh_buf_puts(b, "<th>Standard deviation</th>");
        td_pct(b, t->sd * scale, "sd");
        dh_buf_puts(b, "</tr><tr><th>Skewness</th><td class=\"n\">");
        report_number(b, t->skewness, 3);
        dh_buf_puts(b, "</td><th>Kurtosis</th><td class=\"n\">");
        report_number(b, t->kurtosis, 3);
        dh_buf_puts(b, "</td><th>Internal consistency (\xce\xb1)</th>");
        td_pct(b, t->cic, "cic");
        dh_buf_puts(b, "</tr><tr><th>Error ratio</th>");
        td_pct(b, t->error_ratio, "error-ratio");
        dh_buf_puts(b, "<th>Standard error</th><td class=\"n\">");
        report_number(b, t->standard_error, 2);
        dh_buf_printf(b, " marks</td><th>Maximum</th><td class=\"n\">");
        report_number(b, t->max_total, 2);
        dh_buf_puts(b, " marks</td></tr></tbody></table>\n");
        if (t->s < FEW_ATTEMPTS)
            dh_buf_printf(b, "<p class=\"warn\">Only %d attempt%s: item figures from fewer than %d attempts "
                             "change a lot with each new trainee; read the flags as hints.</p>\n",
                          t->s, t->s == 1 ? "" : "s", FEW_ATTEMPTS);
        if (q->unassigned)
            dh_buf_printf(b, "<p class=\"warn\">%lld answer%s could not be placed in an attempt and %s left "
                             "out.</p>\n",
                          (long long)q->unassigned, q->unassigned == 1 ? "" : "s",
                          q->unassigned == 1 ? "was" : "were");
        if (q->inconsistent_max)
            dh_buf_puts(b, "<p class=\"warn\">A question was marked out of different maxima in different "
                           "attempts.</p>\n");
        dh_buf_puts(b, "<table class=\"items\"><thead><tr><th>Question</th><th class=\"n\">Attempts</th>"
                       "<th class=\"n\">Facility</th><th class=\"n\">SD</th><th class=\"n\">Discrimination</th>"
                       "<th class=\"n\">Efficiency</th><th>Flags</th></tr></thead><tbody>\n");
        ReportBar *bars = dh_calloc((size_t)q->nquestions, sizeof *bars);
        for (int k = 0; k < q->nquestions; k++) {
            const dh_QuestionStats *qq = &q->questions[k];
            const dh_ItemStats *it = &qq->stats;
            const char *name = name_of(r, &r->names, qq->iri);
            dh_buf_puts(b, "<tr data-question=\"");
            report_text(b, qq->id);
            dh_buf_puts(b, "\"><td><b>");
            report_bdi(b, qq->id);
            dh_buf_puts(b, "</b>");
            if (name) {
                dh_buf_puts(b, "<br>");
                report_bdi(b, name);
            }
            dh_buf_puts(b, "</td>");
            td_num(b, it->s);
            td_pct(b, it->facility, "facility");
            td_pct(b, it->sd_percent, "sd");
            dh_buf_puts(b, "<td class=\"n\" data-k=\"discrimination\">");
            report_number(b, it->discrimination, 1);
            dh_buf_puts(b, "</td><td class=\"n\" data-k=\"efficiency\">");
            report_number(b, it->efficiency, 1);
            dh_buf_puts(b, "</td><td data-k=\"flags\">");
            if (it->facility > TOO_EASY) flag(b, "easy", "too easy");
            if (it->facility < TOO_HARD) flag(b, "hard", "too hard");
            if (it->discrimination < 0) flag(b, "neg", "negative discrimination");
            else if (it->discrimination < WEAK_DISC) flag(b, "weak", "weak discrimination");
            dh_buf_puts(b, "</td></tr>\n");
            if (bars) {
                bars[k].label = qq->id;
                bars[k].seg[0] = isnan(it->facility) ? 0 : it->facility;
            }
        }
        dh_buf_puts(b, "</tbody></table>\n");
        if (bars) {
            double marks[2] = {TOO_HARD, TOO_EASY};
            report_svg_hbars(b, "Facility of each question (percent); dashed lines: too hard and too easy", bars,
                             q->nquestions, 1, NULL, 100.0, "%", marks, 2);
        }
        dh_free(bars);
        dh_buf_puts(b, "</section>\n");
    }
}

static int cmp_decision(const void *a, const void *b)
{
    const Decision *x = a, *y = b;
    if (x->scenario != y->scenario) return x->scenario - y->scenario;
    if (x->count != y->count) return y->count - x->count;
    return strcmp(x->action, y->action);
}

static void td_count(dh_Buf *b, int v, const char *key)
{
    dh_buf_printf(b, "<td class=\"n\" data-k=\"%s\">%d</td>", key, v);
}

static double miss_rate(const Outcome *o)
{
    return o->runs ? (double)o->tally[EXP_MISSED] / o->runs : 0;
}

/* Endings and objectives: most runs first; expectations: the most often
 * missed first (what trainers should discuss); then as the kiosk listed them. */
static int cmp_outcome(const void *a, const void *b)
{
    const Outcome *x = *(const Outcome *const *)a, *y = *(const Outcome *const *)b;
    if (x->kind == OUT_EXPECTATION) {
        double mx = miss_rate(x), my = miss_rate(y);
        if (mx != my) return mx > my ? -1 : 1;
        if (x->tally[EXP_MISSED] != y->tally[EXP_MISSED]) return y->tally[EXP_MISSED] - x->tally[EXP_MISSED];
    } else if (x->kind == OUT_ENDING && x->runs != y->runs) {
        return y->runs - x->runs;
    }
    return x->order - y->order;
}

/* The outcomes of one kind of scenario k, sorted; *n of them (dh_free the
 * array). Out of memory: none, and b is marked so no report is written. */
static const Outcome **outcomes_of(dh_Buf *b, const Report *r, int k, int kind, int *n)
{
    *n = 0;
    const Outcome **list = dh_calloc((size_t)r->noutcomes + 1, sizeof *list);
    if (!list) b->oom = true;
    for (int i = 0; list && i < r->noutcomes; i++)
        if (r->outcomes[i].scenario == k && r->outcomes[i].kind == kind) list[(*n)++] = &r->outcomes[i];
    if (list) qsort(list, (size_t)*n, sizeof *list, cmp_outcome);
    return list;
}

static void outcome_row(dh_Buf *b, const char *attr, const char *id)
{
    dh_buf_printf(b, "<tr data-%s=\"", attr);
    report_text(b, id);
    dh_buf_puts(b, "\"><td>");
    report_bdi(b, id);
    dh_buf_puts(b, "</td>");
}

/* One exercise's after-action reviews: how the runs ended, each objective's
 * scores (table and bars), each expectation's states by miss rate. */
static void exercise_review(dh_Buf *b, const Report *r, int k)
{
    const Scenario *sc = &r->scenarios[k];
    const char *name = name_of(r, &r->names, sc->iri);
    int verdicts = sc->passed + sc->failed, n;
    dh_buf_puts(b, "<section class=\"exercise\" data-scenario=\"");
    report_text(b, sc->iri);
    dh_buf_puts(b, "\"><h3>After-action reviews of ");
    report_bdi(b, name ? name : sc->iri);
    dh_buf_puts(b, "</h3>\n");
    if (sc->reviewed == 0) {
        dh_buf_printf(b, "<p class=\"note\">None of the %d verdict%s (passed or failed) carries the after-action "
                         "review: they come from kiosks that did not record it yet.</p>\n</section>\n",
                      verdicts, verdicts == 1 ? "" : "s");
        return;
    }
    dh_buf_printf(b, "<p>From the after-action review carried by <b data-k=\"reviewed\">%d</b> of the %d "
                     "verdict%s (passed or failed)", sc->reviewed, verdicts, verdicts == 1 ? "" : "s");
    if (sc->reviewed < verdicts)
        dh_buf_printf(b, "; the other %d come%s from kiosks that did not record it yet", verdicts - sc->reviewed,
                      verdicts - sc->reviewed == 1 ? "s" : "");
    dh_buf_puts(b, ". Endings, objectives and expectations are named by their ids in the scenario file.</p>\n");
    if (sc->unreadable)
        dh_buf_printf(b, "<p class=\"warn\">%d review entr%s had the wrong shape and %s left out.</p>\n",
                      sc->unreadable, sc->unreadable == 1 ? "y" : "ies", sc->unreadable == 1 ? "was" : "were");

    const Outcome **list = outcomes_of(b, r, k, OUT_ENDING, &n);
    dh_buf_puts(b, "<h4>How the runs ended</h4>\n<table class=\"endings\"><thead><tr><th>Ending</th>"
                   "<th class=\"n\">Runs</th><th class=\"n\">Share</th></tr></thead><tbody>\n");
    for (int i = 0; i < n; i++) {
        outcome_row(b, "ending", list[i]->id);
        td_count(b, list[i]->runs, "ending-runs");
        td_pct(b, pct(list[i]->runs, sc->reviewed), "ending-share");
        dh_buf_puts(b, "</tr>\n");
    }
    if (sc->no_ending) {
        dh_buf_puts(b, "<tr data-ending=\"\"><td><i>none: the run stopped without an ending</i></td>");
        td_count(b, sc->no_ending, "ending-runs");
        td_pct(b, pct(sc->no_ending, sc->reviewed), "ending-share");
        dh_buf_puts(b, "</tr>\n");
    }
    dh_buf_puts(b, "</tbody></table>\n");
    dh_free(list);

    list = outcomes_of(b, r, k, OUT_OBJECTIVE, &n);
    dh_buf_puts(b, "<h4>Objectives</h4>\n");
    if (n == 0) dh_buf_puts(b, "<p class=\"note\">No objective applied in any run.</p>\n");
    else {
        dh_buf_puts(b, "<table class=\"objectives\"><thead><tr><th>Objective</th><th class=\"n\">Runs it applied "
                       "in</th><th class=\"n\">Mean score</th><th class=\"n\">Met</th><th class=\"n\">Partly met</th>"
                       "<th class=\"n\">Not met</th></tr></thead><tbody>\n");
        ReportBar *bars = dh_calloc((size_t)n, sizeof *bars);
        for (int i = 0; i < n; i++) {
            const Outcome *o = list[i];
            double mean = o->runs ? 100.0 * o->score_sum / o->runs : NAN;
            outcome_row(b, "objective", o->id);
            td_count(b, o->runs, "objective-runs");
            td_pct(b, mean, "objective-mean");
            td_count(b, o->tally[OBJ_MET], "objective-met");
            td_count(b, o->tally[OBJ_PARTLY], "objective-partly");
            td_count(b, o->tally[OBJ_NOT], "objective-not");
            dh_buf_puts(b, "</tr>\n");
            if (bars) bars[i] = (ReportBar){.label = o->id, .seg = {isnan(mean) ? 0 : mean}};
        }
        dh_buf_puts(b, "</tbody></table>\n<p class=\"note\">An objective's score in a run is the points of its "
                       "expectations met in time divided by the points of those that applied (0 to 100%). "
                       "Met: every point (score 100%); partly met: some; not met: none (0%). A run in which "
                       "none of its expectations applied does not count for it.</p>\n");
        if (bars)
            report_svg_hbars(b, "Mean score of each objective (percent of its points)", bars, n, 1, NULL, 100.0,
                             "%", NULL, 0);
        dh_free(bars);
    }
    dh_free(list);

    list = outcomes_of(b, r, k, OUT_EXPECTATION, &n);
    dh_buf_puts(b, "<h4>Expectations, most often missed first</h4>\n");
    bool pending = false;
    for (int i = 0; i < n; i++) pending |= list[i]->tally[EXP_PENDING] > 0;
    if (n == 0) dh_buf_puts(b, "<p class=\"note\">The reviews list no expectations.</p>\n");
    else {
        dh_buf_printf(b, "<table class=\"expectations\"><thead><tr><th>Expectation</th><th class=\"n\">Runs it "
                         "applied in</th><th class=\"n\">Met</th><th class=\"n\">Partly met</th><th class=\"n\">"
                         "Missed</th><th class=\"n\">Expired</th>%s<th class=\"n\">Miss rate</th><th>Flag</th></tr>"
                         "</thead><tbody>\n",
                      pending ? "<th class=\"n\">Pending</th>" : "");
        for (int i = 0; i < n; i++) {
            const Outcome *o = list[i];
            outcome_row(b, "expectation", o->id);
            td_count(b, o->runs, "exp-runs");
            td_count(b, o->tally[EXP_MET], "exp-met");
            td_count(b, o->tally[EXP_PARTLY], "exp-partly");
            td_count(b, o->tally[EXP_MISSED], "exp-missed");
            td_count(b, o->tally[EXP_EXPIRED], "exp-expired");
            if (pending) td_count(b, o->tally[EXP_PENDING], "exp-pending");
            td_pct(b, o->runs ? 100.0 * miss_rate(o) : NAN, "exp-miss-rate");
            dh_buf_puts(b, "<td data-k=\"exp-flag\">");
            if (2 * o->tally[EXP_MISSED] > o->runs) flag(b, "miss", "often missed");
            dh_buf_puts(b, "</td></tr>\n");
        }
        dh_buf_puts(b, "</tbody></table>\n<p class=\"note\">Runs it applied in: the runs in which its time "
                       "window opened (the inject it counts from came). Partly met: done, but after the window "
                       "closed (no points); expired: the exercise ended while the window was still open. Miss "
                       "rate: missed \xc3\xb7 runs it applied in. <span class=\"flag miss\">often missed</span>: "
                       "missed in more than half of those runs; worth discussing with the trainees.</p>\n");
    }
    dh_free(list);
    dh_buf_puts(b, "</section>\n");
}

static void section_scenarios(dh_Buf *b, Report *r)
{
    dh_buf_puts(b, "<h2 id=\"exercises\">Exercises (scenarios)</h2>\n");
    if (r->nscenarios == 0) {
        dh_buf_puts(b, "<p class=\"note\">No exercise statements in these bundles.</p>\n");
        return;
    }
    for (int i = 0; i < r->nstarts; i++) {
        const Starts *st = &r->starts[i];
        r->scenarios[st->scenario].attempts += st->attempted > st->initialized ? st->attempted : st->initialized;
    }
    dh_buf_puts(b, "<p class=\"note\">Every run is counted, not only each trainee's first: someone who ran an "
                   "exercise twice counts twice (--attempts applies to quiz statistics only). Runs started "
                   "include runs not finished; passed and failed count the runs that reached a verdict. Mean "
                   "score: each run's score from the kiosk's review (its objectives' scores, weighted).</p>\n");
    dh_buf_puts(b, "<table><thead><tr><th>Exercise</th><th class=\"n\">Runs started</th>"
                   "<th class=\"n\">Passed</th><th class=\"n\">Failed</th><th class=\"n\">Pass rate</th>"
                   "<th class=\"n\">Mean score</th></tr></thead><tbody>\n");
    for (int i = 0; i < r->nscenarios; i++) {
        const Scenario *s = &r->scenarios[i];
        const char *name = name_of(r, &r->names, s->iri);
        dh_buf_puts(b, "<tr data-scenario=\"");
        report_text(b, s->iri);
        dh_buf_puts(b, "\"><td>");
        report_bdi(b, name ? name : s->iri);
        dh_buf_puts(b, "</td>");
        td_count(b, s->attempts, "runs-started");
        td_count(b, s->passed, "runs-passed");
        td_count(b, s->failed, "runs-failed");
        td_pct(b, pct(s->passed, s->passed + s->failed), "pass-rate");
        td_pct(b, s->scored ? 100.0 * s->score_sum / s->scored : NAN, "mean-score");
        dh_buf_puts(b, "</tr>\n");
    }
    dh_buf_puts(b, "</tbody></table>\n");
    if (r->ndecisions) {
        qsort(r->decisions, (size_t)r->ndecisions, sizeof *r->decisions, cmp_decision);
        dh_buf_puts(b, "<h3>Decisions taken</h3>\n<table><thead><tr><th>Exercise</th><th>Action</th>"
                       "<th class=\"n\">Times taken</th></tr></thead><tbody>\n");
        for (int i = 0; i < r->ndecisions; i++) {
            const Decision *d = &r->decisions[i];
            const char *sname = name_of(r, &r->names, r->scenarios[d->scenario].iri);
            const char *aname = name_of(r, &r->names, d->action);
            const char *aid = strrchr(d->action, '/');
            dh_buf_puts(b, "<tr data-action=\"");
            report_text(b, aid ? aid + 1 : d->action);
            dh_buf_puts(b, "\"><td>");
            report_bdi(b, sname ? sname : r->scenarios[d->scenario].iri);
            dh_buf_puts(b, "</td><td>");
            report_bdi(b, aname ? aname : d->action);
            dh_buf_puts(b, "</td>");
            td_num(b, d->count);
            dh_buf_puts(b, "</tr>\n");
        }
        dh_buf_puts(b, "</tbody></table>\n");
    }
    for (int i = 0; i < r->nscenarios; i++) exercise_review(b, r, i);
}

static void trainees_table(dh_Buf *b, const Report *r)
{
    dh_buf_puts(b, "<h2 id=\"trainees\">Trainees</h2>\n<table><thead><tr><th>Trainee</th><th>Name</th>"
                   "<th>Unit</th><th>Nation</th><th>Course</th><th>Status</th><th class=\"n\">Score</th>"
                   "<th class=\"n\">Time</th><th class=\"n\">Attempts</th></tr></thead><tbody>\n");
    for (int i = 0; i < r->nrows; i++) {
        const dh_ExportRow *w = &r->rows[i].r;
        dh_buf_puts(b, "<tr><td>");
        report_bdi(b, w->trainee_id);
        dh_buf_puts(b, "</td><td>");
        report_bdi(b, w->name);
        dh_buf_puts(b, "</td><td>");
        report_bdi(b, w->unit);
        dh_buf_puts(b, "</td><td>");
        report_text(b, w->nation);
        dh_buf_puts(b, "</td><td>");
        report_bdi(b, w->course_id);
        dh_buf_puts(b, " ");
        report_text(b, w->version);
        dh_buf_printf(b, "</td><td>%s</td><td class=\"n\">", status_word((int)w->status));
        if (w->has_score) report_percent(b, w->score * 100.0);
        dh_buf_puts(b, "</td><td class=\"n\">");
        report_duration(b, (double)w->time_ms);
        dh_buf_printf(b, "</td><td class=\"n\">%d</td></tr>\n", w->attempts);
    }
    dh_buf_puts(b, "</tbody></table>\n");
}

static dh_Status write_file(const char *path, const dh_Buf *b, dh_Error *err)
{
    dh_Buf tmp = {0};
    dh_buf_puts(&tmp, path);
    dh_buf_printf(&tmp, ".tmp%ld", (long)getpid());
    if (tmp.oom) return dh_fail(err, DH_ENOMEM, "out of memory");
    FILE *f = fopen(tmp.p, "wb");
    dh_Status st = DH_OK;
    if (!f) {
        st = dh_fail(err, DH_EIO, "cannot write %s: %s", tmp.p, strerror(errno));
    } else {
        bool ok = fwrite(b->p, 1, b->n, f) == b->n;
        ok = (fflush(f) == 0) && ok;
        ok = (fsync(fileno(f)) == 0) && ok;
        int e = errno;
        ok = (fclose(f) == 0) && ok;
        if (!ok) st = dh_fail(err, DH_EIO, "cannot write %s: %s", path, strerror(e ? e : errno));
        else if (rename(tmp.p, path) != 0)
            st = dh_fail(err, DH_EIO, "cannot write %s: %s", path, strerror(errno));
        if (st != DH_OK) unlink(tmp.p);
    }
    dh_buf_free(&tmp);
    return st;
}

int cmd_report(int argc, char **argv)
{
    static const char cmd[] = "report";
    const char *out = NULL, *title = "Training records report";
    dh_StatsAttempts which = DH_STATS_FIRST;
    char **paths = dh_calloc((size_t)argc, sizeof *paths);
    int npaths = 0, rc = 2;
    dh_Trust *trust = NULL;
    dh_Bundle **bundles = NULL;
    Report r = {0};
    dh_QuizStats *qs = NULL;
    int nq = 0;
    Groups courses = {0}, units = {0}, nations = {0};
    dh_Buf html = {0};
    dh_Error err;
    if (!paths || dh_trust_new(&trust, &err) != DH_OK) {
        tool_error("%s: out of memory", cmd);
        goto done;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int t = trust_option(argc, argv, &i, cmd, trust);
        if (t == 2) goto done;
        if (t == 1) continue;
        if (opt_is(a, "--help", "-h")) {
            fputs(usage_text, stdout);
            rc = 0;
            goto done;
        } else if (opt_is(a, "--output", "-o")) {
            if (!(out = opt_value(argc, argv, &i, cmd))) goto done;
        } else if (opt_is(a, "--title", NULL)) {
            if (!(title = opt_value(argc, argv, &i, cmd))) goto done;
        } else if (opt_is(a, "--attempts", NULL)) {
            const char *v = opt_value(argc, argv, &i, cmd);
            if (!v) goto done;
            if (!strcmp(v, "first")) which = DH_STATS_FIRST;
            else if (!strcmp(v, "last")) which = DH_STATS_LAST;
            else if (!strcmp(v, "all")) which = DH_STATS_ALL;
            else {
                rc = usage_error(cmd, "--attempts takes first, last or all, not '%s'", v);
                goto done;
            }
        } else if (a[0] == '-') {
            rc = usage_error(cmd, "unknown option %s", a);
            goto done;
        } else {
            paths[npaths++] = argv[i];
        }
    }
    if (npaths == 0) {
        rc = usage_error(cmd, "%s", "no bundle given");
        goto done;
    }
    if (!out) {
        rc = usage_error(cmd, "%s", "-o REPORT.html is required");
        goto done;
    }
    rc = 1;
    if (open_bundles(paths, npaths, trust, false, &bundles) != 0) goto done;
    if (dh_stats_collector_new(&r.stats, &err) != DH_OK) goto fail;
    size_t nrows = 0;
    if (collect_summary(bundles, npaths, &r.rows, &nrows, &err) != DH_OK) goto fail;
    r.nrows = (int)nrows;
    for (int i = 0; i < npaths; i++) {
        if (dh_bundle_statements_each(bundles[i], on_statement, &r, &err) != DH_OK) {
            char buf[1024];
            tool_error("%s: %s: %s; no report written", cmd, dh_bundle_dir(bundles[i]),
                       describe_error(&err, buf, sizeof buf));
            goto done;
        }
    }
    if (dh_stats_collector_finish(r.stats, NULL, which, &qs, &nq, &err) != DH_OK) goto fail;
    if (!group_rows(&r, 0, &courses) || !group_rows(&r, 1, &units) || !group_rows(&r, 2, &nations)) {
        dh_fail(&err, DH_ENOMEM, "out of memory");
        goto fail;
    }

    /* ---- the page ---- */
    int64_t generated = now_ms();
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) generated = strtoll(sde, NULL, 10) * 1000;
    int ntrainees = 0; /* rows come sorted by trainee */
    for (int i = 0; i < r.nrows; i++)
        if (i == 0 || strcmp(r.rows[i].r.trainee_id, r.rows[i - 1].r.trainee_id) != 0) ntrainees++;
    int passed = 0, fin = 0;
    for (int i = 0; i < courses.n; i++) {
        passed += courses.g[i].by_status[DH_PROGRESS_PASSED];
        fin += finished(&courses.g[i]);
    }

    dh_buf_puts(&html, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                       "style-src 'unsafe-inline'\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<meta name=\"generator\" content=\"drillhall-records " DH_VERSION "\">\n<title>");
    report_text(&html, title);
    dh_buf_puts(&html, "</title>\n<style>");
    dh_buf_puts(&html, CSS);
    dh_buf_puts(&html, "</style>\n</head>\n<body>\n<header>\n<h1>");
    report_bdi(&html, title);
    dh_buf_puts(&html, "</h1>\n<p class=\"meta\">Generated ");
    iso_day(&html, generated, true);
    dh_buf_puts(&html, " by drillhall-records " DH_VERSION " from ");
    dh_buf_printf(&html, "%d bundle%s; statements from ", npaths, npaths == 1 ? "" : "s");
    iso_day(&html, r.first_ms, false);
    dh_buf_puts(&html, " to ");
    iso_day(&html, r.last_ms, false);
    dh_buf_puts(&html, ".</p>\n</header>\n");
    dh_buf_printf(&html,
                  "<div class=\"kpi\" id=\"overview\"><div><b data-k=\"trainees\">%d</b>trainees</div>"
                  "<div><b data-k=\"enrolments\">%d</b>course enrolments</div>"
                  "<div><b data-k=\"completed\">%d</b>completed or passed</div>"
                  "<div><b data-k=\"passed\">%d</b>passed</div>"
                  "<div><b data-k=\"statements\">%lld</b>statements</div></div>\n",
                  ntrainees, r.nrows, fin, passed, (long long)r.statements);
    if (r.duplicates)
        dh_buf_printf(&html, "<p class=\"note\">%lld statement%s appeared in more than one bundle and %s "
                             "counted once.</p>\n",
                      (long long)r.duplicates, r.duplicates == 1 ? "" : "s", r.duplicates == 1 ? "was" : "were");
    dh_buf_puts(&html, "<nav><p class=\"meta\"><a href=\"#courses\">Courses</a> \xc2\xb7 <a href=\"#units\">Units</a>"
                       " \xc2\xb7 <a href=\"#nations\">Nations</a> \xc2\xb7 <a href=\"#scores\">Scores and time</a>"
                       " \xc2\xb7 <a href=\"#items\">Quiz items</a> \xc2\xb7 <a href=\"#exercises\">Exercises</a>"
                       " \xc2\xb7 <a href=\"#trainees\">Trainees</a> \xc2\xb7 <a href=\"#sources\">Sources</a>"
                       "</p></nav>\n<main>\n");
    section_courses(&html, &r, &courses);
    section_groups(&html, &r, &units, courses.n > 1, "units", "Completion by unit", "unit");
    section_groups(&html, &r, &nations, courses.n > 1, "nations", "Completion by nation", "nation");
    section_scores(&html, &r, &courses);
    section_items(&html, &r, qs, nq, which);
    section_scenarios(&html, &r);
    trainees_table(&html, &r);
    section_sources(&html, bundles, npaths);
    dh_buf_puts(&html, "</main>\n</body>\n</html>\n");
    if (html.oom) {
        dh_fail(&err, DH_ENOMEM, "out of memory");
        goto fail;
    }
    if (write_file(out, &html, &err) != DH_OK) goto fail;
    printf("%s: %d trainees, %d course enrolments, %lld statements, %d quiz%s, %d exercise%s\n", out, ntrainees,
           r.nrows, (long long)r.statements, nq, nq == 1 ? "" : "zes", r.nscenarios,
           r.nscenarios == 1 ? "" : "s");
    rc = 0;
    goto done;
fail: {
    char buf[1024];
    tool_error("%s: %s", cmd, describe_error(&err, buf, sizeof buf));
    rc = 1;
}
done:
    dh_buf_free(&html);
    groups_free(&courses);
    groups_free(&units);
    groups_free(&nations);
    dh_stats_free(qs, nq);
    report_free(&r);
    close_bundles(bundles, npaths);
    dh_trust_free(trust);
    dh_free(paths);
    return rc;
}
