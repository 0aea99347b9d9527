/* optim_more.h: RMSprop, Adagrad and Adadelta for optim.c (internal; use optim.h). */
#ifndef LT_OPTIM_MORE_H
#define LT_OPTIM_MORE_H

#include "optim.h"

/* LT_OK, or LT_ERR_VALUE naming the kind's bad hyperparameter and its value. */
lt_status optim_more_check(optim_kind kind, const optim_opts *o);

/* One update of every block with rate opt->o.lr; opt->step already counts this step.
 * clear: each gradient is zeroed once read. */
void optim_more_step(optim *opt, int clear);

#endif
