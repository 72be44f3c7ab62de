#!/usr/bin/env python3
"""Simulator benchmark (issue 7, "Quality and speed").

The ODSC-style study on the simulator backend: the analytic benchmark
transformer_like (the ODSC transformer_wikitext2 space, 40 epochs; or
`--benchmark transformer_crossing`, its crossing-curves variant), 4 workers,
5 simulated hours, 10 seeds, methods RS and ASHA (promotion type) and, when
a `bayesopt` searcher plugin is installed, BO and MOBSTER.

It runs the study as a practitioner would: `hpolab launch --engine local
--wait` (one job per method and seed, as many at once as the machine has
CPUs, since simulated trials are no processes), then `hpolab plot` draws the
comparison (mean and 95 % CI over seeds) into the output folder. It prints

* the total wall time (goal: under 60 s on a 2-core machine) and, per method,
  the jobs' summed wall time and the tuner's CPU seconds per experiment;
* per method (means over seeds): trials started, epochs trained, trials that
  reached the full 40 epochs, the GP's decisions (new configurations chosen
  by the model, after its initial random ones) and the observations the GP had
  at its decisions (mean and at the last one);
* each method's final best val_loss (mean ± s.e. over seeds; the benchmark's
  optimum is 5.0498), the best-so-far at 1, 2.5 and 5 simulated hours, the mean
  rank per seed, and the paired per-seed differences of every two methods (all methods
  of one seed share the seed).

`--sequential` runs the study with `hpolab run` in one process instead, one
experiment after another.

Usage: tests/bench/bench_simulator.py [--build build] [--seeds 10]
           [--benchmark transformer_like|transformer_crossing]
           [--out DIR] [--methods RS,ASHA,...] [--sequential]
"""
import argparse
import csv
import io
import json
import math
import re
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUDGET = 5 * 3600
# docs/simulator.md: the analytic benchmarks on the ODSC space and their
# optima (transformer_like: lr 1e-3, momentum 0.99, batch_size 16, dropout
# 0.2; transformer_crossing: lr 10^-3.9, dropout 0.2, batch_size 24,
# momentum 0.9, clip 0.5)
OPTIMA = {"transformer_like": 5.0498, "transformer_crossing": 5.0}

SPACE = {
    "lr": {"domain": "loguniform", "lower": 1e-6, "upper": 1e-3},
    "dropout": {"domain": "uniform", "lower": 0.0, "upper": 0.99},
    "batch_size": {"domain": "randint", "lower": 16, "upper": 48},
    "momentum": {"domain": "uniform", "lower": 0.0, "upper": 0.99},
    "clip": {"domain": "uniform", "lower": 0.0, "upper": 1.0},
    "epochs": 40,
}


def available_searchers(hpolab):
    p = subprocess.run([hpolab, "plugins", "--json"], capture_output=True,
                       text=True)
    if p.returncode != 0:
        sys.exit("hpolab plugins failed:\n" + p.stderr)
    return {c["name"] for c in json.loads(p.stdout) if c["kind"] == "searcher"}


def write_study(path, methods, benchmark):
    study = {
        "name": "odsc-sim",
        "benchmarks": {benchmark: {
            "backend": "simulator",
            "backend_options": {"benchmark": benchmark},
            "config_space": SPACE,
            "metric": "val_loss", "mode": "min",
            "resource_attr": "epoch", "max_resource_attr": "epochs",
            "n_workers": 4, "max_wallclock_time": BUDGET}},
        "methods": methods,
    }
    with open(path, "w") as f:
        json.dump(study, f, indent=1)


def read_rows(exp):
    with zipfile.ZipFile(os.path.join(exp, "results.csv.zip")) as z:
        text = z.read(z.namelist()[0]).decode()
    return list(csv.DictReader(io.StringIO(text)))


def best_so_far(rows, times):
    """Best val_loss seen up to each time of `times` (inf before any)."""
    pts = sorted((float(r["st_tuner_time"]), float(r["val_loss"]))
                 for r in rows)
    out, best, i = [], math.inf, 0
    for t in times:
        while i < len(pts) and pts[i][0] <= t:
            best = min(best, pts[i][1])
            i += 1
        out.append(best)
    return out


def mean_sem(xs):
    m = sum(xs) / len(xs)
    if len(xs) < 2:
        return m, 0.0
    var = sum((x - m) ** 2 for x in xs) / (len(xs) - 1)
    return m, math.sqrt(var / len(xs))


# the simulator's default delays (docs/simulator.md): a trial's first result
# arrives delay_start + elapsed + delay_on_trial_result after its start
DELAYS = 0.1
RUNGS = (1, 3, 9, 27, 40)      # ASHA/MOBSTER rung levels and max_t
INIT_RANDOM = {"BO": 3, "MOBSTER": 6}  # the presets' num_init_random


def counts(method, rows):
    """What one experiment did: trials, epochs, full trainings, and the GP's
    decisions with the observations it had at each (read off the results:
    a trial is started at its first row's time minus its elapsed time)."""
    first = {}
    full = set()
    for r in rows:
        tid = int(r["trial_id"])
        if int(r["st_worker_iter"]) == 0 and tid not in first:
            first[tid] = (float(r["st_tuner_time"]) -
                          float(r["elapsed_time"]) - DELAYS)
        if int(float(r["epoch"])) == 40:
            full.add(tid)
    out = {"trials": len(first), "epochs": len(rows), "full": len(full)}
    if method in INIT_RANDOM:
        # BO learns from trials' final results; MOBSTER from the results
        # at rung levels and at 40 epochs
        if method == "BO":
            obs_times = sorted(float(r["st_tuner_time"]) for r in rows
                               if int(float(r["epoch"])) == 40)
        else:
            obs_times = sorted(float(r["st_tuner_time"]) for r in rows
                               if int(float(r["epoch"])) in RUNGS)
        # random while fewer than num_init_random configurations or no
        # observation exists (schedulers reference 3.3, 5.4)
        starts = sorted(first.values())[INIT_RANDOM[method]:]
        n_obs = [k for k in (sum(1 for t in obs_times if t <= s)
                             for s in starts) if k > 0]
        out["decisions"] = len(n_obs)
        out["obs_mean"] = sum(n_obs) / len(n_obs) if n_obs else 0.0
        out["obs_last"] = n_obs[-1] if n_obs else 0
    return out


def run_study(hpolab, study, results, seeds, sequential):
    """Runs the study; returns (wall seconds, {method: [job seconds]},
    {method: [tuner CPU seconds]}, [experiment folders])."""
    common = ["--results_dir", results, "--random_seed", "1",
              "--num_seeds", str(seeds)]
    if sequential:
        cmd = [hpolab, "run", study] + common
    else:
        cmd = [hpolab, "launch", study, "--engine", "local", "--wait"] + common
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - t0
    log = p.stdout + p.stderr
    if p.returncode != 0:
        sys.exit("%s failed:\n%s" % (" ".join(cmd[:3]), log[-4000:]))
    jobs, cpu, exps = {}, {}, []
    if sequential:
        for m, c in re.findall(r"Starting experiment \((\S+?)/.*?\n(?:.*\n)*?"
                               r"tuner: ([0-9.]+) s CPU", p.stdout):
            cpu.setdefault(m, []).append(float(c))
        exps = [os.path.join(results, d) for d in sorted(os.listdir(results))]
        return wall, jobs, cpu, exps, log
    root = os.path.join(results, "odsc-sim")
    for slice_dir in sorted(os.listdir(root)):
        d = os.path.join(root, slice_dir)
        if not os.path.isdir(d):
            continue
        m = slice_dir.rsplit("-", 1)[0]
        with open(os.path.join(d, "job.json")) as f:
            job = json.load(f)
        jobs.setdefault(m, []).append(job["end"] - job["start"])
        with open(os.path.join(d, "std.out")) as f:
            c = re.search(r"tuner: ([0-9.]+) s CPU", f.read())
        if c:
            cpu.setdefault(m, []).append(float(c.group(1)))
        exps += [os.path.join(d, e) for e in sorted(os.listdir(d))
                 if os.path.isfile(os.path.join(d, e, "metadata.json"))]
    return wall, jobs, cpu, exps, log


def plot(hpolab, results, out, seeds, methods, benchmark):
    """The comparison through `hpolab plot`: mean and 95 % CI over seeds."""
    stem = os.path.join(out, "odsc-sim")
    cmd = [hpolab, "plot", "odsc-sim", "--results_dir", results,
           "--output", stem, "--setups", ",".join(methods),
           "--aggregate", "mean_and_ci", "--format", "png",
           "--title", "%s (simulated), 4 workers, %d seeds"
           % (benchmark, seeds),
           "--xlabel", "simulated wall-clock time (s)",
           "--ylabel", "best val_loss (mean, 95 % CI)",
           "--ylim", "5,5.6", "--grid", "true", "--size", "1500x900"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    with open(os.path.join(out, "plot.log"), "w") as f:
        f.write(p.stdout + p.stderr)
    if p.returncode != 0:
        print("hpolab plot failed: " + (p.stdout + p.stderr)[-2000:])
        return None
    return stem + ".png"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--benchmark", default="transformer_like",
                    choices=sorted(OPTIMA),
                    help="the analytic benchmark (docs/simulator.md)")
    ap.add_argument("--out", help="keep results and the plot here")
    ap.add_argument("--methods", help="comma-separated presets "
                    "(default: RS,BO,ASHA,MOBSTER as installed)")
    ap.add_argument("--sequential", action="store_true",
                    help="hpolab run, one experiment after another")
    args = ap.parse_args()
    hpolab = os.path.join(args.build, "bin", "hpolab")
    if args.methods:
        methods = args.methods.split(",")
    else:
        bo = "bayesopt" in available_searchers(hpolab)
        methods = ["RS", "BO", "ASHA", "MOBSTER"] if bo else ["RS", "ASHA"]
        if not bo:
            print("no bayesopt searcher installed: BO and MOBSTER left out")
    out = args.out or tempfile.mkdtemp(prefix="hpolab-bench-sim-")
    os.makedirs(out, exist_ok=True)
    results = os.path.join(out, "results")
    shutil.rmtree(results, ignore_errors=True)
    study = os.path.join(out, "study.json")
    write_study(study, methods, args.benchmark)

    wall, jobs, cpu, exps, log = run_study(hpolab, study, results,
                                           args.seeds, args.sequential)
    with open(os.path.join(out, "run.log"), "w") as f:
        f.write(log)
    per = {m: {} for m in methods}   # method -> seed -> rows
    for exp in exps:
        with open(os.path.join(exp, "metadata.json")) as f:
            md = json.load(f)
        per[md["algorithm"]][md["seed"]] = read_rows(exp)
    n_exp = sum(len(v) for v in per.values())
    print("%d experiments (%s x %d seeds), %d workers, %.0f simulated hours "
          "each, %s" % (n_exp, ", ".join(methods), args.seeds, 4,
                        BUDGET / 3600,
                        "hpolab run (one at a time)" if args.sequential
                        else "hpolab launch --engine local"))
    print("total wall time: %.1f s (goal < 60 s)" % wall)

    print("\n%-8s %9s %9s %8s %8s %7s %10s %14s" % (
        "method", "jobs s", "CPU s/exp", "trials", "epochs", "full",
        "GP choices", "GP obs (mean/last)"))
    for m in methods:
        c = [counts(m, per[m][s]) for s in sorted(per[m])]
        avg = lambda k: sum(x[k] for x in c) / len(c)
        gp = ("%10.1f %8.1f / %5.1f" % (avg("decisions"), avg("obs_mean"),
                                         avg("obs_last"))
              if m in INIT_RANDOM else "%10s %16s" % ("-", "-"))
        js = "%9.1f" % sum(jobs[m]) if m in jobs else "%9s" % "-"
        cs = sum(cpu.get(m, [])) / max(len(cpu.get(m, [])), 1)
        print("%-8s %s %9.2f %8.1f %8.0f %7.1f %s" % (
            m, js, cs, avg("trials"), avg("epochs"), avg("full"), gp))

    marks = [3600, 9000, BUDGET]
    finals = {}
    print("\n%-8s %24s %10s %10s %10s" % (
        "method", "final best (mean ± s.e.)", "@1h", "@2.5h", "@5h"))
    for m in methods:
        seeds = sorted(per[m])
        curves = [best_so_far(per[m][s], marks) for s in seeds]
        finals[m] = {s: c[-1] for s, c in zip(seeds, curves)}
        fm, fs = mean_sem([c[-1] for c in curves])
        at = [mean_sem([c[k] for c in curves])[0] for k in range(3)]
        print("%-8s %15.4f ± %.4f %10.4f %10.4f %10.4f" % (m, fm, fs, *at))
    # rank per seed (1 = best), averaged
    ranks = {m: [] for m in methods}
    common = sorted(set.intersection(*(set(finals[m]) for m in methods)))
    for s in common:
        order = sorted(methods, key=lambda m: finals[m][s])
        for i, m in enumerate(order):
            ranks[m].append(i + 1)
    print("\nmean rank over %d seeds (1 = best): " % len(common) + ", ".join(
        "%s %.2f" % (m, sum(ranks[m]) / len(ranks[m]))
        for m in sorted(methods, key=lambda m: sum(ranks[m]))))
    by_mean = sorted(methods, key=lambda m: sum(finals[m].values()) /
                     len(finals[m]))
    print("ranking by mean final best: " + " > ".join(by_mean))
    # every pair of methods, seed by seed (the methods of one seed share it)
    print("\npaired differences of final best (row - column; mean ± s.e.; "
          "seeds where row is better):")
    for i, a in enumerate(by_mean):
        for b in by_mean[i + 1:]:
            d = [finals[a][s] - finals[b][s] for s in common]
            dm, ds = mean_sem(d)
            wins = sum(1 for x in d if x < 0)
            print("  %-8s - %-8s %+.4f ± %.4f  (%d of %d)%s" % (
                a, b, dm, ds, wins, len(d),
                "  significant (> 2 s.e.)" if abs(dm) > 2 * ds else ""))
    print("(optimum of %s: %.4f)" % (args.benchmark, OPTIMA[args.benchmark]))

    png = plot(hpolab, results, out, args.seeds, methods, args.benchmark)
    if png:
        print("plot: " + png)
    print("results: " + results)


if __name__ == "__main__":
    main()
