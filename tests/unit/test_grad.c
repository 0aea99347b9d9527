/* test_grad.c: every differentiable op against central finite differences
 * (graph_check_grad), including broadcasting, views and strided inputs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "graph.h"
#include "ops.h"
#include "rng.h"
#include "tensor.h"

static rng R;

/* a heap tensor with values uniform in [lo, hi) */
static lt_tensor *rnd(int ndim, const int *shape, float lo, float hi)
{
    lt_tensor *t = tensor_new(ndim, shape);
    rng_fill_uniform(&R, t->data, tensor_numel(t), lo, hi);
    return t;
}

/* values uniform in [lo, hi) with random signs: away from the kinks at 0 */
static lt_tensor *rnd_signed(int ndim, const int *shape, float lo, float hi)
{
    lt_tensor *t = rnd(ndim, shape, lo, hi);
    for (size_t i = 0; i < tensor_numel(t); i++)
        if (rng_uniform(&R) < 0.5)
            t->data[i] = -t->data[i];
    return t;
}

#define TOL 2e-2

static float EPS = 1e-2f;

static void expect_grad(const char *what, graph_check_fn f, void *ctx, lt_tensor **in, int n,
                        const int *want)
{
    double err = 1.0;
    int wi = -1;
    size_t wj = 0;
    lt_status st = graph_check_grad(f, ctx, in, n, want, EPS, &err, &wi, &wj);
    if (st != LT_OK)
        fprintf(stderr, "%s: %s\n", what, lt_errmsg());
    CHECK(st == LT_OK);
    if (err > TOL)
        fprintf(stderr, "%s: gradient error %g at input %d element %zu\n", what, err, wi, (size_t)wj);
    CHECK(err <= TOL);
    for (int k = 0; k < n; k++)
        tensor_free(in[k]);
}

/* ---- element-wise ------------------------------------------------------------------------- */

typedef lt_tensor *(*bin_fn)(lt_graph *, lt_tensor *, lt_tensor *);
static lt_tensor *f_bin(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n;
    return ((bin_fn)ctx)(g, in[0], in[1]);
}

static void test_binary_broadcast(void)
{
    struct { const char *name; bin_fn f; } ops[] = {
        { "add", op_add }, { "sub", op_sub }, { "mul", op_mul }, { "div", op_div } };
    int s23[2] = { 2, 3 }, s13[2] = { 1, 3 }, s3[1] = { 3 }, s21[2] = { 2, 1 };
    int s234[3] = { 2, 3, 4 }, s14[2] = { 1, 4 }, s314[3] = { 3, 1, 4 };
    for (int k = 0; k < 4; k++) {
        char what[64];
        snprintf(what, sizeof what, "%s same shape", ops[k].name);
        lt_tensor *in[2] = { rnd_signed(2, s23, 0.5f, 2), rnd_signed(2, s23, 0.5f, 2) };
        expect_grad(what, f_bin, (void *)ops[k].f, in, 2, NULL);
        snprintf(what, sizeof what, "%s (2,3) with (3)", ops[k].name);
        lt_tensor *in2[2] = { rnd_signed(2, s23, 0.5f, 2), rnd_signed(1, s3, 0.5f, 2) };
        expect_grad(what, f_bin, (void *)ops[k].f, in2, 2, NULL);
        snprintf(what, sizeof what, "%s (2,1) with (1,3)", ops[k].name);
        lt_tensor *in3[2] = { rnd_signed(2, s21, 0.5f, 2), rnd_signed(2, s13, 0.5f, 2) };
        expect_grad(what, f_bin, (void *)ops[k].f, in3, 2, NULL);
        snprintf(what, sizeof what, "%s (1,4) with (2,3,4)", ops[k].name);
        lt_tensor *in4[2] = { rnd_signed(2, s14, 0.5f, 2), rnd_signed(3, s234, 0.5f, 2) };
        expect_grad(what, f_bin, (void *)ops[k].f, in4, 2, NULL);
        snprintf(what, sizeof what, "%s (3,1,4) with scalar", ops[k].name);
        lt_tensor *in5[2] = { rnd_signed(3, s314, 0.5f, 2), rnd_signed(0, NULL, 0.5f, 2) };
        expect_grad(what, f_bin, (void *)ops[k].f, in5, 2, NULL);
    }
}

/* a unary op applied to a transposed view, so strided inputs are exercised too */
typedef lt_tensor *(*un_fn)(lt_graph *, lt_tensor *);
static lt_tensor *f_un(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n;
    return ((un_fn)ctx)(g, op_transpose(g, in[0], 0, 1));
}

static lt_tensor *my_neg(lt_graph *g, lt_tensor *x) { return op_neg(g, x); }
static lt_tensor *my_aff(lt_graph *g, lt_tensor *x) { return op_affine(g, x, -1.5f, 0.25f); }
static lt_tensor *my_sq(lt_graph *g, lt_tensor *x) { return op_square(g, x); }
static lt_tensor *my_pow3(lt_graph *g, lt_tensor *x) { return op_pow(g, x, 3.0f); }
static lt_tensor *my_powh(lt_graph *g, lt_tensor *x) { return op_pow(g, op_abs(g, x), 0.5f); }
static lt_tensor *my_log(lt_graph *g, lt_tensor *x) { return op_log(g, op_abs(g, x)); }
static lt_tensor *my_sqrt(lt_graph *g, lt_tensor *x) { return op_sqrt(g, op_abs(g, x)); }
static lt_tensor *my_leaky(lt_graph *g, lt_tensor *x) { return op_leaky_relu(g, x, 0.2f); }

static void test_unary(void)
{
    struct { const char *name; un_fn f; } ops[] = {
        { "neg", my_neg }, { "affine", my_aff }, { "square", my_sq }, { "pow3", my_pow3 },
        { "pow0.5", my_powh }, { "exp", op_exp }, { "log", my_log }, { "sqrt", my_sqrt },
        { "abs", op_abs }, { "relu", op_relu }, { "leaky_relu", my_leaky },
        { "sigmoid", op_sigmoid }, { "tanh", op_tanh }, { "softplus", op_softplus },
        { "silu", op_silu } };
    int s[2] = { 3, 4 };
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        lt_tensor *in[1] = { rnd_signed(2, s, 0.3f, 1.5f) };
        expect_grad(ops[k].name, f_un, (void *)ops[k].f, in, 1, NULL);
    }
}

/* ---- reductions ---------------------------------------------------------------------------- */

static lt_tensor *f_red(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n;
    int k = *(int *)ctx;
    lt_tensor *x = in[0];
    switch (k) {
    case 0: return op_sum(g, x);
    case 1: return op_mean(g, x);
    case 2: return op_sum_axis(g, x, 0, 0);
    case 3: return op_sum_axis(g, x, -1, 1);
    case 4: return op_mean_axis(g, x, 1, 0);
    case 5: return op_max_axis(g, x, 1, 0);
    case 6: return op_max(g, x);
    default: return op_mean_axis(g, op_slice(g, x, 1, 1, 4, 2), 2, 1);
    }
}

static void test_reductions(void)
{
    int s[3] = { 2, 4, 3 };
    for (int k = 0; k < 8; k++) {
        char what[32];
        snprintf(what, sizeof what, "reduction %d", k);
        lt_tensor *in[1] = { rnd_signed(3, s, 0.1f, 2.0f) };
        /* distinct values so the maximum is unique under the perturbation */
        for (size_t i = 0; i < tensor_numel(in[0]); i++)
            in[0]->data[i] = (float)i * 0.37f - 3.0f + 0.01f * in[0]->data[i];
        for (size_t i = 0; i < tensor_numel(in[0]); i += 3)
            in[0]->data[i] *= -1.0f;
        expect_grad(what, f_red, &k, in, 1, NULL);
    }
}

/* ---- matmul and linear ------------------------------------------------------------------- */

static lt_tensor *f_matmul(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n;
    int k = *(int *)ctx;
    if (k == 0)
        return op_matmul(g, in[0], in[1]);
    /* a transposed view on either side: in[0] stored (K, M), in[1] stored (N, K) */
    return op_matmul(g, op_transpose(g, in[0], 0, 1), op_transpose(g, in[1], 0, 1));
}

static void test_matmul_grad(void)
{
    int a[2] = { 3, 5 }, b[2] = { 5, 4 }, at[2] = { 5, 3 }, bt[2] = { 4, 5 };
    int k = 0;
    lt_tensor *in[2] = { rnd_signed(2, a, 0.1f, 1), rnd_signed(2, b, 0.1f, 1) };
    expect_grad("matmul", f_matmul, &k, in, 2, NULL);
    k = 1;
    lt_tensor *in2[2] = { rnd_signed(2, at, 0.1f, 1), rnd_signed(2, bt, 0.1f, 1) };
    expect_grad("matmul of transposes", f_matmul, &k, in2, 2, NULL);
}

static lt_tensor *f_linear(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    int act = *(int *)ctx;
    lt_tensor *x = in[0];
    if (act == 99)   /* a strided input: every other column of a (4, 10) */
        return op_linear(g, op_slice(g, x, 1, 0, 10, 2), in[1], in[2], LT_ACT_TANH, 0, NULL);
    return op_linear(g, x, in[1], n > 2 ? in[2] : NULL, (lt_act)act, 0.2f, NULL);
}

static void test_linear_grad(void)
{
    int xs[2] = { 4, 5 }, ws[2] = { 3, 5 }, bs[1] = { 3 }, x10[2] = { 4, 10 };
    EPS = 1e-3f;   /* relu kinks: pre-activations are near 0 more often than 1e-2 allows */
    for (int act = LT_ACT_NONE; act <= LT_ACT_TANH; act++) {
        char what[32];
        snprintf(what, sizeof what, "linear act %d", act);
        lt_tensor *in[3] = { rnd_signed(2, xs, 0.2f, 1), rnd_signed(2, ws, 0.05f, 0.5f),
                             rnd_signed(1, bs, 0.05f, 0.5f) };
        expect_grad(what, f_linear, &act, in, 3, NULL);
    }
    int act = LT_ACT_NONE;
    lt_tensor *in[2] = { rnd_signed(2, xs, 0.2f, 1), rnd_signed(2, ws, 0.05f, 0.5f) };
    expect_grad("linear without bias", f_linear, &act, in, 2, NULL);
    act = 99;
    lt_tensor *in2[3] = { rnd_signed(2, x10, 0.2f, 1), rnd_signed(2, ws, 0.05f, 0.5f),
                          rnd_signed(1, bs, 0.05f, 0.5f) };
    expect_grad("linear of a strided slice", f_linear, &act, in2, 3, NULL);
    EPS = 1e-2f;
}

/* ---- views and shape ops ------------------------------------------------------------------- */

static lt_tensor *f_shape(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n;
    int k = *(int *)ctx;
    lt_tensor *x = in[0];
    int s6[2] = { 6, -1 }, e[3] = { 2, 4, 6 };
    switch (k) {
    case 0: return op_slice(g, x, 1, 1, 3, 1);
    case 1: return op_select(g, x, 0, 1);
    case 2: return op_reshape(g, op_transpose(g, x, 0, 1), 2, s6);   /* copy path */
    case 3: return op_expand(g, op_slice(g, x, 0, 0, 1, 1), 3, e);
    case 4: { lt_tensor *p[3] = { x, op_exp(g, x), op_slice(g, x, 1, 0, 2, 1) };
              return op_concat(g, p, 3, 1); }
    case 5: { lt_tensor *p[2] = { x, op_sigmoid(g, x) }; return op_stack(g, p, 2, 1); }
    case 9: { lt_tensor *p[7] = { x, op_exp(g, x), x, op_tanh(g, x), x, x, op_sigmoid(g, x) };
              return op_concat(g, p, 7, 0); }   /* more inputs than a node holds */
    case 10: { lt_tensor *p[6] = { x, op_exp(g, x), x, op_tanh(g, x), x, x };
               return op_stack(g, p, 6, 0); }
    case 6: return op_select(g, op_transpose(g, x, 0, 1), 0, 3);
    case 7: return op_contiguous(g, op_transpose(g, x, 1, 0));
    default: { float idx[5] = { 2, 0, 2, 1, 2 }; int n5 = 5;
               lt_tensor *t = graph_tensor(g, 1, &n5);
               memcpy(t->data, idx, sizeof idx);
               return op_gather(g, op_transpose(g, x, 0, 1), t); }
    }
}

static void test_shape_ops(void)
{
    int s[2] = { 2, 6 }, s2[2] = { 3, 4 };
    for (int k = 0; k < 11; k++) {
        char what[32];
        snprintf(what, sizeof what, "shape op %d", k);
        lt_tensor *in[1] = { rnd_signed(2, k == 2 || k == 8 ? s2 : s, 0.1f, 1.0f) };
        expect_grad(what, f_shape, &k, in, 1, NULL);
    }
}

/* ---- losses --------------------------------------------------------------------------------- */

static lt_tensor *f_loss(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n;
    int k = *(int *)ctx;
    lt_reduce r = (k & 1) ? LT_SUM : LT_MEAN;
    switch (k / 2) {
    case 0: return op_mse(g, in[0], in[1], r);
    case 1: return op_bce(g, op_sigmoid(g, in[0]), op_sigmoid(g, in[1]), r);
    case 2: return op_bce_logits(g, in[0], op_sigmoid(g, in[1]), r);
    case 3: return op_kl_gauss(g, in[0], in[1], r);
    case 4: return op_bce_logits(g, in[0], op_sigmoid(g, op_sum(g, in[1])), r);  /* scalar target */
    default: return op_add(g, op_log_softmax(g, in[0], 1), op_softmax(g, in[1], 0));
    }
}

static void test_losses(void)
{
    int s[2] = { 3, 4 };
    for (int k = 0; k < 12; k++) {
        char what[32];
        snprintf(what, sizeof what, "loss %d", k);
        lt_tensor *in[2] = { rnd_signed(2, s, 0.1f, 1.5f), rnd_signed(2, s, 0.1f, 1.5f) };
        expect_grad(what, f_loss, &k, in, 2, NULL);
    }
}

static lt_tensor *f_ce(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n;
    int B = 4;
    lt_tensor *lab = graph_tensor(g, 1, &B);
    float l[4] = { 2, 0, 4, 2 };
    memcpy(lab->data, l, sizeof l);
    return op_cross_entropy(g, in[0], lab, *(int *)ctx ? LT_SUM : LT_MEAN);
}

static void test_cross_entropy(void)
{
    int s[2] = { 4, 5 };
    for (int r = 0; r < 2; r++) {
        lt_tensor *in[1] = { rnd_signed(2, s, 0.1f, 2.0f) };
        expect_grad("cross_entropy", f_ce, &r, in, 1, NULL);
    }
}

/* the VAE's loss written out as in the lecture (composite ops), checked whole */
static lt_tensor *f_vae(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n; (void)ctx;
    lt_tensor *h = in[0];
    lt_tensor *mu = op_slice(g, h, 1, 0, 3, 1), *lv = op_slice(g, h, 1, 3, 6, 1);
    lt_tensor *z = op_add(g, mu, op_mul(g, op_exp(g, op_scale(g, lv, 0.5f)), in[1]));
    lt_tensor *kld = op_scale(g, op_sum(g, op_sub(g, op_sub(g, op_add(g, op_exp(g, lv),
                              op_square(g, mu)), op_scalar(g, 1.0f)), lv)), 0.5f);
    return op_add(g, op_mse(g, op_sigmoid(g, z), in[2], LT_SUM), kld);
}

static void test_vae_composite(void)
{
    int hs[2] = { 2, 6 }, zs[2] = { 2, 3 };
    lt_tensor *in[3] = { rnd_signed(2, hs, 0.1f, 1), rnd_signed(2, zs, 0.1f, 1), rnd(2, zs, 0, 1) };
    int want[3] = { 1, 0, 0 };
    expect_grad("vae loss", f_vae, NULL, in, 3, want);
}

int main(void)
{
    rng_seed(&R, 7);
    RUN(test_binary_broadcast);
    RUN(test_unary);
    RUN(test_reductions);
    RUN(test_matmul_grad);
    RUN(test_linear_grad);
    RUN(test_shape_ops);
    RUN(test_losses);
    RUN(test_cross_entropy);
    RUN(test_vae_composite);
    return check_summary("grad");
}
