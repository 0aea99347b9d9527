#!/bin/bash
# setup.sh: the main job. Installs missing Debian packages, builds Latent, installs the
# `latent` kernelspec for Jupyter, and executes every lecture notebook into
# build/notebooks/ (.ipynb with outputs, and .html). Safe to run again.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/share/scripts/deps.sh"
bash "$top/share/scripts/build.sh"
bash "$top/share/scripts/install-kernel.sh"
bash "$top/share/scripts/notebooks.sh"
