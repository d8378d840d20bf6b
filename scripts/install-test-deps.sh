#!/usr/bin/env bash
# What the test suite needs besides the Python packages: headless Chromium (`chromium`) and nginx
# (`nginx-light`) from Debian for the browser and content-negotiation tests, and axe-core from
# npm (into tests/.deps/, git-ignored) for tests/test_site.py's accessibility checks. Installs
# only what is missing; the tests fail (never skip) without them.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
AXE_VERSION=4.11.4
deps="$(dirname "$0")/../tests/.deps"
if ! grep -qs "\"version\": \"$AXE_VERSION\"" "$deps/node_modules/axe-core/package.json"; then
    npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix "$deps" \
        "axe-core@$AXE_VERSION"
fi
/usr/sbin/nginx -v
/usr/bin/chromium --version 2>/dev/null
echo "axe-core $AXE_VERSION in tests/.deps"
