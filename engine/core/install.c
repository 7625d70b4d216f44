/* install: verify, copy and supersede course packages (see install.h).
 *
 * Every verdict comes from the same two calls the player makes when it
 * loads a course, dh_package_open_verified and dh_course_load, so a package
 * the admin screen approves is exactly one the kiosk will run. The copy is
 * verified after it is written, in its final directory, because the medium
 * is not to be trusted between the scan and the copy (a stick can be
 * swapped, a file rewritten).
 */
#define _POSIX_C_SOURCE 200809L

#include "install.h"

#include "admin.h"
#include "alloc.h"
#include "course.h"
#include "export.h"
#include "i18n.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int dh_install_semver_cmp(const int a[3], const int b[3])
{
    for (int i = 0; i < 3; i++)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of the regular, non-hidden *.zip files in dir. A
 * missing dir gives DH_ENOTFOUND. */
static dh_Status list_zips(const char *dir, char ***out, int *n, dh_Error *err)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT || errno == ENOTDIR)
            return dh_fail(err, DH_ENOTFOUND, "the folder %s does not exist (is the medium plugged in?)", dir);
        return dh_fail(err, DH_EIO, "cannot read the folder %s: %s", dir, strerror(errno));
    }
    char **names = NULL;
    int cap = 0;
    dh_Status st = DH_OK;
    struct dirent *de;
    while ((de = readdir(d)) && !st) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < 5 || strcmp(de->d_name + len - 4, ".zip") != 0) continue;
        char full[DH_STORE_PATH_MAX];
        struct stat sb;
        snprintf(full, sizeof full, "%.3000s/%.1000s", dir, de->d_name);
        if (lstat(full, &sb) != 0 || !S_ISREG(sb.st_mode)) continue;
        if (*n == DH_INSTALL_MAX_PACKAGES) break;
        if (*n == cap) {
            int nc = cap ? cap * 2 : 16;
            char **nn = dh_realloc(names, (size_t)nc * sizeof *nn);
            if (!nn) {
                st = dh_fail(err, DH_ENOMEM, "out of memory listing %s", dir);
                break;
            }
            names = nn;
            cap = nc;
        }
        if (!(names[*n] = dh_strdup(de->d_name))) st = dh_fail(err, DH_ENOMEM, "out of memory listing %s", dir);
        else (*n)++;
    }
    closedir(d);
    if (st) {
        for (int i = 0; i < *n; i++) dh_free(names[i]);
        dh_free(names);
        *n = 0;
        return st;
    }
    if (*n) qsort(names, (size_t)*n, sizeof *names, str_cmp);
    *out = names;
    return DH_OK;
}

static void free_names(char **names, int n)
{
    for (int i = 0; i < n; i++) dh_free(names[i]);
    dh_free(names);
}

/* What a package holds, read through the player's own loader. */
typedef struct Probe {
    char course_id[DH_COURSE_ID_SIZE];
    char version[DH_VERSION_SIZE];
    int semver[3];
    char title[256];
    char problem[700];   /* "" when the course loads without errors */
} Probe;

/* Open path (verifying with keys unless keys is NULL), load its course and
 * fill p. DH_ENOMEM only; every other problem lands in p->problem. */
static dh_Status probe(const char *path, const char *sig_path, const dh_TrustedKeys *keys,
                       dh_PackageSigner *signer, Probe *p)
{
    memset(p, 0, sizeof *p);
    dh_Package *pkg = NULL;
    dh_Error e;
    dh_error_clear(&e);
    dh_Status st;
    if (keys) {
        st = dh_package_open_verified(&pkg, path, sig_path, keys->keys, keys->n, signer, &e);
    } else {
        st = dh_package_open(&pkg, path, &e);
    }
    if (st == DH_ENOMEM) return st;
    if (st) {
        snprintf(p->problem, sizeof p->problem, "the package cannot be opened: %s", e.msg);
        return DH_OK;
    }
    dh_Diags d;
    dh_diags_init(&d);
    dh_Course *c = NULL;
    st = dh_course_load(&c, pkg, &d);
    dh_package_close(pkg);
    if (st == DH_ENOMEM) {
        dh_course_free(c);
        dh_diags_free(&d);
        return st;
    }
    if (c && c->id && c->version) {
        snprintf(p->course_id, sizeof p->course_id, "%s", c->id);
        snprintf(p->version, sizeof p->version, "%s", c->version);
        memcpy(p->semver, c->semver, sizeof p->semver);
        const char *t = dh_text_get(&c->title, c->nlanguages ? c->languages[0] : NULL, NULL);
        snprintf(p->title, sizeof p->title, "%s", t ? t : "");
    }
    if (!c || !c->ok) {
        const dh_Diag *first = NULL;
        for (int i = 0; i < d.count && !first; i++)
            if (d.items[i].severity == DH_ERROR) first = &d.items[i];
        if (first && first->line)
            snprintf(p->problem, sizeof p->problem, "the course has %d error%s; the first: %s:%d:%d: %s",
                     d.errors, d.errors == 1 ? "" : "s", first->file ? first->file : "", first->line,
                     first->col, first->msg);
        else if (first)
            snprintf(p->problem, sizeof p->problem, "the course has %d error%s; the first: %s%s%s",
                     d.errors, d.errors == 1 ? "" : "s", first->file ? first->file : "",
                     first->file ? ": " : "", first->msg);
        else
            snprintf(p->problem, sizeof p->problem, "the course cannot be loaded");
    }
    dh_course_free(c);
    dh_diags_free(&d);
    return DH_OK;
}

dh_Status dh_install_installed(const char *packages_dir, dh_Installed **out, int *n, dh_Error *err)
{
    *out = NULL;
    *n = 0;
    char **names;
    int count;
    dh_Status st = list_zips(packages_dir, &names, &count, err);
    if (st == DH_ENOTFOUND) return DH_OK;
    if (st) return st;
    dh_Installed *list = dh_calloc((size_t)(count ? count : 1), sizeof *list);
    if (!list) {
        free_names(names, count);
        return dh_fail(err, DH_ENOMEM, "out of memory listing the installed courses");
    }
    for (int i = 0; i < count && !st; i++) {
        char path[DH_STORE_PATH_MAX];
        snprintf(path, sizeof path, "%.3000s/%.1000s", packages_dir, names[i]);
        Probe p;
        dh_PackageSigner unused;
        if (probe(path, NULL, NULL, &unused, &p) == DH_ENOMEM) {
            st = dh_fail(err, DH_ENOMEM, "out of memory listing the installed courses");
            break;
        }
        if (p.problem[0] || !p.course_id[0]) continue;
        dh_Installed *in = &list[*n];
        snprintf(in->file, sizeof in->file, "%s", names[i]);
        snprintf(in->course_id, sizeof in->course_id, "%s", p.course_id);
        snprintf(in->version, sizeof in->version, "%s", p.version);
        memcpy(in->semver, p.semver, sizeof in->semver);
        dh_Error e;
        if (dh_export_file_sha256(path, in->sha256, NULL, &e) != DH_OK) in->sha256[0] = '\0';
        (*n)++;
    }
    free_names(names, count);
    if (st) {
        dh_free(list);
        *n = 0;
        return st;
    }
    *out = list;
    return DH_OK;
}

/* The newest installed version of course_id, or NULL. */
static const dh_Installed *newest(const dh_Installed *in, int n, const char *course_id)
{
    const dh_Installed *best = NULL;
    for (int i = 0; i < n; i++)
        if (!strcmp(in[i].course_id, course_id) &&
            (!best || dh_install_semver_cmp(in[i].semver, best->semver) > 0))
            best = &in[i];
    return best;
}

static void judge(dh_InstallItem *it, const Probe *p, const dh_TrustedKeys *keys,
                  const dh_Installed *in, int nin)
{
    snprintf(it->course_id, sizeof it->course_id, "%s", p->course_id);
    snprintf(it->version, sizeof it->version, "%s", p->version);
    snprintf(it->title, sizeof it->title, "%s", p->title);
    if (it->signer.trust == DH_TRUST_SIGNED && it->signer.key >= 0 && it->signer.key < keys->n)
        snprintf(it->signer_name, sizeof it->signer_name, "%s", keys->names[it->signer.key]);
    it->state = DH_INSTALL_REFUSED;
    /* the signature is the first gate; an unapproved package is still
     * read (by the same hardened, fuzzed parser as everything else) only to
     * show the officer which course it claims to be — it is never installed */
    if (it->signer.trust != DH_TRUST_SIGNED && it->signer.why[0]) {
        snprintf(it->problem, sizeof it->problem, "not approved (%s): %s",
                 dh_package_trust_name(it->signer.trust), it->signer.why);
        return;
    }
    if (p->problem[0] && !p->course_id[0]) {
        snprintf(it->problem, sizeof it->problem, "%s", p->problem);
        return;
    }
    if (it->signer.trust != DH_TRUST_SIGNED) {
        snprintf(it->problem, sizeof it->problem, "not approved (%s): %s",
                 dh_package_trust_name(it->signer.trust), it->signer.why);
        return;
    }
    if (p->problem[0]) {
        snprintf(it->problem, sizeof it->problem, "%s", p->problem);
        return;
    }
    const dh_Installed *cur = newest(in, nin, p->course_id);
    if (cur) snprintf(it->installed_version, sizeof it->installed_version, "%s", cur->version);
    for (int i = 0; i < nin; i++) {
        if (strcmp(in[i].course_id, p->course_id) || dh_install_semver_cmp(in[i].semver, p->semver)) continue;
        char sha[65];
        dh_Error e;
        if (in[i].sha256[0] && dh_export_file_sha256(it->path, sha, NULL, &e) == DH_OK &&
            !strcmp(sha, in[i].sha256)) {
            it->state = DH_INSTALL_SAME;
            snprintf(it->problem, sizeof it->problem, "version %s is installed already", p->version);
        } else {
            snprintf(it->problem, sizeof it->problem,
                     "version %s is installed already with different content; an instructor must "
                     "give the changed course a new version number", p->version);
        }
        return;
    }
    if (cur && dh_install_semver_cmp(p->semver, cur->semver) < 0) {
        snprintf(it->problem, sizeof it->problem,
                 "version %s is older than the installed version %s", p->version, cur->version);
        return;
    }
    it->state = cur ? DH_INSTALL_UPGRADE : DH_INSTALL_NEW;
}

dh_Status dh_install_scan(dh_InstallList *out, const char *folder, const char *packages_dir,
                          const dh_TrustedKeys *keys, dh_Error *err)
{
    memset(out, 0, sizeof *out);
    char **names;
    int n;
    dh_Status st = list_zips(folder, &names, &n, err);
    if (st) return st;
    dh_Installed *in = NULL;
    int nin = 0;
    if ((st = dh_install_installed(packages_dir, &in, &nin, err))) {
        free_names(names, n);
        return st;
    }
    out->items = dh_calloc((size_t)(n ? n : 1), sizeof *out->items);
    if (!out->items) st = dh_fail(err, DH_ENOMEM, "out of memory listing %s", folder);
    for (int i = 0; i < n && !st; i++) {
        dh_InstallItem *it = &out->items[out->n++];
        snprintf(it->file, sizeof it->file, "%s", names[i]);
        snprintf(it->path, sizeof it->path, "%.3000s/%.1000s", folder, names[i]);
        Probe p;
        if (probe(it->path, NULL, keys, &it->signer, &p) == DH_ENOMEM) {
            st = dh_fail(err, DH_ENOMEM, "out of memory checking %s", it->path);
            break;
        }
        judge(it, &p, keys, in, nin);
    }
    dh_free(in);
    free_names(names, n);
    if (st) dh_install_list_free(out);
    return st;
}

void dh_install_list_free(dh_InstallList *l)
{
    if (!l) return;
    dh_free(l->items);
    memset(l, 0, sizeof *l);
}

/* ---- copying ------------------------------------------------------------------------ */

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* Copy src into a new hidden temporary file in dir (its name into tmp),
 * synced. */
static dh_Status copy_to_temp(const char *src, const char *dir, uint64_t max, char *tmp, size_t size,
                              dh_Error *err)
{
    snprintf(tmp, size, "%.3000s/.install-XXXXXX", dir);
    /* The medium is hostile: the file may have become a link, a FIFO or a
     * device since the scan, or grown without end; the copy lands on the
     * disk that holds trainees' progress, so it must stay bounded. */
    int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (in < 0) return dh_fail(err, DH_EIO, "cannot read %s: %s", src, strerror(errno));
    struct stat sb;
    if (fstat(in, &sb) != 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > max) {
        close(in);
        tmp[0] = '\0';
        return dh_fail(err, DH_EUNSAFE, "%s is not a regular file of at most %llu bytes; nothing was installed",
                       src, (unsigned long long)max);
    }
    int out = mkstemp(tmp);
    if (out < 0) {
        int e = errno;
        close(in);
        tmp[0] = '\0';
        return dh_fail(err, DH_EIO, "cannot write into %s: %s", dir, strerror(e));
    }
    int e = fchmod(out, 0644) == 0 ? 0 : errno;
    char *buf = dh_malloc(1 << 16);
    uint64_t copied = 0;
    if (!buf) e = ENOMEM;
    while (!e) {
        ssize_t r = read(in, buf, 1 << 16);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            e = errno;
            break;
        }
        if (r == 0) break;
        copied += (uint64_t)r;
        if (copied > max) {
            e = EFBIG;
            break;
        }
        for (ssize_t off = 0; off < r && !e;) {
            ssize_t w = write(out, buf + off, (size_t)(r - off));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) e = w < 0 ? errno : EIO;
            else off += w;
        }
    }
    dh_free(buf);
    if (!e && fsync(out) != 0) e = errno;
    if (close(out) != 0 && !e) e = errno;
    close(in);
    if (e) {
        unlink(tmp);
        tmp[0] = '\0';
        if (e == ENOMEM) return dh_fail(err, DH_ENOMEM, "out of memory copying %s", src);
        return dh_fail(err, DH_EIO, "cannot copy %s into %s: %s", src, dir, strerror(e));
    }
    return DH_OK;
}

/* "<id>-<version>.zip" with anything but [A-Za-z0-9._+-] made '_'. */
static void dest_name(char *out, size_t size, const char *id, const char *version)
{
    snprintf(out, size, "%s-%s.zip", id, version);
    for (char *p = out; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '+' || *p == '-'))
            *p = '_';
}

static void log_install(dh_Store *store, int64_t now_ms, dh_AdminOutcome o, const char *detail)
{
    dh_Error e;
    if (store) (void)dh_admin_log(store, now_ms, "install", o, detail, &e);
}

dh_Status dh_install_one(const dh_InstallItem *item, const char *packages_dir,
                         const dh_TrustedKeys *keys, dh_Store *store, int64_t now_ms,
                         dh_InstallResult *res, dh_Error *err)
{
    memset(res, 0, sizeof *res);
    char detail[1600];
    if (item->state != DH_INSTALL_NEW && item->state != DH_INSTALL_UPGRADE) {
        snprintf(detail, sizeof detail, "%s: refused: %s", item->file, item->problem);
        log_install(store, now_ms, DH_ADMIN_REFUSED, detail);
        return dh_fail(err, DH_EINVAL, "%s cannot be installed: %s", item->file, item->problem);
    }
    dh_Status st = dh_store_make_dir(packages_dir, err);
    char tmp_zip[DH_STORE_PATH_MAX] = "", tmp_sig[DH_STORE_PATH_MAX] = "";
    char sig[DH_STORE_PATH_MAX + 16];
    snprintf(sig, sizeof sig, "%s%s", item->path, DH_SIG_SUFFIX);
    if (!st) st = copy_to_temp(item->path, packages_dir, DH_PKG_MAX_TOTAL, tmp_zip, sizeof tmp_zip, err);
    if (!st) st = copy_to_temp(sig, packages_dir, DH_SIG_FILE_MAX, tmp_sig, sizeof tmp_sig, err);
    if (!st) {
        /* The copy is what the kiosk will run: verify it, and that it is
         * still the course the officer chose. */
        dh_PackageSigner signer;
        Probe p;
        if (probe(tmp_zip, tmp_sig, keys, &signer, &p) == DH_ENOMEM)
            st = dh_fail(err, DH_ENOMEM, "out of memory checking %s", item->file);
        else if (signer.trust != DH_TRUST_SIGNED)
            st = dh_fail(err, DH_ESIG, "%s changed since it was checked and is no longer approved "
                         "(%s); nothing was installed", item->file, signer.why);
        else if (p.problem[0])
            st = dh_fail(err, DH_ESIG, "%s changed since it was checked: %s; nothing was installed",
                         item->file, p.problem);
        else if (strcmp(p.course_id, item->course_id) || strcmp(p.version, item->version))
            st = dh_fail(err, DH_ESIG, "%s changed since it was checked (it is now %s %s); nothing "
                         "was installed", item->file, p.course_id, p.version);
    }
    char name[DH_COURSE_ID_SIZE + DH_VERSION_SIZE + 8];
    dest_name(name, sizeof name, item->course_id, item->version);
    snprintf(res->dest, sizeof res->dest, "%.3000s/%s", packages_dir, name);
    char dest_sig[DH_STORE_PATH_MAX + 16];
    snprintf(dest_sig, sizeof dest_sig, "%s%s", res->dest, DH_SIG_SUFFIX);
    /* link() never replaces: an installed package (a name clash, or two
     * files of the same version in one visit) is never overwritten. */
    if (!st && link(tmp_sig, dest_sig) != 0)
        st = errno == EEXIST ? dh_fail(err, DH_EUNSAFE, "%s already exists; nothing was installed", dest_sig)
                             : dh_fail(err, DH_EIO, "cannot install %s: %s", dest_sig, strerror(errno));
    if (!st && link(tmp_zip, res->dest) != 0) {
        st = errno == EEXIST ? dh_fail(err, DH_EUNSAFE, "%s already exists; nothing was installed", res->dest)
                             : dh_fail(err, DH_EIO, "cannot install %s: %s", res->dest, strerror(errno));
        unlink(dest_sig);
    }
    if (tmp_zip[0]) unlink(tmp_zip);
    if (tmp_sig[0]) unlink(tmp_sig);
    if (st) {
        res->dest[0] = '\0';
        snprintf(detail, sizeof detail, "%s (%s %s): %s", item->file, item->course_id, item->version,
                 err->msg);
        log_install(store, now_ms, DH_ADMIN_FAILED, detail);
        return st;
    }
    sync_dir(packages_dir);
    res->installed = true;
    dh_Error e;
    dh_error_clear(&e);
    if (store && dh_install_prune(packages_dir, store, item->course_id, &res->removed, &res->kept, &e) != DH_OK)
        snprintf(res->note, sizeof res->note, "older versions were left in place: %.400s", e.msg);
    else if (res->kept)
        snprintf(res->note, sizeof res->note,
                 "%d older version%s kept until the trainees in the middle of %s finish",
                 res->kept, res->kept == 1 ? "" : "s", res->kept == 1 ? "it" : "them");
    else if (res->removed)
        snprintf(res->note, sizeof res->note, "%d older version%s removed", res->removed,
                 res->removed == 1 ? "" : "s");
    snprintf(detail, sizeof detail, "%.200s: installed %s %s as %s, signed by key %s (%.100s)%s%.300s", item->file,
             item->course_id, item->version, name, item->signer.keyid, item->signer_name,
             res->note[0] ? "; " : "", res->note);
    log_install(store, now_ms, DH_ADMIN_OK, detail);
    return DH_OK;
}

dh_Status dh_install_prune(const char *packages_dir, dh_Store *store, const char *course_id,
                           int *removed, int *kept, dh_Error *err)
{
    int r = 0, k = 0;
    dh_Installed *in = NULL;
    int n = 0;
    dh_Status st = dh_install_installed(packages_dir, &in, &n, err);
    for (int i = 0; i < n && !st; i++) {
        if (course_id && strcmp(in[i].course_id, course_id)) continue;
        const dh_Installed *top = newest(in, n, in[i].course_id);
        if (top == &in[i] || dh_install_semver_cmp(in[i].semver, top->semver) >= 0) continue;
        int unfinished = 0;
        if ((st = dh_admin_unfinished(store, in[i].course_id, in[i].version, &unfinished, err))) break;
        if (unfinished > 0) {
            k++;
            continue;
        }
        char path[DH_STORE_PATH_MAX], sig[DH_STORE_PATH_MAX + 16];
        snprintf(path, sizeof path, "%.3000s/%s", packages_dir, in[i].file);
        snprintf(sig, sizeof sig, "%s%s", path, DH_SIG_SUFFIX);
        /* the zip first: without it the catalog no longer lists the course */
        if (unlink(path) != 0) {
            st = dh_fail(err, DH_EIO, "cannot remove the superseded %s: %s", path, strerror(errno));
            break;
        }
        (void)unlink(sig);
        r++;
    }
    if (r) sync_dir(packages_dir);
    dh_free(in);
    if (removed) *removed = r;
    if (kept) *kept = k;
    return st;
}
