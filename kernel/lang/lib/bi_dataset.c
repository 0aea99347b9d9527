/* bi_dataset.c: dataset(xs, ys) with labels or targets, split, shuffle, batches,
 * targets and accuracy (see bi_dataset.h). */
#include "bi_dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "bi_nn.h"
#include "bi_tensor.h"
#include "data.h"
#include "mt.h"

/* The data set argument i, or -1 with a TypeError naming who. */
static int ds_arg(bi_args *a, int i, const char *who, lt_dataset **d)
{
    if (!dv_is(a->pos[i]))
        return bi_fail(a, a->pos_nodes[i], "TypeError", "%s() needs a dataset (mnist(), dataset(xs, ys), ...), not %s",
                       who, val_type_name(a->pos[i]));
    *d = AS_OBJ(a->pos[i])->data;
    return 0;
}

static int ds_outside_train(bi_args *a, const char *who)
{
    if (!tc_get(a->s, a->call)) return -1;
    if (a->s->tc->training)
        return bi_fail(a, NULL, "ValueError", "%s() cannot run inside a train body: call it before or after the loop", who);
    return 0;
}

/* seed=: a whole number from 0 to 2^32 - 1, or -1 when not given. */
static int ds_seed(bi_args *a, long long *seed)
{
    long s;
    if (bi_kw_int(a, "seed", -1, 0, 4294967295L, &s) < 0) return -1;
    *seed = s;
    return 0;
}

/* ---- dataset(xs, ys) ---------------------------------------------------------------- */

/* Whether y (n) holds whole numbers >= 0 only: class labels. */
static int ds_is_labels(const lt_tensor *y, const float *v, size_t n)
{
    if (y->ndim != 1) return 0;
    for (size_t i = 0; i < n; i++)
        if (!(v[i] >= 0 && v[i] == floorf(v[i]) && v[i] <= 16777216.0f)) return 0;
    return 1;
}

/* Gives d the labels or targets ys (a tensor of n rows). */
static int ds_add_ys(bi_args *a, lt_dataset *d, const lt_tensor *y)
{
    char sh[64];
    if (y->ndim < 1 || y->shape[0] != d->n)
        return bi_fail(a, a->pos_nodes[1], "ShapeError", "ys must have one row per sample: xs has %d samples, ys has "
                       "shape %s", d->n, tensor_shape_str(y, sh, sizeof sh));
    size_t n = tensor_numel(y);
    float *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return bi_fail(a, NULL, "MemoryError", "out of memory");
    tensor_copy_out(y, v);
    if (ds_is_labels(y, v, n)) {
        int *lab = malloc((size_t)(d->n ? d->n : 1) * sizeof *lab);
        if (!lab) { free(v); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
        int top = -1;
        for (int i = 0; i < d->n; i++) { lab[i] = (int)v[i]; if (lab[i] > top) top = lab[i]; }
        free(v);
        d->y = lab;
        d->nclass = top + 1;
        return 0;
    }
    int k = d->n ? (int)(n / (size_t)d->n) : 1;
    lt_status st = data_set_targets(d, v, k, y->ndim - 1, y->shape + 1);
    return st == LT_OK ? 0 : bi_fail(a, a->pos_nodes[1], lt_status_name(st), "%s", lt_errmsg());
}

/* dataset(xs, ys=none) */
static int bd_dataset(bi_args *a, value *out)
{
    lt_tensor *x, *y = NULL;
    char sh[64];
    if (tv_arg(a->s, a->pos_nodes[0], a->pos[0], &x) < 0) return -1;
    if (a->npos == 2 && !IS_NONE(a->pos[1]) && tv_arg(a->s, a->pos_nodes[1], a->pos[1], &y) < 0) return -1;
    if (x->ndim < 1)
        return bi_fail(a, a->pos_nodes[0], "ShapeError", "dataset needs samples xs of shape (n), (n, d) or (n, c, h, w), "
                       "got %s", tensor_shape_str(x, sh, sizeof sh));
    int n = x->shape[0], dim = 1;
    for (int i = 1; i < x->ndim; i++) dim *= x->shape[i];
    float *xs = malloc((size_t)n * (size_t)dim * sizeof *xs + 1);
    if (!xs) return bi_fail(a, NULL, "MemoryError", "out of memory");
    tensor_copy_out(x, xs);
    lt_dataset d;
    lt_status st = data_adopt(&d, xs, NULL, n, dim, 0, 0);
    if (st != LT_OK) return bi_fail(a, a->pos_nodes[0], lt_status_name(st), "%s", lt_errmsg());
    if (x->ndim > 2) data_set_sample_shape(&d, x->ndim - 1, x->shape + 1);
    if (y && ds_add_ys(a, &d, y) < 0) { data_free(&d); return -1; }
    if (!a->s->tc->training) tc_reset(a->s);
    return dv_new(a, &d, LT_OK, out);
}

/* ---- split and shuffle ------------------------------------------------------------- */

/* split(data, frac, seed=none): [the first part (round(n * frac) samples), the rest] */
static int bd_split(bi_args *a, value *out)
{
    lt_dataset *d, first, second;
    double frac;
    long long seed;
    if (ds_arg(a, 0, "split", &d) < 0 || bi_num(a, 1, &frac) < 0 || ds_seed(a, &seed) < 0) return -1;
    char num[32];
    val_format_num(frac, num);
    if (!(frac > 0 && frac < 1))   /* NaN too */
        return bi_fail(a, a->pos_nodes[1], "ValueError", "split(data, frac) needs a fraction 0 < frac < 1, got %s", num);
    long k = lround(d->n * frac);
    if (k < 1 || k >= d->n)
        return bi_fail(a, a->pos_nodes[1], "ValueError", "split(data, frac) needs 0 < frac < 1 leaving samples on both "
                       "sides: %s of %d samples is %ld", num, d->n, k);
    if (!tc_get(a->s, a->call)) return -1;
    uint64_t s = seed >= 0 ? (uint64_t)seed : rng_next(&a->s->tc->r);
    lt_status st = data_split(d, (double)(d->n - k) / d->n, s, &first, &second);
    if (st != LT_OK) return bi_fail(a, NULL, lt_status_name(st), "%s", lt_errmsg());
    val_list *l = val_list_new(2);
    value v1, v2;
    if (!l) { data_free(&first); data_free(&second); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
    if (dv_new(a, &first, LT_OK, &v1) < 0) { data_free(&second); val_decref(LIST_VAL(l)); return -1; }
    val_list_push(l, v1);
    if (dv_new(a, &second, LT_OK, &v2) < 0) { val_decref(LIST_VAL(l)); return -1; }
    val_list_push(l, v2);
    *out = LIST_VAL(l);
    return 0;
}

/* shuffle(data, seed=none) */
static int bd_shuffle(bi_args *a, value *out)
{
    lt_dataset *d, s;
    long long seed;
    if (ds_arg(a, 0, "shuffle", &d) < 0 || ds_seed(a, &seed) < 0 || !tc_get(a->s, a->call)) return -1;
    lt_status st = data_shuffle(&s, d, seed, &a->s->tc->r);
    return dv_new(a, &s, st, out);
}

/* ---- rows as tensors --------------------------------------------------------------- */

/* The rows idx[0 .. k) of an (n, per) array src as a tensor value of shape (k, dims...). */
static int ds_rows(bi_args *a, const float *src, int per, const int *idx, int k, int ndim, const int *shape,
                   value *out)
{
    int s[4];
    memcpy(s, shape, sizeof s);
    s[0] = k;
    lt_tensor *t = graph_tensor(a->s->tc->g, ndim, s);
    if (!t) return tv_fail(a->s, a->call);
    for (int i = 0; i < k; i++) memcpy(t->data + (size_t)i * per, src + (size_t)idx[i] * per, (size_t)per * sizeof(float));
    return tv_result_tensor(a->s, a->call, t, out);
}

/* The labels or targets of rows idx[0 .. k) (none when d has neither). */
static int ds_ys(bi_args *a, const lt_dataset *d, const int *idx, int k, value *out)
{
    int ndim, shape[4];
    *out = NONE_VAL;
    if (d->t) {
        data_target_shape(d, &ndim, shape);
        return ds_rows(a, d->t, d->k, idx, k, ndim, shape, out);
    }
    if (!d->y) return 0;
    lt_tensor *t = graph_tensor(a->s->tc->g, 1, &k);
    if (!t) return tv_fail(a->s, a->call);
    for (int i = 0; i < k; i++) t->data[i] = (float)d->y[idx[i]];
    return tv_result_tensor(a->s, a->call, t, out);
}

/* The samples idx[0 .. k) as [x, y]. */
static int ds_pair(bi_args *a, const lt_dataset *d, const int *idx, int k, value *out)
{
    int ndim, shape[4];
    value x, y;
    data_sample_shape(d, &ndim, shape);
    if (ds_rows(a, d->x, d->d, idx, k, ndim, shape, &x) < 0) return -1;
    if (ds_ys(a, d, idx, k, &y) < 0) { val_decref(x); return -1; }
    val_list *l = val_list_new(2);
    if (!l) { val_decref(x); val_decref(y); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
    val_list_push(l, x);
    val_list_push(l, y);
    *out = LIST_VAL(l);
    return 0;
}

/* 0, 1, ..., n - 1, or a permutation of them (shuffle=true: seed= or the session's). */
static int ds_order(bi_args *a, int n, int **idx)
{
    int shuf;
    long long seed;
    if (bi_kw_bool(a, "shuffle", 0, &shuf) < 0 || ds_seed(a, &seed) < 0) return -1;
    const ast_node *at;
    if (seed >= 0 && !shuf && bi_kw(a, "seed", &at))
        return bi_fail(a, at, "TypeError", "seed= shuffles only with shuffle=true");
    *idx = malloc((size_t)(n ? n : 1) * sizeof **idx);
    if (!*idx) return bi_fail(a, NULL, "MemoryError", "out of memory");
    if (!shuf) for (int i = 0; i < n; i++) (*idx)[i] = i;
    else if (seed >= 0) mt_permutation((uint32_t)seed, *idx, n);
    else rng_permutation(&a->s->tc->r, *idx, n);
    return 0;
}

/* batches(data, size, shuffle=false, seed=none): a list of [x, y] */
static int bd_batches(bi_args *a, value *out)
{
    lt_dataset *d;
    double size;
    int *idx;
    if (ds_arg(a, 0, "batches", &d) < 0 || bi_num(a, 1, &size) < 0 || ds_outside_train(a, "batches") < 0) return -1;
    if (size != floor(size) || size < 1 || size > 1e9)
        return bi_fail(a, a->pos_nodes[1], "ValueError", "batches(data, size) needs a whole number size >= 1");
    if (ds_order(a, d->n, &idx) < 0) return -1;
    int b = (int)size;
    val_list *l = val_list_new((size_t)(d->n / b + 1));
    int st = l ? 0 : bi_fail(a, NULL, "MemoryError", "out of memory");
    for (int i0 = 0; st == 0 && i0 < d->n; i0 += b) {
        value pair;
        st = ds_pair(a, d, idx + i0, d->n - i0 < b ? d->n - i0 : b, &pair);
        if (st == 0 && val_list_push(l, pair) < 0) st = bi_fail(a, NULL, "MemoryError", "out of memory");
    }
    free(idx);
    if (st < 0) { if (l) val_decref(LIST_VAL(l)); return -1; }
    *out = LIST_VAL(l);
    return 0;
}

/* targets(data): the labels (n) or targets (n, ...) of the whole set */
static int bd_targets(bi_args *a, value *out)
{
    lt_dataset *d;
    if (ds_arg(a, 0, "targets", &d) < 0 || !tc_get(a->s, a->call)) return -1;
    if (!d->y && !d->t) return bi_fail(a, a->pos_nodes[0], "ValueError", "this dataset has no labels or targets");
    int *idx = malloc((size_t)(d->n ? d->n : 1) * sizeof *idx);
    if (!idx) return bi_fail(a, NULL, "MemoryError", "out of memory");
    for (int i = 0; i < d->n; i++) idx[i] = i;
    int st = ds_ys(a, d, idx, d->n, out);
    free(idx);
    return st;
}

/* ---- accuracy(net, data) ------------------------------------------------------------- */

/* The correct predictions of net's outputs y (rows, C) against labels lab. */
static int ds_correct(bi_args *a, const lt_tensor *y, const int *lab, int rows, long *right)
{
    char sh[64];
    if (y->ndim != 2 || y->shape[0] != rows || y->shape[1] < 2)
        return bi_fail(a, a->pos_nodes[0], "ShapeError", "accuracy() needs one score per class from the network, "
                       "(%d, C) with C >= 2, got %s (for one output: mean((net(x) > 0) == y))", rows,
                       tensor_shape_str(y, sh, sizeof sh));
    int c = y->shape[1];
    float *v = malloc((size_t)rows * (size_t)c * sizeof *v);
    if (!v) return bi_fail(a, NULL, "MemoryError", "out of memory");
    tensor_copy_out(y, v);
    for (int i = 0; i < rows; i++) {
        const float *r = v + (size_t)i * c;
        int best = 0;
        for (int j = 0; j < c; j++) {
            if (isnan(r[j])) { free(v); return bi_fail(a, a->pos_nodes[0], "FloatingPointError", "accuracy(): the network's output is nan"); }
            if (r[j] > r[best]) best = j;
        }
        *right += best == lab[i];
    }
    free(v);
    return 0;
}

/* Runs net on the rows idx[0 .. k) and counts the right answers. */
static int ds_judge(bi_args *a, value net, const lt_dataset *d, const int *idx, int k, long *right)
{
    int ndim, shape[4];
    value x, y;
    lt_tensor *t;
    data_sample_shape(d, &ndim, shape);
    if (ds_rows(a, d->x, d->d, idx, k, ndim, shape, &x) < 0) return -1;
    ast_node *at = a->pos_nodes[0];
    bi_args ca = { a->s, a->call, 1, &x, &at, 0, NULL, NULL };
    int st = AS_OBJ(net)->type->call(AS_OBJ(net)->data, &ca, &y);
    val_decref(x);
    if (st < 0) return -1;
    if (!tv_is(y)) st = bi_fail(a, a->pos_nodes[0], "TypeError", "accuracy(): the network gave %s, not a tensor", val_type_name(y));
    else if ((st = tv_arg(a->s, a->call, y, &t)) == 0) {
        int *lab = malloc((size_t)k * sizeof *lab);
        for (int i = 0; lab && i < k; i++) lab[i] = d->y[idx[i]];
        st = lab ? ds_correct(a, t, lab, k, right) : bi_fail(a, NULL, "MemoryError", "out of memory");
        free(lab);
    }
    val_decref(y);
    tc_reset(a->s);
    return st;
}

/* accuracy(net, data, batch=500) */
static int bd_accuracy(bi_args *a, value *out)
{
    lt_dataset *d;
    long batch;
    value net = a->pos[0];
    if (!IS_OBJ(net) || !AS_OBJ(net)->type->call)
        return bi_fail(a, a->pos_nodes[0], "TypeError", "accuracy(net, data) needs a network (or a function of x) "
                       "first, not %s", val_type_name(net));
    if (ds_arg(a, 1, "accuracy", &d) < 0 || bi_kw_int(a, "batch", 500, 1, 1000000000L, &batch) < 0) return -1;
    if (ds_outside_train(a, "accuracy") < 0) return -1;
    if (!d->y)
        return bi_fail(a, a->pos_nodes[1], "ValueError", "accuracy() needs a dataset with class labels; this one has %s "
                       "(for targets, measure mse(net(x), y))", d->t ? "targets" : "none");
    if (d->n == 0) return bi_fail(a, a->pos_nodes[1], "ValueError", "accuracy() of an empty dataset");
    int *idx = malloc((size_t)d->n * sizeof *idx);
    if (!idx) return bi_fail(a, NULL, "MemoryError", "out of memory");
    for (int i = 0; i < d->n; i++) idx[i] = i;
    long right = 0;
    int st = 0;
    for (int i0 = 0; st == 0 && i0 < d->n; i0 += (int)batch) {
        if ((st = sess_poll(a->s, a->call)) < 0) break;
        st = ds_judge(a, net, d, idx + i0, d->n - i0 < batch ? d->n - i0 : (int)batch, &right);
    }
    free(idx);
    if (st < 0) return -1;
    *out = NUM_VAL((double)right / d->n);
    return 0;
}

static const char *const bd_seed_kw[] = {"seed", NULL};
static const char *const bd_batches_kw[] = {"shuffle", "seed", NULL};
static const char *const bd_accuracy_kw[] = {"batch", NULL};

static const builtin bi_dataset_builtins[] = {
    {"dataset", "dataset(xs, ys=none)", "A data set around your own samples xs ((n), (n, d) or (n, c, h, w)) and "
     "ys: class labels when ys is (n) whole numbers >= 0, else targets of any shape (n, ...) (regression, "
     "images to images); train binds x and y to a mini-batch of them.",
     "print(dataset(tensor([[0, 1], [1, 0]]), tensor([0, 1])))  # => dataset: 2 samples of 2, labels 0..1\n"
     "print(dataset(linspace(-3, 3, 50), randn(50, 1)))  # => dataset: 50 samples of 1, targets (1)",
     NULL, 1, 2, bd_dataset},
    {"split", "split(data, frac, seed=none)",
     "Two data sets, [first, rest]: round(n * frac) samples drawn at random (not stratified) and the others, "
     "each in data's order. seed= repeats a split; without it the session's generator draws one.",
     "parts = split(moons(100), 0.8, seed=1)\nprint(len(parts[0]), len(parts[1]))  # => 80 20",
     bd_seed_kw, 2, 2, bd_split},
    {"shuffle", "shuffle(data, seed=none)",
     "A copy of a data set in a random order; seed=k is NumPy's RandomState(k).permutation, like permutation(n, seed=k).",
     "d = dataset(tensor([[0], [1], [2], [3], [4]]), tensor([0, 1, 2, 3, 4]))\n"
     "targets(shuffle(d, seed=7))\n# => tensor (5) float32\n# => [0, 3, 2, 1, 4]",
     bd_seed_kw, 1, 1, bd_shuffle},
    {"batches", "batches(data, size, shuffle=false, seed=none)",
     "A data set cut into a list of [x, y] mini-batches of size rows (the last may be smaller; y is none "
     "without labels or targets), in order or shuffled: for b in batches(test, 500) { ... b[0] ... b[1] ... }.",
     "bs = batches(moons(10), 4)\nprint(len(bs), shape(bs[0][0]), shape(bs[2][1]))  # => 3 [4, 2] [2]",
     bd_batches_kw, 2, 2, bd_batches},
    {"targets", "targets(data)",
     "What train binds to y, for the whole data set: its labels (n) or its targets (n, ...).",
     "targets(dataset(ones(3, 2), tensor([[0.5], [1.5], [2.5]])))\n# => tensor (3, 1) float32\n"
     "# => [[0.5],\n# =>  [1.5],\n# =>  [2.5]]",
     NULL, 1, 1, bd_targets},
    {"accuracy", "accuracy(net, data, batch=500)",
     "The share of a labelled data set's samples whose largest network output (over the classes) is their label; "
     "run outside train, batch rows at a time.",
     "seed(0)\nclf = seq(linear(2, 16), relu, linear(16, 2))\no = adam(clf, lr=0.05)\n"
     "train on moons(200) epochs 20 batch 50 { step o cross_entropy(clf(x), y) }\n"
     "print(accuracy(clf, moons(200, seed=1)) > 0.9)  # => true",
     bd_accuracy_kw, 2, 2, bd_accuracy},
    {0},
};

int lib_open_dataset(registry *r)
{
    return reg_open(r, bi_dataset_builtins);
}
