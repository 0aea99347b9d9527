/* bi_base.h: the base library (bi_base.c): print, help, the math of numbers, len, str,
 * type, clock, image, and the help of the language's own keywords (if, for, fn, ...). */
#ifndef LANG_BI_BASE_H
#define LANG_BI_BASE_H

#include "registry.h"

int lib_open_base(registry *r);

#endif
