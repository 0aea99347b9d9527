#!/bin/bash
# notebooks.sh BUILD: the generative lectures 04-06 run top to bottom through the kernel of
# BUILD (nbclient, as tests/notebooks does), timed; the gate is 4 minutes on 2 cores. 07 is
# timed by diffusion.sh from the one run it reads its scores from. GATES_KEEP=DIR keeps the
# executed notebooks (with their outputs) in DIR.
set -u
build=$1; top=$(cd "$(dirname "$0")/../../.." && pwd); out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
export JUPYTER_PATH=$build/share/jupyter JUPYTER_RUNTIME_DIR=$build/jupyter-runtime PYDEVD_DISABLE_FILE_VALIDATION=1
for nb in "$top"/notebooks/0[4-6]-*.ipynb; do
  name=$(basename "$nb" .ipynb)
  start=$(date +%s.%N)
  if /usr/bin/python3 -Xfrozen_modules=off "$top/tests/notebooks/run_notebook.py" "$nb" "$out" >"$out/$name.log" 2>&1; then
    secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
    verdict=$([ "$secs" -le 240 ] && echo ok || echo MISS)
    echo "gate ${name}_wall_s: $secs (target: <= 240 s on 2 cores) $verdict"
    [ -n "${GATES_KEEP:-}" ] && mkdir -p "$GATES_KEEP" && cp "$out/$name.ipynb" "$GATES_KEEP/"
  else
    echo "gate ${name}_wall_s: failed to run ($(tail -1 "$out/$name.log")) MISS"
  fi
done
