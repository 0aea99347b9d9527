/* runner.c: runs Latent language test files and checks their inline
 * expectations.
 *
 *     lang_runner FILE.lt            a language test file
 *     lang_runner --markdown FILE.md every ```latent block of a document
 *     lang_runner --examples         the example of every builtin
 *
 * Format of a test file (.lt):
 *   - The file is a sequence of cells separated by lines that are exactly
 *     `# %%`. All cells run, in order, in one session (lt_execute), so later
 *     cells see earlier variables. Line numbers in error messages count from
 *     the first line of the cell.
 *   - `# => TEXT` (after code on the same line, or alone on a line) expects the
 *     next line of the cell's output to be exactly TEXT (one space after `=>` is
 *     dropped, so `# =>     x` expects "    x"). The output of a cell is what it
 *     prints, then its result (text/plain) and the text/plain of what it
 *     displays, in the order they happen, cut into lines (text written to
 *     stderr appears prefixed with "stderr: "; live displays, those with a
 *     display_id such as a training's progress line, are left out). A cell must produce exactly the
 *     lines it expects, no more.
 *   - `# error: NAME: VALUE` expects the cell to fail with error NAME and the
 *     message VALUE (e.g. `# error: NameError: 1:1: name 'x' is not defined`).
 *     A cell without it must succeed.
 * In a Markdown document each ```latent block is one cell; in --examples each
 * builtin's example is one cell.
 *
 * Prints each failure as FILE:LINE: ... and exits 1 if any. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "init.h"
#include "registry.h"
#include "latent.h"

typedef struct cell {
    char *code;
    int line;          /* line of the file where the cell starts */
} cell;

typedef struct capture {
    buf out;           /* every output line of the cell, '\n'-terminated */
    char *ename, *evalue;
    int errors;        /* host->error calls */
} capture;

static int failures;

/* ---- the host --------------------------------------------------------- */

static void cap_stream(void *ctx, int is_stderr, const char *text, size_t len)
{
    capture *c = ctx;
    if (is_stderr) buf_puts(&c->out, "stderr: ");
    buf_add(&c->out, text, len);
}

static void cap_text(capture *c, const lt_output *o)
{
    for (int i = 0; i < o->n_items; i++) {
        if (strcmp(o->items[i].type, "text/plain") != 0) continue;
        if (c->out.len && c->out.data[c->out.len - 1] != '\n') buf_putc(&c->out, '\n');
        buf_add(&c->out, o->items[i].data, o->items[i].len);
        buf_putc(&c->out, '\n');
    }
}

/* A display with a display_id is live (a training's progress line, updated in place):
 * its text depends on timing, so it is not part of the expected output. */
static void cap_display(void *ctx, const lt_output *o, int update)
{
    (void)update;
    if (!o->display_id) cap_text(ctx, o);
}
static void cap_result(void *ctx, const lt_output *o) { cap_text(ctx, o); }

static void cap_error(void *ctx, const char *ename, const char *evalue, const char *const *tb, int n)
{
    capture *c = ctx;
    (void)tb; (void)n;
    free(c->ename);
    free(c->evalue);
    c->ename = strdup(ename);
    c->evalue = strdup(evalue);
    c->errors++;
}

/* ---- expectations ----------------------------------------------------- */

typedef struct expect {
    char **lines;      /* expected output lines */
    int *at;           /* their file lines */
    int n, cap;
    char *error;       /* "NAME: VALUE", or NULL */
    int error_at;
} expect;

static void expect_line(expect *e, const char *text, size_t len, int at)
{
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 16;
        e->lines = realloc(e->lines, (size_t)e->cap * sizeof *e->lines);
        e->at = realloc(e->at, (size_t)e->cap * sizeof *e->at);
    }
    e->lines[e->n] = strndup(text, len);
    e->at[e->n++] = at;
}

/* Reads the expectations written in the comments of a cell's code. */
static void expect_parse(expect *e, const cell *c)
{
    int line = c->line;
    for (const char *p = c->code; *p; line++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *row = strndup(p, len);
        char *arrow = strstr(row, "# =>");
        char *err = strstr(row, "# error: ");
        if (arrow) {
            const char *t = arrow + 4;
            if (*t == ' ') t++;
            expect_line(e, t, strlen(t), line);
        } else if (err) {
            free(e->error);
            e->error = strdup(err + 9);
            e->error_at = line;
        }
        free(row);
        p += len + (nl != NULL);
    }
}

static void expect_free(expect *e)
{
    for (int i = 0; i < e->n; i++) free(e->lines[i]);
    free(e->lines);
    free(e->at);
    free(e->error);
}

/* ---- checking a cell ---------------------------------------------------- */

static void fail(const char *file, int line, const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "%s:%d: ", file, line);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    failures++;
}

static void check_output(const char *file, const cell *c, const expect *e, const capture *cap)
{
    const char *p = cap->out.data;
    int i = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *got = strndup(p, len);
        if (i >= e->n) fail(file, c->line, "unexpected output line \"%s\"%s", got, "");
        else if (strcmp(got, e->lines[i]) != 0) fail(file, e->at[i], "expected \"%s\", got \"%s\"", e->lines[i], got);
        free(got);
        i++;
        p += len + (nl != NULL);
    }
    for (; i < e->n; i++) fail(file, e->at[i], "expected \"%s\", got no more output%s", e->lines[i], "");
}

static void check_error(const char *file, const cell *c, const expect *e, const capture *cap)
{
    char got[2048] = "";
    if (cap->errors) snprintf(got, sizeof got, "%s: %s", cap->ename, cap->evalue);
    if (cap->errors > 1) fail(file, c->line, "host->error called more than once%s%s", "", "");
    if (e->error && !cap->errors) fail(file, e->error_at, "expected the error \"%s\", but the cell succeeded%s", e->error, "");
    else if (e->error && strcmp(e->error, got) != 0) fail(file, e->error_at, "expected the error \"%s\", got \"%s\"", e->error, got);
    else if (!e->error && cap->errors) fail(file, c->line, "unexpected error \"%s\"%s", got, "");
}

static void run_cell(lt_session *s, capture *cap, const char *file, const cell *c)
{
    expect e = {0};
    expect_parse(&e, c);
    buf_clear(&cap->out);
    cap->errors = 0;
    int st = lt_execute(s, c->code, 0);
    if ((st == LT_EXEC_ERROR) != (cap->errors == 1)) fail(file, c->line, "lt_execute's status disagrees with host->error%s%s", "", "");
    check_output(file, c, &e, cap);
    check_error(file, c, &e, cap);
    expect_free(&e);
}

/* ---- reading cells ------------------------------------------------------ */

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    buf b;
    buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_add(&b, chunk, n);
    fclose(f);
    return buf_take(&b);
}

/* Splits text into cells: at `# %%` lines (lt) or as ```latent blocks (md). */
static int split_cells(char *text, int markdown, cell *cells, int max)
{
    int n = 0, line = 1, in_block = !markdown;
    buf cur;
    buf_init(&cur);
    int start = 1;
    for (char *p = text; *p; line++) {
        char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        int sep = markdown ? (in_block ? strncmp(p, "```", 3) == 0 && len == 3 : strncmp(p, "```latent", 9) == 0)
                           : len == 4 && strncmp(p, "# %%", 4) == 0;
        if (sep && in_block && n < max) {
            cells[n].code = buf_take(&cur);
            cells[n++].line = start;
        }
        if (sep && markdown) in_block = !in_block;
        if (sep) start = line + 1;
        else if (in_block) { buf_add(&cur, p, len); buf_putc(&cur, '\n'); }
        p += len + (nl != NULL);
    }
    if (!markdown && n < max) { cells[n].code = buf_take(&cur); cells[n++].line = start; }
    buf_free(&cur);
    return n;
}

enum { MAX_CELLS = 1000 };

int main(int argc, char **argv)
{
    static cell cells[MAX_CELLS];
    capture cap = {0};
    buf_init(&cap.out);
    lt_host host = {.ctx = &cap, .stream = cap_stream, .display = cap_display, .result = cap_result, .error = cap_error};
    const char *file = argc > 2 ? argv[2] : argc > 1 ? argv[1] : NULL;
    int n = 0;
    if (!file) { fprintf(stderr, "usage: lang_runner FILE.lt | --markdown FILE.md | --examples\n"); return 2; }
    if (strcmp(argv[1], "--examples") == 0) {
        file = "builtin examples";
        static registry reg;   /* every library's listed builtins, as a session opens them */
        if (lib_open_all(&reg) < 0) { fprintf(stderr, "%s\n", reg.clash); return 2; }
        for (size_t i = 0; reg_at(&reg, i) && n < MAX_CELLS; i++) {
            cells[n].code = strdup(reg_at(&reg, i)->example ? reg_at(&reg, i)->example : "");
            cells[n++].line = 1;
        }
    } else {
        char *text = read_all(file);
        n = split_cells(text, strcmp(argv[1], "--markdown") == 0, cells, MAX_CELLS);
        free(text);
    }
    lt_session *s = lt_session_new(&host);
    for (int i = 0; i < n; i++) {
        int before = failures;
        run_cell(s, &cap, file, &cells[i]);
        if (failures != before) fprintf(stderr, "  in the cell at %s:%d:\n%s", file, cells[i].line, cells[i].code);
        free(cells[i].code);
    }
    lt_session_free(s);
    buf_free(&cap.out);
    free(cap.ename);
    free(cap.evalue);
    printf("%s: %d cells, %d failures\n", file, n, failures);
    return failures ? 1 : 0;
}
