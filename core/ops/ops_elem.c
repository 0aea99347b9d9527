/* ops_elem.c: element-wise ops (broadcasting binary, scalar, unary) and their gradients. */
/* Let GCC vectorise the element loops at -O2 (its default "very cheap" model skips any
 * loop whose length is unknown, i.e. all of them; no-trapping-math lets it turn the
 * selects of relu-like loops into vector blends. We never use floating-point traps). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("vect-cost-model=dynamic", "no-trapping-math")
#endif
#include "ops_internal.h"
#include "par.h"

#include <math.h>
#include <string.h>

/* ---- shared helpers ------------------------------------------------------------------------- */

const float *ops_contig(lt_graph *g, const lt_tensor *x)
{
    if (tensor_is_contiguous(x))
        return x->data;
    size_t n = tensor_numel(x);
    float *c = graph_alloc(g, n * sizeof(float));
    if (c)
        tensor_copy_out(x, c);
    return c;
}

int ops_axis(const char *op, int axis, int ndim)
{
    int a = axis < 0 ? axis + ndim : axis;
    if (a < 0 || a >= ndim) {
        lt_fail(LT_ERR_INDEX, "%s: axis %d out of range for %d dimensions", op, axis, ndim);
        return -1;
    }
    return a;
}

void ops_split(const lt_tensor *x, int axis, size_t *outer, size_t *n, size_t *inner)
{
    *outer = 1;
    *inner = 1;
    for (int d = 0; d < axis; d++)
        *outer *= (size_t)x->shape[d];
    *n = (size_t)x->shape[axis];
    for (int d = axis + 1; d < x->ndim; d++)
        *inner *= (size_t)x->shape[d];
}

lt_status ops_broadcast_shape(const char *op, const lt_tensor *a, const lt_tensor *b,
                              int *ndim, int *shape)
{
    int n = a->ndim > b->ndim ? a->ndim : b->ndim;
    for (int k = 0; k < n; k++) {   /* k counts from the right */
        int da = k < a->ndim ? a->shape[a->ndim - 1 - k] : 1;
        int db = k < b->ndim ? b->shape[b->ndim - 1 - k] : 1;
        if (da != db && da != 1 && db != 1) {
            char sa[64], sb[64];
            return lt_fail(LT_ERR_SHAPE, "%s: shapes %s and %s do not broadcast", op,
                           tensor_shape_str(a, sa, sizeof sa), tensor_shape_str(b, sb, sizeof sb));
        }
        shape[n - 1 - k] = da == 1 ? db : da;
    }
    *ndim = n;
    return LT_OK;
}

void ops_frame_shape(int ndim, const int *shape, int *out4)
{
    for (int d = 0; d < LT_MAXDIM; d++) {
        int src = d - (LT_MAXDIM - ndim);
        out4[d] = src >= 0 ? shape[src] : 1;
    }
}

void ops_frame_strides(const lt_tensor *x, const ptrdiff_t *base, int ndim, const int *shape,
                       ptrdiff_t *out4)
{
    int s4[LT_MAXDIM];
    ops_frame_shape(ndim, shape, s4);
    for (int d = 0; d < LT_MAXDIM; d++) {
        int src = d - (LT_MAXDIM - x->ndim);
        out4[d] = (src >= 0 && x->shape[src] == s4[d] && s4[d] != 1) ? base[src] : 0;
    }
}

/* ---- binary, broadcasting -------------------------------------------------------------------- */

/* the four arithmetic ops, then the comparisons in lt_cmp's order (no gradient) */
enum bin { BIN_ADD, BIN_SUB, BIN_MUL, BIN_DIV, BIN_CMP };
static const char *bin_name[] = { "add", "sub", "mul", "div", "lt", "le", "gt", "ge", "eq", "ne" };

/* y[m] = (a[m ia] OP b[m ib]) as 1 or 0, for the comparison op = BIN_CMP + lt_cmp, with
 * IEEE's answers: NaN compares false except by !=; -0 == 0 */
static void cmp_forward(int op, const float *a, ptrdiff_t ia, const float *b, ptrdiff_t ib,
                        float *y, int n)
{
    switch ((lt_cmp)(op - BIN_CMP)) {
    case LT_CMP_LT: for (int m = 0; m < n; m++) y[m] = a[m * ia] < b[m * ib]; break;
    case LT_CMP_LE: for (int m = 0; m < n; m++) y[m] = a[m * ia] <= b[m * ib]; break;
    case LT_CMP_GT: for (int m = 0; m < n; m++) y[m] = a[m * ia] > b[m * ib]; break;
    case LT_CMP_GE: for (int m = 0; m < n; m++) y[m] = a[m * ia] >= b[m * ib]; break;
    case LT_CMP_EQ: for (int m = 0; m < n; m++) y[m] = a[m * ia] == b[m * ib]; break;
    case LT_CMP_NE: for (int m = 0; m < n; m++) y[m] = a[m * ia] != b[m * ib]; break;
    }
}

/* y = a OP b over rows [r0, r1) of a 4-d frame (row r = (i, j, l), s4[3] elements each);
 * sa, sb are the inputs' frame strides, y contiguous */
PAR_CLONED(static, bin_forward, (int op, const int *s4, const float *a, const ptrdiff_t *sa,
                                   const float *b, const ptrdiff_t *sb, float *y, size_t r0,
                                   size_t r1),
           (op, s4, a, sa, b, sb, y, r0, r1))
{
    int n = s4[3];
    ptrdiff_t ia = sa[3], ib = sb[3];
    for (size_t r = r0; r < r1; r++) {
        int l = (int)(r % s4[2]), j = (int)(r / s4[2] % s4[1]), i = (int)(r / s4[2] / s4[1]);
        const float *pa = a + i * sa[0] + j * sa[1] + l * sa[2];
        const float *pb = b + i * sb[0] + j * sb[1] + l * sb[2];
        float *py = y + r * n;
        switch (op) {
        case BIN_ADD:
            if (ia == 1 && ib == 1) for (int m = 0; m < n; m++) py[m] = pa[m] + pb[m];
            else for (int m = 0; m < n; m++) py[m] = pa[m * ia] + pb[m * ib];
            break;
        case BIN_SUB:
            for (int m = 0; m < n; m++) py[m] = pa[m * ia] - pb[m * ib];
            break;
        case BIN_MUL:
            if (ia == 1 && ib == 1) for (int m = 0; m < n; m++) py[m] = pa[m] * pb[m];
            else for (int m = 0; m < n; m++) py[m] = pa[m * ia] * pb[m * ib];
            break;
        case BIN_DIV:
            for (int m = 0; m < n; m++) py[m] = pa[m * ia] / pb[m * ib];
            break;
        default:
            cmp_forward(op, pa, ia, pb, ib, py, n);
            break;
        }
    }
}

/* One binary op's loop over rows, for par_range */
typedef struct bin_job {
    int op, which;
    const int *s4;
    const float *a, *b, *dy;
    const ptrdiff_t *sa, *sb, *sg;
    float *y, *dx;
} bin_job;

static void bin_forward_rows(void *c, size_t r0, size_t r1)
{
    const bin_job *j = c;
    bin_forward(j->op, j->s4, j->a, j->sa, j->b, j->sb, j->y, r0, r1);
}

/* rows of the frame, and the fewest rows worth a thread */
static size_t frame_rows(const int *s4) { return (size_t)s4[0] * s4[1] * s4[2]; }
static size_t min_rows(const int *s4) { return PAR_MIN / (s4[3] > 0 ? (size_t)s4[3] : 1) + 1; }

/* da (or db when which = 1) += partial derivative times dy, over rows [r0, r1) of the
 * frame; the inner loop runs along the last dimension with each operand's own stride (0
 * if broadcast) */
PAR_CLONED(static, bin_backward_one, (int op, int which, const int *s4, const float *dy,
                                        const float *a, const ptrdiff_t *sa, const float *b,
                                        const ptrdiff_t *sb, float *dx, const ptrdiff_t *sg,
                                        size_t r0, size_t r1),
           (op, which, s4, dy, a, sa, b, sb, dx, sg, r0, r1))
{
    int n = s4[3];
    ptrdiff_t ia = sa[3], ib = sb[3], ig = sg[3];
    dy += r0 * n;
    for (size_t r = r0; r < r1; r++, dy += n) {
        int l = (int)(r % s4[2]), j = (int)(r / s4[2] % s4[1]), i = (int)(r / s4[2] / s4[1]);
        const float *pa = a + i * sa[0] + j * sa[1] + l * sa[2];
        const float *pb = b + i * sb[0] + j * sb[1] + l * sb[2];
        float *pg = dx + i * sg[0] + j * sg[1] + l * sg[2];
        switch (op * 2 + which) {
        case BIN_ADD * 2: case BIN_ADD * 2 + 1: case BIN_SUB * 2:
            for (int m = 0; m < n; m++) pg[m * ig] += dy[m];
            break;
        case BIN_SUB * 2 + 1:
            for (int m = 0; m < n; m++) pg[m * ig] -= dy[m];
            break;
        case BIN_MUL * 2:
            for (int m = 0; m < n; m++) pg[m * ig] += dy[m] * pb[m * ib];
            break;
        case BIN_MUL * 2 + 1:
            for (int m = 0; m < n; m++) pg[m * ig] += dy[m] * pa[m * ia];
            break;
        case BIN_DIV * 2:
            for (int m = 0; m < n; m++) pg[m * ig] += dy[m] / pb[m * ib];
            break;
        default:
            for (int m = 0; m < n; m++) {
                float q = pb[m * ib];
                pg[m * ig] -= dy[m] * pa[m * ia] / (q * q);
            }
            break;
        }
    }
}

static void bin_backward_rows(void *c, size_t r0, size_t r1)
{
    const bin_job *j = c;
    bin_backward_one(j->op, j->which, j->s4, j->dy, j->a, j->sa, j->b, j->sb, j->dx, j->sg, r0,
                     r1);
}

PAR_CLONED(static, add_into, (void *c, size_t lo, size_t hi), (c, lo, hi))
{
    const bin_job *j = c;
    for (size_t i = lo; i < hi; i++) j->dx[i] += j->dy[i];
}

static void bin_backward(lt_graph *g, lt_tensor *y)
{
    int op = y->iparam[0];
    int s4[LT_MAXDIM];
    ops_frame_shape(y->ndim, y->shape, s4);
    lt_tensor *a = y->in[0], *b = y->in[1];
    ptrdiff_t sa[LT_MAXDIM], sb[LT_MAXDIM], cs[LT_MAXDIM], sg[LT_MAXDIM];
    ops_frame_strides(a, a->stride, y->ndim, y->shape, sa);
    ops_frame_strides(b, b->stride, y->ndim, y->shape, sb);
    for (int which = 0; which < 2; which++) {
        lt_tensor *x = which ? b : a;
        float *dx = graph_grad(g, x);
        if (!dx)
            continue;
        tensor_contiguous_strides(x->ndim, x->shape, cs);
        ops_frame_strides(x, cs, y->ndim, y->shape, sg);
        bin_job j = { op, which, s4, a->data, b->data, y->grad, sa, sb, sg, NULL, dx };
        if ((op == BIN_ADD || (op == BIN_SUB && !which)) && tensor_same_shape(x, y)) {
            par_range(tensor_numel(y), PAR_MIN, add_into, &j);
            continue;
        }
        /* rows in parallel only when no two rows add into the same gradient row (x not
         * broadcast along the first three frame dimensions) */
        int distinct = 1;
        for (int d = 0; d < 3; d++)
            distinct &= s4[d] == 1 || sg[d] != 0;
        if (distinct)
            par_range(frame_rows(s4), min_rows(s4), bin_backward_rows, &j);
        else
            bin_backward_rows(&j, 0, frame_rows(s4));
    }
}

static const lt_opdef bin_defs[] = {
    { "add", bin_backward }, { "sub", bin_backward }, { "mul", bin_backward }, { "div", bin_backward } };

static lt_tensor *binary(lt_graph *g, lt_tensor *a, lt_tensor *b, int op)
{
    if (!a || !b)
        return NULL;
    int nd, shape[LT_MAXDIM];
    if (ops_broadcast_shape(bin_name[op], a, b, &nd, shape) != LT_OK)
        return NULL;
    lt_tensor *y = graph_tensor(g, nd, shape);
    if (!y)
        return NULL;
    int s4[LT_MAXDIM];
    ptrdiff_t sa[LT_MAXDIM], sb[LT_MAXDIM];
    ops_frame_shape(nd, shape, s4);
    ops_frame_strides(a, a->stride, nd, shape, sa);
    ops_frame_strides(b, b->stride, nd, shape, sb);
    bin_job j = { .op = op, .s4 = s4, .a = a->data, .b = b->data, .sa = sa, .sb = sb,
                  .y = y->data };
    par_range(frame_rows(s4), min_rows(s4), bin_forward_rows, &j);
    if (op >= BIN_CMP)
        return y;   /* no gradient */
    y->iparam[0] = op;
    lt_tensor *in[2] = { a, b };
    return graph_record(g, y, &bin_defs[op], in, 2);
}

lt_tensor *op_add(lt_graph *g, lt_tensor *a, lt_tensor *b) { return binary(g, a, b, BIN_ADD); }
lt_tensor *op_sub(lt_graph *g, lt_tensor *a, lt_tensor *b) { return binary(g, a, b, BIN_SUB); }
lt_tensor *op_mul(lt_graph *g, lt_tensor *a, lt_tensor *b) { return binary(g, a, b, BIN_MUL); }
lt_tensor *op_div(lt_graph *g, lt_tensor *a, lt_tensor *b) { return binary(g, a, b, BIN_DIV); }

lt_tensor *op_compare(lt_graph *g, lt_tensor *a, lt_tensor *b, lt_cmp cmp)
{
    if ((unsigned)cmp > LT_CMP_NE) {
        lt_fail(LT_ERR_VALUE, "compare: unknown comparison %d", (int)cmp);
        return NULL;
    }
    return binary(g, a, b, BIN_CMP + (int)cmp);
}

/* ---- unary ----------------------------------------------------------------------------------- */

enum un { UN_AFFINE, UN_POW, UN_EXP, UN_LOG, UN_SQRT, UN_ABS, UN_RELU, UN_LEAKY, UN_SIGMOID,
          UN_TANH, UN_SOFTPLUS, UN_SILU, UN_CLAMP };

static inline float sigmoidf(float x)
{
    return x >= 0.0f ? 1.0f / (1.0f + expf(-x)) : expf(x) / (1.0f + expf(x));
}

static inline float softplusf(float x)
{
    return fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x)));
}

PAR_CLONED(static, un_forward, (int op, float p0, float p1, const float *x, float *y, size_t n),
           (op, p0, p1, x, y, n))
{
    switch (op) {
    case UN_AFFINE: for (size_t i = 0; i < n; i++) y[i] = p0 * x[i] + p1; break;
    case UN_POW:
        if (p0 == 2.0f) for (size_t i = 0; i < n; i++) y[i] = x[i] * x[i];
        else for (size_t i = 0; i < n; i++) y[i] = powf(x[i], p0);
        break;
    case UN_EXP: for (size_t i = 0; i < n; i++) y[i] = expf(x[i]); break;
    case UN_LOG: for (size_t i = 0; i < n; i++) y[i] = logf(x[i]); break;
    case UN_SQRT: for (size_t i = 0; i < n; i++) y[i] = sqrtf(x[i]); break;
    case UN_ABS: for (size_t i = 0; i < n; i++) y[i] = fabsf(x[i]); break;
    /* x <= 0 ? 0 : x, not x > 0 ? x : 0: NaN stays NaN (as PyTorch), -0 gives +0 */
    case UN_RELU: for (size_t i = 0; i < n; i++) y[i] = x[i] <= 0.0f ? 0.0f : x[i]; break;
    case UN_LEAKY: for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : p0 * x[i]; break;
    case UN_SIGMOID: for (size_t i = 0; i < n; i++) y[i] = sigmoidf(x[i]); break;
    case UN_TANH: for (size_t i = 0; i < n; i++) y[i] = tanhf(x[i]); break;
    case UN_SOFTPLUS: for (size_t i = 0; i < n; i++) y[i] = softplusf(x[i]); break;
    case UN_CLAMP:   /* p0 <= p1; NaN stays NaN */
        for (size_t i = 0; i < n; i++) y[i] = x[i] < p0 ? p0 : x[i] > p1 ? p1 : x[i];
        break;
    default: for (size_t i = 0; i < n; i++) y[i] = x[i] * sigmoidf(x[i]); break;
    }
}

/* dx += dy * f'(x), from the saved contiguous input x and the output y */
PAR_CLONED(static, un_grad, (int op, float p0, float p1, const float *x, const float *y,
                               const float *dy, float *dx, size_t n),
           (op, p0, p1, x, y, dy, dx, n))
{
    switch (op) {
    case UN_AFFINE: for (size_t i = 0; i < n; i++) dx[i] += p0 * dy[i]; break;
    case UN_POW:
        for (size_t i = 0; i < n; i++)
            dx[i] += dy[i] * (p0 == 2.0f ? 2.0f * x[i] : p0 * powf(x[i], p0 - 1.0f));
        break;
    case UN_EXP: for (size_t i = 0; i < n; i++) dx[i] += dy[i] * y[i]; break;
    case UN_LOG: for (size_t i = 0; i < n; i++) dx[i] += dy[i] / x[i]; break;
    case UN_SQRT: for (size_t i = 0; i < n; i++) dx[i] += dy[i] * 0.5f / y[i]; break;
    case UN_ABS:
        for (size_t i = 0; i < n; i++)
            dx[i] += x[i] > 0.0f ? dy[i] : x[i] < 0.0f ? -dy[i] : 0.0f;
        break;
    case UN_RELU: for (size_t i = 0; i < n; i++) dx[i] += x[i] > 0.0f ? dy[i] : 0.0f; break;
    case UN_LEAKY: for (size_t i = 0; i < n; i++) dx[i] += x[i] > 0.0f ? dy[i] : p0 * dy[i]; break;
    case UN_SIGMOID: for (size_t i = 0; i < n; i++) dx[i] += dy[i] * y[i] * (1.0f - y[i]); break;
    case UN_TANH: for (size_t i = 0; i < n; i++) dx[i] += dy[i] * (1.0f - y[i] * y[i]); break;
    case UN_SOFTPLUS: for (size_t i = 0; i < n; i++) dx[i] += dy[i] * sigmoidf(x[i]); break;
    case UN_CLAMP:   /* as PyTorch: the gradient passes where p0 <= x <= p1 */
        for (size_t i = 0; i < n; i++) dx[i] += x[i] >= p0 && x[i] <= p1 ? dy[i] : 0.0f;
        break;
    default:
        for (size_t i = 0; i < n; i++) {
            float s = sigmoidf(x[i]);
            dx[i] += dy[i] * s * (1.0f + x[i] * (1.0f - s));
        }
        break;
    }
}

/* One unary op's loop, for par_range */
typedef struct un_job {
    int op;
    float p0, p1;
    const float *x, *y, *dy;
    float *out;   /* forward: y; backward: dx */
} un_job;

static void un_forward_part(void *c, size_t lo, size_t hi)
{
    const un_job *j = c;
    un_forward(j->op, j->p0, j->p1, j->x + lo, j->out + lo, hi - lo);
}

static void un_grad_part(void *c, size_t lo, size_t hi)
{
    const un_job *j = c;
    un_grad(j->op, j->p0, j->p1, j->x + lo, j->y + lo, j->dy + lo, j->out + lo, hi - lo);
}

/* Elements per thread worth waking it for: fewer for the ops that call libm per element */
static size_t un_min(int op)
{
    return op == UN_AFFINE || op == UN_RELU || op == UN_LEAKY || op == UN_ABS || op == UN_CLAMP
               ? PAR_MIN
                                                                              : PAR_MIN / 8;
}

static void un_backward(lt_graph *g, lt_tensor *y)
{
    float *dx = graph_grad(g, y->in[0]);
    un_job j = { y->iparam[0], y->fparam[0], y->fparam[1], y->aux, y->data, y->grad, dx };
    if (dx)
        par_range(tensor_numel(y), un_min(j.op), un_grad_part, &j);
}

static const lt_opdef un_defs[] = {
    { "affine", un_backward }, { "pow", un_backward }, { "exp", un_backward },
    { "log", un_backward }, { "sqrt", un_backward }, { "abs", un_backward },
    { "relu", un_backward }, { "leaky_relu", un_backward }, { "sigmoid", un_backward },
    { "tanh", un_backward }, { "softplus", un_backward }, { "silu", un_backward },
    { "clamp", un_backward } };

static lt_tensor *unary(lt_graph *g, lt_tensor *x, int op, float p0, float p1)
{
    if (!x)
        return NULL;
    const float *xc = ops_contig(g, x);
    lt_tensor *y = xc ? graph_tensor(g, x->ndim, x->shape) : NULL;
    if (!y)
        return NULL;
    un_job j = { op, p0, p1, xc, NULL, NULL, y->data };
    par_range(tensor_numel(x), un_min(op), un_forward_part, &j);
    y->iparam[0] = op;
    y->fparam[0] = p0;
    y->fparam[1] = p1;
    y->aux = (void *)xc;
    return graph_record(g, y, &un_defs[op], &x, 1);
}

lt_tensor *op_affine(lt_graph *g, lt_tensor *x, float a, float b) { return unary(g, x, UN_AFFINE, a, b); }
lt_tensor *op_pow(lt_graph *g, lt_tensor *x, float p) { return unary(g, x, UN_POW, p, 0); }
lt_tensor *op_exp(lt_graph *g, lt_tensor *x) { return unary(g, x, UN_EXP, 0, 0); }
lt_tensor *op_log(lt_graph *g, lt_tensor *x) { return unary(g, x, UN_LOG, 0, 0); }
lt_tensor *op_sqrt(lt_graph *g, lt_tensor *x) { return unary(g, x, UN_SQRT, 0, 0); }
lt_tensor *op_abs(lt_graph *g, lt_tensor *x) { return unary(g, x, UN_ABS, 0, 0); }
lt_tensor *op_relu(lt_graph *g, lt_tensor *x) { return unary(g, x, UN_RELU, 0, 0); }
lt_tensor *op_leaky_relu(lt_graph *g, lt_tensor *x, float alpha) { return unary(g, x, UN_LEAKY, alpha, 0); }
lt_tensor *op_sigmoid(lt_graph *g, lt_tensor *x) { return unary(g, x, UN_SIGMOID, 0, 0); }
lt_tensor *op_tanh(lt_graph *g, lt_tensor *x) { return unary(g, x, UN_TANH, 0, 0); }
lt_tensor *op_softplus(lt_graph *g, lt_tensor *x) { return unary(g, x, UN_SOFTPLUS, 0, 0); }
lt_tensor *op_silu(lt_graph *g, lt_tensor *x) { return unary(g, x, UN_SILU, 0, 0); }

lt_tensor *op_clamp(lt_graph *g, lt_tensor *x, float lo, float hi)
{
    if (!(lo <= hi)) {
        lt_fail(LT_ERR_VALUE, "clamp: min (%g) and max (%g) must be numbers with min <= max", lo, hi);
        return NULL;
    }
    return unary(g, x, UN_CLAMP, lo, hi);
}

lt_tensor *op_act(lt_graph *g, lt_tensor *x, lt_act act, float alpha)
{
    switch (act) {
    case LT_ACT_NONE: return op_affine(g, x, 1.0f, 0.0f);
    case LT_ACT_RELU: return op_relu(g, x);
    case LT_ACT_LEAKY_RELU: return op_leaky_relu(g, x, alpha);
    case LT_ACT_SIGMOID: return op_sigmoid(g, x);
    case LT_ACT_TANH: return op_tanh(g, x);
    }
    lt_fail(LT_ERR_VALUE, "act: unknown activation %d", (int)act);
    return NULL;
}
