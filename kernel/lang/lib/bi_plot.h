/* bi_plot.h: the plotting builtins (bi_plot.c): plot, scatter, bar, hist, heatmap,
 * show, savefig, display, and the figure value they return (type name "figure").
 * over=F draws a call's series on figure F (see bi_fig_finish_note). */
#ifndef LANG_BI_PLOT_H
#define LANG_BI_PLOT_H

#include "registry.h"

/* Registers the library (registry.h). */
int lib_open_plot(registry *r);

struct plot_figure;
struct plot_panel;
/* For builtins that draw (boundary): the figure a call draws on, with the options every
 * plot takes (title=, xlabel=, size=, legend=false, xlim=, over=, ...) applied: a new
 * one, or a copy of over='s. NULL after an error. */
struct plot_figure *bi_fig_begin(bi_args *a, struct plot_panel **panel);
/* Draws fig into the call's result (a new figure, or the over= figure changed in place)
 * and takes fig over; note (or NULL) ends its description. -1 after an error, nothing
 * changed then. */
int bi_fig_end_note(bi_args *a, struct plot_figure *fig, const char *note, value *out);

#endif
