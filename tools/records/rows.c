/* rows: the summary rows of several bundles, each (kiosk, trainee, course
 * version) once.
 *
 * A kiosk's summary.csv is a snapshot of every trainee's standing at export
 * time, so two bundles of the same kiosk repeat rows, and the newer one is
 * right. merge writes these rows and summary counts them; both must agree
 * on which row wins, so the rule lives here once: bundles in export order
 * (as open_bundles sorts them), the last row for a key wins.
 */
#include "records.h"

#include "alloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct Collect {
    SummaryRow *rows;
    size_t n, cap;
    int64_t rank;
} Collect;

static void free_row(SummaryRow *r)
{
    for (int i = 0; i < 7; i++) dh_free(r->text[i]);
}

static dh_Status on_row(const dh_ExportRow *row, void *ctx, dh_Error *err)
{
    Collect *c = ctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        SummaryRow *r = dh_realloc(c->rows, cap * sizeof *r);
        if (!r) return dh_fail(err, DH_ENOMEM, "out of memory reading summaries");
        c->rows = r;
        c->cap = cap;
    }
    SummaryRow *r = &c->rows[c->n];
    memset(r, 0, sizeof *r);
    r->r = *row;
    const char *src[7] = {row->trainee_id, row->name, row->unit, row->nation,
                          row->course_id, row->version, row->kiosk_id};
    for (int i = 0; i < 7; i++)
        if (!(r->text[i] = dh_strdup(src[i]))) {
            free_row(r);
            return dh_fail(err, DH_ENOMEM, "out of memory reading summaries");
        }
    r->r.trainee_id = r->text[0];
    r->r.name = r->text[1];
    r->r.unit = r->text[2];
    r->r.nation = r->text[3];
    r->r.course_id = r->text[4];
    r->r.version = r->text[5];
    r->r.kiosk_id = r->text[6];
    r->rank = c->rank++;
    c->n++;
    return DH_OK;
}

static int cmp_key(const SummaryRow *x, const SummaryRow *y)
{
    int d;
    if ((d = strcmp(x->r.trainee_id, y->r.trainee_id))) return d;
    if ((d = strcmp(x->r.course_id, y->r.course_id))) return d;
    if ((d = strcmp(x->r.version, y->r.version))) return d;
    return strcmp(x->r.kiosk_id, y->r.kiosk_id);
}

static int cmp_row(const void *a, const void *b)
{
    const SummaryRow *x = a, *y = b;
    int d = cmp_key(x, y);
    if (d) return d;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

dh_Status collect_summary(dh_Bundle **b, int n, SummaryRow **out, size_t *nout, dh_Error *err)
{
    Collect c = {0};
    dh_Status s = DH_OK;
    *out = NULL;
    *nout = 0;
    for (int i = 0; i < n && !s; i++) {
        s = dh_bundle_summary_each(b[i], on_row, &c, err);
        if (s && !strstr(err->msg, dh_bundle_dir(b[i]))) {
            char why[sizeof err->msg], buf[sizeof err->msg + 300];
            snprintf(why, sizeof why, "%s", describe_error(err, buf, sizeof buf));
            dh_fail(err, s, "%s: %s", dh_bundle_dir(b[i]), why);
        }
    }
    if (s) {
        free_summary(c.rows, c.n);
        return s;
    }
    qsort(c.rows, c.n, sizeof *c.rows, cmp_row);
    size_t k = 0;
    for (size_t i = 0; i < c.n; i++) {
        if (i + 1 < c.n && cmp_key(&c.rows[i], &c.rows[i + 1]) == 0) {
            free_row(&c.rows[i]); /* a newer bundle has this row */
            continue;
        }
        c.rows[k++] = c.rows[i];
    }
    *out = c.rows;
    *nout = k;
    return DH_OK;
}

void free_summary(SummaryRow *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) free_row(&rows[i]);
    dh_free(rows);
}
