#!/bin/bash
# gan_nan.sh [BUILD]: the gate of issue 12, "no NaN in 200 epochs of the lecture GAN". Trains
# notebooks/06-gan.ipynb's GAN (the same nets, optimizers, data, batch and losses) for 200
# epochs instead of 25 with BUILD/kernel/latent-run (BUILD: build/ by default; gates.sh
# passes it) and prints one line:
#   gate gan_200_epochs_no_nan: <epochs done, NaN?> (target: no NaN in 200 epochs) ok|MISS
# A NaN or infinite loss stops training with FloatingPointError (train's own check at every
# step), so finishing means none occurred; the last cell also checks 1000 of the
# generator's samples and shows 50 of them (written as PNG when GAN_PNG_DIR names a folder).
# A few minutes on 2 cores (~1.2 s an epoch). Exit status 0 when ok.
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
run=${LATENT_RUN:-${1:-$top/build}/kernel/latent-run}
[ -x "$run" ] || { echo "gan_nan.sh: $run not built (cmake --build build -j2)" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/gan_nan.lt" <<'LT'
live(false)
data = mnist()
G = seq(linear(64, 256), leaky_relu(0.2), linear(256, 784), sigmoid)
D = seq(linear(784, 256), leaky_relu(0.2), linear(256, 1))
optD = adam(D, lr=2e-4, betas=[0.5, 0.999])
optG = adam(G, lr=2e-4, betas=[0.5, 0.999])
epochs_done = 0
batches = 0
# %%
train on data epochs 200 batch 64 {
    fake = G(randn(batch, 64))
    real_logits = D(x)
    fake_logits = D(detach(fake))
    lossD = bce_logits(real_logits, 1) + bce_logits(fake_logits, 0)
    step optD lossD
    lossG = bce_logits(D(fake), 1)
    step optG lossG
    epochs_done = epoch
    batches = batches + 1
}
# %%
s = G(randn(1000, 64))
bad = number(sum(s != s)) + number(sum(abs(s) > 1e30))
print("epochs " + str(epochs_done) + ", batches " + str(batches) + ", non-finite samples " + str(bad))
print("final lossD " + str(lossD[-1]) + ", lossG " + str(lossG[-1]))
show(G(randn(50, 64)), cols=10)
LT
start=$(date +%s)
png=()
[ -n "${GAN_PNG_DIR:-}" ] && png=(--png-dir "$GAN_PNG_DIR")
"$run" "${png[@]}" "$dir/gan_nan.lt" >"$dir/out" 2>"$dir/err"
st=$?
secs=$(( $(date +%s) - start ))
cat "$dir/out"
line=$(grep '^epochs ' "$dir/out")
if [ $st -eq 0 ] && [[ $line =~ ^epochs\ 200,.*non-finite\ samples\ 0$ ]]; then
  echo "gate gan_200_epochs_no_nan: 200 epochs done, no NaN or inf (losses and samples) in ${secs} s (target: no NaN in 200 epochs) ok"
  exit 0
fi
cat "$dir/err" >&2
why=$(grep -o 'FloatingPointError: .*' "$dir/err" | head -1)
echo "gate gan_200_epochs_no_nan: ${why:-${line:-run failed (status $st)}} (target: no NaN in 200 epochs) MISS"
exit 1
