/* scenario: loading and checking an incident exercise, in three passes.
 *
 * First every id (injects, actions and choices, objectives, expectations,
 * endings) goes into one sorted registry, so duplicates are found and
 * anything may name anything defined later. Then each part is parsed in
 * full against the registry and the variables. Last, a static analysis of
 * the model: 'after' cycles, times past the limit, and a least fixpoint of
 * "can this happen at all" that finds injects never fired, actions never
 * offered, endings never reached and scenarios that never end. It is sound,
 * not complete (courses/FORMAT.md, "What the checker proves"); that pass
 * lives in scenario_check.c.
 */
#include "scenario_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the id registry ------------------------------------------------------ */

static const char *const kind_names[] = {"inject", "action", "objective", "expectation", "ending"};

static int cmp_id(const void *a, const void *b)
{
    const Id *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

static void add_id(P *p, const char *id, Kind kind, int index, const cJSON *obj)
{
    if (!id) return;
    Id *e = &p->ids[p->nids];
    e->id = id;
    e->kind = kind;
    e->index = index;
    e->order = p->nids++;
    e->at = cJSON_GetObjectItemCaseSensitive(obj, "id");
}

/* Sort the registry and report duplicates: the later one is the mistake. */
static void finish_ids(P *p)
{
    qsort(p->ids, (size_t)p->nids, sizeof *p->ids, cmp_id);
    const Id *first = p->ids;
    for (int i = 1; i < p->nids; i++) {
        const Id *b = &p->ids[i];
        if (strcmp(first->id, b->id) != 0) {
            first = b;
            continue;
        }
        int line, col;
        dh_json_pos(DOC(p), first->at, &line, &col);
        DH_LOAD_ERROR(p->c, b->at,
                      "duplicate id '%s': the %s at line %d already has it (ids must be unique across injects, actions, objectives, expectations and endings)",
                      b->id, kind_names[first->kind], line);
    }
}

static const Id *find_id(const P *p, const char *id)
{
    int lo = 0, hi = p->nids;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (strcmp(p->ids[mid].id, id) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo < p->nids && strcmp(p->ids[lo].id, id) == 0 ? &p->ids[lo] : NULL;
}

/* " (did you mean 'x'?)", unless the diagnostics list is full and the
 * message would be dropped anyway: hostile files cost no quadratic work. */
static const char *hint(P *p, const char *name, const char *const *names, int n, char *buf, size_t size)
{
    buf[0] = '\0';
    return DIAGS(p)->count >= DH_DIAGS_MAX ? buf : dh_suggest(name, names, n, buf, size);
}

/* Resolve member `key` of obj, an id of the given kind. Returns the index,
 * or -1 (reported) when it is missing, of another kind or unknown. */
static int ref(P *p, const cJSON *obj, const char *key, Kind kind, bool required)
{
    const cJSON *v = dh_json_get(DOC(p), DIAGS(p), obj, key, DH_JSON_STRING, required);
    if (!v) return -1;
    const Id *e = find_id(p, v->valuestring);
    /* With duplicates (already reported), prefer the one of the right kind. */
    for (const Id *x = e; x && x < p->ids + p->nids && strcmp(x->id, v->valuestring) == 0; x++)
        if (x->kind == kind) return x->index;
    if (e) {
        DH_LOAD_ERROR(p->c, v, "'%s' is an %s, but '%s' must name an %s", v->valuestring, kind_names[e->kind],
                      key, kind_names[kind]);
        return -1;
    }
    const dh_Scenario *s = p->s;
    const char *const *names = kind == K_INJECT ? s->env.injects : kind == K_ACTION ? s->env.actions
                               : kind == K_OBJECTIVE ? p->obj_ids : p->end_ids;
    int n = kind == K_INJECT ? s->ninjects : kind == K_ACTION ? s->nactions
            : kind == K_OBJECTIVE ? s->nobjectives : s->nendings;
    char sbuf[128];
    DH_LOAD_ERROR(p->c, v, "unknown %s '%s'%s", kind_names[kind], v->valuestring,
                  hint(p, v->valuestring, names, n, sbuf, sizeof sbuf));
    return -1;
}

/* An id member, copied into the arena (the JSON tree dies after loading). */
static const char *get_id(P *p, const cJSON *obj, const char *key, bool required)
{
    const char *id = dh_json_id(DOC(p), DIAGS(p), obj, key, required);
    return id ? dh_load_strdup(p->c, id) : NULL;
}

/* Read and register the id of element i of a kind (o NULL: not an object). */
static const char *reg(P *p, const cJSON *o, Kind kind, int i)
{
    const char *id = o ? get_id(p, o, "id", true) : NULL;
    add_id(p, id, kind, i, o);
    return id;
}

static int var_index(const P *p, const char *name)
{
    int lo = 0, hi = p->s->env.nvars;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2, c = strcmp(p->vars[p->vars_sorted[mid]].name, name);
        if (c == 0) return p->vars_sorted[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

static int lookup(const char *s, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

/* An enum-like string member: index into names, or def (reported if bad). */
static int choose(P *p, const cJSON *obj, const char *key, const char *const *names, const char *list, int def,
                  bool required)
{
    const cJSON *v = dh_json_get(DOC(p), DIAGS(p), obj, key, DH_JSON_STRING, required);
    if (!v) return def;
    int k = lookup(v->valuestring, names);
    if (k < 0) {
        DH_LOAD_ERROR(p->c, v, "unknown %s '%s' (use %s)", key, v->valuestring, list);
        return def;
    }
    return k;
}

/* A member that must be a positive number (weights, scores). */
static double positive(P *p, const cJSON *obj, const char *key, double def, const char *why)
{
    const cJSON *v = dh_json_get(DOC(p), DIAGS(p), obj, key, DH_JSON_NUMBER, false);
    if (!v) return def;
    double x = v->valuedouble;
    if (!isfinite(x) || x <= 0 || x > 1e6)
        DH_LOAD_ERROR(p->c, v, "'%s' must be %s (%s), not %g", key, x > 0 ? "at most 1000000" : "greater than 0", why, x);
    return isfinite(x) && x > 0 && x <= 1e6 ? x : def;
}

static long seconds(P *p, const cJSON *obj, const char *key, long min)
{
    return dh_json_int(DOC(p), DIAGS(p), obj, key, 0, min, DH_SCENARIO_MAX_S, false);
}

/* ---- conditions ------------------------------------------------------------ */

/* Parse condition member `key` of obj: reported at the exact column on
 * error, NULL if absent or bad. */
static const dh_Expr *cond(P *p, const cJSON *obj, const char *key, const char **text)
{
    *text = NULL;
    const cJSON *v = dh_json_get(DOC(p), DIAGS(p), obj, key, DH_JSON_STRING, false);
    if (!v) return NULL;
    const dh_Expr *e;
    dh_ExprError err;
    dh_Status st = dh_expr_parse(p->c->arena, v->valuestring, &p->s->env, &e, &err);
    int line, col;
    if (st == DH_ENOMEM) {
        p->c->oom = true;
        return NULL;
    }
    if (st != DH_OK) {
        dh_json_string_pos(DOC(p), v, (size_t)err.off, &line, &col);
        dh_diag(DIAGS(p), DH_ERROR, DOC(p)->name, line, col, "%s", err.msg);
        return NULL;
    }
    if (e->type != DH_TYPE_BOOL) {
        dh_json_string_pos(DOC(p), v, 0, &line, &col);
        dh_diag(DIAGS(p), DH_ERROR, DOC(p)->name, line, col,
                "'%s' must be a condition that is true or false, but this gives %s%s", key,
                dh_expr_type_name((dh_ExprType)e->type),
                e->type == DH_TYPE_INT ? "; compare it, e.g. 'x > 0'" : "");
        return NULL;
    }
    dh_ExprError warns[4];
    int nw = dh_expr_lint(e, warns, 4);
    for (int i = 0; i < nw && i < 4; i++) {
        dh_json_string_pos(DOC(p), v, (size_t)warns[i].off, &line, &col);
        dh_diag(DIAGS(p), DH_WARNING, DOC(p)->name, line, col, "%s", warns[i].msg);
    }
    *text = dh_load_strdup(p->c, v->valuestring);
    return e;
}

/* ---- clock and variables ------------------------------------------------------ */

static void parse_clock(P *p, const cJSON *root)
{
    dh_ScClock *k = &p->s->clock;
    k->mode = DH_CLOCK_SCALED;
    k->speed = 1;
    const cJSON *o = dh_json_get(DOC(p), DIAGS(p), root, "clock", DH_JSON_OBJECT, false);
    if (!o) return;
    static const char *const known[] = {"mode", "speed", "limit_s", "turn_s", NULL};
    dh_json_check_members(DOC(p), DIAGS(p), o, known, "the clock");
    static const char *const modes[] = {"scaled", "turns", NULL};
    k->mode = (dh_ClockMode)choose(p, o, "mode", modes, "scaled or turns", DH_CLOCK_SCALED, false);
    k->speed = dh_json_number(DOC(p), DIAGS(p), o, "speed", 1, 0.01, 1000, false);
    k->limit_s = seconds(p, o, "limit_s", 1);
    if (k->mode == DH_CLOCK_TURNS) {
        k->turn_s = dh_json_int(DOC(p), DIAGS(p), o, "turn_s", 60, 1, DH_SCENARIO_MAX_S, true);
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(o, "speed");
        if (sp) DH_LOAD_WARN(p->c, sp, "'speed' has no effect when the clock counts turns (ignored)");
    } else {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "turn_s");
        if (t) DH_LOAD_WARN(p->c, t, "'turn_s' only applies when \"mode\" is \"turns\" (ignored)");
    }
}


/* The index of string v among an enum variable's values, or -1 (reported). */
static int enum_value(P *p, const dh_VarDecl *var, const cJSON *v)
{
    int k = -1;
    for (int i = 0; i < var->nvalues && k < 0; i++)
        if (strcmp(var->values[i], v->valuestring) == 0) k = i;
    if (k >= 0) return k;
    char sbuf[128], list[200];
    hint(p, v->valuestring, var->values, var->nvalues, sbuf, sizeof sbuf);
    if (sbuf[0])
        DH_LOAD_ERROR(p->c, v, "'%s' is not a value of '%s'%s", v->valuestring, var->name, sbuf);
    else
        DH_LOAD_ERROR(p->c, v, "'%s' is not a value of '%s' (its values are: %s)", v->valuestring, var->name,
                      dh_join_names(var->values, var->nvalues, list, sizeof list));
    return -1;
}

static bool parse_enum(P *p, const cJSON *m, dh_VarDecl *var, int64_t *init)
{
    static const char *const known[] = {"enum", "initial", NULL};
    dh_json_check_members(DOC(p), DIAGS(p), m, known, "an enum variable");
    const cJSON *list = dh_json_get(DOC(p), DIAGS(p), m, "enum", DH_JSON_ARRAY, true);
    if (!list) return false;
    int n = cJSON_GetArraySize(list);
    if (n == 0 || n > DH_SCENARIO_MAX_LIST) {
        DH_LOAD_ERROR(p->c, list, "'enum' needs 1 to %d values, not %d", DH_SCENARIO_MAX_LIST, n);
        return false;
    }
    const char **values = dh_load_array(p->c, (size_t)n, sizeof *values);
    if (!values) return false;
    int k = 0;
    bool ok = true;
    for (const cJSON *v = list->child; v; v = v->next) {
        if (!cJSON_IsString(v) || !dh_id_valid(v->valuestring)) {
            DH_LOAD_ERROR(p->c, v, "enum values must be strings of letters, digits, '.', '_' or '-', not %s",
                          cJSON_IsString(v) ? "this" : dh_json_kind(v));
            ok = false;
            continue;
        }
        for (int i = 0; i < k; i++)
            if (strcmp(values[i], v->valuestring) == 0) {
                DH_LOAD_ERROR(p->c, v, "'%s' is listed twice in 'enum'", v->valuestring);
                ok = false;
            }
        values[k++] = dh_load_strdup(p->c, v->valuestring);
    }
    if (!ok) return false;
    var->type = DH_VAR_ENUM;
    var->values = values;
    var->nvalues = k;
    /* A bad initial value is reported but keeps the variable declared, so
     * that conditions using it are still checked. */
    const cJSON *iv = dh_json_get(DOC(p), DIAGS(p), m, "initial", DH_JSON_STRING, false);
    *init = 0;
    if (iv) {
        int x = enum_value(p, var, iv);
        if (x >= 0) *init = x;
    }
    return true;
}

typedef struct NameIx {
    const char *name;
    int index;
} NameIx;

static int cmp_name_ix(const void *a, const void *b)
{
    return strcmp(((const NameIx *)a)->name, ((const NameIx *)b)->name);
}

static void parse_vars(P *p, const cJSON *root)
{
    const cJSON *o = dh_json_get(DOC(p), DIAGS(p), root, "vars", DH_JSON_OBJECT, false);
    int n = o ? cJSON_GetArraySize(o) : 0;
    if (n > DH_SCENARIO_MAX_PARTS) {
        DH_LOAD_ERROR(p->c, o, "%d variables are too many (at most %d)", n, DH_SCENARIO_MAX_PARTS);
        p->refused = true;
        return;
    }
    p->vars = dh_load_array(p->c, (size_t)n, sizeof *p->vars);
    p->initial = dh_load_array(p->c, (size_t)n, sizeof *p->initial);
    p->var_names = dh_load_array(p->c, (size_t)n, sizeof *p->var_names);
    p->vars_sorted = dh_load_array(p->c, (size_t)n, sizeof *p->vars_sorted);
    if (p->c->oom) return;
    int k = 0;
    for (const cJSON *m = o ? o->child : NULL; m; m = m->next) {
        dh_VarDecl *var = &p->vars[k];
        if (!dh_expr_name_valid(m->string)) {
            dh_json_diag_key(DOC(p), DIAGS(p), DH_ERROR, m,
                             "'%s' is not a valid variable name: use letters, digits and '_', start with a letter, and avoid true, false, elapsed, visited and chose",
                             m->string);
            continue;
        }
        var->name = dh_load_strdup(p->c, m->string);
        if (cJSON_IsBool(m)) {
            var->type = DH_VAR_BOOL;
            p->initial[k] = cJSON_IsTrue(m);
        } else if (cJSON_IsNumber(m)) {
            double x = m->valuedouble;
            if (!isfinite(x) || x != floor(x) || fabs(x) > 1e15) {
                DH_LOAD_ERROR(p->c, m, "variable '%s' must start as a whole number, not %g", m->string, x);
                continue;
            }
            var->type = DH_VAR_INT;
            p->initial[k] = (int64_t)x;
        } else if (cJSON_IsObject(m)) {
            if (!parse_enum(p, m, var, &p->initial[k])) continue;
        } else {
            DH_LOAD_ERROR(p->c, m,
                          "variable '%s' must start as true or false, a whole number, or {\"enum\": [...], \"initial\": \"...\"}, not %s",
                          m->string, dh_json_kind(m));
            continue;
        }
        p->var_names[k++] = var->name;
    }
    /* Sort the indices by name: lookups from conditions and effects bisect. */
    NameIx *byname = dh_load_array(p->c, (size_t)k, sizeof *byname);
    if (!byname) return;
    for (int i = 0; i < k; i++) byname[i] = (NameIx){p->var_names[i], i};
    qsort(byname, (size_t)k, sizeof *byname, cmp_name_ix);
    for (int i = 0; i < k; i++) p->vars_sorted[i] = byname[i].index;
    p->s->env.vars = p->vars;
    p->s->env.nvars = k;
    p->s->env.vars_sorted = p->vars_sorted;
    p->s->initial = p->initial;
}

/* ---- pass 1: ids ------------------------------------------------------------- */

/* The elements of array member key of root that are objects; others are
 * reported. Returns the array's length (0 if absent or wrong). */
static int elements(P *p, const cJSON *arr, const char *what, const cJSON ***out)
{
    int n = arr ? cJSON_GetArraySize(arr) : 0;
    *out = dh_load_array(p->c, (size_t)n, sizeof **out);
    if (!*out) return 0;
    int k = 0;
    for (const cJSON *it = arr ? arr->child : NULL; it; it = it->next, k++) {
        if (cJSON_IsObject(it)) (*out)[k] = it;
        else DH_LOAD_ERROR(p->c, it, "%s must be an object ({...}), not %s", what, dh_json_kind(it));
    }
    return n;
}

static const cJSON *array(P *p, const cJSON *obj, const char *key)
{
    return dh_json_get(DOC(p), DIAGS(p), obj, key, DH_JSON_ARRAY, false);
}

/* Register the actions in arr (an inject's, or the global ones) from index
 * *next on, and their choices from *next_choice on. */
static void collect_actions(P *p, const cJSON *arr, int inject, int *next, int *next_choice)
{
    for (const cJSON *it = arr ? arr->child : NULL; it; it = it->next) {
        int a = (*next)++;
        dh_Action *act = &p->act[a];
        act->inject = inject;
        act->parent = -1;
        if (!cJSON_IsObject(it)) {
            DH_LOAD_ERROR(p->c, it, "an action must be an object ({...}), not %s", dh_json_kind(it));
            continue;
        }
        p->act_json[a] = it;
        act->id = get_id(p, it, "id", true);
        add_id(p, act->id, K_ACTION, a, it);
        const cJSON *choices = cJSON_GetObjectItemCaseSensitive(it, "choices");
        if (!cJSON_IsArray(choices)) continue;
        act->first_choice = *next_choice;
        for (const cJSON *ch = choices->child; ch; ch = ch->next) {
            int k = (*next_choice)++;
            dh_Action *c = &p->act[k];
            c->inject = -1;
            c->parent = a;
            act->nchoices++;
            if (!cJSON_IsObject(ch)) {
                DH_LOAD_ERROR(p->c, ch, "a choice must be an object ({...}), not %s", dh_json_kind(ch));
                continue;
            }
            p->act_json[k] = ch;
            c->id = get_id(p, ch, "id", true);
            add_id(p, c->id, K_ACTION, k, ch);
        }
    }
}

static int count_choices(const cJSON *arr)
{
    int n = 0;
    for (const cJSON *it = arr ? arr->child : NULL; it; it = it->next) {
        const cJSON *ch = cJSON_GetObjectItemCaseSensitive(it, "choices");
        if (cJSON_IsObject(it) && cJSON_IsArray(ch)) n += cJSON_GetArraySize(ch);
    }
    return n;
}

static void collect(P *p, const cJSON *root)
{
    dh_Scenario *s = p->s;
    const cJSON *jobj = array(p, root, "objectives");
    const cJSON *jinj = array(p, root, "injects");
    const cJSON *jact = array(p, root, "actions");
    const cJSON *jexp = array(p, root, "expectations");
    const cJSON *jend = array(p, root, "endings");
    p->endings_json = jend;
    s->nobjectives = elements(p, jobj, "an objective", &p->obj_json);
    s->ninjects = elements(p, jinj, "an inject", &p->inj_json);
    s->nexpectations = elements(p, jexp, "an expectation", &p->exp_json);
    s->nendings = elements(p, jend, "an ending", &p->end_json);
    if (p->c->oom) return;

    /* Actions: every inject's, then the global ones, then all choices. */
    const cJSON **inj_actions = dh_load_array(p->c, (size_t)s->ninjects, sizeof *inj_actions);
    if (!inj_actions) return;
    int ntop = 0, nchoices = count_choices(jact);
    for (int i = 0; i < s->ninjects; i++) {
        inj_actions[i] = p->inj_json[i] ? array(p, p->inj_json[i], "actions") : NULL;
        ntop += inj_actions[i] ? cJSON_GetArraySize(inj_actions[i]) : 0;
        nchoices += count_choices(inj_actions[i]);
    }
    ntop += jact ? cJSON_GetArraySize(jact) : 0;
    s->nactions = ntop + nchoices;
    /* Real exercises have dozens of parts; a cap keeps every check below
     * cheap even on a hostile file. */
    if (s->nobjectives > DH_SCENARIO_MAX_PARTS || s->ninjects > DH_SCENARIO_MAX_PARTS ||
        s->nactions > DH_SCENARIO_MAX_PARTS || s->nexpectations > DH_SCENARIO_MAX_PARTS ||
        s->nendings > DH_SCENARIO_MAX_PARTS) {
        DH_LOAD_ERROR(p->c, root,
                      "this scenario is too big to check: %d injects, %d actions and choices, %d objectives, %d expectations and %d endings (at most %d of each)",
                      s->ninjects, s->nactions, s->nobjectives, s->nexpectations, s->nendings, DH_SCENARIO_MAX_PARTS);
        p->refused = true;
        return;
    }

    p->obj = dh_load_array(p->c, (size_t)s->nobjectives, sizeof *p->obj);
    p->inj = dh_load_array(p->c, (size_t)s->ninjects, sizeof *p->inj);
    p->act = dh_load_array(p->c, (size_t)s->nactions, sizeof *p->act);
    p->act_json = dh_load_array(p->c, (size_t)s->nactions, sizeof *p->act_json);
    p->exp = dh_load_array(p->c, (size_t)s->nexpectations, sizeof *p->exp);
    p->end = dh_load_array(p->c, (size_t)s->nendings, sizeof *p->end);
    p->obj_ids = dh_load_array(p->c, (size_t)s->nobjectives, sizeof *p->obj_ids);
    p->end_ids = dh_load_array(p->c, (size_t)s->nendings, sizeof *p->end_ids);
    int nids = s->nobjectives + s->ninjects + s->nactions + s->nexpectations + s->nendings;
    p->ids = dh_load_array(p->c, (size_t)nids, sizeof *p->ids);
    if (p->c->oom) return;

    for (int i = 0; i < s->nobjectives; i++) p->obj_ids[i] = p->obj[i].id = reg(p, p->obj_json[i], K_OBJECTIVE, i);
    int next = 0, next_choice = ntop;
    for (int i = 0; i < s->ninjects; i++) {
        dh_Inject *in = &p->inj[i];
        in->after = -1;
        in->first_action = next;
        in->id = reg(p, p->inj_json[i], K_INJECT, i);
        collect_actions(p, inj_actions[i], i, &next, &next_choice);
        in->nactions = next - in->first_action;
    }
    p->nglobal_first = next;
    collect_actions(p, jact, -1, &next, &next_choice);
    p->nglobal = next - p->nglobal_first;
    DH_ASSERT(next == ntop && next_choice == s->nactions);
    for (int i = 0; i < s->nexpectations; i++) p->exp[i].id = reg(p, p->exp_json[i], K_EXPECTATION, i);
    for (int i = 0; i < s->nendings; i++) p->end_ids[i] = p->end[i].id = reg(p, p->end_json[i], K_ENDING, i);
    finish_ids(p);

    /* The names conditions may use ("" for elements without a valid id),
     * in index order and, from the sorted registry, in name order. */
    const char **inj_ids = dh_load_array(p->c, (size_t)s->ninjects, sizeof *inj_ids);
    const char **act_ids = dh_load_array(p->c, (size_t)s->nactions, sizeof *act_ids);
    int *inj_sorted = dh_load_array(p->c, (size_t)s->ninjects, sizeof *inj_sorted);
    int *act_sorted = dh_load_array(p->c, (size_t)s->nactions, sizeof *act_sorted);
    if (p->c->oom) return;
    for (int i = 0; i < s->ninjects; i++) inj_ids[i] = p->inj[i].id ? p->inj[i].id : "";
    for (int i = 0; i < s->nactions; i++) act_ids[i] = p->act[i].id ? p->act[i].id : "";
    int ni = 0, na = 0; /* "" sorts first */
    for (int i = 0; i < s->ninjects; i++)
        if (!p->inj[i].id) inj_sorted[ni++] = i;
    for (int i = 0; i < s->nactions; i++)
        if (!p->act[i].id) act_sorted[na++] = i;
    for (int i = 0; i < p->nids; i++) {
        if (p->ids[i].kind == K_INJECT) inj_sorted[ni++] = p->ids[i].index;
        if (p->ids[i].kind == K_ACTION) act_sorted[na++] = p->ids[i].index;
    }
    DH_ASSERT(ni == s->ninjects && na == s->nactions);
    s->env.injects = inj_ids;
    s->env.ninjects = s->ninjects;
    s->env.injects_sorted = inj_sorted;
    s->env.actions = act_ids;
    s->env.nactions = s->nactions;
    s->env.actions_sorted = act_sorted;
}

/* ---- pass 2: injects ------------------------------------------------------------ */

static const char *const channel_names[] = {"mail", "chat", "phone", "siem", "log", "news", "note", NULL};

/* The content fields of each channel, required ones first: nreq says how
 * many of them are required. A cue's "field" must be one of these. */
static const struct {
    const char *fields[6];
    int nreq;
    const char *main; /* the field most cues point into, for examples */
} channel_fields[] = {
    {{"from", "subject", "body", "to", "attachments", NULL}, 3, "body"},
    {{"from", "text", NULL}, 2, "text"},
    {{"caller", "transcript", NULL}, 2, "transcript"},
    {{"severity", "host", "rule", "details", NULL}, 3, "details"},
    {{"source", "lines", NULL}, 2, "lines"},
    {{"outlet", "headline", "body", NULL}, 2, "body"},
    {{"text", "from", NULL}, 1, "text"},
};

static bool is_field(dh_Channel ch, const char *name)
{
    for (int i = 0; channel_fields[ch].fields[i]; i++)
        if (strcmp(channel_fields[ch].fields[i], name) == 0) return true;
    return false;
}

static const char *field_list(dh_Channel ch, char *buf, size_t size)
{
    int n = 0;
    while (channel_fields[ch].fields[n]) n++;
    return dh_join_names(channel_fields[ch].fields, n, buf, size);
}

/* An array of strings (attachments, log lines). */
static const char *const *strings(P *p, const cJSON *obj, const char *key, int *n, bool nonempty_items)
{
    *n = 0;
    const cJSON *arr = array(p, obj, key);
    if (!arr) return NULL;
    int len = cJSON_GetArraySize(arr);
    if (len == 0) {
        DH_LOAD_ERROR(p->c, arr, "'%s' must not be empty", key);
        return NULL;
    }
    const char **v = dh_load_array(p->c, (size_t)len, sizeof *v);
    if (!v) return NULL;
    for (const cJSON *it = arr->child; it; it = it->next) {
        if (!cJSON_IsString(it) || (nonempty_items && !it->valuestring[0])) {
            DH_LOAD_ERROR(p->c, it, "every item of '%s' must be a %sstring, not %s", key,
                          nonempty_items ? "non-empty " : "", cJSON_IsString(it) ? "\"\"" : dh_json_kind(it));
            continue;
        }
        v[(*n)++] = dh_load_strdup(p->c, it->valuestring);
    }
    return v;
}

static void parse_cues(P *p, const cJSON *content, dh_Channel ch, dh_InjectContent *ct)
{
    const cJSON *arr = array(p, content, "cues");
    int n = arr ? cJSON_GetArraySize(arr) : 0;
    if (n > DH_SCENARIO_MAX_LIST) DH_LOAD_ERROR(p->c, arr, "%d cues are too many (at most %d)", n, DH_SCENARIO_MAX_LIST);
    if (n == 0 || n > DH_SCENARIO_MAX_LIST) return;
    dh_Cue *cues = dh_load_array(p->c, (size_t)n, sizeof *cues);
    if (!cues) return;
    int k = 0;
    char list[120];
    for (const cJSON *it = arr->child; it; it = it->next) {
        dh_Cue *cue = &cues[k];
        const cJSON *idv = it;
        if (cJSON_IsString(it)) {
            if (!is_field(ch, it->valuestring)) {
                DH_LOAD_ERROR(p->c, it,
                              "cue '%s' is not a field of %s content (%s); to point inside a field, write {\"id\": \"%s\", \"field\": \"%s\", \"text\": \"why it is suspicious\"}",
                              it->valuestring, channel_names[ch], field_list(ch, list, sizeof list), it->valuestring,
                              channel_fields[ch].main);
                continue;
            }
            cue->id = cue->field = dh_load_strdup(p->c, it->valuestring);
        } else if (cJSON_IsObject(it)) {
            static const char *const known[] = {"id", "field", "text", NULL};
            dh_json_check_members(DOC(p), DIAGS(p), it, known, "a cue");
            cue->id = get_id(p, it, "id", true);
            idv = cJSON_GetObjectItemCaseSensitive(it, "id");
            const cJSON *f = dh_json_get(DOC(p), DIAGS(p), it, "field", DH_JSON_STRING, false);
            if (f && !is_field(ch, f->valuestring))
                DH_LOAD_ERROR(p->c, f, "'%s' is not a field of %s content (%s)", f->valuestring, channel_names[ch],
                              field_list(ch, list, sizeof list));
            else if (f)
                cue->field = dh_load_strdup(p->c, f->valuestring);
            dh_load_text(p->c, it, "text", false, &cue->text);
            if (!cue->id) continue;
        } else {
            DH_LOAD_ERROR(p->c, it, "a cue must be a field name such as \"from\" or an object {\"id\", \"field\", \"text\"}, not %s",
                          dh_json_kind(it));
            continue;
        }
        bool dup = false;
        for (int i = 0; i < k && !dup; i++) dup = strcmp(cues[i].id, cue->id) == 0;
        if (dup) {
            DH_LOAD_ERROR(p->c, idv, "duplicate cue '%s' in this inject", cue->id);
            continue;
        }
        k++;
    }
    ct->cues = cues;
    ct->ncues = k;
}

/* A content text: required ones get a message that names the channel. */
static void ctext(P *p, const cJSON *o, dh_Channel ch, const char *key, dh_Text *out)
{
    bool req = false;
    for (int i = 0; i < channel_fields[ch].nreq; i++) req |= strcmp(channel_fields[ch].fields[i], key) == 0;
    if (req && !cJSON_GetObjectItemCaseSensitive(o, key)) {
        DH_LOAD_ERROR(p->c, o, "a %s inject needs '%s' in its content", channel_names[ch], key);
        return;
    }
    dh_load_text(p->c, o, key, req, out);
}

static void parse_content(P *p, const cJSON *inj, dh_Channel ch, dh_InjectContent *ct)
{
    const cJSON *o = dh_json_get(DOC(p), DIAGS(p), inj, "content", DH_JSON_OBJECT, true);
    if (!o) return;
    const char *known[10];
    int n = 0;
    for (int i = 0; channel_fields[ch].fields[i]; i++) known[n++] = channel_fields[ch].fields[i];
    known[n++] = "image";
    known[n++] = "alt";
    known[n++] = "cues";
    known[n] = NULL;
    char what[32];
    snprintf(what, sizeof what, "%s content", channel_names[ch]);
    dh_json_check_members(DOC(p), DIAGS(p), o, known, what);
    switch (ch) {
    case DH_CHANNEL_MAIL:
        ctext(p, o, ch, "from", &ct->from);
        ctext(p, o, ch, "to", &ct->to);
        ctext(p, o, ch, "subject", &ct->subject);
        ctext(p, o, ch, "body", &ct->body);
        ct->attachments = strings(p, o, "attachments", &ct->nattachments, true);
        break;
    case DH_CHANNEL_CHAT:
    case DH_CHANNEL_NOTE:
        ctext(p, o, ch, "from", &ct->from);
        ctext(p, o, ch, "text", &ct->text);
        break;
    case DH_CHANNEL_PHONE:
        ctext(p, o, ch, "caller", &ct->caller);
        ctext(p, o, ch, "transcript", &ct->transcript);
        break;
    case DH_CHANNEL_SIEM: {
        static const char *const levels[] = {"low", "medium", "high", "critical", NULL};
        if (!cJSON_GetObjectItemCaseSensitive(o, "severity"))
            DH_LOAD_ERROR(p->c, o, "a siem inject needs 'severity' in its content");
        else
            ct->severity = (dh_AlertLevel)choose(p, o, "severity", levels, "low, medium, high or critical", 0, true);
        if (!cJSON_GetObjectItemCaseSensitive(o, "host"))
            DH_LOAD_ERROR(p->c, o, "a siem inject needs 'host' in its content");
        else if ((ct->host = dh_json_string(DOC(p), DIAGS(p), o, "host", true)))
            ct->host = dh_load_strdup(p->c, ct->host);
        ctext(p, o, ch, "rule", &ct->rule);
        ctext(p, o, ch, "details", &ct->details);
        break;
    }
    case DH_CHANNEL_LOG:
        if (!cJSON_GetObjectItemCaseSensitive(o, "source"))
            DH_LOAD_ERROR(p->c, o, "a log inject needs 'source' in its content");
        else if ((ct->source = dh_json_string(DOC(p), DIAGS(p), o, "source", true)))
            ct->source = dh_load_strdup(p->c, ct->source);
        if (!cJSON_GetObjectItemCaseSensitive(o, "lines"))
            DH_LOAD_ERROR(p->c, o, "a log inject needs 'lines' in its content");
        else
            ct->lines = strings(p, o, "lines", &ct->nlines, false);
        break;
    case DH_CHANNEL_NEWS:
        ctext(p, o, ch, "outlet", &ct->outlet);
        ctext(p, o, ch, "headline", &ct->headline);
        ctext(p, o, ch, "body", &ct->body);
        break;
    }
    ct->image = dh_load_asset(p->c, o, "image", false, DH_ASSET_IMAGE);
    if (cJSON_GetObjectItemCaseSensitive(o, "image") && !cJSON_GetObjectItemCaseSensitive(o, "alt"))
        DH_LOAD_ERROR(p->c, o, "an image needs 'alt': a description for trainees who cannot see it");
    else
        dh_load_text(p->c, o, "alt", false, &ct->alt);
    parse_cues(p, o, ch, ct);
}

static void parse_action(P *p, int a);

static void parse_inject(P *p, int i)
{
    const cJSON *o = p->inj_json[i];
    if (!o) return;
    dh_Inject *in = &p->inj[i];
    static const char *const known[] = {"id", "channel", "at_s", "after", "delay_s", "when",
                                        "content", "actions", "expires_s", NULL};
    dh_json_check_members(DOC(p), DIAGS(p), o, known, "an inject");
    dh_json_pos(DOC(p), o, &in->line, &in->col);
    const cJSON *chv = dh_json_get(DOC(p), DIAGS(p), o, "channel", DH_JSON_STRING, true);
    int ch = chv ? lookup(chv->valuestring, channel_names) : -1;
    if (chv && ch < 0)
        DH_LOAD_ERROR(p->c, chv, "unknown channel '%s' (use mail, chat, phone, siem, log, news or note)",
                      chv->valuestring);

    const cJSON *at = cJSON_GetObjectItemCaseSensitive(o, "at_s");
    const cJSON *after = cJSON_GetObjectItemCaseSensitive(o, "after");
    const cJSON *delay = cJSON_GetObjectItemCaseSensitive(o, "delay_s");
    in->at_s = seconds(p, o, "at_s", 0);
    in->after = ref(p, o, "after", K_INJECT, false);
    in->delay_s = seconds(p, o, "delay_s", 0);
    in->when = cond(p, o, "when", &in->when_text);
    if (at && after)
        DH_LOAD_ERROR(p->c, after, "an inject fires either at a time ('at_s') or after another inject ('after'), not both");
    if (delay && !after)
        DH_LOAD_WARN(p->c, delay, "'delay_s' only applies together with 'after' (ignored)");
    if (cJSON_IsNumber(at) && p->s->clock.limit_s > 0 && in->at_s > p->s->clock.limit_s)
        DH_LOAD_ERROR(p->c, at, "'at_s' is %ld s, after the clock's limit_s of %ld s: this inject would never fire",
                      in->at_s, p->s->clock.limit_s);
    in->trigger = at ? DH_TRIGGER_AT : after ? DH_TRIGGER_AFTER : cJSON_GetObjectItemCaseSensitive(o, "when")
                                                                    ? DH_TRIGGER_WHEN : DH_TRIGGER_EFFECT;
    in->expires_s = seconds(p, o, "expires_s", 1);
    if (ch >= 0) {
        in->channel = (dh_Channel)ch;
        parse_content(p, o, in->channel, &in->content);
    }
    for (int a = in->first_action; a < in->first_action + in->nactions; a++) parse_action(p, a);
}

/* ---- pass 2: actions and effects ---------------------------------------------- */

/* A variable named by the member m of a set/add object, or NULL (reported). */
static const dh_VarDecl *effect_var(P *p, const cJSON *m, int *index)
{
    *index = var_index(p, m->string);
    if (*index >= 0) return &p->vars[*index];
    char sbuf[128];
    dh_json_diag_key(DOC(p), DIAGS(p), DH_ERROR, m, "unknown variable '%s'%s", m->string,
                     hint(p, m->string, p->var_names, p->s->env.nvars, sbuf, sizeof sbuf));
    return NULL;
}

/* One {"set": {...}} or {"add": {...}}: appends to eff. */
static void set_or_add(P *p, const cJSON *obj, bool add, dh_Effect *eff, int *n)
{
    const char *verb = add ? "add" : "set";
    const cJSON *o = dh_json_get(DOC(p), DIAGS(p), obj, verb, DH_JSON_OBJECT, true);
    if (!o) return;
    if (!o->child)
        DH_LOAD_ERROR(p->c, o, "'%s' names no variable: write e.g. {\"%s\": {\"%s\": %s}}", verb, verb,
                      add ? "hosts_encrypted" : "reported", add ? "1" : "true");
    for (const cJSON *m = o->child; m; m = m->next) {
        int vi;
        const dh_VarDecl *var = effect_var(p, m, &vi);
        if (!var) continue;
        int64_t value = 0;
        bool whole = cJSON_IsNumber(m) && isfinite(m->valuedouble) && m->valuedouble == floor(m->valuedouble) &&
                     fabs(m->valuedouble) <= 1e15;
        if (add && var->type != DH_VAR_INT) {
            dh_json_diag_key(DOC(p), DIAGS(p), DH_ERROR, m, "'add' needs a number variable, but '%s' is %s",
                             var->name, var->type == DH_VAR_BOOL ? "a boolean" : "an enum");
            continue;
        }
        if (var->type == DH_VAR_BOOL) {
            if (!cJSON_IsBool(m)) {
                DH_LOAD_ERROR(p->c, m, "'%s' is a boolean, so it can only be set to true or false, not %s",
                              var->name, dh_json_kind(m));
                continue;
            }
            value = cJSON_IsTrue(m);
        } else if (var->type == DH_VAR_INT) {
            if (!whole) {
                if (cJSON_IsNumber(m))
                    DH_LOAD_ERROR(p->c, m, "'%s' holds whole numbers, so %s a whole number, not %g", var->name,
                                  add ? "add" : "set it to", m->valuedouble);
                else
                    DH_LOAD_ERROR(p->c, m, "'%s' is a number, so it can only be %s a whole number, not %s", var->name,
                                  add ? "increased by" : "set to", dh_json_kind(m));
                continue;
            }
            value = (int64_t)m->valuedouble;
        } else {
            char list[200];
            if (!cJSON_IsString(m)) {
                DH_LOAD_ERROR(p->c, m, "'%s' is an enum, so it can only be set to one of its values (%s), not %s",
                              var->name, dh_join_names(var->values, var->nvalues, list, sizeof list), dh_json_kind(m));
                continue;
            }
            int k = enum_value(p, var, m);
            if (k < 0) continue;
            value = k;
        }
        dh_Effect *e = &eff[(*n)++];
        e->kind = add ? DH_EFFECT_ADD : DH_EFFECT_SET;
        e->target = vi;
        e->value = value;
    }
}

static void parse_effects(P *p, const cJSON *o, dh_Action *act)
{
    const cJSON *arr = array(p, o, "effects");
    if (!arr) return;
    int cap = 0;
    for (const cJSON *it = arr->child; it; it = it->next) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(it, "set");
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(it, "add");
        cap += 1 + (cJSON_IsObject(s) ? cJSON_GetArraySize(s) : 0) + (cJSON_IsObject(a) ? cJSON_GetArraySize(a) : 0);
    }
    dh_Effect *eff = dh_load_array(p->c, (size_t)cap, sizeof *eff);
    if (!eff) return;
    int n = 0;
    static const char *const verbs[] = {"set", "add", "fire", "cancel", "end", NULL};
    static const char *const known[] = {"set", "add", "fire", "cancel", "end", "delay_s", NULL};
    for (const cJSON *it = arr->child; it; it = it->next) {
        if (!cJSON_IsObject(it)) {
            DH_LOAD_ERROR(p->c, it, "an effect must be an object such as {\"set\": {\"reported\": true}}, not %s",
                          dh_json_kind(it));
            continue;
        }
        dh_json_check_members(DOC(p), DIAGS(p), it, known, "an effect");
        int verb = -1, nverbs = 0;
        const char *other = NULL;
        for (int k = 0; verbs[k]; k++) {
            if (!cJSON_GetObjectItemCaseSensitive(it, verbs[k])) continue;
            if (nverbs++ == 0) verb = k;
            else if (!other) other = verbs[k];
        }
        if (nverbs == 0) {
            DH_LOAD_ERROR(p->c, it, "an effect needs one of 'set', 'add', 'fire', 'cancel' or 'end'");
            continue;
        }
        if (nverbs > 1) {
            DH_LOAD_ERROR(p->c, it, "an effect does one thing, but this one has both '%s' and '%s'; split it into two effects",
                          verbs[verb], other);
            continue;
        }
        const cJSON *delay = cJSON_GetObjectItemCaseSensitive(it, "delay_s");
        if (delay && verb != 2) DH_LOAD_WARN(p->c, delay, "'delay_s' only applies to 'fire' (ignored)");
        if (verb <= 1) {
            set_or_add(p, it, verb == 1, eff, &n);
            continue;
        }
        static const Kind kinds[] = {K_INJECT, K_INJECT, K_ENDING};
        static const dh_EffectKind ek[] = {DH_EFFECT_FIRE, DH_EFFECT_CANCEL, DH_EFFECT_END};
        int t = ref(p, it, verbs[verb], kinds[verb - 2], true);
        long d = seconds(p, it, "delay_s", 0);
        if (t < 0) continue;
        dh_Effect *e = &eff[n++];
        e->kind = ek[verb - 2];
        e->target = t;
        e->delay_s = verb == 2 ? d : 0;
    }
    act->effects = eff;
    act->neffects = n;
}

static void parse_action(P *p, int a)
{
    const cJSON *o = p->act_json[a];
    if (!o) return;
    dh_Action *act = &p->act[a];
    bool choice = act->parent >= 0;
    static const char *const known[] = {"id", "label", "when", "effects", "response", "prompt",
                                        "choices", "feedback", "repeatable", NULL};
    static const char *const known_choice[] = {"id", "label", "when", "effects", "feedback", NULL};
    dh_json_check_members(DOC(p), DIAGS(p), o, choice ? known_choice : known, choice ? "a choice" : "an action");
    dh_json_pos(DOC(p), o, &act->line, &act->col);
    dh_load_text(p->c, o, "label", true, &act->label);
    act->when = cond(p, o, "when", &act->when_text);
    parse_effects(p, o, act);
    dh_load_text(p->c, o, "feedback", false, &act->feedback);
    if (choice) return;
    act->repeatable = dh_json_bool(DOC(p), DIAGS(p), o, "repeatable", false);
    static const char *const responses[] = {"none", "text", "choice", NULL};
    const cJSON *rv = cJSON_GetObjectItemCaseSensitive(o, "response");
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(o, "choices");
    act->response = (dh_Response)choose(p, o, "response", responses, "none, text or choice",
                                        choices ? DH_RESPONSE_CHOICE : DH_RESPONSE_NONE, false);
    dh_load_text(p->c, o, "prompt", false, &act->prompt);
    if (choices && !cJSON_IsArray(choices))
        DH_LOAD_ERROR(p->c, choices, "'choices' must be an array, not %s", dh_json_kind(choices));
    else if (choices && act->response != DH_RESPONSE_CHOICE)
        DH_LOAD_ERROR(p->c, rv, "an action with 'choices' must have \"response\": \"choice\"");
    else if (act->response == DH_RESPONSE_CHOICE && act->nchoices < 2)
        DH_LOAD_ERROR(p->c, choices ? choices : rv, "a \"choice\" response needs at least two 'choices'");
    if (act->response == DH_RESPONSE_TEXT && act->prompt.count == 0)
        DH_LOAD_ERROR(p->c, rv, "a \"text\" response needs a 'prompt' telling the trainee what to write");
    for (int k = act->first_choice; k < act->first_choice + act->nchoices; k++) parse_action(p, k);
}

/* ---- pass 2: objectives, expectations, endings, debrief -------------------------- */

static void parse_objective(P *p, int i)
{
    const cJSON *o = p->obj_json[i];
    if (!o) return;
    static const char *const known[] = {"id", "text", "weight", NULL};
    dh_json_check_members(DOC(p), DIAGS(p), o, known, "an objective");
    dh_load_text(p->c, o, "text", true, &p->obj[i].text);
    p->obj[i].weight = positive(p, o, "weight", 1, "it is the objective's share of the score");
}

static void parse_expectation(P *p, int i)
{
    const cJSON *o = p->exp_json[i];
    if (!o) return;
    dh_Expectation *x = &p->exp[i];
    static const char *const known[] = {"id", "text", "action", "when", "keep", "from", "within_s",
                                        "score", "objective", "debrief", NULL};
    dh_json_check_members(DOC(p), DIAGS(p), o, known, "an expectation");
    dh_load_text(p->c, o, "text", true, &x->text);
    const cJSON *av = cJSON_GetObjectItemCaseSensitive(o, "action");
    const cJSON *wv = cJSON_GetObjectItemCaseSensitive(o, "when");
    x->action = ref(p, o, "action", K_ACTION, false);
    x->when = cond(p, o, "when", &x->when_text);
    if (av && wv)
        DH_LOAD_ERROR(p->c, wv, "an expectation is met either by an 'action' or by a 'when' condition, not both");
    else if (!av && !wv)
        DH_LOAD_ERROR(p->c, o, "an expectation needs an 'action' the trainee should take or a 'when' condition");
    x->keep = dh_json_bool(DOC(p), DIAGS(p), o, "keep", false);
    const cJSON *kv = cJSON_GetObjectItemCaseSensitive(o, "keep");
    if (x->keep && av && !wv)
        DH_LOAD_ERROR(p->c, kv, "'keep' applies to a 'when' condition that must hold throughout, not to an 'action'");
    x->from = -1;
    if (cJSON_GetObjectItemCaseSensitive(o, "from")) {
        x->from = ref(p, o, "from", K_INJECT, false);
    } else if (x->action >= 0) {
        /* An action offered by an inject counts from that inject's arrival. */
        const dh_Action *a = &p->act[x->action];
        if (a->parent >= 0) a = &p->act[a->parent];
        x->from = a->inject;
    }
    x->within_s = seconds(p, o, "within_s", 1);
    x->score = positive(p, o, "score", 1, "it is the points the expectation is worth");
    x->objective = ref(p, o, "objective", K_OBJECTIVE, false);
    dh_load_text(p->c, o, "debrief", false, &x->debrief);
    const cJSON *ws = cJSON_GetObjectItemCaseSensitive(o, "within_s");
    if (ws && p->s->clock.limit_s > 0 && x->within_s > p->s->clock.limit_s)
        DH_LOAD_WARN(p->c, ws, "'within_s' is %ld s, longer than the whole exercise (limit_s %ld s)", x->within_s,
                     p->s->clock.limit_s);
}

static void parse_ending(P *p, int i)
{
    const cJSON *o = p->end_json[i];
    if (!o) return;
    dh_Ending *e = &p->end[i];
    static const char *const known[] = {"id", "when", "title", "text", "outcome", NULL};
    dh_json_check_members(DOC(p), DIAGS(p), o, known, "an ending");
    e->when = cond(p, o, "when", &e->when_text);
    dh_load_text(p->c, o, "title", false, &e->title);
    dh_load_text(p->c, o, "text", true, &e->text);
    static const char *const outcomes[] = {"success", "partial", "failure", NULL};
    e->outcome = (dh_Outcome)choose(p, o, "outcome", outcomes, "success, partial or failure", DH_OUTCOME_FAILURE,
                                    true);
    if (cJSON_GetObjectItemCaseSensitive(o, "when")) return;
    if (p->s->default_ending >= 0) {
        DH_LOAD_ERROR(p->c, cJSON_GetObjectItemCaseSensitive(o, "id"),
                      "only one ending may leave out 'when' (the default, used when time runs out); '%s' already does",
                      p->end[p->s->default_ending].id ? p->end[p->s->default_ending].id : "?");
        return;
    }
    p->s->default_ending = i;
}

static void parse_debrief(P *p, const cJSON *root)
{
    const cJSON *o = dh_json_get(DOC(p), DIAGS(p), root, "debrief", DH_JSON_OBJECT, false);
    if (!o) return;
    static const char *const known[] = {"summary", "discussion", NULL};
    dh_json_check_members(DOC(p), DIAGS(p), o, known, "the debrief");
    dh_Debrief *d = &p->s->debrief;
    dh_load_text(p->c, o, "summary", false, &d->summary);
    const cJSON *arr = array(p, o, "discussion");
    if (!arr) return;
    int n = cJSON_GetArraySize(arr);
    dh_Text *items = dh_load_array(p->c, (size_t)n, sizeof *items);
    if (!items) return;
    for (const cJSON *it = arr->child; it; it = it->next)
        if (dh_load_text_value(p->c, it, "a discussion question", &items[d->ndiscussion])) d->ndiscussion++;
    d->discussion = items;
}

/* The status panel: [{"var": "hosts_affected", "label": "Hosts affected"},
 * {"var": "stage", "label": "Stage", "values": {"clean": "Clean", ...}}]. */
static void parse_status(P *p, const cJSON *root)
{
    const cJSON *arr = array(p, root, "status");
    if (!arr) return;
    int n = cJSON_GetArraySize(arr);
    if (n > DH_SCENARIO_MAX_LIST) {
        DH_LOAD_ERROR(p->c, arr, "the status panel shows at most %d variables, not %d", DH_SCENARIO_MAX_LIST, n);
        return;
    }
    dh_ScStatus *st = dh_load_array(p->c, (size_t)n, sizeof *st);
    if (!st) return;
    int k = 0;
    for (const cJSON *it = arr->child; it; it = it->next) {
        if (!cJSON_IsObject(it)) {
            DH_LOAD_ERROR(p->c, it, "a status line must be an object ({\"var\": ..., \"label\": ...}), not %s",
                          dh_json_kind(it));
            continue;
        }
        static const char *const known[] = {"var", "label", "values", NULL};
        dh_json_check_members(DOC(p), DIAGS(p), it, known, "a status line");
        dh_ScStatus *x = &st[k];
        bool ok = dh_load_text(p->c, it, "label", true, &x->label);
        const cJSON *v = dh_json_get(DOC(p), DIAGS(p), it, "var", DH_JSON_STRING, true);
        if (!v) continue;
        x->var = var_index(p, v->valuestring);
        if (x->var < 0) {
            char sbuf[128];
            DH_LOAD_ERROR(p->c, v, "unknown variable '%s'%s", v->valuestring,
                          hint(p, v->valuestring, p->var_names, p->s->env.nvars, sbuf, sizeof sbuf));
            continue;
        }
        for (int i = 0; i < k; i++)
            if (st[i].var == x->var)
                DH_LOAD_WARN(p->c, v, "variable '%s' is already shown in the status panel", v->valuestring);
        const dh_VarDecl *var = &p->vars[x->var];
        const cJSON *vals = dh_json_get(DOC(p), DIAGS(p), it, "values", DH_JSON_OBJECT, false);
        if (vals && var->type != DH_VAR_ENUM) {
            DH_LOAD_ERROR(p->c, vals, "'values' names the values of an enum variable, but '%s' is %s",
                          var->name, var->type == DH_VAR_BOOL ? "a boolean (shown as Yes or No)" : "a number");
            vals = NULL;
        }
        if (vals) {
            dh_Text *texts = dh_load_array(p->c, (size_t)var->nvalues, sizeof *texts);
            if (!texts) return;
            for (const cJSON *m = vals->child; m; m = m->next) {
                int e = -1;
                for (int i = 0; i < var->nvalues && e < 0; i++)
                    if (strcmp(var->values[i], m->string) == 0) e = i;
                if (e < 0) {
                    char sbuf[128], list[200];
                    hint(p, m->string, var->values, var->nvalues, sbuf, sizeof sbuf);
                    if (sbuf[0])
                        dh_json_diag_key(DOC(p), DIAGS(p), DH_ERROR, m, "'%s' is not a value of '%s'%s", m->string,
                                         var->name, sbuf);
                    else
                        dh_json_diag_key(DOC(p), DIAGS(p), DH_ERROR, m, "'%s' is not a value of '%s' (its values are: %s)",
                                         m->string, var->name, dh_join_names(var->values, var->nvalues, list, sizeof list));
                    continue;
                }
                dh_load_text_value(p->c, m, "a status value", &texts[e]);
            }
            x->values = texts;
        }
        if (ok) k++;
    }
    p->s->status = st;
    p->s->nstatus = k;
}

/* ---- entry points -------------------------------------------------------------- */

static void default_banner(P *p)
{
    dh_TextItem *it = dh_load_array(p->c, 1, sizeof *it);
    if (!it) return;
    it->text = "EXERCISE \xE2\x80\x94 EXERCISE \xE2\x80\x94 EXERCISE";
    p->s->banner.items = it;
    p->s->banner.count = 1;
}

dh_Status dh_scenario_parse(dh_LoadCtx *c, const cJSON *root, dh_Scenario **out)
{
    *out = NULL;
    if (!cJSON_IsObject(root)) {
        DH_LOAD_ERROR(c, root, "a scenario file must hold an object ({...}), not %s", dh_json_kind(root));
        return DH_OK;
    }
    P p = {0};
    p.c = c;
    p.root = root;
    p.s = dh_load_array(c, 1, sizeof *p.s);
    if (!p.s) return DH_ENOMEM;
    dh_Scenario *s = p.s;
    s->default_ending = -1;
    static const char *const known[] = {"title", "description", "briefing", "banner", "clock", "seed", "vars",
                                        "objectives", "injects", "actions", "expectations", "endings", "debrief",
                                        "status", NULL};
    dh_json_check_members(c->doc, c->diags, root, known, "a scenario");
    dh_load_text(c, root, "title", false, &s->title);
    dh_load_text(c, root, "description", false, &s->description);
    dh_load_text(c, root, "briefing", false, &s->briefing);
    if (cJSON_GetObjectItemCaseSensitive(root, "banner")) dh_load_text(c, root, "banner", true, &s->banner);
    else default_banner(&p);
    parse_clock(&p, root);
    s->seed = (uint32_t)dh_json_int(c->doc, c->diags, root, "seed", 0, 0, 4294967295L, false);
    parse_vars(&p, root);
    if (c->oom) return DH_ENOMEM;
    if (!p.refused) collect(&p, root);
    if (c->oom) return DH_ENOMEM;
    if (p.refused) return DH_OK;
    for (int i = 0; i < s->nobjectives; i++) parse_objective(&p, i);
    for (int i = 0; i < s->ninjects; i++) parse_inject(&p, i);
    for (int a = p.nglobal_first; a < p.nglobal_first + p.nglobal; a++) parse_action(&p, a);
    for (int i = 0; i < s->nexpectations; i++) parse_expectation(&p, i);
    for (int i = 0; i < s->nendings; i++) parse_ending(&p, i);
    parse_debrief(&p, root);
    parse_status(&p, root);
    if (c->oom) return DH_ENOMEM;

    s->objectives = p.obj;
    s->injects = p.inj;
    s->actions = p.act;
    s->expectations = p.exp;
    s->endings = p.end;
    dh_scenario_analyse(&p);
    if (c->oom) return DH_ENOMEM;
    *out = s;
    return DH_OK;
}

int dh_scenario_inject_index(const dh_Scenario *s, const char *id)
{
    for (int i = 0; i < s->ninjects; i++)
        if (s->injects[i].id && strcmp(s->injects[i].id, id) == 0) return i;
    return -1;
}

int dh_scenario_action_index(const dh_Scenario *s, const char *id)
{
    for (int i = 0; i < s->nactions; i++)
        if (s->actions[i].id && strcmp(s->actions[i].id, id) == 0) return i;
    return -1;
}

int dh_scenario_var_index(const dh_Scenario *s, const char *name)
{
    for (int i = 0; i < s->env.nvars; i++)
        if (strcmp(s->env.vars[i].name, name) == 0) return i;
    return -1;
}

const char *dh_channel_name(dh_Channel ch)
{
    return (unsigned)ch < 7 ? channel_names[ch] : "?";
}

const char *dh_outcome_name(dh_Outcome o)
{
    static const char *const names[] = {"success", "partial", "failure"};
    return (unsigned)o < 3 ? names[o] : "?";
}
