/* export: a kiosk's records as a signed bundle on removable media.
 *
 * A training officer walks from kiosk to kiosk with a USB stick; what they
 * carry home must be complete, unforgeable and readable by other tools. An
 * export is a directory: statements.json (the journal as a JSON array an LRS
 * accepts as the body of POST /statements), summary.csv (one row per trainee
 * and course version, for a spreadsheet), manifest.json (who, when, counts
 * and the SHA-256 of every file) and manifest.json.minisig (the kiosk key's
 * minisign signature of the manifest), plus kiosk.pub. Everything streams:
 * one statement in memory at a time, however long the journal. The bundle is
 * written beside its final place, fsynced and renamed in, and only then are
 * its statements marked exported, so a full or read-only stick marks nothing.
 * tools/records/RECORDS.md describes every file and member.
 */
#ifndef DH_EXPORT_H
#define DH_EXPORT_H

#include "buf.h"
#include "completion.h"
#include "error.h"
#include "kiosk.h"
#include "store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DH_EXPORT_FORMAT 1                          /* manifest "format" this program writes and reads */
#define DH_EXPORT_MANIFEST "manifest.json"          /* the signed description of the bundle */
#define DH_EXPORT_SIGNATURE "manifest.json.minisig" /* minisign signature of manifest.json */
#define DH_EXPORT_STATEMENTS "statements.json"      /* JSON array of xAPI statements */
#define DH_EXPORT_SUMMARY "summary.csv"             /* one row per trainee x course version */
#define DH_EXPORT_KIOSK_PUB "kiosk.pub"             /* public key of the kiosk that signed */
#define DH_EXPORT_SIGNER_PUB "signer.pub"           /* public key of an officer who signed a merge */
#define DH_EXPORT_PREFIX "drillhall-"               /* bundle directory names start with it */
#define DH_EXPORT_ID_MAX 128                        /* bytes of an export id (store limit), no NUL */
#define DH_EXPORT_IRI_MAX 2048                      /* bytes of the programme IRI, no NUL */
#define DH_EXPORT_SUMMARY_COLUMNS 13                /* columns of summary.csv */

/* The header of summary.csv, in order (RFC 4180, CRLF, no BOM). */
extern const char *const dh_export_summary_columns[DH_EXPORT_SUMMARY_COLUMNS];

/* One row of summary.csv: a trainee's current attempt at one course version.
 * Strings are borrowed (valid during the callback that hands the row out). */
typedef struct dh_ExportRow {
    const char *trainee_id;     /* kiosk-local id (service number) */
    const char *name;           /* display name */
    const char *unit;           /* "" if not given */
    const char *nation;         /* ISO 3166-1 alpha-2, "" if not given */
    const char *course_id;
    const char *version;        /* course version */
    dh_ProgressStatus status;   /* of the current attempt */
    bool has_score;             /* false: the score cell is empty */
    double score;               /* scaled score of the current attempt, -1..1 */
    bool passed;                /* the current attempt's status is passed */
    int64_t completed_ms;       /* first completed/passed, 0: empty cell */
    int64_t time_ms;            /* time spent in the current attempt */
    int attempts;               /* attempts started at this course version (>= 1) */
    const char *kiosk_id;       /* the kiosk the row comes from */
} dh_ExportRow;

/* Progress of an export, for the admin screen's bar: `done` of `total`
 * statements written (total is known before the first is written). Return
 * false to cancel: the export then fails with DH_EINVAL ("cancelled") and
 * leaves nothing behind. */
typedef bool (*dh_ExportProgressFn)(int64_t done, int64_t total, void *ctx);

typedef struct dh_ExportOptions {
    const char *out_dir;            /* existing directory the bundle directory is made in */
    bool all;                       /* true: every statement; false: only those never exported */
    const char *programme;          /* programme IRI for the manifest; NULL or "": none */
    int64_t now_ms;                 /* export time (ms since 1970 UTC): names the bundle */
    dh_ExportProgressFn progress;   /* NULL: no progress reports */
    void *progress_ctx;
} dh_ExportOptions;

typedef struct dh_ExportResult {
    bool written;                        /* false: nothing new to export, nothing written */
    char export_id[DH_EXPORT_ID_MAX + 1];/* "drillhall-<8 hex of kiosk id>-YYYYMMDDTHHMMSSZ[-N]" */
    char path[DH_STORE_PATH_MAX];        /* the bundle directory ("" when not written) */
    int64_t statements;                  /* statements in statements.json */
    int64_t rows;                        /* data rows in summary.csv */
    int64_t marked;                      /* statements marked with export_id: those no
                                          * earlier export took (--all keeps older marks) */
    int64_t first_ms, last_ms;           /* statement time range, 0 when empty */
} dh_ExportResult;

/* Write a bundle of store's journal, signed with kiosk's key, into
 * opt->out_dir/<export id>. Incremental (opt->all false) takes the
 * statements that no export has taken yet; when there are none, nothing is
 * written, res->written is false and the call returns DH_OK (the caller says
 * "nothing new to export"). With opt->all every statement goes, even when
 * the journal is empty (an empty array still carries the summary). The
 * bundle is built in a hidden temporary directory next to its final name,
 * every file and the directory fsynced, then renamed into place; only after
 * that are its statements marked exported in the store (a failed mark is an
 * error, but the bundle stays valid and the next export repeats those
 * statements: re-importing them changes nothing). Only statements no export
 * took yet are marked, also with opt->all: a statement's mark names the
 * export that first took it, and an --all export does not rewrite the whole
 * journal. On any failure nothing is
 * left in out_dir and nothing is marked; err says what happened in a
 * sentence ("the USB stick is full ..."). A second export within the same second
 * gets "-2", "-3", ... after its name. res may be NULL. */
dh_Status dh_export_bundle(dh_Store *store, const dh_Kiosk *kiosk, const dh_ExportOptions *opt,
                           dh_ExportResult *res, dh_Error *err);

/* The export id for a kiosk and time: "drillhall-" + the first 8 characters
 * of the kiosk id + "-" + UTC "YYYYMMDDTHHMMSSZ". False if the time is out of
 * range (years 1970..9999). */
bool dh_export_id(char out[DH_EXPORT_ID_MAX + 1], const char *kiosk_id, int64_t now_ms);

/* Write one summary row (or, with row NULL, the header) to buf as an RFC
 * 4180 record ending in CRLF; cells that a spreadsheet would take for a
 * formula are neutralised (see csv.h). Returns DH_ENOMEM only. */
dh_Status dh_export_summary_row(dh_Buf *buf, const dh_ExportRow *row, dh_Error *err);

/* The lower-case hex SHA-256 of a file, streamed; *bytes (may be NULL)
 * receives its size. DH_EIO with a sentence if it cannot be read. */
dh_Status dh_export_file_sha256(const char *path, char hex[65], int64_t *bytes, dh_Error *err);

/* ---- manifests and bundle writing (shared with drillhall-records merge) ------------ */

/* A file of a bundle as the manifest lists it. */
typedef struct dh_ExportFile {
    char name[32];       /* one of the DH_EXPORT_* file names */
    int64_t bytes;       /* size */
    char sha256[65];     /* lower-case hex SHA-256 */
} dh_ExportFile;

/* A bundle a merged bundle was made from (manifest "sources"). */
typedef struct dh_ExportSource {
    char export_id[DH_EXPORT_ID_MAX + 1]; /* the source's export id */
    char kiosk_id[DH_UUID_LEN + 1];       /* its kiosk, "" for a merged source */
    char key_id[DH_SIG_KEYID_HEX];        /* the key that signed it, "" if unsigned */
    int64_t statements;                   /* statements it held */
} dh_ExportSource;

/* Everything manifest.json says (tools/records/RECORDS.md lists the members). */
typedef struct dh_ExportManifest {
    bool merged;                     /* "kind": "merge" (else "kiosk") */
    const char *export_id;           /* the bundle's id (and directory name for kiosk bundles) */
    const char *kiosk_id;            /* kiosk bundles: the kiosk; merged: NULL */
    const char *key_id;              /* signer's key id as minisign prints it; NULL: unsigned */
    const char *programme;           /* programme IRI; NULL or "": none */
    int64_t exported_ms;             /* export or merge time */
    bool incremental;                /* kiosk export of new statements only */
    int64_t statements;              /* elements of statements.json */
    int64_t first_ms, last_ms;       /* statement time range (ignored when statements is 0) */
    int64_t rows, trainees;          /* summary.csv data rows; distinct trainee ids in them */
    int64_t first_seq, last_seq;     /* kiosk bundles: journal range taken (0, 0 if none) */
    const dh_ExportSource *sources;  /* merged bundles: what went in */
    int nsources;
    const dh_ExportFile *files;      /* every other file of the bundle */
    int nfiles;
} dh_ExportManifest;

/* The manifest as pretty-printed JSON with a fixed member order. */
dh_Status dh_export_manifest_text(dh_Buf *out, const dh_ExportManifest *m, dh_Error *err);

/* Writes a bundle directory so that it appears whole or not at all: files
 * go into a hidden temporary directory beside the target, each is fsynced
 * and hashed as it is closed, and commit renames the directory into place
 * after the manifest and its signature. Errors are sentences about the
 * medium ("the disk or USB stick is full; ..."). */
typedef struct dh_ExportWriter dh_ExportWriter;

/* Start writing the bundle directory `path`, which must not exist
 * (DH_EUNSAFE) and whose parent must. Free with dh_export_writer_free. */
dh_Status dh_export_writer_new(dh_ExportWriter **out, const char *path, dh_Error *err);
/* Start the next file (one at a time); name is a DH_EXPORT_* file name. */
dh_Status dh_export_writer_open(dh_ExportWriter *w, const char *name, dh_Error *err);
/* Append to the current file. Errors are remembered and returned by
 * dh_export_writer_check and dh_export_writer_close. */
void dh_export_writer_put(dh_ExportWriter *w, const void *data, size_t len);
/* DH_OK, or the first write error of the current file as a sentence. */
dh_Status dh_export_writer_check(dh_ExportWriter *w, dh_Error *err);
/* Flush, fsync and close the current file, recording its size and hash. */
dh_Status dh_export_writer_close(dh_ExportWriter *w, dh_Error *err);
/* Bytes written to the current file so far. */
int64_t dh_export_writer_bytes(const dh_ExportWriter *w);
/* Finish: m->files/nfiles are taken from the files written (m's own are
 * ignored); manifest.json is written, signed with sk unless sk is NULL
 * (then the bundle is unsigned: manifest.json.minisig is not written), and
 * the directory renamed into place. trusted_comment / untrusted_comment go
 * into the signature (one line each; NULL: minisign's defaults). */
dh_Status dh_export_writer_commit(dh_ExportWriter *w, const dh_ExportManifest *m,
                                  const dh_SecretKey *sk, const char *trusted_comment,
                                  const char *untrusted_comment, dh_Error *err);
/* Path of the bundle directory being written. */
const char *dh_export_writer_path(const dh_ExportWriter *w);
/* Free the writer; before a successful commit this removes the temporary
 * directory and everything in it. NULL is a no-op. */
void dh_export_writer_free(dh_ExportWriter *w);

#endif
