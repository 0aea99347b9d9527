/* layers.h: the layers without parameters (kind "shape"): avgpool(2) and upsample(2)
 * (by a factor of 2 on (B, C, H, W)), flatten ((B, ...) -> (B, n)) and unflatten(d0, ...)
 * ((B, n) -> (B, d0, ...)). The language puts them in seq(...) and its layer tables
 * (kinds.h names them) and makes them from builtins. */
#ifndef LT_LAYERS_H
#define LT_LAYERS_H

#include "graph.h"
#include "nn.h"

typedef enum layer_shape_kind { LAYER_AVGPOOL, LAYER_UPSAMPLE, LAYER_FLATTEN, LAYER_UNFLATTEN } layer_shape_kind;

/* A new shape layer (dims[0..nd): unflatten's sizes after the batch, nd <= 3), or NULL
 * after lt_fail. */
lt_module *layer_shape_new(layer_shape_kind kind, int nd, const int *dims);
/* The ops of the layers on a tensor: x (B, ...) -> (B, n), and (B, ...) -> (B, d0, ..).
 * NULL after lt_fail (a ShapeError naming the input's shape). */
lt_tensor *layer_flatten(lt_graph *g, lt_tensor *x);
lt_tensor *layer_unflatten(lt_graph *g, lt_tensor *x, int nd, const int *dims);
/* The shape after shape layer m (nothing changes for another kind): shape[0..*nd)
 * with -1 for the batch and for sizes not known. */
void layer_shape_out(const lt_module *m, int *nd, int shape[4]);

#endif
