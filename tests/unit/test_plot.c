/* test_plot.c: figures render to PNGs of the right size, with the series' colours where
 * the data is, legends when asked, crisp images; ticks are round and cover hard ranges;
 * bad data is refused with a clear message. Every PNG is decoded back and inspected. */
#include <cairo.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "plot.h"
#include "plot_tree.h"  /* plot_tree_boxes, to check the tree layout */

/* ---- decoding ---- */

typedef struct img {
    int w, h;
    uint32_t *px;   /* 0xRRGGBB */
} img;

typedef struct reader { const unsigned char *data; size_t len, pos; } reader;

static cairo_status_t read_mem(void *closure, unsigned char *buf, unsigned int n)
{
    reader *r = closure;
    if (r->pos + n > r->len) return CAIRO_STATUS_READ_ERROR;
    memcpy(buf, r->data + r->pos, n);
    r->pos += n;
    return CAIRO_STATUS_SUCCESS;
}

/* Decodes png into im; 0 if it is not a readable PNG. */
static int decode(const plot_png *png, img *im)
{
    reader r = {png->data, png->len, 0};
    cairo_surface_t *s = cairo_image_surface_create_from_png_stream(read_mem, &r);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return 0;
    }
    im->w = cairo_image_surface_get_width(s);
    im->h = cairo_image_surface_get_height(s);
    im->px = malloc((size_t)im->w * im->h * sizeof(uint32_t));
    int stride = cairo_image_surface_get_stride(s);
    const unsigned char *d = cairo_image_surface_get_data(s);
    for (int y = 0; y < im->h; y++)
        for (int x = 0; x < im->w; x++)
            im->px[y * im->w + x] = ((const uint32_t *)(d + (size_t)y * stride))[x] & 0xffffff;
    cairo_surface_destroy(s);
    return 1;
}

/* Renders fig, checks the PNG's sizes and decodes it. Frees the PNG. */
static int render(plot_figure *fig, int css_w, int css_h, double density, img *im)
{
    plot_png png;
    lt_status st = plot_render_png(fig, &png);
    CHECK(st == LT_OK);
    if (st != LT_OK) {
        fprintf(stderr, "render: %s\n", lt_errmsg());
        return 0;
    }
    CHECK(png.len > 8 && memcmp(png.data, "\x89PNG\r\n\x1a\n", 8) == 0);
    CHECK(png.css_width == css_w && png.css_height == css_h);
    CHECK(png.width == (int)lround(css_w * density) && png.height == (int)lround(css_h * density));
    int ok = decode(&png, im);
    CHECK(ok);
    if (ok) CHECK(im->w == png.width && im->h == png.height);
    plot_png_free(&png);
    return ok;
}

/* Pixels of exactly colour rgb in the rectangle [x0,x1) x [y0,y1); their mean x in *cx. */
static long count_rgb(const img *im, uint32_t rgb, int x0, int y0, int x1, int y1, double *cx)
{
    long n = 0;
    double sx = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            if (im->px[y * im->w + x] == rgb) { n++; sx += x; }
    if (cx) *cx = n ? sx / n : -1;
    return n;
}

static long count_nonwhite(const img *im)
{
    long n = 0;
    for (int i = 0; i < im->w * im->h; i++) n += im->px[i] != 0xffffff;
    return n;
}

/* Is the one-pixel frame around the image white (nothing drawn past the edges)? */
static int border_white(const img *im)
{
    for (int x = 0; x < im->w; x++)
        if (im->px[x] != 0xffffff || im->px[(im->h - 1) * im->w + x] != 0xffffff) return 0;
    for (int y = 0; y < im->h; y++)
        if (im->px[y * im->w] != 0xffffff || im->px[y * im->w + im->w - 1] != 0xffffff) return 0;
    return 1;
}

/* ---- ticks ---- */

static int is_125(double step)
{
    double m = step / pow(10, floor(log10(step) + 1e-9));
    return fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 5) < 1e-9;
}

/* Checks plot_ticks over [lo, hi] for the given max: 3..max ticks, round 1-2-5 multiples,
 * inside the range and covering it. (Ranges narrower than double precision can show are
 * widened by plot_ticks; tests_ticks_degenerate covers those.) */
static void check_ticks(double lo, double hi, int max)
{
    double t[16], step = 0;
    int n = plot_ticks(lo, hi, max, t, &step);
    CHECK(n >= 3 && n <= max);
    CHECK(step > 0 && is_125(step));
    double mag = fmax(fabs(lo), fabs(hi)), span = fmax(mag * 1e-12, step * 1e-9);
    if (hi - lo < 1e-11 * mag) return;
    int bad = 0;
    for (int i = 0; i < n; i++) {
        bad |= !(t[i] >= lo - span && t[i] <= hi + span);
        double k = t[i] / step;
        bad |= !(fabs(k - nearbyint(k)) < 1e-6 + fabs(k) * 1e-15);
        if (i) bad |= !(fabs(t[i] - t[i - 1] - step) <= 1e-9 * fmax(step, fabs(t[i])));
    }
    /* they cover the range: the next multiples would fall outside */
    bad |= !(t[0] - step < lo + span && t[n - 1] + step > hi - span);
    CHECK(!bad);
    if (bad || n < 3) {
        fprintf(stderr, "  [%.17g, %.17g] max %d, step %g:", lo, hi, max, step);
        for (int i = 0; i < n; i++) fprintf(stderr, " %.17g", t[i]);
        fprintf(stderr, "\n");
    }
}

static void test_ticks_hard_ranges(void)
{
    double ranges[][2] = {
        {0, 1}, {0, 10}, {-3, 7}, {-5, -1}, {0.1, 0.9}, {1, 1 + 1e-9}, {0, 1e-9},
        {-1e-9, 3e-9}, {0, 1e12}, {1e12, 1e12 + 5e11}, {-1e12, 1e12}, {1e-300, 5e-300},
        {999.5, 1000.5}, {-0.0021, 0.0013}, {3, 3.0001},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++)
        for (int max = 7; max <= 10; max++) check_ticks(ranges[i][0], ranges[i][1], max);
    /* random ranges of every scale */
    uint64_t s = 42;
    for (int i = 0; i < 2000; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        double a = ((s >> 11) * 0x1.0p-53 - 0.5) * pow(10, (int)(s % 25) - 12);
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        double w = (s >> 11) * 0x1.0p-53 * pow(10, (int)(s % 25) - 12) + 1e-300;
        if (a + w > a) check_ticks(a, a + w, 7 + (int)(s % 4));
    }
}

static void test_ticks_degenerate(void)
{
    double t[16], step;
    int n = plot_ticks(5, 5, 8, t, &step);       /* a single value: widened around it */
    CHECK(n >= 3 && t[0] < 5 && t[n - 1] > 5);
    n = plot_ticks(0, 0, 8, t, &step);
    CHECK(n >= 3 && t[0] < 0 && t[n - 1] > 0);
    n = plot_ticks(NAN, 3, 8, t, &step);         /* NaN end: takes the other end */
    CHECK(n >= 3 && t[0] < 3 && t[n - 1] > 3);
    n = plot_ticks(-INFINITY, INFINITY, 8, t, &step);
    CHECK(n >= 3);
    n = plot_ticks(7, 2, 8, t, &step);           /* reversed ends are put in order */
    CHECK(n >= 3 && t[0] >= 2 && t[n - 1] <= 7);
    CHECK(plot_ticks(0, 1, 2, t, &step) == 0);
    CHECK(strstr(lt_errmsg(), "max_ticks") != NULL);
}

static void test_log_ticks(void)
{
    double t[16];
    int dec = -1;
    int n = plot_log_ticks(1e-3, 10, 8, t, &dec);
    CHECK(n == 5 && dec == 1);
    for (int i = 0; i < n; i++) CHECK_NEAR(log10(t[i]), -3 + i, 1e-9);
    n = plot_log_ticks(1, 1e30, 8, t, &dec);    /* 31 decades: every 4th or 5th */
    CHECK(n >= 3 && n <= 8 && dec == 1);
    for (int i = 0; i < n; i++) CHECK(fabs(log10(t[i]) - nearbyint(log10(t[i]))) < 1e-9);
    n = plot_log_ticks(2, 8, 8, t, &dec);       /* less than a decade: 1-2-5 */
    CHECK(dec == 0 && n >= 2);
    for (int i = 0; i < n; i++) CHECK(t[i] >= 2 && t[i] <= 8);
}

static void test_format(void)
{
    char b[64];
    plot_format_tick(0.001, 0.001, 0.005, b, sizeof b); CHECK_STR(b, "0.001");
    plot_format_tick(1e-5, 1e-5, 5e-5, b, sizeof b);    CHECK_STR(b, "1e-05");
    plot_format_tick(-2.5, 0.5, 3, b, sizeof b);        CHECK_STR(b, "-2.5");
    plot_format_tick(1e12, 5e11, 1e12, b, sizeof b);    CHECK_STR(b, "1e+12");
    plot_format_tick(2.5e12, 5e11, 3e12, b, sizeof b);  CHECK_STR(b, "2.5e+12");
    plot_format_tick(1e-17, 0.1, 1, b, sizeof b);       CHECK_STR(b, "0.0");
    plot_format_tick(-1e-17, 0.1, 1, b, sizeof b);      CHECK_STR(b, "0.0");
    plot_format_tick(0, 1e-5, 5e-5, b, sizeof b);       CHECK_STR(b, "0");
    plot_format_tick(0, 200, 1000, b, sizeof b);        CHECK_STR(b, "0");
    plot_format_tick(1, 0.5, 2, b, sizeof b);           CHECK_STR(b, "1.0");
    plot_format_tick(200000, 100000, 500000, b, sizeof b); CHECK_STR(b, "200000");
    plot_format_tick(1.000000004, 1e-9, 1.000000004, b, sizeof b); CHECK_STR(b, "1.000000004");
    plot_format_tick(1.5e-9, 5e-10, 3e-9, b, sizeof b); CHECK_STR(b, "1.5e-09");
    plot_format_tick(40, 20, 100, b, sizeof b);         CHECK_STR(b, "40");
    plot_format_tick(0.25, 0.05, 1, b, sizeof b);       CHECK_STR(b, "0.25");
}

/* ---- rendering ---- */

#define BLUE 0x1f77b4u
#define ORANGE 0xff7f0eu
#define GREEN 0x2ca02cu

static void two_lines(plot_panel *p, int n)
{
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    for (int i = 0; i < n; i++) {
        a[i] = 2.0 * exp(-i / 100.0);      /* starts high, ends low */
        b[i] = 0.5 + 0.1 * sin(i / 10.0);  /* a band in the middle */
    }
    CHECK(plot_line(p, NULL, a, (size_t)n, "train", NULL) == LT_OK);
    CHECK(plot_line(p, NULL, b, (size_t)n, "valid", NULL) == LT_OK);
    free(a);
    free(b);
}

static void test_line_png(void)
{
    plot_figure *fig = plot_figure_new(0, 0);
    plot_panel *p = plot_panel_at(fig, 0, 0);
    plot_set_title(p, "loss");
    plot_set_xlabel(p, "step");
    plot_set_ylabel(p, "loss");
    two_lines(p, 1000);
    img im;
    if (render(fig, 640, 400, 2, &im)) {
        CHECK(count_nonwhite(&im) > 20000);
        double cb, co;
        CHECK(count_rgb(&im, BLUE, 0, 0, im.w, im.h, &cb) > 500);
        CHECK(count_rgb(&im, ORANGE, 0, 0, im.w, im.h, &co) > 500);
        /* the decaying blue line has more of its pixels on the left, where it is steep */
        CHECK(cb < co);
        /* the blue line starts at the top left: its colour is in the upper left quarter */
        CHECK(count_rgb(&im, BLUE, 0, 0, im.w / 3, im.h / 3, NULL) > 50);
        CHECK(border_white(&im));
        free(im.px);
    }
    char *d = plot_describe(fig);
    CHECK_STR(d, "line plot 'loss' (2 series, 1000 points)");
    free(d);
    plot_figure_free(fig);
}

/* The legend is where the image changes when it is turned on; the series' colours
 * must be in that region (the swatches). */
static void test_legend(void)
{
    img off, on;
    int ok = 1;
    for (int k = 0; k < 2; k++) {
        plot_figure *fig = plot_figure_new(0, 0);
        plot_panel *p = plot_panel_at(fig, 0, 0);
        two_lines(p, 200);
        plot_set_legend(p, k ? PLOT_LEGEND_ON : PLOT_LEGEND_OFF);
        ok &= render(fig, 640, 400, 2, k ? &on : &off);
        plot_figure_free(fig);
    }
    if (!ok) return;
    int x0 = on.w, y0 = on.h, x1 = 0, y1 = 0;
    for (int y = 0; y < on.h; y++)
        for (int x = 0; x < on.w; x++)
            if (on.px[y * on.w + x] != off.px[y * on.w + x]) {
                if (x < x0) x0 = x;
                if (x > x1) x1 = x;
                if (y < y0) y0 = y;
                if (y > y1) y1 = y;
            }
    CHECK(x1 > x0 && y1 > y0);
    CHECK((double)(x1 - x0) * (y1 - y0) < 0.15 * on.w * on.h);   /* a compact box */
    /* each swatch is a short line of its series' colour inside the box; the data under
     * the legend is drawn over by the legend's frame, so the exact colour comes from the
     * swatches */
    CHECK(count_rgb(&on, BLUE, x0, y0, x1 + 1, y1 + 1, NULL) > 40);
    CHECK(count_rgb(&on, ORANGE, x0, y0, x1 + 1, y1 + 1, NULL) > 40);
    free(on.px);
    free(off.px);
}

/* Pixels whose colour differs by more than tol in some channel. */
static long count_diff(const img *a, const img *b, int tol)
{
    long n = 0;
    for (int i = 0; i < a->w * a->h; i++)
        for (int sh = 0; sh < 24; sh += 8) {
            int d = (int)((a->px[i] >> sh) & 255) - (int)((b->px[i] >> sh) & 255);
            if (d > tol || d < -tol) { n++; break; }
        }
    return n;
}

/* The fast paths (a long line decimated to four points per pixel column; scatter circles
 * blended straight into the pixels) look like the plain Cairo reference drawing. */
static void test_fast_paths_match_reference(void)
{
    enum { N = 40000, M = 600 };
    double *y = malloc(N * sizeof *y), *sx = malloc(M * sizeof *sx), *sy = malloc(M * sizeof *sy);
    for (int i = 0; i < N; i++) y[i] = exp(-i / 8000.0) + 0.2 * sin(i * 0.37) * exp(-i / 20000.0);
    y[N / 2] = NAN;
    for (int i = 0; i < M; i++) sx[i] = sin(i * 1.1), sy[i] = cos(i * 2.3);
    img im[2];
    int ok = 1;
    for (int ref = 0; ref < 2; ref++) {
        plot_figure *fig = plot_figure_new(480, 300);
        plot_figure_set_grid(fig, 1, 2);
        plot_figure_set_reference(fig, ref);
        CHECK(plot_line(plot_panel_at(fig, 0, 0), NULL, y, N, NULL, NULL) == LT_OK);
        CHECK(plot_scatter(plot_panel_at(fig, 0, 1), sx, sy, M, NULL, NULL, NULL) == LT_OK);
        ok &= render(fig, 480, 300, 2, &im[ref]);
        plot_figure_free(fig);
    }
    if (ok) {
        long differ = count_diff(&im[0], &im[1], 48);
        CHECK(differ < (long)im[0].w * im[0].h / 500);   /* edge pixels only */
        CHECK(count_diff(&im[0], &im[1], 0) > 0);       /* they did take other paths */
        free(im[0].px);
        free(im[1].px);
    }
    free(y);
    free(sx);
    free(sy);
}

static void test_scatter_labels(void)
{
    enum { N = 300 };
    double xs[N], ys[N];
    int lab[N];
    for (int i = 0; i < N; i++) {
        lab[i] = i % 3;
        xs[i] = (lab[i] - 1) * 5 + sin(i * 1.7);
        ys[i] = cos(i * 2.3);
    }
    plot_figure *fig = plot_figure_new(500, 300);
    plot_figure_set_density(fig, 1);
    plot_panel *p = plot_panel_at(fig, 0, 0);
    plot_style st = {0};
    st.alpha = 1;
    CHECK(plot_scatter(p, xs, ys, N, lab, NULL, &st) == LT_OK);
    img im;
    if (render(fig, 500, 300, 1, &im)) {
        double c0, c1, c2;
        CHECK(count_rgb(&im, BLUE, 0, 0, im.w, im.h, &c0) > 100);
        CHECK(count_rgb(&im, ORANGE, 0, 0, im.w, im.h, &c1) > 100);
        CHECK(count_rgb(&im, GREEN, 0, 0, im.w, im.h, &c2) > 100);
        CHECK(c0 < c1 && c1 < c2);            /* class 0 left, 2 right */
        free(im.px);
    }
    char *d = plot_describe(fig);
    CHECK_STR(d, "scatter plot (300 points, 3 classes)");
    free(d);
    plot_figure_free(fig);
}

static void test_bars(void)
{
    const char *cats[] = {"F", "C", "R", "S"};
    double p1[] = {0.5, 0.25, 0.125, 0.125}, q[] = {0.25, 0.25, 0.25, 0.25};
    plot_figure *fig = plot_figure_new(0, 0);
    plot_panel *p = plot_panel_at(fig, 0, 0);
    CHECK(plot_bar(p, cats, p1, 4, "p", NULL) == LT_OK);
    CHECK(plot_bar(p, cats, q, 4, "q", NULL) == LT_OK);
    const char *other[] = {"F", "C", "R", "X"};
    CHECK(plot_bar(p, other, q, 4, "r", NULL) == LT_ERR_VALUE);
    CHECK(strstr(lt_errmsg(), "'X'") != NULL);
    CHECK(plot_bar(p, cats, q, 3, "r", NULL) == LT_ERR_VALUE);
    CHECK(plot_line(p, NULL, q, 4, NULL, NULL) == LT_ERR_VALUE);   /* not on bars */
    img im;
    if (render(fig, 640, 400, 2, &im)) {
        long b = count_rgb(&im, BLUE, 0, 0, im.w, im.h, NULL);
        long o = count_rgb(&im, ORANGE, 0, 0, im.w, im.h, NULL);
        CHECK(b > 1000 && o > 1000);
        CHECK(fabs((double)b / o - 1.0) < 0.1);  /* equal sums: equal areas (+ swatch) */
        free(im.px);
    }
    plot_figure_free(fig);
}

static void test_hist_and_fill(void)
{
    enum { N = 2000 };
    double xs[N];
    for (int i = 0; i < N; i++) xs[i] = sin(i * 0.37) + (i == 5 ? NAN : 0);
    plot_figure *fig = plot_figure_new(0, 0);
    plot_figure_set_grid(fig, 1, 2);
    plot_panel *p = plot_panel_at(fig, 0, 0);
    CHECK(plot_hist(p, xs, N, 20, 1, "sin", NULL) == LT_OK);
    plot_panel *q = plot_panel_at(fig, 0, 1);
    double gx[100], gy[100];
    for (int i = 0; i < 100; i++) gx[i] = i / 10.0, gy[i] = exp(-gx[i]);
    plot_style fill = {0};
    fill.fill = 1;
    CHECK(plot_line(q, gx, gy, 100, "exp", &fill) == LT_OK);
    img im;
    if (render(fig, 640, 400, 2, &im)) {
        CHECK(count_rgb(&im, BLUE, 0, 0, im.w / 2, im.h, NULL) > 5000);   /* the bars */
        CHECK(count_rgb(&im, BLUE, im.w / 2, 0, im.w, im.h, NULL) > 200); /* the line */
        free(im.px);
    }
    char *d = plot_describe(fig);
    CHECK_STR(d, "figure with 2 panels (1 x 2): histogram (1 series, 1999 values, 20 bins); "
                 "line plot (1 series, 100 points)");
    free(d);
    plot_figure_free(fig);
}

/* Two 2x2 images, [0 1; 1 0] and [1 0; 0 1], grey: half the image pixels black, half
 * white, and no grey in between (nearest neighbour, whole device pixels). */
static void test_image_grid_crisp(void)
{
    float px[8] = {0, 1, 1, 0, 1, 0, 0, 1};
    plot_figure *fig = plot_figure_new(300, 200);
    plot_panel *p = plot_panel_at(fig, 0, 0);
    CHECK(plot_image_grid(p, px, 2, 2, 2, NULL) == LT_OK);
    img im;
    if (render(fig, 300, 200, 2, &im)) {
        long black = count_rgb(&im, 0x000000, 0, 0, im.w, im.h, NULL);
        long grey = 0;
        for (int i = 0; i < im.w * im.h; i++) grey += im.px[i] != 0 && im.px[i] != 0xffffff;
        CHECK(black > 10000);
        CHECK(grey == 0);
        /* the white image pixels touch the white background, so count the black ones
         * per image: each image's black half equals its own size / 2 */
        double cx;
        count_rgb(&im, 0x000000, 0, 0, im.w, im.h, &cx);
        CHECK(fabs(cx - im.w / 2.0) < im.w * 0.05);  /* the grid is centred */
        free(im.px);
    }
    plot_figure_free(fig);
}

static void test_image_grid_labels(void)
{
    float px[6 * 28 * 28];
    for (int i = 0; i < 6 * 28 * 28; i++) px[i] = (float)((i * 7919) % 100) / 100;
    const char *rows[] = {"input", "a very long row label that must be cut somewhere sensible"};
    const char *titles[] = {"t=0", "t=100", "t=250", "t=500", "t=750", "t=999"};
    plot_images_opts o = {0};
    o.cols = 3;
    o.row_labels = rows;
    o.titles = titles;
    o.cmap = PLOT_CMAP_VIRIDIS;
    plot_figure *fig = plot_figure_new(0, 0);
    plot_set_title(plot_panel_at(fig, 0, 0), "noising");
    CHECK(plot_image_grid(plot_panel_at(fig, 0, 0), px, 6, 28, 28, &o) == LT_OK);
    img im;
    if (render(fig, 640, 400, 2, &im)) {
        CHECK(count_rgb(&im, 0x440154, 0, 0, im.w, im.h, NULL) > 0);  /* viridis(0) */
        CHECK(border_white(&im));
        free(im.px);
    }
    char *d = plot_describe(fig);
    CHECK_STR(d, "image grid 'noising' (6 images of 28 x 28, 3 per row)");
    free(d);
    plot_figure_free(fig);
}

/* The ink of an image grid of two white images whose row labels are "in" and "outputs",
 * in a figure width css px wide; -1 if it did not render. */
static long label_ink(int width)
{
    float px[2 * 28 * 28];
    for (int i = 0; i < 2 * 28 * 28; i++) px[i] = 1;   /* white on white: only the labels show */
    const char *rows[] = {"in", "outputs"};
    plot_images_opts o = {.cols = 1, .vmin = 0, .vmax = 1, .row_labels = rows};
    plot_figure *fig = plot_figure_new(width, 216);
    CHECK(plot_image_grid(plot_panel_at(fig, 0, 0), px, 2, 28, 28, &o) == LT_OK);
    img im;
    long ink = -1;
    if (render(fig, width, 216, 2, &im)) {
        ink = count_nonwhite(&im);
        free(im.px);
    }
    plot_figure_free(fig);
    return ink;
}

/* A row label that fits is drawn whole: in a narrow figure (show(x, y, labels=...) of one
 * image per row is 196 px wide) "outputs" used to be cut to "outp..." by rounding. */
static void test_image_grid_label_fits(void)
{
    long narrow = label_ink(196), wide = label_ink(600);
    CHECK(narrow > 0 && wide > 0);
    CHECK(labs(narrow - wide) < wide / 50);
}

static void test_heatmap(void)
{
    float z[12];
    for (int i = 0; i < 12; i++) z[i] = (float)i;
    z[5] = NAN;
    img im[2];
    int ok = 1;
    for (int annotate = 0; annotate < 2; annotate++) {
        plot_figure *fig = plot_figure_new(0, 0);
        plot_heatmap_opts o = {0};
        o.cbar_label = "count";
        o.annotate = annotate;
        CHECK(plot_heatmap(plot_panel_at(fig, 0, 0), z, 3, 4, &o) == LT_OK);
        ok &= render(fig, 640, 400, 2, &im[annotate]);
        plot_figure_free(fig);
    }
    if (ok) {
        CHECK(count_rgb(&im[0], 0x440154, 0, 0, im[0].w, im[0].h, NULL) > 1000); /* viridis(0) */
        CHECK(count_rgb(&im[0], 0xfde725, 0, 0, im[0].w, im[0].h, NULL) > 1000); /* viridis(1) */
        /* the values are written in the cells: white on the dark ones */
        CHECK(count_diff(&im[0], &im[1], 0) > 500);
        CHECK(count_rgb(&im[1], 0xffffff, 0, 0, im[1].w, im[1].h, NULL) >
              count_rgb(&im[0], 0xffffff, 0, 0, im[0].w, im[0].h, NULL));
        free(im[0].px);
        free(im[1].px);
    }
}

/* A map with an extent takes scatter points over it, on number axes: a red point at
 * (1.5, 0.5) lands in the right half of the map; without an extent it is refused. */
static void test_heatmap_points(void)
{
    float z[4] = {0, 1, 0, 1};
    double e[4] = {0, 2, 0, 1}, xs[1] = {1.5}, ys[1] = {0.5};
    plot_style red = {0};
    red.color = PLOT_RGB(0xff0000);
    red.alpha = 1;
    red.marker_size = 12;
    plot_figure *fig = plot_figure_new(0, 0);
    plot_heatmap_opts o = {0};
    CHECK(plot_heatmap(plot_panel_at(fig, 0, 0), z, 2, 2, NULL) == LT_OK);
    CHECK(plot_scatter(plot_panel_at(fig, 0, 0), xs, ys, 1, NULL, "p", &red) == LT_ERR_VALUE);
    plot_figure_free(fig);
    fig = plot_figure_new(0, 0);
    double bad[4] = {0, 0, 0, 1};
    o.extent = bad;
    CHECK(plot_heatmap(plot_panel_at(fig, 0, 0), z, 2, 2, &o) == LT_ERR_VALUE);
    o.extent = e;
    CHECK(plot_heatmap(plot_panel_at(fig, 0, 0), z, 2, 2, &o) == LT_OK);
    CHECK(plot_scatter(plot_panel_at(fig, 0, 0), xs, ys, 1, NULL, "p", &red) == LT_OK);
    char *d = plot_describe(fig);
    CHECK_STR(d, "heatmap (2 x 2) under 1 points");
    free(d);
    img im;
    if (render(fig, 640, 400, 2, &im)) {
        int left = count_rgb(&im, 0xff0000, 0, 0, im.w / 2, im.h, NULL);
        int right = count_rgb(&im, 0xff0000, im.w / 2, 0, im.w, im.h, NULL);
        CHECK(right > 50 && left < right / 10);
        free(im.px);
    }
    plot_figure_free(fig);
}

static void test_tree(void)
{
    plot_tree_node t[] = {
        {"1", NULL, NULL, -1}, {"F", "0.5", "0", 0}, {"0.5", NULL, "1", 0},
        {"C", "0.25", "0", 2}, {"0.25", NULL, "1", 2}, {"R", "0.125", "0", 4},
        {"S", "0.125", "1", 4},
    };
    plot_figure *fig = plot_figure_new(0, 0);
    plot_panel *p = plot_panel_at(fig, 0, 0);
    CHECK(plot_tree(p, t, 7) == LT_OK);
    CHECK(plot_tree(p, t, 7) == LT_ERR_VALUE);          /* one tree per panel */
    img im;
    if (render(fig, 640, 400, 2, &im)) {
        CHECK(count_rgb(&im, ORANGE, 0, 0, im.w, im.h, NULL) > 200);  /* leaf boxes */
        CHECK(count_rgb(&im, BLUE, 0, 0, im.w, im.h, NULL) > 100);    /* inner boxes */
        CHECK(border_white(&im));
        free(im.px);
    }
    char *d = plot_describe(fig);
    CHECK_STR(d, "tree (7 nodes, 4 leaves)");
    free(d);
    plot_figure_free(fig);

    plot_tree_node bad[] = {{"r", NULL, NULL, -1}, {"a", NULL, NULL, 2}, {"b", NULL, NULL, 0}};
    fig = plot_figure_new(0, 0);
    CHECK(plot_tree(plot_panel_at(fig, 0, 0), bad, 3) == LT_ERR_VALUE);
    CHECK(strstr(lt_errmsg(), "node 1") != NULL);
    plot_figure_free(fig);
}

/* A 40-leaf tree at its hinted size: leaf boxes must not overlap, which we see as
 * each leaf's orange border being separated from the next by background. */
static void test_big_tree(void)
{
    plot_tree_node nodes[79];
    char names[79][16];
    nodes[0] = (plot_tree_node){NULL, NULL, NULL, -1};
    int n = 1, head = 0, leaves = 1;
    while (leaves < 40) {          /* split the oldest leaf into two, breadth first */
        for (int c = 0; c < 2; c++) nodes[n++] = (plot_tree_node){NULL, NULL, c ? "1" : "0", head};
        head++;
        leaves++;
    }
    for (int i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], "s%d", i);
        nodes[i].label = names[i];
        nodes[i].sublabel = "0.025";
    }
    int w, h;
    plot_tree_size_hint(nodes, n, &w, &h);
    CHECK(w >= 640 && w <= PLOT_MAX_SIDE && h >= 400);
    plot_figure *fig = plot_figure_new(w, h);
    plot_figure_set_density(fig, 1);
    CHECK(plot_tree(plot_panel_at(fig, 0, 0), nodes, n) == LT_OK);
    img im;
    if (render(fig, w, h, 1, &im)) {
        CHECK(border_white(&im));
        free(im.px);
    }
    plot_figure_free(fig);
}

/* No two node boxes of the tree overlap when drawn on a w x h figure; all inside it. */
static void check_tree_layout(const plot_tree_node *nodes, int n, int w, int h)
{
    plot_figure *fig = plot_figure_new(w, h);
    plot_panel *p = plot_panel_at(fig, 0, 0);
    CHECK(plot_tree(p, nodes, n) == LT_OK);
    plot_rect *b = malloc((size_t)n * sizeof *b);
    CHECK(plot_tree_boxes(p, (plot_rect){0, 0, w, h}, b));
    int overlaps = 0, outside = 0;
    for (int i = 0; i < n; i++) {
        outside += b[i].x < 0 || b[i].y < 0 || b[i].x + b[i].w > w || b[i].y + b[i].h > h;
        for (int j = i + 1; j < n; j++)
            overlaps += b[i].x < b[j].x + b[j].w && b[j].x < b[i].x + b[i].w &&
                        b[i].y < b[j].y + b[j].h && b[j].y < b[i].y + b[i].h;
    }
    CHECK(overlaps == 0);
    CHECK(outside == 0);
    if (overlaps || outside)
        fprintf(stderr, "  tree of %d nodes at %d x %d: %d overlaps, %d outside\n", n, w, h,
                overlaps, outside);
    free(b);
    plot_figure_free(fig);
}

/* Trees of up to 40 leaves: balanced, a caterpillar (dyadic probabilities) and random
 * shapes, at the default size and at their hinted size. */
static void test_tree_layouts(void)
{
    enum { LEAVES = 40, N = 2 * LEAVES - 1 };
    plot_tree_node nodes[N];
    char names[N][16], probs[N][16];
    uint64_t rnd = 7;
    for (int shape = 0; shape < 12; shape++) {
        /* grow a binary tree by splitting a leaf: the oldest (balanced), the newest
         * (caterpillar), or a random one */
        int leaf_list[N], nleaves = 1, n = 1;
        nodes[0] = (plot_tree_node){NULL, NULL, NULL, -1};
        leaf_list[0] = 0;
        while (nleaves < LEAVES) {
            rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
            int k = shape == 0 ? 0 : shape == 1 ? nleaves - 1 : (int)((rnd >> 33) % nleaves);
            int parent = leaf_list[k];
            for (int c = 0; c < 2; c++)
                nodes[n++] = (plot_tree_node){NULL, NULL, c ? "1" : "0", parent};
            leaf_list[k] = n - 2;
            leaf_list[nleaves++] = n - 1;
        }
        /* parents must come first: they do, since children are appended */
        for (int i = 0; i < n; i++) {
            int leaf = 1;
            for (int j = i + 1; j < n && leaf; j++) leaf = nodes[j].parent != i;
            snprintf(names[i], sizeof names[i], "%c%d", 'a' + i % 26, i);
            snprintf(probs[i], sizeof probs[i], "%.4f", 1.0 / LEAVES);
            nodes[i].label = leaf ? names[i] : NULL;
            nodes[i].sublabel = leaf ? probs[i] : NULL;
        }
        check_tree_layout(nodes, n, 640, 400);
        int w, h;
        plot_tree_size_hint(nodes, n, &w, &h);
        check_tree_layout(nodes, n, w, h);
    }
}

static void test_sizes_and_grid(void)
{
    double y[3] = {1, 2, 3};
    plot_figure *fig = plot_figure_new(300, 200);
    CHECK(plot_figure_set_density(fig, 1.5) == LT_OK);
    CHECK(plot_figure_set_density(fig, 0) == LT_ERR_VALUE);
    CHECK(plot_figure_set_grid(fig, 2, 2) == LT_OK);
    CHECK(plot_panel_at(fig, 2, 0) == NULL);
    CHECK(strstr(lt_errmsg(), "(2, 0)") != NULL);
    CHECK(plot_line(plot_panel_at(fig, 1, 1), NULL, y, 3, NULL, NULL) == LT_OK);
    plot_figure_set_title(fig, "grid");
    img im;
    if (render(fig, 300, 200, 1.5, &im)) {
        /* only the bottom right panel has data */
        CHECK(count_rgb(&im, BLUE, im.w / 2, im.h / 2, im.w, im.h, NULL) > 20);
        CHECK(count_rgb(&im, BLUE, 0, 0, im.w, im.h / 2, NULL) == 0);
        free(im.px);
    }
    plot_figure_free(fig);
    CHECK(plot_figure_new(-1, 10) == NULL);
    CHECK(plot_figure_new(100000, 100) == NULL);
}

static void test_hard_data_renders(void)
{
    double tiny[4] = {1, 1 + 1e-9, 1 + 3e-9, 1 + 2e-9}, huge[3] = {0, 6e11, 1.2e12};
    double cst[3] = {5, 5, 5}, withnan[7] = {1, 2, NAN, 3, INFINITY, 2, 1};
    double neg[3] = {-3, -2.5, -2.1};
    const double *series[] = {tiny, huge, cst, withnan, neg};
    size_t lens[] = {4, 3, 3, 7, 3};
    for (int i = 0; i < 5; i++) {
        plot_figure *fig = plot_figure_new(320, 240);
        plot_panel *p = plot_panel_at(fig, 0, 0);
        CHECK(plot_line(p, NULL, series[i], lens[i], NULL, NULL) == LT_OK);
        img im;
        if (render(fig, 320, 240, 2, &im)) {
            CHECK(count_rgb(&im, BLUE, 0, 0, im.w, im.h, NULL) > 100);
            CHECK(border_white(&im));
            free(im.px);
        }
        plot_figure_free(fig);
    }
    /* log-y over 12 decades */
    double decay[50];
    for (int i = 0; i < 50; i++) decay[i] = pow(10, -i / 4.0);
    plot_figure *fig = plot_figure_new(0, 0);
    plot_set_logy(plot_panel_at(fig, 0, 0), 1);
    CHECK(plot_line(plot_panel_at(fig, 0, 0), NULL, decay, 50, NULL, NULL) == LT_OK);
    img im;
    if (render(fig, 640, 400, 2, &im)) {
        CHECK(count_rgb(&im, BLUE, 0, 0, im.w, im.h, NULL) > 500);
        free(im.px);
    }
    plot_figure_free(fig);
}

static void test_long_labels(void)
{
    char longs[3000];
    for (int i = 0; i < 2999; i++) longs[i] = "abcdefghij klmnop\xc3\xa9"[i % 19];
    longs[2999] = 0;
    longs[2998] = (char)0xc3;  /* an invalid UTF-8 ending must not break drawing */
    const char *cats[] = {longs, "b", longs, "d", "e", "f", "g", "h", "i", "j", "k", "l"};
    double v[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    plot_figure *fig = plot_figure_new(400, 300);
    plot_figure_set_title(fig, longs);
    plot_panel *p = plot_panel_at(fig, 0, 0);
    plot_set_title(p, longs);
    plot_set_xlabel(p, longs);
    plot_set_ylabel(p, longs);
    CHECK(plot_bar(p, cats, v, 12, longs, NULL) == LT_OK);
    CHECK(plot_bar(p, cats, v, 12, "short", NULL) == LT_OK);
    img im;
    if (render(fig, 400, 300, 2, &im)) {
        CHECK(border_white(&im));
        CHECK(count_rgb(&im, BLUE, 0, 0, im.w, im.h, NULL) > 100);
        free(im.px);
    }
    char *d = plot_describe(fig);
    CHECK(d != NULL && strlen(d) > 3000);
    free(d);
    plot_figure_free(fig);
}

static void test_errors(void)
{
    plot_figure *fig = plot_figure_new(0, 0);
    plot_panel *p = plot_panel_at(fig, 0, 0);
    double y[3] = {1, 2, 3}, nans[3] = {NAN, NAN, INFINITY}, negs[3] = {1, -1, 2};
    CHECK(plot_line(p, NULL, y, 0, "empty", NULL) == LT_ERR_VALUE);
    CHECK(strstr(lt_errmsg(), "empty") != NULL);
    CHECK(plot_line(p, NULL, nans, 3, NULL, NULL) == LT_ERR_VALUE);
    CHECK(strstr(lt_errmsg(), "NaN") != NULL);
    CHECK(plot_scatter(p, y, nans, 3, NULL, NULL, NULL) == LT_ERR_VALUE);
    CHECK(plot_hist(p, y, 3, -1, 0, NULL, NULL) == LT_ERR_VALUE);
    plot_style bad = {0};
    bad.alpha = 2;
    CHECK(plot_line(p, NULL, y, 3, NULL, &bad) == LT_ERR_VALUE);
    CHECK(strstr(lt_errmsg(), "alpha") != NULL);
    float img1[4] = {0};
    CHECK(plot_image_grid(p, img1, 1, 0, 2, NULL) == LT_ERR_VALUE);
    CHECK(strstr(lt_errmsg(), "0 x 2") != NULL);
    CHECK(plot_heatmap(p, img1, 0, 4, NULL) == LT_ERR_VALUE);
    CHECK(plot_set_xlim(p, 1, 1) == LT_ERR_VALUE);
    /* nonpositive values on a log axis: refused when drawing */
    CHECK(plot_line(p, NULL, negs, 3, "d", NULL) == LT_OK);
    plot_set_logy(p, 1);
    plot_png png;
    CHECK(plot_render_png(fig, &png) == LT_ERR_VALUE);
    CHECK(strstr(lt_errmsg(), "log") != NULL && strstr(lt_errmsg(), "'d'") != NULL);
    CHECK(png.data == NULL && png.len == 0);
    plot_set_logy(p, 0);
    CHECK(plot_render_png(fig, &png) == LT_OK);
    plot_png_free(&png);
    CHECK(plot_write_png(fig, "/nonexistent-dir/x.png") == LT_ERR_IO);
    plot_figure_free(fig);
}

static void test_write_file(void)
{
    plot_figure *fig = plot_figure_new(200, 100);
    double y[2] = {0, 1};
    plot_line(plot_panel_at(fig, 0, 0), NULL, y, 2, NULL, NULL);
    const char *path = "test_plot_out.png";
    CHECK(plot_write_png(fig, path) == LT_OK);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f) {
        unsigned char magic[8] = {0};
        CHECK(fread(magic, 1, 8, f) == 8 && memcmp(magic, "\x89PNG\r\n\x1a\n", 8) == 0);
        fclose(f);
        remove(path);
    }
    plot_figure_free(fig);
}

/* fontconfig (under Cairo's text) keeps its configuration for the life of the process;
 * LeakSanitizer in the LATENT_ASAN build should not count that as ours. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

int main(void)
{
    RUN(test_ticks_hard_ranges);
    RUN(test_ticks_degenerate);
    RUN(test_log_ticks);
    RUN(test_format);
    RUN(test_line_png);
    RUN(test_legend);
    RUN(test_fast_paths_match_reference);
    RUN(test_scatter_labels);
    RUN(test_bars);
    RUN(test_hist_and_fill);
    RUN(test_image_grid_crisp);
    RUN(test_image_grid_labels);
    RUN(test_image_grid_label_fits);
    RUN(test_heatmap);
    RUN(test_heatmap_points);
    RUN(test_tree);
    RUN(test_big_tree);
    RUN(test_tree_layouts);
    RUN(test_sizes_and_grid);
    RUN(test_hard_data_renders);
    RUN(test_long_labels);
    RUN(test_errors);
    RUN(test_write_file);
    return check_summary("plot");
}
