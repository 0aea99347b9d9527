/* sched_val.h: learning-rate schedules as values (core/nn/lr_sched.h's optim_sched), and
 * what every optimizer builtin shares: its extra keywords, its description, the fields an
 * optimizer file saves (sched_val.c). Used by bi_nn.c, bi_sched.c and bi_save.c. */
#ifndef LANG_SCHED_VAL_H
#define LANG_SCHED_VAL_H

#include "args.h"
#include "optim.h"
#include "value.h"

/* A schedule value: data is an optim_sched (owned); plot() draws it for a base lr of 1. */
extern const val_type sch_type;

/* A new schedule value holding a copy of s, after sched_check (a ValueError naming the bad
 * field otherwise). 0 or -1. */
int sch_new(bi_args *a, const optim_sched *s, value *out);

/* The keywords every optimizer builtin reads beyond lr, betas, eps, weight_decay and
 * momentum (bi_nn.c's): schedule=, clip=, and those of its kind (alpha, centered,
 * lr_decay, initial_accumulator_value, rho, dampening, nesterov). -1 after bi_fail. */
int sch_optim_opts(bi_args *a, optim_kind kind, optim_opts *o);

/* An optimizer's hyperparameters as the language writes them: "Adam(lr=0.001,
 * betas=[0.9, 0.999]" (no closing parenthesis), then its schedule and clip if any. */
void sch_optim_repr(const optim *opt, buf *out);

/* The optimizer fields saved beyond the first 8 of bi_save.c's "hyper" record
 * (SCH_HYPER_MORE doubles): RMSprop/Adagrad/Adadelta's, clip and the schedule. */
enum { SCH_HYPER_MORE = 13 };
void sch_hyper_write(const optim_opts *o, double *h);
void sch_hyper_read(const double *h, optim_opts *o);

#endif
