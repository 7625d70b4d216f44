/* bench_store: how long a trainee waits for "saved", and how fast the
 * journal takes statements in bulk.
 *
 * 1. Durable answer commit: what the player does after every answer (one
 *    module state with a resume blob, the attempt's time, one statement),
 *    with synchronous=FULL on the real disk. Median, p90, p99 and maximum
 *    of many commits: the trainee feels the tail, not the mean.
 * 2. Bulk journaling: many statements per transaction, as an import or a
 *    long scenario would write them; statements per second.
 * 3. Streaming the journal back (what an export does); statements per
 *    second.
 * Figures only, no limits: timings belong to the machine (DESIGN.md,
 * "Performance budgets"). Usage: bench_store [DIR] [COMMITS]; DIR defaults
 * to a fresh folder under /tmp and is removed afterwards.
 */
#define _POSIX_C_SOURCE 200809L

#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define VERB "http://adlnet.gov/expapi/verbs/answered"
#define BULK_TRANSACTIONS 20
#define BULK_PER_TRANSACTION 5000

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(const double *sorted, int n, double p)
{
    int i = (int)(p * (n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

/* A statement about the size the xAPI builders produce for an answer, in
 * the attempt `registration` (the store checks that they agree). */
static void statement(char *buf, size_t size, const char *id, long k, const char *registration)
{
    snprintf(buf, size,
             "{\"id\":\"%s\",\"timestamp\":\"2025-01-31T08:00:00.000Z\","
             "\"actor\":{\"objectType\":\"Agent\",\"account\":{\"homePage\":"
             "\"https://drillhall.example/kiosk/7\",\"name\":\"SN-BENCH\"}},"
             "\"verb\":{\"id\":\"" VERB "\",\"display\":{\"en-US\":\"answered\"}},"
             "\"object\":{\"objectType\":\"Activity\",\"id\":\"https://drillhall.example/course/"
             "org.example.awareness/quiz/check/question/q%ld\",\"definition\":{\"type\":"
             "\"http://adlnet.gov/expapi/activities/cmi.interaction\",\"interactionType\":\"choice\","
             "\"correctResponsesPattern\":[\"b\"],\"choices\":[{\"id\":\"a\",\"description\":"
             "{\"en\":\"Open the attachment\"}},{\"id\":\"b\",\"description\":{\"en\":\"Report it\"}}]}},"
             "\"result\":{\"response\":\"b\",\"success\":true,\"score\":{\"scaled\":1},"
             "\"duration\":\"PT12.34S\"},\"context\":{\"registration\":"
             "\"%s\",\"contextActivities\":{\"parent\":[{\"id\":"
             "\"https://drillhall.example/course/org.example.awareness/quiz/check\"}]}}}",
             id, k, registration);
}

static int fail(const char *what, const dh_Error *err)
{
    fprintf(stderr, "bench_store: %s: %s\n", what, err->msg);
    return 1;
}

static dh_Status count_one(const dh_StoredStatement *x, void *ctx, dh_Error *err)
{
    (void)err;
    *(size_t *)ctx += x->json_len;
    return DH_OK;
}

int main(int argc, char **argv)
{
    char tmp[] = "/tmp/drillhall-bench.XXXXXX";
    const char *dir = argc > 1 ? argv[1] : mkdtemp(tmp);
    int commits = argc > 2 ? atoi(argv[2]) : 1000;
    if (!dir || commits < 10) {
        fprintf(stderr, "usage: bench_store [DIR] [COMMITS >= 10]\n");
        return 2;
    }
    dh_Error err = {0};
    dh_Store *s = NULL;
    if (dh_store_open(&s, dir, NULL, &err)) return fail("open", &err);
    dh_Trainee t = {.id = "SN-BENCH", .name = "Bench Trainee"};
    if (dh_store_trainee_get(s, t.id, NULL, &err) == DH_ENOTFOUND &&
        dh_store_trainee_create(s, &t, NULL, &err))
        return fail("trainee", &err);
    dh_Enrolment e;
    if (dh_store_new_attempt(s, t.id, "org.example.awareness", "1.0.0", &e, &err))
        return fail("enrol", &err);
    printf("database: %s (SQLite %s, WAL, synchronous=FULL)\n", dh_store_path(s), sqlite3_libversion());

    /* 1. one durable answer at a time */
    double *lat = malloc((size_t)commits * sizeof *lat);
    static unsigned char resume[2048];
    char id[DH_UUID_LEN + 1], json[2048];
    for (int i = 0; i < commits; i++) {
        memset(resume, i, sizeof resume);
        dh_uuid_v4(id);
        statement(json, sizeof json, id, i, e.registration);
        dh_ModuleState m = {.module_id = "check", .status = DH_PROGRESS_IN_PROGRESS,
                            .attempts = 1, .time_ms = i * 1000, .resume_op = DH_RESUME_SET,
                            .resume = resume, .resume_len = sizeof resume};
        dh_AttemptProgress a = {.status = DH_PROGRESS_IN_PROGRESS, .time_ms = i * 1000};
        dh_StoreStatement x = {.id = id, .verb = VERB, .timestamp_ms = i, .json = json};
        dh_StoreChange c = {.registration = e.registration, .modules = &m, .nmodules = 1,
                            .attempt = &a, .statements = &x, .nstatements = 1};
        double t0 = now_ms();
        if (dh_store_commit(s, &c, &err)) return fail("commit", &err);
        lat[i] = now_ms() - t0;
    }
    qsort(lat, (size_t)commits, sizeof *lat, cmp_double);
    printf("durable answer commit (module state + 2 KiB resume blob + 1 statement of %zu bytes), "
           "%d commits:\n  median %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n",
           strlen(json), commits, pct(lat, commits, 0.5), pct(lat, commits, 0.9),
           pct(lat, commits, 0.99), lat[commits - 1]);
    free(lat);

    /* 2. bulk journaling */
    dh_StoreStatement *batch = malloc(BULK_PER_TRANSACTION * sizeof *batch);
    char (*ids)[DH_UUID_LEN + 1] = malloc(BULK_PER_TRANSACTION * sizeof *ids);
    char (*texts)[2048] = malloc(BULK_PER_TRANSACTION * sizeof *texts);
    double total = 0;
    for (int tx = 0; tx < BULK_TRANSACTIONS; tx++) {
        for (int i = 0; i < BULK_PER_TRANSACTION; i++) {
            dh_uuid_v4(ids[i]);
            statement(texts[i], sizeof texts[i], ids[i], i, e.registration);
            batch[i] = (dh_StoreStatement){.id = ids[i], .verb = VERB, .timestamp_ms = i,
                                           .json = texts[i]};
        }
        dh_StoreChange c = {.registration = e.registration, .statements = batch,
                            .nstatements = BULK_PER_TRANSACTION};
        double t0 = now_ms();
        if (dh_store_commit(s, &c, &err)) return fail("bulk commit", &err);
        total += now_ms() - t0;
    }
    long bulk = (long)BULK_TRANSACTIONS * BULK_PER_TRANSACTION;
    printf("bulk journaling, %d transactions of %d statements: %.0f statements/s "
           "(%.1f ms per transaction)\n",
           BULK_TRANSACTIONS, BULK_PER_TRANSACTION, bulk / (total / 1e3), total / BULK_TRANSACTIONS);
    free(batch);
    free(ids);
    free(texts);

    /* 3. streaming the journal back */
    int64_t n = 0;
    size_t bytes = 0;
    if (dh_store_statements_count(s, NULL, &n, NULL, &err)) return fail("count", &err);
    double t0 = now_ms();
    if (dh_store_statements_each(s, NULL, count_one, &bytes, &err)) return fail("read", &err);
    double read_ms = now_ms() - t0;
    printf("streaming the journal: %lld statements (%.1f MB) in %.0f ms, %.0f statements/s\n",
           (long long)n, bytes / 1e6, read_ms, n / (read_ms / 1e3));
    dh_store_close(s);

    if (argc <= 1) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0) fprintf(stderr, "bench_store: could not remove %s\n", dir);
    }
    return 0;
}
