/* store_export: the read-only listings an export needs.
 *
 * An export writes the journal and a summary of every trainee's standing in
 * every course, and the two must describe the same moment even while a
 * trainee goes on working at the kiosk: so the export reads inside one
 * SQLite read transaction (a snapshot; WAL lets the player commit
 * meanwhile), and the summary comes from one joined query rather than a
 * lookup per trainee. Nothing here writes. Kept apart from store_progress.c
 * so that export and progress can change independently.
 */
#include "store_impl.h"

#include <string.h>

/* The status words as the schema's CHECK list stores them, mapped in SQL
 * (store_progress.c keeps the same list for its own reads). */
#define STATUS_CODE                                                                            \
    "CASE e.status WHEN 'not attempted' THEN 0 WHEN 'in progress' THEN 1 "                      \
    "WHEN 'completed' THEN 2 WHEN 'passed' THEN 3 WHEN 'failed' THEN 4 ELSE -1 END"

dh_Status dh_store_current_attempts_each(dh_Store *s, dh_AttemptFn fn, void *ctx, dh_Error *err)
{
    const char *doing = "cannot list the trainees' courses";
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        s->db,
        "SELECT t.id, t.name, t.unit, t.nation, t.lang, t.created_ms, t.updated_ms, "
        "e.course_id, e.course_version, e.registration, e.attempt, " STATUS_CODE ", "
        "e.score, e.time_ms, e.started_ms, e.updated_ms, e.completed_ms "
        "FROM enrolment e JOIN trainee t ON t.id = e.trainee_id "
        "WHERE e.attempt = (SELECT max(x.attempt) FROM enrolment x "
        "WHERE x.trainee_id = e.trainee_id AND x.course_id = e.course_id "
        "AND x.course_version = e.course_version) "
        "ORDER BY t.id, e.course_id, e.course_version",
        -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    }
    dh_Status status = DH_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        dh_Trainee t;
        dh_Enrolment e;
        memset(&t, 0, sizeof t);
        memset(&e, 0, sizeof e);
        bool ok = dh_store_column_copy(t.id, sizeof t.id, st, 0) &&
                  dh_store_column_copy(t.name, sizeof t.name, st, 1) &&
                  dh_store_column_copy(t.unit, sizeof t.unit, st, 2) &&
                  dh_store_column_copy(t.nation, sizeof t.nation, st, 3) &&
                  dh_store_column_copy(t.lang, sizeof t.lang, st, 4) &&
                  dh_store_column_copy(e.course_id, sizeof e.course_id, st, 7) &&
                  dh_store_column_copy(e.course_version, sizeof e.course_version, st, 8) &&
                  dh_store_column_copy(e.registration, sizeof e.registration, st, 9);
        if (!ok && sqlite3_errcode(s->db) == SQLITE_NOMEM) {
            status = dh_fail(err, DH_ENOMEM, "%s: out of memory", doing);
            break;
        }
        int code = sqlite3_column_int(st, 11);
        if (!ok || code < 0) {
            status = dh_fail(err, DH_EFORMAT,
                             "%s: the course record of trainee '%s' in %s is malformed (was the "
                             "file edited by another program?)",
                             doing, t.id, s->path);
            break;
        }
        t.created_ms = sqlite3_column_int64(st, 5);
        t.updated_ms = sqlite3_column_int64(st, 6);
        memcpy(e.trainee_id, t.id, sizeof e.trainee_id);
        e.attempt = sqlite3_column_int(st, 10);
        e.status = (dh_ProgressStatus)code;
        e.has_score = sqlite3_column_type(st, 12) != SQLITE_NULL;
        e.score = e.has_score ? sqlite3_column_double(st, 12) : 0.0;
        e.time_ms = sqlite3_column_int64(st, 13);
        e.started_ms = sqlite3_column_int64(st, 14);
        e.updated_ms = sqlite3_column_int64(st, 15);
        e.completed_ms = sqlite3_column_int64(st, 16);
        if ((status = fn(&t, &e, ctx, err))) break;
    }
    if (!status && rc != SQLITE_DONE) status = dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    sqlite3_finalize(st);
    return status;
}

dh_Status dh_store_snapshot_begin(dh_Store *s, dh_Error *err)
{
    const char *doing = "cannot read the progress database";
    if (s->broken)
        return dh_fail(err, DH_EIO,
                       "%s: an earlier error left the database connection unusable; restart "
                       "Drillhall",
                       doing);
    if (!sqlite3_get_autocommit(s->db))
        return dh_fail(err, DH_EINVAL, "%s: a transaction is already open", doing);
    /* BEGIN alone is deferred: the snapshot starts at the first read, so
     * read once now to pin it to this moment. */
    int rc = sqlite3_exec(s->db, "BEGIN; SELECT count(*) FROM sqlite_schema;", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        dh_store_snapshot_end(s);
        return dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    }
    return DH_OK;
}

void dh_store_snapshot_end(dh_Store *s)
{
    /* the ROLLBACK prepared at open: ending a read must work out of memory too */
    if (s) dh_store_abort(s);
}
