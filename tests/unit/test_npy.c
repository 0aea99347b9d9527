/* test_npy.c: the .npy/.npz reader and writer (core/data/npy.c) on files NumPy wrote
 * (tests/lang/data/npy/, made by make.py there), on a table of hostile headers and
 * archives, and on round trips through its own writer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "npy.h"

#define FIX LATENT_SOURCE_DIR "/tests/lang/data/npy/"

static int has(const char *msg, const char *part)
{
    int ok = strstr(msg, part) != NULL;
    if (!ok) fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", msg, part);
    return ok;
}

static void test_numpy_files(void)
{
    npy_array a;
    CHECK(npy_read(FIX "f4.npy", &a) == LT_OK);
    CHECK(a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 3 && a.count == 6 && a.dtype == NPY_FLOAT32);
    for (int i = 0; i < 6; i++) CHECK(a.data[i] == (float)i / 4 - 0.5f);
    npy_free(&a);

    CHECK(npy_read(FIX "f8.npy", &a) == LT_OK);
    CHECK(a.dtype == NPY_FLOAT64 && a.count == 6);
    CHECK(a.data[0] == 0.1f && a.data[1] == -2.5f && a.data[2] == 0.0f);   /* 1e-300 rounds to 0 */
    CHECK(isinf(a.data[3]) && a.data[3] > 0 && isinf(a.data[4]) && a.data[4] < 0 && isnan(a.data[5]));
    npy_free(&a);

    CHECK(npy_read(FIX "f2.npy", &a) == LT_OK);
    CHECK(a.dtype == NPY_FLOAT16 && a.data[0] == 0.5f && a.data[1] == -1.5f && a.data[2] == 65504.0f);
    CHECK_NEAR(a.data[3], 5.96046448e-08, 1e-15);   /* float16's smallest subnormal */
    npy_free(&a);

    CHECK(npy_read(FIX "i8be.npy", &a) == LT_OK);   /* big-endian, the 2^24 edges exact */
    CHECK(a.dtype == NPY_INT64 && a.data[0] == 1 && a.data[1] == -2 && a.data[2] == 16777216.0f &&
          a.data[3] == -16777216.0f);
    npy_free(&a);

    CHECK(npy_read(FIX "u1.npy", &a) == LT_OK);
    CHECK(a.data[0] == 0 && a.data[1] == 255 && a.data[2] == 7 && a.data[3] == 128);
    npy_free(&a);
    CHECK(npy_read(FIX "i2.npy", &a) == LT_OK);
    CHECK(a.ndim == 1 && a.data[0] == -32768 && a.data[1] == 32767);
    npy_free(&a);
    CHECK(npy_read(FIX "b1.npy", &a) == LT_OK);
    CHECK(a.dtype == NPY_BOOL && a.data[0] == 1 && a.data[1] == 0 && a.data[2] == 1);
    npy_free(&a);
    CHECK(npy_read(FIX "scalar.npy", &a) == LT_OK);
    CHECK(a.ndim == 0 && a.count == 1 && a.data[0] == 2.5f);
    npy_free(&a);
    CHECK(npy_read(FIX "empty.npy", &a) == LT_OK);
    CHECK(a.ndim == 2 && a.shape[0] == 0 && a.shape[1] == 3 && a.count == 0);
    npy_free(&a);
    const char *versions[] = { FIX "v2.npy", FIX "v3.npy" };
    for (int v = 0; v < 2; v++) {
        CHECK(npy_read(versions[v], &a) == LT_OK);
        CHECK(a.count == 6 && a.data[5] == 0.75f);
        npy_free(&a);
    }
}

static void test_numpy_refusals(void)
{
    static const struct { const char *file; lt_status st; const char *msg; } t[] = {
        { "i8big.npy", LT_ERR_VALUE, "int64 16777217 at element 1" },
        { "c8.npy", LT_ERR_FORMAT, "'<c8' (complex)" },
        { "u8str.npy", LT_ERR_FORMAT, "'<U2' (text)" },
        { "fortran.npy", LT_ERR_FORMAT, "Fortran" },
        { "five.npy", LT_ERR_FORMAT, "more than 4 dimensions" },
        { "missing.npy", LT_ERR_IO, "cannot open" },
        { "stored.npz", LT_ERR_FORMAT, "not a .npy file" },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        npy_array a;
        memset(&a, 0x55, sizeof a);
        char path[256];
        snprintf(path, sizeof path, "%s%s", FIX, t[i].file);
        lt_status st = npy_read(t[i].file[0] == 'm' ? "/nonexistent/missing.npy" : path, &a);
        CHECK(st == t[i].st);
        CHECK(has(lt_errmsg(), t[i].msg));
        CHECK(a.data == NULL && a.count == 0);   /* zeroed, nothing allocated */
    }
}

static void test_numpy_npz(void)
{
    npz_file z;
    CHECK(npz_read(FIX "stored.npz", &z) == LT_OK);
    CHECK(z.n == 2 && strcmp(z.names[0], "x") == 0 && strcmp(z.names[1], "y") == 0);
    CHECK(z.arrays[0].count == 6 && z.arrays[0].data[1] == -0.25f);
    CHECK(z.arrays[1].dtype == NPY_INT64 && z.arrays[1].data[2] == 2);
    npz_free(&z);
    CHECK(npz_read(FIX "deflated.npz", &z) == LT_OK);
    CHECK(z.n == 2 && strcmp(z.names[1], "labels") == 0 && z.arrays[1].count == 5 && z.arrays[1].data[4] == 5);
    npz_free(&z);
    CHECK(npz_read(FIX "positional.npz", &z) == LT_OK);
    CHECK(z.n == 2 && strcmp(z.names[0], "arr_0") == 0 && strcmp(z.names[1], "arr_1") == 0);
    CHECK(z.arrays[1].data[0] == 1.5f);
    npz_free(&z);
    CHECK(npz_read(FIX "f4.npy", &z) == LT_ERR_FORMAT && has(lt_errmsg(), "not a zip file"));
}

/* A .npy file from a header text and n data bytes. */
static size_t make_npy(unsigned char *b, const char *hdr, const unsigned char *data, size_t n)
{
    size_t h = strlen(hdr);
    memcpy(b, "\x93NUMPY\x01\x00", 8);
    b[8] = (unsigned char)(h & 255);
    b[9] = (unsigned char)(h >> 8);
    memcpy(b + 10, hdr, h);
    memcpy(b + 10 + h, data, n);
    return 10 + h + n;
}

static void test_hostile_headers(void)
{
    static const unsigned char eight[8] = { 0, 0, 128, 63, 0, 0, 0, 64 };   /* 1.0f, 2.0f */
    static const struct { const char *hdr; size_t n; lt_status st; const char *msg; } t[] = {
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", 8, LT_OK, "" },
        { "{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(2,)}", 8, LT_OK, "" },
        { "{'shape': (1, 2), 'fortran_order': True, 'descr': '<f4'}", 8, LT_ERR_FORMAT, "Fortran" },
        { "{'descr': '<f4', 'fortran_order': True, 'shape': (2,)}", 8, LT_OK, "" },   /* 1-D: same order */
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 4, LT_ERR_FORMAT, "truncated" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 8, LT_ERR_FORMAT, "trailing bytes" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", 8, LT_ERR_FORMAT, "trailing comma" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 8, LT_ERR_FORMAT, "more than" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536), }", 8, LT_ERR_FORMAT, "more than" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 0), }", 8, LT_ERR_FORMAT, "more than" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 8, LT_ERR_FORMAT, "a dimension expected" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,2), }", 8, LT_ERR_FORMAT, "dimensions" },
        { "{'descr': '<f4', 'fortran_order': False}", 8, LT_ERR_FORMAT, "missing" },
        { "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", 8, LT_ERR_FORMAT, "repeated" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 8, LT_ERR_FORMAT, "unknown key" },
        { "{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}", 8, LT_ERR_FORMAT, "',' or '}'" },
        { "{'descr': '<f4', 'fortran_order': Flase, 'shape': (2,)}", 8, LT_ERR_FORMAT, "True or False" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x", 8, LT_ERR_FORMAT, "text after" },
        { "{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}", 8, LT_ERR_FORMAT, "type '<f4, '" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2,", 8, LT_ERR_FORMAT, "malformed" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", 8, LT_ERR_FORMAT, "malformed" },
        { "", 8, LT_ERR_FORMAT, "'{' expected" },
        { "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", 8, LT_ERR_FORMAT, "structured" },
        { "{'descr': '|O', 'fortran_order': False, 'shape': (2,)}", 8, LT_ERR_FORMAT, "Python objects" },
        { "{'descr': '<M8[s]', 'fortran_order': False, 'shape': (1,)}", 8, LT_ERR_FORMAT, "dates" },
        { "{'descr': '<f3', 'fortran_order': False, 'shape': (2,)}", 8, LT_ERR_FORMAT, "'<f3'" },
        { "{'descr': '<f', 'fortran_order': False, 'shape': (2,)}", 8, LT_ERR_FORMAT, "'<f'" },
        { "{'descr': '', 'fortran_order': False, 'shape': (2,)}", 8, LT_ERR_FORMAT, "''" },
        { "{'descr': '<f4\\x', 'fortran_order': False, 'shape': (2,)}", 8, LT_ERR_FORMAT, "escapes" },
        { "{'descr': '>i4', 'fortran_order': False, 'shape': (2,)}", 8, LT_OK, "" },
        { "{'descr': '<i8', 'fortran_order': False, 'shape': (1,)}", 8, LT_ERR_VALUE, "beyond 2^24" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", 8, LT_ERR_VALUE, "float32's range" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 2), }", 0, LT_OK, "" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 4, LT_OK, "" },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        unsigned char b[512];
        size_t n = make_npy(b, t[i].hdr, eight, t[i].n);
        if (strstr(t[i].hdr, "'<f8'")) memcpy(b + n - 8, "\0\0\0\0\0\0\xf0\x7f", 8), b[n - 2] = 0xef; /* 1.8e308 */
        npy_array a;
        lt_status st = npy_parse(b, n, "h.npy", &a);
        if (st != t[i].st) fprintf(stderr, "  row %zu: status %d, message %s\n", i, (int)st, lt_errmsg());
        CHECK(st == t[i].st);
        if (st != LT_OK) { CHECK(has(lt_errmsg(), t[i].msg)); CHECK(a.data == NULL); }
        npy_free(&a);
    }
}

static void test_hostile_prefix(void)
{
    unsigned char b[256];
    size_t n = make_npy(b, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", (const unsigned char *)"abcd", 4);
    npy_array a;
    CHECK(npy_parse(b, n, "ok.npy", &a) == LT_OK);
    npy_free(&a);
    for (size_t cut = 0; cut < n; cut++) {   /* every truncation is an error, none a crash */
        CHECK(npy_parse(b, cut, "cut.npy", &a) == LT_ERR_FORMAT);
        CHECK(a.data == NULL);
    }
    b[8] = 0xff; b[9] = 0xff;                 /* a header longer than the file */
    CHECK(npy_parse(b, n, "long.npy", &a) == LT_ERR_FORMAT && has(lt_errmsg(), "header claims 65535 bytes"));
    b[6] = 4;
    CHECK(npy_parse(b, n, "v4.npy", &a) == LT_ERR_FORMAT && has(lt_errmsg(), "version 4.0"));
    b[6] = 2;                                 /* version 2.0: a 4-byte length */
    b[8] = 0xff; b[9] = 0xff; b[10] = 0xff; b[11] = 0xff;
    CHECK(npy_parse(b, n, "v2.npy", &a) == LT_ERR_FORMAT && has(lt_errmsg(), "truncated"));
}

static void test_round_trip(void)
{
    float x[6] = { 0.1f, -2.0f, 1e30f, -0.0f, INFINITY, NAN };
    npy_array a = { .ndim = 2, .shape = {3, 2, 1, 1}, .count = 6, .data = x }, b;
    unsigned char *buf;
    size_t n;
    CHECK(npy_encode(&a, NPY_FLOAT32, &buf, &n) == LT_OK);
    CHECK(n % 64 == 24 && buf[6] == 1 && buf[10 + buf[8] - 1] == '\n');   /* header to 64 bytes, v1.0 */
    CHECK(memcmp(buf + 10, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", 59) == 0);
    CHECK(npy_parse(buf, n, "rt", &b) == LT_OK);
    CHECK(b.ndim == 2 && b.shape[0] == 3 && b.shape[1] == 2 && memcmp(b.data, x, 5 * sizeof *x) == 0 && isnan(b.data[5]));
    free(buf);
    npy_free(&b);
    CHECK(npy_encode(&a, NPY_FLOAT64, &buf, &n) == LT_OK && npy_parse(buf, n, "rt", &b) == LT_OK);
    CHECK(b.dtype == NPY_FLOAT64 && b.data[0] == 0.1f && b.data[2] == 1e30f);
    free(buf);
    npy_free(&b);
    /* integers and bools only from whole numbers in range */
    float w[4] = { 0, 1, 255, -3 };
    npy_array iw = { .ndim = 1, .shape = {4, 1, 1, 1}, .count = 4, .data = w };
    CHECK(npy_encode(&iw, NPY_INT64, &buf, &n) == LT_OK && npy_parse(buf, n, "rt", &b) == LT_OK);
    CHECK(b.dtype == NPY_INT64 && b.data[3] == -3 && b.data[2] == 255);
    free(buf);
    npy_free(&b);
    CHECK(npy_encode(&iw, NPY_UINT8, &buf, &n) == LT_ERR_VALUE && has(lt_errmsg(), "element 3 is -3"));
    CHECK(npy_encode(&iw, NPY_BOOL, &buf, &n) == LT_ERR_VALUE && has(lt_errmsg(), "only 0 and 1"));
    CHECK(npy_encode(&a, NPY_INT32, &buf, &n) == LT_ERR_VALUE && has(lt_errmsg(), "element 0 is 0.1"));
    float sc = 7;
    npy_array s0 = { .ndim = 0, .shape = {1, 1, 1, 1}, .count = 1, .data = &sc };
    CHECK(npy_encode(&s0, NPY_FLOAT32, &buf, &n) == LT_OK && strstr((char *)buf + 10, "'shape': (), }"));
    free(buf);
    npy_dtype t;
    CHECK(npy_dtype_from_name("uint16", &t) == LT_OK && t == NPY_UINT16);
    CHECK(npy_dtype_from_name("float", &t) == LT_ERR_VALUE && has(lt_errmsg(), "float32, float64"));
}

static void test_npz_round_trip(void)
{
    char path[] = "/tmp/latent_test_npz_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    float x[6] = { 1, 2, 3, 4, 5, 6 }, y[3] = { 0, 1, 1 };
    npy_array arrays[2] = { { .ndim = 2, .shape = {2, 3, 1, 1}, .count = 6, .data = x },
                            { .ndim = 1, .shape = {3, 1, 1, 1}, .count = 3, .data = y } };
    const char *names[2] = { "x", "y" };
    npy_dtype types[2] = { NPY_FLOAT32, NPY_BOOL };
    for (int deflate = 0; deflate < 2; deflate++) {
        npz_file z;
        CHECK(npz_write(path, names, arrays, types, 2, deflate) == LT_OK);
        CHECK(npz_read(path, &z) == LT_OK);
        CHECK(z.n == 2 && strcmp(z.names[1], "y") == 0 && z.arrays[1].dtype == NPY_BOOL && z.arrays[1].data[2] == 1);
        CHECK(z.arrays[0].shape[1] == 3 && memcmp(z.arrays[0].data, x, sizeof x) == 0);
        npz_free(&z);
    }
    /* a broken archive: every truncation and a flipped data byte are errors */
    FILE *f = fopen(path, "rb");
    unsigned char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    npz_file z;
    for (size_t cut = 0; cut < n; cut += 7) {
        CHECK(npz_parse(buf, cut, "cut.npz", &z) == LT_ERR_FORMAT);
        CHECK(z.n == 0 && z.arrays == NULL);
    }
    buf[60] ^= 0x40;
    CHECK(npz_parse(buf, n, "flip.npz", &z) == LT_ERR_FORMAT);
    const char *dup[2] = { "x", "x" };
    CHECK(npz_write(path, dup, arrays, types, 2, 0) == LT_ERR_VALUE && has(lt_errmsg(), "two arrays named 'x'"));
    const char *slash[1] = { "a/b" };
    CHECK(npz_write(path, slash, arrays, types, 1, 0) == LT_ERR_VALUE);
    types[1] = NPY_UINT8;
    y[0] = 0.5f;
    CHECK(npz_write(path, names, arrays, types, 2, 0) == LT_ERR_VALUE && has(lt_errmsg(), "array 'y'"));
    CHECK(npz_read(path, &z) == LT_OK && z.arrays[1].dtype == NPY_BOOL);   /* the old file stands */
    npz_free(&z);
    CHECK(npy_write("/nonexistent/dir/x.npy", &arrays[0], NPY_FLOAT32) == LT_ERR_IO && has(lt_errmsg(), "cannot write"));
    unlink(path);
}

int main(void)
{
    RUN(test_numpy_files);
    RUN(test_numpy_refusals);
    RUN(test_numpy_npz);
    RUN(test_hostile_headers);
    RUN(test_hostile_prefix);
    RUN(test_round_trip);
    RUN(test_npz_round_trip);
    return check_summary("npy");
}
