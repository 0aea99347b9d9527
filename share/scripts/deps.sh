#!/bin/bash
# deps.sh: installs the Debian packages Latent needs that are missing, and nothing else.
# Safe to run again: when everything is there it only checks. Needs root (or sudo).
set -eu
PKGS="build-essential cmake pkg-config git xeus-dev nlohmann-json3-dev libopenblas-dev
  libpng-dev libcairo2-dev zlib1g-dev fonts-dejavu-core
  python3-jupyter-client jupyter-client jupyter-nbconvert python3-nbclient
  python3-jupyter-kernel-test jupyter-notebook jupyter-console python3-ipykernel
  dataset-fashion-mnist python3-numpy"
missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
