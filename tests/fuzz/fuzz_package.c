/* fuzz_package: any bytes as a course package held in memory.
 *
 * The input goes through dh_package_open_memory, which is the scanner of
 * zip.c followed by a PhysicsFS mount. If it is accepted, every file is read
 * (bounded, so a fuzzer cannot make us allocate what the limits allow an
 * honest package) and the manifest is verified. Whatever the bytes, this must
 * return without a crash, a leak, or an assertion: hostile archives are
 * content, and content never aborts.
 */
#include "alloc.h"
#include "diag.h"
#include "course.h"
#include "package.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define READ_MAX (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    dh_Error err;
    if (!ready) {
        if (dh_package_init(NULL, &err) != DH_OK) return 0;
        ready = true;
    }
    dh_Package *p = NULL;
    if (dh_package_open_memory(&p, data, size, "fuzz.zip", &err) != DH_OK) return 0;
    for (int i = 0; i < dh_package_count(p); i++) {
        void *buf = NULL;
        size_t len = 0;
        if (dh_package_read(p, dh_package_name(p, i), READ_MAX, &buf, &len, &err) == DH_OK)
            dh_free(buf);
    }
    dh_Diags d;
    dh_diags_init(&d);
    (void)dh_package_verify_manifest(p, &d);
    /* Then the whole course loader, so one target covers open + parse. */
    dh_Course *course = NULL;
    (void)dh_course_load(&course, p, &d);
    dh_course_free(course);
    dh_diags_free(&d);

    dh_package_close(p);
    return 0;
}
