/* conv.c: conv2d (im2col + sgemm, and the direct reference), 2x pooling and upsampling,
 * GroupNorm (+ fused SiLU), per-channel add, sinusoidal time embedding, and the conv2d
 * and GroupNorm layers. */
#include "conv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------------------ */

/* x's floats, contiguous: x->data itself or a copy in the arena. NULL after lt_fail. */
static const float *contig(lt_graph *g, const lt_tensor *x)
{
    if (tensor_is_contiguous(x))
        return x->data;
    float *p = graph_alloc(g, tensor_numel(x) * sizeof(float));
    if (p)
        tensor_copy_out(x, p);
    return p;
}

static lt_tensor *fail_shape(const char *what, const char *expected, const lt_tensor *x)
{
    char sx[64];
    lt_fail(LT_ERR_SHAPE, "%s: expected %s, got %s", what, expected,
            tensor_shape_str(x, sx, sizeof sx));
    return NULL;
}

int conv2d_out_size(int in, int k, int stride, int pad)
{
    if (stride < 1 || in + 2 * pad < k)
        return 0;
    return (in + 2 * pad - k) / stride + 1;
}

/* ---- conv2d: references ---------------------------------------------------------------------- */

void conv2d_naive_forward(const float *x, const float *w, const float *b, float *y, int B,
                          int C, int H, int W, int O, int kh, int kw, int stride, int pad)
{
    int Ho = conv2d_out_size(H, kh, stride, pad), Wo = conv2d_out_size(W, kw, stride, pad);
    for (int n = 0; n < B; n++)
        for (int o = 0; o < O; o++)
            for (int oy = 0; oy < Ho; oy++)
                for (int ox = 0; ox < Wo; ox++) {
                    double s = b ? b[o] : 0.0;
                    for (int c = 0; c < C; c++)
                        for (int i = 0; i < kh; i++)
                            for (int j = 0; j < kw; j++) {
                                int iy = oy * stride - pad + i, ix = ox * stride - pad + j;
                                if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                                    continue;
                                s += (double)x[((size_t)(n * C + c) * H + iy) * W + ix]
                                     * w[((size_t)(o * C + c) * kh + i) * kw + j];
                            }
                    y[((size_t)(n * O + o) * Ho + oy) * Wo + ox] = (float)s;
                }
}

void conv2d_naive_backward(const float *x, const float *w, const float *dy, float *dx,
                           float *dw, float *db, int B, int C, int H, int W, int O, int kh,
                           int kw, int stride, int pad)
{
    int Ho = conv2d_out_size(H, kh, stride, pad), Wo = conv2d_out_size(W, kw, stride, pad);
    for (int n = 0; n < B; n++)
        for (int o = 0; o < O; o++)
            for (int oy = 0; oy < Ho; oy++)
                for (int ox = 0; ox < Wo; ox++) {
                    float d = dy[((size_t)(n * O + o) * Ho + oy) * Wo + ox];
                    if (db)
                        db[o] += d;
                    for (int c = 0; c < C; c++)
                        for (int i = 0; i < kh; i++)
                            for (int j = 0; j < kw; j++) {
                                int iy = oy * stride - pad + i, ix = ox * stride - pad + j;
                                if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                                    continue;
                                size_t xi = ((size_t)(n * C + c) * H + iy) * W + ix;
                                size_t wi = ((size_t)(o * C + c) * kh + i) * kw + j;
                                if (dx)
                                    dx[xi] += d * w[wi];
                                if (dw)
                                    dw[wi] += d * x[xi];
                            }
                }
}

/* ---- conv2d: im2col + sgemm ------------------------------------------------------------------ */

static size_t chunk_floats = 262144;

void conv2d_set_chunk_floats(size_t n) { chunk_floats = n; }
size_t conv2d_chunk_floats(void) { return chunk_floats; }

/* The geometry of one convolution. */
typedef struct conv_geom {
    int B, C, H, W, O, kh, kw, stride, pad, Ho, Wo;
    size_t K, P;   /* K = C kh kw rows of the column matrix, P = Ho Wo pixels per image */
    int G;         /* images per chunk */
} conv_geom;

/* 1 when the column matrix of one image is the image itself (1x1, stride 1, no pad). */
static int geom_is_pointwise(const conv_geom *q)
{
    return q->kh == 1 && q->kw == 1 && q->stride == 1 && q->pad == 0;
}

/* The ox range [lo, hi) whose input column ox * stride - pad + j is inside [0, W). */
static void valid_cols(const conv_geom *q, int j, int *lo, int *hi)
{
    int a = q->pad - j;   /* ox * stride >= a */
    int l = a <= 0 ? 0 : (a + q->stride - 1) / q->stride;
    int bnd = q->W - 1 + q->pad - j;   /* ox * stride <= bnd */
    int h = bnd < 0 ? 0 : bnd / q->stride + 1;
    *lo = l < q->Wo ? l : q->Wo;
    *hi = h < q->Wo ? h : q->Wo;
    if (*hi < *lo)
        *hi = *lo;
}

/* col (K, n P) = the columns of the n images x (n, C, H, W): row (c, i, j), column
 * (image, oy, ox) holds x[image, c, oy s - pad + i, ox s - pad + j] or 0 outside. */
static void im2col(const conv_geom *q, const float *x, int n, float *col)
{
    size_t N = (size_t)n * q->P, HW = (size_t)q->H * q->W;
    int s = q->stride;
    for (int c = 0; c < q->C; c++)
        for (int i = 0; i < q->kh; i++)
            for (int j = 0; j < q->kw; j++) {
                float *row = col + ((size_t)(c * q->kh + i) * q->kw + j) * N;
                int lo, hi;
                valid_cols(q, j, &lo, &hi);
                for (int im = 0; im < n; im++) {
                    const float *xc = x + ((size_t)im * q->C + c) * HW;
                    for (int oy = 0; oy < q->Ho; oy++) {
                        float *d = row + (size_t)im * q->P + (size_t)oy * q->Wo;
                        int iy = oy * s - q->pad + i;
                        if (iy < 0 || iy >= q->H) {
                            memset(d, 0, (size_t)q->Wo * sizeof(float));
                            continue;
                        }
                        const float *xr = xc + (size_t)iy * q->W - q->pad + j;
                        for (int ox = 0; ox < lo; ox++)
                            d[ox] = 0.0f;
                        if (s == 1)
                            memcpy(d + lo, xr + lo, (size_t)(hi - lo) * sizeof(float));
                        else
                            for (int ox = lo; ox < hi; ox++)
                                d[ox] = xr[ox * s];
                        for (int ox = hi; ox < q->Wo; ox++)
                            d[ox] = 0.0f;
                    }
                }
            }
}

/* dx (n, C, H, W) += the column gradient dcol (K, n P) folded back (im2col's adjoint). */
static void col2im(const conv_geom *q, const float *dcol, int n, float *dx)
{
    size_t N = (size_t)n * q->P, HW = (size_t)q->H * q->W;
    int s = q->stride;
    for (int c = 0; c < q->C; c++)
        for (int i = 0; i < q->kh; i++)
            for (int j = 0; j < q->kw; j++) {
                const float *row = dcol + ((size_t)(c * q->kh + i) * q->kw + j) * N;
                int lo, hi;
                valid_cols(q, j, &lo, &hi);
                for (int im = 0; im < n; im++) {
                    float *xc = dx + ((size_t)im * q->C + c) * HW;
                    for (int oy = 0; oy < q->Ho; oy++) {
                        int iy = oy * s - q->pad + i;
                        if (iy < 0 || iy >= q->H)
                            continue;
                        const float *d = row + (size_t)im * q->P + (size_t)oy * q->Wo;
                        float *xr = xc + (size_t)iy * q->W - q->pad + j;
                        if (s == 1)
                            for (int ox = lo; ox < hi; ox++)
                                xr[ox] += d[ox];
                        else
                            for (int ox = lo; ox < hi; ox++)
                                xr[ox * s] += d[ox];
                    }
                }
            }
}

/* What conv2d keeps for backward: contiguous copies (or the tensors' own floats). */
typedef struct conv_saved {
    const float *x;   /* (B, C, H, W) */
    const float *w;   /* (O, C, kh, kw) */
    conv_geom q;
} conv_saved;

/* Columns of images [b0, b0 + n): x's own floats for a pointwise conv, else im2col into buf. */
static const float *columns(const conv_geom *q, const float *x, int b0, int n, float *buf)
{
    const float *xb = x + (size_t)b0 * q->C * q->H * q->W;
    if (geom_is_pointwise(q) && n == 1)
        return xb;
    im2col(q, xb, n, buf);
    return buf;
}

/* y (B, O, P) = w (O, K) . columns + bias, chunk by chunk. */
static void conv_forward_gemm(const conv_geom *q, const float *x, const float *w,
                              const float *bias, float *y, float *col, float *tmp)
{
    for (int b0 = 0; b0 < q->B; b0 += q->G) {
        int n = q->B - b0 < q->G ? q->B - b0 : q->G;
        size_t N = (size_t)n * q->P;
        const float *cols = columns(q, x, b0, n, col);
        float *out = n == 1 ? y + (size_t)b0 * q->O * q->P : tmp;
        tensor_sgemm(0, 0, q->O, (int)N, (int)q->K, 1.0f, w, (int)q->K, cols, (int)N, 0.0f,
                     out, (int)N);
        for (int im = 0; im < n; im++)
            for (int o = 0; o < q->O; o++) {
                float *yr = y + ((size_t)(b0 + im) * q->O + o) * q->P;
                const float *tr = out + (size_t)o * N + (size_t)im * q->P;
                float bo = bias ? bias[o] : 0.0f;
                for (size_t p = 0; p < q->P; p++)
                    yr[p] = tr[p] + bo;
            }
    }
}

static void conv2d_backward(lt_graph *g, lt_tensor *y)
{
    const conv_saved *sv = y->aux;
    const conv_geom *q = &sv->q;
    float *dx = graph_grad(g, y->in[0]);
    float *dw = graph_grad(g, y->in[1]);
    float *db = y->nin > 2 ? graph_grad(g, y->in[2]) : NULL;
    size_t P = q->P, K = q->K;
    if (db)
        for (int im = 0; im < q->B; im++)
            for (int o = 0; o < q->O; o++) {
                const float *d = y->grad + ((size_t)im * q->O + o) * P;
                float s = 0.0f;
                for (size_t p = 0; p < P; p++)
                    s += d[p];
                db[o] += s;
            }
    if (!dx && !dw)
        return;
    size_t maxN = (size_t)q->G * P;
    float *col = graph_alloc(g, K * maxN * sizeof(float));
    float *dyc = q->G > 1 ? graph_alloc(g, (size_t)q->O * maxN * sizeof(float)) : NULL;
    if (!col || (q->G > 1 && !dyc))
        return;   /* graph_backward reports the lack of memory */
    for (int b0 = 0; b0 < q->B; b0 += q->G) {
        int n = q->B - b0 < q->G ? q->B - b0 : q->G;
        size_t N = (size_t)n * P;
        const float *d = y->grad + (size_t)b0 * q->O * P;
        if (n > 1) {   /* gather dy of the chunk as (O, n P) */
            for (int im = 0; im < n; im++)
                for (int o = 0; o < q->O; o++)
                    memcpy(dyc + (size_t)o * N + (size_t)im * P, d + ((size_t)im * q->O + o) * P,
                           P * sizeof(float));
            d = dyc;
        }
        if (dw) {
            const float *cols = columns(q, sv->x, b0, n, col);
            tensor_sgemm(0, 1, q->O, (int)K, (int)N, 1.0f, d, (int)N, cols, (int)N, 1.0f, dw, (int)K);
        }
        if (dx) {
            float *dxb = dx + (size_t)b0 * q->C * q->H * q->W;
            if (geom_is_pointwise(q) && n == 1) {
                tensor_sgemm(1, 0, (int)K, (int)N, q->O, 1.0f, sv->w, (int)K, d, (int)N, 1.0f,
                             dxb, (int)N);
                continue;
            }
            tensor_sgemm(1, 0, (int)K, (int)N, q->O, 1.0f, sv->w, (int)K, d, (int)N, 0.0f, col, (int)N);
            col2im(q, col, n, dxb);
        }
    }
}

static const lt_opdef conv2d_def = { "conv2d", conv2d_backward };

/* Checks the shapes of op_conv2d and fills q; LT_OK or lt_fail naming the op. */
static lt_status conv_check(const lt_tensor *x, const lt_tensor *w, const lt_tensor *b,
                            int stride, int pad, const char *name, conv_geom *q)
{
    char sx[64], sw[64], want[64];
    if (!name)
        name = "conv2d";
    if (w->ndim != 4)
        return lt_fail(LT_ERR_SHAPE, "%s: weight must be (O, C, kh, kw), got %s", name,
                       tensor_shape_str(w, sw, sizeof sw));
    if (stride < 1 || pad < 0)
        return lt_fail(LT_ERR_VALUE, "%s: stride %d must be >= 1 and padding %d >= 0", name,
                       stride, pad);
    snprintf(want, sizeof want, "input (B, %d, H, W)", w->shape[1]);
    if (x->ndim != 4 || x->shape[1] != w->shape[1]) {
        fail_shape(name, want, x);
        return LT_ERR_SHAPE;
    }
    if (b && (b->ndim != 1 || b->shape[0] != w->shape[0]))
        return lt_fail(LT_ERR_SHAPE, "%s: bias must be (%d), got %s", name, w->shape[0],
                       tensor_shape_str(b, sw, sizeof sw));
    *q = (conv_geom){ .B = x->shape[0], .C = x->shape[1], .H = x->shape[2], .W = x->shape[3],
                      .O = w->shape[0], .kh = w->shape[2], .kw = w->shape[3],
                      .stride = stride, .pad = pad };
    q->Ho = conv2d_out_size(q->H, q->kh, stride, pad);
    q->Wo = conv2d_out_size(q->W, q->kw, stride, pad);
    if (q->Ho < 1 || q->Wo < 1 || q->kh < 1 || q->kw < 1)
        return lt_fail(LT_ERR_SHAPE, "%s: a %dx%d kernel (padding %d) does not fit input %s",
                       name, q->kh, q->kw, pad, tensor_shape_str(x, sx, sizeof sx));
    q->K = (size_t)q->C * q->kh * q->kw;
    q->P = (size_t)q->Ho * q->Wo;
    size_t per = q->K * q->P;
    size_t G = per ? chunk_floats / per : 1;
    q->G = G < 1 ? 1 : G > (size_t)q->B ? q->B : (int)G;
    if (q->G < 1)
        q->G = 1;
    return LT_OK;
}

lt_tensor *op_conv2d(lt_graph *g, lt_tensor *x, lt_tensor *w, lt_tensor *b, int stride,
                     int pad, const char *name)
{
    if (!x || !w)
        return NULL;
    conv_saved *sv = graph_alloc(g, sizeof *sv);
    if (!sv || conv_check(x, w, b, stride, pad, name, &sv->q) != LT_OK)
        return NULL;
    const conv_geom *q = &sv->q;
    int ys[4] = { q->B, q->O, q->Ho, q->Wo };
    lt_tensor *y = graph_tensor(g, 4, ys);
    sv->x = y ? contig(g, x) : NULL;
    sv->w = sv->x ? contig(g, w) : NULL;
    const float *bias = b && sv->w ? contig(g, b) : NULL;
    size_t N = (size_t)q->G * q->P;
    float *col = sv->w ? graph_alloc(g, q->K * N * sizeof(float)) : NULL;
    float *tmp = col && q->G > 1 ? graph_alloc(g, (size_t)q->O * N * sizeof(float)) : col;
    if (!tmp || (b && !bias))
        return NULL;
    if (q->B > 0)
        conv_forward_gemm(q, sv->x, sv->w, bias, y->data, col, tmp);
    y->iparam[0] = stride;
    y->iparam[1] = pad;
    y->aux = sv;
    lt_tensor *in[3] = { x, w, b };
    return graph_record(g, y, &conv2d_def, in, b ? 3 : 2);
}

/* ---- pooling and upsampling ---------------------------------------------------------------- */

static void avgpool2_backward(lt_graph *g, lt_tensor *y)
{
    float *dx = graph_grad(g, y->in[0]);
    if (!dx)
        return;
    int Ho = y->shape[2], Wo = y->shape[3], W = 2 * Wo;
    size_t planes = (size_t)y->shape[0] * y->shape[1];
    for (size_t p = 0; p < planes; p++) {
        const float *d = y->grad + p * Ho * Wo;
        float *xp = dx + p * 4 * Ho * Wo;
        for (int i = 0; i < Ho; i++)
            for (int j = 0; j < Wo; j++) {
                float v = 0.25f * d[i * Wo + j];
                float *a = xp + (2 * i) * W + 2 * j;
                a[0] += v;
                a[1] += v;
                a[W] += v;
                a[W + 1] += v;
            }
    }
}

static const lt_opdef avgpool2_def = { "avgpool2", avgpool2_backward };

lt_tensor *op_avgpool2(lt_graph *g, lt_tensor *x)
{
    if (!x)
        return NULL;
    if (x->ndim != 4 || x->shape[2] % 2 || x->shape[3] % 2)
        return fail_shape("avgpool2", "(B, C, H, W) with H and W even", x);
    int Ho = x->shape[2] / 2, Wo = x->shape[3] / 2, W = x->shape[3];
    int ys[4] = { x->shape[0], x->shape[1], Ho, Wo };
    lt_tensor *y = graph_tensor(g, 4, ys);
    const float *xd = y ? contig(g, x) : NULL;
    if (!xd)
        return NULL;
    size_t planes = (size_t)ys[0] * ys[1];
    for (size_t p = 0; p < planes; p++) {
        const float *xp = xd + p * 4 * Ho * Wo;
        float *yp = y->data + p * Ho * Wo;
        for (int i = 0; i < Ho; i++)
            for (int j = 0; j < Wo; j++) {
                const float *a = xp + (2 * i) * W + 2 * j;
                yp[i * Wo + j] = 0.25f * (a[0] + a[1] + a[W] + a[W + 1]);
            }
    }
    lt_tensor *in[1] = { x };
    return graph_record(g, y, &avgpool2_def, in, 1);
}

static void upsample2_backward(lt_graph *g, lt_tensor *y)
{
    float *dx = graph_grad(g, y->in[0]);
    if (!dx)
        return;
    int H = y->shape[2] / 2, W = y->shape[3] / 2, Wy = y->shape[3];
    size_t planes = (size_t)y->shape[0] * y->shape[1];
    for (size_t p = 0; p < planes; p++) {
        const float *d = y->grad + p * 4 * H * W;
        float *xp = dx + p * H * W;
        for (int i = 0; i < H; i++)
            for (int j = 0; j < W; j++) {
                const float *a = d + (2 * i) * Wy + 2 * j;
                xp[i * W + j] += a[0] + a[1] + a[Wy] + a[Wy + 1];
            }
    }
}

static const lt_opdef upsample2_def = { "upsample2", upsample2_backward };

lt_tensor *op_upsample2(lt_graph *g, lt_tensor *x)
{
    if (!x)
        return NULL;
    if (x->ndim != 4)
        return fail_shape("upsample2", "(B, C, H, W)", x);
    int H = x->shape[2], W = x->shape[3], Wy = 2 * W;
    int ys[4] = { x->shape[0], x->shape[1], 2 * H, 2 * W };
    lt_tensor *y = graph_tensor(g, 4, ys);
    const float *xd = y ? contig(g, x) : NULL;
    if (!xd)
        return NULL;
    size_t planes = (size_t)ys[0] * ys[1];
    for (size_t p = 0; p < planes; p++) {
        const float *xp = xd + p * H * W;
        float *yp = y->data + p * 4 * H * W;
        for (int i = 0; i < H; i++) {
            float *r0 = yp + (2 * i) * Wy;
            for (int j = 0; j < W; j++)
                r0[2 * j] = r0[2 * j + 1] = xp[i * W + j];
            memcpy(r0 + Wy, r0, (size_t)Wy * sizeof(float));
        }
    }
    lt_tensor *in[1] = { x };
    return graph_record(g, y, &upsample2_def, in, 1);
}

/* ---- GroupNorm (+ SiLU) ------------------------------------------------------------------- */

/* What group_norm keeps for backward. */
typedef struct gn_saved {
    const float *x;      /* (B, C, HW) contiguous */
    const float *w, *b;  /* (C) or NULL */
    float *mean, *rstd;  /* (B, groups) */
    int groups, silu;
    size_t HW;
} gn_saved;

static inline float silu_f(float v) { return v / (1.0f + expf(-v)); }

/* One (image, group): normalises n = cpg * HW values of x from channel c0 into y. */
static void gn_forward_group(const gn_saved *s, const float *x, float *y, int c0, int cpg,
                             float *mean_out, float *rstd_out, float eps)
{
    size_t n = (size_t)cpg * s->HW;
    double sum = 0.0, sq = 0.0;
    for (size_t i = 0; i < n; i++) {
        sum += x[i];
        sq += (double)x[i] * x[i];
    }
    double mean = sum / n, var = sq / n - mean * mean;
    if (var < 0.0)
        var = 0.0;
    float rstd = (float)(1.0 / sqrt(var + eps));
    *mean_out = (float)mean;
    *rstd_out = rstd;
    for (int c = 0; c < cpg; c++) {
        float a = rstd * (s->w ? s->w[c0 + c] : 1.0f);
        float bb = (s->b ? s->b[c0 + c] : 0.0f) - (float)mean * a;
        const float *xc = x + (size_t)c * s->HW;
        float *yc = y + (size_t)c * s->HW;
        if (s->silu)
            for (size_t i = 0; i < s->HW; i++)
                yc[i] = silu_f(xc[i] * a + bb);
        else
            for (size_t i = 0; i < s->HW; i++)
                yc[i] = xc[i] * a + bb;
    }
}

/* Backward of one (image, group): gy is y's gradient there, da scratch (cpg HW). */
static void gn_backward_group(const gn_saved *s, const float *x, const float *gy, float *dx,
                              float *dw, float *db, int c0, int cpg, float mean, float rstd,
                              float *da)
{
    size_t HW = s->HW, n = (size_t)cpg * HW;
    double s1 = 0.0, s2 = 0.0;   /* sums of dxhat and dxhat * xhat */
    for (int c = 0; c < cpg; c++) {
        float wc = s->w ? s->w[c0 + c] : 1.0f, bc = s->b ? s->b[c0 + c] : 0.0f;
        const float *xc = x + (size_t)c * HW, *gc = gy + (size_t)c * HW;
        float *dc = da + (size_t)c * HW;
        double sw = 0.0, sb = 0.0;
        for (size_t i = 0; i < HW; i++) {
            float xh = (xc[i] - mean) * rstd;
            float d = gc[i];
            if (s->silu) {
                float v = xh * wc + bc, sg = 1.0f / (1.0f + expf(-v));
                d *= sg * (1.0f + v * (1.0f - sg));
            }
            dc[i] = d;
            sw += (double)d * xh;
            sb += d;
        }
        if (dw)
            dw[c0 + c] += (float)sw;
        if (db)
            db[c0 + c] += (float)sb;
        s1 += sb * wc;
        s2 += sw * wc;
    }
    if (!dx)
        return;
    float m1 = (float)(s1 / n), m2 = (float)(s2 / n);
    for (int c = 0; c < cpg; c++) {
        float wc = s->w ? s->w[c0 + c] : 1.0f;
        const float *xc = x + (size_t)c * HW, *dc = da + (size_t)c * HW;
        float *dxc = dx + (size_t)c * HW;
        for (size_t i = 0; i < HW; i++) {
            float xh = (xc[i] - mean) * rstd;
            dxc[i] += rstd * (dc[i] * wc - m1 - xh * m2);
        }
    }
}

static void group_norm_backward(lt_graph *g, lt_tensor *y)
{
    const gn_saved *s = y->aux;
    float *dx = graph_grad(g, y->in[0]);
    float *dw = s->w ? graph_grad(g, y->in[1]) : NULL;
    float *db = s->b ? graph_grad(g, y->in[s->w ? 2 : 1]) : NULL;
    if (!dx && !dw && !db)
        return;
    int B = y->shape[0], C = y->shape[1], cpg = C / s->groups;
    float *da = graph_alloc(g, (size_t)cpg * s->HW * sizeof(float));
    if (!da)
        return;
    for (int b = 0; b < B; b++)
        for (int k = 0; k < s->groups; k++) {
            size_t off = ((size_t)b * C + (size_t)k * cpg) * s->HW;
            int bk = b * s->groups + k;
            gn_backward_group(s, s->x + off, y->grad + off, dx ? dx + off : NULL, dw, db,
                              k * cpg, cpg, s->mean[bk], s->rstd[bk], da);
        }
}

static const lt_opdef group_norm_def = { "group_norm", group_norm_backward };

lt_tensor *op_group_norm(lt_graph *g, lt_tensor *x, int groups, lt_tensor *w, lt_tensor *b,
                         float eps, int silu, const char *name)
{
    char want[64], sw[64];
    if (!x)
        return NULL;
    if (!name)
        name = "group_norm";
    if (x->ndim != 4 && x->ndim != 2)
        return fail_shape(name, "input (B, C, H, W) or (B, C)", x);
    int C = x->shape[1];
    if (groups < 1 || C % groups) {
        lt_fail(LT_ERR_VALUE, "%s: %d groups do not divide %d channels", name, groups, C);
        return NULL;
    }
    const lt_tensor *wb[2] = { w, b };
    for (int k = 0; k < 2; k++)
        if (wb[k] && (wb[k]->ndim != 1 || wb[k]->shape[0] != C)) {
            snprintf(want, sizeof want, "(%d)", C);
            lt_fail(LT_ERR_SHAPE, "%s: %s must be %s, got %s", name, k ? "bias" : "weight", want,
                    tensor_shape_str(wb[k], sw, sizeof sw));
            return NULL;
        }
    lt_tensor *y = graph_tensor(g, x->ndim, x->shape);
    gn_saved *s = y ? graph_alloc(g, sizeof *s) : NULL;
    if (!s)
        return NULL;
    int B = x->shape[0];
    s->groups = groups;
    s->silu = silu ? 1 : 0;
    s->HW = x->ndim == 4 ? (size_t)x->shape[2] * x->shape[3] : 1;
    s->x = contig(g, x);
    s->w = w ? contig(g, w) : NULL;
    s->b = b ? contig(g, b) : NULL;
    s->mean = graph_alloc(g, (size_t)(2 * B * groups + 1) * sizeof(float));
    if (!s->x || (w && !s->w) || (b && !s->b) || !s->mean)
        return NULL;
    s->rstd = s->mean + (size_t)B * groups;
    int cpg = C / groups;
    for (int bi = 0; bi < B; bi++)
        for (int k = 0; k < groups; k++) {
            size_t off = ((size_t)bi * C + (size_t)k * cpg) * s->HW;
            gn_forward_group(s, s->x + off, y->data + off, k * cpg, cpg,
                             &s->mean[bi * groups + k], &s->rstd[bi * groups + k], eps);
        }
    y->aux = s;
    y->iparam[0] = groups;
    y->iparam[1] = s->silu;
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

static void add_channel_backward(lt_graph *g, lt_tensor *y)
{
    float *dx = graph_grad(g, y->in[0]);
    float *dv = graph_grad(g, y->in[1]);
    size_t planes = (size_t)y->shape[0] * y->shape[1], HW = (size_t)y->shape[2] * y->shape[3];
    for (size_t p = 0; p < planes; p++) {
        const float *d = y->grad + p * HW;
        if (dx)
            for (size_t i = 0; i < HW; i++)
                dx[p * HW + i] += d[i];
        if (dv) {
            float s = 0.0f;
            for (size_t i = 0; i < HW; i++)
                s += d[i];
            dv[p] += s;
        }
    }
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
    const float *xd = y ? contig(g, x) : NULL;
    const float *vd = xd ? contig(g, v) : NULL;
    if (!vd)
        return NULL;
    size_t planes = (size_t)x->shape[0] * x->shape[1], HW = (size_t)x->shape[2] * x->shape[3];
    for (size_t p = 0; p < planes; p++)
        for (size_t i = 0; i < HW; i++)
            y->data[p * HW + i] = xd[p * HW + i] + vd[p];
    lt_tensor *in[2] = { x, v };
    return graph_record(g, y, &add_channel_def, in, 2);
}

/* ---- time embedding ---------------------------------------------------------------------- */

lt_tensor *op_temb(lt_graph *g, lt_tensor *t, int dim)
{
    if (!t)
        return NULL;
    if (t->ndim != 1)
        return fail_shape("temb", "time steps (B)", t);
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

/* ---- conv2d layer --------------------------------------------------------------------------- */

static lt_tensor *conv2d_layer_forward(lt_module *m, lt_graph *g, lt_tensor *x)
{
    lt_conv2d *c = (lt_conv2d *)m;
    int ws[4] = { c->out, c->in, c->k, c->k };
    lt_tensor *w = graph_param(g, &c->p[0], 4, ws);
    lt_tensor *b = w ? graph_param(g, &c->p[1], 1, &c->out) : NULL;
    if (!b)
        return NULL;
    return op_conv2d(g, x, w, b, c->stride, c->pad, c->name);
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
    free(c->weight);
    free(c->weight_grad);
    free(c->bias);
    free(c->bias_grad);
    free(c);
}

static const lt_module_ops conv2d_layer_ops = { "conv2d", conv2d_layer_forward,
                                                conv2d_layer_params, conv2d_layer_describe,
                                                conv2d_layer_free };

lt_module *nn_conv2d(int in, int out, int k, int stride, int pad, rng *r)
{
    if (in < 1 || out < 1 || k < 1 || stride < 1 || pad < 0) {
        lt_fail(LT_ERR_VALUE, "conv2d(%d, %d, k=%d, stride=%d, pad=%d): sizes and stride must be "
                "at least 1, padding at least 0", in, out, k, stride, pad);
        return NULL;
    }
    lt_conv2d *c = calloc(1, sizeof *c);
    size_t fan_in = (size_t)in * k * k, nw = fan_in * out;
    if (c) {
        c->base.ops = &conv2d_layer_ops;
        c->weight = malloc(nw * sizeof(float));
        c->weight_grad = calloc(nw, sizeof(float));
        c->bias = malloc((size_t)out * sizeof(float));
        c->bias_grad = calloc((size_t)out, sizeof(float));
    }
    if (!c || !c->weight || !c->weight_grad || !c->bias || !c->bias_grad) {
        if (c)
            conv2d_layer_free(&c->base);
        lt_fail(LT_ERR_NOMEM, "conv2d(%d, %d): out of memory", in, out);
        return NULL;
    }
    c->in = in;
    c->out = out;
    c->k = k;
    c->stride = stride;
    c->pad = pad;
    if (stride == 1 && pad == (k - 1) / 2)
        snprintf(c->name, sizeof c->name, "conv2d(%d, %d, k=%d)", in, out, k);
    else
        snprintf(c->name, sizeof c->name, "conv2d(%d, %d, k=%d, stride=%d, pad=%d)", in, out, k,
                 stride, pad);
    /* kaiming_uniform(a = sqrt(5)): bound = 1 / sqrt(fan_in), the bias likewise */
    float bound = 1.0f / sqrtf((float)fan_in);
    rng_fill_uniform(r, c->weight, nw, -bound, bound);
    rng_fill_uniform(r, c->bias, (size_t)out, -bound, bound);
    c->p[0] = (lt_param){ c->weight, c->weight_grad, nw, "weight" };
    c->p[1] = (lt_param){ c->bias, c->bias_grad, (size_t)out, "bias" };
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
        return fail_shape(n->name, want, x);
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
        lt_fail(LT_ERR_VALUE, "group_norm(%d, %d): the groups must divide the channels", groups,
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
        lt_fail(LT_ERR_NOMEM, "group_norm(%d, %d): out of memory", groups, channels);
        return NULL;
    }
    n->groups = groups;
    n->channels = channels;
    n->eps = 1e-5f;
    for (int c = 0; c < channels; c++)
        n->weight[c] = 1.0f;
    snprintf(n->name, sizeof n->name, "group_norm(%d, %d)", groups, channels);
    n->p[0] = (lt_param){ n->weight, n->weight_grad, (size_t)channels, "weight" };
    n->p[1] = (lt_param){ n->bias, n->bias_grad, (size_t)channels, "bias" };
    return &n->base;
}
