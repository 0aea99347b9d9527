/* plot.h: figures drawn with Cairo and encoded as PNG, in the look of matplotlib.
 *
 * A figure is a grid of panels (subplots). Each panel holds one or more series of
 * one kind family: "axes" kinds (line, scatter, bar, histogram, heatmap) share a panel
 * with axes, ticks, grid and legend; "frameless" kinds (image grid, tree) take the
 * whole panel. The figure copies every input array, so callers may free theirs at once.
 *
 *     plot_figure *fig = plot_figure_new(0, 0);           // 640 x 400 CSS px, density 2
 *     plot_panel *p = plot_panel_at(fig, 0, 0);
 *     plot_set_title(p, "loss");
 *     plot_set_xlabel(p, "step");
 *     if (plot_line(p, NULL, train, n, "train", NULL) != LT_OK ||
 *         plot_line(p, NULL, valid, n, "valid", NULL) != LT_OK) ... lt_errmsg() ...
 *     plot_png png;
 *     if (plot_render_png(fig, &png) == LT_OK) {
 *         send(png.data, png.len, png.css_width, png.css_height);
 *         plot_png_free(&png);
 *     }
 *     char *text = plot_describe(fig);                     // "line plot 'loss' (2 series, ...)"
 *     free(text);
 *     plot_figure_free(fig);
 *
 * Errors: functions returning lt_status leave a message in lt_errmsg() (see lt_error.h)
 * and leave the figure unchanged. Bad data (empty series, mismatched lengths, all
 * non-finite values, zero-size images) is refused when added, with LT_ERR_VALUE; a
 * conflict only visible when drawing (nonpositive values on a log axis) is refused by
 * plot_render_png / plot_write_png. Non-finite values inside a series are skipped:
 * they break a line, and they are left out of axis ranges.
 *
 * Sizes are in CSS pixels (1/96 in on screen; matplotlib's figure at 100 dpi has the
 * same numbers): a 640 x 400 figure at density 2 is a 1280 x 800 PNG that the front
 * end shows at 640 x 400. Text sizes are in points of a 100-dpi figure (10 pt = 13.9 px).
 */
#ifndef PLOT_H
#define PLOT_H

#include <stddef.h>
#include <stdint.h>

#include "lt_error.h"

typedef struct plot_figure plot_figure;
typedef struct plot_panel plot_panel;

enum { PLOT_DEFAULT_WIDTH = 640, PLOT_DEFAULT_HEIGHT = 400, PLOT_MAX_PANELS = 64,
       PLOT_MAX_SIDE = 8192 };

/* ---- figure ------------------------------------------------------------------- */

/* A new figure of width x height CSS px (0 for the default 640 x 400), density 2, one
 * panel. Returns NULL (with a message) if a side is negative or above PLOT_MAX_SIDE, or
 * memory runs out. Free it with plot_figure_free. */
plot_figure *plot_figure_new(int width, int height);
void plot_figure_free(plot_figure *fig);

/* Device pixels per CSS pixel, in [0.25, 4] (default 2). */
lt_status plot_figure_set_density(plot_figure *fig, double density);

/* Splits the figure into rows x cols panels (at most PLOT_MAX_PANELS). Panels that
 * already exist keep their content if they still fit, others are dropped. Panel
 * pointers obtained before the call are no longer valid after it: call it first. */
lt_status plot_figure_set_grid(plot_figure *fig, int rows, int cols);

/* Changes the size (CSS px, as in plot_figure_new; 0 keeps that side). */
lt_status plot_figure_set_size(plot_figure *fig, int width, int height);

/* The figure title (a "suptitle" above all panels); NULL removes it. The text is copied. */
lt_status plot_figure_set_title(plot_figure *fig, const char *title);

/* The panel at (row, col), owned by the figure. NULL (with a message) if out of range. */
plot_panel *plot_panel_at(plot_figure *fig, int row, int col);

/* ---- panel settings (texts are copied; NULL clears) ---------------------------- */
lt_status plot_set_title(plot_panel *p, const char *title);
lt_status plot_set_xlabel(plot_panel *p, const char *label);
lt_status plot_set_ylabel(plot_panel *p, const char *label);
/* Logarithmic y axis with decade ticks. All y values must then be > 0 (checked when
 * drawing). */
void plot_set_logy(plot_panel *p, int on);
/* Fixed axis limits (lo < hi, finite; on a log axis lo > 0). Without them, limits are
 * the data range plus a 5% margin. */
lt_status plot_set_xlim(plot_panel *p, double lo, double hi);
lt_status plot_set_ylim(plot_panel *p, double lo, double hi);

typedef enum plot_legend_mode {
    PLOT_LEGEND_AUTO = 0, /* a legend when two or more labelled series */
    PLOT_LEGEND_ON,       /* a legend whenever a series has a label */
    PLOT_LEGEND_OFF
} plot_legend_mode;
void plot_set_legend(plot_panel *p, plot_legend_mode mode);

/* ---- styles --------------------------------------------------------------------- */

typedef enum plot_marker {
    PLOT_MARKER_NONE = 0, PLOT_MARKER_CIRCLE, PLOT_MARKER_SQUARE, PLOT_MARKER_TRIANGLE,
    PLOT_MARKER_CROSS
} plot_marker;

/* Colour maps; DEFAULT is viridis for heatmaps and grey for image grids. */
typedef enum plot_cmap { PLOT_CMAP_DEFAULT = 0, PLOT_CMAP_VIRIDIS, PLOT_CMAP_GREY } plot_cmap;

/* Options of one series; pass NULL for all defaults. Zero means "default" in every field,
 * so `plot_style s = {0}; s.marker = PLOT_MARKER_CIRCLE;` is a valid style. */
typedef struct plot_style {
    uint32_t color;      /* 0xRRGGBB | PLOT_COLOR_SET; 0 = the next tab10 colour */
    double line_width;   /* in points; 0 = 1.5 */
    double alpha;        /* opacity in (0,1]; 0 = 1 (scatter: 0.8) */
    plot_marker marker;  /* line: a marker at every point; scatter: the point shape */
    double marker_size;  /* in points; 0 = 6 for line markers, 5 for scatter */
    int fill;            /* line: fill between the curve and y = 0 (densities) */
} plot_style;

#define PLOT_COLOR_SET 0x1000000u
#define PLOT_RGB(rgb) ((uint32_t)(rgb) | PLOT_COLOR_SET)

/* The i-th colour of matplotlib's tab10 cycle, as 0xRRGGBB (i taken modulo 10). */
uint32_t plot_tab10(int i);

/* ---- kinds on axes (series are copied; label may be NULL) ----------------------- */

/* A line through (xs[i], ys[i]), i < n. xs NULL means 0, 1, ..., n-1. Non-finite points
 * break the line. Fails (LT_ERR_VALUE) on n == 0 or no finite point. */
lt_status plot_line(plot_panel *p, const double *xs, const double *ys, size_t n,
                    const char *label, const plot_style *style);

/* Points (xs[i], ys[i]). With labels (n ints, e.g. digit classes), each distinct value
 * becomes its own series in tab10 order, named by the value ("0".."9") and listed in the
 * legend; `label` is then ignored. Without labels, one series named `label`. */
lt_status plot_scatter(plot_panel *p, const double *xs, const double *ys, size_t n,
                       const int *labels, const char *label, const plot_style *style);

/* Bars of heights values[i] over string categories cats[i], i < n. A second call on
 * the same panel with the same categories draws grouped bars side by side (one colour
 * and legend entry per call); different categories fail with LT_ERR_VALUE. */
lt_status plot_bar(plot_panel *p, const char *const *cats, const double *values, size_t n,
                   const char *label, const plot_style *style);

/* A histogram of xs (n values, non-finite ones ignored) with `bins` equal bins over the
 * finite range (bins 0 = 10; at most 10000). density != 0 scales it to unit area. */
lt_status plot_hist(plot_panel *p, const double *xs, size_t n, int bins, int density,
                    const char *label, const plot_style *style);
/* The same with the bins spread over lo..hi (finite, lo <= hi) instead of the data's
 * range, so that several histograms on one panel share their bins; values outside
 * lo..hi are left out. */
lt_status plot_hist_range(plot_panel *p, const double *xs, size_t n, int bins, double lo, double hi,
                          int density, const char *label, const plot_style *style);

/* A heatmap of z (rows x cols, row-major; row 0 drawn at the top, like an image) with a
 * colour bar. vmin == vmax (e.g. both 0) means the finite range of z. NaN cells are
 * drawn white. Column/row labels are optional (NULL, or cols / rows strings). */
typedef struct plot_heatmap_opts {
    plot_cmap cmap;
    double vmin, vmax;
    const char *const *xticklabels; /* cols strings or NULL */
    const char *const *yticklabels; /* rows strings or NULL */
    const char *cbar_label;         /* NULL for none */
    int annotate;                   /* write each value ("%.3g") in its cell, when all fit */
    const double *extent;           /* NULL (index axes), or {x0, x1, y0, y1}: the data
                                       coordinates of the map's left, right, bottom and top
                                       edges; the panel then has number axes and takes
                                       plot_scatter points drawn over the map */
} plot_heatmap_opts;
lt_status plot_heatmap(plot_panel *p, const float *z, int rows, int cols,
                       const plot_heatmap_opts *opts);

/* ---- frameless kinds (each takes the whole panel) -------------------------------- */

/* A grid of n images, each h x w floats row-major, images[k*h*w ...], laid out in rows
 * of `cols` images (cols 0 = min(n, 8)). Values map linearly from [vmin, vmax] to black..
 * white (or viridis); vmin == vmax means the min..max of all images. Pixels stay crisp
 * (nearest neighbour). row_labels: one string per row of the grid, drawn on the left;
 * titles: one per image, drawn above it; either may be NULL. */
typedef struct plot_images_opts {
    int cols;
    double vmin, vmax;
    plot_cmap cmap;                 /* DEFAULT = grey */
    const char *const *row_labels;
    const char *const *titles;
} plot_images_opts;
lt_status plot_image_grid(plot_panel *p, const float *images, int n, int h, int w,
                          const plot_images_opts *opts);

/* A tree diagram. nodes[0..n-1] with nodes[0] the root; every other node names its
 * parent (an index smaller than its own, so parents come first); children are drawn
 * left to right in index order. A node shows label (and sublabel as a second line,
 * e.g. a probability); edge_label is written on the edge from its parent ("0"/"1").
 * Leaves are boxed, inner nodes are small circles. Strings are copied. */
typedef struct plot_tree_node {
    const char *label;      /* may be NULL */
    const char *sublabel;   /* may be NULL */
    const char *edge_label; /* may be NULL; unused for the root */
    int parent;             /* -1 for the root */
} plot_tree_node;
lt_status plot_tree(plot_panel *p, const plot_tree_node *nodes, int n);

/* A figure size (CSS px) in which the tree's labels do not overlap at 10 pt. */
void plot_tree_size_hint(const plot_tree_node *nodes, int n, int *width, int *height);

/* ---- output ---------------------------------------------------------------------- */

typedef struct plot_png {
    unsigned char *data;         /* PNG bytes, malloc'ed: free with plot_png_free */
    size_t len;
    int width, height;           /* pixels of the PNG */
    int css_width, css_height;   /* size to show it at (metadata "width"/"height") */
} plot_png;

/* Draws the figure and encodes it as an RGB PNG in memory. On failure out is zeroed. */
lt_status plot_render_png(const plot_figure *fig, plot_png *out);
void plot_png_free(plot_png *png);

/* An animated PNG (APNG: a PNG whose acTL/fcTL/fdAT chunks browsers, Jupyter and GitHub
 * play; a decoder without APNG support shows frame 0) of the n >= 1 PNGs frames[], which
 * must share their IHDR (size, depth, colour type: e.g. all from plot_render_png). Frame
 * i shows for delay_ms[i] milliseconds (1..65535); the whole plays loops times (0:
 * forever). The frames are re-encoded for size: at one pixel per CSS pixel (halved when
 * drawn at twice their size), adaptive row filters, zlib's default level, 8-bit grey when
 * every frame is grey (image grids of digits). out gets their pixel sizes and frame 0's
 * CSS sizes. LT_ERR_VALUE naming the frame when one is not a PNG or differs from
 * frame 0, or for a bad delay; LT_ERR_NOMEM. On failure out is zeroed. */
lt_status plot_apng(const plot_png *frames, int n, const int *delay_ms, int loops, plot_png *out);

/* Draws and writes the PNG to path (LT_ERR_IO if it cannot be written). */
lt_status plot_write_png(const plot_figure *fig, const char *path);

/* A one-line text description for the text/plain alternative, e.g.
 * "line plot 'loss' (2 series, 1000 points)". malloc'ed: the caller frees it. NULL only
 * if memory runs out. */
char *plot_describe(const plot_figure *fig);

/* ---- ticks (exposed for tests and for the language's own axes) -------------------- */

/* Round tick values for an axis over [lo, hi]: multiples of a 1-2-5 step (1, 2, 5 x 10^k),
 * at most max_ticks of them (3..16), all inside [lo, hi]. Writes them to ticks (room for
 * max_ticks), returns the count and the step in *step. A degenerate range (lo == hi, or
 * non-finite) is first widened around its value. Returns 0 (with a message) only when
 * max_ticks is out of range. */
int plot_ticks(double lo, double hi, int max_ticks, double *ticks, double *step);

/* Ticks for a log axis over [lo, hi] (lo > 0): powers of ten (every k-th decade when
 * there are more than max_ticks; *decades = 1), or 1-2-5 multiples of powers of ten when
 * the range spans less than two decades (*decades = 0). Returns the count (0 with a
 * message if max_ticks is outside 3..16). */
int plot_log_ticks(double lo, double hi, int max_ticks, double *ticks, int *decades);

/* The tick label of v on an axis whose ticks are spaced by step and whose largest |tick|
 * is maxabs (which picks fixed or scientific notation for the whole axis): "0.001",
 * "-2.5", "1e-05", "2.5e+12"; fixed notation shows the step's decimals on every tick
 * ("0.0", "0.5", "1.0"). Writes at most cap bytes including the terminating 0. */
void plot_format_tick(double v, double step, double maxabs, char *buf, size_t cap);

#endif
