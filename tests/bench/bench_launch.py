#!/usr/bin/env python3
"""Launcher benchmark (issue 6, "Performance").

  (a) local engine: `hpolab launch --engine local --wait` of N slices whose
      experiments are trivial (one trial of /bin/true); the supervisor prints
      its own CPU time (getrusage, without the jobs'), reported per slice.
      goal < 10 ms per slice
  (b) Slurm: time from `hpolab launch --engine slurm` to all N jobs
      submitted (the command returns after submission), as one job array and
      with --no_array (one sbatch per slice); the jobs are cancelled right
      after. Needs a cluster: SLURM_CONF set (tools/dev/slurm-start.sh starts
      one on loopback). goal < 10 ms per slice

Usage: tests/bench/bench_launch.py [--build build] [--slices 400]
       [--skip-slurm] [--skip-local]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time


def write_study(path):
    # 400 slices = 1 method x 400 seeds; each experiment: one trial that
    # exits at once
    study = {
        "name": "bench-launch",
        "benchmarks": {"trivial": {
            "entry_point": ["/bin/true"],
            "config_space": {"x": {"domain": "uniform", "lower": 0.0,
                                   "upper": 1.0}},
            "metric": "loss", "mode": "min", "n_workers": 1,
            "max_wallclock_time": 60, "max_num_trials_started": 1}},
        "methods": {"RS": {"scheduler": "fifo", "searcher": "random"}},
    }
    with open(path, "w") as f:
        json.dump(study, f)


def run(cmd, **kw):
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return time.monotonic() - t0, p


def bench_local(hpolab, study, results, n, parallel):
    wall, p = run([hpolab, "launch", study, "--engine", "local", "--wait",
                   "--results_dir", results, "--experiment_tag", "bench-local",
                   "--num_seeds", str(n), "--max_parallel", str(parallel)])
    m = re.search(r"launcher: ([0-9.]+) s CPU for (\d+) job\(s\) \(([0-9.]+) ms",
                  p.stdout)
    if p.returncode != 0 or not m:
        print(p.stdout[-2000:], p.stderr[-2000:])
        raise SystemExit("local launch failed")
    print(f"(a) local engine, {n} slices, {parallel} at once: wall {wall:.1f} s"
          f" ({n / wall:.1f} slices/s); launcher CPU {float(m.group(1)):.3f} s"
          f" = {float(m.group(3)):.3f} ms per slice (goal < 10 ms)")


def bench_slurm(hpolab, study, results, n, array):
    tag = "bench-array" if array else "bench-jobs"
    cmd = [hpolab, "launch", study, "--engine", "slurm", "--results_dir",
           results, "--experiment_tag", tag, "--num_seeds", str(n)]
    if not array:
        cmd.append("--no_array")
    wall, p = run(cmd)
    if p.returncode != 0:
        print(p.stdout[-2000:], p.stderr[-2000:])
        raise SystemExit("slurm launch failed")
    sub = re.search(r"submitted (\d+) of (\d+)", p.stdout)
    print(f"(b) Slurm, {n} slices {'as one job array' if array else 'one sbatch each'}:"
          f" launch to all submitted {wall * 1e3:.0f} ms = {wall * 1e3 / n:.2f}"
          f" ms per slice ({sub.group(0) if sub else '?'}; goal < 10 ms)")
    t0 = time.monotonic()
    run([hpolab, "cancel", tag, "--results_dir", results, "--timeout", "120"])
    print(f"    hpolab cancel of all {n}: {time.monotonic() - t0:.1f} s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--slices", type=int, default=400)
    ap.add_argument("--parallel", type=int, default=8)
    ap.add_argument("--skip-slurm", action="store_true")
    ap.add_argument("--skip-local", action="store_true")
    a = ap.parse_args()
    hpolab = os.path.abspath(os.path.join(a.build, "bin", "hpolab"))
    tmp = tempfile.mkdtemp(prefix="hpolab-bench-launch-")
    try:
        study = os.path.join(tmp, "study.json")
        write_study(study)
        results = os.path.join(tmp, "results")
        if not a.skip_local:
            bench_local(hpolab, study, results, a.slices, a.parallel)
        if not a.skip_slurm:
            if not shutil.which("sbatch") or not os.environ.get("SLURM_CONF"):
                print("(b) skipped: no sbatch / SLURM_CONF (start a cluster "
                      "with tools/dev/slurm-start.sh, then . <dir>/env.sh)")
            else:
                bench_slurm(hpolab, study, results, a.slices, True)
                bench_slurm(hpolab, study, results, a.slices, False)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
