/* vmath.h: element loops over libm functions, built so that gcc calls glibc's vector math
 * (libmvec, 4 floats a call) instead of one expf/logf/tanhf at a time.
 *
 * vmath.c is the only file of core/ compiled with -ffast-math (which libmvec's vector
 * declarations need). That mode assumes no NaN or infinity, so these functions only
 * compute: they test nothing, and every check (bad probabilities, NaN labels, a NaN
 * loss) stays in the callers, compiled with IEEE semantics. Arguments may be NaN or
 * infinite; results then are whatever the arithmetic gives. */
#ifndef LT_VMATH_H
#define LT_VMATH_H

#include <stddef.h>

/* x is (n): x[i] = 1 / (1 + exp(-x[i])), in place */
void vm_sigmoid(float *x, size_t n);
/* x is (n): x[i] = tanh(x[i]), in place */
void vm_tanh(float *x, size_t n);
/* q, t, l are (n): l[i] = t log q + (1 - t) log(1 - q), each log held at >= -100 as in
 * PyTorch's binary cross-entropy (the negative of the loss term) */
void vm_bce_terms(const float *q, const float *t, float *l, size_t n);

#endif
