#!/bin/sh
# cpu.sh PROGRAM ARGS...: how ctest starts the test programs of an x86-64 build (tests/
# CMakeLists.txt sets it as their emulator). Directly, or, with LATENT_QEMU_CPU=MODEL set
# (tests/qemu/stage.sh), under qemu-x86_64 -cpu MODEL: a CPU without AVX-512 (Haswell-v4:
# AVX2 + FMA) or without AVX (Nehalem: SSE4.2), so the engine and OpenBLAS take the paths
# of such a laptop.
if [ -n "${LATENT_QEMU_CPU:-}" ]; then
    exec qemu-x86_64 -cpu "$LATENT_QEMU_CPU" "$@"
fi
exec "$@"
