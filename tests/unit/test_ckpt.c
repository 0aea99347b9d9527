/* test_ckpt.c: checkpoint files: round trips of every record type, the byte layout
 * ckpt.h documents, truncated / corrupt / forged / newer files, failed writes that must
 * leave the old file alone, and all-or-nothing loading of parameter blocks. Files go to
 * a temporary folder the test makes and removes. */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "ckpt.h"

static char dir[] = "/tmp/latent_test_ckpt_XXXXXX";

static const char *path_of(const char *name)
{
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static int has(const char *s) { return strstr(lt_errmsg(), s) != NULL; }

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*n ? *n : 1);
    if (fread(b, 1, *n, f) != *n) { free(b); b = NULL; }
    fclose(f);
    return b;
}

static void spit(const char *path, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (n) fwrite(b, 1, n, f);
    fclose(f);
}

static uint64_t le64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | b[i];
    return v;
}

static void put_le(unsigned char *b, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) b[i] = (unsigned char)(v >> 8 * i);
}

/* The first occurrence of s[0..k) in b[0..n), or NULL. */
static unsigned char *find_bytes(unsigned char *b, size_t n, const char *s, size_t k)
{
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(b + i, s, k) == 0) return b + i;
    return NULL;
}

/* Recomputes the CRC of a whole file image, as a forger would. */
static void fix_crc(unsigned char *b, size_t n)
{
    put_le(b + n - 12, crc32(0, b, (uInt)(n - 12)), 4);
}

/* The number of files in the test folder whose name contains s. */
static int files_with(const char *s)
{
    DIR *d = opendir(dir);
    int k = 0;
    for (struct dirent *e; d && (e = readdir(d));) k += strstr(e->d_name, s) != NULL;
    if (d) closedir(d);
    return k;
}

/* A small checkpoint with one record of each type, written to name. */
static void write_small(const char *name)
{
    ckpt_writer *w = ckpt_writer_new("network");
    float f[6] = { 1, 2, 3, 4, 5, 6 };
    double d[2] = { 0.5, -1e300 };
    int64_t i[1] = { 42 }, sf[2] = { 2, 3 }, sd[1] = { 2 };
    CHECK(ckpt_add_text(w, "arch", "seq(linear(3, 2), relu)") == LT_OK);
    CHECK(ckpt_add_f32(w, "0.weight", f, 2, sf) == LT_OK);
    CHECK(ckpt_add_f64(w, "lr", d, 1, sd) == LT_OK);
    CHECK(ckpt_add_i64(w, "step", i, 0, NULL) == LT_OK);
    CHECK(ckpt_write(w, path_of(name)) == LT_OK);
    ckpt_writer_free(w);
}

/* The example at the top of ckpt.h, kept compiling and working. */
static void show(const char *msg) { fprintf(stderr, "unexpected: %s\n", msg); check_failed++; }

static void test_header_example(void)
{
    static float weight[256 * 784], back[256 * 784];
    for (int i = 0; i < 256 * 784; i++) weight[i] = (float)i * 0.001f;
    ckpt_writer *w = ckpt_writer_new("network");
    int64_t shape[2] = { 256, 784 };
    if (!w || ckpt_add_text(w, "arch", "seq(linear(784, 256), relu)") != LT_OK
           || ckpt_add_f32(w, "0.weight", weight, 2, shape) != LT_OK
           || ckpt_write(w, path_of("mlp.ckpt")) != LT_OK)
        show(lt_errmsg());
    ckpt_writer_free(w);

    ckpt *ck;
    const ckpt_rec *r;
    if (ckpt_read(path_of("mlp.ckpt"), &ck) != LT_OK) { show(lt_errmsg()); return; }
    if (ckpt_get(ck, "0.weight", CKPT_F32, &r) == LT_OK
            && ckpt_check_shape(r, 2, shape, "load into linear(784, 256)") == LT_OK)
        memcpy(back, r->data, r->count * sizeof(float));
    CHECK(memcmp(weight, back, sizeof weight) == 0);
    CHECK_STR(ckpt_kind(ck), "network");
    CHECK_STR(ckpt_path(ck), path_of("mlp.ckpt"));
    ckpt_free(ck);
}

/* Every type, 0-d, empty, 4-d, non-ASCII names and texts, order and lookup. */
static void test_round_trip(void)
{
    ckpt_writer *w = ckpt_writer_new("histoire é");
    float f4[2 * 1 * 3 * 2];
    for (int i = 0; i < 12; i++) f4[i] = (float)i - 5.5f;
    double pi = 3.141592653589793, inf[3] = { 1.0 / 0.0, -0.0, 1e-310 };
    int64_t big[3] = { INT64_MIN, -1, INT64_MAX };
    int64_t s4[4] = { 2, 1, 3, 2 }, s3[1] = { 3 }, s0[1] = { 0 }, s30[2] = { 3, 0 };
    CHECK(ckpt_add_f32(w, "poids.é.weight", f4, 4, s4) == LT_OK);
    CHECK(ckpt_add_f64(w, "π", &pi, 0, NULL) == LT_OK);
    CHECK(ckpt_add_f64(w, "special", inf, 1, s3) == LT_OK);
    CHECK(ckpt_add_i64(w, "日本語", big, 1, s3) == LT_OK);
    CHECK(ckpt_add_f32(w, "empty", NULL, 1, s0) == LT_OK);
    CHECK(ckpt_add_i64(w, "empty2d", NULL, 2, s30) == LT_OK);
    CHECK(ckpt_add_text(w, "note 🙂", "naïve → ∞ 🙂") == LT_OK);
    CHECK(ckpt_add_text(w, "blank", "") == LT_OK);
    CHECK(ckpt_write(w, path_of("all.ckpt")) == LT_OK);
    ckpt_writer_free(w);

    ckpt *ck = NULL;
    CHECK(ckpt_read(path_of("all.ckpt"), &ck) == LT_OK);
    if (!ck) return;
    CHECK_STR(ckpt_kind(ck), "histoire é");
    CHECK(ckpt_count(ck) == 8);
    const char *order[] = { "poids.é.weight", "π", "special", "日本語", "empty", "empty2d",
                            "note 🙂", "blank" };
    for (size_t i = 0; i < 8; i++) {
        const ckpt_rec *r = ckpt_at(ck, i);
        CHECK_STR(r->name, order[i]);
        CHECK(ckpt_find(ck, order[i]) == r);
        CHECK((uintptr_t)r->data % 8 == 0);
    }
    CHECK(ckpt_at(ck, 8) == NULL);
    CHECK(ckpt_find(ck, "nothing") == NULL);

    const ckpt_rec *r = ckpt_find(ck, "poids.é.weight");
    CHECK(r->type == CKPT_F32 && r->ndim == 4 && r->count == 12);
    CHECK(r->shape[0] == 2 && r->shape[1] == 1 && r->shape[2] == 3 && r->shape[3] == 2);
    CHECK(memcmp(r->data, f4, sizeof f4) == 0);
    r = ckpt_find(ck, "π");
    CHECK(r->type == CKPT_F64 && r->ndim == 0 && r->count == 1 && *(const double *)r->data == pi);
    r = ckpt_find(ck, "special");
    CHECK(r->count == 3 && memcmp(r->data, inf, sizeof inf) == 0);
    r = ckpt_find(ck, "日本語");
    CHECK(r->type == CKPT_I64 && r->count == 3 && memcmp(r->data, big, sizeof big) == 0);
    r = ckpt_find(ck, "empty");
    CHECK(r->type == CKPT_F32 && r->ndim == 1 && r->shape[0] == 0 && r->count == 0);
    r = ckpt_find(ck, "empty2d");
    CHECK(r->type == CKPT_I64 && r->ndim == 2 && r->shape[0] == 3 && r->shape[1] == 0 && r->count == 0);
    r = ckpt_find(ck, "note 🙂");
    CHECK(r->type == CKPT_TEXT && r->ndim == 0 && r->count == strlen("naïve → ∞ 🙂"));
    CHECK_STR(r->data, "naïve → ∞ 🙂");
    r = ckpt_find(ck, "blank");
    CHECK(r->type == CKPT_TEXT && r->count == 0);
    CHECK_STR(r->data, "");
    ckpt_free(ck);
}

/* The bytes of a tiny file, as the table in ckpt.h lays them out. */
static void test_byte_layout(void)
{
    ckpt_writer *w = ckpt_writer_new("h");
    int64_t v = 0x0102030405060708, s2[1] = { 2 };
    float f[2] = { 1.0f, -2.0f };
    CHECK(ckpt_add_i64(w, "n", &v, 0, NULL) == LT_OK);
    CHECK(ckpt_add_f32(w, "ab", f, 1, s2) == LT_OK);
    CHECK(ckpt_write(w, path_of("tiny.ckpt")) == LT_OK);
    ckpt_writer_free(w);
    size_t n = 0;
    unsigned char *b = slurp(path_of("tiny.ckpt"), &n);
    /* header 24, kind 4+1+1 = 30; "n": 4+1+1 = 36, type 40, N 48, data 56;
     * "ab": 4+2+1 = 63, type 67, shape 75, N 83, pad to 88, data 96; trailer 108 */
    CHECK(n == 108);
    if (!b || n != 108) { free(b); return; }
    CHECK(memcmp(b, "LATENTCK", 8) == 0);
    CHECK(le64(b + 8) == (1 | (uint64_t)2 << 32));       /* version 1, 2 records */
    CHECK(le64(b + 16) == 108);
    CHECK(b[24] == 1 && b[25] == 0 && b[26] == 0 && b[27] == 0);   /* kind "h" and its 0 */
    CHECK(b[28] == 'h' && b[29] == 0);
    CHECK(b[30] == 1 && b[34] == 'n' && b[35] == 0);
    CHECK(b[36] == CKPT_I64 && b[37] == 0 && b[38] == 0 && b[39] == 0);
    CHECK(le64(b + 40) == 8 && le64(b + 48) == 0x0102030405060708);
    CHECK(b[56] == 2 && b[60] == 'a' && b[61] == 'b' && b[62] == 0);
    CHECK(b[63] == CKPT_F32 && b[64] == 1);
    CHECK(le64(b + 67) == 2 && le64(b + 75) == 8);
    for (int i = 83; i < 88; i++) CHECK(b[i] == 0);
    CHECK(memcmp(b + 88, f, 8) == 0);
    CHECK((uint32_t)(le64(b + 96) & 0xffffffff) == (uint32_t)crc32(0, b, 96));
    CHECK(memcmp(b + 100, "LTCK_END", 8) == 0);
    free(b);
}

/* A few million numbers, in and out. */
static void test_big_arrays(void)
{
    size_t nf = (size_t)3 << 20, nd = (size_t)1 << 20;
    float *f = malloc(nf * sizeof *f);
    double *d = malloc(nd * sizeof *d);
    for (size_t i = 0; i < nf; i++) f[i] = (float)(i % 1000003) * 1e-3f;
    for (size_t i = 0; i < nd; i++) d[i] = 1.0 / (double)(i + 1);
    int64_t sf[2] = { 3, 1 << 20 }, sd[3] = { 1 << 10, 1 << 5, 1 << 5 };
    ckpt_writer *w = ckpt_writer_new("big");
    CHECK(ckpt_add_f32(w, "f", f, 2, sf) == LT_OK);
    CHECK(ckpt_add_f64(w, "d", d, 3, sd) == LT_OK);
    CHECK(ckpt_write(w, path_of("big.ckpt")) == LT_OK);
    ckpt_writer_free(w);
    ckpt *ck = NULL;
    CHECK(ckpt_read(path_of("big.ckpt"), &ck) == LT_OK);
    if (ck) {
        const ckpt_rec *rf, *rd;
        CHECK(ckpt_get(ck, "f", CKPT_F32, &rf) == LT_OK && rf->count == nf);
        CHECK(ckpt_get(ck, "d", CKPT_F64, &rd) == LT_OK && rd->count == nd);
        CHECK(rf && memcmp(rf->data, f, nf * sizeof *f) == 0);
        CHECK(rd && memcmp(rd->data, d, nd * sizeof *d) == 0);
        CHECK(ckpt_check_shape(rd, 3, sd, "big") == LT_OK);
    }
    ckpt_free(ck);
    free(f);
    free(d);
    unlink(path_of("big.ckpt"));
}

/* Every proper prefix of a good file is refused as truncated, with the sizes. */
static void test_truncated_everywhere(void)
{
    write_small("small.ckpt");
    size_t n = 0;
    unsigned char *b = slurp(path_of("small.ckpt"), &n);
    CHECK(b && n > 100);
    if (!b) return;
    int bad = 0;
    char expect[96];
    for (size_t k = 0; k < n; k++) {
        spit(path_of("cut.ckpt"), b, k);
        ckpt *ck = (ckpt *)1;
        lt_status st = ckpt_read(path_of("cut.ckpt"), &ck);
        snprintf(expect, sizeof expect, "truncated: expected %zu bytes, found %zu", n, k);
        int ok = st == LT_ERR_FORMAT && ck == NULL
                 && (k == 0 ? has("is empty") : k < 24 ? has("truncated: the header needs 24 bytes")
                                                       : has(expect));
        if (!ok && bad++ < 3) fprintf(stderr, "cut at %zu: %s\n", k, lt_errmsg());
    }
    CHECK(bad == 0);
    unsigned char *more = malloc(n + 1);   /* and one byte too many */
    memcpy(more, b, n);
    more[n] = 0;
    spit(path_of("long.ckpt"), more, n + 1);
    ckpt *ck = (ckpt *)1;
    snprintf(expect, sizeof expect, "has %zu bytes, but its header says %zu", n + 1, n);
    CHECK(ckpt_read(path_of("long.ckpt"), &ck) == LT_ERR_FORMAT && ck == NULL && has(expect));
    free(more);
    free(b);
}

/* Each byte flipped three ways is refused: by the magic, the version, the size, the
 * end marker, or else the checksum. */
static void test_flipped_everywhere(void)
{
    write_small("small.ckpt");
    size_t n = 0;
    unsigned char *b = slurp(path_of("small.ckpt"), &n);
    if (!b) { CHECK(0); return; }
    const unsigned char flips[3] = { 0x01, 0x80, 0xff };
    int bad = 0;
    for (size_t k = 0; k < n; k++)
        for (int j = 0; j < 3; j++) {
            b[k] ^= flips[j];
            spit(path_of("flip.ckpt"), b, n);
            b[k] ^= flips[j];
            ckpt *ck = (ckpt *)1;
            lt_status st = ckpt_read(path_of("flip.ckpt"), &ck);
            const char *why = k < 8 ? "not a Latent checkpoint"
                            : k < 12 ? (b[k] ^ flips[j]) > b[k] ? "newer Latent" : "version 0"
                            : k < 16 ? "checksum"
                            : k < 24 ? (has("truncated") ? "truncated" : "header")
                            : k < n - 8 ? "checksum" : "end marker";
            if ((st != LT_ERR_FORMAT || ck != NULL || !has(why)) && bad++ < 3)
                fprintf(stderr, "flip %02x at %zu (want '%s'): %s\n", flips[j], k, why, lt_errmsg());
        }
    CHECK(bad == 0);
    free(b);
    /* the file itself still reads */
    ckpt *ck = NULL;
    CHECK(ckpt_read(path_of("small.ckpt"), &ck) == LT_OK && ckpt_count(ck) == 4);
    ckpt_free(ck);
}

static void test_not_a_checkpoint(void)
{
    const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13 };
    spit(path_of("x.png"), png, sizeof png);
    ckpt *ck = (ckpt *)1;
    CHECK(ckpt_read(path_of("x.png"), &ck) == LT_ERR_FORMAT && ck == NULL);
    CHECK(has("not a Latent checkpoint") && has("\\x89PNG\\x0d\\x0a\\x1a\\x0a") && has("x.png"));
    spit(path_of("short"), (const unsigned char *)"LA", 2);
    CHECK(ckpt_read(path_of("short"), &ck) == LT_ERR_FORMAT && has("truncated"));
    CHECK(ckpt_read(path_of("missing.ckpt"), &ck) == LT_ERR_IO && ck == NULL);
    CHECK(has("cannot open") && has("missing.ckpt") && has("No such file"));
    CHECK(ckpt_read(dir, &ck) == LT_ERR_IO && has("directory"));
}

static void test_newer_version(void)
{
    write_small("small.ckpt");
    size_t n = 0;
    unsigned char *b = slurp(path_of("small.ckpt"), &n);
    if (!b) { CHECK(0); return; }
    put_le(b + 8, 7, 4);
    fix_crc(b, n);
    spit(path_of("v7.ckpt"), b, n);
    ckpt *ck = (ckpt *)1;
    CHECK(ckpt_read(path_of("v7.ckpt"), &ck) == LT_ERR_FORMAT && ck == NULL);
    CHECK(has("written by a newer Latent (format 7); this one reads up to format 1"));
    free(b);
}

/* Headers that lie: a huge size, a huge record count, a huge record, with the file's
 * checksum forged to match so that the lie itself must be caught. */
static void test_forged_sizes(void)
{
    write_small("small.ckpt");
    size_t n = 0;
    unsigned char *b = slurp(path_of("small.ckpt"), &n);
    if (!b) { CHECK(0); return; }
    ckpt *ck = (ckpt *)1;

    put_le(b + 16, (uint64_t)1 << 62, 8);
    fix_crc(b, n);
    spit(path_of("forged.ckpt"), b, n);
    CHECK(ckpt_read(path_of("forged.ckpt"), &ck) == LT_ERR_FORMAT && ck == NULL);
    CHECK(has("truncated: expected 4611686018427387904 bytes, found"));
    put_le(b + 16, n, 8);

    put_le(b + 12, 0xffffffffu, 4);
    fix_crc(b, n);
    spit(path_of("forged.ckpt"), b, n);
    CHECK(ckpt_read(path_of("forged.ckpt"), &ck) == LT_ERR_FORMAT && ck == NULL);
    CHECK(has("declares 4294967295 records"));
    put_le(b + 12, 4, 4);

    put_le(b + 12, 5, 4);   /* one more record than there is */
    fix_crc(b, n);
    spit(path_of("forged.ckpt"), b, n);
    CHECK(ckpt_read(path_of("forged.ckpt"), &ck) == LT_ERR_FORMAT && has("malformed"));
    put_le(b + 12, 4, 4);

    put_le(b + 12, 3, 4);   /* one fewer */
    fix_crc(b, n);
    spit(path_of("forged.ckpt"), b, n);
    CHECK(ckpt_read(path_of("forged.ckpt"), &ck) == LT_ERR_FORMAT && has("unexpected bytes after"));
    put_le(b + 12, 4, 4);

    /* the first record is "arch", a text: its N sits after name and type (no shape) */
    unsigned char *name = find_bytes(b, n, "arch", 5);
    CHECK(name != NULL);
    if (name) {
        unsigned char *len = name + 5 + 4;
        uint64_t old = le64(len);
        put_le(len, (uint64_t)1 << 60, 8);
        fix_crc(b, n);
        spit(path_of("forged.ckpt"), b, n);
        CHECK(ckpt_read(path_of("forged.ckpt"), &ck) == LT_ERR_FORMAT && ck == NULL);
        CHECK(has("a record's data") && has("needs 1152921504606846977 bytes"));
        put_le(len, old, 8);
    }
    /* a text that is not UTF-8, or that has lost its 0 */
    unsigned char *t = find_bytes(b, n, "seq(", 4);
    CHECK(t != NULL);
    if (t) {
        const char *text = "seq(linear(3, 2), relu)";
        for (int k = 0; k < 2; k++) {
            if (k == 0) t[1] = 0xff;
            else t[strlen(text)] = 'x';
            fix_crc(b, n);
            spit(path_of("forged.ckpt"), b, n);
            CHECK(ckpt_read(path_of("forged.ckpt"), &ck) == LT_ERR_FORMAT && ck == NULL);
            CHECK(has("text record 'arch' is not 23 bytes of UTF-8 ended by a 0"));
            memcpy(t, text, strlen(text) + 1);
        }
    }
    /* a name that has lost its 0 */
    unsigned char *st = find_bytes(b, n, "step", 5);
    CHECK(st != NULL);
    if (st) {
        st[4] = 'x';
        fix_crc(b, n);
        spit(path_of("forged.ckpt"), b, n);
        CHECK(ckpt_read(path_of("forged.ckpt"), &ck) == LT_ERR_FORMAT && has("not a 4-byte string ended by a 0"));
        st[4] = 0;
    }
    /* a shape that disagrees with the data size */
    unsigned char *w = find_bytes(b, n, "0.weight", 9);
    CHECK(w != NULL);
    if (w) {
        put_le(w + 9 + 4, 4, 8);   /* (2, 3) -> (4, 3) */
        fix_crc(b, n);
        spit(path_of("forged.ckpt"), b, n);
        CHECK(ckpt_read(path_of("forged.ckpt"), &ck) == LT_ERR_FORMAT);
        CHECK(has("record '0.weight' (f32 of shape (4, 3)) declares 24 bytes"));
        put_le(w + 9 + 4, 2, 8);
        w[9] = 9;   /* an unknown type */
        fix_crc(b, n);
        spit(path_of("forged.ckpt"), b, n);
        CHECK(ckpt_read(path_of("forged.ckpt"), &ck) == LT_ERR_FORMAT && has("unknown type 9"));
        w[9] = CKPT_F32;
        w[1] = 0xff;   /* a name that is not UTF-8 */
        fix_crc(b, n);
        spit(path_of("forged.ckpt"), b, n);
        CHECK(ckpt_read(path_of("forged.ckpt"), &ck) == LT_ERR_FORMAT && has("not valid UTF-8"));
        w[1] = '.';
    }
    fix_crc(b, n);   /* every lie undone: the file reads again */
    spit(path_of("forged.ckpt"), b, n);
    CHECK(ckpt_read(path_of("forged.ckpt"), &ck) == LT_OK && ckpt_count(ck) == 4);
    ckpt_free(ck);
    free(b);
}

static void test_duplicate_names(void)
{
    ckpt_writer *w = ckpt_writer_new("history");
    double x = 1;
    CHECK(ckpt_add_f64(w, "xa", &x, 0, NULL) == LT_OK);
    CHECK(ckpt_add_f64(w, "xa", &x, 0, NULL) == LT_ERR_VALUE && has("two records named 'xa'"));
    CHECK(ckpt_add_text(w, "xa", "t") == LT_ERR_VALUE);
    CHECK(ckpt_add_f64(w, "xb", &x, 0, NULL) == LT_OK);
    CHECK(ckpt_write(w, path_of("dup.ckpt")) == LT_OK);
    ckpt_writer_free(w);
    size_t n = 0;
    unsigned char *b = slurp(path_of("dup.ckpt"), &n);
    unsigned char *p = b ? find_bytes(b, n, "xb", 3) : NULL;
    CHECK(p != NULL);
    if (!p) { free(b); return; }
    p[1] = 'a';
    fix_crc(b, n);
    spit(path_of("dup.ckpt"), b, n);
    ckpt *ck = (ckpt *)1;
    CHECK(ckpt_read(path_of("dup.ckpt"), &ck) == LT_ERR_FORMAT && ck == NULL);
    CHECK(has("two records are named 'xa'"));
    free(b);
}

/* Bad arguments to the writer fail with a message and leave it as it was. */
static void test_writer_refuses(void)
{
    CHECK(ckpt_writer_new("") == NULL && has("kind") && has("empty"));
    CHECK(ckpt_writer_new(NULL) == NULL);
    CHECK(ckpt_writer_new("bad\xff") == NULL && has("not valid UTF-8"));
    char longkind[300];
    memset(longkind, 'k', 299);
    longkind[299] = 0;
    CHECK(ckpt_writer_new(longkind) == NULL && has("299 bytes long, at most 255"));

    ckpt_writer *w = ckpt_writer_new("network");
    float f[4] = { 0 };
    int64_t s[5] = { 1, 1, 1, 1, 4 }, neg[2] = { 2, -2 }, huge[3] = { INT64_MAX, INT64_MAX, 2 };
    CHECK(ckpt_add_f32(w, "", f, 0, NULL) == LT_ERR_VALUE && has("empty"));
    CHECK(ckpt_add_f32(w, NULL, f, 0, NULL) == LT_ERR_VALUE);
    CHECK(ckpt_add_f32(w, "a\xc0\xaf", f, 0, NULL) == LT_ERR_VALUE && has("byte 1 is 0xc0"));
    CHECK(ckpt_add_f32(w, "\xed\xa0\x80", f, 0, NULL) == LT_ERR_VALUE);   /* a surrogate */
    CHECK(ckpt_add_f32(w, "five", f, 5, s) == LT_ERR_VALUE && has("5 dimensions, expected 0..4"));
    CHECK(ckpt_add_f32(w, "neg", f, 2, neg) == LT_ERR_VALUE && has("(2, -2)"));
    CHECK(ckpt_add_f32(w, "huge", f, 3, huge) == LT_ERR_VALUE && has("too large"));
    CHECK(ckpt_add_f32(w, "nodata", NULL, 1, s + 4) == LT_ERR_VALUE && has("no data"));
    CHECK(ckpt_add_f32(w, "noshape", f, 1, NULL) == LT_ERR_VALUE && has("no shape"));
    CHECK(ckpt_add_text(w, "t", "\xe2\x82") == LT_ERR_VALUE && has("text record 't'"));
    CHECK(ckpt_add_text(w, "t", NULL) == LT_ERR_VALUE);
    CHECK(ckpt_add_f32(NULL, "x", f, 0, NULL) == LT_ERR_VALUE);
    char longname[CKPT_NAME_MAX + 2];
    memset(longname, 'n', CKPT_NAME_MAX + 1);
    longname[CKPT_NAME_MAX + 1] = 0;
    CHECK(ckpt_add_f32(w, longname, f, 0, NULL) == LT_ERR_VALUE && has("at most 1024"));
    longname[CKPT_NAME_MAX] = 0;
    CHECK(ckpt_add_f32(w, longname, f, 0, NULL) == LT_OK);

    /* params: a duplicate in the third block undoes the first two */
    float w1[2] = { 1, 2 }, w2[3] = { 3, 4, 5 };
    lt_param ps[3] = { { w1, NULL, 2, "a", NULL }, { w2, NULL, 3, "b", NULL }, { w1, NULL, 2, "a", NULL } };
    CHECK(ckpt_add_params(w, "net.", ps, 3) == LT_ERR_VALUE && has("'net.a'"));
    ps[2].name = NULL;
    CHECK(ckpt_add_params(w, "net.", ps, 3) == LT_ERR_VALUE && has("block 2 has no name"));
    CHECK(ckpt_add_params(w, "net.", ps, 2) == LT_OK);

    CHECK(ckpt_write(w, path_of("refused.ckpt")) == LT_OK);
    ckpt_writer_free(w);
    ckpt *ck = NULL;
    CHECK(ckpt_read(path_of("refused.ckpt"), &ck) == LT_OK);
    if (!ck) return;
    CHECK(ckpt_count(ck) == 3);   /* the long name, net.a, net.b: nothing refused got in */
    CHECK(ckpt_find(ck, longname) && ckpt_find(ck, "net.a") && ckpt_find(ck, "net.b"));
    const ckpt_rec *r = ckpt_find(ck, "net.b");
    CHECK(r && r->ndim == 1 && r->shape[0] == 3 && memcmp(r->data, w2, sizeof w2) == 0);
    ckpt_free(ck);
}

static void test_get_and_check_shape(void)
{
    write_small("small.ckpt");
    ckpt *ck = NULL;
    CHECK(ckpt_read(path_of("small.ckpt"), &ck) == LT_OK);
    if (!ck) return;
    const ckpt_rec *r = (const ckpt_rec *)1;
    CHECK(ckpt_get(ck, "nope", CKPT_F32, &r) == LT_ERR_VALUE && r == NULL);
    CHECK(has("(a network) has no record 'nope'"));
    CHECK(ckpt_get(ck, "lr", CKPT_F32, &r) == LT_ERR_TYPE && r == NULL && has("'lr'") && has("is f64, expected f32"));
    CHECK(ckpt_get(ck, "0.weight", CKPT_F32, &r) == LT_OK && r != NULL);
    int64_t good[2] = { 2, 3 }, bad[2] = { 3, 2 };
    CHECK(ckpt_check_shape(r, 2, good, "load") == LT_OK);
    CHECK(ckpt_check_shape(r, 2, bad, "load into linear(2, 3)") == LT_ERR_SHAPE);
    CHECK_STR(lt_errmsg(), "load into linear(2, 3): '0.weight' is (2, 3), expected (3, 2)");
    CHECK(ckpt_check_shape(r, 1, good, NULL) == LT_ERR_SHAPE && has("is (2, 3), expected (2,)"));
    CHECK(ckpt_check_shape(ckpt_find(ck, "step"), 0, NULL, "x") == LT_OK);
    CHECK(ckpt_check_shape(ckpt_find(ck, "step"), 1, good, "x") == LT_ERR_SHAPE && has("is (), expected (2,)"));
    CHECK(ckpt_check_shape(ckpt_find(ck, "arch"), 0, NULL, "x") == LT_ERR_TYPE && has("is a text"));
    CHECK(ckpt_check_shape(ckpt_find(ck, "nope"), 1, good, "load") == LT_ERR_VALUE && has("load: no record"));
    CHECK_STR(ckpt_type_name(CKPT_TEXT), "text");
    ckpt_free(ck);
}

/* Loading parameter blocks: all of them, or (on any mismatch) none. */
static void test_load_params(void)
{
    float a[6] = { 1, 2, 3, 4, 5, 6 }, b[2] = { 7, 8 }, c[1] = { 9 };
    lt_param src[3] = { { a, NULL, 6, "0.weight", NULL }, { b, NULL, 2, "0.bias", NULL }, { c, NULL, 1, "s", NULL } };
    ckpt_writer *w = ckpt_writer_new("network");
    CHECK(ckpt_add_text(w, "arch", "linear(3, 2)") == LT_OK);
    CHECK(ckpt_add_params(w, "net.", src, 3) == LT_OK);
    CHECK(ckpt_add_f64(w, "net.d", (const double[]){ 1.0 }, 0, NULL) == LT_OK);
    CHECK(ckpt_write(w, path_of("params.ckpt")) == LT_OK);
    ckpt_writer_free(w);
    ckpt *ck = NULL;
    CHECK(ckpt_read(path_of("params.ckpt"), &ck) == LT_OK);
    if (!ck) return;

    float da[6], db[2], dc[1], dbig[3], g[6] = { -1, -1, -1, -1, -1, -1 };
    const float before[6] = { -7, -7, -7, -7, -7, -7 };
#define RESET() do { memcpy(da, before, sizeof da); memcpy(db, before, sizeof db); \
                     memcpy(dc, before, sizeof dc); memcpy(dbig, before, sizeof dbig); } while (0)
#define UNTOUCHED() (memcmp(da, before, sizeof da) == 0 && memcmp(db, before, sizeof db) == 0 \
                     && memcmp(dc, before, sizeof dc) == 0)
    lt_param dst[3] = { { da, g, 6, "0.weight", NULL }, { db, g, 2, "0.bias", NULL }, { dc, g, 1, "s", NULL } };

    RESET();
    CHECK(ckpt_load_params(ck, "net.", dst, 3) == LT_OK);
    CHECK(memcmp(da, a, sizeof a) == 0 && memcmp(db, b, sizeof b) == 0 && dc[0] == 9);
    CHECK(g[0] == -1 && g[5] == -1);   /* gradients untouched */

    RESET();   /* the second block is bigger: nothing at all is loaded */
    dst[1] = (lt_param){ dbig, g, 3, "0.bias", NULL };
    CHECK(ckpt_load_params(ck, "net.", dst, 3) == LT_ERR_SHAPE && UNTOUCHED());
    CHECK(has("record 'net.0.bias'") && has("has 2 floats (2,), the block it should fill has 3"));
    CHECK(has("(1 of 3 blocks do not fit; nothing was loaded)"));
    CHECK(memcmp(dbig, before, sizeof dbig) == 0);

    RESET();   /* two blocks fail: the first is named, both counted */
    dst[1] = (lt_param){ db, g, 2, "0.bias", NULL };
    dst[2] = (lt_param){ dc, g, 1, "missing", NULL };
    lt_param four[4] = { dst[0], dst[1], dst[2], { dc, g, 1, "d", NULL } };
    CHECK(ckpt_load_params(ck, "net.", four, 4) == LT_ERR_VALUE && UNTOUCHED());
    CHECK(has("no record 'net.missing'") && has("(2 of 4 blocks do not fit"));

    RESET();   /* a record of the wrong type */
    CHECK(ckpt_load_params(ck, "net.", four + 3, 1) == LT_ERR_TYPE && has("is f64, expected f32"));
    CHECK(UNTOUCHED());

    RESET();   /* without the prefix, no block is found */
    dst[2] = (lt_param){ dc, g, 1, "s", NULL };
    CHECK(ckpt_load_params(ck, NULL, dst, 3) == LT_ERR_VALUE && UNTOUCHED());
    CHECK(ckpt_load_params(ck, "net.", dst, 0) == LT_OK && UNTOUCHED());
#undef RESET
#undef UNTOUCHED
    ckpt_free(ck);
}

/* Saving over an old checkpoint replaces it; a save that fails leaves it whole. */
static void test_failed_writes(void)
{
    write_small("keep.ckpt");
    size_t n0 = 0, n1 = 0;
    unsigned char *old = slurp(path_of("keep.ckpt"), &n0);

    ckpt_writer *w = ckpt_writer_new("optimizer");
    static float m[1 << 16];
    int64_t s[1] = { 1 << 16 };
    CHECK(ckpt_add_f32(w, "m", m, 1, s) == LT_OK);

    /* a folder that does not exist, a "folder" that is a file, a target that is a folder */
    CHECK(ckpt_write(w, path_of("nodir/x.ckpt")) == LT_ERR_IO);
    CHECK(has("cannot save") && has("nodir/x.ckpt") && has("No such file or directory"));
    CHECK(ckpt_write(w, path_of("keep.ckpt/x.ckpt")) == LT_ERR_IO && has("Not a directory"));
    CHECK(mkdir(path_of("adir"), 0755) == 0);
    CHECK(ckpt_write(w, path_of("adir")) == LT_ERR_IO && has("adir") && has("directory"));
    CHECK(files_with(".tmp-") == 0);

    /* the disk "fills up" in the middle of the write: a file-size limit below its size */
    struct rlimit lim, small = { 4096, 4096 };
    getrlimit(RLIMIT_FSIZE, &lim);
    small.rlim_max = lim.rlim_max;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
    lt_status st = ckpt_write(w, path_of("keep.ckpt"));
    setrlimit(RLIMIT_FSIZE, &lim);
    signal(SIGXFSZ, prev);
    CHECK(st == LT_ERR_IO && has("keep.ckpt") && has("File too large"));
    unsigned char *now = slurp(path_of("keep.ckpt"), &n1);
    CHECK(old && now && n0 == n1 && memcmp(old, now, n0) == 0);
    CHECK(files_with(".tmp-") == 0);
    ckpt *ck = NULL;
    CHECK(ckpt_read(path_of("keep.ckpt"), &ck) == LT_OK && strcmp(ckpt_kind(ck), "network") == 0);
    ckpt_free(ck);
    free(now);

    /* with room, the same save replaces the old file */
    CHECK(ckpt_write(w, path_of("keep.ckpt")) == LT_OK);
    CHECK(ckpt_read(path_of("keep.ckpt"), &ck) == LT_OK && strcmp(ckpt_kind(ck), "optimizer") == 0);
    CHECK(ck && ckpt_count(ck) == 1 && ckpt_find(ck, "m")->count == (size_t)1 << 16);
    ckpt_free(ck);
    CHECK(files_with(".tmp-") == 0);
    struct stat sb;
    CHECK(stat(path_of("keep.ckpt"), &sb) == 0 && (sb.st_mode & 0444) != 0);
    ckpt_writer_free(w);
    free(old);
}

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            const char *p = path_of(e->d_name);
            if (rmdir(p) != 0) unlink(p);
        }
    if (d) closedir(d);
    rmdir(dir);
}

int main(void)
{
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    RUN(test_header_example);
    RUN(test_round_trip);
    RUN(test_byte_layout);
    RUN(test_big_arrays);
    RUN(test_truncated_everywhere);
    RUN(test_flipped_everywhere);
    RUN(test_not_a_checkpoint);
    RUN(test_newer_version);
    RUN(test_forged_sizes);
    RUN(test_duplicate_names);
    RUN(test_writer_refuses);
    RUN(test_get_and_check_shape);
    RUN(test_load_params);
    RUN(test_failed_writes);
    remove_dir();
    return check_summary("ckpt");
}
