#!/bin/sh
# unet_compare.sh: one DDPM training step of the U-Net (batch 128, 184,785 parameters),
# ours (unet_step) against the same network in PyTorch (torch_unet_ref.py), each
# run RUNS times; prints the median ms/step of each and the ratio ours / PyTorch
# (target: at most 0.6).
#
#     tests/bench/unet_compare.sh [BUILD_DIR] [RUNS]     # defaults: build, 3
#
# PyTorch runs with torch.set_num_threads(2) and OMP_WAIT_POLICY=PASSIVE (idle OpenMP
# workers otherwise spin and steal the core from OpenBLAS's worker); ours with its
# default thread count (OpenBLAS's, normally 2). The machine is shared, so the figures
# are noisy: cpu_ms (process CPU time per step) is printed too.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
runs=${2:-3}
bin="$build/tests/bench/unet_step"
[ -x "$bin" ] || { echo "unet_compare: $bin not found (build first)" >&2; exit 1; }
export OMP_WAIT_POLICY=PASSIVE

ours=""
theirs=""
i=0
while [ "$i" -lt "$runs" ]; do
    line=$("$bin" --steps 10 --warmup 3)
    echo "$line"
    ours="$ours $(echo "$line" | sed -n 's/.*ms_per_step=\([0-9.]*\).*/\1/p')"
    line=$(/usr/bin/python3 "$here/torch_unet_ref.py" --threads 2 --steps 10 --warmup 3)
    echo "$line"
    theirs="$theirs $(echo "$line" | sed -n 's/.*ms_per_step=\([0-9.]*\).*/\1/p')"
    i=$((i + 1))
done

median() { printf '%s\n' $1 | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mo=$(median "$ours")
mt=$(median "$theirs")
echo "median over $runs runs: ours ${mo} ms/step, pytorch ${mt} ms/step, ratio ours/pytorch $(echo "$mo $mt" | awk '{ printf "%.2f", $1 / $2 }')"
