/* lr_sched.h: learning-rate schedules, as a value an optimizer carries (optim_opts.sched).
 *
 * A schedule maps the number of steps already taken k (0 before the first step; counted
 * from s->start, the optimizer's step count when the schedule was attached) and the
 * optimizer's base learning rate to the rate of step k + 1. Every kind may start with a
 * linear warm-up over `warmup` steps: step k < warmup uses base * (k + 1) / warmup (so the
 * first step is not wasted at lr 0), then the kind's curve runs from base with its own
 * counter t = k - warmup:
 *
 *     SCHED_CONSTANT   base                                  (warm-up only)
 *     SCHED_STEP       base * gamma^floor(t / every)          (PyTorch's StepLR)
 *     SCHED_EXP        base * gamma^t                         (ExponentialLR)
 *     SCHED_COSINE     min_lr + (base - min_lr) * (1 + cos(pi t / T)) / 2, T = steps -
 *                      warmup, and min_lr once t >= T          (CosineAnnealingLR, no restart)
 *
 * The rates count optimizer steps (PyTorch's schedulers count scheduler.step() calls:
 * StepLR(step_size=30) stepped once an epoch is every = 30 * batches per epoch here).
 *
 *     optim_opts o = optim_defaults(OPTIM_ADAM);
 *     o.sched = (optim_sched){ .kind = SCHED_COSINE, .steps = 1000, .warmup = 100 };
 *     // optim_lr(opt) is then sched_lr(&o.sched, o.lr, opt->step) */
#ifndef LT_LR_SCHED_H
#define LT_LR_SCHED_H

#include "lt_error.h"

typedef enum sched_kind {
    SCHED_NONE = 0,       /* the base rate at every step                              */
    SCHED_CONSTANT,       /* warm-up, then the base rate                              */
    SCHED_STEP,           /* times gamma every `every` steps                          */
    SCHED_EXP,            /* times gamma each step                                    */
    SCHED_COSINE          /* half a cosine from base down to min_lr over steps        */
} sched_kind;

typedef struct optim_sched {
    sched_kind kind;
    long warmup;          /* steps of linear warm-up, >= 0                            */
    long steps;           /* SCHED_COSINE: the step at which min_lr is reached (> warmup) */
    long every;           /* SCHED_STEP: steps between decays, >= 1                   */
    double gamma;         /* SCHED_STEP, SCHED_EXP: the factor, in (0, 1]             */
    double min_lr;        /* SCHED_COSINE: the final rate, >= 0                       */
    long start;           /* the optimizer's step count when the schedule was attached:
                             k counts from there (0 for a schedule given at creation)  */
} optim_sched;

/* The rate of the step after k steps of the optimizer (k >= 0; the schedule's own count is
 * k - start, 0 if negative) from base; base for SCHED_NONE. */
double sched_lr(const optim_sched *s, double base, long k);

/* LT_OK, or LT_ERR_VALUE naming the first bad field and its value. */
lt_status sched_check(const optim_sched *s);

/* "cosine", "step_decay", "exponential", "warmup", "none" */
const char *sched_name(sched_kind kind);

#endif
