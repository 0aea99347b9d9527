#!/bin/bash
# run.sh: the whole test suite. Installs missing Debian packages, builds, runs ctest,
# then runs the C tests again under AddressSanitizer + UBSan in build-asan/; exits 1
# if either stage failed.
#   bash tests/run.sh            everything
#   bash tests/run.sh -L unit    one label (unit, lang, fuzz, protocol, browser, notebook) in
#                                both stages (the ASan stage has unit, lang and fuzz)
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
cd "$top/build-asan"
ctest --output-on-failure -j"$(nproc)" "${label[@]}" "$@" || st=1
exit $st   # fails if either stage failed
