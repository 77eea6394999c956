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

# The Kafka-protocol broker the scale-out tests start: tansu, built from crates.io
# once (about 25 minutes on two cores) and kept in ~/.cargo/bin.
if ! command -v tansu >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tansu" ]; then
    echo "setup: installing the tansu Kafka broker (cargo install; about 25 minutes the first time)"
    cargo install tansu --locked --features dynostore
fi

# A second, independent Kafka client for the tests: Python's confluent-kafka.
KAFKA_VENV=.cache/kafka-venv
if [ ! -x "$KAFKA_VENV/bin/python" ] || ! "$KAFKA_VENV/bin/python" -c 'import confluent_kafka' 2>/dev/null; then
    echo "setup: installing confluent-kafka into $KAFKA_VENV"
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
        if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
    fi
    python3 -m venv "$KAFKA_VENV"
    "$KAFKA_VENV/bin/pip" install --quiet --disable-pip-version-check "confluent-kafka==2.12.1"
fi
