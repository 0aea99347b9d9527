/* bi_score.c: score(samples, data=), permutation(n, seed=) and shift(x, pixels=)
 * (see bi_score.h). The statistics are core/info/score.c's; this file loads the
 * classifiers, runs them over the samples and shows the result as a table. */
#include "bi_score.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "args.h"
#include "data.h"
#include "diag.h"
#include "mt.h"
#include "bi_net.h"
#include "score.h"
#include "bi_tensor.h"

enum {
    SC_HELD_OUT = 1000,   /* real images the features are compared with        */
    SC_CHUNK = 250,       /* samples per forward pass (bounds the graph's arena) */
    SC_MAXK = 10,         /* classes                                          */
    SC_MAXLEAF = 64       /* layers of a classifier                           */
};

/* ---- the data sets a scorer exists for ------------------------------------------ */

typedef struct sc_kind {
    const char *name;              /* data="mnist"                              */
    const char *file;              /* its checkpoint in share/models            */
    const char *what;              /* "digits": what the held-out images are    */
    const char *const *classes;    /* (SC_MAXK) short class names               */
} sc_kind;

static const char *const sc_digits[SC_MAXK] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
static const char *const sc_fashion[SC_MAXK] = {"top", "trouser", "pullover", "dress", "coat",
                                                "sandal", "shirt", "sneaker", "bag", "boot"};
static const sc_kind sc_kinds[] = {
    {"mnist", "mnist-scorer.ltw", "digits", sc_digits},
    {"fashion", "fashion-scorer.ltw", "Fashion-MNIST images", sc_fashion},
};
enum { SC_NKINDS = sizeof sc_kinds / sizeof sc_kinds[0] };

/* ---- a loaded scorer --------------------------------------------------------------- */

typedef struct sc_model {
    value net;                       /* the classifier (a network value), one reference */
    lt_module *leaf[SC_MAXLEAF];     /* its layers in order (nested seqs flattened); the
                                        last maps the features (B, d) to logits (B, k) */
    int nleaf;
    score_gauss ref;                 /* the Gaussian of the held-out images' features */
} sc_model;

typedef struct sc_cache {
    sc_model *m[SC_NKINDS];          /* NULL until first used */
} sc_cache;

static void sc_model_free(sc_model *m)
{
    if (!m) return;
    val_decref(m->net);
    score_gauss_free(&m->ref);
    free(m);
}

static void sc_cache_free(sc_cache *c)
{
    if (!c) return;
    for (int i = 0; i < SC_NKINDS; i++) sc_model_free(c->m[i]);
    free(c);
}

static int sc_core_fail(bi_args *a, lt_status st)
{
    return bi_fail(a, NULL, lt_status_name(st), "%s", lt_errmsg());
}

/* Appends the layers of m in the order they run, looking through seq(...) and shared layers. */
static int sc_leaves(lt_module *m, sc_model *sm)
{
    m = nv_unshare(m);
    int n;
    lt_module **kids = nn_seq_children(m, &n);
    if (!kids) {
        if (sm->nleaf == SC_MAXLEAF) return -1;
        sm->leaf[sm->nleaf++] = m;
        return 0;
    }
    for (int i = 0; i < n; i++)
        if (sc_leaves(kids[i], sm) < 0) return -1;
    return 0;
}

/* Runs the classifier over x (n, 784), n >= 1, in chunks: *f becomes a new malloc'd
 * array of the features (n, *d) (the caller frees it; NULL after a failure), and the
 * logits go into lg (n, SC_MAXK) unless lg is NULL. Stops at an interrupt. */
static int sc_run(bi_args *a, sc_model *m, float *x, int n, float **f, int *d, float *lg)
{
    lt_graph *g = a->s->tc->g;
    *f = NULL;
    for (int i0 = 0; i0 < n; i0 += SC_CHUNK) {
        int b = n - i0 < SC_CHUNK ? n - i0 : SC_CHUNK, shape[2] = {b, 784};
        if (sess_poll(a->s, a->call) < 0) { free(*f); *f = NULL; return -1; }
        lt_tensor *h = graph_wrap(g, x + (size_t)i0 * 784, 2, shape);
        for (int l = 0; h && l < m->nleaf - 1; l++) h = nn_forward(m->leaf[l], g, h);
        lt_tensor *y = h ? nn_forward(m->leaf[m->nleaf - 1], g, h) : NULL;
        if (!y || h->ndim != 2 || y->ndim != 2 || y->shape[1] != SC_MAXK) {
            tc_reset(a->s);
            free(*f);
            *f = NULL;
            return bi_fail(a, NULL, "ValueError", "score: the classifier does not map (B, 784) to features (B, d) "
                           "and logits (B, %d)%s%s", SC_MAXK, y ? "" : ": ", y ? "" : lt_errmsg());
        }
        if (!*f) {
            *d = h->shape[1];
            *f = malloc((size_t)n * *d * sizeof **f);
            if (!*f) { tc_reset(a->s); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
        }
        tensor_copy_out(h, *f + (size_t)i0 * *d);
        if (lg) tensor_copy_out(y, lg + (size_t)i0 * SC_MAXK);
        tc_reset(a->s);
    }
    return 0;
}

/* The Gaussian of the classifier's features of the held-out images of kind k. */
static int sc_reference(bi_args *a, const sc_kind *k, sc_model *m)
{
    lt_dataset ds;
    lt_status st = k == &sc_kinds[0] ? data_mnist(&ds) : data_fashion_mnist(&ds, 0);
    if (st != LT_OK) return sc_core_fail(a, st);
    int *perm = malloc((size_t)ds.n * sizeof *perm);
    float *x = malloc((size_t)SC_HELD_OUT * 784 * sizeof *x), *f = NULL;
    int d = 0, rc = -1;
    if (!perm || !x || ds.n < SC_HELD_OUT || ds.d != 784) {
        rc = bi_fail(a, NULL, perm && x ? "ValueError" : "MemoryError", perm && x ?
                     "score: the %s data set has %d images of %d pixels, not 10,000 of 784" : "out of memory",
                     k->name, ds.n, ds.d);
    } else {
        mt_permutation(0, perm, ds.n);
        for (int i = 0; i < SC_HELD_OUT; i++) memcpy(x + (size_t)i * 784, ds.x + (size_t)perm[i] * 784, 784 * sizeof *x);
        if (sc_run(a, m, x, SC_HELD_OUT, &f, &d, NULL) == 0) {
            st = score_gauss_fit(f, SC_HELD_OUT, d, &m->ref);
            rc = st == LT_OK ? 0 : sc_core_fail(a, st);
        }
    }
    free(f);
    free(x);
    free(perm);
    data_free(&ds);
    return rc;
}

/* Loads the checkpoint through the language's load(path), as a user would. */
static int sc_load_net(bi_args *a, const char *path, value *out)
{
    val_str *p = val_str_new(path, strlen(path));
    if (!p) return bi_fail(a, NULL, "MemoryError", "out of memory");
    value pv = STR_VAL(p);
    ast_node *at = (ast_node *)a->call;
    bi_args la = {a->s, a->call, 1, &pv, &at, 0, NULL, NULL};
    int st = reg_call(reg_find(a->s->reg, "load"), &la, out);
    val_decref(pv);
    if (st == 0 && !nv_is(*out)) {
        val_decref(*out);
        return bi_fail(a, NULL, "ValueError", "score: %s holds %s %s, not a classifier network", path, val_a(*out), val_type_name(*out));
    }
    return st;
}

/* The session's scorer for kind k, loaded on first use. */
static int sc_model_get(bi_args *a, int k, sc_model **out)
{
    lt_session *s = a->s;
    if (!s->scorers && !(s->scorers = calloc(1, sizeof *s->scorers)))
        return bi_fail(a, NULL, "MemoryError", "out of memory");
    if ((*out = s->scorers->m[k])) return 0;
    char path[4096];
    lt_status st = score_model_path(sc_kinds[k].file, path, sizeof path);
    if (st != LT_OK) return sc_core_fail(a, st);
    sc_model *m = calloc(1, sizeof *m);
    if (!m) return bi_fail(a, NULL, "MemoryError", "out of memory");
    if (sc_load_net(a, path, &m->net) < 0) { free(m); return -1; }
    if (sc_leaves(nv_module(m->net), m) < 0 || m->nleaf < 2) {
        sc_model_free(m);
        return bi_fail(a, NULL, "ValueError", "score: %s is not a seq(...) of 2 to %d layers", path, SC_MAXLEAF);
    }
    if (sc_reference(a, &sc_kinds[k], m) < 0) { sc_model_free(m); return -1; }
    *out = s->scorers->m[k] = m;
    return 0;
}

/* ---- the result: a table whose numbers index by name ------------------------------- */

typedef struct sc_result {
    const sc_kind *kind;
    score_classes c;
    double fd;
    int counts[SC_MAXK];
} sc_result;

static const char *const sc_keys[] = {"conf", "classes", "maxshare", "IS", "FD", "n", "counts", "data", NULL};

static void sc_repr(const void *data, buf *out)
{
    const sc_result *r = data;
    buf_printf(out, "score of %d samples by the %s classifier (its opinion, not a human's)\n", r->c.n, r->kind->name);
    buf_printf(out, "conf      %-8.3f share it classifies with probability >= 0.9\n", r->c.conf);
    buf_printf(out, "classes   %-8d classes among its predictions; the largest has %.1f%% of the samples\n",
               r->c.covered, 100 * r->c.maxshare);
    buf_printf(out, "IS        %-8.2f classifier Inception Score (1 to %d)\n", r->c.is, r->c.k);
    buf_printf(out, "FD        %-8.1f Fréchet distance of its features to %s held-out %s%s\n", r->fd,
               "1,000", r->kind->what, r->c.n < 256 ? " (biased upward below n=256)" : "");
    buf_printf(out, "n         %d\ncounts   ", r->c.n);
    for (int j = 0; j < r->c.k; j++) buf_printf(out, " %s:%d", r->kind->classes[j], r->counts[j]);
}

static int sc_counts(lt_session *s, const ast_node *at, const sc_result *r, value *out)
{
    val_list *l = val_list_new((size_t)r->c.k);
    for (int j = 0; l && j < r->c.k; j++)
        if (val_list_push(l, NUM_VAL(r->counts[j])) < 0) { val_decref(LIST_VAL(l)); l = NULL; }
    if (!l) return sess_fail(s, at, "MemoryError", "out of memory");
    *out = LIST_VAL(l);
    return 0;
}

static int sc_bad_key(lt_session *s, const ast_node *at, const char *key)
{
    const char *best = NULL;
    int best_d = 1000, d;
    for (const char *const *k = sc_keys; *k; k++) {
        if (strcasecmp(key, *k) == 0) { best = *k; break; }      /* s["fd"]: FD */
        if (diag_close(key, *k, &d) && d < best_d) { best = *k; best_d = d; }
    }
    if (best) return sess_fail(s, at, "ValueError", "a score has no '%s'; did you mean '%s'?", key, best);
    return sess_fail(s, at, "ValueError", "a score has no '%s' (it has conf, classes, maxshare, IS, FD, n, counts, data)", key);
}

/* s["conf"], s["counts"], ... */
static int sc_index(lt_session *s, const ast_node *at, void *data, const val_index *ix, int n, value *out)
{
    const sc_result *r = data;
    if (n != 1 || ix[0].slice || !IS_STR(ix[0].v))
        return sess_fail(s, at, "TypeError", "a score is indexed by a name: s[\"conf\"], s[\"FD\"], s[\"counts\"], ...");
    const char *key = AS_STR(ix[0].v)->chars;
    double x = NAN;
    if (strcmp(key, "conf") == 0) x = r->c.conf;
    else if (strcmp(key, "classes") == 0) x = r->c.covered;
    else if (strcmp(key, "maxshare") == 0) x = r->c.maxshare;
    else if (strcmp(key, "IS") == 0) x = r->c.is;
    else if (strcmp(key, "FD") == 0) x = r->fd;
    else if (strcmp(key, "n") == 0) x = r->c.n;
    else if (strcmp(key, "counts") == 0) return sc_counts(s, at, r, out);
    else if (strcmp(key, "data") == 0) {
        val_str *str = val_str_new(r->kind->name, strlen(r->kind->name));
        if (!str) return sess_fail(s, at, "MemoryError", "out of memory");
        *out = STR_VAL(str);
        return 0;
    } else return sc_bad_key(s, at, key);
    *out = NUM_VAL(x);
    return 0;
}

static const val_type sc_result_type = {.name = "score", .free = free, .repr = sc_repr, .index = sc_index};

/* ---- score(samples, data="mnist") ------------------------------------------------ */

/* Which data set: 0 (mnist) or 1 (fashion). */
static int sc_kind_arg(bi_args *a, int *k)
{
    const ast_node *at;
    const value *v = bi_kw(a, "data", &at);
    *k = 0;
    if (!v || IS_NONE(*v)) return 0;
    if (!IS_STR(*v)) return bi_fail(a, at, "TypeError", "data must be \"mnist\" or \"fashion\", not %s %s", val_a(*v), val_type_name(*v));
    for (*k = 0; *k < SC_NKINDS; ++*k)
        if (strcmp(AS_STR(*v)->chars, sc_kinds[*k].name) == 0) return 0;
    return bi_fail(a, at, "ValueError", "data must be \"mnist\" or \"fashion\", not \"%s\"", AS_STR(*v)->chars);
}

/* The samples as (n, 784) floats clamped to [0, 1]; a NaN is an error. */
static int sc_samples(bi_args *a, float **x, int *n)
{
    value v = a->pos[0];
    const ast_node *at = a->pos_nodes[0];
    if (!tv_is(v))
        return bi_fail(a, at, "TypeError", "score() needs a tensor of samples (N, 784) or (N, 1, 28, 28), not %s %s",
                       val_a(v), val_type_name(v));
    size_t len;
    int shape[4], ndim;
    *x = AS_OBJ(v)->type->to_floats(AS_OBJ(v)->data, &len, shape, &ndim);
    if (!*x) return bi_fail(a, at, "ValueError", "score(): cannot read this tensor (a finished training step's?)");
    int ok = (ndim == 2 && shape[1] == 784) || (ndim == 4 && shape[1] == 1 && shape[2] == 28 && shape[3] == 28);
    if (!ok) {
        free(*x);
        char s[64];
        int k = snprintf(s, sizeof s, "(");
        for (int i = 0; i < ndim; i++) k += snprintf(s + k, sizeof s - (size_t)k, "%s%d", i ? ", " : "", shape[i]);
        snprintf(s + k, sizeof s - (size_t)k, ")");
        return bi_fail(a, at, "ShapeError", "score(): samples must be (N, 784) or (N, 1, 28, 28), got %s", s);
    }
    *n = shape[0];
    for (size_t i = 0; i < len; i++) {
        if (isnan((*x)[i])) {
            free(*x);
            return bi_fail(a, at, "ValueError", "score(): sample %zu has a NaN at pixel %zu", i / 784, i % 784);
        }
        (*x)[i] = (*x)[i] < 0 ? 0 : (*x)[i] > 1 ? 1 : (*x)[i];
    }
    if (*n < 2) {
        free(*x);
        return bi_fail(a, at, "ValueError", "score() needs at least 2 samples (got %d); 256 is the usual batch", *n);
    }
    return 0;
}

/* The statistics of the samples x (n, 784) under model m into r. */
static int sc_measure(bi_args *a, sc_model *m, float *x, int n, sc_result *r)
{
    float *lg = malloc((size_t)n * SC_MAXK * sizeof *lg), *f = NULL;
    if (!lg) return bi_fail(a, NULL, "MemoryError", "out of memory");
    int d = 0, rc = sc_run(a, m, x, n, &f, &d, lg);
    score_gauss g = {0};
    lt_status st = LT_OK;
    if (rc == 0 && (st = score_class_stats(lg, n, SC_MAXK, r->counts, &r->c)) == LT_OK &&
        (st = score_gauss_fit(f, n, d, &g)) == LT_OK)
        st = score_frechet(&g, &m->ref, &r->fd);
    if (rc == 0 && st != LT_OK) rc = sc_core_fail(a, st);
    score_gauss_free(&g);
    free(f);
    free(lg);
    return rc;
}

static int sc_score(bi_args *a, value *out)
{
    int k, n;
    float *x;
    sc_model *m;
    if (sc_kind_arg(a, &k) < 0) return -1;
    if (!tc_get(a->s, a->call)) return -1;
    if (a->s->tc->training)
        return bi_fail(a, NULL, "ValueError", "score() cannot run inside a train body: score samples after the loop");
    if (sc_samples(a, &x, &n) < 0) return -1;
    sc_result *r = calloc(1, sizeof *r);
    int rc = r ? sc_model_get(a, k, &m) : bi_fail(a, NULL, "MemoryError", "out of memory");
    if (rc == 0) {
        r->kind = &sc_kinds[k];
        rc = sc_measure(a, m, x, n, r);
    }
    free(x);
    if (rc < 0) { free(r); return -1; }
    val_obj *o = val_obj_new(&sc_result_type, r);     /* frees r when it fails */
    if (!o) return bi_fail(a, NULL, "MemoryError", "out of memory");
    *out = OBJ_VAL(o);
    return 0;
}

/* ---- permutation(n, seed=none) ---------------------------------------------------- */

static int sc_permutation(bi_args *a, value *out)
{
    double nd;
    const ast_node *at;
    if (bi_num(a, 0, &nd) < 0) return -1;
    if (!(nd >= 1 && nd <= (1 << 24) && nd == floor(nd)))
        return bi_fail(a, a->pos_nodes[0], "ValueError", "permutation(n) needs a whole number n from 1 to 16777216");
    const value *sv = bi_kw(a, "seed", &at);
    if (sv && !IS_NONE(*sv) && !(IS_NUM(*sv) && AS_NUM(*sv) >= 0 && AS_NUM(*sv) <= 4294967295.0 &&
                                 AS_NUM(*sv) == floor(AS_NUM(*sv))))
        return bi_fail(a, at, "ValueError", "seed must be a whole number from 0 to 4294967295");
    tc_ctx *tc = tc_get(a->s, a->call);
    int n = (int)nd, *p = tc ? malloc((size_t)n * sizeof *p) : NULL;
    lt_tensor *t = p ? graph_tensor(tc->g, 1, &n) : NULL;
    if (!t) { free(p); return tc ? bi_fail(a, NULL, "MemoryError", "out of memory") : -1; }
    if (sv && !IS_NONE(*sv)) mt_permutation((uint32_t)AS_NUM(*sv), p, n);
    else rng_permutation(&tc->r, p, n);
    for (int i = 0; i < n; i++) t->data[i] = (float)p[i];
    free(p);
    return tv_result_tensor(a->s, a->call, t, out);
}

/* ---- shift(x, pixels=2) ------------------------------------------------------------ */

/* y (h, w) = x (h, w) moved by (dy, dx), zeros where nothing moved in */
static void sc_shift_image(const float *x, float *y, int h, int w, int dy, int dx)
{
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            int si = i - dy, sj = j - dx;
            y[i * w + j] = si >= 0 && si < h && sj >= 0 && sj < w ? x[si * w + sj] : 0;
        }
}

/* The image layout of a shape: (B, H*W) with square images, or (B, C, H, W). */
static int sc_image_shape(int ndim, const int *shape, int *c, int *h, int *w)
{
    if (ndim == 4) { *c = shape[1]; *h = shape[2]; *w = shape[3]; return 0; }
    int side = ndim == 2 ? (int)lround(sqrt(shape[1])) : 0;
    if (ndim != 2 || side * side != shape[1] || side < 1) return -1;
    *c = 1; *h = *w = side;
    return 0;
}

static int sc_shift(bi_args *a, value *out)
{
    long px;
    int c, h, w, shape[4], ndim;
    size_t len;
    if (bi_kw_int(a, "pixels", 2, 0, 1000, &px) < 0) return -1;
    if (!tv_is(a->pos[0]))
        return bi_fail(a, a->pos_nodes[0], "TypeError", "shift() needs a tensor of images, not %s %s", val_a(a->pos[0]), val_type_name(a->pos[0]));
    tc_ctx *tc = tc_get(a->s, a->call);
    float *x = tc ? AS_OBJ(a->pos[0])->type->to_floats(AS_OBJ(a->pos[0])->data, &len, shape, &ndim) : NULL;
    if (!x) return tc ? bi_fail(a, a->pos_nodes[0], "ValueError", "shift(): cannot read this tensor") : -1;
    if (sc_image_shape(ndim, shape, &c, &h, &w) < 0) {
        free(x);
        return bi_fail(a, a->pos_nodes[0], "ShapeError", "shift() needs images (B, C, H, W) or square ones as rows (B, H*W)");
    }
    lt_tensor *y = graph_tensor(tc->g, ndim, shape);
    if (!y) { free(x); return tv_fail(a->s, a->call); }
    for (int b = 0; b < shape[0]; b++) {
        int dy = (int)rng_below(&tc->r, (uint64_t)(2 * px + 1)) - (int)px;
        int dx = (int)rng_below(&tc->r, (uint64_t)(2 * px + 1)) - (int)px;
        for (int ch = 0; ch < c; ch++) {
            size_t o = ((size_t)b * c + ch) * h * w;
            sc_shift_image(x + o, y->data + o, h, w, dy, dx);
        }
    }
    free(x);
    return tv_result_tensor(a->s, a->call, y, out);
}

/* ---- the table ------------------------------------------------------------------- */

static const char *const sc_score_kw[] = {"data", NULL};
static const char *const sc_perm_kw[] = {"seed", NULL};
static const char *const sc_shift_kw[] = {"pixels", NULL};

static const builtin bi_score_builtins[] = {
    {"score", "score(samples, data=\"mnist\")",
     "A classifier's opinion of generated samples (N, 784) or (N, 1, 28, 28), clamped to [0, 1]: "
     "conf (share it classifies with probability >= 0.9), classes (how many of the 10 it predicts; "
     "maxshare, the largest one's share), IS (classifier Inception Score, 1 to 10) and FD (Fréchet "
     "distance of its 128 features to 1,000 held-out real images; lower is closer). data=\"fashion\" "
     "uses the Fashion-MNIST classifier. s[\"conf\"], s[\"FD\"], s[\"counts\"] (samples per class) "
     "give the numbers. Use 256 samples: FD is biased upward for fewer. At n=256 real digits score "
     "conf 0.93-0.98, IS 9.1-9.4, FD 21-34; uniform noise conf 0, FD 1146.",
     "s = score(mnist()[0:256])\nprint(s[\"n\"], s[\"classes\"], s[\"conf\"] > 0.9)  # => 256 1 true",
     sc_score_kw, 1, 1, sc_score},
    {"permutation", "permutation(n, seed=none)",
     "The numbers 0..n-1 in random order, as a tensor: from the session's generator, or with "
     "seed=k exactly NumPy's np.random.RandomState(k).permutation(n) (a split shared with Python "
     "scripts).",
     "permutation(5, seed=7)\n# => tensor (5) float32\n# => [0, 3, 2, 1, 4]", sc_perm_kw, 1, 1, sc_permutation},
    {"shift", "shift(x, pixels=2)",
     "Images moved by a random whole number of pixels, from -pixels to pixels down and across (one "
     "draw per image from the session's generator), with zeros moved in: data augmentation. x is "
     "(B, C, H, W) or square images as rows (B, H*W). No gradient flows through it.",
     "x = reshape(arange(9), 1, 9)\nsum(shift(x, pixels=0) == x)  # => 9", sc_shift_kw, 1, 1, sc_shift},
    {0},
};

/* The session ends: the scorers it loaded go. */
static void sc_close(lt_session *s)
{
    sc_cache_free(s->scorers);
    s->scorers = NULL;
}

int lib_open_score(registry *r)
{
    return reg_open(r, bi_score_builtins) < 0 || reg_closer(r, sc_close) < 0 ? -1 : 0;
}
