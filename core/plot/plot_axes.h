/* plot_axes.h: panels with axes, and heatmaps (plot_axes.c). Not part of the public API. */
#ifndef PLOT_AXES_H
#define PLOT_AXES_H

#include "plot_internal.h"

lt_status plot_draw_axes_panel(plot_canvas *cv, const plot_panel *p, plot_rect cell);
void plot_draw_heatmap(plot_canvas *cv, const plot_panel *p, plot_rect cell);

#endif
