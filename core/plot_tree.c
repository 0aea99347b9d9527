/* plot_tree.c: a tidy drawing of a generic tree (a Huffman tree, say).
 *
 * Layout: leaves take consecutive slots left to right (in depth-first order), each as
 * wide as its own label; an inner node sits midway between its first and last child;
 * depth sets the row. Two nodes can only share a column range if one is the other's
 * ancestor, so labels never overlap as long as the slots fit the width (the font shrinks
 * to 6 pt before giving up; plot_tree_size_hint gives a size where 10 pt fits). */
#include "plot_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FS_NODE 10.0
#define FS_MIN 6.0

typedef struct tree_layout {
    int n;
    int *first_child, *next_sibling, *depth;
    double *x, *w;          /* centre and box width of each node, in font-size units */
    int max_depth;
    double total;           /* sum of leaf slot widths, in font-size units */
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
        double slot = t->w[i] + 0.5;        /* box plus a gap */
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

/* Computes the layout at unit font size (widths measured with a 1-px font). */
static int layout_tree(cairo_t *cr, const plot_tree_data *td, tree_layout *t)
{
    int n = td->n;
    memset(t, 0, sizeof *t);
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
    for (int i = 0; i < n; i++)
        t->w[i] = node_width(cr, &td->nodes[i], t->first_child[i] < 0);
    cairo_restore(cr);
    t->total = 0;
    place(t, 0, &t->total);
    return 1;
}

static int has_two_lines(const plot_tree_node *nd)
{
    return nd->label && nd->sublabel && nd->label[0] && nd->sublabel[0];
}

static void rounded_rect(cairo_t *cr, double x, double y, double w, double h, double r)
{
    cairo_new_sub_path(cr);
    cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
    cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
    cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
    cairo_arc(cr, x + r, y + r, r, M_PI, 1.5 * M_PI);
    cairo_close_path(cr);
}

static void draw_node(cairo_t *cr, const plot_tree_node *nd, int leaf, double x, double y,
                      double w, double fs)
{
    int lines = has_two_lines(nd) ? 2 : (nd->label && nd->label[0]) ||
                                        (nd->sublabel && nd->sublabel[0]) ? 1 : 0;
    if (lines == 0) {
        cairo_arc(cr, x, y, leaf ? 0.45 * fs : 0.3 * fs, 0, 2 * M_PI);
        plot_set_rgb(cr, leaf ? 0xff7f0e : 0x1f77b4, 1);
        cairo_fill(cr);
        return;
    }
    double h = (lines * 1.25 + 0.5) * fs;
    rounded_rect(cr, x - w * fs / 2, y - h / 2, w * fs, h, 0.3 * fs);
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

void plot_draw_tree(plot_canvas *cv, const plot_panel *p, plot_rect cell)
{
    cairo_t *cr = cv->cr;
    tree_layout t;
    if (!layout_tree(cr, &p->tree, &t)) return;
    plot_rect area = cell;
    double th = plot_draw_panel_title(cr, p, cell);
    area.y += th;
    area.h -= th;
    double pad = 8, fs = FS_NODE * PLOT_PT;
    /* the font that makes the slots fit the width (px per font-size unit) */
    fs = fmin(fs, (area.w - 2 * pad) / t.total);
    double node_h = 3.0;              /* box height in font units, with two lines */
    double avail_h = area.h - 2 * pad;
    if (t.max_depth > 0) fs = fmin(fs, avail_h / (t.max_depth * 1.6 + node_h));
    else fs = fmin(fs, avail_h / node_h);
    fs = fmax(fs, FS_MIN * PLOT_PT);
    double xscale = fmin((area.w - 2 * pad) / t.total, fs * 3);   /* spread, but not too far */
    double level = t.max_depth > 0 ? fmin((avail_h - node_h * fs) / t.max_depth, 6 * fs)
                                   : 0;
    double tw = t.total * xscale, th_all = t.max_depth * level;
    double x0 = area.x + (area.w - tw) / 2, y0 = area.y + (area.h - th_all) / 2;
    cairo_set_font_size(cr, fs);
    /* edges */
    cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
    cairo_set_line_width(cr, 1.0 * PLOT_PT);
    for (int i = 1; i < t.n; i++) {
        int q = p->tree.nodes[i].parent;
        cairo_move_to(cr, x0 + t.x[q] * xscale, y0 + t.depth[q] * level);
        cairo_line_to(cr, x0 + t.x[i] * xscale, y0 + t.depth[i] * level);
    }
    cairo_stroke(cr);
    /* edge labels on a white disc, at the middle of the edge */
    cairo_set_font_size(cr, fs * 0.9);
    for (int i = 1; i < t.n; i++) {
        const char *e = p->tree.nodes[i].edge_label;
        if (!e || !e[0]) continue;
        int q = p->tree.nodes[i].parent;
        double ex = x0 + 0.5 * (t.x[q] + t.x[i]) * xscale;
        double ey = y0 + 0.5 * (t.depth[q] + t.depth[i]) * level;
        double ew = plot_text_width(cr, e);
        rounded_rect(cr, ex - ew / 2 - 0.25 * fs, ey - 0.6 * fs, ew + 0.5 * fs, 1.2 * fs,
                     0.5 * fs);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        plot_text(cr, e, ex, ey, PLOT_CENTER, PLOT_MIDDLE, 0);
    }
    cairo_set_font_size(cr, fs);
    for (int i = 0; i < t.n; i++)
        draw_node(cr, &p->tree.nodes[i], t.first_child[i] < 0, x0 + t.x[i] * xscale,
                  y0 + t.depth[i] * level, t.w[i], fs);
    layout_free(&t);
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
    if (layout_tree(cr, &td, &t)) {
        double fs = FS_NODE * PLOT_PT;
        double w = t.total * fs + 16, h = t.max_depth * 1.8 * fs + 3 * fs + 16 + 30;
        *width = (int)fmin(PLOT_MAX_SIDE, fmax(w, PLOT_DEFAULT_WIDTH));
        *height = (int)fmin(PLOT_MAX_SIDE, fmax(h, PLOT_DEFAULT_HEIGHT));
        layout_free(&t);
    }
    cairo_destroy(cr);
    cairo_surface_destroy(s);
}
