/* plot_bench.c: how long drawing and PNG-encoding a figure takes, at the default size
 * (640 x 400 CSS px) and density (2, so 1280 x 800 pixels). Median of 50 runs each:
 *   line     two series of 1,000 points, title, labels, legend
 *   images   an 8 x 8 grid of 28 x 28 images
 *   scatter  2,000 points in 10 labelled classes
 * Target: each under 25 ms. Prints one line per figure; not a ctest. On a busy machine
 * wall time can be twice the CPU time, so both are shown. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "plot.h"

enum { RUNS = 50 };

static double now_ms(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Renders fig RUNS times; prints the median and min wall time, the median CPU time
 * (less disturbed by other processes on a shared machine) and the PNG size. Returns 0
 * on failure. */
static int bench(const char *name, const plot_figure *fig)
{
    double t[RUNS], c[RUNS];
    size_t bytes = 0;
    for (int i = 0; i < RUNS; i++) {
        plot_png png;
        double t0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
        if (plot_render_png(fig, &png) != LT_OK) {
            fprintf(stderr, "%s: %s\n", name, lt_errmsg());
            return 0;
        }
        t[i] = now_ms(CLOCK_MONOTONIC) - t0;
        c[i] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
        bytes = png.len;
        plot_png_free(&png);
    }
    qsort(t, RUNS, sizeof *t, cmp_double);
    qsort(c, RUNS, sizeof *c, cmp_double);
    printf("%-8s median %6.2f ms  min %6.2f ms  cpu median %6.2f ms  %7zu bytes  "
           "target 25 ms: wall %s, cpu %s\n", name, t[RUNS / 2], t[0], c[RUNS / 2], bytes,
           t[RUNS / 2] < 25 ? "ok" : "OVER", c[RUNS / 2] < 25 ? "ok" : "OVER");
    return 1;
}

/* fontconfig keeps its configuration until exit; not a leak of ours (LATENT_ASAN). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

int main(void)
{
    int ok = 1;
    double a[1000], b[1000];
    for (int i = 0; i < 1000; i++) {
        a[i] = 2.3 * exp(-i / 150.0) + 0.1 + 0.05 * sin(i * 12.9898);
        b[i] = 2.4 * exp(-i / 200.0) + 0.2 + 0.04 * cos(i * 78.233);
    }
    plot_figure *fig = plot_figure_new(0, 0);
    plot_panel *p = plot_panel_at(fig, 0, 0);
    plot_set_title(p, "loss");
    plot_set_xlabel(p, "step");
    plot_set_ylabel(p, "loss");
    plot_line(p, NULL, a, 1000, "train", NULL);
    plot_line(p, NULL, b, 1000, "valid", NULL);
    ok &= bench("line", fig);
    plot_figure_free(fig);

    static float im[64 * 28 * 28];
    for (int i = 0; i < 64 * 28 * 28; i++) im[i] = (float)(0.5 + 0.5 * sin(i * 0.37));
    fig = plot_figure_new(0, 0);
    plot_image_grid(plot_panel_at(fig, 0, 0), im, 64, 28, 28, NULL);
    ok &= bench("images", fig);
    plot_figure_free(fig);

    static double sx[2000], sy[2000];
    static int lab[2000];
    for (int i = 0; i < 2000; i++) {
        lab[i] = i % 10;
        double r = 3 + sin(i * 1.3), th = lab[i] * 0.628 + 0.3 * cos(i * 2.1);
        sx[i] = r * cos(th);
        sy[i] = r * sin(th);
    }
    fig = plot_figure_new(0, 0);
    p = plot_panel_at(fig, 0, 0);
    plot_set_title(p, "latent space");
    plot_scatter(p, sx, sy, 2000, lab, NULL, NULL);
    ok &= bench("scatter", fig);
    plot_figure_free(fig);
    return ok ? 0 : 1;
}
