/* diag.c: errors, tracebacks and "did you mean" distances (see diag.h). */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void diag_vset(diag *d, const char *name, int line, int col, const char *fmt, va_list ap)
{
    d->name = name;
    d->line = line;
    d->col = col;
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
}

void diag_set(diag *d, const char *name, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vset(d, name, line, col, fmt, ap);
    va_end(ap);
}

char *diag_evalue(const diag *d)
{
    buf b;
    buf_init(&b);
    if (d->line > 0) buf_printf(&b, "%d:%d: ", d->line, d->col);
    buf_puts(&b, d->msg);
    return buf_take(&b);
}

/* The start and length of line number `line` (1-based) of src, or NULL. */
static const char *diag_line(const char *src, int line, size_t *len)
{
    for (int i = 1; src && i < line; i++) {
        src = strchr(src, '\n');
        if (src) src++;
    }
    if (!src) return NULL;
    const char *end = strchr(src, '\n');
    *len = end ? (size_t)(end - src) : strlen(src);
    return src;
}

/* "  | " then spaces (tabs where the source has tabs) up to col, then "^". */
static void diag_caret(buf *b, const char *line, size_t len, int col)
{
    int c = 1;
    for (size_t i = 0; i < len && c < col; i++) {
        if (((unsigned char)line[i] & 0xC0) == 0x80) continue;
        buf_putc(b, line[i] == '\t' ? '\t' : ' ');
        c++;
    }
    buf_puts(b, "\x1b[1;31m^\x1b[0m");
}

void diag_report(const diag *d, const char *src, const lt_host *host)
{
    if (!host->error) return;
    char *evalue = diag_evalue(d);
    buf lines[3];
    int n = 0;
    size_t len = 0;
    const char *line = d->line > 0 ? diag_line(src, d->line, &len) : NULL;
    if (line) {
        int w = snprintf(NULL, 0, "%d", d->line);
        buf_init(&lines[n]);
        buf_printf(&lines[n], "\x1b[36m%d |\x1b[0m ", d->line);
        buf_add(&lines[n++], line, len);
        buf_init(&lines[n]);
        buf_printf(&lines[n], "\x1b[36m%*s |\x1b[0m ", w, "");
        diag_caret(&lines[n++], line, len, d->col);
    }
    buf_init(&lines[n]);
    buf_printf(&lines[n++], "\x1b[1;31m%s\x1b[0m: %s", d->name, evalue ? evalue : d->msg);
    const char *tb[3];
    for (int i = 0; i < n; i++) tb[i] = lines[i].data;
    host->error(host->ctx, d->name, evalue ? evalue : d->msg, tb, n);
    for (int i = 0; i < n; i++) buf_free(&lines[i]);
    free(evalue);
}

/* Optimal string alignment distance; a substitution costs sub (1, or 2 so that only
 * insertions, deletions and swaps count as one edit). */
static int diag_osa(const char *a, const char *b, int sub)
{
    enum { MAX = 64 };
    size_t n = strlen(a), m = strlen(b);
    if (n >= MAX || m >= MAX) return 100;
    int d[MAX][MAX];
    for (size_t i = 0; i <= n; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1] ? sub : 0;
            int best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best) best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

int diag_distance(const char *a, const char *b)
{
    return diag_osa(a, b, 1);
}

int diag_close(const char *name, const char *candidate, int *distance)
{
    int len = (int)strlen(name);
    int limit = len / 3 < 1 ? 1 : len / 3 > 3 ? 3 : len / 3;
    *distance = diag_distance(name, candidate);
    return *distance > 0 && *distance <= limit;
}

int diag_close_word(const char *name, const char *candidate, int *distance)
{
    if (!diag_close(name, candidate, distance)) return 0;
    /* a short name with one letter changed is another word more often than a typo
     * (std and sgd, var and bar, grad and grid): there only a letter left out, one
     * too many, or two swapped count */
    return strlen(name) > 4 || diag_osa(name, candidate, 2) <= 1;
}
