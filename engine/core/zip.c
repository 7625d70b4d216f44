/* zip: the central-directory scanner that guards PhysicsFS, and the writer.
 *
 * The scanner reads an archive the way an attacker hopes nobody will: the end
 * record must sit exactly at the end of the file, the central directory must
 * end exactly where the end record begins, every central record must be
 * complete, every local header must exist, agree with its central record and
 * own a byte range no other entry touches. Only then are names, types,
 * compression and sizes judged. Each refusal is one sentence that names the
 * entry (with unprintable bytes escaped, so a hostile name cannot drive the
 * terminal) and says what an instructor can do about it.
 *
 * The writer is deliberately simple: stored entries, fixed times, no extra
 * fields. That is what makes `pack` reproducible (see dh_zip_write).
 */
#define _POSIX_C_SOURCE 200809L

#include "zip.h"

#include "alloc.h"
#include "package.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END 0x06054b50u
#define SIG_ZIP64_LOCATOR 0x07064b50u
#define SIG_DESCRIPTOR 0x08074b50u
#define END_SIZE 22u
#define CENTRAL_SIZE 46u
#define LOCAL_SIZE 30u
#define MAX_COMMENT 65535u

#define FLAG_ENCRYPTED 0x0001u
#define FLAG_DESCRIPTOR 0x0008u
#define FLAG_STRONG_ENCRYPTION 0x0040u
#define FLAG_UTF8 0x0800u
#define FLAG_MASKED_HEADERS 0x2000u

#define MODE_TYPE 0170000u
#define MODE_REG 0100000u
#define MODE_DIR 0040000u
#define MODE_LNK 0120000u

/* ---- little helpers ---------------------------------------------------- */

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Read len bytes at off. Callers check bounds against src->size first, so a
 * failure here is a real I/O error (or a file that shrank under us). */
static dh_Status src_read(const dh_ZipSource *src, uint64_t off, void *buf, size_t len,
                          dh_Error *err)
{
    if (off > src->size || len > src->size - off)
        return dh_fail(err, DH_EFORMAT, "the archive is truncated");
    if (src->mem) {
        memcpy(buf, src->mem + off, len);
        return DH_OK;
    }
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = pread(src->fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return dh_fail(err, DH_EIO, "cannot read the archive: %s", strerror(errno));
        if (n == 0) return dh_fail(err, DH_EIO, "the archive became shorter while it was being read");
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return DH_OK;
}

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if invalid
 * (overlong forms, surrogates and code points past U+10FFFF are invalid). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) { len = 3; lo = 0xA0; }
    else if (c >= 0xE1 && c <= 0xEC) len = 3;
    else if (c == 0xED) { len = 3; hi = 0x9F; }
    else if (c >= 0xEE && c <= 0xEF) len = 3;
    else if (c == 0xF0) { len = 4; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) { len = 4; hi = 0x8F; }
    else return 0;
    if (n < len) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) return 0;
    return len;
}

/* C0 and C1 control characters: a name carrying them could rewrite the
 * terminal an instructor reads our messages in. */
static bool is_control(const unsigned char *s, size_t seq)
{
    if (seq == 1) return s[0] < 0x20 || s[0] == 0x7F;
    return seq == 2 && s[0] == 0xC2 && s[1] < 0xA0;
}

/* A name made safe to print: valid printable UTF-8 is kept, anything else
 * becomes \xNN; long names are cut with "...". */
static const char *quote(char *buf, size_t size, const char *name, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)name;
    size_t o = 0, i = 0;
    DH_ASSERT(size >= 16);
    while (i < len) {
        size_t seq = utf8_seq(s + i, len - i);
        bool printable = seq && !is_control(s + i, seq);
        size_t need = printable ? seq : 4;
        if (o + need + 4 > size) {
            memcpy(buf + o, "...", 4);
            return buf;
        }
        if (printable) {
            memcpy(buf + o, s + i, seq);
            o += seq;
            i += seq;
        } else {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[s[i] >> 4];
            buf[o++] = hex[s[i] & 15];
            i++;
        }
    }
    buf[o] = '\0';
    return buf;
}

#define QUOTE_SIZE 200

const char *dh_zip_quote(char *buf, size_t size, const char *name, size_t len)
{
    return quote(buf, size, name, len);
}

static void format_size(char *buf, size_t size, uint64_t n)
{
    if (n < 1024) snprintf(buf, size, "%llu bytes", (unsigned long long)n);
    else if (n < 1024 * 1024) snprintf(buf, size, "%.1f KiB", (double)n / 1024);
    else if (n < 1024ull * 1024 * 1024) snprintf(buf, size, "%.1f MiB", (double)n / (1024 * 1024));
    else snprintf(buf, size, "%.1f GiB", (double)n / (1024.0 * 1024 * 1024));
}

static const char *method_name(unsigned m)
{
    switch (m) {
    case 1: return "Shrink";
    case 2: case 3: case 4: case 5: return "Reduce";
    case 6: return "Implode";
    case 9: return "Deflate64";
    case 10: return "PKWARE DCL Implode";
    case 12: return "bzip2";
    case 14: return "LZMA";
    case 18: return "IBM TERSE";
    case 19: return "IBM LZ77";
    case 93: return "Zstandard";
    case 94: return "MP3";
    case 95: return "XZ";
    case 96: return "JPEG";
    case 97: return "WavPack";
    case 98: return "PPMd";
    default: return NULL;
    }
}

/* ---- names ------------------------------------------------------------- */

dh_Status dh_zip_check_name(const char *name, size_t len, const char *what, dh_Error *err)
{
    char q[QUOTE_SIZE];
    const unsigned char *s = (const unsigned char *)name;
    if (len == 0) return dh_fail(err, DH_EUNSAFE, "an %s has an empty name", what);
    if (len > DH_PKG_MAX_NAME)
        return dh_fail(err, DH_EUNSAFE, "%s '%s' has a name of %zu bytes; the limit is %d",
                       what, quote(q, sizeof q, name, len), len, DH_PKG_MAX_NAME);
    for (size_t i = 0; i < len;) {
        size_t seq = utf8_seq(s + i, len - i);
        if (!seq)
            return dh_fail(err, DH_EUNSAFE, "%s name '%s' is not valid UTF-8", what,
                           quote(q, sizeof q, name, len));
        if (is_control(s + i, seq))
            return dh_fail(err, DH_EUNSAFE, "%s '%s' has a control character in its name", what,
                           quote(q, sizeof q, name, len));
        i += seq;
    }
    quote(q, sizeof q, name, len);
    if (s[0] == '/')
        return dh_fail(err, DH_EUNSAFE,
                       "%s '%s' is an absolute path; names inside a package must be relative", what, q);
    if (len >= 2 && s[1] == ':' && ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
        return dh_fail(err, DH_EUNSAFE,
                       "%s '%s' starts with a drive letter; names inside a package must be relative",
                       what, q);
    if (memchr(s, '\\', len))
        return dh_fail(err, DH_EUNSAFE,
                       "%s '%s' contains a backslash; package paths separate folders with '/'", what, q);
    if (memchr(s, ':', len))
        return dh_fail(err, DH_EUNSAFE,
                       "%s '%s' contains ':', which is not allowed in package paths", what, q);
    size_t end = s[len - 1] == '/' ? len - 1 : len; /* a directory's trailing '/' */
    size_t start = 0;
    while (start <= end) {
        const unsigned char *slash = memchr(s + start, '/', end - start);
        size_t stop = slash ? (size_t)(slash - s) : end;
        size_t n = stop - start;
        if (n == 0)
            return dh_fail(err, DH_EUNSAFE, "%s '%s' has an empty path component ('//')", what, q);
        if (n == 1 && s[start] == '.')
            return dh_fail(err, DH_EUNSAFE, "%s '%s' has a '.' path component", what, q);
        if (n == 2 && s[start] == '.' && s[start + 1] == '.')
            return dh_fail(err, DH_EUNSAFE,
                           "%s '%s' has a '..' path component, which could reach outside the package",
                           what, q);
        start = stop + 1;
    }
    return DH_OK;
}

typedef struct NameRef {
    const char *s;
    size_t len; /* without a directory's trailing '/' */
    bool dir;
} NameRef;

/* Fold ASCII case and make '/' sort before every other byte, so that "a",
 * "a/..." and then "a-b" follow each other and a file "a" is next to any path
 * that uses it as a directory. Control bytes never reach here. */
static unsigned fold(unsigned char c)
{
    if (c == '/') return 1;
    if (c >= 'A' && c <= 'Z') return c + 32u;
    return c;
}

static int cmp_folded(const NameRef *a, const NameRef *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    for (size_t i = 0; i < n; i++) {
        unsigned x = fold((unsigned char)a->s[i]), y = fold((unsigned char)b->s[i]);
        if (x != y) return x < y ? -1 : 1;
    }
    return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

static int cmp_nameref(const void *pa, const void *pb)
{
    const NameRef *a = pa, *b = pb;
    int c = cmp_folded(a, b);
    if (c) return c;
    c = memcmp(a->s, b->s, a->len); /* equal lengths here */
    if (c) return c;
    return (int)a->dir - (int)b->dir;
}

dh_Status dh_zip_check_collisions(const char *const *names, int n, const char *what,
                                  dh_Error *err)
{
    if (n < 2) return DH_OK;
    NameRef *r = dh_malloc((size_t)n * sizeof *r);
    if (!r) return dh_fail(err, DH_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        r[i].s = names[i];
        r[i].dir = len > 0 && names[i][len - 1] == '/';
        r[i].len = r[i].dir ? len - 1 : len;
    }
    qsort(r, (size_t)n, sizeof *r, cmp_nameref);
    dh_Status st = DH_OK;
    char qa[QUOTE_SIZE], qb[QUOTE_SIZE];
    for (int i = 0; i + 1 < n && st == DH_OK; i++) {
        const NameRef *a = &r[i], *b = &r[i + 1];
        if (cmp_folded(a, b) == 0) {
            quote(qa, sizeof qa, a->s, a->len + a->dir);
            quote(qb, sizeof qb, b->s, b->len + b->dir);
            if (memcmp(a->s, b->s, a->len) != 0)
                st = dh_fail(err, DH_EUNSAFE,
                             "'%s' and '%s' differ only in case; they would be the same file on a "
                             "kiosk's case-insensitive file system", qa, qb);
            else if (a->dir == b->dir)
                st = dh_fail(err, DH_EUNSAFE, "%s '%s' appears twice", what, qa);
            else
                st = dh_fail(err, DH_EUNSAFE, "'%s' is both a file and a directory",
                             quote(qa, sizeof qa, a->s, a->len));
        } else if (!a->dir && b->len > a->len && b->s[a->len] == '/') {
            NameRef prefix = {b->s, a->len, false};
            if (cmp_folded(a, &prefix) == 0)
                st = dh_fail(err, DH_EUNSAFE,
                             "%s '%s' is a file, but '%s' uses the same name as a directory", what,
                             quote(qa, sizeof qa, a->s, a->len),
                             quote(qb, sizeof qb, b->s, b->len + b->dir));
        }
    }
    dh_free(r);
    return st;
}

/* ---- CRC-32 ------------------------------------------------------------ */

static uint32_t crc_table[256];
static bool crc_ready;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    crc_ready = true;
}

uint32_t dh_crc32(uint32_t crc, const void *data, size_t len)
{
    if (!crc_ready) crc_init();
    const unsigned char *p = data;
    crc = ~crc;
    while (len--) crc = crc_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

/* ---- the scanner ------------------------------------------------------- */

/* Everything known about one central record while the scan runs. */
typedef struct Rec {
    char *name;               /* NUL-terminated copy */
    uint16_t nlen;
    bool dir;                 /* name ends in '/' */
    uint16_t made_by, version, flags, method;
    uint32_t crc, csize, usize, ext, local;
    uint64_t data, end;       /* data offset; end of data (+ descriptor) */
    int index;                /* position in the central directory */
} Rec;

static void free_recs(Rec *recs, int n)
{
    if (!recs) return;
    for (int i = 0; i < n; i++) dh_free(recs[i].name);
    dh_free(recs);
}

/* Hosts whose zippers cannot make symlinks, per Info-ZIP (and PhysicsFS,
 * which treats every other host's mode bits as unix). */
static bool host_is_unix_like(uint16_t made_by)
{
    switch (made_by >> 8) {
    case 0: case 1: case 2: case 4: case 6: case 11: case 13: case 14: case 15: case 18:
        return false;
    default:
        return true;
    }
}

/* Find the end record: the last signature in the final 64 KiB + 22 bytes,
 * as PhysicsFS finds it, so both read the same central directory. */
static dh_Status find_end(const dh_ZipSource *src, unsigned char end[END_SIZE], uint64_t *pos,
                          dh_Error *err)
{
    static const char *const none =
        "no end-of-central-directory record: the file is not a zip archive or it is truncated";
    if (src->size < END_SIZE) return dh_fail(err, DH_EFORMAT, "%s", none);
    size_t tail = src->size < END_SIZE + MAX_COMMENT ? (size_t)src->size : END_SIZE + MAX_COMMENT;
    unsigned char *buf = dh_malloc(tail);
    if (!buf) return dh_fail(err, DH_ENOMEM, "out of memory");
    uint64_t base = src->size - tail;
    dh_Status st = src_read(src, base, buf, tail, err);
    if (st != DH_OK) {
        dh_free(buf);
        return st;
    }
    size_t i = tail - END_SIZE + 1;
    bool found = false;
    while (i-- > 0) {
        if (le32(buf + i) == SIG_END) {
            found = true;
            break;
        }
    }
    if (found) {
        memcpy(end, buf + i, END_SIZE);
        *pos = base + i;
    }
    dh_free(buf);
    return found ? DH_OK : dh_fail(err, DH_EFORMAT, "%s", none);
}

/* Judge one central record's name, type, compression and sizes. */
static dh_Status check_record(const Rec *r, uint64_t *total, dh_Error *err)
{
    char q[QUOTE_SIZE], a[32], b[32];
    dh_Status st = dh_zip_check_name(r->name, r->nlen, "entry", err);
    if (st != DH_OK) return st;
    quote(q, sizeof q, r->name, r->nlen);
    if (r->flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_HEADERS) || r->method == 99)
        return dh_fail(err, DH_EUNSAFE,
                       "entry '%s' is encrypted; packages are never encrypted (they are signed) "
                       "— repack with drillhall-pack pack", q);
    if (r->method != DH_ZIP_STORE && r->method != DH_ZIP_DEFLATE) {
        const char *m = method_name(r->method);
        if (m)
            return dh_fail(err, DH_EUNSAFE,
                           "entry '%s' uses %s compression; Drillhall reads only stored or deflated "
                           "entries — repack with drillhall-pack pack", q, m);
        return dh_fail(err, DH_EUNSAFE,
                       "entry '%s' uses unknown compression method %u; Drillhall reads only stored "
                       "or deflated entries — repack with drillhall-pack pack", q, r->method);
    }
    bool marked_dir;
    if (host_is_unix_like(r->made_by)) {
        uint32_t type = (r->ext >> 16) & MODE_TYPE;
        if (type == MODE_LNK)
            return dh_fail(err, DH_EUNSAFE,
                           "entry '%s' is a symbolic link; a package may contain only regular files "
                           "and directories", q);
        if (type != 0 && type != MODE_REG && type != MODE_DIR)
            return dh_fail(err, DH_EUNSAFE,
                           "entry '%s' is a device, FIFO or socket; a package may contain only "
                           "regular files and directories", q);
        marked_dir = type == MODE_DIR || (type == 0 && (r->ext & 0x10));
    } else {
        marked_dir = r->ext & 0x10; /* the MS-DOS directory attribute */
    }
    if (marked_dir && !r->dir)
        return dh_fail(err, DH_EFORMAT,
                       "entry '%s' is marked as a directory but its name does not end in '/'", q);
    if (r->dir) {
        if (r->usize != 0)
            return dh_fail(err, DH_EFORMAT, "directory entry '%s' has content", q);
        return DH_OK;
    }
    if (r->usize > DH_PKG_MAX_FILE) {
        format_size(a, sizeof a, r->usize);
        format_size(b, sizeof b, DH_PKG_MAX_FILE);
        return dh_fail(err, DH_ELIMIT, "entry '%s' is %s uncompressed; one file may be at most %s",
                       q, a, b);
    }
    if (r->method == DH_ZIP_STORE && r->csize != r->usize)
        return dh_fail(err, DH_EFORMAT,
                       "entry '%s' is stored uncompressed but its two sizes differ (the archive is "
                       "corrupt)", q);
    if (r->method == DH_ZIP_DEFLATE && r->csize == 0 && r->usize != 0)
        return dh_fail(err, DH_EFORMAT,
                       "entry '%s' claims %u bytes from no compressed data (the archive is corrupt)",
                       q, r->usize);
    if (r->usize > DH_PKG_RATIO_MIN_SIZE && (uint64_t)r->usize > (uint64_t)r->csize * DH_PKG_MAX_RATIO) {
        format_size(a, sizeof a, r->csize);
        format_size(b, sizeof b, r->usize);
        return dh_fail(err, DH_ELIMIT,
                       "entry '%s' expands from %s to %s, more than %d times; that is refused as a "
                       "possible zip bomb", q, a, b, DH_PKG_MAX_RATIO);
    }
    *total += r->usize;
    if (*total > DH_PKG_MAX_TOTAL) {
        format_size(a, sizeof a, DH_PKG_MAX_TOTAL);
        return dh_fail(err, DH_ELIMIT,
                       "the files in the archive add up to more than %s uncompressed (the limit)", a);
    }
    return DH_OK;
}

/* Read central record number idx at *off (advanced past it) into r. */
static dh_Status read_record(const dh_ZipSource *src, uint64_t *off, uint64_t cd_end, int idx,
                             Rec *r, dh_Error *err)
{
    unsigned char h[CENTRAL_SIZE];
    char q[QUOTE_SIZE];
    if (cd_end - *off < CENTRAL_SIZE)
        return dh_fail(err, DH_EFORMAT,
                       "the central directory ends in the middle of entry %d (the archive is corrupt)",
                       idx + 1);
    dh_Status st = src_read(src, *off, h, sizeof h, err);
    if (st != DH_OK) return st;
    if (le32(h) != SIG_CENTRAL)
        return dh_fail(err, DH_EFORMAT,
                       "central directory record %d is damaged (the archive is corrupt)", idx + 1);
    r->made_by = le16(h + 4);
    r->version = le16(h + 6);
    r->flags = le16(h + 8);
    r->method = le16(h + 10);
    r->crc = le32(h + 16);
    r->csize = le32(h + 20);
    r->usize = le32(h + 24);
    r->nlen = le16(h + 28);
    uint16_t elen = le16(h + 30), clen = le16(h + 32), disk = le16(h + 34);
    r->ext = le32(h + 38);
    r->local = le32(h + 42);
    uint64_t rec_len = (uint64_t)CENTRAL_SIZE + r->nlen + elen + clen;
    if (cd_end - *off < rec_len)
        return dh_fail(err, DH_EFORMAT,
                       "the central directory ends in the middle of entry %d (the archive is corrupt)",
                       idx + 1);
    size_t keep = r->nlen > DH_PKG_MAX_NAME ? 64 : r->nlen; /* enough to name it */
    r->name = dh_malloc(keep + 1);
    if (!r->name) return dh_fail(err, DH_ENOMEM, "out of memory");
    st = src_read(src, *off + CENTRAL_SIZE, r->name, keep, err);
    if (st != DH_OK) return st;
    r->name[keep] = '\0';
    *off += rec_len;
    if (r->nlen == 0)
        return dh_fail(err, DH_EUNSAFE, "entry %d of the archive has an empty name", idx + 1);
    if (r->nlen > DH_PKG_MAX_NAME)
        return dh_fail(err, DH_EUNSAFE, "entry '%s' has a name of %u bytes; the limit is %d",
                       quote(q, sizeof q, r->name, keep), r->nlen, DH_PKG_MAX_NAME);
    r->dir = r->name[r->nlen - 1] == '/';
    if (r->csize == 0xFFFFFFFFu || r->usize == 0xFFFFFFFFu || r->local == 0xFFFFFFFFu ||
        disk == 0xFFFF)
        return dh_fail(err, DH_EUNSAFE,
                       "entry '%s' uses zip64 extensions; Drillhall packages are plain zip archives "
                       "— repack with drillhall-pack pack", quote(q, sizeof q, r->name, r->nlen));
    if (disk != 0)
        return dh_fail(err, DH_EUNSAFE,
                       "entry '%s' lies on another disk of a split archive; join the parts into one "
                       "archive", quote(q, sizeof q, r->name, r->nlen));
    return DH_OK;
}

/* Locate entry r's local header and data; r->data and r->end are set. The
 * agreement of the header with the central record is checked later (after
 * overlaps, which explain a disagreement better). */
static dh_Status locate_data(const dh_ZipSource *src, uint64_t cd_off, Rec *r, unsigned char lh[LOCAL_SIZE],
                             dh_Error *err)
{
    char q[QUOTE_SIZE];
    quote(q, sizeof q, r->name, r->nlen);
    if ((uint64_t)r->local + LOCAL_SIZE > cd_off)
        return dh_fail(err, DH_EFORMAT,
                       "the local header of entry '%s' lies outside the archive data (the archive is "
                       "truncated or corrupt)", q);
    dh_Status st = src_read(src, r->local, lh, LOCAL_SIZE, err);
    if (st != DH_OK) return st;
    if (le32(lh) != SIG_LOCAL)
        return dh_fail(err, DH_EFORMAT,
                       "the local header of entry '%s' is missing where the central directory says "
                       "(the archive is corrupt)", q);
    r->data = (uint64_t)r->local + LOCAL_SIZE + le16(lh + 26) + le16(lh + 28);
    r->end = r->data + r->csize;
    if (r->end > cd_off)
        return dh_fail(err, DH_EFORMAT,
                       "the data of entry '%s' runs past the end of the archive data (the archive is "
                       "truncated or corrupt)", q);
    if (r->flags & FLAG_DESCRIPTOR) {
        unsigned char sig[4];
        uint64_t dlen = 12;
        if (r->end + 4 <= cd_off) {
            st = src_read(src, r->end, sig, 4, err);
            if (st != DH_OK) return st;
            if (le32(sig) == SIG_DESCRIPTOR) dlen = 16;
        }
        if (r->end + dlen > cd_off)
            return dh_fail(err, DH_EFORMAT,
                           "the data descriptor of entry '%s' runs past the end of the archive data "
                           "(the archive is truncated or corrupt)", q);
        r->end += dlen;
    }
    return DH_OK;
}

/* The local header must tell the same story as the central record: other
 * tools read the local one, and a difference is how smuggling works. */
static dh_Status check_local(const dh_ZipSource *src, const Rec *r, const unsigned char lh[LOCAL_SIZE],
                             dh_Error *err)
{
    char q[QUOTE_SIZE], q2[QUOTE_SIZE];
    quote(q, sizeof q, r->name, r->nlen);
    uint16_t lnlen = le16(lh + 26);
    char lname[DH_PKG_MAX_NAME + 1];
    size_t keep = lnlen > DH_PKG_MAX_NAME ? DH_PKG_MAX_NAME : lnlen;
    dh_Status st = src_read(src, (uint64_t)r->local + LOCAL_SIZE, lname, keep, err);
    if (st != DH_OK) return st;
    if (lnlen != r->nlen || memcmp(lname, r->name, r->nlen) != 0)
        return dh_fail(err, DH_EUNSAFE,
                       "the local header of entry '%s' names a different file ('%s'); the archive "
                       "was tampered with or is corrupt", q, quote(q2, sizeof q2, lname, keep));
    bool desc = r->flags & FLAG_DESCRIPTOR;
    uint32_t lcrc = le32(lh + 14), lcsize = le32(lh + 18), lusize = le32(lh + 22);
    if (le16(lh + 4) != r->version || le16(lh + 8) != r->method ||
        ((le16(lh + 6) ^ r->flags) & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) ||
        (lcrc != r->crc && !(desc && lcrc == 0)) ||
        (lcsize != r->csize && !(desc && lcsize == 0)) ||
        (lusize != r->usize && !(desc && lusize == 0)))
        return dh_fail(err, DH_EUNSAFE,
                       "the local header of entry '%s' disagrees with the central directory "
                       "(version, method, encryption, CRC or sizes); the archive was tampered with "
                       "or is corrupt", q);
    return DH_OK;
}

static int cmp_rec_offset(const void *pa, const void *pb)
{
    const Rec *a = pa, *b = pb;
    if (a->local != b->local) return a->local < b->local ? -1 : 1;
    return a->index - b->index; /* messages must not depend on qsort */
}

static int cmp_entry_name(const void *pa, const void *pb)
{
    return strcmp(((const dh_ZipEntry *)pa)->name, ((const dh_ZipEntry *)pb)->name);
}

dh_Status dh_zip_scan(const dh_ZipSource *src, dh_ZipList *out, dh_Error *err)
{
    memset(out, 0, sizeof *out);
    unsigned char end[END_SIZE] = {0};
    uint64_t pos = 0;
    dh_Status st = find_end(src, end, &pos, err);
    if (st != DH_OK) return st;
    uint16_t disk = le16(end + 4), cd_disk = le16(end + 6), n_disk = le16(end + 8);
    uint16_t n = le16(end + 10), clen = le16(end + 20);
    uint32_t cd_size = le32(end + 12), cd_off = le32(end + 16);
    if (pos + END_SIZE + clen > src->size)
        return dh_fail(err, DH_EFORMAT,
                       "the archive is truncated: its end record promises a comment that is not there");
    if (pos + END_SIZE + clen < src->size)
        return dh_fail(err, DH_EFORMAT,
                       "the archive has %llu bytes of unexpected data after its end record",
                       (unsigned long long)(src->size - pos - END_SIZE - clen));
    unsigned char loc[4] = {0};
    if (pos >= 20) {
        st = src_read(src, pos - 20, loc, 4, err);
        if (st != DH_OK) return st;
    }
    if ((pos >= 20 && le32(loc) == SIG_ZIP64_LOCATOR) || n == 0xFFFF || cd_size == 0xFFFFFFFFu ||
        cd_off == 0xFFFFFFFFu)
        return dh_fail(err, DH_EUNSAFE,
                       "the archive is in zip64 format; Drillhall packages are plain zip archives "
                       "— repack with drillhall-pack pack");
    if (disk != 0 || cd_disk != 0 || n_disk != n)
        return dh_fail(err, DH_EUNSAFE,
                       "the archive is split over several disks; join the parts into one archive");
    if (n > DH_PKG_MAX_ENTRIES)
        return dh_fail(err, DH_ELIMIT, "the archive has %u entries; the limit is %d", n,
                       DH_PKG_MAX_ENTRIES);
    if ((uint64_t)cd_off + cd_size > pos)
        return dh_fail(err, DH_EFORMAT,
                       "the central directory lies outside the file (the archive is truncated or "
                       "corrupt)");
    if ((uint64_t)cd_off + cd_size < pos)
        return dh_fail(err, DH_EFORMAT,
                       "the central directory does not end where the end record begins (data was "
                       "added inside or in front of the archive)");

    Rec *recs = n ? dh_calloc(n, sizeof *recs) : NULL;
    if (n && !recs) return dh_fail(err, DH_ENOMEM, "out of memory");
    unsigned char(*lh)[LOCAL_SIZE] = n ? dh_malloc((size_t)n * LOCAL_SIZE) : NULL;
    const char **names = n ? dh_malloc((size_t)n * sizeof *names) : NULL;
    if (n && (!lh || !names)) {
        st = dh_fail(err, DH_ENOMEM, "out of memory");
        goto done;
    }
    uint64_t off = cd_off, total = 0;
    int files = 0;
    for (int i = 0; i < n; i++) {
        recs[i].index = i;
        st = read_record(src, &off, (uint64_t)cd_off + cd_size, i, &recs[i], err);
        if (st == DH_OK) st = check_record(&recs[i], &total, err);
        if (st != DH_OK) goto done;
        names[i] = recs[i].name;
        files += !recs[i].dir;
    }
    if (off != (uint64_t)cd_off + cd_size) {
        st = dh_fail(err, DH_EFORMAT,
                     "the central directory holds more than its %u entries (the archive is corrupt)",
                     n);
        goto done;
    }
    st = dh_zip_check_collisions(names, n, "entry", err);
    if (st != DH_OK) goto done;
    for (int i = 0; i < n; i++) {
        st = locate_data(src, cd_off, &recs[i], lh[i], err);
        if (st != DH_OK) goto done;
    }
    /* Overlap check on a copy sorted by offset; lh stays indexed like recs. */
    Rec *by_off = n ? dh_malloc((size_t)n * sizeof *by_off) : NULL;
    if (n && !by_off) {
        st = dh_fail(err, DH_ENOMEM, "out of memory");
        goto done;
    }
    if (n) memcpy(by_off, recs, (size_t)n * sizeof *by_off);
    if (n) qsort(by_off, n, sizeof *by_off, cmp_rec_offset);
    for (int i = 1; i < n && st == DH_OK; i++) {
        if (by_off[i].local < by_off[i - 1].end) {
            char qa[QUOTE_SIZE], qb[QUOTE_SIZE];
            st = dh_fail(err, DH_EUNSAFE,
                         "entries '%s' and '%s' overlap in the archive; overlapping entries are a "
                         "zip bomb technique",
                         quote(qa, sizeof qa, by_off[i - 1].name, by_off[i - 1].nlen),
                         quote(qb, sizeof qb, by_off[i].name, by_off[i].nlen));
        }
    }
    dh_free(by_off);
    if (st != DH_OK) goto done;
    for (int i = 0; i < n; i++) {
        st = check_local(src, &recs[i], lh[i], err);
        if (st != DH_OK) goto done;
    }

    out->entries = files ? dh_calloc((size_t)files, sizeof *out->entries) : NULL;
    if (files && !out->entries) {
        st = dh_fail(err, DH_ENOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < n; i++) {
        Rec *r = &recs[i];
        if (r->dir) {
            out->directories++;
            continue;
        }
        dh_ZipEntry *e = &out->entries[out->count++];
        e->name = r->name;
        r->name = NULL; /* moved */
        e->method = r->method;
        e->flags = r->flags;
        e->made_by = r->made_by;
        e->crc32 = r->crc;
        e->csize = r->csize;
        e->usize = r->usize;
        e->local_offset = r->local;
        e->data_offset = r->data;
        e->external_attr = r->ext;
    }
    out->total = total;
    if (out->count > 1) qsort(out->entries, (size_t)out->count, sizeof *out->entries, cmp_entry_name);
done:
    free_recs(recs, n);
    dh_free(lh);
    dh_free(names);
    if (st != DH_OK) dh_zip_list_free(out);
    return st;
}

dh_Status dh_zip_scan_memory(const void *data, size_t len, dh_ZipList *out, dh_Error *err)
{
    static const unsigned char empty[1];
    dh_ZipSource src = {data ? data : empty, -1, data ? len : 0};
    return dh_zip_scan(&src, out, err);
}

void dh_zip_list_free(dh_ZipList *list)
{
    if (!list) return;
    for (int i = 0; i < list->count; i++) dh_free(list->entries[i].name);
    dh_free(list->entries);
    memset(list, 0, sizeof *list);
}

const dh_ZipEntry *dh_zip_find(const dh_ZipList *list, const char *name)
{
    int lo = 0, hi = list->count - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(list->entries[mid].name, name);
        if (c == 0) return &list->entries[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return NULL;
}

/* ---- the writer -------------------------------------------------------- */

/* Why stored and not deflated: the bytes of deflate output depend on the
 * zlib version and its settings, so two machines (or two Debian releases)
 * packing the same course would produce different archives and different
 * signatures. Stored entries are byte-identical everywhere, need no zlib, and
 * cost little: a course is mostly PNG/JPEG images, already compressed, plus
 * JSON measured in kilobytes. Times are fixed at 1980-01-01 00:00 (the
 * earliest DOS date) and there are no extra fields, which would otherwise
 * carry timestamps and owner ids. */
#define W_VERSION 20                      /* 2.0: what we need to extract */
#define W_MADE_BY (3 << 8 | W_VERSION)    /* unix host, so the mode is read */
#define W_TIME 0x0000                     /* 00:00:00 */
#define W_DATE ((0 << 9) | (1 << 5) | 1)  /* 1980-01-01 */
#define W_MODE (MODE_REG | 0644u)

typedef struct Writer {
    FILE *f;
    uint64_t off; /* bytes written so far */
    bool failed;
} Writer;

static void put(Writer *w, const void *p, size_t n)
{
    if (w->failed || n == 0) return;
    if (fwrite(p, 1, n, w->f) != n) w->failed = true;
    w->off += n;
}

static void put16(Writer *w, unsigned v)
{
    unsigned char b[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    put(w, b, 2);
}

static void put32(Writer *w, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    put(w, b, 4);
}

/* The fields local and central headers share, from "version needed" on. */
static void put_common(Writer *w, const dh_ZipWriteEntry *e, uint32_t crc)
{
    put16(w, W_VERSION);
    put16(w, FLAG_UTF8);
    put16(w, DH_ZIP_STORE);
    put16(w, W_TIME);
    put16(w, W_DATE);
    put32(w, crc);
    put32(w, (uint32_t)e->len);
    put32(w, (uint32_t)e->len);
    put16(w, (unsigned)strlen(e->name));
    put16(w, 0); /* no extra field */
}

static int cmp_write_entry(const void *pa, const void *pb)
{
    const dh_ZipWriteEntry *a = *(const dh_ZipWriteEntry *const *)pa;
    const dh_ZipWriteEntry *b = *(const dh_ZipWriteEntry *const *)pb;
    return strcmp(a->name, b->name);
}

/* Names, collisions and limits: refuse to write what the loader refuses. */
static dh_Status check_write(const dh_ZipWriteEntry *entries, int n, dh_Error *err)
{
    char a[32], b[32], q[QUOTE_SIZE];
    if (n > DH_PKG_MAX_ENTRIES)
        return dh_fail(err, DH_ELIMIT, "%d files is over the limit of %d per package", n,
                       DH_PKG_MAX_ENTRIES);
    uint64_t total = 0;
    for (int i = 0; i < n; i++) {
        const dh_ZipWriteEntry *e = &entries[i];
        size_t len = strlen(e->name);
        dh_Status st = dh_zip_check_name(e->name, len, "file", err);
        if (st != DH_OK) return st;
        if (e->name[len - 1] == '/')
            return dh_fail(err, DH_EINVAL, "'%s' is a directory name, not a file",
                           quote(q, sizeof q, e->name, len));
        if (e->len > DH_PKG_MAX_FILE) {
            format_size(a, sizeof a, e->len);
            format_size(b, sizeof b, DH_PKG_MAX_FILE);
            return dh_fail(err, DH_ELIMIT, "file '%s' is %s; one file may be at most %s",
                           quote(q, sizeof q, e->name, len), a, b);
        }
        total += e->len;
    }
    if (total > DH_PKG_MAX_TOTAL) {
        format_size(a, sizeof a, total);
        format_size(b, sizeof b, DH_PKG_MAX_TOTAL);
        return dh_fail(err, DH_ELIMIT, "the files add up to %s; a package may hold at most %s", a, b);
    }
    const char **names = n ? dh_malloc((size_t)n * sizeof *names) : NULL;
    if (n && !names) return dh_fail(err, DH_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++) names[i] = entries[i].name;
    dh_Status st = dh_zip_check_collisions(names, n, "file", err);
    dh_free(names);
    return st;
}

/* Make the rename durable: sync the directory that holds the new name. */
static void sync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY);
    if (fd < 0) return;
    (void)fsync(fd); /* some file systems refuse; the data itself is synced */
    close(fd);
}

dh_Status dh_zip_write(const char *path, const dh_ZipWriteEntry *entries, int n, dh_Error *err)
{
    DH_ASSERT(n >= 0 && (n == 0 || entries));
    dh_Status st = check_write(entries, n, err);
    if (st != DH_OK) return st;
    const dh_ZipWriteEntry **order = n ? dh_malloc((size_t)n * sizeof *order) : NULL;
    uint32_t *crcs = n ? dh_malloc((size_t)n * sizeof *crcs) : NULL;
    uint32_t *offs = n ? dh_malloc((size_t)n * sizeof *offs) : NULL;
    size_t plen = strlen(path);
    char *tmp = dh_malloc(plen + 16);
    if ((n && (!order || !crcs || !offs)) || !tmp) {
        st = dh_fail(err, DH_ENOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < n; i++) order[i] = &entries[i];
    if (n > 1) qsort(order, (size_t)n, sizeof *order, cmp_write_entry);
    for (int i = 0; i < n; i++) crcs[i] = dh_crc32(0, order[i]->data, order[i]->len);

    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp-XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        st = dh_fail_at(err, DH_EIO, path, 0, 0, "cannot create a temporary file beside '%s': %s",
                        path, strerror(errno));
        tmp[0] = '\0';
        goto done;
    }
    /* mkstemp makes 0600; a package is for others to read. */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0644 & ~mask);
    Writer w = {fdopen(fd, "wb"), 0, false};
    if (!w.f) {
        close(fd);
        st = dh_fail_at(err, DH_EIO, path, 0, 0, "cannot write '%s': %s", path, strerror(errno));
        goto fail;
    }
    for (int i = 0; i < n; i++) {
        const dh_ZipWriteEntry *e = order[i];
        offs[i] = (uint32_t)w.off;
        put32(&w, SIG_LOCAL);
        put_common(&w, e, crcs[i]);
        put(&w, e->name, strlen(e->name));
        put(&w, e->data, e->len);
    }
    uint64_t cd_off = w.off;
    for (int i = 0; i < n; i++) {
        const dh_ZipWriteEntry *e = order[i];
        put32(&w, SIG_CENTRAL);
        put16(&w, W_MADE_BY);
        put_common(&w, e, crcs[i]);
        put16(&w, 0);          /* comment length */
        put16(&w, 0);          /* disk number */
        put16(&w, 0);          /* internal attributes */
        put32(&w, (uint32_t)W_MODE << 16);
        put32(&w, offs[i]);
        put(&w, e->name, strlen(e->name));
    }
    uint64_t cd_size = w.off - cd_off;
    put32(&w, SIG_END);
    put16(&w, 0);
    put16(&w, 0);
    put16(&w, (unsigned)n);
    put16(&w, (unsigned)n);
    put32(&w, (uint32_t)cd_size);
    put32(&w, (uint32_t)cd_off);
    put16(&w, 0);
    DH_ASSERT(w.off < 0xFFFFFFFFu); /* guaranteed by the package limits */
    int saved = 0;
    if (w.failed || fflush(w.f) != 0) saved = errno;
    else if (fsync(fileno(w.f)) != 0) saved = errno;
    if (fclose(w.f) != 0 && !saved) saved = errno;
    if (saved || w.failed) {
        st = dh_fail_at(err, DH_EIO, path, 0, 0, "cannot write '%s': %s", path,
                        strerror(saved ? saved : EIO));
        goto fail;
    }
    if (rename(tmp, path) != 0) {
        st = dh_fail_at(err, DH_EIO, path, 0, 0, "cannot replace '%s': %s", path, strerror(errno));
        goto fail;
    }
    sync_parent(path);
    st = DH_OK;
    goto done;
fail:
    unlink(tmp);
done:
    dh_free(order);
    dh_free(crcs);
    dh_free(offs);
    dh_free(tmp);
    return st;
}
