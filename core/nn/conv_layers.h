/* conv_layers.h: the layers of convolutional networks as lt_module (nn.h): conv2d and
 * GroupNorm, over the ops of conv.h.
 *
 *     rng r; rng_seed(&r, 0);
 *     lt_module *c = nn_conv2d(1, 16, 3, 1, 1, &r);     // 3x3, stride 1, padding 1
 *     lt_module *n = nn_group_norm(4, 16);              // 4 groups of 4 channels
 *     lt_tensor *h = nn_forward(c, g, x);               // x is (B, 1, 28, 28) -> (B, 16, 28, 28)
 *     h = nn_group_norm_forward(n, g, h, 1);            // GroupNorm then SiLU, one node
 *     if (!h) show(lt_errmsg());                        // "conv2d(1, 16, k=3): expected ..."
 *     nn_free(c); nn_free(n);
 */
#ifndef LT_CONV_LAYERS_H
#define LT_CONV_LAYERS_H

#include "conv.h"
#include "nn.h"

typedef struct lt_conv2d {
    lt_module base;
    int in, out, k, stride, pad;
    float *weight;        /* (out, in, k, k), owned */
    float *weight_grad;   /* (out, in, k, k) */
    float *bias;          /* (out) */
    float *bias_grad;     /* (out) */
    lt_param p[2];        /* views: weight, bias */
    unsigned long writes; /* backward passes that wrote the gradients (param.h) */
    char name[96];        /* "conv2d(16, 32, k=3, stride=2)": the builtin's call, defaults left out */
} lt_conv2d;

/* A k x k convolution from in to out channels with bias, PyTorch's default init:
 * weight and bias uniform in [-1/sqrt(in k k), 1/sqrt(in k k)] (kaiming_uniform with
 * a = sqrt(5)), drawn from r (weight in (out, in, k, k) order, then bias). Forward takes
 * x (B, in, H, W) -> (B, out, Ho, Wo). NULL after lt_fail (sizes < 1, pad < 0, NOMEM). */
lt_module *nn_conv2d(int in, int out, int k, int stride, int pad, rng *r);
/* m's forward plus v: NULL, a per-channel shift (B, out) or a residual (B, out, Ho, Wo)
 * (op_conv2d_plus); m must be a conv2d. */
lt_tensor *nn_conv2d_forward_plus(lt_module *m, lt_graph *g, lt_tensor *x, lt_tensor *v);

typedef struct lt_group_norm {
    lt_module base;
    int groups, channels;
    float eps;            /* 1e-5 */
    float *weight;        /* (channels), starts at 1; owned */
    float *weight_grad;   /* (channels) */
    float *bias;          /* (channels), starts at 0 */
    float *bias_grad;     /* (channels) */
    lt_param p[2];        /* views: weight, bias */
    unsigned long writes; /* backward passes that wrote the gradients (param.h) */
    char name[48];        /* "groupnorm(4, 16)" */
} lt_group_norm;

/* GroupNorm over `channels` channels in `groups` groups (groups divides channels),
 * eps 1e-5, weight 1, bias 0. Forward takes x (B, channels, H, W) (or (B, channels)).
 * NULL after lt_fail. */
lt_module *nn_group_norm(int groups, int channels);
/* m's forward with a SiLU fused after it when silu is nonzero; m must be a group_norm. */
lt_tensor *nn_group_norm_forward(lt_module *m, lt_graph *g, lt_tensor *x, int silu);

#endif
