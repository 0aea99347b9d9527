/* live_plot.h: the live loss plot of a running `train` loop.
 *
 * While a train loop runs, every recorded series so far (train_live_series: lossD and
 * lossG, kld, ...) is drawn against the batch number and shown through ONE display id:
 * display_data the first time, update_display_data after that, so the front end
 * replaces the image in place. It first appears after tc->live_after seconds of
 * training (1 s; short cells show none), then at most every LIVE_PLOT_PERIOD seconds
 * (or rarer, so that drawing stays under ~10% of the training time; a frame takes
 * ~25 ms); the final frame is
 * drawn when the loop ends, so a saved notebook keeps the whole curve.
 *
 *     train_run r = { .live.series = train_live_series };   // zeroed but the source
 *     ... after each mini-batch:  live_plot_tick(s, &r.live, 0);
 *     ... when the loop ends, while the series still answer:
 *                                  live_plot_tick(s, &r.live, 1);
 *
 * live(false) in the language turns it off for the session (live(true) back on).
 * Drawing failures are not errors of the cell: the plot is just not updated. */
#ifndef LANG_LIVE_PLOT_H
#define LANG_LIVE_PLOT_H

#include <stddef.h>

#include "sess.h"

#define LIVE_PLOT_PERIOD 0.4   /* seconds between frames, at least */

/* Series i's name and its values so far (borrowed, valid until the next mini-batch):
 * 0, or -1 when no loop runs or i is out of range (bi_train.h: train_live_series). */
typedef int (*live_series_fn)(lt_session *s, int i, const char **name, const float **v, size_t *n);

typedef struct live_plot {
    live_series_fn series;     /* where the curves come from */
    double start;              /* CLOCK_MONOTONIC seconds when the loop started (0: not yet) */
    double last;               /* when the last frame was sent */
    double cost;               /* seconds the last frame took to draw */
    int frames;                /* frames sent (the first is display_data) */
    char display_id[48];
} live_plot;

/* Sends a frame when one is due (final: the last one, if the plot is shown at all). */
void live_plot_tick(lt_session *s, live_plot *lp, int final);

/* The figure of lp's series so far, as a PNG (width x height CSS px) plus its text
 * description, e.g. "live plot of lossD, lossG over 120 batches" (malloc'd; the caller
 * frees both). Returns 0, or -1 when no loop runs,
 * nothing was recorded yet or drawing failed. Exposed for tests. */
struct plot_png;
int live_plot_render(lt_session *s, const live_plot *lp, int width, int height, struct plot_png *png, char **text);

#endif
