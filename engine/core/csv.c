/* csv: RFC 4180 writing with formula neutralisation, and a strict reader.
 *
 * The writer appends to a dh_Buf (whose out-of-memory flag the caller checks
 * once). The reader is a small state machine over a byte source, so a
 * summary of any size is read one record at a time; it keeps the line and
 * column of every byte so that a damaged file is reported where it is
 * damaged. See csv.h for the rules and why they are what they are.
 */
#include "csv.h"

#include "alloc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- writing ----------------------------------------------------------------- */

void dh_csv_row_begin(dh_CsvRow *row, dh_Buf *buf)
{
    row->buf = buf;
    row->cells = 0;
}

static void separate(dh_CsvRow *row)
{
    if (row->cells++ > 0) dh_buf_add(row->buf, ",", 1);
}

static bool needs_quotes(const char *s)
{
    return strpbrk(s, ",\"\r\n") != NULL;
}

static void put_cell(dh_CsvRow *row, const char *prefix, const char *s)
{
    separate(row);
    if (!needs_quotes(s)) {
        dh_buf_puts(row->buf, prefix);
        dh_buf_puts(row->buf, s);
        return;
    }
    dh_buf_add(row->buf, "\"", 1);
    dh_buf_puts(row->buf, prefix);
    for (const char *p = s; *p; p++) {
        const char *q = strchr(p, '"');
        if (!q) {
            dh_buf_puts(row->buf, p);
            break;
        }
        dh_buf_add(row->buf, p, (size_t)(q - p));
        dh_buf_add(row->buf, "\"\"", 2);
        p = q;
    }
    dh_buf_add(row->buf, "\"", 1);
}

bool dh_csv_needs_neutralising(const char *s)
{
    return s && s[0] && strchr("=+-@\t\r'", s[0]) != NULL;
}

const char *dh_csv_unneutralise(const char *s)
{
    return s[0] == '\'' ? s + 1 : s;
}

void dh_csv_text(dh_CsvRow *row, const char *s)
{
    if (!s) s = "";
    put_cell(row, dh_csv_needs_neutralising(s) ? "'" : "", s);
}

void dh_csv_plain(dh_CsvRow *row, const char *s)
{
    put_cell(row, "", s ? s : "");
}

void dh_csv_number(dh_CsvRow *row, double v)
{
    separate(row);
    if (!isfinite(v)) return;
    if (v == 0) v = 0; /* -0 is written as 0 */
    dh_buf_printf(row->buf, "%.10g", v);
}

void dh_csv_int(dh_CsvRow *row, int64_t v)
{
    separate(row);
    dh_buf_printf(row->buf, "%lld", (long long)v);
}

void dh_csv_empty(dh_CsvRow *row)
{
    separate(row);
}

void dh_csv_row_end(dh_CsvRow *row)
{
    dh_buf_add(row->buf, "\r\n", 2);
    row->cells = 0;
}

/* ---- reading ----------------------------------------------------------------- */

#define INPUT_SIZE 65536

struct dh_CsvReader {
    dh_CsvReadFn fn;         /* byte source (NULL: memory) */
    void *ctx;
    const char *mem;         /* memory source */
    size_t mem_len, mem_pos;
    char name[256];          /* for messages */
    char *in;                /* input buffer (fn sources) */
    size_t in_len, in_pos;
    bool eof, started;
    int line, col;           /* position of the next byte (1-based) */
    int record_line;         /* line the last record started on */
    char *text;              /* the record's cells, each NUL-terminated */
    size_t text_len, text_cap;
    size_t *starts;          /* offset of each cell in text */
    char **cells;            /* pointers handed out */
    int ncells;
};

dh_Status dh_csv_reader_new(dh_CsvReader **out, dh_CsvReadFn fn, void *ctx, const char *name,
                            dh_Error *err)
{
    *out = NULL;
    dh_CsvReader *r = dh_calloc(1, sizeof *r);
    if (r) {
        r->starts = dh_malloc(DH_CSV_CELLS_MAX * sizeof *r->starts);
        r->cells = dh_malloc(DH_CSV_CELLS_MAX * sizeof *r->cells);
        r->in = fn ? dh_malloc(INPUT_SIZE) : NULL;
    }
    if (!r || !r->starts || !r->cells || (fn && !r->in)) {
        dh_csv_reader_free(r);
        return dh_fail(err, DH_ENOMEM, "out of memory reading %s", name);
    }
    r->fn = fn;
    r->ctx = ctx;
    snprintf(r->name, sizeof r->name, "%s", name);
    r->line = r->col = 1;
    *out = r;
    return DH_OK;
}

dh_Status dh_csv_reader_memory(dh_CsvReader **out, const char *data, size_t len, const char *name,
                               dh_Error *err)
{
    dh_Status st = dh_csv_reader_new(out, NULL, NULL, name, err);
    if (st) return st;
    (*out)->mem = data;
    (*out)->mem_len = len;
    return DH_OK;
}

void dh_csv_reader_free(dh_CsvReader *r)
{
    if (!r) return;
    dh_free(r->in);
    dh_free(r->text);
    dh_free(r->starts);
    dh_free(r->cells);
    dh_free(r);
}

int dh_csv_line(const dh_CsvReader *r)
{
    return r->record_line;
}

enum { END = -1, FAILED = -2 };

/* The next byte without consuming it, END, or FAILED (a read error). */
static int peek(dh_CsvReader *r)
{
    if (!r->fn) return r->mem_pos < r->mem_len ? (unsigned char)r->mem[r->mem_pos] : END;
    if (r->in_pos < r->in_len) return (unsigned char)r->in[r->in_pos];
    if (r->eof) return END;
    long n = r->fn(r->ctx, r->in, INPUT_SIZE);
    if (n < 0) return FAILED;
    r->in_len = (size_t)n;
    r->in_pos = 0;
    if (n == 0) {
        r->eof = true;
        return END;
    }
    return (unsigned char)r->in[0];
}

static void advance(dh_CsvReader *r, int c)
{
    if (r->fn) r->in_pos++;
    else r->mem_pos++;
    if (c == '\n') {
        r->line++;
        r->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        r->col++; /* columns count characters, not UTF-8 continuation bytes */
    }
}

static dh_Status fail_here(dh_CsvReader *r, dh_Error *err, dh_Status code, const char *what)
{
    return dh_fail_at(err, code, r->name, r->line, r->col, "%s", what);
}

static dh_Status push(dh_CsvReader *r, char c, dh_Error *err)
{
    if (r->text_len + 1 >= r->text_cap) {
        size_t cap = r->text_cap ? r->text_cap * 2 : 256;
        char *p = dh_realloc(r->text, cap);
        if (!p) return dh_fail(err, DH_ENOMEM, "out of memory reading %s", r->name);
        r->text = p;
        r->text_cap = cap;
    }
    r->text[r->text_len++] = c;
    return DH_OK;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) len = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, min = 0x10000;
    else return 0;
    if (len > n) return 0;
    unsigned cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

/* Check the cell that started at text[start] (col: its first column). */
static dh_Status check_cell(dh_CsvReader *r, size_t start, int line, int col, dh_Error *err)
{
    const unsigned char *s = (const unsigned char *)r->text + start;
    size_t n = r->text_len - start;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_len(s + i, n - i);
        if (!k)
            return dh_fail_at(err, DH_EFORMAT, r->name, line, col,
                              "this cell is not valid UTF-8 (byte 0x%02X); the file must be UTF-8",
                              s[i]);
        i += k;
    }
    return DH_OK;
}

static dh_Status end_cell(dh_CsvReader *r, size_t start, int line, int col, dh_Error *err)
{
    if (r->text_len - start > DH_CSV_CELL_MAX)
        return dh_fail_at(err, DH_ELIMIT, r->name, line, col, "a cell is longer than %d bytes",
                          DH_CSV_CELL_MAX);
    dh_Status st = check_cell(r, start, line, col, err);
    if (st) return st;
    return push(r, '\0', err);
}

dh_Status dh_csv_next(dh_CsvReader *r, char ***cells, int *ncells, dh_Error *err)
{
    *ncells = 0;
    *cells = r->cells;
    r->text_len = 0;
    r->ncells = 0;
    int c = peek(r);
    if (c == FAILED) return dh_fail(err, DH_EIO, "cannot read %s", r->name);
    if (!r->started) {
        r->started = true;
        if (c == 0xEF)
            return fail_here(r, err, DH_EFORMAT,
                             "the file starts with a byte order mark (or other bytes that are not "
                             "text); summaries are UTF-8 without one");
    }
    if (c == END) return DH_OK;
    r->record_line = r->line;
    for (;;) {
        if (r->ncells == DH_CSV_CELLS_MAX)
            return fail_here(r, err, DH_ELIMIT, "a record has too many cells");
        size_t start = r->text_len;
        int line = r->line, col = r->col;
        r->starts[r->ncells++] = start;
        dh_Status st;
        c = peek(r);
        if (c == '"') {
            advance(r, c);
            for (;;) {
                c = peek(r);
                if (c == FAILED) return dh_fail(err, DH_EIO, "cannot read %s", r->name);
                if (c == END)
                    return dh_fail_at(err, DH_EFORMAT, r->name, line, col,
                                      "the file ends inside this quoted cell (a closing \" is missing)");
                if (c == 0) return fail_here(r, err, DH_EFORMAT, "a NUL byte is not text");
                advance(r, c);
                if (c == '"') {
                    if (peek(r) != '"') break;
                    advance(r, '"');
                }
                if ((st = push(r, (char)c, err))) return st;
                if (r->text_len - start > DH_CSV_CELL_MAX)
                    return dh_fail_at(err, DH_ELIMIT, r->name, line, col,
                                      "a cell is longer than %d bytes", DH_CSV_CELL_MAX);
            }
            c = peek(r);
            if (c == FAILED) return dh_fail(err, DH_EIO, "cannot read %s", r->name);
            if (c != ',' && c != '\r' && c != '\n' && c != END)
                return fail_here(r, err, DH_EFORMAT,
                                 "text follows a closing quote; inside a quoted cell a quote "
                                 "is written twice (\"\")");
        } else {
            for (;;) {
                c = peek(r);
                if (c == FAILED) return dh_fail(err, DH_EIO, "cannot read %s", r->name);
                if (c == ',' || c == '\r' || c == '\n' || c == END) break;
                if (c == '"')
                    return fail_here(r, err, DH_EFORMAT,
                                     "a quote inside a cell that is not quoted; quote the whole "
                                     "cell and write the quote twice");
                if (c == 0) return fail_here(r, err, DH_EFORMAT, "a NUL byte is not text");
                advance(r, c);
                if ((st = push(r, (char)c, err))) return st;
                if (r->text_len - start > DH_CSV_CELL_MAX)
                    return dh_fail_at(err, DH_ELIMIT, r->name, line, col,
                                      "a cell is longer than %d bytes", DH_CSV_CELL_MAX);
            }
        }
        if ((st = end_cell(r, start, line, col, err))) return st;
        /* c is the byte after the cell: ',', CR, LF or the end. */
        if (c == ',') {
            advance(r, c);
            continue;
        }
        if (c == '\n')
            return fail_here(r, err, DH_EFORMAT, "a line ends with LF alone; records end with CRLF");
        if (c == END)
            return fail_here(r, err, DH_EFORMAT,
                             "the last record does not end with CRLF (is the file cut short?)");
        advance(r, c); /* CR */
        c = peek(r);
        if (c == FAILED) return dh_fail(err, DH_EIO, "cannot read %s", r->name);
        if (c != '\n')
            return fail_here(r, err, DH_EFORMAT, "a CR is not followed by LF; records end with CRLF");
        advance(r, c);
        break;
    }
    for (int i = 0; i < r->ncells; i++) r->cells[i] = r->text + r->starts[i];
    *ncells = r->ncells;
    return DH_OK;
}
