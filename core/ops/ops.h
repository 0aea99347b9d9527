/* ops.h: tensor operations, each with its gradient (a forward/backward pair).
 *
 * Every op takes the graph its result is allocated in (graph.h) and returns a new arena
 * tensor, or NULL after lt_fail with a message naming the op and the shapes
 * ("add: shapes (128, 20) and (3, 20) do not broadcast"). Every op given a NULL input
 * returns NULL without touching the message, so expressions can be chained and checked
 * once at the end:
 *
 *     lt_tensor *kld = op_scale(g, op_sum(g, op_sub(g, op_add(g, op_exp(g, logvar),
 *                               op_square(g, mu)), op_add_scalar(g, logvar, 1))), 0.5f);
 *     if (!kld) return lt_errmsg();
 *
 * Inputs may be heap, arena or parameter tensors, and strided views. Results are
 * contiguous unless the op is documented as a view (slice, select, transpose, reshape of
 * a contiguous tensor, expand, detach), which shares the input's floats. Ops keep
 * pointers to their inputs for backward: keep heap inputs alive and unchanged until
 * graph_backward has run (or the graph is reset).
 *
 * Broadcasting follows NumPy: shapes are aligned on the right; each dimension pair must
 * be equal or one of them 1. Gradients of broadcast inputs are summed over the
 * broadcast dimensions.
 *
 * Axes may be negative (-1 is the last). Index tensors are float tensors holding
 * integers (exact up to 2^24); a non-integral or out-of-range index is LT_ERR_INDEX.
 * Ops marked [no grad] are not differentiable: their result never requires a gradient.
 */
#ifndef LT_OPS_H
#define LT_OPS_H

#include "graph.h"
#include "rng.h"
#include "tensor.h"

typedef enum lt_reduce { LT_MEAN = 0, LT_SUM = 1 } lt_reduce;

/* Activations that op_linear (and nn linear layers) can fuse after the bias. The fused
 * ones have derivatives computable from their output. */
typedef enum lt_act {
    LT_ACT_NONE = 0, LT_ACT_RELU, LT_ACT_LEAKY_RELU, LT_ACT_SIGMOID, LT_ACT_TANH
} lt_act;

/* ---- making tensors [no grad] ---------------------------------------------------------- */

lt_tensor *op_full(lt_graph *g, int ndim, const int *shape, float value);
lt_tensor *op_scalar(lt_graph *g, float value);                        /* shape () */
/* values in [start, stop) spaced by step (step != 0), like numpy.arange: (n) */
lt_tensor *op_arange(lt_graph *g, float start, float stop, float step);
/* n values from a to b inclusive (n >= 1; n == 1 gives a): (n) */
lt_tensor *op_linspace(lt_graph *g, float a, float b, int n);
lt_tensor *op_randn(lt_graph *g, rng *r, int ndim, const int *shape);   /* N(0, 1) */
lt_tensor *op_rand(lt_graph *g, rng *r, int ndim, const int *shape);    /* U[0, 1) */
/* integers uniform in [lo, hi), as floats: (n) */
lt_tensor *op_randint(lt_graph *g, rng *r, int lo, int hi, int n);
/* a copy of x made contiguous; differentiable */
lt_tensor *op_contiguous(lt_graph *g, lt_tensor *x);

/* ---- element-wise, broadcasting ----------------------------------------------------- */

/* a and b broadcast together -> y of the broadcast shape: a + b, a - b, a * b, a / b */
lt_tensor *op_add(lt_graph *g, lt_tensor *a, lt_tensor *b);
lt_tensor *op_sub(lt_graph *g, lt_tensor *a, lt_tensor *b);
lt_tensor *op_mul(lt_graph *g, lt_tensor *a, lt_tensor *b);
lt_tensor *op_div(lt_graph *g, lt_tensor *a, lt_tensor *b);

/* [no grad] a OP b broadcast together, 1 where it holds and 0 elsewhere, with IEEE's
 * answers: anything compared with NaN is false except by != (NaN != NaN is 1), -0 == 0,
 * inf == inf */
typedef enum lt_cmp { LT_CMP_LT, LT_CMP_LE, LT_CMP_GT, LT_CMP_GE, LT_CMP_EQ, LT_CMP_NE } lt_cmp;
lt_tensor *op_compare(lt_graph *g, lt_tensor *a, lt_tensor *b, lt_cmp cmp);

/* Unary ops: x (any shape, any strides) -> y (x's shape, contiguous). */

/* a * x + b for scalars a, b (covers scale, add a scalar, 1 - x, neg) */
lt_tensor *op_affine(lt_graph *g, lt_tensor *x, float a, float b);
static inline lt_tensor *op_scale(lt_graph *g, lt_tensor *x, float a)
{ return op_affine(g, x, a, 0.0f); }
static inline lt_tensor *op_add_scalar(lt_graph *g, lt_tensor *x, float b)
{ return op_affine(g, x, 1.0f, b); }
static inline lt_tensor *op_neg(lt_graph *g, lt_tensor *x)
{ return op_affine(g, x, -1.0f, 0.0f); }
/* x^p for a scalar p; for non-integral p, x must be > 0 where it matters */
lt_tensor *op_pow(lt_graph *g, lt_tensor *x, float p);
static inline lt_tensor *op_square(lt_graph *g, lt_tensor *x) { return op_pow(g, x, 2.0f); }

lt_tensor *op_exp(lt_graph *g, lt_tensor *x);
lt_tensor *op_log(lt_graph *g, lt_tensor *x);
lt_tensor *op_sqrt(lt_graph *g, lt_tensor *x);
lt_tensor *op_abs(lt_graph *g, lt_tensor *x);
lt_tensor *op_relu(lt_graph *g, lt_tensor *x);
lt_tensor *op_leaky_relu(lt_graph *g, lt_tensor *x, float alpha);   /* x < 0: alpha x */
lt_tensor *op_sigmoid(lt_graph *g, lt_tensor *x);
lt_tensor *op_tanh(lt_graph *g, lt_tensor *x);
lt_tensor *op_softplus(lt_graph *g, lt_tensor *x);                 /* log(1 + e^x), stable */
lt_tensor *op_silu(lt_graph *g, lt_tensor *x);                     /* x * sigmoid(x) */
/* x held inside [lo, hi] (lo <= hi, either may be infinite; else LT_ERR_VALUE); NaN stays
 * NaN; the gradient passes where lo <= x <= hi, as PyTorch's */
lt_tensor *op_clamp(lt_graph *g, lt_tensor *x, float lo, float hi);
/* applies one of the lt_act activations (alpha for LT_ACT_LEAKY_RELU) */
lt_tensor *op_act(lt_graph *g, lt_tensor *x, lt_act act, float alpha);

/* ---- reductions ------------------------------------------------------------------------ */

lt_tensor *op_sum(lt_graph *g, lt_tensor *x);                        /* all: shape () */
lt_tensor *op_mean(lt_graph *g, lt_tensor *x);                       /* all: shape () */
/* along one axis; keepdim = 1 keeps it as size 1, else it is removed */
lt_tensor *op_sum_axis(lt_graph *g, lt_tensor *x, int axis, int keepdim);
lt_tensor *op_mean_axis(lt_graph *g, lt_tensor *x, int axis, int keepdim);
/* the maximum along an axis; the gradient goes to the first maximal element */
lt_tensor *op_max_axis(lt_graph *g, lt_tensor *x, int axis, int keepdim);
lt_tensor *op_max(lt_graph *g, lt_tensor *x);                        /* all: shape () */
/* [no grad] index of the first maximum along an axis, as floats */
lt_tensor *op_argmax_axis(lt_graph *g, lt_tensor *x, int axis, int keepdim);
/* [no grad] running sum / product along an axis; same shape as x */
lt_tensor *op_cumsum(lt_graph *g, lt_tensor *x, int axis);
lt_tensor *op_cumprod(lt_graph *g, lt_tensor *x, int axis);

/* ---- linear algebra ---------------------------------------------------------------------- */

/* a is (M, K), b is (K, N) -> (M, N). Transposed views are passed to sgemm as transpose
 * flags (no copy); other non-contiguous inputs are copied first. */
lt_tensor *op_matmul(lt_graph *g, lt_tensor *a, lt_tensor *b);
/* x is (B, in), w is (out, in), b is (out) or NULL -> act(x w^T + b), (B, out).
 * One node: bias and activation are fused into the sgemm's output pass. name (may be
 * NULL) is used in shape errors: "linear(784, 256): expected input (B, 784), got ...". */
lt_tensor *op_linear(lt_graph *g, lt_tensor *x, lt_tensor *w, lt_tensor *b,
                     lt_act act, float alpha, const char *name);

/* ---- shape, views and indexing ----------------------------------------------------------- */

/* same elements, new shape (one dimension may be -1: inferred). A view if x is
 * contiguous, else a copy. */
lt_tensor *op_reshape(lt_graph *g, lt_tensor *x, int ndim, const int *shape);
/* [view] swaps two axes */
lt_tensor *op_transpose(lt_graph *g, lt_tensor *x, int axis0, int axis1);
/* [view] elements start, start+step, .. < stop along axis (0 <= start <= stop <= size,
 * step >= 1); the Python slice x[.., start:stop:step, ..] */
lt_tensor *op_slice(lt_graph *g, lt_tensor *x, int axis, int start, int stop, int step);
/* [view] the i-th entry along axis, that axis removed (x[i] for axis 0) */
lt_tensor *op_select(lt_graph *g, lt_tensor *x, int axis, int i);
/* joins n >= 1 tensors along an existing axis; other dimensions must agree */
lt_tensor *op_concat(lt_graph *g, lt_tensor *const *xs, int n, int axis);
/* joins n same-shaped tensors along a new axis (at most 4 dimensions result) */
lt_tensor *op_stack(lt_graph *g, lt_tensor *const *xs, int n, int axis);
/* rows of x by index: x is (N, ...), idx is (M) -> (M, ...); x[idx] / abar[t].
 * Gradient scatter-adds into x (repeated indices accumulate). */
lt_tensor *op_gather(lt_graph *g, lt_tensor *x, lt_tensor *idx);
/* Like op_gather with a plain int array idx (n entries); for mini-batches. */
lt_tensor *op_rows(lt_graph *g, lt_tensor *x, const int *idx, int n);
/* [view] x broadcast to shape (NumPy rules: size-1 or missing leading dimensions are
 * repeated with stride 0); the gradient sums over the repeats */
lt_tensor *op_expand(lt_graph *g, lt_tensor *x, int ndim, const int *shape);
/* [view] the same floats, no gradient: stops back-propagation (GAN D step) */
lt_tensor *op_detach(lt_graph *g, lt_tensor *x);

/* ---- losses (shape () results) ---------------------------------------------------------- */

/* mean or sum of (pred - target)^2; shapes must match exactly (as PyTorch warns) */
lt_tensor *op_mse(lt_graph *g, lt_tensor *pred, lt_tensor *target, lt_reduce r);
/* binary cross-entropy of probabilities p against targets y (same shape):
 * -(y log p + (1 - y) log(1 - p)), each log clamped at -100 as in PyTorch */
lt_tensor *op_bce(lt_graph *g, lt_tensor *p, lt_tensor *y, lt_reduce r);
/* the same from logits z, computed stably: max(z, 0) - z y + log(1 + e^-|z|).
 * y may be any shape that broadcasts to z's (a scalar () target: "all ones"). */
lt_tensor *op_bce_logits(lt_graph *g, lt_tensor *z, lt_tensor *y, lt_reduce r);
/* log-softmax along axis (stable) */
lt_tensor *op_log_softmax(lt_graph *g, lt_tensor *x, int axis);
lt_tensor *op_softmax(lt_graph *g, lt_tensor *x, int axis);
/* logits is (B, C), labels is (B) integers in [0, C): mean or sum of -log softmax */
lt_tensor *op_cross_entropy(lt_graph *g, lt_tensor *logits, lt_tensor *labels, lt_reduce r);
/* the VAE's Gaussian KL term 0.5 * sum(exp(logvar) + mu^2 - 1 - logvar), one fused
 * node; mu and logvar have the same shape. LT_MEAN divides by mu's first dimension
 * (per sample), LT_SUM does not. */
lt_tensor *op_kl_gauss(lt_graph *g, lt_tensor *mu, lt_tensor *logvar, lt_reduce r);

#endif
