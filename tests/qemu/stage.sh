#!/bin/bash
# stage.sh: the qemu stage of tests/run.sh. The engine's other paths, on any development
# machine: the x86-64 build in build/ re-run under qemu-x86_64 as a CPU without AVX-512
# (Haswell-v4: AVX2 + FMA) and one without AVX (Nehalem: SSE4.2), where the engine and
# OpenBLAS pick their AVX2 and SSE kernels by cpuid; then an arm64 cross build
# (build-arm64/, tests/qemu/arm64.cmake) run under qemu-aarch64 (NEON, OpenBLAS's ARMv8
# kernels). Installs what it needs (share/scripts/deps-qemu.sh).
#   bash tests/qemu/stage.sh [ctest args]   (run.sh passes its own: -L unit, ...)
# Emulation is 10-60 times slower than the machine, so each target runs a subset of the
# unit, lang and fuzz tests (README.md, "Tests", says which and why).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bash "$top/share/scripts/deps-qemu.sh"
jobs=$(nproc)
st=0

# Every test of the x86-64 subset: the kernels that depend on the path (gemm, conv, the
# element loops, thread-count independence), the engine's numerics, and the language.
X86='^unit\.test_(about|gemm|par|conv|matmul|grad|nn|optim|tensor|rng|info|huffman|value|eval|lex|parse|error|data|idx|toys|graph_mem|ckpt)$|^lang\.(about|arithmetic|builtins|control|errors|functions|huffman|info|strings|tensors)$|^fuzz\.regressions$'
for cpu in Haswell-v4 Nehalem; do
  echo "== qemu stage: x86-64 as $cpu (build/) =="
  (cd "$top/build" && LATENT_QEMU_CPU=$cpu ctest --output-on-failure -j"$jobs" -R "$X86" "$@") || st=1
done

# arm64: a cross build of the engine, the language and the tests (no Jupyter kernel).
ARM='^unit\.test_(about|gemm|par|matmul|grad|optim|tensor|rng|info|huffman|value|eval|lex|parse|error|data|idx|toys|graph_mem|ckpt|save)$|^lang\.(about|arithmetic|builtins|control|errors|functions|huffman|info|strings|tensors)$'
echo "== qemu stage: arm64 cross build (build-arm64/, qemu-aarch64) =="
cmake -S "$top" -B "$top/build-arm64" -DCMAKE_TOOLCHAIN_FILE="$top/tests/qemu/arm64.cmake" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLATENT_KERNEL=OFF >/dev/null
targets=$(cd "$top/build-arm64" && ctest -N -R "$ARM" | sed -n 's/.*Test *#[0-9]*: unit\.\(test_[a-z_]*\)$/\1/p')
cmake --build "$top/build-arm64" -j"$jobs" --target lang_runner $targets
(cd "$top/build-arm64" && ctest --output-on-failure -j"$jobs" -R "$ARM" "$@") || st=1
exit $st
