#!/bin/sh
# The service benchmark (issues 5 and 6) in one command:
#   bench/service.sh
# builds Release (scripts/dev build release), installs wrk, openssl, git, curl
# and python3 from Debian if missing, and measures `bindscan serve` on
# 127.0.0.1 only:
#   a. webhook reply time: a burst of 200 signed push deliveries (wrk, 8
#      connections, each delivery a new X-GitHub-Delivery id), repeated; then
#      a sustained run (wrk, 16 connections). Each with the data dir on the
#      disk and on tmpfs (/dev/shm), since every 202 waits for two fsyncs.
#      The floor under each 202 (a record written, fsynced, renamed, the
#      folder fsynced: bench/service/fsync_floor.py) is measured alone too.
#      Jobs are irrelevant here: the clone URL points at a closed loopback
#      port, so each job fails at once (connection refused, --max-attempts 1)
#      on the one worker; a job still costs two fsynced record writes, as in
#      production.
#   b. memory over 1,000 jobs: a real `git daemon` serving a small Python
#      repository with findings, a fake GitHub API (bench/service/fake_github.py),
#      deliveries posted in batches of 100 alternating 5 commits x 4 branches;
#      VmRSS of serve after each batch has finished.
#   c. overload (issue 6): --max-queue 20 with uploads held by the fake GitHub,
#      wrk floods /webhook while curl probes /healthz.
# Prints the tables and writes them to bench/results/service.md. Everything it
# starts is stopped on exit (trap), and its scratch folders are removed.
#
# Environment:
#   BENCH_BINDSCAN=PATH          use this binary and skip the build
#   BENCH_SERVICE_RUNS=3         bursts per data-dir kind
#   BENCH_SERVICE_BURST=200      deliveries per burst
#   BENCH_SERVICE_SECONDS=10     length of the sustained and overload runs
#   BENCH_SERVICE_JOBS=1000      jobs for the memory run (batches of 100)
#   BENCH_SERVICE_WORKERS=50     workers for the memory run (each job waits 5 s
#                                for GitHub's processing status)
#   BENCH_SERVICE_PARTS="reply memory overload"   the parts to run
#   BENCH_SERVICE_KEEP=1         keep the scratch folder (logs, wrk output)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
here=$root/bench/service
bin=${BENCH_BINDSCAN:-$root/build/release/bindscan}
runs=${BENCH_SERVICE_RUNS:-3}
burst=${BENCH_SERVICE_BURST:-200}
burst_conns=8
seconds=${BENCH_SERVICE_SECONDS:-10}
jobs=${BENCH_SERVICE_JOBS:-1000}
workers=${BENCH_SERVICE_WORKERS:-50}
parts=" ${BENCH_SERVICE_PARTS:-reply memory overload} "

log() { printf 'service-bench: %s\n' "$*" >&2; }

# --- tools --------------------------------------------------------------------
. "$root/bench/tools.sh"
install_missing wrk:wrk openssl:openssl python3:python3 git:git curl:curl

# --- build --------------------------------------------------------------------
mkdir -p "$root/bench/work"
if [ -z "${BENCH_BINDSCAN:-}" ]; then
  log "building Release (log: bench/work/service-build.log)"
  if ! "$root/scripts/dev" build release >"$root/bench/work/service-build.log" 2>&1; then
    # The test executable may be broken by work in progress; the benchmark needs only the binary.
    log "full build failed; building bindscan only"
    cmake --build "$root/build/release" --target bindscan -j "$(nproc)" >>"$root/bench/work/service-build.log" 2>&1 ||
      { tail -20 "$root/bench/work/service-build.log" >&2; exit 1; }
  fi
fi
[ -x "$bin" ] || { log "no binary at $bin"; exit 1; }

# --- scratch space and cleanup --------------------------------------------------
# $disk holds everything but the tmpfs data dirs; /var/tmp is on disk on Debian.
disk=$(mktemp -d "${BENCH_SERVICE_DISK:-/var/tmp}/bindscan-service.XXXXXX")
shm=$(mktemp -d /dev/shm/bindscan-service.XXXXXX)
out=$disk/out
mkdir -p "$out"
pids=""
cleanup() {
  for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
  for p in $pids; do wait "$p" 2>/dev/null || true; done
  pids=""
  rm -rf "$shm"
  if [ -n "${BENCH_SERVICE_KEEP:-}" ]; then log "kept $disk"; else rm -rf "$disk"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
started() { pids="$pids $1"; }
forget() { pids=$(printf '%s\n' $pids | grep -vx "$1" | tr '\n' ' ' || true); }
# stop PID [SIGNAL]: signal (default TERM) and reap one process this script started.
stop() {
  kill "-${2:-TERM}" "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  forget "$1"
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
want() { case $parts in *" $1 "*) return 0 ;; esac; return 1; }
# Connections the kernel dropped because a listen queue was full (whole machine).
listen_overflows() { awk '/^TcpExt:/ {if (!n) {split($0, k); n = 1} else {for (i = 2; i <= NF; i++) if (k[i] == "ListenOverflows") print $i}}' /proc/net/netstat; }

secret="bench-webhook-secret-not-a-real-one"
printf '%s\n' "$secret" >"$disk/secret"

# start_serve NAME DATA_DIR [FLAGS...]: `bindscan serve` on 127.0.0.1, a free
# port picked by the service itself; sets serve_pid and serve_port. The log
# (one JSON line per delivery and job) is $out/NAME.log.
start_serve() {
  name=$1 data=$2
  shift 2
  GITHUB_TOKEN=ghs_bench_token "$bin" serve --listen 127.0.0.1:0 --data-dir "$data" \
    --webhook-secret-file "$disk/secret" "$@" >"$out/$name.log" 2>&1 &
  serve_pid=$!
  started "$serve_pid"
  serve_port=""
  tries=0
  while [ -z "$serve_port" ]; do
    serve_port=$(sed -n '/"listening"/s/.*"address":"127\.0\.0\.1:\([0-9]*\)".*/\1/p' "$out/$name.log")
    tries=$((tries + 1))
    if [ "$tries" -gt 300 ] || ! kill -0 "$serve_pid" 2>/dev/null; then
      log "serve did not start:"; cat "$out/$name.log" >&2; exit 1
    fi
    [ -n "$serve_port" ] || sleep 0.1
  done
}

# push_body FILE CLONE_URL FULL_NAME REF SHA: a push delivery as GitHub sends it.
push_body() {
  printf '{"ref":"%s","before":"%s","after":"%s","created":false,"deleted":false,"forced":false,' \
    "$4" 0000000000000000000000000000000000000000 "$5" >"$1"
  printf '"repository":{"id":1,"name":"%s","full_name":"%s","private":false,' "${3#*/}" "$3" >>"$1"
  printf '"owner":{"name":"%s","login":"%s"},"clone_url":"%s","default_branch":"main",' "${3%/*}" "${3%/*}" "$2" >>"$1"
  printf '"created_at":1700000000,"pushed_at":1714557600},"pusher":{"name":"octocat"},' >>"$1"
  printf '"sender":{"login":"octocat"},"head_commit":{"id":"%s"},"commits":[]}' "$5" >>"$1"
}

# run_wrk NAME ARGS...: wrk with bench/service/delivery.lua on the running
# service, posting $body signed with $signature. $limit: replies after which
# each wrk thread stops (0: none); $close: 1 for a new connection per
# delivery, 0 for keep-alive. Appends its RESULT line, after name=NAME, to
# $out/rows.
run_wrk() {
  name=$1
  shift
  BENCH_BODY=$body BENCH_SIGNATURE=$signature BENCH_PREFIX=$name BENCH_LIMIT=$limit BENCH_CLOSE=$close \
    wrk "$@" --latency -s "$here/delivery.lua" "http://127.0.0.1:$serve_port/webhook" >"$out/$name.wrk" 2>&1 ||
    { cat "$out/$name.wrk" >&2; exit 1; }
  line=$(sed -n 's/^RESULT //p' "$out/$name.wrk")
  [ -n "$line" ] || { cat "$out/$name.wrk" >&2; exit 1; }
  printf 'name=%s %s' "$name" "$line" >>"$out/rows"
}

# --- a. reply time ------------------------------------------------------------
if want reply; then
  dead_port=$(free_port)  # nothing listens here: every fetch is refused at once
  body=$disk/push.json
  push_body "$body" "git://127.0.0.1:$dead_port/octo/app" octo/app refs/heads/main \
    "$(printf '%040d' 1 | tr 0 a)"
  signature="sha256=$(openssl dgst -sha256 -hmac "$secret" -r <"$body" | cut -d' ' -f1)"
  fast_fail="--allow-clone-host git://127.0.0.1:$dead_port --workers 1 --max-attempts 1"

  limit=0 close=1
  for where in disk shm; do
    if [ "$where" = disk ]; then base=$disk; else base=$shm; fi
    fs=$(stat -f -c %T "$base")  # as stat names it: ext2/ext3, tmpfs, ...
    # The floor: one admission's file writes and fsyncs, alone, 200 times.
    mkdir -p "$base/fsync"
    printf 'name=fsync-%s %s kind=fsync where=%s fs=%s\n' "$where" \
      "$(python3 "$here/fsync_floor.py" "$base/fsync" 200 | sed -n 's/^FSYNC //p')" "$where" "$fs" >>"$out/rows"
    # GitHub opens a connection per delivery (close=1); keep-alive for comparison.
    for close in 1 0; do
      i=1
      while [ "$i" -le "$runs" ]; do
        name=burst-$where-close$close-$i
        log "$name: $burst deliveries on $burst_conns connections, data dir on $fs"
        # shellcheck disable=SC2086
        start_serve "$name" "$base/$name" $fast_fail
        # One connection per wrk thread, each stopping after its share of
        # replies: exactly $burst deliveries are sent.
        limit=$((burst / burst_conns))
        run_wrk "$name" -t "$burst_conns" -c "$burst_conns" -d 5s --timeout 5s
        limit=0
        printf ' kind=burst where=%s fs=%s close=%s log=%s\n' "$where" "$fs" "$close" "$out/$name.log" >>"$out/rows"
        stop "$serve_pid"
        i=$((i + 1))
      done
    done
    close=1
    name=sustained-$where
    log "$name: ${seconds} s on 16 connections, data dir on $fs"
    # shellcheck disable=SC2086
    start_serve "$name" "$base/$name" $fast_fail
    rss0=$(rss_kb "$serve_pid")
    run_wrk "$name" -t 2 -c 16 -d "${seconds}s" --timeout 5s
    printf ' kind=sustained where=%s fs=%s log=%s rss0_kb=%s rss1_kb=%s\n' "$where" "$fs" "$out/$name.log" "$rss0" "$(rss_kb "$serve_pid")" >>"$out/rows"
    stop "$serve_pid"
  done
fi

# --- b. memory over many jobs -------------------------------------------------
# A repository with findings, 5 commits (each adds a file) and 4 branches,
# served by a real git daemon; a fake GitHub API in Python.
if want memory || want overload; then
  repo=$disk/served/octo/app
  mkdir -p "$repo"
  git -C "$repo" init -q -b main
  git -C "$repo" config user.name Bench
  git -C "$repo" config user.email bench@example.invalid
  git -C "$repo" config commit.gpgsign false
  printf 'import socket\ns = socket.socket()\ns.bind(("0.0.0.0", 8080))\n' >"$repo/app.py"
  printf 'import socketserver\nsrv = socketserver.TCPServer(("127.0.0.1", 9000), None)\n' >"$repo/clean.py"
  commits=""
  for k in 0 1 2 3 4; do
    printf 'import http.server\n\n\ndef serve():\n    return http.server.HTTPServer(("", %d), None)\n' "$((8000 + k))" >"$repo/mod$k.py"
    git -C "$repo" add -A
    git -C "$repo" commit -q -m "commit $k"
    commits="$commits $(git -C "$repo" rev-parse HEAD)"
  done
  for b in 0 1 2 3; do git -C "$repo" branch "b$b"; done

  git_port=$(free_port)
  "$(git --exec-path)/git-daemon" --reuseaddr --export-all --listen=127.0.0.1 --port="$git_port" \
    --base-path="$disk/served" --enable=upload-pack "$disk/served" >/dev/null 2>&1 &
  git_pid=$!
  started "$git_pid"
  tries=0
  until git ls-remote "git://127.0.0.1:$git_port/octo/app" >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -le 100 ] || { log "git daemon did not start"; exit 1; }
    sleep 0.1
  done

  # start_github NAME [--hold SECONDS]: the fake GitHub API; sets github_pid, github_port.
  start_github() {
    name=$1
    shift
    python3 "$here/fake_github.py" "$out/$name.port" "$@" >"$out/$name.log" 2>&1 &
    github_pid=$!
    started "$github_pid"
    tries=0
    until [ -s "$out/$name.port" ]; do
      tries=$((tries + 1))
      [ "$tries" -le 100 ] && kill -0 "$github_pid" 2>/dev/null || { log "fake GitHub did not start"; cat "$out/$name.log" >&2; exit 1; }
      sleep 0.1
    done
    github_port=$(cat "$out/$name.port")
  }

  mkdir -p "$disk/bodies"
  n=0
  for sha in $commits; do
    for b in 0 1 2 3; do
      push_body "$disk/bodies/$n.json" "git://127.0.0.1:$git_port/octo/app" octo/app "refs/heads/b$b" "$sha"
      n=$((n + 1))
    done
  done
fi

if want memory; then
  start_github github-memory
  log "memory: $jobs jobs in batches of 100, $workers workers, data dir on $(stat -f -c %T "$disk")"
  start_serve memory "$disk/memory" --allow-clone-host "git://127.0.0.1:$git_port" \
    --github-api "http://127.0.0.1:$github_port" --workers "$workers"
  python3 "$here/jobs.py" --port "$serve_port" --pid "$serve_pid" --secret-file "$disk/secret" \
    --bodies "$disk/bodies" --jobs "$jobs" --batch 100 >"$out/memory.jobs" ||
    { cat "$out/memory.jobs" >&2; tail -5 "$out/memory.log" >&2; exit 1; }
  curl -fsS "http://127.0.0.1:$github_port/_stats" >"$out/memory.github"
  stop "$serve_pid"
  stop "$github_pid"
fi

# --- c. overload --------------------------------------------------------------
# Uploads are held for 60 s, so the 2 workers stay busy and the queue of 20
# fills; wrk then floods /webhook while curl probes /healthz every 0.1 s.
if want overload; then
  start_github github-overload --hold 60
  start_serve overload "$disk/overload" --allow-clone-host "git://127.0.0.1:$git_port" \
    --github-api "http://127.0.0.1:$github_port" --workers 2 --max-queue 20
  body=$disk/bodies/0.json
  signature="sha256=$(openssl dgst -sha256 -hmac "$secret" -r <"$body" | cut -d' ' -f1)"
  rss0=$(rss_kb "$serve_pid")
  log "overload: ${seconds} s on 16 connections, --max-queue 20, uploads held"
  (
    end=$(($(date +%s) + seconds + 1))
    while [ "$(date +%s)" -le "$end" ]; do
      curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 10 "http://127.0.0.1:$serve_port/healthz" || true
      sleep 0.1
    done
  ) >"$out/overload.healthz" &
  probe_pid=$!
  started "$probe_pid"
  overflows0=$(listen_overflows)
  run_wrk overload -t 2 -c 16 -d "${seconds}s" --timeout 5s
  wait "$probe_pid" || true
  forget "$probe_pid"
  printf ' kind=overload log=%s rss0_kb=%s rss1_kb=%s listen_overflows=%s\n' "$out/overload.log" "$rss0" \
    "$(rss_kb "$serve_pid")" "$(($(listen_overflows) - overflows0))" >>"$out/rows"
  stop "$serve_pid" KILL  # its two jobs wait on held uploads
  stop "$github_pid"
fi
if want memory || want overload; then stop "$git_pid"; fi

# --- report -------------------------------------------------------------------
mkdir -p "$root/bench/results"
python3 "$here/report.py" "$out" "$bin" "$burst" "$seconds" "$workers" | tee "$root/bench/results/service.md"
