/* data.h: data sets in memory, the bundled and installed image sets, seeded mini-batches.
 *
 * A data set is n samples of d floats (row-major, (n, d)), optional integer labels or
 * float targets of any shape (regression, images to images: never both), and an image
 * shape (h, w) when each row is an h x w image.
 *
 *     lt_dataset ds;
 *     if (data_mnist(&ds) != LT_OK) return show(lt_errmsg());     // 10,000 x 784 in [0,1]
 *     data_batches *it = data_batches_new(&ds, 128, 0, 42);       // batch 128, seed 42
 *     for (int epoch = 0; epoch < 10; epoch++)
 *         while (data_batches_next(it) > 0)
 *             train_on(it->x, it->y, it->rows);                  // x is (rows, 784)
 *     data_batches_free(it);
 *     data_free(&ds);
 *
 * Failures return a status after lt_fail (lt_error.h); nothing is left allocated. */
#ifndef LT_DATA_H
#define LT_DATA_H

#include <stdint.h>

#include "lt_error.h"
#include "rng.h"

typedef struct lt_dataset {
    float *x;     /* (n, d) samples; owned (data_free)                     */
    int *y;       /* (n) labels 0..nclass-1, or NULL when unlabelled; owned */
    int n;        /* number of samples                                     */
    int d;        /* floats per sample                                     */
    int h, w;     /* image shape when each sample is an h x w image (h * w == d), else 0 */
    int nclass;   /* 1 + the largest label, 0 when unlabelled              */
    float *t;     /* (n, k) float targets, or NULL; owned. Never with y     */
    int k;        /* floats per target; 0 without targets                  */
    int tndim;    /* a target's shape is tshape[0 .. tndim) (product k); 0: (k) */
    int tshape[3];
    int xndim;    /* a sample's shape is xshape[0 .. xndim) (product d); 0: (d) */
    int xshape[3];
} lt_dataset;

/* Makes a data set from copies of x (n, d) and y (n) (y may be NULL). Labels must be
 * >= 0. h and w may be 0, or give the image shape with h * w == d. */
lt_status data_from_arrays(lt_dataset *out, const float *x, const int *y, int n, int d, int h, int w);

/* Takes ownership of malloc'ed x (n, d) and y (n, may be NULL), checking the labels;
 * on failure frees both. */
lt_status data_adopt(lt_dataset *out, float *x, int *y, int n, int d, int h, int w);

/* Frees ds->x and ds->y and zeroes ds; safe to call twice. */
void data_free(lt_dataset *ds);

/* Loads an IDX image file (n, h, w) or (n, d), and an optional IDX label file
 * (labels_path NULL for none) whose length must match. */
lt_status data_idx(lt_dataset *out, const char *images_path, const char *labels_path);

/* The 10,000 bundled MNIST digits (share/data/mnist/, class-sorted 0..9), 784 floats
 * in [0, 1] and labels. The folder is $LATENT_DATA_DIR/mnist when that variable is set,
 * else the installed share/latent/data/mnist, else the source tree's share/data/mnist. */
lt_status data_mnist(lt_dataset *out);

/* The folder data_mnist reads, as found by the rule above, written into buf (size n).
 * Fails with LT_ERR_IO naming every place tried when none holds the files. */
lt_status data_mnist_dir(char *buf, int n);

/* Fashion-MNIST from Debian's dataset-fashion-mnist package
 * (/usr/share/datasets/fashion-mnist, or $LATENT_FASHION_DIR when set): the 60,000
 * training images when train is nonzero, else the 10,000 test images, 784 floats in
 * [0, 1] and labels 0..9. LT_ERR_IO with an install hint when absent. */
lt_status data_fashion_mnist(lt_dataset *out, int train);

/* Whether data_fashion_mnist can find its files (1) or not (0). */
int data_fashion_mnist_available(void);

/* Copies the samples idx (k) of ds, in that order, into a new data set. */
lt_status data_subset(lt_dataset *out, const lt_dataset *ds, const int *idx, int k);

/* Splits ds at random (seeded) into test (round(n * test_frac) samples) and train
 * (the rest), each keeping the original relative order. 0 <= test_frac <= 1. */
lt_status data_split(const lt_dataset *ds, double test_frac, uint64_t seed,
                     lt_dataset *train, lt_dataset *test);

/* Mini-batches over a data set: each epoch is a fresh seeded permutation of the
 * samples cut into batches of `batch` rows; the last, partial batch is kept unless
 * drop_last. The same seed gives the same batches on every run. */
typedef struct data_batches {
    const lt_dataset *ds;  /* borrowed: must outlive the iterator           */
    int batch;             /* B, rows per full batch                         */
    int drop_last;         /* skip the final partial batch of each epoch     */
    rng r;                 /* draws one permutation per epoch                */
    int *perm;             /* (n) this epoch's order; owned                  */
    int pos;               /* next position in perm; -1 before an epoch starts */
    int epoch;             /* epochs started so far (1 during the first)     */
    float *x;              /* (min(B, n), d) the current batch; owned       */
    int *y;                /* (B) its labels, or NULL when ds is unlabelled; owned */
    float *t;              /* (B, k) its targets, or NULL when ds has none; owned */
    const int *idx;        /* (rows) the current batch's sample indices (into perm) */
    int rows;              /* rows in the current batch (<= B)               */
} data_batches;

/* A new iterator; NULL (after lt_fail) when batch < 1 or out of memory. */
data_batches *data_batches_new(const lt_dataset *ds, int batch, int drop_last, uint64_t seed);

/* Moves to the next batch of the epoch, copying its rows into it->x and it->y, and
 * returns the number of rows. Returns 0 once the epoch is over (it->rows = 0); the call
 * after that starts the next epoch with a new permutation. */
int data_batches_next(data_batches *it);

/* As data_batches_next, but copies into caller buffers x (B, d) and y (B) (y may be
 * NULL); it->x and it->y are left untouched (targets still go to it->t). */
int data_batches_next_into(data_batches *it, float *x, int *y);

/* Abandons the rest of the current epoch (after an interrupted training loop): the
 * next call to data_batches_next starts a new epoch with a new permutation. */
void data_batches_restart(data_batches *it);

/* Batches per epoch: ceil(n / B), or floor(n / B) with drop_last. */
int data_batches_count(const data_batches *it);

void data_batches_free(data_batches *it);

/* ---- targets, shapes, parts (data_parts.c) ---------------------------------------- */

/* Gives ds (which must have no labels) targets t (n, k), taking ownership of the
 * malloc'ed t; the shape of one target is tshape[0 .. tndim) (tndim 0..3, product k;
 * tndim 0 means (k)). On failure t is freed and ds is unchanged. */
lt_status data_set_targets(lt_dataset *ds, float *t, int k, int tndim, const int *tshape);
/* Sets the shape of one sample, xshape[0 .. xndim) (xndim 1..3, product d). */
lt_status data_set_sample_shape(lt_dataset *ds, int xndim, const int *xshape);
/* Whether ds has float targets. */
int data_has_targets(const lt_dataset *ds);
/* The shape of all samples, (n, ...) (2 to 4 dims), and of all targets (n, ...). */
void data_sample_shape(const lt_dataset *ds, int *ndim, int shape[4]);
void data_target_shape(const lt_dataset *ds, int *ndim, int shape[4]);
/* A copy of ds in a random order: NumPy's RandomState(seed).permutation when
 * numpy_seed >= 0, else a permutation drawn from r. */
lt_status data_shuffle(lt_dataset *out, const lt_dataset *ds, long long numpy_seed, rng *r);

/* The bundled digits' fixed split (data_mnist's 10,000, MNIST's test set): part 0 the
 * 1,000 held out by the sample scorer (the first 1,000 of NumPy's
 * RandomState(0).permutation(10000)), part 1 the other 9,000 (what the scorer trained
 * on), each in the files' order. part -1: all 10,000. */
lt_status data_mnist_part(lt_dataset *out, int part);
#define DATA_MNIST_HELD_OUT 1000

#endif
