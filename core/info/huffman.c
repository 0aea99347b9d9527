/* huffman.c: Huffman codes and checks of given codes (see huffman.h). */
#include "huffman.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "info.h"

/* ---- UTF-8 -------------------------------------------------------------------------- */

/* The byte length of the well-formed code point at s (1..4), or 0 if s[0] is NUL or the
 * bytes there are not UTF-8 (stray continuation, overlong form, surrogate, > U+10FFFF). */
static int utf8_len(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    if (s[0] == 0) return 0;
    if (s[0] < 0x80) return 1;
    int n;
    uint32_t cp;
    if ((s[0] & 0xE0) == 0xC0) { n = 2; cp = s[0] & 0x1F; }
    else if ((s[0] & 0xF0) == 0xE0) { n = 3; cp = s[0] & 0x0F; }
    else if ((s[0] & 0xF8) == 0xF0) { n = 4; cp = s[0] & 0x07; }
    else return 0;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

/* The number of code points in s, or -1 with *bad set to the byte offset of the first
 * malformed one. */
static long utf8_count(const char *s, size_t *bad)
{
    long n = 0;
    for (size_t i = 0; s[i]; n++) {
        int k = utf8_len(s + i);
        if (!k) { *bad = i; return -1; }
        i += (size_t)k;
    }
    return n;
}

/* ---- a small string set: open addressing over views into caller-owned strings -------- */

typedef struct strview { const char *s; size_t len; } strview;

typedef struct strtab {
    int *slot;            /* index into keys, or -1 */
    size_t mask;          /* capacity - 1, capacity a power of two >= 2 * max keys */
    const strview *keys;  /* borrowed */
} strtab;

/* an empty table for up to nkeys keys; t->keys is set by the caller */
static int strtab_init(strtab *t, size_t nkeys)
{
    size_t cap = 16;
    while (cap < 2 * nkeys) cap *= 2;
    t->slot = malloc(cap * sizeof *t->slot);
    if (!t->slot) return 0;
    for (size_t i = 0; i < cap; i++) t->slot[i] = -1;
    t->mask = cap - 1;
    return 1;
}

/* The slot holding the key (s, len), or the empty slot where it would go (*slot == -1). */
static int *strtab_slot(const strtab *t, const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;          /* FNV-1a */
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    for (size_t i = (size_t)h & t->mask;; i = (i + 1) & t->mask) {
        int k = t->slot[i];
        if (k < 0 || (t->keys[k].len == len && memcmp(t->keys[k].s, s, len) == 0))
            return &t->slot[i];
    }
}

/* ---- building ---------------------------------------------------------------------- */

/* heap order: lighter first; among exactly equal weights, the earlier-created node */
static int node_before(const huff_node *nodes, int a, int b)
{
    if (nodes[a].weight != nodes[b].weight) return nodes[a].weight < nodes[b].weight;
    return a < b;
}

static void heap_push(int *heap, int *len, const huff_node *nodes, int x)
{
    int i = (*len)++;
    while (i > 0 && node_before(nodes, x, heap[(i - 1) / 2])) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = x;
}

static int heap_pop(int *heap, int *len, const huff_node *nodes)
{
    int top = heap[0], x = heap[--*len], i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= *len) break;
        if (c + 1 < *len && node_before(nodes, heap[c + 1], heap[c])) c++;
        if (!node_before(nodes, heap[c], x)) break;
        heap[i] = heap[c];
        i = c;
    }
    heap[i] = x;
    return top;
}

static int new_parent(huff_code *c, int at, int zero, int one)
{
    huff_node *p = &c->nodes[at];
    p->child[0] = zero;
    p->child[1] = one;
    p->parent = -1;
    p->symbol = -1;
    p->weight = c->nodes[zero].weight + (one >= 0 ? c->nodes[one].weight : 0);
    c->nodes[zero].parent = at;
    if (one >= 0) c->nodes[one].parent = at;
    return at;
}

/* merges the leaves into the tree by the tie rule of huffman.h */
static int build_tree(huff_code *c)
{
    int n = c->nsym, len = 0, next = n;
    if (n == 1) { c->root = new_parent(c, 1, 0, -1); return 1; }
    int *heap = malloc((size_t)n * sizeof *heap);
    if (!heap) return 0;
    for (int i = 0; i < n; i++) heap_push(heap, &len, c->nodes, i);
    while (len > 1) {
        int a = heap_pop(heap, &len, c->nodes);
        int b = heap_pop(heap, &len, c->nodes);
        heap_push(heap, &len, c->nodes, new_parent(c, next++, a, b));
    }
    c->root = heap[0];
    free(heap);
    return 1;
}

/* depths, probabilities and codewords, from the finished tree */
static int fill_codewords(huff_code *c)
{
    for (int i = c->nnode - 1; i >= 0; i--) {      /* parents come after their children */
        huff_node *nd = &c->nodes[i];
        nd->depth = nd->parent < 0 ? 0 : c->nodes[nd->parent].depth + 1;
        nd->prob = nd->weight / c->total;
    }
    c->nodes[c->root].prob = 1.0;
    for (int s = 0; s < c->nsym; s++) {
        huff_entry *e = &c->syms[s];
        int len = c->nodes[s].depth;
        if (!(e->codeword = malloc((size_t)len + 1))) return 0;
        e->codeword[len] = 0;
        for (int at = s, k = len - 1; c->nodes[at].parent >= 0; at = c->nodes[at].parent, k--)
            e->codeword[k] = c->nodes[c->nodes[at].parent].child[0] == at ? '0' : '1';
        e->length = len;
        e->leaf = s;
        e->prob = e->weight / c->total;
        e->surprise = -log2(e->prob);
    }
    return 1;
}

static lt_status check_symbols(const char *const *symbols, const double *weights, int n)
{
    if (n < 1 || !symbols || !weights)
        return lt_fail(LT_ERR_VALUE, "huffman: no symbols given");
    for (int i = 0; i < n; i++) {
        size_t bad = 0;   /* set by utf8_count when it fails */
        if (!symbols[i] || !symbols[i][0])
            return lt_fail(LT_ERR_VALUE, "huffman: symbol %d is empty", i);
        if (utf8_count(symbols[i], &bad) < 0)
            return lt_fail(LT_ERR_VALUE, "huffman: symbol %d is not valid UTF-8 (byte %zu)", i, bad);
        if (!isfinite(weights[i]) || !(weights[i] > 0))
            return lt_fail_arg(LT_ERR_VALUE, i, "huffman: weight of \"%s\" is %g, must be finite and > 0",
                               symbols[i], weights[i]);
    }
    return LT_OK;
}

/* LT_OK if no symbol repeats; views is (n) */
static lt_status check_unique(const strview *views, int n)
{
    strtab t;
    if (!strtab_init(&t, (size_t)n)) return lt_fail(LT_ERR_NOMEM, "huffman: out of memory");
    t.keys = views;
    lt_status st = LT_OK;
    for (int i = 0; i < n && st == LT_OK; i++) {
        int *slot = strtab_slot(&t, views[i].s, views[i].len);
        if (*slot >= 0)
            st = lt_fail_arg(LT_ERR_VALUE, *slot, "huffman: symbol \"%s\" appears twice (entries %d and %d)",
                             views[i].s, *slot, i);
        *slot = i;
    }
    free(t.slot);
    return st;
}

static huff_code *code_alloc(int n)
{
    huff_code *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->nsym = n;
    c->nnode = n == 1 ? 2 : 2 * n - 1;
    c->syms = calloc((size_t)n, sizeof *c->syms);
    c->nodes = calloc((size_t)c->nnode, sizeof *c->nodes);
    if (!c->syms || !c->nodes) { huff_free(c); return NULL; }
    return c;
}

/* the code for symbol strings views (n) with weights (n), all already checked */
static huff_code *build(const strview *views, const double *weights, int n)
{
    huff_code *c = code_alloc(n);
    if (!c) { lt_fail(LT_ERR_NOMEM, "huffman: out of memory for %d symbols", n); return NULL; }
    for (int i = 0; i < n; i++) {
        huff_entry *e = &c->syms[i];
        if (!(e->symbol = malloc(views[i].len + 1))) goto nomem;
        memcpy(e->symbol, views[i].s, views[i].len);
        e->symbol[views[i].len] = 0;
        e->weight = weights[i];
        c->total += weights[i];
        c->nodes[i] = (huff_node){ .child = {-1, -1}, .parent = -1, .symbol = i, .weight = weights[i] };
        size_t bad;
        int cps = (int)utf8_count(e->symbol, &bad);
        if (cps > c->max_symbol_cp) c->max_symbol_cp = cps;
    }
    if (!build_tree(c) || !fill_codewords(c)) goto nomem;
    return c;
nomem:
    huff_free(c);
    lt_fail(LT_ERR_NOMEM, "huffman: out of memory for %d symbols", n);
    return NULL;
}

huff_code *huff_new(const char *const *symbols, const double *weights, int n)
{
    if (check_symbols(symbols, weights, n) != LT_OK) return NULL;
    strview *views = malloc((size_t)n * sizeof *views);
    if (!views) { lt_fail(LT_ERR_NOMEM, "huffman: out of memory"); return NULL; }
    for (int i = 0; i < n; i++) views[i] = (strview){ symbols[i], strlen(symbols[i]) };
    huff_code *c = check_unique(views, n) == LT_OK ? build(views, weights, n) : NULL;
    free(views);
    return c;
}

huff_code *huff_from_text(const char *text)
{
    size_t bad = 0;
    long ncp = text ? utf8_count(text, &bad) : 0;
    if (ncp < 0) { lt_fail(LT_ERR_VALUE, "huffman: the text is not valid UTF-8 (byte %zu)", bad); return NULL; }
    if (ncp == 0) { lt_fail(LT_ERR_VALUE, "huffman: the text is empty, there is nothing to code"); return NULL; }
    strview *views = malloc((size_t)ncp * sizeof *views);
    double *counts = malloc((size_t)ncp * sizeof *counts);
    strtab t = { 0 };
    huff_code *c = NULL;
    if (!views || !counts || !strtab_init(&t, (size_t)ncp)) {
        lt_fail(LT_ERR_NOMEM, "huffman: out of memory for a text of %ld characters", ncp);
        goto done;
    }
    t.keys = views;
    int n = 0;
    for (size_t i = 0; text[i];) {
        size_t k = (size_t)utf8_len(text + i);
        int *slot = strtab_slot(&t, text + i, k);
        if (*slot < 0) { views[n] = (strview){ text + i, k }; counts[n] = 0; *slot = n++; }
        counts[*slot] += 1;
        i += k;
    }
    c = build(views, counts, n);
done:
    free(t.slot);
    free(views);
    free(counts);
    return c;
}

void huff_free(huff_code *c)
{
    if (!c) return;
    for (int i = 0; c->syms && i < c->nsym; i++) {
        free(c->syms[i].symbol);
        free(c->syms[i].codeword);
    }
    free(c->syms);
    free(c->nodes);
    free(c);
}

int huff_find(const huff_code *c, const char *symbol)
{
    for (int i = 0; c && symbol && i < c->nsym; i++)
        if (strcmp(c->syms[i].symbol, symbol) == 0) return i;
    return -1;
}

/* ---- encoding and decoding -------------------------------------------------------- */

/* Splits text into symbols, taking the longest match at each position: fills sym (one
 * per token; at most strlen(text) of them) and returns the count, or -1 after lt_fail. */
static long tokenize(const huff_code *c, const strtab *t, const char *text, int *sym)
{
    long n = 0;
    for (size_t i = 0; text[i];) {
        int best = -1, m = 0;
        size_t len = 0, best_len = 0;
        while (m < c->max_symbol_cp && text[i + len]) {
            int k = utf8_len(text + i + len);
            if (!k) { lt_fail(LT_ERR_VALUE, "encode: invalid UTF-8 at byte %zu", i + len); return -1; }
            len += (size_t)k;
            m++;
            int s = *strtab_slot(t, text + i, len);
            if (s >= 0) { best = s; best_len = len; }
        }
        if (best < 0) {
            lt_fail(LT_ERR_VALUE, "encode: \"%.*s\" at byte %zu is not a symbol of this code",
                    utf8_len(text + i), text + i, i);
            return -1;
        }
        sym[n++] = best;
        i += best_len;
    }
    return n;
}

lt_status huff_encode(const huff_code *c, const char *text, char **bits)
{
    if (!c || !text) return lt_fail(LT_ERR_VALUE, "encode: no code or no text given");
    size_t tl = strlen(text), total = 0;
    int *sym = malloc((tl + 1) * sizeof *sym);
    strview *views = malloc((size_t)c->nsym * sizeof *views);
    strtab t = { 0 };
    lt_status st = LT_OK;
    if (!sym || !views || !strtab_init(&t, (size_t)c->nsym)) {
        st = lt_fail(LT_ERR_NOMEM, "encode: out of memory for a text of %zu bytes", tl);
        goto done;
    }
    for (int i = 0; i < c->nsym; i++)
        views[i] = (strview){ c->syms[i].symbol, strlen(c->syms[i].symbol) };
    t.keys = views;
    for (int i = 0; i < c->nsym; i++)
        *strtab_slot(&t, views[i].s, views[i].len) = i;
    long n = tokenize(c, &t, text, sym);
    if (n < 0) { st = LT_ERR_VALUE; goto done; }
    for (long i = 0; i < n; i++) total += (size_t)c->syms[sym[i]].length;
    char *out = malloc(total + 1), *w = out;
    if (!out) { st = lt_fail(LT_ERR_NOMEM, "encode: out of memory for %zu bits", total); goto done; }
    for (long i = 0; i < n; i++) {
        memcpy(w, c->syms[sym[i]].codeword, (size_t)c->syms[sym[i]].length);
        w += c->syms[sym[i]].length;
    }
    *w = 0;
    *bits = out;
done:
    free(t.slot);
    free(views);
    free(sym);
    return st;
}

/* a growing output buffer */
typedef struct sbuf { char *s; size_t len, cap; } sbuf;

static int sbuf_put(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) return 0;
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
    return 1;
}

lt_status huff_decode(const huff_code *c, const char *bits, char **text)
{
    if (!c || !bits) return lt_fail(LT_ERR_VALUE, "decode: no code or no bits given");
    sbuf out = { 0 };
    if (!sbuf_put(&out, "", 0)) return lt_fail(LT_ERR_NOMEM, "decode: out of memory");
    int at = c->root;
    size_t start = 0;                    /* where the current codeword began */
    for (size_t i = 0; bits[i]; i++) {
        if (bits[i] != '0' && bits[i] != '1') {
            free(out.s);
            return lt_fail(LT_ERR_VALUE, "decode: bit %zu is '%c', expected '0' or '1'", i, bits[i]);
        }
        at = c->nodes[at].child[bits[i] - '0'];
        if (at < 0) {
            free(out.s);
            return lt_fail(LT_ERR_VALUE, "decode: no codeword starts with \"%.*s\" (bits %zu..%zu)",
                           (int)(i + 1 - start), bits + start, start, i);
        }
        if (c->nodes[at].symbol >= 0) {
            const char *s = c->syms[c->nodes[at].symbol].symbol;
            if (!sbuf_put(&out, s, strlen(s))) {
                free(out.s);
                return lt_fail(LT_ERR_NOMEM, "decode: out of memory");
            }
            at = c->root;
            start = i + 1;
        }
    }
    if (at != c->root) {
        free(out.s);
        return lt_fail(LT_ERR_VALUE, "decode: the bits end inside a codeword: the last %zu bits "
                       "\"%s\" do not complete one", strlen(bits + start), bits + start);
    }
    *text = out.s;
    return LT_OK;
}

/* ---- summaries and tree access ------------------------------------------------------ */

double huff_expected_length(const huff_code *c)
{
    double l = 0;
    for (int i = 0; i < c->nsym; i++) l += c->syms[i].prob * c->syms[i].length;
    return l;
}

double huff_entropy(const huff_code *c)
{
    double h = 0;
    for (int i = 0; i < c->nsym; i++) h += c->syms[i].prob * c->syms[i].surprise;
    return h;
}

double huff_kraft(const huff_code *c)
{
    double k = 0;
    for (int i = 0; i < c->nsym; i++) k += ldexp(1.0, -c->syms[i].length);
    return k;
}

static int valid_node(const huff_code *c, int node)
{
    return c && node >= 0 && node < c->nnode;
}

int huff_root(const huff_code *c) { return c ? c->root : -1; }

int huff_child(const huff_code *c, int node, int bit)
{
    return valid_node(c, node) && (bit == 0 || bit == 1) ? c->nodes[node].child[bit] : -1;
}

int huff_is_leaf(const huff_code *c, int node)
{
    return valid_node(c, node) && c->nodes[node].symbol >= 0;
}

const char *huff_leaf_symbol(const huff_code *c, int node)
{
    return huff_is_leaf(c, node) ? c->syms[c->nodes[node].symbol].symbol : NULL;
}

double huff_node_prob(const huff_code *c, int node)
{
    return valid_node(c, node) ? c->nodes[node].prob : 0.0;
}

double huff_node_weight(const huff_code *c, int node)
{
    return valid_node(c, node) ? c->nodes[node].weight : 0.0;
}

/* ---- given codewords ----------------------------------------------------------------- */

/* Checks words (n) and finds the first pair (i < j) where one is a prefix of the other:
 * *prefix, *longer get their indices, or -1 if the code is prefix-free. */
static lt_status scan_words(const char *who, const char *const *words, int n, int *prefix,
                            int *longer)
{
    if (n < 1 || !words) return lt_fail(LT_ERR_VALUE, "%s: no codewords given", who);
    for (int i = 0; i < n; i++) {
        if (!words[i] || !words[i][0])
            return lt_fail(LT_ERR_VALUE, "%s: codeword %d is empty", who, i);
        size_t bad = strspn(words[i], "01");
        if (words[i][bad]) {
            int k = utf8_len(words[i] + bad);
            return lt_fail(LT_ERR_VALUE, "%s: codeword %d \"%s\" has '%.*s' at position %zu; "
                           "codewords are made of 0 and 1", who, i, words[i], k ? k : 1,
                           words[i] + bad, bad);
        }
    }
    *prefix = *longer = -1;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            size_t li = strlen(words[i]), lj = strlen(words[j]);
            if (li == lj && strcmp(words[i], words[j]) == 0)
                return lt_fail(LT_ERR_VALUE, "%s: codewords %d and %d are both \"%s\"", who, i, j, words[i]);
            if (*prefix >= 0) continue;
            if (li < lj && strncmp(words[i], words[j], li) == 0) { *prefix = i; *longer = j; }
            if (lj < li && strncmp(words[j], words[i], lj) == 0) { *prefix = j; *longer = i; }
        }
    return LT_OK;
}

lt_status huff_prefix_free(const char *const *words, int n, int *is_free, int *prefix,
                           int *longer)
{
    int a, b;
    lt_status st = scan_words("prefix_free", words, n, &a, &b);
    if (st != LT_OK) return st;
    *is_free = a < 0;
    if (prefix) *prefix = a;
    if (longer) *longer = b;
    return LT_OK;
}

lt_status huff_words_kraft(const char *const *words, int n, double *sum)
{
    int a, b;
    lt_status st = scan_words("kraft", words, n, &a, &b);
    if (st != LT_OK) return st;
    double k = 0;
    for (int i = 0; i < n; i++) k += ldexp(1.0, -(int)strlen(words[i]));
    *sum = k;
    return LT_OK;
}

lt_status huff_words_expected_length(const char *const *words, int nw, const double *p,
                                     int np, double *out)
{
    const char *who = "expected_length";
    if (nw != np && nw > 0 && np > 0)
        return lt_fail(LT_ERR_VALUE, "%s: %d codewords but %d probabilities; they must match", who, nw, np);
    int a, b;
    lt_status st = scan_words(who, words, nw, &a, &b);
    if (st != LT_OK)
        return lt_fail_at(st, 0);
    if ((st = info_check_dist(who, "p", p, np > 0 ? (size_t)np : 0)) != LT_OK)
        return lt_fail_at(st, 1);
    if (a >= 0)
        return lt_fail_arg(LT_ERR_VALUE, 0, "%s: not a prefix-free code: \"%s\" (codeword %d) is a prefix "
                           "of \"%s\" (codeword %d)", who, words[a], a, words[b], b);
    double l = 0;
    for (int i = 0; i < nw; i++) l += p[i] * (double)strlen(words[i]);
    *out = l;
    return LT_OK;
}
