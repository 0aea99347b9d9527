/* args.h: the arguments of a builtin call and the helpers that read them: numbers,
 * keywords, and numbers out of language values (for information theory, plots, ...).
 *
 *     bi_nums v;
 *     if (bi_nums_get(a, a->pos[0], a->pos_nodes[0], "entropy", &v) < 0) return -1;
 *     ... v.x[0 .. v.n), shape v.shape[0 .. v.ndim) ...
 *     bi_nums_free(&v);
 *
 * A value gives numbers when it is a number (shape ()), a list of numbers (n), a
 * rectangular list of lists of numbers (rows, cols), or an object whose type has
 * to_floats (a tensor (N, 784), a training history's losses): tables and plots take
 * tensors without knowing the tensor type. */
#ifndef LANG_ARGS_H
#define LANG_ARGS_H

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

/* Records an error at `at` (NULL: the call) and returns -1 (visibly, as sess_fail). */
void bi_fail_at(bi_args *a, const ast_node *at, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline int bi_minus_one(void) { return -1; }   /* a call: no unused-value warning */
#define bi_fail(...) (bi_fail_at(__VA_ARGS__), bi_minus_one())
/* Positional argument i as a number, or -1 with a TypeError. */
int bi_num(bi_args *a, int i, double *x);
/* The keyword argument called name, or NULL when not given. */
const value *bi_kw(const bi_args *a, const char *name, const ast_node **at);

typedef struct bi_nums {
    double *x;      /* n numbers, row-major, malloc'd (owned) */
    size_t n;
    int shape[4];   /* shape[0 .. ndim) */
    int ndim;       /* 0 for a single number */
} bi_nums;

/* Fills *out from v (borrowed). On failure records a TypeError at `at` that names
 * `who` ("entropy() needs a list of numbers, not a string") and returns -1, with
 * *out zeroed. */
int bi_nums_get(bi_args *a, value v, const ast_node *at, const char *who, bi_nums *out);
void bi_nums_free(bi_nums *v);

/* Whether v can give numbers (a number, a list, an object with to_floats). */
int bi_nums_ok(value v);

/* A new list value of n numbers, or -1 with a MemoryError. */
int bi_list_of(bi_args *a, const double *x, size_t n, value *out);

/* A keyword that must be a bool: *on gets its value, or dflt when not given. */
int bi_kw_bool(bi_args *a, const char *name, int dflt, int *on);
/* A keyword that must be a string: its text (borrowed), or dflt (may be NULL). */
int bi_kw_text(bi_args *a, const char *name, const char *dflt, const char **text);
/* A keyword that must be a whole number in [lo, hi]: *x, or dflt when not given. */
int bi_kw_int(bi_args *a, const char *name, long dflt, long lo, long hi, long *x);

/* A new string value, or -1 with a MemoryError. */
int bi_str_of(bi_args *a, const char *s, size_t n, value *out);

#endif
