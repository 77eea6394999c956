# syntax=docker/dockerfile:1.7
#
# Purple Sector container image: the `purplesector` binary and its web app.
#
#   docker build -t purplesector:dev .          # BuildKit (the default builder) is required
#   docker run --rm -p 8080:8080 -v ps-data:/var/lib/purplesector purplesector:dev serve --demo
#
# Stages: `web` builds the web app (frontend/dist), `build` the release binary, and the
# runtime stage is debian:bookworm-slim with ca-certificates, OpenSSL's libssl3 (librdkafka
# links it for Kafka over TLS/SASL_SSL), a non-root user (uid/gid 10001) and nothing else. Cargo's registry, git checkouts and target directory live in
# BuildKit cache mounts, so a rebuild after a source change recompiles only this
# workspace's crates, not the dependencies.
#
# The health check needs no curl: bash (in the base image) opens /dev/tcp to the port of
# PURPLESECTOR__SERVER__ADDR on 127.0.0.1 and expects `200` from GET /healthz. It assumes
# the server listens on 0.0.0.0 or 127.0.0.1 (the image's default is 0.0.0.0:8080).
# Kubernetes ignores HEALTHCHECK; the Helm chart probes /healthz and /readyz itself.

ARG NODE_IMAGE=node:20-bookworm-slim
ARG RUST_IMAGE=rust:1-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------------------
# 1. The web app: `npm ci && npm run build` -> /src/frontend/dist
FROM ${NODE_IMAGE} AS web
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ ./
RUN npm run build

# ---------------------------------------------------------------------------------------
# 2. The release binary. Only what cargo needs is copied (the web app is not), so a
#    frontend change does not invalidate this stage.
FROM ${RUST_IMAGE} AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY proto/ proto/
COPY engine/ engine/
COPY actors/ actors/
COPY migrations/ migrations/
COPY src/ src/
COPY tests/ tests/
# The target directory is a cache mount (not part of the layer): copy the binary out of
# it. Debug line tables are stripped (103 MB -> 20 MB); symbol names stay for backtraces.
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release --locked --bin purplesector \
    && mkdir -p /out \
    && objcopy --strip-debug target/release/purplesector /out/purplesector

# ---------------------------------------------------------------------------------------
# 3. Runtime: debian:bookworm-slim, non-root, read-only-root friendly (writes only to
#    /var/lib/purplesector and /tmp).
FROM ${RUNTIME_IMAGE} AS runtime

# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 purplesector \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
        --home-dir /var/lib/purplesector --shell /usr/sbin/nologin purplesector \
    && mkdir -p /var/lib/purplesector \
    && chown 10001:10001 /var/lib/purplesector

COPY --from=build /out/purplesector /usr/local/bin/purplesector
COPY --from=web /src/frontend/dist /usr/share/purplesector/web

ENV PURPLESECTOR__SERVER__ADDR=0.0.0.0:8080 \
    PURPLESECTOR__SERVER__WEB_DIR=/usr/share/purplesector/web \
    PURPLESECTOR__STORAGE__DATA_DIR=/var/lib/purplesector \
    PURPLESECTOR__LOG__FORMAT=json

LABEL org.opencontainers.image.title="purplesector" \
      org.opencontainers.image.description="Sim-racing telemetry: live dashboard, lap storage, analysis and coaching" \
      org.opencontainers.image.licenses="MIT"

WORKDIR /var/lib/purplesector
USER 10001:10001
EXPOSE 8080

HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/bin/bash", "-c", "port=\"${PURPLESECTOR__SERVER__ADDR##*:}\"; exec 3<>\"/dev/tcp/127.0.0.1/${port:-8080}\" && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && read -r -t 4 _ code _ <&3 && [ \"$code\" = 200 ]"]

# SIGTERM (docker stop, Kubernetes) stops it gracefully: requests finish, the writer
# flushes. The binary is PID 1 and installs its own handler, so no init is needed.
STOPSIGNAL SIGTERM
ENTRYPOINT ["purplesector"]
CMD ["serve"]
