/* nn.c: linear, activation layers and the sequential container over lt_module_ops. */
#include "nn.h"
#include "mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- any module ---------------------------------------------------------------------------- */

lt_tensor *nn_forward(lt_module *m, lt_graph *g, lt_tensor *x)
{
    if (!m) {
        lt_fail(LT_ERR_VALUE, "forward: no module");
        return NULL;
    }
    if (!x)
        return NULL;
    return m->ops->forward(m, g, x);
}

int nn_params(lt_module *m, lt_param *ps, int cap)
{
    return m && m->ops->params ? m->ops->params(m, ps, cap) : 0;
}

size_t nn_param_count(lt_module *m)
{
    int n = nn_params(m, NULL, 0);
    lt_param *ps = n ? malloc((size_t)n * sizeof *ps) : NULL;
    size_t total = 0;
    if (ps) {
        nn_params(m, ps, n);
        for (int i = 0; i < n; i++)
            total += ps[i].n;
        free(ps);
    }
    return total;
}

char *nn_describe(const lt_module *m, char *buf, size_t size)
{
    if (!m) {
        snprintf(buf, size, "(none)");
        return buf;
    }
    return m->ops->describe(m, buf, size);
}

void nn_free(lt_module *m)
{
    if (m)
        m->ops->free(m);
}

int nn_is(const lt_module *m, const char *kind)
{
    return m && strcmp(m->ops->kind, kind) == 0;
}

/* ---- linear --------------------------------------------------------------------------------- */

static lt_tensor *linear_forward(lt_module *m, lt_graph *g, lt_tensor *x)
{
    return nn_linear_forward(m, g, x, LT_ACT_NONE, 0.0f);
}

lt_tensor *nn_linear_forward(lt_module *m, lt_graph *g, lt_tensor *x, lt_act act, float alpha)
{
    lt_linear *l = (lt_linear *)m;
    if (!x)
        return NULL;
    char name[48];
    snprintf(name, sizeof name, "linear(%d, %d)", l->in, l->out);
    if (x->ndim == 1 && x->shape[0] == l->in) {   /* one sample (in) -> (out), as PyTorch */
        int row[2] = { 1, l->in };
        lt_tensor *y = nn_linear_forward(m, g, op_reshape(g, x, 2, row), act, alpha);
        return op_reshape(g, y, 1, &l->out);
    }
    if (x->ndim != 2 || x->shape[1] != l->in) {
        char sx[64];
        lt_fail(LT_ERR_SHAPE, "%s: expected input (B, %d), got %s", name, l->in,
                tensor_shape_str(x, sx, sizeof sx));
        return NULL;
    }
    int ws[2] = { l->out, l->in };
    lt_tensor *w = graph_param(g, &l->p[0], 2, ws);
    lt_tensor *b = l->bias ? graph_param(g, &l->p[1], 1, &l->out) : NULL;
    if (!w || (l->bias && !b))
        return NULL;
    return op_linear(g, x, w, b, act, alpha, name);
}

static int linear_params(lt_module *m, lt_param *ps, int cap)
{
    lt_linear *l = (lt_linear *)m;
    int n = l->bias ? 2 : 1;
    for (int i = 0; i < n && i < cap; i++)
        ps[i] = l->p[i];
    return n;
}

static char *linear_describe(const lt_module *m, char *buf, size_t size)
{
    const lt_linear *l = (const lt_linear *)m;
    snprintf(buf, size, l->bias ? "linear(%d, %d)" : "linear(%d, %d, bias=false)", l->in, l->out);
    return buf;
}

static void linear_free(lt_module *m)
{
    lt_linear *l = (lt_linear *)m;
    mem_free(l->weight);
    mem_free(l->weight_grad);
    mem_free(l->bias);
    mem_free(l->bias_grad);
    free(l);
}

static const lt_module_ops linear_ops = { "linear", linear_forward, linear_params,
                                          linear_describe, linear_free };

static lt_module *linear_new(int in, int out, int bias, rng *r)
{
    if (in < 1 || out < 1) {
        lt_fail(LT_ERR_VALUE, "linear(%d, %d): sizes must be at least 1", in, out);
        return NULL;
    }
    size_t nw = (size_t)in * out;
    if (nw > LT_MAX_NUMEL) {
        lt_fail(LT_ERR_NOMEM, "linear(%d, %d): %zu weights, over the memory limit of %zu per tensor",
                in, out, nw, LT_MAX_NUMEL);
        return NULL;
    }
    lt_linear *l = calloc(1, sizeof *l);
    if (l) {
        l->base.ops = &linear_ops;
        l->in = in;
        l->out = out;
        char what[64];
        snprintf(what, sizeof what, "linear(%d, %d)", in, out);
        l->weight = mem_alloc(nw * sizeof(float), 0, what);
        l->weight_grad = l->weight ? mem_alloc(nw * sizeof(float), 1, what) : NULL;
        if (bias && l->weight_grad) {
            l->bias = mem_alloc((size_t)out * sizeof(float), 0, what);
            l->bias_grad = l->bias ? mem_alloc((size_t)out * sizeof(float), 1, what) : NULL;
        }
    } else {
        lt_fail(LT_ERR_NOMEM, "linear(%d, %d): out of memory", in, out);
    }
    if (!l || !l->weight || !l->weight_grad || (bias && (!l->bias || !l->bias_grad))) {
        if (l)   /* mem_alloc's message (the memory limit, or out of memory) stays */
            linear_free(&l->base);
        return NULL;
    }
    /* kaiming_uniform(a = sqrt(5)): bound = sqrt(6 / ((1 + 5) fan_in)) = 1 / sqrt(fan_in) */
    float bound = 1.0f / sqrtf((float)in);
    rng_fill_uniform(r, l->weight, nw, -bound, bound);
    if (bias)
        rng_fill_uniform(r, l->bias, (size_t)out, -bound, bound);
    l->p[0] = (lt_param){ l->weight, l->weight_grad, nw, "weight", &l->writes };
    l->p[1] = (lt_param){ l->bias, l->bias_grad, bias ? (size_t)out : 0, "bias", &l->writes };
    return &l->base;
}

lt_module *nn_linear(int in, int out, rng *r) { return linear_new(in, out, 1, r); }
lt_module *nn_linear_nobias(int in, int out, rng *r) { return linear_new(in, out, 0, r); }

/* ---- activations ---------------------------------------------------------------------------- */

typedef struct act_mod {
    lt_module base;
    lt_act act;      /* for nn_act */
    lt_unary un;     /* for nn_unary */
    float alpha;
} act_mod;

static lt_tensor *act_forward(lt_module *m, lt_graph *g, lt_tensor *x)
{
    act_mod *a = (act_mod *)m;
    return op_act(g, x, a->act, a->alpha);
}

static const char *act_name(lt_act a)
{
    switch (a) {
    case LT_ACT_RELU: return "relu";
    case LT_ACT_LEAKY_RELU: return "leaky_relu";
    case LT_ACT_SIGMOID: return "sigmoid";
    case LT_ACT_TANH: return "tanh";
    default: return "identity";
    }
}

static char *act_describe(const lt_module *m, char *buf, size_t size)
{
    const act_mod *a = (const act_mod *)m;
    if (a->act == LT_ACT_LEAKY_RELU) {
        /* the fewest digits that read back as the same float (0.2, not 0.200000003), so
         * that the description rebuilds the same layer */
        char num[32];
        for (int prec = 6; prec <= 9; prec++) {
            snprintf(num, sizeof num, "%.*g", prec, a->alpha);
            if ((float)strtod(num, NULL) == a->alpha) break;
        }
        snprintf(buf, size, "leaky_relu(%s)", num);
    } else
        snprintf(buf, size, "%s", act_name(a->act));
    return buf;
}

static void act_free(lt_module *m) { free(m); }

static const lt_module_ops act_ops = { "act", act_forward, NULL, act_describe, act_free };

lt_module *nn_act(lt_act act, float alpha)
{
    if (act < LT_ACT_NONE || act > LT_ACT_TANH) {
        lt_fail(LT_ERR_VALUE, "activation: unknown kind %d", (int)act);
        return NULL;
    }
    act_mod *a = calloc(1, sizeof *a);
    if (!a) {
        lt_fail(LT_ERR_NOMEM, "activation: out of memory");
        return NULL;
    }
    a->base.ops = &act_ops;
    a->act = act;
    a->alpha = alpha;
    return &a->base;
}

static lt_tensor *unary_forward(lt_module *m, lt_graph *g, lt_tensor *x)
{
    switch (((act_mod *)m)->un) {
    case LT_UNARY_SILU: return op_silu(g, x);
    case LT_UNARY_SOFTPLUS: return op_softplus(g, x);
    default: return op_exp(g, x);
    }
}

static char *unary_describe(const lt_module *m, char *buf, size_t size)
{
    static const char *names[] = { "silu", "softplus", "exp" };
    snprintf(buf, size, "%s", names[((const act_mod *)m)->un]);
    return buf;
}

static const lt_module_ops unary_ops = { "unary", unary_forward, NULL, unary_describe, act_free };

lt_module *nn_unary(lt_unary f)
{
    if (f < LT_UNARY_SILU || f > LT_UNARY_EXP) {
        lt_fail(LT_ERR_VALUE, "activation: unknown kind %d", (int)f);
        return NULL;
    }
    act_mod *a = calloc(1, sizeof *a);
    if (!a) {
        lt_fail(LT_ERR_NOMEM, "activation: out of memory");
        return NULL;
    }
    a->base.ops = &unary_ops;
    a->un = f;
    return &a->base;
}

/* ---- sequential --------------------------------------------------------------------------------- */

typedef struct seq_mod {
    lt_module base;
    int n;
    lt_module **mods;   /* (n), owned */
} seq_mod;

static lt_tensor *seq_forward(lt_module *m, lt_graph *g, lt_tensor *x)
{
    seq_mod *s = (seq_mod *)m;
    for (int i = 0; i < s->n && x; i++) {
        lt_module *c = s->mods[i];
        if (nn_is(c, "linear") && i + 1 < s->n && nn_is(s->mods[i + 1], "act")) {
            act_mod *a = (act_mod *)s->mods[i + 1];
            x = nn_linear_forward(c, g, x, a->act, a->alpha);
            i++;
        } else
            x = nn_forward(c, g, x);
    }
    return x;
}

static int seq_params(lt_module *m, lt_param *ps, int cap)
{
    seq_mod *s = (seq_mod *)m;
    int total = 0;
    for (int i = 0; i < s->n; i++) {
        int room = cap - total > 0 ? cap - total : 0;
        total += nn_params(s->mods[i], room ? ps + total : NULL, room);
    }
    return total;
}

static char *seq_describe(const lt_module *m, char *buf, size_t size)
{
    const seq_mod *s = (const seq_mod *)m;
    size_t k = 0;
    char part[128];
    k += snprintf(buf, size, "seq(");
    for (int i = 0; i < s->n && k < size; i++)
        k += snprintf(buf + k, size - k, i ? ", %s" : "%s", nn_describe(s->mods[i], part, sizeof part));
    if (k < size)
        snprintf(buf + k, size - k, ")");
    return buf;
}

static void seq_free(lt_module *m)
{
    seq_mod *s = (seq_mod *)m;
    for (int i = 0; i < s->n; i++)
        nn_free(s->mods[i]);
    free(s->mods);
    free(s);
}

static const lt_module_ops seq_ops = { "seq", seq_forward, seq_params, seq_describe, seq_free };

lt_module *nn_seq(lt_module **mods, int n)
{
    int bad = n < 0;
    for (int i = 0; i < n; i++)
        if (!mods[i])
            bad = 1;
    seq_mod *s = bad ? NULL : calloc(1, sizeof *s);
    lt_module **copy = s ? malloc((size_t)(n > 0 ? n : 1) * sizeof *copy) : NULL;
    if (!copy) {
        for (int i = 0; i < n; i++)
            nn_free(mods[i]);
        free(s);
        if (!bad)   /* else keep the failed constructor's message */
            lt_fail(LT_ERR_NOMEM, "seq: out of memory");
        return NULL;
    }
    memcpy(copy, mods, (size_t)n * sizeof *copy);
    s->base.ops = &seq_ops;
    s->n = n;
    s->mods = copy;
    return &s->base;
}

lt_module **nn_seq_children(lt_module *m, int *n)
{
    if (!nn_is(m, "seq")) {
        *n = 0;
        return NULL;
    }
    *n = ((seq_mod *)m)->n;
    return ((seq_mod *)m)->mods;
}
