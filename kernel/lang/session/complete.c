/* complete.c: the editor-facing entry points of latent.h: completion,
 * inspection and whether a cell is complete. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lex.h"
#include "registry.h"
#include "sess.h"

static int comp_is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || (unsigned char)c >= 0x80;
}

/* Scans code[0..end) as the lexer would (strings, comments, brackets) and
 * returns the byte offset of the innermost '(' still open at end, or -1; sets
 * *in_text when end lies inside a string or comment. */
static long comp_open_paren(const char *code, size_t end, int *in_text)
{
    long stack[LEX_MAX_DEPTH];
    int depth = 0;
    char quote = 0, comment = 0;
    for (size_t i = 0; i < end; i++) {
        char c = code[i];
        if (comment) { comment = c != '\n'; continue; }
        if (quote) {
            if (c == '\\' && i + 1 < end) i++;
            else if (c == quote) quote = 0;
            continue;
        }
        if (c == '"' || c == '\'') quote = c;
        else if (c == '#') comment = 1;
        else if ((c == '(' || c == '[' || c == '{') && depth < LEX_MAX_DEPTH) stack[depth++] = c == '(' ? (long)i : -1;
        else if ((c == ')' || c == ']' || c == '}') && depth > 0) depth--;
    }
    *in_text = quote || comment;
    return depth > 0 ? stack[depth - 1] : -1;
}

/* The builtin whose call's parentheses are open at cursor, or NULL. */
static const builtin *comp_open_call(const lt_session *s, const char *code, size_t cursor, int *in_text)
{
    long paren = comp_open_paren(code, cursor, in_text);
    if (paren <= 0) return NULL;
    size_t end = (size_t)paren, start = end;
    while (start > 0 && comp_is_ident(code[start - 1])) start--;
    char name[64];
    if (end == start || end - start >= sizeof name) return NULL;
    memcpy(name, code + start, end - start);
    name[end - start] = 0;
    return reg_find(s->reg, name);
}

typedef struct comp_list {
    char **v;
    int n, cap;
} comp_list;

static void comp_add(comp_list *l, const char *prefix, size_t plen, const char *word, const char *suffix)
{
    if (strncmp(word, prefix, plen) != 0) return;
    buf b;
    buf_init(&b);
    buf_printf(&b, "%s%s", word, suffix);
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->v[i], b.data) == 0) { buf_free(&b); return; }
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 32;
        char **v = realloc(l->v, (size_t)cap * sizeof *v);
        if (!v) { buf_free(&b); return; }
        l->v = v;
        l->cap = cap;
    }
    char *s = buf_take(&b);
    if (s) l->v[l->n++] = s;
}

static int comp_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the matches of one group and sorts that group alphabetically. */
static void comp_sorted(comp_list *l, int from)
{
    if (l->n - from > 1)   /* l->v may still be NULL: no pointer arithmetic on it */
        qsort(l->v + from, (size_t)(l->n - from), sizeof *l->v, comp_cmp);
}

/* The word of a train statement's header after tokens t[from..n) (those after 'on'):
 * epochs after the data, batch after the epochs; NULL when the data is not written yet
 * or both words are. */
static const char *comp_train_next(const token *t, size_t from, size_t n)
{
    int epochs = -1, batch = -1;
    for (size_t i = from; i < n; i++) {
        if (t[i].kind != TOK_NAME) continue;
        if (strcmp(t[i].text, "epochs") == 0) epochs = (int)i;
        if (strcmp(t[i].text, "batch") == 0 && epochs >= 0) batch = (int)i;
    }
    if (epochs < 0) return n > from ? "epochs" : NULL;
    return batch < 0 && (size_t)epochs + 1 < n ? "batch" : NULL;
}

/* In `train on DATA epochs N batch B {`, the word the header expects at byte start
 * (the words are names, not keywords, so nothing else offers them), or NULL. */
static const char *comp_train_word(const char *code, size_t start)
{
    char *head = malloc(start + 1);
    arena a = {0};
    diag err;
    token *t;
    size_t n;
    const char *word = NULL;
    if (!head) return NULL;
    memcpy(head, code, start);
    head[start] = 0;
    if (lex_cell(head, &a, &t, &n, &err) == LEX_OK) {
        long train = -1;   /* the last train whose header is still open */
        for (size_t i = 0; i + 1 < n; i++) {
            if (t[i].kind == TOK_TRAIN) train = (long)i;
            else if (t[i].kind == TOK_LBRACE || t[i].kind == TOK_NEWLINE || t[i].kind == TOK_SEMI) train = -1;
        }
        if (train >= 0 && t[train + 1].kind == TOK_ON) word = comp_train_next(t, (size_t)train + 2, n - 1);
    }
    arena_free(&a);
    free(head);
    return word;
}

int lt_complete(lt_session *s, const char *code, size_t cursor, lt_completion *out)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(code);
    if (cursor > len) cursor = len;
    size_t start = cursor;
    while (start > 0 && comp_is_ident(code[start - 1])) start--;
    out->start = start;
    out->end = cursor;
    int in_text;
    const builtin *call = comp_open_call(s, code, start, &in_text);
    if (in_text) return 0;
    const char *prefix = code + start;
    size_t plen = cursor - start;
    comp_list l = {0};
    const char *train_word = comp_train_word(code, start);
    if (train_word) comp_add(&l, prefix, plen, train_word, "");
    for (const char *const *k = call && call->keywords != reg_any_keywords ? call->keywords : NULL; k && *k; k++) comp_add(&l, prefix, plen, *k, "=");
    comp_sorted(&l, 0);
    int from = l.n;
    for (size_t i = 0; i < env_slots(s->globals); i++)
        if (env_name(s->globals, i)) comp_add(&l, prefix, plen, env_name(s->globals, i), "");
    for (size_t i = 0; reg_at(s->reg, i); i++) comp_add(&l, prefix, plen, reg_at(s->reg, i)->name, "");
    comp_sorted(&l, from);
    from = l.n;
    for (int k = TOK_FIRST_KEYWORD; k <= TOK_LAST_KEYWORD; k++)
        comp_add(&l, prefix, plen, lex_keyword_text((tok_kind)k), "");
    comp_sorted(&l, from);
    out->matches = l.v;
    out->n = l.n;
    return 0;
}

void lt_completion_free(lt_completion *c)
{
    if (!c) return;
    for (int i = 0; i < c->n; i++) free(c->matches[i]);
    free(c->matches);
    c->matches = NULL;
    c->n = 0;
}

/* The identifier at or just before cursor, or the callee of the call whose
 * parentheses are open there; copied into name. Returns 0 if there is none. */
static int comp_word_at(const char *code, size_t cursor, char *name, size_t cap)
{
    size_t len = strlen(code);
    if (cursor > len) cursor = len;
    size_t start = cursor, end = cursor;
    while (start > 0 && comp_is_ident(code[start - 1])) start--;
    while (end < len && comp_is_ident(code[end])) end++;
    if (start == end) {
        int in_text;
        long paren = comp_open_paren(code, cursor, &in_text);
        if (paren <= 0 || in_text) return 0;
        end = start = (size_t)paren;
        while (start > 0 && comp_is_ident(code[start - 1])) start--;
    }
    if (start == end || end - start >= cap) return 0;
    memcpy(name, code + start, end - start);
    name[end - start] = 0;
    return 1;
}

enum { COMP_SUMMARY_MAX = 2000 };

char *lt_inspect(lt_session *s, const char *code, size_t cursor, int detail_level)
{
    (void)detail_level;
    char name[128];
    if (!comp_word_at(code, cursor, name, sizeof name)) return NULL;
    buf b;
    buf_init(&b);
    const value *v = env_get(s->globals, name);
    const builtin *fn = reg_find(s->reg, name);
    const char *kw = reg_keyword_doc(s->reg, name);
    if (v) {
        buf_printf(&b, "%s: %s\n    ", name, val_type_name(*v));
        val_repr(*v, &b);
        if (b.len > COMP_SUMMARY_MAX) { b.len = COMP_SUMMARY_MAX; buf_puts(&b, " ..."); }
        buf_putc(&b, '\n');
    } else if (fn) {
        /* every builtin of that name (cross_entropy: on distributions and on logits) */
        for (size_t i = 0; reg_at(s->reg, i); i++)
            if (strcmp(reg_at(s->reg, i)->name, name) == 0) {
                if (b.len) buf_putc(&b, '\n');
                reg_help_text(reg_at(s->reg, i), &b);
            }
    } else if (kw) {
        buf_printf(&b, "%s (keyword)\n    %s\n", name, kw);
    } else {
        /* a keyword argument (lr in adam(enc, lr=...)): the help of the open call */
        int in_text;
        const builtin *call = comp_open_call(s, code, cursor, &in_text);
        if (!call || in_text) return NULL;
        reg_help_text(call, &b);
    }
    return buf_take(&b);
}

static int comp_continues(tok_kind k)
{
    return (k >= TOK_PLUS && k <= TOK_DOTDOT && k != TOK_SEMI) || k == TOK_AND || k == TOK_OR ||
           k == TOK_NOT || k == TOK_ELSE || k == TOK_IN;
}

const char *lt_is_complete(const char *code, char *indent, size_t indent_cap)
{
    arena a = {0};
    diag err;
    token *t;
    size_t n;
    tok_kind stack[LEX_MAX_DEPTH];
    int depth = 0;
    const char *status = "complete";
    if (indent && indent_cap) indent[0] = 0;
    int st = lex_cell(code, &a, &t, &n, &err);
    if (st == LEX_UNTERMINATED) status = "incomplete";
    else if (st != LEX_OK) status = "invalid";
    for (size_t i = 0; st == LEX_OK && i < n && status[0] == 'c'; i++) {
        tok_kind k = t[i].kind;
        if (k == TOK_LPAREN || k == TOK_LBRACKET || k == TOK_LBRACE) stack[depth++] = k;
        else if (k == TOK_RPAREN || k == TOK_RBRACKET || k == TOK_RBRACE) {
            tok_kind want = k == TOK_RPAREN ? TOK_LPAREN : k == TOK_RBRACKET ? TOK_LBRACKET : TOK_LBRACE;
            if (depth == 0 || stack[depth - 1] != want) status = "invalid";
            else depth--;
        }
    }
    size_t last = n >= 2 ? n - 2 : 0;
    while (st == LEX_OK && last > 0 && t[last].kind == TOK_NEWLINE) last--;
    if (status[0] == 'c' && (depth > 0 || (n >= 2 && comp_continues(t[last].kind)))) status = "incomplete";
    if (strcmp(status, "incomplete") == 0 && indent)
        for (size_t i = 0; i < (size_t)depth * 4 && i + 1 < indent_cap; i++) { indent[i] = ' '; indent[i + 1] = 0; }
    arena_free(&a);
    return status;
}
