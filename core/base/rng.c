/* rng.c: xoshiro256** (Blackman and Vigna) with splitmix64 seeding, ziggurat normals. */
#include "rng.h"

#include <math.h>
#include <pthread.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void rng_seed(rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rng_uniform(rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Normals by the ziggurat method (Marsaglia and Tsang 2000, in Doornik's 128-layer
 * form): 127 rectangles and a base strip of equal area cover the half density. A draw
 * picks a layer and a point in it; about 98% of draws land inside the rectangle's
 * safe part and cost one multiply. The rest test the wedge against the density, or
 * (base strip) sample the tail beyond R exactly. ~5x faster than Box-Muller, which
 * mattered: noise for a DDPM epoch is 8M normals. */
#define ZIG_LAYERS 128
#define ZIG_R 3.442619855899          /* start of the tail */
#define ZIG_V 9.91256303526217e-3     /* area of each layer */

static double zig_x[ZIG_LAYERS + 1];  /* right edges of the layers, zig_x[0] = V / f(R) */
static double zig_ratio[ZIG_LAYERS];  /* zig_x[i+1] / zig_x[i]: the safe part of layer i */
static float zig_xf[ZIG_LAYERS];      /* zig_x in float, for the fills                  */
static float zig_ratiof[ZIG_LAYERS];  /* zig_ratio in float, rounded down: a float u
                                       * under it is inside the safe part for sure   */
static pthread_once_t zig_once = PTHREAD_ONCE_INIT;

static void zig_init(void)
{
    double f = exp(-0.5 * ZIG_R * ZIG_R);
    zig_x[0] = ZIG_V / f;
    zig_x[1] = ZIG_R;
    zig_x[ZIG_LAYERS] = 0.0;
    for (int i = 2; i < ZIG_LAYERS; i++) {
        zig_x[i] = sqrt(-2.0 * log(ZIG_V / zig_x[i - 1] + f));
        f = exp(-0.5 * zig_x[i] * zig_x[i]);
    }
    for (int i = 0; i < ZIG_LAYERS; i++) {
        zig_ratio[i] = zig_x[i + 1] / zig_x[i];
        zig_xf[i] = (float)zig_x[i];
        zig_ratiof[i] = (float)zig_ratio[i];
        if ((double)zig_ratiof[i] > zig_ratio[i])
            zig_ratiof[i] = nextafterf(zig_ratiof[i], 0.0f);
    }
}

/* uniform in (0, 1]: safe to take the log of */
static double rng_uniform_pos(rng *r)
{
    return ((double)(rng_next(r) >> 11) + 1.0) * 0x1.0p-53;
}

/* a normal beyond ZIG_R (Marsaglia's exact tail method), negated if neg */
static double zig_tail(rng *r, int neg)
{
    double x, y;
    do {
        x = log(rng_uniform_pos(r)) / ZIG_R;
        y = log(rng_uniform_pos(r));
    } while (-2.0 * y < x * x);
    return neg ? x - ZIG_R : ZIG_R - x;
}

/* one standard normal; the tables must be ready (zig_once) */
static inline double zig_draw(rng *r)
{
    for (;;) {
        uint64_t bits = rng_next(r);
        int i = (int)(bits & (ZIG_LAYERS - 1));              /* bits 0..6: the layer  */
        double u = 2.0 * ((double)(bits >> 11) * 0x1.0p-53) - 1.0;   /* bits 11..63 */
        if (fabs(u) < zig_ratio[i])
            return u * zig_x[i];
        if (i == 0)
            return zig_tail(r, u < 0);
        double x = u * zig_x[i];
        double f0 = exp(-0.5 * (zig_x[i] * zig_x[i] - x * x));
        double f1 = exp(-0.5 * (zig_x[i + 1] * zig_x[i + 1] - x * x));
        if (f1 + rng_uniform(r) * (f0 - f1) < 1.0)
            return x;
    }
}

/* The rest of zig_draw32 after its fast test failed for layer i and u: in double, the
 * wedge test or the tail, and on a rejection fresh draws (out of line: rare) */
__attribute__((noinline, cold)) static float zig_slow(rng *r, int i, float u)
{
    for (;;) {
        if (i == 0)
            return (float)zig_tail(r, u < 0.0f);
        double x = (double)u * zig_x[i];
        double f0 = exp(-0.5 * (zig_x[i] * zig_x[i] - x * x));
        double f1 = exp(-0.5 * (zig_x[i + 1] * zig_x[i + 1] - x * x));
        if (f1 + rng_uniform(r) * (f0 - f1) < 1.0)
            return (float)x;
        uint32_t bits = (uint32_t)rng_next(r);
        i = (int)(bits & (ZIG_LAYERS - 1));
        u = (float)(bits >> 8) * 0x1.0p-23f - 1.0f;
        if (fabsf(u) < zig_ratiof[i])
            return u * zig_xf[i];
    }
}

/* One normal from 32 random bits (the fills take two per 64-bit draw): bits 0..6 the
 * layer, bits 8..31 a 24-bit u, as much as a float keeps. The safe part of a layer (~98%)
 * costs a float multiply; the rest go on in double with the same layer and u. */
static inline float zig_draw32(rng *r, uint32_t bits)
{
    int i = (int)(bits & (ZIG_LAYERS - 1));
    float u = (float)(bits >> 8) * 0x1.0p-23f - 1.0f;   /* [-1, 1), exact */
    if (__builtin_expect(fabsf(u) < zig_ratiof[i], 1))
        return u * zig_xf[i];
    return zig_slow(r, i, u);
}

/* x (n) = mean + std * normals, two per 64-bit draw */
static void fill_normal(rng *r, float *restrict x, size_t n, float mean, float std)
{
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        uint64_t b = rng_next(r);
        float z0 = zig_draw32(r, (uint32_t)b), z1 = zig_draw32(r, (uint32_t)(b >> 32));
        x[i] = mean + std * z0;
        x[i + 1] = mean + std * z1;
    }
    if (i < n)
        x[i] = mean + std * zig_draw32(r, (uint32_t)rng_next(r));
}

double rng_normal(rng *r)
{
    pthread_once(&zig_once, zig_init);
    return zig_draw(r);
}

uint64_t rng_below(rng *r, uint64_t n)
{
    /* Lemire's nearly divisionless method: multiply, reject the biased low part. */
    unsigned __int128 m = (unsigned __int128)rng_next(r) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t thresh = -n % n;
        while (low < thresh) {
            m = (unsigned __int128)rng_next(r) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

void rng_fill_uniform(rng *r, float *x, size_t n, float lo, float hi)
{
    float top = nextafterf(hi, lo); /* rounding to float must not reach hi */
    for (size_t i = 0; i < n; i++) {
        float v = lo + (hi - lo) * (float)rng_uniform(r);
        x[i] = v < hi ? v : top;
    }
}

/* A large fill: blocks of RNG_BLOCK normals, block b from a generator seeded with
 * seed + b (par_fill_normal, par.h, runs the blocks over the threads). */
void rng_fill_normal_blocks(uint64_t seed, float *x, size_t n, size_t b0, size_t b1,
                            float mean, float std)
{
    pthread_once(&zig_once, zig_init);
    for (size_t b = b0; b < b1; b++) {
        rng local;
        rng_seed(&local, seed + b);
        size_t lo = b * RNG_BLOCK, hi = lo + RNG_BLOCK < n ? lo + RNG_BLOCK : n;
        fill_normal(&local, x + lo, hi - lo, mean, std);
    }
}

void rng_fill_normal(rng *r, float *x, size_t n, float mean, float std)
{
    pthread_once(&zig_once, zig_init);
    if (n >= RNG_PAR_MIN) {
        rng_fill_normal_blocks(rng_next(r), x, n, 0, (n + RNG_BLOCK - 1) / RNG_BLOCK, mean, std);
        return;
    }
    fill_normal(r, x, n, mean, std);
}

void rng_permutation(rng *r, int *perm, int n)
{
    for (int i = 0; i < n; i++)
        perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rng_below(r, (uint64_t)i + 1);
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}
