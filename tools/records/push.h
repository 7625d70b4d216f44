/* push: delivering verified bundles to an xAPI learning record store.
 *
 * Kiosks never see a network; a training officer's laptop sometimes does.
 * When the organisation runs an LRS, `drillhall-records push` hands it every
 * statement of the bundles the officer collected, and must do so exactly
 * once however flaky the link: statements go out in batches (POST
 * /statements, xAPI 1.0.3, Basic auth), transient failures (5xx, 429,
 * timeouts, refused connections) are retried with bounded exponential
 * backoff, a statement the LRS already holds (409, or the same content
 * under the same id) counts as delivered, one with the same id and
 * different content is a conflict reported with the LRS's words, and the
 * progress of every bundle is kept in a state file written atomically after
 * each batch, so a push cut short by a dead link or a closed lid resumes
 * where it stopped. Statement ids never change, so resending is harmless;
 * the state only saves time and makes the summary honest.
 */
#ifndef DH_RECORDS_PUSH_H
#define DH_RECORDS_PUSH_H

#include "bundle.h"
#include "error.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define DH_PUSH_BATCH_DEFAULT 50    /* statements per POST */
#define DH_PUSH_BATCH_MAX 1000      /* a larger batch risks the LRS's body limit */
#define DH_PUSH_TRIES_DEFAULT 5     /* attempts per request before giving up */
#define DH_PUSH_WAIT_DEFAULT 1.0    /* seconds before the first retry; doubles each time */
#define DH_PUSH_WAIT_MAX 30.0       /* no single wait is longer */
#define DH_PUSH_TIMEOUT_DEFAULT 60  /* seconds one request may take */
#define DH_PUSH_FAILED_MAX 1000     /* rejected statements remembered per bundle */
#define DH_PUSH_STATE_NAME "push-state.json" /* under $XDG_STATE_HOME/drillhall */

typedef struct dh_PushOptions {
    const char *lrs;        /* xAPI endpoint ("https://lrs.example.org/xAPI/") or its statements URL */
    const char *user;       /* Basic auth user, NULL: no auth */
    const char *password;   /* Basic auth password ("" if NULL) */
    int batch;              /* statements per POST, 1..DH_PUSH_BATCH_MAX */
    int tries;              /* attempts per request, >= 1 */
    double first_wait_s;    /* wait before the first retry */
    double max_wait_s;      /* cap of one wait */
    long timeout_s;         /* whole-request timeout */
    const char *state_path; /* progress file; NULL: the default (dh_push_default_state) */
    const char *cacert;     /* CA certificates (PEM) for an https LRS; NULL: the system's */
    FILE *log;              /* retries and per-statement problems; NULL: silent */
} dh_PushOptions;

/* What happened to one bundle's statements (or, summed, to all). */
typedef struct dh_PushCounts {
    int64_t statements; /* in the bundle */
    int64_t sent;       /* accepted by the LRS in this run */
    int64_t already;    /* the LRS had them already (including `earlier`) */
    int64_t earlier;    /* skipped: a previous push delivered them (state file) */
    int64_t failed;     /* rejected or conflicting: not in the LRS as we have them */
    int64_t pending;    /* not attempted because the push stopped early */
} dh_PushCounts;

typedef struct dh_Pusher dh_Pusher;

/* Fill opt with the defaults above (no LRS, no auth, default state file). */
void dh_push_options_default(dh_PushOptions *opt);
/* The default state file: $XDG_STATE_HOME/drillhall/push-state.json, or
 * ~/.local/state/drillhall/push-state.json. DH_EINVAL if neither is known. */
dh_Status dh_push_default_state(char *out, size_t size, dh_Error *err);
/* Check the options, set up HTTP and load (or start) the state file, which
 * stays locked against a second push until dh_push_free. DH_EINVAL for a
 * URL that is not http(s) or a bad option, DH_EIO / DH_EFORMAT for a state
 * file that cannot be used (the message says how to fix it). */
dh_Status dh_push_new(dh_Pusher **out, const dh_PushOptions *opt, dh_Error *err);
/* Release HTTP and the lock; NULL is a no-op. */
void dh_push_free(dh_Pusher *p);
/* The statements URL requests go to (endpoint + "statements"). */
const char *dh_push_url(const dh_Pusher *p);
/* The state file in use. */
const char *dh_push_state_path(const dh_Pusher *p);
/* Push one opened (verified) bundle, resuming from the state file, and add
 * what happened to *counts. DH_OK when every statement was settled (sent,
 * already there, or failed for good: counts->failed says how many); an
 * error (DH_EIO: the LRS stayed unreachable or refused us; DH_ESIG: the file
 * changed under us) stops the push after saving the progress, and err says
 * why in a sentence. */
dh_Status dh_push_bundle(dh_Pusher *p, dh_Bundle *b, dh_PushCounts *counts, dh_Error *err);

/* `drillhall-records push ...` (cmd_push.c): argv[0] is "push". */
int cmd_push(int argc, char **argv);

#endif
