/* test_json: positions, syntax error messages and typed getters of json.c,
 * plus the small shared pieces under it: diagnostics, arena, i18n, alloc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "arena.h"
#include "diag.h"
#include "i18n.h"
#include "json.h"
#include "lesson.h"

#include <string.h>

/* Parse text expecting failure; return the single diagnostic. */
static void expect_parse_error(const char *text, int line, int col, const char *msg_part)
{
    dh_Json j;
    dh_Diags d;
    dh_diags_init(&d);
    dh_Status st = dh_json_parse(&j, "x.json", text, strlen(text), &d);
    assert_int_equal(st, DH_EFORMAT);
    assert_int_equal(d.count, 1);
    assert_string_equal(d.items[0].file, "x.json");
    if (d.items[0].line != line || d.items[0].col != col || !strstr(d.items[0].msg, msg_part))
        fail_msg("got %d:%d '%s', want %d:%d '...%s...'", d.items[0].line, d.items[0].col, d.items[0].msg,
                 line, col, msg_part);
    dh_json_free(&j);
    dh_diags_free(&d);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    expect_parse_error("{\n  \"a\": 1,\n  \"b\": 2,\n}", 3, 9, "trailing comma");
    expect_parse_error("{\"a\": [1, 2}", 1, 12, "unexpected '}'");
    expect_parse_error("{\n  \"a\": 'x'\n}", 2, 8, "double quotes");
    expect_parse_error("{\n  a: 1\n}", 2, 3, "member name in double quotes");
    expect_parse_error("{\"a\": 1\n \"b\": 2}", 2, 2, "missing ','");
    expect_parse_error("{\"a\": 1", 1, 8, "unexpected end of file");
    expect_parse_error("// c\n{}", 1, 1, "comments");
    expect_parse_error("{\"a\": \"x\xff\"}", 1, 9, "invalid UTF-8");
    expect_parse_error("{\"a\": True}", 1, 7, "unexpected word 'True'");
    expect_parse_error("{\"a\": 01}", 1, 7, "leading zeros");
    expect_parse_error("{\"a\": \"x\\q\"}", 1, 9, "invalid escape");
    expect_parse_error("{\"a\": \"open\n}", 1, 12, "line break inside a string");
    expect_parse_error("{\"a\": 1} x", 1, 10, "after the end");
    expect_parse_error("[1, 2,\n]", 1, 6, "trailing comma before ']'");
    expect_parse_error("{\"a\" 1}", 1, 6, "expected ':'");
    expect_parse_error("{\"a\": \"x\xc0\xaf\"}", 1, 9, "invalid UTF-8"); /* overlong '/' */
    expect_parse_error("{\"a\": \"\xed\xa0\x80\"}", 1, 8, "invalid UTF-8"); /* surrogate */
}

static void test_nul_and_depth(void **state)
{
    (void)state;
    dh_Json j;
    dh_Diags d;
    dh_diags_init(&d);
    assert_int_equal(dh_json_parse(&j, "n.json", "{\"a\":\0}", 7, &d), DH_EFORMAT);
    assert_non_null(strstr(d.items[0].msg, "NUL byte"));
    assert_int_equal(d.items[0].col, 6);
    dh_json_free(&j);
    dh_diags_free(&d);

    char deep[300];
    for (int i = 0; i < 100; i++) deep[i] = '[';
    for (int i = 0; i < 100; i++) deep[100 + i] = ']';
    deep[200] = 0;
    assert_int_equal(dh_json_parse(&j, "deep.json", deep, 200, &d), DH_EFORMAT);
    assert_non_null(strstr(d.items[0].msg, "nesting deeper than 64"));
    assert_int_equal(d.items[0].col, 65);
    dh_json_free(&j);
    dh_diags_free(&d);

    /* A '[' inside a string does not count as nesting. */
    const char *brackets = "{\"a\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}";
    assert_int_equal(dh_json_parse(&j, "s.json", brackets, strlen(brackets), &d), DH_OK);
    dh_json_free(&j);
    dh_diags_free(&d);
}

static void test_positions(void **state)
{
    (void)state;
    const char *text = "{\n"
                       "  \"title\": \"caf\xc3\xa9\",\n"
                       "  \"pages\": [\n"
                       "    {\"n\": 1},\n"
                       "    \"\xe0\xb8\x81\xe0\xb8\x82\", [true, null]\n"
                       "  ]\n"
                       "}\n";
    dh_Json j;
    dh_Diags d;
    dh_diags_init(&d);
    assert_int_equal(dh_json_parse(&j, "p.json", text, strlen(text), &d), DH_OK);
    int line, col;
    dh_json_pos(&j, j.root, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 1);
    const cJSON *title = cJSON_GetObjectItem(j.root, "title");
    dh_json_pos(&j, title, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 12);
    dh_json_key_pos(&j, title, &line, &col);
    assert_int_equal(col, 3);
    const cJSON *pages = cJSON_GetObjectItem(j.root, "pages");
    const cJSON *n = cJSON_GetObjectItem(cJSON_GetArrayItem(pages, 0), "n");
    dh_json_pos(&j, n, &line, &col);
    assert_int_equal(line, 4);
    assert_int_equal(col, 11);
    /* Columns count characters: the Thai string is two characters long. */
    const cJSON *arr = cJSON_GetArrayItem(pages, 2);
    dh_json_pos(&j, arr, &line, &col);
    assert_int_equal(line, 5);
    assert_int_equal(col, 11);
    dh_json_pos(&j, cJSON_GetArrayItem(arr, 1), &line, &col);
    assert_int_equal(col, 18);
    dh_json_free(&j);
    dh_diags_free(&d);
}

static void test_string_pos(void **state)
{
    (void)state;
    const char *text = "{\"t\": \"a\\\"b\\u00e9c*d\"}";
    dh_Json j;
    dh_Diags d;
    dh_diags_init(&d);
    assert_int_equal(dh_json_parse(&j, "s.json", text, strlen(text), &d), DH_OK);
    const cJSON *t = cJSON_GetObjectItem(j.root, "t");
    const char *star = strchr(t->valuestring, '*');
    int line, col;
    dh_json_string_pos(&j, t, (size_t)(star - t->valuestring), &line, &col);
    assert_int_equal(col, 19); /* the '*' in the source text */
    dh_json_free(&j);
    dh_diags_free(&d);
}

static void test_duplicates_and_getters(void **state)
{
    (void)state;
    const char *text = "{\"a\": 1,\n \"b\": \"x\",\n \"a\": 2, \"n\": 1.5, \"id\": \"bad id\", \"colour\": 1}";
    dh_Json j;
    dh_Diags d;
    dh_diags_init(&d);
    assert_int_equal(dh_json_parse(&j, "g.json", text, strlen(text), &d), DH_OK);
    assert_int_equal(d.errors, 1);
    assert_string_equal(d.items[0].msg, "duplicate member 'a' (first at line 1)");
    assert_int_equal(d.items[0].line, 3);
    assert_int_equal(d.items[0].col, 2);
    assert_null(dh_json_string(&j, &d, j.root, "a", true));
    assert_string_equal(d.items[1].msg, "'a' must be a string, not a number");
    assert_null(dh_json_string(&j, &d, j.root, "missing", true));
    assert_string_equal(d.items[2].msg, "missing required member 'missing'");
    assert_int_equal(dh_json_int(&j, &d, j.root, "n", 7, 0, 10, false), 7);
    assert_string_equal(d.items[3].msg, "'n' must be a whole number, not 1.5");
    assert_null(dh_json_id(&j, &d, j.root, "id", true));
    assert_non_null(strstr(d.items[4].msg, "'bad id' is not a valid id"));
    static const char *const known[] = {"a", "b", "n", "id", "color", NULL};
    dh_json_check_members(&j, &d, j.root, known, "a test object");
    assert_int_equal(d.items[5].severity, DH_WARNING);
    assert_string_equal(d.items[5].msg, "unknown member 'colour' in a test object (ignored); did you mean 'color'?");
    assert_int_equal(dh_json_number(&j, &d, j.root, "n", 0, 0, 1, false), 0);
    assert_string_equal(d.items[6].msg, "'n' must be between 0 and 1, not 1.5");
    dh_json_free(&j);
    dh_diags_free(&d);
}

static void test_languages(void **state)
{
    (void)state;
    const char *good[] = {"en", "th", "km", "my", "lo", "vi", "ms", "id", "zh", "ja", "ko", "ru", "hi",
                          "fil", "zh-Hans", "zh-Hant", "pt-BR", "es-419", "en-GB", NULL};
    const char *bad[] = {"", "e", "EN", "english", "xx", "zz", "en-", "en-gb", "zh-hans", "en_GB",
                         "en-GB-x", "th-TH-TH", NULL};
    for (int i = 0; good[i]; i++)
        if (!dh_lang_valid(good[i])) fail_msg("'%s' should be valid", good[i]);
    for (int i = 0; bad[i]; i++)
        if (dh_lang_valid(bad[i])) fail_msg("'%s' should be invalid", bad[i]);
}

static void test_text_fallback(void **state)
{
    (void)state;
    dh_TextItem items[] = {{"en", "Hello"}, {"th", "\xe0\xb8\xaa\xe0\xb8\xa7\xe0\xb8\xb1\xe0\xb8\xaa"},
                           {"zh-Hans", "ni hao"}};
    dh_Text t = {items, 3};
    assert_string_equal(dh_text_get(&t, "th", "en"), items[1].text);
    assert_string_equal(dh_text_get(&t, "zh", "en"), "ni hao");       /* same language */
    assert_string_equal(dh_text_get(&t, "zh-Hant", "en"), "ni hao");  /* same language */
    assert_string_equal(dh_text_get(&t, "km", "th"), items[1].text);  /* course default */
    assert_string_equal(dh_text_get(&t, "km", NULL), "Hello");        /* English */
    dh_TextItem only[] = {{"lo", "sabaidee"}};
    dh_Text t2 = {only, 1};
    assert_string_equal(dh_text_get(&t2, "km", "en"), "sabaidee");    /* first entry */
    dh_TextItem plain[] = {{NULL, "same everywhere"}};
    dh_Text t3 = {plain, 1};
    assert_string_equal(dh_text_get(&t3, "th", "en"), "same everywhere");
    dh_Text empty = {NULL, 0};
    assert_string_equal(dh_text_get(&empty, "en", "en"), "");
}

typedef struct Spans {
    char out[256];
} Spans;

static void collect(void *ud, unsigned style, const char *s, size_t n)
{
    Spans *sp = ud;
    char tmp[128];
    snprintf(tmp, sizeof tmp, "[%u:%.*s]", style, (int)n, s);
    strncat(sp->out, tmp, sizeof sp->out - strlen(sp->out) - 1);
}

static void test_inline_markup(void **state)
{
    (void)state;
    Spans sp = {""};
    size_t where = 99;
    assert_int_equal(dh_inline_parse("a *b* **c** `d*e` f", collect, &sp, &where), DH_INLINE_OK);
    assert_string_equal(sp.out, "[0:a ][1:b][0: ][2:c][0: ][4:d*e][0: f]");
    sp.out[0] = 0;
    assert_int_equal(dh_inline_parse("2 \\* 3 = 6 \\\\ ok", collect, &sp, &where), DH_INLINE_OK);
    assert_string_equal(sp.out, "[0:2 ][0:* 3 = 6 ][0:\\ ok]");
    assert_int_equal(dh_inline_parse("an **open one", NULL, NULL, &where), DH_INLINE_UNCLOSED);
    assert_int_equal(where, 3);
    assert_int_equal(dh_inline_parse("x `code", NULL, NULL, &where), DH_INLINE_UNCLOSED);
    assert_int_equal(where, 2);
}

static void test_arena_and_diags(void **state)
{
    (void)state;
    dh_Arena a;
    dh_arena_init(&a);
    char *s = dh_arena_strdup(&a, "hello");
    void *big = dh_arena_alloc(&a, 100000);
    char *t = dh_arena_strdup(&a, "after big");
    assert_string_equal(s, "hello");
    assert_non_null(big);
    assert_string_equal(t, "after big");
    assert_null(dh_arena_array(&a, SIZE_MAX / 2, 4));
    dh_arena_free(&a);

    dh_Diags d;
    dh_diags_init(&d);
    for (int i = 0; i < DH_DIAGS_MAX + 10; i++) dh_diag(&d, DH_ERROR, "b.json", 600 - i, 1, "e%d", i);
    assert_int_equal(d.count, DH_DIAGS_MAX);
    assert_int_equal(d.errors, DH_DIAGS_MAX + 10);
    assert_int_equal(d.dropped, 10);
    dh_diag(&d, DH_WARNING, "a.json", 1, 1, "w");
    dh_diags_sort(&d);
    assert_int_equal(d.items[0].line, 101); /* b.json sorted by line; a.json was dropped */
    dh_diags_free(&d);
}

static void test_alloc_injection(void **state)
{
    (void)state;
    long before = dh_alloc_failures();
    dh_alloc_fail_after(2);
    void *a = dh_malloc(8);
    void *b = dh_malloc(8);
    dh_alloc_fail_after(0);
    assert_non_null(a);
    assert_null(b);
    assert_int_equal(dh_alloc_failures(), before + 1);
    dh_free(a);
    /* Parsing fails cleanly for every allocation that can fail. */
    const char *text = "{\"a\": [1, 2, {\"b\": \"c\"}], \"d\": true}";
    for (long n = 1;; n++) {
        dh_Json j;
        dh_Diags d;
        dh_diags_init(&d);
        dh_alloc_install();
        dh_alloc_fail_after(n);
        dh_Status st = dh_json_parse(&j, "a.json", text, strlen(text), &d);
        dh_alloc_fail_after(0);
        dh_json_free(&j);
        dh_diags_free(&d);
        if (st == DH_OK) break;
        assert_int_equal(st, DH_ENOMEM);
        assert_true(n < 1000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_nul_and_depth),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_string_pos),
        cmocka_unit_test(test_duplicates_and_getters),
        cmocka_unit_test(test_languages),
        cmocka_unit_test(test_text_fallback),
        cmocka_unit_test(test_inline_markup),
        cmocka_unit_test(test_arena_and_diags),
        cmocka_unit_test(test_alloc_injection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
