/* store_impl: what the store's source files share, and nobody else sees.
 *
 * The store is split by subject (opening and migrations in store.c, the
 * schema in store_schema.c, trainees in store_trainee.c, progress and the
 * journal in store_progress.c) but they are one module around one SQLite
 * connection. This header is the only place besides those files where
 * <sqlite3.h> appears; store.h keeps dh_Store opaque.
 */
#ifndef DH_STORE_IMPL_H
#define DH_STORE_IMPL_H

#include "store.h"

#include <sqlite3.h>

/* Slots of the prepared-statement cache: each statement is compiled once per
 * connection, so a commit costs its fsync and little else. */
typedef enum StoreStmt {
    STMT_BEGIN, STMT_COMMIT, STMT_ROLLBACK, /* prepared at open: needed even out of memory */
    STMT_TRAINEE_GET, STMT_TRAINEE_INSERT, STMT_TRAINEE_UPDATE,
    STMT_ENROL_CURRENT, STMT_ENROL_BY_REG, STMT_ENROL_INSERT, STMT_ENROL_UPDATE,
    STMT_MODULE_UPSERT, STMT_MODULE_UPSERT_KEEP, STMT_MODULE_GET, STMT_MODULE_ATTEMPT_INSERT,
    STMT_STATEMENT_INSERT, STMT_STATEMENT_MARK,
    STMT_COUNT /* listings compile their own statement: their callbacks may use the store */
} StoreStmt;

struct dh_Store {
    sqlite3 *db;                         /* the one connection */
    char *dir;                           /* data directory (dh_malloc) */
    char *path;                          /* dir/progress.db (dh_malloc) */
    sqlite3_stmt *stmts[STMT_COUNT];     /* cache, NULL until first use */
    int64_t (*clock)(void *ctx);         /* milliseconds since the epoch */
    void *clock_ctx;
    bool broken;                         /* a ROLLBACK failed: refuse further work */
};

/* What was being done when SQLite failed, which decides the last words of
 * the message: a failed write says that nothing was saved. */
typedef enum StoreOp { STORE_READ, STORE_WRITE } StoreOp;

/* Translate an SQLite result code into a dh_Status and a sentence:
 * "<doing>: the disk is full, so nothing was saved; ...". */
dh_Status dh_store_sql_fail(dh_Store *s, int rc, StoreOp op, dh_Error *err, const char *doing);
/* The cached statement for slot in *out, compiled from sql on first use
 * (failure: a status and err starting with `doing`). Reset and unbound
 * before it is returned; reset it again when done so it holds no read
 * snapshot. */
dh_Status dh_store_stmt(dh_Store *s, StoreStmt slot, const char *sql, sqlite3_stmt **out,
                        dh_Error *err, const char *doing);
/* BEGIN IMMEDIATE: take the write lock now, so a commit never fails half-way
 * for want of it. */
dh_Status dh_store_begin(dh_Store *s, dh_Error *err, const char *doing);
/* COMMIT; on failure the transaction is rolled back. */
dh_Status dh_store_end(dh_Store *s, dh_Error *err, const char *doing);
/* ROLLBACK if a transaction is open (after an error; keeps err as it is). */
void dh_store_abort(dh_Store *s);
/* Current time from the store's clock. */
int64_t dh_store_now(dh_Store *s);
/* Copy text column col into dst (size bytes); NULL becomes "". False when it
 * does not fit or memory ran out: a record someone else wrote, or damage. */
bool dh_store_column_copy(char *dst, size_t size, sqlite3_stmt *st, int col);
/* Bind text or NULL for an empty string. */
int dh_store_bind_text_or_null(sqlite3_stmt *st, int i, const char *text);

#endif
