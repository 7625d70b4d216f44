/* push: batches, retries, conflicts and the resumable state of an LRS push.
 *
 * The bundle reader hands statements out one at a time; they are gathered
 * into batches of opt.batch and POSTed as a JSON array. The answer decides
 * each statement's fate: 200 with the ids delivers the batch; a 409 or a
 * 400 rejects a whole batch in xAPI (one bad statement spoils the others),
 * so the batch is sent again one statement at a time to find the culprit;
 * a single statement's 409 is checked with GET ?statementId= (same content
 * means "already in the LRS", different content a conflict the officer must
 * hear about). 5xx, 429, timeouts and connection errors are retried with a
 * doubling wait; 401/403/404 and exhausted retries stop the push. After each
 * batch the state file (one JSON document, every LRS and bundle) is
 * rewritten atomically (temporary file, fsync, rename, fsync of the
 * directory) with how far the bundle got and which statements failed, so a
 * second run skips what was delivered and tries the failures again.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* flock */
#include "push.h"

#include "alloc.h"
#include "buf.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STATE_FORMAT 1
#define STATE_MAX (64L << 20)         /* bytes of a state file we agree to read */
#define RESPONSE_MAX (4u << 20)       /* bytes of an LRS answer we keep */
#define LRS_MESSAGE_MAX 300           /* bytes of an LRS message we quote */

struct dh_Pusher {
    dh_PushOptions opt;
    char *url;                  /* the statements resource */
    char *state_path;
    int lock_fd;                /* flock'ed STATE.lock, -1 if none */
    cJSON *state;               /* {"format": 1, "pushes": [...]} */
    CURL *curl;
    struct curl_slist *headers; /* version, content type, accept */
    dh_Buf resp;                /* body of the last answer */
    bool resp_truncated;
    char curl_err[CURL_ERROR_SIZE];
};

/* One bundle's push in progress. */
typedef struct Run {
    dh_Pusher *p;
    const char *dir;          /* bundle directory, for messages */
    cJSON *entry;             /* its object in p->state */
    int64_t skip;             /* leading statements a previous run settled */
    char skip_last_id[DH_UUID_LEN + 1];
    cJSON *old_failed;        /* failures recorded by a previous run (detached) */
    cJSON *new_failed;        /* failures of this run */
    bool restart;             /* the state did not match the bundle: start again */
    bool stopped;             /* a fatal problem: err says what */
    char **texts;             /* the batch being gathered */
    char (*ids)[DH_UUID_LEN + 1];
    int64_t *index;
    int n;
    int64_t done;             /* statements settled in file order */
    time_t said;              /* when progress was last printed */
    dh_PushCounts c;
} Run;

/* ---- small helpers --------------------------------------------------------------- */

static void say(dh_Pusher *p, const char *fmt, ...) DH_PRINTF(2, 3);
static void say(dh_Pusher *p, const char *fmt, ...)
{
    if (!p->opt.log) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("drillhall-records: push: ", p->opt.log);
    vfprintf(p->opt.log, fmt, ap);
    fputc('\n', p->opt.log);
    fflush(p->opt.log);
    va_end(ap);
}

static void sleep_s(double s)
{
    if (s <= 0) return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static void iso_now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The LRS's own words about a refusal: its JSON "message" or "warnings",
 * else the start of the body, printable ASCII only (it may be anything). */
static void lrs_message(const dh_Pusher *p, char *out, size_t size)
{
    out[0] = '\0';
    const char *body = p->resp.p ? p->resp.p : "";
    cJSON *j = p->resp_truncated ? NULL : cJSON_Parse(body);
    dh_Buf b = {0};
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(j, "warnings");
    if (cJSON_IsString(m)) dh_buf_puts(&b, m->valuestring);
    if (cJSON_IsArray(w)) {
        const cJSON *it;
        cJSON_ArrayForEach(it, w) {
            if (!cJSON_IsString(it)) continue;
            if (b.n) dh_buf_puts(&b, "; ");
            dh_buf_puts(&b, it->valuestring);
        }
    }
    if (!b.n && !j) dh_buf_puts(&b, body);
    cJSON_Delete(j);
    size_t k = 0;
    for (size_t i = 0; b.p && b.p[i] && k + 4 < size && k < LRS_MESSAGE_MAX; i++) {
        unsigned char ch = (unsigned char)b.p[i];
        out[k++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : ' ';
    }
    if (b.p && b.n > k && k + 4 < size) memcpy(out + k, "...", 3), k += 3;
    out[k] = '\0';
    dh_buf_free(&b);
}

/* ---- HTTP ------------------------------------------------------------------------ */

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    dh_Pusher *p = ctx;
    size_t n = size * nmemb;
    if (p->resp.n + n > RESPONSE_MAX) {
        p->resp_truncated = true;
        return n; /* keep reading (the status counts), drop the rest */
    }
    dh_buf_add(&p->resp, data, n);
    return p->resp.oom ? 0 : n;
}

/* Errors that retrying will not cure. */
static bool curl_permanent(CURLcode rc)
{
    switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_LOGIN_DENIED:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_WRITE_ERROR:
    case CURLE_TOO_MANY_REDIRECTS:
        return true;
    default:
        return false;
    }
}

static bool http_transient(long code)
{
    return code >= 500 || code == 429 || code == 408;
}

/* One request with retries: DH_OK with *code for any answer that retrying
 * would not change (including errors the caller handles), DH_EIO when the LRS
 * could not be reached or kept failing. body NULL: GET. */
static dh_Status request(dh_Pusher *p, const char *url, const char *body, size_t len, long *code,
                         dh_Error *err)
{
    for (int attempt = 1;; attempt++) {
        dh_buf_free(&p->resp);
        p->resp = (dh_Buf){0};
        p->resp_truncated = false;
        p->curl_err[0] = '\0';
        curl_easy_setopt(p->curl, CURLOPT_URL, url);
        if (body) {
            curl_easy_setopt(p->curl, CURLOPT_POST, 1L);
            curl_easy_setopt(p->curl, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(p->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        } else {
            curl_easy_setopt(p->curl, CURLOPT_HTTPGET, 1L);
        }
        CURLcode rc = curl_easy_perform(p->curl);
        if (p->resp.oom) return dh_fail(err, DH_ENOMEM, "out of memory reading the LRS's answer");
        char why[CURL_ERROR_SIZE + LRS_MESSAGE_MAX + 64];
        *code = 0;
        curl_off_t retry_after = 0; /* seconds the LRS asked us to wait (429, 503) */
        if (rc == CURLE_OK) {
            curl_easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, code);
            curl_easy_getinfo(p->curl, CURLINFO_RETRY_AFTER, &retry_after);
            if (!http_transient(*code)) return DH_OK;
            char msg[LRS_MESSAGE_MAX + 8];
            lrs_message(p, msg, sizeof msg);
            snprintf(why, sizeof why, "the LRS answered HTTP %ld%s%s", *code, msg[0] ? ": " : "", msg);
        } else {
            snprintf(why, sizeof why, "%s", p->curl_err[0] ? p->curl_err : curl_easy_strerror(rc));
            if (curl_permanent(rc))
                return dh_fail(err, DH_EIO, "cannot talk to the LRS at %s: %s", p->url, why);
        }
        if (attempt >= p->opt.tries)
            return dh_fail(err, DH_EIO, "gave up after %d %s: %s", attempt,
                           attempt == 1 ? "try" : "tries", why);
        double wait = p->opt.first_wait_s;
        for (int i = 1; i < attempt && wait < p->opt.max_wait_s; i++) wait *= 2;
        if (retry_after > 0 && (double)retry_after > wait) wait = (double)retry_after;
        if (wait > p->opt.max_wait_s) wait = p->opt.max_wait_s;
        say(p, "%s; retrying in %.1f s (try %d of %d)", why, wait, attempt + 1, p->opt.tries);
        sleep_s(wait);
    }
}

/* ---- comparing a statement with the LRS's copy ------------------------------------ */

/* Every member we sent is in theirs with the same value; an LRS may add
 * members (stored, authority, objectType defaults), sets its own version and
 * authority, and may write a time in another notation. name is the member's
 * name, "" for the statement itself, NULL for an array element. */
static bool same_content(const cJSON *ours, const cJSON *theirs, const char *name)
{
    if (!theirs) return false;
    if (cJSON_IsString(ours) && cJSON_IsString(theirs) && name &&
        (!strcmp(name, "timestamp") || !strcmp(name, "stored"))) {
        int64_t a, b;
        if (dh_bundle_parse_time(ours->valuestring, &a) && dh_bundle_parse_time(theirs->valuestring, &b))
            return a == b;
    }
    if (cJSON_IsObject(ours)) {
        if (!cJSON_IsObject(theirs)) return false;
        bool top = name && !name[0];
        const cJSON *m;
        cJSON_ArrayForEach(m, ours) {
            if (top && (!strcmp(m->string, "version") || !strcmp(m->string, "authority"))) continue;
            if (!same_content(m, cJSON_GetObjectItemCaseSensitive(theirs, m->string), m->string))
                return false;
        }
        return true;
    }
    if (cJSON_IsArray(ours)) {
        if (!cJSON_IsArray(theirs) || cJSON_GetArraySize(ours) != cJSON_GetArraySize(theirs)) return false;
        const cJSON *a = ours->child, *b = theirs->child;
        for (; a && b; a = a->next, b = b->next)
            if (!same_content(a, b, NULL)) return false;
        return true;
    }
    return cJSON_Compare(ours, theirs, true);
}

/* ---- the state file ---------------------------------------------------------------- */

dh_Status dh_push_default_state(char *out, size_t size, dh_Error *err)
{
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/') n = snprintf(out, size, "%s/drillhall/%s", xdg, DH_PUSH_STATE_NAME);
    else if (home && home[0] == '/')
        n = snprintf(out, size, "%s/.local/state/drillhall/%s", home, DH_PUSH_STATE_NAME);
    else return dh_fail(err, DH_EINVAL, "neither XDG_STATE_HOME nor HOME is set: give the state file with --state");
    if (n < 0 || (size_t)n >= size) return dh_fail(err, DH_EINVAL, "the state file path is too long");
    return DH_OK;
}

/* mkdir -p of the directories above path (0700: push state is private). */
static dh_Status make_parents(const char *path, dh_Error *err)
{
    char *d = dh_strdup(path);
    if (!d) return dh_fail(err, DH_ENOMEM, "out of memory");
    for (char *s = strchr(d + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(d, 0700) != 0 && errno != EEXIST) {
            dh_Status st = dh_fail(err, DH_EIO, "cannot create %s: %s", d, strerror(errno));
            dh_free(d);
            return st;
        }
        *s = '/';
    }
    dh_free(d);
    return DH_OK;
}

static dh_Status state_load(dh_Pusher *p, dh_Error *err)
{
    FILE *f = fopen(p->state_path, "rb");
    if (!f) {
        if (errno != ENOENT)
            return dh_fail(err, DH_EIO, "cannot read the state file %s: %s", p->state_path, strerror(errno));
        p->state = cJSON_CreateObject();
        if (!p->state || !cJSON_AddNumberToObject(p->state, "format", STATE_FORMAT) ||
            !cJSON_AddArrayToObject(p->state, "pushes"))
            return dh_fail(err, DH_ENOMEM, "out of memory");
        return DH_OK;
    }
    dh_Buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.n <= (size_t)STATE_MAX) dh_buf_add(&b, chunk, n);
    bool bad_read = ferror(f);
    fclose(f);
    dh_Status st = DH_OK;
    if (b.oom) st = dh_fail(err, DH_ENOMEM, "out of memory reading %s", p->state_path);
    else if (bad_read) st = dh_fail(err, DH_EIO, "cannot read the state file %s", p->state_path);
    else if (b.n > (size_t)STATE_MAX) st = dh_fail(err, DH_ELIMIT, "the state file %s is too large", p->state_path);
    if (st != DH_OK) {
        dh_buf_free(&b);
        return st;
    }
    p->state = cJSON_ParseWithLength(b.p ? b.p : "", b.n);
    dh_buf_free(&b);
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(p->state, "format");
    if (!cJSON_IsNumber(fmt) || fmt->valuedouble != STATE_FORMAT ||
        !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(p->state, "pushes")))
        return dh_fail(err, DH_EFORMAT,
                       "%s is not a drillhall push state file (format %d); move it away or give "
                       "another with --state",
                       p->state_path, STATE_FORMAT);
    return DH_OK;
}

static dh_Status state_save(dh_Pusher *p, dh_Error *err)
{
    char *text = cJSON_Print(p->state);
    if (!text) return dh_fail(err, DH_ENOMEM, "out of memory writing the state file");
    size_t len = strlen(text);
    dh_Buf tmp = {0};
    dh_buf_printf(&tmp, "%s", p->state_path);
    dh_buf_puts(&tmp, ".tmp");
    dh_Status st = DH_OK;
    int fd = -1;
    if (tmp.oom) {
        st = dh_fail(err, DH_ENOMEM, "out of memory");
        goto done;
    }
    fd = open(tmp.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) goto io;
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) goto io;
        off += (size_t)w;
    }
    if (write(fd, "\n", 1) != 1 || fsync(fd) != 0) goto io;
    if (close(fd) != 0) {
        fd = -1;
        goto io;
    }
    fd = -1;
    if (rename(tmp.p, p->state_path) != 0) goto io;
    /* the rename itself must reach the disk */
    char *dir = dh_strdup(p->state_path);
    if (dir) {
        char *slash = strrchr(dir, '/');
        if (slash == dir) slash[1] = '\0';
        else if (slash) *slash = '\0';
        int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        dh_free(dir);
    }
    goto done;
io:
    st = dh_fail(err, DH_EIO, "cannot write the state file %s: %s", p->state_path, strerror(errno));
    if (fd >= 0) close(fd);
    unlink(tmp.p);
done:
    dh_buf_free(&tmp);
    cJSON_free(text);
    return st;
}

static dh_Status state_lock(dh_Pusher *p, dh_Error *err)
{
    dh_Buf path = {0};
    dh_buf_puts(&path, p->state_path);
    dh_buf_puts(&path, ".lock");
    if (path.oom) return dh_fail(err, DH_ENOMEM, "out of memory");
    p->lock_fd = open(path.p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    dh_Status st = DH_OK;
    if (p->lock_fd < 0)
        st = dh_fail(err, DH_EIO, "cannot create %s: %s", path.p, strerror(errno));
    else if (flock(p->lock_fd, LOCK_EX | LOCK_NB) != 0)
        st = dh_fail(err, DH_EIO,
                     errno == EWOULDBLOCK ? "another drillhall-records push is using %s; wait for it to finish"
                                          : "cannot lock %s",
                     p->state_path);
    dh_buf_free(&path);
    return st;
}

/* The entry for this LRS and bundle, made if there is none. */
static cJSON *state_entry(dh_Pusher *p, const char *export_id)
{
    cJSON *pushes = cJSON_GetObjectItemCaseSensitive(p->state, "pushes");
    cJSON *e;
    cJSON_ArrayForEach(e, pushes) {
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(e, "lrs");
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(e, "export_id");
        if (cJSON_IsString(l) && cJSON_IsString(x) && !strcmp(l->valuestring, p->url) &&
            !strcmp(x->valuestring, export_id))
            return e;
    }
    e = cJSON_CreateObject();
    if (!e) return NULL;
    if (!cJSON_AddStringToObject(e, "lrs", p->url) || !cJSON_AddStringToObject(e, "export_id", export_id)) {
        cJSON_Delete(e);
        return NULL;
    }
    cJSON_AddItemToArray(pushes, e);
    return e;
}

static bool set_member(cJSON *obj, const char *name, cJSON *value)
{
    if (!value) return false;
    if (cJSON_GetObjectItemCaseSensitive(obj, name))
        return cJSON_ReplaceItemInObjectCaseSensitive(obj, name, value);
    return cJSON_AddItemToObject(obj, name, value);
}

/* Record the run's progress in its entry and write the file. */
static dh_Status run_save(Run *r, dh_Error *err)
{
    cJSON *failed = cJSON_CreateArray();
    if (!failed) return dh_fail(err, DH_ENOMEM, "out of memory");
    /* earlier failures not yet tried again in this run stay on the list */
    const cJSON *f;
    cJSON_ArrayForEach(f, r->old_failed) {
        const cJSON *ix = cJSON_GetObjectItemCaseSensitive(f, "index");
        int64_t at = cJSON_IsNumber(ix) ? (int64_t)ix->valuedouble : -1;
        if (at >= r->done && at < r->skip)
            cJSON_AddItemToArray(failed, cJSON_Duplicate(f, true));
    }
    cJSON_ArrayForEach(f, r->new_failed) cJSON_AddItemToArray(failed, cJSON_Duplicate(f, true));
    char now[32];
    iso_now(now);
    int64_t done = r->done > r->skip ? r->done : r->skip;
    bool ok = set_member(r->entry, "statements", cJSON_CreateNumber((double)r->c.statements)) &&
              set_member(r->entry, "done", cJSON_CreateNumber((double)done)) &&
              set_member(r->entry, "last_id", cJSON_CreateString(r->skip_last_id)) &&
              set_member(r->entry, "failed", failed) &&
              set_member(r->entry, "updated", cJSON_CreateString(now));
    if (!ok) return dh_fail(err, DH_ENOMEM, "out of memory");
    return state_save(r->p, err);
}

/* ---- settling a batch -------------------------------------------------------------- */

static dh_Status fail_statement(Run *r, int i, const char *why, dh_Error *err)
{
    say(r->p, "%s: statement %s (#%lld) not delivered: %s", r->dir, r->ids[i],
          (long long)r->index[i] + 1, why);
    r->c.failed++;
    if (cJSON_GetArraySize(r->new_failed) >= DH_PUSH_FAILED_MAX) {
        r->stopped = true;
        return dh_fail(err, DH_EIO, "the LRS refused more than %d statements of %s; stopping",
                       DH_PUSH_FAILED_MAX, r->dir);
    }
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddNumberToObject(o, "index", (double)r->index[i]) ||
        !cJSON_AddStringToObject(o, "id", r->ids[i]) || !cJSON_AddStringToObject(o, "why", why)) {
        cJSON_Delete(o);
        return dh_fail(err, DH_ENOMEM, "out of memory");
    }
    cJSON_AddItemToArray(r->new_failed, o);
    return DH_OK;
}

/* A single statement the LRS says conflicts: the same content is "already
 * there", other content a conflict. */
static dh_Status settle_conflict(Run *r, int i, const char *lrs_said, dh_Error *err)
{
    dh_Pusher *p = r->p;
    dh_Buf url = {0};
    dh_buf_puts(&url, p->url);
    dh_buf_puts(&url, strchr(p->url, '?') ? "&statementId=" : "?statementId=");
    dh_buf_puts(&url, r->ids[i]);
    if (url.oom) return dh_fail(err, DH_ENOMEM, "out of memory");
    long code;
    dh_Status st = request(p, url.p, NULL, 0, &code, err);
    dh_buf_free(&url);
    if (st != DH_OK) return st;
    char why[LRS_MESSAGE_MAX + 160];
    if (code == 200 && !p->resp_truncated) {
        cJSON *theirs = cJSON_Parse(p->resp.p ? p->resp.p : "");
        cJSON *ours = cJSON_Parse(r->texts[i]);
        bool same = theirs && ours && same_content(ours, theirs, "");
        cJSON_Delete(theirs);
        cJSON_Delete(ours);
        if (!ours) return dh_fail(err, DH_ENOMEM, "out of memory");
        if (same) {
            r->c.already++;
            return DH_OK;
        }
        snprintf(why, sizeof why,
                 "conflict: the LRS holds a different statement with this id (HTTP 409: %s)", lrs_said);
    } else {
        snprintf(why, sizeof why, "conflict (HTTP 409: %s); reading the LRS's copy gave HTTP %ld", lrs_said,
                 code);
    }
    return fail_statement(r, i, why, err);
}

/* POST texts[from..from+n) and settle each statement. */
static dh_Status send_batch(Run *r, int from, int n, dh_Error *err)
{
    dh_Pusher *p = r->p;
    dh_Buf body = {0};
    dh_buf_puts(&body, "[");
    for (int i = from; i < from + n; i++) {
        if (i > from) dh_buf_puts(&body, ",");
        dh_buf_puts(&body, r->texts[i]);
    }
    dh_buf_puts(&body, "]");
    if (body.oom) {
        dh_buf_free(&body);
        return dh_fail(err, DH_ENOMEM, "out of memory");
    }
    long code;
    dh_Status st = request(p, p->url, body.p, body.n, &code, err);
    dh_buf_free(&body);
    if (st != DH_OK) {
        r->stopped = true;
        return st;
    }
    char msg[LRS_MESSAGE_MAX + 8];
    lrs_message(p, msg, sizeof msg);
    if (code == 200 || code == 204) {
        if (code == 200) {
            /* xAPI: the ids of the stored statements, in order. Anything else
             * means this is not an LRS (a web page that accepts POSTs). */
            cJSON *ids = p->resp_truncated ? NULL : cJSON_Parse(p->resp.p ? p->resp.p : "");
            bool ok = cJSON_IsArray(ids) && cJSON_GetArraySize(ids) == n;
            for (int i = 0; ok && i < n; i++) {
                const cJSON *id = cJSON_GetArrayItem(ids, i);
                ok = cJSON_IsString(id) && !strcasecmp(id->valuestring, r->ids[from + i]);
            }
            cJSON_Delete(ids);
            if (!ok) {
                r->stopped = true;
                return dh_fail(err, DH_EIO,
                               "%s answered 200 without the ids of the statements sent (%s); is it an xAPI "
                               "statements resource?",
                               p->url, msg[0] ? msg : "empty answer");
            }
        }
        r->c.sent += n;
        return DH_OK;
    }
    if (code == 401 || code == 403) {
        r->stopped = true;
        return dh_fail(err, DH_EIO, "the LRS refused %s (HTTP %ld%s%s); check --user and --password",
                       p->opt.user ? "the credentials" : "a request without credentials", code,
                       msg[0] ? ": " : "", msg);
    }
    if (code == 404 || code == 405 || (code >= 300 && code < 400) || code < 200) {
        r->stopped = true;
        return dh_fail(err, DH_EIO,
                       "%s did not take the statements (HTTP %ld%s%s); check --lrs: it is the LRS's xAPI "
                       "endpoint, e.g. https://lrs.example.org/xAPI/",
                       p->url, code, msg[0] ? ": " : "", msg);
    }
    /* 409, 400, 413, ...: one statement may spoil the batch; find which */
    if (n > 1) {
        for (int i = from; i < from + n; i++) {
            st = send_batch(r, i, 1, err);
            if (st != DH_OK) return st;
        }
        return DH_OK;
    }
    if (code == 409) return settle_conflict(r, from, msg, err);
    char why[LRS_MESSAGE_MAX + 64];
    snprintf(why, sizeof why, "rejected by the LRS (HTTP %ld%s%s)", code, msg[0] ? ": " : "", msg);
    return fail_statement(r, from, why, err);
}

static void batch_clear(Run *r)
{
    for (int i = 0; i < r->n; i++) dh_free(r->texts[i]);
    r->n = 0;
}

static dh_Status flush(Run *r, dh_Error *err)
{
    if (r->n == 0) return DH_OK;
    dh_Status st = send_batch(r, 0, r->n, err);
    if (st == DH_OK) {
        int64_t last = r->index[r->n - 1] + 1;
        if (last > r->done) {
            r->done = last;
            if (last >= r->skip) memcpy(r->skip_last_id, r->ids[r->n - 1], sizeof r->skip_last_id);
        }
        batch_clear(r);
        /* a large bundle takes a while: say how far it got now and then */
        time_t now = time(NULL);
        if (now - r->said >= 10) {
            if (r->said)
                say(r->p, "%s: %lld of %lld statements settled", r->dir, (long long)r->done,
                      (long long)r->c.statements);
            r->said = now;
        }
        return run_save(r, err);
    }
    batch_clear(r);
    return st;
}

static bool failed_before(const Run *r, int64_t index, const char *id)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, r->old_failed) {
        const cJSON *ix = cJSON_GetObjectItemCaseSensitive(f, "index");
        const cJSON *fid = cJSON_GetObjectItemCaseSensitive(f, "id");
        if (cJSON_IsNumber(ix) && (int64_t)ix->valuedouble == index && cJSON_IsString(fid) &&
            !strcmp(fid->valuestring, id))
            return true;
    }
    return false;
}

static dh_Status on_statement(const dh_BundleStatement *st, void *ctx, dh_Error *err)
{
    Run *r = ctx;
    if (st->index < r->skip) {
        if (st->index == r->skip - 1 && strcmp(st->id, r->skip_last_id) != 0) {
            /* not the bundle the state describes: deliver everything again */
            r->restart = true;
            return dh_fail(err, DH_EINVAL, "state does not match");
        }
        if (!failed_before(r, st->index, st->id)) {
            r->c.earlier++;
            r->c.already++;
            return DH_OK;
        }
    }
    char *text = dh_strndup(st->text, st->len);
    if (!text) return dh_fail(err, DH_ENOMEM, "out of memory");
    r->texts[r->n] = text;
    snprintf(r->ids[r->n], sizeof r->ids[r->n], "%s", st->id);
    r->index[r->n] = st->index;
    r->n++;
    if (r->n == r->p->opt.batch) return flush(r, err);
    return DH_OK;
}

/* ---- the public face ---------------------------------------------------------------- */

void dh_push_options_default(dh_PushOptions *opt)
{
    *opt = (dh_PushOptions){
        .batch = DH_PUSH_BATCH_DEFAULT,
        .tries = DH_PUSH_TRIES_DEFAULT,
        .first_wait_s = DH_PUSH_WAIT_DEFAULT,
        .max_wait_s = DH_PUSH_WAIT_MAX,
        .timeout_s = DH_PUSH_TIMEOUT_DEFAULT,
    };
}

dh_Status dh_push_new(dh_Pusher **out, const dh_PushOptions *opt, dh_Error *err)
{
    *out = NULL;
    if (!opt->lrs || (strncmp(opt->lrs, "http://", 7) != 0 && strncmp(opt->lrs, "https://", 8) != 0))
        return dh_fail(err, DH_EINVAL, "the LRS must be an http:// or https:// URL, e.g. https://lrs.example.org/xAPI/");
    if (opt->batch < 1 || opt->batch > DH_PUSH_BATCH_MAX)
        return dh_fail(err, DH_EINVAL, "a batch holds 1 to %d statements", DH_PUSH_BATCH_MAX);
    if (opt->tries < 1 || opt->first_wait_s < 0 || opt->max_wait_s < 0 || opt->timeout_s < 1)
        return dh_fail(err, DH_EINVAL, "tries, waits and the timeout must be positive");
    dh_Pusher *p = dh_calloc(1, sizeof *p);
    if (!p) return dh_fail(err, DH_ENOMEM, "out of memory");
    p->opt = *opt;
    p->lock_fd = -1;
    dh_Status st = DH_OK;

    /* The endpoint is what LRSs advertise ("…/xAPI/"); statements live under it. */
    dh_Buf url = {0};
    size_t len = strlen(opt->lrs);
    while (len > 0 && opt->lrs[len - 1] == '/') len--;
    dh_buf_add(&url, opt->lrs, len);
    if (len < 11 || strcmp(opt->lrs + len - 11, "/statements") != 0) dh_buf_puts(&url, "/statements");
    if (url.oom) {
        dh_buf_free(&url);
        st = dh_fail(err, DH_ENOMEM, "out of memory");
        goto fail;
    }
    p->url = url.p;

    char def[DH_STORE_PATH_MAX];
    if (!opt->state_path) {
        if ((st = dh_push_default_state(def, sizeof def, err)) != DH_OK) goto fail;
        if ((st = make_parents(def, err)) != DH_OK) goto fail;
    }
    p->state_path = dh_strdup(opt->state_path ? opt->state_path : def);
    if (!p->state_path) {
        st = dh_fail(err, DH_ENOMEM, "out of memory");
        goto fail;
    }
    if ((st = state_lock(p, err)) != DH_OK) goto fail;
    if ((st = state_load(p, err)) != DH_OK) goto fail;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(p->curl = curl_easy_init())) {
        st = dh_fail(err, DH_ENOMEM, "cannot start libcurl");
        goto fail;
    }
    struct curl_slist *h = NULL, *h2;
    const char *headers[] = {"X-Experience-API-Version: 1.0.3", "Content-Type: application/json",
                             "Accept: application/json", "Expect:"};
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        if (!(h2 = curl_slist_append(h, headers[i]))) {
            curl_slist_free_all(h);
            st = dh_fail(err, DH_ENOMEM, "out of memory");
            goto fail;
        }
        h = h2;
    }
    p->headers = h;
    CURL *c = p->curl;
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, p->headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, p);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, p->curl_err);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, opt->timeout_s);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, opt->timeout_s < 30 ? opt->timeout_s : 30L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* a redirected POST is an error to fix in --lrs */
    curl_easy_setopt(c, CURLOPT_USERAGENT, "drillhall-records/" DH_VERSION);
    if (opt->cacert) curl_easy_setopt(c, CURLOPT_CAINFO, opt->cacert); /* an organisation's own CA */
    if (opt->user) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, opt->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, opt->password ? opt->password : "");
    }
    *out = p;
    return DH_OK;
fail:
    dh_push_free(p);
    return st;
}

void dh_push_free(dh_Pusher *p)
{
    if (!p) return;
    if (p->curl) {
        curl_easy_cleanup(p->curl);
        curl_global_cleanup();
    }
    curl_slist_free_all(p->headers);
    dh_buf_free(&p->resp);
    cJSON_Delete(p->state);
    if (p->lock_fd >= 0) close(p->lock_fd); /* releases the flock */
    dh_free(p->state_path);
    dh_free(p->url);
    dh_free(p);
}

const char *dh_push_url(const dh_Pusher *p)
{
    return p->url;
}

const char *dh_push_state_path(const dh_Pusher *p)
{
    return p->state_path;
}

/* Load where a previous run of this bundle stopped. */
static dh_Status run_begin(Run *r, const dh_BundleInfo *info, bool fresh, dh_Error *err)
{
    r->entry = state_entry(r->p, info->export_id);
    r->new_failed = cJSON_CreateArray();
    if (!r->entry || !r->new_failed) return dh_fail(err, DH_ENOMEM, "out of memory");
    r->c.statements = info->statements;
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(r->entry, "statements");
    const cJSON *done = cJSON_GetObjectItemCaseSensitive(r->entry, "done");
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(r->entry, "last_id");
    if (!fresh && cJSON_IsNumber(n) && (int64_t)n->valuedouble == info->statements && cJSON_IsNumber(done) &&
        done->valuedouble >= 1 && done->valuedouble <= (double)info->statements && cJSON_IsString(last) &&
        strlen(last->valuestring) == DH_UUID_LEN) {
        r->skip = (int64_t)done->valuedouble;
        memcpy(r->skip_last_id, last->valuestring, DH_UUID_LEN + 1);
        r->old_failed = cJSON_DetachItemFromObjectCaseSensitive(r->entry, "failed");
    }
    return DH_OK;
}

dh_Status dh_push_bundle(dh_Pusher *p, dh_Bundle *b, dh_PushCounts *counts, dh_Error *err)
{
    const dh_BundleInfo *info = dh_bundle_info(b);
    Run r;
    dh_Status st;
    bool fresh = false;
again:
    r = (Run){.p = p, .dir = dh_bundle_dir(b)};
    r.texts = dh_calloc((size_t)p->opt.batch, sizeof *r.texts);
    r.ids = dh_calloc((size_t)p->opt.batch, sizeof *r.ids);
    r.index = dh_calloc((size_t)p->opt.batch, sizeof *r.index);
    if (!r.texts || !r.ids || !r.index) {
        st = dh_fail(err, DH_ENOMEM, "out of memory");
        goto out;
    }
    if ((st = run_begin(&r, info, fresh, err)) != DH_OK) goto out;
    st = dh_bundle_statements_each(b, on_statement, &r, err);
    if (st != DH_OK && r.restart) {
        say(p, "%s: the state file does not match this bundle; pushing all of it again", r.dir);
        batch_clear(&r);
        dh_free(r.texts);
        dh_free(r.ids);
        dh_free(r.index);
        cJSON_Delete(r.old_failed);
        cJSON_Delete(r.new_failed);
        dh_error_clear(err);
        fresh = true;
        goto again;
    }
    if (st == DH_OK) st = flush(&r, err);
    if (st == DH_OK) {
        r.done = info->statements;
        st = run_save(&r, err);
    } else if (!r.stopped) {
        /* a local problem (the file changed, memory): keep what was settled */
        dh_Error e2;
        run_save(&r, &e2);
    } else {
        dh_Error e2;
        if (run_save(&r, &e2) != DH_OK) say(p, "%s", e2.msg);
    }
out:
    batch_clear(&r);
    dh_free(r.texts);
    dh_free(r.ids);
    dh_free(r.index);
    cJSON_Delete(r.old_failed);
    cJSON_Delete(r.new_failed);
    r.c.pending = r.c.statements - r.c.sent - r.c.already - r.c.failed;
    if (r.c.pending < 0) r.c.pending = 0;
    counts->statements += r.c.statements;
    counts->sent += r.c.sent;
    counts->already += r.c.already;
    counts->earlier += r.c.earlier;
    counts->failed += r.c.failed;
    counts->pending += r.c.pending;
    return st;
}
