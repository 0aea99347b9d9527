/* sgemm.h: the engine's one matrix product on raw arrays (row-major, BLAS conventions):
 * the own kernel (gemm.h) where it measured faster, else OpenBLAS, with the column split
 * that makes results independent of the thread count, the BLAS thread policy, and the
 * naive reference beside them.
 *
 *     sgemm(0, 1, B, out, in, 1.0f, x, in, w, in, 0.0f, y, out);   // y = x w^T
 */
#ifndef LT_SGEMM_H
#define LT_SGEMM_H

/* C = alpha * op(A) op(B) + beta * C, op(X) = X or X^T (transA/transB nonzero).
 * op(A) is (M, K), op(B) is (K, N), C is (M, N); lda/ldb/ldc are row strides.
 * M or N <= 0: nothing happens; K = 0: C = beta C; beta = 0: C is not read.
 * sgemm runs the products where it measured faster (the MLPs' batch-sized ones,
 * see gemm.h) on the engine's own AVX-512 kernel (AVX-512 path only, cpu.h), the rest on
 * OpenBLAS's cblas_sgemm,
 * choosing one thread for small products (below);
 * sgemm_naive is the slow, obviously right reference (double accumulation). */
void sgemm(int transA, int transB, int M, int N, int K, float alpha,
                  const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);
/* sgemm on the calling thread, its column parts in order, for pool tasks
 * (pool_for): the same bits as sgemm gives on any thread count. Never changes
 * OpenBLAS's thread setting; call it where OpenBLAS runs on one thread (pool_for's
 * tasks) or accept its threads for parts it runs. */
void sgemm_serial(int transA, int transB, int M, int N, int K, float alpha,
                         const float *A, int lda, const float *B, int ldb, float beta,
                         float *C, int ldc);
void sgemm_naive(int transA, int transB, int M, int N, int K, float alpha,
                        const float *A, int lda, const float *B, int ldb, float beta,
                        float *C, int ldc);

/* The most BLAS threads sgemm uses (default: OpenBLAS's own setting, which follows
 * OPENBLAS_NUM_THREADS or the core count); n < 1 means 1, and 1 turns threading off.
 * Products of fewer than sgemm_set_small_flops' value (2*M*N*K; default 8e6, e.g. the AE's
 * 20-wide layers) always run on one thread; larger ones on n threads.
 *
 * Products at least 64 columns wide are cut into column parts whose number depends on N
 * only (2, or 4 from 512 columns), each summed as a one-thread product (the own kernel or
 * OpenBLAS) and run over the pool, or in order on one thread; narrower products run on one
 * thread. So a product gives the same bits on any thread count, on every CPU and BLAS
 * (sgemm_set_split(0) gives that up). Threads pay on an idle machine but cost dearly when
 * other programs keep the cores busy (tests/bench/README.md, "Measurement history",
 * "threads on a loaded machine"): use 1 on a shared box.
 *
 * sgemm_set_adaptive_threads(1) instead times every larger product and runs it on 1 or on n
 * threads, whichever has been faster for products of about that size, re-trying the other
 * choice every 32nd call; fast under changing load, but not repeatable. sgemm_set_threads
 * forgets those timings. All of this is process-wide: call sgemm from one thread at a time. */
void sgemm_set_threads(int n);   /* pool_set_threads(n), and forgets the timings */
void sgemm_set_small_flops(double flops);
void sgemm_set_adaptive_threads(int on);
/* 1 (default): products are cut into column parts as above (sgemm.c says why); 0: each
 * product whole, on OpenBLAS's own threads or the own kernel's (for benchmarks; results
 * may then differ in the last bits with the thread count). Returns the previous setting. */
int sgemm_set_split(int on);

/* sgemm from anywhere: sgemm_serial inside pool_for tasks (pool.h), sgemm outside
 * them; the same bits either way. Same arguments as sgemm. */
void sgemm_nested(int transA, int transB, int M, int N, int K, float alpha, const float *A,
                  int lda, const float *B, int ldb, float beta, float *C, int ldc);

#endif
