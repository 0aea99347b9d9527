/* unet.c: the DDPM noise predictor of unet.h, built from conv.h's layers. */
#include "unet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

unet_config unet_default_config(void)
{
    return (unet_config){ .in = 1, .c1 = 16, .c2 = 32, .c3 = 64, .groups = 4, .sdim = 64,
                          .tdim = 128 };
}

/* ---- construction ------------------------------------------------------------------------ */

static void res_free(unet_res *r)
{
    nn_free(r->n1);
    nn_free(r->c1);
    nn_free(r->t);
    nn_free(r->n2);
    nn_free(r->c2);
    nn_free(r->skip);
}

void unet_free(lt_unet *u)
{
    if (!u)
        return;
    nn_free(u->temb0);
    nn_free(u->temb2);
    nn_free(u->inc);
    unet_res *rs[5] = { &u->d1, &u->d2, &u->mid, &u->u2, &u->u1 };
    for (int i = 0; i < 5; i++)
        res_free(rs[i]);
    nn_free(u->down1);
    nn_free(u->down2);
    nn_free(u->out_norm);
    nn_free(u->out_conv);
    free(u);
}

/* Builds res(ci, co) in PyTorch's registration order; 1 on success. */
static int res_new(unet_res *r, int ci, int co, const unet_config *c, rng *rg)
{
    r->n1 = nn_group_norm(c->groups, ci);
    r->c1 = r->n1 ? nn_conv2d(ci, co, 3, 1, 1, rg) : NULL;
    r->t = r->c1 ? nn_linear(c->tdim, co, rg) : NULL;
    r->n2 = r->t ? nn_group_norm(c->groups, co) : NULL;
    r->c2 = r->n2 ? nn_conv2d(co, co, 3, 1, 1, rg) : NULL;
    if (!r->c2)
        return 0;
    if (ci != co && !(r->skip = nn_conv2d(ci, co, 1, 1, 0, rg)))
        return 0;
    return 1;
}

/* Appends m's parameter blocks to u->params, named "prefix.weight". */
static void add_params(lt_unet *u, const char *prefix, lt_module *m)
{
    if (!m)
        return;
    lt_param ps[4];
    int n = nn_params(m, ps, 4);
    for (int i = 0; i < n && i < 4 && u->nparams < UNET_MAX_PARAMS; i++) {
        char *name = u->names[u->nparams];
        snprintf(name, sizeof u->names[0], "%s.%s", prefix, ps[i].name);
        ps[i].name = name;
        u->params[u->nparams++] = ps[i];
    }
}

static void add_res_params(lt_unet *u, const char *prefix, unet_res *r)
{
    const char *part[6] = { "n1", "c1", "t", "n2", "c2", "skip" };
    lt_module *m[6] = { r->n1, r->c1, r->t, r->n2, r->c2, r->skip };
    char name[16];
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "%s.%s", prefix, part[i]);
        add_params(u, name, m[i]);
    }
}

static lt_status config_check(const unet_config *c)
{
    int ok = c->in >= 1 && c->c1 >= 1 && c->c2 >= 1 && c->c3 >= 1 && c->groups >= 1
             && c->sdim >= 2 && c->sdim % 2 == 0 && c->tdim >= 1;
    if (ok && (c->c1 % c->groups || c->c2 % c->groups || c->c3 % c->groups))
        ok = 0;
    if (!ok)
        return lt_fail(LT_ERR_VALUE, "unet: bad configuration in=%d channels=%d/%d/%d groups=%d "
                       "sdim=%d tdim=%d (sizes >= 1, groups dividing every channel count, "
                       "sdim even)", c->in, c->c1, c->c2, c->c3, c->groups, c->sdim, c->tdim);
    return LT_OK;
}

lt_unet *unet_new(const unet_config *cfg, rng *r)
{
    unet_config c = cfg ? *cfg : unet_default_config();
    if (c.groups == 0)
        c.groups = c.c1 >= 32 ? 8 : 4;
    if (config_check(&c) != LT_OK)
        return NULL;
    lt_unet *u = calloc(1, sizeof *u);
    if (!u) {
        lt_fail(LT_ERR_NOMEM, "unet: out of memory");
        return NULL;
    }
    u->cfg = c;
    int ok = (u->temb0 = nn_linear(c.sdim, c.tdim, r)) && (u->temb2 = nn_linear(c.tdim, c.tdim, r))
             && (u->inc = nn_conv2d(c.in, c.c1, 3, 1, 1, r))
             && res_new(&u->d1, c.c1, c.c1, &c, r)
             && (u->down1 = nn_conv2d(c.c1, c.c1, 3, 2, 1, r))
             && res_new(&u->d2, c.c1, c.c2, &c, r)
             && (u->down2 = nn_conv2d(c.c2, c.c2, 3, 2, 1, r))
             && res_new(&u->mid, c.c2, c.c3, &c, r)
             && res_new(&u->u2, c.c3 + c.c2, c.c2, &c, r)
             && res_new(&u->u1, c.c2 + c.c1, c.c1, &c, r)
             && (u->out_norm = nn_group_norm(c.groups, c.c1))
             && (u->out_conv = nn_conv2d(c.c1, c.in, 3, 1, 1, r));
    if (!ok) {
        unet_free(u);
        return NULL;   /* the failing constructor's message stands */
    }
    add_params(u, "temb.0", u->temb0);
    add_params(u, "temb.2", u->temb2);
    add_params(u, "inc", u->inc);
    add_res_params(u, "d1", &u->d1);
    add_params(u, "down1", u->down1);
    add_res_params(u, "d2", &u->d2);
    add_params(u, "down2", u->down2);
    add_res_params(u, "mid", &u->mid);
    add_res_params(u, "u2", &u->u2);
    add_res_params(u, "u1", &u->u1);
    add_params(u, "out.0", u->out_norm);
    add_params(u, "out.2", u->out_conv);
    return u;
}

int unet_params(lt_unet *u, lt_param *ps, int cap)
{
    for (int i = 0; i < u->nparams && i < cap; i++)
        ps[i] = u->params[i];
    return u->nparams;
}

size_t unet_param_count(const lt_unet *u)
{
    size_t n = 0;
    for (int i = 0; i < u->nparams; i++)
        n += u->params[i].n;
    return n;
}

/* ---- forward ---------------------------------------------------------------------------- */

/* res(ci, co)(x, te): x is (B, ci, H, W), te is (B, tdim) -> (B, co, H, W) */
static lt_tensor *res_forward(unet_res *r, lt_graph *g, lt_tensor *x, lt_tensor *te)
{
    lt_tensor *h = nn_conv2d_forward_plus(r->c1, g, nn_group_norm_forward(r->n1, g, x, 1),
                                          nn_forward(r->t, g, te));
    lt_tensor *skip = r->skip ? nn_forward(r->skip, g, x) : x;
    return nn_conv2d_forward_plus(r->c2, g, nn_group_norm_forward(r->n2, g, h, 1), skip);
}

/* x as (B, in, H, W): itself, or a flat (B, in S S) made square; NULL after lt_fail. */
static lt_tensor *as_images(const lt_unet *u, lt_graph *g, lt_tensor *x)
{
    char sx[64];
    int in = u->cfg.in;
    if (x->ndim == 4 && x->shape[1] == in && x->shape[2] % 4 == 0 && x->shape[3] % 4 == 0
        && x->shape[2] > 0 && x->shape[3] > 0)
        return x;
    if (x->ndim == 2 && x->shape[1] % in == 0) {
        int s = (int)lround(sqrt((double)(x->shape[1] / in)));
        if (s > 0 && s % 4 == 0 && s * s * in == x->shape[1]) {
            int shape[4] = { x->shape[0], in, s, s };
            return op_reshape(g, x, 4, shape);
        }
    }
    lt_fail(LT_ERR_SHAPE, "unet: expected images (B, %d, H, W) with H and W divisible by 4, "
            "or flat square images (B, %d * S * S), got %s", in, in,
            tensor_shape_str(x, sx, sizeof sx));
    return NULL;
}

lt_tensor *unet_forward(lt_unet *u, lt_graph *g, lt_tensor *x, lt_tensor *t)
{
    char sx[64], st[64];
    if (!x || !t)
        return NULL;
    if (t->ndim != 1 || t->shape[0] != x->shape[0]) {
        lt_fail(LT_ERR_SHAPE, "unet: time steps must be (B) for input %s, got %s",
                tensor_shape_str(x, sx, sizeof sx), tensor_shape_str(t, st, sizeof st));
        return NULL;
    }
    lt_tensor *x4 = as_images(u, g, x);
    if (!x4)
        return NULL;
    lt_tensor *te = op_silu(g, nn_forward(u->temb0, g, op_temb(g, t, u->cfg.sdim)));
    te = op_silu(g, nn_forward(u->temb2, g, te));
    lt_tensor *s1 = res_forward(&u->d1, g, nn_forward(u->inc, g, x4), te);
    lt_tensor *s2 = res_forward(&u->d2, g, nn_forward(u->down1, g, s1), te);
    lt_tensor *m = res_forward(&u->mid, g, nn_forward(u->down2, g, s2), te);
    lt_tensor *h = res_forward(&u->u2, g, op_upsample2_concat(g, m, s2), te);
    h = res_forward(&u->u1, g, op_upsample2_concat(g, h, s1), te);
    h = nn_forward(u->out_conv, g, nn_group_norm_forward(u->out_norm, g, h, 1));
    if (h && x->ndim == 2)
        h = op_reshape(g, h, 2, x->shape);
    return h;
}

/* ---- the U-Net as a layer -------------------------------------------------------------- */

typedef struct unet_mod {
    lt_module base;
    lt_unet *u;
} unet_mod;

static lt_tensor *unet_mod_forward(lt_module *m, lt_graph *g, lt_tensor *x)
{
    (void)m;
    (void)g;
    (void)x;
    lt_fail(LT_ERR_VALUE, "unet takes (x, t): call it as eps(xt, t)");
    return NULL;
}

static int unet_mod_params(lt_module *m, lt_param *ps, int cap)
{
    return unet_params(((unet_mod *)m)->u, ps, cap);
}

static char *unet_mod_describe(const lt_module *m, char *b, size_t size)
{
    /* every argument, so that the description is the call that rebuilds it (load) */
    const unet_config *c = &((const unet_mod *)m)->u->cfg;
    snprintf(b, size, "unet(c1=%d, c2=%d, c3=%d, groups=%d, sdim=%d, tdim=%d)", c->c1, c->c2, c->c3,
             c->groups, c->sdim, c->tdim);
    return b;
}

static void unet_mod_free(lt_module *m)
{
    unet_free(((unet_mod *)m)->u);
    free(m);
}

static const lt_module_ops unet_mod_ops = { "unet", unet_mod_forward, unet_mod_params,
                                            unet_mod_describe, unet_mod_free };

lt_module *nn_unet(const unet_config *cfg, rng *r)
{
    unet_mod *m = calloc(1, sizeof *m);
    if (!m) {
        lt_fail(LT_ERR_NOMEM, "out of memory");
        return NULL;
    }
    m->base.ops = &unet_mod_ops;
    if (!(m->u = unet_new(cfg, r))) {
        free(m);
        return NULL;
    }
    return &m->base;
}

lt_unet *nn_unet_of(lt_module *m)
{
    return m && m->ops == &unet_mod_ops ? ((unet_mod *)m)->u : NULL;
}
