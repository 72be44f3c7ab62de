#!/usr/bin/env python3
"""Training script of the sagemaker backend tests, run inside the stand-in's
"training jobs" (tools/container/entry.sh, trial mode). Trains epochs
resume_from+1 .. --epochs, resuming from <st_checkpoint_dir>/ckpt.json
(which SageMaker restores from the trial's S3 prefix), reports each epoch
and saves the checkpoint after it. Every report is also appended to the file
$SMB_REPORTS as "<job name> <epoch> <resumed_from>", so the test can count
what the jobs printed independently of hpolab. --fail 1 fails after the first
report with a message on stderr (the job's FailureReason)."""
import argparse
import json
import os
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("--x", type=float, required=True)
p.add_argument("--epochs", type=int, required=True)
p.add_argument("--sleep", type=float, default=0.05)
p.add_argument("--fail", type=int, default=0)
p.add_argument("--st_checkpoint_dir", required=True)
a = p.parse_args()

ck = os.path.join(a.st_checkpoint_dir, "ckpt.json")
start = 0
try:
    with open(ck) as f:
        start = json.load(f)["epoch"]
except (OSError, ValueError, KeyError):
    start = 0

job = os.environ.get("TRAINING_JOB_NAME", "?")
for epoch in range(start + 1, a.epochs + 1):
    time.sleep(a.sleep)
    loss = (a.x - 0.3) ** 2 + 1.0 / epoch
    print("[tune-metric]: " + json.dumps(
        {"epoch": epoch, "loss": loss, "resumed_from": start}), flush=True)
    with open(os.environ["SMB_REPORTS"], "a") as f:
        f.write("%s %d %d\n" % (job, epoch, start))
    os.makedirs(a.st_checkpoint_dir, exist_ok=True)
    with open(ck + ".tmp", "w") as f:
        json.dump({"epoch": epoch}, f)
    os.replace(ck + ".tmp", ck)
    if a.fail:
        print("RuntimeError: the training script failed on purpose (x=%g)"
              % a.x, file=sys.stderr, flush=True)
        sys.exit(3)
