/* bi_tensor.c: tensor values (see bi_tensor.h): the context, the value type
 * (display, operators, indexing, to_floats) and the tensor builtins. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"
#include "ops_math.h"
#include "bi_tensor.h"

/* ---- the context ----------------------------------------------------------- */

tc_ctx *tc_get(lt_session *s, const ast_node *at)
{
    if (s->tc) return s->tc;
    tc_ctx *tc = calloc(1, sizeof *tc);
    if (tc) tc->g = graph_new();
    if (!tc || !tc->g) {
        free(tc);
        sess_fail(s, at, "MemoryError", "out of memory");
        return NULL;
    }
    graph_set_recording(tc->g, 0);
    rng_seed(&tc->r, 0);
    tc->progress_after = 1.0;
    tc->live_after = 1.0;
    s->tc = tc;
    return tc;
}

static void tc_unpin(tc_ctx *tc)
{
    for (int i = 0; i < tc->npins; i++) tensor_free(tc->pins[i]);
    tc->npins = 0;
}

static void tc_free(tc_ctx *tc)
{
    if (!tc) return;
    if (tc->resume.data) val_decref(OBJ_VAL((val_obj *)tc->resume.data));
    tc_unpin(tc);
    free(tc->pins);
    graph_free(tc->g);
    free(tc);
}

/* Keeps heap tensor t alive until the next reset (arena views may borrow its floats). */
static int tc_pin(tc_ctx *tc, const lt_tensor *t)
{
    if (tc->npins == tc->cap_pins) {
        int cap = tc->cap_pins ? 2 * tc->cap_pins : 16;
        lt_tensor **p = realloc(tc->pins, (size_t)cap * sizeof *p);
        if (!p) return -1;
        tc->pins = p;
        tc->cap_pins = cap;
    }
    lt_tensor *k = tensor_keep(t);
    if (!k) return -1;
    tc->pins[tc->npins++] = k;
    return 0;
}

/* Moves an arena tensor value (of the current generation) to the heap. */
static void tc_promote(tc_ctx *tc, value v, int depth)
{
    if (IS_LIST(v) && depth < VAL_MAX_NEST) {
        for (size_t i = 0; i < AS_LIST(v)->n; i++) tc_promote(tc, AS_LIST(v)->items[i], depth + 1);
        return;
    }
    if (!tv_is(v)) return;
    tval *tv = AS_OBJ(v)->data;
    if (!tv->arena || tv->gen != tc->gen) return;
    lt_tensor *h = tensor_keep(tv->t);
    if (!h) return;   /* out of memory: the value goes stale (an error when used) */
    tv->t = h;
    tv->arena = 0;
}

void tc_reset(lt_session *s)
{
    tc_ctx *tc = s->tc;
    if (!tc) return;
    for (env *e = s->globals; e; e = e == s->locals ? NULL : s->locals) {
        for (size_t i = 0; i < env_slots(e); i++)
            if (env_name(e, i)) tc_promote(tc, *env_value(e, i), 0);
        if (!s->locals) break;
    }
    graph_reset(tc->g);
    tc_unpin(tc);
    tc->gen++;
}

/* ---- the value type -------------------------------------------------------- */

static void tv_free(void *data)
{
    tval *tv = data;
    if (!tv->arena) tensor_free(tv->t);
    free(tv);
}

int tv_is(value v)
{
    return IS_OBJ(v) && AS_OBJ(v)->type == &tv_type;
}

/* One number as numpy prints a float32: 6 significant digits, no trailing zeros. */
static void tv_num(float x, buf *out)
{
    if (x == 0) { buf_puts(out, "0"); return; }
    if (isnan(x)) { buf_puts(out, "nan"); return; }
    if (isinf(x)) { buf_puts(out, x < 0 ? "-inf" : "inf"); return; }
    buf_printf(out, "%.6g", (double)x);
}

enum { TV_EDGE = 3 };   /* items shown at each end of a long dimension */

/* Like numpy: a tensor of more than TV_SUMMARY elements shows TV_EDGE items at each
 * end of every long dimension. */
enum { TV_SUMMARY = 1000 };

static void tv_repr_dim(const lt_tensor *t, int d, ptrdiff_t off, int indent, int cut, buf *out)
{
    if (d == t->ndim) { tv_num(t->data[off], out); return; }
    int n = t->shape[d];
    buf_putc(out, '[');
    for (int i = 0; i < n; i++) {
        if (cut && n > 2 * TV_EDGE && i == TV_EDGE) {
            buf_puts(out, d == t->ndim - 1 ? "..., " : "...,\n");
            if (d < t->ndim - 1) buf_printf(out, "%*s", indent + 1, "");
            i = n - TV_EDGE;
        }
        tv_repr_dim(t, d + 1, off + i * t->stride[d], indent + 1, cut, out);
        if (i == n - 1) break;
        buf_putc(out, ',');
        if (d == t->ndim - 1) buf_putc(out, ' ');
        else buf_printf(out, "%s%*s", d < t->ndim - 2 ? "\n\n" : "\n", indent + 1, "");
    }
    buf_putc(out, ']');
}

void tv_repr(const lt_tensor *t, buf *out)
{
    char shape[64];
    if (t->ndim == 0) {   /* a scalar (a loss inside a train body): one line, as PyTorch prints it */
        buf_puts(out, "tensor(");
        tv_num(t->data[0], out);
        buf_putc(out, ')');
        return;
    }
    buf_printf(out, "tensor %s float32\n", tensor_shape_str(t, shape, sizeof shape));
    tv_repr_dim(t, 0, 0, 0, tensor_numel(t) > TV_SUMMARY, out);
}

static void tv_repr_value(const void *data, buf *out)
{
    const tval *tv = data;
    if (tv->arena && tv->gen != tv->tc->gen) { buf_puts(out, "<tensor from a finished training step>"); return; }
    tv_repr(tv->t, out);
}

static float *tv_to_floats(void *data, size_t *n, int shape[4], int *ndim)
{
    tval *tv = data;
    if (tv->arena && tv->gen != tv->tc->gen) return NULL;
    *n = tensor_numel(tv->t);
    float *x = malloc((*n ? *n : 1) * sizeof *x);
    if (!x) return NULL;
    tensor_copy_out(tv->t, x);
    *ndim = tv->t->ndim;
    for (int d = 0; d < 4; d++) shape[d] = d < tv->t->ndim ? tv->t->shape[d] : 1;
    return x;
}



/* ---- values <-> engine tensors ------------------------------------------- */

int tv_fail(lt_session *s, const ast_node *at)
{
    lt_status st = lt_errstatus();   /* the kind core reported, not guessed from the text */
    return sess_fail(s, at, st == LT_OK ? "ValueError" : lt_status_name(st), "%s", lt_errmsg());
}

static int tv_wrap(lt_session *s, const ast_node *at, lt_tensor *t, int arena, value *out)
{
    tval *tv = malloc(sizeof *tv);
    if (!tv) { if (!arena) tensor_free(t); return sess_fail(s, at, "MemoryError", "out of memory"); }
    tv->t = t;
    tv->arena = arena;
    tv->gen = s->tc->gen;
    tv->tc = s->tc;
    val_obj *o = val_obj_new(&tv_type, tv);
    if (!o) return sess_fail(s, at, "MemoryError", "out of memory");
    *out = OBJ_VAL(o);
    return 0;
}

int tv_result_tensor(lt_session *s, const ast_node *at, lt_tensor *y, value *out)
{
    tc_ctx *tc = s->tc;
    if (!y) {
        tv_fail(s, at);
        if (!tc->training) tc_reset(s);
        return -1;
    }
    if (tc->training) return tv_wrap(s, at, y, 1, out);
    lt_tensor *h = tensor_keep(y);
    tc_reset(s);
    if (!h) return tv_fail(s, at);
    return tv_wrap(s, at, h, 0, out);
}

double tv_float_num(float x)
{
    char text[32];
    snprintf(text, sizeof text, "%.7g", (double)x);
    return strtod(text, NULL);
}

int tv_result(lt_session *s, const ast_node *at, lt_tensor *y, value *out)
{
    if (y && y->ndim == 0 && !s->tc->training) {
        *out = NUM_VAL(tv_float_num(y->data[0]));
        tc_reset(s);
        return 0;
    }
    return tv_result_tensor(s, at, y, out);
}

/* The shape of a nested list of numbers (ndim levels); -1 when ragged or not numbers. */
static int tv_list_shape(value v, int depth, int *ndim, int *shape)
{
    if (IS_NUM(v) || IS_BOOL(v)) {
        if (*ndim < 0) *ndim = depth;
        return *ndim == depth ? 0 : -1;
    }
    if (!IS_LIST(v) || depth >= LT_MAXDIM) return -1;
    if (*ndim >= 0 && depth >= *ndim) return -1;
    size_t n = AS_LIST(v)->n;
    if (shape[depth] < 0) shape[depth] = (int)n;
    else if ((size_t)shape[depth] != n) return -1;
    if (n == 0) { if (*ndim < 0) *ndim = depth + 1; return *ndim == depth + 1 ? 0 : -1; }
    for (size_t i = 0; i < n; i++)
        if (tv_list_shape(AS_LIST(v)->items[i], depth + 1, ndim, shape) < 0) return -1;
    return 0;
}

static void tv_list_fill(value v, float **p)
{
    if (IS_NUM(v)) { *(*p)++ = (float)AS_NUM(v); return; }
    if (IS_BOOL(v)) { *(*p)++ = (float)AS_BOOL(v); return; }
    for (size_t i = 0; i < AS_LIST(v)->n; i++) tv_list_fill(AS_LIST(v)->items[i], p);
}

static int tv_from_list(lt_session *s, const ast_node *at, value v, lt_tensor **t)
{
    int ndim = -1, shape[LT_MAXDIM] = {-1, -1, -1, -1};
    if (tv_list_shape(v, 0, &ndim, shape) < 0)
        return sess_fail(s, at, "ValueError",
                         "a tensor needs a list of numbers, or of equal-length lists (up to %d levels)", LT_MAXDIM);
    *t = graph_tensor(s->tc->g, ndim, shape);
    if (!*t) return tv_fail(s, at);
    float *p = (*t)->data;
    tv_list_fill(v, &p);
    return 0;
}

int tv_arg(lt_session *s, const ast_node *at, value v, lt_tensor **t)
{
    tc_ctx *tc = tc_get(s, at);
    if (!tc) return -1;
    if (IS_NUM(v)) {
        *t = op_scalar(tc->g, (float)AS_NUM(v));
        return *t ? 0 : tv_fail(s, at);
    }
    if (IS_LIST(v)) return tv_from_list(s, at, v, t);
    if (!tv_is(v))
        return sess_fail(s, at, "TypeError", "expected a tensor, a number or a list, not %s", val_type_name(v));
    tval *tv = AS_OBJ(v)->data;
    if (tv->arena && tv->gen != tc->gen)
        return sess_fail(s, at, "ValueError", "this tensor belonged to a finished training step");
    if (!tv->arena && tc->training && tc_pin(tc, tv->t) < 0)
        return sess_fail(s, at, "MemoryError", "out of memory");
    *t = tv->t;
    return 0;
}

/* ---- operators ------------------------------------------------------------- */

static int tv_is_cmp(int op)
{
    return op == TOK_LT || op == TOK_LE || op == TOK_GT || op == TOK_GE || op == TOK_EQ || op == TOK_NE;
}

/* a OP b for a comparison: 1 or 0 per element of the broadcast shapes [no grad]; a bool
 * when both are scalars. */
static int tv_compare(lt_session *s, const ast_node *at, int op, lt_tensor *x, lt_tensor *y, value *out)
{
    lt_cmp c = op == TOK_LT ? LT_CMP_LT : op == TOK_LE ? LT_CMP_LE : op == TOK_GT ? LT_CMP_GT
             : op == TOK_GE ? LT_CMP_GE : op == TOK_EQ ? LT_CMP_EQ : LT_CMP_NE;
    lt_tensor *r = op_compare(s->tc->g, x, y, c);   /* broadcasts, checks shapes; IEEE NaN */
    if (r) {
        if (r->ndim == 0) {   /* a loss < 0.1 inside a train body: a bool, usable in if */
            *out = BOOL_VAL(r->data[0] != 0);
            if (!s->tc->training) tc_reset(s);
            return 0;
        }
    }
    return tv_result_tensor(s, at, r, out);
}

static int tv_binop(lt_session *s, const ast_node *at, int op, value a, value b, value *out)
{
    int numeric = (IS_NUM(a) || IS_LIST(a) || tv_is(a)) && (IS_NUM(b) || IS_LIST(b) || tv_is(b));
    if ((op == TOK_EQ || op == TOK_NE) && !numeric) {   /* t == "a": never equal, as numpy */
        *out = BOOL_VAL(op == TOK_NE);
        return 0;
    }
    if (op == TOK_PERCENT)
        return sess_fail(s, at, "TypeError", "unsupported operator %s for tensors", lex_kind_name((tok_kind)op));
    if (!numeric)
        return sess_fail(s, at, "TypeError", "unsupported operand types for %s: '%s' and '%s'",
                         lex_kind_name((tok_kind)op), val_type_name(a), val_type_name(b));
    lt_tensor *x, *y;
    if (tc_get(s, at) == NULL) return -1;
    lt_graph *g = s->tc->g;
    if (tv_is_cmp(op)) {
        if (tv_arg(s, at, a, &x) < 0 || tv_arg(s, at, b, &y) < 0) return -1;
        return tv_compare(s, at, op, x, y, out);
    }
    if (op == TOK_CARET) {
        if (!IS_NUM(b)) return sess_fail(s, at, "TypeError", "a tensor's power must be a number, not %s", val_type_name(b));
        if (tv_arg(s, at, a, &x) < 0) return -1;
        return tv_result(s, at, op_pow(g, x, (float)AS_NUM(b)), out);
    }
    if (IS_NUM(b) && op != TOK_CARET) {   /* tensor op number: one affine node */
        float c = (float)AS_NUM(b);
        if (tv_arg(s, at, a, &x) < 0) return -1;
        if (op == TOK_SLASH && c == 0) return sess_fail(s, at, "ZeroDivisionError", "division by zero");
        float m = op == TOK_STAR ? c : op == TOK_SLASH ? 1.0f / c : 1.0f;
        float k = op == TOK_PLUS ? c : op == TOK_MINUS ? -c : 0.0f;
        return tv_result(s, at, op_affine(g, x, m, k), out);
    }
    if (IS_NUM(a) && op != TOK_SLASH) {   /* number op tensor */
        float c = (float)AS_NUM(a);
        if (tv_arg(s, at, b, &y) < 0) return -1;
        float m = op == TOK_STAR ? c : op == TOK_MINUS ? -1.0f : 1.0f;
        float k = op == TOK_STAR ? 0.0f : c;
        return tv_result(s, at, op_affine(g, y, m, k), out);
    }
    if (tv_arg(s, at, a, &x) < 0 || tv_arg(s, at, b, &y) < 0) return -1;
    lt_tensor *r = op == TOK_PLUS ? op_add(g, x, y) : op == TOK_MINUS ? op_sub(g, x, y)
                 : op == TOK_STAR ? op_mul(g, x, y) : op_div(g, x, y);
    return tv_result(s, at, r, out);
}

/* ---- indexing ---------------------------------------------------------------- */

static int tv_whole(lt_session *s, const ast_node *at, value v, const char *what, long *i)
{
    if (!IS_NUM(v) || AS_NUM(v) != floor(AS_NUM(v)) || fabs(AS_NUM(v)) > 1e9)
        return sess_fail(s, at, "TypeError", "a tensor %s must be a whole number, not %s",
                         what, IS_NUM(v) ? "a fraction" : val_type_name(v));
    *i = (long)AS_NUM(v);
    return 0;
}

/* A Python slice start:stop of a dimension of size n, clamped. */
static int tv_slice_bounds(lt_session *s, const ast_node *at, const val_index *e, int n, int *lo, int *hi)
{
    long a = 0, b = n;
    if (!IS_NONE(e->start) && tv_whole(s, at, e->start, "slice bound", &a) < 0) return -1;
    if (!IS_NONE(e->stop) && tv_whole(s, at, e->stop, "slice bound", &b) < 0) return -1;
    if (a < 0) a += n;
    if (b < 0) b += n;
    a = a < 0 ? 0 : a > n ? n : a;
    b = b < a ? a : b > n ? n : b;
    *lo = (int)a;
    *hi = (int)b;
    return 0;
}

/* x[ix...] on engine tensor x. */
static int tv_subscript(lt_session *s, const ast_node *at, lt_tensor *x, const val_index *ix, int n, value *out)
{
    lt_graph *g = s->tc->g;
    int axis = 0;
    char shape[64];
    if (n > x->ndim)
        return sess_fail(s, at, "IndexError", "%d indices for a tensor of shape %s", n,
                         tensor_shape_str(x, shape, sizeof shape));
    for (int k = 0; k < n && x; k++) {
        const val_index *e = &ix[k];
        if (e->slice) {
            int lo, hi;
            if (tv_slice_bounds(s, at, e, x->shape[axis], &lo, &hi) < 0) return -1;
            x = op_slice(g, x, axis++, lo, hi, 1);
        } else if (tv_is(e->v) || IS_LIST(e->v)) {
            lt_tensor *idx;
            if (axis != 0 || n != 1)
                return sess_fail(s, at, "IndexError", "a tensor of indices must be the only index (x[t])");
            if (tv_arg(s, at, e->v, &idx) < 0) return -1;
            x = op_gather(g, x, idx);
        } else {
            long i;
            if (tv_whole(s, at, e->v, "index", &i) < 0) return -1;
            long len = x->shape[axis];
            if (i < -len || i >= len)
                return sess_fail(s, at, "IndexError", "index %ld out of range for dimension %d of shape %s",
                                 i, axis, tensor_shape_str(x, shape, sizeof shape));
            x = op_select(g, x, axis, (int)(i < 0 ? i + len : i));
        }
    }
    return tv_result(s, at, x, out);
}

/* x[...] on a tensor value (val_type.index): a heap tensor is pinned for this step,
 * since the result may be an arena view of its floats. */
static int tv_index_data(lt_session *s, const ast_node *at, void *data, const val_index *ix, int n, value *out)
{
    tval *tv = data;
    if (!tc_get(s, at)) return -1;
    if (tv->arena && tv->gen != s->tc->gen)
        return sess_fail(s, at, "ValueError", "this tensor belonged to a finished training step");
    if (!tv->arena && s->tc->training && tc_pin(s->tc, tv->t) < 0)
        return sess_fail(s, at, "MemoryError", "out of memory");
    return tv_subscript(s, at, tv->t, ix, n, out);
}

/* ---- argument helpers ------------------------------------------------------ */

static int ta(bi_args *a, int i, lt_tensor **t)
{
    return tv_arg(a->s, a->pos_nodes[i], a->pos[i], t);
}

/* A shape from the positional arguments from..npos (numbers), or one list argument. */
static int ta_shape(bi_args *a, int from, int *ndim, int *shape)
{
    const value *v = a->pos + from;
    int n = a->npos - from;
    if (n == 1 && IS_LIST(v[0])) { v = AS_LIST(v[0])->items; n = (int)AS_LIST(a->pos[from])->n; }
    if (n > LT_MAXDIM) return bi_fail(a, NULL, "ValueError", "tensors have at most %d dimensions, got %d", LT_MAXDIM, n);
    for (int i = 0; i < n; i++) {
        if (!IS_NUM(v[i]) || AS_NUM(v[i]) != floor(AS_NUM(v[i])) || AS_NUM(v[i]) < 0 || AS_NUM(v[i]) > 1e9)
            return bi_fail(a, NULL, "ValueError", "a dimension must be a whole number >= 0");
        shape[i] = (int)AS_NUM(v[i]);
    }
    *ndim = n;
    return 0;
}

/* An integer keyword (e.g. axis), dflt when absent. */
static int ta_kw_int(bi_args *a, const char *name, int dflt, int *x, int *given)
{
    const ast_node *at;
    const value *v = bi_kw(a, name, &at);
    if (given) *given = v != NULL;
    if (!v || IS_NONE(*v)) { *x = dflt; if (given) *given = 0; return 0; }
    if (IS_BOOL(*v)) { *x = AS_BOOL(*v); return 0; }
    if (!IS_NUM(*v) || AS_NUM(*v) != floor(AS_NUM(*v)) || fabs(AS_NUM(*v)) > 1e9)   /* fits an int */
        return bi_fail(a, at, "TypeError", "%s must be a whole number", name);
    *x = (int)AS_NUM(*v);
    return 0;
}

#define TA_GRAPH(a) (tc_get((a)->s, (a)->call) ? (a)->s->tc->g : NULL)

/* ---- making tensors ------------------------------------------------------- */

static int bt_tensor(bi_args *a, value *out)
{
    lt_tensor *t;
    if (!tc_get(a->s, a->call)) return -1;
    if (tv_is(a->pos[0])) { if (ta(a, 0, &t) < 0) return -1; t = op_contiguous(a->s->tc->g, t); }
    else if (ta(a, 0, &t) < 0) return -1;
    return tv_result_tensor(a->s, a->call, t, out);
}

static int bt_fill(bi_args *a, value *out, float x)
{
    int ndim, shape[LT_MAXDIM];
    lt_graph *g = TA_GRAPH(a);
    if (!g || ta_shape(a, 0, &ndim, shape) < 0) return -1;
    return tv_result_tensor(a->s, a->call, op_full(g, ndim, shape, x), out);
}
static int bt_zeros(bi_args *a, value *out) { return bt_fill(a, out, 0.0f); }
static int bt_ones(bi_args *a, value *out) { return bt_fill(a, out, 1.0f); }

static int bt_random(bi_args *a, value *out, int normal)
{
    int ndim, shape[LT_MAXDIM];
    lt_graph *g = TA_GRAPH(a);
    if (!g || ta_shape(a, 0, &ndim, shape) < 0) return -1;
    rng *r = &a->s->tc->r;
    return tv_result_tensor(a->s, a->call, normal ? op_randn(g, r, ndim, shape) : op_rand(g, r, ndim, shape), out);
}
static int bt_randn(bi_args *a, value *out) { return bt_random(a, out, 1); }
static int bt_rand(bi_args *a, value *out) { return bt_random(a, out, 0); }

static int bt_randn_like(bi_args *a, value *out)
{
    lt_tensor *t;
    if (ta(a, 0, &t) < 0) return -1;
    return tv_result_tensor(a->s, a->call, op_randn(a->s->tc->g, &a->s->tc->r, t->ndim, t->shape), out);
}

static int bt_zeros_like(bi_args *a, value *out)
{
    lt_tensor *t;
    if (ta(a, 0, &t) < 0) return -1;
    return tv_result_tensor(a->s, a->call, op_full(a->s->tc->g, t->ndim, t->shape, 0.0f), out);
}

static int bt_randint(bi_args *a, value *out)
{
    double lo, hi, n;
    lt_graph *g = TA_GRAPH(a);
    if (!g || bi_num(a, 0, &lo) < 0 || bi_num(a, 1, &hi) < 0 || bi_num(a, 2, &n) < 0) return -1;
    if (lo != floor(lo) || hi != floor(hi) || n != floor(n) || n < 0 || n > 1e9 || hi <= lo || fabs(lo) > 1e7 || fabs(hi) > 1e7)
        return bi_fail(a, NULL, "ValueError", "randint(lo, hi, n) needs whole numbers with lo < hi and n >= 0");
    return tv_result_tensor(a->s, a->call, op_randint(g, &a->s->tc->r, (int)lo, (int)hi, (int)n), out);
}

static int bt_linspace(bi_args *a, value *out)
{
    double lo, hi, n;
    lt_graph *g = TA_GRAPH(a);
    if (!g || bi_num(a, 0, &lo) < 0 || bi_num(a, 1, &hi) < 0 || bi_num(a, 2, &n) < 0) return -1;
    if (n != floor(n) || n < 1 || n > 1e8) return bi_fail(a, a->pos_nodes[2], "ValueError", "linspace needs n >= 1 (a whole number)");
    return tv_result_tensor(a->s, a->call, op_linspace(g, (float)lo, (float)hi, (int)n), out);
}

static int bt_arange(bi_args *a, value *out)
{
    double x[3] = {0, 0, 1};
    lt_graph *g = TA_GRAPH(a);
    if (!g) return -1;
    for (int i = 0; i < a->npos; i++) if (bi_num(a, i, &x[i]) < 0) return -1;
    if (a->npos == 1) { x[1] = x[0]; x[0] = 0; }
    if (x[2] == 0) return bi_fail(a, NULL, "ValueError", "arange: step must not be 0");
    return tv_result_tensor(a->s, a->call, op_arange(g, (float)x[0], (float)x[1], (float)x[2]), out);
}

/* ---- element-wise and reductions -------------------------------------------- */

typedef lt_tensor *(*ta_unary_fn)(lt_graph *, lt_tensor *);

/* f(x), element-wise, for the first argument */
static int bt_unary(bi_args *a, value *out, ta_unary_fn f)
{
    lt_tensor *t;
    if (ta(a, 0, &t) < 0) return -1;
    return tv_result_tensor(a->s, a->call, f(a->s->tc->g, t), out);
}
static int bt_exp(bi_args *a, value *out) { return bt_unary(a, out, op_exp); }
static int bt_log(bi_args *a, value *out) { return bt_unary(a, out, op_log); }
static int bt_sqrt(bi_args *a, value *out) { return bt_unary(a, out, op_sqrt); }
static int bt_abs(bi_args *a, value *out) { return bt_unary(a, out, op_abs); }

/* Tensor activations: relu(x) applies; bare `relu` in seq(...) is a layer (bi_nn.c). */
int tv_relu(bi_args *a, value *out) { return bt_unary(a, out, op_relu); }
int tv_sigmoid(bi_args *a, value *out) { return bt_unary(a, out, op_sigmoid); }
int tv_tanh(bi_args *a, value *out) { return bt_unary(a, out, op_tanh); }
int tv_silu(bi_args *a, value *out) { return bt_unary(a, out, op_silu); }
int tv_softplus(bi_args *a, value *out) { return bt_unary(a, out, op_softplus); }

int tv_axes(bi_args *a, int *naxes, int *axes, int *given)
{
    const ast_node *at;
    const value *v = bi_kw(a, "axis", &at);
    *naxes = 0;
    *given = v && !IS_NONE(*v);
    if (!*given) return 0;
    const value *items = v;
    size_t n = 1;
    if (IS_LIST(*v)) {
        items = AS_LIST(*v)->items;
        n = AS_LIST(*v)->n;
        if (n < 1 || n > LT_MAXDIM)
            return bi_fail(a, at, "ValueError", "axis takes 1 to %d axes, got %zu", LT_MAXDIM, n);
    }
    for (size_t i = 0; i < n; i++) {
        if (!IS_NUM(items[i]) || AS_NUM(items[i]) != floor(AS_NUM(items[i])) || fabs(AS_NUM(items[i])) > 64)
            return bi_fail(a, at, "TypeError", "axis must be a whole number or a list of them, e.g. axis=[0, 2, 3]");
        axes[i] = (int)AS_NUM(items[i]);
    }
    *naxes = (int)n;
    return 0;
}

/* sum/mean/max/min(x, axis=[..], keepdim=) over several axes; kind names the reduction */
static int bt_reduce_axes(bi_args *a, value *out, const char *kind)
{
    lt_tensor *t;
    int naxes, axes[LT_MAXDIM], given, keep;
    if (ta(a, 0, &t) < 0 || tv_axes(a, &naxes, axes, &given) < 0 || ta_kw_int(a, "keepdim", 0, &keep, NULL) < 0)
        return -1;
    lt_graph *g = a->s->tc->g;
    lt_tensor *y;
    if (strcmp(kind, "sum") == 0) y = op_sum_axes(g, t, naxes, axes, keep);
    else if (strcmp(kind, "mean") == 0) y = op_mean_axes(g, t, naxes, axes, keep);
    else if (strcmp(kind, "max") == 0) y = op_max_axes(g, t, naxes, axes, keep);
    else y = op_neg(g, op_max_axes(g, op_neg(g, t), naxes, axes, keep));
    return tv_result(a->s, a->call, y, out);
}

typedef lt_tensor *(*ta_axis_fn)(lt_graph *, lt_tensor *, int, int);

/* sum/mean/max(x, axis=): all elements, or along one axis */
static int bt_reduce(bi_args *a, value *out, const char *name, ta_unary_fn all, ta_axis_fn along)
{
    int axis, given, keep;
    if (a->npos != 1) return bi_fail(a, NULL, "TypeError", "%s() of a tensor takes one tensor (%d given)", name, a->npos);
    const value *axes = bi_kw(a, "axis", NULL);
    if (axes && IS_LIST(*axes)) return bt_reduce_axes(a, out, name);   /* several axes: axis=[0, 2, 3] */
    lt_tensor *t;
    if (ta(a, 0, &t) < 0 || ta_kw_int(a, "axis", 0, &axis, &given) < 0 || ta_kw_int(a, "keepdim", 0, &keep, NULL) < 0)
        return -1;
    lt_graph *g = a->s->tc->g;
    return tv_result(a->s, a->call, given ? along(g, t, axis, keep) : all(g, t), out);
}
static int bt_sum(bi_args *a, value *out) { return bt_reduce(a, out, "sum", op_sum, op_sum_axis); }
static int bt_mean(bi_args *a, value *out)
{
    if (!tv_is(a->pos[0]) && !IS_LIST(a->pos[0]))
        return bi_fail(a, a->pos_nodes[0], "TypeError", "mean() needs a tensor or a list, not %s", val_type_name(a->pos[0]));
    if (IS_LIST(a->pos[0])) {
        lt_tensor *t;
        if (ta(a, 0, &t) < 0) return -1;
        return tv_result(a->s, a->call, op_mean(a->s->tc->g, t), out);
    }
    return bt_reduce(a, out, "mean", op_mean, op_mean_axis);
}
static int bt_max(bi_args *a, value *out) { return bt_reduce(a, out, "max", op_max, op_max_axis); }

/* min is -max(-x): the same reduction and gradient, no op of its own */
static lt_tensor *ta_min_all(lt_graph *g, lt_tensor *x) { return op_neg(g, op_max(g, op_neg(g, x))); }
static lt_tensor *ta_min_axis(lt_graph *g, lt_tensor *x, int axis, int keep)
{
    return op_neg(g, op_max_axis(g, op_neg(g, x), axis, keep));
}
static int bt_min(bi_args *a, value *out) { return bt_reduce(a, out, "min", ta_min_all, ta_min_axis); }

/* clamp(x, min=lo, max=hi): op_clamp, a missing bound infinite */
static int bt_clamp(bi_args *a, value *out)
{
    lt_tensor *x;
    const ast_node *at_lo, *at_hi;
    const value *lo = bi_kw(a, "min", &at_lo), *hi = bi_kw(a, "max", &at_hi);
    if (ta(a, 0, &x) < 0) return -1;
    if ((lo && !IS_NUM(*lo)) || (hi && !IS_NUM(*hi)))
        return bi_fail(a, lo && !IS_NUM(*lo) ? at_lo : at_hi, "TypeError", "clamp: min and max must be numbers");
    if (!lo && !hi) return bi_fail(a, NULL, "TypeError", "clamp needs min=, max= or both");
    if (lo && hi && AS_NUM(*lo) > AS_NUM(*hi))
        return bi_fail(a, NULL, "ValueError", "clamp: min (%g) is above max (%g)", AS_NUM(*lo), AS_NUM(*hi));
    float l = lo ? (float)AS_NUM(*lo) : -INFINITY, h = hi ? (float)AS_NUM(*hi) : INFINITY;
    /* a number gives a number, as exp(0.5) */
    return (IS_NUM(a->pos[0]) ? tv_result : tv_result_tensor)(a->s, a->call, op_clamp(a->s->tc->g, x, l, h), out);
}

static int bt_argmax(bi_args *a, value *out)
{
    int axis, given;
    lt_tensor *t;
    if (ta(a, 0, &t) < 0 || ta_kw_int(a, "axis", -1, &axis, &given) < 0) return -1;
    lt_graph *g = a->s->tc->g;
    if (!given) t = op_reshape(g, t, 1, (int[]){-1});
    return tv_result(a->s, a->call, op_argmax_axis(g, t, given ? axis : 0, 0), out);
}

static int bt_cum(bi_args *a, value *out, int prod)
{
    int axis;
    lt_tensor *t;
    if (ta(a, 0, &t) < 0 || ta_kw_int(a, "axis", 0, &axis, NULL) < 0) return -1;
    lt_graph *g = a->s->tc->g;
    return tv_result_tensor(a->s, a->call, prod ? op_cumprod(g, t, axis) : op_cumsum(g, t, axis), out);
}
static int bt_cumsum(bi_args *a, value *out) { return bt_cum(a, out, 0); }
static int bt_cumprod(bi_args *a, value *out) { return bt_cum(a, out, 1); }

static int bt_softmax(bi_args *a, value *out)
{
    int axis;
    lt_tensor *t;
    if (ta(a, 0, &t) < 0 || ta_kw_int(a, "axis", -1, &axis, NULL) < 0) return -1;
    return tv_result_tensor(a->s, a->call, op_softmax(a->s->tc->g, t, axis), out);
}

/* ---- shapes ------------------------------------------------------------------ */

static int bt_shape(bi_args *a, value *out)
{
    lt_tensor *t;
    int ndim, shape[LT_MAXDIM];
    value v = a->pos[0];
    if (tv_is(v)) {
        if (ta(a, 0, &t) < 0) return -1;
        ndim = t->ndim;
        memcpy(shape, t->shape, sizeof shape);
        if (!a->s->tc->training) tc_reset(a->s);
    } else if (IS_OBJ(v) && AS_OBJ(v)->type->to_floats) {   /* a history, a data set */
        size_t n;
        float *x = AS_OBJ(v)->type->to_floats(AS_OBJ(v)->data, &n, shape, &ndim);
        if (!x) return bi_fail(a, a->pos_nodes[0], "ValueError", "this %s has no numbers", val_type_name(v));
        free(x);
    } else {
        return bi_fail(a, a->pos_nodes[0], "TypeError", "shape() needs a tensor, not %s", val_type_name(v));
    }
    val_list *l = val_list_new((size_t)ndim);
    if (!l) return bi_fail(a, NULL, "MemoryError", "out of memory");
    for (int d = 0; d < ndim; d++) l->items[l->n++] = NUM_VAL(shape[d]);
    *out = LIST_VAL(l);
    return 0;
}

static int bt_reshape(bi_args *a, value *out)
{
    lt_tensor *t;
    int ndim, shape[LT_MAXDIM];
    if (ta(a, 0, &t) < 0) return -1;
    const value *v = a->pos + 1;
    int n = a->npos - 1;
    if (n == 1 && IS_LIST(v[0])) { v = AS_LIST(v[0])->items; n = (int)AS_LIST(a->pos[1])->n; }
    if (n > LT_MAXDIM) return bi_fail(a, NULL, "ValueError", "tensors have at most %d dimensions", LT_MAXDIM);
    for (int i = 0; i < n; i++) {
        if (!IS_NUM(v[i]) || AS_NUM(v[i]) != floor(AS_NUM(v[i])) || AS_NUM(v[i]) < -1)
            return bi_fail(a, NULL, "ValueError", "reshape: dimensions must be whole numbers (one may be -1)");
        shape[i] = (int)AS_NUM(v[i]);
    }
    ndim = n;
    return tv_result_tensor(a->s, a->call, op_reshape(a->s->tc->g, t, ndim, shape), out);
}

static int bt_transpose(bi_args *a, value *out)
{
    lt_tensor *t;
    double d0 = -2, d1 = -1;
    if (ta(a, 0, &t) < 0) return -1;
    if (a->npos == 3 && (bi_num(a, 1, &d0) < 0 || bi_num(a, 2, &d1) < 0)) return -1;
    if (a->npos == 2) return bi_fail(a, NULL, "TypeError", "transpose(x) or transpose(x, axis0, axis1)");
    if (t->ndim < 2) return bi_fail(a, a->pos_nodes[0], "ShapeError", "transpose needs at least 2 dimensions");
    return tv_result_tensor(a->s, a->call, op_transpose(a->s->tc->g, t, (int)d0, (int)d1), out);
}

/* concat(a, b, ..., axis=0) or concat([a, b, ...], axis=0) */
static int bt_concat(bi_args *a, value *out)
{
    int axis, n = a->npos;
    const value *v = a->pos;
    if (n == 1 && IS_LIST(v[0])) { n = (int)AS_LIST(v[0])->n; v = AS_LIST(v[0])->items; }
    if (n < 1 || n > 64) return bi_fail(a, NULL, "ValueError", "concat takes 1 to 64 tensors");
    lt_tensor *xs[64];
    for (int i = 0; i < n; i++)
        if (tv_arg(a->s, a->call, v[i], &xs[i]) < 0) return -1;
    /* networks join features (B, F) and channels (B, C, H, W): axis 1 unless 1-D */
    if (ta_kw_int(a, "axis", xs[0]->ndim >= 2 ? 1 : 0, &axis, NULL) < 0) return -1;
    return tv_result_tensor(a->s, a->call, op_concat(a->s->tc->g, xs, n, axis), out);
}

static int bt_detach(bi_args *a, value *out)
{
    lt_tensor *t;
    if (ta(a, 0, &t) < 0) return -1;
    return tv_result_tensor(a->s, a->call, op_detach(a->s->tc->g, t), out);
}

static int bt_matmul(bi_args *a, value *out)
{
    lt_tensor *x, *y;
    if (ta(a, 0, &x) < 0 || ta(a, 1, &y) < 0) return -1;
    return tv_result_tensor(a->s, a->call, op_matmul(a->s->tc->g, x, y), out);
}

static int bt_number(bi_args *a, value *out)
{
    lt_tensor *t;
    if (IS_NUM(a->pos[0])) { *out = a->pos[0]; return 0; }
    if (ta(a, 0, &t) < 0) return -1;
    if (tensor_numel(t) != 1) {
        char sh[64];
        return bi_fail(a, a->pos_nodes[0], "ValueError", "number() needs a tensor of one element, got shape %s",
                       tensor_shape_str(t, sh, sizeof sh));
    }
    *out = NUM_VAL(tv_float_num(tensor_get(t, 0)));
    if (!a->s->tc->training) tc_reset(a->s);
    return 0;
}

static const char *const bt_axis_kw[] = {"axis", "keepdim", NULL};
static const char *const bt_axis_only[] = {"axis", NULL};

static const char *const bt_clamp_kw[] = {"min", "max", NULL};

static const builtin bi_tensor_builtins[] = {
    {"clamp", "clamp(x, min=none, max=none)", "x with every element held inside [min, max] (either bound may be "
     "left out); the gradient passes where x is inside. Keeps a diffusion sample's estimate of x0 in [-1, 1].",
     "clamp(tensor([-2, 0.5, 3]), min=-1, max=1)\n# => tensor (3) float32\n# => [-1, 0.5, 1]",
     bt_clamp_kw, 1, 1, bt_clamp},
    {"tensor", "tensor(list)", "A float32 tensor from a list of numbers, or of equal-length lists (up to 4 levels).",
     "tensor([[1, 2], [3, 4]])\n# => tensor (2, 2) float32\n# => [[1, 2],\n# =>  [3, 4]]", NULL, 1, 1, bt_tensor},
    {"zeros", "zeros(d1, ..., dn)", "A tensor of zeros with the given shape (numbers or one list).",
     "zeros(2, 3)\n# => tensor (2, 3) float32\n# => [[0, 0, 0],\n# =>  [0, 0, 0]]", NULL, 0, 4, bt_zeros},
    {"ones", "ones(d1, ..., dn)", "A tensor of ones with the given shape.",
     "ones(3)\n# => tensor (3) float32\n# => [1, 1, 1]", NULL, 0, 4, bt_ones},
    {"randn", "randn(d1, ..., dn)", "Standard normal samples of the given shape (the session's seeded generator).",
     "shape(randn(64, 784))  # => [64, 784]", NULL, 0, 4, bt_randn},
    {"rand", "rand(d1, ..., dn)", "Uniform samples in [0, 1) of the given shape.",
     "x = rand(1000)\nprint(max(x) < 1, max(-x) <= 0)  # => true true", NULL, 0, 4, bt_rand},
    {"randint", "randint(lo, hi, n)", "n random whole numbers in [lo, hi) as a tensor (e.g. diffusion time steps).",
     "shape(randint(0, 1000, 128))  # => [128]", NULL, 3, 3, bt_randint},
    {"randn_like", "randn_like(x)", "Standard normal samples with x's shape.",
     "shape(randn_like(zeros(2, 3)))  # => [2, 3]", NULL, 1, 1, bt_randn_like},
    {"zeros_like", "zeros_like(x)", "Zeros with x's shape.",
     "sum(zeros_like(ones(2, 3)))  # => 0", NULL, 1, 1, bt_zeros_like},
    {"linspace", "linspace(a, b, n)", "n evenly spaced numbers from a to b, both included.",
     "linspace(0, 1, 5)\n# => tensor (5) float32\n# => [0, 0.25, 0.5, 0.75, 1]", NULL, 3, 3, bt_linspace},
    {"arange", "arange(stop) or arange(start, stop, step=1)", "Numbers from start (0) up to, not including, stop.",
     "arange(4)\n# => tensor (4) float32\n# => [0, 1, 2, 3]", NULL, 1, 3, bt_arange},
    {"cumsum", "cumsum(x, axis=0)", "Running sums along an axis.",
     "cumsum(tensor([1, 2, 3]))\n# => tensor (3) float32\n# => [1, 3, 6]", bt_axis_only, 1, 1, bt_cumsum},
    {"cumprod", "cumprod(x, axis=0)", "Running products along an axis (the diffusion schedule abar = cumprod(1 - beta)).",
     "cumprod(tensor([1, 2, 3]))\n# => tensor (3) float32\n# => [1, 2, 6]", bt_axis_only, 1, 1, bt_cumprod},
    {"mean", "mean(x, axis=none, keepdim=false)", "The mean of a tensor's (or a list's) elements, or along one axis.",
     "mean(tensor([1, 2, 3, 4]))  # => 2.5", bt_axis_kw, 1, 1, bt_mean},
    {"argmax", "argmax(x, axis=none)", "The position of the largest element (of the flattened tensor, or along an axis).",
     "argmax(tensor([[1, 5], [7, 2]]), axis=1)\n# => tensor (2) float32\n# => [1, 0]", bt_axis_only, 1, 1, bt_argmax},
    {"softmax", "softmax(x, axis=-1)", "exp(x) normalised to sum 1 along an axis.",
     "softmax(tensor([0, 0]))\n# => tensor (2) float32\n# => [0.5, 0.5]", bt_axis_only, 1, 1, bt_softmax},
    {"shape", "shape(x)", "A tensor's shape as a list.", "shape(zeros(2, 3))  # => [2, 3]", NULL, 1, 1, bt_shape},
    {"reshape", "reshape(x, d1, ..., dn)", "The same elements in a new shape (one dimension may be -1).",
     "shape(reshape(arange(6), 2, -1))  # => [2, 3]", NULL, 2, 5, bt_reshape},
    {"transpose", "transpose(x, axis0=-2, axis1=-1)", "Swaps two axes (by default the last two).",
     "shape(transpose(zeros(2, 3)))  # => [3, 2]", NULL, 1, 3, bt_transpose},
    {"concat", "concat(a, b, ..., axis=1)", "Joins tensors (or a list of tensors) along an existing axis: "
     "by default axis 1, the features of (B, F) rows or the channels of (B, C, H, W) maps, as a network's "
     "skip connection or [x, temb] input needs; axis 0 for 1-D tensors. axis=0 stacks rows.",
     "print(shape(concat(zeros(2, 3), ones(2, 1))), shape(concat(zeros(2, 3), ones(1, 3), axis=0)))  # => [2, 4] [3, 3]",
     bt_axis_only, 1, -1, bt_concat},
    {"detach", "detach(x)", "x without its gradient history: a step does not back-propagate through it "
     "(the GAN's discriminator step on fake samples).", "detach(ones(2))\n# => tensor (2) float32\n# => [1, 1]",
     NULL, 1, 1, bt_detach},
    {"matmul", "matmul(a, b)", "The matrix product of a (M, K) and b (K, N).",
     "matmul(tensor([[1, 2]]), tensor([[3], [4]]))\n# => tensor (1, 1) float32\n# => [[11]]", NULL, 2, 2, bt_matmul},
    {"number", "number(x)", "The value of a one-element tensor as a number.",
     "number(tensor([2.5]))  # => 2.5", NULL, 1, 1, bt_number},
    {0},
};

static int bt_len(bi_args *a, value *out)
{
    lt_tensor *t;
    if (ta(a, 0, &t) < 0) return -1;
    if (t->ndim == 0) return bi_fail(a, a->pos_nodes[0], "TypeError", "a tensor of shape () has no length");
    *out = NUM_VAL(t->shape[0]);
    return 0;
}

/* exp(t), sum(t), ...: the tensor overloads of number builtins (registry.h). */
static const builtin tv_methods[] = {
    {"len", "len(x)", "The size of a tensor's first dimension.", NULL, NULL, 1, 1, bt_len},
    {"exp", "exp(x)", "e to the power x; element-wise on a tensor.",
     "exp(tensor([0, 1]))\n# => tensor (2) float32\n# => [1, 2.71828]", NULL, 1, 1, bt_exp},
    {"log", "log(x)", "The natural logarithm; element-wise on a tensor.",
     "log(tensor([1]))\n# => tensor (1) float32\n# => [0]", NULL, 1, 1, bt_log},
    {"sqrt", "sqrt(x)", "The square root; element-wise on a tensor.",
     "sqrt(tensor([4, 9]))\n# => tensor (2) float32\n# => [2, 3]", NULL, 1, 1, bt_sqrt},
    {"abs", "abs(x)", "The absolute value; element-wise on a tensor.",
     "abs(tensor([-1, 2]))\n# => tensor (2) float32\n# => [1, 2]", NULL, 1, 1, bt_abs},
    {"sum", "sum(x, axis=none, keepdim=false)", "The sum of a tensor's elements, or along one axis.",
     "sum(tensor([[1, 2], [3, 4]]))  # => 10", bt_axis_kw, 1, -1, bt_sum},
    {"max", "max(x, axis=none, keepdim=false)", "The largest element of a tensor, or the maxima along one axis.",
     "max(tensor([1, 5, 2]))  # => 5", bt_axis_kw, 1, -1, bt_max},
    {"min", "min(x, axis=none, keepdim=false)", "The smallest element of a tensor, or the minima along one axis.",
     "min(tensor([1, 5, 2]))  # => 1", bt_axis_kw, 1, -1, bt_min},
    {0},
};

const val_type tv_type = {
    .name = "tensor", .free = tv_free, .repr = tv_repr_value, .to_floats = tv_to_floats,
    .binop = tv_binop, .index = tv_index_data,
};

/* The session ends: its tensor context goes. */
static void tc_close(lt_session *s)
{
    tc_free(s->tc);
    s->tc = NULL;
}

int lib_open_tensor(registry *r)
{
    if (reg_open(r, bi_tensor_builtins) < 0 || reg_open_on(r, &tv_type, tv_methods, 0) < 0) return -1;
    return reg_closer(r, tc_close);
}
