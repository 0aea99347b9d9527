/* layers.c: the layers without parameters: avgpool(2), upsample(2), flatten, unflatten
 * (see layers.h). */
#include "layers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "lt_error.h"
#include "ops.h"

typedef struct layer_shape_mod {
    lt_module base;
    layer_shape_kind kind;
    int nd, dims[3];     /* unflatten: the sizes after the batch */
} layer_shape_mod;

lt_tensor *layer_unflatten(lt_graph *g, lt_tensor *x, int nd, const int *dims)
{
    char sh[64];
    size_t want = 1;
    for (int i = 0; i < nd; i++) want *= (size_t)dims[i];
    if (!x) return NULL;
    if (x->ndim < 1 || tensor_numel(x) != want * (size_t)x->shape[0]) {
        lt_fail(LT_ERR_SHAPE, "unflatten: %zu values per sample do not fit input %s", want, tensor_shape_str(x, sh, sizeof sh));
        return NULL;
    }
    int shape[4] = { x->shape[0], 1, 1, 1 };
    for (int i = 0; i < nd; i++) shape[i + 1] = dims[i];
    return op_reshape(g, x, nd + 1, shape);
}

lt_tensor *layer_flatten(lt_graph *g, lt_tensor *x)
{
    if (!x) return NULL;
    if (x->ndim < 1) { lt_fail(LT_ERR_SHAPE, "flatten: expected input (B, ...), got ()"); return NULL; }
    int shape[2] = { x->shape[0], x->shape[0] ? (int)(tensor_numel(x) / (size_t)x->shape[0]) : 0 };
    return op_reshape(g, x, 2, shape);
}

static lt_tensor *layer_shape_forward(lt_module *m, lt_graph *g, lt_tensor *x)
{
    layer_shape_mod *s = (layer_shape_mod *)m;
    switch (s->kind) {
    case LAYER_AVGPOOL: return op_avgpool2(g, x);
    case LAYER_UPSAMPLE: return op_upsample2(g, x);
    case LAYER_FLATTEN: return layer_flatten(g, x);
    default: return layer_unflatten(g, x, s->nd, s->dims);
    }
}

static char *layer_shape_describe(const lt_module *m, char *b, size_t size)
{
    const layer_shape_mod *s = (const layer_shape_mod *)m;
    if (s->kind == LAYER_AVGPOOL) snprintf(b, size, "avgpool(2)");
    else if (s->kind == LAYER_UPSAMPLE) snprintf(b, size, "upsample(2)");
    else if (s->kind == LAYER_FLATTEN) snprintf(b, size, "flatten");
    else if (s->nd == 1) snprintf(b, size, "unflatten(%d)", s->dims[0]);
    else if (s->nd == 2) snprintf(b, size, "unflatten(%d, %d)", s->dims[0], s->dims[1]);
    else snprintf(b, size, "unflatten(%d, %d, %d)", s->dims[0], s->dims[1], s->dims[2]);
    return b;
}

static void layer_shape_free(lt_module *m) { free(m); }

static const lt_module_ops layer_shape_ops = { "shape", layer_shape_forward, NULL, layer_shape_describe, layer_shape_free };

lt_module *layer_shape_new(layer_shape_kind kind, int nd, const int *dims)
{
    layer_shape_mod *s = calloc(1, sizeof *s);
    if (!s) { lt_fail(LT_ERR_NOMEM, "out of memory"); return NULL; }
    s->base.ops = &layer_shape_ops;
    s->kind = kind;
    s->nd = nd;
    for (int i = 0; i < nd; i++) s->dims[i] = dims[i];
    return &s->base;
}



void layer_shape_out(const lt_module *m, int *nd, int shape[4])
{
    if (!nn_is(m, "shape")) return;
    const layer_shape_mod *s = (const layer_shape_mod *)m;
    if (s->kind == LAYER_UNFLATTEN) {
        *nd = s->nd + 1; shape[0] = -1;
        for (int i = 0; i < s->nd; i++) shape[i + 1] = s->dims[i];
    } else if (s->kind == LAYER_FLATTEN) {
        int n = 1;
        for (int i = 1; i < *nd; i++) n = shape[i] > 0 && n > 0 ? n * shape[i] : -1;
        *nd = 2; shape[0] = -1; shape[1] = n;
    } else if (*nd == 4) {
        for (int i = 2; i < 4; i++)
            if (shape[i] > 0) shape[i] = s->kind == LAYER_AVGPOOL ? shape[i] / 2 : shape[i] * 2;
    }
}
