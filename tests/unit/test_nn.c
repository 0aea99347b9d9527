/* test_nn.c: layers and training behaviour: PyTorch's linear init, parameter lists,
 * shape errors naming the layer, an MLP fitting a regression with plain SGD, backward
 * reaching only requested parameters (GAN steps), detach, no-tape evaluation, and the
 * arena not growing across steps. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "conv_layers.h"
#include "graph.h"
#include "kinds.h"
#include "layers.h"
#include "nn.h"
#include "ops.h"
#include "rng.h"
#include "tensor.h"
#include "unet.h"

static lt_module *mlp(int in, int hidden, int out, lt_act act, rng *r)
{
    lt_module *m[3] = { nn_linear(in, hidden, r), nn_act(act, 0.2f), nn_linear(hidden, out, r) };
    return nn_seq(m, 3);
}

static void test_linear_init(void)
{
    rng r;
    rng_seed(&r, 1);
    lt_module *l = nn_linear(784, 256, &r);
    lt_linear *lin = (lt_linear *)l;
    float bound = 1.0f / sqrtf(784.0f);
    double mean = 0.0, sq = 0.0;
    int inside = 1;
    for (int i = 0; i < 784 * 256; i++) {
        inside &= fabsf(lin->weight[i]) <= bound;
        mean += lin->weight[i];
        sq += (double)lin->weight[i] * lin->weight[i];
    }
    mean /= 784 * 256;
    CHECK(inside);
    CHECK_NEAR(mean, 0.0, 1e-3 * bound * 10);
    CHECK_NEAR(sq / (784 * 256), bound * bound / 3.0, bound * bound * 0.01);   /* U variance */
    for (int i = 0; i < 256; i++)
        inside &= fabsf(lin->bias[i]) <= bound && lin->bias_grad[i] == 0.0f;
    CHECK(inside);
    /* the same seed gives the same weights */
    rng r2;
    rng_seed(&r2, 1);
    lt_module *l2 = nn_linear(784, 256, &r2);
    CHECK(memcmp(lin->weight, ((lt_linear *)l2)->weight, 784 * 256 * sizeof(float)) == 0);
    lt_param ps[4];
    CHECK(nn_params(l, ps, 4) == 2 && ps[0].n == 784 * 256 && ps[1].n == 256);
    CHECK_STR(ps[0].name, "weight");
    CHECK(nn_param_count(l) == 784 * 256 + 256);
    nn_free(l);
    nn_free(l2);
    CHECK(nn_linear(0, 3, &r) == NULL);
}

static void test_seq_describe_and_errors(void)
{
    rng r;
    rng_seed(&r, 2);
    lt_module *m[4] = { nn_linear(784, 256, &r), nn_act(LT_ACT_RELU, 0), nn_linear(256, 20, &r),
                        nn_act(LT_ACT_LEAKY_RELU, 0.2f) };
    lt_module *enc = nn_seq(m, 4);
    char buf[256];
    CHECK_STR(nn_describe(enc, buf, sizeof buf),
              "seq(linear(784, 256), relu, linear(256, 20), leaky_relu(0.2))");
    lt_param ps[8];
    CHECK(nn_params(enc, ps, 8) == 4);
    CHECK(nn_params(enc, ps, 1) == 4);   /* the count even when cap is short */
    lt_graph *g = graph_new();
    int s[2] = { 128, 20 };
    CHECK(nn_forward(enc, g, graph_zeros(g, 2, s)) == NULL);
    CHECK_STR(lt_errmsg(), "linear(784, 256): expected input (B, 784), got (128, 20)");
    int s2[2] = { 3, 784 };
    lt_tensor *z = nn_forward(enc, g, graph_zeros(g, 2, s2));
    CHECK(z && z->shape[0] == 3 && z->shape[1] == 20);
    lt_tensor *one = nn_forward(enc, g, op_select(g, graph_zeros(g, 2, s2), 0, 1));   /* (784) */
    CHECK(one && one->ndim == 1 && one->shape[0] == 20);
    CHECK(one && memcmp(one->data, z->data, 20 * sizeof(float)) == 0);
    graph_free(g);
    nn_free(enc);
    lt_module *m2[2] = { nn_linear(0, 1, &r), nn_act(LT_ACT_RELU, 0) };
    CHECK(nn_seq(m2, 2) == NULL);
    CHECK(strstr(lt_errmsg(), "linear(0, 1)") != NULL);   /* the constructor's message kept */
}

/* y = sin(2 x0) + x1^2 on 64 points, 2-32-1 tanh MLP, full-batch SGD (momentum) written
 * out here */
static void test_mlp_regression(void)
{
    rng r;
    rng_seed(&r, 3);
    lt_module *net = mlp(2, 32, 1, LT_ACT_TANH, &r);
    int xs[2] = { 64, 2 }, ys[2] = { 64, 1 };
    lt_tensor *x = tensor_new(2, xs), *y = tensor_new(2, ys);
    rng_fill_uniform(&r, x->data, 128, -1, 1);
    for (int i = 0; i < 64; i++)
        y->data[i] = sinf(2 * x->data[2 * i]) + x->data[2 * i + 1] * x->data[2 * i + 1];
    lt_param ps[4];
    int np = nn_params(net, ps, 4);
    lt_graph *g = graph_new();
    float first = 0, last = 0, *vel = calloc(nn_param_count(net), sizeof(float));
    for (int step = 0; step < 3000; step++) {
        graph_reset(g);
        lt_tensor *loss = op_mse(g, nn_forward(net, g, x), y, LT_MEAN);
        if (step == 0)
            first = loss->data[0];
        last = loss->data[0];
        graph_zero_grad(ps, np);
        if (graph_backward(g, loss, ps, np) != LT_OK)
            break;
        for (int k = 0, at = 0; k < np; at += (int)ps[k].n, k++)   /* SGD with momentum 0.9 */
            for (size_t i = 0; i < ps[k].n; i++) {
                vel[at + i] = 0.9f * vel[at + i] + ps[k].g[i];
                ps[k].w[i] -= 0.05f * vel[at + i];
            }
    }
    if (last > 1e-3)
        fprintf(stderr, "regression: loss %g -> %g\n", first, last);
    CHECK(first > 0.1f && last < 1e-3f);
    free(vel);
    graph_free(g);
    tensor_free(x);
    tensor_free(y);
    nn_free(net);
}

static int all_zero(const lt_param *ps, int n)
{
    for (int k = 0; k < n; k++)
        for (size_t i = 0; i < ps[k].n; i++)
            if (ps[k].g[i] != 0.0f)
                return 0;
    return 1;
}

static int all_nonzero_blocks(const lt_param *ps, int n)
{
    for (int k = 0; k < n; k++) {
        int any = 0;
        for (size_t i = 0; i < ps[k].n; i++)
            any |= ps[k].g[i] != 0.0f;
        if (!any)
            return 0;
    }
    return 1;
}

/* GAN: the D step must not touch G's gradients, the G step must not touch D's, and the
 * G step's gradients must equal those of a backward asking for everything. */
static void test_gan_requested_only(void)
{
    rng r;
    rng_seed(&r, 4);
    lt_module *G = nn_seq((lt_module *[]){ nn_linear(8, 16, &r), nn_act(LT_ACT_LEAKY_RELU, 0.2f),
                                           nn_linear(16, 12, &r), nn_act(LT_ACT_SIGMOID, 0) }, 4);
    lt_module *D = mlp(12, 16, 1, LT_ACT_LEAKY_RELU, &r);
    lt_param pg[4], pd[4], pall[8];
    int ng = nn_params(G, pg, 4), nd = nn_params(D, pd, 4);
    memcpy(pall, pg, sizeof pg);
    memcpy(pall + 4, pd, sizeof pd);
    lt_graph *g = graph_new();
    int zs[2] = { 5, 8 }, xs[2] = { 5, 12 };
    lt_tensor *x = op_rand(g, &r, 2, xs);
    lt_tensor *fake = nn_forward(G, g, op_randn(g, &r, 2, zs));
    graph_zero_grad(pall, 8);
    lt_tensor *lossD = op_add(g, op_bce_logits(g, nn_forward(D, g, x), op_scalar(g, 1), LT_MEAN),
                              op_bce_logits(g, nn_forward(D, g, op_detach(g, fake)), op_scalar(g, 0), LT_MEAN));
    CHECK(graph_backward(g, lossD, pd, nd) == LT_OK);
    CHECK(all_zero(pg, ng));
    CHECK(all_nonzero_blocks(pd, nd));

    /* G step on the same fake, D weights unchanged: only G's gradients */
    graph_zero_grad(pall, 8);
    lt_tensor *lossG = op_bce_logits(g, nn_forward(D, g, fake), op_scalar(g, 1), LT_MEAN);
    CHECK(graph_backward(g, lossG, pg, ng) == LT_OK);
    CHECK(all_zero(pd, nd));
    CHECK(all_nonzero_blocks(pg, ng));
    float *keep = malloc(nn_param_count(G) * sizeof(float));
    size_t at = 0;
    for (int k = 0; k < ng; k++) {
        memcpy(keep + at, pg[k].g, pg[k].n * sizeof(float));
        at += pg[k].n;
    }
    graph_zero_grad(pall, 8);   /* the same loss again, asking for everything */
    CHECK(graph_backward(g, lossG, pall, 8) == LT_OK);
    at = 0;
    int same = 1;
    for (int k = 0; k < ng; k++) {
        same &= memcmp(keep + at, pg[k].g, pg[k].n * sizeof(float)) == 0;
        at += pg[k].n;
    }
    CHECK(same);
    CHECK(all_nonzero_blocks(pd, nd));
    free(keep);
    graph_free(g);
    nn_free(G);
    nn_free(D);
}

/* no-tape evaluation: the same numbers, no tape, nothing requires a gradient */
static void test_no_tape(void)
{
    rng r;
    rng_seed(&r, 5);
    lt_module *net = mlp(6, 10, 3, LT_ACT_RELU, &r);
    lt_graph *g = graph_new();
    int xs[2] = { 4, 6 };
    lt_tensor *x = op_randn(g, &r, 2, xs);
    lt_tensor *y1 = nn_forward(net, g, x);
    CHECK(y1->requires_grad && graph_tape_len(g) > 0);
    CHECK(graph_set_recording(g, 0) == 1);
    int before = graph_tape_len(g);
    lt_tensor *y2 = nn_forward(net, g, x);
    CHECK(!y2->requires_grad && graph_tape_len(g) == before);
    CHECK(memcmp(y1->data, y2->data, 12 * sizeof(float)) == 0);
    lt_param ps[4];
    int n = nn_params(net, ps, 4);
    CHECK(graph_backward(g, op_sum(g, y2), ps, n) == LT_ERR_VALUE);
    CHECK(strstr(lt_errmsg(), "depends on no parameter") != NULL);
    graph_set_recording(g, 1);
    lt_tensor *l1 = op_sum(g, y1);
    CHECK(graph_backward(g, l1, ps, n) == LT_OK);   /* the recorded one still works */
    lt_graph *other = graph_new();
    CHECK(graph_backward(other, l1, ps, n) == LT_ERR_VALUE);
    CHECK(strstr(lt_errmsg(), "not recorded on this graph") != NULL);
    graph_free(other);
    graph_free(g);
    nn_free(net);
}

/* AE-like steps: after warm-up the arena and tape stop growing */
static void test_arena_steady(void)
{
    rng r;
    rng_seed(&r, 6);
    lt_module *enc = mlp(64, 32, 8, LT_ACT_RELU, &r), *dec = mlp(8, 32, 64, LT_ACT_RELU, &r);
    lt_param ps[8];
    int n = nn_params(enc, ps, 4);
    n += nn_params(dec, ps + n, 4);
    lt_graph *g = graph_new();
    int xs[2] = { 16, 64 };
    lt_tensor *data = tensor_new(2, xs);
    rng_fill_uniform(&r, data->data, 16 * 64, 0, 1);
    size_t bytes3 = 0, used3 = 0;
    int tape3 = 0;
    for (int step = 0; step < 20; step++) {
        graph_reset(g);
        lt_tensor *loss = op_mse(g, op_sigmoid(g, nn_forward(dec, g, nn_forward(enc, g, data))), data, LT_MEAN);
        graph_zero_grad(ps, n);
        graph_backward(g, loss, ps, n);
        if (step == 3) {
            bytes3 = graph_arena_bytes(g);
            used3 = graph_arena_used(g);
            tape3 = graph_tape_len(g);
        }
    }
    CHECK(bytes3 > 0 && graph_arena_bytes(g) == bytes3);
    CHECK(graph_arena_used(g) == used3 && graph_tape_len(g) == tape3);
    tensor_free(data);
    graph_free(g);
    nn_free(enc);
    nn_free(dec);
}

/* L = sum_i r_i m(x)_i; every parameter's backward gradient against central differences */
static double module_grad_error(lt_module *m, lt_tensor *x)
{
    lt_param ps[16];
    int n = nn_params(m, ps, 16);
    lt_graph *g = graph_new();
    lt_tensor *y = nn_forward(m, g, x);
    size_t ny = tensor_numel(y);
    float *r = malloc(ny * sizeof *r);
    for (size_t i = 0; i < ny; i++)
        r[i] = (float)((i * 7919) % 13) / 13.0f - 0.4f;
    graph_zero_grad(ps, n);
    lt_tensor *rt = tensor_from(y->ndim, y->shape, r);
    CHECK(graph_backward(g, op_sum(g, op_mul(g, y, rt)), ps, n) == LT_OK);
    tensor_free(rt);
    graph_set_recording(g, 0);
    double worst = 0.0;
    for (int k = 0; k < n; k++)
        for (size_t i = 0; i < ps[k].n; i++) {
            float keep = ps[k].w[i];
            double l[2];
            for (int s = 0; s < 2; s++) {
                ps[k].w[i] = keep + (s ? -1e-3f : 1e-3f);
                graph_reset(g);
                lt_tensor *yy = nn_forward(m, g, x);
                l[s] = 0.0;
                for (size_t j = 0; j < ny; j++)
                    l[s] += (double)r[j] * yy->data[j];
            }
            ps[k].w[i] = keep;
            double num = (l[0] - l[1]) / 2e-3;
            worst = fmax(worst, fabs(num - ps[k].g[i]) / fmax(1e-2, fabs(num)));
        }
    free(r);
    graph_free(g);
    return worst;
}

static void test_layer_grads(void)
{
    rng r;
    rng_seed(&r, 8);
    int xs[2] = { 5, 4 };
    lt_tensor *x = tensor_new(2, xs);
    rng_fill_uniform(&r, x->data, 20, -1, 1);
    lt_act acts[4] = { LT_ACT_RELU, LT_ACT_LEAKY_RELU, LT_ACT_SIGMOID, LT_ACT_TANH };
    for (int a = 0; a < 4; a++) {
        lt_module *m = nn_seq((lt_module *[]){ nn_linear(4, 6, &r), nn_act(acts[a], 0.2f),
                                               nn_linear(6, 3, &r), nn_unary(LT_UNARY_SILU),
                                               nn_linear_nobias(3, 2, &r), nn_unary(LT_UNARY_SOFTPLUS) }, 6);
        double err = module_grad_error(m, x);
        if (err > 2e-2)
            fprintf(stderr, "layers with act %d: gradient error %g\n", acts[a], err);
        CHECK(err <= 2e-2);
        nn_free(m);
    }
    tensor_free(x);
}

/* the same seed gives bit-for-bit the same training run */
static float *train_copy(void)
{
    rng r;
    rng_seed(&r, 10);
    lt_module *m = mlp(64, 300, 64, LT_ACT_SIGMOID, &r);   /* 64x300x64: large enough to thread */
    int xs[2] = { 256, 64 };
    lt_tensor *x = tensor_new(2, xs);
    rng_fill_uniform(&r, x->data, 256 * 64, 0, 1);
    lt_param ps[4];
    int n = nn_params(m, ps, 4);
    lt_graph *g = graph_new();
    for (int step = 0; step < 10; step++) {
        graph_reset(g);
        graph_zero_grad(ps, n);
        graph_backward(g, op_mse(g, nn_forward(m, g, x), x, LT_MEAN), ps, n);
        for (int k = 0; k < n; k++)
            for (size_t i = 0; i < ps[k].n; i++)
                ps[k].w[i] -= 0.5f * ps[k].g[i];
    }
    float *w = malloc(ps[0].n * sizeof *w);
    memcpy(w, ps[0].w, ps[0].n * sizeof *w);
    graph_free(g);
    tensor_free(x);
    nn_free(m);
    return w;
}

static void test_repeatable(void)
{
    float *a = train_copy(), *b = train_copy();
    CHECK(memcmp(a, b, 64 * 300 * sizeof(float)) == 0);
    free(a);
    free(b);
}

/* graph.h's opening example, verbatim inside a function */
static lt_status header_example(lt_tensor *data, int N, const int *perm, lt_module *model,
                                lt_param *ps, int nps)
{
    lt_graph *g = graph_new();                            // once
    for (int s = 0; s + 128 <= N; s += 128) {
        graph_reset(g);                                   // frees last step's tensors
        lt_tensor *x = op_rows(g, data, perm + s, 128);   // (128, 784), no grad
        lt_tensor *y = nn_forward(model, g, x);           // parameters enter as leaves
        lt_tensor *loss = op_mse(g, y, x, LT_MEAN);       // ops pass NULL along, so
        graph_zero_grad(ps, nps);                         // one check covers them all:
        if (graph_backward(g, loss, ps, nps) != LT_OK)    // += into ps[i].g only
            break;                                        // lt_errmsg() says why
        for (int k = 0; k < nps; k++)                     // plain SGD (or an optimizer
            for (size_t i = 0; i < ps[k].n; i++)          // over the same ps)
                ps[k].w[i] -= 0.1f * ps[k].g[i];
    }
    graph_free(g);
    return LT_OK;
}

static void test_header_example(void)
{
    rng r;
    rng_seed(&r, 9);
    int N = 256, s[2] = { 256, 784 }, perm[256];
    lt_tensor *data = tensor_new(2, s);
    rng_fill_uniform(&r, data->data, (size_t)N * 784, 0, 1);
    rng_permutation(&r, perm, N);
    lt_module *model = nn_seq((lt_module *[]){ nn_linear(784, 16, &r), nn_act(LT_ACT_RELU, 0),
                                               nn_linear(16, 784, &r), nn_act(LT_ACT_SIGMOID, 0) }, 4);
    lt_param ps[4];
    int nps = nn_params(model, ps, 4);
    float before = ps[0].w[0];
    CHECK(header_example(data, N, perm, model, ps, nps) == LT_OK);
    CHECK(ps[0].w[0] != before);
    nn_free(model);
    tensor_free(data);
}

/* The table of layer kinds: every row is found by its name, and every layer core makes is
 * found by its kind, written as the call of its builtin, with its output shape. */
static void test_kinds_table(void)
{
    for (int i = 0; i < nn_kind_count(); i++) {
        const nn_kind *k = nn_kind_at(i);
        CHECK(nn_kind_named(k->name) == k);
    }
    CHECK(nn_kind_named("dropout") == NULL && nn_kind_at(nn_kind_count()) == NULL);
    rng r;
    rng_seed(&r, 1);
    unet_config cfg = unet_default_config();
    int dims[3] = { 1, 28, 28 };
    lt_module *m[] = { nn_linear(784, 20, &r), nn_act(LT_ACT_RELU, 0), nn_conv2d(1, 8, 3, 2, 1, &r),
                       nn_group_norm(4, 8), layer_shape_new(LAYER_AVGPOOL, 0, NULL),
                       layer_shape_new(LAYER_UNFLATTEN, 3, dims), nn_unet(&cfg, &r) };
    const char *want[] = { "linear(784, 20)", "relu", "conv2d(1, 8, k=3, stride=2, padding=1)",
                           "groupnorm(4, 8)", "avgpool(2)", "unflatten(1, 28, 28)",
                           "unet(c1=16, c2=32, c3=64, groups=4, sdim=64, tdim=128)" };
    char buf[256];
    for (int i = 0; i < 7; i++) {
        CHECK(m[i] != NULL && nn_kind_of(m[i]) != NULL);
        CHECK(strcmp(nn_arch(m[i], buf, sizeof buf), want[i]) == 0);
    }
    CHECK(nn_in_width(m[0]) == 784 && nn_in_width(m[2]) == -1);
    int nd = 4, shape[4] = { -1, 1, 28, 28 };
    nn_shape_out(m[2], &nd, shape);   /* conv2d stride 2: (B, 8, 14, 14) */
    CHECK(nd == 4 && shape[1] == 8 && shape[2] == 14 && shape[3] == 14);
    nn_shape_out(m[3], &nd, shape);   /* GroupNorm: the same */
    nn_shape_out(m[4], &nd, shape);   /* avgpool: (B, 8, 7, 7) */
    CHECK(nd == 4 && shape[1] == 8 && shape[2] == 7 && shape[3] == 7);
    nn_shape_out(m[0], &nd, shape);
    CHECK(nd == 2 && shape[1] == 20);
    CHECK(nn_unet_of(m[6]) != NULL && nn_unet_of(m[0]) == NULL);
    int64_t bs[2];   /* checkpoint shapes: linear (out, in) and (out); others flat */
    CHECK(nn_block_shape(m[0], 0, 784 * 20, bs) == 2 && bs[0] == 20 && bs[1] == 784);
    CHECK(nn_block_shape(m[0], 1, 20, bs) == 1 && bs[0] == 20);
    CHECK(nn_block_shape(m[2], 0, 72, bs) == 1 && bs[0] == 72);
    lt_module *bare = nn_bare("down");   /* bare names in seq(...) */
    CHECK(bare && strcmp(nn_arch(bare, buf, sizeof buf), "avgpool(2)") == 0);
    nn_free(bare);
    bare = nn_bare("leaky_relu");
    CHECK(bare && strcmp(nn_arch(bare, buf, sizeof buf), "leaky_relu(0.01)") == 0);
    nn_free(bare);
    CHECK(nn_bare("linear") == NULL && nn_bare("seq") == NULL && nn_bare("nope") == NULL);
    for (int i = 0; i < 7; i++)
        nn_free(m[i]);
}

int main(void)
{
    RUN(test_kinds_table);
    RUN(test_linear_init);
    RUN(test_seq_describe_and_errors);
    RUN(test_layer_grads);
    RUN(test_header_example);
    RUN(test_repeatable);
    RUN(test_mlp_regression);
    RUN(test_gan_requested_only);
    RUN(test_no_tape);
    RUN(test_arena_steady);
    return check_summary("nn");
}
