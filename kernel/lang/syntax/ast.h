/* ast.h: the syntax tree of one cell. Nodes live in the cell's arena.
 *
 * Every node keeps the line and column (1-based, columns in code points) that
 * error messages and tracebacks point to: a binary operation at its operator,
 * a call at its callee, an index at its '[', an assignment at its target. */
#ifndef LANG_AST_H
#define LANG_AST_H

#include <stddef.h>

typedef enum ast_kind {
    AST_NUM,        /* num */
    AST_STR,        /* text[0..text_len) (may hold NUL bytes) */
    AST_NAME,       /* text */
    AST_TRUE, AST_FALSE, AST_NONE,
    AST_LIST,       /* [items[0], ..., items[n-1]] */
    AST_UNARY,      /* op a            (op: TOK_MINUS, TOK_PLUS, TOK_NOT) */
    AST_BINARY,     /* a op b          (arithmetic and comparisons) */
    AST_AND,        /* a and b         (short circuit) */
    AST_OR,         /* a or b          (short circuit) */
    AST_CALL,       /* a(items...)     keys[i]: AST_NAME of argument i's keyword, or NULL */
    AST_INDEX,      /* a[b], or a[items...] when b is NULL (entries may be AST_SLICE) */
    AST_ASSIGN,     /* text = b */
    AST_SET_INDEX,  /* a[b] = c */
    AST_BLOCK,      /* statements items[0..n) */
    AST_IF,         /* if a b else c   (c: NULL, an AST_BLOCK or an AST_IF) */
    AST_FOR,        /* for text in a .. b c   (b NULL: for text in a c, a a list) */
    AST_SLICE,      /* a:b inside a subscript (a, b: NULL when left out) */
    AST_TRAIN,      /* train on a epochs b batch c items[0]   (the body, an AST_BLOCK) */
    AST_STEP,       /* step a b            (optimizer a, loss b) */
    AST_LOG,        /* log text [= b]      (b NULL: the variable text) */
    AST_FN,         /* fn text(items[0..n) names) c */
    AST_RETURN,     /* return [a] */
    AST_NET,        /* net text(items[0..n) names) c   (a network written as its forward pass) */
    AST_UNPACK      /* items[0], ..., items[n-1] = b   (names; b a list of n items) */
} ast_kind;

typedef struct ast_node {
    ast_kind kind;
    int line, col;
    int op;                    /* tok_kind of the operator (AST_UNARY, AST_BINARY) */
    double num;
    const char *text;          /* NUL-terminated, in the arena */
    size_t text_len;
    struct ast_node *a, *b, *c;
    struct ast_node **items;   /* n children (list items, call arguments, statements) */
    struct ast_node **keys;    /* AST_CALL: n keywords (AST_NAME at the keyword, or NULL) */
    int n;
} ast_node;

/* True for the kinds that are expressions (an expression statement's value is
 * the cell's result when it comes last). */
int ast_is_expr(const ast_node *n);

#endif
