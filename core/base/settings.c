/* settings.c: the engine's process-wide settings and their defaults (see settings.h). */
#include "settings.h"

#include <stdlib.h>

/* The widest vector kernels built: vec.c's 8- and 16-float ones exist on x86-64 with GCC
 * or Clang, vmath.c's with GCC and glibc (their #if's). */
#if defined(__x86_64__) && defined(__GNUC__)
#define VEC_WIDEST 16
#else
#define VEC_WIDEST 4
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__GLIBC__)
#define VMATH_WIDEST 16
#else
#define VMATH_WIDEST 4
#endif

lt_settings lt_set = {
    .isa = -1,
    .threads = 0,
    .sgemm_small_flops = 8e6,
    .sgemm_adaptive = 0,
    .sgemm_split = 1,
    .gemm_mode = 0,
    .vec_width = VEC_WIDEST,
    .vmath_width = VMATH_WIDEST,
    .par_serial = 0,
    .conv_chunk_floats = 65536,
    .conv_rowtap = 1,
    .conv_winograd = 1,
    .conv_winograd_cols = 64,
    .mem_limit = 0,
};

const char *settings_env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}
