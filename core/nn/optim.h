/* optim.h: optimizers over parameter blocks (param.h): SGD with momentum, Adam, AdamW.
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

typedef enum optim_kind { OPTIM_SGD, OPTIM_ADAM, OPTIM_ADAMW } optim_kind;

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
    long step;            /* steps taken                                               */
    int clean;            /* the gradients were zero after the last step or zero_grad  */
    unsigned long clean_at;   /* the sum of the blocks' writes counts then (param.h)     */
} optim;

/* PyTorch's defaults: SGD lr 0.01 (PyTorch has none), momentum 0, dampening 0;
 * Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0; AdamW the same with
 * weight_decay 1e-2. */
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

double optim_lr(const optim *opt);
void optim_set_lr(optim *opt, double lr);

/* "SGD", "Adam", "AdamW" */
const char *optim_name(optim_kind kind);

void optim_free(optim *opt);

#endif
