/* uuid: v4 UUIDs from libsodium's random bytes.
 *
 * sodium_init() is idempotent and cheap after the first call, so it is made
 * here rather than trusting every caller to have done it; randombytes_buf
 * cannot fail on Linux (it blocks until the kernel pool is seeded), which is
 * why dh_uuid_v4 has no status to return.
 */
#include "uuid.h"

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

void dh_uuid_from_bytes(char out[DH_UUID_LEN + 1], const unsigned char bytes[16])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    for (int i = 0; i < 16; i++) b[i] = bytes[i];
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 0x0f];
    }
    out[o] = '\0';
}

void dh_uuid_v4(char out[DH_UUID_LEN + 1])
{
    unsigned char b[16];
    /* A failed init leaves randombytes on its default implementation, which
     * still reads the kernel's generator; nothing better is available. */
    if (sodium_init() < 0) { /* fall through: randombytes still works */ }
    randombytes_buf(b, sizeof b);
    dh_uuid_from_bytes(out, b);
    sodium_memzero(b, sizeof b);
}

void dh_uuid_random(void *ctx, char out[DH_UUID_LEN + 1])
{
    (void)ctx;
    dh_uuid_v4(out);
}

void dh_uuid_counter(void *ctx, char out[DH_UUID_LEN + 1])
{
    uint64_t *n = ctx;
    uint64_t v = ++*n;
    unsigned char b[16] = {0};
    for (int i = 15; i >= 10; i--, v >>= 8) b[i] = (unsigned char)(v & 0xff);
    dh_uuid_from_bytes(out, b);
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool dh_uuid_valid(const char *s)
{
    if (!s) return false;
    for (size_t i = 0; i < DH_UUID_LEN; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
    }
    return s[DH_UUID_LEN] == '\0';
}
