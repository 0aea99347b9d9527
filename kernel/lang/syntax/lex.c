/* lex.c: the lexer (see lex.h), in the style of Lua's llex.c. */
#include "lex.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pyhint.h"

typedef struct lexer {
    const char *src, *p;     /* whole cell, current position */
    int line, col;
    arena *a;
    diag *err;
    token *toks;
    size_t n, cap;
    char open[LEX_MAX_DEPTH];   /* the stack of open brackets: ( [ { */
    int depth;
    int end_line, end_col;      /* just after the last token that is not a newline */
} lexer;

static const char *const lex_kw[] = {
    [TOK_IF] = "if", [TOK_ELSE] = "else", [TOK_FOR] = "for", [TOK_IN] = "in",
    [TOK_FN] = "fn", [TOK_RETURN] = "return", [TOK_TRUE] = "true",
    [TOK_FALSE] = "false", [TOK_NONE] = "none", [TOK_AND] = "and", [TOK_OR] = "or",
    [TOK_NOT] = "not", [TOK_TRAIN] = "train", [TOK_ON] = "on", [TOK_STEP] = "step",
    [TOK_NET] = "net",
};

static const char *const lex_names[TOK_COUNT] = {
    [TOK_EOF] = "end of input", [TOK_NEWLINE] = "a new line", [TOK_NUMBER] = "a number",
    [TOK_STRING] = "a string", [TOK_NAME] = "a name",
    [TOK_PLUS] = "'+'", [TOK_MINUS] = "'-'", [TOK_STAR] = "'*'", [TOK_SLASH] = "'/'",
    [TOK_PERCENT] = "'%'", [TOK_CARET] = "'^'", [TOK_EQ] = "'=='", [TOK_NE] = "'!='",
    [TOK_LT] = "'<'", [TOK_LE] = "'<='", [TOK_GT] = "'>'", [TOK_GE] = "'>='",
    [TOK_ASSIGN] = "'='", [TOK_COMMA] = "','", [TOK_COLON] = "':'", [TOK_SEMI] = "';'",
    [TOK_DOT] = "'.'", [TOK_DOTDOT] = "'..'", [TOK_LPAREN] = "'('", [TOK_RPAREN] = "')'",
    [TOK_LBRACKET] = "'['", [TOK_RBRACKET] = "']'", [TOK_LBRACE] = "'{'",
    [TOK_RBRACE] = "'}'",
    [TOK_IF] = "'if'", [TOK_ELSE] = "'else'", [TOK_FOR] = "'for'", [TOK_IN] = "'in'",
    [TOK_FN] = "'fn'", [TOK_RETURN] = "'return'", [TOK_TRUE] = "'true'",
    [TOK_FALSE] = "'false'", [TOK_NONE] = "'none'", [TOK_AND] = "'and'",
    [TOK_OR] = "'or'", [TOK_NOT] = "'not'", [TOK_TRAIN] = "'train'", [TOK_ON] = "'on'",
    [TOK_STEP] = "'step'", [TOK_NET] = "'net'",
};

const char *lex_kind_name(tok_kind kind)
{
    return kind < TOK_COUNT && lex_names[kind] ? lex_names[kind] : "?";
}

tok_kind lex_keyword(const char *s, size_t n)
{
    for (int k = TOK_FIRST_KEYWORD; k <= TOK_LAST_KEYWORD; k++)
        if (strlen(lex_kw[k]) == n && memcmp(lex_kw[k], s, n) == 0) return (tok_kind)k;
    return TOK_NAME;
}

const char *lex_keyword_text(tok_kind k)
{
    return k >= TOK_FIRST_KEYWORD && k <= TOK_LAST_KEYWORD ? lex_kw[k] : NULL;
}

/* Moves past one byte, keeping line and column (columns count code points). */
static void lex_advance(lexer *L)
{
    if (*L->p == '\n') { L->line++; L->col = 1; }
    else if (((unsigned char)*L->p & 0xC0) != 0x80) L->col++;
    L->p++;
}

static int lex_fail(lexer *L, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int lex_fail(lexer *L, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vset(L->err, "SyntaxError", line, col, fmt, ap);
    va_end(ap);
    return LEX_ERROR;
}

static token *lex_push(lexer *L, tok_kind kind, const char *start, int line, int col)
{
    if (L->n == L->cap) {
        size_t cap = L->cap ? L->cap * 2 : 64;
        token *t = arena_alloc(L->a, cap * sizeof *t);
        if (!t) return NULL;
        if (L->n) memcpy(t, L->toks, L->n * sizeof *t);
        L->toks = t;
        L->cap = cap;
    }
    token *t = &L->toks[L->n++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->start = start;
    t->len = (size_t)(L->p - start);
    t->line = line;
    t->col = col;
    if (kind != TOK_NEWLINE) { L->end_line = L->line; L->end_col = L->col; }
    return t;
}

static int lex_isdigit(char c) { return c >= '0' && c <= '9'; }
static int lex_isalpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (unsigned char)c >= 0x80;
}

/* Skips digits, allowing single '_' between them (1_000_000). */
static void lex_digits(lexer *L)
{
    while (lex_isdigit(*L->p) || (*L->p == '_' && lex_isdigit(L->p[1]))) lex_advance(L);
}

/* number -> digits ['.' digits] [('e'|'E') ['+'|'-'] digits]     digits -> DIGIT { ['_'] DIGIT } */
static int lex_number(lexer *L, int line, int col)
{
    const char *start = L->p;
    lex_digits(L);
    if (L->p[0] == '.' && lex_isdigit(L->p[1])) {
        lex_advance(L);
        lex_digits(L);
    }
    if (*L->p == 'e' || *L->p == 'E') {
        const char *q = L->p + 1;
        if (*q == '+' || *q == '-') q++;
        if (!lex_isdigit(*q)) return lex_fail(L, L->line, L->col, "malformed number: exponent has no digits");
        while (L->p < q) lex_advance(L);
        lex_digits(L);
    }
    if (lex_isalpha(*L->p)) return lex_fail(L, line, col, "malformed number (a letter follows the digits)");
    token *t = lex_push(L, TOK_NUMBER, start, line, col);
    if (!t) return lex_fail(L, line, col, "out of memory");
    char tmp[128];
    size_t n = 0;
    for (size_t i = 0; i < t->len && n < sizeof tmp - 1; i++)
        if (start[i] != '_') tmp[n++] = start[i];
    tmp[n] = 0;
    t->num = strtod(tmp, NULL);
    return LEX_OK;
}

static void lex_utf8(buf *b, unsigned long cp)
{
    if (cp < 0x80) buf_putc(b, (char)cp);
    else if (cp < 0x800) { buf_putc(b, (char)(0xC0 | cp >> 6)); buf_putc(b, (char)(0x80 | (cp & 63))); }
    else if (cp < 0x10000) {
        buf_putc(b, (char)(0xE0 | cp >> 12)); buf_putc(b, (char)(0x80 | ((cp >> 6) & 63)));
        buf_putc(b, (char)(0x80 | (cp & 63)));
    } else {
        buf_putc(b, (char)(0xF0 | cp >> 18)); buf_putc(b, (char)(0x80 | ((cp >> 12) & 63)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 63))); buf_putc(b, (char)(0x80 | (cp & 63)));
    }
}

static int lex_hex(char c)
{
    return lex_isdigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
         : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

/* \u{N...} (L->p is at the 'u'): appends the code point as UTF-8. */
static int lex_escape_unicode(lexer *L, buf *b, int line, int col)
{
    unsigned long cp = 0;
    int digits = 0;
    lex_advance(L);
    if (*L->p != '{') return lex_fail(L, line, col, "bad escape: \\u needs braces, as in \\u{3b2}");
    lex_advance(L);
    for (; lex_hex(*L->p) >= 0 && digits < 8; digits++, lex_advance(L)) cp = cp * 16 + (unsigned long)lex_hex(*L->p);
    if (*L->p != '}' || digits == 0) return lex_fail(L, line, col, "bad escape: \\u{...} needs 1 to 6 hex digits and '}'");
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return lex_fail(L, line, col, "bad escape: \\u{...} is not a Unicode code point");
    lex_advance(L);
    lex_utf8(b, cp);
    return LEX_OK;
}

/* One escape after the backslash (L->p is at the backslash): appends its bytes. */
static int lex_escape(lexer *L, buf *b)
{
    int line = L->line, col = L->col;
    lex_advance(L);
    char c = *L->p;
    const char *simple = strchr("nt\\\"'0r", c);
    if (c && simple) {
        static const char out[] = "\n\t\\\"'\0\r";
        buf_putc(b, out[simple - "nt\\\"'0r"]);
        lex_advance(L);
        return LEX_OK;
    }
    if (c == 'x') {
        int hi = lex_hex(L->p[1]), lo = hi < 0 ? -1 : lex_hex(L->p[2]);
        if (lo < 0) return lex_fail(L, line, col, "bad escape: \\x needs two hex digits");
        buf_putc(b, (char)(hi * 16 + lo));
        for (int i = 0; i < 3; i++) lex_advance(L);
        return LEX_OK;
    }
    if (c == 'u') return lex_escape_unicode(L, b, line, col);
    char bad[8] = {c, 0};
    return lex_fail(L, line, col, "unknown escape '\\%s' (use \\n \\t \\\\ \\\" \\' \\xNN or \\u{NNNN})", c ? bad : "");
}

/* string -> '"' chars '"' | "'" chars "'" (may span lines) */
static int lex_string(lexer *L, int line, int col)
{
    const char *start = L->p;
    char quote = *L->p;
    buf b;
    buf_init(&b);
    lex_advance(L);
    while (*L->p != quote) {
        if (!*L->p) {
            buf_free(&b);
            lex_fail(L, line, col, "unterminated string (it starts here)");
            return LEX_UNTERMINATED;
        }
        if (*L->p == '\\') {
            if (lex_escape(L, &b) < 0) { buf_free(&b); return LEX_ERROR; }
            continue;
        }
        buf_putc(&b, *L->p);
        lex_advance(L);
    }
    lex_advance(L);
    token *t = lex_push(L, TOK_STRING, start, line, col);
    char *text = t && !b.oom ? arena_strndup(L->a, b.data, b.len) : NULL;
    size_t len = b.len;
    buf_free(&b);
    if (!text) return lex_fail(L, line, col, "out of memory");
    t->text = text;
    t->text_len = len;
    return LEX_OK;
}

static int lex_name(lexer *L, int line, int col)
{
    const char *start = L->p;
    while (lex_isalpha(*L->p) || lex_isdigit(*L->p)) lex_advance(L);
    size_t n = (size_t)(L->p - start);
    const char *fstring = *L->p == '"' || *L->p == '\'' ? py_string_prefix(start, n) : NULL;
    if (fstring) return lex_fail(L, line, col, "%s", fstring);
    token *t = lex_push(L, lex_keyword(start, n), start, line, col);
    if (!t || !(t->text = arena_strndup(L->a, start, n))) return lex_fail(L, line, col, "out of memory");
    t->text_len = n;
    return LEX_OK;
}

/* The operator starting at p and its length (0 if none). */
static tok_kind lex_operator(const char *p, int *len)
{
    static const struct { const char *s; tok_kind k; } ops[] = {
        {"==", TOK_EQ}, {"!=", TOK_NE}, {"<=", TOK_LE}, {">=", TOK_GE}, {"..", TOK_DOTDOT},
        {"+", TOK_PLUS}, {"-", TOK_MINUS}, {"*", TOK_STAR}, {"/", TOK_SLASH},
        {"%", TOK_PERCENT}, {"^", TOK_CARET}, {"<", TOK_LT}, {">", TOK_GT},
        {"=", TOK_ASSIGN}, {",", TOK_COMMA}, {":", TOK_COLON}, {";", TOK_SEMI},
        {".", TOK_DOT}, {"(", TOK_LPAREN}, {")", TOK_RPAREN}, {"[", TOK_LBRACKET},
        {"]", TOK_RBRACKET}, {"{", TOK_LBRACE}, {"}", TOK_RBRACE},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t n = strlen(ops[i].s);
        if (strncmp(p, ops[i].s, n) == 0) { *len = (int)n; return ops[i].k; }
    }
    *len = 0;
    return TOK_EOF;
}

/* Keeps the bracket stack that decides whether a newline separates statements. */
static int lex_bracket(lexer *L, tok_kind k, int line, int col)
{
    if (k == TOK_LPAREN || k == TOK_LBRACKET || k == TOK_LBRACE) {
        if (L->depth == LEX_MAX_DEPTH) return lex_fail(L, line, col, "too many nested brackets (more than %d)", LEX_MAX_DEPTH);
        L->open[L->depth++] = k == TOK_LPAREN ? '(' : k == TOK_LBRACKET ? '[' : '{';
    } else if ((k == TOK_RPAREN || k == TOK_RBRACKET || k == TOK_RBRACE) && L->depth > 0) {
        L->depth--;
    }
    return LEX_OK;
}

static int lex_newline_counts(const lexer *L)
{
    if (L->depth > 0 && L->open[L->depth - 1] != '{') return 0;
    return L->n > 0 && L->toks[L->n - 1].kind != TOK_NEWLINE;
}

static int lex_symbol(lexer *L, int line, int col)
{
    int len;
    const char *start = L->p;
    const char *python = py_operator(L->p, &len);
    if (python) return lex_fail(L, line, col, "%s", python);
    tok_kind k = lex_operator(L->p, &len);
    if (len == 0) {
        char what[8] = {0};
        size_t n = 1;
        while (n < 4 && ((unsigned char)start[n] & 0xC0) == 0x80) n++;
        memcpy(what, start, n);
        return lex_fail(L, line, col, "unexpected character '%s'", what);
    }
    for (int i = 0; i < len; i++) lex_advance(L);
    if (!lex_push(L, k, start, line, col)) return lex_fail(L, line, col, "out of memory");
    return lex_bracket(L, k, line, col);
}

/* Checks that src is valid UTF-8; on failure reports where. */
static int lex_check_utf8(lexer *L)
{
    int line = 1, col = 1;
    for (const unsigned char *p = (const unsigned char *)L->src; *p;) {
        size_t len = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : (*p >> 3) == 30 ? 4 : 0;
        for (size_t i = 1; i < len; i++)
            if ((p[i] & 0xC0) != 0x80) len = 0;
        if (len == 0) return lex_fail(L, line, col, "invalid UTF-8 in the source");
        if (*p == '\n') { line++; col = 1; } else col++;
        p += len;
    }
    return LEX_OK;
}

static int lex_token(lexer *L)
{
    char c = *L->p;
    int line = L->line, col = L->col;
    if (c == ' ' || c == '\t' || c == '\r') { lex_advance(L); return LEX_OK; }
    if (c == '#') { while (*L->p && *L->p != '\n') lex_advance(L); return LEX_OK; }
    if (c == '\n') {
        const char *start = L->p;
        lex_advance(L);
        if (lex_newline_counts(L) && !lex_push(L, TOK_NEWLINE, start, line, col))
            return lex_fail(L, line, col, "out of memory");
        return LEX_OK;
    }
    if (lex_isdigit(c)) return lex_number(L, line, col);
    if (c == '"' || c == '\'') return lex_string(L, line, col);
    if (lex_isalpha(c)) return lex_name(L, line, col);
    return lex_symbol(L, line, col);
}

int lex_cell(const char *src, arena *a, token **toks, size_t *n, diag *err)
{
    lexer L = { .src = src, .p = src, .line = 1, .col = 1, .a = a, .err = err, .end_line = 1, .end_col = 1 };
    int st = lex_check_utf8(&L);
    while (st == LEX_OK && *L.p) st = lex_token(&L);
    if (st != LEX_OK) return st;
    /* end of input is reported just after the last token, not after trailing comments */
    if (!lex_push(&L, TOK_EOF, L.p, L.end_line, L.end_col)) return lex_fail(&L, L.line, L.col, "out of memory");
    *toks = L.toks;
    *n = L.n;
    return LEX_OK;
}
