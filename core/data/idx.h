/* idx.h: reads IDX files (the format of MNIST and Fashion-MNIST) of unsigned bytes.
 *
 * An IDX file is a 4-byte magic number 00 00 08 NDIM (08 = unsigned byte, NDIM 1..4),
 * NDIM big-endian 32-bit sizes, then the product of the sizes in bytes, row-major.
 * Files may be gzip'ed; that is detected from their first bytes (1f 8b), not their name.
 *
 *     idx_array a;
 *     if (idx_read("t10k-images-idx3-ubyte.gz", &a) != LT_OK) return show(lt_errmsg());
 *     // a.ndim == 3, a.dims = {10000, 28, 28}, a.data holds 7,840,000 bytes
 *     idx_free(&a);
 *
 * Failures (LT_ERR_IO for a missing or unreadable file, LT_ERR_FORMAT for a bad magic
 * number, a truncated body, trailing bytes or sizes that overflow) name the path and
 * the numbers involved, and leave nothing allocated. */
#ifndef LT_IDX_H
#define LT_IDX_H

#include <stddef.h>

#include "lt_error.h"

typedef struct idx_array {
    int ndim;              /* 1..4                                      */
    size_t dims[4];        /* sizes, outermost first; unused ones are 0 */
    size_t count;          /* product of the sizes                      */
    unsigned char *data;   /* (dims[0], ..., dims[ndim-1]); owned, idx_free */
} idx_array;

/* Reads a whole IDX file into *out. On success the caller owns out->data (idx_free);
 * on failure *out is zeroed and the status says why. */
lt_status idx_read(const char *path, idx_array *out);

/* Frees a's data and zeroes it; safe on a zeroed or already freed array. */
void idx_free(idx_array *a);

/* Reads an image file of NDIM >= 2 as floats in [0, 1] (byte / 255):
 * *x is (n, d) with d the product of the inner sizes, malloc'ed, owned by the caller.
 * *h and *w are dims[1] and dims[2] when the file is 3-D (n, h, w), else 0.
 * On failure nothing is allocated and *x is NULL. */
lt_status idx_read_images(const char *path, float **x, int *n, int *d, int *h, int *w);

/* Reads a 1-D label file: *y is (n) ints 0..255, malloc'ed, owned by the caller. */
lt_status idx_read_labels(const char *path, int **y, int *n);

#endif
