#!/bin/bash
# npy_numpy.sh RUNNER: NumPy (Debian's python3-numpy, /usr/bin/python3) writes .npy and
# .npz files of every type Latent reads; latent-run loads them and saves them back, and
# writes files of its own; NumPy then loads every file Latent wrote and compares
# (npy_numpy.py says what). share/scripts/deps.sh installs python3-numpy.
set -u
run=$1; here=$(cd "$(dirname "$0")" && pwd); tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3
"$py" -c "import numpy" 2>/dev/null || { echo "FAIL: $py has no numpy (apt-get install python3-numpy)"; exit 1; }
"$py" "$here/npy_numpy.py" write "$tmp" || exit 1
(cd "$tmp" && "$run" run.lt >out.txt 2>err.txt) || { echo "FAIL: latent-run:"; cat "$tmp/err.txt"; exit 1; }
grep -qx "arrays: x (3, 4) float32, y (2, 3, 2, 2) int64" "$tmp/out.txt" || { echo "FAIL: stored.npz shows as: $(head -1 "$tmp/out.txt")"; exit 1; }
"$py" "$here/npy_numpy.py" check "$tmp"
