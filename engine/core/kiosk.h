/* kiosk: the identity a kiosk signs its records with.
 *
 * A training officer collects record bundles from kiosks that never share a
 * network, so each kiosk proves who it is with its own Ed25519 key. On first
 * run the data directory receives kiosk.json (the kiosk id, a UUID, and when
 * it was made), kiosk.pub and kiosk.key (minisign format, so the standard
 * `minisign -V -p kiosk.pub` checks what the kiosk signed; the secret key is
 * unencrypted because nobody is there to type a password, and mode 0600).
 * Later runs load and cross-check the three files and explain any problem;
 * a lost key is never silently replaced, since that would change who the
 * kiosk is in every officer's list of trusted keys.
 */
#ifndef DH_KIOSK_H
#define DH_KIOSK_H

#include "error.h"
#include "signature.h"
#include "diag.h"
#include "uuid.h"

#include <stdbool.h>
#include <stdint.h>

#define DH_KIOSK_JSON "kiosk.json" /* {"format": 1, "kiosk_id", "created", "key_id"} */
#define DH_KIOSK_PUB "kiosk.pub"   /* minisign public key, mode 0644 */
#define DH_KIOSK_KEY "kiosk.key"   /* minisign secret key, unencrypted, mode 0600 */

typedef struct dh_Kiosk {
    char id[DH_UUID_LEN + 1];     /* kiosk id, UUID v4 */
    char created[32];             /* first run, UTC: "2025-01-31T08:00:00Z" */
    char keyid[DH_SIG_KEYID_HEX]; /* key id as minisign prints it */
    dh_PublicKey pk;              /* what officers trust */
    dh_SecretKey sk;              /* signs exports; wipe with dh_kiosk_wipe */
    bool created_now;             /* this call made (or finished making) the identity */
    char warning[1024];           /* "" or a sentence for the admin screen */
} dh_Kiosk;

/* Load the kiosk identity from dir, creating dir (0700) and the identity on
 * first run. Problems that can be repaired safely are repaired and reported
 * in k->warning (a key readable by other users is made 0600; a missing
 * kiosk.pub is written again from the secret key; an identity whose first
 * run was interrupted before kiosk.json was written is completed). Anything
 * else (missing or encrypted key, mismatched pair, malformed kiosk.json) is
 * an error that says what is wrong and how to fix it. Call dh_kiosk_wipe
 * when done with k. */
dh_Status dh_kiosk_open(dh_Kiosk *k, const char *dir, dh_Error *err);
/* Wipe the secret key and zero k; NULL is a no-op. */
void dh_kiosk_wipe(dh_Kiosk *k);

/* ---- configuration (the other members of kiosk.json) ------------------------------
 *
 * Next to the identity, kiosk.json holds what a training officer sets for
 * the station (STORE.md documents every member):
 *   "site": "Signal School, room 2"          where the kiosk stands (may be "")
 *   "programme": "https://example.org/prog"  programme IRI: trainee accounts are
 *                                            <programme>/kiosks/<kiosk id>, activity
 *                                            ids start with <programme>
 *   "language": "en"                         the attract and sign-in screens' language
 *   "idle_timeout_s": 180                    30..3600: sign a silent trainee out
 *   "trusted_keys": "trusted-keys"           folder of minisign .pub files, or a file
 *                                            of keys (one per line); relative to the
 *                                            data directory
 *   "medium": "/media/usb"                   removable media folder for installs and
 *                                            exports ("" : typed on the admin screen)
 * A member that is missing takes its default and the defaults are written
 * back (so a first run leaves a complete file to edit); a member that is
 * wrong is an error at its line and column saying what to write instead.
 * The identity members are never touched. */

#define DH_KIOSK_IDLE_DEFAULT_S 180
#define DH_KIOSK_IDLE_MIN_S 30
#define DH_KIOSK_IDLE_MAX_S 3600
#define DH_KIOSK_PROGRAMME_DEFAULT "https://drillhall.example/programme"
#define DH_KIOSK_TRUSTED_DEFAULT "trusted-keys"
#define DH_KIOSK_SITE_MAX 100       /* characters of "site" */
#define DH_KIOSK_PROGRAMME_MAX 1024 /* bytes of the programme IRI */
#define DH_KIOSK_TRUSTED_MAX 256    /* keys in the trusted list */

typedef struct dh_KioskConfig {
    char site[DH_KIOSK_SITE_MAX * 4 + 1];      /* UTF-8 */
    char programme[DH_KIOSK_PROGRAMME_MAX + 1]; /* no trailing '/' */
    char language[36];                         /* BCP 47 tag (dh_lang_valid) */
    int idle_timeout_s;
    char trusted_keys[1024];                   /* as written in kiosk.json */
    char trusted_path[4096];                   /* resolved against the data directory */
    char medium[1024];                         /* "" if none */
    bool wrote_defaults;                       /* missing members were written back */
} dh_KioskConfig;

/* The defaults (dir: the data directory, for trusted_path). */
void dh_kiosk_config_default(dh_KioskConfig *c, const char *dir);
/* Read and validate the configuration members of dir/kiosk.json (written
 * by dh_kiosk_open). Problems go to d with line:col (unknown members are
 * warnings); any error makes the call fail with DH_EINVALID and err holding
 * the first. Missing members take their defaults and are written back
 * atomically (the default trusted-keys folder is created, mode 0755). */
dh_Status dh_kiosk_config_load(dh_KioskConfig *c, const char *dir, dh_Diags *d, dh_Error *err);
/* Check c's values as the loader would; DH_EINVAL with a sentence naming
 * the member. */
dh_Status dh_kiosk_config_check(const dh_KioskConfig *c, dh_Error *err);
/* Write c's members into dir/kiosk.json atomically, keeping every other
 * member (the identity) as it is. */
dh_Status dh_kiosk_config_save(const dh_KioskConfig *c, const char *dir, dh_Error *err);

/* The keys a kiosk trusts to sign course packages. */
typedef struct dh_TrustedKeys {
    dh_PublicKey *keys;   /* n keys, contiguous (dh_package_open_verified's list) */
    char (*names)[128];   /* names[i]: the .pub file name, or "file:line" in a key list */
    int n;
} dh_TrustedKeys;

/* Load the trusted keys from path: a folder (every regular *.pub file in
 * it, in name order) or a file (one key per line, as minisign -P takes it,
 * or whole .pub files one after another; '#' lines are comments). A key
 * that cannot be read, or repeats another, is a warning in d and skipped; a
 * path that does not exist gives no keys and a warning (a kiosk that trusts
 * nobody runs no course, and its cards say why). Errors: out of memory, an
 * unreadable folder. Free with dh_kiosk_trusted_free. */
dh_Status dh_kiosk_trusted_load(dh_TrustedKeys *t, const char *path, dh_Diags *d, dh_Error *err);
/* Index of the key with this key id, or -1. */
int dh_kiosk_trusted_find(const dh_TrustedKeys *t, const uint8_t keyid[DH_SIG_KEYID_BYTES]);
/* Free and zero; NULL is a no-op. */
void dh_kiosk_trusted_free(dh_TrustedKeys *t);

#endif
