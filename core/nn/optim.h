/* optim.h: optimizers over parameter blocks (param.h): SGD with momentum (and Nesterov),
 * Adam, AdamW, RMSprop, Adagrad, Adadelta; a learning-rate schedule (lr_sched.h) and clipping
 * of the gradients' global norm, both applied inside optim_step.
 *
 * The update rules are PyTorch 1.13's (torch.optim.SGD / Adam / AdamW, single-tensor path),
 * so a model trained here and there follows the same trajectory up to float rounding. The
 * optimizer keeps its moments in one flat allocation, block after block in the order of the
 * params given, and a step counter.
 *
 *     optim_opts o = optim_defaults(OPTIM_ADAM);
 *     o.lr = 2e-4; o.beta1 = 0.5;
 *     optim *opt = optim_new(OPTIM_ADAM, params, nparams, &o);   // NULL + lt_errmsg()
 *     for (...) { optim_zero_grad(opt); backward(...); optim_step(opt); }
 *     optim_free(opt);
 *
 * optim_step_clear is optim_step that also sets each gradient to zero as it reads it; the
 * next optim_zero_grad then has nothing to do (it checks, by the blocks' writes counts
 * (param.h), that no backward wrote them in between) and the loop above saves a pass over
 * the gradients (tests/bench/README.md, "Measurement history", "optimizer").
 *
 * Ownership: the optimizer copies the lt_param views (not the weights); the layers that own
 * w and g must outlive it. */
#ifndef LT_OPTIM_H
#define LT_OPTIM_H

#include <stddef.h>

#include "lt_error.h"
#include "param.h"
#include "lr_sched.h"

typedef enum optim_kind {
    OPTIM_SGD, OPTIM_ADAM, OPTIM_ADAMW, OPTIM_RMSPROP, OPTIM_ADAGRAD, OPTIM_ADADELTA
} optim_kind;
#define OPTIM_KINDS 6

/* Hyperparameters, in double as Python passes them (so 1 - beta1 rounds as there). */
typedef struct optim_opts {
    double lr;            /* learning rate, >= 0                                      */
    double momentum;      /* SGD: >= 0; 0 is plain SGD                                */
    double dampening;     /* SGD: the buffer takes (1 - dampening) of each new gradient */
    int nesterov;         /* SGD: Nesterov momentum (needs momentum > 0, dampening 0)  */
    double beta1, beta2;  /* Adam(W): moment decay rates, in [0, 1)                   */
    double eps;           /* Adam(W): added to sqrt of the bias-corrected v, >= 0      */
    double weight_decay;  /* SGD, Adam: L2 term wd * w added to the gradient;
                             AdamW: decoupled, w -= lr * wd * w before the update      */
    double alpha;         /* RMSprop: decay of the squared-gradient average, in [0, 1] */
    int centered;         /* RMSprop: divide by the gradient's estimated variance      */
    double lr_decay;      /* Adagrad: step k uses lr / (1 + (k - 1) lr_decay), >= 0    */
    double init_acc;      /* Adagrad: initial_accumulator_value, >= 0                  */
    double rho;           /* Adadelta: decay of both running averages, in [0, 1]       */
    optim_sched sched;    /* the learning-rate schedule over lr (lr_sched.h); none: 0     */
    double clip;          /* > 0: gradients scaled so their global L2 norm is at most
                             clip before each step (torch.nn.utils.clip_grad_norm_)    */
} optim_opts;

typedef struct optim {
    optim_kind kind;
    optim_opts o;
    lt_param *params;     /* (nparams) copies of the views given; owned (not the data) */
    int nparams;
    size_t total;         /* sum of params[i].n                                        */
    float *m;             /* (total) SGD momentum buffer / Adam first moment; owned,
                             one allocation with v                                     */
    float *v;             /* (total) Adam second moment, right after m; NULL for SGD   */
    float *u;             /* (total) a third state after v, or NULL: RMSprop's grad_avg
                             with momentum and centered (optim_more.c lists them all)  */
    long step;            /* steps taken                                               */
    int clean;            /* the gradients were zero after the last step or zero_grad  */
    unsigned long clean_at;   /* the sum of the blocks' writes counts then (param.h)     */
    double last_norm;     /* the gradients' global norm at the last step (before clipping;
                             computed only when clip > 0, else 0)                      */
} optim;

/* PyTorch's defaults: SGD lr 0.01 (PyTorch has none), momentum 0, dampening 0;
 * Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0; AdamW the same with
 * weight_decay 1e-2; RMSprop lr 1e-2, alpha 0.99, eps 1e-8, momentum 0, not centered;
 * Adagrad lr 1e-2, lr_decay 0, initial_accumulator_value 0, eps 1e-10; Adadelta lr 1,
 * rho 0.9, eps 1e-6. No schedule, no clipping. */
optim_opts optim_defaults(optim_kind kind);

/* A new optimizer over params (nparams >= 0 blocks, each with w and g non-NULL), its
 * moments zeroed. NULL after lt_fail on a bad hyperparameter (named, with its value)
 * or out of memory. */
optim *optim_new(optim_kind kind, const lt_param *params, int nparams, const optim_opts *opts);

/* One update of every block from its gradient g; step counts up first (as PyTorch). */
void optim_step(optim *opt);

/* optim_step, then every block's gradient is zero (set as it is read: cheaper than a
 * separate optim_zero_grad). */
void optim_step_clear(optim *opt);

/* Sets every block's gradient to zero. Nothing is written when they are known to be zero
 * already: the last optim_step_clear or optim_zero_grad of this optimizer left them so and
 * no graph_backward (of any graph) ran since. Gradients changed by other means in between
 * (written by hand) are not seen: use graph_zero_grad for those. */
void optim_zero_grad(optim *opt);

/* The learning rate the next step uses: the schedule's at opt->step, from the base lr. */
double optim_lr(const optim *opt);
/* Sets the base lr (the schedule, if any, scales it from the next step on). */
void optim_set_lr(optim *opt, double lr);

/* How many float buffers of `total` the state of kind with o needs (1 to 3). */
int optim_nstate(optim_kind kind, const optim_opts *o);

/* Scales every block's gradient so that their global L2 norm (all blocks as one vector,
 * summed in double) is at most max_norm, as torch.nn.utils.clip_grad_norm_: by
 * max_norm / (norm + 1e-6) when that is below 1. Returns the norm before clipping
 * (inf or NaN when a gradient is; the gradients are then scaled by 0 or NaN, as PyTorch). */
double optim_clip_grad_norm(optim *opt, double max_norm);

/* For optim.c: RMSprop, Adagrad and Adadelta live in optim_more.c. optim_more_check is
 * LT_OK or LT_ERR_VALUE naming the kind's bad hyperparameter; optim_more_step is one
 * update of every block at rate opt->o.lr (opt->step already counts it), zeroing each
 * gradient once read when clear is 1. */
lt_status optim_more_check(optim_kind kind, const optim_opts *o);
void optim_more_step(optim *opt, int clear);

/* "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta" */
const char *optim_name(optim_kind kind);

void optim_free(optim *opt);

#endif
