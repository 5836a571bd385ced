#!/usr/bin/env bash
# Container smoke test: builds the image from the unchanged Dockerfile, scans
# the rule fixtures inside the container as its non-root user and checks the
# SARIF, runs the Action (action/run.sh) the way the runner does on
# workspaces owned by another uid and by root, then starts `bindscan serve`
# with secrets from a file and the environment and probes it.
#   tests/container/smoke.sh            # podman (preferred) or docker
#   CONTAINER_ENGINE=docker IMAGE=bindscan:ci tests/container/smoke.sh
#   SKIP_BUILD=1 IMAGE=... tests/container/smoke.sh   # test an image built elsewhere
# Skips (exit 0) with a message when no container engine is installed or the
# engine cannot run containers (a docker CLI without a daemon).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
image=${IMAGE:-localhost/bindscan:smoke}
passed=0
failed=0

say() { printf 'smoke: %s\n' "$*"; }
pass() { passed=$((passed + 1)); say "ok: $*"; }
fail() { failed=$((failed + 1)); say "FAIL: $*"; }
finish() {
  say "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

# A podman prepared by container-env.sh keeps its configuration here.
ctr_env=${CTR:-/var/tmp/bindscan-ctr}/env.sh
# shellcheck disable=SC1090
[ -f "$ctr_env" ] && . "$ctr_env"

engine=${CONTAINER_ENGINE:-}
if [ -z "$engine" ]; then
  if command -v podman >/dev/null 2>&1; then engine=podman
  elif command -v docker >/dev/null 2>&1; then engine=docker
  fi
fi
if [ -z "$engine" ] || ! command -v "$engine" >/dev/null 2>&1; then
  say "SKIP: podman is not installed (nor docker); install podman (apt-get install podman) to run this test"
  exit 0
fi
if ! timeout 60 "$engine" info >/dev/null 2>&1; then
  say "SKIP: \`$engine info\` fails: $engine is installed but cannot run containers here (no daemon?)"
  exit 0
fi
ctr() { timeout "${SMOKE_TIMEOUT:-120}" "$engine" "$@"; }

work=$(mktemp -d)
# The Action checks hand workspaces to other uids: root, or passwordless sudo
# (GitHub-hosted runners have it).
as_root=
if [ "$(id -u)" != 0 ] && sudo -n true 2>/dev/null; then as_root="sudo -n"; fi
name=bindscan-smoke-$$
cleanup() {
  # -v: the data volume is anonymous; without it every run leaks one.
  "$engine" rm -f -v "$name" >/dev/null 2>&1 || true
  $as_root rm -rf "$work"
}
trap cleanup EXIT

# 1. Build. The grammar tarball reaches the build through the context.
if [ -z "${SKIP_BUILD:-}" ]; then
  "$root/scripts/dev" grammar
  build_flags=()
  # Podman writes OCI images by default, which have no HEALTHCHECK.
  [ "$engine" = podman ] && build_flags+=(--format docker)
  say "building $image with $engine (a few minutes the first time)"
  start=$(date +%s)
  if ! timeout 3600 "$engine" build "${build_flags[@]}" -t "$image" "$root" >"$work/build.log" 2>&1; then
    tail -40 "$work/build.log"
    fail "image build (log above)"
    finish
  fi
  pass "image built in $(($(date +%s) - start)) s"
fi
size=$("$engine" image inspect --format '{{.Size}}' "$image")
say "image size: $size bytes ($((size / 1024 / 1024)) MiB)"

user=$(ctr run --rm --entrypoint id "$image" -u 2>/dev/null)
if [ "$user" != 0 ]; then pass "image runs as non-root user $user"; else fail "image runs as root"; fi
# Docker keeps it in .Config.Healthcheck, podman in .Healthcheck: look for both.
if "$engine" image inspect "$image" | tr -d ' \n' | grep -q '"Test":\["CMD","bindscan","healthcheck"\]'; then
  pass "HEALTHCHECK runs bindscan healthcheck"
else
  fail "no HEALTHCHECK running bindscan healthcheck in the image config"
fi

# Licences: bindscan's and the statically linked tree-sitter-python's.
for notice in /usr/share/doc/bindscan/LICENSE /usr/share/doc/bindscan/third_party/tree-sitter-python/LICENSE; do
  if ctr run --rm --entrypoint head "$image" -1 "$notice" 2>/dev/null | grep -q 'MIT License'; then
    pass "$notice is an MIT licence"
  else
    fail "$notice is missing from the image or not the MIT licence"
  fi
done

# 2. Pipeline use: a checkout mounted at /src, scanned by the image's user.
checkout=$work/checkout
mkdir -p "$checkout"
for dir in "$root"/scanner/rules/*/fixtures; do
  rule=$(basename "$(dirname "$dir")")
  mkdir -p "$checkout/$rule"
  cp -R "$dir" "$checkout/$rule/"
done
# On a CI runner the checkout belongs to the runner user (uid 1001, like the
# image's user); here, let any uid read it and write the report into it.
chmod -R a+rX "$checkout"
chmod a+w "$checkout"
set +e
ctr run --rm -v "$checkout:/src" "$image" scan /src --format sarif --output /src/bindscan.sarif 2>"$work/scan.err"
status=$?
set -e
sarif=$checkout/bindscan.sarif
if [ "$status" = 1 ]; then pass "scan exits 1 (findings)"; else fail "scan exit status $status, expected 1: $(cat "$work/scan.err")"; fi
if [ -s "$sarif" ]; then
  results=$(grep -o '"ruleId": *"[^"]*"' "$sarif" | wc -l)
  flat=$(tr -d ' \n' <"$sarif")
  artifact_uris=$(printf '%s' "$flat" | grep -o '"artifactLocation":{"uri":"[^"]*"' | sed 's/.*"uri":"//; s/"$//' || true)
  if [ "$results" -gt 0 ]; then pass "SARIF has $results results"; else fail "SARIF has no results"; fi
  bad=$(printf '%s\n' "$artifact_uris" | grep -E '^(/|[a-z]+:|src/|\./)' || true)
  if [ -n "$artifact_uris" ] && [ -z "$bad" ]; then
    pass "SARIF artifact URIs are relative to the checkout (e.g. $(printf '%s\n' "$artifact_uris" | head -1))"
  else
    fail "SARIF artifact URIs not relative to the checkout: ${bad:-none found}"
  fi
  case "$flat" in
    *'"%SRCROOT%":{"uri":"file:///src/"}'*) pass "%SRCROOT% is the mounted checkout, file:///src/" ;;
    *) fail "originalUriBaseIds %SRCROOT% is not file:///src/" ;;
  esac
  if grep -q '"uri": *"bind_all_interfaces/fixtures/all_interfaces_spellings.py"' "$sarif"; then
    pass "a known fixture is reported under its checkout path"
  else
    fail "bind_all_interfaces/fixtures/all_interfaces_spellings.py missing from the SARIF"
  fi
else
  fail "no SARIF written to the mounted checkout"
fi

# ---- 2a. Report formats (issue 13; this block belongs to the configuration
# and formats work, the rest of the script to the Action's) ----
# Every --format from the mounted checkout, as the README's CI jobs run them,
# with a [tool.bindscan] allow entry in the checkout that the image must honour.
# Reports of formats with a consumer's validator are checked by it when
# tests/report-validators is installed (scripts/dev test installs it).
validators=$root/tests/report-validators
printf '[tool.bindscan]\nallow = [{ path = "bind_all_interfaces/fixtures/all_interfaces_spellings.py", reason = "smoke test" }]\n' \
  >"$checkout/pyproject.toml"
chmod a+r "$checkout/pyproject.toml"
for format in text sarif github gitlab junit rdjson azure json; do
  report=$checkout/report.$format
  set +e
  ctr run --rm -v "$checkout:/src" "$image" scan /src --format "$format" --output "/src/report.$format" \
    2>"$work/format.err"
  status=$?
  set -e
  if [ "$status" != 1 ] || [ ! -s "$report" ]; then
    fail "--format $format: exit $status (expected 1) or no report: $(tail -2 "$work/format.err")"
    continue
  fi
  if grep -q 'all_interfaces_spellings.py' "$report" && [ "$format" != sarif ] && [ "$format" != json ]; then
    fail "--format $format: the allowed file is reported"
  elif [ "$format" = sarif ] && grep -q '"uri": *"bind_all_interfaces/fixtures/all_interfaces_spellings.py"' "$report"; then
    fail "--format sarif: the allowed file is in the upload"
  else
    pass "--format $format: exit 1, report written, the configuration's allow entry honoured"
  fi
  case $format in
    gitlab | junit | rdjson | azure | json)
      if [ -d "$validators/node_modules" ] && command -v node >/dev/null 2>&1; then
        if node "$validators/validate.js" "$format" "$report" >"$work/validate.out" 2>&1; then
          pass "--format $format: accepted by its consumer's validator"
        else
          fail "--format $format: $(head -c 600 "$work/validate.out")"
        fi
      else
        say "--format $format: validators not installed (scripts/dev test installs them); content not validated"
      fi
      ;;
  esac
  rm -f "$report"
done
rm -f "$checkout/pyproject.toml"
# ---- end of 2a ----

# 2b. The README's container commands word for word (blocks marked
# <!-- doc-test: smoke -->), run in this checkout with `docker` being this
# engine; the image build they start reuses the layers built above.
mkdir -p "$work/bin"
{
  printf '#!/bin/sh\n'
  printf 'if [ "$1" = build ] && [ "%s" = podman ]; then shift; exec podman build --format docker "$@"; fi\n' "$engine"
  printf 'echo run >>"%s"\nexec %s "$@"\n' "$work/engine-calls" "$(command -v "$engine")"
} >"$work/bin/docker"
chmod +x "$work/bin/docker"
awk '/^<!-- doc-test: smoke -->$/ {want=1; next} want && /^```/ {if (inside) {want=0; inside=0} else inside=1; next} inside' \
  "$root/README.md" >"$work/readme-container.sh"
if [ ! -s "$work/readme-container.sh" ] || [ -e "$root/bindscan.sarif" ]; then
  fail "README container commands: none found, or $root/bindscan.sarif is in the way"
else
  set +e
  (cd "$root" && PATH="$work/bin:$PATH" timeout 3600 bash -eo pipefail "$work/readme-container.sh") >"$work/readme.log" 2>&1
  status=$?
  set -e
  if [ "$status" = 0 ] && [ -s "$root/bindscan.sarif" ] && [ "$(stat -c %u "$root/bindscan.sarif")" = "$(id -u)" ]; then
    pass "the README's container build and scan, word for word: SARIF written, owned by the caller"
  else
    fail "the README's container commands: exit $status: $(tail -5 "$work/readme.log")"
  fi
  rm -f "$root/bindscan.sarif"
fi

# 2c. docs/deploy.md's `docker run ... serve`, word for word, in a scratch
# folder, with the image tagged as the name the doc uses. It claims fixed
# names (container bindscan, volume bindscan-data, port 8080): skipped when
# one is taken, and everything it made is removed afterwards.
version=$(sed -n 's/^project(bindscan VERSION \([0-9][0-9.]*\) .*/\1/p' "$root/CMakeLists.txt")
doc_image=ghcr.io/bindscan/bindscan:$version
awk '/^<!-- doc-test: smoke -->$/ {want=1; next} want && /^```/ {if (inside) {want=0; inside=0} else inside=1; next} inside' \
  "$root/docs/deploy.md" >"$work/deploy-doc.sh"
if "$engine" container exists bindscan 2>/dev/null || "$engine" volume inspect bindscan-data >/dev/null 2>&1 ||
  awk '$2 ~ /:1F90$/ && $4 == "0A" {found=1} END {exit !found}' /proc/net/tcp /proc/net/tcp6 2>/dev/null; then
  say "SKIP: docs/deploy.md's serve command: container bindscan, volume bindscan-data or port 8080 already in use"
elif ! grep -q "$doc_image" "$work/deploy-doc.sh"; then
  fail "docs/deploy.md's serve command does not run $doc_image (the project version)"
else
  [ "$image" = "$doc_image" ] || "$engine" tag "$image" "$doc_image"
  mkdir -p "$work/deploy-doc"
  # This machine may have no sudo; as root the command itself is enough.
  if ! command -v sudo >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    printf '#!/bin/sh\nexec "$@"\n' >"$work/bin/sudo"
    chmod +x "$work/bin/sudo"
  fi
  set +e
  (cd "$work/deploy-doc" && PATH="$work/bin:$PATH" GITHUB_TOKEN=smoke-token timeout 120 bash -eo pipefail "$work/deploy-doc.sh") \
    >"$work/deploy-doc.log" 2>&1
  status=$?
  set -e
  if [ "$status" = 0 ] && grep -q '"ready":true' "$work/deploy-doc.log" && ctr healthcheck run bindscan >/dev/null 2>&1; then
    pass "docs/deploy.md's serve command word for word: /readyz through 127.0.0.1:8080, healthcheck healthy"
  else
    fail "docs/deploy.md's serve command: exit $status: $(tail -5 "$work/deploy-doc.log")"
  fi
  "$engine" rm -f -v bindscan >/dev/null 2>&1 || true
  "$engine" volume rm -f bindscan-data >/dev/null 2>&1 || true
  [ "$image" = "$doc_image" ] || "$engine" rmi "$doc_image" >/dev/null 2>&1 || true
fi

# 3. The Action, as the runner runs it: action/run.sh with the runner's
# variables and a `docker` that is this engine, on a workspace owned by a uid
# that is neither the image's user nor ours, checked out into a `path:`.
run_action() {  # OWNER: runs the Action on a fresh workspace owned by OWNER
  local ws=$work/workspace-${1%%:*}
  mkdir -p "$ws/repo/app"
  cp "$root/scanner/rules/bind_all_interfaces/fixtures/all_interfaces_spellings.py" "$ws/repo/app/server.py"
  $as_root chown -R "$1" "$ws" && $as_root chmod -R go-w "$ws"
  : >"$work/engine-calls"
  : >"$work/github-output"
  set +e
  PATH="$work/bin:$PATH" GITHUB_WORKSPACE=$ws GITHUB_OUTPUT=$work/github-output GITHUB_ACTION_PATH=$root \
    INPUT_IMAGE=$image INPUT_ROOT=repo INPUT_OUTPUT=reports/bindscan.sarif INPUT_PATHS=app \
    timeout 120 "$root/action/run.sh" >"$work/action.out" 2>&1
  action_status=$?
  set -e
  action_sarif=$ws/reports/bindscan.sarif
}
if [ "$(id -u)" != 0 ] && [ -z "$as_root" ]; then
  say "SKIP: the Action checks chown workspaces to other uids and need root or passwordless sudo"
else
  run_action 4242:4242
  if [ "$action_status" = 0 ] && [ -s "$action_sarif" ] && [ "$(stat -c %u "$action_sarif")" = 4242 ]; then
    pass "Action on a workspace owned by uid 4242: exit 0, SARIF written as 4242 into a new folder"
  else
    fail "Action on a workspace owned by uid 4242: exit $action_status: $(tail -5 "$work/action.out")"
  fi
  if grep -q '^::warning file=app/server.py,line=' "$work/action.out" &&
    grep -q '"uri": *"app/server.py"' "$action_sarif" 2>/dev/null; then
    pass "annotations and SARIF name app/server.py, relative to the root input"
  else
    fail "annotation or SARIF paths are not relative to the repository: $(head -3 "$work/action.out")"
  fi
  if [ "$(wc -l <"$work/engine-calls")" = 1 ]; then pass "one container run for SARIF and annotations"; else fail "$(wc -l <"$work/engine-calls") container runs"; fi
  if grep -qx 'sarif=reports/bindscan.sarif' "$work/github-output"; then pass "step output sarif=reports/bindscan.sarif"; else fail "step output: $(cat "$work/github-output")"; fi
  run_action 0:0
  if [ "$action_status" = 0 ] && [ -s "$action_sarif" ]; then
    pass "Action on a root-owned workspace (self-hosted runner as root): SARIF written"
  else
    fail "Action on a root-owned workspace: exit $action_status: $(tail -5 "$work/action.out")"
  fi
fi

# 4. Service use: secret from a file, token from the environment, read-only
# root file system, data in a volume, port published on loopback.
if ! ctr run --rm "$image" serve --help >/dev/null 2>&1; then
  say "SKIP: \`bindscan serve --help\` fails in this image, so \`serve\` is not available yet; service checks skipped"
  finish
fi
printf 'smoke-webhook-secret\n' >"$work/webhook-secret"
chmod a+r "$work/webhook-secret"
# As docs/deploy.md says: the address comes from BINDSCAN_LISTEN, which the
# HEALTHCHECK reads too; a port other than 8080 proves the check follows it.
service_port=9090
ctr run -d --name "$name" --read-only --tmpfs /tmp -v /var/lib/bindscan \
  -v "$work/webhook-secret:/run/secrets/webhook-secret:ro" \
  -e BINDSCAN_WEBHOOK_SECRET_FILE=/run/secrets/webhook-secret -e GITHUB_TOKEN=smoke-token \
  -e BINDSCAN_LISTEN=0.0.0.0:$service_port -p 127.0.0.1::$service_port "$image" serve >/dev/null 2>"$work/run.err" || {
  cat "$work/run.err"; fail "could not start serve"; finish; }
healthy=""
for _ in $(seq 1 50); do
  if "$engine" exec "$name" bindscan healthcheck >/dev/null 2>&1; then healthy=1; break; fi
  sleep 0.2
done
if [ -n "$healthy" ]; then pass "bindscan healthcheck inside the container: /healthz is 200"; else fail "/healthz never answered 200"; fi
if [ "$engine" = podman ]; then
  if ctr healthcheck run "$name" >/dev/null 2>&1; then pass "podman healthcheck run on port $service_port: healthy"; else fail "podman healthcheck run: unhealthy"; fi
fi
port=$("$engine" port "$name" "$service_port" | head -1 | sed 's/.*://')
if command -v curl >/dev/null 2>&1 && [ -n "$port" ]; then
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)
  if [ "$code" = 200 ]; then pass "GET /healthz through the published port: 200"; else fail "GET /healthz through the published port: $code"; fi
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true)
  if [ "$code" = 200 ]; then pass "GET /readyz: 200 (data volume writable on a read-only root)"; else fail "GET /readyz: $code"; fi
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -H 'X-GitHub-Event: ping' \
    -H 'X-GitHub-Delivery: 72d3162e-cc78-11e3-81ab-4c9367dc0958' --data '{"zen":"x"}' "http://127.0.0.1:$port/webhook" || true)
  if [ "$code" = 401 ]; then pass "unsigned delivery: 401"; else fail "unsigned delivery: $code, expected 401"; fi
else
  say "curl not installed: probes through the published port skipped"
fi
ctr stop -t 30 "$name" >/dev/null 2>>"$work/run.err"
exit_code=$("$engine" inspect --format '{{.State.ExitCode}}' "$name")
if [ "$exit_code" = 0 ]; then pass "serve exits 0 on SIGTERM"; else fail "serve exit code $exit_code after SIGTERM"; "$engine" logs "$name" 2>&1 | tail -20; fi
# The data volume is anonymous: removing the container must remove it too.
volume=$("$engine" inspect --format '{{range .Mounts}}{{if eq .Destination "/var/lib/bindscan"}}{{.Name}}{{end}}{{end}}' "$name")
"$engine" rm -f -v "$name" >/dev/null 2>&1 || true
if [ -n "$volume" ] && ! "$engine" volume inspect "$volume" >/dev/null 2>&1; then
  pass "the anonymous data volume is removed with the container"
else
  fail "anonymous volume '${volume:-?}' left behind"
fi
finish
