/* mem.h: one account of the memory a process spends on tensors, so that a kernel has a
 * cap and a runaway cell fails with a clear MemoryError instead of waking the machine's
 * OOM killer (and taking the other students' kernels with it).
 *
 * What is counted: the float buffers of heap tensors (tensor_new), the blocks of every
 * graph arena (graph_alloc), and the weights, gradients and optimizer state of layers
 * (mem_alloc: linear, conv2d, Adam/SGD, EMA). Together they are nearly all of a
 * session's memory: activations, gradients, data sets, kept results, networks. Small
 * bookkeeping (structs, lists, strings, group norms' few weights) is not counted.
 *
 *     if (mem_reserve(bytes, "tensor") != LT_OK) return NULL;  // message names the cap
 *     ... malloc, and on malloc failure mem_release(bytes) ...
 *     mem_release(bytes);                                    // when freed
 *
 * The limit is per process (one kernel = one process), 0 = none. The default is no
 * limit; the kernel sets one at start (kernel/lang: LATENT_MEM_LIMIT, see
 * mem_parse_size). Counters are atomic: any thread may reserve and release. */
#ifndef LT_MEM_H
#define LT_MEM_H

#include <stddef.h>

#include "lt_error.h"

/* Counts bytes against the limit. LT_OK, or LT_ERR_NOMEM with a message naming what
 * (e.g. "tensor"), the size asked for, what is in use, the limit and how to raise it;
 * nothing is counted then. */
lt_status mem_reserve(size_t bytes, const char *what);
/* Gives back bytes counted by mem_reserve. */
void mem_release(size_t bytes);

/* A counted block for memory that lives as long as a layer or an optimizer (weights,
 * gradients, Adam's moments, EMA's averages): bytes (zeroed if zero), 16-byte aligned,
 * or NULL after lt_fail (over the limit, naming what; or out of memory). Free it with
 * mem_free (NULL is ignored), never with free. */
void *mem_alloc(size_t bytes, int zero, const char *what);
void mem_free(void *p);

/* Bytes counted now; the most ever counted since the start (or mem_peak_reset). */
size_t mem_used(void);
size_t mem_peak(void);
void mem_peak_reset(void);

/* The limit in bytes (0: none); set it at start, before any tensor exists. */
size_t mem_limit(void);
void mem_set_limit(size_t bytes);

/* Parses a size: a number with an optional suffix K, M, G, T (powers of 1024; "B",
 * "iB" and lower case accepted: 512M, 2G, 1.5GiB, 4000000000), or a percentage of
 * physical memory ("25%"), or "0"/"none"/"off" for no limit. LT_OK and *bytes, or
 * LT_ERR_VALUE with a message that says what is valid. */
lt_status mem_parse_size(const char *text, size_t *bytes);

/* The memory this process may use at most: physical memory, or the cgroup's
 * memory.max (a container's limit) if smaller. 0 if unknown. */
size_t mem_physical(void);

/* "1.5 GiB", "380 MiB", "12 KiB", "100 bytes" into buf; returns buf. */
char *mem_format(size_t bytes, char *buf, size_t cap);

#endif
