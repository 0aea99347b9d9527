/* test_about.c: about() and the kernel banner name what the engine runs on: the ISA in
 * use (and LATENT_ISA's effect through cpu_isa_set), what the CPU has, the BLAS's core and
 * the thread count; LATENT_ISA values are parsed as documented (core/compute/cpu.h). */
#include <cblas.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cpu.h"
#include "latent.h"
#include "tensor.h"

static char out[4096];

static void h_stream(void *ctx, int is_stderr, const char *text, size_t len)
{
    (void)ctx; (void)is_stderr;
    size_t n = strlen(out);
    snprintf(out + n, sizeof out - n, "%.*s", (int)len, text);
}

static int has(const char *needle)
{
    if (strstr(out, needle))
        return 1;
    fprintf(stderr, "about() does not say \"%s\":\n%s", needle, out);
    return 0;
}

/* about()'s text on each ISA path this CPU has */
static void test_about_text(void)
{
    lt_host host = { .stream = h_stream };
    lt_session *s = lt_session_new(&host);
    cpu_isa old = cpu_isa_get();
    char line[160];
    for (int isa = cpu_isa_best(); isa >= CPU_ISA_GENERIC; isa--) {
        cpu_isa_set((cpu_isa)isa);
        out[0] = 0;
        CHECK(lt_execute(s, "about()", 0) == LT_EXEC_OK);
        printf("%s", out);
        snprintf(line, sizeof line, "vectors: %s (", cpu_isa_name(isa));
        CHECK(has(line));
        snprintf(line, sizeof line, "this CPU has %s", cpu_isa_name(cpu_isa_best()));
        CHECK(has(line));
        snprintf(line, sizeof line, "kernels for %s", openblas_get_corename());
        CHECK(has(line));
        snprintf(line, sizeof line, "threads: %d (", pool_get_threads());
        CHECK(has(line));
        CHECK(has(isa == CPU_ISA_AVX512 ? "own sgemm kernel: AVX-512" : "only on the avx512 path"));
    }
    cpu_isa_set(old);
    lt_session_free(s);
}

static void test_banner(void)
{
    const char *b = lt_kernel_info()->banner;
    char line[64];
    snprintf(line, sizeof line, "Runs on: %s vectors", cpu_isa_name(cpu_isa_get()));
    CHECK(strstr(b, line) != NULL);
    CHECK(strstr(b, openblas_get_corename()) != NULL);
}

static void test_parse(void)
{
    cpu_isa i = CPU_ISA_AVX512;
    CHECK(cpu_isa_parse("generic", &i) && i == CPU_ISA_GENERIC);
    CHECK(cpu_isa_parse("avx2", &i) && i == CPU_ISA_AVX2);
    CHECK(cpu_isa_parse("avx512", &i) && i == CPU_ISA_AVX512);
    CHECK(!cpu_isa_parse("AVX2", &i) && !cpu_isa_parse("", &i) && !cpu_isa_parse(NULL, &i));
    cpu_isa old = cpu_isa_set(CPU_ISA_AVX512);   /* above what the CPU has: lowered */
    CHECK(cpu_isa_get() == cpu_isa_best());
    cpu_isa_set(CPU_ISA_GENERIC);
    CHECK(cpu_isa_get() == CPU_ISA_GENERIC);
    cpu_isa_set(old);
}

int main(void)
{
    RUN(test_about_text);
    RUN(test_banner);
    RUN(test_parse);
    return check_summary("about");
}
