/* test_lex.c: the lexer: token kinds, positions, numbers, strings, newlines. */
#include <string.h>

#include "check.h"
#include "lex.h"

static token *lex(const char *src, size_t *n, diag *err)
{
    static arena a;
    arena_free(&a);
    token *t = NULL;
    *n = 0;
    if (lex_cell(src, &a, &t, n, err) != LEX_OK) return NULL;
    return t;
}

static void test_kinds_and_positions(void)
{
    size_t n;
    diag err;
    token *t = lex("x = 1 + 2.5 # comment\nif a <= b { }", &n, &err);
    CHECK(t != NULL);
    tok_kind want[] = {TOK_NAME, TOK_ASSIGN, TOK_NUMBER, TOK_PLUS, TOK_NUMBER, TOK_NEWLINE,
                       TOK_IF, TOK_NAME, TOK_LE, TOK_NAME, TOK_LBRACE, TOK_RBRACE, TOK_EOF};
    CHECK(n == sizeof want / sizeof want[0]);
    for (size_t i = 0; t && i < n && i < sizeof want / sizeof want[0]; i++) CHECK(t[i].kind == want[i]);
    if (!t || n < 13) return;
    CHECK(t[0].line == 1 && t[0].col == 1);
    CHECK(t[4].line == 1 && t[4].col == 9);
    CHECK_NEAR(t[4].num, 2.5, 0);
    CHECK(t[6].line == 2 && t[6].col == 1);
    CHECK(t[8].line == 2 && t[8].col == 6);
    CHECK_STR(t[7].text, "a");
}

static void test_numbers(void)
{
    size_t n;
    diag err;
    token *t = lex("0 12 3.25 1e-4 2E3 1.5e+2 0..5", &n, &err);
    double want[] = {0, 12, 3.25, 1e-4, 2000, 150, 0};
    for (int i = 0; t && i < 7; i++) {
        CHECK(t[i].kind == TOK_NUMBER);
        CHECK_NEAR(t[i].num, want[i], 0);
    }
    CHECK(t && t[7].kind == TOK_DOTDOT && t[8].kind == TOK_NUMBER && t[8].num == 5);
    t = lex("1_000_000 2_5.0_5", &n, &err);
    CHECK(t && t[0].num == 1000000 && t[1].num == 25.05);
    CHECK(lex("1__0", &n, &err) == NULL);
    CHECK(lex("1e", &n, &err) == NULL);
    CHECK_STR(err.name, "SyntaxError");
    CHECK(lex("12ab", &n, &err) == NULL);
    CHECK(err.line == 1 && err.col == 1);
}

static void test_strings(void)
{
    size_t n;
    diag err;
    token *t = lex("'a\\'b' \"\\x41\\n\\u{3b2}\" \"\\x00z\"", &n, &err);
    CHECK(t != NULL);
    if (!t) return;
    CHECK(t[0].kind == TOK_STRING && t[0].text_len == 3 && memcmp(t[0].text, "a'b", 3) == 0);
    CHECK(t[1].text_len == 4 && memcmp(t[1].text, "A\n\xce\xb2", 4) == 0);
    CHECK(t[2].text_len == 2 && t[2].text[0] == 0 && t[2].text[1] == 'z');
    CHECK(lex("\"\\q\"", &n, &err) == NULL);
    CHECK(err.col == 2);
    arena a = {0};
    token *tt;
    CHECK(lex_cell("x = \"open", &a, &tt, &n, &err) == LEX_UNTERMINATED);
    CHECK(err.line == 1 && err.col == 5);
    arena_free(&a);
}

static void test_newlines(void)
{
    size_t n;
    diag err;
    /* ignored inside ( ) and [ ], kept inside { }, runs collapse, none at the start */
    token *t = lex("\n\nf(1,\n2)\n\n\n[3,\n4]\n{\na\n}", &n, &err);
    tok_kind want[] = {TOK_NAME, TOK_LPAREN, TOK_NUMBER, TOK_COMMA, TOK_NUMBER, TOK_RPAREN, TOK_NEWLINE,
                       TOK_LBRACKET, TOK_NUMBER, TOK_COMMA, TOK_NUMBER, TOK_RBRACKET, TOK_NEWLINE,
                       TOK_LBRACE, TOK_NEWLINE, TOK_NAME, TOK_NEWLINE, TOK_RBRACE, TOK_EOF};
    CHECK(n == sizeof want / sizeof want[0]);
    for (size_t i = 0; t && i < n && i < sizeof want / sizeof want[0]; i++) CHECK(t[i].kind == want[i]);
}

static void test_utf8(void)
{
    size_t n;
    diag err;
    token *t = lex("μ = \"β\" + σ", &n, &err);
    CHECK(t != NULL);
    if (!t) return;
    CHECK(t[0].kind == TOK_NAME && strcmp(t[0].text, "μ") == 0);
    CHECK(t[1].col == 3);              /* columns count characters, not bytes */
    CHECK(t[4].col == 11 && t[4].kind == TOK_NAME);
    CHECK(lex("x = \xff", &n, &err) == NULL);
    CHECK(err.col == 5);
}

static void test_keywords(void)
{
    CHECK(lex_keyword("for", 3) == TOK_FOR);
    CHECK(lex_keyword("train", 5) == TOK_TRAIN);
    CHECK(lex_keyword("log", 3) == TOK_NAME);
    CHECK(lex_keyword("form", 4) == TOK_NAME);
    CHECK_STR(lex_keyword_text(TOK_NET), "net");
    CHECK_STR(lex_kind_name(TOK_RBRACE), "'}'");
    CHECK_STR(lex_kind_name(TOK_EOF), "end of input");
}

int main(void)
{
    RUN(test_kinds_and_positions);
    RUN(test_numbers);
    RUN(test_strings);
    RUN(test_newlines);
    RUN(test_utf8);
    RUN(test_keywords);
    return check_summary("lex");
}
