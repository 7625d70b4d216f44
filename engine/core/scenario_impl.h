/* scenario_impl: what the scenario loader's two files share.
 *
 * scenario.c registers ids and parses every part into the model;
 * scenario_check.c runs the static analysis over the parsed model (cycles,
 * times, reachability, endings). Both work on the loader state P below;
 * nobody else includes this header.
 */
#ifndef DH_SCENARIO_IMPL_H
#define DH_SCENARIO_IMPL_H

#include "scenario.h"

typedef enum Kind { K_INJECT, K_ACTION, K_OBJECTIVE, K_EXPECTATION, K_ENDING } Kind;

typedef struct Id {
    const char *id;
    Kind kind;
    int index;        /* into the model array of that kind */
    int order;        /* order of appearance, to keep sorting stable */
    const cJSON *at;  /* the "id" value */
} Id;

typedef struct P {
    dh_LoadCtx *c;
    dh_Scenario *s;
    const cJSON *root;
    Id *ids;
    int nids;
    /* mutable views of the model's arrays while it is built */
    dh_VarDecl *vars;
    int64_t *initial;
    dh_Inject *inj;
    dh_Action *act;
    dh_Objective *obj;
    dh_Expectation *exp;
    dh_Ending *end;
    /* the JSON each element comes from; NULL if it was not an object */
    const cJSON **inj_json, **act_json, **obj_json, **exp_json, **end_json;
    const cJSON *endings_json; /* the "endings" array, for positions */
    int nglobal_first, nglobal; /* the global actions' range */
    const char **var_names, **obj_ids, **end_ids; /* for suggestions */
    int *vars_sorted;          /* variable indices in name order */
    bool refused;              /* too big to check: no model */
} P;

#define DOC(p) ((p)->c->doc)
#define DIAGS(p) ((p)->c->diags)

/* Pass 3: the static analysis of a parsed model (scenario_check.c). */
void dh_scenario_analyse(P *p);

#endif
