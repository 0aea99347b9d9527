/* ema.c: the moving average of weights; plain loops gcc vectorises. */
#pragma GCC optimize("tree-vectorize", "vect-cost-model=cheap")

#include "ema.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

ema *ema_new(const lt_param *params, int nparams, double decay)
{
    if (!(decay >= 0.0 && decay <= 1.0)) {
        lt_fail(LT_ERR_VALUE, "ema: decay must be in [0, 1], got %g", decay);
        return NULL;
    }
    if (nparams < 0 || (nparams > 0 && !params)) {
        lt_fail(LT_ERR_VALUE, "ema: bad parameter list (%d blocks)", nparams);
        return NULL;
    }
    for (int i = 0; i < nparams; i++)
        if (params[i].n > 0 && !params[i].w) {
            lt_fail(LT_ERR_VALUE, "ema: parameter block %d (%s) has no weights", i,
                    params[i].name ? params[i].name : "unnamed");
            return NULL;
        }
    ema *e = calloc(1, sizeof *e);
    if (!e) goto nomem;
    e->decay = decay;
    e->nparams = nparams;
    e->params = malloc((nparams ? (size_t)nparams : 1) * sizeof *e->params);
    if (!e->params) goto nomem;
    if (nparams) memcpy(e->params, params, (size_t)nparams * sizeof *params);
    for (int i = 0; i < nparams; i++) e->total += params[i].n;
    e->shadow = mem_alloc((e->total ? e->total : 1) * sizeof *e->shadow, 0, "ema");
    if (!e->shadow) {   /* mem_alloc's message: the memory limit, or out of memory */
        ema_free(e);
        return NULL;
    }
    size_t off = 0;
    for (int i = 0; i < nparams; i++) {
        if (params[i].n) memcpy(e->shadow + off, params[i].w, params[i].n * sizeof(float));
        off += params[i].n;
    }
    return e;
nomem:
    ema_free(e);
    lt_fail(LT_ERR_NOMEM, "ema: out of memory for the averaged weights");
    return NULL;
}

/* s, w are (n): s = decay * s + (1 - decay) * w */
static void ema_blend(float *restrict s, const float *restrict w, size_t n, float decay, float keep)
{
    for (size_t i = 0; i < n; i++)
        s[i] = s[i] * decay + keep * w[i];
}

void ema_update(ema *e)
{
    float decay = (float)e->decay, keep = (float)(1.0 - e->decay);
    size_t off = 0;
    for (int i = 0; i < e->nparams; i++) {
        ema_blend(e->shadow + off, e->params[i].w, e->params[i].n, decay, keep);
        off += e->params[i].n;
    }
    e->updates++;
}

static void swap_block(float *restrict a, float *restrict b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

void ema_swap(ema *e)
{
    size_t off = 0;
    for (int i = 0; i < e->nparams; i++) {
        swap_block(e->shadow + off, e->params[i].w, e->params[i].n);
        off += e->params[i].n;
    }
    e->swapped = !e->swapped;
}

void ema_copy_to(const ema *e)
{
    size_t off = 0;
    for (int i = 0; i < e->nparams; i++) {
        if (e->params[i].n) memcpy(e->params[i].w, e->shadow + off, e->params[i].n * sizeof(float));
        off += e->params[i].n;
    }
}

void ema_free(ema *e)
{
    if (!e) return;
    free(e->params);
    mem_free(e->shadow);
    free(e);
}
