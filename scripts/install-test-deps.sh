#!/usr/bin/env bash
# System packages the test suite needs besides the Python ones (Debian): headless Chromium
# (`chromium`) and nginx (`nginx-light`) for tests/test_publish.py's browser and content-
# negotiation tests. Installs only what is missing; the tests fail (never skip) without them.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
fi
/usr/sbin/nginx -v
/usr/bin/chromium --version 2>/dev/null
