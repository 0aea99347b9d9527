#!/bin/bash
# train_diffusion.sh: trains the longer diffusion model that notebooks/07-diffusion.ipynb
# loads at its end, into share/models/diffusion-unet.ckpt (see train_diffusion.lt).
#
#     bash share/scripts/train_diffusion.sh [EPOCHS] [OUT] [STOP]
#
# EPOCHS defaults to 60 (a 4,740-step schedule of batch 128 over the 10,000 bundled digits)
# and then STOP to 3,500, the shipped file (about 13 minutes on 2 cores at 0.22 s per step); OUT defaults
# to share/models/diffusion-unet.ckpt. STOP (a step; when EPOCHS is given, by default the
# schedule's last) stops the run early with the snapshot it has then. LATENT_RUN may
# name another latent-run binary (default build/kernel/latent-run). Reproducible: the
# same binary gives the same file.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
epochs=${1:-60}
out=${2:-$top/share/models/diffusion-unet.ckpt}
run=${LATENT_RUN:-$top/build/kernel/latent-run}
[ -x "$run" ] || { echo "train_diffusion.sh: $run not found: build first (share/scripts/build.sh)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ $# -ge 1 ]; then stop=${3:-$((epochs * 79))}; else stop=3500; fi
printf 'EPOCHS = %s\nSTOP = %s\nOUT = "%s"\n' "$epochs" "$stop" "$out" > "$tmp/args.lt"
start=$(date +%s)
"$run" "$tmp/args.lt" "$top/share/scripts/train_diffusion.lt"
echo "train_diffusion.sh: $stop steps of a $epochs-epoch schedule in $(( $(date +%s) - start )) s -> $out"
