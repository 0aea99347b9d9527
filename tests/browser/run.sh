#!/bin/bash
# tests/browser/run.sh BUILD_DIR: the notebook in a real browser (test_notebook.py).
# Installs Debian's chromium first if it is missing (a fresh machine has none); the
# DevTools protocol is spoken by Python (tornado, a dependency of jupyter-notebook), so
# nothing comes from npm. Screenshots: BUILD_DIR/browser-artifacts/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
if ! command -v chromium >/dev/null; then
    echo "tests/browser: installing Debian's chromium"
    sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        -o DPkg::Lock::Timeout=900 chromium >/dev/null
fi
cd "$here"
PYDEVD_DISABLE_FILE_VALIDATION=1 PYTHONDONTWRITEBYTECODE=1 \
    /usr/bin/python3 -Xfrozen_modules=off test_notebook.py "$build"
