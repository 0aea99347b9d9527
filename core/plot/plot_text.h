/* plot_text.h: text and colour on a figure (plot_text.c). Not part of the public API. */
#ifndef PLOT_TEXT_H
#define PLOT_TEXT_H

#include "plot_internal.h"

#define PLOT_CAP_H 0.729   /* DejaVu Sans cap height, ascent and descent, per em */
#define PLOT_DESC 0.236

typedef enum { PLOT_LEFT, PLOT_CENTER, PLOT_RIGHT } plot_halign;
typedef enum { PLOT_TOP, PLOT_MIDDLE, PLOT_BASELINE, PLOT_BOTTOM } plot_valign;
void plot_font(cairo_t *cr, double size_pt, int bold);
double plot_text_width(cairo_t *cr, const char *s);
/* The current font size in CSS px. */
double plot_font_px(cairo_t *cr);
/* Draws s with its anchor at (x, y); rotated by angle (radians, counter-clockwise
 * positive as seen on screen when angle = -pi/2 reads bottom to top). */
void plot_text(cairo_t *cr, const char *s, double x, double y, plot_halign ha,
               plot_valign va, double angle);
/* s, or a copy in buf cut with "..." so that it is at most maxw px wide. */
const char *plot_fit_text(cairo_t *cr, const char *s, double maxw, char *buf, size_t cap);
void plot_set_rgb(cairo_t *cr, uint32_t rgb, double alpha);


/* Draws the panel title at the top of cell and returns the height it takes (0 without
 * a title); plot_panel_title_height only measures. */
double plot_draw_panel_title(cairo_t *cr, const plot_panel *p, plot_rect cell);
double plot_panel_title_height(const plot_panel *p);

#endif
