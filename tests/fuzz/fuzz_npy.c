/* fuzz_npy.c: a libFuzzer target for the .npy/.npz reader (core/data/npy.h). One input is
 * the bytes of a file, parsed both as a .npy and as a .npz; every element read is
 * touched so that a bad pointer shows. An error status is a normal outcome; a crash,
 * a sanitizer report or a leak is a finding. Built like fuzz_lang.c: with clang
 * -fsanitize=fuzzer by hand, and with replay.c as main() to replay tests/fuzz/npy/
 * and the .npy/.npz fixtures of tests/lang/data/npy/ under ctest. */
#include <stdint.h>
#include <stdlib.h>

#include "npy.h"

int fuzz_max_cells;   /* replay.c sets it (it matters to the language target only) */

static float fuzz_sum(const npy_array *a)
{
    float s = 0;
    for (size_t i = 0; i < a->count; i++) s += a->data[i];
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    npy_array a;
    npz_file z;
    volatile float s = 0;
    if (npy_parse(data, size, "fuzz.npy", &a) == LT_OK) s += fuzz_sum(&a);
    npy_free(&a);
    if (npz_parse(data, size, "fuzz.npz", &z) == LT_OK)
        for (int i = 0; i < z.n; i++) s += fuzz_sum(&z.arrays[i]) + (float)z.names[i][0];
    npz_free(&z);
    (void)s;
    return 0;
}
