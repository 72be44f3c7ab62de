#!/usr/bin/env bash
# Builds hpolab twice and runs the whole test suite on each build: once as
# released (RelWithDebInfo), once with AddressSanitizer + UBSan. The last
# line sums up both runs.
set -uo pipefail
cd "$(dirname "$0")/../.."
tools/dev/deps.sh || exit 1
jobs=$(nproc)
total_pass=0
total_fail=0
status=0

run_suite() { # name, build dir, extra cmake args...
  local name=$1 dir=$2; shift 2
  echo "=== $name: configure and build ($dir)"
  if ! cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$dir.configure.log" 2>&1; then
    cat "$dir.configure.log"; status=1; return
  fi
  if ! cmake --build "$dir" -j"$jobs" >"$dir.build.log" 2>&1; then
    tail -50 "$dir.build.log"; status=1; return
  fi
  echo "=== $name: ctest"
  ctest --test-dir "$dir" -j"$jobs" --output-on-failure 2>&1 | tee "$dir.ctest.log"
  local line pass total
  line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$dir.ctest.log" | tail -1)
  if [ -z "$line" ]; then status=1; return; fi
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  local failed
  failed=$(sed -E 's/.*, ([0-9]+) tests failed.*/\1/' <<<"$line")
  pass=$((total - failed))
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + failed))
  [ "$failed" -eq 0 ] || status=1
}

run_suite "release build" build-test
# Plugins stay loaded so sanitizer reports can name their frames.
HPOLAB_NO_DLCLOSE=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite "ASan+UBSan build" build-asan -DHPOLAB_SANITIZE=ON

echo "hpolab tests (release + sanitizers): $total_pass passed, $total_fail failed"
exit $status
