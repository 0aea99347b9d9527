/* info.c: entropy, cross-entropy, KL; Gaussian closed forms and their checks (see info.h). */
#include "info.h"

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static double log_unit(double x, info_unit unit)
{
    return unit == INFO_BITS ? log2(x) : log(x);
}

/* nats -> the requested unit */
static double from_nats(double x, info_unit unit)
{
    return unit == INFO_BITS ? x / M_LN2 : x;
}

static lt_status check_unit(const char *who, info_unit unit)
{
    if (unit != INFO_BITS && unit != INFO_NATS)
        return lt_fail(LT_ERR_VALUE, "%s: unknown unit %d (INFO_BITS or INFO_NATS)", who, (int)unit);
    return LT_OK;
}

lt_status info_check_dist(const char *who, const char *name, const double *p, size_t n)
{
    if (n == 0 || !p)
        return lt_fail(LT_ERR_VALUE, "%s: %s is empty, a distribution needs at least one entry",
                       who, name);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(p[i]))
            return lt_fail(LT_ERR_VALUE, "%s: %s[%zu] = nan is not a number", who, name, i);
        if (isinf(p[i]))
            return lt_fail(LT_ERR_VALUE, "%s: %s[%zu] = %g is not finite", who, name, i, p[i]);
        if (p[i] < 0)
            return lt_fail(LT_ERR_VALUE, "%s: %s[%zu] = %g is negative", who, name, i, p[i]);
        sum += p[i];
    }
    if (!(fabs(sum - 1.0) <= INFO_SUM_TOL))
        return lt_fail(LT_ERR_VALUE, "%s: %s sums to %.9g, not 1 (tolerance %g)",
                       who, name, sum, INFO_SUM_TOL);
    return LT_OK;
}

/* checks both arguments of a two-distribution function */
static lt_status check_pair(const char *who, const double *p, size_t np, const double *q,
                            size_t nq, info_unit unit)
{
    lt_status st = check_unit(who, unit);
    if (st != LT_OK) return st;
    if (np != nq && np > 0 && nq > 0)
        return lt_fail(LT_ERR_VALUE, "%s: p has %zu entries but q has %zu; they must match",
                       who, np, nq);
    if ((st = info_check_dist(who, "p", p, np)) != LT_OK) return lt_fail_at(st, 0);
    return lt_fail_at(info_check_dist(who, "q", q, nq), 1);
}

lt_status info_entropy(const double *p, size_t n, info_unit unit, double *out)
{
    lt_status st = check_unit("entropy", unit);
    if (st != LT_OK || (st = info_check_dist("entropy", "p", p, n)) != LT_OK) return st;
    double h = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] > 0) h -= p[i] * log_unit(p[i], unit);
    *out = h > 0 ? h : 0.0;  /* also turns -0 into 0 */
    return LT_OK;
}

lt_status info_cross_entropy(const double *p, size_t np, const double *q, size_t nq,
                             info_unit unit, double *out)
{
    lt_status st = check_pair("cross_entropy", p, np, q, nq, unit);
    if (st != LT_OK) return st;
    double h = 0;
    for (size_t i = 0; i < np; i++) {
        if (p[i] == 0) continue;        /* 0 log q = 0, whatever q is */
        if (q[i] == 0) { *out = INFINITY; return LT_OK; }
        h -= p[i] * log_unit(q[i], unit);
    }
    *out = h > 0 ? h : 0.0;
    return LT_OK;
}

lt_status info_kl(const double *p, size_t np, const double *q, size_t nq, info_unit unit,
                  double *out)
{
    lt_status st = check_pair("kl", p, np, q, nq, unit);
    if (st != LT_OK) return st;
    double d = 0;
    for (size_t i = 0; i < np; i++) {
        if (p[i] == 0) continue;        /* 0 log(0/q) = 0 */
        if (q[i] == 0) { *out = INFINITY; return LT_OK; }
        d += p[i] * log_unit(p[i] / q[i], unit);
    }
    *out = d > 0 ? d : 0.0;
    return LT_OK;
}

lt_status info_surprise(double prob, info_unit unit, double *out)
{
    lt_status st = check_unit("surprise", unit);
    if (st != LT_OK) return st;
    if (!(prob >= 0 && prob <= 1))
        return lt_fail(LT_ERR_VALUE, "surprise: probability %g is not in [0, 1]", prob);
    *out = prob == 0 ? INFINITY : (prob == 1 ? 0.0 : -log_unit(prob, unit));
    return LT_OK;
}

/* ---- univariate normals ---------------------------------------------------------- */

lt_status info_normal_check(const char *who, const char *name, info_normal d)
{
    if (!isfinite(d.mean))
        return lt_fail(LT_ERR_VALUE, "%s: %s has mean = %g, must be finite", who, name, d.mean);
    if (!isfinite(d.std) || !(d.std > 0))
        return lt_fail(LT_ERR_VALUE, "%s: %s has std = %g, must be finite and > 0",
                       who, name, d.std);
    return LT_OK;
}

double info_normal_logpdf(info_normal d, double x)
{
    double z = (x - d.mean) / d.std;
    return -0.5 * z * z - log(d.std) - 0.5 * log(2 * M_PI);
}

double info_normal_pdf(info_normal d, double x)
{
    double z = (x - d.mean) / d.std;
    return exp(-0.5 * z * z) / (d.std * sqrt(2 * M_PI));
}

lt_status info_normal_entropy(info_normal d, info_unit unit, double *out)
{
    lt_status st = check_unit("normal_entropy", unit);
    if (st != LT_OK || (st = info_normal_check("normal_entropy", "d", d)) != LT_OK) return st;
    *out = from_nats(0.5 * (1 + log(2 * M_PI)) + log(d.std), unit);
    return LT_OK;
}

static lt_status check_normal_pair(const char *who, info_normal p, info_normal q, info_unit unit)
{
    lt_status st = check_unit(who, unit);
    if (st != LT_OK || (st = info_normal_check(who, "p", p)) != LT_OK) return st;
    return info_normal_check(who, "q", q);
}

lt_status info_kl_normal(info_normal p, info_normal q, info_unit unit, double *out)
{
    lt_status st = check_normal_pair("kl", p, q, unit);
    if (st != LT_OK) return st;
    double dm = p.mean - q.mean;
    double kl = log(q.std / p.std) + (p.std * p.std + dm * dm) / (2 * q.std * q.std) - 0.5;
    *out = from_nats(kl > 0 ? kl : 0.0, unit);
    return LT_OK;
}

lt_status info_kl_normal_mc(info_normal p, info_normal q, size_t n, rng *r, info_unit unit,
                            double *est, double *se)
{
    lt_status st = check_normal_pair("kl_mc", p, q, unit);
    if (st != LT_OK) return st;
    if (n < 2)
        return lt_fail(LT_ERR_VALUE, "kl_mc: needs at least 2 samples for a standard error, got %zu", n);
    if (!r)
        return lt_fail(LT_ERR_VALUE, "kl_mc: no random generator given");
    /* Welford's running mean and sum of squared deviations */
    double mean = 0, m2 = 0;
    for (size_t i = 0; i < n; i++) {
        double x = p.mean + p.std * rng_normal(r);
        double f = info_normal_logpdf(p, x) - info_normal_logpdf(q, x);
        double delta = f - mean;
        mean += delta / (double)(i + 1);
        m2 += delta * (f - mean);
    }
    if (est) *est = from_nats(mean, unit);
    if (se) *se = from_nats(sqrt(m2 / (double)(n - 1)) / sqrt((double)n), unit);
    return LT_OK;
}

lt_status info_integrate(double (*f)(double x, void *ctx), void *ctx, double a, double b,
                         int n, double *out)
{
    if (!f) return lt_fail(LT_ERR_VALUE, "integrate: no function given");
    if (!isfinite(a) || !isfinite(b) || !(a < b))
        return lt_fail(LT_ERR_VALUE, "integrate: interval [%g, %g] must be finite with a < b", a, b);
    if (n < 2 || n % 2 != 0)
        return lt_fail(LT_ERR_VALUE, "integrate: Simpson's rule needs an even number of intervals >= 2, got %d", n);
    double h = (b - a) / n, sum = 0;
    for (int i = 0; i <= n; i++) {
        double x = i == n ? b : a + i * h;
        double y = f(x, ctx);
        if (!isfinite(y))
            return lt_fail(LT_ERR_NUMERIC, "integrate: the integrand is %g at x = %g", y, x);
        sum += (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2)) * y;
    }
    *out = sum * h / 3;
    return LT_OK;
}

typedef struct kl_pair { info_normal p, q; } kl_pair;

/* p(x) (log p(x) - log q(x)): the KL integrand, finite even where p underflows to 0 */
static double kl_integrand(double x, void *ctx)
{
    const kl_pair *k = ctx;
    return info_normal_pdf(k->p, x) * (info_normal_logpdf(k->p, x) - info_normal_logpdf(k->q, x));
}

lt_status info_kl_normal_numeric(info_normal p, info_normal q, info_unit unit, double *out)
{
    lt_status st = check_normal_pair("kl_numeric", p, q, unit);
    if (st != LT_OK) return st;
    kl_pair k = { p, q };
    double kl = 0;   /* set by info_integrate on success (gcc -O3 cannot tell) */
    st = info_integrate(kl_integrand, &k, p.mean - 12 * p.std, p.mean + 12 * p.std,
                        INFO_SIMPSON_N, &kl);
    if (st != LT_OK) return st;
    *out = from_nats(kl, unit);
    return LT_OK;
}

/* ---- diagonal multivariate normals ------------------------------------------------ */

static lt_status check_finite(const char *who, const char *name, const double *x, size_t n)
{
    if (!x) return lt_fail(LT_ERR_VALUE, "%s: %s is missing", who, name);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return lt_fail(LT_ERR_VALUE, "%s: %s[%zu] = %g is not finite", who, name, i, x[i]);
    return LT_OK;
}

lt_status info_kl_diag_normal(const double *mu1, const double *logvar1,
                              const double *mu2, const double *logvar2, size_t n,
                              info_unit unit, double *out)
{
    const char *who = "kl_diag";
    lt_status st = check_unit(who, unit);
    if (st != LT_OK) return st;
    if (n == 0) return lt_fail(LT_ERR_VALUE, "%s: needs at least one dimension", who);
    if ((st = check_finite(who, "mu1", mu1, n)) != LT_OK ||
        (st = check_finite(who, "logvar1", logvar1, n)) != LT_OK ||
        (st = check_finite(who, "mu2", mu2, n)) != LT_OK ||
        (st = check_finite(who, "logvar2", logvar2, n)) != LT_OK)
        return st;
    double kl = 0;
    for (size_t i = 0; i < n; i++) {
        double dm = mu1[i] - mu2[i];
        kl += logvar2[i] - logvar1[i] + (exp(logvar1[i]) + dm * dm) / exp(logvar2[i]) - 1;
    }
    kl *= 0.5;
    *out = from_nats(kl > 0 ? kl : 0.0, unit);
    return LT_OK;
}

lt_status info_kl_diag_std_normal(const double *mu, const double *logvar, size_t n,
                                  info_unit unit, double *out)
{
    const char *who = "kl_vae";
    lt_status st = check_unit(who, unit);
    if (st != LT_OK) return st;
    if (n == 0) return lt_fail(LT_ERR_VALUE, "%s: needs at least one dimension", who);
    if ((st = check_finite(who, "mu", mu, n)) != LT_OK ||
        (st = check_finite(who, "logvar", logvar, n)) != LT_OK)
        return st;
    double kl = 0;
    for (size_t i = 0; i < n; i++)
        kl += exp(logvar[i]) + mu[i] * mu[i] - 1 - logvar[i];
    kl *= 0.5;
    *out = from_nats(kl > 0 ? kl : 0.0, unit);
    return LT_OK;
}
