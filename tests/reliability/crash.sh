#!/bin/sh
# Runs the reliability tests against a built tree and prints their figures:
# the kill -9 crash test (200 signed deliveries, restart on the same data
# dir, nothing lost), the fault tests and the end-to-end run of the binary.
#   tests/reliability/crash.sh [BUILD_DIR]     default: build/release
# Loopback only; each test is bounded (the crash test well under a minute).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
tests="$build/tests/unit_tests"
[ -x "$tests" ] || { echo "crash.sh: $tests not built; run scripts/dev build" >&2; exit 2; }
exec timeout 300 "$tests" --gtest_also_run_disabled_tests \
  --gtest_filter='Reliability.*:ReliabilityFaults.*:ReliabilityDisk.*:ServeEndToEnd.*'
