/* unet_step.c: times one DDPM training step of the U-Net (core/nn/unet.h) at batch 128 on
 * random data: forward, MSE on eps, backward, Adam (lr 1e-3) -- what
 * tests/bench/torch_unet_ref.py times for the same network in PyTorch.
 *
 *     unet_step [--batch 128] [--steps 10] [--warmup 3] [--threads N] [--chunk FLOATS]
 *                     [--rowtap 0|1|2]   (conv2d_set_rowtap: im2col only / default / always)
 *     unet_step --conv-sweep      # conv2d forward+backward per U-Net shape and path
 *     unet_step --sample          # no-tape forward at batch 64 (one DDPM sampling step)
 *     unet_step --dump FILE       # weights, a batch of 4, eps and the gradients of
 *                                       # mean(eps^2), for torch_unet_ref.py --check FILE
 *     LATENT_SPLIT=0 unet_step ...  # threaded products on OpenBLAS's threads instead of cut
 *                                   # by columns over the engine's pool (sgemm_set_split)
 *     LATENT_AB=vec8 unet_step ...  # steps alternate between the engine as it is (even
 *                                   # steps) and a variant (odd ones), and a second line
 *                                   # gives each one's median: "ab vec8 default_ms=..
 *                                   # variant_ms=..", robust to a machine whose speed
 *                                   # drifts. Variants: vec8, vec4 (vec_set_width),
 *                                   # nowino (conv2d_set_winograd(0)), wcolsN
 *                                   # (conv2d_set_winograd_cols(N))
 *
 * Prints: unet_step params=184785 batch=128 ms_per_step=<median> fwd=.. bwd=.. adam=..
 * loss=.. cpu_ms=<process CPU time per step> threads=.. arena_mb=<reserved> fwd_mb=<arena
 * used by the forward> bwd_mb=<by the backward> steps=[each step's ms] */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conv.h"
#include "pool.h"
#include "vec.h"
#include "graph.h"
#include "ops.h"
#include "rng.h"
#include "tensor.h"
#include "unet.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* the median of v[0..n), n <= 1000; v is left in its order */
static double median(const double *v, int n)
{
    double s[1000];
    if (n > 1000)
        n = 1000;
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/* Adam (PyTorch's defaults: betas 0.9, 0.999, eps 1e-8) over the blocks ps. */
typedef struct adam { int n; long step; float **m, **v; } adam;

static void adam_init(adam *a, const lt_param *ps, int n)
{
    a->n = n;
    a->step = 0;
    a->m = calloc(n, sizeof *a->m);
    a->v = calloc(n, sizeof *a->v);
    for (int k = 0; k < n; k++) {
        a->m[k] = calloc(ps[k].n, sizeof(float));
        a->v[k] = calloc(ps[k].n, sizeof(float));
    }
}

static void adam_free(adam *a)
{
    for (int k = 0; k < a->n; k++) {
        free(a->m[k]);
        free(a->v[k]);
    }
    free(a->m);
    free(a->v);
}

static void adam_step(adam *a, const lt_param *ps, float lr)
{
    const float b1 = 0.9f, b2 = 0.999f;
    a->step++;
    float c1 = 1.0f - powf(b1, (float)a->step), c2 = 1.0f - powf(b2, (float)a->step);
    float step = lr / c1, rc2 = 1.0f / sqrtf(c2);
    for (int k = 0; k < a->n; k++) {
        float *w = ps[k].w, *m = a->m[k], *v = a->v[k];
        const float *g = ps[k].g;
        for (size_t i = 0; i < ps[k].n; i++) {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            w[i] -= step * m[i] / (sqrtf(v[i]) * rc2 + 1e-8f);
        }
    }
}

/* LATENT_AB: the variant's name, and a function that turns it on (1) or off (0) */
static const char *ab_name;
static void ab_set(int on)
{
    if (!strcmp(ab_name, "vec8"))
        vec_set_width(on ? 8 : 16);
    else if (!strcmp(ab_name, "vec4"))
        vec_set_width(on ? 4 : 16);
    else if (!strcmp(ab_name, "nowino"))
        conv2d_set_winograd(!on);
    else if (!strncmp(ab_name, "wcols", 5))   /* Winograd chunks of N tiles (wcolsN) */
        conv2d_set_winograd_cols(on ? (size_t)atoi(ab_name + 5) : 64);
}

static int bench_step(int batch, int steps, int warmup)
{
    rng r;
    rng_seed(&r, 0);
    lt_unet *u = unet_new(NULL, &r);
    if (!u) {
        fprintf(stderr, "unet_step: %s\n", lt_errmsg());
        return 1;
    }
    lt_param ps[UNET_MAX_PARAMS];
    int n = unet_params(u, ps, UNET_MAX_PARAMS);
    adam opt;
    adam_init(&opt, ps, n);
    int xs[4] = { batch, 1, 28, 28 };
    lt_tensor *x = tensor_new(4, xs), *eps = tensor_new(4, xs), *t = tensor_new(1, &batch);
    rng_fill_normal(&r, x->data, tensor_numel(x), 0.0f, 1.0f);
    rng_fill_normal(&r, eps->data, tensor_numel(eps), 0.0f, 1.0f);
    for (int i = 0; i < batch; i++)
        t->data[i] = (float)rng_below(&r, 1000);
    lt_graph *g = graph_new();
    double *tot = calloc(steps, sizeof(double)), *tf = calloc(steps, sizeof(double));
    double *tb = calloc(steps, sizeof(double)), *ta = calloc(steps, sizeof(double));
    double *tc = calloc(steps, sizeof(double));
    float loss_v = 0.0f;
    size_t used_fwd = 0, used_all = 0;
    double *ab[2] = { calloc(steps, sizeof(double)), calloc(steps, sizeof(double)) };
    int nab[2] = { 0, 0 };
    for (int s = 0; s < warmup + steps; s++) {
        if (ab_name)
            ab_set(s % 2);
        double t0 = now_ms(), c0 = cpu_ms();
        graph_reset(g);
        lt_tensor *loss = op_mse(g, unet_forward(u, g, x, t), eps, LT_MEAN);
        double t1 = now_ms();
        used_fwd = graph_arena_used(g);
        graph_zero_grad(ps, n);
        if (!loss || graph_backward(g, loss, ps, n) != LT_OK) {
            fprintf(stderr, "unet_step: %s\n", lt_errmsg());
            return 1;
        }
        double t2 = now_ms();
        used_all = graph_arena_used(g);
        adam_step(&opt, ps, 1e-3f);
        double t3 = now_ms();
        loss_v = loss->data[0];
        if (s >= warmup) {
            tot[s - warmup] = t3 - t0;
            tf[s - warmup] = t1 - t0;
            tb[s - warmup] = t2 - t1;
            ta[s - warmup] = t3 - t2;
            tc[s - warmup] = cpu_ms() - c0;
            ab[s % 2][nab[s % 2]++] = t3 - t0;
        }
    }
    if (ab_name) {
        ab_set(0);
        printf("ab %s default_ms=%.1f variant_ms=%.1f steps=%d\n", ab_name, median(ab[0], nab[0]),
               median(ab[1], nab[1]), steps);
    }
    free(ab[0]);
    free(ab[1]);
    printf("unet_step params=%zu batch=%d ms_per_step=%.1f fwd=%.1f bwd=%.1f adam=%.1f loss=%.4f "
           "cpu_ms=%.1f threads=%d arena_mb=%.0f fwd_mb=%.0f bwd_mb=%.0f steps=[",
           unet_param_count(u), batch, median(tot, steps), median(tf, steps), median(tb, steps),
           median(ta, steps), loss_v, median(tc, steps), pool_get_threads(),
           graph_arena_bytes(g) / 1048576.0, used_fwd / 1048576.0,
           (used_all - used_fwd) / 1048576.0);
    for (int s = 0; s < steps; s++)
        printf(s ? ",%.0f" : "%.0f", tot[s]);
    printf("]\n");
    free(tot); free(tf); free(tb); free(ta); free(tc);
    adam_free(&opt);
    graph_free(g);
    tensor_free(x); tensor_free(eps); tensor_free(t);
    unet_free(u);
    return 0;
}

/* One sampling step's network evaluation: forward without a tape at batch 64. */
static int bench_sample(int batch, int steps, int warmup)
{
    rng r;
    rng_seed(&r, 0);
    lt_unet *u = unet_new(NULL, &r);
    int xs[4] = { batch, 1, 28, 28 };
    lt_tensor *x = tensor_new(4, xs), *t = tensor_new(1, &batch);
    rng_fill_normal(&r, x->data, tensor_numel(x), 0.0f, 1.0f);
    for (int i = 0; i < batch; i++)
        t->data[i] = 500.0f;
    lt_graph *g = graph_new();
    graph_set_recording(g, 0);
    double *tot = calloc(steps, sizeof(double));
    for (int s = 0; s < warmup + steps; s++) {
        double t0 = now_ms();
        graph_reset(g);
        if (!unet_forward(u, g, x, t)) {
            fprintf(stderr, "unet_step: %s\n", lt_errmsg());
            return 1;
        }
        if (s >= warmup)
            tot[s - warmup] = now_ms() - t0;
    }
    printf("unet_sample batch=%d ms_per_forward=%.1f threads=%d arena_mb=%.0f\n", batch,
           median(tot, steps), pool_get_threads(), graph_arena_bytes(g) / 1048576.0);
    free(tot);
    graph_free(g);
    tensor_free(x);
    tensor_free(t);
    unet_free(u);
    return 0;
}

/* Writes int32 count and floats of each block (the weights), then x (4, 1, 28, 28), t (4),
 * eps = unet(x, t) and the gradient of mean(eps^2) for every block, all float32 in the
 * order of unet_params, which is the twin's named_parameters order. */
static int dump_check(const char *path)
{
    rng r;
    rng_seed(&r, 5);
    lt_unet *u = unet_new(NULL, &r);
    lt_param ps[UNET_MAX_PARAMS];
    int n = unet_params(u, ps, UNET_MAX_PARAMS), B = 4;
    for (int k = 0; k < n; k++)   /* GroupNorm weights and biases away from 1 and 0 */
        if (strstr(ps[k].name, ".n1.") || strstr(ps[k].name, ".n2.") || strstr(ps[k].name, "out.0"))
            rng_fill_normal(&r, ps[k].w, ps[k].n, strstr(ps[k].name, "weight") ? 1.0f : 0.0f, 0.2f);
    int xs[4] = { B, 1, 28, 28 };
    lt_tensor *x = tensor_new(4, xs), *t = tensor_new(1, &B);
    rng_fill_normal(&r, x->data, tensor_numel(x), 0.0f, 1.0f);
    for (int i = 0; i < B; i++)
        t->data[i] = (float)rng_below(&r, 1000);
    lt_graph *g = graph_new();
    lt_tensor *y = unet_forward(u, g, x, t);
    lt_tensor *loss = op_mean(g, op_square(g, y));
    graph_zero_grad(ps, n);
    FILE *f = fopen(path, "wb");
    if (!loss || graph_backward(g, loss, ps, n) != LT_OK || !f) {
        fprintf(stderr, "unet_step: %s\n", f ? lt_errmsg() : "cannot write the dump");
        return 1;
    }
    int32_t cnt = n;
    fwrite(&cnt, sizeof cnt, 1, f);
    for (int k = 0; k < n; k++) {
        int32_t m = (int32_t)ps[k].n;
        fwrite(&m, sizeof m, 1, f);
        fwrite(ps[k].w, sizeof(float), ps[k].n, f);
    }
    fwrite(x->data, sizeof(float), tensor_numel(x), f);
    fwrite(t->data, sizeof(float), B, f);
    fwrite(y->data, sizeof(float), tensor_numel(y), f);
    for (int k = 0; k < n; k++)
        fwrite(ps[k].g, sizeof(float), ps[k].n, f);
    fclose(f);
    printf("unet_dump blocks=%d params=%zu loss=%.6f -> %s\n", n, unet_param_count(u),
           loss->data[0], path);
    graph_free(g);
    tensor_free(x);
    tensor_free(t);
    unet_free(u);
    return 0;
}

/* conv2d forward + backward (input, weight, bias gradients) at each of the U-Net's conv
 * shapes: the best of 4 runs in process CPU time (robust to other processes) with the
 * default paths, im2col only (rowtap 0), row-tap wherever it applies (rowtap 2), im2col
 * one image per sgemm, and im2col with whole-batch chunks; then the sum over the network
 * (a shape used twice counts twice). */
static void conv_sweep(int batch)
{
    static const int shapes[][7] = {   /* C, H, O, k, stride, pad, uses in the U-Net */
        { 1, 28, 16, 3, 1, 1, 1 },  { 16, 28, 16, 3, 1, 1, 3 }, { 16, 28, 16, 3, 2, 1, 1 },
        { 16, 14, 32, 3, 1, 1, 1 }, { 32, 14, 32, 3, 1, 1, 2 }, { 16, 14, 32, 1, 1, 0, 1 },
        { 32, 14, 32, 3, 2, 1, 1 }, { 32, 7, 64, 3, 1, 1, 1 },  { 64, 7, 64, 3, 1, 1, 1 },
        { 32, 7, 64, 1, 1, 0, 1 },  { 96, 14, 32, 3, 1, 1, 1 }, { 96, 14, 32, 1, 1, 0, 1 },
        { 48, 28, 16, 3, 1, 1, 1 }, { 48, 28, 16, 1, 1, 0, 1 }, { 16, 28, 1, 3, 1, 1, 1 },
    };
    const int modes[][2] = { { 1, 65536 }, { 0, 65536 }, { 2, 65536 }, { 0, 0 }, { 0, 1 << 30 } };
    const char *mname[] = { "default", "im2col", "rowtap", "im2col_1", "im2col_batch" };
    enum { NMODES = 5 };
    double total[NMODES] = { 0 };
    rng r;
    rng_seed(&r, 1);
    lt_graph *g = graph_new();
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int *q = shapes[s];
        int xs[4] = { batch, q[0], q[1], q[1] }, ws[4] = { q[2], q[0], q[3], q[3] };
        lt_tensor *x = tensor_new(4, xs);
        rng_fill_normal(&r, x->data, tensor_numel(x), 0, 1);
        size_t nw = (size_t)ws[0] * ws[1] * ws[2] * ws[3];
        float *w = malloc(nw * 4), *gw = calloc(nw, 4), *b = calloc(q[2], 4), *gb = calloc(q[2], 4);
        float *gx = calloc(tensor_numel(x), 4);
        rng_fill_normal(&r, w, nw, 0, 0.1f);
        lt_param ps[3] = { { w, gw, nw, "w", NULL }, { b, gb, (size_t)q[2], "b", NULL },
                           { x->data, gx, tensor_numel(x), "x", NULL } };
        printf("conv C=%d H=%d O=%d k=%d s=%d (x%d):", q[0], q[1], q[2], q[3], q[4], q[6]);
        for (int m = 0; m < NMODES; m++) {
            int rt = conv2d_set_rowtap(modes[m][0]);
            conv2d_set_chunk_floats((size_t)modes[m][1]);
            double best = 1e30;
            for (int rep = 0; rep < 4; rep++) {
                graph_reset(g);
                double t0 = cpu_ms();
                lt_tensor *y = op_conv2d(g, graph_param(g, &ps[2], 4, xs), graph_param(g, &ps[0], 4, ws),
                                         graph_param(g, &ps[1], 1, &q[2]), q[4], q[5], NULL);
                float *dy = graph_alloc(g, tensor_numel(y) * 4);
                memset(dy, 0, tensor_numel(y) * 4);
                graph_backward_from(g, y, dy, ps, 3);
                double t1 = cpu_ms();
                if (t1 - t0 < best)
                    best = t1 - t0;
            }
            conv2d_set_rowtap(rt);
            total[m] += q[6] * best;
            printf(" %s=%.1fms", mname[m], best);
        }
        printf("\n");
        free(w); free(gw); free(b); free(gb); free(gx);
        tensor_free(x);
    }
    printf("conv total per step:");
    for (int m = 0; m < NMODES; m++)
        printf(" %s=%.1fms", mname[m], total[m]);
    printf("\n");
    conv2d_set_chunk_floats(65536);
    graph_free(g);
}

int main(int argc, char **argv)
{
    if (getenv("LATENT_SPLIT") && !strcmp(getenv("LATENT_SPLIT"), "0"))
        sgemm_set_split(0);   /* threaded products on OpenBLAS's threads */
    ab_name = getenv("LATENT_AB");
    int batch = 128, steps = 10, warmup = 3, sweep = 0, sample = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--batch") && i + 1 < argc)
            batch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--steps") && i + 1 < argc)
            steps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--warmup") && i + 1 < argc)
            warmup = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            sgemm_set_threads(atoi(argv[++i]));
        else if (!strcmp(argv[i], "--chunk") && i + 1 < argc)
            conv2d_set_chunk_floats((size_t)atoll(argv[++i]));
        else if (!strcmp(argv[i], "--conv-sweep"))
            sweep = 1;
        else if (!strcmp(argv[i], "--sample"))
            sample = 1;
        else if (!strcmp(argv[i], "--rowtap") && i + 1 < argc)
            conv2d_set_rowtap(atoi(argv[++i]));
        else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
            return dump_check(argv[i + 1]);
        else {
            fprintf(stderr, "usage: %s [--batch N] [--steps N] [--warmup N] [--threads N] "
                    "[--chunk FLOATS] [--rowtap 0|1|2] [--conv-sweep] [--sample] [--dump FILE]\n", argv[0]);
            return 2;
        }
    }
    if (steps < 1)
        steps = 1;
    if (sweep) {
        conv_sweep(batch);
        return 0;
    }
    if (sample)
        return bench_sample(batch == 128 ? 64 : batch, steps, warmup);
    return bench_step(batch, steps, warmup);
}
