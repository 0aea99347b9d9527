/* latent.h: the whole boundary between the xeus shim (C++, kernel/shim/) and the
 * Latent language (C, kernel/lang/). The shim includes this header and nothing of
 * the language; the language includes this header and nothing of xeus.
 *
 * The shim creates one session with a table of host callbacks, then forwards each
 * Jupyter request to an entry point below and turns what comes back (return values
 * and callbacks made during the call) into Jupyter messages.
 *
 *     lt_host host = { .ctx = me, .stream = my_stream, ... };
 *     lt_session *s = lt_session_new(&host);
 *     if (lt_execute(s, "x = 1 + 2\nx", 0) == LT_EXEC_ERROR) { ...reply status error... }
 *     lt_session_free(s);
 *
 * Threads: every entry point except lt_interrupt() is called from one thread (the
 * one running the shell requests), and every callback is made from that thread,
 * during an entry-point call. lt_interrupt() may be called from any thread or from
 * a signal handler.
 *
 * Text: all text in both directions is UTF-8. Positions (cursor, match start/end)
 * are byte offsets into the code; the shim converts to and from the code points
 * that Jupyter counts. */
#ifndef LATENT_H
#define LATENT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lt_session lt_session;

/* One representation of an output, e.g. "text/plain" or "image/png". */
typedef struct lt_mime {
    const char *type;   /* MIME type: "text/plain", "text/html", "text/markdown", "image/png" */
    const void *data;   /* text: UTF-8 bytes; image/png: the raw PNG file (the shim base64s it) */
    size_t len;         /* bytes in data */
} lt_mime;

/* An output bundle: several representations of one thing. Borrowed for the
 * duration of the callback only; the shim copies what it keeps. */
typedef struct lt_output {
    const lt_mime *items;    /* n_items representations, the richest first */
    int n_items;
    int width, height;       /* display size of the image/png in CSS pixels (0 = unknown);
                                the shim puts them in metadata["image/png"] */
    const char *display_id;  /* NULL, or an id that later updates of this display use */
} lt_output;

/* Callbacks into the shim. ctx is passed back unchanged. All may be NULL in tests
 * that do not care (the language checks). */
typedef struct lt_host {
    void *ctx;
    /* stdout (is_stderr = 0) or stderr text; the shim coalesces it into stream messages */
    void (*stream)(void *ctx, int is_stderr, const char *text, size_t len);
    /* display_data, or update_display_data of out->display_id when update is nonzero */
    void (*display)(void *ctx, const lt_output *out, int update);
    /* execute_result of the current cell (the shim adds the execution count) */
    void (*result)(void *ctx, const lt_output *out);
    /* the cell's error: published as an error message and used for the error reply.
       traceback holds n_traceback lines (may contain ANSI colour codes) */
    void (*error)(void *ctx, const char *ename, const char *evalue,
                  const char *const *traceback, int n_traceback);
    /* clear_output; wait nonzero: clear when the next output arrives */
    void (*clear_output)(void *ctx, int wait);
    /* a page payload in the execute reply (help text shown in the pager) */
    void (*page)(void *ctx, const char *text);
    /* called by long-running work at safe points, at most every few milliseconds:
       the shim flushes buffered output. Returns nonzero if the user asked to stop. */
    int (*checkpoint)(void *ctx);
} lt_host;

/* Creates a session that keeps its variables across lt_execute calls. The host
 * table is copied. Returns NULL only if memory runs out. */
lt_session *lt_session_new(const lt_host *host);

/* Frees the session and everything it owns (shutdown). NULL is fine. */
void lt_session_free(lt_session *s);

enum { LT_EXEC_OK = 0, LT_EXEC_ERROR = 1 };

/* Runs one cell. Output goes through the host callbacks during the call; the value
 * of a final expression (unless silent) through host->result. On failure
 * host->error has been called once and LT_EXEC_ERROR is returned; the session keeps
 * every variable it had. An interrupt (lt_interrupt) makes it stop at the next safe
 * point with a KeyboardInterrupt error. A pending interrupt from before the call
 * is discarded. */
int lt_execute(lt_session *s, const char *code, int silent);

/* Completion candidates for the text ending at byte offset cursor. */
typedef struct lt_completion {
    char **matches;      /* n malloc'd strings, best first */
    int n;
    size_t start, end;   /* the byte range of code the matches replace */
} lt_completion;

/* Fills *out (zero it first is not needed). Returns 0; out->n may be 0. Free with
 * lt_completion_free. */
int lt_complete(lt_session *s, const char *code, size_t cursor, lt_completion *out);
void lt_completion_free(lt_completion *c);

/* Help for the name under or before the byte offset cursor: a builtin's signature
 * and doc, a keyword's meaning or a variable's summary. Returns a malloc'd UTF-8
 * text (the caller frees it), or NULL if nothing is known there. */
char *lt_inspect(lt_session *s, const char *code, size_t cursor, int detail_level);

/* Whether code is a whole cell: returns "complete", "incomplete" (an open bracket,
 * brace or string: indent receives the suggested indent for the next line) or
 * "invalid" (a stray closer). The returned string is static. */
const char *lt_is_complete(const char *code, char *indent, size_t indent_cap);

/* What kernel_info_reply says. All fields are static strings. */
typedef struct lt_info {
    const char *implementation;          /* "latent" */
    const char *implementation_version;  /* e.g. "0.1.0" */
    const char *language;                /* "latent" */
    const char *language_version;
    const char *mimetype;                /* "text/x-latent" */
    const char *file_extension;          /* ".lt" */
    const char *codemirror_mode;
    const char *pygments_lexer;
    const char *banner;
    const char *help_url;
} lt_info;
const lt_info *lt_kernel_info(void);

/* Asks the running cell to stop. Async-signal-safe (one atomic store); harmless
 * when nothing runs. */
void lt_interrupt(lt_session *s);

#ifdef __cplusplus
}
#endif
#endif
