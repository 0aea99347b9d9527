/* plot_tree.c: a tidy drawing of a generic tree (a Huffman tree, say).
 *
 * Layout: leaves take consecutive slots left to right (in depth-first order), each as
 * wide as its own label; an inner node sits midway between its first and last child;
 * depth sets the row. Two nodes can only share a column range if one is the other's
 * ancestor, so labels never overlap as long as the slots fit the width. The font
 * shrinks down to 8 pt to make them fit; below that the tree turns compact: every node
 * is a dot, and a leaf's "label  sublabel" hangs below it, written vertically, so a leaf
 * needs only a line's height of width (40 leaves fit in 640 px). plot_tree_size_hint
 * gives a size where the boxed layout fits at 10 pt. */
#include "plot_tree.h"

#include "plot_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FS_NODE 10.0
#define FS_BOXED_MIN 8.0  /* below this the layout turns compact */
#define FS_MIN 6.0
#define COMPACT_SLOT 1.4   /* a compact leaf's slot, in font sizes */

typedef struct tree_layout {
    int n;
    int *first_child, *next_sibling, *depth;
    double *x, *w;          /* centre and box width of each node, in font-size units */
    int max_depth;
    double total;           /* sum of leaf slot widths, in font-size units */
    int compact;            /* dots, with vertical leaf labels */
    double hang;            /* compact: the longest leaf text, in font-size units */
} tree_layout;

static void layout_free(tree_layout *t)
{
    free(t->first_child); free(t->next_sibling); free(t->depth); free(t->x); free(t->w);
}

static double node_width(cairo_t *cr, const plot_tree_node *nd, int leaf)
{
    double w = 0;
    if (nd->label) w = fmax(w, plot_text_width(cr, nd->label));
    if (nd->sublabel) w = fmax(w, plot_text_width(cr, nd->sublabel));
    if (w == 0) return leaf ? 1.0 : 0.6;   /* an unlabelled node: a dot */
    return w + 0.6;                      /* padding inside the box */
}

/* Assigns x to the subtree of node i; *cursor is the next free slot position. */
static void place(tree_layout *t, int i, double *cursor)
{
    if (t->first_child[i] < 0) {
        double slot = t->compact ? COMPACT_SLOT : t->w[i] + 0.5;   /* box plus a gap */
        t->x[i] = *cursor + slot / 2;
        *cursor += slot;
        return;
    }
    int first = t->first_child[i], last = first;
    for (int c = first; c >= 0; c = t->next_sibling[c]) {
        place(t, c, cursor);
        last = c;
    }
    t->x[i] = 0.5 * (t->x[first] + t->x[last]);
}

/* A compact leaf's text: "label  sublabel". */
static const char *leaf_text(const plot_tree_node *nd, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s%s%s", nd->label ? nd->label : "",
             nd->label && nd->label[0] && nd->sublabel && nd->sublabel[0] ? "  " : "",
             nd->sublabel ? nd->sublabel : "");
    return buf;
}

/* Computes the layout at unit font size (widths measured with a 1-px font). */
static int layout_tree(cairo_t *cr, const plot_tree_data *td, tree_layout *t, int compact)
{
    int n = td->n;
    memset(t, 0, sizeof *t);
    t->compact = compact;
    t->n = n;
    t->first_child = malloc(n * sizeof(int));
    t->next_sibling = malloc(n * sizeof(int));
    t->depth = malloc(n * sizeof(int));
    t->x = malloc(n * sizeof(double));
    t->w = malloc(n * sizeof(double));
    if (!t->first_child || !t->next_sibling || !t->depth || !t->x || !t->w) {
        layout_free(t);
        return 0;
    }
    int *last_child = t->depth; /* reused as scratch before depths are set */
    for (int i = 0; i < n; i++) t->first_child[i] = t->next_sibling[i] = last_child[i] = -1;
    for (int i = 1; i < n; i++) {
        int p = td->nodes[i].parent;
        if (last_child[p] < 0) t->first_child[p] = i;
        else t->next_sibling[last_child[p]] = i;
        last_child[p] = i;
    }
    t->depth[0] = 0;
    t->max_depth = 0;
    for (int i = 1; i < n; i++) {
        t->depth[i] = t->depth[td->nodes[i].parent] + 1;
        if (t->depth[i] > t->max_depth) t->max_depth = t->depth[i];
    }
    cairo_save(cr);
    cairo_identity_matrix(cr);
    plot_font(cr, 1.0 / PLOT_PT, 0);    /* a 1-px font: widths in font-size units */
    char buf[1024];
    for (int i = 0; i < n; i++) {
        t->w[i] = node_width(cr, &td->nodes[i], t->first_child[i] < 0);
        if (compact && t->first_child[i] < 0) {   /* w: the length of the hanging text */
            t->w[i] = plot_text_width(cr, leaf_text(&td->nodes[i], buf, sizeof buf));
            t->hang = fmax(t->hang, t->w[i]);
        }
    }
    cairo_restore(cr);
    t->total = 0;
    place(t, 0, &t->total);
    return 1;
}

static int text_lines(const plot_tree_node *nd)
{
    return (nd->label && nd->label[0]) + (nd->sublabel && nd->sublabel[0]);
}

/* Where the layout lands in an area: positions are x0 + x * xscale, y0 + depth * level. */
typedef struct tree_geom {
    tree_layout t;
    double x0, y0, xscale, level, fs;   /* fs: font size in px */
} tree_geom;

#define LEVEL_MIN 2.2   /* font sizes between rows before the font shrinks */
#define LEVEL_MAX 6.0

static int tree_geometry(cairo_t *cr, const plot_panel *p, plot_rect area, tree_geom *g)
{
    double pad = 8, node_h = 3.0;     /* box height in font units, with two lines */
    double avail_w = area.w - 2 * pad, avail_h = area.h - 2 * pad;
    for (int compact = 0; compact < 2; compact++) {
        if (!layout_tree(cr, &p->tree, &g->t, compact)) return 0;
        const tree_layout *t = &g->t;
        /* below the deepest row: half a box, or the hanging leaf texts */
        double below = compact ? fmin(t->hang + 1.0, 0.5 * avail_h / (FS_MIN * PLOT_PT))
                               : node_h / 2;
        double above = compact ? 0.5 : node_h / 2;
        double fs = FS_NODE * PLOT_PT;
        fs = fmin(fs, avail_w / t->total);                           /* slots fit */
        fs = fmin(fs, avail_h / (t->max_depth * LEVEL_MIN + above + below)); /* rows fit */
        if (!compact && fs < FS_BOXED_MIN * PLOT_PT) {
            layout_free(&g->t);
            continue;
        }
        fs = fmax(fs, FS_MIN * PLOT_PT);
        g->fs = fs;
        g->xscale = fmin(avail_w / t->total, fs * 3);   /* spread, but not too far */
        double rows_h = avail_h - (above + below) * fs;
        g->level = t->max_depth > 0 ? fmin(rows_h / t->max_depth, LEVEL_MAX * fs) : 0;
        g->x0 = area.x + (area.w - t->total * g->xscale) / 2;
        g->y0 = area.y + pad + above * fs +
                (rows_h - t->max_depth * g->level) / 2;
        return 1;
    }
    return 0;
}

/* The box of node i: a rounded rectangle for labelled nodes, a dot's square otherwise. */
static plot_rect node_box(const tree_geom *g, const plot_tree_node *nd, int i)
{
    double x = g->x0 + g->t.x[i] * g->xscale, y = g->y0 + g->t.depth[i] * g->level;
    int lines = text_lines(nd), leaf = g->t.first_child[i] < 0;
    if (g->t.compact && leaf) {   /* the dot and the text hanging below it */
        double r = 0.35 * g->fs;
        return (plot_rect){x - 0.6 * g->fs, y - r, 1.2 * g->fs,
                           r + 0.5 * g->fs + g->t.w[i] * g->fs};
    }
    if (lines == 0 || g->t.compact) {
        double r = (g->t.first_child[i] < 0 ? 0.45 : 0.3) * g->fs;
        return (plot_rect){x - r, y - r, 2 * r, 2 * r};
    }
    double w = g->t.w[i] * g->fs, h = (lines * 1.25 + 0.5) * g->fs;
    return (plot_rect){x - w / 2, y - h / 2, w, h};
}

static void rounded_rect(cairo_t *cr, plot_rect b, double r)
{
    cairo_new_sub_path(cr);
    cairo_arc(cr, b.x + b.w - r, b.y + r, r, -M_PI / 2, 0);
    cairo_arc(cr, b.x + b.w - r, b.y + b.h - r, r, 0, M_PI / 2);
    cairo_arc(cr, b.x + r, b.y + b.h - r, r, M_PI / 2, M_PI);
    cairo_arc(cr, b.x + r, b.y + r, r, M_PI, 1.5 * M_PI);
    cairo_close_path(cr);
}

static void draw_node(cairo_t *cr, const plot_tree_node *nd, int leaf, int compact,
                      plot_rect b, double fs)
{
    int lines = text_lines(nd);
    double x = b.x + b.w / 2, y = b.y + b.h / 2;
    if (compact && leaf) {
        char buf[1024];
        double r = 0.35 * fs;
        cairo_arc(cr, x, b.y + r, r, 0, 2 * M_PI);
        plot_set_rgb(cr, 0xff7f0e, 1);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        plot_text(cr, leaf_text(nd, buf, sizeof buf), x, b.y + 2 * r + 0.5 * fs, PLOT_LEFT,
                  PLOT_MIDDLE, M_PI / 2);
        return;
    }
    if (lines == 0 || compact) {
        cairo_arc(cr, x, y, b.w / 2, 0, 2 * M_PI);
        plot_set_rgb(cr, leaf ? 0xff7f0e : 0x1f77b4, 1);
        cairo_fill(cr);
        return;
    }
    rounded_rect(cr, b, 0.3 * fs);
    plot_set_rgb(cr, leaf ? 0xffe8d4 : 0xdce9f5, 1);
    cairo_fill_preserve(cr);
    plot_set_rgb(cr, leaf ? 0xff7f0e : 0x1f77b4, 1);
    cairo_set_line_width(cr, 1.0 * PLOT_PT);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (lines == 1) {
        plot_text(cr, nd->label && nd->label[0] ? nd->label : nd->sublabel, x, y, PLOT_CENTER,
                  PLOT_MIDDLE, 0);
    } else {
        plot_text(cr, nd->label, x, y - 0.625 * fs, PLOT_CENTER, PLOT_MIDDLE, 0);
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        plot_text(cr, nd->sublabel, x, y + 0.625 * fs, PLOT_CENTER, PLOT_MIDDLE, 0);
    }
}

/* An edge label on a white pill, at the fraction `along` of the part of the edge between
 * the boxes (sibling labels drift apart towards the children). */
static void draw_edge_label(cairo_t *cr, const char *e, plot_rect pb, plot_rect cb, double fs,
                            double along)
{
    double px = pb.x + pb.w / 2, py = pb.y + pb.h / 2;
    double cx = cb.x + cb.w / 2, cy = cb.y + cb.h / 2;
    double y0 = pb.y + pb.h, y1 = cb.y;          /* below the parent, above the child */
    if (y1 < y0) y0 = y1 = 0.5 * (py + cy);
    double ey = y0 + along * (y1 - y0);
    double ex = cy != py ? px + (cx - px) * (ey - py) / (cy - py) : 0.5 * (px + cx);
    double ew = plot_text_width(cr, e), pad = along > 0.5 ? 0.1 * fs : 0.25 * fs;
    rounded_rect(cr, (plot_rect){ex - ew / 2 - pad, ey - 0.55 * fs, ew + 2 * pad, 1.1 * fs},
                 fmin(0.5 * fs, 0.5 * ew + pad));
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    plot_text(cr, e, ex, ey, PLOT_CENTER, PLOT_MIDDLE, 0);
}

void plot_draw_tree(plot_canvas *cv, const plot_panel *p, plot_rect cell)
{
    cairo_t *cr = cv->cr;
    plot_rect area = cell;
    double th = plot_draw_panel_title(cr, p, cell);
    area.y += th;
    area.h -= th;
    tree_geom g;
    if (!tree_geometry(cr, p, area, &g)) return;
    const plot_tree_node *nodes = p->tree.nodes;
    double fs = g.fs;
    cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
    cairo_set_line_width(cr, 1.0 * PLOT_PT);
    for (int i = 1; i < g.t.n; i++) {
        int q = nodes[i].parent;
        cairo_move_to(cr, g.x0 + g.t.x[q] * g.xscale, g.y0 + g.t.depth[q] * g.level);
        cairo_line_to(cr, g.x0 + g.t.x[i] * g.xscale, g.y0 + g.t.depth[i] * g.level);
    }
    cairo_stroke(cr);
    plot_font(cr, 1, 0);
    cairo_set_font_size(cr, fs * (g.t.compact ? 0.8 : 0.9));
    for (int i = 1; i < g.t.n; i++)
        if (nodes[i].edge_label && nodes[i].edge_label[0])
            draw_edge_label(cr, nodes[i].edge_label, node_box(&g, &nodes[nodes[i].parent],
                            nodes[i].parent), node_box(&g, &nodes[i], i), fs,
                            g.t.compact ? 0.75 : 0.5);
    cairo_set_font_size(cr, fs);
    for (int i = 0; i < g.t.n; i++)
        draw_node(cr, &nodes[i], g.t.first_child[i] < 0, g.t.compact,
                  node_box(&g, &nodes[i], i), fs);
    layout_free(&g.t);
}

int plot_tree_boxes(const plot_panel *p, plot_rect cell, plot_rect *boxes)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
    cairo_t *cr = cairo_create(s);
    plot_rect area = cell;
    double th = plot_panel_title_height(p);
    area.y += th;
    area.h -= th;
    tree_geom g;
    int ok = tree_geometry(cr, p, area, &g);
    if (ok) {
        for (int i = 0; i < g.t.n; i++) boxes[i] = node_box(&g, &p->tree.nodes[i], i);
        layout_free(&g.t);
    }
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return ok;
}

void plot_tree_size_hint(const plot_tree_node *nodes, int n, int *width, int *height)
{
    *width = PLOT_DEFAULT_WIDTH;
    *height = PLOT_DEFAULT_HEIGHT;
    if (n <= 0 || !nodes || nodes[0].parent != -1) return;
    for (int i = 1; i < n; i++)
        if (nodes[i].parent < 0 || nodes[i].parent >= i) return;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
    cairo_t *cr = cairo_create(s);
    plot_tree_data td = {(plot_tree_node *)nodes, n};
    tree_layout t;
    if (layout_tree(cr, &td, &t, 0)) {
        double fs = FS_NODE * PLOT_PT, title = 30;
        double w = t.total * fs + 16, h = t.max_depth * 3.2 * fs + 3 * fs + 16 + title;
        *width = (int)fmin(PLOT_MAX_SIDE, fmax(ceil(w), PLOT_DEFAULT_WIDTH));
        *height = (int)fmin(PLOT_MAX_SIDE, fmax(ceil(h), PLOT_DEFAULT_HEIGHT));
        layout_free(&t);
    }
    cairo_destroy(cr);
    cairo_surface_destroy(s);
}
