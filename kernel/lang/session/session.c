/* session.c: the entry points of latent.h that run code: sessions (a runtime state
 * with every library opened into its registry, lib/init.c), cells, interrupts and
 * kernel info. */
#include "sess.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "bi_about.h"
#include "eval.h"
#include "init.h"
#include "mem.h"
#include "parse.h"
#include "registry.h"

#ifndef LATENT_VERSION
#define LATENT_VERSION "0.0.0"
#endif

/* The default cap on tensor memory (mem.h): 3/4 of MEM_LIMIT where JupyterHub's spawner
 * set one for the whole server (the rest for the server and the kernel's own code), else
 * half of physical memory or of the container's limit. 0 if nothing is known. */
static size_t session_default_mem_limit(void)
{
    const char *hub = getenv("MEM_LIMIT");
    size_t bytes;
    if (hub && *hub && mem_parse_size(hub, &bytes) == LT_OK && bytes)
        return bytes / 4 * 3;
    return mem_physical() / 2;
}

/* Sets the process's cap from LATENT_MEM_LIMIT ("2G", "25%", "none"), or the default. */
static void session_set_mem_limit(lt_session *s)
{
    const char *text = getenv("LATENT_MEM_LIMIT");
    size_t bytes = session_default_mem_limit();
    if (text && *text && mem_parse_size(text, &bytes) != LT_OK) {
        char d[32];
        bytes = session_default_mem_limit();
        snprintf(s->mem_warning, sizeof s->mem_warning,
                 "warning: LATENT_MEM_LIMIT: %s; the limit is the default, %s\n", lt_errmsg(),
                 bytes ? mem_format(bytes, d, sizeof d) : "none");
    }
    mem_set_limit(bytes);
}

lt_session *lt_session_new(const lt_host *host)
{
    lt_session *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    if (host) s->host = *host;
    s->globals = env_new();
    s->reg = calloc(1, sizeof *s->reg);
    if (!s->globals || !s->reg || lib_open_all(s->reg) < 0) {
        if (s->reg && s->reg->clash[0]) fprintf(stderr, "latent: %s\n", s->reg->clash);
        env_free(s->globals);
        free(s->reg);
        free(s);
        return NULL;
    }
    atomic_init(&s->interrupt, 0);
    session_set_mem_limit(s);
    return s;
}

void lt_session_free(lt_session *s)
{
    if (!s) return;
    env_free(s->globals);
    for (int i = s->reg->nclosers - 1; i >= 0; i--) s->reg->closers[i](s);
    free(s->reg);
    for (int i = 0; i < s->n_kept; i++) arena_free(&s->kept[i]);
    free(s->kept);
    free(s);
}

void lt_interrupt(lt_session *s)
{
    if (s) atomic_store(&s->interrupt, 1);
}

/* Runs the statements of a parsed cell; the value of a final expression
 * statement is the cell's result. */
static int session_run(lt_session *s, const ast_node *cell, int silent)
{
    for (int i = 0; i < cell->n; i++) {
        const ast_node *stmt = cell->items[i];
        if (i < cell->n - 1 || !ast_is_expr(stmt)) {
            if (eval_stmt(s, stmt) < 0) return -1;
            continue;
        }
        value v;
        if (eval_expr(s, stmt, &v) < 0) return -1;
        if (!silent && !IS_NONE(v)) sess_show(s, v, 0);
        val_decref(v);
    }
    return 0;
}

/* Keeps a cell's arena for the session's life (functions point into its AST). */
static int session_keep_arena(lt_session *s, arena *a)
{
    if (s->n_kept == s->cap_kept) {
        int cap = s->cap_kept ? 2 * s->cap_kept : 8;
        arena *k = realloc(s->kept, (size_t)cap * sizeof *k);
        if (!k) return -1;
        s->kept = k;
        s->cap_kept = cap;
    }
    s->kept[s->n_kept++] = *a;
    return 0;
}

int lt_execute(lt_session *s, const char *code, int silent)
{
    atomic_store(&s->interrupt, 0);
    s->polls = 0;
    s->depth = 0;
    s->last_checkpoint = sess_now();
    s->err.name = NULL;
    if (s->mem_warning[0]) {
        sess_write_err(s, s->mem_warning, strlen(s->mem_warning));
        s->mem_warning[0] = '\0';
    }
    arena a = {0};
    ast_node *cell = parse_cell(code ? code : "", &a, &s->err);
    int st = cell ? session_run(s, cell, silent) : -1;
    if (st < 0) diag_report(&s->err, code, &s->host);
    if (s->returning) { val_decref(s->ret); s->returning = 0; }
    if (!s->keep_arena || session_keep_arena(s, &a) < 0) arena_free(&a);
    s->keep_arena = 0;
    return st < 0 ? LT_EXEC_ERROR : LT_EXEC_OK;
}

const lt_info *lt_kernel_info(void)
{
    static char banner[512];
    static lt_info info = {
        .implementation = "latent",
        .implementation_version = LATENT_VERSION,
        .language = "latent",
        .language_version = LATENT_VERSION,
        .mimetype = "text/x-latent",
        .file_extension = ".lt",
        .codemirror_mode = "python",
        .pygments_lexer = "python",
        .banner = banner,
        .help_url = "",
    };
    if (!banner[0]) {   /* the first line, then what it runs on (bi_about.c) */
        buf b;
        buf_init(&b);
        buf_printf(&b, "Latent " LATENT_VERSION ": a small language for training neural networks "
                       "cell by cell.\nhelp() lists the builtins; help(name) explains one.\n");
        about_line(&b);
        snprintf(banner, sizeof banner, "%s", b.oom ? "Latent " LATENT_VERSION : b.data);
        buf_free(&b);
    }
    return &info;
}
