#!/usr/bin/env python3
"""Simulator benchmark (issue 7, "Quality and speed").

The ODSC-style study on the simulator backend: the analytic benchmark
transformer_like (the ODSC transformer_wikitext2 space, 40 epochs), 4
workers, 5 simulated hours, 10 seeds, methods RS and ASHA (promotion type) and,
when a `bayesopt` searcher plugin is installed, BO and MOBSTER. Prints the
total wall time (goal: under 60 s on a 2-core machine), each method's final
best val_loss (mean and standard error over seeds; the benchmark's optimum is
5.0), the mean rank per seed and the best-so-far at 1, 2.5 and 5 simulated
hours, and the tuner CPU seconds per experiment (trials and CPU are means
over seeds). With gnuplot installed it also draws the mean best-so-far curves
(simulator.png in the output folder).

Usage: tests/bench/bench_simulator.py [--build build] [--seeds 10]
           [--out DIR] [--methods RS,ASHA,...]
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
OPTIMUM = 5.0

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


def write_study(path, methods):
    study = {
        "name": "odsc-sim",
        "benchmarks": {"transformer_like": {
            "backend": "simulator",
            "backend_options": {"benchmark": "transformer_like"},
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--out", help="keep results and the plot here")
    ap.add_argument("--methods", help="comma-separated presets "
                    "(default: RS,BO,ASHA,MOBSTER as installed)")
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
    write_study(study, methods)

    cmd = [hpolab, "run", study, "--results_dir", results, "--random_seed",
           "1", "--num_seeds", str(args.seeds)]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - t0
    with open(os.path.join(out, "run.log"), "w") as f:
        f.write(p.stdout + p.stderr)
    if p.returncode != 0:
        sys.exit("hpolab failed:\n" + p.stdout[-3000:] + p.stderr[-3000:])
    # the tuner's own CPU time per experiment, as hpolab run prints it
    cpu = {m: [] for m in methods}
    for m, c in re.findall(r"Starting experiment \((\S+?)/.*?\n(?:.*\n)*?"
                           r"tuner: ([0-9.]+) s CPU", p.stdout):
        cpu[m].append(float(c))

    per = {m: {} for m in methods}   # method -> seed -> rows
    trials = {m: [] for m in methods}
    for name in sorted(os.listdir(results)):
        exp = os.path.join(results, name)
        with open(os.path.join(exp, "metadata.json")) as f:
            md = json.load(f)
        rows = read_rows(exp)
        per[md["algorithm"]][md["seed"]] = rows
        trials[md["algorithm"]].append(len({r["trial_id"] for r in rows}))
    n_exp = sum(len(v) for v in per.values())
    print("%d experiments (%s x %d seeds), %d workers, %.0f simulated hours "
          "each" % (n_exp, ", ".join(methods), args.seeds, 4, BUDGET / 3600))
    print("total wall time: %.1f s (goal < 60 s); %.2f s per experiment"
          % (wall, wall / max(n_exp, 1)))

    marks = [3600, 9000, BUDGET]
    finals = {}
    print("\n%-8s %8s %8s %22s %10s %10s %10s" % (
        "method", "trials", "CPU s", "final best (mean±sem)", "@1h", "@2.5h",
        "@5h"))
    for m in methods:
        seeds = sorted(per[m])
        curves = [best_so_far(per[m][s], marks) for s in seeds]
        finals[m] = {s: c[-1] for s, c in zip(seeds, curves)}
        fm, fs = mean_sem([c[-1] for c in curves])
        at = [mean_sem([c[k] for c in curves])[0] for k in range(3)]
        c = sum(cpu[m]) / len(cpu[m]) if cpu[m] else float("nan")
        print("%-8s %8.0f %8.2f %13.4f ± %.4f %10.4f %10.4f %10.4f" % (
            m, sum(trials[m]) / len(trials[m]), c, fm, fs, *at))
    # rank per seed (1 = best), averaged
    ranks = {m: [] for m in methods}
    for s in sorted(finals[methods[0]]):
        order = sorted(methods, key=lambda m: finals[m][s])
        for i, m in enumerate(order):
            ranks[m].append(i + 1)
    print("\nmean rank over seeds (1 = best): " + ", ".join(
        "%s %.2f" % (m, sum(ranks[m]) / len(ranks[m]))
        for m in sorted(methods, key=lambda m: sum(ranks[m]))))
    by_mean = sorted(methods, key=lambda m: sum(finals[m].values()))
    print("ranking by mean final best: " + " > ".join(by_mean))
    print("(optimum of transformer_like: %.1f)" % OPTIMUM)

    if shutil.which("gnuplot"):
        grid = [BUDGET * i / 200 for i in range(1, 201)]
        dat = os.path.join(out, "simulator.dat")
        with open(dat, "w") as f:
            for m in methods:
                curves = [best_so_far(per[m][s], grid) for s in sorted(per[m])]
                f.write("# %s\n" % m)
                for k, t in enumerate(grid):
                    vals = [c[k] for c in curves if math.isfinite(c[k])]
                    if len(vals) == len(curves):
                        mm, se = mean_sem(vals)
                        f.write("%g %g %g %g\n" % (t / 3600, mm, mm - se,
                                                   mm + se))
                f.write("\n\n")
        png = os.path.join(out, "simulator.png")
        plots = ", ".join(
            "'%s' index %d using 1:3:4 with filledcurves fs transparent "
            "solid 0.2 lc %d notitle, '' index %d using 1:2 with lines lw 2 "
            "lc %d title '%s'" % (dat, i, i + 1, i, i + 1, m)
            for i, m in enumerate(methods))
        script = ("set terminal pngcairo size 900,600\nset output '%s'\n"
                  "set xlabel 'simulated hours'\nset ylabel 'best val\\_loss "
                  "(mean ± s.e., %d seeds)'\nset yrange [4.95:5.6]\n"
                  "set grid\nset title 'transformer\\_like, 4 workers'\n"
                  "plot %s\n" % (png, args.seeds, plots))
        g = subprocess.run(["gnuplot"], input=script, text=True,
                           capture_output=True)
        if g.returncode == 0:
            print("plot: " + png)
        else:
            print("gnuplot failed: " + g.stderr.strip())
    print("results: " + results)


if __name__ == "__main__":
    main()
