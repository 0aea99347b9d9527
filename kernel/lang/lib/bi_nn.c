/* bi_nn.c: networks, activations, losses, optimizers and data sets as values of the
 * language (see bi_nn.h), and their builtins. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "bi_math.h"
#include "sched_val.h"
#include "conv.h"
#include "data.h"
#include "kinds.h"
#include "layers.h"
#include "metrics.h"
#include "nn.h"
#include "bi_nn.h"
#include "optim.h"
#include "toys.h"

/* ---- networks -------------------------------------------------------------- */

static void nv_free(void *data)
{
    nv_data *d = data;
    nn_free(d->m);
    buf_free(&d->text);
    buf_free(&d->html);
    free(d);
}

int nv_is(value v)
{
    return IS_OBJ(v) && AS_OBJ(v)->type == &nv_type;
}

lt_module *nv_module(value v)
{
    return ((nv_data *)AS_OBJ(v)->data)->m;
}


static int nv_in_width(lt_module *m)
{
    m = nv_unshare(m);
    if (nn_is(m, "seq")) {
        int n;
        lt_module **kids = nn_seq_children(m, &n);
        for (int i = 0; i < n; i++) { int w = nv_in_width(kids[i]); if (w > 0) return w; }
        return -1;
    }
    return nn_in_width(m);   /* the kind's (kinds.h): linear's in */
}

/* The shape after layer m for a layer table: shape[0..*nd) with -1 for the batch and
 * for sizes not known; *nd 0 when nothing is known. */
static void nv_out_shape(lt_module *m, int *nd, int shape[4])
{
    if (nn_is(m, "seq")) {
        int n;
        lt_module **kids = nn_seq_children(m, &n);
        for (int i = 0; i < n; i++) nv_out_shape(nv_unshare(kids[i]), nd, shape);
        return;
    }
    nn_shape_out(m, nd, shape);   /* the kind's (kinds.h); activations, GroupNorm: the same shape */
}

/* "(B, 16, 28, 28)" ("?" for a size not known), or "same" when nothing is known. */
static void nv_shape_text(int nd, const int *shape, char *out, size_t size)
{
    if (nd == 0) { snprintf(out, size, "same"); return; }
    size_t k = (size_t)snprintf(out, size, "(B");
    for (int i = 1; i < nd && k < size; i++) {
        if (shape[i] > 0) k += (size_t)snprintf(out + k, size - k, ", %d", shape[i]);
        else k += (size_t)snprintf(out + k, size - k, ", ?");
    }
    if (k < size) snprintf(out + k, size - k, ")");
}

/* The layers of m as rows (layer, output shape, parameters): one row per child. */
typedef struct nv_row { char layer[96], shape[32]; size_t params; } nv_row;

static int nv_rows(lt_module *m, nv_row *rows, int cap)
{
    int n = 1;
    lt_module *one[1] = { m };
    lt_module **kids = nn_is(m, "seq") ? nn_seq_children(m, &n) : one;
    int w = nv_in_width(m), nd = 0, shape[4];
    if (w > 0) { nd = 2; shape[0] = -1; shape[1] = w; }
    for (int i = 0; i < n && i < cap; i++) {
        nn_describe(kids[i], rows[i].layer, sizeof rows[i].layer);
        nv_out_shape(nv_unshare(kids[i]), &nd, shape);
        nv_shape_text(nd, shape, rows[i].shape, sizeof rows[i].shape);
        rows[i].params = nn_param_count(kids[i]);
    }
    return n < cap ? n : cap;
}

void nv_thousands(size_t x, char *out)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%zu", x), k = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) out[k++] = ',';
        out[k++] = tmp[i];
    }
    out[k] = 0;
}

enum { NV_MAX_ROWS = 64 };

static void nv_table(lt_module *m, buf *out)
{
    nv_row rows[NV_MAX_ROWS];
    int n = nv_rows(m, rows, NV_MAX_ROWS);
    char num[32];
    int w = 12;   /* the output column, wider for image shapes such as (B, 16, 28, 28) */
    for (int i = 0; i < n; i++)
        if ((int)strlen(rows[i].shape) + 1 > w) w = (int)strlen(rows[i].shape) + 1;
    buf_printf(out, "%-4s %-22s %-*s %s\n", "#", "layer", w, "output", "parameters");
    for (int i = 0; i < n; i++) {
        nv_thousands(rows[i].params, num);
        buf_printf(out, "%-4d %-22s %-*s %s\n", i, rows[i].layer, w, rows[i].shape, num);
    }
    nv_thousands(nn_param_count(m), num);
    buf_printf(out, "total %s parameters", num);
}

static void nv_repr(const void *data, buf *out)
{
    const nv_data *d = data;
    if (d->m && d->ops && d->ops->table) d->ops->table(d->m, out, 0);
    else nv_table(d->m, out);
}

static void nv_mime_html(nv_data *m);

/* text/html and text/plain of a network, kept in the value until the next call. */
static int nv_to_mime(void *data, lt_output *out)
{
    nv_data *m = data;
    buf_clear(&m->text);
    buf_clear(&m->html);
    if (m->m && m->ops && m->ops->table) {
        m->ops->table(m->m, &m->text, 0);
        m->ops->table(m->m, &m->html, 1);
    } else {
        nv_table(m->m, &m->text);
        nv_mime_html(m);
    }
    if (m->text.oom || m->html.oom) return -1;
    m->items[0] = (lt_mime){ "text/html", m->html.data, m->html.len };
    m->items[1] = (lt_mime){ "text/plain", m->text.data, m->text.len };
    *out = (lt_output){ m->items, 2, 0, 0, NULL };
    return 0;
}

/* The HTML layer table of a network that is not a net. */
static void nv_mime_html(nv_data *m)
{
    nv_row rows[NV_MAX_ROWS];
    int n = nv_rows(m->m, rows, NV_MAX_ROWS);
    char num[32];
    buf_puts(&m->html, "<table><thead><tr><th>#</th><th>layer</th><th>output</th><th>parameters</th></tr></thead><tbody>");
    for (int i = 0; i < n; i++) {
        nv_thousands(rows[i].params, num);
        buf_printf(&m->html, "<tr><td>%d</td><td><code>%s</code></td><td>%s</td><td style=\"text-align:right\">%s</td></tr>",
                   i, rows[i].layer, rows[i].shape, num);
    }
    nv_thousands(nn_param_count(m->m), num);
    buf_printf(&m->html, "</tbody><tfoot><tr><td></td><td>total</td><td></td><td style=\"text-align:right\">%s</td></tr></tfoot></table>", num);
}

/* net(x): the forward pass (taped inside train bodies) */
static int nv_call(void *data, bi_args *a, value *out)
{
    const nv_data *d = data;
    if (d->m && d->ops && d->ops->call) return d->ops->call(d->m, a, out);
    if (a->npos != 1 || a->nkw)
        return bi_fail(a, NULL, "TypeError", "a network takes one tensor (%d given)", a->npos + a->nkw);
    lt_tensor *x;
    if (tv_arg(a->s, a->pos_nodes[0], a->pos[0], &x) < 0) return -1;
    return tv_result_tensor(a->s, a->call, nn_forward(((nv_data *)data)->m, a->s->tc->g, x), out);
}

const val_type nv_type = {
    .name = "network", .free = nv_free, .repr = nv_repr, .to_mime = nv_to_mime, .call = nv_call,
};

static int nv_new(bi_args *a, lt_module *m, value *out)
{
    if (!m) return tv_fail(a->s, a->call);
    nv_data *d = calloc(1, sizeof *d);
    if (!d) { nn_free(m); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
    d->m = m;
    buf_init(&d->text);
    buf_init(&d->html);
    val_obj *o = val_obj_new(&nv_type, d);
    if (!o) return bi_fail(a, NULL, "MemoryError", "out of memory");
    *out = OBJ_VAL(o);
    return 0;
}

/* A layer shared by several networks: forwards to the network value it holds. */
typedef struct nv_shared { lt_module base; value v; } nv_shared;

static lt_module *nv_shared_inner(lt_module *m) { return nv_module(((nv_shared *)m)->v); }
static lt_tensor *nv_shared_forward(lt_module *m, lt_graph *g, lt_tensor *x)
{ return nn_forward(nv_shared_inner(m), g, x); }
static int nv_shared_params(lt_module *m, lt_param *ps, int cap) { return nn_params(nv_shared_inner(m), ps, cap); }
static char *nv_shared_describe(const lt_module *m, char *b, size_t n)
{ return nn_describe(nv_shared_inner((lt_module *)m), b, n); }
static void nv_shared_free(lt_module *m) { val_decref(((nv_shared *)m)->v); free(m); }
static const lt_module_ops nv_shared_ops = {
    "shared", nv_shared_forward, nv_shared_params, nv_shared_describe, nv_shared_free,
};

lt_module *nv_unshare(lt_module *m)
{
    while (nn_is(m, "shared")) m = nv_shared_inner(m);
    return m;
}

/* ---- layers ------------------------------------------------------------------ */

static int nv_int(bi_args *a, int i, int *x)
{
    double d;
    if (bi_num(a, i, &d) < 0) return -1;
    if (d != floor(d) || d < 1 || d > 1e8)
        return bi_fail(a, a->pos_nodes[i], "ValueError", "a layer size must be a whole number >= 1");
    *x = (int)d;
    return 0;
}

static int bn_linear(bi_args *a, value *out)
{
    int in, o;
    const ast_node *at;
    const value *bias = bi_kw(a, "bias", &at);
    if (nv_int(a, 0, &in) < 0 || nv_int(a, 1, &o) < 0 || !tc_get(a->s, a->call)) return -1;
    int nobias = bias && !val_truthy(*bias);
    return nv_new(a, nobias ? nn_linear_nobias(in, o, &a->s->tc->r) : nn_linear(in, o, &a->s->tc->r), out);
}

/* An activation: on a tensor it applies; with no argument (or a slope for leaky_relu)
 * it is a layer for seq(...). */
static int bn_activation(bi_args *a, value *out, lt_act act, int (*apply)(bi_args *, value *))
{
    if (a->npos == 1 && IS_NUM(a->pos[0])) {   /* tanh(0.5), as exp(0.5) */
        *out = NUM_VAL(bm_act_num(act == LT_ACT_RELU ? "relu" : act == LT_ACT_SIGMOID ? "sigmoid" : "tanh",
                                  AS_NUM(a->pos[0])));
        return 0;
    }
    if (a->npos == 1) return apply(a, out);
    return nv_new(a, nn_act(act, 0), out);
}
static int bn_relu(bi_args *a, value *out) { return bn_activation(a, out, LT_ACT_RELU, tv_relu); }
static int bn_sigmoid(bi_args *a, value *out) { return bn_activation(a, out, LT_ACT_SIGMOID, tv_sigmoid); }
static int bn_tanh(bi_args *a, value *out) { return bn_activation(a, out, LT_ACT_TANH, tv_tanh); }

static int bn_unary(bi_args *a, value *out, lt_unary f, int (*apply)(bi_args *, value *))
{
    if (a->npos == 1 && IS_NUM(a->pos[0])) {
        *out = NUM_VAL(bm_act_num(f == LT_UNARY_SILU ? "silu" : "softplus", AS_NUM(a->pos[0])));
        return 0;
    }
    if (a->npos == 1) return apply(a, out);
    return nv_new(a, nn_unary(f), out);
}
static int bn_silu(bi_args *a, value *out) { return bn_unary(a, out, LT_UNARY_SILU, tv_silu); }
static int bn_softplus(bi_args *a, value *out) { return bn_unary(a, out, LT_UNARY_SOFTPLUS, tv_softplus); }

/* leaky_relu(0.2) is a layer; leaky_relu(x, 0.2) applies to a tensor */
static int bn_leaky_relu(bi_args *a, value *out)
{
    double alpha = 0.01;
    if (a->npos == 2 && IS_NUM(a->pos[0])) {   /* leaky_relu(-1, 0.2): a number */
        if (bi_num(a, 1, &alpha) < 0) return -1;
        double x = AS_NUM(a->pos[0]);
        *out = NUM_VAL(x > 0 || isnan(x) ? x : alpha * x);
        return 0;
    }
    if (a->npos >= 1 && !IS_NUM(a->pos[0])) {
        lt_tensor *x;
        if (a->npos == 2 && bi_num(a, 1, &alpha) < 0) return -1;
        if (tv_arg(a->s, a->pos_nodes[0], a->pos[0], &x) < 0) return -1;
        return tv_result_tensor(a->s, a->call, op_leaky_relu(a->s->tc->g, x, (float)alpha), out);
    }
    if (a->npos == 1 && bi_num(a, 0, &alpha) < 0) return -1;
    if (a->npos == 2) return bi_fail(a, NULL, "TypeError", "leaky_relu(slope) or leaky_relu(x, slope)");
    return nv_new(a, nn_act(LT_ACT_LEAKY_RELU, (float)alpha), out);
}

/* One child of seq: a network value (taken over when nothing else holds it, else
 * shared) or a bare activation builtin (relu, sigmoid, ...). */
static int bn_seq_child(bi_args *a, int i, lt_module **m)
{
    value v = a->pos[i];
    if (IS_BUILTIN(v)) {
        const char *name = AS_BUILTIN(v)->name;
        *m = nn_bare(name);   /* the layer table's (kinds.h): relu, down, flatten, ... */
        if (!*m) return bi_fail(a, a->pos_nodes[i], "TypeError", "%s is not a layer", name);
        return 0;
    }
    if (!nv_is(v))
        return bi_fail(a, a->pos_nodes[i], "TypeError", "seq() takes layers, not %s", val_type_name(v));
    val_obj *o = AS_OBJ(v);
    if (o->rc == 1) {   /* a temporary such as linear(784, 256): take its module */
        nv_data *d = o->data;
        *m = d->m;
        d->m = NULL;
        return 0;
    }
    nv_shared *sh = calloc(1, sizeof *sh);
    if (!sh) return bi_fail(a, NULL, "MemoryError", "out of memory");
    sh->base.ops = &nv_shared_ops;
    sh->v = v;
    val_incref(v);
    *m = &sh->base;
    return 0;
}


static int bn_seq(bi_args *a, value *out)
{
    lt_module *mods[NV_MAX_ROWS];
    if (a->npos > NV_MAX_ROWS) return bi_fail(a, NULL, "ValueError", "seq takes at most %d layers", NV_MAX_ROWS);
    for (int i = 0; i < a->npos; i++) {
        if (bn_seq_child(a, i, &mods[i]) < 0) {
            for (int j = 0; j < i; j++) nn_free(mods[j]);
            return -1;
        }
    }
    return nv_new(a, nn_seq(mods, a->npos), out);
}

static int bn_params(bi_args *a, value *out)
{
    if (!nv_is(a->pos[0])) return bi_fail(a, a->pos_nodes[0], "TypeError", "params() needs a network, not %s", val_type_name(a->pos[0]));
    *out = NUM_VAL((double)nn_param_count(nv_module(a->pos[0])));
    return 0;
}

/* ---- losses ------------------------------------------------------------------ */

typedef lt_tensor *(*bn_loss_fn)(lt_graph *, lt_tensor *, lt_tensor *, lt_reduce);

static int bn_loss(bi_args *a, value *out, bn_loss_fn f)
{
    lt_tensor *p, *y;
    lt_reduce r;
    if (bm_reduce_kw(a, &r) < 0) return -1;
    if (tv_arg(a->s, a->pos_nodes[0], a->pos[0], &p) < 0 || tv_arg(a->s, a->pos_nodes[1], a->pos[1], &y) < 0) return -1;
    return tv_result(a->s, a->call, f(a->s->tc->g, p, y, r), out);
}
static int bn_mse(bi_args *a, value *out) { return bn_loss(a, out, op_mse); }
/* bce(p, 1): a number target means that value everywhere, as bce_logits allows */
static lt_tensor *bn_bce_op(lt_graph *g, lt_tensor *p, lt_tensor *y, lt_reduce r)
{
    if (p && y && y->ndim == 0 && p->ndim > 0) y = op_contiguous(g, op_expand(g, y, p->ndim, p->shape));
    return op_bce(g, p, y, r);
}
static int bn_bce(bi_args *a, value *out) { return bn_loss(a, out, bn_bce_op); }
static int bn_bce_logits(bi_args *a, value *out) { return bn_loss(a, out, op_bce_logits); }

/* cross_entropy(logits, target) on tensors is the overload for a tensor first argument
 * (registry.h), bm_cross_entropy (bi_math.c: label smoothing, probability targets);
 * information theory's cross_entropy(p, q) takes everything else. */

static int bn_kl_gauss(bi_args *a, value *out) { return bn_loss(a, out, op_kl_gauss); }

/* roc_auc(scores, labels): how well scores (a higher score = more anomalous) separate
 * labels 1 (anomaly) from 0 (normal); ties count one half. */
static int bn_roc_auc(bi_args *a, value *out)
{
    bi_nums sc = {0}, lb = {0};
    int *y = NULL, rc = -1;
    double auc;
    if (bi_nums_get(a, a->pos[0], a->pos_nodes[0], "roc_auc", &sc) < 0 ||
        bi_nums_get(a, a->pos[1], a->pos_nodes[1], "roc_auc", &lb) < 0)
        goto done;
    if (sc.n != lb.n) {
        bi_fail(a, a->pos_nodes[1], "ValueError", "roc_auc: %zu scores but %zu labels", sc.n, lb.n);
        goto done;
    }
    for (size_t i = 0; i < sc.n; i++)
        if (!isfinite(sc.x[i])) {
            bi_fail(a, a->pos_nodes[0], "ValueError", "roc_auc: scores[%zu] = %s is not a finite number", i,
                    isnan(sc.x[i]) ? "nan" : sc.x[i] > 0 ? "inf" : "-inf");
            goto done;
        }
    if (!(y = malloc((lb.n ? lb.n : 1) * sizeof *y))) { bi_fail(a, NULL, "MemoryError", "out of memory"); goto done; }
    for (size_t i = 0; i < lb.n; i++) {
        if (lb.x[i] != 0 && lb.x[i] != 1) {
            bi_fail(a, a->pos_nodes[1], "ValueError", "roc_auc: labels[%zu] = %g; labels must be 0 (normal) or 1 (anomaly)",
                    i, lb.x[i]);
            goto done;
        }
        y[i] = (int)lb.x[i];
    }
    lt_status st = metrics_roc_auc(sc.x, y, sc.n, &auc);
    if (st != LT_OK) { bi_fail(a, a->pos_nodes[1], lt_status_name(st), "%s", lt_errmsg()); goto done; }  /* one class only */
    *out = NUM_VAL(auc);
    rc = 0;
done:
    bi_nums_free(&sc);
    bi_nums_free(&lb);
    free(y);
    return rc;
}

/* ---- optimizers -------------------------------------------------------------- */

static void ov_free(void *data)
{
    ov_data *o = data;
    optim_free(o->opt);
    for (int i = 0; o->names && i < o->nnets; i++) free(o->names[i]);
    free(o->names);
    for (int i = 0; i < o->nnets; i++) val_decref(o->nets[i]);
    free(o->nets);
    free(o);
}

static void ov_repr(const void *data, buf *out)
{
    const ov_data *o = data;
    size_t n = o->opt->total;
    char num[32];
    nv_thousands(n, num);
    sch_optim_repr(o->opt, out);
    buf_printf(out, ") over %d network%s, %s parameters, %ld steps", o->nnets, o->nnets == 1 ? "" : "s", num, o->opt->step);
}

const val_type ov_type = { .name = "optimizer", .free = ov_free, .repr = ov_repr };

int ov_is(value v)
{
    return IS_OBJ(v) && AS_OBJ(v)->type == &ov_type;
}

/* The networks an optimizer trains: one network or a list of them. */
static int ov_nets(bi_args *a, value **nets, int *n)
{
    value v = a->pos[0];
    const value *items = &a->pos[0];
    *n = 1;
    if (IS_LIST(v)) { items = AS_LIST(v)->items; *n = (int)AS_LIST(v)->n; }
    if (*n < 1) return bi_fail(a, a->pos_nodes[0], "ValueError", "an optimizer needs at least one network");
    *nets = malloc((size_t)*n * sizeof **nets);
    if (!*nets) return bi_fail(a, NULL, "MemoryError", "out of memory");
    for (int i = 0; i < *n; i++) {
        if (!nv_is(items[i])) {
            free(*nets);
            return bi_fail(a, a->pos_nodes[0], "TypeError", "an optimizer trains networks, not %s", val_type_name(items[i]));
        }
        (*nets)[i] = items[i];
    }
    return 0;
}

static int ov_kw_num(bi_args *a, const char *name, double *x)
{
    const ast_node *at;
    const value *v = bi_kw(a, name, &at);
    if (!v) return 0;
    if (!IS_NUM(*v)) return bi_fail(a, at, "TypeError", "%s must be a number, not %s", name, val_type_name(*v));
    *x = AS_NUM(*v);
    return 0;
}

static int ov_opts(bi_args *a, optim_opts *o)
{
    const ast_node *at;
    const value *betas = bi_kw(a, "betas", &at);
    if (ov_kw_num(a, "lr", &o->lr) < 0 || ov_kw_num(a, "momentum", &o->momentum) < 0 ||
        ov_kw_num(a, "weight_decay", &o->weight_decay) < 0 || ov_kw_num(a, "eps", &o->eps) < 0)
        return -1;
    if (!betas) return 0;
    if (!IS_LIST(*betas) || AS_LIST(*betas)->n != 2 || !IS_NUM(AS_LIST(*betas)->items[0]) ||
        !IS_NUM(AS_LIST(*betas)->items[1]))
        return bi_fail(a, at, "TypeError", "betas must be a list of two numbers, e.g. [0.9, 0.999]");
    o->beta1 = AS_NUM(AS_LIST(*betas)->items[0]);
    o->beta2 = AS_NUM(AS_LIST(*betas)->items[1]);
    return 0;
}

int ov_new(bi_args *a, value *out, optim_kind kind)
{
    optim_opts o = optim_defaults(kind);
    value *nets = NULL;
    int n;
    if (ov_opts(a, &o) < 0 || sch_optim_opts(a, kind, &o) < 0 || ov_nets(a, &nets, &n) < 0) return -1;
    int np = 0;
    lt_param none;
    for (int i = 0; i < n; i++) np += nn_params(nv_module(nets[i]), &none, 0);
    lt_param *ps = malloc((size_t)(np ? np : 1) * sizeof *ps);
    ov_data *d = calloc(1, sizeof *d);
    if (!ps || !d) { free(ps); free(d); free(nets); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
    for (int i = 0, k = 0; i < n; i++) k += nn_params(nv_module(nets[i]), ps + k, np - k);
    d->opt = optim_new(kind, ps, np, &o);
    free(ps);
    if (!d->opt) { free(d); free(nets); return tv_fail(a->s, a->call); }
    d->nets = nets;
    d->nnets = n;
    for (int i = 0; i < n; i++) val_incref(nets[i]);
    /* names at the top level only: a function's parameter names nothing global */
    if (!a->s->locals && ov_name_nets(d, a->pos_nodes[0]) < 0) {
        ov_free(d);
        return bi_fail(a, NULL, "MemoryError", "out of memory");
    }
    val_obj *obj = val_obj_new(&ov_type, d);
    if (!obj) return bi_fail(a, NULL, "MemoryError", "out of memory");
    *out = OBJ_VAL(obj);
    return 0;
}
int ov_refresh(ov_data *d)
{
    lt_param none;
    int np = 0;
    for (int i = 0; i < d->nnets; i++) np += nn_params(nv_module(d->nets[i]), &none, 0);
    if (np == d->opt->nparams) return 0;
    lt_param *ps = malloc((size_t)np * sizeof *ps);
    if (!ps) return lt_fail(LT_ERR_NOMEM, "out of memory"), -1;
    for (int i = 0, k = 0; i < d->nnets; i++) k += nn_params(nv_module(d->nets[i]), ps + k, np - k);
    optim *old = d->opt, *opt = optim_new(old->kind, ps, np, &old->o);
    free(ps);
    if (!opt) return -1;
    size_t at = 0;   /* moments of blocks the old optimizer had move over */
    for (int j = 0; j < old->nparams; at += old->params[j].n, j++) {
        size_t to = 0;
        for (int i = 0; i < np; to += opt->params[i].n, i++) {
            if (opt->params[i].w != old->params[j].w) continue;
            memcpy(opt->m + to, old->m + at, old->params[j].n * sizeof *opt->m);
            if (old->v) memcpy(opt->v + to, old->v + at, old->params[j].n * sizeof *opt->v);
            if (old->u) memcpy(opt->u + to, old->u + at, old->params[j].n * sizeof *opt->u);
        }
    }
    opt->step = old->step;
    optim_free(old);
    d->opt = opt;
    return 0;
}

int ov_name_nets(ov_data *d, const ast_node *arg)
{
    int n = arg->kind == AST_LIST ? arg->n : 1;
    if (n != d->nnets) return 0;   /* a list held by a variable: nothing to name */
    if (!(d->names = calloc((size_t)n, sizeof *d->names))) return -1;
    for (int i = 0; i < n; i++) {
        const ast_node *e = arg->kind == AST_LIST ? arg->items[i] : arg;
        if (e->kind == AST_NAME && !(d->names[i] = strdup(e->text))) return -1;
    }
    return 0;
}

const char *ov_stale(const ov_data *d, const value *(*lookup)(void *ctx, const char *name), void *ctx, int *i)
{
    for (*i = 0; d->names && *i < d->nnets; (*i)++) {
        const value *v = d->names[*i] ? lookup(ctx, d->names[*i]) : NULL;
        if (v && nv_is(*v) && AS_OBJ(*v) != AS_OBJ(d->nets[*i])) return d->names[*i];
    }
    return NULL;
}

static int bn_adam(bi_args *a, value *out) { return ov_new(a, out, OPTIM_ADAM); }
static int bn_adamw(bi_args *a, value *out) { return ov_new(a, out, OPTIM_ADAMW); }
static int bn_sgd(bi_args *a, value *out) { return ov_new(a, out, OPTIM_SGD); }

/* ---- data sets ------------------------------------------------------------------ */

static void dv_free(void *data)
{
    data_free(data);
    free(data);
}

static void dv_repr(const void *data, buf *out)
{
    const lt_dataset *d = data;
    char num[32];
    nv_thousands((size_t)d->n, num);
    char sh[64];
    int ndim, shape[4];
    data_sample_shape(d, &ndim, shape);
    if (ndim > 2) buf_printf(out, "dataset: %s samples of %s", num, tensor_dims_str(ndim - 1, shape + 1, sh, sizeof sh));
    else buf_printf(out, "dataset: %s samples of %d", num, d->d);
    if (d->h) buf_printf(out, " (%dx%d images)", d->h, d->w);
    data_target_shape(d, &ndim, shape);
    if (d->y) buf_printf(out, ", labels 0..%d", d->nclass - 1);
    else if (d->t) buf_printf(out, ", targets %s", tensor_dims_str(ndim - 1, shape + 1, sh, sizeof sh));
    else buf_puts(out, ", no labels");
}

/* A data set's samples as an (n, d) tensor. */
static float *dv_to_floats(void *data, size_t *n, int shape[4], int *ndim)
{
    lt_dataset *d = data;
    *n = (size_t)d->n * (size_t)d->d;
    float *x = malloc((*n ? *n : 1) * sizeof *x);
    if (!x) return NULL;
    memcpy(x, d->x, *n * sizeof *x);
    data_sample_shape(d, ndim, shape);
    for (int i = *ndim; i < 4; i++) shape[i] = 1;
    return x;
}

static int dv_len_index(lt_session *s, const ast_node *at, void *data, const val_index *ix, int n, value *out);

static int dv_len(bi_args *a, value *out)
{
    *out = NUM_VAL(((lt_dataset *)AS_OBJ(a->pos[0])->data)->n);
    return 0;
}

static const builtin dv_methods[] = {
    {"len", "len(data)", "The number of samples.", NULL, NULL, 1, 1, dv_len},
    {0},
};

const val_type dv_type = {
    .name = "dataset", .free = dv_free, .repr = dv_repr, .to_floats = dv_to_floats, .index = dv_len_index,
};

int dv_is(value v)
{
    return IS_OBJ(v) && AS_OBJ(v)->type == &dv_type;
}

/* data[i] or data[a:b]: samples as a tensor (a view of a heap copy) */
static int dv_len_index(lt_session *s, const ast_node *at, void *data, const val_index *ix, int n, value *out)
{
    lt_dataset *d = data;
    if (!tc_get(s, at)) return -1;
    int ndim, shape[4];
    data_sample_shape(d, &ndim, shape);
    lt_tensor *t = graph_tensor(s->tc->g, ndim, shape);
    if (!t) return tv_fail(s, at);
    memcpy(t->data, d->x, (size_t)d->n * (size_t)d->d * sizeof(float));
    value tmp;
    if (tv_result_tensor(s, at, t, &tmp) < 0) return -1;
    int st = tv_type.index(s, at, AS_OBJ(tmp)->data, ix, n, out);
    val_decref(tmp);
    return st;
}

int dv_new(bi_args *a, lt_dataset *d, lt_status st, value *out)
{
    if (st != LT_OK) return bi_fail(a, NULL, lt_status_name(st), "%s", lt_errmsg());
    lt_dataset *h = malloc(sizeof *h);
    if (!h) { data_free(d); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
    *h = *d;
    val_obj *o = val_obj_new(&dv_type, h);
    if (!o) return bi_fail(a, NULL, "MemoryError", "out of memory");
    *out = OBJ_VAL(o);
    return 0;
}

/* mnist(train=none): all 10,000 bundled digits, or the 9,000 / 1,000 of the fixed split */
static int bn_mnist(bi_args *a, value *out)
{
    lt_dataset d;
    const value *train = bi_kw(a, "train", NULL);
    lt_status st = data_mnist_part(&d, !train || IS_NONE(*train) ? -1 : val_truthy(*train));
    return dv_new(a, &d, st, out);
}

static int bn_fashion_mnist(bi_args *a, value *out)
{
    lt_dataset d;
    const value *train = bi_kw(a, "train", NULL);
    lt_status st = data_fashion_mnist(&d, train && val_truthy(*train));
    return dv_new(a, &d, st, out);
}

static int bn_idx(bi_args *a, value *out)
{
    lt_dataset d;
    if (!IS_STR(a->pos[0]) || (a->npos == 2 && !IS_STR(a->pos[1])))
        return bi_fail(a, NULL, "TypeError", "idx(images_path, labels_path) takes file names (strings)");
    lt_status st = data_idx(&d, AS_STR(a->pos[0])->chars, a->npos == 2 ? AS_STR(a->pos[1])->chars : NULL);
    return dv_new(a, &d, st, out);
}

static int bn_moons(bi_args *a, value *out)
{
    double n, noise = 0.1, seed = 42;
    lt_dataset d;
    if (bi_num(a, 0, &n) < 0 || ov_kw_num(a, "noise", &noise) < 0 || ov_kw_num(a, "seed", &seed) < 0) return -1;
    if (n != floor(n) || n < 1 || n > 1e7) return bi_fail(a, a->pos_nodes[0], "ValueError", "moons(n) needs a whole number n >= 1");
    lt_status st = toys_moons(&d, (int)n, (float)noise, (uint64_t)seed);
    return dv_new(a, &d, st, out);
}

/* spirals(n, arms=2, turns=1.25, noise=0.02, seed=42): interleaved spiral arms, the
 * classic two-spirals problem for a classifier's decision boundary */
static int bn_spirals(bi_args *a, value *out)
{
    double n, arms = 2, turns = 1.25, noise = 0.02, seed = 42;
    lt_dataset d;
    if (bi_num(a, 0, &n) < 0 || ov_kw_num(a, "arms", &arms) < 0 || ov_kw_num(a, "turns", &turns) < 0 ||
        ov_kw_num(a, "noise", &noise) < 0 || ov_kw_num(a, "seed", &seed) < 0)
        return -1;
    if (n != floor(n) || n < 1 || n > 1e7) return bi_fail(a, a->pos_nodes[0], "ValueError", "spirals(n) needs a whole number n >= 1");
    if (arms != floor(arms) || arms < 1 || arms > 10) return bi_fail(a, NULL, "ValueError", "spirals(): arms must be a whole number from 1 to 10, got %g", arms);
    if (!(turns > 0 && turns <= 10)) return bi_fail(a, NULL, "ValueError", "spirals(): turns must be in (0, 10], got %g", turns);
    if (!(noise >= 0 && noise <= 10)) return bi_fail(a, NULL, "ValueError", "spirals(): noise must be in [0, 10], got %g", noise);
    lt_status st = toys_spiral(&d, (int)n, (int)arms, (float)turns, (float)noise, (uint64_t)seed);
    return dv_new(a, &d, st, out);
}

/* labels(data): a data set's labels as a tensor */
static int bn_labels(bi_args *a, value *out)
{
    if (!dv_is(a->pos[0])) return bi_fail(a, a->pos_nodes[0], "TypeError", "labels() needs a dataset, not %s", val_type_name(a->pos[0]));
    lt_dataset *d = AS_OBJ(a->pos[0])->data;
    if (!d->y) return bi_fail(a, a->pos_nodes[0], "ValueError", "this dataset has %s", d->t ? "targets, not labels: "
                              "targets(data) gives them" : "no labels");
    if (!tc_get(a->s, a->call)) return -1;
    lt_tensor *t = graph_tensor(a->s->tc->g, 1, &d->n);
    if (!t) return tv_fail(a->s, a->call);
    for (int i = 0; i < d->n; i++) t->data[i] = (float)d->y[i];
    return tv_result_tensor(a->s, a->call, t, out);
}

/* subset(data, n): the first n samples */
static int bn_subset(bi_args *a, value *out)
{
    double n;
    if (!dv_is(a->pos[0])) return bi_fail(a, a->pos_nodes[0], "TypeError", "subset() needs a dataset, not %s", val_type_name(a->pos[0]));
    if (bi_num(a, 1, &n) < 0) return -1;
    lt_dataset *d = AS_OBJ(a->pos[0])->data, sub;
    if (n != floor(n) || n < 1 || n > d->n)
        return bi_fail(a, a->pos_nodes[1], "ValueError", "subset(data, n) needs 1 <= n <= %d", d->n);
    int *idx = malloc((size_t)n * sizeof *idx);
    if (!idx) return bi_fail(a, NULL, "MemoryError", "out of memory");
    /* spread over the data set so that a class-sorted set keeps every class */
    for (int i = 0; i < (int)n; i++) idx[i] = (int)((long)i * d->n / (long)n);
    lt_status st = data_subset(&sub, d, idx, (int)n);
    free(idx);
    if (st == LT_OK) { sub.h = d->h; sub.w = d->w; }
    return dv_new(a, &sub, st, out);
}

static const char *const bn_linear_kw[] = {"bias", NULL};
static const char *const bn_reduce_kw[] = {"reduce", NULL};
static const char *const bn_ce_kw[] = {"reduce", "label_smoothing", NULL};
static const char *const bn_optim_kw[] = {"lr", "betas", "eps", "weight_decay", "schedule", "clip", NULL};
static const char *const bn_sgd_kw[] = {"lr", "momentum", "weight_decay", "dampening", "nesterov", "schedule", "clip", NULL};
static const char *const bn_moons_kw[] = {"noise", "seed", NULL};
static const char *const bn_spirals_kw[] = {"arms", "turns", "noise", "seed", NULL};
static const char *const bn_train_kw[] = {"train", NULL};

static const builtin bi_nn_builtins[] = {
    {"linear", "linear(in, out, bias=true)", "A fully connected layer y = x W^T + b (PyTorch's initialisation).",
     "linear(784, 20)\n# => #    layer                  output       parameters\n"
     "# => 0    linear(784, 20)        (B, 20)      15,700\n# => total 15,700 parameters",
     bn_linear_kw, 2, 2, bn_linear},
    {"relu", "relu(x)", "max(x, 0) on a tensor; bare `relu` (or relu()) is a layer in seq(...).",
     "relu(tensor([-1, 2]))\n# => tensor (2) float32\n# => [0, 2]", NULL, 0, 1, bn_relu},
    {"sigmoid", "sigmoid(x)", "1 / (1 + e^-x) on a tensor; bare `sigmoid` is a layer in seq(...).",
     "sigmoid(tensor([0]))\n# => tensor (1) float32\n# => [0.5]", NULL, 0, 1, bn_sigmoid},
    {"tanh", "tanh(x)", "The hyperbolic tangent on a tensor; bare `tanh` is a layer in seq(...).",
     "tanh(tensor([0]))\n# => tensor (1) float32\n# => [0]", NULL, 0, 1, bn_tanh},
    {"silu", "silu(x)", "x * sigmoid(x) on a tensor; bare `silu` is a layer in seq(...).",
     "silu(tensor([0]))\n# => tensor (1) float32\n# => [0]", NULL, 0, 1, bn_silu},
    {"softplus", "softplus(x)", "log(1 + e^x) on a tensor; bare `softplus` is a layer in seq(...).",
     "softplus(tensor([0]))\n# => tensor (1) float32\n# => [0.693147]", NULL, 0, 1, bn_softplus},
    {"leaky_relu", "leaky_relu(slope) or leaky_relu(x, slope=0.01)",
     "A layer with slope `slope` for x < 0 (in seq(...)); given a tensor, applies it.",
     "leaky_relu(tensor([-1, 2]), 0.2)\n# => tensor (2) float32\n# => [-0.2, 2]", NULL, 0, 2, bn_leaky_relu},
    {"seq", "seq(layer, ...)", "A network that runs its layers in order. A layer held by a variable is shared "
     "(its weights train in both places).",
     "seq(linear(2, 8), relu, linear(8, 1))\n# => #    layer                  output       parameters\n"
     "# => 0    linear(2, 8)           (B, 8)       24\n# => 1    relu                   (B, 8)       0\n"
     "# => 2    linear(8, 1)           (B, 1)       9\n# => total 33 parameters", NULL, 0, -1, bn_seq},
    {"params", "params(net)", "The number of trainable numbers in a network.",
     "params(linear(784, 256))  # => 200960", NULL, 1, 1, bn_params},
    {"mse", "mse(pred, target, reduce=\"mean\")", "The mean (or sum) of squared differences; shapes must match.",
     "mse(tensor([1, 2]), tensor([1, 4]))  # => 2", bn_reduce_kw, 2, 2, bn_mse},
    {"bce", "bce(p, target, reduce=\"mean\")", "Binary cross-entropy of probabilities p against targets in [0, 1].",
     "round(bce(tensor([0.5]), tensor([1])), digits=4)  # => 0.6931", bn_reduce_kw, 2, 2, bn_bce},
    {"bce_logits", "bce_logits(logits, target, reduce=\"mean\")",
     "Binary cross-entropy from logits (stable); the target may be a number: bce_logits(D(x), 1).",
     "round(bce_logits(tensor([0, 0]), 1), digits=4)  # => 0.6931", bn_reduce_kw, 2, 2, bn_bce_logits},
    {0},
};

/* cross_entropy(logits, labels): the overload for a tensor first argument (registry.h);
 * listed by help() after information theory's cross_entropy(p, q). */
static const builtin bi_nn_tensor_builtins[] = {
    {"cross_entropy", "cross_entropy(logits, target, reduce=\"mean\", label_smoothing=0)",
     "Softmax cross-entropy of logits (B, C) against whole-number labels (B) or class probabilities (B, C), "
     "as PyTorch's: label_smoothing=eps mixes each target with the uniform distribution, (1 - eps) of it "
     "plus eps / C per class. (Given two lists or distributions, cross_entropy is information theory's H(p, q).)",
     "print(round(cross_entropy(tensor([[0, 0]]), tensor([1])), digits=4))  # => 0.6931\n"
     "round(cross_entropy(tensor([[2, 0]]), tensor([0]), label_smoothing=0.2), digits=4)  # => 0.3269",
     bn_ce_kw, 2, 2, bm_cross_entropy},
    {0},
};

/* The rest of the library (listed after the overloads above). */
static const builtin bi_nn_more_builtins[] = {
    {"kl_gauss", "kl_gauss(mu, logvar, reduce=\"mean\")",
     "The VAE's KL term 0.5 * sum(exp(logvar) + mu^2 - 1 - logvar), per sample (mean) or summed.",
     "kl_gauss(zeros(4, 2), zeros(4, 2))  # => 0", bn_reduce_kw, 2, 2, bn_kl_gauss},
    {"adam", "adam(nets, lr=1e-3, betas=[0.9, 0.999], eps=1e-8, weight_decay=0, schedule=none, clip=0)",
     "An Adam optimizer over a network or a list of networks (PyTorch's update rule). Every optimizer takes "
     "schedule= (cosine, exponential, step_decay, warmup: the lr per step) and clip= (before each step the "
     "gradients are scaled so their global L2 norm is at most clip, as torch.nn.utils.clip_grad_norm_).",
     "adam(linear(2, 1), lr=0.01)\n# => Adam(lr=0.01, betas=[0.9, 0.999]) over 1 network, 3 parameters, 0 steps",
     bn_optim_kw, 1, 1, bn_adam},
    {"adamw", "adamw(nets, lr=1e-3, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.01, schedule=none, clip=0)",
     "AdamW: Adam with decoupled weight decay.",
     "adamw(linear(2, 1))\n# => AdamW(lr=0.001, betas=[0.9, 0.999], weight_decay=0.01) over 1 network, 3 parameters, 0 steps",
     bn_optim_kw, 1, 1, bn_adamw},
    {"sgd", "sgd(nets, lr=0.01, momentum=0, weight_decay=0, dampening=0, nesterov=false, schedule=none, clip=0)",
     "Stochastic gradient descent, with optional momentum (nesterov=true: Nesterov's, as PyTorch's; needs "
     "momentum > 0 and dampening 0).",
     "sgd(linear(2, 1), lr=0.1, momentum=0.9)\n# => SGD(lr=0.1, momentum=0.9) over 1 network, 3 parameters, 0 steps",
     bn_sgd_kw, 1, 1, bn_sgd},
    {"mnist", "mnist(train=none)",
     "The 10,000 bundled MNIST digits (MNIST's own test set): 784 floats in [0, 1] per image, labels 0..9. "
     "train=true gives the 9,000 the sample scorer trained on, train=false the 1,000 it held out (the first "
     "1,000 of permutation(10000, seed=0)), each in the files' order.",
     "print(mnist(), mnist(train=true), mnist(train=false), sep=\"\\n\")\n"
     "# => dataset: 10,000 samples of 784 (28x28 images), labels 0..9\n"
     "# => dataset: 9,000 samples of 784 (28x28 images), labels 0..9\n"
     "# => dataset: 1,000 samples of 784 (28x28 images), labels 0..9", bn_train_kw, 0, 0, bn_mnist},
    {"fashion_mnist", "fashion_mnist(train=false)",
     "Fashion-MNIST (Debian's dataset-fashion-mnist): the 10,000 test images, or the 60,000 training ones.",
     "fashion_mnist()  # => dataset: 10,000 samples of 784 (28x28 images), labels 0..9",
     bn_train_kw, 0, 0, bn_fashion_mnist},
    {"idx", "idx(images_path, labels_path=none)", "A data set read from IDX files (the MNIST format, gzip or not).",
     "d = \"/usr/share/datasets/fashion-mnist/\"\n"
     "idx(d + \"t10k-images-idx3-ubyte.gz\", d + \"t10k-labels-idx1-ubyte.gz\")\n"
     "# => dataset: 10,000 samples of 784 (28x28 images), labels 0..9", NULL, 1, 2, bn_idx},
    {"moons", "moons(n, noise=0.1, seed=42)", "Two interleaving half circles: n points in 2-D, labels 0 and 1.",
     "moons(200)  # => dataset: 200 samples of 2, labels 0..1", bn_moons_kw, 1, 1, bn_moons},
    {"spirals", "spirals(n, arms=2, turns=1.25, noise=0.02, seed=42)",
     "Interleaved spiral arms (the two-spirals problem): n points in 2-D, point i on arm i % arms (its label), "
     "at a radius r uniform in [0, 1] and angle 2 pi (turns r + arm / arms), plus normal noise.",
     "spirals(300)  # => dataset: 300 samples of 2, labels 0..1", bn_spirals_kw, 1, 1, bn_spirals},
    {"labels", "labels(data)", "A data set's labels as a tensor.",
     "labels(moons(4))\n# => tensor (4) float32\n# => [0, 1, 0, 1]", NULL, 1, 1, bn_labels},
    {"roc_auc", "roc_auc(scores, labels)",
     "The area under the ROC curve: the chance that a random anomaly (label 1) scores higher than a "
     "random normal sample (label 0), ties counting one half; 1 separates perfectly, 0.5 is chance.",
     "roc_auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])  # => 0.75", NULL, 2, 2, bn_roc_auc},
    {"subset", "subset(data, n)", "n samples spread evenly over a data set (every class of a sorted set).",
     "subset(mnist(), 1000)  # => dataset: 1,000 samples of 784 (28x28 images), labels 0..9", NULL, 2, 2, bn_subset},
    {0},
};

int lib_open_nn(registry *r)
{
    if (reg_open(r, bi_nn_builtins) < 0 || reg_open_on(r, &tv_type, bi_nn_tensor_builtins, 1) < 0 ||
        reg_open(r, bi_nn_more_builtins) < 0)
        return -1;
    return reg_open_on(r, &dv_type, dv_methods, 0);
}
