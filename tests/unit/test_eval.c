/* test_eval.c: sessions through the public API of latent.h: results, output,
 * errors and tracebacks, limits, interrupts and checkpoints, display of images,
 * completion, inspection, is_complete and kernel info. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "latent.h"
#include "value.h"

typedef struct host_log {
    buf out;           /* stdout text */
    buf result;        /* text/plain of the last result */
    int results, errors, displays, checkpoints;
    char ename[64];
    char evalue[512];
    buf traceback;     /* traceback lines joined with '\n' */
    int width, height; /* of the last display */
    char display_types[128];
    int stop_after;    /* checkpoint returns 1 once this many have happened (0: never) */
} host_log;

static void h_stream(void *ctx, int is_stderr, const char *text, size_t len)
{
    (void)is_stderr;
    buf_add(&((host_log *)ctx)->out, text, len);
}

static void h_result(void *ctx, const lt_output *o)
{
    host_log *h = ctx;
    h->results++;
    buf_clear(&h->result);
    buf_add(&h->result, o->items[0].data, o->items[0].len);
}

static void h_display(void *ctx, const lt_output *o, int update)
{
    host_log *h = ctx;
    (void)update;
    h->displays++;
    h->width = o->width;
    h->height = o->height;
    h->display_types[0] = 0;
    for (int i = 0; i < o->n_items; i++) {
        strcat(h->display_types, o->items[i].type);
        strcat(h->display_types, " ");
    }
}

static void h_error(void *ctx, const char *ename, const char *evalue, const char *const *tb, int n)
{
    host_log *h = ctx;
    h->errors++;
    snprintf(h->ename, sizeof h->ename, "%s", ename);
    snprintf(h->evalue, sizeof h->evalue, "%s", evalue);
    buf_clear(&h->traceback);
    for (int i = 0; i < n; i++) { buf_puts(&h->traceback, tb[i]); buf_putc(&h->traceback, '\n'); }
}

static int h_checkpoint(void *ctx)
{
    host_log *h = ctx;
    h->checkpoints++;
    return h->stop_after && h->checkpoints >= h->stop_after;
}

static host_log hl;
static lt_session *S;

static void reset(void)
{
    buf_clear(&hl.out);
    buf_clear(&hl.result);
    hl.results = hl.errors = hl.displays = hl.checkpoints = hl.stop_after = 0;
    hl.ename[0] = hl.evalue[0] = 0;
}

static int run(const char *code)
{
    reset();
    return lt_execute(S, code, 0);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void test_results(void)
{
    CHECK(run("x = 1 + 2\nx") == LT_EXEC_OK);
    CHECK(hl.results == 1);
    CHECK_STR(hl.result.data, "3");
    run("x / 4");
    CHECK_STR(hl.result.data, "0.75");
    run("y = x");                       /* an assignment shows nothing */
    CHECK(hl.results == 0);
    run("print(\"a\")");                /* print returns none: no result */
    CHECK(hl.results == 0);
    CHECK_STR(hl.out.data, "a\n");
    reset();
    CHECK(lt_execute(S, "x", 1) == LT_EXEC_OK);   /* silent */
    CHECK(hl.results == 0);
    run("");
    CHECK(hl.results == 0 && hl.errors == 0);
    run("\"s\"");
    CHECK_STR(hl.result.data, "'s'");
}

static void test_number_format(void)
{
    char s[32];
    double xs[] = {3, 0.5, 1.75, 2.25, 1e-5, 0.1, 1e16, 1e20, -2.5, 1.0 / 3, 123456789.125};
    const char *want[] = {"3", "0.5", "1.75", "2.25", "1e-05", "0.1", "1e+16", "1e+20", "-2.5",
                          "0.3333333333333333", "123456789.125"};
    for (int i = 0; i < 11; i++) { val_format_num(xs[i], s); CHECK_STR(s, want[i]); }
    val_format_num(1.0 / 0.0, s);
    CHECK_STR(s, "inf");
}

static void test_errors_and_traceback(void)
{
    run("entropy = 1");
    CHECK(run("a = 2\n  entrpy + 1") == LT_EXEC_ERROR);
    CHECK(hl.errors == 1);
    CHECK_STR(hl.ename, "NameError");
    CHECK_STR(hl.evalue, "2:3: name 'entrpy' is not defined; did you mean 'entropy'?");
    /* the source line, a caret under column 3, then the error */
    CHECK(strstr(hl.traceback.data, "2 |\x1b[0m   entrpy + 1\n") != NULL);
    CHECK(strstr(hl.traceback.data, "  |\x1b[0m   \x1b[1;31m^") != NULL);
    CHECK(strstr(hl.traceback.data, "NameError\x1b[0m: 2:3: name 'entrpy'") != NULL);
    run("a");                           /* assignments before the error stay */
    CHECK_STR(hl.result.data, "2");
    CHECK(run("[1] + ") == LT_EXEC_ERROR);
    CHECK_STR(hl.ename, "SyntaxError");
    /* the caret lines up under characters, not bytes */
    run("\"βββ\" + 1");
    CHECK(strstr(hl.traceback.data, "|\x1b[0m       \x1b[1;31m^") != NULL);
}

static void test_limits(void)
{
    /* a long left-nested chain is a RecursionError, not a crash */
    buf code;
    buf_init(&code);
    buf_puts(&code, "1");
    for (int i = 0; i < 5000; i++) buf_puts(&code, " + 1");
    CHECK(run(code.data) == LT_EXEC_ERROR);
    CHECK_STR(hl.ename, "RecursionError");
    buf_free(&code);
    /* a list past VAL_LIST_MAX items is a MemoryError */
    CHECK(run("big = [0]\nfor i in 1 .. 30 { big = big + big }") == LT_EXEC_ERROR);
    CHECK_STR(hl.ename, "MemoryError");
    run("len(big)");
    CHECK_STR(hl.result.data, "8388608");
    run("big = 0");
    /* a cell can still run after all that */
    CHECK(run("1 + 1") == LT_EXEC_OK);
    CHECK_STR(hl.result.data, "2");
    /* a long list shows its first items and a count */
    run("l = []\nfor i in 1 .. 1500 { l = l + [i] }\nl");
    CHECK(strstr(hl.result.data, ", ... (1500 items in all)]") != NULL);
}

static void *interrupt_later(void *arg)
{
    usleep(200000);
    *(double *)arg = now();
    lt_interrupt(S);
    return NULL;
}

static void test_interrupt(void)
{
    double t_interrupt = 0;
    pthread_t th;
    reset();
    pthread_create(&th, NULL, interrupt_later, &t_interrupt);
    int st = lt_execute(S, "for i in 0 .. 100000000 { }", 0);
    double t_end = now();
    pthread_join(th, NULL);
    CHECK(st == LT_EXEC_ERROR);
    CHECK_STR(hl.ename, "KeyboardInterrupt");
    CHECK(t_end - t_interrupt < 0.1);
    CHECK(hl.checkpoints >= 5);          /* about every 5 ms while running */
    run("i > 0");                        /* the session keeps the loop's progress */
    CHECK_STR(hl.result.data, "true");
    /* a pending interrupt from before the cell is discarded */
    lt_interrupt(S);
    CHECK(run("1") == LT_EXEC_OK);
}

static void test_checkpoint_stop(void)
{
    reset();
    hl.stop_after = 3;
    double t0 = now();
    CHECK(lt_execute(S, "for i in 0 .. 100000000 { }", 0) == LT_EXEC_ERROR);
    CHECK_STR(hl.ename, "KeyboardInterrupt");
    CHECK(hl.checkpoints == 3);
    CHECK(now() - t0 < 1.0);
}

static void test_image(void)
{
    char path[512];
    snprintf(path, sizeof path, "image(\"%s/share/docs/example.png\", width=200)", LATENT_SOURCE_DIR);
    CHECK(run(path) == LT_EXEC_OK);
    CHECK(hl.displays == 1 && hl.results == 0);
    CHECK(hl.width == 200 && hl.height == 200);
    CHECK_STR(hl.display_types, "image/png text/plain ");
}

static void test_complete(void)
{
    lt_completion c;
    run("learning_rate = 1; lr = 2");
    lt_complete(S, "x = le", 6, &c);
    CHECK(c.start == 4 && c.end == 6);
    int has_len = 0, has_lr = 0;   /* the variable and the builtin, among others such as leaky_relu */
    for (int i = 0; i < c.n; i++) has_len |= strcmp(c.matches[i], "len") == 0;
    for (int i = 0; i < c.n; i++) has_lr |= strcmp(c.matches[i], "learning_rate") == 0;
    CHECK(has_len && has_lr);
    lt_completion_free(&c);
    lt_complete(S, "print(1, e", 10, &c);       /* keyword arguments first */
    CHECK(c.n >= 2 && strcmp(c.matches[0], "end=") == 0);
    int has_entropy = 0;   /* the variable, among builtins such as encode */
    for (int i = 1; i < c.n; i++) has_entropy |= strcmp(c.matches[i], "entropy") == 0;
    CHECK(has_entropy);
    lt_completion_free(&c);
    lt_complete(S, "f", 1, &c);
    CHECK(c.n >= 3 && strcmp(c.matches[c.n - 1], "for") == 0);   /* keywords last */
    lt_completion_free(&c);
    lt_complete(S, "print(\"le", 9, &c);        /* nothing inside a string */
    CHECK(c.n == 0);
    lt_completion_free(&c);
    /* the words of a train header, which are names, not keywords */
    const char *code = "train on mnist() e";
    lt_complete(S, code, strlen(code), &c);
    CHECK(c.n >= 1 && strcmp(c.matches[0], "epochs") == 0);
    lt_completion_free(&c);
    code = "train on data epochs 3 ";
    lt_complete(S, code, strlen(code), &c);
    CHECK(c.n >= 1 && strcmp(c.matches[0], "batch") == 0);
    lt_completion_free(&c);
    code = "train on e";                          /* the data itself: no header word */
    lt_complete(S, code, strlen(code), &c);
    for (int i = 0; i < c.n; i++) CHECK(strcmp(c.matches[i], "epochs") != 0);
    lt_completion_free(&c);
    code = "train on d epochs 1 batch 8 { e";   /* in the body: none either */
    lt_complete(S, code, strlen(code), &c);
    for (int i = 0; i < c.n; i++) CHECK(strcmp(c.matches[i], "epochs") != 0);
    lt_completion_free(&c);
}

static void test_inspect(void)
{
    run("p = [0.5, 0.5]");
    char *t = lt_inspect(S, "x = sqrt(2)", 6, 0);
    CHECK(t && strncmp(t, "sqrt(x)\n", 8) == 0);
    free(t);
    t = lt_inspect(S, "print(1, ", 9, 0);     /* inside a call: the callee */
    CHECK(t && strstr(t, "sep=") != NULL);
    free(t);
    t = lt_inspect(S, "p", 1, 0);
    CHECK_STR(t, "p: list\n    [0.5, 0.5]\n");
    free(t);
    t = lt_inspect(S, "for", 1, 0);
    CHECK(t && strstr(t, "both ends included") != NULL);
    free(t);
    CHECK(lt_inspect(S, "nothing_here", 3, 0) == NULL);
}

static void test_is_complete(void)
{
    char ind[16];
    CHECK_STR(lt_is_complete("x = 1", ind, sizeof ind), "complete");
    CHECK_STR(lt_is_complete("for i in 1 .. 3 {", ind, sizeof ind), "incomplete");
    CHECK_STR(ind, "    ");
    CHECK_STR(lt_is_complete("if a {\n  f(1,", ind, sizeof ind), "incomplete");
    CHECK_STR(ind, "        ");
    CHECK_STR(lt_is_complete("x = \"abc", ind, sizeof ind), "incomplete");
    CHECK_STR(lt_is_complete("x = 1 +", ind, sizeof ind), "incomplete");
    CHECK_STR(lt_is_complete("x = 1 }", ind, sizeof ind), "invalid");
    CHECK_STR(lt_is_complete("f(1]", ind, sizeof ind), "invalid");
    CHECK_STR(lt_is_complete("x = \"{\"  # (", ind, sizeof ind), "complete");
}

static void test_kernel_info(void)
{
    const lt_info *i = lt_kernel_info();
    CHECK_STR(i->implementation, "latent");
    CHECK(i->implementation_version && strchr(i->implementation_version, '.') != NULL);
    CHECK(strcmp(i->implementation_version, "0.0.0") != 0);   /* LATENT_VERSION was defined */
    CHECK_STR(i->language, "latent");
    CHECK_STR(i->mimetype, "text/x-latent");
    CHECK_STR(i->file_extension, ".lt");
    CHECK(i->banner && strstr(i->banner, "Latent") != NULL);
}

static void test_null_host(void)
{
    lt_session *s = lt_session_new(NULL);   /* every callback missing */
    CHECK(s != NULL);
    CHECK(lt_execute(s, "print(1); x = 1/0", 0) == LT_EXEC_ERROR);
    CHECK(lt_execute(s, "x = 2\nx", 0) == LT_EXEC_OK);
    lt_session_free(s);
    lt_session_free(NULL);
}

int main(void)
{
    buf_init(&hl.out);
    buf_init(&hl.result);
    buf_init(&hl.traceback);
    lt_host host = {.ctx = &hl, .stream = h_stream, .result = h_result, .display = h_display,
                    .error = h_error, .checkpoint = h_checkpoint};
    S = lt_session_new(&host);
    RUN(test_results);
    RUN(test_number_format);
    RUN(test_errors_and_traceback);
    RUN(test_limits);
    RUN(test_interrupt);
    RUN(test_checkpoint_stop);
    RUN(test_image);
    RUN(test_complete);
    RUN(test_inspect);
    RUN(test_is_complete);
    RUN(test_kernel_info);
    RUN(test_null_host);
    lt_session_free(S);
    buf_free(&hl.out);
    buf_free(&hl.result);
    buf_free(&hl.traceback);
    return check_summary("eval");
}
