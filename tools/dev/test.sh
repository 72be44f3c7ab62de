#!/usr/bin/env bash
# Builds hpolab three times: runs the whole test suite as released
# (RelWithDebInfo) and with AddressSanitizer + UBSan, then each libFuzzer
# target for a bounded time (clang). The last line sums up all runs.
set -uo pipefail
cd "$(dirname "$0")/../.."
tools/dev/deps.sh || exit 1
jobs=$(nproc)
total_pass=0
total_fail=0
status=0

# name, build dir, build target ("" = all; a target also means: run only the
# ctest label "fuzz"), extra cmake args...
run_suite() {
  local name=$1 dir=$2 target=$3; shift 3
  echo "=== $name: configure and build ($dir)"
  if ! cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$dir.configure.log" 2>&1; then
    cat "$dir.configure.log"; status=1; return
  fi
  if ! cmake --build "$dir" -j"$jobs" ${target:+--target "$target"} >"$dir.build.log" 2>&1; then
    tail -50 "$dir.build.log"; status=1; return
  fi
  echo "=== $name: ctest"
  ctest --test-dir "$dir" -j"$jobs" --output-on-failure ${target:+-L fuzz} 2>&1 | tee "$dir.ctest.log"
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

run_suite "release build" build-test ""
# Plugins stay loaded so sanitizer reports can name their frames.
HPOLAB_NO_DLCLOSE=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite "ASan+UBSan build" build-asan "" -DHPOLAB_SANITIZE=ON
# libFuzzer (clang) on the study, metric-line and results parsers, each for
# a bounded time; their corpora also run as replay tests in both builds above.
HPOLAB_NO_DLCLOSE=1 ASAN_OPTIONS=detect_leaks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 CC=clang \
  run_suite "fuzzing (libFuzzer, ASan+UBSan)" build-fuzz fuzz_all \
  -DHPOLAB_FUZZ=ON -DHPOLAB_SANITIZE=ON -DHPOLAB_FUZZ_SECONDS=20

echo "hpolab tests (release + sanitizers + fuzzing): $total_pass passed, $total_fail failed"
exit $status
