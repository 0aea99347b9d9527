/* test_graph_mem.c: the graph's memory: the arena block merged after a multi-block step
 * holds what the step used (not the sum of doubled blocks) and then stays put; backward
 * recycles dead gradients and graph_scratch buffers (the same memory comes back, warm),
 * with the same gradients as without recycling. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "graph.h"
#include "ops.h"
#include "tensor.h"

/* After a step that needed several blocks, reset merges them into one block of the
 * step's use plus at most an eighth (and huge-page rounding); the same step again
 * allocates nothing. */
static void test_arena_merge(void)
{
    lt_graph *g = graph_new();
    size_t bytes[3];
    for (int step = 0; step < 3; step++) {
        graph_reset(g);
        for (int k = 0; k < 40; k++)   /* 40 x 256 KB = 10 MB: several doubling blocks */
            CHECK(graph_alloc(g, 256 * 1024) != NULL);
        size_t used = graph_arena_used(g);
        bytes[step] = graph_arena_bytes(g);
        CHECK(used == (size_t)40 * 256 * 1024);
        CHECK(bytes[step] >= used);
        if (step > 0)   /* merged at the first reset: what step 0 used, an eighth more */
            CHECK(bytes[step] <= used + used / 8 + ((size_t)2 << 20));
    }
    CHECK(bytes[0] > bytes[1]);    /* the doubled blocks held more */
    CHECK(bytes[2] == bytes[1]);   /* and then nothing new */
    graph_free(g);
}

/* A test op y = x whose backward takes a scratch buffer and records where it was. */
static float *scratch_seen[8];
static int nseen;

static void scratchy_backward(lt_graph *g, lt_tensor *y)
{
    float *s = graph_scratch(g, 1000 * sizeof(float));
    float *dx = graph_grad(g, y->in[0]);
    if (nseen < 8)
        scratch_seen[nseen++] = s;
    size_t n = tensor_numel(y);
    for (size_t i = 0; s && dx && i < n; i++) {
        s[i % 1000] = y->grad[i];   /* use it */
        dx[i] += s[i % 1000];
    }
}

static const lt_opdef scratchy_def = { "scratchy", scratchy_backward };

static lt_tensor *op_scratchy(lt_graph *g, lt_tensor *x)
{
    lt_tensor *y = graph_tensor(g, x->ndim, x->shape);
    if (!y)
        return NULL;
    memcpy(y->data, x->data, tensor_numel(x) * sizeof(float));
    lt_tensor *in[1] = { x };
    return graph_record(g, y, &scratchy_def, in, 1);
}

/* loss = sum(scratchy(scratchy(x * 2) * 3)) with and without recycling: the same
 * gradient; with recycling the second scratch buffer is the first one again, the
 * intermediate gradients (all 4096 floats) share memory, and backward uses less arena. */
static void test_recycling(void)
{
    enum { N = 4096 };
    static float w[N], gw[2][N];
    for (int i = 0; i < N; i++)
        w[i] = (float)(i % 17) - 8.0f;
    size_t bwd_used[2];
    float *seen[2][2];
    for (int reuse = 0; reuse < 2; reuse++) {
        lt_param p = { w, gw[reuse], N, "w", NULL };
        lt_graph *g = graph_new();
        graph_set_grad_reuse(g, reuse);
        int n = N;
        lt_tensor *x = graph_param(g, &p, 1, &n);
        lt_tensor *loss = op_sum(g, op_scratchy(g, op_affine(g, op_scratchy(g, op_affine(g, x, 2.0f, 0.0f)),
                                                        3.0f, 0.0f)));
        size_t fwd = graph_arena_used(g);
        nseen = 0;
        CHECK(loss && graph_backward(g, loss, &p, 1) == LT_OK);
        bwd_used[reuse] = graph_arena_used(g) - fwd;
        CHECK(nseen == 2);
        seen[reuse][0] = scratch_seen[0];
        seen[reuse][1] = scratch_seen[1];
        graph_free(g);
    }
    CHECK(memcmp(gw[0], gw[1], sizeof gw[0]) == 0);
    CHECK_NEAR(gw[1][5], 6.0, 0.0);   /* d/dw of sum(6 w) */
    CHECK(seen[0][0] != seen[0][1]);   /* fresh memory each time */
    CHECK(seen[1][0] == seen[1][1]);   /* the same buffer again */
    CHECK(bwd_used[1] < bwd_used[0]);
    CHECK(bwd_used[1] <= (size_t)3 * N * sizeof(float));   /* ~ two gradients and a scratch */
}

int main(void)
{
    RUN(test_arena_merge);
    RUN(test_recycling);
    return check_summary("graph_mem");
}
