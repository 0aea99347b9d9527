/* bi_about.h: what the engine runs on, for about() and the kernel's banner: the vector
 * ISA in use (core/compute/cpu.h; LATENT_ISA lowers it) and what the CPU has, whether the own
 * sgemm kernel runs, the BLAS (OpenBLAS's build and the core whose kernels it chose) and
 * its threads, and the engine's thread count. */
#ifndef LANG_BI_ABOUT_H
#define LANG_BI_ABOUT_H

#include "buf.h"
#include "registry.h"

/* One line for the banner: "Runs on: avx512 vectors (16 floats), OpenBLAS with Cooperlake
 * kernels, 2 threads; about() says more." */
void about_line(buf *out);

/* Registers the library (registry.h). */
int lib_open_about(registry *r);

#endif
