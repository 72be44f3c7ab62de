#!/usr/bin/env bash
# Builds hpolab and runs the quickstart study (random search on a synthetic
# training script, 2 workers, about 30 s). Results go to $HPOLAB_RESULTS
# (default ~/hpolab).
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/dev/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "hpolab built: build/bin/hpolab"
exec build/bin/hpolab run examples/quickstart/study.json --experiment_tag quickstart "$@"
