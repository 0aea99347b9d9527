/* vec.h: the engine's vectorised float kernels (sums, adds, affine maps, exp, SiLU, the
 * pieces of GroupNorm's backward) for the conv and norm ops, chosen at run time by the ISA
 * level (cpu.h).
 *
 *     float s = vec_sum(x, n);
 *     vec_affine_silu(y, d, x, a, b, n);     // y = silu(x a + b), d its derivative
 */
#ifndef LT_VEC_H
#define LT_VEC_H

#include <stddef.h>

/* ---- vectorised kernels (4 floats wide, 8 with AVX2 and 16 with AVX-512 where the CPU
 * has them; results independent of alignment, and of the width up to the order of float
 * sums) ---- */

/* The widest kernels to use: 4, 8 or 16 (default; each only where the CPU has it), for
 * tests and benchmarks; returns the previous setting. Not thread-safe: set it outside
 * parallel regions. */
int vec_set_width(int w);
/* sum of x[0..n), float, 2 vectors of partial sums */
float vec_sum(const float *x, size_t n);
/* y[i] += x[i] */
void vec_add(float *restrict y, const float *restrict x, size_t n);
/* y[i] += c */
void vec_addc(float *y, float c, size_t n);
/* y[i] = (x[i] + c) + v[i] (a conv's output with its bias and a residual, one pass) */
void vec_addc_add(float *restrict y, const float *restrict x, float c, const float *restrict v,
                    size_t n);
/* y[i] = x[i] * a + b */
void vec_affine(float *restrict y, const float *restrict x, float a, float b, size_t n);
/* sum of (x[i] - m)^2 */
float vec_sqdev(const float *x, float m, size_t n);
/* exp(x) for any x: relative error below 2e-7 where the result is a normal float, inf
 * above 88.72, the denormals then 0 below -87.3, exp(-inf) = 0, NaN stays NaN */
void vec_exp(float *restrict y, const float *restrict x, size_t n);
/* y = silu(v) = v * sigmoid(v) from v = x * a + b; when d is not NULL also
 * d = silu'(v) = s (1 + v (1 - s)), s = sigmoid(v). y may equal x. */
void vec_affine_silu(float *y, float *restrict d, const float *x, float a, float b,
                       size_t n);

/* GroupNorm backward pieces over n values of one channel, with da = gy * f (f NULL: da = gy,
 * no SiLU) and xh = (x - mean) * rstd: vec_gn_sums sets *sda = sum da and
 * *sdx = sum da xh; vec_gn_dx adds rstd (wc da - m1 - xh m2) into dx, or with set
 * nonzero writes it there (dx's old contents unread: a fresh gradient buffer). */
void vec_gn_sums(const float *gy, const float *f, const float *x, float mean, float rstd,
                   size_t n, float *sda, float *sdx);
void vec_gn_dx(float *dx, const float *gy, const float *f, const float *x, float mean,
                 float rstd, float wc, float m1, float m2, size_t n, int set);

#endif
