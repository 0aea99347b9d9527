/* ckpt.c: checkpoint files (see ckpt.h for the format, byte by byte).
 *
 * Writing streams the records through stdio into a temporary file next to the target,
 * computing the CRC on the way, then fsyncs and renames it. Reading checks the header
 * against the file's real size, reads the whole file into one buffer, checks the end
 * marker and the CRC, then walks the records with every length checked against what
 * remains; the records point into that buffer (data at offsets that are multiples of 8,
 * so the arrays are aligned). */
#include "ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ckpt.c stores arrays as they lie in memory: a big-endian host needs byte swapping here"
#endif

static const char CKPT_MAGIC[8] = { 'L', 'A', 'T', 'E', 'N', 'T', 'C', 'K' };
static const char CKPT_END[8] = { 'L', 'T', 'C', 'K', '_', 'E', 'N', 'D' };

enum {
    HEADER_SIZE = 24,     /* magic, version, record count, file size */
    TRAILER_SIZE = 12,    /* CRC, end marker                         */
    /* the smallest file: header, a 1-byte kind, no record, trailer */
    MIN_FILE_SIZE = HEADER_SIZE + 4 + 1 + 1 + TRAILER_SIZE,
    /* the smallest record: a 1-byte name, type/ndim/reserved, N, no data */
    MIN_RECORD_SIZE = 4 + 1 + 1 + 4 + 8,
};

const char *ckpt_type_name(ckpt_type type)
{
    switch (type) {
    case CKPT_F32: return "f32";
    case CKPT_F64: return "f64";
    case CKPT_I64: return "i64";
    case CKPT_TEXT: return "text";
    }
    return "?";
}

static size_t type_size(ckpt_type type)
{
    return type == CKPT_F32 ? 4 : type == CKPT_TEXT ? 1 : 8;
}

/* ---- Small shared helpers ----------------------------------------------------------- */

/* The index of the first byte of s[0..n) that does not belong to a well-formed UTF-8
 * sequence (no overlong forms, no surrogates, nothing above U+10FFFF), or n. */
static size_t utf8_bad_at(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        unsigned lo = 0x80, hi = 0xbf;  /* the allowed range of the second byte */
        if (c < 0x80) { i++; continue; }
        else if (c >= 0xc2 && c <= 0xdf) len = 2;
        else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            if (c == 0xe0) lo = 0xa0;
            if (c == 0xed) hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            if (c == 0xf0) lo = 0x90;
            if (c == 0xf4) hi = 0x8f;
        } else return i;
        if (n - i < len || s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t k = 2; k < len; k++)
            if ((s[i + k] & 0xc0) != 0x80) return i;
        i += len;
    }
    return n;
}

/* "(256, 784)", "(3,)" or "()" into buf. */
static const char *fmt_shape(char *buf, size_t cap, int ndim, const int64_t *shape)
{
    size_t k = (size_t)snprintf(buf, cap, "(");
    for (int i = 0; i < ndim && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (k < cap) snprintf(buf + k, cap - k, ndim == 1 ? ",)" : ")");
    return buf;
}

/* The number of elements of a shape and their size in bytes; 0 on overflow. */
static int shape_bytes(int ndim, const int64_t *shape, size_t elem, uint64_t *count,
                       uint64_t *bytes)
{
    uint64_t c = 1;
    for (int i = 0; i < ndim; i++)
        if (shape[i] < 0 || __builtin_mul_overflow(c, (uint64_t)shape[i], &c)) return 0;
    *count = c;
    return !__builtin_mul_overflow(c, (uint64_t)elem, bytes) && *bytes <= SIZE_MAX / 2;
}

static uint32_t get_u32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t get_u64(const unsigned char *b)
{
    return (uint64_t)get_u32(b) | (uint64_t)get_u32(b + 4) << 32;
}

static void set_u32(unsigned char *b, uint32_t v)
{
    for (int i = 0; i < 4; i++) b[i] = (unsigned char)(v >> 8 * i);
}

static void set_u64(unsigned char *b, uint64_t v)
{
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> 8 * i);
}

/* ---- Writing ------------------------------------------------------------------------ */

typedef struct wrec {
    char *name;                 /* owned                                         */
    ckpt_type type;
    int ndim;
    int64_t shape[CKPT_MAXDIM];
    size_t nbytes;              /* data bytes (a text's length, without its NUL) */
    void *data;                 /* (nbytes) owned copy; NULL when nbytes is 0    */
} wrec;

struct ckpt_writer {
    char *kind;                 /* owned                                         */
    wrec *recs;                 /* (n) in the order added; cap allocated         */
    size_t n, cap;
};

/* A string the format can hold: 1..max bytes of UTF-8. what says which ("kind"). */
static lt_status check_string(const char *s, size_t max, const char *what)
{
    if (!s) return lt_fail(LT_ERR_VALUE, "ckpt: the %s is NULL", what);
    size_t len = strlen(s), bad = utf8_bad_at((const unsigned char *)s, len);
    if (len == 0) return lt_fail(LT_ERR_VALUE, "ckpt: the %s is empty", what);
    if (len > max)
        return lt_fail(LT_ERR_VALUE, "ckpt: the %s '%.40s...' is %zu bytes long, at most %zu",
                       what, s, len, max);
    if (bad < len)
        return lt_fail(LT_ERR_VALUE, "ckpt: the %s '%s' is not valid UTF-8 (byte %zu is 0x%02x)",
                       what, s, bad, (unsigned char)s[bad]);
    return LT_OK;
}

static lt_status check_new_name(const ckpt_writer *w, const char *name)
{
    lt_status st = check_string(name, CKPT_NAME_MAX, "record name");
    if (st != LT_OK) return st;
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->recs[i].name, name) == 0)
            return lt_fail(LT_ERR_VALUE, "ckpt: two records named '%s' (names must be unique)", name);
    return LT_OK;
}

ckpt_writer *ckpt_writer_new(const char *kind)
{
    if (check_string(kind, CKPT_KIND_MAX, "checkpoint kind") != LT_OK) return NULL;
    ckpt_writer *w = calloc(1, sizeof *w);
    if (w) w->kind = strdup(kind);
    if (!w || !w->kind) {
        free(w);
        lt_fail(LT_ERR_NOMEM, "ckpt: out of memory for a new '%s' checkpoint", kind);
        return NULL;
    }
    return w;
}

/* Appends a record holding copies of name and data[0..nbytes). */
static lt_status append(ckpt_writer *w, const char *name, ckpt_type type, int ndim,
                        const int64_t *shape, const void *data, size_t nbytes)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 16;
        wrec *r = realloc(w->recs, cap * sizeof *r);
        if (!r) return lt_fail(LT_ERR_NOMEM, "ckpt: out of memory for record '%s'", name);
        w->recs = r;
        w->cap = cap;
    }
    wrec *r = &w->recs[w->n];
    memset(r, 0, sizeof *r);
    r->name = strdup(name);
    r->data = nbytes ? malloc(nbytes) : NULL;
    if (!r->name || (nbytes && !r->data)) {
        free(r->name);
        free(r->data);
        return lt_fail(LT_ERR_NOMEM, "ckpt: out of memory for record '%s' (%zu bytes)", name, nbytes);
    }
    if (nbytes) memcpy(r->data, data, nbytes);
    r->type = type;
    r->ndim = ndim;
    for (int i = 0; i < ndim; i++) r->shape[i] = shape[i];
    r->nbytes = nbytes;
    w->n++;
    return LT_OK;
}

static lt_status add_array(ckpt_writer *w, const char *name, ckpt_type type, const void *data,
                           int ndim, const int64_t *shape)
{
    if (!w) return lt_fail(LT_ERR_VALUE, "ckpt: no writer (NULL)");
    lt_status st = check_new_name(w, name);
    if (st != LT_OK) return st;
    if (ndim < 0 || ndim > CKPT_MAXDIM)
        return lt_fail(LT_ERR_VALUE, "ckpt: record '%s' has %d dimensions, expected 0..%d",
                       name, ndim, CKPT_MAXDIM);
    if (ndim > 0 && !shape)
        return lt_fail(LT_ERR_VALUE, "ckpt: record '%s' has %d dimensions but no shape", name, ndim);
    uint64_t count, bytes;
    char sh[128];
    for (int i = 0; i < ndim; i++)
        if (shape[i] < 0)
            return lt_fail(LT_ERR_VALUE, "ckpt: record '%s' has the shape %s, sizes must be >= 0",
                           name, fmt_shape(sh, sizeof sh, ndim, shape));
    if (!shape_bytes(ndim, shape, type_size(type), &count, &bytes))
        return lt_fail(LT_ERR_VALUE, "ckpt: record '%s' of shape %s is too large", name,
                       fmt_shape(sh, sizeof sh, ndim, shape));
    if (bytes && !data)
        return lt_fail(LT_ERR_VALUE, "ckpt: record '%s' of shape %s has no data (NULL)", name,
                       fmt_shape(sh, sizeof sh, ndim, shape));
    return append(w, name, type, ndim, shape, data, (size_t)bytes);
}

lt_status ckpt_add_f32(ckpt_writer *w, const char *name, const float *data, int ndim,
                       const int64_t *shape)
{
    return add_array(w, name, CKPT_F32, data, ndim, shape);
}

lt_status ckpt_add_f64(ckpt_writer *w, const char *name, const double *data, int ndim,
                       const int64_t *shape)
{
    return add_array(w, name, CKPT_F64, data, ndim, shape);
}

lt_status ckpt_add_i64(ckpt_writer *w, const char *name, const int64_t *data, int ndim,
                       const int64_t *shape)
{
    return add_array(w, name, CKPT_I64, data, ndim, shape);
}

lt_status ckpt_add_text(ckpt_writer *w, const char *name, const char *text)
{
    if (!w) return lt_fail(LT_ERR_VALUE, "ckpt: no writer (NULL)");
    lt_status st = check_new_name(w, name);
    if (st != LT_OK) return st;
    if (!text) return lt_fail(LT_ERR_VALUE, "ckpt: text record '%s' is NULL", name);
    size_t len = strlen(text), bad = utf8_bad_at((const unsigned char *)text, len);
    if (bad < len)
        return lt_fail(LT_ERR_VALUE, "ckpt: text record '%s' is not valid UTF-8 (byte %zu is 0x%02x)",
                       name, bad, (unsigned char)text[bad]);
    return append(w, name, CKPT_TEXT, 0, NULL, text, len);
}

/* Frees the records from index n on and forgets them. */
static void truncate_to(ckpt_writer *w, size_t n)
{
    while (w->n > n) {
        w->n--;
        free(w->recs[w->n].name);
        free(w->recs[w->n].data);
    }
}

lt_status ckpt_add_params(ckpt_writer *w, const char *prefix, const lt_param *params,
                          int nparams)
{
    if (!w) return lt_fail(LT_ERR_VALUE, "ckpt: no writer (NULL)");
    if (nparams < 0 || (nparams > 0 && !params))
        return lt_fail(LT_ERR_VALUE, "ckpt: %d parameter blocks at %p", nparams, (const void *)params);
    if (!prefix) prefix = "";
    size_t n0 = w->n;
    char full[CKPT_NAME_MAX + 2];
    for (int i = 0; i < nparams; i++) {
        lt_status st = LT_OK;
        if (!params[i].name)
            st = lt_fail(LT_ERR_VALUE, "ckpt: parameter block %d has no name", i);
        else if (snprintf(full, sizeof full, "%s%s", prefix, params[i].name) > CKPT_NAME_MAX)
            st = lt_fail(LT_ERR_VALUE, "ckpt: the record name '%s%s' is longer than %d bytes",
                         prefix, params[i].name, CKPT_NAME_MAX);
        else {
            int64_t n = (int64_t)params[i].n;
            st = add_array(w, full, CKPT_F32, params[i].w, 1, &n);
        }
        if (st != LT_OK) {
            truncate_to(w, n0);
            return st;
        }
    }
    return LT_OK;
}

void ckpt_writer_free(ckpt_writer *w)
{
    if (!w) return;
    truncate_to(w, 0);
    free(w->recs);
    free(w->kind);
    free(w);
}

/* A byte sink that keeps the CRC and the offset, and the first errno. */
typedef struct sink {
    FILE *f;
    uLong crc;
    uint64_t off;
    int err;
} sink;

static void put(sink *o, const void *p, size_t n)
{
    if (o->err || n == 0) return;
    errno = 0;
    if (fwrite(p, 1, n, o->f) != n) {
        o->err = errno ? errno : EIO;
        return;
    }
    o->crc = crc32_z(o->crc, p, n);
    o->off += n;
}

static void put_u32(sink *o, uint32_t v) { unsigned char b[4]; set_u32(b, v); put(o, b, 4); }
static void put_u64(sink *o, uint64_t v) { unsigned char b[8]; set_u64(b, v); put(o, b, 8); }

static void put_string(sink *o, const char *s, size_t len)
{
    put_u32(o, (uint32_t)len);
    put(o, s, len);
    put(o, "", 1);
}

static void put_pad(sink *o)
{
    static const unsigned char zeros[8];
    put(o, zeros, (8 - o->off % 8) % 8);
}

/* Record r as the format lays it out (the sink's offset decides the padding). */
static void put_record(sink *o, const wrec *r)
{
    put_string(o, r->name, strlen(r->name));
    unsigned char t[4] = { (unsigned char)r->type, (unsigned char)r->ndim, 0, 0 };
    put(o, t, 4);
    for (int i = 0; i < r->ndim; i++) put_u64(o, (uint64_t)r->shape[i]);
    put_u64(o, r->nbytes);
    put_pad(o);
    put(o, r->data, r->nbytes);
    if (r->type == CKPT_TEXT) put(o, "", 1);
}

/* The size of the whole file w would write. */
static uint64_t file_size(const ckpt_writer *w)
{
    uint64_t off = HEADER_SIZE + 4 + strlen(w->kind) + 1;
    for (size_t i = 0; i < w->n; i++) {
        const wrec *r = &w->recs[i];
        off += 4 + strlen(r->name) + 1 + 4 + 8 * (uint64_t)r->ndim + 8;
        off += (8 - off % 8) % 8;
        off += r->nbytes + (r->type == CKPT_TEXT);
    }
    return off + TRAILER_SIZE;
}

/* Writes the whole file to f; returns 0 or an errno. */
static int put_file(FILE *f, const ckpt_writer *w)
{
    sink o = { f, crc32_z(0, NULL, 0), 0, 0 };
    put(&o, CKPT_MAGIC, 8);
    put_u32(&o, CKPT_VERSION);
    put_u32(&o, (uint32_t)w->n);
    put_u64(&o, file_size(w));
    put_string(&o, w->kind, strlen(w->kind));
    for (size_t i = 0; i < w->n; i++) put_record(&o, &w->recs[i]);
    uint32_t crc = (uint32_t)o.crc;
    put_u32(&o, crc);
    put(&o, CKPT_END, 8);
    return o.err;
}

/* Creates a new file next to path ("PATH.tmp-PID-K"), its name in tmp. -1 on failure. */
static int open_temp(const char *path, char *tmp, size_t cap)
{
    static _Thread_local unsigned counter;
    for (int tries = 0; tries < 100; tries++) {
        snprintf(tmp, cap, "%s.tmp-%ld-%u", path, (long)getpid(), counter++);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    return -1;
}

/* fsyncs the directory holding path, so that the rename itself is durable. Best effort:
 * the new file is already in place when this runs. */
static void sync_dir(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

lt_status ckpt_write(const ckpt_writer *w, const char *path)
{
    if (!w || !path || !*path)
        return lt_fail(LT_ERR_VALUE, "ckpt: nothing to write, or no file name");
    if (w->n > UINT32_MAX)
        return lt_fail(LT_ERR_VALUE, "ckpt: %zu records, at most %u", w->n, UINT32_MAX);
    size_t cap = strlen(path) + 64;
    char *tmp = malloc(cap);
    if (!tmp) return lt_fail(LT_ERR_NOMEM, "ckpt: out of memory saving '%s'", path);
    int fd = open_temp(path, tmp, cap), err = 0;
    if (fd < 0) {
        err = errno;
        free(tmp);
        return lt_fail(LT_ERR_IO, "ckpt: cannot save '%s': %s", path, strerror(err));
    }
    FILE *f = fdopen(fd, "wb");
    if (!f) { err = errno; close(fd); }
    if (!err) err = put_file(f, w);
    if (f && !err && fflush(f) != 0) err = errno;
    if (f && !err && fsync(fileno(f)) != 0) err = errno;
    if (f && fclose(f) != 0 && !err) err = errno;
    if (!err && rename(tmp, path) != 0) err = errno;
    if (err) {
        unlink(tmp);
        free(tmp);
        return lt_fail(LT_ERR_IO, "ckpt: cannot save '%s': %s", path, strerror(err));
    }
    free(tmp);
    sync_dir(path);
    return LT_OK;
}

/* ---- Reading ------------------------------------------------------------------------ */

struct ckpt {
    char *path;                 /* owned copy                                        */
    unsigned char *buf;         /* (size) the whole file; names and data point in it */
    size_t size;
    const char *kind;           /* in buf                                            */
    ckpt_rec *recs;             /* (n) in file order                                 */
    size_t n;
    const ckpt_rec **sorted;    /* (n) by name, for ckpt_find                        */
};

void ckpt_free(ckpt *ck)
{
    if (!ck) return;
    free(ck->sorted);
    free(ck->recs);
    free(ck->buf);
    free(ck->path);
    free(ck);
}

/* Reads up to n bytes at the current position; returns how many (short at the end of
 * the file), or -1 with errno set. */
static ssize_t read_upto(int fd, unsigned char *b, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, b + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* The first bytes of a file that is not a checkpoint, printable ("\x89PNG\r\n..."). */
static const char *show_bytes(char *out, size_t cap, const unsigned char *b, size_t n)
{
    size_t k = 0;
    out[0] = 0;
    for (size_t i = 0; i < n && k + 5 < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, b[i] >= 0x20 && b[i] < 0x7f && b[i] != '"'
                              && b[i] != '\\' ? "%c" : "\\x%02x", b[i]);
    return out;
}

/* Checks the 24-byte header h (got bytes of it were read) against the file's size. */
static lt_status check_header(const char *path, const unsigned char *h, size_t got,
                              uint64_t actual)
{
    char seen[64];
    if (got == 0) return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is empty, not a Latent checkpoint", path);
    if (memcmp(h, CKPT_MAGIC, got < 8 ? got : 8) != 0)
        return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is not a Latent checkpoint: it starts with \"%s\", "
                       "not \"LATENTCK\"", path, show_bytes(seen, sizeof seen, h, got < 8 ? got : 8));
    if (got < HEADER_SIZE)
        return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is truncated: the header needs %d bytes, found %zu",
                       path, HEADER_SIZE, got);
    uint32_t version = get_u32(h + 8);
    if (version > CKPT_VERSION)
        return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' was written by a newer Latent (format %u); "
                       "this one reads up to format %d", path, version, CKPT_VERSION);
    if (version == 0)
        return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' has format version 0, which no Latent writes "
                       "(the file is corrupt)", path);
    uint64_t declared = get_u64(h + 16);
    if (declared < MIN_FILE_SIZE)
        return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is corrupt: its header gives a size of %llu bytes, "
                       "less than the smallest checkpoint (%d)", path, (unsigned long long)declared,
                       MIN_FILE_SIZE);
    if (actual < declared)
        return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is truncated: expected %llu bytes, found %llu",
                       path, (unsigned long long)declared, (unsigned long long)actual);
    if (actual > declared)
        return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' has %llu bytes, but its header says %llu "
                       "(bytes appended, or a corrupt header)", path,
                       (unsigned long long)actual, (unsigned long long)declared);
    if (declared > SIZE_MAX)
        return lt_fail(LT_ERR_NOMEM, "ckpt: '%s' has %llu bytes, more than this machine can hold",
                       path, (unsigned long long)declared);
    return LT_OK;
}

/* Opens path and reads the whole file into a new buffer *buf of *size bytes, after
 * checking the header against the file's size (so nothing is allocated for a file
 * that is not a checkpoint, or whose header lies about its size). */
static lt_status read_whole(const char *path, unsigned char **buf, size_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return lt_fail(LT_ERR_IO, "ckpt: cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    unsigned char h[HEADER_SIZE];
    lt_status s = LT_OK;
    ssize_t got = 0;
    if (fstat(fd, &st) != 0)
        s = lt_fail(LT_ERR_IO, "ckpt: cannot read '%s': %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        s = lt_fail(LT_ERR_IO, "ckpt: cannot read '%s': %s", path,
                    S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file");
    else if ((got = read_upto(fd, h, HEADER_SIZE)) < 0)
        s = lt_fail(LT_ERR_IO, "ckpt: cannot read '%s': %s", path, strerror(errno));
    else
        s = check_header(path, h, (size_t)got, (uint64_t)st.st_size);
    if (s == LT_OK) {
        *size = (size_t)get_u64(h + 16);
        *buf = malloc(*size);
        if (!*buf)
            s = lt_fail(LT_ERR_NOMEM, "ckpt: out of memory reading '%s' (%zu bytes)", path, *size);
    }
    if (s == LT_OK) {
        memcpy(*buf, h, HEADER_SIZE);
        ssize_t rest = read_upto(fd, *buf + HEADER_SIZE, *size - HEADER_SIZE);
        if (rest < 0)
            s = lt_fail(LT_ERR_IO, "ckpt: cannot read '%s': %s", path, strerror(errno));
        else if ((size_t)rest < *size - HEADER_SIZE)   /* it shrank since fstat */
            s = lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is truncated: expected %zu bytes, found %zu",
                        path, *size, HEADER_SIZE + (size_t)rest);
        if (s != LT_OK) { free(*buf); *buf = NULL; }
    }
    close(fd);
    return s;
}

/* Checks the end marker and the CRC of a whole file. */
static lt_status check_trailer(const char *path, const unsigned char *b, size_t size)
{
    const unsigned char *t = b + size - TRAILER_SIZE;
    char seen[64];
    if (memcmp(t + 4, CKPT_END, 8) != 0)
        return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is corrupt: it ends with \"%s\", not the end "
                       "marker \"LTCK_END\"", path, show_bytes(seen, sizeof seen, t + 4, 8));
    uint32_t stored = get_u32(t);
    uint32_t computed = (uint32_t)crc32_z(crc32_z(0, NULL, 0), b, size - TRAILER_SIZE);
    if (stored != computed)
        return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is corrupt: its checksum is %08x, its contents "
                       "give %08x", path, (unsigned)stored, (unsigned)computed);
    return LT_OK;
}

/* A position in the buffer while walking the records; end is where the trailer starts. */
typedef struct cursor {
    const char *path;
    const unsigned char *b;
    size_t pos, end;
} cursor;

static lt_status need(cursor *c, uint64_t n, const char *what)
{
    if (n <= c->end - c->pos) return LT_OK;
    return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is malformed: %s at offset %zu needs %llu bytes, "
                   "only %zu remain before the checksum", c->path, what, c->pos,
                   (unsigned long long)n, c->end - c->pos);
}

/* A string at the cursor: u32 length (1..max), the bytes, a 0. *s points into the buffer. */
static lt_status take_string(cursor *c, size_t max, const char *what, const char **s)
{
    lt_status st = need(c, 4, what);
    if (st != LT_OK) return st;
    uint32_t len = get_u32(c->b + c->pos);
    if (len == 0 || len > max)
        return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is malformed: %s at offset %zu is %u bytes long, "
                       "expected 1..%zu", c->path, what, c->pos, (unsigned)len, max);
    c->pos += 4;
    if ((st = need(c, (uint64_t)len + 1, what)) != LT_OK) return st;
    const unsigned char *p = c->b + c->pos;
    if (p[len] != 0 || memchr(p, 0, len))
        return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is malformed: %s at offset %zu is not a "
                       "%u-byte string ended by a 0", c->path, what, c->pos, (unsigned)len);
    if (utf8_bad_at(p, len) < len)
        return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is malformed: %s at offset %zu is not valid UTF-8",
                       c->path, what, c->pos);
    *s = (const char *)p;
    c->pos += (size_t)len + 1;
    return LT_OK;
}

/* The type, ndim and shape of a record, and the size of its data *nbytes. */
static lt_status take_layout(cursor *c, ckpt_rec *r, uint64_t *nbytes)
{
    lt_status st = need(c, 4, "a record's type");
    if (st != LT_OK) return st;
    const unsigned char *t = c->b + c->pos;
    if (t[0] < CKPT_F32 || t[0] > CKPT_TEXT)
        return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is malformed: record '%s' has the unknown type %u",
                       c->path, r->name, t[0]);
    if (t[1] > (t[0] == CKPT_TEXT ? 0 : CKPT_MAXDIM) || t[2] || t[3])
        return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is malformed: record '%s' (%s) has ndim %u and "
                       "reserved bytes %u %u", c->path, r->name, ckpt_type_name(t[0]), t[1], t[2], t[3]);
    r->type = (ckpt_type)t[0];
    r->ndim = t[1];
    c->pos += 4;
    if ((st = need(c, 8 * (uint64_t)r->ndim + 8, "a record's shape")) != LT_OK) return st;
    for (int i = 0; i < r->ndim; i++, c->pos += 8) r->shape[i] = (int64_t)get_u64(c->b + c->pos);
    *nbytes = get_u64(c->b + c->pos);
    c->pos += 8;
    uint64_t count = *nbytes, bytes = *nbytes;
    char sh[128];
    if (r->type != CKPT_TEXT && (!shape_bytes(r->ndim, r->shape, type_size(r->type), &count, &bytes)
                                 || bytes != *nbytes))
        return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is malformed: record '%s' (%s of shape %s) "
                       "declares %llu bytes of data", c->path, r->name, ckpt_type_name(r->type),
                       fmt_shape(sh, sizeof sh, r->ndim, r->shape), (unsigned long long)*nbytes);
    r->count = (size_t)count;
    return LT_OK;
}

/* One record at the cursor into r. */
static lt_status take_record(cursor *c, ckpt_rec *r)
{
    uint64_t nbytes = 0;
    lt_status st = take_string(c, CKPT_NAME_MAX, "a record name", &r->name);
    if (st == LT_OK) st = take_layout(c, r, &nbytes);
    if (st != LT_OK) return st;
    size_t pad = (8 - c->pos % 8) % 8;
    if ((st = need(c, pad, "padding")) != LT_OK) return st;
    for (size_t i = 0; i < pad; i++)
        if (c->b[c->pos + i])
            return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is malformed: the padding before record '%s' "
                           "is not zero", c->path, r->name);
    c->pos += pad;
    int text = r->type == CKPT_TEXT;
    if ((st = need(c, nbytes + (uint64_t)text, "a record's data")) != LT_OK) return st;
    const unsigned char *p = c->b + c->pos;
    if (text && (p[nbytes] != 0 || memchr(p, 0, nbytes) || utf8_bad_at(p, nbytes) < nbytes))
        return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is malformed: text record '%s' is not %llu "
                       "bytes of UTF-8 ended by a 0", c->path, r->name, (unsigned long long)nbytes);
    r->data = p;
    c->pos += (size_t)nbytes + (size_t)text;
    return LT_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(const ckpt_rec *const *)a)->name, (*(const ckpt_rec *const *)b)->name);
}

/* Walks the kind and the records of a verified buffer into ck (which owns the buffer). */
static lt_status parse(ckpt *ck)
{
    cursor c = { ck->path, ck->buf, HEADER_SIZE, ck->size - TRAILER_SIZE };
    lt_status st = take_string(&c, CKPT_KIND_MAX, "the kind", &ck->kind);
    if (st != LT_OK) return st;
    uint32_t n = get_u32(ck->buf + 12);
    if (n > (c.end - c.pos) / MIN_RECORD_SIZE)
        return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is malformed: it declares %u records, but its "
                       "%zu bytes of records can hold at most %zu", ck->path, (unsigned)n,
                       c.end - c.pos, (c.end - c.pos) / MIN_RECORD_SIZE);
    ck->recs = calloc(n ? n : 1, sizeof *ck->recs);
    ck->sorted = malloc((n ? n : 1) * sizeof *ck->sorted);
    if (!ck->recs || !ck->sorted)
        return lt_fail(LT_ERR_NOMEM, "ckpt: out of memory for the %u records of '%s'", (unsigned)n, ck->path);
    for (ck->n = 0; ck->n < n; ck->n++) {
        if ((st = take_record(&c, &ck->recs[ck->n])) != LT_OK) return st;
        ck->sorted[ck->n] = &ck->recs[ck->n];
    }
    if (c.pos != c.end)
        return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is malformed: %zu unexpected bytes after its "
                       "last record", ck->path, c.end - c.pos);
    qsort(ck->sorted, ck->n, sizeof *ck->sorted, by_name);
    for (size_t i = 1; i < ck->n; i++)
        if (strcmp(ck->sorted[i - 1]->name, ck->sorted[i]->name) == 0)
            return lt_fail(LT_ERR_FORMAT, "ckpt: '%s' is malformed: two records are named '%s'",
                           ck->path, ck->sorted[i]->name);
    return LT_OK;
}

lt_status ckpt_read(const char *path, ckpt **out)
{
    if (!out) return lt_fail(LT_ERR_VALUE, "ckpt: nowhere to put the checkpoint (NULL)");
    *out = NULL;
    if (!path) return lt_fail(LT_ERR_VALUE, "ckpt: no file name (NULL)");
    ckpt *ck = calloc(1, sizeof *ck);
    if (!ck || !(ck->path = strdup(path))) {
        free(ck);
        return lt_fail(LT_ERR_NOMEM, "ckpt: out of memory reading '%s'", path);
    }
    lt_status st = read_whole(path, &ck->buf, &ck->size);
    if (st == LT_OK) st = check_trailer(path, ck->buf, ck->size);
    if (st == LT_OK) st = parse(ck);
    if (st != LT_OK) {
        ckpt_free(ck);
        return st;
    }
    *out = ck;
    return LT_OK;
}

const char *ckpt_kind(const ckpt *ck) { return ck->kind; }
const char *ckpt_path(const ckpt *ck) { return ck->path; }
size_t ckpt_count(const ckpt *ck) { return ck->n; }

const ckpt_rec *ckpt_at(const ckpt *ck, size_t i)
{
    return i < ck->n ? &ck->recs[i] : NULL;
}

const ckpt_rec *ckpt_find(const ckpt *ck, const char *name)
{
    if (!name) return NULL;
    ckpt_rec key = { .name = name };
    const ckpt_rec *k = &key;
    const ckpt_rec **hit = bsearch(&k, ck->sorted, ck->n, sizeof *ck->sorted, by_name);
    return hit ? *hit : NULL;
}

lt_status ckpt_get(const ckpt *ck, const char *name, ckpt_type type, const ckpt_rec **rec)
{
    const ckpt_rec *r = ckpt_find(ck, name);
    *rec = NULL;
    if (!r)
        return lt_fail(LT_ERR_VALUE, "ckpt: '%s' (a %s) has no record '%s'", ck->path, ck->kind,
                       name ? name : "(NULL)");
    if (r->type != type)
        return lt_fail(LT_ERR_TYPE, "ckpt: record '%s' of '%s' is %s, expected %s", name, ck->path,
                       ckpt_type_name(r->type), ckpt_type_name(type));
    *rec = r;
    return LT_OK;
}

lt_status ckpt_check_shape(const ckpt_rec *rec, int ndim, const int64_t *shape, const char *what)
{
    char has[128], want[128];
    if (!rec) return lt_fail(LT_ERR_VALUE, "%s: no record (NULL)", what ? what : "ckpt");
    int same = rec->type != CKPT_TEXT && rec->ndim == ndim;
    for (int i = 0; same && i < ndim; i++) same = rec->shape[i] == shape[i];
    if (same) return LT_OK;
    fmt_shape(want, sizeof want, ndim, shape);
    if (rec->type == CKPT_TEXT)
        return lt_fail(LT_ERR_TYPE, "%s: '%s' is a text, expected an array of shape %s",
                       what ? what : "ckpt", rec->name, want);
    return lt_fail(LT_ERR_SHAPE, "%s: '%s' is %s, expected %s", what ? what : "ckpt", rec->name,
                   fmt_shape(has, sizeof has, rec->ndim, rec->shape), want);
}

/* Checks that block p can be loaded from the record prefix + p->name. */
static lt_status check_param(const ckpt *ck, const char *prefix, const lt_param *p, int i,
                             const ckpt_rec **rec)
{
    char full[CKPT_NAME_MAX + 2], sh[128];
    *rec = NULL;
    if (!p->name) return lt_fail(LT_ERR_VALUE, "ckpt: parameter block %d has no name", i);
    if (snprintf(full, sizeof full, "%s%s", prefix, p->name) > CKPT_NAME_MAX)
        return lt_fail(LT_ERR_VALUE, "ckpt: '%s' has no record '%s%s' (longer than %d bytes)",
                       ck->path, prefix, p->name, CKPT_NAME_MAX);
    lt_status st = ckpt_get(ck, full, CKPT_F32, rec);
    if (st != LT_OK) return st;
    if ((*rec)->count != p->n) {
        *rec = NULL;
        const ckpt_rec *r = ckpt_find(ck, full);
        return lt_fail(LT_ERR_SHAPE, "ckpt: record '%s' of '%s' has %zu floats %s, the block "
                       "it should fill has %zu", full, ck->path, r->count,
                       fmt_shape(sh, sizeof sh, r->ndim, r->shape), p->n);
    }
    if (p->n && !p->w) {
        *rec = NULL;
        return lt_fail(LT_ERR_VALUE, "ckpt: parameter block '%s' has no weights (NULL)", p->name);
    }
    return LT_OK;
}

lt_status ckpt_load_params(const ckpt *ck, const char *prefix, const lt_param *params,
                           int nparams)
{
    if (nparams < 0 || (nparams > 0 && !params))
        return lt_fail(LT_ERR_VALUE, "ckpt: %d parameter blocks at %p", nparams, (const void *)params);
    if (!prefix) prefix = "";
    char first[1024] = "";
    lt_status first_st = LT_OK;
    int bad = 0;
    const ckpt_rec *rec;
    for (int i = 0; i < nparams; i++) {
        lt_status st = check_param(ck, prefix, &params[i], i, &rec);
        if (st != LT_OK && bad++ == 0) {
            first_st = st;
            snprintf(first, sizeof first, "%s", lt_errmsg());
        }
    }
    if (bad)
        return lt_fail(first_st, "%s (%d of %d blocks do not fit; nothing was loaded)", first,
                       bad, nparams);
    for (int i = 0; i < nparams; i++) {
        check_param(ck, prefix, &params[i], i, &rec);
        if (params[i].n) memcpy(params[i].w, rec->data, params[i].n * sizeof(float));
    }
    return LT_OK;
}
