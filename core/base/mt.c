/* mt.c: MT19937 and NumPy's legacy permutation (see mt.h). Written from the published
 * algorithm (Matsumoto and Nishimura 1998) and NumPy's documented legacy behaviour;
 * tests/unit/test_mt.c checks it against permutations printed by NumPy. */
#include "mt.h"

enum { MT_N = 624, MT_M = 397 };

void mt_seed(mt19937 *m, uint32_t seed)
{
    m->s[0] = seed;
    for (int k = 1; k < MT_N; k++)
        m->s[k] = 1812433253u * (m->s[k - 1] ^ (m->s[k - 1] >> 30)) + (uint32_t)k;
    m->i = MT_N;
}

/* One new block of 624 words (the "twist"). */
static void mt_twist(mt19937 *m)
{
    for (int k = 0; k < MT_N; k++) {
        uint32_t y = (m->s[k] & 0x80000000u) | (m->s[(k + 1) % MT_N] & 0x7fffffffu);
        m->s[k] = m->s[(k + MT_M) % MT_N] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
    }
    m->i = 0;
}

uint32_t mt_next(mt19937 *m)
{
    if (m->i >= MT_N) mt_twist(m);
    uint32_t y = m->s[m->i++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

uint32_t mt_interval(mt19937 *m, uint32_t max)
{
    if (max == 0) return 0;
    uint32_t mask = max, v;
    for (int sh = 1; sh < 32; sh <<= 1) mask |= mask >> sh;
    do v = mt_next(m) & mask; while (v > max);
    return v;
}

void mt_permutation(uint32_t seed, int *perm, int n)
{
    mt19937 m;
    mt_seed(&m, seed);
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)mt_interval(&m, (uint32_t)i);
        int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
    }
}
