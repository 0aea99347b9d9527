/* settings.h: every process-wide setting of the engine, in one place.
 *
 * The engine has a few knobs that hold for the whole process: which vector instructions
 * run, how many threads, how products and convolutions are cut, the memory cap. Each is
 * a field of lt_set below, with its default, the function that sets it (for tests,
 * benchmarks and the kernel's start-up) and the environment variable that sets it, if
 * any. The functions stay the way to change a setting (they clamp and check); the table
 * is where to find them all. Set them between computations, never while a parallel loop
 * runs: they are read without locks (except the two atomics).
 *
 *   field                 default          set by                          environment
 *   isa                   CPU's best       cpu_isa_set (cpu.h)             LATENT_ISA, read once
 *   threads               OpenBLAS's       pool_set_threads, sgemm_set_threads  OPENBLAS_NUM_THREADS
 *                                          (pool.h, sgemm.h)                (read by OpenBLAS)
 *   sgemm_small_flops     8e6              sgemm_set_small_flops (sgemm.h)
 *   sgemm_adaptive        0                sgemm_set_adaptive_threads
 *   sgemm_split           1                sgemm_set_split
 *   gemm_mode             GEMM_AUTO (0)    gemm_set_mode (gemm.h)
 *   vec_width             widest built     vec_set_width (vec.h)
 *   vmath_width           widest built     vm_set_width (vmath.h)
 *   par_serial            0                par_set_serial (par.h)
 *   conv_chunk_floats     65536            conv2d_set_chunk_floats (conv.h)
 *   conv_rowtap           1                conv2d_set_rowtap
 *   conv_winograd         1                conv2d_set_winograd
 *   conv_winograd_cols    64               conv2d_set_winograd_cols
 *   mem_limit             0 (none)         mem_set_limit (mem.h)           LATENT_MEM_LIMIT or
 *                                                                          MEM_LIMIT, read by the
 *                                                                          kernel at start
 *
 * Where data and models are found is looked up at each use, so that a test may point
 * elsewhere: LATENT_DATA_DIR (data.h, MNIST), LATENT_FASHION_DIR (Fashion-MNIST),
 * LATENT_MODEL_DIR (score.h, the scorers' classifiers); settings_env reads them.
 *
 * Not settings but per-object state: an optimizer's view of whether its gradients are
 * zero is the parameter blocks' own count of backward writes (param.h), not a process
 * counter. */
#ifndef LT_SETTINGS_H
#define LT_SETTINGS_H

#include <stdatomic.h>
#include <stddef.h>

typedef struct lt_settings {
    /* compute/ */
    atomic_int isa;             /* cpu_isa in use; -1 until first asked (LATENT_ISA)       */
    int threads;                /* engine threads; 0 until first asked (OpenBLAS's)        */
    double sgemm_small_flops;   /* products below: one thread                             */
    int sgemm_adaptive;         /* 1: 1 or all threads by measured speed                  */
    int sgemm_split;            /* 1: products cut into column parts (same bits anywhere) */
    int gemm_mode;              /* gemm_mode (gemm.h)                                     */
    int vec_width;              /* widest vector kernels allowed: 4, 8 or 16              */
    int vmath_width;            /* widest vmath loops allowed: 4, 8 or 16                 */
    int par_serial;             /* 1: every element loop on the calling thread            */
    /* ops/ */
    size_t conv_chunk_floats;   /* im2col column buffer target, floats                    */
    int conv_rowtap;            /* 0 im2col only, 1 row-tap where cheap, 2 always          */
    int conv_winograd;          /* 1: Winograd F(2x2, 3x3) on the row-tap path            */
    size_t conv_winograd_cols;  /* Winograd tiles per chunk                               */
    /* base/ */
    atomic_size_t mem_limit;    /* bytes, 0: none                                         */
} lt_settings;

/* The settings of this process. */
extern lt_settings lt_set;

/* The value of an environment variable the engine reads (LATENT_ISA, LATENT_DATA_DIR,
 * LATENT_FASHION_DIR, LATENT_MODEL_DIR), or NULL when unset or empty. */
const char *settings_env(const char *name);

#endif
