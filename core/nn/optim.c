/* optim.c: SGD, Adam and AdamW as in PyTorch 1.13 (torch/optim/{sgd,adam,adamw}.py,
 * _single_tensor_*): hyperparameters combine in double as in Python, the per-element
 * arithmetic is float32 in the same order as the tensor ops there.
 *
 * The element loops are plain, over restrict pointers, so gcc vectorises them. At -O2 gcc's
 * "very cheap" cost model refuses loops that need a scalar epilogue, hence the pragma; and
 * an errno-setting sqrtf blocks vectorising Adam, hence -fno-math-errno for all of core/ in
 * core/CMakeLists.txt (a pragma cannot set that). The loops are also built for AVX2 and
 * AVX-512 (PAR_CLONED) and a step runs over all blocks at once split over the threads
 * (par_range). (Figures: tests/bench/README.md, "Measurement history", "optimizer".) */
#pragma GCC optimize("tree-vectorize", "vect-cost-model=cheap")

#include "optim.h"
#include "mem.h"
#include "par.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

optim_opts optim_defaults(optim_kind kind)
{
    optim_opts o = { .lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8 };
    if (kind == OPTIM_SGD) o.lr = 0.01;
    if (kind == OPTIM_ADAMW) o.weight_decay = 1e-2;
    if (kind == OPTIM_RMSPROP || kind == OPTIM_ADAGRAD) o.lr = 1e-2;
    if (kind == OPTIM_ADAGRAD) o.eps = 1e-10;
    if (kind == OPTIM_ADADELTA) { o.lr = 1.0; o.eps = 1e-6; }
    o.alpha = 0.99;
    o.rho = 0.9;
    return o;
}

const char *optim_name(optim_kind kind)
{
    switch (kind) {
    case OPTIM_SGD: return "SGD";
    case OPTIM_ADAM: return "Adam";
    case OPTIM_ADAMW: return "AdamW";
    case OPTIM_RMSPROP: return "RMSprop";
    case OPTIM_ADAGRAD: return "Adagrad";
    case OPTIM_ADADELTA: return "Adadelta";
    }
    return "?";
}

static lt_status optim_check(optim_kind kind, const lt_param *p, int np, const optim_opts *o)
{
    const char *name = optim_name(kind);
    if ((unsigned)kind >= OPTIM_KINDS)
        return lt_fail(LT_ERR_VALUE, "optim: unknown kind %d", (int)kind);
    if (!(o->lr >= 0)) return lt_fail(LT_ERR_VALUE, "%s: lr must be >= 0, got %g", name, o->lr);
    if (!(o->weight_decay >= 0))
        return lt_fail(LT_ERR_VALUE, "%s: weight_decay must be >= 0, got %g", name, o->weight_decay);
    if (kind == OPTIM_SGD) {
        if (!(o->momentum >= 0)) return lt_fail(LT_ERR_VALUE, "SGD: momentum must be >= 0, got %g", o->momentum);
        if (o->nesterov && (o->momentum <= 0 || o->dampening != 0))
            return lt_fail(LT_ERR_VALUE, "SGD: nesterov needs momentum > 0 and dampening 0, got momentum %g, "
                           "dampening %g", o->momentum, o->dampening);
    } else if (kind >= OPTIM_RMSPROP) {
        if (optim_more_check(kind, o) != LT_OK) return LT_ERR_VALUE;
    } else {
        if (!(o->beta1 >= 0 && o->beta1 < 1)) return lt_fail(LT_ERR_VALUE, "%s: beta1 must be in [0, 1), got %g", name, o->beta1);
        if (!(o->beta2 >= 0 && o->beta2 < 1)) return lt_fail(LT_ERR_VALUE, "%s: beta2 must be in [0, 1), got %g", name, o->beta2);
        if (!(o->eps >= 0)) return lt_fail(LT_ERR_VALUE, "%s: eps must be >= 0, got %g", name, o->eps);
    }
    if (!(o->clip >= 0)) return lt_fail(LT_ERR_VALUE, "%s: clip must be >= 0, got %g", name, o->clip);
    if (sched_check(&o->sched) != LT_OK) return LT_ERR_VALUE;
    if (np < 0 || (np > 0 && !p)) return lt_fail(LT_ERR_VALUE, "%s: bad parameter list (%d blocks)", name, np);
    for (int i = 0; i < np; i++)
        if (p[i].n > 0 && (!p[i].w || !p[i].g))
            return lt_fail(LT_ERR_VALUE, "%s: parameter block %d (%s) has no %s", name, i,
                           p[i].name ? p[i].name : "unnamed", p[i].w ? "gradient" : "weights");
    return LT_OK;
}

optim *optim_new(optim_kind kind, const lt_param *params, int nparams, const optim_opts *opts)
{
    if (optim_check(kind, params, nparams, opts) != LT_OK) return NULL;
    optim *opt = calloc(1, sizeof *opt);
    if (!opt) goto nomem;
    opt->kind = kind;
    opt->o = *opts;
    opt->nparams = nparams;
    opt->params = malloc((nparams ? (size_t)nparams : 1) * sizeof *opt->params);
    if (!opt->params) goto nomem;
    if (nparams) memcpy(opt->params, params, (size_t)nparams * sizeof *params);
    for (int i = 0; i < nparams; i++) opt->total += params[i].n;
    size_t k = (size_t)optim_nstate(kind, opts);   /* SGD: momentum buffer; Adam: m and v */
    opt->m = mem_alloc((opt->total ? k * opt->total : 1) * sizeof *opt->m, 1, optim_name(kind));
    if (!opt->m) {   /* mem_alloc's message: the memory limit, or out of memory */
        optim_free(opt);
        return NULL;
    }
    opt->v = k >= 2 ? opt->m + opt->total : NULL;
    opt->u = k >= 3 ? opt->m + 2 * opt->total : NULL;
    if (kind == OPTIM_ADAGRAD)   /* the sum starts at initial_accumulator_value */
        for (size_t i = 0; i < opt->total; i++) opt->m[i] = (float)opts->init_acc;
    return opt;
nomem:
    optim_free(opt);
    lt_fail(LT_ERR_NOMEM, "%s: out of memory for the optimizer state", optim_name(kind));
    return NULL;
}

void optim_free(optim *opt)
{
    if (!opt) return;
    free(opt->params);
    mem_free(opt->m);
    free(opt);
}

/* Calls fn(ctx, block i, first, count) for the parts of the parameter blocks that fall in
 * [lo, hi) of their concatenation (the order of m and v). */
static void over_blocks(const optim *opt, size_t lo, size_t hi,
                        void (*fn)(const void *ctx, int i, size_t first, size_t count, size_t off),
                        const void *ctx)
{
    size_t off = 0;
    for (int i = 0; i < opt->nparams && off < hi; i++) {
        size_t n = opt->params[i].n, a = lo > off ? lo - off : 0, b = hi - off < n ? hi - off : n;
        if (a < b)
            fn(ctx, i, a, b - a, off);
        off += n;
    }
}

static void zero_part(const void *c, int i, size_t first, size_t count, size_t off)
{
    (void)off;
    memset(((const optim *)c)->params[i].g + first, 0, count * sizeof(float));
}

static void zero_range(void *c, size_t lo, size_t hi) { over_blocks(c, lo, hi, zero_part, c); }

/* The sum of the blocks' backward-write counts (param.h), and in *counted whether every
 * block has one: a changed sum means some backward has added into some gradient. */
static unsigned long writes_sum(const optim *opt, int *counted)
{
    unsigned long s = 0;
    *counted = 1;
    for (int i = 0; i < opt->nparams; i++) {
        if (opt->params[i].writes)
            s += *opt->params[i].writes;
        else
            *counted = 0;
    }
    return s;
}

static void mark_clean(optim *opt, int clean)
{
    int counted;
    opt->clean_at = writes_sum(opt, &counted);
    opt->clean = clean && counted;
}

void optim_zero_grad(optim *opt)
{
    int counted;
    if (opt->clean && opt->clean_at == writes_sum(opt, &counted) && counted)
        return;   /* optim_step_clear left them zero and no backward wrote since */
    /* memset runs at memory speed: a second thread does not pay ("optimizer" in the
     * measurement history of tests/bench/README.md) */
    zero_range(opt, 0, opt->total);
    mark_clean(opt, 1);
}

double optim_lr(const optim *opt) { return sched_lr(&opt->o.sched, opt->o.lr, opt->step); }
void optim_set_lr(optim *opt, double lr) { opt->o.lr = lr; }

/* ---------------------------------------------------------------- SGD */

/* w is (n), g is (n): w -= lr * (g + wd * w) */
PAR_CLONED(static, sgd_plain, (float *restrict w, const float *restrict g, size_t n, float lr, float wd),
           (w, g, n, lr, wd))
{
    for (size_t i = 0; i < n; i++)
        w[i] += -lr * (g[i] + wd * w[i]);
}

/* w, g, buf are (n). first: buf = d (PyTorch clones the first gradient, no dampening);
 * else buf = mom * buf + (1 - damp) * d. Then w -= lr * (nesterov ? d + mom * buf : buf). */
PAR_CLONED(static, sgd_momentum, (float *restrict w, const float *restrict g, float *restrict buf, size_t n,
                         float lr, float wd, float mom, float keep, int first, int nesterov),
           (w, g, buf, n, lr, wd, mom, keep, first, nesterov))
{
    if (first)
        for (size_t i = 0; i < n; i++) buf[i] = g[i] + wd * w[i];
    else
        for (size_t i = 0; i < n; i++) buf[i] = buf[i] * mom + keep * (g[i] + wd * w[i]);
    if (nesterov)
        for (size_t i = 0; i < n; i++) w[i] += -lr * ((g[i] + wd * w[i]) + mom * buf[i]);
    else
        for (size_t i = 0; i < n; i++) w[i] += -lr * buf[i];
}

/* ---------------------------------------------------------------- Adam(W) */

/* w, g, m, v are (n). l2 = Adam's weight_decay (0 for AdamW), shrink = AdamW's
 * 1 - lr * wd (1 for Adam). Per element, in PyTorch's order:
 *   d = g + l2 * w;  w *= shrink;
 *   m = m * b1 + (1 - b1) * d;  v = v * b2 + (1 - b2) * d * d;
 *   w += (-step_size * m) / (sqrt(v) / bc2_sqrt + eps)
 * clear: g = 0 once read (optim_step_clear)                          */
PAR_CLONED(static, adam_block, (float *restrict w, float *restrict g, float *restrict m, float *restrict v,
                       size_t n, float l2, float shrink, float b1, float a1, float b2, float a2,
                       float neg_step, float bc2_sqrt, float eps, int clear),
           (w, g, m, v, n, l2, shrink, b1, a1, b2, a2, neg_step, bc2_sqrt, eps, clear))
{
    for (size_t i = 0; i < n; i++) {
        float d = g[i] + l2 * w[i];
        if (clear)   /* hoisted out of the loop by the compiler */
            g[i] = 0.0f;
        float mi = m[i] * b1 + a1 * d;
        float vi = v[i] * b2 + a2 * d * d;   /* addcmul: value * t1 * t2 */
        m[i] = mi;
        v[i] = vi;
        w[i] = w[i] * shrink + (neg_step * mi) / (sqrtf(vi) / bc2_sqrt + eps);
    }
}

/* Adam's per-step constants, and the optimizer whose blocks a range runs over */
typedef struct adam_job {
    const optim *opt;
    float l2, shrink, b1, a1, b2, a2, neg_step, bc2_sqrt, eps;
    int clear;
} adam_job;

static void adam_part(const void *c, int i, size_t first, size_t count, size_t off)
{
    const adam_job *j = c;
    const lt_param *p = &j->opt->params[i];
    adam_block(p->w + first, p->g + first, j->opt->m + off + first, j->opt->v + off + first,
               count, j->l2, j->shrink, j->b1, j->a1, j->b2, j->a2, j->neg_step, j->bc2_sqrt,
               j->eps, j->clear);
}

static void adam_range(void *c, size_t lo, size_t hi)
{
    const adam_job *j = c;
    over_blocks(j->opt, lo, hi, adam_part, j);
}

/* Adam's update over all blocks at once, split over the threads (each element's
 * arithmetic is the same on any thread, so the result does not depend on their number). */
static void adam_step(optim *opt, int clear)
{
    const optim_opts *o = &opt->o;
    double step = (double)opt->step;
    double bc1 = 1.0 - pow(o->beta1, step), bc2 = 1.0 - pow(o->beta2, step);
    int decoupled = opt->kind == OPTIM_ADAMW;
    adam_job j = { .opt = opt, .l2 = decoupled ? 0.0f : (float)o->weight_decay,
                   .shrink = decoupled ? (float)(1.0 - o->lr * o->weight_decay) : 1.0f,
                   .b1 = (float)o->beta1, .a1 = (float)(1.0 - o->beta1), .b2 = (float)o->beta2,
                   .a2 = (float)(1.0 - o->beta2), .neg_step = (float)(-(o->lr / bc1)),
                   .bc2_sqrt = (float)sqrt(bc2), .eps = (float)o->eps, .clear = clear };
    par_range(opt->total, PAR_MIN / 4, adam_range, &j);
}

typedef struct sgd_job {
    const optim *opt;
    float lr, wd, mom, keep;
    int first, nesterov, clear;
} sgd_job;

static void sgd_part(const void *c, int i, size_t first, size_t count, size_t off)
{
    const sgd_job *j = c;
    const lt_param *p = &j->opt->params[i];
    if (j->mom == 0)
        sgd_plain(p->w + first, p->g + first, count, j->lr, j->wd);
    else
        sgd_momentum(p->w + first, p->g + first, j->opt->m + off + first, count, j->lr, j->wd,
                     j->mom, j->keep, j->first, j->nesterov);
    if (j->clear)   /* the part was just read: still in the caches */
        memset(p->g + first, 0, count * sizeof(float));
}

static void sgd_range(void *c, size_t lo, size_t hi)
{
    const sgd_job *j = c;
    over_blocks(j->opt, lo, hi, sgd_part, j);
}

/* One update with the rate opt->o.lr (the scheduled one: step() swaps it in) */
static void step_kind(optim *opt, int clear)
{
    if (opt->kind >= OPTIM_RMSPROP) {
        optim_more_step(opt, clear);
        return;
    }
    if (opt->kind != OPTIM_SGD) {
        adam_step(opt, clear);
        return;
    }
    const optim_opts *o = &opt->o;
    sgd_job j = { opt, (float)o->lr, (float)o->weight_decay, (float)o->momentum,
                  (float)(1.0 - o->dampening), opt->step == 1, o->nesterov, clear };
    par_range(opt->total, PAR_MIN / 2, sgd_range, &j);
}

static void step(optim *opt, int clear)
{
    double base = opt->o.lr;
    opt->o.lr = optim_lr(opt);   /* the schedule's rate at the steps taken so far */
    opt->last_norm = opt->o.clip > 0 ? optim_clip_grad_norm(opt, opt->o.clip) : 0.0;
    opt->step++;
    mark_clean(opt, clear);
    step_kind(opt, clear);
    opt->o.lr = base;
}

void optim_step(optim *opt) { step(opt, 0); }
void optim_step_clear(optim *opt) { step(opt, 1); }
