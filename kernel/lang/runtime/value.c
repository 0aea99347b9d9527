/* value.c: reference counting, constructors, equality and printing of values. */
#include "value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Frees l and every list only it holds, with a worklist instead of recursion. */
static void val_list_free(val_list *l)
{
    l->next_free = NULL;
    while (l) {
        val_list *cur = l;
        l = cur->next_free;
        for (size_t i = 0; i < cur->n; i++) {
            value v = cur->items[i];
            if (!IS_LIST(v)) { val_decref(v); continue; }
            if (--v.as.list->rc == 0) { v.as.list->next_free = l; l = v.as.list; }
        }
        free(cur->items);
        free(cur);
    }
}

void val_incref(value v)
{
    switch (v.kind) {
    case VAL_STR: v.as.str->rc++; break;
    case VAL_LIST: v.as.list->rc++; break;
    case VAL_OBJ: v.as.obj->rc++; break;
    default: break;
    }
}

void val_decref(value v)
{
    switch (v.kind) {
    case VAL_STR:
        if (--v.as.str->rc == 0) free(v.as.str);
        break;
    case VAL_LIST:
        if (--v.as.list->rc == 0) val_list_free(v.as.list);
        break;
    case VAL_OBJ:
        if (--v.as.obj->rc == 0) {
            v.as.obj->type->free(v.as.obj->data);
            free(v.as.obj);
        }
        break;
    default: break;
    }
}

val_str *val_str_new(const char *s, size_t n)
{
    if (n > VAL_STR_MAX) return NULL;
    val_str *str = malloc(sizeof *str + n + 1);
    if (!str) return NULL;
    str->rc = 1;
    str->len = n;
    if (n) memcpy(str->chars, s, n);
    str->chars[n] = 0;
    return str;
}

val_list *val_list_new(size_t cap)
{
    if (cap > VAL_LIST_MAX) return NULL;
    val_list *l = malloc(sizeof *l);
    if (!l) return NULL;
    l->rc = 1;
    l->n = 0;
    l->cap = cap;
    l->items = cap ? malloc(cap * sizeof *l->items) : NULL;
    if (cap && !l->items) { free(l); return NULL; }
    return l;
}

int val_list_push(val_list *l, value v)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        if (cap > VAL_LIST_MAX) cap = VAL_LIST_MAX;
        value *items = l->n < VAL_LIST_MAX ? realloc(l->items, cap * sizeof *items) : NULL;
        if (!items) { val_decref(v); return -1; }
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = v;
    return 0;
}

val_obj *val_obj_new(const val_type *type, void *data)
{
    val_obj *o = malloc(sizeof *o);
    if (!o) { type->free(data); return NULL; }
    o->rc = 1;
    o->type = type;
    o->data = data;
    return o;
}

const char *val_type_name(value v)
{
    switch (v.kind) {
    case VAL_NONE: return "none";
    case VAL_BOOL: return "bool";
    case VAL_NUM: return "number";
    case VAL_STR: return "string";
    case VAL_LIST: return "list";
    case VAL_BUILTIN: return "builtin";
    case VAL_OBJ: return v.as.obj->type->name;
    }
    return "?";
}

const char *val_a(value v)
{
    return strchr("aeiou", val_type_name(v)[0]) && val_type_name(v)[0] ? "an" : "a";
}

int val_truthy(value v)
{
    switch (v.kind) {
    case VAL_NONE: return 0;
    case VAL_BOOL: return v.as.b;
    case VAL_NUM: return v.as.num != 0;
    case VAL_STR: return v.as.str->len != 0;
    case VAL_LIST: return v.as.list->n != 0;
    default: return 1;
    }
}

static int val_equal_at(value a, value b, int depth)
{
    if (a.kind != b.kind || depth > VAL_MAX_NEST) return 0;
    switch (a.kind) {
    case VAL_NONE: return 1;
    case VAL_BOOL: return a.as.b == b.as.b;
    case VAL_NUM: return a.as.num == b.as.num;
    case VAL_STR:
        return a.as.str->len == b.as.str->len &&
               memcmp(a.as.str->chars, b.as.str->chars, a.as.str->len) == 0;
    case VAL_LIST:
        if (a.as.list == b.as.list) return 1;
        if (a.as.list->n != b.as.list->n) return 0;
        for (size_t i = 0; i < a.as.list->n; i++)
            if (!val_equal_at(a.as.list->items[i], b.as.list->items[i], depth + 1)) return 0;
        return 1;
    case VAL_BUILTIN: return a.as.fn == b.as.fn;
    case VAL_OBJ: return a.as.obj == b.as.obj;
    }
    return 0;
}

int val_equal(value a, value b)
{
    return val_equal_at(a, b, 0);
}

void val_format_num(double x, char out[32])
{
    if (isnan(x)) { strcpy(out, "nan"); return; }
    if (isinf(x)) { strcpy(out, x > 0 ? "inf" : "-inf"); return; }
    if (x == 0) { strcpy(out, "0"); return; }   /* -0 too: whole numbers print as ints */
    if (x == floor(x) && fabs(x) < 1e16) {
        snprintf(out, 32, "%.0f", x);
        return;
    }
    /* the shortest %g text that reads back as the same double, as Python's repr */
    for (int p = 1; p <= 17; p++) {
        snprintf(out, 32, "%.*g", p, x);
        if (strtod(out, NULL) == x) return;
    }
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 if invalid. */
static size_t val_utf8_len(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80 ? 1 : (s[0] >> 5) == 6 ? 2 : (s[0] >> 4) == 14 ? 3
               : (s[0] >> 3) == 30 ? 4 : 0;
    if (len == 0 || len > n) return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    return len;
}

size_t val_utf8_count(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; count++) {
        size_t len = val_utf8_len((const unsigned char *)s + i, n - i);
        i += len ? len : 1;
    }
    return count;
}

/* A repr stops growing past this many bytes and ends in "...": a list that holds
 * itself twice, 30 levels deep, would otherwise print 2^30 items (and a list of
 * 1000 references to a 256 MB string, 256 GB). */
#define VAL_REPR_MAX ((size_t)1 << 20)

/* A string in single quotes (double quotes if it holds ' but no "), escaping
 * control characters and invalid UTF-8 bytes as Python does. */
static void val_repr_str(const val_str *s, buf *out)
{
    char q = memchr(s->chars, '\'', s->len) && !memchr(s->chars, '"', s->len) ? '"' : '\'';
    buf_putc(out, q);
    const unsigned char *c = (const unsigned char *)s->chars;
    for (size_t i = 0; i < s->len;) {
        if (out->len > VAL_REPR_MAX) { buf_puts(out, "..."); break; }
        size_t len = val_utf8_len(c + i, s->len - i);
        if (c[i] == '\n') buf_puts(out, "\\n");
        else if (c[i] == '\t') buf_puts(out, "\\t");
        else if (c[i] == '\r') buf_puts(out, "\\r");
        else if (c[i] == '\\') buf_puts(out, "\\\\");
        else if (c[i] == (unsigned char)q) { buf_putc(out, '\\'); buf_putc(out, q); }
        else if (len == 0 || c[i] < 0x20 || c[i] == 0x7f) buf_printf(out, "\\x%02x", c[i]);
        else { buf_add(out, (const char *)c + i, len); i += len; continue; }
        i++;
    }
    buf_putc(out, q);
}

enum { VAL_REPR_ITEMS = 1000 };   /* a longer list shows its first items and a count */

static void val_repr_at(value v, buf *out, int depth);

static void val_repr_list(const val_list *l, buf *out, int depth)
{
    if (depth > 100) { buf_puts(out, "[...]"); return; }
    buf_putc(out, '[');
    for (size_t i = 0; i < l->n && i < VAL_REPR_ITEMS; i++) {
        if (out->len > VAL_REPR_MAX) { buf_puts(out, i ? ", ..." : "..."); break; }
        if (i) buf_puts(out, ", ");
        val_repr_at(l->items[i], out, depth + 1);
    }
    if (l->n > VAL_REPR_ITEMS)
        buf_printf(out, ", ... (%zu items in all)", l->n);
    buf_putc(out, ']');
}

void val_repr(value v, buf *out)
{
    val_repr_at(v, out, 0);
}

static void val_repr_at(value v, buf *out, int depth)
{
    char num[32];
    switch (v.kind) {
    case VAL_NONE: buf_puts(out, "none"); break;
    case VAL_BOOL: buf_puts(out, v.as.b ? "true" : "false"); break;
    case VAL_NUM: val_format_num(v.as.num, num); buf_puts(out, num); break;
    case VAL_STR: val_repr_str(v.as.str, out); break;
    case VAL_LIST: val_repr_list(v.as.list, out, depth); break;
    case VAL_BUILTIN: buf_printf(out, "<builtin %s>", v.as.fn->name); break;
    case VAL_OBJ:
        if (v.as.obj->type->repr) v.as.obj->type->repr(v.as.obj->data, out);
        else buf_printf(out, "<%s>", v.as.obj->type->name);
        break;
    }
}

void val_str_of(value v, buf *out)
{
    if (IS_STR(v)) buf_add(out, v.as.str->chars, v.as.str->len);
    else val_repr(v, out);
}
