/* init.h: opens every builtin library into a session's registry (init.c). */
#ifndef LANG_INIT_H
#define LANG_INIT_H

#include "registry.h"

/* Registers every library, in the order help() lists their builtins. 0, or -1 when
 * two libraries clash (r->clash says how). */
int lib_open_all(registry *r);

#endif
