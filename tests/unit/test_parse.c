/* test_parse.c: the parser: precedence and associativity (checked by printing
 * the tree back fully parenthesised), statements, positions and syntax errors. */
#include <string.h>

#include "buf.h"
#include "check.h"
#include "lex.h"
#include "parse.h"

/* The expression as a fully parenthesised string: (a + (b * c)). */
static void show(const ast_node *n, buf *b)
{
    switch (n->kind) {
    case AST_NUM: buf_printf(b, "%g", n->num); break;
    case AST_NAME: buf_puts(b, n->text); break;
    case AST_STR: buf_printf(b, "\"%s\"", n->text); break;
    case AST_TRUE: buf_puts(b, "true"); break;
    case AST_UNARY:
        buf_printf(b, "(%s ", n->op == TOK_NOT ? "not" : n->op == TOK_MINUS ? "-" : "+");
        show(n->a, b);
        buf_putc(b, ')');
        break;
    case AST_BINARY: case AST_AND: case AST_OR: {
        const char *op = lex_kind_name((tok_kind)n->op);
        buf_putc(b, '(');
        show(n->a, b);
        buf_printf(b, " %.*s ", (int)strlen(op) - 2, op + 1);
        show(n->b, b);
        buf_putc(b, ')');
        break;
    }
    case AST_CALL:
        show(n->a, b);
        buf_putc(b, '(');
        for (int i = 0; i < n->n; i++) {
            if (i) buf_puts(b, ", ");
            if (n->keys[i]) buf_printf(b, "%s=", n->keys[i]->text);
            show(n->items[i], b);
        }
        buf_putc(b, ')');
        break;
    case AST_INDEX: show(n->a, b); buf_putc(b, '['); show(n->b, b); buf_putc(b, ']'); break;
    case AST_LIST:
        buf_putc(b, '[');
        for (int i = 0; i < n->n; i++) { if (i) buf_puts(b, ", "); show(n->items[i], b); }
        buf_putc(b, ']');
        break;
    default: buf_puts(b, "?"); break;
    }
}

static buf out;

static const char *expr(const char *src)
{
    arena a = {0};
    diag err;
    buf_clear(&out);
    ast_node *cell = parse_cell(src, &a, &err);
    if (!cell) buf_printf(&out, "error %d:%d: %s", err.line, err.col, err.msg);
    else if (cell->n != 1) buf_puts(&out, "not one statement");
    else show(cell->items[0], &out);
    arena_free(&a);
    return out.data;
}

static void test_precedence(void)
{
    CHECK_STR(expr("1 + 2 * 3"), "(1 + (2 * 3))");
    CHECK_STR(expr("1 - 2 - 3"), "((1 - 2) - 3)");
    CHECK_STR(expr("-2^2"), "(- (2 ^ 2))");
    CHECK_STR(expr("2^3^2"), "(2 ^ (3 ^ 2))");
    CHECK_STR(expr("2^-1"), "(2 ^ (- 1))");
    CHECK_STR(expr("a * -b"), "(a * (- b))");
    CHECK_STR(expr("not a == b"), "(not (a == b))");
    CHECK_STR(expr("a or b and c"), "(a or (b and c))");
    CHECK_STR(expr("a < b + 1"), "(a < (b + 1))");
    CHECK_STR(expr("-a[0]"), "(- a[0])");
    CHECK_STR(expr("f(x)^2"), "(f(x) ^ 2)");
    CHECK_STR(expr("T-1"), "(T - 1)");
    CHECK_STR(expr("x % 2 == 0"), "((x % 2) == 0)");
}

static void test_calls_and_lists(void)
{
    CHECK_STR(expr("adam(p, lr=1e-3, betas=[0.5, 0.999])"), "adam(p, lr=0.001, betas=[0.5, 0.999])");
    CHECK_STR(expr("f()"), "f()");
    CHECK_STR(expr("f(1,)"), "f(1)");
    CHECK_STR(expr("m[1][2]"), "m[1][2]");
    CHECK_STR(expr("[1, [2, 3],]"), "[1, [2, 3]]");
    CHECK_STR(expr("f(a)(b)"), "f(a)(b)");
}

static ast_node *parse(const char *src, arena *a, diag *err)
{
    return parse_cell(src, a, err);
}

static void test_statements(void)
{
    arena a = {0};
    diag err;
    ast_node *c = parse("x = 1; y = 2\n\nif x { y } else if y { x } else { }\nfor i in 3 .. 0 { }\nm[0] = 5", &a, &err);
    CHECK(c != NULL);
    if (c) {
        CHECK(c->n == 5);
        CHECK(c->items[0]->kind == AST_ASSIGN && strcmp(c->items[0]->text, "x") == 0);
        CHECK(c->items[2]->kind == AST_IF && c->items[2]->c && c->items[2]->c->kind == AST_IF);
        CHECK(c->items[3]->kind == AST_FOR && c->items[3]->b != NULL && strcmp(c->items[3]->text, "i") == 0);
        CHECK(c->items[4]->kind == AST_SET_INDEX);
        CHECK(c->items[2]->line == 3 && c->items[3]->line == 4);
    }
    arena_free(&a);
    c = parse("for w in words { }", &a, &err);
    CHECK(c && c->items[0]->kind == AST_FOR && c->items[0]->b == NULL);
    arena_free(&a);
    c = parse("# only a comment\n", &a, &err);
    CHECK(c && c->n == 0);
    arena_free(&a);
}

static void test_positions(void)
{
    arena a = {0};
    diag err;
    ast_node *c = parse("  a + b\nsqrt(x)", &a, &err);
    CHECK(c != NULL);
    if (c) {
        CHECK(c->items[0]->line == 1 && c->items[0]->col == 5);   /* a binary op: at its operator */
        CHECK(c->items[1]->line == 2 && c->items[1]->col == 1);   /* a call: at its callee */
    }
    arena_free(&a);
}

static void test_errors(void)
{
    CHECK_STR(expr("{\n\nx = 1\n"), "error 3:6: '}' expected (to close '{' at line 1)");
    CHECK_STR(expr("f(1, 2"), "error 1:7: ')' expected, got end of input");
    CHECK_STR(expr("1 +"), "error 1:4: expected an expression, got end of input");
    CHECK_STR(expr("f(a=1, 2)"), "error 1:8: a positional argument cannot follow keyword arguments");
    CHECK_STR(expr("1 2"), "error 1:3: expected a new line or ';' after the statement, got a number");
    CHECK_STR(expr("}"), "error 1:1: unexpected '}' (no '{' is open)");
    CHECK_STR(expr("if x == 1 { } else"), "error 1:19: '{' expected, got end of input");
    CHECK_STR(expr("f(x) = 3"), "error 1:6: cannot assign to this expression (only to a name or an item a[i])");
    CHECK_STR(expr("net (x) { }"), "error 1:9: expected a new line or ';' after the statement, got '{'");
    CHECK_STR(expr("net f x { }"), "error 1:7: '(' expected after 'net f', got a name");
    /* deep nesting is an error, not a crash */
    buf deep;
    buf_init(&deep);
    for (int i = 0; i < 100000; i++) buf_putc(&deep, '-');
    buf_putc(&deep, '1');
    CHECK(strstr(expr(deep.data), "nested too deeply") != NULL);
    buf_free(&deep);
}

int main(void)
{
    buf_init(&out);
    RUN(test_precedence);
    RUN(test_calls_and_lists);
    RUN(test_statements);
    RUN(test_positions);
    RUN(test_errors);
    buf_free(&out);
    return check_summary("parse");
}
