/* test_quiz_engine: Moodle's scoring, the attempt state machine and resume.
 *
 * Scoring tests use hand-computed Moodle results (the ordering examples are
 * worked out in comments), attempt tests use fixed seeds and an injected
 * clock, and the sample course's real quiz checks draws by tag. Resume
 * blobs are round-tripped byte for byte and then damaged every way a
 * database can damage them; the allocation loop fails each allocation of
 * start + answer + save + restore in turn (run it under the asan preset).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "package.h"
#include "quiz_engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Fx {
    dh_Arena arena;
    dh_Diags diags;
    dh_Json doc;
    dh_LoadCtx c;
    dh_Quiz *quiz;
} Fx;

static const char *const en[] = {"en"};

/* Parse a quiz from text; single quotes stand for double quotes when sq. */
static void load_text(Fx *f, const char *name, const char *src, bool sq)
{
    size_t n = strlen(src);
    char *text = malloc(n + 1);
    assert_non_null(text);
    for (size_t i = 0; i <= n; i++) text[i] = sq && src[i] == '\'' ? '"' : src[i];
    memset(f, 0, sizeof *f);
    dh_arena_init(&f->arena);
    dh_diags_init(&f->diags);
    dh_Status st = dh_json_parse(&f->doc, name, text, n, &f->diags);
    free(text);
    assert_int_equal(st, DH_OK);
    f->c = (dh_LoadCtx){&f->arena, &f->diags, &f->doc, NULL, en, 1, false};
    assert_int_equal(dh_quiz_parse(&f->c, f->doc.root, &f->quiz), DH_OK);
    assert_non_null(f->quiz);
    for (int i = 0; i < f->diags.count; i++)
        if (f->diags.items[i].severity == DH_ERROR)
            fail_msg("%d:%d: %s", f->diags.items[i].line, f->diags.items[i].col, f->diags.items[i].msg);
}

static void load(Fx *f, const char *src) { load_text(f, "quizzes/q.json", src, true); }

static void load_sample(Fx *f)
{
    FILE *fp = fopen(DH_SOURCE_DIR "/courses/awareness-essentials/quizzes/check.json", "rb");
    assert_non_null(fp);
    static char buf[1 << 17];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    load_text(f, "quizzes/check.json", buf, false);
}

static void unload(Fx *f)
{
    dh_json_free(&f->doc);
    dh_diags_free(&f->diags);
    dh_arena_free(&f->arena);
}

static const dh_Question *Q(const Fx *f, const char *id)
{
    int i = dh_quiz_question_index(f->quiz, id);
    if (i < 0) fail_msg("no question %s", id);
    return &f->quiz->questions[i];
}

static double score_items(const dh_Question *q, const int *items, int n)
{
    dh_QuizResponse r = {.type = q->type, .items = items, .nitems = n, .unit = -1};
    assert_int_equal(dh_quiz_response_check(q, &r, NULL), DH_OK);
    return dh_quiz_score(q, &r, "en");
}

static double score_text(const dh_Question *q, const char *text)
{
    dh_QuizResponse r = {.type = q->type, .text = text, .unit = -1};
    assert_int_equal(dh_quiz_response_check(q, &r, NULL), DH_OK);
    return dh_quiz_score(q, &r, "en");
}

static double score_number(const dh_Question *q, double v, int unit)
{
    dh_QuizResponse r = {.type = q->type, .has_number = true, .number = v, .unit = unit};
    assert_int_equal(dh_quiz_response_check(q, &r, NULL), DH_OK);
    return dh_quiz_score(q, &r, "en");
}

static double score_clicks(const dh_Question *q, const double *xy, int n)
{
    dh_QuizResponse r = {.type = q->type, .clicks = xy, .nclicks = n, .unit = -1};
    assert_int_equal(dh_quiz_response_check(q, &r, NULL), DH_OK);
    return dh_quiz_score(q, &r, "en");
}

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

static const char *const every_type =
    "{'settings': {'behaviour': 'deferred', 'pass': 0.5},"
    " 'questions': ["
    "  {'id': 's1', 'type': 'single', 'text': 't', 'answers': ["
    "    {'id': 'a', 'text': 'A', 'fraction': 1, 'feedback': 'fa'}, {'id': 'b', 'text': 'B', 'fraction': 0.5},"
    "    {'id': 'c', 'text': 'C', 'fraction': -0.5, 'feedback': 'fc'}]},"
    "  {'id': 'm1', 'type': 'multiple', 'text': 't', 'answers': ["
    "    {'id': 'a', 'text': 'A', 'fraction': 0.5}, {'id': 'b', 'text': 'B', 'fraction': 0.5},"
    "    {'id': 'c', 'text': 'C', 'fraction': -1}, {'id': 'd', 'text': 'D', 'fraction': -0.25}]},"
    "  {'id': 'tf', 'type': 'truefalse', 'text': 't', 'correct': false, 'feedback_true': 'no'},"
    "  {'id': 'sh', 'type': 'short', 'text': 't', 'answers': ["
    "    {'pattern': 'pay-check.net', 'fraction': 1},"
    "    {'pattern': 'a\\\\*b*', 'fraction': 0.3},"
    "    {'pattern': '\\u00c9COLE*', 'fraction': 0.7},"
    "    {'pattern': '*pay-check*', 'fraction': 0.5, 'feedback': 'partly'},"
    "    {'pattern': '*', 'fraction': 0, 'feedback': 'other'}]},"
    "  {'id': 'sc', 'type': 'short', 'text': 't', 'case_sensitive': true, 'answers': ["
    "    {'pattern': 'Ab*', 'fraction': 1}]},"
    "  {'id': 'nu', 'type': 'numeric', 'text': 't', 'answers': ["
    "    {'value': 15, 'tolerance': 0.5, 'fraction': 1, 'feedback': 'exact'},"
    "    {'value': 15, 'tolerance': 2, 'fraction': 0.5},"
    "    {'value': 0.3, 'fraction': 0.8}],"
    "   'units': [{'unit': 'chars'}, {'unit': 'k', 'multiplier': 0.001}],"
    "   'unit_required': true, 'unit_penalty': 0.2},"
    "  {'id': 'ma', 'type': 'matching', 'text': 't', 'prompts': ["
    "    {'id': 'p1', 'text': 'P1', 'answer': 'x'}, {'id': 'p2', 'text': 'P2', 'answer': 'y'},"
    "    {'id': 'p3', 'text': 'P3', 'answer': 'x'}],"
    "   'answers': [{'id': 'x', 'text': 'X'}, {'id': 'y', 'text': 'Y'}, {'id': 'z', 'text': 'Z'}]},"
    "  {'id': 'or', 'type': 'ordering', 'text': 't', 'grading': 'all_or_nothing', 'items': ["
    "    {'id': 'a', 'text': 'A'}, {'id': 'b', 'text': 'B'}, {'id': 'c', 'text': 'C'},"
    "    {'id': 'd', 'text': 'D'}, {'id': 'e', 'text': 'E'}]},"
    "  {'id': 'gs', 'type': 'gapselect', 'text': 'A [[1]] B [[3]] C [[2]]', 'choices': ["
    "    {'text': 'c1'}, {'text': 'c2', 'group': 2}, {'text': 'c3'}, {'text': 'c4', 'group': 2}]},"
    "  {'id': 'ht', 'type': 'hottext', 'text': '{{a:one}} {{b:two}} {{c:three}} {{d:four}}', 'answers': ["
    "    {'id': 'a', 'fraction': 0.6, 'feedback': 'fa'}, {'id': 'b', 'fraction': 0.4},"
    "    {'id': 'c', 'fraction': -0.5, 'feedback': 'fc'}]},"
    "  {'id': 'hs', 'type': 'hotspot', 'text': 't', 'image': 'assets/x.png', 'alt': 'x',"
    "   'width': 100, 'height': 100, 'max_clicks': 4, 'regions': ["
    "    {'id': 'r', 'rect': [0, 0, 10, 10], 'fraction': 0.5, 'feedback': 'fr'},"
    "    {'id': 'c', 'circle': [50, 50, 10], 'fraction': 0.5},"
    "    {'id': 'p', 'polygon': [[80, 80], [100, 80], [90, 100]], 'fraction': -0.5}]},"
    "  {'id': 'de', 'type': 'description', 'text': 'Read this.'}"
    " ],"
    " 'overall_feedback': [{'min': 0.8, 'text': 'great'}, {'min': 0.4, 'text': 'ok'}]}";

static void test_choice_scoring(void **state)
{
    (void)state;
    Fx f;
    load(&f, every_type);
    const dh_Question *s = Q(&f, "s1"), *m = Q(&f, "m1"), *tf = Q(&f, "tf");
    NEAR(score_items(s, (int[]){0}, 1), 1);
    NEAR(score_items(s, (int[]){1}, 1), 0.5);
    NEAR(score_items(s, (int[]){2}, 1), 0); /* negative fraction: never below 0 */
    NEAR(score_items(s, NULL, 0), 0);
    assert_int_equal(dh_quiz_response_check(s, &(dh_QuizResponse){.type = DH_QUESTION_SINGLE, .items = (int[]){0, 1}, .nitems = 2}, NULL), DH_EINVAL);
    NEAR(score_items(m, (int[]){0, 1}, 2), 1);
    NEAR(score_items(m, (int[]){0}, 1), 0.5);
    NEAR(score_items(m, (int[]){0, 1, 3}, 3), 0.75); /* 0.5 + 0.5 - 0.25 */
    NEAR(score_items(m, (int[]){0, 2}, 2), 0);       /* 0.5 - 1 clamped to 0 */
    NEAR(score_items(m, (int[]){0, 1, 2, 3}, 4), 0); /* ticking everything does not pay */
    dh_QuizResponse dup = {.type = DH_QUESTION_MULTIPLE, .items = (int[]){0, 0}, .nitems = 2};
    assert_int_equal(dh_quiz_response_check(m, &dup, NULL), DH_EINVAL);
    dh_QuizResponse t = {.type = DH_QUESTION_TRUEFALSE, .value = false};
    NEAR(dh_quiz_score(tf, &t, "en"), 1);
    t.value = true;
    NEAR(dh_quiz_score(tf, &t, "en"), 0);
    const dh_Text *fb[4];
    assert_int_equal(dh_quiz_response_feedback(tf, &t, "en", fb, 4), 1);
    assert_string_equal(dh_text_get(fb[0], "en", "en"), "no");
    dh_QuizResponse sr = {.type = DH_QUESTION_SINGLE, .items = (int[]){2}, .nitems = 1};
    assert_int_equal(dh_quiz_response_feedback(s, &sr, "en", fb, 4), 1);
    assert_string_equal(dh_text_get(fb[0], "en", "en"), "fc");
    /* Wrong type is a caller bug reported as an error. */
    assert_int_equal(dh_quiz_response_check(tf, &sr, NULL), DH_EINVAL);
    assert_int_equal(dh_quiz_state_for(0), DH_QSTATE_WRONG);
    assert_int_equal(dh_quiz_state_for(0.5), DH_QSTATE_PARTIAL);
    assert_int_equal(dh_quiz_state_for(1), DH_QSTATE_RIGHT);
    unload(&f);
}

static void test_short_scoring(void **state)
{
    (void)state;
    Fx f;
    load(&f, every_type);
    const dh_Question *q = Q(&f, "sh"), *cs = Q(&f, "sc");
    NEAR(score_text(q, "pay-check.net"), 1);
    NEAR(score_text(q, "  PAY-Check.NET \t"), 1);    /* trimmed, case folded */
    NEAR(score_text(q, "www.pay-check.net"), 0.5);   /* first match in order: the wildcard one */
    NEAR(score_text(q, "a*b and more"), 0.3);        /* \* is a literal star */
    NEAR(score_text(q, "axb"), 0);                   /* ... not a wildcard: falls to '*' */
    NEAR(score_text(q, "\xc3\xa9" "cole normale"), 0.7); /* Unicode case folding: "École" */
    NEAR(score_text(q, "   "), 0);                   /* empty is no answer */
    NEAR(score_text(cs, "Abc"), 1);
    NEAR(score_text(cs, "abc"), 0);                  /* case-sensitive */
    NEAR(score_text(cs, "Ab"), 1);                   /* '*' also matches nothing */
    const dh_Text *fb[2];
    dh_QuizResponse r = {.type = DH_QUESTION_SHORT, .text = "nonsense", .unit = -1};
    assert_int_equal(dh_quiz_response_feedback(q, &r, "en", fb, 2), 1);
    assert_string_equal(dh_text_get(fb[0], "en", "en"), "other");
    char big[DH_QUIZ_MAX_TEXT + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    r.text = big;
    assert_int_equal(dh_quiz_response_check(q, &r, NULL), DH_EINVAL);
    unload(&f);
}

static void test_numeric_scoring(void **state)
{
    (void)state;
    Fx f;
    load(&f, every_type);
    const dh_Question *q = Q(&f, "nu");
    NEAR(score_number(q, 15, 0), 1);
    NEAR(score_number(q, 15.5, 0), 1);   /* tolerance edge is inside */
    NEAR(score_number(q, 14.5, 0), 1);
    NEAR(score_number(q, 15.6, 0), 0.5); /* first accepting answer: the wider one */
    NEAR(score_number(q, 17, 0), 0.5);
    NEAR(score_number(q, 17.01, 0), 0);
    NEAR(score_number(q, 0.1 + 0.2, 0), 0.8); /* float noise is not an error */
    NEAR(score_number(q, 0.015, 1), 1);       /* 0.015 k = 15 chars */
    NEAR(score_number(q, 15, -1), 0.8);       /* unit required: lose 20% of the marks */
    dh_QuizResponse none = {.type = DH_QUESTION_NUMERIC, .unit = 0};
    NEAR(dh_quiz_score(q, &none, "en"), 0);
    dh_QuizResponse bad = {.type = DH_QUESTION_NUMERIC, .has_number = true, .number = INFINITY, .unit = 0};
    assert_int_equal(dh_quiz_response_check(q, &bad, NULL), DH_EINVAL);
    bad.number = 1, bad.unit = 2;
    assert_int_equal(dh_quiz_response_check(q, &bad, NULL), DH_EINVAL);
    dh_QuizResponse k = {.type = DH_QUESTION_NUMERIC, .has_number = true, .number = 0.015, .unit = 1};
    dh_XapiResponse x;
    int scratch[DH_QUIZ_MAX_ITEMS];
    dh_quiz_response_xapi(q, &k, scratch, &x);
    assert_true(x.has_number);
    NEAR(x.number, 15);
    unload(&f);
}

static void test_matching_gapselect(void **state)
{
    (void)state;
    Fx f;
    load(&f, every_type);
    const dh_Question *m = Q(&f, "ma"), *g = Q(&f, "gs");
    NEAR(score_items(m, (int[]){0, 1, 0}, 3), 1);
    NEAR(score_items(m, (int[]){0, 2, 0}, 3), 2.0 / 3); /* the distractor z is wrong */
    NEAR(score_items(m, (int[]){-1, -1, -1}, 3), 0);
    dh_QuizResponse short_r = {.type = DH_QUESTION_MATCHING, .items = (int[]){0, 1}, .nitems = 2};
    assert_int_equal(dh_quiz_response_check(m, &short_r, NULL), DH_EINVAL);
    /* Gaps: [[1]] [[3]] [[2]] -> correct choices 0, 2, 1. */
    NEAR(score_items(g, (int[]){0, 2, 1}, 3), 1);
    NEAR(score_items(g, (int[]){2, 0, 1}, 3), 1.0 / 3);
    NEAR(score_items(g, (int[]){0, -1, 3}, 3), 1.0 / 3);
    dh_QuizResponse cross = {.type = DH_QUESTION_GAPSELECT, .items = (int[]){1, 2, 1}, .nitems = 3};
    assert_int_equal(dh_quiz_response_check(g, &cross, NULL), DH_EINVAL); /* c2 is not in gap 1's group */
    unload(&f);
}

static double ordering(const dh_Question *orig, dh_OrderingGrading gr, const int *order)
{
    dh_Question q = *orig;
    q.u.ordering.grading = gr;
    return score_items(&q, order, q.u.ordering.nitems);
}

static void test_ordering_modes(void **state)
{
    (void)state;
    Fx f;
    load(&f, every_type);
    const dh_Question *q = Q(&f, "or");
    /* Correct: A B C D E. Shown: B C D A E. */
    const int bcdae[] = {1, 2, 3, 0, 4};
    NEAR(ordering(q, DH_ORDERING_ALL_OR_NOTHING, bcdae), 0);
    NEAR(ordering(q, DH_ORDERING_ALL_OR_NOTHING, (int[]){0, 1, 2, 3, 4}), 1);
    NEAR(ordering(q, DH_ORDERING_ABSOLUTE_POSITION, bcdae), 1.0 / 5);          /* only E in place */
    NEAR(ordering(q, DH_ORDERING_LONGEST_CONTIGUOUS_SUBSET, bcdae), 3.0 / 5);  /* B C D */
    NEAR(ordering(q, DH_ORDERING_LONGEST_ORDERED_SUBSET, bcdae), 4.0 / 5);     /* B C D E */
    NEAR(ordering(q, DH_ORDERING_RELATIVE_NEXT_EXCLUDE_LAST, bcdae), 2.0 / 4); /* B>C, C>D */
    NEAR(ordering(q, DH_ORDERING_RELATIVE_NEXT_INCLUDE_LAST, bcdae), 3.0 / 5); /* ... and E last */
    /* relative_to_correct: 4 - distance: A 1, B 3, C 3, D 3, E 4 = 14 of 20. */
    NEAR(ordering(q, DH_ORDERING_RELATIVE_TO_CORRECT, bcdae), 14.0 / 20);
    /* one previous and next: B>C, C<B, C>D, D<C = 4 of 2(n-1) = 8. */
    NEAR(ordering(q, DH_ORDERING_RELATIVE_ONE_PREVIOUS_AND_NEXT, bcdae), 4.0 / 8);
    /* all previous and next: 7 of 10 pairs in order, each seen from both sides. */
    NEAR(ordering(q, DH_ORDERING_RELATIVE_ALL_PREVIOUS_AND_NEXT, bcdae), 14.0 / 20);
    /* Reversed: no run or subset of at least 2; only C in place. */
    const int rev[] = {4, 3, 2, 1, 0};
    NEAR(ordering(q, DH_ORDERING_LONGEST_CONTIGUOUS_SUBSET, rev), 0);
    NEAR(ordering(q, DH_ORDERING_LONGEST_ORDERED_SUBSET, rev), 0);
    NEAR(ordering(q, DH_ORDERING_ABSOLUTE_POSITION, rev), 1.0 / 5);
    /* Two runs: D E A B C -> longest contiguous 3 (A B C), ordered 3. */
    const int deabc[] = {3, 4, 0, 1, 2};
    NEAR(ordering(q, DH_ORDERING_LONGEST_CONTIGUOUS_SUBSET, deabc), 3.0 / 5);
    NEAR(ordering(q, DH_ORDERING_ABSOLUTE_POSITION, deabc), 0);
    /* A C B D E: contiguous runs A (1), C (1), B D? no: B->D skips C, D E (2). */
    NEAR(ordering(q, DH_ORDERING_LONGEST_CONTIGUOUS_SUBSET, (int[]){0, 2, 1, 3, 4}), 2.0 / 5);
    NEAR(ordering(q, DH_ORDERING_LONGEST_ORDERED_SUBSET, (int[]){0, 2, 1, 3, 4}), 4.0 / 5);
    dh_QuizResponse partial = {.type = DH_QUESTION_ORDERING, .items = (int[]){0, 1}, .nitems = 2};
    assert_int_equal(dh_quiz_response_check(q, &partial, NULL), DH_EINVAL);
    unload(&f);
}

static void test_hottext_hotspot(void **state)
{
    (void)state;
    Fx f;
    load(&f, every_type);
    const dh_Question *h = Q(&f, "ht"), *s = Q(&f, "hs");
    NEAR(score_items(h, (int[]){0, 1}, 2), 1);
    NEAR(score_items(h, (int[]){0, 1, 2}, 3), 0.5); /* 1 - 0.5 */
    NEAR(score_items(h, (int[]){0, 3}, 2), 0.6);    /* d has no answer: 0 */
    NEAR(score_items(h, (int[]){2, 3}, 2), 0);      /* clamped */
    const dh_Text *fb[4];
    dh_QuizResponse hr = {.type = DH_QUESTION_HOTTEXT, .items = (int[]){2, 0}, .nitems = 2};
    assert_int_equal(dh_quiz_response_feedback(h, &hr, "en", fb, 4), 2);
    assert_string_equal(dh_text_get(fb[0], "en", "en"), "fc");

    assert_int_equal(dh_quiz_hotspot_hit(s, 5, 5), 0);
    assert_int_equal(dh_quiz_hotspot_hit(s, 10, 10), 0);  /* edges belong to the rectangle */
    assert_int_equal(dh_quiz_hotspot_hit(s, 57, 57), 1);  /* 7^2 + 7^2 < 100 */
    assert_int_equal(dh_quiz_hotspot_hit(s, 58, 58), -1); /* 8^2 + 8^2 > 100 */
    assert_int_equal(dh_quiz_hotspot_hit(s, 90, 85), 2);
    assert_int_equal(dh_quiz_hotspot_hit(s, 82, 98), -1); /* inside the bounding box, outside the triangle */
    NEAR(score_clicks(s, (double[]){5, 5, 50, 50}, 2), 1);
    NEAR(score_clicks(s, (double[]){5, 5, 6, 6, 7, 7}, 3), 0.5);          /* a region counts once */
    NEAR(score_clicks(s, (double[]){5, 5, 50, 50, 90, 85}, 3), 0.5);      /* 1 - 0.5 */
    NEAR(score_clicks(s, (double[]){90, 85, 30, 30}, 2), 0);              /* clamped; a miss is 0 */
    dh_QuizResponse many = {.type = DH_QUESTION_HOTSPOT, .clicks = (double[10]){0}, .nclicks = 5};
    assert_int_equal(dh_quiz_response_check(s, &many, NULL), DH_EINVAL);
    dh_QuizResponse outside = {.type = DH_QUESTION_HOTSPOT, .clicks = (double[]){101, 5}, .nclicks = 1};
    assert_int_equal(dh_quiz_response_check(s, &outside, NULL), DH_EINVAL);
    dh_QuizResponse r = {.type = DH_QUESTION_HOTSPOT, .clicks = (double[]){50, 50, 5, 5, 6, 6}, .nclicks = 3};
    int scratch[DH_QUIZ_MAX_ITEMS];
    dh_XapiResponse x;
    dh_quiz_response_xapi(s, &r, scratch, &x);
    assert_int_equal(x.nitems, 2); /* regions r and c, each once, in region order */
    assert_int_equal(x.items[0], 0);
    assert_int_equal(x.items[1], 1);
    assert_int_equal(x.nclicks, 3);
    assert_int_equal(dh_quiz_response_feedback(s, &r, "en", fb, 4), 1);
    assert_string_equal(dh_text_get(fb[0], "en", "en"), "fr");
    unload(&f);
}

static void test_grades_and_feedback(void **state)
{
    (void)state;
    Fx f;
    load(&f, every_type);
    double g;
    const double s[] = {0.4, 0.9, 0.5};
    assert_false(dh_quiz_grade(DH_GRADE_HIGHEST, s, 0, &g));
    assert_true(dh_quiz_grade(DH_GRADE_HIGHEST, s, 3, &g));
    NEAR(g, 0.9);
    assert_true(dh_quiz_grade(DH_GRADE_AVERAGE, s, 3, &g));
    NEAR(g, 0.6);
    assert_true(dh_quiz_grade(DH_GRADE_FIRST, s, 3, &g));
    NEAR(g, 0.4);
    assert_true(dh_quiz_grade(DH_GRADE_LAST, s, 3, &g));
    NEAR(g, 0.5);
    assert_true(dh_quiz_grade(DH_GRADE_AVERAGE, s, 1, &g));
    NEAR(g, 0.4);
    assert_string_equal(dh_text_get(dh_quiz_overall_feedback(f.quiz, 0.8), "en", "en"), "great");
    assert_string_equal(dh_text_get(dh_quiz_overall_feedback(f.quiz, 0.79), "en", "en"), "ok");
    assert_null(dh_quiz_overall_feedback(f.quiz, 0.39));
    assert_true(dh_quiz_passes(f.quiz, 0.5));
    assert_false(dh_quiz_passes(f.quiz, 0.49));
    assert_true(dh_quiz_may_start(f.quiz, 100)); /* attempts 0: unlimited */
    unload(&f);
}

/* A deferred attempt over every type: unanswered scores 0, descriptions
 * count for nothing, scaled = marks / points. */
static void test_deferred_attempt(void **state)
{
    (void)state;
    Fx f;
    load(&f, every_type);
    dh_QuizAttempt *a;
    assert_int_equal(dh_quiz_attempt_start(&a, f.quiz, "en", 42, 1000, NULL), DH_OK);
    assert_int_equal(a->nslots, 12);
    assert_int_equal(dh_quiz_attempt_deadline(a), 0);
    assert_false(dh_quiz_attempt_tick(a, INT64_MAX));
    int answered = 0;
    for (int i = 0; i < a->nslots; i++) {
        const dh_Question *q = &f.quiz->questions[a->slots[i].question];
        dh_QuizResponse r = {.type = q->type, .unit = -1};
        static const int first_choice[] = {0};
        if (q->type == DH_QUESTION_SINGLE) r.items = first_choice, r.nitems = 1;
        else if (q->type == DH_QUESTION_TRUEFALSE) r.value = false;
        else if (q->type == DH_QUESTION_MULTIPLE) r.items = first_choice, r.nitems = 1; /* 0.5 */
        else continue;
        assert_int_equal(dh_quiz_attempt_answer(a, i, &r, 2000, NULL), DH_OK);
        assert_int_equal(a->slots[i].state, DH_QSTATE_ANSWERED);
        answered++;
    }
    assert_int_equal(answered, 3);
    assert_int_equal(dh_quiz_attempt_review(a, 0), 0); /* deferred: nothing during */
    dh_Error err;
    assert_int_equal(dh_quiz_attempt_check(a, 0, 2000, &err), DH_EINVAL);
    dh_quiz_attempt_submit(a, 5000);
    assert_true(a->finished);
    assert_false(a->autosubmitted);
    NEAR(a->marks, 2.5);
    NEAR(a->max_marks, 11);
    NEAR(a->scaled, 2.5 / 11);
    assert_false(a->passed);
    assert_int_equal(dh_quiz_attempt_review(a, 0), f.quiz->settings.review_after);
    dh_QuizResponse tf = {.type = DH_QUESTION_TRUEFALSE};
    assert_int_equal(dh_quiz_attempt_answer(a, 0, &tf, 6000, &err), DH_EINVAL);
    dh_quiz_attempt_free(a);
    unload(&f);
}

static const char *const interactive_quiz =
    "{'settings': {'attempts': 2, 'behaviour': 'interactive', 'tries': 3, 'penalty': 0.25, 'navigation': 'sequential',"
    "              'time_limit_s': 60, 'review': {'during': ['correctness', 'marks']}},"
    " 'questions': ["
    "  {'id': 'q1', 'type': 'single', 'text': 't', 'points': 2, 'hints': ['h1', 'h2'], 'answers': ["
    "    {'id': 'a', 'text': 'A', 'fraction': 1}, {'id': 'b', 'text': 'B', 'fraction': 0.5},"
    "    {'id': 'c', 'text': 'C', 'fraction': 0}]},"
    "  {'id': 'q2', 'type': 'truefalse', 'text': 't', 'correct': true, 'penalty': 0.5},"
    "  {'id': 'q3', 'type': 'truefalse', 'text': 't', 'correct': true},"
    "  {'id': 'q4', 'type': 'truefalse', 'text': 't', 'correct': true}]}";

static void test_interactive_penalties(void **state)
{
    (void)state;
    Fx f;
    load(&f, interactive_quiz);
    dh_QuizAttempt *a;
    dh_Error err;
    assert_int_equal(dh_quiz_attempt_start(&a, f.quiz, "en", 7, 0, NULL), DH_OK);
    assert_int_equal(a->slots[0].question, 0); /* no shuffle: file order */
    assert_int_equal(dh_quiz_attempt_check(a, 0, 10, &err), DH_EINVAL); /* nothing to check */
    dh_QuizResponse c = {.type = DH_QUESTION_SINGLE, .items = (int[]){2}, .nitems = 1};
    assert_int_equal(dh_quiz_attempt_answer(a, 0, &c, 10, NULL), DH_OK);
    assert_null(dh_quiz_attempt_hint(a, 0));
    assert_int_equal(dh_quiz_attempt_check(a, 0, 10, NULL), DH_OK);
    assert_int_equal(a->slots[0].state, DH_QSTATE_WRONG);
    assert_false(a->slots[0].finished);
    assert_int_equal(dh_quiz_attempt_review(a, 0), DH_REVIEW_CORRECTNESS | DH_REVIEW_MARKS);
    assert_string_equal(dh_text_get(dh_quiz_attempt_hint(a, 0), "en", "en"), "h1");
    assert_int_equal(dh_quiz_attempt_check(a, 0, 10, &err), DH_EINVAL); /* same answer again */
    c.items = (int[]){1};
    assert_int_equal(dh_quiz_attempt_answer(a, 0, &c, 11, NULL), DH_OK);
    assert_int_equal(dh_quiz_attempt_check(a, 0, 11, NULL), DH_OK);
    assert_int_equal(a->slots[0].state, DH_QSTATE_PARTIAL);
    assert_string_equal(dh_text_get(dh_quiz_attempt_hint(a, 0), "en", "en"), "h2");
    assert_true(dh_quiz_attempt_can_try(a, 0));
    c.items = (int[]){0};
    assert_int_equal(dh_quiz_attempt_answer(a, 0, &c, 12, NULL), DH_OK);
    assert_int_equal(dh_quiz_attempt_check(a, 0, 12, NULL), DH_OK);
    assert_true(a->slots[0].finished);
    assert_int_equal(a->slots[0].state, DH_QSTATE_RIGHT);
    NEAR(a->slots[0].mark, 2 * (1 - 2 * 0.25)); /* right on try 3 */
    assert_null(dh_quiz_attempt_hint(a, 0));
    assert_int_equal(dh_quiz_attempt_answer(a, 0, &c, 12, &err), DH_EINVAL);

    /* Sequential: no going back, no skipping ahead. */
    assert_int_equal(dh_quiz_attempt_goto(a, 2, &err), DH_EINVAL);
    assert_int_equal(dh_quiz_attempt_goto(a, 1, NULL), DH_OK);
    assert_int_equal(dh_quiz_attempt_goto(a, 0, &err), DH_EINVAL);
    dh_QuizResponse t = {.type = DH_QUESTION_TRUEFALSE, .value = false};
    assert_int_equal(dh_quiz_attempt_answer(a, 2, &t, 13, &err), DH_EINVAL);
    /* q2 (penalty 0.5 of its own): wrong, then right: 1 - 0.5. */
    assert_int_equal(dh_quiz_attempt_answer(a, 1, &t, 13, NULL), DH_OK);
    assert_int_equal(dh_quiz_attempt_check(a, 1, 13, NULL), DH_OK);
    t.value = true;
    assert_int_equal(dh_quiz_attempt_answer(a, 1, &t, 14, NULL), DH_OK);
    assert_int_equal(dh_quiz_attempt_check(a, 1, 14, NULL), DH_OK);
    NEAR(a->slots[1].mark, 0.5);
    /* q3: three wrong tries finish it with 0. */
    assert_int_equal(dh_quiz_attempt_goto(a, 2, NULL), DH_OK);
    for (int i = 0; i < 3; i++) {
        t.value = false;
        if (i) assert_int_equal(dh_quiz_attempt_answer(a, 2, NULL, 15, NULL), DH_OK);
        assert_int_equal(dh_quiz_attempt_answer(a, 2, &t, 15, NULL), DH_OK);
        assert_int_equal(dh_quiz_attempt_check(a, 2, 15, NULL), DH_OK);
    }
    assert_true(a->slots[2].finished);
    assert_false(dh_quiz_attempt_can_try(a, 2));
    NEAR(a->slots[2].mark, 0);
    /* q4: wrong on try 1, then right but never checked: submit grades it as try 2. */
    assert_int_equal(dh_quiz_attempt_goto(a, 3, NULL), DH_OK);
    assert_int_equal(dh_quiz_attempt_answer(a, 3, &t, 16, NULL), DH_OK);
    assert_int_equal(dh_quiz_attempt_check(a, 3, 16, NULL), DH_OK);
    t.value = true;
    assert_int_equal(dh_quiz_attempt_answer(a, 3, &t, 16, NULL), DH_OK);
    dh_quiz_attempt_submit(a, 20);
    NEAR(a->slots[3].mark, 0.75);
    NEAR(a->marks, 1 + 0.5 + 0 + 0.75);
    NEAR(a->scaled, 2.25 / 5);
    assert_true(a->passed); /* pass 0: every submitted attempt passes */
    dh_quiz_attempt_free(a);
    NEAR(dh_quiz_penalized(0.4, 0.3333333, 3), 0);
    assert_true(dh_quiz_may_start(f.quiz, 1));
    assert_false(dh_quiz_may_start(f.quiz, 2));
    unload(&f);
}

static void test_time_limit(void **state)
{
    (void)state;
    Fx f;
    load(&f, interactive_quiz);
    dh_QuizAttempt *a;
    dh_Error err;
    assert_int_equal(dh_quiz_attempt_start(&a, f.quiz, "en", 1, 1000000, NULL), DH_OK);
    assert_int_equal(dh_quiz_attempt_deadline(a), 1060000);
    assert_false(dh_quiz_attempt_tick(a, 1059999));
    dh_QuizResponse c = {.type = DH_QUESTION_SINGLE, .items = (int[]){0}, .nitems = 1};
    assert_int_equal(dh_quiz_attempt_answer(a, 0, &c, 1059999, NULL), DH_OK);
    assert_int_equal(dh_quiz_attempt_answer(a, 0, &c, 1060000, &err), DH_EINVAL);
    assert_string_equal(err.msg, "the time for this attempt is up");
    assert_true(a->finished);
    assert_true(a->autosubmitted);
    assert_int_equal(a->end_ms, 1060000);
    NEAR(a->marks, 2); /* the saved answer was graded at the deadline */
    assert_false(dh_quiz_attempt_tick(a, 2000000));
    dh_quiz_attempt_free(a);

    assert_int_equal(dh_quiz_attempt_start(&a, f.quiz, "en", 1, 0, NULL), DH_OK);
    assert_true(dh_quiz_attempt_tick(a, 99999999)); /* the screen's timer: submitted at the deadline */
    assert_int_equal(a->end_ms, 60000);
    NEAR(a->scaled, 0);
    dh_quiz_attempt_free(a);
    unload(&f);
}

static bool has_tags(const dh_Question *q, const dh_QuizSection *s)
{
    for (int t = 0; t < s->ntags; t++) {
        bool found = false;
        for (int i = 0; i < q->ntags; i++) found |= strcmp(q->tags[i], s->tags[t]) == 0;
        if (!found) return false;
    }
    return true;
}

static void test_sample_draws(void **state)
{
    (void)state;
    Fx f;
    load_sample(&f);
    assert_int_equal(f.quiz->slots, 11); /* ten questions and a description */
    int draws = 0;
    for (int s = 0; s < f.quiz->nsections; s++) draws += f.quiz->sections[s].draw;
    assert_int_equal(draws, 4);
    char *first = NULL;
    int differ = 0;
    for (uint64_t seed = 0; seed < 300; seed++) {
        dh_QuizAttempt *a;
        assert_int_equal(dh_quiz_attempt_start(&a, f.quiz, "en", seed * 0x9e3779b97f4a7c15u, 0, NULL), DH_OK);
        assert_int_equal(a->nslots, 11);
        bool seen[DH_QUIZ_MAX_QUESTIONS] = {false};
        for (int i = 0; i < a->nslots; i++) {
            const dh_QuizSlot *sl = &a->slots[i];
            const dh_QuizSection *sec = &f.quiz->sections[sl->section];
            const dh_Question *q = &f.quiz->questions[sl->question];
            assert_false(seen[sl->question]);
            seen[sl->question] = true;
            if (sec->draw) {
                assert_true(has_tags(q, sec));
                assert_int_not_equal(q->type, DH_QUESTION_DESCRIPTION);
            }
            for (int j = 0; j < sl->norder; j++) assert_in_range(sl->order[j], 0, sl->norder - 1);
        }
        char *blob = dh_quiz_attempt_save(a);
        assert_non_null(blob);
        dh_QuizAttempt *b; /* same seed, same attempt */
        assert_int_equal(dh_quiz_attempt_start(&b, f.quiz, "en", seed * 0x9e3779b97f4a7c15u, 0, NULL), DH_OK);
        char *again = dh_quiz_attempt_save(b);
        assert_string_equal(blob, again);
        dh_free(again);
        dh_quiz_attempt_free(b);
        if (!first) first = blob;
        else differ += strcmp(first, blob) != 0, dh_free(blob);
        dh_quiz_attempt_free(a);
    }
    assert_true(differ > 250); /* different seeds, different attempts */
    dh_free(first);
    unload(&f);
}

/* Two draws from one pool of three: together they take each question once. */
static void test_overlapping_draws(void **state)
{
    (void)state;
    Fx f;
    load(&f, "{'sections': [{'draw': {'tags': ['x'], 'count': 2}}, {'draw': {'tags': ['x'], 'count': 1}},"
             "              {'questions': ['fixed']}],"
             " 'questions': [{'id': 'fixed', 'type': 'truefalse', 'text': 't', 'correct': true, 'tags': ['x']},"
             "  {'id': 'a', 'type': 'truefalse', 'text': 't', 'correct': true, 'tags': ['x']},"
             "  {'id': 'b', 'type': 'truefalse', 'text': 't', 'correct': true, 'tags': ['x']},"
             "  {'id': 'c', 'type': 'truefalse', 'text': 't', 'correct': true, 'tags': ['x']}]}");
    int firsts[4] = {0};
    for (uint64_t seed = 1; seed <= 200; seed++) {
        dh_QuizAttempt *a;
        assert_int_equal(dh_quiz_attempt_start(&a, f.quiz, "en", seed, 0, NULL), DH_OK);
        assert_int_equal(a->nslots, 4);
        int count[4] = {0};
        for (int i = 0; i < 4; i++) count[a->slots[i].question]++;
        for (int q = 0; q < 4; q++) assert_int_equal(count[q], 1);
        assert_int_equal(a->slots[3].question, 0); /* the fixed question is never drawn */
        firsts[a->slots[0].question]++;
        dh_quiz_attempt_free(a);
    }
    for (int q = 1; q < 4; q++) assert_true(firsts[q] > 30); /* every candidate gets drawn */
    unload(&f);
}

static bool identity(const int *v, int n)
{
    for (int i = 0; i < n; i++)
        if (v[i] != i) return false;
    return true;
}

/* Questions shuffle within sections; answers where quiz and question allow. */
static void test_shuffles(void **state)
{
    (void)state;
    Fx f;
    load(&f, "{'settings': {'shuffle': true},"
             " 'sections': [{'questions': ['s', 'k', 'o']}, {'questions': ['t1', 't2', 't3'], 'shuffle': false}],"
             " 'questions': ["
             "  {'id': 's', 'type': 'single', 'text': 't', 'answers': [{'id': 'a', 'text': 'A', 'fraction': 1},"
             "   {'id': 'b', 'text': 'B'}, {'id': 'c', 'text': 'C'}, {'id': 'd', 'text': 'D'}]},"
             "  {'id': 'k', 'type': 'single', 'text': 't', 'shuffle_answers': false, 'answers': ["
             "   {'id': 'a', 'text': 'A', 'fraction': 1}, {'id': 'b', 'text': 'B'}, {'id': 'c', 'text': 'C'}]},"
             "  {'id': 'o', 'type': 'ordering', 'text': 't', 'items': [{'id': 'a', 'text': 'A'},"
             "   {'id': 'b', 'text': 'B'}, {'id': 'c', 'text': 'C'}, {'id': 'd', 'text': 'D'}]},"
             "  {'id': 't1', 'type': 'truefalse', 'text': 't', 'correct': true},"
             "  {'id': 't2', 'type': 'truefalse', 'text': 't', 'correct': true},"
             "  {'id': 't3', 'type': 'truefalse', 'text': 't', 'correct': true}]}");
    int moved = 0, s_shuffled = 0, o_shuffled = 0;
    for (uint64_t seed = 1; seed <= 100; seed++) {
        dh_QuizAttempt *a;
        assert_int_equal(dh_quiz_attempt_start(&a, f.quiz, "en", seed, 0, NULL), DH_OK);
        moved += a->slots[0].question != 0;
        for (int i = 0; i < 3; i++) {
            const dh_QuizSlot *sl = &a->slots[i];
            const char *id = f.quiz->questions[sl->question].id;
            if (strcmp(id, "s") == 0) s_shuffled += !identity(sl->order, sl->norder);
            if (strcmp(id, "k") == 0) assert_true(identity(sl->order, sl->norder)); /* opted out */
            if (strcmp(id, "o") == 0) o_shuffled += !identity(sl->order, sl->norder);
        }
        for (int i = 3; i < 6; i++) assert_int_equal(a->slots[i].question, i); /* section says no */
        dh_quiz_attempt_free(a);
    }
    assert_true(moved > 50);
    assert_true(s_shuffled > 80);
    assert_true(o_shuffled > 80);
    unload(&f);
}

/* Answer some of an attempt on the sample quiz: one of each kind present. */
static void answer_some(dh_QuizAttempt *a, const dh_Quiz *quiz)
{
    for (int i = 0; i < a->nslots; i++) {
        const dh_Question *q = &quiz->questions[a->slots[i].question];
        dh_QuizResponse r = {.type = q->type, .unit = -1};
        int items[DH_QUIZ_MAX_ITEMS];
        double clicks[] = {370.5, 125.25, 200, 200};
        switch (q->type) {
        case DH_QUESTION_SINGLE: items[0] = 0, r.items = items, r.nitems = 1; break;
        case DH_QUESTION_MULTIPLE:
        case DH_QUESTION_HOTTEXT: items[0] = 1, items[1] = 0, r.items = items, r.nitems = 2; break;
        case DH_QUESTION_ORDERING:
            for (int j = 0; j < q->u.ordering.nitems; j++) items[j] = q->u.ordering.nitems - 1 - j;
            r.items = items, r.nitems = q->u.ordering.nitems;
            break;
        case DH_QUESTION_MATCHING:
            for (int j = 0; j < q->u.matching.nprompts; j++) items[j] = j % 2 ? -1 : 0;
            r.items = items, r.nitems = q->u.matching.nprompts;
            break;
        case DH_QUESTION_GAPSELECT:
            for (int j = 0; j < q->u.gapselect.ngaps; j++) items[j] = q->u.gapselect.gaps[j];
            r.items = items, r.nitems = q->u.gapselect.ngaps;
            break;
        case DH_QUESTION_TRUEFALSE: r.value = true; break;
        case DH_QUESTION_SHORT: r.text = "Pay-Review.net \"quoted\" \\ \n\x01 \xe0\xb8\x81"; break;
        case DH_QUESTION_NUMERIC: r.has_number = true, r.number = 0.1 + 0.2, r.unit = q->u.numeric.nunits - 1; break;
        case DH_QUESTION_HOTSPOT: r.clicks = clicks, r.nclicks = 2; break;
        case DH_QUESTION_DESCRIPTION: continue;
        }
        dh_Status st = dh_quiz_attempt_answer(a, i, &r, 5000, NULL);
        if (st != DH_OK && st != DH_ENOMEM) fail_msg("answer %s: %d", q->id, st);
    }
}

static void test_resume_round_trip(void **state)
{
    (void)state;
    Fx f;
    load_sample(&f);
    dh_QuizAttempt *a, *b;
    assert_int_equal(dh_quiz_attempt_start(&a, f.quiz, "th", 0xfedcba9876543210u, 1764300000000, NULL), DH_OK);
    answer_some(a, f.quiz);
    assert_int_equal(dh_quiz_attempt_goto(a, 4, NULL), DH_OK);
    char *blob = dh_quiz_attempt_save(a);
    assert_non_null(blob);
    dh_Error err;
    dh_error_clear(&err);
    if (dh_quiz_attempt_restore(&b, f.quiz, blob, strlen(blob), &err) != DH_OK) fail_msg("%s", err.msg);
    assert_int_equal(b->seed, a->seed);
    assert_string_equal(b->lang, "th");
    assert_int_equal(b->start_ms, a->start_ms);
    assert_int_equal(b->current, 4);
    assert_int_equal(b->nslots, a->nslots);
    for (int i = 0; i < a->nslots; i++) {
        const dh_QuizSlot *x = &a->slots[i], *y = &b->slots[i];
        assert_int_equal(x->question, y->question);
        assert_int_equal(x->section, y->section);
        assert_int_equal(x->norder, y->norder);
        if (x->norder) assert_memory_equal(x->order, y->order, (size_t)x->norder * sizeof(int));
        assert_int_equal(x->answered, y->answered);
        assert_int_equal(x->state, y->state);
        assert_int_equal(x->response.nitems, y->response.nitems);
        if (x->response.nitems)
            assert_memory_equal(x->response.items, y->response.items, (size_t)x->response.nitems * sizeof(int));
        assert_int_equal(x->response.nclicks, y->response.nclicks);
        if (x->response.nclicks)
            assert_memory_equal(x->response.clicks, y->response.clicks, 2 * (size_t)x->response.nclicks * sizeof(double));
        if (x->response.text) assert_string_equal(x->response.text, y->response.text);
        assert_true(x->response.number == y->response.number); /* bit-exact, 0.30000000000000004 */
    }
    char *again = dh_quiz_attempt_save(b);
    assert_string_equal(blob, again);
    /* Finished attempts round-trip too, with their marks. */
    dh_quiz_attempt_submit(a, 1764300600000);
    dh_quiz_attempt_free(b);
    dh_free(again);
    dh_free(blob);
    blob = dh_quiz_attempt_save(a);
    assert_int_equal(dh_quiz_attempt_restore(&b, f.quiz, blob, strlen(blob), NULL), DH_OK);
    assert_true(b->finished);
    assert_int_equal(b->end_ms, a->end_ms);
    NEAR(b->marks, a->marks);
    NEAR(b->scaled, a->scaled);
    assert_int_equal(b->passed, a->passed);
    dh_quiz_attempt_free(b);
    dh_free(blob);
    dh_quiz_attempt_free(a);
    unload(&f);
}

/* Replace the first occurrence of from with to in s (a fresh malloc'd copy). */
static char *replace(const char *s, const char *from, const char *to)
{
    const char *p = strstr(s, from);
    if (!p) fail_msg("'%s' not in blob", from);
    size_t n = strlen(s) + strlen(to) + 1;
    char *out = malloc(n);
    snprintf(out, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
    return out;
}

static void expect_reject(const dh_Quiz *quiz, const char *blob, size_t len, const char *msg_part)
{
    dh_QuizAttempt *b = (dh_QuizAttempt *)1;
    dh_Error err;
    dh_error_clear(&err);
    assert_int_equal(dh_quiz_attempt_restore(&b, quiz, blob, len, &err), DH_EFORMAT);
    assert_null(b);
    assert_true(strncmp(err.msg, "saved quiz attempt: ", 20) == 0);
    if (msg_part && !strstr(err.msg, msg_part)) fail_msg("'%s' lacks '%s'", err.msg, msg_part);
}

static void test_resume_hostile(void **state)
{
    (void)state;
    Fx f;
    load_sample(&f);
    dh_QuizAttempt *a;
    assert_int_equal(dh_quiz_attempt_start(&a, f.quiz, "en", 99, 0, NULL), DH_OK);
    answer_some(a, f.quiz);
    char *blob = dh_quiz_attempt_save(a);
    size_t n = strlen(blob);
    for (size_t cut = 0; cut < n; cut++) expect_reject(f.quiz, blob, cut, NULL); /* every truncation */
    char id[80];
    snprintf(id, sizeof id, "\"q\":\"%s\"", f.quiz->questions[a->slots[0].question].id);
    char *m;
    m = replace(blob, id, "\"q\":\"no-such-question\"");
    expect_reject(f.quiz, m, strlen(m), "names a question the quiz does not have");
    free(m);
    char id2[80];
    snprintf(id2, sizeof id2, "\"q\":\"%s\"", f.quiz->questions[a->slots[1].question].id);
    m = replace(blob, id2, id);
    expect_reject(f.quiz, m, strlen(m), NULL); /* a repeat, or a question outside its section */
    free(m);
    /* A real question, not in the attempt, where its section cannot ask it. */
    bool in_attempt[DH_QUIZ_MAX_QUESTIONS] = {false};
    for (int i = 0; i < a->nslots; i++) in_attempt[a->slots[i].question] = true;
    int other = -1;
    for (int i = 0; i < f.quiz->nquestions && other < 0; i++)
        if (!in_attempt[i] && f.quiz->questions[i].type != DH_QUESTION_DESCRIPTION) other = i;
    assert_true(other >= 0);
    char id3[80];
    snprintf(id3, sizeof id3, "\"q\":\"%s\"", f.quiz->questions[other].id);
    m = replace(blob, id, id3);
    expect_reject(f.quiz, m, strlen(m), "is not one its section can ask");
    free(m);
    m = replace(blob, "\"start\":0", "\"start\":1e300");
    expect_reject(f.quiz, m, strlen(m), "'start'");
    free(m);
    m = replace(blob, "\"start\":0", "\"start\":-5");
    expect_reject(f.quiz, m, strlen(m), NULL);
    free(m);
    m = replace(blob, "\"cur\":0", "\"cur\":99999999999");
    expect_reject(f.quiz, m, strlen(m), NULL);
    free(m);
    m = replace(blob, "\"t\":0", "\"t\":1e999");
    expect_reject(f.quiz, m, strlen(m), NULL);
    free(m);
    m = replace(blob, "\"seed\":\"", "\"seed\":\"-");
    expect_reject(f.quiz, m, strlen(m), NULL);
    free(m);
    m = replace(blob, "\"seed\":\"00", "\"seed\":\"0x");
    expect_reject(f.quiz, m, strlen(m), "seed");
    free(m);
    m = replace(blob, "\"v\":1", "\"v\":2");
    expect_reject(f.quiz, m, strlen(m), "version");
    free(m);
    m = replace(blob, "\"o\":[]", "\"o\":[2147483648]");
    expect_reject(f.quiz, m, strlen(m), "answer order");
    free(m);
    m = replace(blob, "\"i\":[", "\"i\":[1e9,");
    expect_reject(f.quiz, m, strlen(m), NULL);
    free(m);
    m = replace(blob, "\"slots\":[", "\"slots\":[{\"q\":\"x\"},");
    expect_reject(f.quiz, m, strlen(m), "this quiz asks 11");
    free(m);
    expect_reject(f.quiz, "[]", 2, NULL);
    expect_reject(f.quiz, "{\"v\":1}", 7, NULL);
    expect_reject(f.quiz, "\xff\xfe", 2, NULL);
    /* A blob of another quiz does not fit this one. */
    Fx g;
    load(&g, every_type);
    expect_reject(g.quiz, blob, n, NULL);
    unload(&g);
    dh_free(blob);
    dh_quiz_attempt_free(a);
    unload(&f);
}

/* Every response the engine accepts converts into one dh_xapi_answered
 * accepts, on the sample course as packaged (not only the quiz file). */
static void test_xapi_answered(void **state)
{
    (void)state;
    dh_Error err = {0};
    assert_int_equal(dh_package_init(NULL, &err), DH_OK);
    dh_Package *pkg = NULL;
    dh_Course *course = NULL;
    dh_Diags d;
    dh_diags_init(&d);
    assert_int_equal(dh_package_open(&pkg, DH_SOURCE_DIR "/courses/awareness-essentials", &err), DH_OK);
    assert_int_equal(dh_course_load(&course, pkg, &d), DH_OK);
    dh_package_close(pkg);
    dh_diags_free(&d);
    assert_non_null(course);
    int mod = -1;
    for (int i = 0; i < course->nmodules && mod < 0; i++)
        if (course->modules[i].kind == DH_MODULE_QUIZ) mod = i;
    assert_true(mod >= 0);
    const dh_Quiz *quiz = course->modules[mod].u.quiz;
    uint64_t counter = 0;
    dh_XapiConfig cfg = {.home_page = "https://kiosk.example.org", .activity_base = "https://training.example.org/xapi/",
                         .uuid = dh_uuid_counter, .uuid_ctx = &counter};
    dh_XapiContext ctx = {.config = &cfg, .trainee_id = "SN-1", .course = course,
                          .registration = "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f", .module = mod};
    int statements = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        dh_QuizAttempt *a;
        assert_int_equal(dh_quiz_attempt_start(&a, quiz, "en", seed, 0, NULL), DH_OK);
        answer_some(a, quiz);
        dh_quiz_attempt_submit(a, 1000);
        for (int i = 0; i < a->nslots; i++) {
            const dh_QuizSlot *sl = &a->slots[i];
            const dh_Question *q = &quiz->questions[sl->question];
            if (!sl->answered) continue;
            int scratch[DH_QUIZ_MAX_ITEMS];
            dh_XapiResponse x;
            dh_quiz_response_xapi(q, &sl->response, scratch, &x);
            dh_XapiResult res = {0};
            dh_xapi_score(&res, sl->mark, 0, q->points);
            res.success = sl->state == DH_QSTATE_RIGHT ? DH_XAPI_TRUE : DH_XAPI_FALSE;
            dh_XapiStatement st = {0};
            if (dh_xapi_answered(&st, &ctx, q, &x, &res, 1000, &err) != DH_OK)
                fail_msg("%s (%s): %s", q->id, dh_question_type_name(q->type), err.msg);
            dh_xapi_statement_free(&st);
            statements++;
        }
        dh_quiz_attempt_free(a);
    }
    assert_true(statements >= 20 * 9);
    /* typed text the pattern syntax would misread: "[,]" would split one
     * fill-in string in two, a leading "{" would open a modifier */
    int qs = dh_quiz_question_index(quiz, "real-domain");
    assert_true(qs >= 0);
    dh_XapiResponse typed = {.text = "{a}b[,]c"};
    dh_XapiStatement st = {0};
    assert_int_equal(dh_xapi_answered(&st, &ctx, &quiz->questions[qs], &typed, NULL, 1000, &err), DH_OK);
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(st.json, "result");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(res, "response")), " {a}b[ ,]c");
    dh_xapi_statement_free(&st);
    dh_course_free(course);
}

/* Fail each allocation of start + answer + save + restore in turn: every
 * step either works or reports DH_ENOMEM; ASan reports any leak. */
static void test_alloc_failures(void **state)
{
    (void)state;
    Fx f;
    load_sample(&f);
    bool done = false;
    for (long n = 1; !done && n < 10000; n++) {
        dh_alloc_fail_after(n);
        dh_QuizAttempt *a = NULL, *b = NULL;
        dh_Status st = dh_quiz_attempt_start(&a, f.quiz, "en", 5, 0, NULL);
        if (st != DH_OK) {
            assert_int_equal(st, DH_ENOMEM);
            assert_null(a);
            continue;
        }
        answer_some(a, f.quiz);
        char *blob = dh_quiz_attempt_save(a);
        if (blob) {
            st = dh_quiz_attempt_restore(&b, f.quiz, blob, strlen(blob), NULL);
            assert_true(st == DH_OK || st == DH_ENOMEM);
            if (st == DH_OK) done = dh_alloc_count() < n;
            dh_quiz_attempt_free(b);
        }
        dh_free(blob);
        dh_quiz_attempt_free(a);
    }
    dh_alloc_fail_after(0);
    assert_true(done);
    unload(&f);
}

int main(void)
{
    dh_alloc_install();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_choice_scoring),
        cmocka_unit_test(test_short_scoring),
        cmocka_unit_test(test_numeric_scoring),
        cmocka_unit_test(test_matching_gapselect),
        cmocka_unit_test(test_ordering_modes),
        cmocka_unit_test(test_hottext_hotspot),
        cmocka_unit_test(test_grades_and_feedback),
        cmocka_unit_test(test_deferred_attempt),
        cmocka_unit_test(test_interactive_penalties),
        cmocka_unit_test(test_time_limit),
        cmocka_unit_test(test_sample_draws),
        cmocka_unit_test(test_overlapping_draws),
        cmocka_unit_test(test_shuffles),
        cmocka_unit_test(test_resume_round_trip),
        cmocka_unit_test(test_resume_hostile),
        cmocka_unit_test(test_xapi_answered),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
