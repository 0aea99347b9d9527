#!/bin/bash
# deps-qemu.sh: what the qemu stage of tests/run.sh needs beyond deps.sh, installed when
# missing (safe to run again; needs root or sudo): qemu-user (qemu-x86_64 -cpu MODEL for
# x86-64 CPUs without AVX-512 or AVX, qemu-aarch64), Debian's arm64 cross compiler, and
# the arm64 libraries the engine links (dpkg multiarch: arm64 added as a foreign
# architecture, the libraries installed beside the host's).
set -eu
HOST="qemu-user crossbuild-essential-arm64"
ARM64="libopenblas-dev:arm64 libpng-dev:arm64 libcairo2-dev:arm64 zlib1g-dev:arm64"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
missing=""
for p in $HOST $ARM64; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
echo "deps-qemu: installing$missing"
export DEBIAN_FRONTEND=noninteractive
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
fi
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=900 $missing >/dev/null
