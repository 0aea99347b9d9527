#!/bin/bash
# run.sh: the whole test suite. Installs missing Debian packages, builds, runs ctest.
#   bash tests/run.sh            everything
#   bash tests/run.sh -L unit    only one label (unit, lang, protocol, notebook)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/share/scripts/deps.sh"
bash "$top/share/scripts/build.sh"
cd "$top/build"
ctest --output-on-failure -j"$(nproc)" "$@"
