/* plot_figure.c: the figure model: figures, panels, settings, and the series each kind adds
 * (copies of the caller's arrays, checked on the way in). Drawing lives in plot_axes.c,
 * plot_image.c, plot_tree.c; rendering and PNG output in plot_png.c. */
#include "plot_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint32_t tab10[10] = {
    0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
    0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
};

uint32_t plot_tab10(int i)
{
    return tab10[((i % 10) + 10) % 10];
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not valid. */
static int utf8_len(const unsigned char *s)
{
    int n = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
          : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 2 && s[0] < 0xC2) return 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    return n;
}

/* A copy of s with invalid UTF-8 bytes replaced by '?' (Cairo refuses invalid text). */
static char *dup_str(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (!d) return NULL;
    memcpy(d, s, n);
    for (size_t i = 0; i + 1 < n;) {
        int k = utf8_len((const unsigned char *)d + i);
        if (k == 0) { d[i++] = '?'; continue; }
        i += (size_t)k;
    }
    return d;
}

/* Replaces *dst by a copy of s (NULL clears). */
static lt_status set_str(char **dst, const char *s)
{
    char *d = NULL;
    if (s && !(d = dup_str(s))) return lt_fail(LT_ERR_NOMEM, "plot: out of memory");
    free(*dst);
    *dst = d;
    return LT_OK;
}

/* Copies k strings (NULL entries become ""); NULL if strs is NULL or memory runs out. */
static char **dup_strs(const char *const *strs, size_t k)
{
    if (!strs) return NULL;
    char **d = calloc(k ? k : 1, sizeof *d);
    if (!d) return NULL;
    for (size_t i = 0; i < k; i++) d[i] = dup_str(strs[i] ? strs[i] : "");
    return d;
}

static void free_strs(char **s, size_t k)
{
    if (!s) return;
    for (size_t i = 0; i < k; i++) free(s[i]);
    free(s);
}

static void panel_clear(plot_panel *p)
{
    free(p->title); free(p->xlabel); free(p->ylabel);
    for (int i = 0; i < p->nseries; i++) {
        free(p->series[i].label); free(p->series[i].xs); free(p->series[i].ys);
    }
    free(p->series);
    free_strs(p->cats, p->ncats);
    free(p->values);
    free_strs(p->xticklabels, (size_t)p->cols);
    free_strs(p->yticklabels, (size_t)p->rows);
    free(p->cbar_label);
    int grid_rows = p->grid_cols ? (p->nimages + p->grid_cols - 1) / p->grid_cols : 0;
    free_strs(p->row_labels, (size_t)grid_rows);
    free_strs(p->titles, (size_t)p->nimages);
    for (int i = 0; i < p->tree.n; i++) {
        free((char *)p->tree.nodes[i].label);
        free((char *)p->tree.nodes[i].sublabel);
        free((char *)p->tree.nodes[i].edge_label);
    }
    free(p->tree.nodes);
    memset(p, 0, sizeof *p);
}

static lt_status check_size(int width, int height)
{
    if (width < 0 || height < 0 || width > PLOT_MAX_SIDE || height > PLOT_MAX_SIDE ||
        (width > 0 && width < 16) || (height > 0 && height < 16))
        return lt_fail(LT_ERR_VALUE, "plot: figure size %d x %d is out of range "
                       "(16..%d CSS px per side, 0 for the default)", width, height,
                       PLOT_MAX_SIDE);
    return LT_OK;
}

plot_figure *plot_figure_new(int width, int height)
{
    if (check_size(width, height) != LT_OK) return NULL;
    plot_figure *fig = calloc(1, sizeof *fig);
    if (!fig || !(fig->panels = calloc(1, sizeof *fig->panels))) {
        free(fig);
        lt_fail(LT_ERR_NOMEM, "plot: out of memory");
        return NULL;
    }
    fig->width = width ? width : PLOT_DEFAULT_WIDTH;
    fig->height = height ? height : PLOT_DEFAULT_HEIGHT;
    fig->density = 2.0;
    fig->rows = fig->cols = 1;
    return fig;
}

void plot_figure_free(plot_figure *fig)
{
    if (!fig) return;
    for (int i = 0; i < fig->rows * fig->cols; i++) panel_clear(&fig->panels[i]);
    free(fig->panels);
    free(fig->title);
    free(fig);
}

lt_status plot_figure_set_size(plot_figure *fig, int width, int height)
{
    lt_status st = check_size(width, height);
    if (st != LT_OK) return st;
    if (width) fig->width = width;
    if (height) fig->height = height;
    return LT_OK;
}

lt_status plot_figure_set_density(plot_figure *fig, double density)
{
    if (!(density >= 0.25 && density <= 4.0))
        return lt_fail(LT_ERR_VALUE, "plot: density %g is out of range [0.25, 4]", density);
    fig->density = density;
    return LT_OK;
}

lt_status plot_figure_set_grid(plot_figure *fig, int rows, int cols)
{
    if (rows < 1 || cols < 1 || rows * cols > PLOT_MAX_PANELS)
        return lt_fail(LT_ERR_VALUE, "plot: a grid of %d x %d panels is out of range "
                       "(1..%d panels)", rows, cols, PLOT_MAX_PANELS);
    plot_panel *np = calloc((size_t)(rows * cols), sizeof *np);
    if (!np) return lt_fail(LT_ERR_NOMEM, "plot: out of memory");
    for (int r = 0; r < fig->rows; r++)
        for (int c = 0; c < fig->cols; c++) {
            plot_panel *old = &fig->panels[r * fig->cols + c];
            if (r < rows && c < cols) np[r * cols + c] = *old;
            else panel_clear(old);
        }
    free(fig->panels);
    fig->panels = np;
    fig->rows = rows;
    fig->cols = cols;
    return LT_OK;
}

void plot_figure_set_reference(plot_figure *fig, int on)
{
    fig->reference = on != 0;
}

lt_status plot_figure_set_title(plot_figure *fig, const char *title)
{
    return set_str(&fig->title, title);
}

plot_panel *plot_panel_at(plot_figure *fig, int row, int col)
{
    if (row < 0 || col < 0 || row >= fig->rows || col >= fig->cols) {
        lt_fail(LT_ERR_INDEX, "plot: panel (%d, %d) is outside the %d x %d grid", row, col,
                fig->rows, fig->cols);
        return NULL;
    }
    return &fig->panels[row * fig->cols + col];
}

lt_status plot_set_title(plot_panel *p, const char *s) { return set_str(&p->title, s); }
lt_status plot_set_xlabel(plot_panel *p, const char *s) { return set_str(&p->xlabel, s); }
lt_status plot_set_ylabel(plot_panel *p, const char *s) { return set_str(&p->ylabel, s); }
void plot_set_logy(plot_panel *p, int on) { p->logy = on != 0; }
void plot_set_legend(plot_panel *p, plot_legend_mode mode) { p->legend = mode; }

static lt_status set_lim(plot_panel *p, double lo, double hi, int y)
{
    if (!(isfinite(lo) && isfinite(hi) && lo < hi))
        return lt_fail(LT_ERR_VALUE, "plot: %s limits [%g, %g] must be finite with lo < hi",
                       y ? "y" : "x", lo, hi);
    int *has = y ? &p->has_ylim : &p->has_xlim;
    double *lim = y ? p->ylim : p->xlim;
    *has = 1;
    lim[0] = lo;
    lim[1] = hi;
    return LT_OK;
}

lt_status plot_set_xlim(plot_panel *p, double lo, double hi) { return set_lim(p, lo, hi, 0); }
lt_status plot_set_ylim(plot_panel *p, double lo, double hi) { return set_lim(p, lo, hi, 1); }

/* ---- adding series ---- */

static const char *kind_name(plot_kind k)
{
    switch (k) {
    case PLOT_KIND_LINE: return "line plot";
    case PLOT_KIND_SCATTER: return "scatter plot";
    case PLOT_KIND_BAR: return "bar chart";
    case PLOT_KIND_HIST: return "histogram";
    case PLOT_KIND_HEATMAP: return "heatmap";
    case PLOT_KIND_IMAGES: return "image grid";
    case PLOT_KIND_TREE: return "tree";
    default: return "empty panel";
    }
}

/* Can a series of kind k join panel p? Bars need a panel of bars only (categorical x);
 * frameless kinds need an empty panel. */
static lt_status check_joinable(const plot_panel *p, plot_kind k, const char *fn)
{
    int over_map = k == PLOT_KIND_SCATTER && p->frameless == PLOT_KIND_HEATMAP && p->has_extent;
    if (p->frameless && !over_map)
        return lt_fail(LT_ERR_VALUE, "%s: this panel already holds a %s; use another panel",
                       fn, kind_name(p->frameless));
    int has_bar = p->nseries > 0 && p->series[0].kind == PLOT_KIND_BAR;
    if (k == PLOT_KIND_BAR ? (p->nseries > 0 && !has_bar) : has_bar)
        return lt_fail(LT_ERR_VALUE, "%s: bars (categorical x) cannot share a panel with "
                       "a %s; use another panel", fn,
                       kind_name(has_bar ? PLOT_KIND_BAR : p->series[0].kind));
    if (k >= PLOT_KIND_HEATMAP && p->nseries > 0)
        return lt_fail(LT_ERR_VALUE, "%s: this panel already holds a %s; use another panel",
                       fn, kind_name(p->series[0].kind));
    return LT_OK;
}

static lt_status check_style(const plot_style *s, const char *fn)
{
    if (!s) return LT_OK;
    if (s->color & ~(PLOT_COLOR_SET | 0xffffffu))
        return lt_fail(LT_ERR_VALUE, "%s: color 0x%x is not 0xRRGGBB", fn, (unsigned)s->color);
    if (!(s->alpha >= 0 && s->alpha <= 1))
        return lt_fail(LT_ERR_VALUE, "%s: alpha %g is outside [0, 1]", fn, s->alpha);
    if (!(s->line_width >= 0 && s->line_width <= 50))
        return lt_fail(LT_ERR_VALUE, "%s: line width %g is outside [0, 50] pt", fn,
                       s->line_width);
    if (!(s->marker_size >= 0 && s->marker_size <= 50))
        return lt_fail(LT_ERR_VALUE, "%s: marker size %g is outside [0, 50] pt", fn,
                       s->marker_size);
    if ((unsigned)s->marker > PLOT_MARKER_CROSS)
        return lt_fail(LT_ERR_VALUE, "%s: unknown marker %d", fn, (int)s->marker);
    return LT_OK;
}

/* Appends a zeroed series with the style applied; NULL when out of memory. */
static plot_series *add_series(plot_panel *p, plot_kind k, const char *label,
                               const plot_style *style)
{
    if (p->nseries == p->cap) {
        int cap = p->cap ? 2 * p->cap : 4;
        plot_series *s = realloc(p->series, (size_t)cap * sizeof *s);
        if (!s) return NULL;
        p->series = s;
        p->cap = cap;
    }
    plot_series *s = &p->series[p->nseries];
    memset(s, 0, sizeof *s);
    if (label && !(s->label = dup_str(label))) return NULL;
    plot_style d = {0};
    if (!style) style = &d;
    s->kind = k;
    s->color = (style->color & PLOT_COLOR_SET) ? (style->color & 0xffffff)
                                                : plot_tab10(p->next_color++);
    s->line_width = (style->line_width > 0 ? style->line_width : 1.5) * PLOT_PT;
    s->alpha = style->alpha > 0 ? style->alpha : (k == PLOT_KIND_SCATTER ? 0.8 : 1.0);
    s->marker = style->marker;
    double ms = style->marker_size > 0 ? style->marker_size : (k == PLOT_KIND_SCATTER ? 5 : 6);
    s->marker_size = ms * PLOT_PT;
    s->fill = style->fill;
    p->nseries++;
    return s;
}

static void drop_last_series(plot_panel *p)
{
    plot_series *s = &p->series[--p->nseries];
    free(s->label); free(s->xs); free(s->ys);
}

static lt_status nomem(plot_panel *p, int added)
{
    if (added) drop_last_series(p);
    return lt_fail(LT_ERR_NOMEM, "plot: out of memory");
}

static size_t count_finite_pairs(const double *xs, const double *ys, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(ys[i]) && (!xs || isfinite(xs[i]))) k++;
    return k;
}

/* Checks an (xs, ys, n) series; fn names the caller in the message. */
static lt_status check_xy(const double *xs, const double *ys, size_t n, const char *fn)
{
    if (n == 0 || !ys) return lt_fail(LT_ERR_VALUE, "%s: the series is empty", fn);
    if (count_finite_pairs(xs, ys, n) == 0)
        return lt_fail(LT_ERR_VALUE, "%s: all %zu points are NaN or infinite", fn, n);
    return LT_OK;
}

static double *copy_xs(const double *xs, size_t n)
{
    double *d = malloc(n * sizeof *d);
    if (!d) return NULL;
    for (size_t i = 0; i < n; i++) d[i] = xs ? xs[i] : (double)i;
    return d;
}

lt_status plot_line(plot_panel *p, const double *xs, const double *ys, size_t n,
                    const char *label, const plot_style *style)
{
    lt_status st;
    if ((st = check_joinable(p, PLOT_KIND_LINE, "plot_line")) != LT_OK ||
        (st = check_style(style, "plot_line")) != LT_OK ||
        (st = check_xy(xs, ys, n, "plot_line")) != LT_OK)
        return st;
    plot_series *s = add_series(p, PLOT_KIND_LINE, label, style);
    if (!s) return nomem(p, 0);
    s->n = n;
    if (!(s->xs = copy_xs(xs, n)) || !(s->ys = copy_xs(ys, n))) return nomem(p, 1);
    return LT_OK;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Adds the points whose label is `want` as one series named after it. */
static lt_status scatter_class(plot_panel *p, const double *xs, const double *ys, size_t n,
                               const int *labels, int want, const plot_style *style)
{
    char name[16];
    snprintf(name, sizeof name, "%d", want);
    plot_style st = style ? *style : (plot_style){0};
    if (!(st.color & PLOT_COLOR_SET)) st.color = PLOT_RGB(plot_tab10(p->next_color));
    plot_series *s = add_series(p, PLOT_KIND_SCATTER, name, &st);
    if (!s) return nomem(p, 0);
    p->next_color++;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += labels[i] == want;
    if (!(s->xs = malloc(k * sizeof(double))) || !(s->ys = malloc(k * sizeof(double))))
        return nomem(p, 1);
    for (size_t i = 0; i < n; i++)
        if (labels[i] == want) {
            s->xs[s->n] = xs ? xs[i] : (double)i;
            s->ys[s->n++] = ys[i];
        }
    return LT_OK;
}

lt_status plot_scatter(plot_panel *p, const double *xs, const double *ys, size_t n,
                       const int *labels, const char *label, const plot_style *style)
{
    lt_status st;
    if ((st = check_joinable(p, PLOT_KIND_SCATTER, "plot_scatter")) != LT_OK ||
        (st = check_style(style, "plot_scatter")) != LT_OK ||
        (st = check_xy(xs, ys, n, "plot_scatter")) != LT_OK)
        return st;
    if (!labels) {
        plot_series *s = add_series(p, PLOT_KIND_SCATTER, label, style);
        if (!s) return nomem(p, 0);
        s->n = n;
        if (!(s->xs = copy_xs(xs, n)) || !(s->ys = copy_xs(ys, n))) return nomem(p, 1);
        return LT_OK;
    }
    int *sorted = malloc(n * sizeof *sorted);
    if (!sorted) return nomem(p, 0);
    memcpy(sorted, labels, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_int);
    int nclasses = 1;
    for (size_t i = 1; i < n; i++) nclasses += sorted[i] != sorted[i - 1];
    if (nclasses > 100) {
        free(sorted);
        return lt_fail(LT_ERR_VALUE, "plot_scatter: %d distinct labels; at most 100 "
                       "classes can be coloured", nclasses);
    }
    int before = p->nseries;
    for (size_t i = 0; i < n && st == LT_OK; i++)
        if (i == 0 || sorted[i] != sorted[i - 1])
            st = scatter_class(p, xs, ys, n, labels, sorted[i], style);
    free(sorted);
    if (st != LT_OK)
        while (p->nseries > before) drop_last_series(p);
    return st;
}

lt_status plot_bar(plot_panel *p, const char *const *cats, const double *values, size_t n,
                   const char *label, const plot_style *style)
{
    lt_status st;
    if ((st = check_joinable(p, PLOT_KIND_BAR, "plot_bar")) != LT_OK ||
        (st = check_style(style, "plot_bar")) != LT_OK ||
        (st = check_xy(NULL, values, n, "plot_bar")) != LT_OK)
        return st;
    if (p->nseries > 0 && p->ncats != n)
        return lt_fail(LT_ERR_VALUE, "plot_bar: %zu categories given, but this panel's "
                       "bars have %zu", n, p->ncats);
    for (size_t i = 0; p->nseries > 0 && cats && i < n; i++) {
        char *c = dup_str(cats[i] ? cats[i] : "");   /* compared as stored */
        if (!c) return nomem(p, 0);
        int same = strcmp(c, p->cats[i]) == 0;
        free(c);
        if (!same)
            return lt_fail(LT_ERR_VALUE, "plot_bar: category %zu is '%s', but this panel's "
                           "bars have '%s' there", i, cats[i] ? cats[i] : "", p->cats[i]);
    }
    if (p->nseries == 0) {
        char **c = calloc(n, sizeof *c);
        if (!c) return nomem(p, 0);
        for (size_t i = 0; i < n; i++) {
            char num[24];
            snprintf(num, sizeof num, "%zu", i);
            c[i] = dup_str(cats && cats[i] ? cats[i] : num);
            if (!c[i]) { free_strs(c, n); return nomem(p, 0); }
        }
        p->cats = c;
        p->ncats = n;
    }
    plot_series *s = add_series(p, PLOT_KIND_BAR, label, style);
    if (!s) return nomem(p, 0);
    s->n = n;
    if (!(s->ys = copy_xs(values, n))) return nomem(p, 1);
    return LT_OK;
}

lt_status plot_hist(plot_panel *p, const double *xs, size_t n, int bins, int density,
                    const char *label, const plot_style *style)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(xs[i])) { lo = fmin(lo, xs[i]); hi = fmax(hi, xs[i]); }
    return plot_hist_range(p, xs, n, bins, lo, hi, density, label, style);
}

lt_status plot_hist_range(plot_panel *p, const double *xs, size_t n, int bins, double lo, double hi,
                          int density, const char *label, const plot_style *style)
{
    lt_status st;
    if ((st = check_joinable(p, PLOT_KIND_HIST, "plot_hist")) != LT_OK ||
        (st = check_style(style, "plot_hist")) != LT_OK ||
        (st = check_xy(NULL, xs, n, "plot_hist")) != LT_OK)
        return st;
    if (bins < 0 || bins > 10000)
        return lt_fail(LT_ERR_VALUE, "plot_hist: %d bins is outside 1..10000", bins);
    if (!isfinite(lo) || !isfinite(hi) || lo > hi)
        return lt_fail(LT_ERR_VALUE, "plot_hist: the range %g..%g is not finite and increasing", lo, hi);
    if (bins == 0) bins = 10;
    if (lo == hi) { lo -= 0.5; hi += 0.5; }
    plot_series *s = add_series(p, PLOT_KIND_HIST, label, style);
    if (!s) return nomem(p, 0);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += isfinite(xs[i]) && xs[i] >= lo && xs[i] <= hi;
    s->n = (size_t)bins;
    s->nvalues = k;
    if (!(s->xs = malloc((size_t)(bins + 1) * sizeof(double))) ||
        !(s->ys = calloc((size_t)bins, sizeof(double))))
        return nomem(p, 1);
    double width = (hi - lo) / bins;
    for (int b = 0; b <= bins; b++) s->xs[b] = lo + b * width;
    s->xs[bins] = hi;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(xs[i]) || xs[i] < lo || xs[i] > hi) continue;
        int b = (int)((xs[i] - lo) / width);
        s->ys[b < 0 ? 0 : b >= bins ? bins - 1 : b] += 1;
    }
    if (density && k)
        for (int b = 0; b < bins; b++) s->ys[b] /= (double)k * width;
    return LT_OK;
}

static int finite_count(const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) return 1;
    return 0;
}

lt_status plot_heatmap(plot_panel *p, const float *z, int rows, int cols,
                       const plot_heatmap_opts *opts)
{
    lt_status st = check_joinable(p, PLOT_KIND_HEATMAP, "plot_heatmap");
    if (st != LT_OK) return st;
    if (rows <= 0 || cols <= 0 || !z || (size_t)rows * cols > 16u << 20)
        return lt_fail(LT_ERR_VALUE, "plot_heatmap: a %d x %d matrix cannot be drawn "
                       "(1..16M cells)", rows, cols);
    size_t n = (size_t)rows * cols;
    if (!finite_count(z, n))
        return lt_fail(LT_ERR_VALUE, "plot_heatmap: all %zu values are NaN or infinite", n);
    plot_heatmap_opts o = opts ? *opts : (plot_heatmap_opts){0};
    if (!isfinite(o.vmin) || !isfinite(o.vmax) || o.vmin > o.vmax)
        return lt_fail(LT_ERR_VALUE, "plot_heatmap: vmin %g, vmax %g must be finite with "
                       "vmin <= vmax", o.vmin, o.vmax);
    const double *e = o.extent;
    if (e && !(isfinite(e[0]) && isfinite(e[1]) && isfinite(e[2]) && isfinite(e[3]) &&
               e[0] < e[1] && e[2] < e[3]))
        return lt_fail(LT_ERR_VALUE, "plot_heatmap: extent [%g, %g, %g, %g] must be finite "
                       "with x0 < x1 and y0 < y1", e[0], e[1], e[2], e[3]);
    if (!(p->values = malloc(n * sizeof(float)))) return nomem(p, 0);
    memcpy(p->values, z, n * sizeof(float));
    p->frameless = PLOT_KIND_HEATMAP;
    p->has_extent = e != NULL;
    if (e) memcpy(p->extent, e, sizeof p->extent);
    p->rows = rows;
    p->cols = cols;
    p->cmap = o.cmap ? o.cmap : PLOT_CMAP_VIRIDIS;
    p->vmin = o.vmin;
    p->vmax = o.vmax;
    p->xticklabels = dup_strs(o.xticklabels, (size_t)cols);
    p->yticklabels = dup_strs(o.yticklabels, (size_t)rows);
    p->cbar_label = dup_str(o.cbar_label);
    p->annotate = o.annotate;
    return LT_OK;
}

lt_status plot_image_grid(plot_panel *p, const float *images, int n, int h, int w,
                          const plot_images_opts *opts)
{
    lt_status st = check_joinable(p, PLOT_KIND_IMAGES, "plot_image_grid");
    if (st != LT_OK) return st;
    if (n <= 0 || h <= 0 || w <= 0 || !images || (size_t)n * h * w > 64u << 20)
        return lt_fail(LT_ERR_VALUE, "plot_image_grid: %d images of %d x %d pixels cannot "
                       "be drawn (need n, h, w >= 1)", n, h, w);
    size_t total = (size_t)n * h * w;
    if (!finite_count(images, total))
        return lt_fail(LT_ERR_VALUE, "plot_image_grid: all %zu pixel values are NaN or "
                       "infinite", total);
    plot_images_opts o = opts ? *opts : (plot_images_opts){0};
    if (o.cols < 0 || !isfinite(o.vmin) || !isfinite(o.vmax) || o.vmin > o.vmax)
        return lt_fail(LT_ERR_VALUE, "plot_image_grid: cols %d, vmin %g, vmax %g: need "
                       "cols >= 0 and finite vmin <= vmax", o.cols, o.vmin, o.vmax);
    if (!(p->values = malloc(total * sizeof(float)))) return nomem(p, 0);
    memcpy(p->values, images, total * sizeof(float));
    p->frameless = PLOT_KIND_IMAGES;
    p->nimages = n;
    p->h = h;
    p->w = w;
    p->grid_cols = o.cols ? (o.cols < n ? o.cols : n) : (n < 8 ? n : 8);
    p->cmap = o.cmap ? o.cmap : PLOT_CMAP_GREY;
    p->vmin = o.vmin;
    p->vmax = o.vmax;
    p->row_labels = dup_strs(o.row_labels, (size_t)((n + p->grid_cols - 1) / p->grid_cols));
    p->titles = dup_strs(o.titles, (size_t)n);
    return LT_OK;
}

lt_status plot_tree(plot_panel *p, const plot_tree_node *nodes, int n)
{
    lt_status st = check_joinable(p, PLOT_KIND_TREE, "plot_tree");
    if (st != LT_OK) return st;
    if (n <= 0 || !nodes) return lt_fail(LT_ERR_VALUE, "plot_tree: the tree has no nodes");
    if (n > 10000) return lt_fail(LT_ERR_VALUE, "plot_tree: %d nodes; at most 10000", n);
    if (nodes[0].parent != -1)
        return lt_fail(LT_ERR_VALUE, "plot_tree: node 0 must be the root (parent -1), "
                       "not have parent %d", nodes[0].parent);
    for (int i = 1; i < n; i++)
        if (nodes[i].parent < 0 || nodes[i].parent >= i)
            return lt_fail(LT_ERR_VALUE, "plot_tree: node %d has parent %d; a parent must "
                           "come before its child (0..%d)", i, nodes[i].parent, i - 1);
    plot_tree_node *c = calloc((size_t)n, sizeof *c);
    if (!c) return nomem(p, 0);
    for (int i = 0; i < n; i++) {
        c[i].label = dup_str(nodes[i].label);
        c[i].sublabel = dup_str(nodes[i].sublabel);
        c[i].edge_label = dup_str(nodes[i].edge_label);
        c[i].parent = nodes[i].parent;
    }
    p->tree.nodes = c;
    p->tree.n = n;
    p->frameless = PLOT_KIND_TREE;
    return LT_OK;
}

/* ---- description ---- */

/* Appends one panel's description to buf (cap bytes, NUL-terminated). */
static void describe_panel(const plot_panel *p, char *buf, size_t cap)
{
    plot_kind k = p->frameless ? p->frameless : p->nseries ? p->series[0].kind
                                                           : PLOT_KIND_NONE;
    size_t len = strlen(buf);
    char *o = buf + len;
    size_t room = cap - len;
    int w = snprintf(o, room, "%s", kind_name(k));
    if (p->title && w >= 0 && (size_t)w < room) w += snprintf(o + w, room - w, " '%s'", p->title);
    if (w < 0 || (size_t)w >= room) return;
    o += w;
    room -= (size_t)w;
    size_t maxn = 0, total = 0;
    for (int i = 0; i < p->nseries; i++) {
        size_t n = p->series[i].kind == PLOT_KIND_HIST ? p->series[i].nvalues : p->series[i].n;
        if (n > maxn) maxn = n;
        total += n;
    }
    switch (k) {
    case PLOT_KIND_LINE:
        snprintf(o, room, " (%d series, %zu points)", p->nseries, maxn); break;
    case PLOT_KIND_SCATTER:
        if (p->nseries > 1) snprintf(o, room, " (%zu points, %d classes)", total, p->nseries);
        else snprintf(o, room, " (%zu points)", total);
        break;
    case PLOT_KIND_BAR:
        snprintf(o, room, " (%d series, %zu categories)", p->nseries, p->ncats); break;
    case PLOT_KIND_HIST:
        snprintf(o, room, " (%d series, %zu values, %zu bins)", p->nseries, maxn,
                 p->series[0].n);
        break;
    case PLOT_KIND_HEATMAP:
        if (p->nseries > 0) snprintf(o, room, " (%d x %d) under %zu points", p->rows, p->cols, total);
        else snprintf(o, room, " (%d x %d)", p->rows, p->cols);
        break;
    case PLOT_KIND_IMAGES:
        snprintf(o, room, " (%d images of %d x %d, %d per row)", p->nimages, p->h, p->w,
                 p->grid_cols);
        break;
    case PLOT_KIND_TREE: {
        int leaves = 0;
        for (int i = 0; i < p->tree.n; i++) {
            int has_child = 0;
            for (int j = i + 1; j < p->tree.n && !has_child; j++)
                has_child = p->tree.nodes[j].parent == i;
            leaves += !has_child;
        }
        snprintf(o, room, " (%d nodes, %d leaves)", p->tree.n, leaves);
        break;
    }
    default: break;
    }
}

char *plot_describe(const plot_figure *fig)
{
    int np = fig->rows * fig->cols;
    size_t cap = 256 + (size_t)np * 256 + (fig->title ? strlen(fig->title) : 0);
    for (int i = 0; i < np; i++)
        if (fig->panels[i].title) cap += strlen(fig->panels[i].title);
    char *buf = malloc(cap);
    if (!buf) return NULL;
    buf[0] = 0;
    if (np == 1 && !fig->title) {
        describe_panel(&fig->panels[0], buf, cap);
        return buf;
    }
    size_t len = (size_t)snprintf(buf, cap, "figure");
    if (fig->title) len += (size_t)snprintf(buf + len, cap - len, " '%s'", fig->title);
    if (np == 1) {
        snprintf(buf + len, cap - len, ": ");
    } else {
        snprintf(buf + len, cap - len, " with %d panels (%d x %d): ", np, fig->rows, fig->cols);
    }
    for (int i = 0; i < np; i++) {
        if (i) strncat(buf, "; ", cap - strlen(buf) - 1);
        describe_panel(&fig->panels[i], buf, cap);
    }
    return buf;
}
