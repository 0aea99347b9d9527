/* test_huffman.c: Huffman codes against the slides and textbook examples, the source
 * coding bounds on random distributions, round trips, and every error message. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "huffman.h"
#include "info.h"
#include "rng.h"

static const char *FCRS[4] = {"F", "C", "R", "S"};
static const double P[4] = {0.5, 0.25, 0.125, 0.125};

static void test_slides_code(void)
{
    huff_code *c = huff_new(FCRS, P, 4);
    CHECK(c != NULL);
    if (!c) return;
    CHECK(c->nsym == 4 && c->nnode == 7 && c->root == 6);
    const char *want[4] = {"0", "10", "110", "111"};    /* the slides' third coding */
    const int len[4] = {1, 2, 3, 3};
    for (int i = 0; i < 4; i++) {
        CHECK_STR(c->syms[i].symbol, FCRS[i]);
        CHECK_STR(c->syms[i].codeword, want[i]);
        CHECK(c->syms[i].length == len[i]);
        CHECK(c->syms[i].prob == P[i]);
        CHECK(c->syms[i].surprise == (double)len[i]);   /* -log2 p, dyadic: exact */
    }
    CHECK(huff_expected_length(c) == 1.75);
    CHECK(huff_entropy(c) == 1.75);
    CHECK(huff_kraft(c) == 1.0);
    char *bits = NULL, *text = NULL;
    CHECK(huff_encode(c, "FCRS", &bits) == LT_OK);
    CHECK_STR(bits, "010110111");
    CHECK(huff_decode(c, "010110111", &text) == LT_OK);
    CHECK_STR(text, "FCRS");
    free(bits);
    free(text);
    huff_free(c);
}

/* the same code from counts: probabilities are weight / total */
static void test_weights_need_not_sum_to_one(void)
{
    const double counts[4] = {4, 2, 1, 1};
    huff_code *c = huff_new(FCRS, counts, 4);
    CHECK(c && c->total == 8 && c->syms[2].prob == 0.125);
    CHECK(c && huff_expected_length(c) == 1.75);
    huff_free(c);
}

/* CLRS's example (a:45 b:13 c:12 d:16 e:9 f:5): lengths 1,3,3,3,4,4, cost 224 */
static void test_textbook_example(void)
{
    const char *s[6] = {"a", "b", "c", "d", "e", "f"};
    const double w[6] = {45, 13, 12, 16, 9, 5};
    const int len[6] = {1, 3, 3, 3, 4, 4};
    huff_code *c = huff_new(s, w, 6);
    CHECK(c != NULL);
    if (!c) return;
    double cost = 0;
    for (int i = 0; i < 6; i++) {
        CHECK(c->syms[i].length == len[i]);
        cost += w[i] * c->syms[i].length;
    }
    CHECK(cost == 224);
    CHECK_NEAR(huff_expected_length(c), 2.24, 1e-15);
    huff_free(c);
}

/* the tie rule of huffman.h, worked by hand */
static void test_tie_rule(void)
{
    const char *s[4] = {"A", "B", "C", "D"};
    const double ones[4] = {1, 1, 1, 1};
    /* A,B merge first (A gets 0), then C,D, then (AB) before (CD) */
    huff_code *c = huff_new(s, ones, 4);
    CHECK(c != NULL);
    if (!c) return;
    CHECK_STR(c->syms[0].codeword, "00");
    CHECK_STR(c->syms[1].codeword, "01");
    CHECK_STR(c->syms[2].codeword, "10");
    CHECK_STR(c->syms[3].codeword, "11");
    huff_free(c);
    /* 1,1,2: A,B merge into a node of weight 2; C (created earlier) is taken before it */
    const double w[3] = {1, 1, 2};
    c = huff_new(s, w, 3);
    CHECK(c != NULL);
    if (!c) return;
    CHECK_STR(c->syms[0].codeword, "10");
    CHECK_STR(c->syms[1].codeword, "11");
    CHECK_STR(c->syms[2].codeword, "0");
    huff_free(c);
    /* the order of equal weights follows the input order */
    const char *rev[4] = {"D", "C", "B", "A"};
    c = huff_new(rev, ones, 4);
    CHECK(c && strcmp(c->syms[0].symbol, "D") == 0 && strcmp(c->syms[0].codeword, "00") == 0);
    huff_free(c);
}

/* The tie rule by its definition, slowly: scan all live nodes for the lightest (earliest
 * created among equal weights), twice per merge; then read each leaf's path. Compared
 * codeword for codeword with huff_new on random small integer weights (many ties). */
static void reference_codewords(const double *w, int n, char words[][64])
{
    double weight[2 * 16];
    int parent[2 * 16], bit[2 * 16], live[2 * 16];
    for (int i = 0; i < n; i++) { weight[i] = w[i]; live[i] = 1; parent[i] = -1; }
    int next = n;
    for (int merges = 0; merges < n - 1; merges++) {
        int pick[2];
        for (int k = 0; k < 2; k++) {
            int best = -1;
            for (int i = 0; i < next; i++)
                if (live[i] && (best < 0 || weight[i] < weight[best])) best = i;
            live[best] = 0;
            pick[k] = best;
        }
        weight[next] = weight[pick[0]] + weight[pick[1]];
        live[next] = 1;
        parent[next] = -1;
        for (int k = 0; k < 2; k++) { parent[pick[k]] = next; bit[pick[k]] = k; }
        next++;
    }
    for (int i = 0; i < n; i++) {
        char rev[64];
        int len = 0;
        for (int at = i; parent[at] >= 0; at = parent[at]) rev[len++] = (char)('0' + bit[at]);
        for (int k = 0; k < len; k++) words[i][k] = rev[len - 1 - k];
        words[i][len] = 0;
    }
}

static void test_tie_rule_against_reference(void)
{
    rng r;
    rng_seed(&r, 4242);
    char names[16][8], words[16][64];
    const char *sym[16];
    double w[16];
    int mismatches = 0;
    for (int trial = 0; trial < 300; trial++) {
        int n = 2 + (int)rng_below(&r, 15);
        for (int i = 0; i < n; i++) {
            snprintf(names[i], sizeof names[i], "%c", 'a' + i);
            sym[i] = names[i];
            w[i] = (double)(1 + rng_below(&r, 4));
        }
        reference_codewords(w, n, words);
        huff_code *c = huff_new(sym, w, n);
        if (!c) { mismatches++; continue; }
        for (int i = 0; i < n; i++)
            if (strcmp(c->syms[i].codeword, words[i]) != 0) mismatches++;
        huff_free(c);
    }
    CHECK(mismatches == 0);
}

static void test_one_symbol(void)
{
    const char *s[1] = {"好"};
    const double w[1] = {3};
    huff_code *c = huff_new(s, w, 1);
    CHECK(c != NULL);
    if (!c) return;
    CHECK_STR(c->syms[0].codeword, "0");
    CHECK(c->syms[0].length == 1 && c->syms[0].prob == 1.0 && c->syms[0].surprise == 0.0);
    CHECK(huff_expected_length(c) == 1.0 && huff_entropy(c) == 0.0 && huff_kraft(c) == 0.5);
    CHECK(c->nnode == 2 && huff_child(c, c->root, 0) == 0 && huff_child(c, c->root, 1) == -1);
    char *bits = NULL, *text = NULL;
    CHECK(huff_encode(c, "好好好", &bits) == LT_OK);
    CHECK_STR(bits, "000");
    CHECK(huff_decode(c, bits, &text) == LT_OK);
    CHECK_STR(text, "好好好");
    free(bits);
    free(text);
    CHECK(huff_decode(c, "001", &text) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "decode: no codeword starts with \"1\" (bits 2..2)");
    huff_free(c);
    huff_code *t = huff_from_text("aaaa");
    CHECK(t && t->nsym == 1 && strcmp(t->syms[0].codeword, "0") == 0 && t->syms[0].weight == 4);
    huff_free(t);
}

static void test_tree_access(void)
{
    huff_code *c = huff_new(FCRS, P, 4);
    if (!c) { CHECK(0); return; }
    int root = huff_root(c);
    CHECK(!huff_is_leaf(c, root) && huff_leaf_symbol(c, root) == NULL);
    CHECK(huff_node_prob(c, root) == 1.0 && huff_node_weight(c, root) == 1.0);
    CHECK(c->nodes[root].parent == -1 && c->nodes[root].depth == 0);
    /* following each codeword's bits from the root reaches that symbol's leaf */
    for (int i = 0; i < 4; i++) {
        int at = root;
        for (const char *b = c->syms[i].codeword; *b; b++) at = huff_child(c, at, *b - '0');
        CHECK(huff_is_leaf(c, at));
        CHECK_STR(huff_leaf_symbol(c, at), FCRS[i]);
        CHECK(huff_node_prob(c, at) == P[i]);
        CHECK(at == c->syms[i].leaf && c->nodes[at].depth == c->syms[i].length);
    }
    /* every merged node weighs the sum of its two children; leaves have none */
    for (int n = 0; n < c->nnode; n++) {
        int a = huff_child(c, n, 0), b = huff_child(c, n, 1);
        if (huff_is_leaf(c, n)) CHECK(a == -1 && b == -1);
        else {
            CHECK(a >= 0 && b >= 0 && c->nodes[a].parent == n && c->nodes[b].parent == n);
            CHECK(huff_node_weight(c, n) == huff_node_weight(c, a) + huff_node_weight(c, b));
        }
    }
    /* root's 0 child is F, its 1 child weighs 0.5: the slides' tree */
    CHECK_STR(huff_leaf_symbol(c, huff_child(c, root, 0)), "F");
    CHECK(huff_node_prob(c, huff_child(c, root, 1)) == 0.5);
    CHECK(huff_child(c, root, 2) == -1 && huff_child(c, 99, 0) == -1 && huff_node_prob(c, -1) == 0);
    CHECK(huff_find(c, "R") == 2 && huff_find(c, "X") == -1);
    huff_free(c);
}

/* H <= L < H + 1 and Kraft sum 1, for 200 random distributions of 2..40 symbols */
static void test_random_bounds(void)
{
    rng r;
    rng_seed(&r, 2024);
    char names[40][16];
    const char *sym[40];
    double w[40];
    int bad_bound = 0, bad_kraft = 0, bad_prefix = 0, built = 0;
    for (int trial = 0; trial < 200; trial++) {
        int n = 2 + (int)rng_below(&r, 39);
        double total = 0;
        for (int i = 0; i < n; i++) {
            snprintf(names[i], sizeof names[i], "s%d", i);
            sym[i] = names[i];
            /* mixes near-uniform and very skewed distributions */
            w[i] = trial % 2 ? 0.01 + rng_uniform(&r) : exp(8 * rng_uniform(&r));
            total += w[i];
        }
        huff_code *c = huff_new(sym, w, n);
        if (!c) continue;
        built++;
        double p[40], h, L = huff_expected_length(c);
        for (int i = 0; i < n; i++) p[i] = w[i] / total;
        CHECK(info_entropy(p, (size_t)n, INFO_BITS, &h) == LT_OK);  /* independent of the code */
        if (!(h <= L + 1e-12 && L < h + 1)) bad_bound++;
        if (huff_kraft(c) != 1.0) bad_kraft++;
        const char *words[40];
        int is_free = 0;
        for (int i = 0; i < n; i++) words[i] = c->syms[i].codeword;
        if (huff_prefix_free(words, n, &is_free, NULL, NULL) != LT_OK || !is_free) bad_prefix++;
        huff_free(c);
    }
    CHECK(built == 200);
    CHECK(bad_bound == 0);
    CHECK(bad_kraft == 0);
    CHECK(bad_prefix == 0);
}

/* Huffman's expected length equals the optimum found by trying every length assignment
 * that satisfies Kraft's inequality (small alphabets, brute force) */
static void test_optimal_against_brute_force(void)
{
    rng r;
    rng_seed(&r, 99);
    const char *sym[5] = {"a", "b", "c", "d", "e"};
    for (int trial = 0; trial < 30; trial++) {
        int n = 2 + trial % 4;
        double w[5];
        for (int i = 0; i < n; i++) w[i] = 0.05 + rng_uniform(&r);
        double best = INFINITY, total = 0;
        for (int i = 0; i < n; i++) total += w[i];
        int len[5];
        int combos = 1;
        for (int i = 0; i < n; i++) combos *= n;    /* lengths 1..n each */
        for (int k = 0; k < combos; k++) {
            double kraft = 0, L = 0;
            for (int i = 0, x = k; i < n; i++, x /= n) {
                len[i] = 1 + x % n;
                kraft += ldexp(1.0, -len[i]);
                L += w[i] / total * len[i];
            }
            if (kraft <= 1.0 && L < best) best = L;
        }
        huff_code *c = huff_new(sym, w, n);
        CHECK(c != NULL);
        if (c) CHECK_NEAR(huff_expected_length(c), best, 1e-12);
        huff_free(c);
    }
}

static void roundtrip(const char *text)
{
    huff_code *c = huff_from_text(text);
    CHECK(c != NULL);
    if (!c) { fprintf(stderr, "  text: %s (%s)\n", text, lt_errmsg()); return; }
    char *bits = NULL, *back = NULL;
    CHECK(huff_encode(c, text, &bits) == LT_OK);
    CHECK(bits && huff_decode(c, bits, &back) == LT_OK);
    CHECK_STR(back, text);
    /* the bit count is the sum of codeword lengths = count-weighted length */
    CHECK(bits && fabs((double)strlen(bits) - huff_expected_length(c) * c->total) < 1e-6);
    free(bits);
    free(back);
    huff_free(c);
}

static void test_roundtrip(void)
{
    roundtrip("a");
    roundtrip("abracadabra");
    roundtrip("霍夫曼编码：高频短，低频长。信息熵就是最小编码长度期望");
    roundtrip("mixed ASCII, 中文, é, and emoji 🙂🙂!");
    /* the empty text, with any code */
    huff_code *c = huff_from_text("ab");
    char *bits = NULL, *text = NULL;
    CHECK(c && huff_encode(c, "", &bits) == LT_OK);
    CHECK_STR(bits, "");
    CHECK(c && huff_decode(c, "", &text) == LT_OK);
    CHECK_STR(text, "");
    free(bits);
    free(text);
    huff_free(c);
    /* random texts over an alphabet of 1- to 4-byte characters */
    static const char *alpha[] = {"a", "b", " ", "é", "熵", "码", "🙂", "z", "\n", "Ω"};
    rng r;
    rng_seed(&r, 31);
    char buf[4096];
    for (int trial = 0; trial < 100; trial++) {
        int k = 1 + (int)rng_below(&r, 10), len = (int)rng_below(&r, 300);
        size_t at = 0;
        buf[0] = 0;
        for (int i = 0; i < len + 1; i++) {   /* +1: never empty */
            const char *s = alpha[rng_below(&r, (uint64_t)k)];
            memcpy(buf + at, s, strlen(s) + 1);
            at += strlen(s);
        }
        roundtrip(buf);
    }
}

static void test_from_text_counts(void)
{
    huff_code *c = huff_from_text("编码编码码!");
    CHECK(c && c->nsym == 3 && c->total == 6);
    if (!c) return;
    CHECK_STR(c->syms[0].symbol, "编");
    CHECK_STR(c->syms[1].symbol, "码");
    CHECK_STR(c->syms[2].symbol, "!");
    CHECK(c->syms[0].weight == 2 && c->syms[1].weight == 3 && c->syms[2].weight == 1);
    /* ! (1) and 编 (2) merge, then 码 (3) is taken before that node (3, created later) */
    CHECK_STR(c->syms[1].codeword, "0");
    CHECK_STR(c->syms[2].codeword, "10");
    CHECK_STR(c->syms[0].codeword, "11");
    huff_free(c);
}

/* symbols longer than one character: the longest match is taken */
static void test_multichar_symbols(void)
{
    const char *s[3] = {"th", "t", "e"};
    const double w[3] = {3, 1, 1};
    huff_code *c = huff_new(s, w, 3);
    CHECK(c != NULL);
    if (!c) return;
    char *bits = NULL, *text = NULL;
    CHECK(huff_encode(c, "thette", &bits) == LT_OK);   /* th e t t e */
    char want[64];
    snprintf(want, sizeof want, "%s%s%s%s%s", c->syms[0].codeword, c->syms[2].codeword,
             c->syms[1].codeword, c->syms[1].codeword, c->syms[2].codeword);
    CHECK_STR(bits, want);
    CHECK(huff_decode(c, bits, &text) == LT_OK);
    CHECK_STR(text, "thette");
    free(bits);
    free(text);
    CHECK(huff_encode(c, "theh", &bits) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "encode: \"h\" at byte 3 is not a symbol of this code");
    huff_free(c);
}

static void test_build_errors(void)
{
    const char *s[3] = {"F", "C", "F"};
    const double w[3] = {1, 2, 3}, neg[3] = {1, -1, 3}, nanw[3] = {NAN, 1, 1};
    CHECK(huff_new(s, w, 3) == NULL);
    CHECK_STR(lt_errmsg(), "huffman: symbol \"F\" appears twice (entries 0 and 2)");
    CHECK(huff_new(s, neg, 2) == NULL);
    CHECK_STR(lt_errmsg(), "huffman: weight of \"C\" is -1, must be finite and > 0");
    CHECK(huff_new(s, nanw, 2) == NULL);
    CHECK_STR(lt_errmsg(), "huffman: weight of \"F\" is nan, must be finite and > 0");
    const double zero[2] = {1, 0};
    CHECK(huff_new(s, zero, 2) == NULL);
    CHECK_STR(lt_errmsg(), "huffman: weight of \"C\" is 0, must be finite and > 0");
    CHECK(huff_new(s, w, 0) == NULL);
    CHECK_STR(lt_errmsg(), "huffman: no symbols given");
    const char *empty[2] = {"a", ""};
    CHECK(huff_new(empty, w, 2) == NULL);
    CHECK_STR(lt_errmsg(), "huffman: symbol 1 is empty");
    const char *badutf[2] = {"a", "b\xff"};
    CHECK(huff_new(badutf, w, 2) == NULL);
    CHECK_STR(lt_errmsg(), "huffman: symbol 1 is not valid UTF-8 (byte 1)");
    CHECK(huff_from_text("") == NULL);
    CHECK_STR(lt_errmsg(), "huffman: the text is empty, there is nothing to code");
    CHECK(huff_from_text("ab\xe7\xbc") == NULL);                  /* a cut 3-byte character */
    CHECK_STR(lt_errmsg(), "huffman: the text is not valid UTF-8 (byte 2)");
    CHECK(huff_from_text("\xc0\xaf") == NULL);                    /* overlong '/' */
    CHECK(huff_from_text("\xed\xa0\x80") == NULL);                /* a surrogate */
}

static void test_codec_errors(void)
{
    huff_code *c = huff_new(FCRS, P, 4);
    if (!c) { CHECK(0); return; }
    char *out = (char *)"untouched";
    CHECK(huff_encode(c, "FCX", &out) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "encode: \"X\" at byte 2 is not a symbol of this code");
    CHECK(huff_encode(c, "F码", &out) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "encode: \"码\" at byte 1 is not a symbol of this code");
    CHECK(huff_encode(c, "F\xff", &out) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "encode: invalid UTF-8 at byte 1");
    CHECK(huff_decode(c, "01011", &out) == LT_ERR_VALUE);          /* F C then "11" */
    CHECK_STR(lt_errmsg(), "decode: the bits end inside a codeword: the last 2 bits \"11\" do not complete one");
    CHECK(huff_decode(c, "1", &out) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "decode: the bits end inside a codeword: the last 1 bits \"1\" do not complete one");
    CHECK(huff_decode(c, "0120", &out) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "decode: bit 2 is '2', expected '0' or '1'");
    CHECK_STR(out, "untouched");
    huff_free(c);
}

/* the slides' table: coding 1 is not prefix-free, codings 2 and 3 give 2.25 and 1.75 */
static void test_given_codes(void)
{
    const char *code1[4] = {"0", "1", "10", "11"};
    const char *code2[4] = {"10", "110", "0", "111"};
    const char *code3[4] = {"0", "10", "110", "111"};
    int is_free = -1, a = -1, b = -1;
    CHECK(huff_prefix_free(code1, 4, &is_free, &a, &b) == LT_OK);
    CHECK(is_free == 0 && a == 1 && b == 2);                  /* "1" is a prefix of "10" */
    CHECK(huff_prefix_free(code2, 4, &is_free, &a, &b) == LT_OK);
    CHECK(is_free == 1 && a == -1 && b == -1);
    CHECK(huff_prefix_free(code3, 4, &is_free, NULL, NULL) == LT_OK && is_free == 1);
    const char *later[3] = {"110", "0", "11"};                 /* the prefix comes second */
    CHECK(huff_prefix_free(later, 3, &is_free, &a, &b) == LT_OK);
    CHECK(is_free == 0 && a == 2 && b == 0);
    double l = 0, k = 0;
    CHECK(huff_words_expected_length(code2, 4, P, 4, &l) == LT_OK);
    CHECK(l == 2.25);
    CHECK(huff_words_expected_length(code3, 4, P, 4, &l) == LT_OK);
    CHECK(l == 1.75);
    CHECK(huff_words_expected_length(code1, 4, P, 4, &l) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "expected_length: not a prefix-free code: \"1\" (codeword 1) is a prefix of \"10\" (codeword 2)");
    CHECK(huff_words_kraft(code1, 4, &k) == LT_OK && k == 1.5);
    CHECK(huff_words_kraft(code2, 4, &k) == LT_OK && k == 1.0);
    const char *partial[2] = {"00", "1"};
    CHECK(huff_words_kraft(partial, 2, &k) == LT_OK && k == 0.75);
}

static void test_given_code_errors(void)
{
    int is_free = 7;
    double l = 42;
    const char *dup[3] = {"10", "0", "10"};
    CHECK(huff_prefix_free(dup, 3, &is_free, NULL, NULL) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "prefix_free: codewords 0 and 2 are both \"10\"");
    const char *dup_after_prefix[3] = {"1", "10", "10"};      /* the duplicate still wins */
    CHECK(huff_prefix_free(dup_after_prefix, 3, &is_free, NULL, NULL) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "prefix_free: codewords 1 and 2 are both \"10\"");
    const char *empty[2] = {"0", ""};
    CHECK(huff_prefix_free(empty, 2, &is_free, NULL, NULL) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "prefix_free: codeword 1 is empty");
    const char *chars[2] = {"0", "1a0"};
    CHECK(huff_prefix_free(chars, 2, &is_free, NULL, NULL) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "prefix_free: codeword 1 \"1a0\" has 'a' at position 1; codewords are made of 0 and 1");
    const char *cjk[1] = {"0零"};
    CHECK(huff_words_kraft(cjk, 1, &l) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "kraft: codeword 0 \"0零\" has '零' at position 1; codewords are made of 0 and 1");
    CHECK(huff_prefix_free(chars, 0, &is_free, NULL, NULL) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "prefix_free: no codewords given");
    CHECK(is_free == 7);
    const char *code3[4] = {"0", "10", "110", "111"};
    CHECK(huff_words_expected_length(code3, 4, P, 3, &l) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "expected_length: 4 codewords but 3 probabilities; they must match");
    const double bad[4] = {0.5, 0.25, 0.25, 0.125};
    CHECK(huff_words_expected_length(code3, 4, bad, 4, &l) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "expected_length: p sums to 1.125, not 1 (tolerance 1e-06)");
    const double negp[4] = {0.5, 0.25, 0.375, -0.125};
    CHECK(huff_words_expected_length(code3, 4, negp, 4, &l) == LT_ERR_VALUE);
    CHECK_STR(lt_errmsg(), "expected_length: p[3] = -0.125 is negative");
    CHECK(l == 42);
}

/* huff_new names the symbol at fault, huff_words_expected_length its argument. */
static void test_error_arguments(void)
{
    const char *s[3] = { "a", "b", "a" };
    double w[3] = { 1, -2, 1 }, ok[3] = { 1, 1, 1 }, r;
    CHECK(huff_new(s, w, 3) == NULL && lt_errarg() == 1);    /* b's weight */
    CHECK(huff_new(s, ok, 3) == NULL && lt_errarg() == 0);   /* "a" twice: the first */
    const char *words[2] = { "0", "1" };
    double p[2] = { 0.5, 0.6 }, q[2] = { 0.5, 0.5 };
    CHECK(huff_words_expected_length(words, 2, p, 2, &r) == LT_ERR_VALUE && lt_errarg() == 1);
    const char *prefix[2] = { "0", "01" };
    CHECK(huff_words_expected_length(prefix, 2, q, 2, &r) == LT_ERR_VALUE && lt_errarg() == 0);
    CHECK(huff_words_expected_length(words, 2, q, 1, &r) == LT_ERR_VALUE && lt_errarg() == -1);
    const char *badw[2] = { "0", "2" };
    CHECK(huff_words_expected_length(badw, 2, q, 2, &r) == LT_ERR_VALUE && lt_errarg() == 0);
}

int main(void)
{
    RUN(test_error_arguments);
    RUN(test_slides_code);
    RUN(test_weights_need_not_sum_to_one);
    RUN(test_textbook_example);
    RUN(test_tie_rule);
    RUN(test_tie_rule_against_reference);
    RUN(test_one_symbol);
    RUN(test_tree_access);
    RUN(test_random_bounds);
    RUN(test_optimal_against_brute_force);
    RUN(test_roundtrip);
    RUN(test_from_text_counts);
    RUN(test_multichar_symbols);
    RUN(test_build_errors);
    RUN(test_codec_errors);
    RUN(test_given_codes);
    RUN(test_given_code_errors);
    return check_summary("huffman");
}
