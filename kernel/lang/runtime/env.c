/* env.c: open-addressing hash table of variables (see env.h). */
#include "env.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct env_slot {
    char *name;    /* NULL: empty */
    value v;
} env_slot;

struct env {
    env_slot *slots;
    size_t cap, n;   /* cap is a power of two; n < cap * 3/4 */
};

static uint32_t env_hash(const char *s)
{
    uint32_t h = 2166136261u;          /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

env *env_new(void)
{
    env *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->cap = 64;
    e->slots = calloc(e->cap, sizeof *e->slots);
    if (!e->slots) { free(e); return NULL; }
    return e;
}

void env_free(env *e)
{
    if (!e) return;
    for (size_t i = 0; i < e->cap; i++) {
        if (!e->slots[i].name) continue;
        free(e->slots[i].name);
        val_decref(e->slots[i].v);
    }
    free(e->slots);
    free(e);
}

static env_slot *env_find(env_slot *slots, size_t cap, const char *name)
{
    size_t i = env_hash(name) & (cap - 1);
    while (slots[i].name && strcmp(slots[i].name, name) != 0) i = (i + 1) & (cap - 1);
    return &slots[i];
}

const value *env_get(const env *e, const char *name)
{
    env_slot *s = env_find(e->slots, e->cap, name);
    return s->name ? &s->v : NULL;
}

static int env_grow(env *e)
{
    size_t cap = e->cap * 2;
    env_slot *slots = calloc(cap, sizeof *slots);
    if (!slots) return -1;
    for (size_t i = 0; i < e->cap; i++)
        if (e->slots[i].name) *env_find(slots, cap, e->slots[i].name) = e->slots[i];
    free(e->slots);
    e->slots = slots;
    e->cap = cap;
    return 0;
}

int env_set(env *e, const char *name, value v)
{
    env_slot *s = env_find(e->slots, e->cap, name);
    if (s->name) {
        val_decref(s->v);
        s->v = v;
        return 0;
    }
    if ((e->n + 1) * 4 > e->cap * 3) {
        if (env_grow(e) < 0) { val_decref(v); return -1; }
        s = env_find(e->slots, e->cap, name);
    }
    s->name = strdup(name);
    if (!s->name) { val_decref(v); return -1; }
    s->v = v;
    e->n++;
    return 0;
}

size_t env_slots(const env *e) { return e->cap; }
const char *env_name(const env *e, size_t i) { return e->slots[i].name; }
const value *env_value(const env *e, size_t i) { return &e->slots[i].v; }
