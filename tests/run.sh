#!/bin/bash
# run.sh: the whole test suite. Installs missing Debian packages, builds, runs ctest,
# then runs the C tests again under AddressSanitizer + UBSan in build-asan/.
#   bash tests/run.sh            everything
#   bash tests/run.sh -L unit    one label (unit, lang, fuzz, protocol, notebook) in
#                                both stages (the ASan stage has unit, lang and fuzz)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/share/scripts/deps.sh"
bash "$top/share/scripts/build.sh"
(cd "$top/build" && ctest --output-on-failure -j"$(nproc)" "$@")

# The ASan stage: no kernel (protocol and notebook tests start it through Jupyter);
# any sanitizer report (memory error, leak, undefined behaviour) fails its test.
echo "== ASan + UBSan stage (build-asan/: unit, lang, fuzz) =="
cmake -S "$top" -B "$top/build-asan" -DLATENT_ASAN=ON -DLATENT_KERNEL=OFF >/dev/null
cmake --build "$top/build-asan" -j"$(nproc)"
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0
export LSAN_OPTIONS=suppressions=$top/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
label=(-L 'unit|lang|fuzz')
for a in "$@"; do [ "$a" = -L ] && label=(); done
cd "$top/build-asan"
ctest --output-on-failure -j"$(nproc)" "${label[@]}" "$@"
