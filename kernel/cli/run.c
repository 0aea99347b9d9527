/* run.c: latent-run, the language outside Jupyter. Runs script files in one session, the
 * way a notebook runs its cells top to bottom: reproducible training scripts (the
 * scorer's classifier, the longer diffusion model) and quick checks from a shell.
 *
 *     latent-run [--png-dir DIR] FILE.lt [FILE.lt ...]
 *
 * A file is a sequence of cells separated by lines that are exactly `# %%` (a file
 * without them is one cell). Printed text goes to stdout (stderr text to stderr), each
 * cell's result and displays as their text/plain; with --png-dir every image a cell
 * displays is also written there as NNN.png (live displays, such as a training's
 * progress line, are left out). Ctrl-C stops the running cell as the kernel's interrupt
 * does. Stops at the first cell that fails: its error goes to stderr as
 * "FILE:LINE: NAME: VALUE" (LINE is where the cell starts) and the exit status is 1;
 * 2 for a file that cannot be read or a bad argument. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "latent.h"

typedef struct runner {
    const char *png_dir;   /* NULL: images are not written */
    int n_png;             /* images written so far */
    int failed;            /* host->error was called for the current cell */
} runner;

static lt_session *g_session;   /* for the SIGINT handler only */

static void on_sigint(int sig)
{
    (void)sig;
    if (g_session) lt_interrupt(g_session);
}

static void host_stream(void *ctx, int is_stderr, const char *text, size_t len)
{
    (void)ctx;
    fwrite(text, 1, len, is_stderr ? stderr : stdout);
    fflush(is_stderr ? stderr : stdout);
}

static void write_png(runner *r, const lt_mime *m)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%03d.png", r->png_dir, r->n_png++);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(m->data, 1, m->len, f) != m->len) perror(path);
    if (f) fclose(f);
}

/* Prints the text/plain of an output bundle and writes its image/png, if asked. */
static void host_output(runner *r, const lt_output *o)
{
    for (int i = 0; i < o->n_items; i++) {
        const lt_mime *m = &o->items[i];
        if (strcmp(m->type, "text/plain") == 0) {
            fwrite(m->data, 1, m->len, stdout);
            if (m->len && ((const char *)m->data)[m->len - 1] != '\n') fputc('\n', stdout);
        } else if (strcmp(m->type, "image/png") == 0 && r->png_dir) {
            write_png(r, m);
        }
    }
    fflush(stdout);
}

static void host_display(void *ctx, const lt_output *o, int update)
{
    (void)update;
    if (!o->display_id) host_output(ctx, o);
}

static void host_result(void *ctx, const lt_output *o) { host_output(ctx, o); }

static void host_error(void *ctx, const char *ename, const char *evalue,
                       const char *const *tb, int n)
{
    runner *r = ctx;
    (void)tb; (void)n;
    r->failed = 1;
    fprintf(stderr, "%s: %s\n", ename, evalue);
}

/* Reads a whole file; NULL (after perror) when it cannot. The caller frees. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return NULL; }
    size_t cap = 1 << 16, len = 0, n;
    char *s = malloc(cap);
    while (s && (n = fread(s + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) { char *t = realloc(s, cap *= 2); if (!t) { free(s); s = NULL; } else s = t; }
    }
    fclose(f);
    if (s) s[len] = '\0';
    return s;
}

/* Runs the cells of one file in order. Returns 0, or 1 at the first failing cell. */
static int run_file(lt_session *s, runner *r, const char *path)
{
    char *text = read_file(path);
    if (!text) return 2;
    int line = 1, start_line = 1, st = 0;
    char *cell = text;
    for (char *p = text;; line++) {
        char *nl = strchr(p, '\n');
        int last = nl == NULL;
        int sep = strncmp(p, "# %%", 4) == 0 && (p[4] == '\n' || p[4] == '\0' || p[4] == '\r');
        if (sep || last) {
            char saved = *p;
            if (sep) *p = '\0';
            r->failed = 0;
            if (lt_execute(s, cell, 0) == LT_EXEC_ERROR || r->failed) {
                fprintf(stderr, "%s:%d: the cell starting here failed\n", path, start_line);
                st = 1;
                break;
            }
            *p = saved;
            if (last) break;
            cell = nl + 1;
            start_line = line + 1;
        }
        p = nl + 1;
    }
    free(text);
    return st;
}

int main(int argc, char **argv)
{
    runner r = {0};
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "--png-dir") == 0) { r.png_dir = argv[i + 1]; i += 2; }
    if (i >= argc || argv[i][0] == '-') {
        fprintf(stderr, "usage: latent-run [--png-dir DIR] FILE.lt [FILE.lt ...]\n");
        return 2;
    }
    lt_host host = { .ctx = &r, .stream = host_stream, .display = host_display,
                     .result = host_result, .error = host_error };
    lt_session *s = lt_session_new(&host);
    if (!s) { fprintf(stderr, "latent-run: out of memory\n"); return 1; }
    g_session = s;
    signal(SIGINT, on_sigint);
    int st = 0;
    for (; i < argc && st == 0; i++) st = run_file(s, &r, argv[i]);
    g_session = NULL;
    lt_session_free(s);
    return st;
}
