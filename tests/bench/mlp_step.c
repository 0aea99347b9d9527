/* mlp_step.c: times the lecture MLPs' training epochs on the engine (not a ctest).
 *
 *     mlp_step [--images PATH.gz] [--models ae,vae,gan,ddpm] [--epochs 3] [--threads N]
 *              [--limit N (use the first N images)] [--adaptive 1 (BLAS threads by speed)]
 *
 * Mirrors tests/bench/torch_ref.py (the PyTorch reference): one warm-up epoch, then --epochs timed
 * epochs over the data (reshuffled each epoch, last partial batch kept), Adam written
 * inline. Without --images, 10,000 random images in [0, 1] are used (timing only).
 * For ae it also replays the epoch's sgemm calls alone (the engine's floor) and prints
 * the overhead of everything else. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "graph.h"
#include "nn.h"
#include "ops.h"
#include "rng.h"
#include "tensor.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU time of the whole process (all threads): on a shared machine, with one BLAS thread,
 * a steadier measure of work than the wall clock */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- data ------------------------------------------------------------------------------- */

static lt_tensor *load_images(const char *path)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char h[16];
    if (gzread(f, h, 16) != 16) {
        gzclose(f);
        return NULL;
    }
    int n = (h[4] << 24) | (h[5] << 16) | (h[6] << 8) | h[7];
    int shape[2] = { n, 784 };
    lt_tensor *x = tensor_new(2, shape);
    unsigned char *buf = malloc((size_t)n * 784);
    if (gzread(f, buf, n * 784) != n * 784) {
        gzclose(f);
        free(buf);
        tensor_free(x);
        return NULL;
    }
    for (size_t i = 0; i < (size_t)n * 784; i++)
        x->data[i] = buf[i] / 255.0f;
    free(buf);
    gzclose(f);
    return x;
}

/* ---- Adam over lt_param blocks --------------------------------------------------------------- */

typedef struct adam {
    lt_param ps[16];
    int n;
    float *m, *v;
    float lr, b1, b2;
    int t;
} adam;

static void adam_init(adam *a, lt_module **mods, int nmods, float lr, float b1, float b2)
{
    a->n = 0;
    for (int i = 0; i < nmods; i++)
        a->n += nn_params(mods[i], a->ps + a->n, 16 - a->n);
    size_t tot = 0;
    for (int k = 0; k < a->n; k++)
        tot += a->ps[k].n;
    a->m = calloc(tot, sizeof(float));
    a->v = calloc(tot, sizeof(float));
    a->lr = lr; a->b1 = b1; a->b2 = b2; a->t = 0;
}

static double adam_cpu;   /* CPU seconds spent in adam_step (not the engine's) */

static void adam_step(adam *a)
{
    double c0 = cpu_now();
    a->t++;
    float c1 = 1.0f - powf(a->b1, (float)a->t), c2 = 1.0f - powf(a->b2, (float)a->t);
    float step = a->lr / c1, rc2 = 1.0f / sqrtf(c2);
    size_t at = 0;
    for (int k = 0; k < a->n; k++) {
        float *w = a->ps[k].w, *g = a->ps[k].g, *m = a->m + at, *v = a->v + at;
        for (size_t i = 0; i < a->ps[k].n; i++) {
            m[i] = a->b1 * m[i] + (1.0f - a->b1) * g[i];
            v[i] = a->b2 * v[i] + (1.0f - a->b2) * g[i] * g[i];
            w[i] -= step * m[i] / (sqrtf(v[i]) * rc2 + 1e-8f);
        }
        at += a->ps[k].n;
    }
    adam_cpu += cpu_now() - c0;
}

static void adam_free(adam *a)
{
    free(a->m);
    free(a->v);
}

/* ---- models ---------------------------------------------------------------------------------- */

static lt_module *seq4(lt_module *a, lt_module *b, lt_module *c, lt_module *d)
{
    lt_module *m[4] = { a, b, c, d };
    return nn_seq(m, d ? 4 : 3);
}

typedef struct model {
    const char *name;
    int batch;
    lt_module *m[4];
    adam opt, opt2;
    rng noise;
    float abar[1000];
} model;

static void model_init(model *md, const char *name, rng *r)
{
    memset(md, 0, sizeof *md);
    md->name = name;
    md->batch = 128;
    rng_seed(&md->noise, 11);
    if (!strcmp(name, "ae")) {
        md->m[0] = seq4(nn_linear(784, 256, r), nn_act(LT_ACT_RELU, 0), nn_linear(256, 20, r), nn_act(LT_ACT_RELU, 0));
        md->m[1] = seq4(nn_linear(20, 256, r), nn_act(LT_ACT_RELU, 0), nn_linear(256, 784, r), nn_act(LT_ACT_SIGMOID, 0));
        adam_init(&md->opt, md->m, 2, 1e-3f, 0.9f, 0.999f);
    } else if (!strcmp(name, "vae")) {
        md->m[0] = seq4(nn_linear(784, 256, r), nn_act(LT_ACT_RELU, 0), nn_linear(256, 40, r), NULL);
        md->m[1] = seq4(nn_linear(20, 256, r), nn_act(LT_ACT_RELU, 0), nn_linear(256, 784, r), nn_act(LT_ACT_SIGMOID, 0));
        adam_init(&md->opt, md->m, 2, 1e-3f, 0.9f, 0.999f);
    } else if (!strcmp(name, "gan")) {
        md->batch = 64;
        md->m[0] = seq4(nn_linear(64, 256, r), nn_act(LT_ACT_LEAKY_RELU, 0.2f), nn_linear(256, 784, r), nn_act(LT_ACT_SIGMOID, 0));
        md->m[1] = seq4(nn_linear(784, 256, r), nn_act(LT_ACT_LEAKY_RELU, 0.2f), nn_linear(256, 1, r), NULL);
        adam_init(&md->opt, md->m, 1, 2e-4f, 0.5f, 0.999f);       /* G */
        adam_init(&md->opt2, md->m + 1, 1, 2e-4f, 0.5f, 0.999f);  /* D */
    } else {   /* ddpm */
        lt_module *mods[5] = { nn_linear(848, 512, r), nn_act(LT_ACT_RELU, 0), nn_linear(512, 512, r),
                               nn_act(LT_ACT_RELU, 0), nn_linear(512, 784, r) };
        md->m[0] = nn_seq(mods, 5);
        adam_init(&md->opt, md->m, 1, 1e-3f, 0.9f, 0.999f);
        double p = 1.0;
        for (int t = 0; t < 1000; t++) {
            p *= 1.0 - (1e-4 + (0.02 - 1e-4) * t / 999.0);
            md->abar[t] = (float)p;
        }
    }
}

/* one training step on rows idx of X; returns the loss */
static float model_step(model *md, lt_graph *g, lt_tensor *X, const int *idx, int b)
{
    graph_reset(g);
    lt_tensor *x = op_rows(g, X, idx, b), *loss = NULL;
    adam *o = &md->opt;
    if (!strcmp(md->name, "ae")) {
        loss = op_mse(g, nn_forward(md->m[1], g, nn_forward(md->m[0], g, x)), x, LT_MEAN);
    } else if (!strcmp(md->name, "vae")) {
        lt_tensor *h = nn_forward(md->m[0], g, x);
        lt_tensor *mu = op_slice(g, h, 1, 0, 20, 1), *lv = op_slice(g, h, 1, 20, 40, 1);
        int zs[2] = { b, 20 };
        lt_tensor *z = op_add(g, mu, op_mul(g, op_exp(g, op_scale(g, lv, 0.5f)), op_randn(g, &md->noise, 2, zs)));
        loss = op_add(g, op_bce(g, nn_forward(md->m[1], g, z), x, LT_SUM), op_kl_gauss(g, mu, lv, LT_SUM));
    } else if (!strcmp(md->name, "gan")) {
        int zs[2] = { b, 64 };
        lt_tensor *fake = nn_forward(md->m[0], g, op_randn(g, &md->noise, 2, zs));
        lt_tensor *one = op_scalar(g, 1.0f), *zero = op_scalar(g, 0.0f);
        lt_tensor *lossD = op_add(g, op_bce_logits(g, nn_forward(md->m[1], g, x), one, LT_MEAN),
                                  op_bce_logits(g, nn_forward(md->m[1], g, op_detach(g, fake)), zero, LT_MEAN));
        graph_zero_grad(md->opt2.ps, md->opt2.n);
        if (graph_backward(g, lossD, md->opt2.ps, md->opt2.n) != LT_OK)
            return NAN;
        adam_step(&md->opt2);
        loss = op_bce_logits(g, nn_forward(md->m[1], g, fake), one, LT_MEAN);
    } else {
        int ts[2] = { b, 1 }, es[2] = { b, 784 }, te[2] = { b, 64 };
        lt_tensor *x0 = op_affine(g, x, 2.0f, -1.0f);
        lt_tensor *sa = graph_tensor(g, 2, ts), *sb = graph_tensor(g, 2, ts), *emb = graph_tensor(g, 2, te);
        for (int i = 0; i < b; i++) {
            int t = (int)rng_below(&md->noise, 1000);
            sa->data[i] = sqrtf(md->abar[t]);
            sb->data[i] = sqrtf(1.0f - md->abar[t]);
            for (int k = 0; k < 32; k++) {
                float a = t * expf(-logf(10000.0f) * k / 32.0f);
                emb->data[i * 64 + k] = sinf(a);
                emb->data[i * 64 + 32 + k] = cosf(a);
            }
        }
        lt_tensor *eps = op_randn(g, &md->noise, 2, es);
        lt_tensor *xt = op_add(g, op_mul(g, sa, x0), op_mul(g, sb, eps));
        lt_tensor *in[2] = { xt, emb };
        loss = op_mse(g, nn_forward(md->m[0], g, op_concat(g, in, 2, 1)), eps, LT_MEAN);
    }
    if (!loss)
        return NAN;
    graph_zero_grad(o->ps, o->n);
    if (graph_backward(g, loss, o->ps, o->n) != LT_OK)
        return NAN;
    adam_step(o);
    return loss->data[0];
}

static void model_free(model *md)
{
    for (int i = 0; i < 4; i++)
        nn_free(md->m[i]);
    adam_free(&md->opt);
    if (md->opt2.m)
        adam_free(&md->opt2);
}

/* ---- the AE's sgemm calls alone, one epoch ------------------------------------------------------ */

/* The same products as an AE epoch, on separate buffers per layer as the engine has them
 * (weights, their gradients, activations and activation gradients), nothing else. */
static double sgemm_floor_ae(int N, int B)
{
    int d[5] = { 784, 256, 20, 256, 784 };
    float *w[4], *dw[4], *a[5], *da[5];
    for (int l = 0; l < 5; l++) {
        a[l] = calloc((size_t)B * d[l], sizeof(float));
        da[l] = calloc((size_t)B * d[l], sizeof(float));
        if (l < 4) {
            w[l] = calloc((size_t)d[l] * d[l + 1], sizeof(float));
            dw[l] = calloc((size_t)d[l] * d[l + 1], sizeof(float));
        }
    }
    double t0 = now();
    for (int s = 0; s < N; s += B) {
        int b = N - s < B ? N - s : B;
        for (int l = 0; l < 4; l++)      /* a[l+1] = a[l] W^T */
            sgemm(0, 1, b, d[l + 1], d[l], 1, a[l], d[l], w[l], d[l], 0, a[l + 1], d[l + 1]);
        for (int l = 3; l >= 0; l--) {   /* dW += da^T a; da[l] = da[l+1] W (not for the input) */
            sgemm(1, 0, d[l + 1], d[l], b, 1, da[l + 1], d[l + 1], a[l], d[l], 1, dw[l], d[l]);
            if (l)
                sgemm(0, 0, b, d[l], d[l + 1], 1, da[l + 1], d[l + 1], w[l], d[l], 0, da[l], d[l]);
        }
    }
    double t = now() - t0;
    for (int l = 0; l < 5; l++) {
        free(a[l]);
        free(da[l]);
        if (l < 4) {
            free(w[l]);
            free(dw[l]);
        }
    }
    return t;
}

int main(int argc, char **argv)
{
    const char *images = NULL, *models = "ae,vae,gan,ddpm";
    int epochs = 3, threads = 0, limit = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--images")) images = argv[i + 1];
        else if (!strcmp(argv[i], "--models")) models = argv[i + 1];
        else if (!strcmp(argv[i], "--epochs")) epochs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--limit")) limit = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--adaptive")) sgemm_set_adaptive_threads(atoi(argv[i + 1]));
    }
    if (threads > 0)
        sgemm_set_threads(threads);
    lt_tensor *X = images ? load_images(images) : NULL;
    if (!X) {
        int s[2] = { 10000, 784 };
        rng r;
        rng_seed(&r, 1);
        X = tensor_new(2, s);
        rng_fill_uniform(&r, X->data, 10000 * 784, 0, 1);
        if (images)
            fprintf(stderr, "cannot read %s: using random data\n", images);
    }
    int N = limit > 0 && limit < X->shape[0] ? limit : X->shape[0];
    printf("# engine threads=%d N=%d images=%s\n", pool_get_threads(), N, images ? images : "(random)");
    char list[64];
    snprintf(list, sizeof list, "%s", models);
    lt_graph *g = graph_new();
    int *perm = malloc(N * sizeof *perm);
    for (char *name = strtok(list, ","); name; name = strtok(NULL, ",")) {
        rng r, shuf;
        rng_seed(&r, 0);
        rng_seed(&shuf, 1);
        model md;
        model_init(&md, name, &r);
        double tsum = 0, tmin = 1e9, csum = 0;
        float last = 0;
        for (int ep = 0; ep < 1 + epochs; ep++) {
            rng_permutation(&shuf, perm, N);
            double acc = 0, t0 = now(), c0 = cpu_now();
            if (ep == 1)
                adam_cpu = 0;
            int nb = 0;
            for (int s = 0; s < N; s += md.batch, nb++)
                acc += model_step(&md, g, X, perm + s, N - s < md.batch ? N - s : md.batch);
            double dt = now() - t0, dc = cpu_now() - c0;
            last = (float)(acc / nb);
            if (!strcmp(name, "vae"))
                last = (float)(acc / N);
            if (ep > 0) {
                tsum += dt;
                csum += dc;
                tmin = dt < tmin ? dt : tmin;
            }
        }
        int nsteps = (N + md.batch - 1) / md.batch;
        printf("%s epoch_s=%.4f min_epoch_s=%.4f cpu_epoch_s=%.4f step_ms=%.3f final_loss=%.6f "
               "arena_MB=%.1f tape=%d\n", name, tsum / epochs, tmin, csum / epochs,
               1e3 * tsum / epochs / nsteps, last,
               graph_arena_bytes(g) / 1048576.0, graph_tape_len(g));
        if (!strcmp(name, "ae")) {
            double f = 1e9, fc = 1e9;
            for (int k = 0; k < 3; k++) {
                double c0 = cpu_now(), t = sgemm_floor_ae(N, md.batch), c = cpu_now() - c0;
                f = t < f ? t : f;
                fc = c < fc ? c : fc;
            }
            double ac = adam_cpu / epochs;
            printf("ae sgemm_only_epoch_s=%.4f cpu_s=%.4f adam_cpu_s=%.4f overhead_wall=%.0f%% "
                   "overhead_cpu=%.0f%% engine_overhead_cpu(without adam)=%.0f%%\n", f, fc, ac,
                   100.0 * (tmin / f - 1.0), 100.0 * (csum / epochs / fc - 1.0),
                   100.0 * ((csum / epochs - ac) / fc - 1.0));
        }
        model_free(&md);
    }
    free(perm);
    graph_free(g);
    tensor_free(X);
    return 0;
}
