/* bi_about.c: about(), what the engine runs on (see bi_about.h). */
#include "bi_about.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "gemm.h"
#include "sess.h"
#include "tensor.h"

#if defined(__x86_64__)
#define MACHINE "x86-64"
#elif defined(__aarch64__)
#define MACHINE "arm64"
#else
#define MACHINE "this machine"
#endif

/* "AVX2 + FMA, 8 floats" */
static void isa_detail(cpu_isa isa, buf *out)
{
    if (isa == CPU_ISA_AVX512)
        buf_printf(out, "AVX-512, 16 floats");
    else if (isa == CPU_ISA_AVX2)
        buf_printf(out, "AVX2 + FMA, 8 floats");
    else
        buf_printf(out, "%s, 4 floats", cpu_isa_baseline());
}

void about_line(buf *out)
{
    cpu_isa isa = cpu_isa_get();
    buf_printf(out, "Runs on: %s vectors (", cpu_isa_name(isa));
    isa_detail(isa, out);
    buf_printf(out, "), OpenBLAS with %s kernels, %d thread%s; about() says more.",
               openblas_get_corename(), tensor_get_threads(), tensor_get_threads() == 1 ? "" : "s");
}

static void about_text(buf *out)
{
    cpu_isa isa = cpu_isa_get(), best = cpu_isa_best();
    const char *env = getenv("LATENT_ISA");
    buf_printf(out, "Latent %s on %s\nvectors: %s (", LATENT_VERSION, MACHINE, cpu_isa_name(isa));
    isa_detail(isa, out);
    buf_printf(out, "); this CPU has %s", cpu_isa_name(best));
    if (env && *env)
        buf_printf(out, "; LATENT_ISA=%s", env);
    buf_printf(out, "\n");
    if (*cpu_isa_note())
        buf_printf(out, "note: %s\n", cpu_isa_note());
    buf_printf(out, "own sgemm kernel: %s\n",
               gemm_available() ? "AVX-512, for the MLPs' batch-sized products"
                                : "only on the avx512 path: every product goes to the BLAS");
    buf_printf(out, "BLAS: %s; kernels for %s; its thread setting now: %d\n",
               openblas_get_config(), openblas_get_corename(), openblas_get_num_threads());
    buf_printf(out, "threads: %d (the engine's pool: element loops, convolutions, and the "
               "column parts of products, each on one BLAS thread)\n", tensor_get_threads());
}

/* about(field) */
static int about_field(bi_args *a, const char *f, value *out)
{
    const char *s = NULL;
    if (strcmp(f, "isa") == 0) s = cpu_isa_name(cpu_isa_get());
    else if (strcmp(f, "cpu") == 0) s = cpu_isa_name(cpu_isa_best());
    else if (strcmp(f, "blas") == 0) s = openblas_get_config();
    else if (strcmp(f, "blas_core") == 0) s = openblas_get_corename();
    else if (strcmp(f, "blas_threads") == 0) *out = NUM_VAL(openblas_get_num_threads());
    else if (strcmp(f, "threads") == 0) *out = NUM_VAL(tensor_get_threads());
    else
        return bi_fail(a, a->pos_nodes[0], "ValueError",
                       "about: no field '%s' (isa, cpu, blas, blas_core, blas_threads or threads)", f);
    if (!s)
        return 0;
    val_str *str = val_str_new(s, strlen(s));
    if (!str)
        return bi_fail(a, NULL, "MemoryError", "out of memory");
    *out = STR_VAL(str);
    return 0;
}

static int bi_about(bi_args *a, value *out)
{
    *out = NONE_VAL;
    if (a->npos == 1) {
        if (!IS_STR(a->pos[0]))
            return bi_fail(a, a->pos_nodes[0], "TypeError",
                           "about: the field is a string (\"isa\", \"threads\", ...), not %s %s",
                           val_a(a->pos[0]), val_type_name(a->pos[0]));
        return about_field(a, AS_STR(a->pos[0])->chars, out);
    }
    buf b;
    buf_init(&b);
    about_text(&b);
    int st = b.oom ? bi_fail(a, NULL, "MemoryError", "out of memory") : 0;
    if (st == 0)
        sess_write(a->s, b.data, b.len);
    buf_free(&b);
    return st;
}

static const builtin bi_about_builtins[] = {
    {"about", "about(field)",
     "What the engine runs on, for bug reports and benchmarks: the vector instructions in use "
     "(avx512, avx2 or generic; the environment variable LATENT_ISA set before the kernel "
     "starts forces a lower one) and what the CPU has, the BLAS and the CPU its kernels are "
     "for, and the thread counts. about(field) gives one of them: \"isa\", \"cpu\", \"blas\", "
     "\"blas_core\" (strings), \"blas_threads\", \"threads\" (numbers).",
     "print(about(\"threads\") >= 1, len(about(\"blas_core\")) > 0)  # => true true",
     NULL, 0, 1, bi_about},
    {0},
};

int lib_open_about(registry *r)
{
    return reg_open(r, bi_about_builtins);
}
