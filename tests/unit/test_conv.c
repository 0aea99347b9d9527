/* test_conv.c: conv2d against the direct reference (forward and backward, many shapes and
 * chunkings), finite-difference gradient checks of every op of conv.h, GroupNorm against
 * its definition, the time embedding against hand values, and the layers' init. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "conv_layers.h"
#include "pool.h"
#include "vec.h"
#include "graph.h"
#include "rng.h"
#include "tensor.h"

static lt_tensor *randt(rng *r, int ndim, const int *shape, float scale)
{
    lt_tensor *t = tensor_new(ndim, shape);
    rng_fill_normal(r, t->data, tensor_numel(t), 0.0f, scale);
    return t;
}

static double max_abs_diff(const float *a, const float *b, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs((double)a[i] - b[i]));
    return m;
}

/* ---- conv2d vs the direct reference ---------------------------------------------------- */

typedef struct conv_case { int B, C, H, W, O, k, stride, pad; } conv_case;

static const conv_case cases[] = {
    { 2, 3, 7, 5, 4, 3, 1, 1 },   /* odd sizes, same padding */
    { 3, 2, 9, 8, 5, 3, 2, 1 },   /* stride 2, padding 1, odd height */
    { 2, 3, 8, 7, 2, 3, 2, 0 },   /* stride 2, no padding */
    { 2, 4, 6, 6, 3, 1, 1, 0 },   /* 1x1 pointwise */
    { 1, 1, 5, 5, 1, 5, 1, 0 },   /* kernel as large as the image: 1x1 output */
    { 4, 2, 6, 5, 3, 2, 1, 1 },   /* even kernel, padding beyond */
    { 3, 16, 7, 7, 8, 3, 1, 1 },  /* U-Net-like bottom level */
    { 2, 5, 11, 9, 3, 3, 3, 2 },  /* stride 3, padding 2 */
    { 2, 2, 6, 7, 3, 5, 1, 2 },   /* 5x5 same padding */
    { 2, 2, 1, 1, 3, 3, 1, 1 },   /* a 1x1 image under a padded 3x3 kernel */
    { 2, 3, 2, 3, 2, 3, 1, 1 },   /* fewer rows than the kernel */
    { 2, 3, 6, 12, 4, 3, 1, 1 },  /* wide: the row-tap path by default */
    { 2, 2, 5, 20, 3, 5, 1, 2 },  /* 5x5, wide */
    { 3, 16, 14, 14, 8, 3, 1, 1 },/* U-Net-like middle level */
    { 1, 2, 2, 3, 2, 7, 1, 3 },   /* a 7x7 kernel wider than the image */
    { 2, 40, 6, 12, 3, 3, 1, 1 }, /* many channels: row-tap one tap per sgemm */
    { 2, 40, 3, 2, 2, 5, 1, 2 },  /* the same with a 5x5 kernel on a tiny image */
    { 2, 3, 8, 6, 4, 3, 2, 1 },   /* stride 2, padding 1, even: the phase path */
    { 3, 5, 4, 10, 3, 3, 2, 1 },  /* the same, wide */
    { 2, 2, 2, 2, 3, 3, 2, 1 },   /* the same, a 2x2 image: one output */
    { 2, 16, 14, 14, 8, 3, 2, 1 },/* U-Net-like downsampling */
};

/* op_conv2d forward and backward against conv2d_naive_* for one case and chunking. */
static void check_conv_case(const conv_case *c, size_t chunk, rng *r)
{
    int xs[4] = { c->B, c->C, c->H, c->W }, ws[4] = { c->O, c->C, c->k, c->k };
    int Ho = conv2d_out_size(c->H, c->k, c->stride, c->pad);
    int Wo = conv2d_out_size(c->W, c->k, c->stride, c->pad);
    lt_tensor *x = randt(r, 4, xs, 1.0f), *w = randt(r, 4, ws, 0.5f), *b = randt(r, 1, &c->O, 0.5f);
    size_t ny = (size_t)c->B * c->O * Ho * Wo, nx = tensor_numel(x), nw = tensor_numel(w);
    float *yref = calloc(ny, sizeof(float)), *dy = malloc(ny * sizeof(float));
    float *dxr = calloc(nx, sizeof(float)), *dwr = calloc(nw, sizeof(float));
    float *dbr = calloc(c->O, sizeof(float));
    float *dwp = calloc(nw, sizeof(float)), *dbp = calloc(c->O, sizeof(float));
    float *dxp = calloc(nx, sizeof(float));
    rng_fill_normal(r, dy, ny, 0.0f, 1.0f);
    conv2d_naive_forward(x->data, w->data, b->data, yref, c->B, c->C, c->H, c->W, c->O, c->k,
                         c->k, c->stride, c->pad);
    conv2d_naive_backward(x->data, w->data, dy, dxr, dwr, dbr, c->B, c->C, c->H, c->W, c->O,
                          c->k, c->k, c->stride, c->pad);

    conv2d_set_chunk_floats(chunk);
    /* via 0: x is a leaf, whose gradient conv adds to; via 1: x goes through an exact
     * identity op first, so conv writes a fresh gradient buffer instead */
    for (int via = 0; via < 2; via++) {
        memset(dxp, 0, nx * sizeof(float));
        memset(dwp, 0, nw * sizeof(float));
        memset(dbp, 0, (size_t)c->O * sizeof(float));
        lt_graph *g = graph_new();
        lt_param px = { x->data, dxp, nx, "x", NULL }, pw = { w->data, dwp, nw, "w", NULL };
        lt_param pb = { b->data, dbp, (size_t)c->O, "b", NULL };
        lt_tensor *lx = graph_param(g, &px, 4, xs), *lw = graph_param(g, &pw, 4, ws);
        lt_tensor *lb = graph_param(g, &pb, 1, &c->O);
        lt_tensor *y = op_conv2d(g, via ? op_affine(g, lx, 1.0f, 0.0f) : lx, lw, lb, c->stride,
                                 c->pad, NULL);
        CHECK(y != NULL);
        if (y) {
            CHECK(y->ndim == 4 && y->shape[0] == c->B && y->shape[1] == c->O && y->shape[2] == Ho
                  && y->shape[3] == Wo);
            CHECK(max_abs_diff(y->data, yref, ny) < 1e-4);
            lt_param ps[3] = { px, pw, pb };
            CHECK(graph_backward_from(g, y, dy, ps, 3) == LT_OK);
            CHECK(max_abs_diff(dxp, dxr, nx) < 1e-4);
            CHECK(max_abs_diff(dwp, dwr, nw) < 1e-3);
            CHECK(max_abs_diff(dbp, dbr, c->O) < 1e-3);
        }
        graph_free(g);
    }
    conv2d_set_chunk_floats(65536);
    free(yref); free(dy); free(dxr); free(dwr); free(dbr); free(dwp); free(dbp); free(dxp);
    tensor_free(x); tensor_free(w); tensor_free(b);
}

static void test_conv_vs_naive(void)
{
    rng r;
    rng_seed(&r, 1);
    size_t chunks[3] = { 0, 300, (size_t)1 << 30 };   /* one image, a few, the whole batch */
    int threads0 = pool_get_threads(), rowtap0 = conv2d_set_rowtap(1);
    int wino0 = conv2d_set_winograd(1);
    size_t cols0 = conv2d_set_winograd_cols(64);
    for (int nt = 1; nt <= 3; nt += 2)   /* the pool's threads: none, and three */
        for (int rt = 0; rt <= 2; rt++)   /* im2col only, row-tap where cheap, row-tap always */
            for (int wi = 0; wi <= 2; wi++) {   /* Winograd: off, on, on in chunks of 40 tiles */
                sgemm_set_threads(nt);
                conv2d_set_rowtap(rt);
                conv2d_set_winograd(wi > 0);
                conv2d_set_winograd_cols(wi == 2 ? 40 : cols0);
                for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
                    for (int k = 0; k < 3; k++) {
                        int before = check_failed;
                        check_conv_case(&cases[i], chunks[k], &r);
                        if (check_failed != before)
                            fprintf(stderr, "  conv case %zu, chunk %zu, %d threads, rowtap %d, "
                                    "winograd %d\n", i, chunks[k], nt, rt, wi);
                    }
            }
    sgemm_set_threads(threads0);
    conv2d_set_rowtap(rowtap0);
    conv2d_set_winograd(wino0);
    conv2d_set_winograd_cols(cols0);
}

/* y, dx, dw of conv2d(x, w, b) (3x3, stride 1, padding 1) with dy as the output gradient */
static void conv_run(const lt_tensor *x, const lt_tensor *w, const lt_tensor *b, const float *dy,
                     float *y, float *dx, float *dw)
{
    size_t nx = tensor_numel(x), nw = tensor_numel(w);
    float *db = calloc((size_t)w->shape[0], sizeof(float));
    memset(dx, 0, nx * sizeof(float));
    memset(dw, 0, nw * sizeof(float));
    lt_graph *g = graph_new();
    lt_param px = { x->data, dx, nx, "x", NULL }, pw = { w->data, dw, nw, "w", NULL };
    lt_param pb = { b->data, db, (size_t)w->shape[0], "b", NULL };
    lt_tensor *out = op_conv2d(g, graph_param(g, &px, 4, x->shape), graph_param(g, &pw, 4, w->shape),
                               graph_param(g, &pb, 1, b->shape), 1, 1, NULL);
    CHECK(out != NULL);
    lt_param ps[3] = { px, pw, pb };
    if (out) {
        memcpy(y, out->data, tensor_numel(out) * sizeof(float));
        CHECK(graph_backward_from(g, out, dy, ps, 3) == LT_OK);
    }
    graph_free(g);
    free(db);
}

/* ---- the same bits on any thread count and any timing --------------------------------- */

typedef struct bits_case { int B, C, H, W, O, k, stride, pad, groups; } bits_case;

/* dw and db (appended) of one op of case c: conv2d(x, w, b), or group_norm(x) (groups > 0,
 * w and b of size C) with dy as the output gradient; dx too, in out + nw + nb */
static void bits_run(const bits_case *c, const lt_tensor *x, const lt_tensor *w, const lt_tensor *b,
                     const float *dy, float *out)
{
    size_t nx = tensor_numel(x), nw = tensor_numel(w), nb = tensor_numel(b);
    memset(out, 0, (nw + nb + nx) * sizeof(float));
    lt_param ps[3] = { { x->data, out + nw + nb, nx, "x", NULL }, { w->data, out, nw, "w", NULL },
                       { b->data, out + nw, nb, "b", NULL } };
    lt_graph *g = graph_new();
    lt_tensor *gx = graph_param(g, &ps[0], 4, x->shape), *gw = graph_param(g, &ps[1], w->ndim, w->shape),
              *gb = graph_param(g, &ps[2], 1, b->shape);
    lt_tensor *y = c->groups ? op_group_norm(g, gx, c->groups, gw, gb, 1e-5f, 1, NULL)
                             : op_conv2d(g, gx, gw, gb, c->stride, c->pad, NULL);
    CHECK(y && graph_backward_from(g, y, dy, ps, 3) == LT_OK);
    graph_free(g);
}

/* The gradients of conv2d and group_norm sum over the images of a batch; the pool hands
 * images (chunks) to threads first come, first served, so per-thread partial sums were
 * added in an order that depended on timing: a small conv net trained to a different
 * loss now and then at batch 192 (1.296315 / 1.296313). Every path (im2col with one
 * channel, Winograd, row-tap, the stride-2 phase path, im2col chunks, GroupNorm) at
 * batch 192, run on 1 thread, then again and again on 2 and 3: the same bits. */
static void test_conv_bits_any_threads(void)
{
    static const bits_case cases[] = {
        { 192, 1, 28, 28, 32, 3, 1, 1, 0 },   /* the first conv of a small MNIST net */
        { 192, 32, 14, 14, 64, 3, 1, 1, 0 },  /* its second: Winograd */
        { 192, 8, 12, 12, 8, 5, 1, 2, 0 },    /* row-tap */
        { 192, 8, 12, 12, 8, 3, 2, 1, 0 },    /* stride 2: the phase path */
        { 192, 3, 10, 10, 8, 3, 1, 0, 0 },    /* im2col, several images per chunk */
        { 192, 16, 8, 8, 16, 0, 0, 0, 4 },    /* GroupNorm + SiLU */
    };
    int threads0 = pool_get_threads();
    rng r;
    rng_seed(&r, 77);
    for (size_t ci = 0; ci < sizeof cases / sizeof *cases; ci++) {
        const bits_case *c = &cases[ci];
        int xs[4] = { c->B, c->C, c->H, c->W }, ws[4] = { c->O, c->C, c->k, c->k };
        int nbias = c->groups ? c->C : c->O;
        lt_tensor *x = randt(&r, 4, xs, 1.0f);
        lt_tensor *w = c->groups ? randt(&r, 1, &nbias, 1.0f) : randt(&r, 4, ws, 0.2f);
        lt_tensor *b = randt(&r, 1, &nbias, 0.1f);
        int Ho = c->groups ? c->H : conv2d_out_size(c->H, c->k, c->stride, c->pad);
        int Wo = c->groups ? c->W : conv2d_out_size(c->W, c->k, c->stride, c->pad);
        size_t ny = (size_t)c->B * (c->groups ? c->C : c->O) * Ho * Wo;
        size_t n = tensor_numel(w) + tensor_numel(b) + tensor_numel(x);
        float *dy = malloc(ny * sizeof(float)), *ref = malloc(n * sizeof(float)),
              *got = malloc(n * sizeof(float));
        rng_fill_normal(&r, dy, ny, 0.0f, 1.0f);
        sgemm_set_threads(1);
        bits_run(c, x, w, b, dy, ref);
        int same = 1;
        for (int rep = 0; rep < 4; rep++)
            for (int nt = 2; nt <= 3; nt++) {
                sgemm_set_threads(nt);
                bits_run(c, x, w, b, dy, got);
                same &= memcmp(ref, got, n * sizeof(float)) == 0;
            }
        if (!same)
            fprintf(stderr, "  case %zu (B %d, C %d, %dx%d, O %d, k %d, stride %d, groups %d): "
                    "the gradients differ between runs\n", ci, c->B, c->C, c->H, c->W, c->O, c->k,
                    c->stride, c->groups);
        CHECK(same);
        free(dy);
        free(ref);
        free(got);
        tensor_free(x);
        tensor_free(w);
        tensor_free(b);
    }
    sgemm_set_threads(threads0);
}

static double max_abs(const float *a, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs((double)a[i]));
    return m;
}

/* Winograd's F(2x2, 3x3) (the default for 3x3 same convolutions up to 64 x 64: forward,
 * input and weight gradients) against the direct reference and against the row-tap
 * sgemms: within float rounding of the sums, not the same bits (so it ran); beyond 64 wide
 * the row-tap path, the same bits with it on or off */
static void test_winograd(void)
{
    static const conv_case wc[] = {
        { 2, 96, 14, 14, 32, 3, 1, 1 }, { 2, 48, 28, 28, 16, 3, 1, 1 }, { 1, 3, 64, 64, 2, 3, 1, 1 },
        { 2, 5, 9, 13, 7, 3, 1, 1 },    { 3, 16, 7, 7, 8, 3, 1, 1 },    { 5, 3, 14, 14, 4, 3, 1, 1 },
        { 1, 3, 65, 9, 2, 3, 1, 1 },
        { 1, 4, 9, 65, 3, 3, 1, 1 },
    };
    rng r;
    rng_seed(&r, 11);
    int wino0 = conv2d_set_winograd(1);
    size_t cols0 = conv2d_set_winograd_cols(64);
    for (size_t i = 0; i < sizeof wc / sizeof wc[0]; i++) {
        const conv_case *c = &wc[i];
        int xs[4] = { c->B, c->C, c->H, c->W }, ws[4] = { c->O, c->C, 3, 3 };
        lt_tensor *x = randt(&r, 4, xs, 1.0f), *w = randt(&r, 4, ws, 0.5f), *b = randt(&r, 1, &c->O, 0.5f);
        size_t ny = (size_t)c->B * c->O * c->H * c->W, nx = tensor_numel(x), nw = tensor_numel(w);
        float *dy = malloc(ny * sizeof(float)), *ref[3], *got[3][3];
        rng_fill_normal(&r, dy, ny, 0.0f, 1.0f);
        size_t n[3] = { ny, nx, nw };
        for (int k = 0; k < 3; k++) {
            ref[k] = calloc(n[k], sizeof(float));
            for (int on = 0; on < 3; on++)
                got[on][k] = malloc(n[k] * sizeof(float));
        }
        float *dbr = calloc((size_t)c->O, sizeof(float));
        conv2d_naive_forward(x->data, w->data, b->data, ref[0], c->B, c->C, c->H, c->W, c->O, 3, 3, 1, 1);
        conv2d_naive_backward(x->data, w->data, dy, ref[1], ref[2], dbr, c->B, c->C, c->H, c->W, c->O,
                              3, 3, 1, 1);
        for (int on = 0; on < 3; on++) {   /* off; on, one image per chunk; on, chunks */
            conv2d_set_winograd(on > 0);
            conv2d_set_winograd_cols(on == 2 ? 256 : 1);   /* several images per chunk or one */
            conv_run(x, w, b, dy, got[on][0], got[on][1], got[on][2]);
            for (int k = 0; k < 3; k++) {
                double err = max_abs_diff(got[on][k], ref[k], n[k]), scale = max_abs(ref[k], n[k]);
                CHECK(err <= 2e-6 * scale);
                if (err > 2e-6 * scale)
                    fprintf(stderr, "  winograd %d case %zu out %d: error %g of %g\n", on, i, k, err, scale);
            }
        }
        int wide = c->H > 64 || c->W > 64;
        for (int on = 1; on < 3; on++)
            for (int k = 0; k < 3; k++)   /* y, dx, dw */
                CHECK(wide == (memcmp(got[0][k], got[on][k], n[k] * sizeof(float)) == 0));
        for (int k = 0; k < 3; k++) {
            free(ref[k]);
            for (int on = 0; on < 3; on++)
                free(got[on][k]);
        }
        free(dy);
        free(dbr);
        tensor_free(x); tensor_free(w); tensor_free(b);
    }
    conv2d_set_winograd(wino0);
    conv2d_set_winograd_cols(cols0);
}

/* a strided (non-contiguous) input gives the same result as its contiguous copy */
static void test_conv_strided_input(void)
{
    rng r;
    rng_seed(&r, 2);
    int xs[4] = { 2, 3, 6, 6 }, ws[4] = { 4, 3, 3, 3 }, four = 4;
    lt_tensor *x = randt(&r, 4, xs, 1.0f), *w = randt(&r, 4, ws, 0.5f), *b = randt(&r, 1, &four, 0.5f);
    lt_graph *g = graph_new();
    ptrdiff_t st[4] = { x->stride[0], x->stride[1], x->stride[3], x->stride[2] };
    lt_tensor *xt = graph_view(g, x, x->data, 4, xs, st);   /* transposed H and W */
    lt_tensor *xc = graph_tensor(g, 4, xs);
    tensor_copy_out(xt, xc->data);
    lt_tensor *y1 = op_conv2d(g, xt, w, b, 1, 1, NULL), *y2 = op_conv2d(g, xc, w, b, 1, 1, NULL);
    CHECK(y1 && y2 && max_abs_diff(y1->data, y2->data, tensor_numel(y1)) == 0.0);
    graph_free(g);
    tensor_free(x); tensor_free(w); tensor_free(b);
}

static void test_conv_errors(void)
{
    rng r;
    rng_seed(&r, 3);
    int xs[4] = { 2, 3, 5, 5 }, ws[4] = { 4, 2, 3, 3 }, ws2[4] = { 4, 3, 7, 7 }, three = 3;
    lt_tensor *x = randt(&r, 4, xs, 1.0f), *w = randt(&r, 4, ws, 1.0f), *w2 = randt(&r, 4, ws2, 1.0f);
    lt_tensor *b = randt(&r, 1, &three, 1.0f);
    lt_graph *g = graph_new();
    CHECK(op_conv2d(g, x, w, NULL, 1, 1, "conv2d(2, 4, k=3)") == NULL);
    CHECK_STR(lt_errmsg(), "conv2d(2, 4, k=3): expected input (B, 2, H, W), got (2, 3, 5, 5)");
    CHECK(op_conv2d(g, x, w2, NULL, 1, 0, NULL) == NULL);
    CHECK(strstr(lt_errmsg(), "does not fit") != NULL);
    CHECK(op_conv2d(g, x, w2, b, 1, 3, NULL) == NULL);
    CHECK(strstr(lt_errmsg(), "bias must be (4), got (3)") != NULL);
    CHECK(op_conv2d(g, x, w2, NULL, 0, 3, NULL) == NULL);
    CHECK(op_conv2d(g, NULL, w2, NULL, 1, 3, NULL) == NULL);
    CHECK(op_avgpool2(g, x) == NULL);   /* odd H, W */
    CHECK(strstr(lt_errmsg(), "avgpool2") != NULL);
    CHECK(op_group_norm(g, x, 2, NULL, NULL, 1e-5f, 0, NULL) == NULL);
    CHECK(strstr(lt_errmsg(), "2 groups do not divide 3 channels") != NULL);
    CHECK(op_add_channel(g, x, b) == NULL);
    CHECK(op_temb(g, b, 5) == NULL);
    graph_free(g);
    tensor_free(x); tensor_free(w); tensor_free(w2); tensor_free(b);
}

/* ---- finite-difference gradient checks -------------------------------------------------- */

/* 1 if graph_check_grad's worst relative error is below tol. Ops linear in each input
 * (conv, pooling, upsampling, adds) take a large eps: their central differences are exact
 * but for float rounding, which a large step divides down; GroupNorm takes a small one. */
static int check_fd(graph_check_fn f, void *ctx, lt_tensor **in, int n, float eps, double tol)
{
    double err = 1.0;
    int wi = -1;
    size_t wj = 0;
    lt_status st = graph_check_grad(f, ctx, in, n, NULL, eps, &err, &wi, &wj);
    CHECK(st == LT_OK);
    if (err >= tol)
        fprintf(stderr, "  worst gradient error %g at input %d element %zu\n", err, wi, wj);
    return st == LT_OK && err < tol;
}

static lt_tensor *f_conv(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    const int *sp = ctx;
    return op_conv2d(g, in[0], in[1], n > 2 ? in[2] : NULL, sp[0], sp[1], NULL);
}

static lt_tensor *f_conv_plus(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n; (void)ctx;
    return op_conv2d_plus(g, in[0], in[1], in[2], in[3], 1, 1, NULL);
}

/* conv2d_plus adds v[b, o] to every pixel of output channel o of image b, or a residual
 * map element-wise; with one image per sgemm (chunk 0) and with several */
static void check_conv_plus(size_t chunk)
{
    rng r;
    rng_seed(&r, 11);
    conv2d_set_chunk_floats(chunk);
    int xs[4] = { 2, 3, 5, 4 }, ws[4] = { 2, 3, 3, 3 }, two = 2, vs[2] = { 2, 2 };
    lt_tensor *in[4] = { randt(&r, 4, xs, 1.0f), randt(&r, 4, ws, 0.5f), randt(&r, 1, &two, 0.5f),
                         randt(&r, 2, vs, 1.0f) };
    CHECK(check_fd(f_conv_plus, NULL, in, 4, 0.5f, 1e-3));
    lt_graph *g = graph_new();
    lt_tensor *y0 = op_conv2d(g, in[0], in[1], in[2], 1, 1, NULL);
    lt_tensor *y1 = op_conv2d_plus(g, in[0], in[1], in[2], in[3], 1, 1, NULL);
    double worst = 0.0;
    for (int b = 0; b < 2; b++)
        for (int o = 0; o < 2; o++)
            for (int p = 0; p < 20; p++) {
                size_t at = (size_t)(b * 2 + o) * 20 + p;
                worst = fmax(worst, fabs(y1->data[at] - y0->data[at] - in[3]->data[b * 2 + o]));
            }
    CHECK(worst < 1e-6);
    CHECK(op_conv2d_plus(g, in[0], in[1], in[2], in[2], 1, 1, "c") == NULL);
    CHECK_STR(lt_errmsg(), "c: the added term must be (2, 2) or (2, 2, 5, 4), got (2)");
    /* a residual (B, O, Ho, Wo) is added element-wise */
    int rs[4] = { 2, 2, 5, 4 };
    lt_tensor *res = randt(&r, 4, rs, 1.0f);
    lt_tensor *y2 = op_conv2d_plus(g, in[0], in[1], in[2], res, 1, 1, NULL);
    worst = 0.0;
    for (size_t i = 0; y2 && i < 80; i++)
        worst = fmax(worst, fabs(y2->data[i] - y0->data[i] - res->data[i]));
    CHECK(y2 && worst < 1e-6);
    lt_tensor *in2[4] = { in[0], in[1], in[2], res };
    CHECK(check_fd(f_conv_plus, NULL, in2, 4, 0.5f, 1e-3));
    tensor_free(res);
    graph_free(g);
    for (int k = 0; k < 4; k++)
        tensor_free(in[k]);
    conv2d_set_chunk_floats(65536);
}

static lt_tensor *f_conv_self(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n; (void)ctx;
    return op_conv2d_plus(g, in[0], in[1], in[2], in[0], 1, 1, NULL);
}

/* a residual that is the input itself: conv(x) + x, whose x gradient has both terms, also
 * when x is an intermediate node (a fresh gradient buffer) */
static lt_tensor *f_conv_self_via(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n; (void)ctx;
    lt_tensor *x = op_affine(g, in[0], 1.0f, 0.0f);
    return op_conv2d_plus(g, x, in[1], in[2], x, 1, 1, NULL);
}

static void check_conv_self(void)
{
    rng r;
    rng_seed(&r, 12);
    int xs[4] = { 2, 3, 5, 4 }, ws[4] = { 3, 3, 3, 3 }, three = 3;
    lt_tensor *in[3] = { randt(&r, 4, xs, 1.0f), randt(&r, 4, ws, 0.5f), randt(&r, 1, &three, 0.5f) };
    CHECK(check_fd(f_conv_self, NULL, in, 3, 0.5f, 1e-3));
    CHECK(check_fd(f_conv_self_via, NULL, in, 3, 0.5f, 1e-3));
    for (int k = 0; k < 3; k++)
        tensor_free(in[k]);
}

static void test_conv_plus(void)
{
    check_conv_self();
    check_conv_plus(0);
    check_conv_plus(65536);
    int old = conv2d_set_rowtap(2);   /* the shift and the residual on the row-tap path */
    check_conv_plus(0);
    check_conv_self();
    conv2d_set_rowtap(old);
}

static void test_conv_grad(void)
{
    rng r;
    rng_seed(&r, 4);
    int xs[4] = { 2, 3, 5, 6 }, ws[4] = { 2, 3, 3, 3 }, two = 2;
    lt_tensor *in[3] = { randt(&r, 4, xs, 1.0f), randt(&r, 4, ws, 0.5f), randt(&r, 1, &two, 0.5f) };
    int sp[2][2] = { { 1, 1 }, { 2, 0 } };
    for (int k = 0; k < 2; k++)
        CHECK(check_fd(f_conv, sp[k], in, 3, 0.5f, 1e-3));
    CHECK(check_fd(f_conv, sp[0], in, 2, 0.5f, 1e-3));   /* no bias */
    for (int k = 0; k < 3; k++)
        tensor_free(in[k]);
}

static lt_tensor *f_pool(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n; (void)ctx;
    return op_avgpool2(g, in[0]);
}

static lt_tensor *f_up(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n; (void)ctx;
    return op_upsample2(g, in[0]);
}

static lt_tensor *f_addc(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n; (void)ctx;
    return op_add_channel(g, in[0], in[1]);
}

static void test_pool_up_add_grad(void)
{
    rng r;
    rng_seed(&r, 5);
    int xs[4] = { 2, 3, 4, 6 }, vs[2] = { 2, 3 };
    lt_tensor *x = randt(&r, 4, xs, 1.0f), *v = randt(&r, 2, vs, 1.0f);
    lt_tensor *in[2] = { x, v };
    CHECK(check_fd(f_pool, NULL, in, 1, 0.5f, 1e-3));
    CHECK(check_fd(f_up, NULL, in, 1, 0.5f, 1e-3));
    CHECK(check_fd(f_addc, NULL, in, 2, 0.5f, 1e-3));
    /* values: pooling averages a 2x2 window, upsampling repeats, add_channel adds v[b, c] */
    lt_graph *g = graph_new();
    lt_tensor *p = op_avgpool2(g, x), *u = op_upsample2(g, x), *a = op_add_channel(g, x, v);
    const float *xd = x->data;
    CHECK_NEAR(p->data[0], 0.25 * (xd[0] + xd[1] + xd[6] + xd[7]), 1e-6);
    CHECK_NEAR(p->data[tensor_offset4(p, 1, 2, 1, 2)],
               0.25 * (xd[tensor_offset4(x, 1, 2, 2, 4)] + xd[tensor_offset4(x, 1, 2, 2, 5)]
                       + xd[tensor_offset4(x, 1, 2, 3, 4)] + xd[tensor_offset4(x, 1, 2, 3, 5)]), 1e-6);
    CHECK(u->shape[2] == 8 && u->shape[3] == 12);
    CHECK(u->data[tensor_offset4(u, 1, 1, 5, 7)] == xd[tensor_offset4(x, 1, 1, 2, 3)]);
    CHECK(u->data[tensor_offset4(u, 0, 2, 6, 0)] == xd[tensor_offset4(x, 0, 2, 3, 0)]);
    CHECK(a->data[tensor_offset4(a, 1, 2, 3, 5)]
          == xd[tensor_offset4(x, 1, 2, 3, 5)] + v->data[1 * 3 + 2]);
    graph_free(g);
    tensor_free(x); tensor_free(v);
}

static lt_tensor *f_upcat(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n; (void)ctx;
    return op_upsample2_concat(g, in[0], in[1]);
}

/* the same through identity ops, so the op writes fresh gradient buffers; with *ctx = 1, a
 * also feeds an upsample2 created after the op (whose backward runs first, writing a's
 * fresh gradient, to which the op then adds) */
static lt_tensor *f_upcat_via(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n;
    lt_tensor *a = op_affine(g, in[0], 1.0f, 0.0f), *b = op_affine(g, in[1], 1.0f, 0.0f);
    lt_tensor *y = op_upsample2_concat(g, a, b);
    if (!*(const int *)ctx)
        return y;
    lt_tensor *u = op_upsample2(g, op_affine(g, a, 0.5f, 0.0f));
    int ny = (int)tensor_numel(y), nu = (int)tensor_numel(u);
    lt_tensor *xs[2] = { op_reshape(g, y, 1, &ny), op_reshape(g, u, 1, &nu) };
    return op_concat(g, xs, 2, 0);
}

/* op_upsample2_concat is concat(upsample2(a), b) exactly, values and gradients */
static void test_upsample2_concat(void)
{
    rng r;
    rng_seed(&r, 13);
    int as[4] = { 2, 3, 3, 2 }, bs[4] = { 2, 2, 6, 4 };
    lt_tensor *a = randt(&r, 4, as, 1.0f), *b = randt(&r, 4, bs, 1.0f);
    lt_tensor *in[2] = { a, b };
    CHECK(check_fd(f_upcat, NULL, in, 2, 0.5f, 1e-3));
    lt_graph *g = graph_new();
    lt_tensor *y = op_upsample2_concat(g, a, b);
    lt_tensor *xs[2] = { op_upsample2(g, a), b };
    lt_tensor *ref = op_concat(g, xs, 2, 1);
    CHECK(y && ref && y->shape[1] == 5 && y->shape[2] == 6 && y->shape[3] == 4);
    CHECK(y && ref && memcmp(y->data, ref->data, tensor_numel(ref) * sizeof(float)) == 0);
    CHECK(op_upsample2_concat(g, b, a) == NULL);
    CHECK_STR(lt_errmsg(), "upsample2_concat: expected a (B, Ca, H, W) and b (B, Cb, 2H, 2W), "
              "got (2, 2, 6, 4) and (2, 3, 3, 2)");
    graph_free(g);
    tensor_free(a); tensor_free(b);
}

static void test_upsample2_concat_via(void)
{
    rng r;
    rng_seed(&r, 14);
    int as[4] = { 2, 3, 3, 2 }, bs[4] = { 2, 2, 6, 4 };
    lt_tensor *a = randt(&r, 4, as, 1.0f), *b = randt(&r, 4, bs, 1.0f);
    lt_tensor *in[2] = { a, b };
    for (int mixed = 0; mixed < 2; mixed++)
        CHECK(check_fd(f_upcat_via, &mixed, in, 2, 0.5f, 1e-3));
    tensor_free(a); tensor_free(b);
}

/* via 1: x goes through an identity op first, so GroupNorm writes a fresh dx */
typedef struct gn_ctx { int groups, silu, affine, via; } gn_ctx;

static lt_tensor *f_gn(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    const gn_ctx *c = ctx;
    (void)n;
    lt_tensor *x = c->via ? op_affine(g, in[0], 1.0f, 0.0f) : in[0];
    return op_group_norm(g, x, c->groups, c->affine ? in[1] : NULL, c->affine ? in[2] : NULL,
                         1e-5f, c->silu, NULL);
}

static void test_group_norm_grad(void)
{
    rng r;
    rng_seed(&r, 6);
    int xs[4] = { 2, 4, 3, 3 }, four = 4;
    lt_tensor *x = randt(&r, 4, xs, 2.0f);
    for (size_t i = 0; i < tensor_numel(x); i++)
        x->data[i] += 1.0f;   /* a nonzero mean */
    lt_tensor *w = randt(&r, 1, &four, 1.0f), *b = randt(&r, 1, &four, 1.0f);
    lt_tensor *in[3] = { x, w, b };
    for (int groups = 1; groups <= 4; groups *= 2)
        for (int silu = 0; silu < 2; silu++) {
            gn_ctx c = { groups, silu, 1, 0 };
            CHECK(check_fd(f_gn, &c, in, 3, 1e-2f, 1e-2));
            gn_ctx c0 = { groups, silu, 0, 0 };
            CHECK(check_fd(f_gn, &c0, in, 1, 1e-2f, 1e-2));
            gn_ctx cv = { groups, silu, 1, 1 };
            CHECK(check_fd(f_gn, &cv, in, 3, 1e-2f, 1e-2));
        }
    /* 2-D input (B, C): H = W = 1. One group of 4: with 2 groups a group is 2 values,
       normalised to +-1, and a central difference of step 1e-2 is only right while the
       two stay more than that apart, which depended on the random draw. */
    int x2s[2] = { 3, 4 };
    lt_tensor *x2 = randt(&r, 2, x2s, 1.0f);
    lt_tensor *in2[3] = { x2, w, b };
    gn_ctx c2 = { 1, 1, 1, 0 };
    CHECK(check_fd(f_gn, &c2, in2, 3, 1e-2f, 1e-2));
    tensor_free(x); tensor_free(w); tensor_free(b); tensor_free(x2);
}

/* GroupNorm (+ SiLU) by its definition in double: L = sum_i r_i y_i for (B, C, HW) x */
static double gn_loss_double(const double *x, const double *w, const double *b, const float *r,
                             int B, int C, int HW, int G, int silu)
{
    int cpg = C / G;
    double L = 0.0;
    for (int n = 0; n < B; n++)
        for (int k = 0; k < G; k++) {
            double m = 0.0, v = 0.0;
            for (int c = k * cpg; c < (k + 1) * cpg; c++)
                for (int i = 0; i < HW; i++)
                    m += x[(n * C + c) * HW + i];
            m /= cpg * HW;
            for (int c = k * cpg; c < (k + 1) * cpg; c++)
                for (int i = 0; i < HW; i++)
                    v += (x[(n * C + c) * HW + i] - m) * (x[(n * C + c) * HW + i] - m);
            v /= cpg * HW;
            for (int c = k * cpg; c < (k + 1) * cpg; c++)
                for (int i = 0; i < HW; i++) {
                    int at = (n * C + c) * HW + i;
                    double e = (x[at] - m) / sqrt(v + 1e-5) * w[c] + b[c];
                    L += r[at] * (silu ? e / (1.0 + exp(-e)) : e);
                }
        }
    return L;
}

/* GroupNorm's backward (float) against central differences of the double definition,
 * which are accurate to ~1e-9: the strict check that float finite differences cannot be */
static void test_group_norm_grad_double(void)
{
    enum { B = 2, C = 4, HW = 21, G = 2, NX = B * C * HW };   /* vector bodies and tails */
    rng r;
    rng_seed(&r, 12);
    int xs[4] = { B, C, 3, 7 }, four = C;
    lt_tensor *x = randt(&r, 4, xs, 1.5f), *w = randt(&r, 1, &four, 1.0f), *b = randt(&r, 1, &four, 1.0f);
    float rw[NX];
    rng_fill_normal(&r, rw, NX, 0.0f, 1.0f);
    for (int silu = 0; silu < 2; silu++) {
        float gx[NX] = { 0 }, gw[C] = { 0 }, gb[C] = { 0 };
        lt_param ps[3] = { { x->data, gx, NX, "x", NULL }, { w->data, gw, C, "w", NULL }, { b->data, gb, C, "b", NULL } };
        lt_graph *g = graph_new();
        lt_tensor *y = op_group_norm(g, graph_param(g, &ps[0], 4, xs), G, graph_param(g, &ps[1], 1, &four),
                                     graph_param(g, &ps[2], 1, &four), 1e-5f, silu, NULL);
        CHECK(y && graph_backward_from(g, y, rw, ps, 3) == LT_OK);
        double xd[NX], wd[C], bd[C], worst = 0.0, scale = 0.0;
        for (int i = 0; i < NX; i++)
            xd[i] = x->data[i];
        for (int c = 0; c < C; c++) {
            wd[c] = w->data[c];
            bd[c] = b->data[c];
        }
        double *vars[3] = { xd, wd, bd };
        float *grads[3] = { gx, gw, gb };
        int sizes[3] = { NX, C, C };
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < sizes[k]; i++) {
                double keep = vars[k][i], h = 1e-6;
                vars[k][i] = keep + h;
                double lp = gn_loss_double(xd, wd, bd, rw, B, C, HW, G, silu);
                vars[k][i] = keep - h;
                double lm = gn_loss_double(xd, wd, bd, rw, B, C, HW, G, silu);
                vars[k][i] = keep;
                double num = (lp - lm) / (2 * h);
                worst = fmax(worst, fabs(grads[k][i] - num));
                scale = fmax(scale, fabs(num));
            }
        CHECK(worst < 1e-5 * fmax(1.0, scale));
        if (!(worst < 1e-5 * fmax(1.0, scale)))
            fprintf(stderr, "  group_norm silu=%d: worst |analytic - numeric| %g (scale %g)\n",
                    silu, worst, scale);
        graph_free(g);
    }
    tensor_free(x); tensor_free(w); tensor_free(b);
}

/* GroupNorm's values by its definition, computed here in double */
static void test_group_norm_values(void)
{
    rng r;
    rng_seed(&r, 7);
    int B = 3, C = 6, H = 4, W = 5, G = 3, cpg = C / G, HW = H * W;
    int xs[4] = { B, C, H, W };
    lt_tensor *x = randt(&r, 4, xs, 3.0f), *w = randt(&r, 1, &C, 1.0f), *b = randt(&r, 1, &C, 1.0f);
    lt_graph *g = graph_new();
    lt_tensor *y = op_group_norm(g, x, G, w, b, 1e-5f, 0, NULL);
    lt_tensor *z = op_group_norm(g, x, G, w, b, 1e-5f, 1, NULL);
    double worst = 0.0, worst_silu = 0.0;
    for (int n = 0; n < B; n++)
        for (int k = 0; k < G; k++) {
            double m = 0.0, v = 0.0;
            for (int c = k * cpg; c < (k + 1) * cpg; c++)
                for (int i = 0; i < HW; i++)
                    m += x->data[(n * C + c) * HW + i];
            m /= cpg * HW;
            for (int c = k * cpg; c < (k + 1) * cpg; c++)
                for (int i = 0; i < HW; i++) {
                    double d = x->data[(n * C + c) * HW + i] - m;
                    v += d * d;
                }
            v /= cpg * HW;
            for (int c = k * cpg; c < (k + 1) * cpg; c++)
                for (int i = 0; i < HW; i++) {
                    int at = (n * C + c) * HW + i;
                    double e = (x->data[at] - m) / sqrt(v + 1e-5) * w->data[c] + b->data[c];
                    worst = fmax(worst, fabs(e - y->data[at]));
                    worst_silu = fmax(worst_silu, fabs(e / (1.0 + exp(-e)) - z->data[at]));
                }
        }
    CHECK(worst < 1e-5);
    CHECK(worst_silu < 1e-5);
    graph_free(g);
    tensor_free(x); tensor_free(w); tensor_free(b);
}

/* ---- time embedding --------------------------------------------------------------------- */

static void test_temb(void)
{
    float tv[3] = { 0.0f, 1.0f, 999.0f };
    int three = 3;
    lt_tensor *t = tensor_from(1, &three, tv);
    lt_graph *g = graph_new();
    lt_tensor *e = op_temb(g, t, 4);   /* f = 1, 10000^(-1/2) = 0.01 */
    CHECK(e && e->shape[0] == 3 && e->shape[1] == 4);
    CHECK_NEAR(e->data[0], 0.0, 1e-7);
    CHECK_NEAR(e->data[2], 1.0, 1e-7);
    CHECK_NEAR(e->data[3], 1.0, 1e-7);
    CHECK_NEAR(e->data[4], sin(1.0), 1e-6);
    CHECK_NEAR(e->data[5], sin(0.01), 1e-6);
    CHECK_NEAR(e->data[6], cos(1.0), 1e-6);
    CHECK_NEAR(e->data[7], cos(0.01), 1e-6);
    CHECK_NEAR(e->data[8 + 1], sin(9.99), 1e-4);
    lt_tensor *e64 = op_temb(g, t, 64);   /* row 2, column 5: sin(999 * 10000^(-5/32)) */
    CHECK_NEAR(e64->data[2 * 64 + 5], sin(999.0 * pow(10000.0, -5.0 / 32.0)), 2e-4);
    CHECK_NEAR(e64->data[2 * 64 + 32 + 31], cos(999.0 * pow(10000.0, -31.0 / 32.0)), 2e-4);
    CHECK(!e64->requires_grad && e64->op == NULL);
    graph_free(g);
    tensor_free(t);
}

/* ---- layers -------------------------------------------------------------------------------- */

static void test_layers(void)
{
    rng r;
    rng_seed(&r, 8);
    lt_module *c = nn_conv2d(16, 32, 3, 2, 1, &r);
    CHECK(c != NULL);
    CHECK(nn_param_count(c) == 32 * 16 * 9 + 32);
    lt_conv2d *cc = (lt_conv2d *)c;
    float bound = 1.0f / sqrtf(16 * 9), lo = 1.0f, hi = -1.0f;
    for (int i = 0; i < 32 * 16 * 9; i++) {
        lo = fminf(lo, cc->weight[i]);
        hi = fmaxf(hi, cc->weight[i]);
    }
    CHECK(lo >= -bound && hi <= bound && lo < -0.9f * bound && hi > 0.9f * bound);
    for (int i = 0; i < 32; i++)
        CHECK(fabsf(cc->bias[i]) <= bound);
    char buf[96];
    CHECK_STR(nn_describe(c, buf, sizeof buf), "conv2d(16, 32, k=3, stride=2)");

    lt_module *n = nn_group_norm(4, 16);
    CHECK(n && nn_param_count(n) == 32);
    CHECK_STR(nn_describe(n, buf, sizeof buf), "groupnorm(4, 16)");
    CHECK(((lt_group_norm *)n)->weight[5] == 1.0f && ((lt_group_norm *)n)->bias[5] == 0.0f);
    CHECK(nn_group_norm(3, 16) == NULL);
    CHECK(nn_conv2d(0, 3, 3, 1, 1, &r) == NULL);

    int xs[4] = { 2, 16, 8, 8 };
    lt_tensor *x = randt(&r, 4, xs, 1.0f);
    lt_graph *g = graph_new();
    lt_tensor *y = nn_group_norm_forward(n, g, nn_forward(c, g, graph_input(g, x)), 0);
    CHECK(y == NULL);   /* group_norm(4, 16) given 32 channels */
    CHECK_STR(lt_errmsg(), "groupnorm(4, 16): expected input (B, 16, H, W), got (2, 32, 4, 4)");
    y = nn_forward(c, g, graph_input(g, x));
    CHECK(y && y->shape[1] == 32 && y->shape[2] == 4 && y->shape[3] == 4);
    lt_tensor *y2 = nn_forward(c, g, y);
    CHECK(y2 == NULL);
    CHECK_STR(lt_errmsg(), "conv2d(16, 32, k=3, stride=2): expected input (B, 16, H, W), "
                           "got (2, 32, 4, 4)");
    graph_free(g);
    tensor_free(x);
    nn_free(c);
    nn_free(n);
}

/* layer gradients: backward into the blocks a layer exposes (and into its input) matches
 * central finite differences of L = sum_i r_i y_i, perturbing the layer's own floats */
static lt_tensor *layer_run(lt_module *m, int gn, lt_graph *g, lt_tensor *x)
{
    return gn ? nn_group_norm_forward(m, g, x, 1) : nn_forward(m, g, x);
}

static double layer_loss(lt_module *m, int gn, lt_graph *g, lt_tensor *x, const float *r)
{
    graph_reset(g);
    int rec = graph_set_recording(g, 0);
    lt_tensor *y = layer_run(m, gn, g, graph_input(g, x));
    graph_set_recording(g, rec);
    double s = 0.0;
    for (size_t i = 0; y && i < tensor_numel(y); i++)
        s += (double)r[i] * y->data[i];
    return s;
}

static double layer_fd_error(lt_module *m, int gn, lt_tensor *x, rng *rg)
{
    lt_param ps[2];
    CHECK(nn_params(m, ps, 2) == 2);
    lt_graph *g = graph_new();
    size_t nx = tensor_numel(x);
    float *dx = calloc(nx, sizeof(float));
    lt_param px = { x->data, dx, nx, "x", NULL };
    lt_tensor *y = layer_run(m, gn, g, graph_param(g, &px, x->ndim, x->shape));
    size_t ny = y ? tensor_numel(y) : 0;
    float *r = malloc((ny + 1) * sizeof(float));
    rng_fill_normal(rg, r, ny, 0.0f, 1.0f);
    lt_param all[3] = { ps[0], ps[1], px };
    graph_zero_grad(all, 3);
    CHECK(y && graph_backward_from(g, y, r, all, 3) == LT_OK);
    double worst = 0.0, eps = 1e-2;
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < all[k].n; i++) {
            float keep = all[k].w[i];
            all[k].w[i] = keep + (float)eps;
            double lp = layer_loss(m, gn, g, x, r);
            all[k].w[i] = keep - (float)eps;
            double lm = layer_loss(m, gn, g, x, r);
            all[k].w[i] = keep;
            double num = (lp - lm) / (2 * eps);
            worst = fmax(worst, fabs(all[k].g[i] - num) / fmax(1.0, fabs(num)));
        }
    graph_free(g);
    free(dx);
    free(r);
    return worst;
}

static void test_layer_grads(void)
{
    rng r;
    rng_seed(&r, 9);
    lt_module *c = nn_conv2d(3, 4, 3, 2, 1, &r), *n = nn_group_norm(2, 4);
    lt_group_norm *gn = (lt_group_norm *)n;
    rng_fill_normal(&r, gn->weight, 4, 1.0f, 0.5f);   /* away from the init's symmetry */
    rng_fill_normal(&r, gn->bias, 4, 0.0f, 0.5f);
    int xs[2][4] = { { 2, 3, 5, 5 }, { 2, 4, 3, 3 } };
    lt_tensor *x0 = randt(&r, 4, xs[0], 1.0f), *x1 = randt(&r, 4, xs[1], 1.0f);
    CHECK(layer_fd_error(c, 0, x0, &r) < 2e-3);
    CHECK(layer_fd_error(n, 1, x1, &r) < 5e-3);
    tensor_free(x0);
    tensor_free(x1);
    nn_free(c);
    nn_free(n);
}

/* the vector kernels: exp and SiLU against libm, sums against double sums */
static void check_vector_kernels(void)
{
    enum { N = 4003 };   /* not a multiple of 4: the tails too */
    float *x = malloc(N * sizeof(float)), *y = malloc(N * sizeof(float));
    float *d = malloc(N * sizeof(float)), *z = malloc(N * sizeof(float));
    for (int i = 0; i < N; i++)
        x[i] = -87.0f + 175.0f * i / (N - 1);
    vec_exp(y, x, N);
    double worst = 0.0;
    for (int i = 0; i < N; i++)
        worst = fmax(worst, fabs(y[i] - exp((double)x[i])) / exp((double)x[i]));
    CHECK(worst < 3e-7);
    for (int i = 0; i < N; i++)
        x[i] = -30.0f + 60.0f * i / (N - 1);
    vec_affine_silu(z, d, x, 0.5f, 0.25f, N);
    double wy = 0.0, wd = 0.0, sum = 0.0;
    for (int i = 0; i < N; i++) {
        double v = 0.5 * x[i] + 0.25, s = 1.0 / (1.0 + exp(-v));
        wy = fmax(wy, fabs(z[i] - v * s) / fmax(1.0, fabs(v * s)));
        wd = fmax(wd, fabs(d[i] - s * (1.0 + v * (1.0 - s))));
        sum += x[i];
    }
    CHECK(wy < 1e-6);
    CHECK(wd < 1e-6);
    CHECK_NEAR(vec_sum(x, N), sum, 1e-2);
    vec_addc_add(z, x, 0.75f, d, N);   /* exactly (x + c) + v, element by element */
    int same = 1;
    for (int i = 0; i < N; i++)
        same &= z[i] == (x[i] + 0.75f) + d[i];
    CHECK(same);
    vec_exp(y, x, 0);   /* n = 0 touches nothing */
    free(x); free(y); free(d); free(z);
}

/* every width: the 4-wide kernels and (where the CPU has AVX2, AVX-512) the 8- and
 * 16-wide ones, and GroupNorm's gradients through the narrower ones */
static void test_group_norm_grad(void);
static void test_group_norm_grad_double(void);
static void test_vector_kernels(void)
{
    check_vector_kernels();
    int old = vec_set_width(8);
    check_vector_kernels();
    test_group_norm_grad();
    vec_set_width(4);
    check_vector_kernels();
    test_group_norm_grad();
    test_group_norm_grad_double();
    vec_set_width(old);
}

int main(void)
{
    RUN(test_vector_kernels);
    RUN(test_conv_vs_naive);
    RUN(test_winograd);
    RUN(test_conv_bits_any_threads);
    RUN(test_conv_strided_input);
    RUN(test_conv_errors);
    RUN(test_conv_grad);
    RUN(test_conv_plus);
    RUN(test_pool_up_add_grad);
    RUN(test_upsample2_concat);
    RUN(test_upsample2_concat_via);
    RUN(test_group_norm_grad);
    RUN(test_group_norm_grad_double);
    RUN(test_group_norm_values);
    RUN(test_temb);
    RUN(test_layers);
    RUN(test_layer_grads);
    return check_summary("conv");
}
