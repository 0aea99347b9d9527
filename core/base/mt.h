/* mt.h: the Mersenne Twister MT19937, for permutations that agree with NumPy's.
 *
 * The engine's own generator is rng.h (xoshiro256**). This one exists so that a split
 * of a data set can be the very one a Python script makes with
 * np.random.RandomState(seed).permutation(n): the sample scorer's held-out digits are
 * the first 1,000 of that permutation of the 10,000 bundled digits (seed 0), as in the
 * PyTorch reference, so scores computed here and there use the same digits.
 *
 *     int perm[10000];
 *     mt_permutation(0, perm, 10000);   // perm[0..3] = 9394, 898, 2398, 5906
 *
 * Nothing here fails; the generator is a plain value. */
#ifndef LT_MT_H
#define LT_MT_H

#include <stdint.h>

typedef struct mt19937 {
    uint32_t s[624];   /* the state words                     */
    int i;             /* the next word to hand out (624: regenerate first) */
} mt19937;

/* Seeds as NumPy's RandomState(seed) does for a seed below 2^32 (Matsumoto and
 * Nishimura's init_genrand). */
void mt_seed(mt19937 *m, uint32_t seed);
/* The next 32 random bits. */
uint32_t mt_next(mt19937 *m);
/* A uniform whole number in [0, max] (max < 2^32), drawn as NumPy's legacy
 * random_interval does: the smallest bit mask covering max, retried until <= max. */
uint32_t mt_interval(mt19937 *m, uint32_t max);
/* perm is (n): np.random.RandomState(seed).permutation(n), element for element
 * (0..n-1 shuffled by Fisher-Yates from the end, j = mt_interval(i)). */
void mt_permutation(uint32_t seed, int *perm, int n);

#endif
