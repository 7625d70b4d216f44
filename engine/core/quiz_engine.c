/* quiz_engine: the attempt state machine and its resume blob.
 *
 * An attempt is built section by section from a seed: fixed sections in
 * order (shuffled if the section says so), draws by partial Fisher-Yates
 * over the pool minus what earlier draws took, then every slot's answer
 * order. The PRNG is xoshiro256** seeded through splitmix64: small, fast,
 * identical on every platform, so one seed always gives one attempt. The
 * resume blob stores the outcome (question ids, orders, responses, tries)
 * rather than only the seed, so it restores exactly; restoring rebuilds
 * nothing from trust: every id, index and number is checked against the
 * quiz, and the slot layout must be one the quiz's sections could produce.
 */
#include "quiz_engine.h"

#include "buf.h"

#include "alloc.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* ---- PRNG ---------------------------------------------------------------- */

typedef struct Rng {
    uint64_t s[4];
} Rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static void rng_seed(Rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static uint64_t rng_next(Rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in 0..n-1 (rejection sampling: no modulo bias). */
static int rng_below(Rng *r, int n)
{
    uint64_t lim = UINT64_MAX - UINT64_MAX % (uint64_t)n, x;
    do x = rng_next(r);
    while (x >= lim);
    return (int)(x % (uint64_t)n);
}

static void shuffle(Rng *r, int *v, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = rng_below(r, i + 1), t = v[i];
        v[i] = v[j], v[j] = t;
    }
}

uint64_t dh_quiz_seed_random(void)
{
    uint64_t s = 0;
    if (sodium_init() < 0) DH_ASSERT(!"libsodium cannot initialise");
    randombytes_buf(&s, sizeof s);
    return s;
}

/* ---- building an attempt --------------------------------------------------- */

/* How many entries a question's shown order has (0: nothing to order). */
static int order_len(const dh_Question *q)
{
    switch (q->type) {
    case DH_QUESTION_SINGLE:
    case DH_QUESTION_MULTIPLE: return q->u.choice.nchoices;
    case DH_QUESTION_MATCHING: return q->u.matching.nanswers;
    case DH_QUESTION_GAPSELECT: return q->u.gapselect.nchoices;
    case DH_QUESTION_ORDERING: return q->u.ordering.nitems;
    default: return 0;
    }
}

/* Slots a section contributes. */
static int section_slots(const dh_QuizSection *s) { return s->draw ? s->count : s->nquestions; }

static dh_Status alloc_attempt(dh_QuizAttempt **out, const dh_Quiz *quiz, const char *lang, dh_Error *err)
{
    *out = NULL;
    int n = 0;
    for (int i = 0; i < quiz->nsections; i++) n += section_slots(&quiz->sections[i]);
    if (n > DH_QUIZ_MAX_QUESTIONS) return dh_fail(err, DH_ELIMIT, "the quiz asks more than %d questions", DH_QUIZ_MAX_QUESTIONS);
    dh_QuizAttempt *a = dh_calloc(1, sizeof *a);
    if (!a) return dh_fail(err, DH_ENOMEM, "out of memory starting a quiz attempt");
    a->quiz = quiz;
    a->nslots = n;
    if (n > 0 && !(a->slots = dh_calloc((size_t)n, sizeof *a->slots))) {
        dh_free(a);
        return dh_fail(err, DH_ENOMEM, "out of memory starting a quiz attempt");
    }
    snprintf(a->lang, sizeof a->lang, "%s", lang ? lang : "");
    for (int s = 0, k = 0; s < quiz->nsections; s++)
        for (int i = 0; i < section_slots(&quiz->sections[s]); i++) a->slots[k++].section = s;
    *out = a;
    return DH_OK;
}

void dh_quiz_attempt_free(dh_QuizAttempt *a)
{
    if (!a) return;
    for (int i = 0; i < a->nslots; i++) {
        dh_free(a->slots[i].order);
        dh_free(a->slots[i].mem);
    }
    dh_free(a->slots);
    dh_free(a);
}

static bool shuffles_answers(const dh_Quiz *quiz, const dh_Question *q)
{
    if (q->type == DH_QUESTION_ORDERING) return true; /* FORMAT.md: items are always shown shuffled */
    return quiz->settings.shuffle_answers && q->shuffle_answers;
}

dh_Status dh_quiz_attempt_start(dh_QuizAttempt **out, const dh_Quiz *quiz, const char *lang, uint64_t seed,
                                int64_t now_ms, dh_Error *err)
{
    dh_QuizAttempt *a;
    dh_Status st = alloc_attempt(&a, quiz, lang, err);
    if (st != DH_OK) return st;
    a->seed = seed;
    a->start_ms = now_ms;
    Rng rng;
    rng_seed(&rng, seed);
    bool *used = dh_calloc((size_t)quiz->nquestions + 1, sizeof *used);
    int *cand = dh_malloc(((size_t)quiz->nquestions + 1) * sizeof *cand);
    if (!used || !cand) {
        st = dh_fail(err, DH_ENOMEM, "out of memory starting a quiz attempt");
        goto fail;
    }
    for (int s = 0; s < quiz->nsections; s++) /* fixed questions are never drawn */
        if (!quiz->sections[s].draw)
            for (int i = 0; i < quiz->sections[s].nquestions; i++) used[quiz->sections[s].questions[i]] = true;
    int k = 0;
    for (int s = 0; s < quiz->nsections; s++) {
        const dh_QuizSection *sec = &quiz->sections[s];
        int tmp[DH_QUIZ_MAX_QUESTIONS];
        if (!sec->draw) {
            for (int i = 0; i < sec->nquestions; i++) tmp[i] = sec->questions[i];
        } else {
            int nc = 0;
            for (int i = 0; i < sec->npool; i++)
                if (!used[sec->pool[i]]) cand[nc++] = sec->pool[i];
            if (nc < sec->count) {
                st = dh_fail(err, DH_EINVALID, "section %d of the quiz draws %d questions but only %d are left",
                             s + 1, sec->count, nc);
                goto fail;
            }
            for (int i = 0; i < sec->count; i++) { /* partial Fisher-Yates */
                int j = i + rng_below(&rng, nc - i), t = cand[i];
                cand[i] = cand[j], cand[j] = t;
                tmp[i] = cand[i];
                used[cand[i]] = true;
            }
        }
        int n = section_slots(sec);
        if (sec->shuffle) shuffle(&rng, tmp, n);
        for (int i = 0; i < n; i++) a->slots[k++].question = tmp[i];
    }
    for (int i = 0; i < a->nslots; i++) {
        dh_QuizSlot *sl = &a->slots[i];
        const dh_Question *q = &quiz->questions[sl->question];
        int n = order_len(q);
        if (n == 0) continue;
        if (!(sl->order = dh_malloc((size_t)n * sizeof *sl->order))) {
            st = dh_fail(err, DH_ENOMEM, "out of memory starting a quiz attempt");
            goto fail;
        }
        sl->norder = n;
        for (int j = 0; j < n; j++) sl->order[j] = j;
        if (shuffles_answers(quiz, q)) shuffle(&rng, sl->order, n);
    }
    dh_free(used);
    dh_free(cand);
    *out = a;
    return DH_OK;
fail:
    dh_free(used);
    dh_free(cand);
    dh_quiz_attempt_free(a);
    return st;
}

/* ---- grading --------------------------------------------------------------- */

static const dh_Question *slot_question(const dh_QuizAttempt *a, int slot)
{
    return &a->quiz->questions[a->slots[slot].question];
}

/* Finish a slot with the marks of its response and tries. */
static void finish_slot(dh_QuizAttempt *a, int slot)
{
    dh_QuizSlot *sl = &a->slots[slot];
    const dh_Question *q = slot_question(a, slot);
    sl->finished = true;
    if (q->type == DH_QUESTION_DESCRIPTION) {
        sl->state = DH_QSTATE_UNANSWERED, sl->fraction = sl->mark = 0;
        return;
    }
    sl->fraction = sl->answered ? dh_quiz_score(q, &sl->response, a->lang) : 0;
    sl->state = dh_quiz_state_for(sl->fraction);
    double f = sl->fraction;
    if (a->quiz->settings.behaviour == DH_BEHAVIOUR_INTERACTIVE)
        f = dh_quiz_penalized(f, dh_quiz_question_penalty(a->quiz, q), sl->tries > 0 ? sl->tries : 1);
    sl->mark = sl->answered ? f * q->points : 0;
}

static void total(dh_QuizAttempt *a)
{
    a->marks = a->max_marks = 0;
    for (int i = 0; i < a->nslots; i++) {
        a->marks += a->slots[i].mark;
        if (slot_question(a, i)->type != DH_QUESTION_DESCRIPTION) a->max_marks += slot_question(a, i)->points;
    }
    a->scaled = a->max_marks > 0 ? a->marks / a->max_marks : 0;
    if (a->scaled > 1) a->scaled = 1;
    a->passed = dh_quiz_passes(a->quiz, a->scaled);
}

void dh_quiz_attempt_submit(dh_QuizAttempt *a, int64_t now_ms)
{
    if (a->finished) return;
    bool interactive = a->quiz->settings.behaviour == DH_BEHAVIOUR_INTERACTIVE;
    for (int i = 0; i < a->nslots; i++) {
        dh_QuizSlot *sl = &a->slots[i];
        if (sl->finished) continue;
        /* Moodle's interactive "finish": an unchecked response is graded as one more try. */
        if (interactive && sl->answered && sl->state == DH_QSTATE_ANSWERED) sl->tries++;
        finish_slot(a, i);
    }
    a->finished = true;
    a->end_ms = now_ms;
    total(a);
}

int64_t dh_quiz_attempt_deadline(const dh_QuizAttempt *a)
{
    int lim = a->quiz->settings.time_limit_s;
    return lim > 0 ? a->start_ms + (int64_t)lim * 1000 : 0;
}

bool dh_quiz_attempt_tick(dh_QuizAttempt *a, int64_t now_ms)
{
    int64_t d = dh_quiz_attempt_deadline(a);
    if (a->finished || d == 0 || now_ms < d) return false;
    dh_quiz_attempt_submit(a, d);
    a->autosubmitted = true;
    return true;
}

static dh_Status usable(dh_QuizAttempt *a, int slot, int64_t now_ms, dh_Error *err)
{
    if (dh_quiz_attempt_tick(a, now_ms)) return dh_fail(err, DH_EINVAL, "the time for this attempt is up");
    if (a->finished) return dh_fail(err, DH_EINVAL, "the attempt has been submitted");
    if (slot < 0 || slot >= a->nslots) return dh_fail(err, DH_EINVAL, "question %d does not exist", slot + 1);
    if (a->quiz->settings.navigation == DH_NAVIGATION_SEQUENTIAL && slot != a->current)
        return dh_fail(err, DH_EINVAL, "questions must be answered in order");
    if (a->slots[slot].finished) return dh_fail(err, DH_EINVAL, "question %d is finished", slot + 1);
    return DH_OK;
}

dh_Status dh_quiz_attempt_goto(dh_QuizAttempt *a, int slot, dh_Error *err)
{
    if (slot < 0 || slot >= a->nslots) return dh_fail(err, DH_EINVAL, "question %d does not exist", slot + 1);
    if (a->quiz->settings.navigation == DH_NAVIGATION_SEQUENTIAL && !a->finished && slot != a->current &&
        slot != a->current + 1)
        return dh_fail(err, DH_EINVAL, "this quiz goes through its questions in order, one by one");
    a->current = slot;
    return DH_OK;
}

/* Copy r into one block owned by the slot; the old copy survives a failure. */
static dh_Status store_response(dh_QuizSlot *sl, const dh_QuizResponse *r, dh_Error *err)
{
    size_t nc = (size_t)r->nclicks * 2, ni = (size_t)r->nitems, nt = r->text ? strlen(r->text) + 1 : 0;
    size_t size = nc * sizeof(double) + ni * sizeof(int) + nt;
    char *mem = dh_malloc(size ? size : 1);
    if (!mem) return dh_fail(err, DH_ENOMEM, "out of memory saving an answer");
    dh_QuizResponse c = *r;
    char *p = mem;
    if (nc) memcpy(p, r->clicks, nc * sizeof(double)), c.clicks = (const double *)(void *)p, p += nc * sizeof(double);
    else c.clicks = NULL;
    if (ni) memcpy(p, r->items, ni * sizeof(int)), c.items = (const int *)(void *)p, p += ni * sizeof(int);
    else c.items = NULL;
    if (nt) memcpy(p, r->text, nt), c.text = p;
    else c.text = NULL;
    dh_free(sl->mem);
    sl->mem = mem;
    sl->response = c;
    sl->answered = true;
    return DH_OK;
}

dh_Status dh_quiz_attempt_answer(dh_QuizAttempt *a, int slot, const dh_QuizResponse *r, int64_t now_ms,
                                 dh_Error *err)
{
    dh_Status st = usable(a, slot, now_ms, err);
    if (st != DH_OK) return st;
    dh_QuizSlot *sl = &a->slots[slot];
    if (!r) {
        dh_free(sl->mem);
        sl->mem = NULL;
        sl->answered = false;
        sl->response = (dh_QuizResponse){.type = slot_question(a, slot)->type, .unit = -1};
        sl->state = DH_QSTATE_UNANSWERED;
        return DH_OK;
    }
    if ((st = dh_quiz_response_check(slot_question(a, slot), r, err)) != DH_OK) return st;
    if ((st = store_response(sl, r, err)) != DH_OK) return st;
    sl->state = DH_QSTATE_ANSWERED;
    return DH_OK;
}

dh_Status dh_quiz_attempt_check(dh_QuizAttempt *a, int slot, int64_t now_ms, dh_Error *err)
{
    if (a->quiz->settings.behaviour != DH_BEHAVIOUR_INTERACTIVE)
        return dh_fail(err, DH_EINVAL, "answers are checked only in interactive quizzes");
    dh_Status st = usable(a, slot, now_ms, err);
    if (st != DH_OK) return st;
    dh_QuizSlot *sl = &a->slots[slot];
    if (!sl->answered || sl->state != DH_QSTATE_ANSWERED)
        return dh_fail(err, DH_EINVAL, "question %d has no new answer to check", slot + 1);
    sl->tries++;
    sl->fraction = dh_quiz_score(slot_question(a, slot), &sl->response, a->lang);
    sl->state = dh_quiz_state_for(sl->fraction);
    if (sl->state == DH_QSTATE_RIGHT || sl->tries >= a->quiz->settings.tries) finish_slot(a, slot);
    return DH_OK;
}

bool dh_quiz_attempt_can_try(const dh_QuizAttempt *a, int slot)
{
    return !a->finished && a->quiz->settings.behaviour == DH_BEHAVIOUR_INTERACTIVE && slot >= 0 &&
           slot < a->nslots && !a->slots[slot].finished && a->slots[slot].tries < a->quiz->settings.tries;
}

const dh_Text *dh_quiz_attempt_hint(const dh_QuizAttempt *a, int slot)
{
    if (a->quiz->settings.behaviour != DH_BEHAVIOUR_INTERACTIVE || slot < 0 || slot >= a->nslots) return NULL;
    const dh_QuizSlot *sl = &a->slots[slot];
    const dh_Question *q = slot_question(a, slot);
    if (sl->finished || sl->tries == 0 || sl->tries > q->nhints) return NULL;
    return &q->hints[sl->tries - 1];
}

unsigned dh_quiz_attempt_review(const dh_QuizAttempt *a, int slot)
{
    if (a->finished) return a->quiz->settings.review_after;
    if (a->quiz->settings.behaviour != DH_BEHAVIOUR_INTERACTIVE || slot < 0 || slot >= a->nslots) return 0;
    const dh_QuizSlot *sl = &a->slots[slot];
    bool graded = sl->finished || (sl->tries > 0 && sl->state >= DH_QSTATE_WRONG);
    return graded ? a->quiz->settings.review_during & ~(unsigned)DH_REVIEW_OVERALL_FEEDBACK : 0;
}

/* ---- resume blob ------------------------------------------------------------ */

static void put_ints(dh_Buf *b, const int *v, int n)
{
    dh_buf_puts(b, "[");
    for (int i = 0; i < n; i++) dh_buf_printf(b, "%s%d", i ? "," : "", v[i]);
    dh_buf_puts(b, "]");
}

static void put_response(dh_Buf *b, const dh_QuizResponse *r)
{
    switch (r->type) {
    case DH_QUESTION_TRUEFALSE: dh_buf_puts(b, r->value ? "{\"b\":true}" : "{\"b\":false}"); break;
    case DH_QUESTION_SHORT: dh_buf_puts(b, "{\"s\":"), dh_buf_json_string(b, r->text ? r->text : ""), dh_buf_puts(b, "}"); break;
    case DH_QUESTION_NUMERIC:
        dh_buf_puts(b, "{");
        if (r->has_number) dh_buf_printf(b, "\"n\":%.17g,", r->number);
        dh_buf_printf(b, "\"u\":%d}", r->unit);
        break;
    case DH_QUESTION_HOTSPOT:
        dh_buf_puts(b, "{\"c\":[");
        for (int i = 0; i < 2 * r->nclicks; i++) dh_buf_printf(b, "%s%.17g", i ? "," : "", r->clicks[i]);
        dh_buf_puts(b, "]}");
        break;
    default: dh_buf_puts(b, "{\"i\":"), put_ints(b, r->items, r->nitems), dh_buf_puts(b, "}"); break;
    }
}

char *dh_quiz_attempt_save(const dh_QuizAttempt *a)
{
    dh_Buf b = {0};
    dh_buf_printf(&b, "{\"v\":1,\"seed\":\"%016" PRIx64 "\",\"lang\":", a->seed);
    dh_buf_json_string(&b, a->lang);
    dh_buf_printf(&b, ",\"start\":%" PRId64 ",\"cur\":%d", a->start_ms, a->current);
    if (a->finished) dh_buf_printf(&b, ",\"end\":%" PRId64 ",\"auto\":%s", a->end_ms, a->autosubmitted ? "true" : "false");
    dh_buf_puts(&b, ",\"slots\":[");
    for (int i = 0; i < a->nslots; i++) {
        const dh_QuizSlot *sl = &a->slots[i];
        dh_buf_puts(&b, i ? ",{\"q\":" : "{\"q\":");
        dh_buf_json_string(&b, slot_question(a, i)->id);
        dh_buf_puts(&b, ",\"o\":");
        put_ints(&b, sl->order, sl->norder);
        dh_buf_printf(&b, ",\"t\":%d,\"f\":%s,\"g\":%s", sl->tries, sl->finished ? "true" : "false",
             sl->state >= DH_QSTATE_WRONG ? "true" : "false");
        if (sl->answered) dh_buf_puts(&b, ",\"r\":"), put_response(&b, &sl->response);
        dh_buf_puts(&b, "}");
    }
    dh_buf_puts(&b, "]}");
    if (b.oom) {
        dh_free(b.p);
        return NULL;
    }
    return b.p;
}

/* An integer member in lo..hi; false (with err) when absent, not an
 * integer, or out of range — NaN and 1e300 included. */
static bool get_int(const cJSON *o, const char *name, double lo, double hi, double *out, dh_Error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble != floor(v->valuedouble) ||
        v->valuedouble < lo || v->valuedouble > hi) {
        dh_fail(err, DH_EFORMAT, "saved quiz attempt: '%s' is missing or not a whole number in range", name);
        return false;
    }
    *out = v->valuedouble;
    return true;
}

/* A JSON array of at most max integers in lo..hi into v; the count, or -1. */
static int get_ints(const cJSON *arr, int *v, int max, int lo, int hi)
{
    if (!cJSON_IsArray(arr)) return -1;
    int n = 0;
    for (const cJSON *e = arr->child; e; e = e->next) {
        if (n >= max || !cJSON_IsNumber(e) || e->valuedouble != floor(e->valuedouble) || e->valuedouble < lo ||
            e->valuedouble > hi)
            return -1;
        v[n++] = (int)e->valuedouble;
    }
    return n;
}

static dh_Status bad(dh_Error *err, int slot, const char *what)
{
    return dh_fail(err, DH_EFORMAT, "saved quiz attempt: question %d %s; the attempt does not fit this quiz",
                   slot + 1, what);
}

/* Whether question qi may stand in slot k's section. */
static bool fits_section(const dh_QuizSection *sec, int qi)
{
    const int *v = sec->draw ? sec->pool : sec->questions;
    int n = sec->draw ? sec->npool : sec->nquestions;
    for (int i = 0; i < n; i++)
        if (v[i] == qi) return true;
    return false;
}

static dh_Status restore_response(dh_QuizAttempt *a, int k, const cJSON *jr, dh_Error *err)
{
    const dh_Question *q = slot_question(a, k);
    int items[DH_QUIZ_MAX_ITEMS];
    double clicks[2 * DH_QUIZ_MAX_ITEMS];
    dh_QuizResponse r = {.type = q->type, .unit = -1};
    if (!cJSON_IsObject(jr)) return bad(err, k, "has a malformed answer");
    const cJSON *v;
    switch (q->type) {
    case DH_QUESTION_TRUEFALSE:
        if (!cJSON_IsBool(v = cJSON_GetObjectItemCaseSensitive(jr, "b"))) return bad(err, k, "has a malformed answer");
        r.value = cJSON_IsTrue(v);
        break;
    case DH_QUESTION_SHORT:
        if (!cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(jr, "s"))) return bad(err, k, "has a malformed answer");
        r.text = v->valuestring;
        break;
    case DH_QUESTION_NUMERIC: {
        double u;
        if (!get_int(jr, "u", -1, DH_QUIZ_MAX_ITEMS, &u, err)) return bad(err, k, "has a malformed unit");
        r.unit = (int)u;
        if ((v = cJSON_GetObjectItemCaseSensitive(jr, "n"))) {
            if (!cJSON_IsNumber(v)) return bad(err, k, "has a malformed number");
            r.has_number = true, r.number = v->valuedouble;
        }
        break;
    }
    case DH_QUESTION_HOTSPOT: {
        v = cJSON_GetObjectItemCaseSensitive(jr, "c");
        if (!cJSON_IsArray(v)) return bad(err, k, "has malformed markers");
        int n = 0;
        for (const cJSON *e = v->child; e; e = e->next) {
            if (n >= 2 * DH_QUIZ_MAX_ITEMS || !cJSON_IsNumber(e)) return bad(err, k, "has malformed markers");
            clicks[n++] = e->valuedouble;
        }
        if (n % 2) return bad(err, k, "has malformed markers");
        r.clicks = clicks, r.nclicks = n / 2;
        break;
    }
    default: {
        int n = get_ints(cJSON_GetObjectItemCaseSensitive(jr, "i"), items, DH_QUIZ_MAX_ITEMS, -1, DH_QUIZ_MAX_ITEMS);
        if (n < 0) return bad(err, k, "has a malformed answer");
        r.items = items, r.nitems = n;
        break;
    }
    }
    dh_Error why;
    dh_error_clear(&why);
    if (dh_quiz_response_check(q, &r, &why) != DH_OK)
        return dh_fail(err, DH_EFORMAT, "saved quiz attempt: %s; the attempt does not fit this quiz", why.msg);
    return store_response(&a->slots[k], &r, err);
}

static dh_Status restore_slot(dh_QuizAttempt *a, int k, const cJSON *js, bool *seen, dh_Error *err)
{
    dh_QuizSlot *sl = &a->slots[k];
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(js, "q");
    if (!cJSON_IsObject(js) || !cJSON_IsString(id)) return bad(err, k, "is malformed");
    int qi = dh_quiz_question_index(a->quiz, id->valuestring);
    if (qi < 0) return bad(err, k, "names a question the quiz does not have");
    if (seen[qi]) return bad(err, k, "repeats an earlier question");
    if (!fits_section(&a->quiz->sections[sl->section], qi)) return bad(err, k, "is not one its section can ask");
    seen[qi] = true;
    sl->question = qi;
    const dh_Question *q = slot_question(a, k);
    int n = order_len(q), order[DH_QUIZ_MAX_ITEMS];
    bool in[DH_QUIZ_MAX_ITEMS] = {false};
    if (get_ints(cJSON_GetObjectItemCaseSensitive(js, "o"), order, DH_QUIZ_MAX_ITEMS, 0, n - 1) != n)
        return bad(err, k, "has an answer order of the wrong size");
    for (int i = 0; i < n; i++) {
        if (in[order[i]]) return bad(err, k, "has an answer order that repeats an entry");
        in[order[i]] = true;
    }
    if (n > 0) {
        if (!(sl->order = dh_malloc((size_t)n * sizeof *sl->order)))
            return dh_fail(err, DH_ENOMEM, "out of memory restoring a quiz attempt");
        memcpy(sl->order, order, (size_t)n * sizeof *order);
        sl->norder = n;
    }
    double t;
    if (!get_int(js, "t", 0, a->quiz->settings.tries, &t, err)) return bad(err, k, "has a bad number of tries");
    sl->tries = (int)t;
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(js, "f"), *g = cJSON_GetObjectItemCaseSensitive(js, "g");
    if (!cJSON_IsBool(f) || !cJSON_IsBool(g)) return bad(err, k, "is malformed");
    const cJSON *jr = cJSON_GetObjectItemCaseSensitive(js, "r");
    if (jr) {
        if (q->type == DH_QUESTION_DESCRIPTION) return bad(err, k, "answers a description");
        dh_Status st = restore_response(a, k, jr, err);
        if (st != DH_OK) return st;
        sl->state = DH_QSTATE_ANSWERED;
    }
    if (cJSON_IsTrue(f)) {
        finish_slot(a, k);
    } else if (cJSON_IsTrue(g) && sl->answered && sl->tries > 0) { /* a wrong try on show */
        sl->fraction = dh_quiz_score(q, &sl->response, a->lang);
        sl->state = dh_quiz_state_for(sl->fraction);
    }
    return DH_OK;
}

dh_Status dh_quiz_attempt_restore(dh_QuizAttempt **out, const dh_Quiz *quiz, const char *blob, size_t len,
                                  dh_Error *err)
{
    *out = NULL;
    long failures = dh_alloc_failures();
    cJSON *root = cJSON_ParseWithLength(blob, len);
    if (!root) {
        if (dh_alloc_failures() != failures) return dh_fail(err, DH_ENOMEM, "out of memory restoring a quiz attempt");
        return dh_fail(err, DH_EFORMAT, "saved quiz attempt: not valid JSON (damaged or cut short)");
    }
    dh_QuizAttempt *a = NULL;
    dh_Status st = DH_OK;
    bool *seen = NULL;
    double v, start, cur, end = 0;
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(root, "seed");
    const cJSON *lang = cJSON_GetObjectItemCaseSensitive(root, "lang");
    const cJSON *slots = cJSON_GetObjectItemCaseSensitive(root, "slots");
    const cJSON *jend = cJSON_GetObjectItemCaseSensitive(root, "end");
    bool bad_seed = false;
    if (!cJSON_IsObject(root) || !get_int(root, "v", 1, 1, &v, err)) {
        st = dh_fail(err, DH_EFORMAT, "saved quiz attempt: not an attempt of a known version");
        goto done;
    }
    if (!cJSON_IsString(seed) || strlen(seed->valuestring) != 16 || !cJSON_IsString(lang) ||
        strlen(lang->valuestring) >= DH_QUIZ_LANG_MAX || !cJSON_IsArray(slots)) {
        st = dh_fail(err, DH_EFORMAT, "saved quiz attempt: seed, language or questions are missing or malformed");
        goto done;
    }
    uint64_t sv = 0;
    for (const char *h = seed->valuestring; *h; h++) {
        int d = *h >= '0' && *h <= '9' ? *h - '0' : *h >= 'a' && *h <= 'f' ? *h - 'a' + 10 : -1;
        if (d < 0) bad_seed = true;
        sv = sv << 4 | (uint64_t)(d & 15);
    }
    if (bad_seed) {
        st = dh_fail(err, DH_EFORMAT, "saved quiz attempt: the seed is not 16 hexadecimal digits");
        goto done;
    }
    if (!get_int(root, "start", 0, 9007199254740992.0, &start, err) ||
        (jend && !get_int(root, "end", 0, 9007199254740992.0, &end, err))) {
        st = DH_EFORMAT;
        goto done;
    }
    if ((st = alloc_attempt(&a, quiz, lang->valuestring, err)) != DH_OK) goto done;
    if (cJSON_GetArraySize(slots) != a->nslots) {
        st = dh_fail(err, DH_EFORMAT, "saved quiz attempt: it has %d questions but this quiz asks %d",
                     cJSON_GetArraySize(slots), a->nslots);
        goto done;
    }
    if (!get_int(root, "cur", 0, a->nslots > 0 ? a->nslots - 1 : 0, &cur, err)) {
        st = DH_EFORMAT;
        goto done;
    }
    a->seed = sv, a->start_ms = (int64_t)start, a->current = (int)cur;
    if (!(seen = dh_calloc((size_t)quiz->nquestions + 1, sizeof *seen))) {
        st = dh_fail(err, DH_ENOMEM, "out of memory restoring a quiz attempt");
        goto done;
    }
    int k = 0;
    for (const cJSON *js = slots->child; js; js = js->next, k++)
        if ((st = restore_slot(a, k, js, seen, err)) != DH_OK) goto done;
    if (jend) {
        const cJSON *au = cJSON_GetObjectItemCaseSensitive(root, "auto");
        dh_quiz_attempt_submit(a, (int64_t)end);
        a->autosubmitted = cJSON_IsTrue(au);
    }
done:
    dh_free(seen);
    cJSON_Delete(root);
    if (st != DH_OK) {
        dh_quiz_attempt_free(a);
        return st;
    }
    *out = a;
    return DH_OK;
}
