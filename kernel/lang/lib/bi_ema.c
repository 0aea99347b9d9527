/* bi_ema.c: the moving average of a network's weights (core/nn/ema.c) as a value of the
 * language, and the learning rate of an optimizer as a number to read and set.
 *
 *     avg = ema(eps_net, decay=0.999)     # a shadow copy of eps_net's weights
 *     train on data epochs 5 batch 128 {
 *         ...
 *         step opt loss
 *         update(avg)                     # shadow = d * shadow + (1 - d) * weights
 *     }
 *     avg(x, t)                           # eps_net's forward pass with the averaged weights
 *     save(avg, "eps.ckpt")               # eps_net's architecture, the averaged weights
 *
 * Calling an ema value swaps the averaged weights into the network, runs it and swaps
 * them back, so the live network is untouched; it is for sampling (plain evaluation),
 * not for training (a taped call is a TypeError). The effective decay of update k (from
 * 1) is min(decay, (1 + k) / (10 + k)): the first updates follow the weights closely, so
 * an average of a few hundred steps is not mostly the random initialisation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bi_ema.h"
#include "ema.h"
#include "bi_nn.h"
#include "sess.h"

typedef struct ema_val {
    ema *e;        /* over the network's parameter blocks; owned */
    value net;     /* the network, one reference (its layers own the weights) */
    double decay;  /* the decay asked for (e->decay is the last effective one) */
} ema_val;

static void ema_val_free(void *data)
{
    ema_val *d = data;
    ema_free(d->e);
    val_decref(d->net);
    free(d);
}

static void ema_val_repr(const void *data, buf *out)
{
    const ema_val *d = data;
    char num[32];
    nv_thousands(d->e->total, num);
    buf_printf(out, "ema(decay=%g) of a network of %s parameters, %ld updates", d->decay, num, d->e->updates);
}

int ema_val_is(value v)
{
    return IS_OBJ(v) && AS_OBJ(v)->type == &ema_val_type;
}

/* The parameter blocks of the network, as ema_new wants them; their count. */
static int ema_blocks(value net, lt_param **ps)
{
    lt_param none;
    int n = nn_params(nv_module(net), &none, 0);
    *ps = malloc((size_t)(n ? n : 1) * sizeof **ps);
    if (!*ps) return -1;
    return nn_params(nv_module(net), *ps, n);
}

/* Whether the network still has the blocks the average was made over. */
static int ema_matches(const ema_val *d)
{
    lt_param *ps;
    int n = ema_blocks(d->net, &ps), ok = n == d->e->nparams;
    for (int i = 0; ok && i < n; i++) ok = ps[i].w == d->e->params[i].w && ps[i].n == d->e->params[i].n;
    free(ps);
    return ok;
}

static int ema_check(bi_args *a, const ema_val *d)
{
    if (ema_matches(d)) return 0;
    return bi_fail(a, NULL, "ValueError", "the network made new layers since ema() was made: make a new "
                   "ema(net)");
}

int ema_val_swap(bi_args *a, value v, value *net)
{
    ema_val *d = AS_OBJ(v)->data;
    if (ema_check(a, d) < 0) return -1;
    ema_swap(d->e);
    *net = d->net;
    return 0;
}

/* avg(x, t): the network's forward pass with the averaged weights */
static int ema_val_call(void *data, bi_args *a, value *out)
{
    ema_val *d = data;
    if (a->s->tc && a->s->tc->training)
        return bi_fail(a, NULL, "TypeError", "an ema network is for sampling, outside a train body "
                       "(it would not be trained: train the network itself)");
    if (ema_check(a, d) < 0) return -1;
    ema_swap(d->e);
    int st = AS_OBJ(d->net)->type->call(AS_OBJ(d->net)->data, a, out);
    ema_swap(d->e);
    return st;
}

const val_type ema_val_type = {
    .name = "ema", .free = ema_val_free, .repr = ema_val_repr, .call = ema_val_call,
};

static int be_ema(bi_args *a, value *out)
{
    double decay = 0.999;
    const ast_node *at = NULL;
    const value *dv = bi_kw(a, "decay", &at);
    if (!nv_is(a->pos[0]))
        return bi_fail(a, a->pos_nodes[0], "TypeError", "ema() averages a network's weights, not %s",
                       val_type_name(a->pos[0]));
    if (dv && !IS_NUM(*dv)) return bi_fail(a, at, "TypeError", "decay must be a number, not %s", val_type_name(*dv));
    if (dv) decay = AS_NUM(*dv);
    if (!(decay >= 0 && decay < 1))
        return bi_fail(a, at, "ValueError", "decay must be in [0, 1) (e.g. 0.999), got %g", decay);
    lt_param *ps;
    int n = ema_blocks(a->pos[0], &ps);
    if (n < 0) return bi_fail(a, NULL, "MemoryError", "out of memory");
    if (n == 0) {
        free(ps);
        return bi_fail(a, a->pos_nodes[0], "ValueError", "this network has no parameters yet (a net makes its "
                       "layers on its first call): call it once, then ema(net)");
    }
    ema_val *d = calloc(1, sizeof *d);
    if (d) d->e = ema_new(ps, n, decay);
    free(ps);
    if (!d || !d->e) { free(d); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
    d->decay = decay;
    d->net = a->pos[0];
    val_incref(d->net);
    val_obj *o = val_obj_new(&ema_val_type, d);
    if (!o) return bi_fail(a, NULL, "MemoryError", "out of memory");
    *out = OBJ_VAL(o);
    return 0;
}

/* update(avg): one step of the average */
static int be_update(bi_args *a, value *out)
{
    if (!ema_val_is(a->pos[0]))
        return bi_fail(a, a->pos_nodes[0], "TypeError", "update() takes an ema (avg = ema(net)), not %s",
                       val_type_name(a->pos[0]));
    ema_val *d = AS_OBJ(a->pos[0])->data;
    if (ema_check(a, d) < 0) return -1;
    double k = (double)d->e->updates + 1, warm = (1 + k) / (10 + k);
    d->e->decay = warm < d->decay ? warm : d->decay;
    ema_update(d->e);
    *out = NONE_VAL;
    return 0;
}

/* ---- learning rates ------------------------------------------------------------ */

static int be_opt(bi_args *a, ov_data **d)
{
    if (!ov_is(a->pos[0]))
        return bi_fail(a, a->pos_nodes[0], "TypeError", "needs an optimizer (adam(net), ...), not %s",
                       val_type_name(a->pos[0]));
    *d = AS_OBJ(a->pos[0])->data;
    return 0;
}

static int be_get_lr(bi_args *a, value *out)
{
    ov_data *d;
    if (be_opt(a, &d) < 0) return -1;
    *out = NUM_VAL(optim_lr(d->opt));
    return 0;
}

static int be_set_lr(bi_args *a, value *out)
{
    ov_data *d;
    double lr;
    if (be_opt(a, &d) < 0 || bi_num(a, 1, &lr) < 0) return -1;
    if (!(lr >= 0 && isfinite(lr)))
        return bi_fail(a, a->pos_nodes[1], "ValueError", "a learning rate must be a finite number >= 0, got %g", lr);
    optim_set_lr(d->opt, lr);
    *out = NONE_VAL;
    return 0;
}

static const char *const be_ema_kw[] = {"decay", NULL};

static const builtin bi_ema_builtins[] = {
    {"ema", "ema(net, decay=0.999)",
     "An exponential moving average of a network's weights: update(avg) after each step blends the weights in "
     "(shadow = d * shadow + (1 - d) * w, with d = min(decay, (1 + k) / (10 + k)) at update k); avg(x, ...) "
     "runs the network with the averaged weights (for sampling), save(avg, path) saves them.",
     "f = seq(linear(2, 2))\navg = ema(f, decay=0.9)\nupdate(avg)\navg\n"
     "# => ema(decay=0.9) of a network of 6 parameters, 1 updates",
     be_ema_kw, 1, 1, be_ema},
    {"update", "update(avg)", "One step of an ema: blends the network's current weights into the average.",
     "avg = ema(seq(linear(2, 2)))\nupdate(avg)\nupdate(avg)\nprint(avg)\n"
     "# => ema(decay=0.999) of a network of 6 parameters, 2 updates", NULL, 1, 1, be_update},
    {"get_lr", "get_lr(opt)", "The learning rate an optimizer's next step uses: with a schedule (cosine, ...), "
     "the scheduled rate at its steps so far.",
     "get_lr(adam(linear(2, 1), lr=0.01))  # => 0.01", NULL, 1, 1, be_get_lr},
    {"set_lr", "set_lr(opt, lr)",
     "Sets an optimizer's learning rate for its next steps (its moments and step count stay): warm-ups and "
     "decays by hand, e.g. set_lr(opt, 2e-3 * min(1, k / 100)). With a schedule it sets the base rate the "
     "schedule scales.",
     "opt = adam(linear(2, 1))\nset_lr(opt, 5e-4)\nget_lr(opt)  # => 0.0005", NULL, 2, 2, be_set_lr},
    {0},
};

int lib_open_ema(registry *r)
{
    return reg_open(r, bi_ema_builtins);
}
