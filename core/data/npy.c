/* npy.c: NumPy's .npy and .npz files (see npy.h). The header is parsed by a small
 * recursive-descent reader of exactly the dict NumPy writes; zip archives are read from
 * their central directory, entries inflated with zlib and checked against their CRC. */
#include "npy.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

enum { NPY_FILE_MAX = INT_MAX };   /* bytes read from one file (2 GiB) */

static const struct { const char *name; char kind; int size; } npy_types[] = {
    [NPY_BOOL] = {"bool", 'b', 1},       [NPY_INT8] = {"int8", 'i', 1},
    [NPY_UINT8] = {"uint8", 'u', 1},     [NPY_INT16] = {"int16", 'i', 2},
    [NPY_UINT16] = {"uint16", 'u', 2},   [NPY_INT32] = {"int32", 'i', 4},
    [NPY_UINT32] = {"uint32", 'u', 4},   [NPY_INT64] = {"int64", 'i', 8},
    [NPY_UINT64] = {"uint64", 'u', 8},   [NPY_FLOAT16] = {"float16", 'f', 2},
    [NPY_FLOAT32] = {"float32", 'f', 4}, [NPY_FLOAT64] = {"float64", 'f', 8},
};
enum { NPY_NTYPES = (int)(sizeof npy_types / sizeof npy_types[0]) };

const char *npy_dtype_name(npy_dtype t)
{
    return (int)t >= 0 && (int)t < NPY_NTYPES ? npy_types[t].name : "?";
}

lt_status npy_dtype_from_name(const char *name, npy_dtype *t)
{
    for (int i = 0; i < NPY_NTYPES; i++)
        if (strcmp(npy_types[i].name, name) == 0) { *t = (npy_dtype)i; return LT_OK; }
    return lt_fail(LT_ERR_VALUE, "npy: no type '%.40s' (float32, float64, float16, int8, int16, int32, int64, "
                   "uint8, uint16, uint32, uint64 or bool)", name);
}

void npy_free(npy_array *a)
{
    free(a->data);
    memset(a, 0, sizeof *a);
}

void npz_free(npz_file *z)
{
    for (int i = 0; i < z->n; i++) {
        if (z->names) free(z->names[i]);
        if (z->arrays) npy_free(&z->arrays[i]);
    }
    free(z->names);
    free(z->arrays);
    memset(z, 0, sizeof *z);
}

/* ---- whole files --------------------------------------------------------------- */

/* Reads the file at path into a new malloc'd buffer (*n bytes). */
static lt_status npy_slurp(const char *path, const char *who, unsigned char **buf, size_t *n)
{
    *buf = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return lt_fail(LT_ERR_IO, "%s: cannot open '%s': %s", who, path, strerror(errno));
    size_t len = 0, cap = 0;
    unsigned char *d = NULL;
    for (;;) {
        if (len == cap) {
            size_t nc = cap ? 2 * cap : 65536;
            unsigned char *nd = nc <= (size_t)NPY_FILE_MAX + 1 ? realloc(d, nc) : NULL;
            if (!nd) {
                free(d);
                fclose(f);
                return lt_fail(nc > (size_t)NPY_FILE_MAX ? LT_ERR_FORMAT : LT_ERR_NOMEM,
                               "%s: '%s' is too large to read (more than 2 GiB, or out of memory)", who, path);
            }
            d = nd;
            cap = nc;
        }
        size_t got = fread(d + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) { free(d); return lt_fail(LT_ERR_IO, "%s: cannot read '%s'", who, path); }
    *buf = d;
    *n = len;
    return LT_OK;
}

/* Writes buf[0 .. n) to a temporary file beside path, then renames it to path. */
static lt_status npy_put(const char *path, const char *who, const unsigned char *buf, size_t n)
{
    static unsigned counter;
    size_t cap = strlen(path) + 64;
    char *tmp = malloc(cap);
    if (!tmp) return lt_fail(LT_ERR_NOMEM, "%s: out of memory saving '%s'", who, path);
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 100; tries++) {
        snprintf(tmp, cap, "%s.tmp-%ld-%u", path, (long)getpid(), counter++);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return lt_fail(LT_ERR_IO, "%s: cannot write '%s': %s", who, path, strerror(e));
    }
    int err = 0;
    for (size_t at = 0; !err && at < n;) {
        ssize_t w = write(fd, buf + at, n - at);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) err = w < 0 ? errno : EIO;
        else at += (size_t)w;
    }
    if (!err && fsync(fd) != 0) err = errno;
    if (close(fd) != 0 && !err) err = errno;
    if (!err && rename(tmp, path) != 0) err = errno;
    if (err) unlink(tmp);
    free(tmp);
    return err ? lt_fail(LT_ERR_IO, "%s: cannot write '%s': %s", who, path, strerror(err)) : LT_OK;
}

/* ---- the header ----------------------------------------------------------------- */

typedef struct npy_hdr {
    const char *start, *p, *end;   /* the header text; p: the next byte to read */
    const char *what;         /* the file, for messages */
    int big;                  /* big-endian elements */
    npy_dtype dtype;
    int ndim, shape[NPY_MAXDIM];
    size_t count;
} npy_hdr;

static lt_status hdr_fail(const npy_hdr *h, const char *why)
{
    return lt_fail(LT_ERR_FORMAT, "npy: '%s' has a malformed header (%s at byte %ld of it)", h->what, why,
                   (long)(h->p - h->start));
}

static void hdr_space(npy_hdr *h)
{
    while (h->p < h->end && (*h->p == ' ' || *h->p == '\t' || *h->p == '\n' || *h->p == '\r')) h->p++;
}

static int hdr_eat(npy_hdr *h, char c)
{
    hdr_space(h);
    if (h->p < h->end && *h->p == c) { h->p++; return 1; }
    return 0;
}

/* A quoted Python string ('...' or "...", no escapes) into out (cap bytes). */
static lt_status hdr_string(npy_hdr *h, char *out, size_t cap)
{
    hdr_space(h);
    if (h->p >= h->end || (*h->p != '\'' && *h->p != '"')) return hdr_fail(h, "a quoted string expected");
    char q = *h->p++;
    size_t k = 0;
    while (h->p < h->end && *h->p != q) {
        if (*h->p == '\\' || k + 1 >= cap) return hdr_fail(h, "a string too long or with escapes");
        out[k++] = *h->p++;
    }
    if (h->p >= h->end) return hdr_fail(h, "an unterminated string");
    h->p++;
    out[k] = 0;
    return LT_OK;
}

/* descr: '<f4', '|b1', '>i8', ... */
static lt_status hdr_descr(npy_hdr *h)
{
    char d[32];
    hdr_space(h);
    if (h->p < h->end && *h->p == '[')
        return lt_fail(LT_ERR_FORMAT, "npy: '%s' holds a structured array (its dtype is a list of fields), which "
                       "Latent cannot read: save each field as its own array", h->what);
    lt_status st = hdr_string(h, d, sizeof d);
    if (st != LT_OK) return st;
    const char *t = d;
    char order = strchr("<>|=", *t) && *t ? *t++ : '=';
    char *endp;
    long size = (t[0] && t[1] >= '0' && t[1] <= '9') ? strtol(t + 1, &endp, 10) : -1;
    for (int i = 0; size > 0 && !*endp && i < NPY_NTYPES; i++)
        if (npy_types[i].kind == t[0] && npy_types[i].size == size) {
            h->dtype = (npy_dtype)i;
            h->big = order == '>';
            return LT_OK;
        }
    const char *what = t[0] == 'c' ? " (complex)" : t[0] == 'U' || t[0] == 'S' || t[0] == 'a' ? " (text)"
                     : t[0] == 'O' ? " (Python objects)" : t[0] == 'M' || t[0] == 'm' ? " (dates or times)"
                     : t[0] == 'V' ? " (raw bytes)" : "";
    return lt_fail(LT_ERR_FORMAT, "npy: '%s' holds elements of type '%s'%s, which Latent cannot read; it reads "
                   "float32, float64, float16, int8 to int64, uint8 to uint64 and bool", h->what, d, what);
}

static lt_status hdr_bool(npy_hdr *h, int *x)
{
    hdr_space(h);
    size_t left = (size_t)(h->end - h->p);
    if (left >= 4 && memcmp(h->p, "True", 4) == 0) { *x = 1; h->p += 4; return LT_OK; }
    if (left >= 5 && memcmp(h->p, "False", 5) == 0) { *x = 0; h->p += 5; return LT_OK; }
    return hdr_fail(h, "True or False expected");
}

/* shape: (), (n,), (a, b), ... each a whole number; the product checked as it grows. */
static lt_status hdr_shape(npy_hdr *h)
{
    int comma = 0;
    if (!hdr_eat(h, '(')) return hdr_fail(h, "a shape tuple expected");
    h->ndim = 0;
    h->count = 1;
    while (!hdr_eat(h, ')')) {
        hdr_space(h);
        if (h->p >= h->end || *h->p < '0' || *h->p > '9') return hdr_fail(h, "a dimension expected");
        unsigned long long v = 0;
        while (h->p < h->end && *h->p >= '0' && *h->p <= '9') {
            v = v * 10 + (unsigned)(*h->p++ - '0');
            if (v > (unsigned long long)NPY_MAX_COUNT) v = (unsigned long long)NPY_MAX_COUNT + 1;
        }
        if (h->p < h->end && *h->p == 'L') h->p++;   /* Python 2's long */
        if (h->ndim == NPY_MAXDIM)
            return lt_fail(LT_ERR_FORMAT, "npy: '%s' has more than %d dimensions; Latent's tensors have at most %d",
                           h->what, NPY_MAXDIM, NPY_MAXDIM);
        if (v > NPY_MAX_COUNT || (v && h->count > NPY_MAX_COUNT / v))
            return lt_fail(LT_ERR_FORMAT, "npy: '%s' declares more than %zu elements (a tensor holds at most that)",
                           h->what, NPY_MAX_COUNT);
        h->shape[h->ndim++] = (int)v;
        h->count *= (size_t)v;
        if ((comma = hdr_eat(h, ','))) continue;
        if (!hdr_eat(h, ')')) return hdr_fail(h, "',' or ')' expected in the shape");
        break;
    }
    /* (n) without the comma is a number in parentheses, not a tuple: NumPy never writes it */
    if (h->ndim == 1 && !comma) return hdr_fail(h, "a one-dimensional shape needs a trailing comma, (n,)");
    return LT_OK;
}

/* The dict: exactly the keys descr, fortran_order and shape, in any order, once each. */
static lt_status hdr_dict(npy_hdr *h)
{
    int seen[3] = {0, 0, 0}, fortran = 0;
    if (!hdr_eat(h, '{')) return hdr_fail(h, "'{' expected");
    while (!hdr_eat(h, '}')) {
        char key[32];
        lt_status st = hdr_string(h, key, sizeof key);
        if (st != LT_OK) return st;
        int k = strcmp(key, "descr") == 0 ? 0 : strcmp(key, "fortran_order") == 0 ? 1 : strcmp(key, "shape") == 0 ? 2 : -1;
        if (k < 0) return hdr_fail(h, "an unknown key");
        if (seen[k]++) return hdr_fail(h, "a repeated key");
        if (!hdr_eat(h, ':')) return hdr_fail(h, "':' expected");
        st = k == 0 ? hdr_descr(h) : k == 1 ? hdr_bool(h, &fortran) : hdr_shape(h);
        if (st != LT_OK) return st;
        if (!hdr_eat(h, ',')) {
            if (!hdr_eat(h, '}')) return hdr_fail(h, "',' or '}' expected");
            break;
        }
    }
    hdr_space(h);
    if (h->p != h->end) return hdr_fail(h, "text after the dict");
    if (!seen[0] || !seen[1] || !seen[2]) return hdr_fail(h, "a key (descr, fortran_order or shape) missing");
    if (fortran && h->ndim > 1)
        return lt_fail(LT_ERR_FORMAT, "npy: '%s' is in Fortran (column-major) order, which Latent does not read: "
                       "save np.ascontiguousarray(a) instead", h->what);
    return LT_OK;
}

/* ---- elements ------------------------------------------------------------------- */

static uint64_t npy_uint(const unsigned char *p, int size, int big)
{
    uint64_t v = 0;
    for (int i = 0; i < size; i++) v |= (uint64_t)p[big ? size - 1 - i : i] << (8 * i);
    return v;
}

static float npy_half(uint16_t h)
{
    int e = (h >> 10) & 31, m = h & 1023;
    float s = (h & 0x8000) ? -1.0f : 1.0f;
    if (e == 0) return s * ldexpf((float)m, -24);
    if (e == 31) return m ? NAN : s * INFINITY;
    return s * ldexpf((float)(m | 1024), e - 25);
}

/* Element i of type t at p as a float, or LT_ERR_VALUE when float32 cannot hold it. */
static lt_status npy_elem(const npy_hdr *h, const unsigned char *p, size_t i, float *out)
{
    int size = npy_types[h->dtype].size;
    uint64_t u = npy_uint(p, size, h->big);
    double v;
    switch (h->dtype) {
    case NPY_BOOL: *out = u != 0; return LT_OK;
    case NPY_FLOAT16: *out = npy_half((uint16_t)u); return LT_OK;
    case NPY_FLOAT32: { uint32_t w = (uint32_t)u; memcpy(out, &w, 4); return LT_OK; }
    case NPY_FLOAT64: {
        memcpy(&v, &u, 8);
        if (isfinite(v) && fabs(v) > FLT_MAX)
            return lt_fail(LT_ERR_VALUE, "npy: '%s' holds %g at element %zu, beyond float32's range (3.4e38); "
                           "Latent's tensors are float32", h->what, v, i);
        *out = (float)v;
        return LT_OK;
    }
    default: break;
    }
    if (npy_types[h->dtype].kind == 'i') {
        int64_t s = size == 8 ? (int64_t)u : (int64_t)(u << (64 - 8 * size)) >> (64 - 8 * size);
        v = (double)s;
        if (s > 16777216 || s < -16777216) goto too_big;
    } else {
        v = (double)u;
        if (u > 16777216) goto too_big;
    }
    *out = (float)v;
    return LT_OK;
too_big:
    return lt_fail(LT_ERR_VALUE, "npy: '%s' holds the %s %.0f at element %zu: whole numbers beyond 2^24 = 16777216 "
                   "have no exact float32, and Latent's tensors are float32 (convert it in NumPy first: "
                   "a.astype(np.float32) rounds them)", h->what, npy_types[h->dtype].name, v, i);
}

lt_status npy_parse(const unsigned char *buf, size_t n, const char *what, npy_array *out)
{
    memset(out, 0, sizeof *out);
    if (n < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
        return lt_fail(LT_ERR_FORMAT, "npy: '%s' is not a .npy file (it does not start with \\x93NUMPY)", what);
    int major = buf[6];
    if (major < 1 || major > 3)
        return lt_fail(LT_ERR_FORMAT, "npy: '%s' is .npy version %d.%d; Latent reads 1.0, 2.0 and 3.0", what, major, buf[7]);
    size_t at = major == 1 ? 10 : 12;
    if (n < at) return lt_fail(LT_ERR_FORMAT, "npy: '%s' is truncated in its header", what);
    size_t hlen = major == 1 ? npy_uint(buf + 8, 2, 0) : npy_uint(buf + 8, 4, 0);
    if (hlen > n - at)
        return lt_fail(LT_ERR_FORMAT, "npy: '%s' is truncated: its header claims %zu bytes, the file has %zu after the "
                       "magic", what, hlen, n - at);
    npy_hdr h = { .start = (const char *)buf + at, .p = (const char *)buf + at, .end = (const char *)buf + at + hlen, .what = what };
    lt_status st = hdr_dict(&h);
    if (st != LT_OK) return st;
    at += hlen;
    size_t size = (size_t)npy_types[h.dtype].size, want = h.count * size;
    if (n - at != want)
        return lt_fail(LT_ERR_FORMAT, "npy: '%s' %s: its header declares %zu %s elements (%zu bytes), the file holds "
                       "%zu bytes of data", what, n - at < want ? "is truncated" : "has trailing bytes", h.count,
                       npy_types[h.dtype].name, want, n - at);
    float *x = malloc((h.count ? h.count : 1) * sizeof *x);
    if (!x) return lt_fail(LT_ERR_NOMEM, "npy: out of memory for the %zu elements of '%s'", h.count, what);
    for (size_t i = 0; i < h.count; i++)
        if ((st = npy_elem(&h, buf + at + i * size, i, &x[i])) != LT_OK) { free(x); return st; }
    out->ndim = h.ndim;
    for (int i = 0; i < NPY_MAXDIM; i++) out->shape[i] = i < h.ndim ? h.shape[i] : 1;
    out->count = h.count;
    out->dtype = h.dtype;
    out->data = x;
    return LT_OK;
}

lt_status npy_read(const char *path, npy_array *out)
{
    unsigned char *buf;
    size_t n;
    memset(out, 0, sizeof *out);
    lt_status st = npy_slurp(path, "npy", &buf, &n);
    if (st != LT_OK) return st;
    st = npy_parse(buf, n, path, out);
    free(buf);
    return st;
}

/* ---- writing .npy -------------------------------------------------------------- */

static void npy_le(unsigned char *p, uint64_t v, int size)
{
    for (int i = 0; i < size; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* x as type t at p, or LT_ERR_VALUE when t cannot hold it. */
static lt_status npy_put_elem(unsigned char *p, float x, npy_dtype t, size_t i)
{
    int size = npy_types[t].size;
    if (t == NPY_FLOAT32) { uint32_t w; memcpy(&w, &x, 4); npy_le(p, w, 4); return LT_OK; }
    if (t == NPY_FLOAT64) { double d = x; uint64_t w; memcpy(&w, &d, 8); npy_le(p, w, 8); return LT_OK; }
    if (t == NPY_FLOAT16) return lt_fail(LT_ERR_VALUE, "npy: Latent writes float16 files no more than it "
                                         "computes in float16: save float32");
    double lo = t == NPY_BOOL ? 0 : npy_types[t].kind == 'u' ? 0 : -ldexp(1, 8 * size - 1);
    double hi = t == NPY_BOOL ? 1 : npy_types[t].kind == 'u' ? ldexp(1, 8 * size) - 1 : ldexp(1, 8 * size - 1) - 1;
    if (!(x == floorf(x)) || x < lo || x > hi)
        return lt_fail(LT_ERR_VALUE, "npy: element %zu is %g, which %s cannot hold (%s)", i, (double)x, npy_types[t].name,
                       t == NPY_BOOL ? "only 0 and 1 are booleans" : "it holds whole numbers in its range");
    npy_le(p, (uint64_t)(int64_t)x, size);
    return LT_OK;
}

lt_status npy_encode(const npy_array *a, npy_dtype t, unsigned char **out, size_t *n)
{
    char hdr[256];
    int k = snprintf(hdr, sizeof hdr, "{'descr': '%c%c%d', 'fortran_order': False, 'shape': (",
                     npy_types[t].size == 1 ? '|' : '<', npy_types[t].kind, npy_types[t].size);
    *out = NULL;
    *n = 0;
    if (a->ndim < 0 || a->ndim > NPY_MAXDIM) return lt_fail(LT_ERR_VALUE, "npy: %d dimensions", a->ndim);
    for (int i = 0; i < a->ndim; i++) k += snprintf(hdr + k, sizeof hdr - (size_t)k, "%d, ", a->shape[i]);
    if (a->ndim > 1) k -= 2;                         /* (3, 4) but (3,) and () */
    else if (a->ndim == 1) k -= 1;
    k += snprintf(hdr + k, sizeof hdr - (size_t)k, "), }");
    size_t total = 10 + (size_t)k + 1, pad = (64 - total % 64) % 64;   /* magic + header + '\n' to 64 */
    size_t hlen = (size_t)k + pad + 1, size = (size_t)npy_types[t].size;
    unsigned char *b = malloc(10 + hlen + a->count * size);
    if (!b) return lt_fail(LT_ERR_NOMEM, "npy: out of memory for %zu elements", a->count);
    memcpy(b, "\x93NUMPY\x01\x00", 8);
    npy_le(b + 8, hlen, 2);
    memcpy(b + 10, hdr, (size_t)k);
    memset(b + 10 + k, ' ', pad);
    b[10 + hlen - 1] = '\n';
    for (size_t i = 0; i < a->count; i++) {
        lt_status st = npy_put_elem(b + 10 + hlen + i * size, a->data[i], t, i);
        if (st != LT_OK) { free(b); return st; }
    }
    *out = b;
    *n = 10 + hlen + a->count * size;
    return LT_OK;
}

lt_status npy_write(const char *path, const npy_array *a, npy_dtype t)
{
    unsigned char *b;
    size_t n;
    lt_status st = npy_encode(a, t, &b, &n);
    if (st != LT_OK) {
        char why[1024];
        snprintf(why, sizeof why, "%s", lt_errmsg());
        return lt_fail(st, "%s (saving '%s')", why, path);
    }
    st = npy_put(path, "npy", b, n);
    free(b);
    return st;
}

/* ---- .npz: reading ------------------------------------------------------------- */

typedef struct zip_entry {
    const unsigned char *name;
    size_t name_len, csize, usize, offset;
    unsigned method;
    uint32_t crc;
} zip_entry;

static uint64_t le(const unsigned char *p, int size) { return npy_uint(p, size, 0); }

static lt_status zip_fail(const char *what, const char *why)
{
    return lt_fail(LT_ERR_FORMAT, "npz: '%s' is not a readable .npz archive (%s)", what, why);
}

/* The zip64 extra field of a central directory entry: the sizes and offset that are
 * 0xFFFFFFFF in the entry, in this order. */
static lt_status zip_extra64(const unsigned char *p, size_t n, zip_entry *e, const char *what)
{
    while (n >= 4) {
        size_t id = le(p, 2), len = le(p + 2, 2), at = 4;
        if (len > n - 4) return zip_fail(what, "an extra field runs past its entry");
        if (id == 1) {
            size_t *f[3] = { &e->usize, &e->csize, &e->offset };
            for (int i = 0; i < 3; i++) {
                if (*f[i] != 0xFFFFFFFFu) continue;
                if (at + 8 > 4 + len) return zip_fail(what, "a short zip64 field");
                uint64_t v = le(p + at, 8);
                if (v > (uint64_t)NPY_FILE_MAX) return zip_fail(what, "an entry larger than 2 GiB");
                *f[i] = (size_t)v;
                at += 8;
            }
        }
        p += 4 + len;
        n -= 4 + len;
    }
    return LT_OK;
}

/* Entry i of the central directory at *at: fills e and moves *at past it. */
static lt_status zip_central(const unsigned char *buf, size_t n, size_t *at, zip_entry *e, const char *what)
{
    const unsigned char *p = buf + *at;
    if (n - *at < 46 || le(p, 4) != 0x02014b50) return zip_fail(what, "a bad central directory entry");
    size_t nl = le(p + 28, 2), xl = le(p + 30, 2), cl = le(p + 32, 2);
    if (n - *at - 46 < nl + xl + cl) return zip_fail(what, "a central directory entry runs past the file");
    *e = (zip_entry){ .name = p + 46, .name_len = nl, .csize = le(p + 20, 4), .usize = le(p + 24, 4),
                      .offset = le(p + 42, 4), .method = (unsigned)le(p + 10, 2), .crc = (uint32_t)le(p + 16, 4) };
    if (le(p + 8, 2) & 1) return zip_fail(what, "an encrypted entry");
    lt_status st = zip_extra64(p + 46 + nl, xl, e, what);
    *at += 46 + nl + xl + cl;
    return st;
}

/* The bytes of entry e (inflated when deflated) in a new buffer; CRC checked. */
static lt_status zip_data(const unsigned char *buf, size_t n, const zip_entry *e, const char *what,
                          unsigned char **out)
{
    *out = NULL;
    if (e->offset > n || n - e->offset < 30 || le(buf + e->offset, 4) != 0x04034b50)
        return zip_fail(what, "an entry's local header is missing");
    size_t start = e->offset + 30 + le(buf + e->offset + 26, 2) + le(buf + e->offset + 28, 2);
    if (start > n || e->csize > n - start) return zip_fail(what, "an entry runs past the end of the file (truncated?)");
    if (e->method != 0 && e->method != 8) return zip_fail(what, "an entry compressed other than stored or deflated");
    if (e->method == 0 && e->csize != e->usize) return zip_fail(what, "a stored entry whose two sizes differ");
    if (e->method == 8 && e->usize / 1032 > e->csize + 1)   /* deflate expands 1032:1 at most */
        return zip_fail(what, "a deflated entry claiming more bytes than its data can inflate to");
    unsigned char *d = malloc(e->usize ? e->usize : 1);
    if (!d) return lt_fail(LT_ERR_NOMEM, "npz: out of memory for an entry of %zu bytes in '%s'", e->usize, what);
    if (e->method == 0) memcpy(d, buf + start, e->usize);
    else {
        z_stream z = {0};
        int zr = inflateInit2(&z, -MAX_WBITS);
        z.next_in = (unsigned char *)buf + start;
        z.avail_in = (uInt)e->csize;
        z.next_out = d;
        z.avail_out = (uInt)e->usize;
        if (zr == Z_OK) zr = inflate(&z, Z_FINISH);
        size_t got = z.total_out;
        inflateEnd(&z);
        if (zr != Z_STREAM_END || got != e->usize) { free(d); return zip_fail(what, "a deflated entry does not inflate to its size"); }
    }
    if ((uint32_t)crc32(0L, d, (uInt)e->usize) != e->crc) { free(d); return zip_fail(what, "an entry fails its CRC check"); }
    *out = d;
    return LT_OK;
}

/* Entry e as array i of z: its name without ".npy", its array parsed. */
static lt_status npz_entry(const unsigned char *buf, size_t n, const zip_entry *e, const char *what, npz_file *z)
{
    if (e->name_len < 5 || e->name_len >= NPZ_NAME_MAX || memcmp(e->name + e->name_len - 4, ".npy", 4) != 0)
        return zip_fail(what, "an entry that is not NAME.npy");
    char *name = malloc(e->name_len - 3), label[NPZ_NAME_MAX + 1024];
    if (!name) return lt_fail(LT_ERR_NOMEM, "npz: out of memory");
    memcpy(name, e->name, e->name_len - 4);
    name[e->name_len - 4] = 0;
    for (int i = 0; i < z->n; i++)
        if (strcmp(z->names[i], name) == 0) { free(name); return zip_fail(what, "two arrays of the same name"); }
    z->names[z->n] = name;
    unsigned char *d;
    lt_status st = zip_data(buf, n, e, what, &d);
    if (st != LT_OK) { free(name); return st; }
    snprintf(label, sizeof label, "%.1000s', array '%s", what, name);
    st = npy_parse(d, e->usize, label, &z->arrays[z->n]);
    free(d);
    if (st != LT_OK) { free(name); return st; }
    z->n++;
    return LT_OK;
}

lt_status npz_parse(const unsigned char *buf, size_t n, const char *what, npz_file *out)
{
    memset(out, 0, sizeof *out);
    size_t eocd = n;
    for (size_t i = n >= 22 ? n - 22 : 0; n >= 22 && i + 65557 >= n; i--) {
        if (le(buf + i, 4) == 0x06054b50) { eocd = i; break; }
        if (i == 0) break;
    }
    if (eocd == n) return zip_fail(what, n >= 4 && le(buf, 4) == 0x04034b50 ? "no end of central directory: truncated?"
                                                                            : "not a zip file");
    size_t count = le(buf + eocd + 10, 2), cdsize = le(buf + eocd + 12, 4), at = le(buf + eocd + 16, 4);
    if (count == 0xFFFF || at == 0xFFFFFFFFu) return zip_fail(what, "a zip64 archive larger than Latent reads");
    if (count > NPZ_MAX_ARRAYS) return zip_fail(what, "more than 1024 arrays");
    if (at > eocd || cdsize > eocd - at) return zip_fail(what, "a central directory outside the file");
    out->names = calloc(count ? count : 1, sizeof *out->names);
    out->arrays = calloc(count ? count : 1, sizeof *out->arrays);
    if (!out->names || !out->arrays) { npz_free(out); return lt_fail(LT_ERR_NOMEM, "npz: out of memory"); }
    for (size_t i = 0; i < count; i++) {
        zip_entry e;
        lt_status st = zip_central(buf, eocd, &at, &e, what);
        if (st == LT_OK) st = npz_entry(buf, n, &e, what, out);
        if (st != LT_OK) { npz_free(out); return st; }
    }
    return LT_OK;
}

lt_status npz_read(const char *path, npz_file *out)
{
    unsigned char *buf;
    size_t n;
    memset(out, 0, sizeof *out);
    lt_status st = npy_slurp(path, "npz", &buf, &n);
    if (st != LT_OK) return st;
    st = npz_parse(buf, n, path, out);
    free(buf);
    return st;
}

/* ---- .npz: writing ------------------------------------------------------------- */

typedef struct zip_out {
    unsigned char *b;
    size_t n, cap;
    int oom;
} zip_out;

static void zo_add(zip_out *z, const void *p, size_t n)
{
    if (z->oom) return;
    if (z->n + n > z->cap) {
        size_t cap = z->cap ? z->cap : 4096;
        while (cap < z->n + n) cap *= 2;
        unsigned char *b = realloc(z->b, cap);
        if (!b) { z->oom = 1; return; }
        z->b = b;
        z->cap = cap;
    }
    memcpy(z->b + z->n, p, n);
    z->n += n;
}

static void zo_le(zip_out *z, uint64_t v, int size)
{
    unsigned char p[8];
    npy_le(p, v, size);
    zo_add(z, p, (size_t)size);
}

/* The raw deflate stream of d[0 .. n) into a new buffer *out of *m bytes. */
static lt_status zip_deflate(const unsigned char *d, size_t n, unsigned char **out, size_t *m)
{
    z_stream z = {0};
    *out = NULL;
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return lt_fail(LT_ERR_NOMEM, "npz: cannot start zlib");
    size_t cap = deflateBound(&z, (uLong)n);
    unsigned char *b = malloc(cap ? cap : 1);
    z.next_in = (unsigned char *)d;
    z.avail_in = (uInt)n;
    z.next_out = b;
    z.avail_out = (uInt)cap;
    int zr = b ? deflate(&z, Z_FINISH) : Z_MEM_ERROR;
    *m = z.total_out;
    deflateEnd(&z);
    if (zr != Z_STREAM_END) { free(b); return lt_fail(LT_ERR_NOMEM, "npz: zlib could not compress an array"); }
    *out = b;
    return LT_OK;
}

/* One local header + data; its central directory record goes to cd. */
static lt_status zip_add(zip_out *z, zip_out *cd, const char *name, const unsigned char *d, size_t n, int deflate)
{
    unsigned char *c = NULL;
    size_t m = n, nl = strlen(name);
    if (deflate) {
        lt_status st = zip_deflate(d, n, &c, &m);
        if (st != LT_OK) return st;
    }
    uint32_t crc = (uint32_t)crc32(0L, d, (uInt)n);
    size_t offset = z->n;
    unsigned method = deflate ? 8 : 0;
    /* local header: signature, version 20, flags 0, method, time, date, crc, sizes, name */
    zo_le(z, 0x04034b50, 4); zo_le(z, 20, 2); zo_le(z, 0, 2); zo_le(z, method, 2);
    zo_le(z, 0, 2); zo_le(z, 0x21, 2); zo_le(z, crc, 4); zo_le(z, m, 4); zo_le(z, n, 4);
    zo_le(z, nl, 2); zo_le(z, 0, 2); zo_add(z, name, nl);
    zo_add(z, c ? c : d, m);
    zo_le(cd, 0x02014b50, 4); zo_le(cd, 0x0314, 2); zo_le(cd, 20, 2); zo_le(cd, 0, 2); zo_le(cd, method, 2);
    zo_le(cd, 0, 2); zo_le(cd, 0x21, 2); zo_le(cd, crc, 4); zo_le(cd, m, 4); zo_le(cd, n, 4);
    zo_le(cd, nl, 2); zo_le(cd, 0, 2); zo_le(cd, 0, 2); zo_le(cd, 0, 2); zo_le(cd, 0, 2);
    zo_le(cd, 0x81A40000u, 4); zo_le(cd, offset, 4); zo_add(cd, name, nl);
    free(c);
    return LT_OK;
}

static lt_status npz_check_names(const char *const *names, int n)
{
    if (n < 0 || n > NPZ_MAX_ARRAYS) return lt_fail(LT_ERR_VALUE, "npz: %d arrays (at most %d)", n, NPZ_MAX_ARRAYS);
    for (int i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        if (len == 0 || len > NPZ_NAME_MAX - 5 || strchr(names[i], '/'))
            return lt_fail(LT_ERR_VALUE, "npz: the array name '%.40s' must be 1 to %d bytes without '/'",
                           names[i], NPZ_NAME_MAX - 5);
        for (int j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0) return lt_fail(LT_ERR_VALUE, "npz: two arrays named '%s'", names[i]);
    }
    return LT_OK;
}

lt_status npz_write(const char *path, const char *const *names, const npy_array *arrays,
                    const npy_dtype *types, int n, int deflate)
{
    lt_status st = npz_check_names(names, n);
    zip_out z = {0}, cd = {0};
    for (int i = 0; st == LT_OK && i < n; i++) {
        unsigned char *d;
        size_t m;
        char entry[NPZ_NAME_MAX];
        snprintf(entry, sizeof entry, "%s.npy", names[i]);
        st = npy_encode(&arrays[i], types[i], &d, &m);
        if (st != LT_OK) {
            char why[1024];
            snprintf(why, sizeof why, "%s", lt_errmsg());
            st = lt_fail(st, "%s (array '%s')", why, names[i]);
        }
        else {
            st = zip_add(&z, &cd, entry, d, m, deflate);
            free(d);
        }
    }
    size_t cd_at = z.n;
    if (st == LT_OK) {
        zo_add(&z, cd.b, cd.n);
        zo_le(&z, 0x06054b50, 4); zo_le(&z, 0, 2); zo_le(&z, 0, 2); zo_le(&z, (uint64_t)n, 2);
        zo_le(&z, (uint64_t)n, 2); zo_le(&z, cd.n, 4); zo_le(&z, cd_at, 4); zo_le(&z, 0, 2);
        if (z.oom || cd.oom || z.n > 0xFFFFFFFFu) st = lt_fail(LT_ERR_NOMEM, "npz: out of memory (or over 4 GiB)");
    }
    if (st == LT_OK) st = npy_put(path, "npz", z.b, z.n);
    free(z.b);
    free(cd.b);
    return st;
}
