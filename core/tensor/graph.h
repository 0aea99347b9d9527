/* graph.h: the arena every op allocates from, and reverse-mode autograd on a tape.
 *
 * A graph is an arena plus a tape. Ops (ops.h) put their results in the arena; while the
 * graph records, each op whose inputs require a gradient also appends its result to the
 * tape. A training step is:
 *
 *     // data: a heap (N, 784) tensor; perm: a permutation of 0..N-1 (rng_permutation);
 *     // model: an nn.h module; ps, nps: its lt_param list (nn_params)
 *     lt_graph *g = graph_new();                            // once
 *     for (int s = 0; s + 128 <= N; s += 128) {
 *         graph_reset(g);                                   // frees last step's tensors
 *         lt_tensor *x = op_rows(g, data, perm + s, 128);   // (128, 784), no grad
 *         lt_tensor *y = nn_forward(model, g, x);           // parameters enter as leaves
 *         lt_tensor *loss = op_mse(g, y, x, LT_MEAN);       // ops pass NULL along, so
 *         graph_zero_grad(ps, nps);                         // one check covers them all:
 *         if (graph_backward(g, loss, ps, nps) != LT_OK)    // += into ps[i].g only
 *             break;                                        // lt_errmsg() says why
 *         for (int k = 0; k < nps; k++)                     // plain SGD (or an optimizer
 *             for (size_t i = 0; i < ps[k].n; i++)          // over the same ps)
 *                 ps[k].w[i] -= 0.1f * ps[k].g[i];
 *     }
 *     graph_free(g);
 *
 * (tests/unit/test_nn.c compiles this loop as test_header_example.)
 *
 * Memory: the arena is a list of large blocks. graph_reset keeps its memory; if a step
 * needed more than one block, reset replaces them with one block of what the step used
 * plus an eighth, so after the first steps a training loop allocates nothing
 * (graph_arena_bytes stays put). When not recording (plain evaluation), reset frees an
 * arena of more than 32 MB instead: one big expression does not keep its memory (which
 * counts against the memory limit of mem.h). Blocks of 4 MB and more ask the kernel for transparent
 * huge pages. The tape's pointer array likewise keeps its capacity.
 *
 * Recording: graph_set_recording(g, 0) gives plain evaluation (sampling, plots): results
 * still go to the arena but nothing is taped and no tensor requires a gradient, so
 * every op takes its fast path. Reset the graph now and then (e.g. each sampling step,
 * keeping the carried tensor with tensor_keep) so the arena does not grow.
 *
 * Gradients only where asked: graph_backward gets the parameter blocks of the optimizer
 * being stepped. It marks the tape nodes that lead to a leaf of those blocks and runs the
 * backward of those nodes only, so a GAN's discriminator step computes no generator
 * weight gradients and the generator step no discriminator weight gradients (though the
 * gradient flows back through the discriminator's activations to reach the generator).
 * Gradients of intermediate nodes live in the arena; they are cleared at the start of
 * each graph_backward, so one forward may serve two backward passes. Once a node's
 * backward has run, its gradient is dead (every node that consumed it came later on the
 * tape and has already run): graph_backward sets the node's grad to NULL and hands the
 * buffer to the next graph_grad of an earlier node of the same size, so the backward pass
 * reuses a few warm buffers instead of writing fresh memory for every node. Only the
 * requested parameters' gradients (lt_param.g) outlive graph_backward.
 *
 * Writing a new op with a gradient (what ops.c does for each op):
 *
 *     static void scale_backward(lt_graph *g, lt_tensor *y)      // y = a * x
 *     {
 *         lt_tensor *x = y->in[0];
 *         float *dx = graph_grad(g, x);            // NULL: x needs no gradient here
 *         if (!dx) return;
 *         size_t n = tensor_numel(y);
 *         for (size_t i = 0; i < n; i++) dx[i] += y->fparam[0] * y->grad[i];   // +=
 *     }
 *     static const lt_opdef scale_def = { "scale", scale_backward };
 *
 *     lt_tensor *op_scale(lt_graph *g, lt_tensor *x, float a)
 *     {
 *         if (!x) return NULL;                     // pass failures along
 *         lt_tensor *y = graph_tensor(g, x->ndim, x->shape);   // contiguous, arena
 *         if (!y) return NULL;
 *         ... y->data[i] = a * x[i] (x may be a strided view) ...
 *         y->fparam[0] = a;
 *         lt_tensor *in[1] = { x };
 *         return graph_record(g, y, &scale_def, in, 1);
 *     }
 *
 * y->grad and every buffer from graph_grad are contiguous (row-major, the node's shape),
 * whatever the node's or input's strides; inputs' data may be strided views. A backward
 * function may use y->grad as scratch (nothing reads it after y's backward ran), but must
 * not keep a pointer to it or to an input's gradient after returning. Data
 * saved for backward (inputs, y->data, aux) must not be changed between the forward and
 * graph_backward: step the optimizer after backward, as usual.
 */
#ifndef LT_GRAPH_H
#define LT_GRAPH_H

#include <stddef.h>

#include "lt_error.h"
#include "param.h"
#include "tensor.h"

typedef struct lt_graph lt_graph;

/* A new empty graph, recording. NULL on LT_ERR_NOMEM. Free with graph_free. */
lt_graph *graph_new(void);
/* Frees the graph, its arena and every tensor in it. NULL is ignored. */
void graph_free(lt_graph *g);
/* Forgets every tensor and the tape; keeps (and, if fragmented, merges) the memory. */
void graph_reset(lt_graph *g);
/* 1: record a tape (training); 0: plain evaluation. Returns the previous setting. */
int graph_set_recording(lt_graph *g, int on);
int graph_recording(const lt_graph *g);

/* Arena statistics: bytes reserved from the system, bytes in use since the last reset,
 * and the number of tape nodes. */
size_t graph_arena_bytes(const lt_graph *g);
size_t graph_arena_used(const lt_graph *g);
int graph_tape_len(const lt_graph *g);

/* ---- building blocks for ops -------------------------------------------------------- */

/* size bytes of arena memory, 64-byte aligned, uninitialised. NULL after lt_fail. */
void *graph_alloc(lt_graph *g, size_t size);
/* A new contiguous tensor in the arena, uninitialised data, no op. NULL after lt_fail
 * (LT_ERR_SHAPE for ndim > 4 or a negative dimension, LT_ERR_NOMEM). */
lt_tensor *graph_tensor(lt_graph *g, int ndim, const int *shape);
/* Like graph_tensor, zero-filled. */
lt_tensor *graph_zeros(lt_graph *g, int ndim, const int *shape);
/* A new arena struct viewing x's floats with the given shape and strides (no copy, no
 * op); for view ops. The caller checks the view stays inside x. */
lt_tensor *graph_view(lt_graph *g, const lt_tensor *x, float *data, int ndim,
                      const int *shape, const ptrdiff_t *stride);
/* An arena view of a heap tensor (or any tensor) as a constant: same floats, no grad.
 * Use it to bring heap data into a graph; most ops also accept heap tensors directly. */
lt_tensor *graph_input(lt_graph *g, const lt_tensor *x);

/* An arena tensor over the caller's contiguous floats data (row-major, the given shape),
 * no copy, no grad: e.g. a mini-batch from data.h (x is (rows, 784)). data must outlive
 * the graph's use of it. NULL after lt_fail (bad shape, NOMEM). */
lt_tensor *graph_wrap(lt_graph *g, float *data, int ndim, const int *shape);

/* Sets y's op and inputs; if the graph records and an input requires a gradient, marks y
 * as requiring one and appends it to the tape. Returns y (NULL if y is NULL). */
lt_tensor *graph_record(lt_graph *g, lt_tensor *y, const lt_opdef *op,
                        lt_tensor *const *in, int nin);

/* size bytes of scratch memory, 64-byte aligned, uninitialised, for an op's temporary
 * buffers. Inside a backward function it is valid only until that function returns (then
 * graph_backward recycles it, like dead gradients); elsewhere it is graph_alloc. NULL
 * after lt_fail or, in backward, when out of memory (graph_backward then reports it). */
void *graph_scratch(lt_graph *g, size_t size);

/* Inside a backward function: x's gradient buffer (contiguous, zeroed when first made),
 * or NULL when x needs no gradient in this backward pass (not requested, a constant, or
 * leading to no requested parameter). For a parameter leaf this is lt_param.g. */
float *graph_grad(lt_graph *g, lt_tensor *x);
/* Like graph_grad, but a newly made buffer is left uninitialised and *fresh is set to 1:
 * the caller must then write (=) every element instead of adding (saves a memset; e.g.
 * sgemm with beta = 0). Otherwise *fresh is 0 and the caller adds. */
float *graph_grad_fresh(lt_graph *g, lt_tensor *x, int *fresh);

/* ---- parameters and backward --------------------------------------------------------- */

/* A leaf tensor over a parameter block: data = p->w, grad = p->g, contiguous with the
 * given shape (whose element count must be p->n). Requires a gradient when the graph
 * records. p must outlive the graph's use of the leaf. NULL after lt_fail. */
lt_tensor *graph_param(lt_graph *g, const lt_param *p, int ndim, const int *shape);

/* Back-propagates from loss (one element, e.g. shape () or (1, 1)) with d loss = 1 and
 * adds (+=) the gradient into ps[i].g for each requested block; other parameters'
 * gradients are untouched. Returns LT_OK, or LT_ERR_SHAPE if loss has several elements,
 * LT_ERR_VALUE if loss is NULL, requires no gradient (made without recording, or only
 * from data and detached values) or is not on g's tape (another graph's), LT_ERR_NOMEM. A loss that requires a gradient
 * but reaches none of the requested blocks is not an error: nothing is added. */
lt_status graph_backward(lt_graph *g, lt_tensor *loss, const lt_param *ps, int nps);
/* Like graph_backward with a given output gradient dy (numel(y) floats, row-major). */
lt_status graph_backward_from(lt_graph *g, lt_tensor *y, const float *dy,
                              const lt_param *ps, int nps);

/* 1 (default): graph_backward recycles the gradient buffers of nodes whose backward has
 * run (see the top of this file); 0: every node's gradient is fresh arena memory and
 * stays readable as node->grad until the next backward or reset (for tests comparing the
 * two). Returns the previous setting. */
int graph_set_grad_reuse(lt_graph *g, int on);

/* Sets every ps[i].g to zero. */
void graph_zero_grad(const lt_param *ps, int nps);


/* ---- gradient checking (for tests) ---------------------------------------------------- */

/* A function under test: builds its output from the n given input tensors (leaves of g,
 * heap data, any shape) and returns it (NULL after lt_fail). */
typedef lt_tensor *(*graph_check_fn)(lt_graph *g, lt_tensor **in, int n, void *ctx);

/* Compares the backward gradients of L = sum_i r_i * f(in)_i (r fixed pseudo-random
 * weights) with central finite differences of L, for every element of every input
 * whose want[k] is nonzero (want may be NULL: all inputs); 1 <= n <= 16. Inputs are copied, not
 * modified. Writes the worst |analytic - numeric| / max(0.01, |numeric|) into *max_err
 * and the input and element where it was into *where_in, *where_i (may be NULL).
 * eps is the perturbation (e.g. 1e-3). Returns LT_OK or the failure of f. */
lt_status graph_check_grad(graph_check_fn f, void *ctx, lt_tensor **in, int n,
                           const int *want, float eps, double *max_err,
                           int *where_in, size_t *where_i);

#endif
