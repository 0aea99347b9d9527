#!/bin/bash
# build.sh: configures and builds Latent into build/ (idempotent; rebuilds what changed).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
