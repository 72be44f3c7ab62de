#!/usr/bin/env bash
# Builds hpolab and runs the demo study: the ODSC tutorial's comparison made
# small (RS, BO, ASHA, MOBSTER x 3 seeds on a synthetic training script, 30 s
# per experiment), launched in parallel on this machine, then plotted. About
# 3 minutes on 2 cores. Results go to $HPOLAB_RESULTS (default ~/hpolab),
# under odsc-demo/, with the figure odsc-demo.png (.svg, .pdf) and its
# summary table.
# Extra arguments go to `hpolab launch` (e.g. --num_seeds 5).
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/dev/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "hpolab built: build/bin/hpolab"
tag=odsc-demo
results=${HPOLAB_RESULTS:-$HOME/hpolab}
# a demo run again beside an earlier one: plot only this run's experiments
started=$(date -u +%Y-%m-%d-%H-%M-%S)
build/bin/hpolab launch examples/odsc/study.json --engine local --wait \
  --experiment_tag "$tag" --num_seeds 3 "$@"
build/bin/hpolab plot "$tag" --study examples/odsc/study.json \
  --results_dir "$results" --output "$results/$tag/$tag" --since "$started"
echo "figure: $results/$tag/$tag.png"
