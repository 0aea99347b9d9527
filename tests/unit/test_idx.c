/* test_idx.c: the IDX reader on good, gzip'ed, corrupt, truncated and missing files,
 * written to a temporary folder by the test itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "idx.h"

static char dir[] = "/tmp/latent_test_idx_XXXXXX";

static const char *path_of(const char *name)
{
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static void write_plain(const char *name, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path_of(name), "wb");
    fwrite(b, 1, n, f);
    fclose(f);
}

static void write_gz(const char *name, const unsigned char *b, size_t n)
{
    gzFile f = gzopen(path_of(name), "wb");
    gzwrite(f, b, (unsigned)n);
    gzclose(f);
}

/* A (2, 3, 2) image file: header then bytes 0, 51, 102, ... */
static size_t make_images(unsigned char *b)
{
    const unsigned char h[] = { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 2 };
    memcpy(b, h, sizeof h);
    for (int i = 0; i < 12; i++) b[16 + i] = (unsigned char)(i * 51 % 256);
    return 16 + 12;
}

static int has(const char *s) { return strstr(lt_errmsg(), s) != NULL; }

static void test_good_plain_and_gz(void)
{
    unsigned char b[64];
    size_t n = make_images(b);
    write_plain("img", b, n);
    write_gz("img.bin", b, n);   /* gzip without a .gz name: found by its magic */
    const char *names[] = { "img", "img.bin" };
    for (int k = 0; k < 2; k++) {
        idx_array a;
        CHECK(idx_read(path_of(names[k]), &a) == LT_OK);
        CHECK(a.ndim == 3 && a.dims[0] == 2 && a.dims[1] == 3 && a.dims[2] == 2 && a.count == 12);
        CHECK(a.data && a.data[1] == 51 && a.data[5] == 255 && a.data[11] == (11 * 51) % 256);
        idx_free(&a);
        CHECK(a.data == NULL);
        float *x;
        int nn, d, h, w;
        CHECK(idx_read_images(path_of(names[k]), &x, &nn, &d, &h, &w) == LT_OK);
        CHECK(nn == 2 && d == 6 && h == 3 && w == 2);
        CHECK(x[0] == 0.0f && x[5] == 1.0f && x[1] == 51.0f / 255.0f);
        free(x);
    }
}

static void test_labels_and_dims(void)
{
    const unsigned char lab[] = { 0, 0, 8, 1, 0, 0, 0, 4, 3, 1, 4, 1 };
    write_gz("lab.gz", lab, sizeof lab);
    int *y, n;
    CHECK(idx_read_labels(path_of("lab.gz"), &y, &n) == LT_OK);
    CHECK(n == 4 && y[0] == 3 && y[1] == 1 && y[2] == 4 && y[3] == 1);
    free(y);
    /* a label file is not an image file, and the other way round */
    float *x = (float *)1;
    int d, h, w;
    CHECK(idx_read_images(path_of("lab.gz"), &x, &n, &d, &h, &w) == LT_ERR_FORMAT && x == NULL);
    unsigned char b[64];
    write_plain("img", b, make_images(b));
    CHECK(idx_read_labels(path_of("img"), &y, &n) == LT_ERR_FORMAT && y == NULL);
    /* 2-D (n, d) and 4-D files; h, w only for 3-D */
    const unsigned char two[] = { 0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 3, 7, 8, 9 };
    write_plain("two", two, sizeof two);
    CHECK(idx_read_images(path_of("two"), &x, &n, &d, &h, &w) == LT_OK);
    CHECK(n == 1 && d == 3 && h == 0 && w == 0);
    free(x);
    const unsigned char four[] = { 0, 0, 8, 4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 5, 6 };
    write_gz("four", four, sizeof four);
    idx_array a;
    CHECK(idx_read(path_of("four"), &a) == LT_OK && a.ndim == 4 && a.count == 2 && a.data[1] == 6);
    idx_free(&a);
}

static void test_missing(void)
{
    idx_array a;
    CHECK(idx_read(path_of("no-such-file.gz"), &a) == LT_ERR_IO);
    CHECK(has("no-such-file.gz") && has("No such file"));
    CHECK(a.data == NULL);
}

static void test_bad_magic(void)
{
    unsigned char b[64];
    size_t n = make_images(b);
    b[2] = 0x0d;                           /* float elements */
    write_gz("float.gz", b, n);
    idx_array a;
    CHECK(idx_read(path_of("float.gz"), &a) == LT_ERR_FORMAT);
    CHECK(has("00 00 0d 03") && has("expected 00 00 08 0N") && has("only element type 08"));
    CHECK(a.data == NULL);
    const char *text = "P5 28 28 255\n........";   /* not an IDX file at all */
    write_plain("pgm", (const unsigned char *)text, strlen(text));
    CHECK(idx_read(path_of("pgm"), &a) == LT_ERR_FORMAT);
    CHECK(has("50 35 20 32") && has("plain"));
    b[2] = 8;
    b[3] = 5;                              /* five dimensions */
    write_plain("dim5", b, n);
    CHECK(idx_read(path_of("dim5"), &a) == LT_ERR_FORMAT && has("00 00 08 05"));
}

static void test_truncated(void)
{
    unsigned char b[64];
    size_t n = make_images(b);
    idx_array a;
    write_plain("short", b, n - 5);
    CHECK(idx_read(path_of("short"), &a) == LT_ERR_FORMAT);
    CHECK(has("truncated") && has("promises 12 data bytes, found 7"));
    CHECK(a.data == NULL);
    write_gz("short.gz", b, n - 5);
    CHECK(idx_read(path_of("short.gz"), &a) == LT_ERR_FORMAT && has("found 7") && has("gzip"));
    write_plain("hdr", b, 10);             /* cut inside the sizes */
    CHECK(idx_read(path_of("hdr"), &a) == LT_ERR_FORMAT && has("3 sizes need 12 bytes") && has("found 6"));
    write_plain("tiny", b, 2);
    CHECK(idx_read(path_of("tiny"), &a) == LT_ERR_FORMAT && has("needs 4 bytes, found 2"));
    write_plain("empty", b, 0);
    CHECK(idx_read(path_of("empty"), &a) == LT_ERR_FORMAT && has("found 0"));
    /* a gzip stream cut in the middle: the compressed file itself is truncated */
    enum { BIG = 16 + 100 * 100 };
    unsigned char *big = malloc(BIG);
    const unsigned char h[] = { 0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 100, 0, 0, 0, 100 };
    memcpy(big, h, 16);
    for (int i = 16; i < BIG; i++) big[i] = (unsigned char)(i * 2654435761u >> 24);  /* incompressible */
    write_gz("cut.gz", big, BIG);
    FILE *f = fopen(path_of("cut.gz"), "rb");
    unsigned char *z = malloc(2 * BIG);
    size_t zn = fread(z, 1, 2 * BIG, f);
    fclose(f);
    write_plain("cut.gz", z, zn / 2);
    CHECK(idx_read(path_of("cut.gz"), &a) == LT_ERR_FORMAT && has("promises 10000 data bytes") && has("truncated"));
    CHECK(a.data == NULL);
    free(z);
    free(big);
}

static void test_trailing_and_overflow(void)
{
    unsigned char b[64];
    size_t n = make_images(b);
    b[n] = 1;
    b[n + 1] = 2;
    write_plain("long", b, n + 2);
    idx_array a;
    CHECK(idx_read(path_of("long"), &a) == LT_ERR_FORMAT && has("2 bytes after the 12"));
    /* 2^32-1 cubed overflows size_t; a plausible but huge size is reported as truncated
     * without allocating it first */
    const unsigned char over[] = { 0, 0, 8, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0 };
    write_plain("over", over, sizeof over);
    CHECK(idx_read(path_of("over"), &a) == LT_ERR_FORMAT && has("overflow"));
    const unsigned char huge[] = { 0, 0, 8, 2, 0x10, 0, 0, 0, 0x10, 0, 0, 0, 1, 2, 3 };
    write_plain("huge", huge, sizeof huge);
    CHECK(idx_read(path_of("huge"), &a) == LT_ERR_FORMAT && has("found 3"));
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_good_plain_and_gz);
    RUN(test_labels_and_dims);
    RUN(test_missing);
    RUN(test_bad_magic);
    RUN(test_truncated);
    RUN(test_trailing_and_overflow);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_summary("idx");
}
