/* package: opening course packages without trusting them.
 *
 * A zip is scanned by zip.c before PhysicsFS sees a byte of it, then mounted
 * through a PHYSFS_Io over the very bytes (the same open file descriptor)
 * that were scanned, so the archive cannot be swapped between check and use. A source directory
 * is walked with openat/fstatat (never following a link) under the same name
 * rules, then mounted. Each package gets its own mount point, /dhpkg/N, so
 * several packages can be open at once and never see each other's files.
 *
 * Reads go through PhysicsFS and are then checked twice: against the zip's
 * CRC-32 (PhysicsFS does not check it, and for some corrupt entries returns
 * zeros) and against the SHA-256 that `drillhall-pack pack` recorded in
 * manifest.json. A package with a manifest therefore cannot be edited after
 * packing without every reader noticing, signature or not.
 */
#define _XOPEN_SOURCE 700 /* realpath, with POSIX.1-2008 */

#include "package.h"

#include "alloc.h"
#include "json.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <physfs.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MANIFEST_UNKNOWN, MANIFEST_OK, MANIFEST_BAD };

typedef struct ManifestFile {
    char *name;                /* path inside the package */
    uint64_t size;             /* bytes, as packed */
    unsigned char sha256[32];  /* digest, as packed */
} ManifestFile;

struct dh_Package {
    char *path;                /* as given to open (or the memory name) */
    bool archive;              /* zip (file or memory) vs source directory */
    dh_ZipList files;          /* regular files, sorted; no CRCs for a directory */
    char mount[32];            /* "/dhpkg/N": where PhysicsFS shows the files */
    char *mount_id;            /* what PhysicsFS knows the mount by (unmount key) */
    bool mounted;
    bool has_manifest;         /* manifest.json is one of the files */
    int manifest;              /* MANIFEST_*: parsed yet, and how it went */
    ManifestFile *mfiles;      /* sorted by name when manifest == MANIFEST_OK */
    int nmfiles;
    dh_Package *next;          /* the list of open packages */
};

static dh_Status manifest_load(dh_Package *p, dh_Diags *d);
static dh_Package *open_packages; /* every package not yet closed */
static bool physfs_ours;           /* we called PHYSFS_init */
static unsigned long mount_seq;    /* makes mount points and ids unique */

/* ---- errors ------------------------------------------------------------ */

/* Turn PhysicsFS's last error into a status and a sentence. failures_before
 * is dh_alloc_failures() from before the call: PhysicsFS records its errors
 * in memory it allocates, so under memory pressure the code can be lost. */
static dh_Status physfs_fail(dh_Error *err, long failures_before, const char *file,
                             const char *doing)
{
    PHYSFS_ErrorCode code = PHYSFS_getLastErrorCode();
    if (code == PHYSFS_ERR_OUT_OF_MEMORY || dh_alloc_failures() != failures_before)
        return dh_fail_at(err, DH_ENOMEM, file, 0, 0, "out of memory while %s", doing);
    dh_Status st;
    const char *why;
    switch (code) {
    case PHYSFS_ERR_NOT_FOUND:
        st = DH_ENOTFOUND; why = "the file does not exist"; break;
    case PHYSFS_ERR_CORRUPT:
    case PHYSFS_ERR_PAST_EOF:
        st = DH_EFORMAT; why = "the data is corrupt (copy the package again)"; break;
    case PHYSFS_ERR_UNSUPPORTED:
        st = DH_EFORMAT; why = "the archive format is not supported"; break;
    case PHYSFS_ERR_SYMLINK_FORBIDDEN:
        st = DH_EUNSAFE; why = "it is a symbolic link, which packages may not contain"; break;
    case PHYSFS_ERR_BAD_FILENAME:
        st = DH_EUNSAFE; why = "the name is not allowed in a package"; break;
    case PHYSFS_ERR_PERMISSION:
        st = DH_EIO; why = "permission denied"; break;
    case PHYSFS_ERR_NOT_A_FILE:
        st = DH_EIO; why = "it is not a regular file"; break;
    case PHYSFS_ERR_IO:
    case PHYSFS_ERR_OS_ERROR:
        st = DH_EIO; why = "a read error occurred (the medium may be damaged or was removed)"; break;
    case PHYSFS_ERR_OK:
        st = DH_EIO; why = "PhysicsFS failed without saying why"; break;
    default:
        st = DH_EIO; why = PHYSFS_getErrorByCode(code); break;
    }
    return dh_fail_at(err, st, file, 0, 0, "error while %s: %s", doing, why ? why : "unknown error");
}

/* Put the package path into an error that zip.c or a helper left without one. */
static dh_Status with_file(dh_Error *err, dh_Status st, const char *file)
{
    if (err && st != DH_OK) snprintf(err->file, sizeof err->file, "%s", file);
    return st;
}

/* ---- setup ------------------------------------------------------------- */

dh_Status dh_package_init(const char *argv0, dh_Error *err)
{
    if (sodium_init() < 0) return dh_fail(err, DH_EIO, "cannot initialise libsodium");
    if (PHYSFS_isInit()) {
        PHYSFS_permitSymbolicLinks(0);
        return DH_OK;
    }
    long before = dh_alloc_failures();
    dh_alloc_install();
    if (!PHYSFS_init(argv0)) return physfs_fail(err, before, NULL, "starting PhysicsFS");
    /* Also PhysicsFS's default; stated because our safety depends on it. */
    PHYSFS_permitSymbolicLinks(0);
    physfs_ours = true;
    return DH_OK;
}

void dh_package_deinit(void)
{
    if (open_packages || !physfs_ours) return;
    PHYSFS_deinit();
    physfs_ours = false;
}

void dh_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, data, len);
    sodium_bin2hex(out, 65, d, sizeof d);
}

/* ---- a PHYSFS_Io over the scanned bytes -------------------------------- */

/* Archives are mounted through our own PHYSFS_Io rather than PHYSFS_mount or
 * PHYSFS_mountMemory, for two reasons. PhysicsFS must read the very bytes
 * zip.c checked: for a file, the same open descriptor (pread, so every copy
 * PhysicsFS duplicates for an open file keeps its own position). And
 * PhysicsFS 3.0.2 destroys the Io itself when an allocation fails after the
 * archive was opened (createDirHandle's cleanup), although its documentation
 * says a failed mount leaves the Io alone; PHYSFS_mountMemory then destroys
 * its memory Io a second time. Holding our own reference on the source lets
 * us tell afterwards whether PhysicsFS already destroyed the Io. */
typedef struct IoSource {
    const unsigned char *mem; /* the archive in memory, or NULL: use fd */
    int fd;                   /* closed with the last reference */
    uint64_t size;            /* fixed at open: the size that was scanned */
    int refs;                 /* live Io copies, plus one while we hold it */
} IoSource;

typedef struct SrcIo {
    IoSource *src;
    uint64_t pos;
} SrcIo;

static void source_release(IoSource *s)
{
    if (--s->refs > 0) return;
    if (!s->mem) close(s->fd);
    dh_free(s);
}

static PHYSFS_sint64 srcio_read(PHYSFS_Io *io, void *buf, PHYSFS_uint64 len)
{
    SrcIo *f = io->opaque;
    const IoSource *s = f->src;
    uint64_t left = s->size - f->pos;
    if (len > left) len = left;
    if (len > (uint64_t)SSIZE_MAX) len = SSIZE_MAX;
    if (s->mem) {
        memcpy(buf, s->mem + f->pos, (size_t)len);
        f->pos += len;
        return (PHYSFS_sint64)len;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(s->fd, (char *)buf + done, (size_t)len - done, (off_t)(f->pos + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            PHYSFS_setErrorCode(PHYSFS_ERR_IO);
            return -1;
        }
        done += (size_t)n;
    }
    f->pos += done;
    return (PHYSFS_sint64)done;
}

static PHYSFS_sint64 srcio_write(PHYSFS_Io *io, const void *buf, PHYSFS_uint64 len)
{
    (void)io, (void)buf, (void)len;
    PHYSFS_setErrorCode(PHYSFS_ERR_READ_ONLY);
    return -1;
}

static int srcio_seek(PHYSFS_Io *io, PHYSFS_uint64 off)
{
    SrcIo *f = io->opaque;
    if (off > f->src->size) {
        PHYSFS_setErrorCode(PHYSFS_ERR_PAST_EOF);
        return 0;
    }
    f->pos = off;
    return 1;
}

static PHYSFS_sint64 srcio_tell(PHYSFS_Io *io)
{
    return (PHYSFS_sint64)((SrcIo *)io->opaque)->pos;
}

static PHYSFS_sint64 srcio_length(PHYSFS_Io *io)
{
    return (PHYSFS_sint64)((SrcIo *)io->opaque)->src->size;
}

static int srcio_flush(PHYSFS_Io *io)
{
    (void)io;
    return 1;
}

static void srcio_destroy(PHYSFS_Io *io)
{
    SrcIo *f = io->opaque;
    source_release(f->src);
    dh_free(f);
    dh_free(io);
}

static PHYSFS_Io *srcio_new(IoSource *s);

static PHYSFS_Io *srcio_duplicate(PHYSFS_Io *io)
{
    PHYSFS_Io *copy = srcio_new(((SrcIo *)io->opaque)->src);
    if (!copy) PHYSFS_setErrorCode(PHYSFS_ERR_OUT_OF_MEMORY);
    return copy;
}

static PHYSFS_Io *srcio_new(IoSource *s)
{
    PHYSFS_Io *io = dh_malloc(sizeof *io);
    SrcIo *f = dh_malloc(sizeof *f);
    if (!io || !f) {
        dh_free(io);
        dh_free(f);
        return NULL;
    }
    f->src = s;
    f->pos = 0;
    s->refs++;
    io->version = 0;
    io->opaque = f;
    io->read = srcio_read;
    io->write = srcio_write;
    io->seek = srcio_seek;
    io->tell = srcio_tell;
    io->length = srcio_length;
    io->duplicate = srcio_duplicate;
    io->flush = srcio_flush;
    io->destroy = srcio_destroy;
    return io;
}

/* ---- opening ----------------------------------------------------------- */

static dh_Package *package_new(const char *path, bool archive, dh_Error *err)
{
    dh_Package *p = dh_calloc(1, sizeof *p);
    if (p) p->path = dh_strdup(path);
    if (!p || !p->path) {
        dh_free(p);
        dh_fail_at(err, DH_ENOMEM, path, 0, 0, "out of memory");
        return NULL;
    }
    p->archive = archive;
    mount_seq++;
    snprintf(p->mount, sizeof p->mount, "/dhpkg/%lu", mount_seq);
    return p;
}

static void package_free(dh_Package *p)
{
    for (int i = 0; i < p->nmfiles; i++) dh_free(p->mfiles[i].name);
    dh_free(p->mfiles);
    dh_zip_list_free(&p->files);
    dh_free(p->mount_id);
    dh_free(p->path);
    dh_free(p);
}

/* The last steps every open shares: remember the manifest, join the list. */
static void package_ready(dh_Package *p, dh_Package **out)
{
    /* Only a packed archive is bound by its manifest. In a source folder a
     * manifest.json is left over from unzipping a package: the instructor
     * is editing, and `pack` writes a fresh one, so it is ignored. */
    p->has_manifest = p->archive && dh_zip_find(&p->files, DH_PKG_MANIFEST) != NULL;
    p->next = open_packages;
    open_packages = p;
    *out = p;
}

/* Scan the archive in s, then mount it. s (holding one reference, ours) is
 * released either way; name is the path or memory name for messages. */
static dh_Status open_archive(dh_Package **out, const char *name, IoSource *s, dh_Error *err)
{
    dh_Package *p = package_new(name, true, err);
    if (!p) {
        source_release(s);
        return DH_ENOMEM;
    }
    dh_ZipSource zs = {s->mem, s->fd, s->size};
    dh_Status st = dh_zip_scan(&zs, &p->files, err);
    if (st != DH_OK) {
        source_release(s);
        package_free(p);
        return with_file(err, st, name);
    }
    if (p->files.count == 0) {
        /* Nothing to read, so nothing to mount; and PhysicsFS 3.0.2 cannot
         * mount an archive whose end record is its first byte. The loader
         * then reports the missing course.json like for any other package. */
        source_release(s);
        package_ready(p, out);
        return DH_OK;
    }
    char id[48];
    snprintf(id, sizeof id, "dhpkg-%lu.zip", mount_seq);
    p->mount_id = dh_strdup(id);
    PHYSFS_Io *io = p->mount_id ? srcio_new(s) : NULL;
    if (!io) {
        source_release(s);
        package_free(p);
        return dh_fail_at(err, DH_ENOMEM, name, 0, 0, "out of memory");
    }
    long before = dh_alloc_failures();
    if (!PHYSFS_mountIo(io, p->mount_id, p->mount, 0)) {
        st = physfs_fail(err, before, name, "opening the archive");
        if (s->refs == 2) srcio_destroy(io); /* else PhysicsFS did (see above) */
        source_release(s);
        package_free(p);
        return st;
    }
    source_release(s); /* the mounted Io keeps it alive until unmount */
    p->mounted = true;
    package_ready(p, out);
    return DH_OK;
}

static dh_Status open_zip_fd(dh_Package **out, const char *path, int fd, uint64_t size,
                             dh_Error *err)
{
    IoSource *s = dh_malloc(sizeof *s);
    if (!s) {
        close(fd);
        return dh_fail_at(err, DH_ENOMEM, path, 0, 0, "out of memory");
    }
    *s = (IoSource){NULL, fd, size, 1};
    return open_archive(out, path, s, err);
}

dh_Status dh_package_open_memory(dh_Package **out, const void *data, size_t len,
                                 const char *name, dh_Error *err)
{
    *out = NULL;
    dh_Status st = dh_package_init(NULL, err);
    if (st != DH_OK) return st;
    static const unsigned char empty[1];
    IoSource *s = dh_malloc(sizeof *s);
    if (!s) return dh_fail_at(err, DH_ENOMEM, name, 0, 0, "out of memory");
    *s = (IoSource){data && len ? data : empty, -1, data ? len : 0, 1};
    return open_archive(out, name, s, err);
}

/* ---- walking a source directory ---------------------------------------- */

typedef struct Walk {
    dh_ZipList *list;
    int cap;
    int entries;            /* files and directories seen */
    char path[PATH_MAX];    /* the current path inside the package */
    dh_Error *err;
} Walk;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static dh_Status add_file(Walk *w, const char *name, uint64_t size)
{
    if (size > DH_PKG_MAX_FILE)
        return dh_fail(w->err, DH_ELIMIT, "file '%s' is %.1f MiB; one file may be at most %.1f MiB",
                       name, (double)size / (1024 * 1024), (double)DH_PKG_MAX_FILE / (1024 * 1024));
    w->list->total += size;
    if (w->list->total > DH_PKG_MAX_TOTAL)
        return dh_fail(w->err, DH_ELIMIT,
                       "the files add up to more than %.1f MiB (the limit for a package)",
                       (double)DH_PKG_MAX_TOTAL / (1024 * 1024));
    if (w->list->count == w->cap) {
        int cap = w->cap ? w->cap * 2 : 32;
        dh_ZipEntry *e = dh_realloc(w->list->entries, (size_t)cap * sizeof *e);
        if (!e) return dh_fail(w->err, DH_ENOMEM, "out of memory");
        w->list->entries = e;
        w->cap = cap;
    }
    dh_ZipEntry *e = &w->list->entries[w->list->count];
    memset(e, 0, sizeof *e);
    e->name = dh_strdup(name);
    if (!e->name) return dh_fail(w->err, DH_ENOMEM, "out of memory");
    e->usize = e->csize = size;
    w->list->count++;
    return DH_OK;
}

/* Walk the directory open at fd (taken over and closed), whose path in
 * the package is w->path[0..plen) ("" or "lessons/"). Entries are visited in
 * sorted order so that the first problem reported does not depend on the
 * order the file system happens to list them in. */
static dh_Status walk_dir(Walk *w, int fd, size_t plen)
{
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return dh_fail(w->err, DH_EIO, "cannot read folder '%s': %s", plen ? w->path : ".",
                       strerror(errno));
    }
    char **names = NULL;
    int n = 0, cap = 0;
    dh_Status st = DH_OK;
    while (st == DH_OK) {
        errno = 0; /* readdir reports errors only through errno */
        struct dirent *de = readdir(d);
        if (!de) {
            if (errno != 0)
                st = dh_fail(w->err, DH_EIO, "cannot read folder '%s': %s", plen ? w->path : ".",
                             strerror(errno));
            break;
        }
        if (de->d_name[0] == '.') continue; /* ".", "..", and dotfiles: .git, .DS_Store */
        if (w->entries + n >= DH_PKG_MAX_ENTRIES) {
            st = dh_fail(w->err, DH_ELIMIT, "the folder holds more than %d files and folders (the "
                         "limit for a package)", DH_PKG_MAX_ENTRIES);
            break;
        }
        if (n == cap) {
            int ncap = cap ? cap * 2 : 16;
            char **nn = dh_realloc(names, (size_t)ncap * sizeof *nn);
            if (!nn) {
                st = dh_fail(w->err, DH_ENOMEM, "out of memory");
                break;
            }
            names = nn;
            cap = ncap;
        }
        names[n] = dh_strdup(de->d_name);
        if (!names[n]) st = dh_fail(w->err, DH_ENOMEM, "out of memory");
        else n++;
    }
    if (st == DH_OK && n > 1) qsort(names, (size_t)n, sizeof *names, cmp_str);
    w->entries += n;
    for (int i = 0; i < n && st == DH_OK; i++) {
        size_t nlen = strlen(names[i]);
        /* plen <= DH_PKG_MAX_NAME + 1 (checked below) and nlen <= NAME_MAX */
        DH_ASSERT(plen + nlen + 2 <= sizeof w->path);
        memcpy(w->path + plen, names[i], nlen + 1);
        char q[256];
        dh_zip_quote(q, sizeof q, w->path, plen + nlen);
        struct stat sb;
        if (fstatat(dirfd(d), names[i], &sb, AT_SYMLINK_NOFOLLOW) != 0) {
            st = dh_fail(w->err, DH_EIO, "cannot read '%s': %s", q, strerror(errno));
        } else if (S_ISLNK(sb.st_mode)) {
            st = dh_fail(w->err, DH_EUNSAFE,
                         "'%s' is a symbolic link; a package may contain only regular files and "
                         "folders (copy the file it points to instead)", q);
        } else if (S_ISDIR(sb.st_mode)) {
            w->path[plen + nlen] = '/';
            w->path[plen + nlen + 1] = '\0';
            st = dh_zip_check_name(w->path, plen + nlen + 1, "folder", w->err);
            if (st != DH_OK) break;
            int sub = openat(dirfd(d), names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0)
                st = dh_fail(w->err, DH_EIO, "cannot open folder '%s': %s", q, strerror(errno));
            else
                st = walk_dir(w, sub, plen + nlen + 1);
        } else if (S_ISREG(sb.st_mode)) {
            st = dh_zip_check_name(w->path, plen + nlen, "file", w->err);
            if (st == DH_OK) st = add_file(w, w->path, (uint64_t)sb.st_size);
        } else {
            st = dh_fail(w->err, DH_EUNSAFE,
                         "'%s' is a device, FIFO or socket; a package may contain only regular "
                         "files and folders", q);
        }
    }
    w->path[plen] = '\0';
    for (int i = 0; i < n; i++) dh_free(names[i]);
    dh_free(names);
    closedir(d);
    return st;
}

static int cmp_entry_name(const void *a, const void *b)
{
    return strcmp(((const dh_ZipEntry *)a)->name, ((const dh_ZipEntry *)b)->name);
}

/* Files only: two folders whose names differ in case merge harmlessly on a
 * case-insensitive file system; it is their files that can collide. */
static dh_Status check_dir_collisions(dh_ZipList *list, dh_Error *err)
{
    if (list->count < 2) return DH_OK;
    const char **names = dh_malloc((size_t)list->count * sizeof *names);
    if (!names) return dh_fail(err, DH_ENOMEM, "out of memory");
    for (int i = 0; i < list->count; i++) names[i] = list->entries[i].name;
    dh_Status st = dh_zip_check_collisions(names, list->count, "file", err);
    dh_free(names);
    return st;
}

static dh_Status open_directory(dh_Package **out, const char *path, dh_Error *err)
{
    char real[PATH_MAX];
    if (!realpath(path, real))
        return dh_fail_at(err, DH_EIO, path, 0, 0, "cannot open the folder: %s", strerror(errno));
    dh_Package *p = package_new(path, false, err);
    if (!p) return DH_ENOMEM;
    Walk *w = dh_calloc(1, sizeof *w); /* PATH_MAX is too big for the stack of a deep walk */
    if (!w) {
        package_free(p);
        return dh_fail_at(err, DH_ENOMEM, path, 0, 0, "out of memory");
    }
    w->list = &p->files;
    w->err = err;
    dh_Status st;
    int fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) st = dh_fail(err, DH_EIO, "cannot open the folder: %s", strerror(errno));
    else st = walk_dir(w, fd, 0);
    dh_free(w);
    if (st == DH_OK && p->files.count > 1)
        qsort(p->files.entries, (size_t)p->files.count, sizeof *p->files.entries, cmp_entry_name);
    if (st == DH_OK) st = check_dir_collisions(&p->files, err);
    if (st != DH_OK) {
        package_free(p);
        return with_file(err, st, path);
    }
    p->mount_id = dh_strdup(real);
    if (!p->mount_id) {
        package_free(p);
        return dh_fail_at(err, DH_ENOMEM, path, 0, 0, "out of memory");
    }
    /* PhysicsFS knows a directory by its path and mounts it only once; a
     * second package on the same folder shares the first one's mount. */
    for (dh_Package *q = open_packages; q; q = q->next) {
        if (!q->archive && q->mounted && !strcmp(q->mount_id, real)) {
            memcpy(p->mount, q->mount, sizeof p->mount);
            p->mounted = true;
            package_ready(p, out);
            return DH_OK;
        }
    }
    long before = dh_alloc_failures();
    if (!PHYSFS_mount(real, p->mount, 0)) {
        st = physfs_fail(err, before, path, "opening the folder");
        package_free(p);
        return st;
    }
    p->mounted = true;
    package_ready(p, out);
    return DH_OK;
}

/* Open path for reading: a regular file gives its descriptor and size; a
 * folder gives *fd = -1 (walked by name instead); anything else is refused. */
static dh_Status open_source(const char *path, int *fd, uint64_t *size, dh_Error *err)
{
    *fd = -1;
    dh_Status st = dh_package_init(NULL, err);
    if (st != DH_OK) return st;
    int f = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* O_NONBLOCK: a FIFO must not hang us */
    if (f < 0) {
        if (errno == ENOENT)
            return dh_fail_at(err, DH_ENOTFOUND, path, 0, 0, "no such file or folder");
        return dh_fail_at(err, DH_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    }
    struct stat sb;
    if (fstat(f, &sb) != 0) {
        int e = errno;
        close(f);
        return dh_fail_at(err, DH_EIO, path, 0, 0, "cannot open: %s", strerror(e));
    }
    if (S_ISDIR(sb.st_mode)) {
        close(f);
        return DH_OK;
    }
    if (!S_ISREG(sb.st_mode)) {
        close(f);
        return dh_fail_at(err, DH_EINVAL, path, 0, 0, "is neither a zip file nor a folder");
    }
    *fd = f;
    *size = (uint64_t)sb.st_size;
    return DH_OK;
}

dh_Status dh_package_open(dh_Package **out, const char *path, dh_Error *err)
{
    *out = NULL;
    int fd;
    uint64_t size = 0;
    dh_Status st = open_source(path, &fd, &size, err);
    if (st != DH_OK) return st;
    if (fd < 0) return open_directory(out, path, err);
    return open_zip_fd(out, path, fd, size, err);
}

const char *dh_package_trust_name(dh_PackageTrust t)
{
    switch (t) {
    case DH_TRUST_UNSIGNED: return "unsigned";
    case DH_TRUST_UNKNOWN_KEY: return "signed by an unknown key";
    case DH_TRUST_INVALID: return "signature invalid";
    case DH_TRUST_SIGNED: return "signed";
    }
    return "?";
}

/* Read the signature of path; DH_ENOTFOUND when there is none. */
static dh_Status read_sig(dh_Signature *s, const char *path, const char *sig_path, dh_Error *err)
{
    char *own = NULL;
    if (!sig_path) {
        size_t n = strlen(path);
        own = dh_malloc(n + sizeof DH_SIG_SUFFIX);
        if (!own) return dh_fail(err, DH_ENOMEM, "out of memory");
        memcpy(own, path, n);
        memcpy(own + n, DH_SIG_SUFFIX, sizeof DH_SIG_SUFFIX);
        sig_path = own;
    }
    dh_Status st = DH_OK;
    struct stat sb;
    if (stat(sig_path, &sb) != 0 && errno == ENOENT)
        st = DH_ENOTFOUND;
    else
        st = dh_sig_signature_read(s, sig_path, err);
    dh_free(own);
    return st;
}

/* Decide the signer of the open file fd (size bytes). Only I/O and memory
 * failures are returned; a bad signature is a verdict, not an error. */
static dh_Status check_signature(int fd, uint64_t size, const char *path, const char *sig_path,
                                 const dh_PublicKey *keys, int n, dh_PackageSigner *signer,
                                 dh_Error *err)
{
    dh_Signature s;
    dh_Error e;
    dh_error_clear(&e);
    dh_Status st = read_sig(&s, path, sig_path, &e);
    if (st == DH_ENOTFOUND) {
        signer->trust = DH_TRUST_UNSIGNED;
        snprintf(signer->why, sizeof signer->why, "the package has no signature (%s)",
                 sig_path ? sig_path : "no .minisig file next to it");
        return DH_OK;
    }
    if (st == DH_ENOMEM) return dh_fail(err, DH_ENOMEM, "%s", e.msg);
    if (st != DH_OK) {
        signer->trust = DH_TRUST_INVALID;
        snprintf(signer->why, sizeof signer->why, "the signature file cannot be used: %s", e.msg);
        return DH_OK;
    }
    dh_sig_keyid_hex(s.keyid, signer->keyid);
    int k = -1;
    for (int i = 0; i < n && k < 0; i++)
        if (memcmp(keys[i].keyid, s.keyid, DH_SIG_KEYID_BYTES) == 0) k = i;
    if (k < 0) {
        signer->trust = DH_TRUST_UNKNOWN_KEY;
        snprintf(signer->why, sizeof signer->why,
                 "signed with key %s, which is not in this kiosk's list of trusted keys",
                 signer->keyid);
        dh_sig_signature_free(&s);
        return DH_OK;
    }
    st = dh_sig_verify_fd(fd, size, &s, &keys[k], path, &e);
    if (st == DH_OK) {
        signer->trust = DH_TRUST_SIGNED;
        signer->key = k;
        snprintf(signer->comment, sizeof signer->comment, "%s", s.trusted_comment);
    } else if (st == DH_ESIG) {
        signer->trust = DH_TRUST_INVALID;
        snprintf(signer->why, sizeof signer->why, "the signature does not verify: %s", e.msg);
        st = DH_OK;
    } else {
        *err = e;
    }
    dh_sig_signature_free(&s);
    return st;
}

dh_Status dh_package_open_verified(dh_Package **out, const char *path, const char *sig_path,
                                   const dh_PublicKey *keys, int n, dh_PackageSigner *signer,
                                   dh_Error *err)
{
    *out = NULL;
    memset(signer, 0, sizeof *signer);
    signer->key = -1;
    int fd;
    uint64_t size = 0;
    dh_Status st = open_source(path, &fd, &size, err);
    if (st != DH_OK) return st;
    if (fd < 0) {
        signer->trust = DH_TRUST_UNSIGNED;
        snprintf(signer->why, sizeof signer->why, "a course source folder is never signed");
        return open_directory(out, path, err);
    }
    st = check_signature(fd, size, path, sig_path, keys, n, signer, err);
    if (st != DH_OK) {
        close(fd);
        return st;
    }
    st = open_zip_fd(out, path, fd, size, err);
    if (st != DH_OK || signer->trust != DH_TRUST_SIGNED) return st;
    /* Bind every later read to the signed bytes: the manifest (hashes of
     * every file) is read now, from the file just verified. */
    dh_Package *p = *out;
    if (!p->has_manifest) {
        signer->trust = DH_TRUST_INVALID;
        snprintf(signer->why, sizeof signer->why,
                 "the package is signed but has no manifest.json; pack it with drillhall-pack");
        return DH_OK;
    }
    dh_Diags d;
    dh_diags_init(&d);
    st = manifest_load(p, &d);
    if (st == DH_ENOMEM) {
        dh_diags_free(&d);
        dh_package_close(p);
        *out = NULL;
        return dh_fail_at(err, DH_ENOMEM, path, 0, 0, "out of memory");
    }
    if (st != DH_OK) {
        signer->trust = DH_TRUST_INVALID;
        snprintf(signer->why, sizeof signer->why, "the signed package's manifest.json is malformed");
    }
    dh_diags_free(&d);
    return DH_OK;
}

void dh_package_close(dh_Package *p)
{
    if (!p) return;
    bool shared = false;
    for (dh_Package **q = &open_packages; *q;) {
        if (*q == p) {
            *q = p->next;
            continue;
        }
        if ((*q)->mounted && p->mounted && !strcmp((*q)->mount_id, p->mount_id)) shared = true;
        q = &(*q)->next;
    }
    /* Fails only with files still open, and every read closes its file. */
    if (p->mounted && !shared) (void)PHYSFS_unmount(p->mount_id);
    package_free(p);
}

/* ---- the file list ----------------------------------------------------- */

const char *dh_package_path(const dh_Package *p)
{
    return p->path;
}

bool dh_package_is_archive(const dh_Package *p)
{
    return p->archive;
}

int dh_package_count(const dh_Package *p)
{
    return p->files.count;
}

const char *dh_package_name(const dh_Package *p, int i)
{
    DH_ASSERT(i >= 0 && i < p->files.count);
    return p->files.entries[i].name;
}

uint64_t dh_package_size(const dh_Package *p, int i)
{
    DH_ASSERT(i >= 0 && i < p->files.count);
    return p->files.entries[i].usize;
}

int dh_package_find(const dh_Package *p, const char *name)
{
    const dh_ZipEntry *e = dh_zip_find(&p->files, name);
    return e ? (int)(e - p->files.entries) : -1;
}

bool dh_package_has_manifest(const dh_Package *p)
{
    return p->has_manifest;
}

/* ---- reading ----------------------------------------------------------- */

static void format_mib(char *buf, size_t size, uint64_t n)
{
    if (n < 1024 * 1024) snprintf(buf, size, "%llu bytes", (unsigned long long)n);
    else snprintf(buf, size, "%.1f MiB", (double)n / (1024 * 1024));
}

/* Read entry e through PhysicsFS and check its CRC-32 (archives); no
 * manifest check. */
static dh_Status read_raw(dh_Package *p, const dh_ZipEntry *e, size_t max, unsigned char **data,
                          size_t *len, dh_Error *err)
{
    char a[32], b[32];
    *data = NULL;
    *len = 0;
    if (e->usize > max) {
        format_mib(a, sizeof a, e->usize);
        format_mib(b, sizeof b, max);
        return dh_fail_at(err, DH_ELIMIT, e->name, 0, 0,
                          "the file is %s; the limit for a file of this kind is %s", a, b);
    }
    size_t plen = strlen(p->mount), nlen = strlen(e->name);
    char *full = dh_malloc(plen + nlen + 2);
    if (!full) return dh_fail_at(err, DH_ENOMEM, e->name, 0, 0, "out of memory");
    memcpy(full, p->mount, plen);
    full[plen] = '/';
    memcpy(full + plen + 1, e->name, nlen + 1);
    long before = dh_alloc_failures();
    PHYSFS_File *f = PHYSFS_openRead(full);
    dh_free(full);
    if (!f) return physfs_fail(err, before, e->name, "opening the file");
    uint64_t size = e->usize;
    if (!p->archive) {
        /* A source folder may have changed since it was walked. */
        PHYSFS_sint64 l = PHYSFS_fileLength(f);
        if (l < 0) {
            PHYSFS_close(f);
            return physfs_fail(err, before, e->name, "reading the file");
        }
        size = (uint64_t)l;
        if (size > max) {
            PHYSFS_close(f);
            format_mib(a, sizeof a, size);
            format_mib(b, sizeof b, max);
            return dh_fail_at(err, DH_ELIMIT, e->name, 0, 0,
                              "the file is %s; the limit for a file of this kind is %s", a, b);
        }
    }
    unsigned char *buf = dh_malloc((size_t)size + 1);
    if (!buf) {
        PHYSFS_close(f);
        return dh_fail_at(err, DH_ENOMEM, e->name, 0, 0, "out of memory");
    }
    PHYSFS_sint64 got = size ? PHYSFS_readBytes(f, buf, size) : 0;
    dh_Status st = DH_OK;
    if (got < 0)
        st = physfs_fail(err, before, e->name, "reading the file");
    else if ((uint64_t)got != size)
        st = dh_fail_at(err, p->archive ? DH_EFORMAT : DH_EIO, e->name, 0, 0,
                        p->archive ? "the file is damaged: it ends early (the package is corrupt; "
                                     "copy it again)"
                                   : "the file changed while it was being read");
    PHYSFS_close(f);
    if (st == DH_OK && p->archive && dh_crc32(0, buf, (size_t)size) != e->crc32)
        st = dh_fail_at(err, DH_ESIG, e->name, 0, 0,
                        "the file is damaged: its CRC-32 does not match the archive (the package "
                        "is corrupt; copy it again)");
    if (st != DH_OK) {
        dh_free(buf);
        return st;
    }
    buf[size] = '\0';
    *data = buf;
    *len = (size_t)size;
    return DH_OK;
}

static void manifest_clear(dh_Package *p)
{
    for (int i = 0; i < p->nmfiles; i++) dh_free(p->mfiles[i].name);
    dh_free(p->mfiles);
    p->mfiles = NULL;
    p->nmfiles = 0;
    p->manifest = MANIFEST_UNKNOWN;
}

static int cmp_mfile(const void *a, const void *b)
{
    return strcmp(((const ManifestFile *)a)->name, ((const ManifestFile *)b)->name);
}

static bool parse_hex32(const char *s, unsigned char out[32])
{
    if (strlen(s) != 64) return false;
    for (int i = 0; i < 64; i++) {
        char c = s[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0) return false;
        if (i % 2 == 0) out[i / 2] = (unsigned char)(v << 4);
        else out[i / 2] |= (unsigned char)v;
    }
    return true;
}

/* Parse and check manifest.json, reporting every problem to d with its
 * position; on success p->mfiles holds the listed files. */
static dh_Status manifest_load(dh_Package *p, dh_Diags *d)
{
    manifest_clear(p);
    const dh_ZipEntry *e = dh_zip_find(&p->files, DH_PKG_MANIFEST);
    DH_ASSERT(e);
    unsigned char *text;
    size_t len;
    dh_Error err;
    dh_error_clear(&err);
    dh_Status st = read_raw(p, e, DH_PKG_MAX_JSON, &text, &len, &err);
    if (st == DH_ENOMEM) return st;
    if (st != DH_OK) {
        dh_diag_error(d, &err);
        p->manifest = MANIFEST_BAD;
        return DH_EFORMAT;
    }
    int errors = d->raised;
    dh_Json j;
    st = dh_json_parse(&j, DH_PKG_MANIFEST, (const char *)text, len, d);
    dh_free(text);
    if (st != DH_OK) {
        dh_json_free(&j);
        if (st != DH_ENOMEM) p->manifest = MANIFEST_BAD;
        return st;
    }
    const cJSON *root = j.root;
    static const char *const known[] = {"format", "generator", "course", "files", NULL};
    static const char *const known_course[] = {"id", "version", NULL};
    static const char *const known_file[] = {"sha256", "size", NULL};
    const cJSON *files = NULL;
    if (!cJSON_IsObject(root)) {
        dh_json_diag(&j, d, DH_ERROR, root, "manifest.json must be a JSON object, not %s",
                     dh_json_kind(root));
    } else {
        dh_json_check_members(&j, d, root, known, "the manifest");
        const cJSON *format = dh_json_get(&j, d, root, "format", DH_JSON_NUMBER, true);
        if (format && format->valuedouble != 1)
            dh_json_diag(&j, d, DH_ERROR, format,
                         "manifest format %g is not supported; this version of Drillhall reads "
                         "format 1", format->valuedouble);
        (void)dh_json_string(&j, d, root, "generator", true);
        /* "course" names the course for people and tools that read the
         * manifest alone; course.json itself is bound by its hash. */
        const cJSON *course = dh_json_get(&j, d, root, "course", DH_JSON_OBJECT, false);
        if (course) {
            dh_json_check_members(&j, d, course, known_course, "the manifest's 'course'");
            (void)dh_json_string(&j, d, course, "id", false);
            (void)dh_json_string(&j, d, course, "version", false);
        }
        files = dh_json_get(&j, d, root, "files", DH_JSON_OBJECT, true);
    }
    int n = cJSON_GetArraySize(files);
    p->mfiles = n ? dh_calloc((size_t)n, sizeof *p->mfiles) : NULL;
    if (n && !p->mfiles) {
        dh_json_free(&j);
        return DH_ENOMEM;
    }
    const cJSON *m;
    cJSON_ArrayForEach(m, files) {
        dh_Error nerr;
        dh_error_clear(&nerr);
        if (dh_zip_check_name(m->string, strlen(m->string), "file", &nerr) != DH_OK) {
            dh_json_diag_key(&j, d, DH_ERROR, m, "%s", nerr.msg);
            continue;
        }
        if (!strcmp(m->string, DH_PKG_MANIFEST)) {
            dh_json_diag_key(&j, d, DH_ERROR, m, "the manifest must not list itself");
            continue;
        }
        if (!cJSON_IsObject(m)) {
            dh_json_diag(&j, d, DH_ERROR, m,
                         "the entry for '%s' must be an object with 'sha256' and 'size', not %s",
                         m->string, dh_json_kind(m));
            continue;
        }
        dh_json_check_members(&j, d, m, known_file, "a manifest entry");
        ManifestFile *mf = &p->mfiles[p->nmfiles];
        const char *hex = dh_json_string(&j, d, m, "sha256", true);
        if (hex && !parse_hex32(hex, mf->sha256)) {
            dh_json_diag(&j, d, DH_ERROR, cJSON_GetObjectItemCaseSensitive(m, "sha256"),
                         "'sha256' must be 64 lowercase hexadecimal digits");
            hex = NULL;
        }
        const cJSON *size = dh_json_get(&j, d, m, "size", DH_JSON_NUMBER, true);
        if (size && (size->valuedouble < 0 || size->valuedouble > (double)DH_PKG_MAX_TOTAL ||
                     size->valuedouble != (double)(uint64_t)size->valuedouble)) {
            dh_json_diag(&j, d, DH_ERROR, size, "'size' must be a whole number of bytes");
            size = NULL;
        }
        if (!hex || !size) continue;
        mf->size = (uint64_t)size->valuedouble;
        mf->name = dh_strdup(m->string);
        if (!mf->name) {
            dh_json_free(&j);
            manifest_clear(p);
            return DH_ENOMEM;
        }
        p->nmfiles++;
    }
    dh_json_free(&j);
    if (d->raised != errors || d->oom) {
        bool oom = d->oom;
        manifest_clear(p);
        if (oom) return DH_ENOMEM;
        p->manifest = MANIFEST_BAD;
        return DH_EFORMAT;
    }
    if (p->nmfiles > 1) qsort(p->mfiles, (size_t)p->nmfiles, sizeof *p->mfiles, cmp_mfile);
    p->manifest = MANIFEST_OK;
    return DH_OK;
}

static const ManifestFile *manifest_find(const dh_Package *p, const char *name)
{
    int lo = 0, hi = p->nmfiles - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(p->mfiles[mid].name, name);
        if (c == 0) return &p->mfiles[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return NULL;
}

static const char *const changed_msg =
    "content does not match the package manifest (the file was changed after packing)";

dh_Status dh_package_read(dh_Package *p, const char *name, size_t max, void **data, size_t *len,
                          dh_Error *err)
{
    *data = NULL;
    *len = 0;
    const dh_ZipEntry *e = dh_zip_find(&p->files, name);
    if (!e) return dh_fail_at(err, DH_ENOTFOUND, name, 0, 0, "the package has no such file");
    unsigned char *buf;
    size_t n;
    dh_Status st = read_raw(p, e, max, &buf, &n, err);
    if (st != DH_OK) return st;
    if (p->has_manifest && strcmp(name, DH_PKG_MANIFEST) != 0) {
        if (p->manifest == MANIFEST_UNKNOWN) {
            dh_Diags scratch; /* the details are for dh_package_verify_manifest */
            dh_diags_init(&scratch);
            st = manifest_load(p, &scratch);
            dh_diags_free(&scratch);
            if (st == DH_ENOMEM) {
                dh_free(buf);
                return dh_fail_at(err, DH_ENOMEM, name, 0, 0, "out of memory");
            }
        }
        const ManifestFile *mf = p->manifest == MANIFEST_OK ? manifest_find(p, name) : NULL;
        unsigned char digest[crypto_hash_sha256_BYTES];
        if (mf) crypto_hash_sha256(digest, buf, n);
        if (p->manifest != MANIFEST_OK)
            st = dh_fail_at(err, DH_ESIG, name, 0, 0,
                            "the file cannot be checked because manifest.json is malformed");
        else if (!mf)
            st = dh_fail_at(err, DH_ESIG, name, 0, 0,
                            "the file is not listed in the package manifest (it was added after "
                            "packing)");
        else if (mf->size != n || memcmp(mf->sha256, digest, sizeof digest) != 0)
            st = dh_fail_at(err, DH_ESIG, name, 0, 0, "%s", changed_msg);
        if (st != DH_OK) {
            dh_free(buf);
            return st;
        }
    }
    *data = buf;
    *len = n;
    return DH_OK;
}

dh_Status dh_package_verify_manifest(dh_Package *p, dh_Diags *d)
{
    if (!p->has_manifest) return DH_OK;
    dh_Status st = manifest_load(p, d);
    if (st != DH_OK) return st;
    bool mismatch = false;
    int i = 0, k = 0;
    while (i < p->files.count || k < p->nmfiles) {
        const dh_ZipEntry *e = i < p->files.count ? &p->files.entries[i] : NULL;
        if (e && !strcmp(e->name, DH_PKG_MANIFEST)) {
            i++;
            continue;
        }
        const ManifestFile *mf = k < p->nmfiles ? &p->mfiles[k] : NULL;
        int c = !e ? 1 : !mf ? -1 : strcmp(e->name, mf->name);
        if (c < 0) {
            dh_diag(d, DH_ERROR, e->name, 0, 0,
                    "the file is not listed in the package manifest (it was added after packing)");
            mismatch = true;
            i++;
            continue;
        }
        if (c > 0) {
            dh_diag(d, DH_ERROR, mf->name, 0, 0,
                    "the file is listed in the package manifest but missing from the package");
            mismatch = true;
            k++;
            continue;
        }
        i++, k++;
        unsigned char *buf;
        size_t n;
        dh_Error err;
        dh_error_clear(&err);
        st = read_raw(p, e, DH_PKG_MAX_FILE, &buf, &n, &err);
        if (st == DH_ENOMEM) return st;
        if (st != DH_OK) {
            dh_diag_error(d, &err);
            mismatch = true;
            continue;
        }
        unsigned char digest[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(digest, buf, n);
        dh_free(buf);
        if (mf->size != n) {
            dh_diag(d, DH_ERROR, e->name, 0, 0,
                    "the file is %zu bytes but the package manifest records %llu (the file was "
                    "changed after packing)", n, (unsigned long long)mf->size);
            mismatch = true;
        } else if (memcmp(digest, mf->sha256, sizeof digest) != 0) {
            dh_diag(d, DH_ERROR, e->name, 0, 0, "%s", changed_msg);
            mismatch = true;
        }
    }
    return d->oom ? DH_ENOMEM : mismatch ? DH_ESIG : DH_OK;
}

/* ---- writing a manifest ------------------------------------------------ */

typedef struct Buf {
    char *s;
    size_t len, cap;
    bool oom;
} Buf;

static void buf_add(Buf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap) cap *= 2;
        char *ns = dh_realloc(b->s, cap);
        if (!ns) {
            b->oom = true;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void buf_str(Buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

/* A JSON string literal; names are checked UTF-8 without control bytes, so
 * only quotes and backslashes need escaping (control bytes are escaped in
 * case a generator string carries one). */
static void buf_json_string(Buf *b, const char *s)
{
    buf_add(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            buf_add(b, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            buf_str(b, esc);
        } else {
            buf_add(b, s, 1);
        }
    }
    buf_add(b, "\"", 1);
}

static int cmp_write_ptr(const void *a, const void *b)
{
    return strcmp((*(const dh_ZipWriteEntry *const *)a)->name,
                  (*(const dh_ZipWriteEntry *const *)b)->name);
}

dh_Status dh_package_manifest(const dh_ZipWriteEntry *files, int n, const char *generator,
                              const char *course_id, const char *course_version, char **json,
                              size_t *len, dh_Error *err)
{
    *json = NULL;
    *len = 0;
    const dh_ZipWriteEntry **order = n ? dh_malloc((size_t)n * sizeof *order) : NULL;
    if (n && !order) return dh_fail(err, DH_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++) order[i] = &files[i];
    if (n > 1) qsort(order, (size_t)n, sizeof *order, cmp_write_ptr);
    Buf b = {0};
    buf_str(&b, "{\n  \"format\": 1,\n  \"generator\": ");
    buf_json_string(&b, generator);
    if (course_id && course_version) {
        buf_str(&b, ",\n  \"course\": {\"id\": ");
        buf_json_string(&b, course_id);
        buf_str(&b, ", \"version\": ");
        buf_json_string(&b, course_version);
        buf_str(&b, "}");
    }
    buf_str(&b, ",\n  \"files\": {");
    bool first = true;
    for (int i = 0; i < n; i++) {
        if (!strcmp(order[i]->name, DH_PKG_MANIFEST)) continue;
        char hex[65], line[128];
        dh_sha256_hex(order[i]->data, order[i]->len, hex);
        buf_str(&b, first ? "\n    " : ",\n    ");
        first = false;
        buf_json_string(&b, order[i]->name);
        snprintf(line, sizeof line, ": {\"sha256\": \"%s\", \"size\": %zu}", hex, order[i]->len);
        buf_str(&b, line);
    }
    buf_str(&b, first ? "}\n}\n" : "\n  }\n}\n");
    dh_free(order);
    if (b.oom) {
        dh_free(b.s);
        return dh_fail(err, DH_ENOMEM, "out of memory");
    }
    *json = b.s;
    *len = b.len;
    return DH_OK;
}
