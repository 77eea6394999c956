#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: Rust unit, actor and
# integration tests (real SQLite, real HTTP/WebSocket on 127.0.0.1:0), the web
# app's unit tests, and the browser end-to-end test (the release binary with
# `serve --demo` driven by headless Chromium). Prints each suite's summary.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "setup (installs only what is missing)"
scripts/setup.sh

step "web app: build and unit tests"
scripts/build-web.sh
npm --prefix frontend test --silent

step "Rust: formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked --quiet -- -D warnings

step "Rust: unit, actor and integration tests"
cargo test --workspace --locked

step "browser end to end (release binary + headless Chromium)"
cargo build --release --locked --quiet
mkdir -p test-output
node --test frontend/e2e/

step "deployment: Dockerfile, Helm chart (lint, render, Kubernetes schemas), yamllint, config against the release binary"
scripts/validate-deploy.sh

step "all tests passed"
