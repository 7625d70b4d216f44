/* course: the immutable model of one course package, and its loader.
 *
 * dh_course_load reads course.json, then every module file it names (lessons,
 * quizzes, scenarios), and builds the whole model in one arena. It reports
 * every problem it can find to the diagnostics list rather than stopping at
 * the first: that list is what `drillhall-pack lint` prints. A course with
 * errors is still returned (for inspection and tools) but must not be played:
 * check dh_course_ok().
 */
#ifndef DH_COURSE_H
#define DH_COURSE_H

#include "arena.h"
#include "diag.h"
#include "i18n.h"
#include "package.h"

#include <stdbool.h>

typedef struct dh_Lesson dh_Lesson;     /* lesson.h */
typedef struct dh_Quiz dh_Quiz;         /* quiz.h */
typedef struct dh_Scenario dh_Scenario; /* scenario.h */

#define DH_FORMAT_VERSION 1 /* the course.json "format" this build reads */
#define DH_COURSE_MAX_MODULES 200 /* modules in one course (see FORMAT.md, limits) */

typedef enum dh_ModuleKind { DH_MODULE_LESSON, DH_MODULE_QUIZ, DH_MODULE_SCENARIO } dh_ModuleKind;

/* cmi5 moveOn: what makes the course satisfied. */
typedef enum dh_MoveOn {
    DH_MOVEON_COMPLETED,
    DH_MOVEON_PASSED,
    DH_MOVEON_COMPLETED_AND_PASSED,
    DH_MOVEON_COMPLETED_OR_PASSED,
    DH_MOVEON_NOT_APPLICABLE
} dh_MoveOn;

typedef struct dh_Module {
    const char *id;        /* unique within the course */
    dh_ModuleKind kind;
    const char *file;      /* path inside the package */
    dh_Text title;         /* from course.json, else from the module file */
    bool required;         /* counts towards completion */
    const int *prereqs;    /* indices into dh_Course.modules */
    int nprereqs;
    union {
        dh_Lesson *lesson;     /* kind == DH_MODULE_LESSON */
        dh_Quiz *quiz;         /* kind == DH_MODULE_QUIZ */
        dh_Scenario *scenario; /* kind == DH_MODULE_SCENARIO */
    } u;                   /* NULL if the file could not be loaded */
} dh_Module;

typedef struct dh_Course {
    dh_Arena arena;            /* owns everything below */
    int format;                /* course.json "format" */
    const char *id;            /* stable id, e.g. "org.example.awareness" */
    const char *version;       /* semantic version "1.2.0" */
    int semver[3];             /* major, minor, patch */
    dh_Text title, description;
    const char *const *languages; /* the course's languages, first = default */
    int nlanguages;
    int duration_min;          /* estimated minutes, 0 if not given */
    dh_MoveOn move_on;
    double mastery_score;      /* 0..1, or -1 when not set */
    dh_Module *modules;        /* in course order */
    int nmodules;
    const char *const *authors;
    int nauthors;
    const char *license;       /* SPDX id or free text, NULL if absent */
    dh_Text tags;              /* unused yet; reserved */
    bool ok;                   /* loaded without errors */
} dh_Course;

/* Load the course in pkg. Problems go to d. Returns DH_OK (check ok for
 * errors found in content), DH_ENOMEM, or DH_EIO/DH_EFORMAT when course.json
 * itself cannot be read or parsed (then *out is NULL). The caller frees the
 * course with dh_course_free; pkg must stay open only during the call. */
dh_Status dh_course_load(dh_Course **out, dh_Package *pkg, dh_Diags *d);
/* Free a course; NULL is a no-op. */
void dh_course_free(dh_Course *c);

/* True if s is a valid course id: lower-case reverse-DNS style
 * ("org.example.phishing-basics"), 3-128 characters. */
bool dh_course_id_valid(const char *s);
/* Index of a module by id, or -1. */
int dh_course_module_index(const dh_Course *c, const char *id);
/* "lesson", "quiz", "scenario". */
const char *dh_module_kind_name(dh_ModuleKind k);
/* "Completed", "Passed", ... as in cmi5. */
const char *dh_move_on_name(dh_MoveOn m);

#endif
