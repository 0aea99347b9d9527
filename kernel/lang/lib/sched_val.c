/* sched_val.c: learning-rate schedules as values of the language, and the optimizer
 * keywords, description and saved fields every optimizer builtin shares (sched_val.h).
 * bi_nn.c (adam, sgd, ...), bi_sched.c (the schedule builtins, rmsprop, ...) and bi_save.c
 * (optimizer files) use it; it knows none of them. */
#include "sched_val.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sess.h"

/* ---- schedule values ---------------------------------------------------------------------- */

static void sch_free(void *data) { free(data); }

static void sch_repr_sched(const optim_sched *s, buf *out)
{
    switch (s->kind) {
    case SCHED_COSINE: buf_printf(out, "cosine(steps=%ld, warmup=%ld, min_lr=%g)", s->steps, s->warmup, s->min_lr); break;
    case SCHED_EXP: buf_printf(out, "exponential(gamma=%g, warmup=%ld)", s->gamma, s->warmup); break;
    case SCHED_STEP: buf_printf(out, "step_decay(every=%ld, gamma=%g, warmup=%ld)", s->every, s->gamma, s->warmup); break;
    case SCHED_CONSTANT: buf_printf(out, "warmup(steps=%ld)", s->warmup); break;
    default: buf_puts(out, "none"); break;
    }
}

static void sch_repr(const void *data, buf *out) { sch_repr_sched(data, out); }

/* The steps a plot of the schedule shows: past its warm-up and the shape of its curve */
static long sch_horizon(const optim_sched *s)
{
    switch (s->kind) {
    case SCHED_COSINE: return s->steps + s->steps / 10 + 1;
    case SCHED_STEP: return s->warmup + 5 * s->every;
    case SCHED_EXP: return s->warmup + (long)fmin(10000, ceil(log(0.01) / log(s->gamma < 1 ? s->gamma : 0.5)));
    default: return 2 * s->warmup + 1;
    }
}

/* plot(s): the factor of the base lr at steps 0, 1, ... (a copy of the schedule from step 0) */
static float *sch_to_floats(void *data, size_t *n, int shape[4], int *ndim)
{
    optim_sched s = *(const optim_sched *)data;
    s.start = 0;
    long h = sch_horizon(&s);
    float *x = malloc((size_t)h * sizeof *x);
    if (!x) return NULL;
    for (long k = 0; k < h; k++) x[k] = (float)sched_lr(&s, 1.0, k);
    *n = (size_t)h;
    shape[0] = (int)h;
    *ndim = 1;
    return x;
}

const val_type sch_type = { .name = "schedule", .free = sch_free, .repr = sch_repr, .to_floats = sch_to_floats };

int sch_new(bi_args *a, const optim_sched *s, value *out)
{
    if (sched_check(s) != LT_OK) return bi_fail(a, NULL, "ValueError", "%s", lt_errmsg());
    optim_sched *d = malloc(sizeof *d);
    if (!d) return bi_fail(a, NULL, "MemoryError", "out of memory");
    *d = *s;
    val_obj *obj = val_obj_new(&sch_type, d);
    if (!obj) return bi_fail(a, NULL, "MemoryError", "out of memory");
    *out = OBJ_VAL(obj);
    return 0;
}

/* ---- optimizer keywords ------------------------------------------------------------------ */

static int sch_kw_num(bi_args *a, const char *name, double *x)
{
    const ast_node *at;
    const value *v = bi_kw(a, name, &at);
    if (!v) return 0;
    if (IS_BOOL(*v)) { *x = AS_BOOL(*v); return 0; }
    if (!IS_NUM(*v)) return bi_fail(a, at, "TypeError", "%s must be a number, not %s", name, val_type_name(*v));
    *x = AS_NUM(*v);
    return 0;
}

int sch_optim_opts(bi_args *a, optim_kind kind, optim_opts *o)
{
    (void)kind;
    double centered = o->centered, nesterov = o->nesterov;
    const ast_node *at;
    const value *s = bi_kw(a, "schedule", &at);
    if (sch_kw_num(a, "alpha", &o->alpha) < 0 || sch_kw_num(a, "centered", &centered) < 0 ||
        sch_kw_num(a, "lr_decay", &o->lr_decay) < 0 || sch_kw_num(a, "initial_accumulator_value", &o->init_acc) < 0 ||
        sch_kw_num(a, "rho", &o->rho) < 0 || sch_kw_num(a, "dampening", &o->dampening) < 0 ||
        sch_kw_num(a, "nesterov", &nesterov) < 0 || sch_kw_num(a, "clip", &o->clip) < 0)
        return -1;
    o->centered = centered != 0;
    o->nesterov = nesterov != 0;
    if (s && !IS_NONE(*s)) {
        if (!IS_OBJ(*s) || AS_OBJ(*s)->type != &sch_type)
            return bi_fail(a, at, "TypeError", "schedule= takes a schedule such as cosine(steps=1000, warmup=100), not %s",
                           val_type_name(*s));
        o->sched = *(const optim_sched *)AS_OBJ(*s)->data;
    }
    return 0;
}

void sch_optim_repr(const optim *opt, buf *out)
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
        sch_repr_sched(&o->sched, out);
        buf_printf(out, " (next lr %g)", optim_lr(opt));
    }
    if (o->clip > 0) buf_printf(out, ", clip=%g", o->clip);
}

void sch_hyper_write(const optim_opts *o, double *h)
{
    const optim_sched *s = &o->sched;
    double v[SCH_HYPER_MORE] = { o->alpha, o->centered, o->lr_decay, o->init_acc, o->rho, o->clip,
                                s->kind, (double)s->warmup, (double)s->steps, (double)s->every, s->gamma,
                                s->min_lr, (double)s->start };
    memcpy(h, v, sizeof v);
}

void sch_hyper_read(const double *h, optim_opts *o)
{
    o->alpha = h[0]; o->centered = h[1] != 0; o->lr_decay = h[2]; o->init_acc = h[3]; o->rho = h[4];
    o->clip = h[5];
    o->sched = (optim_sched){ .kind = (sched_kind)(int)h[6], .warmup = (long)h[7], .steps = (long)h[8],
                              .every = (long)h[9], .gamma = h[10], .min_lr = h[11], .start = (long)h[12] };
}
