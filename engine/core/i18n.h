/* i18n: language codes and localized text.
 *
 * Course text is either one string (shown in every language) or a map from
 * language code to string. The player asks for the trainee's language and
 * falls back in a fixed, documented order (courses/FORMAT.md, "Localized
 * text") so that a missing translation shows something sensible, never "".
 */
#ifndef DH_I18N_H
#define DH_I18N_H

#include <stdbool.h>

typedef struct dh_TextItem {
    const char *lang; /* BCP 47 code ("th", "zh-Hans"); NULL for a plain string */
    const char *text; /* UTF-8 */
} dh_TextItem;

typedef struct dh_Text {
    const dh_TextItem *items; /* in document order */
    int count;                /* 0: the text is absent */
} dh_Text;

/* True if code is a language tag Drillhall accepts: an ISO 639 language known
 * to ICU (2-3 lower-case letters), optionally -Script (4 letters, "Hans") and
 * -REGION (2 upper-case letters or 3 digits), e.g. "en", "zh-Hant", "pt-BR". */
bool dh_lang_valid(const char *code);

/* The text for lang: exact tag, then the same language ("zh-Hant" -> "zh",
 * "zh" -> "zh-Hans"), then the plain string, then `fallback` (the course's
 * first language), then English, then the first entry. "" if absent. */
const char *dh_text_get(const dh_Text *t, const char *lang, const char *fallback);

/* True if t has an entry for exactly lang (or is a plain string). */
bool dh_text_has(const dh_Text *t, const char *lang);

#endif
