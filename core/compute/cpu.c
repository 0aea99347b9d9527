/* cpu.c: the engine-wide vector ISA level (see cpu.h). */
#include "cpu.h"
#include "settings.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* -1: not yet chosen (env_once chooses it: pool threads may ask first, at once) */
static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static char note[128];

static const char *const names[] = { "generic", "avx2", "avx512" };

cpu_isa cpu_isa_best(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    static atomic_int best = -1;   /* the same answer from any thread */
    int b = atomic_load_explicit(&best, memory_order_relaxed);
    if (b < 0) {
        __builtin_cpu_init();   /* checks the OS saves the wide registers too */
        b = __builtin_cpu_supports("avx512f")                                      ? CPU_ISA_AVX512
            : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? CPU_ISA_AVX2
                                                                                : CPU_ISA_GENERIC;
        atomic_store_explicit(&best, b, memory_order_relaxed);
    }
    return (cpu_isa)b;
#else
    return CPU_ISA_GENERIC;
#endif
}

const char *cpu_isa_name(cpu_isa isa)
{
    return isa >= CPU_ISA_GENERIC && isa <= CPU_ISA_AVX512 ? names[isa] : "?";
}

int cpu_isa_parse(const char *name, cpu_isa *isa)
{
    for (int i = 0; name && i < 3; i++)
        if (strcmp(name, names[i]) == 0) {
            *isa = (cpu_isa)i;
            return 1;
        }
    return 0;
}

const char *cpu_isa_baseline(void)
{
#if defined(__x86_64__)
    return "SSE2";
#elif defined(__aarch64__)
    return "NEON";
#else
    return "scalar";
#endif
}

/* the best level, lowered by LATENT_ISA; notes a value it does not obey */
static cpu_isa from_env(void)
{
    cpu_isa best = cpu_isa_best(), want;
    const char *e = settings_env("LATENT_ISA");
    if (!e || !*e)
        return best;
    if (!cpu_isa_parse(e, &want)) {
        snprintf(note, sizeof note, "LATENT_ISA=%.24s not understood (avx512, avx2 or generic): using %s",
                 e, names[best]);
        return best;
    }
    if (want > best) {
        snprintf(note, sizeof note, "LATENT_ISA=%s: this CPU has at most %s: using %s", e,
                 names[best], names[best]);
        return best;
    }
    return want;
}

static void choose(void)
{
    atomic_store(&lt_set.isa, (int)from_env());
}

cpu_isa cpu_isa_get(void)
{
    int isa = atomic_load_explicit(&lt_set.isa, memory_order_relaxed);
    if (isa < 0) {
        pthread_once(&env_once, choose);
        isa = atomic_load(&lt_set.isa);
    }
    return (cpu_isa)isa;
}

cpu_isa cpu_isa_set(cpu_isa isa)
{
    cpu_isa old = cpu_isa_get(), best = cpu_isa_best();
    int use = isa > best ? best : isa < CPU_ISA_GENERIC ? CPU_ISA_GENERIC : isa;
    atomic_store(&lt_set.isa, use);
    return old;
}

const char *cpu_isa_note(void)
{
    cpu_isa_get();
    return note;
}
