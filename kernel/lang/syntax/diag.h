/* diag.h: a language error (name, position, message) and its traceback.
 *
 * Every failure in the lexer, parser, evaluator and builtins fills one diag:
 *
 *     diag_set(&d, "NameError", 1, 1, "name '%s' is not defined", name);
 *
 * and lt_execute turns it into host->error with
 *     ename  = d.name                          "NameError"
 *     evalue = "LINE:COL: MESSAGE"             "1:1: name 'x' is not defined"
 *     traceback = the source line with a caret under the column, then
 *                 "NAME: LINE:COL: MESSAGE" (ANSI colours on the name and caret).
 * Lines are 1-based; columns are 1-based and count characters (UTF-8 code
 * points, a tab is one). Line 0 means "no position" (e.g. out of memory). */
#ifndef LANG_DIAG_H
#define LANG_DIAG_H

#include <stdarg.h>

#include "latent.h"

typedef struct diag {
    const char *name;   /* static error name; NULL while there is no error */
    int line, col;
    char msg[1024];
} diag;

void diag_set(diag *d, const char *name, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void diag_vset(diag *d, const char *name, int line, int col, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));
/* "LINE:COL: MESSAGE" (or just MESSAGE when line is 0), malloc'd; NULL on OOM. */
char *diag_evalue(const diag *d);
/* Calls host->error (if set) with d's name, value and a traceback pointing into
 * src, the cell's code. */
void diag_report(const diag *d, const char *src, const lt_host *host);

/* Edit distance (optimal string alignment: insertions, deletions, substitutions
 * and swaps of neighbours cost 1) between a and b, capped at 100. */
int diag_distance(const char *a, const char *b);
/* Whether candidate is close enough to name to be offered as "did you mean": at most
 * len/3 edits (1 to 3). For a few candidates of the right kind (a builtin's keywords). */
int diag_close(const char *name, const char *candidate, int *distance);
/* The same among all the names a session knows: a name of up to 4 characters is close
 * only by one insertion, deletion or swap of neighbours (a changed letter makes another
 * word: std and sgd, var and bar). */
int diag_close_word(const char *name, const char *candidate, int *distance);

#endif
