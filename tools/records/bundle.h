/* bundle: opening, verifying and reading record bundles on an officer's laptop.
 *
 * Every drillhall-records command starts from bundles a kiosk (or an earlier
 * merge) wrote, and none may believe one that was changed on the way: a
 * bundle is opened only after its manifest signature, the signer's key, the
 * SHA-256 and size of every file the manifest lists and the well-formedness
 * of its JSON and CSV have been checked. Reading is streaming: statements.json
 * is split element by element (one statement in memory at a time, whatever
 * the file's size) and hashed again while it is read, so a file changed
 * after opening is caught too. engine/core/export.h writes bundles; this is
 * the only code that reads them (verify, merge, summary, stats, report, push).
 *
 * Trust. A dh_Trust holds the keys the officer trusts: public keys given
 * with -p (trusted for any bundle) and a trusted-keys file mapping kiosk
 * ids to keys. With an empty dh_Trust a bundle is checked against the public
 * key it carries (integrity only) and the open says so; with a non-empty one
 * the signer must be trusted, and an unknown kiosk or key is an error that
 * says which.
 */
#ifndef DH_RECORDS_BUNDLE_H
#define DH_RECORDS_BUNDLE_H

#include "error.h"
#include "export.h"
#include "signature.h"
#include "uuid.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DH_BUNDLE_STATEMENT_MAX (1u << 20) /* bytes of one statement in statements.json (as the store) */
#define DH_BUNDLE_MANIFEST_MAX (1u << 20)  /* bytes of manifest.json */
#define DH_BUNDLE_SOURCES_MAX 100000       /* source bundles a merged manifest may list */
#define DH_TRUST_LINE_MAX 1024             /* bytes of one line of a trusted-keys file */

/* ---- trusted keys ------------------------------------------------------------ */

typedef struct dh_Trust dh_Trust;

/* An empty set of trusted keys (free with dh_trust_free). */
dh_Status dh_trust_new(dh_Trust **out, dh_Error *err);
/* Free the set; NULL is a no-op. */
void dh_trust_free(dh_Trust *t);
/* Trust the minisign public key file at path (-p PUB) for bundles from any
 * kiosk, and for merged bundles. DH_EIO / DH_EFORMAT with a sentence. */
dh_Status dh_trust_add_key_file(dh_Trust *t, const char *path, dh_Error *err);
/* Read a trusted-keys file (--trusted FILE). Each line is
 *     KIOSK_ID  PUBLIC_KEY  [# comment]
 * where KIOSK_ID is a kiosk UUID (or "*" for a key trusted for any bundle,
 * e.g. an officer's merge key) and PUBLIC_KEY the base64 line of a minisign
 * public key (the second line of kiosk.pub); blank lines and lines starting
 * with '#' are ignored. A kiosk id listed twice is an error. Problems are
 * DH_EFORMAT at path:line. */
dh_Status dh_trust_load_file(dh_Trust *t, const char *path, dh_Error *err);
/* True when no key was added: bundles are then checked for integrity only. */
bool dh_trust_empty(const dh_Trust *t);

/* ---- opening and verifying --------------------------------------------------- */

typedef struct dh_Bundle dh_Bundle;

/* How far a bundle's origin was established. */
typedef enum dh_BundleTrustLevel {
    DH_BUNDLE_TRUSTED = 0, /* signed by a key of the dh_Trust (for its kiosk, or for any) */
    DH_BUNDLE_SELF_SIGNED, /* empty dh_Trust: signature checked against the key the bundle carries */
    DH_BUNDLE_UNSIGNED     /* empty dh_Trust and no signature (a merge without a key): hashes only */
} dh_BundleTrustLevel;

/* A bundle a merged bundle was made from (manifest "sources"): export id,
 * kiosk id ("" for a merged source), key id ("" if unsigned), statements. */
typedef dh_ExportSource dh_BundleSource;

/* What the verified manifest says, plus how it was verified. */
typedef struct dh_BundleInfo {
    int format;                             /* manifest "format" (DH_EXPORT_FORMAT) */
    bool merged;                            /* written by `drillhall-records merge` */
    bool incremental;                       /* kiosk export of new statements only (false: --all, or merged) */
    char export_id[DH_EXPORT_ID_MAX + 1];   /* "drillhall-0b9d1d7e-20261128T061500Z" */
    char kiosk_id[DH_UUID_LEN + 1];         /* the exporting kiosk, "" for a merged bundle */
    char programme[DH_EXPORT_IRI_MAX + 1];  /* programme IRI, "" if none */
    int64_t exported_ms;                    /* export (or merge) time */
    int64_t first_ms, last_ms;              /* earliest and latest statement timestamp, 0 if empty */
    int64_t statements;                     /* elements of statements.json */
    int64_t rows;                           /* data rows of summary.csv */
    dh_BundleTrustLevel trust;              /* how the origin was checked */
    char key_id[DH_SIG_KEYID_HEX];          /* key that signed the manifest, "" if unsigned */
    char trusted_comment[DH_SIG_TRUSTED_MAX + 1]; /* verified trusted comment, "" if unsigned */
    const dh_BundleSource *sources;         /* merged bundles: what went in (owned by the bundle) */
    int nsources;
} dh_BundleInfo;

/* Open the bundle directory dir and verify it completely:
 *   1. manifest.json.minisig against the trusted key for the manifest's
 *      kiosk (or any -p key); with an empty trust, against the bundle's own
 *      kiosk.pub / signer.pub; unsigned bundles only with an empty trust;
 *   2. the public key file the bundle carries is the key that signed it;
 *   3. manifest.json is a format-1 manifest (every member checked);
 *   4. every file the manifest lists exists with that size and SHA-256;
 *   5. statements.json is a JSON array of objects, each with a UUID "id",
 *      each at most DH_BUNDLE_STATEMENT_MAX bytes, as many as the manifest
 *      counts (skipped when check_statements is false: then the first
 *      dh_bundle_statements_each does it, for commands that read every
 *      statement anyway and need not parse a large file twice);
 *   6. summary.csv is RFC 4180 with exactly the expected header, every row
 *      13 cells of the right types, as many rows as the manifest counts.
 * Failures: DH_ESIG (a signature or hash does not match: tampering or
 * damage), DH_ENOTFOUND (signed by a key or kiosk the trust does not know;
 * the message names the kiosk id and key id), DH_EFORMAT (malformed file),
 * DH_EIO (unreadable or missing file), DH_ENOMEM. err->msg is one sentence
 * without the bundle path, for "BUNDLE: why". Close with dh_bundle_close. */
dh_Status dh_bundle_open(dh_Bundle **out, const char *dir, const dh_Trust *trust,
                         bool check_statements, dh_Error *err);
/* Close the bundle; NULL is a no-op. */
void dh_bundle_close(dh_Bundle *b);
/* The manifest's facts and the verification result (owned by the bundle). */
const dh_BundleInfo *dh_bundle_info(const dh_Bundle *b);
/* The directory the bundle was opened from, as given. */
const char *dh_bundle_dir(const dh_Bundle *b);
/* One line for people: "kiosk 0b9d1d7e-... key 1A2B..., trusted, 120
 * statements 2026-11-01 .. 2026-11-28, 14 summary rows" (or "merged from
 * 3 bundles, ..."; "integrity only: ..." when self-signed or unsigned). */
const char *dh_bundle_describe(const dh_Bundle *b, char *buf, size_t size);

/* ---- reading ------------------------------------------------------------------ */

/* One element of statements.json, valid only during the callback. */
typedef struct dh_BundleStatement {
    int64_t index;      /* 0-based position in statements.json */
    const char *id;     /* the statement's "id" (a UUID, as written) */
    const char *text;   /* the element exactly as in the file (NUL-terminated, no surrounding space) */
    size_t len;         /* bytes of text */
    const cJSON *json;  /* text parsed; read-only */
} dh_BundleStatement;

typedef dh_Status (*dh_BundleStatementFn)(const dh_BundleStatement *st, void *ctx, dh_Error *err);
/* Call fn for every statement in file order, reading the file as a stream.
 * The file is hashed as it is read: if it no longer matches the manifest
 * (changed since dh_bundle_open), the call fails with DH_ESIG after the
 * last element, so a caller that commits results only after DH_OK never
 * acts on a changed file. A status other than DH_OK from fn stops the
 * iteration and is returned (fn fills err). */
dh_Status dh_bundle_statements_each(dh_Bundle *b, dh_BundleStatementFn fn, void *ctx,
                                    dh_Error *err);

typedef dh_Status (*dh_BundleRowFn)(const dh_ExportRow *row, void *ctx, dh_Error *err);
/* Call fn for every data row of summary.csv in file order (checked against
 * the manifest's hash again, as above). status, score, passed, times and
 * attempts are parsed from their cells; strings are the cells with the
 * formula neutralisation undone (a cell "'=x" is handed out as "=x"). */
dh_Status dh_bundle_summary_each(dh_Bundle *b, dh_BundleRowFn fn, void *ctx, dh_Error *err);

/* ---- statement ids (merge, stats and push de-duplicate with these) ------------------- */

/* What a dh_IdMap remembers about a statement id. */
typedef struct dh_IdValue {
    uint8_t digest[16];   /* dh_bundle_statement_digest of the statement */
    uint32_t source;      /* caller's number for where it came from (e.g. bundle index) */
    int64_t index;        /* its position there */
} dh_IdValue;

/* A hash map from statement ids (UUIDs, any case) to dh_IdValue: about 50
 * bytes per statement, so a million statements take some 64 MB. */
typedef struct dh_IdMap dh_IdMap;

dh_Status dh_idmap_new(dh_IdMap **out, dh_Error *err);
void dh_idmap_free(dh_IdMap *m);
/* Insert id with value. When id is already there nothing changes, *found
 * is true and *old (may be NULL) receives the stored value. DH_EFORMAT if
 * id is not a UUID, DH_ENOMEM. */
dh_Status dh_idmap_put(dh_IdMap *m, const char *id, const dh_IdValue *value, bool *found,
                       dh_IdValue *old, dh_Error *err);
/* Number of ids in the map. */
size_t dh_idmap_count(const dh_IdMap *m);
/* A 128-bit BLAKE2b digest of the statement's content, independent of
 * white space (the compact re-serialisation is hashed): equal digests mean
 * the same statement, different ones a conflicting duplicate. */
dh_Status dh_bundle_statement_digest(const dh_BundleStatement *st, uint8_t digest[16],
                                     dh_Error *err);

/* ---- helpers for commands ------------------------------------------------------- */

/* Parse "2026-11-28T04:15:26.123Z" (xAPI timestamps; milliseconds optional,
 * 'Z' required) into ms since 1970 UTC. False if it is not such a time. */
bool dh_bundle_parse_time(const char *s, int64_t *ms);

#endif
