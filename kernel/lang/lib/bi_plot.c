/* bi_plot.c: plots in the language: the figure value and the builtins plot, scatter,
 * bar, hist, heatmap, show, savefig and display (see share/docs/language.md).
 *
 * A figure is drawn by core/plot (Cairo) when the builtin runs, so a bad option is an
 * error at the call, and kept as a PNG: a cell ending in a figure shows it inline
 * (to_mime: image/png with its CSS size, and a text/plain description), display(fig)
 * shows one from the middle of a cell, savefig writes it to a file.
 *
 * Numbers come through bi_nums (args.h): lists of numbers, lists of lists, or any
 * object with to_floats (tensors, training histories), so plots take tensors without
 * knowing the tensor type. */
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "bi_info.h"
#include "bi_plot.h"
#include "live_plot.h"
#include "plot.h"
#include "sess.h"
#include "bi_tensor.h"
#include "bi_train.h"

/* ---- the figure value --------------------------------------------------------- */

typedef struct bi_fig {
    plot_png png;    /* the drawn figure */
    char *text;      /* its description (text/plain) */
} bi_fig;

static void bi_fig_free(void *data)
{
    bi_fig *f = data;
    plot_png_free(&f->png);
    free(f->text);
    free(f);
}

static void bi_fig_repr(const void *data, buf *out)
{
    const bi_fig *f = data;
    buf_printf(out, "<%s>", f->text ? f->text : "figure");
}

static int bi_fig_to_mime(void *data, lt_output *out)
{
    static lt_mime items[2];
    static char text[600];
    bi_fig *f = data;
    snprintf(text, sizeof text, "<%s>", f->text ? f->text : "figure");
    items[0] = (lt_mime){"image/png", f->png.data, f->png.len};
    items[1] = (lt_mime){"text/plain", text, strlen(text)};
    out->items = items;
    out->n_items = 2;
    out->width = f->png.css_width;
    out->height = f->png.css_height;
    out->display_id = NULL;
    return 0;
}

static const val_type bi_fig_type = {.name = "figure", .free = bi_fig_free, .repr = bi_fig_repr,
                                     .to_mime = bi_fig_to_mime};

/* Draws fig into a new figure value; frees fig in every case. note (or NULL) is
 * appended to the description, e.g. ", grey 0..1". */
static int bi_fig_finish_note(bi_args *a, plot_figure *fig, const char *note, value *out)
{
    bi_fig *f = calloc(1, sizeof *f);
    if (!f) { plot_figure_free(fig); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
    lt_status st = plot_render_png(fig, &f->png);
    if (st == LT_OK) f->text = plot_describe(fig);
    plot_figure_free(fig);
    if (st != LT_OK) { free(f); return bi_fail(a, NULL, lt_status_name(st), "%s", lt_errmsg()); }
    if (note && f->text) {
        size_t n = strlen(f->text), k = strlen(note);
        char *t = realloc(f->text, n + k + 1);
        if (t) { memcpy(t + n, note, k + 1); f->text = t; }
    }
    val_obj *o = val_obj_new(&bi_fig_type, f);
    if (!o) return bi_fail(a, NULL, "MemoryError", "out of memory");
    *out = OBJ_VAL(o);
    return 0;
}

static int bi_fig_finish(bi_args *a, plot_figure *fig, value *out)
{
    return bi_fig_finish_note(a, fig, NULL, out);
}

/* ---- options shared by every plot --------------------------------------------- */

/* A keyword that is a list of strings (legend=, labels=): *list borrowed, or NULL. */
static int bi_kw_names(bi_args *a, const char *name, size_t want, const char ***names)
{
    const ast_node *at;
    const value *v = bi_kw(a, name, &at);
    *names = NULL;
    if (!v || IS_NONE(*v) || IS_BOOL(*v)) return 0;
    if (!IS_LIST(*v)) return bi_fail(a, at, "TypeError", "%s must be a list of strings, not %s %s", name, val_a(*v), val_type_name(*v));
    val_list *l = AS_LIST(*v);
    if (want && l->n != want)
        return bi_fail(a, at, "ValueError", "%s has %zu names for %zu %s", name, l->n, want,
                       strcmp(name, "legend") == 0 ? "series" : "items");
    *names = malloc((l->n ? l->n : 1) * sizeof **names);
    if (!*names) return bi_fail(a, NULL, "MemoryError", "out of memory");
    for (size_t i = 0; i < l->n; i++) {
        if (!IS_STR(l->items[i])) {
            free(*names);
            *names = NULL;
            return bi_fail(a, at, "TypeError", "%s must be a list of strings, but item %zu is %s %s", name, i,
                           val_a(l->items[i]), val_type_name(l->items[i]));
        }
        (*names)[i] = AS_STR(l->items[i])->chars;
    }
    return 0;
}

/* xlim=[lo, hi] (or ylim=): fixed axis limits, e.g. for the frames of an animation. */
static int bi_kw_lim(bi_args *a, const char *name, plot_panel *p, lt_status (*set)(plot_panel *, double, double))
{
    const ast_node *at;
    const value *v = bi_kw(a, name, &at);
    if (!v || IS_NONE(*v)) return 0;
    if (!IS_LIST(*v) || AS_LIST(*v)->n != 2 || !IS_NUM(AS_LIST(*v)->items[0]) || !IS_NUM(AS_LIST(*v)->items[1]))
        return bi_fail(a, at, "TypeError", "%s must be a list of two numbers [low, high]", name);
    double lo = AS_NUM(AS_LIST(*v)->items[0]), hi = AS_NUM(AS_LIST(*v)->items[1]);
    if (!(lo < hi) || !isfinite(lo) || !isfinite(hi))
        return bi_fail(a, at, "ValueError", "%s needs finite low < high, got [%g, %g]", name, lo, hi);
    if (set(p, lo, hi) != LT_OK) return bi_fail(a, at, "ValueError", "%s", lt_errmsg());
    return 0;
}

/* A new figure with size=[w, h], title, xlabel, ylabel, logy, legend=false, xlim and
 * ylim applied. */
static plot_figure *bi_fig_new(bi_args *a, int dw, int dh, plot_panel **panel)
{
    const ast_node *at;
    const value *sz = bi_kw(a, "size", &at);
    int w = dw, h = dh;
    if (sz && !IS_NONE(*sz)) {
        if (!IS_LIST(*sz) || AS_LIST(*sz)->n != 2 || !IS_NUM(AS_LIST(*sz)->items[0]) || !IS_NUM(AS_LIST(*sz)->items[1]) ||
            !(AS_NUM(AS_LIST(*sz)->items[0]) >= 50 && AS_NUM(AS_LIST(*sz)->items[0]) <= 4000) ||   /* NaN fails */
            !(AS_NUM(AS_LIST(*sz)->items[1]) >= 50 && AS_NUM(AS_LIST(*sz)->items[1]) <= 4000)) {
            bi_fail(a, at, "ValueError", "size must be [width, height] in pixels, each from 50 to 4000");
            return NULL;
        }
        w = (int)AS_NUM(AS_LIST(*sz)->items[0]);
        h = (int)AS_NUM(AS_LIST(*sz)->items[1]);
    }
    const char *title, *xl, *yl;
    int logy, legend_on = 1;
    const value *lg = bi_kw(a, "legend", NULL);
    if (lg && IS_BOOL(*lg)) legend_on = AS_BOOL(*lg);
    if (bi_kw_text(a, "title", NULL, &title) < 0 || bi_kw_text(a, "xlabel", NULL, &xl) < 0 ||
        bi_kw_text(a, "ylabel", NULL, &yl) < 0 || bi_kw_bool(a, "logy", 0, &logy) < 0)
        return NULL;
    plot_figure *fig = plot_figure_new(w, h);
    if (!fig) { bi_fail(a, NULL, "ValueError", "%s", lt_errmsg()); return NULL; }
    plot_panel *p = plot_panel_at(fig, 0, 0);
    plot_set_title(p, title);
    plot_set_xlabel(p, xl);
    plot_set_ylabel(p, yl);
    plot_set_logy(p, logy);
    if (!legend_on) plot_set_legend(p, PLOT_LEGEND_OFF);
    if (bi_kw_lim(a, "xlim", p, plot_set_xlim) < 0 || bi_kw_lim(a, "ylim", p, plot_set_ylim) < 0) {
        plot_figure_free(fig);
        return NULL;
    }
    *panel = p;
    return fig;
}

static int bi_plot_fail(bi_args *a, const ast_node *at, plot_figure *fig, lt_status st)
{
    int rc = bi_fail(a, at, lt_status_name(st), "%s", lt_errmsg());
    plot_figure_free(fig);
    return rc;
}

/* ---- plot: lines, densities, the Huffman tree ------------------------------- */

/* Adds a node and its subtree in preorder (parents before children). */
static void bi_tree_add(const huff_code *c, int node, int parent, const char *edge, plot_tree_node *out, int *n,
                        char (*probs)[32])
{
    int k = (*n)++;
    char num[32];
    snprintf(num, sizeof num, "%.3g", huff_node_prob(c, node));
    val_format_num(strtod(num, NULL), probs[k]);
    out[k] = (plot_tree_node){huff_leaf_symbol(c, node), probs[k], edge, parent};
    if (out[k].label && strcmp(out[k].label, " ") == 0) out[k].label = "\xe2\x90\xa3";
    else if (out[k].label && strcmp(out[k].label, "\n") == 0) out[k].label = "\xe2\x86\xb5";
    for (int b = 0; b < 2; b++)
        if (huff_child(c, node, b) >= 0) bi_tree_add(c, huff_child(c, node, b), k, b ? "1" : "0", out, n, probs);
}

static int bi_plot_tree(bi_args *a, const huff_code *c, value *out)
{
    plot_tree_node *nodes = malloc((size_t)c->nnode * sizeof *nodes);
    char (*probs)[32] = malloc((size_t)c->nnode * sizeof *probs);
    int n = 0, w, h;
    plot_panel *p;
    if (!nodes || !probs) { free(nodes); free(probs); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
    bi_tree_add(c, huff_root(c), -1, NULL, nodes, &n, probs);
    plot_tree_size_hint(nodes, n, &w, &h);
    plot_figure *fig = bi_fig_new(a, w, h, &p);
    lt_status st = fig ? plot_tree(p, nodes, n) : LT_OK;
    free(nodes);
    free(probs);
    if (!fig) return -1;
    if (st != LT_OK) return bi_plot_fail(a, NULL, fig, st);
    return bi_fig_finish(a, fig, out);
}

static int bi_plot_density(bi_args *a, const iv_density *d, plot_panel *p, const char **legend)
{
    enum { N = 401 };
    double lo = INFINITY, hi = -INFINITY, xs[N], ys[N];
    for (int i = 0; i < d->n; i++) {
        lo = fmin(lo, d->d[i].mean - 4 * d->d[i].std);
        hi = fmax(hi, d->d[i].mean + 4 * d->d[i].std);
    }
    for (int i = 0; i < d->n; i++) {
        char name[80];
        iv_normal_name(d->d[i], name, sizeof name);
        for (int k = 0; k < N; k++) {
            xs[k] = lo + (hi - lo) * k / (N - 1);
            ys[k] = info_normal_pdf(d->d[i], xs[k]);
        }
        plot_style s = {.fill = 1};
        lt_status st = plot_line(p, xs, ys, N, legend ? legend[i] : name, &s);
        if (st != LT_OK) return bi_fail(a, NULL, lt_status_name(st), "%s", lt_errmsg());
    }
    return 0;
}

/* How many series positional argument v holds (a density: its curves). */
static size_t bi_series_count(value v, const bi_nums *nums)
{
    if (IS_OBJ(v) && AS_OBJ(v)->type == &iv_density_type) return (size_t)((const iv_density *)AS_OBJ(v)->data)->n;
    if (nums->ndim == 2 && nums->shape[1] > 1 && IS_LIST(v)) return (size_t)nums->shape[0];
    return 1;
}

/* The centred moving average of y (n values) over a window of w (shorter at the ends). */
static void bi_smooth(const double *y, size_t n, size_t w, double *out)
{
    for (size_t i = 0; i < n; i++) {
        size_t a = i >= w / 2 ? i - w / 2 : 0, b = i + (w - 1) / 2 + 1 < n ? i + (w - 1) / 2 + 1 : n, cnt = 0;
        double sum = 0;
        for (size_t j = a; j < b; j++)
            if (isfinite(y[j])) { sum += y[j]; cnt++; }
        out[i] = cnt ? sum / (double)cnt : NAN;
    }
}

/* One line; with smooth > 1, the raw values faint and their moving average in the
 * same colour (the k-th of tab10), which alone is named in the legend. */
static lt_status bi_plot_line(plot_panel *p, const double *xs, const double *ys, size_t n, const char *label,
                              size_t k, long smooth, int markers)
{
    plot_style dot = {.marker = PLOT_MARKER_CIRCLE};
    if (smooth <= 1) return plot_line(p, xs, ys, n, label, markers ? &dot : NULL);
    plot_style faint = {.color = PLOT_RGB(plot_tab10((int)k)), .alpha = 0.25, .line_width = 1};
    plot_style solid = {.color = PLOT_RGB(plot_tab10((int)k)), .marker = markers ? PLOT_MARKER_CIRCLE : PLOT_MARKER_NONE};
    double *sm = malloc(n * sizeof *sm);
    if (!sm) return lt_fail(LT_ERR_NOMEM, "out of memory");
    bi_smooth(ys, n, (size_t)smooth, sm);
    lt_status st = plot_line(p, xs, ys, n, NULL, &faint);
    if (st == LT_OK) st = plot_line(p, xs, sm, n, label, &solid);
    free(sm);
    return st;
}

/* Adds the lines of one argument: a list, rows of a list of lists, a to_floats object.
 * A training history is named after its variable unless legend= names it. */
static int bi_plot_lines(bi_args *a, int i, const bi_nums *v, const bi_nums *x, const char **legend, size_t *k,
                         long smooth, int markers, plot_panel *p)
{
    size_t rows = bi_series_count(a->pos[i], v), len = v->n / (rows ? rows : 1);
    if (v->n == 0) return bi_fail(a, a->pos_nodes[i], "ValueError", "plot(): series %zu is empty", *k + 1);
    if (x && x->n != len)
        return bi_fail(a, a->pos_nodes[i], "ValueError", "plot(): x has %zu numbers but the series has %zu", x->n, len);
    const char *hname = train_history_name(a->pos[i]);
    double *hx = NULL;
    if (hname && !x) {   /* a history is drawn against the batch number, from 1 */
        if (!(hx = malloc(len * sizeof *hx))) return bi_fail(a, NULL, "MemoryError", "out of memory");
        for (size_t j = 0; j < len; j++) hx[j] = (double)(j + 1);
    }
    for (size_t r = 0; r < rows; r++, (*k)++) {
        const char *label = legend ? legend[*k] : hname;
        lt_status st = bi_plot_line(p, x ? x->x : hx, v->x + r * len, len, label, *k, smooth, markers);
        if (st != LT_OK) { free(hx); return bi_fail(a, a->pos_nodes[i], lt_status_name(st), "%s", lt_errmsg()); }
    }
    free(hx);
    return 0;
}

/* Labels from the histories among the arguments, where the call gives none: x is the
 * batch; one history also names the plot and its y axis. */
static void bi_history_labels(bi_args *a, plot_panel *p)
{
    int nh = 0;
    const char *name = NULL;
    for (int i = 0; i < a->npos; i++)
        if ((name = train_history_name(a->pos[i])) != NULL) nh++;
    if (nh == 0 || nh != a->npos) return;
    if (!bi_kw(a, "x", NULL) && !bi_kw(a, "xlabel", NULL)) plot_set_xlabel(p, "batch");
    if (nh > 1) return;
    if (!bi_kw(a, "ylabel", NULL)) plot_set_ylabel(p, name);
    if (!bi_kw(a, "title", NULL)) plot_set_title(p, name);
}

/* plot(series, ..., x=, smooth=, markers=, title=, xlabel=, ylabel=, logy=, size=, legend=) */
static int bi_plot(bi_args *a, value *out)
{
    if (a->npos == 1 && IS_OBJ(a->pos[0]) && AS_OBJ(a->pos[0])->type == &iv_code_type)
        return bi_plot_tree(a, ((const iv_code *)AS_OBJ(a->pos[0])->data)->code, out);
    bi_nums *v = calloc((size_t)a->npos, sizeof *v), x = {0};
    const char **legend = NULL;
    plot_panel *p;
    plot_figure *fig = NULL;
    size_t nseries = 0, k = 0;
    int rc = -1;
    long smooth;
    int markers;
    char note[64];
    const ast_node *xat;
    const value *xv = bi_kw(a, "x", &xat);
    if (!v) return bi_fail(a, NULL, "MemoryError", "out of memory");
    if (bi_kw_int(a, "smooth", 1, 1, 100000, &smooth) < 0 || bi_kw_bool(a, "markers", 0, &markers) < 0) goto done;
    if (xv && !IS_NONE(*xv) && bi_nums_get(a, *xv, xat, "plot", &x) < 0) goto done;
    for (int i = 0; i < a->npos; i++) {
        value pv = a->pos[i];
        if (IS_OBJ(pv) && AS_OBJ(pv)->type == &iv_code_type) {
            bi_fail(a, a->pos_nodes[i], "TypeError", "plot(code) draws a Huffman tree on its own; give the code alone");
            goto done;
        }
        if (!(IS_OBJ(pv) && AS_OBJ(pv)->type == &iv_density_type) && bi_nums_get(a, pv, a->pos_nodes[i], "plot", &v[i]) < 0)
            goto done;
        nseries += bi_series_count(pv, &v[i]);
    }
    if (bi_kw_names(a, "legend", nseries, &legend) < 0 || !(fig = bi_fig_new(a, 0, 0, &p))) goto done;
    bi_history_labels(a, p);
    for (int i = 0; i < a->npos; i++) {
        if (IS_OBJ(a->pos[i]) && AS_OBJ(a->pos[i])->type == &iv_density_type) {
            const iv_density *d = AS_OBJ(a->pos[i])->data;
            if (bi_plot_density(a, d, p, legend ? legend + k : NULL) < 0) goto done;
            k += (size_t)d->n;
        } else if (bi_plot_lines(a, i, &v[i], xv ? &x : NULL, legend, &k, smooth, markers, p) < 0) goto done;
    }
    snprintf(note, sizeof note, ", each also as its moving average over %ld", smooth);
    rc = bi_fig_finish_note(a, fig, smooth > 1 ? note : NULL, out);
    fig = NULL;
done:
    plot_figure_free(fig);
    for (int i = 0; i < a->npos; i++) bi_nums_free(&v[i]);
    free(v);
    bi_nums_free(&x);
    free(legend);
    return rc;
}

/* ---- scatter, bar, hist, heatmap ------------------------------------------------ */

static int bi_int_cmp(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}

/* The points of each class (cls, n ints) as its own series named legend[k], classes in
 * increasing order; the legend must name every class. */
static int bi_scatter_named(bi_args *a, plot_panel *p, const bi_nums *xs, const bi_nums *ys, const int *cls,
                            const char **legend, size_t nlegend)
{
    size_t n = xs->n, ncls = 0, m;
    int *sorted = malloc((n ? n : 1) * sizeof *sorted);
    double *sx = malloc((n ? n : 1) * sizeof *sx), *sy = malloc((n ? n : 1) * sizeof *sy);
    int rc = -1;
    if (!sorted || !sx || !sy) { bi_fail(a, NULL, "MemoryError", "out of memory"); goto done; }
    memcpy(sorted, cls, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, bi_int_cmp);
    for (size_t i = 0; i < n; i++) ncls += i == 0 || sorted[i] != sorted[i - 1];
    if (ncls != nlegend) {
        bi_fail(a, NULL, "ValueError", "scatter(): legend has %zu names for %zu classes", nlegend, ncls);
        goto done;
    }
    for (size_t i = 0, k = 0; i < n; i++) {
        if (i && sorted[i] == sorted[i - 1]) continue;
        m = 0;
        for (size_t j = 0; j < n; j++)
            if (cls[j] == sorted[i]) { sx[m] = xs->x[j]; sy[m] = ys->x[j]; m++; }
        lt_status st = plot_scatter(p, sx, sy, m, NULL, legend[k++], NULL);
        if (st != LT_OK) { bi_fail(a, NULL, lt_status_name(st), "%s", lt_errmsg()); goto done; }
    }
    rc = 0;
done:
    free(sorted); free(sx); free(sy);
    return rc;
}

static int bi_show_range(bi_args *a, double lo, double hi, double *vmin, double *vmax);

/* scatter's background=M, extent=[x0, x1, y0, y1]: the matrix M as a heatmap under the
 * points, its row 0 at the top (y1), on the grey-scale rule of show() (0..1 for values
 * in [0, 1], such as a discriminator's probabilities) unless vmin=/vmax= say otherwise */
static int bi_scatter_background(bi_args *a, plot_panel *p)
{
    const ast_node *bat, *eat;
    const value *bg = bi_kw(a, "background", &bat), *ext = bi_kw(a, "extent", &eat);
    bi_nums m = {0}, e = {0};
    float *z = NULL;
    int rc = -1;
    if (!bg || IS_NONE(*bg)) {
        if (!ext || IS_NONE(*ext)) return 0;
        return bi_fail(a, eat, "ValueError", "scatter(): extent= places a background=; give background too");
    }
    if (bi_nums_get(a, *bg, bat, "scatter", &m) < 0) goto done;
    if (m.ndim != 2 || m.n == 0) { bi_fail(a, bat, "ValueError", "scatter(): background must be a matrix (rows, cols)"); goto done; }
    if (ext && !IS_NONE(*ext) && bi_nums_get(a, *ext, eat, "scatter", &e) < 0) goto done;
    if (e.n != 4) {
        bi_fail(a, ext ? eat : bat, "ValueError", "scatter(): background needs extent=[x0, x1, y0, y1], "
                "the coordinates of its left, right, bottom and top edges");
        goto done;
    }
    if (!(isfinite(e.x[0]) && isfinite(e.x[1]) && isfinite(e.x[2]) && isfinite(e.x[3]) &&
          e.x[0] < e.x[1] && e.x[2] < e.x[3])) {
        bi_fail(a, eat, "ValueError", "scatter(): extent=[%g, %g, %g, %g] needs x0 < x1 and y0 < y1", e.x[0], e.x[1], e.x[2], e.x[3]);
        goto done;
    }
    if (!(z = malloc(m.n * sizeof *z))) { bi_fail(a, NULL, "MemoryError", "out of memory"); goto done; }
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < m.n; i++) {
        z[i] = (float)m.x[i];
        if (isfinite(m.x[i])) { lo = fmin(lo, m.x[i]); hi = fmax(hi, m.x[i]); }
    }
    plot_heatmap_opts o = {0};
    if (bi_show_range(a, lo, hi, &o.vmin, &o.vmax) < 0) goto done;
    o.extent = e.x;
    lt_status st = plot_heatmap(p, z, m.shape[0], m.shape[1], &o);
    if (st != LT_OK) { bi_fail(a, bat, lt_status_name(st), "%s", lt_errmsg()); goto done; }
    rc = 0;
done:
    free(z);
    bi_nums_free(&m);
    bi_nums_free(&e);
    return rc;
}

/* scatter(xs, ys, labels=, legend=, background=, extent=) */
static int bi_scatter(bi_args *a, value *out)
{
    bi_nums xs = {0}, ys = {0}, lab = {0};
    int *cls = NULL, rc = -1;
    const char **legend = NULL;
    plot_panel *p;
    plot_figure *fig = NULL;
    const ast_node *lat;
    const value *lv = bi_kw(a, "labels", &lat);
    if (bi_nums_get(a, a->pos[0], a->pos_nodes[0], "scatter", &xs) < 0 ||
        bi_nums_get(a, a->pos[1], a->pos_nodes[1], "scatter", &ys) < 0)
        goto done;
    if (xs.n != ys.n) {
        bi_fail(a, NULL, "ValueError", "scatter(): %zu xs but %zu ys", xs.n, ys.n);
        goto done;
    }
    if (lv && !IS_NONE(*lv)) {
        if (bi_nums_get(a, *lv, lat, "scatter", &lab) < 0) goto done;
        if (lab.n != xs.n) {
            bi_fail(a, lat, "ValueError", "scatter(): %zu labels for %zu points", lab.n, xs.n);
            goto done;
        }
        if (!(cls = malloc((lab.n ? lab.n : 1) * sizeof *cls))) { bi_fail(a, NULL, "MemoryError", "out of memory"); goto done; }
        for (size_t i = 0; i < lab.n; i++) cls[i] = (int)lab.x[i];
    }
    if (bi_kw_names(a, "legend", 0, &legend) < 0) goto done;
    if (legend && !cls) { bi_fail(a, NULL, "ValueError", "scatter(): legend names the classes of labels=; give labels too"); goto done; }
    if (!(fig = bi_fig_new(a, 0, 0, &p))) goto done;
    if (bi_scatter_background(a, p) < 0) goto done;
    if (legend) {
        const value *lg = bi_kw(a, "legend", NULL);
        if (bi_scatter_named(a, p, &xs, &ys, cls, legend, AS_LIST(*lg)->n) < 0) goto done;
    } else {
        lt_status st = plot_scatter(p, xs.x, ys.x, xs.n, cls, NULL, NULL);
        if (st != LT_OK) { bi_plot_fail(a, NULL, fig, st); fig = NULL; goto done; }
    }
    rc = bi_fig_finish(a, fig, out);
    fig = NULL;
done:
    plot_figure_free(fig);
    bi_nums_free(&xs); bi_nums_free(&ys); bi_nums_free(&lab);
    free(cls);
    free(legend);
    return rc;
}

/* bar(values, labels=, legend=): one series, or grouped bars for a list of lists */
static int bi_bar(bi_args *a, value *out)
{
    bi_nums v;
    if (bi_nums_get(a, a->pos[0], a->pos_nodes[0], "bar", &v) < 0) return -1;
    size_t groups = v.ndim == 2 ? (size_t)v.shape[0] : 1, ncat = v.n / (groups ? groups : 1);
    const char **cats = NULL, **legend = NULL;
    char (*names)[24] = NULL;
    plot_panel *p;
    plot_figure *fig = NULL;
    int rc = -1;
    if (v.n == 0) { bi_fail(a, a->pos_nodes[0], "ValueError", "bar() needs at least one value"); goto done; }
    if (bi_kw_names(a, "labels", ncat, &cats) < 0 || bi_kw_names(a, "legend", groups, &legend) < 0) goto done;
    if (!cats) {
        names = malloc(ncat * sizeof *names);
        cats = malloc(ncat * sizeof *cats);
        if (!names || !cats) { bi_fail(a, NULL, "MemoryError", "out of memory"); goto done; }
        for (size_t i = 0; i < ncat; i++) { snprintf(names[i], sizeof names[i], "%zu", i); cats[i] = names[i]; }
    }
    if (!(fig = bi_fig_new(a, 0, 0, &p))) goto done;
    for (size_t g = 0; g < groups; g++) {
        lt_status st = plot_bar(p, cats, v.x + g * ncat, ncat, legend ? legend[g] : NULL, NULL);
        if (st != LT_OK) { bi_plot_fail(a, NULL, fig, st); fig = NULL; goto done; }
    }
    rc = bi_fig_finish(a, fig, out);
    fig = NULL;
done:
    plot_figure_free(fig);
    bi_nums_free(&v);
    free(cats); free(legend); free(names);
    return rc;
}

/* hist(xs, ..., bins=10, density=false, legend=): one histogram per argument, all
 * over the same bins (the range of all their finite values) so that they compare */
static int bi_hist(bi_args *a, value *out)
{
    long bins;
    int dens, rc = -1, k = 0;
    bi_nums v[16] = {0};
    const char **legend = NULL;
    plot_panel *p;
    plot_figure *fig = NULL;
    double lo = INFINITY, hi = -INFINITY;
    if (bi_kw_int(a, "bins", 10, 1, 10000, &bins) < 0 || bi_kw_bool(a, "density", 0, &dens) < 0) return -1;
    for (; k < a->npos; k++) {
        if (bi_nums_get(a, a->pos[k], a->pos_nodes[k], "hist", &v[k]) < 0) goto done;
        for (size_t i = 0; i < v[k].n; i++)
            if (isfinite(v[k].x[i])) { lo = fmin(lo, v[k].x[i]); hi = fmax(hi, v[k].x[i]); }
    }
    if (bi_kw_names(a, "legend", (size_t)a->npos, &legend) < 0 || !(fig = bi_fig_new(a, 0, 0, &p))) goto done;
    for (int i = 0; i < a->npos; i++) {
        lt_status st = lo <= hi ? plot_hist_range(p, v[i].x, v[i].n, (int)bins, lo, hi, dens, legend ? legend[i] : NULL, NULL)
                                : plot_hist(p, v[i].x, v[i].n, (int)bins, dens, NULL, NULL);
        if (st != LT_OK) { bi_plot_fail(a, a->pos_nodes[i], fig, st); fig = NULL; goto done; }
    }
    rc = bi_fig_finish(a, fig, out);
    fig = NULL;
done:
    plot_figure_free(fig);
    for (int i = 0; i < k; i++) bi_nums_free(&v[i]);
    free(legend);
    return rc;
}

/* heatmap(m): a list of lists, or a 2-D to_floats object */
static int bi_heatmap(bi_args *a, value *out)
{
    bi_nums v;
    plot_panel *p;
    if (bi_nums_get(a, a->pos[0], a->pos_nodes[0], "heatmap", &v) < 0) return -1;
    int rows = v.ndim >= 2 ? v.shape[0] : 1, cols = rows ? (int)(v.n / (size_t)rows) : 0;
    if (v.n > 16u << 20) {   /* plot_heatmap's limit, checked before copying 2^27 numbers again */
        bi_nums_free(&v);
        return bi_fail(a, a->pos_nodes[0], "ValueError", "heatmap: a %d x %d matrix cannot be drawn (1..16M cells)", rows, cols);
    }
    float *z = malloc((v.n ? v.n : 1) * sizeof *z);
    if (!z) { bi_nums_free(&v); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
    for (size_t i = 0; i < v.n; i++) z[i] = (float)v.x[i];
    bi_nums_free(&v);
    plot_figure *fig = bi_fig_new(a, 0, 0, &p);
    lt_status st = fig ? plot_heatmap(p, z, rows, cols, NULL) : LT_OK;
    free(z);
    if (!fig) return -1;
    if (st != LT_OK) return bi_plot_fail(a, a->pos_nodes[0], fig, st);
    return bi_fig_finish(a, fig, out);
}

/* ---- show: image grids ---------------------------------------------------------- */

/* The images of one argument: shape (N, 784) or (N, 28, 28) is N images 28x28,
 * (784) or (28, 28) one image; a square count is taken as a square image. */
static int bi_image_shape(bi_args *a, int i, const bi_nums *v, int *n, int *h, int *w)
{
    size_t per = v->n;
    *n = 1;
    if (v->ndim >= 3) { *n = v->shape[0]; *h = v->shape[v->ndim - 2]; *w = v->shape[v->ndim - 1]; }
    else if (v->ndim == 2 && v->shape[1] > 0) {
        long side = lround(sqrt((double)v->shape[1]));
        if (side * side == v->shape[1]) { *n = v->shape[0]; *h = *w = (int)side; }
        else { *h = v->shape[0]; *w = v->shape[1]; }   /* one image */
    }
    if (v->ndim >= 3 || (v->ndim == 2 && v->shape[1] > 0)) {
        if (*n < 1 || *h < 1 || *w < 1)   /* an empty grid would divide by 0 columns */
            return bi_fail(a, a->pos_nodes[i], "ValueError",
                           "show() needs at least one image of at least 1x1 pixels, got %d of %dx%d", *n, *h, *w);
        return 0;
    }
    long side = lround(sqrt((double)per));
    if (per == 0 || (size_t)(side * side) != per)
        return bi_fail(a, a->pos_nodes[i], "ValueError",
                       "show() needs images: (N, 784) rows of 28x28 pixels or (N, H, W), got %zu numbers", per);
    *h = *w = (int)side;
    return 0;
}

/* The grey scale of show() for data in [lo, hi]: 0..1 when it lies within [0, 1] (a dim
 * image stays dim), -1..1 when within [-1, 1] with negatives (scaled diffusion data),
 * else lo..hi; vmin=/vmax= override either end. Returns -1 after an error. */
static int bi_show_range(bi_args *a, double lo, double hi, double *vmin, double *vmax)
{
    const char *kw[2] = {"vmin", "vmax"};
    double *dst[2] = {vmin, vmax};
    if (!(lo <= hi)) lo = hi = 0;   /* no finite pixel */
    if (lo >= 0 && hi <= 1) { *vmin = 0; *vmax = 1; }
    else if (lo >= -1 && hi <= 1) { *vmin = -1; *vmax = 1; }
    else { *vmin = lo; *vmax = hi; }
    for (int i = 0; i < 2; i++) {
        const ast_node *at;
        const value *v = bi_kw(a, kw[i], &at);
        if (!v || IS_NONE(*v)) continue;
        if (!IS_NUM(*v) || !isfinite(AS_NUM(*v))) return bi_fail(a, at, "TypeError", "%s must be a number", kw[i]);
        *dst[i] = AS_NUM(*v);
    }
    if (!(*vmin < *vmax)) {
        if (bi_kw(a, "vmin", NULL) || bi_kw(a, "vmax", NULL))
            return bi_fail(a, NULL, "ValueError", "show(): vmin (%g) must be below vmax (%g)", *vmin, *vmax);
        *vmax = *vmin + 1;   /* a constant image: its value is black */
    }
    return 0;
}

/* show(images, ...): one row per argument (or a grid for a single argument) */
static int bi_show(bi_args *a, value *out)
{
    int nrow = a->npos, h = 0, w = 0, cols = 0, total = 0, rc = -1;
    long kcols;
    bi_nums *v = calloc((size_t)nrow, sizeof *v);
    int *counts = calloc((size_t)nrow, sizeof *counts);
    float *pix = NULL;
    plot_figure *fig = NULL;
    plot_panel *p;
    const char **rowlab = NULL;
    if (!v || !counts) { free(v); free(counts); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
    if (bi_kw_int(a, "cols", 0, 0, 64, &kcols) < 0 || bi_kw_names(a, "labels", nrow > 1 ? (size_t)nrow : 0, &rowlab) < 0)
        goto done;
    for (int i = 0; i < nrow; i++) {
        int hi = 0, wi = 0;
        if (bi_nums_get(a, a->pos[i], a->pos_nodes[i], "show", &v[i]) < 0 || bi_image_shape(a, i, &v[i], &counts[i], &hi, &wi) < 0)
            goto done;
        if (i && (hi != h || wi != w)) {
            bi_fail(a, a->pos_nodes[i], "ValueError", "show(): these images are %dx%d but the first row's are %dx%d", hi, wi, h, w);
            goto done;
        }
        h = hi; w = wi;
        if (counts[i] > cols) cols = counts[i];
    }
    if (nrow == 1) cols = kcols ? (int)kcols : (counts[0] < 8 ? counts[0] : 8);
    total = nrow == 1 ? counts[0] : cols * nrow;
    if ((size_t)total * (size_t)h * (size_t)w > 50000000u) { bi_fail(a, NULL, "ValueError", "show(): too many pixels"); goto done; }
    pix = malloc((size_t)total * (size_t)h * (size_t)w * sizeof *pix);
    if (!pix) { bi_fail(a, NULL, "MemoryError", "out of memory"); goto done; }
    double lo = INFINITY, hi = -INFINITY;
    size_t per = (size_t)h * (size_t)w;
    for (int i = 0; i < nrow; i++) {
        float *row = pix + (nrow == 1 ? 0 : (size_t)i * (size_t)cols * per);
        size_t have = (size_t)counts[i] * per, room = nrow == 1 ? have : (size_t)cols * per;
        for (size_t k = 0; k < room; k++) {
            row[k] = k < have ? (float)v[i].x[k] : NAN;
            if (k < have && isfinite(v[i].x[k])) { lo = fmin(lo, v[i].x[k]); hi = fmax(hi, v[i].x[k]); }
        }
    }
    int grid_rows = (total + cols - 1) / cols;
    int side = 640 / cols < 96 ? 640 / cols : 96;
    if (side < 16) side = 16;
    if (!(fig = bi_fig_new(a, cols * side + (rowlab ? 80 : 0) + 20, grid_rows * side + 20, &p))) goto done;
    plot_images_opts o = {.cols = cols, .row_labels = rowlab};
    if (bi_show_range(a, lo, hi, &o.vmin, &o.vmax) < 0) goto done;
    lt_status st = plot_image_grid(p, pix, total, h, w, &o);
    if (st != LT_OK) { bi_plot_fail(a, NULL, fig, st); fig = NULL; goto done; }
    char note[80];
    snprintf(note, sizeof note, ", grey %.3g..%.3g", o.vmin, o.vmax);
    rc = bi_fig_finish_note(a, fig, note, out);
    fig = NULL;
done:
    plot_figure_free(fig);
    for (int i = 0; i < nrow; i++) bi_nums_free(&v[i]);
    free(v); free(counts); free(pix); free(rowlab);
    return rc;
}

/* ---- savefig, display ------------------------------------------------------------ */

static int bi_savefig(bi_args *a, value *out)
{
    if (!IS_OBJ(a->pos[0]) || AS_OBJ(a->pos[0])->type != &bi_fig_type)
        return bi_fail(a, a->pos_nodes[0], "TypeError", "savefig() needs a figure (from plot, bar, ...), not %s %s",
                       val_a(a->pos[0]), val_type_name(a->pos[0]));
    if (!IS_STR(a->pos[1]))
        return bi_fail(a, a->pos_nodes[1], "TypeError", "savefig() needs a file name, not %s %s", val_a(a->pos[1]), val_type_name(a->pos[1]));
    const bi_fig *f = AS_OBJ(a->pos[0])->data;
    const char *path = AS_STR(a->pos[1])->chars;
    FILE *fp = fopen(path, "wb");
    if (!fp) return bi_fail(a, a->pos_nodes[1], "IOError", "cannot write '%s'", path);
    size_t wrote = fwrite(f->png.data, 1, f->png.len, fp);
    if (fclose(fp) != 0 || wrote != f->png.len) return bi_fail(a, a->pos_nodes[1], "IOError", "cannot write '%s'", path);
    *out = NONE_VAL;
    return 0;
}

static int bi_display(bi_args *a, value *out)
{
    for (int i = 0; i < a->npos; i++) sess_show(a->s, a->pos[i], 1);
    *out = NONE_VAL;
    return 0;
}

/* ---- grid: figures side by side ------------------------------------------------- */

typedef struct bi_bytes { const unsigned char *p; size_t len, pos; } bi_bytes;

static cairo_status_t bi_png_read(void *closure, unsigned char *data, unsigned int n)
{
    bi_bytes *b = closure;
    if (b->pos + n > b->len) return CAIRO_STATUS_READ_ERROR;
    memcpy(data, b->p + b->pos, n);
    b->pos += n;
    return CAIRO_STATUS_SUCCESS;
}

static cairo_status_t bi_png_write(void *closure, const unsigned char *data, unsigned int n)
{
    plot_png *png = closure;
    unsigned char *d = realloc(png->data, png->len + n);
    if (!d) return CAIRO_STATUS_NO_MEMORY;
    memcpy(d + png->len, data, n);
    png->data = d;
    png->len += n;
    return CAIRO_STATUS_SUCCESS;
}

/* Paints the n figures' PNGs into cells of the largest one's size, cols per row, each
 * centred on white, and encodes the result into out (zeroed first); its CSS size is at
 * most 960 px wide. Returns 0 or -1. */
static int bi_png_tile(const bi_fig *const *f, int n, int cols, plot_png *out)
{
    int cw = 0, ch = 0, ccw = 0, cch = 0, rows = (n + cols - 1) / cols;
    for (int i = 0; i < n; i++) {
        cw = f[i]->png.width > cw ? f[i]->png.width : cw;
        ch = f[i]->png.height > ch ? f[i]->png.height : ch;
        ccw = f[i]->png.css_width > ccw ? f[i]->png.css_width : ccw;
        cch = f[i]->png.css_height > cch ? f[i]->png.css_height : cch;
    }
    memset(out, 0, sizeof *out);
    cairo_surface_t *dst = cairo_image_surface_create(CAIRO_FORMAT_RGB24, cols * cw, rows * ch);
    cairo_t *cr = cairo_create(dst);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    for (int i = 0; i < n; i++) {
        bi_bytes b = {f[i]->png.data, f[i]->png.len, 0};
        cairo_surface_t *src = cairo_image_surface_create_from_png_stream(bi_png_read, &b);
        double x = (i % cols) * cw + (cw - f[i]->png.width) / 2, y = (i / cols) * ch + (ch - f[i]->png.height) / 2;
        cairo_set_source_surface(cr, src, x, y);
        cairo_paint(cr);
        cairo_surface_destroy(src);
    }
    int ok = cairo_status(cr) == CAIRO_STATUS_SUCCESS;
    cairo_destroy(cr);
    ok = ok && cairo_surface_write_to_png_stream(dst, bi_png_write, out) == CAIRO_STATUS_SUCCESS;
    cairo_surface_destroy(dst);
    if (!ok) { plot_png_free(out); return -1; }
    out->width = cols * cw;
    out->height = rows * ch;
    out->css_width = cols * ccw;
    out->css_height = rows * cch;
    if (out->css_width > 960) {   /* shown no wider than a notebook's column; as sharp */
        out->css_height = (int)lround(out->css_height * 960.0 / out->css_width);
        out->css_width = 960;
    }
    return 0;
}

/* grid(figure, ..., cols=): the figures side by side, cols per row (default: all in one
 * row up to 3, then rows of 2 or 3) */
static int bi_grid(bi_args *a, value *out)
{
    long cols;
    const bi_fig *figs[16];
    if (bi_kw_int(a, "cols", 0, 0, 16, &cols) < 0) return -1;
    for (int i = 0; i < a->npos; i++) {
        if (!IS_OBJ(a->pos[i]) || AS_OBJ(a->pos[i])->type != &bi_fig_type)
            return bi_fail(a, a->pos_nodes[i], "TypeError", "grid() needs figures (from plot, bar, show, ...), not %s %s",
                           val_a(a->pos[i]), val_type_name(a->pos[i]));
        figs[i] = AS_OBJ(a->pos[i])->data;
    }
    int n = a->npos, c = cols ? (int)cols : n <= 3 ? n : n == 4 ? 2 : 3;
    if (c > n) c = n;
    bi_fig *f = calloc(1, sizeof *f);
    buf d;
    buf_init(&d);
    buf_printf(&d, "figure with %d panels (%d x %d): ", n, (n + c - 1) / c, c);
    for (int i = 0; i < n; i++) buf_printf(&d, "%s%s", i ? "; " : "", figs[i]->text ? figs[i]->text : "figure");
    if (!f || d.oom || bi_png_tile(figs, n, c, &f->png) < 0) {
        free(f);
        buf_free(&d);
        return bi_fail(a, NULL, "MemoryError", "grid(): out of memory");
    }
    f->text = buf_take(&d);
    val_obj *o = val_obj_new(&bi_fig_type, f);
    if (!o) return bi_fail(a, NULL, "MemoryError", "out of memory");
    *out = OBJ_VAL(o);
    return 0;
}

/* ---- animations ------------------------------------------------------------------- */

static const char *const bi_anim_own_kw[] = {"fps", "hold", "loop", "titles", NULL};

static int bi_anim_own(const char *kw)
{
    for (int i = 0; bi_anim_own_kw[i]; i++)
        if (strcmp(bi_anim_own_kw[i], kw) == 0) return 1;
    return 0;
}

/* Frame i of animate(frames, ...) as a figure value (*fig, a new reference): a figure as
 * it is, a tensor (or list of numbers) drawn by show() with animate's show keywords and
 * the frame's entry of titles= as its title. */
static int bi_anim_frame(bi_args *a, value frame, int i, const value *title, value *fig)
{
    if (IS_OBJ(frame) && AS_OBJ(frame)->type == &bi_fig_type) {
        for (int k = 0; k < a->nkw; k++)
            if (!bi_anim_own(a->kw_keys[k]->text))
                return bi_fail(a, a->kw_keys[k], "TypeError", "%s= is for frames that are images (tensors), but frame "
                               "%d is a figure already: give it to the call that drew it", a->kw_keys[k]->text, i);
        val_incref(frame);
        *fig = frame;
        return 0;
    }
    value kw[8];
    ast_node *keys[8];
    ast_node title_key = *a->call;
    title_key.kind = AST_NAME;
    title_key.text = "title";
    title_key.text_len = 5;
    int nkw = 0;
    for (int k = 0; k < a->nkw && nkw < 7; k++) {
        if (bi_anim_own(a->kw_keys[k]->text) || (title && strcmp(a->kw_keys[k]->text, "title") == 0)) continue;
        kw[nkw] = a->kw[k];
        keys[nkw++] = a->kw_keys[k];
    }
    if (title) { kw[nkw] = *title; keys[nkw++] = &title_key; }
    bi_args b = {a->s, a->call, 1, &frame, a->pos_nodes, nkw, kw, keys};
    if (bi_show(&b, fig) == 0) return 0;
    /* show's message, with the frame named */
    char pre[24], *msg = a->s->err.msg;
    size_t k = (size_t)snprintf(pre, sizeof pre, "frame %d: ", i), cap = sizeof a->s->err.msg;
    size_t len = strnlen(msg, cap - 1);
    if (len + k > cap - 1) len = cap - 1 - k;
    memmove(msg + k, msg, len);
    memcpy(msg, pre, k);
    msg[k + len] = 0;
    return -1;
}

/* animate(frames, fps=10, hold=1, loop=0, titles=none, ...): an animated PNG */
static int bi_animate(bi_args *a, value *out)
{
    double fps = 10, hold = 1;
    long loop;
    const ast_node *at = NULL;
    const value *v;
    if ((v = bi_kw(a, "fps", &at)) && !IS_NUM(*v)) return bi_fail(a, at, "TypeError", "fps must be a number");
    if (v) fps = AS_NUM(*v);
    if (!(fps >= 0.1 && fps <= 100)) return bi_fail(a, at, "ValueError", "fps must be from 0.1 to 100 frames per second, got %g", fps);
    if ((v = bi_kw(a, "hold", &at)) && !IS_NUM(*v)) return bi_fail(a, at, "TypeError", "hold must be a number of seconds");
    if (v) hold = AS_NUM(*v);
    if (!(hold >= 0 && hold <= 60)) return bi_fail(a, at, "ValueError", "hold must be from 0 to 60 seconds, got %g", hold);
    if (bi_kw_int(a, "loop", 0, 0, 65535, &loop) < 0) return -1;
    if (!IS_LIST(a->pos[0]))
        return bi_fail(a, a->pos_nodes[0], "TypeError", "animate() takes a list of frames (figures, or images as "
                       "tensors), not %s", val_type_name(a->pos[0]));
    val_list *l = AS_LIST(a->pos[0]);
    int n = (int)l->n;
    if (n < 1 || n > 1000) return bi_fail(a, a->pos_nodes[0], "ValueError", "animate() takes 1 to 1000 frames, got %d", n);
    const value *titles = bi_kw(a, "titles", &at);
    if (titles && (!IS_LIST(*titles) || AS_LIST(*titles)->n != (size_t)n))
        return bi_fail(a, at, "ValueError", "titles= needs one string per frame (%d)", n);
    value *figs = calloc((size_t)n, sizeof *figs);
    plot_png *pngs = calloc((size_t)n, sizeof *pngs);
    int *delay = calloc((size_t)n, sizeof *delay), rc = -1, made = 0;
    bi_fig *f = calloc(1, sizeof *f);
    if (!figs || !pngs || !delay || !f) { bi_fail(a, NULL, "MemoryError", "out of memory"); goto done; }
    for (; made < n; made++) {
        const value *t = titles ? &AS_LIST(*titles)->items[made] : NULL;
        if (t && !IS_STR(*t)) { bi_fail(a, at, "TypeError", "titles= needs strings, but item %d is %s %s", made, val_a(*t), val_type_name(*t)); goto done; }
        if (bi_anim_frame(a, l->items[made], made, t, &figs[made]) < 0) goto done;
        pngs[made] = ((bi_fig *)AS_OBJ(figs[made])->data)->png;
        delay[made] = (int)lround(1000 / fps);
        if (delay[made] < 1) delay[made] = 1;
    }
    delay[n - 1] += (int)lround(1000 * hold);
    if (delay[n - 1] > 65535) delay[n - 1] = 65535;
    lt_status st = plot_apng(pngs, n, delay, (int)loop, &f->png);
    if (st != LT_OK) { bi_fail(a, a->pos_nodes[0], lt_status_name(st), "%s", lt_errmsg()); goto done; }
    buf d;
    buf_init(&d);
    const char *first = ((bi_fig *)AS_OBJ(figs[0])->data)->text;
    buf_printf(&d, "animation (%d frames at %g fps", n, fps);
    if (hold > 0) buf_printf(&d, ", the last held %g s", hold);
    buf_printf(&d, "): %s", first ? first : "figure");
    f->text = buf_take(&d);
    val_obj *o = val_obj_new(&bi_fig_type, f);
    if (!o) { bi_fail(a, NULL, "MemoryError", "out of memory"); f = NULL; goto done; }
    *out = OBJ_VAL(o);
    f = NULL;
    rc = 0;
done:
    for (int i = 0; figs && i < made; i++) val_decref(figs[i]);
    if (f) bi_fig_free(f);
    free(figs); free(pngs); free(delay);
    return rc;
}

/* live(on): the live loss plot of train loops in this session, on or off */
static int bi_live(bi_args *a, value *out)
{
    if (!IS_BOOL(a->pos[0]))
        return bi_fail(a, a->pos_nodes[0], "TypeError", "live() needs true or false, not %s %s", val_a(a->pos[0]), val_type_name(a->pos[0]));
    tc_ctx *tc = tc_get(a->s, a->call);
    if (!tc) return -1;
    tc->live_after = AS_BOOL(a->pos[0]) ? 1.0 : -1.0;
    *out = NONE_VAL;
    return 0;
}

/* ---- the table -------------------------------------------------------------------- */

#define BI_FIG_KW "title", "xlabel", "ylabel", "logy", "size", "legend"
static const char *const bi_plot_kw[] = {BI_FIG_KW, "x", "smooth", "markers", "xlim", "ylim", NULL};
static const char *const bi_scatter_kw[] = {BI_FIG_KW, "labels", "xlim", "ylim", "background", "extent", "vmin", "vmax", NULL};
static const char *const bi_bar_kw[] = {BI_FIG_KW, "labels", NULL};
static const char *const bi_hist_kw[] = {BI_FIG_KW, "bins", "density", NULL};
static const char *const bi_heatmap_kw[] = {BI_FIG_KW, NULL};
static const char *const bi_grid_kw[] = {"cols", NULL};
static const char *const bi_show_kw[] = {"title", "size", "labels", "cols", "vmin", "vmax", NULL};
static const char *const bi_animate_kw[] = {"fps", "hold", "loop", "titles", "title", "size", "labels", "cols", "vmin", "vmax", NULL};

static const builtin bi_plot_builtins[] = {
    {"plot", "plot(series, ..., x=none, smooth=1, markers=false, title=, xlabel=, ylabel=, logy=false, size=[640, 400], legend=, xlim=, ylim=)",
     "A line plot of each series (a list of numbers, the rows of a list of lists, a tensor, a training "
     "history) against 0, 1, 2, ... or against x; legend names the series. A training history is drawn "
     "against the batch number and named after its variable (plot(lossD, lossG) has a legend lossD, "
     "lossG). markers=true marks every point. smooth=k draws each series faint with its moving average over k points on top. plot(code) "
     "draws a Huffman code's tree with its edges labelled 0 and 1; plot(density(normal(0, 1), ...)) "
     "draws density curves.",
     "plot([1, 0.5, 0.25], [0.9, 0.6, 0.4], legend=[\"train\", \"valid\"], title=\"loss\")\n"
     "# => <line plot 'loss' (2 series, 3 points)>",
     bi_plot_kw, 1, -1, bi_plot},
    {"scatter", "scatter(xs, ys, labels=none, legend=, title=, xlabel=, ylabel=, size=, xlim=, ylim=, ...)",
     "Points (xs[i], ys[i]); with labels (whole numbers, e.g. digit classes) each class gets its own colour "
     "and a legend entry, named by its number or, in increasing order of the classes, by legend.",
     "scatter([0, 1, 2, 3], [1, 3, 2, 4], labels=[0, 0, 1, 1])  # => <scatter plot (4 points, 2 classes)>",
     bi_scatter_kw, 2, 2, bi_scatter},
    {"bar", "bar(values, labels=[...], legend=[...], title=, ...)",
     "Bars of the values over the categories named by labels; a list of lists draws grouped bars side "
     "by side, one colour per row, named by legend.",
     "bar([[0.5, 0.5], [0.9, 0.1]], labels=[\"H\", \"T\"], legend=[\"p\", \"q\"])  # => <bar chart (2 series, 2 categories)>",
     bi_bar_kw, 1, 1, bi_bar},
    {"hist", "hist(xs, ..., bins=10, density=false, legend=[...], title=, ...)",
     "A histogram of the numbers in xs with bins equal bins; density=true scales it to unit area. "
     "Several arguments are several see-through histograms over the same bins, named by legend.",
     "hist([1, 2, 2, 3, 3, 3], bins=3)  # => <histogram (1 series, 6 values, 3 bins)>",
     bi_hist_kw, 1, 16, bi_hist},
    {"heatmap", "heatmap(m, title=, ...)",
     "A heatmap of a matrix (a list of rows, or a 2-D tensor) with a colour bar; row 0 at the top.",
     "heatmap([[1, 2], [3, 4]])  # => <heatmap (2 x 2)>", bi_heatmap_kw, 1, 1, bi_heatmap},
    {"show", "show(images, ..., labels=[...], cols=, vmin=, vmax=, title=, size=)",
     "Images in a grid: (N, 784) is N 28x28 images, (N, H, W) N images HxW; several arguments are "
     "several rows (inputs over reconstructions), named by labels. The grey scale is 0..1 when every "
     "value lies in [0, 1] (so dim images look dim), -1..1 when they lie in [-1, 1] with negatives, "
     "else their min..max; vmin= and vmax= set it (black at vmin, white at vmax).",
     "show([[0, 1, 0, 1], [1, 0, 1, 0]])  # => <image grid (2 images of 2 x 2, 2 per row), grey 0..1>", bi_show_kw, 1, 16, bi_show},
    {"animate", "animate(frames, fps=10, hold=1, loop=0, titles=none, vmin=, vmax=, cols=, size=, ...)",
     "An animated PNG that plays in the notebook, its HTML export and GitHub: frames is a list of figures, or of "
     "images (tensors) that are drawn as show(frame, ...) with the other keywords (fix vmin= and vmax= so that the "
     "grey scale does not jump) and titles[i] as frame i's title. fps frames per second, the last one held `hold` "
     "seconds longer; loop times (0: forever). savefig writes it as an .png file.",
     "animate([zeros(2, 4), ones(2, 4)], fps=2, vmin=0, vmax=1, titles=[\"dark\", \"light\"])\n"
     "# => <animation (2 frames at 2 fps, the last held 1 s): image grid 'dark' (2 images of 2 x 2, 2 per row), grey 0..1>",
     bi_animate_kw, 1, 1, bi_animate},
    {"grid", "grid(figure, ..., cols=)",
     "Figures side by side in one picture (subplots): cols per row (default: up to 3 in one row, "
     "4 as 2 x 2, more in rows of 3).",
     "grid(plot([1, 2, 3]), bar([3, 1]))\n"
     "# => <figure with 2 panels (1 x 2): line plot (1 series, 3 points); bar chart (1 series, 2 categories)>",
     bi_grid_kw, 1, 16, bi_grid},
    {"live", "live(on)",
     "Turns the live loss plot of train loops on (true, the default) or off (false) for this session. "
     "It shows, beside the progress line, every stepped or logged value against the batch once a "
     "training has run for a second, and updates in place a few times a second.",
     "live(false)", NULL, 1, 1, bi_live},
    {"savefig", "savefig(figure, path)", "Writes a figure to a PNG file.",
     "savefig(plot([1, 2, 3]), \"/tmp/latent-savefig-example.png\")", NULL, 2, 2, bi_savefig},
    {"display", "display(value, ...)",
     "Shows values now, as a cell's result would be shown (a figure inline), without waiting for the "
     "end of the cell.", "display(1, \"two\")\n# => 1\n# => 'two'", NULL, 1, -1, bi_display},
    {0},
};

int lib_open_plot(registry *r)
{
    return reg_open(r, bi_plot_builtins);
}
