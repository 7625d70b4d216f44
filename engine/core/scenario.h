/* scenario: the immutable model of a simulated incident exercise.
 *
 * A scenario is a small world with a clock: injects (an e-mail, a chat
 * message, a phone call, a SIEM alert, a log excerpt, a news item, a note)
 * arrive at a time, after another inject, or when a condition holds; the
 * trainee takes actions whose effects change variables, fire or cancel
 * injects, or end the exercise; expectations say what a good response looks
 * like and score it per objective; endings are chosen by conditions; a
 * debrief closes it. This file holds the model and its loader, which checks
 * everything a machine can check before a trainee ever sees the exercise
 * (references, types, timing, injects that can never fire, scenarios that
 * can never end). The engine that plays it lives elsewhere.
 */
#ifndef DH_SCENARIO_H
#define DH_SCENARIO_H

#include "course.h"
#include "expr.h"
#include "load.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct dh_Scenario dh_Scenario;

/* Upper bound for every time in a scenario (seconds): one week. */
#define DH_SCENARIO_MAX_S 604800
/* At most this many variables, injects, actions (with choices), objectives,
 * expectations and endings each; cues per inject and values per enum. */
#define DH_SCENARIO_MAX_PARTS 2000
#define DH_SCENARIO_MAX_LIST 100

typedef enum dh_ClockMode {
    DH_CLOCK_SCALED, /* scenario time runs at speed x real time */
    DH_CLOCK_TURNS   /* time stands still until the trainee ends a turn */
} dh_ClockMode;

typedef struct dh_ScClock {
    dh_ClockMode mode;
    double speed;  /* scaled: scenario seconds per real second (default 1) */
    long turn_s;   /* turns: scenario seconds one turn advances */
    long limit_s;  /* the exercise ends at this scenario time; 0: no limit */
} dh_ScClock;

typedef enum dh_Channel {
    DH_CHANNEL_MAIL,
    DH_CHANNEL_CHAT,
    DH_CHANNEL_PHONE,
    DH_CHANNEL_SIEM,
    DH_CHANNEL_LOG,
    DH_CHANNEL_NEWS,
    DH_CHANNEL_NOTE
} dh_Channel;

typedef enum dh_AlertLevel { DH_ALERT_LOW, DH_ALERT_MEDIUM, DH_ALERT_HIGH, DH_ALERT_CRITICAL } dh_AlertLevel;

/* Something suspicious in an inject that the after-action review points out
 * ("the sender's domain is examp1e.com"). */
typedef struct dh_Cue {
    const char *id;    /* unique within the inject */
    const char *field; /* the content field it is in ("from", "body"), or NULL */
    dh_Text text;      /* why it matters; may be absent */
} dh_Cue;

/* What an inject shows. Which fields are used depends on the channel:
 *   mail:  from, to, subject, body, attachments
 *   chat:  from, text          phone: caller, transcript
 *   siem:  severity, host, rule, details
 *   log:   source, lines       news:  outlet, headline, body
 *   note:  from, text
 * Every channel may carry an image (with alt text) and cues. */
typedef struct dh_InjectContent {
    dh_Text from, to, subject, body;  /* mail; from: chat, note; body: news */
    const char *const *attachments;   /* mail: file names shown, never opened */
    int nattachments;
    dh_Text text;                     /* chat, note */
    dh_Text caller, transcript;       /* phone */
    dh_AlertLevel severity;           /* siem */
    const char *host;                 /* siem: e.g. "LOG-WS-07" */
    dh_Text rule, details;            /* siem */
    const char *source;               /* log: e.g. "proxy", "edr" */
    const char *const *lines;         /* log: shown verbatim, monospaced */
    int nlines;
    dh_Text outlet, headline;         /* news */
    const char *image;                /* asset path, or NULL */
    dh_Text alt;                      /* the image's alt text */
    const dh_Cue *cues;
    int ncues;
} dh_InjectContent;

/* How an inject comes to fire. A 'when' condition may also guard a timed
 * inject: then it fires at its time only if the condition holds. */
typedef enum dh_Trigger {
    DH_TRIGGER_AT,    /* at at_s */
    DH_TRIGGER_AFTER, /* delay_s after inject `after` fired */
    DH_TRIGGER_WHEN,  /* as soon as `when` holds */
    DH_TRIGGER_EFFECT /* only when an action's 'fire' effect names it */
} dh_Trigger;

typedef struct dh_Inject {
    const char *id;
    dh_Channel channel;
    dh_Trigger trigger;
    long at_s;                 /* DH_TRIGGER_AT */
    int after;                 /* DH_TRIGGER_AFTER: inject index; else -1 */
    long delay_s;              /* DH_TRIGGER_AFTER */
    const dh_Expr *when;       /* the condition or guard; NULL if none */
    const char *when_text;     /* its source, for the review and debugging */
    dh_InjectContent content;
    int first_action, nactions; /* its actions: a range of dh_Scenario.actions */
    long expires_s;            /* its actions close this long after it fired; 0: never */
    int line, col;             /* where it is defined, for tools */
} dh_Inject;

typedef enum dh_EffectKind {
    DH_EFFECT_SET,    /* vars[target] = value */
    DH_EFFECT_ADD,    /* vars[target] += value (int variables) */
    DH_EFFECT_FIRE,   /* fire inject target after delay_s */
    DH_EFFECT_CANCEL, /* inject target will not fire (if it has not yet) */
    DH_EFFECT_END     /* end the exercise with ending target */
} dh_EffectKind;

typedef struct dh_Effect {
    dh_EffectKind kind;
    int target;    /* variable, inject or ending index */
    int64_t value; /* SET: bool 0/1, int, or enum value index; ADD: the amount */
    long delay_s;  /* FIRE */
} dh_Effect;

typedef enum dh_Response {
    DH_RESPONSE_NONE,   /* taking the action is all there is */
    DH_RESPONSE_TEXT,   /* the trainee writes a short text (recorded) */
    DH_RESPONSE_CHOICE  /* the trainee picks one of the action's choices */
} dh_Response;

/* An action the trainee can take: offered by an inject while it is open,
 * globally (a standing option such as "call the service desk"), or as one
 * choice of another action. All share one list so chose() and expectations
 * can name any of them. */
typedef struct dh_Action {
    const char *id;
    dh_Text label;
    int inject;               /* offering inject, or -1 */
    int parent;               /* the action this is a choice of, or -1 */
    const dh_Expr *when;      /* offered only while this holds; NULL: always */
    const char *when_text;
    const dh_Effect *effects;
    int neffects;
    dh_Response response;
    dh_Text prompt;           /* TEXT and CHOICE: the question asked */
    int first_choice, nchoices; /* CHOICE: a range of dh_Scenario.actions */
    dh_Text feedback;         /* shown when taken (optional) */
    bool repeatable;          /* may be taken more than once */
    int line, col;
} dh_Action;

typedef struct dh_Objective {
    const char *id;
    dh_Text text;
    double weight; /* > 0; objectives' share of the overall score */
} dh_Objective;

/* "Report the e-mail within 300 s": met when `action` is taken (or `when`
 * holds) within within_s of the moment the expectation starts counting.
 * With keep, `when` must instead hold for the whole window ("never open the
 * attachment"). An expectation whose `from` inject never fires does not
 * apply and is not scored. */
typedef struct dh_Expectation {
    const char *id;
    dh_Text text;
    int action;            /* action index, or -1 when `when` is used */
    const dh_Expr *when;   /* condition, or NULL when `action` is used */
    const char *when_text;
    bool keep;             /* `when` must hold throughout, not just once */
    int from;              /* counts from this inject firing; -1: the start */
    long within_s;         /* 0: any time before the end */
    double score;          /* points when met */
    int objective;         /* objective index, or -1 */
    dh_Text debrief;       /* what the review says about it */
} dh_Expectation;

typedef enum dh_Outcome { DH_OUTCOME_SUCCESS, DH_OUTCOME_PARTIAL, DH_OUTCOME_FAILURE } dh_Outcome;

typedef struct dh_Ending {
    const char *id;
    const dh_Expr *when;   /* NULL: the default ending (time is up) */
    const char *when_text;
    dh_Text title;         /* short ("Contained") */
    dh_Text text;          /* what happened */
    dh_Outcome outcome;
} dh_Ending;

/* One line of the exercise's status panel ("Hosts affected: 3"): the
 * author picks which variables a trainee may see, and names them. */
typedef struct dh_ScStatus {
    int var;               /* variable index */
    dh_Text label;         /* shown before the value */
    const dh_Text *values; /* enum: a text per value (count 0: show the value id); else NULL */
} dh_ScStatus;

typedef struct dh_Debrief {
    dh_Text summary;           /* the lessons in a few sentences */
    const dh_Text *discussion; /* questions for the group */
    int ndiscussion;
} dh_Debrief;

struct dh_Scenario {
    dh_Text title, description, briefing, banner;
    dh_ScClock clock;
    uint32_t seed;                   /* for the engine's random choices */
    dh_ExprEnv env;                  /* variables, inject ids, action ids */
    const int64_t *initial;          /* initial value of each variable (env.vars) */
    const dh_Objective *objectives;
    int nobjectives;
    const dh_Inject *injects;
    int ninjects;
    const dh_Action *actions;        /* inject actions, global actions, choices */
    int nactions;
    const dh_Expectation *expectations;
    int nexpectations;
    const dh_Ending *endings;        /* tried in order */
    int nendings;
    int default_ending;              /* the ending without 'when', or -1 */
    const dh_ScStatus *status;       /* the status panel, in order */
    int nstatus;
    dh_Debrief debrief;
};

/* Parse a scenario file's root object into c's arena. Every problem goes to
 * c->diags with its position; the model is as complete as the content allows.
 * Returns DH_OK or DH_ENOMEM. */
dh_Status dh_scenario_parse(dh_LoadCtx *c, const cJSON *root, dh_Scenario **out);

/* Indices by id, or -1. */
int dh_scenario_inject_index(const dh_Scenario *s, const char *id);
int dh_scenario_action_index(const dh_Scenario *s, const char *id);
int dh_scenario_var_index(const dh_Scenario *s, const char *name);

/* "mail", "chat", ...; "success", "partial", "failure". */
const char *dh_channel_name(dh_Channel ch);
const char *dh_outcome_name(dh_Outcome o);

#endif
