/* lr_sched.c: learning-rate schedules (see lr_sched.h). */
#include "lr_sched.h"

#include <math.h>

const char *sched_name(sched_kind kind)
{
    switch (kind) {
    case SCHED_NONE: return "none";
    case SCHED_CONSTANT: return "warmup";
    case SCHED_STEP: return "step_decay";
    case SCHED_EXP: return "exponential";
    case SCHED_COSINE: return "cosine";
    }
    return "?";
}

lt_status sched_check(const optim_sched *s)
{
    const char *n = sched_name(s->kind);
    if ((unsigned)s->kind > SCHED_COSINE) return lt_fail(LT_ERR_VALUE, "schedule: unknown kind %d", (int)s->kind);
    if (s->kind == SCHED_NONE) return LT_OK;
    if (s->warmup < 0) return lt_fail(LT_ERR_VALUE, "%s: warmup must be >= 0, got %ld", n, s->warmup);
    if (s->kind == SCHED_STEP && s->every < 1)
        return lt_fail(LT_ERR_VALUE, "%s: every must be >= 1, got %ld", n, s->every);
    if ((s->kind == SCHED_STEP || s->kind == SCHED_EXP) && !(s->gamma > 0 && s->gamma <= 1))
        return lt_fail(LT_ERR_VALUE, "%s: gamma must be in (0, 1], got %g", n, s->gamma);
    if (s->kind == SCHED_COSINE && s->steps <= s->warmup)
        return lt_fail(LT_ERR_VALUE, "%s: steps (%ld) must be more than warmup (%ld)", n, s->steps, s->warmup);
    if (s->kind == SCHED_COSINE && !(s->min_lr >= 0 && isfinite(s->min_lr)))
        return lt_fail(LT_ERR_VALUE, "%s: min_lr must be a number >= 0, got %g", n, s->min_lr);
    return LT_OK;
}

double sched_lr(const optim_sched *s, double base, long k)
{
    if (s->kind == SCHED_NONE) return base;
    k = k > s->start ? k - s->start : 0;
    if (k < s->warmup) return base * (double)(k + 1) / (double)s->warmup;
    double t = (double)(k - s->warmup);
    switch (s->kind) {
    case SCHED_STEP: return base * pow(s->gamma, floor(t / (double)s->every));
    case SCHED_EXP: return base * pow(s->gamma, t);
    case SCHED_COSINE: {
        double T = (double)(s->steps - s->warmup);
        if (t >= T) return s->min_lr;
        return s->min_lr + (base - s->min_lr) * (1.0 + cos(M_PI * t / T)) / 2.0;
    }
    default: return base;
    }
}
