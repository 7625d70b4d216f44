/* package: a course package opened safely, from a zip or a source directory.
 *
 * Packages come from instructors' machines and removable media, so nothing
 * in them is trusted. A zip's central directory is checked entry by entry
 * before PhysicsFS ever reads it (names, types, compression, sizes, ratios,
 * overlaps); a source directory is walked with the same rules. Files are then
 * read through PhysicsFS, each checked against its CRC-32 (zip) and against
 * the SHA-256 recorded by `drillhall-pack pack` in manifest.json, if present.
 *
 * The limits below are documented for instructors in courses/FORMAT.md
 * ("Packages, limits and the manifest"); keep the two in step.
 */
#ifndef DH_PACKAGE_H
#define DH_PACKAGE_H

#include "diag.h"
#include "error.h"
#include "signature.h"
#include "zip.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DH_PKG_MAX_ENTRIES 4096                     /* files and directories */
#define DH_PKG_MAX_FILE (32ull * 1024 * 1024)       /* one file, uncompressed */
#define DH_PKG_MAX_JSON (4ull * 1024 * 1024)        /* one JSON file */
#define DH_PKG_MAX_TOTAL (512ull * 1024 * 1024)     /* all files, uncompressed */
#define DH_PKG_MAX_RATIO 100                        /* uncompressed:compressed */
#define DH_PKG_RATIO_MIN_SIZE (1024ull * 1024)      /* ratio checked above this */
#define DH_PKG_MAX_NAME 255                         /* bytes in a path */
#define DH_PKG_MANIFEST "manifest.json"             /* written by `pack` */

typedef struct dh_Package dh_Package;

/* Initialise libsodium and PhysicsFS (once per process; argv0 may be NULL),
 * routing PhysicsFS's and cJSON's allocations through dh_malloc and
 * forbidding symlinks. dh_package_open calls it when needed; calling it
 * again is harmless. */
dh_Status dh_package_init(const char *argv0, dh_Error *err);
/* Shut PhysicsFS down if dh_package_init started it; does nothing while a
 * package is open. */
void dh_package_deinit(void);

/* Open a package: a .zip file or a directory laid out like one. On failure
 * err->msg says why in one sentence (which entry, which rule), err->file is
 * the path, and *out is NULL. In a directory, names starting with '.'
 * (.git, .DS_Store, ...) are skipped; symlinks and special files are refused. */
dh_Status dh_package_open(dh_Package **out, const char *path, dh_Error *err);
/* What a package's detached signature says. The player decides what to do
 * with it: a kiosk runs only DH_TRUST_SIGNED packages; an instructor's
 * preview runs the others with a visible mark. */
typedef enum dh_PackageTrust {
    DH_TRUST_UNSIGNED,    /* no signature file (or a source folder) */
    DH_TRUST_UNKNOWN_KEY, /* signed, by a key that is not in the trusted list */
    DH_TRUST_INVALID,     /* the signature is malformed or does not verify: changed after signing */
    DH_TRUST_SIGNED       /* verified against a trusted key */
} dh_PackageTrust;

typedef struct dh_PackageSigner {
    dh_PackageTrust trust;
    char keyid[DH_SIG_KEYID_HEX]; /* the signing key's id ("" when unsigned) */
    int key;                      /* SIGNED: index into the trusted keys; else -1 */
    char comment[256];            /* SIGNED: the verified trusted comment (truncated) */
    char why[640];                /* not SIGNED: a sentence for the catalog card / admin screen */
} dh_PackageSigner;

/* Open the zip at path like dh_package_open, and check its detached
 * signature sig_path (NULL: path + ".minisig") against the n trusted keys
 * ON THE SAME OPEN FILE the package is then read from: the bytes verified
 * are the bytes loaded, whatever happens to the path afterwards. When the
 * signature verifies, the package's manifest is loaded at once from that
 * file, so every later read is bound to the signed content by its SHA-256
 * (a signed package without a valid manifest is DH_TRUST_INVALID). The
 * verdict goes to *signer; the return value and *out are as for
 * dh_package_open (a package opens whatever its trust: the caller applies
 * its policy). A source folder opens with DH_TRUST_UNSIGNED. */
dh_Status dh_package_open_verified(dh_Package **out, const char *path, const char *sig_path,
                                   const dh_PublicKey *keys, int n, dh_PackageSigner *signer,
                                   dh_Error *err);
/* The trust word for messages: "unsigned", "signed by an unknown key",
 * "signature invalid", "signed". */
const char *dh_package_trust_name(dh_PackageTrust t);
/* Open a zip held in memory (data must outlive the package); name is used in
 * messages. Used by the fuzz targets and by tests. */
dh_Status dh_package_open_memory(dh_Package **out, const void *data, size_t len,
                                 const char *name, dh_Error *err);
/* Close and free; NULL is a no-op. */
void dh_package_close(dh_Package *p);

/* The path or name the package was opened from. */
const char *dh_package_path(const dh_Package *p);
/* True for a zip archive, false for a source directory. */
bool dh_package_is_archive(const dh_Package *p);

/* Regular files in the package, sorted bytewise by name ("lessons/a.json"). */
int dh_package_count(const dh_Package *p);
const char *dh_package_name(const dh_Package *p, int i);
uint64_t dh_package_size(const dh_Package *p, int i);
/* Index of a file by exact name, or -1. */
int dh_package_find(const dh_Package *p, const char *name);

/* Read a whole file (at most max bytes, else DH_ELIMIT) into a new buffer
 * with a NUL after the data; the caller frees it with dh_free. The CRC-32 of
 * a zip entry and the manifest hash, when there is a manifest, are checked:
 * a mismatch (or a file the manifest does not list, or a malformed manifest)
 * is DH_ESIG and no data is returned. DH_ENOTFOUND for an unknown name. On
 * failure err->file is the name and err->msg a sentence without it. */
dh_Status dh_package_read(dh_Package *p, const char *name, size_t max, void **data,
                          size_t *len, dh_Error *err);

/* True if the package is an archive carrying manifest.json with content
 * hashes (a source folder's manifest.json is ignored: it is rewritten by
 * `pack`). */
bool dh_package_has_manifest(const dh_Package *p);
/* Check the manifest against the package: every file listed and no other,
 * each size and SHA-256 equal. Problems go to d (file = the entry); returns
 * DH_OK, DH_ESIG when something does not match, DH_EFORMAT for a malformed
 * manifest, DH_ENOMEM. Without a manifest, DH_OK. */
dh_Status dh_package_verify_manifest(dh_Package *p, dh_Diags *d);

/* Build manifest.json for these files: format 1, the generator string
 * (e.g. "drillhall-pack 0.1.0"), the course id and version when both are
 * given (else no "course" member), and each file's size and SHA-256, sorted
 * by name, one file per line. An entry named manifest.json is left out (the
 * manifest never lists itself). The text depends only on the arguments, so
 * `pack` stays reproducible. *json is NUL-terminated; free it with dh_free. */
dh_Status dh_package_manifest(const dh_ZipWriteEntry *files, int n, const char *generator,
                              const char *course_id, const char *course_version, char **json,
                              size_t *len, dh_Error *err);

/* SHA-256 of len bytes as 64 lowercase hex digits and a NUL (libsodium). */
void dh_sha256_hex(const void *data, size_t len, char out[65]);

#endif
