#!/usr/bin/env bash
# System packages the test suite needs besides Python ones: headless Chromium (Debian package
# `chromium`) for tests/test_publish.py's browser test. Installs only what is missing.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium
fi
/usr/bin/chromium --version
