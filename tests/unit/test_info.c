/* test_info.c: entropy, cross-entropy and KL against the slides' numbers and hand-worked
 * values; the Gaussian closed forms against numerical integration and Monte Carlo. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "info.h"

static const double P[4] = {0.5, 0.25, 0.125, 0.125};    /* F, C, R, S */
static const double ONEHOT[4] = {1, 0, 0, 0};

static void test_slides_entropy(void)
{
    double h = -1;
    CHECK(info_entropy(P, 4, INFO_BITS, &h) == LT_OK);
    CHECK(h == 1.75);                                   /* exact, as on the slide */
    CHECK(info_entropy(P, 4, INFO_NATS, &h) == LT_OK);
    CHECK_NEAR(h, 1.75 * 0.6931471805599453, 1e-15);
    CHECK(info_entropy(ONEHOT, 4, INFO_BITS, &h) == LT_OK);
    CHECK(h == 0.0 && !signbit(h));
    double u[8] = {0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125};
    CHECK(info_entropy(u, 8, INFO_BITS, &h) == LT_OK);
    CHECK(h == 3.0);
    double coin[2] = {0.9, 0.1};   /* 0.9*log2(1/0.9) + 0.1*log2(10), worked by hand */
    CHECK(info_entropy(coin, 2, INFO_BITS, &h) == LT_OK);
    CHECK_NEAR(h, 0.46899559358928117, 1e-15);
}

/* The slides' one-hot table: true value q = one-hot, predicted p = (1/2, 1/4, 1/8, 1/8).
 * H_p(q) = -sum q log p = 1, H_q(q) = 0, H_q(p) = -sum p log q = inf. */
static void test_slides_one_hot(void)
{
    double h = -1;
    CHECK(info_cross_entropy(ONEHOT, 4, P, 4, INFO_BITS, &h) == LT_OK);   /* H_p(q) */
    CHECK(h == 1.0);
    CHECK(info_cross_entropy(ONEHOT, 4, ONEHOT, 4, INFO_BITS, &h) == LT_OK); /* H_q(q) */
    CHECK(h == 0.0);
    CHECK(info_cross_entropy(P, 4, ONEHOT, 4, INFO_BITS, &h) == LT_OK);   /* H_q(p) */
    CHECK(isinf(h) && h > 0);
    CHECK(info_kl(P, 4, ONEHOT, 4, INFO_BITS, &h) == LT_OK);
    CHECK(isinf(h) && h > 0);
    CHECK(info_kl(ONEHOT, 4, P, 4, INFO_BITS, &h) == LT_OK);   /* 1 - 0 */
    CHECK(h == 1.0);
    CHECK(info_cross_entropy(ONEHOT, 4, P, 4, INFO_NATS, &h) == LT_OK);
    CHECK_NEAR(h, 0.6931471805599453, 1e-15);
}

static void test_cross_entropy_and_kl_values(void)
{
    /* true p, coded with the code of the uniform q: every symbol costs 2 bits */
    double q[4] = {0.25, 0.25, 0.25, 0.25}, h;
    CHECK(info_cross_entropy(P, 4, q, 4, INFO_BITS, &h) == LT_OK);
    CHECK(h == 2.0);
    CHECK(info_kl(P, 4, q, 4, INFO_BITS, &h) == LT_OK);
    CHECK(h == 0.25);                                   /* 2 - 1.75 */
    CHECK(info_kl(q, 4, P, 4, INFO_BITS, &h) == LT_OK); /* 0.25*(-1 + 0 + 1 + 1) */
    CHECK(h == 0.25);
    CHECK(info_kl(P, 4, P, 4, INFO_NATS, &h) == LT_OK);
    CHECK(h == 0.0);
    /* zeros of p contribute nothing, even where q is zero too */
    double a[3] = {0.5, 0.5, 0}, b[3] = {0.5, 0.5, 0}, c[3] = {0.25, 0.25, 0.5};
    CHECK(info_kl(a, 3, b, 3, INFO_BITS, &h) == LT_OK);
    CHECK(h == 0.0);
    CHECK(info_kl(a, 3, c, 3, INFO_BITS, &h) == LT_OK);
    CHECK(h == 1.0);
    CHECK(info_kl(c, 3, a, 3, INFO_BITS, &h) == LT_OK);
    CHECK(isinf(h));
    /* within the documented tolerance is accepted */
    double near1[2] = {0.5, 0.5 + 5e-7};
    CHECK(info_entropy(near1, 2, INFO_BITS, &h) == LT_OK);
}

static void test_surprise(void)
{
    double s;
    CHECK(info_surprise(0.125, INFO_BITS, &s) == LT_OK && s == 3.0);
    CHECK(info_surprise(0.5, INFO_BITS, &s) == LT_OK && s == 1.0);
    CHECK(info_surprise(1.0, INFO_BITS, &s) == LT_OK && s == 0.0 && !signbit(s));
    CHECK(info_surprise(0.0, INFO_BITS, &s) == LT_OK && isinf(s));
    CHECK(info_surprise(exp(-2.0), INFO_NATS, &s) == LT_OK);
    CHECK_NEAR(s, 2.0, 1e-15);
    CHECK(info_surprise(1.5, INFO_BITS, &s) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "surprise: probability 1.5 is not in [0, 1]");
    CHECK(info_surprise(NAN, INFO_BITS, &s) == LT_ERR_VALUE);
}

static void test_distribution_errors(void)
{
    double h = 42;
    double neg[3] = {0.5, 0.6, -0.1}, nan3[3] = {0.5, NAN, 0.5}, inf2[2] = {INFINITY, 0};
    double short_[3] = {0.5, 0.3, 0.1};
    CHECK(info_entropy(neg, 3, INFO_BITS, &h) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "entropy: p[2] = -0.1 is negative");
    CHECK(info_kl(P, 4, nan3, 3, INFO_BITS, &h) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "kl: p has 4 entries but q has 3; they must match");
    CHECK(info_kl(short_, 3, nan3, 3, INFO_BITS, &h) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "kl: p sums to 0.9, not 1 (tolerance 1e-06)");
    CHECK(info_cross_entropy(P, 3, nan3, 3, INFO_BITS, &h) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "cross_entropy: p sums to 0.875, not 1 (tolerance 1e-06)");
    CHECK(info_cross_entropy(neg + 0, 2, nan3, 2, INFO_BITS, &h) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "cross_entropy: p sums to 1.1, not 1 (tolerance 1e-06)");
    double half[2] = {0.5, 0.5};
    CHECK(info_cross_entropy(half, 2, nan3, 2, INFO_BITS, &h) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "cross_entropy: q[1] = nan is not a number");
    CHECK(info_entropy(inf2, 2, INFO_BITS, &h) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "entropy: p[0] = inf is not finite");
    CHECK(info_entropy(P, 0, INFO_BITS, &h) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "entropy: p is empty, a distribution needs at least one entry");
    CHECK(info_kl(P, 4, P, 0, INFO_BITS, &h) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "kl: q is empty, a distribution needs at least one entry");
    double off[2] = {0.5, 0.5 + 2e-6};
    CHECK(info_entropy(off, 2, INFO_BITS, &h) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "entropy: p sums to 1.000002, not 1 (tolerance 1e-06)");
    CHECK(info_entropy(P, 4, (info_unit)7, &h) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "entropy: unknown unit 7 (INFO_BITS or INFO_NATS)");
    CHECK(h == 42);   /* untouched on failure */
}

/* ---- Gaussians ---------------------------------------------------------------------- */

static void test_normal_pdf(void)
{
    info_normal s = {0, 1}, d = {1, 2};
    CHECK_NEAR(info_normal_pdf(s, 0), 0.3989422804014327, 1e-16);    /* 1/sqrt(2 pi) */
    CHECK_NEAR(info_normal_pdf(s, 1), 0.24197072451914337, 1e-16);
    CHECK_NEAR(info_normal_pdf(d, 3), 0.24197072451914337 / 2, 1e-16);
    CHECK_NEAR(info_normal_logpdf(d, 3), log(0.24197072451914337 / 2), 1e-14);
    CHECK_NEAR(info_normal_logpdf(s, 40), -800 - 0.9189385332046727, 1e-12); /* no underflow */
    double h;
    CHECK(info_normal_entropy(s, INFO_NATS, &h) == LT_OK);
    CHECK_NEAR(h, 1.4189385332046727, 1e-15);                          /* 0.5 log(2 pi e) */
    CHECK(info_normal_entropy(d, INFO_NATS, &h) == LT_OK);
    CHECK_NEAR(h, 1.4189385332046727 + 0.6931471805599453, 1e-15);
}

static void test_kl_normal_known(void)
{
    /* KL(N(0,1) || N(1,2^2)) = log 2 + (1 + 1)/8 - 1/2, worked by hand */
    info_normal p = {0, 1}, q = {1, 2};
    double kl;
    CHECK(info_kl_normal(p, q, INFO_NATS, &kl) == LT_OK);
    CHECK_NEAR(kl, 0.6931471805599453 - 0.25, 1e-15);
    CHECK(info_kl_normal(p, q, INFO_BITS, &kl) == LT_OK);
    CHECK_NEAR(kl, 1 - 0.25 / 0.6931471805599453, 1e-15);
    CHECK(info_kl_normal(q, q, INFO_NATS, &kl) == LT_OK && kl == 0.0);
    /* against N(0,1), by hand: std = 0.5, mean = 2 gives -log 0.5 + 0.25/2 + 4/2 - 1/2 */
    info_normal p2 = {2, 0.5}, s = {0, 1};
    CHECK(info_kl_normal(p2, s, INFO_NATS, &kl) == LT_OK);
    CHECK_NEAR(kl, 0.6931471805599453 + 0.125 + 2 - 0.5, 1e-15);
}

static void test_kl_normal_numeric(void)
{
    info_normal cases[][2] = {
        {{0, 1}, {1, 2}}, {{1, 2}, {0, 1}}, {{-3, 0.1}, {2, 5}}, {{0, 5}, {0.5, 0.2}},
        {{100, 1e-3}, {100.001, 2e-3}}, {{0, 1}, {0, 1}}, {{0, 1}, {30, 1}}, {{0, 1e3}, {0, 1}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double exact, num;
        CHECK(info_kl_normal(cases[i][0], cases[i][1], INFO_NATS, &exact) == LT_OK);
        CHECK(info_kl_normal_numeric(cases[i][0], cases[i][1], INFO_NATS, &num) == LT_OK);
        CHECK_NEAR(num, exact, 1e-6 * (1 + exact));
        CHECK(info_kl_normal_numeric(cases[i][0], cases[i][1], INFO_BITS, &num) == LT_OK);
        CHECK_NEAR(num, exact / 0.6931471805599453, 1e-6 * (1 + exact));
    }
}

static void test_kl_normal_monte_carlo(void)
{
    info_normal cases[][2] = { {{0, 1}, {1, 2}}, {{1, 2}, {0, 1}}, {{-1, 0.3}, {0.5, 1.5}} };
    for (size_t i = 0; i < 3; i++) {
        rng r;
        rng_seed(&r, 1234 + i);
        double exact, est = 0, se = 0;
        CHECK(info_kl_normal(cases[i][0], cases[i][1], INFO_NATS, &exact) == LT_OK);
        CHECK(info_kl_normal_mc(cases[i][0], cases[i][1], 20000, &r, INFO_NATS, &est, &se) == LT_OK);
        CHECK(se > 0 && se < 0.05);
        CHECK(fabs(est - exact) < 4 * se);
        /* same seed, same estimate */
        double est2;
        rng_seed(&r, 1234 + i);
        CHECK(info_kl_normal_mc(cases[i][0], cases[i][1], 20000, &r, INFO_NATS, &est2, NULL) == LT_OK);
        CHECK(est2 == est);
    }
    /* equal distributions: every sample gives exactly 0 */
    rng r;
    rng_seed(&r, 5);
    double est, se;
    info_normal s = {0, 1};
    CHECK(info_kl_normal_mc(s, s, 100, &r, INFO_BITS, &est, &se) == LT_OK);
    CHECK(est == 0.0 && se == 0.0);
}

static void test_kl_diag(void)
{
    double mu1[3] = {0.5, -1, 2}, lv1[3] = {0, log(4.0), -1}, mu2[3] = {0, 1, 2}, lv2[3] = {1, 0, log(0.25)};
    double sum = 0, kl;
    for (int i = 0; i < 3; i++) {
        info_normal a = {mu1[i], exp(0.5 * lv1[i])}, b = {mu2[i], exp(0.5 * lv2[i])};
        double k;
        CHECK(info_kl_normal(a, b, INFO_NATS, &k) == LT_OK);
        sum += k;
    }
    CHECK(info_kl_diag_normal(mu1, lv1, mu2, lv2, 3, INFO_NATS, &kl) == LT_OK);
    CHECK_NEAR(kl, sum, 1e-13);
    CHECK(info_kl_diag_normal(mu1, lv1, mu2, lv2, 3, INFO_BITS, &kl) == LT_OK);
    CHECK_NEAR(kl, sum / 0.6931471805599453, 1e-13);
    CHECK(info_kl_diag_normal(mu1, lv1, mu1, lv1, 3, INFO_NATS, &kl) == LT_OK && kl == 0.0);
}

static void test_kl_vae_term(void)
{
    /* hand-worked: mu = 0.5, logvar = 0 gives 0.5 * (1 + 0.25 - 1 - 0) = 0.125;
     * mu = 0, logvar = log 2 gives 0.5 * (2 - 1 - log 2) */
    double mu[2] = {0.5, 0}, lv[2] = {0, log(2.0)}, kl;
    CHECK(info_kl_diag_std_normal(mu, lv, 1, INFO_NATS, &kl) == LT_OK);
    CHECK_NEAR(kl, 0.125, 1e-16);
    CHECK(info_kl_diag_std_normal(mu, lv, 2, INFO_NATS, &kl) == LT_OK);
    CHECK_NEAR(kl, 0.125 + 0.5 * (1 - 0.6931471805599453), 1e-15);
    /* against the general diagonal formula with q = N(0, I), on random values */
    rng r;
    rng_seed(&r, 77);
    double m[20], v[20], zero[20] = {0}, vae, gen;
    for (int i = 0; i < 20; i++) { m[i] = 2 * rng_normal(&r); v[i] = 1.5 * rng_normal(&r); }
    CHECK(info_kl_diag_std_normal(m, v, 20, INFO_NATS, &vae) == LT_OK);
    CHECK(info_kl_diag_normal(m, v, zero, zero, 20, INFO_NATS, &gen) == LT_OK);
    CHECK_NEAR(vae, gen, 1e-12 * gen);
    CHECK(vae > 0);
}

static void test_gaussian_errors(void)
{
    double kl = 42, se;
    info_normal good = {0, 1}, zero_std = {0, 0}, nan_mean = {NAN, 1}, neg = {1, -2};
    CHECK(info_kl_normal(good, zero_std, INFO_NATS, &kl) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "kl: q has std = 0, must be finite and > 0");
    CHECK(info_kl_normal(nan_mean, good, INFO_NATS, &kl) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "kl: p has mean = nan, must be finite");
    CHECK(info_kl_normal_numeric(neg, good, INFO_NATS, &kl) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "kl_numeric: p has std = -2, must be finite and > 0");
    rng r;
    rng_seed(&r, 1);
    CHECK(info_kl_normal_mc(good, good, 1, &r, INFO_NATS, &kl, &se) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "kl_mc: needs at least 2 samples for a standard error, got 1");
    double mu[2] = {0, INFINITY}, lv[2] = {0, 0};
    CHECK(info_kl_diag_std_normal(mu, lv, 2, INFO_NATS, &kl) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "kl_vae: mu[1] = inf is not finite");
    CHECK(info_kl_diag_normal(lv, lv, lv, mu, 2, INFO_NATS, &kl) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "kl_diag: logvar2[1] = inf is not finite");
    CHECK(info_kl_diag_std_normal(mu, lv, 0, INFO_NATS, &kl) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "kl_vae: needs at least one dimension");
    CHECK(info_normal_entropy(zero_std, INFO_NATS, &kl) == LT_ERR_VALUE);
    CHECK(kl == 42);
}

static double square(double x, void *ctx) { (void)ctx; return x * x; }
static double inv(double x, void *ctx) { (void)ctx; return 1 / x; }

static void test_integrate(void)
{
    double v;
    CHECK(info_integrate(square, NULL, 0, 3, 2, &v) == LT_OK);
    CHECK_NEAR(v, 9.0, 1e-14);              /* Simpson is exact for cubics */
    CHECK(info_integrate(square, NULL, 0, 3, 3, &v) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "integrate: Simpson's rule needs an even number of intervals >= 2, got 3");
    CHECK(info_integrate(square, NULL, 1, 1, 2, &v) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "integrate: interval [1, 1] must be finite with a < b");
    CHECK(info_integrate(inv, NULL, 0, 1, 2, &v) == LT_ERR_NUMERIC);
    CHECK_STR(lt_errmsg(), "integrate: the integrand is inf at x = 0");
}

/* A failure about one distribution names it (0: p, 1: q); lengths that differ name
 * neither: the language points at the argument from this, not from the message. */
static void test_error_arguments(void)
{
    double p[2] = { 0.5, 0.5 }, bad[2] = { 0.5, 0.7 }, three[3] = { 0.2, 0.3, 0.5 }, h;
    CHECK(info_kl(p, 2, bad, 2, INFO_BITS, &h) == LT_ERR_VALUE && lt_errarg() == 1);
    CHECK(info_cross_entropy(bad, 2, p, 2, INFO_BITS, &h) == LT_ERR_VALUE && lt_errarg() == 0);
    CHECK(info_kl(p, 2, three, 3, INFO_BITS, &h) == LT_ERR_VALUE && lt_errarg() == -1);
}

int main(void)
{
    RUN(test_error_arguments);
    RUN(test_slides_entropy);
    RUN(test_slides_one_hot);
    RUN(test_cross_entropy_and_kl_values);
    RUN(test_surprise);
    RUN(test_distribution_errors);
    RUN(test_normal_pdf);
    RUN(test_kl_normal_known);
    RUN(test_kl_normal_numeric);
    RUN(test_kl_normal_monte_carlo);
    RUN(test_kl_diag);
    RUN(test_kl_vae_term);
    RUN(test_gaussian_errors);
    RUN(test_integrate);
    return check_summary("info");
}
