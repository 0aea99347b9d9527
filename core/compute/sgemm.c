/* sgemm.c: the engine's one matrix product: the dispatch between the own kernel (gemm.h)
 * and OpenBLAS, the column split and the BLAS thread policy, and the naive reference. */
#include "sgemm.h"

#include <cblas.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "gemm.h"
#include "pool.h"
#include "settings.h"

/* ---- sgemm ------------------------------------------------------------------------- */

static int blas_cur_threads;       /* what OpenBLAS is set to now; 0: not yet read */

/* Adaptive choice (when enabled) between 1 and pool_get_threads() threads for larger products. Products
 * are grouped by log2 of their flops; for each group we keep a moving average of the
 * seconds per flop with 1 thread and with all, try each a few times, then use the faster
 * one, re-trying the other every EXPLORE-th call (a machine's load changes). Threads pay
 * on an idle machine and cost dearly when the cores are busy with other work. */
#define EXPLORE 32
static struct {
    double spf[2];   /* seconds per flop: [0] one thread, [1] all */
    int n[2];        /* timed calls */
    unsigned calls;
} perf_group[64];

static void blas_init(void)
{
    if (!blas_cur_threads) {
        blas_cur_threads = openblas_get_num_threads();
        if (blas_cur_threads < 1)
            blas_cur_threads = 1;
    }
}

void sgemm_set_threads(int n)
{
    blas_init();
    pool_set_threads(n);
    memset(perf_group, 0, sizeof perf_group);
}

void sgemm_set_small_flops(double flops)
{
    lt_set.sgemm_small_flops = flops;
}

void sgemm_set_adaptive_threads(int on)
{
    lt_set.sgemm_adaptive = on != 0;
    memset(perf_group, 0, sizeof perf_group);
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* 0: one thread, 1: all, for a product of this many flops in group gi */
static int choose_threads(int gi)
{
    int *n = perf_group[gi].n;
    if (n[0] < 3 || n[1] < 3)
        return n[0] <= n[1] ? 0 : 1;
    int best = perf_group[gi].spf[1] < perf_group[gi].spf[0];
    return ++perf_group[gi].calls % EXPLORE == 0 ? !best : best;
}

static void set_blas_threads(int want)
{
    if (want != blas_cur_threads) {
        openblas_set_num_threads(want);
        blas_cur_threads = want;
    }
}

/* A product's columns [i part, (i + 1) part) on one thread: the own kernel if it takes
 * the shape, else OpenBLAS (set to one thread while the pool runs). */
typedef struct split_job {
    int ta, tb, M, N, K, lda, ldb, ldc, part;
    float alpha, beta;
    const float *A, *B;
    float *C;
} split_job;

static void split_task(void *c, int i, int th)
{
    (void)th;
    const split_job *j = c;
    int n0 = i * j->part, n = j->N - n0 < j->part ? j->N - n0 : j->part;
    if (n <= 0)
        return;
    const float *Bp = j->tb ? j->B + (size_t)n0 * j->ldb : j->B + n0;
    if (gemm_sgemm(j->ta, j->tb, j->M, n, j->K, j->alpha, j->A, j->lda, Bp, j->ldb, j->beta,
                   j->C + n0, j->ldc, 1))
        return;
    cblas_sgemm(CblasRowMajor, j->ta ? CblasTrans : CblasNoTrans, j->tb ? CblasTrans : CblasNoTrans,
                j->M, n, j->K, j->alpha, j->A, j->lda, Bp, j->ldb, j->beta, j->C + n0, j->ldc);
}

int sgemm_set_split(int on)
{
    int old = lt_set.sgemm_split;
    lt_set.sgemm_split = on != 0;
    return old;
}

/* How many column parts a product is cut into: by its shape only, never by the thread
 * count, so each element of C comes from the same one-thread call whether the parts run
 * on 1 thread or 8. (OpenBLAS's kernels are not all alike across a product's columns: its
 * Haswell/Zen sgemm sums a column in another order depending on where it falls in the
 * call's blocks of 24/16/8 columns, so cutting by thread count changed the last bits of
 * an MLP step between 1, 2 and 3 threads on AVX2 machines.) Products below small_flops
 * and narrower than 64 columns: whole. 2 parts suit the two cores of the usual laptop; 4
 * from 512 columns let 4 cores share a wide product at the cost of packing op(A) 4 times
 * (~1-2% of the product). */
static int split_parts(int M, int N, int K)
{
    if (!lt_set.sgemm_split || 2.0 * M * N * K < lt_set.sgemm_small_flops)
        return 1;
    return N < 64 ? 1 : N < 512 ? 2 : 4;
}

/* The columns of a product cut into split_parts, in *j; returns how many parts. */
static int split_setup(split_job *j, int transA, int transB, int M, int N, int K, float alpha,
                       const float *A, int lda, const float *B, int ldb, float beta, float *C,
                       int ldc)
{
    int parts = split_parts(M, N, K);
    int part = ((N + parts - 1) / parts + 15) / 16 * 16;
    *j = (split_job){ transA, transB, M, N, K, lda, ldb, ldc, part, alpha, beta, A, B, C };
    return (N + part - 1) / part;
}

/* The product on the calling thread, its parts in order (OpenBLAS must be on one thread:
 * the caller sees to it). A product the own kernel takes whole and in its narrowest part
 * runs whole: its every element is summed in the same order either way. */
static void serial_parts(int transA, int transB, int M, int N, int K, float alpha,
                         const float *A, int lda, const float *B, int ldb, float beta, float *C,
                         int ldc)
{
    split_job j;
    int n = split_setup(&j, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    if (n == 1 || (gemm_wants(transA, transB, M, N, K, 1) &&
                   gemm_wants(transA, transB, M, N - (n - 1) * j.part, K, 1))) {
        j.part = N;
        n = 1;
    }
    for (int i = 0; i < n; i++)
        split_task(&j, i, 0);
}

/* One product, on nthreads threads (1 or pool_get_threads()). With the split on
 * (default), a product of split_parts > 1 column ranges, each a one-thread product
 * (split_task), runs them over the pool when nthreads > 1 (OpenBLAS's own workers, which
 * spin for a long time after each threaded call, then never contest the second core with
 * the pool's element loops; tests/bench/README.md has the figures), else in order; any
 * other product runs on one thread. Split off (benchmarks): the whole product on
 * nthreads threads, OpenBLAS's or the own kernel's pool. */
static void sgemm_on(int nthreads, int transA, int transB, int M, int N, int K, float alpha,
                     const float *A, int lda, const float *B, int ldb, float beta, float *C,
                     int ldc)
{
    if (!lt_set.sgemm_split) {
        if (gemm_sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, nthreads))
            return;
        set_blas_threads(nthreads);
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                    transB ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb, beta,
                    C, ldc);
        return;
    }
    set_blas_threads(1);
    split_job j;
    int n = split_setup(&j, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    if (nthreads > 1 && n > 1)
        pool_for(n, split_task, &j);
    else
        serial_parts(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* C = beta C for K = 0, with beta 0 a plain store (as naive: NaN in C goes) */
static void scale_c(int M, int N, float beta, float *C, int ldc)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++)
            C[(size_t)i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[(size_t)i * ldc + j];
}

void sgemm(int transA, int transB, int M, int N, int K, float alpha,
                  const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
    if (M <= 0 || N <= 0)
        return;
    if (K <= 0) {
        scale_c(M, N, beta, C, ldc);
        return;
    }
    blas_init();
    int blas_max_threads = pool_get_threads();
    double flops = 2.0 * M * N * K;
    double small_flops = lt_set.sgemm_small_flops;
    if (blas_max_threads == 1 || flops < small_flops || !lt_set.sgemm_adaptive) {
        sgemm_on(flops < small_flops ? 1 : blas_max_threads, transA, transB, M, N, K, alpha, A,
                 lda, B, ldb, beta, C, ldc);
        return;
    }
    int gi = (int)log2(flops) & 63, all = choose_threads(gi);
    double t0 = mono_now();
    sgemm_on(all ? blas_max_threads : 1, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta,
             C, ldc);
    double spf = (mono_now() - t0) / flops;
    double *avg = &perf_group[gi].spf[all];
    *avg = perf_group[gi].n[all]++ ? 0.75 * *avg + 0.25 * spf : spf;
}

void sgemm_serial(int transA, int transB, int M, int N, int K, float alpha,
                         const float *A, int lda, const float *B, int ldb, float beta, float *C,
                         int ldc)
{
    if (M <= 0 || N <= 0)
        return;
    if (K <= 0) {
        scale_c(M, N, beta, C, ldc);
        return;
    }
    if (!lt_set.sgemm_split) {
        if (!gemm_sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, 1))
            cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                        transB ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb,
                        beta, C, ldc);
        return;
    }
    serial_parts(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void sgemm_naive(int transA, int transB, int M, int N, int K, float alpha,
                        const float *A, int lda, const float *B, int ldb, float beta,
                        float *C, int ldc)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0.0;
            for (int k = 0; k < K; k++) {
                float a = transA ? A[k * lda + i] : A[i * lda + k];
                float b = transB ? B[j * ldb + k] : B[k * ldb + j];
                s += (double)a * b;
            }
            float c = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
            C[i * ldc + j] = (float)(alpha * s) + c;
        }
}
