/* fuzz_quiz_attempt: a quiz file and a trainee's session in one input.
 *
 * The bytes up to the first 0 (or all of them) are a quiz file; if it parses
 * without errors, the rest is a script that plays an attempt: answers built
 * for each slot's question type (mostly plausible, sometimes out of range,
 * non-finite or of the wrong type), navigation, interactive checks, hints,
 * the clock and submit. The attempt is then saved and restored, and a
 * byte-mutated copy of the blob is restored too, because resume blobs come
 * from a database that may be damaged. Nothing may crash, leak or trap.
 */
#include "alloc.h"
#include "arena.h"
#include "diag.h"
#include "json.h"
#include "load.h"
#include "quiz.h"
#include "quiz_engine.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OPS 500     /* keeps one input fast whatever its length */
#define MAX_CLICKS 64
#define TEXT_MAX 48     /* typed text taken from the script */

typedef struct Script {
    const uint8_t *p;
    size_t n;
} Script;

/* Past the end the script reads zeros, so every op is complete. */
static uint8_t byte_of(Script *s)
{
    if (!s->n) return 0;
    s->n--;
    return *s->p++;
}

static uint32_t u16_of(Script *s)
{
    uint32_t hi = byte_of(s);
    return hi << 8 | byte_of(s);
}

static uint64_t u64_of(Script *s)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | byte_of(s);
    return v;
}

/* An index in -1..n, mostly inside 0..n-1: the engine must refuse the rest. */
static int index_of(Script *s, int n)
{
    return (int)(byte_of(s) % (unsigned)(n + 2)) - 1;
}

/* A double that is usually ordinary and sometimes anything (NaN, inf). */
static double number_of(Script *s, double scale)
{
    uint8_t mode = byte_of(s);
    if (mode % 8 == 0) {
        uint64_t bits = u64_of(s);
        double d;
        memcpy(&d, &bits, sizeof d);
        return d;
    }
    return (double)u16_of(s) * scale / 65535.0 - (mode % 8 == 1 ? scale / 2 : 0);
}

/* Scratch the response points into; valid until the next build. */
typedef struct Scratch {
    int items[DH_QUIZ_MAX_ITEMS + 2];
    double clicks[2 * MAX_CLICKS];
    char text[DH_QUIZ_MAX_TEXT + 2];
} Scratch;

static void fill_items(Script *s, Scratch *sc, dh_QuizResponse *r, int count, int range)
{
    if (count > DH_QUIZ_MAX_ITEMS + 2) count = DH_QUIZ_MAX_ITEMS + 2;
    for (int i = 0; i < count; i++) sc->items[i] = index_of(s, range);
    r->items = sc->items;
    r->nitems = count;
}

/* A permutation of 0..n-1 shuffled by the script, so ordering answers are
 * well formed often enough to reach the scoring code. */
static void fill_permutation(Script *s, Scratch *sc, dh_QuizResponse *r, int n)
{
    if (n > DH_QUIZ_MAX_ITEMS + 2) n = DH_QUIZ_MAX_ITEMS + 2;
    for (int i = 0; i < n; i++) sc->items[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(byte_of(s) % (unsigned)(i + 1));
        int t = sc->items[i];
        sc->items[i] = sc->items[j];
        sc->items[j] = t;
    }
    r->items = sc->items;
    r->nitems = n;
}

static void fill_text(Script *s, Scratch *sc, dh_QuizResponse *r)
{
    uint8_t mode = byte_of(s);
    size_t len;
    if (mode % 16 == 0) {
        /* Just over the limit: the engine must refuse it, not truncate it. */
        len = DH_QUIZ_MAX_TEXT + 1;
        memset(sc->text, 'a', len);
    } else {
        len = mode % TEXT_MAX;
        for (size_t i = 0; i < len; i++) {
            uint8_t b = byte_of(s);
            sc->text[i] = (char)(b ? b : ' ');
        }
    }
    sc->text[len] = '\0';
    r->text = sc->text;
}

/* A response to q, of q's type unless the script asks for a mismatch. */
static dh_QuizResponse build_response(Script *s, Scratch *sc, const dh_Question *q)
{
    dh_QuizResponse r = {.type = q->type, .unit = -1};
    uint8_t shape = byte_of(s);
    if (shape % 32 == 0) r.type = (dh_QuestionType)(byte_of(s) % (DH_QUESTION_DESCRIPTION + 1));
    bool plausible = shape % 4 != 1;
    switch (r.type) {
    case DH_QUESTION_SINGLE:
    case DH_QUESTION_MULTIPLE: {
        int n = r.type == q->type ? q->u.choice.nchoices : 4;
        int count = plausible ? (r.type == DH_QUESTION_SINGLE ? byte_of(s) % 2 : byte_of(s) % (n + 1))
                              : byte_of(s) % (n + 3);
        fill_items(s, sc, &r, count, n);
        break;
    }
    case DH_QUESTION_HOTTEXT: {
        int n = r.type == q->type ? q->u.choice.nspans : 4;
        fill_items(s, sc, &r, byte_of(s) % (n + (plausible ? 1 : 3)), n);
        break;
    }
    case DH_QUESTION_ORDERING: {
        int n = r.type == q->type ? q->u.ordering.nitems : 4;
        if (plausible) fill_permutation(s, sc, &r, n);
        else fill_items(s, sc, &r, byte_of(s) % (n + 3), n);
        break;
    }
    case DH_QUESTION_MATCHING: {
        int np = r.type == q->type ? q->u.matching.nprompts : 3;
        int na = r.type == q->type ? q->u.matching.nanswers : 3;
        fill_items(s, sc, &r, plausible ? np : byte_of(s) % (np + 3), na);
        break;
    }
    case DH_QUESTION_GAPSELECT: {
        int ng = r.type == q->type ? q->u.gapselect.ngaps : 3;
        int nc = r.type == q->type ? q->u.gapselect.nchoices : 3;
        fill_items(s, sc, &r, plausible ? ng : byte_of(s) % (ng + 3), nc);
        break;
    }
    case DH_QUESTION_TRUEFALSE:
        r.value = byte_of(s) & 1;
        break;
    case DH_QUESTION_SHORT:
        fill_text(s, sc, &r);
        break;
    case DH_QUESTION_NUMERIC: {
        int nu = r.type == q->type ? q->u.numeric.nunits : 2;
        r.has_number = byte_of(s) % 8 != 0;
        r.number = number_of(s, 2000.0);
        r.unit = index_of(s, nu);
        break;
    }
    case DH_QUESTION_HOTSPOT: {
        bool same = r.type == q->type;
        double w = same ? q->u.hotspot.width : 100, h = same ? q->u.hotspot.height : 100;
        int maxc = same ? q->u.hotspot.max_clicks : 2;
        int count = byte_of(s) % (maxc + (plausible ? 1 : 3));
        if (count > MAX_CLICKS) count = MAX_CLICKS;
        for (int i = 0; i < count; i++) {
            sc->clicks[2 * i] = plausible ? (double)u16_of(s) * w / 65535.0 : number_of(s, 2 * w);
            sc->clicks[2 * i + 1] = plausible ? (double)u16_of(s) * h / 65535.0 : number_of(s, 2 * h);
        }
        r.clicks = sc->clicks;
        r.nclicks = count;
        break;
    }
    case DH_QUESTION_DESCRIPTION:
        break;
    }
    return r;
}

/* Everything a screen would read from an attempt, to run the read paths
 * over whatever state the script (or a restored blob) left. */
static void look_at(const dh_QuizAttempt *a)
{
    const char *lang = a->lang;
    for (int i = 0; i < a->nslots; i++) {
        const dh_QuizSlot *sl = &a->slots[i];
        (void)dh_quiz_attempt_hint(a, i);
        (void)dh_quiz_attempt_can_try(a, i);
        (void)dh_quiz_attempt_review(a, i);
        if (!sl->answered) continue;
        const dh_Question *q = &a->quiz->questions[sl->question];
        const dh_Text *texts[8];
        int items[DH_QUIZ_MAX_ITEMS];
        dh_XapiResponse x;
        (void)dh_quiz_score(q, &sl->response, lang);
        (void)dh_quiz_response_feedback(q, &sl->response, lang, texts, 8);
        dh_quiz_response_xapi(q, &sl->response, items, &x);
    }
    (void)dh_quiz_attempt_deadline(a);
    if (a->finished) (void)dh_quiz_overall_feedback(a->quiz, a->scaled);
}

/* Restore blob and, if it is accepted, use the attempt: a damaged blob
 * that restores must still be a state the engine can run. */
static void restore_and_use(const dh_Quiz *quiz, const char *blob, size_t len, int64_t now_ms)
{
    dh_QuizAttempt *b = NULL;
    dh_Error err = {0};
    if (dh_quiz_attempt_restore(&b, quiz, blob, len, &err) != DH_OK) return;
    look_at(b);
    char *again = dh_quiz_attempt_save(b);
    dh_free(again);
    for (int i = 0; i < b->nslots; i++) {
        (void)dh_quiz_attempt_goto(b, i, &err);
        (void)dh_quiz_attempt_check(b, i, now_ms, &err);
    }
    dh_quiz_attempt_submit(b, now_ms);
    look_at(b);
    dh_quiz_attempt_free(b);
}

static void play(const dh_Quiz *quiz, Script *s)
{
    static const char *const langs[] = {"en", "th", "en-GB"};
    uint64_t seed = u64_of(s);
    const char *lang = langs[byte_of(s) % 3];
    int64_t now = 1700000000000 + (int64_t)u16_of(s);
    dh_QuizAttempt *a = NULL;
    dh_Error err = {0};
    if (dh_quiz_attempt_start(&a, quiz, lang, seed, now, &err) != DH_OK) return;

    Scratch sc;
    for (int ops = 0; s->n > 0 && ops < MAX_OPS; ops++) {
        uint8_t op = byte_of(s);
        int slot = index_of(s, a->nslots);
        switch (op % 8) {
        case 0:
        case 1:
        case 2: {
            /* Answers weigh most: they are what reaches the scoring code. */
            const dh_Question *q = slot >= 0 && slot < a->nslots ? &quiz->questions[a->slots[slot].question]
                                                                 : &quiz->questions[0];
            dh_QuizResponse r = build_response(s, &sc, q);
            (void)dh_quiz_attempt_answer(a, slot, &r, now, &err);
            break;
        }
        case 3:
            (void)dh_quiz_attempt_answer(a, slot, NULL, now, &err);
            break;
        case 4:
            (void)dh_quiz_attempt_goto(a, slot, &err);
            break;
        case 5:
            (void)dh_quiz_attempt_check(a, slot, now, &err);
            (void)dh_quiz_attempt_hint(a, slot);
            (void)dh_quiz_attempt_can_try(a, slot);
            (void)dh_quiz_attempt_review(a, slot);
            break;
        case 6: {
            /* Time moves on by up to ~18 hours, in seconds or milliseconds. */
            uint32_t d = u16_of(s);
            now += op & 0x80 ? (int64_t)d * 1000 : (int64_t)d;
            (void)dh_quiz_attempt_tick(a, now);
            break;
        }
        case 7:
            if (op & 0x80) dh_quiz_attempt_submit(a, now);
            else look_at(a);
            break;
        }
    }
    look_at(a);

    char *blob = dh_quiz_attempt_save(a);
    if (blob) {
        size_t len = strlen(blob);
        restore_and_use(quiz, blob, len, now);
        /* A damaged copy: a few bytes changed, then maybe cut short. */
        char *bad = dh_malloc(len + 1);
        if (bad) {
            memcpy(bad, blob, len + 1);
            size_t badlen = len;
            int nmut = 1 + byte_of(s) % 4;
            for (int i = 0; i < nmut && len > 0; i++) {
                size_t at = u16_of(s) % len;
                bad[at] = (char)byte_of(s);
            }
            uint8_t cut = byte_of(s);
            if (cut % 4 == 0 && len > 0) badlen = u16_of(s) % len;
            restore_and_use(quiz, bad, badlen, now);
            dh_free(bad);
        }
        dh_free(blob);
    }
    dh_quiz_attempt_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const langs[] = {"en", "th"};
    const uint8_t *zero = memchr(data, 0, size);
    size_t jlen = zero ? (size_t)(zero - data) : size;
    Script script = {zero ? zero + 1 : data + size, zero ? size - jlen - 1 : 0};

    dh_Json doc;
    dh_Diags d;
    dh_diags_init(&d);
    if (dh_json_parse(&doc, "fuzz.json", (const char *)data, jlen, &d) == DH_OK) {
        dh_Arena arena;
        dh_arena_init(&arena);
        dh_LoadCtx c = {&arena, &d, &doc, NULL, langs, 2, false};
        dh_Quiz *quiz = NULL;
        if (dh_quiz_parse(&c, doc.root, &quiz) == DH_OK && quiz && d.errors == 0 && !d.oom &&
            quiz->nquestions > 0)
            play(quiz, &script);
        dh_arena_free(&arena);
    }
    dh_json_free(&doc);
    dh_diags_free(&d);
    return 0;
}
