/* data_parts.c: a data set's float targets and sample shapes, shuffled copies, and the
 * bundled digits' fixed train/test split (see data.h). */
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "mt.h"

static lt_status data_check_dims(const char *what, int ndim, const int *shape, int product)
{
    long p = 1;
    if (ndim < 0 || ndim > 3) return lt_fail(LT_ERR_SHAPE, "dataset: a %s has 1 to 3 dimensions, got %d", what, ndim);
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 1) return lt_fail(LT_ERR_SHAPE, "dataset: a %s's sizes must be >= 1", what);
        p *= shape[i];
        if (p > product) break;
    }
    if (ndim && p != product)
        return lt_fail(LT_ERR_SHAPE, "dataset: a %s of that shape does not hold %d floats", what, product);
    return LT_OK;
}

lt_status data_set_targets(lt_dataset *ds, float *t, int k, int tndim, const int *tshape)
{
    lt_status st = LT_OK;
    if (ds->y) st = lt_fail(LT_ERR_VALUE, "dataset: a data set has labels or targets, not both");
    else if (k < 1 || (ds->n > 0 && !t)) st = lt_fail(LT_ERR_VALUE, "dataset: targets need k >= 1 floats each");
    else st = data_check_dims("target", tndim, tshape, k);
    if (st != LT_OK) { free(t); return st; }
    free(ds->t);
    ds->t = t;
    ds->k = k;
    ds->tndim = tndim;
    for (int i = 0; i < 3; i++) ds->tshape[i] = i < tndim ? tshape[i] : 1;
    return LT_OK;
}

lt_status data_set_sample_shape(lt_dataset *ds, int xndim, const int *xshape)
{
    lt_status st = data_check_dims("sample", xndim, xshape, ds->d);
    if (st != LT_OK) return st;
    ds->xndim = xndim;
    for (int i = 0; i < 3; i++) ds->xshape[i] = i < xndim ? xshape[i] : 1;
    return LT_OK;
}

int data_has_targets(const lt_dataset *ds)
{
    return ds->t != NULL;
}

static void data_shape_of(int n, int inner, int ndim, const int *dims, int *out_ndim, int shape[4])
{
    shape[0] = n;
    if (ndim == 0) { shape[1] = inner; *out_ndim = 2; return; }
    for (int i = 0; i < ndim; i++) shape[1 + i] = dims[i];
    *out_ndim = 1 + ndim;
}

void data_sample_shape(const lt_dataset *ds, int *ndim, int shape[4])
{
    data_shape_of(ds->n, ds->d, ds->xndim, ds->xshape, ndim, shape);
}

void data_target_shape(const lt_dataset *ds, int *ndim, int shape[4])
{
    data_shape_of(ds->n, ds->k, ds->tndim, ds->tshape, ndim, shape);
}

lt_status data_shuffle(lt_dataset *out, const lt_dataset *ds, long long numpy_seed, rng *r)
{
    memset(out, 0, sizeof *out);
    int *perm = malloc((size_t)(ds->n ? ds->n : 1) * sizeof *perm);
    if (!perm) return lt_fail(LT_ERR_NOMEM, "shuffle: out of memory for %d indices", ds->n);
    if (numpy_seed >= 0) mt_permutation((uint32_t)numpy_seed, perm, ds->n);
    else rng_permutation(r, perm, ds->n);
    lt_status st = data_subset(out, ds, perm, ds->n);
    free(perm);
    return st;
}

static int cmp_index(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

lt_status data_mnist_part(lt_dataset *out, int part)
{
    lt_dataset all;
    lt_status st = data_mnist(&all);
    if (st != LT_OK || part < 0) {
        *out = all;
        return st;
    }
    memset(out, 0, sizeof *out);
    int *perm = malloc((size_t)all.n * sizeof *perm);
    if (!perm || all.n <= DATA_MNIST_HELD_OUT) {
        free(perm);
        data_free(&all);
        return perm ? lt_fail(LT_ERR_FORMAT, "mnist: %d digits, not 10,000", all.n)
                    : lt_fail(LT_ERR_NOMEM, "mnist: out of memory");
    }
    mt_permutation(0, perm, all.n);
    int *idx = part ? perm + DATA_MNIST_HELD_OUT : perm;
    int k = part ? all.n - DATA_MNIST_HELD_OUT : DATA_MNIST_HELD_OUT;
    qsort(idx, (size_t)k, sizeof *idx, cmp_index);   /* the files' order */
    st = data_subset(out, &all, idx, k);
    free(perm);
    data_free(&all);
    return st;
}
