#!/bin/bash
# vae.sh [BUILD]: the gates of notebooks/05-vae.ipynb (issue 12), from one run of the
# notebook's own cells with BUILD/kernel/latent-run (BUILD: build/ by default; gates.sh
# passes it; see nb_gates.py):
#   gate 05_conf  the score s_vae of 256 decoded samples of N(0, I) (target: >= 0.45)
#   gate 05_fd    their Frechet distance (target: <= 230)
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
run=${LATENT_RUN:-${1:-$top/build}/kernel/latent-run}
[ -x "$run" ] || { echo "vae.sh: $run not built (cmake --build build -j2)" >&2; exit 2; }
/usr/bin/python3 "$top/tests/bench/gates/nb_gates.py" "$top/notebooks/05-vae.ipynb" "$run" <<'LT'
gate("05_conf", round(s_vae["conf"], digits=3), ">= 0.45", s_vae["conf"] >= 0.45)
gate("05_fd", round(s_vae["FD"], digits=1), "<= 230", s_vae["FD"] <= 230)
LT
