/* vmath.h: element loops over libm functions, built so that gcc calls glibc's vector math
 * (libmvec: 4, 8 or 16 floats a call, by the CPU's widest of SSE2, AVX2, AVX-512) instead
 * of one expf/logf/tanhf at a time.
 *
 * IEEE semantics throughout (vmath.c is not built with -ffast-math): NaN in gives NaN out,
 * infinities and the overflow and underflow points give what libm gives, within 4 ulps
 * (libmvec's bound; tests/unit/test_edges.c checks every width against double libm). */
#ifndef LT_VMATH_H
#define LT_VMATH_H

#include <stddef.h>

/* x is (n): x[i] = 1 / (1 + exp(-x[i])), in place */
void vm_sigmoid(float *x, size_t n);
/* x is (n): x[i] = tanh(x[i]), in place */
void vm_tanh(float *x, size_t n);
/* q, t, l are (n): l[i] = t log q + (1 - t) log(1 - q), each log held at >= -100 as in
 * PyTorch's binary cross-entropy (the negative of the loss term); a NaN stays NaN */
void vm_bce_terms(const float *q, const float *t, float *l, size_t n);

/* The widest loops to use: 4, 8 or 16 (default; each only where the CPU has it), for tests
 * and benchmarks; returns the previous setting. Not thread-safe: set it outside parallel
 * regions. */
int vm_set_width(int w);

#endif
