/* test_par.c: the element loops over threads (core/compute/par.h): every element once, sums that
 * do not depend on the thread count, and a training step (products, ops, optimizer)
 * whose results are the same bit for bit on 1, 2 and 3 threads. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pool.h"
#include "cpu.h"
#include "graph.h"
#include "nn.h"
#include "ops.h"
#include "optim.h"
#include "par.h"
#include "rng.h"
#include "tensor.h"

static const size_t SIZES[] = { 0, 1, 15, 16, 17, 1000, 65535, 65536, 65537, 200003 };
#define NSIZES (sizeof SIZES / sizeof SIZES[0])

static void count_body(void *c, size_t lo, size_t hi)
{
    int *hits = c;
    for (size_t i = lo; i < hi; i++)
        hits[i]++;
}

/* every element exactly once, whatever n, min and the thread count */
static void test_range_covers(void)
{
    int *hits = malloc(200003 * sizeof *hits);
    for (int t = 1; t <= 4; t++) {
        sgemm_set_threads(t);
        for (size_t k = 0; k < NSIZES; k++)
            for (size_t min = 1; min <= PAR_MIN; min *= PAR_MIN) {
                size_t n = SIZES[k], bad = 0;
                memset(hits, 0, 200003 * sizeof *hits);
                par_range(n, min, count_body, hits);
                for (size_t i = 0; i < n; i++)
                    bad += hits[i] != 1;
                CHECK(bad == 0);
            }
    }
    free(hits);
}

static double sum_body(void *c, size_t lo, size_t hi)
{
    return par_dsum((const float *)c + lo, hi - lo);
}

/* par_sum: identical bits on 1, 2, 3 and 8 threads; close to a plain double sum */
static void test_sum_same_bits(void)
{
    size_t n = 300001;
    float *x = malloc(n * sizeof *x);
    rng r;
    rng_seed(&r, 7);
    rng_fill_normal(&r, x, n, 0.5f, 3.0f);
    for (size_t k = 0; k < NSIZES; k++) {
        size_t m = SIZES[k];
        double ref = 0.0, first = 0.0;
        for (size_t i = 0; i < m; i++)
            ref += x[i];
        int ts[4] = { 1, 2, 3, 8 };
        for (int t = 0; t < 4; t++) {
            sgemm_set_threads(ts[t]);
            double s = par_sum(m, sum_body, x);
            if (t == 0)
                first = s;
            CHECK(memcmp(&s, &first, sizeof s) == 0);
            CHECK_NEAR(s, ref, 1e-9 * (1.0 + m));
        }
    }
    /* the block sums themselves */
    double sq = 0.0;
    for (size_t i = 0; i < 1001; i++) {
        double d = (double)x[i] - x[i + 1001];
        sq += d * d;
    }
    CHECK_NEAR(par_dsqdiff(x, x + 1001, 1001), sq, 1e-9 * sq);
    CHECK(par_dsum(x, 0) == 0.0 && par_dsqdiff(x, x, 5) == 0.0);
    free(x);
}

static void nested_task(void *c, int i, int thread)
{
    (void)thread;
    int *hits = c;
    par_range(70000, 1, count_body, hits + (size_t)i * 70000);
}

/* a parallel loop inside a pool task runs inline instead of waiting for itself */
static void test_nested(void)
{
    sgemm_set_threads(2);
    int *hits = calloc(4 * 70000, sizeof *hits);
    pool_for(4, nested_task, hits);
    size_t bad = 0;
    for (size_t i = 0; i < 4 * 70000; i++)
        bad += hits[i] != 1;
    CHECK(bad == 0);
    free(hits);
}

/* One training step of a small MLP with every threaded loop (linear + sigmoid and
 * leaky ReLU, mul with broadcasting, exp, mse, bce, Adam); returns the floats of the
 * weights after the step and the losses, for comparing thread counts. */
static float *mlp_step(int threads, size_t *count)
{
    sgemm_set_threads(threads);
    rng r;
    rng_seed(&r, 3);
    lt_module *l1 = nn_linear(300, 400, &r), *l2 = nn_linear(400, 300, &r);
    lt_param ps[4];
    int np = nn_params(l1, ps, 4);
    np += nn_params(l2, ps + np, 4 - np);
    optim_opts o = optim_defaults(OPTIM_ADAM);
    optim *opt = optim_new(OPTIM_ADAM, ps, np, &o);
    lt_graph *g = graph_new();
    int xs[2] = { 256, 300 }, ss[2] = { 1, 400 };
    lt_tensor *x = op_sigmoid(g, op_randn(g, &r, 2, xs));
    lt_tensor *h = op_linear(g, x, graph_param(g, &ps[0], 2, (int[]){ 400, 300 }),
                             graph_param(g, &ps[1], 1, (int[]){ 400 }), LT_ACT_LEAKY_RELU,
                             0.2f, NULL);
    h = op_mul(g, op_exp(g, op_affine(g, h, 0.1f, 0.0f)), op_randn(g, &r, 2, ss));
    lt_tensor *y = op_linear(g, h, graph_param(g, &ps[2], 2, (int[]){ 300, 400 }),
                             graph_param(g, &ps[3], 1, (int[]){ 300 }), LT_ACT_SIGMOID, 0.0f,
                             NULL);
    lt_tensor *loss = op_add(g, op_mse(g, y, x, LT_MEAN), op_bce(g, y, x, LT_SUM));
    size_t n = 2 + opt->total;
    float *out = malloc(n * sizeof *out);
    CHECK(loss != NULL);
    optim_zero_grad(opt);
    CHECK(graph_backward(g, loss, ps, np) == LT_OK);
    optim_step(opt);
    out[0] = loss->data[0];
    out[1] = op_mse(g, y, x, LT_MEAN)->data[0];
    size_t k = 2;
    for (int i = 0; i < np; i++)
        for (size_t j = 0; j < ps[i].n; j++)
            out[k++] = ps[i].w[j];
    *count = n;
    graph_free(g);
    optim_free(opt);
    nn_free(l1);
    nn_free(l2);
    return out;
}

static void test_ops_same_bits(void)
{
    size_t n1, n2, n3;
    float *a = mlp_step(1, &n1), *b = mlp_step(2, &n2), *c = mlp_step(3, &n3);
    CHECK(n1 == n2 && n1 == n3);
    CHECK(memcmp(a, b, n1 * sizeof *a) == 0);
    CHECK(memcmp(a, c, n1 * sizeof *a) == 0);
    CHECK(a[0] > 0.0f && a[0] == a[0]);
    free(a);
    free(b);
    free(c);
}

int main(void)
{
    int t0 = pool_get_threads();
    /* every product threaded: cut over the pool by columns (tensor.h), the same bits */
    sgemm_set_small_flops(0);
    RUN(test_range_covers);
    RUN(test_sum_same_bits);
    RUN(test_nested);
    /* every ISA path this CPU has (cpu.h), each with its own kernels: the same bits on
     * 1, 2 and 3 threads on each */
    cpu_isa old = cpu_isa_get();
    for (int isa = cpu_isa_best(); isa >= CPU_ISA_GENERIC; isa--) {
        cpu_isa_set((cpu_isa)isa);
        printf("par: ISA path %s, OpenBLAS core %s\n", cpu_isa_name(isa), openblas_get_corename());
        RUN(test_ops_same_bits);
    }
    cpu_isa_set(old);
    sgemm_set_threads(t0);
    sgemm_set_small_flops(8e6);
    return check_summary("par");
}
