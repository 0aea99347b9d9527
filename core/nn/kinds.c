/* kinds.c: the table of layer kinds (see kinds.h). */
#include "kinds.h"

#include <stdio.h>
#include <string.h>

#include "conv_layers.h"
#include "layers.h"

static int linear_in(const lt_module *m)
{
    return ((const lt_linear *)m)->in;
}

static void linear_out(const lt_module *m, int *nd, int shape[4])
{
    *nd = 2;
    shape[0] = -1;
    shape[1] = ((const lt_linear *)m)->out;
}

static int linear_block(const lt_module *m, int i, int64_t shape[2])
{
    const lt_linear *l = (const lt_linear *)m;
    shape[0] = l->out;   /* weight (out, in), bias (out) */
    shape[1] = l->in;
    return i == 0 ? 2 : 1;
}

static lt_module *bare_relu(void) { return nn_act(LT_ACT_RELU, 0); }
static lt_module *bare_sigmoid(void) { return nn_act(LT_ACT_SIGMOID, 0); }
static lt_module *bare_tanh(void) { return nn_act(LT_ACT_TANH, 0); }
static lt_module *bare_leaky_relu(void) { return nn_act(LT_ACT_LEAKY_RELU, 0.01f); }
static lt_module *bare_silu(void) { return nn_unary(LT_UNARY_SILU); }
static lt_module *bare_softplus(void) { return nn_unary(LT_UNARY_SOFTPLUS); }
static lt_module *bare_avgpool(void) { return layer_shape_new(LAYER_AVGPOOL, 0, NULL); }
static lt_module *bare_upsample(void) { return layer_shape_new(LAYER_UPSAMPLE, 0, NULL); }
static lt_module *bare_flatten(void) { return layer_shape_new(LAYER_FLATTEN, 0, NULL); }

static char *conv2d_arch(const lt_module *m, char *buf, size_t size)
{
    const lt_conv2d *c = (const lt_conv2d *)m;
    snprintf(buf, size, "conv2d(%d, %d, k=%d, stride=%d, padding=%d)", c->in, c->out, c->k,
             c->stride, c->pad);
    return buf;
}

static void conv2d_out(const lt_module *m, int *nd, int shape[4])
{
    const lt_conv2d *c = (const lt_conv2d *)m;
    int known = *nd == 4 && shape[2] > 0 && shape[3] > 0;
    int h = known ? conv2d_out_size(shape[2], c->k, c->stride, c->pad) : -1;
    int w = known ? conv2d_out_size(shape[3], c->k, c->stride, c->pad) : -1;
    *nd = 4;
    shape[0] = -1;
    shape[1] = c->out;
    shape[2] = h;
    shape[3] = w;
}

static char *group_norm_arch(const lt_module *m, char *buf, size_t size)
{
    const lt_group_norm *g = (const lt_group_norm *)m;
    snprintf(buf, size, "groupnorm(%d, %d)", g->groups, g->channels);
    return buf;
}

/* The first row of a kind is the one nn_kind_of finds: its arch, shape_out and in_width
 * serve every layer of that kind. */
static const nn_kind kinds[] = {
    /* name         kind          arch             shape_out        in_width   bare             block_shape */
    { "linear",     "linear",     NULL,            linear_out,      linear_in, NULL,            linear_block },
    { "relu",       "act",        NULL,            NULL,            NULL,      bare_relu,       NULL },
    { "sigmoid",    "act",        NULL,            NULL,            NULL,      bare_sigmoid,    NULL },
    { "tanh",       "act",        NULL,            NULL,            NULL,      bare_tanh,       NULL },
    { "leaky_relu", "act",        NULL,            NULL,            NULL,      bare_leaky_relu, NULL },
    { "silu",       "unary",      NULL,            NULL,            NULL,      bare_silu,       NULL },
    { "softplus",   "unary",      NULL,            NULL,            NULL,      bare_softplus,   NULL },
    { "conv2d",     "conv2d",     conv2d_arch,     conv2d_out,      NULL,      NULL,            NULL },
    { "groupnorm",  "group_norm", group_norm_arch, NULL,            NULL,      NULL,            NULL },
    { "avgpool",    "shape",      NULL,            layer_shape_out, NULL,      bare_avgpool,    NULL },
    { "upsample",   "shape",      NULL,            layer_shape_out, NULL,      bare_upsample,   NULL },
    { "down",       "shape",      NULL,            layer_shape_out, NULL,      bare_avgpool,    NULL },
    { "up",         "shape",      NULL,            layer_shape_out, NULL,      bare_upsample,   NULL },
    { "flatten",    "shape",      NULL,            layer_shape_out, NULL,      bare_flatten,    NULL },
    { "unflatten",  "shape",      NULL,            layer_shape_out, NULL,      NULL,            NULL },
    { "unet",       "unet",       NULL,            NULL,            NULL,      NULL,            NULL },
    { "seq",        "seq",        NULL,            NULL,            NULL,      NULL,            NULL },
};

#define NKINDS ((int)(sizeof kinds / sizeof kinds[0]))

int nn_kind_count(void) { return NKINDS; }

const nn_kind *nn_kind_at(int i)
{
    return i >= 0 && i < NKINDS ? &kinds[i] : NULL;
}

const nn_kind *nn_kind_named(const char *name)
{
    for (int i = 0; name && i < NKINDS; i++)
        if (strcmp(kinds[i].name, name) == 0)
            return &kinds[i];
    return NULL;
}

const nn_kind *nn_kind_of(const lt_module *m)
{
    for (int i = 0; m && m->ops && i < NKINDS; i++)
        if (strcmp(kinds[i].kind, m->ops->kind) == 0)
            return &kinds[i];
    return NULL;
}

char *nn_arch(const lt_module *m, char *buf, size_t size)
{
    const nn_kind *k = nn_kind_of(m);
    return k && k->arch ? k->arch(m, buf, size) : nn_describe(m, buf, size);
}

void nn_shape_out(const lt_module *m, int *nd, int shape[4])
{
    const nn_kind *k = nn_kind_of(m);
    if (k && k->shape_out)
        k->shape_out(m, nd, shape);
}

int nn_in_width(const lt_module *m)
{
    const nn_kind *k = nn_kind_of(m);
    return k && k->in_width ? k->in_width(m) : -1;
}

lt_module *nn_bare(const char *name)
{
    const nn_kind *k = nn_kind_named(name);
    return k && k->bare ? k->bare() : NULL;
}

int nn_block_shape(const lt_module *m, int i, size_t n, int64_t shape[2])
{
    const nn_kind *k = nn_kind_of(m);
    if (k && k->block_shape)
        return k->block_shape(m, i, shape);
    shape[0] = (int64_t)n;
    return 1;
}
