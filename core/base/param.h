/* param.h: a block of trainable parameters, as layers expose them and optimizers use them.
 *
 * A layer owns its weights and their gradients as flat float arrays; it hands out
 * lt_param views of them (pointers, not copies). An optimizer keeps its own moment
 * arrays, one per block, in the same order as the blocks it was given. Whether a
 * gradient may have changed since it was zeroed is the block's own state (writes), not
 * the process's: an optimizer skips zeroing what no backward has written since.
 *
 *     lt_param p = { .w = lin->weight, .g = lin->weight_grad, .n = out * in, .name = "weight" };
 */
#ifndef LT_PARAM_H
#define LT_PARAM_H

#include <stddef.h>

typedef struct lt_param {
    float *w;          /* (n) the values; owned by the layer                     */
    float *g;          /* (n) the gradient, same layout; owned by the layer       */
    size_t n;          /* number of floats                                        */
    const char *name;  /* for summaries and save files ("enc.0.weight"); borrowed */
    unsigned long *writes;  /* a count owned by the layer, bumped by every backward
                               that adds into g (graph.h); NULL: not counted, and an
                               optimizer then zeroes g on every zero_grad            */
} lt_param;

#endif
