/* ops_reduce.c: sums, means, maxima (all or along an axis), argmax, cumsum, cumprod. */
/* Let GCC vectorise the element loops at -O2 (its default "very cheap" model skips any
 * loop whose length is unknown, i.e. all of them; no-trapping-math lets it turn the
 * selects of relu-like loops into vector blends. We never use floating-point traps). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("vect-cost-model=dynamic", "no-trapping-math")
#endif
#include "ops_internal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* ---- over all elements ------------------------------------------------------------------- */

/* 1 if a beats the best so far b for max and argmax: larger, or the first NaN (a NaN is
 * the maximum, as in PyTorch, so it propagates) */
static inline int above(float a, float b) { return a > b || (a != a && b == b); }

/* y = scale * sum(x); iparam[0]: 0 sum/mean, 1 max (aux holds the argmax) */
static void all_backward(lt_graph *g, lt_tensor *y)
{
    lt_tensor *x = y->in[0];
    float *dx = graph_grad(g, x);
    if (!dx)
        return;
    if (y->iparam[0] == 1) {
        dx[*(size_t *)y->aux] += y->grad[0];
        return;
    }
    size_t n = tensor_numel(x);
    float d = y->grad[0] * y->fparam[0];
    for (size_t i = 0; i < n; i++)
        dx[i] += d;
}

static const lt_opdef all_def = { "reduce_all", all_backward };

static lt_tensor *reduce_all(lt_graph *g, lt_tensor *x, int kind, int mean)
{
    if (!x)
        return NULL;
    const float *xc = ops_contig(g, x);
    lt_tensor *y = xc ? graph_tensor(g, 0, NULL) : NULL;
    if (!y)
        return NULL;
    size_t n = tensor_numel(x);
    if (kind == 1) {
        if (n == 0) {
            lt_fail(LT_ERR_SHAPE, "max: empty tensor");
            return NULL;
        }
        size_t *arg = graph_alloc(g, sizeof *arg);
        if (!arg)
            return NULL;
        *arg = 0;
        for (size_t i = 1; i < n; i++)
            if (above(xc[i], xc[*arg]))
                *arg = i;
        y->data[0] = xc[*arg];
        y->aux = arg;
    } else {
        double s = 0.0;
        for (size_t i = 0; i < n; i++)
            s += xc[i];
        y->fparam[0] = mean ? (n ? 1.0f / (float)n : 0.0f) : 1.0f;
        y->data[0] = (float)(mean ? (n ? s / (double)n : NAN) : s);
    }
    y->iparam[0] = kind;
    return graph_record(g, y, &all_def, &x, 1);
}

lt_tensor *op_sum(lt_graph *g, lt_tensor *x) { return reduce_all(g, x, 0, 0); }
lt_tensor *op_mean(lt_graph *g, lt_tensor *x) { return reduce_all(g, x, 0, 1); }
lt_tensor *op_max(lt_graph *g, lt_tensor *x) { return reduce_all(g, x, 1, 0); }

/* ---- along an axis --------------------------------------------------------------------------- */

/* the shape of x reduced along axis */
static int reduced_shape(const lt_tensor *x, int axis, int keepdim, int *shape)
{
    int nd = 0;
    for (int d = 0; d < x->ndim; d++) {
        if (d == axis) {
            if (keepdim)
                shape[nd++] = 1;
        } else
            shape[nd++] = x->shape[d];
    }
    return nd;
}

enum red { RED_SUM, RED_MEAN, RED_MAX, RED_ARGMAX };

static void axis_backward(lt_graph *g, lt_tensor *y)
{
    lt_tensor *x = y->in[0];
    float *dx = graph_grad(g, x);
    if (!dx)
        return;
    size_t outer, n, inner;
    ops_split(x, y->iparam[1], &outer, &n, &inner);
    const int32_t *arg = y->aux;
    float scale = y->iparam[0] == RED_MEAN ? 1.0f / (float)n : 1.0f;
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            float d = y->grad[o * inner + i];
            if (y->iparam[0] == RED_MAX)
                dx[(o * n + (size_t)arg[o * inner + i]) * inner + i] += d;
            else
                for (size_t k = 0; k < n; k++)
                    dx[(o * n + k) * inner + i] += d * scale;
        }
}

static const lt_opdef axis_def = { "reduce_axis", axis_backward };

static lt_tensor *reduce_axis(lt_graph *g, lt_tensor *x, int axis, int keepdim, int kind,
                              const char *name)
{
    if (!x)
        return NULL;
    int a = ops_axis(name, axis, x->ndim);
    if (a < 0)
        return NULL;
    if ((kind == RED_MAX || kind == RED_ARGMAX) && x->shape[a] == 0) {
        lt_fail(LT_ERR_SHAPE, "%s: axis %d is empty", name, axis);
        return NULL;
    }
    int shape[LT_MAXDIM];
    int nd = reduced_shape(x, a, keepdim, shape);
    const float *xc = ops_contig(g, x);
    lt_tensor *y = xc ? graph_tensor(g, nd, shape) : NULL;
    if (!y)
        return NULL;
    size_t outer, n, inner;
    ops_split(x, a, &outer, &n, &inner);
    int32_t *arg = NULL;
    if (kind == RED_MAX && !(arg = graph_alloc(g, outer * inner * sizeof *arg + 1)))
        return NULL;
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            const float *p = xc + o * n * inner + i;
            float *out = &y->data[o * inner + i];
            if (kind == RED_SUM || kind == RED_MEAN) {
                double s = 0.0;
                for (size_t k = 0; k < n; k++)
                    s += p[k * inner];
                *out = (float)(kind == RED_MEAN ? s / (double)n : s);
            } else {
                size_t best = 0;
                for (size_t k = 1; k < n; k++)
                    if (above(p[k * inner], p[best * inner]))
                        best = k;
                *out = kind == RED_MAX ? p[best * inner] : (float)best;
                if (arg)
                    arg[o * inner + i] = (int32_t)best;
            }
        }
    if (kind == RED_ARGMAX)
        return y;   /* no gradient */
    y->iparam[0] = kind;
    y->iparam[1] = a;
    y->aux = arg;
    return graph_record(g, y, &axis_def, &x, 1);
}

lt_tensor *op_sum_axis(lt_graph *g, lt_tensor *x, int axis, int keepdim)
{ return reduce_axis(g, x, axis, keepdim, RED_SUM, "sum"); }
lt_tensor *op_mean_axis(lt_graph *g, lt_tensor *x, int axis, int keepdim)
{ return reduce_axis(g, x, axis, keepdim, RED_MEAN, "mean"); }
lt_tensor *op_max_axis(lt_graph *g, lt_tensor *x, int axis, int keepdim)
{ return reduce_axis(g, x, axis, keepdim, RED_MAX, "max"); }
lt_tensor *op_argmax_axis(lt_graph *g, lt_tensor *x, int axis, int keepdim)
{ return reduce_axis(g, x, axis, keepdim, RED_ARGMAX, "argmax"); }

/* ---- running sums and products [no grad] ----------------------------------------------------- */

static lt_tensor *cumulative(lt_graph *g, lt_tensor *x, int axis, int prod, const char *name)
{
    if (!x)
        return NULL;
    int a = ops_axis(name, axis, x->ndim);
    if (a < 0)
        return NULL;
    const float *xc = ops_contig(g, x);
    lt_tensor *y = xc ? graph_tensor(g, x->ndim, x->shape) : NULL;
    if (!y)
        return NULL;
    size_t outer, n, inner;
    ops_split(x, a, &outer, &n, &inner);
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            double acc = prod ? 1.0 : 0.0;
            for (size_t k = 0; k < n; k++) {
                size_t at = (o * n + k) * inner + i;
                acc = prod ? acc * xc[at] : acc + xc[at];
                y->data[at] = (float)acc;
            }
        }
    return y;
}

lt_tensor *op_cumsum(lt_graph *g, lt_tensor *x, int axis) { return cumulative(g, x, axis, 0, "cumsum"); }
lt_tensor *op_cumprod(lt_graph *g, lt_tensor *x, int axis) { return cumulative(g, x, axis, 1, "cumprod"); }
