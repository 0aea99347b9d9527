/* test_gemm.c: the own sgemm kernel (core/compute/gemm.c) and sgemm against
 * sgemm_naive: random shapes from 1 to ~300 with odd sizes, every transpose pair,
 * padded leading dimensions, alpha/beta (beta 0 over NaN garbage), 1, 2 and 3 threads;
 * results equal across thread counts; degenerate shapes (M, N <= 0; K = 0). Each ISA path
 * this CPU has (cpu.h: AVX-512, AVX2, generic) is tested in turn, and says so: where the
 * own kernel does not run, gemm_sgemm must decline and leave C untouched, and
 * sgemm (OpenBLAS then) must still be right and thread-count independent. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cpu.h"
#include "gemm.h"
#include "rng.h"
#include "tensor.h"

static rng R;

static int rand_dim(int hi)   /* 1..hi, biased to small and to panel edges */
{
    static const int edges[] = { 1, 2, 13, 14, 15, 16, 17, 28, 31, 32, 33, 47, 64, 65 };
    uint64_t u = rng_next(&R);
    if (u % 3 == 0)
        return edges[(u >> 8) % (sizeof edges / sizeof edges[0])];
    return 1 + (int)((u >> 16) % (uint64_t)hi);
}

/* |got - want| <= 2e-6 (K + 1) + 1e-6 |want| for the M x N elements of C (|a|, |b| <= 1,
 * |alpha|, |beta| <= 2: float rounding grows with K; a lost or doubled term of the sum is
 * ~0.25 off); the padding columns past N must be left bit for bit */
static int compare(const float *got, const float *want, int M, int N, int ldc, int K,
                   const char *what)
{
    double tol = 2e-6 * (K + 1);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < ldc; j++) {
            double g = got[(size_t)i * ldc + j], w = want[(size_t)i * ldc + j];
            int bad = j < N ? !(fabs(g - w) <= tol + 1e-6 * fabs(w))
                            : memcmp(&got[(size_t)i * ldc + j], &want[(size_t)i * ldc + j], 4) != 0;
            if (bad) {
                fprintf(stderr, "%s: C[%d][%d] = %.9g, want %.9g\n", what, i, j, g, w);
                return 0;
            }
        }
    return 1;
}

/* one random product through gemm_sgemm (GEMM_ALL) on 1 and 2 threads and through the
 * naive reference */
static void check_one(int ta, int tb, int M, int N, int K, float alpha, float beta)
{
    int lda = (ta ? M : K) + (int)(rng_next(&R) % 3), ldb = (tb ? K : N) + (int)(rng_next(&R) % 3);
    int ldc = N + (int)(rng_next(&R) % 3);
    size_t na = (size_t)(ta ? K : M) * lda, nb = (size_t)(tb ? N : K) * ldb, nc = (size_t)M * ldc;
    float *A = malloc((na + 1) * sizeof *A), *B = malloc((nb + 1) * sizeof *B);
    float *C0 = malloc(nc * sizeof *C0), *C1 = malloc(nc * sizeof *C1);
    float *C2 = malloc(nc * sizeof *C2), *C3 = malloc(nc * sizeof *C3), *Cr = malloc(nc * sizeof *Cr);
    rng_fill_uniform(&R, A, na + 1, -1, 1);
    rng_fill_uniform(&R, B, nb + 1, -1, 1);
    rng_fill_uniform(&R, C0, nc, -1, 1);
    if (beta == 0.0f)   /* C is not read: NaN there must not show */
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
                C0[(size_t)i * ldc + j] = NAN;
    memcpy(C1, C0, nc * sizeof *C0);
    memcpy(C2, C0, nc * sizeof *C0);
    memcpy(C3, C0, nc * sizeof *C0);
    memcpy(Cr, C0, nc * sizeof *C0);
    sgemm_naive(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, Cr, ldc);
    sgemm_set_threads(1);
    int ran1 = gemm_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C1, ldc, 1);
    sgemm_set_threads(2);
    int ran2 = gemm_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C2, ldc, 2);
    sgemm_set_threads(3);
    int ran3 = gemm_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C3, ldc, 3);
    char what[128];
    snprintf(what, sizeof what, "gemm %c%c M=%d N=%d K=%d lda=%d ldb=%d ldc=%d alpha=%g beta=%g",
             ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, lda, ldb, ldc, alpha, beta);
    CHECK(ran1 == gemm_available() && ran2 == gemm_available() && ran3 == gemm_available());
    if (ran1)
        CHECK(compare(C1, Cr, M, N, ldc, K, what));
    else   /* declined: C untouched, bit for bit */
        CHECK(memcmp(C1, C0, nc * sizeof *C1) == 0);
    CHECK(memcmp(C1, C2, nc * sizeof *C1) == 0);   /* thread count does not change a bit */
    CHECK(memcmp(C1, C3, nc * sizeof *C1) == 0);
    /* sgemm (own kernel or OpenBLAS, cut by columns): right, and the same bits on
     * 1, 2 and 3 threads */
    memcpy(C1, C0, nc * sizeof *C0);
    memcpy(C2, C0, nc * sizeof *C0);
    memcpy(C3, C0, nc * sizeof *C0);
    sgemm_set_threads(1);
    sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C1, ldc);
    sgemm_set_threads(2);
    sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C2, ldc);
    sgemm_set_threads(3);
    sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C3, ldc);
    CHECK(compare(C1, Cr, M, N, ldc, K, what));
    CHECK(memcmp(C1, C2, nc * sizeof *C1) == 0);
    CHECK(memcmp(C1, C3, nc * sizeof *C1) == 0);
    free(A); free(B); free(C0); free(C1); free(C2); free(C3); free(Cr);
}

static void test_random_shapes(void)
{
    sgemm_set_small_flops(0);   /* every product threaded: cut over the pool */
    gemm_mode old = gemm_set_mode(GEMM_ALL);
    static const float alphas[] = { 1.0f, -0.5f, 2.0f }, betas[] = { 0.0f, 1.0f, -1.5f };
    for (int it = 0; it < 240; it++) {
        int ta = it & 1, tb = (it >> 1) & 1;
        int big = it % 8 == 0;   /* a few up to ~300, most small (fast under ASan) */
        int M = rand_dim(big ? 300 : 70), N = rand_dim(big ? 300 : 100), K = rand_dim(big ? 300 : 80);
        check_one(ta, tb, M, N, K, alphas[it % 3], betas[(it / 3) % 3]);
    }
    /* the model shapes' edges: batch 64/128, panels of 784 = 24.5 x 32, K over one block */
    check_one(0, 1, 64, 784, 600, 1.0f, 0.0f);
    check_one(0, 0, 128, 80, 530, 1.0f, 0.0f);
    check_one(1, 0, 300, 47, 128, 1.0f, 1.0f);
    gemm_set_mode(old);
    sgemm_set_threads(1);
    sgemm_set_small_flops(8e6);
}

/* sgemm (whichever GEMM it picks) on degenerate and model-like shapes */
static void test_tensor_sgemm(void)
{
    float c[6] = { 1, 2, 3, 4, 5, 6 }, a[1] = { 7 }, b[1] = { 8 };
    sgemm(0, 0, 0, 3, 2, 1.0f, a, 1, b, 1, 0.0f, c, 3);   /* M = 0: no-op */
    sgemm(0, 0, 2, 0, 2, 1.0f, a, 1, b, 1, 0.0f, c, 3);   /* N = 0: no-op */
    CHECK(c[0] == 1 && c[5] == 6);
    sgemm(0, 0, 2, 3, 0, 1.0f, a, 1, b, 3, 2.0f, c, 3);   /* K = 0: C = beta C */
    CHECK(c[0] == 2 && c[5] == 12);
    for (int i = 0; i < 6; i++) c[i] = NAN;
    sgemm(0, 0, 2, 3, 0, 1.0f, a, 1, b, 3, 0.0f, c, 3);   /* K = 0, beta 0: zeros */
    CHECK(c[0] == 0 && c[5] == 0);
    for (int th = 1; th <= 2; th++) {
        sgemm_set_threads(th);
        for (int mode = 0; mode < 3; mode++) {
            gemm_mode old = gemm_set_mode((gemm_mode)mode);
            int M = 128, N = 96 + mode, K = 257;
            float *A = malloc((size_t)M * K * sizeof *A), *B = malloc((size_t)K * N * sizeof *B);
            float *C = malloc((size_t)M * N * sizeof *C), *Cr = malloc((size_t)M * N * sizeof *Cr);
            rng_fill_uniform(&R, A, (size_t)M * K, -1, 1);
            rng_fill_uniform(&R, B, (size_t)K * N, -1, 1);
            for (int i = 0; i < M * N; i++) C[i] = Cr[i] = NAN;
            sgemm(0, 1, M, N, K, 1.0f, A, K, B, K, 0.0f, C, N);
            sgemm_naive(0, 1, M, N, K, 1.0f, A, K, B, K, 0.0f, Cr, N);
            CHECK(compare(C, Cr, M, N, N, K, "sgemm NT"));
            free(A); free(B); free(C); free(Cr);
            gemm_set_mode(old);
        }
    }
    sgemm_set_threads(1);
}

/* the policy: GEMM_OFF takes nothing, GEMM_ALL everything that fits, AUTO the measured
 * shapes */
static void test_modes(void)
{
    gemm_mode old = gemm_set_mode(GEMM_OFF);
    CHECK(!gemm_wants(0, 1, 128, 512, 512, 1));
    float x = 0;
    CHECK(!gemm_sgemm(0, 0, 1, 1, 1, 1.0f, &x, 1, &x, 1, 0.0f, &x, 1, 1));
    gemm_set_mode(GEMM_ALL);
    CHECK(gemm_wants(0, 1, 1, 1, 1, 2) == gemm_available());
    CHECK(!gemm_wants(0, 1, 1, 1, 0, 1) && !gemm_wants(0, 1, 0, 1, 1, 1));
    gemm_set_mode(GEMM_AUTO);
    CHECK(!gemm_wants(0, 1, 64, 1, 256, 1));      /* N = 1: OpenBLAS */
    CHECK(!gemm_wants(1, 0, 784, 512, 128, 1));   /* dW: OpenBLAS */
    CHECK(gemm_wants(0, 1, 64, 256, 784, 1) == gemm_available());
    CHECK(!gemm_wants(0, 1, 64, 256, 784, 2));    /* on 2 threads: OpenBLAS */
    CHECK(!gemm_wants(0, 0, 128, 512, 848, 2));
    CHECK(gemm_wants(0, 0, 128, 512, 848, 1) == gemm_available());
    CHECK(gemm_get_mode() == GEMM_AUTO);
    gemm_set_mode(old);
}

int main(void)
{
    cpu_isa best = cpu_isa_best(), old = cpu_isa_get();
    for (int isa = best; isa >= CPU_ISA_GENERIC; isa--) {   /* each path this CPU has */
        cpu_isa_set((cpu_isa)isa);
        printf("gemm: ISA path %s (own kernel %s; OpenBLAS core %s)\n", cpu_isa_name(isa),
               gemm_available() ? "runs" : "declines", openblas_get_corename());
        rng_seed(&R, 42);
        RUN(test_random_shapes);
        RUN(test_tensor_sgemm);
        RUN(test_modes);
    }
    cpu_isa_set(old);
    return check_summary("gemm");
}
