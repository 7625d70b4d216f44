/* uuid: random (version 4) UUIDs for statement ids, registrations and kiosks.
 *
 * xAPI wants every statement id and every registration to be a UUID, and the
 * kiosk identity is one too. They must not collide across kiosks that never
 * talk to each other, so the 122 random bits come from libsodium's CSPRNG
 * (getrandom on Linux), never from rand() or the clock. The text form is the
 * canonical lower-case 8-4-4-4-12 that xAPI and SQLite keys both use.
 */
#ifndef DH_UUID_H
#define DH_UUID_H

#include <stdbool.h>

#define DH_UUID_LEN 36 /* characters, without the terminating NUL */

/* Write a fresh random v4 UUID, lower-case with hyphens, NUL-terminated. */
void dh_uuid_v4(char out[DH_UUID_LEN + 1]);
/* Format 16 bytes as a v4 UUID, forcing the version and variant bits: lets
 * tests and deterministic generators produce well-formed ids from any bytes. */
void dh_uuid_from_bytes(char out[DH_UUID_LEN + 1], const unsigned char bytes[16]);
/* A UUID source, so that code which mints ids (statements, registrations)
 * can be given a predictable one in golden tests. ctx is the source's state. */
typedef void (*dh_UuidFn)(void *ctx, char out[DH_UUID_LEN + 1]);
/* dh_UuidFn for production: ignores ctx and calls dh_uuid_v4. */
void dh_uuid_random(void *ctx, char out[DH_UUID_LEN + 1]);
/* dh_UuidFn for tests only: ctx points to a uint64_t that is incremented
 * first, then written as the last 12 hex digits of an otherwise fixed v4 UUID
 * ("00000000-0000-4000-8000-000000000001", ...). */
void dh_uuid_counter(void *ctx, char out[DH_UUID_LEN + 1]);
/* True if s is a canonical UUID (any version, 8-4-4-4-12 hex, either case). */
bool dh_uuid_valid(const char *s);

#endif
