/* fuzz_lang.c: a libFuzzer target for the language (kernel/latent.h).
 *
 * One input is a notebook: cells separated by NUL bytes, run in order in one fresh
 * session (so a later cell sees what an earlier one defined). For every cell the
 * target also asks lt_is_complete, and lt_complete and lt_inspect at a few cursor
 * positions (start, end and up to six in between).
 *
 * Work per input is bounded: the host's checkpoint callback asks to stop once a
 * cell has run FUZZ_CELL_MS milliseconds (the cell then fails with
 * KeyboardInterrupt, a normal outcome), and the language's own limits (tensor
 * size, recursion depth) bound memory. A crash, a sanitizer report, a leak or a
 * timeout is a finding; an error reply is not.
 *
 * Built two ways (tests/fuzz/CMakeLists.txt): with clang -fsanitize=fuzzer for
 * fuzzing by hand, and with any compiler and replay.c as main() to replay the
 * seed corpus and the regressions under ctest. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "latent.h"

#define FUZZ_CELL_MS 50.0

/* Cells run per input; the rest of the input is ignored. replay.c raises it to run
 * whole test files. */
int fuzz_max_cells = 16;

typedef struct fuzz_host {
    double cell_start;   /* seconds, CLOCK_MONOTONIC */
    size_t sum;          /* touches every output byte, so a bad pointer shows */
} fuzz_host;

static double fuzz_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void fuzz_touch(fuzz_host *h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) h->sum += p[i];
}

static void fuzz_stream(void *ctx, int is_stderr, const char *text, size_t len)
{
    (void)is_stderr;
    fuzz_touch(ctx, text, len);
}

static void fuzz_output(fuzz_host *h, const lt_output *out)
{
    for (int i = 0; i < out->n_items; i++) {
        fuzz_touch(h, out->items[i].type, strlen(out->items[i].type));
        fuzz_touch(h, out->items[i].data, out->items[i].len);
    }
    if (out->display_id) fuzz_touch(h, out->display_id, strlen(out->display_id));
}

static void fuzz_display(void *ctx, const lt_output *out, int update)
{
    (void)update;
    fuzz_output(ctx, out);
}

static void fuzz_result(void *ctx, const lt_output *out) { fuzz_output(ctx, out); }

static void fuzz_error(void *ctx, const char *ename, const char *evalue,
                       const char *const *traceback, int n_traceback)
{
    fuzz_touch(ctx, ename, strlen(ename));
    fuzz_touch(ctx, evalue, strlen(evalue));
    for (int i = 0; i < n_traceback; i++) fuzz_touch(ctx, traceback[i], strlen(traceback[i]));
}

static void fuzz_clear(void *ctx, int wait) { (void)ctx; (void)wait; }

static void fuzz_page(void *ctx, const char *text) { fuzz_touch(ctx, text, strlen(text)); }

/* Asks to stop once the cell has used its time budget. */
static int fuzz_checkpoint(void *ctx)
{
    fuzz_host *h = ctx;
    return (fuzz_now() - h->cell_start) * 1000.0 > FUZZ_CELL_MS;
}

/* Completion, inspection and is_complete on one cell, at up to eight cursors. */
static void fuzz_editor(lt_session *s, fuzz_host *h, const char *code, size_t len)
{
    char indent[8];
    const char *st = lt_is_complete(code, indent, sizeof indent);
    fuzz_touch(h, st, strlen(st));
    size_t step = len / 7 + 1;
    for (size_t cur = 0; ; cur += step) {
        if (cur > len) cur = len;
        lt_completion c;
        if (lt_complete(s, code, cur, &c) == 0) {
            for (int i = 0; i < c.n; i++) fuzz_touch(h, c.matches[i], strlen(c.matches[i]));
            lt_completion_free(&c);
        }
        char *doc = lt_inspect(s, code, cur, (int)(cur & 1));
        if (doc) fuzz_touch(h, doc, strlen(doc));
        free(doc);
        if (cur == len) break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_host h = {0};
    lt_host host = {
        .ctx = &h, .stream = fuzz_stream, .display = fuzz_display, .result = fuzz_result,
        .error = fuzz_error, .clear_output = fuzz_clear, .page = fuzz_page,
        .checkpoint = fuzz_checkpoint,
    };
    lt_session *s = lt_session_new(&host);
    if (!s) return 0;
    char *buf = malloc(size + 1);
    if (!buf) { lt_session_free(s); return 0; }
    memcpy(buf, data, size);
    buf[size] = '\0';
    /* cells are the NUL-separated pieces of buf */
    size_t at = 0;
    for (int cell = 0; cell < fuzz_max_cells && at <= size; cell++) {
        const char *code = buf + at;
        size_t len = strlen(code);
        h.cell_start = fuzz_now();
        lt_execute(s, code, 0);
        fuzz_editor(s, &h, code, len);
        at += len + 1;
    }
    free(buf);
    lt_session_free(s);
    return 0;
}
