/* progress: applying the course rules and journaling in one commit.
 *
 * The in-memory copy (modules, states, verdict) always equals what is in
 * the store: a change is computed on copies, committed, and only then copied
 * back, so a failed commit (disk full, a duplicate statement id) leaves both
 * the database and this object as they were.
 */
#include "progress.h"

#include "alloc.h"

#include <string.h>

static void module_progress_from_state(dh_ModuleProgress *m, const dh_ModuleState *s)
{
    m->attempted = s->status != DH_PROGRESS_NOT_ATTEMPTED || s->completed || s->passed;
    m->completed = s->completed;
    m->passed = s->passed;
    m->failed_final = s->status == DH_PROGRESS_FAILED;
    m->has_score = s->has_score;
    m->scaled = s->score;
}

typedef struct LoadCtx {
    dh_Progress *p;
} LoadCtx;

static dh_Status load_module(const dh_ModuleState *m, void *ctx, dh_Error *err)
{
    dh_Progress *p = ((LoadCtx *)ctx)->p;
    (void)err;
    int i = dh_course_module_index(p->course, m->module_id);
    if (i < 0) return DH_OK; /* a module this version does not have: ignore */
    p->states[i] = *m;
    p->states[i].module_id = p->course->modules[i].id;
    p->states[i].resume = NULL;
    p->states[i].resume_len = 0;
    p->states[i].resume_op = DH_RESUME_KEEP;
    module_progress_from_state(&p->modules[i], &p->states[i]);
    return DH_OK;
}

dh_Status dh_progress_open(dh_Progress **out, dh_Store *store, const dh_Course *course,
                           const dh_XapiConfig *xapi, const char *trainee_id, dh_Error *err)
{
    *out = NULL;
    if (!course->ok || !course->id || !course->version)
        return dh_fail(err, DH_EINVAL, "the course has errors and cannot be played");
    dh_Status st = dh_xapi_config_check(xapi, err);
    if (st != DH_OK) return st;
    dh_Progress *p = dh_calloc(1, sizeof *p);
    if (!p) return dh_fail(err, DH_ENOMEM, "out of memory");
    p->store = store;
    p->course = course;
    p->xapi = *xapi;
    p->modules = dh_calloc((size_t)course->nmodules + 1, sizeof *p->modules);
    p->states = dh_calloc((size_t)course->nmodules + 1, sizeof *p->states);
    if (!p->modules || !p->states) {
        st = dh_fail(err, DH_ENOMEM, "out of memory");
        goto fail;
    }
    for (int i = 0; i < course->nmodules; i++) p->states[i].module_id = course->modules[i].id;
    st = dh_store_trainee_get(store, trainee_id, &p->trainee, err);
    if (st != DH_OK) goto fail;
    st = dh_store_enrol(store, p->trainee.id, course->id, course->version, &p->enrolment, err);
    if (st != DH_OK) goto fail;
    LoadCtx lc = {p};
    st = dh_store_modules_each(store, p->enrolment.registration, load_module, &lc, err);
    if (st != DH_OK) goto fail;
    /* Anything recorded means the course was launched in this attempt
     * (cmi5: what satisfies moveOn NotApplicable). */
    p->launched = p->enrolment.status != DH_PROGRESS_NOT_ATTEMPTED;
    for (int i = 0; i < course->nmodules; i++) p->launched |= p->modules[i].attempted;
    dh_completion_evaluate(course, p->modules, p->launched, &p->verdict);
    *out = p;
    return DH_OK;
fail:
    dh_progress_close(p);
    return st;
}

void dh_progress_close(dh_Progress *p)
{
    if (!p) return;
    dh_free(p->modules);
    dh_free(p->states);
    dh_free(p);
}

dh_XapiContext dh_progress_context(const dh_Progress *p, int module)
{
    dh_XapiContext ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.config = &p->xapi;
    ctx.trainee_id = p->trainee.id;
    ctx.trainee_name = p->trainee.name;
    ctx.course = p->course;
    ctx.registration = p->enrolment.registration;
    ctx.module = module;
    ctx.language = p->trainee.lang[0] ? p->trainee.lang : NULL;
    return ctx;
}

/* The course statements a change of verdict causes, appended to list. */
static dh_Status course_statements(const dh_Progress *p, const dh_CourseProgress *was,
                                   const dh_CourseProgress *now, int64_t time_ms, int64_t now_ms,
                                   dh_XapiStatement *list, int *n, dh_Error *err)
{
    dh_XapiContext ctx = dh_progress_context(p, -1);
    dh_XapiResult res;
    memset(&res, 0, sizeof res);
    res.has_duration = true;
    res.duration_ms = time_ms;
    if (now->has_score) dh_xapi_score(&res, now->scaled * 100.0, 0, 100);
    const struct {
        bool happened;
        dh_XapiVerb verb;
    } events[] = {
        {now->completed && !was->completed, DH_XAPI_COMPLETED},
        {now->passed && !was->passed, DH_XAPI_PASSED},
        {now->failed && !was->failed, DH_XAPI_FAILED},
    };
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
        if (!events[i].happened) continue;
        dh_Status st = dh_xapi_course_statement(&list[*n], &ctx, events[i].verb, &res, now_ms, err);
        if (st != DH_OK) return st;
        (*n)++;
    }
    return DH_OK;
}

dh_Status dh_progress_record(dh_Progress *p, int module, const dh_ModuleState *state,
                             dh_XapiStatement *statements, int n, int64_t now_ms, dh_Error *err)
{
    enum { COURSE_EVENTS = 3 };
    dh_Status st = DH_OK;
    dh_XapiStatement *all = NULL;
    dh_StoreStatement *rows = NULL;
    char **texts = NULL;
    int total = n;
    if (module >= p->course->nmodules || (module >= 0 && !state) || n < 0) {
        st = dh_fail(err, DH_EINVAL, "dh_progress_record: bad module %d", module);
        goto done;
    }

    /* The change, computed on copies. */
    dh_ModuleState new_state;
    dh_ModuleProgress *mods = dh_malloc(((size_t)p->course->nmodules + 1) * sizeof *mods);
    all = dh_calloc((size_t)n + COURSE_EVENTS, sizeof *all);
    rows = dh_calloc((size_t)n + COURSE_EVENTS, sizeof *rows);
    texts = dh_calloc((size_t)n + COURSE_EVENTS, sizeof *texts);
    if (!mods || !all || !rows || !texts) {
        dh_free(mods);
        st = dh_fail(err, DH_ENOMEM, "out of memory: nothing was saved");
        goto done;
    }
    memcpy(mods, p->modules, (size_t)p->course->nmodules * sizeof *mods);
    if (module >= 0) {
        new_state = *state;
        new_state.module_id = p->course->modules[module].id;
        /* Completed and passed, once reached in an attempt at the course,
         * stay (cmi5): a new quiz attempt does not un-complete the module,
         * and the course's statements are never sent twice. */
        new_state.completed |= p->states[module].completed;
        new_state.passed |= p->states[module].passed;
        module_progress_from_state(&mods[module], &new_state);
    }
    dh_CourseProgress verdict;
    dh_completion_evaluate(p->course, mods, true, &verdict); /* recording = launched */
    int64_t time_ms = 0;
    for (int i = 0; i < p->course->nmodules; i++)
        time_ms += i == module ? new_state.time_ms : p->states[i].time_ms;

    for (int i = 0; i < n; i++) all[i] = statements[i];
    if (n > 0) memset(statements, 0, (size_t)n * sizeof *statements); /* consumed */
    st = course_statements(p, &p->verdict, &verdict, time_ms, now_ms, all, &total, err);
    if (st != DH_OK) {
        dh_free(mods);
        goto done;
    }
    for (int i = 0; i < total; i++) {
        texts[i] = dh_xapi_statement_text(&all[i]);
        if (!texts[i]) {
            dh_free(mods);
            st = dh_fail(err, DH_ENOMEM, "out of memory: nothing was saved");
            goto done;
        }
        rows[i].id = all[i].id;
        rows[i].verb = dh_xapi_verb_iri(all[i].verb);
        rows[i].timestamp_ms = all[i].timestamp_ms;
        rows[i].json = texts[i];
    }
    dh_AttemptProgress attempt = {verdict.status, verdict.has_score, verdict.scaled, time_ms};
    dh_StoreChange change = {p->enrolment.registration, module >= 0 ? &new_state : NULL, module >= 0 ? 1 : 0,
                             &attempt, rows, total};
    st = dh_store_commit(p->store, &change, err);
    if (st != DH_OK) {
        dh_free(mods);
        goto done;
    }

    /* Committed: now, and only now, the copy becomes the truth. */
    memcpy(p->modules, mods, (size_t)p->course->nmodules * sizeof *mods);
    dh_free(mods);
    if (module >= 0) {
        p->states[module] = new_state;
        p->states[module].resume = NULL;
        p->states[module].resume_len = 0;
        p->states[module].resume_op = DH_RESUME_KEEP;
        p->states[module].finished = NULL; /* borrowed from the caller: written, not kept */
    }
    p->verdict = verdict;
    p->launched = true;
    p->enrolment.status = verdict.status;
    p->enrolment.has_score = verdict.has_score;
    p->enrolment.score = verdict.scaled;
    p->enrolment.time_ms = time_ms;
    /* Timestamps the store keeps (updated, completed) are re-read cheaply. */
    dh_Enrolment fresh;
    dh_Error ignored;
    if (dh_store_enrolment_by_registration(p->store, p->enrolment.registration, &fresh, &ignored) == DH_OK)
        p->enrolment = fresh;
done:
    for (int i = 0; i < n; i++) dh_xapi_statement_free(&statements[i]);
    for (int i = 0; all && i < total; i++) dh_xapi_statement_free(&all[i]);
    for (int i = 0; texts && i < total; i++) dh_free(texts[i]);
    dh_free(all);
    dh_free(rows);
    dh_free(texts);
    return st;
}
