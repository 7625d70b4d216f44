/* fuzz_json: one JSON text through the position-keeping parser and then
 * through every module parser (lesson, quiz, scenario) as if it were that
 * kind of file, with a course context of two languages. Nothing may crash,
 * leak or read out of bounds, whatever the text. */
#include "arena.h"
#include "diag.h"
#include "json.h"
#include "lesson.h"
#include "load.h"
#include "quiz.h"
#include "scenario.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const langs[] = {"en", "th"};
    dh_Json doc;
    dh_Diags d;
    dh_diags_init(&d);
    if (dh_json_parse(&doc, "fuzz.json", (const char *)data, size, &d) == DH_OK) {
        dh_Arena arena;
        dh_arena_init(&arena);
        dh_LoadCtx c = {&arena, &d, &doc, NULL, langs, 2, false};
        dh_Lesson *lesson;
        dh_Quiz *quiz;
        dh_Scenario *scenario;
        dh_lesson_parse(&c, doc.root, &lesson);
        dh_quiz_parse(&c, doc.root, &quiz);
        dh_scenario_parse(&c, doc.root, &scenario);
        dh_arena_free(&arena);
    }
    dh_json_free(&doc);
    dh_diags_free(&d);
    return 0;
}
