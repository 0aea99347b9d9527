/* gemm.h: the engine's own single-precision matrix product (AVX-512), for the small-M
 * products of the lecture MLPs (batch 64 or 128 rows, K and N up to about 1000), where it
 * beats OpenBLAS. tensor_sgemm (tensor.h) calls it first and falls back to OpenBLAS when
 * it declines; nothing else needs to call it.
 *
 *     if (!gemm_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, threads))
 *         cblas_sgemm(...);   // not a shape (or CPU) it handles
 *
 * How: C is cut into panels of 32 columns; each panel of op(B) is packed (K, 32) k-major
 * into a per-thread buffer, op(A) once per call into blocks of at most 14 rows (K, rows)
 * k-major, and a register-blocked kernel (14 x 32 accumulators in zmm registers) runs
 * over K in blocks of GEMM_KC, writing C = alpha acc + beta C (beta 0: C is not read).
 * With threads > 1 the column panels are spread over conv_par_for's pool; every element
 * of C is summed in the same order whatever the thread count, so results do not depend
 * on it. Packing buffers are static, grown as needed and kept (no allocation per call in
 * steady state); gemm_sgemm is not reentrant: call it from one thread at a time.
 *
 * The kernel runs only where __builtin_cpu_supports("avx512f") says so (x86-64 with GCC
 * or Clang; compiled with target attributes, no global flags); elsewhere gemm_sgemm
 * always returns 0.
 */
#ifndef LT_GEMM_H
#define LT_GEMM_H

/* Which products gemm_sgemm takes. GEMM_AUTO (default): the shapes where it measured
 * faster than OpenBLAS (see gemm_wants); GEMM_OFF: none (OpenBLAS only, for benchmarks);
 * GEMM_ALL: every product it can (M, N >= 1, K >= 1, packed op(A) within a size limit),
 * for tests. */
typedef enum { GEMM_AUTO, GEMM_OFF, GEMM_ALL } gemm_mode;

/* Sets the mode; returns the previous one. Process-wide. */
gemm_mode gemm_set_mode(gemm_mode mode);
gemm_mode gemm_get_mode(void);

/* 1 if this CPU runs the kernel (AVX-512F), else 0. */
int gemm_available(void);

/* 1 if gemm_sgemm would take this product in the current mode (and CPU). */
int gemm_wants(int transA, int transB, int M, int N, int K);

/* C = alpha op(A) op(B) + beta C, row-major, BLAS conventions as tensor_sgemm (tensor.h):
 * op(A) is (M, K), op(B) is (K, N), C is (M, N); lda/ldb/ldc are row strides; beta = 0
 * means C is not read (NaN there is overwritten). threads: the most threads to use (1:
 * the calling thread only). Returns 1 when it computed C, 0 (C untouched) when it
 * declines: mode, CPU or shape (see gemm_wants), or a packing buffer could not be
 * allocated; the caller then uses another GEMM. */
int gemm_sgemm(int transA, int transB, int M, int N, int K, float alpha, const float *A,
               int lda, const float *B, int ldb, float beta, float *C, int ldc, int threads);

#endif
