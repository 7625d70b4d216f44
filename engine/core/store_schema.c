/* store_schema: the numbered migrations that build the progress database.
 *
 * Migration N turns a version N-1 database into version N; store.c applies
 * the missing ones in order, each in its own transaction together with the
 * row that records it in schema_migration and PRAGMA user_version = N. A
 * migration, once released, never changes: kiosks in the field hold
 * databases made by it, and tests rebuild every earlier version from exactly
 * this text to prove that upgrading from it keeps every record. New schema
 * changes are new entries at the end.
 *
 * Times are INTEGER milliseconds since the Unix epoch (UTC). Statuses are
 * stored as words so an officer reading the file with the sqlite3 tool
 * understands it without this program.
 */
#include "store.h"

#include <stddef.h>

typedef struct Migration {
    const char *name; /* what it does, recorded in schema_migration */
    const char *sql;  /* one or more statements */
} Migration;

#define STATUS_CHECK(col) \
    "CHECK (" col " IN ('not attempted','in progress','completed','passed','failed'))"
#define SCORE_CHECK(col) "CHECK (" col " IS NULL OR (" col " >= -1 AND " col " <= 1))"

static const Migration migrations[DH_STORE_SCHEMA_VERSION] = {
    /* 1 */
    {"trainees, attempts, module state and the statement journal",
     "CREATE TABLE schema_migration (\n"
     "  version    INTEGER PRIMARY KEY,\n"
     "  name       TEXT NOT NULL,\n"
     "  applied_ms INTEGER NOT NULL,\n"
     "  program    TEXT NOT NULL\n"
     ");\n"
     "CREATE TABLE trainee (\n"
     "  id         TEXT PRIMARY KEY NOT NULL CHECK (length(id) BETWEEN 1 AND 32),\n"
     "  name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),\n"
     "  unit       TEXT,\n"
     "  nation     TEXT CHECK (nation IS NULL OR length(nation) = 2),\n"
     "  lang       TEXT,\n"
     "  created_ms INTEGER NOT NULL,\n"
     "  updated_ms INTEGER NOT NULL\n"
     ");\n"
     "CREATE TABLE enrolment (\n"
     "  id             INTEGER PRIMARY KEY,\n"
     "  trainee_id     TEXT NOT NULL REFERENCES trainee(id),\n"
     "  course_id      TEXT NOT NULL,\n"
     "  course_version TEXT NOT NULL,\n"
     "  attempt        INTEGER NOT NULL CHECK (attempt >= 1),\n"
     "  registration   TEXT NOT NULL UNIQUE,\n"
     "  status         TEXT NOT NULL DEFAULT 'not attempted' " STATUS_CHECK("status") ",\n"
     "  score          REAL " SCORE_CHECK("score") ",\n"
     "  time_ms        INTEGER NOT NULL DEFAULT 0 CHECK (time_ms >= 0),\n"
     "  started_ms     INTEGER NOT NULL,\n"
     "  updated_ms     INTEGER NOT NULL,\n"
     "  completed_ms   INTEGER,\n"
     "  UNIQUE (trainee_id, course_id, course_version, attempt)\n"
     ");\n"
     "CREATE TABLE module_state (\n"
     "  id           INTEGER PRIMARY KEY,\n"
     "  enrolment_id INTEGER NOT NULL REFERENCES enrolment(id),\n"
     "  module_id    TEXT NOT NULL,\n"
     "  status       TEXT NOT NULL " STATUS_CHECK("status") ",\n"
     "  score        REAL " SCORE_CHECK("score") ",\n"
     "  attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),\n"
     "  time_ms      INTEGER NOT NULL DEFAULT 0 CHECK (time_ms >= 0),\n"
     "  completed    INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),\n"
     "  passed       INTEGER NOT NULL DEFAULT 0 CHECK (passed IN (0, 1)),\n"
     "  updated_ms   INTEGER NOT NULL,\n"
     "  resume       BLOB CHECK (resume IS NULL OR length(resume) <= 1048576),\n"
     "  UNIQUE (enrolment_id, module_id)\n"
     ");\n"
     /* seq, not the UUID, is the journal order: an explicit INTEGER PRIMARY
      * KEY survives VACUUM, and AUTOINCREMENT never reuses a number, so an
      * export can safely remember "everything up to seq N". */
     "CREATE TABLE statement (\n"
     "  seq            INTEGER PRIMARY KEY AUTOINCREMENT,\n"
     "  id             TEXT NOT NULL UNIQUE CHECK (length(id) = 36),\n"
     "  trainee_id     TEXT NOT NULL REFERENCES trainee(id),\n"
     "  course_id      TEXT NOT NULL,\n"
     "  course_version TEXT NOT NULL,\n"
     "  registration   TEXT NOT NULL REFERENCES enrolment(registration),\n"
     "  verb           TEXT NOT NULL,\n"
     "  timestamp_ms   INTEGER NOT NULL,\n"
     "  stored_ms      INTEGER NOT NULL,\n"
     "  json           TEXT NOT NULL,\n"
     "  export_id      TEXT\n"
     ");\n"
     "CREATE INDEX statement_export ON statement(export_id);\n"
     "CREATE INDEX statement_registration ON statement(registration);\n"
     "CREATE INDEX enrolment_trainee ON enrolment(trainee_id, updated_ms);\n"},
    /* 2 */
    {"append-only statement journal",
     /* The journal is evidence: a statement, once journaled, is never
      * rewritten or deleted, whatever program opens the file. Only the
      * export bookkeeping may change. */
     "CREATE TRIGGER statement_no_delete BEFORE DELETE ON statement\n"
     "BEGIN SELECT RAISE(ABORT, 'the statement journal is append-only'); END;\n"
     "CREATE TRIGGER statement_no_rewrite BEFORE UPDATE ON statement\n"
     "WHEN NEW.seq IS NOT OLD.seq OR NEW.id IS NOT OLD.id\n"
     "  OR NEW.trainee_id IS NOT OLD.trainee_id OR NEW.course_id IS NOT OLD.course_id\n"
     "  OR NEW.course_version IS NOT OLD.course_version\n"
     "  OR NEW.registration IS NOT OLD.registration OR NEW.verb IS NOT OLD.verb\n"
     "  OR NEW.timestamp_ms IS NOT OLD.timestamp_ms OR NEW.stored_ms IS NOT OLD.stored_ms\n"
     "  OR NEW.json IS NOT OLD.json\n"
     "BEGIN SELECT RAISE(ABORT, 'the statement journal is append-only'); END;\n"},
    /* 3 */
    {"finished quiz attempts and exercise runs",
     /* Moodle's grade methods (highest, average, first, last) need every
      * finished quiz attempt, and a trainee must be able to reread the
      * review of an exercise long after it ended: one row per finished try,
      * numbered within the course attempt, with the engine's own record. */
     "CREATE TABLE module_attempt (\n"
     "  id           INTEGER PRIMARY KEY,\n"
     "  enrolment_id INTEGER NOT NULL REFERENCES enrolment(id),\n"
     "  module_id    TEXT NOT NULL,\n"
     "  number       INTEGER NOT NULL CHECK (number >= 1),\n"
     "  started_ms   INTEGER NOT NULL,\n"
     "  finished_ms  INTEGER NOT NULL,\n"
     "  score        REAL " SCORE_CHECK("score") ",\n"
     "  passed       INTEGER NOT NULL DEFAULT 0 CHECK (passed IN (0, 1)),\n"
     "  record       BLOB CHECK (record IS NULL OR length(record) <= 1048576),\n"
     "  UNIQUE (enrolment_id, module_id, number)\n"
     ");\n"},
    /* 4 */
    {"admin PIN, lockout and the admin action log",
     /* The admin PIN guards installing courses and taking records away, so
      * its hash (Argon2id, libsodium's crypto_pwhash_str text) and its
      * lockout live in the database: a restart must not reset the count of
      * wrong tries. One row, id 1. Every admin action is logged with its
      * time and outcome, append-only like the journal: an officer asking
      * "who installed this, when?" gets an answer nobody could edit. */
     "CREATE TABLE admin_pin (\n"
     "  id              INTEGER PRIMARY KEY CHECK (id = 1),\n"
     "  hash            TEXT CHECK (hash IS NULL OR length(hash) BETWEEN 1 AND 255),\n"
     "  failed          INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0),\n"
     "  lockouts        INTEGER NOT NULL DEFAULT 0 CHECK (lockouts >= 0),\n"
     "  locked_until_ms INTEGER NOT NULL DEFAULT 0,\n"
     "  updated_ms      INTEGER NOT NULL\n"
     ");\n"
     "CREATE TABLE admin_log (\n"
     "  seq     INTEGER PRIMARY KEY AUTOINCREMENT,\n"
     "  at_ms   INTEGER NOT NULL,\n"
     "  action  TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64),\n"
     "  outcome TEXT NOT NULL CHECK (outcome IN ('ok','failed','refused')),\n"
     "  detail  TEXT\n"
     ");\n"
     "CREATE TRIGGER admin_log_no_delete BEFORE DELETE ON admin_log\n"
     "BEGIN SELECT RAISE(ABORT, 'the admin log is append-only'); END;\n"
     "CREATE TRIGGER admin_log_no_update BEFORE UPDATE ON admin_log\n"
     "BEGIN SELECT RAISE(ABORT, 'the admin log is append-only'); END;\n"},
};

const char *dh_store_migration_sql(int version)
{
    if (version < 1 || version > DH_STORE_SCHEMA_VERSION) return NULL;
    return migrations[version - 1].sql;
}

const char *dh_store_migration_name(int version)
{
    if (version < 1 || version > DH_STORE_SCHEMA_VERSION) return NULL;
    return migrations[version - 1].name;
}
