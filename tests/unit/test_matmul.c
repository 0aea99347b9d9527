/* test_matmul.c: the sgemm path against the naive reference (odd sizes, transposes,
 * padded rows, accumulation) and op_matmul / op_linear on views. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "graph.h"
#include "ops.h"
#include "rng.h"
#include "tensor.h"

static rng R;

static double max_diff(const float *a, const float *b, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs((double)a[i] - b[i]));
    return m;
}

static void test_sgemm_vs_naive(void)
{
    int sizes[][3] = { { 1, 1, 1 }, { 3, 5, 7 }, { 17, 1, 33 }, { 65, 31, 129 }, { 128, 20, 256 } };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                int M = sizes[s][0], N = sizes[s][1], K = sizes[s][2];
                int lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 2, ldc = N + 1;
                size_t na = (size_t)(ta ? K : M) * lda, nb = (size_t)(tb ? N : K) * ldb;
                float *A = malloc(na * sizeof *A), *B = malloc(nb * sizeof *B);
                float *C1 = malloc((size_t)M * ldc * sizeof *C1), *C2 = malloc((size_t)M * ldc * sizeof *C2);
                rng_fill_uniform(&R, A, na, -1, 1);
                rng_fill_uniform(&R, B, nb, -1, 1);
                rng_fill_uniform(&R, C1, (size_t)M * ldc, -1, 1);
                memcpy(C2, C1, (size_t)M * ldc * sizeof *C1);
                sgemm(ta, tb, M, N, K, 0.5f, A, lda, B, ldb, 1.0f, C1, ldc);
                sgemm_naive(ta, tb, M, N, K, 0.5f, A, lda, B, ldb, 1.0f, C2, ldc);
                double d = max_diff(C1, C2, (size_t)M * ldc);
                if (d > 1e-4)
                    fprintf(stderr, "sgemm %dx%dx%d ta=%d tb=%d: diff %g\n", M, N, K, ta, tb, d);
                CHECK(d <= 1e-4);
                free(A); free(B); free(C1); free(C2);
            }
}

/* op_matmul on a transposed view and on a column slice equals the naive product of the
 * same elements copied out */
static void test_matmul_views(void)
{
    lt_graph *g = graph_new();
    int as[2] = { 9, 6 }, bs[2] = { 11, 12 };
    lt_tensor *a = tensor_new(2, as), *b = tensor_new(2, bs);
    rng_fill_uniform(&R, a->data, 54, -1, 1);
    rng_fill_uniform(&R, b->data, 132, -1, 1);
    lt_tensor *at = op_transpose(g, a, 0, 1);                     /* (6, 9) */
    lt_tensor *bsl = op_slice(g, op_slice(g, b, 0, 2, 11, 1), 1, 1, 12, 2);   /* (9, 6) */
    lt_tensor *y = op_matmul(g, at, bsl);
    float ac[54], bc[54], ref[36];
    tensor_copy_out(at, ac);
    tensor_copy_out(bsl, bc);
    sgemm_naive(0, 0, 6, 6, 9, 1.0f, ac, 9, bc, 6, 0.0f, ref, 6);
    CHECK(y && y->shape[0] == 6 && y->shape[1] == 6);
    CHECK(max_diff(y->data, ref, 36) < 1e-5);
    /* a transposed slice of b: columns step 2 -> neither layout, so it is copied */
    lt_tensor *y2 = op_matmul(g, op_transpose(g, bsl, 0, 1), a);   /* (6,9)x(9,6) */
    tensor_copy_out(op_transpose(g, bsl, 0, 1), bc);
    sgemm_naive(0, 0, 6, 6, 9, 1.0f, bc, 9, a->data, 6, 0.0f, ref, 6);
    CHECK(max_diff(y2->data, ref, 36) < 1e-5);
    CHECK(op_matmul(g, a, a) == NULL);
    CHECK_STR(lt_errmsg(), "matmul: shapes (9, 6) and (9, 6) do not fit (need (M, K) and (K, N))");
    tensor_free(a);
    tensor_free(b);
    graph_free(g);
}

/* op_linear = x W^T + b then the activation, against the naive reference */
static void test_linear_vs_naive(void)
{
    lt_graph *g = graph_new();
    int xs[2] = { 13, 7 }, ws[2] = { 5, 7 }, bs[1] = { 5 };
    lt_tensor *x = tensor_new(2, xs), *w = tensor_new(2, ws), *b = tensor_new(1, bs);
    rng_fill_uniform(&R, x->data, 91, -1, 1);
    rng_fill_uniform(&R, w->data, 35, -1, 1);
    rng_fill_uniform(&R, b->data, 5, -1, 1);
    float ref[65];
    sgemm_naive(0, 1, 13, 5, 7, 1.0f, x->data, 7, w->data, 7, 0.0f, ref, 5);
    for (int i = 0; i < 65; i++)
        ref[i] = 1.0f / (1.0f + expf(-(ref[i] + b->data[i % 5])));
    lt_tensor *y = op_linear(g, x, w, b, LT_ACT_SIGMOID, 0, NULL);
    CHECK(y && max_diff(y->data, ref, 65) < 1e-6);
    int badshape[2] = { 5, 4 };
    lt_tensor *bad = tensor_new(2, badshape);
    CHECK(op_linear(g, bad, w, b, LT_ACT_NONE, 0, "linear(7, 5)") == NULL);
    CHECK_STR(lt_errmsg(), "linear(7, 5): expected input (B, 7), got (5, 4)");
    tensor_free(bad);
    tensor_free(x); tensor_free(w); tensor_free(b);
    graph_free(g);
}

/* products above the small-flops bound go through the adaptive 1-or-all threads path:
 * every call, whichever it picks, must give the reference's result */
static void test_adaptive_threads(void)
{
    int M = 128, N = 256, K = 200;   /* 13 MFLOP */
    float *A = malloc((size_t)M * K * sizeof *A), *B = malloc((size_t)K * N * sizeof *B);
    float *C = malloc((size_t)M * N * sizeof *C), *ref = malloc((size_t)M * N * sizeof *ref);
    rng_fill_uniform(&R, A, (size_t)M * K, -1, 1);
    rng_fill_uniform(&R, B, (size_t)K * N, -1, 1);
    sgemm_naive(0, 0, M, N, K, 1.0f, A, K, B, N, 0.0f, ref, N);
    int ok = 1;
    sgemm_set_adaptive_threads(1);
    for (int i = 0; i < 12; i++) {
        sgemm(0, 0, M, N, K, 1.0f, A, K, B, N, 0.0f, C, N);
        ok &= max_diff(C, ref, (size_t)M * N) < 1e-4;
    }
    sgemm_set_adaptive_threads(0);
    CHECK(ok);
    free(A); free(B); free(C); free(ref);
}

static void test_threads(void)
{
    int old = pool_get_threads();
    sgemm_set_threads(1);
    CHECK(pool_get_threads() == 1);
    float A[4] = { 1, 2, 3, 4 }, C[4];
    sgemm(0, 0, 2, 2, 2, 1.0f, A, 2, A, 2, 0.0f, C, 2);
    CHECK(C[0] == 7 && C[3] == 22);
    sgemm_set_threads(old);
    CHECK(pool_get_threads() == old);
}

int main(void)
{
    rng_seed(&R, 3);
    RUN(test_sgemm_vs_naive);
    RUN(test_matmul_views);
    RUN(test_linear_vs_naive);
    RUN(test_adaptive_threads);
    RUN(test_threads);
    return check_summary("matmul");
}
