/* ops_internal.h: helpers shared by the ops_*.c files (not part of the public API). */
#ifndef LT_OPS_INTERNAL_H
#define LT_OPS_INTERNAL_H

#include "graph.h"
#include "ops.h"

/* x's elements as a contiguous row-major array: x->data itself when x is contiguous,
 * else a copy in the arena. NULL after lt_fail. */
const float *ops_contig(lt_graph *g, const lt_tensor *x);

/* Normalises a possibly negative axis of an ndim-dimensional tensor; -1 after lt_fail. */
int ops_axis(const char *op, int axis, int ndim);

/* Splits shape around axis: outer = prod before, n = shape[axis], inner = prod after. */
void ops_split(const lt_tensor *x, int axis, size_t *outer, size_t *n, size_t *inner);

/* The result of a view op: a view of x (data, shape, stride) whose element at index i
 * sits in x's contiguous gradient at goff + sum_d i_d * gstride[d]. Records the node. */
lt_tensor *ops_view(lt_graph *g, lt_tensor *x, float *data, int ndim, const int *shape,
                    const ptrdiff_t *stride, const ptrdiff_t *gstride, ptrdiff_t goff);

/* out shape of broadcasting a and b (NumPy rules); LT_OK or LT_ERR_SHAPE naming op. */
lt_status ops_broadcast_shape(const char *op, const lt_tensor *a, const lt_tensor *b,
                              int *ndim, int *shape);

/* Strides of x seen in the 4-d frame of an output of rank ndim (right-aligned, padded on
 * the left): base[d] for matching dimensions, 0 where x has size 1 or no dimension. */
void ops_frame_strides(const lt_tensor *x, const ptrdiff_t *base, int ndim, const int *shape,
                       ptrdiff_t *out4);
/* shape padded on the left to 4 dimensions */
void ops_frame_shape(int ndim, const int *shape, int *out4);

#endif
