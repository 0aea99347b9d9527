/* registry.h: what the builtin libraries give a session: their builtin functions, the
 * statements they run (train, step, log, net), the keywords they document and the
 * state they free. The runtime knows no library; each library registers itself.
 *
 * Opening (Lua's linit pattern): lt_session_new calls lib_open_all (lib/init.c), whose
 * one list of lib_open_* functions registers every library into the session's
 * registry, in the order help() lists them:
 *
 *     int lib_open_tensor(registry *r)
 *     {
 *         return reg_open(r, bi_tensor_builtins) < 0 || reg_open_on(r, &tv_type, tv_methods, 0) < 0 ||
 *                reg_closer(r, tc_close) < 0 ? -1 : 0;
 *     }
 *
 * Builtins: a table of `builtin` (value.h) ending with {0}. Each carries its name,
 * signature, doc and an example; help(), lt_inspect and lt_complete read them, and a
 * test runs every example (a cell whose expected output is written as `# => ...`).
 *
 * Overloads are by the kind of the first argument, never by table order: a table opened
 * with reg_open_on(r, type, ...) holds overloads, which run instead of the plain builtin
 * of the same name when the first positional argument is an object of that type (exp(t)
 * on a tensor, len(h) on a history, cross_entropy(logits, labels) on tensors while
 * cross_entropy(p, q) of lists is information theory's). At most one plain builtin per
 * name and one overload per (name, type): opening a second fails (the session then
 * fails to open), so which implementation runs never depends on the order the
 * libraries were opened in. An overload never falls back to another entry.
 *
 * Calling convention: positional arguments come first, keyword arguments after
 * (`f(1, 2, lr=1e-3)`). reg_call picks the overload, checks the number of positional
 * arguments and that every keyword is one of b->keywords (a misspelt one is a TypeError
 * that names the nearest valid keyword) before b->fn runs. A keywords list that is
 * reg_any_keywords takes every keyword (huffman(F=0.5, C=0.5) names symbols with them).
 * b->fn borrows the arguments, stores a new reference in *out and returns 0, or records
 * an error with bi_fail (args.h) and returns -1.
 *
 * Statements: the evaluator runs `train`, `step`, `log` and `net` through the function
 * a library registered for that AST kind (reg_statement), and tells it of every call of
 * a user function (reg_call_hooks: a net's body names its layers by call path). */
#ifndef LANG_REGISTRY_H
#define LANG_REGISTRY_H

#include <stddef.h>

#include "args.h"
#include "ast.h"
#include "buf.h"
#include "latent.h"
#include "value.h"

/* The keywords of a builtin that accepts any keyword: {"*", NULL}. */
extern const char *const reg_any_keywords[];

typedef int (*reg_stmt_fn)(lt_session *s, const ast_node *n);
typedef int (*reg_enter_fn)(lt_session *s, const ast_node *call);
typedef void (*reg_leave_fn)(lt_session *s);
typedef void (*reg_close_fn)(lt_session *s);

enum { REG_MAX_TABLES = 32, REG_MAX_STMTS = 32, REG_MAX_KEYWORDS = 16, REG_MAX_CLOSERS = 8, REG_MAX_CONSTANTS = 8 };

typedef struct registry {
    struct {
        const builtin *table;
        const val_type *on;    /* NULL: plain builtins; else overloads for objects of this type */
        int listed;            /* help() lists them */
    } tables[REG_MAX_TABLES];
    int ntables;
    reg_stmt_fn stmt[REG_MAX_STMTS];          /* by ast_kind: AST_TRAIN, AST_STEP, ... */
    struct { const char *word, *doc; } keywords[REG_MAX_KEYWORDS];
    int nkeywords;
    reg_enter_fn enter;                       /* a user function is called (or NULL) */
    reg_leave_fn leave;                       /* ... and has returned */
    reg_close_fn closers[REG_MAX_CLOSERS];    /* called by lt_session_free, last opened first */
    int nclosers;
    struct { const char *name; double x; } constants[REG_MAX_CONSTANTS];   /* pi, e */
    int nconstants;
    char clash[160];                          /* why reg_open refused a table ("" when it did not) */
} registry;

/* Registers a table of plain builtins (ending with {0}) that help() lists. 0, or -1 when
 * an entry clashes with one registered before (r->clash says which) or the registry is
 * full. */
int reg_open(registry *r, const builtin *table);
/* Registers a table of overloads for first arguments of type `on`, listed by help() or
 * not; 0 or -1 as reg_open. */
int reg_open_on(registry *r, const val_type *on, const builtin *table, int listed);
/* The statement of AST kind `kind` runs fn; word is its keyword (NULL: none), doc its help. */
int reg_statement(registry *r, int kind, const char *word, const char *doc, reg_stmt_fn fn);
/* Documents a keyword that has no statement of its own (`on` in train loops). */
int reg_keyword(registry *r, const char *word, const char *doc);
int reg_call_hooks(registry *r, reg_enter_fn enter, reg_leave_fn leave);
/* fn runs when the session is freed (a library's per-session state). */
int reg_closer(registry *r, reg_close_fn fn);
/* A named number (pi, e): a name evaluates to it unless a variable of that name exists
 * (variables hide constants, so `e = temb(t, 128)` still works). 0, or -1 when the name is
 * registered twice or the table is full. */
int reg_constant(registry *r, const char *name, double x);
/* 1 and *x when name is a registered constant, else 0. */
int reg_constant_get(const registry *r, const char *name, double *x);

/* The plain builtin called name, or NULL. */
const builtin *reg_find(const registry *r, const char *name);
/* The listed builtins, in order: i from 0 while reg_at(r, i) is not NULL. */
const builtin *reg_at(const registry *r, size_t i);
/* The overload of name for objects of type t, or NULL. */
const builtin *reg_overload(const registry *r, const char *name, const val_type *t);
/* Picks the overload for the first positional argument, checks the arguments against
 * it (counts, keywords) and runs it. */
int reg_call(const builtin *b, bi_args *a, value *out);
/* What a keyword of the language means (for help and inspection), or NULL. */
const char *reg_keyword_doc(const registry *r, const char *word);
/* The function registered for statement n, or NULL. */
reg_stmt_fn reg_stmt(const registry *r, int kind);
/* Appends b's help text (signature, doc, example) to out. */
void reg_help_text(const builtin *b, buf *out);

#endif
