/* toys.c: synthetic 2-D and 1-D data sets drawn from core/rng. */
#include "toys.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Allocates (n, d) samples and, when labelled, (n) labels; checks n and noise. */
static lt_status toys_alloc(const char *what, int n, int d, int labelled, float noise,
                            float **x, int **y)
{
    *x = NULL;
    *y = NULL;
    if (n < 1) return lt_fail(LT_ERR_VALUE, "%s: need n >= 1 samples, got %d", what, n);
    if (!(noise >= 0.0f)) return lt_fail(LT_ERR_VALUE, "%s: noise must be >= 0, got %g", what, noise);
    *x = malloc((size_t)n * d * sizeof **x);
    *y = labelled ? malloc((size_t)n * sizeof **y) : NULL;
    if (!*x || (labelled && !*y)) {
        free(*x);
        free(*y);
        return lt_fail(LT_ERR_NOMEM, "%s: out of memory for %d samples", what, n);
    }
    return LT_OK;
}

lt_status toys_moons(lt_dataset *out, int n, float noise, uint64_t seed)
{
    memset(out, 0, sizeof *out);
    float *x;
    int *y;
    lt_status st = toys_alloc("moons", n, 2, 1, noise, &x, &y);
    if (st != LT_OK) return st;
    rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        double t = M_PI * rng_uniform(&r);
        y[i] = i % 2;
        x[2 * i] = (float)(y[i] ? 1.0 - cos(t) : cos(t));
        x[2 * i + 1] = (float)(y[i] ? 0.5 - sin(t) : sin(t));
        x[2 * i] += noise * (float)rng_normal(&r);
        x[2 * i + 1] += noise * (float)rng_normal(&r);
    }
    return data_adopt(out, x, y, n, 2, 0, 0);
}

lt_status toys_spiral(lt_dataset *out, int n, int arms, float turns, float noise, uint64_t seed)
{
    memset(out, 0, sizeof *out);
    if (arms < 1) return lt_fail(LT_ERR_VALUE, "spiral: need arms >= 1, got %d", arms);
    float *x;
    int *y;
    lt_status st = toys_alloc("spiral", n, 2, 1, noise, &x, &y);
    if (st != LT_OK) return st;
    rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        double rad = rng_uniform(&r);
        y[i] = i % arms;
        double th = 2.0 * M_PI * (turns * rad + (double)y[i] / arms);
        x[2 * i] = (float)(rad * cos(th)) + noise * (float)rng_normal(&r);
        x[2 * i + 1] = (float)(rad * sin(th)) + noise * (float)rng_normal(&r);
    }
    return data_adopt(out, x, y, n, 2, 0, 0);
}

/* Points at uniform angles on circles of radius radii[label], label = i % k. */
static void circles_fill(rng *r, float *x, int *y, int n, int k, const double *radii, float noise)
{
    for (int i = 0; i < n; i++) {
        double th = 2.0 * M_PI * rng_uniform(r), rad = radii[i % k];
        if (y) y[i] = i % k;
        x[2 * i] = (float)(rad * cos(th)) + noise * (float)rng_normal(r);
        x[2 * i + 1] = (float)(rad * sin(th)) + noise * (float)rng_normal(r);
    }
}

lt_status toys_ring(lt_dataset *out, int n, float noise, uint64_t seed)
{
    memset(out, 0, sizeof *out);
    float *x;
    int *y;
    lt_status st = toys_alloc("ring", n, 2, 0, noise, &x, &y);
    if (st != LT_OK) return st;
    rng r;
    rng_seed(&r, seed);
    const double radius[1] = { 1.0 };
    circles_fill(&r, x, NULL, n, 1, radius, noise);
    return data_adopt(out, x, NULL, n, 2, 0, 0);
}

lt_status toys_circles(lt_dataset *out, int n, float factor, float noise, uint64_t seed)
{
    memset(out, 0, sizeof *out);
    if (!(factor > 0.0f && factor < 1.0f))
        return lt_fail(LT_ERR_VALUE, "circles: factor must be in (0, 1), got %g", factor);
    float *x;
    int *y;
    lt_status st = toys_alloc("circles", n, 2, 1, noise, &x, &y);
    if (st != LT_OK) return st;
    rng r;
    rng_seed(&r, seed);
    const double radii[2] = { 1.0, factor };
    circles_fill(&r, x, y, n, 2, radii, noise);
    return data_adopt(out, x, y, n, 2, 0, 0);
}

lt_status toys_gaussians8(lt_dataset *out, int n, float radius, float std, uint64_t seed)
{
    memset(out, 0, sizeof *out);
    float *x;
    int *y;
    lt_status st = toys_alloc("gaussians8", n, 2, 1, std, &x, &y);
    if (st != LT_OK) return st;
    rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        y[i] = i % 8;
        double th = M_PI / 4.0 * y[i];
        x[2 * i] = (float)(radius * cos(th)) + std * (float)rng_normal(&r);
        x[2 * i + 1] = (float)(radius * sin(th)) + std * (float)rng_normal(&r);
    }
    return data_adopt(out, x, y, n, 2, 0, 0);
}

/* Checks the mixture's arguments and fills cum (k) with the cumulative weights / total. */
static lt_status gmm_weights(int k, const float *means, const float *stds, const float *weights,
                             double *cum)
{
    if (k < 1 || !means || !stds) return lt_fail(LT_ERR_VALUE, "gmm1d: need k >= 1 components with means and stds, got k=%d", k);
    double total = 0;
    for (int j = 0; j < k; j++) {
        if (!(stds[j] >= 0.0f)) return lt_fail(LT_ERR_VALUE, "gmm1d: std %d is %g, must be >= 0", j, stds[j]);
        double wj = weights ? weights[j] : 1.0;
        if (!(wj > 0.0) || !isfinite(wj)) return lt_fail(LT_ERR_VALUE, "gmm1d: weight %d is %g, must be > 0", j, wj);
        total += wj;
        cum[j] = total;
    }
    for (int j = 0; j < k; j++) cum[j] /= total;
    cum[k - 1] = 1.0;
    return LT_OK;
}

lt_status toys_gmm1d(lt_dataset *out, int n, int k, const float *means, const float *stds,
                     const float *weights, uint64_t seed)
{
    memset(out, 0, sizeof *out);
    double *cum = malloc((k > 0 ? (size_t)k : 1) * sizeof *cum);
    if (!cum) return lt_fail(LT_ERR_NOMEM, "gmm1d: out of memory");
    lt_status st = gmm_weights(k, means, stds, weights, cum);
    float *x = NULL;
    int *y = NULL;
    if (st == LT_OK) st = toys_alloc("gmm1d", n, 1, 1, 0.0f, &x, &y);
    if (st != LT_OK) {
        free(cum);
        return st;
    }
    rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        double u = rng_uniform(&r);
        int j = 0;
        while (j < k - 1 && u >= cum[j]) j++;
        y[i] = j;
        x[i] = means[j] + stds[j] * (float)rng_normal(&r);
    }
    free(cum);
    return data_adopt(out, x, y, n, 1, 0, 0);
}
