/* optim_more.c: RMSprop, Adagrad and Adadelta as in PyTorch 1.13
 * (torch/optim/{rmsprop,adagrad,adadelta}.py, _single_tensor_*), and gradient clipping by
 * global norm (torch/nn/utils/clip_grad.py). As in optim.c, the hyperparameters combine
 * in double as in Python and each element's arithmetic is float32 in the order of the
 * tensor ops there (addcmul: self + value * t1 * t2; addcdiv: self + value * t1 / t2).
 *
 * The state buffers (optim.h: m, v, u, `total` floats each, block after block):
 *   RMSprop   m square_avg; v momentum_buffer (momentum > 0); grad_avg (centered) in the
 *             next free one
 *   Adagrad   m state_sum (starts at initial_accumulator_value)
 *   Adadelta  m square_avg; v acc_delta */
#pragma GCC optimize("tree-vectorize", "vect-cost-model=cheap")

#include "optim.h"

#include <math.h>
#include <string.h>

int optim_nstate(optim_kind kind, const optim_opts *o)
{
    switch (kind) {
    case OPTIM_SGD: case OPTIM_ADAGRAD: return 1;
    case OPTIM_RMSPROP: return 1 + (o->momentum > 0) + (o->centered != 0);
    default: return 2;
    }
}

static lt_status in01(const char *kind, const char *name, double x)
{
    if (x >= 0 && x <= 1) return LT_OK;
    return lt_fail(LT_ERR_VALUE, "%s: %s must be in [0, 1], got %g", kind, name, x);
}

lt_status optim_more_check(optim_kind kind, const optim_opts *o)
{
    const char *name = optim_name(kind);
    if (!(o->eps >= 0)) return lt_fail(LT_ERR_VALUE, "%s: eps must be >= 0, got %g", name, o->eps);
    switch (kind) {
    case OPTIM_RMSPROP:
        if (!(o->momentum >= 0)) return lt_fail(LT_ERR_VALUE, "RMSprop: momentum must be >= 0, got %g", o->momentum);
        return in01(name, "alpha", o->alpha);
    case OPTIM_ADAGRAD:
        if (!(o->lr_decay >= 0)) return lt_fail(LT_ERR_VALUE, "Adagrad: lr_decay must be >= 0, got %g", o->lr_decay);
        if (!(o->init_acc >= 0))
            return lt_fail(LT_ERR_VALUE, "Adagrad: initial_accumulator_value must be >= 0, got %g", o->init_acc);
        return LT_OK;
    case OPTIM_ADADELTA: return in01(name, "rho", o->rho);
    default: return lt_fail(LT_ERR_VALUE, "optim: %s is not RMSprop, Adagrad or Adadelta", name);
    }
}

/* ---------------------------------------------------------------- the element rules */

/* RMSprop over one block: w, g, sq are (n); buf (momentum > 0) and ga (centered) are (n)
 * or NULL. d = g + wd w; sq = sq a + (1 - a) d d; ga = ga a + (1 - a) d;
 * avg = sqrt(sq - ga ga) + eps (sqrt(sq) + eps uncentered);
 * momentum: buf = buf mom + d / avg, w += -lr buf; else w += (-lr d) / avg */
static void rmsprop_block(float *restrict w, const float *restrict g, float *restrict sq,
                          float *restrict buf, float *restrict ga, size_t n, const optim_opts *o)
{
    float wd = (float)o->weight_decay, a = (float)o->alpha, a1 = (float)(1.0 - o->alpha);
    float eps = (float)o->eps, mom = (float)o->momentum, nlr = (float)-o->lr;
    for (size_t i = 0; i < n; i++) {
        float d = g[i] + wd * w[i];
        sq[i] = sq[i] * a + a1 * d * d;
        float avg;
        if (ga) {
            ga[i] = ga[i] * a + a1 * d;
            avg = sqrtf(sq[i] + -1.0f * ga[i] * ga[i]) + eps;
        } else {
            avg = sqrtf(sq[i]) + eps;
        }
        if (buf) {
            buf[i] = buf[i] * mom + 1.0f * d / avg;
            w[i] = w[i] + nlr * buf[i];
        } else {
            w[i] = w[i] + nlr * d / avg;
        }
    }
}

/* Adagrad over one block: d = g + wd w; s += d d; w += (-clr d) / (sqrt(s) + eps),
 * clr = lr / (1 + (step - 1) lr_decay) */
static void adagrad_block(float *restrict w, const float *restrict g, float *restrict s, size_t n,
                          const optim_opts *o, long step)
{
    float wd = (float)o->weight_decay, eps = (float)o->eps;
    float nclr = (float)-(o->lr / (1.0 + (double)(step - 1) * o->lr_decay));
    for (size_t i = 0; i < n; i++) {
        float d = g[i] + wd * w[i];
        s[i] = s[i] + 1.0f * d * d;
        w[i] = w[i] + nclr * d / (sqrtf(s[i]) + eps);
    }
}

/* Adadelta over one block: d = g + wd w; sq = sq rho + (1 - rho) d d;
 * delta = sqrt(acc + eps) / sqrt(sq + eps) * d; acc = acc rho + (1 - rho) delta delta;
 * w += -lr delta */
static void adadelta_block(float *restrict w, const float *restrict g, float *restrict sq,
                           float *restrict acc, size_t n, const optim_opts *o)
{
    float wd = (float)o->weight_decay, r = (float)o->rho, r1 = (float)(1.0 - o->rho);
    float eps = (float)o->eps, nlr = (float)-o->lr;
    for (size_t i = 0; i < n; i++) {
        float d = g[i] + wd * w[i];
        sq[i] = sq[i] * r + r1 * d * d;
        float delta = sqrtf(acc[i] + eps) / sqrtf(sq[i] + eps) * d;
        acc[i] = acc[i] * r + r1 * delta * delta;
        w[i] = w[i] + nlr * delta;
    }
}

void optim_more_step(optim *opt, int clear)
{
    const optim_opts *o = &opt->o;
    float *buf = NULL, *ga = NULL;
    if (opt->kind == OPTIM_RMSPROP) {
        buf = o->momentum > 0 ? opt->v : NULL;
        ga = o->centered ? (buf ? opt->u : opt->v) : NULL;
    }
    size_t off = 0;
    for (int i = 0; i < opt->nparams; off += opt->params[i].n, i++) {
        const lt_param *p = &opt->params[i];
        switch (opt->kind) {
        case OPTIM_RMSPROP:
            rmsprop_block(p->w, p->g, opt->m + off, buf ? buf + off : NULL, ga ? ga + off : NULL, p->n, o);
            break;
        case OPTIM_ADAGRAD: adagrad_block(p->w, p->g, opt->m + off, p->n, o, opt->step); break;
        default: adadelta_block(p->w, p->g, opt->m + off, opt->v + off, p->n, o); break;
        }
        if (clear)
            memset(p->g, 0, p->n * sizeof(float));
    }
}

/* ---------------------------------------------------------------- clipping */

double optim_clip_grad_norm(optim *opt, double max_norm)
{
    double ss = 0.0;
    for (int i = 0; i < opt->nparams; i++) {
        const float *g = opt->params[i].g;
        for (size_t j = 0; j < opt->params[i].n; j++)
            ss += (double)g[j] * g[j];
    }
    double norm = sqrt(ss);
    double coef = max_norm / (norm + 1e-6);
    if (!(coef < 1.0))   /* clamp(max=1): a NaN norm gives a NaN coefficient, as PyTorch */
        if (!isnan(coef)) return norm;
    float c = (float)coef;
    for (int i = 0; i < opt->nparams; i++) {
        float *g = opt->params[i].g;
        for (size_t j = 0; j < opt->params[i].n; j++)
            g[j] *= c;
    }
    return norm;
}
