/* plot_image.c: colour maps, crisp nearest-neighbour pixel blits, and the image grid. */
#include "plot_image.h"

#include "plot_text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* matplotlib's viridis (CC0), sampled at 33 evenly spaced points; interpolated linearly. */
static const unsigned char viridis[33][3] = {
    {68, 1, 84}, {71, 13, 96}, {72, 24, 106}, {72, 35, 116}, {71, 45, 123}, {69, 55, 129},
    {66, 64, 134}, {62, 73, 137}, {59, 82, 139}, {55, 91, 141}, {51, 99, 141},
    {47, 107, 142}, {44, 114, 142}, {41, 122, 142}, {38, 130, 142}, {35, 137, 142},
    {33, 145, 140}, {31, 152, 139}, {31, 160, 136}, {34, 167, 133}, {40, 174, 128},
    {50, 182, 122}, {63, 188, 115}, {78, 195, 107}, {94, 201, 98}, {112, 207, 87},
    {132, 212, 75}, {152, 216, 62}, {173, 220, 48}, {194, 223, 35}, {216, 226, 25},
    {236, 229, 27}, {253, 231, 37},
};

uint32_t plot_cmap_rgb(plot_cmap cmap, double t)
{
    t = isnan(t) ? 0 : t < 0 ? 0 : t > 1 ? 1 : t;
    if (cmap == PLOT_CMAP_GREY) {
        uint32_t g = (uint32_t)lround(t * 255);
        return g << 16 | g << 8 | g;
    }
    double u = t * 32;
    int i = (int)u;
    if (i >= 32) i = 31;
    double f = u - i;
    uint32_t rgb = 0;
    for (int c = 0; c < 3; c++) {
        double v = viridis[i][c] + f * (viridis[i + 1][c] - viridis[i][c]);
        rgb = rgb << 8 | (uint32_t)lround(v);
    }
    return rgb;
}

int plot_float_range(const float *v, size_t n, double *lo, double *hi)
{
    double a = INFINITY, b = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            if (v[i] < a) a = v[i];
            if (v[i] > b) b = v[i];
        }
    if (a > b) return 0;
    *lo = a;
    *hi = b;
    return 1;
}

void plot_blit(plot_canvas *cv, int dx, int dy, int dw, int dh, const float *v, int rows,
               int cols, double vmin, double vmax, plot_cmap cmap)
{
    if (dw <= 0 || dh <= 0) return;
    cairo_surface_flush(cv->surface);
    unsigned char *data = cairo_image_surface_get_data(cv->surface);
    int stride = cairo_image_surface_get_stride(cv->surface);
    int sw = cairo_image_surface_get_width(cv->surface);
    int sh = cairo_image_surface_get_height(cv->surface);
    uint32_t lut[256];
    for (int i = 0; i < 256; i++) lut[i] = plot_cmap_rgb(cmap, i / 255.0);
    double scale = vmax > vmin ? 255.0 / (vmax - vmin) : 0;
    for (int y = 0; y < dh; y++) {
        int py = dy + y;
        if (py < 0 || py >= sh) continue;
        const float *src = v + (size_t)((long long)y * rows / dh) * cols;
        uint32_t *row = (uint32_t *)(data + (size_t)py * stride);
        for (int x = 0; x < dw; x++) {
            int px = dx + x;
            if (px < 0 || px >= sw) continue;
            float s = src[(long long)x * cols / dw];
            if (!isfinite(s)) { row[px] = isnan(s) ? 0xffffff : lut[s > 0 ? 255 : 0]; continue; }
            double t = (s - vmin) * scale;
            row[px] = lut[t <= 0 ? 0 : t >= 255 ? 255 : (int)(t + 0.5)];
        }
    }
    cairo_surface_mark_dirty(cv->surface);
}

/* ---- image grid ---- */

#define FS_CAPTION 10.0

void plot_draw_images(plot_canvas *cv, const plot_panel *p, plot_rect cell)
{
    cairo_t *cr = cv->cr;
    plot_rect area = cell;
    double th = plot_draw_panel_title(cr, p, cell);
    area.y += th;
    area.h -= th;
    int cols = p->grid_cols, rows = (p->nimages + cols - 1) / cols;
    plot_font(cr, FS_CAPTION, 0);
    double fs = FS_CAPTION * PLOT_PT, pad = 6, gap = 4;
    double caption = p->titles ? 1.4 * fs : 0;
    /* Row labels get the width of the widest one (at most 40% of the panel) plus a gap.
     * Cairo measures the same text a hair wider once the blits have moved things
     * around (53.046332465277786 vs ...771), so a label is fitted to its room plus half
     * a pixel: without it the widest label, which fits, was cut ("outputs" -> "outp..."). */
    double room = 0;
    for (int r = 0; p->row_labels && r < rows; r++) room = fmax(room, plot_text_width(cr, p->row_labels[r]));
    room = fmin(room, area.w * 0.4 - 0.8 * fs);
    if (room < 0) room = 0;
    double left = p->row_labels ? room + 0.8 * fs : 0;
    double s = fmin((area.w - 2 * pad - left - (cols - 1) * gap) / ((double)cols * p->w),
                    (area.h - 2 * pad - rows * caption - (rows - 1) * gap) / ((double)rows * p->h));
    double d = cv->density, ds = s * d;
    if (ds >= 1 && floor(ds) >= 0.8 * ds) ds = floor(ds); /* whole device px per pixel */
    if (ds <= 0) ds = 1.0 / (p->w > p->h ? p->w : p->h);
    s = ds / d;
    double gw = left + cols * p->w * s + (cols - 1) * gap;
    double gh = rows * (p->h * s + caption) + (rows - 1) * gap;
    double x0 = area.x + (area.w - gw) / 2, y0 = area.y + (area.h - gh) / 2;
    double vmin = p->vmin, vmax = p->vmax;
    size_t per = (size_t)p->h * p->w;
    if (vmin == vmax) plot_float_range(p->values, per * p->nimages, &vmin, &vmax);
    char buf[512];
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int k = 0; k < p->nimages; k++) {
        int r = k / cols, c = k % cols;
        double x = x0 + left + c * (p->w * s + gap);
        double y = y0 + r * (p->h * s + caption + gap) + caption;
        int dx = (int)lround(x * d), dy = (int)lround(y * d);
        int dw = (int)lround(p->w * ds), dh = (int)lround(p->h * ds);
        plot_blit(cv, dx, dy, dw, dh, p->values + per * k, p->h, p->w, vmin, vmax, p->cmap);
        if (p->titles && p->titles[k][0]) {
            plot_text(cr, plot_fit_text(cr, p->titles[k], p->w * s + gap, buf, sizeof buf),
                      x + p->w * s / 2, y - 0.35 * fs, PLOT_CENTER, PLOT_BOTTOM, 0);
        }
        if (c == 0 && p->row_labels && p->row_labels[r][0])
            plot_text(cr, plot_fit_text(cr, p->row_labels[r], room + 0.5, buf, sizeof buf),
                      x - 0.5 * fs, y + p->h * s / 2, PLOT_RIGHT,
                      PLOT_MIDDLE, 0);
    }
}
