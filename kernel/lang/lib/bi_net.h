/* bi_net.h: networks written as their forward pass (`net NAME(args) { ... }`), the
 * convolutional layers and ops of the language, and the ready-made U-Net (bi_net.c).
 *
 *     net mlp(x) {
 *         h = relu(linear(x, 64))     # this call site's linear(in, 64), in = x's width
 *         return linear(h, 10)        # another call site, another layer
 *     }
 *     mlp(randn(8, 784))               # the first call makes the parameters
 *
 * A net value is a network value (nv_type, bi_nn.h) whose module is a "net": it owns
 * one layer per call site. A call site is named by its call path: the call nodes of
 * the helper functions from the net's body down to the layer call (fn block(...)
 * called on two lines of the body gives two paths, so two layers), then the layer
 * call itself. The same path in a loop is the same site: one layer, reused. A site
 * makes its layer on its first call, with input sizes read from the tensor it gets,
 * and keeps it; later calls must agree with it (else a ShapeError from the layer
 * naming both shapes, or a ValueError for different sizes asked for).
 *
 * Nodes of the path live in arenas the session keeps for as long as it lives (the
 * cells that define functions and nets), so their addresses never repeat. */
#ifndef LANG_BI_NET_H
#define LANG_BI_NET_H

#include "bi_nn.h"
#include "nn.h"
#include "registry.h"

enum { NET_MAX_PATH = 32 };   /* helper functions nested inside one net call */

/* The net whose body is running (sess.h: s->net). */
typedef struct net_run {
    struct net_mod *net;
    const ast_node *path[NET_MAX_PATH];   /* the fn call nodes from the body down */
    int depth;
    struct net_run *outer;                /* a net called from another net's body */
} net_run;

/* Registers the library (registry.h): its builtins, the `net` statement, linear(x, out)
 * on a tensor (this call site's layer) and the call hooks that keep the call path. */
int lib_open_net(registry *r);

#endif
