/* bi_math.h: the maths builtins (bi_math.c): sin, cos, tan, the constants pi and e,
 * var, std, where, one_hot, argmin, log_softmax, nll_loss, and what other modules call:
 * activations on plain numbers, axis lists for the tensor reductions, and
 * cross_entropy's tensor form with label smoothing. */
#ifndef LANG_BI_MATH_H
#define LANG_BI_MATH_H

#include "builtins.h"
#include "ops.h"

extern const builtin bi_math_builtins[];

/* 1 and the constant's value in *out when name is a constant of the language (pi, e);
 * variables shadow them (e = temb(t, 128) still works). */
int bm_constant(const char *name, value *out);

/* An activation (relu, sigmoid, tanh, silu, softplus) of the number x, in double, as
 * exp(0.5) is: relu keeps NaN, sigmoid and softplus are computed stably. */
double bm_act_num(const char *name, double x);

/* The axis= keyword of a reduction: absent (*given 0), one whole number or a list of
 * distinct ones (up to 4); -1 with a TypeError/ValueError at the keyword. */
int bm_axes(bi_args *a, int *naxes, int *axes, int *given);

/* sum/mean/max/min(x, axis=[..], keepdim=) over several axes (bi_tensor.c's reduce calls
 * it when axis is a list); kind is "sum", "mean", "max" or "min". */
int bm_reduce_axes(bi_args *a, value *out, const char *kind);

/* The reduce= keyword of a loss: "mean" (default) or "sum"; -1 with a ValueError. */
int bm_reduce_kw(bi_args *a, lt_reduce *r);

/* cross_entropy(logits, target, reduce=, label_smoothing=) on tensors. */
int bm_cross_entropy(bi_args *a, value *out);

/* floor, ceil, round(x, digits=0) and log2 of a tensor: the tensor methods of those names. */
int bm_tensor_floor(bi_args *a, value *out);
int bm_tensor_ceil(bi_args *a, value *out);
int bm_tensor_round(bi_args *a, value *out);
int bm_tensor_log2(bi_args *a, value *out);

#endif
