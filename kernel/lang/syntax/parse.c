/* parse.c: the parser (see parse.h). One function per grammar rule, the rule
 * as its first comment; expressions through the Pratt table parse_rules. */
#include "parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "lex.h"
#include "pyhint.h"

typedef struct parser {
    token *t;        /* all tokens of the cell, ending with TOK_EOF */
    size_t pos;
    arena *a;
    diag *err;
    int depth;
    const token *left_start;   /* the first token of the left operand of the infix running */
} parser;

typedef enum prec {
    PREC_NONE, PREC_OR, PREC_AND, PREC_NOT, PREC_CMP, PREC_SUM, PREC_PRODUCT,
    PREC_UNARY, PREC_POWER, PREC_POSTFIX
} prec;

typedef ast_node *(*parse_prefix_fn)(parser *p, const token *t);
typedef ast_node *(*parse_infix_fn)(parser *p, const token *t, ast_node *left);
typedef struct parse_rule {
    parse_prefix_fn prefix;
    parse_infix_fn infix;
    prec prec;       /* of the infix use */
} parse_rule;

static const parse_rule parse_rules[TOK_COUNT];

/* A growing array of children (and keyword names) in the arena. */
typedef struct parse_vec {
    ast_node **v;
    ast_node **keys;
    int n, cap;
} parse_vec;

static ast_node *parse_expr_prec(parser *p, prec pr);
static ast_node *parse_stmt(parser *p);
static ast_node *parse_block(parser *p);

int ast_is_expr(const ast_node *n)
{
    return n->kind <= AST_INDEX;
}

static const token *parse_peek(const parser *p) { return &p->t[p->pos]; }

static const token *parse_next(parser *p)
{
    const token *t = &p->t[p->pos];
    if (t->kind != TOK_EOF) p->pos++;
    return t;
}

static int parse_check(const parser *p, tok_kind k) { return p->t[p->pos].kind == k; }

static int parse_match(parser *p, tok_kind k)
{
    if (!parse_check(p, k)) return 0;
    parse_next(p);
    return 1;
}

/* Moves past a NAME (or 'net', a name where no net is defined) and returns 1, or 0. */
static int parse_match_name(parser *p)
{
    return parse_match(p, TOK_NAME) || parse_match(p, TOK_NET);
}

/* Records a SyntaxError at token t (only the first error counts); returns NULL. */
static ast_node *parse_fail(parser *p, const token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static ast_node *parse_fail(parser *p, const token *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (!p->err->name) diag_vset(p->err, "SyntaxError", t->line, t->col, fmt, ap);
    va_end(ap);
    return NULL;
}

static ast_node *parse_node(parser *p, ast_kind kind, const token *at)
{
    ast_node *n = arena_alloc(p->a, sizeof *n);
    if (!n) return parse_fail(p, at, "out of memory");
    n->kind = kind;
    n->line = at->line;
    n->col = at->col;
    return n;
}

static int parse_vec_push(parser *p, parse_vec *v, ast_node *n, ast_node *key)
{
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 8;
        ast_node **nv = arena_alloc(p->a, (size_t)cap * sizeof *nv);
        ast_node **nn = arena_alloc(p->a, (size_t)cap * sizeof *nn);
        if (!nv || !nn) { parse_fail(p, parse_peek(p), "out of memory"); return -1; }
        if (v->n) {
            memcpy(nv, v->v, (size_t)v->n * sizeof *nv);
            memcpy(nn, v->keys, (size_t)v->n * sizeof *nn);
        }
        v->v = nv;
        v->keys = nn;
        v->cap = cap;
    }
    v->v[v->n] = n;
    v->keys[v->n++] = key;
    return 0;
}

/* Expects a closing token for the opener `open`; Lua's "'}' expected (to close
 * '{' at line 3)" when they are on different lines. */
static int parse_close(parser *p, tok_kind close, const token *open)
{
    if (parse_match(p, close)) return 0;
    const token *t = parse_peek(p);
    if (t->line != open->line)
        parse_fail(p, t, "%s expected (to close %s at line %d)", lex_kind_name(close), lex_kind_name(open->kind), open->line);
    else
        parse_fail(p, t, "%s expected, got %s", lex_kind_name(close), lex_kind_name(t->kind));
    return -1;
}

static int parse_enter(parser *p, const token *t)
{
    if (++p->depth <= PARSE_MAX_DEPTH) return 0;
    parse_fail(p, t, "nested too deeply (more than %d levels of expressions or blocks)", PARSE_MAX_DEPTH);
    return -1;
}

/* ---- expressions ------------------------------------------------------- */

/* "expected an expression, got X", and for a keyword how to ask about it. */
static ast_node *parse_no_expr(parser *p, const token *t)
{
    const char *kw = lex_keyword_text(t->kind);
    if (kw)
        return parse_fail(p, t, "expected an expression, got '%s' (a keyword: help(\"%s\") explains it)", kw, kw);
    return parse_fail(p, t, "expected an expression, got %s", lex_kind_name(t->kind));
}

/* expr -> an expression of any precedence (Pratt) */
static ast_node *parse_expr(parser *p)
{
    return parse_expr_prec(p, PREC_OR);
}

static ast_node *parse_expr_prec(parser *p, prec pr)
{
    const token *t = parse_next(p);
    if (parse_enter(p, t) < 0) return NULL;
    const token *first = t;
    parse_prefix_fn prefix = parse_rules[t->kind].prefix;
    ast_node *left = prefix ? prefix(p, t) : parse_no_expr(p, t);
    while (left && pr <= parse_rules[parse_peek(p)->kind].prec) {
        t = parse_next(p);
        p->left_start = first;
        left = parse_rules[t->kind].infix(p, t, left);
    }
    p->depth--;
    return left;
}

/* number -> NUMBER */
static ast_node *parse_number(parser *p, const token *t)
{
    ast_node *n = parse_node(p, AST_NUM, t);
    if (n) n->num = t->num;
    return n;
}

/* string -> STRING */
static ast_node *parse_string(parser *p, const token *t)
{
    ast_node *n = parse_node(p, AST_STR, t);
    if (n) { n->text = t->text; n->text_len = t->text_len; }
    return n;
}

/* What token kind k is to py_word. */
static py_next parse_py_next(tok_kind k)
{
    if (k == TOK_NAME) return PY_NEXT_NAME;
    if (k == TOK_COLON) return PY_NEXT_COLON;
    if (k == TOK_ASSIGN || k == TOK_NEWLINE || k == TOK_EOF || k == TOK_SEMI || k == TOK_RPAREN || k == TOK_COMMA)
        return PY_NEXT_END;
    return PY_NEXT_OTHER;
}

/* name -> NAME   ('net' is a name too, where no net definition can be) */
static ast_node *parse_name(parser *p, const token *t)
{
    const char *python = t->kind == TOK_NAME ? py_word(t->text, parse_py_next(parse_peek(p)->kind)) : NULL;
    if (python) return parse_fail(p, t, "%s", python);
    ast_node *n = parse_node(p, AST_NAME, t);
    if (n) { n->text = t->text; n->text_len = t->text_len; }
    return n;
}

/* literal -> 'true' | 'false' | 'none' */
static ast_node *parse_literal(parser *p, const token *t)
{
    return parse_node(p, t->kind == TOK_TRUE ? AST_TRUE : t->kind == TOK_FALSE ? AST_FALSE : AST_NONE, t);
}

/* group -> '(' expr ')' */
static ast_node *parse_group(parser *p, const token *t)
{
    ast_node *e = parse_expr(p);
    if (!e || parse_close(p, TOK_RPAREN, t) < 0) return NULL;
    return e;
}

/* list -> '[' [ expr { ',' expr } [ ',' ] ] ']' */
static ast_node *parse_list(parser *p, const token *t)
{
    parse_vec v = {0};
    while (!parse_check(p, TOK_RBRACKET) && !parse_check(p, TOK_EOF)) {
        ast_node *e = parse_expr(p);
        if (!e || parse_vec_push(p, &v, e, NULL) < 0) return NULL;
        if (parse_check(p, TOK_FOR))
            return parse_fail(p, parse_peek(p), "Latent has no comprehensions ([f(v) for v in l]): build the list "
                              "in a loop, out = []; for v in l { out = out + [f(v)] }");
        if (!parse_match(p, TOK_COMMA)) break;
    }
    if (parse_close(p, TOK_RBRACKET, t) < 0) return NULL;
    ast_node *n = parse_node(p, AST_LIST, t);
    if (n) { n->items = v.v; n->n = v.n; }
    return n;
}

/* unary -> ('-' | '+') expr(unary) | 'not' expr(not) */
static ast_node *parse_unary(parser *p, const token *t)
{
    ast_node *operand = parse_expr_prec(p, t->kind == TOK_NOT ? PREC_NOT : PREC_UNARY);
    ast_node *n = operand ? parse_node(p, AST_UNARY, t) : NULL;
    if (n) { n->op = t->kind; n->a = operand; }
    return n;
}

/* binary -> expr OP expr(one tighter than OP), except '^': expr '^' expr(power) */
static ast_node *parse_binary(parser *p, const token *t, ast_node *left)
{
    prec pr = parse_rules[t->kind].prec;
    ast_node *right = parse_expr_prec(p, pr == PREC_POWER ? PREC_POWER : (prec)(pr + 1));
    if (!right) return NULL;
    ast_kind kind = t->kind == TOK_AND ? AST_AND : t->kind == TOK_OR ? AST_OR : AST_BINARY;
    ast_node *n = parse_node(p, kind, t);
    if (n) { n->op = t->kind; n->a = left; n->b = right; }
    return n;
}

/* help(train): a keyword alone as help's argument stands for its name, help("train"). */
static int parse_help_keyword(const parser *p, const ast_node *callee)
{
    const token *at = parse_peek(p);
    return callee->kind == AST_NAME && strcmp(callee->text, "help") == 0 && lex_keyword_text(at->kind) &&
           p->t[p->pos + 1].kind == TOK_RPAREN;
}

/* call -> expr '(' [ arg { ',' arg } [ ',' ] ] ')'     arg -> [ NAME '=' ] expr */
static ast_node *parse_call(parser *p, const token *t, ast_node *callee)
{
    parse_vec v = {0};
    int seen_keyword = 0;
    while (!parse_check(p, TOK_RPAREN) && !parse_check(p, TOK_EOF)) {
        ast_node *key = NULL;
        const token *at = parse_peek(p);
        /* `train` is reserved, but fashion_mnist(train=true) names a keyword with it */
        int reserved = at->kind == TOK_TRAIN || at->kind == TOK_NET;
        if ((at->kind == TOK_NAME || reserved) && p->t[p->pos + 1].kind == TOK_ASSIGN) {
            if (!(key = parse_name(p, at))) return NULL;
            p->pos += 2;
            seen_keyword = 1;
        } else if (seen_keyword) {
            return parse_fail(p, at, "a positional argument cannot follow keyword arguments");
        }
        ast_node *e = parse_help_keyword(p, callee) ? parse_string(p, parse_next(p)) : parse_expr(p);
        if (!e || parse_vec_push(p, &v, e, key) < 0) return NULL;
        if (!parse_match(p, TOK_COMMA)) break;
    }
    if (parse_close(p, TOK_RPAREN, t) < 0) return NULL;
    ast_node *n = parse_node(p, AST_CALL, t);
    if (!n) return NULL;
    n->line = callee->line;
    n->col = callee->col;
    n->a = callee;
    n->items = v.v;
    n->keys = v.keys;
    n->n = v.n;
    return n;
}

/* subscript -> expr | [ expr ] ':' [ expr ] */
static ast_node *parse_subscript(parser *p)
{
    const token *at = parse_peek(p);
    ast_node *lo = NULL, *hi = NULL;
    if (!parse_check(p, TOK_COLON) && !(lo = parse_expr(p))) return NULL;
    if (!parse_check(p, TOK_COLON)) return lo;
    const token *colon = parse_next(p);
    if (!parse_check(p, TOK_COMMA) && !parse_check(p, TOK_RBRACKET) && !(hi = parse_expr(p))) return NULL;
    ast_node *n = parse_node(p, AST_SLICE, lo ? at : colon);
    if (n) { n->a = lo; n->b = hi; }
    return n;
}

/* index -> expr '[' subscript { ',' subscript } ']'
 * (one plain expression: b; otherwise items, b NULL) */
static ast_node *parse_index(parser *p, const token *t, ast_node *left)
{
    parse_vec v = {0};
    do {
        ast_node *e = parse_subscript(p);
        if (!e || parse_vec_push(p, &v, e, NULL) < 0) return NULL;
    } while (parse_match(p, TOK_COMMA));
    if (parse_close(p, TOK_RBRACKET, t) < 0) return NULL;
    ast_node *n = parse_node(p, AST_INDEX, t);
    if (!n) return NULL;
    n->a = left;
    if (v.n == 1 && v.v[0]->kind != AST_SLICE) n->b = v.v[0];
    else { n->items = v.v; n->n = v.n; }
    return n;
}

/* The ')' that closes the '(' at token open, or NULL. */
static const token *parse_close_at(const token *open)
{
    int depth = 0;
    for (const token *k = open; k->kind != TOK_EOF; k++) {
        depth += k->kind == TOK_LPAREN ? 1 : k->kind == TOK_RPAREN ? -1 : 0;
        if (depth == 0) return k;
    }
    return NULL;
}

/* dot -> expr '.' NAME { '.' NAME } [ '(' ]: Python's attributes and methods, which
 * Latent does not have; always a SyntaxError that names the Latent way (pyhint.h). */
static ast_node *parse_dot(parser *p, const token *t, ast_node *left)
{
    (void)left;
    const token *attr = parse_peek(p);
    if (attr->kind != TOK_NAME && !lex_keyword_text(attr->kind))
        return parse_fail(p, t, "unexpected '.' (Latent has no attributes; numbers are written 0.5)");
    while (p->t[p->pos + 1].kind == TOK_DOT && p->t[p->pos + 2].kind == TOK_NAME) {
        p->pos += 2;
        attr = parse_peek(p);
    }
    const token *start = p->left_start;
    size_t len = (size_t)(t->start - start->start), all = (size_t)(attr->start + attr->len - start->start);
    while (len > 0 && (start->start[len - 1] == ' ' || start->start[len - 1] == '\t')) len--;
    char obj[48], written[96];
    if (len >= sizeof obj || memchr(start->start, '\n', len)) snprintf(obj, sizeof obj, "x");
    else snprintf(obj, sizeof obj, "%.*s", (int)len, start->start);
    if (start->kind == TOK_LPAREN && parse_close_at(start) == t - 1) {   /* (x + 1).T: transpose(x + 1) */
        memmove(obj, obj + 1, strlen(obj));
        obj[strlen(obj) - 1] = 0;
    }
    if (all >= sizeof written || memchr(start->start, '\n', all)) snprintf(written, sizeof written, "%s.%s", obj, attr->text);
    else snprintf(written, sizeof written, "%.*s", (int)all, start->start);
    int call = p->t[p->pos + 1].kind == TOK_LPAREN, args = call && p->t[p->pos + 2].kind != TOK_RPAREN;
    buf b;
    buf_init(&b);
    py_attr(obj, written, attr->text, call, args, &b);
    parse_fail(p, t, "%s", b.oom ? "Latent has no attributes or methods" : b.data);
    buf_free(&b);
    return NULL;
}

static const parse_rule parse_rules[TOK_COUNT] = {
    [TOK_DOT]      = {NULL, parse_dot, PREC_POSTFIX},
    [TOK_NET]      = {parse_name, NULL, PREC_NONE},
    [TOK_NUMBER]   = {parse_number, NULL, PREC_NONE},
    [TOK_STRING]   = {parse_string, NULL, PREC_NONE},
    [TOK_NAME]     = {parse_name, NULL, PREC_NONE},
    [TOK_TRUE]     = {parse_literal, NULL, PREC_NONE},
    [TOK_FALSE]    = {parse_literal, NULL, PREC_NONE},
    [TOK_NONE]     = {parse_literal, NULL, PREC_NONE},
    [TOK_LPAREN]   = {parse_group, parse_call, PREC_POSTFIX},
    [TOK_LBRACKET] = {parse_list, parse_index, PREC_POSTFIX},
    [TOK_NOT]      = {parse_unary, NULL, PREC_NONE},
    [TOK_MINUS]    = {parse_unary, parse_binary, PREC_SUM},
    [TOK_PLUS]     = {parse_unary, parse_binary, PREC_SUM},
    [TOK_STAR]     = {NULL, parse_binary, PREC_PRODUCT},
    [TOK_SLASH]    = {NULL, parse_binary, PREC_PRODUCT},
    [TOK_PERCENT]  = {NULL, parse_binary, PREC_PRODUCT},
    [TOK_CARET]    = {NULL, parse_binary, PREC_POWER},
    [TOK_EQ]       = {NULL, parse_binary, PREC_CMP},
    [TOK_NE]       = {NULL, parse_binary, PREC_CMP},
    [TOK_LT]       = {NULL, parse_binary, PREC_CMP},
    [TOK_LE]       = {NULL, parse_binary, PREC_CMP},
    [TOK_GT]       = {NULL, parse_binary, PREC_CMP},
    [TOK_GE]       = {NULL, parse_binary, PREC_CMP},
    [TOK_AND]      = {NULL, parse_binary, PREC_AND},
    [TOK_OR]       = {NULL, parse_binary, PREC_OR},
};

/* ---- statements -------------------------------------------------------- */

/* A closer with nothing open: "unexpected '}' (no '{' is open)". */
static ast_node *parse_stray(parser *p, const token *t)
{
    const char *open = t->kind == TOK_RBRACE ? "'{'" : t->kind == TOK_RPAREN ? "'('" : "'['";
    return parse_fail(p, t, "unexpected %s (no %s is open)", lex_kind_name(t->kind), open);
}

static int parse_is_closer(tok_kind k)
{
    return k == TOK_RBRACE || k == TOK_RPAREN || k == TOK_RBRACKET;
}

static int parse_is_sep(const parser *p)
{
    return parse_check(p, TOK_NEWLINE) || parse_check(p, TOK_SEMI);
}

/* Something follows statement s on its line: "expected a new line or ';'", and what was
 * probably meant: a statement keyword misspelt (retrun x), Python's x = a if c else b. */
static ast_node *parse_after_stmt(parser *p, const ast_node *s)
{
    static const tok_kind starts[] = {TOK_IF, TOK_FOR, TOK_FN, TOK_RETURN, TOK_TRAIN, TOK_STEP, TOK_NET, TOK_ELSE};
    const token *t = parse_peek(p);
    const char *best = NULL;
    int best_d = 100, d;
    for (size_t i = 0; s->kind == AST_NAME && i < sizeof starts / sizeof starts[0]; i++)
        if (diag_close_word(s->text, lex_keyword_text(starts[i]), &d) && d < best_d) {
            best = lex_keyword_text(starts[i]);
            best_d = d;
        }
    if (best)
        return parse_fail(p, t, "expected a new line or ';' after '%s', got %s ('%s' is no keyword; did you mean '%s'?)",
                          s->text, lex_kind_name(t->kind), s->text, best);
    if (t->kind == TOK_IF)
        return parse_fail(p, t, "Latent has no conditional expression (a if c else b): write if c { x = a } else { x = b }");
    return parse_fail(p, t, "expected a new line or ';' after the statement, got %s", lex_kind_name(t->kind));
}

/* stmts -> { sep } [ stmt { sep { sep } stmt } { sep } ]     sep -> NEWLINE | ';'
 * (ends before `end`: '}' or end of input) */
static ast_node *parse_stmts(parser *p, tok_kind end, const token *at)
{
    parse_vec v = {0};
    while (parse_is_sep(p)) parse_next(p);
    while (!parse_check(p, end) && !parse_check(p, TOK_EOF)) {
        ast_node *s = parse_stmt(p);
        if (!s || parse_vec_push(p, &v, s, NULL) < 0) return NULL;
        if (!parse_is_sep(p) && !parse_check(p, end) && !parse_check(p, TOK_EOF)) {
            if (end == TOK_EOF && parse_is_closer(parse_peek(p)->kind)) return parse_stray(p, parse_peek(p));
            return parse_after_stmt(p, s);
        }
        while (parse_is_sep(p)) parse_next(p);
    }
    ast_node *n = parse_node(p, AST_BLOCK, at);
    if (n) { n->items = v.v; n->n = v.n; }
    return n;
}

/* block -> '{' stmts '}' */
static ast_node *parse_block(parser *p)
{
    const token *open = parse_peek(p);
    if (!parse_match(p, TOK_LBRACE)) {
        const char *hint = open->kind == TOK_ASSIGN ? " (use '==' to compare)"
                         : open->kind == TOK_COLON ? " (a block is { ... }, not ':' and an indent as in Python)" : "";
        return parse_fail(p, open, "'{' expected, got %s%s", lex_kind_name(open->kind), hint);
    }
    if (parse_enter(p, open) < 0) return NULL;
    ast_node *b = parse_stmts(p, TOK_RBRACE, open);
    if (!b || parse_close(p, TOK_RBRACE, open) < 0) return NULL;
    p->depth--;
    return b;
}

/* if_stmt -> 'if' expr block [ 'else' ( if_stmt | block ) ]   (else may start a new line) */
static ast_node *parse_if(parser *p)
{
    const token *t = parse_next(p);
    ast_node *n = parse_node(p, AST_IF, t);
    if (!n || !(n->a = parse_expr(p)) || !(n->b = parse_block(p))) return NULL;
    size_t save = p->pos;
    while (parse_check(p, TOK_NEWLINE)) parse_next(p);
    if (!parse_match(p, TOK_ELSE)) { p->pos = save; return n; }
    n->c = parse_check(p, TOK_IF) ? parse_if(p) : parse_block(p);
    return n->c ? n : NULL;
}

/* for_stmt -> 'for' NAME 'in' expr [ '..' expr ] block */
static ast_node *parse_for(parser *p)
{
    const token *t = parse_next(p);
    const token *name = parse_peek(p);
    if (!parse_match_name(p))
        return parse_fail(p, name, "expected the loop variable's name after 'for', got %s", lex_kind_name(name->kind));
    if (parse_check(p, TOK_COMMA)) {
        const token *second = &p->t[p->pos + 1];
        return parse_fail(p, parse_peek(p), "a for loop takes one name: for i in 0 .. len(l) - 1 { %s = l[i] } "
                          "(Latent has no enumerate or zip)", second->kind == TOK_NAME ? second->text : "v");
    }
    if (!parse_match(p, TOK_IN))
        return parse_fail(p, parse_peek(p), "'in' expected after 'for %s', got %s", name->text, lex_kind_name(parse_peek(p)->kind));
    ast_node *n = parse_node(p, AST_FOR, t);
    if (!n || !(n->a = parse_expr(p))) return NULL;
    n->text = name->text;
    n->text_len = name->text_len;
    if (parse_match(p, TOK_DOTDOT) && !(n->b = parse_expr(p))) return NULL;
    return (n->c = parse_block(p)) ? n : NULL;
}

/* exprs -> expr { ',' expr }   (several: a list, as Python's tuple a, b) */
static ast_node *parse_exprs(parser *p)
{
    const token *at = parse_peek(p);
    ast_node *e = parse_expr(p);
    if (!e || !parse_check(p, TOK_COMMA)) return e;
    parse_vec v = {0};
    if (parse_vec_push(p, &v, e, NULL) < 0) return NULL;
    while (parse_match(p, TOK_COMMA))
        if (!(e = parse_expr(p)) || parse_vec_push(p, &v, e, NULL) < 0) return NULL;
    ast_node *n = parse_node(p, AST_LIST, at);
    if (n) { n->items = v.v; n->n = v.n; }
    return n;
}

/* unpack_stmt -> NAME ',' NAME { ',' NAME } '=' exprs   (first: the first name, parsed) */
static ast_node *parse_unpack(parser *p, ast_node *first)
{
    parse_vec v = {0};
    if (parse_vec_push(p, &v, first, NULL) < 0) return NULL;
    while (parse_match(p, TOK_COMMA)) {
        const token *t = parse_peek(p);
        if (t->kind != TOK_NAME && t->kind != TOK_NET)
            return parse_fail(p, t, "only names can be unpacked into: a, b = [1, 2]");
        ast_node *name = parse_name(p, parse_next(p));
        if (!name || parse_vec_push(p, &v, name, NULL) < 0) return NULL;
    }
    const token *eq = parse_peek(p);
    if (!parse_match(p, TOK_ASSIGN))
        return parse_fail(p, eq, "'=' expected after %s, ... (unpacking: a, b = f() takes the items of the list "
                          "f returns; a list is written [a, b])", first->text);
    ast_node *n = parse_node(p, AST_UNPACK, eq);
    if (!n || !(n->b = parse_exprs(p))) return NULL;
    n->line = first->line;
    n->col = first->col;
    n->items = v.v;
    n->n = v.n;
    return n;
}

/* simple_stmt -> expr [ '=' expr ] | unpack_stmt   (the target: NAME or expr '[' expr ']') */
static ast_node *parse_simple(parser *p)
{
    ast_node *target = parse_expr(p);
    if (target && target->kind == AST_NAME && parse_check(p, TOK_COMMA)) return parse_unpack(p, target);
    if (!target || !parse_check(p, TOK_ASSIGN)) return target;
    const token *eq = parse_next(p);
    if (target->kind == AST_INDEX && !target->b)
        return parse_fail(p, eq, "cannot assign to a slice or to several indices at once (only to one item a[i] "
                          "of a list; a tensor is computed anew, not changed in place)");
    if (target->kind != AST_NAME && (target->kind != AST_INDEX || !target->b))
        return parse_fail(p, eq, "cannot assign to this expression (only to a name or an item a[i])");
    ast_node *value = parse_expr(p);
    if (!value) return NULL;
    ast_node *n = parse_node(p, target->kind == AST_NAME ? AST_ASSIGN : AST_SET_INDEX, eq);
    if (!n) return NULL;
    n->line = target->line;
    n->col = target->col;
    if (target->kind == AST_NAME) {
        n->text = target->text;
        n->text_len = target->text_len;
        n->b = value;
    } else {
        n->a = target->a;
        n->b = target->b;
        n->c = value;
    }
    return n;
}

/* A contextual word of a statement (epochs, batch): a NAME spelt `word`. */
static int parse_word(parser *p, const char *word, const char *after)
{
    const token *t = parse_peek(p);
    if (t->kind == TOK_NAME && strcmp(t->text, word) == 0) { parse_next(p); return 0; }
    if (t->kind == TOK_NAME)
        parse_fail(p, t, "'%s' expected after %s, got '%s'", word, after, t->text);
    else
        parse_fail(p, t, "'%s' expected after %s, got %s", word, after, lex_kind_name(t->kind));
    return -1;
}

/* train_stmt -> 'train' 'on' expr 'epochs' expr 'batch' expr block */
static ast_node *parse_train(parser *p)
{
    const token *t = parse_next(p);
    if (!parse_match(p, TOK_ON))
        return parse_fail(p, parse_peek(p), "'on' expected after 'train' (train on DATA epochs N batch B { ... })");
    ast_node *n = parse_node(p, AST_TRAIN, t);
    if (!n || !(n->a = parse_expr(p)) || parse_word(p, "epochs", "the data") < 0) return NULL;
    if (!(n->b = parse_expr(p)) || parse_word(p, "batch", "the number of epochs") < 0) return NULL;
    if (!(n->c = parse_expr(p))) return NULL;
    ast_node *body = parse_block(p);
    if (!body) return NULL;
    n->items = arena_alloc(p->a, sizeof *n->items);
    if (!n->items) return parse_fail(p, t, "out of memory");
    n->items[0] = body;
    n->n = 1;
    return n;
}

/* step_stmt -> 'step' expr expr      (the optimizer, then the loss) */
static ast_node *parse_step(parser *p)
{
    const token *t = parse_next(p);
    ast_node *n = parse_node(p, AST_STEP, t);
    if (!n || !(n->a = parse_expr(p))) return NULL;
    if (parse_is_sep(p) || parse_check(p, TOK_EOF) || parse_check(p, TOK_RBRACE))
        return parse_fail(p, parse_peek(p), "step needs an optimizer and a loss: step OPT LOSS");
    return (n->b = parse_expr(p)) ? n : NULL;
}

/* log_stmt -> 'log' NAME [ '=' expr ]   (log is a keyword only before a name) */
static ast_node *parse_log(parser *p)
{
    const token *t = parse_next(p);
    const token *name = parse_next(p);
    ast_node *n = parse_node(p, AST_LOG, t);
    if (!n) return NULL;
    n->text = name->text;
    n->text_len = name->text_len;
    if (parse_match(p, TOK_ASSIGN) && !(n->b = parse_expr(p))) return NULL;
    return n;
}

/* fn_stmt -> 'fn' NAME '(' [ NAME { ',' NAME } ] ')' block
 * net_stmt -> 'net' NAME '(' [ NAME { ',' NAME } ] ')' block   (kind AST_NET) */
static ast_node *parse_fn(parser *p, ast_kind kind)
{
    const token *t = parse_next(p);
    const char *word = kind == AST_NET ? "net" : "fn";
    const token *name = parse_peek(p);
    if (!parse_match_name(p))
        return parse_fail(p, name, "expected the %s's name after '%s', got %s",
                          kind == AST_NET ? "network" : "function", word, lex_kind_name(name->kind));
    const token *open = parse_peek(p);
    if (!parse_match(p, TOK_LPAREN))
        return parse_fail(p, open, "'(' expected after '%s %s', got %s", word, name->text, lex_kind_name(open->kind));
    parse_vec v = {0};
    while (parse_check(p, TOK_NAME) || parse_check(p, TOK_NET)) {
        ast_node *param = parse_name(p, parse_next(p));
        if (!param || parse_vec_push(p, &v, param, NULL) < 0) return NULL;
        if (!parse_match(p, TOK_COMMA)) break;
    }
    if (parse_close(p, TOK_RPAREN, open) < 0) return NULL;
    ast_node *n = parse_node(p, kind, t);
    if (!n) return NULL;
    n->text = name->text;
    n->text_len = name->text_len;
    n->items = v.v;
    n->n = v.n;
    return (n->c = parse_block(p)) ? n : NULL;
}

/* return_stmt -> 'return' [ exprs ]   (return a, b gives the list [a, b]) */
static ast_node *parse_return(parser *p)
{
    const token *t = parse_next(p);
    ast_node *n = parse_node(p, AST_RETURN, t);
    if (!n) return NULL;
    if (parse_is_sep(p) || parse_check(p, TOK_EOF) || parse_check(p, TOK_RBRACE)) return n;
    return (n->a = parse_exprs(p)) ? n : NULL;
}

/* stmt -> if_stmt | for_stmt | train_stmt | step_stmt | log_stmt | fn_stmt | net_stmt
 *       | return_stmt | block | simple_stmt */
static ast_node *parse_stmt(parser *p)
{
    const token *t = parse_peek(p);
    switch (t->kind) {
    case TOK_IF: return parse_if(p);
    case TOK_FOR: return parse_for(p);
    case TOK_TRAIN: return parse_train(p);
    case TOK_STEP: return parse_step(p);
    case TOK_FN: return parse_fn(p, AST_FN);
    case TOK_NET:   /* net NAME ... defines a net; anywhere else net is a name (net = seq(...)) */
        return p->t[p->pos + 1].kind == TOK_NAME ? parse_fn(p, AST_NET) : parse_simple(p);
    case TOK_RETURN: return parse_return(p);
    case TOK_LBRACE: return parse_block(p);
    case TOK_ELSE: return parse_fail(p, t, "'else' without a matching 'if'");
    case TOK_NAME:
        if (strcmp(t->text, "log") == 0 && (p->t[p->pos + 1].kind == TOK_NAME || p->t[p->pos + 1].kind == TOK_NET))
            return parse_log(p);
        return parse_simple(p);
    case TOK_ON:
        return parse_fail(p, t, "'on' belongs to a training loop: train on DATA epochs N batch B { ... }");
    case TOK_RBRACE: case TOK_RPAREN: case TOK_RBRACKET: return parse_stray(p, t);
    default: return parse_simple(p);
    }
}

/* cell -> stmts EOF */
ast_node *parse_cell(const char *src, arena *a, diag *err)
{
    token *toks;
    size_t n;
    err->name = NULL;
    if (lex_cell(src, a, &toks, &n, err) != LEX_OK) return NULL;
    parser p = { .t = toks, .a = a, .err = err };
    return parse_stmts(&p, TOK_EOF, &toks[0]);
}
