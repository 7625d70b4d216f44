/* cmd_merge: `drillhall-records merge`, many bundles into one.
 *
 * Officers collect an incremental bundle from each kiosk on every visit and
 * want one set of records. Merging keeps each statement once (ids never
 * change, so the same statement exported twice is the same statement) and
 * refuses a statement id that comes with two different contents, naming
 * both bundles: that is damage or tampering, and silently picking one would
 * hide it. Inputs are verified first and read in export order, so the
 * statements of each kiosk stay in journal order. The summary keeps, for
 * each kiosk, trainee and course version, the row of the newest bundle.
 * The result is itself a bundle (kind "merge"), signed with the officer's
 * key when one is given.
 */
#define _POSIX_C_SOURCE 200809L

#include "records.h"

#include "alloc.h"
#include "csv.h"
#include "export.h"
#include "xapi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
    printf("Usage: drillhall-records merge BUNDLE... -o OUT [--key SECRET_KEY]\n"
           "                                [-p PUB]... [--trusted FILE] [--programme IRI]\n"
           "\n"
           "Verify the bundles and combine them into the new bundle folder OUT: each\n"
           "statement once (by id), the newest summary row of each kiosk, trainee and\n"
           "course version. A statement id whose content differs between two bundles is\n"
           "an error naming both, and nothing is written.\n"
           "\n"
           "  -o, --out OUT       the bundle folder to create (must not exist)\n"
           "  --key SECRET_KEY    sign the result with this minisign secret key (an encrypted\n"
           "                      key's password comes from %s or is asked for);\n"
           "                      without it the result is unsigned\n"
           "  -p, --pubkey PUB    trusted public key; repeatable (see 'verify --help')\n"
           "  --trusted FILE      trusted keys per kiosk\n"
           "  --programme IRI     the programme of the result (default: the inputs' own,\n"
           "                      when they agree)\n",
           DH_SIG_PASSWORD_ENV);
}

typedef struct Merge {
    dh_Bundle **bundles;
    int nbundles;
    int current;                 /* bundle being read */
    dh_IdMap *ids;
    dh_ExportWriter *w;
    int64_t written, duplicates;
    int64_t first_ms, last_ms;
    SummaryRow *rows;            /* newest row per kiosk, trainee and course version */
    size_t nrows;
} Merge;

static dh_Status on_statement(const dh_BundleStatement *st, void *ctx, dh_Error *err)
{
    Merge *m = ctx;
    dh_IdValue v = {.source = (uint32_t)m->current, .index = st->index}, old;
    dh_Status s = dh_bundle_statement_digest(st, v.digest, err);
    bool found;
    if (!s) s = dh_idmap_put(m->ids, st->id, &v, &found, &old, err);
    if (s) return s;
    if (found) {
        if (memcmp(old.digest, v.digest, sizeof v.digest) == 0) {
            m->duplicates++;
            return DH_OK;
        }
        return dh_fail(err, DH_EINVALID,
                       "statement %s differs between %s (statement %lld) and %s (statement "
                       "%lld): a statement never changes once made, so one of them was altered; "
                       "nothing was written",
                       st->id, dh_bundle_dir(m->bundles[old.source]), (long long)old.index + 1,
                       dh_bundle_dir(m->bundles[m->current]), (long long)st->index + 1);
    }
    dh_export_writer_put(m->w, m->written ? ",\n" : "\n", m->written ? 2 : 1);
    dh_export_writer_put(m->w, st->text, st->len);
    if ((s = dh_export_writer_check(m->w, err))) return s;
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(st->json, "timestamp");
    int64_t ms;
    if (cJSON_IsString(ts) && dh_bundle_parse_time(ts->valuestring, &ms)) {
        if (!m->written || ms < m->first_ms) m->first_ms = ms;
        if (!m->written || ms > m->last_ms) m->last_ms = ms;
    } else {
        return dh_fail(err, DH_EFORMAT, "%s: statement %s has no UTC \"timestamp\"",
                       dh_bundle_dir(m->bundles[m->current]), st->id);
    }
    m->written++;
    return DH_OK;
}

/* Sources of the result: each input kiosk bundle, or a merged input's own. */
static dh_Status collect_sources(Merge *m, dh_ExportSource **out, int *n, dh_Error *err)
{
    int cap = 0;
    for (int i = 0; i < m->nbundles; i++) {
        const dh_BundleInfo *in = dh_bundle_info(m->bundles[i]);
        cap += in->merged ? in->nsources : 1;
    }
    dh_ExportSource *src = dh_calloc((size_t)(cap ? cap : 1), sizeof *src);
    if (!src) return dh_fail(err, DH_ENOMEM, "out of memory merging");
    int k = 0;
    for (int i = 0; i < m->nbundles; i++) {
        const dh_BundleInfo *in = dh_bundle_info(m->bundles[i]);
        dh_ExportSource one;
        int count = in->merged ? in->nsources : 1;
        for (int j = 0; j < count; j++) {
            if (in->merged) {
                one = in->sources[j];
            } else {
                memset(&one, 0, sizeof one);
                snprintf(one.export_id, sizeof one.export_id, "%s", in->export_id);
                snprintf(one.kiosk_id, sizeof one.kiosk_id, "%s", in->kiosk_id);
                snprintf(one.key_id, sizeof one.key_id, "%s", in->key_id);
                one.statements = in->statements;
            }
            bool dup = false;
            for (int x = 0; x < k && !dup; x++) dup = strcmp(src[x].export_id, one.export_id) == 0;
            if (!dup) src[k++] = one;
        }
    }
    *out = src;
    *n = k;
    return DH_OK;
}

static dh_Status write_summary(Merge *m, int64_t *rows, int64_t *trainees, dh_Error *err)
{
    dh_Status s = collect_summary(m->bundles, m->nbundles, &m->rows, &m->nrows, err);
    dh_Buf line = {0};
    if (!s) s = dh_export_writer_open(m->w, DH_EXPORT_SUMMARY, err);
    if (!s) s = dh_export_summary_row(&line, NULL, err);
    if (!s) dh_export_writer_put(m->w, line.p, line.n);
    *rows = *trainees = 0;
    const char *last = NULL;
    for (size_t i = 0; !s && i < m->nrows; i++) {
        line.n = 0;
        if ((s = dh_export_summary_row(&line, &m->rows[i].r, err))) break;
        dh_export_writer_put(m->w, line.p, line.n);
        s = dh_export_writer_check(m->w, err);
        (*rows)++;
        if (!last || strcmp(last, m->rows[i].r.trainee_id) != 0) (*trainees)++; /* sorted by trainee */
        last = m->rows[i].r.trainee_id;
    }
    dh_buf_free(&line);
    if (!s) s = dh_export_writer_close(m->w, err);
    return s;
}

int cmd_merge(int argc, char **argv)
{
    const char *cmd = argv[0], *out = NULL, *key = NULL, *programme = NULL;
    dh_Trust *trust = NULL;
    dh_Error err;
    char buf[1200];
    if (dh_trust_new(&trust, &err)) {
        tool_error("%s", err.msg);
        return 1;
    }
    int n = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int t;
        if (opt_is(a, "--help", "-h")) {
            usage();
            dh_trust_free(trust);
            return 0;
        }
        if ((t = trust_option(argc, argv, &i, cmd, trust)) == 1) continue;
        if (t == 2) goto usage_fail;
        if (opt_is(a, "--out", "-o")) {
            if (!(out = opt_value(argc, argv, &i, cmd))) goto usage_fail;
        } else if (opt_is(a, "--key", "-s")) {
            if (!(key = opt_value(argc, argv, &i, cmd))) goto usage_fail;
        } else if (opt_is(a, "--programme", NULL)) {
            if (!(programme = opt_value(argc, argv, &i, cmd))) goto usage_fail;
        } else if (a[0] == '-') {
            dh_trust_free(trust);
            return usage_error(cmd, "unknown option '%s'", a);
        } else {
            argv[++n] = argv[i];
        }
    }
    if (!out || n == 0) {
        dh_trust_free(trust);
        return usage_error(cmd, "%s", "name the bundles and the new bundle folder (-o OUT)");
    }

    dh_SecretKey sk;
    memset(&sk, 0, sizeof sk);
    if (key && dh_sig_secret_read(&sk, key, &err) != DH_OK) {
        tool_error("merge: %s", describe_error(&err, buf, sizeof buf));
        dh_trust_free(trust);
        return 1;
    }
    Merge m;
    memset(&m, 0, sizeof m);
    int rc = open_bundles(argv + 1, n, trust, false, &m.bundles);
    dh_trust_free(trust);
    if (rc) {
        dh_sig_secret_wipe(&sk);
        return rc;
    }
    m.nbundles = n;

    /* The programme: given, or the inputs' own when they agree. */
    bool differ = false;
    if (!programme) {
        programme = dh_bundle_info(m.bundles[0])->programme;
        for (int i = 1; i < n; i++)
            if (strcmp(dh_bundle_info(m.bundles[i])->programme, programme) != 0) differ = true;
        if (differ) {
            tool_error("merge: warning: the bundles name different programmes; the result names "
                       "none (use --programme IRI to name one)");
            programme = NULL;
        }
    }

    dh_ExportSource *sources = NULL;
    int nsources = 0;
    int64_t rows = 0, trainees = 0;
    int64_t now = now_ms();
    char export_id[DH_EXPORT_ID_MAX + 1], ts[DH_XAPI_TIMESTAMP_LEN + 1];
    dh_xapi_timestamp(ts, now);
    snprintf(export_id, sizeof export_id, "%smerge-%.4s%.2s%.2sT%.2s%.2s%.2sZ", DH_EXPORT_PREFIX, ts,
             ts + 5, ts + 8, ts + 11, ts + 14, ts + 17);
    dh_Status s = dh_idmap_new(&m.ids, &err);
    if (!s) s = dh_export_writer_new(&m.w, out, &err);
    if (!s) s = dh_export_writer_open(m.w, DH_EXPORT_STATEMENTS, &err);
    if (!s) dh_export_writer_put(m.w, "[", 1);
    for (int i = 0; i < n && !s; i++) {
        m.current = i;
        s = dh_bundle_statements_each(m.bundles[i], on_statement, &m, &err);
        if (s && s != DH_EINVALID && s != DH_ENOMEM && !strstr(err.msg, dh_bundle_dir(m.bundles[i]))) {
            char why[sizeof err.msg];
            snprintf(why, sizeof why, "%s", describe_error(&err, buf, sizeof buf));
            s = dh_fail(&err, s, "%s: %s", dh_bundle_dir(m.bundles[i]), why);
        }
    }
    if (!s) {
        dh_export_writer_put(m.w, m.written ? "\n]\n" : "]\n", m.written ? 3 : 2);
        s = dh_export_writer_close(m.w, &err);
    }
    if (!s) s = write_summary(&m, &rows, &trainees, &err);
    if (!s) s = collect_sources(&m, &sources, &nsources, &err);
    char keyid[DH_SIG_KEYID_HEX] = "";
    if (!s && key) {
        dh_PublicKey pk;
        char b64[DH_SIG_PUBLIC_B64], text[512];
        dh_sig_secret_public(&sk, &pk);
        dh_sig_keyid_hex(pk.keyid, keyid);
        int len = snprintf(text, sizeof text,
                           "untrusted comment: drillhall-records merge key %s\n%s\n", keyid,
                           dh_sig_public_base64(&pk, b64));
        s = dh_export_writer_open(m.w, DH_EXPORT_SIGNER_PUB, &err);
        if (!s) {
            dh_export_writer_put(m.w, text, (size_t)len);
            s = dh_export_writer_close(m.w, &err);
        }
    }
    if (!s) {
        dh_ExportManifest man = {
            .merged = true, .export_id = export_id, .key_id = key ? keyid : NULL,
            .programme = programme, .exported_ms = now, .statements = m.written,
            .first_ms = m.first_ms, .last_ms = m.last_ms, .rows = rows, .trainees = trainees,
            .sources = sources, .nsources = nsources};
        char comment[512];
        snprintf(comment, sizeof comment, "timestamp:%lld\tfile:%s\tmerge:%s\tsources:%d",
                 (long long)(now / 1000), DH_EXPORT_MANIFEST, export_id, nsources);
        s = dh_export_writer_commit(m.w, &man, key ? &sk : NULL, comment,
                                    "signature from drillhall-records merge key", &err);
    }
    dh_sig_secret_wipe(&sk);
    if (s) {
        tool_error("merge: %s", describe_error(&err, buf, sizeof buf));
        rc = 1;
    } else {
        printf("%s: %lld statement%s from %d bundle%s (%lld duplicate%s left out), %lld summary "
               "row%s, %s\n",
               out, (long long)m.written, m.written == 1 ? "" : "s", n, n == 1 ? "" : "s",
               (long long)m.duplicates, m.duplicates == 1 ? "" : "s", (long long)rows,
               rows == 1 ? "" : "s", key ? "signed" : "unsigned (no --key)");
    }
    dh_export_writer_free(m.w);
    dh_idmap_free(m.ids);
    free_summary(m.rows, m.nrows);
    dh_free(sources);
    close_bundles(m.bundles, n);
    return rc;

usage_fail:
    dh_trust_free(trust);
    return 2;
}
