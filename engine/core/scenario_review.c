/* scenario_review: what a run leaves behind — the after-action review and
 * the saved run.
 *
 * The review gathers the timeline, each expectation's verdict, the cues of
 * the injects that fired (flagged as missed when an expectation counted from
 * that inject was not met: the trainee acted against what the cue warned
 * of) and the scores per objective by FORMAT.md's rule. Its JSON is written
 * by hand in a fixed member order with fixed number formats, so two equal
 * runs give equal bytes: that is what golden tests and replays compare. A
 * saved run is compact JSON too; restoring it checks every value against the
 * scenario (a blob for another scenario, or a damaged one, is refused with a
 * sentence, never trusted), because it comes back from a database.
 */
#include "scenario_engine.h"

#include "alloc.h"
#include "buf.h"
#include "i18n.h"
#include "scenario_engine_impl.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static dh_Status finish(dh_Buf *b, char **out, size_t *len, dh_Error *err)
{
    if (b->oom) {
        dh_free(b->p);
        return dh_fail(err, DH_ENOMEM, "out of memory writing the exercise record");
    }
    *out = b->p;
    if (len) *len = b->n;
    return DH_OK;
}

/* ---- the review ---- */

static bool applies(dh_ExpState st) { return st != DH_EXP_INACTIVE; }

dh_Status dh_run_review(const dh_Run *r, double mastery, dh_Review **out, dh_Error *err)
{
    const dh_Scenario *s = r->s;
    *out = NULL;
    dh_Review *v = dh_calloc(1, sizeof *v);
    int ncues = 0;
    for (int i = 0; i < s->ninjects; i++)
        if (r->inj_state[i] == DH_INJECT_FIRED) ncues += s->injects[i].content.ncues;
    if (v) {
        v->exps = dh_calloc((size_t)s->nexpectations + 1, sizeof *v->exps);
        v->cues = dh_calloc((size_t)ncues + 1, sizeof *v->cues);
        v->objectives = dh_calloc((size_t)s->nobjectives + 1, sizeof *v->objectives);
    }
    if (!v || !v->exps || !v->cues || !v->objectives) {
        dh_review_free(v);
        return dh_fail(err, DH_ENOMEM, "out of memory writing the after-action review");
    }
    v->s = s;
    v->ending = r->ending;
    v->end_s = r->now;
    v->timeline = r->tl;
    v->ntimeline = r->ntl;
    v->mastery = mastery;
    v->nexps = s->nexpectations;
    for (int i = 0; i < s->nexpectations; i++) {
        v->exps[i] = (dh_ReviewExp){i, (dh_ExpState)r->exp_state[i], r->exp_start[i], r->exp_at[i]};
    }
    for (int k = 0; k < r->ntl; k++) {
        if (r->tl[k].kind != DH_EVENT_INJECT) continue;
        int inj = r->tl[k].index;
        bool missed = false;
        for (int i = 0; i < s->nexpectations; i++)
            if (s->expectations[i].from == inj && applies(v->exps[i].state) &&
                v->exps[i].state != DH_EXP_MET && v->exps[i].state != DH_EXP_PENDING)
                missed = true;
        for (int c = 0; c < s->injects[inj].content.ncues; c++)
            v->cues[v->ncues++] = (dh_ReviewCue){inj, c, missed};
    }
    /* Objectives in document order, then the group of expectations without one. */
    bool loose = false;
    for (int i = 0; i < s->nexpectations; i++)
        if (s->expectations[i].objective < 0) loose = true;
    v->nobjectives = s->nobjectives + (loose ? 1 : 0);
    for (int o = 0; o < v->nobjectives; o++) {
        dh_ReviewObjective *ro = &v->objectives[o];
        ro->objective = o < s->nobjectives ? o : -1;
        for (int i = 0; i < s->nexpectations; i++) {
            const dh_Expectation *x = &s->expectations[i];
            if (x->objective != ro->objective || !applies(v->exps[i].state)) continue;
            ro->possible += x->score;
            if (v->exps[i].state == DH_EXP_MET) ro->points += x->score;
        }
        ro->applicable = ro->possible > 0;
        ro->score = ro->applicable ? ro->points / ro->possible : 0;
    }
    double sum = 0, weights = 0;
    for (int o = 0; o < v->nobjectives; o++) {
        const dh_ReviewObjective *ro = &v->objectives[o];
        if (!ro->applicable) continue;
        double w = ro->objective >= 0 ? s->objectives[ro->objective].weight : 1.0;
        sum += w * ro->score;
        weights += w;
    }
    v->scored = weights > 0;
    v->score = v->scored ? sum / weights : 0;
    /* Nothing to judge: finishing the exercise is all it asks. */
    v->passed = r->state == DH_RUN_ENDED && (!v->scored || v->score >= mastery);
    *out = v;
    return DH_OK;
}

void dh_review_free(dh_Review *v)
{
    if (!v) return;
    dh_free(v->exps);
    dh_free(v->cues);
    dh_free(v->objectives);
    dh_free(v);
}

const char *dh_exp_state_name(dh_ExpState st)
{
    switch (st) {
    case DH_EXP_INACTIVE: return "not-applicable";
    case DH_EXP_PENDING: return "pending";
    case DH_EXP_MET: return "met";
    case DH_EXP_PARTLY: return "partly-met";
    case DH_EXP_MISSED: return "missed";
    case DH_EXP_EXPIRED: return "expired";
    }
    return "?";
}

/* A localized text, or null when absent. */
static void puttext(dh_Buf *b, const dh_Text *t, const char *lang)
{
    dh_buf_json_string(b, t->count ? dh_text_get(t, lang, lang) : NULL);
}

/* Scores as fixed-point text: identical bytes on every run. */
static void putscore(dh_Buf *b, double x) { dh_buf_printf(b, "%.6f", x); }

dh_Status dh_review_json(const dh_Review *v, const char *lang, char **out, size_t *len,
                         dh_Error *err)
{
    const dh_Scenario *s = v->s;
    dh_Buf b = {0};
    const dh_Ending *end = v->ending >= 0 ? &s->endings[v->ending] : NULL;
    dh_buf_puts(&b, "{\"ending\":");
    dh_buf_json_string(&b, end ? end->id : NULL);
    dh_buf_puts(&b, ",\"outcome\":");
    dh_buf_json_string(&b, end ? dh_outcome_name(end->outcome) : NULL);
    dh_buf_puts(&b, ",\"title\":");
    if (end) puttext(&b, &end->title, lang);
    else dh_buf_puts(&b, "null");
    dh_buf_puts(&b, ",\"text\":");
    if (end) puttext(&b, &end->text, lang);
    else dh_buf_puts(&b, "null");
    dh_buf_printf(&b, ",\"end_s\":%lld,\"score\":", (long long)v->end_s);
    putscore(&b, v->score);
    dh_buf_printf(&b, ",\"scored\":%s,\"mastery\":", v->scored ? "true" : "false");
    putscore(&b, v->mastery);
    dh_buf_printf(&b, ",\"passed\":%s,\"timeline\":[", v->passed ? "true" : "false");
    for (int k = 0; k < v->ntimeline; k++) {
        const dh_RunEvent *e = &v->timeline[k];
        dh_buf_printf(&b, "%s{\"t\":%lld,", k ? "," : "", (long long)e->t);
        if (e->kind == DH_EVENT_INJECT) {
            const dh_Inject *in = &s->injects[e->index];
            dh_buf_puts(&b, "\"inject\":");
            dh_buf_json_string(&b, in->id);
            dh_buf_puts(&b, ",\"channel\":");
            dh_buf_json_string(&b, dh_channel_name(in->channel));
        } else if (e->kind == DH_EVENT_ACTION) {
            const dh_Action *a = &s->actions[e->index];
            dh_buf_puts(&b, "\"action\":");
            dh_buf_json_string(&b, a->id);
            dh_buf_puts(&b, ",\"label\":");
            puttext(&b, &a->label, lang);
            dh_buf_puts(&b, ",\"choice\":");
            dh_buf_json_string(&b, e->choice >= 0 ? s->actions[e->choice].id : NULL);
            dh_buf_puts(&b, ",\"answer\":");
            dh_buf_json_string(&b, e->text);
        } else {
            dh_buf_puts(&b, "\"ending\":");
            dh_buf_json_string(&b, e->index >= 0 ? s->endings[e->index].id : NULL);
        }
        dh_buf_puts(&b, "}");
    }
    dh_buf_puts(&b, "],\"expectations\":[");
    for (int i = 0; i < v->nexps; i++) {
        const dh_Expectation *x = &s->expectations[v->exps[i].expectation];
        dh_buf_puts(&b, i ? ",{\"id\":" : "{\"id\":");
        dh_buf_json_string(&b, x->id);
        dh_buf_puts(&b, ",\"state\":");
        dh_buf_json_string(&b, dh_exp_state_name(v->exps[i].state));
        dh_buf_printf(&b, ",\"start_s\":%lld,\"at_s\":%lld,\"score\":", (long long)v->exps[i].start_s,
             (long long)v->exps[i].at_s);
        putscore(&b, x->score);
        dh_buf_puts(&b, ",\"objective\":");
        dh_buf_json_string(&b, x->objective >= 0 ? s->objectives[x->objective].id : NULL);
        dh_buf_puts(&b, ",\"text\":");
        puttext(&b, &x->text, lang);
        dh_buf_puts(&b, ",\"debrief\":");
        puttext(&b, &x->debrief, lang);
        dh_buf_puts(&b, "}");
    }
    dh_buf_puts(&b, "],\"cues\":[");
    for (int i = 0; i < v->ncues; i++) {
        const dh_Inject *in = &s->injects[v->cues[i].inject];
        const dh_Cue *c = &in->content.cues[v->cues[i].cue];
        dh_buf_puts(&b, i ? ",{\"inject\":" : "{\"inject\":");
        dh_buf_json_string(&b, in->id);
        dh_buf_puts(&b, ",\"cue\":");
        dh_buf_json_string(&b, c->id);
        dh_buf_puts(&b, ",\"field\":");
        dh_buf_json_string(&b, c->field);
        dh_buf_printf(&b, ",\"missed\":%s,\"text\":", v->cues[i].missed ? "true" : "false");
        puttext(&b, &c->text, lang);
        dh_buf_puts(&b, "}");
    }
    dh_buf_puts(&b, "],\"objectives\":[");
    for (int o = 0; o < v->nobjectives; o++) {
        const dh_ReviewObjective *ro = &v->objectives[o];
        const dh_Objective *ob = ro->objective >= 0 ? &s->objectives[ro->objective] : NULL;
        dh_buf_puts(&b, o ? ",{\"id\":" : "{\"id\":");
        dh_buf_json_string(&b, ob ? ob->id : NULL);
        dh_buf_puts(&b, ",\"text\":");
        if (ob) puttext(&b, &ob->text, lang);
        else dh_buf_puts(&b, "null");
        dh_buf_puts(&b, ",\"weight\":");
        putscore(&b, ob ? ob->weight : 1.0);
        dh_buf_puts(&b, ",\"points\":");
        putscore(&b, ro->points);
        dh_buf_puts(&b, ",\"possible\":");
        putscore(&b, ro->possible);
        dh_buf_puts(&b, ",\"score\":");
        putscore(&b, ro->score);
        dh_buf_printf(&b, ",\"applicable\":%s}", ro->applicable ? "true" : "false");
    }
    dh_buf_puts(&b, "],\"summary\":");
    puttext(&b, &s->debrief.summary, lang);
    dh_buf_puts(&b, ",\"discussion\":[");
    for (int i = 0; i < s->debrief.ndiscussion; i++) {
        if (i) dh_buf_puts(&b, ",");
        puttext(&b, &s->debrief.discussion[i], lang);
    }
    dh_buf_puts(&b, "]}");
    return finish(&b, out, len, err);
}

/* ---- save and restore ---- */

#define RUN_FORMAT 1

dh_Status dh_run_save(const dh_Run *r, char **out, size_t *len, dh_Error *err)
{
    const dh_Scenario *s = r->s;
    dh_Buf b = {0};
    dh_buf_printf(&b, "{\"drillhall-run\":%d,\"scenario\":\"%08x\",\"seed\":%lu,\"state\":%d,", RUN_FORMAT,
         (unsigned)dh_run_fingerprint(s), (unsigned long)r->seed, (int)r->state);
    dh_buf_printf(&b, "\"now\":%lld,\"frac_us\":%lld,\"ending\":%d,\"steps\":%ld,\"error\":",
         (long long)r->now, (long long)r->frac_us, r->ending, r->step_limit);
    dh_buf_json_string(&b, r->state == DH_RUN_FAILED ? r->error.msg : NULL);
    /* Variables as strings: 64-bit values do not survive a JSON double. */
    dh_buf_puts(&b, ",\"vars\":[");
    for (int i = 0; i < s->env.nvars; i++) dh_buf_printf(&b, "%s\"%lld\"", i ? "," : "", (long long)r->vars[i]);
    dh_buf_puts(&b, "],\"injects\":[");
    for (int i = 0; i < s->ninjects; i++)
        dh_buf_printf(&b, "%s%d,%lld", i ? "," : "", r->inj_state[i], (long long)r->inj_time[i]);
    dh_buf_puts(&b, "],\"chosen\":\"");
    for (int i = 0; i < s->nactions; i++) dh_buf_add(&b, r->chosen[i] ? "1" : "0", 1);
    dh_buf_puts(&b, "\",\"expectations\":[");
    for (int i = 0; i < s->nexpectations; i++)
        dh_buf_printf(&b, "%s%d,%lld,%lld", i ? "," : "", r->exp_state[i], (long long)r->exp_start[i],
             (long long)r->exp_at[i]);
    dh_buf_puts(&b, "],\"timeline\":[");
    for (int k = 0; k < r->ntl; k++) {
        const dh_RunEvent *e = &r->tl[k];
        dh_buf_printf(&b, "%s[%lld,%d,%d,%d", k ? "," : "", (long long)e->t, (int)e->kind, e->index, e->choice);
        if (e->text) {
            dh_buf_puts(&b, ",");
            dh_buf_json_string(&b, e->text);
        }
        dh_buf_puts(&b, "]");
    }
    dh_buf_puts(&b, "]}");
    return finish(&b, out, len, err);
}

static dh_Status bad(dh_Error *err, const char *what)
{
    return dh_fail(err, DH_EFORMAT, "the saved exercise cannot be resumed: %s", what);
}

/* A whole number in [lo, hi] from a JSON number. */
static bool num(const cJSON *j, double lo, double hi, int64_t *out)
{
    if (!cJSON_IsNumber(j)) return false;
    double d = j->valuedouble;
    if (!(d >= lo && d <= hi) || d != floor(d)) return false;
    *out = (int64_t)d;
    return true;
}

static bool member(const cJSON *root, const char *name, double lo, double hi, int64_t *out)
{
    return num(cJSON_GetObjectItemCaseSensitive(root, name), lo, hi, out);
}

static const cJSON *array_of(const cJSON *root, const char *name, int n)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, name);
    return cJSON_IsArray(a) && cJSON_GetArraySize(a) == n ? a : NULL;
}

static dh_Status restore_into(dh_Run *r, const cJSON *root, dh_Error *err)
{
    const dh_Scenario *s = r->s;
    const double T = (double)DH_RUN_MAX_TIME;
    int64_t v, st, now, frac, ending, steps;
    if (!member(root, "drillhall-run", RUN_FORMAT, RUN_FORMAT, &v))
        return bad(err, "it is not a saved exercise of this version");
    const cJSON *fp = cJSON_GetObjectItemCaseSensitive(root, "scenario");
    char want[16];
    snprintf(want, sizeof want, "%08x", (unsigned)dh_run_fingerprint(s));
    if (!cJSON_IsString(fp) || strcmp(fp->valuestring, want) != 0)
        return bad(err, "it was saved from a different version of this exercise");
    if (!member(root, "seed", 0, 4294967295.0, &v) || (uint32_t)v != r->seed)
        return bad(err, "its seed does not match");
    if (!member(root, "state", 0, 2, &st) || !member(root, "now", 0, T, &now) ||
        !member(root, "frac_us", 0, 999999, &frac) ||
        !member(root, "ending", -1, s->nendings - 1, &ending) ||
        !member(root, "steps", 1, 2147483647.0, &steps))
        return bad(err, "its clock or state is damaged");
    if (st != DH_RUN_ENDED && ending >= 0) return bad(err, "its ending does not match its state");
    r->state = (dh_RunState)st;
    r->now = now;
    r->frac_us = frac;
    r->ending = (int)ending;
    r->step_limit = (long)steps;
    if (st == DH_RUN_FAILED) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
        dh_fail(&r->error, DH_ELIMIT, "%s", cJSON_IsString(e) ? e->valuestring : "stopped");
    }
    const cJSON *a = array_of(root, "vars", s->env.nvars), *it;
    if (!a) return bad(err, "its variables do not fit the exercise");
    int i = 0;
    cJSON_ArrayForEach(it, a) {
        const dh_VarDecl *d = &s->env.vars[i];
        char *end = NULL;
        if (!cJSON_IsString(it) || !it->valuestring[0]) return bad(err, "a variable is damaged");
        long long x = strtoll(it->valuestring, &end, 10);
        if (*end || (d->type == DH_VAR_BOOL && x != 0 && x != 1) ||
            (d->type == DH_VAR_ENUM && (x < 0 || x >= d->nvalues)))
            return bad(err, "a variable holds a value that does not fit its type");
        r->vars[i++] = x;
    }
    a = array_of(root, "injects", 2 * s->ninjects);
    if (!a) return bad(err, "its injects do not fit the exercise");
    i = 0;
    r->nfired = 0;
    for (it = a->child; it; it = it->next->next, i++) {
        int64_t is, t;
        if (!num(it, 0, DH_INJECT_DROPPED, &is) || !num(it->next, -1, T, &t))
            return bad(err, "an inject's state is damaged");
        bool timed = is == DH_INJECT_FIRED || is == DH_INJECT_PENDING;
        if (timed != (t >= 0) || (is == DH_INJECT_FIRED && t > now) ||
            (is == DH_INJECT_PENDING && t < now))
            return bad(err, "an inject's time does not fit its state");
        r->inj_state[i] = (uint8_t)is;
        r->inj_time[i] = t;
        r->visited[i] = is == DH_INJECT_FIRED;
        r->nfired += r->visited[i];
    }
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(root, "chosen");
    if (!cJSON_IsString(ch) || strlen(ch->valuestring) != (size_t)s->nactions ||
        strspn(ch->valuestring, "01") != (size_t)s->nactions)
        return bad(err, "its actions do not fit the exercise");
    for (i = 0; i < s->nactions; i++) r->chosen[i] = ch->valuestring[i] == '1';
    a = array_of(root, "expectations", 3 * s->nexpectations);
    if (!a) return bad(err, "its expectations do not fit the exercise");
    i = 0;
    for (it = a->child; it; it = it->next->next->next, i++) {
        int64_t xs, start, at;
        if (!num(it, 0, DH_EXP_EXPIRED, &xs) || !num(it->next, -1, T, &start) ||
            !num(it->next->next, -1, T, &at) || (xs != DH_EXP_INACTIVE) != (start >= 0))
            return bad(err, "an expectation's state is damaged");
        r->exp_state[i] = (uint8_t)xs;
        r->exp_start[i] = start;
        r->exp_at[i] = at;
    }
    /* A run still playing has processed everything due up to now (else
     * advancing it would go back in time). */
    if (st == DH_RUN_PLAYING) {
        if (s->clock.limit_s > 0 && now >= s->clock.limit_s)
            return bad(err, "its clock is past the end of the exercise");
        for (i = 0; i < s->ninjects; i++)
            if (r->inj_state[i] == DH_INJECT_PENDING && r->inj_time[i] <= now)
                return bad(err, "an inject is overdue");
    }
    a = cJSON_GetObjectItemCaseSensitive(root, "timeline");
    if (!cJSON_IsArray(a)) return bad(err, "its timeline is damaged");
    int n = cJSON_GetArraySize(a);
    if (n > r->captl) {
        dh_RunEvent *tl = dh_realloc(r->tl, (size_t)n * sizeof *tl);
        if (!tl) return dh_fail(err, DH_ENOMEM, "out of memory resuming the exercise");
        r->tl = tl;
        r->captl = n;
    }
    cJSON_ArrayForEach(it, a) {
        int64_t t, kind, index, choice;
        int sz = cJSON_GetArraySize(it);
        if (!cJSON_IsArray(it) || (sz != 4 && sz != 5) || !num(cJSON_GetArrayItem(it, 0), 0, now, &t) ||
            !num(cJSON_GetArrayItem(it, 1), 0, DH_EVENT_END, &kind) ||
            !num(cJSON_GetArrayItem(it, 2), -1, 2147483647.0, &index) ||
            !num(cJSON_GetArrayItem(it, 3), -1, s->nactions - 1, &choice))
            return bad(err, "an entry of its timeline is damaged");
        int lim = kind == DH_EVENT_INJECT ? s->ninjects : kind == DH_EVENT_ACTION ? s->nactions
                                                                                  : s->nendings;
        const cJSON *text = cJSON_GetArrayItem(it, 4);
        if (index >= lim || (index < 0 && kind != DH_EVENT_END) ||
            (choice >= 0 && kind != DH_EVENT_ACTION) || (text && !cJSON_IsString(text)) ||
            (text && kind != DH_EVENT_ACTION))
            return bad(err, "an entry of its timeline names nothing in the exercise");
        char *copy = text ? dh_strdup(text->valuestring) : NULL;
        if (text && !copy) return dh_fail(err, DH_ENOMEM, "out of memory resuming the exercise");
        r->tl[r->ntl++] = (dh_RunEvent){t, (dh_EventKind)kind, (int)index, (int)choice, copy};
    }
    return DH_OK;
}

dh_Status dh_run_restore(dh_Run **out, const dh_Scenario *s, const char *json, size_t len,
                         dh_Error *err)
{
    *out = NULL;
    long failures = dh_alloc_failures();
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) {
        /* cJSON reports running out of memory and bad text alike */
        if (dh_alloc_failures() != failures)
            return dh_fail(err, DH_ENOMEM, "out of memory resuming the exercise");
        return bad(err, "it is not valid JSON");
    }
    int64_t seed;
    if (!cJSON_IsObject(root) || !member(root, "seed", 0, 4294967295.0, &seed)) {
        cJSON_Delete(root);
        return bad(err, "it is not a saved exercise");
    }
    dh_Run *r;
    dh_Status st = dh_run_alloc(&r, s, (uint32_t)seed, err);
    if (st == DH_OK) st = restore_into(r, root, err);
    cJSON_Delete(root);
    if (st != DH_OK) {
        dh_run_free(r);
        return st;
    }
    *out = r;
    return DH_OK;
}
