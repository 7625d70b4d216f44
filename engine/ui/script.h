/* script: the headless test driver (`drillhall --script FILE`).
 *
 * A script is a list of commands a tester would otherwise perform by hand:
 *   size WxH (leaves full screen) | type TEXT | key NAME (shift+Tab, ctrl+a, Return, ...) |
 *   click "LABEL" | tap X Y | swipe left|right | advance DURATION (500ms, 3s,
 *   5min) | expect "TEXT" | expect-not "TEXT" | shot NAME | dump NAME | quit |
 *   close (the window manager's close request: SDL_WINDOWEVENT_CLOSE + SDL_QUIT) |
 *   press X Y / move X Y / release X Y (a finger held down and dragged, each in its own frame) |
 *   expect-window fullscreen|grabbed|covers-display
 * and `#` comments. Input commands PUSH REAL SDL EVENTS (SDL_PushEvent) that
 * the normal event loop handles, so tests exercise the same path as a
 * trainee's fingers; `expect` looks at every text drawn on the current
 * frame (widget labels included). The app runs one command whenever the
 * event queue is empty and the frame is drawn. The exit status is 0 when
 * every expect held, else 1, with `FILE:LINE: message` on stderr for each
 * failure. Coordinates (tap) are window coordinates.
 */
#ifndef UI_SCRIPT_H
#define UI_SCRIPT_H

#include "app.h"

/* Read FILE; DH_EIO with a sentence if it cannot be read. */
dh_Status ui_script_open(ui_Script **out, const char *path, dh_Error *err);
void ui_script_free(ui_Script *s);
/* Run the next command(s) against app; sets app->quit at the end of the
 * script or on `quit`, and app->exit_code. Returns after pushing input
 * events (so the loop can handle them) or after a check. */
void ui_script_step(ui_Script *s, ui_App *app);
/* Called when the loop has ended: a script with commands left fails. */
void ui_script_check_finished(ui_Script *s, ui_App *app);
/* Called by the app when a frame was drawn and before it is presented:
 * takes a pending `shot`. */
void ui_script_before_present(ui_Script *s, ui_App *app);

#endif
