/* xapi: building xAPI 1.0.3 statements from the course model.
 *
 * Everything a statement says is derived here from ids the author chose
 * (course, module, question, action, acknowledgement), so the same activity
 * gets the same IRI on every kiosk and in every export, and an LRS can put
 * statements from a hundred kiosks side by side. The builders run on the
 * player's hot path and on bulk journaling, so they allocate only what the
 * statement needs, and every allocation failure comes back as DH_ENOMEM
 * with nothing leaked. Interactions follow the xAPI 1.0.3 data spec (Data
 * 2.4.4.1.1 interaction types and the response-pattern table); the choice
 * of interaction type for each Drillhall question type is argued in
 * engine/core/XAPI.md.
 */
#include "xapi.h"

#include "alloc.h"
#include "buf.h"
#include "i18n.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADL_VERB "http://adlnet.gov/expapi/verbs/"
#define ADL_ACT "http://adlnet.gov/expapi/activities/"

/* Paths under the activity base for Drillhall's own vocabulary: the profile
 * category every statement carries and the extension keys. They sit beside
 * <base>/courses/, so no course, module or question id can ever clash. */
#define PROFILE_PATH "/profiles/drillhall/1.0"
#define EXT_KIOSK "/extensions/kiosk"
#define EXT_SCENARIO_TIME "/extensions/scenario-time"
#define EXT_CLICKS "/extensions/clicks"
#define EXT_ENDING "/extensions/ending"
#define EXT_OBJECTIVES "/extensions/objectives"
#define EXT_EXPECTATIONS "/extensions/expectations"

#define NAME_MAX_BYTES 120 /* activity names are short; the full text goes in description */
#define FULL_MARKS(f) ((f) >= 1.0 - DH_QUIZ_FRACTION_EPS)

static const struct {
    const char *iri, *display;
} verbs[DH_XAPI_VERB_COUNT] = {
    [DH_XAPI_LAUNCHED] = {ADL_VERB "launched", "launched"},
    [DH_XAPI_INITIALIZED] = {ADL_VERB "initialized", "initialized"},
    [DH_XAPI_EXPERIENCED] = {ADL_VERB "experienced", "experienced"},
    [DH_XAPI_ANSWERED] = {ADL_VERB "answered", "answered"},
    [DH_XAPI_ATTEMPTED] = {ADL_VERB "attempted", "attempted"},
    [DH_XAPI_COMPLETED] = {ADL_VERB "completed", "completed"},
    [DH_XAPI_PASSED] = {ADL_VERB "passed", "passed"},
    [DH_XAPI_FAILED] = {ADL_VERB "failed", "failed"},
    [DH_XAPI_SUSPENDED] = {ADL_VERB "suspended", "suspended"},
    [DH_XAPI_RESUMED] = {ADL_VERB "resumed", "resumed"},
    [DH_XAPI_TERMINATED] = {ADL_VERB "terminated", "terminated"},
    [DH_XAPI_INTERACTED] = {ADL_VERB "interacted", "interacted"},
    /* Activity Streams 1.0 "accept": the actor takes on the object, as one
     * accepts an assignment; an acknowledgement is a rule or commitment the
     * trainee takes on (see xapi.md for why not "acknowledge" or "agree"). */
    [DH_XAPI_ACCEPTED] = {"http://activitystrea.ms/schema/1.0/accept", "accepted"},
};

const char *dh_xapi_verb_iri(dh_XapiVerb v)
{
    DH_ASSERT(v >= 0 && v < DH_XAPI_VERB_COUNT);
    return verbs[v].iri;
}

const char *dh_xapi_verb_display(dh_XapiVerb v)
{
    DH_ASSERT(v >= 0 && v < DH_XAPI_VERB_COUNT);
    return verbs[v].display;
}

/* ---- numbers, times, durations -------------------------------------------- */

/* Shortest %g form that reads back as d, with '.' whatever the locale. */
static void fmt_number(char out[40], double d)
{
    snprintf(out, 40, "%.15g", d);
    if (strtod(out, NULL) != d) snprintf(out, 40, "%.17g", d);
    const char *dp = localeconv()->decimal_point;
    if (dp && dp[0] && dp[0] != '.')
        for (char *p = out; *p; p++)
            if (*p == dp[0]) *p = '.';
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm), so the
 * conversion needs neither gmtime_r nor the process's time zone. */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

bool dh_xapi_timestamp(char out[DH_XAPI_TIMESTAMP_LEN + 1], int64_t ms)
{
    /* 253402300800000 ms is 10000-01-01T00:00:00Z. */
    if (ms < 0 || ms >= INT64_C(253402300800000)) {
        out[0] = '\0';
        return false;
    }
    int64_t days = ms / 86400000, rem = ms % 86400000;
    int y, mo, d;
    civil_from_days(days, &y, &mo, &d);
    int h = (int)(rem / 3600000), mi = (int)(rem / 60000 % 60), s = (int)(rem / 1000 % 60);
    int msec = (int)(rem % 1000);
    /* Every field is in range, but the compiler cannot see it: format into
     * room for the widest ints, then copy the 24 characters. */
    char buf[80];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d, h, mi, s, msec);
    DH_ASSERT(strlen(buf) == DH_XAPI_TIMESTAMP_LEN);
    memcpy(out, buf, DH_XAPI_TIMESTAMP_LEN + 1);
    return true;
}

void dh_xapi_duration(char out[DH_XAPI_DURATION_MAX], int64_t ms)
{
    if (ms < 0) ms = 0;
    int64_t cs = ms / 10 + (ms % 10 >= 5); /* centiseconds, rounded half up */
    int64_t h = cs / 360000, m = cs / 6000 % 60, s = cs / 100 % 60, frac = cs % 100;
    int n = snprintf(out, DH_XAPI_DURATION_MAX, "PT");
    if (h) n += snprintf(out + n, (size_t)(DH_XAPI_DURATION_MAX - n), "%lldH", (long long)h);
    if (m) n += snprintf(out + n, (size_t)(DH_XAPI_DURATION_MAX - n), "%lldM", (long long)m);
    if (s || frac || (!h && !m)) {
        n += snprintf(out + n, (size_t)(DH_XAPI_DURATION_MAX - n), "%lld", (long long)s);
        if (frac) /* 3.4 rather than 3.40: trailing zeros say nothing */
            n += snprintf(out + n, (size_t)(DH_XAPI_DURATION_MAX - n), frac % 10 ? ".%02lld" : ".%lld",
                          (long long)(frac % 10 ? frac : frac / 10));
        snprintf(out + n, (size_t)(DH_XAPI_DURATION_MAX - n), "S");
    }
}

void dh_xapi_score(dh_XapiResult *res, double raw, double min, double max)
{
    res->has_score = true;
    res->raw = raw;
    res->min = min;
    res->max = max;
    double s = max > 0 ? raw / max : 0;
    res->scaled = s < -1 ? -1 : s > 1 ? 1 : s;
}

/* ---- IRIs ------------------------------------------------------------------ */

static bool unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* Append one path segment, percent-encoding everything outside RFC 3986's
 * unreserved set (UTF-8 bytes included: valid in an IRI either way, and
 * plain ASCII survives every tool an officer might paste it into). */
static void add_segment(dh_Buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (unreserved(*p)) {
            dh_buf_add(b, (const char *)p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            dh_buf_add(b, e, 3);
        }
    }
}

/* The base without trailing slashes, so "https://x/" and "https://x" agree. */
static size_t base_len(const char *base)
{
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/') n--;
    return n;
}

static void add_activity_iri(dh_Buf *b, const char *base, const char *course_id, const char *module_id,
                             const char *part, const char *part_id)
{
    dh_buf_add(b, base, base_len(base));
    dh_buf_puts(b, "/courses/");
    add_segment(b, course_id);
    if (!module_id) return;
    dh_buf_puts(b, "/modules/");
    add_segment(b, module_id);
    if (!part) return;
    dh_buf_puts(b, "/");
    dh_buf_puts(b, part);
    dh_buf_puts(b, "/");
    add_segment(b, part_id);
}

char *dh_xapi_activity_iri(const char *base, const char *course_id, const char *module_id, const char *part,
                           const char *part_id)
{
    DH_ASSERT(base && course_id && (!part || (module_id && part_id)));
    dh_Buf b = {0};
    add_activity_iri(&b, base, course_id, module_id, part, part_id);
    if (b.oom) {
        dh_buf_free(&b);
        return NULL;
    }
    return b.p;
}

/* An absolute IRI as RFC 3987 has it, checked as far as a setting needs:
 * scheme ":" then something, no spaces, controls or characters IRIs forbid. */
static bool iri_ok(const char *s, bool as_base)
{
    const unsigned char *p = (const unsigned char *)s;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) return false;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '+' ||
           *p == '-' || *p == '.')
        p++;
    if (*p != ':' || !p[1]) return false;
    for (p++; *p; p++) {
        if (*p <= 0x20 || *p == 0x7f || strchr("<>\"{}|\\^`", *p)) return false;
        if (as_base && (*p == '?' || *p == '#')) return false;
    }
    return true;
}

dh_Status dh_xapi_config_check(const dh_XapiConfig *cfg, dh_Error *err)
{
    if (!cfg->home_page || !iri_ok(cfg->home_page, false))
        return dh_fail(err, DH_EINVAL,
                       "the xAPI home page '%s' is not an absolute IRI; set it to the kiosk's or programme's "
                       "address, e.g. https://training.example.org",
                       cfg->home_page ? cfg->home_page : "");
    if (!cfg->activity_base || !iri_ok(cfg->activity_base, true))
        return dh_fail(err, DH_EINVAL,
                       "the xAPI activity base '%s' is not an absolute IRI without '?' or '#'; set it to an "
                       "address the programme controls, e.g. https://training.example.org/xapi",
                       cfg->activity_base ? cfg->activity_base : "");
    if (cfg->kiosk_id && !dh_uuid_valid(cfg->kiosk_id))
        return dh_fail(err, DH_EINVAL, "the kiosk id '%s' is not a UUID", cfg->kiosk_id);
    return DH_OK;
}

/* ---- building JSON with one out-of-memory flag ---------------------------- */

typedef struct Build {
    const dh_XapiContext *ctx;
    const dh_XapiConfig *cfg;
    const char *deflang; /* language-map key for text that is one plain string */
    bool oom;
} Build;

static cJSON *add_obj(Build *b, cJSON *o, const char *k)
{
    cJSON *r = o ? cJSON_AddObjectToObject(o, k) : NULL;
    if (!r) b->oom = true;
    return r;
}

static cJSON *add_arr(Build *b, cJSON *o, const char *k)
{
    cJSON *r = o ? cJSON_AddArrayToObject(o, k) : NULL;
    if (!r) b->oom = true;
    return r;
}

static void add_str(Build *b, cJSON *o, const char *k, const char *v)
{
    if (!o || !cJSON_AddStringToObject(o, k, v)) b->oom = true;
}

/* Add a dh_Buf's text and free the dh_Buf. */
static void add_buf(Build *b, cJSON *o, const char *k, dh_Buf *v)
{
    if (v->oom) b->oom = true;
    else add_str(b, o, k, dh_buf_str(v));
    dh_buf_free(v);
}

static void add_num(Build *b, cJSON *o, const char *k, double v)
{
    if (!o || !cJSON_AddNumberToObject(o, k, v)) b->oom = true;
}

static void add_bool(Build *b, cJSON *o, const char *k, bool v)
{
    if (!o || !cJSON_AddBoolToObject(o, k, v)) b->oom = true;
}

static void attach(Build *b, cJSON *o, const char *k, cJSON *item)
{
    if (!item) return;
    if (!o || !cJSON_AddItemToObject(o, k, item)) {
        cJSON_Delete(item);
        b->oom = true;
    }
}

static cJSON *push_obj(Build *b, cJSON *arr)
{
    cJSON *o = arr ? cJSON_CreateObject() : NULL;
    if (o && !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        o = NULL;
    }
    if (!o) b->oom = true;
    return o;
}

static void push_str(Build *b, cJSON *arr, const char *s)
{
    cJSON *v = arr ? cJSON_CreateString(s) : NULL;
    if (v && !cJSON_AddItemToArray(arr, v)) {
        cJSON_Delete(v);
        v = NULL;
    }
    if (!v) b->oom = true;
}

/* ---- plain text for language maps ----------------------------------------- */

typedef enum Plain { PLAIN_INLINE, PLAIN_GAPS, PLAIN_SPANS } Plain;

static void inline_run(void *ud, unsigned style, const char *s, size_t n)
{
    (void)style;
    dh_buf_add(ud, s, n);
}

/* Author text as a reader sees it: inline markers dropped, gaps shown as a
 * blank, clickable spans as their visible text. Text whose markup does not
 * parse (lint rejects it; a statement must still be written) stays raw. */
static void plain_text(dh_Buf *out, const char *s, Plain mode)
{
    dh_Buf tmp = {0};
    const char *src = s;
    if (mode != PLAIN_INLINE) {
        dh_MarkupSyntax syn = mode == PLAIN_GAPS ? DH_MARKUP_GAPS : DH_MARKUP_SPANS;
        size_t pos = 0;
        dh_MarkupToken tok;
        dh_MarkupResult r;
        while ((r = dh_markup_next(s, &pos, syn, &tok)) == DH_MARKUP_OK) {
            if (tok.kind == DH_MARKUP_GAP) dh_buf_puts(&tmp, "____");
            else dh_buf_add(&tmp, tok.text, tok.text_len);
        }
        if (r != DH_MARKUP_END) dh_buf_puts(&tmp, s + tok.off);
        if (tmp.oom) {
            dh_buf_free(&tmp);
            out->oom = true;
            return;
        }
        src = dh_buf_str(&tmp);
    }
    size_t mark = out->n, where;
    if (dh_inline_parse(src, inline_run, out, &where) != DH_INLINE_OK) {
        out->n = mark; /* drop the partial runs and keep the raw text */
        if (out->p) out->p[mark] = '\0';
        dh_buf_puts(out, src);
    }
    dh_buf_free(&tmp);
}

/* Cut to at most max bytes on a UTF-8 boundary, marking the cut with "…". */
static void truncate_utf8(dh_Buf *b, size_t max)
{
    if (b->oom || b->n <= max) return;
    size_t n = max - 3;
    while (n > 0 && ((unsigned char)b->p[n] & 0xC0) == 0x80) n--;
    b->n = n;
    b->p[n] = '\0';
    dh_buf_puts(b, "\xE2\x80\xA6");
}

/* A language map of t (NULL when t is absent or on OOM; check b->oom).
 * Keys are our BCP 47 tags, which is what xAPI language maps use; a plain
 * string is filed under the course's first language. */
static cJSON *lang_map(Build *b, const dh_Text *t, Plain mode, size_t max)
{
    if (!t || t->count == 0) return NULL;
    cJSON *m = cJSON_CreateObject();
    if (!m) {
        b->oom = true;
        return NULL;
    }
    for (int i = 0; i < t->count; i++) {
        const char *lang = t->items[i].lang ? t->items[i].lang : b->deflang;
        if (cJSON_GetObjectItemCaseSensitive(m, lang)) continue;
        dh_Buf v = {0};
        plain_text(&v, t->items[i].text, mode);
        if (max) truncate_utf8(&v, max);
        add_buf(b, m, lang, &v);
    }
    return m;
}

/* The visible text of span `id` in each translation of a hottext stem. */
static cJSON *span_map(Build *b, const dh_Text *t, const char *id)
{
    cJSON *m = cJSON_CreateObject();
    if (!m) {
        b->oom = true;
        return NULL;
    }
    size_t idlen = strlen(id);
    for (int i = 0; i < t->count; i++) {
        const char *lang = t->items[i].lang ? t->items[i].lang : b->deflang;
        size_t pos = 0;
        dh_MarkupToken tok;
        while (dh_markup_next(t->items[i].text, &pos, DH_MARKUP_SPANS, &tok) == DH_MARKUP_OK) {
            if (tok.kind != DH_MARKUP_SPAN || tok.id_len != idlen || memcmp(tok.id, id, idlen) != 0) continue;
            if (!cJSON_GetObjectItemCaseSensitive(m, lang)) {
                dh_Buf raw = {0}, v = {0};
                dh_buf_add(&raw, tok.text, tok.text_len);
                if (!raw.oom) plain_text(&v, dh_buf_str(&raw), PLAIN_INLINE);
                if (raw.oom) v.oom = true;
                dh_buf_free(&raw);
                add_buf(b, m, lang, &v);
            }
            break;
        }
    }
    if (!m->child) { /* a span missing from a translation: lint reports it */
        cJSON_Delete(m);
        return NULL;
    }
    return m;
}

/* ---- activities ------------------------------------------------------------ */

static const char *module_type(dh_ModuleKind k)
{
    switch (k) {
    case DH_MODULE_LESSON: return ADL_ACT "lesson";
    case DH_MODULE_QUIZ: return ADL_ACT "assessment";
    case DH_MODULE_SCENARIO: return ADL_ACT "simulation";
    }
    return ADL_ACT "module";
}

static void add_iri_member(Build *b, cJSON *o, const char *module_id, const char *part, const char *part_id)
{
    dh_Buf id = {0};
    add_activity_iri(&id, b->cfg->activity_base, b->ctx->course->id, module_id, part, part_id);
    add_buf(b, o, "id", &id);
}

/* An Activity object {objectType, id, definition{type[, name]}}. */
static cJSON *activity(Build *b, cJSON *o, const char *module_id, const char *part, const char *part_id,
                       const char *type, const dh_Text *name, Plain mode)
{
    add_str(b, o, "objectType", "Activity");
    add_iri_member(b, o, module_id, part, part_id);
    cJSON *def = add_obj(b, o, "definition");
    add_str(b, def, "type", type);
    if (name) attach(b, def, "name", lang_map(b, name, mode, NAME_MAX_BYTES));
    return def;
}

static void course_activity(Build *b, cJSON *o, bool with_name)
{
    const dh_Course *c = b->ctx->course;
    activity(b, o, NULL, NULL, NULL, ADL_ACT "course", with_name ? &c->title : NULL, PLAIN_INLINE);
}

static void module_activity(Build *b, cJSON *o, const dh_Module *m, bool with_name)
{
    activity(b, o, m->id, NULL, NULL, module_type(m->kind), with_name ? &m->title : NULL, PLAIN_INLINE);
}

static void profile_activity(Build *b, cJSON *o)
{
    add_str(b, o, "objectType", "Activity");
    dh_Buf id = {0};
    dh_buf_add(&id, b->cfg->activity_base, base_len(b->cfg->activity_base));
    dh_buf_puts(&id, PROFILE_PATH);
    add_buf(b, o, "id", &id);
    cJSON *def = add_obj(b, o, "definition");
    add_str(b, def, "type", ADL_ACT "profile");
    add_str(b, add_obj(b, def, "name"), "en", "Drillhall statements 1.0");
}

static void add_extension_key(const Build *b, dh_Buf *key, const char *path)
{
    dh_buf_add(key, b->cfg->activity_base, base_len(b->cfg->activity_base));
    dh_buf_puts(key, path);
}

/* ---- the statement frame ---------------------------------------------------- */

typedef enum Level { LEVEL_COURSE, LEVEL_MODULE, LEVEL_PART } Level;

static dh_Status check_context(const dh_XapiContext *ctx, dh_Error *err)
{
    DH_ASSERT(ctx && ctx->config && ctx->course);
    dh_Status st = dh_xapi_config_check(ctx->config, err);
    if (st != DH_OK) return st;
    if (!ctx->trainee_id || !ctx->trainee_id[0])
        return dh_fail(err, DH_EINVAL, "a statement needs the trainee's id, and none was given");
    if (!ctx->registration || !dh_uuid_valid(ctx->registration))
        return dh_fail(err, DH_EINVAL, "the registration '%s' is not a UUID",
                       ctx->registration ? ctx->registration : "");
    if (!ctx->course->id || !ctx->course->id[0])
        return dh_fail(err, DH_EINVAL, "the course has no id, so its activities cannot be named");
    if (ctx->language && !dh_lang_valid(ctx->language))
        return dh_fail(err, DH_EINVAL, "'%s' is not a language tag", ctx->language);
    if (ctx->has_scenario_time && !(ctx->scenario_time_s >= 0 && ctx->scenario_time_s <= 1e12))
        return dh_fail(err, DH_EINVAL, "the scenario time %g s is not a time since the exercise started",
                       ctx->scenario_time_s);
    return DH_OK;
}

static dh_Status check_result(const dh_XapiResult *r, dh_XapiVerb verb, dh_Error *err)
{
    if (!r) return DH_OK;
    if (r->has_score) {
        if (!isfinite(r->scaled) || !isfinite(r->raw) || !isfinite(r->min) || !isfinite(r->max))
            return dh_fail(err, DH_EINVAL, "a score must be a finite number");
        if (r->scaled < -1 || r->scaled > 1)
            return dh_fail(err, DH_EINVAL, "the scaled score %g is outside -1..1", r->scaled);
        if (!(r->min <= r->raw && r->raw <= r->max))
            return dh_fail(err, DH_EINVAL, "the raw score %g is outside its range %g..%g", r->raw, r->min, r->max);
    }
    if (verb == DH_XAPI_PASSED && r->success == DH_XAPI_FALSE)
        return dh_fail(err, DH_EINVAL, "a 'passed' statement cannot say success: false");
    if (verb == DH_XAPI_FAILED && r->success == DH_XAPI_TRUE)
        return dh_fail(err, DH_EINVAL, "a 'failed' statement cannot say success: true");
    if (verb == DH_XAPI_COMPLETED && r->completion == DH_XAPI_FALSE)
        return dh_fail(err, DH_EINVAL, "a 'completed' statement cannot say completion: false");
    return DH_OK;
}

/* actor, verb, id, timestamp, version; the object is left to the caller. */
static cJSON *frame(Build *b, dh_XapiStatement *out, dh_XapiVerb verb, int64_t now_ms, cJSON **object)
{
    const dh_XapiContext *ctx = b->ctx;
    cJSON *st = cJSON_CreateObject();
    if (!st) {
        b->oom = true;
        return NULL;
    }
    if (b->cfg->uuid) b->cfg->uuid(b->cfg->uuid_ctx, out->id);
    else dh_uuid_v4(out->id);
    DH_ASSERT(dh_uuid_valid(out->id));
    out->timestamp_ms = now_ms;
    out->verb = verb;
    add_str(b, st, "id", out->id);
    cJSON *actor = add_obj(b, st, "actor");
    add_str(b, actor, "objectType", "Agent");
    if (ctx->trainee_name && ctx->trainee_name[0]) add_str(b, actor, "name", ctx->trainee_name);
    cJSON *acct = add_obj(b, actor, "account");
    add_str(b, acct, "homePage", b->cfg->home_page);
    add_str(b, acct, "name", ctx->trainee_id);
    cJSON *v = add_obj(b, st, "verb");
    add_str(b, v, "id", verbs[verb].iri);
    add_str(b, add_obj(b, v, "display"), "en-US", verbs[verb].display);
    *object = add_obj(b, st, "object");
    return st;
}

static void add_result(Build *b, cJSON *st, const dh_XapiResult *r, dh_XapiVerb verb, const char *response,
                       cJSON *extensions)
{
    dh_XapiTri success = r ? r->success : DH_XAPI_UNSET, completion = r ? r->completion : DH_XAPI_UNSET;
    if (verb == DH_XAPI_PASSED) success = DH_XAPI_TRUE;
    if (verb == DH_XAPI_FAILED) success = DH_XAPI_FALSE;
    if (verb == DH_XAPI_COMPLETED) completion = DH_XAPI_TRUE;
    if (!response && r) response = r->response;
    bool any = (r && (r->has_score || r->has_duration)) || success || completion || response || extensions;
    if (!any) return;
    cJSON *res = add_obj(b, st, "result");
    if (r && r->has_score) {
        cJSON *sc = add_obj(b, res, "score");
        add_num(b, sc, "scaled", r->scaled);
        add_num(b, sc, "raw", r->raw);
        add_num(b, sc, "min", r->min);
        add_num(b, sc, "max", r->max);
    }
    if (success) add_bool(b, res, "success", success == DH_XAPI_TRUE);
    if (completion) add_bool(b, res, "completion", completion == DH_XAPI_TRUE);
    if (response) add_str(b, res, "response", response);
    if (r && r->has_duration) {
        char d[DH_XAPI_DURATION_MAX];
        dh_xapi_duration(d, r->duration_ms);
        add_str(b, res, "duration", d);
    }
    if (extensions) attach(b, res, "extensions", extensions);
}

static void add_context(Build *b, cJSON *st, Level level, const dh_Module *m)
{
    const dh_XapiContext *ctx = b->ctx;
    cJSON *c = add_obj(b, st, "context");
    add_str(b, c, "registration", ctx->registration);
    cJSON *ca = add_obj(b, c, "contextActivities");
    if (level == LEVEL_MODULE) {
        course_activity(b, push_obj(b, add_arr(b, ca, "parent")), false);
    } else if (level == LEVEL_PART) {
        module_activity(b, push_obj(b, add_arr(b, ca, "parent")), m, false);
        course_activity(b, push_obj(b, add_arr(b, ca, "grouping")), false);
    }
    profile_activity(b, push_obj(b, add_arr(b, ca, "category")));
    if (ctx->course->version) add_str(b, c, "revision", ctx->course->version);
    if (b->cfg->platform) {
        add_str(b, c, "platform", b->cfg->platform);
    } else {
#ifdef DH_VERSION
        add_str(b, c, "platform", "Drillhall " DH_VERSION);
#else
        add_str(b, c, "platform", "Drillhall");
#endif
    }
    add_str(b, c, "language", ctx->language ? ctx->language : b->deflang);
    if (b->cfg->kiosk_id || ctx->has_scenario_time) {
        cJSON *ext = add_obj(b, c, "extensions");
        if (b->cfg->kiosk_id) {
            dh_Buf k = {0};
            add_extension_key(b, &k, EXT_KIOSK);
            if (!k.oom) add_str(b, ext, dh_buf_str(&k), b->cfg->kiosk_id);
            else b->oom = true;
            dh_buf_free(&k);
        }
        if (ctx->has_scenario_time) {
            dh_Buf k = {0};
            add_extension_key(b, &k, EXT_SCENARIO_TIME);
            if (!k.oom) add_num(b, ext, dh_buf_str(&k), ctx->scenario_time_s);
            else b->oom = true;
            dh_buf_free(&k);
        }
    }
}

static dh_Status finish(Build *b, cJSON *st, dh_XapiStatement *out, dh_Error *err)
{
    if (b->oom) {
        cJSON_Delete(st);
        out->json = NULL;
        return dh_fail(err, DH_ENOMEM, "out of memory while building an xAPI statement");
    }
    out->json = st;
    return DH_OK;
}

static dh_Status begin(Build *b, dh_XapiStatement *out, const dh_XapiContext *ctx, dh_XapiVerb verb,
                       const dh_XapiResult *res, int64_t now_ms, dh_Error *err)
{
    DH_ASSERT(out && verb >= 0 && verb < DH_XAPI_VERB_COUNT);
    out->json = NULL;
    out->id[0] = '\0';
    dh_Status st = check_context(ctx, err);
    if (st == DH_OK) st = check_result(res, verb, err);
    if (st != DH_OK) return st;
    char ts[DH_XAPI_TIMESTAMP_LEN + 1];
    if (!dh_xapi_timestamp(ts, now_ms))
        return dh_fail(err, DH_EINVAL, "the clock reads %lld ms since 1970, which is not a usable time",
                       (long long)now_ms);
    *b = (Build){ctx, ctx->config, ctx->course->nlanguages > 0 ? ctx->course->languages[0] : "und", false};
    return DH_OK;
}

static void stamp(Build *b, cJSON *st, int64_t now_ms)
{
    char ts[DH_XAPI_TIMESTAMP_LEN + 1];
    dh_xapi_timestamp(ts, now_ms);
    add_str(b, st, "timestamp", ts);
    add_str(b, st, "version", DH_XAPI_VERSION);
}

static const dh_Module *ctx_module(const dh_XapiContext *ctx, dh_ModuleKind kind, bool any_kind)
{
    DH_ASSERT(ctx->module >= 0 && ctx->module < ctx->course->nmodules);
    const dh_Module *m = &ctx->course->modules[ctx->module];
    DH_ASSERT(any_kind || m->kind == kind);
    return m;
}

/* ---- course and module statements ------------------------------------------ */

static bool frame_verb(dh_XapiVerb v)
{
    return v != DH_XAPI_ANSWERED && v != DH_XAPI_INTERACTED && v != DH_XAPI_ACCEPTED;
}

dh_Status dh_xapi_course_statement(dh_XapiStatement *out, const dh_XapiContext *ctx, dh_XapiVerb verb,
                                   const dh_XapiResult *res, int64_t now_ms, dh_Error *err)
{
    DH_ASSERT(frame_verb(verb));
    Build b;
    dh_Status s = begin(&b, out, ctx, verb, res, now_ms, err);
    if (s != DH_OK) return s;
    cJSON *obj = NULL, *st = frame(&b, out, verb, now_ms, &obj);
    course_activity(&b, obj, true);
    add_result(&b, st, res, verb, NULL, NULL);
    add_context(&b, st, LEVEL_COURSE, NULL);
    stamp(&b, st, now_ms);
    return finish(&b, st, out, err);
}

dh_Status dh_xapi_module_statement(dh_XapiStatement *out, const dh_XapiContext *ctx, dh_XapiVerb verb,
                                   const dh_XapiResult *res, int64_t now_ms, dh_Error *err)
{
    DH_ASSERT(frame_verb(verb));
    Build b;
    dh_Status s = begin(&b, out, ctx, verb, res, now_ms, err);
    if (s != DH_OK) return s;
    const dh_Module *m = ctx_module(ctx, 0, true);
    cJSON *obj = NULL, *st = frame(&b, out, verb, now_ms, &obj);
    module_activity(&b, obj, m, true);
    add_result(&b, st, res, verb, NULL, NULL);
    add_context(&b, st, LEVEL_MODULE, m);
    stamp(&b, st, now_ms);
    return finish(&b, st, out, err);
}

/* ---- interactions ------------------------------------------------------------ */

/* A component {id, description} in list `arr`; desc may be NULL. */
static void component(Build *b, cJSON *arr, const char *id, cJSON *desc)
{
    cJSON *c = push_obj(b, arr);
    add_str(b, c, "id", id);
    attach(b, c, "description", desc);
}

static void sep(dh_Buf *p, const char *delim)
{
    if (p->n) dh_buf_puts(p, delim);
}

static void add_pattern(Build *b, cJSON *arr, dh_Buf *p)
{
    if (p->oom) b->oom = true;
    else push_str(b, arr, dh_buf_str(p));
    dh_buf_free(p);
}

/* A short answer as a fill-in literal, or false when the pattern has a
 * wildcard (xAPI patterns have none) or text the pattern syntax would
 * misread ("[,]" separates strings, a leading "{" opens a modifier). */
static bool literal_answer(dh_Buf *out, const char *pattern)
{
    if (pattern[0] == '{' || strstr(pattern, "[,]")) return false;
    for (const char *p = pattern; *p; p++) {
        if (*p == '*') return false;
        if (*p == '\\' && p[1]) p++;
        dh_buf_add(out, p, 1);
    }
    return true;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Indices as a sorted set: the order of ticks says nothing for a choice. */
static dh_Status index_set(int **out, int *n, const dh_XapiResponse *r, int limit, dh_Error *err)
{
    *out = NULL;
    *n = 0;
    if (!r || r->nitems <= 0) return DH_OK;
    int *v = dh_malloc(sizeof *v * (size_t)r->nitems);
    if (!v) return dh_fail(err, DH_ENOMEM, "out of memory while building an xAPI statement");
    int k = 0;
    for (int i = 0; i < r->nitems; i++) {
        if (r->items[i] < 0 || r->items[i] >= limit) {
            dh_free(v);
            return dh_fail(err, DH_EINVAL, "response item %d is not one of the question's %d options", r->items[i],
                           limit);
        }
        v[k++] = r->items[i];
    }
    qsort(v, (size_t)k, sizeof *v, cmp_int);
    int u = 0;
    for (int i = 0; i < k; i++)
        if (u == 0 || v[u - 1] != v[i]) v[u++] = v[i];
    *out = v;
    *n = u;
    return DH_OK;
}

static dh_Status check_items(const dh_XapiResponse *r, int count, int limit, bool allow_unset, dh_Error *err)
{
    if (!r || r->nitems == 0) return DH_OK;
    if (count >= 0 && r->nitems != count)
        return dh_fail(err, DH_EINVAL, "the response has %d entries but the question has %d", r->nitems, count);
    for (int i = 0; i < r->nitems; i++)
        if (!(r->items[i] >= 0 && r->items[i] < limit) && !(allow_unset && r->items[i] == -1))
            return dh_fail(err, DH_EINVAL, "response item %d is not one of the question's %d options", r->items[i],
                           limit);
    return DH_OK;
}

/* Everything needed to write one interaction; filled by type-specific code. */
typedef struct Interaction {
    cJSON *def;       /* the activity definition */
    dh_Buf response;     /* result.response */
    bool has_response;
    cJSON *result_ext; /* result.extensions, or NULL */
} Interaction;

static void choice_components(Build *b, cJSON *def, const dh_Question *q)
{
    cJSON *arr = add_arr(b, def, "choices");
    for (int i = 0; i < q->u.choice.nchoices; i++)
        component(b, arr, q->u.choice.choices[i].id, lang_map(b, &q->u.choice.choices[i].text, PLAIN_INLINE, 0));
}

/* The fraction a hottext span carries (0 when no answer names it). */
static double span_fraction(const dh_Question *q, const char *id)
{
    for (int i = 0; i < q->u.choice.nchoices; i++)
        if (!strcmp(q->u.choice.choices[i].id, id)) return q->u.choice.choices[i].fraction;
    return 0;
}

static bool span_seen(const dh_Question *q, int i)
{
    for (int j = 0; j < i; j++)
        if (!strcmp(q->u.choice.spans[j], q->u.choice.spans[i])) return true;
    return false;
}

/* {"<base>/xapi/extensions/clicks": [[x, y], ...]} */
static cJSON *clicks_extension(Build *b, const dh_XapiResponse *r)
{
    cJSON *ext = cJSON_CreateObject();
    cJSON *clicks = ext ? cJSON_CreateArray() : NULL;
    for (int i = 0; clicks && i < r->nclicks; i++) {
        cJSON *pt = cJSON_CreateDoubleArray(r->clicks + 2 * i, 2);
        if (!pt || !cJSON_AddItemToArray(clicks, pt)) {
            cJSON_Delete(pt);
            cJSON_Delete(clicks);
            clicks = NULL;
        }
    }
    dh_Buf k = {0};
    add_extension_key(b, &k, EXT_CLICKS);
    if (!clicks || k.oom) {
        b->oom = true;
        cJSON_Delete(clicks);
        cJSON_Delete(ext);
        dh_buf_free(&k);
        return NULL;
    }
    attach(b, ext, dh_buf_str(&k), clicks);
    dh_buf_free(&k);
    return ext;
}

static dh_Status interaction(Build *b, Interaction *it, const dh_Question *q, const dh_XapiResponse *r,
                             dh_Error *err)
{
    cJSON *def = it->def;
    cJSON *pat = NULL;
    dh_Buf *resp = &it->response;
    int *set = NULL, nset = 0;
    dh_Status st = DH_OK;
    char num[40], num2[40];

    switch (q->type) {
    case DH_QUESTION_SINGLE:
    case DH_QUESTION_MULTIPLE: {
        add_str(b, def, "interactionType", "choice");
        pat = add_arr(b, def, "correctResponsesPattern");
        if (q->type == DH_QUESTION_SINGLE) { /* each full-marks choice is a right answer */
            for (int i = 0; i < q->u.choice.nchoices; i++)
                if (FULL_MARKS(q->u.choice.choices[i].fraction)) push_str(b, pat, q->u.choice.choices[i].id);
        } else { /* the positive choices together make full marks (Moodle's rule) */
            dh_Buf p = {0};
            for (int i = 0; i < q->u.choice.nchoices; i++)
                if (q->u.choice.choices[i].fraction > 0) {
                    sep(&p, "[,]");
                    dh_buf_puts(&p, q->u.choice.choices[i].id);
                }
            add_pattern(b, pat, &p);
        }
        choice_components(b, def, q);
        if ((st = index_set(&set, &nset, r, q->u.choice.nchoices, err)) != DH_OK) break;
        if (r) {
            it->has_response = true;
            for (int i = 0; i < nset; i++) {
                sep(resp, "[,]");
                dh_buf_puts(resp, q->u.choice.choices[set[i]].id);
            }
        }
        break;
    }
    case DH_QUESTION_TRUEFALSE:
        add_str(b, def, "interactionType", "true-false");
        push_str(b, add_arr(b, def, "correctResponsesPattern"), q->u.truefalse.correct ? "true" : "false");
        if (r) {
            it->has_response = true;
            dh_buf_puts(resp, r->value ? "true" : "false");
        }
        break;
    case DH_QUESTION_SHORT: {
        add_str(b, def, "interactionType", "fill-in");
        cJSON *arr = cJSON_CreateArray();
        if (!arr) b->oom = true;
        for (int i = 0; arr && i < q->u.shortans.nanswers; i++) {
            const dh_ShortAnswer *a = &q->u.shortans.answers[i];
            if (!FULL_MARKS(a->fraction)) continue;
            for (int k = 0; k < a->pattern.count; k++) {
                dh_Buf p = {0}, lit = {0};
                if (!literal_answer(&lit, a->pattern.items[k].text) || lit.oom) {
                    if (lit.oom) b->oom = true;
                    dh_buf_free(&lit);
                    continue;
                }
                if (q->u.shortans.case_sensitive) dh_buf_puts(&p, "{case_matters=true}");
                if (a->pattern.items[k].lang) {
                    dh_buf_puts(&p, "{lang=");
                    dh_buf_puts(&p, a->pattern.items[k].lang);
                    dh_buf_puts(&p, "}");
                }
                dh_buf_puts(&p, dh_buf_str(&lit));
                dh_buf_free(&lit);
                add_pattern(b, arr, &p);
            }
        }
        /* No literal full-marks answer: the right response cannot be stated
         * in xAPI's syntax, so none is claimed (an empty list would claim
         * that no answer is right). */
        if (arr && arr->child) attach(b, def, "correctResponsesPattern", arr);
        else cJSON_Delete(arr);
        if (r && r->text) {
            /* Typed text is one fill-in string. The pattern syntax has no
             * escape, so "[,]" (which would split it in two) is written
             * "[ ,]" and a leading "{" (which would open a modifier) gets a
             * space before it: the record still reads as what was typed. */
            it->has_response = true;
            if (r->text[0] == '{') dh_buf_puts(resp, " ");
            for (const char *t = r->text; *t; t++) {
                if (t[0] == '[' && t[1] == ',' && t[2] == ']') {
                    dh_buf_puts(resp, "[ ,]");
                    t += 2;
                } else {
                    dh_buf_add(resp, t, 1);
                }
            }
        }
        break;
    }
    case DH_QUESTION_NUMERIC:
        add_str(b, def, "interactionType", "numeric");
        pat = add_arr(b, def, "correctResponsesPattern");
        for (int i = 0; i < q->u.numeric.nanswers; i++) {
            const dh_NumericAnswer *a = &q->u.numeric.answers[i];
            if (!FULL_MARKS(a->fraction)) continue;
            dh_Buf p = {0};
            if (a->tolerance > 0) {
                fmt_number(num, a->value - a->tolerance);
                fmt_number(num2, a->value + a->tolerance);
                dh_buf_puts(&p, num);
                dh_buf_puts(&p, "[:]");
                dh_buf_puts(&p, num2);
            } else {
                fmt_number(num, a->value);
                dh_buf_puts(&p, num);
            }
            add_pattern(b, pat, &p);
        }
        if (r && r->has_number) {
            if (!isfinite(r->number)) {
                st = dh_fail(err, DH_EINVAL, "a numeric response must be a finite number");
                break;
            }
            it->has_response = true;
            fmt_number(num, r->number);
            dh_buf_puts(resp, num);
        }
        break;
    case DH_QUESTION_MATCHING: {
        add_str(b, def, "interactionType", "matching");
        const dh_MatchPrompt *pr = q->u.matching.prompts;
        const dh_Item *an = q->u.matching.answers;
        dh_Buf p = {0};
        for (int i = 0; i < q->u.matching.nprompts; i++) {
            sep(&p, "[,]");
            dh_buf_puts(&p, pr[i].id);
            dh_buf_puts(&p, "[.]");
            dh_buf_puts(&p, an[pr[i].answer].id);
        }
        add_pattern(b, add_arr(b, def, "correctResponsesPattern"), &p);
        cJSON *src = add_arr(b, def, "source");
        for (int i = 0; i < q->u.matching.nprompts; i++)
            component(b, src, pr[i].id, lang_map(b, &pr[i].text, PLAIN_INLINE, 0));
        cJSON *tgt = add_arr(b, def, "target");
        for (int i = 0; i < q->u.matching.nanswers; i++)
            component(b, tgt, an[i].id, lang_map(b, &an[i].text, PLAIN_INLINE, 0));
        if ((st = check_items(r, q->u.matching.nprompts, q->u.matching.nanswers, true, err)) != DH_OK) break;
        if (r) {
            it->has_response = true;
            for (int i = 0; i < r->nitems; i++) {
                if (r->items[i] < 0) continue; /* a prompt left unmatched */
                sep(resp, "[,]");
                dh_buf_puts(resp, pr[i].id);
                dh_buf_puts(resp, "[.]");
                dh_buf_puts(resp, an[r->items[i]].id);
            }
        }
        break;
    }
    case DH_QUESTION_ORDERING: {
        add_str(b, def, "interactionType", "sequencing");
        const dh_Item *items = q->u.ordering.items;
        dh_Buf p = {0};
        for (int i = 0; i < q->u.ordering.nitems; i++) {
            sep(&p, "[,]");
            dh_buf_puts(&p, items[i].id);
        }
        add_pattern(b, add_arr(b, def, "correctResponsesPattern"), &p);
        cJSON *arr = add_arr(b, def, "choices");
        for (int i = 0; i < q->u.ordering.nitems; i++)
            component(b, arr, items[i].id, lang_map(b, &items[i].text, PLAIN_INLINE, 0));
        if ((st = check_items(r, -1, q->u.ordering.nitems, false, err)) != DH_OK) break;
        if (r) {
            it->has_response = true;
            for (int i = 0; i < r->nitems; i++) {
                sep(resp, "[,]");
                dh_buf_puts(resp, items[r->items[i]].id);
            }
        }
        break;
    }
    case DH_QUESTION_GAPSELECT: {
        /* Gaps are sources, the word choices targets: "gap2[.]5" says which
         * word went into which gap, which "choice" could not. */
        add_str(b, def, "interactionType", "matching");
        dh_Buf p = {0};
        for (int g = 0; g < q->u.gapselect.ngaps; g++) {
            snprintf(num, sizeof num, "gap%d[.]%d", g + 1, q->u.gapselect.gaps[g] + 1);
            sep(&p, "[,]");
            dh_buf_puts(&p, num);
        }
        add_pattern(b, add_arr(b, def, "correctResponsesPattern"), &p);
        cJSON *src = add_arr(b, def, "source");
        for (int g = 0; g < q->u.gapselect.ngaps; g++) {
            snprintf(num, sizeof num, "gap%d", g + 1);
            component(b, src, num, NULL);
        }
        cJSON *tgt = add_arr(b, def, "target");
        for (int i = 0; i < q->u.gapselect.nchoices; i++) {
            snprintf(num, sizeof num, "%d", i + 1);
            component(b, tgt, num, lang_map(b, &q->u.gapselect.choices[i].text, PLAIN_INLINE, 0));
        }
        if ((st = check_items(r, q->u.gapselect.ngaps, q->u.gapselect.nchoices, true, err)) != DH_OK) break;
        if (r) {
            it->has_response = true;
            for (int g = 0; g < r->nitems; g++) {
                if (r->items[g] < 0) continue; /* a gap left empty */
                snprintf(num, sizeof num, "gap%d[.]%d", g + 1, r->items[g] + 1);
                sep(resp, "[,]");
                dh_buf_puts(resp, num);
            }
        }
        break;
    }
    case DH_QUESTION_HOTTEXT: {
        add_str(b, def, "interactionType", "choice");
        dh_Buf p = {0};
        for (int i = 0; i < q->u.choice.nspans; i++)
            if (!span_seen(q, i) && span_fraction(q, q->u.choice.spans[i]) > 0) {
                sep(&p, "[,]");
                dh_buf_puts(&p, q->u.choice.spans[i]);
            }
        add_pattern(b, add_arr(b, def, "correctResponsesPattern"), &p);
        cJSON *arr = add_arr(b, def, "choices");
        for (int i = 0; i < q->u.choice.nspans; i++)
            if (!span_seen(q, i)) component(b, arr, q->u.choice.spans[i], span_map(b, &q->text, q->u.choice.spans[i]));
        if ((st = index_set(&set, &nset, r, q->u.choice.nspans, err)) != DH_OK) break;
        if (r) {
            it->has_response = true;
            for (int i = 0; i < nset; i++) {
                if (span_seen(q, set[i])) continue;
                sep(resp, "[,]");
                dh_buf_puts(resp, q->u.choice.spans[set[i]]);
            }
        }
        break;
    }
    case DH_QUESTION_HOTSPOT: {
        /* Regions are the choices: item statistics per region, and the
         * pattern says exactly which regions earn the marks. The raw clicks
         * go in a result extension for the review. */
        add_str(b, def, "interactionType", "choice");
        const dh_Region *rg = q->u.hotspot.regions;
        dh_Buf p = {0};
        for (int i = 0; i < q->u.hotspot.nregions; i++)
            if (rg[i].fraction > 0) {
                sep(&p, "[,]");
                dh_buf_puts(&p, rg[i].id);
            }
        add_pattern(b, add_arr(b, def, "correctResponsesPattern"), &p);
        cJSON *arr = add_arr(b, def, "choices");
        for (int i = 0; i < q->u.hotspot.nregions; i++) component(b, arr, rg[i].id, NULL);
        if ((st = index_set(&set, &nset, r, q->u.hotspot.nregions, err)) != DH_OK) break;
        if (r) {
            it->has_response = true;
            for (int i = 0; i < nset; i++) {
                sep(resp, "[,]");
                dh_buf_puts(resp, rg[set[i]].id);
            }
            if (r->nclicks > 0) {
                if (q->u.hotspot.max_clicks > 0 && r->nclicks > q->u.hotspot.max_clicks) {
                    st = dh_fail(err, DH_EINVAL, "the response has %d clicks but the question allows %d", r->nclicks,
                                 q->u.hotspot.max_clicks);
                    break;
                }
                for (int i = 0; i < 2 * r->nclicks; i++)
                    if (!isfinite(r->clicks[i])) {
                        st = dh_fail(err, DH_EINVAL, "a hotspot click must have finite coordinates");
                        break;
                    }
                if (st == DH_OK) it->result_ext = clicks_extension(b, r);
            }
        }
        break;
    }
    case DH_QUESTION_DESCRIPTION:
        DH_ASSERT(0 && "descriptions are refused before this");
        break;
    }
    dh_free(set);
    return st;
}

dh_Status dh_xapi_answered(dh_XapiStatement *out, const dh_XapiContext *ctx, const dh_Question *q,
                           const dh_XapiResponse *resp, const dh_XapiResult *res, int64_t now_ms, dh_Error *err)
{
    DH_ASSERT(q);
    Build b;
    dh_Status s = begin(&b, out, ctx, DH_XAPI_ANSWERED, res, now_ms, err);
    if (s != DH_OK) return s;
    if (q->type == DH_QUESTION_DESCRIPTION)
        return dh_fail(err, DH_EINVAL, "'%s' is a description: it takes no answer, so nothing was answered", q->id);
    const dh_Module *m = ctx_module(ctx, DH_MODULE_QUIZ, false);
    DH_ASSERT(m->u.quiz && q >= m->u.quiz->questions && q < m->u.quiz->questions + m->u.quiz->nquestions);

    cJSON *obj = NULL, *st = frame(&b, out, DH_XAPI_ANSWERED, now_ms, &obj);
    Plain mode = q->type == DH_QUESTION_GAPSELECT  ? PLAIN_GAPS
                 : q->type == DH_QUESTION_HOTTEXT ? PLAIN_SPANS
                                                  : PLAIN_INLINE;
    Interaction it = {0};
    it.def = activity(&b, obj, m->id, "questions", q->id, ADL_ACT "cmi.interaction", &q->text, mode);
    attach(&b, it.def, "description", lang_map(&b, &q->text, mode, 0));
    s = interaction(&b, &it, q, resp, err);
    if (s != DH_OK) {
        dh_buf_free(&it.response);
        cJSON_Delete(it.result_ext);
        cJSON_Delete(st);
        return s;
    }
    if (it.response.oom) b.oom = true;
    add_result(&b, st, res, DH_XAPI_ANSWERED, it.has_response && !it.response.oom ? dh_buf_str(&it.response) : NULL,
               it.result_ext);
    dh_buf_free(&it.response);
    add_context(&b, st, LEVEL_PART, m);
    stamp(&b, st, now_ms);
    return finish(&b, st, out, err);
}

/* ---- scenario decisions and acknowledgements ------------------------------- */

dh_Status dh_xapi_decision(dh_XapiStatement *out, const dh_XapiContext *ctx, const dh_Scenario *sc, int action,
                           int choice, const char *text, int64_t now_ms, dh_Error *err)
{
    DH_ASSERT(sc);
    Build b;
    dh_Status s = begin(&b, out, ctx, DH_XAPI_INTERACTED, NULL, now_ms, err);
    if (s != DH_OK) return s;
    const dh_Module *m = ctx_module(ctx, DH_MODULE_SCENARIO, false);
    if (action < 0 || action >= sc->nactions)
        return dh_fail(err, DH_EINVAL, "action %d is not one of the scenario's %d actions", action, sc->nactions);
    /* A choice taken directly is recorded as its parent with that response. */
    if (sc->actions[action].parent >= 0) {
        choice = action;
        action = sc->actions[action].parent;
    }
    const dh_Action *a = &sc->actions[action];
    const char *response = NULL;
    if (a->response == DH_RESPONSE_CHOICE && choice >= 0) {
        if (choice < a->first_choice || choice >= a->first_choice + a->nchoices)
            return dh_fail(err, DH_EINVAL, "'%s' is not one of the choices of action '%s'", sc->actions[choice].id,
                           a->id);
        response = sc->actions[choice].id;
    } else if (a->response == DH_RESPONSE_TEXT) {
        response = text;
    }

    cJSON *obj = NULL, *st = frame(&b, out, DH_XAPI_INTERACTED, now_ms, &obj);
    cJSON *def = activity(&b, obj, m->id, "actions", a->id, ADL_ACT "interaction", &a->label, PLAIN_INLINE);
    if (a->prompt.count) attach(&b, def, "description", lang_map(&b, &a->prompt, PLAIN_INLINE, 0));
    add_result(&b, st, NULL, DH_XAPI_INTERACTED, response, NULL);
    add_context(&b, st, LEVEL_PART, m);
    stamp(&b, st, now_ms);
    return finish(&b, st, out, err);
}

dh_Status dh_xapi_accepted(dh_XapiStatement *out, const dh_XapiContext *ctx, const dh_Block *block, int64_t now_ms,
                           dh_Error *err)
{
    DH_ASSERT(block && block->type == DH_BLOCK_ACKNOWLEDGE);
    Build b;
    dh_Status s = begin(&b, out, ctx, DH_XAPI_ACCEPTED, NULL, now_ms, err);
    if (s != DH_OK) return s;
    const dh_Module *m = ctx_module(ctx, DH_MODULE_LESSON, false);
    if (!block->id || !block->id[0])
        return dh_fail(err, DH_EINVAL, "the acknowledgement has no id, so its activity cannot be named");
    cJSON *obj = NULL, *st = frame(&b, out, DH_XAPI_ACCEPTED, now_ms, &obj);
    cJSON *def =
        activity(&b, obj, m->id, "acknowledgements", block->id, ADL_ACT "interaction", &block->text, PLAIN_INLINE);
    attach(&b, def, "description", lang_map(&b, &block->text, PLAIN_INLINE, 0));
    add_context(&b, st, LEVEL_PART, m);
    stamp(&b, st, now_ms);
    return finish(&b, st, out, err);
}

dh_Status dh_xapi_page_experienced(dh_XapiStatement *out, const dh_XapiContext *ctx, int page,
                                   int64_t now_ms, dh_Error *err)
{
    Build b;
    dh_Status s = begin(&b, out, ctx, DH_XAPI_EXPERIENCED, NULL, now_ms, err);
    if (s != DH_OK) return s;
    const dh_Module *m = ctx_module(ctx, DH_MODULE_LESSON, false);
    if (!m->u.lesson || page < 0 || page >= m->u.lesson->npages)
        return dh_fail(err, DH_EINVAL, "page %d is not a page of lesson '%s'", page + 1, m->id);
    const dh_Text *title = &m->u.lesson->pages[page].title;
    char num[16];
    snprintf(num, sizeof num, "%d", page + 1);
    cJSON *obj = NULL, *st = frame(&b, out, DH_XAPI_EXPERIENCED, now_ms, &obj);
    /* Pages are parts of the lesson smaller than a course: ADL's "module"
     * (the lesson itself is typed "lesson"). */
    activity(&b, obj, m->id, "pages", num, ADL_ACT "module", title->count ? title : NULL, PLAIN_INLINE);
    add_context(&b, st, LEVEL_PART, m);
    stamp(&b, st, now_ms);
    return finish(&b, st, out, err);
}

/* ---- output ---------------------------------------------------------------------- */

/* result.extensions of st, created (with result) when missing. */
static cJSON *result_extensions(Build *b, cJSON *root)
{
    cJSON *res = cJSON_GetObjectItemCaseSensitive(root, "result");
    if (!res) res = add_obj(b, root, "result");
    cJSON *ext = res ? cJSON_GetObjectItemCaseSensitive(res, "extensions") : NULL;
    if (!ext) ext = add_obj(b, res, "extensions");
    return ext;
}

/* Attach value under BASE + path in ext (value is consumed). */
static void add_ext(Build *b, cJSON *ext, const char *path, cJSON *value)
{
    dh_Buf k = {0};
    add_extension_key(b, &k, path);
    if (k.oom) {
        b->oom = true;
        cJSON_Delete(value);
    } else {
        attach(b, ext, dh_buf_str(&k), value);
    }
    dh_buf_free(&k);
}

dh_Status dh_xapi_add_review(dh_XapiStatement *st, const dh_XapiConfig *cfg, const dh_Review *v,
                             dh_Error *err)
{
    DH_ASSERT(st && st->json && cfg && v && v->s);
    Build b;
    memset(&b, 0, sizeof b);
    b.cfg = cfg;
    const dh_Scenario *s = v->s;
    cJSON *ext = result_extensions(&b, st->json);
    if (v->ending >= 0 && v->ending < s->nendings) {
        cJSON *e = cJSON_CreateString(s->endings[v->ending].id);
        if (!e) b.oom = true;
        add_ext(&b, ext, EXT_ENDING, e);
    }
    cJSON *objs = cJSON_CreateArray();
    if (!objs) b.oom = true;
    for (int i = 0; objs && i < v->nobjectives; i++) {
        const dh_ReviewObjective *o = &v->objectives[i];
        if (!o->applicable || o->objective < 0 || o->objective >= s->nobjectives) continue;
        cJSON *item = cJSON_CreateObject();
        if (!item || !cJSON_AddItemToArray(objs, item)) {
            cJSON_Delete(item);
            b.oom = true;
            break;
        }
        add_str(&b, item, "id", s->objectives[o->objective].id);
        add_num(&b, item, "score", o->score);
        add_num(&b, item, "points", o->points);
        add_num(&b, item, "possible", o->possible);
    }
    add_ext(&b, ext, EXT_OBJECTIVES, objs);
    cJSON *exps = cJSON_CreateArray();
    if (!exps) b.oom = true;
    for (int i = 0; exps && i < v->nexps; i++) {
        const dh_ReviewExp *x = &v->exps[i];
        if (x->expectation < 0 || x->expectation >= s->nexpectations) continue;
        cJSON *item = cJSON_CreateObject();
        if (!item || !cJSON_AddItemToArray(exps, item)) {
            cJSON_Delete(item);
            b.oom = true;
            break;
        }
        add_str(&b, item, "id", s->expectations[x->expectation].id);
        add_str(&b, item, "state", dh_exp_state_name(x->state));
    }
    add_ext(&b, ext, EXT_EXPECTATIONS, exps);
    if (b.oom) return dh_fail(err, DH_ENOMEM, "out of memory recording the exercise's review");
    return DH_OK;
}

void dh_xapi_statement_free(dh_XapiStatement *st)
{
    if (!st) return;
    cJSON_Delete(st->json);
    st->json = NULL;
}

char *dh_xapi_statement_text(const dh_XapiStatement *st)
{
    DH_ASSERT(st && st->json);
    char *t = cJSON_PrintUnformatted(st->json);
    if (!t) return NULL;
    char *copy = dh_strdup(t);
    cJSON_free(t);
    return copy;
}
