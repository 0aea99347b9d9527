/* buf.c: growable text buffer (see buf.h). */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char buf_empty[1];

void buf_init(buf *b)
{
    b->data = buf_empty;
    b->len = b->cap = 0;
    b->oom = 0;
}

void buf_free(buf *b)
{
    if (b->cap) free(b->data);
    buf_init(b);
}

void buf_clear(buf *b)
{
    b->len = 0;
    if (b->cap) b->data[0] = 0;
}

/* Makes room for n more bytes plus the NUL; returns 0, or -1 (and sets oom). */
static int buf_reserve(buf *b, size_t n)
{
    if (b->oom) return -1;
    if (b->len + n + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n + 1) cap *= 2;
    char *d = realloc(b->cap ? b->data : NULL, cap);
    if (!d) { b->oom = 1; return -1; }
    if (!b->cap) d[0] = 0;
    b->data = d;
    b->cap = cap;
    return 0;
}

void buf_add(buf *b, const char *s, size_t n)
{
    if (buf_reserve(b, n) < 0) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void buf_puts(buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_putc(buf *b, char c)
{
    buf_add(b, &c, 1);
}

void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || buf_reserve(b, (size_t)n) < 0) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *buf_take(buf *b)
{
    char *s = b->oom ? NULL : b->cap ? b->data : strdup("");
    if (b->oom && b->cap) free(b->data);
    buf_init(b);
    return s;
}
