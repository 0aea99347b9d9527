#!/bin/bash
# notebooks.sh: executes every notebooks/*.ipynb with the installed latent kernel and
# writes build/notebooks/NAME.ipynb (with outputs and plots) and NAME.html.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out="$top/build/notebooks"
mkdir -p "$out"
for nb in "$top"/notebooks/*.ipynb; do
  [ -e "$nb" ] || continue
  name=$(basename "$nb" .ipynb)
  echo "notebooks: running $name"
  /usr/bin/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 \
    --ExecutePreprocessor.kernel_name=latent --output-dir "$out" --output "$name" "$nb" \
    >/dev/null 2>"$out/$name.log"
  /usr/bin/jupyter nbconvert --to html --output-dir "$out" --output "$name" "$out/$name.ipynb" \
    >/dev/null 2>>"$out/$name.log"
done
echo "notebooks: written to $out"
