/* test_rng.c: the generator is reproducible and its draws have the right moments. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rng.h"
#include "tensor.h"

static void test_same_seed_same_numbers(void)
{
    rng a, b;
    rng_seed(&a, 7);
    rng_seed(&b, 7);
    int same = 1;
    for (int i = 0; i < 1000; i++)
        same &= rng_next(&a) == rng_next(&b);
    CHECK(same);
    rng_seed(&b, 8);
    CHECK(rng_next(&a) != rng_next(&b));
}

static void test_known_first_value(void)
{
    /* pins the algorithm: a change of generator would silently change every notebook */
    rng r;
    rng_seed(&r, 0);
    uint64_t first = rng_next(&r);
    rng_seed(&r, 0);
    CHECK(first == rng_next(&r));
    CHECK(first == 0x99ec5f36cb75f2b4ULL);
}

static void test_moments(void)
{
    enum { N = 200000 };
    float *x = malloc(N * sizeof *x);
    rng r;
    rng_seed(&r, 1);
    rng_fill_normal(&r, x, N, 2.0f, 3.0f);
    double m = 0, v = 0;
    for (int i = 0; i < N; i++) m += x[i];
    m /= N;
    for (int i = 0; i < N; i++) v += (x[i] - m) * (x[i] - m);
    v /= N - 1;
    CHECK_NEAR(m, 2.0, 0.03);
    CHECK_NEAR(v, 9.0, 0.1);
    rng_fill_uniform(&r, x, N, -1.0f, 1.0f);
    float lo = 1, hi = -1;
    m = 0;
    for (int i = 0; i < N; i++) { m += x[i]; if (x[i] < lo) lo = x[i]; if (x[i] > hi) hi = x[i]; }
    CHECK(lo >= -1.0f && hi < 1.0f);
    CHECK_NEAR(m / N, 0.0, 0.01);
    free(x);
}

static void test_below_and_permutation(void)
{
    rng r;
    rng_seed(&r, 3);
    int counts[10] = {0};
    for (int i = 0; i < 100000; i++) counts[rng_below(&r, 10)]++;
    for (int k = 0; k < 10; k++) CHECK_NEAR(counts[k], 10000, 400);
    int perm[100], seen[100] = {0};
    rng_permutation(&r, perm, 100);
    int ok = 1;
    for (int i = 0; i < 100; i++) { ok &= perm[i] >= 0 && perm[i] < 100; if (ok) seen[perm[i]]++; }
    for (int i = 0; i < 100; i++) ok &= seen[i] == 1;
    CHECK(ok);
}

/* The ziggurat's layers and tail: the normal's CDF at a few points, checked on 10^6
 * draws (standard errors ~5e-4 at the centre, ~5e-5 in the tails), for rng_normal
 * (double, 53-bit u) and for the fills (float, two normals per draw, 24-bit u): small
 * fills on the calling thread (x = 0) and one large fill over the threads (x = 1). */
static void check_normal_cdf(const double *x, int n, const char *what)
{
    const double at[] = { -3.5, -3.0, -2.5, -2.0, -1.5, -1.0, -0.7, -0.3, 0.0,
                          0.2,  0.5,  1.0,  1.5,  2.0,  2.5,  3.0,  3.6, 4.0 };
    enum { NA = sizeof at / sizeof at[0] };
    int below[NA] = { 0 };
    double biggest = 0;
    for (int i = 0; i < n; i++) {
        if (fabs(x[i]) > biggest) biggest = fabs(x[i]);
        for (int k = 0; k < NA; k++) below[k] += x[i] < at[k];
    }
    for (int k = 0; k < NA; k++) {
        double cdf = 0.5 * erfc(-at[k] / sqrt(2.0));
        double se = sqrt(cdf * (1 - cdf) / n);
        if (fabs((double)below[k] / n - cdf) > 5 * se + 1e-6)
            fprintf(stderr, "  %s: CDF at %g is %g, want %g\n", what, at[k], (double)below[k] / n, cdf);
        CHECK_NEAR((double)below[k] / n, cdf, 5 * se + 1e-6);
    }
    CHECK(biggest > 4.0);   /* the tail beyond R = 3.44 is reached */
}

static void test_normal_distribution(void)
{
    enum { N = 1000000 };
    double *x = malloc(N * sizeof *x);
    float *f = malloc(N * sizeof *f);
    rng r;
    rng_seed(&r, 11);
    for (int i = 0; i < N; i++)
        x[i] = rng_normal(&r);
    check_normal_cdf(x, N, "rng_normal");
    for (int i = 0; i < N; i += 1000)   /* small fills, odd and even lengths */
        rng_fill_normal(&r, f + i, i % 2000 ? 999 : 1000, 0.0f, 1.0f);
    for (int i = 1999; i < N; i += 2000)
        f[i] = (float)rng_normal(&r);   /* the 999-long fills' last slot */
    for (int i = 0; i < N; i++)
        x[i] = f[i];
    check_normal_cdf(x, N, "small fills");
    rng_fill_normal(&r, f, N, 0.0f, 1.0f);
    for (int i = 0; i < N; i++)
        x[i] = f[i];
    check_normal_cdf(x, N, "one large fill");
    free(x);
    free(f);
}

/* Large normal fills run over the threads in fixed blocks: the same numbers on 1, 2 and
 * 3 threads; the generator moves on by one draw; the blocks are different streams. */
static void test_large_fill_any_threads(void)
{
    size_t n = RNG_PAR_MIN + 123;   /* a parallel fill with a partial last block */
    float *x[3];
    uint64_t next[3];
    int t0 = pool_get_threads();
    for (int t = 0; t < 3; t++) {
        sgemm_set_threads(t + 1);
        rng r;
        rng_seed(&r, 5);
        x[t] = malloc(n * sizeof *x[t]);
        rng_fill_normal(&r, x[t], n, 1.0f, 2.0f);
        next[t] = rng_next(&r);
    }
    sgemm_set_threads(t0);
    CHECK(memcmp(x[0], x[1], n * sizeof(float)) == 0);
    CHECK(memcmp(x[0], x[2], n * sizeof(float)) == 0);
    CHECK(next[0] == next[1] && next[0] == next[2]);
    rng r;
    rng_seed(&r, 5);
    rng_next(&r);
    CHECK(next[0] == rng_next(&r));
    CHECK(memcmp(x[0], x[0] + RNG_BLOCK, 64 * sizeof(float)) != 0);
    double m = 0, v = 0;
    for (size_t i = 0; i < n; i++) m += x[0][i];
    m /= n;
    for (size_t i = 0; i < n; i++) v += (x[0][i] - m) * (x[0][i] - m);
    CHECK_NEAR(m, 1.0, 0.05);
    CHECK_NEAR(sqrt(v / n), 2.0, 0.05);
    for (int t = 0; t < 3; t++)
        free(x[t]);
}

int main(void)
{
    RUN(test_large_fill_any_threads);
    RUN(test_same_seed_same_numbers);
    RUN(test_known_first_value);
    RUN(test_moments);
    RUN(test_below_and_permutation);
    RUN(test_normal_distribution);
    return check_summary("rng");
}
