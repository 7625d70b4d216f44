/* zip: a distrustful reader of zip central directories, and the writer of
 * the deterministic archives `drillhall-pack pack` produces.
 *
 * PhysicsFS reads zips well but was built for game data, not for archives
 * that arrive on a USB stick from who knows where: it follows "../" names
 * into its tree, resolves symlinks, accepts zip64, encryption and overlapping
 * entries, and reports bzip2/LZMA entries as corrupt only after handing out
 * zeros. So before PhysicsFS sees an archive, dh_zip_scan walks the central
 * directory and every local header itself and refuses, in one sentence naming
 * the entry, anything Drillhall would not have written or cannot read safely.
 * The same name rules apply to source directories (dh_zip_check_name), and
 * the writer applies them to what it writes, so `pack` never produces a
 * package the loader would refuse.
 */
#ifndef DH_ZIP_H
#define DH_ZIP_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Compression methods the loader accepts (PhysicsFS inflates only these). */
#define DH_ZIP_STORE 0
#define DH_ZIP_DEFLATE 8

/* One regular file of an archive, as its central directory describes it
 * after every check has passed. */
typedef struct dh_ZipEntry {
    char *name;             /* UTF-8, '/'-separated, checked; owned by the list */
    uint16_t method;        /* DH_ZIP_STORE or DH_ZIP_DEFLATE */
    uint16_t flags;         /* general purpose bit flags */
    uint16_t made_by;       /* "version made by": host system << 8 | version */
    uint32_t crc32;         /* CRC-32 of the uncompressed data */
    uint64_t csize;         /* compressed size in bytes */
    uint64_t usize;         /* uncompressed size in bytes */
    uint64_t local_offset;  /* offset of the local file header */
    uint64_t data_offset;   /* offset of the first byte of (compressed) data */
    uint32_t external_attr; /* unix mode << 16 when made_by says unix */
} dh_ZipEntry;

/* The regular files of an archive, sorted bytewise by name. */
typedef struct dh_ZipList {
    dh_ZipEntry *entries;   /* count entries; directory entries are not listed */
    int count;
    int directories;        /* directory entries seen (checked, then skipped) */
    uint64_t total;         /* sum of the uncompressed sizes */
} dh_ZipList;

/* Where the archive's bytes come from: memory, or an open file read with
 * pread (so the scan and PhysicsFS later read the very same open file). */
typedef struct dh_ZipSource {
    const unsigned char *mem; /* the archive in memory, or NULL for fd */
    int fd;                   /* used when mem is NULL */
    uint64_t size;            /* bytes in the archive */
} dh_ZipSource;

/* Scan an archive and fill out (freed with dh_zip_list_free, also on
 * failure). Returns DH_OK, or: DH_EFORMAT (not a zip, truncated, corrupt,
 * inconsistent headers), DH_EUNSAFE (dangerous names, symlinks, special files,
 * duplicates, overlapping entries, encryption, zip64, multi-disk, unsupported
 * compression), DH_ELIMIT (entry count, file size, total size, compression
 * ratio over the limits of package.h), DH_EIO, DH_ENOMEM. err->msg is one
 * sentence naming the entry; err->file is left empty for the caller. */
dh_Status dh_zip_scan(const dh_ZipSource *src, dh_ZipList *out, dh_Error *err);
/* dh_zip_scan over len bytes of memory. */
dh_Status dh_zip_scan_memory(const void *data, size_t len, dh_ZipList *out, dh_Error *err);
/* Free the list's names and array; the list is empty after. NULL is a no-op. */
void dh_zip_list_free(dh_ZipList *list);
/* The entry with exactly this name, or NULL. */
const dh_ZipEntry *dh_zip_find(const dh_ZipList *list, const char *name);

/* Check one path of a package ("lessons/a.json", or "lessons/" for a
 * directory entry) against the name rules: 1..DH_PKG_MAX_NAME bytes of valid
 * UTF-8, no control characters, no backslash, no ':' (drive letters, and
 * PhysicsFS refuses ':'), no leading '/', no empty, "." or ".." components.
 * `what` starts the message ("entry", "file"). Returns DH_OK or DH_EUNSAFE. */
dh_Status dh_zip_check_name(const char *name, size_t len, const char *what, dh_Error *err);

/* A path made safe to print in a message: valid printable UTF-8 is kept,
 * control characters and invalid bytes become \xNN, and a path too long for
 * buf is cut with "...". Returns buf (size >= 16). */
const char *dh_zip_quote(char *buf, size_t size, const char *name, size_t len);

/* Check a set of paths for collisions: exact duplicates, names that differ
 * only in (ASCII) case, and a file whose name another path uses as a
 * directory ("a" and "a/b"). Names ending in '/' are directories. The array
 * is not modified. Returns DH_OK, DH_EUNSAFE or DH_ENOMEM. */
dh_Status dh_zip_check_collisions(const char *const *names, int n, const char *what,
                                  dh_Error *err);

/* CRC-32 (ISO-HDLC, as zip and zlib): pass 0 to start, the previous
 * result to continue. */
uint32_t dh_crc32(uint32_t crc, const void *data, size_t len);

/* One file for dh_zip_write. */
typedef struct dh_ZipWriteEntry {
    const char *name; /* package path, checked with the name rules */
    const void *data; /* len bytes of content */
    size_t len;
} dh_ZipWriteEntry;

/* Write a deterministic archive to path: entries sorted by name, stored,
 * fixed times, no extra fields, UTF-8 names, mode 0644. The same entries give
 * the same bytes on every machine. Written to a temporary file beside path,
 * synced and renamed over it: on failure path is untouched and no temporary
 * file is left. Refuses names the loader would refuse and content over the
 * package limits (DH_EUNSAFE, DH_ELIMIT); DH_EIO, DH_ENOMEM otherwise. */
dh_Status dh_zip_write(const char *path, const dh_ZipWriteEntry *entries, int n, dh_Error *err);

#endif
