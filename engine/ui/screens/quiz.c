/* quiz: SKELETON — being written (issue 5); until then the placeholder. */
#include "screens.h"

ui_Screen *ui_quiz_new(ui_App *app, int course, int module, dh_Progress *p, bool resume)
{
    (void)p;
    (void)resume;
    return ui_placeholder_new(app, course, module);
}
