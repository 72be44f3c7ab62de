#!/usr/bin/env python3
"""Tuner overhead benchmark (issue: foundation, "Performance").

Runs `hpolab run` with trivial training scripts (3 reports, exit) and random
search with 2 workers, and prints trials per second, wall time, the tuner's
own CPU time per trial and its peak RSS (both from the tuner's getrusage,
printed by `hpolab run`), next to Syne Tune's figures on this kind of machine:
0.40 trials/s by default (sleep_time 5 s), 56 trials/s busy-polling, 116 MiB.

  (a) a C script, 2000 trials                      goal >= 300 trials/s
  (b) a Python script (stdlib only), 200 trials    goal within 20 % of the
      rate at which this machine starts that script at all, 2 at a time
  (c) an idle tuner waiting on two 5-second trials goal CPU time ~ 0

Usage: tests/bench/bench_tuner.py [--build build] [--quick]
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

HERE = os.path.dirname(os.path.abspath(__file__))


def write_study(path, entry, trials, workers=2, extra=None):
    bench = {
        "entry_point": entry,
        "config_space": {"x": {"domain": "uniform", "lower": 0.0, "upper": 1.0}},
        "metric": "loss", "mode": "min",
        "n_workers": workers, "max_wallclock_time": 3600,
    }
    if trials is None:
        # two distinct configurations: the tuner waits for both to finish
        bench["config_space"] = {"x": {"domain": "choice", "categories": [0, 1]}}
    else:
        bench["max_num_trials_started"] = trials - 1
    bench.update(extra or {})
    study = {"name": "bench", "benchmarks": {"b": bench},
             "methods": {"RS": {"scheduler": "fifo", "searcher": "random"}}}
    with open(path, "w") as f:
        json.dump(study, f)


def run_hpolab(hpolab, study, results):
    cmd = [hpolab, "run", study, "--results_dir", results, "--random_seed", "1"]
    timer = "/usr/bin/time"
    use_time = os.path.exists(timer)
    if use_time:
        cmd = [timer, "-v"] + cmd
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit("hpolab failed:\n" + p.stdout + p.stderr)
    m = re.search(r"(\d+) trials \((\d+) completed", p.stdout)
    trials = int(m.group(1))
    m = re.search(r"tuner: ([0-9.]+) s CPU \(([0-9.]+) ms per trial; [0-9.]+ s in the kernel\), peak RSS ([0-9.]+) MiB", p.stdout)
    cpu, cpu_per_trial, rss = float(m.group(1)), float(m.group(2)), float(m.group(3))
    rss_time = None
    if use_time:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
        rss_time = int(m.group(1)) / 1024.0 if m else None
    return {"trials": trials, "wall": wall, "rate": trials / wall, "cpu": cpu,
            "cpu_per_trial_ms": cpu_per_trial, "rss_mib": rss,
            "rss_time_mib": rss_time}


def baseline_rate(argv, n, parallel=2):
    """Rate at which the machine starts and finishes argv, `parallel` at a time."""
    t0 = time.monotonic()
    running = []
    started = 0
    while started < n or running:
        while started < n and len(running) < parallel:
            running.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL))
            started += 1
        running[0].wait()
        running.pop(0)
    return n / (time.monotonic() - t0)


def show(name, r):
    extra = f", /usr/bin/time max RSS {r['rss_time_mib']:.1f} MiB (incl. trials)" if r["rss_time_mib"] else ""
    print(f"{name}: {r['trials']} trials in {r['wall']:.2f} s = {r['rate']:.1f} trials/s; "
          f"tuner CPU {r['cpu']:.3f} s = {r['cpu_per_trial_ms']:.3f} ms/trial; "
          f"tuner peak RSS {r['rss_mib']:.1f} MiB{extra}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--quick", action="store_true", help="fewer trials")
    a = ap.parse_args()
    hpolab = os.path.abspath(os.path.join(a.build, "bin", "hpolab"))
    trivial = os.path.abspath(os.path.join(a.build, "tests", "bench", "bench_trivial"))
    n_c, n_py = (200, 40) if a.quick else (2000, 200)
    tmp = tempfile.mkdtemp(prefix="hpolab-bench-")
    try:
        study = os.path.join(tmp, "c.json")
        write_study(study, [trivial], n_c)
        # Each trial creates a folder and 4 files; on this kind of machine's
        # disk that alone costs ~0.1-0.5 ms of kernel time per file, so the
        # tuner is also measured with its results on tmpfs.
        if os.path.isdir("/dev/shm"):
            shm = tempfile.mkdtemp(prefix="hpolab-bench-", dir="/dev/shm")
            try:
                rs = run_hpolab(hpolab, study, os.path.join(shm, "r"))
                show(f"(a) C script, {n_c} trials, results on tmpfs", rs)
            finally:
                shutil.rmtree(shm, ignore_errors=True)
        rc = run_hpolab(hpolab, study, os.path.join(tmp, "r1"))
        show(f"(a) C script, {n_c} trials, results on {tmp}", rc)
        print(f"    vs goal 300 trials/s: {rc['rate'] / 300:.2f}x; vs Syne Tune default 0.40/s: "
              f"{rc['rate'] / 0.40:.0f}x, busy-poll 56/s: {rc['rate'] / 56:.1f}x; "
              f"RSS vs Syne Tune 116 MiB: {116 / rc['rss_mib']:.1f}x smaller")

        py = [sys.executable if shutil.which("python3") is None else shutil.which("python3"),
              os.path.join(HERE, "trivial.py")]
        study = os.path.join(tmp, "py.json")
        write_study(study, py, n_py)
        rp = run_hpolab(hpolab, study, os.path.join(tmp, "r2"))
        show(f"(b) Python script, {n_py} trials", rp)
        base = baseline_rate(py, n_py)
        print(f"    machine starts the script at {base:.1f}/s (2 at a time): "
              f"hpolab reaches {100 * rp['rate'] / base:.1f} % of it (goal >= 80 %)")

        study = os.path.join(tmp, "idle.json")
        write_study(study, py[:1] + [os.path.join(HERE, "sleeper.py"), "--sleep", "5"], None)
        ri = run_hpolab(hpolab, study, os.path.join(tmp, "r3"))
        show("(c) idle tuner, two 5 s trials", ri)
        print(f"    tuner CPU while waiting {ri['wall']:.1f} s: {ri['cpu'] * 1e3:.1f} ms "
              f"({100 * ri['cpu'] / ri['wall']:.3f} % of one core)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
