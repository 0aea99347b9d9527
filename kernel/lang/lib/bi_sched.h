/* bi_sched.h: learning-rate schedules as values, the optimizers RMSprop, Adagrad and
 * Adadelta, and the optimizer keywords they share with adam/sgd (bi_sched.c). */
#ifndef LANG_BI_SCHED_H
#define LANG_BI_SCHED_H

#include "args.h"
#include "optim.h"
#include "registry.h"

/* Registers the library's builtins (registry.h). */
int lib_open_sched(registry *r);

/* The keywords every optimizer builtin reads beyond lr, betas, eps, weight_decay and
 * momentum (bi_nn.c's): schedule=, clip=, and those of its kind (alpha, centered,
 * lr_decay, initial_accumulator_value, rho, dampening, nesterov). -1 after bi_fail. */
int bs_optim_opts(bi_args *a, optim_kind kind, optim_opts *o);

/* An optimizer's hyperparameters as the language writes them: "Adam(lr=0.001,
 * betas=[0.9, 0.999]" (no closing parenthesis), then its schedule and clip if any. */
void bs_optim_repr(const optim *opt, buf *out);

/* The optimizer fields saved beyond the first 8 of bi_save.c's "hyper" record (BS_HYPER_MORE
 * doubles): RMSprop/Adagrad/Adadelta's, clip and the schedule. */
enum { BS_HYPER_MORE = 13 };
void bs_hyper_write(const optim_opts *o, double *h);
void bs_hyper_read(const double *h, optim_opts *o);

/* Creates an optimizer value (bi_nn.c). */
int ov_new(bi_args *a, value *out, optim_kind kind);

#endif
