/* settings: a trainee's accessibility settings, kept on the kiosk.
 *
 * Text size, high contrast and reduced motion belong to the person, not the
 * kiosk: they follow the trainee from sign-in to sign-in. The store's
 * trainee record has no such fields and its schema is shared with the
 * records tools, so the player keeps them beside it, one small JSON file per
 * trainee in DATA/settings/, written atomically (temporary file, fsync,
 * rename) so a power cut leaves the old file or the new one, never half.
 */
#ifndef UI_SETTINGS_H
#define UI_SETTINGS_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>

#define UI_TEXT_SIZE_MIN 100
#define UI_TEXT_SIZE_MAX 200

/* Per-trainee accessibility settings. */
typedef struct ui_Settings {
    int text_size;       /* percent, UI_TEXT_SIZE_MIN..MAX */
    bool high_contrast;  /* the high-contrast palette */
    bool reduced_motion; /* no animated transitions */
} ui_Settings;

/* 100 %, normal contrast, motion on. */
void ui_settings_default(ui_Settings *s);
/* Read DATA/settings/<id>.json into out. No file: defaults and DH_OK.
 * A malformed file: defaults, and DH_EFORMAT with a sentence (the caller
 * may log it; the trainee is never blocked by it). */
dh_Status ui_settings_load(const char *data_dir, const char *trainee_id, ui_Settings *out,
                           dh_Error *err);
/* Write them atomically (creating DATA/settings, mode 0700). */
dh_Status ui_settings_save(const char *data_dir, const char *trainee_id, const ui_Settings *s,
                           dh_Error *err);

#endif
