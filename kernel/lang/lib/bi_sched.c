/* bi_sched.c: the schedule builtins (cosine, exponential, step_decay, warmup; the values
 * are sched_val.c's), attached to an optimizer with schedule= or schedule(opt, s); the
 * optimizers RMSprop, Adagrad and Adadelta.
 *
 * A schedule scales the optimizer's base lr per optimizer step (core/lr_sched.h): `step
 * OPT LOSS` in a train body advances it, and get_lr(opt) tells the rate of the next step. */
#include "bi_sched.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bi_nn.h"
#include "sched_val.h"
#include "sess.h"

/* ---- schedules ------------------------------------------------------------------------------ */

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

static int bs_cosine(bi_args *a, value *out)
{
    optim_sched s = { .kind = SCHED_COSINE };
    if (bs_count(a, 0, "steps", 1, 0, 1, &s.steps) < 0 || bs_count(a, 99, "warmup", 0, 0, 0, &s.warmup) < 0 ||
        bs_real(a, 99, "min_lr", 0, 0, &s.min_lr) < 0)
        return -1;
    return sch_new(a, &s, out);
}

static int bs_exponential(bi_args *a, value *out)
{
    optim_sched s = { .kind = SCHED_EXP };
    if (bs_real(a, 0, "gamma", 0, 1, &s.gamma) < 0 || bs_count(a, 99, "warmup", 0, 0, 0, &s.warmup) < 0) return -1;
    return sch_new(a, &s, out);
}

static int bs_step_decay(bi_args *a, value *out)
{
    optim_sched s = { .kind = SCHED_STEP };
    if (bs_count(a, 0, "every", 1, 0, 1, &s.every) < 0 || bs_real(a, 99, "gamma", 0.1, 0, &s.gamma) < 0 ||
        bs_count(a, 99, "warmup", 0, 0, 0, &s.warmup) < 0)
        return -1;
    return sch_new(a, &s, out);
}

static int bs_warmup(bi_args *a, value *out)
{
    optim_sched s = { .kind = SCHED_CONSTANT };
    if (bs_count(a, 0, "steps", 1, 0, 1, &s.warmup) < 0) return -1;
    return sch_new(a, &s, out);
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
        return opt->o.sched.kind == SCHED_NONE ? 0 : sch_new(a, &opt->o.sched, out);
    value v = a->pos[1];
    if (IS_NONE(v)) { opt->o.sched = (optim_sched){ 0 }; return 0; }
    if (!IS_OBJ(v) || AS_OBJ(v)->type != &sch_type)
        return bi_fail(a, a->pos_nodes[1], "TypeError", "schedule(opt, s) needs a schedule such as cosine(steps=1000), "
                       "not %s", val_type_name(v));
    opt->o.sched = *(const optim_sched *)AS_OBJ(v)->data;
    opt->o.sched.start = opt->step;
    return 0;
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
