/* plot_ticks.c: round tick values (1-2-5 steps, log decades) and their labels. */
#include "plot_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Makes [lo, hi] a proper finite interval: non-finite ends take the other end's value,
 * and an empty or precision-limited interval is widened by 10% of its value (or to
 * [-1, 1] around 0). */
static void widen_range(double *lo, double *hi)
{
    double a = *lo, b = *hi;
    if (!isfinite(a)) a = isfinite(b) ? b : 0;
    if (!isfinite(b)) b = a;
    if (a > b) { double t = a; a = b; b = t; }
    double c = 0.5 * (a + b), mag = fmax(fabs(a), fabs(b));
    if (b - a <= 1e-12 * mag || b - a == 0) {
        double d = c == 0 ? 1 : fabs(c) * 0.1;
        a = c - d;
        b = c + d;
    }
    *lo = a;
    *hi = b;
}

int plot_ticks(double lo, double hi, int max_ticks, double *ticks, double *step)
{
    if (max_ticks < 3 || max_ticks > 16) {
        lt_fail(LT_ERR_VALUE, "plot_ticks: max_ticks %d is outside 3..16", max_ticks);
        return 0;
    }
    widen_range(&lo, &hi);
    double raw = (hi - lo) / max_ticks;
    double e = pow(10, floor(log10(raw)));
    static const double bases[] = {1, 2, 5, 10, 20, 50, 100};
    double s = 100 * e, first = 0;
    int count = 0;
    for (size_t i = 0; i < sizeof bases / sizeof *bases; i++) {
        s = bases[i] * e;
        first = ceil(lo / s - 1e-9);
        double last = floor(hi / s + 1e-9);
        count = (int)(last - first) + 1;
        if (count <= max_ticks) break;
    }
    if (count > max_ticks) count = max_ticks;
    for (int i = 0; i < count; i++) {
        double t = (first + i) * s;
        ticks[i] = fabs(t) < s * 1e-9 ? 0 : t;
    }
    if (step) *step = s;
    return count;
}

int plot_log_ticks(double lo, double hi, int max_ticks, double *ticks, int *decades)
{
    if (max_ticks < 3 || max_ticks > 16) {
        lt_fail(LT_ERR_VALUE, "plot_log_ticks: max_ticks %d is outside 3..16", max_ticks);
        return 0;
    }
    if (!(lo > 0) || !isfinite(lo)) lo = isfinite(hi) && hi > 0 ? hi / 10 : 1;
    if (!(hi > lo) || !isfinite(hi)) hi = lo * 10;
    int e0 = (int)ceil(log10(lo) - 1e-9), e1 = (int)floor(log10(hi) + 1e-9);
    int nd = e1 - e0 + 1, n = 0;
    if (nd >= 2) {
        int stride = (nd + max_ticks - 1) / max_ticks;
        int start = e0 + ((-e0 % stride) + stride) % stride; /* multiples of stride */
        for (int k = start; k <= e1 && n < max_ticks; k += stride) ticks[n++] = pow(10, k);
        if (n >= 2) {
            *decades = 1;
            return n;
        }
        n = 0;
    }
    /* Less than two decades in view: 1, 2, 5 times powers of ten. */
    static const double m[] = {1, 2, 5};
    for (int k = e0 - 1; k <= e1 && n < max_ticks; k++)
        for (int j = 0; j < 3 && n < max_ticks; j++) {
            double t = m[j] * pow(10, k);
            if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks[n++] = t;
        }
    *decades = 0;
    if (n >= 2) return n;
    double step;
    return plot_ticks(lo, hi, max_ticks, ticks, &step); /* a very narrow range */
}

/* How many decimals show step exactly (0..15). */
static int step_decimals(double step)
{
    step = fabs(step);
    for (int d = 0; d < 15; d++) {
        double s = step * pow(10, d);
        if (fabs(s - nearbyint(s)) <= 1e-6 * s) return d;
    }
    return 15;
}

void plot_format_tick(double v, double step, double maxabs, char *buf, size_t cap)
{
    if (cap == 0) return;
    if (!isfinite(v)) {
        snprintf(buf, cap, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        return;
    }
    step = fabs(step);
    int zero = v == 0 || (step > 0 && fabs(v) < step * 1e-9);
    maxabs = fmax(maxabs, zero ? 0 : fabs(v));
    int sci = maxabs >= 1e6 || maxabs < 1e-4;
    if (zero) {   /* "0" among 1e-05, 2e-05; "0.0" among 0.5, 1.0, as matplotlib */
        snprintf(buf, cap, "%.*f", sci || step == 0 ? 0 : step_decimals(step), 0.0);
        return;
    }
    if (sci) {
        int ev = (int)floor(log10(fabs(v)));
        int es = step > 0 ? (int)floor(log10(step) + 1e-9) : ev;
        int digits = ev - es;
        digits = digits < 0 ? 0 : digits > 15 ? 15 : digits;
        char tmp[64];
        snprintf(tmp, sizeof tmp, "%.*e", digits, v);
        /* Strip trailing zeros of the mantissa: "2.50e+06" -> "2.5e+06". */
        char *e = strchr(tmp, 'e'), *m = e;
        while (m > tmp && m[-1] == '0') m--;
        if (m > tmp && m[-1] == '.') m--;
        memmove(m, e, strlen(e) + 1);
        snprintf(buf, cap, "%s", tmp);
        return;
    }
    snprintf(buf, cap, "%.*f", step > 0 ? step_decimals(step) : 6, v);
}
