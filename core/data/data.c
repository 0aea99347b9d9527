/* data.c: data sets, the MNIST / Fashion-MNIST loaders, subsets, splits, mini-batches. */
#include "data.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idx.h"
#include "settings.h"

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"

static lt_status data_check(const float *x, const int *y, int n, int d, int h, int w, int *nclass)
{
    if (n < 0 || d < 1 || (n > 0 && !x))
        return lt_fail(LT_ERR_VALUE, "dataset: need n >= 0 samples of d >= 1 floats, got n=%d, d=%d", n, d);
    if ((size_t)n > SIZE_MAX / sizeof(float) / (size_t)d)
        return lt_fail(LT_ERR_VALUE, "dataset: %d x %d floats is too large", n, d);
    if ((h || w) && (h < 1 || w < 1 || (long)h * w != d))
        return lt_fail(LT_ERR_SHAPE, "dataset: image shape (%d, %d) does not hold %d floats", h, w, d);
    int top = -1;
    for (int i = 0; y && i < n; i++) {
        if (y[i] < 0) return lt_fail(LT_ERR_VALUE, "dataset: label %d of sample %d is negative", y[i], i);
        if (y[i] > top) top = y[i];
    }
    *nclass = y ? top + 1 : 0;
    return LT_OK;
}

lt_status data_adopt(lt_dataset *out, float *x, int *y, int n, int d, int h, int w)
{
    memset(out, 0, sizeof *out);
    int nclass;
    lt_status st = data_check(x, y, n, d, h, w, &nclass);
    if (st != LT_OK) {
        free(x);
        free(y);
        return st;
    }
    *out = (lt_dataset){ .x = x, .y = y, .n = n, .d = d, .h = h, .w = w, .nclass = nclass };
    return LT_OK;
}

lt_status data_from_arrays(lt_dataset *out, const float *x, const int *y, int n, int d, int h, int w)
{
    memset(out, 0, sizeof *out);
    int nclass;
    lt_status st = data_check(x, y, n, d, h, w, &nclass);
    if (st != LT_OK) return st;
    size_t nx = (size_t)n * d;
    float *cx = malloc((nx ? nx : 1) * sizeof *cx);
    int *cy = y ? malloc((n ? n : 1) * sizeof *cy) : NULL;
    if (!cx || (y && !cy)) {
        free(cx);
        free(cy);
        return lt_fail(LT_ERR_NOMEM, "dataset: out of memory for %d x %d floats", n, d);
    }
    if (nx) memcpy(cx, x, nx * sizeof *cx);
    if (y && n) memcpy(cy, y, (size_t)n * sizeof *cy);
    *out = (lt_dataset){ .x = cx, .y = cy, .n = n, .d = d, .h = h, .w = w, .nclass = nclass };
    return LT_OK;
}

void data_free(lt_dataset *ds)
{
    free(ds->x);
    free(ds->y);
    free(ds->t);
    memset(ds, 0, sizeof *ds);
}

lt_status data_idx(lt_dataset *out, const char *images_path, const char *labels_path)
{
    memset(out, 0, sizeof *out);
    float *x;
    int *y = NULL, n, d, h, w, ny;
    lt_status st = idx_read_images(images_path, &x, &n, &d, &h, &w);
    if (st != LT_OK) return st;
    if (labels_path) {
        st = idx_read_labels(labels_path, &y, &ny);
        if (st != LT_OK) {
            free(x);
            return st;
        }
        if (ny != n) {
            free(x);
            free(y);
            return lt_fail(LT_ERR_SHAPE, "dataset: '%s' has %d images but '%s' has %d labels",
                           images_path, n, labels_path, ny);
        }
    }
    return data_adopt(out, x, y, n, d, h, w);
}

/* ---------------------------------------------------------------- MNIST */

static int mnist_in(const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/mnist/t10k-images-idx3-ubyte.gz", dir);
    return access(p, R_OK) == 0;
}

lt_status data_mnist_dir(char *buf, int n)
{
    const char *env = settings_env("LATENT_DATA_DIR");
    const char *tried[3];
    int k = 0;
    if (env && *env) tried[k++] = env;
    tried[k++] = LATENT_DATA_DIR;
    tried[k++] = LATENT_SOURCE_DATA_DIR;
    for (int i = 0; i < k; i++)
        if (mnist_in(tried[i])) {
            if (snprintf(buf, (size_t)n, "%s/mnist", tried[i]) >= n)
                return lt_fail(LT_ERR_VALUE, "mnist: the path '%s/mnist' is too long", tried[i]);
            return LT_OK;
        }
    return lt_fail(LT_ERR_IO, "mnist: no mnist/t10k-images-idx3-ubyte.gz in %s%s%s%s%s (set LATENT_DATA_DIR "
                   "to the folder holding mnist/)", tried[0], k > 1 ? ", " : "", k > 1 ? tried[1] : "",
                   k > 2 ? ", " : "", k > 2 ? tried[2] : "");
}

lt_status data_mnist(lt_dataset *out)
{
    memset(out, 0, sizeof *out);
    char dir[4096], img[4200], lab[4200];
    lt_status st = data_mnist_dir(dir, sizeof dir);
    if (st != LT_OK) return st;
    snprintf(img, sizeof img, "%s/t10k-images-idx3-ubyte.gz", dir);
    snprintf(lab, sizeof lab, "%s/t10k-labels-idx1-ubyte.gz", dir);
    return data_idx(out, img, lab);
}

/* $LATENT_FASHION_DIR when set (tests, other installs), else Debian's folder */
static const char *fashion_dir(void)
{
    const char *env = settings_env("LATENT_FASHION_DIR");
    return env && *env ? env : FASHION_DIR;
}

int data_fashion_mnist_available(void)
{
    static const char *const f[] = { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                     "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" };
    for (int i = 0; i < 4; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", fashion_dir(), f[i]);
        if (access(p, R_OK) != 0) return 0;
    }
    return 1;
}

lt_status data_fashion_mnist(lt_dataset *out, int train)
{
    memset(out, 0, sizeof *out);
    const char *set = train ? "train" : "t10k";
    char img[512], lab[512];
    snprintf(img, sizeof img, "%s/%s-images-idx3-ubyte.gz", fashion_dir(), set);
    snprintf(lab, sizeof lab, "%s/%s-labels-idx1-ubyte.gz", fashion_dir(), set);
    if (access(img, R_OK) != 0 || access(lab, R_OK) != 0)
        return lt_fail(LT_ERR_IO, "fashion_mnist: %s not found; install the Debian package "
                       "dataset-fashion-mnist (apt-get install dataset-fashion-mnist)", img);
    return data_idx(out, img, lab);
}

/* ---------------------------------------------------------------- subsets */

lt_status data_subset(lt_dataset *out, const lt_dataset *ds, const int *idx, int k)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < k; i++)
        if (idx[i] < 0 || idx[i] >= ds->n)
            return lt_fail(LT_ERR_INDEX, "dataset: index %d (position %d) out of range for %d samples",
                           idx[i], i, ds->n);
    size_t d = (size_t)ds->d, kt = (size_t)ds->k;
    float *x = malloc((k ? (size_t)k * d : 1) * sizeof *x);
    int *y = ds->y ? malloc((k ? (size_t)k : 1) * sizeof *y) : NULL;
    float *t = ds->t ? malloc((k ? (size_t)k * kt : 1) * sizeof *t) : NULL;
    if (!x || (ds->y && !y) || (ds->t && !t)) {
        free(x);
        free(y);
        free(t);
        return lt_fail(LT_ERR_NOMEM, "dataset: out of memory for %d x %d floats", k, ds->d);
    }
    for (int i = 0; i < k; i++) {
        memcpy(x + (size_t)i * d, ds->x + (size_t)idx[i] * d, d * sizeof *x);
        if (y) y[i] = ds->y[idx[i]];
        if (t) memcpy(t + (size_t)i * kt, ds->t + (size_t)idx[i] * kt, kt * sizeof *t);
    }
    *out = *ds;   /* the shapes and the class count; then the copies */
    out->x = x;
    out->y = y;
    out->t = t;
    out->n = k;
    return LT_OK;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

lt_status data_split(const lt_dataset *ds, double test_frac, uint64_t seed,
                     lt_dataset *train, lt_dataset *test)
{
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    if (!(test_frac >= 0.0 && test_frac <= 1.0))
        return lt_fail(LT_ERR_VALUE, "split: the test fraction must be in [0, 1], got %g", test_frac);
    int n = ds->n, nt = (int)lround(n * test_frac);
    int *perm = malloc((n ? n : 1) * sizeof *perm);
    if (!perm) return lt_fail(LT_ERR_NOMEM, "split: out of memory for %d indices", n);
    rng r;
    rng_seed(&r, seed);
    rng_permutation(&r, perm, n);
    qsort(perm, nt, sizeof *perm, cmp_int);            /* test: perm[0 .. nt) */
    qsort(perm + nt, n - nt, sizeof *perm, cmp_int);   /* train: the rest     */
    lt_status st = data_subset(test, ds, perm, nt);
    if (st == LT_OK) st = data_subset(train, ds, perm + nt, n - nt);
    if (st != LT_OK) {
        data_free(test);
        data_free(train);
    }
    free(perm);
    return st;
}

/* ---------------------------------------------------------------- batches */

data_batches *data_batches_new(const lt_dataset *ds, int batch, int drop_last, uint64_t seed)
{
    if (batch < 1) {
        lt_fail(LT_ERR_VALUE, "batches: the batch size must be >= 1, got %d", batch);
        return NULL;
    }
    data_batches *it = calloc(1, sizeof *it);
    if (!it) goto nomem;
    it->ds = ds;
    it->batch = batch;
    it->drop_last = drop_last;
    rng_seed(&it->r, seed);
    it->pos = -1;
    it->perm = malloc((ds->n ? (size_t)ds->n : 1) * sizeof *it->perm);
    /* a batch never holds more rows than the data set: batch 1e9 must not take 8 GB */
    size_t rows = (size_t)(batch < ds->n ? batch : ds->n > 0 ? ds->n : 1);
    it->x = malloc(rows * (size_t)ds->d * sizeof *it->x);
    it->y = ds->y ? malloc(rows * sizeof *it->y) : NULL;
    it->t = ds->t ? malloc(rows * (size_t)ds->k * sizeof *it->t) : NULL;
    if (!it->perm || !it->x || (ds->y && !it->y) || (ds->t && !it->t)) goto nomem;
    return it;
nomem:
    data_batches_free(it);
    lt_fail(LT_ERR_NOMEM, "batches: out of memory for a batch of %d x %d", batch, ds->d);
    return NULL;
}

int data_batches_count(const data_batches *it)
{
    int n = it->ds->n, b = it->batch;
    return it->drop_last ? n / b : (n + b - 1) / b;
}

int data_batches_next_into(data_batches *it, float *x, int *y)
{
    const lt_dataset *ds = it->ds;
    if (it->pos < 0) {                    /* a new epoch: a new order */
        rng_permutation(&it->r, it->perm, ds->n);
        it->pos = 0;
        it->epoch++;
    }
    int left = ds->n - it->pos;
    int rows = left < it->batch ? left : it->batch;
    if (rows == 0 || (it->drop_last && rows < it->batch)) {
        data_batches_restart(it);         /* epoch over; the next call starts another */
        return 0;
    }
    const int *idx = it->perm + it->pos;
    size_t d = (size_t)ds->d;
    for (int i = 0; i < rows; i++) {
        memcpy(x + (size_t)i * d, ds->x + (size_t)idx[i] * d, d * sizeof *x);
        if (y && ds->y) y[i] = ds->y[idx[i]];
        if (ds->t) memcpy(it->t + (size_t)i * ds->k, ds->t + (size_t)idx[i] * ds->k, (size_t)ds->k * sizeof *it->t);
    }
    it->pos += rows;
    it->idx = idx;
    it->rows = rows;
    return rows;
}

void data_batches_restart(data_batches *it)
{
    it->pos = -1;
    it->rows = 0;
    it->idx = NULL;
}

int data_batches_next(data_batches *it)
{
    return data_batches_next_into(it, it->x, it->y);
}

void data_batches_free(data_batches *it)
{
    if (!it) return;
    free(it->perm);
    free(it->x);
    free(it->y);
    free(it->t);
    free(it);
}
