/* words.c: latent-words TEMPLATE OUTPUT, run by the build (share/highlight/CMakeLists.txt).
 *
 * Copies TEMPLATE to OUTPUT with these placeholders replaced by the language's own words,
 * each as a JSON array of strings (which is also a JavaScript and a Python list literal):
 *   @LATENT_KEYWORDS@   the lexer's keywords (lex_keyword_text), true/false/none left out
 *   @LATENT_CONSTANTS@  true, false, none
 *   @LATENT_BUILTINS@   every builtin the libraries register (lib_open_all, reg_at), in
 *                       help()'s order
 *   @LATENT_VERSION@    the kernel's version (LATENT_VERSION)
 * so the CodeMirror mode (kernel.js) and the Pygments lexer highlight exactly the words
 * the kernel knows: a new builtin or keyword reaches both at the next build.
 * Exit status 0, or 1 with a message on stderr when a file cannot be read or written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "init.h"
#include "lex.h"
#include "registry.h"

static registry words_reg;   /* every library's builtins (main opens them) */

static int words_is_constant(tok_kind k)
{
    return k == TOK_TRUE || k == TOK_FALSE || k == TOK_NONE;
}

/* Appends ["w1", "w2", ...] to out: the keywords (constants = 0 or 1) of the lexer. */
static void words_keywords(buf *out, int constants)
{
    int first = 1;
    buf_putc(out, '[');
    for (int k = TOK_FIRST_KEYWORD; k <= TOK_LAST_KEYWORD; k++) {
        if (words_is_constant((tok_kind)k) != constants) continue;
        buf_printf(out, "%s\"%s\"", first ? "" : ", ", lex_keyword_text((tok_kind)k));
        first = 0;
    }
    buf_putc(out, ']');
}

/* Whether the builtin at i has a name listed before it (a second meaning). */
static int words_seen(size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (strcmp(reg_at(&words_reg, j)->name, reg_at(&words_reg, i)->name) == 0) return 1;
    return 0;
}

/* Appends the builtin names as a JSON array, eight to a line; a name with several
 * meanings (cross_entropy) is listed once. */
static void words_builtins(buf *out)
{
    size_t n = 0;
    buf_putc(out, '[');
    for (size_t i = 0; reg_at(&words_reg, i); i++) {
        if (words_seen(i)) continue;
        buf_printf(out, "%s\"%s\"", n == 0 ? "" : n % 8 == 0 ? ",\n    " : ", ", reg_at(&words_reg, i)->name);
        n++;
    }
    buf_putc(out, ']');
}

static int words_read(const char *path, buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return -1; }
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_add(out, chunk, n);
    fclose(f);
    return out->oom ? -1 : 0;
}

/* Writes src to out with the placeholders replaced. */
static void words_expand(const char *src, buf *out)
{
    static const char *const names[] = {"@LATENT_KEYWORDS@", "@LATENT_CONSTANTS@", "@LATENT_BUILTINS@",
                                        "@LATENT_VERSION@"};
    while (*src) {
        int hit = -1;
        for (int i = 0; i < 4 && hit < 0; i++)
            if (strncmp(src, names[i], strlen(names[i])) == 0) hit = i;
        if (hit < 0) { buf_putc(out, *src++); continue; }
        if (hit == 3) buf_puts(out, LATENT_VERSION);
        else if (hit == 2) words_builtins(out);
        else words_keywords(out, hit == 1);
        src += strlen(names[hit]);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: latent-words TEMPLATE OUTPUT\n");
        return 1;
    }
    if (lib_open_all(&words_reg) < 0) {
        fprintf(stderr, "latent-words: the libraries clash: %s\n", words_reg.clash);
        return 1;
    }
    buf in, out;
    buf_init(&in);
    buf_init(&out);
    if (words_read(argv[1], &in) < 0) return 1;
    words_expand(in.data ? in.data : "", &out);
    FILE *f = fopen(argv[2], "wb");
    if (!f || fwrite(out.data, 1, out.len, f) != out.len || fclose(f) != 0) {
        perror(argv[2]);
        return 1;
    }
    buf_free(&in);
    buf_free(&out);
    return 0;
}
