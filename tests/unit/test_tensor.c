/* test_tensor.c: heap tensors and refcounts, views, broadcasting values, reductions,
 * schedules (linspace, cumprod), indexing, concat/stack and error messages. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "graph.h"
#include "ops.h"
#include "tensor.h"

static lt_graph *G;

static lt_tensor *from(int ndim, const int *shape, const float *v)
{
    lt_tensor *t = graph_tensor(G, ndim, shape);
    memcpy(t->data, v, tensor_numel(t) * sizeof(float));
    return t;
}

static void test_heap_refcount(void)
{
    int s[2] = { 2, 3 };
    lt_tensor *a = tensor_new(2, s);
    CHECK(a && tensor_numel(a) == 6 && a->data[5] == 0.0f);
    a->data[tensor_offset2(a, 1, 2)] = 5.0f;
    lt_tensor *b = tensor_keep(a);
    CHECK(b->data == a->data && a->buf->refs == 2);
    tensor_free(a);
    CHECK(b->buf->refs == 1 && b->data[5] == 5.0f);
    lt_tensor *c = tensor_clone(b);
    CHECK(c->data != b->data && c->data[5] == 5.0f);
    tensor_free(b);
    tensor_free(c);
    int bad[2] = { 2, -1 };
    CHECK(tensor_new(2, bad) == NULL);
    CHECK(strstr(lt_errmsg(), "(2, -1)") != NULL);
    int five[5] = { 1, 1, 1, 1, 1 };
    CHECK(tensor_new(5, five) == NULL);
}

static void test_views_share(void)
{
    graph_reset(G);
    int s[2] = { 3, 4 };
    float v[12];
    for (int i = 0; i < 12; i++) v[i] = (float)i;
    lt_tensor *x = from(2, s, v);
    lt_tensor *t = op_transpose(G, x, 0, 1);
    CHECK(t->data == x->data && t->shape[0] == 4 && t->shape[1] == 3 && !tensor_is_contiguous(t));
    CHECK(t->data[tensor_offset2(t, 2, 1)] == 6.0f);   /* x[1][2] */
    lt_tensor *sl = op_slice(G, x, 1, 1, 4, 2);         /* columns 1, 3 */
    CHECK(sl->shape[1] == 2 && sl->data[tensor_offset2(sl, 2, 1)] == 11.0f);
    lt_tensor *row = op_select(G, x, 0, 2);
    CHECK(row->ndim == 1 && row->shape[0] == 4 && row->data[3] == 11.0f);
    x->data[11] = 100.0f;                                 /* views see writes */
    CHECK(row->data[3] == 100.0f && sl->data[tensor_offset2(sl, 2, 1)] == 100.0f);
    int r[2] = { 2, -1 };
    lt_tensor *re = op_reshape(G, x, 2, r);
    CHECK(re->data == x->data && re->shape[1] == 6);
    lt_tensor *rt = op_reshape(G, t, 2, r);              /* non-contiguous: a copy */
    CHECK(rt->data != x->data && rt->data[1] == 4.0f);
    float out[6];
    tensor_copy_out(op_transpose(G, sl, 0, 1), out);
    CHECK(out[0] == 1.0f && out[1] == 5.0f && out[2] == 9.0f && out[3] == 3.0f);
    /* tensor_keep of a view of heap data shares it */
    lt_tensor *h = tensor_new(2, s);
    lt_tensor *hv = op_slice(G, h, 0, 1, 3, 1);
    lt_tensor *kept = tensor_keep(hv);
    CHECK(kept->data == h->data + 4 && h->buf->refs == 2);
    tensor_free(h);
    tensor_free(kept);
}

static void test_wrap(void)
{
    graph_reset(G);
    float raw[6] = { 1, 2, 3, 4, 5, 6 };
    int s[2] = { 3, 2 };
    lt_tensor *w = graph_wrap(G, raw, 2, s);
    CHECK(w && w->data == raw && w->shape[0] == 3 && !w->requires_grad);
    lt_tensor *sum = op_sum_axis(G, w, 0, 0);
    CHECK(sum->data[0] == 9 && sum->data[1] == 12);
    int bad[2] = { 3, -2 };
    CHECK(graph_wrap(G, raw, 2, bad) == NULL);
}

static void test_broadcast_values(void)
{
    graph_reset(G);
    int s23[2] = { 2, 3 }, s3[1] = { 3 }, s21[2] = { 2, 1 };
    float a[6] = { 1, 2, 3, 4, 5, 6 }, b[3] = { 10, 20, 30 }, c[2] = { 100, 200 };
    lt_tensor *y = op_add(G, from(2, s23, a), from(1, s3, b));
    CHECK(y->data[0] == 11 && y->data[5] == 36);
    y = op_mul(G, from(2, s21, c), from(1, s3, b));     /* (2,1) * (3) -> (2,3) */
    CHECK(y->ndim == 2 && y->shape[0] == 2 && y->shape[1] == 3 && y->data[4] == 4000);
    y = op_sub(G, op_scalar(G, 1.0f), from(2, s23, a));
    CHECK(y->data[5] == -5);
    int s4[1] = { 4 };
    CHECK(op_add(G, from(2, s23, a), op_full(G, 1, s4, 0)) == NULL);
    CHECK_STR(lt_errmsg(), "add: shapes (2, 3) and (4) do not broadcast");
    CHECK(op_exp(G, NULL) == NULL);                      /* NULL passes through */
    CHECK_STR(lt_errmsg(), "add: shapes (2, 3) and (4) do not broadcast");
    int e[3] = { 2, 2, 3 };
    lt_tensor *ex = op_expand(G, from(1, s3, b), 3, e);
    CHECK(ex->stride[0] == 0 && ex->stride[1] == 0 && ex->data[tensor_offset4(ex, 1, 1, 2, 0)] == 30);
}

static void test_reduction_values(void)
{
    graph_reset(G);
    int s[2] = { 2, 3 };
    float a[6] = { 1, 5, 3, 4, 2, 6 };
    lt_tensor *x = from(2, s, a);
    CHECK(op_sum(G, x)->data[0] == 21 && op_mean(G, x)->data[0] == 3.5f);
    lt_tensor *s0 = op_sum_axis(G, x, 0, 0);
    CHECK(s0->ndim == 1 && s0->data[0] == 5 && s0->data[2] == 9);
    lt_tensor *m1 = op_mean_axis(G, x, -1, 1);
    CHECK(m1->ndim == 2 && m1->shape[1] == 1 && m1->data[1] == 4);
    lt_tensor *mx = op_max_axis(G, x, 1, 0), *am = op_argmax_axis(G, x, 1, 0);
    CHECK(mx->data[0] == 5 && mx->data[1] == 6 && am->data[0] == 1 && am->data[1] == 2);
    CHECK(op_max(G, x)->data[0] == 6);
    lt_tensor *am0 = op_argmax_axis(G, op_transpose(G, x, 0, 1), 0, 0);   /* strided */
    CHECK(am0->data[0] == 1 && am0->data[1] == 2);
    CHECK(op_sum_axis(G, x, 2, 0) == NULL && strstr(lt_errmsg(), "axis 2") != NULL);
}

static void test_schedules(void)
{
    graph_reset(G);
    lt_tensor *beta = op_linspace(G, 1e-4f, 0.02f, 1000);
    CHECK(beta->shape[0] == 1000 && beta->data[0] == 1e-4f && beta->data[999] == 0.02f);
    CHECK_NEAR(beta->data[500], 1e-4 + (0.02 - 1e-4) * 500 / 999, 1e-8);
    lt_tensor *abar = op_cumprod(G, op_affine(G, beta, -1.0f, 1.0f), 0);
    double p = 1.0;
    for (int i = 0; i < 1000; i++) p *= 1.0 - (double)beta->data[i];
    CHECK_NEAR(abar->data[999], p, 1e-7);
    CHECK_NEAR(abar->data[999], 4.0358e-5, 1e-8);   /* as torch.cumprod(1 - linspace) */
    lt_tensor *ar = op_arange(G, 0, 5, 2);
    CHECK(ar->shape[0] == 3 && ar->data[2] == 4);
    int s[2] = { 2, 3 };
    float a[6] = { 1, 2, 3, 4, 5, 6 };
    lt_tensor *cs = op_cumsum(G, from(2, s, a), 1);
    CHECK(cs->data[2] == 6 && cs->data[5] == 15);
    cs = op_cumsum(G, from(2, s, a), 0);
    CHECK(cs->data[3] == 5 && cs->data[0] == 1);
    CHECK(op_arange(G, 0, 1, 0) == NULL);
}

static void test_indexing(void)
{
    graph_reset(G);
    lt_tensor *abar = op_linspace(G, 0, 9, 10);
    int n = 4;
    float tv[4] = { 3, 0, 9, 3 };
    lt_tensor *t = from(1, &n, tv);
    lt_tensor *at = op_gather(G, abar, t);
    CHECK(at->ndim == 1 && at->data[0] == 3 && at->data[2] == 9 && at->data[3] == 3);
    int s[2] = { 3, 2 };
    float x[6] = { 0, 1, 10, 11, 20, 21 };
    int idx[2] = { 2, 0 };
    lt_tensor *rows = op_rows(G, from(2, s, x), idx, 2);
    CHECK(rows->shape[0] == 2 && rows->data[0] == 20 && rows->data[3] == 1);
    rows = op_rows(G, op_transpose(G, from(2, s, x), 0, 1), idx + 1, 1);   /* strided */
    CHECK(rows->shape[1] == 3 && rows->data[2] == 20);
    tv[1] = 10;
    CHECK(op_gather(G, abar, from(1, &n, tv)) == NULL);
    CHECK_STR(lt_errmsg(), "index 10 out of range for (10)");
    tv[1] = 0.5f;
    CHECK(op_gather(G, abar, from(1, &n, tv)) == NULL);
}

static void test_concat_stack(void)
{
    graph_reset(G);
    int s[2] = { 2, 2 }, s3[2] = { 2, 1 };
    float a[4] = { 1, 2, 3, 4 }, b[2] = { 5, 6 };
    lt_tensor *xs[2] = { from(2, s, a), from(2, s3, b) };
    lt_tensor *c = op_concat(G, xs, 2, 1);
    CHECK(c->shape[1] == 3 && c->data[2] == 5 && c->data[5] == 6 && c->data[3] == 3);
    CHECK(op_concat(G, xs, 2, 0) == NULL);
    CHECK_STR(lt_errmsg(), "concat: shapes (2, 2) and (2, 1) differ outside axis 0");
    lt_tensor *ys[2] = { from(2, s, a), from(2, s, a) };
    lt_tensor *st = op_stack(G, ys, 2, 0);
    CHECK(st->ndim == 3 && st->shape[0] == 2 && st->data[4] == 1);
    st = op_stack(G, ys, 2, -1);
    CHECK(st->ndim == 3 && st->shape[2] == 2 && st->data[1] == 1 && st->data[2] == 2);
}

static void test_losses_values(void)
{
    graph_reset(G);
    int s[2] = { 1, 2 };
    float p[2] = { 0.0f, 0.75f }, y[2] = { 1.0f, 1.0f };
    lt_tensor *b = op_bce(G, from(2, s, p), from(2, s, y), LT_SUM);
    CHECK_NEAR(b->data[0], 100.0 - log(0.75), 1e-4);     /* log 0 clamped at -100 */
    float z[2] = { -30.0f, 40.0f };
    lt_tensor *bl = op_bce_logits(G, from(2, s, z), op_scalar(G, 1.0f), LT_MEAN);
    CHECK_NEAR(bl->data[0], 15.0, 1e-4);                  /* stable at large |z| */
    float lv[2] = { 0.0f, log(2.0) }, mu[2] = { 1.0f, 0.0f };
    lt_tensor *kl = op_kl_gauss(G, from(2, s, mu), from(2, s, lv), LT_SUM);
    CHECK_NEAR(kl->data[0], 0.5 * (1 + 1 - 1 - 0) + 0.5 * (2 - 1 - log(2.0)), 1e-6);
    int s23[2] = { 2, 3 }, n = 2;
    float lg[6] = { 1, 2, 3, 1, 1, 1 }, lab[2] = { 2, 0 };
    lt_tensor *ce = op_cross_entropy(G, from(2, s23, lg), from(1, &n, lab), LT_MEAN);
    double e1 = -(3 - log(exp(1) + exp(2) + exp(3))), e2 = log(3.0);
    CHECK_NEAR(ce->data[0], (e1 + e2) / 2, 1e-5);
    int s21[2] = { 2, 1 };
    CHECK(op_bce_logits(G, from(2, s21, z), from(2, s23, lg), LT_MEAN) == NULL);
    CHECK_STR(lt_errmsg(), "bce_logits: target (2, 3) does not broadcast to input (2, 1)");
    CHECK(op_mse(G, from(2, s, p), from(2, s23, lg), LT_MEAN) == NULL);
    CHECK_STR(lt_errmsg(), "mse: input (1, 2) and target (2, 3) must have the same shape");
}

static void test_arena_reset(void)
{
    lt_graph *g = graph_new();
    int s[2] = { 512, 1024 };
    for (int i = 0; i < 5; i++)          /* 2 MB each: several blocks */
        graph_tensor(g, 2, s);
    CHECK(graph_arena_used(g) >= 10u << 20);
    graph_reset(g);
    size_t after = graph_arena_bytes(g);
    CHECK(graph_arena_used(g) == 0 && after >= 10u << 20);
    for (int i = 0; i < 5; i++)
        graph_tensor(g, 2, s);
    graph_reset(g);
    CHECK(graph_arena_bytes(g) == after);   /* merged into one block: no growth */
    graph_free(g);
}

int main(void)
{
    G = graph_new();
    RUN(test_heap_refcount);
    RUN(test_views_share);
    RUN(test_wrap);
    RUN(test_broadcast_values);
    RUN(test_reduction_values);
    RUN(test_schedules);
    RUN(test_indexing);
    RUN(test_concat_stack);
    RUN(test_losses_values);
    RUN(test_arena_reset);
    graph_free(G);
    return check_summary("tensor");
}
