/* sess.c: what the evaluator and the libraries call on a session (see sess.h): errors,
 * the interrupt and checkpoint clock, and output. */
#include "sess.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

double sess_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void sess_fail_at(lt_session *s, const ast_node *at, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vset(&s->err, name, at ? at->line : 0, at ? at->col : 0, fmt, ap);
    va_end(ap);
}

int sess_tick(lt_session *s, const ast_node *at)
{
    double now = sess_now();
    if (now - s->last_checkpoint < SESS_CHECKPOINT_SECONDS) return 0;
    s->last_checkpoint = now;
    if (s->host.checkpoint && s->host.checkpoint(s->host.ctx))
        return sess_fail(s, at, "KeyboardInterrupt", "interrupted");
    return 0;
}

void sess_write(lt_session *s, const char *text, size_t len)
{
    if (s->host.stream && len) s->host.stream(s->host.ctx, 0, text, len);
}

void sess_write_err(lt_session *s, const char *text, size_t len)
{
    if (s->host.stream && len) s->host.stream(s->host.ctx, 1, text, len);
}

void sess_show(lt_session *s, value v, int display)
{
    lt_output rich = {0};
    if (IS_OBJ(v) && AS_OBJ(v)->type->to_mime && AS_OBJ(v)->type->to_mime(AS_OBJ(v)->data, &rich) == 0) {
        if (display && s->host.display) s->host.display(s->host.ctx, &rich, 0);
        if (!display && s->host.result) s->host.result(s->host.ctx, &rich);
        return;
    }
    buf b;
    buf_init(&b);
    val_repr(v, &b);
    lt_mime text = {"text/plain", b.data, b.len};
    lt_output out = {&text, 1, 0, 0, NULL};
    if (display && s->host.display) s->host.display(s->host.ctx, &out, 0);
    if (!display && s->host.result) s->host.result(s->host.ctx, &out);
    buf_free(&b);
}

