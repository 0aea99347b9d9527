/* eval.c: the tree-walking evaluator (see eval.h). */
#include "eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"
#include "help_index.h"
#include "pyhint.h"
#include "registry.h"

static int eval_oom(lt_session *s, const ast_node *at)
{
    return sess_fail(s, at, "MemoryError", "out of memory");
}

/* ---- names ------------------------------------------------------------- */

static void eval_consider(const char *name, const char *cand, const char **best, int *best_d)
{
    int d;
    if (!diag_close_word(name, cand, &d)) return;
    if (d < *best_d || (d == *best_d && strcmp(cand, *best) < 0)) {
        *best = cand;
        *best_d = d;
    }
}

/* Whether v can stand where `kind` asks: anything, or something callable for a call. */
static int eval_fits(value v, eval_kind kind)
{
    if (kind != EVAL_CALLEE) return 1;
    return IS_BUILTIN(v) || (IS_OBJ(v) && AS_OBJ(v)->type->call);
}

int eval_suggest(const lt_session *s, const char *name, eval_kind kind, const char **out)
{
    const char *best = NULL;
    int best_d = 1000;
    for (size_t i = 0; i < env_slots(s->globals); i++)
        if (env_name(s->globals, i) && eval_fits(*env_value(s->globals, i), kind))
            eval_consider(name, env_name(s->globals, i), &best, &best_d);
    for (size_t i = 0; reg_at(s->reg, i); i++) eval_consider(name, reg_at(s->reg, i)->name, &best, &best_d);
    for (int k = TOK_FIRST_KEYWORD; k <= TOK_LAST_KEYWORD; k++) {
        /* a name in an expression can only be meant as a keyword that is a value */
        int value = k == TOK_TRUE || k == TOK_FALSE || k == TOK_NONE;
        if (kind == EVAL_ANY || (kind == EVAL_VALUE && value))
            eval_consider(name, lex_keyword_text((tok_kind)k), &best, &best_d);
    }
    *out = best;
    return best != NULL;
}

/* name, or name(...) when kind is EVAL_CALLEE (suggestions then only callables) */
static int eval_lookup(lt_session *s, const ast_node *n, eval_kind kind, value *out)
{
    const value *v = s->locals ? env_get(s->locals, n->text) : NULL;
    if (!v) v = env_get(s->globals, n->text);
    if (v) { *out = *v; val_incref(*v); return 0; }
    double c;
    if (reg_constant_get(s->reg, n->text, &c)) { *out = NUM_VAL(c); return 0; }   /* pi, e */
    const builtin *b = reg_find(s->reg, n->text);
    if (b) { *out = BUILTIN_VAL(b); return 0; }
    const char *near, *python = py_name(n->text);
    if (python) return sess_fail(s, n, "NameError", "name '%s' is not defined%s", n->text, python);
    if (eval_suggest(s, n->text, kind, &near))
        return sess_fail(s, n, "NameError", "name '%s' is not defined; did you mean '%s'?", n->text, near);
    if (help_related(n->text))
        return sess_fail(s, n, "NameError", "name '%s' is not defined; help(\"%s\") lists builtins about it",
                         n->text, n->text);
    return sess_fail(s, n, "NameError", "name '%s' is not defined", n->text);
}

static int eval_name(lt_session *s, const ast_node *n, value *out)
{
    return eval_lookup(s, n, EVAL_VALUE, out);
}

/* ---- operators --------------------------------------------------------- */

static int eval_num_op(lt_session *s, const ast_node *n, double a, double b, value *out)
{
    double r;
    switch (n->op) {
    case TOK_PLUS: r = a + b; break;
    case TOK_MINUS: r = a - b; break;
    case TOK_STAR: r = a * b; break;
    case TOK_SLASH:
        if (b == 0) return sess_fail(s, n, "ZeroDivisionError", "division by zero");
        r = a / b;
        break;
    case TOK_PERCENT:
        if (b == 0) return sess_fail(s, n, "ZeroDivisionError", "modulo by zero");
        r = fmod(a, b);
        if (r != 0 && (r < 0) != (b < 0)) r += b;   /* the sign of the divisor, as Python */
        break;
    case TOK_CARET:
        if (a == 0 && b < 0) return sess_fail(s, n, "ZeroDivisionError", "0 cannot be raised to a negative power");
        if (a < 0 && b != floor(b))
            return sess_fail(s, n, "ValueError", "a negative number cannot be raised to a fractional power");
        r = pow(a, b);
        break;
    case TOK_LT: *out = BOOL_VAL(a < b); return 0;
    case TOK_LE: *out = BOOL_VAL(a <= b); return 0;
    case TOK_GT: *out = BOOL_VAL(a > b); return 0;
    case TOK_GE: *out = BOOL_VAL(a >= b); return 0;
    default: return sess_fail(s, n, "TypeError", "bad operator");
    }
    *out = NUM_VAL(r);
    return 0;
}

static int eval_concat_str(lt_session *s, const ast_node *n, const val_str *a, const val_str *b, value *out)
{
    if (a->len + b->len > VAL_STR_MAX)
        return sess_fail(s, n, "MemoryError", "string too long (more than %u bytes)", VAL_STR_MAX);
    val_str *r = malloc(sizeof *r + a->len + b->len + 1);
    if (!r) return eval_oom(s, n);
    r->rc = 1;
    r->len = a->len + b->len;
    memcpy(r->chars, a->chars, a->len);
    memcpy(r->chars + a->len, b->chars, b->len);
    r->chars[r->len] = 0;
    *out = STR_VAL(r);
    return 0;
}

static int eval_concat_list(lt_session *s, const ast_node *n, const val_list *a, const val_list *b, value *out)
{
    if (a->n + b->n > VAL_LIST_MAX)
        return sess_fail(s, n, "MemoryError", "list too long (more than %u items)", VAL_LIST_MAX);
    val_list *r = val_list_new(a->n + b->n);
    if (!r) return eval_oom(s, n);
    for (size_t i = 0; i < a->n; i++) { val_incref(a->items[i]); r->items[r->n++] = a->items[i]; }
    for (size_t i = 0; i < b->n; i++) { val_incref(b->items[i]); r->items[r->n++] = b->items[i]; }
    *out = LIST_VAL(r);
    return 0;
}

static int eval_compare_str(const ast_node *n, const val_str *a, const val_str *b)
{
    size_t m = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->chars, b->chars, m);
    if (c == 0) c = (a->len > b->len) - (a->len < b->len);
    switch (n->op) {
    case TOK_LT: return c < 0;
    case TOK_LE: return c <= 0;
    case TOK_GT: return c > 0;
    default: return c >= 0;
    }
}

static int eval_type_error(lt_session *s, const ast_node *n, value a, value b)
{
    const char *hint = "";
    if (n->op == TOK_PLUS && (IS_STR(a) || IS_STR(b))) hint = "; use str(x) to turn a value into text";
    return sess_fail(s, n, "TypeError", "unsupported operand types for %s: '%s' and '%s'%s",
                     lex_kind_name((tok_kind)n->op), val_type_name(a), val_type_name(b), hint);
}

static int eval_binop(lt_session *s, const ast_node *n, value a, value b, value *out)
{
    int cmp = n->op == TOK_LT || n->op == TOK_LE || n->op == TOK_GT || n->op == TOK_GE;
    int hook_a = IS_OBJ(a) && AS_OBJ(a)->type->binop, hook_b = IS_OBJ(b) && AS_OBJ(b)->type->binop;
    if (hook_a || hook_b)   /* objects define all their operators, == included (element-wise) */
        return AS_OBJ(hook_a ? a : b)->type->binop(s, n, n->op, a, b, out);
    if (n->op == TOK_EQ || n->op == TOK_NE) {
        int eq = val_equal(a, b);
        *out = BOOL_VAL(n->op == TOK_EQ ? eq : !eq);
        return 0;
    }
    if (IS_NUM(a) && IS_NUM(b)) return eval_num_op(s, n, AS_NUM(a), AS_NUM(b), out);
    if (IS_STR(a) && IS_STR(b) && n->op == TOK_PLUS) return eval_concat_str(s, n, AS_STR(a), AS_STR(b), out);
    if (IS_STR(a) && IS_STR(b) && cmp) { *out = BOOL_VAL(eval_compare_str(n, AS_STR(a), AS_STR(b))); return 0; }
    if (IS_LIST(a) && IS_LIST(b) && n->op == TOK_PLUS) return eval_concat_list(s, n, AS_LIST(a), AS_LIST(b), out);
    return eval_type_error(s, n, a, b);
}

static int eval_binary(lt_session *s, const ast_node *n, value *out)
{
    value a, b;
    if (eval_expr(s, n->a, &a) < 0) return -1;
    if (eval_expr(s, n->b, &b) < 0) { val_decref(a); return -1; }
    int st = eval_binop(s, n, a, b, out);
    val_decref(a);
    val_decref(b);
    return st;
}

/* a and b, a or b: the deciding operand, as Python (b is evaluated only if needed) */
static int eval_logic(lt_session *s, const ast_node *n, value *out)
{
    if (eval_expr(s, n->a, out) < 0) return -1;
    int t = val_truthy(*out);
    if (n->kind == AST_AND ? !t : t) return 0;
    val_decref(*out);
    return eval_expr(s, n->b, out);
}

static int eval_unary(lt_session *s, const ast_node *n, value *out)
{
    value a;
    if (eval_expr(s, n->a, &a) < 0) return -1;
    if (n->op == TOK_NOT) {
        *out = BOOL_VAL(!val_truthy(a));
        val_decref(a);
        return 0;
    }
    if (IS_OBJ(a) && AS_OBJ(a)->type->binop && n->op == TOK_MINUS) {
        int st = AS_OBJ(a)->type->binop(s, n, TOK_MINUS, NUM_VAL(0), a, out);
        val_decref(a);
        return st;
    }
    if (!IS_NUM(a)) {
        int st = sess_fail(s, n, "TypeError", "bad operand type for unary %s: '%s'",
                           n->op == TOK_MINUS ? "-" : "+", val_type_name(a));
        val_decref(a);
        return st;
    }
    *out = NUM_VAL(n->op == TOK_MINUS ? -AS_NUM(a) : AS_NUM(a));
    return 0;
}

/* ---- lists and indexing ------------------------------------------------ */

static int eval_list(lt_session *s, const ast_node *n, value *out)
{
    val_list *l = val_list_new((size_t)n->n);
    if (!l) return eval_oom(s, n);
    for (int i = 0; i < n->n; i++) {
        if (eval_expr(s, n->items[i], &l->items[i]) < 0) {
            val_decref(LIST_VAL(l));
            return -1;
        }
        l->n++;
    }
    *out = LIST_VAL(l);
    return 0;
}

/* Checks that iv is a whole number that indexes `len` items (negative counts
 * from the end) and stores the position in *pos. */
static int eval_position(lt_session *s, const ast_node *n, value iv, size_t len, const char *what, size_t *pos)
{
    if (!IS_NUM(iv))
        return sess_fail(s, n, "TypeError", "%s indices must be numbers, not %s", what, val_type_name(iv));
    double i = AS_NUM(iv);
    char num[32];
    val_format_num(i, num);
    if (i != floor(i)) return sess_fail(s, n, "TypeError", "%s indices must be whole numbers, not %s", what, num);
    double j = i < 0 ? i + (double)len : i;
    if (j < 0 || j >= (double)len)
        return sess_fail(s, n, "IndexError", "%s index %s out of range (length %zu)", what, num, len);
    *pos = (size_t)j;
    return 0;
}

/* The byte offset of code point number cp in s. */
static size_t eval_utf8_offset(const val_str *s, size_t cp)
{
    size_t i = 0;
    for (size_t c = 0; i < s->len; i++) {
        if (((unsigned char)s->chars[i] & 0xC0) == 0x80) continue;
        if (c++ == cp) break;
    }
    return i;
}

static int eval_index_str(lt_session *s, const ast_node *n, const val_str *str, value iv, value *out)
{
    size_t pos, len = val_utf8_count(str->chars, str->len);
    if (eval_position(s, n, iv, len, "string", &pos) < 0) return -1;
    size_t start = eval_utf8_offset(str, pos), end = eval_utf8_offset(str, pos + 1);
    val_str *r = val_str_new(str->chars + start, end - start);
    if (!r) return eval_oom(s, n);
    *out = STR_VAL(r);
    return 0;
}

static int eval_index_value(lt_session *s, const ast_node *n, value a, value iv, value *out)
{
    size_t pos;
    if (IS_LIST(a)) {
        if (eval_position(s, n, iv, AS_LIST(a)->n, "list", &pos) < 0) return -1;
        *out = AS_LIST(a)->items[pos];
        val_incref(*out);
        return 0;
    }
    if (IS_STR(a)) return eval_index_str(s, n, AS_STR(a), iv, out);
    if (IS_OBJ(a) && AS_OBJ(a)->type->index) {
        val_index ix = { .v = iv, .start = NONE_VAL, .stop = NONE_VAL };
        return AS_OBJ(a)->type->index(s, n, AS_OBJ(a)->data, &ix, 1, out);
    }
    return sess_fail(s, n, "TypeError", "%s %s cannot be indexed", val_a(a), val_type_name(a));
}

/* Evaluates subscript entry e (an expression or an AST_SLICE) into *ix. */
static int eval_subscript_entry(lt_session *s, const ast_node *e, val_index *ix)
{
    *ix = (val_index){ .v = NONE_VAL, .start = NONE_VAL, .stop = NONE_VAL };
    if (e->kind != AST_SLICE) return eval_expr(s, e, &ix->v);
    ix->slice = 1;
    if (e->a && eval_expr(s, e->a, &ix->start) < 0) return -1;
    if (e->b && eval_expr(s, e->b, &ix->stop) < 0) { val_decref(ix->start); return -1; }
    return 0;
}

/* a[e1, ..., en] with slices: only objects with an index hook (tensors) take these */
static int eval_subscript(lt_session *s, const ast_node *n, value a, value *out)
{
    val_index ix[8];
    int k = 0, st = 0;
    if (!IS_OBJ(a) || !AS_OBJ(a)->type->index)
        return sess_fail(s, n, "TypeError", "%s %s cannot be indexed with slices or several indices", val_a(a), val_type_name(a));
    if (n->n > 8) return sess_fail(s, n, "IndexError", "too many indices (%d)", n->n);
    for (; k < n->n && st == 0; k++)
        if ((st = eval_subscript_entry(s, n->items[k], &ix[k])) < 0) break;
    if (st == 0) st = AS_OBJ(a)->type->index(s, n, AS_OBJ(a)->data, ix, n->n, out);
    for (int i = 0; i < k; i++) { val_decref(ix[i].v); val_decref(ix[i].start); val_decref(ix[i].stop); }
    return st;
}

static int eval_index(lt_session *s, const ast_node *n, value *out)
{
    value a, i;
    if (eval_expr(s, n->a, &a) < 0) return -1;
    if (!n->b) {
        int st = eval_subscript(s, n, a, out);
        val_decref(a);
        return st;
    }
    if (eval_expr(s, n->b, &i) < 0) { val_decref(a); return -1; }
    int st = eval_index_value(s, n, a, i, out);
    val_decref(a);
    val_decref(i);
    return st;
}

/* Whether v is, or holds at any depth, the list l (a[i] = v must not make a
 * cycle): 1 or 0, or -1 when v is nested too deeply to tell. */
static int eval_holds(value v, const val_list *l, int depth)
{
    if (!IS_LIST(v)) return 0;
    if (depth > VAL_MAX_NEST) return -1;
    if (AS_LIST(v) == l) return 1;
    for (size_t i = 0; i < AS_LIST(v)->n; i++) {
        int h = eval_holds(AS_LIST(v)->items[i], l, depth + 1);
        if (h) return h;
    }
    return 0;
}

static int eval_set_item(lt_session *s, const ast_node *n, value a, value iv, value v)
{
    size_t pos;
    if (strcmp(val_type_name(a), "tensor") == 0)
        return sess_fail(s, n, "TypeError", "a tensor is not changed in place (x[i] = v): compute a new one, "
                         "e.g. m = arange(len(x)) == i; x = x + m * (v - x)");
    if (!IS_LIST(a))
        return sess_fail(s, n, "TypeError", "%s %s does not support item assignment", val_a(a), val_type_name(a));
    if (eval_position(s, n, iv, AS_LIST(a)->n, "list", &pos) < 0) return -1;
    int holds = eval_holds(v, AS_LIST(a), 0);
    if (holds > 0) return sess_fail(s, n, "ValueError", "a list cannot contain itself");
    if (holds < 0) return sess_fail(s, n, "ValueError", "lists nested too deeply (more than %d levels)", VAL_MAX_NEST);
    val_incref(v);
    val_decref(AS_LIST(a)->items[pos]);
    AS_LIST(a)->items[pos] = v;
    return 0;
}

/* a[b] = c */
static int eval_set_index(lt_session *s, const ast_node *n)
{
    value a, i, v;
    if (eval_expr(s, n->a, &a) < 0) return -1;
    if (eval_expr(s, n->b, &i) < 0) { val_decref(a); return -1; }
    if (eval_expr(s, n->c, &v) < 0) { val_decref(a); val_decref(i); return -1; }
    int st = eval_set_item(s, n, a, i, v);
    val_decref(a);
    val_decref(i);
    val_decref(v);
    return st;
}

/* ---- calls ------------------------------------------------------------- */

enum { EVAL_ARGS_STACK = 8 };

static int eval_invoke(lt_session *s, const ast_node *n, value f, bi_args *args, value *out)
{
    if (IS_BUILTIN(f)) return reg_call(AS_BUILTIN(f), args, out);
    if (IS_OBJ(f) && AS_OBJ(f)->type->call) return AS_OBJ(f)->type->call(AS_OBJ(f)->data, args, out);
    return sess_fail(s, n, "TypeError", "%s %s cannot be called", val_a(f), val_type_name(f));
}

/* Evaluates the arguments of call n (positional first, then keyword) into vals. */
static int eval_args(lt_session *s, const ast_node *n, value *vals, ast_node **nodes, int *npos)
{
    int k = 0;
    *npos = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < n->n; i++) {
            if ((n->keys[i] != NULL) != pass) continue;
            if (eval_expr(s, n->items[i], &vals[k]) < 0) {
                while (k > 0) val_decref(vals[--k]);
                return -1;
            }
            nodes[k++] = pass ? n->keys[i] : n->items[i];
            if (!pass) (*npos)++;
        }
    }
    return 0;
}

static int eval_call(lt_session *s, const ast_node *n, value *out)
{
    value f, stack_vals[EVAL_ARGS_STACK];
    ast_node *stack_nodes[EVAL_ARGS_STACK];
    if ((n->a->kind == AST_NAME ? eval_lookup(s, n->a, EVAL_CALLEE, &f) : eval_expr(s, n->a, &f)) < 0) return -1;
    int big = n->n > EVAL_ARGS_STACK;
    value *vals = big ? malloc((size_t)n->n * sizeof *vals) : stack_vals;
    ast_node **nodes = big ? malloc((size_t)n->n * sizeof *nodes) : stack_nodes;
    int npos, st = -1;
    if (!vals || !nodes) st = eval_oom(s, n);
    else if (eval_args(s, n, vals, nodes, &npos) == 0) {
        bi_args args = { s, n, npos, vals, nodes, n->n - npos, vals + npos, nodes + npos };
        st = sess_poll(s, n);
        if (st == 0) st = eval_invoke(s, n, f, &args, out);
        for (int i = 0; i < n->n; i++) val_decref(vals[i]);
    }
    if (big) { free(vals); free(nodes); }
    val_decref(f);
    return st;
}

/* ---- expressions ------------------------------------------------------- */

static int eval_string(lt_session *s, const ast_node *n, value *out)
{
    val_str *str = val_str_new(n->text, n->text_len);
    if (!str) return eval_oom(s, n);
    *out = STR_VAL(str);
    return 0;
}

static int eval_dispatch(lt_session *s, const ast_node *n, value *out)
{
    switch (n->kind) {
    case AST_NUM: *out = NUM_VAL(n->num); return 0;
    case AST_STR: return eval_string(s, n, out);
    case AST_NAME: return eval_name(s, n, out);
    case AST_TRUE: *out = BOOL_VAL(1); return 0;
    case AST_FALSE: *out = BOOL_VAL(0); return 0;
    case AST_NONE: *out = NONE_VAL; return 0;
    case AST_LIST: return eval_list(s, n, out);
    case AST_UNARY: return eval_unary(s, n, out);
    case AST_BINARY: return eval_binary(s, n, out);
    case AST_AND: case AST_OR: return eval_logic(s, n, out);
    case AST_CALL: return eval_call(s, n, out);
    case AST_INDEX: return eval_index(s, n, out);
    default: return sess_fail(s, n, "SyntaxError", "a statement is not an expression");
    }
}

int eval_expr(lt_session *s, const ast_node *n, value *out)
{
    if (++s->depth > SESS_MAX_DEPTH) {
        s->depth--;
        return sess_fail(s, n, "RecursionError", "too deeply nested (more than %d levels)", SESS_MAX_DEPTH);
    }
    int st = eval_dispatch(s, n, out);
    s->depth--;
    return st;
}

/* ---- statements -------------------------------------------------------- */

int eval_set_var(lt_session *s, const ast_node *at, const char *name, value v)
{
    if (env_set(s->locals ? s->locals : s->globals, name, v) < 0) return eval_oom(s, at);
    return 0;
}

static int eval_assign(lt_session *s, const ast_node *n)
{
    value v;
    if (eval_expr(s, n->b, &v) < 0) return -1;
    return eval_set_var(s, n, n->text, v);
}

/* a, b = EXPR: the items of a list, one per name */
static int eval_unpack(lt_session *s, const ast_node *n)
{
    value v;
    if (eval_expr(s, n->b, &v) < 0) return -1;
    int st = 0;
    if (!IS_LIST(v))
        st = sess_fail(s, n->b, "TypeError", "only a list unpacks into %d names, not %s %s (a function gives "
                       "several values as a list: return a, b)", n->n, val_a(v), val_type_name(v));
    else if (AS_LIST(v)->n != (size_t)n->n)
        st = sess_fail(s, n->b, "ValueError", "%d names, but the list has %zu item%s", n->n, AS_LIST(v)->n,
                       AS_LIST(v)->n == 1 ? "" : "s");
    for (int i = 0; st == 0 && i < n->n; i++) {
        val_incref(AS_LIST(v)->items[i]);
        st = eval_set_var(s, n->items[i], n->items[i]->text, AS_LIST(v)->items[i]);
    }
    val_decref(v);
    return st;
}

int eval_block(lt_session *s, const ast_node *n)
{
    for (int i = 0; i < n->n && !s->returning; i++)
        if (eval_stmt(s, n->items[i]) < 0) return -1;
    return 0;
}

static int eval_if(lt_session *s, const ast_node *n)
{
    value c;
    if (eval_expr(s, n->a, &c) < 0) return -1;
    int t = val_truthy(c);
    val_decref(c);
    if (t) return eval_block(s, n->b);
    if (!n->c) return 0;
    return n->c->kind == AST_IF ? eval_if(s, n->c) : eval_block(s, n->c);
}

/* One pass of a loop body with the loop variable set to v (v's reference is taken). */
static int eval_iteration(lt_session *s, const ast_node *n, value v)
{
    if (sess_poll(s, n) < 0) { val_decref(v); return -1; }
    if (eval_set_var(s, n, n->text, v) < 0) return -1;
    return eval_block(s, n->c);
}

static int eval_bound(lt_session *s, const ast_node *n, value v, double *x)
{
    char num[32];
    if (!IS_NUM(v))
        return sess_fail(s, n, "TypeError", "a range bound must be a number, not %s", val_type_name(v));
    val_format_num(AS_NUM(v), num);
    if (AS_NUM(v) != floor(AS_NUM(v)) || fabs(AS_NUM(v)) > 9007199254740992.0)
        return sess_fail(s, n, "ValueError", "a range bound must be a whole number, not %s", num);
    *x = AS_NUM(v);
    return 0;
}

/* for NAME in A .. B { }: A, A±1, ..., B (both ends included; down when A > B) */
static int eval_for_range(lt_session *s, const ast_node *n)
{
    value va, vb;
    double a = 0, b = 0;   /* read below even when a bound fails */
    if (eval_expr(s, n->a, &va) < 0) return -1;
    if (eval_expr(s, n->b, &vb) < 0) { val_decref(va); return -1; }
    int st = eval_bound(s, n->a, va, &a);
    if (st == 0) st = eval_bound(s, n->b, vb, &b);
    val_decref(va);
    val_decref(vb);
    double step = a <= b ? 1 : -1;
    for (double i = a; st == 0 && !s->returning; i += step) {
        st = eval_iteration(s, n, NUM_VAL(i));
        if (i == b) break;
    }
    return st;
}

/* for NAME in LIST { }: each item (of the list as it is while the loop runs) */
static int eval_for_list(lt_session *s, const ast_node *n)
{
    value l;
    if (eval_expr(s, n->a, &l) < 0) return -1;
    if (!IS_LIST(l)) {
        int st = sess_fail(s, n->a, "TypeError", "'for %s in' needs a list or a range A .. B, not %s %s",
                           n->text, val_a(l), val_type_name(l));
        val_decref(l);
        return st;
    }
    int st = 0;
    for (size_t i = 0; st == 0 && !s->returning && i < AS_LIST(l)->n; i++) {
        value item = AS_LIST(l)->items[i];
        val_incref(item);
        st = eval_iteration(s, n, item);
    }
    val_decref(l);
    return st;
}

/* ---- functions ----------------------------------------------------------- */

/* A function value: its definition (an AST_FN in an arena the session keeps). */
static void eval_fn_free(void *data) { (void)data; }

static void eval_fn_repr(const void *data, buf *out)
{
    const ast_node *def = data;
    buf_printf(out, "<fn %s(", def->text);
    for (int i = 0; i < def->n; i++) buf_printf(out, "%s%s", i ? ", " : "", def->items[i]->text);
    buf_puts(out, ")>");
}

int eval_fn_apply(lt_session *s, const ast_node *def, bi_args *a, value *out)
{
    if (a->nkw) return bi_fail(a, a->kw_keys[0], "TypeError", "%s() takes no keyword arguments", def->text);
    if (a->npos != def->n)
        return bi_fail(a, NULL, "TypeError", "%s() takes %d argument%s (%d given)", def->text, def->n,
                       def->n == 1 ? "" : "s", a->npos);
    env *locals = env_new(), *saved = s->locals;
    if (!locals) return eval_oom(s, a->call);
    for (int i = 0; i < def->n; i++) {
        val_incref(a->pos[i]);
        if (env_set(locals, def->items[i]->text, a->pos[i]) < 0) { env_free(locals); return eval_oom(s, a->call); }
    }
    s->locals = locals;
    int st = eval_block(s, def->c);
    s->locals = saved;
    *out = NONE_VAL;
    if (s->returning) {
        s->returning = 0;
        if (st == 0) *out = s->ret; else val_decref(s->ret);
    }
    env_free(locals);
    return st;
}

/* A function value's call, told to the library that hooks calls (registry.h): inside a
 * net's body the call joins the call path that names the layers' parameters. */
static int eval_fn_call(void *data, bi_args *a, value *out)
{
    const registry *r = a->s->reg;
    if (r->enter && r->enter(a->s, a->call) < 0) return -1;
    int st = eval_fn_apply(a->s, data, a, out);
    if (r->leave) r->leave(a->s);
    return st;
}

static const val_type eval_fn_type = {
    .name = "function", .free = eval_fn_free, .repr = eval_fn_repr, .call = eval_fn_call,
};

/* fn NAME(PARAMS) { ... }: binds NAME to a function; the cell's AST is kept. */
static int eval_fn_def(lt_session *s, const ast_node *n)
{
    val_obj *o = val_obj_new(&eval_fn_type, (void *)n);
    if (!o) return eval_oom(s, n);
    s->keep_arena = 1;
    return eval_set_var(s, n, n->text, OBJ_VAL(o));
}

static int eval_return(lt_session *s, const ast_node *n)
{
    value v = NONE_VAL;
    if (!s->locals) return sess_fail(s, n, "SyntaxError", "'return' outside a function");
    if (n->a && eval_expr(s, n->a, &v) < 0) return -1;
    s->ret = v;
    s->returning = 1;
    return 0;
}

/* train, step, log, net: run by the library that registered them (registry.h). */
static int eval_library_stmt(lt_session *s, const ast_node *n)
{
    reg_stmt_fn fn = reg_stmt(s->reg, (int)n->kind);
    if (!fn) return sess_fail(s, n, "SyntaxError", "no library of this session runs this statement");
    return fn(s, n);
}

int eval_stmt(lt_session *s, const ast_node *n)
{
    value v;
    switch (n->kind) {
    case AST_FN: return eval_fn_def(s, n);
    case AST_NET:
        s->keep_arena = 1;   /* the net's body is called in later cells */
        return eval_library_stmt(s, n);
    case AST_RETURN: return eval_return(s, n);
    case AST_TRAIN: case AST_STEP: case AST_LOG: return eval_library_stmt(s, n);
    case AST_ASSIGN: return eval_assign(s, n);
    case AST_UNPACK: return eval_unpack(s, n);
    case AST_SET_INDEX: return eval_set_index(s, n);
    case AST_BLOCK: return eval_block(s, n);
    case AST_IF: return eval_if(s, n);
    case AST_FOR: return n->b ? eval_for_range(s, n) : eval_for_list(s, n);
    default:
        if (eval_expr(s, n, &v) < 0) return -1;
        val_decref(v);
        return 0;
    }
}
