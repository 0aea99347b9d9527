/* rng.h: seeded, reproducible random numbers (xoshiro256** seeded through splitmix64;
 * normals by the ziggurat method).
 *
 * The same seed gives the same sequence on every run and machine. Generators are plain
 * values: copy one to fork a stream, keep one per purpose (init, batches, noise). Results
 * never depend on the thread count: bulk fills are sequential, except normal fills of
 * RNG_PAR_MIN or more, which take one 64-bit seed from the generator and fill fixed blocks
 * of RNG_BLOCK from generators seeded with it: par_fill_normal (par.h) runs those blocks
 * over the threads, with the same bits (tests/bench/README.md, "Measurement history",
 * "normals").
 *
 *     rng r; rng_seed(&r, 42);
 *     float w[256]; rng_fill_normal(&r, w, 256, 0.0f, 1.0f);
 */
#ifndef LT_RNG_H
#define LT_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct rng {
    uint64_t s[4];   /* xoshiro256** state; never all zero */
} rng;

void rng_seed(rng *r, uint64_t seed);
uint64_t rng_next(rng *r);                 /* 64 random bits */
double rng_uniform(rng *r);                /* uniform in [0, 1), 53-bit resolution */
double rng_normal(rng *r);                 /* standard normal (thread-safe tables) */
uint64_t rng_below(rng *r, uint64_t n);    /* uniform integer in [0, n), unbiased; n > 0 */

/* x is (n): uniform in [lo, hi) */
void rng_fill_uniform(rng *r, float *x, size_t n, float lo, float hi);
#define RNG_PAR_MIN 16384
#define RNG_BLOCK 4096
/* x is (n): normal with the given mean and standard deviation */
void rng_fill_normal(rng *r, float *x, size_t n, float mean, float std);
/* Blocks [b0, b1) of a large normal fill of x (n), block b from a generator seeded with
 * seed + b: what rng_fill_normal does for n >= RNG_PAR_MIN with seed = rng_next(r). */
void rng_fill_normal_blocks(uint64_t seed, float *x, size_t n, size_t b0, size_t b1,
                            float mean, float std);
/* perm is (n): a uniformly random permutation of 0..n-1 (Fisher-Yates) */
void rng_permutation(rng *r, int *perm, int n);

#endif
