/* bi_info.h: the language's values for information theory (bi_info.c, prefix iv_), shared with
 * the plots (bi_plot.c), which draw a Huffman code as its tree and densities as curves.
 *
 *   normal   normal(mu, sigma): a univariate Gaussian (info_normal)
 *   density  density(normal(0, 1), normal(1, 2)): normals to draw as curves
 *   huffman  huffman(F=0.5, ...) or huffman("text"): a Huffman code (huff_code), shown
 *            as a table of symbol, probability, codeword, length and -log2 p */
#ifndef LANG_BI_INFO_H
#define LANG_BI_INFO_H

#include "huffman.h"
#include "info.h"
#include "registry.h"

extern const val_type iv_normal_type;   /* data: info_normal */
extern const val_type iv_density_type;  /* data: iv_density */
extern const val_type iv_code_type;     /* data: iv_code */

enum { IV_DENSITY_MAX = 10 };

typedef struct iv_density {
    int n;                              /* 1 .. IV_DENSITY_MAX curves */
    info_normal d[IV_DENSITY_MAX];
} iv_density;

typedef struct iv_code {
    huff_code *code;     /* owned */
    int from_text;       /* weights are counts of a text */
    char *html, *text;   /* the last rich display (to_mime), owned */
} iv_code;

/* "normal(0, 1)" into out (holds 80 bytes). */
void iv_normal_name(info_normal d, char *out, size_t cap);

/* Registers the library (registry.h). */
int lib_open_info(registry *r);

#endif
