#!/usr/bin/env python3
"""The example training scripts (examples/quickstart/train_synthetic.py and
.c, examples/scripts/train_shell.sh) and the quickstart studies: report
lines, checkpoint and resume, the same numbers in Python and C, the
documented minimum, and entry points that run as the tuner runs them."""

import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

SRC = os.environ.get("HPOLAB_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
QUICKSTART = os.path.join(SRC, "examples", "quickstart")
PY_SCRIPT = os.path.join(QUICKSTART, "train_synthetic.py")
SHELL_SCRIPT = os.path.join(SRC, "examples", "scripts", "train_shell.sh")
C_WRAPPER = os.path.join(QUICKSTART, "train_synthetic_c.sh")
BIN_DIR = os.environ.get("HPOLAB_EXAMPLES_BIN") or os.path.join(
    SRC, "build", "examples")
C_BINARY = os.path.join(BIN_DIR, "train_synthetic")
LINE = re.compile(r"\[tune-metric\]: (\{.*\})")
KEYS = ["epoch", "val_loss", "accuracy", "st_worker_timestamp",
        "st_worker_time", "st_worker_iter"]

sys.path.insert(0, QUICKSTART)
import train_synthetic  # noqa: E402


def run(argv, cwd=None, env=None, check=True):
    p = subprocess.run(argv, cwd=cwd, env=env, capture_output=True,
                       text=True, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError(f"{argv} exited {p.returncode}: {p.stderr}")
    return p


def reports(stdout):
    """The decoded [tune-metric] records of a script's output, in order."""
    return [json.loads(m.group(1)) for m in LINE.finditer(stdout)]


def need_c_binary(test):
    if not os.access(C_BINARY, os.X_OK):
        if os.environ.get("HPOLAB_EXAMPLES_BIN"):
            test.fail(f"{C_BINARY} was not built")
        test.skipTest(f"{C_BINARY} not built")


CONFIGS = [
    {},  # the defaults
    {"lr": "0.001", "dropout": "0.3", "batch_size": "64", "momentum": "0.9",
     "optimizer": "adam"},
    {"lr": "1e-05", "dropout": "0.0", "batch_size": "16", "momentum": "0.0",
     "optimizer": "rmsprop", "seed": "7"},
    {"lr": "0.0987654321", "dropout": "0.9", "batch_size": "256",
     "momentum": "0.99", "optimizer": "sgd", "seed": "-3"},
    {"lr": "0.000123", "dropout": "0.41", "batch_size": "27",
     "momentum": "0.77", "optimizer": "adam", "seed": "123456789"},
]


def argv_of(config, epochs, extra=()):
    out = []
    for k, v in config.items():
        out += [f"--{k}", v]
    return out + ["--epochs", str(epochs), "--sleep_per_epoch", "0", *extra]


class ScriptTests:
    """Tests shared by the Python and the C script (self.command)."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="hpolab-test-examples-")
        self.addCleanup(shutil.rmtree, self.dir)
        self.ckpt = os.path.join(self.dir, "trial", "checkpoints")

    def test_three_epochs(self):
        p = run(self.command() + argv_of(CONFIGS[4], 3, (
            "--st_checkpoint_dir", self.ckpt)), cwd=self.dir)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 3)
        before = time.time()
        for i, line in enumerate(lines):
            self.assertTrue(line.startswith('[tune-metric]: {"epoch": '), line)
            record = json.loads(LINE.fullmatch(line).group(1))
            self.assertEqual(list(record), KEYS)
            self.assertEqual(record["epoch"], i + 1)
            self.assertEqual(record["st_worker_iter"], i)
            self.assertAlmostEqual(record["accuracy"],
                                   math.exp(-record["val_loss"]), delta=1e-12)
            self.assertTrue(before - 60 < record["st_worker_timestamp"]
                            <= before)
            self.assertTrue(0 <= record["st_worker_time"] < 30)
        with open(os.path.join(self.ckpt, "checkpoint.json")) as f:
            ckpt = json.load(f)
        self.assertEqual(ckpt["epoch"], 3)
        self.assertEqual(ckpt["state"]["val_loss"],
                         reports(p.stdout)[-1]["val_loss"])
        self.assertEqual(os.listdir(self.ckpt), ["checkpoint.json"])

    def test_resume(self):
        args = argv_of(CONFIGS[2], 3, ("--st_checkpoint_dir", self.ckpt))
        first = run(self.command() + args, cwd=self.dir)
        self.assertNotIn("resumed", first.stdout)
        args[args.index("--epochs") + 1] = "5"
        second = run(self.command() + args, cwd=self.dir)
        self.assertEqual(second.stdout.splitlines()[0],
                         "resumed from epoch 3")
        records = reports(second.stdout)
        self.assertEqual([r["epoch"] for r in records], [4, 5])
        self.assertEqual([r["st_worker_iter"] for r in records], [0, 1])
        # a resumed trial reports what an uninterrupted one would have
        whole = reports(run(self.command() + argv_of(CONFIGS[2], 5),
                            cwd=self.dir).stdout)
        self.assertEqual([r["val_loss"] for r in whole[3:]],
                         [r["val_loss"] for r in records])
        self.assertEqual([r["val_loss"] for r in whole[:3]],
                         [r["val_loss"] for r in reports(first.stdout)])
        # nothing left to do: no report, exit 0
        third = run(self.command() + args, cwd=self.dir)
        self.assertEqual(third.stdout, "resumed from epoch 5\n")

    def test_corrupt_checkpoint_starts_over(self):
        os.makedirs(self.ckpt)
        with open(os.path.join(self.ckpt, "checkpoint.json"), "w") as f:
            f.write("{not json")
        p = run(self.command() + argv_of({}, 2, (
            "--st_checkpoint_dir", self.ckpt)), cwd=self.dir)
        self.assertEqual([r["epoch"] for r in reports(p.stdout)], [1, 2])
        self.assertIn("starting from epoch 1", p.stderr)

    def test_sleep_per_epoch(self):
        argv = self.command() + argv_of({}, 3)
        argv[argv.index("--sleep_per_epoch") + 1] = "0.1"
        start = time.monotonic()
        p = run(argv, cwd=self.dir)
        self.assertGreaterEqual(time.monotonic() - start, 0.3)
        times = [r["st_worker_time"] for r in reports(p.stdout)]
        self.assertGreaterEqual(times[2] - times[1], 0.09)

    def test_bad_arguments(self):
        for bad in (["--epochs", "ten"], ["--lr", "abc"], ["--lr", "0"],
                    ["--optimizer", "lbfgs"], ["--batch_size", "0"],
                    ["--batch_size", "2.5"]):
            with self.subTest(bad=bad):
                p = run(self.command() + bad, cwd=self.dir, check=False)
                self.assertEqual(p.returncode, 2)
                self.assertEqual(p.stdout, "")
                self.assertIn(bad[0], p.stderr)

    def test_unknown_arguments_ignored(self):
        p = run(self.command() + argv_of({"d_model": "256"}, 1) + [
            "--use_cuda", "1"], cwd=self.dir)
        self.assertEqual(len(reports(p.stdout)), 1)


class PythonScriptTest(ScriptTests, unittest.TestCase):
    def command(self):
        return [sys.executable, PY_SCRIPT]


class CScriptTest(ScriptTests, unittest.TestCase):
    def setUp(self):
        need_c_binary(self)
        super().setUp()

    def command(self):
        return [C_BINARY]


class SameNumbersTest(unittest.TestCase):
    """train_synthetic.c and .py are two implementations of one function."""

    def setUp(self):
        need_c_binary(self)

    def test_same_val_loss(self):
        for config in CONFIGS:
            with self.subTest(config=config):
                argv = argv_of(config, 6)
                py = reports(run([sys.executable, PY_SCRIPT] + argv).stdout)
                c = reports(run([C_BINARY] + argv).stdout)
                self.assertEqual(len(py), 6)
                self.assertEqual(len(c), 6)
                for a, b in zip(py, c):
                    self.assertEqual(a["epoch"], b["epoch"])
                    for key in ("val_loss", "accuracy"):
                        self.assertTrue(math.isclose(a[key], b[key],
                                                     rel_tol=1e-9),
                                        (key, a, b))

    def test_seed_changes_noise_only(self):
        a = reports(run([C_BINARY] + argv_of({"seed": "1"}, 3)).stdout)
        b = reports(run([C_BINARY] + argv_of({"seed": "2"}, 3)).stdout)
        for x, y in zip(a, b):
            self.assertNotEqual(x["val_loss"], y["val_loss"])
            self.assertTrue(math.isclose(x["val_loss"], y["val_loss"],
                                         rel_tol=0.07))

    def test_checkpoints_are_interchangeable(self):
        d = tempfile.mkdtemp(prefix="hpolab-test-examples-")
        self.addCleanup(shutil.rmtree, d)
        args = argv_of(CONFIGS[1], 2, ("--st_checkpoint_dir", d))
        run([sys.executable, PY_SCRIPT] + args)
        args[args.index("--epochs") + 1] = "4"
        c = run([C_BINARY] + args)
        self.assertTrue(c.stdout.startswith("resumed from epoch 2\n"))
        args[args.index("--epochs") + 1] = "5"
        py = run([sys.executable, PY_SCRIPT] + args)
        self.assertTrue(py.stdout.startswith("resumed from epoch 4\n"))
        self.assertEqual([r["epoch"] for r in reports(py.stdout)], [5])


class MinimumTest(unittest.TestCase):
    """The documented minimum, computed here from the formula by hand."""

    def best_clean(self, e):
        # at the optimum every x is 0: floor 0.1, rate 0.5
        return 0.1 + 2.2 * math.exp(-0.5 * e)

    def test_optimum_reaches_documented_loss(self):
        opt = {"lr": "0.001", "dropout": "0.3", "batch_size": "64",
               "momentum": "0.9", "optimizer": "adam"}
        for seed in ("0", "1", "2"):
            records = reports(run([sys.executable, PY_SCRIPT] + argv_of(
                dict(opt, seed=seed), 10)).stdout)
            for r in records:
                clean = self.best_clean(r["epoch"])
                self.assertTrue(0.97 * clean <= r["val_loss"] <= 1.03 * clean)
        self.assertAlmostEqual(self.best_clean(10), 0.11482, places=5)

    def test_nothing_below_the_bound(self):
        rng = random.Random(5)
        opts = ("sgd", "adam", "rmsprop")
        for _ in range(5000):
            e = rng.randint(1, 10)
            v = train_synthetic.val_loss(
                10 ** rng.uniform(-4, -1), rng.uniform(0, 0.9),
                rng.randint(16, 256), rng.uniform(0, 0.99), rng.choice(opts),
                e, rng.randint(0, 1000))
            self.assertGreaterEqual(v, 0.97 * self.best_clean(e))
            self.assertLess(v, 1.03 * 2.3)


class ShellScriptTest(unittest.TestCase):
    def test_curve_and_resume(self):
        d = tempfile.mkdtemp(prefix="hpolab-test-examples-")
        self.addCleanup(shutil.rmtree, d)
        config = CONFIGS[3]
        args = argv_of(config, 3, ("--st_checkpoint_dir", d))
        first = reports(run([SHELL_SCRIPT] + args).stdout)
        self.assertEqual([list(r) for r in first],
                         [["epoch", "val_loss", "st_worker_timestamp",
                           "st_worker_time", "st_worker_iter"]] * 3)
        self.assertEqual([r["st_worker_iter"] for r in first], [0, 1, 2])
        args[args.index("--epochs") + 1] = "5"
        p = run([SHELL_SCRIPT] + args)
        self.assertTrue(p.stdout.startswith("resumed from epoch 3\n"))
        second = reports(p.stdout)
        self.assertEqual([r["epoch"] for r in second], [4, 5])
        # the noise-free curve of train_synthetic (awk does the arithmetic)
        for r in first + second:
            clean = train_synthetic.clean_loss(
                float(config["lr"]), float(config["dropout"]),
                int(config["batch_size"]), float(config["momentum"]),
                config["optimizer"], r["epoch"])
            self.assertTrue(math.isclose(r["val_loss"], clean, rel_tol=1e-9))

    def test_bad_argument(self):
        p = run([SHELL_SCRIPT, "--lr", "abc"], check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--lr", p.stderr)


class StudyTest(unittest.TestCase):
    """Each quickstart study's entry point, run as the local backend runs it:
    in the study's folder, with one configuration as arguments."""

    STUDIES = {"study.json": "quickstart", "study_c.json": "quickstart-c",
               "study_shell.json": "quickstart-shell"}

    def sample(self, space):
        config = {}
        for name, dom in space.items():
            if not isinstance(dom, dict):
                config[name] = str(dom)
            elif dom["domain"] == "loguniform":
                config[name] = repr(math.sqrt(dom["lower"] * dom["upper"]))
            elif dom["domain"] == "uniform":
                config[name] = repr((dom["lower"] + dom["upper"]) / 2)
            elif dom["domain"] == "randint":
                config[name] = str((dom["lower"] + dom["upper"]) // 2)
            elif dom["domain"] == "choice":
                config[name] = str(dom["categories"][-1])
            else:
                self.fail(f"unexpected domain {dom}")
        return config

    def test_studies(self):
        for file, name in self.STUDIES.items():
            with self.subTest(study=file):
                if file == "study_c.json":
                    need_c_binary(self)
                with open(os.path.join(QUICKSTART, file)) as f:
                    study = json.load(f)
                self.assertEqual(study["name"], name)
                self.assertEqual(study["methods"],
                                 {"RS": {"scheduler": "fifo",
                                         "searcher": "random"}})
                bench = study["benchmarks"]["synthetic"]
                self.assertEqual(bench["max_wallclock_time"], 30)
                space = bench["config_space"]
                self.assertEqual(space[bench["max_resource_attr"]], 10)
                entry = list(bench["entry_point"])
                if "/" in entry[0]:
                    entry[0] = os.path.join(QUICKSTART, entry[0])
                    self.assertTrue(os.access(entry[0], os.X_OK), entry[0])
                d = tempfile.mkdtemp(prefix="hpolab-test-study-")
                self.addCleanup(shutil.rmtree, d)
                config = self.sample(space)
                argv = entry + argv_of(config, 2)[:-4] + [
                    "--st_checkpoint_dir", os.path.join(d, "checkpoints")]
                env = dict(os.environ, HPOLAB_EXAMPLES_BIN=BIN_DIR)
                p = run(argv, cwd=QUICKSTART, env=env)
                records = reports(p.stdout)
                self.assertEqual(len(records), space["epochs"])
                self.assertEqual([r[bench["resource_attr"]] for r in records],
                                 list(range(1, 11)))
                self.assertTrue(all(isinstance(r[bench["metric"]], float)
                                    for r in records))

    def test_c_wrapper_without_binary(self):
        env = dict(os.environ, HPOLAB_EXAMPLES_BIN="/nonexistent")
        p = run([C_WRAPPER, "--epochs", "1"], env=env, check=False)
        self.assertEqual(p.returncode, 127)
        self.assertIn("HPOLAB_EXAMPLES_BIN", p.stderr)


if __name__ == "__main__":
    unittest.main()
