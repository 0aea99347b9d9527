/* pyhint.h: what Latent writes where a Python (NumPy, PyTorch) user writes something
 * else. The lexer, the parser and the evaluator ask here before they report an error,
 * so that `x.shape`, `def f(x):`, `a @ b` or `range(10)` get a message naming the
 * Latent way instead of "got '.'":
 *
 *     const char *m = py_word("def", PY_NEXT_NAME);   // "'def' is Python: Latent defines ..."
 *
 * Every function returns a static message, or NULL (or writes nothing) when the text
 * is no Python habit it knows; none of them decides whether there is an error. */
#ifndef LANG_PYHINT_H
#define LANG_PYHINT_H

#include "buf.h"

/* What follows a word, as py_word needs to know it. */
typedef enum py_next {
    PY_NEXT_NAME,    /* a name: def f, import numpy */
    PY_NEXT_COLON,   /* ':': lambda: 1 */
    PY_NEXT_END,     /* what ends or assigns a name: '=', ')', ',', ';', a new line, the end */
    PY_NEXT_OTHER
} py_next;

/* A word that starts a Python construct Latent does not have (def, lambda, import,
 * from, class, elif, while), given what follows it: the message, or NULL (so
 * `lambda = 0.5` stays a variable: only `lambda x` and `lambda:` count). */
const char *py_word(const char *word, py_next next);

/* obj.attr (call: obj.attr(...), has_args: with arguments): appends the message for
 * the attribute or method (x.shape -> shape(x), opt.lr -> get_lr/set_lr, x.mean() ->
 * mean(x), np.mean(x) -> mean(x), and a general one naming the function form
 * otherwise). obj is the source text of the object (a short expression), written the
 * text up to the last name (torch.nn.Linear), attr that last name. */
void py_attr(const char *obj, const char *written, const char *attr, int call, int has_args, buf *out);

/* The two characters at p, when they are a Python operator Latent spells otherwise
 * (@, **, //, +=, &, |, ~, !): the message, and the operator's length in *len. */
const char *py_operator(const char *p, int *len);

/* A string prefix (f, rf, fr, b) written right before a quote: the message. */
const char *py_string_prefix(const char *name, size_t len);

/* An undefined name that is a Python builtin or module Latent spells otherwise (range,
 * int, np, torch, None, self, ...): the text that follows "name 'X' is not defined",
 * starting with "; ", or NULL. */
const char *py_name(const char *name);

#endif
