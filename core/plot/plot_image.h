/* plot_image.h: colour maps, pixel blits and image grids (plot_image.c). Not part of the public API. */
#ifndef PLOT_IMAGE_H
#define PLOT_IMAGE_H

#include "plot_internal.h"

uint32_t plot_cmap_rgb(plot_cmap cmap, double t); /* t in [0,1] -> 0xRRGGBB */
/* Fills the device-pixel rectangle (dx, dy, dw, dh) with the rows x cols values,
 * nearest neighbour, mapped through cmap over [vmin, vmax]; NaN cells white. */
void plot_blit(plot_canvas *cv, int dx, int dy, int dw, int dh, const float *v, int rows,
               int cols, double vmin, double vmax, plot_cmap cmap);
/* The finite min and max of v (n values); returns 0 if none is finite. */
int plot_float_range(const float *v, size_t n, double *lo, double *hi);


void plot_draw_images(plot_canvas *cv, const plot_panel *p, plot_rect cell);

#endif
