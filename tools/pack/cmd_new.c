/* cmd_new: `drillhall-pack new DIR --id ID --title TITLE [--lang CODE]`.
 *
 * Gives an instructor a course source that already lints clean and shows the
 * shape of each file: one lesson with the common blocks and a short quiz
 * that unlocks after it. They edit from there instead of from a blank page.
 * It never writes into a directory that already has files in it.
 */
#include "pack.h"

#include "course.h"
#include "i18n.h"
#include "lint.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool dir_is_empty_or_missing(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return errno == ENOENT;
    struct dirent *e;
    bool empty = true;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) empty = false;
    closedir(d);
    return empty;
}

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fputc('\n', f) == EOF || fclose(f) != 0) {
        tool_error("new: cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int make_dir(const char *dir, const char *sub)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", dir, sub ? "/" : "", sub ? sub : "");
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        tool_error("new: cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static const char lesson_fmt[] =
    "{\n"
    "  \"title\": \"Welcome\",\n"
    "  \"pages\": [\n"
    "    {\"title\": \"About this course\",\n"
    "     \"blocks\": [\n"
    "       {\"type\": \"heading\", \"text\": %s},\n"
    "       {\"type\": \"paragraph\", \"text\": \"Replace this text with your lesson. You can write *emphasis*, **strong** words and `code`.\"},\n"
    "       {\"type\": \"list\", \"ordered\": false, \"items\": [\"A first point\", \"A second point\"]},\n"
    "       {\"type\": \"callout\", \"style\": \"tip\", \"text\": \"Callouts can be tips, warnings or policy reminders.\"}]},\n"
    "    {\"title\": \"Summary\",\n"
    "     \"blocks\": [\n"
    "       {\"type\": \"keypoints\", \"items\": [\"What a trainee should remember\"]},\n"
    "       {\"type\": \"acknowledge\", \"id\": \"ack-welcome\", \"text\": \"I have read this lesson.\"}]}\n"
    "  ]\n"
    "}";

static const char quiz_text[] =
    "{\n"
    "  \"title\": \"Check your understanding\",\n"
    "  \"settings\": {\"attempts\": 3, \"grade_method\": \"highest\", \"pass\": 0.8},\n"
    "  \"sections\": [{\"questions\": [\"q1\"]}],\n"
    "  \"questions\": [\n"
    "    {\"id\": \"q1\", \"type\": \"single\", \"text\": \"Replace this question. Which answer is right?\",\n"
    "     \"answers\": [\n"
    "       {\"id\": \"a\", \"text\": \"This one\", \"fraction\": 1, \"feedback\": \"Correct.\"},\n"
    "       {\"id\": \"b\", \"text\": \"Not this one\", \"fraction\": 0, \"feedback\": \"Not quite.\"}]}\n"
    "  ]\n"
    "}";

int cmd_new(int argc, char **argv)
{
    const char *dir = NULL, *id = NULL, *title = NULL, *lang = "en";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: drillhall-pack new DIR --id ID --title TITLE [--lang CODE]\n"
                   "Create a course source in DIR (which must be empty or missing) with one lesson\n"
                   "and one quiz that lint clean. ID is reverse-DNS style, e.g. org.example.phishing.\n");
            return 0;
        } else if (!strcmp(argv[i], "--id") && i + 1 < argc) {
            id = argv[++i];
        } else if (!strcmp(argv[i], "--title") && i + 1 < argc) {
            title = argv[++i];
        } else if (!strcmp(argv[i], "--lang") && i + 1 < argc) {
            lang = argv[++i];
        } else if (argv[i][0] != '-' && !dir) {
            dir = argv[i];
        } else {
            tool_error("new: unexpected argument '%s'", argv[i]);
            return 2;
        }
    }
    if (!dir || !id || !title) {
        tool_error("new: usage: drillhall-pack new DIR --id ID --title TITLE [--lang CODE]");
        return 2;
    }
    if (!dh_course_id_valid(id)) {
        tool_error("new: course id '%s' must be lower-case reverse-DNS style, e.g. org.example.phishing-basics", id);
        return 2;
    }
    if (!dh_lang_valid(lang)) {
        tool_error("new: '%s' is not a valid language code (e.g. en, th, km, zh-Hans)", lang);
        return 2;
    }
    if (!title[0]) {
        tool_error("new: the title must not be empty");
        return 2;
    }
    if (!dir_is_empty_or_missing(dir)) {
        tool_error("new: %s already exists and is not empty; choose a new directory", dir);
        return 2;
    }

    cJSON *course = cJSON_CreateObject();
    cJSON *langs = cJSON_CreateStringArray(&lang, 1);
    cJSON *mods = cJSON_CreateArray();
    cJSON *m1 = cJSON_CreateObject(), *m2 = cJSON_CreateObject();
    cJSON *t = cJSON_CreateString(title);
    char *course_text = NULL, *title_json = NULL, *lesson_text = NULL;
    int rc = 2;
    if (!course || !langs || !mods || !m1 || !m2 || !t) goto done;
    cJSON_AddNumberToObject(course, "format", 1);
    cJSON_AddStringToObject(course, "id", id);
    cJSON_AddStringToObject(course, "version", "0.1.0");
    cJSON_AddStringToObject(course, "title", title);
    cJSON_AddStringToObject(course, "description", "What trainees will learn, in one or two sentences.");
    cJSON_AddItemToObject(course, "languages", langs);
    langs = NULL;
    cJSON_AddNumberToObject(course, "duration_min", 15);
    cJSON_AddStringToObject(course, "moveOn", "CompletedAndPassed");
    cJSON_AddNumberToObject(course, "masteryScore", 0.8);
    cJSON_AddStringToObject(m1, "id", "welcome");
    cJSON_AddStringToObject(m1, "kind", "lesson");
    cJSON_AddStringToObject(m1, "file", "lessons/welcome.json");
    cJSON_AddBoolToObject(m1, "required", 1);
    cJSON_AddStringToObject(m2, "id", "check");
    cJSON_AddStringToObject(m2, "kind", "quiz");
    cJSON_AddStringToObject(m2, "file", "quizzes/check.json");
    cJSON_AddBoolToObject(m2, "required", 1);
    const char *pre = "welcome";
    cJSON_AddItemToObject(m2, "prerequisites", cJSON_CreateStringArray(&pre, 1));
    cJSON_AddItemToArray(mods, m1);
    cJSON_AddItemToArray(mods, m2);
    m1 = m2 = NULL;
    cJSON_AddItemToObject(course, "modules", mods);
    mods = NULL;
    cJSON_AddItemToObject(course, "authors", cJSON_CreateArray());
    cJSON_AddStringToObject(course, "license", "CC-BY-4.0");
    course_text = cJSON_Print(course);
    title_json = cJSON_PrintUnformatted(t);
    if (!course_text || !title_json) goto done;
    size_t n = sizeof lesson_fmt + strlen(title_json);
    lesson_text = malloc(n);
    if (!lesson_text) goto done;
    snprintf(lesson_text, n, lesson_fmt, title_json);
    if (make_dir(dir, NULL) || make_dir(dir, "lessons") || make_dir(dir, "quizzes") ||
        make_dir(dir, "scenarios") || make_dir(dir, "assets") ||
        write_file(dir, "course.json", course_text) || write_file(dir, "lessons/welcome.json", lesson_text) ||
        write_file(dir, "quizzes/check.json", quiz_text))
        goto done;
    rc = lint_package(dir, true, NULL);
    if (rc == 0)
        printf("created %s: edit course.json, lessons/ and quizzes/, then run 'drillhall-pack lint %s'\n", dir, dir);
done:
    cJSON_Delete(course);
    cJSON_Delete(langs);
    cJSON_Delete(mods);
    cJSON_Delete(m1);
    cJSON_Delete(m2);
    cJSON_Delete(t);
    cJSON_free(course_text);
    cJSON_free(title_json);
    free(lesson_text);
    return rc;
}
