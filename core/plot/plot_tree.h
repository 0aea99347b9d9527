/* plot_tree.h: tree diagrams (plot_tree.c). Not part of the public API. */
#ifndef PLOT_TREE_H
#define PLOT_TREE_H

#include "plot_internal.h"

void plot_draw_tree(plot_canvas *cv, const plot_panel *p, plot_rect cell);
/* The box of every node of the panel's tree (p->tree.n rects, CSS px) as drawn in cell:
 * for tests of the layout. Returns 0 if memory runs out. */
int plot_tree_boxes(const plot_panel *p, plot_rect cell, plot_rect *boxes);

#endif
