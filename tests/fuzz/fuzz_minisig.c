/* fuzz_minisig: the minisign parsers of signature.c on hostile bytes.
 *
 * Signature and key files arrive on removable media next to the packages
 * they vouch for, so whoever crafts a package also crafts them. Each input is
 * read as a signature file (then verified against a fixed minisign key and
 * message, so mutations of a valid signature reach the crypto checks), as a
 * public key, and as a secret key without a password (an encrypted key stops
 * before scrypt: hostile scrypt limits must not turn fuzzing into a hang).
 * The seed corpus holds files made by minisign 0.11 itself.
 */
#include "alloc.h"
#include "signature.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The key and message of the .minisig files in the corpus (minisign -G -W). */
static const char KEY[] = "RWRqg38SUxLLmN1g22DMwwVkbapulqkiXaoVVreGB9l2CRTrrjSIOc5r";
static const char MSG[] = "Drillhall signature test vector\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    dh_Error err;
    dh_PublicKey pk, fixed;
    dh_SecretKey sk;
    dh_Signature s;
    char tc[DH_SIG_TRUSTED_MAX + 1];

    if (dh_sig_public_parse(&fixed, KEY, strlen(KEY), "key", &err) != DH_OK) return 0;
    if (dh_sig_signature_parse(&s, text, size, "fuzz.minisig", &err) == DH_OK) {
        DH_ASSERT(s.trusted_comment && strlen(s.trusted_comment) <= DH_SIG_TRUSTED_MAX);
        (void)dh_sig_verify_parsed(&s, MSG, strlen(MSG), &fixed, &err);
        /* Verify against the key the signature names, so the comment check runs too. */
        memcpy(fixed.keyid, s.keyid, sizeof fixed.keyid);
        (void)dh_sig_verify_parsed(&s, MSG, strlen(MSG), &fixed, &err);
        dh_sig_signature_free(&s);
    }
    if (dh_sig_verify_memory(MSG, strlen(MSG), text, size, &fixed, tc, sizeof tc, &err) == DH_OK)
        DH_ASSERT(strlen(tc) <= DH_SIG_TRUSTED_MAX);
    if (dh_sig_public_parse(&pk, text, size, "fuzz.pub", &err) == DH_OK) {
        char b64[DH_SIG_PUBLIC_B64], hex[DH_SIG_KEYID_HEX];
        dh_sig_public_base64(&pk, b64);
        dh_sig_keyid_hex(pk.keyid, hex);
        /* What we write back must parse to the same key. */
        dh_PublicKey again;
        DH_ASSERT(dh_sig_public_parse(&again, b64, strlen(b64), "again", &err) == DH_OK);
        DH_ASSERT(memcmp(&again, &pk, sizeof pk) == 0);
    }
    if (dh_sig_secret_parse(&sk, text, size, "fuzz.key", NULL, &err) == DH_OK)
        dh_sig_secret_wipe(&sk);
    return 0;
}
