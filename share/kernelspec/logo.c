/* logo.c: draws the Latent kernel logos, logo-32x32.png and logo-64x64.png, into the
 * directory given as the only argument. Run at build time (kernel/shim/CMakeLists.txt).
 *
 * The picture is an autoencoder seen from the side: a column of four nodes on the left,
 * one bright node in the middle (the latent code), four nodes on the right, each outer
 * node joined to the centre, on a rounded dark-blue square.
 *
 * Returns 0, or 1 (with a message on stderr) if a file cannot be written. */
#include <cairo.h>
#include <math.h>
#include <stdio.h>

/* A rounded square of side s with corner radius r. */
static void logo_rounded_square(cairo_t *cr, double s, double r)
{
    cairo_new_sub_path(cr);
    cairo_arc(cr, s - r, r, r, -M_PI / 2, 0);
    cairo_arc(cr, s - r, s - r, r, 0, M_PI / 2);
    cairo_arc(cr, r, s - r, r, M_PI / 2, M_PI);
    cairo_arc(cr, r, r, r, M_PI, 3 * M_PI / 2);
    cairo_close_path(cr);
}

/* Draws the logo on a surface of side s pixels. */
static void logo_draw(cairo_t *cr, double s)
{
    cairo_pattern_t *bg = cairo_pattern_create_linear(0, 0, 0, s);
    cairo_pattern_add_color_stop_rgb(bg, 0, 0.16, 0.27, 0.52);
    cairo_pattern_add_color_stop_rgb(bg, 1, 0.07, 0.12, 0.28);
    logo_rounded_square(cr, s, s * 0.18);
    cairo_set_source(cr, bg);
    cairo_fill(cr);
    cairo_pattern_destroy(bg);

    const double cx = s * 0.5, cy = s * 0.5;
    const double xl = s * 0.2, xr = s * 0.8;
    const double ys[4] = {0.2, 0.4, 0.6, 0.8};
    const double node = s * 0.065;

    cairo_set_line_width(cr, s / 32.0 * 1.4);
    cairo_set_source_rgba(cr, 0.75, 0.85, 1.0, 0.8);
    for (int i = 0; i < 4; i++) {
        cairo_move_to(cr, xl, ys[i] * s);
        cairo_line_to(cr, cx, cy);
        cairo_line_to(cr, xr, ys[i] * s);
    }
    cairo_stroke(cr);

    cairo_set_source_rgb(cr, 0.92, 0.95, 1.0);
    for (int i = 0; i < 4; i++) {
        cairo_arc(cr, xl, ys[i] * s, node, 0, 2 * M_PI);
        cairo_fill(cr);
        cairo_arc(cr, xr, ys[i] * s, node, 0, 2 * M_PI);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 1.0, 0.72, 0.2);   /* the latent code */
    cairo_arc(cr, cx, cy, s * 0.12, 0, 2 * M_PI);
    cairo_fill(cr);
}

/* Writes dir/logo-SxS.png. Returns 0 on success, 1 on failure. */
static int logo_write(const char *dir, int s)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/logo-%dx%d.png", dir, s, s);
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, s, s);
    cairo_t *cr = cairo_create(surf);
    logo_draw(cr, s);
    cairo_destroy(cr);
    cairo_status_t st = cairo_surface_write_to_png(surf, path);
    cairo_surface_destroy(surf);
    if (st != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "logo: cannot write %s: %s\n", path, cairo_status_to_string(st));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: latent_logo OUTPUT_DIR\n");
        return 1;
    }
    return logo_write(argv[1], 32) | logo_write(argv[1], 64);
}
