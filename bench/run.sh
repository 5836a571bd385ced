#!/bin/sh
# The benchmark in one command (docs/performance.md explains the figures):
#   bench/run.sh
# builds Release (scripts/dev build), prepares the corpora under bench/work/,
# installs the peers (hyperfine, GNU time, bandit from Debian; ruff's WASM
# build via `npm ci` in bench/), times every tool on the same corpus in this
# one run, and prints the tables (also written to bench/results/latest.md).
# Everything is idempotent: a second run reuses the corpora and the peers.
#
# Environment:
#   BENCH_RUNS=5        timed runs of each fast command (cat, grep, bindscan)
#   BENCH_SLOW_RUNS=3   timed runs of ruff, the 50 MB file and prefilter-off scans
#   BENCH_BANDIT_RUNS=1 timed runs of bandit (about a minute each)
#   BENCH_EVERY=8       parse_speed samples every N-th stdlib file
#   BENCH_STDLIB=DIR    the corpus (default: python3's stdlib, else /usr/lib/python3.11)
#   BENCH_SKIP_BANDIT=1 leave bandit out
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
bench=$root/bench
work=$bench/work
out=$work/results
bin=$root/build/release/bindscan
runs=${BENCH_RUNS:-5}
slow=${BENCH_SLOW_RUNS:-3}
bandit_runs=${BENCH_BANDIT_RUNS:-1}
every=${BENCH_EVERY:-8}
debian_stdlib=/usr/lib/python3.11
grep_pattern='socketserver|TCPServer|UDPServer|HTTPServer'

log() { printf 'bench: %s\n' "$*" >&2; }

# --- peers and tools ----------------------------------------------------------
# Commands, and the Debian package that provides each (node may come from elsewhere).
. "$root/bench/tools.sh"
install_missing hyperfine:hyperfine /usr/bin/time:time bandit:bandit python3:python3 g++:g++ \
  pkg-config:pkg-config node:nodejs npm:npm
ruff_version=$(sed -n 's/.*"@astral-sh\/ruff-wasm-nodejs": "\(.*\)".*/\1/p' "$bench/package.json")
installed=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$bench/node_modules/@astral-sh/ruff-wasm-nodejs/package.json" 2>/dev/null || true)
if [ "$installed" != "$ruff_version" ]; then
  log "installing @astral-sh/ruff-wasm-nodejs $ruff_version (npm ci)"
  (cd "$bench" && npm ci --no-audit --no-fund --loglevel=error)
fi

# --- build --------------------------------------------------------------------
mkdir -p "$work"
if ! "$root/scripts/dev" build release >"$work/build.log" 2>&1; then
  # The test executable may be broken by work in progress; the benchmark needs only these.
  log "full build failed (see $work/build.log); building bindscan and the scanner library only"
  cmake --build "$root/build/release" --target bindscan scanner tree_sitter_python -j "$(nproc)" >>"$work/build.log" 2>&1 ||
    { tail -20 "$work/build.log" >&2; exit 1; }
fi
mkdir -p "$work" "$out"
rm -f "$out"/*
lib=$root/build/release
# Builds bench/$1.cpp against the scanner library into $work/$1.
bench_program() {
  if [ ! -x "$work/$1" ] || [ "$bench/$1.cpp" -nt "$work/$1" ] || [ "$lib/scanner/libscanner.a" -nt "$work/$1" ]; then
    log "building $1"
    # shellcheck disable=SC2046
    g++ -O2 -std=c++20 -I"$root" -o "$work/$1" "$bench/$1.cpp" "$lib/scanner/libscanner.a" \
      "$lib/libtree_sitter_python.a" $(pkg-config --libs tree-sitter) -lpthread
  fi
}
bench_program parse_speed
bench_program parse_floor
parse_speed=$work/parse_speed
parse_floor=$work/parse_floor

# --- corpora ------------------------------------------------------------------
stdlib=${BENCH_STDLIB:-$(python3 -c 'import sysconfig;print(sysconfig.get_paths()["stdlib"])' 2>/dev/null || true)}
[ -n "$stdlib" ] && [ -d "$stdlib" ] || stdlib=$debian_stdlib
[ -d "$stdlib" ] || { log "no Python standard library found; set BENCH_STDLIB"; exit 2; }
stdlib=$(cd "$stdlib" && pwd -P)

# Size of the *.py files under $1, as "files bytes".
measure() {
  find "$1" -name __pycache__ -prune -o -type f -name '*.py' -print0 >"$work/list"
  # Every file counts, hard links too: the scanners read each one.
  printf '%s %s\n' "$(tr -cd '\0' <"$work/list" | wc -c)" \
    "$(xargs -0 -r stat -c %s <"$work/list" | awk '{s += $1} END {printf "%d", s}')"
}
printf 'stdlib %s %s\n' "$(measure "$stdlib")" "$stdlib" >"$out/corpora"
[ -z "${BENCH_SKIP_BANDIT:-}" ] && printf 'debian %s %s\n' "$(measure "$debian_stdlib")" "$debian_stdlib" >>"$out/corpora"

# 1x, 2x, 4x: a copy of the stdlib's *.py files, then hard links to it (the
# same bytes read again; the page cache holds one copy, as for `cat`).
stamp="$stdlib $(awk '$1 == "stdlib" {print $2, $3}' "$out/corpora")"
if [ "$(cat "$work/linear/stamp" 2>/dev/null)" != "$stamp" ]; then
  log "copying the corpus for the linearity runs"
  rm -rf "$work/linear"
  mkdir -p "$work/linear/1x/c1"
  (cd "$stdlib" && find . -name __pycache__ -prune -o -type f -name '*.py' -print0 |
    xargs -0 cp --parents -t "$work/linear/1x/c1")
  for n in 2 4; do
    i=1
    while [ "$i" -le "$n" ]; do
      mkdir -p "$work/linear/${n}x"
      cp -al "$work/linear/1x/c1" "$work/linear/${n}x/c$i"
      i=$((i + 1))
    done
  done
  printf '%s\n' "$stamp" >"$work/linear/stamp"
fi
for n in 1 2 4; do printf 'linear%sx %s %s\n' "$n" "$(measure "$work/linear/${n}x")" "$work/linear/${n}x" >>"$out/corpora"; done
if [ "$(cat "$work/big.stamp" 2>/dev/null)" != "$stamp" ] || [ ! -f "$work/big.py" ]; then
  log "generating the 50 MB file"
  python3 "$bench/make_big_file.py" "$stdlib" "$work/big.py" 50
  printf '%s\n' "$stamp" >"$work/big.stamp"
fi
printf 'big 1 %s %s\n' "$(stat -c %s "$work/big.py")" "$work/big.py" >>"$out/corpora"
rm -f "$work/list"

# --- timing -------------------------------------------------------------------
cat_cmd() { printf "find %s -name __pycache__ -prune -o -type f -name '*.py' -print0 | xargs -0 cat > /dev/null" "$1"; }
scan_cmd() { printf '%s scan --exit-zero %s > /dev/null 2>&1' "$bin" "$1"; }
ruff_cmd="node $bench/ruff_s104.js $stdlib > /dev/null 2>&1"
hf() { name=$1; shift; hyperfine --style basic --export-json "$out/$name.json" "$@" >&2; }

log "whole corpus ($stdlib): cat, grep, bindscan, the tree-sitter floor"
"$parse_floor" list "$stdlib" >"$work/parsed.list"
hf stdlib --warmup 1 --runs "$runs" \
  -n cat "$(cat_cmd "$stdlib")" \
  -n "grep -rl" "grep -rl --include='*.py' -E '$grep_pattern' $stdlib > /dev/null" \
  -n bindscan "$(scan_cmd "$stdlib")" \
  -n "tree-sitter floor" "$parse_floor run $stdlib $work/parsed.list"
log "whole corpus: ruff S104 (WASM, one file at a time)"
hf ruff --runs "$slow" -n "ruff S104" "$ruff_cmd"

log "peak memory and findings"
mem() { name=$1; shift; /usr/bin/time -f "%M" -o "$out/mem.tmp" "$@" || true; printf '%s\t%s\n' "$name" "$(tail -1 "$out/mem.tmp")" >>"$out/memory"; }
mem cat sh -c "$(cat_cmd "$stdlib")"
mem "grep -rl" sh -c "grep -rl --include='*.py' -E '$grep_pattern' $stdlib > $out/grep.txt"
mem bindscan "$bin" scan --exit-zero -o "$out/bindscan.txt" "$stdlib"
mem "ruff S104" sh -c "node $bench/ruff_s104.js $stdlib > $out/ruff.txt 2>/dev/null"
BINDSCAN_NO_PREFILTER=1 mem "bindscan, prefilter off" "$bin" scan --exit-zero -o "$out/bindscan-noprefilter.txt" "$stdlib"
mem "bindscan, 50 MB file" "$bin" scan --exit-zero -o "$out/bindscan-big.txt" "$work/big.py"
rm -f "$out/mem.tmp"

if [ -z "${BENCH_SKIP_BANDIT:-}" ]; then
  log "Debian's $debian_stdlib: cat, bindscan, ruff, bandit B104"
  hf debian --warmup 1 --runs "$runs" -n cat "$(cat_cmd "$debian_stdlib")" -n bindscan "$(scan_cmd "$debian_stdlib")"
  # One timed run gives wall, CPU and peak memory together (bandit takes about a minute).
  i=0
  while [ "$i" -lt "$bandit_runs" ]; do
    /usr/bin/time -f '%e %U %S %M' -a -o "$out/bandit.time" \
      bandit -q -r -t B104 -f json -o "$out/bandit.json" "$debian_stdlib" >/dev/null 2>&1 || true
    i=$((i + 1))
  done
  python3 -c 'import json,statistics,sys
rows=[list(map(float,l.split())) for l in open(sys.argv[1]) if l.strip() and l[0].isdigit()]
t=[r[0] for r in rows]
json.dump({"results":[{"command":"bandit B104","times":t,"min":min(t),"max":max(t),"median":statistics.median(t),
  "user":statistics.mean(r[1] for r in rows),"system":statistics.mean(r[2] for r in rows)}]},open(sys.argv[2],"w"))
print("bandit B104\t%d" % max(r[3] for r in rows))' "$out/bandit.time" "$out/debian-bandit.json" >>"$out/memory"
  "$bin" scan --exit-zero -o "$out/bindscan-debian.txt" "$debian_stdlib" 2>/dev/null
  node "$bench/ruff_s104.js" "$debian_stdlib" >"$out/ruff-debian.txt" 2>/dev/null
fi

log "parsing speed, prefilter off (one thread, every ${every}th stdlib file)"
"$parse_speed" --rounds 3 --every "$every" "$stdlib" | tee "$out/parse_speed.txt" >&2
# Scanner::scan without a project is superlinear on this file (one module
# with thousands of classes writing the same attribute names: see
# docs/performance.md); bounded, the report then leaves the figure out.
log "parsing speed on the 50 MB file (at most 10 minutes)"
timeout 600 "$parse_speed" --rounds 1 --stages bare,scan "$work/big.py" | tee "$out/parse_speed_big.txt" >&2
log "whole corpus with the prefilter off, and the 50 MB file, through the CLI"
hf noprefilter --runs "$slow" -n "bindscan, prefilter off" "BINDSCAN_NO_PREFILTER=1 $(scan_cmd "$stdlib")"
hf big --runs "$slow" -n "bindscan, 50 MB file" "$(scan_cmd "$work/big.py")"

log "linearity: 1x, 2x, 4x copies"
hf linear --warmup 1 --runs "$runs" \
  -n "cat 1x" "$(cat_cmd "$work/linear/1x")" -n "bindscan 1x" "$(scan_cmd "$work/linear/1x")" \
  -n "cat 2x" "$(cat_cmd "$work/linear/2x")" -n "bindscan 2x" "$(scan_cmd "$work/linear/2x")" \
  -n "cat 4x" "$(cat_cmd "$work/linear/4x")" -n "bindscan 4x" "$(scan_cmd "$work/linear/4x")"

# --- report -------------------------------------------------------------------
mkdir -p "$bench/results"
python3 "$bench/report.py" "$out" "$bench/stdlib-findings.md" | tee "$bench/results/latest.md"
