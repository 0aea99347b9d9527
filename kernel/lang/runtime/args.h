/* args.h: numbers out of language values, for the builtins of information theory
 * (bi_info.c) and plots (bi_plot.c).
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

#include "registry.h"

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
