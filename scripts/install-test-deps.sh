#!/usr/bin/env bash
# What the test suite needs besides the Python packages: headless Chromium (`chromium`) and nginx
# (`nginx-light`) from Debian for the browser and content-negotiation tests, Virtuoso Open Source 7
# (`virtuoso-opensource`) for the store contract tests (they start their own Virtuoso on a free
# port with a temporary database), a JDK (`default-jdk-headless`, for javac) and Apache Jena
# (`libapache-jena-java`) for tests/test_third_engine.py (Jena SHACL as a third engine), and
# axe-core from npm (into tests/.deps/, git-ignored) for tests/test_site.py's accessibility
# checks. Installs only what is missing, non-interactively, waiting for the dpkg lock; the tests
# fail (never skip) without them.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ -x /usr/bin/virtuoso-t ] || missing+=(virtuoso-opensource)
command -v npm >/dev/null || missing+=(npm)
command -v javac >/dev/null || missing+=(default-jdk-headless)
[ -f /usr/share/java/jena-shacl.jar ] || missing+=(libapache-jena-java)
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
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q \
        --no-install-recommends "${missing[@]}"
    if [[ " ${missing[*]} " == *" virtuoso-opensource "* ]]; then
        # the package starts a system instance on ports 1111/8890; the tests start their own
        $SUDO invoke-rc.d virtuoso-opensource-7 stop >/dev/null 2>&1 || true
    fi
fi
AXE_VERSION=4.11.4
deps="$(dirname "$0")/../tests/.deps"
if ! grep -qs "\"version\": \"$AXE_VERSION\"" "$deps/node_modules/axe-core/package.json"; then
    npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix "$deps" \
        "axe-core@$AXE_VERSION"
fi
/usr/sbin/nginx -v
/usr/bin/chromium --version 2>/dev/null
/usr/bin/virtuoso-t +? 2>&1 | head -n 1 || true
javac -version
echo "Apache Jena $(dpkg-query -W -f '${Version}' libapache-jena-java)"
echo "axe-core $AXE_VERSION in tests/.deps"
