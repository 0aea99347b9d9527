/* gemm.h: the engine's own single-precision matrix product (AVX-512), for the small-M
 * products of the lecture MLPs (batch 64 or 128 rows, K and N up to about 1000), where it
 * beats OpenBLAS. sgemm (tensor.h) calls it first and falls back to OpenBLAS when
 * it declines; nothing else needs to call it.
 *
 *     if (!gemm_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, threads))
 *         cblas_sgemm(...);   // not a shape (or CPU) it handles
 *
 * How: op(A) is packed once per call into blocks of at most 14 rows, each (K, rows)
 * k-major (M cut into blocks of nearly equal size: 64 rows = 13+13+13+13+12); C is cut
 * into panels of 32 columns, each panel of op(B) packed (K, 32) k-major into a per-thread
 * buffer, and a register-blocked kernel (rows x 32 accumulators in zmm registers, 16
 * columns for a last half panel) runs over K in steps of 512, writing
 * C = alpha acc + beta C (beta 0: C is not read). With threads > 1, pool_for's pool
 * packs op(A)'s blocks, then each thread takes one contiguous range of columns. Every
 * element of C is summed in the same order whatever the thread count, so results do not
 * depend on it, bit for bit. Packing buffers are grown as needed and kept (no
 * allocation per call in steady state). With threads = 1 they belong to the calling
 * thread, so pool tasks may each run a one-thread product at once (sgemm splits
 * its columns so); a call with threads > 1 uses the pool and shared buffers: one at a
 * time, and not from inside a pool_for task.
 *
 * The kernel runs only on the AVX-512 path (cpu_isa_get() == CPU_ISA_AVX512, cpu.h: a CPU
 * with AVX-512F, not lowered by LATENT_ISA; x86-64 with GCC or Clang, compiled with target
 * attributes, no global flags); elsewhere gemm_sgemm always returns 0.
 */
#ifndef LT_GEMM_H
#define LT_GEMM_H

/* Which products gemm_sgemm takes. GEMM_AUTO (default): the shapes where it measured
 * faster than OpenBLAS: not transposed A (y = x W^T and dX = dY W of a linear layer)
 * with M >= 32, N >= 64, K >= 32, when the product runs on one thread (on two,
 * OpenBLAS's spinning workers won in training; tests/bench/README.md has the figures;
 * dW = dY^T x stays on OpenBLAS); GEMM_OFF: none (OpenBLAS only, for benchmarks);
 * GEMM_ALL: every product it can (M, N, K >= 1, op(A) at most 4 MB), on any number of
 * threads, for tests. */
typedef enum { GEMM_AUTO, GEMM_OFF, GEMM_ALL } gemm_mode;

/* Sets the mode; returns the previous one. Process-wide. */
gemm_mode gemm_set_mode(gemm_mode mode);
gemm_mode gemm_get_mode(void);

/* 1 if the kernel runs on the ISA path in use (AVX-512, cpu.h), else 0. */
int gemm_available(void);

/* 1 if gemm_sgemm would take this product, on this many threads, in the current mode
 * (and CPU). */
int gemm_wants(int transA, int transB, int M, int N, int K, int threads);

/* C = alpha op(A) op(B) + beta C, row-major, BLAS conventions as sgemm (tensor.h):
 * op(A) is (M, K), op(B) is (K, N), C is (M, N); lda/ldb/ldc are row strides; beta = 0
 * means C is not read (NaN there is overwritten). threads: 1 runs on the calling thread
 * only; more uses pool_for's pool (pool_threads() threads, i.e.
 * pool_get_threads()). Returns 1 when it computed C, 0 (C untouched) when it declines:
 * mode, CPU or shape (see gemm_wants), or a packing buffer could not be allocated; the
 * caller then uses another GEMM. Never prints, never calls lt_fail. */
int gemm_sgemm(int transA, int transB, int M, int N, int K, float alpha, const float *A,
               int lda, const float *B, int ldb, float beta, float *C, int ldc, int threads);

#endif
