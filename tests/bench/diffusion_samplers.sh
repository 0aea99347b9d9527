#!/bin/bash
# diffusion_samplers.sh [CKPT] [BUILD]: scores a diffusion checkpoint (default the shipped
# share/models/diffusion-unet.ckpt) with DDIM-50/100, stochastic DDIM (eta 0.5, 1) and the
# strided ancestral sampler (see diffusion_samplers.lt). A benchmark: prints, never fails.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
ckpt=${1:-$top/share/models/diffusion-unet.ckpt}
run=${2:-$top/build}/kernel/latent-run
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf 'MODEL = "%s"\n' "$ckpt" > "$tmp/args.lt"
"$run" "$tmp/args.lt" "$top/tests/bench/diffusion_samplers.lt"
