/* scenario_engine: the rules of play — when injects fire, which actions are
 * offered, what effects do, how expectations are judged and how it ends.
 *
 * Everything happens at whole scenario seconds. After every event (an
 * inject firing, an action, the clock reaching a due time) the run "settles":
 * expectations are re-judged, the endings are tried in order, then the first
 * due inject (earliest time, then document order) fires or is dropped by its
 * guard, then the first `when`-triggered inject whose condition holds fires;
 * and again until nothing changes. Each inject fires at most once, so a
 * settle is short; a step limit still stops a pathological scenario with a
 * clear error rather than a hang. Windows are inclusive: something done at
 * exactly start + within_s is in time, so a window closes only when the
 * clock moves past its last second (after that second's events).
 */
#include "scenario_engine.h"

#include "alloc.h"
#include "scenario_engine_impl.h"

#include <limits.h>
#include <math.h>
#include <string.h>

uint32_t dh_run_fingerprint(const dh_Scenario *s)
{
    uint32_t h = 2166136261u;
    const char *names[6] = {"v", "i", "a", "x", "e", "o"};
    int counts[6] = {s->env.nvars, s->ninjects, s->nactions, s->nexpectations, s->nendings,
                     s->nobjectives};
    for (int k = 0; k < 6; k++) {
        for (int i = 0; i < counts[k]; i++) {
            const char *id = k == 0   ? s->env.vars[i].name
                             : k == 1 ? s->injects[i].id
                             : k == 2 ? s->actions[i].id
                             : k == 3 ? s->expectations[i].id
                             : k == 4 ? s->endings[i].id
                                      : s->objectives[i].id;
            for (const char *p = names[k]; *p; p++) h = (h ^ (uint8_t)*p) * 16777619u;
            for (const char *p = id ? id : ""; *p; p++) h = (h ^ (uint8_t)*p) * 16777619u;
            h = (h ^ 0xffu) * 16777619u;
        }
    }
    return h;
}

static void note_elapsed(void *ud, const dh_Expr *leaf)
{
    if (leaf->op == DH_EX_ELAPSED) *(bool *)ud = true;
}

static bool reads_elapsed(const dh_Scenario *s)
{
    bool any = false;
    for (int i = 0; i < s->ninjects; i++)
        if (s->injects[i].when) dh_expr_refs(s->injects[i].when, note_elapsed, &any);
    for (int i = 0; i < s->nexpectations; i++)
        if (s->expectations[i].when) dh_expr_refs(s->expectations[i].when, note_elapsed, &any);
    for (int i = 0; i < s->nendings; i++)
        if (s->endings[i].when) dh_expr_refs(s->endings[i].when, note_elapsed, &any);
    return any;
}

dh_Status dh_run_alloc(dh_Run **out, const dh_Scenario *s, uint32_t seed, dh_Error *err)
{
    *out = NULL;
    dh_Run *r = dh_calloc(1, sizeof *r);
    if (!r) return dh_fail(err, DH_ENOMEM, "out of memory starting the exercise");
    r->s = s;
    r->seed = seed;
    r->step_limit = DH_RUN_MAX_STEPS;
    r->ending = -1;
    size_t nv = (size_t)s->env.nvars + 1, ni = (size_t)s->ninjects + 1;
    size_t na = (size_t)s->nactions + 1, nx = (size_t)s->nexpectations + 1;
    r->vars = dh_calloc(nv, sizeof *r->vars);
    r->inj_state = dh_calloc(ni, 1);
    r->inj_time = dh_calloc(ni, sizeof *r->inj_time);
    r->visited = dh_calloc(ni, sizeof *r->visited);
    r->chosen = dh_calloc(na, sizeof *r->chosen);
    r->exp_state = dh_calloc(nx, 1);
    r->exp_start = dh_calloc(nx, sizeof *r->exp_start);
    r->exp_at = dh_calloc(nx, sizeof *r->exp_at);
    r->captl = s->ninjects + 8;
    r->tl = dh_calloc((size_t)r->captl, sizeof *r->tl);
    if (!r->vars || !r->inj_state || !r->inj_time || !r->visited || !r->chosen ||
        !r->exp_state || !r->exp_start || !r->exp_at || !r->tl) {
        dh_run_free(r);
        return dh_fail(err, DH_ENOMEM, "out of memory starting the exercise");
    }
    for (int i = 0; i < s->env.nvars; i++) r->vars[i] = s->initial[i];
    for (int i = 0; i < s->ninjects; i++) r->inj_time[i] = -1;
    for (int i = 0; i < s->nexpectations; i++) r->exp_start[i] = r->exp_at[i] = -1;
    r->uses_elapsed = reads_elapsed(s);
    *out = r;
    return DH_OK;
}

void dh_run_free(dh_Run *r)
{
    if (!r) return;
    for (int i = 0; i < r->ntl; i++) dh_free(r->tl[i].text);
    dh_free(r->tl);
    dh_free(r->vars);
    dh_free(r->inj_state);
    dh_free(r->inj_time);
    dh_free(r->visited);
    dh_free(r->chosen);
    dh_free(r->exp_state);
    dh_free(r->exp_start);
    dh_free(r->exp_at);
    dh_free(r);
}

void dh_run_set_step_limit(dh_Run *r, long n)
{
    DH_ASSERT(n >= 1);
    r->step_limit = n;
}

static dh_ExprState expr_state(const dh_Run *r)
{
    dh_ExprState st = {r->vars, r->visited, r->chosen, r->now};
    return st;
}

static bool holds(const dh_Run *r, const dh_Expr *e)
{
    dh_ExprState st = expr_state(r);
    return dh_expr_test(e, &st);
}

/* Room for everything one call can append: an action, an ending and every
 * inject not fired yet. Reserved before anything changes, so running out of
 * memory never leaves a half-applied event. */
static dh_Status reserve(dh_Run *r, dh_Error *err)
{
    int need = r->ntl + (r->s->ninjects - r->nfired) + 2;
    if (need <= r->captl) return DH_OK;
    int cap = r->captl * 2 > need ? r->captl * 2 : need;
    dh_RunEvent *tl = dh_realloc(r->tl, (size_t)cap * sizeof *tl);
    if (!tl) return dh_fail(err, DH_ENOMEM, "out of memory recording the exercise");
    r->tl = tl;
    r->captl = cap;
    return DH_OK;
}

static void append(dh_Run *r, dh_EventKind kind, int index, int choice, char *text)
{
    DH_ASSERT(r->ntl < r->captl);
    dh_RunEvent *e = &r->tl[r->ntl++];
    e->t = r->now;
    e->kind = kind;
    e->index = index;
    e->choice = choice;
    e->text = text;
}

/* ---- expectations ---- */

static int64_t window_end(const dh_Expectation *x, int64_t start)
{
    return x->within_s > 0 ? start + x->within_s : INT64_MAX;
}

static bool exp_holds(const dh_Run *r, const dh_Expectation *x)
{
    if (x->action >= 0) return r->chosen[x->action];
    return x->when ? holds(r, x->when) : false;
}

static void exp_set(dh_Run *r, int i, dh_ExpState st, int64_t at)
{
    r->exp_state[i] = (uint8_t)st;
    r->exp_at[i] = at;
}

/* Open the windows that count from inject `from` (-1: the start). */
static void exp_open(dh_Run *r, int from)
{
    for (int i = 0; i < r->s->nexpectations; i++) {
        if (r->s->expectations[i].from != from || r->exp_state[i] != DH_EXP_INACTIVE) continue;
        r->exp_state[i] = DH_EXP_PENDING;
        r->exp_start[i] = r->now;
    }
}

/* Judge every open window against the state right now. */
static void exp_check(dh_Run *r)
{
    for (int i = 0; i < r->s->nexpectations; i++) {
        const dh_Expectation *x = &r->s->expectations[i];
        if (r->exp_state[i] == DH_EXP_PENDING) {
            bool h = exp_holds(r, x);
            if (x->keep && !h) exp_set(r, i, DH_EXP_MISSED, r->now);
            else if (!x->keep && h) exp_set(r, i, DH_EXP_MET, r->now);
        } else if (r->exp_state[i] == DH_EXP_MISSED && !x->keep && exp_holds(r, x)) {
            exp_set(r, i, DH_EXP_PARTLY, r->now);
        }
    }
}

/* The clock is about to move to t: windows whose last second is before t
 * close (a kept condition held all through; anything else was missed). */
static void exp_close(dh_Run *r, int64_t t)
{
    for (int i = 0; i < r->s->nexpectations; i++) {
        const dh_Expectation *x = &r->s->expectations[i];
        if (r->exp_state[i] != DH_EXP_PENDING) continue;
        int64_t end = window_end(x, r->exp_start[i]);
        if (end < t) exp_set(r, i, x->keep ? DH_EXP_MET : DH_EXP_MISSED, end);
    }
}

/* The exercise ended: open windows are judged as they stand. */
static void exp_finish(dh_Run *r)
{
    for (int i = 0; i < r->s->nexpectations; i++) {
        const dh_Expectation *x = &r->s->expectations[i];
        if (r->exp_state[i] != DH_EXP_PENDING) continue;
        if (x->keep) exp_set(r, i, DH_EXP_MET, r->now);
        else if (x->within_s > 0) exp_set(r, i, DH_EXP_EXPIRED, r->now);
        else exp_set(r, i, DH_EXP_MISSED, r->now);
    }
}

/* ---- injects and endings ---- */

static void end_run(dh_Run *r, int ending)
{
    r->ending = ending;
    append(r, DH_EVENT_END, ending, -1, NULL);
    r->state = DH_RUN_ENDED;
    exp_finish(r);
}

static bool try_endings(dh_Run *r)
{
    for (int i = 0; i < r->s->nendings; i++) {
        const dh_Ending *e = &r->s->endings[i];
        if (e->when && holds(r, e->when)) {
            end_run(r, i);
            return true;
        }
    }
    return false;
}

static void schedule(dh_Run *r, int i, int64_t t)
{
    uint8_t st = r->inj_state[i];
    if (st == DH_INJECT_IDLE || (st == DH_INJECT_PENDING && t < r->inj_time[i])) {
        r->inj_state[i] = DH_INJECT_PENDING;
        r->inj_time[i] = t;
    }
}

static void fire(dh_Run *r, int i)
{
    r->inj_state[i] = DH_INJECT_FIRED;
    r->inj_time[i] = r->now;
    r->visited[i] = true;
    r->nfired++;
    append(r, DH_EVENT_INJECT, i, -1, NULL);
    exp_open(r, i);
    for (int j = 0; j < r->s->ninjects; j++) {
        const dh_Inject *in = &r->s->injects[j];
        if (in->trigger == DH_TRIGGER_AFTER && in->after == i) schedule(r, j, r->now + in->delay_s);
    }
}

/* The due inject to process first: earliest time, then document order. */
static int next_due(const dh_Run *r)
{
    int best = -1;
    for (int i = 0; i < r->s->ninjects; i++) {
        if (r->inj_state[i] != DH_INJECT_PENDING || r->inj_time[i] > r->now) continue;
        if (best < 0 || r->inj_time[i] < r->inj_time[best]) best = i;
    }
    return best;
}

static int next_when(const dh_Run *r)
{
    for (int i = 0; i < r->s->ninjects; i++) {
        const dh_Inject *in = &r->s->injects[i];
        /* its own trigger stays armed while a fire effect is pending */
        bool armed = r->inj_state[i] == DH_INJECT_IDLE || r->inj_state[i] == DH_INJECT_PENDING;
        if (in->trigger == DH_TRIGGER_WHEN && armed && in->when && holds(r, in->when))
            return i;
    }
    return -1;
}

static dh_Status fail_steps(dh_Run *r, dh_Error *err)
{
    r->state = DH_RUN_FAILED;
    dh_fail(&r->error, DH_ELIMIT,
            "the exercise produced more than %ld events at scenario time %lld s without "
            "settling and was stopped; check the scenario for chains of injects that trigger "
            "each other",
            r->step_limit, (long long)r->now);
    if (err) *err = r->error;
    return DH_ELIMIT;
}

/* Process everything that follows from the state at the current time. */
static dh_Status settle(dh_Run *r, dh_Error *err)
{
    while (r->state == DH_RUN_PLAYING) {
        exp_check(r);
        if (try_endings(r)) break;
        int i = next_due(r);
        bool due = i >= 0;
        if (!due) i = next_when(r);
        if (i < 0) break;
        if (++r->steps > r->step_limit) return fail_steps(r, err);
        const dh_Inject *in = &r->s->injects[i];
        if (due && in->when && !holds(r, in->when)) {
            /* a guard (at_s, after or a fire effect): false when due means never */
            r->inj_state[i] = DH_INJECT_DROPPED;
            r->inj_time[i] = -1;
        } else {
            fire(r, i);
        }
    }
    return DH_OK;
}

static dh_Status check_call(dh_Run *r, dh_Error *err)
{
    if (r->state == DH_RUN_FAILED) {
        if (err) *err = r->error;
        return r->error.code;
    }
    r->steps = 0;
    return reserve(r, err);
}

dh_Status dh_run_new(dh_Run **out, const dh_Scenario *s, uint32_t seed, dh_Error *err)
{
    dh_Run *r;
    dh_Status st = dh_run_alloc(&r, s, seed, err);
    if (st != DH_OK) {
        *out = NULL;
        return st;
    }
    for (int i = 0; i < s->ninjects; i++)
        if (s->injects[i].trigger == DH_TRIGGER_AT) schedule(r, i, s->injects[i].at_s);
    exp_open(r, -1);
    *out = r;
    r->steps = 0;
    return settle(r, err);
}

dh_Status dh_run_advance(dh_Run *r, int64_t to_s, dh_Error *err)
{
    dh_Status st = check_call(r, err);
    if (st != DH_OK) return st;
    if (to_s > DH_RUN_MAX_TIME) to_s = DH_RUN_MAX_TIME;
    long limit = r->s->clock.limit_s;
    while (r->state == DH_RUN_PLAYING && r->now < to_s) {
        int64_t next = to_s;
        for (int i = 0; i < r->s->ninjects; i++)
            if (r->inj_state[i] == DH_INJECT_PENDING && r->inj_time[i] < next)
                next = r->inj_time[i];
        if (limit > 0 && limit < next) next = limit;
        if (r->uses_elapsed && r->now + 1 < next) next = r->now + 1;
        DH_ASSERT(next > r->now);
        exp_close(r, next);
        r->now = next;
        st = settle(r, err);
        if (st != DH_OK) return st;
        if (r->state == DH_RUN_PLAYING && limit > 0 && r->now >= limit) end_run(r, r->s->default_ending);
    }
    return DH_OK;
}

dh_Status dh_run_tick(dh_Run *r, int64_t real_ms, dh_Error *err)
{
    if (real_ms < 0) return dh_fail(err, DH_EINVAL, "real time cannot run backwards");
    if (r->s->clock.mode != DH_CLOCK_SCALED || r->state != DH_RUN_PLAYING) return check_call(r, err);
    double us = (double)real_ms * r->s->clock.speed * 1000.0;
    if (us > 1e15) us = 1e15;
    int64_t total = r->frac_us + (int64_t)llround(us);
    int64_t to = r->now + total / 1000000;
    dh_Status st = dh_run_advance(r, to, err);
    if (st == DH_OK) r->frac_us = r->state == DH_RUN_PLAYING ? total % 1000000 : 0;
    return st;
}

dh_Status dh_run_next_turn(dh_Run *r, dh_Error *err)
{
    if (r->s->clock.mode != DH_CLOCK_TURNS)
        return dh_fail(err, DH_EINVAL, "this exercise runs on a clock, not in turns");
    return dh_run_advance(r, r->now + r->s->clock.turn_s, err);
}

/* ---- actions ---- */

bool dh_run_inject_open(const dh_Run *r, int inject)
{
    DH_ASSERT(inject >= 0 && inject < r->s->ninjects);
    if (r->inj_state[inject] != DH_INJECT_FIRED) return false;
    long ex = r->s->injects[inject].expires_s;
    return ex == 0 || r->now < r->inj_time[inject] + ex;
}

bool dh_run_offered(const dh_Run *r, int action)
{
    if (r->state != DH_RUN_PLAYING || action < 0 || action >= r->s->nactions) return false;
    const dh_Action *a = &r->s->actions[action];
    if (a->parent >= 0 && !dh_run_offered(r, a->parent)) return false;
    if (a->inject >= 0 && !dh_run_inject_open(r, a->inject)) return false;
    if (!a->repeatable && r->chosen[action]) return false;
    return !a->when || holds(r, a->when);
}

static const char *var_type_name(dh_VarType t)
{
    return t == DH_VAR_BOOL ? "a boolean" : t == DH_VAR_INT ? "a number" : "an enum";
}

/* Check that every effect of a fits the scenario before any is applied. */
static dh_Status check_effects(const dh_Run *r, const dh_Action *a, dh_Error *err)
{
    const dh_Scenario *s = r->s;
    for (int k = 0; k < a->neffects; k++) {
        const dh_Effect *e = &a->effects[k];
        switch (e->kind) {
        case DH_EFFECT_SET:
        case DH_EFFECT_ADD: {
            if (e->target < 0 || e->target >= s->env.nvars)
                return dh_fail(err, DH_EINVALID, "action '%s': effect %d names no variable",
                               a->id, k + 1);
            const dh_VarDecl *v = &s->env.vars[e->target];
            bool ok = e->kind == DH_EFFECT_ADD ? v->type == DH_VAR_INT
                      : v->type == DH_VAR_BOOL ? (e->value == 0 || e->value == 1)
                      : v->type == DH_VAR_ENUM ? (e->value >= 0 && e->value < v->nvalues)
                                               : true;
            if (!ok)
                return dh_fail(err, DH_EINVALID,
                               "action '%s': effect %d cannot %s %lld %s '%s', which is %s",
                               a->id, k + 1, e->kind == DH_EFFECT_ADD ? "add" : "set",
                               (long long)e->value, e->kind == DH_EFFECT_ADD ? "to" : "into",
                               v->name, var_type_name(v->type));
            break;
        }
        case DH_EFFECT_FIRE:
        case DH_EFFECT_CANCEL:
            if (e->target < 0 || e->target >= s->ninjects || e->delay_s < 0)
                return dh_fail(err, DH_EINVALID, "action '%s': effect %d names no inject",
                               a->id, k + 1);
            break;
        case DH_EFFECT_END:
            if (e->target < 0 || e->target >= s->nendings)
                return dh_fail(err, DH_EINVALID, "action '%s': effect %d names no ending",
                               a->id, k + 1);
            break;
        }
    }
    return DH_OK;
}

static void apply_effects(dh_Run *r, const dh_Action *a, int *end)
{
    for (int k = 0; k < a->neffects; k++) {
        const dh_Effect *e = &a->effects[k];
        switch (e->kind) {
        case DH_EFFECT_SET: r->vars[e->target] = e->value; break;
        case DH_EFFECT_ADD: /* wraps like the condition language's arithmetic */
            r->vars[e->target] =
                (int64_t)((uint64_t)r->vars[e->target] + (uint64_t)e->value);
            break;
        case DH_EFFECT_FIRE: schedule(r, e->target, r->now + e->delay_s); break;
        case DH_EFFECT_CANCEL:
            if (r->inj_state[e->target] != DH_INJECT_FIRED &&
                r->inj_state[e->target] != DH_INJECT_DROPPED) {
                r->inj_state[e->target] = DH_INJECT_CANCELLED;
                r->inj_time[e->target] = -1;
            }
            break;
        case DH_EFFECT_END: *end = e->target; break;
        }
    }
}

#define DH_RUN_MAX_TEXT 4000 /* bytes of a text response kept */

dh_Status dh_run_take(dh_Run *r, int action, int choice, const char *text, dh_Error *err)
{
    dh_Status st = check_call(r, err);
    if (st != DH_OK) return st;
    const dh_Scenario *s = r->s;
    if (r->state == DH_RUN_ENDED)
        return dh_fail(err, DH_EINVAL, "the exercise has ended; no more actions can be taken");
    if (action < 0 || action >= s->nactions || s->actions[action].parent >= 0)
        return dh_fail(err, DH_EINVAL, "there is no action number %d to take", action);
    const dh_Action *a = &s->actions[action];
    if (!dh_run_offered(r, action))
        return dh_fail(err, DH_EINVAL, "action '%s' is not offered at %lld s", a->id,
                       (long long)r->now);
    const dh_Action *c = NULL;
    if (a->response == DH_RESPONSE_CHOICE) {
        if (choice < a->first_choice || choice >= a->first_choice + a->nchoices)
            return dh_fail(err, DH_EINVAL, "action '%s' needs one of its choices", a->id);
        c = &s->actions[choice];
        if (!dh_run_offered(r, choice))
            return dh_fail(err, DH_EINVAL, "choice '%s' is not offered at %lld s", c->id,
                           (long long)r->now);
    } else if (choice != -1) {
        return dh_fail(err, DH_EINVAL, "action '%s' has no choices", a->id);
    }
    if (a->response == DH_RESPONSE_TEXT && !text)
        return dh_fail(err, DH_EINVAL, "action '%s' needs a written answer", a->id);
    if (a->response != DH_RESPONSE_TEXT && text)
        return dh_fail(err, DH_EINVAL, "action '%s' takes no written answer", a->id);
    st = check_effects(r, a, err);
    if (st == DH_OK && c) st = check_effects(r, c, err);
    if (st != DH_OK) return st;
    char *copy = NULL;
    if (text) {
        size_t n = strlen(text);
        if (n > DH_RUN_MAX_TEXT) { /* cut at a character boundary */
            n = DH_RUN_MAX_TEXT;
            while (n > 0 && ((uint8_t)text[n] & 0xC0) == 0x80) n--;
        }
        copy = dh_strndup(text, n);
        if (!copy) return dh_fail(err, DH_ENOMEM, "out of memory recording the answer");
    }
    r->chosen[action] = true;
    if (c) r->chosen[choice] = true;
    append(r, DH_EVENT_ACTION, action, c ? choice : -1, copy);
    int end = -1;
    apply_effects(r, a, &end);
    if (c) apply_effects(r, c, &end);
    if (end >= 0) {
        exp_check(r);
        end_run(r, end);
        return DH_OK;
    }
    return settle(r, err);
}

/* ---- queries ---- */

const dh_Scenario *dh_run_scenario(const dh_Run *r) { return r->s; }
dh_RunState dh_run_state(const dh_Run *r) { return r->state; }
const dh_Error *dh_run_error(const dh_Run *r) { return &r->error; }
int64_t dh_run_now(const dh_Run *r) { return r->now; }
int dh_run_ending(const dh_Run *r) { return r->ending; }
const int64_t *dh_run_vars(const dh_Run *r) { return r->vars; }

dh_InjectState dh_run_inject_state(const dh_Run *r, int inject)
{
    DH_ASSERT(inject >= 0 && inject < r->s->ninjects);
    return (dh_InjectState)r->inj_state[inject];
}

int64_t dh_run_inject_time(const dh_Run *r, int inject)
{
    DH_ASSERT(inject >= 0 && inject < r->s->ninjects);
    return r->inj_time[inject];
}

bool dh_run_chosen(const dh_Run *r, int action)
{
    DH_ASSERT(action >= 0 && action < r->s->nactions);
    return r->chosen[action];
}

dh_ExpState dh_run_expectation(const dh_Run *r, int expectation)
{
    DH_ASSERT(expectation >= 0 && expectation < r->s->nexpectations);
    return (dh_ExpState)r->exp_state[expectation];
}

const dh_RunEvent *dh_run_timeline(const dh_Run *r, int *count)
{
    *count = r->ntl;
    return r->tl;
}
