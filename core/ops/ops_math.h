/* ops_math.h: more tensor maths (trigonometry, where, one-hot, reductions over several
 * axes, variance and standard deviation, argmin, NLL and cross-entropy with label
 * smoothing or soft targets). The conventions are ops.h's: each op takes the graph its
 * result lives in, returns NULL after lt_fail (naming the op and the shapes), passes a
 * NULL input along, and is differentiable unless marked [no grad].
 *
 * sin, cos, tan, where, var, std and nll_loss are nodes with their own backward; the
 * reductions, argmin and the smoothed cross-entropy are built from ops.h's nodes, so their
 * gradients are those nodes' (tests/unit/test_grad.c checks them all by finite
 * differences). */
#ifndef LT_OPS_MATH_H
#define LT_OPS_MATH_H

#include "ops.h"

/* x (any shape) -> y (x's shape): sin x, cos x, tan x (float libm, full range reduction;
 * +-inf and NaN give NaN). Gradients cos x, -sin x, 1 + tan^2 x (PyTorch's). */
lt_tensor *op_sin(lt_graph *g, lt_tensor *x);
lt_tensor *op_cos(lt_graph *g, lt_tensor *x);
lt_tensor *op_tan(lt_graph *g, lt_tensor *x);

/* cond, a, b broadcast together (NumPy rules) -> y: a where cond != 0 (NaN counts as
 * true, as nonzero), else b. The gradient flows to a where cond holds and to b elsewhere
 * (and never to cond). */
lt_tensor *op_where(lt_graph *g, lt_tensor *cond, lt_tensor *a, lt_tensor *b);

/* [no grad] labels (at most 3 dimensions, whole numbers in [0, n)) -> (labels' shape, n):
 * 1 at each label's position, 0 elsewhere. LT_ERR_INDEX names a bad label. */
lt_tensor *op_one_hot(lt_graph *g, lt_tensor *labels, int n);

/* [no grad] x rounded to whole numbers: down, up, or to the nearest with halves to even
 * (as torch.floor, ceil, round); +-inf, NaN and -0 stay */
typedef enum lt_rounding { LT_FLOOR, LT_CEIL, LT_ROUND } lt_rounding;
lt_tensor *op_rounding(lt_graph *g, lt_tensor *x, lt_rounding mode);

/* [no grad] index of the first minimum along an axis, as floats (NaN is the minimum). */
lt_tensor *op_argmin_axis(lt_graph *g, lt_tensor *x, int axis, int keepdim);

/* Reductions over the naxes axes listed (distinct, may be negative; naxes 0: every axis),
 * keepdim = 1 keeping each as size 1. max sends the gradient to one maximal element. */
lt_tensor *op_sum_axes(lt_graph *g, lt_tensor *x, int naxes, const int *axes, int keepdim);
lt_tensor *op_mean_axes(lt_graph *g, lt_tensor *x, int naxes, const int *axes, int keepdim);
lt_tensor *op_max_axes(lt_graph *g, lt_tensor *x, int naxes, const int *axes, int keepdim);
/* The variance sum((x - mean)^2) / (N - correction) over the axes (N their element
 * count; correction 1 is PyTorch's default, Bessel's; 0 the population variance). Two
 * passes in double (the mean first), so tiny and huge values keep their precision until
 * the float result. N - correction <= 0 divides by 0: NaN for a
 * constant slice, inf otherwise, as PyTorch. std is its square root, taken in double
 * (the std of 1e-30 values is not lost with a float variance of 1e-60). */
lt_tensor *op_var_axes(lt_graph *g, lt_tensor *x, int naxes, const int *axes, double correction,
                       int keepdim);
lt_tensor *op_std_axes(lt_graph *g, lt_tensor *x, int naxes, const int *axes, double correction,
                       int keepdim);

/* logp is (B, C) log-probabilities, labels (B) whole numbers in [0, C): the mean (or sum)
 * of -logp[i, labels[i]] (torch.nn.functional.nll_loss). */
lt_tensor *op_nll_loss(lt_graph *g, lt_tensor *logp, lt_tensor *labels, lt_reduce r);

/* Cross-entropy of logits (B, C) against target, with label smoothing eps in [0, 1] as
 * torch.nn.functional.cross_entropy: target is (B) whole-number labels (the loss is
 * (1 - eps) * nll + eps * mean_j(-log softmax_j)) or (B, C) class probabilities (mixed
 * with the uniform distribution: t (1 - eps) + eps / C, then -sum_j t_j log softmax_j).
 * Mean over B, or the sum. */
lt_tensor *op_cross_entropy_ls(lt_graph *g, lt_tensor *logits, lt_tensor *target, double eps,
                               lt_reduce r);

#endif
