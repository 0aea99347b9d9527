/* sess.h: the inside of an lt_session (the opaque type of latent.h), shared by the
 * evaluator and the builtin libraries, and what they call on it: errors, interrupts,
 * output (sess.c). The session layer (session/session.c) makes and frees it. */
#ifndef LANG_SESS_H
#define LANG_SESS_H

#include <stdatomic.h>

#include "ast.h"
#include "diag.h"
#include "env.h"
#include "latent.h"
#include "value.h"

struct arena;
struct registry;
struct tc_ctx;
struct net_run;
struct sc_cache;

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "lt_interrupt needs a lock-free atomic int");

struct lt_session {
    lt_host host;            /* copied from lt_session_new */
    env *globals;            /* the variables, kept across cells */
    atomic_int interrupt;    /* set by lt_interrupt, cleared when a cell starts */
    unsigned polls;          /* sess_poll calls in this cell (the clock is read every 64) */
    double last_checkpoint;  /* CLOCK_MONOTONIC seconds of the last host->checkpoint */
    int depth;               /* nested evaluations (a guard against runaway recursion) */
    diag err;                /* the current cell's error */
    struct registry *reg;    /* the builtins and statements of the opened libraries */
    /* The per-session state of libraries (opaque here; each is freed by its library's
       closer, registry.h): */
    struct tc_ctx *tc;       /* tensors, autograd and training (bi_tensor.h); NULL
                                until the first tensor */
    env *locals;             /* the running function's variables, or NULL at top level */
    int returning;           /* a `return` ran: blocks and loops stop */
    value ret;               /* the value it returned (owned while returning) */
    struct arena *kept;      /* arenas of cells that defined functions (their ASTs) */
    int n_kept, cap_kept;
    int keep_arena;          /* the running cell defined a function: keep its arena */
    struct net_run *net;     /* the net whose body is running (bi_net.c), or NULL */
    struct sc_cache *scorers;   /* the sample scorers loaded so far (bi_score.c), or NULL */
    char mem_warning[400];   /* a bad LATENT_MEM_LIMIT: shown on stderr by the next cell */
};

enum { SESS_MAX_DEPTH = 1000 };
#define SESS_CHECKPOINT_SECONDS 0.005

/* Records an error of kind name at node `at` (NULL: no position) and returns -1. The
 * macro makes the -1 visible where it is called, so that the compiler knows a caller's
 * "< 0" branch is taken and its outputs are not used uninitialised. */
void sess_fail_at(lt_session *s, const ast_node *at, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline int sess_minus_one(void) { return -1; }   /* a call: no unused-value warning */
#define sess_fail(...) (sess_fail_at(__VA_ARGS__), sess_minus_one())

/* Seconds on CLOCK_MONOTONIC. */
double sess_now(void);
/* Reads the clock and calls host->checkpoint when it is due; -1 on a stop. */
int sess_tick(lt_session *s, const ast_node *at);
/* Called by the evaluator at safe points (every loop iteration and every call)
 * and by long builtins: returns 0, or -1 with a KeyboardInterrupt recorded when
 * the user asked to stop. Cheap: one relaxed atomic load and a counter. */
static inline int sess_poll(lt_session *s, const ast_node *at)
{
    if (atomic_load_explicit(&s->interrupt, memory_order_relaxed))
        return sess_fail(s, at, "KeyboardInterrupt", "interrupted");
    if ((++s->polls & 63) == 0) return sess_tick(s, at);
    return 0;
}

/* Writes text to the cell's stdout (host->stream). */
void sess_write(lt_session *s, const char *text, size_t len);
/* Sends text to the cell's stderr stream. */
void sess_write_err(lt_session *s, const char *text, size_t len);
/* Shows v as an output bundle: as the cell's result (host->result) or, when
 * display is nonzero, as display_data (host->display). */
void sess_show(lt_session *s, value v, int display);

#endif
