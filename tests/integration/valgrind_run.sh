#!/usr/bin/env bash
# valgrind_run.sh HPOLAB FIXTURE: a small study (random search, and ASHA in
# both types, over real trial processes) under valgrind memcheck: any error
# or any byte definitely lost fails. The trials themselves are not traced.
set -euo pipefail
hpolab=$1 fixture=$2
work=$(mktemp -d /tmp/hpolab-valgrind-XXXXXX)
trap 'rm -rf "$work"' EXIT
cat >"$work/study.json" <<JSON
{"name": "vg",
 "benchmarks": {"fixture": {"entry_point": ["$fixture"],
   "config_space": {"x": {"domain": "uniform", "lower": 0, "upper": 1}, "epochs": 9,
                    "mode": "ok", "sleep": 0.01},
   "metric": "loss", "mode": "min", "resource_attr": "epoch", "max_resource_attr": "epochs",
   "n_workers": 2, "max_num_trials_started": 12}},
 "methods": {"RS": "RS",
             "ASHA-stop": {"preset": "ASHA", "scheduler_options": {"type": "stopping"}},
             "ASHA": "ASHA"}}
JSON
HPOLAB_NO_DLCLOSE=1 valgrind --quiet --error-exitcode=99 --leak-check=full \
  --errors-for-leak-kinds=definite --show-leak-kinds=definite \
  --trace-children=no \
  "$hpolab" run "$work/study.json" --results_dir "$work/results" --random_seed 3
echo "valgrind: no errors, nothing definitely lost"
