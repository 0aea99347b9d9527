/* nn.h: layers (modules) that own parameters, and the sequential container.
 *
 * A module is a struct whose first member is an lt_module header holding a table of
 * functions (lt_module_ops), so other files can add layer kinds (conv2d, GroupNorm, ...)
 * without touching this one. Modules own their parameters (flat arrays) and hand out
 * lt_param views of them; forward runs on a graph (recording for training, not for
 * evaluation) and returns an arena tensor.
 *
 *     rng r; rng_seed(&r, 0);
 *     lt_module *mods[4] = { nn_linear(784, 256, &r), nn_act(LT_ACT_RELU, 0),
 *                            nn_linear(256, 20, &r), nn_act(LT_ACT_RELU, 0) };
 *     lt_module *enc = nn_seq(mods, 4);      // takes ownership of mods (even on failure)
 *     if (!enc) show(lt_errmsg());
 *     lt_param ps[64]; int n = nn_params(enc, ps, 64);   // views, in a fixed order
 *     lt_tensor *z = nn_forward(enc, g, x);  // x is (B, 784) -> (B, 20); NULL on error:
 *         // "linear(784, 256): expected input (B, 784), got (128, 20)"
 *     nn_free(enc);                          // frees the children too
 *
 * A new kind of layer (conv2d, GroupNorm, ...) is a struct starting with lt_module, a
 * static lt_module_ops table and a constructor; see nn.c's linear for a complete one:
 *   - keep the weights and gradients as flat arrays the module owns, and an lt_param for
 *     each block inside the module struct: graph_param keeps a pointer to the lt_param;
 *   - forward: check x's shape (failing with "conv2d(1, 32, k=3): expected input
 *     (B, 1, H, W), got (128, 784)"), make leaves with graph_param(g, &m->p[i], ...) and
 *     combine them with ops (ops.h) or a new op of its own (graph.h shows how);
 *   - params: copy the lt_param views out, in a fixed order;
 *   - free: free the arrays and the struct.
 */
#ifndef LT_NN_H
#define LT_NN_H

#include <stddef.h>

#include "graph.h"
#include "ops.h"
#include "param.h"
#include "rng.h"
#include "tensor.h"

typedef struct lt_module lt_module;

typedef struct lt_module_ops {
    const char *kind;   /* "linear", "relu", "seq", ... */
    /* y = m(x) on g; NULL after lt_fail naming the layer and both shapes */
    lt_tensor *(*forward)(lt_module *m, lt_graph *g, lt_tensor *x);
    /* writes up to cap parameter views into ps; returns how many the module has (which
     * may exceed cap: then only cap were written). NULL when the module has none. */
    int (*params)(lt_module *m, lt_param *ps, int cap);
    /* "linear(784, 256)", "leaky_relu(0.2)": writes into buf, returns buf */
    char *(*describe)(const lt_module *m, char *buf, size_t size);
    void (*free)(lt_module *m);   /* frees what the module owns and the module itself */
} lt_module_ops;

struct lt_module {
    const lt_module_ops *ops;
};

/* ---- calling any module -------------------------------------------------------------- */

lt_tensor *nn_forward(lt_module *m, lt_graph *g, lt_tensor *x);
/* All parameter blocks of m (children in order), up to cap; returns the total count. */
int nn_params(lt_module *m, lt_param *ps, int cap);
/* Total number of trainable floats. */
size_t nn_param_count(lt_module *m);
char *nn_describe(const lt_module *m, char *buf, size_t size);
void nn_free(lt_module *m);   /* NULL is ignored */

/* ---- linear --------------------------------------------------------------------------- */

typedef struct lt_linear {
    lt_module base;
    int in, out;
    float *weight;        /* (out, in), row-major; owned */
    float *weight_grad;   /* (out, in) */
    float *bias;          /* (out), or NULL without bias */
    float *bias_grad;     /* (out) */
    lt_param p[2];        /* views of weight and bias (graph leaves point at these) */
    unsigned long writes; /* backward passes that wrote the gradients (param.h) */
} lt_linear;

/* y = x W^T + b with PyTorch's default init: W and b uniform in
 * [-1/sqrt(in), 1/sqrt(in)] (kaiming_uniform with a = sqrt(5)), drawn from r (weights
 * row by row, then bias). Gradients zero. NULL after lt_fail (in, out < 1; NOMEM). */
lt_module *nn_linear(int in, int out, rng *r);
/* the same without a bias */
lt_module *nn_linear_nobias(int in, int out, rng *r);
/* m's forward with an activation fused after the bias (what nn_seq uses); m must be a
 * linear. x is (B, in) -> (B, out), or one sample (in) -> (out). */
lt_tensor *nn_linear_forward(lt_module *m, lt_graph *g, lt_tensor *x, lt_act act, float alpha);

/* ---- activations as layers (no parameters) --------------------------------------------- */

/* act is relu, leaky_relu (slope alpha), sigmoid or tanh. */
lt_module *nn_act(lt_act act, float alpha);
/* element-wise activations that cannot be fused into linear */
typedef enum lt_unary { LT_UNARY_SILU, LT_UNARY_SOFTPLUS, LT_UNARY_EXP } lt_unary;
lt_module *nn_unary(lt_unary f);

/* ---- sequential ------------------------------------------------------------------------ */

/* Runs mods in order. Takes ownership of mods[0..n-1] at once, even on failure (they are
 * freed then). A linear followed by a fusable activation layer computes both in one node
 * (the activation layer stays in the list for describe and params). */
lt_module *nn_seq(lt_module **mods, int n);
/* The children of a seq (NULL and 0 for other modules). Borrowed. */
lt_module **nn_seq_children(lt_module *m, int *n);

/* Stable checks by kind: */
int nn_is(const lt_module *m, const char *kind);

#endif
