/* bi_base.c: the base library: printing, help, numbers, strings, lists, types, the
 * clock and images, and the docs of the language's own keywords (see bi_base.h). */
#include "bi_base.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval.h"
#include "sess.h"
#include "help_index.h"
#include "pyhint.h"

static int bi_new_str(bi_args *a, const char *s, size_t n, value *out)
{
    val_str *str = val_str_new(s, n);
    if (!str) return bi_fail(a, NULL, "MemoryError", "out of memory");
    *out = STR_VAL(str);
    return 0;
}

/* ---- printing and help ------------------------------------------------- */

/* A keyword that must be a string: its text, or dflt when not given. */
static int bi_kw_str(bi_args *a, const char *name, const char *dflt, const char **text, size_t *len)
{
    const ast_node *at;
    const value *v = bi_kw(a, name, &at);
    if (!v || IS_NONE(*v)) { *text = dflt; *len = strlen(dflt); return 0; }
    if (!IS_STR(*v))
        return bi_fail(a, at, "TypeError", "%s must be a string, not %s", name, val_type_name(*v));
    *text = AS_STR(*v)->chars;
    *len = AS_STR(*v)->len;
    return 0;
}

/* print and eprint: the values, separated by sep, then end, to stdout or stderr. */
static int bi_print_to(bi_args *a, value *out, int to_stderr)
{
    const char *sep, *end;
    size_t sep_len, end_len;
    if (bi_kw_str(a, "sep", " ", &sep, &sep_len) < 0 || bi_kw_str(a, "end", "\n", &end, &end_len) < 0)
        return -1;
    buf b;
    buf_init(&b);
    for (int i = 0; i < a->npos; i++) {
        if (i) buf_add(&b, sep, sep_len);
        val_str_of(a->pos[i], &b);
    }
    buf_add(&b, end, end_len);
    if (!b.oom) (to_stderr ? sess_write_err : sess_write)(a->s, b.data, b.len);
    int oom = b.oom;
    buf_free(&b);
    *out = NONE_VAL;
    return oom ? bi_fail(a, NULL, "MemoryError", "out of memory") : 0;
}

static int bi_print(bi_args *a, value *out) { return bi_print_to(a, out, 0); }
static int bi_eprint(bi_args *a, value *out) { return bi_print_to(a, out, 1); }

static int bi_clear_output(bi_args *a, value *out)
{
    const value *wait = bi_kw(a, "wait", NULL);
    if (a->s->host.clear_output) a->s->host.clear_output(a->s->host.ctx, wait && val_truthy(*wait));
    *out = NONE_VAL;
    return 0;
}

static void bi_help_all(const registry *r, buf *out)
{
    buf_puts(out, "Builtin functions (help(name) tells more about one):\n");
    for (size_t i = 0; reg_at(r, i); i++) buf_printf(out, "    %s\n", reg_at(r, i)->signature);
}

/* The help of every builtin called name (cross_entropy: on distributions and on logits). */
static void bi_help_all_named(const registry *r, const char *name, buf *out)
{
    for (size_t i = 0; reg_at(r, i); i++)
        if (strcmp(reg_at(r, i)->name, name) == 0) {
            if (out->len) buf_putc(out, '\n');
            reg_help_text(reg_at(r, i), out);
        }
}

/* help("name"): a builtin's or a keyword's help, else the builtins about it (help_index.h). */
static int bi_help_named(bi_args *a, const char *name, buf *out)
{
    const char *kw = reg_keyword_doc(a->s->reg, name), *python = py_name(name);
    if (reg_find(a->s->reg, name)) bi_help_all_named(a->s->reg, name, out);
    else if (kw) buf_printf(out, "%s\n    %s\n", name, kw);
    else {
        buf found;
        buf_init(&found);
        const char *near = NULL;
        int n = help_search(a->s->reg, name, &found, 8), close = eval_suggest(a->s, name, EVAL_ANY, &near);
        if (n > 0 || python) {
            buf_printf(out, "no builtin or keyword is called '%s'", name);
            if (python) buf_puts(out, python);
            else if (close) buf_printf(out, "; did you mean '%s'?", near);
            if (n > 0) buf_printf(out, "\nBuiltins about it:\n%s", found.data);
            else buf_putc(out, '\n');
        }
        buf_free(&found);
        if (n > 0 || python) return 0;
        if (close) return bi_fail(a, a->pos_nodes[0], "ValueError", "no help for '%s'; did you mean '%s'?", name, near);
        return bi_fail(a, a->pos_nodes[0], "ValueError", "no help for '%s' (help() lists every builtin)", name);
    }
    return 0;
}

static int bi_help(bi_args *a, value *out)
{
    buf b;
    buf_init(&b);
    int st = 0;
    if (a->npos == 0) bi_help_all(a->s->reg, &b);
    else if (IS_BUILTIN(a->pos[0])) bi_help_all_named(a->s->reg, AS_BUILTIN(a->pos[0])->name, &b);
    else if (IS_STR(a->pos[0])) st = bi_help_named(a, AS_STR(a->pos[0])->chars, &b);
    else {
        buf_printf(&b, "%s %s: ", val_a(a->pos[0]), val_type_name(a->pos[0]));
        val_repr(a->pos[0], &b);
        buf_putc(&b, '\n');
    }
    const value *page = bi_kw(a, "page", NULL);
    if (st == 0 && page && val_truthy(*page) && a->s->host.page && !b.oom)
        a->s->host.page(a->s->host.ctx, b.data);
    else if (st == 0)
        sess_write(a->s, b.data, b.len);
    buf_free(&b);
    *out = NONE_VAL;
    return st;
}

/* ---- numbers ----------------------------------------------------------- */

/* f(x) for the one-argument math builtins; x must be > lo (>= lo if closed). */
static int bi_math(bi_args *a, value *out, double (*f)(double), double lo, int closed, const char *name)
{
    double x = 0;
    char num[32];
    if (bi_num(a, 0, &x) < 0) return -1;
    if (x < lo || (!closed && x == lo)) {
        val_format_num(x, num);
        return bi_fail(a, a->pos_nodes[0], "ValueError", "%s(x) needs x %s %g, got %s",
                       name, closed ? ">=" : ">", lo, num);
    }
    *out = NUM_VAL(f(x));
    return 0;
}

static int bi_abs(bi_args *a, value *out) { return bi_math(a, out, fabs, -INFINITY, 1, "abs"); }
static int bi_sqrt(bi_args *a, value *out) { return bi_math(a, out, sqrt, 0, 1, "sqrt"); }
static int bi_exp(bi_args *a, value *out) { return bi_math(a, out, exp, -INFINITY, 1, "exp"); }
static int bi_log(bi_args *a, value *out) { return bi_math(a, out, log, 0, 0, "log"); }
static int bi_log2(bi_args *a, value *out) { return bi_math(a, out, log2, 0, 0, "log2"); }
static int bi_floor(bi_args *a, value *out) { return bi_math(a, out, floor, -INFINITY, 1, "floor"); }
static int bi_ceil(bi_args *a, value *out) { return bi_math(a, out, ceil, -INFINITY, 1, "ceil"); }

/* round(x, digits=0): halves to even, as Python */
static int bi_round(bi_args *a, value *out)
{
    double x = 0, d = 0;
    const ast_node *at;
    if (bi_num(a, 0, &x) < 0) return -1;
    const value *dv = bi_kw(a, "digits", &at);
    if (dv && (!IS_NUM(*dv) || AS_NUM(*dv) != floor(AS_NUM(*dv)) || fabs(AS_NUM(*dv)) > 300))
        return bi_fail(a, at, "TypeError", "digits must be a whole number");
    if (dv) d = AS_NUM(*dv);
    if (d <= 0 || !isfinite(x)) {
        double m = pow(10, -d);
        *out = NUM_VAL(nearbyint(x / m) * m);
        return 0;
    }
    /* printf rounds the exact binary value, so 2.675 (really 2.67499...) gives 2.67 as in Python */
    char text[700];   /* 309 integer digits, the point, 300 decimals, sign, NUL */
    snprintf(text, sizeof text, "%.*f", (int)d, x);
    *out = NUM_VAL(strtod(text, NULL));
    return 0;
}

/* The values min/max/sum look at: the items of a single list argument, or the
 * positional arguments themselves. */
static void bi_items(const bi_args *a, const value **items, size_t *n)
{
    if (a->npos == 1 && IS_LIST(a->pos[0])) {
        *items = AS_LIST(a->pos[0])->items;
        *n = AS_LIST(a->pos[0])->n;
    } else {
        *items = a->pos;
        *n = (size_t)a->npos;
    }
}

static int bi_extreme(bi_args *a, value *out, int want_max, const char *name)
{
    const value *items;
    size_t n;
    bi_items(a, &items, &n);
    if (n == 0) return bi_fail(a, NULL, "ValueError", "%s() of an empty list", name);
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        if (!IS_NUM(items[i]))
            return bi_fail(a, NULL, "TypeError", "%s() needs numbers, got %s %s", name, val_a(items[i]), val_type_name(items[i]));
        if (want_max ? AS_NUM(items[i]) > AS_NUM(items[best]) : AS_NUM(items[i]) < AS_NUM(items[best]))
            best = i;
    }
    *out = items[best];
    val_incref(*out);
    return 0;
}

static int bi_min(bi_args *a, value *out) { return bi_extreme(a, out, 0, "min"); }
static int bi_max(bi_args *a, value *out) { return bi_extreme(a, out, 1, "max"); }

static int bi_sum(bi_args *a, value *out)
{
    const value *items;
    size_t n;
    bi_items(a, &items, &n);
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!IS_NUM(items[i]))
            return bi_fail(a, NULL, "TypeError", "sum() needs numbers, got %s %s", val_a(items[i]), val_type_name(items[i]));
        total += AS_NUM(items[i]);
    }
    *out = NUM_VAL(total);
    return 0;
}

/* ---- strings, lists, types --------------------------------------------- */

static int bi_len(bi_args *a, value *out)
{
    value v = a->pos[0];
    if (IS_LIST(v)) *out = NUM_VAL((double)AS_LIST(v)->n);
    else if (IS_STR(v)) *out = NUM_VAL((double)val_utf8_count(AS_STR(v)->chars, AS_STR(v)->len));
    else return bi_fail(a, a->pos_nodes[0], "TypeError", "%s %s has no length", val_a(v), val_type_name(v));
    return 0;
}

static int bi_text(bi_args *a, value *out, int repr)
{
    buf b;
    buf_init(&b);
    if (repr) val_repr(a->pos[0], &b);
    else val_str_of(a->pos[0], &b);
    int st = b.oom ? bi_fail(a, NULL, "MemoryError", "out of memory") : bi_new_str(a, b.data, b.len, out);
    buf_free(&b);
    return st;
}

static int bi_str(bi_args *a, value *out) { return bi_text(a, out, 0); }
static int bi_repr(bi_args *a, value *out) { return bi_text(a, out, 1); }

static int bi_type(bi_args *a, value *out)
{
    const char *name = val_type_name(a->pos[0]);
    return bi_new_str(a, name, strlen(name), out);
}

/* clock(): seconds on a monotonic clock, for timing cells and loops */
static int bi_clock(bi_args *a, value *out)
{
    (void)a;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    *out = NUM_VAL((double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec);
    return 0;
}

/* ---- image ------------------------------------------------------------- */

enum { BI_IMAGE_MAX = 64 << 20 };

/* Reads the whole file at path into a malloc'd buffer; errors name the path. */
static int bi_read_file(bi_args *a, const char *path, unsigned char **data, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return bi_fail(a, a->pos_nodes[0], "IOError", "cannot open '%s': %s", path, strerror(errno));
    unsigned char *d = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            unsigned char *nd = cap <= BI_IMAGE_MAX ? realloc(d, cap) : NULL;
            if (!nd) { free(d); fclose(f); return bi_fail(a, a->pos_nodes[0], "ValueError", "'%s' is too large (more than 64 MB)", path); }
            d = nd;
        }
        size_t got = fread(d + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    fclose(f);
    *data = d;
    *n = len;
    return 0;
}

static unsigned bi_be32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

/* The display width asked for with width=, or the image's own. */
static int bi_image_width(bi_args *a, unsigned w, int *width)
{
    const ast_node *at;
    const value *v = bi_kw(a, "width", &at);
    *width = (int)w;
    if (!v || IS_NONE(*v)) return 0;
    if (!IS_NUM(*v) || !(AS_NUM(*v) >= 1 && AS_NUM(*v) <= 100000))   /* NaN fails too */
        return bi_fail(a, at, "ValueError", "width must be a number of pixels from 1 to 100000");
    *width = (int)AS_NUM(*v);
    return 0;
}

static int bi_image(bi_args *a, value *out)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char *data = NULL;
    size_t n = 0;
    if (!IS_STR(a->pos[0]))
        return bi_fail(a, a->pos_nodes[0], "TypeError", "image() needs a file name, not %s %s", val_a(a->pos[0]), val_type_name(a->pos[0]));
    const char *path = AS_STR(a->pos[0])->chars;
    if (bi_read_file(a, path, &data, &n) < 0) return -1;
    unsigned w = n >= 24 ? bi_be32(data + 16) : 0, h = n >= 24 ? bi_be32(data + 20) : 0;
    int width = 0, st = 0;
    if (n < 33 || memcmp(data, sig, 8) != 0 || memcmp(data + 12, "IHDR", 4) != 0)
        st = bi_fail(a, a->pos_nodes[0], "ValueError", "'%s' is not a PNG file", path);
    else if (w == 0 || h == 0 || w > 1000000 || h > 1000000)
        st = bi_fail(a, a->pos_nodes[0], "ValueError", "'%s' has a bad size %ux%u", path, w, h);
    if (st == 0) st = bi_image_width(a, w, &width);
    if (st == 0 && a->s->host.display) {
        char text[512];
        int tn = snprintf(text, sizeof text, "<image %ux%u from %s>", w, h, path);
        lt_mime items[2] = {{"image/png", data, n}, {"text/plain", text, (size_t)tn < sizeof text ? (size_t)tn : sizeof text - 1}};
        int height = (int)((double)h * width / w + 0.5);
        lt_output o = {items, 2, width, height > 0 ? height : 1, NULL};
        a->s->host.display(a->s->host.ctx, &o, 0);
    }
    free(data);
    *out = NONE_VAL;
    return st;
}

/* ---- the table --------------------------------------------------------- */

static const char *const bi_print_kw[] = {"sep", "end", NULL};
static const char *const bi_round_kw[] = {"digits", NULL};
static const char *const bi_help_kw[] = {"page", NULL};
static const char *const bi_clear_kw[] = {"wait", NULL};
static const char *const bi_image_kw[] = {"width", NULL};

static const builtin bi_base_builtins[] = {
    {"print", "print(*values, sep=\" \", end=\"\\n\")",
     "Writes the values (strings as they are, anything else as the cell would show it) "
     "separated by sep and followed by end.",
     "print(\"loss\", 0.25, [1, 2])  # => loss 0.25 [1, 2]\nprint(1, 2, sep=\", \")  # => 1, 2",
     bi_print_kw, 0, -1, bi_print},
    {"eprint", "eprint(*values, sep=\" \", end=\"\\n\")",
     "Like print, but to the error stream (shown on a red background in Jupyter): for warnings.",
     "eprint(\"careful\")  # => stderr: careful", bi_print_kw, 0, -1, bi_eprint},
    {"clear_output", "clear_output(wait=false)",
     "Clears what this cell has shown so far; with wait=true, only when the next output arrives "
     "(no flicker in animations).",
     "clear_output()", bi_clear_kw, 0, 0, bi_clear_output},
    {"help", "help(name, page=false)",
     "Shows the signature, description and an example of a builtin (of each, where several share a name); "
     "help(for) or help(\"for\") explains a keyword; help(\"std\") lists the builtins about a word that names "
     "none; help() lists every builtin. With page=true the text opens in Jupyter's pager instead.",
     "help(abs)\n# => abs(x)\n# =>     The absolute value of x.\n# =>     Example:\n# =>         abs(-3)  # => 3",
     bi_help_kw, 0, 1, bi_help},
    {"len", "len(x)", "The number of items in a list, or of characters in a string.",
     "print(len([1, 2, 3]), len(\"naïve\"))  # => 3 5", NULL, 1, 1, bi_len},
    {"abs", "abs(x)", "The absolute value of x.", "abs(-3)  # => 3", NULL, 1, 1, bi_abs},
    {"sqrt", "sqrt(x)", "The square root of x (x >= 0).", "sqrt(2)  # => 1.4142135623730951",
     NULL, 1, 1, bi_sqrt},
    {"exp", "exp(x)", "e raised to the power x.", "exp(1)  # => 2.718281828459045", NULL, 1, 1, bi_exp},
    {"log", "log(x)", "The natural logarithm of x (x > 0); log2 gives bits.",
     "log(exp(2))  # => 2", NULL, 1, 1, bi_log},
    {"log2", "log2(x)", "The base-2 logarithm of x (x > 0): the information, in bits, of an "
     "event of probability 1/x.", "-log2(0.125)  # => 3", NULL, 1, 1, bi_log2},
    {"floor", "floor(x)", "The largest whole number <= x.", "print(floor(2.7), floor(-2.5))  # => 2 -3",
     NULL, 1, 1, bi_floor},
    {"ceil", "ceil(x)", "The smallest whole number >= x.", "ceil(2.1)  # => 3", NULL, 1, 1, bi_ceil},
    {"round", "round(x, digits=0)", "x rounded to the given number of decimal digits; "
     "halves go to the even neighbour, as in Python.",
     "print(round(2.5), round(3.14159, digits=2))  # => 2 3.14", bi_round_kw, 1, 1, bi_round},
    {"min", "min(a, b, ...) or min(list)", "The smallest of the numbers.",
     "print(min(3, 1, 2), min([0.5, 0.25]))  # => 1 0.25", NULL, 1, -1, bi_min},
    {"max", "max(a, b, ...) or max(list)", "The largest of the numbers.",
     "print(max(3, 1, 2), max([0.5, 0.25]))  # => 3 0.5", NULL, 1, -1, bi_max},
    {"sum", "sum(list)", "The sum of a list of numbers (0 for an empty list).",
     "sum([0.5, 0.25, 0.125, 0.125])  # => 1", NULL, 1, -1, bi_sum},
    {"str", "str(x)", "x as text, as print would write it.",
     "str(0.5) + \"!\"  # => '0.5!'", NULL, 1, 1, bi_str},
    {"repr", "repr(x)", "x as text, as a cell result shows it (strings in quotes).",
     "print(repr(\"hi\"))  # => 'hi'", NULL, 1, 1, bi_repr},
    {"type", "type(x)", "The name of x's type: number, string, bool, none, list, builtin, ...",
     "print(type(1.5), type([]))  # => number list", NULL, 1, 1, bi_type},
    {"clock", "clock()", "Seconds on a monotonic clock (from an arbitrary start): the difference of two calls "
     "times what ran between them.",
     "t0 = clock()\nprint(clock() - t0 >= 0)  # => true", NULL, 0, 0, bi_clock},
    {"image", "image(path, width=none)",
     "Shows the PNG file at path (relative to the notebook's folder), optionally scaled "
     "to width pixels.",
     "image(\"example.png\", width=64)  # => <image 8x8 from example.png>",
     bi_image_kw, 1, 1, bi_image},
    {0},
};

/* ---- keywords ---------------------------------------------------------- */

static const struct { const char *word, *doc; } bi_keywords[] = {
    {"if", "if COND { ... } else if COND { ... } else { ... }: runs the first block whose condition is true."},
    {"else", "The part of an if statement that runs when the condition is false."},
    {"for", "for NAME in A .. B { ... }: runs the block with NAME = A, A+1, ..., B (both ends included; "
            "counts down when A > B). for NAME in LIST { ... } runs it once per item."},
    {"in", "Part of a for loop: for NAME in A .. B { ... }."},
    {"true", "The boolean true."},
    {"false", "The boolean false."},
    {"none", "The absence of a value (what print returns); a cell ending in none shows nothing."},
    {"and", "a and b: a if a is false, else b (b is evaluated only when needed)."},
    {"or", "a or b: a if a is true, else b (b is evaluated only when needed)."},
    {"not", "not a: true if a is false (false, none, 0, \"\" or []), else false."},
    {"fn", "fn NAME(A, B) { ... return EXPR }: defines a function; its parameters and assignments are local."},
    {"return", "return EXPR: ends a function with that value (return alone gives none)."},
};

int lib_open_base(registry *r)
{
    if (reg_open(r, bi_base_builtins) < 0) return -1;
    for (size_t i = 0; i < sizeof bi_keywords / sizeof bi_keywords[0]; i++)
        if (reg_keyword(r, bi_keywords[i].word, bi_keywords[i].doc) < 0) return -1;
    return 0;
}
