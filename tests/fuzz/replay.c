/* replay.c: main() for the fuzz target without libFuzzer, so that ctest (any
 * compiler) checks the seed corpus and the regressions on every run.
 *
 *     fuzz_replay FILE...              runs each file through LLVMFuzzerTestOneInput
 *     fuzz_replay --seeds DIR FILE...  writes each cell of each file as a corpus input
 *                                      into DIR (libFuzzer cuts inputs at -max_len)
 *     fuzz_replay --dict FILE          writes a libFuzzer dictionary of the language
 *
 * A FILE ending in .lt is a language test file: its cells (split on lines that are
 * exactly `# %%`) become NUL-separated cells. A FILE ending in .md gives one cell
 * per ```latent block. Any other file (tests/fuzz/regressions/) is a raw input.
 * Prints one line per file and exits 0; a bug shows as a crash or sanitizer report. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "init.h"
#include "registry.h"
#include "lex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern int fuzz_max_cells;

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Reads a whole file into *out (NUL-terminated). Returns 0, or -1 with a message. */
static int read_all(const char *path, buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return -1; }
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_add(out, chunk, n);
    fclose(f);
    buf_putc(out, '\0');
    out->len--;
    return 0;
}

/* Turns a .lt or .md file's text into a fuzz input: cells joined by NUL bytes. */
static void to_cells(const char *path, const char *text, buf *out)
{
    int md = ends_with(path, ".md"), in_block = !md, cells = 0;
    for (const char *line = text; *line; ) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        int sep = md ? (n >= 3 && strncmp(line, "```", 3) == 0)
                     : (n == 4 && strncmp(line, "# %%", 4) == 0);
        if (md && sep) {
            int opens = !in_block && n == 9 && strncmp(line, "```latent", 9) == 0;
            if (in_block || opens) {
                if (opens && cells++) buf_putc(out, '\0');
                in_block = opens;
            }
        } else if (sep) {
            buf_putc(out, '\0');
        } else if (in_block) {
            buf_add(out, line, n);
            buf_putc(out, '\n');
        }
        line += n + (nl != NULL);
    }
}

static int load(const char *path, buf *input)
{
    buf text;
    buf_init(&text);
    if (read_all(path, &text) < 0) { buf_free(&text); return -1; }
    if (ends_with(path, ".lt") || ends_with(path, ".md")) to_cells(path, text.data, input);
    else buf_add(input, text.data, text.len);
    buf_free(&text);
    return 0;
}

/* A dictionary: the keywords, every builtin's name and the operators. */
static int write_dict(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); return 1; }
    for (int k = 0; k < TOK_COUNT; k++) {
        const char *kw = lex_keyword_text((tok_kind)k);
        if (kw) fprintf(f, "\"%s\"\n", kw);
    }
    const builtin *b;
    static registry reg;
    if (lib_open_all(&reg) < 0) { fclose(f); return 1; }
    for (size_t i = 0; (b = reg_at(&reg, i)) != NULL; i++) fprintf(f, "\"%s(\"\n", b->name);
    static const char *const ops[] = {"..", "==", "!=", "<=", ">=", "->", "@", "\\x00",
                                      "# %%", "1e308", "-1", "0.5", "[[1,2],[3,4]]"};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        if (strcmp(ops[i], "\\x00") == 0) fprintf(f, "\"\\x00\"\n");
        else fprintf(f, "\"%s\"\n", ops[i]);
    }
    return fclose(f) != 0;
}

static int write_seed(const char *dir, const char *file, int k, const char *data, size_t len)
{
    const char *base = strrchr(file, '/');
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.%d", dir, base ? base + 1 : file, k);
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); return 1; }
    fwrite(data, 1, len, f);
    return fclose(f) != 0;
}

static int write_seeds(const char *dir, int n, char **files)
{
    for (int i = 0; i < n; i++) {
        buf input;
        buf_init(&input);
        if (load(files[i], &input) < 0) return 1;
        buf_putc(&input, '\0');
        int k = 0;
        for (size_t at = 0; at < input.len; k++) {
            size_t len = strlen(input.data + at);
            if (write_seed(dir, files[i], k, input.data + at, len)) { buf_free(&input); return 1; }
            at += len + 1;
        }
        buf_free(&input);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--dict") == 0) return write_dict(argv[2]);
    if (argc >= 3 && strcmp(argv[1], "--seeds") == 0) return write_seeds(argv[2], argc - 3, argv + 3);
    fuzz_max_cells = 1000000;
    for (int i = 1; i < argc; i++) {
        buf input;
        buf_init(&input);
        if (load(argv[i], &input) < 0) return 1;
        printf("%s: %zu bytes\n", argv[i], input.len);
        fflush(stdout);
        LLVMFuzzerTestOneInput((const uint8_t *)input.data, input.len);
        buf_free(&input);
    }
    return 0;
}
