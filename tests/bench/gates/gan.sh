#!/bin/bash
# gan.sh [BUILD]: the gates of notebooks/06-gan.ipynb (issue 12), from one run of the
# notebook's own cells with BUILD/kernel/latent-run (BUILD: build/ by default; gates.sh
# passes it; see nb_gates.py):
#   gate 06_conf        the convolutional GAN's score s_big (target: >= 0.6)
#   gate 06_fd          its Frechet distance (target: <= 150)
#   gate 06_classes     the classes among its 256 samples (target: all 10)
#   gate 06_toy_energy  the 2-D toy GAN's energy distance to 1,000 fresh two-moons points
#                       (target: <= 0.005; data against data is about 0.001)
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
run=${LATENT_RUN:-${1:-$top/build}/kernel/latent-run}
[ -x "$run" ] || { echo "gan.sh: $run not built (cmake --build build -j2)" >&2; exit 2; }
/usr/bin/python3 "$top/tests/bench/gates/nb_gates.py" "$top/notebooks/06-gan.ipynb" "$run" <<'LT'
gate("06_conf", round(s_big["conf"], digits=3), ">= 0.6", s_big["conf"] >= 0.6)
gate("06_fd", round(s_big["FD"], digits=1), "<= 150", s_big["FD"] <= 150)
gate("06_classes", s_big["classes"], "all 10", s_big["classes"] == 10)
toy_ed = energy(toyG(randn(1000, 8)), fresh)
gate("06_toy_energy", round(toy_ed, digits=4), "<= 0.005", toy_ed <= 0.005)
LT
