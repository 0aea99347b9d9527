/* conv_norm.c: GroupNorm (+ fused SiLU) op and layer, the per-channel add and the
 * sinusoidal time embedding of conv.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "pool.h"
#include "vec.h"

/* ---- GroupNorm (+ SiLU) ------------------------------------------------------------------- */

/* What group_norm keeps for backward. */
typedef struct gn_saved {
    const float *x;      /* (B, C, HW) contiguous */
    const float *w, *b;  /* (C) or NULL */
    float *dsilu;        /* (B, C, HW): SiLU's derivative at each pre-activation, or NULL */
    float *mean, *rstd;  /* (B, groups) */
    int groups, C, silu_on;
    size_t HW;
    float eps;
    float *y;            /* forward output (B, C, HW) */
    /* backward */
    const float *gy;     /* y's gradient (B, C, HW) */
    float *dx;           /* or NULL */
    int dx_set;          /* dx is a fresh buffer: write it, don't add */
    double *dw[POOL_MAX], *db[POOL_MAX];   /* per part (C), or NULL */
} gn_saved;

/* forward of image i: statistics per group, then the affine map (and SiLU) per channel */
static void gn_forward_task(void *ctx, int i, int th)
{
    gn_saved *s = ctx;
    int cpg = s->C / s->groups;
    size_t HW = s->HW, n = (size_t)cpg * HW;
    (void)th;
    for (int k = 0; k < s->groups; k++) {
        size_t off = ((size_t)i * s->C + (size_t)k * cpg) * HW;
        double sum = 0.0, sq = 0.0;
        for (int c = 0; c < cpg; c++)
            sum += vec_sum(s->x + off + c * HW, HW);
        float mean = (float)(sum / n);
        for (int c = 0; c < cpg; c++)
            sq += vec_sqdev(s->x + off + c * HW, mean, HW);
        float rstd = (float)(1.0 / sqrt(sq / n + s->eps));
        s->mean[i * s->groups + k] = mean;
        s->rstd[i * s->groups + k] = rstd;
        for (int c = 0; c < cpg; c++) {
            int ch = k * cpg + c;
            float a = rstd * (s->w ? s->w[ch] : 1.0f);
            float bb = (s->b ? s->b[ch] : 0.0f) - mean * a;
            size_t at = off + c * HW;
            if (s->silu_on)
                vec_affine_silu(s->y + at, s->dsilu ? s->dsilu + at : NULL, s->x + at, a, bb, HW);
            else
                vec_affine(s->y + at, s->x + at, a, bb, HW);
        }
    }
}

/* backward of image i: per group the sums of da and da * xhat (into part p's partials:
 * pool_for_parts, the same bits on any thread count), then dx */
static void gn_backward_task(void *ctx, int i, int th, int p)
{
    (void)th;
    gn_saved *s = ctx;
    int cpg = s->C / s->groups;
    size_t HW = s->HW, n = (size_t)cpg * HW;
    for (int k = 0; k < s->groups; k++) {
        size_t off = ((size_t)i * s->C + (size_t)k * cpg) * HW;
        float mean = s->mean[i * s->groups + k], rstd = s->rstd[i * s->groups + k];
        double s1 = 0.0, s2 = 0.0;   /* sums of dxhat and dxhat * xhat */
        for (int c = 0; c < cpg; c++) {
            int ch = k * cpg + c;
            size_t at = off + c * HW;
            float sda, sdx, wc = s->w ? s->w[ch] : 1.0f;
            vec_gn_sums(s->gy + at, s->dsilu ? s->dsilu + at : NULL, s->x + at, mean, rstd, HW,
                          &sda, &sdx);
            if (s->dw[p])
                s->dw[p][ch] += sdx;
            if (s->db[p])
                s->db[p][ch] += sda;
            s1 += (double)sda * wc;
            s2 += (double)sdx * wc;
        }
        if (!s->dx)
            continue;
        float m1 = (float)(s1 / n), m2 = (float)(s2 / n);
        for (int c = 0; c < cpg; c++) {
            int ch = k * cpg + c;
            size_t at = off + c * HW;
            vec_gn_dx(s->dx + at, s->gy + at, s->dsilu ? s->dsilu + at : NULL, s->x + at, mean,
                        rstd, s->w ? s->w[ch] : 1.0f, m1, m2, HW, s->dx_set);
        }
    }
}

static void group_norm_backward(lt_graph *g, lt_tensor *y)
{
    gn_saved *s = y->aux;
    float *dw = s->w ? graph_grad(g, y->in[1]) : NULL;
    float *db = s->b ? graph_grad(g, y->in[s->w ? 2 : 1]) : NULL;
    /* x is never also w or b (shapes (B, C, ..) and (C)), so a fresh dx is written by
     * the tasks alone, every element once */
    s->dx = graph_grad_fresh(g, y->in[0], &s->dx_set);
    s->gy = y->grad;
    if (!s->dx && !dw && !db)
        return;
    int B = y->shape[0], nt = pool_parts(B);
    for (int t = 0; t < nt; t++) {
        s->dw[t] = dw ? graph_scratch(g, (size_t)s->C * sizeof(double)) : NULL;
        s->db[t] = db ? graph_scratch(g, (size_t)s->C * sizeof(double)) : NULL;
        if ((dw && !s->dw[t]) || (db && !s->db[t]))
            return;   /* graph_backward reports the lack of memory */
        if (dw)
            memset(s->dw[t], 0, (size_t)s->C * sizeof(double));
        if (db)
            memset(s->db[t], 0, (size_t)s->C * sizeof(double));
    }
    pool_for_parts(B, gn_backward_task, s);
    for (int c = 0; c < s->C; c++) {
        double sw = 0.0, sb = 0.0;
        for (int t = 0; t < nt; t++) {
            sw += dw ? s->dw[t][c] : 0.0;
            sb += db ? s->db[t][c] : 0.0;
        }
        if (dw)
            dw[c] += (float)sw;
        if (db)
            db[c] += (float)sb;
    }
}

static const lt_opdef group_norm_def = { "group_norm", group_norm_backward };

/* Checks op_group_norm's arguments; LT_OK or lt_fail naming the op. */
static lt_status gn_check(const lt_tensor *x, int groups, const lt_tensor *w, const lt_tensor *b,
                          const char *name)
{
    char sw[64];
    if (x->ndim != 4 && x->ndim != 2) {
        conv_fail_shape(name, "input (B, C, H, W) or (B, C)", x);
        return LT_ERR_SHAPE;
    }
    int C = x->shape[1];
    if (groups < 1 || C % groups)
        return lt_fail(LT_ERR_VALUE, "%s: %d groups do not divide %d channels", name, groups, C);
    const lt_tensor *wb[2] = { w, b };
    for (int k = 0; k < 2; k++)
        if (wb[k] && (wb[k]->ndim != 1 || wb[k]->shape[0] != C))
            return lt_fail(LT_ERR_SHAPE, "%s: %s must be (%d), got %s", name,
                           k ? "bias" : "weight", C, tensor_shape_str(wb[k], sw, sizeof sw));
    return LT_OK;
}

lt_tensor *op_group_norm(lt_graph *g, lt_tensor *x, int groups, lt_tensor *w, lt_tensor *b,
                         float eps, int silu, const char *name)
{
    if (!x)
        return NULL;
    if (gn_check(x, groups, w, b, name ? name : "group_norm") != LT_OK)
        return NULL;
    lt_tensor *y = graph_tensor(g, x->ndim, x->shape);
    gn_saved *s = y ? graph_alloc(g, sizeof *s) : NULL;
    if (!s)
        return NULL;
    memset(s, 0, sizeof *s);
    int B = x->shape[0];
    s->groups = groups;
    s->C = x->shape[1];
    s->silu_on = silu ? 1 : 0;
    s->eps = eps;
    s->HW = x->ndim == 4 ? (size_t)x->shape[2] * x->shape[3] : 1;
    s->y = y->data;
    s->x = conv_contig(g, x);
    s->w = w ? conv_contig(g, w) : NULL;
    s->b = b ? conv_contig(g, b) : NULL;
    s->mean = graph_alloc(g, (size_t)(2 * B * groups + 1) * sizeof(float));
    int grad = graph_recording(g) && (x->requires_grad || (w && w->requires_grad)
                                      || (b && b->requires_grad));
    if (silu && grad)
        s->dsilu = graph_alloc(g, tensor_numel(x) * sizeof(float) + 1);
    if (!s->x || (w && !s->w) || (b && !s->b) || !s->mean || (silu && grad && !s->dsilu))
        return NULL;
    s->rstd = s->mean + (size_t)B * groups;
    pool_for(B, gn_forward_task, s);
    y->aux = s;
    y->iparam[0] = groups;
    y->iparam[1] = s->silu_on;
    y->fparam[0] = eps;
    lt_tensor *in[3];
    int nin = 0;
    in[nin++] = x;
    if (w)
        in[nin++] = w;
    if (b)
        in[nin++] = b;
    return graph_record(g, y, &group_norm_def, in, nin);
}

/* ---- per-channel add ------------------------------------------------------------------------ */

typedef struct addc_job {
    const float *x, *v;   /* (B, C, HW), (B, C) */
    float *y;             /* forward (B, C, HW) */
    const float *gy;      /* backward */
    float *dx, *dv;
    int C;
    size_t HW;
} addc_job;

static void addc_forward_task(void *ctx, int i, int th)
{
    const addc_job *j = ctx;
    (void)th;
    for (int c = 0; c < j->C; c++) {
        size_t p = (size_t)i * j->C + c;
        vec_affine(j->y + p * j->HW, j->x + p * j->HW, 1.0f, j->v[p], j->HW);
    }
}

static void addc_backward_task(void *ctx, int i, int th)
{
    const addc_job *j = ctx;
    (void)th;
    for (int c = 0; c < j->C; c++) {
        size_t p = (size_t)i * j->C + c;
        if (j->dx)
            vec_add(j->dx + p * j->HW, j->gy + p * j->HW, j->HW);
        if (j->dv)
            j->dv[p] += vec_sum(j->gy + p * j->HW, j->HW);
    }
}

static void add_channel_backward(lt_graph *g, lt_tensor *y)
{
    addc_job j = { .gy = y->grad, .dx = graph_grad(g, y->in[0]), .dv = graph_grad(g, y->in[1]),
                   .C = y->shape[1], .HW = (size_t)y->shape[2] * y->shape[3] };
    if (j.dx || j.dv)
        pool_for(y->shape[0], addc_backward_task, &j);
}

static const lt_opdef add_channel_def = { "add_channel", add_channel_backward };

lt_tensor *op_add_channel(lt_graph *g, lt_tensor *x, lt_tensor *v)
{
    char sx[64], sv[64];
    if (!x || !v)
        return NULL;
    if (x->ndim != 4 || v->ndim != 2 || v->shape[0] != x->shape[0] || v->shape[1] != x->shape[1]) {
        lt_fail(LT_ERR_SHAPE, "add_channel: expected x (B, C, H, W) and v (B, C), got %s and %s",
                tensor_shape_str(x, sx, sizeof sx), tensor_shape_str(v, sv, sizeof sv));
        return NULL;
    }
    lt_tensor *y = graph_tensor(g, 4, x->shape);
    addc_job j = { .y = y ? y->data : NULL, .C = x->shape[1],
                   .HW = (size_t)x->shape[2] * x->shape[3] };
    j.x = y ? conv_contig(g, x) : NULL;
    j.v = j.x ? conv_contig(g, v) : NULL;
    if (!j.v)
        return NULL;
    pool_for(x->shape[0], addc_forward_task, &j);
    lt_tensor *in[2] = { x, v };
    return graph_record(g, y, &add_channel_def, in, 2);
}

/* ---- time embedding ---------------------------------------------------------------------- */

lt_tensor *op_temb(lt_graph *g, lt_tensor *t, int dim)
{
    if (!t)
        return NULL;
    if (t->ndim != 1)
        return conv_fail_shape("temb", "time steps (B)", t);
    if (dim < 2 || dim % 2) {
        lt_fail(LT_ERR_VALUE, "temb: the dimension must be even and at least 2, got %d", dim);
        return NULL;
    }
    int B = t->shape[0], half = dim / 2;
    int ys[2] = { B, dim };
    lt_tensor *y = graph_tensor(g, 2, ys);
    if (!y)
        return NULL;
    for (int i = 0; i < B; i++) {
        float ti = t->data[i * t->stride[0]];
        for (int k = 0; k < half; k++) {
            float f = expf(-logf(10000.0f) * (float)k / (float)half);
            float a = ti * f;
            y->data[(size_t)i * dim + k] = sinf(a);
            y->data[(size_t)i * dim + half + k] = cosf(a);
        }
    }
    return y;
}
