/* bi_boundary.h: boundary(net, data), the decision boundary of a classifier of 2-D
 * points drawn in one call: the predicted class over the plane as a filled map, the
 * data's points on top (bi_boundary.c). */
#ifndef LANG_BI_BOUNDARY_H
#define LANG_BI_BOUNDARY_H

#include "registry.h"

/* Registers the library (registry.h). */
int lib_open_boundary(registry *r);

#endif
