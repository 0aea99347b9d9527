/* tensor.h: float32 tensors of up to 4 dimensions, with shapes and strides so that
 * slices, transposes and (contiguous) reshapes are views. (The matrix product they use is
 * compute/'s sgemm.h; tensor.h includes it.)
 *
 * One element type (float32). Integer data (labels, time steps, row indices) is held as
 * floats with integral values, exact up to 2^24; functions that read indices check this.
 *
 * Where the memory lives. A tensor is a small struct (lt_tensor) that points at floats.
 * The floats belong to exactly one of:
 *   - a heap buffer (lt_buf) counted by references: tensors made by tensor_new,
 *     tensor_clone, tensor_keep. Each such struct holds one reference; tensor_free drops
 *     it and frees the buffer with its last reference. This is how values outlive a step
 *     (variables of the language, data sets, schedules such as abar).
 *   - a graph's arena (graph.h): every op result. Struct and floats vanish at graph_reset;
 *     do not free them. Copy out with tensor_keep/tensor_clone what must survive.
 *   - a parameter block (param.h): leaves made by graph_param point at lt_param.w.
 * A view made by an op (slice, transpose, detach, ...) of a heap tensor lives in the arena
 * but borrows the heap floats: the heap tensor must outlive the graph's use of the view.
 *
 *     int shape[2] = {2, 3};
 *     lt_tensor *a = tensor_new(2, shape);          // zeros, heap, refcount 1
 *     if (!a) show(lt_errmsg());
 *     a->data[tensor_offset2(a, 1, 2)] = 5.0f;
 *     lt_tensor *b = tensor_keep(a);                // another reference, no copy
 *     tensor_free(a); tensor_free(b);               // the buffer goes with b
 */
#ifndef LT_TENSOR_H
#define LT_TENSOR_H

#include <stddef.h>

#include "lt_error.h"
#include "param.h"
#include "pool.h"
#include "sgemm.h"

#define LT_MAXDIM 4   /* tensors have 0 (a scalar) to 4 dimensions */
#define LT_MAXIN 4    /* inputs recorded per graph node */
/* Elements in one tensor at most (2^27 floats, 512 MiB): a mistyped shape such as
 * zeros(100000, 100000) fails with LT_ERR_NOMEM at once instead of exhausting the
 * machine, and no element count can overflow size_t. */
#define LT_MAX_NUMEL ((size_t)1 << 27)

typedef struct lt_graph lt_graph;     /* graph.h */
typedef struct lt_tensor lt_tensor;

/* A heap buffer shared by the tensors that refer to it. */
typedef struct lt_buf {
    float *data;     /* (n) */
    size_t n;
    int refs;        /* tensors holding this buffer */
} lt_buf;

/* How an op's gradient is computed; one static instance per op (see graph.h). */
typedef struct lt_opdef {
    const char *name;                              /* "matmul", "relu", ... */
    void (*backward)(lt_graph *g, lt_tensor *y);   /* adds y's gradient into its inputs' */
} lt_opdef;

struct lt_tensor {
    float *data;                 /* the element at index (0,0,0,0)                     */
    int ndim;                    /* 0..LT_MAXDIM; 0 is a scalar with one element       */
    int shape[LT_MAXDIM];        /* shape[ndim..] are 1                                */
    ptrdiff_t stride[LT_MAXDIM]; /* in elements; 0 for a broadcast dimension           */
    lt_buf *buf;                 /* heap buffer of data, or NULL (arena or parameter)  */
    int heap;                    /* 1: this struct came from tensor_* (tensor_free it) */

    /* autograd (graph.h); zero for tensors made outside a recording graph */
    int requires_grad;           /* 1: depends on a parameter leaf of a recording graph */
    float *grad;                 /* contiguous, same shape as the tensor; NULL until a
                                    backward reaches it (a leaf's grad is lt_param.g)  */
    const lt_opdef *op;          /* the op that made it, NULL for leaves and constants */
    lt_tensor *in[LT_MAXIN];     /* the op's tensor inputs                             */
    int nin;
    float fparam[4];             /* the op's scalar arguments (alpha, exponent, ...)   */
    int iparam[4];               /* the op's integer arguments (axis, start, ...)      */
    void *aux;                   /* arena memory the op saved for backward, or NULL    */
    const lt_param *param;       /* the parameter block of a leaf, else NULL           */
    int needed;                  /* backward bookkeeping: leads to a requested leaf    */
};

/* ---- heap tensors (refcounted) ---------------------------------------------------- */

/* A new contiguous tensor of zeros, shape (shape[0], .., shape[ndim-1]), 0 <= ndim <= 4,
 * every dimension >= 0. Returns NULL after lt_fail (LT_ERR_SHAPE, LT_ERR_NOMEM). Free with
 * tensor_free. */
lt_tensor *tensor_new(int ndim, const int *shape);
/* Like tensor_new, filled with a copy of data (numel floats, row-major). */
lt_tensor *tensor_from(int ndim, const int *shape, const float *data);
/* A contiguous heap copy of any tensor (heap, arena or parameter). NULL on failure. */
lt_tensor *tensor_clone(const lt_tensor *x);
/* A heap tensor equal to x that outlives any graph: if x's floats are in a heap buffer,
 * a new struct sharing it (refcount + 1, same strides: a view); otherwise tensor_clone. */
lt_tensor *tensor_keep(const lt_tensor *x);
/* Drops a heap tensor's reference; frees the buffer with its last one. NULL is ignored.
 * Tensors not made by tensor_* (arena, graph_param) are ignored too. */
void tensor_free(lt_tensor *x);

/* ---- inspection ------------------------------------------------------------------ */

size_t tensor_numel(const lt_tensor *x);
/* 1 if the elements are densely packed in row-major order (views may not be). */
int tensor_is_contiguous(const lt_tensor *x);
/* 1 if a and b have the same ndim and shape. */
int tensor_same_shape(const lt_tensor *a, const lt_tensor *b);
/* Checks a shape for a new tensor: 0..LT_MAXDIM dimensions, each >= 0, at most
 * LT_MAX_NUMEL elements. Returns LT_OK (and the element count in *numel when numel is
 * not NULL), or LT_ERR_SHAPE / LT_ERR_NOMEM after lt_fail naming the shape. */
lt_status tensor_check_shape(int ndim, const int *shape, size_t *numel);
/* Writes "(128, 20)" (or "()" for a scalar) into buf; returns buf. For error messages. */
char *tensor_shape_str(const lt_tensor *x, char *buf, size_t size);
/* Like tensor_shape_str for a bare shape. */
char *tensor_dims_str(int ndim, const int *shape, char *buf, size_t size);
/* Offsets (in elements, from data) of an element given its indices. */
static inline ptrdiff_t tensor_offset2(const lt_tensor *x, int i, int j)
{ return i * x->stride[0] + j * x->stride[1]; }
static inline ptrdiff_t tensor_offset4(const lt_tensor *x, int i, int j, int k, int l)
{ return i * x->stride[0] + j * x->stride[1] + k * x->stride[2] + l * x->stride[3]; }
/* Element at flat row-major position i (0 <= i < numel), whatever the strides. */
float tensor_get(const lt_tensor *x, size_t i);
/* Copies x's elements in row-major order into out (numel floats). */
void tensor_copy_out(const lt_tensor *x, float *out);
/* Fills a contiguous stride array for shape. */
void tensor_contiguous_strides(int ndim, const int *shape, ptrdiff_t *stride);

/* The engine's thread setting (pool.h), under its old name (the language's about()
 * reads it): how many threads products and loops may use. */
static inline int tensor_get_threads(void) { return pool_get_threads(); }

#endif
