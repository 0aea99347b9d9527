/* env.h: a table of variables (name -> value), the session's global scope.
 *
 *     env *e = env_new();
 *     env_set(e, "x", NUM_VAL(3));        // takes the value's reference
 *     const value *v = env_get(e, "x");   // borrowed; valid until the next env_set
 *     env_free(e);                        // drops every value
 *
 * Scopes for functions and `net` bodies will chain a local env to this one. */
#ifndef LANG_ENV_H
#define LANG_ENV_H

#include <stddef.h>

#include "value.h"

typedef struct env env;

/* A new empty table, or NULL when memory runs out. */
env *env_new(void);
void env_free(env *e);
/* The value bound to name, or NULL. Borrowed. */
const value *env_get(const env *e, const char *name);
/* Binds name to v, taking v's reference and dropping the old value's. Returns 0,
 * or -1 when memory runs out (then v has been released, the old binding stays). */
int env_set(env *e, const char *name, value v);
/* Iteration: slots 0 .. env_slots(e)-1; env_name(e, i) is NULL for an empty slot. */
size_t env_slots(const env *e);
const char *env_name(const env *e, size_t i);
const value *env_value(const env *e, size_t i);

#endif
