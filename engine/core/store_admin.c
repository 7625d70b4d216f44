/* store_admin: the admin PIN row, the admin log and the officer's summaries.
 *
 * These queries run when an officer is at the kiosk, a few times a visit,
 * so they compile their statements on each call instead of taking slots in
 * the store's cache (store_impl.h), which the trainee's hot path owns. The
 * PIN row and its log entry are written in one transaction: a wrong try is
 * never counted without being logged, nor logged without being counted.
 * Everything else here only reads.
 */
#include "admin.h"

#include "store_impl.h"

#include <stdio.h>
#include <string.h>

/* Prepare sql or say why in err. */
static dh_Status prepare(dh_Store *s, const char *sql, sqlite3_stmt **st, StoreOp op, dh_Error *err,
                         const char *doing)
{
    int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
    if (rc == SQLITE_OK) return DH_OK;
    sqlite3_finalize(*st);
    *st = NULL;
    return dh_store_sql_fail(s, rc, op, err, doing);
}

/* Cut text to at most max bytes without splitting a UTF-8 sequence. */
static size_t cut_utf8(const char *text, size_t max)
{
    size_t n = strlen(text);
    if (n <= max) return n;
    n = max;
    while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80) n--;
    return n;
}

static dh_Status insert_log(dh_Store *s, int64_t now_ms, const char *action,
                            dh_AdminOutcome outcome, const char *detail, dh_Error *err,
                            const char *doing)
{
    sqlite3_stmt *st;
    dh_Status status = prepare(s,
                               "INSERT INTO admin_log (at_ms, action, outcome, detail) "
                               "VALUES (?, ?, ?, ?)",
                               &st, STORE_WRITE, err, doing);
    if (status) return status;
    sqlite3_bind_int64(st, 1, now_ms);
    sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, dh_admin_outcome_name(outcome), -1, SQLITE_STATIC);
    if (detail && detail[0])
        sqlite3_bind_text(st, 4, detail, (int)cut_utf8(detail, DH_ADMIN_DETAIL_MAX), SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return dh_store_sql_fail(s, rc, STORE_WRITE, err, doing);
    return DH_OK;
}

static dh_Status check_action(const char *action, dh_Error *err)
{
    size_t n = action ? strlen(action) : 0;
    if (n == 0 || n > DH_ADMIN_ACTION_MAX)
        return dh_fail(err, DH_EINVAL, "an admin action name must be 1-%d bytes",
                       DH_ADMIN_ACTION_MAX);
    return DH_OK;
}

dh_Status dh_admin_log(dh_Store *s, int64_t now_ms, const char *action, dh_AdminOutcome outcome,
                       const char *detail, dh_Error *err)
{
    const char *doing = "cannot record the admin action";
    dh_Status status = check_action(action, err);
    if (status) return status;
    if ((status = dh_store_begin(s, err, doing))) return status;
    if ((status = insert_log(s, now_ms, action, outcome, detail, err, doing))) {
        dh_store_abort(s);
        return status;
    }
    return dh_store_end(s, err, doing);
}

dh_Status dh_admin_log_each(dh_Store *s, int limit, dh_AdminLogFn fn, void *ctx, dh_Error *err)
{
    const char *doing = "cannot read the admin log";
    sqlite3_stmt *st;
    dh_Status status = prepare(s,
                               "SELECT seq, at_ms, action, outcome, coalesce(detail, '') "
                               "FROM admin_log ORDER BY seq DESC LIMIT ?",
                               &st, STORE_READ, err, doing);
    if (status) return status;
    sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *action = (const char *)sqlite3_column_text(st, 2);
        const char *outcome = (const char *)sqlite3_column_text(st, 3);
        const char *detail = (const char *)sqlite3_column_text(st, 4);
        if (!action || !outcome || !detail) {
            status = dh_fail(err, DH_ENOMEM, "%s: out of memory", doing);
            break;
        }
        dh_AdminLogEntry e = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), action,
                              !strcmp(outcome, "ok")       ? DH_ADMIN_OK
                              : !strcmp(outcome, "failed") ? DH_ADMIN_FAILED
                                                           : DH_ADMIN_REFUSED,
                              detail};
        if ((status = fn(&e, ctx, err))) break;
    }
    if (!status && rc != SQLITE_DONE) status = dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    sqlite3_finalize(st);
    return status;
}

dh_Status dh_store_admin_pin_get(dh_Store *s, dh_AdminPinRow *out, dh_Error *err)
{
    const char *doing = "cannot read the admin PIN";
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    dh_Status status = prepare(s,
                               "SELECT coalesce(hash, ''), failed, lockouts, locked_until_ms "
                               "FROM admin_pin WHERE id = 1",
                               &st, STORE_READ, err, doing);
    if (status) return status;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (!dh_store_column_copy(out->hash, sizeof out->hash, st, 0))
            status = dh_fail(err, DH_EFORMAT,
                             "%s: the stored PIN hash in %s is malformed; set the PIN again with "
                             "drillhall --set-admin-pin",
                             doing, s->path);
        out->failed = sqlite3_column_int(st, 1);
        out->lockouts = sqlite3_column_int(st, 2);
        out->locked_until_ms = sqlite3_column_int64(st, 3);
    } else if (rc != SQLITE_DONE) {
        status = dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    }
    sqlite3_finalize(st);
    return status;
}

dh_Status dh_store_admin_pin_put(dh_Store *s, const dh_AdminPinRow *row, int64_t now_ms,
                                 const char *action, dh_AdminOutcome outcome, const char *detail,
                                 dh_Error *err)
{
    const char *doing = "cannot save the admin PIN state";
    dh_Status status = check_action(action, err);
    if (status) return status;
    if ((status = dh_store_begin(s, err, doing))) return status;
    sqlite3_stmt *st;
    status = prepare(s,
                     "INSERT INTO admin_pin (id, hash, failed, lockouts, locked_until_ms, updated_ms) "
                     "VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET hash = excluded.hash, "
                     "failed = excluded.failed, lockouts = excluded.lockouts, "
                     "locked_until_ms = excluded.locked_until_ms, updated_ms = excluded.updated_ms",
                     &st, STORE_WRITE, err, doing);
    if (!status) {
        dh_store_bind_text_or_null(st, 1, row->hash);
        sqlite3_bind_int(st, 2, row->failed);
        sqlite3_bind_int(st, 3, row->lockouts);
        sqlite3_bind_int64(st, 4, row->locked_until_ms);
        sqlite3_bind_int64(st, 5, now_ms);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) status = dh_store_sql_fail(s, rc, STORE_WRITE, err, doing);
    }
    if (!status) status = insert_log(s, now_ms, action, outcome, detail, err, doing);
    if (status) {
        dh_store_abort(s);
        return status;
    }
    return dh_store_end(s, err, doing);
}

/* The current attempt of each trainee at each course version. */
#define CURRENT_ATTEMPT                                                                          \
    "e.attempt = (SELECT max(x.attempt) FROM enrolment x WHERE x.trainee_id = e.trainee_id "     \
    "AND x.course_id = e.course_id AND x.course_version = e.course_version)"

dh_Status dh_admin_summary(dh_Store *s, int *trainees, dh_AdminCourseFn fn, void *ctx,
                           dh_Error *err)
{
    const char *doing = "cannot summarise this kiosk's records";
    *trainees = 0;
    sqlite3_stmt *st;
    dh_Status status = dh_store_snapshot_begin(s, err);
    if (status) return status;
    status = prepare(s, "SELECT count(*) FROM trainee", &st, STORE_READ, err, doing);
    if (!status) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) *trainees = sqlite3_column_int(st, 0);
        else status = dh_store_sql_fail(s, rc, STORE_READ, err, doing);
        sqlite3_finalize(st);
    }
    /* Per course id, each trainee counts once, by their most recently
     * updated current attempt (a trainee who passed 1.0 and is now in 1.1
     * counts as in progress). */
    if (!status)
        status = prepare(
            s,
            "WITH cur AS (SELECT e.trainee_id, e.course_id, e.status, e.updated_ms FROM enrolment e "
            "WHERE " CURRENT_ATTEMPT " AND e.status <> 'not attempted'), "
            "latest AS (SELECT c.* FROM cur c WHERE c.updated_ms = (SELECT max(y.updated_ms) "
            "FROM cur y WHERE y.trainee_id = c.trainee_id AND y.course_id = c.course_id) "
            "GROUP BY c.trainee_id, c.course_id) "
            "SELECT course_id, count(*), sum(status IN ('completed', 'passed')), "
            "sum(status = 'passed'), sum(status = 'failed'), sum(status = 'in progress') "
            "FROM latest GROUP BY course_id ORDER BY course_id",
            &st, STORE_READ, err, doing);
    if (!status) {
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            const char *id = (const char *)sqlite3_column_text(st, 0);
            if (!id) {
                status = dh_fail(err, DH_ENOMEM, "%s: out of memory", doing);
                break;
            }
            dh_AdminCourse c = {id, sqlite3_column_int(st, 1), sqlite3_column_int(st, 2),
                                sqlite3_column_int(st, 3), sqlite3_column_int(st, 4),
                                sqlite3_column_int(st, 5)};
            if ((status = fn(&c, ctx, err))) break;
        }
        if (!status && rc != SQLITE_DONE) status = dh_store_sql_fail(s, rc, STORE_READ, err, doing);
        sqlite3_finalize(st);
    }
    dh_store_snapshot_end(s);
    return status;
}

dh_Status dh_admin_unfinished(dh_Store *s, const char *course_id, const char *version, int *count,
                              dh_Error *err)
{
    const char *doing = "cannot count unfinished attempts";
    *count = 0;
    sqlite3_stmt *st;
    dh_Status status = prepare(s,
                               "SELECT count(*) FROM enrolment e WHERE e.course_id = ? AND "
                               "e.course_version = ? AND e.status = 'in progress' AND " CURRENT_ATTEMPT,
                               &st, STORE_READ, err, doing);
    if (status) return status;
    sqlite3_bind_text(st, 1, course_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *count = sqlite3_column_int(st, 0);
    else status = dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    sqlite3_finalize(st);
    return status;
}

dh_Status dh_admin_export_trainees(dh_Store *s, const char *export_id, int64_t *trainees,
                                   dh_Error *err)
{
    const char *doing = "cannot count the exported trainees";
    *trainees = 0;
    sqlite3_stmt *st;
    dh_Status status = prepare(s,
                               "SELECT count(DISTINCT trainee_id) FROM statement WHERE export_id = ?",
                               &st, STORE_READ, err, doing);
    if (status) return status;
    sqlite3_bind_text(st, 1, export_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *trainees = sqlite3_column_int64(st, 0);
    else status = dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    sqlite3_finalize(st);
    return status;
}
