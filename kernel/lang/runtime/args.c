/* args.c: the arguments of builtin calls: errors, numbers, keywords, and numbers out
 * of language values (see args.h). */
#include "args.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sess.h"

void bi_fail_at(bi_args *a, const ast_node *at, const char *name, const char *fmt, ...)
{
    va_list ap;
    char msg[sizeof a->s->err.msg];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sess_fail_at(a->s, at ? at : a->call, name, "%s", msg);
}

int bi_num(bi_args *a, int i, double *x)
{
    if (!IS_NUM(a->pos[i]))
        return bi_fail(a, a->pos_nodes[i], "TypeError", "argument %d must be a number, not %s",
                       i + 1, val_type_name(a->pos[i]));
    *x = AS_NUM(a->pos[i]);
    return 0;
}

const value *bi_kw(const bi_args *a, const char *name, const ast_node **at)
{
    for (int i = 0; i < a->nkw; i++) {
        if (strcmp(a->kw_keys[i]->text, name) != 0) continue;
        if (at) *at = a->kw_keys[i];
        return &a->kw[i];
    }
    return NULL;
}

int bi_nums_ok(value v)
{
    return IS_NUM(v) || IS_LIST(v) || (IS_OBJ(v) && AS_OBJ(v)->type->to_floats);
}

/* The numbers of an object with to_floats. */
static int bi_nums_obj(bi_args *a, value v, const ast_node *at, const char *who, bi_nums *out)
{
    size_t n = 0;
    int shape[4] = {0}, ndim = 0;
    float *f = AS_OBJ(v)->type->to_floats(AS_OBJ(v)->data, &n, shape, &ndim);
    if (!f) return bi_fail(a, at, "TypeError", "%s() cannot read numbers from this %s", who, val_type_name(v));
    out->x = malloc((n ? n : 1) * sizeof *out->x);
    if (!out->x) { free(f); return bi_fail(a, at, "MemoryError", "out of memory"); }
    for (size_t i = 0; i < n; i++) out->x[i] = f[i];
    free(f);
    out->n = n;
    out->ndim = ndim < 0 ? 0 : ndim > 4 ? 4 : ndim;
    memcpy(out->shape, shape, sizeof shape);
    return 0;
}

/* The item count of a row of a list of lists, or -1 if it is not a list of numbers. */
static long bi_row_len(value row)
{
    if (!IS_LIST(row)) return -1;
    for (size_t j = 0; j < AS_LIST(row)->n; j++)
        if (!IS_NUM(AS_LIST(row)->items[j])) return -1;
    return (long)AS_LIST(row)->n;
}

/* The numbers of a list of numbers or a rectangular list of lists of numbers. */
static int bi_nums_list(bi_args *a, val_list *l, const ast_node *at, const char *who, bi_nums *out)
{
    int nested = l->n > 0 && IS_LIST(l->items[0]);
    size_t i = 0;
    size_t cols = nested ? AS_LIST(l->items[0])->n : 1, total = l->n * cols;
    out->x = malloc((total ? total : 1) * sizeof *out->x);
    if (!out->x) return bi_fail(a, at, "MemoryError", "out of memory");
    for (i = 0; i < l->n; i++) {
        value it = l->items[i];
        if (!nested) {
            if (!IS_NUM(it)) goto bad_item;
            out->x[i] = AS_NUM(it);
            continue;
        }
        long len = bi_row_len(it);
        if (len < 0) goto bad_item;
        if ((size_t)len != cols) {
            free(out->x); out->x = NULL;
            return bi_fail(a, at, "ValueError", "%s(): the rows have different lengths (row 0 has %zu numbers, row %zu has %ld)",
                           who, cols, i, len);
        }
        for (size_t j = 0; j < cols; j++) out->x[i * cols + j] = AS_NUM(AS_LIST(it)->items[j]);
    }
    out->n = total;
    out->ndim = nested ? 2 : 1;
    out->shape[0] = (int)l->n;
    out->shape[1] = (int)cols;
    return 0;
bad_item:
    free(out->x); out->x = NULL;
    return bi_fail(a, at, "TypeError", "%s() needs numbers, but item %zu is %s %s", who, i,
                   val_a(l->items[i]), val_type_name(l->items[i]));
}

int bi_nums_get(bi_args *a, value v, const ast_node *at, const char *who, bi_nums *out)
{
    memset(out, 0, sizeof *out);
    if (IS_NUM(v)) {
        out->x = malloc(sizeof *out->x);
        if (!out->x) return bi_fail(a, at, "MemoryError", "out of memory");
        out->x[0] = AS_NUM(v);
        out->n = 1;
        return 0;
    }
    if (IS_LIST(v)) return bi_nums_list(a, AS_LIST(v), at, who, out);
    if (IS_OBJ(v) && AS_OBJ(v)->type->to_floats) return bi_nums_obj(a, v, at, who, out);
    return bi_fail(a, at, "TypeError", "%s() needs a list of numbers, not %s %s", who, val_a(v), val_type_name(v));
}

void bi_nums_free(bi_nums *v)
{
    free(v->x);
    memset(v, 0, sizeof *v);
}

int bi_list_of(bi_args *a, const double *x, size_t n, value *out)
{
    val_list *l = val_list_new(n);
    if (!l) return bi_fail(a, NULL, "MemoryError", "out of memory");
    for (size_t i = 0; i < n; i++)
        if (val_list_push(l, NUM_VAL(x[i])) < 0) {
            val_decref(LIST_VAL(l));
            return bi_fail(a, NULL, "MemoryError", "out of memory");
        }
    *out = LIST_VAL(l);
    return 0;
}

int bi_kw_bool(bi_args *a, const char *name, int dflt, int *on)
{
    const ast_node *at;
    const value *v = bi_kw(a, name, &at);
    *on = dflt;
    if (!v || IS_NONE(*v)) return 0;
    if (!IS_BOOL(*v)) return bi_fail(a, at, "TypeError", "%s must be true or false, not %s %s", name, val_a(*v), val_type_name(*v));
    *on = AS_BOOL(*v);
    return 0;
}

int bi_kw_text(bi_args *a, const char *name, const char *dflt, const char **text)
{
    const ast_node *at;
    const value *v = bi_kw(a, name, &at);
    *text = dflt;
    if (!v || IS_NONE(*v)) return 0;
    if (!IS_STR(*v)) return bi_fail(a, at, "TypeError", "%s must be a string, not %s %s", name, val_a(*v), val_type_name(*v));
    *text = AS_STR(*v)->chars;
    return 0;
}

int bi_kw_int(bi_args *a, const char *name, long dflt, long lo, long hi, long *x)
{
    const ast_node *at;
    const value *v = bi_kw(a, name, &at);
    *x = dflt;
    if (!v || IS_NONE(*v)) return 0;
    if (!IS_NUM(*v) || AS_NUM(*v) != floor(AS_NUM(*v)) || AS_NUM(*v) < lo || AS_NUM(*v) > hi)
        return bi_fail(a, at, "ValueError", "%s must be a whole number from %ld to %ld", name, lo, hi);
    *x = (long)AS_NUM(*v);
    return 0;
}

int bi_str_of(bi_args *a, const char *s, size_t n, value *out)
{
    val_str *str = val_str_new(s, n);
    if (!str) return bi_fail(a, NULL, "MemoryError", "out of memory");
    *out = STR_VAL(str);
    return 0;
}
