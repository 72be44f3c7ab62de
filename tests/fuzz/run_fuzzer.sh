#!/usr/bin/env bash
# run_fuzzer.sh FUZZER CORPUS REGRESSIONS WORKDIR SECONDS
# Runs a libFuzzer binary for SECONDS on a scratch copy of its seed corpus
# (the source tree is never written). The random seed is HPOLAB_FUZZ_SEED
# (default 1: CI explores the same inputs on every run, so it fails only for
# a change in the code; set 0 for a fresh random seed when hunting). A crash fails the test; the input is
# left in WORKDIR/crashes/ — copy it into REGRESSIONS/ once fixed, so the
# replay test keeps it fixed.
set -euo pipefail
fuzzer=$1 corpus=$2 regress=$3 work=$4 seconds=$5
rm -rf "$work"
mkdir -p "$work/corpus" "$work/crashes"
cp -r "$corpus"/. "$work/corpus/"
[ -d "$regress" ] && cp -r "$regress"/. "$work/corpus/"
exec "$fuzzer" "$work/corpus" -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
  -artifact_prefix="$work/crashes/" -seed="${HPOLAB_FUZZ_SEED:-1}"
