/* conv_layers.c: the conv2d and GroupNorm layers (see conv_layers.h). */
#include "conv_layers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mem.h"

/* ---- conv2d layer --------------------------------------------------------------------------- */

static lt_tensor *conv2d_layer_forward(lt_module *m, lt_graph *g, lt_tensor *x)
{
    return nn_conv2d_forward_plus(m, g, x, NULL);
}

lt_tensor *nn_conv2d_forward_plus(lt_module *m, lt_graph *g, lt_tensor *x, lt_tensor *v)
{
    lt_conv2d *c = (lt_conv2d *)m;
    if (!x)
        return NULL;
    int ws[4] = { c->out, c->in, c->k, c->k };
    lt_tensor *w = graph_param(g, &c->p[0], 4, ws);
    lt_tensor *b = w ? graph_param(g, &c->p[1], 1, &c->out) : NULL;
    if (!b)
        return NULL;
    return op_conv2d_plus(g, x, w, b, v, c->stride, c->pad, c->name);
}

static int conv2d_layer_params(lt_module *m, lt_param *ps, int cap)
{
    lt_conv2d *c = (lt_conv2d *)m;
    for (int i = 0; i < 2 && i < cap; i++)
        ps[i] = c->p[i];
    return 2;
}

static char *conv2d_layer_describe(const lt_module *m, char *buf, size_t size)
{
    snprintf(buf, size, "%s", ((const lt_conv2d *)m)->name);
    return buf;
}

static void conv2d_layer_free(lt_module *m)
{
    lt_conv2d *c = (lt_conv2d *)m;
    mem_free(c->weight);
    mem_free(c->weight_grad);
    mem_free(c->bias);
    mem_free(c->bias_grad);
    free(c);
}

static const lt_module_ops conv2d_layer_ops = { "conv2d", conv2d_layer_forward,
                                                conv2d_layer_params, conv2d_layer_describe,
                                                conv2d_layer_free };

lt_module *nn_conv2d(int in, int out, int k, int stride, int pad, rng *r)
{
    if (in < 1 || out < 1 || k < 1 || stride < 1 || pad < 0) {
        lt_fail(LT_ERR_VALUE, "conv2d(%d, %d, k=%d, stride=%d, padding=%d): sizes and stride must be "
                "at least 1, padding at least 0", in, out, k, stride, pad);
        return NULL;
    }
    int wshape[4] = { out, in, k, k };
    if (tensor_check_shape(4, wshape, NULL) != LT_OK)   /* too many weights: LT_ERR_NOMEM */
        return NULL;
    lt_conv2d *c = calloc(1, sizeof *c);
    size_t fan_in = (size_t)in * k * k, nw = fan_in * out;
    if (c) {
        c->base.ops = &conv2d_layer_ops;
        char what[64];
        snprintf(what, sizeof what, "conv2d(%d, %d)", in, out);
        c->weight = mem_alloc(nw * sizeof(float), 0, what);
        c->weight_grad = c->weight ? mem_alloc(nw * sizeof(float), 1, what) : NULL;
        c->bias = c->weight_grad ? mem_alloc((size_t)out * sizeof(float), 0, what) : NULL;
        c->bias_grad = c->bias ? mem_alloc((size_t)out * sizeof(float), 1, what) : NULL;
    } else {
        lt_fail(LT_ERR_NOMEM, "conv2d(%d, %d): out of memory", in, out);
    }
    if (!c || !c->weight || !c->weight_grad || !c->bias || !c->bias_grad) {
        if (c)   /* mem_alloc's message (the memory limit, or out of memory) stays */
            conv2d_layer_free(&c->base);
        return NULL;
    }
    c->in = in;
    c->out = out;
    c->k = k;
    c->stride = stride;
    c->pad = pad;
    /* in the words of the builtin conv2d: stride= and padding= only where they are not its
     * defaults (1 and k // 2), so a layer table row is a call that makes the layer */
    int n = snprintf(c->name, sizeof c->name, "conv2d(%d, %d, k=%d", in, out, k);
    if (stride != 1)
        n += snprintf(c->name + n, sizeof c->name - (size_t)n, ", stride=%d", stride);
    if (pad != k / 2)
        n += snprintf(c->name + n, sizeof c->name - (size_t)n, ", padding=%d", pad);
    snprintf(c->name + n, sizeof c->name - (size_t)n, ")");
    /* kaiming_uniform(a = sqrt(5)): bound = 1 / sqrt(fan_in), the bias likewise */
    float bound = 1.0f / sqrtf((float)fan_in);
    rng_fill_uniform(r, c->weight, nw, -bound, bound);
    rng_fill_uniform(r, c->bias, (size_t)out, -bound, bound);
    c->p[0] = (lt_param){ c->weight, c->weight_grad, nw, "weight", &c->writes };
    c->p[1] = (lt_param){ c->bias, c->bias_grad, (size_t)out, "bias", &c->writes };
    return &c->base;
}


/* ---- GroupNorm layer ------------------------------------------------------------------------ */

lt_tensor *nn_group_norm_forward(lt_module *m, lt_graph *g, lt_tensor *x, int silu)
{
    lt_group_norm *n = (lt_group_norm *)m;
    if (!x)
        return NULL;
    lt_tensor *w = graph_param(g, &n->p[0], 1, &n->channels);
    lt_tensor *b = w ? graph_param(g, &n->p[1], 1, &n->channels) : NULL;
    if (!b)
        return NULL;
    if (x->ndim < 2 || x->shape[1] != n->channels) {
        char want[64];
        snprintf(want, sizeof want, "input (B, %d, H, W)", n->channels);
        return conv_fail_shape(n->name, want, x);
    }
    return op_group_norm(g, x, n->groups, w, b, n->eps, silu, n->name);
}

static lt_tensor *group_norm_layer_forward(lt_module *m, lt_graph *g, lt_tensor *x)
{
    return nn_group_norm_forward(m, g, x, 0);
}

static int group_norm_layer_params(lt_module *m, lt_param *ps, int cap)
{
    lt_group_norm *n = (lt_group_norm *)m;
    for (int i = 0; i < 2 && i < cap; i++)
        ps[i] = n->p[i];
    return 2;
}

static char *group_norm_layer_describe(const lt_module *m, char *buf, size_t size)
{
    snprintf(buf, size, "%s", ((const lt_group_norm *)m)->name);
    return buf;
}

static void group_norm_layer_free(lt_module *m)
{
    lt_group_norm *n = (lt_group_norm *)m;
    free(n->weight);
    free(n->weight_grad);
    free(n->bias);
    free(n->bias_grad);
    free(n);
}

static const lt_module_ops group_norm_layer_ops = { "group_norm", group_norm_layer_forward,
                                                    group_norm_layer_params,
                                                    group_norm_layer_describe,
                                                    group_norm_layer_free };

lt_module *nn_group_norm(int groups, int channels)
{
    if (groups < 1 || channels < 1 || channels % groups) {
        lt_fail(LT_ERR_VALUE, "groupnorm(%d, %d): the groups must divide the channels", groups,
                channels);
        return NULL;
    }
    lt_group_norm *n = calloc(1, sizeof *n);
    if (n) {
        n->base.ops = &group_norm_layer_ops;
        n->weight = malloc((size_t)channels * sizeof(float));
        n->weight_grad = calloc((size_t)channels, sizeof(float));
        n->bias = calloc((size_t)channels, sizeof(float));
        n->bias_grad = calloc((size_t)channels, sizeof(float));
    }
    if (!n || !n->weight || !n->weight_grad || !n->bias || !n->bias_grad) {
        if (n)
            group_norm_layer_free(&n->base);
        lt_fail(LT_ERR_NOMEM, "groupnorm(%d, %d): out of memory", groups, channels);
        return NULL;
    }
    n->groups = groups;
    n->channels = channels;
    n->eps = 1e-5f;
    for (int c = 0; c < channels; c++)
        n->weight[c] = 1.0f;
    snprintf(n->name, sizeof n->name, "groupnorm(%d, %d)", groups, channels);   /* as the builtin */
    n->p[0] = (lt_param){ n->weight, n->weight_grad, (size_t)channels, "weight", &n->writes };
    n->p[1] = (lt_param){ n->bias, n->bias_grad, (size_t)channels, "bias", &n->writes };
    return &n->base;
}
