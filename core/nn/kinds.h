/* kinds.h: the table of layer kinds: every layer the engine has, under the name of the
 * builtin that makes it, with what the language and the checkpoint code need to know
 * about it without looking inside its struct.
 *
 *     const nn_kind *k = nn_kind_named("groupnorm");   // a layer builtin? (save, load)
 *     char arch[256];
 *     nn_arch(m, arch, sizeof arch);                   // "conv2d(1, 8, k=3, stride=1, padding=1)"
 *     nn_shape_out(m, &nd, shape);                     // the shape after m, for layer tables
 *
 * A network's saved architecture is the expression of these builtins that rebuilds it
 * (seq(...) of them, nested), every argument written; loading parses and runs it. So a
 * new layer kind is: its lt_module in core/nn (nn.h says how), one row in kinds.c's
 * table (name, kind, and arch/shape_out/in_width/bare/block_shape where the defaults do
 * not fit), and its builtin in the language's layer library. */
#ifndef LT_KINDS_H
#define LT_KINDS_H

#include <stddef.h>
#include <stdint.h>

#include "nn.h"

typedef struct nn_kind {
    const char *name;   /* the builtin that makes it, as architectures call it ("groupnorm") */
    const char *kind;   /* lt_module_ops.kind of the layers it makes ("group_norm")          */
    /* the call of name that rebuilds m, every argument written, into buf; NULL: m's
     * describe() is that call */
    char *(*arch)(const lt_module *m, char *buf, size_t size);
    /* the shape after m from the shape before (shape[0..*nd), -1 for the batch and for
     * sizes not known; *nd 0 when nothing is known); NULL: the same shape */
    void (*shape_out)(const lt_module *m, int *nd, int shape[4]);
    /* the features of the (B, n) input m needs, or -1; NULL: none known */
    int (*in_width)(const lt_module *m);
    /* the layer the bare name stands for in seq(...) (relu, down, flatten: no
     * arguments), NULL after lt_fail; NULL: the name needs arguments */
    lt_module *(*bare)(void);
    /* the shape a checkpoint gives parameter block i of m (shape[0..ndim), returned);
     * NULL: every block flat, (n) */
    int (*block_shape)(const lt_module *m, int i, int64_t shape[2]);
} nn_kind;

/* The kind whose builtin is called name, or NULL. */
const nn_kind *nn_kind_named(const char *name);
/* The kind of layer m (by its lt_module_ops.kind), or NULL (a container such as seq, or
 * a module the table does not know). */
const nn_kind *nn_kind_of(const lt_module *m);
/* The rows of the table, for listing them: i in [0, nn_kind_count()). */
int nn_kind_count(void);
const nn_kind *nn_kind_at(int i);

/* The call that rebuilds leaf layer m (its kind's arch, else describe) into buf. */
char *nn_arch(const lt_module *m, char *buf, size_t size);
/* The shape after leaf layer m (its kind's shape_out; unknown kinds keep the shape). */
void nn_shape_out(const lt_module *m, int *nd, int shape[4]);
/* The (B, n) input width leaf layer m needs, or -1. */
int nn_in_width(const lt_module *m);
/* The layer a bare builtin name stands for in seq(...) (its kind's bare), or NULL
 * (not a layer name, or one that needs arguments; no message then) . */
lt_module *nn_bare(const char *name);
/* The shape of parameter block i of leaf layer m in a checkpoint: returns ndim and fills
 * shape (its kind's block_shape; else 1 and the block's length n). */
int nn_block_shape(const lt_module *m, int i, size_t n, int64_t shape[2]);

#endif
