/* parse.h: the parser. One function per grammar rule (the rule is its first
 * comment) and a Pratt table for expressions, as in Lua's lparser.c and clox.
 *
 *     arena a = {0}; diag err;
 *     ast_node *cell = parse_cell("x = 1 + 2\nx", &a, &err);
 *     if (!cell) report(err);            // a SyntaxError with line:col
 *     ... evaluate ...; arena_free(&a);
 *
 * Precedence, lowest first: or; and; not; == != < <= > >=; + -; * / %;
 * unary - +; ^ (right-associative, so -2^2 is -4 and 2^3^2 is 512); calls and
 * indexing. */
#ifndef LANG_PARSE_H
#define LANG_PARSE_H

#include "arena.h"
#include "ast.h"
#include "diag.h"

enum { PARSE_MAX_DEPTH = 150 };   /* nested expressions and blocks */

/* The cell as an AST_BLOCK of its statements (in arena a), or NULL with a
 * SyntaxError in *err (nothing of the cell should run then). */
ast_node *parse_cell(const char *src, arena *a, diag *err);

#endif
