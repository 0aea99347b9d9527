/* test_optim.c: SGD, Adam, AdamW and the EMA against values worked out by hand, against
 * PyTorch 1.13 (numbers recorded from torch.optim, script in the comment below), and
 * against a double-precision reference over many blocks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ema.h"
#include "graph.h"
#include "ops.h"
#include "optim.h"
#include "rng.h"

/* Five steps on w0 = [1, -2, 0.5] with these gradients. */
static const float W0[3] = { 1.0f, -2.0f, 0.5f };
static const float G[5][3] = { { 0.1f, -0.2f, 0.0f }, { 0.3f, 0.2f, -0.1f }, { -0.5f, 0.1f, 0.05f },
                               { 0.2f, -0.4f, 0.3f }, { 0.05f, 0.05f, -0.2f } };

/* w after each step, from PyTorch 1.13.0 (Debian python3-torch), float32:
 *   w = torch.tensor(W0, requires_grad=True); opt = torch.optim.X([w], ...)
 *   for g in G: w.grad = torch.tensor(g); opt.step(); print(w) */
static const float TORCH[6][5][3] = {
    /* Adam lr 0.1 */
    {{0.899999976f, -1.89999998f, 0.5f}, {0.808221877f, -1.90526319f, 0.574413657f}, {0.824313283f, -1.93040657f, 0.597277701f}, {0.818177342f, -1.89624512f, 0.549352765f}, {0.80864948f, -1.87294722f, 0.54391706f}},
    /* Adam lr 0.1 betas (0.5, 0.9) eps 1e-3 weight_decay 0.1 */
    {{0.900497496f, -1.90024936f, 0.40196079f}, {0.797005057f, -1.85441506f, 0.443117142f}, {0.824958086f, -1.80875444f, 0.383102953f}, {0.794235468f, -1.71123159f, 0.279152572f}, {0.755350173f, -1.63865876f, 0.274691701f}},
    /* AdamW lr 0.1 weight_decay 0.1 */
    {{0.889999986f, -1.88f, 0.495000005f}, {0.789321899f, -1.86646318f, 0.564463675f}, {0.797520101f, -1.87294197f, 0.581683099f}, {0.78340894f, -1.82005107f, 0.527941346f}, {0.766047001f, -1.77855265f, 0.517226219f}},
    /* SGD lr 0.1 */
    {{0.99000001f, -1.98000002f, 0.5f}, {0.959999979f, -2.0f, 0.50999999f}, {1.00999999f, -2.00999999f, 0.504999995f}, {0.99000001f, -1.97000003f, 0.474999994f}, {0.985000014f, -1.97500002f, 0.495000005f}},
    /* SGD lr 0.1 momentum 0.9 dampening 0.1 weight_decay 0.01 */
    {{0.989000022f, -1.97800004f, 0.499500006f}, {0.951209903f, -1.97441983f, 0.507600427f}, {0.961342752f, -1.97842073f, 0.509934008f}, {0.951597095f, -1.94424093f, 0.484575272f}, {0.937469542f, -1.91622925f, 0.479316294f}},
    /* SGD lr 0.1 momentum 0.9 nesterov weight_decay 0.01 */
    {{0.979099989f, -1.95819998f, 0.499049991f}, {0.911329687f, -1.97465944f, 0.516696811f}, {0.971486092f, -1.98848343f, 0.513546348f}, {0.941601217f, -1.9139241f, 0.457700223f}, {0.922290146f, -1.89047384f, 0.472031265f}},
};

static optim_opts case_opts(int c, optim_kind *kind)
{
    static const optim_kind kinds[6] = { OPTIM_ADAM, OPTIM_ADAM, OPTIM_ADAMW, OPTIM_SGD, OPTIM_SGD, OPTIM_SGD };
    *kind = kinds[c];
    optim_opts o = optim_defaults(*kind);
    o.lr = 0.1;
    if (c == 1) { o.beta1 = 0.5; o.beta2 = 0.9; o.eps = 1e-3; o.weight_decay = 0.1; }
    if (c == 2) o.weight_decay = 0.1;
    if (c == 4) { o.momentum = 0.9; o.dampening = 0.1; o.weight_decay = 0.01; }
    if (c == 5) { o.momentum = 0.9; o.nesterov = 1; o.weight_decay = 0.01; }
    return o;
}

static void test_against_torch(void)
{
    for (int c = 0; c < 6; c++) {
        float w[3], g[3];
        memcpy(w, W0, sizeof w);
        lt_param p = { .w = w, .g = g, .n = 3, .name = "w" };
        optim_kind kind;
        optim_opts o = case_opts(c, &kind);
        optim *opt = optim_new(kind, &p, 1, &o);
        CHECK(opt != NULL);
        for (int t = 0; t < 5; t++) {
            memcpy(g, G[t], sizeof g);
            optim_step(opt);
            for (int i = 0; i < 3; i++) CHECK_NEAR(w[i], TORCH[c][t][i], 2e-7);
        }
        CHECK(opt->step == 5);
        optim_free(opt);
    }
}

static void test_adam_by_hand(void)
{
    /* Step 1: m = 0.1 g, v = 0.001 g^2; bias-corrected m^ = g, v^ = g^2, so
     * w -= lr * g / (|g| + eps): each weight moves by lr against its gradient's sign
     * (and not at all where g = 0). */
    float w[3] = { 1.0f, -2.0f, 0.5f }, g[3] = { 0.1f, -0.2f, 0.0f };
    lt_param p = { .w = w, .g = g, .n = 3, .name = "w" };
    optim_opts o = optim_defaults(OPTIM_ADAM);
    o.lr = 0.1;
    optim *opt = optim_new(OPTIM_ADAM, &p, 1, &o);
    optim_step(opt);
    CHECK_NEAR(w[0], 1.0 - 0.1 * 0.1 / (0.1 + 1e-8), 1e-7);
    CHECK_NEAR(w[1], -2.0 + 0.1 * 0.2 / (0.2 + 1e-8), 1e-7);
    CHECK(w[2] == 0.5f);
    CHECK_NEAR(opt->m[0], 0.01, 1e-9);
    CHECK_NEAR(opt->v[1], 0.001 * 0.04, 1e-11);
    /* Step 2 for w[0] with g = 0.3: m = 0.9 * 0.01 + 0.1 * 0.3 = 0.039, m^ = 0.039 / 0.19;
     * v = 0.999 * 1e-5 + 0.001 * 0.09 = 9.999e-5, v^ = 9.999e-5 / 0.001999;
     * w = 0.9 - 0.1 * m^ / (sqrt(v^) + 1e-8) = 0.80822... */
    g[0] = 0.3f;
    optim_step(opt);
    double mh = 0.039 / 0.19, vh = 9.999e-5 / (1 - 0.999 * 0.999);
    CHECK_NEAR(w[0], 0.9 - 0.1 * mh / (sqrt(vh) + 1e-8), 1e-6);
    optim_free(opt);
}

static void test_adamw_decay_by_hand(void)
{
    /* With a zero gradient Adam's step is 0/(0 + eps) = 0, so AdamW only decays:
     * w *= 1 - lr * wd each step, whatever the moments. Adam's L2 term instead feeds
     * wd * w into the moments: its first step is lr * sign(w). */
    float w[2] = { 2.0f, -4.0f }, g[2] = { 0, 0 };
    lt_param p = { .w = w, .g = g, .n = 2, .name = "w" };
    optim_opts o = optim_defaults(OPTIM_ADAMW);
    o.lr = 0.01;
    o.weight_decay = 0.5;
    optim *opt = optim_new(OPTIM_ADAMW, &p, 1, &o);
    for (int t = 0; t < 3; t++) optim_step(opt);
    CHECK_NEAR(w[0], 2.0 * pow(1 - 0.005, 3), 1e-6);
    CHECK_NEAR(w[1], -4.0 * pow(1 - 0.005, 3), 1e-6);
    optim_free(opt);
    w[0] = 2.0f;
    w[1] = -4.0f;
    o = optim_defaults(OPTIM_ADAM);
    o.lr = 0.01;
    o.weight_decay = 0.5;
    opt = optim_new(OPTIM_ADAM, &p, 1, &o);
    optim_step(opt);
    CHECK_NEAR(w[0], 2.0 - 0.01, 1e-6);
    CHECK_NEAR(w[1], -4.0 + 0.01, 1e-6);
    optim_free(opt);
}

static void test_sgd_momentum_by_hand(void)
{
    /* momentum 0.5, dampening 0, lr 1, constant gradient 1: the buffer goes
     * 1, 1.5, 1.75 (the first step copies the gradient), so w = 10 - 1 - 1.5 - 1.75.
     * Nesterov steps by g + 0.5 * buf: 1.5, 1.75, 1.875. */
    for (int nesterov = 0; nesterov < 2; nesterov++) {
        float w = 10.0f, g = 1.0f;
        lt_param p = { .w = &w, .g = &g, .n = 1, .name = "w" };
        optim_opts o = optim_defaults(OPTIM_SGD);
        o.lr = 1.0;
        o.momentum = 0.5;
        o.nesterov = nesterov;
        optim *opt = optim_new(OPTIM_SGD, &p, 1, &o);
        optim_step(opt);
        CHECK(w == (nesterov ? 8.5f : 9.0f));
        optim_step(opt);
        optim_step(opt);
        CHECK(opt->m[0] == 1.75f);
        CHECK(w == (nesterov ? 10.0f - 1.5f - 1.75f - 1.875f : 10.0f - 1.0f - 1.5f - 1.75f));
        CHECK(opt->v == NULL);
        optim_free(opt);
    }
}

/* ------------------------------------------------ double-precision reference */

typedef struct ref_state { double *w, *m, *v; long t; } ref_state;

/* PyTorch's update rules written out plainly in double */
static void ref_step(optim_kind kind, const optim_opts *o, ref_state *s, const float *g, size_t n)
{
    s->t++;
    for (size_t i = 0; i < n; i++) {
        double d = g[i], *w = &s->w[i], *m = &s->m[i];
        if (kind == OPTIM_SGD) {
            d += o->weight_decay * *w;
            if (o->momentum) {
                *m = s->t == 1 ? d : o->momentum * *m + (1 - o->dampening) * d;
                d = o->nesterov ? d + o->momentum * *m : *m;
            }
            *w -= o->lr * d;
            continue;
        }
        if (kind == OPTIM_ADAMW) *w *= 1 - o->lr * o->weight_decay;
        else d += o->weight_decay * *w;
        *m = o->beta1 * *m + (1 - o->beta1) * d;
        s->v[i] = o->beta2 * s->v[i] + (1 - o->beta2) * d * d;
        double mh = *m / (1 - pow(o->beta1, s->t)), vh = s->v[i] / (1 - pow(o->beta2, s->t));
        *w -= o->lr * mh / (sqrt(vh) + o->eps);
    }
}

static void test_many_blocks_against_reference(void)
{
    enum { NB = 4, STEPS = 30 };
    const size_t sizes[NB] = { 1, 37, 0, 1000 };   /* odd sizes: vector loops' tails */
    size_t total = 0;
    for (int b = 0; b < NB; b++) total += sizes[b];
    for (int c = 0; c < 6; c++) {
        optim_kind kind;
        optim_opts o = case_opts(c, &kind);
        o.lr = 0.01;
        float *w = malloc(total * sizeof *w), *g = malloc(total * sizeof *g);
        ref_state s = { calloc(total, sizeof(double)), calloc(total, sizeof(double)),
                        calloc(total, sizeof(double)), 0 };
        rng r;
        rng_seed(&r, (uint64_t)c);
        rng_fill_normal(&r, w, total, 0.0f, 1.0f);
        for (size_t i = 0; i < total; i++) s.w[i] = w[i];
        lt_param p[NB];
        for (int b = 0, off = 0; b < NB; off += (int)sizes[b], b++)
            p[b] = (lt_param){ .w = w + off, .g = g + off, .n = sizes[b], .name = "block" };
        optim *opt = optim_new(kind, p, NB, &o);
        CHECK(opt->total == total);
        CHECK(opt->v == NULL || opt->v == opt->m + total);   /* one contiguous allocation */
        double worst = 0;
        for (int t = 0; t < STEPS; t++) {
            for (size_t i = 0; i < total; i++) g[i] = w[i] + 0.5f * (float)rng_normal(&r);  /* noisy quadratic */
            optim_step(opt);
            ref_step(kind, &o, &s, g, total);
            for (size_t i = 0; i < total; i++) {
                double e = fabs(w[i] - s.w[i]) / (1 + fabs(s.w[i]));
                if (e > worst) worst = e;
                w[i] = (float)s.w[i];   /* resync so float rounding does not accumulate */
            }
        }
        CHECK(worst < 1e-6);
        if (worst >= 1e-6) fprintf(stderr, "  case %d: worst relative error %g\n", c, worst);
        optim_free(opt);
        free(w);
        free(g);
        free(s.w);
        free(s.m);
        free(s.v);
    }
}

/* ------------------------------------------------ the rest of the API */

static void test_zero_grad_lr_and_errors(void)
{
    float w[4] = { 1, 2, 3, 4 }, g[4] = { 1, 1, 1, 1 }, w2 = 5, g2 = 7;
    lt_param p[2] = { { w, g, 4, "a", NULL }, { &w2, &g2, 1, "b", NULL } };
    optim_opts o = optim_defaults(OPTIM_ADAM);
    CHECK(o.lr == 1e-3 && o.beta1 == 0.9 && o.beta2 == 0.999 && o.eps == 1e-8 && o.weight_decay == 0);
    CHECK(optim_defaults(OPTIM_ADAMW).weight_decay == 1e-2);
    optim *opt = optim_new(OPTIM_ADAM, p, 2, &o);
    optim_zero_grad(opt);
    CHECK(g[0] == 0 && g[3] == 0 && g2 == 0);
    CHECK(optim_lr(opt) == 1e-3);
    optim_set_lr(opt, 0.5);
    CHECK(optim_lr(opt) == 0.5);
    g2 = 1;
    optim_step(opt);   /* only block b has a gradient; the new lr is used */
    CHECK(w[0] == 1 && w[3] == 4);
    CHECK_NEAR(w2, 4.5, 1e-6);
    optim_free(opt);
    CHECK_STR(optim_name(OPTIM_ADAMW), "AdamW");
    o.beta1 = 1.0;
    CHECK(optim_new(OPTIM_ADAM, p, 2, &o) == NULL && strstr(lt_errmsg(), "beta1") && strstr(lt_errmsg(), "got 1"));
    o = optim_defaults(OPTIM_SGD);
    o.nesterov = 1;
    CHECK(optim_new(OPTIM_SGD, p, 2, &o) == NULL && strstr(lt_errmsg(), "nesterov"));
    o.nesterov = 0;
    o.lr = -1;
    CHECK(optim_new(OPTIM_SGD, p, 2, &o) == NULL && strstr(lt_errmsg(), "lr"));
    o.lr = 0.1;
    p[1].g = NULL;
    CHECK(optim_new(OPTIM_SGD, p, 2, &o) == NULL && strstr(lt_errmsg(), "block 1 (b) has no gradient"));
    opt = optim_new(OPTIM_SGD, NULL, 0, &o);   /* nothing to train is not an error */
    CHECK(opt != NULL);
    optim_step(opt);
    optim_zero_grad(opt);
    optim_free(opt);
    optim_free(NULL);
}

static void test_ema(void)
{
    /* decay 0.9 from [1, 2]: w = [2, 4] -> shadow [1.1, 2.2]; w = [0, 0] -> [0.99, 1.98] */
    float w[2] = { 1, 2 }, w2[1] = { 3 };
    lt_param p[2] = { { w, NULL, 2, "a", NULL }, { w2, NULL, 1, "b", NULL } };
    ema *e = ema_new(p, 2, 0.9);
    CHECK(e && e->total == 3 && e->shadow[0] == 1 && e->shadow[2] == 3);
    w[0] = 2; w[1] = 4; w2[0] = 3;
    ema_update(e);
    CHECK_NEAR(e->shadow[0], 1.1, 1e-6);
    CHECK_NEAR(e->shadow[1], 2.2, 1e-6);
    CHECK_NEAR(e->shadow[2], 3.0, 1e-6);
    w[0] = 0; w[1] = 0;
    ema_update(e);
    CHECK_NEAR(e->shadow[0], 0.99, 1e-6);
    CHECK_NEAR(e->shadow[1], 1.98, 1e-6);
    CHECK(e->updates == 2);
    ema_swap(e);   /* the averaged weights are live, the live ones kept */
    CHECK(e->swapped && fabsf(w[0] - 0.99f) < 1e-6f && fabsf(w[1] - 1.98f) < 1e-6f && e->shadow[0] == 0);
    ema_swap(e);
    CHECK(!e->swapped && w[0] == 0 && w[1] == 0 && fabsf(e->shadow[1] - 1.98f) < 1e-6f);
    ema_copy_to(e);
    CHECK(fabsf(w[1] - 1.98f) < 1e-6f && fabsf(w2[0] - 3.0f) < 1e-6f);
    ema_free(e);
    /* a long constant run converges to the weights */
    float c = 5;
    lt_param q = { &c, NULL, 1, "c", NULL };
    e = ema_new(&q, 1, 0.99);
    c = 1;
    for (int t = 0; t < 2000; t++) ema_update(e);
    CHECK_NEAR(e->shadow[0], 1.0, 1e-4);
    ema_free(e);
    CHECK(ema_new(&q, 1, 1.5) == NULL && strstr(lt_errmsg(), "decay"));
    ema_free(NULL);
}

/* optim_step_clear: the same update as optim_step, the gradients left zero; optim_zero_grad
 * writes nothing after it until a backward runs, then zeroes again */
static void test_step_clear(void)
{
    for (int c = 0; c < 6; c++) {
        float w1[3], w2[3], g1[3], g2[3];
        memcpy(w1, W0, sizeof w1);
        memcpy(w2, W0, sizeof w2);
        lt_param p1 = { w1, g1, 3, "w", NULL }, p2 = { w2, g2, 3, "w", NULL };
        optim_kind kind;
        optim_opts o = case_opts(c, &kind);
        optim *a = optim_new(kind, &p1, 1, &o), *b = optim_new(kind, &p2, 1, &o);
        CHECK(a && b);
        for (int t = 0; t < 5; t++) {
            memcpy(g1, G[t], sizeof g1);
            memcpy(g2, G[t], sizeof g2);
            optim_step(a);
            optim_step_clear(b);
            CHECK(memcmp(w1, w2, sizeof w1) == 0);
            CHECK(memcmp(a->m, b->m, sizeof w1) == 0);
            CHECK(g2[0] == 0.0f && g2[1] == 0.0f && g2[2] == 0.0f);
            CHECK(g1[0] == G[t][0]);   /* optim_step leaves them */
        }
        optim_free(a);
        optim_free(b);
    }
    float w[2] = { 1.0f, -3.0f }, gr[2] = { 0, 0 };
    unsigned long writes = 0;   /* the block's own count of backward writes (param.h) */
    lt_param p = { w, gr, 2, "w", &writes };
    optim_opts o = optim_defaults(OPTIM_ADAM);
    optim *opt = optim_new(OPTIM_ADAM, &p, 1, &o);
    lt_graph *g = graph_new();
    CHECK(opt && g);
    int sh[1] = { 2 };
    for (int t = 0; t < 3; t++) {
        optim_zero_grad(opt);
        CHECK(gr[0] == 0.0f && gr[1] == 0.0f);
        graph_reset(g);
        lt_tensor *x = graph_param(g, &p, 1, sh);
        CHECK(graph_backward(g, op_sum(g, op_mul(g, x, x)), &p, 1) == LT_OK);
        CHECK(gr[0] == 2.0f * w[0] && gr[1] == 2.0f * w[1]);   /* d/dw sum w^2, from zero */
        optim_step_clear(opt);
        CHECK(gr[0] == 0.0f && gr[1] == 0.0f);
    }
    /* a backward after the clearing step (here a failed one does not count, a good one
     * does): optim_zero_grad zeroes what it wrote */
    graph_reset(g);
    lt_tensor *x = graph_param(g, &p, 1, sh);
    CHECK(graph_backward(g, op_mul(g, x, x), &p, 1) == LT_ERR_SHAPE);
    CHECK(graph_backward(g, op_sum(g, x), &p, 1) == LT_OK);
    CHECK(gr[0] == 1.0f);
    optim_zero_grad(opt);
    CHECK(gr[0] == 0.0f && gr[1] == 0.0f);
    /* documented: with no backward since, optim_zero_grad trusts the clearing step and
     * does not see a gradient written by hand (graph_zero_grad does) */
    gr[1] = 5.0f;
    optim_zero_grad(opt);
    CHECK(gr[1] == 5.0f);
    graph_zero_grad(&p, 1);
    CHECK(gr[1] == 0.0f);
    CHECK(writes == 4);   /* 3 steps' backwards and the good one after; not the failed one */
    optim_free(opt);
    /* a block without a count: optim_zero_grad cannot know, so it always zeroes */
    lt_param q = { w, gr, 2, "w", NULL };
    opt = optim_new(OPTIM_ADAM, &q, 1, &o);
    CHECK(opt != NULL);
    optim_step_clear(opt);
    gr[1] = 5.0f;
    optim_zero_grad(opt);
    CHECK(gr[1] == 0.0f);
    graph_free(g);
    optim_free(opt);
}

int main(void)
{
    RUN(test_against_torch);
    RUN(test_adam_by_hand);
    RUN(test_adamw_decay_by_hand);
    RUN(test_sgd_momentum_by_hand);
    RUN(test_many_blocks_against_reference);
    RUN(test_zero_grad_lr_and_errors);
    RUN(test_step_clear);
    RUN(test_ema);
    return check_summary("optim");
}
