/* gemm_bench.c: the engine's own sgemm (core/compute/gemm.c) against OpenBLAS's cblas_sgemm on
 * every product shape of the four lecture MLPs (ae, vae, gan, ddpm: forward, dX, dW, and
 * DDPM sampling), on 1 and 2 threads.
 *
 *   gemm_bench [--threads 1,2] [--ms 150] [--cpu-clock] [--cold] [--shape ta,tb,M,N,K]
 *
 * Per shape and thread count: the best of 5 rounds of repeated calls (each round about
 * --ms / 5 milliseconds), as microseconds per call and GFLOP/s, for OpenBLAS (blas) and
 * ours (own), with the CPU time per wall time of that round (cpu; near the thread count
 * when the threads had the cores: below it, other processes took them, or the threads
 * idled), their ratio (own / blas time; < 1: ours faster), the max abs difference
 * between the two results, and whether sgemm takes the own kernel for that
 * shape on this many threads by default (auto=own) or leaves it to OpenBLAS (auto=blas;
 * sgemm runs products under 8 MFLOP on one thread). Ours is timed first, then
 * OpenBLAS.
 * Buffers are fresh random ones per shape; C is (M, N) with beta as the engine calls it
 * (dW accumulates: beta 1). --cpu-clock times with the process's CPU time (on a shared
 * machine, with 1 thread, a figure other processes hardly change). --cold rotates over
 * enough copies of the operands (16 MB in all) that each call finds them out of L2, as
 * in training, where every layer's weights and activations pass by between two calls
 * of one product.
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu.h"
#include "gemm.h"
#include "rng.h"
#include "tensor.h"

static clockid_t clk = CLOCK_MONOTONIC;
static int cold;   /* 1: rotate over operand copies that do not fit in L2 */

static double now(void)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

typedef struct shape {
    const char *what;
    int ta, tb, M, N, K;
    float beta;
} shape;

/* the products of tests/bench/train_bench.c's models (batch 128; gan 64; sampling 64) */
static const shape shapes[] = {
    { "ae/vae fwd 784>256", 0, 1, 128, 256, 784, 0 },
    { "ae/vae fwd 256>784", 0, 1, 128, 784, 256, 0 },
    { "ae/vae fwd 256>20", 0, 1, 128, 20, 256, 0 },
    { "ae/vae fwd 20>256", 0, 1, 128, 256, 20, 0 },
    { "ae/vae dX 256<784", 0, 0, 128, 256, 784, 0 },
    { "ae/vae dX 20<256", 0, 0, 128, 20, 256, 0 },
    { "ae/vae dX 256<20", 0, 0, 128, 256, 20, 0 },
    { "ae/vae dW 784x256", 1, 0, 784, 256, 128, 1 },
    { "ae/vae dW 256x784", 1, 0, 256, 784, 128, 1 },
    { "ae/vae dW 256x20", 1, 0, 256, 20, 128, 1 },
    { "ae/vae dW 20x256", 1, 0, 20, 256, 128, 1 },
    { "gan fwd 64>256", 0, 1, 64, 256, 64, 0 },
    { "gan fwd 256>784", 0, 1, 64, 784, 256, 0 },
    { "gan fwd 784>256", 0, 1, 64, 256, 784, 0 },
    { "gan fwd 256>1", 0, 1, 64, 1, 256, 0 },
    { "gan dX 784<256", 0, 0, 64, 784, 256, 0 },
    { "gan dX 256<784", 0, 0, 64, 256, 784, 0 },
    { "gan dX 256<1", 0, 0, 64, 256, 1, 0 },
    { "gan dW 256x784", 1, 0, 256, 784, 64, 1 },
    { "gan dW 784x256", 1, 0, 784, 256, 64, 1 },
    { "gan dW 256x64", 1, 0, 256, 64, 64, 1 },
    { "gan dW 1x256", 1, 0, 1, 256, 64, 1 },
    { "ddpm fwd 848>512", 0, 1, 128, 512, 848, 0 },
    { "ddpm fwd 512>512", 0, 1, 128, 512, 512, 0 },
    { "ddpm fwd 512>784", 0, 1, 128, 784, 512, 0 },
    { "ddpm dX 512<784", 0, 0, 128, 512, 784, 0 },
    { "ddpm dX 512<512", 0, 0, 128, 512, 512, 0 },
    { "ddpm dW 784x512", 1, 0, 784, 512, 128, 1 },
    { "ddpm dW 512x512", 1, 0, 512, 512, 128, 1 },
    { "ddpm dW 512x848", 1, 0, 512, 848, 128, 1 },
    { "sample fwd 848>512", 0, 1, 64, 512, 848, 0 },
    { "sample fwd 512>512", 0, 1, 64, 512, 512, 0 },
    { "sample fwd 512>784", 0, 1, 64, 784, 512, 0 },
};

/* seconds per call: best of 5 rounds of about ms / 5 milliseconds each; call i uses
 * operand set i % nset */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* *util: CPU time / wall time of the best round (with --cpu-clock: 1) */
static double time_calls(const shape *s, int own, float **A, float **B, float **C, int nset,
                         double ms, double *util)
{
    int lda = s->ta ? s->M : s->K, ldb = s->tb ? s->K : s->N;
    double best = 1e30;
    int reps = 1;
    for (int round = -1; round < 5; round++) {   /* round -1: warm-up, sizes reps */
        double t0 = now(), c0 = cpu_now();
        for (int i = 0; i < reps; i++) {
            int k = i % nset;
            if (own)
                gemm_sgemm(s->ta, s->tb, s->M, s->N, s->K, 1.0f, A[k], lda, B[k], ldb, s->beta,
                           C[k], s->N, pool_get_threads());
            else
                cblas_sgemm(CblasRowMajor, s->ta ? CblasTrans : CblasNoTrans,
                            s->tb ? CblasTrans : CblasNoTrans, s->M, s->N, s->K, 1.0f, A[k], lda,
                            B[k], ldb, s->beta, C[k], s->N);
        }
        double t = (now() - t0) / reps;
        if (round < 0) {
            reps = (int)(ms * 1e-3 / 5 / (t > 1e-7 ? t : 1e-7));
            reps = reps < 3 * nset ? 3 * nset : reps;
        } else if (t < best) {
            best = t;
            *util = (cpu_now() - c0) / (t * reps);
        }
    }
    return best;
}

static float *alloc_rand(size_t n, rng *r)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    if (!p) { perror("gemm_bench"); exit(1); }
    rng_fill_uniform(r, p, n, -1, 1);
    return p;
}

static void run_shape(const shape *s, int threads, double ms, rng *r)
{
    size_t na = (size_t)s->M * s->K, nb = (size_t)s->K * s->N, nc = (size_t)s->M * s->N;
    int nset = cold ? (int)(4.0 * 1048576 / (na + nb + nc)) + 1 : 1;   /* 16 MB of floats */
    if (nset > 256) nset = 256;
    float *A[256], *B[256], *C1[256], *C2[256];
    for (int k = 0; k < nset; k++) {
        A[k] = alloc_rand(na, r);
        B[k] = alloc_rand(nb, r);
        C1[k] = alloc_rand(nc, r);
        C2[k] = alloc_rand(nc, r);
    }
    sgemm_set_threads(threads);
    openblas_set_num_threads(threads);
    gemm_mode old = gemm_set_mode(GEMM_ALL);
    double ub = 0, uo = 0;
    double to = time_calls(s, 1, A, B, C2, nset, ms, &uo), tb = time_calls(s, 0, A, B, C1, nset, ms, &ub);
    /* one call each on equal C for the difference */
    int lda = s->ta ? s->M : s->K, ldb = s->tb ? s->K : s->N;
    rng_fill_uniform(r, C1[0], nc, -1, 1);
    memcpy(C2[0], C1[0], nc * sizeof *C1[0]);
    cblas_sgemm(CblasRowMajor, s->ta ? CblasTrans : CblasNoTrans, s->tb ? CblasTrans : CblasNoTrans,
                s->M, s->N, s->K, 1.0f, A[0], lda, B[0], ldb, s->beta, C1[0], s->N);
    int ran = gemm_sgemm(s->ta, s->tb, s->M, s->N, s->K, 1.0f, A[0], lda, B[0], ldb, s->beta,
                         C2[0], s->N, threads);
    double d = 0;
    for (size_t i = 0; i < nc; i++) d = fmax(d, fabs((double)C1[0][i] - C2[0][i]));
    gemm_set_mode(old);
    int wants = gemm_wants(s->ta, s->tb, s->M, s->N, s->K, 2.0 * s->M * s->N * s->K < 8e6 ? 1 : threads);
    double gf = 2e-9 * s->M * s->N * s->K;
    printf("%-20s %c%c M=%-4d N=%-4d K=%-4d thr=%d  blas %8.1f us %6.1f GF/s (cpu %.2f)"
           "  own %8.1f us %6.1f GF/s (cpu %.2f)  own/blas %.2f  maxdiff %.1e%s auto=%s\n",
           s->what, s->ta ? 'T' : 'N', s->tb ? 'T' : 'N', s->M, s->N, s->K, threads, tb * 1e6,
           gf / tb, ub, to * 1e6, gf / to, uo, to / tb, d, ran ? "" : " (own declined)",
           wants ? "own" : "blas");
    fflush(stdout);
    for (int k = 0; k < nset; k++) {
        free(A[k]); free(B[k]); free(C1[k]); free(C2[k]);
    }
}

int main(int argc, char **argv)
{
    int thr[8] = { 1, 2 }, nthr = 2;
    double ms = 150;
    shape one;
    int have_one = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            nthr = 0;
            for (char *p = argv[++i]; *p && nthr < 8;) {
                thr[nthr++] = (int)strtol(p, &p, 10);
                if (*p == ',') p++;
            }
        } else if (!strcmp(argv[i], "--ms") && i + 1 < argc) {
            ms = atof(argv[++i]);
        } else if (!strcmp(argv[i], "--cold")) {
            cold = 1;
        } else if (!strcmp(argv[i], "--cpu-clock")) {
            clk = CLOCK_PROCESS_CPUTIME_ID;
        } else if (!strcmp(argv[i], "--shape") && i + 1 < argc) {
            one = (shape){ "shape", 0, 0, 0, 0, 0, 0 };
            if (sscanf(argv[++i], "%d,%d,%d,%d,%d", &one.ta, &one.tb, &one.M, &one.N, &one.K) != 5) {
                fprintf(stderr, "gemm_bench: --shape ta,tb,M,N,K\n");
                return 2;
            }
            one.beta = one.ta ? 1 : 0;
            have_one = 1;
        } else {
            fprintf(stderr, "usage: gemm_bench [--threads 1,2] [--ms 150] [--cpu-clock] [--cold] "
                            "[--shape ta,tb,M,N,K]\n");
            return 2;
        }
    }
    printf("# gemm_bench clock=%s operands=%s isa=%s own_kernel=%s openblas=%s\n",
           clk == CLOCK_MONOTONIC ? "wall" : "cpu", cold ? "cold" : "hot", cpu_isa_name(cpu_isa_get()),
           gemm_available() ? "avx512" : "none",
           openblas_get_config());
    rng r;
    rng_seed(&r, 1);
    for (int t = 0; t < nthr; t++) {
        if (have_one)
            run_shape(&one, thr[t], ms, &r);
        else
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
                run_shape(&shapes[s], thr[t], ms, &r);
    }
    return 0;
}
