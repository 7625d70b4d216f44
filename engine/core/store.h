/* store: the kiosk's memory of trainees, their progress and their records.
 *
 * Kiosks are switched off at the wall. Everything a trainee did must survive
 * that, and a training officer must be able to prove it later, so progress
 * lives in one SQLite database (WAL, synchronous=FULL) in the data directory,
 * and every xAPI statement is journaled in the SAME transaction as the
 * progress change it describes: dh_store_commit returns only after COMMIT
 * did, and only then may the screen confirm anything. The schema changes
 * through numbered migrations recorded in the database; a database from a
 * newer program is refused untouched; a damaged one is moved aside under a
 * timestamped name and reported, never overwritten. SQLite stays behind this
 * header: callers see dh_Status and sentences, never sqlite3 codes.
 */
#ifndef DH_STORE_H
#define DH_STORE_H

#include "completion.h"
#include "error.h"
#include "uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dh_Store dh_Store;

#define DH_STORE_DIR_NAME "drillhall"       /* under $XDG_DATA_HOME or ~/.local/share */
#define DH_STORE_DB_NAME "progress.db"      /* the one database file in the data directory */
#define DH_STORE_SCHEMA_VERSION 4           /* newest schema this program knows */
#define DH_STORE_APPLICATION_ID 0x44484C31  /* PRAGMA application_id: "DHL1" */
#define DH_STORE_RESUME_MAX (1u << 20)      /* bytes of one module's resume blob */
#define DH_STORE_STATEMENT_MAX (1u << 20)   /* bytes of one statement's JSON text */
#define DH_STORE_BATCH_MAX 10000            /* statements or modules in one commit */
#define DH_STORE_PATH_MAX 4096              /* bytes of a path we build, with NUL */

#define DH_TRAINEE_ID_MAX 32    /* characters (ASCII) of a trainee id */
#define DH_TRAINEE_NAME_MAX 100 /* characters (code points) of a display name or unit */
#define DH_TRAINEE_TEXT_SIZE (DH_TRAINEE_NAME_MAX * 4 + 1) /* bytes: UTF-8 + NUL */
#define DH_LANG_SIZE 36         /* bytes of a language tag, with NUL */
#define DH_COURSE_ID_SIZE 129   /* dh_course_id_valid: at most 128 characters, + NUL */
#define DH_VERSION_SIZE 65      /* a course version: at most 64 characters, + NUL */
#define DH_MODULE_ID_SIZE 65    /* dh_id_valid: at most 64 characters, + NUL */

/* ---- opening ---------------------------------------------------------------- */

/* What dh_store_open did besides opening, for the admin screen. */
typedef struct dh_StoreNotice {
    bool created;                        /* no database existed: a new one was made */
    bool moved_aside;                    /* a damaged database was moved aside, a new one made */
    char moved_to[DH_STORE_PATH_MAX];    /* the damaged file's new path ("" if none) */
    char msg[1024];                      /* a sentence for people ("" if nothing to say) */
} dh_StoreNotice;

/* Prepare SQLite for this process: route its memory through dh_malloc and
 * initialise it. Called by dh_store_open; call it yourself only if you must
 * touch SQLite before opening a store (e.g. a test registering a VFS), since
 * SQLite can be configured only before its first use. Idempotent. */
dh_Status dh_store_init(dh_Error *err);

/* The default data directory: $XDG_DATA_HOME/drillhall when XDG_DATA_HOME is
 * an absolute path, else $HOME/.local/share/drillhall (HOME from the password
 * database when unset). Only computes the path; dh_store_open creates it. */
dh_Status dh_store_default_dir(char *out, size_t size, dh_Error *err);

/* Create dir and its missing parents with mode 0700 (existing ones are left
 * as they are). DH_EIO with a sentence when impossible. */
dh_Status dh_store_make_dir(const char *dir, dh_Error *err);

/* Open (creating if needed) dir/progress.db: create dir, check the file
 * (quick_check), refuse a newer schema untouched, set WAL, synchronous=FULL,
 * foreign keys and a busy timeout, then apply missing migrations, each in its
 * own transaction. A damaged or non-database file is moved aside as
 * progress.db.corrupt-YYYYMMDDTHHMMSSZ (with its -wal and -shm), a new
 * database is created and notice says so (notice may be NULL, but a player
 * should show it). Close with dh_store_close. */
dh_Status dh_store_open(dh_Store **out, const char *dir, dh_StoreNotice *notice, dh_Error *err);
/* Close the store; NULL is a no-op. Every commit that returned DH_OK is
 * already durable: closing only releases resources. */
void dh_store_close(dh_Store *s);
/* Path of the database file. */
const char *dh_store_path(const dh_Store *s);
/* Run PRAGMA integrity_check: DH_OK, or DH_EFORMAT with the first problem. */
dh_Status dh_store_check(dh_Store *s, dh_Error *err);
/* Schema version of the open database (DH_STORE_SCHEMA_VERSION once open). */
int dh_store_schema_version(dh_Store *s);

/* Replace the wall clock (milliseconds since the Unix epoch, UTC) used for
 * created/updated/stored times; fn NULL restores it. For tests and replays. */
void dh_store_set_clock(dh_Store *s, int64_t (*fn)(void *ctx), void *ctx);

/* The SQL of migration `version` (1..DH_STORE_SCHEMA_VERSION) and its name,
 * NULL outside that range. Migrations are append-only: a released one never
 * changes, which is what lets tests build a database of any earlier version. */
const char *dh_store_migration_sql(int version);
const char *dh_store_migration_name(int version);

/* ---- trainees ----------------------------------------------------------------- */

/* Why a trainee id was refused: lets the UI say it in the trainee's language. */
typedef enum dh_TraineeIdProblem {
    DH_TRAINEE_ID_OK = 0,
    DH_TRAINEE_ID_EMPTY,     /* nothing but whitespace */
    DH_TRAINEE_ID_TOO_LONG,  /* more than DH_TRAINEE_ID_MAX characters */
    DH_TRAINEE_ID_SPACE,     /* whitespace inside the id */
    DH_TRAINEE_ID_CHARACTER  /* a character outside A-Z a-z 0-9 - / . _ */
} dh_TraineeIdProblem;

typedef struct dh_Trainee {
    char id[DH_TRAINEE_ID_MAX + 1];    /* kiosk-local id (service number), normalised */
    char name[DH_TRAINEE_TEXT_SIZE];   /* display name, any script, 1-100 characters */
    char unit[DH_TRAINEE_TEXT_SIZE];   /* unit or organisation, "" if not given */
    char nation[3];                    /* ISO 3166-1 alpha-2 ("TH"), "" if not given */
    char lang[DH_LANG_SIZE];           /* preferred language ("th"), "" if not given */
    int64_t created_ms;                /* when the trainee was first registered */
    int64_t updated_ms;                /* last change of the fields above */
} dh_Trainee;

/* Normalise what a trainee typed or scanned into an id: surrounding
 * whitespace is trimmed and ASCII letters upper-cased ("  ab-12 " ->
 * "AB-12"). Ids are 1-32 characters of letters, digits, '-', '/', '.' and
 * '_' with no inner whitespace. Returns the problem (DH_TRAINEE_ID_OK when
 * out holds the id) and, unless OK, a sentence in err (DH_EINVAL). */
dh_TraineeIdProblem dh_store_trainee_id(char out[DH_TRAINEE_ID_MAX + 1], const char *raw,
                                        dh_Error *err);
/* Normalise and validate every field of t in place: the id as above; name
 * trimmed, 1-100 characters of valid UTF-8 without control characters; unit
 * the same but may be empty; nation upper-cased and known to ICU's ISO 3166
 * list, or empty; lang a tag dh_lang_valid accepts, or empty. DH_EINVAL with
 * a sentence naming the field on the first problem. */
dh_Status dh_store_trainee_normalise(dh_Trainee *t, dh_Error *err);
/* Register a new trainee (fields normalised as above; the times are set
 * here). DH_EINVAL if the id is taken. The stored record goes to out (may be
 * NULL). */
dh_Status dh_store_trainee_create(dh_Store *s, const dh_Trainee *t, dh_Trainee *out,
                                  dh_Error *err);
/* Look a trainee up by id as typed (normalised first). DH_ENOTFOUND if none. */
dh_Status dh_store_trainee_get(dh_Store *s, const char *id, dh_Trainee *out, dh_Error *err);
/* Change name, unit, nation and language of the trainee t->id (the times
 * in t are ignored). DH_ENOTFOUND if there is no such trainee. */
dh_Status dh_store_trainee_update(dh_Store *s, const dh_Trainee *t, dh_Trainee *out,
                                  dh_Error *err);

/* ---- enrolments and progress ------------------------------------------------------ */

/* Statuses are completion.h's dh_ProgressStatus (not attempted, in progress,
 * completed, passed, failed), stored as those words. */

/* One attempt of one trainee at one version of one course. Each attempt has
 * its own registration UUID (the xAPI registration of its statements). */
typedef struct dh_Enrolment {
    char trainee_id[DH_TRAINEE_ID_MAX + 1];
    char course_id[DH_COURSE_ID_SIZE];
    char course_version[DH_VERSION_SIZE];
    char registration[DH_UUID_LEN + 1]; /* UUID v4 of this attempt */
    int attempt;                        /* 1 for the first attempt, then 2, ... */
    dh_ProgressStatus status;
    bool has_score;                     /* false: no score yet */
    double score;                       /* scaled score, -1..1 (cmi5 uses 0..1) */
    int64_t time_ms;                    /* time spent in this attempt */
    int64_t started_ms;                 /* when the attempt began */
    int64_t updated_ms;                 /* last progress change */
    int64_t completed_ms;               /* first completed or passed, 0 if not yet */
} dh_Enrolment;

/* The current (latest) attempt of trainee at course_id/version, creating
 * attempt 1 with a fresh registration if there is none. */
dh_Status dh_store_enrol(dh_Store *s, const char *trainee_id, const char *course_id,
                         const char *version, dh_Enrolment *out, dh_Error *err);
/* The current attempt, or DH_ENOTFOUND if the trainee never started it. */
dh_Status dh_store_enrolment_get(dh_Store *s, const char *trainee_id, const char *course_id,
                                 const char *version, dh_Enrolment *out, dh_Error *err);
/* The attempt with this registration (current or not), or DH_ENOTFOUND. */
dh_Status dh_store_enrolment_by_registration(dh_Store *s, const char *registration,
                                             dh_Enrolment *out, dh_Error *err);
/* Start a new attempt (attempt + 1, new registration, not attempted, no
 * module state). Earlier attempts and their statements are kept. */
dh_Status dh_store_new_attempt(dh_Store *s, const char *trainee_id, const char *course_id,
                               const char *version, dh_Enrolment *out, dh_Error *err);

/* Called for each item of a listing; any status but DH_OK stops the listing
 * and is returned by it (fill err to explain). Pointers inside the item are
 * valid only during the call. The callback may read the store but must not
 * write to it (a listing is one read snapshot). */
typedef dh_Status (*dh_EnrolmentFn)(const dh_Enrolment *e, void *ctx, dh_Error *err);
/* The current attempt of every course version trainee_id has started, most
 * recently updated first. */
dh_Status dh_store_enrolments_each(dh_Store *s, const char *trainee_id, dh_EnrolmentFn fn,
                                   void *ctx, dh_Error *err);

/* What a commit does with a module's resume blob. */
typedef enum dh_ResumeOp {
    DH_RESUME_KEEP = 0, /* leave it as it is */
    DH_RESUME_SET,      /* replace it with resume/resume_len */
    DH_RESUME_CLEAR     /* remove it (the module is finished) */
} dh_ResumeOp;

/* A finished try at a module, kept for grading and review: a submitted quiz
 * attempt (grade methods combine them) or an ended exercise run (its review
 * can be read again later). Tries are numbered 1, 2, ... per module within
 * one course attempt; a commit appends the next number. */
typedef struct dh_ModuleAttempt {
    int number;                /* listing: 1, 2, ...; ignored by a commit */
    int64_t started_ms;        /* when the try began */
    int64_t finished_ms;       /* when it was submitted or ended (>= started_ms) */
    bool has_score;
    double score;              /* scaled score, -1..1 */
    bool passed;
    const void *record;        /* opaque bytes the module's engine can reread (NULL: none) */
    size_t record_len;         /* at most DH_STORE_RESUME_MAX */
} dh_ModuleAttempt;

/* The state of one module in one attempt: input of a commit, and what the
 * listing functions report. */
typedef struct dh_ModuleState {
    const char *module_id;     /* dh_id_valid id from the course */
    dh_ProgressStatus status;
    bool has_score;            /* false: no score */
    double score;              /* scaled score, -1..1 */
    int attempts;              /* quiz attempts used, scenario runs, ... (>= 0) */
    int64_t time_ms;           /* time spent in the module (>= 0) */
    bool completed;            /* cmi5 "completed" reached */
    bool passed;               /* cmi5 "passed" reached */
    dh_ResumeOp resume_op;     /* commit: what to do with the blob; listing: KEEP */
    const void *resume;        /* opaque bytes the module's session can restore from */
    size_t resume_len;         /* at most DH_STORE_RESUME_MAX; SET with 0 bytes clears */
    int64_t updated_ms;        /* listing only: when the state last changed */
    const dh_ModuleAttempt *finished; /* commit: a finished try to append (NULL: none); listing: NULL */
} dh_ModuleState;

typedef dh_Status (*dh_ModuleFn)(const dh_ModuleState *m, void *ctx, dh_Error *err);
/* Every module state of the attempt `registration`, in module id order. */
dh_Status dh_store_modules_each(dh_Store *s, const char *registration, dh_ModuleFn fn,
                                void *ctx, dh_Error *err);
/* One module's state; its resume blob is copied into *resume (dh_free it;
 * NULL when there is none) unless resume is NULL. out->module_id points at
 * the module_id argument. DH_ENOTFOUND if the module has no state yet. */
dh_Status dh_store_module_get(dh_Store *s, const char *registration, const char *module_id,
                              dh_ModuleState *out, void **resume, size_t *resume_len,
                              dh_Error *err);

typedef dh_Status (*dh_ModuleAttemptFn)(const dh_ModuleAttempt *a, void *ctx, dh_Error *err);
/* The finished tries at module_id in the attempt `registration`, oldest
 * first (record points into the row: valid during the call only). */
dh_Status dh_store_module_attempts_each(dh_Store *s, const char *registration,
                                        const char *module_id, dh_ModuleAttemptFn fn, void *ctx,
                                        dh_Error *err);

/* A statement to journal, built by the caller (engine/core/xapi). */
typedef struct dh_StoreStatement {
    const char *id;        /* lower-case UUID, equal to the JSON's "id" */
    const char *verb;      /* verb IRI, equal to the JSON's verb.id */
    int64_t timestamp_ms;  /* the statement's timestamp */
    const char *json;      /* the whole statement: a JSON object, UTF-8 */
} dh_StoreStatement;

/* Course-level progress of the attempt after the change. */
typedef struct dh_AttemptProgress {
    dh_ProgressStatus status;
    bool has_score;
    double score;          /* scaled score, -1..1 */
    int64_t time_ms;       /* total time spent in the attempt */
} dh_AttemptProgress;

/* One durable step of a trainee's work: module states (with resume blobs),
 * the attempt's progress, and the statements that describe them. */
typedef struct dh_StoreChange {
    const char *registration;              /* the attempt changed (dh_Enrolment.registration) */
    const dh_ModuleState *modules;         /* module states to write (may be NULL) */
    int nmodules;
    const dh_AttemptProgress *attempt;     /* new attempt progress, NULL: unchanged */
    const dh_StoreStatement *statements;   /* journaled with the change (may be NULL) */
    int nstatements;
} dh_StoreChange;

/* Apply a change in ONE transaction and return after COMMIT returned (so
 * after the write-ahead log was flushed to disk). On any error nothing of
 * the change is stored, and err says why in words ("the disk is full ...
 * nothing was saved"): a duplicate statement id, an unknown registration
 * (DH_ENOTFOUND), oversized blobs (DH_ELIMIT) or bad values (DH_EINVAL) are
 * refused before anything is written. */
dh_Status dh_store_commit(dh_Store *s, const dh_StoreChange *change, dh_Error *err);

/* ---- statement journal ------------------------------------------------------------- */

typedef struct dh_StoredStatement {
    int64_t seq;              /* journal position: increasing, never reused */
    const char *id;           /* statement UUID */
    const char *trainee_id;
    const char *course_id;
    const char *course_version;
    const char *registration;
    const char *verb;
    int64_t timestamp_ms;     /* the statement's own timestamp */
    int64_t stored_ms;        /* when the kiosk journaled it */
    const char *json;         /* the statement text */
    size_t json_len;
    const char *export_id;    /* the export that took it, NULL if none yet */
} dh_StoredStatement;

/* Which statements a listing visits. A zeroed query visits all of them. */
typedef struct dh_StatementQuery {
    int64_t after_seq;        /* only seq > after_seq */
    int64_t max_seq;          /* only seq <= max_seq; 0: no upper bound */
    bool unexported;          /* only those without an export id */
    const char *registration; /* only this attempt; NULL: every attempt */
} dh_StatementQuery;

typedef dh_Status (*dh_StatementFn)(const dh_StoredStatement *st, void *ctx, dh_Error *err);
/* Stream the matching statements in journal order, one row in memory at a
 * time, within one read snapshot. */
dh_Status dh_store_statements_each(dh_Store *s, const dh_StatementQuery *q, dh_StatementFn fn,
                                   void *ctx, dh_Error *err);
/* Number of matching statements and the highest seq among them (0 if none);
 * either pointer may be NULL. */
dh_Status dh_store_statements_count(dh_Store *s, const dh_StatementQuery *q, int64_t *count,
                                    int64_t *last_seq, dh_Error *err);
/* Record that export export_id (1-128 printable ASCII characters) took the
 * statements with first_seq <= seq <= last_seq, replacing earlier marks;
 * *marked (may be NULL) receives how many rows were marked. The statements
 * themselves can never change: the journal is append-only. */
dh_Status dh_store_statements_mark_exported(dh_Store *s, int64_t first_seq, int64_t last_seq,
                                            const char *export_id, int64_t *marked,
                                            dh_Error *err);

/* ---- listings for exports (store_export.c) ------------------------------------------ */

/* Called with a trainee and the current attempt of one course version they
 * started; pointers are valid only during the call. As dh_EnrolmentFn, any
 * status but DH_OK stops the listing, and the store must not be written. */
typedef dh_Status (*dh_AttemptFn)(const dh_Trainee *t, const dh_Enrolment *e, void *ctx,
                                  dh_Error *err);
/* The current (latest) attempt of every course version of every trainee,
 * with the trainee, ordered by trainee id, course id and version. */
dh_Status dh_store_current_attempts_each(dh_Store *s, dh_AttemptFn fn, void *ctx, dh_Error *err);
/* Open a read transaction: every listing until dh_store_snapshot_end sees
 * the same state of the database, while the player may go on committing
 * (WAL). An export takes its statements and summary from one snapshot so
 * that the two agree. Refuses to nest; no write may happen inside. */
dh_Status dh_store_snapshot_begin(dh_Store *s, dh_Error *err);
/* End the read transaction (nothing to save; a no-op when none is open). */
void dh_store_snapshot_end(dh_Store *s);

#endif
