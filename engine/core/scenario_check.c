/* scenario_check: the static analysis of a parsed scenario (pass 3 of the
 * loader, see scenario.c): 'after' cycles, times past the limit, and a
 * least fixpoint of "can this happen at all" that finds injects never fired,
 * actions never offered, endings never reached and scenarios that never
 * end. It is sound, not complete (courses/FORMAT.md, "What the checker
 * proves"): what it reports is certain; what it passes may still stall at
 * run time, which the engine's step limit guards.
 */
#include "scenario_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- pass 3: static analysis ------------------------------------------------------ */

/* Injects whose 'after' chain loops back: report each cycle once. */
static void check_cycles(P *p, bool *in_cycle)
{
    int n = p->s->ninjects;
    unsigned char *state = dh_load_array(p->c, (size_t)n, 1); /* 0 new, 1 on the path, 2 done */
    if (!state) return;
    for (int i = 0; i < n; i++) {
        int k = i;
        while (k >= 0 && state[k] == 0) {
            state[k] = 1;
            k = p->inj[k].after;
        }
        if (k >= 0 && state[k] == 1) {
            /* k is on the current path: the cycle is k -> ... -> k. */
            char path[256];
            size_t used = 0;
            int j = k;
            do {
                in_cycle[j] = true;
                int w = snprintf(path + used, sizeof path - used, "%s -> ", p->inj[j].id);
                if (w > 0 && (size_t)w < sizeof path - used) used += (size_t)w;
                j = p->inj[j].after;
            } while (j != k);
            snprintf(path + used, sizeof path - used, "%s", p->inj[k].id);
            const cJSON *at = cJSON_GetObjectItemCaseSensitive(p->inj_json[k], "after");
            if (p->inj[k].after == k)
                DH_LOAD_ERROR(p->c, at, "inject '%s' comes 'after' itself, so it can never fire", p->inj[k].id);
            else
                DH_LOAD_ERROR(p->c, at, "injects wait for each other in a cycle ('after': %s), so none of them can fire",
                              path);
        }
        for (k = i; k >= 0 && state[k] == 1; k = p->inj[k].after) state[k] = 2;
    }
}

/* Injects fired after a chain of delays that ends past the time limit. The
 * earliest time of each inject is memoised, so long chains cost O(n). */
static void check_times(P *p, const bool *in_cycle)
{
    long limit = p->s->clock.limit_s;
    int n = p->s->ninjects;
    long *t = dh_load_array(p->c, (size_t)n, sizeof *t); /* -1: not known (no fixed time) */
    int *path = dh_load_array(p->c, (size_t)n, sizeof *path);
    unsigned char *done = dh_load_array(p->c, (size_t)n, 1);
    if (limit <= 0 || !t || !path || !done) return;
    for (int i = 0; i < n; i++) {
        int k = i, len = 0;
        while (!done[k] && p->inj[k].trigger == DH_TRIGGER_AFTER && p->inj[k].after >= 0 && !in_cycle[k]) {
            path[len++] = k;
            done[k] = 1; /* on the path; resolved below */
            k = p->inj[k].after;
        }
        long base = done[k] && (len == 0 || k != path[len - 1]) ? t[k]
                    : p->inj[k].trigger == DH_TRIGGER_AT && !in_cycle[k] ? p->inj[k].at_s : -1;
        if (!done[k]) t[k] = base, done[k] = 1;
        for (int j = len - 1; j >= 0; j--) {
            const dh_Inject *in = &p->inj[path[j]];
            t[path[j]] = base = base < 0 ? -1 : base + in->delay_s;
            if (base > limit && base - in->delay_s <= limit)
                DH_LOAD_WARN(p->c, cJSON_GetObjectItemCaseSensitive(p->inj_json[path[j]], "after"),
                             "inject '%s' fires at %ld s at the earliest, after the clock's limit_s of %ld s",
                             in->id, base, limit);
        }
    }
}

/* What can possibly happen: a least fixpoint computed with a worklist.
 * Items are injects (0..ni-1) and actions (ni..ni+na-1); facts ("keys")
 * are variables changing (0..nv-1), injects firing (nv..) and actions
 * being taken (nv+ni..). When a fact becomes possible, the items that
 * depend on it are checked again; each fact changes once, so the work is
 * linear in the size of the scenario. */
typedef struct Reach {
    bool *inj, *act;           /* can fire / can be taken */
    bool *fixed;               /* per variable: no effect that can happen changes it */
    bool *fired, *named;       /* per inject: a 'fire' effect that can happen / any names it */
    bool *ended;               /* per ending: an 'end' effect that can happen names it */
    bool *vis_known, *cho_known; /* = !inj, !act: "visited/chose is surely false" */
    bool *none_inj, *none_act; /* all false: nothing visited or chosen */
    dh_ExprState st;
    dh_ExprKnown known;
    int *dep_first, *dep;      /* per key, the items to check again (CSR) */
    int *queue, qhead, qlen;
    bool *queued;
    int ni, na, nv;
    bool fill;                 /* building dep[] (else counting) */
    int item;                  /* the item whose condition is being indexed */
} Reach;

/* True if e is surely false whatever happens (NULL is "no condition"). */
static bool never(const Reach *r, const dh_Expr *e)
{
    dh_Value v;
    return e && dh_expr_fold(e, &r->st, &r->known, &v) && !v.i;
}

static void add_dep(Reach *r, int key, int item)
{
    if (r->fill) r->dep[--r->dep_first[key]] = item;
    else r->dep_first[key]++;
}

static void dep_ref(void *ud, const dh_Expr *leaf)
{
    Reach *r = ud;
    int key = leaf->op == DH_EX_VAR ? leaf->u.ref.index : leaf->op == DH_EX_VISITED ? r->nv + leaf->u.ref.index
              : leaf->op == DH_EX_CHOSE ? r->nv + r->ni + leaf->u.ref.index : -1;
    if (key >= 0) add_dep(r, key, r->item);
}

static void index_deps(P *p, Reach *r)
{
    for (int i = 0; i < r->ni; i++) {
        r->item = i;
        if (p->inj[i].when) dh_expr_refs(p->inj[i].when, dep_ref, r);
        if (p->inj[i].after >= 0) add_dep(r, r->nv + p->inj[i].after, i);
    }
    for (int a = 0; a < r->na; a++) {
        r->item = r->ni + a;
        if (p->act[a].when) dh_expr_refs(p->act[a].when, dep_ref, r);
        if (p->act[a].inject >= 0) add_dep(r, r->nv + p->act[a].inject, r->ni + a);
        if (p->act[a].parent >= 0) add_dep(r, r->nv + r->ni + p->act[a].parent, r->ni + a);
    }
}

static void enqueue(Reach *r, int item)
{
    int n = r->ni + r->na;
    if (r->queued[item]) return;
    r->queued[item] = true;
    r->queue[(r->qhead + r->qlen++) % n] = item;
}

static void enqueue_deps(Reach *r, int key)
{
    for (int k = r->dep_first[key]; k < r->dep_first[key + 1]; k++) enqueue(r, r->dep[k]);
}

static bool can_fire(const P *p, const Reach *r, int i)
{
    const dh_Inject *in = &p->inj[i];
    if (!p->inj_json[i] || never(r, in->when)) return false;
    return r->fired[i] || in->trigger == DH_TRIGGER_AT || in->trigger == DH_TRIGGER_WHEN ||
           (in->trigger == DH_TRIGGER_AFTER && in->after >= 0 && r->inj[in->after]);
}

static bool can_take(const P *p, const Reach *r, int a)
{
    const dh_Action *act = &p->act[a];
    if (!p->act_json[a] || never(r, act->when)) return false;
    return act->inject >= 0 ? r->inj[act->inject] : act->parent >= 0 ? r->act[act->parent] : true;
}

static void take(P *p, Reach *r, int a)
{
    r->act[a] = true;
    r->cho_known[a] = false;
    enqueue_deps(r, r->nv + r->ni + a);
    for (int k = 0; k < p->act[a].neffects; k++) {
        const dh_Effect *e = &p->act[a].effects[k];
        bool changes = (e->kind == DH_EFFECT_SET && e->value != p->initial[e->target]) ||
                       (e->kind == DH_EFFECT_ADD && e->value != 0);
        if (changes && r->fixed[e->target]) {
            r->fixed[e->target] = false;
            enqueue_deps(r, e->target);
        } else if (e->kind == DH_EFFECT_FIRE && !r->fired[e->target]) {
            r->fired[e->target] = true;
            enqueue(r, e->target);
        } else if (e->kind == DH_EFFECT_END) {
            r->ended[e->target] = true;
        }
    }
}

static void reach(P *p, Reach *r)
{
    int n = r->ni + r->na, nkeys = r->nv + n;
    r->dep_first = dh_load_array(p->c, (size_t)nkeys + 1, sizeof *r->dep_first);
    if (!r->dep_first) return;
    index_deps(p, r); /* count */
    for (int k = 1; k <= nkeys; k++) r->dep_first[k] += r->dep_first[k - 1];
    r->dep = dh_load_array(p->c, (size_t)r->dep_first[nkeys], sizeof *r->dep);
    if (!r->dep) return;
    r->fill = true;
    index_deps(p, r); /* fill, moving each dep_first[key] back to its start */
    for (int i = 0; i < n; i++) enqueue(r, i);
    while (r->qlen > 0) {
        int x = r->queue[r->qhead];
        r->qhead = (r->qhead + 1) % n;
        r->qlen--;
        r->queued[x] = false;
        if (x < r->ni && !r->inj[x] && can_fire(p, r, x)) {
            r->inj[x] = true;
            r->vis_known[x] = false;
            enqueue_deps(r, r->nv + x);
        } else if (x >= r->ni && !r->act[x - r->ni] && can_take(p, r, x - r->ni)) {
            take(p, r, x - r->ni);
        }
    }
}

static const cJSON *id_at(const cJSON *obj)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "id");
    return v ? v : obj;
}

static void report_dead(P *p, Reach *r, const bool *in_cycle)
{
    const dh_Scenario *s = p->s;
    for (int i = 0; i < s->ninjects; i++) {
        const dh_Inject *in = &p->inj[i];
        if (r->inj[i] || in_cycle[i] || !p->inj_json[i] || !in->id) continue;
        const char *why;
        char buf[200];
        if (never(r, in->when))
            why = "its 'when' condition can never become true";
        else if (in->trigger == DH_TRIGGER_AFTER && in->after >= 0)
            why = (snprintf(buf, sizeof buf, "it comes after '%s', which can never fire", p->inj[in->after].id), buf);
        else if (r->named[i])
            why = "the only actions that fire it are never offered";
        else if (in->trigger == DH_TRIGGER_EFFECT)
            why = "it has no 'at_s', 'after' or 'when', and no 'fire' effect names it";
        else
            continue; /* its trigger was itself reported as an error */
        DH_LOAD_WARN(p->c, id_at(p->inj_json[i]), "inject '%s' can never fire: %s", in->id, why);
    }
    for (int a = 0; a < s->nactions; a++) {
        const dh_Action *act = &p->act[a];
        if (r->act[a] || !p->act_json[a] || !act->id || !never(r, act->when)) continue;
        if (act->inject >= 0 && !r->inj[act->inject]) continue; /* the inject's warning says it */
        if (act->parent >= 0 && !r->act[act->parent]) continue;
        DH_LOAD_WARN(p->c, id_at(p->act_json[a]), "action '%s' is never offered: its 'when' condition can never become true",
                     act->id);
    }
    for (int i = 0; i < s->nexpectations; i++) {
        const dh_Expectation *x = &p->exp[i];
        if (!p->exp_json[i] || !x->id) continue;
        if (x->action >= 0 && !r->act[x->action] && p->act[x->action].id)
            DH_LOAD_WARN(p->c, cJSON_GetObjectItemCaseSensitive(p->exp_json[i], "action"),
                         "expectation '%s' can never be met: action '%s' is never offered to the trainee", x->id,
                         p->act[x->action].id);
        else if (never(r, x->when))
            DH_LOAD_WARN(p->c, cJSON_GetObjectItemCaseSensitive(p->exp_json[i], "when"),
                         "expectation '%s' can never be met: its 'when' condition can never become true", x->id);
        else if (x->from >= 0 && !r->inj[x->from] && p->inj[x->from].id)
            DH_LOAD_WARN(p->c, id_at(p->exp_json[i]),
                         "expectation '%s' starts counting when inject '%s' fires, which can never happen", x->id,
                         p->inj[x->from].id);
    }
}

static void check_endings(P *p, Reach *r)
{
    const dh_Scenario *s = p->s;
    const cJSON *at = p->endings_json ? p->endings_json : p->root;
    if (s->nendings == 0) {
        DH_LOAD_ERROR(p->c, at, "a scenario needs at least one ending in 'endings'");
        return;
    }
    long limit = s->clock.limit_s;
    if (limit > 0 && s->default_ending < 0)
        DH_LOAD_ERROR(p->c, at, "the clock has a limit (limit_s %ld) but no ending leaves out 'when' to say what happens when time runs out",
                      limit);
    bool can_end = limit > 0;
    for (int e = 0; e < s->nendings; e++) {
        const dh_Ending *en = &p->end[e];
        if (!p->end_json[e] || !en->id) continue;
        bool has_when = cJSON_GetObjectItemCaseSensitive(p->end_json[e], "when") != NULL;
        if (has_when && !en->when) {
            can_end = true; /* its condition had an error: assume the best */
            continue;
        }
        bool ok = r->ended[e] || (en->when ? !never(r, en->when) : limit > 0);
        can_end |= ok;
        if (ok || (!en->when && e != s->default_ending)) continue;
        if (en->when)
            DH_LOAD_WARN(p->c, id_at(p->end_json[e]),
                         "ending '%s' can never be reached: its 'when' condition can never become true and no 'end' effect names it",
                         en->id);
        else
            DH_LOAD_WARN(p->c, id_at(p->end_json[e]),
                         "ending '%s' can never be reached: it has no 'when', the clock has no 'limit_s', and no 'end' effect names it",
                         en->id);
    }
    if (!can_end)
        DH_LOAD_ERROR(p->c, at,
                      "this scenario can never end: the clock has no 'limit_s', no action that can be taken has an 'end' effect, and no ending's 'when' can become true");
}

static void check_objectives(P *p)
{
    for (int i = 0; i < p->s->nobjectives; i++) {
        if (!p->obj_json[i] || !p->obj[i].id) continue;
        bool used = false;
        for (int k = 0; k < p->s->nexpectations && !used; k++) used = p->exp[k].objective == i;
        if (!used)
            DH_LOAD_WARN(p->c, id_at(p->obj_json[i]),
                         "objective '%s' has no expectations, so it can never be scored", p->obj[i].id);
    }
}

void dh_scenario_analyse(P *p)
{
    dh_Scenario *s = p->s;
    int ni = s->ninjects, na = s->nactions, nv = s->env.nvars;
    bool *in_cycle = dh_load_array(p->c, (size_t)ni, sizeof *in_cycle);
    Reach r = {0};
    r.ni = ni;
    r.na = na;
    r.nv = nv;
    bool **flags[] = {&r.inj, &r.fired, &r.named, &r.vis_known, &r.none_inj};
    for (size_t k = 0; k < sizeof flags / sizeof *flags; k++) *flags[k] = dh_load_array(p->c, (size_t)ni, 1);
    r.act = dh_load_array(p->c, (size_t)na, 1);
    r.cho_known = dh_load_array(p->c, (size_t)na, 1);
    r.none_act = dh_load_array(p->c, (size_t)na, 1);
    r.fixed = dh_load_array(p->c, (size_t)nv, 1);
    r.ended = dh_load_array(p->c, (size_t)s->nendings, 1);
    r.queue = dh_load_array(p->c, (size_t)(ni + na), sizeof *r.queue);
    r.queued = dh_load_array(p->c, (size_t)(ni + na), 1);
    if (p->c->oom) return;
    memset(r.fixed, 1, (size_t)nv);
    memset(r.vis_known, 1, (size_t)ni);
    memset(r.cho_known, 1, (size_t)na);
    for (int a = 0; a < na; a++)
        for (int k = 0; k < p->act[a].neffects; k++)
            if (p->act[a].effects[k].kind == DH_EFFECT_FIRE) r.named[p->act[a].effects[k].target] = true;
    r.st.vars = p->initial;
    r.st.visited = r.none_inj;
    r.st.chosen = r.none_act;
    r.known.vars = r.fixed;
    r.known.visited = r.vis_known;
    r.known.chosen = r.cho_known;

    check_cycles(p, in_cycle);
    check_times(p, in_cycle);
    reach(p, &r);
    if (p->c->oom) return;
    report_dead(p, &r, in_cycle);
    check_endings(p, &r);
    check_objectives(p);
}
