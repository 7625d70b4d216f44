/* test_package: opening packages from folders, zip files and memory;
 * reading with the CRC-32 and manifest checks; manifest verification; and
 * out-of-memory at every allocation of a whole open-read-verify cycle.
 *
 * Every test builds its packages in a fresh folder under /tmp, with the
 * writer for zips (tested in test_zip) and plain POSIX calls for folders, so
 * the symlinks, FIFOs and odd names a real instructor's folder may hold are
 * real ones.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "package.h"
#include "signature.h"
#include "zip.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Python's zipfile, deflated (level 6), 1980-01-01: course.json of 266 bytes. */
static const unsigned char deflated_zip[154] = {
    0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
    0x21, 0x00, 0xce, 0xec, 0x43, 0x19, 0x22, 0x00, 0x00, 0x00, 0x0a, 0x01,
    0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x63, 0x6f, 0x75, 0x72, 0x73, 0x65,
    0x2e, 0x6a, 0x73, 0x6f, 0x6e, 0xab, 0x56, 0x4a, 0xcb, 0x2f, 0xca, 0x4d,
    0x2c, 0x51, 0xb2, 0x52, 0x30, 0xd4, 0x51, 0x50, 0x2a, 0x49, 0xad, 0x00,
    0x31, 0x95, 0x52, 0x8a, 0x32, 0x73, 0x72, 0x14, 0x46, 0x0e, 0xa9, 0x54,
    0xcb, 0x05, 0x00, 0x50, 0x4b, 0x01, 0x02, 0x14, 0x03, 0x14, 0x00, 0x00,
    0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00, 0xce, 0xec, 0x43, 0x19, 0x22,
    0x00, 0x00, 0x00, 0x0a, 0x01, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xa4, 0x81, 0x00, 0x00, 0x00,
    0x00, 0x63, 0x6f, 0x75, 0x72, 0x73, 0x65, 0x2e, 0x6a, 0x73, 0x6f, 0x6e,
    0x50, 0x4b, 0x05, 0x06, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
    0x39, 0x00, 0x00, 0x00, 0x4b, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* ---- helpers ----------------------------------------------------------- */

/* A fresh folder under /tmp for one test; removed by rm_rf. */
static void fresh_dir(char *buf, size_t size)
{
    snprintf(buf, size, "/tmp/dh_test_pkg_XXXXXX");
    assert_non_null(mkdtemp(buf));
}

static void rm_rf(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Write root/rel (creating folders on the way) with len bytes of data. */
static void put_file(const char *root, const char *rel, const void *data, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *s = path + strlen(root) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(path, 0755);
        *s = '/';
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void put_text(const char *root, const char *rel, const char *text)
{
    put_file(root, rel, text, strlen(text));
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc((size_t)n + 1);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* Read name from p and compare with the expected text. */
static void expect_content(dh_Package *p, const char *name, const char *text)
{
    void *data;
    size_t len;
    dh_Error err;
    dh_error_clear(&err);
    if (dh_package_read(p, name, 1 << 20, &data, &len, &err) != DH_OK)
        fail_msg("%s: %s", name, err.msg);
    assert_int_equal(len, strlen(text));
    assert_memory_equal(data, text, len);
    assert_int_equal(((char *)data)[len], '\0');
    dh_free(data);
}

static void expect_open_refused(const char *path, dh_Status want, const char *part)
{
    dh_Package *p = (dh_Package *)1;
    dh_Error err;
    dh_error_clear(&err);
    dh_Status st = dh_package_open(&p, path, &err);
    if (st != want || !strstr(err.msg, part))
        fail_msg("%s: got %s '%s', want %s '...%s...'", path, dh_status_name(st), err.msg,
                 dh_status_name(want), part);
    assert_null(p);
    assert_string_equal(err.file, path);
}

/* ---- tests ------------------------------------------------------------- */

static void test_sha256(void **state)
{
    (void)state;
    char hex[65];
    dh_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    dh_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_directory(void **state)
{
    (void)state;
    char root[64];
    fresh_dir(root, sizeof root);
    put_text(root, "course.json", "{}");
    put_text(root, "lessons/a.json", "[1]");
    put_text(root, "assets/x.png", "PNG");
    put_text(root, ".git/config", "[core]");
    put_text(root, ".DS_Store", "junk");
    put_text(root, "lessons/.a.json.swp", "junk");
    char empty[128];
    snprintf(empty, sizeof empty, "%s/empty", root);
    mkdir(empty, 0755);
    dh_Package *p;
    dh_Error err;
    if (dh_package_open(&p, root, &err) != DH_OK) fail_msg("%s", err.msg);
    assert_false(dh_package_is_archive(p));
    assert_string_equal(dh_package_path(p), root);
    assert_int_equal(dh_package_count(p), 3);
    assert_string_equal(dh_package_name(p, 0), "assets/x.png");
    assert_string_equal(dh_package_name(p, 1), "course.json");
    assert_string_equal(dh_package_name(p, 2), "lessons/a.json");
    assert_int_equal(dh_package_size(p, 2), 3);
    assert_int_equal(dh_package_find(p, "course.json"), 1);
    assert_int_equal(dh_package_find(p, ".DS_Store"), -1);
    assert_int_equal(dh_package_find(p, "lessons"), -1);
    expect_content(p, "course.json", "{}");
    expect_content(p, "lessons/a.json", "[1]");
    void *data = (void *)1;
    size_t len = 7;
    assert_int_equal(dh_package_read(p, ".git/config", 100, &data, &len, &err), DH_ENOTFOUND);
    assert_null(data);
    assert_int_equal(len, 0);
    assert_string_equal(err.file, ".git/config");
    assert_int_equal(dh_package_read(p, "lessons/a.json", 2, &data, &len, &err), DH_ELIMIT);
    assert_string_equal(err.file, "lessons/a.json");
    assert_string_equal(err.msg, "the file is 3 bytes; the limit for a file of this kind is 2 bytes");
    assert_false(dh_package_has_manifest(p));
    dh_Diags d;
    dh_diags_init(&d);
    assert_int_equal(dh_package_verify_manifest(p, &d), DH_OK);
    assert_int_equal(d.count, 0);
    /* an edit after opening is seen (instructor preview) */
    put_text(root, "course.json", "{\"a\":1}");
    expect_content(p, "course.json", "{\"a\":1}");
    dh_package_close(p);
    dh_package_close(NULL);
    /* a trailing slash and a symlink to the folder are the instructor's choice */
    char alias[128];
    snprintf(alias, sizeof alias, "%s-link", root);
    assert_int_equal(symlink(root, alias), 0);
    assert_int_equal(dh_package_open(&p, alias, &err), DH_OK);
    expect_content(p, "lessons/a.json", "[1]");
    dh_package_close(p);
    unlink(alias);
    rm_rf(root);
}

static void test_directory_refusals(void **state)
{
    (void)state;
    char root[64], path[512];
    struct {
        const char *rel;
        dh_Status st;
        const char *part;
    } names[] = {
        {"Course.json", DH_EUNSAFE, "'Course.json' and 'course.json' differ only in case"},
        {"Lessons/a.json", DH_EUNSAFE, "differ only in case"}, /* with lessons/a.json below */
        {"bad\x01.json", DH_EUNSAFE, "file 'bad\\x01.json' has a control character in its name"},
        {"bad\xff.json", DH_EUNSAFE, "file name 'bad\\xff.json' is not valid UTF-8"},
        {"a\\b.json", DH_EUNSAFE, "contains a backslash"},
        {"lessons/a:b.json", DH_EUNSAFE, "contains ':'"},
        {"course.json/x", DH_EUNSAFE, NULL}, /* skipped: cannot exist beside course.json */
    };
    for (size_t i = 0; i + 1 < sizeof names / sizeof names[0]; i++) {
        fresh_dir(root, sizeof root);
        put_text(root, "course.json", "{}");
        put_text(root, "lessons/a.json", "{}");
        put_text(root, names[i].rel, "{}");
        expect_open_refused(root, names[i].st, names[i].part);
        rm_rf(root);
    }
    /* symlinks, to a file, to a folder, dangling */
    const char *targets[] = {"course.json", "/etc", "/nonexistent"};
    for (int i = 0; i < 3; i++) {
        fresh_dir(root, sizeof root);
        put_text(root, "course.json", "{}");
        snprintf(path, sizeof path, "%s/lessons", root);
        assert_int_equal(symlink(targets[i], path), 0);
        expect_open_refused(root, DH_EUNSAFE, "'lessons' is a symbolic link");
        rm_rf(root);
    }
    /* the name of a refused entry is escaped in the message */
    fresh_dir(root, sizeof root);
    snprintf(path, sizeof path, "%s/evil\x1b[2J", root);
    assert_int_equal(symlink("/etc/passwd", path), 0);
    expect_open_refused(root, DH_EUNSAFE, "'evil\\x1b[2J' is a symbolic link");
    rm_rf(root);
    fresh_dir(root, sizeof root);
    put_text(root, "assets/ok.png", "x");
    snprintf(path, sizeof path, "%s/assets/pipe", root);
    assert_int_equal(mkfifo(path, 0644), 0);
    expect_open_refused(root, DH_EUNSAFE, "'assets/pipe' is a device, FIFO or socket");
    /* the FIFO itself as a package is not opened (and does not hang) */
    expect_open_refused(path, DH_EINVAL, "is neither a zip file nor a folder");
    rm_rf(root);
    /* a sparse 33 MiB file: over the per-file limit without using the disk */
    fresh_dir(root, sizeof root);
    put_text(root, "assets/big.bin", "");
    snprintf(path, sizeof path, "%s/assets/big.bin", root);
    assert_int_equal(truncate(path, 33 << 20), 0);
    expect_open_refused(root, DH_ELIMIT, "file 'assets/big.bin' is 33.0 MiB; one file may be at most 32.0 MiB");
    rm_rf(root);
    /* 200 + 1 + 100 bytes of path */
    fresh_dir(root, sizeof root);
    char rel[400];
    memset(rel, 'd', 200);
    rel[200] = '/';
    memset(rel + 201, 'f', 100);
    rel[301] = '\0';
    put_text(root, rel, "x");
    expect_open_refused(root, DH_EUNSAFE, "has a name of 301 bytes; the limit is 255");
    rm_rf(root);
    /* more files than a package may hold */
    fresh_dir(root, sizeof root);
    for (int i = 0; i < DH_PKG_MAX_ENTRIES + 1; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%04d", i);
        put_text(root, name, "");
    }
    expect_open_refused(root, DH_ELIMIT, "more than 4096 files and folders");
    rm_rf(root);
    expect_open_refused("/nonexistent/course", DH_ENOTFOUND, "no such file or folder");
}

static void write_zip(const char *path, const dh_ZipWriteEntry *e, int n)
{
    dh_Error err;
    if (dh_zip_write(path, e, n, &err) != DH_OK) fail_msg("%s", err.msg);
}

static void test_zip_packages(void **state)
{
    (void)state;
    char root[64], zpath[128];
    fresh_dir(root, sizeof root);
    snprintf(zpath, sizeof zpath, "%s/pkg.zip", root);
    dh_ZipWriteEntry e[] = {{"lessons/a.json", "[1]", 3}, {"course.json", "{}", 2}};
    write_zip(zpath, e, 2);
    dh_Package *p, *q;
    dh_Error err;
    assert_int_equal(dh_package_open(&p, zpath, &err), DH_OK);
    assert_true(dh_package_is_archive(p));
    assert_int_equal(dh_package_count(p), 2);
    assert_string_equal(dh_package_name(p, 0), "course.json");
    /* the same archive twice at once: separate mounts */
    assert_int_equal(dh_package_open(&q, zpath, &err), DH_OK);
    expect_content(p, "course.json", "{}");
    expect_content(q, "lessons/a.json", "[1]");
    dh_package_close(p);
    expect_content(q, "course.json", "{}");
    dh_package_close(q);

    /* a folder twice at once: one PhysicsFS mount, shared until both close */
    put_text(root, "src/course.json", "{\"src\":1}");
    char src[128];
    snprintf(src, sizeof src, "%s/src", root);
    assert_int_equal(dh_package_open(&p, src, &err), DH_OK);
    assert_int_equal(dh_package_open(&q, src, &err), DH_OK);
    dh_package_close(p);
    expect_content(q, "course.json", "{\"src\":1}");
    dh_package_close(q);
    assert_int_equal(dh_package_open(&p, src, &err), DH_OK);
    expect_content(p, "course.json", "{\"src\":1}");
    dh_package_close(p);

    /* from memory */
    size_t len;
    unsigned char *bytes = slurp(zpath, &len);
    assert_int_equal(dh_package_open_memory(&p, bytes, len, "upload.zip", &err), DH_OK);
    assert_string_equal(dh_package_path(p), "upload.zip");
    expect_content(p, "lessons/a.json", "[1]");
    dh_package_close(p);
    free(bytes);
    assert_int_equal(dh_package_open_memory(&p, "not a zip", 9, "x.zip", &err), DH_EFORMAT);
    assert_string_equal(err.file, "x.zip");

    /* deflated entries from another zipper */
    assert_int_equal(dh_package_open_memory(&p, deflated_zip, sizeof deflated_zip, "py.zip", &err),
                     DH_OK);
    void *data;
    assert_int_equal(dh_package_read(p, "course.json", 1 << 20, &data, &len, &err), DH_OK);
    assert_int_equal(len, 266);
    assert_memory_equal(data, "{\"format\": 1, \"text\": \"drill drill ", 35);
    dh_free(data);
    dh_package_close(p);

    /* an archive with no files opens (the loader then says what is missing) */
    snprintf(zpath, sizeof zpath, "%s/nothing.zip", root);
    write_zip(zpath, NULL, 0);
    assert_int_equal(dh_package_open(&p, zpath, &err), DH_OK);
    assert_int_equal(dh_package_count(p), 0);
    assert_int_equal(dh_package_read(p, "course.json", 100, &data, &len, &err), DH_ENOTFOUND);
    assert_string_equal(err.msg, "the package has no such file");
    dh_package_close(p);
    bytes = slurp(zpath, &len);
    assert_int_equal(dh_package_open_memory(&p, bytes, len, "nothing.zip", &err), DH_OK);
    dh_package_close(p);
    free(bytes);

    /* a file that is not a zip */
    put_text(root, "notes.zip", "these are my notes, not an archive at all");
    snprintf(zpath, sizeof zpath, "%s/notes.zip", root);
    expect_open_refused(zpath, DH_EFORMAT, "no end-of-central-directory record: the file is not a zip archive or it is truncated");
    put_text(root, "empty.zip", "");
    snprintf(zpath, sizeof zpath, "%s/empty.zip", root);
    expect_open_refused(zpath, DH_EFORMAT, "no end-of-central-directory record");
    rm_rf(root);
}

static void test_crc_mismatch(void **state)
{
    (void)state;
    char root[64], zpath[128];
    fresh_dir(root, sizeof root);
    snprintf(zpath, sizeof zpath, "%s/pkg.zip", root);
    dh_ZipWriteEntry e[] = {{"course.json", "{\"format\": 1}", 13}, {"lessons/a.json", "[1]", 3}};
    write_zip(zpath, e, 2);
    /* flip one byte of course.json's stored data, right after its local header */
    int fd = open(zpath, O_RDWR);
    assert_true(fd >= 0);
    unsigned char c;
    assert_int_equal(pread(fd, &c, 1, 30 + 11 + 3), 1);
    c ^= 0x01;
    assert_int_equal(pwrite(fd, &c, 1, 30 + 11 + 3), 1);
    close(fd);
    dh_Package *p;
    dh_Error err;
    assert_int_equal(dh_package_open(&p, zpath, &err), DH_OK); /* data is not read at open */
    void *data = NULL;
    size_t len;
    assert_int_equal(dh_package_read(p, "course.json", 1 << 20, &data, &len, &err), DH_ESIG);
    assert_null(data);
    assert_string_equal(err.file, "course.json");
    assert_string_equal(err.msg, "the file is damaged: its CRC-32 does not match the archive (the "
                                 "package is corrupt; copy it again)");
    expect_content(p, "lessons/a.json", "[1]"); /* the rest is still readable */
    dh_package_close(p);

    /* zeros where the data was (what PhysicsFS hands out for some damage) */
    size_t n;
    unsigned char *bytes = slurp(zpath, &n);
    memset(bytes + 30 + 11, 0, 13);
    assert_int_equal(dh_package_open_memory(&p, bytes, n, "zeros.zip", &err), DH_OK);
    assert_int_equal(dh_package_read(p, "course.json", 1 << 20, &data, &len, &err), DH_ESIG);
    dh_package_close(p);
    free(bytes);

    /* damage inside a deflate stream: refused, or (when only padding bits
     * after the last block changed) the original text, never anything else */
    void *good;
    size_t good_len;
    assert_int_equal(dh_package_open_memory(&p, deflated_zip, sizeof deflated_zip, "ok.zip", &err), DH_OK);
    assert_int_equal(dh_package_read(p, "course.json", 1 << 20, &good, &good_len, &err), DH_OK);
    dh_package_close(p);
    unsigned char copy[sizeof deflated_zip];
    int refused = 0;
    for (size_t off = 30 + 11; off < 30 + 11 + 34; off++) {
        memcpy(copy, deflated_zip, sizeof copy);
        copy[off] ^= 0x5a;
        assert_int_equal(dh_package_open_memory(&p, copy, sizeof copy, "bad.zip", &err), DH_OK);
        data = NULL;
        dh_Status st = dh_package_read(p, "course.json", 1 << 20, &data, &len, &err);
        if (st == DH_OK) {
            assert_int_equal(len, good_len);
            assert_memory_equal(data, good, len);
            dh_free(data);
        } else if (st == DH_ESIG || st == DH_EFORMAT) {
            assert_null(data);
            refused++;
        } else {
            fail_msg("offset %zu: %s (%s)", off, dh_status_name(st), err.msg);
        }
        dh_package_close(p);
    }
    assert_true(refused >= 30);
    dh_free(good);
    rm_rf(root);
}

/* Write a zip of files[] plus a manifest made from listed[]. */
static void zip_with_manifest(const char *path, const dh_ZipWriteEntry *files, int n,
                              const dh_ZipWriteEntry *listed, int nl)
{
    char *json;
    size_t len;
    dh_Error err;
    assert_int_equal(dh_package_manifest(listed, nl, "drillhall-pack test", NULL, NULL, &json, &len, &err),
                     DH_OK);
    dh_ZipWriteEntry *all = calloc((size_t)n + 1, sizeof *all);
    memcpy(all, files, (size_t)n * sizeof *all);
    all[n] = (dh_ZipWriteEntry){DH_PKG_MANIFEST, json, len};
    write_zip(path, all, n + 1);
    free(all);
    dh_free(json);
}

/* Open path, verify, expect status and (if part) one error naming file. */
static dh_Package *verify_expect(const char *path, dh_Status want, const char *file, const char *part)
{
    dh_Package *p;
    dh_Error err;
    if (dh_package_open(&p, path, &err) != DH_OK) fail_msg("%s", err.msg);
    assert_true(dh_package_has_manifest(p));
    dh_Diags d;
    dh_diags_init(&d);
    dh_Status st = dh_package_verify_manifest(p, &d);
    if (st != want) fail_msg("got %s, want %s", dh_status_name(st), dh_status_name(want));
    if (part) {
        assert_int_equal(d.errors, 1);
        assert_string_equal(d.items[0].file, file);
        if (!strstr(d.items[0].msg, part)) fail_msg("'%s' lacks '%s'", d.items[0].msg, part);
    } else {
        assert_int_equal(d.errors, 0);
    }
    dh_diags_free(&d);
    return p;
}

static const char *const changed =
    "content does not match the package manifest (the file was changed after packing)";

static void test_manifest(void **state)
{
    (void)state;
    char root[64], zpath[128];
    fresh_dir(root, sizeof root);
    snprintf(zpath, sizeof zpath, "%s/pkg.zip", root);
    dh_ZipWriteEntry files[] = {{"course.json", "{}", 2},
                                {"lessons/a.json", "[1, 2, 3]", 9},
                                {"assets/x.png", "PNG", 3}};
    dh_Error err;
    void *data;
    size_t len;

    /* good */
    zip_with_manifest(zpath, files, 3, files, 3);
    dh_Package *p = verify_expect(zpath, DH_OK, NULL, NULL);
    expect_content(p, "lessons/a.json", "[1, 2, 3]");
    expect_content(p, "assets/x.png", "PNG");
    assert_int_equal(dh_package_read(p, DH_PKG_MANIFEST, 1 << 20, &data, &len, &err), DH_OK);
    assert_non_null(strstr(data, "\"generator\": \"drillhall-pack test\""));
    dh_free(data);
    dh_package_close(p);

    /* a file listed but missing */
    dh_ZipWriteEntry more[] = {files[0], files[1], files[2], {"lessons/b.json", "{}", 2}};
    zip_with_manifest(zpath, files, 3, more, 4);
    p = verify_expect(zpath, DH_ESIG, "lessons/b.json",
                      "the file is listed in the package manifest but missing from the package");
    expect_content(p, "course.json", "{}");
    dh_package_close(p);

    /* a file added after packing */
    zip_with_manifest(zpath, files, 3, files, 2);
    p = verify_expect(zpath, DH_ESIG, "assets/x.png",
                      "the file is not listed in the package manifest (it was added after packing)");
    assert_int_equal(dh_package_read(p, "assets/x.png", 1 << 20, &data, &len, &err), DH_ESIG);
    assert_string_equal(err.file, "assets/x.png");
    expect_content(p, "course.json", "{}");
    dh_package_close(p);

    /* one byte changed */
    dh_ZipWriteEntry edited[] = {files[0], {"lessons/a.json", "[1, 2, 4]", 9}, files[2]};
    zip_with_manifest(zpath, edited, 3, files, 3);
    p = verify_expect(zpath, DH_ESIG, "lessons/a.json", changed);
    data = (void *)1;
    assert_int_equal(dh_package_read(p, "lessons/a.json", 1 << 20, &data, &len, &err), DH_ESIG);
    assert_null(data);
    assert_string_equal(err.file, "lessons/a.json");
    assert_string_equal(err.msg, changed);
    dh_package_close(p);

    /* a different size */
    dh_ZipWriteEntry longer[] = {files[0], {"lessons/a.json", "[1, 2, 3, 4]", 12}, files[2]};
    zip_with_manifest(zpath, longer, 3, files, 3);
    p = verify_expect(zpath, DH_ESIG, "lessons/a.json",
                      "the file is 12 bytes but the package manifest records 9");
    dh_package_close(p);

    /* a source folder's manifest.json (left from unzipping a package to edit
     * it) binds nothing: edited files read fine, and pack rewrites it */
    char src[128];
    snprintf(src, sizeof src, "%s/src", root);
    char *json;
    assert_int_equal(dh_package_manifest(files, 3, "drillhall-pack test", "org.example.t", "1.2.3", &json,
                                         &len, &err), DH_OK);
    assert_int_equal(mkdir(src, 0755), 0);
    put_text(src, DH_PKG_MANIFEST, json);
    dh_free(json);
    for (int i = 0; i < 3; i++) put_file(src, files[i].name, files[i].data, files[i].len);
    put_text(src, "lessons/a.json", "[1, 2, 4]");
    if (dh_package_open(&p, src, &err) != DH_OK) fail_msg("%s", err.msg);
    assert_false(dh_package_has_manifest(p));
    dh_Diags d;
    dh_diags_init(&d);
    assert_int_equal(dh_package_verify_manifest(p, &d), DH_OK);
    assert_int_equal(d.count, 0);
    void *text;
    size_t n;
    assert_int_equal(dh_package_read(p, "lessons/a.json", 1024, &text, &n, &err), DH_OK);
    assert_int_equal(n, 9);
    dh_free(text);
    dh_diags_free(&d);
    dh_package_close(p);
    rm_rf(root);
}

static void test_manifest_malformed(void **state)
{
    (void)state;
    struct {
        const char *json;
        const char *part;
    } cases[] = {
        {"{", "unexpected end of file"},
        {"[]", "manifest.json must be a JSON object, not an array"},
        {"{\"format\": 2, \"generator\": \"x\", \"files\": {}}", "manifest format 2 is not supported"},
        {"{\"generator\": \"x\", \"files\": {}}", "format"},
        {"{\"format\": 1, \"generator\": \"x\", \"files\": []}", "files"},
        {"{\"format\": 1, \"generator\": \"x\", \"files\": {\"course.json\": "
         "{\"sha256\": \"XYZ\", \"size\": 2}}}", "'sha256' must be 64 lowercase hexadecimal digits"},
        {"{\"format\": 1, \"generator\": \"x\", \"files\": {\"course.json\": {\"sha256\": "
         "\"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\", \"size\": -2}}}",
         "'size' must be a whole number of bytes"},
        {"{\"format\": 1, \"generator\": \"x\", \"files\": {\"../course.json\": 1}}", "'..' path component"},
        {"{\"format\": 1, \"generator\": \"x\", \"files\": {\"manifest.json\": {}}}", "must not list itself"},
        {"{\"format\": 1, \"generator\": \"x\", \"files\": {\"course.json\": \"abc\"}}",
         "must be an object with 'sha256' and 'size', not a string"},
        {"{\"format\": 1, \"generator\": \"x\", \"course\": \"org.x\", \"files\": {}}", "course"},
    };
    char root[64], zpath[128];
    fresh_dir(root, sizeof root);
    snprintf(zpath, sizeof zpath, "%s/pkg.zip", root);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dh_ZipWriteEntry e[] = {{"course.json", "{}", 2}, {DH_PKG_MANIFEST, cases[i].json, strlen(cases[i].json)}};
        write_zip(zpath, e, 2);
        dh_Package *p;
        dh_Error err;
        assert_int_equal(dh_package_open(&p, zpath, &err), DH_OK);
        /* reading first: refused without details */
        void *data;
        size_t len;
        assert_int_equal(dh_package_read(p, "course.json", 100, &data, &len, &err), DH_ESIG);
        assert_string_equal(err.msg, "the file cannot be checked because manifest.json is malformed");
        dh_Diags d;
        dh_diags_init(&d);
        assert_int_equal(dh_package_verify_manifest(p, &d), DH_EFORMAT);
        assert_true(d.errors >= 1);
        bool found = false;
        for (int k = 0; k < d.count; k++) {
            assert_string_equal(d.items[k].file, DH_PKG_MANIFEST);
            found |= strstr(d.items[k].msg, cases[i].part) != NULL;
        }
        if (!found) fail_msg("case %zu: no diagnostic with '%s' (first: %s)", i, cases[i].part, d.items[0].msg);
        if (i > 0) assert_true(d.items[0].line > 0); /* positioned */
        dh_diags_free(&d);
        dh_package_close(p);
    }
    /* an unknown member is only a warning */
    const char *extra = "{\"format\": 1, \"generator\": \"x\", \"signed\": true, \"files\": {\"course.json\": "
                        "{\"sha256\": \"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\", "
                        "\"size\": 2}}}";
    dh_ZipWriteEntry e[] = {{"course.json", "{}", 2}, {DH_PKG_MANIFEST, extra, strlen(extra)}};
    write_zip(zpath, e, 2);
    dh_Package *p;
    dh_Error err;
    assert_int_equal(dh_package_open(&p, zpath, &err), DH_OK);
    dh_Diags d;
    dh_diags_init(&d);
    assert_int_equal(dh_package_verify_manifest(p, &d), DH_OK);
    assert_int_equal(d.errors, 0);
    assert_int_equal(d.warnings, 1);
    dh_diags_free(&d);
    expect_content(p, "course.json", "{}");
    dh_package_close(p);
    rm_rf(root);
}

static void test_manifest_text(void **state)
{
    (void)state;
    dh_ZipWriteEntry e[] = {{"b.json", "{}", 2}, {"a\"q.json", "", 0}, {DH_PKG_MANIFEST, "old", 3}};
    char *json;
    size_t len;
    dh_Error err;
    assert_int_equal(dh_package_manifest(e, 3, "drillhall-pack 9.9", "org.example.a", "1.0.0", &json,
                                         &len, &err), DH_OK);
    const char *want =
        "{\n"
        "  \"format\": 1,\n"
        "  \"generator\": \"drillhall-pack 9.9\",\n"
        "  \"course\": {\"id\": \"org.example.a\", \"version\": \"1.0.0\"},\n"
        "  \"files\": {\n"
        "    \"a\\\"q.json\": {\"sha256\": "
        "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\", \"size\": 0},\n"
        "    \"b.json\": {\"sha256\": "
        "\"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\", \"size\": 2}\n"
        "  }\n"
        "}\n";
    assert_string_equal(json, want);
    assert_int_equal(len, strlen(want));
    dh_free(json);
    assert_int_equal(dh_package_manifest(NULL, 0, "g", NULL, NULL, &json, &len, &err), DH_OK);
    assert_string_equal(json, "{\n  \"format\": 1,\n  \"generator\": \"g\",\n  \"files\": {}\n}\n");
    dh_free(json);
}

/* Open, read every file, verify, close: the whole life of a package. */
/* dh_package_open_verified: the verdict for every kind of signature, and
 * the bytes read afterwards are the bytes that were verified. */
static void test_signed_packages(void **state)
{
    (void)state;
    char root[64], zpath[128], sig[160], other[128];
    fresh_dir(root, sizeof root);
    snprintf(zpath, sizeof zpath, "%s/course.zip", root);
    snprintf(sig, sizeof sig, "%s.minisig", zpath);
    snprintf(other, sizeof other, "%s/other.zip", root);
    dh_ZipWriteEntry files[] = {{"course.json", "{\"id\": \"a\"}", 11}, {"lessons/l.json", "[1, 2]", 6}};
    zip_with_manifest(zpath, files, 2, files, 2);
    dh_ZipWriteEntry changed_files[] = {{"course.json", "{\"id\": \"b\"}", 11}, {"lessons/l.json", "[1, 2]", 6}};
    zip_with_manifest(other, changed_files, 2, changed_files, 2);

    dh_Error err;
    dh_PublicKey pk[2];
    dh_SecretKey sk[2];
    for (int i = 0; i < 2; i++) assert_int_equal(dh_sig_keygen(&pk[i], &sk[i], &err), DH_OK);
    dh_PackageSigner who;
    dh_Package *p;

    /* no signature file */
    assert_int_equal(dh_package_open_verified(&p, zpath, NULL, pk, 2, &who, &err), DH_OK);
    assert_int_equal(who.trust, DH_TRUST_UNSIGNED);
    assert_int_equal(who.key, -1);
    dh_package_close(p);

    /* signed by the second trusted key */
    assert_int_equal(dh_sig_sign_file(zpath, &sk[1], "course a 1.0", NULL, NULL, &err), DH_OK);
    assert_int_equal(dh_package_open_verified(&p, zpath, NULL, pk, 2, &who, &err), DH_OK);
    assert_int_equal(who.trust, DH_TRUST_SIGNED);
    assert_int_equal(who.key, 1);
    assert_string_equal(who.comment, "course a 1.0");
    char hex[DH_SIG_KEYID_HEX];
    assert_string_equal(who.keyid, dh_sig_keyid_hex(pk[1].keyid, hex));
    /* The path is replaced by other content after verification: the open
     * package still reads the verified bytes. */
    assert_int_equal(rename(other, zpath), 0);
    expect_content(p, "course.json", "{\"id\": \"a\"}");
    dh_package_close(p);
    /* ...and the replaced file no longer verifies. */
    assert_int_equal(dh_package_open_verified(&p, zpath, NULL, pk, 2, &who, &err), DH_OK);
    assert_int_equal(who.trust, DH_TRUST_INVALID);
    assert_non_null(strstr(who.why, "changed after it was signed"));
    dh_package_close(p);

    /* a key the kiosk does not trust */
    zip_with_manifest(zpath, files, 2, files, 2);
    assert_int_equal(dh_sig_sign_file(zpath, &sk[1], NULL, NULL, NULL, &err), DH_OK);
    assert_int_equal(dh_package_open_verified(&p, zpath, NULL, pk, 1, &who, &err), DH_OK);
    assert_int_equal(who.trust, DH_TRUST_UNKNOWN_KEY);
    assert_string_equal(who.keyid, dh_sig_keyid_hex(pk[1].keyid, hex));
    assert_non_null(strstr(who.why, "not in this kiosk's list of trusted keys"));
    dh_package_close(p);

    /* a damaged signature file */
    put_text(root, "course.zip.minisig", "untrusted comment: x\nnot base64 at all\n");
    assert_int_equal(dh_package_open_verified(&p, zpath, NULL, pk, 2, &who, &err), DH_OK);
    assert_int_equal(who.trust, DH_TRUST_INVALID);
    assert_non_null(strstr(who.why, "signature file cannot be used"));
    dh_package_close(p);

    /* signed, but without a manifest to bind later reads */
    write_zip(zpath, files, 2);
    assert_int_equal(dh_sig_sign_file(zpath, &sk[0], NULL, NULL, sig, &err), DH_OK);
    assert_int_equal(dh_package_open_verified(&p, zpath, sig, pk, 2, &who, &err), DH_OK);
    assert_int_equal(who.trust, DH_TRUST_INVALID);
    assert_non_null(strstr(who.why, "no manifest.json"));
    dh_package_close(p);

    /* a source folder is never signed; a missing file is an error */
    assert_int_equal(dh_package_open_verified(&p, root, NULL, pk, 2, &who, &err), DH_OK);
    assert_int_equal(who.trust, DH_TRUST_UNSIGNED);
    dh_package_close(p);
    snprintf(other, sizeof other, "%s/none.zip", root);
    assert_int_equal(dh_package_open_verified(&p, other, NULL, pk, 2, &who, &err), DH_ENOTFOUND);
    assert_null(p);
    assert_string_equal(dh_package_trust_name(DH_TRUST_INVALID), "signature invalid");
    for (int i = 0; i < 2; i++) dh_sig_secret_wipe(&sk[i]);
    rm_rf(root);
}

static dh_Status cycle(const char *path, const void *mem, size_t memlen)
{
    dh_Package *p;
    dh_Error err;
    dh_error_clear(&err);
    dh_Status st = mem ? dh_package_open_memory(&p, mem, memlen, "mem.zip", &err)
                       : dh_package_open(&p, path, &err);
    if (st != DH_OK) return st;
    for (int i = 0; i < dh_package_count(p) && st == DH_OK; i++) {
        void *data;
        size_t len;
        st = dh_package_read(p, dh_package_name(p, i), 1 << 20, &data, &len, &err);
        if (st == DH_OK) dh_free(data);
    }
    if (st == DH_OK) {
        dh_Diags d;
        dh_diags_init(&d);
        st = dh_package_verify_manifest(p, &d);
        dh_diags_free(&d);
    }
    dh_package_close(p);
    return st;
}

static void test_alloc_failures(void **state)
{
    (void)state;
    char root[64], zpath[128], src[128];
    fresh_dir(root, sizeof root);
    snprintf(zpath, sizeof zpath, "%s/pkg.zip", root);
    snprintf(src, sizeof src, "%s/src", root);
    dh_ZipWriteEntry files[] = {{"course.json", "{}", 2}, {"lessons/a.json", "[1]", 3},
                                {"assets/x.png", "PNG", 3}};
    zip_with_manifest(zpath, files, 3, files, 3);
    assert_int_equal(mkdir(src, 0755), 0);
    for (int i = 0; i < 3; i++) put_file(src, files[i].name, files[i].data, files[i].len);
    size_t memlen;
    unsigned char *mem = slurp(zpath, &memlen);
    for (int kind = 0; kind < 4; kind++) {
        long n;
        for (n = 1;; n++) {
            long failures = dh_alloc_failures();
            dh_alloc_fail_after(n);
            dh_Status st = kind == 0   ? cycle(zpath, NULL, 0)
                           : kind == 1 ? cycle(src, NULL, 0)
                           : kind == 2 ? cycle(NULL, mem, memlen)
                                       : cycle(NULL, deflated_zip, sizeof deflated_zip);
            dh_alloc_fail_after(0);
            if (dh_alloc_failures() == failures) {
                assert_int_equal(st, DH_OK);
                break;
            }
            if (st != DH_ENOMEM && st != DH_OK)
                fail_msg("kind %d, allocation %ld failed: got %s", kind, n, dh_status_name(st));
            assert_true(n < 5000);
        }
        assert_true(n > 5); /* the loop did exercise something */
        /* and everything still works afterwards */
        assert_int_equal(kind == 1 ? cycle(src, NULL, 0) : cycle(zpath, NULL, 0), DH_OK);
    }
    free(mem);
    rm_rf(root);
}

int main(void)
{
    dh_Error err;
    if (dh_package_init(NULL, &err) != DH_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_directory),
        cmocka_unit_test(test_directory_refusals),
        cmocka_unit_test(test_zip_packages),
        cmocka_unit_test(test_crc_mismatch),
        cmocka_unit_test(test_manifest),
        cmocka_unit_test(test_manifest_malformed),
        cmocka_unit_test(test_manifest_text),
        cmocka_unit_test(test_signed_packages),
        cmocka_unit_test(test_alloc_failures),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    dh_package_deinit();
    return rc;
}
