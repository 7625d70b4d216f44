/* lint.h: loading a package with full diagnostics, shared by lint, pack and inspect. */
#ifndef DH_PACK_LINT_H
#define DH_PACK_LINT_H

#include "course.h"

#include <stdbool.h>

/* Open and load the package at path, print its diagnostics to stderr with
 * the path in front, and return 0 (no errors), 1 (errors) or 2 (cannot
 * open). When keep is given and there are no errors, the loaded course is
 * handed over (the caller frees it). quiet leaves out the summary lines. */
int lint_package(const char *path, bool quiet, dh_Course **keep);

#endif
