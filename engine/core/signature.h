/* signature: minisign-compatible Ed25519 keys and detached signatures.
 *
 * Course packages and record bundles travel on removable media between
 * machines that never share a network, so their authenticity rests on a
 * detached signature checked against a key the kiosk trusts. The files are
 * byte-for-byte those of minisign (https://jedisct1.github.io/minisign/):
 * instructors and officers can sign and check with the standard `minisign`
 * tool, and signatures made here verify there. Everything read (keys,
 * signatures) is treated as hostile: a bad file yields an error that names
 * the line and what is wrong, never a crash. Secrets are wiped after use.
 */
#ifndef DH_SIGNATURE_H
#define DH_SIGNATURE_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DH_SIG_KEYID_BYTES 8       /* random key number that names a key pair */
#define DH_SIG_KEYID_HEX 17        /* up to 16 upper-case hex digits, no leading zeros (as minisign prints) + NUL */
#define DH_SIG_PUBLIC_B64 57       /* base64 of "Ed" + key id + public key, + NUL */
#define DH_SIG_COMMENT_MAX 1003    /* untrusted comment bytes minisign reads back */
#define DH_SIG_TRUSTED_MAX 8173    /* trusted comment bytes minisign reads back */
#define DH_SIG_PASSWORD_MAX 1023   /* password bytes (minisign allows the same) */
#define DH_SIG_FILE_MAX 65536      /* size limit when reading key and signature files */
#define DH_SIG_LEGACY_MAX (1ull << 30) /* legacy "Ed" signatures need the whole file in memory */
#define DH_SIG_SUFFIX ".minisig"   /* default signature path: file + suffix */
#define DH_SIG_PASSWORD_ENV "DRILLHALL_KEY_PASSWORD" /* password of an encrypted secret key */

typedef struct dh_PublicKey {
    uint8_t keyid[DH_SIG_KEYID_BYTES]; /* key number, as stored (little-endian) */
    uint8_t pk[32];                    /* Ed25519 public key */
} dh_PublicKey;

typedef struct dh_SecretKey {
    uint8_t keyid[DH_SIG_KEYID_BYTES]; /* same key number as the public key */
    uint8_t sk[64];                    /* libsodium Ed25519 secret key: seed, then public key */
} dh_SecretKey;

typedef struct dh_Signature {
    bool prehashed;                    /* "ED": signs BLAKE2b-512 of the data; "Ed": the data (legacy) */
    uint8_t keyid[DH_SIG_KEYID_BYTES]; /* key number of the signer */
    uint8_t sig[64];                   /* Ed25519 signature of the data or its hash */
    char *trusted_comment;             /* owned (dh_malloc), NUL-terminated, unverified until checked */
    uint8_t global_sig[64];            /* Ed25519 signature of sig || trusted_comment */
} dh_Signature;

/* ---- keys ---------------------------------------------------------------- */

/* Make a new key pair with a random key id. */
dh_Status dh_sig_keygen(dh_PublicKey *pk, dh_SecretKey *sk, dh_Error *err);
/* Overwrite a secret key with zeros (sodium_memzero); NULL is a no-op. */
void dh_sig_secret_wipe(dh_SecretKey *sk);
/* The public half of a secret key. */
void dh_sig_secret_public(const dh_SecretKey *sk, dh_PublicKey *pk);
/* A key id as minisign prints it: the little-endian 64-bit number in 16
 * upper-case hex digits. Returns out. */
const char *dh_sig_keyid_hex(const uint8_t keyid[DH_SIG_KEYID_BYTES], char out[DH_SIG_KEYID_HEX]);

/* Parse a public key: a minisign .pub file ("untrusted comment: ..." line,
 * then the base64 key line) or a bare base64 key line (as `minisign -P`
 * takes it, and as trusted-key lists hold it). name is used in messages. */
dh_Status dh_sig_public_parse(dh_PublicKey *pk, const char *text, size_t len, const char *name,
                              dh_Error *err);
/* Read and parse a public key file. */
dh_Status dh_sig_public_read(dh_PublicKey *pk, const char *path, dh_Error *err);
/* The bare base64 key line (no newline). Returns out. */
const char *dh_sig_public_base64(const dh_PublicKey *pk, char out[DH_SIG_PUBLIC_B64]);
/* Write a minisign .pub file atomically (mode 0644); comment NULL gives
 * "drillhall-pack public key <KEYID>". Without force an existing file is
 * left alone and the call fails with DH_EUNSAFE. */
dh_Status dh_sig_public_write(const dh_PublicKey *pk, const char *path, const char *comment,
                              bool force, dh_Error *err);

/* Parse a minisign secret key file. An unencrypted key needs no password;
 * an encrypted one (scrypt) is decrypted with password, and when password
 * is NULL the call fails with DH_EINVAL without deriving anything. A wrong
 * password is DH_ESIG ("checksum mismatch"). */
dh_Status dh_sig_secret_parse(dh_SecretKey *sk, const char *text, size_t len, const char *name,
                              const char *password, dh_Error *err);
/* Read a secret key file; an encrypted key's password comes from the
 * environment variable DRILLHALL_KEY_PASSWORD or, failing that, is asked for
 * on the terminal (/dev/tty) without echo. */
dh_Status dh_sig_secret_read(dh_SecretKey *sk, const char *path, dh_Error *err);
/* Format a secret key file into a new string (caller frees with dh_free;
 * it holds the secret unless encrypted, so wipe it with sodium_memzero
 * first). password NULL writes an unencrypted key; otherwise the key is
 * encrypted with scrypt at opslimit/memlimit (0, 0: minisign's defaults). */
dh_Status dh_sig_secret_format(const dh_SecretKey *sk, const char *comment, const char *password,
                               uint64_t opslimit, uint64_t memlimit, char **text, dh_Error *err);
/* Write a secret key file atomically with mode 0600 (temporary file, then
 * rename), unencrypted when password is NULL. Without force an existing file
 * is never replaced (DH_EUNSAFE). */
dh_Status dh_sig_secret_write(const dh_SecretKey *sk, const char *path, const char *comment,
                              const char *password, bool force, dh_Error *err);
/* Get a password: from DRILLHALL_KEY_PASSWORD if set, else from /dev/tty
 * with echo off, showing prompt (asked twice when confirm is true). buf
 * receives at most DH_SIG_PASSWORD_MAX bytes + NUL; wipe it after use. */
dh_Status dh_sig_password(char *buf, size_t size, const char *prompt, bool confirm,
                          dh_Error *err);

/* ---- signatures ------------------------------------------------------------ */

/* Parse a .minisig text (4 lines: untrusted comment, signature, trusted
 * comment, comment signature; LF or CRLF). Nothing is verified yet. On
 * success s owns its trusted comment; release with dh_sig_signature_free. */
dh_Status dh_sig_signature_parse(dh_Signature *s, const char *text, size_t len, const char *name,
                                 dh_Error *err);
/* Read and parse a signature file. */
dh_Status dh_sig_signature_read(dh_Signature *s, const char *path, dh_Error *err);
/* Free what s owns and zero it; NULL is a no-op. */
void dh_sig_signature_free(dh_Signature *s);

/* Minisign's default trusted comment for a file:
 * "timestamp:<unix time>\tfile:<basename>\thashed" (without the file field
 * when path is NULL). Returns buf. */
const char *dh_sig_default_comment(char *buf, size_t size, const char *path, int64_t timestamp);

/* Sign data in memory (prehashed "ED"); *sig_text receives the .minisig text
 * (caller frees with dh_free). trusted_comment NULL gives the default
 * comment; untrusted_comment NULL gives "signature from drillhall-pack
 * secret key". Comments must be one line each and within the limits above. */
dh_Status dh_sig_sign_memory(const void *data, size_t len, const dh_SecretKey *sk,
                             const char *trusted_comment, const char *untrusted_comment,
                             char **sig_text, dh_Error *err);
/* Sign a file (hashed as a stream, prehashed "ED") and write the signature
 * atomically to sig_path (NULL: path + ".minisig"), replacing an old one. */
dh_Status dh_sig_sign_file(const char *path, const dh_SecretKey *sk, const char *trusted_comment,
                           const char *untrusted_comment, const char *sig_path, dh_Error *err);

/* Verify a parsed signature of data in memory against pk. DH_OK, or DH_ESIG
 * with a sentence saying what does not match (key id, data, trusted comment). */
dh_Status dh_sig_verify_parsed(const dh_Signature *s, const void *data, size_t len,
                               const dh_PublicKey *pk, dh_Error *err);
/* Verify a .minisig text of data in memory; accepts "ED" and legacy "Ed".
 * On success the verified trusted comment is copied to trusted_out
 * (truncated to size - 1 bytes; trusted_out may be NULL). DH_EFORMAT for a
 * malformed signature, DH_ESIG for one that does not verify. */
dh_Status dh_sig_verify_memory(const void *data, size_t len, const char *sig_text, size_t sig_len,
                               const dh_PublicKey *pk, char *trusted_out, size_t size,
                               dh_Error *err);
/* Verify the signature file sig_path (NULL: path + ".minisig") of the file
 * path; prehashed signatures stream the file. Results as
 * dh_sig_verify_memory; DH_EIO when a file cannot be read. */
dh_Status dh_sig_verify_file(const char *path, const char *sig_path, const dh_PublicKey *pk,
                             char *trusted_out, size_t size, dh_Error *err);

/* Verify the parsed signature s of the first size bytes of the open file fd
 * (read with pread from offset 0, so the caller can go on using the very
 * bytes it verified: a file renamed over the path afterwards changes
 * nothing). name names the file in messages. Key id, data and trusted
 * comment are checked as dh_sig_verify_file does; DH_EIO if fd cannot be
 * read or is shorter than size. */
dh_Status dh_sig_verify_fd(int fd, uint64_t size, const dh_Signature *s, const dh_PublicKey *pk,
                           const char *name, dh_Error *err);

#endif
