/* bi_plot.h: the plotting builtins (bi_plot.c): plot, scatter, bar, hist, heatmap,
 * show, savefig, display, and the figure value they return (type name "figure"). */
#ifndef LANG_BI_PLOT_H
#define LANG_BI_PLOT_H

#include "registry.h"

/* Registers the library (registry.h). */
int lib_open_plot(registry *r);

#endif
