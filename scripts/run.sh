#!/usr/bin/env bash
# Runs Purple Sector locally: builds the web app and the release binary, then
# serves everything on http://127.0.0.1:8080 with the data in ./data.
# Arguments go to `purplesector serve`, e.g. `scripts/run.sh --demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-web.sh
cargo build --release --locked --quiet
exec target/release/purplesector serve "$@"
