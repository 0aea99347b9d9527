/* ema.h: an exponential moving average of parameter blocks (param.h), for sampling
 * with smoothed weights (diffusion models, GANs).
 *
 * After each optimizer step, ema_update blends the live weights into a shadow copy:
 *     shadow = decay * shadow + (1 - decay) * w
 * To sample with the averaged weights, swap them in and back out:
 *
 *     ema *avg = ema_new(params, nparams, 0.999);     // shadow starts as a copy of w
 *     for (...) { optim_step(opt); ema_update(avg); }
 *     ema_swap(avg);  sample(...);  ema_swap(avg);     // live weights restored
 *     ema_free(avg);
 *
 * Ownership: the ema copies the lt_param views (not the weights) and owns its shadow
 * (one allocation, blocks in order); the layers must outlive it. */
#ifndef LT_EMA_H
#define LT_EMA_H

#include <stddef.h>

#include "lt_error.h"
#include "param.h"

typedef struct ema {
    lt_param *params;   /* (nparams) copies of the views given; owned (not the data) */
    int nparams;
    size_t total;       /* sum of params[i].n                                     */
    float *shadow;      /* (total) the averaged weights, block after block; owned  */
    double decay;       /* in [0, 1]: 0 tracks w exactly, 1 freezes the average    */
    long updates;       /* ema_update calls so far                                 */
    int swapped;        /* 1 while the averaged weights are in the layers          */
} ema;

/* A new average starting at the current weights. NULL after lt_fail when decay is not
 * in [0, 1], a block has no weights, or memory runs out. */
ema *ema_new(const lt_param *params, int nparams, double decay);

/* shadow = decay * shadow + (1 - decay) * w, for every block. Call with the live
 * weights in place (not between two ema_swap calls). */
void ema_update(ema *e);

/* Exchanges the live weights and the averaged ones; calling it twice restores both. */
void ema_swap(ema *e);

/* Copies the averaged weights into the layers for good (the live ones are lost). */
void ema_copy_to(const ema *e);

void ema_free(ema *e);

#endif
