/* cpu.h: which vector instructions the engine's kernels use (one engine-wide choice that
 * every dispatch consults: the own sgemm in gemm.c, the vector kernels in vec.c, the
 * element loops marked PAR_CLONED in par.h).
 *
 *     cpu_isa isa = cpu_isa_get();            // what runs now
 *     if (isa >= CPU_ISA_AVX2) ...            // 8-float vectors with FMA
 *
 * The level in use is the best the CPU has (x86-64: AVX-512F, else AVX2 with FMA, else the
 * SSE2 baseline; other machines: the compiler's baseline, NEON on arm64), lowered by the
 * environment variable LATENT_ISA=avx512|avx2|generic when the process first asks (for
 * benchmarks and bug reports: "does it happen on the AVX2 path too?"). A value above what
 * the CPU has, or one not understood, is not obeyed; cpu_isa_note() then says so. */
#ifndef LT_CPU_H
#define LT_CPU_H

typedef enum {
    CPU_ISA_GENERIC,   /* 4 floats: SSE2 on x86-64, NEON on arm64 (the compiler's baseline) */
    CPU_ISA_AVX2,      /* x86-64 with AVX2 and FMA: 8 floats                                */
    CPU_ISA_AVX512     /* x86-64 with AVX-512F: 16 floats                                   */
} cpu_isa;

/* The best level this CPU (and OS) runs. */
cpu_isa cpu_isa_best(void);

/* The level in use: cpu_isa_best() lowered by LATENT_ISA (read once) or cpu_isa_set. */
cpu_isa cpu_isa_get(void);

/* Uses isa (at most cpu_isa_best(): a higher one is lowered to it) from now on; returns
 * the previous level. For tests and benchmarks; not thread-safe: call it between
 * computations, never while a parallel loop runs. */
cpu_isa cpu_isa_set(cpu_isa isa);

/* "avx512", "avx2" or "generic" (the names LATENT_ISA takes). */
const char *cpu_isa_name(cpu_isa isa);

/* 1 and *isa set if name is one of the names above (case-sensitive), else 0. */
int cpu_isa_parse(const char *name, cpu_isa *isa);

/* What the machine's baseline is called: "SSE2" (x86-64), "NEON" (arm64) or "scalar". */
const char *cpu_isa_baseline(void);

/* "" normally; else one line on why LATENT_ISA was not obeyed ("LATENT_ISA=avx9 not
 * understood (avx512, avx2 or generic): using avx2"). Static storage. */
const char *cpu_isa_note(void);

#endif
