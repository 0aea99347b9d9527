/* bi_math.h: the maths builtins (bi_math.c): sin, cos, tan, the constants pi and e,
 * var, std, where, one_hot, argmin, log_softmax, nll_loss, and what other modules call:
 * activations on plain numbers and cross_entropy's tensor form with label smoothing. */
#ifndef LANG_BI_MATH_H
#define LANG_BI_MATH_H

#include "args.h"
#include "ops.h"
#include "registry.h"

/* Registers the library: its builtins, the constants pi and e (registry.h) and the tensor
 * overloads of floor, ceil, round and log2. */
int lib_open_math(registry *r);

/* An activation (relu, sigmoid, tanh, silu, softplus) of the number x, in double, as
 * exp(0.5) is: relu keeps NaN, sigmoid and softplus are computed stably. */
double bm_act_num(const char *name, double x);

/* The reduce= keyword of a loss: "mean" (default) or "sum"; -1 with a ValueError. */
int bm_reduce_kw(bi_args *a, lt_reduce *r);

/* cross_entropy(logits, target, reduce=, label_smoothing=) on tensors. */
int bm_cross_entropy(bi_args *a, value *out);


#endif
