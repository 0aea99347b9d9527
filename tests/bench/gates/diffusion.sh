#!/bin/bash
# diffusion.sh BUILD: the gates of notebooks/07-diffusion.ipynb, from one run of the notebook
# through the kernel of BUILD (tests/notebooks/run_notebook.py, nbclient), timed:
#   07_wall_s           the notebook top to bottom, sampling included (<= 240 s on 2 cores)
#   07_live_conf/fd/classes  the U-Net trained live in the notebook (EMA weights, 256 samples
#                       of the slides' ancestral/posterior sampler in 50 jumps; the notebook
#                       prints DDIM-50's score beside it): conf >= 0.5, FD <= 150, all 10 classes
#   07_shipped_conf/fd  the longer-trained share/models/diffusion-unet.ckpt, the same sampler:
#                       conf >= 0.8, FD <= 60
#   07_toy_energy       two moons: energy distance of 2,000 generated points to 2,000 fresh
#                       ones <= 0.005
# The numbers are the ones the notebook prints (score(), the scorer of share/models). The
# machine's load average is printed too: the wall time is only meaningful on a quiet one.
# A benchmark: it prints `gate NAME: VALUE (target: ...) ok|MISS` lines and never fails a
# build (exit 2 only when the notebook could not run). GATES_KEEP=DIR keeps the executed
# notebook (with its outputs) in DIR.
set -u
build=${1:-$(cd "$(dirname "$0")/../../.." && pwd)/build}
top=$(cd "$(dirname "$0")/../../.." && pwd); out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
export JUPYTER_PATH=$build/share/jupyter JUPYTER_RUNTIME_DIR=$build/jupyter-runtime PYDEVD_DISABLE_FILE_VALIDATION=1
nb=$top/notebooks/07-diffusion.ipynb
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
if ! /usr/bin/python3 -Xfrozen_modules=off "$top/tests/notebooks/run_notebook.py" "$nb" "$out" >"$out/run.log" 2>&1; then
  echo "gate 07_wall_s: failed to run ($(tail -1 "$out/run.log")) MISS"
  exit 2
fi
secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
[ -n "${GATES_KEEP:-}" ] && mkdir -p "$GATES_KEEP" && cp "$out/07-diffusion.ipynb" "$GATES_KEEP/"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$out/07-diffusion.ipynb" "$secs" <<'PY'
import json, re, sys
nb = json.load(open(sys.argv[1]))
text = "\n".join("".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))
print(text)   # the notebook's printed lines, for the log

def gate(name, value, target, ok, fmt="%g"):
    v = "not found" if value is None else fmt % value
    print("gate %s: %s (target: %s) %s" % (name, v, target, "ok" if value is not None and ok(value) else "MISS"))

def score(label):
    m = re.search(re.escape(label) + r" conf ([\d.]+), classes (\d+), IS ([\d.]+), FD ([\d.]+)", text)
    return [float(g) for g in m.groups()] if m else [None] * 4

gate("07_wall_s", float(sys.argv[2]), "<= 240 s on 2 cores", lambda v: v <= 240, "%.0f")
conf, classes, IS, fd = score("live model (EMA), ancestral-50:")
gate("07_live_conf", conf, ">= 0.5", lambda v: v >= 0.5)
gate("07_live_fd", fd, "<= 150", lambda v: v <= 150)
gate("07_live_classes", classes, "10", lambda v: v == 10, "%.0f")
conf, classes, IS, fd = score("longer-trained model, ancestral-50:")
gate("07_shipped_conf", conf, ">= 0.8", lambda v: v >= 0.8)
gate("07_shipped_fd", fd, "<= 60", lambda v: v <= 60)
m = re.search(r"energy distance to fresh data: generated ([-\d.e]+)", text)
gate("07_toy_energy", float(m.group(1)) if m else None, "<= 0.005", lambda v: v <= 0.005)
PY
