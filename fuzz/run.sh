#!/bin/sh
# Builds the libFuzzer targets with clang, ASan and UBSan into build/fuzz
# (apart from scripts/dev's builds) and runs each for a bounded time.
#   fuzz/run.sh [SECONDS] [TARGET...]   default: 60 seconds, every target
# Fails on any crash, sanitizer report, leak, hang (-timeout=10 per input)
# or out-of-memory (-rss_limit_mb). Seeds are read from fuzz/corpus/TARGET/
# (and, for the Python-shaped targets, the rules' fixtures);
# new inputs go to build/fuzz/corpus/TARGET/, crashes to
# build/fuzz/artifacts/TARGET/ (reproduce: build/fuzz/fuzzers/TARGET_fuzzer FILE).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
[ $# -gt 0 ] && shift
case "$seconds" in ''|*[!0-9]*) echo "run.sh: SECONDS must be a number, got '$seconds'" >&2; exit 2 ;; esac
build="$root/build/fuzz"
jobs=${FUZZ_BUILD_JOBS:-2}

targets="$*"
if [ -z "$targets" ]; then
  targets=$(cd "$root/fuzz" && ls *_fuzzer.cpp | sed 's/_fuzzer\.cpp$//')
fi

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBINDSCAN_FUZZ=ON -DBINDSCAN_TESTS=OFF >/dev/null
set --
for t in $targets; do set -- "$@" "${t}_fuzzer"; done
cmake --build "$build" -j "$jobs" --target "$@"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

summary=""
failed=""
for t in $targets; do
  work="$build/corpus/$t"
  artifacts="$build/artifacts/$t"
  mkdir -p "$work" "$artifacts"
  dict=""
  [ -f "$root/fuzz/dict/$t.dict" ] && dict="-dict=$root/fuzz/dict/$t.dict"
  # Python-shaped targets also start from every rule's fixtures, read in place.
  seeds=""
  [ -d "$root/fuzz/corpus/$t" ] && seeds="$root/fuzz/corpus/$t"
  case "$t" in
    scan|expectation_comment) seeds="$seeds $(ls -d "$root"/scanner/rules/*/fixtures)" ;;
  esac
  log="$build/$t.log"
  echo "fuzz: $t for ${seconds}s" >&2
  status=0
  # shellcheck disable=SC2086
  "$build/fuzzers/${t}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -detect_leaks=1 -print_final_stats=1 -artifact_prefix="$artifacts/" $dict \
    "$work" $seeds >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [ "$status" -ne 0 ]; then
    failed="$failed $t"
    tail -n 60 "$log" >&2
    summary="$summary$t FAILED (exit $status, see $log and $artifacts)\n"
  else
    summary="$summary$t ${seconds}s ${runs:-?} executions, corpus $(ls "$work" | wc -l) inputs\n"
  fi
done
printf "fuzz: summary\n%b" "$summary" >&2
if [ -n "$failed" ]; then
  echo "fuzz: failed:$failed" >&2
  exit 1
fi
