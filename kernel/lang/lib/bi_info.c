/* bi_info.c: information theory and Huffman coding in the language: entropy,
 * cross_entropy, kl, kl_mc, surprise, normal, density, huffman, encode, decode,
 * prefix_free, expected_length, kraft (see bi_info.h and share/docs/language.md).
 *
 * Units: a keyword bits=true/false. Quantities of lists (discrete distributions,
 * the Huffman lecture) are in bits unless bits=false; quantities of normals (the VAE
 * lecture) are in nats unless bits=true. The numbers come from core/info/info.c and
 * core/info/huffman.c; this file converts values and words errors. */
#include "bi_info.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "sess.h"

/* ---- helpers ------------------------------------------------------------------ */

/* Records core's last error (lt_errmsg) at `at` and returns -1. */
static int bi_core_fail(bi_args *a, const ast_node *at, lt_status st)
{
    return bi_fail(a, at, lt_status_name(st), "%s", lt_errmsg());
}

/* The unit asked for with bits=, or the default. */
static int bi_unit(bi_args *a, int dflt_bits, info_unit *unit)
{
    int bits;
    if (bi_kw_bool(a, "bits", dflt_bits, &bits) < 0) return -1;
    *unit = bits ? INFO_BITS : INFO_NATS;
    return 0;
}

static int bi_is(value v, const val_type *t) { return IS_OBJ(v) && AS_OBJ(v)->type == t; }

/* Positional argument i as a list of numbers (a distribution, a vector). */
static int bi_vec(bi_args *a, int i, const char *who, bi_nums *v)
{
    if (bi_nums_get(a, a->pos[i], a->pos_nodes[i], who, v) < 0) return -1;
    if (v->ndim == 0) {
        bi_nums_free(v);
        return bi_fail(a, a->pos_nodes[i], "TypeError", "%s() needs a list of probabilities, not a single number", who);
    }
    return 0;
}

/* ---- normal ------------------------------------------------------------------- */

void iv_normal_name(info_normal d, char *out, size_t cap)
{
    char m[32], s[32];
    val_format_num(d.mean, m);
    val_format_num(d.std, s);
    snprintf(out, cap, "normal(%s, %s)", m, s);
}

static void bi_normal_repr(const void *data, buf *out)
{
    char name[80];
    iv_normal_name(*(const info_normal *)data, name, sizeof name);
    buf_puts(out, name);
}

const val_type iv_normal_type = {.name = "normal", .free = free, .repr = bi_normal_repr};

static int bi_new_obj(bi_args *a, const val_type *t, void *data, value *out)
{
    if (!data) return bi_fail(a, NULL, "MemoryError", "out of memory");
    val_obj *o = val_obj_new(t, data);
    if (!o) return bi_fail(a, NULL, "MemoryError", "out of memory");
    *out = OBJ_VAL(o);
    return 0;
}

/* normal(mu=0, sigma=1) */
static int bi_normal(bi_args *a, value *out)
{
    info_normal d = {0, 1};
    if (a->npos > 0 && bi_num(a, 0, &d.mean) < 0) return -1;
    if (a->npos > 1 && bi_num(a, 1, &d.std) < 0) return -1;
    if (!isfinite(d.mean)) return bi_fail(a, a->pos_nodes[0], "ValueError", "normal(mu, sigma) needs a finite mu");
    if (!(d.std > 0) || !isfinite(d.std)) {
        char num[32];
        val_format_num(d.std, num);
        return bi_fail(a, a->pos_nodes[1], "ValueError", "normal(mu, sigma) needs a standard deviation sigma > 0, got %s", num);
    }
    info_normal *p = malloc(sizeof *p);
    if (p) *p = d;
    return bi_new_obj(a, &iv_normal_type, p, out);
}

/* ---- density ------------------------------------------------------------------ */

static void bi_density_repr(const void *data, buf *out)
{
    const iv_density *d = data;
    char name[80];
    buf_puts(out, "density(");
    for (int i = 0; i < d->n; i++) {
        iv_normal_name(d->d[i], name, sizeof name);
        buf_printf(out, "%s%s", i ? ", " : "", name);
    }
    buf_puts(out, ")");
}

const val_type iv_density_type = {.name = "density", .free = free, .repr = bi_density_repr};

/* density(normal, ...) */
static int bi_density_new(bi_args *a, value *out)
{
    if (a->npos > IV_DENSITY_MAX)
        return bi_fail(a, NULL, "ValueError", "density() draws at most %d normals, got %d", IV_DENSITY_MAX, a->npos);
    iv_density *d = calloc(1, sizeof *d);
    if (!d) return bi_fail(a, NULL, "MemoryError", "out of memory");
    for (int i = 0; i < a->npos; i++) {
        if (!bi_is(a->pos[i], &iv_normal_type)) {
            free(d);
            return bi_fail(a, a->pos_nodes[i], "TypeError", "density() needs normals such as normal(0, 1), not %s %s",
                           val_a(a->pos[i]), val_type_name(a->pos[i]));
        }
        d->d[d->n++] = *(const info_normal *)AS_OBJ(a->pos[i])->data;
    }
    return bi_new_obj(a, &iv_density_type, d, out);
}

/* ---- entropy, cross-entropy, KL, surprise ------------------------------------- */

static int bi_entropy(bi_args *a, value *out)
{
    info_unit unit;
    double h = 0;
    lt_status st;
    value v = a->pos[0];
    if (bi_is(v, &iv_code_type)) {
        if (bi_unit(a, 1, &unit) < 0) return -1;
        h = huff_entropy(((const iv_code *)AS_OBJ(v)->data)->code);
        *out = NUM_VAL(unit == INFO_BITS ? h : h * log(2));
        return 0;
    }
    if (bi_is(v, &iv_normal_type)) {
        if (bi_unit(a, 0, &unit) < 0) return -1;
        st = info_normal_entropy(*(const info_normal *)AS_OBJ(v)->data, unit, &h);
    } else {
        bi_nums p;
        if (bi_unit(a, 1, &unit) < 0 || bi_vec(a, 0, "entropy", &p) < 0) return -1;
        st = info_entropy(p.x, p.n, unit, &h);
        bi_nums_free(&p);
    }
    if (st != LT_OK) return bi_core_fail(a, a->pos_nodes[0], st);
    *out = NUM_VAL(h);
    return 0;
}

/* cross_entropy(p, q) and kl(p, q) of two lists. */
static int bi_pair(bi_args *a, value *out, int is_kl)
{
    const char *who = is_kl ? "kl" : "cross_entropy";
    info_unit unit;
    bi_nums p, q;
    double r = 0;
    if (bi_unit(a, 1, &unit) < 0 || bi_vec(a, 0, who, &p) < 0) return -1;
    if (bi_vec(a, 1, who, &q) < 0) { bi_nums_free(&p); return -1; }
    lt_status st = is_kl ? info_kl(p.x, p.n, q.x, q.n, unit, &r)
                         : info_cross_entropy(p.x, p.n, q.x, q.n, unit, &r);
    bi_nums_free(&p);
    bi_nums_free(&q);
    if (st != LT_OK)   /* lt_errarg: 0 p, 1 q, -1 their lengths differ */
        return bi_core_fail(a, lt_errarg() < 0 ? NULL : a->pos_nodes[lt_errarg() == 1], st);
    *out = NUM_VAL(r);
    return 0;
}

static int bi_cross_entropy(bi_args *a, value *out) { return bi_pair(a, out, 0); }

static int bi_kl(bi_args *a, value *out)
{
    int np = bi_is(a->pos[0], &iv_normal_type), nq = bi_is(a->pos[1], &iv_normal_type);
    if (!np && !nq) return bi_pair(a, out, 1);
    if (!np || !nq)
        return bi_fail(a, a->pos_nodes[np ? 1 : 0], "TypeError",
                       "kl() needs two normals or two lists, not a normal and %s %s", val_a(a->pos[np ? 1 : 0]), val_type_name(a->pos[np ? 1 : 0]));
    info_unit unit;
    double r = 0;
    if (bi_unit(a, 0, &unit) < 0) return -1;
    lt_status st = info_kl_normal(*(const info_normal *)AS_OBJ(a->pos[0])->data,
                                  *(const info_normal *)AS_OBJ(a->pos[1])->data, unit, &r);
    if (st != LT_OK) return bi_core_fail(a, NULL, st);
    *out = NUM_VAL(r);
    return 0;
}

/* kl_mc(p, q, n=10000, seed=0, bits=false) */
static int bi_kl_mc(bi_args *a, value *out)
{
    for (int i = 0; i < 2; i++)
        if (!bi_is(a->pos[i], &iv_normal_type))
            return bi_fail(a, a->pos_nodes[i], "TypeError", "kl_mc() needs two normals, not %s %s", val_a(a->pos[i]), val_type_name(a->pos[i]));
    info_unit unit;
    long n, seed;
    if (bi_unit(a, 0, &unit) < 0 || bi_kw_int(a, "n", 10000, 2, 10000000, &n) < 0 ||
        bi_kw_int(a, "seed", 0, 0, 4294967295L, &seed) < 0)
        return -1;
    rng r;
    rng_seed(&r, (uint64_t)seed);
    double est = 0;
    lt_status st = info_kl_normal_mc(*(const info_normal *)AS_OBJ(a->pos[0])->data,
                                     *(const info_normal *)AS_OBJ(a->pos[1])->data, (size_t)n, &r, unit, &est, NULL);
    if (st != LT_OK) return bi_core_fail(a, NULL, st);
    *out = NUM_VAL(est);
    return 0;
}

/* surprise(p): -log p of a probability, or of each probability in a list */
static int bi_surprise(bi_args *a, value *out)
{
    info_unit unit;
    bi_nums p;
    if (bi_unit(a, 1, &unit) < 0 || bi_nums_get(a, a->pos[0], a->pos_nodes[0], "surprise", &p) < 0) return -1;
    for (size_t i = 0; i < p.n; i++) {
        lt_status st = info_surprise(p.x[i], unit, &p.x[i]);
        if (st != LT_OK) { bi_nums_free(&p); return bi_core_fail(a, a->pos_nodes[0], st); }
    }
    int rc = 0;
    if (p.ndim == 0) *out = NUM_VAL(p.x[0]);
    else rc = bi_list_of(a, p.x, p.n, out);
    bi_nums_free(&p);
    return rc;
}

/* ---- the Huffman code value --------------------------------------------------- */

static void bi_code_free(void *data)
{
    iv_code *c = data;
    huff_free(c->code);
    free(c->html);
    free(c->text);
    free(c);
}

/* A symbol as a table shows it: blanks made visible. */
static void bi_sym_text(const char *s, buf *out)
{
    if (strcmp(s, " ") == 0) buf_puts(out, "\xe2\x90\xa3");        /* ␣ */
    else if (strcmp(s, "\n") == 0) buf_puts(out, "\xe2\x86\xb5");  /* ↵ */
    else if (strcmp(s, "\t") == 0) buf_puts(out, "\xe2\x87\xa5");  /* ⇥ */
    else buf_puts(out, s);
}

/* Row order for display: most probable first, ties in input order (a stable
 * insertion sort of the indices; codes have at most a few thousand symbols).
 * Returns a malloc'd array of c->nsym indices, or NULL. */
static int *bi_code_order(const huff_code *c)
{
    int *order = malloc((size_t)c->nsym * sizeof *order);
    if (!order) return NULL;
    for (int i = 0; i < c->nsym; i++) {
        int j = i;
        for (; j > 0 && c->syms[order[j - 1]].weight < c->syms[i].weight; j--) order[j] = order[j - 1];
        order[j] = i;
    }
    return order;
}

static void bi_fmt(double x, char out[32])
{
    char t[32];
    snprintf(t, sizeof t, "%.4g", x);
    val_format_num(strtod(t, NULL), out);
}

/* The cells of row r (or the header for r < 0): symbol, [count,] probability,
 * codeword, length, -log2 p. */
enum { BI_COLS = 6 };
static int bi_code_cells(const iv_code *bc, int r, buf cells[BI_COLS])
{
    static const char *const head[BI_COLS] = {"symbol", "count", "probability", "codeword", "length", "-log2 p"};
    int k = 0;
    for (int j = 0; j < BI_COLS; j++) {
        if (j == 1 && !bc->from_text) continue;
        buf *b = &cells[k++];
        b->len = 0;
        if (r < 0) { buf_puts(b, head[j]); continue; }
        const huff_entry *e = &bc->code->syms[r];
        char num[32];
        switch (j) {
        case 0: bi_sym_text(e->symbol, b); break;
        case 1: val_format_num(e->weight, num); buf_puts(b, num); break;
        case 2: bi_fmt(e->prob, num); buf_puts(b, num); break;
        case 3: buf_puts(b, e->codeword); break;
        case 4: buf_printf(b, "%d", e->length); break;
        default: bi_fmt(e->surprise, num); buf_puts(b, num); break;
        }
    }
    return k;
}

static void bi_code_summary(const huff_code *c, buf *out)
{
    char el[32], h[32];
    double len = huff_expected_length(c), ent = huff_entropy(c);
    bi_fmt(len, el);
    bi_fmt(ent, h);
    buf_printf(out, "expected length %s bits/symbol, entropy %s bits", el, h);
    if (ent > 0 && len - ent > 1e-12) buf_printf(out, " (%.1f%% more)", 100 * (len - ent) / ent);
}

static void bi_code_repr(const void *data, buf *out)
{
    const iv_code *bc = data;
    const huff_code *c = bc->code;
    buf cells[BI_COLS];
    size_t width[BI_COLS] = {0};
    int *order = bi_code_order(c), ncol = 0;
    for (int j = 0; j < BI_COLS; j++) buf_init(&cells[j]);
    if (!order) { buf_puts(out, "<huffman code>"); return; }
    for (int r = -1; r < c->nsym; r++) {
        ncol = bi_code_cells(bc, r < 0 ? -1 : order[r], cells);
        for (int j = 0; j < ncol; j++) {
            size_t w = val_utf8_count(cells[j].data, cells[j].len);
            if (w > width[j]) width[j] = w;
        }
    }
    for (int r = -1; r < c->nsym; r++) {
        ncol = bi_code_cells(bc, r < 0 ? -1 : order[r], cells);
        for (int j = 0; j < ncol; j++) {
            size_t w = val_utf8_count(cells[j].data, cells[j].len);
            buf_add(out, cells[j].data, cells[j].len);
            if (j < ncol - 1) buf_printf(out, "%*s", (int)(width[j] - w + 2), "");
        }
        buf_putc(out, '\n');
    }
    bi_code_summary(c, out);
    for (int j = 0; j < BI_COLS; j++) buf_free(&cells[j]);
    free(order);
}

static void bi_html_escape(const char *s, size_t n, buf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '<') buf_puts(out, "&lt;");
        else if (s[i] == '>') buf_puts(out, "&gt;");
        else if (s[i] == '&') buf_puts(out, "&amp;");
        else buf_putc(out, s[i]);
    }
}

static void bi_code_html(const iv_code *bc, buf *out)
{
    const huff_code *c = bc->code;
    buf cells[BI_COLS];
    int *order = bi_code_order(c);
    for (int j = 0; j < BI_COLS; j++) buf_init(&cells[j]);
    buf_puts(out, "<table>\n");
    for (int r = -1; order && r < c->nsym; r++) {
        int ncol = bi_code_cells(bc, r < 0 ? -1 : order[r], cells);
        buf_puts(out, "<tr>");
        for (int j = 0; j < ncol; j++) {
            buf_puts(out, r < 0 ? "<th>" : j == 0 || j == (bc->from_text ? 3 : 2) ? "<td style=\"text-align:left\"><code>" : "<td>");
            bi_html_escape(cells[j].data, cells[j].len, out);
            buf_puts(out, r < 0 ? "</th>" : j == 0 || j == (bc->from_text ? 3 : 2) ? "</code></td>" : "</td>");
        }
        buf_puts(out, "</tr>\n");
    }
    buf_puts(out, "</table>\n<p>");
    bi_code_summary(c, out);
    buf_puts(out, "</p>\n");
    for (int j = 0; j < BI_COLS; j++) buf_free(&cells[j]);
    free(order);
}

static int bi_code_to_mime(void *data, lt_output *out)
{
    static lt_mime items[2];
    iv_code *bc = data;
    buf h, t;
    buf_init(&h);
    buf_init(&t);
    bi_code_html(bc, &h);
    bi_code_repr(bc, &t);
    if (h.oom || t.oom) { buf_free(&h); buf_free(&t); return -1; }
    free(bc->html);
    free(bc->text);
    bc->html = h.data;   /* the buffers' bytes are now the object's */
    bc->text = t.data;
    items[0] = (lt_mime){"text/html", bc->html, h.len};
    items[1] = (lt_mime){"text/plain", bc->text, t.len};
    out->items = items;
    out->n_items = 2;
    out->width = out->height = 0;
    out->display_id = NULL;
    return 0;
}

/* The codewords' lengths, as to_floats gives them (for bar(code)). */
static float *bi_code_floats(void *data, size_t *n, int shape[4], int *ndim)
{
    const huff_code *c = ((const iv_code *)data)->code;
    float *f = malloc((size_t)c->nsym * sizeof *f);
    if (!f) return NULL;
    for (int i = 0; i < c->nsym; i++) f[i] = (float)c->syms[i].length;
    *n = (size_t)c->nsym;
    shape[0] = c->nsym;
    *ndim = 1;
    return f;
}

const val_type iv_code_type = {.name = "huffman", .free = bi_code_free, .repr = bi_code_repr,
                               .to_mime = bi_code_to_mime, .to_floats = bi_code_floats};

static int bi_wrap_code(bi_args *a, huff_code *c, int from_text, const ast_node *at, value *out)
{
    if (!c) return bi_fail(a, at, "ValueError", "%s", lt_errmsg());
    iv_code *bc = calloc(1, sizeof *bc);
    if (!bc) { huff_free(c); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
    bc->code = c;
    bc->from_text = from_text;
    return bi_new_obj(a, &iv_code_type, bc, out);
}

/* huffman(symbols, weights): two lists */
static int bi_huffman_lists(bi_args *a, value *out)
{
    if (!IS_LIST(a->pos[0]))
        return bi_fail(a, a->pos_nodes[0], "TypeError", "huffman() needs a text, a list of symbols and a list of weights, "
                       "or symbol=weight keywords, not %s %s", val_a(a->pos[0]), val_type_name(a->pos[0]));
    val_list *s = AS_LIST(a->pos[0]);
    bi_nums w;
    if (bi_vec(a, 1, "huffman", &w) < 0) return -1;
    if (w.n != s->n) {
        size_t nw = w.n;
        bi_nums_free(&w);
        return bi_fail(a, NULL, "ValueError", "huffman(): %zu symbols but %zu weights", s->n, nw);
    }
    const char **names = malloc((s->n ? s->n : 1) * sizeof *names);
    if (!names) { bi_nums_free(&w); return bi_fail(a, NULL, "MemoryError", "out of memory"); }
    for (size_t i = 0; i < s->n; i++) {
        if (!IS_STR(s->items[i])) {
            free(names); bi_nums_free(&w);
            return bi_fail(a, a->pos_nodes[0], "TypeError", "huffman(): symbol %zu is %s %s, not a string", i, val_a(s->items[i]), val_type_name(s->items[i]));
        }
        names[i] = AS_STR(s->items[i])->chars;
    }
    huff_code *c = huff_new(names, w.x, (int)s->n);
    free(names);
    bi_nums_free(&w);
    return bi_wrap_code(a, c, 0, NULL, out);
}

/* huffman(F=0.5, C=0.25, ...), huffman("text") or huffman(symbols, weights) */
static int bi_huffman(bi_args *a, value *out)
{
    if (a->npos == 2) {
        if (a->nkw) return bi_fail(a, a->kw_keys[0], "TypeError", "huffman() takes symbols as keywords or as two lists, not both");
        return bi_huffman_lists(a, out);
    }
    if (a->npos == 1) {
        if (a->nkw) return bi_fail(a, a->kw_keys[0], "TypeError", "huffman() takes a text or symbol=weight keywords, not both");
        if (!IS_STR(a->pos[0]))
            return bi_fail(a, a->pos_nodes[0], "TypeError", "huffman() needs a text (a string) or symbol=weight keywords, not %s %s",
                           val_a(a->pos[0]), val_type_name(a->pos[0]));
        return bi_wrap_code(a, huff_from_text(AS_STR(a->pos[0])->chars), 1, a->pos_nodes[0], out);
    }
    if (a->nkw == 0)
        return bi_fail(a, NULL, "TypeError", "huffman() needs symbols with their probabilities, e.g. huffman(F=0.5, C=0.5), or a text");
    const char *names[256];
    double w[256];
    if (a->nkw > 256) return bi_fail(a, NULL, "ValueError", "huffman() takes at most 256 keyword symbols");
    for (int i = 0; i < a->nkw; i++) {
        if (!IS_NUM(a->kw[i]))
            return bi_fail(a, a->kw_keys[i], "TypeError", "huffman(): the weight of %s must be a number, not %s %s",
                           a->kw_keys[i]->text, val_a(a->kw[i]), val_type_name(a->kw[i]));
        names[i] = a->kw_keys[i]->text;
        w[i] = AS_NUM(a->kw[i]);
    }
    huff_code *c = huff_new(names, w, a->nkw);
    int bad = c ? -1 : lt_errarg();   /* the symbol at fault, or -1 */
    return bi_wrap_code(a, c, 0, bad >= 0 && bad < a->nkw ? a->kw_keys[bad] : NULL, out);
}

static int bi_code_arg(bi_args *a, int i, const char *who, const huff_code **c)
{
    if (!bi_is(a->pos[i], &iv_code_type))
        return bi_fail(a, a->pos_nodes[i], "TypeError", "%s() needs a Huffman code (from huffman(...)), not %s %s", who,
                       val_a(a->pos[i]), val_type_name(a->pos[i]));
    *c = ((const iv_code *)AS_OBJ(a->pos[i])->data)->code;
    return 0;
}

static int bi_str_arg(bi_args *a, int i, const char *who, const char **s)
{
    if (!IS_STR(a->pos[i]))
        return bi_fail(a, a->pos_nodes[i], "TypeError", "%s() needs a string, not %s %s", who, val_a(a->pos[i]), val_type_name(a->pos[i]));
    *s = AS_STR(a->pos[i])->chars;
    return 0;
}

/* encode(code, text) and decode(code, bits) */
static int bi_coding(bi_args *a, value *out, int dec)
{
    const char *who = dec ? "decode" : "encode";
    const huff_code *c = NULL;
    const char *s = NULL;
    char *r = NULL;
    if (bi_code_arg(a, 0, who, &c) < 0 || bi_str_arg(a, 1, who, &s) < 0) return -1;
    lt_status st = dec ? huff_decode(c, s, &r) : huff_encode(c, s, &r);
    if (st != LT_OK) return bi_core_fail(a, a->pos_nodes[1], st);
    int rc = bi_str_of(a, r, strlen(r), out);
    free(r);
    return rc;
}

static int bi_encode(bi_args *a, value *out) { return bi_coding(a, out, 0); }
static int bi_decode(bi_args *a, value *out) { return bi_coding(a, out, 1); }

/* ---- any set of codewords ------------------------------------------------------ */

/* Positional argument i as a list of codeword strings (borrowed into *words). */
static int bi_words(bi_args *a, int i, const char *who, const char ***words, int *n)
{
    value v = a->pos[i];
    if (!IS_LIST(v))
        return bi_fail(a, a->pos_nodes[i], "TypeError", "%s() needs a list of codewords such as [\"0\", \"10\"], not %s %s",
                       who, val_a(v), val_type_name(v));
    val_list *l = AS_LIST(v);
    *words = malloc((l->n ? l->n : 1) * sizeof **words);
    if (!*words) return bi_fail(a, NULL, "MemoryError", "out of memory");
    for (size_t k = 0; k < l->n; k++) {
        if (!IS_STR(l->items[k])) {
            free(*words);
            return bi_fail(a, a->pos_nodes[i], "TypeError", "%s(): codeword %zu is %s %s, not a string of 0s and 1s",
                           who, k, val_a(l->items[k]), val_type_name(l->items[k]));
        }
        (*words)[k] = AS_STR(l->items[k])->chars;
    }
    *n = (int)l->n;
    return 0;
}

/* prefix_free(words): true, or false after writing which codeword is a prefix of which */
static int bi_prefix_free(bi_args *a, value *out)
{
    const char **w;
    int n, is_free = 0, pre = 0, lon = 0;
    if (bi_words(a, 0, "prefix_free", &w, &n) < 0) return -1;
    lt_status st = huff_prefix_free(w, n, &is_free, &pre, &lon);
    if (st == LT_OK && !is_free) {
        buf b;
        buf_init(&b);
        buf_printf(&b, "\"%s\" is a prefix of \"%s\"\n", w[pre], w[lon]);
        sess_write(a->s, b.data, b.len);
        buf_free(&b);
    }
    free(w);
    if (st != LT_OK) return bi_core_fail(a, a->pos_nodes[0], st);
    *out = BOOL_VAL(is_free);
    return 0;
}

/* expected_length(words, p) or expected_length(code) */
static int bi_expected_length(bi_args *a, value *out)
{
    const huff_code *c = NULL;
    if (a->npos == 1) {
        if (bi_code_arg(a, 0, "expected_length", &c) < 0) return -1;
        *out = NUM_VAL(huff_expected_length(c));
        return 0;
    }
    const char **w;
    int n;
    bi_nums p;
    double r = 0;
    if (bi_words(a, 0, "expected_length", &w, &n) < 0) return -1;
    if (bi_vec(a, 1, "expected_length", &p) < 0) { free(w); return -1; }
    lt_status st = huff_words_expected_length(w, n, p.x, (int)p.n, &r);
    free(w);
    bi_nums_free(&p);
    if (st != LT_OK)   /* point at p when the failure is about p (lt_errarg 1) */
        return bi_core_fail(a, a->pos_nodes[lt_errarg() == 1], st);
    *out = NUM_VAL(r);
    return 0;
}

/* kraft(words) or kraft(code): sum 2^-length */
static int bi_kraft(bi_args *a, value *out)
{
    if (bi_is(a->pos[0], &iv_code_type)) {
        *out = NUM_VAL(huff_kraft(((const iv_code *)AS_OBJ(a->pos[0])->data)->code));
        return 0;
    }
    const char **w;
    int n;
    double r = 0;
    if (bi_words(a, 0, "kraft", &w, &n) < 0) return -1;
    lt_status st = huff_words_kraft(w, n, &r);
    free(w);
    if (st != LT_OK) return bi_core_fail(a, a->pos_nodes[0], st);
    *out = NUM_VAL(r);
    return 0;
}

/* ---- the table ------------------------------------------------------------------ */

static const char *const bi_bits_kw[] = {"bits", NULL};
static const char *const bi_mc_kw[] = {"n", "seed", "bits", NULL};

static const builtin bi_info_builtins[] = {
    {"entropy", "entropy(p, bits=true)",
     "The entropy H(p) = -sum p log2 p of a distribution (a list of probabilities summing to 1): the "
     "smallest possible expected code length, in bits (bits=false: nats). entropy(normal(mu, sigma)) is the "
     "differential entropy, in nats unless bits=true; entropy(code) is the entropy of a Huffman code's probabilities.",
     "entropy([0.5, 0.25, 0.125, 0.125])  # => 1.75", bi_bits_kw, 1, 1, bi_entropy},
    {"cross_entropy", "cross_entropy(p, q, bits=true)",
     "The cross-entropy H(p, q) = -sum p log2 q: the expected length when messages from the true "
     "distribution p are coded with the code that is best for q (the slides' H_q(p), H(p||q)). Infinite "
     "when q gives 0 to something p can produce.",
     "cross_entropy([1, 0, 0, 0], [0.5, 0.25, 0.125, 0.125])  # => 1", bi_bits_kw, 2, 2, bi_cross_entropy},
    {"kl", "kl(p, q, bits=...)",
     "The KL divergence KL(p||q) = H(p, q) - H(p) >= 0: what coding p with q's code costs on top of the "
     "entropy. Of two lists in bits (bits=false: nats); of two normals, the closed form "
     "log(s2/s1) + (s1^2 + (m1-m2)^2)/(2 s2^2) - 1/2 in nats (bits=true: bits).",
     "print(kl([0.5, 0.5], [0.75, 0.25]), kl(normal(0, 1), normal(1, 2)))  # => 0.20751874963942185 0.4431471805599453",
     bi_bits_kw, 2, 2, bi_kl},
    {"kl_mc", "kl_mc(p, q, n=10000, seed=0, bits=false)",
     "A Monte Carlo estimate of KL(p||q) for two normals: the mean of log p(x) - log q(x) over n draws "
     "x ~ p (seeded, so the same call gives the same number). Its error shrinks like 1/sqrt(n).",
     "abs(kl_mc(normal(0, 1), normal(1, 2), n=100000) - kl(normal(0, 1), normal(1, 2))) < 0.02  # => true", bi_mc_kw, 2, 2, bi_kl_mc},
    {"surprise", "surprise(p, bits=true)",
     "The surprise (information) -log2 p of an event of probability p, in bits; of each "
     "probability when p is a list. Rare events are surprising: 1/8 gives 3 bits.",
     "surprise([0.5, 0.25, 0.125])  # => [1, 2, 3]", bi_bits_kw, 1, 1, bi_surprise},
    {"normal", "normal(mu=0, sigma=1)",
     "The normal (Gaussian) distribution N(mu, sigma^2), sigma the standard deviation (> 0). "
     "For kl, kl_mc, entropy and density.",
     "normal(1, 2)  # => normal(1, 2)", NULL, 0, 2, bi_normal},
    {"density", "density(normal, ...)",
     "Normal distributions to draw as density curves: plot(density(normal(0, 1), normal(1, 2))).",
     "density(normal(0, 1), normal(1, 2))  # => density(normal(0, 1), normal(1, 2))", NULL, 1, IV_DENSITY_MAX,
     bi_density_new},
    {"huffman", "huffman(F=0.5, C=0.25, ...) or huffman(text) or huffman(symbols, weights)",
     "The Huffman code of symbols given as keywords with their probabilities (or any positive weights), of "
     "the characters of a text (weighted by their counts), or of a list of symbols and a list of weights. "
     "Shown as a table of symbol, probability, codeword, length and -log2 p, with the expected length "
     "next to the entropy. Ties break by input order, so F=0.5 C=0.25 R=0.125 S=0.125 gives F=0 C=10 R=110 S=111.",
     "encode(huffman(F=0.5, C=0.25, R=0.125, S=0.125), \"FCRS\")  # => '010110111'", reg_any_keywords, 0, 2, bi_huffman},
    {"encode", "encode(code, text)",
     "The text coded with a Huffman code, as a string of 0s and 1s.",
     "encode(huffman(\"abracadabra\"), \"abba\")  # => '01101100'", NULL, 2, 2, bi_encode},
    {"decode", "decode(code, bits)",
     "The text that a string of 0s and 1s codes for; an error if the bits end inside a codeword.",
     "decode(huffman(F=0.5, C=0.25, R=0.125, S=0.125), \"010110111\")  # => 'FCRS'", NULL, 2, 2, bi_decode},
    {"prefix_free", "prefix_free(codewords)",
     "Whether no codeword is a prefix of another, so that a message decodes one way only. When not, "
     "says which codeword is a prefix of which.",
     "prefix_free([\"0\", \"1\", \"10\", \"11\"])\n# => \"1\" is a prefix of \"10\"\n# => false", NULL, 1, 1, bi_prefix_free},
    {"expected_length", "expected_length(codewords, p) or expected_length(code)",
     "The expected codeword length sum p_i len(codeword_i), in bits per symbol, of a prefix-free code "
     "used on the distribution p (an error if the code is not prefix-free), or of a Huffman code.",
     "expected_length([\"10\", \"110\", \"0\", \"111\"], [0.5, 0.25, 0.125, 0.125])  # => 2.25", NULL, 1, 2,
     bi_expected_length},
    {"kraft", "kraft(codewords) or kraft(code)",
     "The Kraft sum sum 2^-len(codeword): at most 1 for every prefix-free code; above 1 proves "
     "that no prefix-free code has these lengths.",
     "kraft([\"0\", \"1\", \"10\", \"11\"])  # => 1.5", NULL, 1, 1, bi_kraft},
    {0},
};

int lib_open_info(registry *r)
{
    return reg_open(r, bi_info_builtins);
}
