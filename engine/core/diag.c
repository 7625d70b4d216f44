/* diag: recording, ordering and printing authoring diagnostics.
 *
 * Recording never fails from the caller's point of view: a diagnostic that
 * cannot be stored (out of memory, or past DH_DIAGS_MAX) is counted in
 * `dropped`, and the severity counters still move, so an error is never lost
 * even when its text is.
 */
#include "diag.h"

#include "alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dh_diags_init(dh_Diags *d)
{
    memset(d, 0, sizeof *d);
}

void dh_diags_free(dh_Diags *d)
{
    for (int i = 0; i < d->count; i++) {
        dh_free(d->items[i].file);
        dh_free(d->items[i].msg);
    }
    dh_free(d->items);
    dh_diags_init(d);
}

void dh_diagv(dh_Diags *d, dh_Severity sev, const char *file, int line, int col,
              const char *fmt, va_list ap)
{
    if (sev == DH_ERROR) d->raised++;
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    /* The same problem found by two checks (say, a file's hash by the loader
     * and by the manifest check) is reported once. */
    for (int i = 0; i < d->count; i++) {
        const dh_Diag *g = &d->items[i];
        if (g->severity == sev && g->line == line && g->col == col && !strcmp(g->msg, buf) &&
            !strcmp(g->file ? g->file : "", file ? file : ""))
            return;
    }
    if (sev == DH_ERROR) d->errors++;
    if (sev == DH_WARNING) d->warnings++;
    if (d->count >= DH_DIAGS_MAX) {
        d->dropped++;
        return;
    }
    if (d->count == d->cap) {
        int cap = d->cap ? d->cap * 2 : 16;
        dh_Diag *items = dh_realloc(d->items, (size_t)cap * sizeof *items);
        if (!items) {
            d->oom = true;
            d->dropped++;
            return;
        }
        d->items = items;
        d->cap = cap;
    }
    dh_Diag *g = &d->items[d->count];
    g->severity = sev;
    g->line = line;
    g->col = col;
    g->msg = dh_strdup(buf);
    g->file = file ? dh_strdup(file) : NULL;
    if (!g->msg || (file && !g->file)) {
        dh_free(g->msg);
        dh_free(g->file);
        d->oom = true;
        d->dropped++;
        return;
    }
    d->count++;
}

void dh_diag(dh_Diags *d, dh_Severity sev, const char *file, int line, int col,
             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dh_diagv(d, sev, file, line, col, fmt, ap);
    va_end(ap);
}

void dh_diag_error(dh_Diags *d, const dh_Error *err)
{
    dh_diag(d, DH_ERROR, err->file[0] ? err->file : NULL, err->line, err->col, "%s", err->msg);
}

static int cmp_diag(const dh_Diag *a, const dh_Diag *b)
{
    int c = strcmp(a->file ? a->file : "", b->file ? b->file : "");
    if (c) return c;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    if (a->col != b->col) return a->col < b->col ? -1 : 1;
    return 0;
}

void dh_diags_sort(dh_Diags *d)
{
    /* Insertion sort: stable, and lists are short (capped). */
    for (int i = 1; i < d->count; i++) {
        dh_Diag key = d->items[i];
        int j = i - 1;
        while (j >= 0 && cmp_diag(&d->items[j], &key) > 0) {
            d->items[j + 1] = d->items[j];
            j--;
        }
        d->items[j + 1] = key;
    }
}

static const char *severity_name(dh_Severity s)
{
    return s == DH_ERROR ? "error" : s == DH_WARNING ? "warning" : "note";
}

void dh_diags_print(const dh_Diags *d, FILE *out, const char *prefix)
{
    for (int i = 0; i < d->count; i++) {
        const dh_Diag *g = &d->items[i];
        const char *sep = prefix && g->file ? "/" : "";
        const char *pre = prefix ? prefix : "";
        const char *file = g->file ? g->file : "";
        if (g->file && g->line > 0)
            fprintf(out, "%s%s%s:%d:%d: %s: %s\n", pre, sep, file, g->line, g->col,
                    severity_name(g->severity), g->msg);
        else if (g->file || prefix)
            fprintf(out, "%s%s%s: %s: %s\n", pre, sep, file, severity_name(g->severity), g->msg);
        else
            fprintf(out, "%s: %s\n", severity_name(g->severity), g->msg);
    }
    if (d->dropped)
        fprintf(out, "%s%snote: %d more diagnostic%s not shown%s\n", prefix ? prefix : "",
                prefix ? ": " : "", d->dropped, d->dropped == 1 ? "" : "s",
                d->oom ? " (out of memory)" : "");
}

/* ---- suggestions ------------------------------------------------------------- */

/* Levenshtein distance, or any value above `cap` once it is sure to exceed
 * it: a row whose minimum is above cap can only grow. That, and skipping
 * names whose lengths differ by more than cap, keeps a suggestion among
 * thousands of names cheap. 99 for names too long to bother with. */
static int edit_distance(const char *a, size_t la, const char *b, int cap)
{
    size_t lb = strlen(b);
    if (la > 64 || lb > 64) return 99;
    if ((la > lb ? la - lb : lb - la) > (size_t)cap) return cap + 1;
    int row[65];
    for (size_t k = 0; k <= lb; k++) row[k] = (int)k;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0], low;
        low = row[0] = (int)i;
        for (size_t k = 1; k <= lb; k++) {
            int cur = row[k];
            int sub = prev + (a[i - 1] != b[k - 1]);
            int del = row[k] + 1, ins = row[k - 1] + 1;
            row[k] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            if (row[k] < low) low = row[k];
            prev = cur;
        }
        if (low > cap) return cap + 1;
    }
    return row[lb];
}

void dh_suggest_init(dh_Suggest *s, const char *name, size_t len)
{
    s->name = name;
    s->len = len;
    s->best = NULL;
    /* Close enough to be a typo: at most 2 edits, and fewer than the length. */
    s->best_d = len <= 2 ? (int)len : 3;
}

void dh_suggest_try(dh_Suggest *s, const char *cand)
{
    if (!cand || !cand[0] || s->best_d == 0) return;
    int d = edit_distance(s->name, s->len, cand, s->best_d - 1);
    if (d < s->best_d) {
        s->best_d = d;
        s->best = cand;
    }
}

const char *dh_suggest_text(const dh_Suggest *s, char *buf, size_t size)
{
    if (!s->best) return "";
    snprintf(buf, size, " (did you mean '%s'?)", s->best);
    return buf;
}

const char *dh_suggest(const char *name, const char *const *names, int n, char *buf, size_t size)
{
    dh_Suggest sg;
    dh_suggest_init(&sg, name, strlen(name));
    for (int i = 0; i < n; i++) dh_suggest_try(&sg, names[i]);
    buf[0] = '\0';
    return dh_suggest_text(&sg, buf, size);
}

const char *dh_join_names(const char *const *names, int n, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);
        if (w < 0 || (size_t)w >= size - used) {
            if (size > 4) strcpy(buf + size - 4, "...");
            break;
        }
        used += (size_t)w;
    }
    return buf;
}
