#!/usr/bin/env bash
# Builds the web app into frontend/dist (served by the engine at /).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d frontend/node_modules ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then
    npm --prefix frontend ci --no-audit --no-fund --loglevel=error
fi
npm --prefix frontend run build --silent
