/* test_csv: RFC 4180 writing, formula neutralisation, and the strict reader.
 *
 * The writer's output is compared byte for byte (CRLF, quoting, numbers as
 * numbers, an apostrophe before every cell a spreadsheet would run); the
 * reader must give back exactly what was written, whether it gets the
 * bytes all at once or one at a time, and must refuse, at the right line
 * and column, everything the writer could not have produced. Python's csv
 * module and the e2e test judge the same files from outside.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "csv.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static char *row_text(dh_Buf *b)
{
    return b->p ? b->p : (char *)"";
}

static void test_text_cells(void **state)
{
    (void)state;
    dh_Buf b = {0};
    dh_CsvRow r;
    dh_csv_row_begin(&r, &b);
    dh_csv_text(&r, "plain");
    dh_csv_text(&r, "a,b");
    dh_csv_text(&r, "say \"hi\"");
    dh_csv_text(&r, "two\r\nlines");
    dh_csv_text(&r, "");
    dh_csv_text(&r, NULL);
    dh_csv_text(&r, "สมชาย");
    dh_csv_row_end(&r);
    assert_false(b.oom);
    assert_string_equal(row_text(&b),
                        "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\",,,สมชาย\r\n");
    dh_buf_free(&b);
}

/* Every character a spreadsheet starts a formula with, and the apostrophe
 * itself (so that removing one apostrophe always restores the text). */
static void test_neutralising(void **state)
{
    (void)state;
    const char *in[] = {"=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'x", "x=1", " =1", "1"};
    const char *out[] = {"'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "\"'\rx\"", "''x", "x=1", " =1", "1"};
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        dh_Buf b = {0};
        dh_CsvRow r;
        dh_csv_row_begin(&r, &b);
        dh_csv_text(&r, in[i]);
        char want[32];
        snprintf(want, sizeof want, "%s\r\n", out[i]);
        dh_csv_row_end(&r);
        assert_string_equal(row_text(&b), want);
        assert_int_equal(dh_csv_needs_neutralising(in[i]), out[i][0] == '\'' || out[i][1] == '\'');
        dh_buf_free(&b);
    }
    assert_string_equal(dh_csv_unneutralise("'=x"), "=x");
    assert_string_equal(dh_csv_unneutralise("''x"), "'x");
    assert_string_equal(dh_csv_unneutralise("x"), "x");
    /* a formula with a comma is both neutralised and quoted */
    dh_Buf b = {0};
    dh_CsvRow r;
    dh_csv_row_begin(&r, &b);
    dh_csv_text(&r, "=HYPERLINK(\"http://x\",\"y\")");
    dh_csv_row_end(&r);
    assert_string_equal(row_text(&b), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n");
    dh_buf_free(&b);
}

static void test_numbers(void **state)
{
    (void)state;
    dh_Buf b = {0};
    dh_CsvRow r;
    dh_csv_row_begin(&r, &b);
    dh_csv_number(&r, 0);
    dh_csv_number(&r, -0.0);
    dh_csv_number(&r, 0.5);
    dh_csv_number(&r, -0.25); /* a number: never neutralised */
    dh_csv_number(&r, 0.8636363636363636);
    dh_csv_number(&r, 1207.528);
    dh_csv_number(&r, NAN);
    dh_csv_number(&r, INFINITY);
    dh_csv_int(&r, 0);
    dh_csv_int(&r, -3);
    dh_csv_empty(&r);
    dh_csv_plain(&r, "true");
    dh_csv_row_end(&r);
    assert_string_equal(row_text(&b), "0,0,0.5,-0.25,0.8636363636,1207.528,,,0,-3,,true\r\n");
    dh_buf_free(&b);
}

/* ---- reading ----------------------------------------------------------------- */

typedef struct Chunks {
    const char *data;
    size_t len, pos, step;
    bool fail_at_end;
} Chunks;

static long chunk_read(void *ctx, char *buf, size_t size)
{
    Chunks *c = ctx;
    if (c->pos == c->len) return c->fail_at_end ? -1 : 0;
    size_t n = c->len - c->pos;
    if (n > c->step) n = c->step;
    if (n > size) n = size;
    memcpy(buf, c->data + c->pos, n);
    c->pos += n;
    return (long)n;
}

/* Read all records of text with a reader fed `step` bytes at a time; the
 * cells joined with '|' and records with '\n' go to out. */
static dh_Status read_all(const char *text, size_t len, size_t step, char *out, size_t size,
                          dh_Error *err)
{
    Chunks c = {text, len, 0, step, false};
    dh_CsvReader *r;
    dh_Status s = step ? dh_csv_reader_new(&r, chunk_read, &c, "t.csv", err)
                       : dh_csv_reader_memory(&r, text, len, "t.csv", err);
    if (s) return s;
    out[0] = '\0';
    for (;;) {
        char **cells;
        int n;
        if ((s = dh_csv_next(r, &cells, &n, err)) || n == 0) break;
        for (int i = 0; i < n; i++) {
            strncat(out, cells[i], size - strlen(out) - 1);
            strncat(out, i + 1 < n ? "|" : "\n", size - strlen(out) - 1);
        }
    }
    dh_csv_reader_free(r);
    return s;
}

static void test_round_trip(void **state)
{
    (void)state;
    const char *cells[] = {"plain", "a,b", "say \"hi\"", "two\r\nlines", "", "=1+1", "'x", "สมชาย",
                           "-", "tab\there"};
    const size_t n = sizeof cells / sizeof *cells;
    dh_Buf b = {0};
    dh_CsvRow r;
    for (int rec = 0; rec < 3; rec++) {
        dh_csv_row_begin(&r, &b);
        for (size_t i = 0; i < n; i++) dh_csv_text(&r, cells[i]);
        dh_csv_number(&r, rec * 0.5);
        dh_csv_row_end(&r);
    }
    assert_false(b.oom);
    char want[1024] = "";
    for (int rec = 0; rec < 3; rec++) {
        for (size_t i = 0; i < n; i++) {
            strcat(want, cells[i]);
            strcat(want, "|");
        }
        strcat(want, rec == 0 ? "0\n" : rec == 1 ? "0.5\n" : "1\n");
    }
    /* all at once, from memory, and one byte at a time */
    size_t steps[] = {0, 1, 3, 4096};
    for (size_t k = 0; k < sizeof steps / sizeof *steps; k++) {
        char got[1024];
        dh_Error err;
        dh_CsvReader *rd;
        Chunks c = {b.p, b.n, 0, steps[k] ? steps[k] : 1, false};
        assert_int_equal(steps[k] ? dh_csv_reader_new(&rd, chunk_read, &c, "t.csv", &err)
                                  : dh_csv_reader_memory(&rd, b.p, b.n, "t.csv", &err),
                         DH_OK);
        got[0] = '\0';
        for (;;) {
            char **cl;
            int nc;
            assert_int_equal(dh_csv_next(rd, &cl, &nc, &err), DH_OK);
            if (nc == 0) break;
            assert_int_equal(nc, (int)n + 1);
            for (int i = 0; i < nc; i++) {
                strcat(got, i < (int)n ? dh_csv_unneutralise(cl[i]) : cl[i]);
                strcat(got, i < nc - 1 ? "|" : "\n");
            }
        }
        assert_string_equal(got, want);
        dh_csv_reader_free(rd);
    }
    dh_buf_free(&b);
}

static void expect_bad(const char *text, dh_Status code, int line, int col, const char *part)
{
    char out[512];
    dh_Error err;
    dh_error_clear(&err);
    for (size_t step = 0; step <= 1; step++) {
        assert_int_equal(read_all(text, strlen(text), step, out, sizeof out, &err), code);
        assert_string_equal(err.file, "t.csv");
        if (err.line != line || err.col != col || !strstr(err.msg, part))
            fail_msg("'%s': got %d:%d '%s', want %d:%d '%s'", text, err.line, err.col, err.msg,
                     line, col, part);
    }
}

static void test_reader_refuses(void **state)
{
    (void)state;
    expect_bad("\xEF\xBB\xBF" "a,b\r\n", DH_EFORMAT, 1, 1, "byte order mark");
    expect_bad("a,b\nc\r\n", DH_EFORMAT, 1, 4, "LF alone");
    expect_bad("a,b\rc\r\n", DH_EFORMAT, 1, 5, "not followed by LF");
    expect_bad("a,b\r\nc,d", DH_EFORMAT, 2, 4, "does not end with CRLF");
    expect_bad("a,b\"c\r\n", DH_EFORMAT, 1, 4, "quote inside a cell");
    expect_bad("a,\"b\"c\r\n", DH_EFORMAT, 1, 6, "text follows a closing quote");
    expect_bad("a\r\n\"b,\r\nc", DH_EFORMAT, 2, 1, "ends inside this quoted cell");
    expect_bad("ok\r\nx,\xC3\x28\r\n", DH_EFORMAT, 2, 3, "not valid UTF-8");
    expect_bad("ok\r\nx,\xED\xA0\x80\r\n", DH_EFORMAT, 2, 3, "not valid UTF-8"); /* surrogate */
    expect_bad("ok\r\nx,\xC0\xAF\r\n", DH_EFORMAT, 2, 3, "not valid UTF-8");     /* overlong */
    char nul[] = "a,b\0c\r\n";
    char out[64];
    dh_Error err;
    assert_int_equal(read_all(nul, sizeof nul - 1, 0, out, sizeof out, &err), DH_EFORMAT);
    assert_non_null(strstr(err.msg, "NUL"));
    /* positions count characters, not bytes */
    expect_bad("ก,ข\"\r\n", DH_EFORMAT, 1, 4, "quote inside a cell");
}

static void test_reader_limits(void **state)
{
    (void)state;
    dh_Buf b = {0};
    for (int i = 0; i < DH_CSV_CELLS_MAX + 1; i++) dh_buf_puts(&b, i ? ",x" : "x");
    dh_buf_puts(&b, "\r\n");
    char out[8];
    dh_Error err;
    out[0] = '\0';
    dh_CsvReader *r;
    assert_int_equal(dh_csv_reader_memory(&r, b.p, b.n, "t.csv", &err), DH_OK);
    char **cells;
    int n;
    assert_int_equal(dh_csv_next(r, &cells, &n, &err), DH_ELIMIT);
    dh_csv_reader_free(r);
    dh_buf_free(&b);
    char *big = dh_malloc(DH_CSV_CELL_MAX + 8);
    assert_non_null(big);
    memset(big, 'y', DH_CSV_CELL_MAX + 1);
    memcpy(big + DH_CSV_CELL_MAX + 1, "\r\n", 3);
    assert_int_equal(dh_csv_reader_memory(&r, big, strlen(big), "t.csv", &err), DH_OK);
    assert_int_equal(dh_csv_next(r, &cells, &n, &err), DH_ELIMIT);
    dh_csv_reader_free(r);
    dh_free(big);
    big = dh_malloc(DH_CSV_CELL_MAX + 16); /* quoted: "yyy...y" with one byte too many */
    assert_non_null(big);
    big[0] = '"';
    memset(big + 1, 'y', DH_CSV_CELL_MAX + 1);
    memcpy(big + DH_CSV_CELL_MAX + 2, "\"\r\n", 4);
    assert_int_equal(dh_csv_reader_memory(&r, big, strlen(big), "t.csv", &err), DH_OK);
    assert_int_equal(dh_csv_next(r, &cells, &n, &err), DH_ELIMIT);
    dh_csv_reader_free(r);
    dh_free(big);
    (void)out;
}

static void test_reader_io_error(void **state)
{
    (void)state;
    Chunks c = {"a,b\r\nc", 6, 0, 2, true};
    dh_CsvReader *r;
    dh_Error err;
    assert_int_equal(dh_csv_reader_new(&r, chunk_read, &c, "t.csv", &err), DH_OK);
    char **cells;
    int n;
    assert_int_equal(dh_csv_next(r, &cells, &n, &err), DH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(dh_csv_line(r), 1);
    assert_int_equal(dh_csv_next(r, &cells, &n, &err), DH_EIO);
    assert_non_null(strstr(err.msg, "cannot read t.csv"));
    dh_csv_reader_free(r);
}

/* The reader's allocations fail one by one: an error, never a crash or a leak. */
static void test_reader_out_of_memory(void **state)
{
    (void)state;
    const char *text = "a,\"b\"\"c\",d\r\n1,2,3\r\n";
    bool done = false;
    for (long k = 1; !done && k < 100; k++) {
        dh_alloc_fail_after(k);
        char out[128];
        dh_Error err;
        dh_Status s = read_all(text, strlen(text), 1, out, sizeof out, &err);
        assert_true(s == DH_OK || s == DH_ENOMEM);
        if (s == DH_OK) {
            assert_string_equal(out, "a|b\"c|d\n1|2|3\n");
            done = true;
        }
    }
    dh_alloc_fail_after(0);
    assert_true(done);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_cells),
        cmocka_unit_test(test_neutralising),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_reader_refuses),
        cmocka_unit_test(test_reader_limits),
        cmocka_unit_test(test_reader_io_error),
        cmocka_unit_test(test_reader_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
