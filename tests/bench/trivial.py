"""The cheapest Python training script: three reports with the standard
library only, then exit (what a Syne Tune reporter prints)."""
import json
import sys
import time

start = time.monotonic()
for epoch in range(1, 4):
    print("[tune-metric]: " + json.dumps({
        "epoch": epoch, "loss": 1.0 / epoch,
        "st_worker_timestamp": time.time(),
        "st_worker_time": time.monotonic() - start,
        "st_worker_iter": epoch - 1}), flush=True)
sys.exit(0)
