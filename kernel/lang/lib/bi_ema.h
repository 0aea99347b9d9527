/* bi_ema.h: ema(net) (a moving average of a network's weights, for sampling) and the
 * learning-rate builtins get_lr / set_lr; see bi_ema.c. */
#ifndef LANG_BI_EMA_H
#define LANG_BI_EMA_H

#include "registry.h"
#include "value.h"

extern const val_type ema_val_type;
/* Registers the library (registry.h). */
int lib_open_ema(registry *r);

int ema_val_is(value v);
/* Swaps the averaged weights of an ema value v into its network (or back: call it
 * twice) and gives the network in *net (borrowed). -1 with a ValueError when the
 * network's parameters changed since ema() was made. */
int ema_val_swap(bi_args *a, value v, value *net);

#endif
