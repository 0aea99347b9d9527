/* bi_tensor.h: tensors as values of the language, and the session's tensor context
 * (the engine graph that every tensor operation of a cell runs on).
 *
 * Where a tensor value's floats live:
 *   - outside `train` bodies, on the heap (tensor_keep/tensor_clone): every builtin
 *     runs its ops on the context's graph with recording off, keeps the result on the
 *     heap and resets the graph, so plain evaluation never grows memory;
 *   - inside a `train` body, in the graph's arena (recording on, so `step` can
 *     back-propagate). The graph is reset after every mini-batch; before that, every
 *     tensor reachable from the variables is copied to the heap (tc_reset), and a
 *     value that escaped elsewhere is caught by its generation number (an error, never
 *     a dangling pointer).
 *
 *     lt_tensor *t;
 *     if (tv_arg(s, at, v, &t) < 0) return -1;      // tensor, number or nested list
 *     return tv_result(s, at, op_exp(tc_graph(s), t), out);
 */
#ifndef LANG_BI_TENSOR_H
#define LANG_BI_TENSOR_H

#include "graph.h"
#include "ops.h"
#include "rng.h"
#include "registry.h"
#include "sess.h"
#include "value.h"

struct train_run;

typedef struct tc_ctx {
    lt_graph *g;            /* every op of the session runs here */
    unsigned long gen;      /* bumped by every reset: arena values of older generations are stale */
    int training;           /* inside a train body: results stay in the arena, taped */
    rng r;                  /* randn, rand, randint, layer initialisation (seed 0) */
    lt_tensor **pins;       /* heap tensors used by this step's arena views; released at reset */
    int npins, cap_pins;
    struct train_run *run;  /* the running train loop (for step and log), or NULL */
    double progress_after;  /* seconds of training before the progress line shows (1) */
    double live_after;      /* seconds before the live loss plot shows (1); < 0: off (live(false)) */
    /* An interrupted train loop, so that running the same loop again resumes it: the
       same dataset object (one reference held), epochs and batch size; the epoch it
       stopped in starts over and the histories go on. Cleared by any other train. */
    struct {
        void *data;         /* the dataset's val_obj, or NULL: nothing to resume */
        int epochs, batch, epoch;
    } resume;
} tc_ctx;

/* The session's context, made on first use; NULL (with a MemoryError) when out of memory. */
tc_ctx *tc_get(lt_session *s, const ast_node *at);
/* Copies the arena tensors that variables hold to the heap, then resets the graph. */
void tc_reset(lt_session *s);

/* A tensor value's data. */
typedef struct tval {
    lt_tensor *t;           /* heap tensor (owned), or an arena tensor when arena is 1 */
    int arena;
    unsigned long gen;      /* the context's gen when made (arena tensors only) */
    const tc_ctx *tc;       /* the context, to tell a live arena tensor from a stale one */
} tval;

extern const val_type tv_type;

int tv_is(value v);
/* The tensor of v: a tensor value, a number (a () tensor) or a nested list of numbers,
 * on the context's graph. -1 with a TypeError/ValueError at `at` otherwise. */
int tv_arg(lt_session *s, const ast_node *at, value v, lt_tensor **t);
/* Wraps an op's result y as a value (see the top); y NULL: the engine's error at `at`.
 * Outside training a () result is returned as a number. */
int tv_result(lt_session *s, const ast_node *at, lt_tensor *y, value *out);
/* Like tv_result, but a () result stays a tensor. */
int tv_result_tensor(lt_session *s, const ast_node *at, lt_tensor *y, value *out);
/* The axis= keyword of a reduction: absent (*given 0), one whole number or a list of
 * distinct ones (up to 4, into axes); -1 with a TypeError/ValueError at the keyword. */
int tv_axes(bi_args *a, int *naxes, int *axes, int *given);
/* A float32 as a number with the 7 significant digits it holds (0.1f -> 0.1). */
double tv_float_num(float x);
/* Records the engine's last error (lt_errmsg) at `at`. */
int tv_fail(lt_session *s, const ast_node *at);
/* Shows a tensor as "tensor (2, 2) float32" and a numpy-like excerpt; a scalar (shape
 * ()) on one line, "tensor(0.2331)". */
void tv_repr(const lt_tensor *t, buf *out);

/* Tensor activations (bi_tensor.c), which bi_nn.c's relu, sigmoid, ... call on tensors. */
int tv_relu(bi_args *a, value *out);
int tv_sigmoid(bi_args *a, value *out);
int tv_tanh(bi_args *a, value *out);
int tv_silu(bi_args *a, value *out);
int tv_softplus(bi_args *a, value *out);

/* Registers the tensor library: its builtins, the tensor overloads of number builtins
 * (exp(t), sum(t), ...) and the closer of the session's tensor context. */
int lib_open_tensor(registry *r);

#endif
