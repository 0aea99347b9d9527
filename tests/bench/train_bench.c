/* train_bench.c: the four reference models of tests/bench/torch_ref.py (ae, vae, gan,
 * ddpm) trained with Latent's engine (tensor, graph, ops, nn, optim's Adam), timed the
 * same way, and the engine's GEMM floor: every sgemm call of an epoch, replayed bare.
 *
 *   train_bench [--images PATH] [--models ae,vae,gan,ddpm] [--epochs 3] [--warmup 1]
 *               [--threads 2] [--seed 0] [--limit N] [--sample] [--sample-only]
 *               [--no-replay] [--gemm-detail] [--cpu-clock]
 *
 * Per model: --warmup epochs (excluded), then --epochs timed epochs over the whole data
 * set, reshuffled each epoch with a seeded permutation, last partial batch kept. Prints
 * torch_ref.py's line, then our extras on a line of their own:
 *   ae epoch_s=.. samples_per_s=.. final_loss=..  epochs=[..] min_epoch_s=.. batch=128
 *   ae peak_rss_mb=.. arena_mb=.. cpu_s=.. gemm_calls=.. per_step=.. gflop=..
 *      gemm_insitu_s=.. gemm_replay_s=.. overhead=.. replay_cpu_s=.. overhead_cpu=..
 *      gemm_replay_blas_s=.. replay_blas_cpu_s=.. replay_all1t_s=.. replay_all2t_s=..
 * peak_rss_mb: getrusage's ru_maxrss so far (the process's peak: exact for the first
 *   model run).
 * cpu_s: the process's CPU time per timed epoch (all threads, including OpenBLAS workers
 *   spinning while they wait).
 * gemm_insitu_s: time spent inside sgemm per timed epoch.
 * gemm_replay_s: the calls logged during the last timed epoch replayed through
 *   sgemm (same order, shapes, transposes, leading dimensions, alpha/beta and
 *   thread setting; fresh buffers per call site; each call on the own kernel or OpenBLAS
 *   as the engine chooses), median of 3 replays; overhead = epoch_s / gemm_replay_s.
 * replay_cpu_s: the replay's CPU time; overhead_cpu = cpu_s / replay_cpu_s, with
 *   --threads 1 a figure that other processes on the machine hardly disturb.
 * gemm_replay_blas_s, replay_blas_cpu_s: the same replay with OpenBLAS only
 *   (gemm_set_mode(GEMM_OFF)): the floor the engine had before its own kernel.
 * replay_all1t_s, replay_allNt_s: the same calls all on 1 or all on --threads threads
 *   (sgemm runs products under 8 MFLOP on 1 thread, larger ones on --threads).
 *
 * --cpu-clock measures every time as the process's CPU time instead of wall time: on a
 * loaded machine, with --threads 1, a fair measure of the work done (with more threads
 * it also counts OpenBLAS workers spinning while they wait).
 * --gemm-detail adds a line per call site: shape, threads, calls, who runs it (own/blas),
 *   seconds and GFLOP/s as the engine runs it and with OpenBLAS only.
 *
 * sgemm is wrapped at link time (-Wl,--wrap=sgemm, see CMakeLists.txt;
 * that catches the calls from core's other objects), so the log holds exactly what the
 * engine calls, with nothing changed in core/. (sgemm_nested's calls from inside its
 * parallel tasks go to cblas_sgemm directly and are not logged; the MLPs make none.)
 *
 * Environment: LATENT_GEMM=off runs every product on OpenBLAS (gemm_set_mode(GEMM_OFF):
 * the engine as it was before its own kernel), =all on the own kernel wherever it can,
 * =auto (default) as the engine chooses. LATENT_GEMM_ALT=auto|all: the epochs alternate
 * between that mode (even epochs) and off (odd ones), and a line per
 * model gives each mode's mean timed epoch (warm-up left out) ("ae alt auto_s=.. off_s=.. epochs=N"): a
 * comparison of the two in one process, robust to a machine whose speed drifts.
 * LATENT_PAR_ALT=1 alternates the same way between the element loops over the threads
 * (par.h) and on the calling thread only ("ae par_alt threaded_s=.. serial_s=.."), and
 * LATENT_SPLIT_ALT=1 between threaded products cut over the engine's pool and on
 * OpenBLAS's threads (sgemm_set_split; "ae split_alt split_s=.. blas_threads_s=.."),
 * LATENT_CLEAR_ALT=1 between optim_step_clear and optim_step + a zeroing optim_zero_grad
 * ("ae clear_alt clear_s=.. zero_grad_s=..").
 *
 * --sample: DDPM ancestral sampling of 64 images over 1000 steps (sigma_t^2 = beta_t),
 * without a tape, with the ddpm trained in this run or a fresh init; warm-up of 20 steps
 * first, as torch_ref.py. Its sgemm calls are replayed like an epoch's (second line).
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cpu.h"
#include "data.h"
#include "gemm.h"
#include "graph.h"
#include "idx.h"
#include "nn.h"
#include "optim.h"
#include "par.h"
#include "ops.h"
#include "rng.h"
#include "tensor.h"

/* The clock of every reported time: wall (CLOCK_MONOTONIC), or with --cpu-clock the
 * process's CPU time (all threads), which other processes on the machine hardly change. */
static clockid_t bench_clock = CLOCK_MONOTONIC;

static double now(void)
{
    struct timespec ts;
    clock_gettime(bench_clock, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static double cpu_now(void)   /* CPU seconds of the whole process (all threads) */
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "train_bench: %s: %s\n", what, lt_errmsg());
    exit(1);
}

/* ---- the sgemm log (link-time wrap of sgemm) ----------------------------------- */

void __real_sgemm(int transA, int transB, int M, int N, int K, float alpha,
                         const float *A, int lda, const float *B, int ldb, float beta, float *C,
                         int ldc);

typedef struct gemm_call {
    int ta, tb, M, N, K, lda, ldb, ldc, threads;
    float alpha, beta;
    int site;   /* buffer set used by the replay (one per call site of a step) */
} gemm_call;

static struct {
    int logging;          /* 1: append every call to calls                        */
    gemm_call *calls;     /* (ncalls) the log                                     */
    int ncalls, cap;
    int step_pos;         /* calls since the last gemm_step_begin                 */
    int steps;            /* training steps logged                                */
    double inside_s;      /* time spent inside sgemm since the last reset  */
} gl;

void __wrap_sgemm(int transA, int transB, int M, int N, int K, float alpha,
                         const float *A, int lda, const float *B, int ldb, float beta, float *C,
                         int ldc)
{
    if (gl.logging) {
        if (gl.ncalls == gl.cap) {
            gl.cap = gl.cap ? 2 * gl.cap : 1024;
            gl.calls = realloc(gl.calls, (size_t)gl.cap * sizeof *gl.calls);
            if (!gl.calls) { perror("train_bench"); exit(1); }
        }
        gl.calls[gl.ncalls++] = (gemm_call){ transA != 0, transB != 0, M, N, K, lda, ldb, ldc,
                                             pool_get_threads(), alpha, beta, gl.step_pos++ };
    }
    double t0 = now();
    __real_sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    gl.inside_s += now() - t0;
}

static void gemm_step_begin(void)
{
    if (gl.logging) {
        gl.step_pos = 0;
        gl.steps++;
    }
}

static void gemm_log_start(void)
{
    gl.ncalls = 0;
    gl.steps = 0;
    gl.step_pos = 0;
    gl.logging = 1;
}

static size_t a_floats(const gemm_call *c) { return (size_t)(c->ta ? c->K : c->M) * c->lda; }
static size_t b_floats(const gemm_call *c) { return (size_t)(c->tb ? c->N : c->K) * c->ldb; }
static size_t c_floats(const gemm_call *c) { return (size_t)c->M * c->ldc; }

static int same_site(const gemm_call *a, const gemm_call *b)
{
    return a->site == b->site && a->ta == b->ta && a->tb == b->tb && a->M == b->M &&
           a->N == b->N && a->K == b->K && a->lda == b->lda && a->ldb == b->ldb &&
           a->ldc == b->ldc;
}

static double median3(const double *v)
{
    double a = v[0], b = v[1], c = v[2];
    return a > b ? (b > c ? b : (a > c ? c : a)) : (a > c ? a : (b > c ? c : b));
}

static float *rand_floats(size_t n, rng *r)
{
    float *p = NULL;
    if (posix_memalign((void **)&p, 64, (n ? n : 1) * sizeof(float))) { perror("alloc"); exit(1); }
    rng_fill_uniform(r, p, n, -1.0f, 1.0f);
    return p;
}

/* The log made ready to replay: each call site (position within a step, shape) gets its
 * own random A, B, C buffers. */
typedef struct replay {
    int n, nsites;
    int *site;          /* (n) the call site of each logged call     */
    gemm_call *rep;     /* (nsites) one call of each site            */
    float **buf;        /* (3 nsites) A, B, C of each site           */
    double gflop;       /* FLOPs of the whole log / 1e9              */
} replay;

static void replay_init(replay *rp)
{
    int n = gl.ncalls;
    memset(rp, 0, sizeof *rp);
    rp->n = n;
    rp->site = malloc((size_t)(n ? n : 1) * sizeof *rp->site);
    rp->rep = malloc((size_t)(n ? n : 1) * sizeof *rp->rep);
    rp->buf = malloc((size_t)(n ? n : 1) * 3 * sizeof *rp->buf);
    if (!rp->site || !rp->rep || !rp->buf) { perror("train_bench"); exit(1); }
    rng r;
    rng_seed(&r, 7);
    for (int i = 0; i < n; i++) {
        const gemm_call *c = &gl.calls[i];
        int s = 0;
        while (s < rp->nsites && !same_site(&rp->rep[s], c)) s++;
        if (s == rp->nsites) {
            rp->rep[rp->nsites++] = *c;
            rp->buf[3 * s] = rand_floats(a_floats(c), &r);
            rp->buf[3 * s + 1] = rand_floats(b_floats(c), &r);
            rp->buf[3 * s + 2] = rand_floats(c_floats(c), &r);
        }
        rp->site[i] = s;
        rp->gflop += 2e-9 * c->M * c->N * c->K;
    }
}

static void replay_free(replay *rp)
{
    for (int s = 0; s < 3 * rp->nsites; s++) free(rp->buf[s]);
    free(rp->buf); free(rp->rep); free(rp->site);
}

/* How a replay runs the logged calls: through sgemm as the engine did (own kernel
 * where gemm.c takes the shape, else OpenBLAS), or with OpenBLAS only; on the logged
 * thread setting, or with every call forced onto force_threads threads (even products
 * sgemm would keep on one thread). */
typedef struct replay_how {
    int blas_only, force_threads;
} replay_how;

/* One pass over the log. site_s (nsites, may be NULL) accumulates each call site's
 * seconds. Leaves the thread setting, small-product threshold and gemm mode as found. */
static void replay_pass(replay *rp, replay_how how, double *site_s)
{
    int cur = pool_get_threads(), was = cur;
    gemm_mode mode = gemm_set_mode(how.blas_only ? GEMM_OFF : gemm_get_mode());
    if (how.force_threads > 0) sgemm_set_small_flops(0);
    for (int i = 0; i < rp->n; i++) {
        const gemm_call *c = &gl.calls[i];
        float **b = &rp->buf[3 * rp->site[i]];
        int want = how.force_threads > 0 ? how.force_threads : c->threads;
        if (want != cur) {
            sgemm_set_threads(want);
            cur = want;
        }
        double t0 = site_s ? now() : 0.0;
        /* beta = 1 (accumulating backward) grows C a little each pass; harmless */
        __real_sgemm(c->ta, c->tb, c->M, c->N, c->K, c->alpha, b[0], c->lda, b[1],
                            c->ldb, c->beta, b[2], c->ldc);
        if (site_s) site_s[rp->site[i]] += now() - t0;
    }
    if (how.force_threads > 0) sgemm_set_small_flops(8e6);   /* tensor.h's default */
    if (cur != was) sgemm_set_threads(was);
    gemm_set_mode(mode);
}

/* One untimed pass, then 3 timed ones; returns the median seconds (and CPU seconds). */
static double replay_time(replay *rp, replay_how how, double *cpu_s)
{
    double t[4], cpu[4];
    for (int tr = 0; tr < 4; tr++) {
        double t0 = now(), c0 = cpu_now();
        replay_pass(rp, how, NULL);
        t[tr] = now() - t0;
        cpu[tr] = cpu_now() - c0;
    }
    if (cpu_s) *cpu_s = median3(cpu + 1);
    return median3(t + 1);
}

/* Prints each call site's shape, thread setting, calls per epoch, who runs it (own
 * kernel or blas), seconds per epoch and GFLOP/s as the engine runs it, and the same with
 * OpenBLAS only (one timed pass after an untimed one, each). */
static void replay_detail(replay *rp, const char *name)
{
    double *st = calloc((size_t)rp->nsites + 1, sizeof *st);
    double *sb = calloc((size_t)rp->nsites + 1, sizeof *sb);
    int *cnt = calloc((size_t)rp->nsites + 1, sizeof *cnt);
    if (!st || !sb || !cnt) { perror("train_bench"); exit(1); }
    replay_how eng = { 0, 0 }, blas = { 1, 0 };
    replay_pass(rp, eng, NULL);
    replay_pass(rp, eng, st);
    replay_pass(rp, blas, NULL);
    replay_pass(rp, blas, sb);
    for (int i = 0; i < rp->n; i++) cnt[rp->site[i]]++;
    for (int s = 0; s < rp->nsites; s++) {
        const gemm_call *c = &rp->rep[s];
        double gf = cnt[s] * 2e-9 * c->M * c->N * c->K;
        printf("%s gemm_site %2d  %c%c M=%-4d N=%-4d K=%-4d thr=%d beta=%g calls=%-4d %-4s "
               "s=%.4f gflops=%.1f blas_s=%.4f blas_gflops=%.1f\n",
               name, c->site, c->ta ? 'T' : 'N', c->tb ? 'T' : 'N', c->M, c->N, c->K, c->threads,
               c->beta, cnt[s], gemm_wants(c->ta, c->tb, c->M, c->N, c->K,
                                          2.0 * c->M * c->N * c->K < 8e6 ? 1 : c->threads)
                   ? "own" : "blas",
               st[s], gf / (st[s] > 0 ? st[s] : 1), sb[s], gf / (sb[s] > 0 ? sb[s] : 1));
    }
    free(st);
    free(sb);
    free(cnt);
}

static optim *adam_new(const lt_param *ps, int n, double lr, double b1, double b2)
{
    optim_opts o = optim_defaults(OPTIM_ADAM);
    o.lr = lr;
    o.beta1 = b1;
    o.beta2 = b2;
    optim *a = optim_new(OPTIM_ADAM, ps, n, &o);
    if (!a) die("optim_new");
    return a;
}

/* ---- the models ------------------------------------------------------------------------ */

enum { M_AE, M_VAE, M_GAN, M_DDPM };
#define DDPM_T 1000

typedef struct model {
    int kind, batch;
    lt_module *net;      /* ae: the whole; vae: fc1+relu; gan: G; ddpm: eps net          */
    lt_module *mu, *lv;  /* vae heads 256 -> 20                                         */
    lt_module *dec;      /* vae decoder 20-256-784                                      */
    lt_module *D;        /* gan discriminator 784-256-1                                 */
    optim *opt, *optD;
    lt_param ps[16], psD[16];
    int nps, npsD;
    lt_tensor *sab, *s1ab;   /* ddpm sqrt(abar_t), sqrt(1 - abar_t), each (T, 1), heap */
    lt_tensor *temb;         /* ddpm time embeddings (T, 64), heap                       */
    rng noise;               /* z, eps, t draws                                         */
} model;

/* The sinusoidal embeddings of every time step, (T, 64): row t is 32 sin | 32 cos of
 * t * exp(-ln(10000) i / 32), as torch_ref.py's temb. A table read by op_gather, since
 * there is no sin op (and the values need no gradient). */
static lt_tensor *temb_table(void)
{
    int sh[2] = { DDPM_T, 64 };
    lt_tensor *e = tensor_new(2, sh);
    if (!e) die("tensor_new");
    for (int t = 0; t < DDPM_T; t++)
        for (int i = 0; i < 32; i++) {
            float a = (float)t * expf(-logf(10000.0f) * (float)i / 32.0f);
            e->data[t * 64 + i] = sinf(a);
            e->data[t * 64 + 32 + i] = cosf(a);
        }
    return e;
}

static lt_module *seq(lt_module **mods, int n)
{
    lt_module *m = nn_seq(mods, n);
    if (!m) die("nn_seq");
    return m;
}

/* Linear layers are created in torch_ref.py's order from one generator seeded with seed. */
static void model_init(model *md, int kind, uint64_t seed)
{
    memset(md, 0, sizeof *md);
    md->kind = kind;
    rng r;
    rng_seed(&r, seed);
    rng_seed(&md->noise, seed + 1000);
    int np = 0;
    switch (kind) {
    case M_AE: {
        lt_module *m[8] = { nn_linear(784, 256, &r), nn_act(LT_ACT_RELU, 0), nn_linear(256, 20, &r),
                            nn_act(LT_ACT_RELU, 0), nn_linear(20, 256, &r), nn_act(LT_ACT_RELU, 0),
                            nn_linear(256, 784, &r), nn_act(LT_ACT_SIGMOID, 0) };
        md->net = seq(m, 8);
        md->batch = 128;
        md->nps = nn_params(md->net, md->ps, 16);
        md->opt = adam_new(md->ps, md->nps, 1e-3, 0.9, 0.999);
        break;
    }
    case M_VAE: {
        lt_module *e[2] = { nn_linear(784, 256, &r), nn_act(LT_ACT_RELU, 0) };
        md->net = seq(e, 2);
        md->mu = nn_linear(256, 20, &r);
        md->lv = nn_linear(256, 20, &r);
        lt_module *d[4] = { nn_linear(20, 256, &r), nn_act(LT_ACT_RELU, 0), nn_linear(256, 784, &r),
                            nn_act(LT_ACT_SIGMOID, 0) };
        md->dec = seq(d, 4);
        if (!md->mu || !md->lv) die("nn_linear");
        np += nn_params(md->net, md->ps + np, 16 - np);
        np += nn_params(md->mu, md->ps + np, 16 - np);
        np += nn_params(md->lv, md->ps + np, 16 - np);
        np += nn_params(md->dec, md->ps + np, 16 - np);
        md->nps = np;
        md->batch = 128;
        md->opt = adam_new(md->ps, md->nps, 1e-3, 0.9, 0.999);
        break;
    }
    case M_GAN: {
        lt_module *gm[4] = { nn_linear(64, 256, &r), nn_act(LT_ACT_LEAKY_RELU, 0.2f),
                             nn_linear(256, 784, &r), nn_act(LT_ACT_SIGMOID, 0) };
        lt_module *dm[3] = { nn_linear(784, 256, &r), nn_act(LT_ACT_LEAKY_RELU, 0.2f),
                             nn_linear(256, 1, &r) };
        md->net = seq(gm, 4);
        md->D = seq(dm, 3);
        md->nps = nn_params(md->net, md->ps, 16);
        md->npsD = nn_params(md->D, md->psD, 16);
        md->batch = 64;
        md->opt = adam_new(md->ps, md->nps, 2e-4, 0.5, 0.999);
        md->optD = adam_new(md->psD, md->npsD, 2e-4, 0.5, 0.999);
        break;
    }
    default: {
        lt_module *m[5] = { nn_linear(848, 512, &r), nn_act(LT_ACT_RELU, 0), nn_linear(512, 512, &r),
                            nn_act(LT_ACT_RELU, 0), nn_linear(512, 784, &r) };
        md->net = seq(m, 5);
        md->nps = nn_params(md->net, md->ps, 16);
        md->batch = 128;
        md->opt = adam_new(md->ps, md->nps, 1e-3, 0.9, 0.999);
        /* abar_t = prod_{s <= t} (1 - beta_s) over betas = linspace(1e-4, 0.02, T) */
        int sh[2] = { DDPM_T, 1 };
        md->sab = tensor_new(2, sh);
        md->s1ab = tensor_new(2, sh);
        if (!md->sab || !md->s1ab) die("tensor_new");
        md->temb = temb_table();
        float abar = 1.0f;
        for (int t = 0; t < DDPM_T; t++) {
            float beta = 1e-4f + (0.02f - 1e-4f) * (float)t / (DDPM_T - 1);
            abar *= 1.0f - beta;   /* float32 cumprod, as torch.cumprod on float32 */
            md->sab->data[t] = sqrtf(abar);
            md->s1ab->data[t] = sqrtf(1.0f - abar);
        }
        break;
    }
    }
}

static void model_free(model *md)
{
    nn_free(md->net); nn_free(md->mu); nn_free(md->lv); nn_free(md->dec); nn_free(md->D);
    optim_free(md->opt); optim_free(md->optD);
    tensor_free(md->sab); tensor_free(md->s1ab); tensor_free(md->temb);
}

/* eps_theta([x_t, temb(t)]): xt is (b, 784), t is (b) -> (b, 784) */
static lt_tensor *ddpm_eps(model *md, lt_graph *g, lt_tensor *xt, lt_tensor *t)
{
    lt_tensor *parts[2] = { xt, op_gather(g, md->temb, t) };
    return nn_forward(md->net, g, op_concat(g, parts, 2, 1));
}

/* the two alternating modes' mean timed epochs (0 for a mode with no timed epoch) */
#define ALT_MEANS(s, n) ((n)[0] ? (s)[0] / (n)[0] : 0.0), ((n)[1] ? (s)[1] / (n)[1] : 0.0)

/* 1: optim_step_clear (the engine's way: the step zeroes each gradient as it reads it, so
 * optim_zero_grad has nothing left to do); 0: optim_step, and optim_zero_grad zeroes the
 * gradients in a pass of its own (LATENT_CLEAR_ALT alternates the two) */
static int step_clear = 1;

static lt_status backward(lt_graph *g, lt_tensor *loss, optim *opt, const lt_param *ps, int nps)
{
    optim_zero_grad(opt);
    return graph_backward(g, loss, ps, nps);
}

static void step(optim *opt)
{
    if (step_clear)
        optim_step_clear(opt);
    else
        optim_step(opt);
}

/* One optimisation step on the rows idx (b) of X; writes the loss(es) reported by
 * torch_ref.py into out. */
static void model_step(model *md, lt_graph *g, lt_tensor *X, const int *idx, int b, float out[2])
{
    graph_reset(g);
    gemm_step_begin();
    lt_tensor *x = op_rows(g, X, idx, b);
    switch (md->kind) {
    case M_AE: {
        lt_tensor *loss = op_mse(g, nn_forward(md->net, g, x), x, LT_MEAN);
        if (!loss) die("ae forward");
        if (backward(g, loss, md->opt, md->ps, md->nps) != LT_OK) die("ae backward");
        step(md->opt);
        out[0] = loss->data[0];
        break;
    }
    case M_VAE: {
        lt_tensor *h = nn_forward(md->net, g, x);
        lt_tensor *mu = nn_forward(md->mu, g, h), *lv = nn_forward(md->lv, g, h);
        int zs[2] = { b, 20 };
        lt_tensor *z = op_add(g, mu, op_mul(g, op_exp(g, op_scale(g, lv, 0.5f)),
                                            op_randn(g, &md->noise, 2, zs)));
        lt_tensor *rec = nn_forward(md->dec, g, z);
        lt_tensor *loss = op_add(g, op_bce(g, rec, x, LT_SUM), op_kl_gauss(g, mu, lv, LT_SUM));
        if (!loss) die("vae forward");
        if (backward(g, loss, md->opt, md->ps, md->nps) != LT_OK) die("vae backward");
        step(md->opt);
        out[0] = loss->data[0] / b;
        break;
    }
    case M_GAN: {
        int zs[2] = { b, 64 };
        lt_tensor *fake = nn_forward(md->net, g, op_randn(g, &md->noise, 2, zs));
        lt_tensor *one = op_scalar(g, 1.0f), *zero = op_scalar(g, 0.0f);
        lt_tensor *lossD = op_add(g, op_bce_logits(g, nn_forward(md->D, g, x), one, LT_MEAN),
                                  op_bce_logits(g, nn_forward(md->D, g, op_detach(g, fake)),
                                                zero, LT_MEAN));
        if (!lossD) die("gan D forward");
        if (backward(g, lossD, md->optD, md->psD, md->npsD) != LT_OK) die("gan D backward");
        step(md->optD);
        lt_tensor *lossG = op_bce_logits(g, nn_forward(md->D, g, fake), one, LT_MEAN);
        if (!lossG) die("gan G forward");
        if (backward(g, lossG, md->opt, md->ps, md->nps) != LT_OK) die("gan G backward");
        step(md->opt);
        out[0] = lossD->data[0];
        out[1] = lossG->data[0];
        break;
    }
    default: {
        lt_tensor *x0 = op_affine(g, x, 2.0f, -1.0f);
        lt_tensor *t = op_randint(g, &md->noise, 0, DDPM_T, b);
        int es[2] = { b, 784 };
        lt_tensor *eps = op_randn(g, &md->noise, 2, es);
        lt_tensor *xt = op_add(g, op_mul(g, op_gather(g, md->sab, t), x0),
                               op_mul(g, op_gather(g, md->s1ab, t), eps));
        lt_tensor *loss = op_mse(g, ddpm_eps(md, g, xt, t), eps, LT_MEAN);
        if (!loss) die("ddpm forward");
        if (backward(g, loss, md->opt, md->ps, md->nps) != LT_OK) die("ddpm backward");
        step(md->opt);
        out[0] = loss->data[0];
        break;
    }
    }
}

/* ---- DDPM sampling ------------------------------------------------------------------------ */

/* Ancestral sampling of n images over T steps with engine ops, no tape (sigma_t^2 =
 * beta_t). The carried x (n, 784) is a heap tensor, so the arena is reset each step.
 * Returns x (heap, caller frees). */
static lt_tensor *ddpm_sample(model *md, lt_graph *g, int n, int T, uint64_t seed)
{
    rng r;
    rng_seed(&r, seed);
    int sh[2] = { n, 784 };
    lt_tensor *x = tensor_new(2, sh);
    if (!x) die("tensor_new");
    rng_fill_normal(&r, x->data, (size_t)n * 784, 0.0f, 1.0f);
    float abar = 1.0f;
    float *betas = malloc(T * sizeof *betas), *abars = malloc(T * sizeof *abars);
    if (!betas || !abars) die("malloc");
    for (int t = 0; t < T; t++) {   /* float32 linspace and cumprod, as torch_ref.py */
        betas[t] = 1e-4f + (0.02f - 1e-4f) * (float)t / (float)(T > 1 ? T - 1 : 1);
        abar *= 1.0f - betas[t];
        abars[t] = abar;
    }
    int was = graph_set_recording(g, 0);
    for (int ti = T - 1; ti >= 0; ti--) {
        graph_reset(g);
        lt_tensor *xc = graph_input(g, x);
        lt_tensor *eps = ddpm_eps(md, g, xc, op_full(g, 1, &n, (float)ti));
        /* x = (x - beta_t / sqrt(1 - abar_t) * eps) / sqrt(alpha_t) [+ sqrt(beta_t) z] */
        float c = betas[ti] / sqrtf(1.0f - abars[ti]), ia = 1.0f / sqrtf(1.0f - betas[ti]);
        lt_tensor *xn = op_scale(g, op_sub(g, xc, op_scale(g, eps, c)), ia);
        if (ti > 0)
            xn = op_add(g, xn, op_scale(g, op_randn(g, &r, 2, sh), sqrtf(betas[ti])));
        if (!xn) die("ddpm sample");
        tensor_copy_out(xn, x->data);
    }
    graph_set_recording(g, was);
    graph_reset(g);
    free(betas);
    free(abars);
    return x;
}

/* ---- main ------------------------------------------------------------------------------------ */

typedef struct opts {
    const char *images, *models;
    int epochs, warmup, threads, seed, limit, sample, sample_only, replay, gemm_detail;
} opts;

static void usage(void)
{
    fprintf(stderr, "usage: train_bench [--images PATH] [--models ae,vae,gan,ddpm] [--epochs 3]\n"
                    "       [--warmup 1] [--threads 2] [--seed 0] [--limit N] [--sample]\n"
                    "       [--sample-only] [--no-replay] [--gemm-detail] [--cpu-clock]\n");
    exit(2);
}

static opts parse(int argc, char **argv)
{
    opts o = { NULL, "ae,vae,gan,ddpm", 3, 1, 2, 0, 0, 0, 0, 1, 0 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (strcmp(a, name) == 0 && v && ++i)
        if (ARG("--images")) o.images = v;
        else if (ARG("--models")) o.models = v;
        else if (ARG("--epochs")) o.epochs = atoi(v);
        else if (ARG("--warmup")) o.warmup = atoi(v);
        else if (ARG("--threads")) o.threads = atoi(v);
        else if (ARG("--seed")) o.seed = atoi(v);
        else if (ARG("--limit")) o.limit = atoi(v);
        else if (!strcmp(a, "--sample")) o.sample = 1;
        else if (!strcmp(a, "--sample-only")) o.sample_only = 1;
        else if (!strcmp(a, "--no-replay")) o.replay = 0;
        else if (!strcmp(a, "--gemm-detail")) o.gemm_detail = 1;
        else if (!strcmp(a, "--cpu-clock")) bench_clock = CLOCK_PROCESS_CPUTIME_ID;
        else usage();
#undef ARG
    }
    if (o.epochs < 1 || o.warmup < 0) usage();
    return o;
}

/* The images as a heap tensor (N, 784) in [0, 1], read straight from the IDX bytes. */
static lt_tensor *load_images(const char *path, int limit)
{
    idx_array a;
    if (idx_read(path, &a) != LT_OK) die("reading images");
    if (a.ndim < 2) { fprintf(stderr, "train_bench: %s is not an image file\n", path); exit(1); }
    int n = (int)a.dims[0], d = (int)(a.count / a.dims[0]);
    if (limit > 0 && limit < n) n = limit;
    int sh[2] = { n, d };
    lt_tensor *X = tensor_new(2, sh);
    if (!X) die("tensor_new");
    for (size_t i = 0; i < (size_t)n * d; i++) X->data[i] = a.data[i] / 255.0f;
    idx_free(&a);
    return X;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

static int model_kind(const char *s, size_t len)
{
    const char *names[4] = { "ae", "vae", "gan", "ddpm" };
    for (int k = 0; k < 4; k++)
        if (strlen(names[k]) == len && !strncmp(s, names[k], len)) return k;
    return -1;
}

static void train(model *md, const char *name, lt_tensor *X, const opts *o)
{
    int N = X->shape[0], bs = md->batch;
    lt_graph *g = graph_new();
    int *perm = malloc((size_t)N * sizeof *perm);
    if (!g || !perm) die("graph_new");
    rng pr;
    rng_seed(&pr, (uint64_t)o->seed + 1);
    double times[64], insitu = 0, sum = 0, mn = 1e30, cpu = 0, alt_s[2] = { 0, 0 };
    int alt_n[2] = { 0, 0 };
    const char *alt = getenv("LATENT_GEMM_ALT");
    gemm_mode alt_mode = alt && !strcmp(alt, "all") ? GEMM_ALL : GEMM_AUTO;
    int par_alt = getenv("LATENT_PAR_ALT") != NULL, split_alt = getenv("LATENT_SPLIT_ALT") != NULL;
    int clear_alt = getenv("LATENT_CLEAR_ALT") != NULL;
    float last[2] = { 0, 0 };
    int ne = o->warmup + o->epochs;
    for (int ep = 0; ep < ne; ep++) {
        if (ep == ne - 1) gemm_log_start();   /* log the last timed epoch's calls */
        gl.inside_s = 0;
        double acc[2] = { 0, 0 };
        int nb = 0;
        if (split_alt)
            sgemm_set_split(!(ep % 2));
        if (par_alt)
            par_set_serial(ep % 2);
        if (clear_alt)
            step_clear = !(ep % 2);
        if (alt)
            gemm_set_mode(ep % 2 ? GEMM_OFF : alt_mode);
        double t0 = now(), c0 = cpu_now();
        rng_permutation(&pr, perm, N);
        for (int i = 0; i < N; i += bs) {
            float l[2] = { 0, 0 };
            model_step(md, g, X, perm + i, N - i < bs ? N - i : bs, l);
            acc[0] += l[0];
            acc[1] += l[1];
            nb++;
        }
        double dt = now() - t0, dc = cpu_now() - c0;
        if (ep >= o->warmup) {
            alt_s[ep % 2] += dt;
            alt_n[ep % 2]++;
        }
        gl.logging = 0;
        last[0] = (float)(acc[0] / nb);
        last[1] = (float)(acc[1] / nb);
        if (ep >= o->warmup && ep - o->warmup < 64) {
            times[ep - o->warmup] = dt;
            sum += dt;
            insitu += gl.inside_s;
            cpu += dc;
            if (dt < mn) mn = dt;
        }
    }
    if (split_alt) {
        printf("%s split_alt split_s=%.4f blas_threads_s=%.4f epochs=%d\n", name,
               ALT_MEANS(alt_s, alt_n), ne);
        sgemm_set_split(1);
    }
    if (clear_alt) {
        printf("%s clear_alt clear_s=%.4f zero_grad_s=%.4f epochs=%d\n", name,
               ALT_MEANS(alt_s, alt_n), ne);
        step_clear = 1;
    }
    if (par_alt) {
        printf("%s par_alt threaded_s=%.4f serial_s=%.4f epochs=%d\n", name,
               ALT_MEANS(alt_s, alt_n), ne);
        par_set_serial(0);
    }
    if (alt) {
        printf("%s alt %s_s=%.4f off_s=%.4f epochs=%d\n", name, alt_mode == GEMM_ALL ? "all" : "auto",
               ALT_MEANS(alt_s, alt_n), ne);
        gemm_set_mode(alt_mode);
    }
    double es = sum / o->epochs;
    char loss[64], eps[64 * 12] = "";
    if (md->kind == M_GAN) snprintf(loss, sizeof loss, "D=%.5f,G=%.5f", last[0], last[1]);
    else snprintf(loss, sizeof loss, "%.6f", last[0]);
    for (int e = 0; e < o->epochs && e < 64; e++)
        snprintf(eps + strlen(eps), sizeof eps - strlen(eps), "%s%.4f", e ? "," : "", times[e]);
    printf("%s epoch_s=%.4f samples_per_s=%.1f final_loss=%s  epochs=[%s] min_epoch_s=%.4f batch=%d\n",
           name, es, N / es, loss, eps, mn, bs);
    printf("%s peak_rss_mb=%.1f arena_mb=%.1f cpu_s=%.4f", name, peak_rss_mb(),
           graph_arena_bytes(g) / 1048576.0, cpu / o->epochs);
    if (o->replay) {
        replay rp;
        replay_init(&rp);
        replay_how eng = { 0, 0 }, blas = { 1, 0 }, all1 = { 0, 1 }, alln = { 0, o->threads };
        double gf = rp.gflop, rc, rbc, rs = replay_time(&rp, eng, &rc);
        double rb = replay_time(&rp, blas, &rbc), r1 = replay_time(&rp, all1, NULL);
        double r2 = o->threads > 1 ? replay_time(&rp, alln, NULL) : r1;
        printf(" gemm_calls=%d per_step=%.1f gflop=%.3f gemm_insitu_s=%.4f gemm_replay_s=%.4f"
               " overhead=%.2f replay_cpu_s=%.4f overhead_cpu=%.2f gemm_replay_blas_s=%.4f"
               " replay_blas_cpu_s=%.4f replay_all1t_s=%.4f",
               gl.ncalls, gl.steps ? (double)gl.ncalls / gl.steps : 0.0, gf, insitu / o->epochs,
               rs, es / rs, rc, cpu / o->epochs / rc, rb, rbc, r1);
        if (o->threads > 1) printf(" replay_all%dt_s=%.4f", o->threads, r2);
        printf("\n");
        if (o->gemm_detail) replay_detail(&rp, name);
        replay_free(&rp);
    } else {
        printf("\n");
    }
    fflush(stdout);
    graph_free(g);
    free(perm);
}

int main(int argc, char **argv)
{
    opts o = parse(argc, argv);
    char path[4096];
    if (o.images) {
        snprintf(path, sizeof path, "%s", o.images);
    } else {
        char dir[4000];
        if (data_mnist_dir(dir, sizeof dir) != LT_OK) die("finding the bundled MNIST");
        snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte.gz", dir);
    }
    sgemm_set_threads(o.threads);
    const char *gm = getenv("LATENT_GEMM");
    if (gm && !strcmp(gm, "off")) gemm_set_mode(GEMM_OFF);
    else if (gm && !strcmp(gm, "all")) gemm_set_mode(GEMM_ALL);
    else if (gm && strcmp(gm, "auto")) { fprintf(stderr, "train_bench: LATENT_GEMM=off|auto|all\n"); return 2; }
    lt_tensor *X = load_images(path, o.limit);
    const char *ct = getenv("OPENBLAS_CORETYPE"), *nt = getenv("OPENBLAS_NUM_THREADS");
    static const char *modes[] = { "auto", "off", "all" };
    printf("# latent clock=%s threads=%d N=%d images=%s gemm=%s isa=%s (cpu %s) own_kernel=%s openblas=%s core=%s "
           "OPENBLAS_CORETYPE=%s OPENBLAS_NUM_THREADS=%s\n",
           bench_clock == CLOCK_MONOTONIC ? "wall" : "cpu", pool_get_threads(), X->shape[0], path,
           modes[gemm_get_mode()], cpu_isa_name(cpu_isa_get()), cpu_isa_name(cpu_isa_best()),
           gemm_available() ? "avx512" : "none", openblas_get_config(),
           openblas_get_corename(), ct ? ct : "(unset)", nt ? nt : "(unset)");
    fflush(stdout);

    model ddpm;
    int have_ddpm = 0;
    const char *s = o.sample_only ? "" : o.models;
    while (*s) {
        size_t len = strcspn(s, ",");
        int k = model_kind(s, len);
        if (k < 0 && len) { fprintf(stderr, "train_bench: unknown model %.*s\n", (int)len, s); return 2; }
        if (k >= 0) {
            model md;
            model_init(&md, k, (uint64_t)o.seed);
            char name[8];
            snprintf(name, sizeof name, "%.*s", (int)len, s);
            train(&md, name, X, &o);
            if (k == M_DDPM) {
                if (have_ddpm) model_free(&ddpm);
                ddpm = md;
                have_ddpm = 1;
            } else {
                model_free(&md);
            }
        }
        s += len + (s[len] == ',');
    }

    if (o.sample || o.sample_only) {
        const char *src = have_ddpm ? "trained" : "fresh-init";
        if (!have_ddpm) { model_init(&ddpm, M_DDPM, (uint64_t)o.seed); have_ddpm = 1; }
        lt_graph *g = graph_new();
        if (!g) die("graph_new");
        tensor_free(ddpm_sample(&ddpm, g, 64, 20, (uint64_t)o.seed));   /* warm-up */
        gemm_log_start();
        gl.inside_s = 0;
        double t0 = now();
        lt_tensor *x = ddpm_sample(&ddpm, g, 64, 1000, (uint64_t)o.seed);
        double dt = now() - t0;
        gl.logging = 0;
        double mean = 0, var = 0;
        size_t m = tensor_numel(x);
        for (size_t i = 0; i < m; i++) mean += x->data[i];
        mean /= m;
        for (size_t i = 0; i < m; i++) var += (x->data[i] - mean) * (x->data[i] - mean);
        printf("ddpm_sample n=64 steps=1000 total_s=%.4f ms_per_step=%.3f images_per_s=%.2f model=%s "
               "x_mean=%.4f x_std=%.4f\n", dt, dt * 1e3 / 1000, 64 / dt, src, mean,
               sqrt(var / (m - 1)));
        if (o.replay) {
            replay rp;
            replay_init(&rp);
            replay_how eng = { 0, 0 }, blas = { 1, 0 };
            double rs = replay_time(&rp, eng, NULL), rb = replay_time(&rp, blas, NULL);
            printf("ddpm_sample gemm_calls=%d gflop=%.3f gemm_insitu_s=%.4f gemm_replay_s=%.4f "
                   "overhead=%.2f gemm_replay_blas_s=%.4f\n", gl.ncalls, rp.gflop, gl.inside_s,
                   rs, dt / rs, rb);
            replay_free(&rp);
        }
        fflush(stdout);
        tensor_free(x);
        graph_free(g);
    }
    if (have_ddpm) model_free(&ddpm);
    tensor_free(X);
    free(gl.calls);
    return 0;
}
