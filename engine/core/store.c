/* store: opening the progress database safely, and speaking for SQLite.
 *
 * Opening is where a kiosk's records are most at risk: the file may be from
 * a newer program, damaged by a failing card, or not a database at all. The
 * order below is chosen so that nothing is written before we know the file
 * is ours and healthy: open, quick_check (read-only), read application_id
 * and user_version, and only then switch to WAL and migrate. A damaged file
 * is renamed, with its -wal and -shm, never deleted or overwritten; a newer
 * one is left exactly as it was.
 *
 * SQLite's memory goes through dh_malloc (so allocation-failure tests reach
 * inside it) and its result codes become sentences here, at the boundary.
 */
#define _POSIX_C_SOURCE 200809L

#include "store.h"

#include "alloc.h"
#include "store_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BUSY_TIMEOUT_MS 5000 /* another process holding the file: wait, then say so */

/* ---- SQLite memory through dh_malloc ------------------------------------------- */

/* SQLite wants to ask the size of a block, which malloc cannot answer
 * portably, so each block carries it in a header; 16 bytes keep the
 * alignment malloc gave. */
#define MEM_HEADER 16

static void *mem_malloc(int n)
{
    if (n <= 0) return NULL;
    unsigned char *p = dh_malloc((size_t)n + MEM_HEADER);
    if (!p) return NULL;
    memcpy(p, &(size_t){(size_t)n}, sizeof(size_t));
    return p + MEM_HEADER;
}

static void mem_free(void *p)
{
    if (p) dh_free((unsigned char *)p - MEM_HEADER);
}

static void *mem_realloc(void *p, int n)
{
    if (!p) return mem_malloc(n);
    if (n <= 0) return NULL;
    unsigned char *q = dh_realloc((unsigned char *)p - MEM_HEADER, (size_t)n + MEM_HEADER);
    if (!q) return NULL;
    memcpy(q, &(size_t){(size_t)n}, sizeof(size_t));
    return q + MEM_HEADER;
}

static int mem_size(void *p)
{
    if (!p) return 0;
    size_t n;
    memcpy(&n, (unsigned char *)p - MEM_HEADER, sizeof n);
    return (int)n;
}

static int mem_roundup(int n)
{
    return (n + 7) & ~7;
}

static int mem_init(void *ctx)
{
    (void)ctx;
    return SQLITE_OK;
}

static void mem_shutdown(void *ctx)
{
    (void)ctx;
}

dh_Status dh_store_init(dh_Error *err)
{
    static const sqlite3_mem_methods methods = {mem_malloc, mem_free,     mem_realloc, mem_size,
                                                mem_roundup, mem_init, mem_shutdown, NULL};
    static bool configured;
    if (!configured) {
        /* sqlite3_config is refused once SQLite is in use; then allocation
         * tests would silently stop covering it, so say so loudly. */
        int rc = sqlite3_config(SQLITE_CONFIG_MALLOC, &methods);
        if (rc != SQLITE_OK)
            return dh_fail(err, DH_EINVAL,
                           "SQLite was used before dh_store_init, so its memory cannot be "
                           "routed through dh_malloc (%s)",
                           sqlite3_errstr(rc));
        configured = true;
    }
    int rc = sqlite3_initialize();
    if (rc != SQLITE_OK)
        return dh_fail(err, rc == SQLITE_NOMEM ? DH_ENOMEM : DH_EIO, "cannot initialise SQLite: %s",
                       sqlite3_errstr(rc));
    return DH_OK;
}

/* ---- time and paths -------------------------------------------------------------- */

static int64_t wall_clock(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t dh_store_now(dh_Store *s)
{
    return s->clock(s->clock_ctx);
}

void dh_store_set_clock(dh_Store *s, int64_t (*fn)(void *ctx), void *ctx)
{
    s->clock = fn ? fn : wall_clock;
    s->clock_ctx = fn ? ctx : NULL;
}

dh_Status dh_store_default_dir(char *out, size_t size, dh_Error *err)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    int n;
    /* The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored. */
    if (xdg && xdg[0] == '/') {
        n = snprintf(out, size, "%s/%s", xdg, DH_STORE_DIR_NAME);
    } else {
        const char *home = getenv("HOME");
        struct passwd pw, *found = NULL;
        char buf[4096];
        if ((!home || !home[0]) && getpwuid_r(getuid(), &pw, buf, sizeof buf, &found) == 0 && found)
            home = found->pw_dir;
        if (!home || !home[0])
            return dh_fail(err, DH_ENOTFOUND,
                           "cannot find the home directory for the data directory: set HOME or "
                           "XDG_DATA_HOME, or name a data directory (--data DIR)");
        n = snprintf(out, size, "%s/.local/share/%s", home, DH_STORE_DIR_NAME);
    }
    if (n < 0 || (size_t)n >= size)
        return dh_fail(err, DH_ELIMIT, "the data directory path is too long (%d bytes)", n);
    return DH_OK;
}

static dh_Status mkdir_one(const char *path, dh_Error *err)
{
    if (mkdir(path, 0700) == 0) return DH_OK;
    int e = errno;
    struct stat sb;
    if (e == EEXIST && stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) return DH_OK;
        return dh_fail(err, DH_EIO,
                       "cannot use %s as a data directory: it exists but is not a directory",
                       path);
    }
    return dh_fail(err, DH_EIO, "cannot create the data directory %s: %s", path, strerror(e));
}

dh_Status dh_store_make_dir(const char *dir, dh_Error *err)
{
    char path[DH_STORE_PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0) return dh_fail(err, DH_EINVAL, "the data directory name is empty");
    if (n >= sizeof path) return dh_fail(err, DH_ELIMIT, "the data directory path is too long");
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i < n; i++) {
        if (path[i] != '/' || path[i - 1] == '/') continue;
        path[i] = '\0';
        dh_Status st = mkdir_one(path, err);
        path[i] = '/';
        if (st) return st;
    }
    return mkdir_one(path, err);
}

static bool exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

/* A rename is durable only once the directory holding it is flushed. Best
 * effort: some file systems cannot fsync a directory, and the rename has
 * happened either way. */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return;
    (void)fsync(fd);
    close(fd);
}

/* ---- speaking for SQLite --------------------------------------------------------- */

static const char *os_error(dh_Store *s)
{
    int e = s && s->db ? sqlite3_system_errno(s->db) : 0;
    return e ? strerror(e) : "no further detail";
}

dh_Status dh_store_sql_fail(dh_Store *s, int rc, StoreOp op, dh_Error *err, const char *doing)
{
    const char *path = s && s->path ? s->path : DH_STORE_DB_NAME;
    const char *detail = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    const char *saved = op == STORE_WRITE ? ", so nothing was saved" : "";
    if (rc == SQLITE_IOERR_NOMEM) rc = SQLITE_NOMEM;
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return dh_fail(err, DH_EIO,
                       "%s: the disk is full%s; free some space on this computer (old exports, "
                       "logs) and try again",
                       doing, saved);
    case SQLITE_NOMEM:
        return dh_fail(err, DH_ENOMEM, "%s: out of memory%s", doing, saved);
    case SQLITE_READONLY:
        return dh_fail(err, DH_EIO,
                       "%s: the progress database %s cannot be written (the file or its folder is "
                       "read-only, or the disk is mounted read-only)%s",
                       doing, path, saved);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return dh_fail(err, DH_EIO,
                       "%s: the progress database %s is locked by another program (is Drillhall "
                       "running twice?)%s; close the other program and try again",
                       doing, path, saved);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return dh_fail(err, DH_EFORMAT,
                       "%s: the progress database %s is damaged (%s)%s; restart Drillhall, which "
                       "moves the damaged file aside (keeping it for the training officer) and "
                       "starts a new one",
                       doing, path, detail, saved);
    case SQLITE_IOERR:
        return dh_fail(err, DH_EIO,
                       "%s: the disk reported an error while using %s (%s: %s)%s; the disk may "
                       "be failing or was removed",
                       doing, path, detail, os_error(s), saved);
    case SQLITE_CANTOPEN:
        return dh_fail(err, DH_EIO, "%s: cannot open %s (%s)", doing, path, os_error(s));
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return dh_fail(err, DH_EIO, "%s: permission denied on %s%s", doing, path, saved);
    case SQLITE_TOOBIG:
        return dh_fail(err, DH_ELIMIT, "%s: a value is too large for the database%s", doing,
                       saved);
    case SQLITE_CONSTRAINT:
        return dh_fail(err, DH_EINVAL, "%s: the database refused the change (%s)%s", doing,
                       detail, saved);
    default:
        return dh_fail(err, DH_EIO, "%s: database error on %s (%s)%s", doing, path, detail, saved);
    }
}

dh_Status dh_store_stmt(dh_Store *s, StoreStmt slot, const char *sql, sqlite3_stmt **out,
                        dh_Error *err, const char *doing)
{
    sqlite3_stmt *st = s->stmts[slot];
    *out = NULL;
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        *out = st;
        return DH_OK;
    }
    int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    }
    s->stmts[slot] = *out = st;
    return DH_OK;
}

bool dh_store_column_copy(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    dst[0] = '\0';
    if (!text) return sqlite3_column_type(st, col) == SQLITE_NULL;
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    if (n >= size || memchr(text, '\0', n)) return false;
    memcpy(dst, text, n + 1);
    return true;
}

int dh_store_bind_text_or_null(sqlite3_stmt *st, int i, const char *text)
{
    if (!text || !text[0]) return sqlite3_bind_null(st, i);
    return sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
}

dh_Status dh_store_begin(dh_Store *s, dh_Error *err, const char *doing)
{
    if (s->broken)
        return dh_fail(err, DH_EIO,
                       "%s: an earlier failure left the progress database connection unusable; "
                       "restart Drillhall (everything confirmed before is safe)",
                       doing);
    sqlite3_stmt *st = s->stmts[STMT_BEGIN];
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return dh_store_sql_fail(s, rc, STORE_WRITE, err, doing);
    return DH_OK;
}

dh_Status dh_store_end(dh_Store *s, dh_Error *err, const char *doing)
{
    sqlite3_stmt *st = s->stmts[STMT_COMMIT];
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) return DH_OK;
    dh_Status status = dh_store_sql_fail(s, rc, STORE_WRITE, err, doing);
    dh_store_abort(s);
    return status;
}

void dh_store_abort(dh_Store *s)
{
    if (!s->db || sqlite3_get_autocommit(s->db)) return; /* SQLite already rolled back */
    for (int i = 0; i < STMT_COUNT; i++)
        if (s->stmts[i]) sqlite3_reset(s->stmts[i]);
    sqlite3_stmt *st = s->stmts[STMT_ROLLBACK];
    if (st) {
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    /* A connection stuck inside a transaction would make every later
     * "commit" part of one that never ends: stop using it instead. */
    if (!sqlite3_get_autocommit(s->db)) s->broken = true;
}

/* ---- opening ------------------------------------------------------------------------ */

static dh_Status open_db(dh_Store *s, int flags, dh_Error *err)
{
    int rc = sqlite3_open_v2(s->path, &s->db, flags, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(s->db, 1);
        rc = sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    }
    /* Until the file is known to be healthy and ours, closing must not
     * checkpoint the WAL into it or delete the WAL: a damaged or foreign
     * database is left (or moved aside) exactly as it was found. */
    if (rc == SQLITE_OK)
        rc = sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
    if (rc != SQLITE_OK) {
        dh_Status st = dh_store_sql_fail(s, rc, STORE_READ, err, "cannot open the progress database");
        sqlite3_close(s->db);
        s->db = NULL;
        return st;
    }
    if (sqlite3_db_readonly(s->db, "main") == 1)
        return dh_fail(err, DH_EIO,
                       "the progress database %s is read-only (check the permissions of the file "
                       "and its folder): Drillhall cannot record progress there",
                       s->path);
    return DH_OK;
}

static void close_db(dh_Store *s)
{
    for (int i = 0; i < STMT_COUNT; i++) {
        sqlite3_finalize(s->stmts[i]);
        s->stmts[i] = NULL;
    }
    sqlite3_close(s->db);
    s->db = NULL;
}

/* Run PRAGMA quick_check. A file that SQLite calls damaged or "not a
 * database" sets *damaged and a reason; anything else that goes wrong
 * (locked, unreadable, out of memory) is an error and the file is left be. */
static dh_Status quick_check(dh_Store *s, bool *damaged, char *reason, size_t size, dh_Error *err)
{
    sqlite3_stmt *st = NULL;
    *damaged = false;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(st, 0);
        if (!r) {
            rc = sqlite3_errcode(s->db); /* out of memory while fetching the text */
        } else {
            if (strcmp(r, "ok") != 0) {
                *damaged = true;
                snprintf(reason, size, "the integrity check says: %s", r);
            }
            rc = SQLITE_OK;
        }
    } else if ((rc & 0xff) == SQLITE_NOTADB) {
        *damaged = true;
        snprintf(reason, size, "it is not an SQLite database");
    } else if ((rc & 0xff) == SQLITE_CORRUPT) {
        *damaged = true;
        snprintf(reason, size, "%s", sqlite3_errmsg(s->db));
    }
    dh_Status status = DH_OK;
    if (rc != SQLITE_OK && !*damaged)
        status = dh_store_sql_fail(s, rc, STORE_READ, err, "cannot check the progress database");
    sqlite3_finalize(st);
    return status;
}

/* Rename path (and path-wal, path-shm) to path.corrupt-STAMP[-N]. The WAL
 * must go with it: left behind, SQLite would replay the damaged database's
 * pages into the new one. */
static dh_Status move_aside(dh_Store *s, const char *reason, dh_StoreNotice *notice,
                            dh_Error *err)
{
    static const char *const companions[] = {"-wal", "-shm"};
    char stamp[32], dest[DH_STORE_PATH_MAX], from[DH_STORE_PATH_MAX], to[DH_STORE_PATH_MAX];
    time_t t = (time_t)(dh_store_now(s) / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    for (int n = 1;; n++) {
        if (n > 100)
            return dh_fail(err, DH_EIO, "cannot find a free name to move %s aside", s->path);
        if (n == 1) snprintf(dest, sizeof dest, "%s.corrupt-%s", s->path, stamp);
        else snprintf(dest, sizeof dest, "%s.corrupt-%s-%d", s->path, stamp, n);
        /* dh_store_open left room for the suffixes, so nothing is cut here. */
        if (snprintf(to, sizeof to, "%s-wal", dest) >= (int)sizeof to)
            return dh_fail(err, DH_ELIMIT, "the path %s is too long", s->path);
        if (!exists(dest) && !exists(to)) break;
    }
    if (exists(s->path) && rename(s->path, dest) != 0)
        return dh_fail(err, DH_EIO,
                       "the progress database %s is damaged (%s) but cannot be moved aside: %s; "
                       "nothing was changed",
                       s->path, reason, strerror(errno));
    for (size_t i = 0; i < sizeof companions / sizeof *companions; i++) {
        snprintf(from, sizeof from, "%s%s", s->path, companions[i]);
        snprintf(to, sizeof to, "%s%s", dest, companions[i]);
        if (exists(from) && rename(from, to) != 0)
            return dh_fail(err, DH_EIO, "cannot move %s aside to %s: %s; nothing else was changed",
                           from, to, strerror(errno));
    }
    sync_dir(s->dir);
    notice->moved_aside = true;
    snprintf(notice->moved_to, sizeof notice->moved_to, "%s", dest);
    /* The sentence names the folder and the new file name (bounded so it
     * always fits); moved_to has the whole path. */
    const char *base = strrchr(dest, '/');
    snprintf(notice->msg, sizeof notice->msg,
             "The progress database in %.300s could not be used (%.200s), so it was moved aside "
             "as %.80s and a new, empty database was started. Keep the moved file: it may still "
             "hold records a training officer can recover.",
             s->dir, reason, base ? base + 1 : dest);
    return DH_OK;
}

static dh_Status pragma_int(dh_Store *s, const char *sql, int *out, dh_Error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return dh_store_sql_fail(s, rc, STORE_READ, err, "cannot read the progress database");
    return DH_OK;
}

/* Is the file ours, and of a schema we know? Nothing is written yet. */
static dh_Status check_identity(dh_Store *s, int *version, dh_Error *err)
{
    int appid = 0, objects = 0;
    dh_Status st;
    if ((st = pragma_int(s, "PRAGMA application_id", &appid, err)) ||
        (st = pragma_int(s, "PRAGMA user_version", version, err)) ||
        (st = pragma_int(s, "SELECT count(*) FROM sqlite_schema", &objects, err)))
        return st;
    if (appid != 0 && appid != DH_STORE_APPLICATION_ID)
        return dh_fail(err, DH_EFORMAT,
                       "%s is not a Drillhall progress database (it belongs to another program, "
                       "application id 0x%08X); nothing was changed. Move it away or give "
                       "Drillhall another data directory (--data DIR)",
                       s->path, (unsigned)appid);
    if (appid == 0 && (*version != 0 || objects != 0))
        return dh_fail(err, DH_EFORMAT,
                       "%s is an SQLite database of another program (it has tables but no "
                       "Drillhall mark); nothing was changed. Move it away or give Drillhall "
                       "another data directory (--data DIR)",
                       s->path);
    if (*version > DH_STORE_SCHEMA_VERSION)
        return dh_fail(err, DH_EFORMAT,
                       "%s was written by a newer Drillhall (database schema %d; this program "
                       "knows schemas up to %d); nothing was changed. Install the newer "
                       "Drillhall on this kiosk, or use another data directory (--data DIR)",
                       s->path, *version, DH_STORE_SCHEMA_VERSION);
    if (*version < 0)
        return dh_fail(err, DH_EFORMAT, "%s has an impossible schema version %d; nothing was changed",
                       s->path, *version);
    return DH_OK;
}

static dh_Status exec(dh_Store *s, const char *sql, StoreOp op, dh_Error *err, const char *doing)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK) return dh_store_sql_fail(s, rc, op, err, doing);
    return DH_OK;
}

static dh_Status set_pragmas(dh_Store *s, dh_Error *err)
{
    const char *doing = "cannot prepare the progress database";
    sqlite3_stmt *st = NULL;
    /* DEFENSIVE refuses writable_schema and similar ways to corrupt the file. */
    int rc = sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *mode = (const char *)sqlite3_column_text(st, 0);
        if (mode && strcmp(mode, "wal") != 0) {
            sqlite3_finalize(st);
            return dh_fail(err, DH_EIO,
                           "%s: the file system of %s does not support SQLite's write-ahead log "
                           "(journal mode stays '%s'); use a local disk for the data directory",
                           doing, s->path, mode);
        }
        rc = mode ? SQLITE_OK : SQLITE_NOMEM;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) return dh_store_sql_fail(s, rc, STORE_WRITE, err, doing);
    /* FULL: every COMMIT flushes the write-ahead log, so a transaction that
     * returned survives a power cut (NORMAL would only keep the file sound). */
    return exec(s,
                "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF; PRAGMA cache_size=-8192;",
                STORE_WRITE, err, doing);
}

static dh_Status migrate_one(dh_Store *s, int version, dh_Error *err)
{
    char doing[128], sql[160];
    snprintf(doing, sizeof doing, "cannot upgrade the progress database to schema %d", version);
    dh_Status st = exec(s, "BEGIN IMMEDIATE", STORE_WRITE, err, doing);
    if (st) return st;
    if ((st = exec(s, dh_store_migration_sql(version), STORE_WRITE, err, doing))) goto fail;
    sqlite3_stmt *ins = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "INSERT INTO schema_migration (version, name, applied_ms, program) "
                                "VALUES (?1, ?2, ?3, ?4)",
                                -1, &ins, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int(ins, 1, version);
        sqlite3_bind_text(ins, 2, dh_store_migration_name(version), -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, dh_store_now(s));
        sqlite3_bind_text(ins, 4, "drillhall " DH_VERSION, -1, SQLITE_STATIC);
        rc = sqlite3_step(ins);
        if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK) st = dh_store_sql_fail(s, rc, STORE_WRITE, err, doing);
    sqlite3_finalize(ins);
    if (st) goto fail;
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d; PRAGMA application_id=%d;", version,
             DH_STORE_APPLICATION_ID);
    if ((st = exec(s, sql, STORE_WRITE, err, doing))) goto fail;
    if ((st = exec(s, "COMMIT", STORE_WRITE, err, doing))) goto fail;
    return DH_OK;
fail:
    if (!sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

/* The three statements a transaction needs, compiled now: a ROLLBACK must
 * not depend on finding memory to compile it after an allocation failed. */
static dh_Status prepare_transactions(dh_Store *s, dh_Error *err)
{
    static const char *const sql[] = {"BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"};
    static const StoreStmt slot[] = {STMT_BEGIN, STMT_COMMIT, STMT_ROLLBACK};
    sqlite3_stmt *st;
    for (int i = 0; i < 3; i++) {
        dh_Status ps = dh_store_stmt(s, slot[i], sql[i], &st, err,
                                     "cannot prepare the progress database");
        if (ps) return ps;
    }
    return DH_OK;
}

static dh_Status configure(dh_Store *s, dh_Error *err)
{
    int version = 0;
    dh_Status st;
    if ((st = check_identity(s, &version, err))) return st;
    /* Ours and healthy: from now on a clean close folds the WAL back in. */
    int rc = sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, (int *)NULL);
    if (rc != SQLITE_OK)
        return dh_store_sql_fail(s, rc, STORE_READ, err, "cannot prepare the progress database");
    if ((st = set_pragmas(s, err))) return st;
    for (int v = version + 1; v <= DH_STORE_SCHEMA_VERSION; v++)
        if ((st = migrate_one(s, v, err))) return st;
    return prepare_transactions(s, err);
}

static dh_Status open_checked(dh_Store *s, dh_StoreNotice *notice, dh_Error *err)
{
    struct stat sb;
    char reason[512];
    dh_Status st;
    if (stat(s->path, &sb) == 0) {
        if (!S_ISREG(sb.st_mode))
            return dh_fail(err, DH_EIO, "%s is not a regular file; Drillhall keeps its progress "
                           "database there, so move it away", s->path);
        bool damaged = false;
        if ((st = open_db(s, SQLITE_OPEN_READWRITE, err)) ||
            (st = quick_check(s, &damaged, reason, sizeof reason, err)))
            return st;
        if (!damaged) return configure(s, err);
        close_db(s);
        if ((st = move_aside(s, reason, notice, err))) return st;
    } else if (errno != ENOENT) {
        return dh_fail(err, DH_EIO, "cannot use the progress database %s: %s", s->path,
                       strerror(errno));
    } else {
        char wal[DH_STORE_PATH_MAX];
        snprintf(wal, sizeof wal, "%s-wal", s->path);
        if (exists(wal) &&
            (st = move_aside(s, "its write-ahead log was there without the database", notice, err)))
            return st;
    }
    notice->created = true;
    if ((st = open_db(s, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err))) return st;
    return configure(s, err);
}

dh_Status dh_store_open(dh_Store **out, const char *dir, dh_StoreNotice *notice, dh_Error *err)
{
    DH_ASSERT(out && dir);
    dh_StoreNotice scratch;
    *out = NULL;
    if (!notice) notice = &scratch;
    memset(notice, 0, sizeof *notice);
    dh_Status st;
    if ((st = dh_store_init(err)) || (st = dh_store_make_dir(dir, err))) return st;
    /* Room for ".corrupt-YYYYMMDDTHHMMSSZ-NNN-wal" after the file name. */
    if (strlen(dir) + sizeof DH_STORE_DB_NAME + 48 > DH_STORE_PATH_MAX)
        return dh_fail(err, DH_ELIMIT, "the data directory path %s is too long", dir);
    dh_Store *s = dh_calloc(1, sizeof *s);
    if (!s) return dh_fail(err, DH_ENOMEM, "out of memory opening the progress database");
    s->clock = wall_clock;
    size_t n = strlen(dir) + sizeof DH_STORE_DB_NAME + 1;
    s->dir = dh_strdup(dir);
    s->path = dh_malloc(n);
    if (!s->dir || !s->path) {
        dh_store_close(s);
        return dh_fail(err, DH_ENOMEM, "out of memory opening the progress database");
    }
    snprintf(s->path, n, "%s/%s", dir, DH_STORE_DB_NAME);
    if ((st = open_checked(s, notice, err))) {
        dh_store_close(s);
        return st;
    }
    *out = s;
    return DH_OK;
}

void dh_store_close(dh_Store *s)
{
    if (!s) return;
    close_db(s);
    dh_free(s->dir);
    dh_free(s->path);
    dh_free(s);
}

const char *dh_store_path(const dh_Store *s)
{
    return s->path;
}

int dh_store_schema_version(dh_Store *s)
{
    int v = -1;
    if (pragma_int(s, "PRAGMA user_version", &v, NULL)) return -1;
    return v;
}

dh_Status dh_store_check(dh_Store *s, dh_Error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    dh_Status status = DH_OK;
    if (rc == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(st, 0);
        if (!r) status = dh_fail(err, DH_ENOMEM, "out of memory checking %s", s->path);
        else if (strcmp(r, "ok") != 0)
            status = dh_fail(err, DH_EFORMAT, "the progress database %s is damaged: %s", s->path, r);
    } else {
        status = dh_store_sql_fail(s, rc, STORE_READ, err, "cannot check the progress database");
    }
    sqlite3_finalize(st);
    return status;
}
