/* store_power_helper: a trainee who answers forever, for test_store_power.
 *
 * It opens the store in DIR and commits "answer k" for k = FIRST, FIRST+1,
 * ... (module state with attempts = k, a resume blob derived from k, the
 * attempt's time = k, and one statement whose response is k), and only
 * after dh_store_commit returned writes "k statement-id" to stdout, the
 * way the player shows "saved" only after the commit. The test kills it
 * with SIGKILL at a random moment and checks that every line it read is in
 * the database. Any error ends the program with status 2 and a message.
 */
#define _POSIX_C_SOURCE 200809L

#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TRAINEE "SN-POWER"
#define COURSE "org.example.power"
#define VERSION "1.0.0"
#define VERB "http://adlnet.gov/expapi/verbs/answered"

/* Must match resume_for() in test_store_power.c. */
static size_t resume_for(long k, unsigned char *buf)
{
    size_t n = 500 + (size_t)(k * 37 % 4000);
    for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)(k * 31 + (long)i);
    return n;
}

static int die(const char *what, const dh_Error *err)
{
    fprintf(stderr, "store_power_helper: %s: %s\n", what, err->msg);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: store_power_helper DIR FIRST\n");
        return 2;
    }
    long k = strtol(argv[2], NULL, 10);
    dh_Error err = {0};
    dh_Store *s = NULL;
    if (dh_store_open(&s, argv[1], NULL, &err)) return die("open", &err);
    dh_Trainee t = {.id = TRAINEE, .name = "Power Cut"};
    dh_Status st = dh_store_trainee_get(s, TRAINEE, NULL, &err);
    if (st == DH_ENOTFOUND) st = dh_store_trainee_create(s, &t, NULL, &err);
    if (st) return die("trainee", &err);
    dh_Enrolment e;
    if (dh_store_enrol(s, TRAINEE, COURSE, VERSION, &e, &err)) return die("enrol", &err);

    static unsigned char resume[4600];
    for (;; k++) {
        char id[DH_UUID_LEN + 1], json[512], line[64];
        dh_uuid_v4(id);
        snprintf(json, sizeof json,
                 "{\"id\":\"%s\",\"actor\":{\"account\":{\"homePage\":\"https://kiosk.example\","
                 "\"name\":\"" TRAINEE "\"}},\"verb\":{\"id\":\"" VERB "\"},"
                 "\"object\":{\"id\":\"https://courses.example/power/q\"},"
                 "\"result\":{\"response\":\"%ld\"}}",
                 id, k);
        dh_ModuleState m = {.module_id = "quiz", .status = DH_PROGRESS_IN_PROGRESS,
                            .attempts = (int)k, .time_ms = k, .resume_op = DH_RESUME_SET,
                            .resume = resume};
        m.resume_len = resume_for(k, resume);
        dh_AttemptProgress a = {.status = DH_PROGRESS_IN_PROGRESS, .time_ms = k};
        dh_StoreStatement x = {.id = id, .verb = VERB, .timestamp_ms = k, .json = json};
        dh_StoreChange c = {.registration = e.registration, .modules = &m, .nmodules = 1,
                            .attempt = &a, .statements = &x, .nstatements = 1};
        if (dh_store_commit(s, &c, &err)) return die("commit", &err);
        /* Confirmed only now, as the player would. */
        int n = snprintf(line, sizeof line, "%ld %s\n", k, id);
        while (write(STDOUT_FILENO, line, (size_t)n) < 0)
            if (errno != EINTR) return 2;
    }
}
