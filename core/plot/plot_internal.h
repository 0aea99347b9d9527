/* plot_internal.h: the figure's data structures, shared by the plot_*.c files; the
 * drawing helpers are declared beside their files (plot_text.h, plot_image.h,
 * plot_axes.h, plot_tree.h). Not part of the public API (see plot.h). */
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

#endif
