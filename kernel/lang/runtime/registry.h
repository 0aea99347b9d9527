/* registry.h: the table of builtin functions.
 *
 * Each builtin carries its name, signature, doc and an example; help(),
 * lt_inspect and lt_complete read them, and a test runs every example (an
 * example is a cell whose expected output is written as `# => ...` comments).
 *
 * Calling convention: positional arguments come first, keyword arguments after
 * (`f(1, 2, lr=1e-3)`). bi_call checks the number of positional arguments and
 * that every keyword is one of b->keywords (a misspelt one is a TypeError that
 * names the nearest valid keyword) before b->fn runs. A keywords list that is
 * bi_any_keywords takes every keyword (huffman(F=0.5, C=0.5) names symbols with them). b->fn borrows the
 * arguments, stores a new reference in *out and returns 0, or records an error
 * with bi_fail and returns -1.
 *
 * Adding builtins from another module (tensors, plots, ...): write a
 * `const builtin NAME_builtins[]` table ending with {0} and list it in
 * bi_tables in bi_base.c. */
#ifndef LANG_REGISTRY_H
#define LANG_REGISTRY_H

#include <stddef.h>

#include "ast.h"
#include "latent.h"
#include "value.h"

typedef struct bi_args {
    lt_session *s;
    const ast_node *call;          /* the call (its position is the default for errors) */
    int npos;
    const value *pos;              /* npos positional values (borrowed) */
    ast_node *const *pos_nodes;    /* their expressions, for error positions */
    int nkw;
    const value *kw;               /* nkw keyword values (borrowed) */
    ast_node *const *kw_keys;      /* their keywords (AST_NAME: text and position) */
} bi_args;

typedef struct builtin {
    const char *name;
    const char *signature;         /* "round(x, digits=0)" */
    const char *doc;               /* one paragraph */
    const char *example;           /* a cell with `# =>` expected output */
    const char *const *keywords;   /* NULL-terminated accepted keywords, or NULL */
    int min_args, max_args;        /* positional arguments; max_args -1: any number */
    int (*fn)(bi_args *a, value *out);
} builtin;

/* The keywords of a builtin that accepts any keyword: {"*", NULL}. */
extern const char *const bi_any_keywords[];

/* The builtin called name, or NULL. */
const builtin *bi_find(const char *name);
/* All builtins, in table order: i from 0 while bi_at(i) is not NULL. */
const builtin *bi_at(size_t i);
/* Checks the arguments against b (counts, keywords) and runs it. When the first
 * positional argument is an object whose type has a method of b's name
 * (val_type.methods), that method runs instead (exp(t) on a tensor). */
int bi_call(const builtin *b, bi_args *a, value *out);
/* What a keyword of the language means (for help and inspection), or NULL. */
const char *bi_keyword_doc(const char *word);
/* Appends b's help text (signature, doc, example) to out. */
void bi_help_text(const builtin *b, buf *out);

/* Records an error at `at` (NULL: the call) and returns -1 (visibly, as sess_fail). */
void bi_fail_at(bi_args *a, const ast_node *at, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline int bi_minus_one(void) { return -1; }   /* a call: no unused-value warning */
#define bi_fail(...) (bi_fail_at(__VA_ARGS__), bi_minus_one())
/* Positional argument i as a number, or -1 with a TypeError. */
int bi_num(bi_args *a, int i, double *x);
/* The keyword argument called name, or NULL when not given. */
const value *bi_kw(const bi_args *a, const char *name, const ast_node **at);

#endif
