#!/bin/bash
# install-kernel.sh: installs the built `latent` kernel and its kernelspec (kernel.json
# and logos) so that `jupyter notebook`, `jupyter console --kernel latent` and
# `jupyter nbconvert --execute` find it.
#   as root:   prefix /usr/local  (kernelspec in /usr/local/share/jupyter/kernels/latent)
#   otherwise: prefix ~/.local    (kernelspec in ~/.local/share/jupyter/kernels/latent)
#   LATENT_PREFIX=/some/prefix overrides both; Jupyter then needs
#   JUPYTER_PATH=/some/prefix/share/jupyter to see the kernel.
# Then the Pygments lexer (install-lexer.sh), so nbconvert highlights the language; with
# LATENT_PREFIX it goes to $LATENT_PREFIX/lib/latent/python (add it to PYTHONPATH).
# Builds first if needed. Safe to run again: only changed files are copied.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ -n "${LATENT_PREFIX:-}" ]; then
  prefix=$LATENT_PREFIX
elif [ "$(id -u)" -eq 0 ]; then
  prefix=/usr/local
else
  prefix=$HOME/.local
fi
# the installed kernel.json names $prefix/bin/latent, so configure with the prefix
cmake -S "$top" -B "$top/build" -DCMAKE_INSTALL_PREFIX="$prefix" >/dev/null
cmake --build "$top/build" -j"$(nproc)" >/dev/null
if [ ! -x "$top/build/bin/latent" ]; then
  echo "install-kernel: build/bin/latent was not built (is kernel/lang/ there?)" >&2
  exit 1
fi
cmake --install "$top/build" >/dev/null
spec="$prefix/share/jupyter/kernels/latent"
if [ -n "${LATENT_PREFIX:-}" ] && [ -z "${LATENT_PYTHON_SITE:-}" ]; then
  export LATENT_PYTHON_SITE=$prefix/lib/latent/python
fi
bash "$top/share/scripts/install-lexer.sh" "$top/build"
echo "install-kernel: $prefix/bin/latent, kernelspec in $spec"
if [ -z "${LATENT_PREFIX:-}" ] && ! /usr/bin/jupyter kernelspec list 2>/dev/null | grep -q "^ *latent "; then
  echo "install-kernel: warning: jupyter kernelspec list does not show latent" >&2
fi
