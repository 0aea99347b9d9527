/* bi_math.c: the maths builtins (see bi_math.h). Numbers in, numbers out (in double, as
 * exp(0.5)); tensors and lists of numbers in, tensors out (float32, differentiable inside
 * train bodies). */
#include "bi_math.h"

#include <math.h>
#include <string.h>

#include "ops_math.h"
#include "bi_tensor.h"
#include "sess.h"

#define BM_PI 3.14159265358979323846
#define BM_E 2.71828182845904523536

/* ---- helpers ------------------------------------------------------------------------ */

/* Positional argument i as a tensor: a tensor, a number or a list of numbers. */
static int bm_tensor(bi_args *a, int i, const char *who, lt_tensor **t)
{
    value v = a->pos[i];
    if (!tv_is(v) && !IS_NUM(v) && !IS_LIST(v))
        return bi_fail(a, a->pos_nodes[i], "TypeError", "%s() needs a tensor, a list or a number, not %s", who,
                       val_type_name(v));
    return tv_arg(a->s, a->pos_nodes[i], v, t);
}

/* A keyword that is a truth value (true/false or a number), dflt when absent. */
static int bm_kw_flag(bi_args *a, const char *name, int dflt, int *x)
{
    const ast_node *at;
    const value *v = bi_kw(a, name, &at);
    *x = dflt;
    if (!v || IS_NONE(*v)) return 0;
    if (!IS_BOOL(*v) && !IS_NUM(*v))
        return bi_fail(a, at, "TypeError", "%s must be true or false, not %s", name, val_type_name(*v));
    *x = val_truthy(*v);
    return 0;
}

/* The axis= of a one-axis builtin (argmin, log_softmax): whole number, dflt when absent. */
static int bm_kw_axis(bi_args *a, int dflt, int *axis, int *given)
{
    const ast_node *at;
    const value *v = bi_kw(a, "axis", &at);
    *axis = dflt;
    *given = v && !IS_NONE(*v);
    if (!*given) return 0;
    if (!IS_NUM(*v) || AS_NUM(*v) != floor(AS_NUM(*v)) || fabs(AS_NUM(*v)) > 64)
        return bi_fail(a, at, "TypeError", "axis must be a whole number, not %s", IS_NUM(*v) ? "a fraction" : val_type_name(*v));
    *axis = (int)AS_NUM(*v);
    return 0;
}

int bm_reduce_kw(bi_args *a, lt_reduce *r)
{
    const ast_node *at;
    const value *v = bi_kw(a, "reduce", &at);
    *r = LT_MEAN;
    if (!v) return 0;
    if (IS_STR(*v) && strcmp(AS_STR(*v)->chars, "sum") == 0) { *r = LT_SUM; return 0; }
    if (IS_STR(*v) && strcmp(AS_STR(*v)->chars, "mean") == 0) return 0;
    return bi_fail(a, at, "ValueError", "reduce must be \"mean\" or \"sum\"");
}

/* ---- constants and numbers -------------------------------------------------------------- */

static int bm_pi(bi_args *a, value *out) { (void)a; *out = NUM_VAL(BM_PI); return 0; }
static int bm_e(bi_args *a, value *out) { (void)a; *out = NUM_VAL(BM_E); return 0; }

static double bm_sigmoid(double x) { return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x)); }

double bm_act_num(const char *name, double x)
{
    if (strcmp(name, "relu") == 0) return isnan(x) || x > 0 ? x : 0.0;
    if (strcmp(name, "sigmoid") == 0) return bm_sigmoid(x);
    if (strcmp(name, "tanh") == 0) return tanh(x);
    if (strcmp(name, "silu") == 0) return x * bm_sigmoid(x);
    return isnan(x) ? x : fmax(x, 0) + log1p(exp(-fabs(x)));   /* softplus */
}

/* ---- trigonometry ----------------------------------------------------------------------- */

typedef lt_tensor *(*bm_unary)(lt_graph *, lt_tensor *);

static int bm_elementwise(bi_args *a, value *out, double (*f)(double), bm_unary op, const char *who)
{
    lt_tensor *t;
    if (IS_NUM(a->pos[0])) { *out = NUM_VAL(f(AS_NUM(a->pos[0]))); return 0; }
    if (bm_tensor(a, 0, who, &t) < 0) return -1;
    return tv_result_tensor(a->s, a->call, op(a->s->tc->g, t), out);
}

static int bm_sin(bi_args *a, value *out) { return bm_elementwise(a, out, sin, op_sin, "sin"); }
static int bm_cos(bi_args *a, value *out) { return bm_elementwise(a, out, cos, op_cos, "cos"); }
static int bm_tan(bi_args *a, value *out) { return bm_elementwise(a, out, tan, op_tan, "tan"); }

/* ---- the tensor forms of floor, ceil, round, log2 (val_type.methods) ----------------------- */

static int bm_round_mode(bi_args *a, value *out, lt_rounding mode)
{
    lt_tensor *t;
    double digits = 0;
    const ast_node *at;
    const value *dv = bi_kw(a, "digits", &at);
    if (dv && (!IS_NUM(*dv) || AS_NUM(*dv) != floor(AS_NUM(*dv)) || fabs(AS_NUM(*dv)) > 30))
        return bi_fail(a, at, "TypeError", "digits must be a whole number");
    if (dv) digits = AS_NUM(*dv);
    if (bm_tensor(a, 0, mode == LT_FLOOR ? "floor" : mode == LT_CEIL ? "ceil" : "round", &t) < 0) return -1;
    lt_graph *g = a->s->tc->g;
    float k = (float)pow(10, digits);   /* as torch.round(x, decimals=d): scale, round, unscale */
    lt_tensor *y = digits != 0 ? op_scale(g, op_rounding(g, op_scale(g, t, k), mode), 1.0f / k) : op_rounding(g, t, mode);
    return tv_result_tensor(a->s, a->call, y, out);
}

static int bm_tensor_floor(bi_args *a, value *out) { return bm_round_mode(a, out, LT_FLOOR); }
static int bm_tensor_ceil(bi_args *a, value *out) { return bm_round_mode(a, out, LT_CEIL); }
static int bm_tensor_round(bi_args *a, value *out) { return bm_round_mode(a, out, LT_ROUND); }

static int bm_tensor_log2(bi_args *a, value *out)
{
    lt_tensor *t;
    if (bm_tensor(a, 0, "log2", &t) < 0) return -1;
    lt_graph *g = a->s->tc->g;
    return tv_result_tensor(a->s, a->call, op_scale(g, op_log(g, t), (float)(1.0 / log(2.0))), out);
}

/* ---- reductions ------------------------------------------------------------------------- */

/* var(x, axis=none, correction=1, unbiased=none, keepdim=false) and std */
static int bm_var_std(bi_args *a, value *out, int is_std)
{
    const char *who = is_std ? "std" : "var";
    lt_tensor *t;
    int naxes, axes[LT_MAXDIM], given, keep, unbiased;
    double corr = 1.0;
    const ast_node *at_c, *at_u;
    const value *cv = bi_kw(a, "correction", &at_c), *uv = bi_kw(a, "unbiased", &at_u);
    if (cv && uv) return bi_fail(a, at_u, "TypeError", "%s(): give correction= or unbiased=, not both", who);
    if (cv && (!IS_NUM(*cv) || !(AS_NUM(*cv) >= 0) || isinf(AS_NUM(*cv))))
        return bi_fail(a, at_c, "ValueError", "correction must be a number >= 0 (1: divide by n - 1, 0: by n)");
    if (cv) corr = AS_NUM(*cv);
    if (bm_kw_flag(a, "unbiased", 1, &unbiased) < 0) return -1;
    if (uv) corr = unbiased ? 1.0 : 0.0;
    if (bm_tensor(a, 0, who, &t) < 0 || tv_axes(a, &naxes, axes, &given) < 0 || bm_kw_flag(a, "keepdim", 0, &keep) < 0)
        return -1;
    lt_graph *g = a->s->tc->g;
    lt_tensor *y = is_std ? op_std_axes(g, t, naxes, axes, corr, keep) : op_var_axes(g, t, naxes, axes, corr, keep);
    return tv_result(a->s, a->call, y, out);
}

static int bm_var(bi_args *a, value *out) { return bm_var_std(a, out, 0); }
static int bm_std(bi_args *a, value *out) { return bm_var_std(a, out, 1); }

/* ---- where, one_hot, argmin, log_softmax ---------------------------------------------------- */

static int bm_scalar(value v) { return IS_NUM(v) || IS_BOOL(v); }

/* where(cond, a, b): element-wise a where cond is true (nonzero), else b */
static int bm_where(bi_args *a, value *out)
{
    if (bm_scalar(a->pos[0]) && !tv_is(a->pos[1]) && !IS_LIST(a->pos[1]) && !tv_is(a->pos[2]) &&
        !IS_LIST(a->pos[2])) {   /* a plain choice: where(true, 1, 2), where(0, "a", "b") */
        *out = val_truthy(a->pos[0]) ? a->pos[1] : a->pos[2];
        val_incref(*out);
        return 0;
    }
    lt_tensor *t[3];
    for (int i = 0; i < 3; i++) {
        if (IS_BOOL(a->pos[i])) {   /* a bool is 1 or 0 */
            if (tv_arg(a->s, a->pos_nodes[i], NUM_VAL(AS_BOOL(a->pos[i])), &t[i]) < 0) return -1;
        } else if (bm_tensor(a, i, "where", &t[i]) < 0) {
            return -1;
        }
    }
    return tv_result_tensor(a->s, a->call, op_where(a->s->tc->g, t[0], t[1], t[2]), out);
}

/* one_hot(labels, n=none): n defaults to the largest label + 1 */
static int bm_one_hot(bi_args *a, value *out)
{
    lt_tensor *t;
    double n = 0;
    if (bm_tensor(a, 0, "one_hot", &t) < 0) return -1;
    lt_graph *g = a->s->tc->g;
    if (a->npos == 2) {
        if (bi_num(a, 1, &n) < 0) return -1;
        if (n != floor(n) || n < 1 || n > 1e6)
            return bi_fail(a, a->pos_nodes[1], "ValueError", "one_hot: n must be a whole number of classes from 1 to 1000000");
    } else {
        if (tensor_numel(t) == 0) return bi_fail(a, a->pos_nodes[0], "ValueError", "one_hot: no labels to count the classes of: give n");
        lt_tensor *mx = op_max(g, t);
        if (!mx) return tv_fail(a->s, a->call);
        n = mx->data[0] >= 0 && mx->data[0] < 1e6 ? floor(mx->data[0]) + 1 : 1;
    }
    lt_tensor *y = op_one_hot(g, t, (int)n);
    if (!y) return bi_fail(a, a->pos_nodes[0], "ValueError", "%s", lt_errmsg());
    return tv_result_tensor(a->s, a->call, y, out);
}

static int bm_argmin(bi_args *a, value *out)
{
    int axis, given;
    lt_tensor *t;
    if (bm_tensor(a, 0, "argmin", &t) < 0 || bm_kw_axis(a, -1, &axis, &given) < 0) return -1;
    lt_graph *g = a->s->tc->g;
    if (!given) t = op_reshape(g, t, 1, (int[]){-1});
    return tv_result(a->s, a->call, op_argmin_axis(g, t, given ? axis : 0, 0), out);
}

static int bm_log_softmax(bi_args *a, value *out)
{
    int axis, given;
    lt_tensor *t;
    if (bm_tensor(a, 0, "log_softmax", &t) < 0 || bm_kw_axis(a, -1, &axis, &given) < 0) return -1;
    return tv_result_tensor(a->s, a->call, op_log_softmax(a->s->tc->g, t, axis), out);
}

/* ---- losses ------------------------------------------------------------------------------ */

static int bm_nll_loss(bi_args *a, value *out)
{
    lt_tensor *lp, *y;
    lt_reduce r;
    if (bm_reduce_kw(a, &r) < 0 || bm_tensor(a, 0, "nll_loss", &lp) < 0 || bm_tensor(a, 1, "nll_loss", &y) < 0) return -1;
    return tv_result(a->s, a->call, op_nll_loss(a->s->tc->g, lp, y, r), out);
}

int bm_cross_entropy(bi_args *a, value *out)
{
    lt_tensor *z, *y;
    lt_reduce r;
    double eps = 0;
    const ast_node *at;
    const value *ls = bi_kw(a, "label_smoothing", &at);
    if (ls && (!IS_NUM(*ls) || !(AS_NUM(*ls) >= 0 && AS_NUM(*ls) <= 1)))
        return bi_fail(a, at, "ValueError", "label_smoothing must be a number from 0 to 1");
    if (ls) eps = AS_NUM(*ls);
    if (bm_reduce_kw(a, &r) < 0 || bm_tensor(a, 0, "cross_entropy", &z) < 0 || bm_tensor(a, 1, "cross_entropy", &y) < 0)
        return -1;
    return tv_result(a->s, a->call, op_cross_entropy_ls(a->s->tc->g, z, y, eps, r), out);
}

/* ---- the table --------------------------------------------------------------------------- */

static const char *const bm_var_kw[] = {"axis", "correction", "unbiased", "keepdim", NULL};
static const char *const bm_axis_kw[] = {"axis", NULL};
static const char *const bm_reduce_only[] = {"reduce", NULL};

static const builtin bi_math_builtins[] = {
    {"pi", "pi", "The number pi = 3.14159... (a constant; a variable named pi hides it).",
     "round(pi, digits=5)  # => 3.14159", NULL, 0, 0, bm_pi},
    {"e", "e", "Euler's number e = 2.71828..., the base of exp and log (a constant; a variable named e, "
     "such as e = temb(t, 128), hides it).", "log(e)  # => 1", NULL, 0, 0, bm_e},
    {"sin", "sin(x)", "The sine of x (radians): a number for a number, element-wise on a tensor or a list.",
     "print(sin(pi / 2), sin(0))  # => 1 0\nsin(tensor([0, pi / 2]))\n# => tensor (2) float32\n# => [0, 1]",
     NULL, 1, 1, bm_sin},
    {"cos", "cos(x)", "The cosine of x (radians): a number for a number, element-wise on a tensor or a list.",
     "print(cos(0))  # => 1\ncos(tensor([0, pi]))\n# => tensor (2) float32\n# => [1, -1]", NULL, 1, 1, bm_cos},
    {"tan", "tan(x)", "The tangent of x (radians): a number for a number, element-wise on a tensor or a list.",
     "round(tan(pi / 4), digits=6)  # => 1", NULL, 1, 1, bm_tan},
    {"var", "var(x, axis=none, correction=1, unbiased=true, keepdim=false)",
     "The variance sum((x - mean)^2) / (n - correction) of a tensor or list, over every element or the given "
     "axis (a list reduces several: axis=[0, 2, 3]). correction=1 (PyTorch's default, unbiased=true) divides by "
     "n - 1, correction=0 (unbiased=false, NumPy's default) by n; computed in double.",
     "print(var([1, 2, 3, 4]), var([1, 2, 3, 4], unbiased=false))  # => 1.666667 1.25\n"
     "var(tensor([[1, 2], [3, 5]]), axis=1)\n# => tensor (2) float32\n# => [0.5, 2]",
     bm_var_kw, 1, 1, bm_var},
    {"std", "std(x, axis=none, correction=1, unbiased=true, keepdim=false)",
     "The standard deviation: the square root of var (same keywords).",
     "std([2, 4, 4, 4, 5, 5, 7, 9], correction=0)  # => 2", bm_var_kw, 1, 1, bm_std},
    {"where", "where(cond, a, b)",
     "Element-wise choice: a where cond is true (nonzero), else b; cond, a and b broadcast together "
     "(numbers too). The gradient flows to a where cond holds and to b elsewhere. With a plain true/false "
     "(or number) cond and no tensors, it is a or b.",
     "x = tensor([-2, 0.5, 3])\nwhere(x > 0, x, 0)\n# => tensor (3) float32\n# => [0, 0.5, 3]",
     NULL, 3, 3, bm_where},
    {"one_hot", "one_hot(labels, n=none)",
     "Whole-number labels (a tensor or list) as one-hot rows: shape (labels..., n), 1 at each label. "
     "n defaults to the largest label + 1.",
     "one_hot([2, 0], 3)\n# => tensor (2, 3) float32\n# => [[0, 0, 1],\n# =>  [1, 0, 0]]", NULL, 1, 2, bm_one_hot},
    {"argmin", "argmin(x, axis=none)", "The position of the smallest element (of the flattened tensor, or along an axis).",
     "argmin(tensor([[1, 5], [7, 2]]), axis=1)\n# => tensor (2) float32\n# => [0, 1]", bm_axis_kw, 1, 1, bm_argmin},
    {"log_softmax", "log_softmax(x, axis=-1)",
     "log(softmax(x)) along an axis, computed stably (x - logsumexp(x)); pair it with nll_loss.",
     "log_softmax(tensor([0, 0]))\n# => tensor (2) float32\n# => [-0.693147, -0.693147]", bm_axis_kw, 1, 1,
     bm_log_softmax},
    {"nll_loss", "nll_loss(logp, labels, reduce=\"mean\")",
     "The negative log-likelihood: the mean (or sum) of -logp[i, labels[i]] for log-probabilities logp (B, C) "
     "and whole-number labels (B). nll_loss(log_softmax(z), y) is cross_entropy(z, y).",
     "round(nll_loss(log_softmax(tensor([[0, 0]])), tensor([1])), digits=4)  # => 0.6931", bm_reduce_only, 2, 2,
     bm_nll_loss},
    {0},
};

static const char *const bm_digits_kw[] = {"digits", NULL};

/* floor(t), ceil(t), round(t), log2(t): the overloads for a tensor first argument */
static const builtin bm_tensor_methods[] = {
    {"floor", "floor(x)", "Rounded down, element-wise on a tensor (no gradient).", NULL, NULL, 1, 1, bm_tensor_floor},
    {"ceil", "ceil(x)", "Rounded up, element-wise on a tensor (no gradient).", NULL, NULL, 1, 1, bm_tensor_ceil},
    {"round", "round(x, digits=0)", "Rounded to the nearest (halves to even), element-wise on a tensor (no gradient).",
     NULL, bm_digits_kw, 1, 1, bm_tensor_round},
    {"log2", "log2(x)", "The base-2 logarithm, element-wise on a tensor.", NULL, NULL, 1, 1, bm_tensor_log2},
    {0},
};

int lib_open_math(registry *r)
{
    return reg_open(r, bi_math_builtins) < 0 || reg_open_on(r, &tv_type, bm_tensor_methods, 0) < 0 ||
           reg_constant(r, "pi", BM_PI) < 0 || reg_constant(r, "e", BM_E) < 0 ? -1 : 0;
}
