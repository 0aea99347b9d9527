/* unet.h: a small convolutional U-Net that predicts the noise of a DDPM,
 * eps = unet(x_t, t), the network that makes recognisable MNIST digits in ~3 minutes of
 * CPU training (the same network in PyTorch, with its measured quality, is
 * tests/bench/torch_unet_ref.py).
 *
 *     rng r; rng_seed(&r, 0);
 *     lt_unet *u = unet_new(NULL, &r);                   // channels 16/32/64, 184,785 floats
 *     lt_param ps[UNET_MAX_PARAMS];
 *     int n = unet_params(u, ps, UNET_MAX_PARAMS);        // views, named "d1.c1.weight", ...
 *     graph_reset(g);
 *     lt_tensor *eps_hat = unet_forward(u, g, xt, t);     // xt (B, 1, 28, 28), t (B)
 *     lt_tensor *loss = op_mse(g, eps_hat, eps, LT_MEAN);
 *     graph_zero_grad(ps, n); graph_backward(g, loss, ps, n); ... update ps ...
 *     unet_free(u);
 *
 * The network, with c = (c1, c2, c3) channels and GroupNorm groups gr (4 when c1 < 32, else 8):
 *     te  = SiLU(linear(tdim, tdim)(SiLU(linear(sdim, tdim)(temb(t, sdim)))))   (B, tdim)
 *     h0  = conv3x3(in, c1)(x)                                          c1 x H x W
 *     s1  = res(c1, c1)(h0)                                             c1 x H x W
 *     s2  = res(c1, c2)(conv3x3 stride 2 (c1, c1)(s1))                  c2 x H/2 x W/2
 *     m   = res(c2, c3)(conv3x3 stride 2 (c2, c2)(s2))                  c3 x H/4 x W/4
 *     u2  = res(c3 + c2, c2)(concat(upsample2(m), s2))                  c2 x H/2 x W/2
 *     u1  = res(c2 + c1, c1)(concat(upsample2(u2), s1))                 c1 x H x W
 *     eps = conv3x3(c1, in)(SiLU(GroupNorm(u1)))                        in x H x W
 * where a residual block res(ci, co)(x) with the time embedding te is
 *     h = conv3x3(ci, co)(SiLU(GroupNorm(x))) + linear(tdim, co)(te) per channel
 *     res = conv3x3(co, co)(SiLU(GroupNorm(h))) + skip(x),  skip = conv1x1(ci, co) if ci != co.
 * Layers have PyTorch's default init; parameter blocks come in PyTorch's
 * named_parameters order of the twin (temb.0, temb.2, inc, d1, down1, d2, down2, mid, u2,
 * u1, out.0, out.2). On the same weights the two give the same eps and gradients to
 * ~2e-6 (unet_step --dump, torch_unet_ref.py --check).
 *
 * Nodes per block: GroupNorm+SiLU is one op (op_group_norm), the time embedding is added
 * inside c1 (op_conv2d_plus with a (B, co) shift) and the skip inside c2 (with a
 * (B, co, H, W) residual), so a block is 4-5 tape nodes.
 */
#ifndef LT_UNET_H
#define LT_UNET_H

#include <stddef.h>

#include "conv_layers.h"
#include "graph.h"
#include "nn.h"
#include "param.h"
#include "rng.h"
#include "tensor.h"

#define UNET_MAX_PARAMS 96   /* more than the parameter blocks of any U-Net here (68) */

typedef struct unet_config {
    int in;           /* image channels (1) */
    int c1, c2, c3;   /* channels per level (16, 32, 64) */
    int groups;       /* GroupNorm groups (0: 4 when c1 < 32, else 8); divides c1, c2, c3 */
    int sdim, tdim;   /* sinusoidal and time-embedding widths (64, 128) */
} unet_config;

/* The default: in 1, channels 16/32/64, groups 4, sdim 64, tdim 128. */
unet_config unet_default_config(void);

/* A residual block res(ci, co); skip is NULL when ci == co. Modules owned. */
typedef struct unet_res {
    lt_module *n1, *c1, *t, *n2, *c2, *skip;
} unet_res;

typedef struct lt_unet {
    unet_config cfg;
    lt_module *temb0, *temb2;          /* linear(sdim, tdim), linear(tdim, tdim) */
    lt_module *inc;                    /* conv3x3(in, c1) */
    unet_res d1, d2, mid, u2, u1;
    lt_module *down1, *down2;          /* conv3x3 stride 2 */
    lt_module *out_norm, *out_conv;    /* GroupNorm(c1), conv3x3(c1, in) */
    int nparams;
    lt_param params[UNET_MAX_PARAMS];  /* the blocks, named "d1.c1.weight" etc. */
    char names[UNET_MAX_PARAMS][24];
} lt_unet;

/* A new U-Net (cfg NULL: unet_default_config()), initialised from r in parameter order.
 * NULL after lt_fail (LT_ERR_VALUE for bad sizes, naming them; LT_ERR_NOMEM). Free with
 * unet_free. */
lt_unet *unet_new(const unet_config *cfg, rng *r);
void unet_free(lt_unet *u);   /* NULL is ignored */

/* eps = unet(x, t) on g (recording: training; not recording: sampling).
 * x is (B, in, H, W) with H and W divisible by 4, or (B, in * S * S) (flat square
 * images, e.g. (B, 784)); t is (B) time steps (floats holding integers). The result has
 * x's shape. NULL after lt_fail naming "unet" and the shapes. */
lt_tensor *unet_forward(lt_unet *u, lt_graph *g, lt_tensor *x, lt_tensor *t);

/* Writes up to cap parameter views (borrowed; names owned by u) into ps; returns how
 * many blocks there are. */
int unet_params(lt_unet *u, lt_param *ps, int cap);
/* Total number of trainable floats (184,785 for the default). */
size_t unet_param_count(const lt_unet *u);

/* The U-Net as a layer (lt_module, kind "unet"), so that networks, optimizers and
 * checkpoints hold it like any other: its params are the U-Net's, its description the
 * call that rebuilds it ("unet(c1=16, c2=32, c3=64, groups=4, sdim=64, tdim=128)"). It
 * takes two inputs, so nn_forward fails ("unet takes (x, t)"): run it with unet_forward
 * on nn_unet_of(m). NULL after lt_fail (bad configuration, out of memory). */
lt_module *nn_unet(const unet_config *cfg, rng *r);
/* The U-Net inside a "unet" layer, or NULL for another kind. */
lt_unet *nn_unet_of(lt_module *m);

#endif
