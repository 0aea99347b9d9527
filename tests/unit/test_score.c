/* test_score.c: the sample scorer's statistics (core/info/score.c) and NumPy's permutation
 * (core/base/mt.c), against independent references: closed forms, and numbers printed by
 * NumPy and SciPy (scipy.linalg.sqrtm for the Frechet distance). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mt.h"
#include "rng.h"
#include "score.h"

/* np.random.RandomState(seed).permutation(n) as NumPy 1.24 prints it */
static void test_permutation_numpy(void)
{
    static const int first[10] = {9394, 898, 2398, 5906, 2343, 8225, 5506, 6451, 2670, 3497};
    static const int big[8] = {578, 450, 50, 759, 332, 505, 503, 431};
    static const int small[5] = {0, 3, 2, 1, 4};
    int *p = malloc(10000 * sizeof *p), q[784], r[5];
    mt_permutation(0, p, 10000);
    for (int i = 0; i < 10; i++) CHECK(p[i] == first[i]);
    CHECK(p[9995] == 9225 && p[9999] == 2732);
    mt_permutation(123456789, q, 784);
    for (int i = 0; i < 8; i++) CHECK(q[i] == big[i]);
    mt_permutation(7, r, 5);
    for (int i = 0; i < 5; i++) CHECK(r[i] == small[i]);
    long sum = 0;                                    /* a permutation: every index once */
    for (int i = 0; i < 10000; i++) sum += p[i];
    CHECK(sum == 9999L * 10000 / 2);
    free(p);
}

/* the first outputs of MT19937 seeded with 5489, from the reference implementation */
static void test_mt_reference(void)
{
    mt19937 m;
    mt_seed(&m, 5489);
    CHECK(mt_next(&m) == 3499211612u);
    CHECK(mt_next(&m) == 581869302u);
    for (int i = 2; i < 9999; i++) mt_next(&m);
    CHECK(mt_next(&m) == 4123659995u);               /* the 10,000th output (C++ std::mt19937) */
}

static void test_eigh_known(void)
{
    double a[4] = {2, 1, 1, 2}, w[2], v[4];          /* eigenvalues 1 and 3, vectors (1,-1), (1,1) */
    CHECK(score_eigh(a, 2, w, v) == LT_OK);
    double lo = fmin(w[0], w[1]), hi = fmax(w[0], w[1]);
    CHECK_NEAR(lo, 1, 1e-14);
    CHECK_NEAR(hi, 3, 1e-14);
    int k = w[0] > w[1] ? 0 : 1;                     /* the column of eigenvalue 3 */
    CHECK_NEAR(fabs(v[k]), sqrt(0.5), 1e-14);
    CHECK_NEAR(v[k], v[2 + k], 1e-14);
    double d[9] = {4, 0, 0, 0, -1, 0, 0, 0, 0}, wd[3];   /* already diagonal, with 0 and < 0 */
    CHECK(score_eigh(d, 3, wd, NULL) == LT_OK);
    CHECK(wd[0] == 4 && wd[1] == -1 && wd[2] == 0);
    double bad[4] = {1, NAN, NAN, 1};
    CHECK(score_eigh(bad, 2, w, NULL) == LT_ERR_NUMERIC);
}

/* A V = V diag(w), V orthonormal, for a random symmetric 128 x 128 matrix */
static void test_eigh_random(void)
{
    enum { N = 128 };
    double *a = malloc(N * N * sizeof *a), *c = malloc(N * N * sizeof *c), *v = malloc(N * N * sizeof *v), w[N];
    rng r;
    rng_seed(&r, 3);
    for (int i = 0; i < N; i++)
        for (int j = 0; j <= i; j++) a[i * N + j] = a[j * N + i] = rng_normal(&r);
    memcpy(c, a, N * N * sizeof *a);
    CHECK(score_eigh(c, N, w, v) == LT_OK);
    double err = 0, orth = 0;
    for (int i = 0; i < N; i++)
        for (int k = 0; k < N; k++) {
            double av = 0, vv = 0;
            for (int j = 0; j < N; j++) { av += a[i * N + j] * v[j * N + k]; vv += v[j * N + i] * v[j * N + k]; }
            err = fmax(err, fabs(av - w[k] * v[i * N + k]));
            orth = fmax(orth, fabs(vv - (i == k)));
        }
    CHECK(err < 1e-10);
    CHECK(orth < 1e-12);
    free(a); free(c); free(v);
}

/* features as the SciPy reference made them (see the comment in test_frechet_scipy) */
static float *test_feats(int n, int d, double off, double sc)
{
    float *f = malloc((size_t)n * d * sizeof *f);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < d; j++) {
            double x = sc * (sin(i * 0.37 + j * 1.3 + off) * ((j % 5) + 1) + cos(i * j * 0.01 + off) + 0.1 * j);
            f[i * d + j] = (float)fmax(x, 0);
        }
    return f;
}

/* In NumPy/SciPy (float64 from the float32 features):
 *   f = sc*(sin(i*0.37 + j*1.3 + off)*((j % 5) + 1) + cos(i*j*0.01 + off) + 0.1*j), ReLU'd
 *   a = f(256, 32, off 0, sc 1), b = f(300, 32, off 0.5, sc 1.3)
 *   FD = |mu1-mu2|^2 + tr s1 + tr s2 - 2 tr scipy.linalg.sqrtm(s1 @ s2).real = 23.434176800183934
 *   tr s1 = 108.46167172512446, s1[3,7] = 0.8488130738335306 (np.cov) */
static void test_frechet_scipy(void)
{
    float *fa = test_feats(256, 32, 0, 1), *fb = test_feats(300, 32, 0.5, 1.3);
    score_gauss a, b;
    double fd = -1, fd0 = -1, tr = 0;
    CHECK(score_gauss_fit(fa, 256, 32, &a) == LT_OK);
    CHECK(score_gauss_fit(fb, 300, 32, &b) == LT_OK);
    for (int i = 0; i < 32; i++) tr += a.cov[i * 32 + i];
    CHECK_NEAR(tr, 108.46167172512446, 1e-9);
    CHECK_NEAR(a.cov[3 * 32 + 7], 0.8488130738335306, 1e-12);
    CHECK(a.cov[7 * 32 + 3] == a.cov[3 * 32 + 7]);
    CHECK(score_frechet(&a, &b, &fd) == LT_OK);
    CHECK_NEAR(fd, 23.434176800183934, 1e-7);
    CHECK(score_frechet(&a, &a, &fd0) == LT_OK);    /* a Gaussian against itself: 0 */
    CHECK_NEAR(fd0, 0, 1e-8);
    score_gauss_free(&a);
    score_gauss_free(&b);
    score_gauss_free(&b);                            /* twice is fine */
    free(fa); free(fb);
}

/* diagonal covariances: FD = |mu1 - mu2|^2 + sum (sqrt(a_i) - sqrt(b_i))^2 */
static void test_frechet_diagonal(void)
{
    double mu1[3] = {0, 1, 2}, mu2[3] = {1, 1, 0};
    double c1[9] = {4, 0, 0, 0, 1, 0, 0, 0, 0}, c2[9] = {1, 0, 0, 0, 9, 0, 0, 0, 0.25};
    score_gauss a = {3, mu1, c1}, b = {3, mu2, c2};
    double fd = 0;
    CHECK(score_frechet(&a, &b, &fd) == LT_OK);
    CHECK_NEAR(fd, 1 + 4 + (1 + 4 + 0.25), 1e-12);
    score_gauss c = {2, mu1, c1};
    CHECK(score_frechet(&a, &c, &fd) == LT_ERR_VALUE);
}

static void test_gauss_errors(void)
{
    float one[3] = {1, 2, 3}, bad[4] = {1, 2, NAN, 4};
    score_gauss g;
    CHECK(score_gauss_fit(one, 1, 3, &g) == LT_ERR_VALUE && g.mu == NULL);
    CHECK(score_gauss_fit(bad, 2, 2, &g) == LT_ERR_NUMERIC && g.mu == NULL);
    float inf[4] = {1, INFINITY, 3, 4};
    CHECK(score_gauss_fit(inf, 2, 2, &g) == LT_ERR_NUMERIC);
}

/* IS and conf against NumPy: logits [[2,.5,-1],[.1,.2,3],[1,1,1],[5,-2,0]]:
 * IS = 1.5375045941744092, max softmax 0.786 0.896 0.333 0.992 -> conf 0.25 */
static void test_class_stats(void)
{
    float lg[12] = {2, 0.5f, -1, 0.1f, 0.2f, 3, 1, 1, 1, 5, -2, 0};
    int counts[3];
    score_classes c;
    CHECK(score_class_stats(lg, 4, 3, counts, &c) == LT_OK);
    CHECK_NEAR(c.is, 1.5375045941744092, 1e-6);      /* float32 logits: 1e-7 relative */
    CHECK(c.conf == 0.25);
    CHECK(counts[0] == 3 && counts[1] == 0 && counts[2] == 1);   /* the tie [1,1,1] goes to class 0 */
    CHECK(c.covered == 2 && c.maxshare == 0.75 && c.n == 4 && c.k == 3);
}

/* edges: all one class with certainty -> IS 1; k classes evenly and certainly -> IS k;
 * equal logits -> IS 1, conf 0; huge logits do not overflow; NaN is refused */
static void test_class_edges(void)
{
    enum { K = 10, N = 50 };
    float lg[N * K];
    int counts[K];
    score_classes c;
    for (int i = 0; i < N * K; i++) lg[i] = (i % K == 3) ? 1e30f : -1e30f;
    CHECK(score_class_stats(lg, N, K, counts, &c) == LT_OK);
    CHECK_NEAR(c.is, 1, 1e-9);
    CHECK(c.conf == 1 && c.covered == 1 && c.maxshare == 1 && counts[3] == N);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < K; j++) lg[i * K + j] = j == i % K ? 50 : 0;
    CHECK(score_class_stats(lg, N, K, counts, &c) == LT_OK);
    CHECK_NEAR(c.is, K, 1e-6);
    CHECK(c.covered == K && c.maxshare == 0.1);
    for (int i = 0; i < N * K; i++) lg[i] = 0.5f;
    CHECK(score_class_stats(lg, N, K, counts, &c) == LT_OK);
    CHECK_NEAR(c.is, 1, 1e-9);
    CHECK(c.conf == 0);
    lg[7] = NAN;
    CHECK(score_class_stats(lg, N, K, counts, &c) == LT_ERR_NUMERIC);
    CHECK(score_class_stats(lg, 0, K, counts, &c) == LT_ERR_VALUE);
}

static void test_model_path(void)
{
    char p[4096];
    setenv("LATENT_MODEL_DIR", "/nonexistent-latent", 1);
    CHECK(score_model_path("no-such-scorer.ltw", p, sizeof p) == LT_ERR_IO);
    CHECK(score_model_path("mnist-scorer.ltw", p, sizeof p) == LT_OK);   /* the shipped one */
    CHECK(strstr(p, "mnist-scorer.ltw") != NULL);
    unsetenv("LATENT_MODEL_DIR");
}

int main(void)
{
    RUN(test_permutation_numpy);
    RUN(test_mt_reference);
    RUN(test_eigh_known);
    RUN(test_eigh_random);
    RUN(test_frechet_scipy);
    RUN(test_frechet_diagonal);
    RUN(test_gauss_errors);
    RUN(test_class_stats);
    RUN(test_class_edges);
    RUN(test_model_path);
    return check_summary("score");
}
