/* test_store_faults: the store when the world fails under it.
 *
 * Failures are injected where the store meets the world: allocation
 * through dh_malloc (which SQLite and cJSON use too) at every point of an
 * open and a commit; a full disk through a small SQLite VFS shim that
 * wraps the default VFS and fails writes past a byte budget; a real
 * file-size limit (RLIMIT_FSIZE) in a child process; and another program
 * holding the write lock. Each must end in a plain sentence, and nothing
 * committed before may be lost, nor anything half-written remain.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "store.h"
#include "store_fixture.h"
#include "store_impl.h" /* dh_store_sql_fail: the sentences for each SQLite failure */

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_error_sentences(void **state)
{
    (void)state;
    static const struct {
        int rc;
        dh_Status status;
        const char *part;
    } cases[] = {
        {SQLITE_FULL, DH_EIO, "the disk is full, so nothing was saved"},
        {SQLITE_READONLY, DH_EIO, "cannot be written"},
        {SQLITE_READONLY_DBMOVED, DH_EIO, "read-only"},
        {SQLITE_CORRUPT, DH_EFORMAT, "is damaged"},
        {SQLITE_NOTADB, DH_EFORMAT, "restart Drillhall"},
        {SQLITE_BUSY, DH_EIO, "locked by another program"},
        {SQLITE_NOMEM, DH_ENOMEM, "out of memory, so nothing was saved"},
        {SQLITE_IOERR_NOMEM, DH_ENOMEM, "out of memory"},
        {SQLITE_IOERR_WRITE, DH_EIO, "the disk reported an error"},
        {SQLITE_IOERR_FSYNC, DH_EIO, "may be failing"},
        {SQLITE_TOOBIG, DH_ELIMIT, "too large"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        dh_Error err = {0};
        dh_Status st = dh_store_sql_fail(NULL, cases[i].rc, STORE_WRITE, &err, "cannot save progress");
        if (st != cases[i].status || strncmp(err.msg, "cannot save progress: ", 22) != 0 ||
            !strstr(err.msg, cases[i].part))
            fail_msg("rc %d: got %d '%s'", cases[i].rc, st, err.msg);
    }
    dh_Error err = {0};
    dh_store_sql_fail(NULL, SQLITE_FULL, STORE_READ, &err, "cannot read");
    assert_null(strstr(err.msg, "nothing was saved"));
}

/* A second program holding the write lock: after the busy timeout the
 * commit fails with a sentence, and succeeds once the lock is gone. */
static void test_locked_by_another_program(void **state)
{
    (void)state;
    dh_Store *s = open_ok(root, NULL);
    make_trainee(s, "SN-1");
    dh_Enrolment e = enrol_ok(s, "SN-1");
    char path[600];
    sqlite3 *db = raw_open(in_root(path, sizeof path, "progress.db"));
    raw_exec(db, "BEGIN IMMEDIATE");
    dh_Error err = {0};
    expect(commit_answer(s, e.registration, 1, 0, &err), DH_EIO, &err, "locked by another program");
    raw_exec(db, "COMMIT");
    sqlite3_close(db);
    assert_int_equal(commit_answer(s, e.registration, 1, 0, &err), DH_OK);
    dh_store_close(s);
}

/* The VFS shim: the default VFS, except that writes fail with SQLITE_FULL
 * once `budget` bytes have been written (budget < 0: no limit). */
typedef struct ShimFile {
    sqlite3_file base;
    sqlite3_file *real; /* the default VFS's file, allocated right after */
} ShimFile;

static sqlite3_vfs *real_vfs;
static long long budget = -1;

#define REAL(f) (((ShimFile *)(f))->real)
static int shim_close(sqlite3_file *f) { return REAL(f)->pMethods->xClose(REAL(f)); }
static int shim_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o) { return REAL(f)->pMethods->xRead(REAL(f), b, n, o); }
static int shim_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
    if (budget >= 0) {
        if (n > budget) return SQLITE_FULL;
        budget -= n;
    }
    return REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int shim_truncate(sqlite3_file *f, sqlite3_int64 n) { return REAL(f)->pMethods->xTruncate(REAL(f), n); }
static int shim_sync(sqlite3_file *f, int fl) { return REAL(f)->pMethods->xSync(REAL(f), fl); }
static int shim_size(sqlite3_file *f, sqlite3_int64 *n) { return REAL(f)->pMethods->xFileSize(REAL(f), n); }
static int shim_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int shim_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int shim_check(sqlite3_file *f, int *r) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), r); }
static int shim_fcntl(sqlite3_file *f, int op, void *a) { return REAL(f)->pMethods->xFileControl(REAL(f), op, a); }
static int shim_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int shim_caps(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int shim_shm_map(sqlite3_file *f, int pg, int sz, int ext, void volatile **p) { return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, p); }
static int shim_shm_lock(sqlite3_file *f, int off, int n, int fl) { return REAL(f)->pMethods->xShmLock(REAL(f), off, n, fl); }
static void shim_shm_barrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int shim_shm_unmap(sqlite3_file *f, int del) { return REAL(f)->pMethods->xShmUnmap(REAL(f), del); }
static int shim_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **p) { return REAL(f)->pMethods->xFetch(REAL(f), o, n, p); }
static int shim_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p) { return REAL(f)->pMethods->xUnfetch(REAL(f), o, p); }

static const sqlite3_io_methods shim_methods = {
    3, shim_close, shim_read, shim_write, shim_truncate, shim_sync, shim_size, shim_lock,
    shim_unlock, shim_check, shim_fcntl, shim_sector, shim_caps, shim_shm_map, shim_shm_lock,
    shim_shm_barrier, shim_shm_unmap, shim_fetch, shim_unfetch};

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
    (void)vfs;
    ShimFile *s = (ShimFile *)f;
    s->real = (sqlite3_file *)(s + 1);
    s->base.pMethods = NULL;
    int rc = real_vfs->xOpen(real_vfs, name, s->real, flags, out);
    if (rc == SQLITE_OK && s->real->pMethods) s->base.pMethods = &shim_methods;
    return rc;
}
static int shim_delete(sqlite3_vfs *v, const char *n, int d) { (void)v; return real_vfs->xDelete(real_vfs, n, d); }
static int shim_access(sqlite3_vfs *v, const char *n, int fl, int *r) { (void)v; return real_vfs->xAccess(real_vfs, n, fl, r); }
static int shim_full(sqlite3_vfs *v, const char *n, int sz, char *o) { (void)v; return real_vfs->xFullPathname(real_vfs, n, sz, o); }
static int shim_random(sqlite3_vfs *v, int n, char *o) { (void)v; return real_vfs->xRandomness(real_vfs, n, o); }
static int shim_sleep(sqlite3_vfs *v, int us) { (void)v; return real_vfs->xSleep(real_vfs, us); }
static int shim_time(sqlite3_vfs *v, double *t) { (void)v; return real_vfs->xCurrentTime(real_vfs, t); }
static int shim_lasterr(sqlite3_vfs *v, int n, char *o) { (void)v; return real_vfs->xGetLastError(real_vfs, n, o); }
static int shim_time64(sqlite3_vfs *v, sqlite3_int64 *t) { (void)v; return real_vfs->xCurrentTimeInt64(real_vfs, t); }

static sqlite3_vfs shim_vfs = {
    2, 0, 0, NULL, "dh-full-disk", NULL, shim_open, shim_delete, shim_access, shim_full,
    NULL, NULL, NULL, NULL, shim_random, shim_sleep, shim_time, shim_lasterr, shim_time64,
    NULL, NULL, NULL};

static void shim_install(void)
{
    real_vfs = sqlite3_vfs_find(NULL);
    assert_non_null(real_vfs);
    shim_vfs.szOsFile = (int)sizeof(ShimFile) + real_vfs->szOsFile;
    shim_vfs.mxPathname = real_vfs->mxPathname;
    budget = -1;
    assert_int_equal(sqlite3_vfs_register(&shim_vfs, 1), SQLITE_OK);
}

static void shim_remove(void)
{
    budget = -1;
    assert_int_equal(sqlite3_vfs_unregister(&shim_vfs), SQLITE_OK);
}

static void test_disk_full(void **state)
{
    (void)state;
    shim_install();
    dh_Store *s = open_ok(root, NULL);
    make_trainee(s, "SN-1");
    dh_Enrolment e = enrol_ok(s, "SN-1");
    dh_Error err = {0};
    long k = 1;
    for (; k <= 5; k++) assert_int_equal(commit_answer(s, e.registration, k, 3000, &err), DH_OK);
    /* Room for a few more answers, then the disk is full. */
    budget = 60000;
    dh_Status st = DH_OK;
    for (; k < 200 && (st = commit_answer(s, e.registration, k, 3000, &err)) == DH_OK; k++) {}
    long failed = k;
    assert_true(failed > 6 && failed < 200);
    expect(st, DH_EIO, &err, "the disk is full, so nothing was saved");
    assert_non_null(strstr(err.msg, "free some space"));
    assert_int_equal(module_attempts(s, e.registration), failed - 1);

    /* Space freed: the same answer (same statement id) goes through, so the
     * failed commit left nothing behind. */
    budget = -1;
    assert_int_equal(commit_answer(s, e.registration, failed, 3000, &err), DH_OK);
    /* Full again, and the program ends without a checkpoint. */
    budget = 0;
    expect(commit_answer(s, e.registration, failed + 1, 3000, &err), DH_EIO, &err, "disk is full");
    dh_store_close(s);
    shim_remove();

    dh_StoreNotice notice;
    s = open_ok(root, &notice);
    assert_false(notice.moved_aside);
    assert_int_equal(dh_store_check(s, &err), DH_OK);
    for (long i = 1; i <= failed; i++) {
        char id[DH_UUID_LEN + 1];
        answer_id(id, i);
        assert_true(has_statement(s, id));
    }
    char id[DH_UUID_LEN + 1];
    answer_id(id, failed + 1);
    assert_false(has_statement(s, id));
    assert_int_equal(statement_count(s), failed);
    assert_int_equal(module_attempts(s, e.registration), failed);
    dh_store_close(s);
}

/* A real file-size limit (the kernel refuses to grow files past it, as on a
 * full disk) in a child process that commits until it fails and reports
 * how far it got and what it was told. */
static void test_file_size_limit(void **state)
{
    (void)state;
    dh_Store *s = open_ok(root, NULL);
    make_trainee(s, "SN-1");
    dh_Enrolment e = enrol_ok(s, "SN-1");
    dh_Error err = {0};
    assert_int_equal(commit_answer(s, e.registration, 1, 3000, &err), DH_OK);
    dh_store_close(s);

    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {256 * 1024, 256 * 1024};
        dh_Store *c = NULL;
        dh_Error cerr = {0};
        long k = 2;
        char line[700];
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0 || dh_store_open(&c, root, NULL, &cerr) != DH_OK) _exit(2);
        while (k < 10000 && commit_answer(c, e.registration, k, 3000, &cerr) == DH_OK) k++;
        int n = snprintf(line, sizeof line, "%ld %d %s\n", k, cerr.code, cerr.msg);
        if (write(fd[1], line, (size_t)n) != n) _exit(3);
        dh_store_close(c);
        _exit(0);
    }
    close(fd[1]);
    char buf[800] = "";
    size_t got = 0;
    ssize_t r;
    while ((r = read(fd[0], buf + got, sizeof buf - 1 - got)) > 0) got += (size_t)r;
    buf[got] = '\0';
    close(fd[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    long failed = 0;
    int code = 0, used = 0;
    assert_int_equal(sscanf(buf, "%ld %d %n", &failed, &code, &used), 2);
    assert_true(failed > 2 && failed < 10000);
    assert_int_equal(code, DH_EIO);
    /* SQLite reports a short write as a full disk, a refused one as a write error. */
    if (!strstr(buf + used, "the disk is full, so nothing was saved") &&
        !strstr(buf + used, "the disk reported an error"))
        fail_msg("unexpected message: %s", buf + used);
    assert_non_null(strstr(buf + used, "nothing was saved"));

    dh_StoreNotice notice;
    s = open_ok(root, &notice);
    assert_false(notice.moved_aside);
    assert_int_equal(dh_store_check(s, &err), DH_OK);
    assert_int_equal(statement_count(s), failed - 1);
    assert_int_equal(module_attempts(s, e.registration), failed - 1);
    dh_store_close(s);
}

/* Remove a data directory holding only a database (cheaper than rm -rf
 * thousands of times). */
static void remove_db_dir(const char *dir)
{
    static const char *const names[] = {"progress.db", "progress.db-wal", "progress.db-shm"};
    char path[600];
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    assert_int_equal(rmdir(dir), 0);
}

/* Fail the Nth allocation for every N during open + commit (an existing
 * database), then during open + register + enrol + commit (a new one).
 * Every run must return an error or succeed; and whatever it returned, the
 * file afterwards holds the answer exactly when the commit said DH_OK. */
static void test_allocation_failures(void **state)
{
    (void)state;
    char dir[300];
    /* fsync on tmpfs is cheap: thousands of runs stay fast. */
    snprintf(dir, sizeof dir, "/dev/shm/dh_test_store.XXXXXX");
    if (!mkdtemp(dir)) snprintf(dir, sizeof dir, "%s/oom", root);
    dh_Store *s = open_ok(dir, NULL);
    make_trainee(s, "SN-1");
    dh_Enrolment e = enrol_ok(s, "SN-1");
    dh_store_close(s);
    char path[400];
    snprintf(path, sizeof path, "%s/progress.db", dir);

    long n = 1, failures = 0;
    for (;; n++) {
        dh_Error err = {0};
        dh_StoreNotice notice;
        dh_alloc_fail_after(n);
        dh_Status st = dh_store_open(&s, dir, &notice, &err);
        if (st == DH_OK) {
            st = commit_answer(s, e.registration, n, 200, &err);
            dh_store_close(s);
        }
        long used = dh_alloc_count();
        dh_alloc_fail_after(0);
        assert_false(notice.moved_aside);
        if (st != DH_OK) {
            failures++;
            if (st != DH_ENOMEM) fail_msg("run %ld: status %d '%s'", n, st, err.msg);
            assert_non_null(strstr(err.msg, "out of memory"));
        }
        /* The next run's open checks the file (quick_check, not moved
         * aside); here only what this run stored is looked at. */
        char id[DH_UUID_LEN + 1], sql[200];
        answer_id(id, n);
        snprintf(sql, sizeof sql,
                 "SELECT (SELECT count(*) FROM statement WHERE id = '%s') * 1000000 + "
                 "(SELECT attempts FROM module_state WHERE module_id = 'quiz')", id);
        sqlite3 *db = raw_open(path);
        long long got = raw_int(db, sql);
        sqlite3_close(db);
        bool stored = got / 1000000 == 1;
        assert_int_equal(stored, st == DH_OK);
        if (stored) assert_int_equal(got % 1000000, n);
        if (st == DH_OK && used < n) break;
        assert_true(n < 100000);
    }
    assert_true(failures > 50);
    print_message("open + commit: %ld allocation points, %ld failed cleanly\n", n - 1, failures);

    /* A new database: migrations, registration and enrolment too. */
    long m = 1;
    for (;; m++) {
        char fresh[400];
        snprintf(fresh, sizeof fresh, "%s/new%ld", dir, m);
        dh_Error err = {0};
        dh_alloc_fail_after(m);
        dh_Status st = dh_store_open(&s, fresh, NULL, &err);
        dh_Trainee t = {.id = "SN-9", .name = "Nine"};
        dh_Enrolment en;
        if (st == DH_OK) {
            if (!(st = dh_store_trainee_create(s, &t, NULL, &err)) &&
                !(st = dh_store_enrol(s, "SN-9", COURSE, VERSION, &en, &err)))
                st = commit_answer(s, en.registration, 1, 10, &err);
            dh_store_close(s);
        }
        long used = dh_alloc_count();
        dh_alloc_fail_after(0);
        if (st != DH_OK && st != DH_ENOMEM) fail_msg("new run %ld: status %d '%s'", m, st, err.msg);
        dh_StoreNotice notice;
        s = open_ok(fresh, &notice);
        assert_false(notice.moved_aside);
        assert_int_equal(dh_store_schema_version(s), DH_STORE_SCHEMA_VERSION);
        assert_int_equal(dh_store_check(s, &err), DH_OK);
        dh_store_close(s);
        remove_db_dir(fresh);
        if (st == DH_OK && used < m) break;
        assert_true(m < 100000);
    }
    print_message("new database: %ld allocation points\n", m - 1);

    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    dh_alloc_install(); /* cJSON, which checks statements, is counted too */
    dh_Error err = {0};
    /* Before any other use of SQLite: the VFS shim registers with it. */
    if (dh_store_init(&err) != DH_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_error_sentences, setup, teardown),
        cmocka_unit_test_setup_teardown(test_locked_by_another_program, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_size_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allocation_failures, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
