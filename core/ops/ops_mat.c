/* ops_mat.c: matmul and the fused linear layer op (x W^T + b, then an activation). */
/* Let GCC vectorise the element loops at -O2 (its default "very cheap" model skips any
 * loop whose length is unknown, i.e. all of them; no-trapping-math lets it turn the
 * selects of relu-like loops into vector blends. We never use floating-point traps). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("vect-cost-model=dynamic", "no-trapping-math")
#endif
#include "ops_internal.h"
#include "par.h"
#include "vmath.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* How a 2-d tensor reaches sgemm: its floats, a transpose flag and a row stride. */
typedef struct mat {
    const float *p;
    int trans, ld;
} mat;

/* x (rows, cols) as an sgemm operand without copying when its strides allow, else as a
 * contiguous arena copy. 0 after lt_fail. */
static int as_mat(lt_graph *g, const lt_tensor *x, mat *m)
{
    int rows = x->shape[0], cols = x->shape[1];
    ptrdiff_t s0 = x->stride[0], s1 = x->stride[1];
    if ((cols == 1 || s1 == 1) && (rows == 1 || (s0 >= cols && s0 > 0))) {
        *m = (mat){ x->data, 0, rows == 1 ? (cols > 0 ? cols : 1) : (int)s0 };
        return 1;
    }
    if ((rows == 1 || s0 == 1) && (cols == 1 || (s1 >= rows && s1 > 0))) {
        *m = (mat){ x->data, 1, cols == 1 ? (rows > 0 ? rows : 1) : (int)s1 };
        return 1;
    }
    const float *c = ops_contig(g, x);
    *m = (mat){ c, 0, cols > 0 ? cols : 1 };
    return c != NULL;
}

/* ---- matmul --------------------------------------------------------------------------------- */

/* aux: mat[2], the operands as the forward used them */
static void matmul_backward(lt_graph *g, lt_tensor *y)
{
    lt_tensor *a = y->in[0], *b = y->in[1];
    const mat *m = y->aux;
    int M = y->shape[0], N = y->shape[1], K = a->shape[1];
    int fa, fb;
    float *da = graph_grad_fresh(g, a, &fa), *db = graph_grad_fresh(g, b, &fb);
    if (da)   /* dA (M, K) += dY (M, N) B^T */
        sgemm(0, !m[1].trans, M, K, N, 1.0f, y->grad, N > 0 ? N : 1, m[1].p, m[1].ld,
                     fa ? 0.0f : 1.0f, da, K > 0 ? K : 1);
    if (db)   /* dB (K, N) += A^T dY */
        sgemm(!m[0].trans, 0, K, N, M, 1.0f, m[0].p, m[0].ld, y->grad, N > 0 ? N : 1,
                     fb ? 0.0f : 1.0f, db, N > 0 ? N : 1);
}

static const lt_opdef matmul_def = { "matmul", matmul_backward };

lt_tensor *op_matmul(lt_graph *g, lt_tensor *a, lt_tensor *b)
{
    if (!a || !b)
        return NULL;
    if (a->ndim != 2 || b->ndim != 2 || a->shape[1] != b->shape[0]) {
        char sa[64], sb[64];
        lt_fail(LT_ERR_SHAPE, "matmul: shapes %s and %s do not fit (need (M, K) and (K, N))",
                tensor_shape_str(a, sa, sizeof sa), tensor_shape_str(b, sb, sizeof sb));
        return NULL;
    }
    int M = a->shape[0], K = a->shape[1], N = b->shape[1];
    int shape[2] = { M, N };
    mat *m = graph_alloc(g, 2 * sizeof *m);
    if (!m || !as_mat(g, a, &m[0]) || !as_mat(g, b, &m[1]))
        return NULL;
    lt_tensor *y = graph_tensor(g, 2, shape);
    if (!y)
        return NULL;
    if (K == 0)
        memset(y->data, 0, tensor_numel(y) * sizeof(float));
    else
        sgemm(m[0].trans, m[1].trans, M, N, K, 1.0f, m[0].p, m[0].ld, m[1].p, m[1].ld,
                     0.0f, y->data, N > 0 ? N : 1);
    y->aux = m;
    lt_tensor *in[2] = { a, b };
    return graph_record(g, y, &matmul_def, in, 2);
}

/* ---- linear ---------------------------------------------------------------------------------- */

/* rows [r0, r1) of y (B, n) = act(y + b) in place; b may be NULL. Written as branch-free
 * loops that the compiler vectorises (1 / (1 + e^-x) is exact at both ends in IEEE floats). */
PAR_CLONED(static, bias_act_rows, (float *y, const float *b, int n, lt_act act, float alpha,
                                     size_t r0, size_t r1),
           (y, b, n, act, alpha, r0, r1))
{
    for (size_t i = r0; i < r1; i++) {
        float *r = y + i * n;
        if (b)
            for (int j = 0; j < n; j++) r[j] += b[j];
        switch (act) {
        case LT_ACT_NONE: break;
        case LT_ACT_RELU:   /* NaN stays NaN, as op_relu */
            for (int j = 0; j < n; j++) r[j] = r[j] <= 0.0f ? 0.0f : r[j];
            break;
        case LT_ACT_LEAKY_RELU:
            for (int j = 0; j < n; j++) r[j] = r[j] > 0.0f ? r[j] : alpha * r[j];
            break;
        case LT_ACT_SIGMOID: vm_sigmoid(r, (size_t)n); break;
        case LT_ACT_TANH: vm_tanh(r, (size_t)n); break;
        }
    }
}

/* dy (n) *= act'(.) in place, from the output y (dy is the node's own gradient, which
 * nothing reads after its backward) */
PAR_CLONED(static, act_grad, (const float *y, float *dy, size_t n, lt_act act, float alpha),
           (y, dy, n, act, alpha))
{
    switch (act) {
    case LT_ACT_NONE: break;
    case LT_ACT_RELU: for (size_t i = 0; i < n; i++) dy[i] = y[i] > 0.0f ? dy[i] : 0.0f; break;
    case LT_ACT_LEAKY_RELU:
        for (size_t i = 0; i < n; i++) dy[i] = y[i] > 0.0f ? dy[i] : alpha * dy[i];
        break;
    case LT_ACT_SIGMOID: for (size_t i = 0; i < n; i++) dy[i] *= y[i] * (1.0f - y[i]); break;
    case LT_ACT_TANH: for (size_t i = 0; i < n; i++) dy[i] *= 1.0f - y[i] * y[i]; break;
    }
}

/* db[c0 .. c1) += the column sums of d (B, n) */
PAR_CLONED(static, col_sums, (const float *d, int B, int n, float *db, size_t c0, size_t c1),
           (d, B, n, db, c0, c1))
{
    for (int i = 0; i < B; i++) {
        const float *r = d + (size_t)i * n;
        for (size_t j = c0; j < c1; j++) db[j] += r[j];
    }
}

/* The element loops of linear, over rows (forward) or elements / columns (backward) */
typedef struct lin_job {
    float *y, *db;
    const float *b;
    float *d;           /* backward: the node's gradient, scaled in place by act' */
    int B, n;
    lt_act act;
    float alpha;
} lin_job;

static void bias_act_part(void *c, size_t r0, size_t r1)
{
    const lin_job *j = c;
    bias_act_rows(j->y, j->b, j->n, j->act, j->alpha, r0, r1);
}

static void act_grad_part(void *c, size_t lo, size_t hi)
{
    const lin_job *j = c;
    act_grad(j->y + lo, j->d + lo, hi - lo, j->act, j->alpha);
}

static void col_sums_part(void *c, size_t c0, size_t c1)
{
    const lin_job *j = c;
    col_sums(j->d, j->B, j->n, j->db, c0, c1);
}

/* The rows (or columns) of a (rows, n) array worth a thread: about PAR_MIN elements
 * (fewer for the activations that call exp or tanh) */
static size_t rows_min(int n, lt_act act)
{
    size_t m = act == LT_ACT_SIGMOID || act == LT_ACT_TANH ? PAR_MIN / 4 : PAR_MIN;
    return m / (n > 0 ? (size_t)n : 1) + 1;
}

/* iparam[0] = act, fparam[0] = alpha, aux = mat[2] (x, w) */
static void linear_backward(lt_graph *g, lt_tensor *y)
{
    lt_tensor *x = y->in[0], *w = y->in[1], *b = y->nin > 2 ? y->in[2] : NULL;
    const mat *m = y->aux;
    int B = y->shape[0], out = y->shape[1], in = x->shape[1];
    int fx;
    float *dx = graph_grad_fresh(g, x, &fx), *dw = graph_grad(g, w), *db = b ? graph_grad(g, b) : NULL;
    if (!dx && !dw && !db)
        return;
    lin_job j = { y->data, db, NULL, y->grad, B, out, (lt_act)y->iparam[0], y->fparam[0] };
    if (j.act != LT_ACT_NONE)
        par_range((size_t)B * out, PAR_MIN, act_grad_part, &j);
    const float *d = y->grad;
    if (dw)   /* dW (out, in) += d^T (out, B) x (B, in) */
        sgemm(1, m[0].trans, out, in, B, 1.0f, d, out, m[0].p, m[0].ld, 1.0f, dw, in);
    if (db)
        par_range((size_t)out, rows_min(B, LT_ACT_NONE), col_sums_part, &j);
    if (dx)   /* dx (B, in) += d (B, out) W (out, in) */
        sgemm(0, m[1].trans, B, in, out, 1.0f, d, out, m[1].p, m[1].ld, fx ? 0.0f : 1.0f, dx, in);
}

static const lt_opdef linear_def = { "linear", linear_backward };

static lt_tensor *linear_shape_error(const lt_tensor *x, const lt_tensor *w, const lt_tensor *b,
                                     const char *name)
{
    char sx[64], sw[64], sb[64], nm[64];
    int out = w->ndim == 2 ? w->shape[0] : -1, in = w->ndim == 2 ? w->shape[1] : -1;
    if (!name) {
        snprintf(nm, sizeof nm, "linear(%d, %d)", in, out);
        name = nm;
    }
    if (w->ndim != 2)
        lt_fail(LT_ERR_SHAPE, "%s: weight must be (out, in), got %s", name, tensor_shape_str(w, sw, sizeof sw));
    else if (b && (b->ndim != 1 || b->shape[0] != out))
        lt_fail(LT_ERR_SHAPE, "%s: bias must be (%d), got %s", name, out, tensor_shape_str(b, sb, sizeof sb));
    else
        lt_fail(LT_ERR_SHAPE, "%s: expected input (B, %d), got %s", name, in,
                tensor_shape_str(x, sx, sizeof sx));
    return NULL;
}

lt_tensor *op_linear(lt_graph *g, lt_tensor *x, lt_tensor *w, lt_tensor *b,
                     lt_act act, float alpha, const char *name)
{
    if (!x || !w)
        return NULL;
    if (w->ndim != 2 || x->ndim != 2 || x->shape[1] != w->shape[1] ||
        (b && (b->ndim != 1 || b->shape[0] != w->shape[0])))
        return linear_shape_error(x, w, b, name);
    int B = x->shape[0], in = x->shape[1], out = w->shape[0];
    int shape[2] = { B, out };
    mat *m = graph_alloc(g, 2 * sizeof *m);
    if (!m || !as_mat(g, x, &m[0]) || !as_mat(g, w, &m[1]))
        return NULL;
    const float *bc = b ? ops_contig(g, b) : NULL;
    lt_tensor *y = graph_tensor(g, 2, shape);
    if (!y || (b && !bc))
        return NULL;
    if (in == 0)
        memset(y->data, 0, tensor_numel(y) * sizeof(float));
    else   /* y (B, out) = x (B, in) W^T (in, out) */
        sgemm(m[0].trans, !m[1].trans, B, out, in, 1.0f, m[0].p, m[0].ld, m[1].p, m[1].ld,
                     0.0f, y->data, out > 0 ? out : 1);
    lin_job j = { y->data, NULL, bc, NULL, B, out, act, alpha };
    par_range((size_t)B, rows_min(out, act), bias_act_part, &j);
    y->iparam[0] = act;
    y->fparam[0] = alpha;
    y->aux = m;
    lt_tensor *in3[3] = { x, w, b };
    return graph_record(g, y, &linear_def, in3, b ? 3 : 2);
}
