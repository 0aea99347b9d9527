/* test_apng.c: plot_apng writes a valid animated PNG. Every chunk's CRC is checked, the
 * chunk order is the format's (IHDR, acTL, then fcTL + IDAT for frame 0 and fcTL + fdAT
 * for the others, IEND), the frame count, delays, loop count and sequence numbers are
 * the ones asked for; a plain PNG decoder (libpng) reads the file as frame 0's image,
 * grey frames stay grey at their size and colour ones are kept at one pixel per CSS pixel,
 * and each later frame, rebuilt as a plain PNG from its fdAT chunks, decodes to that
 * frame's own image. Bad frames and delays are refused with a message. */
#include <png.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "check.h"
#include "plot.h"

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A PNG of a w x h figure holding one grey image whose pixels are all v. */
static plot_png frame_png(int w, int h, float v)
{
    float px[16];
    for (int i = 0; i < 16; i++) px[i] = v * (float)(i % 4) / 3.0f;
    plot_figure *fig = plot_figure_new(w, h);
    plot_panel *p = plot_panel_at(fig, 0, 0);
    plot_images_opts o = {.cols = 1, .vmin = 0, .vmax = 1};
    CHECK(plot_image_grid(p, px, 1, 4, 4, &o) == LT_OK);
    plot_png png;
    CHECK(plot_render_png(fig, &png) == LT_OK);
    plot_figure_free(fig);
    return png;
}

/* Decodes a PNG with libpng's simplified API into RGB bytes (malloc'd); NULL if libpng
 * cannot read it. */
static unsigned char *decode_rgb(const unsigned char *data, size_t len, int *w, int *h)
{
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&im, data, len)) return NULL;
    im.format = PNG_FORMAT_RGB;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(im));
    if (!px || !png_image_finish_read(&im, NULL, px, 0, NULL)) {
        free(px);
        png_image_free(&im);
        return NULL;
    }
    *w = (int)im.width;
    *h = (int)im.height;
    return px;
}

typedef struct chunk { char type[5]; const unsigned char *data; uint32_t n; int crc_ok; } chunk;

/* Splits a PNG into its chunks (at most cap); their count, or -1 if malformed. */
static int chunks(const unsigned char *d, size_t len, chunk *out, int cap)
{
    static const unsigned char sig[8] = {137, 'P', 'N', 'G', 13, 10, 26, 10};
    if (len < 8 || memcmp(d, sig, 8) != 0) return -1;
    size_t at = 8;
    int n = 0;
    while (at < len && n < cap) {
        if (len - at < 12) return -1;
        uint32_t k = be32(d + at);
        if (k > len - at - 12) return -1;
        memcpy(out[n].type, d + at + 4, 4);
        out[n].type[4] = 0;
        out[n].data = d + at + 8;
        out[n].n = k;
        out[n].crc_ok = (uint32_t)crc32(crc32(0L, Z_NULL, 0), d + at + 4, k + 4) == be32(d + at + 8 + k);
        at += 12 + k;
        n++;
    }
    return at == len ? n : -1;
}

/* Appends a chunk to a growing byte buffer. */
static void put_chunk(unsigned char **b, size_t *len, const char *type, const unsigned char *data, uint32_t n)
{
    *b = realloc(*b, *len + 12 + n);
    unsigned char *p = *b + *len;
    p[0] = (unsigned char)(n >> 24); p[1] = (unsigned char)(n >> 16); p[2] = (unsigned char)(n >> 8); p[3] = (unsigned char)n;
    memcpy(p + 4, type, 4);
    if (n) memcpy(p + 8, data, n);
    uint32_t c = (uint32_t)crc32(crc32(0L, Z_NULL, 0), p + 4, n + 4);
    p[8 + n] = (unsigned char)(c >> 24); p[9 + n] = (unsigned char)(c >> 16);
    p[10 + n] = (unsigned char)(c >> 8); p[11 + n] = (unsigned char)c;
    *len += 12 + n;
}

static void test_apng_chunks(void)
{
    enum { N = 3 };
    plot_png f[N] = {frame_png(60, 50, 0.2f), frame_png(60, 50, 0.6f), frame_png(60, 50, 1.0f)};
    int delay[N] = {100, 250, 1600};
    plot_png a;
    CHECK(plot_apng(f, N, delay, 2, &a) == LT_OK);
    CHECK(a.width == f[0].width && a.height == f[0].height && a.css_width == 60 && a.css_height == 50);
    chunk c[512];
    int n = chunks(a.data, a.len, c, 512);
    CHECK(n > 6);
    if (n <= 6) return;
    int bad_crc = 0;
    for (int i = 0; i < n; i++) bad_crc += !c[i].crc_ok;
    CHECK(bad_crc == 0);
    CHECK_STR(c[0].type, "IHDR");
    CHECK_STR(c[1].type, "acTL");
    CHECK(c[1].n == 8 && be32(c[1].data) == N && be32(c[1].data + 4) == 2);
    CHECK_STR(c[n - 1].type, "IEND");
    /* frames: fcTL then their data; sequence numbers 0, 1, 2, ... over fcTL and fdAT */
    int frame = -1, idat = 0, order_ok = 1;
    uint32_t seq = 0;
    unsigned char *rebuilt[N] = {0};
    size_t rlen[N] = {0};
    for (int i = 2; i < n - 1; i++) {
        if (strcmp(c[i].type, "fcTL") == 0) {
            frame++;
            CHECK(c[i].n == 26);
            CHECK(be32(c[i].data) == seq++);
            CHECK(be32(c[i].data + 4) == (uint32_t)a.width && be32(c[i].data + 8) == (uint32_t)a.height);
            CHECK(be32(c[i].data + 12) == 0 && be32(c[i].data + 16) == 0);
            int num = c[i].data[20] << 8 | c[i].data[21], den = c[i].data[22] << 8 | c[i].data[23];
            CHECK(frame < N && num == delay[frame] && den == 1000);
            if (frame < N) {
                static const unsigned char sig[8] = {137, 'P', 'N', 'G', 13, 10, 26, 10};
                rebuilt[frame] = malloc(8);
                memcpy(rebuilt[frame], sig, 8);
                rlen[frame] = 8;
                put_chunk(&rebuilt[frame], &rlen[frame], "IHDR", c[0].data, 13);
            }
        } else if (strcmp(c[i].type, "IDAT") == 0) {
            order_ok &= frame == 0;
            idat++;
        } else if (strcmp(c[i].type, "fdAT") == 0) {
            order_ok &= frame > 0 && frame < N;
            CHECK(be32(c[i].data) == seq++);
            if (frame > 0 && frame < N) put_chunk(&rebuilt[frame], &rlen[frame], "IDAT", c[i].data + 4, c[i].n - 4);
        } else {
            order_ok = 0;
        }
    }
    CHECK(frame == N - 1);
    CHECK(order_ok);
    CHECK(idat >= 1);
    /* a plain decoder shows frame 0 */
    int w, h, w0, h0;
    unsigned char *px = decode_rgb(a.data, a.len, &w, &h), *px0 = decode_rgb(f[0].data, f[0].len, &w0, &h0);
    CHECK(px && px0 && w == w0 && h == h0 && memcmp(px, px0, (size_t)w * h * 3) == 0);
    free(px);
    free(px0);
    /* each later frame's fdAT data is that frame's image */
    for (int k = 1; k < N; k++) {
        put_chunk(&rebuilt[k], &rlen[k], "IEND", NULL, 0);
        unsigned char *pk = decode_rgb(rebuilt[k], rlen[k], &w, &h), *pf = decode_rgb(f[k].data, f[k].len, &w0, &h0);
        CHECK(pk && pf && w == w0 && h == h0 && memcmp(pk, pf, (size_t)w * h * 3) == 0);
        unsigned char *p0 = decode_rgb(f[0].data, f[0].len, &w0, &h0);
        CHECK(p0 && pk && memcmp(pk, p0, (size_t)w * h * 3) != 0);   /* the frames differ */
        free(pk); free(pf); free(p0);
    }
    for (int k = 0; k < N; k++) { free(rebuilt[k]); plot_png_free(&f[k]); }
    plot_png_free(&a);
}

static void test_apng_one_frame(void)
{
    plot_png f = frame_png(40, 40, 0.5f), a;
    int delay = 1;
    CHECK(plot_apng(&f, 1, &delay, 0, &a) == LT_OK);
    chunk c[256];
    int n = chunks(a.data, a.len, c, 256);
    CHECK(n >= 5 && be32(c[1].data) == 1 && be32(c[1].data + 4) == 0);
    int w, h;
    unsigned char *px = decode_rgb(a.data, a.len, &w, &h);
    CHECK(px && w == f.width && h == f.height);
    free(px);
    plot_png_free(&a);
    plot_png_free(&f);
}

/* A colour figure (a line plot) drawn at twice its CSS size: its frames are kept at one
 * pixel per CSS pixel, in colour. */
static void test_apng_colour_halved(void)
{
    plot_png f[2];
    for (int k = 0; k < 2; k++) {
        double ys[3] = {0, 1 + k, 0.5};
        plot_figure *fig = plot_figure_new(200, 120);
        CHECK(plot_line(plot_panel_at(fig, 0, 0), NULL, ys, 3, NULL, NULL) == LT_OK);
        CHECK(plot_render_png(fig, &f[k]) == LT_OK);
        plot_figure_free(fig);
    }
    int delay[2] = {500, 500};
    plot_png a;
    CHECK(plot_apng(f, 2, delay, 0, &a) == LT_OK);
    CHECK(f[0].width == 400 && a.width == 200 && a.height == 120 && a.css_width == 200 && a.css_height == 120);
    chunk c[256];
    int n = chunks(a.data, a.len, c, 256);
    CHECK(n >= 7 && c[0].data[9] == 2);   /* colour type 2: RGB */
    int w, h, coloured = 0;
    unsigned char *px = decode_rgb(a.data, a.len, &w, &h);
    CHECK(px && w == 200 && h == 120);
    for (int i = 0; px && i < w * h; i++) coloured += px[3 * i] != px[3 * i + 2];
    CHECK(coloured > 50);   /* the line's colour survives the halving */
    free(px);
    plot_png_free(&a);
    plot_png_free(&f[0]);
    plot_png_free(&f[1]);
}

static void test_apng_errors(void)
{
    plot_png f[2] = {frame_png(60, 50, 0.2f), frame_png(70, 50, 0.2f)}, a;
    int delay[2] = {100, 100};
    CHECK(plot_apng(f, 2, delay, 0, &a) == LT_ERR_VALUE);
    CHECK(strstr(lt_errmsg(), "frame 1 is 140 x 100 pixels, frame 0 is 120 x 100") != NULL);
    CHECK(a.data == NULL && a.len == 0);
    CHECK(plot_apng(f, 0, delay, 0, &a) == LT_ERR_VALUE);
    int bad[2] = {100, 0};
    plot_png same[2] = {f[0], f[0]};
    CHECK(plot_apng(same, 2, bad, 0, &a) == LT_ERR_VALUE);
    CHECK(strstr(lt_errmsg(), "frame 1's delay must be 1 to 65535 ms, got 0") != NULL);
    bad[1] = 70000;
    CHECK(plot_apng(same, 2, bad, 0, &a) == LT_ERR_VALUE);
    CHECK(plot_apng(same, 2, delay, -1, &a) == LT_ERR_VALUE);
    plot_png junk = {(unsigned char *)"not a png at all, just some text here.....", 42, 1, 1, 1, 1};
    plot_png mixed[2] = {f[0], junk};
    CHECK(plot_apng(mixed, 2, delay, 0, &a) == LT_ERR_VALUE);
    CHECK(strstr(lt_errmsg(), "frame 1 is not a PNG image") != NULL);
    /* a PNG cut in the middle of its data */
    plot_png cut = f[0];
    cut.len = f[0].len / 2;
    plot_png trunc[2] = {f[0], cut};
    CHECK(plot_apng(trunc, 2, delay, 0, &a) == LT_ERR_VALUE);
    CHECK(strstr(lt_errmsg(), "frame 1 is a truncated PNG") != NULL);
    plot_png_free(&f[0]);
    plot_png_free(&f[1]);
}

int main(void)
{
    RUN(test_apng_chunks);
    RUN(test_apng_one_frame);
    RUN(test_apng_colour_halved);
    RUN(test_apng_errors);
    return check_summary("apng");
}
