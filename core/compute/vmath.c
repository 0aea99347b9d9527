/* vmath.c: the libmvec-vectorised element loops (see vmath.h). Built with IEEE semantics
 * (no -ffast-math): gcc calls glibc's vector expf/logf/tanhf because the declarations below
 * say they exist, not because fast math is on. */
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", "no-trapping-math")
#include "vmath.h"
#include "cpu.h"
#include "settings.h"

#include <math.h>

/* glibc declares these vector variants only under -ffast-math, which would also let gcc
 * assume no inf or NaN and divide by a reciprocal estimate (1 / (1 + inf) was NaN: the
 * GAN's NaN). Declared here, they keep IEEE division and comparisons; libmvec handles inf,
 * NaN, overflow and underflow itself (within 4 ulps: tests/unit/test_edges.c). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__GLIBC__)
#define VM_SIMD __attribute__((simd("notinbranch")))
VM_SIMD float expf(float);
VM_SIMD float logf(float);
VM_SIMD float tanhf(float);
#define VM_WIDE 1
#else
#define VM_WIDE 0
#endif

#define VM(n) vm_##n##_4
#define VM_ATTR
#include "vmath_loops.inc"
#undef VM
#undef VM_ATTR

#if VM_WIDE
#define VM(n) vm_##n##_8
#define VM_ATTR __attribute__((target("avx2")))
#include "vmath_loops.inc"
#undef VM
#undef VM_ATTR
#define VM(n) vm_##n##_16
#define VM_ATTR __attribute__((target("avx512f")))
#include "vmath_loops.inc"
#undef VM
#undef VM_ATTR
#define PICK(name, args)                                                                   \
    (lt_set.vmath_width >= 16 && cpu_isa_get() >= CPU_ISA_AVX512 ? vm_##name##_16 args    \
     : lt_set.vmath_width >= 8 && cpu_isa_get() >= CPU_ISA_AVX2  ? vm_##name##_8 args     \
                                                                 : vm_##name##_4 args)
#else
#define PICK(name, args) (vm_##name##_4 args)
#endif

int vm_set_width(int w)
{
    int old = lt_set.vmath_width;
    lt_set.vmath_width = w >= 16 ? 16 : w >= 8 ? 8 : 4;
    return old;
}

void vm_sigmoid(float *x, size_t n) { PICK(sigmoid, (x, n)); }
void vm_tanh(float *x, size_t n) { PICK(tanh, (x, n)); }
void vm_bce_terms(const float *q, const float *t, float *l, size_t n) { PICK(bce_terms, (q, t, l, n)); }
