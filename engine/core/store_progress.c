/* store_progress: attempts, module state, resume blobs and the journal.
 *
 * The promise made to a trainee is "what the screen confirmed survives a
 * power cut", and the promise made to an officer is "every confirmed step
 * has its statement". Both hold because dh_store_commit writes module
 * states, resume blobs, the attempt's progress and the statements in one
 * SQLite transaction and returns only after COMMIT (synchronous=FULL) did:
 * there is no moment at which progress exists without its statement or the
 * other way round. Everything that can be checked without the database is
 * checked before the transaction starts, so bad input never half-writes.
 */
#include "store.h"

#include "alloc.h"
#include "course.h"
#include "json.h"
#include "store_impl.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* The words stored in the database: they are the schema's CHECK list, so
 * they stay fixed even if dh_progress_status_name's wording ever changes. */
static const char *const status_names[] = {"not attempted", "in progress", "completed", "passed",
                                           "failed"};

static bool status_parse(const unsigned char *text, dh_ProgressStatus *out)
{
    for (size_t i = 0; text && i < sizeof status_names / sizeof *status_names; i++)
        if (strcmp((const char *)text, status_names[i]) == 0) {
            *out = (dh_ProgressStatus)i;
            return true;
        }
    return false;
}

static bool status_ok(dh_ProgressStatus st)
{
    return (unsigned)st <= DH_PROGRESS_FAILED;
}

static bool score_ok(bool has, double v)
{
    return !has || (isfinite(v) && v >= -1.0 && v <= 1.0);
}

/* A course version as the manifest gives it: printable ASCII, no spaces. */
static bool version_ok(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n >= DH_VERSION_SIZE) return false;
    for (size_t i = 0; i < n; i++)
        if (v[i] <= ' ' || v[i] >= 0x7f) return false;
    return true;
}

static bool lower_uuid(const char *s)
{
    if (!dh_uuid_valid(s)) return false;
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'F') return false;
    return true;
}

/* ---- attempts ---------------------------------------------------------------------------- */

#define ENROL_COLUMNS                                                                          \
    "trainee_id, course_id, course_version, registration, attempt, status, score, time_ms, " \
    "started_ms, updated_ms, completed_ms, id"

/* One row of ENROL_COLUMNS into out (and its row id into *rowid). */
static dh_Status read_enrolment(dh_Store *s, sqlite3_stmt *st, dh_Enrolment *out, int64_t *rowid,
                                dh_Error *err)
{
    dh_Enrolment e;
    memset(&e, 0, sizeof e);
    bool ok = dh_store_column_copy(e.trainee_id, sizeof e.trainee_id, st, 0) &&
              dh_store_column_copy(e.course_id, sizeof e.course_id, st, 1) &&
              dh_store_column_copy(e.course_version, sizeof e.course_version, st, 2) &&
              dh_store_column_copy(e.registration, sizeof e.registration, st, 3);
    if (!ok && sqlite3_errcode(s->db) == SQLITE_NOMEM)
        return dh_fail(err, DH_ENOMEM, "out of memory reading a course attempt");
    if (!ok || !status_parse(sqlite3_column_text(st, 5), &e.status))
        return dh_fail(err, DH_EFORMAT,
                       "a course attempt of trainee %s in %s is malformed (was the file edited by "
                       "another program?)",
                       e.trainee_id, s->path);
    e.attempt = sqlite3_column_int(st, 4);
    e.has_score = sqlite3_column_type(st, 6) != SQLITE_NULL;
    e.score = e.has_score ? sqlite3_column_double(st, 6) : 0.0;
    e.time_ms = sqlite3_column_int64(st, 7);
    e.started_ms = sqlite3_column_int64(st, 8);
    e.updated_ms = sqlite3_column_int64(st, 9);
    e.completed_ms = sqlite3_column_int64(st, 10);
    if (rowid) *rowid = sqlite3_column_int64(st, 11);
    if (out) *out = e;
    return DH_OK;
}

/* Run a one-row enrolment query; DH_ENOTFOUND (without a message) if empty. */
static dh_Status fetch_enrolment(dh_Store *s, sqlite3_stmt *st, dh_Enrolment *out, int64_t *rowid,
                                 dh_Error *err, const char *doing)
{
    int rc = sqlite3_step(st);
    dh_Status status;
    if (rc == SQLITE_ROW) status = read_enrolment(s, st, out, rowid, err);
    else if (rc == SQLITE_DONE) status = DH_ENOTFOUND;
    else status = dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    sqlite3_reset(st);
    return status;
}

/* Normalise and check the three keys of an enrolment. */
static dh_Status check_keys(char id[DH_TRAINEE_ID_MAX + 1], const char *trainee_id,
                            const char *course_id, const char *version, dh_Error *err)
{
    if (dh_store_trainee_id(id, trainee_id, err) != DH_TRAINEE_ID_OK) return DH_EINVAL;
    if (!dh_course_id_valid(course_id))
        return dh_fail(err, DH_EINVAL, "'%s' is not a valid course id", course_id);
    if (!version_ok(version))
        return dh_fail(err, DH_EINVAL, "'%s' is not a valid course version", version);
    return DH_OK;
}

static dh_Status current(dh_Store *s, const char *id, const char *course_id, const char *version,
                         dh_Enrolment *out, dh_Error *err, const char *doing)
{
    sqlite3_stmt *st = NULL;
    dh_Status ps = dh_store_stmt(s, STMT_ENROL_CURRENT,
                                 "SELECT " ENROL_COLUMNS " FROM enrolment WHERE trainee_id = ?1 "
                                 "AND course_id = ?2 AND course_version = ?3 "
                                 "ORDER BY attempt DESC LIMIT 1",
                                 &st, err, doing);
    if (ps) return ps;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, course_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, version, -1, SQLITE_STATIC);
    return fetch_enrolment(s, st, out, NULL, err, doing);
}

static dh_Status insert_attempt(dh_Store *s, const char *id, const char *course_id,
                                const char *version, int attempt, dh_Enrolment *out,
                                dh_Error *err, const char *doing)
{
    sqlite3_stmt *st = NULL;
    dh_Status ps = dh_store_stmt(s, STMT_ENROL_INSERT,
                                 "INSERT INTO enrolment (trainee_id, course_id, course_version, "
                                 "attempt, registration, started_ms, updated_ms) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                                 &st, err, doing);
    if (ps) return ps;
    dh_Enrolment e;
    memset(&e, 0, sizeof e);
    snprintf(e.trainee_id, sizeof e.trainee_id, "%s", id);
    snprintf(e.course_id, sizeof e.course_id, "%s", course_id);
    snprintf(e.course_version, sizeof e.course_version, "%s", version);
    dh_uuid_v4(e.registration);
    e.attempt = attempt;
    e.status = DH_PROGRESS_NOT_ATTEMPTED;
    e.started_ms = e.updated_ms = dh_store_now(s);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, course_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, version, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, attempt);
    sqlite3_bind_text(st, 5, e.registration, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, e.started_ms);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return dh_fail(err, DH_ENOTFOUND, "%s: no trainee with id %s is registered on this kiosk",
                       doing, id);
    if (rc != SQLITE_DONE) return dh_store_sql_fail(s, rc, STORE_WRITE, err, doing);
    if (out) *out = e;
    return DH_OK;
}

/* Find the current attempt or make the next one, in one transaction. */
static dh_Status enrol(dh_Store *s, const char *trainee_id, const char *course_id,
                       const char *version, bool next, dh_Enrolment *out, dh_Error *err)
{
    char id[DH_TRAINEE_ID_MAX + 1];
    const char *doing = next ? "cannot start a new attempt" : "cannot enrol the trainee";
    dh_Status st = check_keys(id, trainee_id, course_id, version, err);
    if (st || (st = dh_store_begin(s, err, doing))) return st;
    dh_Enrolment e;
    st = current(s, id, course_id, version, &e, err, doing);
    if (st == DH_OK && !next) {
        dh_store_abort(s); /* nothing written: just end the transaction */
        if (out) *out = e;
        return DH_OK;
    }
    if (st == DH_ENOTFOUND) {
        st = insert_attempt(s, id, course_id, version, 1, out, err, doing);
    } else if (st == DH_OK) {
        st = insert_attempt(s, id, course_id, version, e.attempt + 1, out, err, doing);
    }
    if (!st) st = dh_store_end(s, err, doing);
    else dh_store_abort(s);
    return st;
}

dh_Status dh_store_enrol(dh_Store *s, const char *trainee_id, const char *course_id,
                         const char *version, dh_Enrolment *out, dh_Error *err)
{
    return enrol(s, trainee_id, course_id, version, false, out, err);
}

dh_Status dh_store_new_attempt(dh_Store *s, const char *trainee_id, const char *course_id,
                               const char *version, dh_Enrolment *out, dh_Error *err)
{
    return enrol(s, trainee_id, course_id, version, true, out, err);
}

dh_Status dh_store_enrolment_get(dh_Store *s, const char *trainee_id, const char *course_id,
                                 const char *version, dh_Enrolment *out, dh_Error *err)
{
    char id[DH_TRAINEE_ID_MAX + 1];
    dh_Status st = check_keys(id, trainee_id, course_id, version, err);
    if (st) return st;
    st = current(s, id, course_id, version, out, err, "cannot look up the course attempt");
    if (st == DH_ENOTFOUND)
        return dh_fail(err, DH_ENOTFOUND, "trainee %s has not started course %s version %s", id,
                       course_id, version);
    return st;
}

static dh_Status by_registration(dh_Store *s, const char *registration, dh_Enrolment *out,
                                 int64_t *rowid, dh_Error *err, const char *doing)
{
    if (!dh_uuid_valid(registration))
        return dh_fail(err, DH_EINVAL, "%s: '%s' is not a registration UUID", doing, registration);
    sqlite3_stmt *st = NULL;
    dh_Status ps = dh_store_stmt(s, STMT_ENROL_BY_REG,
                                 "SELECT " ENROL_COLUMNS " FROM enrolment WHERE registration = ?1",
                                 &st, err, doing);
    if (ps) return ps;
    sqlite3_bind_text(st, 1, registration, -1, SQLITE_STATIC);
    dh_Status status = fetch_enrolment(s, st, out, rowid, err, doing);
    if (status == DH_ENOTFOUND)
        return dh_fail(err, DH_ENOTFOUND, "%s: no course attempt with registration %s on this kiosk",
                       doing, registration);
    return status;
}

dh_Status dh_store_enrolment_by_registration(dh_Store *s, const char *registration,
                                             dh_Enrolment *out, dh_Error *err)
{
    return by_registration(s, registration, out, NULL, err, "cannot look up the course attempt");
}

dh_Status dh_store_enrolments_each(dh_Store *s, const char *trainee_id, dh_EnrolmentFn fn,
                                   void *ctx, dh_Error *err)
{
    char id[DH_TRAINEE_ID_MAX + 1];
    if (dh_store_trainee_id(id, trainee_id, err) != DH_TRAINEE_ID_OK) return DH_EINVAL;
    const char *doing = "cannot list the trainee's courses";
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT " ENROL_COLUMNS " FROM enrolment e WHERE trainee_id = ?1 "
                                "AND attempt = (SELECT max(attempt) FROM enrolment x "
                                "WHERE x.trainee_id = e.trainee_id AND x.course_id = e.course_id "
                                "AND x.course_version = e.course_version) "
                                "ORDER BY updated_ms DESC, id DESC",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    dh_Status status = DH_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        dh_Enrolment e;
        if ((status = read_enrolment(s, st, &e, NULL, err)) || (status = fn(&e, ctx, err))) break;
    }
    if (!status && rc != SQLITE_DONE) status = dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    sqlite3_finalize(st);
    return status;
}

/* ---- module state ---------------------------------------------------------------------- */

#define MODULE_COLUMNS "status, score, attempts, time_ms, completed, passed, updated_ms, resume"

/* Columns MODULE_COLUMNS starting at `first` into m (resume points into the row). */
static dh_Status read_module(dh_Store *s, sqlite3_stmt *st, int first, dh_ModuleState *m,
                             dh_Error *err)
{
    if (!status_parse(sqlite3_column_text(st, first), &m->status))
        return sqlite3_errcode(s->db) == SQLITE_NOMEM
                   ? dh_fail(err, DH_ENOMEM, "out of memory reading module state")
                   : dh_fail(err, DH_EFORMAT, "a module state in %s has an unknown status", s->path);
    m->has_score = sqlite3_column_type(st, first + 1) != SQLITE_NULL;
    m->score = m->has_score ? sqlite3_column_double(st, first + 1) : 0.0;
    m->attempts = sqlite3_column_int(st, first + 2);
    m->time_ms = sqlite3_column_int64(st, first + 3);
    m->completed = sqlite3_column_int(st, first + 4) != 0;
    m->passed = sqlite3_column_int(st, first + 5) != 0;
    m->updated_ms = sqlite3_column_int64(st, first + 6);
    m->resume_op = DH_RESUME_KEEP;
    m->resume = sqlite3_column_blob(st, first + 7);
    m->resume_len = (size_t)sqlite3_column_bytes(st, first + 7);
    if (!m->resume && m->resume_len > 0)
        return dh_fail(err, DH_ENOMEM, "out of memory reading a resume state");
    if (!m->resume) m->resume_len = 0;
    return DH_OK;
}

dh_Status dh_store_module_get(dh_Store *s, const char *registration, const char *module_id,
                              dh_ModuleState *out, void **resume, size_t *resume_len,
                              dh_Error *err)
{
    const char *doing = "cannot read the module's progress";
    int64_t eid = 0;
    if (resume) *resume = NULL;
    if (resume_len) *resume_len = 0;
    dh_Status status = by_registration(s, registration, NULL, &eid, err, doing);
    if (status) return status;
    sqlite3_stmt *st = NULL;
    dh_Status ps = dh_store_stmt(s, STMT_MODULE_GET,
                                 "SELECT " MODULE_COLUMNS " FROM module_state "
                                 "WHERE enrolment_id = ?1 AND module_id = ?2",
                                 &st, err, doing);
    if (ps) return ps;
    sqlite3_bind_int64(st, 1, eid);
    sqlite3_bind_text(st, 2, module_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    dh_ModuleState m;
    memset(&m, 0, sizeof m);
    m.module_id = module_id;
    if (rc == SQLITE_ROW) {
        status = read_module(s, st, 0, &m, err);
        if (!status && resume && m.resume_len > 0) {
            void *copy = dh_malloc(m.resume_len);
            if (!copy) status = dh_fail(err, DH_ENOMEM, "out of memory reading a resume state");
            else {
                memcpy(copy, m.resume, m.resume_len);
                *resume = copy;
                if (resume_len) *resume_len = m.resume_len;
            }
        }
        m.resume = resume ? *resume : NULL;
        if (!resume) m.resume_len = 0;
    } else if (rc == SQLITE_DONE) {
        status = dh_fail(err, DH_ENOTFOUND, "module %s has no saved progress in this attempt",
                         module_id);
    } else {
        status = dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    }
    sqlite3_reset(st);
    if (!status && out) *out = m;
    return status;
}

dh_Status dh_store_modules_each(dh_Store *s, const char *registration, dh_ModuleFn fn, void *ctx,
                                dh_Error *err)
{
    const char *doing = "cannot read the course's progress";
    int64_t eid = 0;
    dh_Status status = by_registration(s, registration, NULL, &eid, err, doing);
    if (status) return status;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT module_id, " MODULE_COLUMNS " FROM module_state "
                                "WHERE enrolment_id = ?1 ORDER BY module_id",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    }
    sqlite3_bind_int64(st, 1, eid);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        dh_ModuleState m;
        memset(&m, 0, sizeof m);
        m.module_id = (const char *)sqlite3_column_text(st, 0);
        if (!m.module_id) {
            status = dh_fail(err, DH_ENOMEM, "out of memory reading module state");
            break;
        }
        if ((status = read_module(s, st, 1, &m, err)) || (status = fn(&m, ctx, err))) break;
    }
    if (!status && rc != SQLITE_DONE) status = dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    sqlite3_finalize(st);
    return status;
}

dh_Status dh_store_module_attempts_each(dh_Store *s, const char *registration,
                                        const char *module_id, dh_ModuleAttemptFn fn, void *ctx,
                                        dh_Error *err)
{
    const char *doing = "cannot read the module's earlier tries";
    int64_t eid = 0;
    dh_Status status = by_registration(s, registration, NULL, &eid, err, doing);
    if (status) return status;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT number, started_ms, finished_ms, score, passed, record "
                                "FROM module_attempt WHERE enrolment_id = ?1 AND module_id = ?2 "
                                "ORDER BY number",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    }
    sqlite3_bind_int64(st, 1, eid);
    sqlite3_bind_text(st, 2, module_id, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        dh_ModuleAttempt a;
        memset(&a, 0, sizeof a);
        a.number = sqlite3_column_int(st, 0);
        a.started_ms = sqlite3_column_int64(st, 1);
        a.finished_ms = sqlite3_column_int64(st, 2);
        a.has_score = sqlite3_column_type(st, 3) != SQLITE_NULL;
        a.score = a.has_score ? sqlite3_column_double(st, 3) : 0.0;
        a.passed = sqlite3_column_int(st, 4) != 0;
        a.record = sqlite3_column_blob(st, 5);
        a.record_len = (size_t)sqlite3_column_bytes(st, 5);
        if (!a.record && a.record_len > 0) {
            status = dh_fail(err, DH_ENOMEM, "out of memory reading a finished try");
            break;
        }
        if (!a.record) a.record_len = 0;
        if ((status = fn(&a, ctx, err))) break;
    }
    if (!status && rc != SQLITE_DONE) status = dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    sqlite3_finalize(st);
    return status;
}

/* ---- commit ------------------------------------------------------------------------------ */

/* The statement text must be the statement it claims to be: a JSON object
 * whose "id", verb.id and context.registration are the ones journaled beside
 * it (a builder bug must not produce evidence that contradicts its row). */
static dh_Status check_statement_json(const dh_StoreStatement *x, int i, const char *registration,
                                      dh_Error *err)
{
    size_t n = strlen(x->json);
    if (n > DH_STORE_STATEMENT_MAX)
        return dh_fail(err, DH_ELIMIT, "statement %d (%s) is %zu bytes long; at most %u are allowed",
                       i + 1, x->id, n, DH_STORE_STATEMENT_MAX);
    long before = dh_alloc_failures();
    cJSON *root = cJSON_ParseWithLength(x->json, n);
    if (!root) {
        if (dh_alloc_failures() != before)
            return dh_fail(err, DH_ENOMEM, "out of memory checking statement %s", x->id);
        return dh_fail(err, DH_EINVAL, "statement %d (%s) is not valid JSON", i + 1, x->id);
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
    const cJSON *verb = cJSON_GetObjectItemCaseSensitive(root, "verb");
    const cJSON *verb_id = cJSON_IsObject(verb) ? cJSON_GetObjectItemCaseSensitive(verb, "id") : NULL;
    dh_Status st = DH_OK;
    if (!cJSON_IsObject(root))
        st = dh_fail(err, DH_EINVAL, "statement %d (%s) is not a JSON object", i + 1, x->id);
    else if (!cJSON_IsString(id) || strcmp(id->valuestring, x->id) != 0)
        st = dh_fail(err, DH_EINVAL, "statement %d: its JSON \"id\" is not %s", i + 1, x->id);
    else if (!cJSON_IsString(verb_id) || strcmp(verb_id->valuestring, x->verb) != 0)
        st = dh_fail(err, DH_EINVAL, "statement %s: its JSON verb.id is not %s", x->id, x->verb);
    if (st == DH_OK) {
        const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(root, "context");
        const cJSON *reg = cJSON_IsObject(ctx) ? cJSON_GetObjectItemCaseSensitive(ctx, "registration") : NULL;
        if (reg && (!cJSON_IsString(reg) || strcmp(reg->valuestring, registration) != 0))
            st = dh_fail(err, DH_EINVAL, "statement %s: its context.registration is not the attempt's (%s)",
                         x->id, registration);
    }
    cJSON_Delete(root);
    return st;
}

static dh_Status check_change(const dh_StoreChange *c, dh_Error *err)
{
    if (!c->registration || !dh_uuid_valid(c->registration))
        return dh_fail(err, DH_EINVAL, "the change names no valid registration UUID");
    if (c->nmodules < 0 || c->nmodules > DH_STORE_BATCH_MAX || (c->nmodules && !c->modules) ||
        c->nstatements < 0 || c->nstatements > DH_STORE_BATCH_MAX ||
        (c->nstatements && !c->statements))
        return dh_fail(err, DH_ELIMIT, "a change holds 0-%d module states and 0-%d statements",
                       DH_STORE_BATCH_MAX, DH_STORE_BATCH_MAX);
    for (int i = 0; i < c->nmodules; i++) {
        const dh_ModuleState *m = &c->modules[i];
        const char *id = m->module_id ? m->module_id : "(none)";
        if (!m->module_id || !dh_id_valid(m->module_id))
            return dh_fail(err, DH_EINVAL, "'%s' is not a valid module id", id);
        if (!status_ok(m->status) || !score_ok(m->has_score, m->score) || m->attempts < 0 ||
            m->time_ms < 0 || (unsigned)m->resume_op > DH_RESUME_CLEAR)
            return dh_fail(err, DH_EINVAL,
                           "module %s: status, score (-1..1), attempts or time (>= 0) out of range",
                           id);
        if (m->resume_op == DH_RESUME_SET && m->resume_len > DH_STORE_RESUME_MAX)
            return dh_fail(err, DH_ELIMIT,
                           "module %s: the resume state is %zu bytes; at most %u can be saved",
                           id, m->resume_len, DH_STORE_RESUME_MAX);
        if (m->resume_op == DH_RESUME_SET && m->resume_len > 0 && !m->resume)
            return dh_fail(err, DH_EINVAL, "module %s: resume state without bytes", id);
        const dh_ModuleAttempt *f = m->finished;
        if (f && (!score_ok(f->has_score, f->score) || f->started_ms < 0 ||
                  f->finished_ms < f->started_ms || (f->record_len > 0 && !f->record)))
            return dh_fail(err, DH_EINVAL,
                           "module %s: the finished try's score (-1..1), times or record are out of range",
                           id);
        if (f && f->record_len > DH_STORE_RESUME_MAX)
            return dh_fail(err, DH_ELIMIT,
                           "module %s: the finished try's record is %zu bytes; at most %u can be saved",
                           id, f->record_len, DH_STORE_RESUME_MAX);
    }
    const dh_AttemptProgress *a = c->attempt;
    if (a && (!status_ok(a->status) || !score_ok(a->has_score, a->score) || a->time_ms < 0))
        return dh_fail(err, DH_EINVAL,
                       "the attempt's status, score (-1..1) or time (>= 0) is out of range");
    for (int i = 0; i < c->nstatements; i++) {
        const dh_StoreStatement *x = &c->statements[i];
        if (!x->id || !lower_uuid(x->id))
            return dh_fail(err, DH_EINVAL, "statement %d has no lower-case UUID as its id", i + 1);
        if (!x->verb || !strchr(x->verb, ':') || strlen(x->verb) > 1024)
            return dh_fail(err, DH_EINVAL, "statement %s has no verb IRI", x->id);
        if (!x->json) return dh_fail(err, DH_EINVAL, "statement %s has no JSON text", x->id);
        dh_Status st = check_statement_json(x, i, c->registration, err);
        if (st) return st;
    }
    return DH_OK;
}

static dh_Status write_module(dh_Store *s, int64_t eid, const dh_ModuleState *m, int64_t now,
                              dh_Error *err, const char *doing)
{
    bool keep = m->resume_op == DH_RESUME_KEEP;
    sqlite3_stmt *st = NULL;
    dh_Status ps =
        keep ? dh_store_stmt(s, STMT_MODULE_UPSERT_KEEP,
                             "INSERT INTO module_state (enrolment_id, module_id, status, score, "
                             "attempts, time_ms, completed, passed, updated_ms) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                             "ON CONFLICT (enrolment_id, module_id) DO UPDATE SET "
                             "status = excluded.status, score = excluded.score, "
                             "attempts = excluded.attempts, time_ms = excluded.time_ms, "
                             "completed = excluded.completed, passed = excluded.passed, "
                             "updated_ms = excluded.updated_ms",
                             &st, err, doing)
             : dh_store_stmt(s, STMT_MODULE_UPSERT,
                             "INSERT INTO module_state (enrolment_id, module_id, status, score, "
                             "attempts, time_ms, completed, passed, updated_ms, resume) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                             "ON CONFLICT (enrolment_id, module_id) DO UPDATE SET "
                             "status = excluded.status, score = excluded.score, "
                             "attempts = excluded.attempts, time_ms = excluded.time_ms, "
                             "completed = excluded.completed, passed = excluded.passed, "
                             "updated_ms = excluded.updated_ms, resume = excluded.resume",
                             &st, err, doing);
    if (ps) return ps;
    sqlite3_bind_int64(st, 1, eid);
    sqlite3_bind_text(st, 2, m->module_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, status_names[m->status], -1, SQLITE_STATIC);
    if (m->has_score) sqlite3_bind_double(st, 4, m->score);
    sqlite3_bind_int(st, 5, m->attempts);
    sqlite3_bind_int64(st, 6, m->time_ms);
    sqlite3_bind_int(st, 7, m->completed);
    sqlite3_bind_int(st, 8, m->passed);
    sqlite3_bind_int64(st, 9, now);
    /* Parameter 10 stays NULL for CLEAR, and for SET with no bytes. */
    if (m->resume_op == DH_RESUME_SET && m->resume_len > 0)
        sqlite3_bind_blob64(st, 10, m->resume, m->resume_len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return dh_store_sql_fail(s, rc, STORE_WRITE, err, doing);
    return DH_OK;
}

/* Append m's finished try with the next number for its module. */
static dh_Status write_finished(dh_Store *s, int64_t eid, const dh_ModuleState *m, dh_Error *err,
                                const char *doing)
{
    const dh_ModuleAttempt *f = m->finished;
    sqlite3_stmt *st = NULL;
    dh_Status ps = dh_store_stmt(s, STMT_MODULE_ATTEMPT_INSERT,
                                 "INSERT INTO module_attempt (enrolment_id, module_id, number, "
                                 "started_ms, finished_ms, score, passed, record) VALUES (?1, ?2, "
                                 "(SELECT COALESCE(MAX(number), 0) + 1 FROM module_attempt "
                                 "WHERE enrolment_id = ?1 AND module_id = ?2), ?3, ?4, ?5, ?6, ?7)",
                                 &st, err, doing);
    if (ps) return ps;
    sqlite3_bind_int64(st, 1, eid);
    sqlite3_bind_text(st, 2, m->module_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, f->started_ms);
    sqlite3_bind_int64(st, 4, f->finished_ms);
    if (f->has_score) sqlite3_bind_double(st, 5, f->score);
    sqlite3_bind_int(st, 6, f->passed);
    if (f->record_len > 0) sqlite3_bind_blob64(st, 7, f->record, f->record_len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return dh_store_sql_fail(s, rc, STORE_WRITE, err, doing);
    return DH_OK;
}

static dh_Status write_attempt(dh_Store *s, int64_t eid, const dh_AttemptProgress *a, int64_t now,
                               dh_Error *err, const char *doing)
{
    sqlite3_stmt *st = NULL;
    dh_Status ps = dh_store_stmt(s, STMT_ENROL_UPDATE,
                                 "UPDATE enrolment SET status = ?2, score = ?3, time_ms = ?4, "
                                 "updated_ms = ?5, completed_ms = CASE WHEN completed_ms IS NULL "
                                 "AND ?2 IN ('completed', 'passed') THEN ?5 "
                                 "ELSE completed_ms END WHERE id = ?1",
                                 &st, err, doing);
    if (ps) return ps;
    sqlite3_bind_int64(st, 1, eid);
    sqlite3_bind_text(st, 2, status_names[a->status], -1, SQLITE_STATIC);
    if (a->has_score) sqlite3_bind_double(st, 3, a->score);
    sqlite3_bind_int64(st, 4, a->time_ms);
    sqlite3_bind_int64(st, 5, now);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return dh_store_sql_fail(s, rc, STORE_WRITE, err, doing);
    return DH_OK;
}

static dh_Status write_statement(dh_Store *s, const dh_Enrolment *e, const dh_StoreStatement *x,
                                 int64_t now, dh_Error *err, const char *doing)
{
    sqlite3_stmt *st = NULL;
    dh_Status ps = dh_store_stmt(s, STMT_STATEMENT_INSERT,
                                 "INSERT INTO statement (id, trainee_id, course_id, "
                                 "course_version, registration, verb, timestamp_ms, stored_ms, "
                                 "json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                                 &st, err, doing);
    if (ps) return ps;
    sqlite3_bind_text(st, 1, x->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, e->trainee_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e->course_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, e->course_version, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, e->registration, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, x->verb, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, x->timestamp_ms);
    sqlite3_bind_int64(st, 8, now);
    sqlite3_bind_text(st, 9, x->json, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return dh_fail(err, DH_EINVAL,
                       "%s: statement %s is already in the journal (a statement id is used once), "
                       "so nothing was saved",
                       doing, x->id);
    if (rc != SQLITE_DONE) return dh_store_sql_fail(s, rc, STORE_WRITE, err, doing);
    return DH_OK;
}

dh_Status dh_store_commit(dh_Store *s, const dh_StoreChange *c, dh_Error *err)
{
    const char *doing = "cannot save progress";
    dh_Status st = check_change(c, err);
    if (st) return st;
    if (c->nmodules == 0 && !c->attempt && c->nstatements == 0) return DH_OK;
    if ((st = dh_store_begin(s, err, doing))) return st;
    dh_Enrolment e;
    int64_t eid = 0, now = dh_store_now(s);
    st = by_registration(s, c->registration, &e, &eid, err, doing);
    for (int i = 0; !st && i < c->nmodules; i++) {
        st = write_module(s, eid, &c->modules[i], now, err, doing);
        if (!st && c->modules[i].finished) st = write_finished(s, eid, &c->modules[i], err, doing);
    }
    if (!st && c->attempt) st = write_attempt(s, eid, c->attempt, now, err, doing);
    for (int i = 0; !st && i < c->nstatements; i++)
        st = write_statement(s, &e, &c->statements[i], now, err, doing);
    if (st) {
        dh_store_abort(s);
        return st;
    }
    return dh_store_end(s, err, doing);
}

/* ---- the journal ---------------------------------------------------------------------------- */

/* Two spellings of the filter: "export_id IS NULL" written out lets SQLite
 * seek the statement_export index (whose entries end in seq), so asking for
 * the unexported statements costs what they are, not the whole journal (an
 * export with nothing new: 10 ms instead of 0.2 s per 100,000 statements). */
#define STATEMENT_FILTER(unexported)                                                           \
    " FROM statement WHERE seq > ?1 AND seq <= ?2" unexported                                  \
    " AND (?4 IS NULL OR registration = ?4)"
#define FILTER_ALL STATEMENT_FILTER("")
#define FILTER_UNEXPORTED STATEMENT_FILTER(" AND export_id IS NULL")

static void bind_query(sqlite3_stmt *st, const dh_StatementQuery *q)
{
    static const dh_StatementQuery all;
    if (!q) q = &all;
    sqlite3_bind_int64(st, 1, q->after_seq);
    sqlite3_bind_int64(st, 2, q->max_seq > 0 ? q->max_seq : INT64_MAX);
    if (q->registration) sqlite3_bind_text(st, 4, q->registration, -1, SQLITE_STATIC);
}

dh_Status dh_store_statements_each(dh_Store *s, const dh_StatementQuery *q, dh_StatementFn fn,
                                   void *ctx, dh_Error *err)
{
    const char *doing = "cannot read the statement journal";
    sqlite3_stmt *st = NULL;
#define EACH_SQL(filter)                                                                       \
    "SELECT seq, id, trainee_id, course_id, course_version, registration, verb, timestamp_ms, "   \
    "stored_ms, json, export_id" filter " ORDER BY seq"
    bool unexported = q && q->unexported;
    int rc = sqlite3_prepare_v2(s->db, unexported ? EACH_SQL(FILTER_UNEXPORTED) : EACH_SQL(FILTER_ALL),
                                -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    }
    bind_query(st, q);
    dh_Status status = DH_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        dh_StoredStatement x;
        const char **text[] = {&x.id, &x.trainee_id, &x.course_id, &x.course_version,
                               &x.registration, &x.verb};
        x.seq = sqlite3_column_int64(st, 0);
        bool ok = true;
        for (int i = 0; i < 6; i++)
            ok = (*text[i] = (const char *)sqlite3_column_text(st, i + 1)) && ok;
        x.timestamp_ms = sqlite3_column_int64(st, 7);
        x.stored_ms = sqlite3_column_int64(st, 8);
        x.json = (const char *)sqlite3_column_text(st, 9);
        x.json_len = (size_t)sqlite3_column_bytes(st, 9);
        x.export_id = (const char *)sqlite3_column_text(st, 10);
        if (!ok || !x.json || (!x.export_id && sqlite3_column_type(st, 10) != SQLITE_NULL)) {
            status = dh_fail(err, DH_ENOMEM, "%s: out of memory", doing);
            break;
        }
        if ((status = fn(&x, ctx, err))) break;
    }
    if (!status && rc != SQLITE_DONE) status = dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    sqlite3_finalize(st);
    return status;
}

dh_Status dh_store_statements_count(dh_Store *s, const dh_StatementQuery *q, int64_t *count,
                                    int64_t *last_seq, dh_Error *err)
{
    const char *doing = "cannot count the statement journal";
    sqlite3_stmt *st = NULL;
    bool unexported = q && q->unexported;
    int rc = sqlite3_prepare_v2(s->db,
                                unexported ? "SELECT count(*), coalesce(max(seq), 0)" FILTER_UNEXPORTED
                                           : "SELECT count(*), coalesce(max(seq), 0)" FILTER_ALL,
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        bind_query(st, q);
        rc = sqlite3_step(st);
    }
    dh_Status status = DH_OK;
    if (rc == SQLITE_ROW) {
        if (count) *count = sqlite3_column_int64(st, 0);
        if (last_seq) *last_seq = sqlite3_column_int64(st, 1);
    } else {
        status = dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    }
    sqlite3_finalize(st);
    return status;
}

dh_Status dh_store_statements_mark_exported(dh_Store *s, int64_t first_seq, int64_t last_seq,
                                            const char *export_id, int64_t *marked, dh_Error *err)
{
    const char *doing = "cannot mark statements as exported";
    size_t n = export_id ? strlen(export_id) : 0;
    bool ok = n >= 1 && n <= 128;
    for (size_t i = 0; ok && i < n; i++) ok = export_id[i] > ' ' && export_id[i] < 0x7f;
    if (!ok)
        return dh_fail(err, DH_EINVAL, "%s: an export id is 1-128 printable ASCII characters", doing);
    sqlite3_stmt *st = NULL;
    dh_Status ps = dh_store_stmt(s, STMT_STATEMENT_MARK,
                                 "UPDATE statement SET export_id = ?3 WHERE seq BETWEEN ?1 AND ?2",
                                 &st, err, doing);
    if (ps) return ps;
    sqlite3_bind_int64(st, 1, first_seq);
    sqlite3_bind_int64(st, 2, last_seq);
    sqlite3_bind_text(st, 3, export_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return dh_store_sql_fail(s, rc, STORE_WRITE, err, doing);
    if (marked) *marked = sqlite3_changes64(s->db);
    return DH_OK;
}
