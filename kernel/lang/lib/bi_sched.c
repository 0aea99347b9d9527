/* bi_sched.c: learning-rate schedules as values (cosine, exponential, step_decay,
 * warmup), attached to an optimizer with schedule= or schedule(opt, s); the optimizers
 * RMSprop, Adagrad and Adadelta; the keywords all optimizers share (see bi_sched.h).
 *
 * A schedule scales the optimizer's base lr per optimizer step (core/lr_sched.h): `step
 * OPT LOSS` in a train body advances it, and get_lr(opt) tells the rate of the next step. */
#include "bi_sched.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bi_nn.h"
#include "sess.h"

/* ---- schedule values ---------------------------------------------------------------------- */

static void bs_free(void *data) { free(data); }

static void bs_repr_sched(const optim_sched *s, buf *out)
{
    switch (s->kind) {
    case SCHED_COSINE: buf_printf(out, "cosine(steps=%ld, warmup=%ld, min_lr=%g)", s->steps, s->warmup, s->min_lr); break;
    case SCHED_EXP: buf_printf(out, "exponential(gamma=%g, warmup=%ld)", s->gamma, s->warmup); break;
    case SCHED_STEP: buf_printf(out, "step_decay(every=%ld, gamma=%g, warmup=%ld)", s->every, s->gamma, s->warmup); break;
    case SCHED_CONSTANT: buf_printf(out, "warmup(steps=%ld)", s->warmup); break;
    default: buf_puts(out, "none"); break;
    }
}

static void bs_repr(const void *data, buf *out) { bs_repr_sched(data, out); }

/* The steps a plot of the schedule shows: past its warm-up and the shape of its curve */
static long bs_horizon(const optim_sched *s)
{
    switch (s->kind) {
    case SCHED_COSINE: return s->steps + s->steps / 10 + 1;
    case SCHED_STEP: return s->warmup + 5 * s->every;
    case SCHED_EXP: return s->warmup + (long)fmin(10000, ceil(log(0.01) / log(s->gamma < 1 ? s->gamma : 0.5)));
    default: return 2 * s->warmup + 1;
    }
}

/* plot(s): the factor of the base lr at steps 0, 1, ... (a copy of the schedule from step 0) */
static float *bs_to_floats(void *data, size_t *n, int shape[4], int *ndim)
{
    optim_sched s = *(const optim_sched *)data;
    s.start = 0;
    long h = bs_horizon(&s);
    float *x = malloc((size_t)h * sizeof *x);
    if (!x) return NULL;
    for (long k = 0; k < h; k++) x[k] = (float)sched_lr(&s, 1.0, k);
    *n = (size_t)h;
    shape[0] = (int)h;
    *ndim = 1;
    return x;
}

static const val_type bs_type = { .name = "schedule", .free = bs_free, .repr = bs_repr, .to_floats = bs_to_floats };

/* The argument called name: positional i if there is one (i = 99: keyword only), else the
 * keyword; *v NULL when absent (an error if required, showing e.g. "steps=1000") */
static int bs_arg(bi_args *a, int i, const char *name, const char *eg, int required, const value **v,
                  const ast_node **at)
{
    *v = bi_kw(a, name, at);
    if (i < a->npos) {
        if (*v) return bi_fail(a, *at, "TypeError", "%s given twice (as argument %d and as a keyword)", name, i + 1);
        *v = &a->pos[i];
        *at = a->pos_nodes[i];
    }
    if (!*v && required) return bi_fail(a, NULL, "TypeError", "give %s=, e.g. %s=%s", name, name, eg);
    return 0;
}

/* A whole number >= lo from bs_arg, dflt when absent */
static int bs_count(bi_args *a, int i, const char *name, long lo, long dflt, int required, long *x)
{
    const value *v;
    const ast_node *at = NULL;
    *x = dflt;
    if (bs_arg(a, i, name, "1000", required, &v, &at) < 0) return -1;
    if (!v) return 0;
    if (!IS_NUM(*v) || AS_NUM(*v) != floor(AS_NUM(*v)) || AS_NUM(*v) < lo || AS_NUM(*v) > 1e12)
        return bi_fail(a, at, "ValueError", "%s must be a whole number >= %ld", name, lo);
    *x = (long)AS_NUM(*v);
    return 0;
}

/* A number from bs_arg, dflt when absent */
static int bs_real(bi_args *a, int i, const char *name, double dflt, int required, double *x)
{
    const value *v;
    const ast_node *at = NULL;
    *x = dflt;
    if (bs_arg(a, i, name, "0.9", required, &v, &at) < 0) return -1;
    if (!v) return 0;
    if (!IS_NUM(*v)) return bi_fail(a, at, "TypeError", "%s must be a number, not %s", name, val_type_name(*v));
    *x = AS_NUM(*v);
    return 0;
}

static int bs_new(bi_args *a, const optim_sched *s, value *out)
{
    if (sched_check(s) != LT_OK) return bi_fail(a, NULL, "ValueError", "%s", lt_errmsg());
    optim_sched *d = malloc(sizeof *d);
    if (!d) return bi_fail(a, NULL, "MemoryError", "out of memory");
    *d = *s;
    val_obj *obj = val_obj_new(&bs_type, d);
    if (!obj) return bi_fail(a, NULL, "MemoryError", "out of memory");
    *out = OBJ_VAL(obj);
    return 0;
}

static int bs_cosine(bi_args *a, value *out)
{
    optim_sched s = { .kind = SCHED_COSINE };
    if (bs_count(a, 0, "steps", 1, 0, 1, &s.steps) < 0 || bs_count(a, 99, "warmup", 0, 0, 0, &s.warmup) < 0 ||
        bs_real(a, 99, "min_lr", 0, 0, &s.min_lr) < 0)
        return -1;
    return bs_new(a, &s, out);
}

static int bs_exponential(bi_args *a, value *out)
{
    optim_sched s = { .kind = SCHED_EXP };
    if (bs_real(a, 0, "gamma", 0, 1, &s.gamma) < 0 || bs_count(a, 99, "warmup", 0, 0, 0, &s.warmup) < 0) return -1;
    return bs_new(a, &s, out);
}

static int bs_step_decay(bi_args *a, value *out)
{
    optim_sched s = { .kind = SCHED_STEP };
    if (bs_count(a, 0, "every", 1, 0, 1, &s.every) < 0 || bs_real(a, 99, "gamma", 0.1, 0, &s.gamma) < 0 ||
        bs_count(a, 99, "warmup", 0, 0, 0, &s.warmup) < 0)
        return -1;
    return bs_new(a, &s, out);
}

static int bs_warmup(bi_args *a, value *out)
{
    optim_sched s = { .kind = SCHED_CONSTANT };
    if (bs_count(a, 0, "steps", 1, 0, 1, &s.warmup) < 0) return -1;
    return bs_new(a, &s, out);
}

/* schedule(opt, s): attaches s (counting from the optimizer's steps so far; none removes
 * it) and returns none; schedule(opt) returns the attached schedule or none */
static int bs_schedule(bi_args *a, value *out)
{
    if (!ov_is(a->pos[0]))
        return bi_fail(a, a->pos_nodes[0], "TypeError", "schedule() needs an optimizer, not %s", val_type_name(a->pos[0]));
    optim *opt = ((ov_data *)AS_OBJ(a->pos[0])->data)->opt;
    *out = NONE_VAL;
    if (a->npos == 1)
        return opt->o.sched.kind == SCHED_NONE ? 0 : bs_new(a, &opt->o.sched, out);
    value v = a->pos[1];
    if (IS_NONE(v)) { opt->o.sched = (optim_sched){ 0 }; return 0; }
    if (!IS_OBJ(v) || AS_OBJ(v)->type != &bs_type)
        return bi_fail(a, a->pos_nodes[1], "TypeError", "schedule(opt, s) needs a schedule such as cosine(steps=1000), "
                       "not %s", val_type_name(v));
    opt->o.sched = *(const optim_sched *)AS_OBJ(v)->data;
    opt->o.sched.start = opt->step;
    return 0;
}

/* ---- optimizer keywords ------------------------------------------------------------------ */

static int bs_kw_num(bi_args *a, const char *name, double *x)
{
    const ast_node *at;
    const value *v = bi_kw(a, name, &at);
    if (!v) return 0;
    if (IS_BOOL(*v)) { *x = AS_BOOL(*v); return 0; }
    if (!IS_NUM(*v)) return bi_fail(a, at, "TypeError", "%s must be a number, not %s", name, val_type_name(*v));
    *x = AS_NUM(*v);
    return 0;
}

int bs_optim_opts(bi_args *a, optim_kind kind, optim_opts *o)
{
    (void)kind;
    double centered = o->centered, nesterov = o->nesterov;
    const ast_node *at;
    const value *s = bi_kw(a, "schedule", &at);
    if (bs_kw_num(a, "alpha", &o->alpha) < 0 || bs_kw_num(a, "centered", &centered) < 0 ||
        bs_kw_num(a, "lr_decay", &o->lr_decay) < 0 || bs_kw_num(a, "initial_accumulator_value", &o->init_acc) < 0 ||
        bs_kw_num(a, "rho", &o->rho) < 0 || bs_kw_num(a, "dampening", &o->dampening) < 0 ||
        bs_kw_num(a, "nesterov", &nesterov) < 0 || bs_kw_num(a, "clip", &o->clip) < 0)
        return -1;
    o->centered = centered != 0;
    o->nesterov = nesterov != 0;
    if (s && !IS_NONE(*s)) {
        if (!IS_OBJ(*s) || AS_OBJ(*s)->type != &bs_type)
            return bi_fail(a, at, "TypeError", "schedule= takes a schedule such as cosine(steps=1000, warmup=100), not %s",
                           val_type_name(*s));
        o->sched = *(const optim_sched *)AS_OBJ(*s)->data;
    }
    return 0;
}

void bs_optim_repr(const optim *opt, buf *out)
{
    const optim_opts *o = &opt->o;
    buf_printf(out, "%s(lr=%g", optim_name(opt->kind), o->lr);
    switch (opt->kind) {
    case OPTIM_SGD:
        buf_printf(out, ", momentum=%g", o->momentum);
        if (o->dampening != 0) buf_printf(out, ", dampening=%g", o->dampening);
        if (o->nesterov) buf_puts(out, ", nesterov=true");
        break;
    case OPTIM_RMSPROP:
        buf_printf(out, ", alpha=%g", o->alpha);
        if (o->momentum != 0) buf_printf(out, ", momentum=%g", o->momentum);
        if (o->centered) buf_puts(out, ", centered=true");
        break;
    case OPTIM_ADAGRAD:
        if (o->lr_decay != 0) buf_printf(out, ", lr_decay=%g", o->lr_decay);
        if (o->init_acc != 0) buf_printf(out, ", initial_accumulator_value=%g", o->init_acc);
        break;
    case OPTIM_ADADELTA: buf_printf(out, ", rho=%g", o->rho); break;
    default: buf_printf(out, ", betas=[%g, %g]", o->beta1, o->beta2); break;
    }
    if (o->weight_decay != 0) buf_printf(out, ", weight_decay=%g", o->weight_decay);
    if (o->sched.kind != SCHED_NONE) {
        buf_puts(out, ", schedule=");
        bs_repr_sched(&o->sched, out);
        buf_printf(out, " (next lr %g)", optim_lr(opt));
    }
    if (o->clip > 0) buf_printf(out, ", clip=%g", o->clip);
}

void bs_hyper_write(const optim_opts *o, double *h)
{
    const optim_sched *s = &o->sched;
    double v[BS_HYPER_MORE] = { o->alpha, o->centered, o->lr_decay, o->init_acc, o->rho, o->clip,
                                s->kind, (double)s->warmup, (double)s->steps, (double)s->every, s->gamma,
                                s->min_lr, (double)s->start };
    memcpy(h, v, sizeof v);
}

void bs_hyper_read(const double *h, optim_opts *o)
{
    o->alpha = h[0]; o->centered = h[1] != 0; o->lr_decay = h[2]; o->init_acc = h[3]; o->rho = h[4];
    o->clip = h[5];
    o->sched = (optim_sched){ .kind = (sched_kind)(int)h[6], .warmup = (long)h[7], .steps = (long)h[8],
                              .every = (long)h[9], .gamma = h[10], .min_lr = h[11], .start = (long)h[12] };
}

/* ---- RMSprop, Adagrad, Adadelta ---------------------------------------------------------- */

static int bs_rmsprop(bi_args *a, value *out) { return ov_new(a, out, OPTIM_RMSPROP); }
static int bs_adagrad(bi_args *a, value *out) { return ov_new(a, out, OPTIM_ADAGRAD); }
static int bs_adadelta(bi_args *a, value *out) { return ov_new(a, out, OPTIM_ADADELTA); }

static const char *const bs_cosine_kw[] = {"steps", "warmup", "min_lr", NULL};
static const char *const bs_exp_kw[] = {"gamma", "warmup", NULL};
static const char *const bs_step_kw[] = {"every", "gamma", "warmup", NULL};
static const char *const bs_warmup_kw[] = {"steps", NULL};
static const char *const bs_rmsprop_kw[] = {"lr", "alpha", "eps", "weight_decay", "momentum", "centered", "schedule", "clip", NULL};
static const char *const bs_adagrad_kw[] = {"lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps",
                                            "schedule", "clip", NULL};
static const char *const bs_adadelta_kw[] = {"lr", "rho", "eps", "weight_decay", "schedule", "clip", NULL};

static const builtin bi_sched_builtins[] = {
    {"cosine", "cosine(steps, warmup=0, min_lr=0)",
     "A learning-rate schedule for an optimizer's schedule=: a linear warm-up over `warmup` steps (step k uses "
     "(k + 1) / warmup of the base lr), then half a cosine from the base lr down to min_lr at step `steps`, "
     "and min_lr after (PyTorch's CosineAnnealingLR without restarts). It counts optimizer steps. "
     "plot(s) draws it for a base lr of 1.",
     "opt = adam(linear(2, 1), lr=0.1, schedule=cosine(steps=100, warmup=10))\nget_lr(opt)  # => 0.01",
     bs_cosine_kw, 0, 1, bs_cosine},
    {"exponential", "exponential(gamma, warmup=0)",
     "A schedule that multiplies the lr by gamma (in (0, 1]) every optimizer step, after an optional warm-up "
     "(PyTorch's ExponentialLR, stepped per batch).",
     "exponential(0.99)  # => exponential(gamma=0.99, warmup=0)", bs_exp_kw, 0, 1, bs_exponential},
    {"step_decay", "step_decay(every, gamma=0.1, warmup=0)",
     "A schedule that multiplies the lr by gamma every `every` optimizer steps (PyTorch's StepLR; for "
     "StepLR(step_size=30) stepped per epoch, every = 30 * the batches in an epoch).",
     "step_decay(every=1000, gamma=0.5)  # => step_decay(every=1000, gamma=0.5, warmup=0)",
     bs_step_kw, 0, 1, bs_step_decay},
    {"warmup", "warmup(steps)",
     "A schedule of linear warm-up only: step k < steps uses (k + 1) / steps of the base lr, then the base lr.",
     "warmup(100)  # => warmup(steps=100)", bs_warmup_kw, 0, 1, bs_warmup},
    {"schedule", "schedule(opt, s=none)",
     "Attaches the schedule s to an optimizer that exists (counting from its steps so far; its moments are "
     "kept); schedule(opt, none) removes it; schedule(opt) returns the attached one.",
     "opt = sgd(linear(2, 1), lr=0.1)\nschedule(opt, step_decay(every=10, gamma=0.5))\nschedule(opt)\n"
     "# => step_decay(every=10, gamma=0.5, warmup=0)", NULL, 1, 2, bs_schedule},
    {"rmsprop", "rmsprop(nets, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=false, "
     "schedule=none, clip=0)",
     "RMSprop over a network or a list of networks (PyTorch's update rule and defaults): each weight's step is "
     "divided by the root of a running mean (decay alpha) of its squared gradients.",
     "rmsprop(linear(2, 1))\n# => RMSprop(lr=0.01, alpha=0.99) over 1 network, 3 parameters, 0 steps",
     bs_rmsprop_kw, 1, 1, bs_rmsprop},
    {"adagrad", "adagrad(nets, lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, "
     "schedule=none, clip=0)",
     "Adagrad (PyTorch's): each weight's step is divided by the root of the sum of all its squared gradients.",
     "adagrad(linear(2, 1), lr=0.1)\n# => Adagrad(lr=0.1) over 1 network, 3 parameters, 0 steps",
     bs_adagrad_kw, 1, 1, bs_adagrad},
    {"adadelta", "adadelta(nets, lr=1, rho=0.9, eps=1e-6, weight_decay=0, schedule=none, clip=0)",
     "Adadelta (PyTorch's): steps scaled by the ratio of running RMS of past updates and of gradients.",
     "adadelta(linear(2, 1))\n# => Adadelta(lr=1, rho=0.9) over 1 network, 3 parameters, 0 steps",
     bs_adadelta_kw, 1, 1, bs_adadelta},
    {0},
};

int lib_open_sched(registry *r) { return reg_open(r, bi_sched_builtins); }
