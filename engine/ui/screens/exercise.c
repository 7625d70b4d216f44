/* exercise: SKELETON — being written (issue 6); until then the placeholder. */
#include "screens.h"

ui_Screen *ui_exercise_new(ui_App *app, int course, int module, dh_Progress *p, bool resume)
{
    (void)p;
    (void)resume;
    return ui_placeholder_new(app, course, module);
}
