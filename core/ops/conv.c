/* conv.c: conv2d (im2col + sgemm over the pool's threads, and the direct
 * reference), 2x pooling and upsampling, and the conv2d layer. GroupNorm, the channel
 * add and the time embedding are in conv_norm.c. */
#include "conv.h"
#include "pool.h"
#include "vec.h"
#include "conv_wino.h"
#include "mem.h"
#include "settings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------------------ */

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


size_t conv2d_set_winograd_cols(size_t n)
{
    size_t old = lt_set.conv_winograd_cols;
    lt_set.conv_winograd_cols = n;
    return old;
}

int conv2d_set_winograd(int on)
{
    int old = lt_set.conv_winograd;
    lt_set.conv_winograd = on ? 1 : 0;
    return old;
}

int conv2d_set_rowtap(int on)
{
    int old = lt_set.conv_rowtap;
    lt_set.conv_rowtap = on < 0 ? 0 : on > 2 ? 2 : on;
    return old;
}

void conv2d_set_chunk_floats(size_t n) { lt_set.conv_chunk_floats = n; }
size_t conv2d_chunk_floats(void) { return lt_set.conv_chunk_floats; }

/* The geometry of one convolution. */
typedef struct conv_geom {
    int B, C, H, W, O, kh, kw, stride, pad, Ho, Wo;
    size_t K, P;   /* K = C kh kw rows of the column matrix, P = Ho Wo pixels per image */
    int G;         /* images per chunk */
    int rowtap;      /* 1: the row-tap path, 2: the stride-2 phase path (below); 0: im2col */
    int wino;        /* on the row-tap path, a 3x3 kernel with padding 1 on an image up to
                      * 64 x 64: all three products by Winograd's F(2x2, 3x3) (conv_wino.h),
                      * G images per chunk side by side */
    size_t T;        /* wino: tiles per image (junk ones included) */
    int Wp;          /* row-tap: padded row width W + pad; phase: Wo + 1 */
    int tj;          /* row-tap: kernel columns per sgemm (k or 1); phase: 4 (phases) */
    size_t Np, L;    /* row-tap: H Wp outputs per channel over padded rows; row length of X3;
                      * phase: Ho Wp and the padded phase plane's length */
    int *lo, *hi;    /* (kw): per kernel column j, the ox range [lo, hi) inside the image */
    int *ylo, *yhi;  /* (kh): per kernel row i, the oy range [ylo, yhi) inside the image */
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

/* p[0 .. n) = 0 for the few padding entries of a row (no library call for one or two) */
static inline void zero_few(float *p, int n)
{
    if (n <= 2) {
        if (n > 0)
            p[0] = 0.0f;
        if (n > 1)
            p[1] = 0.0f;
        return;
    }
    memset(p, 0, (size_t)n * sizeof(float));
}

/* The oy range [lo, hi) whose input row oy * stride - pad + i is inside [0, H). */
static void valid_rows(const conv_geom *q, int i, int *lo, int *hi)
{
    conv_geom t = *q;   /* the same computation as valid_cols, on rows */
    t.W = q->H;
    t.Wo = q->Ho;
    valid_cols(&t, i, lo, hi);
}

/* A stride-1 convolution whose output rows are as wide as the input rows: the valid part
 * of one column row of one image is one contiguous run of the input plane. */
static int geom_is_same_width(const conv_geom *q)
{
    return q->stride == 1 && q->Wo == q->W;
}

/* d[ox] = xr[2 ox] for ox in [lo, hi): stride 2 as a constant, which gcc vectorises */
static inline void gather2(float *restrict d, const float *restrict xr, int lo, int hi)
{
    for (int ox = lo; ox < hi; ox++)
        d[ox] = xr[2 * ox];
}

/* xr[2 ox] += d[ox] for ox in [lo, hi) */
static inline void scatter_add2(float *restrict xr, const float *restrict d, int lo, int hi)
{
    for (int ox = lo; ox < hi; ox++)
        xr[2 * ox] += d[ox];
}

/* col (K, n P) = the columns of the n images x (n, C, H, W): row (c, i, j), column
 * (image, oy, ox) holds x[image, c, oy s - pad + i, ox s - pad + j] or 0 outside. */
static void im2col(const conv_geom *q, const float *x, int n, float *col)
{
    size_t N = (size_t)n * q->P, HW = (size_t)q->H * q->W;
    int s = q->stride, same = geom_is_same_width(q);
    for (int c = 0; c < q->C; c++)
        for (int i = 0; i < q->kh; i++)
            for (int j = 0; j < q->kw; j++) {
                float *row = col + ((size_t)(c * q->kh + i) * q->kw + j) * N;
                int lo = q->lo[j], hi = q->hi[j], ylo = q->ylo[i], yhi = q->yhi[i];
                for (int im = 0; im < n; im++) {
                    const float *xc = x + ((size_t)im * q->C + c) * HW;
                    float *dst = row + (size_t)im * q->P;
                    if (ylo > 0)
                        memset(dst, 0, (size_t)ylo * q->Wo * sizeof(float));
                    if (yhi < q->Ho)
                        memset(dst + (size_t)yhi * q->Wo, 0, (size_t)(q->Ho - yhi) * q->Wo * sizeof(float));
                    if (same && yhi > ylo && hi > lo) {
                        /* one run from (ylo, lo) to (yhi - 1, hi - 1), then re-zero the
                         * wrapped-in edges of every row */
                        float *d = dst + (size_t)ylo * q->Wo;
                        const float *xr = xc + (size_t)(ylo - q->pad + i) * q->W - q->pad + j;
                        memcpy(d + lo, xr + lo, ((size_t)(yhi - ylo - 1) * q->W + (hi - lo)) * sizeof(float));
                        for (int oy = ylo; oy < yhi; oy++, d += q->Wo) {
                            zero_few(d, lo);
                            zero_few(d + hi, q->Wo - hi);
                        }
                        continue;
                    }
                    for (int oy = ylo; oy < yhi; oy++) {
                        float *d = dst + (size_t)oy * q->Wo;
                        const float *xr = xc + (size_t)(oy * s - q->pad + i) * q->W - q->pad + j;
                        zero_few(d, lo);
                        if (s == 1)
                            memcpy(d + lo, xr + lo, (size_t)(hi - lo) * sizeof(float));
                        else if (s == 2)
                            gather2(d, xr, lo, hi);
                        else
                            for (int ox = lo; ox < hi; ox++)
                                d[ox] = xr[ox * s];
                        zero_few(d + hi, q->Wo - hi);
                    }
                }
            }
}

/* dx (n, C, H, W) += the column gradient dcol (K, n P) folded back (im2col's adjoint).
 * dcol is scratch: its entries that fall outside the image are overwritten with 0. */
static void col2im(const conv_geom *q, float *dcol, int n, float *dx)
{
    size_t N = (size_t)n * q->P, HW = (size_t)q->H * q->W;
    int s = q->stride, same = geom_is_same_width(q);
    for (int c = 0; c < q->C; c++)
        for (int i = 0; i < q->kh; i++)
            for (int j = 0; j < q->kw; j++) {
                float *row = dcol + ((size_t)(c * q->kh + i) * q->kw + j) * N;
                int lo = q->lo[j], hi = q->hi[j], ylo = q->ylo[i], yhi = q->yhi[i];
                for (int im = 0; im < n; im++) {
                    float *xc = dx + ((size_t)im * q->C + c) * HW;
                    if (same && yhi > ylo && hi > lo) {
                        /* zero the edges that are padding, then add one run */
                        float *d = row + (size_t)im * q->P + (size_t)ylo * q->Wo;
                        for (int oy = ylo; oy < yhi; oy++) {
                            float *e = d + (size_t)(oy - ylo) * q->Wo;
                            zero_few(e, lo);
                            zero_few(e + hi, q->Wo - hi);
                        }
                        float *xr = xc + (size_t)(ylo - q->pad + i) * q->W - q->pad + j;
                        vec_add(xr + lo, d + lo, (size_t)(yhi - ylo - 1) * q->W + (hi - lo));
                        continue;
                    }
                    for (int oy = ylo; oy < yhi; oy++) {
                        const float *d = row + (size_t)im * q->P + (size_t)oy * q->Wo;
                        float *xr = xc + (size_t)(oy * s - q->pad + i) * q->W - q->pad + j;
                        if (s == 1)
                            vec_add(xr + lo, d + lo, (size_t)(hi - lo));
                        else if (s == 2)
                            scatter_add2(xr, d, lo, hi);
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
    float *wr;        /* row-tap: (kh, O, C kw), wr[i][o][c kw + j] = w[o][c][i][j]; or NULL */
    conv_geom q;
} conv_saved;

/* One conv2d pass over the chunks of a batch, shared by the threads. */
typedef struct conv_job {
    const conv_geom *q;
    const float *x, *w, *bias;   /* forward inputs; bias (O) or NULL */
    const float *v;              /* shift (B, O), or residual (B, O, P) if residual, or NULL */
    float *dv;                   /* backward: v's gradient, v's shape, or NULL */
    int residual;                /* v is a residual map added element-wise */
    float *y;                    /* forward: (B, O, P) */
    const float *dy;             /* backward: y's gradient (B, O, P) */
    float *dx;                   /* (B, C, H, W) or NULL */
    int dx_set, dv_set;          /* dx, dv (residual) fresh buffers: write them, don't add */
    int want_dw, want_db;
    float *col[POOL_MAX];    /* per thread: (K, G P) columns */
    float *tmp[POOL_MAX];    /* per thread: (O, G P) gemm output / gathered dy */
    float *dw[POOL_MAX];     /* per part (pool_for_parts): (O, K) partial dw */
    float *db[POOL_MAX];     /* per part: (O) partial bias gradient */
    const float *wr;             /* row-tap: the rearranged weight (kh, O, C kw) */
    const float *U;              /* wino: transformed weights, forward (16, O, C),
                                  * backward (16, C, O) */
    float *wrt;                  /* backward: each block of wr transposed, (C tj, O) */
    float *dwr[POOL_MAX];    /* row-tap: per part, the partial gradient of wr, each
                                  * block transposed, (Kb, O) */
    float *dyt[POOL_MAX];    /* row-tap backward: per thread dy transposed, (Np, O) */
} conv_job;

/* ---- conv2d: the row-tap path ------------------------------------------------------------
 *
 * For stride 1 and k = 2 pad + 1 (the "same" convolutions of a U-Net) the columns need
 * not be built tap by tap. Pad each input plane to rows of Wp = W + pad, pad zeros
 * before each row (which are also the previous row's right padding: a tap reaching past
 * the right edge wraps into them), pad zero rows above and below, and flatten it (with
 * k zeros of slack): Xpad[c]. Output positions run over padded rows too
 * (q = y Wp + x', valid for x' < W), and tap (c, i, j) of position q reads
 * Xpad[c][q + i Wp + j]: for a fixed tap the columns of all positions are one contiguous
 * run of Xpad, and for fixed (i, j) the runs of all channels are rows L apart. So
 *     Yp (O, H Wp) = sum over taps blocks of wr[blk] (O, C tj) . B[blk] (C tj, H Wp)
 * with no column matrix at all when a block is one tap (tj = 1, K = C; X3 = Xpad), or,
 * for few channels, blocks of tj = k kernel columns (K = C k) over X3, which holds Xpad
 * shifted by each j (a third of im2col's data). sgemms with K of 48..100 run fastest
 * here, hence tj = k when C k <= 96, else 1. Backward: dYp (dy on padded rows, zero in
 * the pad columns) gives the weight gradient the same way, and the input gradient comes
 * from the sgemms wr[blk]^T dYp accumulated into one buffer D at each block's offset,
 * then folded over the tj columns of a block (tj adds per element; col2im needs k k). */

static size_t rowtap_len(const conv_geom *q)
{
    return (size_t)(q->H + 2 * q->pad) * q->Wp + q->kw;
}

/* x3 (C tj, L) from one image x (C, H, W): row (c, jj) is Xpad[c] shifted left by jj */
static void rowtap_build(const conv_geom *q, const float *x, float *x3)
{
    int pad = q->pad, W = q->W, Wp = q->Wp, tj = q->tj;
    size_t L = q->L;
    for (int c = 0; c < q->C; c++) {
        float *r0 = x3 + (size_t)c * tj * L;
        memset(r0, 0, (size_t)pad * Wp * sizeof(float));
        for (int y = 0; y < q->H; y++) {
            float *d = r0 + (size_t)(y + pad) * Wp;
            zero_few(d, pad);
            memcpy(d + pad, x + ((size_t)c * q->H + y) * W, (size_t)W * sizeof(float));
        }
        size_t used = (size_t)(q->H + pad) * Wp;
        memset(r0 + used, 0, (L - used) * sizeof(float));
        for (int jj = 1; jj < tj; jj++) {
            float *rj = r0 + (size_t)jj * L;
            memcpy(rj, r0 + jj, (L - jj) * sizeof(float));
            zero_few(rj + L - jj, jj);
        }
    }
}

/* the blocks of taps: kernel row i, kernel columns [jb, jb + tj) for blk = i (k / tj) + jb / tj */
static int rowtap_blocks(const conv_geom *q) { return q->kh * (q->kw / q->tj); }
static size_t rowtap_offset(const conv_geom *q, int blk)
{
    int nb = q->kw / q->tj;
    return (size_t)(blk / nb) * q->Wp + (size_t)(blk % nb) * q->tj;
}

/* Between w (O, C, kh, kw) and wr (blocks, O, C tj): wr[blk][o][c tj + jj] =
 * w[o][c][i][jb + jj]. back = 0: dst (wr) = src (w) rearranged; back = 1: dst (w) +=
 * src (wr) put back. */
static void phase_weights(const conv_geom *q, const float *src, float *dst, int back);

static void rowtap_weights(const conv_geom *q, const float *src, float *dst, int back)
{
    if (q->rowtap == 2) {
        phase_weights(q, src, dst, back);
        return;
    }
    int O = q->O, C = q->C, kh = q->kh, kw = q->kw, tj = q->tj, nb = kw / tj, Kr = C * tj;
    for (int o = 0; o < O; o++)
        for (int c = 0; c < C; c++)
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++) {
                    size_t at = (((size_t)o * C + c) * kh + i) * kw + j;
                    size_t ar = ((size_t)(i * nb + j / tj) * O + o) * Kr + (size_t)c * tj + j % tj;
                    if (back)
                        dst[at] += src[ar];
                    else
                        dst[ar] = src[at];
                }
}

/* dyt (n, O) = dyp (O, n) transposed, in tiles that stay in the L1 cache. The weight
 * gradient's sgemms then take dy as a plain (not transposed) operand, for which OpenBLAS
 * has small-matrix kernels (it packs the transposed products: slower;
 * tests/bench/README.md, "Measurement history", "conv"). */
static void transpose_dy(const float *dyp, float *dyt, int O, size_t n)
{
    enum { T = 16 };
    for (size_t t0 = 0; t0 < n; t0 += T) {
        size_t t1 = t0 + T < n ? t0 + T : n;
        for (int o = 0; o < O; o++) {
            const float *src = dyp + (size_t)o * n;
            for (size_t t = t0; t < t1; t++)
                dyt[t * O + o] = src[t];
        }
    }
}

/* ---- conv2d: the stride-2 phase path ----------------------------------------------------
 *
 * A 3x3 convolution with stride 2 and padding 1 on even-sized images (a U-Net's
 * downsampling) reads input row 2 oy - 1 + i: for i = 0 the odd rows one up, for i = 1
 * the even rows, for i = 2 the odd rows in place; likewise columns. Split each input
 * plane into its four phases x[c][2a + p][2b + q] (each Ho x Wo), pad each with a zero
 * row on top and a zero column on the left (rows of Wp = Wo + 1) and the convolution
 * becomes row-tap-like: output position t = oy Wp + ox (valid for ox < Wo) reads, at
 * offset (di, dj) in {-1, 0}^2, Ppad[t + (di + 1) Wp + dj + 1]. Grouping the nine taps by
 * offset: (0, 0) takes all four phases (K = 4C), (-1, 0) the two with p = 1, (0, -1) the
 * two with q = 1, (-1, -1) phase (1, 1) alone. With the phases stored in the order (1,0),
 * (1,1), (0,1), (0,0) (X4, (4C, L)), each group's rows are contiguous: four sgemms per
 * image, no column matrix (im2col copies every input value 9 / 4 times, with stride-2
 * gathers), and backward scatters the input gradient once instead of nine times. */

/* the phase (p, q) stored in slot s of X4 */
static const int phase_p[4] = { 1, 1, 0, 0 }, phase_q[4] = { 0, 1, 1, 0 };
/* the offset groups: (di, dj), first slot, number of slots */
static const int phase_blk[4][4] = { { 0, 0, 0, 4 }, { -1, 0, 0, 2 }, { 0, -1, 1, 2 },
                                     { -1, -1, 1, 1 } };

/* where group blk starts in wr (O K floats in all) and in a row of X4 */
static size_t phase_wstart(const conv_geom *q, int blk)
{
    size_t at = 0;
    for (int k = 0; k < blk; k++)
        at += (size_t)q->O * phase_blk[k][3] * q->C;
    return at;
}
static size_t phase_offset(const conv_geom *q, int blk)
{
    return (size_t)(phase_blk[blk][0] + 1) * q->Wp + (size_t)(phase_blk[blk][1] + 1);
}

/* Between w (O, C, 3, 3) and wr (groups of (O, nslots C)): wr[blk][o][sr C + c] =
 * w[o][c][i][j] for the tap (i, j) of slot s = first + sr at the group's offset. back = 0:
 * dst (wr) = src (w); back = 1: dst (w) += src (wr). */
static void phase_weights(const conv_geom *q, const float *src, float *dst, int back)
{
    int O = q->O, C = q->C;
    for (int blk = 0; blk < 4; blk++) {
        int di = phase_blk[blk][0], dj = phase_blk[blk][1], s0 = phase_blk[blk][2];
        int ns = phase_blk[blk][3];
        size_t base = phase_wstart(q, blk);
        for (int sr = 0; sr < ns; sr++) {
            int p = phase_p[s0 + sr], qq = phase_q[s0 + sr];
            int i = p == 0 ? 1 : di < 0 ? 0 : 2, jx = qq == 0 ? 1 : dj < 0 ? 0 : 2;
            for (int o = 0; o < O; o++)
                for (int c = 0; c < C; c++) {
                    size_t at = (((size_t)o * C + c) * 3 + i) * 3 + jx;
                    size_t ar = base + (size_t)o * ns * C + (size_t)sr * C + c;
                    if (back)
                        dst[at] += src[ar];
                    else
                        dst[ar] = src[at];
                }
        }
    }
}

/* x4 (4C, L) from one image x (C, H, W): row s C + c is phase s of channel c, padded */
static void phase_build(const conv_geom *q, const float *x, float *x4)
{
    int h = q->Ho, w = q->Wo, Wp = q->Wp, W = q->W;
    size_t L = q->L;
    for (int s = 0; s < 4; s++)
        for (int c = 0; c < q->C; c++) {
            float *r = x4 + ((size_t)s * q->C + c) * L;
            const float *xc = x + (size_t)c * q->H * W + (size_t)phase_p[s] * W + phase_q[s];
            memset(r, 0, (size_t)(Wp + 1) * sizeof(float));   /* top row, first left pad */
            for (int a = 0; a < h; a++) {
                float *d = r + (size_t)(a + 1) * Wp + 1;
                const float *xr = xc + (size_t)2 * a * W;
                for (int b = 0; b < w; b++)
                    d[b] = xr[2 * b];
                d[w] = 0.0f;   /* the next row's left pad (or the slack) */
            }
        }
}

/* y[b] (O, Ho, Wo) = yp (O, Ho rows of Wp, valid for x < Wo) + bias (+ shift or
 * residual): the last pass of the row-tap and phase forwards */
static void padded_out(const conv_job *j, int b, const float *yp)
{
    const conv_geom *q = j->q;
    int O = q->O, Wo = q->Wo, Wp = q->Wp;
    for (int o = 0; o < O; o++) {
        size_t plane = (size_t)b * O + o;
        float add = (j->bias ? j->bias[o] : 0.0f) + (j->v && !j->residual ? j->v[plane] : 0.0f);
        for (int y = 0; y < q->Ho; y++) {
            float *yr = j->y + plane * q->P + (size_t)y * Wo;
            const float *src = yp + (size_t)o * q->Np + (size_t)y * Wp;
            if (j->residual)
                vec_addc_add(yr, src, add, j->v + plane * q->P + (size_t)y * Wo, (size_t)Wo);
            else
                vec_affine(yr, src, 1.0f, add, (size_t)Wo);
        }
    }
}

/* forward of image b on the phase path: y[b] = conv + bias (+ shift or residual) */
static void phase_forward(const conv_job *j, int b, int th)
{
    const conv_geom *q = j->q;
    int O = q->O, C = q->C;
    float *x4 = j->col[th], *yp = j->tmp[th];
    phase_build(q, j->x + (size_t)b * C * q->H * q->W, x4);
    for (int blk = 0; blk < 4; blk++) {
        int Kb = phase_blk[blk][3] * C;
        sgemm_nested(0, 0, O, (int)q->Np, Kb, 1.0f, j->wr + phase_wstart(q, blk), Kb,
                   x4 + (size_t)phase_blk[blk][2] * C * q->L + phase_offset(q, blk), (int)q->L,
                   blk ? 1.0f : 0.0f, yp, (int)q->Np);
    }
    padded_out(j, b, yp);
}

/* dyp (O, Ho rows of Wp) = dy d (O, Ho, Wo) on padded rows, zero in the pad columns: the
 * first pass of the row-tap and phase backwards (padded_out's adjoint) */
static void padded_dy(const conv_geom *q, const float *d, float *dyp)
{
    int Wo = q->Wo, Wp = q->Wp;
    for (int o = 0; o < q->O; o++)
        for (int y = 0; y < q->Ho; y++) {
            float *r = dyp + (size_t)o * q->Np + (size_t)y * Wp;
            memcpy(r, d + (size_t)o * q->P + (size_t)y * Wo, (size_t)Wo * sizeof(float));
            zero_few(r + Wo, Wp - Wo);
        }
}

/* backward of image b on the phase path given its dy d (O, Ho Wo) */
static void phase_backward(const conv_job *j, int b, int th, int p, const float *d)
{
    const conv_geom *q = j->q;
    int O = q->O, C = q->C, Wo = q->Wo, Wp = q->Wp, W = q->W;
    size_t Np = q->Np, L = q->L;
    float *buf = j->col[th], *dyp = j->tmp[th];
    padded_dy(q, d, dyp);
    const float *xb = j->x + (size_t)b * C * q->H * W;
    if (j->want_dw) {   /* dwr[blk]^T (Kb, O) += X4 rows at the group's offset . dYp^T */
        phase_build(q, xb, buf);
        transpose_dy(dyp, j->dyt[th], O, Np);
        for (int blk = 0; blk < 4; blk++) {
            int Kb = phase_blk[blk][3] * C;
            sgemm_nested(0, 0, Kb, O, (int)Np, 1.0f,
                       buf + (size_t)phase_blk[blk][2] * C * L + phase_offset(q, blk), (int)L,
                       j->dyt[th], O, 1.0f, j->dwr[p] + phase_wstart(q, blk), O);
        }
    }
    if (!j->dx)
        return;
    /* D (4C, L) = sum over groups of wr[blk]^T dYp at the group's rows and offset */
    memset(buf, 0, (size_t)4 * C * L * sizeof(float));
    for (int blk = 0; blk < 4; blk++) {
        int Kb = phase_blk[blk][3] * C;
        sgemm_nested(0, 0, Kb, (int)Np, O, 1.0f, j->wrt + phase_wstart(q, blk), O, dyp, (int)Np,
                   1.0f, buf + (size_t)phase_blk[blk][2] * C * L + phase_offset(q, blk), (int)L);
    }
    /* dx[c][2a + p][2b + q] (+)= D[slot(p, q) C + c][(a + 1) Wp + b + 1]: each element once */
    float *dxb = j->dx + (size_t)b * C * q->H * W;
    for (int s = 0; s < 4; s++)
        for (int c = 0; c < C; c++) {
            const float *r = buf + ((size_t)s * C + c) * L;
            float *xc = dxb + (size_t)c * q->H * W + (size_t)phase_p[s] * W + phase_q[s];
            for (int a = 0; a < q->Ho; a++) {
                const float *sr = r + (size_t)(a + 1) * Wp + 1;
                float *xr = xc + (size_t)2 * a * W;
                if (j->dx_set)
                    for (int bb = 0; bb < Wo; bb++)
                        xr[2 * bb] = sr[bb];
                else
                    for (int bb = 0; bb < Wo; bb++)
                        xr[2 * bb] += sr[bb];
            }
        }
}

/* One row of the row-tap fold in one pass: dr[x] = (or +=) sum over jj < tj of
 * d[jj (L - 1) + x], the jj terms added in order (as tj separate passes would). */
static void rowtap_fold_row(float *restrict dr, const float *restrict d, size_t L, int tj, int W,
                            int set)
{
    if (tj == 3) {
        const float *a = d, *b = d + L - 1, *c = d + 2 * (L - 1);
        if (set)
            for (int x = 0; x < W; x++)
                dr[x] = (a[x] + b[x]) + c[x];
        else
            for (int x = 0; x < W; x++)
                dr[x] = ((dr[x] + a[x]) + b[x]) + c[x];
        return;
    }
    for (int jj = 0; jj < tj; jj++) {
        const float *a = d + (size_t)jj * (L - 1);
        if (jj == 0 && set)
            for (int x = 0; x < W; x++)
                dr[x] = a[x];
        else
            for (int x = 0; x < W; x++)
                dr[x] += a[x];
    }
}

/* ---- conv2d: Winograd's F(2x2, 3x3) ------------------------------------------------------
 *
 * On the row-tap path, 3x3 kernels with padding 1 (all but the first and the strided
 * convolutions of a U-Net) take 16 products per tile of 2x2 outputs instead of 36. The
 * sixteen sgemms per image, (O, C) . (C, T), run as fast as the row-tap's (97-112 GFLOP/s
 * on one core with OpenBLAS's small-matrix kernels at these sizes), so the forward and the
 * input gradient take 4/9 of the row-tap's multiplies and a pass of transforms. The weight
 * gradient's sgemms, (O, T) . (T, C), are slower at these sizes (50-90 GFLOP/s: K is the
 * tile count), which 4/9 of the multiplies more than make up for. Images go in chunks of
 * about conv_winograd_cols tiles (settings.h; conv2d_set_winograd_cols), side by side in
 * V, Z and M. */

/* forward of images [b0, b0 + n): y = conv + bias (+ shift or residual). V and M hold the
 * n images side by side (ld = n T), so each sgemm takes them all. */
static void wino_forward(const conv_job *j, int b0, int n, int th)
{
    const conv_geom *q = j->q;
    int O = q->O, C = q->C, N = n * (int)q->T;
    size_t HW = (size_t)q->H * q->W;
    float *V = j->col[th], *M = j->tmp[th];
    for (int im = 0; im < n; im++)
        wino_input(j->x + (size_t)(b0 + im) * C * HW, C, q->H, q->W, V + im * q->T, (size_t)N);
    for (int xi = 0; xi < 16; xi++)   /* M[xi] (O, N) = U[xi] (O, C) V[xi] (C, N) */
        sgemm_nested(0, 0, O, N, C, 1.0f, j->U + (size_t)xi * O * C, C, V + (size_t)xi * C * N, N,
                   0.0f, M + (size_t)xi * O * N, N);
    for (int im = 0; im < n; im++) {
        int b = b0 + im;
        const float *v = j->v ? j->v + (size_t)b * O * (j->residual ? q->P : 1) : NULL;
        wino_output(M + im * q->T, (size_t)N, O, q->H, q->W, j->bias, j->residual ? NULL : v,
                    j->residual ? v : NULL, j->y + (size_t)b * O * q->P, 1);
    }
}

/* weight gradient of images [b0, b0 + n) from their dy d (n, O, H W): part p's dU
 * (16, O, C) += Z[xi] (O, N) V[xi]^T (N, C), N = n T tiles, in its col (V) and tmp (Z) */
static void wino_dw(const conv_job *j, int b0, int n, int th, int p, const float *d)
{
    const conv_geom *q = j->q;
    int O = q->O, C = q->C, N = n * (int)q->T;
    size_t HW = (size_t)q->H * q->W;
    float *V = j->col[th], *Z = j->tmp[th];
    for (int im = 0; im < n; im++) {
        wino_input(j->x + (size_t)(b0 + im) * C * HW, C, q->H, q->W, V + im * q->T, (size_t)N);
        wino_grad(d + (size_t)im * O * HW, O, q->H, q->W, Z + im * q->T, (size_t)N);
    }
    for (int xi = 0; xi < 16; xi++)
        sgemm_nested(0, 1, O, C, N, 1.0f, Z + (size_t)xi * O * N, N, V + (size_t)xi * C * N, N,
                   1.0f, j->dwr[p] + (size_t)xi * O * C, C);
}

/* input gradient of images [b0, b0 + n) from their dy d: the convolution of d with the
 * kernels turned and the channels swapped (j->U is (16, C, O)); in the thread's col and
 * tmp, which the weight gradient no longer needs */
static void wino_dx(const conv_job *j, int b0, int n, int th, const float *d)
{
    const conv_geom *q = j->q;
    int O = q->O, C = q->C, N = n * (int)q->T;
    size_t HW = (size_t)q->H * q->W;
    float *V = j->tmp[th], *M = j->col[th];
    for (int im = 0; im < n; im++)
        wino_input(d + (size_t)im * O * HW, O, q->H, q->W, V + im * q->T, (size_t)N);
    for (int xi = 0; xi < 16; xi++)   /* M[xi] (C, N) = U[xi] (C, O) V[xi] (O, N) */
        sgemm_nested(0, 0, C, N, O, 1.0f, j->U + (size_t)xi * C * O, O, V + (size_t)xi * O * N, N,
                   0.0f, M + (size_t)xi * C * N, N);
    for (int im = 0; im < n; im++)
        wino_output(M + im * q->T, (size_t)N, C, q->H, q->W, NULL, NULL, NULL,
                    j->dx + (size_t)(b0 + im) * C * HW, j->dx_set);
}

/* forward of image b: y[b] = conv + bias (+ shift or residual) */
static void rowtap_forward(const conv_job *j, int b, int th)
{
    const conv_geom *q = j->q;
    if (q->rowtap == 2) {
        phase_forward(j, b, th);
        return;
    }
    int O = q->O, Kr = q->C * q->tj, W = q->W;
    float *x3 = j->col[th], *yp = j->tmp[th];
    rowtap_build(q, j->x + (size_t)b * q->C * q->H * W, x3);
    for (int blk = 0; blk < rowtap_blocks(q); blk++)
        sgemm_nested(0, 0, O, (int)q->Np, Kr, 1.0f, j->wr + (size_t)blk * O * Kr, Kr,
                   x3 + rowtap_offset(q, blk), (int)q->L, blk ? 1.0f : 0.0f, yp, (int)q->Np);
    padded_out(j, b, yp);
}

/* backward of image b given its dy d (O, H W): weight gradient into part p's dwr,
 * input gradient into dx */
static void rowtap_backward(const conv_job *j, int b, int th, int p, const float *d)
{
    const conv_geom *q = j->q;
    if (q->rowtap == 2) {
        phase_backward(j, b, th, p, d);
        return;
    }
    int O = q->O, Kr = q->C * q->tj, W = q->W, Wp = q->Wp, pad = q->pad, nblk = rowtap_blocks(q);
    size_t Np = q->Np, L = q->L;
    float *buf = j->col[th], *dyp = j->tmp[th];
    padded_dy(q, d, dyp);
    if (j->want_dw) {   /* dwr[blk]^T (Kr, O) += X3 at the block's offset . dYp^T */
        rowtap_build(q, j->x + (size_t)b * q->C * q->H * W, buf);
        transpose_dy(dyp, j->dyt[th], O, Np);
        for (int blk = 0; blk < nblk; blk++)
            sgemm_nested(0, 0, Kr, O, (int)Np, 1.0f, buf + rowtap_offset(q, blk), (int)L,
                       j->dyt[th], O, 1.0f, j->dwr[p] + (size_t)blk * O * Kr, O);
    }
    if (!j->dx)
        return;
    /* D (C tj, L): D[(c, jj), t] = sum_blk (wr[blk]^T dYp)[(c, jj), t - offset(blk)];
     * block 0 (offset 0) writes columns [0, Np) of every row, the rest start at zero */
    for (int r = 0; r < Kr; r++)
        memset(buf + (size_t)r * L + Np, 0, (L - Np) * sizeof(float));
    for (int blk = 0; blk < nblk; blk++)
        sgemm_nested(0, 0, Kr, (int)Np, O, 1.0f, j->wrt + (size_t)blk * O * Kr, O, dyp, (int)Np,
                   blk ? 1.0f : 0.0f, buf + rowtap_offset(q, blk), (int)L);
    /* dx[c, y, x] += sum_jj D[(c, jj), (y + pad) Wp + x + pad - jj] */
    float *dxb = j->dx + (size_t)b * q->C * q->H * W;
    for (int c = 0; c < q->C; c++)
        for (int y = 0; y < q->H; y++)
            rowtap_fold_row(dxb + ((size_t)c * q->H + y) * W,
                            buf + (size_t)c * q->tj * L + (size_t)(y + pad) * Wp + pad, L, q->tj,
                            W, j->dx_set);
}

/* Columns of images [b0, b0 + n): x's own floats for a pointwise conv, else im2col into buf. */
static const float *columns(const conv_geom *q, const float *x, int b0, int n, float *buf)
{
    const float *xb = x + (size_t)b0 * q->C * q->H * q->W;
    if (geom_is_pointwise(q) && n == 1)
        return xb;
    im2col(q, xb, n, buf);
    return buf;
}

/* forward of chunk c: y[b0 .. b0 + n) = w (O, K) . columns + bias (+ v). With one image
 * the output planes start as bias (+ v) and the sgemm adds into them (beta 1); with
 * several the sgemm's (O, n P) result is scattered into the images' planes. */
static void conv_forward_task(void *ctx, int c, int th)
{
    const conv_job *j = ctx;
    const conv_geom *q = j->q;
    int b0 = c * q->G, n = q->B - b0 < q->G ? q->B - b0 : q->G;
    if (q->wino) {
        wino_forward(j, b0, n, th);
        return;
    }
    if (q->rowtap) {
        rowtap_forward(j, c, th);
        return;
    }
    size_t N = (size_t)n * q->P, P = q->P;
    const float *cols = columns(q, j->x, b0, n, j->col[th]);
    if (n == 1) {
        float *yb = j->y + (size_t)b0 * q->O * P;
        for (int o = 0; o < q->O; o++) {
            size_t plane = (size_t)b0 * q->O + o;
            float add = (j->bias ? j->bias[o] : 0.0f) + (j->v && !j->residual ? j->v[plane] : 0.0f);
            float *yr = yb + (size_t)o * P;
            if (j->residual)
                vec_affine(yr, j->v + plane * P, 1.0f, add, P);
            else
                for (size_t p = 0; p < P; p++)
                    yr[p] = add;
        }
        sgemm_nested(0, 0, q->O, (int)N, (int)q->K, 1.0f, j->w, (int)q->K, cols, (int)N, 1.0f, yb,
                   (int)N);
        return;
    }
    float *out = j->tmp[th];
    sgemm_nested(0, 0, q->O, (int)N, (int)q->K, 1.0f, j->w, (int)q->K, cols, (int)N, 0.0f, out,
               (int)N);
    for (int im = 0; im < n; im++)
        for (int o = 0; o < q->O; o++) {
            size_t plane = (size_t)(b0 + im) * q->O + o;
            float add = (j->bias ? j->bias[o] : 0.0f) + (j->v && !j->residual ? j->v[plane] : 0.0f);
            float *yr = j->y + plane * P;
            vec_affine(yr, out + (size_t)o * N + (size_t)im * P, 1.0f, add, P);
            if (j->residual)
                vec_add(yr, j->v + plane * P, P);
        }
}

/* backward of chunk c on thread th (its scratch) in part p: bias and weight gradients
 * into part p's partials, the input gradient of the chunk's images into dx. A part's
 * chunks run in order on one thread, and the parts are fixed by the chunk count alone,
 * so the sums do not depend on which thread ran what (nor on how many there are). */
static void conv_backward_task(void *ctx, int c, int th, int p)
{
    const conv_job *j = ctx;
    const conv_geom *q = j->q;
    int b0 = c * q->G, n = q->B - b0 < q->G ? q->B - b0 : q->G;
    size_t N = (size_t)n * q->P, P = q->P, K = q->K;
    const float *d = j->dy + (size_t)b0 * q->O * P;
    if (j->dv && j->residual) {
        float *dvb = j->dv + (size_t)b0 * q->O * P;
        if (j->dv_set)
            memcpy(dvb, d, (size_t)n * q->O * P * sizeof(float));
        else
            vec_add(dvb, d, (size_t)n * q->O * P);
    }
    int shift = j->dv && !j->residual;
    if (j->want_db || shift)
        for (int im = 0; im < n; im++)
            for (int o = 0; o < q->O; o++) {
                float sum = vec_sum(d + ((size_t)im * q->O + o) * P, P);
                if (j->want_db)
                    j->db[p][o] += sum;
                if (shift)
                    j->dv[(size_t)(b0 + im) * q->O + o] += sum;
            }
    if (q->wino) {
        if (j->want_dw)
            wino_dw(j, b0, n, th, p, d);
        if (j->dx)
            wino_dx(j, b0, n, th, d);
        return;
    }
    if (q->rowtap) {
        rowtap_backward(j, b0, th, p, d);
        return;
    }
    if (n > 1) {   /* gather dy of the chunk as (O, n P) */
        float *dyc = j->tmp[th];
        for (int im = 0; im < n; im++)
            for (int o = 0; o < q->O; o++)
                memcpy(dyc + (size_t)o * N + (size_t)im * P, d + ((size_t)im * q->O + o) * P,
                       P * sizeof(float));
        d = dyc;
    }
    if (j->want_dw) {
        const float *cols = columns(q, j->x, b0, n, j->col[th]);
        sgemm_nested(0, 1, q->O, (int)K, (int)N, 1.0f, d, (int)N, cols, (int)N, 1.0f, j->dw[p],
                   (int)K);
    }
    if (j->dx) {
        float *dxb = j->dx + (size_t)b0 * q->C * q->H * q->W;
        if (geom_is_pointwise(q) && n == 1) {
            sgemm_nested(1, 0, (int)K, (int)N, q->O, 1.0f, j->w, (int)K, d, (int)N,
                       j->dx_set ? 0.0f : 1.0f, dxb, (int)N);
            return;
        }
        sgemm_nested(1, 0, (int)K, (int)N, q->O, 1.0f, j->w, (int)K, d, (int)N, 0.0f, j->col[th],
                   (int)N);
        if (j->dx_set)
            memset(dxb, 0, (size_t)n * q->C * q->H * q->W * sizeof(float));
        col2im(q, j->col[th], n, dxb);
    }
}

static int conv_chunks(const conv_geom *q) { return (q->B + q->G - 1) / q->G; }

/* Threads for a pass over q's chunks. */
static int conv_threads(const conv_geom *q)
{
    int t = pool_threads(), c = conv_chunks(q);
    return t < c ? t : c < 1 ? 1 : c;
}

/* Per-thread column and gemm buffers in the arena; 0 when out of memory. */
static int conv_job_buffers(lt_graph *g, conv_job *j, int nt)
{
    const conv_geom *q = j->q;
    size_t N = (size_t)q->G * q->P;
    size_t ncol = q->rowtap ? (size_t)q->C * q->tj * q->L : q->K * N;
    size_t ntmp = q->rowtap ? (size_t)q->O * q->Np : q->G > 1 ? (size_t)q->O * N : 0;
    if (q->wino) {   /* V and M of the forward (C, O) and of the input gradient (O, C) */
        size_t most = (size_t)16 * (q->C > q->O ? q->C : q->O) * q->G * q->T;
        ncol = ncol > most ? ncol : most;
        ntmp = ntmp > most ? ntmp : most;
    }
    for (int t = 0; t < nt; t++) {
        j->col[t] = graph_scratch(g, ncol * sizeof(float));
        j->tmp[t] = ntmp ? graph_scratch(g, ntmp * sizeof(float)) : j->col[t];
        if (!j->col[t] || !j->tmp[t])
            return 0;
    }
    return 1;
}

/* dst = src with each block of the row-tap (or phase) weight layout transposed: back = 0
 * from (O, Kb) to (Kb, O), back = 1 from (Kb, O) to (O, Kb). */
static void rowtap_transpose_blocks(const conv_geom *q, const float *src, float *dst, int back)
{
    int nblk = q->rowtap == 2 ? 4 : rowtap_blocks(q);
    for (int blk = 0; blk < nblk; blk++) {
        size_t at = q->rowtap == 2 ? phase_wstart(q, blk) : (size_t)blk * q->O * q->C * q->tj;
        int Kb = q->rowtap == 2 ? phase_blk[blk][3] * q->C : q->C * q->tj;
        for (int o = 0; o < q->O; o++)
            for (int k = 0; k < Kb; k++) {
                size_t ow = at + (size_t)o * Kb + k, kw = at + (size_t)k * q->O + o;
                if (back)
                    dst[ow] = src[kw];
                else
                    dst[kw] = src[ow];
            }
    }
}

/* Each block (O, Kb) of wr transposed to (Kb, O) in graph scratch memory, so that the
 * input gradient's sgemms are plain products (OpenBLAS takes its small-matrix kernels
 * for those, but packs both operands of every transposed-A product of these sizes). */
static float *rowtap_transpose(lt_graph *g, const conv_geom *q, const float *wr)
{
    float *t = graph_scratch(g, (size_t)q->O * q->K * sizeof(float));
    if (t)
        rowtap_transpose_blocks(q, wr, t, 0);
    return t;
}

/* dw[o][c][i][j] += the parts' dwr at the same tap, in part order */
static void rowtap_add_dw(const conv_geom *q, float *const *dwr, int np, float *tmp, float *dw)
{
    size_t n = (size_t)q->O * q->K;
    for (int t = 1; t < np; t++)
        vec_add(dwr[0], dwr[t], n);
    rowtap_transpose_blocks(q, dwr[0], tmp, 1);   /* the partials are blocks (Kb, O) */
    rowtap_weights(q, tmp, dw, 1);
}

static void conv2d_backward(lt_graph *g, lt_tensor *y)
{
    const conv_saved *sv = y->aux;
    const conv_geom *q = &sv->q;
    float *dw = graph_grad(g, y->in[1]);
    float *db = graph_grad(g, y->in[2]);
    conv_job j = { .q = q, .x = sv->x, .w = sv->w, .wr = sv->wr, .dy = y->grad,
                   .residual = y->iparam[2], .want_dw = dw != NULL, .want_db = db != NULL };
    /* fresh input and residual gradients are written by the tasks, image by image,
     * instead of zeroed here and added to; a per-channel shift (B, O) is summed into */
    j.dx = graph_grad_fresh(g, y->in[0], &j.dx_set);
    if (j.residual && y->in[3] != y->in[0])
        j.dv = graph_grad_fresh(g, y->in[3], &j.dv_set);
    else if (j.residual && j.dx) {   /* conv(x) + x: dx takes both terms */
        if (j.dx_set)
            memset(j.dx, 0, tensor_numel(y->in[0]) * sizeof(float));
        j.dx_set = 0;
        j.dv = j.dx;
    } else
        j.dv = graph_grad(g, y->in[3]);
    if ((!j.dx && !dw && !db && !j.dv) || q->B == 0)
        return;
    int nt = conv_threads(q);
    if (!conv_job_buffers(g, &j, nt))
        return;   /* graph_backward reports the lack of memory */
    if (q->wino && j.dx) {
        float *u = graph_scratch(g, (size_t)16 * q->O * q->C * sizeof(float));
        if (!u)
            return;
        wino_weights(sv->w, q->O, q->C, 1, u);
        j.U = u;
    } else if (q->rowtap && j.dx && !(j.wrt = rowtap_transpose(g, q, sv->wr)))
        return;
    for (int t = 0; q->rowtap && !q->wino && dw && t < nt; t++)
        if (!(j.dyt[t] = graph_scratch(g, (size_t)q->Np * q->O * sizeof(float))))
            return;
    /* wino: the partials are dU (16, O, C); one per part, not per thread */
    size_t nw = q->wino ? (size_t)16 * q->O * q->C : (size_t)q->O * q->K;
    int np = pool_parts(conv_chunks(q));
    for (int t = 0; t < np; t++) {
        /* im2col: part 0 adds into dw itself; row-tap: every part has a dwr */
        j.dw[t] = t == 0 && !q->rowtap ? dw : dw ? graph_scratch(g, nw * sizeof(float)) : NULL;
        j.dwr[t] = j.dw[t];
        j.db[t] = db ? graph_scratch(g, (size_t)q->O * sizeof(float)) : NULL;
        if ((dw && !j.dw[t]) || (db && !j.db[t]))
            return;
        if ((t > 0 || q->rowtap) && dw)
            memset(j.dw[t], 0, nw * sizeof(float));
        if (db)
            memset(j.db[t], 0, (size_t)q->O * sizeof(float));
    }
    pool_for_parts(conv_chunks(q), conv_backward_task, &j);
    if (dw && q->wino) {
        for (int t = 1; t < np; t++)
            vec_add(j.dwr[0], j.dwr[t], nw);
        wino_weights_grad(j.dwr[0], q->O, q->C, dw);
    } else if (dw && q->rowtap) {
        float *tmp = graph_scratch(g, nw * sizeof(float));
        if (!tmp)
            return;
        rowtap_add_dw(q, j.dwr, np, tmp, dw);
    }
    for (int t = 0; t < np; t++) {
        if (dw && t > 0 && !q->rowtap)
            vec_add(dw, j.dw[t], nw);
        if (db)
            vec_add(db, j.db[t], (size_t)q->O);
    }
}

static const lt_opdef conv2d_def = { "conv2d", conv2d_backward };

/* Checks the shapes of op_conv2d and fills q; LT_OK or lt_fail naming the op. */
static lt_status conv_check(const lt_tensor *x, const lt_tensor *w, const lt_tensor *b,
                            const lt_tensor *v, int stride, int pad, const char *name,
                            conv_geom *q)
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
        conv_fail_shape(name, want, x);
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
    if (v && !(v->ndim == 2 && v->shape[0] == x->shape[0] && v->shape[1] == w->shape[0])
        && !(v->ndim == 4 && v->shape[0] == x->shape[0] && v->shape[1] == w->shape[0]
             && v->shape[2] == q->Ho && v->shape[3] == q->Wo))
        return lt_fail(LT_ERR_SHAPE, "%s: the added term must be (%d, %d) or (%d, %d, %d, %d), "
                       "got %s", name, x->shape[0], w->shape[0], x->shape[0], w->shape[0], q->Ho,
                       q->Wo, tensor_shape_str(v, sw, sizeof sw));
    q->K = (size_t)q->C * q->kh * q->kw;
    q->P = (size_t)q->Ho * q->Wo;
    size_t per = q->K * q->P;
    size_t G = per ? lt_set.conv_chunk_floats / per : 1;
    if (geom_is_pointwise(q))
        G = 1;   /* x is its own column matrix: no copies (faster; see "conv" in the
                    measurement history of tests/bench/README.md) */
    int one_channel = q->C == 1 && lt_set.conv_rowtap == 1;
    if (one_channel)
        G = 1;   /* see below */
    q->G = G < 1 ? 1 : G > (size_t)q->B ? q->B : (int)G;
    if (q->G < 1)
        q->G = 1;
    q->Wp = q->W + pad;   /* row-tap: rows share their left and right padding */
    q->Np = (size_t)q->H * q->Wp;
    /* One input channel (a U-Net's first conv): im2col one image per sgemm (K = k k) beat
     * the row-tap (K = k) and chunks of images (unet_step --conv-sweep;
     * tests/bench/README.md, "Measurement history", "conv"). */
    int rowtap = lt_set.conv_rowtap;
    q->rowtap = rowtap && !one_channel && stride == 1 && q->kh == q->kw && q->kh == 2 * pad + 1 && q->kh > 1
                && (rowtap == 2 || 5 * q->Np <= 6 * q->P);   /* padded rows: <= 20% more */
    if (q->rowtap) {
        q->G = 1;
        q->L = rowtap_len(q);
        q->tj = q->C * q->kw <= 96 ? q->kw : 1;
        q->wino = lt_set.conv_winograd && q->kh == 3 && q->H <= WINO_MAX && q->W <= WINO_MAX;
        q->T = wino_tiles(q->H, q->W);
        if (q->wino) {   /* chunks of about conv_winograd_cols tiles: the sgemms' N, or K for dw */
            size_t g = lt_set.conv_winograd_cols / q->T;
            q->G = g < 1 ? 1 : g > (size_t)q->B ? q->B : (int)g;
        }
    } else if (lt_set.conv_rowtap && stride == 2 && pad == 1 && q->kh == 3 && q->kw == 3
               && q->H % 2 == 0 && q->W % 2 == 0) {   /* the phase path */
        q->rowtap = 2;
        q->G = 1;
        q->tj = 4;
        q->Wp = q->Wo + 1;
        q->Np = (size_t)q->Ho * q->Wp;
        q->L = (size_t)(q->Ho + 1) * q->Wp + 1;
    }
    return LT_OK;
}

lt_tensor *op_conv2d_plus(lt_graph *g, lt_tensor *x, lt_tensor *w, lt_tensor *b, lt_tensor *v,
                          int stride, int pad, const char *name)
{
    if (!x || !w)
        return NULL;
    conv_saved *sv = graph_alloc(g, sizeof *sv);
    if (!sv || conv_check(x, w, b, v, stride, pad, name, &sv->q) != LT_OK)
        return NULL;
    conv_geom *q = &sv->q;
    q->lo = graph_alloc(g, (size_t)(2 * q->kw + 2 * q->kh) * sizeof(int));
    if (!q->lo)
        return NULL;
    q->hi = q->lo + q->kw;
    q->ylo = q->hi + q->kw;
    q->yhi = q->ylo + q->kh;
    for (int j = 0; j < q->kw; j++)
        valid_cols(q, j, &q->lo[j], &q->hi[j]);
    for (int i = 0; i < q->kh; i++)
        valid_rows(q, i, &q->ylo[i], &q->yhi[i]);
    int ys[4] = { q->B, q->O, q->Ho, q->Wo };
    lt_tensor *y = graph_tensor(g, 4, ys);
    sv->x = y ? conv_contig(g, x) : NULL;
    sv->w = sv->x ? conv_contig(g, w) : NULL;
    sv->wr = NULL;
    float *u = NULL;
    if (q->wino && sv->w) {   /* U (16, O, C) */
        if (!(u = graph_alloc(g, (size_t)16 * q->O * q->C * sizeof(float))))
            return NULL;
        wino_weights(sv->w, q->O, q->C, 0, u);
    } else if (q->rowtap && sv->w) {   /* wr[blk][o][c tj + jj] = w[o][c][i][jb + jj] */
        if (!(sv->wr = graph_alloc(g, (size_t)q->O * q->K * sizeof(float))))
            return NULL;
        rowtap_weights(q, sv->w, sv->wr, 0);
    }
    conv_job j = { .q = q, .x = sv->x, .w = sv->w, .wr = sv->wr, .U = u, .y = y ? y->data : NULL,
                   .residual = v && v->ndim == 4 };
    j.bias = b && sv->w ? conv_contig(g, b) : NULL;
    j.v = v && sv->w ? conv_contig(g, v) : NULL;
    if (!sv->w || (b && !j.bias) || (v && !j.v) || !conv_job_buffers(g, &j, conv_threads(q)))
        return NULL;
    if (q->B > 0)
        pool_for(conv_chunks(q), conv_forward_task, &j);
    y->iparam[0] = stride;
    y->iparam[1] = pad;
    y->iparam[2] = j.residual;
    y->aux = sv;
    lt_tensor *in[4] = { x, w, b, v };
    return graph_record(g, y, &conv2d_def, in, 4);
}

lt_tensor *op_conv2d(lt_graph *g, lt_tensor *x, lt_tensor *w, lt_tensor *b, int stride,
                     int pad, const char *name)
{
    return op_conv2d_plus(g, x, w, b, NULL, stride, pad, name);
}

/* ---- pooling and upsampling ---------------------------------------------------------------- */

/* Plane kernels between a small (H, W) plane and a large (2H, 2W) one. */

/* small = mean of each 2x2 window of large (avgpool2 forward) */
static void pool_plane(const float *large, float *small, int H, int W)
{
    for (int i = 0; i < H; i++)
        for (int j = 0; j < W; j++) {
            const float *a = large + (2 * i) * 2 * W + 2 * j;
            small[i * W + j] = 0.25f * (a[0] + a[1] + a[2 * W] + a[2 * W + 1]);
        }
}

/* large += each small value / 4 over its 2x2 window (avgpool2 backward) */
static void unpool_plane(const float *small, float *large, int H, int W)
{
    for (int i = 0; i < H; i++)
        for (int j = 0; j < W; j++) {
            float v = 0.25f * small[i * W + j];
            float *a = large + (2 * i) * 2 * W + 2 * j;
            a[0] += v;
            a[1] += v;
            a[2 * W] += v;
            a[2 * W + 1] += v;
        }
}

/* large = each small value repeated over its 2x2 window (upsample2 forward) */
static void up_plane(const float *small, float *large, int H, int W)
{
    for (int i = 0; i < H; i++) {
        float *r0 = large + (2 * i) * 2 * W;
        for (int j = 0; j < W; j++)
            r0[2 * j] = r0[2 * j + 1] = small[i * W + j];
        memcpy(r0 + 2 * W, r0, (size_t)(2 * W) * sizeof(float));
    }
}

/* small += the sum of each 2x2 window of large (upsample2 backward) */
static void down_sum_plane(const float *large, float *small, int H, int W)
{
    for (int i = 0; i < H; i++)
        for (int j = 0; j < W; j++) {
            const float *a = large + (2 * i) * 2 * W + 2 * j;
            small[i * W + j] += a[0] + a[1] + a[2 * W] + a[2 * W + 1];
        }
}

/* small = the sum of each 2x2 window of large (upsample2 backward into a fresh buffer) */
static void down_set_plane(const float *large, float *small, int H, int W)
{
    for (int i = 0; i < H; i++)
        for (int j = 0; j < W; j++) {
            const float *a = large + (2 * i) * 2 * W + 2 * j;
            small[i * W + j] = a[0] + a[1] + a[2 * W] + a[2 * W + 1];
        }
}

/* One pass of a resampling op, image by image over the threads. */
typedef struct resample_job {
    const float *src;
    float *dst;
    int C, H, W;         /* channels and the small side's plane (H, W) */
    int src_is_small;    /* src planes are (H, W) and dst planes (2H, 2W), or the reverse */
    void (*plane)(const float *src, float *dst, int H, int W);
} resample_job;

static void resample_task(void *ctx, int i, int th)
{
    const resample_job *j = ctx;
    size_t small = (size_t)j->H * j->W, large = 4 * small;
    (void)th;
    for (int c = 0; c < j->C; c++) {
        size_t p = (size_t)i * j->C + c;
        j->plane(j->src + p * (j->src_is_small ? small : large),
                 j->dst + p * (j->src_is_small ? large : small), j->H, j->W);
    }
}

static void resample(int B, int C, int H, int W, const float *src, float *dst, int src_is_small,
                     void (*plane)(const float *, float *, int, int))
{
    resample_job j = { src, dst, C, H, W, src_is_small, plane };
    pool_for(B, resample_task, &j);
}

static void avgpool2_backward(lt_graph *g, lt_tensor *y)
{
    float *dx = graph_grad(g, y->in[0]);
    if (dx)
        resample(y->shape[0], y->shape[1], y->shape[2], y->shape[3], y->grad, dx, 1, unpool_plane);
}

static const lt_opdef avgpool2_def = { "avgpool2", avgpool2_backward };

lt_tensor *op_avgpool2(lt_graph *g, lt_tensor *x)
{
    if (!x)
        return NULL;
    if (x->ndim != 4 || x->shape[2] % 2 || x->shape[3] % 2)
        return conv_fail_shape("avgpool2", "(B, C, H, W) with H and W even", x);
    int ys[4] = { x->shape[0], x->shape[1], x->shape[2] / 2, x->shape[3] / 2 };
    lt_tensor *y = graph_tensor(g, 4, ys);
    const float *xd = y ? conv_contig(g, x) : NULL;
    if (!xd)
        return NULL;
    resample(ys[0], ys[1], ys[2], ys[3], xd, y->data, 0, pool_plane);
    lt_tensor *in[1] = { x };
    return graph_record(g, y, &avgpool2_def, in, 1);
}

static void upsample2_backward(lt_graph *g, lt_tensor *y)
{
    int fresh;
    float *dx = graph_grad_fresh(g, y->in[0], &fresh);
    if (dx)
        resample(y->shape[0], y->shape[1], y->shape[2] / 2, y->shape[3] / 2, y->grad, dx, 0,
                 fresh ? down_set_plane : down_sum_plane);
}

static const lt_opdef upsample2_def = { "upsample2", upsample2_backward };

lt_tensor *op_upsample2(lt_graph *g, lt_tensor *x)
{
    if (!x)
        return NULL;
    if (x->ndim != 4)
        return conv_fail_shape("upsample2", "(B, C, H, W)", x);
    int ys[4] = { x->shape[0], x->shape[1], 2 * x->shape[2], 2 * x->shape[3] };
    lt_tensor *y = graph_tensor(g, 4, ys);
    const float *xd = y ? conv_contig(g, x) : NULL;
    if (!xd)
        return NULL;
    resample(ys[0], ys[1], x->shape[2], x->shape[3], xd, y->data, 1, up_plane);
    lt_tensor *in[1] = { x };
    return graph_record(g, y, &upsample2_def, in, 1);
}

/* ---- upsample2 and concat in one pass ------------------------------------------------------ */

/* One pass of op_upsample2_concat over image i: a (B, Ca, H, W), b and y as in the op. */
typedef struct upcat_job {
    const float *a, *b;   /* forward inputs */
    float *y;             /* forward (B, Ca + Cb, 2H, 2W) */
    const float *gy;      /* backward: y's gradient */
    float *da, *db;       /* backward: or NULL */
    int da_set, db_set;   /* fresh buffers: write, don't add */
    int Ca, Cb, H, W;
} upcat_job;

static void upcat_forward_task(void *ctx, int i, int th)
{
    const upcat_job *j = ctx;
    size_t small = (size_t)j->H * j->W, large = 4 * small, C = (size_t)j->Ca + j->Cb;
    float *yi = j->y + (size_t)i * C * large;
    (void)th;
    for (int c = 0; c < j->Ca; c++)
        up_plane(j->a + ((size_t)i * j->Ca + c) * small, yi + (size_t)c * large, j->H, j->W);
    memcpy(yi + (size_t)j->Ca * large, j->b + (size_t)i * j->Cb * large,
           (size_t)j->Cb * large * sizeof(float));
}

static void upcat_backward_task(void *ctx, int i, int th)
{
    const upcat_job *j = ctx;
    size_t small = (size_t)j->H * j->W, large = 4 * small, C = (size_t)j->Ca + j->Cb;
    const float *gi = j->gy + (size_t)i * C * large;
    (void)th;
    if (j->da)
        for (int c = 0; c < j->Ca; c++)
            (j->da_set ? down_set_plane : down_sum_plane)(gi + (size_t)c * large,
                                                          j->da + ((size_t)i * j->Ca + c) * small,
                                                          j->H, j->W);
    if (j->db) {
        float *dbi = j->db + (size_t)i * j->Cb * large;
        if (j->db_set)
            memcpy(dbi, gi + (size_t)j->Ca * large, (size_t)j->Cb * large * sizeof(float));
        else
            vec_add(dbi, gi + (size_t)j->Ca * large, (size_t)j->Cb * large);
    }
}

static void upsample2_concat_backward(lt_graph *g, lt_tensor *y)
{
    lt_tensor *a = y->in[0], *b = y->in[1];
    upcat_job j = { .gy = y->grad, .Ca = a->shape[1], .Cb = b->shape[1], .H = a->shape[2],
                    .W = a->shape[3] };
    j.da = graph_grad_fresh(g, a, &j.da_set);
    if (b == a) {   /* (only when H = W = 0, no elements) */
        j.db = j.da;
        j.db_set = j.da_set = 0;
    } else
        j.db = graph_grad_fresh(g, b, &j.db_set);
    if (j.da || j.db)
        pool_for(y->shape[0], upcat_backward_task, &j);
}

static const lt_opdef upsample2_concat_def = { "upsample2_concat", upsample2_concat_backward };

lt_tensor *op_upsample2_concat(lt_graph *g, lt_tensor *a, lt_tensor *b)
{
    char sa[64], sb[64];
    if (!a || !b)
        return NULL;
    if (a->ndim != 4 || b->ndim != 4 || b->shape[0] != a->shape[0]
        || b->shape[2] != 2 * a->shape[2] || b->shape[3] != 2 * a->shape[3]) {
        lt_fail(LT_ERR_SHAPE, "upsample2_concat: expected a (B, Ca, H, W) and b (B, Cb, 2H, 2W), "
                "got %s and %s", tensor_shape_str(a, sa, sizeof sa), tensor_shape_str(b, sb, sizeof sb));
        return NULL;
    }
    int ys[4] = { a->shape[0], a->shape[1] + b->shape[1], b->shape[2], b->shape[3] };
    lt_tensor *y = graph_tensor(g, 4, ys);
    upcat_job j = { .y = y ? y->data : NULL, .Ca = a->shape[1], .Cb = b->shape[1],
                    .H = a->shape[2], .W = a->shape[3] };
    j.a = y ? conv_contig(g, a) : NULL;
    j.b = j.a ? conv_contig(g, b) : NULL;
    if (!j.b)
        return NULL;
    pool_for(ys[0], upcat_forward_task, &j);
    lt_tensor *in[2] = { a, b };
    return graph_record(g, y, &upsample2_concat_def, in, 2);
}

/* ---- helpers of the conv ops and layers (conv.h) ------------------------------------------------------------------------ */

const float *conv_contig(lt_graph *g, const lt_tensor *x)
{
    if (tensor_is_contiguous(x))
        return x->data;
    float *p = graph_alloc(g, tensor_numel(x) * sizeof(float));
    if (p)
        tensor_copy_out(x, p);
    return p;
}

lt_tensor *conv_fail_shape(const char *what, const char *expected, const lt_tensor *x)
{
    char sx[64];
    lt_fail(LT_ERR_SHAPE, "%s: expected %s, got %s", what, expected,
            tensor_shape_str(x, sx, sizeof sx));
    return NULL;
}
