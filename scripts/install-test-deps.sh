#!/usr/bin/env bash
# System packages the test suite needs besides the Python ones (Debian): headless Chromium
# (`chromium`) and nginx (`nginx-light`) for tests/test_publish.py's browser and content-
# negotiation tests; Virtuoso Open Source 7 (`virtuoso-opensource`) for the store contract
# tests, which start their own Virtuoso on a free port with a temporary database.
# Installs only what is missing, non-interactively; the tests fail (never skip) without them.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ -x /usr/bin/virtuoso-t ] || missing+=(virtuoso-opensource)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    if [[ " ${missing[*]} " == *" virtuoso-opensource "* ]]; then
        # Virtuoso's postinst asks for the DBA password of the system instance (which the tests
        # do not use): answer with a random one so the install never stops to ask
        pw="$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
        printf 'virtuoso-opensource-7 virtuoso-opensource-7/%s password %s\n' \
            dba-password "$pw" dba-password-again "$pw" | $SUDO debconf-set-selections
    fi
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
    if [[ " ${missing[*]} " == *" virtuoso-opensource "* ]]; then
        # the package starts a system instance on ports 1111/8890; the tests start their own
        $SUDO invoke-rc.d virtuoso-opensource-7 stop >/dev/null 2>&1 || true
    fi
fi
/usr/sbin/nginx -v
/usr/bin/chromium --version 2>/dev/null
/usr/bin/virtuoso-t +? 2>&1 | head -n 1 || true
