#!/bin/bash
# train_diffusion.sh: trains the longer diffusion model that notebooks/07-diffusion.ipynb
# loads at its end, into share/models/diffusion-unet.ckpt (see train_diffusion.lt).
#
#     bash share/scripts/train_diffusion.sh [EPOCHS] [OUT] [STOP]
#
# EPOCHS defaults to 40 (3,160 steps of batch 128 over the 10,000 bundled digits; about
# 11 minutes on 2 quiet cores); OUT to share/models/diffusion-unet.ckpt; STOP (a step, by
# default the schedule's last) stops the run early with the snapshot it has then (the
# shipped file: see share/models/README.md for its STOP). LATENT_RUN may
# name another latent-run binary (default build/kernel/latent-run). Reproducible: the
# same binary gives the same file.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
epochs=${1:-40}
out=${2:-$top/share/models/diffusion-unet.ckpt}
run=${LATENT_RUN:-$top/build/kernel/latent-run}
[ -x "$run" ] || { echo "train_diffusion.sh: $run not found: build first (share/scripts/build.sh)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stop=${3:-$((epochs * 79))}
printf 'EPOCHS = %s\nSTOP = %s\nOUT = "%s"\n' "$epochs" "$stop" "$out" > "$tmp/args.lt"
start=$(date +%s)
"$run" "$tmp/args.lt" "$top/share/scripts/train_diffusion.lt"
echo "train_diffusion.sh: $stop steps of a $epochs-epoch schedule in $(( $(date +%s) - start )) s -> $out"
