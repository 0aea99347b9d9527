/* test_ops_math.c: ops_math.h (sin, cos, tan, where, one_hot, argmin, reductions over
 * several axes, var, std, nll_loss, label-smoothed and soft-target cross-entropy):
 * finite-difference gradient checks, values against PyTorch 1.13 (pinned from
 * tests/unit/torch_ref_optim_math.py) and double references, and the errors. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "graph.h"
#include "ops_math.h"
#include "rng.h"
#include "tensor.h"

static rng R;

static lt_tensor *rnd(int ndim, const int *shape, float lo, float hi)
{
    lt_tensor *t = tensor_new(ndim, shape);
    rng_fill_uniform(&R, t->data, tensor_numel(t), lo, hi);
    return t;
}

static void expect_grad(const char *what, graph_check_fn f, void *ctx, lt_tensor **in, int n,
                        const int *want)
{
    double err = 1.0;
    int wi = -1;
    size_t wj = 0;
    lt_status st = graph_check_grad(f, ctx, in, n, want, 1e-2f, &err, &wi, &wj);
    if (st != LT_OK) fprintf(stderr, "%s: %s\n", what, lt_errmsg());
    CHECK(st == LT_OK);
    if (err > 2e-2) fprintf(stderr, "%s: gradient error %g at input %d element %zu\n", what, err, wi, wj);
    CHECK(err <= 2e-2);
    for (int k = 0; k < n; k++) tensor_free(in[k]);
}

/* ---- gradients ------------------------------------------------------------------------------ */

static const int AX02[2] = { 0, 2 }, AXN1[1] = { -1 }, AX12[2] = { 1, 2 };

static lt_tensor *f_ops(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n;
    lt_tensor *x = in[0];
    switch (*(int *)ctx) {
    case 0: return op_sin(g, op_transpose(g, x, 0, 1));
    case 1: return op_cos(g, x);
    case 2: return op_tan(g, op_scale(g, x, 0.5f));   /* away from the poles */
    case 3: return op_sum_axes(g, x, 2, AX02, 0);
    case 4: return op_mean_axes(g, x, 2, AX12, 1);
    case 5: return op_max_axes(g, x, 2, AX02, 0);
    case 6: return op_var_axes(g, x, 2, AX02, 1.0, 0);
    case 7: return op_std_axes(g, x, 1, AXN1, 0.0, 1);
    case 8: return op_var_axes(g, x, 0, NULL, 1.0, 0);
    default: return op_std_axes(g, op_slice(g, x, 1, 0, 3, 2), 0, NULL, 1.0, 0);
    }
}

static void test_grads_unary_and_reductions(void)
{
    int s[3] = { 2, 3, 4 };
    for (int k = 0; k < 10; k++) {
        char what[32];
        snprintf(what, sizeof what, "op %d", k);
        lt_tensor *in[1] = { rnd(3, s, -1.5f, 1.5f) };
        for (size_t i = 0; i < tensor_numel(in[0]); i++)   /* distinct, for max */
            in[0]->data[i] += 0.07f * (float)i;
        expect_grad(what, f_ops, &k, in, 1, NULL);
    }
}

/* where with a fixed mask (cond is data), both sides broadcast */
static lt_tensor *f_where(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n;
    return op_where(g, (lt_tensor *)ctx, in[0], in[1]);
}

static void test_grad_where(void)
{
    int sc[2] = { 3, 4 }, sa[2] = { 3, 1 }, sb[1] = { 4 };
    lt_tensor *cond = tensor_new(2, sc);
    for (int i = 0; i < 12; i++) cond->data[i] = (float)((i * 7) % 3 == 0);
    lt_tensor *in[2] = { rnd(2, sa, -1, 1), rnd(1, sb, -1, 1) };
    int want[2] = { 1, 1 };
    expect_grad("where", f_where, cond, in, 2, want);
    tensor_free(cond);
}

static lt_tensor *f_loss(lt_graph *g, lt_tensor **in, int n, void *ctx)
{
    (void)n;
    int k = *(int *)ctx;
    lt_tensor *labels = in[1];
    switch (k) {
    case 0: return op_nll_loss(g, op_log_softmax(g, in[0], 1), labels, LT_MEAN);
    case 1: return op_cross_entropy_ls(g, in[0], labels, 0.2, LT_MEAN);
    case 2: return op_cross_entropy_ls(g, in[0], labels, 0.3, LT_SUM);
    default: return op_cross_entropy_ls(g, in[0], op_softmax(g, in[2], 1), 0.1, LT_MEAN);
    }
}

static void test_grad_losses(void)
{
    int sx[2] = { 3, 5 }, sl[1] = { 3 };
    float lab[3] = { 4, 0, 2 };
    for (int k = 0; k < 4; k++) {
        char what[32];
        snprintf(what, sizeof what, "loss %d", k);
        lt_tensor *in[3] = { rnd(2, sx, -2, 2), tensor_from(1, sl, lab), rnd(2, sx, -1, 1) };
        int want[3] = { 1, 0, k == 3 };
        expect_grad(what, f_loss, &k, in, 3, want);
    }
}

/* ---- values against PyTorch ------------------------------------------------------------------ */

typedef struct { double loss; double grad[12]; } torch_loss;
/* F.cross_entropy / nll_loss of these logits: the loss and d loss / d logits */
static const torch_loss TORCH_LOSS[6] = {
    /* ce */ {1.03970349, {0.0368512459, 0.00183471595, 0.0223514102, -0.061037384, -0.300136, 0.0426262468, 0.0122126248, 0.245297119, 0.00201165816, 0.109832793, -0.152249679, 0.0404052325}},
    /* ce ls 0.1 */ {1.16262007, {0.0285179093, -0.00649861805, 0.0140180737, -0.0360373706, -0.275135964, 0.0342929065, 0.00387928868, 0.236963749, -0.00632167608, 0.101499453, -0.127249658, 0.0320718959}},
    /* ce ls 0.3 sum */ {4.22535992, {0.035553731, -0.0694958568, -0.00794577599, 0.0418878794, -0.675407946, 0.05287873, -0.0383621342, 0.660891294, -0.0689650327, 0.254498363, -0.231749028, 0.0462156832}},
    /* ce soft */ {2.23136997, {0.0035179141, -0.0648319572, -0.077648595, 0.138962641, -0.300136, 0.0426262468, 0.0122126248, 0.245297119, -0.0813216791, 0.0264994614, 0.0977503285, -0.0429281034}},
    /* ce soft ls 0.2 */ {2.23887014, {-0.00648208754, -0.0681652948, -0.0743152648, 0.148962632, -0.250135988, 0.0259595886, -0.0044540409, 0.228630498, -0.0813216791, 0.0264994614, 0.0977503285, -0.0429281034}},
    /* nll of log_softmax */ {1.03970349, {0.0368512459, 0.00183471595, 0.0223514102, -0.061037384, -0.300136, 0.0426262468, 0.0122126248, 0.245297119, 0.00201165816, 0.109832793, -0.152249679, 0.0404052325}},
};

static void test_losses_against_torch(void)
{
    float logits[12] = { 1.0f, -2.0f, 0.5f, 3.0f, 0.0f, 0.25f, -1.0f, 2.0f, -3.0f, 1.0f, 1.5f, 0.0f };
    float labels[3] = { 3, 0, 2 };
    float soft[12] = { 0.1f, 0.2f, 0.3f, 0.4f, 1, 0, 0, 0, 0.25f, 0.25f, 0.25f, 0.25f };
    int sx[2] = { 3, 4 }, sl[1] = { 3 };
    lt_param p = { .g = NULL, .n = 12, .name = "logits" };
    float grad[12];
    p.w = logits;
    p.g = grad;
    lt_tensor *lab = tensor_from(1, sl, labels), *sft = tensor_from(2, sx, soft);
    lt_graph *g = graph_new();
    for (int k = 0; k < 6; k++) {
        graph_reset(g);
        memset(grad, 0, sizeof grad);
        lt_tensor *x = graph_param(g, &p, 2, sx), *y;
        switch (k) {
        case 0: y = op_cross_entropy_ls(g, x, lab, 0.0, LT_MEAN); break;
        case 1: y = op_cross_entropy_ls(g, x, lab, 0.1, LT_MEAN); break;
        case 2: y = op_cross_entropy_ls(g, x, lab, 0.3, LT_SUM); break;
        case 3: y = op_cross_entropy_ls(g, x, sft, 0.0, LT_MEAN); break;
        case 4: y = op_cross_entropy_ls(g, x, sft, 0.2, LT_MEAN); break;
        default: y = op_nll_loss(g, op_log_softmax(g, x, 1), lab, LT_MEAN); break;
        }
        CHECK(y != NULL && graph_backward(g, y, &p, 1) == LT_OK);
        if (!y) continue;
        CHECK_NEAR(y->data[0], TORCH_LOSS[k].loss, 3e-7 * fabs(TORCH_LOSS[k].loss));
        for (int i = 0; i < 12; i++) CHECK_NEAR(grad[i], TORCH_LOSS[k].grad[i], 2e-7);
    }
    graph_free(g);
    tensor_free(lab);
    tensor_free(sft);
}

/* x = arange(24)^1.5 / 7 as (2, 3, 4): torch's x.var(), x.var(unbiased=False), x.std(),
 * x.var(dim=(0, 2)), x.std(dim=1, keepdim=True) */
static void test_var_std_against_torch(void)
{
    int s[3] = { 2, 3, 4 };
    lt_tensor *x = tensor_new(3, s);
    for (int i = 0; i < 24; i++) x->data[i] = powf((float)i, 1.5f) / 7.0f;
    lt_graph *g = graph_new();
    lt_tensor *v = op_var_axes(g, x, 0, NULL, 1.0, 0), *v0 = op_var_axes(g, x, 0, NULL, 0.0, 0);
    lt_tensor *sd = op_std_axes(g, x, 0, NULL, 1.0, 0), *v02 = op_var_axes(g, x, 2, AX02, 1.0, 0);
    int ax1[1] = { 1 };
    lt_tensor *s1 = op_std_axes(g, x, 1, ax1, 1.0, 1);
    CHECK(v && v0 && sd && v02 && s1);
    if (v && v0 && sd && v02 && s1) {
        CHECK(v->ndim == 0 && v02->ndim == 1 && v02->shape[0] == 3);
        CHECK(s1->ndim == 3 && s1->shape[0] == 2 && s1->shape[1] == 1 && s1->shape[2] == 4);
        CHECK_NEAR(v->data[0], 25.2219143, 3e-6);
        CHECK_NEAR(v0->data[0], 24.1710014, 3e-6);
        CHECK_NEAR(sd->data[0], 5.02214241, 1e-6);
        double want02[3] = { 13.629490852355957, 21.899215698242188, 29.881610870361328 };
        for (int i = 0; i < 3; i++) CHECK_NEAR(v02->data[i], want02[i], 2e-6);
        double want1[8] = { 1.6391898393630981, 1.871647596359253, 2.067286491394043, 2.2429375648498535,
                            3.4217910766601562, 3.5279085636138916, 3.6308822631835938, 3.73097825050354 };
        for (int i = 0; i < 8; i++) CHECK_NEAR(s1->data[i], want1[i], 1e-6);
    }
    graph_free(g);
    tensor_free(x);
}

/* ---- edges ------------------------------------------------------------------------------------ */

/* var of one element is 0/0 = NaN with correction 1 (PyTorch too), 0 with correction 0;
 * a row with inf is NaN (inf - inf); a huge but finite row is exact in the mean
 * and overflows only in the square, to inf, as float32 must */
static void test_var_edges(void)
{
    lt_graph *g = graph_new();
    int s1[1] = { 1 }, s3[1] = { 3 };
    float one = 5.0f, inf_row[3] = { 1, INFINITY, 2 }, big[3] = { 1e30f, -1e30f, 0 }, tiny[3] = { 1e-30f, -1e-30f, 0 };
    lt_tensor *a = tensor_from(1, s1, &one), *b = tensor_from(1, s3, inf_row);
    lt_tensor *c = tensor_from(1, s3, big), *d = tensor_from(1, s3, tiny);
    lt_tensor *va = op_var_axes(g, a, 0, NULL, 1.0, 0), *va0 = op_var_axes(g, a, 0, NULL, 0.0, 0);
    lt_tensor *vb = op_var_axes(g, b, 0, NULL, 1.0, 0), *vc = op_var_axes(g, c, 0, NULL, 1.0, 0);
    lt_tensor *vd = op_std_axes(g, d, 0, NULL, 1.0, 0);
    CHECK(va && isnan(va->data[0]) && va0 && va0->data[0] == 0.0f);
    CHECK(vb && isnan(vb->data[0]));
    CHECK(vc && isinf(vc->data[0]));
    CHECK(vd && fabs(vd->data[0] - 1e-30) <= 1e-36);   /* sqrt(((1e-30)^2 * 2) / 2): denormal squares */
    tensor_free(a); tensor_free(b); tensor_free(c); tensor_free(d);
    graph_free(g);
}

/* ---- where, one_hot, argmin --------------------------------------------------------------------- */

static void test_where_one_hot_argmin(void)
{
    lt_graph *g = graph_new();
    int s4[1] = { 4 }, s0 = 0;
    (void)s0;
    float c[4] = { 1, 0, NAN, -0.0f }, a[4] = { 1, 2, 3, 4 }, lab[4] = { 2, 0, 1, 2 };
    float bval = -1.0f;
    lt_tensor *ct = tensor_from(1, s4, c), *at = tensor_from(1, s4, a), *b = tensor_from(0, NULL, &bval);
    lt_tensor *w = op_where(g, ct, at, b);
    CHECK(w && w->data[0] == 1 && w->data[1] == -1 && w->data[2] == 3 && w->data[3] == -1);
    lt_tensor *lt = tensor_from(1, s4, lab);
    lt_tensor *oh = op_one_hot(g, lt, 3);
    CHECK(oh && oh->ndim == 2 && oh->shape[0] == 4 && oh->shape[1] == 3);
    if (oh) {
        float want[12] = { 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1 };
        CHECK(memcmp(oh->data, want, sizeof want) == 0);
    }
    CHECK(op_one_hot(g, lt, 2) == NULL && strstr(lt_errmsg(), "one_hot: label 2 is not a class in 0..1"));
    float m[4] = { 3, -1, 5, -1 };
    lt_tensor *mt = tensor_from(1, s4, m);
    lt_tensor *am = op_argmin_axis(g, mt, 0, 0);
    CHECK(am && am->ndim == 0 && am->data[0] == 1.0f);   /* the first minimum */
    int sb[2] = { 2, 3 };
    lt_tensor *x = tensor_new(2, sb), *y = tensor_new(1, (int[]){ 4 });
    CHECK(op_where(g, x, y, b) == NULL && strstr(lt_errmsg(), "where: shapes (2, 3) and (4) do not broadcast"));
    int ax[2] = { 0, 0 };
    CHECK(op_sum_axes(g, x, 2, ax, 0) == NULL && strstr(lt_errmsg(), "sum: axis 0 is given twice"));
    ax[1] = 2;
    CHECK(op_mean_axes(g, x, 2, ax, 0) == NULL && strstr(lt_errmsg(), "mean: axis 2 out of range"));
    CHECK(op_nll_loss(g, x, y, LT_MEAN) == NULL && strstr(lt_errmsg(), "nll_loss: expected (B, C) and labels (B)"));
    CHECK(op_cross_entropy_ls(g, x, y, 1.5, LT_MEAN) == NULL && strstr(lt_errmsg(), "label_smoothing must be in [0, 1]"));
    tensor_free(ct); tensor_free(at); tensor_free(b); tensor_free(lt); tensor_free(mt);
    tensor_free(x); tensor_free(y);
    graph_free(g);
}

int main(void)
{
    rng_seed(&R, 14);
    RUN(test_grads_unary_and_reductions);
    RUN(test_grad_where);
    RUN(test_grad_losses);
    RUN(test_losses_against_torch);
    RUN(test_var_std_against_torch);
    RUN(test_var_edges);
    RUN(test_where_one_hot_argmin);
    return check_summary("ops_math");
}
