/* admin: the training officer's PIN, its lockout, and the admin action log.
 *
 * A kiosk stands unattended among trainees; what stops one of them from
 * installing a course or carrying the records away is a PIN only officers
 * know. It is stored as an Argon2id hash (libsodium's crypto_pwhash_str text,
 * interactive limits) and checked with crypto_pwhash_str_verify, which
 * compares in constant time. Five wrong tries lock the pad for a time that
 * doubles with each lockout (1 min, 2, 4, ... up to 1 h); the count and the
 * lock live in the store, so switching the kiosk off and on resets nothing.
 * Every admin action (PIN checks, installs, exports, settings) is appended to
 * an admin log in the same database, with its time and outcome; the log, like
 * the statement journal, cannot be edited or deleted through SQLite.
 *
 * The first PIN is set at installation from a terminal (`drillhall --data
 * DIR --set-admin-pin`), never from the kiosk's screen: a kiosk without a PIN
 * says how to set one and lets nobody in.
 */
#ifndef DH_ADMIN_H
#define DH_ADMIN_H

#include "error.h"
#include "store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DH_ADMIN_PIN_MIN 6             /* digits */
#define DH_ADMIN_PIN_MAX 12            /* digits */
#define DH_ADMIN_TRIES 5               /* wrong tries before the pad locks */
#define DH_ADMIN_LOCK_FIRST_MS 60000   /* the first lockout; each next one doubles */
#define DH_ADMIN_LOCK_MAX_MS 3600000   /* the longest lockout */
#define DH_ADMIN_HASH_SIZE 128         /* crypto_pwhash_STRBYTES: hash text + NUL */
#define DH_ADMIN_ACTION_MAX 64         /* bytes of an action name */
#define DH_ADMIN_DETAIL_MAX 1000       /* bytes of a log detail kept (longer is cut) */

/* ---- PIN --------------------------------------------------------------------- */

/* Where the PIN stands at a moment. */
typedef struct dh_AdminPinState {
    bool set;                /* a PIN exists */
    int failed;              /* wrong tries since the last right one or lockout */
    int tries_left;          /* before the next lockout (0 while locked) */
    int lockouts;            /* lockouts since the last right PIN */
    int64_t locked_until_ms; /* wall ms; 0 or in the past: not locked */
    int64_t locked_ms_left;  /* > 0 while locked: for the countdown */
} dh_AdminPinState;

typedef enum dh_PinVerdict {
    DH_PIN_RIGHT,  /* the PIN is right: the admin screen may open */
    DH_PIN_WRONG,  /* wrong; state.tries_left says how many remain (0: now locked) */
    DH_PIN_LOCKED, /* locked: nothing was checked */
    DH_PIN_UNSET   /* no PIN has been set: nothing can be checked */
} dh_PinVerdict;

/* True if pin is DH_ADMIN_PIN_MIN..MAX ASCII digits; else why (may be NULL)
 * receives a sentence saying what is wrong. */
bool dh_admin_pin_valid(const char *pin, char *why, size_t size);
/* Duration of the n-th lockout (n >= 1): 1 min doubling, at most 1 h. */
int64_t dh_admin_lock_ms(int n);
/* Hash pin (Argon2id, interactive limits) and store it as THE admin PIN,
 * clearing any lockout, and log "pin.set" in the same transaction.
 * DH_EINVAL for a PIN dh_admin_pin_valid refuses. */
dh_Status dh_admin_pin_set(dh_Store *s, const char *pin, int64_t now_ms, dh_Error *err);
/* The PIN's state at now_ms (a lock that ends more than the longest lockout
 * after now, e.g. after the clock was set back, counts as ending then). */
dh_Status dh_admin_pin_state(dh_Store *s, int64_t now_ms, dh_AdminPinState *out, dh_Error *err);
/* Check pin at now_ms: the verdict, the state afterwards (may be NULL), and a
 * "pin.check" log entry (ok / failed / refused) written in the same
 * transaction as the new count. A locked or unset pad checks nothing. */
dh_Status dh_admin_pin_check(dh_Store *s, const char *pin, int64_t now_ms, dh_PinVerdict *verdict,
                             dh_AdminPinState *after, dh_Error *err);

/* ---- the admin log ------------------------------------------------------------ */

typedef enum dh_AdminOutcome {
    DH_ADMIN_OK,      /* done */
    DH_ADMIN_FAILED,  /* tried and failed (wrong PIN, a full stick, a bad package) */
    DH_ADMIN_REFUSED  /* not attempted (locked pad, no PIN, nothing to do) */
} dh_AdminOutcome;

typedef struct dh_AdminLogEntry {
    int64_t seq;              /* log order, never reused */
    int64_t at_ms;            /* wall ms */
    const char *action;       /* "pin.check", "install", "export", "config", ... */
    dh_AdminOutcome outcome;
    const char *detail;       /* "" if none */
} dh_AdminLogEntry;

/* The outcome as stored: "ok", "failed", "refused". */
const char *dh_admin_outcome_name(dh_AdminOutcome o);
/* Append an entry (action 1..64 bytes; detail NULL or text, cut to
 * DH_ADMIN_DETAIL_MAX bytes at a character boundary). Durable on DH_OK. */
dh_Status dh_admin_log(dh_Store *s, int64_t now_ms, const char *action, dh_AdminOutcome outcome,
                       const char *detail, dh_Error *err);
typedef dh_Status (*dh_AdminLogFn)(const dh_AdminLogEntry *e, void *ctx, dh_Error *err);
/* The newest `limit` entries (limit <= 0: all), newest first; pointers valid
 * during the call only. */
dh_Status dh_admin_log_each(dh_Store *s, int limit, dh_AdminLogFn fn, void *ctx, dh_Error *err);

/* ---- read-only summaries (store_admin.c) ------------------------------------------ */

/* One course on this kiosk, over the current attempt of every trainee at
 * every version of it. */
typedef struct dh_AdminCourse {
    const char *course_id;
    int trainees;            /* trainees who started it */
    int completed;           /* whose current attempt is completed or passed */
    int passed;
    int failed;
    int in_progress;
} dh_AdminCourse;
typedef dh_Status (*dh_AdminCourseFn)(const dh_AdminCourse *c, void *ctx, dh_Error *err);
/* The number of registered trainees and one call per course id started on
 * this kiosk, in course id order. */
dh_Status dh_admin_summary(dh_Store *s, int *trainees, dh_AdminCourseFn fn, void *ctx,
                           dh_Error *err);
/* How many trainees have an unfinished (in progress) current attempt at
 * course_id/version: the supersede rule keeps such a version installed. */
dh_Status dh_admin_unfinished(dh_Store *s, const char *course_id, const char *version, int *count,
                              dh_Error *err);
/* How many distinct trainees the statements marked with export_id belong to
 * ("412 records from 37 trainees"). */
dh_Status dh_admin_export_trainees(dh_Store *s, const char *export_id, int64_t *trainees,
                                   dh_Error *err);

/* ---- the PIN row (store_admin.c; admin.c keeps the rules) ---------------------------- */

typedef struct dh_AdminPinRow {
    char hash[DH_ADMIN_HASH_SIZE]; /* "" when no PIN is set */
    int failed;
    int lockouts;
    int64_t locked_until_ms;
} dh_AdminPinRow;
/* Read the row (all zeros and "" when none was ever written). */
dh_Status dh_store_admin_pin_get(dh_Store *s, dh_AdminPinRow *out, dh_Error *err);
/* Write the row and append one log entry, in one transaction. */
dh_Status dh_store_admin_pin_put(dh_Store *s, const dh_AdminPinRow *row, int64_t now_ms,
                                 const char *action, dh_AdminOutcome outcome, const char *detail,
                                 dh_Error *err);

#endif
