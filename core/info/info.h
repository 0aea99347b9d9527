/* info.h: entropy, cross-entropy and KL divergence, discrete and Gaussian.
 *
 *     double p[] = {0.5, 0.25, 0.125, 0.125}, onehot[] = {1, 0, 0, 0}, h;
 *     if (info_entropy(p, 4, INFO_BITS, &h) != LT_OK) show(lt_errmsg());   // h = 1.75
 *     info_cross_entropy(onehot, 4, p, 4, INFO_BITS, &h);                   // h = 1
 *     info_cross_entropy(p, 4, onehot, 4, INFO_BITS, &h);                   // h = +inf
 *
 * Naming. p is always the TRUE distribution (where the data comes from) and q the CODING
 * (model, predicted) distribution whose code is used on it:
 *     entropy(p)          H(p)    = -sum p log p
 *     cross_entropy(p, q) H(p,q)  = -sum p log q    (the slides' H(p||q); also written H_q(p))
 *     kl(p, q)            KL(p||q) = sum p log(p/q) = H(p,q) - H(p)
 * The slides' one-hot example (true q = [1,0,0,0], predicted p = [1/2,1/4,1/8,1/8]) reads:
 *     H_p(q) = cross_entropy(onehot, p) = 1,  H_q(q) = cross_entropy(onehot, onehot) = 0,
 *     H_q(p) = cross_entropy(p, onehot) = +inf  (the one-hot code has no codeword for C,R,S).
 *
 * Edge cases, exactly as in the slides:
 *   - an entry with p = 0 contributes nothing (0 log 0 = 0, 0 log(0/q) = 0, even if q = 0);
 *   - p > 0 where q = 0 makes cross-entropy and KL +INFINITY (a valid result, LT_OK).
 *
 * What counts as a distribution (checked on every call; otherwise LT_ERR_VALUE with a
 * message naming the function, the argument and the entry):
 *   - at least one entry; for two arguments, the same number of entries;
 *   - every entry finite and >= 0 (NaN, infinite and negative entries are named: "q[2] = -0.1
 *     is negative");
 *   - the entries sum to 1 within INFO_SUM_TOL (absolute, which is relative to 1): the
 *     message gives the sum. Entries are used as given, never renormalised.
 *
 * Units: every function that returns an information quantity takes INFO_BITS (log base 2,
 * what the Huffman lecture uses) or INFO_NATS (natural log, what the VAE loss uses).
 * Bits are computed with log2 directly, so dyadic examples come out exact (1.75, not
 * 1.7500000000000002).
 *
 * Gaussians. info_normal is a univariate N(mean, std^2), std > 0. Closed forms for KL between
 * two normals and between diagonal multivariate normals given as (mu, logvar) arrays, the
 * VAE's KL(N(mu, exp(logvar)) || N(0, I)), and two checks of the closed form: a seeded Monte
 * Carlo estimate with its standard error and a Simpson-rule integral.
 *
 * Ownership: no function here allocates memory that the caller must free; arrays are
 * borrowed for the duration of the call. Nothing prints, nothing exits. On failure a
 * function returns a status other than LT_OK, sets the message (lt_errmsg) and leaves
 * *out untouched.
 */
#ifndef LT_INFO_H
#define LT_INFO_H

#include <stddef.h>

#include "lt_error.h"
#include "rng.h"

/* How far the entries of a distribution may sum from 1: |sum - 1| <= INFO_SUM_TOL. */
#define INFO_SUM_TOL 1e-6

typedef enum info_unit {
    INFO_BITS = 0,  /* log base 2 */
    INFO_NATS = 1   /* natural log */
} info_unit;

/* ---- discrete distributions ---------------------------------------------------- */

/* LT_OK if p (n entries) is a distribution as defined above, else LT_ERR_VALUE with a
 * message that starts with `who` (e.g. "entropy") and names the argument `name` ("p"):
 * "entropy: p[1] = nan is not a number", "kl: p sums to 0.9, not 1 (tolerance 1e-06)". */
lt_status info_check_dist(const char *who, const char *name, const double *p, size_t n);

/* H(p) = -sum p log p. p is (n). */
lt_status info_entropy(const double *p, size_t n, info_unit unit, double *out);

/* info_cross_entropy and info_kl: a failure about one distribution names it in
 * lt_errarg() (0: p, 1: q); p and q of different lengths name none (-1). */

/* H(p, q) = -sum p log q: the average length of messages from p coded with q's ideal code.
 * p is (np), q is (nq), np == nq. +INFINITY if some p[i] > 0 has q[i] == 0. */
lt_status info_cross_entropy(const double *p, size_t np, const double *q, size_t nq,
                             info_unit unit, double *out);

/* KL(p || q) = sum p log(p / q) >= 0. p is (np), q is (nq), np == nq. +INFINITY if some
 * p[i] > 0 has q[i] == 0. Computed term by term (not as H(p,q) - H(p)), so it is 0 for
 * p == q and never negative by rounding (tiny negative sums are clamped to 0). */
lt_status info_kl(const double *p, size_t np, const double *q, size_t nq,
                  info_unit unit, double *out);

/* The surprise (self-information) of an event of probability prob: -log prob, e.g. 3 bits
 * for 1/8; +INFINITY for prob == 0. LT_ERR_VALUE unless 0 <= prob <= 1. */
lt_status info_surprise(double prob, info_unit unit, double *out);

/* ---- univariate normal distributions -------------------------------------------- */

typedef struct info_normal {
    double mean;  /* any finite number */
    double std;   /* standard deviation, finite and > 0 */
} info_normal;

/* LT_OK if d has a finite mean and a finite std > 0; else LT_ERR_VALUE naming who and the
 * bad field: "kl: q has std = 0, must be > 0". */
lt_status info_normal_check(const char *who, const char *name, info_normal d);

/* The density and its natural log at x. d must be valid (info_normal_check); these two
 * do not check, so they can sit in inner loops. */
double info_normal_pdf(info_normal d, double x);
double info_normal_logpdf(info_normal d, double x);

/* Differential entropy H(d) = 0.5 log(2 pi e std^2); can be negative for small std. */
lt_status info_normal_entropy(info_normal d, info_unit unit, double *out);

/* Closed form (the slides' result):
 *     KL(p || q) = log(std_q / std_p) + (std_p^2 + (mean_p - mean_q)^2) / (2 std_q^2) - 1/2
 * (in nats; divided by log 2 for bits). */
lt_status info_kl_normal(info_normal p, info_normal q, info_unit unit, double *out);

/* Monte Carlo estimate of KL(p || q): the mean of log p(x) - log q(x) over n >= 2 draws
 * x ~ p taken from r (which advances). *est gets the mean, *se its standard error
 * (sample standard deviation / sqrt(n)); either pointer may be NULL. The same seed gives
 * the same estimate. */
lt_status info_kl_normal_mc(info_normal p, info_normal q, size_t n, rng *r, info_unit unit,
                            double *est, double *se);

/* KL(p || q) by numerical integration of p(x) (log p(x) - log q(x)) with composite
 * Simpson's rule on [mean_p - 12 std_p, mean_p + 12 std_p] with INFO_SIMPSON_N intervals
 * (p's mass outside is below 1e-32). Measured against the closed form: relative error
 * below 1e-14 for std_q / std_p from 1e-3 to 1e3 and mean gaps up to 30 std_p.
 * For tests and notebooks; about 8k log/exp calls. */
#define INFO_SIMPSON_N 4096
lt_status info_kl_normal_numeric(info_normal p, info_normal q, info_unit unit, double *out);

/* Composite Simpson's rule for the integral of f over [a, b] with n intervals (n even,
 * >= 2, a < b, both finite). LT_ERR_VALUE on bad arguments, LT_ERR_NUMERIC if f returns
 * a NaN or infinity (the message gives x). ctx is passed through to f. */
lt_status info_integrate(double (*f)(double x, void *ctx), void *ctx, double a, double b,
                         int n, double *out);

/* ---- diagonal multivariate normals ----------------------------------------------- */

/* KL(N(mu1, diag exp(logvar1)) || N(mu2, diag exp(logvar2))) for n >= 1 dimensions:
 *     0.5 * sum (logvar2 - logvar1 + (exp(logvar1) + (mu1 - mu2)^2) / exp(logvar2) - 1)
 * mu1, logvar1, mu2, logvar2 are (n). Every entry must be finite (LT_ERR_VALUE naming the
 * array and index otherwise). */
lt_status info_kl_diag_normal(const double *mu1, const double *logvar1,
                              const double *mu2, const double *logvar2, size_t n,
                              info_unit unit, double *out);

/* The VAE's term KL(N(mu, diag exp(logvar)) || N(0, I)):
 *     0.5 * sum (exp(logvar) + mu^2 - 1 - logvar)
 * mu, logvar are (n), n >= 1, every entry finite. */
lt_status info_kl_diag_std_normal(const double *mu, const double *logvar, size_t n,
                                  info_unit unit, double *out);

#endif
