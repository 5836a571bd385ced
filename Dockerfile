# bindscan in a small image: the scanner for pipelines and the webhook service.
#
#   docker build -t bindscan .            # podman: podman build --format docker -t bindscan .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/src" bindscan scan . --format sarif --output bindscan.sarif
#   docker run -p 127.0.0.1:8080:8080 -v bindscan-data:/var/lib/bindscan -e BINDSCAN_LISTEN=0.0.0.0:8080 \
#     -e BINDSCAN_WEBHOOK_SECRET_FILE=/run/secrets/webhook-secret ... bindscan serve
#
# HEALTHCHECK is a Docker image-format field: podman's default OCI format
# drops it silently, so build with `--format docker` (docs/deploy.md). The
# check probes the address in BINDSCAN_LISTEN, so give `serve` its address
# that way (not with --listen) and the check follows it.
#
# Builds where only Debian's mirrors are reachable: the grammar tarball comes in
# through the build context (`scripts/dev grammar` fetches and verifies it) and
# is checked here against the same pinned SHA-512; it is never downloaded.

FROM debian:bookworm-slim AS build
WORKDIR /build

# Packages first so source edits reuse this layer. The list is read from
# scripts/dev, where it lives; `scripts/dev build` below installs anything this
# parse could ever miss, so the two cannot drift.
COPY scripts/dev scripts/dev
RUN set -eu; \
    packages=$(sed -n '/^build_packages="/,/"$/p' scripts/dev | sed 's/^build_packages="//; s/"$//; s/\\$//'); \
    apt-get update -qq; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages >/dev/null; \
    rm -rf /var/lib/apt/lists/*

COPY third_party/ third_party/
RUN set -eu; cd third_party; \
    tarball=$(awk '{print $2}' tree-sitter-python.sha512); \
    [ -f "$tarball" ] || { echo "third_party/$tarball is missing from the build context: run scripts/dev grammar first" >&2; exit 1; }; \
    sha512sum --strict -c tree-sitter-python.sha512; \
    tar -xzf "$tarball" --strip-components=1 package/LICENSE; \
    mv LICENSE tree-sitter-python.LICENSE

COPY . .
# The tests run outside the image (scripts/dev test, CI); a cache configured
# with them off is kept by the configure step inside `scripts/dev build`.
RUN cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DBINDSCAN_TESTS=OFF >/dev/null \
 && scripts/dev build release \
 && strip build/release/bindscan build/release/bindscan-service.so \
 && build/release/bindscan --version

FROM debian:bookworm-slim
ARG VERSION=0.1.0
ARG LICENSE=MIT
# The repository the image is built from (release.yml passes its own, so a
# fork's image points at the fork): GHCR links the package to it.
ARG SOURCE=
LABEL org.opencontainers.image.title="bindscan" \
      org.opencontainers.image.description="Reports Python servers bound to all network interfaces (CWE-1327) as text, GitHub annotations or SARIF; webhook service for GitHub code scanning" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.url="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="${LICENSE}"

RUN set -eu; \
    apt-get update -qq; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libtree-sitter0 libgit2-1.5 libssl3 zlib1g libcpp-httplib0.11 libpq5 libtomlplusplus3 ca-certificates >/dev/null; \
    rm -rf /var/lib/apt/lists/*; \
    groupadd --system --gid 1001 bindscan; \
    useradd --system --uid 1001 --gid 1001 --home-dir /var/lib/bindscan --no-create-home --shell /usr/sbin/nologin bindscan; \
    install -d -o bindscan -g bindscan -m 0750 /var/lib/bindscan; \
    install -d -m 0755 /src

COPY --from=build /build/build/release/bindscan /usr/local/bin/bindscan
# serve, upload and healthcheck run from this module (cli/service_module.h).
COPY --from=build /build/build/release/bindscan-service.so /usr/local/lib/bindscan/bindscan-service.so
# bindscan's licence, and tree-sitter-python's (linked statically) from its npm tarball.
COPY --from=build /build/LICENSE /usr/share/doc/bindscan/LICENSE
COPY --from=build /build/third_party/tree-sitter-python.LICENSE /usr/share/doc/bindscan/third_party/tree-sitter-python/LICENSE

# Non-root for the service. Pipelines that write into a mounted checkout pass
# --user "$(id -u):$(id -g)" (the Action passes the workspace owner's ids).
USER 1001:1001
# SARIF paths are relative to the current directory: mount the checkout here.
WORKDIR /src
ENV BINDSCAN_DATA_DIR=/var/lib/bindscan
EXPOSE 8080
# Only meaningful for `serve`; probes /healthz at BINDSCAN_LISTEN (a wildcard
# host through loopback). Kept only by Docker-format images (see the top).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["bindscan", "healthcheck"]
ENTRYPOINT ["bindscan"]
CMD ["--help"]
