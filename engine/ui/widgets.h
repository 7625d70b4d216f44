/* widgets: buttons, fields, cards and the rest, drawn and recorded each frame.
 *
 * Widgets are immediate-mode: a screen's frame() calls ui_button(...) where
 * the button goes, and the call draws it and returns true if it was
 * activated (clicked, tapped, or Enter/Space while focused). Behind that,
 * every frame is also RECORDED as a list of widgets (type, label, rect,
 * state, focus, parent scroll area) and of every text drawn: input is
 * hit-tested against the last recorded frame, Tab walks it for focus, and
 * the headless driver (script.c) clicks, expects and dumps from it. So a
 * screen must draw all its text through this header (ui_label,
 * ui_paragraph, widget labels), never with ui_text_draw directly, or
 * scripts cannot see it.
 *
 * Keys: every interactive widget has a key string, unique within the frame
 * and stable across frames (it carries focus and presses from one frame to
 * the next); the label is what is shown and what `click "LABEL"` matches.
 * For repeated items build keys like "course.3" (ui_keyf).
 *
 * Geometry is in drawable pixels (app->w x app->h); sizes come from
 * ui_px/ui_font_px so layouts scale with the display and the trainee's text
 * size. Helpers below give natural heights so layouts re-flow.
 */
#ifndef UI_WIDGETS_H
#define UI_WIDGETS_H

#include "app.h"

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum ui_WidgetType {
    UI_BUTTON,
    UI_TEXTFIELD,
    UI_LABEL,
    UI_CARD,
    UI_PROGRESS,
    UI_LISTITEM,
    UI_CHECKBOX,
    UI_SCROLL
} ui_WidgetType;

/* Flags for widgets (state and style). */
enum {
    UI_DISABLED = 1u << 0,  /* drawn greyed, cannot be focused or activated */
    UI_CHECKED = 1u << 1,   /* checkbox ticked / list item selected (set by the widget) */
    UI_PRIMARY = 1u << 2,   /* button: the screen's main action (accent fill) */
    UI_QUIET = 1u << 3,     /* button: text-only (header actions, links) */
    UI_DANGER = 1u << 4,    /* button or card: destructive / broken */
    UI_SELECTED = 1u << 5,  /* button or list item: the current choice */
    UI_SECRET = 1u << 6,    /* text field: draw dots (PINs) */
    UI_ON_HEADER = 1u << 7, /* button: drawn on the header bar's colours */
    UI_SMALL = 1u << 8      /* button: compact (still >= 48 dp tall) */
};

/* Results of ui_textfield. */
enum { UI_TF_CHANGED = 1, UI_TF_SUBMIT = 2 };

/* Touch swipe (or Left/Right are NOT reported here: see ui_key_pressed). */
enum { UI_SWIPE_NONE = 0, UI_SWIPE_LEFT = 1, UI_SWIPE_RIGHT = 2 };

/* A text style for size (dp, before text size), colour, flags (UI_TEXT_*),
 * in the UI language. Adjust fields (align, markup, lang) as needed. */
ui_TextStyle ui_style(const ui_App *app, float size_dp, SDL_Color color, unsigned flags);

/* ---- text ---------------------------------------------------------------- */
/* Draw text wrapped to w (w <= 0: one line), record it for scripts, return
 * its height. With style->markup the *em* **strong** `code` spans apply. */
int ui_label(ui_App *app, const char *text, const ui_TextStyle *style, int x, int y, int w);
/* Height text would take at width w (same layout, cached), without drawing. */
int ui_text_height(ui_App *app, const char *text, const ui_TextStyle *style, int w);
/* Width of text on one line. */
int ui_text_width(ui_App *app, const char *text, const ui_TextStyle *style);

/* ---- interactive widgets ------------------------------------------------- */
/* A button; true when activated this frame. */
bool ui_button(ui_App *app, const char *key, const char *label, SDL_Rect r, unsigned flags);
/* Natural size of a button with this label (at least 48 dp tall and wide). */
int ui_button_width(ui_App *app, const char *label, unsigned flags);
int ui_button_height(ui_App *app, unsigned flags);

/* A checkbox with a (wrapped) label; toggles *checked and returns true
 * when activated. ui_checkbox_height gives its height at width w. */
bool ui_checkbox(ui_App *app, const char *key, const char *label, bool *checked, SDL_Rect r,
                 unsigned flags);
int ui_checkbox_height(ui_App *app, const char *label, int w);

/* A one-line text field editing buf (UTF-8, NUL-terminated, size bytes).
 * label is its visible caption above the box (recorded as the widget's
 * label); hint is drawn inside while empty (may be NULL). Returns
 * UI_TF_CHANGED and/or UI_TF_SUBMIT (Enter while focused). Backspace
 * deletes a whole grapheme; IME composition is shown in place.
 * ui_textfield_height: caption + box. */
int ui_textfield(ui_App *app, const char *key, const char *label, const char *hint, char *buf,
                 size_t size, SDL_Rect r, unsigned flags);
int ui_textfield_height(ui_App *app, const char *label, int w);

/* A card: a raised surface. With a key it is activatable (returns true
 * when activated) and focusable; with key NULL it is only decoration.
 * label names it for scripts and screen readers (e.g. the course title);
 * the caller draws the card's content inside r afterwards. */
bool ui_card(ui_App *app, const char *key, const char *label, SDL_Rect r, unsigned flags);

/* A list row (full-width, selectable); true when activated. The label is
 * drawn at the left; the caller may draw more inside r. */
bool ui_list_item(ui_App *app, const char *key, const char *label, SDL_Rect r, unsigned flags);
int ui_list_item_height(ui_App *app, const char *label, int w);

/* A progress bar, fraction 0..1; label (may be NULL) is recorded, not drawn. */
void ui_progress(ui_App *app, const char *label, SDL_Rect r, float fraction);

/* ---- scrolling ------------------------------------------------------------ */
/* Begin a scroll area over viewport: returns the y where content starts
 * (viewport.y minus the scroll offset). Draw the content from there (it is
 * clipped), then call ui_scroll_end with the y just below the content.
 * Wheel, drag, PgUp/PgDn/Home/End scroll it; Tab into a hidden widget
 * scrolls it into view. One level of nesting is not supported. */
int ui_scroll_begin(ui_App *app, const char *key, SDL_Rect viewport);
void ui_scroll_end(ui_App *app, int content_bottom);
/* Reset a scroll area to the top (e.g. on a new page). */
void ui_scroll_reset(ui_App *app, const char *key);

/* ---- input queries for screens ------------------------------------------- */
/* UI_SWIPE_LEFT (finger moved left: "next") / UI_SWIPE_RIGHT / NONE this frame. */
int ui_swipe(ui_App *app);
/* True if key k was pressed this frame and no widget used it (Left/Right for
 * paging, ...). Consumes it. */
bool ui_key_pressed(ui_App *app, SDL_Keycode k);
/* Give keyboard focus to key (e.g. the id field, so a scanner can type at
 * once). ui_focus_default does so only when nothing on screen has focus. */
void ui_focus(ui_App *app, const char *key);
void ui_focus_default(ui_App *app, const char *key);
bool ui_has_focus(const ui_App *app, const char *key);

/* ---- drawing primitives ----------------------------------------------------- */
void ui_fill(ui_App *app, SDL_Rect r, SDL_Color c);
/* Rounded rectangle: fill (alpha 0: none) and 1-dp border (alpha 0: none). */
void ui_round_rect(ui_App *app, SDL_Rect r, int radius, SDL_Color fill, SDL_Color border);
/* Record text for scripts without drawing it (alt text of an image, ...). */
void ui_note_text(ui_App *app, const char *text);

/* ---- layout helpers -------------------------------------------------------- */
/* The app's top bar: title, then Back (if the stack is deeper than one and
 * UI_HEADER_BACK), Settings, Sign out (when signed in). Returns its height. */
enum { UI_HEADER_BACK = 1, UI_HEADER_SETTINGS = 2, UI_HEADER_SIGNOUT = 4,
       UI_HEADER_ALL = 7 };
int ui_header(ui_App *app, const char *title, unsigned flags);
/* The centred content column (at most UI_CONTENT_MAX dp wide, with side
 * margins) between y0 and the bottom of the window. */
SDL_Rect ui_content(const ui_App *app, int y0);
/* A wrapping row of buttons (language choices, nations, text sizes) laid
 * out from (x, y) within width w: labels[i] keyed "<prefix>.<i>";
 * selected (-1: none) is drawn UI_SELECTED. Returns the height used;
 * *activated is set to the index activated this frame (else unchanged). */
int ui_button_flow(ui_App *app, const char *prefix, const char *const *labels, int n, int selected,
                   int x, int y, int w, unsigned flags, int *activated);
/* snprintf into a static-per-call buffer for keys: ui_keyf(buf, sizeof buf, "course.%d", i). */
const char *ui_keyf(char *buf, size_t size, const char *fmt, ...) DH_PRINTF(3, 4);

/* ---- for app.c and script.c -------------------------------------------------- */
dh_Status ui_widgets_new(ui_Widgets **out, dh_Error *err);
void ui_widgets_free(ui_Widgets *w);
void ui_widgets_begin_frame(ui_App *app);
void ui_widgets_end_frame(ui_App *app);
/* Feed one SDL event; returns true if the app should draw a frame before
 * the next event is handled (an activation is waiting for its widget). */
bool ui_widgets_event(ui_App *app, const SDL_Event *e);
/* Forget last frame's widgets (after the screen stack changed). */
void ui_widgets_forget(ui_App *app);

/* One recorded widget of the last complete frame. */
typedef struct ui_WidgetInfo {
    ui_WidgetType type;
    const char *label;  /* as drawn ("" if none) */
    const char *key;    /* "" for non-interactive */
    SDL_Rect rect;      /* full rect in pixels */
    SDL_Rect visible;   /* rect clipped by its scroll area (w = 0: hidden) */
    unsigned flags;     /* UI_DISABLED, UI_CHECKED, ... */
    bool focus;         /* has keyboard focus */
    bool interactive;   /* can be clicked / focused */
    int parent;         /* index of its UI_SCROLL, or -1 */
} ui_WidgetInfo;
int ui_widgets_count(const ui_App *app);
const ui_WidgetInfo *ui_widgets_get(const ui_App *app, int i);
/* All text drawn in the last complete frame, entries separated by '\n'. */
const char *ui_widgets_text(const ui_App *app);
const char *ui_widget_type_name(ui_WidgetType t);

#endif
