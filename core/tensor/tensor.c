/* tensor.c: heap tensors and shape helpers. */
/* Let GCC vectorise the element loops at -O2 (its default "very cheap" model skips any
 * loop whose length is unknown, i.e. all of them; no-trapping-math lets it turn the
 * selects of relu-like loops into vector blends. We never use floating-point traps). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("vect-cost-model=dynamic", "no-trapping-math")
#endif
#include "tensor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mem.h"

void tensor_contiguous_strides(int ndim, const int *shape, ptrdiff_t *stride)
{
    ptrdiff_t s = 1;
    for (int d = LT_MAXDIM - 1; d >= 0; d--) {
        stride[d] = s;
        if (d < ndim)
            s *= shape[d];
    }
}

lt_status tensor_check_shape(int ndim, const int *shape, size_t *numel)
{
    char b[64];
    if (ndim < 0 || ndim > LT_MAXDIM)
        return lt_fail(LT_ERR_SHAPE, "tensor: %d dimensions (at most %d)", ndim, LT_MAXDIM);
    size_t n = 1;
    for (int d = 0; d < ndim; d++)
        if (shape[d] < 0)
            return lt_fail(LT_ERR_SHAPE, "tensor: negative dimension in %s",
                           tensor_dims_str(ndim, shape, b, sizeof b));
    for (int d = 0; d < ndim; d++) {   /* n <= 2^27 + 1 before each product: no overflow */
        n *= (size_t)shape[d];
        if (n > LT_MAX_NUMEL)
            n = LT_MAX_NUMEL + 1;
    }
    if (n > LT_MAX_NUMEL)
        return lt_fail(LT_ERR_NOMEM,
                       "tensor: shape %s has more than %zu elements, over the memory limit of 512 MiB per tensor",
                       tensor_dims_str(ndim, shape, b, sizeof b), LT_MAX_NUMEL);
    if (numel)
        *numel = n;
    return LT_OK;
}

lt_tensor *tensor_new(int ndim, const int *shape)
{
    size_t n = 0;   /* set by tensor_check_shape on success (gcc -O3 cannot tell) */
    if (tensor_check_shape(ndim, shape, &n) != LT_OK)
        return NULL;
    if (mem_reserve(n * sizeof(float), "tensor") != LT_OK)
        return NULL;
    lt_tensor *t = calloc(1, sizeof *t);
    lt_buf *b = calloc(1, sizeof *b);
    float *data = calloc(n ? n : 1, sizeof(float));
    if (!t || !b || !data) {
        free(t); free(b); free(data);
        mem_release(n * sizeof(float));
        char sz[32];
        lt_fail(LT_ERR_NOMEM, "tensor: out of memory for %zu floats (%s): the machine has no "
                "more to give", n, mem_format(n * sizeof(float), sz, sizeof sz));
        return NULL;
    }
    b->data = data;
    b->n = n;
    b->refs = 1;
    t->data = data;
    t->buf = b;
    t->heap = 1;
    t->ndim = ndim;
    for (int d = 0; d < LT_MAXDIM; d++)
        t->shape[d] = d < ndim ? shape[d] : 1;
    tensor_contiguous_strides(ndim, shape, t->stride);
    return t;
}

lt_tensor *tensor_from(int ndim, const int *shape, const float *data)
{
    lt_tensor *t = tensor_new(ndim, shape);
    if (t)
        memcpy(t->data, data, tensor_numel(t) * sizeof(float));
    return t;
}

lt_tensor *tensor_clone(const lt_tensor *x)
{
    if (!x)
        return NULL;
    lt_tensor *t = tensor_new(x->ndim, x->shape);
    if (t)
        tensor_copy_out(x, t->data);
    return t;
}

lt_tensor *tensor_keep(const lt_tensor *x)
{
    if (!x)
        return NULL;
    if (!x->buf)
        return tensor_clone(x);
    lt_tensor *t = calloc(1, sizeof *t);
    if (!t) {
        lt_fail(LT_ERR_NOMEM, "tensor: out of memory");
        return NULL;
    }
    t->data = x->data;
    t->ndim = x->ndim;
    memcpy(t->shape, x->shape, sizeof t->shape);
    memcpy(t->stride, x->stride, sizeof t->stride);
    t->buf = x->buf;
    t->buf->refs++;
    t->heap = 1;
    return t;
}

void tensor_free(lt_tensor *x)
{
    if (!x || !x->heap)
        return;
    if (x->buf && --x->buf->refs == 0) {
        mem_release(x->buf->n * sizeof(float));
        free(x->buf->data);
        free(x->buf);
    }
    free(x);
}

size_t tensor_numel(const lt_tensor *x)
{
    size_t n = 1;
    for (int d = 0; d < x->ndim; d++)
        n *= (size_t)x->shape[d];
    return n;
}

int tensor_is_contiguous(const lt_tensor *x)
{
    ptrdiff_t s = 1;
    for (int d = x->ndim - 1; d >= 0; d--) {
        if (x->shape[d] != 1 && x->stride[d] != s)
            return 0;
        s *= x->shape[d];
    }
    return 1;
}

int tensor_same_shape(const lt_tensor *a, const lt_tensor *b)
{
    if (a->ndim != b->ndim)
        return 0;
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] != b->shape[d])
            return 0;
    return 1;
}

char *tensor_dims_str(int ndim, const int *shape, char *buf, size_t size)
{
    size_t k = 0;
    if (size == 0)
        return buf;
    buf[0] = '\0';
    k += snprintf(buf + k, size - k, "(");
    for (int d = 0; d < ndim && k < size; d++)
        k += snprintf(buf + k, size - k, d ? ", %d" : "%d", shape[d]);
    if (k < size)
        snprintf(buf + k, size - k, ")");
    return buf;
}

char *tensor_shape_str(const lt_tensor *x, char *buf, size_t size)
{
    return tensor_dims_str(x->ndim, x->shape, buf, size);
}

float tensor_get(const lt_tensor *x, size_t i)
{
    ptrdiff_t off = 0;
    for (int d = x->ndim - 1; d >= 0; d--) {
        size_t n = (size_t)x->shape[d];
        off += (ptrdiff_t)(i % n) * x->stride[d];
        i /= n;
    }
    return x->data[off];
}

void tensor_copy_out(const lt_tensor *x, float *out)
{
    size_t n = tensor_numel(x);
    if (tensor_is_contiguous(x)) {
        memcpy(out, x->data, n * sizeof(float));
        return;
    }
    const int *s = x->shape;
    const ptrdiff_t *st = x->stride;
    size_t k = 0;
    for (int i = 0; i < s[0]; i++)
        for (int j = 0; j < s[1]; j++)
            for (int l = 0; l < s[2]; l++) {
                const float *p = x->data + i * st[0] + j * st[1] + l * st[2];
                for (int m = 0; m < s[3]; m++)
                    out[k++] = p[m * st[3]];
            }
}
