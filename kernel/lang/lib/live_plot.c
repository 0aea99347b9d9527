/* live_plot.c: the live loss plot of a running train loop (see live_plot.h). */
#include "live_plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plot.h"
#include "bi_tensor.h"

enum { LIVE_MAX_POINTS = 1000 };   /* longer series are drawn as bin means */

static double live_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Series v (n values, batch 1..n) as at most LIVE_MAX_POINTS points (xs, ys): itself,
 * or the means of equal runs of batches at their centres. Returns the point count. */
static size_t live_points(const float *v, size_t n, double *xs, double *ys)
{
    size_t m = n <= LIVE_MAX_POINTS ? n : LIVE_MAX_POINTS;
    for (size_t k = 0; k < m; k++) {
        size_t a = k * n / m, b = (k + 1) * n / m;
        double sum = 0;
        size_t cnt = 0;
        for (size_t i = a; i < b; i++)
            if (isfinite(v[i])) { sum += v[i]; cnt++; }
        xs[k] = (double)(a + b + 1) / 2.0;   /* batches are numbered from 1 */
        ys[k] = cnt ? sum / (double)cnt : NAN;
    }
    return m;
}

/* Adds every series so far to panel p; sets *logy when all values are positive and
 * span more than two decades, and writes "loss, kld over 120 batches" to desc.
 * Returns the number of series (0: none, or an error). */
static int live_add_series(lt_session *s, const live_plot *lp, plot_panel *p, const char **first, int *logy, char *desc, size_t cap)
{
    size_t len = 0, most = 0;
    double *xs = malloc(LIVE_MAX_POINTS * sizeof *xs), *ys = malloc(LIVE_MAX_POINTS * sizeof *ys);
    double lo = INFINITY, hi = -INFINITY;
    const char *name;
    const float *v;
    size_t n;
    int k = 0;
    if (!xs || !ys) { free(xs); free(ys); return 0; }
    for (int i = 0; lp->series && lp->series(s, i, &name, &v, &n) == 0; i++) {
        if (n == 0) continue;
        size_t m = live_points(v, n, xs, ys);
        for (size_t j = 0; j < m; j++)
            if (isfinite(ys[j])) { lo = fmin(lo, ys[j]); hi = fmax(hi, ys[j]); }
        if (plot_line(p, xs, ys, m, name, NULL) != LT_OK) continue;   /* e.g. all nan */
        if (k++ == 0) *first = name;
        if (len < cap) len += (size_t)snprintf(desc + len, cap - len, "%s%s", k > 1 ? ", " : "", name);
        if (n > most) most = n;
    }
    if (len < cap) snprintf(desc + len, cap - len, " over %zu batch%s", most, most == 1 ? "" : "es");
    *logy = k > 0 && lo > 0 && hi / lo > 100;
    free(xs);
    free(ys);
    return k;
}

int live_plot_render(lt_session *s, const live_plot *lp, int width, int height, plot_png *png, char **text)
{
    const char *first = NULL;
    char desc[400];
    int logy = 0;
    plot_figure *fig = plot_figure_new(width, height);
    if (!fig) return -1;
    plot_panel *p = plot_panel_at(fig, 0, 0);
    int k = live_add_series(s, lp, p, &first, &logy, desc, sizeof desc);
    if (k == 0) { plot_figure_free(fig); return -1; }
    plot_set_xlabel(p, "batch");
    if (k == 1) plot_set_title(p, first);
    plot_set_logy(p, logy);
    lt_status st = plot_render_png(fig, png);
    plot_figure_free(fig);
    *text = st == LT_OK ? malloc(strlen(desc) + 16) : NULL;
    if (*text) sprintf(*text, "live plot of %s", desc);
    if (st != LT_OK) return -1;
    if (!*text) { plot_png_free(png); return -1; }
    return 0;
}

/* Draws and sends one frame: display_data the first time, then updates of the same id. */
static void live_send(lt_session *s, live_plot *lp)
{
    plot_png png;
    char *desc, text[600];
    double t0 = live_now();
    if (live_plot_render(s, lp, 560, 280, &png, &desc) < 0) return;
    if (!lp->frames) snprintf(lp->display_id, sizeof lp->display_id, "latent-live-%lu", s->tc->gen);
    snprintf(text, sizeof text, "<%s>", desc);
    lt_mime items[2] = {{"image/png", png.data, png.len}, {"text/plain", text, strlen(text)}};
    lt_output out = {items, 2, png.css_width, png.css_height, lp->display_id};
    s->host.display(s->host.ctx, &out, lp->frames > 0);
    lp->frames++;
    free(desc);
    plot_png_free(&png);
    lp->last = live_now();
    lp->cost = lp->last - t0;
}

void live_plot_tick(lt_session *s, live_plot *lp, int final)
{
    if (!s->host.display || !s->tc || s->tc->live_after < 0) return;
    double now = live_now();
    if (lp->start == 0) lp->start = now;
    if (final) {
        if (lp->frames) live_send(s, lp);
        return;
    }
    if (!lp->frames && now - lp->start < s->tc->live_after) return;
    /* at most every LIVE_PLOT_PERIOD s, and drawing at most ~10% of the time */
    if (lp->frames && now - lp->last < fmax(LIVE_PLOT_PERIOD, 10 * lp->cost)) return;
    live_send(s, lp);
}
