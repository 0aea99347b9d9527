#!/bin/bash
# vae.sh [BUILD]: the gates of notebooks/05-vae.ipynb (issue 12). Runs the notebook's code
# cells top to bottom with BUILD/kernel/latent-run (BUILD: build/ by default; gates.sh
# passes it), then prints, from the notebook's own variables:
#   gate 05_conf  the score s_vae of 256 decoded samples of N(0, I) (target: >= 0.45)
#   gate 05_fd    their Frechet distance (target: <= 230)
# and how long the cells took. Exit status 0 when every gate is met.
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
run=${LATENT_RUN:-${1:-$top/build}/kernel/latent-run}
[ -x "$run" ] || { echo "vae.sh: $run not built (cmake --build build -j2)" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
/usr/bin/python3 "$top/tests/bench/gates/nb_cells.py" "$top/notebooks/05-vae.ipynb" >"$dir/vae.lt"
cat >>"$dir/vae.lt" <<'LT'
gate("05_conf", round(s_vae["conf"], digits=3), ">= 0.45", s_vae["conf"] >= 0.45)
gate("05_fd", round(s_vae["FD"], digits=1), "<= 230", s_vae["FD"] <= 230)
LT
cd "$top/notebooks" || exit 2
start=$(date +%s.%N)
"$run" "$dir/vae.lt" >"$dir/out.txt"
st=$?
grep -v '^gate ' "$dir/out.txt"
grep '^gate ' "$dir/out.txt"
echo "05-vae.ipynb's cells took $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }') s here (latent-run, no Jupyter)"
[ "$st" -eq 0 ] && ! grep -q '^gate .* MISS$' "$dir/out.txt"
