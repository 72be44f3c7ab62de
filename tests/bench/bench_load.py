#!/usr/bin/env python3
"""Load benchmark (issue 10, "Load"): many short sleeping trials at once.

Runs `hpolab run` with random search, 64 workers and a C script that sleeps
--sleep seconds before each of its 3 reports, for 1 000 and for 10 000
trials, and prints for each: wall time and trials/s, the tuner's CPU time
per trial and its peak RSS (from `hpolab run`'s summary), and the number of
file descriptors the tuner holds (/proc/<pid>/fd, sampled every 0.2 s): at
most while all workers are busy (3 per running trial: stdout and stderr
pipes and a pidfd) and once every trial ended, so a leak shows as growth. Peak RSS should stay flat from 1 000 to 10 000 trials.
It also prints the most anonymous memory seen (RssAnon, sampled with the
fds): peak RSS is mostly mapped libraries, which do not grow, so RssAnon shows
what does (results rows used to; now the tuner's and the searcher's per-trial
records).

Usage: tests/bench/bench_load.py [--build build] [--quick] [--sleep 0.1]
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


def write_study(path, entry, trials, workers, sleep):
    bench = {
        "entry_point": entry,
        "config_space": {"x": {"domain": "uniform", "lower": 0.0, "upper": 1.0},
                         "sleep": sleep},
        "metric": "loss", "mode": "min",
        "n_workers": workers, "max_wallclock_time": 36000,
        "max_num_trials_started": trials - 1,
    }
    with open(path, "w") as f:
        json.dump({"name": "load", "benchmarks": {"b": bench}, "methods": ["RS"]}, f)


def fd_count(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def rss_anon_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def run(hpolab, study, results):
    cmd = [hpolab, "run", study, "--results_dir", results, "--random_seed", "1"]
    t0 = time.monotonic()
    with open(os.path.join(os.path.dirname(study), "out.txt"), "w+") as out:
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        samples = []
        anon = 0
        while p.poll() is None:
            n = fd_count(p.pid)
            if n is not None:
                samples.append(n)
            anon = max(anon, rss_anon_kib(p.pid) or 0)
            time.sleep(0.2)
        wall = time.monotonic() - t0
        out.seek(0)
        text = out.read()
    if p.returncode != 0:
        sys.exit("hpolab failed:\n" + text[-3000:])
    trials = int(re.search(r"(\d+) trials \(", text).group(1))
    m = re.search(r"tuner: ([0-9.]+) s CPU \(([0-9.]+) ms per trial; ([0-9.]+) s in the kernel\), "
                  r"peak RSS ([0-9.]+) MiB", text)
    # the steady state: the samples after the first second, when all workers run
    steady = samples[5:] or samples
    return {"trials": trials, "wall": wall, "rate": trials / wall,
            "cpu": float(m.group(1)), "cpu_ms": float(m.group(2)), "sys": float(m.group(3)),
            "rss": float(m.group(4)), "anon": anon / 1024.0,
            "fd_first": steady[0] if steady else None,
            "fd_last": steady[-1] if steady else None,
            "fd_max": max(steady) if steady else None}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--quick", action="store_true", help="100 and 1 000 trials")
    ap.add_argument("--workers", type=int, default=64)
    ap.add_argument("--sleep", type=float, default=0.1,
                    help="seconds each trial sleeps before each of its 3 reports")
    a = ap.parse_args()
    hpolab = os.path.abspath(os.path.join(a.build, "bin", "hpolab"))
    script = os.path.abspath(os.path.join(a.build, "tests", "bench", "bench_trivial"))
    sizes = (100, 1000) if a.quick else (1000, 10000)
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    tmp = tempfile.mkdtemp(prefix="hpolab-load-", dir=base)
    results = {}
    try:
        for n in sizes:
            study = os.path.join(tmp, f"s{n}.json")
            write_study(study, [script], n, a.workers, a.sleep)
            r = run(hpolab, study, os.path.join(tmp, f"r{n}"))
            results[n] = r
            print(f"{n:>6} trials, {a.workers} workers, {a.sleep} s x 3 per trial: "
                  f"{r['wall']:.1f} s = {r['rate']:.0f} trials/s; tuner CPU "
                  f"{r['cpu_ms']:.3f} ms/trial ({r['sys']:.2f} s kernel); peak RSS "
                  f"{r['rss']:.1f} MiB (anonymous at most {r['anon']:.1f} MiB); open fds: at most {r['fd_max']} while "
                  f"{a.workers} trials run, {r['fd_last']} once they ended", flush=True)
            shutil.rmtree(os.path.join(tmp, f"r{n}"), ignore_errors=True)
        small, big = (results[s] for s in sizes)
        per_trial = (big['anon'] - small['anon']) * 1048576 / (big['trials'] - small['trials'])
        print(f"from {sizes[0]} to {sizes[1]} trials: peak RSS x{big['rss'] / small['rss']:.2f} "
              f"(anonymous +{big['anon'] - small['anon']:.1f} MiB, {per_trial:.0f} bytes per trial), "
              f"most fds open {small['fd_max']} -> {big['fd_max']}, "
              f"CPU per trial x{big['cpu_ms'] / small['cpu_ms']:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
