/* test_course: the course loader on the sample course (model values), and
 * the loader's behaviour when memory runs out at every possible point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "course.h"
#include "lesson.h"
#include "package.h"

#include <stdio.h>
#include <string.h>

#define SAMPLE DH_SOURCE_DIR "/courses/awareness-essentials"

static int setup(void **state)
{
    (void)state;
    dh_Error err;
    return dh_package_init(NULL, &err) == DH_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    dh_package_deinit();
    return 0;
}

static void test_sample_model(void **state)
{
    (void)state;
    dh_Error err;
    dh_Package *pkg;
    assert_int_equal(dh_package_open(&pkg, SAMPLE, &err), DH_OK);
    dh_Diags d;
    dh_diags_init(&d);
    dh_Course *c;
    assert_int_equal(dh_course_load(&c, pkg, &d), DH_OK);
    if (d.count) dh_diags_print(&d, stderr, "sample");
    assert_int_equal(d.errors, 0);
    assert_int_equal(d.warnings, 0);
    assert_true(c->ok);
    assert_string_equal(c->id, "org.drillhall.samples.awareness-essentials");
    assert_int_equal(c->semver[0], 1);
    assert_int_equal(c->nlanguages, 1);
    assert_string_equal(c->languages[0], "en");
    assert_int_equal(c->move_on, DH_MOVEON_COMPLETED_AND_PASSED);
    assert_true(c->mastery_score > 0.79 && c->mastery_score < 0.81);
    assert_int_equal(c->nmodules, 6);
    int check = dh_course_module_index(c, "check");
    assert_true(check >= 0);
    assert_int_equal(c->modules[check].kind, DH_MODULE_QUIZ);
    assert_int_equal(c->modules[check].nprereqs, 4);
    assert_non_null(c->modules[check].u.quiz);
    const dh_Module *ph = &c->modules[dh_course_module_index(c, "phishing")];
    assert_non_null(ph->u.lesson);
    assert_true(ph->u.lesson->npages >= 3);
    assert_string_equal(dh_text_get(&ph->title, "th", "en"), dh_text_get(&ph->u.lesson->title, "en", "en"));
    const dh_Module *drill = &c->modules[dh_course_module_index(c, "drill")];
    assert_false(drill->required);
    assert_non_null(drill->u.scenario);
    dh_course_free(c);
    dh_diags_free(&d);
    dh_package_close(pkg);
}

/* Load the sample course with the Nth allocation failing, for every N until
 * a load succeeds: each run must end in DH_ENOMEM or success, never a crash,
 * and (under the asan preset) never a leak. */
static void test_every_allocation_failure(void **state)
{
    (void)state;
    long n;
    int enomem = 0;
    for (n = 1; n < 200000; n++) {
        dh_Error err;
        dh_Package *pkg = NULL;
        dh_Diags d;
        dh_Course *c = NULL;
        dh_diags_init(&d);
        dh_alloc_fail_after(n);
        dh_Status st = dh_package_open(&pkg, SAMPLE, &err);
        if (st == DH_OK) st = dh_course_load(&c, pkg, &d);
        bool complete = st == DH_OK && !d.oom;
        dh_alloc_fail_after(0);
        dh_course_free(c);
        dh_diags_free(&d);
        dh_package_close(pkg);
        if (complete && dh_alloc_count() < n) break; /* nothing failed: done */
        if (st != DH_OK) {
            if (st != DH_ENOMEM) fail_msg("allocation %ld failed but the status was %s (%s)", n, dh_status_name(st), err.msg);
            enomem++;
        }
    }
    printf("# loaded the sample course with each of the first %ld allocations failing (%d ended in ENOMEM)\n", n,
           enomem);
    assert_true(n > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_model),
        cmocka_unit_test(test_every_allocation_failure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
