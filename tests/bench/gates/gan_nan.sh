#!/bin/bash
# gan_nan.sh: the gate of issue 12, "no NaN in 200 epochs of the lecture GAN". Trains
# notebooks/06-gan.ipynb's GAN for 200 epochs with build/kernel/latent-run (gan_nan.lt)
# and prints one line:
#   gate gan_200_epochs_no_nan: <epochs done, NaN?> (target: no NaN in 200 epochs) ok|MISS
# A few minutes on 2 cores (~1.2 s an epoch). Not run by ctest. Exit status 0 when ok.
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
run=${LATENT_RUN:-$top/build/kernel/latent-run}
[ -x "$run" ] || { echo "gan_nan.sh: $run not built (cmake --build build -j2)" >&2; exit 2; }
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
start=$(date +%s)
"$run" "$(dirname "$0")/gan_nan.lt" >"$out" 2>"$err"
st=$?
secs=$(( $(date +%s) - start ))
cat "$out"
line=$(grep '^epochs ' "$out")
if [ $st -eq 0 ] && [[ $line =~ ^epochs\ 200,.*non-finite\ samples\ 0$ ]]; then
  echo "gate gan_200_epochs_no_nan: 200 epochs done, no NaN or inf (losses and samples) in ${secs} s (target: no NaN in 200 epochs) ok"
  exit 0
fi
cat "$err" >&2
why=$(grep -o 'FloatingPointError: .*' "$err" | head -1)
echo "gate gan_200_epochs_no_nan: ${why:-${line:-run failed (status $st)}} (target: no NaN in 200 epochs) MISS"
exit 1
