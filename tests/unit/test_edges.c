/* test_edges.c: every element-wise math path of the engine at extreme inputs (issue 12),
 * against double-precision libm references.
 *
 * The inputs: +-0, denormals, +-FLT_MIN, +-1e-30, small and ordinary values, each side of
 * the float exp's overflow (88.72) and underflow (-87.3 normal, -103.9 denormal) points,
 * +-1e4, +-1e30, +-FLT_MAX, +-inf and NaN. Each path runs over arrays of many lengths
 * (1 .. 40, 67, 1000, 40000) with the table rotated through them, so every value passes
 * through the vector bodies (4, 8 and 16 lanes), the scalar or padded tails, and the
 * threaded split (40000 > 2 PAR_MIN) of the path. The explicit-width kernels (vmath's
 * libmvec loops and the fused linear + sigmoid/tanh and BCE that call them, vec.c's exp
 * and GroupNorm's SiLU) run at each width the CPU has (vm_set_width and vec_set_width 4,
 * 8, 16: SSE2, AVX2, AVX-512); the other ops' target_clones loops run the clone the CPU
 * picks.
 *
 * A result passes when: the reference is NaN and it is NaN; the reference is +-inf or +-0
 * and it is the same value with the same sign (exact class); else it is within the path's
 * stated tolerance in ulps of the float nearest the reference (an ulp of a denormal is
 * 2^-149, so results in the denormal range are held to the same absolute grid). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pool.h"
#include "vec.h"
#include "graph.h"
#include "ops.h"
#include "ops_math.h"
#include "tensor.h"
#include "vmath.h"

static const float table[] = {
    0.0f, -0.0f, 1e-45f, -1e-45f, 1e-40f, -1e-40f, FLT_MIN, -FLT_MIN, 1e-30f, -1e-30f,
    1e-7f, -1e-7f, 0.5f, -0.5f, 1.0f, -1.0f, 2.0f, -2.0f, 9.0f, -9.0f, 20.0f, -20.0f,
    87.3f, -87.3f, 87.4f, -87.4f, 88.7f, -88.7f, 88.72f, -88.72f, 88.73f, -88.73f,
    89.0f, -89.0f, 100.0f, -100.0f, 103.9f, -103.9f, 104.0f, -104.0f, 1e4f, -1e4f,
    1e30f, -1e30f, FLT_MAX, -FLT_MAX, INFINITY, -INFINITY, NAN,
};
#define NT (sizeof table / sizeof table[0])

static const size_t sizes[] = { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40, 67, 1000, 40000 };
#define NS (sizeof sizes / sizeof sizes[0])

/* ---- the pass rule ----------------------------------------------------------------------- */

/* the size of an ulp at v: of the float nearest v, 2^-149 in the denormals */
static double ulp_at(double v)
{
    float r = fabsf((float)v);
    return r >= FLT_MAX ? ldexp(1.0, 104) : (double)nextafterf(r, INFINITY) - r;
}

/* Extra absolute error allowed (0 by default): silu's sigmoid factor is a denormal below
 * x = -87.3, on a grid of 2^-149, which x (|x| <= 104 until it underflows) multiplies */
static double slack;

/* 1 if got passes for the exact ref within tol ulps (+ slack; see the top of the file); a
 * ref that rounds to +-inf in float must be that inf, a ref of exactly +-0 that zero */
static int close_to(const char *what, double x, float got, double ref, double tol)
{
    int ok;
    if (isnan(ref))
        ok = isnan(got);
    else if (isinf((float)ref) || ref == 0.0)
        ok = got == (float)ref && !signbit(got) == !signbit(ref);
    else
        ok = !isnan(got) && !isinf(got) && fabs((double)got - ref) <= tol * ulp_at(ref) + slack;
    if (!ok)
        fprintf(stderr, "  %s(%.9g) = %.9g (%a), reference %.17g (tolerance %g ulps)\n", what,
                x, (double)got, (double)got, ref, tol);
    return ok;
}

/* ---- double references ------------------------------------------------------------------ */

static double ref_exp(double x) { return exp(x); }
static double ref_log(double x) { return log(x); }
static double ref_sqrt(double x) { return sqrt(x); }
static double ref_abs(double x) { return fabs(x); }
static double ref_tanh(double x) { return tanh(x); }
/* as PyTorch: relu keeps NaN; relu(-0) = +0 */
static double ref_relu(double x) { return isnan(x) ? x : x > 0 ? x : 0.0; }
static double ref_leaky(double x) { return x > 0 || isnan(x) ? x : (double)0.2f * x; }
static double ref_sigmoid(double x)
{
    return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
}
/* softplus(x) = max(x, 0) + log1p(e^-|x|); NaN stays NaN */
static double ref_softplus(double x) { return isnan(x) ? x : fmax(x, 0) + log1p(exp(-fabs(x))); }
/* x sigmoid(x); at -inf that is -inf * 0 = NaN, as PyTorch's x / (1 + e^-x) */
static double ref_silu(double x) { return x * ref_sigmoid(x); }
static double ref_square(double x) { return x * x; }
static double ref_pow3(double x) { return pow(x, 3.0); }
static double ref_powh(double x) { return pow(x, 0.5); }
static double ref_sin(double x) { return sin(x); }
static double ref_cos(double x) { return cos(x); }
static double ref_tan(double x) { return tan(x); }
static double ref_clamp(double x) { return isnan(x) ? x : x < -1.0 ? -1.0 : x > 2.0 ? 2.0 : x; }

/* ---- runners ------------------------------------------------------------------------------ */

/* fills x (n) with the table rotated by shift */
static void fill(float *x, size_t n, size_t shift)
{
    for (size_t i = 0; i < n; i++)
        x[i] = table[(i + shift) % NT];
}

typedef lt_tensor *(*unary_op)(lt_graph *g, lt_tensor *x);
typedef void (*inplace_fn)(float *x, size_t n);

/* checks every element of y (n) against ref(x) */
static int check_all(const char *what, const float *x, const float *y, size_t n,
                     double (*ref)(double), double tol)
{
    int bad = 0;
    for (size_t i = 0; i < n && bad < 5; i++)
        bad += !close_to(what, x[i], y[i], ref(x[i]), tol);
    return bad == 0;
}

/* an op of ops.h over every size */
static void run_op(const char *what, unary_op op, double (*ref)(double), double tol)
{
    lt_graph *g = graph_new();
    for (size_t s = 0; s < NS; s++) {
        int shape[1] = { (int)sizes[s] };
        lt_tensor *x = tensor_new(1, shape);
        fill(x->data, sizes[s], s);
        lt_tensor *y = op(g, x);
        CHECK(y != NULL);
        if (y)
            CHECK(check_all(what, x->data, y->data, sizes[s], ref, tol));
        tensor_free(x);
        graph_reset(g);
    }
    graph_free(g);
}

/* an in-place vmath loop over every size, at every offset of a 64-byte line (the clones'
 * vector loops peel to alignment) */
static void run_inplace(const char *what, inplace_fn fn, double (*ref)(double), double tol)
{
    float *x = malloc((40000 + 16) * sizeof *x), *y = malloc((40000 + 16) * sizeof *y);
    for (size_t s = 0; s < NS; s++)
        for (size_t off = 0; off < (sizes[s] < 100 ? 16u : 1u); off++) {
            fill(x + off, sizes[s], s + off);
            memcpy(y + off, x + off, sizes[s] * sizeof *x);
            fn(y + off, sizes[s]);
            CHECK(check_all(what, x + off, y + off, sizes[s], ref, tol));
        }
    free(x);
    free(y);
}

static lt_tensor *op_leaky02(lt_graph *g, lt_tensor *x) { return op_leaky_relu(g, x, 0.2f); }
static lt_tensor *op_pow2(lt_graph *g, lt_tensor *x) { return op_pow(g, x, 2.0f); }
static lt_tensor *op_pow3(lt_graph *g, lt_tensor *x) { return op_pow(g, x, 3.0f); }
static lt_tensor *op_powh(lt_graph *g, lt_tensor *x) { return op_pow(g, x, 0.5f); }
static lt_tensor *op_clamp12(lt_graph *g, lt_tensor *x) { return op_clamp(g, x, -1.0f, 2.0f); }

/* ---- the unary ops (ops_elem.c) ------------------------------------------------------------ */

/* Tolerances: 0 for the exact ops (abs, relu, leaky_relu's select, clamp, x * x), 0.5 for
 * sqrt (IEEE), 1 for glibc's scalar expf/logf/powf, 2 for its tanhf, 4 for the composed ones
 * (sigmoid, softplus, silu: an exp, a division, a log1p). */
static void test_unary_ops(void)
{
    run_op("exp", op_exp, ref_exp, 1);
    run_op("log", op_log, ref_log, 1);
    run_op("sqrt", op_sqrt, ref_sqrt, 0.5);
    run_op("abs", op_abs, ref_abs, 0);
    run_op("relu", op_relu, ref_relu, 0);
    run_op("leaky_relu", op_leaky02, ref_leaky, 0.5);
    run_op("sigmoid", op_sigmoid, ref_sigmoid, 4);
    run_op("tanh", op_tanh, ref_tanh, 2);
    run_op("softplus", op_softplus, ref_softplus, 4);
    slack = 0x1p-142;
    run_op("silu", op_silu, ref_silu, 4);
    slack = 0;
    run_op("pow2", op_pow2, ref_square, 0.5);
    run_op("pow3", op_pow3, ref_pow3, 1);
    run_op("pow0.5", op_powh, ref_powh, 1);
    run_op("clamp", op_clamp12, ref_clamp, 0);
    /* glibc's sinf/cosf/tanf reduce the argument exactly (sin(1e30) is right): 1 ulp,
     * 2 for tan; +-inf and NaN give NaN, sin(-0) = -0 */
    run_op("sin", op_sin, ref_sin, 1);
    run_op("cos", op_cos, ref_cos, 1);
    run_op("tan", op_tan, ref_tan, 2);
}

/* ---- vmath (libmvec) and the fused linear + activation ------------------------------------ */

/* libmvec's documented bound is 4 ulps; sigmoid adds a division and a product */
static void test_vmath(void)
{
    run_inplace("vm_sigmoid", vm_sigmoid, ref_sigmoid, 5);
    run_inplace("vm_tanh", vm_tanh, ref_tanh, 4);
}

/* y = act(x W^T) with x = (1, 1) = [[1]] and W (n, 1) = the table: the fused path's rows
 * of n; the reference is act of the unfused linear's own output (the same sgemm) */
static void run_linear(const char *what, lt_act act, double (*ref)(double), double tol)
{
    lt_graph *g = graph_new();
    for (size_t s = 0; s < NS; s++) {
        int xs[2] = { 1, 1 }, ws[2] = { (int)sizes[s], 1 };
        lt_tensor *x = tensor_new(2, xs), *w = tensor_new(2, ws);
        x->data[0] = 1.0f;
        fill(w->data, sizes[s], s);
        lt_tensor *pre = op_linear(g, x, w, NULL, LT_ACT_NONE, 0.0f, NULL);
        lt_tensor *y = op_linear(g, x, w, NULL, act, 0.2f, NULL);
        CHECK(pre && y);
        if (pre && y)
            CHECK(check_all(what, pre->data, y->data, sizes[s], ref, tol));
        tensor_free(x);
        tensor_free(w);
        graph_reset(g);
    }
    graph_free(g);
}

static void test_linear_fused(void)
{
    run_linear("linear+sigmoid", LT_ACT_SIGMOID, ref_sigmoid, 5);
    run_linear("linear+tanh", LT_ACT_TANH, ref_tanh, 4);
    run_linear("linear+relu", LT_ACT_RELU, ref_relu, 0);
    run_linear("linear+leaky_relu", LT_ACT_LEAKY_RELU, ref_leaky, 0.5);
}

/* The example: seq(linear(1, 8), sigmoid) at 1000 and -1000, i.e. pre-activations
 * of +-1000 times the weights: 0 or 1 exactly, never NaN */
static void test_linear_sigmoid_1000(void)
{
    lt_graph *g = graph_new();
    int xs[2] = { 1, 1 }, ws[2] = { 8, 1 };
    float wv[8] = { 0.3f, -0.2f, 0.9f, -0.9f, 0.15f, -0.5f, 0.7f, -0.12f };   /* |1000 w| > 104 */
    for (int sign = -1; sign <= 1; sign += 2) {
        lt_tensor *x = tensor_new(2, xs), *w = tensor_from(2, ws, wv);
        x->data[0] = 1000.0f * (float)sign;
        lt_tensor *y = op_linear(g, x, w, NULL, LT_ACT_SIGMOID, 0.0f, NULL);
        CHECK(y != NULL);
        for (int j = 0; y && j < 8; j++)
            CHECK(y->data[j] == ((float)sign * wv[j] > 0 ? 1.0f : 0.0f));
        tensor_free(x);
        tensor_free(w);
        graph_reset(g);
    }
    graph_free(g);
}

/* ---- BCE (vmath's logs, clamped at -100 as PyTorch) and BCE with logits ------------------- */

static double ref_log100(double x) { double l = log(x); return l < -100 ? -100 : l; }

static void test_bce(void)
{
    static const float q[] = { 0.0f, 1e-45f, 1e-40f, FLT_MIN, 1e-30f, 1e-7f, 0.25f, 0.5f,
                               0.9999999f, 1.0f };
    static const float t[] = { 0.0f, 1.0f, 0.3f, NAN };
    enum { NQ = sizeof q / sizeof q[0], N = NQ * 4 * 5 };
    float qa[N], ta[N], l[N];
    for (int i = 0; i < N; i++) {
        qa[i] = q[i % NQ];
        ta[i] = t[(i / NQ) % 4];
    }
    for (size_t n = 1; n <= N; n += 7) {
        vm_bce_terms(qa, ta, l, n);
        int bad = 0;
        for (size_t i = 0; i < n && bad < 5; i++) {
            /* 1 - q is the float subtraction of the engine (exact for q >= 0.5) */
            double r = ta[i] * ref_log100(qa[i]) + (1.0 - ta[i]) * ref_log100((double)(1.0f - qa[i]));
            bad += !close_to("vm_bce_terms", qa[i], l[i], r, 6);
        }
        CHECK(bad == 0);
    }
    /* op_bce: a NaN or out-of-range probability is an error, not a NaN loss */
    lt_graph *g = graph_new();
    int sh[1] = { 2 };
    float bad_q[2] = { 0.5f, NAN }, tt[2] = { 1.0f, 0.0f };
    lt_tensor *p = tensor_from(1, sh, bad_q), *y = tensor_from(1, sh, tt);
    CHECK(op_bce(g, p, y, LT_MEAN) == NULL);
    p->data[1] = 0.0f;   /* log(1 - 0) = 0, log(0) held at -100: loss (100 + 0) / 2 */
    y->data[0] = 0.0f;
    y->data[1] = 1.0f;
    p->data[0] = 1.0f;
    lt_tensor *loss = op_bce(g, p, y, LT_MEAN);
    CHECK(loss && loss->data[0] == 100.0f);
    tensor_free(p);
    tensor_free(y);
    graph_free(g);
}

/* max(z, 0) - z t + log1p(e^-|z|) in double: at z = +-inf with the matching label that is
 * inf - inf = NaN, as PyTorch's */
static double ref_bcel(double z, double t)
{
    return fmax(z, 0) - z * t + log1p(exp(-fabs(z))) + (isnan(z) ? z : 0);
}

static void test_bce_logits(void)
{
    lt_graph *g = graph_new();
    int sh[1] = { 1 };
    for (size_t i = 0; i < NT; i++)
        for (int k = 0; k < 2; k++) {
            lt_tensor *z = tensor_from(1, sh, &table[i]);
            float tv = (float)k;
            lt_tensor *t = tensor_from(1, sh, &tv);
            lt_tensor *y = op_bce_logits(g, z, t, LT_SUM);
            CHECK(y && close_to(k ? "bce_logits(t=1)" : "bce_logits(t=0)", table[i], y->data[0],
                                ref_bcel(table[i], k), 4));
            tensor_free(z);
            tensor_free(t);
            graph_reset(g);
        }
    graph_free(g);
}

/* ---- softmax, log-softmax, cross-entropy (log-sum-exp) ------------------------------------ */

/* 1 if got is within tol of ref (both NaN, or the same inf, also pass); else prints why */
static int within(const char *what, double x, float got, double ref, double tol)
{
    int ok = isnan(ref) ? isnan(got) : isinf((float)ref) ? got == (float)ref
           : fabs((double)got - ref) <= tol;
    if (!ok)
        fprintf(stderr, "  %s(%.9g) = %.9g, reference %.17g (tolerance %g)\n", what, x,
                (double)got, ref, tol);
    return ok;
}

/* rows [a, 0, b] for a, b over the table, against log-sum-exp in double (a row with +inf
 * or NaN is NaN throughout, as PyTorch's; -inf entries give -inf). Tolerance: log-softmax
 * r - lse is a difference of floats, so 2 ulps of the larger of |r| and |lse| (and of 1);
 * softmax exp(r - lse) has that absolute error as a relative one, plus 4 ulps. */
static void test_log_softmax(void)
{
    lt_graph *g = graph_new();
    int sh[2] = { (int)(NT * NT), 3 };
    lt_tensor *x = tensor_new(2, sh);
    for (size_t i = 0; i < NT; i++)
        for (size_t j = 0; j < NT; j++) {
            float *r = x->data + 3 * (i * NT + j);
            r[0] = table[i];
            r[1] = 0.0f;
            r[2] = table[j];
        }
    lt_tensor *y = op_log_softmax(g, x, 1), *p = op_softmax(g, x, 1);
    CHECK(y && p);
    int bad = 0;
    for (size_t k = 0; y && p && k < NT * NT && bad < 5; k++) {
        const float *r = x->data + 3 * k;
        double m = fmax(fmax(r[0], r[1]), r[2]);
        double s = exp(r[0] - m) + exp(r[1] - m) + exp(r[2] - m);
        double lse = m + log(s);
        if (isinf(m) && m > 0) lse = NAN;   /* inf - inf */
        for (int c = 0; c < 3; c++) {
            double ls = isnan(r[0]) || isnan(r[2]) ? NAN : r[c] - lse;
            double tol = 2 * ulp_at(fmax(fmax(fabs(r[c]), isinf(lse) ? 0 : fabs(lse)), 1.0));
            bad += !within("log_softmax", r[c], y->data[3 * k + c], ls, tol);
            double e = exp(ls);
            bad += !within("softmax", r[c], p->data[3 * k + c], e, e * (tol + 4 * FLT_EPSILON) + 0x1p-149);
        }
    }
    CHECK(bad == 0);
    tensor_free(x);
    graph_free(g);
}

/* cross_entropy of one row [a, 0, b] with label 1: lse - 0 in double (NaN for a row with
 * NaN or +inf, as PyTorch's; 2 ulps of the largest logit (and of 1) */
static void test_cross_entropy(void)
{
    lt_graph *g = graph_new();
    int sh[2] = { 1, 3 }, ls[1] = { 1 };
    float one = 1.0f;
    lt_tensor *lab = tensor_from(1, ls, &one);
    int bad = 0;
    for (size_t i = 0; i < NT; i++)
        for (size_t j = 0; j < NT && bad < 5; j++) {
            float r[3] = { table[i], 0.0f, table[j] };
            lt_tensor *x = tensor_from(2, sh, r);
            lt_tensor *y = op_cross_entropy(g, x, lab, LT_SUM);
            double m = fmax(fmax(r[0], r[1]), r[2]);
            double lse = isnan(r[0]) || isnan(r[2]) || isinf(m) ? NAN
                       : m + log(exp(r[0] - m) + exp(-m) + exp(r[2] - m));
            bad += !y || !within("cross_entropy", r[0], y->data[0], lse, 2 * ulp_at(fmax(m, 1.0)));
            tensor_free(x);
            graph_reset(g);
        }
    CHECK(bad == 0);
    tensor_free(lab);
    graph_free(g);
}

/* ---- GroupNorm's fused SiLU and vec.c's exp, at every vector width ---------------------- */

static void test_conv_vec(void)
{
    float *x = malloc(1000 * sizeof *x), *y = malloc(1000 * sizeof *y), *d = malloc(1000 * sizeof *d);
    int old = vec_set_width(16);
    for (int w = 4; w <= 16; w *= 2) {
        vec_set_width(w);
        for (size_t s = 0; s < NS && sizes[s] <= 1000; s++) {
            fill(x, sizes[s], s);
            vec_exp(y, x, sizes[s]);
            CHECK(check_all("vec_exp", x, y, sizes[s], ref_exp, 4));
            vec_affine_silu(y, d, x, 1.0f, -0.0f, sizes[s]);   /* x * 1 - 0 = x, -0 too */
            slack = 0x1p-142;
            CHECK(check_all("vec_affine_silu", x, y, sizes[s], ref_silu, 6));
            slack = 0;
        }
    }
    vec_set_width(old);
    free(x);
    free(y);
    free(d);
}

/* ---- comparisons, max, argmax ------------------------------------------------------------- */

/* every pair of the table, broadcast as (NT, 1) against (NT): IEEE's answers */
static void test_compare(void)
{
    lt_graph *g = graph_new();
    int sa[2] = { (int)NT, 1 }, sb[1] = { (int)NT };
    lt_tensor *a = tensor_from(2, sa, table), *b = tensor_from(1, sb, table);
    for (int c = LT_CMP_LT; c <= LT_CMP_NE; c++) {
        lt_tensor *y = op_compare(g, a, b, (lt_cmp)c);
        CHECK(y && y->ndim == 2 && !y->requires_grad);
        int bad = 0;
        for (size_t i = 0; y && i < NT; i++)
            for (size_t j = 0; j < NT; j++) {
                double u = table[i], v = table[j];
                int want = c == LT_CMP_LT ? u < v : c == LT_CMP_LE ? u <= v : c == LT_CMP_GT ? u > v
                         : c == LT_CMP_GE ? u >= v : c == LT_CMP_EQ ? u == v : u != v;
                if (y->data[i * NT + j] != (float)want && bad++ < 5)
                    fprintf(stderr, "  compare %d: %g vs %g gave %g\n", c, u, v, y->data[i * NT + j]);
            }
        CHECK(bad == 0);
    }
    tensor_free(a);
    tensor_free(b);
    graph_free(g);
}

/* NaN is the maximum (it propagates, as torch.max); -0 and 0 tie (the first wins) */
static void test_max(void)
{
    lt_graph *g = graph_new();
    int sh[2] = { 2, 3 };
    float v[6] = { 1.0f, NAN, 5.0f, -INFINITY, -1e30f, -FLT_MAX };
    lt_tensor *x = tensor_from(2, sh, v);
    lt_tensor *m = op_max(g, x), *ma = op_max_axis(g, x, 1, 0), *am = op_argmax_axis(g, x, 1, 0);
    CHECK(m && isnan(m->data[0]));
    CHECK(ma && isnan(ma->data[0]) && ma->data[1] == -1e30f);
    CHECK(am && am->data[0] == 1.0f && am->data[1] == 1.0f);
    tensor_free(x);
    graph_free(g);
}

/* vmath's loops at each width (an unavailable width falls back to a narrower one) */
static void test_vmath_widths(void)
{
    int old = vm_set_width(16);
    for (int w = 4; w <= 16; w *= 2) {
        vm_set_width(w);
        RUN(test_vmath);
        RUN(test_linear_fused);
        RUN(test_linear_sigmoid_1000);
        RUN(test_bce);
    }
    vm_set_width(old);
}

int main(void)
{
    RUN(test_unary_ops);
    RUN(test_vmath_widths);
    RUN(test_bce_logits);
    RUN(test_log_softmax);
    RUN(test_cross_entropy);
    RUN(test_conv_vec);
    RUN(test_compare);
    RUN(test_max);
    return check_summary("edges");
}
