#!/bin/bash
# run.sh: the whole test suite. Installs missing Debian packages, builds, runs ctest,
# then runs the C tests again under AddressSanitizer + UBSan in build-asan/, then a
# subset under qemu as other CPUs (tests/qemu/stage.sh); exits 1 if any stage failed.
#   bash tests/run.sh            everything
#   bash tests/run.sh -L unit    one label (unit, structure, lang, fuzz, protocol, browser, notebook) in
#                                every stage (the ASan and qemu stages: unit, lang, fuzz)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/share/scripts/deps.sh"
bash "$top/share/scripts/build.sh"
st=0
(cd "$top/build" && ctest --output-on-failure -j"$(nproc)" "$@") || st=1

# The ASan stage: no kernel (protocol and notebook tests start it through Jupyter);
# any sanitizer report (memory error, leak, undefined behaviour) fails its test.
echo "== ASan + UBSan stage (build-asan/: unit, lang, fuzz) =="
cmake -S "$top" -B "$top/build-asan" -DLATENT_ASAN=ON -DLATENT_KERNEL=OFF >/dev/null
cmake --build "$top/build-asan" -j"$(nproc)"
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0
export LSAN_OPTIONS=suppressions=$top/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
label=(-L 'unit|lang|fuzz')
for a in "$@"; do case $a in -L*|--label-regex*) label=() ;; esac; done   # the caller's label wins
(cd "$top/build-asan" && ctest --output-on-failure -j"$(nproc)" "${label[@]}" "$@") || st=1

# The qemu stage: x86-64 without AVX-512 and without AVX, and an arm64 cross build, all
# emulated (tests/qemu/stage.sh says what runs); LATENT_QEMU=0 skips it.
if [ "${LATENT_QEMU:-1}" != 0 ]; then
  bash "$top/tests/qemu/stage.sh" "$@" || st=1
fi
exit $st   # fails if any stage failed
