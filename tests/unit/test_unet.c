/* test_unet.c: the U-Net's size and parameter layout (matching the PyTorch twin), shapes,
 * tape and no-tape agreement, finite-difference gradients of a tiny U-Net end to end,
 * the same gradients with and without the reuse of dead gradient buffers, and a tiny
 * U-Net overfitting one small batch. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "conv.h"
#include "graph.h"
#include "ops.h"
#include "rng.h"
#include "tensor.h"
#include "unet.h"

static void test_default_size(void)
{
    rng r;
    rng_seed(&r, 0);
    lt_unet *u = unet_new(NULL, &r);
    CHECK(u != NULL);
    /* sum(p.numel() for p in UNet((16, 32, 64)).parameters()) in torch_unet_ref.py */
    CHECK(unet_param_count(u) == 184785);
    lt_param ps[UNET_MAX_PARAMS];
    int n = unet_params(u, ps, UNET_MAX_PARAMS);
    CHECK(n == 72);   /* len(list(UNet().parameters())) */
    CHECK_STR(ps[0].name, "temb.0.weight");
    CHECK(ps[0].n == 128 * 64);
    CHECK_STR(ps[4].name, "inc.weight");
    CHECK_STR(ps[6].name, "d1.n1.weight");
    CHECK_STR(ps[29].name, "d2.skip.bias");
    CHECK(ps[28].n == 32 * 16);
    CHECK_STR(ps[n - 1].name, "out.2.bias");
    CHECK(ps[n - 1].n == 1);
    CHECK_STR(ps[n - 4].name, "out.0.weight");
    for (int i = 0; i < n; i++)   /* every block distinct */
        for (int j = 0; j < i; j++)
            CHECK(ps[i].w != ps[j].w);
    unet_free(u);
}

static void test_shapes_and_modes(void)
{
    rng r;
    rng_seed(&r, 1);
    lt_unet *u = unet_new(NULL, &r);
    int xs[4] = { 3, 1, 28, 28 }, three = 3;
    lt_tensor *x = tensor_new(4, xs), *t = tensor_new(1, &three);
    rng_fill_normal(&r, x->data, tensor_numel(x), 0.0f, 1.0f);
    t->data[0] = 0; t->data[1] = 500; t->data[2] = 999;
    lt_graph *g = graph_new();
    lt_tensor *y = unet_forward(u, g, x, t);
    CHECK(y && y->ndim == 4 && y->shape[0] == 3 && y->shape[1] == 1 && y->shape[2] == 28
          && y->shape[3] == 28);
    CHECK(y && y->requires_grad);
    int n = (int)tensor_numel(y);
    float *keep = malloc(n * sizeof(float));
    memcpy(keep, y->data, n * sizeof(float));
    /* no tape: same numbers, nothing recorded */
    graph_reset(g);
    graph_set_recording(g, 0);
    y = unet_forward(u, g, x, t);
    CHECK(y && !y->requires_grad && graph_tape_len(g) == 0);
    double d = 0.0;
    for (int i = 0; y && i < n; i++)
        d = fmax(d, fabs(y->data[i] - keep[i]));
    CHECK(d == 0.0);
    /* flat (B, 784) in, flat out, same numbers */
    int fs[2] = { 3, 784 };
    lt_tensor *xf = graph_view(g, x, x->data, 2, fs, (ptrdiff_t[]){ 784, 1 });
    lt_tensor *yf = unet_forward(u, g, xf, t);
    CHECK(yf && yf->ndim == 2 && yf->shape[1] == 784);
    CHECK(yf && memcmp(yf->data, keep, n * sizeof(float)) == 0);
    /* errors */
    int bad[4] = { 3, 1, 30, 30 };
    lt_tensor *xb = graph_zeros(g, 4, bad);
    CHECK(unet_forward(u, g, xb, t) == NULL);
    CHECK_STR(lt_errmsg(), "unet: expected images (B, 1, H, W) with H and W divisible by 4, "
                           "or flat square images (B, 1 * S * S), got (3, 1, 30, 30)");
    int two = 2;
    lt_tensor *t2 = graph_zeros(g, 1, &two);
    CHECK(unet_forward(u, g, x, t2) == NULL);
    CHECK_STR(lt_errmsg(), "unet: time steps must be (B) for input (3, 1, 28, 28), got (2)");
    unet_config c = unet_default_config();
    c.groups = 5;
    CHECK(unet_new(&c, &r) == NULL);
    free(keep);
    graph_free(g);
    tensor_free(x);
    tensor_free(t);
    unet_free(u);
}

/* A tiny U-Net small enough to check every parameter's gradient by finite differences. */
static unet_config tiny_config(void)
{
    return (unet_config){ .in = 1, .c1 = 2, .c2 = 4, .c3 = 4, .groups = 2, .sdim = 4, .tdim = 4 };
}

static double loss_of(lt_unet *u, lt_graph *g, lt_tensor *x, lt_tensor *t, const float *r)
{
    graph_reset(g);
    lt_tensor *y = unet_forward(u, g, x, t);
    double s = 0.0;
    for (size_t i = 0; y && i < tensor_numel(y); i++)
        s += (double)r[i] * y->data[i];
    return s;
}

static void test_tiny_gradients(void)
{
    rng r;
    rng_seed(&r, 2);
    unet_config c = tiny_config();
    lt_unet *u = unet_new(&c, &r);
    CHECK(u != NULL);
    lt_param ps[UNET_MAX_PARAMS];
    int n = unet_params(u, ps, UNET_MAX_PARAMS);
    for (int i = 0; i < n; i++)   /* GroupNorm weights away from 1, biases away from 0 */
        if (strstr(ps[i].name, ".n1.") || strstr(ps[i].name, ".n2.") || strstr(ps[i].name, "out.0"))
            rng_fill_normal(&r, ps[i].w, ps[i].n, strstr(ps[i].name, "weight") ? 1.0f : 0.0f, 0.3f);
    int xs[4] = { 2, 1, 8, 8 }, two = 2;
    lt_tensor *x = tensor_new(4, xs), *t = tensor_new(1, &two);
    rng_fill_normal(&r, x->data, tensor_numel(x), 0.0f, 1.0f);
    t->data[0] = 3;
    t->data[1] = 17;
    float rw[128];
    rng_fill_normal(&r, rw, 128, 0.0f, 1.0f);
    lt_graph *g = graph_new();
    lt_tensor *y = unet_forward(u, g, x, t);
    graph_zero_grad(ps, n);
    CHECK(y && graph_backward_from(g, y, rw, ps, n) == LT_OK);
    graph_set_recording(g, 0);
    double worst = 0.0, eps = 3e-3;
    int wi = -1;
    size_t checked = 0;
    for (int k = 0; k < n; k++)
        for (size_t i = 0; i < ps[k].n; i++, checked++) {
            float keep = ps[k].w[i];
            ps[k].w[i] = keep + (float)eps;
            double lp = loss_of(u, g, x, t, rw);
            ps[k].w[i] = keep - (float)eps;
            double lm = loss_of(u, g, x, t, rw);
            ps[k].w[i] = keep;
            double num = (lp - lm) / (2 * eps);
            double err = fabs(ps[k].g[i] - num) / fmax(1.0, fabs(num));
            if (err > worst) {
                worst = err;
                wi = k;
            }
        }
    CHECK(checked == unet_param_count(u));
    CHECK(worst < 1e-2);
    if (worst >= 1e-2)
        fprintf(stderr, "  worst gradient error %g in %s\n", worst, ps[wi].name);
    graph_free(g);
    tensor_free(x);
    tensor_free(t);
    unet_free(u);
}

/* The same gradients (up to the order of float sums) on one thread and on three. */
static void test_threads_agree(void)
{
    rng r;
    rng_seed(&r, 4);
    unet_config c = { .in = 1, .c1 = 8, .c2 = 16, .c3 = 16, .groups = 4, .sdim = 16, .tdim = 32 };
    lt_unet *u = unet_new(&c, &r);
    lt_param ps[UNET_MAX_PARAMS];
    int n = unet_params(u, ps, UNET_MAX_PARAMS);
    int xs[4] = { 6, 1, 16, 16 }, six = 6;
    lt_tensor *x = tensor_new(4, xs), *t = tensor_new(1, &six);
    rng_fill_normal(&r, x->data, tensor_numel(x), 0.0f, 1.0f);
    for (int i = 0; i < 6; i++)
        t->data[i] = (float)(150 * i);
    size_t total = unet_param_count(u);
    float *g1 = malloc(total * sizeof(float));
    float out1[8];
    int threads0 = pool_get_threads();
    lt_graph *g = graph_new();
    for (int pass = 0; pass < 2; pass++) {
        sgemm_set_threads(pass ? 3 : 1);
        graph_reset(g);
        lt_tensor *y = unet_forward(u, g, x, t);
        lt_tensor *loss = op_sum(g, op_square(g, y));
        graph_zero_grad(ps, n);
        CHECK(loss && graph_backward(g, loss, ps, n) == LT_OK);
        double worst = 0.0;
        size_t at = 0;
        for (int k = 0; k < n; k++)
            for (size_t i = 0; i < ps[k].n; i++, at++) {
                if (pass == 0)
                    g1[at] = ps[k].g[i];
                else
                    worst = fmax(worst, fabs(ps[k].g[i] - g1[at]) / fmax(1.0, fabs(g1[at])));
            }
        for (int i = 0; y && i < 8; i++) {
            if (pass == 0)
                out1[i] = y->data[i * 100];
            else
                CHECK(y->data[i * 100] == out1[i]);   /* forward: same order of sums */
        }
        if (pass)
            CHECK(worst < 1e-4);
    }
    sgemm_set_threads(threads0);
    free(g1);
    graph_free(g);
    tensor_free(x);
    tensor_free(t);
    unet_free(u);
}

/* Gradients with recycled gradient buffers (graph_set_grad_reuse, the default) are
 * bit for bit those of fresh buffers, also for a second backward from the same forward,
 * and the recycling saves arena memory. One thread: the same order of sums. */
static void test_grad_reuse_identical(void)
{
    rng r;
    rng_seed(&r, 6);
    unet_config c = { .in = 1, .c1 = 8, .c2 = 16, .c3 = 16, .groups = 4, .sdim = 16, .tdim = 32 };
    lt_unet *u = unet_new(&c, &r);
    lt_param ps[UNET_MAX_PARAMS];
    int n = unet_params(u, ps, UNET_MAX_PARAMS);
    int xs[4] = { 3, 1, 16, 16 }, three = 3;
    lt_tensor *x = tensor_new(4, xs), *t = tensor_new(1, &three);
    rng_fill_normal(&r, x->data, tensor_numel(x), 0.0f, 1.0f);
    for (int i = 0; i < 3; i++)
        t->data[i] = (float)(300 * i + 5);
    size_t total = unet_param_count(u);
    float *ref = malloc(total * sizeof(float));
    size_t used[2] = { 0, 0 };
    int threads0 = pool_get_threads();
    sgemm_set_threads(1);
    for (int reuse = 0; reuse < 2; reuse++) {
        lt_graph *g = graph_new();
        CHECK(graph_set_grad_reuse(g, reuse) == 1);   /* on by default */
        lt_tensor *loss = op_sum(g, op_square(g, unet_forward(u, g, x, t)));
        size_t fwd = graph_arena_used(g);
        for (int pass = 0; pass < 2; pass++) {   /* twice from one forward */
            graph_zero_grad(ps, n);
            CHECK(loss && graph_backward(g, loss, ps, n) == LT_OK);
            if (pass == 0)
                used[reuse] = graph_arena_used(g) - fwd;
            size_t at = 0, diff = 0;
            for (int k = 0; k < n; k++)
                for (size_t i = 0; i < ps[k].n; i++, at++) {
                    if (reuse == 0 && pass == 0)
                        ref[at] = ps[k].g[i];
                    else
                        diff += memcmp(&ref[at], &ps[k].g[i], sizeof(float)) != 0;
                }
            CHECK(at == total && diff == 0);
            if (diff)
                fprintf(stderr, "  reuse=%d pass %d: %zu gradients differ\n", reuse, pass, diff);
        }
        graph_free(g);
    }
    CHECK(3 * used[1] < 2 * used[0]);   /* backward's arena use: a third less at least */
    sgemm_set_threads(threads0);
    free(ref);
    tensor_free(x);
    tensor_free(t);
    unet_free(u);
}

/* A small U-Net learns one fixed batch with Adam: the loss falls by 10x. */
static void test_overfit(void)
{
    rng r;
    rng_seed(&r, 3);
    unet_config c = { .in = 1, .c1 = 8, .c2 = 16, .c3 = 16, .groups = 4, .sdim = 16, .tdim = 32 };
    lt_unet *u = unet_new(&c, &r);
    lt_param ps[UNET_MAX_PARAMS];
    int n = unet_params(u, ps, UNET_MAX_PARAMS);
    int xs[4] = { 4, 1, 12, 12 }, four = 4;
    lt_tensor *x = tensor_new(4, xs), *t = tensor_new(1, &four), *target = tensor_new(4, xs);
    rng_fill_normal(&r, x->data, tensor_numel(x), 0.0f, 1.0f);
    rng_fill_normal(&r, target->data, tensor_numel(target), 0.0f, 1.0f);
    for (int i = 0; i < 4; i++)
        t->data[i] = (float)(100 * i + 7);
    float **m = calloc(n, sizeof *m), **v = calloc(n, sizeof *v);
    for (int k = 0; k < n; k++) {
        m[k] = calloc(ps[k].n, sizeof(float));
        v[k] = calloc(ps[k].n, sizeof(float));
    }
    lt_graph *g = graph_new();
    double first = 0.0, last = 0.0;
    const float lr = 3e-3f, b1 = 0.9f, b2 = 0.999f;
    for (int step = 1; step <= 300; step++) {
        graph_reset(g);
        lt_tensor *loss = op_mse(g, unet_forward(u, g, x, t), target, LT_MEAN);
        if (!loss)
            break;
        if (step == 1)
            first = loss->data[0];
        last = loss->data[0];
        graph_zero_grad(ps, n);
        graph_backward(g, loss, ps, n);
        float c1 = 1.0f - powf(b1, (float)step), c2 = 1.0f - powf(b2, (float)step);
        for (int k = 0; k < n; k++)
            for (size_t i = 0; i < ps[k].n; i++) {
                float gi = ps[k].g[i];
                m[k][i] = b1 * m[k][i] + (1 - b1) * gi;
                v[k][i] = b2 * v[k][i] + (1 - b2) * gi * gi;
                ps[k].w[i] -= lr * (m[k][i] / c1) / (sqrtf(v[k][i] / c2) + 1e-8f);
            }
    }
    CHECK(first > 0.5);
    CHECK(last < first / 10);
    if (!(last < first / 10))
        fprintf(stderr, "  overfit: loss %g -> %g\n", first, last);
    for (int k = 0; k < n; k++) {
        free(m[k]);
        free(v[k]);
    }
    free(m);
    free(v);
    graph_free(g);
    tensor_free(x);
    tensor_free(t);
    tensor_free(target);
    unet_free(u);
}

int main(void)
{
    RUN(test_default_size);
    RUN(test_shapes_and_modes);
    RUN(test_tiny_gradients);
    RUN(test_threads_agree);
    RUN(test_grad_reuse_identical);
    RUN(test_overfit);
    return check_summary("unet");
}
