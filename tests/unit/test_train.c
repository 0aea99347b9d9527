/* test_train.c: the train loop through sessions: a GAN's discriminator step leaves
 * the generator's gradients alone, an interrupt stops at a mini-batch and keeps the
 * history, the tape does not grow from batch to batch, a small MLP reaches a low
 * loss, tensors made inside a body survive it, the progress line updates in place, and
 * so does the live loss plot (a PNG per frame, one id, the last frame at the end). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "env.h"
#include "latent.h"
#include "nn.h"
#include "bi_nn.h"
#include "sess.h"
#include "bi_train.h"

typedef struct host_log {
    char ename[64], evalue[512];
    int checkpoints, stop_after, displays, updates;
    char display_id[64];
    float live_loss;   /* the last loss seen through train_live_series during a display */
    int plots, plot_updates, plot_bad;   /* live plot frames, updates, frames that were not a PNG + text */
    char plot_id[64], plot_text[256];
} host_log;

static void h_error(void *ctx, const char *ename, const char *evalue, const char *const *tb, int n)
{
    host_log *h = ctx;
    (void)tb; (void)n;
    snprintf(h->ename, sizeof h->ename, "%s", ename);
    snprintf(h->evalue, sizeof h->evalue, "%s", evalue);
}

static int h_checkpoint(void *ctx)
{
    host_log *h = ctx;
    return h->stop_after && ++h->checkpoints >= h->stop_after;
}

static lt_session *S;

static void h_display(void *ctx, const lt_output *o, int update)
{
    host_log *h = ctx;
    const char *name;
    const float *v;
    size_t n;
    if (o->display_id && strncmp(o->display_id, "latent-live-", 12) == 0) {   /* the live plot */
        h->plot_bad += o->n_items != 2 || strcmp(o->items[0].type, "image/png") != 0 || o->items[0].len < 8 ||
                       memcmp(o->items[0].data, "\x89PNG", 4) != 0 || (h->plots > 0 && strcmp(h->plot_id, o->display_id) != 0);
        h->plots++;
        h->plot_updates += update != 0;
        snprintf(h->plot_id, sizeof h->plot_id, "%s", o->display_id);
        if (o->n_items == 2) snprintf(h->plot_text, sizeof h->plot_text, "%.*s", (int)o->items[1].len, (const char *)o->items[1].data);
        return;
    }
    if (train_live_series(S, 0, &name, &v, &n) == 0 && n > 0 && strcmp(name, "loss") == 0) h->live_loss = v[n - 1];
    h->displays++;
    h->updates += update != 0;
    snprintf(h->display_id, sizeof h->display_id, "%s", o->display_id ? o->display_id : "");
}

static host_log H;

static int run(const char *code)
{
    H.ename[0] = H.evalue[0] = 0;
    return lt_execute(S, code, 1);
}

static lt_module *module_of(const char *name)
{
    const value *v = env_get(S->globals, name);
    return v && nv_is(*v) ? nv_module(*v) : NULL;
}

static float history_last(const char *name, size_t *n)
{
    const value *v = env_get(S->globals, name);
    *n = 0;
    if (!v || !IS_OBJ(*v) || strcmp(AS_OBJ(*v)->type->name, "history") != 0) return NAN;
    int shape[4], ndim;
    float *x = AS_OBJ(*v)->type->to_floats(AS_OBJ(*v)->data, n, shape, &ndim);
    float last = x && *n ? x[*n - 1] : NAN;
    free(x);
    return last;
}

/* D's step must not touch G's gradients, though the loss goes through G. */
static void test_gan_requested_only(void)
{
    CHECK(run("data = subset(mnist(), 256)\n"
              "G = seq(linear(16, 32), leaky_relu(0.2), linear(32, 784), sigmoid)\n"
              "D = seq(linear(784, 32), leaky_relu(0.2), linear(32, 1))\n"
              "optD = adam(D, lr=2e-4, betas=[0.5, 0.999])\n"
              "optG = adam(G, lr=2e-4, betas=[0.5, 0.999])") == LT_EXEC_OK);
    lt_module *g = module_of("G");
    lt_param ps[8];
    int n = nn_params(g, ps, 8);
    CHECK(n == 4);
    for (int i = 0; i < n; i++) for (size_t j = 0; j < ps[i].n; j++) ps[i].g[j] = 7.0f;
    CHECK(run("train on data epochs 1 batch 64 {\n"
              "    fake = G(randn(batch, 16))\n"
              "    lossD = bce_logits(D(x), 1) + bce_logits(D(fake), 0)\n"
              "    step optD lossD\n"
              "}") == LT_EXEC_OK);
    int untouched = 1;
    for (int i = 0; i < n; i++) for (size_t j = 0; j < ps[i].n; j++) untouched &= ps[i].g[j] == 7.0f;
    CHECK(untouched);
    /* and the full GAN body: G's step does move G's gradients */
    CHECK(run("train on data epochs 1 batch 64 {\n"
              "    fake = G(randn(batch, 16))\n"
              "    lossD = bce_logits(D(x), 1) + bce_logits(D(detach(fake)), 0)\n"
              "    step optD lossD\n"
              "    lossG = bce_logits(D(fake), 1)\n"
              "    step optG lossG\n"
              "}") == LT_EXEC_OK);
    int moved = 0;
    for (int i = 0; i < n; i++) for (size_t j = 0; j < ps[i].n; j++) moved |= ps[i].g[j] != 7.0f;
    CHECK(moved);
    size_t nd, ng;
    history_last("lossD", &nd);
    history_last("lossG", &ng);
    CHECK(nd == 4 && ng == 4);
}

static void test_interrupt_keeps_history(void)
{
    CHECK(run("m = seq(linear(2, 8), relu, linear(8, 2))\nopt = sgd(m, lr=0.1)") == LT_EXEC_OK);
    H.checkpoints = 0;
    H.stop_after = 3;
    CHECK(run("train on moons(20000) epochs 5 batch 1 {\n"
              "    loss = cross_entropy(m(x), y)\n"
              "    step opt loss\n"
              "}") == LT_EXEC_ERROR);
    H.stop_after = 0;
    CHECK(strcmp(H.ename, "KeyboardInterrupt") == 0);
    CHECK(strstr(H.evalue, "interrupted at epoch 1, batch ") != NULL);
    size_t n;
    history_last("loss", &n);
    CHECK(n > 0 && n < 100000);
    CHECK(run("m(randn(3, 2))") == LT_EXEC_OK);   /* the network is intact */
}

/* Tape and arena stay put from batch to batch (reset every mini-batch). */
static void test_steady_memory(void)
{
    CHECK(run("m = seq(linear(2, 16), relu, linear(16, 2))\nopt = adam(m, lr=0.01)\n"
              "train on moons(64) epochs 2 batch 16 {\n"
              "    loss = cross_entropy(m(x), y)\n    step opt loss\n}") == LT_EXEC_OK);
    size_t before = graph_arena_bytes(S->tc->g);
    CHECK(run("train on moons(640) epochs 3 batch 16 {\n"
              "    loss = cross_entropy(m(x), y)\n    step opt loss\n}") == LT_EXEC_OK);
    CHECK(graph_arena_bytes(S->tc->g) == before);
    CHECK(graph_tape_len(S->tc->g) == 0);
}

/* A small MLP on moons reaches a low loss; values made in the body outlive it. */
static void test_moons_converges(void)
{
    CHECK(run("data = moons(512, noise=0.05)\n"
              "m = seq(linear(2, 32), tanh, linear(32, 32), tanh, linear(32, 2))\n"
              "opt = adam(m, lr=0.01)\n"
              "train on data epochs 60 batch 64 {\n"
              "    logits = m(x)\n"
              "    loss = cross_entropy(logits, y)\n"
              "    step opt loss\n"
              "}") == LT_EXEC_OK);
    size_t n;
    float last = history_last("loss", &n);
    CHECK(n == 60 * 8);
    CHECK(last < 0.05f);
    CHECK(run("q = logits * 2\nshape(q)") == LT_EXEC_OK);
}

static void test_progress_updates_in_place(void)
{
    H.displays = H.updates = 0;
    S->tc->progress_after = 0;   /* show from the first batch */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(run("m = seq(linear(784, 64), relu, linear(64, 784), sigmoid)\nopt = adam(m)\n"
              "train on subset(mnist(), 2000) epochs 2 batch 50 {\n"
              "    loss = mse(m(x), x)\n    step opt loss\n}") == LT_EXEC_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    S->tc->progress_after = 1;
    /* the first batch, at most ~4 a second after it, and the final line, all one display
     * (a bound that grows with the run's time: a slow CPU, or qemu, shows more) */
    CHECK(H.displays >= 2 && H.displays < 20 + (int)(5 * secs));
    CHECK(H.updates == H.displays - 1);
    CHECK(strncmp(H.display_id, "latent-train-", 13) == 0);
    CHECK(H.live_loss > 0 && H.live_loss < 1);
}

/* The live plot, shown from the first batch: display_data, then updates of the same id
 * at most every 0.4 s, then the final frame; none at all after live(false). */
static void test_live_plot(void)
{
    memset(&H, 0, sizeof H);
    S->tc->live_after = 0;
    CHECK(run("m = seq(linear(784, 64), relu, linear(64, 784), sigmoid)\nopt = adam(m)\n"
              "train on subset(mnist(), 2000) epochs 2 batch 50 {\n"
              "    loss = mse(m(x), x)\n    step opt loss\n    log half = loss / 2\n}") == LT_EXEC_OK);
    CHECK(H.plots >= 2 && H.plots < 20);
    CHECK(H.plot_updates == H.plots - 1);
    CHECK(H.plot_bad == 0);
    CHECK(strncmp(H.plot_id, "latent-live-", 12) == 0);
    CHECK_STR(H.plot_text, "<live plot of loss, half over 80 batches>");
    memset(&H, 0, sizeof H);
    CHECK(run("live(false)\ntrain on subset(mnist(), 500) epochs 1 batch 50 {\n"
              "    loss = mse(m(x), x)\n    step opt loss\n}\nlive(true)") == LT_EXEC_OK);
    CHECK(H.plots == 0);
    CHECK(S->tc->live_after == 1.0);
}

/* A network shows as an HTML table with a text/plain alternative. */
static void test_network_html(void)
{
    CHECK(run("net1 = seq(linear(784, 256), relu, linear(256, 20))") == LT_EXEC_OK);
    const value *v = env_get(S->globals, "net1");
    const char *name;
    const float *x;
    size_t n;
    CHECK(train_live_series(S, 0, &name, &x, &n) == -1);   /* no loop runs */
    lt_output o;
    CHECK(v && AS_OBJ(*v)->type->to_mime(AS_OBJ(*v)->data, &o) == 0);
    CHECK(o.n_items == 2 && strcmp(o.items[0].type, "text/html") == 0 && strcmp(o.items[1].type, "text/plain") == 0);
    CHECK(strstr(o.items[0].data, "<td><code>linear(784, 256)</code></td><td>(B, 256)</td>") != NULL);
    CHECK(strstr(o.items[0].data, "206,100") != NULL);
    CHECK(strstr(o.items[1].data, "total 206,100 parameters") != NULL);
}

int main(void)
{
    lt_host host = { .ctx = &H, .error = h_error, .checkpoint = h_checkpoint, .display = h_display };
    S = lt_session_new(&host);
    RUN(test_gan_requested_only);
    RUN(test_interrupt_keeps_history);
    RUN(test_steady_memory);
    RUN(test_moons_converges);
    RUN(test_progress_updates_in_place);
    RUN(test_live_plot);
    RUN(test_network_html);
    lt_session_free(S);
    return check_summary("train");
}
