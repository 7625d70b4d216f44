/* uistrings: the player's UI text in every language a catalog exists for.
 *
 * Catalogs are assets/i18n/<lang>.json:
 *   {"language": "th", "name": "ไทย", "strings": {"signin.title": "...", ...}}
 * en.json is the reference: it holds every key, and a key missing from
 * another catalog (or a translation whose printf conversions do not match
 * the English ones, which could crash a formatter) falls back to English,
 * then to the key itself, so a trainee never sees a blank. Keys are dotted,
 * grouped by screen ("signin.*", "catalog.*", "lesson.*", "common.*").
 * (Not named strings.h: that would shadow the C library's <strings.h>.)
 */
#ifndef UI_UISTRINGS_H
#define UI_UISTRINGS_H

#include "error.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct ui_Strings ui_Strings;

/* Load every *.json in dir (assets/i18n). en.json must exist. Problems with
 * other catalogs are printed to stderr and that catalog is skipped or
 * partially used; they never stop the player. */
dh_Status ui_strings_load(ui_Strings **out, const char *dir, dh_Error *err);
void ui_strings_free(ui_Strings *s);

/* Catalogs found, English first, then sorted by code. */
int ui_strings_count(const ui_Strings *s);
const char *ui_strings_code(const ui_Strings *s, int i);  /* "th" */
const char *ui_strings_name(const ui_Strings *s, int i);  /* "ไทย": the language's own name */
/* Index of the catalog for lang (exact, then same language "zh" ~ "zh-Hans"), or -1. */
int ui_strings_find(const ui_Strings *s, const char *lang);

/* The text of key in lang: never NULL and never "" (English, then the key). */
const char *ui_strings_get(const ui_Strings *s, const char *lang, const char *key);
/* vsnprintf with the text of key as the format (conversions validated at
 * load time against English: %s, %d, %%, and %N$s / %N$d positions).
 * Returns buf. */
const char *ui_strings_vformat(const ui_Strings *s, const char *lang, char *buf, size_t size,
                               const char *key, va_list ap);

#endif
