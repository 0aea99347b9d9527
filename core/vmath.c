/* vmath.c: the libmvec-vectorised element loops (see vmath.h). Built with -ffast-math
 * -fno-associative-math (core/CMakeLists.txt): no check may live here. */
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")
#include "vmath.h"
#include "par.h"

#include <math.h>

PAR_CLONED(, vm_sigmoid, (float *x, size_t n), (x, n))
{
    for (size_t i = 0; i < n; i++)
        x[i] = 1.0f / (1.0f + expf(-x[i]));
}

PAR_CLONED(, vm_tanh, (float *x, size_t n), (x, n))
{
    for (size_t i = 0; i < n; i++)
        x[i] = tanhf(x[i]);
}

PAR_CLONED(, vm_bce_terms, (const float *q, const float *t, float *l, size_t n), (q, t, l, n))
{
    for (size_t i = 0; i < n; i++)
        l[i] = t[i] * fmaxf(logf(q[i]), -100.0f) + (1.0f - t[i]) * fmaxf(logf(1.0f - q[i]), -100.0f);
}
