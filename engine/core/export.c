/* export: write a kiosk's journal as a signed bundle directory.
 *
 * The order of work is what makes an export safe on a cheap USB stick that
 * may be full, write-protected or pulled out: everything is written into a
 * hidden temporary directory beside the final one, each file is fsynced as
 * it is closed, the directory too, and one rename makes the bundle appear
 * whole. Only then does the store record which statements the bundle took;
 * a failure at any earlier point removes the temporary directory and
 * leaves the store as it was, so the next export simply tries again. The
 * journal is streamed from SQLite straight into statements.json (hashed on
 * the way) with one statement in memory at a time; statements and summary
 * come from one read snapshot so that they describe the same moment.
 */
#define _POSIX_C_SOURCE 200809L

#include "export.h"

#include "alloc.h"
#include "csv.h"
#include "xapi.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *const dh_export_summary_columns[DH_EXPORT_SUMMARY_COLUMNS] = {
    "trainee_id", "name", "unit", "nation", "course_id", "version", "status",
    "score", "passed", "completed_at", "time_spent_s", "attempts", "kiosk_id"};

#define WRITE_BUFFER (256 * 1024) /* stdio buffer of each bundle file */
#define PROGRESS_EVERY 1000       /* statements between progress reports */

/* ---- names and times ------------------------------------------------------------ */

bool dh_export_id(char out[DH_EXPORT_ID_MAX + 1], const char *kiosk_id, int64_t now_ms)
{
    char ts[DH_XAPI_TIMESTAMP_LEN + 1];
    if (!kiosk_id || strlen(kiosk_id) < 8 || !dh_xapi_timestamp(ts, now_ms)) return false;
    /* "2026-11-28T06:15:00.123Z" -> "20261128T061500Z" */
    snprintf(out, DH_EXPORT_ID_MAX + 1, "%s%.8s-%.4s%.2s%.2sT%.2s%.2s%.2sZ", DH_EXPORT_PREFIX,
             kiosk_id, ts, ts + 5, ts + 8, ts + 11, ts + 14, ts + 17);
    return true;
}

/* ---- errors a medium gives ---------------------------------------------------------- */

/* A sentence for an errno met while writing file (NULL: the folder itself)
 * of the bundle at path. */
static dh_Status write_fail(dh_Error *err, const char *path, const char *file, int e)
{
    const char *why;
    switch (e) {
    case ENOSPC:
#ifdef EDQUOT
    case EDQUOT:
#endif
        why = "the disk or USB stick is full; free some space or use a larger stick";
        break;
    case EFBIG:
        why = "the file would be larger than this medium or system allows (FAT32 sticks hold "
              "files of at most 4 GiB); use a stick formatted as exFAT or ext4";
        break;
    case EROFS:
        why = "the medium is read-only (is the stick's write-protect switch on?)";
        break;
    case EACCES:
    case EPERM:
        why = "permission denied; choose a folder you may write to";
        break;
    case EIO:
        why = "the medium reported an error (was it removed, or is it failing?)";
        break;
    default:
        why = strerror(e);
        break;
    }
    return dh_fail(err, DH_EIO, "cannot write %s%s%s: %s; nothing was written", path,
                   file ? "/" : "", file ? file : "", why);
}

dh_Status dh_export_file_sha256(const char *path, char hex[65], int64_t *bytes, dh_Error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return dh_fail(err, DH_EIO, "cannot read %s: %s", path, strerror(errno));
    crypto_hash_sha256_state sha;
    crypto_hash_sha256_init(&sha);
    unsigned char buf[65536];
    int64_t total = 0;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        crypto_hash_sha256_update(&sha, buf, n);
        total += (int64_t)n;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) return dh_fail(err, DH_EIO, "cannot read %s: the medium reported an error", path);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&sha, h);
    sodium_bin2hex(hex, 65, h, sizeof h);
    if (bytes) *bytes = total;
    return DH_OK;
}

/* ---- summary rows -------------------------------------------------------------------- */

dh_Status dh_export_summary_row(dh_Buf *buf, const dh_ExportRow *row, dh_Error *err)
{
    dh_CsvRow r;
    dh_csv_row_begin(&r, buf);
    if (!row) {
        for (int i = 0; i < DH_EXPORT_SUMMARY_COLUMNS; i++) dh_csv_plain(&r, dh_export_summary_columns[i]);
    } else {
        dh_csv_text(&r, row->trainee_id);
        dh_csv_text(&r, row->name);
        dh_csv_text(&r, row->unit);
        dh_csv_text(&r, row->nation);
        dh_csv_text(&r, row->course_id);
        dh_csv_text(&r, row->version);
        dh_csv_plain(&r, dh_progress_status_name(row->status));
        if (row->has_score) dh_csv_number(&r, row->score);
        else dh_csv_empty(&r);
        dh_csv_plain(&r, row->passed ? "true" : "false");
        char ts[DH_XAPI_TIMESTAMP_LEN + 1];
        if (row->completed_ms > 0 && dh_xapi_timestamp(ts, row->completed_ms)) dh_csv_plain(&r, ts);
        else dh_csv_empty(&r);
        dh_csv_number(&r, (double)(row->time_ms > 0 ? row->time_ms : 0) / 1000.0);
        dh_csv_int(&r, row->attempts);
        dh_csv_text(&r, row->kiosk_id);
    }
    dh_csv_row_end(&r);
    return buf->oom ? dh_fail(err, DH_ENOMEM, "out of memory writing the summary") : DH_OK;
}

/* ---- manifest ------------------------------------------------------------------------- */

static void json_time(dh_Buf *b, int64_t ms, bool have)
{
    char ts[DH_XAPI_TIMESTAMP_LEN + 1];
    if (have && dh_xapi_timestamp(ts, ms)) dh_buf_json_string(b, ts);
    else dh_buf_puts(b, "null");
}

static void json_opt(dh_Buf *b, const char *s)
{
    dh_buf_json_string(b, s && s[0] ? s : NULL);
}

dh_Status dh_export_manifest_text(dh_Buf *b, const dh_ExportManifest *m, dh_Error *err)
{
    dh_buf_printf(b, "{\n  \"format\": %d,\n  \"kind\": \"%s\",\n  \"generator\": ",
                  DH_EXPORT_FORMAT, m->merged ? "merge" : "kiosk");
    dh_buf_json_string(b, "Drillhall " DH_VERSION);
    dh_buf_puts(b, ",\n  \"export_id\": ");
    dh_buf_json_string(b, m->export_id);
    dh_buf_puts(b, ",\n  \"kiosk_id\": ");
    json_opt(b, m->merged ? NULL : m->kiosk_id);
    dh_buf_puts(b, ",\n  \"key_id\": ");
    json_opt(b, m->key_id);
    dh_buf_puts(b, ",\n  \"programme\": ");
    json_opt(b, m->programme);
    dh_buf_puts(b, ",\n  \"exported\": ");
    json_time(b, m->exported_ms, true);
    dh_buf_printf(b, ",\n  \"incremental\": %s", m->incremental && !m->merged ? "true" : "false");
    dh_buf_puts(b, ",\n  \"first_statement\": ");
    json_time(b, m->first_ms, m->statements > 0);
    dh_buf_puts(b, ",\n  \"last_statement\": ");
    json_time(b, m->last_ms, m->statements > 0);
    dh_buf_printf(b,
                  ",\n  \"counts\": {\"statements\": %lld, \"summary_rows\": %lld, "
                  "\"trainees\": %lld}",
                  (long long)m->statements, (long long)m->rows, (long long)m->trainees);
    if (!m->merged) {
        dh_buf_printf(b, ",\n  \"journal\": {\"first_seq\": %lld, \"last_seq\": %lld}",
                      (long long)m->first_seq, (long long)m->last_seq);
    } else {
        dh_buf_puts(b, ",\n  \"sources\": [");
        for (int i = 0; i < m->nsources; i++) {
            const dh_ExportSource *src = &m->sources[i];
            dh_buf_puts(b, i ? ",\n    {\"export_id\": " : "\n    {\"export_id\": ");
            dh_buf_json_string(b, src->export_id);
            dh_buf_puts(b, ", \"kiosk_id\": ");
            json_opt(b, src->kiosk_id);
            dh_buf_puts(b, ", \"key_id\": ");
            json_opt(b, src->key_id);
            dh_buf_printf(b, ", \"statements\": %lld}", (long long)src->statements);
        }
        dh_buf_puts(b, m->nsources ? "\n  ]" : "]");
    }
    dh_buf_puts(b, ",\n  \"files\": [");
    for (int i = 0; i < m->nfiles; i++) {
        dh_buf_puts(b, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        dh_buf_json_string(b, m->files[i].name);
        dh_buf_printf(b, ", \"bytes\": %lld, \"sha256\": ", (long long)m->files[i].bytes);
        dh_buf_json_string(b, m->files[i].sha256);
        dh_buf_puts(b, "}");
    }
    dh_buf_puts(b, "\n  ]\n}\n");
    return b->oom ? dh_fail(err, DH_ENOMEM, "out of memory writing the manifest") : DH_OK;
}

/* ---- the bundle writer ----------------------------------------------------------------- */

#define MAX_FILES 8

struct dh_ExportWriter {
    char path[DH_STORE_PATH_MAX];  /* final directory */
    char parent[DH_STORE_PATH_MAX];/* its parent, synced after the rename */
    char tmp[DH_STORE_PATH_MAX];   /* hidden temporary directory, "" once renamed or removed */
    FILE *f;                       /* current file, NULL between files */
    char *vbuf;                    /* its stdio buffer */
    dh_ExportFile cur;             /* its name and running size */
    crypto_hash_sha256_state sha;
    int error;                     /* first errno of the current file */
    dh_ExportFile files[MAX_FILES];
    int nfiles;
    int unconfirmed;          /* errno of syncing the parent after the rename, 0: durable */
    bool committed;
};

/* fsync a directory: 0, or the errno. Some file systems cannot sync a
 * directory at all (EINVAL): that counts as done, the files are synced. */
static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    int e = fsync(fd) == 0 || errno == EINVAL ? 0 : errno;
    close(fd);
    return e;
}

/* Remove the temporary directory and what is in it (only files we made). */
static void remove_tmp(const char *tmp)
{
    DIR *d = opendir(tmp);
    if (d) {
        struct dirent *e;
        char path[DH_STORE_PATH_MAX + 256];
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            snprintf(path, sizeof path, "%s/%s", tmp, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(tmp);
}

dh_Status dh_export_writer_new(dh_ExportWriter **out, const char *path, dh_Error *err)
{
    *out = NULL;
    if (sodium_init() < 0) return dh_fail(err, DH_EINVAL, "libsodium failed to start");
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--;
    if (n == 0 || n > DH_STORE_PATH_MAX - DH_EXPORT_ID_MAX - 32)
        return dh_fail(err, DH_EINVAL, "cannot write a bundle at '%s': the path is empty or too long",
                       path);
    dh_ExportWriter *w = dh_calloc(1, sizeof *w);
    if (!w) return dh_fail(err, DH_ENOMEM, "out of memory writing %s", path);
    memcpy(w->path, path, n);
    w->path[n] = '\0';
    const char *slash = strrchr(w->path, '/');
    const char *base = slash ? slash + 1 : w->path;
    if (!slash) snprintf(w->parent, sizeof w->parent, ".");
    else if (slash == w->path) snprintf(w->parent, sizeof w->parent, "/");
    else snprintf(w->parent, sizeof w->parent, "%.*s", (int)(slash - w->path), w->path);
    struct stat sb;
    if (!base[0] || !strcmp(base, ".") || !strcmp(base, "..")) {
        dh_free(w);
        return dh_fail(err, DH_EINVAL, "cannot write a bundle at '%s': name a new folder", path);
    }
    if (lstat(w->path, &sb) == 0) {
        dh_free(w);
        return dh_fail(err, DH_EUNSAFE, "cannot write %s: it already exists; nothing was written",
                       path);
    }
    errno = 0;
    if (stat(w->parent, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        int e = errno;
        dh_Status s = e == ENOENT || e == 0 || e == ENOTDIR
                          ? dh_fail(err, DH_EIO,
                                    "cannot write %s: the folder %s does not exist (is the stick "
                                    "mounted?)",
                                    path, w->parent)
                          : write_fail(err, path, NULL, e);
        dh_free(w);
        return s;
    }
    int n_tmp = snprintf(w->tmp, sizeof w->tmp, "%s/.%s.tmp-XXXXXX", w->parent, base);
    if (n_tmp < 0 || (size_t)n_tmp >= sizeof w->tmp || !mkdtemp(w->tmp)) {
        int e = errno;
        dh_free(w);
        return write_fail(err, path, NULL, e);
    }
    *out = w;
    return DH_OK;
}

const char *dh_export_writer_path(const dh_ExportWriter *w)
{
    return w->path;
}

static void close_current(dh_ExportWriter *w)
{
    if (w->f) fclose(w->f);
    w->f = NULL;
    dh_free(w->vbuf);
    w->vbuf = NULL;
}

dh_Status dh_export_writer_open(dh_ExportWriter *w, const char *name, dh_Error *err)
{
    DH_ASSERT(!w->f && !w->committed && w->nfiles < MAX_FILES && strlen(name) < sizeof w->cur.name);
    memset(&w->cur, 0, sizeof w->cur);
    snprintf(w->cur.name, sizeof w->cur.name, "%s", name);
    w->error = 0;
    crypto_hash_sha256_init(&w->sha);
    char path[DH_STORE_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", w->tmp, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return write_fail(err, w->path, name, errno);
    w->f = fdopen(fd, "wb");
    if (!w->f) {
        int e = errno;
        close(fd);
        return write_fail(err, w->path, name, e);
    }
    w->vbuf = dh_malloc(WRITE_BUFFER); /* without it stdio's own small buffer does */
    if (w->vbuf) setvbuf(w->f, w->vbuf, _IOFBF, WRITE_BUFFER);
    return DH_OK;
}

void dh_export_writer_put(dh_ExportWriter *w, const void *data, size_t len)
{
    DH_ASSERT(w->f);
    if (w->error || len == 0) return;
    errno = 0;
    if (fwrite(data, 1, len, w->f) != len) {
        w->error = errno ? errno : EIO;
        return;
    }
    crypto_hash_sha256_update(&w->sha, data, len);
    w->cur.bytes += (int64_t)len;
}

int64_t dh_export_writer_bytes(const dh_ExportWriter *w)
{
    return w->cur.bytes;
}

dh_Status dh_export_writer_check(dh_ExportWriter *w, dh_Error *err)
{
    return w->error ? write_fail(err, w->path, w->cur.name, w->error) : DH_OK;
}

dh_Status dh_export_writer_close(dh_ExportWriter *w, dh_Error *err)
{
    DH_ASSERT(w->f);
    errno = 0;
    if (!w->error && fflush(w->f) != 0) w->error = errno ? errno : EIO;
    if (!w->error && fsync(fileno(w->f)) != 0) w->error = errno;
    errno = 0;
    if (fclose(w->f) != 0 && !w->error) w->error = errno ? errno : EIO;
    w->f = NULL;
    dh_free(w->vbuf);
    w->vbuf = NULL;
    if (w->error) return write_fail(err, w->path, w->cur.name, w->error);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&w->sha, h);
    sodium_bin2hex(w->cur.sha256, sizeof w->cur.sha256, h, sizeof h);
    w->files[w->nfiles++] = w->cur;
    return DH_OK;
}

static dh_Status write_whole(dh_ExportWriter *w, const char *name, const char *data, size_t len,
                             dh_Error *err)
{
    dh_Status s = dh_export_writer_open(w, name, err);
    if (s) return s;
    dh_export_writer_put(w, data, len);
    return dh_export_writer_close(w, err);
}

dh_Status dh_export_writer_commit(dh_ExportWriter *w, const dh_ExportManifest *m,
                                  const dh_SecretKey *sk, const char *trusted_comment,
                                  const char *untrusted_comment, dh_Error *err)
{
    DH_ASSERT(!w->f && !w->committed);
    dh_ExportManifest full = *m;
    full.files = w->files;
    full.nfiles = w->nfiles;
    dh_Buf text = {0};
    char *sig = NULL;
    dh_Status s = dh_export_manifest_text(&text, &full, err);
    if (!s && sk)
        s = dh_sig_sign_memory(text.p, text.n, sk, trusted_comment, untrusted_comment, &sig, err);
    if (!s) s = write_whole(w, DH_EXPORT_MANIFEST, text.p, text.n, err);
    if (!s && sig) s = write_whole(w, DH_EXPORT_SIGNATURE, sig, strlen(sig), err);
    dh_buf_free(&text);
    dh_free(sig);
    if (s) return s;
    (void)sync_dir(w->tmp); /* the files themselves were each synced */
    /* The bundle appears whole, or not at all. */
    if (rename(w->tmp, w->path) != 0) {
        int e = errno;
        if (e == EEXIST || e == ENOTEMPTY)
            return dh_fail(err, DH_EUNSAFE, "cannot write %s: it appeared meanwhile; nothing was written",
                           w->path);
        return write_fail(err, w->path, NULL, e);
    }
    w->committed = true;
    w->tmp[0] = '\0';
    w->unconfirmed = sync_dir(w->parent); /* the rename may not be on the medium yet */
    return DH_OK;
}

void dh_export_writer_free(dh_ExportWriter *w)
{
    if (!w) return;
    close_current(w);
    if (!w->committed && w->tmp[0]) remove_tmp(w->tmp);
    dh_free(w);
}

/* ---- the kiosk's export -------------------------------------------------------------- */

/* A range of journal positions the bundle took, for marking afterwards. */
typedef struct Run {
    int64_t first, last;
} Run;

typedef struct Export {
    const dh_ExportOptions *opt;
    const dh_Kiosk *kiosk;
    dh_ExportWriter *w;
    dh_Buf line;              /* scratch for one CSV row */
    int64_t total, done;
    int64_t first_ms, last_ms;
    int64_t first_seq, last_seq; /* journal range in the bundle */
    Run *runs;                /* ranges to mark: statements no export took yet */
    size_t nruns, cap_runs;
    int64_t rows, trainees;
    char last_trainee[DH_TRAINEE_ID_MAX + 1];
} Export;

static dh_Status add_seq(Export *x, int64_t seq, dh_Error *err)
{
    if (x->nruns > 0 && x->runs[x->nruns - 1].last + 1 == seq) {
        x->runs[x->nruns - 1].last = seq;
        return DH_OK;
    }
    if (x->nruns == x->cap_runs) {
        size_t cap = x->cap_runs ? x->cap_runs * 2 : 8;
        Run *r = dh_realloc(x->runs, cap * sizeof *r);
        if (!r) return dh_fail(err, DH_ENOMEM, "out of memory while exporting");
        x->runs = r;
        x->cap_runs = cap;
    }
    x->runs[x->nruns++] = (Run){seq, seq};
    return DH_OK;
}

static dh_Status cancelled(dh_Error *err)
{
    return dh_fail(err, DH_EINVAL, "the export was cancelled");
}

static dh_Status on_statement(const dh_StoredStatement *st, void *ctx, dh_Error *err)
{
    Export *x = ctx;
    dh_Status s = DH_OK;
    /* Only statements no export took yet are marked: --all does not
     * rewrite the marks (and so the rows) of the whole journal. */
    if (!st->export_id && (s = add_seq(x, st->seq, err))) return s;
    if (x->done == 0) x->first_seq = st->seq;
    x->last_seq = st->seq;
    dh_export_writer_put(x->w, x->done == 0 ? "\n" : ",\n", x->done == 0 ? 1 : 2);
    dh_export_writer_put(x->w, st->json, st->json_len);
    if ((s = dh_export_writer_check(x->w, err))) return s;
    if (x->done == 0 || st->timestamp_ms < x->first_ms) x->first_ms = st->timestamp_ms;
    if (x->done == 0 || st->timestamp_ms > x->last_ms) x->last_ms = st->timestamp_ms;
    x->done++;
    if (x->opt->progress && (x->done % PROGRESS_EVERY == 0 || x->done == x->total) &&
        !x->opt->progress(x->done, x->total, x->opt->progress_ctx))
        return cancelled(err);
    return DH_OK;
}

static dh_Status on_attempt(const dh_Trainee *t, const dh_Enrolment *e, void *ctx, dh_Error *err)
{
    Export *x = ctx;
    dh_ExportRow row = {
        .trainee_id = t->id, .name = t->name, .unit = t->unit, .nation = t->nation,
        .course_id = e->course_id, .version = e->course_version, .status = e->status,
        .has_score = e->has_score, .score = e->score, .passed = e->status == DH_PROGRESS_PASSED,
        .completed_ms = e->completed_ms, .time_ms = e->time_ms, .attempts = e->attempt,
        .kiosk_id = x->kiosk->id};
    x->line.n = 0;
    dh_Status s = dh_export_summary_row(&x->line, &row, err);
    if (s) return s;
    dh_export_writer_put(x->w, x->line.p, x->line.n);
    if ((s = dh_export_writer_check(x->w, err))) return s;
    x->rows++;
    if (strcmp(x->last_trainee, t->id) != 0) {
        x->trainees++;
        memcpy(x->last_trainee, t->id, sizeof x->last_trainee);
    }
    return DH_OK;
}

/* A programme IRI: a scheme, ':', then printable ASCII without spaces. */
static bool programme_ok(const char *p)
{
    size_t n = strlen(p);
    if (n > DH_EXPORT_IRI_MAX) return false;
    const char *colon = strchr(p, ':');
    if (!colon || colon == p) return false;
    for (const char *c = p; c < colon; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
              (c > p && ((*c >= '0' && *c <= '9') || *c == '+' || *c == '-' || *c == '.'))))
            return false;
    for (const char *c = p; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == 0x7f || *c == '"' || *c == '\\') return false;
    return true;
}

static dh_Status check_options(const dh_Kiosk *k, const dh_ExportOptions *o, dh_Error *err)
{
    if (!o || !o->out_dir || !o->out_dir[0])
        return dh_fail(err, DH_EINVAL, "cannot export: no folder to export to was given");
    if (strlen(o->out_dir) > DH_STORE_PATH_MAX - 2 * DH_EXPORT_ID_MAX - 64)
        return dh_fail(err, DH_EINVAL, "cannot export to %s: the path is too long", o->out_dir);
    if (!dh_uuid_valid(k->id))
        return dh_fail(err, DH_EINVAL, "cannot export: the kiosk identity has no valid kiosk id");
    if (o->programme && o->programme[0] && !programme_ok(o->programme))
        return dh_fail(err, DH_EINVAL,
                       "cannot export: the programme '%.80s' is not an IRI (like "
                       "https://example.org/programme), or is longer than %d characters",
                       o->programme, DH_EXPORT_IRI_MAX);
    struct stat sb;
    if (stat(o->out_dir, &sb) != 0) {
        if (errno == ENOENT)
            return dh_fail(err, DH_EIO,
                           "cannot export to %s: there is no such folder (is the stick mounted?)",
                           o->out_dir);
        return write_fail(err, o->out_dir, NULL, errno);
    }
    if (!S_ISDIR(sb.st_mode))
        return dh_fail(err, DH_EINVAL, "cannot export to %s: it is not a folder", o->out_dir);
    return DH_OK;
}

/* statements.json, then summary.csv, from the snapshot the caller opened. */
static dh_Status write_records(Export *x, dh_Store *store, const dh_StatementQuery *q,
                               dh_Error *err)
{
    dh_Status s = dh_export_writer_open(x->w, DH_EXPORT_STATEMENTS, err);
    if (s) return s;
    dh_export_writer_put(x->w, "[", 1);
    if (x->total == 0 && x->opt->progress && !x->opt->progress(0, 0, x->opt->progress_ctx))
        return cancelled(err);
    if ((s = dh_store_statements_each(store, q, on_statement, x, err))) return s;
    dh_export_writer_put(x->w, x->done ? "\n]\n" : "]\n", x->done ? 3 : 2);
    if ((s = dh_export_writer_close(x->w, err))) return s;

    if ((s = dh_export_writer_open(x->w, DH_EXPORT_SUMMARY, err))) return s;
    if ((s = dh_export_summary_row(&x->line, NULL, err))) return s;
    dh_export_writer_put(x->w, x->line.p, x->line.n);
    if ((s = dh_store_current_attempts_each(store, on_attempt, x, err))) return s;
    return dh_export_writer_close(x->w, err);
}

dh_Status dh_export_bundle(dh_Store *store, const dh_Kiosk *kiosk, const dh_ExportOptions *opt,
                           dh_ExportResult *res, dh_Error *err)
{
    dh_ExportResult local;
    if (!res) res = &local;
    memset(res, 0, sizeof *res);
    dh_Status s = check_options(kiosk, opt, err);
    if (s) return s;
    char export_id[DH_EXPORT_ID_MAX + 1];
    if (!dh_export_id(export_id, kiosk->id, opt->now_ms))
        return dh_fail(err, DH_EINVAL, "cannot export: the clock says %lld ms, which is not a date",
                       (long long)opt->now_ms);

    Export x;
    memset(&x, 0, sizeof x);
    x.opt = opt;
    x.kiosk = kiosk;
    if ((s = dh_store_snapshot_begin(store, err))) return s;
    dh_StatementQuery q = {.unexported = !opt->all};
    int64_t last_seq = 0;
    if ((s = dh_store_statements_count(store, &q, &x.total, &last_seq, err))) goto done;
    if (x.total == 0 && !opt->all) goto done; /* nothing new: nothing written */
    q.max_seq = last_seq;

    /* Two exports in one second get "-2", "-3", ... rather than failing. */
    char path[DH_STORE_PATH_MAX], base[DH_EXPORT_ID_MAX + 1];
    memcpy(base, export_id, sizeof base);
    for (int k = 1;; k++) {
        if (k > 1 && snprintf(export_id, sizeof export_id, "%.120s-%d", base, k) < 0) break;
        snprintf(path, sizeof path, "%s/%s", opt->out_dir, export_id);
        s = dh_export_writer_new(&x.w, path, err);
        if (s != DH_EUNSAFE || k == 99) break;
    }
    if (s) goto done;
    if ((s = write_records(&x, store, &q, err))) goto done;
    dh_store_snapshot_end(store);

    /* kiosk.pub: what the officer checks the signature against. */
    char b64[DH_SIG_PUBLIC_B64], keyid[DH_SIG_KEYID_HEX], text[512];
    int n = snprintf(text, sizeof text, "untrusted comment: drillhall kiosk %s public key %s\n%s\n",
                     kiosk->id, dh_sig_keyid_hex(kiosk->pk.keyid, keyid),
                     dh_sig_public_base64(&kiosk->pk, b64));
    if ((s = write_whole(x.w, DH_EXPORT_KIOSK_PUB, text, (size_t)n, err))) goto done;

    dh_ExportManifest m = {
        .export_id = export_id, .kiosk_id = kiosk->id, .key_id = keyid,
        .programme = opt->programme, .exported_ms = opt->now_ms, .incremental = !opt->all,
        .statements = x.done, .first_ms = x.first_ms, .last_ms = x.last_ms, .rows = x.rows,
        .trainees = x.trainees, .first_seq = x.first_seq, .last_seq = x.last_seq};
    char comment[512], untrusted[128];
    snprintf(comment, sizeof comment, "timestamp:%lld\tfile:%s\tkiosk:%s\texport:%s",
             (long long)(opt->now_ms / 1000), DH_EXPORT_MANIFEST, kiosk->id, export_id);
    snprintf(untrusted, sizeof untrusted, "signature from drillhall kiosk key %s", keyid);
    if ((s = dh_export_writer_commit(x.w, &m, &kiosk->sk, comment, untrusted, err))) goto done;

    res->written = true;
    snprintf(res->export_id, sizeof res->export_id, "%s", export_id);
    snprintf(res->path, sizeof res->path, "%s", path);
    res->statements = x.done;
    res->rows = x.rows;
    res->first_ms = x.done ? x.first_ms : 0;
    res->last_ms = x.done ? x.last_ms : 0;

    /* Only now: the statements are safely on the medium. A medium that did
     * not confirm the rename (pulled out, failing) marks nothing: the next
     * export takes the statements again, which does no harm. */
    if (x.w->unconfirmed) {
        s = dh_fail(err, DH_EIO,
                    "the bundle %s was written, but the medium did not confirm it is stored (%s); "
                    "its statements were not marked as exported, so the next export includes them "
                    "again", path, strerror(x.w->unconfirmed));
    } else {
        for (size_t i = 0; i < x.nruns && !s; i++) {
            int64_t marked = 0;
            s = dh_store_statements_mark_exported(store, x.runs[i].first, x.runs[i].last, export_id,
                                                  &marked, err);
            res->marked += marked;
        }
        if (s) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg);
            dh_fail(err, s,
                    "the bundle %s was written and is valid, but the kiosk could not record that "
                    "its statements were exported (%s); the next export will include them again, "
                    "which does no harm",
                    path, why);
        }
    }
    dh_export_writer_free(x.w);
    dh_free(x.runs);
    dh_buf_free(&x.line);
    return s;

done:
    dh_store_snapshot_end(store);
    dh_export_writer_free(x.w);
    dh_free(x.runs);
    dh_buf_free(&x.line);
    if (s && err && strlen(err->msg) + 48 < sizeof err->msg)
        strcat(err->msg, " and no statement was marked as exported");
    return s;
}
