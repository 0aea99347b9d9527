/* bi_net.c: `net` values, their call sites, the convolutional builtins and unet()
 * (see bi_net.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bi_net.h"

#include "conv_layers.h"
#include "eval.h"
#include "layers.h"
#include "unet.h"

/* ---- the net module: one layer per call site ------------------------------------ */

typedef struct net_site {
    const ast_node *path[NET_MAX_PATH + 1];   /* fn calls, then the layer call */
    int depth;                                /* entries in path */
    lt_module *m;                             /* owned */
    int sizes[4];                             /* what the first call asked for */
    char where[96];                           /* "block 5:11 > conv 2:9" (line:col) */
    char shape[48];                           /* output of the first call: "(B, 32, 28, 28)" */
} net_site;

typedef struct net_mod {
    lt_module base;
    const ast_node *def;      /* the AST_NET (kept by the session) */
    net_site *sites;          /* (n) in the order of their first calls */
    int n, cap;
} net_mod;

static lt_tensor *net_forward(lt_module *m, lt_graph *g, lt_tensor *x)
{
    (void)g; (void)x;
    lt_fail(LT_ERR_VALUE, "net %s: call it with its arguments, not inside seq(...)", ((net_mod *)m)->def->text);
    return NULL;
}

static int net_params(lt_module *m, lt_param *ps, int cap)
{
    net_mod *nm = (net_mod *)m;
    int k = 0;
    for (int i = 0; i < nm->n; i++) {   /* ps is NULL when only counting (cap 0) */
        int room = k < cap ? cap - k : 0;
        k += nn_params(nm->sites[i].m, room ? ps + k : NULL, room);
    }
    return k;
}

static char *net_describe(const lt_module *m, char *b, size_t size)
{
    const ast_node *def = ((const net_mod *)m)->def;
    int k = snprintf(b, size, "net %s(", def->text);
    for (int i = 0; i < def->n && k > 0 && (size_t)k < size; i++)
        k += snprintf(b + k, size - (size_t)k, "%s%s", i ? ", " : "", def->items[i]->text);
    if (k > 0 && (size_t)k < size) snprintf(b + k, size - (size_t)k, ")");
    return b;
}

static void net_mod_free(lt_module *m)
{
    net_mod *nm = (net_mod *)m;
    for (int i = 0; i < nm->n; i++) nn_free(nm->sites[i].m);
    free(nm->sites);
    free(nm);
}

static const lt_module_ops net_ops = { "net", net_forward, net_params, net_describe, net_mod_free };

static void net_table(lt_module *m, buf *out, int html);
static int net_call(lt_module *m, bi_args *a, value *out);

/* What net and U-Net values do differently from other networks (bi_nn.h). */
static const nv_ops net_value_ops = { net_table, net_call };
static const nv_ops unet_value_ops = { NULL, net_call };

/* A network value around module m (taken, freed on failure) with ops (or NULL). */
static int net_wrap_ops(lt_session *s, const ast_node *at, lt_module *m, const nv_ops *ops, value *out)
{
    nv_data *d = calloc(1, sizeof *d);
    if (!d) { nn_free(m); return sess_fail(s, at, "MemoryError", "out of memory"); }
    d->m = m;
    d->ops = ops;
    buf_init(&d->text);
    buf_init(&d->html);
    val_obj *o = val_obj_new(&nv_type, d);
    if (!o) return sess_fail(s, at, "MemoryError", "out of memory");
    *out = OBJ_VAL(o);
    return 0;
}

static int net_wrap(lt_session *s, const ast_node *at, lt_module *m, value *out)
{
    return net_wrap_ops(s, at, m, NULL, out);
}

/* net NAME(params) { body }: binds NAME to a new net without parameters. */
static int net_define(lt_session *s, const ast_node *def)
{
    net_mod *nm = calloc(1, sizeof *nm);
    if (!nm) return sess_fail(s, def, "MemoryError", "out of memory");
    nm->base.ops = &net_ops;
    nm->def = def;
    value v;
    if (net_wrap_ops(s, def, &nm->base, &net_value_ops, &v) < 0) return -1;
    return eval_set_var(s, def, def->text, v);
}

/* A function call inside a net body pushes the call path; enter fails (RecursionError)
 * past NET_MAX_PATH. Outside net bodies nothing happens. */
static int net_enter_fn(lt_session *s, const ast_node *call)
{
    net_run *r = s->net;
    if (!r) return 0;
    if (r->depth == NET_MAX_PATH)
        return sess_fail(s, call, "RecursionError", "functions nested more than %d deep inside net %s",
                         NET_MAX_PATH, r->net->def->text);
    r->path[r->depth++] = call;
    return 0;
}

static void net_leave_fn(lt_session *s)
{
    if (s->net) s->net->depth--;
}

/* ---- call sites ------------------------------------------------------------------ */

/* The name of the function a call node calls ("block"), for the layer table. */
static const char *net_callee(const ast_node *call)
{
    return call->a && call->a->kind == AST_NAME ? call->a->text : "?";
}

/* The running net's site for this call: *site is the existing one, or NULL on the
 * site's first call. -1 (TypeError) when no net body is running. */
static int net_lookup(bi_args *a, const char *usage, net_site **site)
{
    net_run *r = a->s->net;
    if (!r)
        return bi_fail(a, NULL, "TypeError", "%s makes parameters, so it belongs inside a net body "
                       "(net NAME(x) { ... }); outside one, %s", usage,
                       strncmp(usage, "conv", 4) == 0 ? "conv2d(in, out) makes a layer for seq(...)"
                       : strncmp(usage, "group", 5) == 0 ? "groupnorm(groups, channels) makes a layer"
                       : "linear(in, out) makes a layer");
    net_mod *nm = r->net;
    *site = NULL;
    for (int i = 0; i < nm->n; i++) {
        net_site *st = &nm->sites[i];
        if (st->depth != r->depth + 1 || st->path[r->depth] != a->call) continue;
        if (memcmp(st->path, r->path, (size_t)r->depth * sizeof r->path[0]) == 0) { *site = st; return 0; }
    }
    return 0;
}

/* Adds the site of this call with layer m (taken) and the sizes asked for. */
static int net_add_site(bi_args *a, lt_module *m, const int sizes[4], net_site **site)
{
    if (!m) return tv_fail(a->s, a->call);
    net_run *r = a->s->net;
    net_mod *nm = r->net;
    if (nm->n == nm->cap) {
        int cap = nm->cap ? 2 * nm->cap : 8;
        net_site *ns = realloc(nm->sites, (size_t)cap * sizeof *ns);
        if (!ns) { nn_free(m); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
        nm->sites = ns;
        nm->cap = cap;
    }
    net_site *st = &nm->sites[nm->n++];
    memset(st, 0, sizeof *st);
    memcpy(st->path, r->path, (size_t)r->depth * sizeof r->path[0]);
    st->path[r->depth] = a->call;
    st->depth = r->depth + 1;
    st->m = m;
    memcpy(st->sizes, sizes, sizeof st->sizes);
    size_t k = 0;
    for (int i = 0; i < st->depth && k < sizeof st->where; i++)
        k += (size_t)snprintf(st->where + k, sizeof st->where - k, "%s%s %d:%d", i ? " > " : "",
                              net_callee(st->path[i]), st->path[i]->line, st->path[i]->col);
    *site = st;
    return 0;
}

/* A site called again must ask for what its first call asked for. */
static int net_check_sizes(bi_args *a, net_site *st, const int sizes[4])
{
    if (memcmp(st->sizes, sizes, sizeof st->sizes) == 0) return 0;
    char d[96];
    return bi_fail(a, NULL, "ValueError", "this call site made %s on its first call and now asks for other "
                   "sizes; a call site keeps one layer (write a second call, or call a helper fn from "
                   "another line)", nn_describe(st->m, d, sizeof d));
}

static void net_shape_text(const lt_tensor *y, char *out, size_t size)
{
    size_t k = (size_t)snprintf(out, size, "(B");
    for (int i = 1; i < y->ndim && k < size; i++) k += (size_t)snprintf(out + k, size - k, ", %d", y->shape[i]);
    if (k < size) snprintf(out + k, size - k, ")");
}

/* The site's layer output y as the call's result (its shape noted on the first call). */
static int net_site_result(bi_args *a, net_site *st, lt_tensor *y, value *out)
{
    if (y && !st->shape[0]) net_shape_text(y, st->shape, sizeof st->shape);
    return tv_result_tensor(a->s, a->call, y, out);
}

/* ---- argument helpers ------------------------------------------------------------ */

/* A whole number >= lo from a value (positional i, or a keyword's value v at `at`). */
static int net_whole(bi_args *a, const ast_node *at, value v, const char *what, int lo, int *x)
{
    if (!IS_NUM(v))
        return bi_fail(a, at, "TypeError", "%s must be a number, not %s", what, val_type_name(v));
    double d = AS_NUM(v);
    if (d != floor(d) || d < lo || d > 1e8)
        return bi_fail(a, at, "ValueError", "%s must be a whole number >= %d", what, lo);
    *x = (int)d;
    return 0;
}

static int net_pos_int(bi_args *a, int i, const char *what, int lo, int *x)
{
    return net_whole(a, a->pos_nodes[i], a->pos[i], what, lo, x);
}

static int net_kw_int(bi_args *a, const char *name, int lo, int *x)
{
    const ast_node *at;
    const value *v = bi_kw(a, name, &at);
    return v ? net_whole(a, at, *v, name, lo, x) : 0;
}

static int net_tensor(bi_args *a, int i, lt_tensor **t)
{
    return tv_arg(a->s, a->pos_nodes[i], a->pos[i], t);
}

/* conv / conv2d keywords: k (3), stride (1), padding (k // 2) */
static int net_conv_kw(bi_args *a, int *k, int *stride, int *pad)
{
    *k = 3; *stride = 1; *pad = -1;
    if (net_kw_int(a, "k", 1, k) < 0 || net_kw_int(a, "stride", 1, stride) < 0 || net_kw_int(a, "padding", 0, pad) < 0)
        return -1;
    if (*pad < 0) *pad = *k / 2;
    return 0;
}

static int net_need_images(bi_args *a, const lt_tensor *x, const char *usage)
{
    if (x->ndim == 4) return 0;
    char sh[64];
    return bi_fail(a, a->pos_nodes[0], "ShapeError", "%s: expected input (B, C, H, W), got %s%s", usage,
                   tensor_shape_str(x, sh, sizeof sh),
                   x->ndim == 2 ? "; unflatten(x, 1, 28, 28) turns rows of 784 into 1x28x28 images" : "");
}

/* ---- layers at call sites --------------------------------------------------------- */

/* conv(x, out, k=3, stride=1, padding=k//2) */
static int bn_conv(bi_args *a, value *out)
{
    lt_tensor *x;
    int o, k, stride, pad;
    net_site *st;
    if (net_pos_int(a, 1, "out_channels", 1, &o) < 0 || net_conv_kw(a, &k, &stride, &pad) < 0) return -1;
    if (net_lookup(a, "conv(x, out)", &st) < 0 || net_tensor(a, 0, &x) < 0) return -1;
    int sizes[4] = { o, k, stride, pad };
    if (!st) {
        if (net_need_images(a, x, "conv") < 0) return -1;
        if (net_add_site(a, nn_conv2d(x->shape[1], o, k, stride, pad, &a->s->tc->r), sizes, &st) < 0) return -1;
    } else if (!nn_is(st->m, "conv2d")) {
        return bi_fail(a, NULL, "TypeError", "this call site holds another kind of layer");
    } else if (net_check_sizes(a, st, sizes) < 0) {
        return -1;
    }
    return net_site_result(a, st, nn_forward(st->m, a->s->tc->g, x), out);
}

/* linear(x, out, bias=true) and dense(x, out) on a tensor */
static int net_linear_site(bi_args *a, value *out)
{
    lt_tensor *x;
    int o;
    net_site *st;
    const ast_node *at;
    const value *bias = bi_kw(a, "bias", &at);
    int nobias = bias && !val_truthy(*bias);
    if (a->npos != 2) return bi_fail(a, NULL, "TypeError", "linear(x, out) takes a tensor and a width");
    if (net_pos_int(a, 1, "out", 1, &o) < 0) return -1;
    if (net_lookup(a, "linear(x, out)", &st) < 0 || net_tensor(a, 0, &x) < 0) return -1;
    int sizes[4] = { o, nobias, 0, 0 };
    if (!st) {
        if (x->ndim < 1) return bi_fail(a, a->pos_nodes[0], "ShapeError", "linear: expected input (B, in), got ()");
        int in = x->shape[x->ndim - 1];
        rng *r = &a->s->tc->r;
        if (net_add_site(a, nobias ? nn_linear_nobias(in, o, r) : nn_linear(in, o, r), sizes, &st) < 0) return -1;
    } else if (!nn_is(st->m, "linear")) {
        return bi_fail(a, NULL, "TypeError", "this call site holds another kind of layer");
    } else if (net_check_sizes(a, st, sizes) < 0) {
        return -1;
    }
    return net_site_result(a, st, nn_forward(st->m, a->s->tc->g, x), out);
}

/* groupnorm(x, groups) in a net; groupnorm(groups, channels) is a layer */
static int bn_groupnorm(bi_args *a, value *out)
{
    int groups, ch;
    if (IS_NUM(a->pos[0])) {
        if (a->npos != 2) return bi_fail(a, NULL, "TypeError", "groupnorm(groups, channels) makes a layer");
        if (net_pos_int(a, 0, "groups", 1, &groups) < 0 || net_pos_int(a, 1, "channels", 1, &ch) < 0) return -1;
        lt_module *m = nn_group_norm(groups, ch);
        return m ? net_wrap(a->s, a->call, m, out) : tv_fail(a->s, a->call);
    }
    lt_tensor *x;
    net_site *st;
    if (a->npos != 2) return bi_fail(a, NULL, "TypeError", "groupnorm(x, groups) takes a tensor and a group count");
    if (net_pos_int(a, 1, "groups", 1, &groups) < 0) return -1;
    if (net_lookup(a, "groupnorm(x, groups)", &st) < 0 || net_tensor(a, 0, &x) < 0) return -1;
    int sizes[4] = { groups, 0, 0, 0 };
    if (!st) {
        char sh[64];
        if (x->ndim != 2 && x->ndim != 4)
            return bi_fail(a, a->pos_nodes[0], "ShapeError", "groupnorm: expected input (B, C, H, W) or (B, C), got %s",
                           tensor_shape_str(x, sh, sizeof sh));
        lt_module *m = nn_group_norm(groups, x->shape[1]);
        if (net_add_site(a, m, sizes, &st) < 0) return -1;
    } else if (!nn_is(st->m, "group_norm")) {
        return bi_fail(a, NULL, "TypeError", "this call site holds another kind of layer");
    } else if (net_check_sizes(a, st, sizes) < 0) {
        return -1;
    }
    return net_site_result(a, st, nn_group_norm_forward(st->m, a->s->tc->g, x, 0), out);
}

/* down(x) / avgpool(x) on a tensor; avgpool(2) or down() is a layer */
static int net_pool(bi_args *a, value *out, layer_shape_kind kind)
{
    const char *name = kind == LAYER_AVGPOOL ? "avgpool" : "upsample";
    if (a->npos == 1 && !IS_NUM(a->pos[0])) {
        lt_tensor *x;
        if (net_tensor(a, 0, &x) < 0) return -1;
        lt_graph *g = a->s->tc->g;
        return tv_result_tensor(a->s, a->call, kind == LAYER_AVGPOOL ? op_avgpool2(g, x) : op_upsample2(g, x), out);
    }
    if (a->npos == 1 && AS_NUM(a->pos[0]) != 2)
        return bi_fail(a, a->pos_nodes[0], "ValueError", "%s works by a factor of 2 only", name);
    if (!tc_get(a->s, a->call)) return -1;
    return net_wrap(a->s, a->call, layer_shape_new(kind, 0, NULL), out);
}
static int bn_avgpool(bi_args *a, value *out) { return net_pool(a, out, LAYER_AVGPOOL); }
static int bn_upsample(bi_args *a, value *out) { return net_pool(a, out, LAYER_UPSAMPLE); }

static int bn_flatten(bi_args *a, value *out)
{
    if (a->npos == 0) {
        if (!tc_get(a->s, a->call)) return -1;
        return net_wrap(a->s, a->call, layer_shape_new(LAYER_FLATTEN, 0, NULL), out);
    }
    lt_tensor *x;
    if (net_tensor(a, 0, &x) < 0) return -1;
    return tv_result_tensor(a->s, a->call, layer_flatten(a->s->tc->g, x), out);
}

/* unflatten(x, d1, ..) on a tensor; unflatten(d1, ..) is a layer */
static int bn_unflatten(bi_args *a, value *out)
{
    int tensor = !IS_NUM(a->pos[0]), dims[3], nd = a->npos - tensor;
    if (nd < 1 || nd > 3) return bi_fail(a, NULL, "TypeError", "unflatten takes 1 to 3 sizes (unflatten(1, 28, 28))");
    for (int i = 0; i < nd; i++)
        if (net_pos_int(a, i + tensor, "a size", 1, &dims[i]) < 0) return -1;
    if (!tc_get(a->s, a->call)) return -1;
    if (!tensor) return net_wrap(a->s, a->call, layer_shape_new(LAYER_UNFLATTEN, nd, dims), out);
    lt_tensor *x;
    if (net_tensor(a, 0, &x) < 0) return -1;
    return tv_result_tensor(a->s, a->call, layer_unflatten(a->s->tc->g, x, nd, dims), out);
}

/* conv2d(in, out, k=3, stride=1, padding=k//2): a layer for seq(...) */
static int bn_conv2d(bi_args *a, value *out)
{
    int in, o, k, stride, pad;
    if (net_pos_int(a, 0, "in_channels", 1, &in) < 0 || net_pos_int(a, 1, "out_channels", 1, &o) < 0 ||
        net_conv_kw(a, &k, &stride, &pad) < 0 || !tc_get(a->s, a->call))
        return -1;
    lt_module *m = nn_conv2d(in, o, k, stride, pad, &a->s->tc->r);
    return m ? net_wrap(a->s, a->call, m, out) : tv_fail(a->s, a->call);
}

/* temb(t, dim): sinusoidal embedding of time steps (a number or a (B) tensor) */
static int bn_temb(bi_args *a, value *out)
{
    lt_tensor *t;
    int dim;
    if (net_pos_int(a, 1, "dim", 2, &dim) < 0) return -1;
    if (dim % 2) return bi_fail(a, a->pos_nodes[1], "ValueError", "temb's dim must be even, got %d", dim);
    if (net_tensor(a, 0, &t) < 0) return -1;
    lt_graph *g = a->s->tc->g;
    if (t->ndim == 0) { int one = 1; t = op_reshape(g, t, 1, &one); }
    return tv_result_tensor(a->s, a->call, op_temb(g, t, dim), out);
}

/* ---- unet() ---------------------------------------------------------------------- */

/* unet(c1=16, c2=32, c3=64, groups=4, sdim=64, tdim=128) */
static int bn_unet(bi_args *a, value *out)
{
    unet_config cfg = unet_default_config();
    if (net_kw_int(a, "c1", 1, &cfg.c1) < 0 || net_kw_int(a, "c2", 1, &cfg.c2) < 0 || net_kw_int(a, "c3", 1, &cfg.c3) < 0 ||
        net_kw_int(a, "groups", 1, &cfg.groups) < 0 || net_kw_int(a, "sdim", 2, &cfg.sdim) < 0 ||
        net_kw_int(a, "tdim", 1, &cfg.tdim) < 0 || !tc_get(a->s, a->call))
        return -1;
    const ast_node *at;
    if (cfg.c1 % cfg.groups || cfg.c2 % cfg.groups || cfg.c3 % cfg.groups)
        return bi_fail(a, bi_kw(a, "groups", &at) ? at : NULL, "ValueError", "unet: %d groups do not divide "
                       "every channel count (c1=%d, c2=%d, c3=%d)", cfg.groups, cfg.c1, cfg.c2, cfg.c3);
    if (cfg.sdim % 2)
        return bi_fail(a, bi_kw(a, "sdim", &at) ? at : NULL, "ValueError", "unet: sdim must be even (sines "
                       "and cosines), got %d", cfg.sdim);
    lt_module *m = nn_unet(&cfg, &a->s->tc->r);
    if (!m) return tv_fail(a->s, a->call);
    return net_wrap_ops(a->s, a->call, m, &unet_value_ops, out);
}

/* eps(xt, t): t is a (B) tensor or one number for the whole batch */
static int unet_call(lt_unet *u, bi_args *a, value *out)
{
    lt_tensor *x, *t;
    if (a->npos != 2 || a->nkw) return bi_fail(a, NULL, "TypeError", "a unet takes two arguments: eps(xt, t)");
    if (net_tensor(a, 0, &x) < 0 || net_tensor(a, 1, &t) < 0) return -1;
    lt_graph *g = a->s->tc->g;
    if (t->ndim == 0 && x->ndim >= 1) {
        int b = x->shape[0];
        t = op_expand(g, op_reshape(g, t, 1, (int[]){1}), 1, &b);
    }
    return tv_result_tensor(a->s, a->call, unet_forward(u, g, x, op_contiguous(g, t)), out);
}

/* ---- calling a net --------------------------------------------------------------- */

static int net_call(lt_module *m, bi_args *a, value *out)
{
    if (nn_unet_of(m)) return unet_call(nn_unet_of(m), a, out);
    net_mod *nm = (net_mod *)m;
    if (!tc_get(a->s, a->call)) return -1;
    net_run r = { .net = nm, .depth = 0, .outer = a->s->net };
    a->s->net = &r;
    int st = eval_fn_apply(a->s, nm->def, a, out);
    a->s->net = r.outer;
    return st;
}

/* ---- layer tables ---------------------------------------------------------------- */

static void net_table(lt_module *m, buf *out, int html)
{
    net_mod *nm = (net_mod *)m;
    char head[128], num[32], d[96];
    net_describe(m, head, sizeof head);
    if (nm->n == 0) {
        buf_printf(out, "%s%s: no parameters yet; its layers are made on its first call%s", html ? "<p><code>" : "",
                   head, html ? "</code></p>" : "");
        return;
    }
    if (html) buf_printf(out, "<p><code>%s</code></p><table><thead><tr><th>#</th><th>layer</th><th>call site</th>"
                         "<th>output</th><th>parameters</th></tr></thead><tbody>", head);
    else buf_printf(out, "%s\n%-4s %-22s %-28s %-16s %s\n", head, "#", "layer", "call site", "output", "parameters");
    for (int i = 0; i < nm->n; i++) {
        net_site *st = &nm->sites[i];
        nn_describe(st->m, d, sizeof d);
        nv_thousands(nn_param_count(st->m), num);
        if (html) {
            buf_printf(out, "<tr><td>%d</td><td><code>%s</code></td><td>", i, d);
            for (const char *c = st->where; *c; c++)   /* the path's '>' as &gt; */
                if (*c == '>') buf_puts(out, "&gt;"); else buf_putc(out, *c);
            buf_printf(out, "</td><td>%s</td><td style=\"text-align:right\">%s</td></tr>", st->shape, num);
        }
        else buf_printf(out, "%-4d %-22s %-28s %-16s %s\n", i, d, st->where, st->shape, num);
    }
    nv_thousands(nn_param_count(m), num);
    if (html) buf_printf(out, "</tbody><tfoot><tr><td></td><td>total</td><td></td><td></td>"
                         "<td style=\"text-align:right\">%s</td></tr></tfoot></table>", num);
    else buf_printf(out, "total %s parameters", num);
}

/* ---- the table --------------------------------------------------------------------- */

static const char *const bn_conv_kw[] = {"k", "stride", "padding", NULL};
static const char *const bn_dense_kw[] = {"bias", NULL};
static const char *const bn_unet_kw[] = {"c1", "c2", "c3", "groups", "sdim", "tdim", NULL};

static const builtin bi_net_builtins[] = {
    {"conv", "conv(x, out_channels, k=3, stride=1, padding=k//2)",
     "Inside a net body: this call site's 2-D convolution of x (B, C, H, W) to out_channels maps "
     "(its parameters are made on the first call, with C read from x).",
     "net f(x) { return conv(x, 8, stride=2) }\nprint(shape(f(ones(2, 3, 8, 8))), params(f))  # => [2, 8, 4, 4] 224",
     bn_conv_kw, 2, 2, bn_conv},
    {"dense", "dense(x, out, bias=true)", "Inside a net body: this call site's linear layer (the same as linear(x, out)).",
     "net f(x) { return dense(x, 3) }\nprint(shape(f(ones(2, 4))), params(f))  # => [2, 3] 15", bn_dense_kw, 2, 2, net_linear_site},
    {"groupnorm", "groupnorm(groups, channels) or groupnorm(x, groups)",
     "Group normalisation: a layer for seq(...), or inside a net body this call site's GroupNorm of x (B, C, H, W).",
     "groupnorm(4, 16)\n# => #    layer                  output       parameters\n"
     "# => 0    groupnorm(4, 16)       same         32\n# => total 32 parameters", NULL, 1, 2, bn_groupnorm},
    {"conv2d", "conv2d(in, out, k=3, stride=1, padding=k//2)",
     "A 2-D convolution layer for seq(...): (B, in, H, W) -> (B, out, H', W') (PyTorch's initialisation).",
     "params(conv2d(1, 16))  # => 160", bn_conv_kw, 2, 2, bn_conv2d},
    {"avgpool", "avgpool(2) or avgpool(x)", "Average over 2x2 windows: a layer for seq(...), or applied to x (B, C, H, W).",
     "shape(avgpool(ones(1, 1, 4, 4)))  # => [1, 1, 2, 2]", NULL, 0, 1, bn_avgpool},
    {"down", "down(x)", "Halves the height and width of x (B, C, H, W) by 2x2 averages; bare `down` is a layer.",
     "shape(down(ones(2, 3, 28, 28)))  # => [2, 3, 14, 14]", NULL, 0, 1, bn_avgpool},
    {"upsample", "upsample(2) or upsample(x)", "Nearest-neighbour upsampling by 2: a layer, or applied to x (B, C, H, W).",
     "shape(upsample(ones(1, 1, 2, 2)))  # => [1, 1, 4, 4]", NULL, 0, 1, bn_upsample},
    {"up", "up(x)", "Doubles the height and width of x (B, C, H, W) (nearest neighbour); bare `up` is a layer.",
     "shape(up(ones(2, 3, 7, 7)))  # => [2, 3, 14, 14]", NULL, 0, 1, bn_upsample},
    {"flatten", "flatten(x)", "x (B, ...) as rows (B, n); bare `flatten` is a layer for seq(...).",
     "shape(flatten(ones(2, 1, 28, 28)))  # => [2, 784]", NULL, 0, 1, bn_flatten},
    {"unflatten", "unflatten(x, d1, ..) or unflatten(d1, ..)",
     "Rows x (B, n) as (B, d1, ..) (e.g. images 1x28x28), or that as a layer for seq(...).",
     "shape(unflatten(ones(2, 784), 1, 28, 28))  # => [2, 1, 28, 28]", NULL, 1, 4, bn_unflatten},
    {"temb", "temb(t, dim)",
     "The sinusoidal embedding of time steps t (a number or a (B) tensor): (B, dim) of sines then cosines, no parameters.",
     "shape(temb(tensor([0, 10, 999]), 128))  # => [3, 128]", NULL, 2, 2, bn_temb},
    {"unet", "unet(c1=16, c2=32, c3=64, groups=4, sdim=64, tdim=128)",
     "A ready-made U-Net for DDPM noise prediction, called as eps(xt, t) with xt (B, 784) or (B, 1, 28, 28) "
     "and t a (B) tensor or a number: c1, c2, c3 channels per level, GroupNorm in `groups` groups (dividing "
     "each), a sinusoidal time embedding of sdim (even) widened to tdim.",
     "params(unet())  # => 184785", bn_unet_kw, 0, 0, bn_unet},
    {0},
};

/* linear(x, out) with a tensor x: the layer of this call site in the running net, the
 * overload of the nn library's linear(in, out) for a tensor first argument. */
static const builtin net_tensor_methods[] = {
    {"linear", "linear(x, out, bias=true)", "Inside a net's body: this call site's fully connected layer on x "
     "(its input width read from x on the first call).", NULL, bn_dense_kw, 2, 2, net_linear_site},
    {0},
};

int lib_open_net(registry *r)
{
    if (reg_open(r, bi_net_builtins) < 0 || reg_open_on(r, &tv_type, net_tensor_methods, 0) < 0) return -1;
    if (reg_statement(r, AST_NET, "net", "net NAME(x, t) { ... return EXPR }: a network written as its forward "
                      "pass; each layer call site (linear, dense, conv, groupnorm) makes its parameters on the "
                      "net's first call. Anywhere else net is a name: net = seq(...).", net_define) < 0)
        return -1;
    return reg_call_hooks(r, net_enter_fn, net_leave_fn);
}
