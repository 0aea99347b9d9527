/* score.c: the sample scorer's statistics (see score.h). */
#include "score.h"
#include "settings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- Gaussians */

void score_gauss_free(score_gauss *g)
{
    free(g->mu);
    free(g->cov);
    memset(g, 0, sizeof *g);
}

/* mu (d) = the column means of f (n, d); LT_ERR_NUMERIC on a NaN or infinity */
static lt_status score_mean(const float *f, int n, int d, double *mu)
{
    for (int j = 0; j < d; j++) mu[j] = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < d; j++) {
            float x = f[(size_t)i * d + j];
            if (!isfinite(x)) return lt_fail(LT_ERR_NUMERIC, "score: feature %d of sample %d is %g", j, i, x);
            mu[j] += x;
        }
    for (int j = 0; j < d; j++) mu[j] /= n;
    return LT_OK;
}

lt_status score_gauss_fit(const float *f, int n, int d, score_gauss *out)
{
    memset(out, 0, sizeof *out);
    if (n < 2 || d < 1) return lt_fail(LT_ERR_VALUE, "score: a covariance needs at least 2 samples (got %d)", n);
    double *mu = malloc((size_t)d * sizeof *mu), *cov = calloc((size_t)d * d, sizeof *cov);
    double *row = malloc((size_t)d * sizeof *row);
    if (!mu || !cov || !row) { free(mu); free(cov); free(row); return lt_fail(LT_ERR_NOMEM, "score: out of memory"); }
    lt_status st = score_mean(f, n, d, mu);
    for (int i = 0; st == LT_OK && i < n; i++) {        /* cov += (f_i - mu)(f_i - mu)^T, upper half */
        for (int j = 0; j < d; j++) row[j] = f[(size_t)i * d + j] - mu[j];
        for (int j = 0; j < d; j++)
            for (int k = j; k < d; k++) cov[(size_t)j * d + k] += row[j] * row[k];
    }
    for (int j = 0; j < d; j++)
        for (int k = j; k < d; k++) cov[(size_t)k * d + j] = cov[(size_t)j * d + k] /= n - 1;
    free(row);
    if (st != LT_OK) { free(mu); free(cov); return st; }
    *out = (score_gauss){d, mu, cov};
    return LT_OK;
}

/* ---------------------------------------------------------------- eigenvalues */

/* The squared Frobenius norms of a's off-diagonal part and of all of a. */
static void score_norms(const double *a, int n, double *off, double *all)
{
    *off = *all = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double x = a[(size_t)i * n + j] * a[(size_t)i * n + j];
            *all += x;
            if (i != j) *off += x;
        }
}

/* a = J^T a J and v = v J for the rotation J in the plane (p, q) that zeroes a[p][q]. */
static void score_rotate(double *a, double *v, int n, int p, int q)
{
    double apq = a[(size_t)p * n + q];
    double tau = (a[(size_t)q * n + q] - a[(size_t)p * n + p]) / (2 * apq);
    double t = (tau >= 0 ? 1.0 : -1.0) / (fabs(tau) + sqrt(1 + tau * tau));
    double c = 1 / sqrt(1 + t * t), s = t * c;
    for (int k = 0; k < n; k++) {              /* columns p and q: a J */
        double *r = a + (size_t)k * n, x = r[p], y = r[q];
        r[p] = c * x - s * y;
        r[q] = s * x + c * y;
    }
    double *rp = a + (size_t)p * n, *rq = a + (size_t)q * n;
    for (int k = 0; k < n; k++) {              /* rows p and q: J^T (a J) */
        double x = rp[k], y = rq[k];
        rp[k] = c * x - s * y;
        rq[k] = s * x + c * y;
    }
    rp[q] = rq[p] = 0;                          /* exactly, rather than by rounding */
    for (int k = 0; v && k < n; k++) {
        double *r = v + (size_t)k * n, x = r[p], y = r[q];
        r[p] = c * x - s * y;
        r[q] = s * x + c * y;
    }
}

lt_status score_eigh(double *a, int n, double *w, double *v)
{
    for (int i = 0; v && i < n; i++)
        for (int j = 0; j < n; j++) v[(size_t)i * n + j] = i == j;
    for (int sweep = 0; sweep < 100; sweep++) {
        double off, all;
        score_norms(a, n, &off, &all);
        if (!isfinite(all)) break;
        if (off <= 1e-26 * all || off == 0) {
            for (int i = 0; i < n; i++) w[i] = a[(size_t)i * n + i];
            return LT_OK;
        }
        for (int p = 0; p < n - 1; p++)
            for (int q = p + 1; q < n; q++)
                if (a[(size_t)p * n + q] != 0) score_rotate(a, v, n, p, q);
    }
    return lt_fail(LT_ERR_NUMERIC, "score: the eigenvalues of a %dx%d matrix did not converge (NaN or infinity in it?)", n, n);
}

/* c (n, n) = a b, all (n, n) */
static void score_matmul(const double *a, const double *b, double *c, int n)
{
    memset(c, 0, (size_t)n * n * sizeof *c);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++) {
            double x = a[(size_t)i * n + k];
            for (int j = 0; j < n; j++) c[(size_t)i * n + j] += x * b[(size_t)k * n + j];
        }
}

/* tr sqrt(s1 s2) = sum of sqrt(eig(r s2 r)), r = sqrt(s1) = V diag(sqrt(w)) V^T.
 * m is 4 scratch matrices (n, n), w a scratch vector (n). */
static lt_status score_trace_sqrt(const double *s1, const double *s2, int n, double *m, double *w, double *tr)
{
    double *a = m, *v = m + (size_t)n * n, *r = v + (size_t)n * n, *t = r + (size_t)n * n;
    memcpy(a, s1, (size_t)n * n * sizeof *a);
    lt_status st = score_eigh(a, n, w, v);
    if (st != LT_OK) return st;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double x = 0;
            for (int k = 0; k < n; k++) x += v[(size_t)i * n + k] * sqrt(fmax(w[k], 0)) * v[(size_t)j * n + k];
            r[(size_t)i * n + j] = x;
        }
    score_matmul(r, s2, t, n);
    score_matmul(t, r, a, n);
    for (int i = 0; i < n; i++)                /* symmetric up to rounding: make it exactly so */
        for (int j = i + 1; j < n; j++)
            a[(size_t)i * n + j] = a[(size_t)j * n + i] = 0.5 * (a[(size_t)i * n + j] + a[(size_t)j * n + i]);
    if ((st = score_eigh(a, n, w, NULL)) != LT_OK) return st;
    *tr = 0;
    for (int i = 0; i < n; i++) *tr += sqrt(fmax(w[i], 0));
    return LT_OK;
}

lt_status score_frechet(const score_gauss *a, const score_gauss *b, double *fd)
{
    int n = a->d;
    if (b->d != n) return lt_fail(LT_ERR_VALUE, "score: Gaussians of %d and %d features", n, b->d);
    double *m = malloc((size_t)4 * n * n * sizeof *m), *w = malloc((size_t)n * sizeof *w), tr = 0;
    if (!m || !w) { free(m); free(w); return lt_fail(LT_ERR_NOMEM, "score: out of memory"); }
    lt_status st = score_trace_sqrt(a->cov, b->cov, n, m, w, &tr);
    free(m);
    free(w);
    if (st != LT_OK) return st;
    double d2 = 0, t1 = 0, t2 = 0;
    for (int i = 0; i < n; i++) {
        d2 += (a->mu[i] - b->mu[i]) * (a->mu[i] - b->mu[i]);
        t1 += a->cov[(size_t)i * n + i];
        t2 += b->cov[(size_t)i * n + i];
    }
    *fd = d2 + t1 + t2 - 2 * tr;
    return LT_OK;
}

/* ---------------------------------------------------------------- classes */

/* p (k) = softmax(z (k)) in double; the argmax (first of ties) */
static int score_softmax(const float *z, int k, double *p)
{
    int best = 0;
    for (int j = 1; j < k; j++) if (z[j] > z[best]) best = j;
    double s = 0;
    for (int j = 0; j < k; j++) s += p[j] = exp((double)z[j] - z[best]);
    for (int j = 0; j < k; j++) p[j] /= s;
    return best;
}

/* exp(mean over samples of KL(p(y|x) || p(y))), p is (n, k), py (k) their mean */
static double score_is(const double *p, const double *py, int n, int k)
{
    double kl = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < k; j++) {
            double q = p[(size_t)i * k + j];
            kl += q * (log(q + 1e-12) - log(py[j] + 1e-12));
        }
    return exp(kl / n);
}

lt_status score_class_stats(const float *logits, int n, int k, int *counts, score_classes *out)
{
    if (n < 1 || k < 2) return lt_fail(LT_ERR_VALUE, "score: %d samples of %d classes", n, k);
    for (size_t i = 0; i < (size_t)n * k; i++)
        if (!isfinite(logits[i])) return lt_fail(LT_ERR_NUMERIC, "score: logit %zu of sample %zu is %g", i % k, i / k, logits[i]);
    double *p = malloc((size_t)n * k * sizeof *p), *py = calloc((size_t)k, sizeof *py);
    if (!p || !py) { free(p); free(py); return lt_fail(LT_ERR_NOMEM, "score: out of memory"); }
    int conf = 0;
    memset(counts, 0, (size_t)k * sizeof *counts);
    for (int i = 0; i < n; i++) {
        double *pi = p + (size_t)i * k;
        int c = score_softmax(logits + (size_t)i * k, k, pi);
        counts[c]++;
        conf += pi[c] >= SCORE_CONF;
        for (int j = 0; j < k; j++) py[j] += pi[j] / n;
    }
    *out = (score_classes){.n = n, .k = k, .conf = (double)conf / n};
    for (int j = 0; j < k; j++) {
        out->covered += counts[j] > 0;
        if (counts[j] > out->maxshare * n) out->maxshare = (double)counts[j] / n;
    }
    out->is = score_is(p, py, n, k);
    free(p);
    free(py);
    return LT_OK;
}

/* ---------------------------------------------------------------- files */

lt_status score_model_path(const char *name, char *buf, int n)
{
    if (!buf || n < 1) return lt_fail(LT_ERR_VALUE, "score: no room for a path");
    const char *env = settings_env("LATENT_MODEL_DIR");
    const char *tried[3];
    int k = 0;
    if (env && *env) tried[k++] = env;
    tried[k++] = LATENT_MODEL_DIR;
    tried[k++] = LATENT_SOURCE_MODEL_DIR;
    for (int i = 0; i < k; i++) {
        if (snprintf(buf, (size_t)n, "%s/%s", tried[i], name) >= n)
            return lt_fail(LT_ERR_VALUE, "score: the path '%s/%s' is too long", tried[i], name);
        if (access(buf, R_OK) == 0) return LT_OK;
    }
    return lt_fail(LT_ERR_IO, "score: no %s in %s%s%s%s%s (set LATENT_MODEL_DIR to the folder holding it)", name,
                   tried[0], k > 1 ? ", " : "", k > 1 ? tried[1] : "", k > 2 ? ", " : "", k > 2 ? tried[2] : "");
}
