#!/usr/bin/env bash
# Installs what the tests need and a fresh machine lacks: Debian's Chromium (for
# the browser end-to-end test) and the web app's npm packages. Idempotent: does
# nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    echo "setup: installing Debian's chromium for the browser tests"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if [ ! -d frontend/node_modules ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then
    echo "setup: installing the web app's npm packages"
    npm --prefix frontend ci --no-audit --no-fund --loglevel=error
fi
