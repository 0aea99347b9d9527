/* conv_par.h: what the kernels of conv.c share (not a public API): a parallel for over
 * a small pool of threads, and vectorised float kernels (sum, add, SiLU with a fast exp).
 *
 *     static void task(void *ctx, int i, int thread) { ... image i, scratch[thread] ... }
 *     int nt = conv_par_threads();            // scratch buffers to prepare: one per thread
 *     conv_par_for(B, task, ctx);             // returns when every task has run
 *
 * Threads: conv_par_threads() is tensor_get_threads() (tensor.h), at most CONV_PAR_MAX.
 * The pool's workers start on first use, then poll for ~0.2 ms after each call and sleep
 * until the next. While a
 * parallel for runs, OpenBLAS is set to one thread (its calls from the tasks run on the
 * calling thread) and restored afterwards. Tasks must not allocate from a graph (the
 * arena is not thread-safe) nor call lt_fail: prepare buffers before. A call from inside a
 * task runs inline on that task's thread with thread = 0 (only for tasks that ignore it).
 */
#ifndef LT_CONV_PAR_H
#define LT_CONV_PAR_H

#include <stddef.h>

#include "graph.h"
#include "tensor.h"

#define CONV_PAR_MAX 8

typedef void (*conv_par_fn)(void *ctx, int task, int thread);

/* How many threads conv_par_for uses now (1 .. CONV_PAR_MAX). */
int conv_par_threads(void);
/* Runs fn(ctx, i, thread) for i in [0, n), spread over the threads (thread in
 * [0, conv_par_threads())); the calling thread takes part. Runs inline when n < 2, one
 * thread is set, or the workers could not be started. */
void conv_par_for(int n, conv_par_fn fn, void *ctx);
/* Sums over tasks must not depend on which thread ran which task (conv_par_for hands
 * tasks out first come, first served): such a pass accumulates into per-part partials
 * instead of per-thread ones. conv_par_parts(n) is how many partials to prepare, a
 * function of n alone (at most CONV_PAR_MAX); conv_par_for_parts runs part p's items,
 * a fixed contiguous range of [0, n), in order on one thread: fn(ctx, item, thread,
 * part), thread naming the scratch to use. The caller then adds the partials in part
 * order: the same bits on any thread count and any timing. */
typedef void (*conv_par_part_fn)(void *ctx, int item, int thread, int part);
int conv_par_parts(int n);
void conv_par_for_parts(int n, conv_par_part_fn fn, void *ctx);
/* tensor_sgemm_serial on the calling thread (inside conv_par_for tasks), or tensor_sgemm
 * outside them: the same bits either way. Same arguments as tensor_sgemm. */
void conv_sgemm(int transA, int transB, int M, int N, int K, float alpha, const float *A,
                int lda, const float *B, int ldb, float beta, float *C, int ldc);

/* ---- vectorised kernels (4 floats wide, 8 with AVX2 and 16 with AVX-512 where the CPU
 * has them; results independent of alignment, and of the width up to the order of float
 * sums) ---- */

/* The widest kernels to use: 4, 8 or 16 (default; each only where the CPU has it), for
 * tests and benchmarks; returns the previous setting. Not thread-safe: set it outside
 * parallel regions. */
int conv_vec_width(int w);
/* sum of x[0..n), float, 2 vectors of partial sums */
float conv_vsum(const float *x, size_t n);
/* y[i] += x[i] */
void conv_vadd(float *restrict y, const float *restrict x, size_t n);
/* y[i] += c */
void conv_vaddc(float *y, float c, size_t n);
/* y[i] = (x[i] + c) + v[i] (a conv's output with its bias and a residual, one pass) */
void conv_vaddc_add(float *restrict y, const float *restrict x, float c, const float *restrict v,
                    size_t n);
/* y[i] = x[i] * a + b */
void conv_vaffine(float *restrict y, const float *restrict x, float a, float b, size_t n);
/* sum of (x[i] - m)^2 */
float conv_vsqdev(const float *x, float m, size_t n);
/* exp(x) for any x: relative error below 2e-7 where the result is a normal float, inf
 * above 88.72, the denormals then 0 below -87.3, exp(-inf) = 0, NaN stays NaN */
void conv_vexp(float *restrict y, const float *restrict x, size_t n);
/* y = silu(v) = v * sigmoid(v) from v = x * a + b; when d is not NULL also
 * d = silu'(v) = s (1 + v (1 - s)), s = sigmoid(v). y may equal x. */
void conv_vaffine_silu(float *y, float *restrict d, const float *x, float a, float b,
                       size_t n);

/* GroupNorm backward pieces over n values of one channel, with da = gy * f (f NULL: da = gy,
 * no SiLU) and xh = (x - mean) * rstd: conv_vgn_sums sets *sda = sum da and
 * *sdx = sum da xh; conv_vgn_dx adds rstd (wc da - m1 - xh m2) into dx, or with set
 * nonzero writes it there (dx's old contents unread: a fresh gradient buffer). */
void conv_vgn_sums(const float *gy, const float *f, const float *x, float mean, float rstd,
                   size_t n, float *sda, float *sdx);
void conv_vgn_dx(float *dx, const float *gy, const float *f, const float *x, float mean,
                 float rstd, float wc, float m1, float m2, size_t n, int set);

/* ---- helpers of the ops --------------------------------------------------------------- */

/* x's floats, contiguous: x->data itself or a copy in g's arena. NULL after lt_fail. */
const float *conv_contig(lt_graph *g, const lt_tensor *x);
/* lt_fail(LT_ERR_SHAPE, "WHAT: expected EXPECTED, got (shape of x)"); returns NULL. */
lt_tensor *conv_fail_shape(const char *what, const char *expected, const lt_tensor *x);

#endif
