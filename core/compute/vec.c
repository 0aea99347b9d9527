/* vec.c: the engine's vectorised float kernels, in three widths (see vec.h). */
#include "vec.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "cpu.h"
#include "settings.h"

/* ---- vector kernels ---------------------------------------------------------------------------- */

/* Three widths from one source (vec.inc): 4 floats (SSE, every x86-64; NEON
 * elsewhere) and, on x86-64 CPUs that have them, 8 floats with AVX2 or 16 with AVX-512,
 * chosen at run time by the engine's ISA level (cpu_isa_get: LATENT_ISA may lower it). */
typedef float v4f __attribute__((vector_size(16)));
typedef int v4i __attribute__((vector_size(16)));
#define VF v4f
#define VI v4i
#define VW 4
#define FN(n) n##_4
#define ATTR
#include "vec.inc"

#if defined(__x86_64__) && defined(__GNUC__)
typedef float v8f __attribute__((vector_size(32)));
typedef int v8i __attribute__((vector_size(32)));
#define VF v8f
#define VI v8i
#define VW 8
#define FN(n) n##_8
#define ATTR __attribute__((target("avx2")))
#include "vec.inc"
typedef float v16f __attribute__((vector_size(64)));
typedef int v16i __attribute__((vector_size(64)));
#define VF v16f
#define VI v16i
#define VW 16
#define FN(n) n##_16
#define ATTR __attribute__((target("avx512f")))
#include "vec.inc"
#define WIDE (lt_set.vec_width >= 8 && cpu_isa_get() >= CPU_ISA_AVX2)
#define WIDEST (lt_set.vec_width >= 16 && cpu_isa_get() >= CPU_ISA_AVX512)
#define PICK(name, args) (WIDEST ? name##_16 args : WIDE ? name##_8 args : name##_4 args)
#else
#define PICK(name, args) (name##_4 args)
#endif

int vec_set_width(int w)
{
    int old = lt_set.vec_width;
    lt_set.vec_width = w >= 16 ? 16 : w >= 8 ? 8 : 4;
    return old;
}

float vec_sum(const float *x, size_t n) { return PICK(vsum, (x, n)); }
float vec_sqdev(const float *x, float m, size_t n) { return PICK(vsqdev, (x, m, n)); }
void vec_add(float *restrict y, const float *restrict x, size_t n) { PICK(vadd, (y, x, n)); }
void vec_addc(float *y, float c, size_t n) { PICK(vaddc, (y, c, n)); }
void vec_exp(float *restrict y, const float *restrict x, size_t n) { PICK(vexp, (y, x, n)); }

void vec_addc_add(float *restrict y, const float *restrict x, float c, const float *restrict v,
                    size_t n)
{
    PICK(vaddc_add, (y, x, c, v, n));
}

void vec_affine(float *restrict y, const float *restrict x, float a, float b, size_t n)
{
    PICK(vaffine, (y, x, a, b, n));
}

void vec_affine_silu(float *y, float *restrict d, const float *x, float a, float b, size_t n)
{
    PICK(vaffine_silu, (y, d, x, a, b, n));
}

void vec_gn_sums(const float *gy, const float *f, const float *x, float mean, float rstd,
                   size_t n, float *sda, float *sdx)
{
    PICK(vgn_sums, (gy, f, x, mean, rstd, n, sda, sdx));
}

void vec_gn_dx(float *dx, const float *gy, const float *f, const float *x, float mean,
                 float rstd, float wc, float m1, float m2, size_t n, int set)
{
    PICK(vgn_dx, (dx, gy, f, x, mean, rstd, wc, m1, m2, n, set));
}
