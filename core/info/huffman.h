/* huffman.h: Huffman codes, and checks of any given code (prefix-free, Kraft, expected length).
 *
 *     const char *sym[] = {"F", "C", "R", "S"};
 *     double w[] = {0.5, 0.25, 0.125, 0.125};
 *     huff_code *c = huff_new(sym, w, 4);            // F=0 C=10 R=110 S=111
 *     if (!c) show(lt_errmsg());
 *     char *bits, *text;
 *     huff_encode(c, "FCRS", &bits);                 // "010110111"
 *     huff_decode(c, bits, &text);                   // "FCRS"
 *     huff_expected_length(c);                       // 1.75 == huff_entropy(c)
 *     free(bits); free(text); huff_free(c);
 *
 * Symbols are non-empty, valid UTF-8 strings ("F", "好", or longer such as "th").
 * huff_from_text counts the Unicode code points of a text, so each symbol is one character.
 *
 * THE TIE RULE (deterministic, the same on every machine). Every node has a creation
 * number: the leaves are 0..n-1 in input order (first appearance for a text), and each
 * merged node gets the next number. At each step the two nodes with the smallest weight
 * are taken out, comparing first by weight and, among exactly equal weights, by creation
 * number (earlier first). The first node taken becomes child 0 (edge bit '0'), the second
 * child 1 (edge bit '1'), and the new node weighs their sum. For the slides' F=.5 C=.25
 * R=.125 S=.125 this gives exactly their third coding: F=0 C=10 R=110 S=111.
 * A one-symbol alphabet gets the one-bit code "0": its root has the leaf as child 0 and no
 * child 1.
 *
 * THE TREE (what the plotter draws). nodes[0..nsym-1] are the leaves, in the order of syms;
 * nodes[nsym..] are the merged nodes in creation order; the root is the last node. An edge
 * from a node to child[b] is labelled with the bit b. A leaf's codeword is the sequence of
 * edge bits on the path from the root to it. Use the struct fields directly or the
 * accessors below; both are read-only.
 *
 * Ownership: huff_new/huff_from_text return a code the caller frees with huff_free; every
 * string inside it belongs to the code. huff_encode/huff_decode return a malloc'd string
 * the caller free()s. Arrays passed in are borrowed and copied where kept.
 * Failure: a NULL code or a status other than LT_OK, with the message in lt_errmsg(); the
 * out-parameter is then left untouched. Nothing prints, nothing exits.
 */
#ifndef LT_HUFFMAN_H
#define LT_HUFFMAN_H

#include "lt_error.h"

typedef struct huff_node {
    int child[2];     /* child[b] is reached by edge bit b; -1 for none (leaves, and child[1]
                         of the root of a one-symbol code) */
    int parent;       /* -1 for the root */
    int symbol;       /* a leaf's index into syms; -1 for a merged node */
    double weight;    /* a leaf's weight, or the sum of the children's weights */
    double prob;      /* weight / total weight (1 for the root) */
    int depth;        /* number of edges from the root (the codeword length for a leaf) */
} huff_node;

typedef struct huff_entry {   /* one row of the table the language prints */
    char *symbol;     /* UTF-8, NUL-terminated */
    double weight;    /* as given, or the count in the text */
    double prob;      /* weight / total weight */
    char *codeword;   /* '0' and '1' characters, NUL-terminated */
    int length;       /* strlen(codeword) */
    double surprise;  /* -log2 prob: the ideal (entropy) length in bits */
    int leaf;         /* its node in nodes */
} huff_entry;

typedef struct huff_code {
    int nsym;           /* number of symbols, >= 1 */
    huff_entry *syms;   /* (nsym) in input order */
    int nnode;          /* 2 nsym - 1, or 2 when nsym == 1 */
    huff_node *nodes;   /* (nnode) leaves first (same order as syms), then merged nodes */
    int root;           /* nnode - 1 */
    double total;       /* the sum of all weights */
    int max_symbol_cp;  /* the most code points in one symbol (1 for a code from a text) */
} huff_code;

/* Builds the Huffman code of n >= 1 symbols with weights (frequencies, counts or
 * probabilities; they need not sum to 1). symbols is (n), weights is (n).
 * NULL with LT_ERR_VALUE if n < 1, a symbol is NULL, empty, not valid UTF-8 or repeated,
 * or a weight is not finite and > 0 ("huffman: weight of \"R\" is -1, must be finite and
 * > 0"); NULL with LT_ERR_NOMEM if memory runs out. */
/* A bad weight or a repeated symbol names that symbol's index in lt_errarg(). */
huff_code *huff_new(const char *const *symbols, const double *weights, int n);

/* Builds the code of a text: its code points are the symbols, in order of first
 * appearance, with their counts as weights. NULL with LT_ERR_VALUE if the text is empty
 * or not valid UTF-8 (the message gives the byte offset). */
huff_code *huff_from_text(const char *text);

/* Frees a code and everything in it. NULL is allowed. */
void huff_free(huff_code *c);

/* The index in syms of a symbol, or -1. */
int huff_find(const huff_code *c, const char *symbol);

/* Encodes text as a string of '0'/'1' characters into *bits (caller frees). The text is
 * read left to right, taking at each position the longest symbol of the code that
 * matches there (for single-character symbols: one code point at a time). "" encodes to "".
 * LT_ERR_VALUE if the text is not valid UTF-8 or has a character no symbol matches:
 * "encode: \"x\" at byte 3 is not a symbol of this code". */
lt_status huff_encode(const huff_code *c, const char *text, char **bits);

/* Decodes a string of '0'/'1' characters into *text (caller frees), the symbols
 * concatenated. "" decodes to "". LT_ERR_VALUE on a character other than '0'/'1', on a
 * bit sequence that no codeword starts with (possible only for a one-symbol code), and on
 * trailing bits that do not complete a codeword:
 * "decode: the bits end inside a codeword: the last 2 bits \"11\" do not complete one". */
lt_status huff_decode(const huff_code *c, const char *bits, char **text);

/* sum prob * length, in bits per symbol. */
double huff_expected_length(const huff_code *c);
/* the entropy of the code's probabilities, -sum prob log2 prob, in bits. Huffman codes
 * satisfy entropy <= expected length < entropy + 1. */
double huff_entropy(const huff_code *c);
/* sum 2^-length: exactly 1 for a Huffman code of >= 2 symbols, 1/2 for one symbol. */
double huff_kraft(const huff_code *c);

/* Tree access for drawing: the root, the child on edge bit (0 or 1) or -1, whether a node
 * is a leaf, a leaf's symbol (NULL for a merged node), a node's probability and weight.
 * Node indices are 0..nnode-1; out-of-range indices give -1 / 0 / NULL / 0. */
int huff_root(const huff_code *c);
int huff_child(const huff_code *c, int node, int bit);
int huff_is_leaf(const huff_code *c, int node);
const char *huff_leaf_symbol(const huff_code *c, int node);
double huff_node_prob(const huff_code *c, int node);
double huff_node_weight(const huff_code *c, int node);

/* ---- any given set of codewords (the slides' tables) ------------------------------- */

/* Whether codewords words (n) are prefix-free: no codeword is a prefix of another.
 * *is_free gets 1 or 0; when 0, *prefix and *longer (either may be NULL) get the indices of
 * the first offending pair, scanning pairs (i, j), i < j, in input order: for the slides'
 * F=0 C=1 R=10 S=11, words[1] = "1" is a prefix of words[2] = "10".
 * Not a valid set of codewords is an error, LT_ERR_VALUE: n < 1, a NULL or empty codeword,
 * a character other than '0' and '1', or the same codeword twice:
 * "prefix_free: codewords 0 and 2 are both \"10\"". */
lt_status huff_prefix_free(const char *const *words, int n, int *is_free, int *prefix,
                           int *longer);

/* The Kraft sum sum 2^-len(w) of valid codewords (n); > 1 proves a code cannot be
 * prefix-free (the slides' first coding: 1.5). Same errors as huff_prefix_free. */
lt_status huff_words_kraft(const char *const *words, int n, double *sum);

/* The expected length sum p[i] len(words[i]) of a prefix-free code used on the
 * distribution p: the slides' 10/110/0/111 gives 2.25 and 0/10/110/111 gives 1.75 for
 * p = (.5, .25, .125, .125). words is (nw), p is (np). LT_ERR_VALUE if nw != np, p is not a
 * distribution (as in info.h), the codewords are invalid, or they are not prefix-free
 * (the slides' "error"): "expected_length: not a prefix-free code: \"1\" (codeword 1)
 * is a prefix of \"10\" (codeword 2)". */
/* A failure names its argument in lt_errarg(): 0 the codewords, 1 p (-1: their counts
 * differ). */
lt_status huff_words_expected_length(const char *const *words, int nw, const double *p,
                                     int np, double *out);

#endif
