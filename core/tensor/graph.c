/* graph.c: the arena, the tape, backward over requested parameters, gradient checking. */
/* Let GCC vectorise the element loops at -O2 (its default "very cheap" model skips any
 * loop whose length is unknown, i.e. all of them; no-trapping-math lets it turn the
 * selects of relu-like loops into vector blends. We never use floating-point traps). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("vect-cost-model=dynamic", "no-trapping-math")
#endif
#include "graph.h"
#include "mem.h"

#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define ARENA_ALIGN 64
#define ARENA_MIN_BLOCK (1u << 20)
/* the arena graph_reset keeps when not recording, at most */
#define ARENA_IDLE_KEEP ((size_t)32 << 20)
/* Blocks of at least ARENA_HUGE bytes are aligned to it and offered to the kernel's
 * transparent huge pages: a U-Net step streams hundreds of MB through the arena, and
 * 2 MB pages take 512 times fewer TLB entries and first-touch faults. */
#define ARENA_HUGE ((size_t)2 << 20)

typedef struct arena_block {
    char *mem;       /* (cap) bytes, ARENA_ALIGN-aligned */
    size_t cap, used;
} arena_block;

/* A dead gradient buffer of the arena, waiting to be handed out again. */
typedef struct free_buf {
    void *mem;
    size_t size;     /* bytes, a multiple of ARENA_ALIGN */
} free_buf;

struct lt_graph {
    arena_block *blocks;   /* (nblocks); allocation goes to the last one */
    int nblocks, cap_blocks;
    size_t used_total;     /* bytes handed out since the last reset */
    lt_tensor **tape;      /* (ntape) nodes and leaves in creation order */
    int ntape, cap_tape;
    int recording;
    int oom;               /* an allocation failed during backward */
    free_buf *freed;       /* (nfreed) dead gradient buffers, the last freed last */
    int nfreed, cap_freed;
    int reuse;             /* 1: backward recycles dead gradient buffers (default) */
    int in_backward;       /* 1 while a node's backward function runs */
    free_buf *scratch;     /* (nscratch) graph_scratch buffers of the running backward */
    int nscratch, cap_scratch;
};

/* ---- arena ------------------------------------------------------------------------------ */

/* 1: a block of at least cap bytes was added; 0: out of memory (no message); -1: over
 * the memory limit (mem_reserve's message). */
static int arena_add_block(lt_graph *g, size_t cap)
{
    if (g->nblocks == g->cap_blocks) {
        int nc = g->cap_blocks ? 2 * g->cap_blocks : 8;
        arena_block *nb = realloc(g->blocks, nc * sizeof *nb);
        if (!nb)
            return 0;
        g->blocks = nb;
        g->cap_blocks = nc;
    }
    size_t align = cap >= 2 * ARENA_HUGE ? ARENA_HUGE : ARENA_ALIGN;
    cap = (cap + align - 1) / align * align;
    if (mem_reserve(cap, "tensor") != LT_OK)
        return -1;
    char *mem = aligned_alloc(align, cap);
    if (!mem) {
        mem_release(cap);
        return 0;
    }
#ifdef MADV_HUGEPAGE
    if (align == ARENA_HUGE)
        madvise(mem, cap, MADV_HUGEPAGE);   /* a hint: failure changes nothing */
#endif
    g->blocks[g->nblocks++] = (arena_block){ mem, cap, 0 };
    return 1;
}

static void arena_free_block(arena_block *b)
{
    mem_release(b->cap);
    free(b->mem);
}

void *graph_alloc(lt_graph *g, size_t size)
{
    size = (size + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
    if (size == 0)
        size = ARENA_ALIGN;
    arena_block *b = g->nblocks ? &g->blocks[g->nblocks - 1] : NULL;
    if (!b || b->cap - b->used < size) {
        size_t cap = b ? 2 * b->cap : ARENA_MIN_BLOCK;
        if (cap < size)
            cap = size;
        int added = arena_add_block(g, cap);
        if (added != 1 && cap > size)   /* the doubled block may not fit where size does */
            added = arena_add_block(g, size);
        if (added != 1) {
            if (added == 0)
                lt_fail(LT_ERR_NOMEM, "graph: out of memory (%zu bytes)", size);
            return NULL;
        }
        b = &g->blocks[g->nblocks - 1];
    }
    void *p = b->mem + b->used;
    b->used += size;
    g->used_total += size;
    return p;
}

lt_graph *graph_new(void)
{
    lt_graph *g = calloc(1, sizeof *g);
    if (!g) {
        lt_fail(LT_ERR_NOMEM, "graph: out of memory");
        return NULL;
    }
    g->recording = 1;
    g->reuse = 1;
    return g;
}

void graph_free(lt_graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->nblocks; i++)
        arena_free_block(&g->blocks[i]);
    free(g->blocks);
    free(g->tape);
    free(g->freed);
    free(g->scratch);
    free(g);
}

void graph_reset(lt_graph *g)
{
    /* not recording (plain evaluation between training loops): a big arena is given back
     * (it counts against the memory limit, mem.h), a small one kept */
    if (!g->recording && g->nblocks && graph_arena_bytes(g) > ARENA_IDLE_KEEP) {
        for (int i = 0; i < g->nblocks; i++)
            arena_free_block(&g->blocks[i]);
        g->nblocks = 0;
    }
    if (g->nblocks > 1) {
        /* one block for what this step used (one block wastes no block tails), and an
         * eighth more for steps that need a little more */
        size_t total = g->used_total + g->used_total / 8;
        for (int i = 0; i < g->nblocks; i++)
            arena_free_block(&g->blocks[i]);
        g->nblocks = 0;
        arena_add_block(g, total);   /* on failure the next alloc retries smaller */
    }
    if (g->nblocks)
        g->blocks[0].used = 0;
    g->used_total = 0;
    g->ntape = 0;
    g->oom = 0;
    g->nfreed = 0;
}

int graph_set_recording(lt_graph *g, int on)
{
    int old = g->recording;
    g->recording = on ? 1 : 0;
    return old;
}

int graph_recording(const lt_graph *g) { return g->recording; }

size_t graph_arena_bytes(const lt_graph *g)
{
    size_t s = 0;
    for (int i = 0; i < g->nblocks; i++)
        s += g->blocks[i].cap;
    return s;
}

size_t graph_arena_used(const lt_graph *g) { return g->used_total; }
int graph_tape_len(const lt_graph *g) { return g->ntape; }

/* ---- tensors in the arena ---------------------------------------------------------------- */

static lt_tensor *new_struct(lt_graph *g)
{
    lt_tensor *t = graph_alloc(g, sizeof *t);
    if (t)
        memset(t, 0, sizeof *t);
    return t;
}

/* t as a contiguous ndim-dimensional tensor over data (shape already checked) */
static lt_tensor *set_contiguous(lt_tensor *t, float *data, int ndim, const int *shape)
{
    t->data = data;
    t->ndim = ndim;
    for (int d = 0; d < LT_MAXDIM; d++)
        t->shape[d] = d < ndim ? shape[d] : 1;
    tensor_contiguous_strides(ndim, shape, t->stride);
    return t;
}

lt_tensor *graph_tensor(lt_graph *g, int ndim, const int *shape)
{
    size_t n;
    if (tensor_check_shape(ndim, shape, &n) != LT_OK)
        return NULL;
    lt_tensor *t = new_struct(g);
    float *data = t ? graph_alloc(g, n * sizeof(float)) : NULL;
    if (!data)
        return NULL;
    return set_contiguous(t, data, ndim, shape);
}

lt_tensor *graph_zeros(lt_graph *g, int ndim, const int *shape)
{
    lt_tensor *t = graph_tensor(g, ndim, shape);
    if (t)
        memset(t->data, 0, tensor_numel(t) * sizeof(float));
    return t;
}

lt_tensor *graph_view(lt_graph *g, const lt_tensor *x, float *data, int ndim,
                      const int *shape, const ptrdiff_t *stride)
{
    lt_tensor *t = new_struct(g);
    if (!t)
        return NULL;
    t->data = data;
    t->ndim = ndim;
    t->buf = x->buf;   /* borrowed: lets tensor_keep share instead of copy */
    for (int d = 0; d < LT_MAXDIM; d++) {
        t->shape[d] = d < ndim ? shape[d] : 1;
        t->stride[d] = d < ndim ? stride[d] : 1;
    }
    return t;
}

lt_tensor *graph_input(lt_graph *g, const lt_tensor *x)
{
    if (!x)
        return NULL;
    return graph_view(g, x, x->data, x->ndim, x->shape, x->stride);
}

lt_tensor *graph_wrap(lt_graph *g, float *data, int ndim, const int *shape)
{
    char b[64];
    if (ndim < 0 || ndim > LT_MAXDIM) {
        lt_fail(LT_ERR_SHAPE, "tensor: %d dimensions (at most %d)", ndim, LT_MAXDIM);
        return NULL;
    }
    for (int d = 0; d < ndim; d++)
        if (shape[d] < 0) {
            lt_fail(LT_ERR_SHAPE, "tensor: negative dimension in %s",
                    tensor_dims_str(ndim, shape, b, sizeof b));
            return NULL;
        }
    lt_tensor *t = new_struct(g);
    if (!t)
        return NULL;
    return set_contiguous(t, data, ndim, shape);
}

static int tape_push(lt_graph *g, lt_tensor *t)
{
    if (g->ntape == g->cap_tape) {
        int nc = g->cap_tape ? 2 * g->cap_tape : 256;
        lt_tensor **nt = realloc(g->tape, nc * sizeof *nt);
        if (!nt) {
            lt_fail(LT_ERR_NOMEM, "graph: out of memory for the tape");
            return 0;
        }
        g->tape = nt;
        g->cap_tape = nc;
    }
    g->tape[g->ntape++] = t;
    return 1;
}

lt_tensor *graph_record(lt_graph *g, lt_tensor *y, const lt_opdef *op,
                        lt_tensor *const *in, int nin)
{
    if (!y)
        return NULL;
    y->op = op;
    y->nin = nin;
    int rg = 0;
    for (int i = 0; i < nin && i < LT_MAXIN; i++) {
        y->in[i] = in[i];
        if (in[i] && in[i]->requires_grad)
            rg = 1;
    }
    if (g->recording && rg) {
        y->requires_grad = 1;
        if (!tape_push(g, y))
            return NULL;
    }
    return y;
}

lt_tensor *graph_param(lt_graph *g, const lt_param *p, int ndim, const int *shape)
{
    char b[64];
    size_t n = 1;
    for (int d = 0; d < ndim; d++)
        n *= (size_t)(shape[d] > 0 ? shape[d] : 0);
    if (ndim < 0 || ndim > LT_MAXDIM || n != p->n) {
        lt_fail(LT_ERR_SHAPE, "param %s: %zu values cannot have shape %s",
                p->name ? p->name : "?", p->n, tensor_dims_str(ndim, shape, b, sizeof b));
        return NULL;
    }
    lt_tensor *t = new_struct(g);
    if (!t)
        return NULL;
    t->data = p->w;
    t->ndim = ndim;
    for (int d = 0; d < LT_MAXDIM; d++)
        t->shape[d] = d < ndim ? shape[d] : 1;
    tensor_contiguous_strides(ndim, shape, t->stride);
    t->param = p;
    if (g->recording) {
        t->requires_grad = 1;
        t->grad = p->g;
        if (!tape_push(g, t))
            return NULL;
    }
    return t;
}

/* ---- backward --------------------------------------------------------------------------- */

/* bytes as graph_alloc rounds them */
static size_t arena_round(size_t size)
{
    size = (size + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
    return size ? size : ARENA_ALIGN;
}

/* Appends (mem, size rounded) to the list *v of *n entries and capacity *cap; 0 if the
 * list cannot grow. */
static int buf_push(free_buf **v, int *n, int *cap, void *mem, size_t size)
{
    if (*n == *cap) {
        int nc = *cap ? 2 * *cap : 64;
        free_buf *nv = realloc(*v, nc * sizeof *nv);
        if (!nv)
            return 0;
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = (free_buf){ mem, arena_round(size) };
    return 1;
}

/* Puts a dead buffer of size bytes on the free list (if the list cannot grow, the buffer
 * is simply not reused). */
static void grad_release(lt_graph *g, void *mem, size_t size)
{
    buf_push(&g->freed, &g->nfreed, &g->cap_freed, mem, size);
}

/* The most recently freed buffer of exactly size bytes (still warm in the caches), taken
 * off the list, or fresh arena memory; NULL when out of memory. */
static void *grad_take(lt_graph *g, size_t size)
{
    size_t want = arena_round(size);
    for (int i = g->nfreed - 1; i >= 0; i--)
        if (g->freed[i].size == want) {
            void *mem = g->freed[i].mem;
            g->freed[i] = g->freed[--g->nfreed];
            return mem;
        }
    return graph_alloc(g, size);
}

void *graph_scratch(lt_graph *g, size_t size)
{
    if (!g->in_backward || !g->reuse)
        return graph_alloc(g, size);
    void *mem = grad_take(g, size);
    if (mem && !buf_push(&g->scratch, &g->nscratch, &g->cap_scratch, mem, size))
        return mem;   /* not recycled, still good */
    if (!mem)
        g->oom = 1;
    return mem;
}

int graph_set_grad_reuse(lt_graph *g, int on)
{
    int old = g->reuse;
    g->reuse = on ? 1 : 0;
    return old;
}

float *graph_grad_fresh(lt_graph *g, lt_tensor *x, int *fresh)
{
    *fresh = 0;
    if (!x || !x->needed)
        return NULL;
    if (!x->grad) {
        x->grad = grad_take(g, tensor_numel(x) * sizeof(float));
        if (!x->grad) {
            g->oom = 1;
            return NULL;
        }
        *fresh = 1;
    }
    return x->grad;
}

float *graph_grad(lt_graph *g, lt_tensor *x)
{
    int fresh;
    float *d = graph_grad_fresh(g, x, &fresh);
    if (d && fresh)
        memset(d, 0, tensor_numel(x) * sizeof(float));
    return d;
}

static int requested(const lt_param *p, const lt_param *ps, int nps)
{
    for (int i = 0; i < nps; i++)
        if (ps[i].w == p->w)
            return 1;
    return 0;
}

/* Marks what leads to a requested leaf and clears intermediate gradients. */
static void mark_needed(lt_graph *g, const lt_param *ps, int nps)
{
    for (int i = 0; i < g->ntape; i++) {
        lt_tensor *t = g->tape[i];
        if (!t->op) {
            t->needed = t->param && requested(t->param, ps, nps);
            continue;
        }
        t->grad = NULL;
        t->needed = 0;
        for (int k = 0; k < t->nin && k < LT_MAXIN; k++)
            if (t->in[k] && t->in[k]->requires_grad && t->in[k]->needed)
                t->needed = 1;
    }
}

/* An allocation of backward failed: its message (the memory limit's, or the machine's)
 * says why; keep it. */
static lt_status backward_oom(void)
{
    char cause[1024];
    snprintf(cause, sizeof cause, "%s", lt_errmsg());
    return lt_fail(LT_ERR_NOMEM, "backward: %s", cause);
}

lt_status graph_backward_from(lt_graph *g, lt_tensor *y, const float *dy,
                              const lt_param *ps, int nps)
{
    if (!y)
        return lt_fail(LT_ERR_VALUE, "backward: no loss (an earlier op failed)");
    if (!y->requires_grad)
        return lt_fail(LT_ERR_VALUE, "backward: the loss depends on no parameter (computed "
                       "without recording, or detached?)");
    int on_tape = 0;
    for (int i = g->ntape - 1; i >= 0 && !on_tape; i--)
        on_tape = g->tape[i] == y;
    if (!on_tape)
        return lt_fail(LT_ERR_VALUE, "backward: the loss was not recorded on this graph "
                       "(or the graph was reset since)");
    mark_needed(g, ps, nps);
    for (int i = 0; i < g->ntape; i++) {   /* the blocks this backward adds into */
        const lt_param *p = g->tape[i]->op ? NULL : g->tape[i]->param;
        if (p && g->tape[i]->needed && p->writes)
            ++*p->writes;
    }
    if (!y->needed)
        return LT_OK;
    size_t n = tensor_numel(y);
    float *gy = graph_grad(g, y);
    if (!gy)
        return backward_oom();
    for (size_t i = 0; i < n; i++)
        gy[i] += dy[i];
    for (int i = g->ntape - 1; i >= 0; i--) {
        lt_tensor *t = g->tape[i];
        if (t->op && t->needed && t->grad) {
            g->in_backward = 1;
            t->op->backward(g, t);
            g->in_backward = 0;
            for (int k = g->nscratch - 1; k >= 0; k--)   /* LIFO: first taken back first */
                grad_release(g, g->scratch[k].mem, g->scratch[k].size);
            g->nscratch = 0;
            /* every consumer of t came later on the tape and has run: t's gradient is
             * dead, its memory can hold an earlier node's */
            if (g->reuse) {
                grad_release(g, t->grad, tensor_numel(t) * sizeof(float));
                t->grad = NULL;
            }
        }
    }
    /* intermediate gradients must not leak into a later backward of the same tape */
    if (g->oom)
        return backward_oom();
    return LT_OK;
}

lt_status graph_backward(lt_graph *g, lt_tensor *loss, const lt_param *ps, int nps)
{
    char b[64];
    if (!loss)
        return lt_fail(LT_ERR_VALUE, "backward: no loss (an earlier op failed)");
    if (tensor_numel(loss) != 1)
        return lt_fail(LT_ERR_SHAPE, "backward: the loss must be one number, got shape %s",
                       tensor_shape_str(loss, b, sizeof b));
    float one = 1.0f;
    return graph_backward_from(g, loss, &one, ps, nps);
}

void graph_zero_grad(const lt_param *ps, int nps)
{
    for (int i = 0; i < nps; i++)
        if (ps[i].g)
            memset(ps[i].g, 0, ps[i].n * sizeof(float));
}

/* ---- gradient checking ------------------------------------------------------------------- */

#define CHECK_MAXIN 16

static double weighted_sum(const lt_tensor *y, const float *r)
{
    size_t n = tensor_numel(y);
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)r[i] * tensor_get(y, i);
    return s;
}

/* f on leaves over the blocks p (shaped like in), in a freshly reset g; NULL on failure */
static lt_tensor *check_eval(graph_check_fn f, void *ctx, lt_graph *g, lt_param *p,
                             lt_tensor **in, int n)
{
    graph_reset(g);
    lt_tensor *leaf[CHECK_MAXIN];
    for (int k = 0; k < n; k++)
        if (!(leaf[k] = graph_param(g, &p[k], in[k]->ndim, in[k]->shape)))
            return NULL;
    return f(g, leaf, n, ctx);
}

/* fixed weights r (ny) in +-[0.5, 1.5), so no output's gradient cancels another's */
static void check_weights(float *r, size_t ny)
{
    uint64_t s = 12345;
    for (size_t i = 0; i < ny; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(s >> 11) * 0x1.0p-53;
        r[i] = (float)((u < 0.5 ? -1.0 : 1.0) * (0.5 + u));
    }
}

/* the analytic gradient of L into p[k].g for the wanted inputs; *r gets the weights */
static lt_status check_analytic(graph_check_fn f, void *ctx, lt_graph *g, lt_param *p,
                                lt_tensor **in, int n, const int *want, float **r)
{
    lt_param req[CHECK_MAXIN];
    int nreq = 0;
    for (int k = 0; k < n; k++)
        if (!want || want[k])
            req[nreq++] = p[k];
    lt_tensor *y = check_eval(f, ctx, g, p, in, n);
    if (!y)
        return LT_ERR_VALUE;
    size_t ny = tensor_numel(y);
    if (!(*r = malloc((ny + 1) * sizeof(float))))
        return lt_fail(LT_ERR_NOMEM, "check_grad: out of memory");
    check_weights(*r, ny);
    return graph_backward_from(g, y, *r, req, nreq);
}

lt_status graph_check_grad(graph_check_fn f, void *ctx, lt_tensor **in, int n,
                           const int *want, float eps, double *max_err,
                           int *where_in, size_t *where_i)
{
    if (n < 1 || n > CHECK_MAXIN)
        return lt_fail(LT_ERR_VALUE, "check_grad: 1 to %d inputs, got %d", CHECK_MAXIN, n);
    lt_graph *g = graph_new();
    lt_param p[CHECK_MAXIN];
    memset(p, 0, sizeof p);
    lt_status st = g ? LT_OK : LT_ERR_NOMEM;
    for (int k = 0; k < n && st == LT_OK; k++) {   /* inputs copied into parameter blocks */
        p[k] = (lt_param){ malloc((tensor_numel(in[k]) + 1) * sizeof(float)),
                           calloc(tensor_numel(in[k]) + 1, sizeof(float)), tensor_numel(in[k]), "input", NULL };
        if (!p[k].w || !p[k].g)
            st = lt_fail(LT_ERR_NOMEM, "check_grad: out of memory");
        else
            tensor_copy_out(in[k], p[k].w);
    }
    float *r = NULL;
    if (st == LT_OK)
        st = check_analytic(f, ctx, g, p, in, n, want, &r);
    double worst = 0.0;
    int wi = -1;
    size_t wj = 0;
    if (g)
        graph_set_recording(g, 0);   /* the numeric side needs no tape */
    for (int k = 0; k < n && st == LT_OK; k++)
        for (size_t i = 0; i < p[k].n && st == LT_OK && (!want || want[k]); i++) {
            float keep = p[k].w[i];
            double l[2];
            for (int side = 0; side < 2 && st == LT_OK; side++) {
                p[k].w[i] = side ? keep - eps : keep + eps;
                lt_tensor *y = check_eval(f, ctx, g, p, in, n);
                if (!y)
                    st = LT_ERR_VALUE;
                else
                    l[side] = weighted_sum(y, r);
            }
            p[k].w[i] = keep;
            double num = st == LT_OK ? (l[0] - l[1]) / (2.0 * eps) : 0.0;
            double err = fabs(p[k].g[i] - num) / fmax(1e-2, fabs(num));
            if (err > worst || wi < 0) {
                worst = err;
                wi = k;
                wj = i;
            }
        }
    if (max_err)
        *max_err = worst;
    if (where_in)
        *where_in = wi;
    if (where_i)
        *where_i = wj;
    for (int k = 0; k < n; k++) {
        free(p[k].w);
        free(p[k].g);
    }
    free(r);
    graph_free(g);
    return st;
}
