/* widgets_impl: what widgets.c (drawing, recording) and widgets_input.c
 * (events, focus, scrolling) share, and nobody else sees.
 *
 * Two frames are kept: the one being recorded and the last complete one.
 * Input is always resolved against the last complete frame, because that is
 * what the trainee saw when they pressed; what input decided (activated,
 * submitted, typed text) waits here until the widget with that id is
 * recorded again in the next frame and consumes it.
 */
#ifndef UI_WIDGETS_IMPL_H
#define UI_WIDGETS_IMPL_H

#include "widgets.h"

#include <stdint.h>

typedef struct Rec {
    ui_WidgetInfo info;
    uint32_t id;          /* hash of the key, 0 for non-interactive */
    size_t label_off;     /* into the frame's pool until the frame ends */
    size_t key_off;
} Rec;

typedef struct Frame {
    Rec *recs;
    int n;
    size_t cap;
    char *pool;           /* labels and keys */
    size_t plen, pcap;
    char *text;           /* every text drawn, '\n'-separated */
    size_t tlen, tcap;
} Frame;

typedef struct Scroll {
    uint32_t id;
    int offset;           /* pixels scrolled down */
    int content_h;        /* measured at the last ui_scroll_end */
    SDL_Rect view;        /* viewport in the last frame */
    unsigned long seen;   /* frame number it was last drawn in */
} Scroll;

typedef struct LayoutEntry {
    uint64_t k1, k2;
    ui_Layout *layout;
    unsigned long used;   /* frame number */
    struct LayoutEntry *next;
} LayoutEntry;

#define MAX_SCROLLS 16
#define MAX_KEYS 16
#define LAYOUT_BUCKETS 1024
#define LAYOUT_MAX 2048   /* cached layouts; beyond, old ones go first */

struct ui_Widgets {
    Frame frames[2];
    int cur;                       /* frames[cur] is being recorded */
    unsigned long frame_no;
    bool in_frame;

    uint32_t focus;                /* keyboard focus (id), 0: none */
    bool focus_visible;            /* draw the ring: focus came from the keyboard */
    bool focus_reveal;             /* scroll the focused widget into view */
    uint32_t hot;                  /* under the mouse */
    uint32_t pressed;              /* mouse / finger went down on it */
    uint32_t activated;            /* to fire when recorded next */
    uint32_t submitted;            /* text field: Enter */
    char text_in[512];             /* typed text for the focused field */
    int backspaces;                /* pending grapheme deletions */
    char composition[128];         /* IME pre-edit text */
    int swipe;                     /* UI_SWIPE_* for the next frame */
    SDL_Keycode keys[MAX_KEYS];    /* unconsumed keys for the next frame */
    int nkeys;
    SDL_Keycode frame_keys[MAX_KEYS]; /* ... as seen by this frame */
    int nframe_keys;
    int frame_swipe;

    Scroll scrolls[MAX_SCROLLS];
    int nscrolls;
    int cur_scroll;                /* index into scrolls while inside one, else -1 */
    int cur_scroll_rec;            /* its record index in the current frame */
    SDL_Rect clip;                 /* the scroll viewport while inside one */

    /* pointer (mouse or finger) gesture */
    bool down;
    bool finger;
    int down_x, down_y, last_x, last_y;
    bool dragging;
    uint32_t drag_scroll;
    int drag_start_offset;
    int mx, my;

    LayoutEntry *buckets[LAYOUT_BUCKETS];
    int nlayouts;
    bool text_input_on;
};

uint32_t ui_hash_key(const char *key);
Frame *ui_frame_last(ui_Widgets *w);
/* Interactive, enabled, visible widget of the last frame at (x, y) in
 * pixels, or NULL. */
const Rec *ui_hit(ui_Widgets *w, int x, int y);
Scroll *ui_scroll_find(ui_Widgets *w, uint32_t id, bool create);
/* The record with this id in the last frame, or NULL. */
const Rec *ui_rec_find(ui_Widgets *w, uint32_t id);

/* widgets.c internals used by widgets_input.c */
int ui_widgets_record(ui_App *app, ui_WidgetType type, const char *key, const char *label,
                      SDL_Rect r, unsigned flags, bool interactive);
bool ui_widgets_take(ui_App *app, const char *key, unsigned flags);
void ui_widgets_focus_ring(ui_App *app, SDL_Rect r, int radius);
ui_Layout *ui_widgets_layout(ui_App *app, const char *text, const ui_TextStyle *st, int width);
void ui_widgets_flush_layouts(ui_App *app);

#endif
