/* test_report_html: what the records report does with text it did not write.
 *
 * Every name in a report came from a kiosk keyboard (or from a bundle made
 * by someone hostile), and the report is opened in a browser. These cases
 * pin down that no byte sequence can become markup: the five HTML
 * metacharacters, broken and overlong UTF-8 (an overlong '<' must not
 * decode to '<'), surrogates, C0 and C1 controls; that right-to-left text
 * and bidi overrides are kept but isolated; and that the number and
 * duration formats and the chart labels say what the report promises.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "report.h"

#include <math.h>
#include <string.h>

#define FFFD "\xef\xbf\xbd"

static void expect_text(const char *in, const char *want)
{
    dh_Buf b = {0};
    report_text(&b, in);
    assert_false(b.oom);
    assert_string_equal(b.p ? b.p : "", want);
    dh_buf_free(&b);
}

static void metacharacters(void **state)
{
    (void)state;
    expect_text("<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    expect_text("O'Brien \"Danger\" & <b>Co</b>", "O&#39;Brien &quot;Danger&quot; &amp; &lt;b&gt;Co&lt;/b&gt;");
    expect_text("&amp;", "&amp;amp;");
    expect_text("", "");
    expect_text(NULL, "");
}

static void broken_utf8(void **state)
{
    (void)state;
    expect_text("\xff\xfeok", FFFD FFFD "ok");
    expect_text("\xc0\xbc" "b", FFFD FFFD "b");            /* overlong '<' */
    expect_text("\xe0\x80\xbc", FFFD FFFD FFFD);           /* overlong '<' in 3 bytes */
    expect_text("\xed\xa0\x80", FFFD FFFD FFFD);           /* a UTF-16 surrogate */
    expect_text("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);  /* above U+10FFFF */
    expect_text("ab\xe0\xb8", "ab" FFFD FFFD);             /* cut short at the end */
}

static void controls(void **state)
{
    (void)state;
    expect_text("a\x01" "b\x1b[31m", "a" FFFD "b" FFFD "[31m");
    expect_text("x\xc2\x85y\x7f", "x" FFFD "y" FFFD);      /* C1 NEL, DEL */
    expect_text("two\nlines\tand tab", "two lines and tab");
}

static void scripts_and_bidi(void **state)
{
    (void)state;
    const char *thai = "\xe0\xb8\xaa\xe0\xb8\xa1\xe0\xb8\x8a\xe0\xb8\xb2\xe0\xb8\xa2";
    expect_text(thai, thai);
    dh_Buf b = {0};
    report_bdi(&b, "\xe2\x80\xae" "exe.txt");               /* U+202E RIGHT-TO-LEFT OVERRIDE */
    assert_string_equal(b.p, "<bdi>\xe2\x80\xae" "exe.txt</bdi>");
    dh_buf_free(&b);
}

static void numbers(void **state)
{
    (void)state;
    dh_Buf b = {0};
    report_percent(&b, 12.345);
    report_percent(&b, NAN);
    report_number(&b, -77.2727, 1);
    dh_buf_puts(&b, "|");
    report_duration(&b, 45000);
    dh_buf_puts(&b, "|");
    report_duration(&b, 12 * 60000.0);
    dh_buf_puts(&b, "|");
    report_duration(&b, 2 * 3600000.0 + 5 * 60000.0);
    dh_buf_puts(&b, "|");
    report_duration(&b, NAN);
    assert_string_equal(b.p, "12.3%\xe2\x80\x93-77.3|45 s|12 min|2 h 05 min|\xe2\x80\x93");
    dh_buf_free(&b);
}

static void long_printf(void **state)
{
    (void)state;
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    dh_Buf b = {0};
    dh_buf_printf(&b, "<%s>", big);
    assert_int_equal(b.n, 1001);
    dh_buf_free(&b);
}

/* A long label is cut on a character boundary with an ellipsis, escaped. */
static void chart_labels(void **state)
{
    (void)state;
    char label[400] = "<i>";
    for (int i = 0; i < 40; i++) strcat(label, "\xe0\xb8\x81"); /* Thai ko kai */
    ReportBar bars[1] = {{label, {50, 25}}};
    const char *legend[] = {"a&b", "c"};
    dh_Buf b = {0};
    report_svg_hbars(&b, "t<itle>", bars, 1, 2, legend, 100, "%", NULL, 0);
    assert_false(b.oom);
    assert_non_null(strstr(b.p, "&lt;i&gt;"));
    assert_non_null(strstr(b.p, "\xe2\x80\xa6</text>"));
    assert_non_null(strstr(b.p, "<title>t&lt;itle&gt;</title>"));
    assert_non_null(strstr(b.p, "a&amp;b"));
    assert_non_null(strstr(b.p, ">75.0%</text>"));
    assert_null(strstr(b.p, "<i>"));
    /* no partial UTF-8 sequence before the ellipsis */
    const char *cut = strstr(b.p, "\xe2\x80\xa6");
    size_t thai = 0;
    for (const char *p = strstr(b.p, "&lt;i&gt;") + 9; p < cut; p++) thai++;
    assert_int_equal(thai % 3, 0);
    dh_buf_free(&b);

    int counts[10] = {0, 0, 0, 0, 4, 0, 0, 0, 1, 1};
    report_svg_histogram(&b, "scores", counts, 10, "score & more");
    assert_non_null(strstr(b.p, ">4</text>"));
    assert_non_null(strstr(b.p, "score &amp; more"));
    dh_buf_free(&b);
}

/* Out of memory at every allocation in turn: the buffer says so (oom) and
 * nothing crashes; without a failure the output is complete. */
static void allocation_failures(void **state)
{
    (void)state;
    char big[600];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ReportBar bars[2] = {{"<a>", {10, 20}}, {"b", {30}}};
    dh_Buf ref = {0};
    report_svg_hbars(&ref, "t", bars, 2, 2, NULL, 100, "%", NULL, 0);
    dh_buf_printf(&ref, "%s", big);
    assert_false(ref.oom);
    for (long n = 1;; n++) {
        dh_Buf b = {0};
        dh_alloc_fail_after(n);
        report_svg_hbars(&b, "t", bars, 2, 2, NULL, 100, "%", NULL, 0);
        dh_buf_printf(&b, "%s", big);
        long failures = dh_alloc_count();
        dh_alloc_fail_after(0);
        bool complete = !b.oom;
        if (complete) assert_string_equal(b.p, ref.p);
        dh_buf_free(&b);
        if (complete && failures < n) break; /* the nth allocation was never reached */
        assert_true(n < 1000);
    }
    dh_buf_free(&ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(metacharacters), cmocka_unit_test(broken_utf8), cmocka_unit_test(controls),
        cmocka_unit_test(scripts_and_bidi), cmocka_unit_test(numbers), cmocka_unit_test(long_printf),
        cmocka_unit_test(chart_labels), cmocka_unit_test(allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
