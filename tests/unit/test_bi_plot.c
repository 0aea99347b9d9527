/* test_bi_plot.c: the plotting and information builtins seen from the host: a figure
 * result carries a real PNG at twice its CSS size plus a text/plain description, a
 * Huffman code carries text/html, display() shows in the middle of a cell, and
 * objects that only offer to_floats (as tensors and histories do) plot, show and
 * feed entropy() without the builtins knowing their type. */
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "check.h"
#include "env.h"
#include "sess.h"

static char types[256], text[512], errmsg[256];
static unsigned char png_head[32];
static size_t png_len;
static int out_w, out_h, displays, results;

static void capture(const lt_output *o)
{
    types[0] = 0;
    png_len = 0;
    for (int i = 0; i < o->n_items; i++) {
        strcat(types, o->items[i].type);
        strcat(types, " ");
        if (strcmp(o->items[i].type, "image/png") == 0) {
            png_len = o->items[i].len;
            memcpy(png_head, o->items[i].data, png_len < sizeof png_head ? png_len : sizeof png_head);
        }
        if (strcmp(o->items[i].type, "text/plain") == 0)
            snprintf(text, sizeof text, "%.*s", (int)o->items[i].len, (const char *)o->items[i].data);
    }
    out_w = o->width;
    out_h = o->height;
}

static void h_result(void *ctx, const lt_output *o) { (void)ctx; results++; capture(o); }
static void h_display(void *ctx, const lt_output *o, int update) { (void)ctx; (void)update; displays++; capture(o); }
static void h_error(void *ctx, const char *n, const char *v, const char *const *tb, int k)
{
    (void)ctx; (void)tb; (void)k;
    snprintf(errmsg, sizeof errmsg, "%s: %s", n, v);
}

static unsigned be32(const unsigned char *p) { return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3]; }

/* ---- a stand-in for a tensor: numbers and a shape, nothing else ---- */
typedef struct fake { int shape[4], ndim; size_t n; } fake;

static float *fake_floats(void *data, size_t *n, int shape[4], int *ndim)
{
    fake *f = data;
    float *x = malloc(f->n * sizeof *x);
    for (size_t i = 0; i < f->n; i++) x[i] = (float)((i % 7) / 7.0);
    if (f->n == 2) x[0] = x[1] = 0.5f;   /* a distribution for entropy() */
    *n = f->n;
    memcpy(shape, f->shape, sizeof f->shape);
    *ndim = f->ndim;
    return x;
}

static const val_type fake_type = {.name = "tensor", .free = free, .to_floats = fake_floats};

static void set_fake(lt_session *s, const char *name, int ndim, int d0, int d1)
{
    fake *f = calloc(1, sizeof *f);
    f->ndim = ndim;
    f->shape[0] = d0;
    f->shape[1] = d1;
    f->n = (size_t)d0 * (size_t)(ndim == 2 ? d1 : 1);
    CHECK(env_set(s->globals, name, OBJ_VAL(val_obj_new(&fake_type, f))) == 0);
}

static lt_session *session(void)
{
    lt_host host = {.result = h_result, .display = h_display, .error = h_error};
    return lt_session_new(&host);
}

static void test_figure_png(void)
{
    lt_session *s = session();
    CHECK(lt_execute(s, "plot([3, 1, 2], title=\"t\", size=[300, 200])", 0) == LT_EXEC_OK);
    CHECK_STR(types, "image/png text/plain ");
    CHECK_STR(text, "<line plot 't' (1 series, 3 points)>");
    CHECK(out_w == 300 && out_h == 200);
    CHECK(png_len > 1000 && memcmp(png_head, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(png_head + 12, "IHDR", 4) == 0);
    CHECK(be32(png_head + 16) == 600 && be32(png_head + 20) == 400);   /* density 2 */
    CHECK(lt_execute(s, "plot(huffman(F=0.5, C=0.25, R=0.125, S=0.125))", 0) == LT_EXEC_OK);
    CHECK_STR(types, "image/png text/plain ");
    CHECK(out_w > 0 && out_h > 0 && be32(png_head + 16) == 2u * (unsigned)out_w);
    /* grid: cells of the largest figure, here 3 x 1 cells of 300 x 200 (600 x 400 px) */
    CHECK(lt_execute(s, "grid(plot([1, 2], size=[300, 200]), bar([1], size=[200, 100]), hist([1, 2], size=[300, 150]), cols=1)", 0) == LT_EXEC_OK);
    CHECK_STR(types, "image/png text/plain ");
    CHECK(out_w == 300 && out_h == 600);
    CHECK(memcmp(png_head, "\x89PNG\r\n\x1a\n", 8) == 0 && be32(png_head + 16) == 600 && be32(png_head + 20) == 1200);
    /* wider than a notebook: shown at 960 px, drawn at full resolution */
    CHECK(lt_execute(s, "grid(plot([1, 2]), plot([1, 2]))", 0) == LT_EXEC_OK);
    CHECK(out_w == 960 && out_h == 300 && be32(png_head + 16) == 2560);
    lt_session_free(s);
}

static void test_display_and_code(void)
{
    lt_session *s = session();
    displays = results = 0;
    CHECK(lt_execute(s, "f = bar([1, 2])\ndisplay(f)\nx = 1", 0) == LT_EXEC_OK);
    CHECK(displays == 1 && results == 0);
    CHECK_STR(types, "image/png text/plain ");
    CHECK(lt_execute(s, "huffman(a=1, b=1)", 0) == LT_EXEC_OK);
    CHECK_STR(types, "text/html text/plain ");
    CHECK(strstr(text, "expected length 1 bits/symbol, entropy 1 bits") != NULL);
    lt_session_free(s);
}

static void test_to_floats_objects(void)
{
    lt_session *s = session();
    set_fake(s, "imgs", 2, 3, 784);     /* three MNIST-sized images */
    set_fake(s, "losses", 1, 50, 0);    /* a history's loss series */
    set_fake(s, "m", 2, 4, 5);
    set_fake(s, "coin", 1, 2, 0);
    CHECK(lt_execute(s, "show(imgs)", 0) == LT_EXEC_OK);
    CHECK_STR(text, "<image grid (3 images of 28 x 28, 3 per row), grey 0..1>");
    CHECK(lt_execute(s, "show(imgs, imgs, labels=[\"in\", \"out\"])", 0) == LT_EXEC_OK);
    CHECK_STR(text, "<image grid (6 images of 28 x 28, 3 per row), grey 0..1>");
    CHECK(lt_execute(s, "plot(losses, title=\"loss\")", 0) == LT_EXEC_OK);
    CHECK_STR(text, "<line plot 'loss' (1 series, 50 points)>");
    CHECK(lt_execute(s, "plot(losses, losses, legend=[\"a\", \"b\"])", 0) == LT_EXEC_OK);
    CHECK_STR(text, "<line plot (2 series, 50 points)>");
    CHECK(lt_execute(s, "heatmap(m)", 0) == LT_EXEC_OK);
    CHECK_STR(text, "<heatmap (4 x 5)>");
    CHECK(lt_execute(s, "hist(losses, bins=5)", 0) == LT_EXEC_OK);
    CHECK_STR(text, "<histogram (1 series, 50 values, 5 bins)>");
    CHECK(lt_execute(s, "entropy(coin)", 0) == LT_EXEC_OK);
    CHECK_STR(text, "1");
    CHECK(lt_execute(s, "show(m)", 0) == LT_EXEC_OK);   /* a matrix that is not rows of square images: one image */
    CHECK(strstr(text, "4 x 5") != NULL);
    CHECK(lt_execute(s, "show(losses)", 0) == LT_EXEC_ERROR);
    CHECK_STR(errmsg, "ValueError: 1:6: show() needs images: (N, 784) rows of 28x28 pixels or (N, H, W), got 50 numbers");
    lt_session_free(s);
}

int main(void)
{
    RUN(test_figure_png);
    RUN(test_display_and_code);
    RUN(test_to_floats_objects);
    return check_summary("bi_plot");
}
