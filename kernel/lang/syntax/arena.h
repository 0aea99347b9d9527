/* arena.h: a bump allocator for everything that lives as long as one cell's
 * parse (tokens' decoded strings, AST nodes). One call frees it all.
 *
 *     arena a = {0};
 *     ast_node *n = arena_alloc(&a, sizeof *n);   // zeroed
 *     arena_free(&a);
 *
 * arena_alloc returns NULL when memory runs out; the arena stays valid. */
#ifndef LANG_ARENA_H
#define LANG_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block;
typedef struct arena {
    arena_block *head;   /* newest block first; NULL when empty */
} arena;

void *arena_alloc(arena *a, size_t n);
/* A NUL-terminated copy of s[0..n) in the arena (s may contain NULs). */
char *arena_strndup(arena *a, const char *s, size_t n);
void arena_free(arena *a);

#endif
