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
    { "linear", "linear", NULL, linear_out, linear_in },
    { "relu", "act", NULL, NULL, NULL },
    { "sigmoid", "act", NULL, NULL, NULL },
    { "tanh", "act", NULL, NULL, NULL },
    { "leaky_relu", "act", NULL, NULL, NULL },
    { "silu", "unary", NULL, NULL, NULL },
    { "softplus", "unary", NULL, NULL, NULL },
    { "conv2d", "conv2d", conv2d_arch, conv2d_out, NULL },
    { "groupnorm", "group_norm", group_norm_arch, NULL, NULL },
    { "avgpool", "shape", NULL, layer_shape_out, NULL },
    { "upsample", "shape", NULL, layer_shape_out, NULL },
    { "down", "shape", NULL, layer_shape_out, NULL },
    { "up", "shape", NULL, layer_shape_out, NULL },
    { "flatten", "shape", NULL, layer_shape_out, NULL },
    { "unflatten", "shape", NULL, layer_shape_out, NULL },
    { "unet", "unet", NULL, NULL, NULL },
    { "seq", "seq", NULL, NULL, NULL },
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
