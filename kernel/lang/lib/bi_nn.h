/* bi_nn.h: networks, optimizers and data sets as values of the language (bi_nn.c).
 *
 * A network value owns an engine module (nn.h); calling it runs the forward pass on the
 * session's graph (taped inside train bodies). seq(...) takes over a layer that nothing
 * else holds (linear(784, 256) written inline) and shares one held by a variable. An
 * optimizer value owns an engine optimizer and holds references to its networks, so
 * their weights outlive it. A data set value owns an lt_dataset. */
#ifndef LANG_BI_NN_H
#define LANG_BI_NN_H

#include "data.h"
#include "nn.h"
#include "optim.h"
#include "bi_tensor.h"

extern const val_type nv_type;        /* data: nv_data * */
extern const val_type ov_type;        /* data: ov_data * */
extern const val_type dv_type;        /* data: lt_dataset * */

/* What a library that makes its own kind of module adds to its network values (the
 * net library: a net's table of call sites, and calling a net or the U-Net with its
 * own arguments). NULL members, or no ops: the layer table, and one tensor through
 * nn_forward. */
typedef struct nv_ops {
    void (*table)(lt_module *m, buf *out, int html);
    int (*call)(lt_module *m, bi_args *a, value *out);
} nv_ops;

typedef struct nv_data {
    lt_module *m;             /* owned; NULL after seq(...) took the layer over (the value
                                 was a temporary nobody else could see) */
    const nv_ops *ops;        /* NULL for the engine's layers */
    buf text, html;           /* the last to_mime's texts */
    lt_mime items[2];
} nv_data;

typedef struct ov_data {
    optim *opt;      /* over the parameter blocks of nets, in order */
    value *nets;     /* (nnets) network values, one reference each */
    int nnets;
    char **names;    /* (nnets) the variable each network was given as (adam(enc)), owned,
                        or NULL (an expression, or no names at all): for the stale check */
    int warned;      /* the stale warning was given */
} ov_data;

int nv_is(value v);
/* The module of a network value (nv_is(v)). Borrowed. */
lt_module *nv_module(value v);
/* The module a layer shared by several networks stands for (m itself otherwise). */
lt_module *nv_unshare(lt_module *m);
/* x with thousands separators ("184,785"); out holds 32 bytes. */
void nv_thousands(size_t x, char *out);
int ov_is(value v);
/* A new optimizer value of kind over the networks of a->pos[0] (one or a list), from
 * the call's keywords (lr, betas, eps, weight_decay, momentum, and sched_val.h's). 0 or -1. */
int ov_new(bi_args *a, value *out, optim_kind kind);
/* Brings an optimizer up to date with its networks' parameter blocks: a net makes
 * its parameters on its first call, possibly after adam(net), so `step` calls this
 * first. Blocks it had keep their moments; new ones start at zero. 0, or -1 after
 * lt_fail (the optimizer is unchanged then). */
int ov_refresh(ov_data *d);
/* Records the variables the networks of d were given as: arg is the optimizer's
 * argument (enc, or [enc, dec]); other expressions record nothing. Returns 0, or -1
 * when out of memory (d has no names then). */
int ov_name_nets(ov_data *d, const ast_node *arg);
/* When a step is about to update d's networks: the name of a variable that held
 * network i when the optimizer was made and now holds another network (its cell was run
 * again, so the optimizer trains the old one), and i; NULL when every one is current.
 * lookup finds a variable's value (or NULL), given ctx. */
const char *ov_stale(const ov_data *d, const value *(*lookup)(void *ctx, const char *name), void *ctx, int *i);
int dv_is(value v);
/* A new data set value taking over *d when st is LT_OK (else the core's error). */
struct bi_args;
int dv_new(struct bi_args *a, lt_dataset *d, lt_status st, value *out);

/* Registers the library (registry.h). */
int lib_open_nn(registry *r);

#endif
