/* admin: the rules of the admin PIN over the row store_admin.c keeps.
 *
 * Checking is: refuse while locked (without even hashing, so a locked pad
 * costs an attacker nothing and tells them nothing), else verify with
 * crypto_pwhash_str_verify, then count. The verdict and the new count are
 * written with their log entry in one transaction before the caller learns
 * the verdict, so pulling the plug right after a wrong try cannot earn a
 * free one. Copies of the PIN are wiped as soon as they are used.
 */
#include "admin.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

bool dh_admin_pin_valid(const char *pin, char *why, size_t size)
{
    size_t n = 0;
    for (const char *p = pin; *p; p++, n++) {
        if (*p < '0' || *p > '9') {
            if (why) snprintf(why, size, "an admin PIN is made of digits only (0-9)");
            return false;
        }
    }
    if (n < DH_ADMIN_PIN_MIN || n > DH_ADMIN_PIN_MAX) {
        if (why)
            snprintf(why, size, "an admin PIN has %d to %d digits, not %zu", DH_ADMIN_PIN_MIN,
                     DH_ADMIN_PIN_MAX, n);
        return false;
    }
    return true;
}

int64_t dh_admin_lock_ms(int n)
{
    if (n < 1) return 0;
    int64_t ms = DH_ADMIN_LOCK_FIRST_MS;
    for (int i = 1; i < n && ms < DH_ADMIN_LOCK_MAX_MS; i++) ms *= 2;
    return ms < DH_ADMIN_LOCK_MAX_MS ? ms : DH_ADMIN_LOCK_MAX_MS;
}

const char *dh_admin_outcome_name(dh_AdminOutcome o)
{
    switch (o) {
    case DH_ADMIN_OK: return "ok";
    case DH_ADMIN_FAILED: return "failed";
    case DH_ADMIN_REFUSED: break;
    }
    return "refused";
}

/* A lock reaching past one longest lockout from now means the clock went
 * back (a kiosk without a clock battery boots in 1970 or 2000): bring the
 * stored lock to one longest lockout from now, for good, so the pad opens
 * then rather than when the wall clock catches up. */
static dh_Status settle_clock(dh_Store *s, dh_AdminPinRow *row, int64_t now_ms, dh_Error *err)
{
    if (row->locked_until_ms <= now_ms + DH_ADMIN_LOCK_MAX_MS) return DH_OK;
    row->locked_until_ms = now_ms + DH_ADMIN_LOCK_MAX_MS;
    return dh_store_admin_pin_put(s, row, now_ms, "pin.clock", DH_ADMIN_OK,
                                  "the clock was set back: the lock now ends one longest lockout from now",
                                  err);
}

static void state_of(const dh_AdminPinRow *row, int64_t now_ms, dh_AdminPinState *out)
{
    memset(out, 0, sizeof *out);
    out->set = row->hash[0] != '\0';
    out->failed = row->failed;
    out->lockouts = row->lockouts;
    int64_t until = row->locked_until_ms;
    /* A lock reaching further than the longest lockout means the clock was
     * set back since it began: it ends one longest lockout from now. */
    if (until > now_ms + DH_ADMIN_LOCK_MAX_MS) until = now_ms + DH_ADMIN_LOCK_MAX_MS;
    if (until > now_ms) {
        out->locked_until_ms = until;
        out->locked_ms_left = until - now_ms;
    }
    out->tries_left = out->locked_ms_left > 0        ? 0
                      : row->failed >= DH_ADMIN_TRIES ? 1 /* damaged count: one more try */
                                                      : DH_ADMIN_TRIES - row->failed;
}

dh_Status dh_admin_pin_state(dh_Store *s, int64_t now_ms, dh_AdminPinState *out, dh_Error *err)
{
    dh_AdminPinRow row;
    dh_Status st = dh_store_admin_pin_get(s, &row, err);
    if (!st) st = settle_clock(s, &row, now_ms, err);
    if (st) {
        memset(out, 0, sizeof *out);
        return st;
    }
    state_of(&row, now_ms, out);
    return DH_OK;
}

dh_Status dh_admin_pin_set(dh_Store *s, const char *pin, int64_t now_ms, dh_Error *err)
{
    char why[128];
    if (!dh_admin_pin_valid(pin, why, sizeof why)) return dh_fail(err, DH_EINVAL, "%s", why);
    if (sodium_init() < 0) return dh_fail(err, DH_EIO, "cannot start libsodium");
    dh_AdminPinRow row;
    memset(&row, 0, sizeof row);
    if (crypto_pwhash_str(row.hash, pin, strlen(pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return dh_fail(err, DH_ENOMEM,
                       "cannot hash the PIN: Argon2id needs %zu MiB of memory and did not get it",
                       (size_t)(crypto_pwhash_MEMLIMIT_INTERACTIVE >> 20));
    dh_AdminPinRow old;
    dh_Error ignored;
    bool had = dh_store_admin_pin_get(s, &old, &ignored) == DH_OK && old.hash[0];
    return dh_store_admin_pin_put(s, &row, now_ms, "pin.set", DH_ADMIN_OK,
                                  had ? "the admin PIN was changed" : "the admin PIN was set",
                                  err);
}

dh_Status dh_admin_pin_check(dh_Store *s, const char *pin, int64_t now_ms, dh_PinVerdict *verdict,
                             dh_AdminPinState *after, dh_Error *err)
{
    dh_AdminPinRow row;
    dh_AdminPinState state, dummy;
    if (!after) after = &dummy;
    memset(after, 0, sizeof *after);
    *verdict = DH_PIN_LOCKED;
    dh_Status st = dh_store_admin_pin_get(s, &row, err);
    if (!st && row.hash[0]) st = settle_clock(s, &row, now_ms, err);
    if (st) return st;
    state_of(&row, now_ms, &state);
    if (!state.set) {
        *verdict = DH_PIN_UNSET;
        *after = state;
        return dh_admin_log(s, now_ms, "pin.check", DH_ADMIN_REFUSED, "no admin PIN is set", err);
    }
    if (state.locked_ms_left > 0) {
        *verdict = DH_PIN_LOCKED;
        *after = state;
        char detail[96];
        snprintf(detail, sizeof detail, "the pad is locked for %lld more seconds",
                 (long long)((state.locked_ms_left + 999) / 1000));
        return dh_admin_log(s, now_ms, "pin.check", DH_ADMIN_REFUSED, detail, err);
    }
    if (sodium_init() < 0) return dh_fail(err, DH_EIO, "cannot start libsodium");
    bool right = crypto_pwhash_str_verify(row.hash, pin, strlen(pin)) == 0;
    char detail[96];
    if (right) {
        row.failed = 0;
        row.lockouts = 0;
        row.locked_until_ms = 0;
        snprintf(detail, sizeof detail, "right PIN");
    } else {
        row.failed++;
        if (row.failed >= DH_ADMIN_TRIES) {
            row.lockouts++;
            row.locked_until_ms = now_ms + dh_admin_lock_ms(row.lockouts);
            snprintf(detail, sizeof detail, "wrong PIN, %d in a row: the pad is locked for %lld s",
                     row.failed, (long long)(dh_admin_lock_ms(row.lockouts) / 1000));
            row.failed = 0; /* the lock ending gives a fresh round of tries */
        } else {
            snprintf(detail, sizeof detail, "wrong PIN (%d of %d)", row.failed, DH_ADMIN_TRIES);
        }
    }
    st = dh_store_admin_pin_put(s, &row, now_ms, "pin.check", right ? DH_ADMIN_OK : DH_ADMIN_FAILED,
                                detail, err);
    if (st) return st;
    state_of(&row, now_ms, after);
    *verdict = right ? DH_PIN_RIGHT : DH_PIN_WRONG;
    return DH_OK;
}
