/* quiz: the immutable model of a quiz file, and everything lint checks in it.
 *
 * A quiz is settings (attempts, grade method, time limit, pass mark,
 * behaviour, review options), sections that either list questions or draw
 * them at random from a tagged pool, and the questions themselves in eleven
 * Moodle-like types. This module only parses and validates: it guarantees
 * the scoring engine a model in which every reference resolves, every
 * fraction is in range and every question can be answered with full marks,
 * so scoring never has to handle bad content. Question text with gaps
 * ([[1]]) or clickable spans ({{id:text}}) stays as authored;
 * dh_markup_next splits it when it is drawn, with the same code lint used.
 */
#ifndef DH_QUIZ_H
#define DH_QUIZ_H

#include "course.h"
#include "load.h"

#include <stdbool.h>
#include <stddef.h>

/* The same typedef as course.h's forward declaration (C11 allows repeating it). */
typedef struct dh_Quiz dh_Quiz;

/* Limits that keep hostile files from costing quadratic time. */
#define DH_QUIZ_MAX_QUESTIONS 1000 /* questions in one quiz file */
#define DH_QUIZ_MAX_SECTIONS 100
#define DH_QUIZ_MAX_ITEMS 100      /* answers, choices, items, prompts, regions of one question */
#define DH_QUIZ_MAX_POINTS 100     /* vertices of one polygon */
#define DH_QUIZ_MAX_TAGS 20        /* tags of one question or draw */
#define DH_QUIZ_MAX_HINTS 10

/* Tolerance when checking that fractions add up to 1 (Moodle's rule). */
#define DH_QUIZ_FRACTION_EPS 0.001

typedef enum dh_QuestionType {
    DH_QUESTION_SINGLE,      /* one choice */
    DH_QUESTION_MULTIPLE,    /* several choices */
    DH_QUESTION_TRUEFALSE,
    DH_QUESTION_SHORT,       /* typed text against wildcard patterns */
    DH_QUESTION_NUMERIC,     /* typed number within a tolerance */
    DH_QUESTION_MATCHING,    /* each prompt gets one of the answers */
    DH_QUESTION_ORDERING,    /* put items in order */
    DH_QUESTION_GAPSELECT,   /* pick a choice for each [[n]] gap */
    DH_QUESTION_HOTTEXT,     /* click the right {{id:spans}} of a text */
    DH_QUESTION_HOTSPOT,     /* click the right regions of an image */
    DH_QUESTION_DESCRIPTION  /* text only, not scored */
} dh_QuestionType;

typedef enum dh_GradeMethod {
    DH_GRADE_HIGHEST, DH_GRADE_AVERAGE, DH_GRADE_FIRST, DH_GRADE_LAST
} dh_GradeMethod;

/* Moodle's deferredfeedback and interactive (with multiple tries). */
typedef enum dh_Behaviour { DH_BEHAVIOUR_DEFERRED, DH_BEHAVIOUR_INTERACTIVE } dh_Behaviour;

typedef enum dh_Navigation { DH_NAVIGATION_FREE, DH_NAVIGATION_SEQUENTIAL } dh_Navigation;

/* qtype_ordering's grading types, with Moodle's names in snake case. */
typedef enum dh_OrderingGrading {
    DH_ORDERING_ALL_OR_NOTHING,
    DH_ORDERING_ABSOLUTE_POSITION,
    DH_ORDERING_RELATIVE_NEXT_EXCLUDE_LAST,
    DH_ORDERING_RELATIVE_NEXT_INCLUDE_LAST,
    DH_ORDERING_RELATIVE_ONE_PREVIOUS_AND_NEXT,
    DH_ORDERING_RELATIVE_ALL_PREVIOUS_AND_NEXT,
    DH_ORDERING_LONGEST_ORDERED_SUBSET,
    DH_ORDERING_LONGEST_CONTIGUOUS_SUBSET,
    DH_ORDERING_RELATIVE_TO_CORRECT
} dh_OrderingGrading;

typedef enum dh_RegionShape { DH_REGION_RECT, DH_REGION_CIRCLE, DH_REGION_POLYGON } dh_RegionShape;

/* Review options (bit set): what a trainee may see during an attempt
 * (interactive, after each checked try) and after submitting it. */
enum {
    DH_REVIEW_CORRECTNESS = 1,      /* right, partly right, wrong */
    DH_REVIEW_MARKS = 2,            /* points per question and total */
    DH_REVIEW_FEEDBACK = 4,         /* feedback of the chosen answers */
    DH_REVIEW_GENERAL_FEEDBACK = 8, /* the question's general feedback */
    DH_REVIEW_RIGHT_ANSWER = 16,    /* the correct response */
    DH_REVIEW_OVERALL_FEEDBACK = 32 /* the quiz's feedback for the score band (after only) */
};

typedef struct dh_QuizSettings {
    int attempts;                /* 0 = unlimited */
    dh_GradeMethod grade_method; /* which attempt's score counts */
    int time_limit_s;            /* 0 = no limit */
    double pass;                 /* fraction of the maximum score; 0 = no pass mark */
    bool shuffle;                /* shuffle questions within sections (sections may override) */
    bool shuffle_answers;        /* shuffle choices where a question allows it */
    dh_Behaviour behaviour;
    int tries;                   /* interactive: tries per question (1 + hints shown) */
    double penalty;              /* interactive: fraction lost per extra try (questions may override) */
    dh_Navigation navigation;
    unsigned review_during;      /* DH_REVIEW_* bits */
    unsigned review_after;       /* DH_REVIEW_* bits */
} dh_QuizSettings;

/* A choice of single/multiple, and the marks of a hottext span. */
typedef struct dh_Choice {
    const char *id;    /* unique in the question; for hottext, a span id */
    dh_Text text;      /* absent for hottext (the span's text is in the question) */
    double fraction;   /* -1..1 of the question's points */
    dh_Text feedback;  /* shown when chosen; may be absent */
} dh_Choice;

/* An id and a text: ordering items and matching answers. */
typedef struct dh_Item {
    const char *id;
    dh_Text text;
} dh_Item;

typedef struct dh_ShortAnswer {
    dh_Text pattern;  /* '*' matches any run of characters, '\*' a literal one */
    double fraction;  /* 0..1; the first matching pattern wins */
    dh_Text feedback;
} dh_ShortAnswer;

typedef struct dh_NumericAnswer {
    double value;     /* in the base unit */
    double tolerance; /* accepted: value +- tolerance (>= 0) */
    double fraction;  /* 0..1; the first matching answer wins */
    dh_Text feedback;
} dh_NumericAnswer;

typedef struct dh_Unit {
    const char *name;  /* as typed after the number: "MB" */
    double multiplier; /* base-unit value = typed value / multiplier; first unit is 1 */
} dh_Unit;

typedef struct dh_MatchPrompt {
    const char *id;
    dh_Text text;
    int answer; /* index into dh_Matching.answers */
} dh_MatchPrompt;

typedef struct dh_GapChoice {
    dh_Text text;
    int group; /* 1..20: a gap offers the choices of its correct choice's group */
} dh_GapChoice;

typedef struct dh_Region {
    const char *id;
    dh_RegionShape shape;
    const double *coords; /* rect x y w h; circle cx cy r; polygon x0 y0 x1 y1 ... */
    int ncoords;
    double fraction;      /* -1..1, counted once however often it is clicked */
    dh_Text feedback;
} dh_Region;

typedef struct dh_Question {
    const char *id;           /* unique in the quiz */
    dh_QuestionType type;
    dh_Text text;             /* the stem; gapselect/hottext text carries markup */
    const char *image;        /* optional illustration (asset path); hotspot: the image */
    dh_Text alt;              /* the image's description */
    const char *const *tags;  /* for draws */
    int ntags;
    double points;            /* maximum marks (default 1; 0 for description) */
    dh_Text general_feedback; /* shown whatever the response */
    const dh_Text *hints;     /* interactive: shown after the 1st, 2nd, ... wrong try */
    int nhints;
    double penalty;           /* per extra try; < 0: the quiz's */
    bool shuffle_answers;     /* this question allows shuffling (and the quiz must too) */
    union {
        struct {              /* single, multiple, hottext */
            const dh_Choice *choices;
            int nchoices;
            const char *const *spans; /* hottext: span ids in the text's order */
            int nspans;
        } choice;
        struct {              /* truefalse */
            bool correct;
            dh_Text feedback_true, feedback_false;
        } truefalse;
        struct {              /* short */
            const dh_ShortAnswer *answers;
            int nanswers;
            bool case_sensitive;
        } shortans;
        struct {              /* numeric */
            const dh_NumericAnswer *answers;
            int nanswers;
            const dh_Unit *units;   /* may be empty */
            int nunits;
            bool unit_required;     /* a missing or unknown unit costs unit_penalty */
            double unit_penalty;
        } numeric;
        struct {              /* matching */
            const dh_MatchPrompt *prompts;
            int nprompts;
            const dh_Item *answers; /* those no prompt names are distractors */
            int nanswers;
        } matching;
        struct {              /* ordering */
            const dh_Item *items;   /* in the correct order */
            int nitems;
            dh_OrderingGrading grading;
        } ordering;
        struct {              /* gapselect */
            const dh_GapChoice *choices;
            int nchoices;
            const int *gaps;  /* per gap (text order): index of its correct choice */
            int ngaps;
        } gapselect;
        struct {              /* hotspot */
            int width, height; /* the coordinate space regions are given in */
            const dh_Region *regions;
            int nregions;
            int max_clicks;    /* markers a trainee may place */
        } hotspot;
    } u;
} dh_Question;

typedef struct dh_QuizSection {
    dh_Text title;            /* optional heading */
    bool shuffle;             /* shuffle this section's questions */
    const int *questions;     /* fixed: indices into dh_Quiz.questions */
    int nquestions;
    bool draw;                /* true: `count` questions drawn from `pool` */
    const char *const *tags;  /* a drawn question has all of them (none: any) */
    int ntags;
    int count;
    const int *pool;          /* candidates: tagged, not description, not in fixed sections */
    int npool;
} dh_QuizSection;

typedef struct dh_FeedbackBand {
    double min;  /* for scores (0..1) >= min and below the next higher band */
    dh_Text text;
} dh_FeedbackBand;

struct dh_Quiz {
    dh_Text title;                     /* optional; course.json's module title wins */
    dh_Text intro;                     /* shown before an attempt starts */
    dh_QuizSettings settings;
    const dh_QuizSection *sections;    /* in order; one implicit section if the file has none */
    int nsections;
    const dh_Question *questions;      /* in file order */
    int nquestions;
    const dh_FeedbackBand *feedback;   /* overall feedback, highest min first */
    int nfeedback;
    int slots;                         /* questions shown in one attempt (descriptions included) */
};

/* Parse a quiz file's root object into c's arena. Returns DH_OK (problems are
 * in c->diags; *out is as complete as the content allows, NULL only if root
 * is not an object) or DH_ENOMEM (c->oom). */
dh_Status dh_quiz_parse(dh_LoadCtx *c, const cJSON *root, dh_Quiz **out);

/* Index of a question by id, or -1. */
int dh_quiz_question_index(const dh_Quiz *q, const char *id);

/* Names as written in quiz files: "single", "highest", "interactive", ... */
const char *dh_question_type_name(dh_QuestionType t);
const char *dh_grade_method_name(dh_GradeMethod m);
const char *dh_behaviour_name(dh_Behaviour b);
const char *dh_ordering_grading_name(dh_OrderingGrading g);

/* ---- gap and span markup ---------------------------------------------- */

typedef enum dh_MarkupSyntax {
    DH_MARKUP_GAPS,  /* gapselect: [[n]] */
    DH_MARKUP_SPANS  /* hottext: {{id:visible text}} */
} dh_MarkupSyntax;

typedef enum dh_MarkupKind { DH_MARKUP_TEXT, DH_MARKUP_GAP, DH_MARKUP_SPAN } dh_MarkupKind;

typedef enum dh_MarkupResult {
    DH_MARKUP_OK,          /* *tok holds the next token */
    DH_MARKUP_END,         /* no more text */
    DH_MARKUP_UNCLOSED,    /* "[[" or "{{" at tok->off is never closed */
    DH_MARKUP_STRAY_CLOSE, /* "]]" or "}}" at tok->off closes nothing */
    DH_MARKUP_NESTED,      /* "{{" at tok->off opens inside another span */
    DH_MARKUP_BAD_GAP,     /* [[...]] at tok->off does not hold a choice number 1-999 */
    DH_MARKUP_NO_TEXT,     /* {{...}} at tok->off lacks ':' or visible text */
    DH_MARKUP_BAD_ID       /* {{id:...}} at tok->off has an invalid id */
} dh_MarkupResult;

typedef struct dh_MarkupToken {
    dh_MarkupKind kind;
    size_t off, len;  /* the token's bytes in the string (markup included) */
    const char *text; /* TEXT: the text; SPAN: the visible text (not NUL-terminated) */
    size_t text_len;
    const char *id;   /* SPAN: the span id (not NUL-terminated) */
    size_t id_len;
    int gap;          /* GAP: the 1-based number of the gap's correct choice */
} dh_MarkupToken;

/* Read the token of s that starts at byte *pos and advance *pos past it.
 * Text outside the chosen syntax is plain. Never allocates. On an error
 * tok->off says where; the caller stops (the rest is not tokenized). */
dh_MarkupResult dh_markup_next(const char *s, size_t *pos, dh_MarkupSyntax syntax, dh_MarkupToken *tok);

#endif
