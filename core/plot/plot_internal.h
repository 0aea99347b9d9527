/* plot_internal.h: the figure's data structures and the drawing helpers shared by the
 * plot_*.c files. Not part of the public API (see plot.h). */
#ifndef PLOT_INTERNAL_H
#define PLOT_INTERNAL_H

#include <cairo.h>

#include "plot.h"

#define PLOT_PT (100.0 / 72.0)   /* CSS px per point (figures are drawn at 100 dpi) */
#define PLOT_FONT "DejaVu Sans"

typedef enum plot_kind {
    PLOT_KIND_NONE = 0, PLOT_KIND_LINE, PLOT_KIND_SCATTER, PLOT_KIND_BAR, PLOT_KIND_HIST,
    PLOT_KIND_HEATMAP, PLOT_KIND_IMAGES, PLOT_KIND_TREE
} plot_kind;

typedef struct plot_series {
    plot_kind kind;
    char *label;          /* owned, may be NULL */
    double *xs, *ys;      /* owned; line/scatter: n points; bar: ys n heights, xs NULL;
                             hist: xs n+1 bin edges, ys n bin heights */
    size_t n;
    size_t nvalues;       /* hist: number of values counted (for the description) */
    uint32_t color;       /* 0xRRGGBB */
    double line_width, alpha, marker_size; /* line width and marker size in CSS px */
    plot_marker marker;
    int fill;
} plot_series;

typedef struct plot_tree_data {
    plot_tree_node *nodes; /* owned, with owned strings */
    int n;
} plot_tree_data;

struct plot_panel {
    char *title, *xlabel, *ylabel;
    int logy;
    int has_xlim, has_ylim;
    double xlim[2], ylim[2];
    plot_legend_mode legend;
    int next_color;

    plot_series *series;  /* line, scatter, bar, hist series */
    int nseries, cap;
    char **cats;          /* bar categories (ncats strings) */
    size_t ncats;

    plot_kind frameless;  /* PLOT_KIND_HEATMAP, _IMAGES or _TREE when the panel holds one */
    float *values;        /* heatmap z (rows x cols) or images (n x h x w) */
    int rows, cols;       /* heatmap shape */
    int nimages, h, w;    /* image grid shape */
    plot_cmap cmap;
    double vmin, vmax;    /* vmin == vmax: automatic */
    int grid_cols;        /* images per row */
    char **xticklabels, **yticklabels, *cbar_label; /* heatmap (cols / rows strings) */
    int annotate;                                    /* heatmap: values in the cells */
    int has_extent;                                  /* heatmap over number axes: */
    double extent[4];                                /* x0, x1, y0 (bottom), y1 (top) */
    char **row_labels, **titles;                     /* image grid (grid rows / n) */
    plot_tree_data tree;
};

struct plot_figure {
    int width, height;    /* CSS px */
    double density;
    char *title;
    int rows, cols;
    plot_panel *panels;   /* rows * cols */
    int reference;        /* draw with the slow, plain Cairo paths (tests compare) */
};

/* A rectangle in CSS px. */
typedef struct plot_rect { double x, y, w, h; } plot_rect;

/* What every drawing function needs: the context (scaled to CSS px) and, for direct
 * pixel writes, the surface and its density. */
typedef struct plot_canvas {
    cairo_t *cr;
    cairo_surface_t *surface;
    double density;
    int reference;        /* no fast paths: every line point, every circle through Cairo */
} plot_canvas;

/* Makes fig draw with the plain Cairo reference paths instead of the fast ones (line
 * decimation, directly blended scatter circles), so that tests can compare the two. */
void plot_figure_set_reference(plot_figure *fig, int on);

/* ---- text (plot_axes.c) ---- */
typedef enum { PLOT_LEFT, PLOT_CENTER, PLOT_RIGHT } plot_halign;
typedef enum { PLOT_TOP, PLOT_MIDDLE, PLOT_BASELINE, PLOT_BOTTOM } plot_valign;
void plot_font(cairo_t *cr, double size_pt, int bold);
double plot_text_width(cairo_t *cr, const char *s);
/* Draws s with its anchor at (x, y); rotated by angle (radians, counter-clockwise
 * positive as seen on screen when angle = -pi/2 reads bottom to top). */
void plot_text(cairo_t *cr, const char *s, double x, double y, plot_halign ha,
               plot_valign va, double angle);
/* s, or a copy in buf cut with "..." so that it is at most maxw px wide. */
const char *plot_fit_text(cairo_t *cr, const char *s, double maxw, char *buf, size_t cap);
void plot_set_rgb(cairo_t *cr, uint32_t rgb, double alpha);

/* ---- drawing of each part ---- */
lt_status plot_draw_axes_panel(plot_canvas *cv, const plot_panel *p, plot_rect cell);
void plot_draw_heatmap(plot_canvas *cv, const plot_panel *p, plot_rect cell);
void plot_draw_images(plot_canvas *cv, const plot_panel *p, plot_rect cell);
void plot_draw_tree(plot_canvas *cv, const plot_panel *p, plot_rect cell);
/* Draws the panel title at the top of cell and returns the height it takes (0 without
 * a title); plot_panel_title_height only measures. */
double plot_draw_panel_title(cairo_t *cr, const plot_panel *p, plot_rect cell);
double plot_panel_title_height(const plot_panel *p);

/* The box of every node of the panel's tree (p->tree.n rects, CSS px) as drawn in cell:
 * for tests of the layout. Returns 0 if memory runs out. */
int plot_tree_boxes(const plot_panel *p, plot_rect cell, plot_rect *boxes);

/* ---- colour maps and pixel blits (plot_image.c) ---- */
uint32_t plot_cmap_rgb(plot_cmap cmap, double t); /* t in [0,1] -> 0xRRGGBB */
/* Fills the device-pixel rectangle (dx, dy, dw, dh) with the rows x cols values,
 * nearest neighbour, mapped through cmap over [vmin, vmax]; NaN cells white. */
void plot_blit(plot_canvas *cv, int dx, int dy, int dw, int dh, const float *v, int rows,
               int cols, double vmin, double vmax, plot_cmap cmap);
/* The finite min and max of v (n values); returns 0 if none is finite. */
int plot_float_range(const float *v, size_t n, double *lo, double *hi);

#endif
