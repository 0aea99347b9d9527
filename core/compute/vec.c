/* conv_par.c: the thread pool and vector kernels behind conv.c (see conv_par.h). */
#include "conv_par.h"

#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "cpu.h"
#include "tensor.h"

/* ---- the pool ------------------------------------------------------------------------------ */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    int started;        /* workers running (they never exit) */
    int failed;         /* a worker could not be started: run inline from now on */
    long gen;           /* bumped for each parallel for */
    int want;           /* threads taking part in the current call (incl. the caller) */
    int active;         /* workers of the current call not yet finished */
    conv_par_fn fn;
    void *ctx;
    int n;
    atomic_int next;    /* the next task to hand out */
} pool = { .mu = PTHREAD_MUTEX_INITIALIZER, .go = PTHREAD_COND_INITIALIZER,
            .done = PTHREAD_COND_INITIALIZER };

static _Atomic int in_parallel;   /* 1 while a parallel for runs: conv_sgemm calls BLAS directly */
static atomic_long gen_seen;      /* pool.gen, readable without the lock */
static atomic_int active_seen;    /* pool.active, likewise */

/* Before sleeping on a condition variable, a worker waiting for the next call (and the
 * caller waiting for the workers) polls this many times with sched_yield, ~0.2 ms. An
 * MLP step makes 20-40 short parallel calls (products cut by columns, element loops), and
 * waking a sleeping worker for each cost more than the work: epochs on 2 threads, polling
 * / sleeping, gan 0.25 / 0.37 s, ddpm 0.41-0.46 / 0.48-0.58 s, ae 0.13-0.14 / 0.175 s
 * (train_bench, three runs each, alternating). */
#define SPIN_YIELDS 400

static void run_tasks(int thread)
{
    int i;
    while ((i = atomic_fetch_add(&pool.next, 1)) < pool.n)
        pool.fn(pool.ctx, i, thread);
}

static void *worker(void *arg)
{
    int id = (int)(size_t)arg;   /* 1 .. CONV_PAR_MAX - 1 */
    long seen = 0;
    pthread_mutex_lock(&pool.mu);
    for (;;) {
        pthread_mutex_unlock(&pool.mu);
        for (int k = 0; k < SPIN_YIELDS && atomic_load(&gen_seen) == seen; k++)
            sched_yield();
        pthread_mutex_lock(&pool.mu);
        while (pool.gen == seen)
            pthread_cond_wait(&pool.go, &pool.mu);
        seen = pool.gen;
        if (id >= pool.want)
            continue;   /* not needed this time */
        pthread_mutex_unlock(&pool.mu);
        run_tasks(id);
        pthread_mutex_lock(&pool.mu);
        atomic_store(&active_seen, pool.active - 1);
        if (--pool.active == 0)
            pthread_cond_signal(&pool.done);
    }
    return NULL;
}

int conv_par_threads(void)
{
    int t = tensor_get_threads();
    return t < 1 ? 1 : t > CONV_PAR_MAX ? CONV_PAR_MAX : t;
}

/* Starts workers up to want - 1; 0 if that failed (then everything runs inline). */
static int ensure_workers(int want)
{
    while (!pool.failed && pool.started < want - 1) {
        pthread_t th;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&th, &at, worker, (void *)(size_t)(pool.started + 1)) != 0)
            pool.failed = 1;
        else
            pool.started++;
        pthread_attr_destroy(&at);
    }
    return !pool.failed;
}

void conv_par_for(int n, conv_par_fn fn, void *ctx)
{
    int want = conv_par_threads();
    if (want > n)
        want = n;
    /* nested (a task's own loop): inline, on the task's thread */
    if (want < 2 || atomic_load(&in_parallel) || !ensure_workers(want)) {
        for (int i = 0; i < n; i++)
            fn(ctx, i, 0);
        return;
    }
    int blas = openblas_get_num_threads();
    if (blas != 1)
        openblas_set_num_threads(1);
    atomic_store(&in_parallel, 1);
    pthread_mutex_lock(&pool.mu);
    pool.fn = fn;
    pool.ctx = ctx;
    pool.n = n;
    atomic_store(&pool.next, 0);
    pool.want = want;
    pool.active = want - 1;
    atomic_store(&active_seen, want - 1);
    pool.gen++;
    atomic_store(&gen_seen, pool.gen);
    pthread_cond_broadcast(&pool.go);
    pthread_mutex_unlock(&pool.mu);
    run_tasks(0);
    for (int k = 0; k < SPIN_YIELDS && atomic_load(&active_seen) > 0; k++)
        sched_yield();
    pthread_mutex_lock(&pool.mu);
    while (pool.active > 0)
        pthread_cond_wait(&pool.done, &pool.mu);
    pthread_mutex_unlock(&pool.mu);
    atomic_store(&in_parallel, 0);
    if (blas != 1)
        openblas_set_num_threads(blas);
}

int conv_par_parts(int n) { return n < 1 ? 1 : n < CONV_PAR_MAX ? n : CONV_PAR_MAX; }

typedef struct parts_job {
    conv_par_part_fn fn;
    void *ctx;
    int n, parts;
} parts_job;

static void parts_task(void *c, int p, int thread)
{
    const parts_job *j = c;
    int lo = (int)((long)p * j->n / j->parts), hi = (int)((long)(p + 1) * j->n / j->parts);
    for (int i = lo; i < hi; i++)
        j->fn(j->ctx, i, thread, p);
}

void conv_par_for_parts(int n, conv_par_part_fn fn, void *ctx)
{
    parts_job j = { fn, ctx, n, conv_par_parts(n) };
    conv_par_for(j.parts, parts_task, &j);
}

void conv_sgemm(int transA, int transB, int M, int N, int K, float alpha, const float *A,
                int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
    if (!atomic_load(&in_parallel))
        tensor_sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    else   /* the same column parts as tensor_sgemm: the same bits on any thread count */
        tensor_sgemm_serial(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* ---- vector kernels ---------------------------------------------------------------------------- */

/* Three widths from one source (conv_vec.inc): 4 floats (SSE, every x86-64; NEON
 * elsewhere) and, on x86-64 CPUs that have them, 8 floats with AVX2 or 16 with AVX-512,
 * chosen at run time by the engine's ISA level (cpu_isa_get: LATENT_ISA may lower it). */
typedef float v4f __attribute__((vector_size(16)));
typedef int v4i __attribute__((vector_size(16)));
#define VF v4f
#define VI v4i
#define VW 4
#define FN(n) n##_4
#define ATTR
#include "conv_vec.inc"

#if defined(__x86_64__) && defined(__GNUC__)
typedef float v8f __attribute__((vector_size(32)));
typedef int v8i __attribute__((vector_size(32)));
#define VF v8f
#define VI v8i
#define VW 8
#define FN(n) n##_8
#define ATTR __attribute__((target("avx2")))
#include "conv_vec.inc"
typedef float v16f __attribute__((vector_size(64)));
typedef int v16i __attribute__((vector_size(64)));
#define VF v16f
#define VI v16i
#define VW 16
#define FN(n) n##_16
#define ATTR __attribute__((target("avx512f")))
#include "conv_vec.inc"
static int max_width = 16;   /* conv_vec_width: the widest kernels allowed */
#define WIDE (max_width >= 8 && cpu_isa_get() >= CPU_ISA_AVX2)
#define WIDEST (max_width >= 16 && cpu_isa_get() >= CPU_ISA_AVX512)
#define PICK(name, args) (WIDEST ? name##_16 args : WIDE ? name##_8 args : name##_4 args)
#else
static int max_width = 4;
#define PICK(name, args) (name##_4 args)
#endif

int conv_vec_width(int w)
{
    int old = max_width;
    max_width = w >= 16 ? 16 : w >= 8 ? 8 : 4;
    return old;
}

float conv_vsum(const float *x, size_t n) { return PICK(vsum, (x, n)); }
float conv_vsqdev(const float *x, float m, size_t n) { return PICK(vsqdev, (x, m, n)); }
void conv_vadd(float *restrict y, const float *restrict x, size_t n) { PICK(vadd, (y, x, n)); }
void conv_vaddc(float *y, float c, size_t n) { PICK(vaddc, (y, c, n)); }
void conv_vexp(float *restrict y, const float *restrict x, size_t n) { PICK(vexp, (y, x, n)); }

void conv_vaddc_add(float *restrict y, const float *restrict x, float c, const float *restrict v,
                    size_t n)
{
    PICK(vaddc_add, (y, x, c, v, n));
}

void conv_vaffine(float *restrict y, const float *restrict x, float a, float b, size_t n)
{
    PICK(vaffine, (y, x, a, b, n));
}

void conv_vaffine_silu(float *y, float *restrict d, const float *x, float a, float b, size_t n)
{
    PICK(vaffine_silu, (y, d, x, a, b, n));
}

void conv_vgn_sums(const float *gy, const float *f, const float *x, float mean, float rstd,
                   size_t n, float *sda, float *sdx)
{
    PICK(vgn_sums, (gy, f, x, mean, rstd, n, sda, sdx));
}

void conv_vgn_dx(float *dx, const float *gy, const float *f, const float *x, float mean,
                 float rstd, float wc, float m1, float m2, size_t n, int set)
{
    PICK(vgn_dx, (dx, gy, f, x, mean, rstd, wc, m1, m2, n, set));
}

/* ---- helpers of the ops ------------------------------------------------------------------------ */

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
