/* bi_train.c: the train loop, step and log (see bi_train.h), and the history values. */
#include "bi_train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "data.h"
#include "eval.h"
#include "live_plot.h"
#include "bi_nn.h"

/* ---- series: one recorded scalar per mini-batch ----------------------------------- */

typedef struct series {
    char name[64];
    float *v;          /* (n) the values, in order */
    size_t n, cap;
    int epochs;        /* epochs the values span */
} series;

static void series_free(void *data)
{
    series *h = data;
    free(h->v);
    free(h);
}

static void series_repr(const void *data, buf *out)
{
    const series *h = data;
    buf_printf(out, "history %s: %zu values over %d epoch%s", h->name, h->n, h->epochs, h->epochs == 1 ? "" : "s");
    if (h->n) buf_printf(out, ", first %.6g, last %.6g", (double)h->v[0], (double)h->v[h->n - 1]);
}

static float *series_to_floats(void *data, size_t *n, int shape[4], int *ndim)
{
    series *h = data;
    float *x = malloc((h->n ? h->n : 1) * sizeof *x);
    if (!x) return NULL;
    if (h->n) memcpy(x, h->v, h->n * sizeof *x);
    *n = h->n;
    *ndim = 1;
    shape[0] = (int)h->n;
    shape[1] = shape[2] = shape[3] = 1;
    return x;
}

/* A history's values as a tensor (h[0], h[-1], h[10:20], mean(h[-10:])). */
static int series_index(lt_session *s, const ast_node *at, void *data, const val_index *ix, int n, value *out)
{
    series *h = data;
    if (!tc_get(s, at)) return -1;
    int len = (int)h->n;
    lt_tensor *t = graph_tensor(s->tc->g, 1, &len);
    if (!t) return tv_fail(s, at);
    if (h->n) memcpy(t->data, h->v, h->n * sizeof(float));
    value tmp;
    if (tv_result_tensor(s, at, t, &tmp) < 0) return -1;
    int st = tv_type.index(s, at, AS_OBJ(tmp)->data, ix, n, out);
    val_decref(tmp);
    return st;
}

static int series_len(bi_args *a, value *out)
{
    *out = NUM_VAL((double)((series *)AS_OBJ(a->pos[0])->data)->n);
    return 0;
}

static const val_type series_type = {
    .name = "history", .free = series_free, .repr = series_repr, .to_floats = series_to_floats,
    .index = series_index,
};

static const builtin series_methods[] = {
    {"len", "len(history)", "The number of recorded values.", NULL, NULL, 1, 1, series_len},
    {0},
};

const char *train_history_name(value v)
{
    return IS_OBJ(v) && AS_OBJ(v)->type == &series_type ? ((const series *)AS_OBJ(v)->data)->name : NULL;
}

static int series_push(series *h, float x)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 256;
        float *v = realloc(h->v, cap * sizeof *v);
        if (!v) return -1;
        h->v = v;
        h->cap = cap;
    }
    h->v[h->n++] = x;
    return 0;
}

/* A new history value named name holding a copy of v[0..n) over `epochs` epochs
 * (bi_train.h). Returns 0, or -1 when out of memory (nothing is made). */
int train_history_new(const char *name, const float *v, size_t n, int epochs, value *out)
{
    series *h = calloc(1, sizeof *h);
    if (!h) return -1;
    snprintf(h->name, sizeof h->name, "%s", name);
    h->epochs = epochs;
    for (size_t i = 0; i < n; i++)
        if (series_push(h, v[i]) < 0) { series_free(h); return -1; }
    val_obj *o = val_obj_new(&series_type, h);
    if (!o) return -1;
    *out = OBJ_VAL(o);
    return 0;
}

/* A history value's name, values (borrowed) and epochs; -1 when v is no history. */
int train_history_get(value v, const char **name, const float **x, size_t *n, int *epochs)
{
    if (!IS_OBJ(v) || AS_OBJ(v)->type != &series_type) return -1;
    const series *h = AS_OBJ(v)->data;
    *name = h->name;
    *x = h->v;
    *n = h->n;
    *epochs = h->epochs;
    return 0;
}

/* ---- the running loop ------------------------------------------------------------ */

enum { TRAIN_MAX_SERIES = 16 };

typedef struct train_run {
    series *ser[TRAIN_MAX_SERIES];   /* owned until bound to variables at the end */
    float last[TRAIN_MAX_SERIES];    /* this batch's value of each series, for the progress line */
    int nser;
    int epoch, epochs, batch, batches;   /* 1-based positions */
    int first;                       /* the epoch this run started at (> 1 when resuming) */
    long samples;
    double start, shown;             /* CLOCK_MONOTONIC seconds */
    int progress;                    /* a progress display exists */
    char display_id[32];
    live_plot live;                  /* the live loss plot beside the progress line */
} train_run;

static double train_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int train_record(lt_session *s, const ast_node *at, train_run *r, const char *name, float x)
{
    int i = 0;
    while (i < r->nser && strcmp(r->ser[i]->name, name) != 0) i++;
    if (i == r->nser) {
        if (r->nser == TRAIN_MAX_SERIES)
            return sess_fail(s, at, "ValueError", "at most %d recorded values per train loop", TRAIN_MAX_SERIES);
        series *h = calloc(1, sizeof *h);
        if (!h) return sess_fail(s, at, "MemoryError", "out of memory");
        snprintf(h->name, sizeof h->name, "%s", name);
        r->ser[r->nser++] = h;
    }
    r->last[i] = x;
    r->ser[i]->epochs = r->epoch;
    if (series_push(r->ser[i], x) < 0) return sess_fail(s, at, "MemoryError", "out of memory");
    return 0;
}

/* Binds every series to its name (the histories outlive the loop, even a stopped one). */
static void train_bind(lt_session *s, const ast_node *at, train_run *r)
{
    for (int i = 0; i < r->nser; i++) {
        val_obj *o = val_obj_new(&series_type, r->ser[i]);
        r->ser[i] = NULL;
        if (o) eval_set_var(s, at, ((series *)o->data)->name, OBJ_VAL(o));
    }
    r->nser = 0;
}

int train_live_series(lt_session *s, int i, const char **name, const float **v, size_t *n)
{
    train_run *r = s->tc ? s->tc->run : NULL;
    if (!r || i < 0 || i >= r->nser) return -1;
    *name = r->ser[i]->name;
    *v = r->ser[i]->v;
    *n = r->ser[i]->n;
    return 0;
}

/* The progress line: epoch, batch, speed, time left, the latest values. */
static void train_progress(lt_session *s, train_run *r, int final)
{
    double now = train_now(), el = now - r->start;
    if (!s->host.display || (!r->progress && el < s->tc->progress_after) || (!final && now - r->shown < 0.25)) return;
    if (final && !r->progress) return;
    r->shown = now;
    buf b;
    buf_init(&b);
    double rate = el > 0 ? (double)r->samples / el : 0;
    long total = (long)(r->epochs - r->first + 1) * r->batches;
    long done = (long)(r->epoch - r->first) * r->batches + r->batch;
    double left = done > 0 ? el * (double)(total - done) / (double)done : 0;
    if (final) buf_printf(&b, "epoch %d/%d  batch %d/%d  %.0f samples/s  %.1f s", r->epoch, r->epochs, r->batch, r->batches, rate, el);
    else buf_printf(&b, "epoch %d/%d  batch %d/%d  %.0f samples/s  %.0f s left", r->epoch, r->epochs, r->batch, r->batches, rate, left);
    for (int i = 0; i < r->nser; i++) buf_printf(&b, "  %s %.4g", r->ser[i]->name, (double)r->last[i]);
    lt_mime text = {"text/plain", b.data, b.len};
    lt_output out = {&text, 1, 0, 0, r->display_id};
    if (!b.oom) s->host.display(s->host.ctx, &out, r->progress);
    r->progress = 1;
    buf_free(&b);
}

/* ---- train ------------------------------------------------------------------------ */

static int train_count(lt_session *s, const ast_node *at, value v, const char *what, int *x)
{
    if (!IS_NUM(v) || AS_NUM(v) != floor(AS_NUM(v)) || AS_NUM(v) < 1 || AS_NUM(v) > 1e9) {
        val_decref(v);
        return sess_fail(s, at, "ValueError", "%s must be a whole number >= 1", what);
    }
    *x = (int)AS_NUM(v);
    return 0;
}

/* Binds x, y, batch and epoch for one mini-batch: x (rows, sample shape), y the rows'
 * labels (rows) or targets (rows, target shape), none without either. */
static int train_bind_batch(lt_session *s, const ast_node *n, const data_batches *it, int epoch)
{
    const lt_dataset *d = it->ds;
    int xn, xs[4], yn = 1, ys[4] = { it->rows };
    data_sample_shape(d, &xn, xs);
    if (d->t) data_target_shape(d, &yn, ys);
    xs[0] = ys[0] = it->rows;
    lt_tensor *x = graph_tensor(s->tc->g, xn, xs);
    lt_tensor *y = d->y || d->t ? graph_tensor(s->tc->g, yn, ys) : NULL;
    if (!x || ((d->y || d->t) && !y)) return tv_fail(s, n);
    memcpy(x->data, it->x, (size_t)it->rows * (size_t)d->d * sizeof(float));
    for (int i = 0; d->y && i < it->rows; i++) y->data[i] = (float)it->y[i];
    if (d->t) memcpy(y->data, it->t, (size_t)it->rows * (size_t)d->k * sizeof(float));
    value vx, vy = NONE_VAL;
    if (tv_result_tensor(s, n, x, &vx) < 0) return -1;
    if (y && tv_result_tensor(s, n, y, &vy) < 0) { val_decref(vx); return -1; }
    if (eval_set_var(s, n, "x", vx) < 0 || eval_set_var(s, n, "y", vy) < 0) return -1;
    if (eval_set_var(s, n, "batch", NUM_VAL(it->rows)) < 0) return -1;
    return eval_set_var(s, n, "epoch", NUM_VAL(epoch));
}

/* ---- the loop's names -------------------------------------------------------------- */

static const char *const train_names[] = {"x", "y", "batch", "epoch"};
enum { TRAIN_NAMES = 4 };

/* Keeps the values x, y, batch and epoch have before the loop (NONE_VAL with had 0 for
 * an unbound name), so that the loop does not clobber a user's variables. */
typedef struct train_saved {
    value v[TRAIN_NAMES];
    int had[TRAIN_NAMES];
} train_saved;

static void train_save_names(lt_session *s, train_saved *sv)
{
    env *e = s->locals ? s->locals : s->globals;
    for (int i = 0; i < TRAIN_NAMES; i++) {
        const value *v = env_get(e, train_names[i]);
        sv->had[i] = v != NULL;
        sv->v[i] = v ? *v : NONE_VAL;
        if (v) val_incref(*v);
    }
}

/* Gives back each name that had a value before the loop its value; a name that had
 * none keeps the last mini-batch's (so x after a first loop is its last batch). */
static void train_restore_names(lt_session *s, const ast_node *at, train_saved *sv)
{
    for (int i = 0; i < TRAIN_NAMES; i++)
        if (sv->had[i]) eval_set_var(s, at, train_names[i], sv->v[i]);
}

/* The loop itself, from epoch `first`; the caller sets up and tears down the context. */
static int train_loop(lt_session *s, const ast_node *n, train_run *r, data_batches *it, int first)
{
    for (r->epoch = first; r->epoch <= r->epochs; r->epoch++) {
        r->batch = 0;
        while (data_batches_next(it) > 0) {
            r->batch++;
            if (sess_poll(s, n) < 0) {
                data_batches_restart(it);
                return sess_fail(s, n, "KeyboardInterrupt",
                                 "interrupted at epoch %d, batch %d of %d; the networks, optimizers and "
                                 "histories are kept", r->epoch, r->batch, r->batches);
            }
            tc_reset(s);
            if (train_bind_batch(s, n, it, r->epoch) < 0) return -1;
            if (eval_block(s, n->items[0]) < 0) {
                if (!s->err.name || strcmp(s->err.name, "KeyboardInterrupt") != 0) return -1;
                data_batches_restart(it);
                return sess_fail(s, n, "KeyboardInterrupt",
                                 "interrupted at epoch %d, batch %d of %d; the networks, optimizers and "
                                 "histories are kept", r->epoch, r->batch, r->batches);
            }
            r->samples += it->rows;
            train_progress(s, r, 0);
            live_plot_tick(s, &r->live, 0);
            if (s->returning) return 0;
        }
    }
    r->epoch = r->epochs;
    r->batch = r->batches;
    return 0;
}

static int train_setup(lt_session *s, const ast_node *n, value *data, int *epochs, int *batch)
{
    value ve, vb;
    if (!tc_get(s, n)) return -1;
    if (s->tc->run) return sess_fail(s, n, "SyntaxError", "a train loop cannot run inside another");
    if (eval_expr(s, n->a, data) < 0) return -1;
    if (!dv_is(*data)) {
        int st = sess_fail(s, n->a, "TypeError", "train on needs a dataset (mnist(), moons(n), dataset(xs, ys)), not %s",
                           val_type_name(*data));
        val_decref(*data);
        return st;
    }
    if (eval_expr(s, n->b, &ve) < 0 || train_count(s, n->b, ve, "epochs", epochs) < 0) { val_decref(*data); return -1; }
    if (eval_expr(s, n->c, &vb) < 0 || train_count(s, n->c, vb, "batch", batch) < 0) { val_decref(*data); return -1; }
    return 0;
}

/* Forgets an interrupted loop (dropping its dataset reference). */
static void train_resume_clear(tc_ctx *tc)
{
    if (tc->resume.data) val_decref(OBJ_VAL((val_obj *)tc->resume.data));
    tc->resume.data = NULL;
}

/* Whether this loop is the one that was interrupted (same dataset, epochs, batch). If
 * so, its histories go on: each variable that still holds a history is copied into r,
 * and the first epoch to run is returned; otherwise 1. */
static int train_resume_start(lt_session *s, train_run *r, value data, int batch)
{
    tc_ctx *tc = s->tc;
    if (tc->resume.data != (void *)AS_OBJ(data) || tc->resume.epochs != r->epochs || tc->resume.batch != batch)
        return 1;
    for (size_t i = 0; i < env_slots(s->globals) && r->nser < TRAIN_MAX_SERIES; i++) {
        const value *v = env_value(s->globals, i);
        if (!v || !IS_OBJ(*v) || AS_OBJ(*v)->type != &series_type) continue;
        const series *old = AS_OBJ(*v)->data;
        if (old->n == 0 || strcmp(old->name, env_name(s->globals, i)) != 0) continue;
        series *h = calloc(1, sizeof *h);
        if (!h) break;
        memcpy(h->name, old->name, sizeof h->name);
        h->epochs = old->epochs;
        for (size_t k = 0; k < old->n && series_push(h, old->v[k]) == 0; k++) {}
        r->ser[r->nser++] = h;
    }
    return tc->resume.epoch;
}

/* After the loop: remembers an interrupted loop for a resume, forgets anything else. */
static void train_resume_note(lt_session *s, int st, train_run *r, value data, int batch)
{
    tc_ctx *tc = s->tc;
    train_resume_clear(tc);
    if (st == 0 || !s->err.name || strcmp(s->err.name, "KeyboardInterrupt") != 0) return;
    val_incref(data);
    tc->resume.data = AS_OBJ(data);
    tc->resume.epochs = r->epochs;
    tc->resume.batch = batch;
    tc->resume.epoch = r->epoch;
}

static int train_exec(lt_session *s, const ast_node *n)
{
    value data;
    int epochs, batch;
    if (train_setup(s, n, &data, &epochs, &batch) < 0) return -1;
    tc_ctx *tc = s->tc;
    data_batches *it = data_batches_new(AS_OBJ(data)->data, batch, 0, rng_next(&tc->r));
    train_run r = { .epochs = epochs, .start = train_now(), .live.series = train_live_series };
    if (!it) { val_decref(data); return tv_fail(s, n); }
    snprintf(r.display_id, sizeof r.display_id, "latent-train-%lu", tc->gen);
    r.batches = data_batches_count(it);
    int first = r.first = train_resume_start(s, &r, data, batch);
    if (first > 1) {
        char line[160];
        int len = snprintf(line, sizeof line, "resuming the interrupted loop at epoch %d of %d\n", first, epochs);
        sess_write(s, line, (size_t)len);
    }
    tc->run = &r;
    tc->training = 1;
    graph_set_recording(tc->g, 1);
    train_saved saved;
    train_save_names(s, &saved);
    int st = train_loop(s, n, &r, it, first);
    graph_set_recording(tc->g, 0);   /* first: the reset then gives a big arena back */
    train_restore_names(s, n, &saved);
    tc_reset(s);
    tc->training = 0;
    live_plot_tick(s, &r.live, 1);   /* the final frame, while the series are still live */
    tc->run = NULL;
    train_progress(s, &r, 1);
    train_resume_note(s, st, &r, data, batch);
    train_bind(s, n, &r);
    data_batches_free(it);
    val_decref(data);
    return st;
}

/* ---- step and log ------------------------------------------------------------------ */

/* The scalar in v (a number or a one-element tensor) as a float. */
static int train_scalar(lt_session *s, const ast_node *at, value v, const char *what, float *x, lt_tensor **t)
{
    *t = NULL;
    if (IS_NUM(v)) { *x = (float)AS_NUM(v); return 0; }
    if (!tv_is(v) || tv_arg(s, at, v, t) < 0)
        return sess_fail(s, at, "TypeError", "%s must be a number or a one-element tensor, not %s", what, val_type_name(v));
    char sh[64];
    if (tensor_numel(*t) != 1)
        return sess_fail(s, at, "ShapeError", "%s must have one element, got shape %s (use sum or mean)",
                         what, tensor_shape_str(*t, sh, sizeof sh));
    *x = tensor_get(*t, 0);
    return 0;
}

/* A variable's value as the body sees it (locals first), for ov_stale. */
static const value *train_lookup(void *ctx, const char *name)
{
    lt_session *s = ctx;
    const value *v = s->locals ? env_get(s->locals, name) : NULL;
    return v ? v : env_get(s->globals, name);
}

/* Says once per optimizer, on stderr, that it steps a network its variable no longer
 * holds (the network's cell was run again, the optimizer's was not): such a training
 * changes nothing the user can see. */
static void train_warn_stale(lt_session *s, const ast_node *n, ov_data *d)
{
    int i;
    const char *var = d->warned ? NULL : ov_stale(d, train_lookup, s, &i);
    if (!var) return;
    const char *opt = n->a->kind == AST_NAME ? n->a->text : "the optimizer";
    const char *make = d->opt->kind == OPTIM_SGD ? "sgd" : d->opt->kind == OPTIM_ADAMW ? "adamw" : "adam";
    char text[512];
    int len = snprintf(text, sizeof text,
                       "warning: %s trains the network that %s held when %s was made, but %s has been "
                       "redefined since, so this training does not change %s: run the cell that makes %s "
                       "again (%s = %s(%s%s%s, ...)) after the one that defines %s\n",
                       opt, var, opt, var, var, opt, opt, make, d->nnets > 1 ? "[" : "", var,
                       d->nnets > 1 ? ", ...]" : "", var);
    d->warned = 1;
    sess_write_err(s, text, len < (int)sizeof text ? (size_t)len : sizeof text - 1);
}

static int train_do_step(lt_session *s, const ast_node *n, value vo, value vl)
{
    train_run *r = s->tc ? s->tc->run : NULL;
    if (!r) return sess_fail(s, n, "SyntaxError", "step belongs inside a train body: train on DATA epochs N batch B { ... }");
    if (!ov_is(vo)) return sess_fail(s, n->a, "TypeError", "step needs an optimizer first (adam(net)), not %s", val_type_name(vo));
    float x;
    lt_tensor *loss;
    const char *name = n->b->kind == AST_NAME ? n->b->text : "loss";
    const char *what = n->b->kind == AST_NAME ? n->b->text : "the loss";
    if (train_scalar(s, n->b, vl, what, &x, &loss) < 0) return -1;
    if (!isfinite(x))
        return sess_fail(s, n->b, "FloatingPointError", "%s is %s at epoch %d, batch %d; training stopped",
                         what, isnan(x) ? "nan" : "infinite", r->epoch, r->batch);
    if (!loss || !loss->requires_grad)
        return sess_fail(s, n->b, "ValueError", "%s does not depend on the optimizer's parameters", what);
    train_warn_stale(s, n, AS_OBJ(vo)->data);
    if (ov_refresh(AS_OBJ(vo)->data) < 0) return tv_fail(s, n);
    optim *opt = ((ov_data *)AS_OBJ(vo)->data)->opt;
    optim_zero_grad(opt);
    if (graph_backward(s->tc->g, loss, opt->params, opt->nparams) != LT_OK) return tv_fail(s, n);
    optim_step_clear(opt);   /* the next step's optim_zero_grad then writes nothing */
    return train_record(s, n, r, name, x);
}

static int train_step(lt_session *s, const ast_node *n)
{
    value vo, vl;
    if (eval_expr(s, n->a, &vo) < 0) return -1;
    if (eval_expr(s, n->b, &vl) < 0) { val_decref(vo); return -1; }
    int st = train_do_step(s, n, vo, vl);
    val_decref(vo);
    val_decref(vl);
    return st;
}

static int train_log(lt_session *s, const ast_node *n)
{
    train_run *r = s->tc ? s->tc->run : NULL;
    if (!r) return sess_fail(s, n, "SyntaxError", "log belongs inside a train body");
    value v;
    if (n->b) {
        if (eval_expr(s, n->b, &v) < 0) return -1;
    } else {
        ast_node name = { .kind = AST_NAME, .line = n->line, .col = n->col, .text = n->text };
        if (eval_expr(s, &name, &v) < 0) return -1;
    }
    float x;
    lt_tensor *t;
    int st = train_scalar(s, n, v, n->text, &x, &t);
    if (st == 0) st = train_record(s, n, r, n->text, x);
    if (st == 0 && n->b) { val_incref(v); st = eval_set_var(s, n, n->text, v); }
    val_decref(v);
    return st;
}

/* ---- the library ------------------------------------------------------------------- */

int lib_open_train(registry *r)
{
    if (reg_statement(r, AST_TRAIN, "train", "train on DATA epochs N batch B { ... }: runs the block once per "
                      "mini-batch with x, y, batch and epoch bound (each given back its value before the loop when it "
                      "ends); autograd records only inside it.", train_exec) < 0 ||
        reg_keyword(r, "on", "Part of a training loop: train on DATA epochs N batch B { ... }.") < 0 ||
        reg_statement(r, AST_STEP, "step", "step OPT LOSS: zeroes OPT's gradients, back-propagates LOSS into OPT's "
                      "parameters only and updates them; LOSS is recorded in the history under its name.", train_step) < 0 ||
        reg_statement(r, AST_LOG, NULL, NULL, train_log) < 0)   /* log is no keyword: log(x) is a builtin */
        return -1;
    return reg_open_on(r, &series_type, series_methods, 0);
}
