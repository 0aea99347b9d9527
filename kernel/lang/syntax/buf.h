/* buf.h: a growable, always NUL-terminated byte buffer for building text (reprs,
 * tracebacks, help pages).
 *
 *     buf b; buf_init(&b);
 *     buf_printf(&b, "%d items", n);
 *     char *text = buf_take(&b);   // malloc'd, caller frees; b is empty again
 *
 * On out-of-memory the buffer stops growing and sets b->oom; later appends are
 * ignored, so callers may check once at the end. */
#ifndef LANG_BUF_H
#define LANG_BUF_H

#include <stddef.h>

typedef struct buf {
    char *data;   /* NUL-terminated text ("" when empty, never NULL after buf_init) */
    size_t len;   /* bytes before the NUL */
    size_t cap;
    int oom;      /* nonzero once an allocation failed */
} buf;

void buf_init(buf *b);
void buf_free(buf *b);
void buf_clear(buf *b);
void buf_add(buf *b, const char *s, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the text as a malloc'd string that the caller owns (NULL on OOM) and
 * leaves b empty. */
char *buf_take(buf *b);

#endif
