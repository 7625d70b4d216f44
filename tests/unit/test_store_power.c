/* test_store_power: answers confirmed before SIGKILL are never lost.
 *
 * store_power_helper commits answers in a loop and reports each one on a
 * pipe after its commit returned. Thirty times, at a random moment, the
 * helper is killed with SIGKILL (no atexit, no close, possibly in the
 * middle of a write or an fsync); then the database must open without
 * being set aside, pass PRAGMA integrity_check, hold every answer the
 * helper reported, and show module state, resume blob and attempt time
 * that belong to one and the same last answer (never a mix of two).
 *
 * SIGKILL stops the process, not the kernel: what it tests is that the
 * store confirms nothing before COMMIT and that SQLite recovers from a
 * writer dying anywhere. That the kernel's cache reaches the platter on a
 * real power cut is what synchronous=FULL asks of the disk (see
 * engine/core/STORE.md).
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef DH_STORE_POWER_HELPER
#error "DH_STORE_POWER_HELPER must name the helper program"
#endif

#define ROUNDS 30
#define MAX_DELAY_MS 250
#define STARTUP_MS 10000

/* Must match resume_for() in store_power_helper.c. */
static size_t resume_for(long k, unsigned char *buf)
{
    size_t n = 500 + (size_t)(k * 37 % 4000);
    for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)(k * 31 + (long)i);
    return n;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

typedef struct Reported {
    long *k;
    char (*id)[DH_UUID_LEN + 1];
    int n, cap;
} Reported;

/* Parse complete "k id" lines of buf[0..*len), keep a partial last line. */
static void take_lines(char *buf, size_t *len, Reported *r)
{
    char *start = buf, *nl;
    while ((nl = memchr(start, '\n', *len - (size_t)(start - buf)))) {
        *nl = '\0';
        if (r->n == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 256;
            r->k = realloc(r->k, (size_t)r->cap * sizeof *r->k);
            r->id = realloc(r->id, (size_t)r->cap * sizeof *r->id);
            assert_non_null(r->k);
            assert_non_null(r->id);
        }
        char id[64];
        if (sscanf(start, "%ld %63s", &r->k[r->n], id) != 2 || strlen(id) != DH_UUID_LEN)
            fail_msg("bad line from the helper: '%s'", start);
        memcpy(r->id[r->n], id, DH_UUID_LEN + 1);
        r->n++;
        start = nl + 1;
    }
    size_t rest = *len - (size_t)(start - buf);
    memmove(buf, start, rest);
    *len = rest;
}

/* Run the helper from answer `first` on, kill it delay_ms after it started
 * (or, with after_first, after its first answer of this run), and collect
 * what it reported. Returns how many answers it reported. */
static int run_and_kill(const char *dir, long first, int delay_ms, bool after_first, Reported *r)
{
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char arg[32];
        snprintf(arg, sizeof arg, "%ld", first);
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        execl(DH_STORE_POWER_HELPER, DH_STORE_POWER_HELPER, dir, arg, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    int before = r->n;
    char buf[8192];
    size_t len = 0;
    /* Opening a database can take a while under a sanitizer: wait up to
     * STARTUP_MS for the first answer when the kill is timed from it. */
    double deadline = now_ms() + (after_first ? STARTUP_MS : delay_ms);
    bool eof = false, started = !after_first;
    /* Keep the pipe drained while waiting, so the helper never blocks on it. */
    for (double left; !eof && (left = deadline - now_ms()) > 0;) {
        struct pollfd p = {.fd = fd[0], .events = POLLIN};
        if (poll(&p, 1, (int)left + 1) <= 0) continue;
        ssize_t got = read(fd[0], buf + len, sizeof buf - len);
        if (got <= 0) eof = true;
        else {
            len += (size_t)got;
            take_lines(buf, &len, r);
        }
        if (!started && r->n > before) {
            started = true;
            deadline = now_ms() + delay_ms;
        }
    }
    if (!started) fail_msg("the helper saved no answer within %d ms", STARTUP_MS);
    kill(pid, SIGKILL);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
        fail_msg("the helper ended by itself (status 0x%x) instead of being killed", status);
    ssize_t got;
    while ((got = read(fd[0], buf + len, sizeof buf - len)) > 0) {
        len += (size_t)got;
        take_lines(buf, &len, r);
    }
    close(fd[0]);
    return r->n - before;
}

static long long query_int(sqlite3 *db, const char *sql, const char *text)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (text) sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* After a kill: the file opens as is, is intact, holds every reported
 * answer, and its state is that of exactly one last answer. Returns the
 * last answer in the journal (0 if none). */
static long check_after_kill(const char *dir, const Reported *r)
{
    dh_Store *s = NULL;
    dh_StoreNotice notice;
    dh_Error err = {0};
    if (dh_store_open(&s, dir, &notice, &err) != DH_OK) fail_msg("reopen: %s", err.msg);
    assert_false(notice.moved_aside);
    if (dh_store_check(s, &err) != DH_OK) fail_msg("integrity_check: %s", err.msg);

    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(dh_store_path(s), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    for (int i = 0; i < r->n; i++)
        if (query_int(db, "SELECT count(*) FROM statement WHERE id = ?1", r->id[i]) != 1)
            fail_msg("answer %ld (statement %s) was reported saved but is missing", r->k[i],
                     r->id[i]);
    long last = (long)query_int(db,
                                "SELECT coalesce(max(CAST(json_extract(json, '$.result.response') "
                                "AS INTEGER)), 0) FROM statement",
                                NULL);
    long count = (long)query_int(db, "SELECT count(*) FROM statement", NULL);
    sqlite3_close(db);
    assert_int_equal(count, last); /* answers 1..last, each exactly once */
    if (r->n) assert_true(last >= r->k[r->n - 1]);

    if (last > 0) {
        dh_Enrolment e;
        assert_int_equal(dh_store_enrolment_get(s, "SN-POWER", "org.example.power", "1.0.0", &e, &err),
                         DH_OK);
        assert_int_equal(e.time_ms, last);
        dh_ModuleState m;
        void *blob = NULL;
        size_t len = 0;
        assert_int_equal(dh_store_module_get(s, e.registration, "quiz", &m, &blob, &len, &err), DH_OK);
        assert_int_equal(m.attempts, last);
        static unsigned char want[4600];
        size_t n = resume_for(last, want);
        assert_int_equal(len, n);
        assert_memory_equal(blob, want, n);
        dh_free(blob);
    }
    dh_store_close(s);
    return last;
}

static void test_sigkill_loses_nothing_confirmed(void **state)
{
    (void)state;
    char dir[] = "/tmp/dh_test_store_power.XXXXXX";
    assert_non_null(mkdtemp(dir));
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    print_message("seed %u\n", seed);
    srand(seed);

    Reported r = {0};
    long next = 1;
    int killed_mid_run = 0;
    for (int round = 0; round < ROUNDS; round++) {
        int delay = rand() % (MAX_DELAY_MS + 1);
        /* A third of the kills are timed from the start, so some land while
         * the database is being created, checked or migrated. */
        int n = run_and_kill(dir, next, delay, round % 3 != 0, &r);
        if (n > 0) killed_mid_run++;
        long last = check_after_kill(dir, &r);
        next = last + 1;
    }
    print_message("%d kills (%d while answering), %d answers reported, %ld in the journal\n",
                  ROUNDS, killed_mid_run, r.n, next - 1);
    int reported = r.n;
    free(r.k);
    free(r.id);
    /* The kills must have landed while answers were being saved. */
    assert_true(killed_mid_run >= ROUNDS / 2);
    assert_true(reported >= ROUNDS);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    dh_Error err = {0};
    if (dh_store_init(&err) != DH_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigkill_loses_nothing_confirmed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
