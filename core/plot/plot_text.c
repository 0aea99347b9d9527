/* plot_text.c: text and colour on a figure: fonts, measured and anchored text, text cut to
 * a width, panel titles (see plot_text.h). Lengths in CSS px. */
#include "plot_text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define FS_TITLE 12.0   /* pt */

void plot_set_rgb(cairo_t *cr, uint32_t rgb, double alpha)
{
    cairo_set_source_rgba(cr, ((rgb >> 16) & 255) / 255.0, ((rgb >> 8) & 255) / 255.0,
                          (rgb & 255) / 255.0, alpha);
}

void plot_font(cairo_t *cr, double size_pt, int bold)
{
    cairo_select_font_face(cr, PLOT_FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size_pt * PLOT_PT);
}

double plot_text_width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t te;
    cairo_text_extents(cr, s, &te);
    return te.x_advance;
}

double plot_font_px(cairo_t *cr)
{
    cairo_matrix_t m;
    cairo_get_font_matrix(cr, &m);
    return m.yy;
}

void plot_text(cairo_t *cr, const char *s, double x, double y, plot_halign ha,
               plot_valign va, double angle)
{
    double w = plot_text_width(cr, s), fs = plot_font_px(cr);
    double dx = ha == PLOT_LEFT ? 0 : ha == PLOT_CENTER ? -w / 2 : -w;
    double dy = va == PLOT_TOP ? PLOT_CAP_H * fs : va == PLOT_MIDDLE ? PLOT_CAP_H * fs / 2
              : va == PLOT_BOTTOM ? -PLOT_DESC * fs : 0;
    cairo_save(cr);
    cairo_translate(cr, x, y);
    if (angle != 0) cairo_rotate(cr, angle);
    cairo_move_to(cr, dx, dy);
    cairo_show_text(cr, s);
    cairo_restore(cr);
}

const char *plot_fit_text(cairo_t *cr, const char *s, double maxw, char *buf, size_t cap)
{
    if (plot_text_width(cr, s) <= maxw) return s;
    size_t n = strlen(s);
    if (n + 4 > cap) n = cap - 4;
    while (n > 0) {
        /* step back over UTF-8 continuation bytes */
        do n--; while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80);
        memcpy(buf, s, n);
        memcpy(buf + n, "...", 4);
        if (plot_text_width(cr, buf) <= maxw) return buf;
    }
    snprintf(buf, cap, "...");
    return buf;
}

double plot_panel_title_height(const plot_panel *p)
{
    double fs = FS_TITLE * PLOT_PT;
    return p->title && p->title[0] ? 8 + fs * PLOT_CAP_H + 0.5 * fs : 0;
}

double plot_draw_panel_title(cairo_t *cr, const plot_panel *p, plot_rect cell)
{
    if (!p->title || !p->title[0]) return 0;
    char buf[512];
    plot_font(cr, FS_TITLE, 0);
    cairo_set_source_rgb(cr, 0, 0, 0);
    plot_text(cr, plot_fit_text(cr, p->title, cell.w - 8, buf, sizeof buf), cell.x + cell.w / 2,
              cell.y + 8, PLOT_CENTER, PLOT_TOP, 0);
    return plot_panel_title_height(p);
}
