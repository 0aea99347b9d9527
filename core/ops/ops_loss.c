/* ops_loss.c: mse, bce, bce with logits, (log-)softmax, cross-entropy, Gaussian KL. */
/* Let GCC vectorise the element loops at -O2 (its default "very cheap" model skips any
 * loop whose length is unknown, i.e. all of them; no-trapping-math lets it turn the
 * selects of relu-like loops into vector blends. We never use floating-point traps). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("vect-cost-model=dynamic", "no-trapping-math")
#endif
#include "ops_internal.h"
#include "par.h"
#include "vmath.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Two inputs' contiguous floats, saved for backward. */
typedef struct pair {
    const float *a, *b;
} pair;

static lt_status same_shape(const char *op, const lt_tensor *a, const lt_tensor *b)
{
    if (tensor_same_shape(a, b))
        return LT_OK;
    char sa[64], sb[64];
    return lt_fail(LT_ERR_SHAPE, "%s: input %s and target %s must have the same shape", op,
                   tensor_shape_str(a, sa, sizeof sa), tensor_shape_str(b, sb, sizeof sb));
}

/* A scalar loss node over a and b (same shape): saves their contiguous floats. */
static lt_tensor *loss_node(lt_graph *g, lt_tensor *a, lt_tensor *b, pair **pp)
{
    pair *p = graph_alloc(g, sizeof *p);
    if (!p || !(p->a = ops_contig(g, a)) || !(p->b = ops_contig(g, b)))
        return NULL;
    *pp = p;
    lt_tensor *y = graph_tensor(g, 0, NULL);
    if (y)
        y->aux = p;
    return y;
}

static float reduce_scale(lt_reduce r, size_t n)
{
    return r == LT_SUM ? 1.0f : (n ? 1.0f / (float)n : 0.0f);
}

/* ---- element loops over the threads ----------------------------------------------------------- */

/* What a loss's element loop reads and writes (for par_range / par_sum) */
typedef struct loss_job {
    const float *a, *b;   /* the input and the target */
    float *out, *out2;    /* gradients or terms */
    float c;              /* the gradient's scale */
    int fresh;            /* out is fresh memory: write, do not add */
} loss_job;

static double sqdiff_part(void *c, size_t lo, size_t hi)
{
    const loss_job *j = c;
    return par_dsqdiff(j->a + lo, j->b + lo, hi - lo);
}

static double sum_part(void *c, size_t lo, size_t hi)
{
    const loss_job *j = c;
    return par_dsum(j->out + lo, hi - lo);
}

/* ---- mse ---------------------------------------------------------------------------------------- */

/* da = (or +=) c (a - b), db -= c (a - b) over [lo, hi) */
PAR_CLONED(static, mse_grad, (void *c, size_t lo, size_t hi), (c, lo, hi))
{
    const loss_job *j = c;
    const float *a = j->a, *b = j->b;
    float *da = j->out, *db = j->out2, k = j->c;
    if (da && j->fresh)
        for (size_t i = lo; i < hi; i++) da[i] = k * (a[i] - b[i]);
    else if (da)
        for (size_t i = lo; i < hi; i++) da[i] += k * (a[i] - b[i]);
    if (db)
        for (size_t i = lo; i < hi; i++) db[i] -= k * (a[i] - b[i]);
}

static void mse_backward(lt_graph *g, lt_tensor *y)
{
    const pair *p = y->aux;
    size_t n = tensor_numel(y->in[0]);
    int fa;
    float *da = graph_grad_fresh(g, y->in[0], &fa), *db = graph_grad(g, y->in[1]);
    loss_job j = { p->a, p->b, da, db, 2.0f * y->fparam[0] * y->grad[0], fa };
    par_range(n, PAR_MIN, mse_grad, &j);
}

static const lt_opdef mse_def = { "mse", mse_backward };

lt_tensor *op_mse(lt_graph *g, lt_tensor *pred, lt_tensor *target, lt_reduce r)
{
    if (!pred || !target || same_shape("mse", pred, target) != LT_OK)
        return NULL;
    pair *p;
    lt_tensor *y = loss_node(g, pred, target, &p);
    if (!y)
        return NULL;
    size_t n = tensor_numel(pred);
    loss_job j = { p->a, p->b, NULL, NULL, 0, 0 };
    double s = par_sum(n, sqdiff_part, &j);   /* in double, in blocks fixed by n */
    y->fparam[0] = reduce_scale(r, n);
    y->data[0] = (float)(s * y->fparam[0]);
    lt_tensor *in[2] = { pred, target };
    return graph_record(g, y, &mse_def, in, 2);
}

/* ---- bce on probabilities ----------------------------------------------------------------------- */

static inline float clamped_log(float x)
{
    return fmaxf(logf(x), -100.0f);   /* as PyTorch: log(0) counts as -100 */
}

/* dp = (or +=) c (p - t) / max(p (1 - p), 1e-12) (as PyTorch), dt -= c logit(p), over
 * [lo, hi). The clamp is a select, not fmaxf, so the loop vectorises. */
PAR_CLONED(static, bce_grad, (void *c, size_t lo, size_t hi), (c, lo, hi))
{
    const loss_job *j = c;
    const float *a = j->a, *b = j->b;
    float *dp = j->out, *dt = j->out2, k = j->c;
    if (dp)
        for (size_t i = lo; i < hi; i++) {
            float q = a[i], den = q * (1.0f - q);
            den = den > 1e-12f ? den : 1e-12f;
            dp[i] = (j->fresh ? 0.0f : dp[i]) + k * (q - b[i]) / den;
        }
    if (dt)
        for (size_t i = lo; i < hi; i++)
            dt[i] -= k * (clamped_log(a[i]) - clamped_log(1.0f - a[i]));
}

static void bce_backward(lt_graph *g, lt_tensor *y)
{
    const pair *p = y->aux;
    int fp;
    float *dp = graph_grad_fresh(g, y->in[0], &fp), *dt = graph_grad(g, y->in[1]);
    loss_job j = { p->a, p->b, dp, dt, y->fparam[0] * y->grad[0], fp };
    par_range(tensor_numel(y->in[0]), PAR_MIN / 2, bce_grad, &j);
}

static void bce_terms_part(void *c, size_t lo, size_t hi)
{
    const loss_job *j = c;
    vm_bce_terms(j->a + lo, j->b + lo, j->out + lo, hi - lo);
}

static const lt_opdef bce_def = { "bce", bce_backward };

/* The number of entries of q (n) that are not probabilities in [0, 1] (NaN included), as a
 * loop without an early exit so that it vectorises: on the bits, 0x00000000..0x3f800000
 * is +0..1 and 0x80000000 is -0. */
static size_t bce_count_bad(const float *q, size_t n)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t b;
        memcpy(&b, &q[i], sizeof b);
        bad += (b > 0x3f800000u) & (b != 0x80000000u);
    }
    return bad;
}

lt_tensor *op_bce(lt_graph *g, lt_tensor *prob, lt_tensor *target, lt_reduce r)
{
    if (!prob || !target || same_shape("bce", prob, target) != LT_OK)
        return NULL;
    pair *p;
    lt_tensor *y = loss_node(g, prob, target, &p);
    if (!y)
        return NULL;
    size_t n = tensor_numel(prob);
    if (bce_count_bad(p->a, n)) {
        size_t i = 0;
        while (bce_count_bad(&p->a[i], 1) == 0) i++;
        lt_fail(LT_ERR_VALUE, "bce: input %g is not a probability in [0, 1] (use bce_logits "
                "for logits)", p->a[i]);
        return NULL;
    }
    /* the logs element by element (vmath: libmvec's logf), then the sum in double, in
     * blocks fixed by n */
    float *l = graph_alloc(g, (n ? n : 1) * sizeof *l);
    if (!l)
        return NULL;
    loss_job j = { p->a, p->b, l, NULL, 0, 0 };
    par_range(n, PAR_MIN / 4, bce_terms_part, &j);
    double s = -par_sum(n, sum_part, &j);
    y->fparam[0] = reduce_scale(r, n);
    y->data[0] = (float)(s * y->fparam[0]);
    lt_tensor *in[2] = { prob, target };
    return graph_record(g, y, &bce_def, in, 2);
}

/* ---- bce on logits ------------------------------------------------------------------------------ */

static inline float sigm(float x)
{
    return x >= 0.0f ? 1.0f / (1.0f + expf(-x)) : expf(x) / (1.0f + expf(x));
}

static void bcel_backward(lt_graph *g, lt_tensor *y)
{
    const pair *p = y->aux;
    size_t n = tensor_numel(y->in[0]);
    float c = y->fparam[0] * y->grad[0];
    float *dz = graph_grad(g, y->in[0]), *dt = graph_grad(g, y->in[1]);
    if (dz)
        for (size_t i = 0; i < n; i++) dz[i] += c * (sigm(p->a[i]) - p->b[i]);
    if (dt)
        for (size_t i = 0; i < n; i++) dt[i] -= c * p->a[i];
}

static const lt_opdef bcel_def = { "bce_logits", bcel_backward };

lt_tensor *op_bce_logits(lt_graph *g, lt_tensor *z, lt_tensor *target, lt_reduce r)
{
    if (!z || !target)
        return NULL;
    if (!tensor_same_shape(z, target)) {
        int nd, s[LT_MAXDIM];
        if (ops_broadcast_shape("bce_logits", z, target, &nd, s) != LT_OK)
            return NULL;
        lt_tensor *t = op_expand(g, target, z->ndim, z->shape);
        if (!t) {
            char sa[64], sb[64];
            lt_fail(LT_ERR_SHAPE, "bce_logits: target %s does not broadcast to input %s",
                    tensor_shape_str(target, sa, sizeof sa), tensor_shape_str(z, sb, sizeof sb));
            return NULL;
        }
        target = t;
    }
    pair *p;
    lt_tensor *y = loss_node(g, z, target, &p);
    if (!y)
        return NULL;
    size_t n = tensor_numel(z);
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        float x = p->a[i];
        s += fmaxf(x, 0.0f) - x * p->b[i] + log1pf(expf(-fabsf(x)));
    }
    y->fparam[0] = reduce_scale(r, n);
    y->data[0] = (float)(s * y->fparam[0]);
    lt_tensor *in[2] = { z, target };
    return graph_record(g, y, &bcel_def, in, 2);
}

/* ---- log-softmax and softmax ------------------------------------------------------------------ */

/* iparam[0] = axis; dx = dy - exp(y) * sum_axis(dy) */
static void lsm_backward(lt_graph *g, lt_tensor *y)
{
    float *dx = graph_grad(g, y->in[0]);
    if (!dx)
        return;
    size_t outer, n, inner;
    ops_split(y, y->iparam[0], &outer, &n, &inner);
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            size_t base = o * n * inner + i;
            double s = 0.0;
            for (size_t k = 0; k < n; k++)
                s += y->grad[base + k * inner];
            for (size_t k = 0; k < n; k++) {
                size_t at = base + k * inner;
                dx[at] += y->grad[at] - expf(y->data[at]) * (float)s;
            }
        }
}

static const lt_opdef lsm_def = { "log_softmax", lsm_backward };

lt_tensor *op_log_softmax(lt_graph *g, lt_tensor *x, int axis)
{
    if (!x)
        return NULL;
    int a = ops_axis("log_softmax", axis, x->ndim);
    if (a < 0)
        return NULL;
    const float *xc = ops_contig(g, x);
    lt_tensor *y = xc ? graph_tensor(g, x->ndim, x->shape) : NULL;
    if (!y)
        return NULL;
    size_t outer, n, inner;
    ops_split(x, a, &outer, &n, &inner);
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            size_t base = o * n * inner + i;
            float mx = -INFINITY;
            for (size_t k = 0; k < n; k++)
                mx = fmaxf(mx, xc[base + k * inner]);
            double s = 0.0;
            for (size_t k = 0; k < n; k++)
                s += expf(xc[base + k * inner] - mx);
            float lse = mx + (float)log(s);
            for (size_t k = 0; k < n; k++)
                y->data[base + k * inner] = xc[base + k * inner] - lse;
        }
    y->iparam[0] = a;
    return graph_record(g, y, &lsm_def, &x, 1);
}

lt_tensor *op_softmax(lt_graph *g, lt_tensor *x, int axis)
{
    return op_exp(g, op_log_softmax(g, x, axis));
}

/* ---- cross-entropy with integer labels ----------------------------------------------------------- */

/* aux: int labels (B) then the softmax (B, C) */
static void ce_backward(lt_graph *g, lt_tensor *y)
{
    lt_tensor *x = y->in[0];
    float *dx = graph_grad(g, x);
    if (!dx)
        return;
    int B = x->shape[0], C = x->shape[1];
    const int *lab = y->aux;
    const float *sm = (const float *)(lab + B);
    float c = y->fparam[0] * y->grad[0];
    for (int i = 0; i < B; i++)
        for (int j = 0; j < C; j++)
            dx[i * C + j] += c * (sm[i * C + j] - (j == lab[i] ? 1.0f : 0.0f));
}

static const lt_opdef ce_def = { "cross_entropy", ce_backward };

lt_tensor *op_cross_entropy(lt_graph *g, lt_tensor *logits, lt_tensor *labels, lt_reduce r)
{
    if (!logits || !labels)
        return NULL;
    char sa[64], sb[64];
    if (logits->ndim != 2 || labels->ndim != 1 || labels->shape[0] != logits->shape[0]) {
        lt_fail(LT_ERR_SHAPE, "cross_entropy: logits must be (B, C) and labels (B), got %s and %s",
                tensor_shape_str(logits, sa, sizeof sa), tensor_shape_str(labels, sb, sizeof sb));
        return NULL;
    }
    int B = logits->shape[0], C = logits->shape[1];
    const float *xc = ops_contig(g, logits);
    int *lab = xc ? graph_alloc(g, (size_t)B * sizeof(int) + (size_t)B * C * sizeof(float)) : NULL;
    lt_tensor *y = lab ? graph_tensor(g, 0, NULL) : NULL;
    if (!y)
        return NULL;
    float *sm = (float *)(lab + B);
    double s = 0.0;
    for (int i = 0; i < B; i++) {
        float v = labels->data[i * labels->stride[0]];
        if (v != floorf(v) || v < 0 || v >= C) {
            lt_fail(LT_ERR_INDEX, "cross_entropy: label %g is not a class in 0..%d", v, C - 1);
            return NULL;
        }
        lab[i] = (int)v;
        const float *row = xc + (size_t)i * C;
        float mx = -INFINITY;
        for (int j = 0; j < C; j++)
            mx = fmaxf(mx, row[j]);
        double z = 0.0;
        for (int j = 0; j < C; j++)
            z += sm[i * C + j] = expf(row[j] - mx);
        for (int j = 0; j < C; j++)
            sm[i * C + j] = (float)(sm[i * C + j] / z);
        s += mx + log(z) - row[lab[i]];
    }
    y->fparam[0] = reduce_scale(r, (size_t)B);
    y->data[0] = (float)(s * y->fparam[0]);
    y->aux = lab;
    lt_tensor *in[2] = { logits, labels };
    return graph_record(g, y, &ce_def, in, 2);
}

/* ---- Gaussian KL ------------------------------------------------------------------------------ */

static void kl_backward(lt_graph *g, lt_tensor *y)
{
    const pair *p = y->aux;
    size_t n = tensor_numel(y->in[0]);
    float c = y->fparam[0] * y->grad[0];
    float *dmu = graph_grad(g, y->in[0]), *dlv = graph_grad(g, y->in[1]);
    if (dmu)
        for (size_t i = 0; i < n; i++) dmu[i] += c * p->a[i];
    if (dlv)
        for (size_t i = 0; i < n; i++) dlv[i] += c * 0.5f * (expf(p->b[i]) - 1.0f);
}

static const lt_opdef kl_def = { "kl_gauss", kl_backward };

lt_tensor *op_kl_gauss(lt_graph *g, lt_tensor *mu, lt_tensor *logvar, lt_reduce r)
{
    if (!mu || !logvar)
        return NULL;
    if (!tensor_same_shape(mu, logvar)) {
        char sa[64], sb[64];
        lt_fail(LT_ERR_SHAPE, "kl_gauss: mu %s and logvar %s must have the same shape",
                tensor_shape_str(mu, sa, sizeof sa), tensor_shape_str(logvar, sb, sizeof sb));
        return NULL;
    }
    pair *p;
    lt_tensor *y = loss_node(g, mu, logvar, &p);
    if (!y)
        return NULL;
    size_t n = tensor_numel(mu);
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += 0.5 * (exp(p->b[i]) + (double)p->a[i] * p->a[i] - 1.0 - p->b[i]);
    size_t rows = mu->ndim ? (size_t)mu->shape[0] : 1;
    y->fparam[0] = reduce_scale(r, rows);
    y->data[0] = (float)(s * y->fparam[0]);
    lt_tensor *in[2] = { mu, logvar };
    return graph_record(g, y, &kl_def, in, 2);
}
