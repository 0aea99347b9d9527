/* par.h: the element loops of the ops and optimizers, split over the threads of the
 * engine's pool (pool.h) when an array is large enough to pay for a parallel call
 * (tests/bench/README.md, "Measurement history", "par_range").
 *
 *     typedef struct { const float *x; float *y; } ctx;
 *     static void body(void *c, size_t lo, size_t hi) { ...elements [lo, hi)... }
 *     par_range(n, PAR_MIN, body, &(ctx){ x, y });
 *
 *     static double part(void *c, size_t lo, size_t hi) { return sum of [lo, hi); }
 *     double s = par_sum(n, part, &ctx);
 *
 * par_range hands each thread one contiguous part (a multiple of 16 elements when parts
 * are at least that long; a range of a few blocks is split too), so each
 * result element is written by exactly one thread and its value does not depend on the
 * thread count. par_sum cuts [0, n) into blocks whose size depends on n only and adds the
 * block sums in order: the same sum, bit for bit, on 1 thread or 8.
 *
 * The bodies run on pool threads: they must not allocate from a graph (the arena is not
 * thread-safe), call lt_fail or start another parallel loop. Threads: pool_get_threads()
 * (at most POOL_MAX); everything runs on the calling thread when that is 1. */
#ifndef LT_PAR_H
#define LT_PAR_H

#include <stddef.h>

#include "cpu.h"
#include "rng.h"

/* A hot element loop, built three times and picked at each call by cpu_isa_get() (cpu.h:
 * the CPU's best, or lower by LATENT_ISA): for AVX-512 and for AVX2 with FMA (wider
 * vectors, FMA contraction) next to the baseline (SSE2). Elsewhere (arm64, clang) just the
 * function. Written in place of the function's head; the body follows as usual:
 *
 *     PAR_CLONED(static, scale, (float *x, size_t n, float a), (x, n, a))
 *     {
 *         for (size_t i = 0; i < n; i++) x[i] *= a;
 *     }
 *
 * link: static or nothing; the function returns void; args names the parameters in
 * order. (GCC's target_clones picked by the CPU at load time, before LATENT_ISA could be
 * read.) */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define PAR_CLONED(link, name, params, args)                                                  \
    static inline __attribute__((always_inline)) void name##_body params;                      \
    __attribute__((target("avx512f"))) static void name##_avx512 params { name##_body args; }  \
    __attribute__((target("avx2,fma"))) static void name##_avx2 params { name##_body args; }   \
    static void name##_generic params { name##_body args; }                                    \
    link void name params                                                                      \
    {                                                                                          \
        switch (cpu_isa_get()) {                                                               \
        case CPU_ISA_AVX512: name##_avx512 args; break;                                        \
        case CPU_ISA_AVX2: name##_avx2 args; break;                                            \
        default: name##_generic args;                                                          \
        }                                                                                      \
    }                                                                                          \
    static inline __attribute__((always_inline)) void name##_body params
#else
#define PAR_CLONED(link, name, params, args) link void name params
#endif

/* Below this many elements a cheap element loop runs on the calling thread; from twice
 * this, it is split (a 64 x 784 batch is). 16384 rather than 32768: DDPM sampling was
 * faster, epochs even (figures: tests/bench/README.md, "Measurement history",
 * "par_range"). */
#define PAR_MIN 16384

typedef void (*par_range_fn)(void *ctx, size_t lo, size_t hi);
typedef double (*par_sum_fn)(void *ctx, size_t lo, size_t hi);

/* Runs body over [0, n): on the calling thread when n < 2 min (or one thread is set),
 * else in one contiguous part per thread. */
void par_range(size_t n, size_t min, par_range_fn body, void *ctx);

/* The sum of part(ctx, lo, hi) over consecutive blocks of [0, n), added in order; the
 * blocks (and so the result) depend on n only. Runs in parallel for n >= 2 PAR_MIN. 0 for
 * n = 0. */
double par_sum(size_t n, par_sum_fn part, void *ctx);

/* 1: every loop on the calling thread, whatever the thread setting (to compare in
 * benchmarks); returns the previous setting. Results are the same either way. */
int par_set_serial(int on);

/* The block sums themselves: the sum of x[0..n) in double, over 8 interleaved partial
 * sums combined in a fixed order (vectorisable, same result on every machine), and the
 * sum of (a[i] - b[i])^2 the same way. */
double par_dsum(const float *x, size_t n);
double par_dsqdiff(const float *a, const float *b, size_t n);

/* rng_fill_normal (rng.h) with the blocks of a large fill over the threads: the same
 * numbers, bit for bit, on any thread count. */
void par_fill_normal(rng *r, float *x, size_t n, float mean, float std);

#endif
