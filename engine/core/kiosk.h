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
#include "uuid.h"

#include <stdbool.h>

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

#endif
