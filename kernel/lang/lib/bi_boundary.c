/* bi_boundary.c: boundary(net, data), the decision boundary of a 2-D classifier in one
 * call (see bi_boundary.h and share/docs/language.md, "Decision boundaries").
 *
 * The network runs on an n x n grid of points over the data's range (plus 10% on each
 * side, or extent=); each cell is filled with the colour of its predicted class, pale
 * near the boundary and stronger where the network is sure, and the data's points are
 * drawn on top in the same colours (class k in tab10's k-th colour, as scatter(labels=)
 * colours classes 0, 1, ...). The description gives the accuracy on the points. */
#include "bi_boundary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "bi_nn.h"
#include "bi_plot.h"
#include "bi_tensor.h"
#include "data.h"
#include "plot.h"
#include "sess.h"

enum { BD_MAX_CLASSES = 10, BD_CHUNK = 16384 };

typedef struct bd_points {
    double *xy;     /* (n, 2) */
    int *cls;       /* n labels, or NULL */
    size_t n;
} bd_points;

static void bd_points_free(bd_points *p)
{
    free(p->xy);
    free(p->cls);
}

/* The points and labels: boundary(net, data) or boundary(net, points, labels). */
static int bd_get_points(bi_args *a, bd_points *p)
{
    memset(p, 0, sizeof *p);
    if (dv_is(a->pos[1])) {
        const lt_dataset *d = AS_OBJ(a->pos[1])->data;
        if (d->d != 2)
            return bi_fail(a, a->pos_nodes[1], "ValueError", "boundary() draws 2-D data, but these samples have %d numbers each", d->d);
        if (a->npos > 2) return bi_fail(a, a->pos_nodes[2], "TypeError", "boundary(net, data) takes its labels from the data set");
        p->n = (size_t)d->n;
        p->xy = malloc(2 * p->n * sizeof *p->xy);
        p->cls = d->y ? malloc(p->n * sizeof *p->cls) : NULL;
        if (!p->xy || (d->y && !p->cls)) return bi_fail(a, NULL, "MemoryError", "out of memory");
        for (size_t i = 0; i < 2 * p->n; i++) p->xy[i] = d->x[i];
        for (size_t i = 0; p->cls && i < p->n; i++) p->cls[i] = d->y[i];
        return 0;
    }
    bi_nums v = {0}, l = {0};
    if (bi_nums_get(a, a->pos[1], a->pos_nodes[1], "boundary", &v) < 0) return -1;
    if (v.ndim != 2 || v.shape[1] != 2 || v.n == 0) {
        bi_nums_free(&v);
        return bi_fail(a, a->pos_nodes[1], "ValueError", "boundary() needs points of shape (N, 2) or a data set of 2-D samples");
    }
    p->n = v.n / 2;
    p->xy = v.x;   /* taken over */
    if (a->npos < 3) return 0;
    if (bi_nums_get(a, a->pos[2], a->pos_nodes[2], "boundary", &l) < 0) return -1;
    if (l.n != p->n) {
        size_t got = l.n;
        bi_nums_free(&l);
        return bi_fail(a, a->pos_nodes[2], "ValueError", "boundary(): %zu labels for %zu points", got, p->n);
    }
    p->cls = malloc(p->n * sizeof *p->cls);
    for (size_t i = 0; p->cls && i < p->n; i++) p->cls[i] = isfinite(l.x[i]) ? (int)l.x[i] : -1;
    bi_nums_free(&l);
    return p->cls ? 0 : bi_fail(a, NULL, "MemoryError", "out of memory");
}

/* Runs net on the m points xy (m, 2) (m <= BD_CHUNK): its outputs in *out (m x *c,
 * malloc'ed). */
static int bd_run_chunk(bi_args *a, const double *xy, size_t m, double **out, int *c)
{
    value net = a->pos[0], x, y;
    *out = NULL;
    if (!tc_get(a->s, a->call)) return -1;
    int shape[2] = {(int)m, 2};
    lt_tensor *t = graph_tensor(a->s->tc->g, 2, shape);
    if (!t) return tv_fail(a->s, a->call);
    for (size_t i = 0; i < 2 * m; i++) t->data[i] = (float)xy[i];
    if (tv_result_tensor(a->s, a->call, t, &x) < 0) return -1;
    bi_args b = {a->s, a->call, 1, &x, a->pos_nodes, 0, NULL, NULL};
    int st = AS_OBJ(net)->type->call(AS_OBJ(net)->data, &b, &y);
    val_decref(x);
    if (st < 0) return -1;
    bi_nums v = {0};
    st = bi_nums_get(a, y, a->pos_nodes[0], "boundary", &v);
    val_decref(y);
    if (st < 0) return -1;
    int cols = v.ndim == 1 ? 1 : v.ndim == 2 ? v.shape[1] : 0;
    if (v.n != m * (size_t)(cols ? cols : 1) || cols < 1 || cols > 1000) {
        bi_nums_free(&v);
        return bi_fail(a, a->pos_nodes[0], "ValueError", "boundary(): the network must map (B, 2) points to (B, C) "
                       "class scores or (B) / (B, 1) probabilities");
    }
    *out = v.x;   /* taken over */
    *c = cols;
    return 0;
}

/* Runs net on the m points xy (m, 2), BD_CHUNK at a time (a 1000 x 1000 grid through a
 * wide network would otherwise hold every hidden layer at once): the outputs in *out
 * (m x *c, malloc'ed). Stops when the kernel is interrupted. */
static int bd_run(bi_args *a, const double *xy, size_t m, double **out, int *c)
{
    value net = a->pos[0];
    *out = NULL;
    if (!IS_OBJ(net) || !AS_OBJ(net)->type->call)
        return bi_fail(a, a->pos_nodes[0], "TypeError", "boundary() needs a network (or a function) of 2 inputs, not a %s",
                       val_type_name(net));
    double *all = NULL;
    for (size_t at = 0; at < m; at += BD_CHUNK) {
        size_t k = m - at < BD_CHUNK ? m - at : BD_CHUNK;
        double *part = NULL;
        int ck = 0;
        if (sess_poll(a->s, a->call) < 0 || bd_run_chunk(a, xy + 2 * at, k, &part, &ck) < 0) { free(all); return -1; }
        if (at == 0) *c = ck;
        if (ck != *c) {   /* a function whose output width changes from call to call */
            free(part);
            free(all);
            return bi_fail(a, a->pos_nodes[0], "ValueError", "boundary(): the network gave %d outputs, then %d", *c, ck);
        }
        if (!all && !(all = malloc(m * (size_t)*c * sizeof *all))) {
            free(part);
            return bi_fail(a, NULL, "MemoryError", "out of memory");
        }
        memcpy(all + at * (size_t)*c, part, k * (size_t)*c * sizeof *all);
        free(part);
    }
    *out = all;
    return 0;
}

/* Class and confidence (0 at the boundary, 1 when sure) of each of m rows of c outputs:
 * one output is a probability of class 1 (a logit, through a sigmoid, when some output
 * lies outside [0, 1]); several are probabilities when every row is (in [0, 1], summing
 * to 1), else scores through a softmax. NaN rows get class -1. */
static void bd_classify(const double *o, size_t m, int c, int *cls, double *conf)
{
    int probs = 1;
    for (size_t i = 0; i < m && probs; i++) {
        double sum = 0;
        for (int k = 0; k < c; k++) {
            double v = o[i * c + k];
            probs &= v >= 0 && v <= 1;
            sum += v;
        }
        probs &= c == 1 || fabs(sum - 1) < 1e-3;
    }
    for (size_t i = 0; i < m; i++) {
        const double *r = o + i * c;
        if (c == 1) {
            double p = probs ? r[0] : 1 / (1 + exp(-r[0]));
            cls[i] = isnan(p) ? -1 : p >= 0.5;
            conf[i] = fabs(2 * p - 1);
            continue;
        }
        int best = 0;
        for (int k = 1; k < c; k++) if (r[k] > r[best]) best = k;
        double pmax = 1, sum = 0;
        if (probs) pmax = r[best];
        else {
            for (int k = 0; k < c; k++) sum += exp(r[k] - r[best]);
            pmax = 1 / sum;
        }
        cls[i] = isnan(pmax) ? -1 : best;
        conf[i] = (pmax - 1.0 / c) / (1 - 1.0 / c);
    }
}

/* The colour of a cell of class k at confidence t: tab10's k-th colour over white, at
 * 12% on the boundary up to 40% where the network is sure (points stay visible on it). */
static uint32_t bd_color(int k, double t)
{
    if (k < 0) return 0xffffff;
    uint32_t c = plot_tab10(k), rgb = 0;
    double a = 0.12 + 0.28 * (t < 0 ? 0 : t > 1 ? 1 : t);
    for (int sh = 16; sh >= 0; sh -= 8) {
        double v = 255 * (1 - a) + ((c >> sh) & 255) * a;
        rgb |= (uint32_t)lround(v) << sh;
    }
    return rgb;
}

/* The grid's extent: extent=, or the points' range plus 10% on each side. */
static int bd_extent(bi_args *a, const bd_points *p, double e[4])
{
    const ast_node *at;
    const value *v = bi_kw(a, "extent", &at);
    if (v && !IS_NONE(*v)) {
        bi_nums n = {0};
        if (bi_nums_get(a, *v, at, "boundary", &n) < 0) return -1;
        int ok = n.n == 4 && n.x[0] < n.x[1] && n.x[2] < n.x[3] && isfinite(n.x[1] - n.x[0]) &&
                 isfinite(n.x[3] - n.x[2]);
        if (ok) memcpy(e, n.x, 4 * sizeof *e);
        bi_nums_free(&n);
        return ok ? 0 : bi_fail(a, at, "ValueError", "boundary(): extent must be [x0, x1, y0, y1] with x0 < x1 and y0 < y1, finite widths");
    }
    e[0] = e[2] = INFINITY, e[1] = e[3] = -INFINITY;
    for (size_t i = 0; i < p->n; i++)
        for (int d = 0; d < 2; d++)
            if (isfinite(p->xy[2 * i + d])) {
                e[2 * d] = fmin(e[2 * d], p->xy[2 * i + d]);
                e[2 * d + 1] = fmax(e[2 * d + 1], p->xy[2 * i + d]);
            }
    if (!(e[0] <= e[1] && e[2] <= e[3]))
        return bi_fail(a, a->pos_nodes[1], "ValueError", "boundary(): no point has two finite coordinates");
    for (int d = 0; d < 2; d++) {
        double span = e[2 * d + 1] - e[2 * d], m = span > 0 ? 0.1 * span : 0.5;
        e[2 * d] -= m;
        e[2 * d + 1] += m;
        if (!isfinite(e[2 * d + 1] - e[2 * d]))
            return bi_fail(a, a->pos_nodes[1], "ValueError", "boundary(): the points spread over more than a double "
                           "can hold (%g to %g); give extent=[x0, x1, y0, y1]", e[2 * d], e[2 * d + 1]);
    }
    return 0;
}

/* The points of class k (or all, k = -2) as one scatter series in class k's colour. */
static lt_status bd_scatter(plot_panel *p, const bd_points *pts, int k, const char *name, double *buf)
{
    size_t m = 0;
    for (size_t i = 0; i < pts->n; i++)
        if (k == -2 || pts->cls[i] == k) { buf[m] = pts->xy[2 * i]; buf[pts->n + m] = pts->xy[2 * i + 1]; m++; }
    if (m == 0) return LT_OK;
    plot_style s = {.color = PLOT_RGB(k >= 0 ? plot_tab10(k) : 0x333333), .alpha = 0.9};
    return plot_scatter(p, buf, buf + pts->n, m, NULL, name, &s);
}

/* The map (n x n cells, row 0 at the top) of the classes over extent e, as colours. */
static int bd_map(bi_args *a, int n, const double e[4], uint32_t *rgb, int *nclasses)
{
    size_t m = (size_t)n * n;
    double *xy = malloc(2 * m * sizeof *xy), *o = NULL, *conf = malloc(m * sizeof *conf);
    int *cls = malloc(m * sizeof *cls), c = 0, rc = -1;
    if (!xy || !conf || !cls) { bi_fail(a, NULL, "MemoryError", "out of memory"); goto done; }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            xy[2 * ((size_t)i * n + j)] = e[0] + (j + 0.5) * (e[1] - e[0]) / n;
            xy[2 * ((size_t)i * n + j) + 1] = e[3] - (i + 0.5) * (e[3] - e[2]) / n;
        }
    if (bd_run(a, xy, m, &o, &c) < 0) goto done;
    bd_classify(o, m, c, cls, conf);
    for (size_t i = 0; i < m; i++) rgb[i] = bd_color(cls[i], conf[i]);
    *nclasses = c == 1 ? 2 : c;
    rc = 0;
done:
    free(xy); free(o); free(conf); free(cls);
    return rc;
}

/* The share of the points whose predicted class is their label (-1 without labels). */
static int bd_accuracy(bi_args *a, const bd_points *p, double *acc)
{
    double *o = NULL, *conf = malloc(p->n * sizeof *conf);
    int *pred = malloc(p->n * sizeof *pred), c = 0, rc = -1;
    *acc = -1;
    if (!conf || !pred) { bi_fail(a, NULL, "MemoryError", "out of memory"); goto done; }
    if (!p->cls) { rc = 0; goto done; }
    if (bd_run(a, p->xy, p->n, &o, &c) < 0) goto done;
    bd_classify(o, p->n, c, pred, conf);
    size_t right = 0;
    for (size_t i = 0; i < p->n; i++) right += pred[i] == p->cls[i];
    *acc = (double)right / (double)p->n;
    rc = 0;
done:
    free(o); free(conf); free(pred);
    return rc;
}

/* The points over the map: one series per class, named by legend= or by the class. */
static int bd_points_over(bi_args *a, plot_panel *p, const bd_points *pts)
{
    const ast_node *lat;
    const value *lg = bi_kw(a, "legend", &lat);
    val_list *names = lg && IS_LIST(*lg) ? AS_LIST(*lg) : NULL;
    double *buf = malloc(2 * pts->n * sizeof *buf);
    if (!buf) return bi_fail(a, NULL, "MemoryError", "out of memory");
    lt_status st = LT_OK;
    if (!pts->cls) st = bd_scatter(p, pts, -2, NULL, buf);
    for (int k = 0; pts->cls && k < BD_MAX_CLASSES && st == LT_OK; k++) {
        char num[16];
        snprintf(num, sizeof num, "%d", k);
        const char *name = names && (size_t)k < names->n && IS_STR(names->items[k]) ? AS_STR(names->items[k])->chars : num;
        st = bd_scatter(p, pts, k, name, buf);
    }
    free(buf);
    if (st != LT_OK) return bi_fail(a, NULL, lt_status_name(st), "%s", lt_errmsg());
    return 0;
}

/* Checks the labels (whole numbers 0..9) and legend= (one string per class). */
static int bd_check(bi_args *a, const bd_points *p)
{
    int top = -1;
    for (size_t i = 0; p->cls && i < p->n; i++) {
        if (p->cls[i] < 0 || p->cls[i] >= BD_MAX_CLASSES)
            return bi_fail(a, a->npos > 2 ? a->pos_nodes[2] : a->pos_nodes[1], "ValueError",
                           "boundary(): labels must be whole numbers 0 to %d (classes), got %d at point %zu",
                           BD_MAX_CLASSES - 1, p->cls[i], i);
        if (p->cls[i] > top) top = p->cls[i];
    }
    const ast_node *at;
    const value *lg = bi_kw(a, "legend", &at);
    if (!lg || IS_NONE(*lg) || IS_BOOL(*lg)) return 0;
    if (!IS_LIST(*lg)) return bi_fail(a, at, "TypeError", "legend must be a list of strings, one per class");
    for (size_t i = 0; i < AS_LIST(*lg)->n; i++)
        if (!IS_STR(AS_LIST(*lg)->items[i])) return bi_fail(a, at, "TypeError", "legend must be a list of strings, but item %zu is a %s", i, val_type_name(AS_LIST(*lg)->items[i]));
    if (p->cls && AS_LIST(*lg)->n != (size_t)top + 1)
        return bi_fail(a, at, "ValueError", "boundary(): legend has %zu names for classes 0 to %d", AS_LIST(*lg)->n, top);
    if (!p->cls) return bi_fail(a, at, "ValueError", "boundary(): legend names the classes; give the labels too");
    return 0;
}

/* boundary(net, data | points, labels, n=200, extent=, legend=, title=, ...) */
static int bi_boundary(bi_args *a, value *out)
{
    bd_points pts;
    long n;
    double e[4], acc;
    int nclasses = 0, rc = -1;
    uint32_t *rgb = NULL;
    plot_figure *fig = NULL;
    plot_panel *p;
    if (bi_kw_int(a, "n", 200, 2, 1000, &n) < 0) return -1;
    if (bd_get_points(a, &pts) < 0 || bd_check(a, &pts) < 0 || bd_extent(a, &pts, e) < 0) goto done;
    if (!(rgb = malloc((size_t)n * n * sizeof *rgb))) { bi_fail(a, NULL, "MemoryError", "out of memory"); goto done; }
    if (bd_map(a, (int)n, e, rgb, &nclasses) < 0 || bd_accuracy(a, &pts, &acc) < 0) goto done;
    if (!(fig = bi_fig_begin(a, &p))) goto done;
    lt_status st = plot_rgb_map(p, rgb, (int)n, (int)n, e);
    if (st != LT_OK) { bi_fail(a, NULL, lt_status_name(st), "%s", lt_errmsg()); goto done; }
    if (bd_points_over(a, p, &pts) < 0) goto done;
    for (size_t i = 0; pts.cls && i < pts.n; i++)
        if (pts.cls[i] + 1 > nclasses) nclasses = pts.cls[i] + 1;
    plot_set_color_index(p, nclasses);   /* a line drawn over= later takes the next colour */
    char note[64] = "";
    if (acc >= 0) snprintf(note, sizeof note, ", accuracy %.3g", acc);
    rc = bi_fig_end_note(a, fig, note, out);
    fig = NULL;
done:
    plot_figure_free(fig);
    bd_points_free(&pts);
    free(rgb);
    return rc;
}

static const char *const bi_boundary_kw[] = {"n", "extent", "legend", "title", "xlabel", "ylabel", "size", "xlim", "ylim", NULL};

static const builtin bi_boundary_builtins[] = {
    {"boundary", "boundary(net, data, n=200, extent=, legend=, title=, ...) or boundary(net, points, labels)",
     "The decision boundary of a classifier of 2-D points: net runs on an n x n grid over the data's range (plus 10% "
     "each side, or extent=[x0, x1, y0, y1]); each cell takes the colour of its predicted class, pale near the boundary, "
     "stronger where net is sure, with the points on top in their classes' colours (class k in the k-th colour, as "
     "scatter colours labels). net's output is read as class scores (B, C), or as the probability of class 1 (B, 1) "
     "(a logit, through a sigmoid, when some output lies outside [0, 1]). The description gives the accuracy on the points.",
     "fn above(p) { return p[:, 1] - p[:, 0] }   # a logit: class 1 above the diagonal\n"
     "boundary(above, tensor([[0, 1], [1, 0], [1, 2], [2, 0]]), [1, 0, 1, 1], n=20)\n"
     "# => <class map (20 x 20) under 4 points, accuracy 0.75>",
     bi_boundary_kw, 2, 3, bi_boundary},
    {0},
};

int lib_open_boundary(registry *r)
{
    return reg_open(r, bi_boundary_builtins);
}
