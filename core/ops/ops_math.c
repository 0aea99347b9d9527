/* ops_math.c: trigonometry, where, one-hot, argmin, reductions over several axes,
 * variance, standard deviation, NLL and label-smoothed cross-entropy (see ops_math.h). */
#include "ops_math.h"
#include "ops_internal.h"

#include <math.h>
#include <string.h>

/* ---- sin, cos, tan ------------------------------------------------------------------------ */

enum trig { TRIG_SIN, TRIG_COS, TRIG_TAN };

/* dx += dy * f'(x): cos x, -sin x, 1 + y^2 (y = tan x); aux is x, contiguous */
static void trig_backward(lt_graph *g, lt_tensor *y)
{
    float *dx = graph_grad(g, y->in[0]);
    if (!dx)
        return;
    const float *x = y->aux;
    size_t n = tensor_numel(y);
    switch (y->iparam[0]) {
    case TRIG_SIN: for (size_t i = 0; i < n; i++) dx[i] += y->grad[i] * cosf(x[i]); break;
    case TRIG_COS: for (size_t i = 0; i < n; i++) dx[i] += y->grad[i] * -sinf(x[i]); break;
    default: for (size_t i = 0; i < n; i++) dx[i] += y->grad[i] * (1.0f + y->data[i] * y->data[i]); break;
    }
}

static const lt_opdef trig_defs[] = { { "sin", trig_backward }, { "cos", trig_backward },
                                      { "tan", trig_backward } };

static lt_tensor *trig(lt_graph *g, lt_tensor *x, int op)
{
    if (!x)
        return NULL;
    const float *xc = ops_contig(g, x);
    lt_tensor *y = xc ? graph_tensor(g, x->ndim, x->shape) : NULL;
    if (!y)
        return NULL;
    size_t n = tensor_numel(x);
    switch (op) {
    case TRIG_SIN: for (size_t i = 0; i < n; i++) y->data[i] = sinf(xc[i]); break;
    case TRIG_COS: for (size_t i = 0; i < n; i++) y->data[i] = cosf(xc[i]); break;
    default: for (size_t i = 0; i < n; i++) y->data[i] = tanf(xc[i]); break;
    }
    y->iparam[0] = op;
    y->aux = (void *)xc;
    return graph_record(g, y, &trig_defs[op], &x, 1);
}

lt_tensor *op_sin(lt_graph *g, lt_tensor *x) { return trig(g, x, TRIG_SIN); }
lt_tensor *op_cos(lt_graph *g, lt_tensor *x) { return trig(g, x, TRIG_COS); }
lt_tensor *op_tan(lt_graph *g, lt_tensor *x) { return trig(g, x, TRIG_TAN); }

/* ---- where -------------------------------------------------------------------------------- */

/* in = { a, b } expanded to y's shape; aux is cond expanded, contiguous */
static void where_backward(lt_graph *g, lt_tensor *y)
{
    const float *c = y->aux;
    size_t n = tensor_numel(y);
    float *da = graph_grad(g, y->in[0]);
    if (da)
        for (size_t i = 0; i < n; i++) da[i] += c[i] != 0.0f ? y->grad[i] : 0.0f;
    float *db = graph_grad(g, y->in[1]);
    if (db)
        for (size_t i = 0; i < n; i++) db[i] += c[i] != 0.0f ? 0.0f : y->grad[i];
}

static const lt_opdef where_def = { "where", where_backward };

lt_tensor *op_where(lt_graph *g, lt_tensor *cond, lt_tensor *a, lt_tensor *b)
{
    if (!cond || !a || !b)
        return NULL;
    lt_tensor ca = { 0 };   /* only the shape of cond and a broadcast, for the second check */
    int nd, shape[LT_MAXDIM];
    if (ops_broadcast_shape("where", cond, a, &ca.ndim, ca.shape) != LT_OK ||
        ops_broadcast_shape("where", &ca, b, &nd, shape) != LT_OK)
        return NULL;
    lt_tensor *ce = op_expand(g, cond, nd, shape), *ae = op_expand(g, a, nd, shape);
    lt_tensor *be = op_expand(g, b, nd, shape);
    const float *cc = ce ? ops_contig(g, ce) : NULL, *ac = ae ? ops_contig(g, ae) : NULL;
    const float *bc = be ? ops_contig(g, be) : NULL;
    lt_tensor *y = cc && ac && bc ? graph_tensor(g, nd, shape) : NULL;
    if (!y)
        return NULL;
    size_t n = tensor_numel(y);
    for (size_t i = 0; i < n; i++)
        y->data[i] = cc[i] != 0.0f ? ac[i] : bc[i];
    y->aux = (void *)cc;
    lt_tensor *in[2] = { ae, be };
    return graph_record(g, y, &where_def, in, 2);
}

/* ---- one-hot and argmin [no grad] --------------------------------------------------------- */

lt_tensor *op_one_hot(lt_graph *g, lt_tensor *labels, int n)
{
    if (!labels)
        return NULL;
    if (labels->ndim >= LT_MAXDIM || n < 1) {
        char s[64];
        lt_fail(LT_ERR_SHAPE, "one_hot: labels of at most %d dimensions and n >= 1, got %s and %d",
                LT_MAXDIM - 1, tensor_shape_str(labels, s, sizeof s), n);
        return NULL;
    }
    int shape[LT_MAXDIM];
    memcpy(shape, labels->shape, (size_t)labels->ndim * sizeof *shape);
    shape[labels->ndim] = n;
    const float *lc = ops_contig(g, labels);
    lt_tensor *y = lc ? graph_zeros(g, labels->ndim + 1, shape) : NULL;
    if (!y)
        return NULL;
    size_t m = tensor_numel(labels);
    for (size_t i = 0; i < m; i++) {
        float v = lc[i];
        if (!(v == floorf(v) && v >= 0 && v < (float)n)) {
            lt_fail(LT_ERR_INDEX, "one_hot: label %g is not a class in 0..%d", v, n - 1);
            return NULL;
        }
        y->data[i * (size_t)n + (size_t)v] = 1.0f;
    }
    return y;
}

lt_tensor *op_rounding(lt_graph *g, lt_tensor *x, lt_rounding mode)
{
    const float *xc = x ? ops_contig(g, x) : NULL;
    lt_tensor *y = xc ? graph_tensor(g, x->ndim, x->shape) : NULL;
    if (!y)
        return NULL;
    size_t n = tensor_numel(x);
    for (size_t i = 0; i < n; i++)
        y->data[i] = mode == LT_FLOOR ? floorf(xc[i]) : mode == LT_CEIL ? ceilf(xc[i]) : nearbyintf(xc[i]);
    return y;
}

lt_tensor *op_argmin_axis(lt_graph *g, lt_tensor *x, int axis, int keepdim)
{
    return op_argmax_axis(g, op_neg(g, x), axis, keepdim);
}

/* ---- reductions over several axes ---------------------------------------------------------- */

/* mask[d] = 1 for each axis listed (every axis when naxes is 0); -1 after lt_fail */
static int axes_mask(const char *op, const lt_tensor *x, int naxes, const int *axes, int *mask)
{
    for (int d = 0; d < LT_MAXDIM; d++)
        mask[d] = naxes == 0 && d < x->ndim;
    for (int k = 0; k < naxes; k++) {
        int a = ops_axis(op, axes[k], x->ndim);
        if (a < 0)
            return -1;
        if (mask[a]) {
            lt_fail(LT_ERR_VALUE, "%s: axis %d is given twice", op, axes[k]);
            return -1;
        }
        mask[a] = 1;
    }
    return 0;
}

enum { RA_SUM, RA_MEAN, RA_MAX };

/* one axis after another, from the last, keeping them; then dropped unless keepdim */
static lt_tensor *reduce_axes(lt_graph *g, lt_tensor *x, int naxes, const int *axes, int keepdim,
                              int kind, const char *name)
{
    int mask[LT_MAXDIM];
    if (!x || axes_mask(name, x, naxes, axes, mask) < 0)
        return NULL;
    if (naxes == 0 && !keepdim)
        return kind == RA_SUM ? op_sum(g, x) : kind == RA_MEAN ? op_mean(g, x) : op_max(g, x);
    lt_tensor *y = x;
    for (int d = x->ndim - 1; d >= 0; d--)
        if (mask[d])
            y = kind == RA_SUM ? op_sum_axis(g, y, d, 1) : kind == RA_MEAN ? op_mean_axis(g, y, d, 1)
                                                         : op_max_axis(g, y, d, 1);
    if (y == x)   /* no axis (a () tensor): a copy, as the others */
        y = op_affine(g, x, 1.0f, 0.0f);
    if (!y || keepdim)
        return y;
    int shape[LT_MAXDIM], nd = 0;
    for (int d = 0; d < x->ndim; d++)
        if (!mask[d])
            shape[nd++] = x->shape[d];
    return op_reshape(g, y, nd, shape);
}

lt_tensor *op_sum_axes(lt_graph *g, lt_tensor *x, int naxes, const int *axes, int keepdim)
{ return reduce_axes(g, x, naxes, axes, keepdim, RA_SUM, "sum"); }
lt_tensor *op_mean_axes(lt_graph *g, lt_tensor *x, int naxes, const int *axes, int keepdim)
{ return reduce_axes(g, x, naxes, axes, keepdim, RA_MEAN, "mean"); }
lt_tensor *op_max_axes(lt_graph *g, lt_tensor *x, int naxes, const int *axes, int keepdim)
{ return reduce_axes(g, x, naxes, axes, keepdim, RA_MAX, "max"); }

/* The 4-d frame of x (padded on the left) and, per frame dimension, the stride of the
 * reduced output (0 along a reduced axis); returns the output's element count */
static size_t var_frame(const lt_tensor *x, const int *mask, int *s4, size_t *os4)
{
    int off = LT_MAXDIM - x->ndim;
    size_t n = 1;
    for (int d = LT_MAXDIM - 1; d >= 0; d--) {
        int src = d - off;
        s4[d] = src >= 0 ? x->shape[src] : 1;
        os4[d] = src >= 0 && mask[src] ? 0 : n;
        n *= src >= 0 && mask[src] ? 1 : (size_t)s4[d];
    }
    return n;
}

/* calls body(i, o) for every element i of the contiguous frame s4, o its output index */
#define VAR_LOOP(s4, os4, body)                                                            \
    for (int i0 = 0, i = 0; i0 < s4[0]; i0++)                                              \
        for (int i1 = 0; i1 < s4[1]; i1++)                                                 \
            for (int i2 = 0; i2 < s4[2]; i2++)                                             \
                for (int i3 = 0; i3 < s4[3]; i3++, i++) {                                  \
                    size_t o = i0 * os4[0] + i1 * os4[1] + i2 * os4[2] + i3 * os4[3];      \
                    body;                                                                  \
                }

/* aux: the input x (contiguous) then the means (float, one per output); fparam[0]: 1 /
 * (N - correction); iparam[0]: the reduced axes as a bit mask, iparam[1]: 1 for std.
 * d var / dx = 2 (x - mean) / (N - c); d std / dx = (x - mean) / ((N - c) std) */
static void var_backward(lt_graph *g, lt_tensor *y)
{
    lt_tensor *x = y->in[0];
    float *dx = graph_grad(g, x);
    if (!dx)
        return;
    int mask[LT_MAXDIM], s4[LT_MAXDIM];
    size_t os4[LT_MAXDIM];
    for (int d = 0; d < LT_MAXDIM; d++) mask[d] = (y->iparam[0] >> d) & 1;
    var_frame(x, mask, s4, os4);
    const float *const *saved = y->aux;
    const float *xc = saved[0], *mean = saved[1];
    if (y->iparam[1]) {
        float k = y->fparam[0];
        VAR_LOOP(s4, os4, dx[i] += y->grad[o] * k * (xc[i] - mean[o]) / y->data[o])
    } else {
        float k = 2.0f * y->fparam[0];
        VAR_LOOP(s4, os4, dx[i] += y->grad[o] * k * (xc[i] - mean[o]))
    }
}

static const lt_opdef var_defs[2] = { { "var", var_backward }, { "std", var_backward } };

static lt_tensor *var_std(lt_graph *g, lt_tensor *x, int naxes, const int *axes, double correction,
                          int keepdim, int is_std)
{
    int mask[LT_MAXDIM], s4[LT_MAXDIM], shape[LT_MAXDIM], nd = 0, bits = 0;
    size_t os4[LT_MAXDIM];
    if (!x || axes_mask(is_std ? "std" : "var", x, naxes, axes, mask) < 0)
        return NULL;
    if (!(correction >= 0 && isfinite(correction))) {
        lt_fail(LT_ERR_VALUE, "%s: correction must be a number >= 0, got %g", is_std ? "std" : "var", correction);
        return NULL;
    }
    double n = 1.0;
    for (int d = 0; d < x->ndim; d++) {
        bits |= mask[d] << d;
        if (mask[d]) n *= x->shape[d];
        if (!mask[d] || keepdim) shape[nd++] = mask[d] ? 1 : x->shape[d];
    }
    size_t nout = var_frame(x, mask, s4, os4);
    const float *xc = ops_contig(g, x);
    double *acc = xc ? graph_alloc(g, 2 * nout * sizeof *acc + 1) : NULL;
    float *mean = acc ? graph_alloc(g, nout * sizeof *mean + 1) : NULL;
    const float **saved = mean ? graph_alloc(g, 2 * sizeof *saved) : NULL;
    lt_tensor *y = saved ? graph_tensor(g, nd, shape) : NULL;
    if (!y)
        return NULL;
    /* two passes in double: the means, then the squared deviations from them */
    double *sum = acc, *ss = acc + nout, div = n - correction > 0 ? n - correction : 0.0;
    memset(acc, 0, 2 * nout * sizeof *acc);
    VAR_LOOP(s4, os4, sum[o] += xc[i])
    for (size_t o = 0; o < nout; o++) sum[o] /= n;
    VAR_LOOP(s4, os4, ss[o] += ((double)xc[i] - sum[o]) * ((double)xc[i] - sum[o]))
    for (size_t o = 0; o < nout; o++) {
        y->data[o] = (float)(is_std ? sqrt(ss[o] / div) : ss[o] / div);
        mean[o] = (float)sum[o];
    }
    saved[0] = xc;
    saved[1] = mean;
    y->aux = (void *)saved;
    y->fparam[0] = (float)(1.0 / div);
    y->iparam[0] = bits;
    y->iparam[1] = is_std;
    return graph_record(g, y, &var_defs[is_std], &x, 1);
}

lt_tensor *op_var_axes(lt_graph *g, lt_tensor *x, int naxes, const int *axes, double correction,
                       int keepdim)
{
    return var_std(g, x, naxes, axes, correction, keepdim, 0);
}

lt_tensor *op_std_axes(lt_graph *g, lt_tensor *x, int naxes, const int *axes, double correction,
                       int keepdim)
{
    return var_std(g, x, naxes, axes, correction, keepdim, 1);
}

/* ---- NLL and cross-entropy with label smoothing ------------------------------------------- */

/* the rows' labels as ints (B); -1 after lt_fail */
static int read_labels(const char *op, const lt_tensor *labels, int C, int *lab)
{
    for (int i = 0; i < labels->shape[0]; i++) {
        float v = labels->data[i * labels->stride[0]];
        if (!(v == floorf(v) && v >= 0 && v < (float)C)) {
            lt_fail(LT_ERR_INDEX, "%s: label %g is not a class in 0..%d", op, v, C - 1);
            return -1;
        }
        lab[i] = (int)v;
    }
    return 0;
}

static lt_status check_rows(const char *op, const lt_tensor *x, const lt_tensor *labels)
{
    char sa[64], sb[64];
    if (x->ndim == 2 && labels->ndim == 1 && labels->shape[0] == x->shape[0])
        return LT_OK;
    return lt_fail(LT_ERR_SHAPE, "%s: expected (B, C) and labels (B), got %s and %s", op,
                   tensor_shape_str(x, sa, sizeof sa), tensor_shape_str(labels, sb, sizeof sb));
}

/* aux: the labels (B); fparam[0]: the reduction's scale */
static void nll_backward(lt_graph *g, lt_tensor *y)
{
    lt_tensor *x = y->in[0];
    float *dx = graph_grad(g, x);
    if (!dx)
        return;
    const int *lab = y->aux;
    int B = x->shape[0], C = x->shape[1];
    float d = -y->fparam[0] * y->grad[0];
    for (int i = 0; i < B; i++)
        dx[(size_t)i * C + lab[i]] += d;
}

static const lt_opdef nll_def = { "nll_loss", nll_backward };

lt_tensor *op_nll_loss(lt_graph *g, lt_tensor *logp, lt_tensor *labels, lt_reduce r)
{
    if (!logp || !labels)
        return NULL;
    if (check_rows("nll_loss", logp, labels) != LT_OK)
        return NULL;
    int B = logp->shape[0], C = logp->shape[1];
    int *lab = graph_alloc(g, (size_t)B * sizeof *lab + 1);
    lt_tensor *y = lab ? graph_tensor(g, 0, NULL) : NULL;
    if (!y || read_labels("nll_loss", labels, C, lab) < 0)
        return NULL;
    double s = 0.0;
    for (int i = 0; i < B; i++)
        s -= logp->data[i * logp->stride[0] + lab[i] * logp->stride[1]];
    y->fparam[0] = r == LT_SUM ? 1.0f : B ? 1.0f / (float)B : NAN;
    y->data[0] = (float)(r == LT_SUM ? s : s / B);
    y->aux = lab;
    return graph_record(g, y, &nll_def, &logp, 1);
}

lt_tensor *op_cross_entropy_ls(lt_graph *g, lt_tensor *logits, lt_tensor *target, double eps,
                               lt_reduce r)
{
    if (!logits || !target)
        return NULL;
    if (!(eps >= 0 && eps <= 1)) {
        lt_fail(LT_ERR_VALUE, "cross_entropy: label_smoothing must be in [0, 1], got %g", eps);
        return NULL;
    }
    int soft = logits->ndim == 2 && target->ndim == 2 && target->shape[0] == logits->shape[0] &&
               target->shape[1] == logits->shape[1];
    if (!soft && check_rows("cross_entropy", logits, target) != LT_OK)
        return NULL;
    if (!soft && eps == 0)
        return op_cross_entropy(g, logits, target, r);
    int B = logits->shape[0], C = logits->shape[1];
    float per = r == LT_SUM ? 1.0f : B ? 1.0f / (float)B : NAN;
    lt_tensor *lsm = op_log_softmax(g, logits, 1);
    if (soft) {   /* -sum(t' * log softmax) per row, t' = t (1 - eps) + eps / C */
        lt_tensor *t = eps > 0 ? op_affine(g, target, (float)(1.0 - eps), (float)(eps / C)) : target;
        return op_scale(g, op_sum(g, op_mul(g, t, lsm)), -per);
    }
    lt_tensor *nll = op_nll_loss(g, lsm, target, r);
    lt_tensor *smooth = op_scale(g, op_sum(g, lsm), -per);
    return op_add(g, op_scale(g, nll, (float)(1.0 - eps)), op_scale(g, smooth, (float)(eps / C)));
}
