/* bi_sched.h: the schedule builtins (cosine, exponential, step_decay, warmup,
 * schedule) and the optimizers RMSprop, Adagrad and Adadelta (bi_sched.c). */
#ifndef LANG_BI_SCHED_H
#define LANG_BI_SCHED_H

#include "registry.h"

/* Registers the library's builtins (registry.h). */
int lib_open_sched(registry *r);

#endif
