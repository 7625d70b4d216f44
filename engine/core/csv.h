/* csv: RFC 4180 records that spreadsheets open safely, and a strict reader.
 *
 * Officers open summaries in whatever spreadsheet is at hand, so what we
 * write is the common denominator: UTF-8 without a byte order mark, comma
 * separated, CRLF line ends, cells quoted when they hold a comma, quote, CR
 * or LF. Trainee names and units are typed at a kiosk by anyone, and a
 * spreadsheet runs a cell starting with = + - @ (or tab, CR) as a formula
 * ("CSV injection"), so text cells starting with those characters, or with
 * the apostrophe used to neutralise them, get an apostrophe in front; the
 * reader removes exactly one again, so text survives a round trip. Numbers
 * are written as numbers (a score of 0 is `0`), never neutralised. The
 * reader accepts only what the writer could have produced: it is the
 * judge of bundle files, not a guesser of dialects.
 */
#ifndef DH_CSV_H
#define DH_CSV_H

#include "buf.h"
#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DH_CSV_CELL_MAX 65536 /* bytes of one cell the reader accepts */
#define DH_CSV_CELLS_MAX 256  /* cells of one record the reader accepts */

/* ---- writing ----------------------------------------------------------------- */

/* A record being written into buf: cells are separated automatically. */
typedef struct dh_CsvRow {
    dh_Buf *buf;   /* where the record goes (allocation failures: buf->oom) */
    int cells;     /* cells written so far in this record */
} dh_CsvRow;

/* Start a record appended to buf. */
void dh_csv_row_begin(dh_CsvRow *row, dh_Buf *buf);
/* A text cell: neutralised if a spreadsheet would read it as a formula,
 * quoted if needed. NULL is an empty cell. */
void dh_csv_text(dh_CsvRow *row, const char *s);
/* A cell written as given except for quoting, never neutralised: only for
 * text this program produced (timestamps, status words, true/false). */
void dh_csv_plain(dh_CsvRow *row, const char *s);
/* A number: shortest of %.10g (so 0 is "0", 0.5 is "0.5"); NaN and
 * infinities are an empty cell. */
void dh_csv_number(dh_CsvRow *row, double v);
/* An integer. */
void dh_csv_int(dh_CsvRow *row, int64_t v);
/* An empty cell. */
void dh_csv_empty(dh_CsvRow *row);
/* End the record with CRLF. */
void dh_csv_row_end(dh_CsvRow *row);

/* Would dh_csv_text put an apostrophe in front of s? */
bool dh_csv_needs_neutralising(const char *s);
/* A cell's text as it was before dh_csv_text neutralised it: s without its
 * first apostrophe, if it has one (a pointer into s). */
const char *dh_csv_unneutralise(const char *s);

/* ---- reading ----------------------------------------------------------------- */

/* Where the reader's bytes come from: fill buf with up to size bytes and
 * return how many (0 at the end), or -1 after a read error (the reader then
 * fails with DH_EIO "cannot read NAME"). */
typedef long (*dh_CsvReadFn)(void *ctx, char *buf, size_t size);

typedef struct dh_CsvReader dh_CsvReader;

/* A reader of the bytes fn produces; name is used in messages. Free with
 * dh_csv_reader_free. */
dh_Status dh_csv_reader_new(dh_CsvReader **out, dh_CsvReadFn fn, void *ctx, const char *name,
                            dh_Error *err);
/* A reader of len bytes at data (borrowed until the reader is freed). */
dh_Status dh_csv_reader_memory(dh_CsvReader **out, const char *data, size_t len, const char *name,
                               dh_Error *err);
void dh_csv_reader_free(dh_CsvReader *r);
/* Read the next record: *ncells cells, each NUL-terminated (valid until the
 * next call); *ncells is 0 at the end of the input. Strict RFC 4180: CRLF
 * after every record (the last one too), quotes only around a whole cell,
 * "" inside quotes, valid UTF-8, no byte order mark, no NUL. A violation is
 * DH_EFORMAT at name:line:col saying what was found; cells or records over
 * the limits above are DH_ELIMIT. */
dh_Status dh_csv_next(dh_CsvReader *r, char ***cells, int *ncells, dh_Error *err);
/* Line (1-based) on which the record last returned starts. */
int dh_csv_line(const dh_CsvReader *r);

#endif
