/* help_index.h: finding builtins by meaning, for help("std") when nothing is called
 * std and for NameErrors.
 *
 *     buf b; buf_init(&b);
 *     if (help_search(s->reg, "std", &b, 8) > 0) ... b holds "mean(x, ...)\n    The mean ..." lines
 *
 * A table of topics maps words a user may look for (NumPy and PyTorch names such as
 * std, view or zero_grad, words of the slides such as divergence or loss) to words of
 * the builtins' and keywords' docs. A query's words (three letters or more) and their
 * topic words are looked up, as whole words, in every builtin's and keyword's name,
 * signature and doc; the best matches are listed, best first. Builtins sharing a name
 * (cross_entropy on distributions and on logits) are listed once each. */
#ifndef LANG_HELP_INDEX_H
#define LANG_HELP_INDEX_H

#include "buf.h"
#include "registry.h"

/* Appends up to max matches for query among the builtins and keywords of r to out, one
 * entry each (signature, then the first sentence of its doc, indented). Returns the
 * number listed (0: nothing matched, out unchanged). */
int help_search(const registry *r, const char *query, buf *out, int max);

/* Whether query is a NumPy or PyTorch name of the topic table (std, view, zero_grad,
 * ...; not a plain word such as loss or data, likely a variable not yet defined): a
 * NameError for it can point to help("query"). */
int help_related(const char *query);

#endif
