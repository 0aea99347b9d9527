/* conv_par.c: the thread pool and vector kernels behind conv.c (see conv_par.h). */
#include "conv_par.h"

#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

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
        while (pool.gen == seen)
            pthread_cond_wait(&pool.go, &pool.mu);
        seen = pool.gen;
        if (id >= pool.want)
            continue;   /* not needed this time */
        pthread_mutex_unlock(&pool.mu);
        run_tasks(id);
        pthread_mutex_lock(&pool.mu);
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
    if (want < 2 || !ensure_workers(want)) {
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
    pool.gen++;
    pthread_cond_broadcast(&pool.go);
    pthread_mutex_unlock(&pool.mu);
    run_tasks(0);
    pthread_mutex_lock(&pool.mu);
    while (pool.active > 0)
        pthread_cond_wait(&pool.done, &pool.mu);
    pthread_mutex_unlock(&pool.mu);
    atomic_store(&in_parallel, 0);
    if (blas != 1)
        openblas_set_num_threads(blas);
}

void conv_sgemm(int transA, int transB, int M, int N, int K, float alpha, const float *A,
                int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
    if (!atomic_load(&in_parallel)) {
        tensor_sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    if (M <= 0 || N <= 0)
        return;
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* ---- vector kernels ---------------------------------------------------------------------------- */

/* 4-float vectors: SSE on any x86-64 (and NEON elsewhere); GCC/Clang vector extensions */
typedef float v4f __attribute__((vector_size(16)));
typedef int v4i __attribute__((vector_size(16)));

static inline v4f load4(const float *p) { v4f v; memcpy(&v, p, sizeof v); return v; }
static inline void store4(float *p, v4f v) { memcpy(p, &v, sizeof v); }
static inline v4f splat(float a) { return (v4f){ a, a, a, a }; }
static inline v4f sel(v4i m, v4f a, v4f b) { return (v4f)((m & (v4i)a) | (~m & (v4i)b)); }
static inline float hsum4(v4f v) { return (v[0] + v[2]) + (v[1] + v[3]); }

float conv_vsum(const float *x, size_t n)
{
    v4f a0 = splat(0.0f), a1 = a0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        a0 += load4(x + i);
        a1 += load4(x + i + 4);
    }
    float s = hsum4(a0 + a1);
    for (; i < n; i++)
        s += x[i];
    return s;
}

float conv_vsqdev(const float *x, float m, size_t n)
{
    v4f a0 = splat(0.0f), a1 = a0, mv = splat(m);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v4f d0 = load4(x + i) - mv, d1 = load4(x + i + 4) - mv;
        a0 += d0 * d0;
        a1 += d1 * d1;
    }
    float s = hsum4(a0 + a1);
    for (; i < n; i++)
        s += (x[i] - m) * (x[i] - m);
    return s;
}

void conv_vadd(float *restrict y, const float *restrict x, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        store4(y + i, load4(y + i) + load4(x + i));
    for (; i < n; i++)
        y[i] += x[i];
}

void conv_vaffine(float *restrict y, const float *restrict x, float a, float b, size_t n)
{
    v4f av = splat(a), bv = splat(b);
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        store4(y + i, load4(x + i) * av + bv);
    for (; i < n; i++)
        y[i] = x[i] * a + b;
}

void conv_vaddc(float *y, float c, size_t n)
{
    v4f cv = splat(c);
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        store4(y + i, load4(y + i) + cv);
    for (; i < n; i++)
        y[i] += c;
}

/* exp by range reduction x = k ln2 + r, |r| <= ln2 / 2, and Cephes' polynomial for e^r */
static inline v4f vexp4(v4f x)
{
    x = sel(x > splat(88.3762626647949f), splat(88.3762626647949f), x);
    x = sel(x < splat(-87.3365447504019f), splat(-87.3365447504019f), x);
    const v4f magic = splat(12582912.0f);   /* 1.5 * 2^23: adding it rounds to an integer */
    v4f k = (x * splat(1.44269504088896341f) + magic) - magic;
    v4f r = x - k * splat(0.693359375f) - k * splat(-2.12194440e-4f);
    v4f p = splat(1.9875691500e-4f);
    p = p * r + splat(1.3981999507e-3f);
    p = p * r + splat(8.3334519073e-3f);
    p = p * r + splat(4.1665795894e-2f);
    p = p * r + splat(1.6666665459e-1f);
    p = p * r + splat(5.0000001201e-1f);
    p = p * r * r + r + splat(1.0f);
    v4i ki = __builtin_convertvector(k, v4i);
    v4f scale = (v4f)((ki + 127) << 23);
    return p * scale;
}

void conv_vexp(float *restrict y, const float *restrict x, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        store4(y + i, vexp4(load4(x + i)));
    if (i < n) {   /* the tail through the same code, so every element rounds alike */
        float buf[4] = { 0 };
        memcpy(buf, x + i, (n - i) * sizeof(float));
        v4f e = vexp4(load4(buf));
        memcpy(y + i, &e, (n - i) * sizeof(float));
    }
}

static inline void silu4(v4f v, v4f *y, v4f *d)
{
    v4f s = splat(1.0f) / (splat(1.0f) + vexp4(-v));
    *y = v * s;
    *d = s * (splat(1.0f) + v * (splat(1.0f) - s));
}

void conv_vaffine_silu(float *y, float *restrict d, const float *x, float a, float b, size_t n)
{
    v4f av = splat(a), bv = splat(b), yv, dv;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        silu4(load4(x + i) * av + bv, &yv, &dv);
        store4(y + i, yv);
        if (d)
            store4(d + i, dv);
    }
    if (i < n) {
        float buf[4] = { 0 };
        memcpy(buf, x + i, (n - i) * sizeof(float));
        silu4(load4(buf) * av + bv, &yv, &dv);
        memcpy(y + i, &yv, (n - i) * sizeof(float));
        if (d)
            memcpy(d + i, &dv, (n - i) * sizeof(float));
    }
}

static inline v4f load4_or_one(const float *f, size_t i)
{
    return f ? load4(f + i) : splat(1.0f);
}

void conv_vgn_sums(const float *gy, const float *f, const float *x, float mean, float rstd,
                   size_t n, float *sda, float *sdx)
{
    v4f a = splat(0.0f), b = a, mv = splat(mean), rv = splat(rstd);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        v4f da = load4(gy + i) * load4_or_one(f, i);
        a += da;
        b += da * ((load4(x + i) - mv) * rv);
    }
    float sa = hsum4(a), sb = hsum4(b);
    for (; i < n; i++) {
        float da = gy[i] * (f ? f[i] : 1.0f);
        sa += da;
        sb += da * ((x[i] - mean) * rstd);
    }
    *sda = sa;
    *sdx = sb;
}

void conv_vgn_dx(float *dx, const float *gy, const float *f, const float *x, float mean,
                 float rstd, float wc, float m1, float m2, size_t n)
{
    v4f mv = splat(mean), rv = splat(rstd), wv = splat(wc), m1v = splat(m1), m2v = splat(m2);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        v4f da = load4(gy + i) * load4_or_one(f, i);
        v4f xh = (load4(x + i) - mv) * rv;
        store4(dx + i, load4(dx + i) + rv * (da * wv - m1v - xh * m2v));
    }
    for (; i < n; i++) {
        float da = gy[i] * (f ? f[i] : 1.0f), xh = (x[i] - mean) * rstd;
        dx[i] += rstd * (da * wc - m1 - xh * m2);
    }
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
