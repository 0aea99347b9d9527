/* plot_axes.c: panels with axes: layout, ticks without overlapping labels, grid, spines,
 * legend, and the kinds drawn on them (line, scatter, bar, histogram, heatmap).
 * Every length here is in CSS px; the context is already scaled by the density. */
#include "plot_axes.h"

#include "plot_image.h"
#include "plot_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FS_TICK 10.0   /* pt */
#define FS_LABEL 10.0
#define TICK_LEN (3.5 * PLOT_PT)
#define TICK_PAD (3.5 * PLOT_PT)
#define SPINE_W (0.8 * PLOT_PT)

/* ---- axes ---- */

#define MAX_TICKS 64   /* numeric axes use at most 16; categories up to 64 labels */

typedef struct tick {
    double v;
    char text[64];
    char sup[16];   /* an exponent drawn raised after text ("10" + "-3") */
} tick;

typedef struct axis {
    double lo, hi;                /* view limits */
    int log, inverted;            /* inverted: lo at the top (heatmap rows) */
    int n;
    tick t[MAX_TICKS];
    double minor[200];
    int nminor;
    const char *const *cats;      /* categorical: ticks at 0..ncats-1, these labels */
    size_t ncats;
    int integer;                  /* heatmap index axis: integer ticks only */
    int rotate;                   /* x labels drawn vertically */
    int every;                    /* categorical: label every k-th category */
    double maxw;                  /* categorical: labels are cut to this width (px) */
} axis;

typedef struct frame {
    plot_rect a;                  /* the axes rectangle */
    axis x, y;
} frame;

static double tr(const axis *ax, double v) { return ax->log ? log10(v) : v; }

static double map_x(const frame *f, double x)
{
    return f->a.x + (tr(&f->x, x) - tr(&f->x, f->x.lo)) /
                    (tr(&f->x, f->x.hi) - tr(&f->x, f->x.lo)) * f->a.w;
}

static double map_y(const frame *f, double y)
{
    double t = (tr(&f->y, y) - tr(&f->y, f->y.lo)) / (tr(&f->y, f->y.hi) - tr(&f->y, f->y.lo));
    return f->y.inverted ? f->a.y + t * f->a.h : f->a.y + f->a.h - t * f->a.h;
}

static double label_width(cairo_t *cr, const tick *t)
{
    double w = plot_text_width(cr, t->text);
    if (t->sup[0]) {
        double fs = plot_font_px(cr);
        cairo_set_font_size(cr, fs * 0.7);
        w += plot_text_width(cr, t->sup);
        cairo_set_font_size(cr, fs);
    }
    return w;
}

/* Draws a tick label whose box is anchored like plot_text. */
static void draw_label(cairo_t *cr, const tick *t0, double x, double y, plot_halign ha,
                       plot_valign va, double angle)
{
    tick minus = *t0;   /* numbers get a true minus sign, as in matplotlib */
    const tick *t = t0;
    if (t0->text[0] == '-' && t0->text[1] >= '0' && t0->text[1] <= '9') {
        snprintf(minus.text, sizeof minus.text, "\u2212%s", t0->text + 1);
        t = &minus;
    }
    if (t0->sup[0] == '-') {
        snprintf(minus.sup, sizeof minus.sup, "\u2212%s", t0->sup + 1);
        t = &minus;
    }
    if (!t->sup[0]) {
        plot_text(cr, t->text, x, y, ha, va, angle);
        return;
    }
    double fs = plot_font_px(cr), w = label_width(cr, t), base = plot_text_width(cr, t->text);
    double x0 = ha == PLOT_LEFT ? x : ha == PLOT_CENTER ? x - w / 2 : x - w;
    plot_text(cr, t->text, x0, y, PLOT_LEFT, va, 0);
    double dy = va == PLOT_TOP ? PLOT_CAP_H * fs : va == PLOT_MIDDLE ? PLOT_CAP_H * fs / 2
              : va == PLOT_BOTTOM ? -PLOT_DESC * fs : 0;
    cairo_set_font_size(cr, fs * 0.7);
    cairo_move_to(cr, x0 + base, y + dy - 0.45 * fs);
    cairo_show_text(cr, t->sup);
    cairo_set_font_size(cr, fs);
}

/* Copies s into buf (cap bytes), cut at a character boundary if too long. */
static void copy_utf8(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    }
    memcpy(buf, s, n);
    buf[n] = 0;
}

/* Fills ax->t with up to max_ticks ticks over the view, and their labels. */
static void make_ticks(axis *ax, int max_ticks)
{
    double v[16], step = 1;
    int n, decades = 0;
    ax->nminor = 0;
    if (ax->cats) {
        int every = ax->every > 0 ? ax->every : 1;
        n = 0;
        for (size_t i = 0; i < ax->ncats && n < MAX_TICKS; i += (size_t)every) {
            ax->t[n].v = (double)i;
            copy_utf8(ax->t[n].text, sizeof ax->t[n].text, ax->cats[i]);
            ax->t[n++].sup[0] = 0;
        }
        ax->n = n;
        return;
    }
    if (ax->log) {
        n = plot_log_ticks(ax->lo, ax->hi, max_ticks, v, &decades);
    } else {
        n = plot_ticks(ax->lo, ax->hi, max_ticks, v, &step);
        if (ax->integer && step < 1) {
            n = 0;
            for (double k = ceil(ax->lo); k <= ax->hi && n < 16; k++) v[n++] = k;
            step = 1;
        }
    }
    double maxabs = 0;
    for (int i = 0; i < n; i++) maxabs = fmax(maxabs, fabs(v[i]));
    for (int i = 0; i < n; i++) {
        tick *t = &ax->t[i];
        t->v = v[i];
        t->sup[0] = 0;
        if (ax->log && decades) {
            snprintf(t->text, sizeof t->text, "10");
            snprintf(t->sup, sizeof t->sup, "%d", (int)lround(log10(v[i])));
        } else if (ax->log) {
            double e = pow(10, floor(log10(v[i]) + 1e-9));
            plot_format_tick(v[i], e, fabs(v[i]) >= 1e-4 && fabs(v[i]) < 1e6 ? 1 : fabs(v[i]),
                             t->text, sizeof t->text);
        } else {
            plot_format_tick(v[i], step, maxabs, t->text, sizeof t->text);
        }
    }
    ax->n = n;
    if (ax->log && decades) { /* minor ticks at 2..9 x 10^k when decades are adjacent */
        int e0 = (int)floor(log10(ax->lo)), e1 = (int)ceil(log10(ax->hi));
        if (e1 - e0 <= 12)
            for (int k = e0; k <= e1; k++)
                for (int m = 2; m <= 9 && ax->nminor < 200; m++) {
                    double t = m * pow(10, k);
                    if (t >= ax->lo && t <= ax->hi) ax->minor[ax->nminor++] = t;
                }
    }
}

/* Do the x labels of ax, at the given pixel positions, overlap? */
static int x_labels_collide(cairo_t *cr, const axis *ax, const frame *f)
{
    double fs = plot_font_px(cr), prev_r = -INFINITY;
    for (int i = 0; i < ax->n; i++) {
        double c = map_x(f, ax->t[i].v);
        double w = ax->rotate ? fs : label_width(cr, &ax->t[i]);
        if (c - w / 2 < prev_r + 0.5 * fs) return 1;
        prev_r = c + w / 2;
    }
    return 0;
}

/* The smallest stride that labels every category within MAX_TICKS labels. */
static int min_every(const axis *ax)
{
    return (int)((ax->ncats + MAX_TICKS - 1) / MAX_TICKS);
}

/* Chooses the x ticks for the frame's width: as many as fit without overlap.
 * Categories: all labels upright if they fit, else vertical, else every k-th. */
static void fit_x_ticks(cairo_t *cr, frame *f)
{
    axis *ax = &f->x;
    if (ax->cats) {
        ax->rotate = 0;
        ax->every = min_every(ax);
        make_ticks(ax, 3);
        if (!x_labels_collide(cr, ax, f)) return;
        ax->rotate = 1;
        for (ax->every = min_every(ax); ax->every < (int)ax->ncats; ax->every++) {
            make_ticks(ax, 3);
            if (!x_labels_collide(cr, ax, f)) return;
        }
        return;
    }
    int k = (int)(f->a.w / 55);
    k = k < 3 ? 3 : k > 10 ? 10 : k;
    for (; k >= 3; k--) {
        make_ticks(ax, k);
        if (!x_labels_collide(cr, ax, f)) return;
    }
}

static void fit_y_ticks(cairo_t *cr, frame *f)
{
    axis *ax = &f->y;
    double fs = plot_font_px(cr);
    if (ax->cats) {
        int every = (int)ceil(ax->ncats * fs * 1.3 / fmax(f->a.h, 1));
        ax->every = every < min_every(ax) ? min_every(ax) : every < 1 ? 1 : every;
        make_ticks(ax, 3);
        return;
    }
    int k = (int)(f->a.h / 38);
    k = k < 3 ? 3 : k > 10 ? 10 : k;
    for (; k >= 3; k--) {
        make_ticks(ax, k);
        int ok = 1;
        for (int i = 1; i < ax->n && ok; i++)
            ok = fabs(map_y(f, ax->t[i].v) - map_y(f, ax->t[i - 1].v)) >= 1.6 * fs;
        if (ok) return;
    }
}

static double max_label_width(cairo_t *cr, const axis *ax)
{
    double w = 0;
    for (int i = 0; i < ax->n; i++) w = fmax(w, label_width(cr, &ax->t[i]));
    return w;
}

/* Space around a panel's axes (CSS px) that labels need. */
typedef struct margins { double left, right, top, bottom; } margins;


/* Lays out the axes rectangle inside area (which the title has already left), choosing
 * ticks; extra_right is room kept on the right (colour bar). */
static void layout_frame(cairo_t *cr, const plot_panel *p, frame *f, plot_rect area,
                         double extra_right)
{
    plot_font(cr, FS_TICK, 0);
    double fs = FS_TICK * PLOT_PT, pad = 6;
    double ylab = p->ylabel && p->ylabel[0] ? FS_LABEL * PLOT_PT * 1.3 : 0;
    double xlab = p->xlabel && p->xlabel[0] ? FS_LABEL * PLOT_PT * 1.4 : 0;
    f->x.maxw = fmin(160, 0.3 * area.h);  /* long category labels are cut */
    f->y.maxw = fmin(160, 0.3 * area.w);
    margins m = {pad + ylab + TICK_LEN + TICK_PAD + 3 * fs, pad + fs + extra_right,
                 (p->title && p->title[0] ? 0.35 * fs : pad + fs * 0.6), pad + xlab + TICK_LEN + TICK_PAD + fs * 1.2};
    for (int pass = 0; pass < 3; pass++) {
        f->a = (plot_rect){area.x + m.left, area.y + m.top,
                           fmax(area.w - m.left - m.right, 10),
                           fmax(area.h - m.top - m.bottom, 10)};
        fit_y_ticks(cr, f);
        double yw = fmin(max_label_width(cr, &f->y), f->y.maxw);
        m.left = pad + ylab + TICK_LEN + TICK_PAD + yw;
        f->a.x = area.x + m.left;
        f->a.w = fmax(area.w - m.left - m.right, 10);
        fit_x_ticks(cr, f);
        double xh = f->x.rotate ? fmin(max_label_width(cr, &f->x), f->x.maxw)
                                : fs * (PLOT_CAP_H + PLOT_DESC) + (f->x.log ? 0.4 * fs : 0);
        m.bottom = pad + xlab + TICK_LEN + TICK_PAD + xh;
        /* the last x label may stick out on the right */
        if (f->x.n > 0 && !f->x.rotate) {
            double over = map_x(f, f->x.t[f->x.n - 1].v) +
                          label_width(cr, &f->x.t[f->x.n - 1]) / 2 - (f->a.x + f->a.w);
            m.right = pad + extra_right + fmax(over, fs * 0.5);
        }
    }
    f->a.h = fmax(area.h - m.top - m.bottom, 10);
    fit_y_ticks(cr, f);
}

static void draw_grid(cairo_t *cr, const frame *f, int vertical, int horizontal)
{
    cairo_set_source_rgba(cr, 0.69, 0.69, 0.69, 0.45);
    cairo_set_line_width(cr, 0.8 * PLOT_PT * 0.8);
    for (int i = 0; vertical && i < f->x.n; i++) {
        double x = map_x(f, f->x.t[i].v);
        cairo_move_to(cr, x, f->a.y);
        cairo_line_to(cr, x, f->a.y + f->a.h);
    }
    for (int i = 0; horizontal && i < f->y.n; i++) {
        double y = map_y(f, f->y.t[i].v);
        cairo_move_to(cr, f->a.x, y);
        cairo_line_to(cr, f->a.x + f->a.w, y);
    }
    cairo_stroke(cr);
}

/* Spines, ticks and tick labels, axis labels. */
static void draw_frame(cairo_t *cr, const plot_panel *p, const frame *f)
{
    plot_rect a = f->a;
    char buf[512];
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, SPINE_W);
    cairo_rectangle(cr, a.x, a.y, a.w, a.h);
    for (int i = 0; i < f->x.n; i++) {
        double x = map_x(f, f->x.t[i].v);
        cairo_move_to(cr, x, a.y + a.h);
        cairo_line_to(cr, x, a.y + a.h + TICK_LEN);
    }
    for (int i = 0; i < f->y.n; i++) {
        double y = map_y(f, f->y.t[i].v);
        cairo_move_to(cr, a.x, y);
        cairo_line_to(cr, a.x - TICK_LEN, y);
    }
    cairo_stroke(cr);
    if (f->y.nminor) {
        cairo_set_line_width(cr, 0.6 * PLOT_PT);
        for (int i = 0; i < f->y.nminor; i++) {
            double y = map_y(f, f->y.minor[i]);
            cairo_move_to(cr, a.x, y);
            cairo_line_to(cr, a.x - 2 * PLOT_PT, y);
        }
        cairo_stroke(cr);
    }
    plot_font(cr, FS_TICK, 0);
    double ty = a.y + a.h + TICK_LEN + TICK_PAD;
    for (int i = 0; i < f->x.n; i++) {
        tick t = f->x.t[i];
        if (f->x.cats) copy_utf8(t.text, sizeof t.text,
                                 plot_fit_text(cr, t.text, f->x.maxw, buf, sizeof buf));
        double x = map_x(f, t.v);
        if (f->x.rotate) draw_label(cr, &t, x, ty, PLOT_RIGHT, PLOT_MIDDLE, -M_PI / 2);
        else draw_label(cr, &t, x, ty + (f->x.log ? 0.3 * FS_TICK * PLOT_PT : 0), PLOT_CENTER,
                        PLOT_TOP, 0);
    }
    for (int i = 0; i < f->y.n; i++) {
        tick t = f->y.t[i];
        if (f->y.cats) copy_utf8(t.text, sizeof t.text,
                                 plot_fit_text(cr, t.text, f->y.maxw, buf, sizeof buf));
        draw_label(cr, &t, a.x - TICK_LEN - TICK_PAD, map_y(f, t.v), PLOT_RIGHT, PLOT_MIDDLE, 0);
    }
    plot_font(cr, FS_LABEL, 0);
    double fs = FS_LABEL * PLOT_PT;
    if (p->xlabel && p->xlabel[0]) {
        double xh = f->x.rotate ? fmin(max_label_width(cr, &f->x), f->x.maxw)
                                : fs * (PLOT_CAP_H + PLOT_DESC) + (f->x.log ? 0.4 * fs : 0);
        plot_text(cr, plot_fit_text(cr, p->xlabel, a.w, buf, sizeof buf), a.x + a.w / 2,
                  ty + xh + 0.35 * fs, PLOT_CENTER, PLOT_TOP, 0);
    }
    if (p->ylabel && p->ylabel[0]) {
        double yw = 0;
        plot_font(cr, FS_TICK, 0);
        yw = fmin(max_label_width(cr, &f->y), f->y.maxw);
        plot_font(cr, FS_LABEL, 0);
        plot_text(cr, plot_fit_text(cr, p->ylabel, a.h, buf, sizeof buf),
                  a.x - TICK_LEN - TICK_PAD - yw - 0.45 * fs, a.y + a.h / 2, PLOT_CENTER,
                  PLOT_BOTTOM, -M_PI / 2);
    }
}

/* ---- data ranges ---- */

typedef struct range {
    double lo, hi;
    int sticky_lo, sticky_hi;  /* bars and fills start at 0: no margin past it */
} range;

static void range_add(range *r, double v)
{
    if (!isfinite(v)) return;
    r->lo = fmin(r->lo, v);
    r->hi = fmax(r->hi, v);
}

static void data_ranges(const plot_panel *p, range *rx, range *ry)
{
    *rx = (range){INFINITY, -INFINITY, 0, 0};
    *ry = *rx;
    for (int i = 0; i < p->nseries; i++) {
        const plot_series *s = &p->series[i];
        if (s->kind == PLOT_KIND_BAR) {
            rx->lo = -0.4;
            rx->hi = (double)s->n - 0.6;
            for (size_t j = 0; j < s->n; j++) range_add(ry, s->ys[j]);
            if (!p->logy) range_add(ry, 0);
            ry->sticky_lo = ry->lo == 0;
            ry->sticky_hi = ry->hi == 0;
            continue;
        }
        if (s->kind == PLOT_KIND_HIST) {
            range_add(rx, s->xs[0]);
            range_add(rx, s->xs[s->n]);
            for (size_t j = 0; j < s->n; j++)
                if (!p->logy || s->ys[j] > 0) range_add(ry, s->ys[j]);
            if (!p->logy) { range_add(ry, 0); ry->sticky_lo = 1; }
            continue;
        }
        for (size_t j = 0; j < s->n; j++)
            if (isfinite(s->xs[j]) && isfinite(s->ys[j])) {
                range_add(rx, s->xs[j]);
                range_add(ry, s->ys[j]);
            }
        if (s->fill && !p->logy) {
            range_add(ry, 0);
            ry->sticky_lo |= ry->lo == 0;
            ry->sticky_hi |= ry->hi == 0;
        }
    }
}

/* The view limits of one axis: fixed limits, or the data range plus 5% margins. */
static void view_limits(axis *ax, range r, int has_lim, const double lim[2])
{
    if (has_lim) {
        ax->lo = lim[0];
        ax->hi = lim[1];
        return;
    }
    double lo = ax->log ? log10(r.lo) : r.lo, hi = ax->log ? log10(r.hi) : r.hi;
    if (!(hi - lo > 1e-12 * fmax(fabs(lo), fabs(hi))) || hi - lo == 0) {
        double c = 0.5 * (lo + hi), d = ax->log ? 0.5 : (c == 0 ? 1 : fabs(c) * 0.1);
        lo = c - d;
        hi = c + d;
    } else {
        double m = 0.05 * (hi - lo);
        if (!r.sticky_lo) lo -= m;
        if (!r.sticky_hi) hi += m;
    }
    ax->lo = ax->log ? pow(10, lo) : lo;
    ax->hi = ax->log ? pow(10, hi) : hi;
}

static lt_status check_log(const plot_panel *p)
{
    if (!p->logy) return LT_OK;
    if (p->has_ylim && !(p->ylim[0] > 0))
        return lt_fail(LT_ERR_VALUE, "plot: log-y axis needs y limits > 0, got [%g, %g]",
                       p->ylim[0], p->ylim[1]);
    for (int i = 0; i < p->nseries; i++) {
        const plot_series *s = &p->series[i];
        if (s->kind == PLOT_KIND_HIST) continue;
        for (size_t j = 0; j < s->n; j++)
            if (isfinite(s->ys[j]) && s->ys[j] <= 0)
                return lt_fail(LT_ERR_VALUE, "plot: log-y axis, but series %s%s%shas y = %g "
                               "at index %zu (values must be > 0)", s->label ? "'" : "",
                               s->label ? s->label : "", s->label ? "' " : "", s->ys[j], j);
    }
    int any = 0;
    for (int i = 0; i < p->nseries && !any; i++)
        for (size_t j = 0; j < p->series[i].n && !any; j++)
            any = p->series[i].ys[j] > 0 && isfinite(p->series[i].ys[j]);
    if (!any) return lt_fail(LT_ERR_VALUE, "plot: log-y axis, but no y value is > 0");
    return LT_OK;
}

/* ---- series ---- */

static void marker_path(cairo_t *cr, plot_marker m, double x, double y, double size)
{
    double r = size / 2;
    switch (m) {
    case PLOT_MARKER_SQUARE: cairo_rectangle(cr, x - r * 0.9, y - r * 0.9, 1.8 * r, 1.8 * r); break;
    case PLOT_MARKER_TRIANGLE:
        cairo_move_to(cr, x, y - r * 1.1);
        cairo_line_to(cr, x + r, y + r * 0.75);
        cairo_line_to(cr, x - r, y + r * 0.75);
        cairo_close_path(cr);
        break;
    case PLOT_MARKER_CROSS:
        cairo_move_to(cr, x - r, y - r); cairo_line_to(cr, x + r, y + r);
        cairo_move_to(cr, x - r, y + r); cairo_line_to(cr, x + r, y - r);
        break;
    default:
        cairo_new_sub_path(cr);
        cairo_arc(cr, x, y, r, 0, 2 * M_PI);
        break;
    }
}

static void draw_marker(cairo_t *cr, plot_marker m, double x, double y, double size)
{
    marker_path(cr, m, x, y, size);
    if (m == PLOT_MARKER_CROSS) {
        cairo_set_line_width(cr, size / 5);
        cairo_stroke(cr);
    } else {
        cairo_fill(cr);
    }
}

/* Are the finite x values of s in non-decreasing order? */
static int x_sorted(const plot_series *s)
{
    double prev = -INFINITY;
    for (size_t j = 0; j < s->n; j++) {
        if (!isfinite(s->xs[j])) continue;
        if (s->xs[j] < prev) return 0;
        prev = s->xs[j];
    }
    return 1;
}

/* One device-pixel column of a decimated line: its first, lowest, highest, last points. */
typedef struct column { long col; size_t first, lo, hi, last; int used; } column;

static void column_emit(cairo_t *cr, const frame *f, const plot_series *s, column *c, int *pen)
{
    if (!c->used) return;
    size_t mid1 = c->lo < c->hi ? c->lo : c->hi, mid2 = c->lo < c->hi ? c->hi : c->lo;
    size_t idx[4] = {c->first, mid1, mid2, c->last};
    for (int k = 0; k < 4; k++) {
        if (k > 0 && idx[k] == idx[k - 1]) continue;
        double x = map_x(f, s->xs[idx[k]]), y = map_y(f, s->ys[idx[k]]);
        if (*pen) cairo_line_to(cr, x, y);
        else cairo_move_to(cr, x, y);
        *pen = 1;
    }
    c->used = 0;
}

/* The path of a line with far more points than pixel columns (a long training history),
 * x sorted: within each column only the first, lowest, highest and last points matter to
 * what is drawn, so the rest are skipped. */
static void line_path_decimated(cairo_t *cr, const frame *f, const plot_series *s,
                                double density)
{
    column c = {0, 0, 0, 0, 0, 0};
    int pen = 0;
    for (size_t j = 0; j < s->n; j++) {
        if (!(isfinite(s->xs[j]) && isfinite(s->ys[j]))) {
            column_emit(cr, f, s, &c, &pen);
            pen = 0;
            continue;
        }
        long col = (long)floor(map_x(f, s->xs[j]) * density);
        if (c.used && col != c.col) column_emit(cr, f, s, &c, &pen);
        if (!c.used) {
            c = (column){col, j, j, j, j, 1};
            continue;
        }
        if (s->ys[j] < s->ys[c.lo]) c.lo = j;
        if (s->ys[j] > s->ys[c.hi]) c.hi = j;
        c.last = j;
    }
    column_emit(cr, f, s, &c, &pen);
}

/* Draws the fill under a line (fill_only) or the line and its markers. */
static void draw_line_series(cairo_t *cr, const frame *f, const plot_series *s, int logy,
                             int fill_only, double density, int reference)
{
    int pen = 0;
    if (s->fill && fill_only) {
        double base = logy ? f->y.lo : 0;
        size_t j = 0;
        while (j < s->n) {     /* one filled region per unbroken run */
            while (j < s->n && !(isfinite(s->xs[j]) && isfinite(s->ys[j]))) j++;
            if (j == s->n) break;
            cairo_move_to(cr, map_x(f, s->xs[j]), map_y(f, base));
            double lastx = s->xs[j];
            for (; j < s->n && isfinite(s->xs[j]) && isfinite(s->ys[j]); j++) {
                cairo_line_to(cr, map_x(f, s->xs[j]), map_y(f, s->ys[j]));
                lastx = s->xs[j];
            }
            cairo_line_to(cr, map_x(f, lastx), map_y(f, base));
            cairo_close_path(cr);
        }
        plot_set_rgb(cr, s->color, 0.25 * s->alpha);
        cairo_fill(cr);
    }
    if (fill_only) return;
    if (!reference && s->n > 4 * (size_t)(f->a.w * density) && x_sorted(s)) {
        line_path_decimated(cr, f, s, density);
    } else {
        for (size_t j = 0; j < s->n; j++) {
            if (!(isfinite(s->xs[j]) && isfinite(s->ys[j]))) { pen = 0; continue; }
            double x = map_x(f, s->xs[j]), y = map_y(f, s->ys[j]);
            if (pen) cairo_line_to(cr, x, y);
            else cairo_move_to(cr, x, y);
            pen = 1;
        }
    }
    plot_set_rgb(cr, s->color, s->alpha);
    cairo_set_line_width(cr, s->line_width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_stroke(cr);
    if (s->marker)
        for (size_t j = 0; j < s->n; j++)
            if (isfinite(s->xs[j]) && isfinite(s->ys[j]))
                draw_marker(cr, s->marker, map_x(f, s->xs[j]), map_y(f, s->ys[j]),
                            s->marker_size);
}

/* Circles blended straight into the pixels, clipped to the axes: the same look as Cairo's
 * antialiased arcs (coverage from the distance to the edge) at a fraction of the cost,
 * which matters for thousands of points. */
static void draw_circles_fast(plot_canvas *cv, const frame *f, const plot_series *s)
{
    cairo_surface_flush(cv->surface);
    unsigned char *data = cairo_image_surface_get_data(cv->surface);
    int stride = cairo_image_surface_get_stride(cv->surface);
    double d = cv->density, r = s->marker_size / 2 * d;
    int cx0 = (int)floor(f->a.x * d), cy0 = (int)floor(f->a.y * d);
    int cx1 = (int)ceil((f->a.x + f->a.w) * d), cy1 = (int)ceil((f->a.y + f->a.h) * d);
    int sw = cairo_image_surface_get_width(cv->surface);
    int sh = cairo_image_surface_get_height(cv->surface);
    if (cx0 < 0) cx0 = 0;
    if (cy0 < 0) cy0 = 0;
    if (cx1 > sw) cx1 = sw;
    if (cy1 > sh) cy1 = sh;
    double cr_ = (s->color >> 16) & 255, cg = (s->color >> 8) & 255, cb = s->color & 255;
    /* full coverage inside r - 1/2, none beyond r + 1/2, linear in between */
    double r_in2 = r > 0.5 ? (r - 0.5) * (r - 0.5) : 0, r_out2 = (r + 0.5) * (r + 0.5);
    for (size_t j = 0; j < s->n; j++) {
        if (!(isfinite(s->xs[j]) && isfinite(s->ys[j]))) continue;
        double x = map_x(f, s->xs[j]) * d, y = map_y(f, s->ys[j]) * d;
        int x0 = (int)floor(x - r - 1), x1 = (int)ceil(x + r + 1);
        int y0 = (int)floor(y - r - 1), y1 = (int)ceil(y + r + 1);
        if (x0 < cx0) x0 = cx0;
        if (y0 < cy0) y0 = cy0;
        if (x1 > cx1) x1 = cx1;
        if (y1 > cy1) y1 = cy1;
        for (int py = y0; py < y1; py++) {
            uint32_t *row = (uint32_t *)(data + (size_t)py * stride);
            double dy = py + 0.5 - y;
            for (int px = x0; px < x1; px++) {
                double dx = px + 0.5 - x, d2 = dx * dx + dy * dy;
                if (d2 >= r_out2) continue;
                double a = d2 <= r_in2 ? s->alpha : (r + 0.5 - sqrt(d2)) * s->alpha;
                uint32_t p = row[px];
                double pr = (p >> 16) & 255, pg = (p >> 8) & 255, pb = p & 255;
                pr += (cr_ - pr) * a;
                pg += (cg - pg) * a;
                pb += (cb - pb) * a;
                row[px] = (uint32_t)(pr + 0.5) << 16 | (uint32_t)(pg + 0.5) << 8 |
                          (uint32_t)(pb + 0.5);
            }
        }
    }
    cairo_surface_mark_dirty(cv->surface);
}

static void draw_scatter_series(plot_canvas *cv, const frame *f, const plot_series *s)
{
    cairo_t *cr = cv->cr;
    plot_marker m = s->marker ? s->marker : PLOT_MARKER_CIRCLE;
    if (m == PLOT_MARKER_CIRCLE && s->n > 50 && !cv->reference) {
        draw_circles_fast(cv, f, s);
        return;
    }
    plot_set_rgb(cr, s->color, s->alpha);
    for (size_t j = 0; j < s->n; j++)
        if (isfinite(s->xs[j]) && isfinite(s->ys[j]))
            draw_marker(cr, m, map_x(f, s->xs[j]), map_y(f, s->ys[j]), s->marker_size);
}

static void draw_bars(cairo_t *cr, const frame *f, const plot_panel *p)
{
    int m = p->nseries;
    double group = 0.8, w = group / m;
    for (int i = 0; i < m; i++) {
        const plot_series *s = &p->series[i];
        plot_set_rgb(cr, s->color, s->alpha);
        for (size_t j = 0; j < s->n; j++) {
            if (!isfinite(s->ys[j]) || (p->logy && s->ys[j] <= 0)) continue;
            double x0 = (double)j - group / 2 + i * w;
            double base = p->logy ? f->y.lo : 0;
            double px0 = map_x(f, x0), px1 = map_x(f, x0 + w);
            double py0 = map_y(f, base), py1 = map_y(f, s->ys[j]);
            cairo_rectangle(cr, px0, fmin(py0, py1), px1 - px0, fabs(py1 - py0));
        }
        cairo_fill(cr);
    }
}

static void draw_hist_series(cairo_t *cr, const frame *f, const plot_series *s, int logy,
                             double alpha)
{
    double base = logy ? f->y.lo : 0;
    for (size_t j = 0; j < s->n; j++) {
        if (!(s->ys[j] > 0)) continue;
        double px0 = map_x(f, s->xs[j]), px1 = map_x(f, s->xs[j + 1]);
        double py0 = map_y(f, base), py1 = map_y(f, s->ys[j]);
        cairo_rectangle(cr, px0, py1, px1 - px0, py0 - py1);
    }
    plot_set_rgb(cr, s->color, alpha);
    cairo_fill_preserve(cr);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
    cairo_set_line_width(cr, 0.5);
    cairo_stroke(cr);
}

/* Overlapping histograms are see-through unless the caller chose an alpha. */
static double hist_alpha(const plot_panel *p, const plot_series *s)
{
    int nhist = 0;
    for (int i = 0; i < p->nseries; i++) nhist += p->series[i].kind == PLOT_KIND_HIST;
    return nhist > 1 && s->alpha == 1 ? 0.6 : s->alpha;
}

/* ---- legend ---- */

typedef struct legend {
    int n, ncols, rows;
    const plot_series *e[128];
    double w, h, colw, rowh, fs, maxlab;
} legend;

static int legend_wanted(const plot_panel *p, legend *lg)
{
    lg->n = 0;
    for (int i = 0; i < p->nseries && lg->n < 128; i++)
        if (p->series[i].label && p->series[i].label[0]) lg->e[lg->n++] = &p->series[i];
    if (p->legend == PLOT_LEGEND_OFF || lg->n == 0) return 0;
    return p->legend == PLOT_LEGEND_ON || lg->n >= 2;
}

#define LG_HANDLE 2.0   /* em */
#define LG_PAD 0.4
#define LG_SEP 0.8

/* Measures the legend: columns so that it fits in the axes height. */
static void legend_measure(cairo_t *cr, legend *lg, const frame *f)
{
    char buf[512];
    plot_font(cr, FS_TICK, 0);
    lg->fs = FS_TICK * PLOT_PT;
    double fs = lg->fs, labw = 0;
    lg->rowh = 1.5 * fs;
    int maxrows = (int)((f->a.h - 2 * LG_PAD * fs - fs) / lg->rowh);
    if (maxrows < 1) maxrows = 1;
    lg->ncols = (lg->n + maxrows - 1) / maxrows;
    lg->rows = (lg->n + lg->ncols - 1) / lg->ncols;
    /* labels are cut so that the legend fits in the axes */
    double room = (f->a.w - 2 * fs - 2 * LG_PAD * fs) / lg->ncols
                  - (LG_HANDLE + LG_SEP + 1) * fs;
    lg->maxlab = fmax(fmin(room, f->a.w * 0.45), 2 * fs);
    for (int i = 0; i < lg->n; i++)
        labw = fmax(labw, plot_text_width(cr, plot_fit_text(cr, lg->e[i]->label, lg->maxlab,
                                                            buf, sizeof buf)));
    lg->colw = (LG_HANDLE + LG_SEP) * fs + labw;
    lg->w = lg->ncols * lg->colw + (lg->ncols - 1) * fs + 2 * LG_PAD * fs + 0.4 * fs;
    lg->h = lg->rows * lg->rowh + 2 * LG_PAD * fs - 0.3 * fs;
}

/* How much data lies under a legend box at r (points and line segments). */
static double legend_badness(const frame *f, const plot_panel *p, plot_rect r)
{
    double bad = 0;
    for (int i = 0; i < p->nseries; i++) {
        const plot_series *s = &p->series[i];
        size_t step = s->n > 4000 ? s->n / 4000 : 1;
        for (size_t j = 0; j < s->n; j += step) {
            if (s->kind == PLOT_KIND_BAR || s->kind == PLOT_KIND_HIST) {
                double x = s->kind == PLOT_KIND_BAR ? (double)j : 0.5 * (s->xs[j] + s->xs[j + 1]);
                double px = map_x(f, x);
                double top = isfinite(s->ys[j]) && (!p->logy || s->ys[j] > 0)
                             ? map_y(f, s->ys[j]) : f->a.y + f->a.h;
                if (px >= r.x && px <= r.x + r.w && top <= r.y + r.h) bad += 3;
                continue;
            }
            if (!(isfinite(s->xs[j]) && isfinite(s->ys[j]))) continue;
            double x = map_x(f, s->xs[j]), y = map_y(f, s->ys[j]);
            if (x >= r.x && x <= r.x + r.w && y >= r.y && y <= r.y + r.h) bad += 1;
            if (s->kind == PLOT_KIND_LINE && j + step < s->n &&
                isfinite(s->xs[j + step]) && isfinite(s->ys[j + step])) {
                double mx = 0.5 * (x + map_x(f, s->xs[j + step]));
                double my = 0.5 * (y + map_y(f, s->ys[j + step]));
                if (mx >= r.x && mx <= r.x + r.w && my >= r.y && my <= r.y + r.h) bad += 1;
            }
        }
    }
    return bad;
}

static void draw_legend(cairo_t *cr, const plot_panel *p, const frame *f)
{
    legend lg;
    if (!legend_wanted(p, &lg)) return;
    legend_measure(cr, &lg, f);
    double fs = lg.fs, gap = 0.5 * fs;
    plot_rect a = f->a;
    /* candidate spots, matplotlib's order: upper right, upper left, lower left, ... */
    double xs[3] = {a.x + a.w - gap - lg.w, a.x + gap, a.x + (a.w - lg.w) / 2};
    double ys[3] = {a.y + gap, a.y + a.h - gap - lg.h, a.y + (a.h - lg.h) / 2};
    static const int spots[9][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 2}, {1, 2},
                                    {2, 1}, {2, 0}, {2, 2}};
    plot_rect best = {xs[0], ys[0], lg.w, lg.h};
    double best_bad = INFINITY;
    for (int k = 0; k < 9; k++) {
        plot_rect r = {xs[spots[k][0]], ys[spots[k][1]], lg.w, lg.h};
        double bad = legend_badness(f, p, r);
        if (bad < best_bad) { best_bad = bad; best = r; }
    }
    double rad = 0.2 * fs;
    cairo_new_sub_path(cr);
    cairo_arc(cr, best.x + best.w - rad, best.y + rad, rad, -M_PI / 2, 0);
    cairo_arc(cr, best.x + best.w - rad, best.y + best.h - rad, rad, 0, M_PI / 2);
    cairo_arc(cr, best.x + rad, best.y + best.h - rad, rad, M_PI / 2, M_PI);
    cairo_arc(cr, best.x + rad, best.y + rad, rad, M_PI, 1.5 * M_PI);
    cairo_close_path(cr);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.8);
    cairo_fill_preserve(cr);
    cairo_set_source_rgba(cr, 0.8, 0.8, 0.8, 0.8);
    cairo_set_line_width(cr, 1.0 * PLOT_PT * 0.8);
    cairo_stroke(cr);
    char buf[512];
    for (int i = 0; i < lg.n; i++) {
        const plot_series *s = lg.e[i];
        int col = i / lg.rows, row = i % lg.rows;
        double x = best.x + (LG_PAD + 0.2) * fs + col * (lg.colw + fs);
        double cy = best.y + LG_PAD * fs + (row + 0.5) * lg.rowh - 0.15 * fs;
        double hw = LG_HANDLE * fs;
        if (s->kind == PLOT_KIND_LINE && !s->fill) {
            plot_set_rgb(cr, s->color, s->alpha);
            cairo_set_line_width(cr, s->line_width);
            cairo_move_to(cr, x, cy);
            cairo_line_to(cr, x + hw, cy);
            cairo_stroke(cr);
            if (s->marker) draw_marker(cr, s->marker, x + hw / 2, cy, s->marker_size);
        } else if (s->kind == PLOT_KIND_SCATTER) {
            plot_set_rgb(cr, s->color, fmax(s->alpha, 0.8));
            draw_marker(cr, s->marker ? s->marker : PLOT_MARKER_CIRCLE, x + hw / 2, cy,
                        fmax(s->marker_size, 5 * PLOT_PT));
        } else {
            plot_set_rgb(cr, s->color, s->kind == PLOT_KIND_LINE ? 0.4
                                       : s->kind == PLOT_KIND_HIST ? hist_alpha(p, s) : s->alpha);
            cairo_rectangle(cr, x, cy - 0.35 * fs, hw, 0.7 * fs);
            cairo_fill(cr);
            if (s->kind == PLOT_KIND_LINE) {
                plot_set_rgb(cr, s->color, s->alpha);
                cairo_set_line_width(cr, s->line_width);
                cairo_move_to(cr, x, cy - 0.35 * fs);
                cairo_line_to(cr, x + hw, cy - 0.35 * fs);
                cairo_stroke(cr);
            }
        }
        cairo_set_source_rgb(cr, 0, 0, 0);
        plot_text(cr, plot_fit_text(cr, s->label, lg.maxlab, buf, sizeof buf),
                  x + (LG_HANDLE + LG_SEP) * fs, cy, PLOT_LEFT, PLOT_MIDDLE, 0);
    }
}

/* ---- panels ---- */

lt_status plot_draw_axes_panel(plot_canvas *cv, const plot_panel *p, plot_rect cell)
{
    cairo_t *cr = cv->cr;
    lt_status st = check_log(p);
    if (st != LT_OK) return st;
    frame f;
    memset(&f, 0, sizeof f);
    range rx, ry;
    data_ranges(p, &rx, &ry);
    f.y.log = p->logy;
    int bars = p->nseries > 0 && p->series[0].kind == PLOT_KIND_BAR;
    if (bars) {
        f.x.cats = (const char *const *)p->cats;
        f.x.ncats = p->ncats;
        f.x.lo = -0.4 - 0.05 * (p->ncats - 0.2);
        f.x.hi = p->ncats - 0.6 + 0.05 * (p->ncats - 0.2);
    } else if (p->nseries > 0) {
        view_limits(&f.x, rx, p->has_xlim, p->xlim);
    } else {
        f.x.lo = 0, f.x.hi = 1;
    }
    if (p->nseries > 0) view_limits(&f.y, ry, p->has_ylim, p->ylim);
    else f.y.lo = p->logy ? 1 : 0, f.y.hi = p->logy ? 10 : 1;
    if (bars && p->has_xlim) { f.x.lo = p->xlim[0]; f.x.hi = p->xlim[1]; }

    plot_rect area = cell;
    double th = plot_draw_panel_title(cr, p, cell);
    area.y += th;
    area.h -= th;
    layout_frame(cr, p, &f, area, 0);

    draw_grid(cr, &f, !bars, 1);
    cairo_save(cr);
    cairo_rectangle(cr, f.a.x, f.a.y, f.a.w, f.a.h);
    cairo_clip(cr);
    if (bars) draw_bars(cr, &f, p);
    for (int i = 0; i < p->nseries; i++) {
        const plot_series *s = &p->series[i];
        if (s->kind == PLOT_KIND_HIST)
            draw_hist_series(cr, &f, s, p->logy, hist_alpha(p, s));
        else if (s->kind == PLOT_KIND_SCATTER) draw_scatter_series(cv, &f, s);
    }
    for (int pass = 1; pass >= 0; pass--)   /* fills, then lines above everything */
        for (int i = 0; i < p->nseries; i++)
            if (p->series[i].kind == PLOT_KIND_LINE)
                draw_line_series(cr, &f, &p->series[i], p->logy, pass, cv->density,
                                 cv->reference);
    cairo_restore(cr);
    draw_frame(cr, p, &f);
    draw_legend(cr, p, &f);
    return LT_OK;
}

/* ---- heatmap ---- */

/* Points over a map: the map (and its colour bar) is lightened, as matplotlib's
 * imshow(alpha=0.55), so that dark points and dark colours stay apart. */
static void veil(cairo_t *cr, plot_rect r)
{
    cairo_set_source_rgba(cr, 1, 1, 1, 0.45);
    cairo_rectangle(cr, r.x, r.y, r.w, r.h);
    cairo_fill(cr);
}

/* The colour bar right of the map (rectangle a): a vertical strip of the colour map with
 * ticks cb on its right and the label beyond them. */
static void draw_colorbar(plot_canvas *cv, const plot_panel *p, plot_rect a, const axis *cb)
{
    cairo_t *cr = cv->cr;
    double d = cv->density, fs = FS_TICK * PLOT_PT;
    frame fb;
    memset(&fb, 0, sizeof fb);
    fb.a = a;
    fb.y = *cb;
    fb.x.lo = 0, fb.x.hi = 1;
    float strip[256];
    for (int i = 0; i < 256; i++) strip[i] = (float)(cb->hi - (cb->hi - cb->lo) * (i + 0.5) / 256);
    int bx = (int)lround(a.x * d), by = (int)lround(a.y * d);
    plot_blit(cv, bx, by, (int)lround((a.x + a.w) * d) - bx, (int)lround((a.y + a.h) * d) - by,
              strip, 256, 1, cb->lo, cb->hi, p->cmap);
    if (p->nseries > 0) veil(cr, a);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, SPINE_W);
    cairo_rectangle(cr, a.x, a.y, a.w, a.h);
    for (int i = 0; i < cb->n; i++) {
        double y = map_y(&fb, cb->t[i].v);
        cairo_move_to(cr, a.x + a.w, y);
        cairo_line_to(cr, a.x + a.w + TICK_LEN, y);
    }
    cairo_stroke(cr);
    plot_font(cr, FS_TICK, 0);
    double lw = 0;
    for (int i = 0; i < cb->n; i++) {
        draw_label(cr, &cb->t[i], a.x + a.w + TICK_LEN + TICK_PAD, map_y(&fb, cb->t[i].v),
                   PLOT_LEFT, PLOT_MIDDLE, 0);
        lw = fmax(lw, label_width(cr, &cb->t[i]));
    }
    if (p->cbar_label) {
        char buf[512];
        plot_font(cr, FS_LABEL, 0);
        plot_text(cr, plot_fit_text(cr, p->cbar_label, a.h, buf, sizeof buf),
                  a.x + a.w + TICK_LEN + TICK_PAD + lw + 0.5 * fs, a.y + a.h / 2,
                  PLOT_CENTER, PLOT_TOP, -M_PI / 2);
    }
}

/* Writes each cell's value in it, white on dark colours, if every value fits its cell. */
static void annotate_cells(cairo_t *cr, const plot_panel *p, const frame *f, double vmin,
                           double vmax)
{
    double cw = f->a.w / p->cols, ch = f->a.h / p->rows;
    char buf[32];
    plot_font(cr, FS_TICK * 0.9, 0);
    double fs = FS_TICK * 0.9 * PLOT_PT;
    if (ch < 1.3 * fs) return;
    size_t n = (size_t)p->rows * p->cols;
    for (size_t i = 0; i < n; i++) {
        snprintf(buf, sizeof buf, "%.3g", p->values[i]);
        if (plot_text_width(cr, buf) > cw - 4) return;
    }
    for (size_t i = 0; i < n; i++) {
        double v = p->values[i], t = vmax > vmin ? (v - vmin) / (vmax - vmin) : 0.5;
        if (isnan(v)) continue;
        int dark = p->cmap == PLOT_CMAP_GREY ? t < 0.5 : t < 0.6;  /* viridis is dark below */
        cairo_set_source_rgb(cr, dark, dark, dark);
        snprintf(buf, sizeof buf, "%.3g", v);
        plot_text(cr, buf, f->a.x + (i % p->cols + 0.5) * cw, f->a.y + (i / p->cols + 0.5) * ch,
                  PLOT_CENTER, PLOT_MIDDLE, 0);
    }
}

void plot_draw_heatmap(plot_canvas *cv, const plot_panel *p, plot_rect cell)
{
    cairo_t *cr = cv->cr;
    frame f;
    memset(&f, 0, sizeof f);
    if (p->has_extent) {   /* number axes; row 0 (the top) is at y1 */
        f.x.lo = p->extent[0], f.x.hi = p->extent[1];
        f.y.lo = p->extent[2], f.y.hi = p->extent[3];
    } else {
        f.x.lo = -0.5, f.x.hi = p->cols - 0.5, f.x.integer = 1;
        f.y.lo = -0.5, f.y.hi = p->rows - 0.5, f.y.integer = 1, f.y.inverted = 1;
    }
    if (p->xticklabels) f.x.cats = (const char *const *)p->xticklabels, f.x.ncats = (size_t)p->cols;
    if (p->yticklabels) f.y.cats = (const char *const *)p->yticklabels, f.y.ncats = (size_t)p->rows;
    double vmin = p->vmin, vmax = p->vmax;
    if (vmin == vmax) plot_float_range(p->values, (size_t)p->rows * p->cols, &vmin, &vmax);
    if (vmin == vmax) { vmin -= 0.5; vmax += 0.5; }

    /* colour bar ticks decide the room kept on the right */
    axis cb;
    memset(&cb, 0, sizeof cb);
    cb.lo = vmin, cb.hi = vmax;
    plot_font(cr, FS_TICK, 0);
    make_ticks(&cb, 6);
    double fs = FS_TICK * PLOT_PT, cbw = 0.9 * fs, cbgap = fs;
    double right = cbgap + cbw + TICK_LEN + TICK_PAD + max_label_width(cr, &cb) +
                   (p->cbar_label ? 1.5 * fs : 0);

    plot_rect area = cell;
    double th = plot_draw_panel_title(cr, p, cell);
    area.y += th;
    area.h -= th;
    layout_frame(cr, p, &f, area, right);
    /* square cells unless that would squash the map too much (a map with an extent
     * fills the frame, as a scatter plot does) */
    double cw = f.a.w / p->cols, ch = f.a.h / p->rows, c = fmin(cw, ch);
    if (!p->has_extent && fmax(cw, ch) / c < 4) {
        double nw = c * p->cols, nh = c * p->rows;
        f.a.x += (f.a.w - nw) / 2;
        f.a.y += (f.a.h - nh) / 2;
        f.a.w = nw;
        f.a.h = nh;
        fit_x_ticks(cr, &f);
        fit_y_ticks(cr, &f);
    }
    double d = cv->density;
    int dx = (int)lround(f.a.x * d), dy = (int)lround(f.a.y * d);
    int dw = (int)lround((f.a.x + f.a.w) * d) - dx, dh = (int)lround((f.a.y + f.a.h) * d) - dy;
    plot_blit(cv, dx, dy, dw, dh, p->values, p->rows, p->cols, vmin, vmax, p->cmap);
    if (p->annotate) annotate_cells(cr, p, &f, vmin, vmax);
    if (p->nseries > 0) veil(cr, f.a);
    cairo_save(cr);
    cairo_rectangle(cr, f.a.x, f.a.y, f.a.w, f.a.h);
    cairo_clip(cr);
    for (int i = 0; i < p->nseries; i++) draw_scatter_series(cv, &f, &p->series[i]);
    cairo_restore(cr);
    draw_frame(cr, p, &f);
    draw_legend(cr, p, &f);
    draw_colorbar(cv, p, (plot_rect){f.a.x + f.a.w + cbgap, f.a.y, cbw, f.a.h}, &cb);
}
