/* test_admin: the admin PIN, its lockout, the admin log and the summaries.
 *
 * The PIN is what keeps trainees out of the admin screen, so these tests
 * walk every path an attacker would try: no PIN set, wrong PINs until the
 * pad locks, the right PIN during a lock, restarting the kiosk to reset the
 * count, setting the clock back; and prove the log records each try and
 * cannot be edited. The summaries are checked against a store with known
 * trainees and attempts.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "admin.h"
#include "alloc.h"
#include "store.h"
#include "store_fixture.h"

#include <stdio.h>
#include <string.h>

#define PIN "482913"
#define T0 1800000000000LL /* a wall time in ms */

typedef struct LogCtx {
    int n;
    char actions[64][DH_ADMIN_ACTION_MAX + 1];
    dh_AdminOutcome outcomes[64];
    char details[64][200];
} LogCtx;

static dh_Status collect_log(const dh_AdminLogEntry *e, void *ctx, dh_Error *err)
{
    (void)err;
    LogCtx *l = ctx;
    if (l->n < 64) {
        snprintf(l->actions[l->n], sizeof l->actions[l->n], "%s", e->action);
        l->outcomes[l->n] = e->outcome;
        snprintf(l->details[l->n], sizeof l->details[l->n], "%s", e->detail);
        l->n++;
    }
    return DH_OK;
}

static void test_pin_rules(void **state)
{
    (void)state;
    char why[128];
    assert_true(dh_admin_pin_valid("123456", why, sizeof why));
    assert_true(dh_admin_pin_valid("123456789012", why, sizeof why));
    assert_false(dh_admin_pin_valid("12345", why, sizeof why));
    assert_non_null(strstr(why, "6 to 12 digits, not 5"));
    assert_false(dh_admin_pin_valid("1234567890123", why, sizeof why));
    assert_false(dh_admin_pin_valid("12345a", why, sizeof why));
    assert_non_null(strstr(why, "digits only"));
    assert_false(dh_admin_pin_valid("", NULL, 0));
    assert_int_equal(dh_admin_lock_ms(0), 0);
    assert_int_equal(dh_admin_lock_ms(1), 60000);
    assert_int_equal(dh_admin_lock_ms(2), 120000);
    assert_int_equal(dh_admin_lock_ms(3), 240000);
    assert_int_equal(dh_admin_lock_ms(7), 3600000); /* 64 min capped at 60 */
    assert_int_equal(dh_admin_lock_ms(100), 3600000);
}

static void test_no_pin(void **state)
{
    (void)state;
    dh_Store *s = open_ok(root, NULL);
    dh_Error err = {0};
    dh_AdminPinState ps;
    assert_int_equal(dh_admin_pin_state(s, T0, &ps, &err), DH_OK);
    assert_false(ps.set);
    dh_PinVerdict v;
    assert_int_equal(dh_admin_pin_check(s, "000000", T0, &v, &ps, &err), DH_OK);
    assert_int_equal(v, DH_PIN_UNSET);
    /* a PIN that breaks the rules is never stored */
    expect(dh_admin_pin_set(s, "1234", T0, &err), DH_EINVAL, &err, "6 to 12 digits");
    assert_int_equal(dh_admin_pin_state(s, T0, &ps, &err), DH_OK);
    assert_false(ps.set);
    LogCtx log = {0};
    assert_int_equal(dh_admin_log_each(s, 0, collect_log, &log, &err), DH_OK);
    assert_int_equal(log.n, 1);
    assert_string_equal(log.actions[0], "pin.check");
    assert_int_equal(log.outcomes[0], DH_ADMIN_REFUSED);
    assert_string_equal(log.details[0], "no admin PIN is set");
    dh_store_close(s);
}

static void check(dh_Store *s, const char *pin, int64_t now, dh_PinVerdict want, int tries_left,
                  bool locked)
{
    dh_Error err = {0};
    dh_PinVerdict v;
    dh_AdminPinState ps;
    assert_int_equal(dh_admin_pin_check(s, pin, now, &v, &ps, &err), DH_OK);
    assert_int_equal(v, want);
    assert_int_equal(ps.tries_left, tries_left);
    assert_int_equal(ps.locked_ms_left > 0, locked);
}

static void test_lockout(void **state)
{
    (void)state;
    dh_Store *s = open_ok(root, NULL);
    dh_Error err = {0};
    assert_int_equal(dh_admin_pin_set(s, PIN, T0, &err), DH_OK);
    /* The stored text is an Argon2id hash, never the PIN. */
    char db[600];
    sqlite3 *raw = raw_open(in_root(db, sizeof db, "progress.db"));
    assert_int_equal(raw_int(raw, "SELECT hash LIKE '$argon2id$%' FROM admin_pin"), 1);
    assert_int_equal(raw_int(raw, "SELECT instr(hash, '" PIN "') FROM admin_pin"), 0);
    sqlite3_close(raw);

    check(s, PIN, T0, DH_PIN_RIGHT, 5, false);
    for (int i = 1; i <= 4; i++) check(s, "000000", T0 + i, DH_PIN_WRONG, 5 - i, false);
    /* the fifth wrong try locks the pad for a minute */
    check(s, "111111", T0 + 5, DH_PIN_WRONG, 0, true);
    dh_AdminPinState ps;
    assert_int_equal(dh_admin_pin_state(s, T0 + 5, &ps, &err), DH_OK);
    assert_int_equal(ps.locked_ms_left, 60000);
    assert_int_equal(ps.lockouts, 1);
    /* while locked even the right PIN is not checked */
    check(s, PIN, T0 + 30000, DH_PIN_LOCKED, 0, true);
    /* a restart resets nothing */
    dh_store_close(s);
    s = open_ok(root, NULL);
    assert_int_equal(dh_admin_pin_state(s, T0 + 40000, &ps, &err), DH_OK);
    assert_true(ps.set);
    assert_int_equal(ps.locked_ms_left, 60000 - 40000 + 5);
    /* after the lock: five fresh tries, and the next lock is twice as long */
    int64_t t = T0 + 60005;
    assert_int_equal(dh_admin_pin_state(s, t, &ps, &err), DH_OK);
    assert_int_equal(ps.tries_left, 5);
    assert_int_equal(ps.locked_ms_left, 0);
    for (int i = 1; i <= 4; i++) check(s, "222222", t, DH_PIN_WRONG, 5 - i, false);
    check(s, "222222", t, DH_PIN_WRONG, 0, true);
    assert_int_equal(dh_admin_pin_state(s, t, &ps, &err), DH_OK);
    assert_int_equal(ps.locked_ms_left, 120000);
    assert_int_equal(ps.lockouts, 2);
    /* the clock set back a day: the lock ends at most an hour from now */
    assert_int_equal(dh_admin_pin_state(s, t - 86400000LL, &ps, &err), DH_OK);
    assert_int_equal(ps.locked_ms_left, DH_ADMIN_LOCK_MAX_MS);
    /* the right PIN after the lock clears everything */
    t += 120000;
    check(s, PIN, t, DH_PIN_RIGHT, 5, false);
    assert_int_equal(dh_admin_pin_state(s, t, &ps, &err), DH_OK);
    assert_int_equal(ps.lockouts, 0);
    assert_int_equal(ps.failed, 0);

    /* a changed PIN replaces the old one */
    assert_int_equal(dh_admin_pin_set(s, "90817263", t, &err), DH_OK);
    check(s, PIN, t, DH_PIN_WRONG, 4, false);
    check(s, "90817263", t, DH_PIN_RIGHT, 5, false);

    /* every try is in the log, newest first */
    LogCtx log = {0};
    assert_int_equal(dh_admin_log_each(s, 0, collect_log, &log, &err), DH_OK);
    assert_int_equal(log.n, 1 + 1 + 5 + 1 + 5 + 1 + 1 + 1 + 2); /* + the clock settled once */
    assert_string_equal(log.actions[0], "pin.check");
    assert_int_equal(log.outcomes[0], DH_ADMIN_OK);
    assert_int_equal(log.outcomes[1], DH_ADMIN_FAILED);
    assert_string_equal(log.actions[2], "pin.set");
    assert_string_equal(log.details[2], "the admin PIN was changed");
    assert_string_equal(log.details[log.n - 1], "the admin PIN was set");
    bool saw_clock = false;
    for (int i = 0; i < log.n; i++) saw_clock |= strcmp(log.actions[i], "pin.clock") == 0;
    assert_true(saw_clock);
    bool saw_lock = false, saw_refused = false;
    for (int i = 0; i < log.n; i++) {
        saw_lock |= strstr(log.details[i], "the pad is locked for 120 s") != NULL;
        saw_refused |= log.outcomes[i] == DH_ADMIN_REFUSED;
    }
    assert_true(saw_lock);
    assert_true(saw_refused);
    LogCtx two = {0};
    assert_int_equal(dh_admin_log_each(s, 2, collect_log, &two, &err), DH_OK);
    assert_int_equal(two.n, 2);
    dh_store_close(s);

    /* the log cannot be edited or deleted, whatever program opens the file */
    raw = raw_open(db);
    assert_int_not_equal(raw_rc(raw, "DELETE FROM admin_log"), SQLITE_OK);
    assert_int_not_equal(raw_rc(raw, "UPDATE admin_log SET outcome = 'ok'"), SQLITE_OK);
    sqlite3_close(raw);
}

static void test_log(void **state)
{
    (void)state;
    dh_Store *s = open_ok(root, NULL);
    dh_Error err = {0};
    expect(dh_admin_log(s, T0, "", DH_ADMIN_OK, NULL, &err), DH_EINVAL, &err, "1-64 bytes");
    /* a long detail is cut at a character boundary */
    char detail[DH_ADMIN_DETAIL_MAX + 100];
    size_t n = 0;
    while (n + 3 < sizeof detail - 1) {
        memcpy(detail + n, "\xe0\xb8\x81", 3); /* Thai ko kai */
        n += 3;
    }
    detail[n] = '\0';
    assert_int_equal(dh_admin_log(s, T0, "export", DH_ADMIN_FAILED, detail, &err), DH_OK);
    char db[600];
    sqlite3 *raw = raw_open(in_root(db, sizeof db, "progress.db"));
    assert_int_equal(raw_int(raw, "SELECT length(CAST(detail AS BLOB)) FROM admin_log"), 999);
    assert_int_equal(raw_int(raw, "SELECT at_ms = 1800000000000 FROM admin_log"), 1);
    sqlite3_close(raw);
    dh_store_close(s);
}

static void set_status(dh_Store *s, const char *registration, dh_ProgressStatus status)
{
    dh_AttemptProgress ap = {status, false, 0, 1000};
    dh_StoreChange ch = {registration, NULL, 0, &ap, NULL, 0};
    dh_Error err = {0};
    assert_int_equal(dh_store_commit(s, &ch, &err), DH_OK);
}

static dh_Enrolment enrol(dh_Store *s, const char *trainee, const char *course, const char *version)
{
    dh_Enrolment e;
    dh_Error err = {0};
    assert_int_equal(dh_store_enrol(s, trainee, course, version, &e, &err), DH_OK);
    return e;
}

typedef struct SumCtx {
    int n;
    dh_AdminCourse c[8];
    char ids[8][64];
} SumCtx;

static dh_Status collect_course(const dh_AdminCourse *c, void *ctx, dh_Error *err)
{
    (void)err;
    SumCtx *sc = ctx;
    sc->c[sc->n] = *c;
    snprintf(sc->ids[sc->n], sizeof sc->ids[sc->n], "%s", c->course_id);
    sc->c[sc->n].course_id = sc->ids[sc->n];
    sc->n++;
    return DH_OK;
}

static void test_summary(void **state)
{
    (void)state;
    dh_Store *s = open_ok(root, NULL);
    dh_Error err = {0};
    int64_t clock = T0;
    dh_store_set_clock(s, fixed_clock, &clock);
    make_trainee(s, "A");
    make_trainee(s, "B");
    make_trainee(s, "C");
    make_trainee(s, "D"); /* registered, never started anything */
    /* A passed 1.0 and is in the middle of 1.1: counts once, in progress */
    set_status(s, enrol(s, "A", "org.x", "1.0.0").registration, DH_PROGRESS_PASSED);
    clock += 1000;
    set_status(s, enrol(s, "A", "org.x", "1.1.0").registration, DH_PROGRESS_IN_PROGRESS);
    clock += 1000;
    set_status(s, enrol(s, "B", "org.x", "1.0.0").registration, DH_PROGRESS_PASSED);
    set_status(s, enrol(s, "C", "org.x", "1.0.0").registration, DH_PROGRESS_FAILED);
    set_status(s, enrol(s, "C", "org.y", "2.0.0").registration, DH_PROGRESS_COMPLETED);
    enrol(s, "D", "org.y", "2.0.0"); /* enrolled but never launched: not counted */

    int trainees;
    SumCtx sc = {0};
    assert_int_equal(dh_admin_summary(s, &trainees, collect_course, &sc, &err), DH_OK);
    assert_int_equal(trainees, 4);
    assert_int_equal(sc.n, 2);
    assert_string_equal(sc.ids[0], "org.x");
    assert_int_equal(sc.c[0].trainees, 3);
    assert_int_equal(sc.c[0].passed, 1);
    assert_int_equal(sc.c[0].completed, 1);
    assert_int_equal(sc.c[0].failed, 1);
    assert_int_equal(sc.c[0].in_progress, 1);
    assert_string_equal(sc.ids[1], "org.y");
    assert_int_equal(sc.c[1].trainees, 1);
    assert_int_equal(sc.c[1].completed, 1);

    int unfinished;
    assert_int_equal(dh_admin_unfinished(s, "org.x", "1.1.0", &unfinished, &err), DH_OK);
    assert_int_equal(unfinished, 1);
    assert_int_equal(dh_admin_unfinished(s, "org.x", "1.0.0", &unfinished, &err), DH_OK);
    assert_int_equal(unfinished, 0);
    /* a new attempt that is in progress counts; the finished earlier one does not */
    dh_Enrolment again;
    assert_int_equal(dh_store_new_attempt(s, "B", "org.x", "1.0.0", &again, &err), DH_OK);
    set_status(s, again.registration, DH_PROGRESS_IN_PROGRESS);
    assert_int_equal(dh_admin_unfinished(s, "org.x", "1.0.0", &unfinished, &err), DH_OK);
    assert_int_equal(unfinished, 1);

    /* the trainees behind an export's statements */
    dh_Enrolment a = enrol(s, "A", "org.x", "1.1.0");
    assert_int_equal(commit_answer(s, a.registration, 1, 0, &err), DH_OK);
    assert_int_equal(commit_answer(s, a.registration, 2, 0, &err), DH_OK);
    dh_Enrolment c = enrol(s, "C", "org.y", "2.0.0");
    assert_int_equal(commit_answer(s, c.registration, 3, 0, &err), DH_OK);
    int64_t marked, n;
    assert_int_equal(dh_store_statements_mark_exported(s, 1, 3, "drillhall-test", &marked, &err), DH_OK);
    assert_int_equal(marked, 3);
    assert_int_equal(dh_admin_export_trainees(s, "drillhall-test", &n, &err), DH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(dh_admin_export_trainees(s, "none", &n, &err), DH_OK);
    assert_int_equal(n, 0);
    dh_store_close(s);
}

int main(void)
{
    dh_alloc_install();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pin_rules),
        cmocka_unit_test_setup_teardown(test_no_pin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lockout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
