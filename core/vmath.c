/* vmath.c: the libmvec-vectorised element loops (see vmath.h). Built with IEEE semantics
 * (no -ffast-math): gcc calls glibc's vector expf/logf/tanhf because the declarations below
 * say they exist, not because fast math is on. */
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", "no-trapping-math")
#include "vmath.h"
#include "par.h"

#include <math.h>

/* glibc declares these vector variants (_ZGVbN4v_expf, _ZGVdN8v_expf, _ZGVeN16v_expf...)
 * only under -ffast-math, which would also let gcc assume no inf or NaN and divide by a
 * reciprocal estimate (1 / (1 + inf) was NaN: the GAN's NaN). Declared here, they keep
 * IEEE division and comparisons; libmvec handles inf, NaN, overflow and underflow itself
 * (within 4 ulps, tests/unit/test_edges.c). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__GLIBC__)
#define VM_SIMD __attribute__((simd("notinbranch")))
VM_SIMD float expf(float);
VM_SIMD float logf(float);
VM_SIMD float tanhf(float);
#endif

/* sigmoid as e / (1 + e) or 1 / (1 + e) with e = exp(-|x|) <= 1: no overflow, the small
 * values below 0 keep their precision down to the denormals, NaN stays NaN */
PAR_CLONES void vm_sigmoid(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float e = expf(-fabsf(x[i])), s = 1.0f / (1.0f + e);
        x[i] = x[i] >= 0.0f ? s : e * s;
    }
}

PAR_CLONES void vm_tanh(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = tanhf(x[i]);
}

/* log held at >= -100 by a select (NaN < -100 is false: NaN passes through) */
static inline float vm_log100(float x)
{
    float l = logf(x);
    return l < -100.0f ? -100.0f : l;
}

PAR_CLONES void vm_bce_terms(const float *q, const float *t, float *l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        l[i] = t[i] * vm_log100(q[i]) + (1.0f - t[i]) * vm_log100(1.0f - q[i]);
}
