/* pool.h: the engine's thread pool: a parallel for over a small set of worker threads,
 * used by the sgemm column split (sgemm.h), the element loops (par.h) and the conv ops.
 *
 *     static void task(void *ctx, int i, int thread) { ... image i, scratch[thread] ... }
 *     int nt = pool_threads();                // scratch buffers to prepare: one per thread
 *     pool_for(B, task, ctx);                 // returns when every task has run
 *
 * Threads: pool_threads() is the engine's thread setting (pool_get_threads), at most
 * POOL_MAX. The pool's workers start on first use, then poll for ~0.2 ms after each call
 * and sleep until the next. While a parallel for runs, OpenBLAS is set to one thread (its
 * calls from the tasks run on the calling thread) and restored afterwards. Tasks must not
 * allocate from a graph (the arena is not thread-safe) nor call lt_fail: prepare buffers
 * before. A call from inside a task runs inline on that task's thread with thread = 0
 * (only for tasks that ignore it).
 */
#ifndef LT_POOL_H
#define LT_POOL_H

#define POOL_MAX 8

typedef void (*pool_fn)(void *ctx, int task, int thread);

/* The engine's thread setting: how many threads products and loops may use (default:
 * OpenBLAS's own setting, which follows OPENBLAS_NUM_THREADS or the core count); n < 1
 * means 1, and 1 turns threading off. Process-wide (settings.h lists it); sgemm.h's
 * sgemm_set_threads also forgets the adaptive timings. */
void pool_set_threads(int n);
int pool_get_threads(void);

/* How many threads pool_for uses now (1 .. POOL_MAX). */
int pool_threads(void);
/* Runs fn(ctx, i, thread) for i in [0, n), spread over the threads (thread in
 * [0, pool_threads())); the calling thread takes part. Runs inline when n < 2, one
 * thread is set, or the workers could not be started. */
void pool_for(int n, pool_fn fn, void *ctx);
/* 1 while a pool_for runs its tasks (on any thread), else 0. */
int pool_in_parallel(void);
/* Sums over tasks must not depend on which thread ran which task (pool_for hands
 * tasks out first come, first served): such a pass accumulates into per-part partials
 * instead of per-thread ones. pool_parts(n) is how many partials to prepare, a
 * function of n alone (at most POOL_MAX); pool_for_parts runs part p's items,
 * a fixed contiguous range of [0, n), in order on one thread: fn(ctx, item, thread,
 * part), thread naming the scratch to use. The caller then adds the partials in part
 * order: the same bits on any thread count and any timing. */
typedef void (*pool_part_fn)(void *ctx, int item, int thread, int part);
int pool_parts(int n);
void pool_for_parts(int n, pool_part_fn fn, void *ctx);

#endif
