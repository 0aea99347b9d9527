/* plot_png.c: drawing a whole figure onto a Cairo image surface and encoding it as PNG
 * with libpng: RGB without alpha, no row filter and zlib level 1. Measured on the
 * benchmark figures (tests/bench/plot_bench.c), that is the fastest setting by far
 * (deflate dominated the time at libpng's default level 6 with adaptive filters) and
 * the files stay small (90 KB for a 1280 x 800 loss curve), since plots are mostly flat
 * colour. */
#include "plot_axes.h"
#include "plot_image.h"
#include "plot_text.h"
#include "plot_tree.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define FS_SUPTITLE 13.0
#define PNG_ZLIB_LEVEL 1

/* Draws the figure into a new RGB24 surface (*out, caller destroys). */
static lt_status draw_figure(const plot_figure *fig, cairo_surface_t **out)
{
    *out = NULL;
    int pw = (int)(fig->width * fig->density + 0.5), ph = (int)(fig->height * fig->density + 0.5);
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, pw, ph);
    if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surf);
        return lt_fail(LT_ERR_NOMEM, "plot: cannot make a %d x %d pixel image", pw, ph);
    }
    cairo_t *cr = cairo_create(surf);
    cairo_scale(cr, fig->density, fig->density);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    cairo_set_font_options(cr, fo);
    cairo_font_options_destroy(fo);

    plot_canvas cv = {cr, surf, fig->density, fig->reference};
    double top = 0;
    if (fig->title && fig->title[0]) {
        char buf[512];
        plot_font(cr, FS_SUPTITLE, 0);
        cairo_set_source_rgb(cr, 0, 0, 0);
        double fs = FS_SUPTITLE * PLOT_PT;
        plot_text(cr, plot_fit_text(cr, fig->title, fig->width - 8, buf, sizeof buf),
                  fig->width / 2.0, 8, PLOT_CENTER, PLOT_TOP, 0);
        top = 8 + 1.3 * fs;
    }
    lt_status st = LT_OK;
    double cw = (double)fig->width / fig->cols, ch = (fig->height - top) / fig->rows;
    for (int r = 0; r < fig->rows && st == LT_OK; r++)
        for (int c = 0; c < fig->cols && st == LT_OK; c++) {
            const plot_panel *p = &fig->panels[r * fig->cols + c];
            plot_rect cell = {c * cw, top + r * ch, cw, ch};
            cairo_save(cr);
            switch (p->frameless) {
            case PLOT_KIND_HEATMAP: plot_draw_heatmap(&cv, p, cell); break;
            case PLOT_KIND_IMAGES: plot_draw_images(&cv, p, cell); break;
            case PLOT_KIND_TREE: plot_draw_tree(&cv, p, cell); break;
            default:
                if (p->nseries > 0 || p->title || p->xlabel || p->ylabel)
                    st = plot_draw_axes_panel(&cv, p, cell);
            }
            cairo_restore(cr);
        }
    cairo_status_t cs = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_flush(surf);
    if (st == LT_OK && cs != CAIRO_STATUS_SUCCESS)
        st = lt_fail(LT_ERR_VALUE, "plot: drawing failed: %s", cairo_status_to_string(cs));
    if (st != LT_OK) {
        cairo_surface_destroy(surf);
        return st;
    }
    *out = surf;
    return LT_OK;
}

/* ---- PNG encoding ---- */

typedef struct membuf {
    unsigned char *data;
    size_t len, cap;
    int failed;
} membuf;

static void mem_append(membuf *m, const void *bytes, size_t n)
{
    if (m->failed) return;
    if (m->len + n > m->cap) {
        size_t cap = m->cap ? m->cap : 65536;
        while (cap < m->len + n) cap *= 2;
        unsigned char *d = realloc(m->data, cap);
        if (!d) { m->failed = 1; return; }
        m->data = d;
        m->cap = cap;
    }
    memcpy(m->data + m->len, bytes, n);
    m->len += n;
}

static void mem_write(png_structp png, png_bytep bytes, png_size_t n)
{
    mem_append(png_get_io_ptr(png), bytes, n);
}

static void mem_flush(png_structp png) { (void)png; }

static void png_error_fn(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

static void png_warning_fn(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

/* Encodes the RGB24 surface as an 8-bit RGB PNG into m. */
static lt_status encode_png(cairo_surface_t *surf, membuf *m)
{
    int w = cairo_image_surface_get_width(surf), h = cairo_image_surface_get_height(surf);
    int stride = cairo_image_surface_get_stride(surf);
    const unsigned char *data = cairo_image_surface_get_data(surf);
    unsigned char *volatile row = malloc((size_t)w * 3);
    if (!row) return lt_fail(LT_ERR_NOMEM, "plot: out of memory");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_error_fn,
                                              png_warning_fn);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_write_struct(&png, &info);
        free(row);
        return lt_fail(LT_ERR_NOMEM, "plot: out of memory");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(row);
        return lt_fail(LT_ERR_NOMEM, "plot: PNG encoding failed");
    }
    png_set_write_fn(png, m, mem_write, mem_flush);
    png_set_compression_level(png, PNG_ZLIB_LEVEL);
    png_set_filter(png, 0, PNG_FILTER_NONE);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        const uint32_t *src = (const uint32_t *)(data + (size_t)y * stride);
        for (int x = 0; x < w; x++) {
            uint32_t p = src[x];
            row[3 * x] = (unsigned char)(p >> 16);
            row[3 * x + 1] = (unsigned char)(p >> 8);
            row[3 * x + 2] = (unsigned char)p;
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(row);
    if (m->failed) return lt_fail(LT_ERR_NOMEM, "plot: out of memory");
    return LT_OK;
}

lt_status plot_render_png(const plot_figure *fig, plot_png *out)
{
    memset(out, 0, sizeof *out);
    cairo_surface_t *surf;
    lt_status st = draw_figure(fig, &surf);
    if (st != LT_OK) return st;
    membuf m = {0};
    st = encode_png(surf, &m);
    if (st == LT_OK) {
        out->data = m.data;
        out->len = m.len;
        out->width = cairo_image_surface_get_width(surf);
        out->height = cairo_image_surface_get_height(surf);
        out->css_width = fig->width;
        out->css_height = fig->height;
    } else {
        free(m.data);
    }
    cairo_surface_destroy(surf);
    return st;
}

void plot_png_free(plot_png *png)
{
    if (!png) return;
    free(png->data);
    memset(png, 0, sizeof *png);
}

lt_status plot_write_png(const plot_figure *fig, const char *path)
{
    plot_png png;
    lt_status st = plot_render_png(fig, &png);
    if (st != LT_OK) return st;
    FILE *f = fopen(path, "wb");
    if (!f) {
        plot_png_free(&png);
        return lt_fail(LT_ERR_IO, "plot: cannot open '%s' for writing", path);
    }
    size_t len = png.len, wrote = fwrite(png.data, 1, len, f);
    int closed = fclose(f);
    plot_png_free(&png);
    if (wrote != len || closed != 0)
        return lt_fail(LT_ERR_IO, "plot: cannot write '%s'", path);
    return LT_OK;
}

/* ---- animated PNG (APNG) ---- */

static const unsigned char png_sig[8] = {137, 'P', 'N', 'G', 13, 10, 26, 10};

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(unsigned char *p, uint32_t x)
{
    p[0] = (unsigned char)(x >> 24); p[1] = (unsigned char)(x >> 16);
    p[2] = (unsigned char)(x >> 8); p[3] = (unsigned char)x;
}

/* Appends one chunk: length, type, head (hn bytes) then data (n bytes), and the CRC of
 * all but the length. */
static void apng_chunk(membuf *m, const char *type, const unsigned char *head, size_t hn,
                       const unsigned char *data, size_t n)
{
    unsigned char b[4];
    put_be32(b, (uint32_t)(hn + n));
    mem_append(m, b, 4);
    mem_append(m, type, 4);
    if (hn) mem_append(m, head, hn);
    if (n) mem_append(m, data, n);
    uLong crc = crc32(0L, (const Bytef *)type, 4);
    if (hn) crc = crc32(crc, head, (uInt)hn);
    if (n) crc = crc32(crc, data, (uInt)n);
    put_be32(b, (uint32_t)crc);
    mem_append(m, b, 4);
}

/* The chunk at *at of png (len bytes): its type, data and length; *at moves past it.
 * 0, or -1 when the chunk runs past the end. */
static int png_next_chunk(const unsigned char *png, size_t len, size_t *at, const unsigned char **type,
                          const unsigned char **data, size_t *n)
{
    if (len - *at < 12) return -1;
    *n = be32(png + *at);
    if (*n > len - *at - 12) return -1;
    *type = png + *at + 4;
    *data = png + *at + 8;
    *at += 12 + *n;
    return 0;
}

/* Checks frame i (a PNG with an IHDR first) against frame 0's IHDR (ihdr, or NULL for
 * frame 0 itself); *ihdr_out is its IHDR data. */
static lt_status apng_check(const plot_png *f, int i, const unsigned char *ihdr, const unsigned char **ihdr_out)
{
    size_t at = 8, n;
    const unsigned char *type, *data;
    if (!f->data || f->len < 8 + 25 || memcmp(f->data, png_sig, 8) != 0 ||
        png_next_chunk(f->data, f->len, &at, &type, &data, &n) < 0 || memcmp(type, "IHDR", 4) != 0 || n != 13)
        return lt_fail(LT_ERR_VALUE, "animation: frame %d is not a PNG image", i);
    if (ihdr && memcmp(ihdr, data, 13) != 0) {
        if (memcmp(ihdr, data, 8) != 0)
            return lt_fail(LT_ERR_VALUE, "animation: frame %d is %u x %u pixels, frame 0 is %u x %u: every frame "
                           "needs the same size", i, be32(data), be32(data + 4), be32(ihdr), be32(ihdr + 4));
        return lt_fail(LT_ERR_VALUE, "animation: frame %d has another pixel format than frame 0", i);
    }
    *ihdr_out = data;
    return LT_OK;
}

/* Appends frame i's fcTL and its image data (IDAT for frame 0, fdAT after), counting
 * *seq up: the sequence numbers run over fcTL and fdAT chunks together. */
static lt_status apng_frame(membuf *m, const plot_png *f, int i, int delay_ms, const unsigned char *ihdr,
                            uint32_t *seq)
{
    unsigned char fc[26];
    put_be32(fc, (*seq)++);
    memcpy(fc + 4, ihdr, 8);                 /* width, height: the whole canvas */
    memset(fc + 12, 0, 8);                   /* x, y offsets */
    fc[20] = (unsigned char)(delay_ms >> 8); fc[21] = (unsigned char)delay_ms;   /* delay_num */
    fc[22] = 1000 >> 8; fc[23] = 1000 & 255;                                    /* delay_den */
    fc[24] = 0;                              /* dispose: none (the next frame covers it) */
    fc[25] = 0;                              /* blend: source (replace the pixels) */
    apng_chunk(m, "fcTL", fc, sizeof fc, NULL, 0);
    size_t at = 8, n;
    const unsigned char *type, *data;
    int any = 0;
    while (at < f->len) {
        if (png_next_chunk(f->data, f->len, &at, &type, &data, &n) < 0)
            return lt_fail(LT_ERR_VALUE, "animation: frame %d is a truncated PNG", i);
        if (memcmp(type, "IDAT", 4) != 0) continue;
        any = 1;
        if (i == 0) {
            apng_chunk(m, "IDAT", NULL, 0, data, n);
        } else {
            unsigned char s[4];
            put_be32(s, (*seq)++);
            apng_chunk(m, "fdAT", s, 4, data, n);
        }
    }
    if (!any) return lt_fail(LT_ERR_VALUE, "animation: frame %d has no image data", i);
    return LT_OK;
}

/* Decodes png into 8-bit pixels of format fmt (PNG_FORMAT_RGB or _GRAY; malloc'd, NULL
 * when libpng cannot read it); *w, *h its size. */
static unsigned char *png_pixels(const plot_png *png, png_uint_32 fmt, png_image *im)
{
    memset(im, 0, sizeof *im);
    im->version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(im, png->data, png->len)) return NULL;
    im->format = fmt;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(*im));
    if (!px || !png_image_finish_read(im, NULL, px, 0, NULL)) {
        free(px);
        png_image_free(im);
        return NULL;
    }
    return px;
}

/* Whether every pixel of every frame is grey (r = g = b), e.g. image grids of digits:
 * those are stored as 8-bit grey, a third of the bytes before compression. */
static int apng_all_grey(const plot_png *frames, int n)
{
    for (int i = 0; i < n; i++) {
        png_image im;
        unsigned char *px = png_pixels(&frames[i], PNG_FORMAT_RGB, &im);
        if (!px) return 0;
        size_t np = (size_t)im.width * im.height;
        int grey = 1;
        for (size_t k = 0; k < np && grey; k++) grey = px[3 * k] == px[3 * k + 1] && px[3 * k] == px[3 * k + 2];
        free(px);
        if (!grey) return 0;
    }
    return 1;
}

/* Halves the image in place (2 x 2 box average; ch channels per pixel), rounding down
 * odd sizes. */
static void halve(unsigned char *px, png_image *im, int ch)
{
    int w = (int)im->width / 2, h = (int)im->height / 2, sw = (int)im->width;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < ch; c++) {
                const unsigned char *a = px + ((size_t)(2 * y) * sw + 2 * x) * ch + c, *b = a + (size_t)sw * ch;
                px[((size_t)y * w + x) * ch + c] = (unsigned char)((a[0] + a[ch] + b[0] + b[ch] + 2) / 4);
            }
    im->width = (png_uint_32)w;
    im->height = (png_uint_32)h;
}

/* Frame i re-encoded for keeping: grey or RGB, at one pixel per CSS pixel (a figure drawn
 * at twice its size for sharp screens is halved: a frame is seen for a fraction of a
 * second), with libpng's adaptive row filters and default zlib level. An animation of
 * noisy images or many points is then a quarter of the figures' fast encoding or less. */
static lt_status apng_recompress(const plot_png *in, int i, int grey, plot_png *out)
{
    png_image im;
    memset(out, 0, sizeof *out);
    unsigned char *px = png_pixels(in, grey ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB, &im);
    if (!px) return lt_fail(LT_ERR_VALUE, "animation: frame %d cannot be decoded", i);
    if (!grey && in->css_width > 0 && in->width >= 2 * in->css_width && im.width >= 2 && im.height >= 2)
        halve(px, &im, grey ? 1 : 3);
    png_alloc_size_t len = 0;
    int ok = png_image_write_get_memory_size(im, len, 0, px, 0, NULL);
    unsigned char *data = ok ? malloc(len) : NULL;
    ok = data && png_image_write_to_memory(&im, data, &len, 0, px, 0, NULL);
    free(px);
    if (!ok) {
        free(data);
        return lt_fail(LT_ERR_NOMEM, "animation: cannot encode frame %d", i);
    }
    *out = *in;
    out->data = data;
    out->len = len;
    out->width = (int)im.width;
    out->height = (int)im.height;
    return LT_OK;
}

/* The APNG of frames already checked and encoded alike. */
static lt_status apng_stitch(const plot_png *frames, int n, const int *delay_ms, int loops, plot_png *out)
{
    const unsigned char *ihdr = NULL;
    lt_status st = apng_check(&frames[0], 0, NULL, &ihdr);
    if (st != LT_OK) return st;
    membuf m = {0};
    unsigned char ac[8];
    put_be32(ac, (uint32_t)n);
    put_be32(ac + 4, (uint32_t)loops);
    mem_append(&m, png_sig, 8);
    apng_chunk(&m, "IHDR", NULL, 0, ihdr, 13);
    apng_chunk(&m, "acTL", ac, 8, NULL, 0);   /* before the first IDAT, as the format asks */
    uint32_t seq = 0;
    for (int i = 0; i < n && st == LT_OK; i++) st = apng_frame(&m, &frames[i], i, delay_ms[i], ihdr, &seq);
    apng_chunk(&m, "IEND", NULL, 0, NULL, 0);
    if (st == LT_OK && m.failed) st = lt_fail(LT_ERR_NOMEM, "animation: out of memory");
    if (st != LT_OK) { free(m.data); return st; }
    out->data = m.data;
    out->len = m.len;
    out->width = (int)be32(ihdr);
    out->height = (int)be32(ihdr + 4);
    out->css_width = frames[0].css_width;
    out->css_height = frames[0].css_height;
    return LT_OK;
}

lt_status plot_apng(const plot_png *frames, int n, const int *delay_ms, int loops, plot_png *out)
{
    memset(out, 0, sizeof *out);
    if (n < 1) return lt_fail(LT_ERR_VALUE, "animation: needs at least one frame");
    if (loops < 0) return lt_fail(LT_ERR_VALUE, "animation: loops must be >= 0 (0: forever), got %d", loops);
    const unsigned char *ihdr = NULL, *ih = NULL;
    for (int i = 0; i < n; i++) {
        if (delay_ms[i] < 1 || delay_ms[i] > 65535)
            return lt_fail(LT_ERR_VALUE, "animation: frame %d's delay must be 1 to 65535 ms, got %d", i, delay_ms[i]);
        lt_status st = apng_check(&frames[i], i, ihdr, &ih);
        if (st != LT_OK) return st;
        size_t at = 8, len;
        const unsigned char *type, *data;
        while (at < frames[i].len)   /* every chunk inside the file */
            if (png_next_chunk(frames[i].data, frames[i].len, &at, &type, &data, &len) < 0)
                return lt_fail(LT_ERR_VALUE, "animation: frame %d is a truncated PNG", i);
        if (!ihdr) ihdr = ih;
    }
    plot_png *packed = calloc((size_t)n, sizeof *packed);
    if (!packed) return lt_fail(LT_ERR_NOMEM, "animation: out of memory");
    int grey = apng_all_grey(frames, n);
    lt_status st = LT_OK;
    for (int i = 0; i < n && st == LT_OK; i++) st = apng_recompress(&frames[i], i, grey, &packed[i]);
    if (st == LT_OK) st = apng_stitch(packed, n, delay_ms, loops, out);
    for (int i = 0; i < n; i++) free(packed[i].data);
    free(packed);
    return st;
}
