/* ops_shape.c: making tensors, views (reshape, transpose, slice, select, expand, detach),
 * concat, stack, gather. */
/* Let GCC vectorise the element loops at -O2 (its default "very cheap" model skips any
 * loop whose length is unknown, i.e. all of them; no-trapping-math lets it turn the
 * selects of relu-like loops into vector blends. We never use floating-point traps). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("vect-cost-model=dynamic", "no-trapping-math")
#endif
#include "ops_internal.h"
#include "par.h"

#include <math.h>
#include <string.h>

/* ---- making tensors -------------------------------------------------------------------------- */

lt_tensor *op_full(lt_graph *g, int ndim, const int *shape, float value)
{
    lt_tensor *y = graph_tensor(g, ndim, shape);
    if (y) {
        size_t n = tensor_numel(y);
        for (size_t i = 0; i < n; i++)
            y->data[i] = value;
    }
    return y;
}

lt_tensor *op_scalar(lt_graph *g, float value) { return op_full(g, 0, NULL, value); }

lt_tensor *op_arange(lt_graph *g, float start, float stop, float step)
{
    if (step == 0.0f || !isfinite(start) || !isfinite(stop) || !isfinite(step)) {
        lt_fail(LT_ERR_VALUE, "arange: step must be nonzero and bounds finite (got %g, %g, %g)",
                start, stop, step);
        return NULL;
    }
    double len = ceil(((double)stop - start) / step);
    if (len > (double)LT_MAX_NUMEL) {
        lt_fail(LT_ERR_NOMEM, "arange: %g elements, over the memory limit of %zu per tensor", len, LT_MAX_NUMEL);
        return NULL;
    }
    int n = len > 0 ? (int)len : 0;
    lt_tensor *y = graph_tensor(g, 1, &n);
    for (int i = 0; y && i < n; i++)
        y->data[i] = (float)(start + (double)i * step);
    return y;
}

lt_tensor *op_linspace(lt_graph *g, float a, float b, int n)
{
    if (n < 1) {
        lt_fail(LT_ERR_VALUE, "linspace: need at least 1 point, got %d", n);
        return NULL;
    }
    lt_tensor *y = graph_tensor(g, 1, &n);
    for (int i = 0; y && i < n; i++)
        y->data[i] = n == 1 ? a : (float)(a + ((double)b - a) * i / (n - 1));
    return y;
}

lt_tensor *op_randn(lt_graph *g, rng *r, int ndim, const int *shape)
{
    lt_tensor *y = graph_tensor(g, ndim, shape);
    if (y)
        par_fill_normal(r, y->data, tensor_numel(y), 0.0f, 1.0f);
    return y;
}

lt_tensor *op_rand(lt_graph *g, rng *r, int ndim, const int *shape)
{
    lt_tensor *y = graph_tensor(g, ndim, shape);
    if (y)
        rng_fill_uniform(r, y->data, tensor_numel(y), 0.0f, 1.0f);
    return y;
}

lt_tensor *op_randint(lt_graph *g, rng *r, int lo, int hi, int n)
{
    if (hi <= lo || n < 0) {
        lt_fail(LT_ERR_VALUE, "randint: need lo < hi and n >= 0 (got %d, %d, %d)", lo, hi, n);
        return NULL;
    }
    lt_tensor *y = graph_tensor(g, 1, &n);
    for (int i = 0; y && i < n; i++)
        y->data[i] = (float)(lo + (int64_t)rng_below(r, (uint64_t)(hi - lo)));
    return y;
}

/* ---- views --------------------------------------------------------------------------------- */

/* dx[goff + sum i_d gstride_d] += dy[i] over the view's elements */
static void view_backward(lt_graph *g, lt_tensor *y)
{
    float *dx = graph_grad(g, y->in[0]);
    if (!dx)
        return;
    const ptrdiff_t *gs = y->aux;   /* gs[0..3] strides, gs[4] offset */
    const int *s = y->shape;
    size_t k = 0;
    for (int i = 0; i < s[0]; i++)
        for (int j = 0; j < s[1]; j++)
            for (int l = 0; l < s[2]; l++) {
                float *p = dx + gs[4] + i * gs[0] + j * gs[1] + l * gs[2];
                for (int m = 0; m < s[3]; m++)
                    p[m * gs[3]] += y->grad[k++];
            }
}

static const lt_opdef view_def = { "view", view_backward };

lt_tensor *ops_view(lt_graph *g, lt_tensor *x, float *data, int ndim, const int *shape,
                    const ptrdiff_t *stride, const ptrdiff_t *gstride, ptrdiff_t goff)
{
    lt_tensor *y = graph_view(g, x, data, ndim, shape, stride);
    if (!y)
        return NULL;
    if (x->requires_grad && graph_recording(g)) {
        ptrdiff_t *gs = graph_alloc(g, 5 * sizeof *gs);
        if (!gs)
            return NULL;
        for (int d = 0; d < LT_MAXDIM; d++)
            gs[d] = d < ndim ? gstride[d] : 0;
        gs[4] = goff;
        y->aux = gs;
    }
    return graph_record(g, y, &view_def, &x, 1);
}

/* x's contiguous-gradient strides */
static void grad_strides(const lt_tensor *x, ptrdiff_t *cs)
{
    tensor_contiguous_strides(x->ndim, x->shape, cs);
}

static void flat_backward(lt_graph *g, lt_tensor *y)
{
    float *dx = graph_grad(g, y->in[0]);
    size_t n = tensor_numel(y);
    if (dx)
        for (size_t i = 0; i < n; i++)
            dx[i] += y->grad[i];
}

static const lt_opdef copy_def = { "contiguous", flat_backward };

lt_tensor *op_contiguous(lt_graph *g, lt_tensor *x)
{
    if (!x)
        return NULL;
    lt_tensor *y = graph_tensor(g, x->ndim, x->shape);
    if (!y)
        return NULL;
    tensor_copy_out(x, y->data);
    return graph_record(g, y, &copy_def, &x, 1);
}

lt_tensor *op_reshape(lt_graph *g, lt_tensor *x, int ndim, const int *shape)
{
    if (!x)
        return NULL;
    char sa[64], sb[64];
    int s[LT_MAXDIM], infer = -1;
    size_t n = 1, total = tensor_numel(x);
    if (ndim < 0 || ndim > LT_MAXDIM) {
        lt_fail(LT_ERR_SHAPE, "reshape: %d dimensions (at most %d)", ndim, LT_MAXDIM);
        return NULL;
    }
    for (int d = 0; d < ndim; d++) {
        s[d] = shape[d];
        if (shape[d] == -1 && infer < 0)
            infer = d;
        else if (shape[d] < 0)
            goto bad;
        else
            n *= (size_t)shape[d];
    }
    if (infer >= 0) {
        if (n == 0 || total % n)
            goto bad;
        s[infer] = (int)(total / n);
        n *= (size_t)s[infer];
    }
    if (n != total)
        goto bad;
    if (!tensor_is_contiguous(x) && !(x = op_contiguous(g, x)))
        return NULL;
    ptrdiff_t st[LT_MAXDIM];
    tensor_contiguous_strides(ndim, s, st);
    return ops_view(g, x, x->data, ndim, s, st, st, 0);
bad:
    lt_fail(LT_ERR_SHAPE, "reshape: cannot view %s as %s", tensor_shape_str(x, sa, sizeof sa),
            tensor_dims_str(ndim, shape, sb, sizeof sb));
    return NULL;
}

lt_tensor *op_transpose(lt_graph *g, lt_tensor *x, int axis0, int axis1)
{
    if (!x)
        return NULL;
    int a = ops_axis("transpose", axis0, x->ndim), b = a < 0 ? -1 : ops_axis("transpose", axis1, x->ndim);
    if (a < 0 || b < 0)
        return NULL;
    int s[LT_MAXDIM];
    ptrdiff_t st[LT_MAXDIM], gs[LT_MAXDIM];
    memcpy(s, x->shape, sizeof s);
    memcpy(st, x->stride, sizeof st);
    grad_strides(x, gs);
    s[a] = x->shape[b]; s[b] = x->shape[a];
    st[a] = x->stride[b]; st[b] = x->stride[a];
    ptrdiff_t t = gs[a]; gs[a] = gs[b]; gs[b] = t;
    return ops_view(g, x, x->data, x->ndim, s, st, gs, 0);
}

lt_tensor *op_slice(lt_graph *g, lt_tensor *x, int axis, int start, int stop, int step)
{
    if (!x)
        return NULL;
    int a = ops_axis("slice", axis, x->ndim);
    if (a < 0)
        return NULL;
    if (start < 0 || stop < start || stop > x->shape[a] || step < 1) {
        char b[64];
        lt_fail(LT_ERR_INDEX, "slice: %d:%d:%d out of range for axis %d of %s", start, stop, step,
                axis, tensor_shape_str(x, b, sizeof b));
        return NULL;
    }
    int s[LT_MAXDIM];
    ptrdiff_t st[LT_MAXDIM], gs[LT_MAXDIM];
    memcpy(s, x->shape, sizeof s);
    memcpy(st, x->stride, sizeof st);
    grad_strides(x, gs);
    s[a] = (stop - start + step - 1) / step;
    ptrdiff_t goff = start * gs[a];
    float *data = x->data + start * x->stride[a];
    st[a] *= step;
    gs[a] *= step;
    return ops_view(g, x, data, x->ndim, s, st, gs, goff);
}

lt_tensor *op_select(lt_graph *g, lt_tensor *x, int axis, int i)
{
    if (!x)
        return NULL;
    int a = ops_axis("select", axis, x->ndim);
    if (a < 0)
        return NULL;
    if (i < 0 || i >= x->shape[a]) {
        char b[64];
        lt_fail(LT_ERR_INDEX, "index %d out of range for axis %d of %s", i, axis,
                tensor_shape_str(x, b, sizeof b));
        return NULL;
    }
    int s[LT_MAXDIM], nd = 0;
    ptrdiff_t st[LT_MAXDIM], gs[LT_MAXDIM], cs[LT_MAXDIM];
    grad_strides(x, cs);
    for (int d = 0; d < x->ndim; d++)
        if (d != a) {
            s[nd] = x->shape[d];
            st[nd] = x->stride[d];
            gs[nd++] = cs[d];
        }
    return ops_view(g, x, x->data + i * x->stride[a], nd, s, st, gs, i * cs[a]);
}

lt_tensor *op_expand(lt_graph *g, lt_tensor *x, int ndim, const int *shape)
{
    if (!x)
        return NULL;
    char sa[64], sb[64];
    int ok = ndim >= x->ndim && ndim <= LT_MAXDIM;
    for (int k = 0; ok && k < x->ndim; k++) {
        int dx = x->shape[x->ndim - 1 - k], dy = shape[ndim - 1 - k];
        ok = dx == dy || dx == 1;
    }
    if (!ok) {
        lt_fail(LT_ERR_SHAPE, "expand: cannot broadcast %s to %s", tensor_shape_str(x, sa, sizeof sa),
                tensor_dims_str(ndim, shape, sb, sizeof sb));
        return NULL;
    }
    ptrdiff_t st4[LT_MAXDIM], gs4[LT_MAXDIM], cs[LT_MAXDIM];
    grad_strides(x, cs);
    ops_frame_strides(x, x->stride, ndim, shape, st4);
    ops_frame_strides(x, cs, ndim, shape, gs4);
    int off = LT_MAXDIM - ndim;   /* frame strides are right-aligned in 4 */
    return ops_view(g, x, x->data, ndim, shape, st4 + off, gs4 + off, 0);
}

lt_tensor *op_detach(lt_graph *g, lt_tensor *x)
{
    if (!x)
        return NULL;
    return graph_view(g, x, x->data, x->ndim, x->shape, x->stride);
}

/* ---- concat and stack ------------------------------------------------------------------------ */

/* iparam[0] = axis; each input's part of y's gradient goes back to it */
static void concat_backward(lt_graph *g, lt_tensor *y)
{
    int a = y->iparam[0];
    size_t outer, n, inner, at = 0;
    ops_split(y, a, &outer, &n, &inner);
    for (int k = 0; k < y->nin; k++) {
        lt_tensor *x = y->in[k];
        size_t nk = (size_t)x->shape[a] * inner;
        float *dx = graph_grad(g, x);
        if (dx)
            for (size_t o = 0; o < outer; o++) {
                const float *src = y->grad + o * n * inner + at;
                for (size_t i = 0; i < nk; i++)
                    dx[o * nk + i] += src[i];
            }
        at += nk;
    }
}

static const lt_opdef concat_def = { "concat", concat_backward };

lt_tensor *op_concat(lt_graph *g, lt_tensor *const *xs, int n, int axis)
{
    if (n < 1) {
        lt_fail(LT_ERR_VALUE, "concat: no tensors");
        return NULL;
    }
    if (n > LT_MAXIN) {   /* a node has at most LT_MAXIN inputs: join halves */
        lt_tensor *half[2] = { op_concat(g, xs, n / 2, axis), op_concat(g, xs + n / 2, n - n / 2, axis) };
        return half[0] && half[1] ? op_concat(g, half, 2, axis) : NULL;
    }
    for (int k = 0; k < n; k++)
        if (!xs[k])
            return NULL;
    int a = ops_axis("concat", axis, xs[0]->ndim);
    if (a < 0)
        return NULL;
    int s[LT_MAXDIM];
    memcpy(s, xs[0]->shape, sizeof s);
    s[a] = 0;
    for (int k = 0; k < n; k++) {
        int ok = xs[k]->ndim == xs[0]->ndim;
        for (int d = 0; ok && d < xs[0]->ndim; d++)
            ok = d == a || xs[k]->shape[d] == xs[0]->shape[d];
        if (!ok) {
            char sa[64], sb[64];
            lt_fail(LT_ERR_SHAPE, "concat: shapes %s and %s differ outside axis %d",
                    tensor_shape_str(xs[0], sa, sizeof sa), tensor_shape_str(xs[k], sb, sizeof sb), axis);
            return NULL;
        }
        s[a] += xs[k]->shape[a];
    }
    lt_tensor *y = graph_tensor(g, xs[0]->ndim, s);
    if (!y)
        return NULL;
    size_t outer, tot, inner, at = 0;
    ops_split(y, a, &outer, &tot, &inner);
    for (int k = 0; k < n; k++) {
        const float *xc = ops_contig(g, xs[k]);
        if (!xc)
            return NULL;
        size_t nk = (size_t)xs[k]->shape[a] * inner;
        for (size_t o = 0; o < outer; o++)
            memcpy(y->data + o * tot * inner + at, xc + o * nk, nk * sizeof(float));
        at += nk;
    }
    y->iparam[0] = a;
    return graph_record(g, y, &concat_def, xs, n);
}

lt_tensor *op_stack(lt_graph *g, lt_tensor *const *xs, int n, int axis)
{
    if (n < 1) {
        lt_fail(LT_ERR_VALUE, "stack: no tensors");
        return NULL;
    }
    lt_tensor **parts = graph_alloc(g, (size_t)n * sizeof *parts);
    if (!parts)
        return NULL;
    for (int k = 0; k < n; k++) {
        if (!xs[k])
            return NULL;
        int nd = xs[k]->ndim;
        int a = axis < 0 ? axis + nd + 1 : axis;
        if (a < 0 || a > nd || nd + 1 > LT_MAXDIM) {
            lt_fail(LT_ERR_INDEX, "stack: axis %d out of range for %d dimensions", axis, nd);
            return NULL;
        }
        int s[LT_MAXDIM], m = 0;
        for (int d = 0; d <= nd; d++)
            s[d] = d == a ? 1 : xs[k]->shape[m++];
        if (k && !tensor_same_shape(xs[k], xs[0])) {
            char sa[64], sb[64];
            lt_fail(LT_ERR_SHAPE, "stack: shapes %s and %s differ", tensor_shape_str(xs[0], sa, sizeof sa),
                    tensor_shape_str(xs[k], sb, sizeof sb));
            return NULL;
        }
        if (!(parts[k] = op_reshape(g, xs[k], nd + 1, s)))
            return NULL;
    }
    return op_concat(g, parts, n, axis < 0 ? axis + xs[0]->ndim + 1 : axis);
}

/* ---- gathering rows ----------------------------------------------------------------------------- */

/* aux: int32 row indices (iparam[0] of them) */
static void gather_backward(lt_graph *g, lt_tensor *y)
{
    lt_tensor *x = y->in[0];
    float *dx = graph_grad(g, x);
    if (!dx)
        return;
    const int *idx = y->aux;
    size_t row = x->shape[0] ? tensor_numel(x) / (size_t)x->shape[0] : 0;
    for (int m = 0; m < y->iparam[0]; m++) {
        float *d = dx + (size_t)idx[m] * row;
        const float *s = y->grad + (size_t)m * row;
        for (size_t i = 0; i < row; i++)
            d[i] += s[i];
    }
}

static const lt_opdef gather_def = { "gather", gather_backward };

static lt_tensor *gather_int(lt_graph *g, lt_tensor *x, int *idx, int n)
{
    char b[64];
    if (x->ndim < 1) {
        lt_fail(LT_ERR_SHAPE, "index: cannot index a scalar");
        return NULL;
    }
    for (int m = 0; m < n; m++)
        if (idx[m] < 0 || idx[m] >= x->shape[0]) {
            lt_fail(LT_ERR_INDEX, "index %d out of range for %s", idx[m], tensor_shape_str(x, b, sizeof b));
            return NULL;
        }
    int s[LT_MAXDIM];
    memcpy(s, x->shape, sizeof s);
    s[0] = n;
    lt_tensor *y = graph_tensor(g, x->ndim, s);
    if (!y)
        return NULL;
    size_t row = tensor_numel(y) / (n ? (size_t)n : 1);
    if (tensor_is_contiguous(x)) {
        for (int m = 0; m < n; m++)
            memcpy(y->data + (size_t)m * row, x->data + (size_t)idx[m] * row, row * sizeof(float));
    } else {
        lt_tensor r = *x;   /* a one-row view, copied out row by row */
        r.shape[0] = 1;
        for (int m = 0; m < n; m++) {
            r.data = x->data + idx[m] * x->stride[0];
            tensor_copy_out(&r, y->data + (size_t)m * row);
        }
    }
    y->iparam[0] = n;
    y->aux = idx;
    return graph_record(g, y, &gather_def, &x, 1);
}

lt_tensor *op_rows(lt_graph *g, lt_tensor *x, const int *idx, int n)
{
    if (!x)
        return NULL;
    int *copy = graph_alloc(g, (size_t)(n > 0 ? n : 1) * sizeof *copy);
    if (!copy)
        return NULL;
    memcpy(copy, idx, (size_t)(n > 0 ? n : 0) * sizeof *copy);
    return gather_int(g, x, copy, n);
}

lt_tensor *op_gather(lt_graph *g, lt_tensor *x, lt_tensor *idx)
{
    if (!x || !idx)
        return NULL;
    if (idx->ndim != 1) {
        char b[64];
        lt_fail(LT_ERR_SHAPE, "index: the index tensor must be 1-d, got %s",
                tensor_shape_str(idx, b, sizeof b));
        return NULL;
    }
    int n = idx->shape[0];
    int *iv = graph_alloc(g, (size_t)(n > 0 ? n : 1) * sizeof *iv);
    if (!iv)
        return NULL;
    for (int m = 0; m < n; m++) {
        float v = idx->data[m * idx->stride[0]];
        if (v != floorf(v) || fabsf(v) > 16777216.0f) {
            lt_fail(LT_ERR_INDEX, "index: %g is not an integer", v);
            return NULL;
        }
        iv[m] = (int)v;
    }
    return gather_int(g, x, iv, n);
}
