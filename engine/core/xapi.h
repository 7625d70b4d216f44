/* xapi: the xAPI 1.0.3 statements Drillhall records.
 *
 * A statement is the unit record a training officer carries home: who (the
 * trainee as an account on the kiosk's or programme's home page, never an
 * e-mail address), did what (an ADL verb), to what (the course, a module, a
 * question as a cmi.interaction, a scenario action, an acknowledgement),
 * with what result, in which attempt (the registration). Builders here turn
 * the course model plus a few facts into the JSON an LRS accepts as is; they
 * decide nothing about progress. The clock and the UUID source are passed
 * in, so the same inputs give byte-identical statements in golden tests.
 * engine/core/XAPI.md lists every statement with an example.
 */
#ifndef DH_XAPI_H
#define DH_XAPI_H

#include "course.h"
#include "error.h"
#include "lesson.h"
#include "quiz.h"
#include "scenario.h"
#include "scenario_engine.h"
#include "uuid.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#define DH_XAPI_VERSION "1.0.3"
#define DH_XAPI_TIMESTAMP_LEN 24 /* "2026-11-28T04:15:26.123Z" */
#define DH_XAPI_DURATION_MAX 40  /* bytes of the longest duration text, NUL included */

typedef enum dh_XapiVerb {
    DH_XAPI_LAUNCHED,    /* the trainee opened the course or a module */
    DH_XAPI_INITIALIZED, /* a module is ready and running */
    DH_XAPI_EXPERIENCED, /* a lesson was read */
    DH_XAPI_ANSWERED,    /* a question was answered */
    DH_XAPI_ATTEMPTED,   /* a quiz or scenario attempt was started */
    DH_XAPI_COMPLETED,
    DH_XAPI_PASSED,
    DH_XAPI_FAILED,
    DH_XAPI_SUSPENDED,   /* signed out (or timed out) mid-way: resumable */
    DH_XAPI_RESUMED,
    DH_XAPI_TERMINATED,  /* a module or the course was left for good */
    DH_XAPI_INTERACTED,  /* a decision in a scenario (an action taken) */
    DH_XAPI_ACCEPTED,    /* an acknowledgement block was ticked */
    DH_XAPI_VERB_COUNT
} dh_XapiVerb;

/* Where and by what statements are made. Usually one per kiosk. */
typedef struct dh_XapiConfig {
    const char *home_page;     /* IRI of the account system trainee ids belong to */
    const char *activity_base; /* IRI every activity id starts with (trailing '/' ignored) */
    const char *platform;      /* context.platform; NULL: "Drillhall " DH_VERSION */
    const char *kiosk_id;      /* the kiosk's UUID, recorded as an extension; NULL: none */
    dh_UuidFn uuid;            /* statement ids; NULL: dh_uuid_random */
    void *uuid_ctx;            /* passed to uuid */
} dh_XapiConfig;

/* Who is doing which course in which attempt. */
typedef struct dh_XapiContext {
    const dh_XapiConfig *config;
    const char *trainee_id;      /* account name: the kiosk-local trainee id */
    const char *trainee_name;    /* display name; NULL or "": not recorded */
    const dh_Course *course;
    const char *registration;    /* UUID of this course attempt */
    int module;                  /* module index the statement concerns (module-level builders) */
    const char *language;        /* the trainee's language (BCP 47); NULL: the course's first */
    bool has_scenario_time;      /* record scenario_time_s as a context extension */
    double scenario_time_s;      /* scenario seconds since the exercise started */
} dh_XapiContext;

/* Optional booleans of a result: zero means "not stated". */
typedef enum dh_XapiTri { DH_XAPI_UNSET = 0, DH_XAPI_FALSE, DH_XAPI_TRUE } dh_XapiTri;

/* What came of it. Zero-initialised means no result at all. */
typedef struct dh_XapiResult {
    bool has_score;
    double scaled;           /* -1..1; see dh_xapi_score */
    double raw, min, max;    /* min <= raw <= max */
    dh_XapiTri success;      /* passed/failed set it when unset */
    dh_XapiTri completion;   /* completed/passed set it when unset */
    bool has_duration;
    int64_t duration_ms;     /* negative durations are recorded as zero */
    const char *response;    /* free text; answered() writes its own */
} dh_XapiResult;

/* A trainee's answer to one question, in the quiz model's terms. Which
 * fields are read depends on the question type:
 *   single, multiple:  items = chosen indices into u.choice.choices
 *   hottext:           items = chosen indices into u.choice.spans
 *   hotspot:           items = indices of the regions hit (each counted once);
 *                      clicks = the x,y pairs placed, in image coordinates
 *   ordering:          items = u.ordering.items indices in the trainee's order
 *   matching:          items[p] = answer index given to prompt p, or -1
 *   gapselect:         items[g] = choice index put in gap g, or -1
 *   truefalse:         value;   short: text;   numeric: number (base unit) */
typedef struct dh_XapiResponse {
    const int *items;
    int nitems;
    bool value;
    const char *text;
    bool has_number;     /* false: nothing numeric was entered */
    double number;
    const double *clicks;
    int nclicks;         /* pairs in clicks */
} dh_XapiResponse;

/* One statement, ready to journal. */
typedef struct dh_XapiStatement {
    char id[DH_UUID_LEN + 1];   /* statement id, assigned at creation */
    int64_t timestamp_ms;       /* ms since 1970-01-01 UTC, as in "timestamp" */
    dh_XapiVerb verb;
    cJSON *json;                /* the statement; owned, see dh_xapi_statement_free */
} dh_XapiStatement;

/* ---- statements ---------------------------------------------------------- */

/* A statement about the course itself (launched, initialized, completed,
 * passed, failed, suspended, resumed, terminated; attempted). */
dh_Status dh_xapi_course_statement(dh_XapiStatement *out, const dh_XapiContext *ctx, dh_XapiVerb verb,
                                   const dh_XapiResult *res, int64_t now_ms, dh_Error *err);
/* A statement about module ctx->module (any verb but answered, interacted,
 * accepted: those concern a part of a module and have their own builders). */
dh_Status dh_xapi_module_statement(dh_XapiStatement *out, const dh_XapiContext *ctx, dh_XapiVerb verb,
                                   const dh_XapiResult *res, int64_t now_ms, dh_Error *err);
/* "answered" for question q of quiz module ctx->module: the object is a
 * cmi.interaction with its components and correctResponsesPattern, and
 * result.response is resp in xAPI pattern syntax (resp may be NULL: no
 * response). res gives score, success and duration. Descriptions, which
 * take no answer, are refused with DH_EINVAL. */
dh_Status dh_xapi_answered(dh_XapiStatement *out, const dh_XapiContext *ctx, const dh_Question *q,
                           const dh_XapiResponse *resp, const dh_XapiResult *res, int64_t now_ms,
                           dh_Error *err);
/* "interacted": the trainee took action `action` of scenario s (module
 * ctx->module). For an action with a choice response, `choice` is the index
 * of the chosen action (one of its choices); for a text response, `text` is
 * what was written. Set ctx->has_scenario_time to record when it happened. */
dh_Status dh_xapi_decision(dh_XapiStatement *out, const dh_XapiContext *ctx, const dh_Scenario *s,
                           int action, int choice, const char *text, int64_t now_ms, dh_Error *err);
/* "accepted": the trainee ticked acknowledgement block `block` of lesson
 * module ctx->module. */
dh_Status dh_xapi_accepted(dh_XapiStatement *out, const dh_XapiContext *ctx, const dh_Block *block,
                           int64_t now_ms, dh_Error *err);
/* "experienced" for one page of lesson module ctx->module: the object is
 * the page, BASE/courses/<course>/modules/<module>/pages/<page + 1> (pages
 * are numbered from 1, as the trainee sees them), typed ADL "module" and
 * named by the page title when it has one; its parent is the lesson. */
dh_Status dh_xapi_page_experienced(dh_XapiStatement *out, const dh_XapiContext *ctx, int page,
                                   int64_t now_ms, dh_Error *err);

/* Add what an exercise's after-action review found to a scenario module's
 * passed/failed (or completed) statement, as result extensions, so a
 * training officer's report can say which objectives and expectations were
 * met without the kiosk's database: BASE/extensions/ending (the ending id),
 * BASE/extensions/objectives ([{"id", "score" 0..1, "points", "possible"}]
 * for each applicable objective) and BASE/extensions/expectations
 * ([{"id", "state"}] with dh_exp_state_name words). DH_ENOMEM leaves st
 * unusable (free it). */
dh_Status dh_xapi_add_review(dh_XapiStatement *st, const dh_XapiConfig *cfg, const dh_Review *v,
                             dh_Error *err);

/* Release a statement's JSON; the struct may be reused. NULL json is fine. */
void dh_xapi_statement_free(dh_XapiStatement *st);
/* The statement as compact JSON (dh_malloc'd, caller frees with dh_free),
 * or NULL when out of memory. */
char *dh_xapi_statement_text(const dh_XapiStatement *st);

/* ---- pieces, for the store, exporters and tests -------------------------- */

/* The verb's IRI and its English display word. */
const char *dh_xapi_verb_iri(dh_XapiVerb v);
const char *dh_xapi_verb_display(dh_XapiVerb v);

/* Set a result's score from marks: raw, min, max as given and scaled =
 * raw / max (0 when max is 0), clamped to -1..1. */
void dh_xapi_score(dh_XapiResult *res, double raw, double min, double max);

/* The activity id of a course (module_id NULL), a module (part NULL), or a
 * part of a module: part is "questions", "actions", "acknowledgements" or
 * "pages" and part_id its id. Ids are percent-encoded outside RFC 3986's
 * unreserved set. Returns a dh_malloc'd string, or NULL when out of memory. */
char *dh_xapi_activity_iri(const char *base, const char *course_id, const char *module_id,
                           const char *part, const char *part_id);

/* Check a configuration: both IRIs absolute and well-formed, the kiosk id a
 * UUID. DH_EINVAL with a sentence saying which setting is wrong. */
dh_Status dh_xapi_config_check(const dh_XapiConfig *cfg, dh_Error *err);

/* Format ms since 1970-01-01 UTC as "YYYY-MM-DDThh:mm:ss.mmmZ". False when
 * the time is outside years 1970..9999. */
bool dh_xapi_timestamp(char out[DH_XAPI_TIMESTAMP_LEN + 1], int64_t ms);
/* Format a duration as ISO 8601 ("PT1H2M3.45S"), rounded to 0.01 s; negative
 * durations give "PT0S". */
void dh_xapi_duration(char out[DH_XAPI_DURATION_MAX], int64_t ms);

#endif
