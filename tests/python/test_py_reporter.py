#!/usr/bin/env python3
"""The Python reporter (tools/python/hpolab_reporter.py) and the shell
reporter (tools/shell/hpolab-report.sh): the exact [tune-metric] line, the
counter, timestamps, refused reports, checkpoints."""

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

SRC = os.environ.get("HPOLAB_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tools", "python"))
import hpolab_reporter  # noqa: E402

SHELL_REPORTER = os.path.join(SRC, "tools", "shell", "hpolab-report.sh")
# Syne Tune's parser: the tag, then a JSON object up to the last } of the line
LINE = re.compile(r"\[tune-metric\]: (\{.*\})")
TAIL = re.compile(r'"st_worker_timestamp": ([0-9.e+]+), '
                  r'"st_worker_time": ([0-9.e+-]+), '
                  r'"st_worker_iter": ([0-9]+)\}$')


def split_line(test, line, prefix):
    """Checks that line is prefix + the reporter's fields; returns them."""
    test.assertTrue(line.startswith(prefix), f"{line!r} !~ {prefix!r}")
    m = TAIL.fullmatch(line[len(prefix):])
    test.assertIsNotNone(m, line)
    return float(m.group(1)), float(m.group(2)), int(m.group(3))


class Numpyish:
    """Stands in for a numpy scalar: not JSON, but has .item()."""

    def __init__(self, v):
        self.v = v

    def item(self):
        return self.v


class PythonReporterTest(unittest.TestCase):
    def reporter(self, **kw):
        out = io.StringIO()
        return hpolab_reporter.Reporter(out=out, **kw), out

    def test_exact_line(self):
        r, out = self.reporter()
        before = time.time()
        r(epoch=1, val_loss=6.12, lr=1e-05, two=2.0, tenth=0.1,
          bad=float("nan"), inf=float("-inf"), ok=True, name='a "b" \\ ä',
          n=Numpyish(3))
        after = time.time()
        text = out.getvalue()
        self.assertTrue(text.endswith("\n"))
        self.assertEqual(text.count("\n"), 1)
        ts, t, it = split_line(
            self, text[:-1],
            '[tune-metric]: {"epoch": 1, "val_loss": 6.12, "lr": 1e-05, '
            '"two": 2.0, "tenth": 0.1, "bad": NaN, "inf": -Infinity, '
            '"ok": true, "name": "a \\"b\\" \\\\ \\u00e4", "n": 3, ')
        self.assertEqual(it, 0)
        self.assertTrue(before <= ts <= after)
        self.assertTrue(0 <= t < 5)

    def test_counter_clock_and_key_order(self):
        r, out = self.reporter()
        for e in range(1, 4):
            if e == 3:
                time.sleep(0.05)
            r(epoch=e, val_loss=1.0 / e)
        lines = out.getvalue().splitlines()
        self.assertEqual(len(lines), 3)
        tails = []
        for i, line in enumerate(lines):
            m = LINE.search(line)
            record = json.loads(m.group(1))
            self.assertEqual(list(record), [
                "epoch", "val_loss", "st_worker_timestamp", "st_worker_time",
                "st_worker_iter"])
            self.assertEqual(record["epoch"], i + 1)
            self.assertEqual(record["st_worker_iter"], i)
            tails.append(record)
        self.assertGreaterEqual(
            tails[2]["st_worker_time"] - tails[1]["st_worker_time"], 0.045)
        self.assertGreaterEqual(
            tails[2]["st_worker_timestamp"] - tails[1]["st_worker_timestamp"],
            0.045)
        self.assertLessEqual(tails[0]["st_worker_time"],
                             tails[1]["st_worker_time"])

    def test_counter_without_time(self):
        # Syne Tune's [BUG]: add_time=False left the counter uninitialised
        r, out = self.reporter(add_time=False)
        r(epoch=1)
        r(epoch=2)
        records = [json.loads(LINE.search(x).group(1))
                   for x in out.getvalue().splitlines()]
        self.assertEqual([list(x) for x in records],
                         [["epoch", "st_worker_timestamp", "st_worker_iter"]] * 2)
        self.assertEqual([x["st_worker_iter"] for x in records], [0, 1])

    def test_refused(self):
        r, out = self.reporter()
        with self.assertRaisesRegex(ValueError, "st_worker_time.*reserved"):
            r(epoch=1, st_worker_time=3)
        with self.assertRaisesRegex(ValueError, "x: None"):
            r(epoch=1, x=None)
        with self.assertRaisesRegex(ValueError, "50000"):
            r(s="a" * 50000)
        with self.assertRaises(TypeError):
            r(s=object())
        self.assertEqual(out.getvalue(), "")
        r(s="a" * 40000)
        self.assertEqual(json.loads(LINE.search(out.getvalue()).group(1))
                         ["st_worker_iter"], 0)

    def test_writes_to_stdout_by_default(self):
        code = ("import sys; sys.path.insert(0, sys.argv[1]); "
                "import hpolab_reporter as h; r = h.Reporter(); "
                "r(epoch=1); r(epoch=2)")
        p = subprocess.run([sys.executable, "-c", code,
                            os.path.join(SRC, "tools", "python")],
                           capture_output=True, text=True, check=True)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 2)
        split_line(self, lines[1], '[tune-metric]: {"epoch": 2, ')


class CheckpointTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="hpolab-test-ckpt-")
        self.addCleanup(shutil.rmtree, self.dir)

    def test_round_trip(self):
        d = os.path.join(self.dir, "trial", "checkpoints")
        self.assertEqual(hpolab_reporter.load_checkpoint(d), (0, None))
        hpolab_reporter.save_checkpoint(d, 2, {"w": [1, 2]})
        hpolab_reporter.save_checkpoint(d, 3, {"w": [3, 4]})
        self.assertEqual(hpolab_reporter.load_checkpoint(d), (3, {"w": [3, 4]}))
        self.assertEqual(os.listdir(d), ["checkpoint.json"])
        with open(os.path.join(d, "checkpoint.json")) as f:
            self.assertEqual(f.read(), '{"epoch": 3, "state": {"w": [3, 4]}}\n')

    def test_no_dir(self):
        hpolab_reporter.save_checkpoint(None, 3, {})
        hpolab_reporter.save_checkpoint("", 3, {})
        self.assertEqual(hpolab_reporter.load_checkpoint(None), (0, None))
        self.assertEqual(hpolab_reporter.load_checkpoint(""), (0, None))

    def test_unreadable_means_start_over(self):
        path = os.path.join(self.dir, "checkpoint.json")
        for text in ("garbage", '{"st_resource": 3}', '{"epoch": "3"}',
                     '{"epoch": true}', "[3]"):
            with open(path, "w") as f:
                f.write(text)
            err = io.StringIO()
            saved, sys.stderr = sys.stderr, err
            try:
                self.assertEqual(hpolab_reporter.load_checkpoint(self.dir),
                                 (0, None), text)
            finally:
                sys.stderr = saved
            self.assertIn("starting from epoch 1", err.getvalue())

    def test_failed_save_keeps_old_checkpoint(self):
        hpolab_reporter.save_checkpoint(self.dir, 1, {"a": 1})
        with self.assertRaises(TypeError):
            hpolab_reporter.save_checkpoint(self.dir, 2, {"a": object()})
        self.assertEqual(hpolab_reporter.load_checkpoint(self.dir),
                         (1, {"a": 1}))


def shells():
    """The shells the reporter is checked with: bash and a POSIX sh."""
    found = [s for s in ("bash", "dash") if shutil.which(s)]
    if "dash" not in found and shutil.which("sh"):
        found.append("sh")
    return found


class ShellReporterTest(unittest.TestCase):
    def run_sh(self, shell, script, *args):
        return subprocess.run(
            [shell, "-c", f'. "$0"; {script}', SHELL_REPORTER, *args],
            capture_output=True, text=True)

    def test_brief_example(self):
        # the exact command of the brief
        before = time.time()
        p = subprocess.run(
            ["bash", "-c", '. tools/shell/hpolab-report.sh; hpolab_report '
             'epoch 1 x 0.5 name "a b"'], cwd=SRC, capture_output=True,
            text=True)
        after = time.time()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 1)
        ts, t, it = split_line(
            self, lines[0],
            '[tune-metric]: {"epoch": 1, "x": 0.5, "name": "a b", ')
        self.assertEqual(it, 0)
        self.assertTrue(before - 0.01 <= ts <= after + 0.01)
        self.assertTrue(0 <= t < 2)
        record = json.loads(LINE.search(lines[0]).group(1))
        self.assertEqual(list(record), ["epoch", "x", "name",
                                        "st_worker_timestamp",
                                        "st_worker_time", "st_worker_iter"])

    def test_values_and_escapes(self):
        weird = 'say "hi" \\ now\ttab\nnl\x01\x08\x0c\r ä€😀'
        for sh in shells():
            with self.subTest(shell=sh):
                p = self.run_sh(
                    sh, 'hpolab_report i -3 f 1.5e-05 g 2E+3 z 0 t true '
                    'f2 false n NaN inf -Infinity s1 1. s2 .5 s3 01 s4 0x1 '
                    's5 "" s6 "$1"', weird)
                self.assertEqual(p.returncode, 0, p.stderr)
                line = p.stdout.splitlines()[0]
                split_line(
                    self, line,
                    '[tune-metric]: {"i": -3, "f": 1.5e-05, "g": 2E+3, '
                    '"z": 0, "t": true, "f2": false, "n": NaN, '
                    '"inf": -Infinity, "s1": "1.", "s2": ".5", "s3": "01", '
                    '"s4": "0x1", "s5": "", "s6": "say \\"hi\\" \\\\ now\\t'
                    'tab\\nnl\\u0001\\b\\f\\r ä€😀", ')
                record = json.loads(LINE.search(line).group(1))
                self.assertEqual(record["s6"], weird)

    def test_counter_clock_and_errors(self):
        for sh in shells():
            with self.subTest(shell=sh):
                p = self.run_sh(
                    sh, 'hpolab_report epoch 1; sleep 0.2; '
                    'hpolab_report epoch 2; '
                    'hpolab_report st_x 1 && exit 9; '
                    'hpolab_report a 1 a 2 && exit 9; '
                    'hpolab_report a && exit 9; '
                    'hpolab_report a null && exit 9; '
                    'hpolab_report "" 1 && exit 9; '
                    'hpolab_report epoch 3')
                self.assertEqual(p.returncode, 0, p.stderr)
                lines = p.stdout.splitlines()
                self.assertEqual(len(lines), 3, p.stdout)
                tails = [split_line(self, x, '[tune-metric]: {"epoch": %d, '
                                    % (i + 1)) for i, x in enumerate(lines)]
                self.assertEqual([x[2] for x in tails], [0, 1, 2])
                self.assertGreaterEqual(tails[1][1] - tails[0][1], 0.19)
                self.assertGreaterEqual(tails[1][0] - tails[0][0], 0.19)
                errors = p.stderr.splitlines()
                self.assertEqual(len(errors), 5, p.stderr)
                self.assertIn("st_x: keys starting with 'st_' are reserved",
                              errors[0])
                self.assertIn("a: key given twice", errors[1])
                self.assertIn("even number of arguments", errors[2])
                self.assertIn("null cannot be reported", errors[3])
                self.assertIn("must not be empty", errors[4])

    def test_clock_going_back(self):
        # as if the wall clock went back 10 s since the file was sourced
        p = self.run_sh("bash", "HPOLAB_REPORT_START_NS=$((HPOLAB_REPORT_START_NS"
                        " + 10000000000)); hpolab_report a 1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(split_line(self, p.stdout.rstrip("\n"),
                                    '[tune-metric]: {"a": 1, ')[1], 0.0)

    def test_line_limit(self):
        p = self.run_sh("bash", 'hpolab_report s "$1"; echo rc=$?', "a" * 50000)
        self.assertEqual(p.stdout, "rc=1\n")
        self.assertIn("shorter than 50000 bytes", p.stderr)
        p = self.run_sh("bash", 'hpolab_report s "$1"', "a" * 40000)
        self.assertEqual(p.returncode, 0)
        split_line(self, p.stdout.rstrip("\n"),
                   '[tune-metric]: {"s": "' + "a" * 40000 + '", ')


if __name__ == "__main__":
    unittest.main()
