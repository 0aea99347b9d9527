/* idx.c: IDX reader over zlib's gz* functions (which also read plain files as they are). */
#include "idx.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Reads up to n bytes; returns how many were read (short at end of file or on error). */
static size_t gz_read_upto(gzFile f, unsigned char *buf, size_t n, int *err)
{
    size_t got = 0;
    *err = 0;
    while (got < n) {
        size_t want = n - got;
        if (want > (1u << 30)) want = 1u << 30;
        int r = gzread(f, buf + got, (unsigned)want);
        if (r < 0) { *err = 1; break; }
        if (r == 0) break;
        got += (size_t)r;
    }
    return got;
}

/* " (zlib: why)" when the last read failed inside gzip data, else "". */
static const char *gz_why(gzFile f)
{
    static _Thread_local char buf[160];
    int code = 0;
    const char *msg = gzerror(f, &code);
    if (code == Z_OK || code == Z_STREAM_END || !msg || !*msg) return "";
    snprintf(buf, sizeof buf, " (zlib: %s)", msg);
    return buf;
}

/* Opens path, telling a missing file (strerror) from a present one; *gz says whether
 * it starts with the gzip magic 1f 8b. */
static lt_status idx_open(const char *path, gzFile *out, int *gz)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return lt_fail(LT_ERR_IO, "idx: cannot open '%s': %s", path, strerror(errno));
    unsigned char m[2] = { 0, 0 };
    size_t k = fread(m, 1, 2, fp);
    fclose(fp);
    *gz = k == 2 && m[0] == 0x1f && m[1] == 0x8b;
    *out = gzopen(path, "rb");
    if (!*out) return lt_fail(LT_ERR_IO, "idx: cannot open '%s': %s", path, strerror(errno));
    return LT_OK;
}

static lt_status idx_header(gzFile f, const char *path, const char *kind, idx_array *a)
{
    unsigned char h[16];
    int err;
    size_t got = gz_read_upto(f, h, 4, &err);
    if (got < 4)
        return lt_fail(LT_ERR_FORMAT, "idx: '%s' (%s) is truncated: the magic number needs 4 bytes, "
                       "found %zu%s", path, kind, got, gz_why(f));
    if (h[0] != 0 || h[1] != 0 || h[2] != 0x08 || h[3] < 1 || h[3] > 4)
        return lt_fail(LT_ERR_FORMAT, "idx: '%s' (%s) has the magic number %02x %02x %02x %02x, "
                       "expected 00 00 08 0N (unsigned bytes, N = 1..4 dimensions)%s",
                       path, kind, h[0], h[1], h[2], h[3],
                       h[0] == 0 && h[1] == 0 && h[2] != 0x08 ? "; only element type 08 is supported" : "");
    a->ndim = h[3];
    size_t need = 4 * (size_t)a->ndim;
    got = gz_read_upto(f, h, need, &err);
    if (got < need)
        return lt_fail(LT_ERR_FORMAT, "idx: '%s' (%s) is truncated: %d sizes need %zu bytes after the "
                       "magic number, found %zu%s", path, kind, a->ndim, need, got, gz_why(f));
    a->count = 1;
    for (int i = 0; i < a->ndim; i++) {
        const unsigned char *b = h + 4 * i;
        a->dims[i] = (size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3];
        if (__builtin_mul_overflow(a->count, a->dims[i], &a->count))
            return lt_fail(LT_ERR_FORMAT, "idx: '%s': the sizes overflow (dimension %d is %zu)",
                           path, i, a->dims[i]);
    }
    return LT_OK;
}

/* Reads the count body bytes, growing the buffer as data arrives (so a lying header
 * cannot make us allocate gigabytes for a small file), then checks nothing follows. */
static lt_status idx_body(gzFile f, const char *path, const char *kind, idx_array *a)
{
    size_t cap = a->count < (1u << 20) ? a->count : (1u << 20), got = 0;
    a->data = malloc(cap ? cap : 1);
    if (!a->data) return lt_fail(LT_ERR_NOMEM, "idx: out of memory for '%s'", path);
    int err = 0;
    while (got < a->count) {
        if (got == cap) {
            size_t ncap = cap * 2 < a->count ? cap * 2 : a->count;
            unsigned char *p = realloc(a->data, ncap);
            if (!p) return lt_fail(LT_ERR_NOMEM, "idx: out of memory for '%s' (%zu bytes)", path, ncap);
            a->data = p;
            cap = ncap;
        }
        size_t r = gz_read_upto(f, a->data + got, cap - got, &err);
        got += r;
        if (got < cap) break;
    }
    if (got < a->count)
        return lt_fail(LT_ERR_FORMAT, "idx: '%s' (%s) is truncated: the header promises %zu data bytes, "
                       "found %zu%s", path, kind, a->count, got, gz_why(f));
    unsigned char extra[256];
    size_t more = gz_read_upto(f, extra, sizeof extra, &err);
    if (more > 0)
        return lt_fail(LT_ERR_FORMAT, "idx: '%s' (%s) has %s%zu bytes after the %zu the header promises",
                       path, kind, more == sizeof extra ? "at least " : "", more, a->count);
    return LT_OK;
}

lt_status idx_read(const char *path, idx_array *out)
{
    memset(out, 0, sizeof *out);
    gzFile f = NULL;
    int gz = 0;
    lt_status st = idx_open(path, &f, &gz);
    if (st != LT_OK) return st;
    const char *kind = gz ? "gzip" : "plain";
    st = idx_header(f, path, kind, out);
    if (st == LT_OK) st = idx_body(f, path, kind, out);
    gzclose(f);
    if (st != LT_OK) idx_free(out);
    return st;
}

void idx_free(idx_array *a)
{
    free(a->data);
    memset(a, 0, sizeof *a);
}

lt_status idx_read_images(const char *path, float **x, int *n, int *d, int *h, int *w)
{
    *x = NULL;
    idx_array a;
    lt_status st = idx_read(path, &a);
    if (st != LT_OK) return st;
    if (a.ndim < 2) {
        st = lt_fail(LT_ERR_FORMAT, "idx: '%s' has %d dimension, images need 2 to 4 (n, ...)", path, a.ndim);
        goto done;
    }
    size_t rows = a.dims[0], cols = a.count / (rows ? rows : 1);
    if (rows > INT_MAX || cols > INT_MAX || a.count > SIZE_MAX / sizeof(float)) {
        st = lt_fail(LT_ERR_FORMAT, "idx: '%s' is too large: %zu samples of %zu values", path, rows, cols);
        goto done;
    }
    *x = malloc((a.count ? a.count : 1) * sizeof(float));
    if (!*x) {
        st = lt_fail(LT_ERR_NOMEM, "idx: out of memory for %zu floats from '%s'", a.count, path);
        goto done;
    }
    for (size_t i = 0; i < a.count; i++)
        (*x)[i] = (float)a.data[i] / 255.0f; /* as torch's .div_(255.0) */
    *n = (int)rows;
    *d = (int)cols;
    *h = a.ndim == 3 ? (int)a.dims[1] : 0;
    *w = a.ndim == 3 ? (int)a.dims[2] : 0;
done:
    idx_free(&a);
    return st;
}

lt_status idx_read_labels(const char *path, int **y, int *n)
{
    *y = NULL;
    idx_array a;
    lt_status st = idx_read(path, &a);
    if (st != LT_OK) return st;
    if (a.ndim != 1 || a.count > INT_MAX) {
        st = lt_fail(LT_ERR_FORMAT, "idx: '%s' has %d dimensions (first %zu), labels need 1 of at most %d",
                     path, a.ndim, a.dims[0], INT_MAX);
        goto done;
    }
    *y = malloc((a.count ? a.count : 1) * sizeof(int));
    if (!*y) {
        st = lt_fail(LT_ERR_NOMEM, "idx: out of memory for %zu labels from '%s'", a.count, path);
        goto done;
    }
    for (size_t i = 0; i < a.count; i++)
        (*y)[i] = a.data[i];
    *n = (int)a.count;
done:
    idx_free(&a);
    return st;
}
