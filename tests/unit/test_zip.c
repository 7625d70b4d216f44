/* test_zip: the central-directory scanner against every hostile pattern it
 * must refuse, and the deterministic writer.
 *
 * Hostile archives are built here byte by byte (tzip_build), not by a zip
 * library, because the point is to write exactly what no honest zipper would:
 * lying sizes, borrowed local headers, symlink modes, zip64 markers. Deflate
 * entries use deflate's "stored block" form, which is valid deflate that
 * needs no zlib to produce.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "package.h"
#include "zip.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a byte-level zip builder for tests -------------------------------- */

typedef struct TEntry {
    const char *name;
    size_t nlen;             /* 0: strlen(name) */
    const void *data;        /* the entry's (already compressed) data */
    size_t len;
    uint16_t method;
    uint16_t flags;          /* added to the UTF-8 flag */
    uint16_t made_by;        /* 0: unix, 2.0 */
    uint32_t ext;            /* 0: regular file 0644 */
    bool set_usize;
    uint32_t usize;          /* declared uncompressed size (default len) */
    bool set_csize;
    uint32_t csize;          /* declared compressed size (default len) */
    const void *plain;       /* uncompressed content for the CRC (default data) */
    size_t plain_len;
    const char *local_name;  /* name in the local header (default name) */
    int same_local_as;       /* 1-based: reuse that entry's local header */
    uint16_t local_method;   /* if nonzero: method written in the local header */
    uint16_t disk;           /* central "disk number start" */
    bool descriptor;         /* bit 3: zeros in the local header, descriptor after */
} TEntry;

typedef struct TOpts {
    size_t gap;              /* garbage between central directory and end record */
    size_t trailing;         /* garbage after the end record */
    const char *comment;     /* archive comment */
    int comment_len_delta;   /* lie about the comment length */
    bool zip64_locator;
    uint16_t disk;           /* "number of this disk" */
    int n_disk_delta;        /* entries on this disk minus total */
    int count_delta;         /* lie about the entry count */
    long cd_off_delta;
    uint32_t central_sig;    /* if nonzero: first central record's signature */
    uint32_t local_sig;      /* if nonzero: first local header's signature */
    bool empty_name;         /* first entry's name has length 0 */
} TOpts;

typedef struct TZip {
    unsigned char *p;
    size_t len, cap;
} TZip;

static void tz_put(TZip *z, const void *p, size_t n)
{
    if (z->len + n > z->cap) {
        while (z->len + n > z->cap) z->cap = z->cap ? z->cap * 2 : 1024;
        z->p = realloc(z->p, z->cap);
        assert_non_null(z->p);
    }
    if (n) memcpy(z->p + z->len, p, n);
    z->len += n;
}

static void tz16(TZip *z, unsigned v)
{
    unsigned char b[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    tz_put(z, b, 2);
}

static void tz32(TZip *z, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    tz_put(z, b, 4);
}

static TZip tzip_build(const TEntry *e, int n, const TOpts *o)
{
    static const TOpts none;
    if (!o) o = &none;
    TZip z = {0};
    uint32_t *offs = calloc((size_t)n + 1, sizeof *offs);
    for (int i = 0; i < n; i++) {
        const TEntry *t = &e[i];
        if (t->same_local_as) {
            offs[i] = offs[t->same_local_as - 1];
            continue;
        }
        offs[i] = (uint32_t)z.len;
        const char *lname = t->local_name ? t->local_name : t->name;
        size_t lnlen = t->local_name ? strlen(lname) : t->nlen ? t->nlen : strlen(lname);
        if (i == 0 && o->empty_name) lnlen = 0;
        uint32_t crc = dh_crc32(0, t->plain ? t->plain : t->data, t->plain ? t->plain_len : t->len);
        uint32_t cs = t->set_csize ? t->csize : (uint32_t)t->len;
        uint32_t us = t->set_usize ? t->usize : (uint32_t)t->len;
        tz32(&z, i == 0 && o->local_sig ? o->local_sig : 0x04034b50u);
        tz16(&z, 20);
        tz16(&z, 0x0800u | t->flags | (t->descriptor ? 8u : 0u));
        tz16(&z, t->local_method ? t->local_method : t->method);
        tz16(&z, 0);
        tz16(&z, 0x21);
        tz32(&z, t->descriptor ? 0 : crc);
        tz32(&z, t->descriptor ? 0 : cs);
        tz32(&z, t->descriptor ? 0 : us);
        tz16(&z, (unsigned)lnlen);
        tz16(&z, 0);
        tz_put(&z, lname, lnlen);
        tz_put(&z, t->data, t->len);
        if (t->descriptor) {
            tz32(&z, 0x08074b50u);
            tz32(&z, crc);
            tz32(&z, cs);
            tz32(&z, us);
        }
    }
    size_t cd_off = z.len;
    for (int i = 0; i < n; i++) {
        const TEntry *t = &e[i];
        size_t nlen = t->nlen ? t->nlen : strlen(t->name);
        if (i == 0 && o->empty_name) nlen = 0;
        uint32_t crc = dh_crc32(0, t->plain ? t->plain : t->data, t->plain ? t->plain_len : t->len);
        tz32(&z, i == 0 && o->central_sig ? o->central_sig : 0x02014b50u);
        tz16(&z, t->made_by ? t->made_by : 0x0314);
        tz16(&z, 20);
        tz16(&z, 0x0800u | t->flags | (t->descriptor ? 8u : 0u));
        tz16(&z, t->method);
        tz16(&z, 0);
        tz16(&z, 0x21);
        tz32(&z, crc);
        tz32(&z, t->set_csize ? t->csize : (uint32_t)t->len);
        tz32(&z, t->set_usize ? t->usize : (uint32_t)t->len);
        tz16(&z, (unsigned)nlen);
        tz16(&z, 0);
        tz16(&z, 0);
        tz16(&z, t->disk);
        tz16(&z, 0);
        tz32(&z, t->ext ? t->ext : 0100644u << 16);
        tz32(&z, offs[i]);
        tz_put(&z, t->name, nlen);
    }
    size_t cd_size = z.len - cd_off;
    for (size_t i = 0; i < o->gap; i++) tz_put(&z, "G", 1);
    if (o->zip64_locator) {
        tz32(&z, 0x07064b50u);
        tz32(&z, 0);
        tz32(&z, 0);
        tz32(&z, 0);
        tz32(&z, 1);
    }
    size_t clen = o->comment ? strlen(o->comment) : 0;
    tz32(&z, 0x06054b50u);
    tz16(&z, o->disk);
    tz16(&z, 0);
    tz16(&z, (unsigned)(n + o->count_delta + o->n_disk_delta));
    tz16(&z, (unsigned)(n + o->count_delta));
    tz32(&z, (uint32_t)cd_size);
    tz32(&z, (uint32_t)(cd_off + o->cd_off_delta));
    tz16(&z, (unsigned)((int)clen + o->comment_len_delta));
    tz_put(&z, o->comment, clen);
    for (size_t i = 0; i < o->trailing; i++) tz_put(&z, "T", 1);
    free(offs);
    return z;
}

static TZip tzip_one(const TEntry *e)
{
    return tzip_build(e, 1, NULL);
}

/* Scan z expecting refusal with status want and a message containing part. */
static void expect_refused(TZip z, dh_Status want, const char *part)
{
    dh_ZipList l;
    dh_Error err;
    dh_error_clear(&err);
    dh_Status st = dh_zip_scan_memory(z.p, z.len, &l, &err);
    free(z.p);
    if (st != want || !strstr(err.msg, part))
        fail_msg("got %s '%s', want %s '...%s...'", dh_status_name(st), err.msg, dh_status_name(want),
                 part);
    assert_int_equal(l.count, 0);
    assert_null(l.entries);
}

static void expect_accepted(TZip z, int files)
{
    dh_ZipList l;
    dh_Error err;
    dh_error_clear(&err);
    dh_Status st = dh_zip_scan_memory(z.p, z.len, &l, &err);
    free(z.p);
    if (st != DH_OK) fail_msg("refused: %s", err.msg);
    assert_int_equal(l.count, files);
    dh_zip_list_free(&l);
}

/* ---- tests ------------------------------------------------------------- */

static void test_crc32(void **state)
{
    (void)state;
    assert_int_equal(dh_crc32(0, "123456789", 9), 0xCBF43926u);
    assert_int_equal(dh_crc32(0, "", 0), 0);
    uint32_t c = dh_crc32(0, "1234", 4);
    assert_int_equal(dh_crc32(c, "56789", 5), 0xCBF43926u); /* continues */
}

static void test_valid_archive(void **state)
{
    (void)state;
    /* deflate "stored block": final, type 0, LEN, ~LEN, bytes */
    static const unsigned char defl[] = {0x01, 5, 0, 0xFA, 0xFF, 'h', 'e', 'l', 'l', 'o'};
    TEntry e[] = {
        {.name = "lessons/b.json", .data = "{\"b\":1}", .len = 7},
        {.name = "lessons/", .ext = (040755u << 16) | 0x10},
        {.name = "course.json", .data = defl, .len = sizeof defl, .method = 8, .set_usize = true,
         .usize = 5, .plain = "hello", .plain_len = 5},
        {.name = "assets/\xe0\xb8\x81.png", .data = "PNG", .len = 3}, /* Thai letter ko kai */
        {.name = "dos.txt", .data = "d", .len = 1, .made_by = 0x0014, .ext = 0x20},
    };
    TZip z = tzip_build(e, 5, &(TOpts){.comment = "a comment"});
    dh_ZipList l;
    dh_Error err;
    dh_error_clear(&err);
    assert_int_equal(dh_zip_scan_memory(z.p, z.len, &l, &err), DH_OK);
    assert_int_equal(l.count, 4);
    assert_int_equal(l.directories, 1);
    assert_string_equal(l.entries[0].name, "assets/\xe0\xb8\x81.png");
    assert_string_equal(l.entries[1].name, "course.json");
    assert_string_equal(l.entries[2].name, "dos.txt");
    assert_string_equal(l.entries[3].name, "lessons/b.json");
    const dh_ZipEntry *c = dh_zip_find(&l, "course.json");
    assert_non_null(c);
    assert_int_equal(c->method, 8);
    assert_int_equal(c->usize, 5);
    assert_int_equal(c->csize, sizeof defl);
    assert_int_equal(c->crc32, dh_crc32(0, "hello", 5));
    assert_memory_equal(z.p + c->data_offset, defl, sizeof defl);
    assert_int_equal(l.total, 7 + 5 + 3 + 1);
    assert_null(dh_zip_find(&l, "lessons/"));
    assert_null(dh_zip_find(&l, "missing"));
    dh_zip_list_free(&l);
    dh_zip_list_free(&l); /* idempotent */
    free(z.p);

    /* an archive with no entries at all is a valid zip */
    expect_accepted(tzip_build(NULL, 0, NULL), 0);
    /* a data descriptor with its signature */
    TEntry d = {.name = "a.json", .data = "{}", .len = 2, .descriptor = true};
    expect_accepted(tzip_one(&d), 1);
}

static void test_names(void **state)
{
    (void)state;
    struct {
        const char *name;
        const char *part;
    } bad[] = {
        {"../../etc/passwd", "'..' path component"},
        {"lessons/../../x", "'..' path component"},
        {"..", "'..' path component"},
        {"/etc/x", "absolute path"},
        {"..\\x", "contains a backslash"},
        {"C:/x", "drive letter"},
        {"c:x", "drive letter"},
        {"lessons/a:b.json", "contains ':'"},
        {"a//b", "empty path component"},
        {"./a", "'.' path component"},
        {"a/./b", "'.' path component"},
        {"a\x01" "b", "control character"},
        {"a\x7f", "control character"},
        {"a\xc2\x9b" "b", "control character"}, /* C1 CSI */
        {"bad\xff.json", "not valid UTF-8"},
        {"\xc0\xaf", "not valid UTF-8"},          /* overlong '/' */
        {"\xed\xa0\x80.json", "not valid UTF-8"}, /* surrogate */
        {"\xe2\x82", "not valid UTF-8"},          /* truncated */
        {"\xf4\x90\x80\x80", "not valid UTF-8"},  /* past U+10FFFF */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        TEntry e = {.name = bad[i].name, .data = "x", .len = 1};
        expect_refused(tzip_one(&e), DH_EUNSAFE, bad[i].part);
    }
    /* control characters are escaped in the message, never printed raw */
    TEntry esc = {.name = "evil\x1b[2Jname", .data = "x", .len = 1};
    TZip z = tzip_one(&esc);
    dh_ZipList l;
    dh_Error err;
    assert_int_not_equal(dh_zip_scan_memory(z.p, z.len, &l, &err), DH_OK);
    assert_non_null(strstr(err.msg, "'evil\\x1b[2Jname'"));
    free(z.p);
    /* a NUL inside a name */
    TEntry nul = {.name = "a\0b", .nlen = 3, .data = "x", .len = 1};
    expect_refused(tzip_one(&nul), DH_EUNSAFE, "'a\\x00b' has a control character");
    /* length: 255 bytes is fine, 256 is not */
    char name[300];
    memset(name, 'n', sizeof name - 1);
    name[255] = '\0';
    TEntry ok = {.name = name, .data = "x", .len = 1};
    expect_accepted(tzip_one(&ok), 1);
    name[255] = 'n';
    name[256] = '\0';
    TEntry longer = {.name = name, .data = "x", .len = 1};
    expect_refused(tzip_one(&longer), DH_EUNSAFE, "has a name of 256 bytes; the limit is 255");
    TEntry empty = {.name = "x", .data = "x", .len = 1};
    expect_refused(tzip_build(&empty, 1, &(TOpts){.empty_name = true}), DH_EUNSAFE, "empty name");
    /* what the checker says directly */
    assert_int_equal(dh_zip_check_name("lessons/a.json", 14, "file", &err), DH_OK);
    assert_int_equal(dh_zip_check_name("lessons/", 8, "folder", &err), DH_OK);
    assert_int_equal(dh_zip_check_name("a/../b", 6, "file", &err), DH_EUNSAFE);
    assert_string_equal(err.msg, "file 'a/../b' has a '..' path component, which could reach "
                                 "outside the package");
}

static void test_collisions(void **state)
{
    (void)state;
    TEntry dup[] = {{.name = "a.json", .data = "1", .len = 1}, {.name = "a.json", .data = "2", .len = 1}};
    expect_refused(tzip_build(dup, 2, NULL), DH_EUNSAFE, "entry 'a.json' appears twice");
    TEntry ci[] = {{.name = "Lessons/A.json", .data = "1", .len = 1},
                   {.name = "lessons/a.json", .data = "2", .len = 1}};
    expect_refused(tzip_build(ci, 2, NULL), DH_EUNSAFE,
                   "'Lessons/A.json' and 'lessons/a.json' differ only in case");
    TEntry fd[] = {{.name = "a", .data = "1", .len = 1},
                   {.name = "a-b", .data = "1", .len = 1},
                   {.name = "a/b", .data = "2", .len = 1}};
    expect_refused(tzip_build(fd, 3, NULL), DH_EUNSAFE,
                   "entry 'a' is a file, but 'a/b' uses the same name as a directory");
    TEntry fd2[] = {{.name = "A", .data = "1", .len = 1}, {.name = "a/b", .data = "2", .len = 1}};
    expect_refused(tzip_build(fd2, 2, NULL), DH_EUNSAFE, "uses the same name as a directory");
    TEntry dirfile[] = {{.name = "a/", .ext = 040755u << 16}, {.name = "a", .data = "1", .len = 1}};
    expect_refused(tzip_build(dirfile, 2, NULL), DH_EUNSAFE, "'a' is both a file and a directory");
    TEntry dirs[] = {{.name = "a/", .ext = 040755u << 16}, {.name = "a/", .ext = 040755u << 16}};
    expect_refused(tzip_build(dirs, 2, NULL), DH_EUNSAFE, "entry 'a/' appears twice");
    /* a directory entry and files inside it are fine */
    TEntry fine[] = {{.name = "a/", .ext = 040755u << 16}, {.name = "a/b", .data = "1", .len = 1},
                     {.name = "a.b", .data = "1", .len = 1}};
    expect_accepted(tzip_build(fine, 3, NULL), 2);
}

static void test_types(void **state)
{
    (void)state;
    TEntry link = {.name = "course.json", .data = "/etc/passwd", .len = 11, .ext = 0120777u << 16};
    expect_refused(tzip_one(&link), DH_EUNSAFE, "entry 'course.json' is a symbolic link");
    TEntry link_osx = link;
    link_osx.made_by = 19 << 8 | 20; /* OS X host: PhysicsFS treats it as unix */
    expect_refused(tzip_one(&link_osx), DH_EUNSAFE, "symbolic link");
    TEntry dos = link;
    dos.made_by = 0x0014; /* MS-DOS host: mode bits mean nothing, no symlink */
    dos.ext = 0x20;
    expect_accepted(tzip_one(&dos), 1);
    TEntry fifo = {.name = "f", .ext = 0010644u << 16};
    expect_refused(tzip_one(&fifo), DH_EUNSAFE, "device, FIFO or socket");
    TEntry dev = {.name = "f", .ext = 0020644u << 16};
    expect_refused(tzip_one(&dev), DH_EUNSAFE, "device, FIFO or socket");
    TEntry dir_no_slash = {.name = "d", .ext = 040755u << 16};
    expect_refused(tzip_one(&dir_no_slash), DH_EFORMAT, "marked as a directory");
    TEntry dos_dir = {.name = "d", .made_by = 0x0014, .ext = 0x10};
    expect_refused(tzip_one(&dos_dir), DH_EFORMAT, "marked as a directory");
    TEntry dir_data = {.name = "d/", .data = "x", .len = 1, .ext = 040755u << 16};
    expect_refused(tzip_one(&dir_data), DH_EFORMAT, "directory entry 'd/' has content");
}

static void test_methods_and_encryption(void **state)
{
    (void)state;
    TEntry bz = {.name = "course.json", .data = "BZh9", .len = 4, .method = 12};
    expect_refused(tzip_one(&bz), DH_EUNSAFE,
                   "entry 'course.json' uses bzip2 compression; Drillhall reads only stored or "
                   "deflated entries — repack with drillhall-pack pack");
    TEntry lz = {.name = "a", .data = "x", .len = 1, .method = 14};
    expect_refused(tzip_one(&lz), DH_EUNSAFE, "uses LZMA compression");
    TEntry d64 = {.name = "a", .data = "x", .len = 1, .method = 9};
    expect_refused(tzip_one(&d64), DH_EUNSAFE, "uses Deflate64 compression");
    TEntry odd = {.name = "a", .data = "x", .len = 1, .method = 77};
    expect_refused(tzip_one(&odd), DH_EUNSAFE, "unknown compression method 77");
    TEntry enc = {.name = "a", .data = "x", .len = 1, .flags = 1};
    expect_refused(tzip_one(&enc), DH_EUNSAFE, "entry 'a' is encrypted");
    TEntry strong = {.name = "a", .data = "x", .len = 1, .flags = 0x41};
    expect_refused(tzip_one(&strong), DH_EUNSAFE, "is encrypted");
    TEntry aes = {.name = "a", .data = "x", .len = 1, .method = 99};
    expect_refused(tzip_one(&aes), DH_EUNSAFE, "is encrypted");
}

static void test_limits(void **state)
{
    (void)state;
    /* the entry count, from the end record, before anything is allocated */
    enum { N = DH_PKG_MAX_ENTRIES + 1 };
    static char names[N][8];
    TEntry *many = calloc(N, sizeof *many);
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "f%d", i);
        many[i].name = names[i];
    }
    expect_refused(tzip_build(many, N, NULL), DH_ELIMIT, "the archive has 4097 entries; the limit is 4096");
    expect_accepted(tzip_build(many, N - 1, NULL), N - 1);
    free(many);
    /* one file claiming 40 MiB */
    TEntry huge = {.name = "assets/big.png", .data = "x", .len = 1, .method = 8, .set_usize = true,
                   .usize = 40u << 20};
    expect_refused(tzip_one(&huge), DH_ELIMIT,
                   "entry 'assets/big.png' is 40.0 MiB uncompressed; one file may be at most 32.0 MiB");
    /* ratio: 2 MiB from 1000 bytes */
    static unsigned char blob[20000];
    TEntry bomb = {.name = "bomb.json", .data = blob, .len = 1000, .method = 8, .set_usize = true,
                   .usize = 2u << 20};
    expect_refused(tzip_one(&bomb), DH_ELIMIT, "more than 100 times; that is refused as a possible zip bomb");
    /* the same ratio under 1 MiB is fine (small JSON compresses well) */
    TEntry small = {.name = "s.json", .data = blob, .len = 1000, .method = 8, .set_usize = true,
                    .usize = 1000 * 500};
    expect_accepted(tzip_one(&small), 1);
    /* 100:1 exactly is allowed */
    TEntry edge = {.name = "e.bin", .data = blob, .len = 20000, .method = 8, .set_usize = true,
                   .usize = 2000000};
    expect_accepted(tzip_one(&edge), 1);
    /* total: 18 files of 30 MiB each at a 100:1 ratio; their data need not
     * exist, the sizes are judged before any data is looked at */
    TEntry tot[18];
    static char tnames[18][8];
    for (int i = 0; i < 18; i++) {
        snprintf(tnames[i], sizeof tnames[i], "t%d", i);
        tot[i] = (TEntry){.name = tnames[i], .data = blob, .len = 1, .method = 8, .set_csize = true,
                          .csize = 320000, .set_usize = true, .usize = 30u << 20};
    }
    expect_refused(tzip_build(tot, 18, NULL), DH_ELIMIT, "add up to more than 512.0 MiB");
    /* a stored entry whose sizes disagree */
    TEntry liar = {.name = "a", .data = "xy", .len = 2, .set_usize = true, .usize = 3};
    expect_refused(tzip_one(&liar), DH_EFORMAT, "stored uncompressed but its two sizes differ");
    TEntry nothing = {.name = "a", .method = 8, .set_usize = true, .usize = 10};
    expect_refused(tzip_one(&nothing), DH_EFORMAT, "claims 10 bytes from no compressed data");
}

static void test_structure(void **state)
{
    (void)state;
    TEntry a = {.name = "course.json", .data = "{}", .len = 2};
    TEntry two[] = {{.name = "a.json", .data = "{}", .len = 2}, {.name = "b.json", .data = "[]", .len = 2}};
    const char *no_end = "no end-of-central-directory record";
    /* not a zip, too short, truncated */
    TZip junk = {0};
    for (int i = 0; i < 1000; i++) tz_put(&junk, &(unsigned char){(unsigned char)(i * 37 + 11)}, 1);
    expect_refused(junk, DH_EFORMAT, no_end);
    TZip tiny = {0};
    tz_put(&tiny, "PK\x05\x06", 4);
    expect_refused(tiny, DH_EFORMAT, no_end);
    expect_refused((TZip){NULL, 0, 0}, DH_EFORMAT, no_end);
    TZip half = tzip_build(two, 2, NULL);
    half.len /= 2;
    expect_refused(half, DH_EFORMAT, no_end);
    TZip cut = tzip_build(two, 2, NULL);
    cut.len -= 1; /* the end record loses its last byte */
    expect_refused(cut, DH_EFORMAT, no_end);
    /* end record inconsistent with the file */
    expect_refused(tzip_build(&a, 1, &(TOpts){.trailing = 5}), DH_EFORMAT,
                   "5 bytes of unexpected data after its end record");
    expect_refused(tzip_build(&a, 1, &(TOpts){.comment = "abc", .comment_len_delta = 4}), DH_EFORMAT,
                   "promises a comment that is not there");
    /* zip64 and multi-disk */
    expect_refused(tzip_build(&a, 1, &(TOpts){.zip64_locator = true}), DH_EUNSAFE, "zip64 format");
    TEntry z64 = {.name = "a", .data = "x", .len = 1, .set_usize = true, .usize = 0xFFFFFFFFu};
    expect_refused(tzip_one(&z64), DH_EUNSAFE, "entry 'a' uses zip64 extensions");
    expect_refused(tzip_build(&a, 1, &(TOpts){.disk = 1}), DH_EUNSAFE, "split over several disks");
    expect_refused(tzip_build(two, 2, &(TOpts){.n_disk_delta = -1}), DH_EUNSAFE, "split over several disks");
    TEntry other_disk = {.name = "a", .data = "x", .len = 1, .disk = 1};
    expect_refused(tzip_one(&other_disk), DH_EUNSAFE, "lies on another disk");
    /* central directory placement and contents */
    expect_refused(tzip_build(&a, 1, &(TOpts){.cd_off_delta = 1000}), DH_EFORMAT, "lies outside the file");
    expect_refused(tzip_build(&a, 1, &(TOpts){.gap = 7}), DH_EFORMAT,
                   "does not end where the end record begins");
    expect_refused(tzip_build(&a, 1, &(TOpts){.central_sig = 0x12345678}), DH_EFORMAT,
                   "central directory record 1 is damaged");
    expect_refused(tzip_build(two, 2, &(TOpts){.count_delta = 1}), DH_EFORMAT,
                   "ends in the middle of entry 3");
    expect_refused(tzip_build(two, 2, &(TOpts){.count_delta = -1}), DH_EFORMAT,
                   "holds more than its 1 entries");
    /* local headers */
    expect_refused(tzip_build(&a, 1, &(TOpts){.local_sig = 0x04034b51}), DH_EFORMAT,
                   "the local header of entry 'course.json' is missing");
    TEntry beyond = {.name = "a", .data = "xy", .len = 2, .set_csize = true, .csize = 200,
                     .method = 8, .set_usize = true, .usize = 200};
    expect_refused(tzip_one(&beyond), DH_EFORMAT, "the data of entry 'a' runs past the end");
    TEntry renamed = {.name = "a.json", .data = "x", .len = 1, .local_name = "../evil"};
    expect_refused(tzip_one(&renamed), DH_EUNSAFE,
                   "the local header of entry 'a.json' names a different file ('../evil')");
    TEntry remethod = {.name = "a.json", .data = "x", .len = 1, .local_method = 8};
    expect_refused(tzip_one(&remethod), DH_EUNSAFE, "disagrees with the central directory");
    /* two central entries sharing one local header: overlap */
    TEntry shared[] = {{.name = "a.json", .data = "{}", .len = 2},
                       {.name = "b.json", .data = "{}", .len = 2, .same_local_as = 1}};
    expect_refused(tzip_build(shared, 2, NULL), DH_EUNSAFE,
                   "entries 'a.json' and 'b.json' overlap in the archive");
}

/* Overlap where local headers are distinct but one entry's data covers the
 * next entry's header: the construction of Fifield's non-recursive bombs. */
static void test_overlap_quoted(void **state)
{
    (void)state;
    TEntry two[] = {{.name = "a", .data = "0123456789", .len = 10},
                    {.name = "b", .data = "x", .len = 1}};
    TZip z = tzip_build(two, 2, NULL);
    /* Make a's central csize/usize cover b's local header (31 + 1 bytes). */
    unsigned char *cd = NULL;
    for (size_t i = 0; i + 4 <= z.len; i++)
        if (!memcmp(z.p + i, "PK\x01\x02", 4)) {
            cd = z.p + i;
            break;
        }
    assert_non_null(cd);
    uint32_t big = 10 + 31 + 1;
    for (int k = 0; k < 2; k++) {
        cd[20 + 4 * k] = (unsigned char)big;
        cd[21 + 4 * k] = 0;
    }
    /* the CRC no longer matters: the overlap is refused first */
    unsigned char *lh = z.p; /* a's local header sizes too, so they agree */
    lh[18] = lh[22] = (unsigned char)big;
    expect_refused(z, DH_EUNSAFE, "entries 'a' and 'b' overlap");
}

static void test_scan_fd(void **state)
{
    (void)state;
    TEntry a = {.name = "course.json", .data = "{}", .len = 2};
    TZip z = tzip_one(&a);
    char path[] = "/tmp/dh_test_zip_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, z.p, z.len), (ssize_t)z.len);
    dh_ZipSource src = {NULL, fd, z.len};
    dh_ZipList l;
    dh_Error err;
    assert_int_equal(dh_zip_scan(&src, &l, &err), DH_OK);
    assert_int_equal(l.count, 1);
    dh_zip_list_free(&l);
    /* the file shrinks after its size was taken */
    assert_int_equal(ftruncate(fd, 10), 0);
    assert_int_equal(dh_zip_scan(&src, &l, &err), DH_EIO);
    close(fd);
    unlink(path);
    free(z.p);
}

/* ---- the writer -------------------------------------------------------- */

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc((size_t)n + 1);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

static int count_dir(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void test_writer(void **state)
{
    (void)state;
    char dir[] = "/tmp/dh_test_zipw_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p1[256], p2[256];
    snprintf(p1, sizeof p1, "%s/one.zip", dir);
    snprintf(p2, sizeof p2, "%s/two.zip", dir);
    static const char png[] = "\x89PNG\r\n\x1a\n-not-really";
    dh_ZipWriteEntry e[] = {
        {"lessons/b.json", "{\"b\": 2}\n", 9},
        {"course.json", "{\"format\": 1}\n", 14},
        {"assets/x.png", png, sizeof png - 1},
        {"empty.txt", "", 0},
    };
    dh_ZipWriteEntry r[] = {e[3], e[0], e[2], e[1]}; /* another order, same archive */
    dh_Error err;
    dh_error_clear(&err);
    assert_int_equal(dh_zip_write(p1, e, 4, &err), DH_OK);
    assert_int_equal(dh_zip_write(p2, r, 4, &err), DH_OK);
    size_t n1, n2;
    unsigned char *b1 = slurp(p1, &n1), *b2 = slurp(p2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    /* the first local header: stored, UTF-8, 1980-01-01 00:00, no extra */
    static const unsigned char lh[] = {'P', 'K', 3, 4, 20, 0, 0x00, 0x08, 0, 0, 0, 0, 0x21, 0};
    assert_memory_equal(b1, lh, sizeof lh);
    assert_int_equal(b1[28] | b1[29] << 8, 0);
    assert_memory_equal(b1 + 30, "assets/x.png", 12); /* sorted: assets first */
    /* permissions 0644 for a unix host in the central directory */
    dh_ZipList l;
    assert_int_equal(dh_zip_scan_memory(b1, n1, &l, &err), DH_OK);
    assert_int_equal(l.count, 4);
    assert_string_equal(l.entries[0].name, "assets/x.png");
    assert_string_equal(l.entries[3].name, "lessons/b.json");
    for (int i = 0; i < 4; i++) {
        const dh_ZipEntry *z = &l.entries[i];
        assert_int_equal(z->method, DH_ZIP_STORE);
        assert_int_equal(z->made_by, 0x0314);
        assert_int_equal(z->external_attr, 0100644u << 16);
        assert_int_equal(z->flags, 0x0800);
    }
    assert_int_equal(l.entries[1].crc32, dh_crc32(0, "{\"format\": 1}\n", 14));
    /* the local headers come in name order too */
    for (int i = 1; i < 4; i++) assert_true(l.entries[i].local_offset > l.entries[i - 1].local_offset);
    dh_zip_list_free(&l);
    free(b2);

    /* PhysicsFS opens it and reads every file back */
    dh_Package *p;
    assert_int_equal(dh_package_open(&p, p1, &err), DH_OK);
    assert_int_equal(dh_package_count(p), 4);
    for (int i = 0; i < 4; i++) {
        void *data;
        size_t len;
        if (dh_package_read(p, e[i].name, 1 << 20, &data, &len, &err) != DH_OK)
            fail_msg("%s: %s", e[i].name, err.msg);
        assert_int_equal(len, e[i].len);
        assert_memory_equal(data, e[i].data, len);
        dh_free(data);
    }
    dh_package_close(p);

    /* overwriting an existing archive replaces it */
    assert_int_equal(dh_zip_write(p1, e, 2, &err), DH_OK);
    size_t n3;
    unsigned char *b3 = slurp(p1, &n3);
    assert_true(n3 < n1);
    free(b3);
    free(b1);
    assert_int_equal(count_dir(dir), 2);
    unlink(p1);
    unlink(p2);

    /* an empty archive is 22 bytes */
    assert_int_equal(dh_zip_write(p1, NULL, 0, &err), DH_OK);
    b1 = slurp(p1, &n1);
    assert_int_equal(n1, 22);
    assert_int_equal(dh_zip_scan_memory(b1, n1, &l, &err), DH_OK);
    free(b1);
    unlink(p1);
    rmdir(dir);
}

static void test_writer_refuses(void **state)
{
    (void)state;
    char dir[] = "/tmp/dh_test_zipw_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char out[256];
    snprintf(out, sizeof out, "%s/out.zip", dir);
    dh_Error err;
    dh_ZipWriteEntry evil[] = {{"../x.json", "{}", 2}};
    assert_int_equal(dh_zip_write(out, evil, 1, &err), DH_EUNSAFE);
    assert_non_null(strstr(err.msg, "'..'"));
    dh_ZipWriteEntry dup[] = {{"a.json", "{}", 2}, {"b.json", "{}", 2}, {"A.json", "{}", 2}};
    assert_int_equal(dh_zip_write(out, dup, 3, &err), DH_EUNSAFE);
    assert_non_null(strstr(err.msg, "differ only in case"));
    dh_ZipWriteEntry dirname[] = {{"lessons/", "", 0}};
    assert_int_equal(dh_zip_write(out, dirname, 1, &err), DH_EINVAL);
    static char big[1];
    dh_ZipWriteEntry huge[] = {{"big.bin", big, DH_PKG_MAX_FILE + 1}}; /* never read: refused first */
    assert_int_equal(dh_zip_write(out, huge, 1, &err), DH_ELIMIT);
    assert_int_equal(count_dir(dir), 0);

    /* a failed write leaves no OUT.zip and no temporary file: a missing
     * folder, and a target that is a folder (rename fails after writing) */
    char missing[300];
    snprintf(missing, sizeof missing, "%s/no/such/dir/out.zip", dir);
    dh_ZipWriteEntry ok[] = {{"course.json", "{}", 2}};
    assert_int_equal(dh_zip_write(missing, ok, 1, &err), DH_EIO);
    assert_non_null(strstr(err.msg, "cannot create a temporary file"));
    assert_int_equal(mkdir(out, 0755), 0);
    char inner[300];
    snprintf(inner, sizeof inner, "%s/keep", out);
    FILE *f = fopen(inner, "w");
    fclose(f);
    assert_int_equal(dh_zip_write(out, ok, 1, &err), DH_EIO);
    assert_non_null(strstr(err.msg, "cannot replace"));
    assert_int_equal(count_dir(dir), 1); /* only the folder itself */
    unlink(inner);
    rmdir(out);

    /* allocation failures: each run fails cleanly or writes a good archive */
    for (long n = 1;; n++) {
        dh_alloc_fail_after(n);
        dh_Status st = dh_zip_write(out, dup, 2, &err);
        dh_alloc_fail_after(0);
        if (st == DH_OK) break;
        assert_int_equal(st, DH_ENOMEM);
        assert_int_equal(count_dir(dir), 0);
        assert_true(n < 100);
    }
    unlink(out);
    rmdir(dir);
}

int main(void)
{
    dh_Error err;
    if (dh_package_init(NULL, &err) != DH_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32),
        cmocka_unit_test(test_valid_archive),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_collisions),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_methods_and_encryption),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_overlap_quoted),
        cmocka_unit_test(test_scan_fd),
        cmocka_unit_test(test_writer),
        cmocka_unit_test(test_writer_refuses),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    dh_package_deinit();
    return rc;
}
