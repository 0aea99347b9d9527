/* lex.h: the lexer. Turns one cell's source into an array of tokens.
 *
 *     arena a = {0}; diag err; token *toks; size_t n;
 *     if (lex_cell("x = 1 + 2", &a, &toks, &n, &err) < 0) report(err);
 *
 * Tokens keep their 1-based line and column (columns count UTF-8 code points).
 * Newlines are statement separators (TOK_NEWLINE), except inside ( ) and [ ],
 * where they are ignored; runs of newlines give one token. `#` starts a comment
 * to the end of the line. The last token is always TOK_EOF. */
#ifndef LANG_LEX_H
#define LANG_LEX_H

#include <stddef.h>

#include "arena.h"
#include "diag.h"

typedef enum tok_kind {
    TOK_EOF, TOK_NEWLINE, TOK_NUMBER, TOK_STRING, TOK_NAME,
    /* keywords (log is not one: it is the builtin log(x); see language.md) */
    TOK_IF, TOK_ELSE, TOK_FOR, TOK_IN, TOK_FN, TOK_RETURN, TOK_TRUE, TOK_FALSE,
    TOK_NONE, TOK_AND, TOK_OR, TOK_NOT, TOK_TRAIN, TOK_ON, TOK_STEP, TOK_NET,
    /* operators and punctuation */
    TOK_PLUS, TOK_MINUS, TOK_STAR, TOK_SLASH, TOK_PERCENT, TOK_CARET,
    TOK_EQ, TOK_NE, TOK_LT, TOK_LE, TOK_GT, TOK_GE, TOK_ASSIGN,
    TOK_COMMA, TOK_COLON, TOK_SEMI, TOK_DOT, TOK_DOTDOT,
    TOK_LPAREN, TOK_RPAREN, TOK_LBRACKET, TOK_RBRACKET, TOK_LBRACE, TOK_RBRACE,
    TOK_COUNT
} tok_kind;

#define TOK_FIRST_KEYWORD TOK_IF
#define TOK_LAST_KEYWORD TOK_NET

typedef struct token {
    tok_kind kind;
    int line, col;
    const char *start;   /* the token's source text (len bytes, not NUL-terminated) */
    size_t len;
    double num;          /* TOK_NUMBER: its value */
    const char *text;    /* TOK_STRING: decoded bytes; TOK_NAME: the name (arena, NUL-ended) */
    size_t text_len;
} token;

enum { LEX_OK = 0, LEX_ERROR = -1, LEX_UNTERMINATED = -2 };
enum { LEX_MAX_DEPTH = 200 };   /* open brackets at once */

/* Lexes src (NUL-terminated) into *toks (n tokens, in arena a). Returns LEX_OK,
 * or LEX_ERROR / LEX_UNTERMINATED (a string not closed before the end) with a
 * SyntaxError in *err. */
int lex_cell(const char *src, arena *a, token **toks, size_t *n, diag *err);

/* "'+'", "'if'", "a number", "end of input", ...: how messages name a kind. */
const char *lex_kind_name(tok_kind kind);
/* The keyword spelt s[0..n), or TOK_NAME. */
tok_kind lex_keyword(const char *s, size_t n);
/* The text of keyword kind k ("if"), or NULL if k is not a keyword. */
const char *lex_keyword_text(tok_kind k);

#endif
